#include "dg/dns/upstreams.hpp"

#include <gtest/gtest.h>

namespace dg::dns {
namespace {

TEST(Endpoint, Parse) {
    EXPECT_EQ(Endpoint::parse("192.0.2.1")->to_string(), "192.0.2.1:53");
    EXPECT_EQ(Endpoint::parse("192.0.2.1:5353")->port, 5353);
    EXPECT_EQ(Endpoint::parse("[::1]:53")->to_string(), "[::1]:53");
    EXPECT_EQ(Endpoint::parse("2001:db8::1")->to_string(), "[2001:db8::1]:53");
    EXPECT_FALSE(Endpoint::parse("192.0.2.1:0"));
    EXPECT_FALSE(Endpoint::parse("192.0.2.1:70000"));
    EXPECT_FALSE(Endpoint::parse("[::1"));
    EXPECT_FALSE(Endpoint::parse("resolver.example"));
}

TEST(Upstreams, ResolvConf) {
    auto r = parse_resolv_conf("# c\nsearch x\nnameserver 10.0.0.1\nnameserver fe80::1%eth0\n"
                               "nameserver ::1 # comment\noptions ndots:2\n",
                               "resolv.conf");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->size(), 2U);
    EXPECT_EQ((*r)[0].to_string(), "10.0.0.1:53");
    EXPECT_EQ((*r)[1].to_string(), "[::1]:53");
    EXPECT_FALSE(parse_resolv_conf("search x\n", "resolv.conf"));
}

TEST(Upstreams, ListReportsLine) {
    auto ok_list = parse_resolver_list("1.1.1.1\n\n# x\n[::1]:5300 # local\n", "f");
    ASSERT_TRUE(ok_list);
    EXPECT_EQ(ok_list->size(), 2U);
    auto bad = parse_resolver_list("1.1.1.1\nnot-an-ip\n", "f");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().line, 2U);
}

} // namespace
} // namespace dg::dns
