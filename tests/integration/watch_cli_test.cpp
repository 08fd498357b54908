// `domaingraph watch` end to end (issue 18) with the real binary, the DNS rig, and real alert
// receivers (tests/integration/alert_receivers.py: an HTTP server that checks every webhook
// signature and fails the first attempts on purpose, a UDP syslog listener): a watch's second run,
// mapped on a table where part of the rig's addresses moved to another AS, alerts exactly the
// changes `diff previous latest` reports for that list — each once at the webhook (signature
// valid, through the injected failures) and at syslog (RFC 5424) — and nothing on a run that
// changed nothing.

#include "tests/support/dns_rig.hpp"

#include <chrono>
#include <csignal>
#include <filesystem>
#include <functional>
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

constexpr const char* kSecret = "s3cret-for-the-test";

CommandResult dg(std::vector<std::string> args) {
    args.insert(args.begin(), dg_binary());
    return run_command(args);
}

/// The receivers, stopped in the destructor.
class Receivers {
public:
    explicit Receivers(const std::string& dir, int fail_first, int hang_first = 0) : dir_(dir) {
        const std::string script =
            std::string(DG_SOURCE_DIR) + "/tests/integration/alert_receivers.py";
        const std::string fail = std::to_string(fail_first);
        std::vector<std::string> argv{"/usr/bin/python3",
                                      script,
                                      dir,
                                      "--secret",
                                      kSecret,
                                      "--fail-first",
                                      fail,
                                      "--hang-first",
                                      std::to_string(hang_first)};
        std::vector<char*> cargv;
        for (auto& a : argv) {
            cargv.push_back(a.data());
        }
        cargv.push_back(nullptr);
        if (posix_spawn(&pid_, cargv[0], nullptr, nullptr, cargv.data(), environ) != 0) {
            pid_ = -1;
            return;
        }
        for (int i = 0; i < 100 && !std::filesystem::exists(dir + "/ports.json"); ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        const auto ports = json::parse(read_file(dir + "/ports.json"), nullptr, false);
        if (ports.is_object()) {
            http_ = ports["http"];
            syslog_ = ports["syslog"];
            if (ports["smtp"].is_number()) {
                smtp_ = ports["smtp"];
            }
        }
    }
    ~Receivers() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            int status = 0;
            ::waitpid(pid_, &status, 0);
        }
    }
    Receivers(const Receivers&) = delete;
    Receivers& operator=(const Receivers&) = delete;
    [[nodiscard]] bool ready() const { return http_ > 0 && syslog_ > 0; }
    [[nodiscard]] std::string webhook() const {
        return "http://127.0.0.1:" + std::to_string(http_) + "/hook";
    }
    [[nodiscard]] std::string syslog() const {
        return "syslog://127.0.0.1:" + std::to_string(syslog_);
    }
    /// Empty without python3-aiosmtpd (scripts/packages.txt installs it).
    [[nodiscard]] std::string smtp() const {
        return smtp_ > 0 ? "smtp://127.0.0.1:" + std::to_string(smtp_) +
                               "?to=noc%40example.net,csirt@example.net&from=dg@example.org"
                         : "";
    }
    /// `--alert` for every sink: the webhook, syslog and (with aiosmtpd) e-mail.
    [[nodiscard]] std::vector<std::string> alert_args() const {
        std::vector<std::string> out{"--alert", webhook(), "--alert", syslog()};
        if (!smtp().empty()) {
            out.insert(out.end(), {"--alert", smtp()});
        }
        return out;
    }
    [[nodiscard]] std::vector<std::string> lines(const char* file) const {
        return split_lines(read_file(dir_ + "/" + file));
    }

private:
    std::string dir_;
    pid_t pid_ = -1;
    int http_ = 0;
    int syslog_ = 0;
    int smtp_ = 0;
};

/// One alert or change as (domain, change JSON) text, to compare sets.
std::string key_of(const json& domain, const json& change) {
    json c = change;
    c.erase("domain");
    return domain.get<std::string>() + " " + c.dump();
}

