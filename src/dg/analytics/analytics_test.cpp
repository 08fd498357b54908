// Analytics formulas on hand-computed cases (the seed tool's reference scan, ties, one AS, empty
// scans), the streaming builders, and the commands on a real SQLite store.

#include "dg/analytics/analytics.hpp"
#include "dg/analytics/formulas.hpp"
#include "dg/analytics/report_json.hpp"
#include "dg/store/store.hpp"
#include "tests/support/support.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace dg::analytics {
namespace {

using model::DomainResult;
using model::IpMapping;
using Counts = std::vector<std::uint64_t>;

// The seed reference's lab scan 1 (§6): 10 ASes, 112 mappings.
const Counts kSeedLab = {22, 16, 16, 13, 12, 12, 11, 6, 2, 2};

double round_to(double v, int places) {
    const double f = std::pow(10.0, places);
    return std::round(v * f) / f;
}

// The AS- and organisation-level comparison of two scans: providers gained and lost are listed
// whatever their size, moves only from the threshold on, the largest first.
TEST(ProviderShifts, GainedLostAndMovedBeyondTheThreshold) {
    ScanStats a;
    a.domains = 100;
    a.asns = {{64500, "Big", 0, 0, 60, 0, {}},
              {64501, "Small", 0, 0, 10, 0, {}},
              {64502, "Gone", 0, 0, 5, 0, {}},
              {64503, "", 0, 0, 20, 0, {}}};
    a.orgs = {{"Big", {64500}, 0, 60, 0}, {"Gone", {64502}, 0, 5, 0}};
    ScanStats b;
    b.domains = 200;
    b.asns = {{64500, "Big", 0, 0, 100, 0, {}},
              {64501, "Small", 0, 0, 21, 0, {}},
              {64503, "", 0, 0, 40, 0, {}},
              {64510, "New", 0, 0, 2, 0, {}}};
    b.orgs = {{"Big", {64500}, 0, 100, 0}, {"New", {64510}, 0, 2, 0}};
    const ProviderShifts s = compare_providers(a, b, 1.0);
    // 64500: 60 % -> 50 % (-10); 64502 lost (-5); 64510 gained (+1); 64501: 10 -> 10.5 (+0.5,
    // under the threshold); 64503: 20 -> 20 (unchanged)
    ASSERT_EQ(s.asns.size(), 3U);
    EXPECT_EQ(s.asns[0].asn, 64500U);
    EXPECT_EQ(s.asns[0].change, "down");
    EXPECT_DOUBLE_EQ(s.asns[0].delta(), -10.0);
    EXPECT_EQ(s.asns[1].asn, 64502U);
    EXPECT_EQ(s.asns[1].change, "lost");
    EXPECT_EQ(s.asns[2].asn, 64510U);
    EXPECT_EQ(s.asns[2].change, "gained");
    EXPECT_EQ(s.asns[2].name, "New");
    ASSERT_EQ(s.orgs.size(), 3U);
    const auto j = to_json(s);
    EXPECT_EQ(j["asns"][0]["delta_pp"], -10.0);
    EXPECT_EQ(j["asns"][0]["share_a"], 60.0);
    EXPECT_NE(provider_text(s).find("AS64510 (New)"), std::string::npos) << provider_text(s);
    EXPECT_NE(provider_text(compare_providers(a, a, 1.0)).find("no AS"), std::string::npos);
}

TEST(Formulas, SeedReferenceScan) {
    EXPECT_DOUBLE_EQ(round_to(shannon_entropy(kSeedLab), 3), 3.077);
    EXPECT_DOUBLE_EQ(round_to(diversity_score(kSeedLab), 2), 92.62);
    EXPECT_DOUBLE_EQ(round_to(gini(kSeedLab), 3), 0.298);
    EXPECT_DOUBLE_EQ(round_to(concentration_ratio(kSeedLab), 2), 19.64); // k = 1: 22 / 112
    EXPECT_EQ(diversity_level(diversity_score(kSeedLab)), "high");
    EXPECT_EQ(concentration_level(gini(kSeedLab)), "low");
}

TEST(Formulas, HandComputedSmallCases) {
    // Two equal ASes: H = 1 bit, normalised 1, Gini 0.
    EXPECT_DOUBLE_EQ(shannon_entropy(Counts{5, 5}), 1.0);
    EXPECT_DOUBLE_EQ(diversity_score(Counts{5, 5}), 100.0);
    EXPECT_DOUBLE_EQ(gini(Counts{5, 5}), 0.0);
    // {3, 1}: p = .75/.25, H = 0.811278..., Gini = 2(1*1 + 2*3)/(2*4) - 3/2 = 0.25.
    EXPECT_NEAR(shannon_entropy(Counts{3, 1}), 0.8112781245, 1e-9);
    EXPECT_DOUBLE_EQ(gini(Counts{3, 1}), 0.25);
    EXPECT_DOUBLE_EQ(gini(Counts{1, 3}), 0.25); // order does not matter
    // {1, 1, 2}: H = 1.5, log2(3) = 1.58496..., score 94.64; Gini = 2(1+2+6)/(3*4) - 4/3 = 1/6.
    EXPECT_DOUBLE_EQ(shannon_entropy(Counts{1, 1, 2}), 1.5);
    EXPECT_NEAR(diversity_score(Counts{1, 1, 2}), 94.6395, 1e-4);
    EXPECT_NEAR(gini(Counts{1, 1, 2}), 1.0 / 6.0, 1e-12);
    // {1, 0, 0, 9}? zeros do not count as ASes for entropy; Gini sees them (4 units).
    EXPECT_NEAR(shannon_entropy(Counts{9, 1}), 0.4689955936, 1e-9);
}

TEST(Formulas, SingleAsnAndEmpty) {
    EXPECT_EQ(shannon_entropy(Counts{7}), 0.0);
    EXPECT_EQ(diversity_score(Counts{7}), 0.0);
    EXPECT_EQ(gini(Counts{7}), 0.0);
    EXPECT_EQ(concentration_ratio(Counts{7}), 100.0);
    EXPECT_EQ(diversity_level(0.0), "low");
    EXPECT_EQ(shannon_entropy(Counts{}), 0.0);
    EXPECT_EQ(gini(Counts{}), 0.0);
    EXPECT_EQ(concentration_ratio(Counts{}), 0.0);
}

TEST(Formulas, ConcentrationOverAllAsesAndTies) {
    EXPECT_EQ(concentration_k(9), 1u);
    EXPECT_EQ(concentration_k(10), 1u);
    EXPECT_EQ(concentration_k(25), 2u);
    EXPECT_EQ(concentration_k(450), 45u); // the seed capped this at 20
    // 25 ASes: 2 x 10 + 23 x 1 = 43; top 2 = 20 -> 46.51 %.
    Counts c(25, 1);
    c[3] = 10;
    c[17] = 10;
    EXPECT_NEAR(concentration_ratio(c), 100.0 * 20 / 43, 1e-12);
    // ties: which of the equal counts is "top" does not change the ratio
    EXPECT_DOUBLE_EQ(concentration_ratio(Counts{4, 4, 4, 4}), 25.0);
}

TEST(Formulas, LevelBoundaries) {
    EXPECT_EQ(diversity_level(70.0), "medium");
    EXPECT_EQ(diversity_level(70.01), "high");
    EXPECT_EQ(diversity_level(40.0), "medium");
    EXPECT_EQ(diversity_level(39.99), "low");
    EXPECT_EQ(concentration_level(0.6), "medium");
    EXPECT_EQ(concentration_level(0.61), "high");
    EXPECT_EQ(concentration_level(0.3), "low");
}

IpMapping map(const std::string& ip, const std::string& prefix, std::uint32_t asn,
              std::optional<std::string> org = {}) {
    IpMapping m;
    m.ip = *IpAddress::parse(ip);
    m.prefix = *Prefix::parse(prefix);
    m.asn = Asn(asn);
    m.origins = {Asn(asn)};
    m.org = std::move(org);
    return m;
}

IpMapping bare(const std::string& ip) {
    IpMapping m;
    m.ip = *IpAddress::parse(ip);
    return m;
}

// Three domains:
//  a: A 10.0.0.1 (AS1, OrgX), A 10.0.0.2 (AS1); NS ns1 -> 10.9.0.1 (AS9), ns2 -> 10.9.0.1
//  b: A 10.0.0.1 (AS1); AAAA unrouted; NS ns1 -> 10.9.0.1 (AS9), ns3 -> 10.8.0.1 (AS9)
//  c: A 10.2.0.1 (AS2, OrgX); NS ns4 -> 10.7.0.1 (AS7), ns5 -> 10.9.0.1 (AS9); MX -> 10.2.0.1
std::vector<DomainResult> three_domains() {
    DomainResult a;
    a.domain = "a.test";
    a.status = "NOERROR";
    a.a = {map("10.0.0.1", "10.0.0.0/24", 1, "OrgX"), map("10.0.0.2", "10.0.0.0/24", 1)};
    a.ns = {{"ns1.test", {}, {map("10.9.0.1", "10.9.0.0/24", 9)}},
            {"ns2.test", {}, {map("10.9.0.1", "10.9.0.0/24", 9)}}};
    DomainResult b;
    b.domain = "b.test";
    b.status = "NOERROR";
    b.a = {map("10.0.0.1", "10.0.0.0/24", 1, "OrgX")};
    b.aaaa = {bare("2001:db8::1")};
    b.ns = {{"ns1.test", {}, {map("10.9.0.1", "10.9.0.0/24", 9)}},
            {"ns3.test", {}, {map("10.8.0.1", "10.8.0.0/24", 9)}}};
    DomainResult c;
    c.domain = "c.test";
    c.status = "NOERROR";
    c.a = {map("10.2.0.1", "10.2.0.0/24", 2, "OrgX")};
    c.ns = {{"ns4.test", {}, {map("10.7.0.1", "10.7.0.0/24", 7)}},
            {"ns5.test", {}, {map("10.9.0.1", "10.9.0.0/24", 9)}}};
    c.mx = {{10, "mx.test", {}, {map("10.2.0.1", "10.2.0.0/24", 2, "OrgX")}}};
    return {a, b, c};
}

/// Issue 12 item 19: coverage of the enrichment sources, and a warning for each source that
/// matched nothing.
TEST(Coverage, RoutedAndWithOrganisationOfEveryMapping) {
    Coverage c;
    for (const auto& r : three_domains()) {
        c.add(r);
    }
    EXPECT_EQ(c.mappings, 12U); // 4 + 4 + 4: A, AAAA, NS and MX addresses
    EXPECT_EQ(c.routed, 11U);   // b's AAAA is unrouted
    EXPECT_EQ(c.with_org, 4U);
    EXPECT_EQ(c.text(true), "coverage: 12 addresses, 91.7 % routed, 36.4 % of those with an "
                            "organisation");
    EXPECT_EQ(c.text(false), "coverage: 12 addresses, 91.7 % routed");
    EXPECT_TRUE(c.warnings(true).empty());
    StatsBuilder b;
    for (const auto& r : three_domains()) {
        b.add(r);
    }
    EXPECT_EQ(b.finish().coverage.routed, 11U);
    EXPECT_EQ(to_json(b.finish())["coverage"]["with_org_pct"], 36.36);

    Coverage none; // a table that routes nothing (e.g. of another address family or era)
    DomainResult r;
    r.a = {bare("192.0.2.1"), bare("192.0.2.2")};
    none.add(r);
    ASSERT_EQ(none.warnings(false).size(), 1U);
    EXPECT_NE(none.warnings(false)[0].find("the routing table routed none of the 2 addresses"),
              std::string::npos);
    Coverage no_org; // an as2org file that names none of the ASes
    r.a = {map("10.0.0.1", "10.0.0.0/24", 1)};
    no_org.add(r);
    EXPECT_TRUE(no_org.warnings(false).empty()); // no as2org data given: nothing to warn about
    ASSERT_EQ(no_org.warnings(true).size(), 1U);
    EXPECT_NE(no_org.warnings(true)[0].find("the as2org data named the organisation of none of "
                                            "the 1 routed"),
              std::string::npos);
    EXPECT_EQ(Coverage{}.text(true), "coverage: no addresses to map");
}

TEST(Stats, HandComputedThreeDomains) {
    StatsBuilder b;
    for (const auto& r : three_domains()) {
        b.add(r);
    }
    const ScanStats s = b.finish();
    // routed mappings: a: 2 A + 2 NS; b: 1 A + 2 NS; c: 1 A + 2 NS + 1 MX = 11; unrouted 1
    EXPECT_EQ(s.domains, 3u);
    EXPECT_EQ(s.ip_mappings, 11u);
    EXPECT_EQ(s.unrouted_mappings, 1u);
    EXPECT_EQ(s.unique_ips, 6u); // 10.0.0.1 10.0.0.2 10.9.0.1 10.8.0.1 10.2.0.1 10.7.0.1
    EXPECT_EQ(s.unique_asns, 4u);
    ASSERT_EQ(s.asns.size(), 4u);
    // AS9: 2 + 2 + 1 = 5 mappings, 2 IPs, 3 domains; AS1: 3, 2 IPs, 2 domains; AS2: 2; AS7: 1
    EXPECT_EQ(s.asns[0].asn, 9u);
    EXPECT_EQ(s.asns[0].ip_mappings, 5u);
    EXPECT_EQ(s.asns[0].unique_ips, 2u);
    EXPECT_EQ(s.asns[0].domains, 3u);
    EXPECT_EQ(s.asns[0].by_role[kRoleNs], 5u);
    EXPECT_EQ(s.asns[1].asn, 1u);
    EXPECT_EQ(s.asns[1].ip_mappings, 3u);
    EXPECT_EQ(s.asns[1].domains, 2u);
    EXPECT_EQ(s.asns[1].org, "OrgX");
    EXPECT_EQ(s.asns[2].asn, 2u);
    EXPECT_EQ(s.asns[2].by_role[kRoleMx], 1u);
    EXPECT_EQ(s.asns[3].asn, 7u);
    EXPECT_NEAR(s.asns[0].percentage, 100.0 * 5 / 11, 1e-12);
    EXPECT_DOUBLE_EQ(s.avg_ips_per_asn, 11.0 / 4);
    EXPECT_EQ(s.max_ips_per_asn, 5u);
    EXPECT_EQ(s.min_ips_per_asn, 1u);
    EXPECT_EQ(s.concentration_k, 1u);
    EXPECT_NEAR(s.concentration_ratio, 100.0 * 5 / 11, 1e-12);
    // counts {5,3,2,1}: Gini = 2(1*1+2*2+3*3+4*5)/(4*11) - 5/4 = 68/44 - 1.25 = 0.2954...
    EXPECT_NEAR(s.diversity.gini, 68.0 / 44 - 1.25, 1e-12);
    EXPECT_EQ(s.diversity.units, 4u);
    // organisations: OrgX has the A of a (1), A of b (1), A and MX of c (2) = 4, ASes {1, 2}
    ASSERT_EQ(s.orgs.size(), 1u);
    EXPECT_EQ(s.orgs[0].org, "OrgX");
    EXPECT_EQ(s.orgs[0].asns, (std::vector<std::uint32_t>{1, 2}));
    EXPECT_EQ(s.orgs[0].ip_mappings, 4u);
    EXPECT_EQ(s.orgs[0].domains, 3u);
    // name servers: a has one NS address (SPOF), b two addresses in one AS (SPOF), c two ASes
    ASSERT_EQ(s.single_points_of_failure.size(), 2u);
    EXPECT_EQ(s.single_points_of_failure[0].domain, "a.test");
    EXPECT_EQ(s.single_points_of_failure[0].reason, "single_ns_address");
    EXPECT_EQ(s.single_points_of_failure[0].ip, "10.9.0.1");
    EXPECT_EQ(s.single_points_of_failure[1].domain, "b.test");
    EXPECT_EQ(s.single_points_of_failure[1].reason, "single_ns_asn");
    EXPECT_EQ(s.single_points_of_failure[1].asn, 9u);
    EXPECT_EQ(s.ns_asn_histogram, (std::map<std::uint64_t, std::uint64_t>{{1, 2}, {2, 1}}));
}

// Issue 18: the share of each AS's mappings on RPKI-valid routes; located addresses (--geo).
TEST(Stats, RpkiSharesPerAsAndLocatedAddresses) {
    auto domains = three_domains();
    domains[0].a[0].rpki = "valid";   // AS1
    domains[0].a[1].rpki = "invalid"; // AS1
    domains[1].a[0].rpki = "valid";   // AS1
    domains[0].a[0].geo = model::GeoLocation{"SE", "", std::nullopt, std::nullopt};
    domains[1].aaaa[0].geo = model::GeoLocation{"NL", "", std::nullopt, std::nullopt}; // unrouted
    StatsBuilder b;
    for (const auto& r : domains) {
        b.add(r);
    }
    const ScanStats s = b.finish();
    ASSERT_EQ(s.asns[1].asn, 1U);
    EXPECT_EQ(s.asns[1].rpki_checked, 3U);
    EXPECT_EQ(s.asns[1].rpki_valid, 2U);
    EXPECT_EQ(s.asns[1].rpki_invalid, 1U);
    const auto j = to_json(s);
    EXPECT_EQ(j["top_asns"][1]["rpki"]["valid_pct"], 66.67);
    EXPECT_EQ(j["top_asns"][1]["rpki"]["invalid"], 1);
    EXPECT_FALSE(j["top_asns"][0].contains("rpki")); // AS9: nothing validated
    EXPECT_EQ(s.coverage.located, 2U);
    EXPECT_EQ(j["coverage"]["located_pct"], 16.67); // 2 of 12 addresses
    EXPECT_NE(s.coverage.text(false).find(", 16.7 % located"), std::string::npos);
    Coverage nowhere; // a geo database that knows none of the addresses
    nowhere.add(three_domains()[0]);
    ASSERT_EQ(nowhere.warnings(false, true).size(), 1U);
    EXPECT_NE(nowhere.warnings(false, true)[0].find("the geo database located none"),
              std::string::npos);
    EXPECT_TRUE(nowhere.warnings(false, false).empty());
}

TEST(Stats, EmptyScan) {
    const ScanStats s = StatsBuilder().finish();
    EXPECT_EQ(s.domains, 0u);
    EXPECT_EQ(s.unique_asns, 0u);
    EXPECT_EQ(s.concentration_ratio, 0.0);
    EXPECT_EQ(s.diversity.score, 0.0);
    EXPECT_EQ(s.diversity.level, "low");
    EXPECT_FALSE(s.org_diversity);
}

std::vector<Cluster> clusters(const std::vector<DomainResult>& rs, ClusterBy by,
                              std::uint32_t min_shared) {
    ClusterBuilder b({by, min_shared, 64});
    for (const auto& r : rs) {
        b.add(r);
    }
    return b.finish();
}

TEST(Cluster, ByAsnAndNs) {
    const auto rs = three_domains();
    // by asn: a {AS1}, b {AS1}, c {AS2} -> one cluster {a, b} sharing AS1
    auto c = clusters(rs, ClusterBy::Asn, 1);
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].domains, (std::vector<std::string>{"a.test", "b.test"}));
    EXPECT_EQ(c[0].shared, (std::vector<std::string>{"AS1"}));
    // by ns: a {ns1, ns2}, b {ns1, ns3}, c {ns4, ns5} -> {a, b} sharing ns1
    c = clusters(rs, ClusterBy::Ns, 1);
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].shared, (std::vector<std::string>{"ns1.test"}));
    EXPECT_TRUE(clusters(rs, ClusterBy::Ns, 2).empty());
    EXPECT_TRUE(clusters({}, ClusterBy::Ip, 1).empty());
}

