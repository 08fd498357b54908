// `domaingraph as2org lookup`: JSON lines per ASN, stdin, invalid input, broken files.
#include "tests/support/support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace dg {
namespace {

test::CommandResult dg(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), test::dg_binary());
    return test::run_command(args, input);
}

TEST(As2orgCli, LooksUpTheSharedSample) {
    DG_SHARED_OR_SKIP(file, "as2org/format-sample.as-org2info.txt");
    auto r = dg({"as2org", "lookup", "-f", file, "64496", "AS64499", "64500", "x", "--siblings"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto lines = test::split_lines(r.out);
    ASSERT_EQ(lines.size(), 4U) << r.out;
    const auto a = nlohmann::json::parse(lines[0]);
    EXPECT_EQ(a["asn"], 64496);
    EXPECT_EQ(a["name"], "EXAMPLE-NET-1");
    EXPECT_EQ(a["org_id"], "EXA-1-ARIN");
    EXPECT_EQ(a["org_name"], "Example Networks, Inc.");
    EXPECT_EQ(a["country"], "US");
    EXPECT_EQ(a["source"], "ARIN");
    EXPECT_EQ(a["changed"], "20230101");
    EXPECT_EQ(a["siblings"], nlohmann::json::array({64496, 64497}));
    const auto b = nlohmann::json::parse(lines[1]);
    EXPECT_EQ(b["org_name"], "Example Hosting GmbH");
    EXPECT_TRUE(b["changed"].is_null());
    const auto c = nlohmann::json::parse(lines[2]);
    EXPECT_TRUE(c["name"].is_null());
    EXPECT_TRUE(c["org_name"].is_null());
    const auto d = nlohmann::json::parse(lines[3]);
    EXPECT_EQ(d["error"], "invalid AS number");
    EXPECT_NE(r.err.find("argument 4: invalid AS number 'x'"), std::string::npos) << r.err;

    auto s = dg({"as2org", "lookup", "-f", file}, "64498\n\n# c\n4200000000\n");
    ASSERT_EQ(s.exit_code, 0) << s.err;
    const auto sl = test::split_lines(s.out);
    ASSERT_EQ(sl.size(), 2U);
    EXPECT_EQ(nlohmann::json::parse(sl[0])["org_id"], "ORG-EXB1-RIPE");
    EXPECT_EQ(nlohmann::json::parse(sl[1])["org_id"], "@family-0042");
}

TEST(As2orgCli, BrokenAndMissingFiles) {
    const test::TempDir dir;
    test::write_file(dir.file("broken.txt"), "# format:aut|aut_name|org_id\n"
                                             "64496|OK-AS|\n"
                                             "notanumber|BAD|\n");
    auto r = dg({"as2org", "lookup", "-f", dir.file("broken.txt"), "64496"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find(dir.file("broken.txt") + ":3: invalid AS number"), std::string::npos)
        << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["name"], "OK-AS");

    test::write_file(dir.file("empty.txt"), "# nothing\n");
    auto empty = dg({"as2org", "lookup", "-f", dir.file("empty.txt"), "64496"});
    EXPECT_EQ(empty.exit_code, 1);
    EXPECT_NE(empty.err.find("no valid"), std::string::npos) << empty.err;

    auto missing = dg({"as2org", "lookup", "-f", dir.file("absent.txt"), "64496"});
    EXPECT_EQ(missing.exit_code, 1);
}

} // namespace
} // namespace dg
