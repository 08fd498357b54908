// Issue 19 item 1: `-o PATH` wrote PATH.tmp.PID and renamed it over PATH, so a FIFO, a character
// device (`export 1 -o /dev/null` as root) or a symlink became a regular file, and a symlink to
// /proc/self/fd/1 wrote nothing to stdout. Every writer now goes through one helper
// (dg/core/output_file.hpp); these run the real binary's writers onto each kind of target.

#include "dg/store/store.hpp"
#include "tests/support/support.hpp"

#include <fcntl.h>
#include <filesystem>
#include <future>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

namespace dg::test {
namespace {

namespace fs = std::filesystem;

class OutputTargets : public ::testing::Test {
protected:
    void SetUp() override {
        db_ = "sqlite://" + dir_.file("s.db");
        auto store = store::Store::open(db_);
        ASSERT_TRUE(store) << store.error().to_string();
        for (const char* status : {"NOERROR", "NXDOMAIN"}) { // two scans: diff 1 2
            auto scan = (*store)->create_scan(store::NewScan{});
            ASSERT_TRUE(scan);
            model::DomainResult r;
            r.domain = "example.com";
            r.status = status;
            r.resolved_at = 1'700'000'000;
            ASSERT_TRUE((*store)->write_results(scan->id, std::span(&r, 1)));
            ASSERT_TRUE((*store)->set_scan_status(scan->id, model::ScanStatus::Complete));
        }
    }

    /// The writers that take -o, each aimed at `target`.
    [[nodiscard]] std::vector<std::vector<std::string>> writers(const std::string& target) const {
        const std::string bin = dg_binary();
        return {
            {bin, "export", "1", "--db", db_, "--format", "jsonl", "-o", target},
            {bin, "diff", "1", "2", "--db", db_, "--format", "json", "-o", target},
            {bin, "diff", "1", "2", "--db", db_, "-o", target}, // text: the report's writer too
        };
    }

    TempDir dir_;
    std::string db_;
};

/// Lets a reader blocked in open() go when the command failed before opening the FIFO.
void release_reader(const std::string& fifo) {
    const int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0) {
        ::close(fd);
    }
}

std::string read_fifo(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return "open failed";
    }
    std::string out;
    char buf[65536];
    for (ssize_t n = 0; (n = ::read(fd, buf, sizeof buf)) > 0;) {
        out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return out;
}

TEST_F(OutputTargets, SymlinkStaysALinkAndItsTargetGetsTheBytes) {
    for (const auto& argv : writers(dir_.file("link"))) {
        fs::remove(dir_.file("link"));
        write_file(dir_.file("real.out"), "old");
        fs::create_symlink("real.out", dir_.file("link"));
        const auto r = run_command(argv);
        EXPECT_EQ(r.exit_code, 0) << argv[1] << ": " << r.err;
        EXPECT_TRUE(fs::is_symlink(dir_.file("link"))) << argv[1];
        const std::string got = read_file(dir_.file("real.out"));
        EXPECT_NE(got, "old") << argv[1];
        EXPECT_FALSE(got.empty()) << argv[1];
    }
    EXPECT_NE(read_file(dir_.file("real.out")).find("example.com"), std::string::npos);
}

TEST_F(OutputTargets, FifoKeepsItsTypeAndTheReaderGetsTheBytes) {
    const std::string fifo = dir_.file("fifo");
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    for (const auto& argv : writers(fifo)) {
        auto reader = std::async(std::launch::async, read_fifo, fifo);
        const auto r = run_command(argv);
        release_reader(fifo);
        EXPECT_EQ(r.exit_code, 0) << argv[1] << ": " << r.err;
        const std::string got = reader.get();
        EXPECT_FALSE(got.empty()) << argv[1];
        EXPECT_TRUE(fs::is_fifo(fifo)) << argv[1];
    }
    auto reader = std::async(std::launch::async, read_fifo, fifo);
    EXPECT_EQ(run_command(writers(fifo)[0]).exit_code, 0);
    release_reader(fifo);
    EXPECT_NE(reader.get().find("\"example.com\""), std::string::npos);
}

TEST_F(OutputTargets, CharacterDeviceStaysADevice) {
    if (::geteuid() != 0) {
        GTEST_SKIP() << "mknod needs root";
    }
    const std::string null_dev = dir_.file("null"); // a private null device, never /dev/null
    if (::mknod(null_dev.c_str(), S_IFCHR | 0666, ::makedev(1, 3)) != 0) {
        GTEST_SKIP() << "mknod refused (no CAP_MKNOD)";
    }
    for (const auto& argv : writers(null_dev)) {
        const auto r = run_command(argv);
        EXPECT_EQ(r.exit_code, 0) << argv[1] << ": " << r.err;
        EXPECT_TRUE(fs::is_character_file(null_dev)) << argv[1];
    }
    for (const auto& e : fs::directory_iterator(dir_.path())) {
        EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path();
    }
}

TEST_F(OutputTargets, SymlinkToProcSelfFdOneWritesToStdout) {
    fs::create_symlink("/proc/self/fd/1", dir_.file("stdout"));
    const auto r = run_command(writers(dir_.file("stdout"))[0]);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("\"example.com\""), std::string::npos) << r.out;
    EXPECT_TRUE(fs::is_symlink(dir_.file("stdout")));
}

TEST_F(OutputTargets, RegularFileIsReplacedAndDashIsStdout) {
    write_file(dir_.file("out.jsonl"), "old");
    auto r = run_command(writers(dir_.file("out.jsonl"))[0]);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(read_file(dir_.file("out.jsonl")).find("\"example.com\""), std::string::npos);
    r = run_command(writers("-")[0]);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("\"example.com\""), std::string::npos);
}

} // namespace
} // namespace dg::test
