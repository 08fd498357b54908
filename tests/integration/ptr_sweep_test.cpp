// domaingraph ptr sweep against the real rig (knot + unbound, `dnsrig --reverse`): the sweep of
// the rig's reverse prefixes equals ptr_truth.jsonl; kill -9 and --resume store every address
// exactly once (SQLite and PostgreSQL); --asn enumerates what `rib origins` lists; bad input
// gives clear errors (issue 13).
#include "dg/ptr/address_list.hpp"
#include "dg/ptr/sweep_store.hpp"
#include "dg/store/store.hpp"
#include "tests/support/dns_rig.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/support/support.hpp"

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>

extern char** environ;

namespace dg::test {
namespace {

constexpr const char* kRib = "mrt/rib.20140523.0600_firstMB.bz2";

struct Truth {
    std::string status;
    std::vector<std::string> names;
    std::string cname;
    std::string kind;
};

std::map<std::string, Truth> load_truth(const std::string& path) {
    std::map<std::string, Truth> out;
    for (const auto& line : split_lines(read_file(path))) {
        auto j = nlohmann::json::parse(line);
        Truth t;
        t.status = j.at("status").get<std::string>();
        t.names = j.at("names").get<std::vector<std::string>>();
        t.cname = j.value("cname", "");
        t.kind = j.at("case").get<std::string>();
        out.emplace(j.at("ip").get<std::string>(), t);
    }
    return out;
}

/// The rig with its reverse zones (few forward names: these tests sweep addresses).
DnsRig::Options reverse_rig() {
    DnsRig::Options ro;
    ro.names = 10;
    ro.reverse = true;
    return ro;
}

/// Fast settings for the rig: no rate limits, short timeouts (the TIMEOUT cases cost time).
std::vector<std::string> rig_args(const DnsRig& rig) {
    return {"--resolver",
            rig.recursive_endpoint(),
            "--rate",
            "0",
            "--per-resolver-rate",
            "0",
            "-c",
            "500",
            "--timeout",
            "500",
            "--retries",
            "1",
            "--no-progress"};
}

CommandResult dg(std::vector<std::string> args) {
    args.insert(args.begin(), dg_binary());
    return run_command(args);
}

/// Checks JSON Lines results against the truth: one per address, right status, names, cname.
void expect_equals_truth(const std::string& jsonl, const std::map<std::string, Truth>& truth) {
    std::map<std::string, int> seen;
    std::size_t mismatches = 0;
    for (const auto& line : split_lines(jsonl)) {
        auto j = nlohmann::json::parse(line);
        const auto ip = j.at("ip").get<std::string>();
        ++seen[ip];
        auto it = truth.find(ip);
        if (it == truth.end()) {
            ADD_FAILURE() << "address not in the truth: " << ip;
            continue;
        }
        const Truth& t = it->second;
        const auto status = j.at("status").get<std::string>();
        const auto names = j.at("names").get<std::vector<std::string>>();
        bool ok = status == t.status && names == t.names;
        if (t.kind == "rfc2317") {
            ok = ok && j.value("cname", "") == t.cname;
        }
        ASSERT_TRUE(j.contains("resolver") && j.contains("attempts") && j.contains("queried_at"))
            << line;
        if (!ok && ++mismatches <= 20) {
            ADD_FAILURE() << ip << " (" << t.kind << "): got " << line << " want status "
                          << t.status << " names " << nlohmann::json(t.names).dump() << " cname "
                          << t.cname;
        }
    }
    EXPECT_EQ(mismatches, 0U);
    EXPECT_EQ(seen.size(), truth.size()) << "addresses missing";
    std::size_t doubled = 0;
    for (const auto& [ip, n] : seen) {
        doubled += n > 1 ? 1U : 0U;
    }
    EXPECT_EQ(doubled, 0U);
}

TEST(PtrSweep, RigReversePrefixesEqualTheTruth) {
    DG_DNS_SERVERS_OR_SKIP();
    auto rig = DnsRig::start(reverse_rig());
    ASSERT_TRUE(rig) << DnsRig::last_error();
    const auto truth = load_truth(rig->ptr_truth_file());
    ASSERT_EQ(truth.size(), 66304U);
    const TempDir dir;
    const std::string db = "sqlite://" + dir.file("ptr.db");
    auto args = rig_args(*rig);
    args.insert(args.begin(), {"ptr", "sweep", "--prefixes", rig->ptr_prefixes_file(), "--db", db,
                               "-o", dir.file("out.jsonl"), "--notes", "rig"});
    auto r = dg(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("66,304 addresses"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("main pass  after repair"), std::string::npos) << r.err;
    expect_equals_truth(read_file(dir.file("out.jsonl")), truth);

    // The store holds the same, one row per address; export gives it back.
    auto exported = dg({"ptr", "export", "1", "--db", db, "--format", "jsonl"});
    ASSERT_EQ(exported.exit_code, 0) << exported.err;
    expect_equals_truth(exported.out, truth);
    auto list = dg({"ptr", "sweeps", "list", "--db", db});
    ASSERT_EQ(list.exit_code, 0) << list.err;
    EXPECT_NE(list.out.find("complete"), std::string::npos) << list.out;
    auto show = dg({"ptr", "sweeps", "show", "1", "--db", db});
    ASSERT_EQ(show.exit_code, 0) << show.err;
    EXPECT_NE(show.out.find("66,304 of 66,304 done"), std::string::npos) << show.out;
    EXPECT_NE(show.out.find("TIMEOUT"), std::string::npos) << show.out;

    // CAIDA layout: failures as pseudo-names, several lines for several names.
    auto caida = dg({"ptr", "export", "1", "--db", db, "--format", "caida"});
    ASSERT_EQ(caida.exit_code, 0) << caida.err;
    std::size_t timeouts = 0;
    std::size_t servfails = 0;
    std::size_t lines = 0;
    std::size_t want_lines = 0;
    for (const auto& [ip, t] : truth) {
        want_lines += std::max<std::size_t>(1, t.names.size());
    }
    for (const auto& line : split_lines(caida.out)) {
        ++lines;
        timeouts += line.find("\tFAIL.TIMEOUT.in-addr.arpa") != std::string::npos ? 1U : 0U;
        servfails += line.find("\tFAIL.SERVER-FAILURE.in-addr.arpa") != std::string::npos ? 1U : 0U;
    }
    EXPECT_EQ(lines, want_lines);
    EXPECT_EQ(timeouts, 8U);
    EXPECT_EQ(servfails, 8U);
    auto csv = dg({"ptr", "export", "1", "--db", db, "--format", "csv"});
    ASSERT_EQ(csv.exit_code, 0) << csv.err;
    EXPECT_EQ(split_lines(csv.out).size(), truth.size() + 1);
    auto pq = dg(
        {"ptr", "export", "1", "--db", db, "--format", "parquet", "-o", dir.file("out.parquet")});
    ASSERT_EQ(pq.exit_code, 0) << pq.err;
    const std::string bytes = read_file(dir.file("out.parquet"));
    ASSERT_GT(bytes.size(), 8U);
    EXPECT_EQ(bytes.substr(0, 4), "PAR1");
    EXPECT_EQ(bytes.substr(bytes.size() - 4), "PAR1");

    // A name is found back to its addresses through the names table.
    auto store = store::Store::open(db);
    ASSERT_TRUE(store);
    auto sweeps = ptr::SweepStore::of(**store);
    ASSERT_TRUE(sweeps);
    const auto& some = truth.at("198.18.0.1");
    if (!some.names.empty()) {
        auto back = sweeps->by_name(some.names.front());
        ASSERT_TRUE(back);
        ASSERT_FALSE(back->empty());
        EXPECT_EQ(back->front().result.ip.to_string(), "198.18.0.1");
    }
}

/// A graph file read back by networkx: {"nodes": [...], "edges": [...]}.
nlohmann::json read_graph(const std::string& format, const std::string& file) {
    auto py =
        run_command({"/usr/bin/python3",
                     std::string(DG_SOURCE_DIR) + "/tests/readers/read_graph.py", format, file});
    EXPECT_EQ(py.exit_code, 0) << py.err;
    return py.exit_code == 0 ? nlohmann::json::parse(py.out) : nlohmann::json::object();
}

// Issue 14: the hostnames commands read a stored sweep (--sweep ID), and the city topology of the
// rig's /31 links (real name shapes, 198.19.1.128/25) is exactly the graph its truth implies.
TEST(PtrSweep, HostnamesTopologyOfARigSweepIsTheTruthsCityGraph) {
    DG_DNS_SERVERS_OR_SKIP();
    auto rig = DnsRig::start(reverse_rig());
    ASSERT_TRUE(rig) << DnsRig::last_error();
    const auto truth = nlohmann::json::parse(read_file(rig->topology_truth_file()));
    const TempDir dir;
    const std::string db = "sqlite://" + dir.file("ptr.db");
    write_file(dir.file("links.txt"), truth.at("prefix").get<std::string>() + "\n");
    auto args = rig_args(*rig);
    args.insert(args.begin(), {"ptr", "sweep", "--prefixes", dir.file("links.txt"), "--db", db,
                               "-o", "/dev/null"});
    auto swept = dg(args);
    ASSERT_EQ(swept.exit_code, 0) << swept.err;

    // The city graph, as JSON: every edge with its link count and operators, and the counts.
    auto topo = dg({"hostnames", "topology", "--sweep", "1", "--db", db, "--pairs", "31", "-o",
                    dir.file("topo.json")});
    ASSERT_EQ(topo.exit_code, 0) << topo.err;
    const auto got = nlohmann::json::parse(read_file(dir.file("topo.json")));
    std::map<std::pair<std::string, std::string>, std::pair<int, std::set<std::string>>> want;
    std::map<std::pair<std::string, std::string>, std::pair<int, std::set<std::string>>> have;
    for (const auto& e : truth.at("edges")) {
        want[{e.at("a"), e.at("b")}] = {e.at("links").get<int>(),
                                        e.at("operators").get<std::set<std::string>>()};
    }
    for (const auto& e : got.at("edges")) {
        have[{e.at("source"), e.at("target")}] = {e.at("links").get<int>(),
                                                  e.at("operators").get<std::set<std::string>>()};
    }
    EXPECT_EQ(have, want);
    EXPECT_EQ(got.at("pairs"), truth.at("pairs"));
    EXPECT_EQ(got.at("same_city"), truth.at("same_city"));
    EXPECT_EQ(got.at("left_out_low_confidence"), truth.at("left_out"));

    // GEXF and GraphML read back by networkx: the same nodes and edges.
    for (const std::string format : {"gexf", "graphml"}) {
        const std::string file = dir.file("topo." + format);
        auto r =
            dg({"hostnames", "topology", "--sweep", "1", "--db", db, "--pairs", "31", "-o", file});
        ASSERT_EQ(r.exit_code, 0) << r.err;
        const auto g = read_graph(format, file);
        EXPECT_EQ(g.value("nodes", nlohmann::json::array()).size(), got.at("nodes").size())
            << format;
        EXPECT_EQ(g.value("edges", nlohmann::json::array()).size(), want.size()) << format;
    }

    // decode/stats/learn read the same names: one decoded line per stored name.
    auto decoded = dg({"hostnames", "decode", "--sweep", "1", "--db", db});
    ASSERT_EQ(decoded.exit_code, 0) << decoded.err;
    EXPECT_EQ(split_lines(decoded.out).size(), 2 * truth.at("pairs").get<std::size_t>());
    auto stats = dg({"hostnames", "stats", "--sweep", "1", "--db", db, "--format", "json"});
    ASSERT_EQ(stats.exit_code, 0) << stats.err;
    EXPECT_TRUE(nlohmann::json::accept(stats.out)) << stats.out;
    auto learn = dg({"hostnames", "learn", "--sweep", "1", "--db", db, "-o", dir.file("rules")});
    ASSERT_EQ(learn.exit_code, 0) << learn.err;
    auto missing = dg({"hostnames", "decode", "--sweep", "9", "--db", db});
    EXPECT_NE(missing.exit_code, 0);
    EXPECT_NE(missing.err.find("no PTR sweep 9"), std::string::npos) << missing.err;
}

TEST(PtrSweep, RepairPassRecoversWhatAFlakyResolverLost) {
    DG_DNS_SERVERS_OR_SKIP();
    DnsRig::Options ro = reverse_rig();
    ro.flaky = "40"; // drops 40 % of the queries all the time
    auto rig = DnsRig::start(ro);
    ASSERT_TRUE(rig) << DnsRig::last_error();
    ASSERT_FALSE(rig->flaky_endpoint().empty());
    auto truth = load_truth(rig->ptr_truth_file());
    const TempDir dir;
    write_file(dir.file("p.txt"), "198.18.0.0/22\n198.19.0.0/24\n");
    std::map<std::string, Truth> want;
    for (const auto& [ip, t] : truth) {
        if (ip.starts_with("198.19.0.") ||
            (ip.starts_with("198.18.") && std::stoi(ip.substr(7, ip.find('.', 7) - 7)) < 4)) {
            want.emplace(ip, t);
        }
    }
    ASSERT_EQ(want.size(), 1024U + 256U);
    // No retries in the main pass: every dropped query is a TIMEOUT there. The flaky resolver is
    // benched (its error share passes 6 %), and the repair pass re-queries on the healthy one.
    auto r = dg({"ptr",
                 "sweep",
                 "--prefixes",
                 dir.file("p.txt"),
                 "--db",
                 "sqlite://" + dir.file("ptr.db"),
                 "--resolver",
                 rig->flaky_endpoint(),
                 "--resolver",
                 rig->recursive_endpoint(),
                 "--rate",
                 "0",
                 "--per-resolver-rate",
                 "0",
                 "-c",
                 "100",
                 "--timeout",
                 "300",
                 "--retries",
                 "0",
                 "--no-progress",
                 "-o",
                 dir.file("out.jsonl")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("BENCHED"), std::string::npos) << r.err;
    expect_equals_truth(read_file(dir.file("out.jsonl")), want);
    // The before/after table: TIMEOUTs in the main pass, none after repair.
    const auto at = r.err.find("  TIMEOUT");
    ASSERT_NE(at, std::string::npos) << r.err;
    unsigned long long main_timeouts = 0;
    unsigned long long after = 0;
    ASSERT_EQ(std::sscanf(r.err.c_str() + at, "  TIMEOUT %llu %llu", &main_timeouts, &after), 2)
        << r.err;
    EXPECT_GT(main_timeouts, 10U) << r.err;
    EXPECT_EQ(after, 0U) << r.err;
}

pid_t spawn(const std::vector<std::string>& argv, const std::string& out_file) {
    std::vector<char*> args;
    for (const auto& a : argv) {
        args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, (out_file + ".err").c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = -1;
    if (posix_spawn(&pid, args[0], &fa, nullptr, args.data(), environ) != 0) {
        pid = -1;
    }
    posix_spawn_file_actions_destroy(&fa);
    return pid;
}

/// `domaingraph serve --listen 127.0.0.1:0 --db DB`; the port it printed, or 0.
struct Serve {
    pid_t pid = 0;
    int port = 0;
    std::string log;
    ~Serve() {
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
    }
};

void start_serve(Serve& s, const std::string& db, const TempDir& dir) {
    write_file(dir.file("index.html"), "<!doctype html>");
    s.log = dir.file("serve.err");
    s.pid = spawn({dg_binary(), "serve", "--listen", "127.0.0.1:0", "--db", db, "--web", dir.path(),
                   "--jobs-dir", dir.file("jobs"), "--threads", "2"},
                  dir.file("serve.out"));
    constexpr std::string_view kListening = "listening on http://127.0.0.1:";
    for (int i = 0; i < 600 && s.port == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        const std::string text =
            read_file(dir.file("serve.out.err")) + read_file(dir.file("serve.out"));
        const auto at = text.find(kListening);
        if (at != std::string::npos) {
            s.port = std::atoi(text.c_str() + at + kListening.size());
        }
    }
}

/// kill -9 in the middle of a rate-limited sweep of 198.18.0.0/18, then --resume: every address
/// stored exactly once, with the truth's status.
void killed_sweep_resumes(const std::string& db) {
    auto rig = DnsRig::start(reverse_rig());
    ASSERT_TRUE(rig) << DnsRig::last_error();
    const auto truth = load_truth(rig->ptr_truth_file());
    const TempDir dir;
    write_file(dir.file("p.txt"), "198.18.0.0/18\n");
    const pid_t pid =
        spawn({dg_binary(), "ptr", "sweep", "--prefixes", dir.file("p.txt"), "--db", db,
               "--resolver", rig->recursive_endpoint(), "--rate", "2000", "--per-resolver-rate",
               "0", "--batch", "50", "--no-progress", "-o", dir.file("first.jsonl")},
              dir.file("first.out"));
    ASSERT_GT(pid, 0);
    std::uint64_t done_at_kill = 0;
    std::unique_ptr<store::Store> store;
    for (int i = 0; i < 600 && done_at_kill < 3000; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (!store) {
            auto s = store::Store::open(db);
            if (s) {
                store = std::move(*s);
            }
            continue;
        }
        auto sweeps = ptr::SweepStore::of(*store);
        ASSERT_TRUE(sweeps);
        auto all = sweeps->list();
        if (all && !all->empty()) {
            done_at_kill = all->front().addresses_done;
        }
    }
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status))
        << "the sweep ended before it was killed: " << read_file(dir.file("first.out.err"));
    ASSERT_GE(done_at_kill, 3000U);
    ASSERT_TRUE(store);
    auto sweeps = ptr::SweepStore::of(*store);
    ASSERT_TRUE(sweeps);
    auto all = sweeps->list();
    ASSERT_TRUE(all);
    ASSERT_EQ(all->size(), 1U);
    const auto id = all->front().id;
    EXPECT_EQ(all->front().status, "running");
    EXPECT_LT(all->front().addresses_done, 16384U);

    auto resumed = dg({"ptr", "sweep", "--resume", std::to_string(id), "--db", db, "--rate", "0",
                       "--no-progress", "-o", dir.file("second.jsonl")});
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    EXPECT_NE(resumed.err.find("already done (resume)"), std::string::npos) << resumed.err;

    std::map<std::string, int> seen;
    std::size_t wrong = 0;
    ASSERT_TRUE(sweeps->results(id, {}, [&](const ptr::PtrResult& r) {
        const auto ip = r.ip.to_string();
        ++seen[ip];
        const auto& t = truth.at(ip);
        wrong += (dns::status_name(r.status) != t.status || r.names != t.names) ? 1U : 0U;
        return true;
    }));
    EXPECT_EQ(seen.size(), 16384U);
    for (const auto& [ip, n] : seen) {
        ASSERT_EQ(n, 1) << ip;
        ASSERT_TRUE(ip.starts_with("198.18.") && std::stoi(ip.substr(7, ip.find('.', 7) - 7)) < 64)
            << ip;
    }
    EXPECT_EQ(wrong, 0U);
    auto final_sweep = sweeps->get(id);
    ASSERT_TRUE(final_sweep);
    EXPECT_EQ(final_sweep->status, "complete");
    EXPECT_EQ(final_sweep->addresses_done, 16384U);
    // The two runs' files together hold every address: a batch reaches the file before the
    // database (a result in the first file but not stored was queried again by the resume).
    std::set<std::string> in_files;
    for (const auto* f : {"first.jsonl", "second.jsonl"}) {
        for (const auto& line : split_lines(read_file(dir.file(f)))) {
            in_files.insert(nlohmann::json::parse(line).at("ip").get<std::string>());
        }
    }
    EXPECT_EQ(in_files.size(), 16384U);
}

TEST(PtrSweep, ApiServesSweepsResultsAndLatestName) {
    DG_DNS_SERVERS_OR_SKIP();
    auto rig = DnsRig::start(reverse_rig());
    ASSERT_TRUE(rig) << DnsRig::last_error();
    const auto truth = load_truth(rig->ptr_truth_file());
    const TempDir dir;
    const std::string db = "sqlite://" + dir.file("ptr.db");
    write_file(dir.file("p.txt"), "198.19.0.0/24\n");
    auto args = rig_args(*rig);
    args.insert(args.begin(), {"ptr", "sweep", "--prefixes", dir.file("p.txt"), "--db", db, "-o",
                               dir.file("out.jsonl")});
    auto r = dg(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    Serve serve;
    start_serve(serve, db, dir);
    ASSERT_GT(serve.port, 0) << read_file(dir.file("serve.out.err"));
    httplib::Client c("127.0.0.1", serve.port);
    c.set_read_timeout(30, 0);
    for (int i = 0; i < 100; ++i) { // until it answers
        auto h = c.Get("/health");
        if (h && h->status == 200) {
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    auto sweeps = c.Get("/api/v1/ptr/sweeps");
    ASSERT_TRUE(sweeps);
    ASSERT_EQ(sweeps->status, 200) << sweeps->body;
    auto list = nlohmann::json::parse(sweeps->body);
    ASSERT_EQ(list.size(), 1U);
    EXPECT_EQ(list[0]["status"], "complete");
    EXPECT_EQ(list[0]["addresses_done"], 256);
    auto page = c.Get("/api/v1/ptr/sweeps/1/results?limit=10&offset=5&status=NOERROR");
    ASSERT_TRUE(page);
    ASSERT_EQ(page->status, 200) << page->body;
    auto items = nlohmann::json::parse(page->body);
    EXPECT_EQ(items.size(), 10U);
    std::size_t noerror = 0;
    for (const auto& [ip, t] : truth) {
        noerror += ip.starts_with("198.19.0.") && t.status == "NOERROR" ? 1U : 0U;
    }
    EXPECT_EQ(page->get_header_value("X-Total-Count"), std::to_string(noerror));
    for (const auto& item : items) {
        const auto& t = truth.at(item["ip"].get<std::string>());
        EXPECT_EQ(item["status"], "NOERROR");
        EXPECT_EQ(item["names"].get<std::vector<std::string>>(), t.names);
    }
    auto one = c.Get("/api/v1/ptr/198.19.0.130");
    ASSERT_TRUE(one);
    ASSERT_EQ(one->status, 200) << one->body;
    auto j = nlohmann::json::parse(one->body);
    EXPECT_EQ(j["sweep_id"], 1);
    EXPECT_EQ(j["status"], truth.at("198.19.0.130").status);
    EXPECT_EQ(j["names"].get<std::vector<std::string>>(), truth.at("198.19.0.130").names);
    auto none = c.Get("/api/v1/ptr/203.0.113.9");
    ASSERT_TRUE(none);
    EXPECT_EQ(none->status, 404);
    auto bad = c.Get("/api/v1/ptr/not-an-ip");
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 400);
    auto unknown = c.Get("/api/v1/ptr/sweeps/7/results");
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->status, 404);
    auto bad_status = c.Get("/api/v1/ptr/sweeps/1/results?status=BOGUS");
    ASSERT_TRUE(bad_status);
    EXPECT_EQ(bad_status->status, 400);
}

TEST(PtrSweep, KilledSweepResumesWithEveryAddressOnceSqlite) {
    DG_DNS_SERVERS_OR_SKIP();
    const TempDir dir;
    killed_sweep_resumes("sqlite://" + dir.file("ptr.db"));
}

TEST(PtrSweep, KilledSweepResumesWithEveryAddressOncePostgres) {
    DG_DNS_SERVERS_OR_SKIP();
    DG_POSTGRES_DATABASE_OR_SKIP(url);
    killed_sweep_resumes(url);
}

TEST(PtrSweep, AsnEnumeratesThePrefixesRibOriginsLists) {
    DG_SHARED_OR_SKIP(rib, kRib);
    auto origins = dg({"rib", "origins", rib});
    ASSERT_EQ(origins.exit_code == 0 || origins.exit_code == 3, true) << origins.err;
    // The AS with the most IPv4 prefixes (several of them nested, so merging matters).
    std::map<std::uint32_t, std::vector<Prefix>> by_as;
    for (const auto& line : split_lines(origins.out)) {
        const auto tab = line.find('\t');
        auto p = Prefix::parse(line.substr(0, tab));
        if (!p || p->family() != IpFamily::V4) {
            continue;
        }
        std::string list = line.substr(tab + 1);
        std::size_t start = 0;
        while (start <= list.size()) {
            const auto comma = list.find(',', start);
            by_as[static_cast<std::uint32_t>(std::stoul(
                      list.substr(start, comma == std::string::npos ? comma : comma - start)))]
                .push_back(*p);
            if (comma == std::string::npos) {
                break;
            }
            start = comma + 1;
        }
    }
    ASSERT_FALSE(by_as.empty());
    std::uint32_t asn = 0;
    std::size_t most = 0;
    for (const auto& [a, ps] : by_as) {
        if (ps.size() > most) {
            most = ps.size();
            asn = a;
        }
    }
    const auto want = ptr::AddressPlan::from_prefixes(by_as[asn]);
    auto r =
        dg({"ptr", "sweep", "--asn", std::to_string(asn), "-m", rib, "--dry-run", "--no-progress"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> want_lines;
    for (const auto& p : want.prefixes()) {
        want_lines.push_back(p.to_string());
    }
    EXPECT_EQ(split_lines(r.out), want_lines) << "AS" << asn;
    EXPECT_NE(r.err.find(ptr::with_commas(want.size()) + " addresses"), std::string::npos) << r.err;
    // Two ASes at once: the union.
    std::uint32_t second = 0;
    for (const auto& [a, ps] : by_as) {
        if (a != asn && ps.size() > 1) {
            second = a;
            break;
        }
    }
    auto both_prefixes = by_as[asn];
    both_prefixes.insert(both_prefixes.end(), by_as[second].begin(), by_as[second].end());
    const auto both = ptr::AddressPlan::from_prefixes(both_prefixes);
    auto r2 = dg({"ptr", "sweep", "--asn", std::to_string(asn) + ",AS" + std::to_string(second),
                  "-m", rib, "--dry-run", "--no-progress"});
    ASSERT_EQ(r2.exit_code, 0) << r2.err;
    EXPECT_NE(r2.err.find(ptr::with_commas(both.size()) + " addresses"), std::string::npos)
        << r2.err;
}

TEST(PtrSweep, PausesAndPoliteDefaults) {
    DG_DNS_SERVERS_OR_SKIP();
    auto rig = DnsRig::start(reverse_rig());
    ASSERT_TRUE(rig) << DnsRig::last_error();
    const TempDir dir;
    write_file(dir.file("p.txt"), "198.18.5.0/26\n");
    const auto t0 = std::chrono::steady_clock::now();
    // the defaults (50 q/s per resolver, 500 q/s in all) and a 1 s pause every 20 addresses
    auto r =
        dg({"ptr", "sweep", "--prefixes", dir.file("p.txt"), "--db",
            "sqlite://" + dir.file("ptr.db"), "--resolver", rig->recursive_endpoint(),
            "--pause-every", "20", "--pause", "1", "--no-progress", "-o", dir.file("out.jsonl")});
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("rate 50 q/s per resolver over 1 resolvers"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(", 3 pauses"), std::string::npos) << r.err;
    EXPECT_GE(secs, 3.0);
    EXPECT_EQ(split_lines(read_file(dir.file("out.jsonl"))).size(), 64U);
}

TEST(PtrSweep, BadInput) {
    const TempDir dir;
    const std::string db = "sqlite://" + dir.file("bad.db");
    // Malformed CIDRs: reported with their line number, counted; the rest is used.
    write_file(dir.file("mixed.txt"), "192.0.2.0/24\n192.0.2.1/24\nfoo\n10.0.0.0/33\n\n# c\n"
                                      "198.51.100.0/30\n");
    auto mixed = dg({"ptr", "sweep", "--prefixes", dir.file("mixed.txt"), "--dry-run"});
    EXPECT_EQ(mixed.exit_code, 0) << mixed.err;
    EXPECT_NE(mixed.err.find("mixed.txt:2: host bits set"), std::string::npos) << mixed.err;
    EXPECT_NE(mixed.err.find("mixed.txt:3:"), std::string::npos) << mixed.err;
    EXPECT_NE(mixed.err.find("mixed.txt:4:"), std::string::npos) << mixed.err;
    EXPECT_NE(mixed.err.find("260 addresses"), std::string::npos) << mixed.err;
    EXPECT_NE(mixed.err.find("3 invalid lines"), std::string::npos) << mixed.err;
    // Only garbage: nothing to sweep.
    write_file(dir.file("garbage.txt"), "x\ny/1\n");
    auto garbage = dg({"ptr", "sweep", "--prefixes", dir.file("garbage.txt"), "--db", db,
                       "--resolver", "127.0.0.1:1"});
    EXPECT_EQ(garbage.exit_code, 3) << garbage.err;
    EXPECT_NE(garbage.err.find("nothing to sweep"), std::string::npos) << garbage.err;
    // 10^9 addresses without confirmation: refused, with the count.
    write_file(dir.file("huge.txt"), "0.0.0.0/2\n");
    auto huge = dg({"ptr", "sweep", "--prefixes", dir.file("huge.txt"), "--db", db, "--resolver",
                    "127.0.0.1:1"});
    EXPECT_EQ(huge.exit_code, 2) << huge.err;
    EXPECT_NE(huge.err.find("refusing to sweep 1,073,741,824 addresses"), std::string::npos)
        << huge.err;
    EXPECT_NE(huge.err.find("--yes"), std::string::npos) << huge.err;
    // A large IPv6 prefix: an error that says to pass addresses.
    write_file(dir.file("v6.txt"), "2001:db8::/48\n");
    auto v6 = dg({"ptr", "sweep", "--prefixes", dir.file("v6.txt"), "--dry-run"});
    EXPECT_EQ(v6.exit_code, 2) << v6.err;
    EXPECT_NE(v6.err.find("v6.txt:1:"), std::string::npos) << v6.err;
    EXPECT_NE(v6.err.find("--addresses"), std::string::npos) << v6.err;
    // No source, two sources.
    EXPECT_EQ(dg({"ptr", "sweep", "--dry-run"}).exit_code, 2);
    EXPECT_EQ(dg({"ptr", "sweep", "--prefixes", dir.file("mixed.txt"), "--addresses",
                  dir.file("mixed.txt"), "--dry-run"})
                  .exit_code,
              2);
    // A resolver file with garbage: usage error with the line.
    write_file(dir.file("ok.txt"), "192.0.2.0/30\n");
    write_file(dir.file("resolvers.txt"), "127.0.0.1\nnot a resolver\n");
    auto res = dg({"ptr", "sweep", "--prefixes", dir.file("ok.txt"), "--db", db, "--resolvers",
                   dir.file("resolvers.txt")});
    EXPECT_EQ(res.exit_code, 2) << res.err;
    EXPECT_NE(res.err.find("resolvers.txt:2"), std::string::npos) << res.err;
    // An unreachable resolver: a clear error, no sweep stored.
    auto dead = dg({"ptr", "sweep", "--prefixes", dir.file("ok.txt"), "--db", db, "--resolver",
                    "127.0.0.1:1", "--no-progress"});
    EXPECT_EQ(dead.exit_code, 1) << dead.err;
    EXPECT_NE(dead.err.find("no resolver answered"), std::string::npos) << dead.err;
    auto list = dg({"ptr", "sweeps", "list", "--db", db});
    EXPECT_EQ(list.exit_code, 0) << list.err;
    EXPECT_NE(list.out.find("no PTR sweeps yet"), std::string::npos) << list.out;
    // An unknown sweep.
    auto unknown = dg({"ptr", "sweeps", "show", "42", "--db", db});
    EXPECT_EQ(unknown.exit_code, 1);
    EXPECT_NE(unknown.err.find("no PTR sweep 42"), std::string::npos) << unknown.err;
}

} // namespace
} // namespace dg::test
