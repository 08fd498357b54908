// `domaingraph scan` regressions of issue 12, with the real binary: one output record per name
// after the repair pass (item 1), a resume runs with the stored politeness settings (item 4), a
// damaged list leaves a failed, resumable scan (item 5), and no list on a terminal is a usage
// error while Ctrl-C on a list read from a terminal leaves no empty scan behind (item 6).

#include "dg/store/store.hpp"
#include "tests/support/dns_rig.hpp"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <map>
#include <set>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace dg::test {
namespace {

using nlohmann::json;

constexpr const char* kRib = "mrt/rib.20140523.0600_firstMB.bz2";

CommandResult scan(std::vector<std::string> extra) {
    std::vector<std::string> argv = {dg_binary(), "scan", "--no-progress"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_command(argv);
}

std::vector<model::Scan> scans_of(const std::string& db) {
    auto store = store::Store::open(db);
    EXPECT_TRUE(store) << store.error().to_string();
    if (!store) {
        return {};
    }
    auto scans = (*store)->list_scans();
    EXPECT_TRUE(scans);
    return scans ? *scans : std::vector<model::Scan>{};
}

/// A CAIDA prefix2as table: enough for scans that need no routed address.
std::string write_table(const TempDir& dir) {
    write_file(dir.file("table.p2a"), "192.0.2.0\t24\t64496\n");
    return dir.file("table.p2a");
}

// Item 1: every name that went through the repair pass was written twice (main pass, repair
// pass) on stdout and in -o files; the store was right. Exactly one record per input name.
TEST(ScanIssue12, OneOutputRecordPerNameAfterTheRepairPass) {
    DG_DNS_SERVERS_OR_SKIP();
    DG_SHARED_OR_SKIP(rib, kRib);
    auto rig = DnsRig::start(30);
    ASSERT_TRUE(rig) << DnsRig::last_error();
    const TempDir dir;
    const auto names = split_lines(read_file(rig->names_file()));
    ASSERT_FALSE(rig->of_kind("servfail").empty());
    const std::set<std::string> expected(names.begin(), names.end());
    const std::string db = "sqlite://" + dir.file("s.db");
    auto piped = scan(
        {"-d", rig->names_file(), "-m", rib, "--db", db, "--resolver", rig->recursive_endpoint()});
    ASSERT_EQ(piped.exit_code, 0) << piped.err;
    ASSERT_NE(piped.err.find("repair pass:"), std::string::npos) << piped.err; // it ran
    auto csv = scan({"-d", rig->names_file(), "-m", rib, "--db", db, "--resolver",
                     rig->recursive_endpoint(), "-o", dir.file("out.csv")});
    ASSERT_EQ(csv.exit_code, 0) << csv.err;

    std::multiset<std::string> seen;
    for (const auto& line : split_lines(piped.out)) {
        const auto j = json::parse(line, nullptr, false);
        ASSERT_TRUE(j.is_object()) << line;
        seen.insert(j["domain"].get<std::string>());
    }
    EXPECT_EQ(seen.size(), expected.size());
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), expected);
    for (const auto& name : expected) {
        EXPECT_EQ(seen.count(name), 1U) << name;
    }
    // The CSV file: a header, then the rows of each result (one per record), adjacent: a
    // domain written twice shows up as two separate groups of rows.
    const auto lines = split_lines(read_file(dir.file("out.csv")));
    ASSERT_FALSE(lines.empty());
    ASSERT_EQ(lines.front().rfind("domain,", 0), 0U) << lines.front();
    std::map<std::string, int> per_domain;
    std::string last;
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const std::string domain = lines[i].substr(0, lines[i].find(','));
        if (domain != last) {
            ++per_domain[domain];
            last = domain;
        }
    }
    EXPECT_EQ(per_domain.size(), expected.size());
    for (const auto& [domain, groups] : per_domain) {
        EXPECT_EQ(groups, 1) << domain << " appears in " << groups << " separate groups";
    }
}

