#include "dg/dns/message.hpp"

#include <gtest/gtest.h>

namespace dg::dns {
namespace {

TEST(Message, QueryRoundTrip) {
    std::array<std::uint8_t, 512> buf{};
    auto n = encode_query(0xbeef, "www.Example.com", 28, 1232, buf);
    ASSERT_TRUE(n);
    auto m = decode_message(std::span<const std::uint8_t>(buf.data(), *n));
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(m->id, 0xbeef);
    EXPECT_FALSE(m->qr);
    EXPECT_TRUE(m->rd);
    EXPECT_EQ(m->qname, "www.example.com");
    EXPECT_EQ(m->qtype, 28);
    EXPECT_EQ(m->qclass, 1);
    ASSERT_TRUE(m->edns_udp_size);
    EXPECT_EQ(*m->edns_udp_size, 1232);
}

TEST(Message, ResponseRoundTripAllTypes) {
    ResponseSpec s;
    s.id = 7;
    s.qname = "example.org";
    s.qtype = 1;
    s.answers = {
        {"example.org", 1, 300, "192.0.2.1", 0},
        {"example.org", 28, 300, "2001:db8::1", 0},
        {"example.org", 2, 60, "ns1.example.net", 0},
        {"example.org", 15, 60, "mx.example.org", 10},
        {"example.org", 16, 60, "v=spf1 -all", 0},
        {"www.example.org", 5, 60, "example.org", 0},
        {"1.2.0.192.in-addr.arpa", 12, 60, "host.example.org", 0},
    };
    s.authority = {{"example.org", 6, 30, "ns1.example.net hostmaster.example.org 1 2 3 4 5", 0}};
    auto wire = encode_response(s);
    ASSERT_TRUE(wire) << wire.error().message;
    auto m = decode_message(*wire);
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_TRUE(m->qr);
    EXPECT_EQ(m->rcode, 0);
    ASSERT_EQ(m->answers.size(), s.answers.size());
    for (std::size_t i = 0; i < s.answers.size(); ++i) {
        EXPECT_EQ(m->answers[i].data, s.answers[i].data) << i;
        EXPECT_EQ(m->answers[i].owner, s.answers[i].owner) << i;
        EXPECT_EQ(m->answers[i].ttl, s.answers[i].ttl) << i;
    }
    EXPECT_EQ(m->answers[3].preference, 10);
    ASSERT_EQ(m->authority.size(), 1U);
    EXPECT_EQ(m->authority[0].data, s.authority[0].data);
}

TEST(Message, ExtendedRcodeAndTc) {
    ResponseSpec s;
    s.qname = "x.test";
    s.rcode = 3;
    s.tc = true;
    auto wire = encode_response(s);
    ASSERT_TRUE(wire);
    auto m = decode_message(*wire);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->rcode, 3);
    EXPECT_TRUE(m->tc);
}

TEST(Message, RejectsTruncatedAndGarbage) {
    EXPECT_FALSE(decode_message(std::vector<std::uint8_t>{1, 2, 3}));
    ResponseSpec s;
    s.qname = "example.org";
    s.answers = {{"example.org", 1, 300, "192.0.2.1", 0}};
    auto wire = encode_response(s);
    ASSERT_TRUE(wire);
    for (std::size_t cut = 12; cut < wire->size(); ++cut) {
        std::vector<std::uint8_t> part(wire->begin(),
                                       wire->begin() + static_cast<std::ptrdiff_t>(cut));
        EXPECT_FALSE(decode_message(part)) << cut; // counts say more than is there
    }
    // A compression pointer loop in the answer owner.
    std::vector<std::uint8_t> bad = *wire;
    const std::size_t owner = 12 + 13 + 4; // header + "example.org" + qtype/qclass
    bad[owner] = 0xc0;
    bad[owner + 1] = static_cast<std::uint8_t>(owner);
    EXPECT_FALSE(decode_message(bad));
}

TEST(Message, ParseType) {
    EXPECT_EQ(*parse_type("aaaa"), RecordType::AAAA);
    EXPECT_EQ(*parse_type("MX"), RecordType::MX);
    EXPECT_FALSE(parse_type("SRV"));
    EXPECT_EQ(type_name(99), "TYPE99");
}

TEST(Message, EncodeRejectsOverlongLabel) {
    std::array<std::uint8_t, 512> buf{};
    EXPECT_FALSE(encode_query(1, std::string(70, 'a') + ".example", 1, 1232, buf));
}

} // namespace
} // namespace dg::dns
