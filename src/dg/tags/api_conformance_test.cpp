// tag2domain's recorded HTTP exchanges (../shared/data/tag2domain/conformance) against
// tag2domain_api() on the fixtures migrated into our store, both backends, following the file's
// comparison rules. tags_http_conformance_test runs the same cases over real HTTP against
// `domaingraph serve`; here the routing-free part is checked. Both judge responses with
// conformance_support.hpp (comparison rules, the list of deliberate deviations).
#include "dg/store/store.hpp"
#include "dg/tags/api.hpp"
#include "dg/tags/conformance_support.hpp"
#include "dg/tags/migrate.hpp"
#include "dg/tags/tag2domain_pg.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/support/support.hpp"

#include <gtest/gtest.h>
#include <map>

namespace dg::tags {
namespace {

using nlohmann::json;

enum class Backend { Sqlite, Postgres };

/// The file's comparison rules and our deviations (shared with the over-HTTP test).
std::string check(const json& expect, const ApiResponse& got) {
    return conformance::check(expect, got.status, got.body);
}

using conformance::expectation;
using conformance::set_name;

class ApiConformance : public ::testing::TestWithParam<Backend> {
protected:
    /// A fresh database with the fixture state `set` ("basic", "basic+tags_categories", ...).
    void fresh(const std::string& set) {
        ts_.reset();
        store_.reset();
        std::string url;
        if (GetParam() == Backend::Sqlite) {
            url = "sqlite://" + tmp_.file("api" + std::to_string(++n_) + ".db");
        } else {
            std::string err;
            auto* server = test::shared_postgres_server(err);
            ASSERT_NE(server, nullptr) << err;
            url = server->create_database(test::unique_database_name(), err);
            ASSERT_FALSE(url.empty()) << err;
        }
        auto s = store::Store::open(url);
        ASSERT_TRUE(s) << s.error().to_string();
        store_ = std::move(*s);
        auto ts = TagStore::open(*store_);
        ASSERT_TRUE(ts);
        ts_.emplace(*ts);
        auto r = migrate_tag2domain_json(*ts_, fixtures_, {set});
        ASSERT_TRUE(r) << r.error().to_string();
    }

    ApiResponse send(const json& request) {
        QueryParams q;
        for (const auto& pair : request["query"]) {
            q.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
        }
        const std::string body = request.contains("json") ? request["json"].dump() : "";
        return tag2domain_api(*ts_, request["method"].get<std::string>(),
                              request["path"].get<std::string>(), q, body);
    }

    void SetUp() override {
        if (GetParam() == Backend::Postgres) {
            DG_POSTGRES_DATABASE_OR_SKIP(unused);
        }
        const std::string fx = test::shared_data("tag2domain/fixtures/fixtures_as_tables.json");
        const std::string cs =
            test::shared_data("tag2domain/conformance/tag2domain_api_v1_cases.json");
        if (fx.empty() || cs.empty()) {
            GTEST_SKIP() << "missing ../shared/data/tag2domain";
        }
        fixtures_ = json::parse(test::read_file(fx));
        cases_ = json::parse(test::read_file(cs));
    }

