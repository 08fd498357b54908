// The real binary (DG_BIN): `rpki validate` against an independent naive RFC 6811 check in Python
// (tests/rpki/naive_rov_check.py), its text/JSON output and exit codes, `rpki stats`,
// `lookup --vrps`, and `rpki fetch` from an HTTP server on 127.0.0.1
// (tests/harness/http_fixture_server.py).
#include "tests/support/support.hpp"

#include <csignal>
#include <filesystem>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

namespace dg::test {
namespace {

std::string fixture(const std::string& name) {
    return std::string(DG_SOURCE_DIR) + "/tests/data/rpki/" + name;
}

TEST(RpkiCli, AgreesWithANaiveRfc6811CheckInPython) {
    DG_TOOL_OR_SKIP("/usr/bin/python3");
    TempDir dir;
    auto r = run_command({"/usr/bin/python3",
                          std::string(DG_SOURCE_DIR) + "/tests/rpki/naive_rov_check.py", "--dg",
                          dg_binary(), "--workdir", dir.path(), "--seed", "18"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("4000 routes agree"), std::string::npos) << r.out;
}

TEST(RpkiCli, ValidateTextOutput) {
    auto r = run_command({dg_binary(), "rpki", "validate", "--vrps", fixture("rpki-client.csv"),
                          "--format", "text", "192.0.2.0/24", "AS64496", "192.0.2.0/25", "64496",
                          "203.0.113.0/24", "AS64496", "198.51.100.0/24", "none", "198.18.0.0/15",
                          "AS64496"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "192.0.2.0/24\tAS64496\tvalid\t192.0.2.0/24 max 24 AS64496 ripe\n"
                     "192.0.2.0/25\tAS64496\tinvalid (too-specific)\t192.0.2.0/24 max 24 AS64496 "
                     "ripe\n"
                     "203.0.113.0/24\tAS64496\tinvalid (wrong-origin)\t203.0.113.0/24 max 24 AS0 "
                     "apnic\n"
                     "198.51.100.0/24\tnone\tinvalid (wrong-origin)\t198.51.100.0/24 max 26 "
                     "AS64497 arin\n"
                     "198.18.0.0/15\tAS64496\tnot-found\t-\n");
    EXPECT_NE(r.err.find("1 valid, 3 invalid, 1 not-found"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("5 VRPs (rpki-client-csv)"), std::string::npos) << r.err;
}

TEST(RpkiCli, ValidateJsonLinesFromAFileWithABadLine) {
    TempDir dir;
    write_file(dir.file("routes.txt"), "# routes\n2001:db8:1::/48 AS64498\n"
                                       "2001:db8:1000::/40\t64499\n"
                                       "192.0.2.0/24,{64496,64497}\n"
                                       "192.0.2.1/24 AS64496\n");
    auto r = run_command({dg_binary(), "rpki", "validate", "--vrps", fixture("routinator.json"),
                          "-i", dir.file("routes.txt"), "--format", "jsonl"});
    EXPECT_EQ(r.exit_code, 3) << r.err; // done, but an input line was unreadable
    const auto lines = split_lines(r.out);
    ASSERT_EQ(lines.size(), 4U) << r.out;
    EXPECT_EQ(lines[0],
              R"({"prefix":"2001:db8:1::/48","origin":64498,"state":"valid","reason":null,)"
              R"("vrps":[{"asn":64498,"prefix":"2001:db8::/32","maxLength":48,"ta":"ripe"}]})");
    auto j1 = nlohmann::json::parse(lines[1]);
    EXPECT_EQ(j1["state"], "invalid");
    EXPECT_EQ(j1["reason"], "too-specific");
    EXPECT_EQ(j1["vrps"].size(), 2U); // the /36 and the /32 both cover the /40
    auto j2 = nlohmann::json::parse(lines[2]);
    EXPECT_TRUE(j2["origin"].is_null()); // an AS_SET origin is NONE
    EXPECT_EQ(j2["reason"], "wrong-origin");
    auto j3 = nlohmann::json::parse(lines[3]);
    EXPECT_TRUE(j3["state"].is_null());
    EXPECT_NE(j3["error"].get<std::string>().find("host bits"), std::string::npos);
    EXPECT_NE(r.err.find("routes.txt:5:"), std::string::npos) << r.err;
}

TEST(RpkiCli, ValidateErrors) {
    TempDir dir;
    write_file(dir.file("bad.json"), "{\"roas\": [ {\"asn\": 1,, } ]}");
    auto bad = run_command(
        {dg_binary(), "rpki", "validate", "--vrps", dir.file("bad.json"), "192.0.2.0/24", "1"});
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_NE(bad.err.find("bad.json @ offset 21"), std::string::npos) << bad.err;
    auto missing = run_command(
        {dg_binary(), "rpki", "validate", "--vrps", dir.file("none.json"), "192.0.2.0/24", "1"});
    EXPECT_EQ(missing.exit_code, 1);
    auto odd = run_command(
        {dg_binary(), "rpki", "validate", "--vrps", fixture("rpki-client.json"), "192.0.2.0/24"});
    EXPECT_EQ(odd.exit_code, 2) << odd.err;
    auto format =
        run_command({dg_binary(), "rpki", "validate", "--vrps", fixture("rpki-client.json"),
                     "--vrps-format", "routinator-csv", "192.0.2.0/24", "1"});
    EXPECT_EQ(format.exit_code, 1);
    EXPECT_NE(format.err.find("but the file is JSON"), std::string::npos) << format.err;
    // Invalid entries are skipped and counted, or fatal with --vrps-strict.
    write_file(dir.file("some-bad.csv"), "ASN,IP Prefix,Max Length,Trust Anchor\n"
                                         "AS64496,192.0.2.0/24,24,ripe\n"
                                         "AS64496,192.0.2.0/24,33,ripe\n");
    auto skipped = run_command({dg_binary(), "rpki", "validate", "--vrps", dir.file("some-bad.csv"),
                                "192.0.2.0/24", "64496"});
    EXPECT_EQ(skipped.exit_code, 0);
    EXPECT_NE(skipped.err.find("1 invalid entries skipped"), std::string::npos) << skipped.err;
    EXPECT_NE(skipped.err.find("some-bad.csv:3"), std::string::npos) << skipped.err;
    auto strict = run_command({dg_binary(), "rpki", "validate", "--vrps", dir.file("some-bad.csv"),
                               "--vrps-strict", "192.0.2.0/24", "64496"});
    EXPECT_EQ(strict.exit_code, 1);
}

TEST(RpkiCli, StatsCountsPerTrustAnchor) {
    auto r = run_command(
        {dg_binary(), "rpki", "stats", "--vrps", fixture("rpki-client.json"), "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["format"], "rpki-client-json");
    EXPECT_EQ(j["vrps"], 5);
    EXPECT_EQ(j["ipv4"], 3);
    EXPECT_EQ(j["ipv6"], 2);
    EXPECT_EQ(j["as0"], 1);
    EXPECT_EQ(j["trust_anchors"]["ripe"]["ipv4"], 1);
    EXPECT_EQ(j["trust_anchors"]["ripe"]["ipv6"], 1);
    EXPECT_EQ(j["trust_anchors"]["lacnic"]["ipv6"], 1);
    auto text = run_command({dg_binary(), "rpki", "stats", "--vrps", fixture("routinator.csv")});
    ASSERT_EQ(text.exit_code, 0);
    EXPECT_NE(text.out.find("routinator-csv"), std::string::npos) << text.out;
}

TEST(RpkiCli, LookupAddsTheRouteState) {
    TempDir dir;
    // CAIDA prefix2as: a_b = MOAS, a,b = AS_SET.
    write_file(dir.file("pfx2as.txt"), "192.0.2.0\t25\t64496\n"
                                       "198.51.100.0\t24\t64497_64499\n"
                                       "203.0.113.0\t24\t64496,64497\n"
                                       "2001:db8::\t32\t64498\n");
    auto r = run_command({dg_binary(), "lookup", "-m", dir.file("pfx2as.txt"), "--no-cache",
                          "--vrps", fixture("rpki-client.json"), "192.0.2.1", "198.51.100.9",
                          "203.0.113.5", "2001:db8::1", "10.0.0.1"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "192.0.2.1\t192.0.2.0/25\t64496\tinvalid:too-specific\n"
                     "198.51.100.9\t198.51.100.0/24\t64497,64499\tvalid,invalid:wrong-origin\n"
                     "203.0.113.5\t203.0.113.0/24\t64496\tinvalid:wrong-origin\n"
                     "2001:db8::1\t2001:db8::/32\t64498\tvalid\n"
                     "10.0.0.1\t-\t-\t-\n");
    auto j =
        run_command({dg_binary(), "lookup", "-m", dir.file("pfx2as.txt"), "--no-cache", "--vrps",
                     fixture("rpki-client.json"), "--jsonl", "198.51.100.9", "10.0.0.1"});
    ASSERT_EQ(j.exit_code, 0) << j.err;
    const auto lines = split_lines(j.out);
    ASSERT_EQ(lines.size(), 2U);
    auto moas = nlohmann::json::parse(lines[0]);
    EXPECT_EQ(moas["rpki"]["state"], "valid");
    ASSERT_EQ(moas["rpki_origins"].size(), 2U);
    EXPECT_EQ(moas["rpki_origins"][1]["origin"], 64499);
    EXPECT_EQ(moas["rpki_origins"][1]["reason"], "wrong-origin");
    EXPECT_TRUE(nlohmann::json::parse(lines[1])["rpki"].is_null());
    // Without --vrps the output is as before.
    auto plain = run_command(
        {dg_binary(), "lookup", "-m", dir.file("pfx2as.txt"), "--no-cache", "192.0.2.1"});
    EXPECT_EQ(plain.out, "192.0.2.1\t192.0.2.0/25\t64496\n");
}

/// tests/harness/http_fixture_server.py on 127.0.0.1; stopped on destruction.
class HttpFixture {
public:
    explicit HttpFixture(const std::string& root) {
        int out[2];
        EXPECT_EQ(pipe(out), 0);
        pid_ = fork();
        if (pid_ == 0) {
            dup2(out[1], 1);
            close(out[0]);
            std::string python = "/usr/bin/python3";
            std::string script =
                std::string(DG_SOURCE_DIR) + "/tests/harness/http_fixture_server.py";
            std::string dir = root;
            char* argv[] = {python.data(), script.data(), dir.data(), nullptr};
            execv(argv[0], argv);
            _exit(127);
        }
        close(out[1]);
        std::string line;
        char c = 0;
        while (read(out[0], &c, 1) == 1 && c != '\n') {
            line += c;
        }
        close(out[0]);
        port_ = line.empty() ? 0 : std::atoi(line.c_str());
    }
    ~HttpFixture() {
        if (pid_ > 0) {
            kill(pid_, SIGTERM);
            waitpid(pid_, nullptr, 0);
        }
    }
    HttpFixture(const HttpFixture&) = delete;
    HttpFixture& operator=(const HttpFixture&) = delete;
    [[nodiscard]] std::string url(const std::string& path) const {
        return "http://127.0.0.1:" + std::to_string(port_) + "/" + path;
    }
    [[nodiscard]] int port() const { return port_; }

private:
    pid_t pid_ = -1;
    int port_ = 0;
};

TEST(RpkiCli, FetchWritesOnlyAVerifiedFile) {
    DG_TOOL_OR_SKIP("/usr/bin/python3");
    TempDir dir;
    std::filesystem::create_directories(dir.file("www"));
    write_file(dir.file("www/json"), read_file(fixture("routinator.json")));
    write_file(dir.file("www/csv"), read_file(fixture("rpki-client.csv")));
    write_file(dir.file("www/status"), "<html>Routinator is starting</html>\n");
    HttpFixture server(dir.file("www"));
    ASSERT_GT(server.port(), 0);

    const std::string out = dir.file("vrps.json");
    auto r = run_command({dg_binary(), "rpki", "fetch", server.url("json"), "-o", out});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(read_file(out), read_file(fixture("routinator.json")));
    EXPECT_NE(r.err.find("5 VRPs (routinator-json)"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(out + ".download"));

    // Not a VRP file: an error, and the previous file stays.
    auto bad = run_command({dg_binary(), "rpki", "fetch", server.url("status"), "-o", out});
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_NE(bad.err.find("not a VRP file"), std::string::npos) << bad.err;
    EXPECT_EQ(read_file(out), read_file(fixture("routinator.json")));
    EXPECT_FALSE(std::filesystem::exists(out + ".download"));

    auto missing = run_command({dg_binary(), "rpki", "fetch", server.url("nothing"), "-o", out});
    EXPECT_EQ(missing.exit_code, 1);

    // Without -o the name follows the content, in the working directory.
    auto csv = run_command(
        {"/bin/sh", "-c",
         "cd '" + dir.path() + "' && '" + dg_binary() + "' rpki fetch " + server.url("csv")});
    ASSERT_EQ(csv.exit_code, 0) << csv.err;
    EXPECT_EQ(read_file(dir.file("vrps.csv")), read_file(fixture("rpki-client.csv")));
}

} // namespace
} // namespace dg::test
