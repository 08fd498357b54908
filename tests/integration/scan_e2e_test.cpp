// `domaingraph scan` end to end (issue 4): the real binary against the real DNS rig (knotd +
// unbound) and a real RIB from ../shared/data/mrt, into SQLite and into a real PostgreSQL.
// Every result is checked against the rig's truth.jsonl; every routed address against
// tests/harness/rib_hosts.tsv (prefix and origin AS from bgpdump over the same dump).

#include "dg/model/json.hpp"
#include "dg/store/store.hpp"
#include "tests/support/dns_rig.hpp"
#include "tests/support/postgres_server.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <thread>

extern char** environ;

namespace dg::test {
namespace {

using nlohmann::json;

constexpr const char* kRib = "mrt/rib.20140523.0600_firstMB.bz2";

struct RoutedHost {
    std::string prefix;
    std::uint32_t asn = 0;
};

std::map<std::string, RoutedHost> rib_hosts() {
    std::map<std::string, RoutedHost> out;
    const char* src = std::getenv("DG_SOURCE_DIR");
    std::ifstream in(std::string(src != nullptr ? src : ".") + "/tests/harness/rib_hosts.tsv");
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') {
            continue;
        }
        std::istringstream fields(line);
        std::string prefix, host;
        std::uint32_t asn = 0;
        fields >> prefix >> asn >> host;
        out[host] = RoutedHost{prefix, asn};
    }
    return out;
}

std::map<std::string, json> by_domain(const std::string& jsonl) {
    std::map<std::string, json> out;
    for (const auto& line : split_lines(jsonl)) {
        auto j = json::parse(line, nullptr, false);
        if (j.is_object()) {
            out[j["domain"].get<std::string>()] = j;
        }
    }
    return out;
}

