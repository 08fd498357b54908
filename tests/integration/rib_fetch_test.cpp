// `domaingraph rib fetch` against a real HTTP server on 127.0.0.1
// (tests/harness/http_fixture_server.py): an interrupted transfer is resumed with a Range request,
// the result is verified and cached; `as2org fetch` the same way for WHOIS dumps.
#include "tests/support/support.hpp"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace dg::test {
namespace {

std::string mrt_bytes() {
    // Two minimal MRT records (type 13 TABLE_DUMP_V2, arbitrary payload): enough for the framing
    // check.
    std::string out;
    for (std::uint32_t length : {300000U, 1000U}) {
        std::string rec(12, '\0');
        rec[5] = 13;
        rec[8] = static_cast<char>(length >> 24);
        rec[9] = static_cast<char>(length >> 16);
        rec[10] = static_cast<char>(length >> 8);
        rec[11] = static_cast<char>(length);
        out += rec;
        for (std::uint32_t i = 0; i < length; ++i) {
            out += static_cast<char>((i * 131) >> 3);
        }
    }
    return out;
}

/// Runs the fixture server; stops it on destruction.
class HttpFixture {
public:
    HttpFixture(const std::string& root, const std::vector<std::string>& flags,
                const std::string& log) {
        int out[2];
        EXPECT_EQ(pipe(out), 0);
        pid_ = fork();
        if (pid_ == 0) {
            dup2(out[1], 1);
            close(out[0]);
            std::vector<std::string> args = {"/usr/bin/python3",
                                             std::string(DG_SOURCE_DIR) +
                                                 "/tests/harness/http_fixture_server.py",
                                             root, "--log", log};
            args.insert(args.end(), flags.begin(), flags.end());
            std::vector<char*> argv;
            for (auto& a : args) {
                argv.push_back(a.data());
            }
            argv.push_back(nullptr);
            execv(argv[0], argv.data());
            _exit(127);
        }
        close(out[1]);
        std::string line;
        char c = 0;
        while (read(out[0], &c, 1) == 1 && c != '\n') {
            line += c;
        }
        out_fd_ = out[0];
        port_ = line.empty() ? 0 : std::atoi(line.c_str());
    }
    ~HttpFixture() {
        if (pid_ > 0) {
            kill(pid_, SIGTERM);
            waitpid(pid_, nullptr, 0);
        }
        if (out_fd_ >= 0) {
            close(out_fd_);
        }
    }
    HttpFixture(const HttpFixture&) = delete;
    HttpFixture& operator=(const HttpFixture&) = delete;
    [[nodiscard]] std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }
    [[nodiscard]] int port() const { return port_; }

private:
    pid_t pid_ = -1;
    int port_ = 0;
    int out_fd_ = -1;
};

TEST(RibFetch, ResumesAnInterruptedTransferVerifiesAndCaches) {
    DG_TOOL_OR_SKIP("/usr/bin/python3");
    TempDir dir;
    std::filesystem::create_directories(dir.file("www/rrc00"));
    const std::string dump = mrt_bytes();
    write_file(dir.file("www/rrc00/latest-bview.gz"), dump); // content need not be gzip
    HttpFixture server(dir.file("www"), {"--interrupt-first"}, dir.file("access.log"));
    ASSERT_GT(server.port(), 0);
    const std::vector<std::string> cmd = {
        dg_binary(), "rib", "fetch", "--base-url", server.base(), "--cache-dir", dir.file("cache")};
    auto r = run_command(cmd);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string path = dir.file("cache/ris-rrc00-latest.gz");
    EXPECT_EQ(r.out, path + "\n");
    EXPECT_EQ(read_file(path), dump);
    EXPECT_NE(r.err.find("resumed"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(path + ".part"));
    const std::string log = read_file(dir.file("access.log"));
    EXPECT_NE(log.find("range=bytes="), std::string::npos) << log;

    // Second run: served from the cache, no request.
    const auto requests_before = split_lines(log).size();
    auto again = run_command(cmd);
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_NE(again.err.find("cached"), std::string::npos);
    EXPECT_EQ(split_lines(read_file(dir.file("access.log"))).size(), requests_before);
}

TEST(RibFetch, MissingDumpAndBrokenDumpFailClearly) {
    DG_TOOL_OR_SKIP("/usr/bin/python3");
    TempDir dir;
    std::filesystem::create_directories(dir.file("www/rrc01"));
    write_file(dir.file("www/rrc01/latest-bview.gz"), mrt_bytes().substr(0, 5000)); // cut
    HttpFixture server(dir.file("www"), {}, dir.file("access.log"));
    ASSERT_GT(server.port(), 0);
    auto missing = run_command({dg_binary(), "rib", "fetch", "--collector", "rrc05", "--base-url",
                                server.base(), "--cache-dir", dir.file("cache")});
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_NE(missing.err.find("404"), std::string::npos) << missing.err;
    auto broken = run_command({dg_binary(), "rib", "fetch", "--collector", "rrc01", "--base-url",
                               server.base(), "--cache-dir", dir.file("cache")});
    EXPECT_EQ(broken.exit_code, 1);
    EXPECT_NE(broken.err.find("ends inside an MRT record"), std::string::npos) << broken.err;
    EXPECT_FALSE(std::filesystem::exists(dir.file("cache/ris-rrc01-latest.gz")));
}

} // namespace
} // namespace dg::test

