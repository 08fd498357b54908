// Issue 19 item 1: `-o PATH` writes through what is at PATH the way every Unix tool does. Before,
// every writer created PATH.tmp.PID and renamed it over PATH, so a FIFO, a character device
// (`export 1 -o /dev/null` as root) or a symlink became a regular file.

#include "dg/core/output_file.hpp"
#include "tests/support/support.hpp"

#include <fcntl.h>
#include <filesystem>
#include <future>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

namespace dg {
namespace {

namespace fs = std::filesystem;
using test::read_file;
using test::TempDir;
using test::write_file;

std::string read_fd(int fd) {
    std::string out;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) {
            return out;
        }
        out.append(buf, static_cast<std::size_t>(n));
    }
}

TEST(OutputFile, RegularFileIsReplacedAtCommitAndKeepsItsMode) {
    TempDir dir;
    const std::string path = dir.file("out.txt");
    write_file(path, "old");
    ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
    auto out = OutputFile::open(path);
    ASSERT_TRUE(out) << out.error().to_string();
    ASSERT_TRUE((*out)->write("new bytes"));
    EXPECT_EQ(read_file(path), "old"); // nothing visible before commit
    ASSERT_TRUE((*out)->commit());
    EXPECT_EQ(read_file(path), "new bytes");
    EXPECT_EQ(fs::status(path).permissions(),
              fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
    EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator{}), 1);
}

TEST(OutputFile, WithoutCommitTheTargetIsUntouchedAndNoTemporaryRemains) {
    TempDir dir;
    const std::string path = dir.file("out.txt");
    write_file(path, "old");
    {
        auto out = OutputFile::open(path);
        ASSERT_TRUE(out);
        ASSERT_TRUE((*out)->write("half"));
    }
    EXPECT_EQ(read_file(path), "old");
    EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator{}), 1);
}

TEST(OutputFile, SymlinkStaysALinkAndItsTargetGetsTheBytes) {
    TempDir dir;
    fs::create_directory(dir.file("real"));
    write_file(dir.file("real/target.txt"), "old");
    fs::create_symlink("real/target.txt", dir.file("link")); // relative link
    fs::create_symlink(dir.file("link"), dir.file("link2")); // a chain
    ASSERT_TRUE(write_output_file(dir.file("link2"), "through two links"));
    EXPECT_TRUE(fs::is_symlink(dir.file("link")));
    EXPECT_TRUE(fs::is_symlink(dir.file("link2")));
    EXPECT_EQ(read_file(dir.file("real/target.txt")), "through two links");
    // A dangling link: its target is created, the link stays.
    fs::create_symlink("real/new.txt", dir.file("dangling"));
    ASSERT_TRUE(write_output_file(dir.file("dangling"), "created"));
    EXPECT_TRUE(fs::is_symlink(dir.file("dangling")));
    EXPECT_EQ(read_file(dir.file("real/new.txt")), "created");
}

TEST(OutputFile, SymlinkLoopIsAnError) {
    TempDir dir;
    fs::create_symlink("b", dir.file("a"));
    fs::create_symlink("a", dir.file("b"));
    auto w = write_output_file(dir.file("a"), "x");
    ASSERT_FALSE(w);
    EXPECT_EQ(w.error().code, ErrorCode::InvalidArgument);
}

TEST(OutputFile, FifoIsWrittenInPlace) {
    TempDir dir;
    const std::string fifo = dir.file("fifo");
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    auto reader = std::async(std::launch::async, [&] {
        const int fd = ::open(fifo.c_str(), O_RDONLY | O_CLOEXEC);
        std::string got = fd < 0 ? "open failed" : read_fd(fd);
        if (fd >= 0) {
            ::close(fd);
        }
        return got;
    });
    ASSERT_TRUE(write_output_file(fifo, "to the reader\n"));
    EXPECT_EQ(reader.get(), "to the reader\n");
    EXPECT_TRUE(fs::is_fifo(fifo));
    // Through a symlink to the FIFO as well.
    fs::create_symlink(fifo, dir.file("to-fifo"));
    auto reader2 = std::async(std::launch::async, [&] {
        const int fd = ::open(fifo.c_str(), O_RDONLY | O_CLOEXEC);
        std::string got = fd < 0 ? "open failed" : read_fd(fd);
        if (fd >= 0) {
            ::close(fd);
        }
        return got;
    });
    ASSERT_TRUE(write_output_file(dir.file("to-fifo"), "again"));
    EXPECT_EQ(reader2.get(), "again");
    EXPECT_TRUE(fs::is_fifo(fifo));
    EXPECT_TRUE(fs::is_symlink(dir.file("to-fifo")));
}

TEST(OutputFile, CharacterDeviceStaysADevice) {
    if (::geteuid() != 0) {
        GTEST_SKIP() << "mknod needs root";
    }
    TempDir dir;
    const std::string null_dev = dir.file("null"); // never the system's /dev/null
    if (::mknod(null_dev.c_str(), S_IFCHR | 0666, ::makedev(1, 3)) != 0) {
        GTEST_SKIP() << "mknod refused (container without CAP_MKNOD)";
    }
    auto out = OutputFile::open(null_dev);
    ASSERT_TRUE(out) << out.error().to_string();
    ASSERT_TRUE((*out)->write(std::string(100000, 'x')));
    ASSERT_TRUE((*out)->commit());
    EXPECT_TRUE(fs::is_character_file(null_dev));
    EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator{}), 1);
}

TEST(OutputFile, SymlinkToProcSelfFdWritesToThatDescriptor) {
    TempDir dir;
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const std::string link = dir.file("stdout-link");
    fs::create_symlink("/proc/self/fd/" + std::to_string(fds[1]), link);
    ASSERT_TRUE(write_output_file(link, "via /proc/self/fd"));
    ::close(fds[1]);
    EXPECT_EQ(read_fd(fds[0]), "via /proc/self/fd");
    ::close(fds[0]);
    EXPECT_TRUE(fs::is_symlink(link));
}

TEST(OutputFile, AppendAndTruncateStreamInPlace) {
    TempDir dir;
    const std::string path = dir.file("stream.txt");
    {
        auto out = OutputFile::open(path, OutputFile::Mode::Truncate);
        ASSERT_TRUE(out);
        ASSERT_TRUE((*out)->write("one\n"));
        ASSERT_TRUE((*out)->flush());
        EXPECT_EQ(read_file(path), "one\n"); // visible while streaming
    }
    {
        auto out = OutputFile::open(path, OutputFile::Mode::Append);
        ASSERT_TRUE(out);
        ASSERT_TRUE((*out)->write("two\n"));
        ASSERT_TRUE((*out)->commit());
    }
    EXPECT_EQ(read_file(path), "one\ntwo\n");
}

TEST(OutputFile, EmptyPathIsRefused) {
    auto out = OutputFile::open("");
    ASSERT_FALSE(out);
    EXPECT_EQ(out.error().code, ErrorCode::InvalidArgument);
}

} // namespace
} // namespace dg
