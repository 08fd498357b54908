#include "dg/model/json.hpp"

#include <gtest/gtest.h>

namespace dg::model {
namespace {

IpMapping mapping(const char* ip, const char* prefix, std::uint32_t asn) {
    IpMapping m;
    m.ip = *IpAddress::parse(ip);
    m.prefix = *Prefix::parse(prefix);
    m.asn = Asn(asn);
    m.origins = {Asn(asn), Asn(asn + 1)};
    m.org = "Example Org";
    m.ttl = 300;
    return m;
}

DomainResult sample() {
    DomainResult r;
    r.domain = "example.com";
    r.status = "NOERROR";
    r.a = {mapping("192.0.2.1", "192.0.2.0/24", 64496)};
    IpMapping unrouted;
    unrouted.ip = *IpAddress::parse("198.51.100.7");
    r.a.push_back(unrouted);
    r.aaaa = {mapping("2001:db8::1", "2001:db8::/32", 64497)};
    r.cname = {{"alias.example.net", 60}, {"final.example.org", std::nullopt}};
    r.ns = {{"ns1.example.com", 86400, {mapping("192.0.2.53", "192.0.2.0/24", 64496)}}};
    r.mx = {{10, "mx.example.com", 3600, {mapping("192.0.2.25", "192.0.2.0/24", 64496)}}};
    return r;
}

TEST(ModelJson, MatchesTheContractShape) {
    const nlohmann::json j = to_json(sample(), {.ttl = false});
    EXPECT_EQ(j["domain"], "example.com");
    EXPECT_EQ(j["status"], "NOERROR");
    EXPECT_EQ(j["a"][0],
              nlohmann::json::parse(R"({"ip": "192.0.2.1", "prefix": "192.0.2.0/24", "asn": 64496,
                 "origins": [64496, 64497], "org": "Example Org"})"));
    EXPECT_EQ(j["a"][1], nlohmann::json::parse(R"({"ip": "198.51.100.7", "prefix": null,
                 "asn": null, "origins": [], "org": null})"));
    EXPECT_EQ(j["aaaa"][0]["ip"], "2001:db8::1");
    EXPECT_EQ(j["cname"], nlohmann::json::parse(R"(["alias.example.net", "final.example.org"])"));
    EXPECT_EQ(j["ns"][0]["host"], "ns1.example.com");
    EXPECT_EQ(j["ns"][0]["ips"][0]["asn"], 64496);
    EXPECT_EQ(j["mx"][0]["preference"], 10);
    EXPECT_EQ(j["mx"][0]["host"], "mx.example.com");
    EXPECT_FALSE(j.contains("error"));
    EXPECT_FALSE(j["a"][0].contains("ttl"));
    EXPECT_FALSE(j.contains("cname_ttl"));
}

TEST(ModelJson, RoundTripsWithDetails) {
    DomainResult r = sample();
    r.error = "partial: MX host timed out";
    auto back = parse_domain_result(to_json_line(r));
    ASSERT_TRUE(back) << back.error().to_string();
    EXPECT_EQ(*back, r);
}

// Issue 18: a location (scan --geo) is written by both writers and read back; an address
// without one has no "geo" member.
TEST(ModelJson, LocationsRoundTripThroughBothWriters) {
    DomainResult r = sample();
    r.a[0].geo = GeoLocation{"SE", "Link\xc3\xb6ping", 58.4167, 15.6167};
    r.ns[0].ips[0].geo = GeoLocation{"PH", "", std::nullopt, std::nullopt};
    const std::string line = to_json_line(r);
    EXPECT_EQ(nlohmann::json::parse(line), to_json(r)) << line;
    EXPECT_EQ(to_json(r)["a"][0]["geo"],
              nlohmann::json::parse(R"({"country": "SE", "city": "Link\u00f6ping", "lat": 58.4167,
                 "lon": 15.6167})"));
    EXPECT_FALSE(to_json(r)["a"][1].contains("geo"));
    auto back = parse_domain_result(line);
    ASSERT_TRUE(back) << back.error().to_string();
    EXPECT_EQ(*back, r);
    auto bad = parse_domain_result(R"({"domain": "x.example", "status": "NOERROR", "a": [{"ip":)"
                                   R"( "192.0.2.1", "prefix": null, "asn": null, "origins": [],)"
                                   R"( "org": null, "geo": {"lat": "north"}}]})");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("geo.lat"), std::string::npos) << bad.error().message;
}

TEST(ModelJson, RoundTripsAnEmptyResult) {
    DomainResult r;
    r.domain = "nx.example";
    r.status = "NXDOMAIN";
    auto back = parse_domain_result(to_json_line(r));
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, r);
}

