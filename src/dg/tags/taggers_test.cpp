// Taggers and infrastructure statistics over scans written through the Store API; the same suite
// runs on SQLite and on a real PostgreSQL server (as tags_test).
#include "dg/store/store.hpp"
#include "dg/tags/infra_stats.hpp"
#include "dg/tags/taggers.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/support/support.hpp"

#include <gtest/gtest.h>
#include <map>

namespace dg::tags {
namespace {

using nlohmann::json;

enum class Backend { Sqlite, Postgres };

model::IpMapping mapping(const char* ip, std::uint32_t asn, const char* org) {
    model::IpMapping m;
    m.ip = *IpAddress::parse(ip);
    if (asn != 0) {
        m.asn = Asn(asn);
    }
    if (org != nullptr) {
        m.org = org;
    }
    return m;
}

model::DomainResult result(const char* domain, std::vector<model::IpMapping> a,
                           std::vector<std::pair<const char*, model::IpMapping>> ns) {
    model::DomainResult r;
    r.domain = domain;
    r.status = "NOERROR";
    r.a = std::move(a);
    for (auto& [host, ip] : ns) {
        model::NsRecord rec;
        rec.host = host;
        rec.ips.push_back(ip);
        r.ns.push_back(std::move(rec));
    }
    return r;
}

TEST(Taggers, RegistrableDomainLiteRule) {
    EXPECT_EQ(registrable_domain("ns1.cloudflare.com"), "cloudflare.com");
    EXPECT_EQ(registrable_domain("NS1.Cloudflare.COM."), "cloudflare.com");
    EXPECT_EQ(registrable_domain("a.ns.example.co.uk"), "example.co.uk");
    EXPECT_EQ(registrable_domain("dns1.nic.co.at"), "nic.co.at");
    EXPECT_EQ(registrable_domain("ns.co.example.com"), "example.com");
    EXPECT_EQ(registrable_domain("example.com"), "example.com");
    EXPECT_EQ(registrable_domain("localhost"), "localhost");
    EXPECT_EQ(registrable_domain(""), "");
}

TEST(Taggers, WordSplittingPrefersCoverageThenFewerWords) {
    auto d = parse_dictionary("# words\nbest\ncoffee\nshop\nshops\nhop\nbe\nbestcoffee\n", 3);
    ASSERT_TRUE(d) << d.error().to_string();
    EXPECT_EQ(d->words.count("be"), 0U); // shorter than 3
    EXPECT_EQ(split_words("bestcoffeeshop", *d), (std::vector<std::string>{"bestcoffee", "shop"}));
    EXPECT_EQ(split_words("xxshopsyy", *d), (std::vector<std::string>{"shops"}));
    EXPECT_TRUE(split_words("zzz", *d).empty());
    EXPECT_TRUE(split_words("", *d).empty());
    EXPECT_FALSE(parse_dictionary("good\nnot a word\n", 3));
}

TEST(Taggers, RegexSpecsAndUnknownNames) {
    auto s = parse_regex_spec("shop=sh(o|a)p");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->first, "shop");
    EXPECT_EQ(s->second, "sh(o|a)p");
    EXPECT_FALSE(parse_regex_spec("noequals"));
    EXPECT_FALSE(parse_regex_spec("=x"));
    auto f = parse_regex_file("# c\n\nbank=bank\ncasino = casino|bet\n");
    ASSERT_TRUE(f) << f.error().to_string();
    ASSERT_EQ(f->size(), 2U);
    EXPECT_EQ((*f)[1].first, "casino");
    EXPECT_FALSE(parse_regex_file("ok=x\nbad\n"));
    TaggerOptions o;
    EXPECT_FALSE(make_tagger("nope", o));
    EXPECT_FALSE(make_tagger("regex", o));
    EXPECT_FALSE(make_tagger("words", o));
    o.regexes = {{"bad", "(unclosed"}};
    EXPECT_FALSE(make_tagger("regex", o));
    for (const auto& name : {"asn", "org", "ns-provider", "risk"}) {
        EXPECT_TRUE(make_tagger(name, o)) << name;
    }
}

TEST(Taggers, TagsOfOneResult) {
    const auto r = result("bestcoffeeshop.co.at",
                          {mapping("192.0.2.1", 64500, "Org A"), mapping("192.0.2.9", 0, nullptr)},
                          {{"ns1.cloudflare.com", mapping("198.51.100.1", 13335, "Cloudflare")},
                           {"ns2.cloudflare.com", mapping("198.51.100.2", 13335, "Cloudflare")}});
    auto names = [&](const char* tagger, const TaggerOptions& o) {
        auto t = make_tagger(tagger, o);
        EXPECT_TRUE(t);
        std::vector<std::string> out;
        for (const auto& mt : t->tags_of(r)) {
            out.push_back(std::get<std::string>(mt.tag) +
                          (mt.value ? "=" + std::get<std::string>(*mt.value) : ""));
        }
        return out;
    };
    TaggerOptions o;
    EXPECT_EQ(names("asn", o), (std::vector<std::string>{"AS64500", "unrouted"}));
    EXPECT_EQ(names("org", o), (std::vector<std::string>{"Org A"}));
    EXPECT_EQ(names("ns-provider", o), (std::vector<std::string>{"cloudflare.com"}));
    EXPECT_EQ(names("risk", o), (std::vector<std::string>{"single-ns-asn", "single-address-asn"}));
    o.regexes = {{"shop", "shop"}, {"bank", "bank"}};
    EXPECT_EQ(names("regex", o), (std::vector<std::string>{"shop"}));
    o.dictionary = std::make_shared<Dictionary>(*parse_dictionary("best\ncoffee\nshop\n", 3));
    EXPECT_EQ(names("words", o),
              (std::vector<std::string>{"contains-word=best", "contains-word=coffee",
                                        "contains-word=shop", "fully-split"}));
}

class TaggersTest : public ::testing::TestWithParam<Backend> {
protected:
    void SetUp() override {
        if (GetParam() == Backend::Sqlite) {
            url_ = "sqlite://" + tmp_.file("taggers.db");
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

    std::int64_t scan(model::UnixTime at, const std::vector<model::DomainResult>& results) {
        store::NewScan ns;
        ns.started_at = at;
        auto s = store_->create_scan(ns);
        EXPECT_TRUE(s) << s.error().to_string();
        auto w = store_->write_results(s->id, results);
        EXPECT_TRUE(w) << w.error().to_string();
        return s->id;
    }

    TaggerReport run(const char* name, std::int64_t scan_id, const TaggerOptions& o = {}) {
        auto t = make_tagger(name, o);
        EXPECT_TRUE(t) << t.error().to_string();
        auto r = run_tagger(*ts_, *store_, *t, scan_id);
        EXPECT_TRUE(r) << r.error().to_string();
        return r ? *r : TaggerReport{};
    }

    /// "tag[=value] start..end" rows of a domain in a taxonomy.
    std::vector<std::string> rows(const char* domain, const char* taxonomy) {
        auto tax = ts_->find_taxonomy(taxonomy);
        EXPECT_TRUE(tax && *tax);
        auto def = ts_->load_taxonomy((*tax)->id);
        std::map<std::int64_t, std::string> names;
        std::map<std::int64_t, std::string> values;
        for (const auto& t : def->tags) {
            names[t.id] = t.name;
            for (const auto& v : t.values) {
                values[v.id] = v.value;
            }
        }
        auto entity = ts_->entity_id(EntityKind::Domain, domain, false);
        EXPECT_TRUE(entity);
        std::vector<std::string> out;
        auto all = ts_->mappings_of(*entity);
        EXPECT_TRUE(all);
        for (const auto& m : *all) {
            if (m.taxonomy_id != (*tax)->id) {
                continue;
            }
            out.push_back(names[m.tag_id] + (m.value_id ? "=" + values[*m.value_id] : "") + " " +
                          std::to_string(m.start / 1000000) + ".." +
                          (m.end ? std::to_string(*m.end / 1000000) : "open") + " " +
                          m.producer.value_or("-"));
        }
        return out;
    }

    test::TempDir tmp_;
    std::string url_;
    std::unique_ptr<store::Store> store_;
    std::optional<TagStore> ts_;
};

TEST_P(TaggersTest, AsnMoveEndsTheOldTagAndOpensANewOne) {
    const auto s1 = scan(1000, {result("example.at", {mapping("192.0.2.1", 64500, "Org A")}, {}),
                                result("stay.at", {mapping("192.0.2.2", 64500, "Org A")}, {})});
    const auto s2 = scan(2000, {result("example.at", {mapping("203.0.113.1", 64501, "Org B")}, {}),
                                result("stay.at", {mapping("192.0.2.2", 64500, "Org A")}, {})});
    auto r1 = run("asn", s1);
    EXPECT_TRUE(r1.taxonomy_created);
    EXPECT_EQ(r1.domains, 2U);
    EXPECT_EQ(r1.applied, 2U);
    EXPECT_EQ(r1.inserted, 2U);
    EXPECT_EQ(rows("example.at", "domaingraph-asn"),
              (std::vector<std::string>{"AS64500 1000..open domaingraph:asn"}));
    auto r2 = run("asn", s2);
    EXPECT_FALSE(r2.taxonomy_created);
    EXPECT_EQ(r2.inserted, 1U);
    EXPECT_EQ(r2.prolonged, 1U);
    EXPECT_EQ(r2.ended, 1U);
    EXPECT_EQ(rows("example.at", "domaingraph-asn"),
              (std::vector<std::string>{"AS64500 1000..2000 domaingraph:asn",
                                        "AS64501 2000..open domaingraph:asn"}));
    EXPECT_EQ(rows("stay.at", "domaingraph-asn"),
              (std::vector<std::string>{"AS64500 1000..open domaingraph:asn"}));
    // re-running a scan already applied changes nothing
    auto again = run("asn", s2);
    EXPECT_EQ(again.stale, 2U);
    EXPECT_EQ(again.applied, 0U);
    // an older scan after a newer one is stale too
    EXPECT_EQ(run("asn", s1).stale, 2U);
}

TEST_P(TaggersTest, RiskNsProviderWordsAndRegexTaxonomies) {
    const auto cf1 = mapping("198.51.100.1", 13335, "Cloudflare");
    const auto cf2 = mapping("198.51.100.2", 13335, "Cloudflare");
    const auto s1 =
        scan(1000, {result("bestshop.at", {mapping("192.0.2.1", 64500, "Org A")},
                           {{"ns1.cloudflare.com", cf1}, {"ns2.cloudflare.com", cf2}})});
    const auto s2 = scan(2000, {result("bestshop.at", {mapping("192.0.2.1", 64500, "Org A")},
                                       {{"ns1.cloudflare.com", cf1},
                                        {"ns.other.net", mapping("203.0.113.5", 64999, "X")}})});
    run("risk", s1);
    run("ns-provider", s1);
    EXPECT_EQ(rows("bestshop.at", "domaingraph-risk"),
              (std::vector<std::string>{"single-ns-asn 1000..open domaingraph:risk",
                                        "single-address-asn 1000..open domaingraph:risk"}));
    run("risk", s2);
    run("ns-provider", s2);
    EXPECT_EQ(rows("bestshop.at", "domaingraph-risk"),
              (std::vector<std::string>{"single-ns-asn 1000..2000 domaingraph:risk",
                                        "single-address-asn 1000..open domaingraph:risk"}));
    EXPECT_EQ(rows("bestshop.at", "domaingraph-ns-provider"),
              (std::vector<std::string>{"cloudflare.com 1000..open domaingraph:ns-provider",
                                        "other.net 2000..open domaingraph:ns-provider"}));
    TaggerOptions o;
    o.dictionary = std::make_shared<Dictionary>(*parse_dictionary("best\nshop\n", 3));
    run("words", s1, o);
    EXPECT_EQ(rows("bestshop.at", "domaingraph-words"),
              (std::vector<std::string>{"contains-word=best 1000..open domaingraph:words",
                                        "contains-word=shop 1000..open domaingraph:words",
                                        "fully-split 1000..open domaingraph:words"}));
    o.regexes = {{"shop", "shop"}};
    o.taxonomy = "shops";
    auto r = run("regex", s1, o);
    EXPECT_EQ(r.taxonomy, "shops");
    EXPECT_EQ(rows("bestshop.at", "shops"),
              (std::vector<std::string>{"shop 1000..open domaingraph:regex"}));
}

TEST_P(TaggersTest, OtherProducersRowsAreNotTouched) {
    const auto s1 = scan(1000, {result("example.at", {mapping("192.0.2.1", 64500, nullptr)}, {})});
    TaggerOptions o;
    o.regexes = {{"ex", "^ex"}};
    auto t = make_tagger("regex", o);
    ASSERT_TRUE(t);
    t->name = "someone-else"; // another producer opened the row first
    ASSERT_TRUE(run_tagger(*ts_, *store_, *t, s1));
    const auto s2 = scan(2000, {result("example.at", {}, {})});
    auto r = run("regex", s2, o);
    EXPECT_EQ(r.invalid, 1U);
    EXPECT_NE(r.first_invalid.find("example.at"), std::string::npos);
}

TEST_P(TaggersTest, InfrastructureStatsPerTag) {
    const auto s1 = scan(
        1000,
        {result("shop1.at", {mapping("192.0.2.1", 64500, "Org A")}, {}),
         result("shop2.at",
                {mapping("192.0.2.2", 64500, "Org A"), mapping("203.0.113.1", 64501, "")}, {}),
         result("shop3.at", {}, {}), result("bank.at", {mapping("192.0.2.3", 64502, "C")}, {})});
    TaggerOptions o;
    o.regexes = {{"shop", "shop"}, {"bank", "bank"}};
    run("regex", s1, o);
    auto s = infrastructure_stats(*ts_, *store_, "domaingraph-regex", s1);
    ASSERT_TRUE(s) << s.error().to_string();
    const json j = to_json(*s);
    ASSERT_EQ(j["tags"].size(), 2U);
    const json& shop = j["tags"][0];
    EXPECT_EQ(shop["tag_name"], "shop");
    EXPECT_EQ(shop["tagged_domains"], 3);
    EXPECT_EQ(shop["domains_in_scan"], 3);
    EXPECT_EQ(shop["domains_routed"], 2);
    ASSERT_EQ(shop["asns"].size(), 2U);
    EXPECT_EQ(shop["asns"][0]["asn"], 64500);
    EXPECT_EQ(shop["asns"][0]["org"], "Org A");
    EXPECT_EQ(shop["asns"][0]["domains"], 2);
    EXPECT_DOUBLE_EQ(shop["asns"][0]["share"].get<double>(), 100.0);
    EXPECT_EQ(shop["asns"][1]["asn"], 64501);
    EXPECT_DOUBLE_EQ(shop["asns"][1]["share"].get<double>(), 50.0);
    EXPECT_EQ(shop["orgs"][0]["org"], "Org A");
    EXPECT_TRUE(shop["orgs"][1]["org"].is_null());
    EXPECT_EQ(j["tags"][1]["tag_name"], "bank");
    EXPECT_EQ(j["at_time"], "1970-01-01T00:16:40+00:00");
    // before any tag existed: nothing
    auto early = infrastructure_stats(*ts_, *store_, "domaingraph-regex", s1, Micros{999000000});
    ASSERT_TRUE(early);
    EXPECT_TRUE(early->tags.empty());

    // the API answer
    auto api = infrastructure_stats_api(
        *ts_, *store_, {{"taxonomy", "domaingraph-regex"}, {"scan", std::to_string(s1)}});
    EXPECT_EQ(api.status, 200);
    EXPECT_EQ(api.body, j);
    EXPECT_EQ(infrastructure_stats_api(*ts_, *store_, {{"scan", "1"}}).status, 422);
    EXPECT_EQ(infrastructure_stats_api(*ts_, *store_, {{"taxonomy", "x"}, {"scan", "z"}}).status,
              422);
    EXPECT_EQ(infrastructure_stats_api(*ts_, *store_, {{"taxonomy", "nope"}, {"scan", "1"}}).status,
              404);
    EXPECT_EQ(infrastructure_stats_api(*ts_, *store_,
                                       {{"taxonomy", "domaingraph-regex"}, {"scan", "999"}})
                  .status,
              404);
    EXPECT_EQ(infrastructure_stats_api(*ts_, *store_,
                                       {{"taxonomy", "domaingraph-regex"},
                                        {"scan", std::to_string(s1)},
                                        {"at_time", "garbage"}})
                  .status,
              422);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, TaggersTest, ::testing::Values(Backend::Sqlite));
INSTANTIATE_TEST_SUITE_P(Postgres, TaggersTest, ::testing::Values(Backend::Postgres));

} // namespace
} // namespace dg::tags
