// Issue 12 item 21: typos get help. An unknown command or option names the closest known one,
// `domaingraph help COMMAND` and `domaingraph version` work (configuration keys: config_test).

#include "tests/support/support.hpp"

namespace dg::test {
namespace {

CommandResult dg(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {dg_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv);
}

TEST(CliTypos, UnknownCommandSuggestsTheClosest) {
    auto r = dg({"scna", "-d", "x.txt"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("unknown command 'scna'; did you mean 'scan'?"), std::string::npos)
        << r.err;
    r = dg({"rib", "dumb", "x.mrt"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("unknown command 'dumb' for 'domaingraph rib'; did you mean 'dump'?"),
              std::string::npos)
        << r.err;
    r = dg({"frobnicate"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("unknown command 'frobnicate' (see 'domaingraph --help')"),
              std::string::npos)
        << r.err;
}

TEST(CliTypos, UnknownOptionSuggestsTheClosest) {
    auto r = dg({"scan", "-d", "x.txt", "--resolvr", "192.0.2.1"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("unknown option '--resolvr' for 'domaingraph scan'; did you mean "
                         "'--resolver'?"),
              std::string::npos)
        << r.err;
    r = dg({"export", "latest", "--fromat=csv"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("did you mean '--format'?"), std::string::npos) << r.err;
}

TEST(CliTypos, HelpAndVersionWords) {
    const auto help = dg({"help", "scan"});
    EXPECT_EQ(help.exit_code, 0) << help.err;
    EXPECT_EQ(help.out, dg({"scan", "--help"}).out);
    EXPECT_NE(help.out.find("--resolver"), std::string::npos);
    const auto top = dg({"help"});
    EXPECT_EQ(top.exit_code, 0);
    EXPECT_EQ(top.out, dg({"--help"}).out);
    const auto version = dg({"version"});
    EXPECT_EQ(version.exit_code, 0) << version.err;
    EXPECT_EQ(version.out, dg({"--version"}).out);
    EXPECT_EQ(version.out.rfind("domaingraph ", 0), 0U) << version.out;
}

} // namespace
} // namespace dg::test
