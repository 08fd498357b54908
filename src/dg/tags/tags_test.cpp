// One suite, two backends (as store_test): every TEST_P runs against SQLite (a temp file) and a
// real PostgreSQL server (tests/support/postgres_server). Data: ../shared/data/tag2domain and
// ../shared/data/taxonomies.
#include "dg/store/internal/migrations.hpp"
#include "dg/store/store.hpp"
#include "dg/tags/api.hpp"
#include "dg/tags/formats.hpp"
#include "dg/tags/migrate.hpp"
#include "dg/tags/tag_store.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/support/support.hpp"

#include <dirent.h>
#include <gtest/gtest.h>

namespace dg::tags {
namespace {

using nlohmann::json;

enum class Backend { Sqlite, Postgres };

Tag tag_named(const char* name) {
    Tag t;
    t.name = name;
    return t;
}

TagValue value_named(const char* v) {
    TagValue tv;
    tv.value = v;
    return tv;
}

// --- query strings (backend-free) ---

// Issue 12 item 11: each pair splits at its first '=' (upstream, Starlette), so a filter's value
// may hold '=' unencoded; cpp-httplib's parser split at every '=' and lost the filter type.
TEST(TagsQuery, SplitsEachPairAtTheFirstEquals) {
    const QueryParams q = parse_query_string(
        "taxonomy=tax%20one&filter=registrar-id=1&at_time=2020-06-01+12:00&flag&&x=%zz&e=");
    const QueryParams expect = {{"taxonomy", "tax one"},
                                {"filter", "registrar-id=1"},
                                {"at_time", "2020-06-01 12:00"},
                                {"flag", ""},
                                {"x", "%zz"},
                                {"e", ""}};
    EXPECT_EQ(q, expect);
    EXPECT_EQ(parse_query_string("filter=registrar-id%3D1"),
              (QueryParams{{"filter", "registrar-id=1"}}));
    EXPECT_TRUE(parse_query_string("").empty());
}

// --- time (backend-free) ---

TEST(TagsTime, ParsesUpstreamFormsAndZones) {
    EXPECT_EQ(*parse_time("1970-01-01T00:00:00"), 0);
    EXPECT_EQ(*parse_time("2020-06-01T12:00"), *parse_time("2020-06-01 12:00:00"));
    EXPECT_EQ(*parse_time("2020-06-01T12:00:00.5") - *parse_time("2020-06-01T12:00:00"), 500000);
    EXPECT_EQ(*parse_time("2020-06-01T14:00:00+02:00"), *parse_time("2020-06-01T12:00:00"));
    EXPECT_EQ(*parse_time("2020-06-01T12:00:00Z"), *parse_time("2020-06-01T12:00:00"));
    for (const char* bad : {"2020-06-01", "1591012800", "2020-13-01T00:00:00", "2021-02-29T00:00",
                            "2020-06-01T12:00:00+2", "", "2020-06-01T24:00:00", "x"}) {
        EXPECT_FALSE(parse_time(bad)) << bad;
    }
    EXPECT_TRUE(has_zone("2020-06-01T12:00:00Z"));
    EXPECT_TRUE(has_zone("2020-06-01T12:00:00-01:00"));
    EXPECT_FALSE(has_zone("2020-06-01T12:00:00"));
    EXPECT_EQ(format_time(*parse_time("2020-03-17T12:53:21")), "2020-03-17T12:53:21+00:00");
    EXPECT_EQ(format_time(*parse_time("2020-03-17T12:53:21.25")),
              "2020-03-17T12:53:21.250000+00:00");
    EXPECT_EQ(format_time(*parse_time("1969-12-31T23:59:59")), "1969-12-31T23:59:59+00:00");
    EXPECT_EQ(day_number(*parse_time("2020-07-10T14:20:00")), 20200710);
    EXPECT_EQ(category_of("a::b::c"), "a::b");
    EXPECT_EQ(category_of("cat_1::x"), "cat_1");
    EXPECT_EQ(category_of("plain"), "");
}

TEST(TagsMeasurement, ParsingIsStrict) {
    const json good = json::parse(R"({"version":"1","tag_type":"domain","tagged_id":3,
        "taxonomy":"flavors","producer":"p","measured_at":"2020-12-23T10:30:51",
        "tags":[{"tag":"salty","value":"strongly"}]})");
    auto m = parse_measurement(good);
    ASSERT_TRUE(m) << m.error().to_string();
    EXPECT_EQ(*m->tagged_id, 3);
    EXPECT_EQ(std::get<std::string>(m->tags[0].tag), "salty");
    for (const char* patch : {R"({"extra":1})", R"({"tagged_id":"3"})", R"({"producer":""})",
                              R"({"measured_at":"2020-12-23"})", R"({"tags":[{"value":"x"}]})",
                              R"({"tags":[{"tag":"x","bogus":1}]})", R"({"taxonomy":""})",
                              R"({"domain":"example.at"})"}) {
        json j = good;
        j.merge_patch(json::parse(patch));
        EXPECT_FALSE(parse_measurement(j)) << patch;
    }
    json by_name = good;
    by_name.erase("tagged_id");
    by_name.erase("tag_type");
    by_name["domain"] = "example.at";
    auto n = parse_measurement(by_name);
    ASSERT_TRUE(n) << n.error().to_string();
    EXPECT_EQ(n->tag_type, "domain");
    EXPECT_EQ(*n->entity_name, "example.at");
}

// --- both backends ---

class TagsTest : public ::testing::TestWithParam<Backend> {
protected:
    void SetUp() override {
        if (GetParam() == Backend::Sqlite) {
            url_ = "sqlite://" + tmp_.file("tags.db");
        } else {
            DG_POSTGRES_DATABASE_OR_SKIP(pg_url);
            url_ = pg_url;
        }
        auto s = store::Store::open(url_);
        ASSERT_TRUE(s) << s.error().to_string();
        store_ = std::move(*s);
        auto ts = TagStore::open(*store_);
        ASSERT_TRUE(ts) << ts.error().to_string();
        ts_.emplace(*ts);
    }

