// The real binary (DG_BIN) on a SQLite store written through the Store API: diff (text, json,
// -o, stored changes, errors), scans list|show|delete, history.

#include "dg/model/json.hpp"
#include "dg/store/store.hpp"
#include "tests/support/support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace dg::diff {
namespace {

using model::DomainResult;
using model::IpMapping;
using nlohmann::json;
using test::run_command;

IpMapping mapping(const std::string& ip, std::uint32_t asn, const std::string& prefix) {
    IpMapping m;
    m.ip = *IpAddress::parse(ip);
    m.prefix = *Prefix::parse(prefix);
    m.asn = Asn(asn);
    m.origins = {Asn(asn)};
    return m;
}

DomainResult domain(const std::string& name) {
    DomainResult r;
    r.domain = name;
    r.status = "NOERROR";
    r.a = {mapping("192.0.2.10", 64496, "192.0.2.0/24")};
    r.ns = {{"ns1.example.net", 3600, {mapping("198.51.100.1", 64500, "198.51.100.0/24")}},
            {"ns2.example.net", 3600, {mapping("198.51.100.2", 64500, "198.51.100.0/24")}}};
    r.mx = {{10, "mx1.example.net", 300, {}}, {20, "mx2.example.net", 300, {}}};
    return r;
}

/// Scan 1 and scan 2 differ the way the acceptance test changes its zones: an A record
/// moved to an address in another AS, an NS removed, an MX preference changed, a CNAME
/// retargeted, a domain deleted; plus a domain only in each scan.
class DiffCli : public ::testing::Test {
protected:
    void SetUp() override {
        url_ = "sqlite://" + tmp_.file("history.db");
        auto s = store::Store::open(url_);
        ASSERT_TRUE(s) << s.error().to_string();
        store_ = std::move(*s);

        std::vector<DomainResult> first{domain("cname.example"),  domain("deleted.example"),
                                        domain("moved.example"),  domain("mx.example"),
                                        domain("ns.example"),     domain("same.example"),
                                        domain("dropped.example")};
        first[0].cname = {{"old.cdn.example", 60}};
        std::vector<DomainResult> second = first;
        second.pop_back(); // dropped.example: not in scan 2
        second.push_back(domain("new.example"));
        second[0].cname = {{"new.cdn.example", 60}};
        second[1].status = "NXDOMAIN";
        second[1].a.clear();
        second[1].ns.clear();
        second[1].mx.clear();
        second[2].a = {mapping("203.0.113.7", 64511, "203.0.113.0/24")};
        second[3].mx[1].preference = 5;
        second[4].ns.pop_back();
        write_scan("first run", first, model::ScanStatus::Complete);
        write_scan("second run", second, model::ScanStatus::Interrupted);
    }

    void write_scan(const std::string& notes, const std::vector<DomainResult>& results,
                    model::ScanStatus status) {
        store::NewScan n;
        n.notes = notes;
        n.domains_total = results.size() + 1;
        auto scan = store_->create_scan(n);
        ASSERT_TRUE(scan) << scan.error().to_string();
        ASSERT_TRUE(store_->write_results(scan->id, results));
        ASSERT_TRUE(store_->set_scan_status(scan->id, status));
    }

    test::CommandResult dg(std::vector<std::string> args) {
        args.insert(args.begin(), test::dg_binary());
        args.emplace_back("--db");
        args.push_back(url_);
        return run_command(args);
    }