TEST(WatchCli, AlertsOfARunAreTheChangesOfItsListDeliveredOnceEachThroughFailures) {
    DG_DNS_SERVERS_OR_SKIP();
    auto rig = DnsRig::start(40);
    ASSERT_TRUE(rig) << DnsRig::last_error();
    TempDir dir;
    // Table 1: the rig's addresses in two ASes. Table 2: the lower half of 198.51.100.0/24 moved
    // to AS 64510 (a more specific route): those domains' A records change origin and prefix.
    write_file(dir.file("t1.p2a"), "198.51.100.0\t24\t64500\n192.0.2.0\t24\t64501\n");
    write_file(dir.file("t2.p2a"),
               "198.51.100.0\t24\t64500\n198.51.100.0\t25\t64510\n192.0.2.0\t24\t64501\n");
    const std::string db = "sqlite://" + dir.file("w.db");
    Receivers receivers(dir.path(), 2);
    ASSERT_TRUE(receivers.ready());
    if (std::getenv("DG_REQUIRE_INTEGRATION") != nullptr) {
        ASSERT_FALSE(receivers.smtp().empty()) << "no python3-aiosmtpd for the SMTP receiver";
    }

    std::vector<std::string> add_args{"watch",
                                      "add",
                                      "customers",
                                      "-d",
                                      rig->ordinary_file(),
                                      "--every",
                                      "1h",
                                      "-m",
                                      dir.file("t1.p2a"),
                                      "--resolver",
                                      rig->recursive_endpoint(),
                                      "--secret",
                                      kSecret,
                                      "--db",
                                      db};
    const auto sinks = receivers.alert_args();
    add_args.insert(add_args.end(), sinks.begin(), sinks.end());
    auto add = dg(add_args);
    ASSERT_EQ(add.exit_code, 0) << add.err;
    // rules for every new watch from the configuration file (watch.rules = --rules)
    write_file(dir.file("rules.yaml"), "min_severity: warning\ndedup: 1d\n");
    write_file(dir.file("config.yaml"), "watch:\n  rules: " + dir.file("rules.yaml") + "\n");
    auto configured = dg({"--config", dir.file("config.yaml"), "watch", "add", "configured", "-d",
                          rig->ordinary_file(), "--json", "--db", db});
    ASSERT_EQ(configured.exit_code, 0) << configured.err;
    EXPECT_EQ(json::parse(configured.out)["rules"], "min_severity: warning\ndedup: 1d\n");
    ASSERT_EQ(dg({"watch", "remove", "configured", "--db", db}).exit_code, 0);
    auto no_recipient = dg({"watch", "add", "y", "-d", rig->ordinary_file(), "--alert",
                            "smtp://127.0.0.1:25", "--db", db});
    EXPECT_EQ(no_recipient.exit_code, 2) << no_recipient.err;
    EXPECT_NE(no_recipient.err.find("recipient"), std::string::npos) << no_recipient.err;
    auto again = dg({"watch", "add", "customers", "-d", rig->ordinary_file(), "--db", db});
    EXPECT_NE(again.exit_code, 0);
    EXPECT_NE(again.err.find("exists"), std::string::npos) << again.err;
    auto bad_sink =
        dg({"watch", "add", "x", "-d", rig->ordinary_file(), "--alert", "ftp://h", "--db", db});
    EXPECT_EQ(bad_sink.exit_code, 2) << bad_sink.err;

    // first run: nothing to compare with
    auto first = dg({"watch", "run", "customers", "--json", "--no-progress", "--db", db});
    ASSERT_EQ(first.exit_code, 0) << first.err;
    const auto first_json = json::parse(first.out);
    EXPECT_TRUE(first_json["previous_scan"].is_null());
    EXPECT_EQ(first_json["alerts"], 0);

    // an ad-hoc scan of another list in between is not this watch's previous run
    write_file(dir.file("other.txt"), rig->ordinary_file().empty() ? "" : "example.invalid\n");
    (void)dg({"scan", "--no-progress", "--format", "none", "-d", dir.file("other.txt"), "-m",
              dir.file("t1.p2a"), "--resolver", rig->recursive_endpoint(), "--db", db});

    // second run on table 2: the moved addresses alert
    auto second = dg({"watch", "run", "customers", "-m", dir.file("t2.p2a"), "--json",
                      "--no-progress", "--db", db});
    ASSERT_EQ(second.exit_code, 0) << second.err;
    const auto run = json::parse(second.out);
    EXPECT_EQ(run["previous_scan"], first_json["scan_id"]);
    EXPECT_EQ(run["dead_letters"], 0);
    EXPECT_EQ(run["failed_attempts"], 2); // the receiver's injected failures, retried

    // the changes of the list, as `diff` computes them for the same two scans
    auto diff = dg({"diff", std::to_string(first_json["scan_id"].get<int>()),
                    std::to_string(run["scan_id"].get<int>()), "--format", "json", "--no-store",
                    "--db", db});
    ASSERT_EQ(diff.exit_code, 0) << diff.err;
    const auto changes = json::parse(diff.out)["changes"];
    ASSERT_GT(changes.size(), 0U);
    EXPECT_EQ(run["alerts"], changes.size());
    std::multiset<std::string> expected;
    for (const auto& c : changes) {
        expected.insert(key_of(c["domain"], c));
        // only the moved half of 198.51.100.0/24 changed
        EXPECT_TRUE(c["type"] == "asn_changed" || c["type"] == "prefix_changed") << c.dump();
    }
    std::multiset<std::string> delivered;
    std::set<std::string> ids;
    for (const auto& line : receivers.lines("webhook.jsonl")) {
        const auto a = json::parse(line);
        EXPECT_EQ(a["watch"], "customers");
        EXPECT_EQ(a["scan_id"], run["scan_id"]);
        EXPECT_TRUE(ids.insert(a["id"].get<std::string>()).second) << "delivered twice: " << line;
        delivered.insert(key_of(a["domain"], a["change"]));
    }
    EXPECT_EQ(delivered, expected);
    EXPECT_TRUE(receivers.lines("rejected.txt").empty()) << "a signature did not verify";
    EXPECT_EQ(receivers.lines("failed.txt").size(), 2U);
    const auto syslog = receivers.lines("syslog.txt");
    EXPECT_EQ(syslog.size(), changes.size());
    for (const auto& line : syslog) {
        EXPECT_EQ(line.rfind("<13", 0) == 0 || line.rfind("<132>1 ", 0) == 0 ||
                      line.rfind("<134>1 ", 0) == 0,
                  true)
            << line;
        EXPECT_NE(line.find(" domaingraph "), std::string::npos) << line;
    }
    if (!receivers.smtp().empty()) {
        // one e-mail per alert, to both recipients, its body the webhook's JSON object
        std::multiset<std::string> mailed;
        for (const auto& line : receivers.lines("smtp.jsonl")) {
            const auto m = json::parse(line);
            EXPECT_EQ(m["from"], "dg@example.org");
            EXPECT_EQ(m["to"], json::array({"noc@example.net", "csirt@example.net"}));
            const std::string data = m["data"];
            EXPECT_NE(data.find("Subject: [domaingraph "), std::string::npos) << data;
            EXPECT_NE(data.find("X-Domaingraph-Alert-Id: "), std::string::npos) << data;
            const auto body = data.find("\r\n\r\n") != std::string::npos
                                  ? data.substr(data.find("\r\n\r\n") + 4)
                                  : data.substr(data.find("\n\n") + 2);
            const auto a = json::parse(body);
            EXPECT_EQ(a["watch"], "customers");
            mailed.insert(key_of(a["domain"], a["change"]));
        }
        EXPECT_EQ(mailed, expected);
    }

    // `diff previous latest` follows the list: the previous scan of the watch's list
    auto prev = dg(
        {"diff", "previous", std::to_string(run["scan_id"].get<int>()), "--no-store", "--db", db});
    ASSERT_EQ(prev.exit_code, 0) << prev.err;
    EXPECT_NE(prev.out.find("previous scan of list customers"), std::string::npos) << prev.out;
    // AS-level: the new origin AS64510 gained domains, AS64500 lost share
    auto providers = dg({"diff", std::to_string(first_json["scan_id"].get<int>()),
                         std::to_string(run["scan_id"].get<int>()), "--providers", "--format",
                         "json", "--no-store", "--db", db});
    ASSERT_EQ(providers.exit_code, 0) << providers.err;
    const auto shifts = json::parse(providers.out)["providers"]["asns"];
    bool gained = false;
    for (const auto& p : shifts) {
        gained = gained || (p["asn"] == 64510 && p["change"] == "gained" && p["domains_b"] > 0);
    }
    EXPECT_TRUE(gained) << shifts.dump();
    // the ad-hoc scan in between against a run of the watch: refused without --across-lists
    const std::string adhoc = std::to_string(first_json["scan_id"].get<int>() + 1);
    const std::string run_id = std::to_string(run["scan_id"].get<int>());
    auto across = dg({"diff", adhoc, run_id, "--no-store", "--db", db});
    EXPECT_EQ(across.exit_code, 2) << across.err;
    EXPECT_NE(across.err.find("--across-lists"), std::string::npos) << across.err;
    auto forced = dg({"diff", adhoc, run_id, "--across-lists", "--no-store", "--db", db});
    EXPECT_EQ(forced.exit_code, 0) << forced.err;
    EXPECT_NE(forced.err.find("warning"), std::string::npos) << forced.err;

    // a third run on the same table changes nothing and alerts nothing
    auto third = dg({"watch", "run", "customers", "-m", dir.file("t2.p2a"), "--json",
                     "--no-progress", "--db", db});
    ASSERT_EQ(third.exit_code, 0) << third.err;
    EXPECT_EQ(json::parse(third.out)["alerts"], 0);
    EXPECT_EQ(receivers.lines("webhook.jsonl").size(), changes.size());

    auto show = dg({"watch", "show", "customers", "--json", "--db", db});
    ASSERT_EQ(show.exit_code, 0) << show.err;
    const auto shown = json::parse(show.out);
    EXPECT_EQ(shown["runs"].size(), 3U);
    EXPECT_EQ(shown["alerts"].size(), changes.size());
    EXPECT_EQ(shown["secret"], "(set)");
    auto list = dg({"watch", "list", "--json", "--db", db});
    ASSERT_EQ(list.exit_code, 0);
    EXPECT_EQ(json::parse(list.out).size(), 1U);
    ASSERT_EQ(dg({"watch", "remove", "customers", "--db", db}).exit_code, 0);
    EXPECT_EQ(dg({"watch", "show", "customers", "--db", db}).exit_code, 1);
}

