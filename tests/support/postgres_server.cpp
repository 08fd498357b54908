#include "tests/support/postgres_server.hpp"

#include "tests/support/support.hpp"

#include <arpa/inet.h>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
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

std::unique_ptr<PostgresServer> PostgresServer::start(std::string& error) {
    std::unique_ptr<PostgresServer> s(new PostgresServer());
    s->bin_ = postgres_bin_dir();
    if (s->bin_.empty()) {
        error = "PostgreSQL binaries not found";
        return nullptr;
    }
    char tmpl[] = "/tmp/dg-pg-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) {
        error = "mkdtemp failed";
        return nullptr;
    }
    s->dir_ = tmpl;
    if (geteuid() == 0) {
        const passwd* pw = getpwnam("postgres");
        if (pw == nullptr || chown(tmpl, pw->pw_uid, pw->pw_gid) != 0) {
            error = "running as root needs a 'postgres' user to own the server directory";
            return nullptr;
        }
    }
    const std::string data = s->dir_ + "/data";
    const auto init =
        run_command(as_server_user({s->bin_ + "/initdb", "-D", data, "-U", "postgres", "-A",
                                    "trust", "-E", "UTF8", "--locale=C", "--no-sync"}));
    if (init.exit_code != 0) {
        error = "initdb failed: " + describe(init);
        return nullptr;
    }
    // A free port can be taken between our probe and the server's bind: try a few.
    for (int attempt = 0; attempt < 5; ++attempt) {
        s->port_ = free_port();
        const auto started = run_command(as_server_user(
            {s->bin_ + "/pg_ctl", "-D", data, "-l", s->dir_ + "/server.log", "-w", "-t", "60", "-o",
             "-p " + std::to_string(s->port_) + " -k " + s->dir_ +
                 " -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
                 " -c full_page_writes=off -c max_connections=50",
             "start"}));
        if (started.exit_code == 0) {
            s->running_ = true;
            return s;
        }
        error = "pg_ctl start failed: " + describe(started) + "\nserver log:\n" +
                read_file(s->dir_ + "/server.log");
    }
    return nullptr;
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