std::vector<std::string> ips_of(const json& list) {
    std::vector<std::string> out;
    for (const auto& a : list) {
        out.push_back(a["ip"].get<std::string>());
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

/// Every address: routed rig hosts map to their truth prefix and origin, the rest is unrouted.
void expect_mapped(const json& addresses, const std::map<std::string, RoutedHost>& routed,
                   const std::string& where) {
    for (const auto& a : addresses) {
        const auto ip = a["ip"].get<std::string>();
        const auto it = routed.find(ip);
        if (it == routed.end()) {
            EXPECT_TRUE(a["prefix"].is_null()) << where << " " << ip;
            EXPECT_TRUE(a["asn"].is_null()) << where << " " << ip;
            continue;
        }
        EXPECT_EQ(a["prefix"], it->second.prefix) << where << " " << ip;
        EXPECT_EQ(a["asn"], it->second.asn) << where << " " << ip;
        EXPECT_EQ(a["origins"], json::array({it->second.asn})) << where << " " << ip;
    }
}

/// The rig's name servers and mail hosts: nsK/mxK.rig.test -> 192.0.2.k, 2001:db8::k.
std::vector<std::string> rig_host_ips(const std::string& host) {
    static const std::vector<std::string> order = {"ns1", "ns2", "ns3", "ns4", "mx1", "mx2", "mx3"};
    const auto label = host.substr(0, host.find('.'));
    const auto k = std::find(order.begin(), order.end(), label) - order.begin() + 1;
    std::ostringstream v6;
    v6 << "2001:db8::" << std::hex << k;
    return sorted({"192.0.2." + std::to_string(k), v6.str()});
}

void expect_truth(const DnsRig& rig, const std::map<std::string, json>& results) {
    const auto routed = rib_hosts();
    std::size_t checked = 0;
    for (const auto& t : rig.truth()) {
        if (t.kind == "ptr" || t.kind == "ptr_nxdomain" || t.kind == "servfail" ||
            t.kind == "cname_loop") {
            continue;
        }
        const auto it = results.find(t.name);
        ASSERT_NE(it, results.end()) << "no result for " << t.name;
        const json& r = it->second;
        EXPECT_EQ(r["status"], t.status) << t.name;
        EXPECT_EQ(ips_of(r["a"]), sorted(t.a)) << t.name;
        EXPECT_EQ(ips_of(r["aaaa"]), sorted(t.aaaa)) << t.name;
        EXPECT_EQ(r["cname"], json(t.cname)) << t.name;
        std::vector<std::string> ns;
        for (const auto& n : r["ns"]) {
            ns.push_back(n["host"].get<std::string>());
            EXPECT_EQ(ips_of(n["ips"]), rig_host_ips(n["host"].get<std::string>())) << t.name;
        }
        EXPECT_EQ(ns, sorted(t.ns)) << t.name;
        std::vector<RigTruthMx> mx;
        for (const auto& m : r["mx"]) {
            mx.push_back(RigTruthMx{m["preference"].get<int>(), m["host"].get<std::string>()});
            EXPECT_EQ(ips_of(m["ips"]), rig_host_ips(m["host"].get<std::string>())) << t.name;
        }
        auto want_mx = t.mx;
        std::sort(want_mx.begin(), want_mx.end(), [](const auto& x, const auto& y) {
            return x.preference != y.preference ? x.preference < y.preference : x.host < y.host;
        });
        EXPECT_EQ(mx, want_mx) << t.name;
        expect_mapped(r["a"], routed, t.name);
        expect_mapped(r["aaaa"], routed, t.name);
        ++checked;
    }
    EXPECT_GT(checked, 300U);
    // The failures are recorded too, with their status.
    for (const auto* t : rig.of_kind("servfail")) {
        ASSERT_TRUE(results.count(t->name)) << t->name;
        EXPECT_EQ(results.at(t->name)["status"], "SERVFAIL") << t->name;
    }
}

/// How many routed rig hosts the zones use: the check above must have had something to check.
std::size_t routed_addresses(const std::map<std::string, json>& results) {
    const auto routed = rib_hosts();
    std::size_t n = 0;
    for (const auto& [name, r] : results) {
        for (const auto& a : r["a"]) {
            n += routed.count(a["ip"].get<std::string>());
        }
    }
    return n;
}

CommandResult scan(const std::vector<std::string>& extra) {
    std::vector<std::string> argv = {dg_binary(), "scan", "--no-progress"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_command(argv);
}

void scan_matches_truth(const std::string& db_url) {
    DG_DNS_SERVERS_OR_SKIP();
    DG_SHARED_OR_SKIP(rib, kRib);
    auto rig = DnsRig::start(300);
    ASSERT_TRUE(rig) << DnsRig::last_error();
    const TempDir dir;
    const std::string out = dir.file("out.jsonl");
    auto r = scan({"-d", rig->names_file(), "-m", rib, "--db", db_url, "--resolver",
                   rig->recursive_endpoint(), "-o", out, "--notes", "e2e"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto results = by_domain(read_file(out));
    expect_truth(*rig, results);
    EXPECT_GT(routed_addresses(results), 50U);

    // The store holds exactly what was written out.
    auto store = store::Store::open(db_url);
    ASSERT_TRUE(store) << store.error().to_string();
    auto scans = (*store)->list_scans();
    ASSERT_TRUE(scans);
    ASSERT_EQ(scans->size(), 1U);
    EXPECT_EQ(scans->front().status, model::ScanStatus::Complete);
    EXPECT_EQ(scans->front().notes, "e2e");
    EXPECT_EQ(scans->front().domains_done, results.size());
    auto stored = (*store)->results_vector(scans->front().id, {});
    ASSERT_TRUE(stored);
    ASSERT_EQ(stored->size(), results.size());
    for (const auto& s : *stored) {
        const auto j = model::to_json(s.result);
        EXPECT_EQ(j, results.at(s.result.domain)) << s.result.domain;
    }
}

TEST(ScanE2e, SqliteMatchesTruth) {
    const TempDir dir;
    scan_matches_truth("sqlite://" + dir.file("scan.db"));
}

TEST(ScanE2e, PostgresMatchesTruth) {
    DG_POSTGRES_DATABASE_OR_SKIP(url);
    scan_matches_truth(url);
}

TEST(ScanE2e, As2orgNamesTheOrganisationOfEveryRoutedAddress) {
    DG_DNS_SERVERS_OR_SKIP();
    DG_SHARED_OR_SKIP(rib, kRib);
    auto rig = DnsRig::start(120);
    ASSERT_TRUE(rig) << DnsRig::last_error();
    const TempDir dir;
    // A CAIDA-format file naming an organisation for every origin AS of the rig's routed hosts.
    std::string orgs = "# format:org_id|changed|org_name|country|source\n";
    std::string ases = "# format:aut|changed|aut_name|org_id|opaque_id|source\n";
    std::set<std::uint32_t> seen;
    for (const auto& [ip, host] : rib_hosts()) {
        if (seen.insert(host.asn).second) {
            const auto id = "ORG-" + std::to_string(host.asn);
            orgs += id + "|20240101|Org of AS" + std::to_string(host.asn) + "|NL|RIPE\n";
            ases += std::to_string(host.asn) + "|20240101|AS-NAME|" + id + "||RIPE\n";
        }
    }
    write_file(dir.file("as-org2info.txt"), "# name: AS Org\n" + orgs + ases);
    auto r = scan({"-d", rig->ordinary_file(), "-m", rib, "--db", "sqlite://" + dir.file("s.db"),
                   "--resolver", rig->recursive_endpoint(), "--as2org", dir.file("as-org2info.txt"),
                   "--format", "jsonl"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::size_t named = 0;
    for (const auto& [name, result] : by_domain(r.out)) {
        for (const auto& a : result["a"]) {
            if (a["asn"].is_null()) {
                EXPECT_TRUE(a["org"].is_null()) << name;
                continue;
            }
            EXPECT_EQ(a["org"], "Org of AS" + std::to_string(a["asn"].get<std::uint32_t>()))
                << name;
            ++named;
        }
    }
    EXPECT_GT(named, 10U);
    // issue 12 item 19: the summary states the coverage; nothing to warn about
    EXPECT_NE(r.err.find("% routed, 100.0 % of those with an organisation"), std::string::npos)
        << r.err;
    // (the RIB's own warning about its cut bz2 stream is not a coverage warning)
    EXPECT_EQ(r.err.find("domaingraph scan: warning:"), std::string::npos) << r.err;
}

/// Issue 18: `scan --vrps` keeps the RFC 6811 state of every routed address's route in the
/// result, equal to `rpki validate` (pinned separately against an independent Python check) on
/// the same (prefix, origin) pairs, and the summary states the RPKI coverage.
TEST(ScanE2e, VrpsGiveEveryRoutedAddressItsRoutesRpkiState) {
    DG_DNS_SERVERS_OR_SKIP();
    DG_SHARED_OR_SKIP(rib, kRib);
    auto rig = DnsRig::start(120);
    ASSERT_TRUE(rig) << DnsRig::last_error();
    const TempDir dir;
    // VRPs for the rig's routed hosts: a third right, a third naming another AS, a third none
    std::string vrps = "ASN,IP Prefix,Max Length,Trust Anchor\n";
    std::size_t k = 0;
    for (const auto& [ip, host] : rib_hosts()) {
        const auto len = host.prefix.substr(host.prefix.find('/') + 1);
        switch (k++ % 3) {
        case 0:
            vrps += "AS" + std::to_string(host.asn) + "," + host.prefix + "," + len + ",test\n";
            break;
        case 1:
            vrps += "AS" + std::to_string(host.asn + 1) + "," + host.prefix + "," + len + ",test\n";
            break;
        default:
            break;
        }
    }
    write_file(dir.file("vrps.csv"), vrps);
    auto r = scan({"-d", rig->ordinary_file(), "-m", rib, "--db", "sqlite://" + dir.file("s.db"),
                   "--resolver", rig->recursive_endpoint(), "--vrps", dir.file("vrps.csv"),
                   "--format", "jsonl"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::vector<json> routed;
    std::string routes;
    for (const auto& [name, result] : by_domain(r.out)) {
        for (const char* family : {"a", "aaaa"}) {
            for (const auto& a : result[family]) {
                if (a["asn"].is_null()) {
                    EXPECT_FALSE(a.contains("rpki")) << name << " " << a;
                    continue;
                }
                routed.push_back(a);
                routes += a["prefix"].get<std::string>() + " " +
                          std::to_string(a["asn"].get<std::uint32_t>()) + "\n";
            }
        }
    }
    ASSERT_GT(routed.size(), 10U);
    write_file(dir.file("routes.txt"), routes);
    auto check = run_command({dg_binary(), "rpki", "validate", "--vrps", dir.file("vrps.csv"), "-i",
                              dir.file("routes.txt"), "--format", "jsonl"});
    ASSERT_EQ(check.exit_code, 0) << check.err;
    const auto lines = split_lines(check.out);
    ASSERT_EQ(lines.size(), routed.size());
    std::map<std::string, int> states;
    for (std::size_t i = 0; i < routed.size(); ++i) {
        const json want = json::parse(lines[i]);
        EXPECT_EQ(routed[i]["rpki"], want["state"]) << routed[i] << " vs " << lines[i];
        EXPECT_EQ(routed[i].value("rpki_reason", json()), want["reason"]) << routed[i];
        ++states[want["state"].get<std::string>()];
    }
    EXPECT_GT(states["valid"], 0);
    EXPECT_GT(states["invalid"], 0);
    EXPECT_GT(states["not-found"], 0);
    EXPECT_NE(r.err.find("% routed, RPKI: "), std::string::npos) << r.err;
}

/// Issue 12 item 19: enrichment that matches nothing is not silent. An as2org file naming no AS
/// of the scan is a warning in the summary (exit 0); a MaxMind City database given as the
/// IP-to-AS source is an error that says what the file is (exit 1, nothing stored).
TEST(ScanE2e, CoverageIsStatedAndSourcesThatMatchNothingWarn) {
    DG_DNS_SERVERS_OR_SKIP();
    DG_SHARED_OR_SKIP(rib, kRib);
    DG_SHARED_OR_SKIP(city, "geo/GeoLite2-City-Test.mmdb");
    auto rig = DnsRig::start(40);
    ASSERT_TRUE(rig) << DnsRig::last_error();
    const TempDir dir;
    write_file(dir.file("as-org2info.txt"),
               "# format:org_id|changed|org_name|country|source\n"
               "ORG-X|20240101|Nobody Here|NL|RIPE\n"
               "# format:aut|changed|aut_name|org_id|opaque_id|source\n"
               "4294967000|20240101|AS-NAME|ORG-X||RIPE\n");
    const std::string db = "sqlite://" + dir.file("s.db");
    auto r = scan({"-d", rig->ordinary_file(), "-m", rib, "--db", db, "--resolver",
                   rig->recursive_endpoint(), "--as2org", dir.file("as-org2info.txt")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("coverage: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("% routed, 0.0 % of those with an organisation"), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("domaingraph scan: warning: the as2org data named the organisation of "
                         "none of the "),
              std::string::npos)
        << r.err;
    // the report of that scan says the same
    auto report = run_command({dg_binary(), "analytics", "latest", "--json", "--db", db});
    ASSERT_EQ(report.exit_code, 0) << report.err;
    const json stats = json::parse(report.out);
    EXPECT_GT(stats["coverage"]["routed"], 0);
    EXPECT_EQ(stats["coverage"]["with_org"], 0);

    auto city_scan = scan({"-d", rig->ordinary_file(), "-m", city, "--db", db, "--resolver",
                           rig->recursive_endpoint()});
    EXPECT_EQ(city_scan.exit_code, 1) << city_scan.err;
    EXPECT_NE(city_scan.err.find("'GeoLite2-City', which maps addresses to places, not to ASes"),
              std::string::npos)
        << city_scan.err;
    auto lookup = run_command({dg_binary(), "lookup", "-m", city, "192.0.2.1"});
    EXPECT_NE(lookup.exit_code, 0);
    EXPECT_NE(lookup.err.find("not to ASes"), std::string::npos) << lookup.err;
}

// ---- kill -9 mid-run, resume: every domain exactly once ----------------------------------

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

TEST(ScanE2e, KilledScanResumesWithEveryDomainOnce) {
    DG_DNS_SERVERS_OR_SKIP();
    DG_SHARED_OR_SKIP(rib, kRib);
    auto rig = DnsRig::start(600);
    ASSERT_TRUE(rig) << DnsRig::last_error();
    const TempDir dir;
    const std::string db = "sqlite://" + dir.file("scan.db");
    // Slow (rate-limited) so that the kill lands in the middle; small batches.
    const pid_t pid = spawn({dg_binary(), "scan", "--no-progress", "-d", rig->ordinary_file(), "-m",
                             rib, "--db", db, "--resolver", rig->recursive_endpoint(), "--rate",
                             "300", "--batch", "20", "--format", "none"},
                            dir.file("first.out"));
    ASSERT_GT(pid, 0);
    std::uint64_t done_at_kill = 0;
    auto store = store::Store::open(db);
    for (int i = 0; i < 600 && done_at_kill < 100; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (!store) {
            store = store::Store::open(db);
            continue;
        }
        auto scans = (*store)->list_scans();
        if (scans && !scans->empty()) {
            done_at_kill = scans->front().domains_done;
        }
    }
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the scan ended before it was killed";
    ASSERT_GE(done_at_kill, 100U);
    ASSERT_TRUE(store) << store.error().to_string();
    auto scans = (*store)->list_scans();
    ASSERT_TRUE(scans);
    ASSERT_EQ(scans->size(), 1U);
    const auto id = scans->front().id;
    EXPECT_EQ(scans->front().status, model::ScanStatus::Running); // nobody could say otherwise
    EXPECT_LT(scans->front().domains_done, 600U);

    auto resumed = scan({"--resume", std::to_string(id), "--db", db, "--format", "none"});
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    EXPECT_NE(resumed.err.find("already done"), std::string::npos) << resumed.err;

    auto stored = (*store)->results_vector(id, {});
    ASSERT_TRUE(stored);
    std::multiset<std::string> names;
    for (const auto& s : *stored) {
        names.insert(s.result.domain);
    }
    std::set<std::string> want;
    for (const auto& line : split_lines(read_file(rig->ordinary_file()))) {
        want.insert(line);
    }
    EXPECT_EQ(names.size(), want.size());
    EXPECT_EQ(std::set<std::string>(names.begin(), names.end()), want);
    for (const auto& s : *stored) {
        EXPECT_EQ(s.result.status, "NOERROR") << s.result.domain;
    }
    auto final_scan = (*store)->get_scan(id);
    ASSERT_TRUE(final_scan);
    EXPECT_EQ(final_scan->status, model::ScanStatus::Complete);
    EXPECT_EQ(final_scan->domains_done, 600U);
}

// ---- change the zones, scan again: diff reports exactly those changes ----------------------

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
    }
    return text;
}

/// Rewrites DIR/zones/ZONE.zone through `edit` (bumping the SOA serial) and reloads it in knotd.
void edit_zone(const DnsRig& rig, const std::string& zone,
               const std::function<std::string(std::string)>& edit) {
    const std::string path = rig.dir() + "/zones/" + zone + ".zone";
    std::string text = edit(read_file(path));
    text = replace_all(text, "hostmaster.rig.test. 1 3600", "hostmaster.rig.test. 2 3600");
    write_file(path, text);
    auto r = run_command(
        {"knotc", "-c", rig.dir() + "/knot.conf", "-b", "-t", "30", "zone-reload", zone});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST(ScanE2e, DiffAfterZoneChangesReportsExactlyThem) {
    DG_DNS_SERVERS_OR_SKIP();
    DG_SHARED_OR_SKIP(rib, kRib);
    auto rig = DnsRig::start(300);
    ASSERT_TRUE(rig) << DnsRig::last_error();
    const auto routed = rib_hosts();
    // Pick the domains to change from the truth.
    std::string moved, moved_from, moved_to, ns_cut, ns_host, mx_domain, mx_host;
    int mx_pref = 0;
    for (const auto* t : rig->of_kind("ordinary")) {
        if (moved.empty() && t->a.size() == 1 && routed.count(t->a[0])) {
            moved = t->name;
            moved_from = t->a[0];
            for (const auto& [ip, host] : routed) {
                if (host.asn != routed.at(moved_from).asn) {
                    moved_to = ip;
                    break;
                }
            }
        } else if (ns_cut.empty() && t->ns.size() == 2) {
            ns_cut = t->name;
            ns_host = t->ns[1];
        } else if (mx_domain.empty() && t->mx.size() == 1) {
            mx_domain = t->name;
            mx_host = t->mx[0].host;
            mx_pref = t->mx[0].preference;
        }
    }
    ASSERT_FALSE(moved.empty() || moved_to.empty() || ns_cut.empty() || mx_domain.empty());

    const TempDir dir;
    std::string list;
    for (const auto* t : rig->of_kind("ordinary")) {
        list += t->name + "\n";
    }
    list += "chain1.rig.test\nnodata.rig.test\n";
    write_file(dir.file("list.txt"), list);
    const std::string db = "sqlite://" + dir.file("diff.db");
    // Straight to the authoritative server: no recursive cache between the two scans.
    const std::vector<std::string> args = {
        "-d",         dir.file("list.txt"), "-m",       rib,   "--db", db,
        "--resolver", rig->auth_endpoint(), "--format", "none"};
    auto first = scan(args);
    ASSERT_EQ(first.exit_code, 0) << first.err;

    edit_zone(*rig, moved, [&](std::string z) {
        return replace_all(z, "@ A " + moved_from + "\n", "@ A " + moved_to + "\n");
    });
    edit_zone(*rig, ns_cut,
              [&](std::string z) { return replace_all(z, "@ NS " + ns_host + ".\n", ""); });
    edit_zone(*rig, mx_domain, [&](std::string z) {
        return replace_all(z, "@ MX " + std::to_string(mx_pref) + " ",
                           "@ MX " + std::to_string(mx_pref + 25) + " ");
    });
    edit_zone(*rig, "rig.test", [&](std::string z) {
        z = replace_all(z, "chain1.rig.test. 86400 IN CNAME chain1-hop1.rig.test.",
                        "chain1.rig.test. 86400 IN CNAME chain1-alt.rig.test.");
        z += "chain1-alt.rig.test. 86400 IN A 203.0.113.201\n"
             "chain1-alt.rig.test. 86400 IN AAAA 2001:db8:ff::1\n"
             "chain1-alt.rig.test. 86400 IN MX 5 mx1.rig.test.\n";
        return replace_all(z, "nodata.rig.test. 86400 IN A 198.51.100.77\n", "");
    });
    auto second = scan(args);
    ASSERT_EQ(second.exit_code, 0) << second.err;

    auto diff = run_command({dg_binary(), "diff", "1", "2", "--db", db, "--format", "json"});
    ASSERT_EQ(diff.exit_code, 0) << diff.err;
    const auto report = json::parse(diff.out);
    std::set<std::string> got;
    for (const auto& c : report["changes"]) {
        got.insert(c["domain"].get<std::string>() + " " + c["type"].get<std::string>() + " " +
                   c["from"].dump() + " " + c["to"].dump());
    }
    const std::set<std::string> want = {
        moved + " a_removed \"" + moved_from + "\" null",
        moved + " a_added null \"" + moved_to + "\"",
        ns_cut + " ns_removed \"" + ns_host + "\" null",
        mx_domain + " mx_preference_changed " +
            json({{"host", mx_host}, {"preference", mx_pref}}).dump() + " " +
            json({{"host", mx_host}, {"preference", mx_pref + 25}}).dump(),
        "chain1.rig.test cname_changed [\"chain1-hop1.rig.test\"] [\"chain1-alt.rig.test\"]",
        "nodata.rig.test status_changed \"NOERROR\" \"NXDOMAIN\"",
    };
    EXPECT_EQ(got, want) << diff.out;
    EXPECT_EQ(report["summary"]["changes"], 6);
    // The changes were stored as well.
    auto store = store::Store::open(db);
    ASSERT_TRUE(store);
    auto stored = (*store)->changes(1, 2);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->size(), 6U);
}

} // namespace
} // namespace dg::test
