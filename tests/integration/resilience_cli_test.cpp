// `domaingraph resilience paths|fail|sweep`: the contract's JSON shapes on the Fig. 1 example,
// bad input (file:line errors, provider cycles, absent sources), and agreement with the
// independent Python implementation (tests/harness/resilience_check.py) on the 1998 and 2018
// CAIDA graphs, including the complete single-AS and single-link sweep of 1998.
#include "dg/core/ip_address.hpp"
#include "dg/core/prefix.hpp"
#include "dg/store/store.hpp"
#include "tests/support/support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace dg {
namespace {

test::CommandResult dg(std::vector<std::string> args) {
    args.insert(args.begin(), {test::dg_binary(), "resilience"});
    return test::run_command(args);
}

constexpr const char* kFig1 = "1|2|-1\n1|3|-1\n2|4|-1\n2|5|-1\n3|5|-1\n3|6|-1\n2|3|0\n5|6|2\n";

TEST(ResilienceCli, Fig1PathsAndTable2) {
    const test::TempDir dir;
    test::write_file(dir.file("fig1.txt"), kFig1);
    test::write_file(dir.file("domains.tsv"), "a\t1\nb\t3,5\nc\t5\nd\t2\n");
    auto r = dg({"paths", "--rel", dir.file("fig1.txt"), "--sources", "4,6,77", "--domains",
                 dir.file("domains.tsv"), "--json", "--dist-tsv", dir.file("d.tsv")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["graph"]["ases"], 6);
    EXPECT_EQ(j["graph"]["p2c"], 6);
    EXPECT_EQ(j["graph"]["p2p"], 1);
    EXPECT_EQ(j["sources_not_in_graph"], nlohmann::json::array({77}));
    EXPECT_EQ(j["targets_not_in_graph"], 0);
    EXPECT_NE(r.err.find("AS77 is not in the graph"), std::string::npos);
    const auto& per = j["baseline"]["per_source"];
    ASSERT_EQ(per.size(), 2U);
    EXPECT_EQ(per[0]["source"], 4);
    EXPECT_EQ(per[0]["targets"], 4);
    EXPECT_EQ(per[0]["reachable"], 4);
    EXPECT_EQ(per[0]["unreachable_count"], 0);
    EXPECT_DOUBLE_EQ(per[0]["weighted_mean_len"].get<double>(), 1.8);
    EXPECT_DOUBLE_EQ(per[1]["weighted_mean_len"].get<double>(), 1.4);
    EXPECT_DOUBLE_EQ(j["baseline"]["mu_path"].get<double>(), 1.6);
    EXPECT_EQ(per[0]["hist"], nlohmann::json::parse(R"({"1":1,"2":3})"));
    EXPECT_EQ(per[0]["max_len"], 2);
    // "1 2\n2 1\n3 2\n5 2\n"
    EXPECT_EQ(per[0]["dist_sha256"],
              "2622665c382642ab58e4e0b2fa4b827a11ebaf9997f0213c092649c53c28c006");
    EXPECT_EQ(test::read_file(dir.file("d.tsv")).substr(0, 9), "4\t1\t2\n4\t2");

    auto f = dg({"fail", "--rel", dir.file("fig1.txt"), "--sources", "4,6", "--domains",
                 dir.file("domains.tsv"), "--fail-as", "2", "--json"});
    ASSERT_EQ(f.exit_code, 0) << f.err;
    const auto s = nlohmann::json::parse(f.out)["scenario"];
    EXPECT_EQ(s["fail_as"], nlohmann::json::array({2}));
    EXPECT_EQ(s["res"], 1);
    EXPECT_DOUBLE_EQ(s["mu_as"].get<double>(), 3);
    EXPECT_DOUBLE_EQ(s["mu_dom"].get<double>(), 3);
    EXPECT_DOUBLE_EQ(s["mu_path"].get<double>(), 1.25);
    EXPECT_EQ(s["per_source"][0]["newly_unreachable"], nlohmann::json::array({1, 3, 5}));
    EXPECT_EQ(s["per_source"][1]["newly_unreachable"], nlohmann::json::array());

    auto w = dg({"sweep", "--rel", dir.file("fig1.txt"), "--sources", "4", "--sweep-link", "all",
                 "--targets", "all"});
    ASSERT_EQ(w.exit_code, 0) << w.err;
    const auto lines = test::split_lines(w.out);
    ASSERT_EQ(lines.size(), 9U);
    const auto first = nlohmann::json::parse(lines[0]); // link 1-2 (A-B)
    EXPECT_EQ(first["fail_link"], "1-2");
    ASSERT_EQ(first["per_source"].size(), 1U);
    EXPECT_EQ(first["per_source"][0]["newly_unreachable"], nlohmann::json::array({1}));
    EXPECT_TRUE(nlohmann::json::parse(lines.back())["summary"].get<bool>());
}

model::IpMapping ns_ip(const std::string& ip, std::vector<std::uint32_t> origins) {
    model::IpMapping m;
    m.ip = *IpAddress::parse(ip);
    m.prefix = *Prefix::parse(ip + "/32");
    m.asn = Asn(origins.front());
    for (const std::uint32_t o : origins) {
        m.origins.emplace_back(o);
    }
    return m;
}

// Fig. 1's domains from a stored scan: a -> NS in A, b -> NS in C and (MOAS) E, c -> E, d -> B;
// e has no routed name server.
TEST(ResilienceCli, DomainsFromAStoredScan) {
    const test::TempDir dir;
    test::write_file(dir.file("fig1.txt"), kFig1);
    const std::string url = "sqlite:///" + dir.file("s.db");
    {
        auto store = store::Store::open(url);
        ASSERT_TRUE(store);
        auto scan = (*store)->create_scan({});
        ASSERT_TRUE(scan);
        std::vector<model::DomainResult> rs(5);
        const char* names[] = {"a.nl", "b.nl", "c.nl", "d.nl", "e.nl"};
        for (std::size_t i = 0; i < rs.size(); ++i) {
            rs[i].domain = names[i];
            rs[i].status = "NOERROR";
        }
        rs[0].ns.push_back({"ns.a.nl", {}, {ns_ip("192.0.2.1", {1})}});
        rs[1].ns.push_back({"ns.b.nl", {}, {ns_ip("192.0.2.3", {3, 5})}});
        rs[2].ns.push_back({"ns.c.nl", {}, {ns_ip("192.0.2.5", {5})}});
        rs[3].ns.push_back({"ns.d.nl", {}, {ns_ip("192.0.2.2", {2})}});
        rs[4].ns.push_back({"ns.e.nl", {}, {}});
        ASSERT_TRUE((*store)->write_results(scan->id, rs));
    }
    auto f = dg({"fail", "--rel", dir.file("fig1.txt"), "--sources", "4,6", "--db", url, "--scan",
                 "latest", "--fail-as", "2", "--json"});
    ASSERT_EQ(f.exit_code, 0) << f.err;
    const auto j = nlohmann::json::parse(f.out);
    EXPECT_EQ(j["params"]["scan_moas_domains"], 1);
    EXPECT_EQ(j["params"]["scan_domains_without_ns_as"], 1);
    EXPECT_DOUBLE_EQ(j["baseline"]["mu_path"].get<double>(), 1.6);
    EXPECT_EQ(j["scenario"]["res"], 1);
    EXPECT_DOUBLE_EQ(j["scenario"]["mu_dom"].get<double>(), 3);
    EXPECT_DOUBLE_EQ(j["scenario"]["mu_path"].get<double>(), 1.25);
}

TEST(ResilienceCli, Fig1Report) {
    const test::TempDir dir;
    test::write_file(dir.file("fig1.txt"), kFig1);
    test::write_file(dir.file("domains.tsv"), "a\t1\nb\t3,5\nc\t5\nd\t2\n");
    auto r = dg({"report", "--rel", dir.file("fig1.txt"), "--sources", "4,6", "--domains",
                 dir.file("domains.tsv"), "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    ASSERT_EQ(j["table1"].size(), 2U);
    EXPECT_DOUBLE_EQ(j["table1"][0]["mean_len"].get<double>(), 1.8);
    EXPECT_DOUBLE_EQ(j["mu_path"].get<double>(), 1.6);
    const auto& hosting = j["table2"]["hosting"];
    EXPECT_EQ(hosting[0]["asn"], 5);
    EXPECT_EQ(hosting[0]["domains"], 2);
    // single paths: D-B-A, D-B-C, D-B-E (B transit 3 times), F-C-A, F-C-B (lowest-ASN parent)
    const auto& transit = j["table2"]["transit"];
    ASSERT_EQ(transit.size(), 2U);
    EXPECT_EQ(transit[0]["asn"], 2);
    EXPECT_EQ(transit[0]["paths"], 3);
    EXPECT_EQ(transit[0]["res"], 1);
    EXPECT_DOUBLE_EQ(transit[0]["mu_dom"].get<double>(), 3);
    EXPECT_EQ(transit[1]["asn"], 3);
    EXPECT_EQ(transit[1]["paths"], 2);
    EXPECT_EQ(j["exposure"]["all_name_servers_in_one_as"], 3);
    auto h = dg({"report", "--rel", dir.file("fig1.txt"), "--sources", "4,6", "--domains",
                 dir.file("domains.tsv"), "-o", dir.file("r.html")});
    ASSERT_EQ(h.exit_code, 0) << h.err;
    const std::string html = test::read_file(dir.file("r.html"));
    EXPECT_NE(html.find("Table 2b: transit ASes"), std::string::npos);
    // the chart of the failures that cut resolvers off: AS2 (transit, res 1), inline SVG
    EXPECT_NE(html.find("<svg"), std::string::npos);
    EXPECT_NE(html.find(">AS2 (transit)</text>"), std::string::npos);
}

// Exposure behind one IXP: AS21's domain is reached from resolver AS11 only over the IXP mesh
// link 10-20 (11 -> 10 -peer- 20 -> 21); AS10's domain does not need the IXP.
TEST(ResilienceCli, ReportCountsDomainsBehindOneIxp) {
    const test::TempDir dir;
    test::write_file(dir.file("rel.txt"), "10|11|-1\n20|21|-1\n");
    test::write_file(dir.file("ixp.txt"), "IX-A\t10\nIX-A\t20\n");
    test::write_file(dir.file("domains.tsv"), "z.example\t21\ny.example\t10\n");
    auto r = dg({"report", "--rel", dir.file("rel.txt"), "--ixp", dir.file("ixp.txt"), "--sources",
                 "11", "--domains", dir.file("domains.tsv"), "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["exposure"]["behind_one_ixp"], 1) << j["exposure"].dump();
    ASSERT_EQ(j["table2"]["ixps"].size(), 1U);
    EXPECT_EQ(j["table2"]["ixps"][0]["res"], 1);
    EXPECT_EQ(j["table1"][0]["unreachable_domains"], 0);
}

TEST(ResilienceCli, BadInput) {
    const test::TempDir dir;
    test::write_file(dir.file("bad.txt"), "# x\n1|2|-1\n1|3|7\n");
    auto r = dg({"paths", "--rel", dir.file("bad.txt"), "--sources", "1"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find(dir.file("bad.txt") + ":3: unknown relationship code '7'"),
              std::string::npos)
        << r.err;
    test::write_file(dir.file("short.txt"), "1|2|-1\n1|3\n");
    r = dg({"paths", "--rel", dir.file("short.txt"), "--sources", "1"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("short.txt:2:"), std::string::npos) << r.err;
    test::write_file(dir.file("cycle.txt"), "1|2|-1\n2|3|-1\n3|1|-1\n3|4|0\n");
    r = dg({"paths", "--rel", dir.file("cycle.txt"), "--sources", "1", "--model", "tree"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("provider cycle"), std::string::npos) << r.err;
    r = dg({"paths", "--rel", dir.file("cycle.txt"), "--sources", "1", "--model", "tree",
            "--allow-provider-cycles", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["graph"]["provider_cycle"].size(), 4U);
    r = dg({"paths", "--rel", dir.file("cycle.txt"), "--sources", "1", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    r = dg({"fail", "--rel", dir.file("cycle.txt"), "--sources", "1", "--fail-link", "1-4"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("no link AS1-AS4"), std::string::npos) << r.err;
    r = dg({"paths", "--rel", dir.file("missing.txt"), "--sources", "1"});
    EXPECT_EQ(r.exit_code, 1);
    test::write_file(dir.file("ixp.csv"), "1,Equinix Ashburn,Ashburn,US,334,a,b\n");
    r = dg(
        {"paths", "--rel", dir.file("cycle.txt"), "--ixp", dir.file("ixp.csv"), "--sources", "1"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("ixp.csv:1: looks like a PeeringDB ix list"), std::string::npos) << r.err;
}

/// Runs the Python checker; its stderr explains any mismatch.
void python_check(const std::vector<std::string>& args) {
    DG_SHARED_OR_SKIP(rel, "asgraph/19980101.as-rel.txt");
    DG_TOOL_OR_SKIP("python3");
    std::vector<std::string> argv{
        "python3", std::string(DG_SOURCE_DIR) + "/tests/harness/resilience_check.py",
        "--bin",   test::dg_binary(),
        "--data",  rel.substr(0, rel.rfind('/'))};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto r = test::run_command(argv);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::fputs(r.err.c_str(), stderr);
}

TEST(ResilienceParity, Samples1998) {
    python_check({"samples", "--year", "1998"});
}

TEST(ResilienceParity, CompleteSweep1998) {
    python_check({"sweep1998", "--sources", "1"});
}

TEST(ResilienceParity, Samples2018) {
    DG_SHARED_OR_SKIP(rel, "asgraph/20180101.as-rel.txt");
    python_check({"samples", "--year", "2018"});
}

} // namespace
} // namespace dg