DomainResult with_ips(const std::string& name, const std::vector<std::string>& ips) {
    DomainResult r;
    r.domain = name;
    r.status = "NOERROR";
    for (const auto& ip : ips) {
        r.a.push_back(bare(ip));
    }
    return r;
}

TEST(Cluster, MinSharedIsOrderIndependentAndMergesIdenticalGroups) {
    // w {1,2,3}, x {1,2}, y {2,3}, z {1,2,3}, v {4}
    std::vector<DomainResult> rs = {
        with_ips("w", {"10.0.0.1", "10.0.0.2", "10.0.0.3"}),
        with_ips("x", {"10.0.0.1", "10.0.0.2"}), with_ips("y", {"10.0.0.2", "10.0.0.3"}),
        with_ips("z", {"10.0.0.1", "10.0.0.2", "10.0.0.3"}), with_ips("v", {"10.0.0.4"})};
    // min 2: {1,2} -> w x z; {2,3} -> w y z; {1,3} -> w z
    auto c = clusters(rs, ClusterBy::Ip, 2);
    ASSERT_EQ(c.size(), 3u);
    EXPECT_EQ(c[0].domains, (std::vector<std::string>{"w", "x", "z"}));
    EXPECT_EQ(c[0].shared, (std::vector<std::string>{"10.0.0.1", "10.0.0.2"}));
    EXPECT_EQ(c[1].domains, (std::vector<std::string>{"w", "y", "z"}));
    EXPECT_EQ(c[1].shared, (std::vector<std::string>{"10.0.0.2", "10.0.0.3"}));
    EXPECT_EQ(c[2].domains, (std::vector<std::string>{"w", "z"}));
    EXPECT_EQ(c[2].shared, (std::vector<std::string>{"10.0.0.1", "10.0.0.2", "10.0.0.3"}));
    std::reverse(rs.begin(), rs.end());
    auto reversed = clusters(rs, ClusterBy::Ip, 2);
    ASSERT_EQ(reversed.size(), c.size());
    for (std::size_t i = 0; i < c.size(); ++i) {
        EXPECT_EQ(reversed[i].domains, c[i].domains);
        EXPECT_EQ(reversed[i].shared, c[i].shared);
    }
    // min 1: {1} -> w x z; {2} -> w x y z; {3} -> w y z (v alone: no cluster)
    c = clusters(rs, ClusterBy::Ip, 1);
    ASSERT_EQ(c.size(), 3u);
    EXPECT_EQ(c[0].domains, (std::vector<std::string>{"w", "x", "y", "z"}));
    EXPECT_EQ(c[0].shared, (std::vector<std::string>{"10.0.0.2"}));
}