    /// Loads a named state of fixtures_as_tables.json.
    MigrationReport load_fixture(const std::string& set) {
        const std::string path = test::shared_data("tag2domain/fixtures/fixtures_as_tables.json");
        EXPECT_FALSE(path.empty());
        const auto doc = json::parse(test::read_file(path));
        auto r = migrate_tag2domain_json(*ts_, doc, {set});
        EXPECT_TRUE(r) << r.error().to_string();
        return r ? *r : MigrationReport{};
    }

    Result<MeasurementOutcome> apply_json(const std::string& text) {
        auto m = parse_measurement(json::parse(text));
        if (!m) {
            return m.error();
        }
        return ts_->apply(*m);
    }

    std::vector<Mapping> rows_of(std::int64_t entity) {
        auto rows = ts_->mappings_of(entity);
        EXPECT_TRUE(rows) << rows.error().to_string();
        return rows ? *rows : std::vector<Mapping>{};
    }

    test::TempDir tmp_;
    std::string url_;
    std::unique_ptr<store::Store> store_;
    std::optional<TagStore> ts_;
};

TEST_P(TagsTest, SchemaIsTheLatestMigration) {
    EXPECT_EQ(*store_->schema_version(), store::internal::migrations().back().version);
    auto taxonomies = ts_->taxonomies();
    ASSERT_TRUE(taxonomies);
    EXPECT_TRUE(taxonomies->empty());
}

TEST_P(TagsTest, EveryMispTaxonomyRoundTrips) {
    DG_SHARED_OR_SKIP(dir, "taxonomies/tlp/machinetag.json");
    const std::string root = dir.substr(0, dir.size() - std::string("/tlp/machinetag.json").size());
    DIR* d = opendir(root.c_str());
    ASSERT_NE(d, nullptr);
    std::vector<std::string> names;
    while (const dirent* e = readdir(d)) {
        const std::string n = e->d_name;
        if (n[0] != '.' && !test::read_file(root + "/" + n + "/machinetag.json").empty()) {
            names.push_back(n);
        }
    }
    closedir(d);
    ASSERT_GE(names.size(), 15U);
    for (const auto& n : names) {
        const std::string path = root + "/" + n + "/machinetag.json";
        const json original = json::parse(test::read_file(path));
        auto def = read_taxonomy_file(path);
        ASSERT_TRUE(def) << def.error().to_string();
        auto id = ts_->import_taxonomy(*def);
        ASSERT_TRUE(id) << n << ": " << id.error().to_string();
        auto loaded = ts_->load_taxonomy(*id);
        ASSERT_TRUE(loaded) << loaded.error().to_string();
        EXPECT_EQ(to_misp(*loaded), original) << n;
        // importing again changes nothing
        auto again = ts_->import_taxonomy(*def);
        ASSERT_TRUE(again);
        EXPECT_EQ(*again, *id);
        EXPECT_EQ(to_misp(*ts_->load_taxonomy(*id)), original) << n;
    }
    auto tlp = ts_->find_taxonomy("tlp");
    ASSERT_TRUE(tlp && *tlp);
    EXPECT_TRUE((*tlp)->exclusive);
}

TEST_P(TagsTest, YamlTaxonomyImportsAndExportsBack) {
    DG_SHARED_OR_SKIP(path, "tag2domain/example_taxonomy.yml");
    auto def = read_taxonomy_file(path);
    ASSERT_TRUE(def) << def.error().to_string();
    ASSERT_EQ(def->tags.size(), 2U);
    EXPECT_EQ(def->tags[1].values.size(), 2U); // the YAML anchor is resolved
    auto id = ts_->import_taxonomy(*def);
    ASSERT_TRUE(id) << id.error().to_string();
    auto loaded = ts_->load_taxonomy(*id);
    ASSERT_TRUE(loaded);
    EXPECT_EQ(loaded->taxonomy.name, "Example Taxonomy");
    EXPECT_EQ(*loaded->taxonomy.is_actionable, 1.0);
    EXPECT_EQ(*loaded->taxonomy.for_numbers, false);
    EXPECT_EQ(loaded->tags[0].name, "rgb::red");
    const std::string yaml = to_taxonomy_yaml(*loaded);
    auto back = parse_taxonomy_yaml(yaml);
    ASSERT_TRUE(back) << back.error().to_string() << "\n" << yaml;
    EXPECT_EQ(to_misp(*back), to_misp(*def));
    EXPECT_EQ(to_taxonomy_yaml(*back), yaml);
    EXPECT_FALSE(parse_taxonomy_yaml("taxonomy:\n  name: x\n  colour: red\n"));
    EXPECT_FALSE(parse_taxonomy_yaml("taxonomy: [\n"));
}

TEST_P(TagsTest, MigrationKeepsIdsAndIsIdempotent) {
    DG_SHARED_OR_SKIP(path, "tag2domain/fixtures/fixtures_as_tables.json");
    const MigrationReport r = load_fixture("basic");
    EXPECT_EQ(r.taxonomies, 4U);
    EXPECT_EQ(r.tags, 4U);
    EXPECT_EQ(r.values, 3U);
    EXPECT_EQ(r.entities, 5U);
    EXPECT_EQ(r.mappings, 15U);
    EXPECT_EQ(r.filters, 5U);
    EXPECT_TRUE(r.warnings.empty());
    auto t3 = ts_->taxonomy_by_id(3);
    ASSERT_TRUE(t3 && *t3);
    EXPECT_EQ((*t3)->name, "tax_test3");
    EXPECT_EQ(*(*t3)->is_actionable, 0.5);
    EXPECT_FALSE((*t3)->is_actionable == std::nullopt);
    auto t4 = ts_->taxonomy_by_id(4);
    EXPECT_FALSE((*t4)->is_actionable);
    EXPECT_EQ(*ts_->entity_id(EntityKind::Domain, "test2.at", false), 2);
    // test1.at: 4 rows in each of the three tag types, the delegation's mapped to its domain
    const auto rows = rows_of(1);
    ASSERT_EQ(rows.size(), 12U);
    EXPECT_EQ(rows[0].tag_id, 1);
    EXPECT_EQ(rows[0].tag_type, "delegation");
    EXPECT_EQ(format_time(rows[0].start), "2020-03-17T12:53:21+00:00");
    EXPECT_EQ(*rows[0].producer, "test_producer1");
    EXPECT_EQ(format_time(*rows[6].end), "2020-07-10T14:20:00+00:00");
    // again: nothing new; the categories state adds its tags and rows
    const MigrationReport again = load_fixture("basic");
    EXPECT_EQ(again.mappings, 0U);
    EXPECT_EQ(again.mappings_skipped, 15U);
    const MigrationReport cats = load_fixture("basic+tags_categories");
    EXPECT_GT(cats.mappings, 0U);
    auto tax4 = ts_->load_taxonomy(4);
    ASSERT_TRUE(tax4);
    ASSERT_FALSE(tax4->tags.empty());
    EXPECT_EQ(tax4->tags[0].id, 2000561); // upstream's id, kept
    // new rows get fresh ids after the preserved ones (PostgreSQL sequences moved on)
    auto nt = ts_->entity_id(EntityKind::Domain, "new.at", true);
    ASSERT_TRUE(nt) << nt.error().to_string();
    EXPECT_EQ(*nt, 6);
}

TEST_P(TagsTest, Msm2tagSequenceAsUpstream) {
    DG_SHARED_OR_SKIP(path, "tag2domain/fixtures/fixtures_as_tables.json");
    load_fixture("basic");
    const std::string head =
        R"({"version":"1","tag_type":"intersection","tagged_id":3,"taxonomy":"tax_test1",)";
    // 1: opens two tags
    auto s1 = apply_json(head + R"("producer":"test","measured_at":"2020-12-22T12:35:32",
        "measurement_id":"test/12345","tags":[{"tag":"test_tag_1_tax_1","value":"value_1_tag_1"},
        {"tag":"test_tag_3_tax_1"}]})");
    ASSERT_TRUE(s1) << s1.error().to_string();
    EXPECT_EQ(s1->inserted, 2U);
    auto rows = rows_of(3);
    ASSERT_EQ(rows.size(), 2U);
    EXPECT_EQ(*rows[0].value_id, 1);
    // 3: the same time again is stale, nothing changes
    auto s3 = apply_json(head + R"("producer":"test","measured_at":"2020-12-22T12:35:32",
        "tags":[{"tag":"test_tag_1_tax_1","value":"value_1_tag_1"},{"tag":"test_tag_3_tax_1"}]})");
    ASSERT_TRUE(s3);
    EXPECT_TRUE(s3->stale);
    EXPECT_EQ(s3->stale_reason,
              "received measurement with timestamp 2020-12-22T12:35:32 and found tag that has an "
              "equal or more recent measured_at with 2020-12-22T12:35:32");
    // 4: ends tag 1, prolongs tag 3
    auto s4 = apply_json(head + R"("producer":"test","measured_at":"2020-12-23T08:00:00",
        "tags":[{"tag":"test_tag_3_tax_1"}]})");
    ASSERT_TRUE(s4) << s4.error().to_string();
    EXPECT_EQ(s4->ended, 1U);
    EXPECT_EQ(s4->prolonged, 1U);
    rows = rows_of(3);
    ASSERT_EQ(rows.size(), 2U);
    EXPECT_EQ(format_time(*rows[0].end), "2020-12-23T08:00:00+00:00");
    EXPECT_EQ(format_time(rows[0].measured_at), "2020-12-23T08:00:00+00:00");
    EXPECT_FALSE(rows[1].end);
    EXPECT_EQ(format_time(rows[1].start), "2020-12-22T12:35:32+00:00");
    EXPECT_EQ(format_time(rows[1].measured_at), "2020-12-23T08:00:00+00:00");
    // 7: another producer may not touch the open tag
    auto s7 = apply_json(head + R"("producer":"someone-else","measured_at":"2020-12-24T08:00:00",
        "tags":[{"tag":"test_tag_3_tax_1"}]})");
    ASSERT_FALSE(s7);
    EXPECT_EQ(s7.error().message,
              "measurement produced by someone-else tried to modify intersection produced by test");
    // 8: unknown tag
    auto s8 = apply_json(head + R"("producer":"test","measured_at":"2020-12-24T08:00:00",
        "tags":[{"tag":"no_such_tag"}]})");
    ASSERT_FALSE(s8);
    EXPECT_EQ(s8.error().message, "tag 'no_such_tag' is not in taxonomy");
    // 9: autogeneration the taxonomy forbids (upstream: 500): a clear error, nothing written
    auto s9 = apply_json(head + R"("producer":"test","measured_at":"2020-12-24T08:00:00",
        "tags":[{"tag":"new_tag","description":"d","extras":{}}],"autogenerate_tags":true})");
    ASSERT_FALSE(s9);
    EXPECT_EQ(s9.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(rows_of(3).size(), 2U);
    // 10: autogeneration allowed on tax_test2
    auto s10 =
        apply_json(R"({"version":"1","tag_type":"domain","tagged_id":4,"taxonomy":"tax_test2",
        "producer":"p2","measured_at":"2020-12-24T08:00:00","autogenerate_tags":true,
        "tags":[{"tag":"brand_new","description":"auto-created tag","extras":{"src":"x"}}]})");
    ASSERT_TRUE(s10) << s10.error().to_string();
    auto tax2 = ts_->load_taxonomy(2);
    ASSERT_EQ(tax2->tags.size(), 1U);
    EXPECT_EQ(tax2->tags[0].id, 5);
    EXPECT_EQ(tax2->tags[0].extras, json({{"src", "x"}}));
    // 13: an empty list ends everything of that taxonomy; 15: then the same time is not stale
    const std::string empty = R"({"version":"1","tag_type":"domain","tagged_id":4,"taxonomy":2,
        "producer":"p2","measured_at":"2020-12-25T08:00:00","tags":[]})";
    auto s13 = apply_json(empty);
    ASSERT_TRUE(s13) << s13.error().to_string();
    EXPECT_EQ(s13->ended, 1U);
    auto s15 = apply_json(empty);
    ASSERT_TRUE(s15) << s15.error().to_string();
    EXPECT_FALSE(s15->stale);
    rows = rows_of(4);
    ASSERT_EQ(rows.size(), 1U);
    EXPECT_EQ(format_time(*rows[0].end), "2020-12-25T08:00:00+00:00");
    // unknown tag type, unknown entity
    EXPECT_FALSE(apply_json(R"({"version":"1","tag_type":"phantasy_tag_type","tagged_id":4,
        "taxonomy":2,"producer":"p2","measured_at":"2020-12-26T08:00:00","tags":[]})"));
    EXPECT_FALSE(apply_json(R"({"version":"1","tag_type":"domain","tagged_id":99,
        "taxonomy":2,"producer":"p2","measured_at":"2020-12-26T08:00:00","tags":[]})"));
}

