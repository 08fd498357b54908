// Watches, their schedule and leases, alert rules, alert ids and delivery bookkeeping on a real
// SQLite store. The sender here is a function (delivery bookkeeping only); the real sinks (a
// webhook server that checks signatures, a UDP syslog listener) are exercised end to end in
// tests/integration/watch_cli_test.cpp.
#include "dg/model/json.hpp"
#include "dg/store/internal/connection.hpp"
#include "dg/watch/alerts.hpp"
#include "dg/watch/watch.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/support/support.hpp"

#include <gtest/gtest.h>

namespace dg::watch {
namespace {

enum class Backend { Sqlite, Postgres };

/// The same cases on both backends (the PostgreSQL instance runs as watch_postgres_test).
class WatchTest : public ::testing::TestWithParam<Backend> {
protected:
    void SetUp() override {
        std::string url = "sqlite://" + dir_.file("w.db");
        if (GetParam() == Backend::Postgres) {
            DG_POSTGRES_DATABASE_OR_SKIP(pg);
            url = pg;
        }
        auto s = store::Store::open(url);
        ASSERT_TRUE(s) << s.error().to_string();
        store_ = std::move(*s);
    }
    Watch make(const std::string& name, std::int64_t every, model::UnixTime next) {
        Watch w;
        w.name = name;
        w.domains = "/lists/" + name + ".txt";
        w.every_seconds = every;
        w.sinks = {"http://127.0.0.1:9/hook", "syslog://127.0.0.1:9"};
        w.created_at = 1000;
        w.next_run_at = next;
        return w;
    }
    static model::Change change(const std::string& domain, model::ChangeType type,
                                model::Severity severity) {
        model::Change c;
        c.domain = domain;
        c.type = type;
        c.severity = severity;
        c.from_json = "64496";
        c.to_json = "64511";
        return c;
    }