// --- on a store, through the binary ---

std::string store_with_scans(const test::TempDir& dir) {
    const std::string url = "sqlite:///" + dir.file("a.db");
    auto store = store::Store::open(url);
    EXPECT_TRUE(store);
    auto rs = three_domains();
    for (int i = 0; i < 3; ++i) {
        store::NewScan ns;
        ns.started_at = 1'800'000'000 + i * 86400;
        auto scan = (*store)->create_scan(ns);
        EXPECT_TRUE(scan);
        if (i == 2) { // the third scan moves b to AS2
            rs[1].a = {map("10.2.0.9", "10.2.0.0/24", 2)};
        }
        EXPECT_TRUE((*store)->write_results(scan->id, rs));
        EXPECT_TRUE((*store)->set_scan_status(scan->id, model::ScanStatus::Complete));
    }
    return url;
}

TEST(Trend, AsnShareScanByScan) {
    test::TempDir dir;
    const auto url = store_with_scans(dir);
    auto store = store::Store::open(url);
    ASSERT_TRUE(store);
    TrendRequest req;
    req.asn = 1;
    req.days = 30;
    req.now = 1'800'000'000 + 3 * 86400;
    auto t = trend(**store, req);
    ASSERT_TRUE(t) << t.error().to_string();
    ASSERT_EQ(t->points.size(), 3u);
    EXPECT_EQ(t->points[0].ip_mappings, 3u);
    EXPECT_EQ(t->points[0].domains, 2u);
    EXPECT_EQ(t->points[0].total_domains, 3u);
    EXPECT_EQ(t->points[0].total_ip_mappings, 11u);
    EXPECT_EQ(t->points[2].ip_mappings, 2u);
    EXPECT_EQ(t->points[2].domains, 1u);
    EXPECT_EQ(t->ip_mappings_change, -1);
    EXPECT_NEAR(*t->ip_mappings_change_pct, -100.0 / 3, 1e-9);
    EXPECT_EQ(t->domains_change, -1);
    EXPECT_DOUBLE_EQ(*t->domains_change_pct, -50.0);
    // a 1-day window keeps only the last scan; an AS absent at first has no percentage
    req.days = 1;
    t = trend(**store, req);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->points.size(), 1u);
    req.asn = 2;
    req.days = 30;
    t = trend(**store, req);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->points[0].ip_mappings, 2u);
    EXPECT_EQ(t->points[2].ip_mappings, 3u);
    EXPECT_DOUBLE_EQ(*t->ip_mappings_change_pct, 50.0);
    req.asn = 7777;
    t = trend(**store, req);
    ASSERT_TRUE(t);
    EXPECT_FALSE(t->ip_mappings_change_pct); // 0 -> 0: no percentage (the seed said 0 %)
}

