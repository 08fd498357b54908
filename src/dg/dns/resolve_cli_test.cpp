// `domaingraph resolve` end to end against the in-process loopback responder: one output line per
// input line (names and invalid lines), INVALID objects with line numbers, IDN, exit codes.

#include "dg/dns/testing/loopback_responder.hpp"
#include "tests/support/support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using dg::test::run_command;

TEST(ResolveCli, EveryLineYieldsOneResult) {
    dg::dns::testing::LoopbackResponder responder;
    dg::test::TempDir dir;
    const std::string input = dir.path() + "/names.txt";
    dg::test::write_file(input, "# comment\nexample.org\n\nbad..name\nwww.Example.ORG.\n"
                                "b\xc3\xbc"
                                "cher.example\n-x-.example\n" +
                                    std::string(70, 'a') + ".example\nexample.org\n");
    const std::string resolver = "127.0.0.1:" + std::to_string(responder.port());
    auto r = run_command({dg::test::dg_binary(), "resolve", "-t", "A,MX", "--resolver", resolver,
                          "-i", input, "--timeout", "3000"},
                         "");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto lines = dg::test::split_lines(r.out);
    ASSERT_EQ(lines.size(), 7U) << r.out;
    int invalid = 0;
    int ok = 0;
    bool saw_idn = false;
    for (const auto& l : lines) {
        const auto j = nlohmann::json::parse(l);
        if (j["status"] == "INVALID") {
            ++invalid;
            EXPECT_TRUE(j.contains("line"));
            EXPECT_TRUE(j.contains("error"));
            continue;
        }
        EXPECT_EQ(j["status"], "NOERROR") << l;
        EXPECT_EQ(j["answers"]["A"].size(), 1U);
        EXPECT_EQ(j["answers"]["MX"].size(), 0U);
        EXPECT_EQ(j["types"]["MX"]["status"], "NODATA") << l;
        EXPECT_EQ(j["resolver"], resolver);
        if (j["name"] == "xn--bcher-kva.example") {
            saw_idn = true;
            EXPECT_EQ(j["input"], "b\xc3\xbc"
                                  "cher.example");
        }
        ++ok;
    }
    EXPECT_EQ(invalid, 3);
    EXPECT_EQ(ok, 4);
    EXPECT_TRUE(saw_idn);
    EXPECT_NE(r.err.find(input + ":4:"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("names/s"), std::string::npos) << r.err;
}

TEST(ResolveCli, SetupFailures) {
    dg::test::TempDir dir;
    auto bad_resolver =
        run_command({dg::test::dg_binary(), "resolve", "--resolver", "not-an-ip"}, "");
    EXPECT_EQ(bad_resolver.exit_code, 2);
    auto missing = run_command({dg::test::dg_binary(), "resolve", "--resolver", "127.0.0.1", "-i",
                                dir.path() + "/missing.txt"},
                               "");
    EXPECT_EQ(missing.exit_code, 1);
    auto bad_type =
        run_command({dg::test::dg_binary(), "resolve", "--resolver", "127.0.0.1", "-t", "SRV"}, "");
    EXPECT_EQ(bad_type.exit_code, 2);
}

} // namespace
