#include "tests/support/postgres_server.hpp"

#include "tests/support/support.hpp"

#include <arpa/inet.h>
#include <atomic>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace dg::test {
namespace {

namespace fs = std::filesystem;

int free_port() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return 0;
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    int port = 0;
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
        port = ntohs(addr.sin_port);
    }
    close(fd);
    return port;
}

/// argv prefixed with `runuser -u postgres --` when we are root.
std::vector<std::string> as_server_user(std::vector<std::string> argv) {
    if (geteuid() != 0) {
        return argv;
    }
    std::vector<std::string> out = {"runuser", "-u", "postgres", "--"};
    out.insert(out.end(), argv.begin(), argv.end());
    return out;
}

std::string describe(const CommandResult& r) {
    return "exit " + std::to_string(r.exit_code) + "\n" + r.out + r.err;
}

/// A new temp directory for a server, owned by `postgres` when we are root; "" on failure.
std::string make_server_dir(std::string& error) {
    char tmpl[] = "/tmp/dg-pg-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) {
        error = "mkdtemp failed";
        return "";
    }
    if (geteuid() == 0) {
        const passwd* pw = getpwnam("postgres");
        if (pw == nullptr || chown(tmpl, pw->pw_uid, pw->pw_gid) != 0) {
            error = "running as root needs a 'postgres' user to own the server directory";
            return "";
        }
    }
    return tmpl;
}

} // namespace

std::string postgres_bin_dir() {
    if (const char* env = std::getenv("DG_PG_BIN_DIR"); env != nullptr && *env != '\0') {
        return fs::exists(fs::path(env) / "pg_ctl") ? env : "";
    }
    std::error_code ec;
    int best = -1;
    std::string out;
    for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
        const std::string name = e.path().filename().string();
        const int v = std::atoi(name.c_str());
        if (v > best && fs::exists(e.path() / "bin" / "initdb") &&
            fs::exists(e.path() / "bin" / "pg_ctl")) {
            best = v;
            out = (e.path() / "bin").string();
        }
    }
    return out;
}

std::unique_ptr<PostgresServer> PostgresServer::start(std::string& error,
                                                      const std::vector<std::string>& settings) {
    std::unique_ptr<PostgresServer> s(new PostgresServer());
    s->bin_ = postgres_bin_dir();
    if (s->bin_.empty()) {
        error = "PostgreSQL binaries not found";
        return nullptr;
    }
    s->dir_ = make_server_dir(error);
    if (s->dir_.empty()) {
        return nullptr;
    }
    const std::string data = s->dir_ + "/data";
    const auto init =
        run_command(as_server_user({s->bin_ + "/initdb", "-D", data, "-U", "postgres", "-A",
                                    "trust", "-E", "UTF8", "--locale=C", "--no-sync"}));
    if (init.exit_code != 0) {
        error = "initdb failed: " + describe(init);
        return nullptr;
    }
    std::vector<std::string> all = {"fsync=off", "synchronous_commit=off", "full_page_writes=off",
                                    "max_connections=50"};
    all.insert(all.end(), settings.begin(), settings.end()); // later ones win
    return s->start_on_free_port(all, error) ? std::move(s) : nullptr;
}

bool PostgresServer::start_on_free_port(const std::vector<std::string>& settings,
                                        std::string& error) {
    std::string options = " -k " + dir_ + " -c listen_addresses=127.0.0.1";
    for (const std::string& c : settings) {
        options += " -c " + c;
    }
    // A free port can be taken between our probe and the server's bind: try a few.
    for (int attempt = 0; attempt < 5; ++attempt) {
        port_ = free_port();
        const auto started = run_command(as_server_user(
            {bin_ + "/pg_ctl", "-D", dir_ + "/data", "-l", dir_ + "/server.log", "-w", "-t", "60",
             "-o", "-p " + std::to_string(port_) + options, "start"}));
        if (started.exit_code == 0) {
            running_ = true;
            return true;
        }
        error = "pg_ctl start failed: " + describe(started) + "\nserver log:\n" +
                read_file(dir_ + "/server.log");
    }
    return false;
}

std::unique_ptr<PostgresServer> PostgresServer::start_standby(std::string& error) {
    std::unique_ptr<PostgresServer> s(new PostgresServer());
    s->bin_ = bin_;
    s->dir_ = make_server_dir(error);
    if (s->dir_.empty()) {
        return nullptr;
    }
    const auto copied = run_command(
        as_server_user({bin_ + "/pg_basebackup", "-D", s->dir_ + "/data", "-h", "127.0.0.1", "-p",
                        std::to_string(port_), "-U", "postgres", "-R", "-X", "stream", "--no-sync",
                        "-c", "fast", "-d", "application_name=standby"}));
    if (copied.exit_code != 0) {
        error = "pg_basebackup failed: " + describe(copied);
        return nullptr;
    }
    return s->start_on_free_port({"fsync=off", "max_connections=50", "hot_standby=on"}, error)
               ? std::move(s)
               : nullptr;
}

void PostgresServer::kill_hard() {
    const std::string pid_file = read_file(dir_ + "/data/postmaster.pid");
    const int pid = std::atoi(pid_file.c_str());
    if (pid > 0) {
        ::kill(pid, SIGKILL);
        for (int i = 0; i < 100 && ::kill(pid, 0) == 0; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
    running_ = false;
}

bool PostgresServer::promote(std::string& error) {
    const auto r = run_command(
        as_server_user({bin_ + "/pg_ctl", "-D", dir_ + "/data", "-w", "-t", "60", "promote"}));
    if (r.exit_code != 0) {
        error = "pg_ctl promote failed: " + describe(r);
        return false;
    }
    return true;
}

void PostgresServer::stop() {
    if (running_) {
        (void)run_command(as_server_user(
            {bin_ + "/pg_ctl", "-D", dir_ + "/data", "-m", "immediate", "-w", "stop"}));
        running_ = false;
    }
}

PostgresServer::~PostgresServer() {
    stop();
    if (!dir_.empty()) {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
}

std::string PostgresServer::base_url() const {
    return "postgresql://postgres@127.0.0.1:" + std::to_string(port_);
}

std::string PostgresServer::create_database(const std::string& name, std::string& error) {
    const auto r = run_command({bin_ + "/createdb", "-h", "127.0.0.1", "-p", std::to_string(port_),
                                "-U", "postgres", name});
    if (r.exit_code != 0) {
        error = "createdb " + name + " failed: " + describe(r);
        return "";
    }
    return base_url() + "/" + name;
}

PostgresServer* shared_postgres_server(std::string& error) {
    static std::string start_error;
    static std::unique_ptr<PostgresServer> server = PostgresServer::start(start_error);
    error = start_error;
    return server.get();
}

std::string unique_database_name() {
    static std::atomic<int> counter{0};
    std::string name = "dg";
    if (const auto* info = ::testing::UnitTest::GetInstance()->current_test_info()) {
        name += "_";
        name += info->name();
    }
    for (char& c : name) {
        c = std::isalnum(static_cast<unsigned char>(c)) != 0
                ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
                : '_';
    }
    name = name.substr(0, 40);
    return name + "_" + std::to_string(getpid()) + "_" + std::to_string(++counter);
}

} // namespace dg::test