// Item 4: `--resume` took the list, table and resolvers from the stored scan but not --rate
// (2,000 q/s first run, ~18,000 on resume), -c, --timeout, --retries or --no-repair.
TEST(ScanIssue12, ResumeRunsWithTheStoredSettingsUnlessGivenAgain) {
    const TempDir dir;
    const std::string db = "sqlite://" + dir.file("s.db");
    write_file(dir.file("list.txt"), "bad..name\n-x.example\n"); // INVALID: never resolved
    const json config = {{"domains", dir.file("list.txt")},
                         {"rib", write_table(dir)},
                         {"policy", "default"},
                         {"as2org", ""},
                         {"resolvers", {"127.0.0.1:9"}},
                         {"concurrency", 7},
                         {"timeout_ms", 1500},
                         {"retries", 1},
                         {"rate", 50},
                         {"repair", false}};
    std::vector<std::int64_t> ids;
    {
        auto store = store::Store::open(db);
        ASSERT_TRUE(store) << store.error().to_string();
        for (int i = 0; i < 2; ++i) {
            store::NewScan ns;
            ns.config_json = config.dump();
            ns.domains_total = 2;
            auto s = (*store)->create_scan(ns);
            ASSERT_TRUE(s);
            ASSERT_TRUE((*store)->set_scan_status(s->id, model::ScanStatus::Interrupted));
            ids.push_back(s->id);
        }
    }
    auto plain = scan({"--resume", std::to_string(ids[0]), "--db", db, "--format", "none"});
    ASSERT_EQ(plain.exit_code, 0) << plain.err;
    EXPECT_NE(plain.err.find("settings (as stored; options given now win): rate 50 q/s per "
                             "resolver, concurrency 7, timeout 1500 ms, retries 1, repair off"),
              std::string::npos)
        << plain.err;
    auto overridden = scan({"--resume", std::to_string(ids[1]), "--db", db, "--format", "none",
                            "--rate", "0", "-c", "9"});
    ASSERT_EQ(overridden.exit_code, 0) << overridden.err;
    EXPECT_NE(overridden.err.find("rate unlimited per resolver, concurrency 9, timeout 1500 ms, "
                                  "retries 1, repair off"),
              std::string::npos)
        << overridden.err;
    for (const auto& s : scans_of(db)) {
        EXPECT_EQ(s.status, model::ScanStatus::Complete);
        EXPECT_EQ(s.domains_done, 2U);
    }
}

// Item 5: a truncated .gz list exited 3 but left the scan `complete`. It is `failed`, with the
// reason, and `--resume` completes it once the list is whole again.
TEST(ScanIssue12, DamagedListLeavesAFailedResumableScan) {
    DG_DNS_SERVERS_OR_SKIP();
    DG_TOOL_OR_SKIP("gzip");
    auto rig = DnsRig::start(300);
    ASSERT_TRUE(rig) << DnsRig::last_error();
    const TempDir dir;
    const std::string list = read_file(rig->ordinary_file());
    write_file(dir.file("list.txt"), list);
    ASSERT_EQ(run_command({"gzip", "-n", "-9", dir.file("list.txt")}).exit_code, 0);
    const std::string whole = read_file(dir.file("list.txt.gz"));
    ASSERT_GT(whole.size(), 200U);
    write_file(dir.file("list.txt.gz"), whole.substr(0, whole.size() / 2));
    const std::string db = "sqlite://" + dir.file("s.db");
    auto damaged = scan({"-d", dir.file("list.txt.gz"), "-m", write_table(dir), "--db", db,
                         "--resolver", rig->recursive_endpoint(), "--format", "none"});
    EXPECT_EQ(damaged.exit_code, 3) << damaged.err;
    EXPECT_NE(damaged.err.find("domain list damaged"), std::string::npos) << damaged.err;
    EXPECT_NE(damaged.err.find("--resume 1"), std::string::npos) << damaged.err;
    auto scans = scans_of(db);
    ASSERT_EQ(scans.size(), 1U);
    EXPECT_EQ(scans[0].status, model::ScanStatus::Failed);
    EXPECT_EQ(scans[0].status_detail.rfind("domain list damaged: ", 0), 0U)
        << scans[0].status_detail;
    const auto done_before = scans[0].domains_done;
    EXPECT_GT(done_before, 0U);
    EXPECT_LT(done_before, 300U);
    auto show = run_command({dg_binary(), "scans", "show", "1", "--db", db});
    EXPECT_NE(show.out.find("Reason:        domain list damaged"), std::string::npos) << show.out;
    auto show_json = run_command({dg_binary(), "scans", "show", "1", "--db", db, "--json"});
    EXPECT_NE(show_json.out.find("\"status_detail\""), std::string::npos) << show_json.out;

    write_file(dir.file("list.txt.gz"), whole); // fixed
    auto resumed = scan({"--resume", "1", "--db", db, "--format", "none"});
    EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
    scans = scans_of(db);
    ASSERT_EQ(scans.size(), 1U);
    EXPECT_EQ(scans[0].status, model::ScanStatus::Complete);
    EXPECT_EQ(scans[0].domains_done, 300U);
    EXPECT_EQ(scans[0].status_detail, "");
}

