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

} // namespace
} // namespace dg