    test::TempDir tmp_;
    std::string url_;
    std::unique_ptr<store::Store> store_;
};

json change(const std::string& d, const std::string& type, const std::string& severity,
            const json& from, const json& to) {
    return json{{"domain", d}, {"type", type}, {"severity", severity}, {"from", from}, {"to", to}};
}

TEST_F(DiffCli, JsonReportsExactlyTheChanges) {
    const auto r = dg({"diff", "1", "2", "--format", "json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json j = json::parse(r.out);
    const json want = json::array({
        change("cname.example", "cname_changed", "warning", json::array({"old.cdn.example"}),
               json::array({"new.cdn.example"})),
        change("deleted.example", "status_changed", "warning", "NOERROR", "NXDOMAIN"),
        change("dropped.example", "status_changed", "warning", "NOERROR", nullptr),
        change("moved.example", "a_removed", "warning", "192.0.2.10", nullptr),
        change("moved.example", "a_added", "info", nullptr, "203.0.113.7"),
        change("mx.example", "mx_preference_changed", "info",
               json{{"host", "mx2.example.net"}, {"preference", 20}},
               json{{"host", "mx2.example.net"}, {"preference", 5}}),
        change("new.example", "status_changed", "info", nullptr, "NOERROR"),
        change("ns.example", "ns_removed", "warning", "ns2.example.net", nullptr),
    });
    EXPECT_EQ(j["changes"], want) << j["changes"].dump(1);
    const json& s = j["summary"];
    EXPECT_EQ(s["domains_a"], 7);
    EXPECT_EQ(s["domains_b"], 7);
    EXPECT_EQ(s["domains_compared"], 6);
    EXPECT_EQ(s["domains_changed"], 5);
    EXPECT_EQ(s["domains_only_in_a"], 1);
    EXPECT_EQ(s["domains_only_in_b"], 1);
    EXPECT_EQ(s["changes"], 8);
    EXPECT_EQ(s["by_type"]["status_changed"], 3);
    EXPECT_EQ(s["by_severity"], (json{{"info", 3}, {"warning", 5}}));

    // Stored, in the same order.
    auto stored = store_->changes(1, 2);
    ASSERT_TRUE(stored) << stored.error().to_string();
    json stored_json = json::array();
    for (const auto& c : *stored) {
        stored_json.push_back(model::to_json(c));
    }
    EXPECT_EQ(stored_json, want);
}

TEST_F(DiffCli, TextReportToAFileAndAliases) {
    const std::string out = tmp_.file("report.txt");
    const auto r = dg({"diff", "1", "latest", "-o", out});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "");
    const std::string text = test::read_file(out);
    for (const char* line : {"SCAN COMPARISON REPORT", "Previous scan: 1 (", "complete): 7 domains",
                             "Current scan:  2 (", "interrupted): 7 domains",
                             "Added domains: 1\n   + new.example (NOERROR)",
                             "Removed domains: 1\n   - dropped.example (NOERROR)",
                             "Domains with infrastructure changes: 5 of 6",
                             "Total changes detected: 8 (warning: 5, info: 3)",
                             "   moved.example:\n      [warning] A record removed: 192.0.2.10\n"
                             "      [info] A record added: 203.0.113.7\n",
                             "[warning] status changed: NOERROR -> NXDOMAIN",
                             "[info] MX preference changed for mx2.example.net: 20 -> 5",
                             "[warning] CNAME changed: old.cdn.example -> new.cdn.example",
                             "[warning] name server removed: ns2.example.net"}) {
        EXPECT_NE(text.find(line), std::string::npos) << line << "\n---\n" << text;
    }
    const auto none = dg({"diff", "1", "1", "--no-store"});
    ASSERT_EQ(none.exit_code, 0) << none.err;
    EXPECT_NE(none.out.find("No infrastructure changes detected"), std::string::npos) << none.out;
}

/// Issue 12 item 17: 'previous' is the previous scan of the same input (the same set of names),
/// not the scan before, which may be of another list; the reports say which scan was used.
TEST_F(DiffCli, PreviousIsThePreviousScanOfTheSameInput) {
    // scans 1 and 2 hold different names: scan 2 has no previous scan of its input
    auto none = dg({"diff", "previous", "latest"});
    EXPECT_EQ(none.exit_code, 1);
    EXPECT_NE(none.err.find("no previous scan of the same input as scan 2 (7 names)"),
              std::string::npos)
        << none.err;
    // scan 3: another list of as many names; scan 4: scan 1's list again
    std::vector<DomainResult> other;
    for (int i = 0; i < 7; ++i) {
        other.push_back(domain("other" + std::to_string(i) + ".example"));
    }
    write_scan("other list", other, model::ScanStatus::Complete);
    auto first = store_->results_vector(1, {});
    ASSERT_TRUE(first);
    std::vector<DomainResult> again;
    for (const auto& r : *first) {
        again.push_back(r.result);
    }
    again[2].a = {mapping("203.0.113.8", 64511, "203.0.113.0/24")};
    write_scan("first list again", again, model::ScanStatus::Complete);

    auto text = dg({"diff", "previous", "latest", "--no-store"});
    ASSERT_EQ(text.exit_code, 0) << text.err;
    EXPECT_NE(text.out.find("Previous scan: 1 ("), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("'previous' = scan 1, the newest earlier scan of the same 7 names as "
                            "scan 4"),
              std::string::npos)
        << text.out;
    EXPECT_NE(text.out.find("'latest' = scan 4"), std::string::npos) << text.out;
    EXPECT_EQ(text.out.find("Added domains"), std::string::npos) << text.out;

    auto j = dg({"diff", "previous", "latest", "--format", "json", "--no-store"});
    ASSERT_EQ(j.exit_code, 0) << j.err;
    const json report = json::parse(j.out);
    EXPECT_EQ(report["scans"]["a"]["id"], 1);
    EXPECT_EQ(report["scans"]["b"]["id"], 4);
    EXPECT_EQ(report["scans"]["b"]["resolved"], "'latest' = scan 4");
    EXPECT_EQ(report["summary"]["domains_only_in_a"], 0);
    EXPECT_EQ(report["summary"]["changes"], 2); // moved.example's A removed and added

    // relative to SCAN_B: the previous scan of scan 3's input does not exist
    auto other_prev = dg({"diff", "previous", "3"});
    EXPECT_EQ(other_prev.exit_code, 1);
    EXPECT_NE(other_prev.err.find("no previous scan of the same input as scan 3"),
              std::string::npos)
        << other_prev.err;

    // trends follow the scans of the newest complete scan's input only (1 and 4, not 3)
    auto t = dg({"trends", "AS64496", "--days", "100000", "--json"});
    ASSERT_EQ(t.exit_code, 0) << t.err;
    const json trend = json::parse(t.out);
    EXPECT_EQ(trend["same_input_as"], 4);
    EXPECT_EQ(trend["names"], 7);
    ASSERT_EQ(trend["trend_data"].size(), 2u) << t.out;
    EXPECT_EQ(trend["trend_data"][0]["scan_id"], 1);
    EXPECT_EQ(trend["trend_data"][1]["scan_id"], 4);
    t = dg({"trends", "AS64496", "--days", "100000"});
    ASSERT_EQ(t.exit_code, 0) << t.err;
    EXPECT_NE(t.out.find("2 complete scans of the same 7 names as scan 4"), std::string::npos)
        << t.out;
}

TEST_F(DiffCli, UnknownAndInvalidScans) {
    const auto unknown = dg({"diff", "1", "42"});
    EXPECT_EQ(unknown.exit_code, 1);
    EXPECT_NE(unknown.err.find("no scan 42"), std::string::npos) << unknown.err;
    EXPECT_EQ(unknown.out, "");
    const auto invalid = dg({"diff", "one", "2"});
    EXPECT_EQ(invalid.exit_code, 2);
    EXPECT_NE(invalid.err.find("'one' is not a scan id"), std::string::npos) << invalid.err;
    EXPECT_EQ(dg({"diff", "1", "2", "--format", "yaml"}).exit_code, 2);
    const auto bad_db = run_command({test::dg_binary(), "diff", "1", "2", "--db", "mysql://x/y"});
    EXPECT_EQ(bad_db.exit_code, 1);
    EXPECT_NE(bad_db.err.find("cannot open the database"), std::string::npos) << bad_db.err;
}

TEST_F(DiffCli, ScansListShowDelete) {
    const auto list = dg({"scans", "list", "--json"});
    ASSERT_EQ(list.exit_code, 0) << list.err;
    const json scans = json::parse(list.out);
    ASSERT_EQ(scans.size(), 2U);
    EXPECT_EQ(scans[0]["id"], 1);
    EXPECT_EQ(scans[0]["status"], "complete");
    EXPECT_EQ(scans[0]["domains_total"], 8);
    EXPECT_EQ(scans[0]["domains_done"], 7);
    EXPECT_EQ(scans[0]["notes"], "first run");
    EXPECT_TRUE(scans[0]["started_at"].is_string());
    EXPECT_EQ(scans[1]["id"], 2);
    EXPECT_EQ(scans[1]["status"], "interrupted");

    const auto table = dg({"scans", "list"});
    ASSERT_EQ(table.exit_code, 0) << table.err;
    const auto lines = test::split_lines(table.out);
    ASSERT_EQ(lines.size(), 3U) << table.out;
    EXPECT_EQ(lines[0].rfind("ID  STATUS", 0), 0U) << table.out;
    EXPECT_NE(lines[2].find("interrupted"), std::string::npos) << table.out;
    EXPECT_NE(lines[2].find("7/8"), std::string::npos) << table.out;
    EXPECT_NE(lines[2].find("second run"), std::string::npos) << table.out;

    const auto show = dg({"scans", "show", "2", "--json"});
    ASSERT_EQ(show.exit_code, 0) << show.err;
    const json s = json::parse(show.out);
    EXPECT_EQ(s["id"], 2);
    EXPECT_EQ(s["results"], (json{{"NOERROR", 6}, {"NXDOMAIN", 1}}));
    EXPECT_EQ(s["results_total"], 7);
    const auto show_text = dg({"scans", "show", "latest"});
    ASSERT_EQ(show_text.exit_code, 0) << show_text.err;
    EXPECT_NE(show_text.out.find("NXDOMAIN   1"), std::string::npos) << show_text.out;

    EXPECT_EQ(dg({"scans", "show", "9"}).exit_code, 1);
    const auto del = dg({"scans", "delete", "1"});
    EXPECT_EQ(del.exit_code, 0) << del.err;
    const auto again = dg({"scans", "delete", "1"});
    EXPECT_EQ(again.exit_code, 1);
    EXPECT_NE(again.err.find("no scan 1"), std::string::npos) << again.err;
    const json after = json::parse(dg({"scans", "list", "--json"}).out);
    ASSERT_EQ(after.size(), 1U);
    EXPECT_EQ(after[0]["id"], 2);
}

TEST_F(DiffCli, HistoryOfADomain) {
    const auto r = dg({"history", "MOVED.Example.", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json j = json::parse(r.out);
    ASSERT_EQ(j.size(), 2U);
    EXPECT_EQ(j[0]["scan_id"], 1);
    EXPECT_EQ(j[1]["scan_id"], 2);
    EXPECT_TRUE(j[0]["started_at"].is_string());
    EXPECT_EQ(j[0]["result"]["domain"], "moved.example");
    EXPECT_EQ(j[0]["result"]["a"][0]["ip"], "192.0.2.10");
    EXPECT_EQ(j[1]["result"]["a"][0]["asn"], 64511);

    const auto text = dg({"history", "moved.example"});
    ASSERT_EQ(text.exit_code, 0) << text.err;
    EXPECT_NE(text.out.find("moved.example: 2 scan(s)"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("203.0.113.7 (203.0.113.0/24 AS64511)"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("changes since scan 1:\n    [warning] A record removed: 192.0.2.10"),
              std::string::npos)
        << text.out;

    const auto only_one = dg({"history", "new.example", "--json"});
    ASSERT_EQ(only_one.exit_code, 0);
    EXPECT_EQ(json::parse(only_one.out).size(), 1U);
    const auto nowhere = dg({"history", "unknown.example", "--json"});
    ASSERT_EQ(nowhere.exit_code, 0);
    EXPECT_EQ(json::parse(nowhere.out), json::array());
    EXPECT_EQ(dg({"history", "bad..name"}).exit_code, 2);
}

} // namespace
} // namespace dg::diff