TEST_P(TagsTest, NullProducerRowsAreTakenOver) {
    DG_SHARED_OR_SKIP(path, "tag2domain/fixtures/fixtures_as_tables.json");
    load_fixture("basic");
    // test2.at's row (tag 1, value 1) has producer NULL in every tag type
    auto r = apply_json(R"({"version":"1","tag_type":"domain","tagged_id":2,"taxonomy":1,
        "producer":"newcomer","measured_at":"2021-01-01T00:00:00",
        "tags":[{"tag":1,"value":1}]})");
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->prolonged, 1U);
    for (const auto& row : rows_of(2)) {
        if (row.tag_type == "domain") {
            EXPECT_EQ(*row.producer, "newcomer");
        } else {
            EXPECT_FALSE(row.producer);
        }
    }
}

// Issue 19 items 8 and 9: on PostgreSQL a measurement for "test1.at\u0000.attacker" ended
// test1.at's tags (libpq cut the name at the NUL), and msm2tag stored any string as a domain
// (`<script>`, `..`, 5,000 x 'a', upper case kept) while scans validate names. Both backends now
// refuse NUL and control characters, and names go through the scan's validation.
TEST_P(TagsTest, HostileNamesAreRefusedAndNamesNormalisedAsScansDo) {
    DG_SHARED_OR_SKIP(path, "tag2domain/fixtures/fixtures_as_tables.json");
    load_fixture("basic");
    const auto before = rows_of(1); // test1.at
    ASSERT_FALSE(before.empty());
    const auto measurement = [](const std::string& domain_json, const std::string& producer) {
        return R"({"version":"1","tag_type":"domain","domain":)" + domain_json +
               R"(,"taxonomy":1,"producer":")" + producer +
               R"(","measured_at":"2031-01-01T00:00:00","tags":[{"tag":1,"value":1}]})";
    };
    for (const std::string& hostile : std::vector<std::string>{
             R"("test1.at\u0000.attacker")", R"("<script>")", R"("..")",
             "\"" + std::string(5000, 'a') + "\"", R"("xn--abc.test")", R"("a\u001b[31m.at")"}) {
        auto r = apply_json(measurement(hostile, "test_producer1"));
        ASSERT_FALSE(r) << hostile.substr(0, 40);
        EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument) << r.error().to_string();
    }
    EXPECT_EQ(rows_of(1).size(), before.size());
    for (std::size_t i = 0; i < before.size(); ++i) {
        EXPECT_EQ(rows_of(1)[i].end, before[i].end) << i; // nothing ended
    }
    // Upper case and a trailing dot are the same name as a scan stores it.
    auto applied = apply_json(measurement(R"("New.Example.AT.")", "p"));
    ASSERT_TRUE(applied) << applied.error().to_string();
    auto id = ts_->entity_id(EntityKind::Domain, "new.example.at", false);
    ASSERT_TRUE(id) << id.error().to_string();
    EXPECT_EQ(*ts_->entity_id(EntityKind::Domain, "NEW.example.at.", false), *id);
    auto ip = apply_json(R"({"version":"1","ip":"2001:DB8::0001","taxonomy":1,"producer":"p",
        "measured_at":"2031-01-01T00:00:00","tags":[{"tag":1,"value":1}]})");
    if (ip) { // taxonomy 1 may not apply to addresses; the name is canonical either way
        EXPECT_TRUE(ts_->entity_id(EntityKind::Ip, "2001:db8::1", false));
    }
    // Text fields other than names: NUL and control characters refused, as on both backends.
    auto nul_producer = apply_json(measurement(R"("test1.at")", R"(test\u0000x)"));
    ASSERT_FALSE(nul_producer);
    EXPECT_EQ(nul_producer.error().code, ErrorCode::InvalidArgument);
    auto nul_lookup = ts_->entity_id(EntityKind::Domain, std::string("test1.at\0.x", 11), false);
    ASSERT_FALSE(nul_lookup);
    EXPECT_EQ(nul_lookup.error().code, ErrorCode::InvalidArgument);

    // Over the API: 422 for the body and for query parameters.
    const auto body = measurement(R"("test1.at\u0000.attacker")", "test_producer1");
    EXPECT_EQ(tag2domain_api(*ts_, "POST", "/api/v1/msm2tag/", {}, body).status, 422);
    EXPECT_EQ(tag2domain_api(*ts_, "GET", "/api/v1/bydomain/test1.at",
                             {{"at_time", std::string("2020\0x", 6)}})
                  .status,
              422);
    EXPECT_EQ(rows_of(1).size(), before.size());
}