TEST(ModelJson, LineWriterMatchesTheDocument) {
    DomainResult r = sample();
    r.error = std::string("ctl \x01\x1f \"q\" \\ tab\t nl\n ü \xff\xfe bad \xed\xa0\x80 end");
    for (const bool ttl : {true, false}) {
        const std::string line = to_json_line(r, {.ttl = ttl});
        const auto parsed = nlohmann::json::parse(line);
        auto expected = to_json(r, {.ttl = ttl});
        expected["error"] = parsed["error"]; // compared below
        EXPECT_EQ(parsed, expected) << line;
        EXPECT_EQ(line.rfind("{\"domain\":\"example.com\",\"status\":", 0), 0U) << line;
    }
    const auto err = nlohmann::json::parse(to_json_line(r))["error"].get<std::string>();
    EXPECT_EQ(err, "ctl \x01\x1f \"q\" \\ tab\t nl\n ü \xEF\xBF\xBD\xEF\xBF\xBD bad "
                   "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD end");
    DomainResult empty;
    empty.domain = "x";
    empty.status = "NXDOMAIN";
    EXPECT_EQ(to_json_line(empty),
              R"({"domain":"x","status":"NXDOMAIN","a":[],"aaaa":[],"cname":[],"ns":[],"mx":[]})");
}

TEST(ModelJson, RejectsBadInput) {
    EXPECT_FALSE(parse_domain_result("not json"));
    EXPECT_FALSE(parse_domain_result("[]"));
    EXPECT_FALSE(parse_domain_result(R"({"status": "NOERROR"})"));
    EXPECT_FALSE(
        parse_domain_result(R"({"domain": "x", "status": "NOERROR", "a": [{"ip": "1.2.3"}]})"));
    EXPECT_FALSE(parse_domain_result(
        R"({"domain": "x", "status": "NOERROR", "a": [{"ip": "192.0.2.1", "asn": -1}]})"));
    EXPECT_FALSE(parse_domain_result(
        R"({"domain": "x", "status": "NOERROR", "a": [{"ip": "192.0.2.1", "asn": 4294967296}]})"));
    EXPECT_FALSE(parse_domain_result(
        R"({"domain": "x", "status": "NOERROR", "mx": [{"host": "m", "preference": 70000}]})"));
    auto e = parse_domain_result(R"({"domain": "x", "status": "NOERROR", "ns": {"a": 1}})");
    ASSERT_FALSE(e);
    EXPECT_NE(e.error().message.find("\"ns\""), std::string::npos);
}

TEST(ModelJson, NamesRoundTrip) {
    for (std::size_t i = 0; i < kChangeTypeCount; ++i) {
        const auto t = static_cast<ChangeType>(i);
        EXPECT_EQ(parse_change_type(change_type_name(t)), t);
    }
    EXPECT_EQ(parse_scan_status("interrupted"), ScanStatus::Interrupted);
    EXPECT_FALSE(parse_scan_status("completed"));
    EXPECT_EQ(parse_severity("warning"), Severity::Warning);
    EXPECT_EQ(format_utc(0), "1970-01-01T00:00:00Z");
}

TEST(ModelJson, ScanAndChangeShapes) {
    Scan s;
    s.id = 7;
    s.status = ScanStatus::Complete;
    s.started_at = 1'700'000'000;
    s.domains_total = 3;
    s.domains_done = 3;
    s.config_json = R"({"concurrency": 100})";
    const auto j = to_json(s);
    EXPECT_EQ(j["id"], 7);
    EXPECT_EQ(j["status"], "complete");
    EXPECT_EQ(j["started_at"], "2023-11-14T22:13:20Z");
    EXPECT_EQ(j["config"]["concurrency"], 100);
    Change c{"example.com", ChangeType::AsnChanged, Severity::Warning, "15169", "16509", {}};
    EXPECT_EQ(to_json(c), nlohmann::json::parse(R"({"domain": "example.com", "type": "asn_changed",
                 "severity": "warning", "from": 15169, "to": 16509})"));
    c.subject = ChangeSubject{"2001:db8::53", "AAAA", "ns", "ns1.example.net"};
    EXPECT_EQ(to_json(c), nlohmann::json::parse(R"({"domain": "example.com", "type": "asn_changed",
                 "severity": "warning", "from": 15169, "to": 16509, "address": "2001:db8::53",
                 "record": "AAAA", "role": "ns", "host": "ns1.example.net"})"));
}

} // namespace
} // namespace dg::model