/// `domaingraph serve` with its watch scheduler, killed with SIGKILL in the destructor.
class Server {
public:
    explicit Server(const std::string& db) {
        std::vector<std::string> argv{dg_binary(),     "serve", "--listen",     "127.0.0.1:0",
                                      "--db",          db,      "--watch-tick", "1",
                                      "--watch-lease", "6",     "--log"};
        std::vector<char*> cargv;
        for (auto& a : argv) {
            cargv.push_back(a.data());
        }
        cargv.push_back(nullptr);
        if (posix_spawn(&pid_, cargv[0], nullptr, nullptr, cargv.data(), environ) != 0) {
            pid_ = -1;
        }
    }
    ~Server() { kill9(); }
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;
    void kill9() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            int status = 0;
            ::waitpid(pid_, &status, 0);
            pid_ = -1;
        }
    }
    [[nodiscard]] bool started() const { return pid_ > 0; }

private:
    pid_t pid_ = -1;
};

json show(const std::string& db) {
    auto r = dg({"watch", "show", "w", "--json", "--db", db});
    return r.exit_code == 0 ? json::parse(r.out) : json::object();
}

/// Waits up to `seconds` for `done()`.
template <class F> bool wait_for(int seconds, F done) {
    for (int i = 0; i < seconds * 10; ++i) {
        if (done()) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return done();
}

// The scheduler of `serve`: it runs a due watch by itself; alerts stored while a server was
// killed (SIGKILL during a webhook delivery) are delivered after the restart, once each with
// their stable ids; a watch whose runs were missed during downtime runs once, not once per missed
// interval, and two servers on one database do not run it twice.
TEST(WatchServe, ScheduledRunsSurviveAKillDuringDeliveryAndDowntimeWithoutDoubling) {
    DG_DNS_SERVERS_OR_SKIP();
    auto rig = DnsRig::start(40);
    ASSERT_TRUE(rig) << DnsRig::last_error();
    TempDir dir;
    const std::string table = dir.file("table.p2a");
    write_file(table, "198.51.100.0\t24\t64500\n192.0.2.0\t24\t64501\n");
    const std::string db = "sqlite://" + dir.file("w.db");
    Receivers receivers(dir.path(), 0, 1); // the first webhook request hangs
    ASSERT_TRUE(receivers.ready());
    ASSERT_EQ(dg({"watch", "add", "w", "-d", rig->ordinary_file(), "--every", "4s", "-m", table,
                  "--resolver", rig->recursive_endpoint(), "--alert", receivers.webhook(),
                  "--secret", kSecret, "--db", db})
                  .exit_code,
              0);
    auto a = std::make_unique<Server>(db);
    ASSERT_TRUE(a->started());
    ASSERT_TRUE(wait_for(60, [&] { return show(db)["runs"].size() >= 1; }))
        << "the scheduler did not run the due watch";
    // the table changes: the next run alerts, and the server's first delivery hangs
    write_file(table, "198.51.100.0\t24\t64500\n198.51.100.0\t25\t64510\n192.0.2.0\t24\t64501\n");
    ASSERT_TRUE(wait_for(60, [&] { return !receivers.lines("hang.txt").empty(); }))
        << "no alert delivery started";
    a->kill9(); // killed during the delivery
    const auto before = show(db);
    std::uint64_t alerts = 0;
    for (const auto& r : before["runs"]) {
        alerts += r["alerts"].get<std::uint64_t>();
    }
    ASSERT_GT(alerts, 0U);
    EXPECT_TRUE(receivers.lines("webhook.jsonl").empty());
    const std::size_t runs_before = before["runs"].size();

    // downtime of more than two intervals, then two servers on the same database
    std::this_thread::sleep_for(std::chrono::seconds(9));
    const auto restart = std::chrono::system_clock::now();
    Server b(db);
    Server c(db);
    ASSERT_TRUE(wait_for(60, [&] { return receivers.lines("webhook.jsonl").size() >= alerts; }))
        << "the alerts left by the killed server were not delivered";
    ASSERT_TRUE(wait_for(30, [&] { return show(db)["runs"].size() >= runs_before + 1; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    const auto after = show(db);
    const double since =
        std::chrono::duration<double>(std::chrono::system_clock::now() - restart).count();
    // missed runs collapse into one; two servers never run the same slot: at most one run per
    // interval since the restart (and the first one at once)
    const std::size_t new_runs = after["runs"].size() - runs_before;
    EXPECT_GE(new_runs, 1U);
    EXPECT_LE(new_runs, static_cast<std::size_t>(since / 4.0) + 1) << after.dump();
    // every run compares with the run before it: none doubled
    for (std::size_t i = 1; i < after["runs"].size(); ++i) {
        EXPECT_EQ(after["runs"][i]["previous_scan"], after["runs"][i - 1]["scan_id"])
            << after.dump();
    }
    // each alert once, all of them, signatures valid
    std::set<std::string> ids;
    for (const auto& line : receivers.lines("webhook.jsonl")) {
        EXPECT_TRUE(ids.insert(json::parse(line)["id"].get<std::string>()).second) << line;
    }
    std::set<std::string> stored;
    for (const auto& al : after["alerts"]) {
        stored.insert(al["id"].get<std::string>());
    }
    EXPECT_EQ(ids, stored);
    EXPECT_TRUE(receivers.lines("rejected.txt").empty());
}

/// Rewrites one ordinary domain's zone in the running rig (its own zone, dNNNNNN.rig.test) with
/// `edit` applied to its lines and the SOA serial raised, and has knotd reload it.
bool mutate_zone(const DnsRig& rig, const std::string& domain,
                 const std::function<std::vector<std::string>(std::vector<std::string>)>& edit) {
    const std::string file = rig.dir() + "/zones/" + domain + ".zone";
    std::vector<std::string> lines = edit(split_lines(read_file(file)));
    std::string text;
    for (std::string line : lines) {
        if (line.find(" SOA ") != std::string::npos) {
            const auto at = line.find(" 1 3600 ");
            if (at != std::string::npos) {
                line.replace(at, 8, " 2 3600 ");
            }
        }
        text += line + "\n";
    }
    write_file(file, text);
    const auto r =
        run_command({"knotc", "-c", rig.dir() + "/knot.conf", "zone-reload", domain + "."});
    return r.exit_code == 0;
}

// Issue 18, end to end on the rig: a watch that `serve` runs every few seconds; the rig mutates
// (a domain's name servers move to other hosts in other ASes, a domain loses its MX, an address
// moves to another origin AS); exactly the expected alerts arrive, once each, at the webhook, by
// e-mail and at syslog, and nothing for the unchanged domains. The watch queries the rig's
// authoritative server (a recursive resolver would answer from its cache for an hour).
TEST(WatchE2E, ARigMutationAlertsExactlyItsChangesThroughEverySink) {
    DG_DNS_SERVERS_OR_SKIP();
    auto rig = DnsRig::start(30);
    ASSERT_TRUE(rig) << DnsRig::last_error();
    TempDir dir;
    Receivers receivers(dir.path(), 0);
    ASSERT_TRUE(receivers.ready());
    // the rig's truth: each domain's A, NS and MX
    std::map<std::string, json> truth;
    for (const auto& line : split_lines(read_file(rig->dir() + "/truth.jsonl"))) {
        const auto t = json::parse(line);
        if (t["case"] == "ordinary") {
            truth[t["name"]] = t;
        }
    }
    // (the name servers and mail hosts are 192.0.2.x: an address of 198.51.100.0/24 is a
    // domain's own)
    std::string ns_domain;
    std::string mx_domain;
    std::string origin_domain;
    std::string moved_address;
    for (const auto& [name, t] : truth) {
        for (const auto& a : t["A"]) {
            if (origin_domain.empty() && a.get<std::string>().rfind("198.51.100.", 0) == 0) {
                origin_domain = name;
                moved_address = a.get<std::string>();
            }
        }
    }
    for (const auto& [name, t] : truth) {
        if (name == origin_domain) {
            continue;
        }
        if (ns_domain.empty() && t["NS"].size() == 2) {
            ns_domain = name;
        } else if (mx_domain.empty() && !t["MX"].empty()) {
            mx_domain = name;
        }
    }
    ASSERT_FALSE(ns_domain.empty() || mx_domain.empty() || origin_domain.empty());
    std::set<std::string> origin_domains; // every domain with the moved address
    for (const auto& [name, t] : truth) {
        for (const auto& a : t["A"]) {
            if (a == moved_address) {
                origin_domains.insert(name);
            }
        }
    }
    // each name server host in an AS of its own
    const std::string hosts = "192.0.2.1\t32\t64511\n192.0.2.2\t32\t64512\n192.0.2.3\t32\t64513\n"
                              "192.0.2.4\t32\t64514\n";
    const std::string table = dir.file("table.p2a");
    write_file(table, "198.51.100.0\t24\t64500\n192.0.2.0\t24\t64501\n" + hosts);
    const std::string db = "sqlite://" + dir.file("e2e.db");
    std::vector<std::string> add{
        "watch", "add",  "e2e", "-d",         rig->ordinary_file(), "--every",
        "3s",    "-m",   table, "--resolver", rig->auth_endpoint(), "--secret",
        kSecret, "--db", db};
    const auto sinks = receivers.alert_args();
    add.insert(add.end(), sinks.begin(), sinks.end());
    ASSERT_EQ(dg(add).exit_code, 0);
    Server server(db);
    ASSERT_TRUE(server.started());
    auto shown = [&] {
        auto r = dg({"watch", "show", "e2e", "--json", "--db", db});
        return r.exit_code == 0 ? json::parse(r.out) : json::object();
    };
    ASSERT_TRUE(wait_for(60, [&] { return shown()["runs"].size() >= 1; })) << "no first run";

    // the mutations: NS moved to the other two hosts, MX removed, an address to AS64510
    std::set<std::string> old_ns;
    for (const auto& n : truth[ns_domain]["NS"]) {
        old_ns.insert(n.get<std::string>());
    }
    std::vector<std::string> new_ns;
    for (const char* h : {"ns1.rig.test", "ns2.rig.test", "ns3.rig.test", "ns4.rig.test"}) {
        if (old_ns.count(h) == 0) {
            new_ns.push_back(h);
        }
    }
    ASSERT_TRUE(mutate_zone(*rig, ns_domain, [&](std::vector<std::string> lines) {
        std::vector<std::string> out;
        for (const auto& l : lines) {
            if (l.rfind("@ NS ", 0) != 0) {
                out.push_back(l);
            }
        }
        for (const auto& h : new_ns) {
            out.push_back("@ NS " + h + ".");
        }
        return out;
    }));
    ASSERT_TRUE(mutate_zone(*rig, mx_domain, [&](std::vector<std::string> lines) {
        std::vector<std::string> out;
        for (const auto& l : lines) {
            if (l.rfind("@ MX ", 0) != 0) {
                out.push_back(l);
            }
        }
        return out;
    }));
    write_file(table, "198.51.100.0\t24\t64500\n192.0.2.0\t24\t64501\n" + hosts + moved_address +
                          "\t32\t64510\n");

    // every alert of the runs since: exactly the mutated domains' changes
    std::set<std::string> expected_domains = origin_domains;
    expected_domains.insert(ns_domain);
    expected_domains.insert(mx_domain);
    auto alerted = [&] {
        std::map<std::string, std::set<std::string>> by_domain;
        const json now = shown();
        for (const auto& a : now["alerts"]) {
            by_domain[a["domain"]].insert(a["change"]["type"].get<std::string>());
        }
        return by_domain;
    };
    ASSERT_TRUE(wait_for(90, [&] {
        const auto got = alerted();
        return got.count(ns_domain) > 0 && got.count(mx_domain) > 0 &&
               got.count(origin_domain) > 0 && got.at(ns_domain).count("ns_added") > 0;
    })) << shown().dump();
    std::this_thread::sleep_for(std::chrono::seconds(4)); // one more run: nothing new
    const auto after = shown();
    std::set<std::string> domains;
    for (const auto& a : after["alerts"]) {
        domains.insert(a["domain"]);
        const auto& c = a["change"];
        if (a["domain"] == ns_domain) {
            EXPECT_TRUE(c["type"] == "ns_added" || c["type"] == "ns_removed") << c.dump();
        } else if (a["domain"] == mx_domain) {
            EXPECT_EQ(c["type"], "mx_removed") << c.dump();
        } else {
            EXPECT_TRUE(c["type"] == "asn_changed" || c["type"] == "prefix_changed") << c.dump();
            EXPECT_EQ(c["address"], moved_address) << c.dump();
            if (c["type"] == "asn_changed") {
                EXPECT_EQ(c["to"], 64510) << c.dump();
            }
        }
    }
    EXPECT_EQ(domains, expected_domains) << after.dump();
    const auto types = alerted();
    EXPECT_EQ(types.at(ns_domain), (std::set<std::string>{"ns_added", "ns_removed"}));
    // delivered once each to every sink, signatures valid
    const std::size_t n = after["alerts"].size();
    ASSERT_TRUE(wait_for(60, [&] {
        return receivers.lines("webhook.jsonl").size() >= n &&
               receivers.lines("syslog.txt").size() >= n &&
               (receivers.smtp().empty() || receivers.lines("smtp.jsonl").size() >= n);
    }));
    std::this_thread::sleep_for(std::chrono::seconds(2));
    std::set<std::string> ids;
    for (const auto& line : receivers.lines("webhook.jsonl")) {
        EXPECT_TRUE(ids.insert(json::parse(line)["id"].get<std::string>()).second) << line;
    }
    EXPECT_EQ(ids.size(), n);
    EXPECT_EQ(receivers.lines("syslog.txt").size(), n);
    if (!receivers.smtp().empty()) {
        EXPECT_EQ(receivers.lines("smtp.jsonl").size(), n);
    }
    EXPECT_TRUE(receivers.lines("rejected.txt").empty());
}

} // namespace
} // namespace dg::test
