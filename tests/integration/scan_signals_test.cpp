// Issue 19 item 10: SIGHUP (the terminal or ssh session went away) killed `scan` and left its
// scan `running` forever. It is now a stop signal like SIGINT and SIGTERM: exit 130, finished
// results kept, the scan resumable (or removed when nothing was stored), never left `running`.

#include "dg/store/store.hpp"
#include "tests/support/support.hpp"

#include <arpa/inet.h>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace dg::test {
namespace {

/// A UDP socket on loopback that never answers: every query times out.
struct Blackhole {
    Blackhole() {
        fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && // NOLINT
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {         // NOLINT
            port = ntohs(a.sin_port);
        }
    }
    ~Blackhole() {
        if (fd >= 0) {
            ::close(fd);
        }
    }
    Blackhole(const Blackhole&) = delete;
    Blackhole& operator=(const Blackhole&) = delete;
    int fd = -1;
    int port = 0;
};

pid_t spawn(std::vector<std::string> args, const std::string& err_file) {
    std::vector<char*> argv;
    for (auto& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    return rc == 0 ? pid : -1;
}

int wait_exit(pid_t pid) {
    int status = 0;
    if (::waitpid(pid, &status, 0) != pid) {
        return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool wait_for_text(const std::string& file, const std::string& text) {
    for (int i = 0; i < 600; ++i) { // up to 60 s: a slow sanitizer build
        if (read_file(file).find(text) != std::string::npos) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
}

TEST(ScanSignals, SighupStopsTheScanLikeSigterm) {
    const Blackhole hole;
    ASSERT_GT(hole.port, 0);
    const TempDir dir;
    std::string list;
    for (int i = 0; i < 2000; ++i) {
        list += "name" + std::to_string(i) + ".example\n";
    }
    write_file(dir.file("list.txt"), list);
    write_file(dir.file("table.p2a"), "192.0.2.0\t24\t64496\n");
    const std::string db = "sqlite://" + dir.file("s.db");
    const std::string err = dir.file("err.txt");
    const pid_t pid = spawn({dg_binary(), "scan", "--no-progress", "-d", dir.file("list.txt"), "-m",
                             dir.file("table.p2a"), "--db", db, "--format", "none", "--resolver",
                             "127.0.0.1:" + std::to_string(hole.port), "--no-repair"},
                            err);
    ASSERT_GT(pid, 0);
    ASSERT_TRUE(wait_for_text(err, "settings: rate")) << read_file(err); // the scan runs
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ASSERT_EQ(::kill(pid, SIGHUP), 0);
    EXPECT_EQ(wait_exit(pid), 130) << read_file(err); // before: 129, killed by the signal
    EXPECT_NE(read_file(err).find("interrupted"), std::string::npos) << read_file(err);
    auto store = store::Store::open(db);
    ASSERT_TRUE(store) << store.error().to_string();
    auto scans = (*store)->list_scans();
    ASSERT_TRUE(scans);
    for (const auto& s : *scans) {
        EXPECT_NE(s.status, model::ScanStatus::Running) << "scan " << s.id << " left running";
    }
}

} // namespace
} // namespace dg::test
