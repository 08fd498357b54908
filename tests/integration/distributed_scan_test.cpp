// Distributed scans (issue 17) against a real PostgreSQL and the DNS rig: `scan --distributed`
// shards the list, `domaingraph worker` processes lease, resolve and write them. "Correct"
// means every valid input name stored exactly once and each result equal, timestamps and TTLs
// aside, to a single-process `scan` of the same list (../shared/design/scale-out.md section 5).
#include "dg/model/json.hpp"
#include "dg/store/store.hpp"
#include "tests/support/dns_rig.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/support/support.hpp"

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>

extern char** environ;

namespace dg::test {
namespace {

using nlohmann::json;

constexpr const char* kRib = "mrt/rib.20140523.0600_firstMB.bz2";

/// Starts the binary with `argv` (after the binary), stdout and stderr to `log`; `env` adds
/// NAME=VALUE entries.
pid_t spawn_dg(const std::vector<std::string>& argv, const std::string& log,
               const std::vector<std::string>& env = {}) {
    std::vector<std::string> all = {dg_binary()};
    all.insert(all.end(), argv.begin(), argv.end());
    std::vector<char*> args;
    for (auto& a : all) {
        args.push_back(a.data());
    }
    args.push_back(nullptr);
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) {
        env_strings.emplace_back(*e);
    }
    env_strings.insert(env_strings.end(), env.begin(), env.end());
    std::vector<char*> envp;
    for (auto& e : env_strings) {
        envp.push_back(e.data());
    }
    envp.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid = -1;
    if (posix_spawn(&pid, args[0], &fa, nullptr, args.data(), envp.data()) != 0) {
        pid = -1;
    }
    posix_spawn_file_actions_destroy(&fa);
    return pid;
}

int wait_exit(pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/// A result as JSON without what differs between two runs: when it was resolved and the
/// TTLs (the recursive's cache counts them down).
json comparable(const model::DomainResult& r) {
    json j = model::to_json(r);
    std::function<void(json&)> strip = [&](json& v) {
        if (v.is_object()) {
            v.erase("resolved_at");
            v.erase("ttl");
            for (auto& [k, x] : v.items()) {
                strip(x);
            }
        } else if (v.is_array()) {
            for (auto& x : v) {
                strip(x);
            }
        }
    };
    strip(j);
    return j;
}

std::map<std::string, json> stored_results(const std::string& url, std::int64_t scan_id,
                                           std::size_t* rows) {
    std::map<std::string, json> out;
    auto store = store::Store::open(url);
    EXPECT_TRUE(store) << store.error().to_string();
    if (!store) {
        return out;
    }
    auto all = (*store)->results_vector(scan_id, {});
    EXPECT_TRUE(all);
    if (!all) {
        return out;
    }
    *rows = all->size();
    for (const auto& s : *all) {
        out[s.result.domain] = comparable(s.result);
    }
    return out;
}

json progress(const std::string& url, std::int64_t scan_id) {
    auto r = run_command(
        {dg_binary(), "scans", "progress", std::to_string(scan_id), "--db", url, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out, nullptr, false);
}

/// The rig, a single-process reference scan of its names (in its own database) and a
/// distributed scan of the same names (not yet run), for each test.
struct DistributedRun {
    std::optional<DnsRig> rig;
    std::string rib;
    std::string url;          ///< the distributed scan's database
    std::int64_t scan_id = 0; ///< the distributed scan
    std::map<std::string, json> reference;
    TempDir dir;

    std::vector<std::string> worker_args(std::int64_t lease = 5) const {
        return {"worker",
                "--db",
                url,
                "--scan",
                std::to_string(scan_id),
                "--lease",
                std::to_string(lease)};
    }

    /// Every name once, each result equal to the reference.
    void expect_correct() const {
        std::size_t rows = 0;
        const auto got = stored_results(url, scan_id, &rows);
        EXPECT_EQ(rows, reference.size()); // COUNT(*) = distinct names
        EXPECT_EQ(got.size(), reference.size());
        std::size_t differing = 0;
        for (const auto& [name, want] : reference) {
            const auto it = got.find(name);
            if (it == got.end() || it->second != want) {
                if (++differing <= 3) {
                    ADD_FAILURE() << name << ": got "
                                  << (it == got.end() ? "nothing" : it->second.dump()) << "\nwant "
                                  << want.dump();
                }
            }
        }
        EXPECT_EQ(differing, 0U);
    }
};

/// `names` rig names, the reference scan, and `scan --distributed` with `extra` options.
void prepare(DistributedRun& s, const std::string& pg_url, int names,
             const std::vector<std::string>& extra) {
    s.rig = DnsRig::start(names);
    ASSERT_TRUE(s.rig) << DnsRig::last_error();
    s.url = pg_url;
    std::string error;
    auto* server = shared_postgres_server(error);
    ASSERT_NE(server, nullptr) << error;
    const std::string ref_url = server->create_database(unique_database_name(), error);
    ASSERT_FALSE(ref_url.empty()) << error;
    auto ref = run_command({dg_binary(), "scan", "--no-progress", "-d", s.rig->names_file(), "-m",
                            s.rib, "--db", ref_url, "--resolver", s.rig->recursive_endpoint(),
                            "--format", "none"});
    ASSERT_EQ(ref.exit_code, 0) << ref.err;
    std::size_t rows = 0;
    s.reference = stored_results(ref_url, 1, &rows);
    ASSERT_GT(s.reference.size(), static_cast<std::size_t>(names) / 2);
    std::vector<std::string> argv = {dg_binary(),
                                     "scan",
                                     "--no-progress",
                                     "-d",
                                     s.rig->names_file(),
                                     "-m",
                                     s.rib,
                                     "--db",
                                     s.url,
                                     "--resolver",
                                     s.rig->recursive_endpoint(),
                                     "--distributed"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto created = run_command(argv);
    ASSERT_EQ(created.exit_code, 0) << created.err;
    s.scan_id = std::stoll(created.out);
    ASSERT_GT(s.scan_id, 0);
}

std::vector<json> shard_rows(const std::string& url, std::int64_t scan_id) {
    auto store = store::Store::open(url);
    EXPECT_TRUE(store);
    std::vector<json> out;
    auto r = run_command({"psql", url, "-At", "-F", "\t", "-c",
                          "SELECT shard_no, state, attempt FROM scan_shards WHERE scan_id = " +
                              std::to_string(scan_id) + " ORDER BY shard_no"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    for (const auto& line : split_lines(r.out)) {
        const auto t1 = line.find('\t');
        const auto t2 = line.find('\t', t1 + 1);
        out.push_back({{"shard", std::stoi(line.substr(0, t1))},
                       {"state", line.substr(t1 + 1, t2 - t1 - 1)},
                       {"attempt", std::stoi(line.substr(t2 + 1))}});
    }
    return out;
}

#define DG_DISTRIBUTED_SETUP(s, names, ...)                                                        \
    DG_DNS_SERVERS_OR_SKIP();                                                                      \
    DG_SHARED_OR_SKIP(rib_file_, kRib);                                                            \
    DG_POSTGRES_DATABASE_OR_SKIP(pg_url_);                                                         \
    DistributedRun s;                                                                              \
    s.rib = rib_file_;                                                                             \
    prepare(s, pg_url_, names, __VA_ARGS__);                                                       \
    if (HasFatalFailure()) {                                                                       \
        return;                                                                                    \
    }

TEST(DistributedScan, OneWorkerDoesEveryShardAtTheFirstAttempt) {
    DG_DISTRIBUTED_SETUP(s, 4000, {"--shards", "40"});
    auto w = run_command([&] {
        auto a = s.worker_args();
        a.insert(a.begin(), dg_binary());
        return a;
    }());
    ASSERT_EQ(w.exit_code, 0) << w.err;
    s.expect_correct();
    const auto shards = shard_rows(s.url, s.scan_id);
    ASSERT_EQ(shards.size(), 40U);
    for (const auto& sh : shards) {
        EXPECT_EQ(sh["state"], "done") << sh;
        EXPECT_EQ(sh["attempt"], 1) << sh;
    }
    const auto p = progress(s.url, s.scan_id);
    EXPECT_EQ(p["status"], "complete");
    EXPECT_EQ(p["names_done"], p["names_total"]);
    EXPECT_EQ(p["names_total"], s.reference.size());
    EXPECT_EQ(p["shards"]["done"], 40);
}

TEST(DistributedScan, KilledWorkersShardsAreTakenOverAfterTheLease) {
    // rate-capped so that shards take a while; three kill -9s of the worker holding a lease
    DG_DISTRIBUTED_SETUP(s, 1200, {"--shards", "12", "--rate", "1500"});
    const std::string log = s.dir.file("workers.log");
    std::set<std::int64_t> killed_shards;
    std::uint64_t last_done = 0;
    for (int kill = 0; kill < 3; ++kill) {
        const pid_t pid = spawn_dg(s.worker_args(), log);
        ASSERT_GT(pid, 0);
        // wait until it holds a shard with some names written
        bool holding = false;
        for (int i = 0; i < 200 && !holding; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            const auto p = progress(s.url, s.scan_id);
            ASSERT_GE(p["names_done"].get<std::uint64_t>(), last_done) << "progress went back";
            last_done = p["names_done"].get<std::uint64_t>();
            for (const auto& w : p["workers"]) {
                if (!w["shard"].is_null() && p["shards"]["leased"].get<int>() > 0) {
                    holding = true;
                    killed_shards.insert(w["shard"].get<std::int64_t>());
                }
            }
        }
        ASSERT_TRUE(holding) << read_file(log);
        std::this_thread::sleep_for(std::chrono::milliseconds(300 + 200 * kill));
        ::kill(pid, SIGKILL);
        EXPECT_EQ(wait_exit(pid), 128 + SIGKILL);
    }
    // the dead worker is shown stale within one lease (5 s)
    std::this_thread::sleep_for(std::chrono::seconds(5));
    const auto stale = progress(s.url, s.scan_id);
    bool saw_stale = false;
    for (const auto& w : stale["workers"]) {
        saw_stale = saw_stale || w["heartbeat_age_s"].get<double>() >= 4;
    }
    EXPECT_TRUE(saw_stale) << stale.dump();
    // one healthy worker finishes: the killed shards are taken over once their lease expired
    const auto start = std::chrono::steady_clock::now();
    const pid_t last = spawn_dg(s.worker_args(), log);
    EXPECT_EQ(wait_exit(last), 0) << read_file(log);
    (void)start;
    s.expect_correct();
    int retried = 0;
    for (const auto& sh : shard_rows(s.url, s.scan_id)) {
        EXPECT_EQ(sh["state"], "done") << sh;
        if (killed_shards.count(sh["shard"].get<std::int64_t>()) > 0) {
            EXPECT_GE(sh["attempt"].get<int>(), 2) << sh;
            ++retried;
        }
    }
    EXPECT_EQ(retried, static_cast<int>(killed_shards.size()));
    const auto p = progress(s.url, s.scan_id);
    EXPECT_EQ(p["status"], "complete");
    EXPECT_EQ(p["names_done"], p["names_total"]);
    EXPECT_GE(p["retries"].get<int>(), 1);
}

TEST(DistributedScan, AStoppedWorkersLateWritesAreFenced) {
    // slow shards (~4 s each) so that the stop lands inside one
    DG_DISTRIBUTED_SETUP(s, 600, {"--shards", "3", "--rate", "200"});
    const std::string log_a = s.dir.file("a.log");
    const std::string log_b = s.dir.file("b.log");
    const pid_t a = spawn_dg(s.worker_args(2), log_a);
    ASSERT_GT(a, 0);
    bool holding = false;
    for (int i = 0; i < 200 && !holding; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        const auto p = progress(s.url, s.scan_id);
        holding = p["shards"]["leased"].get<int>() > 0 && p["names_done"].get<int>() > 0;
    }
    ASSERT_TRUE(holding);
    ::kill(a, SIGSTOP); // for twice the lease
    // once its lease has expired, worker b claims the lowest free shard: a's
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    const pid_t b = spawn_dg(s.worker_args(2), log_b);
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    ::kill(a, SIGCONT);
    EXPECT_EQ(wait_exit(b), 0) << read_file(log_b);
    EXPECT_EQ(wait_exit(a), 0) << read_file(log_a);
    EXPECT_NE(read_file(log_a).find("lost the lease"), std::string::npos) << read_file(log_a);
    EXPECT_NE(read_file(log_a).find("its writes were refused"), std::string::npos);
    s.expect_correct();
    int taken_over = 0;
    for (const auto& sh : shard_rows(s.url, s.scan_id)) {
        EXPECT_EQ(sh["state"], "done") << sh;
        taken_over += sh["attempt"].get<int>() >= 2 ? 1 : 0;
    }
    EXPECT_EQ(taken_over, 1);
}

TEST(DistributedScan, ACrashBeforeCompletionIsRedoneIdempotently) {
    DG_DISTRIBUTED_SETUP(s, 800, {"--shards", "8"});
    const std::string log = s.dir.file("w.log");
    const pid_t crash = spawn_dg(s.worker_args(1), log, {"DG_FAULT_CRASH_BEFORE_COMPLETE=3"});
    EXPECT_EQ(wait_exit(crash), 137) << read_file(log);
    const pid_t again = spawn_dg(s.worker_args(1), log);
    EXPECT_EQ(wait_exit(again), 0) << read_file(log);
    s.expect_correct();
    for (const auto& sh : shard_rows(s.url, s.scan_id)) {
        EXPECT_EQ(sh["state"], "done") << sh;
        EXPECT_EQ(sh["attempt"], sh["shard"] == 3 ? 2 : 1) << sh;
    }
}

TEST(DistributedScan, APoisonShardFailsTheScanUntilRetried) {
    DG_DISTRIBUTED_SETUP(s, 500, {"--shards", "5", "--max-attempts", "2"});
    const std::string log = s.dir.file("w.log");
    const pid_t poisoned = spawn_dg(s.worker_args(), log, {"DG_FAULT_FAIL_SHARD=2"});
    EXPECT_EQ(wait_exit(poisoned), 3) << read_file(log);
    auto p = progress(s.url, s.scan_id);
    EXPECT_EQ(p["status"], "failed");
    EXPECT_EQ(p["shards"]["failed"], 1);
    EXPECT_EQ(p["shards"]["done"], 4);
    EXPECT_EQ(p["failed_shards"], json::array({2}));
    auto shown =
        run_command({dg_binary(), "scans", "show", std::to_string(s.scan_id), "--db", s.url});
    EXPECT_NE(shown.out.find("retry-failed"), std::string::npos) << shown.out << shown.err;
    auto retry = run_command(
        {dg_binary(), "scans", "retry-failed", std::to_string(s.scan_id), "--db", s.url});
    ASSERT_EQ(retry.exit_code, 0) << retry.err;
    const pid_t healthy = spawn_dg(s.worker_args(), log);
    EXPECT_EQ(wait_exit(healthy), 0) << read_file(log);
    s.expect_correct();
    EXPECT_EQ(progress(s.url, s.scan_id)["status"], "complete");
}

TEST(DistributedScan, SqliteIsAClearError) {
    DG_SHARED_OR_SKIP(rib, kRib);
    const TempDir dir;
    write_file(dir.file("names.txt"), "example.com\n");
    auto r = run_command({dg_binary(), "scan", "-d", dir.file("names.txt"), "-m", rib, "--db",
                          "sqlite://" + dir.file("x.db"), "--distributed"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("needs PostgreSQL"), std::string::npos) << r.err;
}

} // namespace
} // namespace dg::test
