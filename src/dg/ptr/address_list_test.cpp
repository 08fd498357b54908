#include "dg/ptr/address_list.hpp"

#include <gtest/gtest.h>

namespace dg::ptr {
namespace {

AddressPlan parse_ok(std::string_view text, ListKind kind, ListReport& report) {
    auto plan = parse_address_list(text, kind, report);
    EXPECT_TRUE(plan.has_value()) << (plan ? "" : plan.error().to_string());
    return plan ? *plan : AddressPlan{};
}

TEST(AddressList, ReadsPrefixesCommentsAndBlankLines) {
    ListReport r;
    const auto plan = parse_ok("# header\n\n192.0.2.0/24\n  198.51.100.0/30  # inline\n"
                               "203.0.113.7\n2001:db8::/126\r\n",
                               ListKind::Prefixes, r);
    EXPECT_EQ(r.lines, 4U);
    EXPECT_EQ(r.entries, 4U);
    EXPECT_EQ(r.invalid, 0U);
    EXPECT_EQ(plan.v4_count(), 256U + 4U + 1U);
    EXPECT_EQ(plan.v6_count(), 4U);
    EXPECT_EQ(plan.size(), 265U);
    EXPECT_EQ(plan.at(0).to_string(), "192.0.2.0");
    EXPECT_EQ(plan.at(255).to_string(), "192.0.2.255");
    EXPECT_EQ(plan.at(256).to_string(), "198.51.100.0");
    EXPECT_EQ(plan.at(260).to_string(), "203.0.113.7");
    EXPECT_EQ(plan.at(261).to_string(), "2001:db8::");
    EXPECT_EQ(plan.at(264).to_string(), "2001:db8::3");
}

TEST(AddressList, InvalidLinesAreCountedWithTheirNumber) {
    ListReport r;
    const auto plan = parse_ok("192.0.2.0/24\n192.0.2.1/24\nnot-a-prefix\n10.0.0.0/33\n"
                               "10.1.0.0/16\n::/-1\n",
                               ListKind::Prefixes, r);
    EXPECT_EQ(r.lines, 6U);
    EXPECT_EQ(r.entries, 2U);
    EXPECT_EQ(r.invalid, 4U);
    ASSERT_EQ(r.problems.size(), 4U);
    EXPECT_EQ(r.problems[0].line, 2U);
    EXPECT_NE(r.problems[0].reason.find("host bits"), std::string::npos);
    EXPECT_EQ(r.problems[1].line, 3U);
    EXPECT_EQ(r.problems[2].line, 4U);
    EXPECT_EQ(r.problems[3].line, 6U);
    EXPECT_EQ(plan.size(), 256U + 65536U);
}

TEST(AddressList, OverlapsAndAdjacentPrefixesMerge) {
    ListReport r;
    const auto plan = parse_ok("10.0.0.0/16\n10.0.1.0/24\n10.0.0.5\n10.1.0.0/16\n10.0.0.0/16\n"
                               "2001:db8::/120\n2001:db8::80/121\n",
                               ListKind::Prefixes, r);
    EXPECT_EQ(r.listed_addresses, 65536U * 3 + 256 + 1 + 256 + 128);
    EXPECT_EQ(plan.v4_count(), 2U * 65536U);
    ASSERT_EQ(plan.v4_ranges().size(), 1U);
    EXPECT_EQ(plan.v6_count(), 256U);
    const auto cidrs = plan.prefixes();
    ASSERT_EQ(cidrs.size(), 2U);
    EXPECT_EQ(cidrs[0].to_string(), "10.0.0.0/15");
    EXPECT_EQ(cidrs[1].to_string(), "2001:db8::/120");
}

TEST(AddressList, IndexOfIsTheInverseOfAt) {
    ListReport r;
    const auto plan = parse_ok("192.0.2.0/28\n198.51.100.9\n2001:db8::/124\n2001:db8:1::1\n",
                               ListKind::Prefixes, r);
    for (std::uint64_t i = 0; i < plan.size(); ++i) {
        auto back = plan.index_of(plan.at(i));
        ASSERT_TRUE(back.has_value());
        EXPECT_EQ(*back, i);
    }
    EXPECT_FALSE(plan.index_of(*IpAddress::parse("192.0.2.16")).has_value());
    EXPECT_FALSE(plan.index_of(*IpAddress::parse("2001:db8::10")).has_value());
    EXPECT_FALSE(plan.index_of(*IpAddress::parse("0.0.0.0")).has_value());
}

TEST(AddressList, WholeIpv4SpaceCounts) {
    ListReport r;
    const auto plan = parse_ok("0.0.0.0/0\n", ListKind::Prefixes, r);
    EXPECT_EQ(plan.size(), std::uint64_t{1} << 32);
    EXPECT_GT(plan.size(), kConfirmAbove);
    EXPECT_EQ(plan.at(plan.size() - 1).to_string(), "255.255.255.255");
    ASSERT_EQ(plan.prefixes().size(), 1U);
    EXPECT_EQ(plan.prefixes()[0].to_string(), "0.0.0.0/0");
}

TEST(AddressList, LargeIpv6PrefixIsAnErrorThatSaysToPassAddresses) {
    ListReport r;
    auto plan = parse_address_list("2001:db8::/120\n2001:db8::/64\n", ListKind::Prefixes, r);
    ASSERT_FALSE(plan.has_value());
    EXPECT_EQ(plan.error().code, ErrorCode::ResourceExhausted);
    EXPECT_EQ(plan.error().line, 2U);
    EXPECT_NE(plan.error().message.find("--addresses"), std::string::npos);
    ListReport r2;
    EXPECT_TRUE(parse_address_list("2001:db8::/112\n", ListKind::Prefixes, r2).has_value());
    ListReport r3;
    EXPECT_FALSE(parse_address_list("2001:db8::/111\n", ListKind::Prefixes, r3).has_value());
}

TEST(AddressList, AddressListTakesSingleAddressesOnly) {
    ListReport r;
    const auto plan = parse_ok("192.0.2.1\n192.0.2.2\n192.0.2.1\n192.0.2.0/24\n2001:db8::1/128\n"
                               "2001:db8::2 hop 3\n",
                               ListKind::Addresses, r);
    EXPECT_EQ(r.invalid, 1U);
    EXPECT_EQ(r.problems.at(0).line, 4U);
    EXPECT_EQ(plan.size(), 4U);
}

TEST(AddressList, ReverseNames) {
    EXPECT_EQ(reverse_name(*IpAddress::parse("192.0.2.1")), "1.2.0.192.in-addr.arpa");
    EXPECT_EQ(reverse_name(*IpAddress::parse("2001:db8::567:89ab")),
              "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
}

TEST(AddressList, WithCommas) {
    EXPECT_EQ(with_commas(0), "0");
    EXPECT_EQ(with_commas(999), "999");
    EXPECT_EQ(with_commas(1000), "1,000");
    EXPECT_EQ(with_commas(16777216), "16,777,216");
}

} // namespace
} // namespace dg::ptr
