// compare(): every change type, its severity and its from/to; the report renderings.
// diff_scans() over real stores: diff_store_test.cpp.

#include "dg/diff/diff.hpp"
#include "dg/diff/report.hpp"
#include "dg/diff/views.hpp"
#include "dg/model/json.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace dg::diff {
namespace {

using model::Change;
using model::ChangeType;
using model::DomainResult;
using model::IpMapping;
using model::Severity;

IpMapping ip(const std::string& text, std::optional<std::uint32_t> asn = 64496,
             const std::string& prefix = "") {
    IpMapping m;
    m.ip = *IpAddress::parse(text);
    if (asn) {
        m.asn = Asn(*asn);
        m.origins = {Asn(*asn)};
        m.prefix = *Prefix::parse(
            prefix.empty() ? text + (text.find(':') == std::string::npos ? "/24" : "/48") : prefix,
            /*allow_host_bits=*/true);
    }
    return m;
}

DomainResult base() {
    DomainResult r;
    r.domain = "example.com";
    r.status = "NOERROR";
    r.a = {ip("192.0.2.1", 64496, "192.0.2.0/24")};
    r.aaaa = {ip("2001:db8::1", 64496, "2001:db8::/32")};
    r.ns = {{"ns1.example.net", 3600, {ip("198.51.100.1", 64500, "198.51.100.0/24")}},
            {"ns2.example.net", 3600, {ip("198.51.100.2", 64500, "198.51.100.0/24")}}};
    r.mx = {{10, "mx1.example.net", 300, {ip("203.0.113.5", 64501, "203.0.113.0/24")}}};
    return r;
}

Change change(ChangeType t, Severity s, const std::string& from, const std::string& to) {
    return Change{"example.com", t, s, from, to, {}};
}

/// `c` about `address` from a `record` record of the domain (role "domain") or of `host`.
Change at(Change c, const std::string& address, const std::string& record,
          const std::string& role = "domain", const std::string& host = "") {
    c.subject = model::ChangeSubject{address, record, role, host};
    return c;
}

TEST(Compare, IdenticalResultsHaveNoChanges) {
    EXPECT_TRUE(compare(base(), base()).empty());
}

TEST(Compare, TtlsAndOrderDoNotMatter) {
    DomainResult b = base();
    b.a.front().ttl = 60;
    b.ns.front().ttl = 1;
    std::swap(b.ns[0], b.ns[1]);
    b.ns[0].host = "NS2.Example.NET.";
    EXPECT_TRUE(compare(base(), b).empty());
}

TEST(Compare, AAndAaaaAddedAndRemoved) {
    DomainResult b = base();
    b.a = {ip("192.0.2.9", 64496, "192.0.2.0/24")};
    b.aaaa.push_back(ip("2001:db8::2", 64496, "2001:db8::/32"));
    const std::vector<Change> want{
        change(ChangeType::ARemoved, Severity::Warning, "\"192.0.2.1\"", "null"),
        change(ChangeType::AAdded, Severity::Info, "null", "\"192.0.2.9\""),
        change(ChangeType::AaaaAdded, Severity::Info, "null", "\"2001:db8::2\"")};
    EXPECT_EQ(compare(base(), b), want);
    const std::vector<Change> back{
        change(ChangeType::ARemoved, Severity::Warning, "\"192.0.2.9\"", "null"),
        change(ChangeType::AAdded, Severity::Info, "null", "\"192.0.2.1\""),
        change(ChangeType::AaaaRemoved, Severity::Warning, "\"2001:db8::2\"", "null")};
    EXPECT_EQ(compare(b, base()), back);
}

TEST(Compare, AsnChangedForAnAddressInBothScans) {
    DomainResult b = base();
    b.a.front().asn = Asn(16509);
    b.a.front().origins = {Asn(16509)};
    EXPECT_EQ(
        compare(base(), b),
        std::vector<Change>{at(change(ChangeType::AsnChanged, Severity::Warning, "64496", "16509"),
                               "192.0.2.1", "A")});
}

TEST(Compare, AsnChangedToAndFromUnroutedAndOnNameServerAddresses) {
    DomainResult b = base();
    b.a.front() = ip("192.0.2.1", std::nullopt);
    b.ns[0].ips.front().asn = Asn(64999);
    b.ns[1].ips.front().asn = Asn(64999); // same pair, another address: its own change
    const std::vector<Change> want{
        at(change(ChangeType::AsnChanged, Severity::Warning, "64496", "null"), "192.0.2.1", "A"),
        at(change(ChangeType::AsnChanged, Severity::Warning, "64500", "64999"), "198.51.100.1", "A",
           "ns", "ns1.example.net"),
        at(change(ChangeType::AsnChanged, Severity::Warning, "64500", "64999"), "198.51.100.2", "A",
           "ns", "ns2.example.net")};
    EXPECT_EQ(compare(base(), b), want);
    EXPECT_EQ(
        compare(b, base()).front(),
        at(change(ChangeType::AsnChanged, Severity::Warning, "null", "64496"), "192.0.2.1", "A"));
}

TEST(Compare, PrefixChangedWhenTheOriginStays) {
    DomainResult b = base();
    b.a.front().prefix = *Prefix::parse("192.0.2.0/25");
    b.mx.front().ips.front().prefix = *Prefix::parse("203.0.0.0/16");
    const std::vector<Change> want{at(change(ChangeType::PrefixChanged, Severity::Info,
                                             "\"192.0.2.0/24\"", "\"192.0.2.0/25\""),
                                      "192.0.2.1", "A"),
                                   at(change(ChangeType::PrefixChanged, Severity::Info,
                                             "\"203.0.113.0/24\"", "\"203.0.0.0/16\""),
                                      "203.0.113.5", "A", "mx", "mx1.example.net")};
    EXPECT_EQ(compare(base(), b), want);
}

/// Issue 12 item 18: every origin-AS, prefix and organisation change names the address, its
/// record type and role; one address in two roles (the domain's AAAA and its name server's) is
/// reported in each.
TEST(Compare, RoutingChangesNameAddressRecordAndRole) {
    DomainResult a = base();
    a.ns[0].ips.push_back(ip("2001:db8::1", 64496, "2001:db8::/32"));
    for (auto* m : {&a.a.front(), &a.mx.front().ips.front()}) {
        m->org = "Old Org";
    }
    DomainResult b = a;
    b.aaaa.front().asn = Asn(64999);
    b.ns[0].ips.back().asn = Asn(64999);
    b.a.front().org = "New Org";          // same AS, another organisation
    b.mx.front().ips.front().org.reset(); // unknown in one scan (no as2org data): no change
    const std::vector<Change> want{
        at(change(ChangeType::AsnChanged, Severity::Warning, "64496", "64999"), "2001:db8::1",
           "AAAA"),
        at(change(ChangeType::AsnChanged, Severity::Warning, "64496", "64999"), "2001:db8::1",
           "AAAA", "ns", "ns1.example.net"),
        at(change(ChangeType::OrgChanged, Severity::Info, "\"Old Org\"", "\"New Org\""),
           "192.0.2.1", "A")};
    const auto got = compare(a, b);
    EXPECT_EQ(got, want);
    ASSERT_EQ(got.size(), 3U);
    EXPECT_EQ(describe(got[1]), "origin AS of 2001:db8::1 (AAAA of name server ns1.example.net) "
                                "changed: AS64496 -> AS64999");
    EXPECT_EQ(describe(got[2]), "organisation of 192.0.2.1 (A of the domain) changed: Old Org -> "
                                "New Org");
    EXPECT_EQ(
        describe(at(change(ChangeType::PrefixChanged, Severity::Info, "\"192.0.2.0/24\"", "null"),
                    "192.0.2.1", "A", "mx", "mx.example.net")),
        "prefix of 192.0.2.1 (A of mail host mx.example.net) changed: 192.0.2.0/24 -> "
        "unrouted");
    const auto j = model::to_json(got[1]);
    EXPECT_EQ(j["address"], "2001:db8::1");
    EXPECT_EQ(j["record"], "AAAA");
    EXPECT_EQ(j["role"], "ns");
    EXPECT_EQ(j["host"], "ns1.example.net");
    EXPECT_TRUE(model::to_json(got[2])["host"].is_null());
    EXPECT_FALSE(model::to_json(change(ChangeType::AAdded, Severity::Info, "null", "\"192.0.2.9\""))
                     .contains("address"));
    // the text report's detail lines carry them too
    Summary s;
    for (const auto& c : got) {
        s.count(c);
    }
    s.domains_compared = 1;
    s.domains_changed = 1;
    const std::string text = text_report(s, got, ReportScans{});
    EXPECT_NE(text.find("[warning] origin AS of 2001:db8::1 (AAAA of the domain) changed: "
                        "AS64496 -> AS64999"),
              std::string::npos)
        << text;
}

TEST(Compare, PrefixChangeWithAnOriginChangeIsOneAsnChange) {
    DomainResult b = base();
    b.a.front().prefix = *Prefix::parse("192.0.0.0/16");
    b.a.front().asn = Asn(1);
    ASSERT_EQ(compare(base(), b).size(), 1U);
    EXPECT_EQ(compare(base(), b).front().type, ChangeType::AsnChanged);
}

TEST(Compare, NameServersAddedAndRemovedAreWarnings) {
    DomainResult b = base();
    b.ns.pop_back();
    b.ns.push_back({"ns3.example.org", 3600, {}});
    const std::vector<Change> want{
        change(ChangeType::NsRemoved, Severity::Warning, "\"ns2.example.net\"", "null"),
        change(ChangeType::NsAdded, Severity::Warning, "null", "\"ns3.example.org\"")};
    EXPECT_EQ(compare(base(), b), want);
}

TEST(Compare, MailServersAndPreferences) {
    DomainResult b = base();
    b.mx.front().preference = 20;
    b.mx.push_back({0, "mx2.example.net", 300, {}});
    DomainResult c = base();
    c.mx.clear();
    const std::vector<Change> want{
        change(ChangeType::MxAdded, Severity::Info, "null", "\"mx2.example.net\""),
        change(ChangeType::MxPreferenceChanged, Severity::Info,
               R"({"host":"mx1.example.net","preference":10})",
               R"({"host":"mx1.example.net","preference":20})")};
    EXPECT_EQ(compare(base(), b), want);
    EXPECT_EQ(compare(base(), c),
              std::vector<Change>{
                  change(ChangeType::MxRemoved, Severity::Warning, "\"mx1.example.net\"", "null")});
}

TEST(Compare, PreferenceZeroIsAChange) {
    // The seed missed 0 <-> x (it tested preferences for truth).
    DomainResult b = base();
    b.mx.front().preference = 0;
    ASSERT_EQ(compare(base(), b).size(), 1U);
    EXPECT_EQ(compare(base(), b).front().type, ChangeType::MxPreferenceChanged);
}

TEST(Compare, CnameChainChanged) {
    DomainResult a = base();
    a.cname = {{"www.cdn-one.net", 300}};
    DomainResult b = base();
    b.cname = {{"edge.cdn-two.net.", 300}, {"e1.cdn-two.net", 60}};
    EXPECT_EQ(compare(a, b),
              std::vector<Change>{change(ChangeType::CnameChanged, Severity::Warning,
                                         R"(["www.cdn-one.net"])",
                                         R"(["edge.cdn-two.net","e1.cdn-two.net"])")});
    EXPECT_EQ(compare(base(), a).front().from_json, "[]");
}

TEST(Compare, StatusChangeToFailureIsAWarningAndRecordsAreNotCompared) {
    DomainResult b = base();
    b.status = "SERVFAIL";
    b.a.clear();
    b.ns.clear();
    EXPECT_EQ(compare(base(), b),
              std::vector<Change>{change(ChangeType::StatusChanged, Severity::Warning,
                                         "\"NOERROR\"", "\"SERVFAIL\"")});
    // Recovery is info, and what the failed scan did not see is not "added".
    EXPECT_EQ(compare(b, base()),
              std::vector<Change>{change(ChangeType::StatusChanged, Severity::Info, "\"SERVFAIL\"",
                                         "\"NOERROR\"")});
    DomainResult gone = base();
    gone.status = "NXDOMAIN";
    gone.a.clear();
    EXPECT_EQ(compare(base(), gone).size(), 1U);
    DomainResult timeout = base();
    timeout.status = "TIMEOUT";
    EXPECT_EQ(compare(b, timeout).front().severity, Severity::Info); // failure -> failure
}

TEST(Compare, NoDataIsAnAnswerSoRecordsAreCompared) {
    DomainResult b = base();
    b.status = "NODATA";
    b.a.clear();
    b.aaaa.clear();
    b.mx.clear();
    const auto changes = compare(base(), b);
    ASSERT_EQ(changes.size(), 4U);
    EXPECT_EQ(changes[0],
              change(ChangeType::StatusChanged, Severity::Warning, "\"NOERROR\"", "\"NODATA\""));
    EXPECT_EQ(changes[1].type, ChangeType::ARemoved);
    EXPECT_EQ(changes[2].type, ChangeType::AaaaRemoved);
    EXPECT_EQ(changes[3].type, ChangeType::MxRemoved);
}

TEST(Compare, DomainsInOneScanOnly) {
    EXPECT_EQ(only_in_a(base()),
              change(ChangeType::StatusChanged, Severity::Warning, "\"NOERROR\"", "null"));
    EXPECT_EQ(only_in_b(base()),
              change(ChangeType::StatusChanged, Severity::Info, "null", "\"NOERROR\""));
    DomainResult failed = base();
    failed.status = "NXDOMAIN";
    EXPECT_EQ(only_in_a(failed).severity, Severity::Info);
}

// Issue 18: the RPKI state of an address's route, when both scans validated it.
TEST(Compare, RpkiStateChangesOfAnAddressesRoute) {
    DomainResult a = base();
    DomainResult b = base();
    a.a.front().rpki = "valid";
    b.a.front().rpki = "invalid";
    b.a.front().rpki_reason = "too-specific";
    a.ns.front().ips.front().rpki = "not-found";
    b.ns.front().ips.front().rpki = "valid";
    a.aaaa.front().rpki = "valid"; // scan B without VRPs: no change claimed
    const auto changes = compare(a, b);
    ASSERT_EQ(changes.size(), 2U);
    EXPECT_EQ(changes[0], at(change(ChangeType::RpkiChanged, Severity::Warning, "\"valid\"",
                                    "\"invalid (too-specific)\""),
                             "192.0.2.1", "A"));
    EXPECT_EQ(changes[1],
              at(change(ChangeType::RpkiChanged, Severity::Info, "\"not-found\"", "\"valid\""),
                 "198.51.100.1", "A", "ns", "ns1.example.net"));
}

TEST(Compare, EveryTypeIsProducedAndCounted) {
    DomainResult a = base();
    a.cname = {{"x.example.net", 1}};
    a.aaaa.push_back(ip("2001:db8::5"));
    DomainResult b = base();
    b.a.push_back(ip("192.0.2.2"));
    b.a.front().asn = Asn(1);
    b.aaaa.push_back(ip("2001:db8::9"));
    b.aaaa.front().prefix = *Prefix::parse("2001:db8::/33");
    b.ns.pop_back();
    b.ns.push_back({"ns9.example.org", 1, {}});
    b.mx.front().preference = 5;
    b.mx.push_back({1, "mx9.example.org", 1, {}});
    a.ns.front().ips.front().org = "Some Org";
    b.ns.front().ips.front().org = "Renamed Org";
    a.mx.front().ips.front().rpki = "valid";
    b.mx.front().ips.front().rpki = "invalid";
    b.mx.front().ips.front().rpki_reason = "wrong-origin";
    DomainResult c = b;
    c.mx = {};
    c.a.pop_back();
    Summary s;
    for (const auto& ch : compare(a, b)) {
        s.count(ch);
    }
    for (const auto& ch : compare(b, c)) {
        s.count(ch);
    }
    DomainResult d = b;
    d.status = "NXDOMAIN";
    s.count(compare(b, d).front());
    for (std::size_t i = 0; i < model::kChangeTypeCount; ++i) {
        EXPECT_GE(s.by_type[i], 1U) << model::change_type_name(static_cast<ChangeType>(i));
    }
    EXPECT_EQ(s.by_severity[0] + s.by_severity[1], s.changes);
}

TEST(Report, JsonHasTheContractShape) {
    Summary s;
    s.scan_a = 1;
    s.scan_b = 2;
    DomainResult b = base();
    b.a.front().asn = Asn(16509);
    const auto changes = compare(base(), b);
    for (const auto& c : changes) {
        s.count(c);
    }
    const auto j = nlohmann::json::parse(json_report(s, changes));
    EXPECT_EQ(j["summary"]["changes"], 1);
    EXPECT_EQ(j["summary"]["by_type"]["org_changed"], 0);
    EXPECT_EQ(j["summary"]["by_type"]["asn_changed"], 1);
    EXPECT_EQ(j["summary"]["by_type"]["a_added"], 0);
    EXPECT_EQ(j["summary"]["by_severity"]["warning"], 1);
    ASSERT_EQ(j["changes"].size(), 1U);
    EXPECT_EQ(j["changes"][0], (nlohmann::json{{"domain", "example.com"},
                                               {"type", "asn_changed"},
                                               {"severity", "warning"},
                                               {"from", 64496},
                                               {"to", 16509},
                                               {"address", "192.0.2.1"},
                                               {"record", "A"},
                                               {"role", "domain"},
                                               {"host", nullptr}}));
    EXPECT_EQ(nlohmann::json::parse(json_report(Summary{}, {}))["changes"],
              nlohmann::json::array());
}

TEST(Report, DescribeEveryType) {
    DomainResult a = base();
    a.cname = {{"old.example.net", 1}};
    DomainResult b = base();
    b.cname = {{"new.example.net", 1}};
    b.mx.front().preference = 20;
    b.a.front().asn = Asn(16509);
    std::string text;
    for (const auto& c : compare(a, b)) {
        text += describe(c) + "\n";
    }
    EXPECT_EQ(text, "CNAME changed: old.example.net -> new.example.net\n"
                    "origin AS of 192.0.2.1 (A of the domain) changed: AS64496 -> AS16509\n"
                    "MX preference changed for mx1.example.net: 10 -> 20\n");
    EXPECT_EQ(describe(only_in_a(a)), "status changed: NOERROR -> (not in scan)");
}

TEST(Report, TextReportLikeTheSeed) {
    Summary s;
    std::vector<Change> changes;
    DomainResult b = base();
    b.a = {ip("192.0.2.7")};
    DomainResult gone = base();
    gone.domain = "gone.example";
    DomainResult added = base();
    added.domain = "new.example";
    changes.push_back(only_in_a(gone));
    for (const auto& c : compare(base(), b)) {
        changes.push_back(c);
    }
    changes.push_back(only_in_b(added));
    for (const auto& c : changes) {
        s.count(c);
    }
    s.domains_a = 2;
    s.domains_b = 2;
    s.domains_compared = 1;
    s.domains_changed = 1;
    s.domains_only_in_a = 1;
    s.domains_only_in_b = 1;
    ReportScans scans;
    scans.a.id = 1;
    scans.b.id = 2;
    const std::string text = text_report(s, changes, scans);
    EXPECT_NE(text.find("SCAN COMPARISON REPORT"), std::string::npos) << text;
    EXPECT_NE(text.find("Previous scan: 1 (1970-01-01T00:00:00Z, running): 2 domains"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("Added domains: 1\n   + new.example (NOERROR)"), std::string::npos) << text;
    EXPECT_NE(text.find("Removed domains: 1\n   - gone.example (NOERROR)"), std::string::npos)
        << text;
    EXPECT_NE(text.find("   example.com:\n      [warning] A record removed: 192.0.2.1\n"
                        "      [info] A record added: 192.0.2.7\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("   - status_changed: 2"), std::string::npos) << text;
    Summary none;
    EXPECT_NE(text_report(none, {}, scans).find("No infrastructure changes detected"),
              std::string::npos);
}

TEST(Views, ScanTableAndHistoryText) {
    model::Scan s;
    s.id = 7;
    s.status = model::ScanStatus::Complete;
    s.domains_total = 3;
    s.domains_done = 2;
    s.notes = "weekly";
    const std::string table = scans_text({s});
    EXPECT_NE(table.find("ID  STATUS"), std::string::npos) << table;
    EXPECT_NE(table.find("7   complete  1970-01-01T00:00:00Z  2/3"), std::string::npos) << table;
    EXPECT_EQ(scans_text({}), "No scans in the database.\n");

    HistoryEntry e1{s, base()};
    HistoryEntry e2{s, base()};
    e2.scan.id = 8;
    e2.result.a.front().asn = Asn(16509);
    const std::string text = history_text("example.com", {e1, e2});
    EXPECT_NE(text.find("example.com: 2 scan(s)"), std::string::npos) << text;
    EXPECT_NE(text.find("  A      192.0.2.1 (192.0.2.0/24 AS64496)"), std::string::npos) << text;
    EXPECT_NE(text.find("  changes since scan 7:\n    [warning] origin AS of 192.0.2.1 (A of the "
                        "domain) changed: AS64496 -> AS16509"),
              std::string::npos)
        << text;
    const auto j = history_json({e1, e2});
    EXPECT_EQ(j[1]["scan_id"], 8);
    EXPECT_EQ(j[1]["result"]["a"][0]["asn"], 16509);
}

} // namespace
} // namespace dg::diff