TEST(AnalyticsCli, JsonOutputsOfTheThreeCommands) {
    test::TempDir dir;
    const auto url = store_with_scans(dir);
    auto r = test::run_command({test::dg_binary(), "analytics", "1", "--json", "--db", url});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["scan_id"], 1);
    EXPECT_EQ(j["total_unique_asns"], 4);
    EXPECT_EQ(j["total_ip_mappings"], 11);
    EXPECT_EQ(j["concentration_ratio"], 45.45);
    EXPECT_EQ(j["top_asns"][0]["asn"], 9);
    EXPECT_EQ(j["top_asns"][0]["percentage"], 45.45);
    EXPECT_EQ(j["diversity"]["gini_coefficient"], 0.295);
    EXPECT_EQ(j["single_points_of_failure"]["count"], 2);
    r = test::run_command({test::dg_binary(), "analytics", "--db", url});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("scan 3"), std::string::npos) << r.out;

    r = test::run_command({test::dg_binary(), "cluster", "1", "--by", "ns", "--json", "--db", url});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    j = nlohmann::json::parse(r.out);
    ASSERT_EQ(j["clusters"].size(), 1u);
    EXPECT_EQ(j["clusters"][0]["domains"], nlohmann::json({"a.test", "b.test"}));
    EXPECT_EQ(j["clusters"][0]["shared"], nlohmann::json({"ns1.test"}));

    r = test::run_command(
        {test::dg_binary(), "trends", "AS1", "--days", "100000", "--json", "--db", url});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["asn"], 1);
    EXPECT_EQ(j["trend_data"].size(), 3u);
    EXPECT_EQ(j["changes"]["ip_count_change"], -1);
    EXPECT_EQ(j["changes"]["ip_count_change_pct"], -33.33);

    r = test::run_command({test::dg_binary(), "cluster", "--by", "color", "--db", url});
    EXPECT_EQ(r.exit_code, 2);
    r = test::run_command({test::dg_binary(), "analytics", "42", "--db", url});
    EXPECT_EQ(r.exit_code, 1);
}

} // namespace
} // namespace dg::analytics