    test::TempDir tmp_;
    int n_ = 0;
    json fixtures_;
    json cases_;
    std::unique_ptr<store::Store> store_;
    std::optional<TagStore> ts_;
};

TEST_P(ApiConformance, RecordedCases) {
    // GET cases grouped by fixture state (one database each); each POST on a fresh database.
    const conformance::CasePlan plan = conformance::plan_cases(cases_);
    int checked = 0;
    for (const auto& [set, cases] : plan.gets) {
        fresh(set);
        for (const json* c : cases) {
            const std::string id = c->at("id").get<std::string>();
            const std::string why = check(expectation(id, c->at("expect")), send(c->at("request")));
            EXPECT_TRUE(why.empty()) << id << " " << c->at("request")["url"] << ": " << why;
            ++checked;
        }
    }
    for (const json* c : plan.posts) {
        fresh(set_name(c->at("fixtures")));
        const std::string id = c->at("id").get<std::string>();
        const std::string why = check(expectation(id, c->at("expect")), send(c->at("request")));
        EXPECT_TRUE(why.empty()) << id << ": " << why;
        ++checked;
    }
    EXPECT_EQ(checked, static_cast<int>(cases_["cases"].size()));
}

TEST_P(ApiConformance, Msm2tagSequence) {
    for (const auto& seq : cases_["sequences"]) {
        fresh(set_name(seq["fixtures"]));
        int step = 0;
        for (const auto& s : seq["steps"]) {
            ++step;
            const std::string id = conformance::sequence_step_id(step);
            const std::string why = check(expectation(id, s["expect"]), send(s["request"]));
            EXPECT_TRUE(why.empty()) << id << " (" << s.value("note", "") << "): " << why;
        }
    }
}

TEST_P(ApiConformance, ImprovementsOverUpstream) {
    fresh("basic");
    // a zone in at_time is understood (upstream: 500)
    auto zoned = tag2domain_api(*ts_, "GET", "/api/v1/bydomain/test1.at",
                                {{"at_time", "2020-04-01T02:00:00+02:00"}});
    auto naive = tag2domain_api(*ts_, "GET", "/api/v1/bydomain/test1.at",
                                {{"at_time", "2020-04-01T00:00:00"}});
    EXPECT_EQ(zoned.status, 200);
    EXPECT_EQ(zoned.body, naive.body);
    EXPECT_EQ(tag2domain_api(*ts_, "GET", "/api/v1/bydomain/test1.at", {{"at_time", "1585699200"}})
                  .status,
              422);
    // a name is looked up as names are stored: case and a final dot do not matter (upstream:
    // the exact text, so "TEST1.at." finds nothing)
    const auto stored = tag2domain_api(*ts_, "GET", "/api/v1/bydomain/test1.at", {});
    ASSERT_FALSE(stored.body.empty());
    EXPECT_EQ(tag2domain_api(*ts_, "GET", "/api/v1/bydomain/TEST1.At.", {}).body, stored.body);
    const auto shown = domain_tags(*ts_, "test1.at", {}, false); // `tags show`
    ASSERT_FALSE(shown.body.empty());
    EXPECT_EQ(domain_tags(*ts_, "Test1.AT.", {}, false).body, shown.body);
    // negative limit (upstream: 500), unsupported filter (upstream: 500)
    EXPECT_EQ(tag2domain_api(*ts_, "GET", "/api/v1/meta/taxonomies", {{"limit", "-1"}}).status,
              422);
    EXPECT_EQ(tag2domain_api(*ts_, "GET", "/api/v1/stats/taxonomies", {{"filter", "registrar-id"}})
                  .status,
              400);
    // is_actionable 0.5 (upstream: 500 in /meta/tag)
    auto tag = tag2domain_api(*ts_, "GET", "/api/v1/meta/tag",
                              {{"taxonomy", "tax_test3"}, {"tag", "test_tag_1_tax_3"}});
    EXPECT_EQ(tag.status, 200) << tag.body.dump();
    EXPECT_EQ(tag.body["taxonomy"]["flags"]["is_stable"], false);
    // bytag restricted to a taxonomy (upstream mixes equal names of different taxonomies)
    auto t1 = tag2domain_api(*ts_, "GET", "/api/v1/domains/bytag",
                             {{"tag", "test_tag_1_tax_1"}, {"taxonomy", "tax_test3"}});
    EXPECT_EQ(t1.body, json::array());
    // legacy 2020 paths
    auto legacy = tag2domain_api(*ts_, "GET", "/api/v1/tags/bydomain/test1.at", {});
    ASSERT_EQ(legacy.status, 200);
    EXPECT_EQ(legacy.body.size(), 9U); // open rows only, three tag types
    EXPECT_EQ(legacy.body[0], json({{"domain_name", "test1.at"},
                                    {"domain_id", 1},
                                    {"tag_id", 1},
                                    {"tag_name", "test_tag_1_tax_1"},
                                    {"taxonomy_id", 1},
                                    {"taxonomy_name", "tax_test1"}}));
    EXPECT_EQ(tag2domain_api(*ts_, "GET", "/api/v1/taxonomies/all", {}).body.size(), 4U);
    EXPECT_EQ(tag2domain_api(*ts_, "GET", "/api/v1/domains/bytag/test_tag_1_tax_1", {}).body.size(),
              6U);
    EXPECT_EQ(tag2domain_api(*ts_, "GET", "/api/v1/domains/bytaxonomy/tax_test3", {}).body.size(),
              3U);
}

TEST_P(ApiConformance, TimeTravel) {
    fresh("basic");
    const std::string head = R"({"version":"1","domain":"travel.at","taxonomy":"tax_test1",)"
                             R"("producer":"tt","tags":)";
    auto post = [&](const std::string& when, const std::string& tags) {
        auto r = tag2domain_api(*ts_, "POST", "/api/v1/msm2tag/", {},
                                head + tags + R"(,"measured_at":")" + when + "\"}");
        EXPECT_EQ(r.status, 200) << r.body.dump();
    };
    const std::string tag = R"([{"tag":"test_tag_2_tax_1"}])";
    post("2021-01-01T00:00:00", tag);  // opened
    post("2021-02-01T00:00:00", tag);  // extended
    post("2021-03-01T00:00:00", "[]"); // ended
    post("2021-04-01T00:00:00", tag);  // reopened
    auto count_at = [&](const char* t) {
        auto r = tag2domain_api(*ts_, "GET", "/api/v1/bydomain/travel.at", {{"at_time", t}});
        EXPECT_EQ(r.status, 200);
        return r.body.size();
    };
    EXPECT_EQ(count_at("2020-12-31T23:59:59"), 0U); // before
    EXPECT_EQ(count_at("2021-01-01T00:00:00"), 1U); // start is inclusive
    EXPECT_EQ(count_at("2021-02-15T00:00:00"), 1U); // inside, after the extension
    EXPECT_EQ(count_at("2021-03-01T00:00:00"), 0U); // end is exclusive
    EXPECT_EQ(count_at("2021-03-15T00:00:00"), 0U); // in the gap
    EXPECT_EQ(count_at("2021-04-01T00:00:00"), 1U); // reopened: a new row
    EXPECT_EQ(count_at("2030-01-01T00:00:00"), 1U); // still open
    auto history = tag2domain_api(*ts_, "GET", "/api/v1/bydomain/travel.at/history", {});
    ASSERT_EQ(history.body.size(), 2U);
    EXPECT_EQ(history.body[0]["start_time"], "2021-01-01T00:00:00+00:00");
    EXPECT_EQ(history.body[0]["measured_at"], "2021-03-01T00:00:00+00:00");
    EXPECT_EQ(history.body[0]["end_time"], "2021-03-01T00:00:00+00:00");
    EXPECT_EQ(history.body[1]["start_time"], "2021-04-01T00:00:00+00:00");
    EXPECT_EQ(history.body[1]["end_time"], nullptr);
    auto open = tag2domain_api(*ts_, "GET", "/api/v1/bydomain/travel.at", {});
    EXPECT_EQ(open.body.size(), 1U);
    // an older measurement than the open row's is stale (400), and changes nothing
    auto stale = tag2domain_api(*ts_, "POST", "/api/v1/msm2tag/", {},
                                head + R"([],"measured_at":"2021-03-15T00:00:00"})");
    EXPECT_EQ(stale.status, 400);
    EXPECT_EQ(tag2domain_api(*ts_, "GET", "/api/v1/bydomain/travel.at", {}).body.size(), 1U);
}

/// migrate-from-tag2domain --postgres: an upstream-shaped schema (core tables, the glue view and
/// the filter view as tables) filled from the fixtures, read back through libpq.
class Tag2domainPostgresSource : public ApiConformance {};

std::string sql_literal(const json& j) {
    std::string s = j.dump();
    for (std::size_t pos = s.find('\''); pos != std::string::npos; pos = s.find('\'', pos + 2)) {
        s.insert(pos, 1, '\'');
    }
    return "'" + s + "'";
}

TEST_P(Tag2domainPostgresSource, MigratesLikeTheJsonTables) {
    DG_TOOL_OR_SKIP("psql");
    std::string err;
    auto* server = test::shared_postgres_server(err);
    ASSERT_NE(server, nullptr) << err;
    const std::string upstream = server->create_database(test::unique_database_name(), err);
    ASSERT_FALSE(upstream.empty()) << err;
    const json& basic = fixtures_["basic"];
    std::string sql =
        "CREATE SCHEMA tag2domain; SET search_path TO tag2domain;"
        "CREATE TABLE taxonomy (id int, name varchar(300), description text, is_actionable "
        "float8, is_automatically_classifiable bool, is_stable bool, for_numbers bool, "
        "for_domains bool, url varchar(500), allows_auto_tags bool, allows_auto_values bool);"
        "CREATE TABLE tags (tag_id int, tag_name varchar(200), tag_description varchar, "
        "taxonomy_id int, extras jsonb);"
        "CREATE TABLE taxonomy_tag_val (id int, value text, tag_id int);"
        "CREATE TABLE v_unified_tags (domain_id bigint, domain_name varchar(100), tag_type text, "
        "tag_id int, value_id int, start_ts timestamptz, measured_at timestamptz, end_ts "
        "timestamptz);"
        "CREATE TABLE domains (domain_id bigint, domain_name varchar(100));"
        "CREATE TABLE v_tag2domain_domain_filter (domain_id bigint, tag_name varchar(200), "
        "start_ts timestamp, end_ts timestamp, value text);";
    for (const auto& [table, key] : std::vector<std::pair<std::string, std::string>>{
             {"taxonomy", "taxonomy"},
             {"tags", "tags"},
             {"taxonomy_tag_val", "taxonomy_tag_val"},
             {"domains", "domains"},
             {"v_unified_tags",
              "v_unified_tags (glue view: all intersections joined to domain names)"},
             {"v_tag2domain_domain_filter", "v_tag2domain_domain_filter (filter view)"}}) {
        ASSERT_TRUE(basic.contains(key)) << key;
        sql += "INSERT INTO " + table + " SELECT * FROM json_populate_recordset(NULL::" + table +
               ", " + sql_literal(basic[key]) + ");";
    }
    const auto loaded =
        test::run_command({"psql", "-q", "-v", "ON_ERROR_STOP=1", upstream, "-c", sql});
    ASSERT_EQ(loaded.exit_code, 0) << loaded.err;

    fresh("basic"); // the reference: the same state from the JSON tables
    std::vector<ApiResponse> expected;
    const std::vector<std::pair<std::string, QueryParams>> requests = {
        {"/api/v1/bydomain/test1.at/history", {}},
        {"/api/v1/domains/bytag", {{"tag", "test_tag_1_tax_1"}}},
        {"/api/v1/meta/taxonomies", {}},
        {"/api/v1/meta/values", {{"taxonomy", "tax_test1"}, {"tag", "test_tag_1_tax_1"}}},
        {"/api/v1/stats/taxonomies", {{"filter", "registrar-id=1"}}}};
    for (const auto& [path, q] : requests) {
        expected.push_back(tag2domain_api(*ts_, "GET", path, q));
    }
    ts_.reset();
    store_.reset();
    auto s = store::Store::open("sqlite://" + tmp_.file("from_pg.db"));
    ASSERT_TRUE(s);
    store_ = std::move(*s);
    ts_.emplace(*TagStore::open(*store_));
    // Issue 12 item 12: streamed through cursors; 2 rows per FETCH makes every table take
    // several round trips.
    auto r = migrate_tag2domain_postgres(*ts_, upstream, "tag2domain", 2);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->mappings, 15U);
    EXPECT_EQ(r->filters, 5U);
    EXPECT_EQ(r->entities, 5U);
    for (std::size_t i = 0; i < requests.size(); ++i) {
        const auto got = tag2domain_api(*ts_, "GET", requests[i].first, requests[i].second);
        EXPECT_EQ(got.status, 200);
        EXPECT_EQ(got.body, expected[i].body) << requests[i].first;
    }
    EXPECT_FALSE(migrate_tag2domain_postgres(*ts_, upstream, "no_such_schema"));
}

