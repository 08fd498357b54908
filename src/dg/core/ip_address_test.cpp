#include "dg/core/ip_address.hpp"
#include "dg/core/ip_text.hpp"
#include "dg/core/prefix.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <random>

namespace dg {
namespace {

TEST(IpAddress, ParsesAndPrintsV4) {
    auto a = IpAddress::parse("192.0.2.1");
    ASSERT_TRUE(a);
    EXPECT_TRUE(a->is_v4());
    EXPECT_EQ(a->v4_value(), 0xC0000201U);
    EXPECT_EQ(a->to_string(), "192.0.2.1");
}

TEST(IpAddress, ParsesAndPrintsV6Canonically) {
    auto a = IpAddress::parse("2001:DB8:0:0:0::1");
    ASSERT_TRUE(a);
    EXPECT_FALSE(a->is_v4());
    EXPECT_EQ(a->to_string(), "2001:db8::1");
    EXPECT_EQ(a->v6_high(), 0x20010db800000000ULL);
    EXPECT_EQ(a->v6_low(), 1ULL);
}

TEST(IpAddress, RejectsGarbage) {
    for (const char* bad : {"", "1.2.3", "256.1.1.1", "1.2.3.4.5", "::g", "hello", "1.2.3.4 "}) {
        EXPECT_FALSE(IpAddress::parse(bad)) << bad;
    }
}

TEST(Prefix, ParsesMasksAndContains) {
    auto p = Prefix::parse("198.51.100.0/24");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->to_string(), "198.51.100.0/24");
    EXPECT_TRUE(p->contains(*IpAddress::parse("198.51.100.77")));
    EXPECT_FALSE(p->contains(*IpAddress::parse("198.51.101.1")));
    EXPECT_FALSE(p->contains(*IpAddress::parse("2001:db8::1")));
    EXPECT_FALSE(Prefix::parse("198.51.100.1/24"));
    auto loose = Prefix::parse("198.51.100.1/24", true);
    ASSERT_TRUE(loose);
    EXPECT_EQ(loose->to_string(), "198.51.100.0/24");
    EXPECT_EQ(Prefix::parse("2001:db8::/32")->to_string(), "2001:db8::/32");
    EXPECT_FALSE(Prefix::parse("10.0.0.0/33"));
    EXPECT_FALSE(Prefix::parse("10.0.0.0/"));
    EXPECT_FALSE(Prefix::parse("10.0.0.0/-1"));
    EXPECT_EQ(Prefix(*IpAddress::parse("10.1.2.3"), 9).to_string(), "10.0.0.0/9");
    EXPECT_EQ(Prefix(*IpAddress::parse("2001:db8:ffff::1"), 33).to_string(), "2001:db8:8000::/33");
}

TEST(IpAddress, PrintsEveryV4OctetWidthAsInetNtopDoes) {
    // The IPv4 text is written by hand (not inet_ntop): pin it on the edge values.
    for (const char* text :
         {"0.0.0.0", "255.255.255.255", "10.0.100.9", "1.22.133.4", "100.10.1.0", "9.99.199.200"}) {
        auto a = IpAddress::parse(text);
        ASSERT_TRUE(a) << text;
        EXPECT_EQ(a->to_string(), text);
    }
    for (std::uint32_t v : {0U, 1U, 0x7F000001U, 0xFFFFFFFFU, 0x0A0B0C0DU}) {
        const auto a = IpAddress::v4(v);
        EXPECT_EQ(IpAddress::parse(a.to_string())->v4_value(), v);
    }
}

TEST(IpAddress, PrintsV6ByteForByteAsInetNtopDoes) {
    // The IPv6 text is written by hand too: compare with glibc's inet_ntop on the special
    // forms (zero runs at either end, ties, IPv4-compatible and -mapped) and on random words,
    // a third of them zero so that runs of every length and position occur.
    std::vector<std::array<std::uint8_t, 16>> cases;
    for (const char* text : {"::", "::1", "1::", "::ffff:192.0.2.1", "::192.0.2.1", "::ffff:0:1",
                             "0:0:0:0:0:1:0:0", "1:0:0:2:0:0:3:4", "1:0:2:0:3:0:4:0",
                             "ffff::", "::fffe:1.2.3.4", "2001:db8::", "0:1:0:0:0:0:0:1"}) {
        std::array<std::uint8_t, 16> b{};
        ASSERT_EQ(inet_pton(AF_INET6, text, b.data()), 1) << text;
        cases.push_back(b);
    }
    std::mt19937 rng(20);
    for (int n = 0; n < 20000; ++n) {
        std::array<std::uint8_t, 16> b{};
        for (std::size_t w = 0; w < 8; ++w) {
            const auto pick = static_cast<std::uint32_t>(rng());
            const auto word = static_cast<std::uint32_t>(
                pick % 3 == 0 ? 0 : (pick % 5 == 0 ? (rng() & 0xFU) : rng()));
            b[2 * w] = static_cast<std::uint8_t>(word >> 8);
            b[2 * w + 1] = static_cast<std::uint8_t>(word);
        }
        cases.push_back(b);
    }
    for (const auto& b : cases) {
        char expected[INET6_ADDRSTRLEN];
        ASSERT_NE(inet_ntop(AF_INET6, b.data(), expected, sizeof expected), nullptr);
        const IpAddress ip = IpAddress::from_bytes(IpFamily::V6, b.data());
        EXPECT_EQ(ip.to_string(), expected);
        EXPECT_EQ(IpText(ip).view(), expected);
    }
}

TEST(IpText, IsTheTextOfAddressesAndPrefixes) {
    for (const char* text : {"0.0.0.0/0", "192.0.2.0/24", "10.1.2.3/32", "::/0", "2001:db8::/32",
                             "2001:db8:1234:5678:9abc:def0:1234:5600/120",
                             "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", "::ffff:0.0.0.0/96"}) {
        const auto p = Prefix::parse(text);
        ASSERT_TRUE(p) << text;
        EXPECT_EQ(IpText(*p).view(), p->to_string());
        EXPECT_EQ(IpText(*p).view(), text);
        EXPECT_EQ(IpText(p->network()).view(), p->network().to_string());
    }
}

} // namespace
} // namespace dg