/// Colours and flavours of upstream's demo, with its example measurements.
TEST_P(TagsTest, UpstreamExampleMeasurements) {
    DG_SHARED_OR_SKIP(dir, "tag2domain/measurements/measurement_flavor_salty_strongly.json");
    TaxonomyDef colors;
    colors.taxonomy.name = "colors";
    for (const char* n : {"rgb::red", "rgb::green", "cmyk::cyan"}) {
        colors.tags.push_back(tag_named(n));
    }
    TaxonomyDef flavors;
    flavors.taxonomy.name = "flavors";
    flavors.tags.push_back(tag_named("salty"));
    flavors.tags[0].values = {value_named("lightly"), value_named("strongly")};
    ASSERT_TRUE(ts_->import_taxonomy(colors));
    ASSERT_TRUE(ts_->import_taxonomy(flavors));
    ASSERT_TRUE(ts_->put_entity(EntityKind::Domain, "domain_test3.at", 3));
    const std::string base = dir.substr(0, dir.rfind('/') + 1);
    auto load = [&](const char* file, const char* when) {
        std::string text = test::read_file(base + file);
        text.replace(text.find("{MEASURED_AT}"), 13, when);
        return apply_json(text);
    };
    auto red = load("measurement_color_rgb_red.json", "2020-12-01T00:00:00");
    ASSERT_TRUE(red) << red.error().to_string();
    EXPECT_EQ(red->inserted, 1U);
    auto salty = load("measurement_flavor_salty_strongly.json", "2020-12-01T00:00:00");
    ASSERT_TRUE(salty) << salty.error().to_string();
    EXPECT_EQ(salty->inserted, 1U);
    auto stale = load("measurement_flavor_salty_strongly.json", "2020-11-30T00:00:00");
    ASSERT_TRUE(stale);
    EXPECT_TRUE(stale->stale);
    auto none = load("measurement_flavor_empty.json", "2020-12-02T00:00:00");
    ASSERT_TRUE(none);
    EXPECT_EQ(none->ended, 1U);
    auto rows = rows_of(3);
    ASSERT_EQ(rows.size(), 2U);
    EXPECT_FALSE(rows[0].end); // rgb::red stays: colours were not measured again
    EXPECT_EQ(format_time(*rows[1].end), "2020-12-02T00:00:00+00:00");
}