// Issue 12 item 12: producers are kept where upstream has them. A real glue view over an
// intersection table (upstream's template: entity_id, tag_id, start_ts, producer ...): each row
// takes its intersection row's producer.
TEST_P(Tag2domainPostgresSource, KeepsTheProducersOfTheIntersectionTables) {
    DG_TOOL_OR_SKIP("psql");
    std::string err;
    auto* server = test::shared_postgres_server(err);
    ASSERT_NE(server, nullptr) << err;
    const std::string upstream = server->create_database(test::unique_database_name(), err);
    ASSERT_FALSE(upstream.empty()) << err;
    const std::string sql =
        "CREATE TABLE taxonomy (id int, name varchar(300), description text, is_actionable "
        "float8, is_automatically_classifiable bool, is_stable bool, for_numbers bool, "
        "for_domains bool, url varchar(500), allows_auto_tags bool, allows_auto_values bool);"
        "CREATE TABLE tags (tag_id int, tag_name varchar(200), tag_description varchar, "
        "taxonomy_id int, extras jsonb);"
        "CREATE TABLE taxonomy_tag_val (id int, value text, tag_id int);"
        "CREATE TABLE domains (domain_id bigint, domain_name varchar(100));"
        "CREATE TABLE intersections (entity_id bigint, tag_id int, start_date int, end_date int,"
        " taxonomy_id int, value_id int, measured_at timestamptz, start_ts timestamptz, end_ts "
        "timestamptz, producer varchar(100));"
        "CREATE VIEW v_unified_tags AS SELECT d.domain_id, d.domain_name, 'domain'::text AS "
        "tag_type, i.tag_id, i.value_id, i.start_ts, i.measured_at, i.end_ts FROM domains d "
        "JOIN intersections i ON d.domain_id = i.entity_id;"
        "INSERT INTO taxonomy (id, name) VALUES (1, 'tax');"
        "INSERT INTO tags (tag_id, tag_name, taxonomy_id) VALUES (1, 'a', 1), (2, 'b', 1);"
        "INSERT INTO domains VALUES (1, 'example.com'), (2, 'example.net'), (3, 'example.org');"
        "INSERT INTO intersections (entity_id, tag_id, taxonomy_id, measured_at, start_ts, "
        "producer) VALUES (1, 1, 1, '2021-01-01', '2021-01-01', 'rdap'), (2, 1, 1, '2021-01-01', "
        "'2021-01-01', 'zonefile'), (2, 2, 1, '2021-01-02', '2021-01-02', NULL), (3, 2, 1, "
        "'2021-01-03', '2021-01-03', 'rdap');";
    const auto loaded =
        test::run_command({"psql", "-q", "-v", "ON_ERROR_STOP=1", upstream, "-c", sql});
    ASSERT_EQ(loaded.exit_code, 0) << loaded.err;
    ts_.reset();
    store_.reset();
    auto s = store::Store::open("sqlite://" + tmp_.file("producers.db"));
    ASSERT_TRUE(s);
    store_ = std::move(*s);
    ts_.emplace(*TagStore::open(*store_));
    auto r = migrate_tag2domain_postgres(*ts_, upstream, "public", 3);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->mappings, 4U);
    EXPECT_EQ(r->entities, 3U);
    std::map<std::pair<std::string, std::int64_t>, std::optional<std::string>> producers;
    for (const auto& [domain, id] : std::vector<std::pair<std::string, std::int64_t>>{
             {"example.com", 1}, {"example.net", 2}, {"example.org", 3}}) {
        auto rows = ts_->mappings_of(id);
        ASSERT_TRUE(rows) << domain;
        for (const auto& m : *rows) {
            producers[{domain, m.tag_id}] = m.producer;
        }
    }
    using P = std::optional<std::string>;
    const std::map<std::pair<std::string, std::int64_t>, P> expect = {
        {{"example.com", 1}, P("rdap")},
        {{"example.net", 1}, P("zonefile")},
        {{"example.net", 2}, std::nullopt},
        {{"example.org", 2}, P("rdap")}};
    EXPECT_EQ(producers, expect);
}

INSTANTIATE_TEST_SUITE_P(Postgres, Tag2domainPostgresSource, ::testing::Values(Backend::Postgres));

INSTANTIATE_TEST_SUITE_P(Sqlite, ApiConformance, ::testing::Values(Backend::Sqlite));
INSTANTIATE_TEST_SUITE_P(Postgres, ApiConformance, ::testing::Values(Backend::Postgres));

} // namespace
} // namespace dg::tags