namespace dg::test {
namespace {

// `domaingraph as2org fetch` (issue 15) against the same server: the registries' dumps laid out
// as BASE/REGISTRY/FILE, downloaded (an interrupted one resumed), verified by reading them whole,
// cached per day; a truncated dump is refused and removed; ARIN is refused with directions.
TEST(As2orgFetch, DownloadsVerifiesCachesAndRefusesBrokenDumps) {
    DG_TOOL_OR_SKIP("/usr/bin/python3");
    DG_TOOL_OR_SKIP("/usr/bin/gzip");
    TempDir dir;
    std::filesystem::create_directories(dir.file("www/ripe"));
    std::filesystem::create_directories(dir.file("www/afrinic"));
    write_file(dir.file("rpsl.txt"), "aut-num: AS64500\nas-name: EXAMPLE\norg: ORG-EX1-RIPE\n"
                                     "source: RIPE\n\norganisation: ORG-EX1-RIPE\n"
                                     "org-name: Example Networks\nsource: RIPE\n");
    for (const char* name : {"ripe.db.aut-num.gz", "ripe.db.organisation.gz", "ripe.db.as-block.gz",
                             "ripe-nonauth.db.aut-num.gz"}) {
        auto gz = run_command({"/bin/sh", "-c",
                               "/usr/bin/gzip -c '" + dir.file("rpsl.txt") + "' > '" +
                                   dir.file(std::string("www/ripe/") + name) + "'"});
        ASSERT_EQ(gz.exit_code, 0) << gz.err;
    }
    const std::string whole = read_file(dir.file("www/ripe/ripe.db.aut-num.gz"));
    write_file(dir.file("www/afrinic/afrinic.db.gz"), whole.substr(0, whole.size() - 12));
    HttpFixture server(dir.file("www"), {"--interrupt-first"}, dir.file("access.log"));
    ASSERT_GT(server.port(), 0);
    const std::vector<std::string> cmd = {dg_binary(),   "as2org",      "fetch",
                                          "--registry",  "ripe",        "--base-url",
                                          server.base(), "--cache-dir", dir.file("cache")};
    auto r = run_command(cmd);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto paths = split_lines(r.out);
    ASSERT_EQ(paths.size(), 4U) << r.out;
    for (const auto& p : paths) {
        EXPECT_EQ(read_file(p),
                  read_file(dir.file("www/ripe/" + std::filesystem::path(p).filename().string())));
        EXPECT_NE(p.find("/cache/ripe/"), std::string::npos) << p;
    }
    EXPECT_NE(r.err.find("ripe.db.aut-num.gz: 2 objects, downloaded, verified"), std::string::npos)
        << r.err;
    const std::string log = read_file(dir.file("access.log"));
    EXPECT_NE(log.find("range=bytes="), std::string::npos) << log; // resumed
    // again: today's copies are reused, no request
    const auto requests = split_lines(log).size();
    auto again = run_command(cmd);
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(split_lines(again.out), paths);
    EXPECT_NE(again.err.find("cached"), std::string::npos);
    EXPECT_EQ(split_lines(read_file(dir.file("access.log"))).size(), requests);
    // the inference reads what was fetched
    std::vector<std::string> infer = {dg_binary(), "as2org", "infer", "-o", dir.file("out.txt")};
    infer.insert(infer.end(), paths.begin(), paths.end());
    auto inferred = run_command(infer);
    EXPECT_EQ(inferred.exit_code, 0) << inferred.err;

    // a truncated dump: refused with its file and offset, removed from the cache
    auto broken = run_command({dg_binary(), "as2org", "fetch", "--registry", "afrinic",
                               "--base-url", server.base(), "--cache-dir", dir.file("cache")});
    EXPECT_EQ(broken.exit_code, 1);
    EXPECT_NE(broken.err.find("afrinic.db.gz"), std::string::npos) << broken.err;
    EXPECT_NE(broken.err.find("truncated"), std::string::npos) << broken.err;
    EXPECT_TRUE(split_lines(broken.out).empty());
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir.file("cache"))) {
        EXPECT_EQ(e.path().filename().string().find("afrinic.db.gz"), std::string::npos)
            << e.path();
    }
    // ARIN needs an agreement; an earlier day is only in the cache
    auto arin = run_command({dg_binary(), "as2org", "fetch", "--registry", "arin"});
    EXPECT_EQ(arin.exit_code, 2);
    EXPECT_NE(arin.err.find("agreement"), std::string::npos) << arin.err;
    auto old = run_command({dg_binary(), "as2org", "fetch", "--registry", "ripe", "--date",
                            "2020-01-01", "--cache-dir", dir.file("cache")});
    EXPECT_EQ(old.exit_code, 1);
    EXPECT_NE(old.err.find("publish only their current dumps"), std::string::npos) << old.err;
}

} // namespace
} // namespace dg::test