    test::TempDir dir_;
    std::unique_ptr<store::Store> store_;
};

TEST(WatchSchedule, IntervalsParseAndFormat) {
    EXPECT_EQ(*parse_every("30s"), 30);
    EXPECT_EQ(*parse_every("15m"), 900);
    EXPECT_EQ(*parse_every("1h"), 3600);
    EXPECT_EQ(*parse_every("1d"), 86400);
    EXPECT_EQ(*parse_every("2w"), 1209600);
    EXPECT_EQ(*parse_every("@daily"), 86400);
    EXPECT_EQ(*parse_every("90"), 90);
    for (const char* bad : {"", "0s", "-1h", "1x", "h", "1.5h", "99999999999d"}) {
        auto r = parse_every(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_NE(r.error().message.find("30s, 15m, 1h"), std::string::npos);
    }
    EXPECT_EQ(format_every(86400), "1d");
    EXPECT_EQ(format_every(5400), "90m");
    EXPECT_EQ(format_every(7), "7s");
}

TEST_P(WatchTest, AddListShowRemove) {
    ASSERT_TRUE(add_watch(*store_, make("customers", 3600, 2000)));
    ASSERT_TRUE(add_watch(*store_, make("cctld-top", 86400, 2000)));
    auto again = add_watch(*store_, make("customers", 60, 2000));
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::Conflict);
    EXPECT_FALSE(add_watch(*store_, make("bad name", 60, 2000)));
    auto all = list_watches(*store_);
    ASSERT_TRUE(all);
    ASSERT_EQ(all->size(), 2U);
    EXPECT_EQ((*all)[0].name, "cctld-top");
    auto one = get_watch(*store_, "customers");
    ASSERT_TRUE(one);
    EXPECT_EQ(one->every_seconds, 3600);
    EXPECT_EQ(one->sinks, make("customers", 3600, 2000).sinks);
    ASSERT_TRUE(remove_watch(*store_, "customers"));
    auto gone = get_watch(*store_, "customers");
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error().code, ErrorCode::NotFound);
    EXPECT_NE(gone.error().message.find("watch list"), std::string::npos);
    EXPECT_EQ(remove_watch(*store_, "customers").error().code, ErrorCode::NotFound);
}

TEST_P(WatchTest, OneLeasePerDueWatchAndMissedRunsCollapse) {
    ASSERT_TRUE(add_watch(*store_, make("w", 60, 1000)));
    // not due yet
    auto early = lease_due_watch(*store_, "server-a", 999, 30);
    ASSERT_TRUE(early);
    EXPECT_FALSE(early->has_value());
    auto a = lease_due_watch(*store_, "server-a", 1000, 30);
    ASSERT_TRUE(a && a->has_value());
    // a second server on the same database does not get it while the lease holds
    auto b = lease_due_watch(*store_, "server-b", 1010, 30);
    ASSERT_TRUE(b);
    EXPECT_FALSE(b->has_value());
    // the holder died: the lease expires and another server takes the watch over
    auto c = lease_due_watch(*store_, "server-b", 1031, 30);
    ASSERT_TRUE(c && c->has_value());
    // after ten hours of downtime the next run is one interval ahead, not 600 runs behind
    ASSERT_TRUE(finish_lease(*store_, **c, "server-b", 1000 + 36000));
    auto w = get_watch(*store_, "w");
    ASSERT_TRUE(w);
    EXPECT_GT(w->next_run_at, 1000 + 36000);
    EXPECT_LE(w->next_run_at, 1000 + 36000 + 60);
    EXPECT_EQ((w->next_run_at - 1000) % 60, 0);
}

TEST(WatchRules, ParseAndMatch) {
    auto all = parse_rules("");
    ASSERT_TRUE(all);
    EXPECT_TRUE(all->matches(model::Change{}));
    auto some = parse_rules("min_severity: warning\ntypes: [asn_changed, ns_removed]\n");
    ASSERT_TRUE(some) << some.error().message;
    model::Change c;
    c.type = model::ChangeType::AsnChanged;
    c.severity = model::Severity::Warning;
    EXPECT_TRUE(some->matches(c));
    c.severity = model::Severity::Info;
    EXPECT_FALSE(some->matches(c));
    c.severity = model::Severity::Warning;
    c.type = model::ChangeType::AAdded;
    EXPECT_FALSE(some->matches(c));
    EXPECT_NE(parse_rules("types: [no_such]").error().message.find("no_such"), std::string::npos);
    EXPECT_NE(parse_rules("colour: red").error().message.find("colour"), std::string::npos);
    EXPECT_FALSE(parse_rules("min_severity: loud"));
    EXPECT_FALSE(parse_rules("[1, 2"));
}

TEST(WatchSinks, AcceptedForms) {
    EXPECT_TRUE(check_sink("https://hooks.example/x"));
    EXPECT_TRUE(check_sink("http://127.0.0.1:8080/"));
    EXPECT_TRUE(check_sink("syslog://127.0.0.1:5514"));
    EXPECT_TRUE(check_sink("syslog:"));
    for (const char* bad : {"ftp://x", "syslog//x", "", "http://"}) {
        EXPECT_FALSE(check_sink(bad)) << bad;
    }
}

TEST_P(WatchTest, AlertsAreStoredOnceWithStableIdsAndDeliveredWithRetriesAndDeadLetters) {
    Watch w = make("w", 60, 1000);
    ASSERT_TRUE(add_watch(*store_, w));
    const std::vector<model::Change> changes{
        change("a.example", model::ChangeType::AsnChanged, model::Severity::Warning),
        change("b.example", model::ChangeType::AsnChanged, model::Severity::Warning)};
    auto stored = record_alerts(*store_, w, 7, changes, 2000);
    ASSERT_TRUE(stored) << stored.error().to_string();
    ASSERT_EQ(stored->size(), 2U);
    EXPECT_EQ((*stored)[0].id, alert_id("w", 7, model::to_json(changes[0])));
    EXPECT_EQ((*stored)[0].id.size(), 32U);
    EXPECT_NE((*stored)[0].id, (*stored)[1].id);
    // the same run recorded again (a crash after the alerts were stored): nothing new
    auto again = record_alerts(*store_, w, 7, changes, 2001);
    ASSERT_TRUE(again);
    EXPECT_TRUE(again->empty());

    // the webhook fails twice, then takes everything; the syslog sink never answers
    int webhook_calls = 0;
    std::vector<std::string> bodies;
    const Sender send = [&](const std::string& sink, const std::string& body, const std::string&,
                            const std::string&) -> Result<void> {
        if (sink.starts_with("syslog")) {
            return make_error(ErrorCode::Unavailable, "no listener");
        }
        if (++webhook_calls <= 2) {
            return make_error(ErrorCode::Unavailable, "HTTP 503");
        }
        bodies.push_back(body);
        return ok();
    };
    DeliveryPolicy policy;
    policy.max_attempts = 3;
    model::UnixTime now = 2000;
    DeliveryReport r;
    for (int pass = 0; pass < 10; ++pass) {
        auto got = deliver_due(*store_, "w", now, send, policy);
        ASSERT_TRUE(got) << got.error().to_string();
        r = *got;
        if (r.pending == 0) {
            break;
        }
        ASSERT_TRUE(r.next_due);
        EXPECT_GT(*r.next_due, now); // backoff: nothing due again at once
        now = *r.next_due;
    }
    EXPECT_EQ(r.pending, 0U);
    ASSERT_EQ(bodies.size(), 2U);
    const auto body = nlohmann::json::parse(bodies[0]);
    EXPECT_EQ(body["watch"], "w");
    EXPECT_EQ(body["scan_id"], 7);
    EXPECT_EQ(body["severity"], "warning");
    EXPECT_EQ(body["change"]["type"], "asn_changed");
    EXPECT_EQ(body["id"].get<std::string>().size(), 32U);
    // the syslog deliveries are dead letters with their last error
    auto* c = store_->sql_connection();
    std::int64_t dead = 0;
    std::string error;
    auto counted = c->query("SELECT count(*), MAX(last_error) FROM alert_deliveries WHERE state = "
                            "'dead' AND attempts = 3",
                            {}, [&](const store::internal::Row& row) {
                                dead = row.integer(0);
                                error = row.text(1);
                                return false;
                            });
    ASSERT_TRUE(counted);
    EXPECT_EQ(dead, 2);
    EXPECT_EQ(error, "no listener");
}

TEST_P(WatchTest, RulesChooseWhichChangesAlert) {
    Watch w = make("w", 60, 1000);
    w.rules = "min_severity: warning\n";
    ASSERT_TRUE(add_watch(*store_, w));
    auto stored =
        record_alerts(*store_, w, 3,
                      {change("a.example", model::ChangeType::AAdded, model::Severity::Info),
                       change("b.example", model::ChangeType::NsRemoved, model::Severity::Warning)},
                      2000);
    ASSERT_TRUE(stored);
    ASSERT_EQ(stored->size(), 1U);
    EXPECT_EQ((*stored)[0].domain, "b.example");
}

INSTANTIATE_TEST_SUITE_P(Sqlite, WatchTest, ::testing::Values(Backend::Sqlite));
INSTANTIATE_TEST_SUITE_P(Postgres, WatchTest, ::testing::Values(Backend::Postgres));

} // namespace
} // namespace dg::watch
