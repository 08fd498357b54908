#pragma once
// A throw-away PostgreSQL server for tests: initdb + pg_ctl in a temp dir, listening on a free
// 127.0.0.1 port (unix socket in the temp dir), trust authentication, fsync off. Stopped and
// removed on destruction. As root, the server runs as the `postgres` user (initdb refuses root).

#include <memory>
#include <string>
#include <vector>

namespace dg::test {

/// Directory of initdb/pg_ctl/postgres (env DG_PG_BIN_DIR, else the newest
/// /usr/lib/postgresql/<N>/bin), or "" when PostgreSQL is not installed.
std::string postgres_bin_dir();

class PostgresServer {
public:
    /// Starts a server; on failure returns nullptr and sets `error` (with the server log).
    /// `settings` are extra `-c NAME=VALUE` options (e.g. synchronous replication).
    static std::unique_ptr<PostgresServer> start(std::string& error,
                                                 const std::vector<std::string>& settings = {});
    /// A streaming standby of this server (pg_basebackup -R) on a port of its own, started;
    /// it reports as `standby` (application_name), so that the primary can wait for it with
    /// synchronous_standby_names. nullptr with `error` on failure.
    std::unique_ptr<PostgresServer> start_standby(std::string& error);
    /// kill -9 of the postmaster (its backends end with it): a crashed primary.
    void kill_hard();
    /// pg_ctl promote -w: the standby becomes a primary. False with `error` on failure.
    bool promote(std::string& error);
    ~PostgresServer();
    PostgresServer(const PostgresServer&) = delete;
    PostgresServer& operator=(const PostgresServer&) = delete;

    /// Creates database `name` and returns its URL (postgresql://postgres@127.0.0.1:PORT/name),
    /// or "" with `error` set.
    std::string create_database(const std::string& name, std::string& error);
    [[nodiscard]] int port() const { return port_; }
    /// postgresql://postgres@127.0.0.1:PORT
    [[nodiscard]] std::string base_url() const;
    /// Stops the server now (the destructor does it otherwise); used to test lost connections.
    void stop();

private:
    PostgresServer() = default;
    /// pg_ctl start on a free port (a few tries); false with `error`.
    bool start_on_free_port(const std::vector<std::string>& settings, std::string& error);
    std::string dir_;
    std::string bin_;
    int port_ = 0;
    bool running_ = false;
};

/// One server per test process, started on first use and stopped at exit; nullptr on failure.
PostgresServer* shared_postgres_server(std::string& error);

} // namespace dg::test

/// Declares `url` = a fresh database on the shared server; skips (or fails under
/// DG_REQUIRE_INTEGRATION=1) when PostgreSQL is not installed, fails when it will not start.
#define DG_POSTGRES_DATABASE_OR_SKIP(url)                                                          \
    std::string url;                                                                               \
    {                                                                                              \
        if (::dg::test::postgres_bin_dir().empty()) {                                              \
            if (::dg::test::integration_required()) {                                              \
                FAIL() << "PostgreSQL is not installed (scripts/setup installs it)";               \
            }                                                                                      \
            GTEST_SKIP() << "PostgreSQL is not installed (scripts/setup installs it)";             \
        }                                                                                          \
        std::string pg_error_;                                                                     \
        auto* pg_server_ = ::dg::test::shared_postgres_server(pg_error_);                          \
        ASSERT_NE(pg_server_, nullptr) << pg_error_;                                               \
        url = pg_server_->create_database(::dg::test::unique_database_name(), pg_error_);          \
        ASSERT_FALSE(url.empty()) << pg_error_;                                                    \
    }

namespace dg::test {
/// "dg_<test name>_<n>", lower case, safe as an identifier.
std::string unique_database_name();
} // namespace dg::test
