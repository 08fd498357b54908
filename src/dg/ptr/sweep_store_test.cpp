#include "dg/ptr/sweep_store.hpp"
#include "tests/support/support.hpp"

#include <gtest/gtest.h>
#include <set>

namespace dg::ptr {
namespace {

PtrResult result(const char* ip, dns::Status status, std::vector<std::string> names) {
    PtrResult r;
    r.ip = *IpAddress::parse(ip);
    r.status = status;
    r.names = std::move(names);
    r.resolver = "127.0.0.1:53";
    r.attempts = 1;
    r.queried_at = 100;
    return r;
}

TEST(PtrSweepStore, WritesReadsResumesAndFindsNames) {
    const test::TempDir dir;
    auto store = store::Store::open("sqlite://" + dir.file("s.db"));
    ASSERT_TRUE(store) << store.error().to_string();
    auto sweeps = SweepStore::of(**store);
    ASSERT_TRUE(sweeps);
    auto s = sweeps->create({4, "notes", "prefixes x", "{}"});
    ASSERT_TRUE(s) << s.error().to_string();
    EXPECT_EQ(s->status, "running");
    std::vector<PtrResult> batch = {
        result("192.0.2.1", dns::Status::NoError, {"b.example", "a.example"}),
        result("192.0.2.2", dns::Status::NxDomain, {}),
    };
    batch[0].cname = "1.0-25.2.0.192.in-addr.arpa";
    batch[1].main_status = dns::Status::Timeout;
    ASSERT_TRUE(sweeps->write(s->id, batch));
    // re-writing an address replaces it (one row per address)
    ASSERT_TRUE(sweeps->write(
        s->id, std::vector<PtrResult>{result("192.0.2.3", dns::Status::ServFail, {}),
                                      result("192.0.2.2", dns::Status::NxDomain, {})}));
    std::set<std::string> done;
    ASSERT_TRUE(sweeps->done_addresses(s->id, [&](std::string_view ip) {
        done.emplace(ip);
        return true;
    }));
    EXPECT_EQ(done, (std::set<std::string>{"192.0.2.1", "192.0.2.2", "192.0.2.3"}));
    std::vector<PtrResult> read;
    ASSERT_TRUE(sweeps->results(s->id, {}, [&](const PtrResult& r) {
        read.push_back(r);
        return true;
    }));
    ASSERT_EQ(read.size(), 3U);
    EXPECT_EQ(read[0].names, (std::vector<std::string>{"a.example", "b.example"}));
    EXPECT_EQ(read[0].cname, "1.0-25.2.0.192.in-addr.arpa");
    EXPECT_EQ(read[1].status, dns::Status::NxDomain);
    EXPECT_EQ(*sweeps->count(s->id, {}), 3U);
    EXPECT_EQ(*sweeps->count(s->id, PtrFilter{"SERVFAIL", 0, 0}), 1U);
    std::vector<std::string> page;
    ASSERT_TRUE(sweeps->results(s->id, PtrFilter{std::nullopt, 1, 1}, [&](const PtrResult& r) {
        page.push_back(r.ip.to_string());
        return true;
    }));
    EXPECT_EQ(page, (std::vector<std::string>{"192.0.2.2"}));
    ASSERT_TRUE(sweeps->finish(s->id, "complete", 200, "{\"results\":3}"));
    auto got = sweeps->get(s->id);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->status, "complete");
    EXPECT_EQ(got->addresses_done, 3U);
    EXPECT_EQ(got->report, "{\"results\":3}");
    // a later sweep is the latest for its addresses
    auto s2 = sweeps->create({1, "", "addresses y", "{}"});
    ASSERT_TRUE(s2);
    ASSERT_TRUE(sweeps->write(
        s2->id, std::vector<PtrResult>{result("192.0.2.1", dns::Status::NoError, {"c.example"})}));
    auto latest = sweeps->latest("192.0.2.1");
    ASSERT_TRUE(latest);
    ASSERT_TRUE(latest->has_value());
    EXPECT_EQ((*latest)->sweep_id, s2->id);
    EXPECT_EQ((*latest)->result.names, (std::vector<std::string>{"c.example"}));
    auto none = sweeps->latest("203.0.113.1");
    ASSERT_TRUE(none);
    EXPECT_FALSE(none->has_value());
    auto by = sweeps->by_name("a.example");
    ASSERT_TRUE(by);
    ASSERT_EQ(by->size(), 1U);
    EXPECT_EQ(by->front().result.ip.to_string(), "192.0.2.1");
    ASSERT_TRUE(sweeps->remove(s->id));
    EXPECT_FALSE(sweeps->get(s->id).has_value());
    EXPECT_EQ(sweeps->get(s->id).error().code, ErrorCode::NotFound);
    EXPECT_EQ(*sweeps->count(s->id, {}), 0U);
    EXPECT_EQ(sweeps->by_name("a.example")->size(), 0U);
}

} // namespace
} // namespace dg::ptr