/// Runs `argv` with a pseudo-terminal as stdin; stderr goes to `err_file`. Returns the pid and
/// the master side (to type into), or -1.
std::pair<pid_t, int> spawn_on_terminal(std::vector<std::string> args,
                                        const std::string& err_file) {
    const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0) {
        return {-1, -1};
    }
    const std::string slave = ::ptsname(master);
    std::vector<char*> argv;
    for (auto& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, slave.c_str(), O_RDWR | O_NOCTTY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        ::close(master);
        return {-1, -1};
    }
    return {pid, master};
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

// Item 6: without -d on a terminal, scan waited on stdin with no hint, and Ctrl-C left a
// `running 0/0` scan that became `latest`.
TEST(ScanIssue12, NoListOnATerminalIsAUsageErrorAndCtrlCLeavesNoEmptyScan) {
    const TempDir dir;
    const std::string db = "sqlite://" + dir.file("s.db");
    const std::string table = write_table(dir);
    const std::string err = dir.file("err.txt");
    auto [pid, master] = spawn_on_terminal({dg_binary(), "scan", "--no-progress", "-m", table,
                                            "--db", db, "--resolver", "127.0.0.1:9"},
                                           err);
    ASSERT_GT(pid, 0);
    EXPECT_EQ(wait_exit(pid), 2) << read_file(err);
    ::close(master);
    EXPECT_NE(read_file(err).find("no domain list: give -d FILE"), std::string::npos)
        << read_file(err);

    // `-d -` reads the terminal, says so; Ctrl-C while it waits for more names stops the scan,
    // and a scan that stored nothing is not left behind.
    std::tie(pid, master) =
        spawn_on_terminal({dg_binary(), "scan", "--no-progress", "-d", "-", "-m", table, "--db", db,
                           "--resolver", "127.0.0.1:9"},
                          err);
    ASSERT_GT(pid, 0);
    ASSERT_TRUE(wait_for_text(err, "reading domain names from the terminal")) << read_file(err);
    const std::string typed = "example.com\n";
    ASSERT_EQ(::write(master, typed.data(), typed.size()), static_cast<ssize_t>(typed.size()));
    ASSERT_TRUE(wait_for_text(err, "settings: rate")) << read_file(err); // the scan runs
    ASSERT_EQ(::kill(pid, SIGINT), 0);
    EXPECT_EQ(wait_exit(pid), 130) << read_file(err);
    ::close(master);
    EXPECT_NE(read_file(err).find("removed"), std::string::npos) << read_file(err);
    EXPECT_TRUE(scans_of(db).empty());
}

} // namespace
} // namespace dg::test
