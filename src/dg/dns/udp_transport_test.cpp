// The real transport against a tiny in-process UDP/TCP responder on 127.0.0.1.

#include "dg/dns/resolver.hpp"
#include "dg/dns/testing/loopback_responder.hpp"
#include "dg/dns/udp_transport.hpp"

#include <arpa/inet.h>
#include <atomic>
#include <cstring>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace dg::dns {
namespace {

TEST(UdpTransport, OpensDistinctRandomPorts) {
    SteadyClock clock;
    auto t = UdpTransport::create(8, true, false, clock);
    ASSERT_TRUE(t) << t.error().message;
    std::set<std::uint16_t> ports;
    for (std::uint32_t i = 0; i < 8; ++i) {
        ports.insert((*t)->local_port(i));
    }
    EXPECT_EQ(ports.size(), 8U);
    EXPECT_FALSE(UdpTransport::create(0, true, false, clock));
    EXPECT_FALSE(UdpTransport::create(kMaxSockets + 1, true, false, clock));
}

TEST(UdpTransport, ResolvesThroughLoopbackIncludingTcpFallback) {
    testing::LoopbackResponder responder;
    SteadyClock clock;
    auto t = UdpTransport::create(4, true, false, clock);
    ASSERT_TRUE(t);
    ResolverConfig c;
    c.upstreams = {Upstream{Endpoint{IpAddress::v4(0x7f000001), responder.port()}, 0}};
    c.types = {1};
    c.concurrency = 50;
    c.timeout = std::chrono::milliseconds(2000);
    auto r = Resolver::create(c, **t, clock);
    ASSERT_TRUE(r);
    std::vector<std::string> names;
    for (int i = 0; i < 500; ++i) {
        names.push_back("n" + std::to_string(i) + ".example");
    }
    names.push_back("tc.big.example");
    std::size_t next = 0;
    std::map<std::string, NameResult> got;
    auto summary = r->run(
        [&](NameInput& in) {
            if (next == names.size()) {
                return false;
            }
            in.name = names[next++];
            return true;
        },
        [&](NameResult&& res) { got[res.name] = std::move(res); });
    ASSERT_EQ(got.size(), names.size());
    for (const auto& n : names) {
        const auto& res = got[n];
        ASSERT_EQ(res.status, Status::NoError) << n;
        ASSERT_EQ(res.types[0].records.size(), 1U);
        EXPECT_EQ(res.types[0].records[0].data, "192.0.2." + std::to_string(n.size()));
    }
    EXPECT_EQ(summary.tcp_queries, 1U);
    EXPECT_EQ(responder.tcp_queries.load(), 1);
    EXPECT_EQ(summary.mismatched, 0U);
}

} // namespace
} // namespace dg::dns
