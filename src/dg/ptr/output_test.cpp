#include "dg/ptr/output.hpp"

#include <gtest/gtest.h>

namespace dg::ptr {
namespace {

PtrResult sample() {
    PtrResult r;
    r.ip = *IpAddress::parse("198.19.0.5");
    r.status = dns::Status::NoError;
    r.names = {"a.example.net", "b\"x.example.net"};
    r.cname = "5.0-25.0.19.198.in-addr.arpa";
    r.resolver = "127.0.0.1:53";
    r.attempts = 2;
    r.queried_at = 1764700000;
    return r;
}

TEST(PtrOutput, JsonLinesShape) {
    std::string out;
    append_jsonl(out, sample());
    EXPECT_EQ(out, "{\"ip\":\"198.19.0.5\",\"status\":\"NOERROR\",\"names\":[\"a.example.net\","
                   "\"b\\\"x.example.net\"],\"cname\":\"5.0-25.0.19.198.in-addr.arpa\","
                   "\"resolver\":\"127.0.0.1:53\",\"attempts\":2,\"queried_at\":1764700000}\n");
    PtrResult t;
    t.ip = *IpAddress::parse("2001:db8::1");
    t.status = dns::Status::Timeout;
    out.clear();
    append_jsonl(out, t);
    EXPECT_EQ(out, "{\"ip\":\"2001:db8::1\",\"status\":\"TIMEOUT\",\"names\":[],\"resolver\":\"\","
                   "\"attempts\":0,\"queried_at\":0}\n");
}

TEST(PtrOutput, CsvQuotesCells) {
    std::string out(csv_header());
    append_csv(out, sample());
    EXPECT_EQ(out, "ip,status,names,cname,resolver,attempts,queried_at\n"
                   "198.19.0.5,NOERROR,\"a.example.net b\"\"x.example.net\","
                   "5.0-25.0.19.198.in-addr.arpa,127.0.0.1:53,2,1764700000\n");
}

TEST(PtrOutput, CaidaLayoutWithFailurePseudoNames) {
    std::string out;
    append_caida(out, sample());
    EXPECT_EQ(out, "1764700000\t198.19.0.5\ta.example.net\n"
                   "1764700000\t198.19.0.5\tb\"x.example.net\n");
    PtrResult r;
    r.ip = *IpAddress::parse("192.0.2.1");
    r.queried_at = 7;
    const std::pair<dns::Status, const char*> cases[] = {
        {dns::Status::NxDomain, "FAIL.NON-AUTHORITATIVE.in-addr.arpa"},
        {dns::Status::NoData, "FAIL.NON-AUTHORITATIVE.in-addr.arpa"},
        {dns::Status::ServFail, "FAIL.SERVER-FAILURE.in-addr.arpa"},
        {dns::Status::Refused, "FAIL.SERVER-FAILURE.in-addr.arpa"},
        {dns::Status::Timeout, "FAIL.TIMEOUT.in-addr.arpa"},
    };
    for (const auto& [status, name] : cases) {
        r.status = status;
        out.clear();
        append_caida(out, r);
        EXPECT_EQ(out, std::string("7\t192.0.2.1\t") + name + "\n");
    }
}

TEST(PtrOutput, ParseFormatAndStatus) {
    EXPECT_EQ(*parse_output_format("caida"), OutputFormat::Caida);
    EXPECT_FALSE(parse_output_format("xml").has_value());
    for (std::size_t i = 0; i < dns::kStatusCount; ++i) {
        const auto s = static_cast<dns::Status>(i);
        EXPECT_EQ(*parse_status(dns::status_name(s)), s);
    }
    EXPECT_FALSE(parse_status("nope").has_value());
}

TEST(PtrSweepTable, FormatsMainAndAfterRepair) {
    StatusTable t;
    t.main[static_cast<std::size_t>(dns::Status::NoError)] = 90;
    t.main[static_cast<std::size_t>(dns::Status::Timeout)] = 10;
    t.final[static_cast<std::size_t>(dns::Status::NoError)] = 98;
    t.final[static_cast<std::size_t>(dns::Status::Timeout)] = 2;
    const std::string text = format_status_table(t);
    EXPECT_NE(text.find("NOERROR            90            98"), std::string::npos) << text;
    EXPECT_NE(text.find("TIMEOUT            10             2"), std::string::npos) << text;
    EXPECT_NE(text.find("total             100           100"), std::string::npos) << text;
}

} // namespace
} // namespace dg::ptr