TEST_P(TagsTest, ExclusivityAndOtherBucket) {
    TaxonomyDef t;
    t.taxonomy.name = "tlp-like";
    t.taxonomy.exclusive = true;
    t.tags = {tag_named("red"), tag_named("green")};
    auto id = ts_->import_taxonomy(t);
    ASSERT_TRUE(id);
    const std::string head = R"({"version":"1","domain":"example.at","taxonomy":"tlp-like",
        "producer":"p",)";
    EXPECT_FALSE(apply_json(head + R"("measured_at":"2021-01-01T00:00:00",
        "tags":[{"tag":"red"},{"tag":"green"}]})"));
    EXPECT_FALSE(apply_json(head + R"("measured_at":"2021-01-01T00:00:00",
        "tags":[{"tag":"amber"}]})"));
    ASSERT_TRUE(ts_->ensure_other_tag(*id));
    ASSERT_TRUE(ts_->ensure_other_tag(*id)); // idempotent
    auto r = apply_json(head + R"("measured_at":"2021-01-01T00:00:00","tags":[{"tag":"amber"}]})");
    ASSERT_TRUE(r) << r.error().to_string();
    auto entity = ts_->entity_id(EntityKind::Domain, "example.at", false);
    ASSERT_TRUE(entity);
    const auto rows = rows_of(*entity);
    ASSERT_EQ(rows.size(), 1U);
    auto def = ts_->load_taxonomy(*id);
    EXPECT_EQ(def->tags.back().name, "OTHER");
    EXPECT_EQ(rows[0].tag_id, def->tags.back().id);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, TagsTest, ::testing::Values(Backend::Sqlite));
INSTANTIATE_TEST_SUITE_P(Postgres, TagsTest, ::testing::Values(Backend::Postgres));

} // namespace
} // namespace dg::tags
