// `domaingraph lookup` and `rib origins`: output shapes, stdin, invalid input, exit codes, cache.
#include "tests/support/support.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace dg {
namespace {

test::CommandResult dg(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), test::dg_binary());
    return test::run_command(args, input);
}

TEST(LookupCli, ArgumentsStdinInvalidAndUnrouted) {
    DG_SHARED_OR_SKIP(rib, "mrt/synthetic/lab-rib.mrt.gz");
    auto r = dg(
        {"lookup", "-m", rib, "--no-cache", "198.51.100.7", "1.1.1.1", "bogus", "2001:db8:100::1"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "198.51.100.7\t198.51.100.0/24\t501,601\n"
                     "1.1.1.1\t-\t-\n"
                     "bogus\t-\t-\n"
                     "2001:db8:100::1\t2001:db8:100::/48\t511\n");
    EXPECT_NE(r.err.find("argument 3: invalid IP address 'bogus'"), std::string::npos) << r.err;

    auto s = dg({"lookup", "-m", rib, "--no-cache", "--policy", "pyasn"},
                "198.51.100.7\n\n# comment\nnope\n203.0.113.9\n");
    EXPECT_EQ(s.exit_code, 0);
    EXPECT_EQ(s.out, "198.51.100.7\t198.51.100.0/24\t501\nnope\t-\t-\n"
                     "203.0.113.9\t203.0.113.0/24\t503\n");
    EXPECT_NE(s.err.find("stdin line 4: invalid IP address 'nope'"), std::string::npos) << s.err;
}

TEST(LookupCli, Jsonl) {
    DG_SHARED_OR_SKIP(rib, "mrt/synthetic/lab-rib.mrt.gz");
    auto r =
        dg({"lookup", "-m", rib, "--no-cache", "--jsonl"}, "198.51.100.7\n100.64.0.1\n9.9.9.9\n");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto lines = test::split_lines(r.out);
    ASSERT_EQ(lines.size(), 3U);
    auto a = nlohmann::json::parse(lines[0]);
    EXPECT_EQ(a["ip"], "198.51.100.7");
    EXPECT_EQ(a["prefix"], "198.51.100.0/24");
    EXPECT_EQ(a["asn"], 501);
    EXPECT_EQ(a["origins"], nlohmann::json::array({501, 601}));
    EXPECT_EQ(a["as_set"], false);
    auto b = nlohmann::json::parse(lines[1]);
    EXPECT_EQ(b["as_set"], true); // {704, 504}: smallest member, flagged
    EXPECT_EQ(b["asn"], 504);
    auto c = nlohmann::json::parse(lines[2]);
    EXPECT_TRUE(c["prefix"].is_null());
    EXPECT_TRUE(c["asn"].is_null());
    EXPECT_TRUE(c["origins"].empty());
}

TEST(LookupCli, SourceErrorsAndCache) {
    DG_SHARED_OR_SKIP(rib, "mrt/synthetic/lab-rib.mrt.gz");
    const test::TempDir dir;
    auto missing = dg({"lookup", "-m", dir.file("nope.mrt"), "1.2.3.4"});
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_FALSE(missing.err.empty());
    test::write_file(dir.file("junk"), "not a table\n");
    EXPECT_EQ(dg({"lookup", "-m", dir.file("junk"), "1.2.3.4"}).exit_code, 1);
    EXPECT_EQ(dg({"lookup", "-m", rib, "--policy", "nope", "1.2.3.4"}).exit_code, 2);

    // The cache goes to $DOMAINGRAPH_CACHE_DIR; the cache file is itself a source.
    setenv("DOMAINGRAPH_CACHE_DIR", dir.path().c_str(), 1);
    auto first = dg({"rib", "origins", rib});
    auto second = dg({"rib", "origins", rib});
    unsetenv("DOMAINGRAPH_CACHE_DIR");
    ASSERT_EQ(first.exit_code, 0) << first.err;
    EXPECT_EQ(first.out, second.out);
    std::string cache_file;
    for (const auto& e : std::filesystem::directory_iterator(dir.path() + "/prefix-tables")) {
        if (e.path().extension() == ".dgpt") { // beside it: the content-hash memo (hash-*.txt)
            cache_file = e.path().string();
        }
    }
    ASSERT_FALSE(cache_file.empty());
    EXPECT_EQ(dg({"rib", "origins", cache_file}).out, first.out);
    EXPECT_EQ(dg({"lookup", "-m", cache_file, "100.65.0.1"}).out,
              "100.65.0.1\t100.65.0.0/16\t505,705\n");
}

TEST(LookupCli, TruncatedDumpGivesExitThree) {
    DG_SHARED_OR_SKIP(rib, "mrt/rib.20080501.0644_firstMB.bz2");
    auto r = dg({"rib", "origins", rib, "--no-cache"});
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_GT(test::split_lines(r.out).size(), 3000U);
    EXPECT_NE(r.err.find("damaged"), std::string::npos) << r.err;
    // lookup still answers from what could be read (exit 0)
    EXPECT_EQ(dg({"lookup", "-m", rib, "--no-cache", "3.0.0.1"}).exit_code, 0);
}

// Issue 18: locations from a MaxMind City database; AS names and countries from an RPSL aut-num
// dump and an RIR delegation file given together, without any CAIDA file.
TEST(LookupCli, GeoAndNamesFromRegistryFiles) {
    DG_SHARED_OR_SKIP(rib, "mrt/synthetic/lab-rib.mrt.gz");
    DG_SHARED_OR_SKIP(city, "geo/GeoLite2-City-Test.mmdb");
    DG_SHARED_OR_SKIP(asn_db, "geo/GeoLite2-ASN-Test.mmdb");
    auto text =
        dg({"lookup", "-m", rib, "--no-cache", "--geo", city, "89.160.20.115", "198.51.100.7"});
    ASSERT_EQ(text.exit_code, 0) << text.err;
    EXPECT_EQ(text.out, "89.160.20.115\t-\t-\tSE Link\xc3\xb6ping (58.4167,15.6167)\n"
                        "198.51.100.7\t198.51.100.0/24\t501,601\t-\n");
    auto json_out = dg({"lookup", "-m", rib, "--no-cache", "--jsonl", "--geo", city},
                       "89.160.20.115\n198.51.100.7\n");
    ASSERT_EQ(json_out.exit_code, 0) << json_out.err;
    const auto lines = test::split_lines(json_out.out);
    ASSERT_EQ(lines.size(), 2U);
    const auto se = nlohmann::json::parse(lines[0]);
    EXPECT_EQ(se["geo"]["country"], "SE");
    EXPECT_DOUBLE_EQ(se["geo"]["lat"].get<double>(), 58.4167);
    EXPECT_TRUE(nlohmann::json::parse(lines[1])["geo"].is_null());
    // an ASN database is not a location database: said, and where it belongs
    auto wrong = dg({"lookup", "-m", rib, "--no-cache", "--geo", asn_db, "1.2.3.4"});
    EXPECT_EQ(wrong.exit_code, 2);
    EXPECT_NE(wrong.err.find("not a City or Country database"), std::string::npos) << wrong.err;

    test::TempDir dir;
    test::write_file(dir.file("aut-num.db"),
                     "aut-num:        AS501\nas-name:        LAB-501\n"
                     "descr:          Lab Transit Ltd\norg:            ORG-LAB1-TEST\n\n"
                     "organisation:   ORG-LAB1-TEST\norg-name:       Lab Transit Group\n\n");
    test::write_file(dir.file("delegated-test-extended"),
                     "2|ripencc|20240101|2|19830705|20240101|+0100\n"
                     "ripencc|*|asn|*|2|summary\n"
                     "ripencc|NL|asn|501|1|20100101|allocated|holder-a\n"
                     "ripencc|DE|asn|511|1|20100101|allocated|holder-b\n");
    auto names = dg({"lookup", "-m", rib, "--no-cache", "--jsonl", "--names",
                     dir.file("aut-num.db") + "," + dir.file("delegated-test-extended")},
                    "198.51.100.7\n2001:db8:100::1\n");
    ASSERT_EQ(names.exit_code, 0) << names.err;
    const auto named = test::split_lines(names.out);
    ASSERT_EQ(named.size(), 2U);
    const auto a = nlohmann::json::parse(named[0]);
    EXPECT_EQ(a["as_name"], "LAB-501");
    EXPECT_EQ(a["org"], "Lab Transit Group");
    EXPECT_EQ(a["country"], "NL"); // the delegation file's: the organisation object has none
    const auto b = nlohmann::json::parse(named[1]);
    EXPECT_TRUE(b["as_name"].is_null()); // only in the delegation file: a country, no name
    EXPECT_EQ(b["country"], "DE");
}

// Issue 18: `view as|prefix` over a routing table (no database: --no-scan), text and JSON.
TEST(ViewCli, AnAsAndAPrefixOfTheTable) {
    DG_SHARED_OR_SKIP(rib, "mrt/synthetic/lab-rib.mrt.gz");
    auto as = dg({"view", "as", "AS511", "-m", rib, "--no-scan", "--json"});
    ASSERT_EQ(as.exit_code, 0) << as.err;
    const auto j = nlohmann::json::parse(as.out);
    EXPECT_EQ(j["asn"], 511);
    ASSERT_TRUE(j["routes"].is_object());
    EXPECT_GE(j["routes"]["total"].get<int>(), 1);
    EXPECT_EQ(j["routes"]["ipv6"].get<int>() + j["routes"]["ipv4"].get<int>(),
              j["routes"]["total"].get<int>());
    bool found = false;
    for (const auto& r : j["routes"]["prefixes"]) {
        found = found || r["prefix"] == "2001:db8:100::/48";
    }
    EXPECT_TRUE(found) << as.out;
    auto text = dg({"view", "prefix", "198.51.100.0/24", "-m", rib, "--no-scan"});
    ASSERT_EQ(text.exit_code, 0) << text.err;
    EXPECT_NE(text.out.find("198.51.100.0/24  AS501,AS601"), std::string::npos) << text.out;
    EXPECT_EQ(dg({"view", "prefix", "198.51.100.1/24", "-m", rib, "--no-scan"}).exit_code, 2);
    EXPECT_EQ(dg({"view", "as", "nope", "--no-scan"}).exit_code, 2);
    EXPECT_EQ(dg({"view", "org", "X", "--no-scan"}).exit_code, 1); // no AS-organisation data
}

} // namespace
} // namespace dg
