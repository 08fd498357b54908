// Watches, their schedule and leases, alert rules, alert ids and delivery bookkeeping on a real
// SQLite store. The sender here is a function (delivery bookkeeping only); the real sinks (a
// webhook server that checks signatures, a UDP syslog listener) are exercised end to end in
// tests/integration/watch_cli_test.cpp.
#include "dg/model/json.hpp"
#include "dg/store/internal/connection.hpp"
#include "dg/watch/alerts.hpp"
#include "dg/watch/cron.hpp"
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

TEST(WatchRules, ThresholdsQuietHoursAndDedupParse) {
    auto r =
        parse_rules("min_domains: 3\nmin_share: 5%\nquiet_hours: \"22:00-07:00\"\ndedup: 1d\n");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->min_domains, 3U);
    EXPECT_DOUBLE_EQ(r->min_share, 0.05);
    EXPECT_EQ(r->dedup_seconds, 86400);
    const model::UnixTime midnight = 20000 * 86400;
    // 23:00 is inside 22:00-07:00: held until 07:00 the next morning; 12:00 is not held
    EXPECT_EQ(r->send_after(midnight + 23 * 3600), midnight + 86400 + 7 * 3600);
    EXPECT_EQ(r->send_after(midnight + 3 * 3600), midnight + 7 * 3600);
    EXPECT_EQ(r->send_after(midnight + 12 * 3600), midnight + 12 * 3600);
    auto day = parse_rules("quiet_hours: 09:00-17:30\nmin_share: 0.5");
    ASSERT_TRUE(day) << day.error().message;
    EXPECT_EQ(day->send_after(midnight + 10 * 3600), midnight + 17 * 3600 + 1800);
    EXPECT_EQ(day->send_after(midnight + 8 * 3600), midnight + 8 * 3600);
    for (const char* bad :
         {"min_share: 150%", "min_share: lots", "min_domains: 0", "quiet_hours: 25:00-01:00",
          "quiet_hours: 10:00-10:00", "dedup: forever"}) {
        EXPECT_FALSE(parse_rules(bad)) << bad;
    }
}

TEST(WatchSchedule, CronExpressions) {
    const model::UnixTime monday = 1764547200; // 2025-12-01 00:00 UTC, a Monday
    auto weekdays = parse_cron("0 6 * * 1-5");
    ASSERT_TRUE(weekdays) << weekdays.error().message;
    EXPECT_EQ(next_fire(*weekdays, monday), monday + 6 * 3600);
    EXPECT_EQ(next_fire(*weekdays, monday + 6 * 3600), monday + 86400 + 6 * 3600);
    // Friday 06:00 is followed by Monday 06:00
    EXPECT_EQ(next_fire(*weekdays, monday + 4 * 86400 + 6 * 3600), monday + 7 * 86400 + 6 * 3600);
    auto quarter = parse_cron("*/15 * * * *");
    ASSERT_TRUE(quarter);
    EXPECT_EQ(next_fire(*quarter, monday + 60), monday + 900);
    auto named = parse_cron("30 2 1 jan,jul sun");
    ASSERT_TRUE(named) << named.error().message;
    // day of month and day of week both restricted: either fires (Vixie cron)
    const model::UnixTime new_year = 1767225600; // 2026-01-01, a Thursday: the 1st fires
    EXPECT_EQ(next_fire(*named, monday), new_year + 2 * 3600 + 1800);
    EXPECT_EQ(next_fire(*named, new_year + 3 * 3600), new_year + 3 * 86400 + 2 * 3600 + 1800);
    auto sunday7 = parse_cron("0 0 * * 7");
    ASSERT_TRUE(sunday7);
    EXPECT_EQ(next_fire(*sunday7, monday), monday + 6 * 86400);
    for (const char* bad :
         {"* * * *", "60 * * * *", "0 0 31 2 *", "0 0 * * mon-fri/0", "a b c d e", "5-1 * * * *"}) {
        EXPECT_FALSE(parse_cron(bad)) << bad;
    }
    EXPECT_TRUE(looks_like_cron("0 6 * * 1-5"));
    EXPECT_FALSE(looks_like_cron("1h"));
    auto schedule = parse_schedule("0 6 * * *", monday);
    ASSERT_TRUE(schedule);
    EXPECT_EQ(schedule->cron, "0 6 * * *");
    EXPECT_EQ(schedule->every_seconds, 86400);
    EXPECT_EQ(parse_schedule("1h", monday)->every_seconds, 3600);
}

TEST_P(WatchTest, ACronWatchRunsAtItsNextFiringAfterDowntime) {
    const model::UnixTime monday = 1764547200;
    Watch w = make("c", 86400, monday);
    w.cron = "0 6 * * 1-5";
    ASSERT_TRUE(add_watch(*store_, w));
    auto leased = lease_due_watch(*store_, "s", monday, 30);
    ASSERT_TRUE(leased && leased->has_value());
    EXPECT_EQ((*leased)->cron, "0 6 * * 1-5");
    // finished on Saturday: the next run is Monday 06:00, once
    ASSERT_TRUE(finish_lease(*store_, **leased, "s", monday + 5 * 86400));
    EXPECT_EQ(get_watch(*store_, "c")->next_run_at, monday + 7 * 86400 + 6 * 3600);
    EXPECT_EQ(to_json(*get_watch(*store_, "c"))["every"], "0 6 * * 1-5");
}

TEST(WatchSinks, AcceptedForms) {
    EXPECT_TRUE(check_sink("https://hooks.example/x"));
    EXPECT_TRUE(check_sink("http://127.0.0.1:8080/"));
    EXPECT_TRUE(check_sink("syslog://127.0.0.1:5514"));
    EXPECT_TRUE(check_sink("syslog:"));
    EXPECT_TRUE(check_sink("smtp://mail.example:25?to=noc@example.net"));
    EXPECT_TRUE(
        check_sink("smtp://mail.example?to=a%40example.net,b@example.net&from=d@example.org"));
    EXPECT_TRUE(check_sink("smtps://mail.example:465?to=noc@example.net"));
    EXPECT_TRUE(check_sink("mailto:noc@example.net"));
    for (const char* bad : {"ftp://x", "syslog//x", "", "http://", "smtp://mail.example",
                            "smtp://mail.example?to=nobody", "smtp://?to=a@b.example",
                            "mailto:", "smtp://m.example?to=a@b.example&cc=x@y.example"}) {
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

TEST_P(WatchTest, ThresholdsHoldBackSmallRunsAndDedupDropsRepeatedChanges) {
    Watch w = make("w", 60, 1000);
    w.rules = "types: [asn_changed]\nmin_share: 10%\ndedup: 1d\n";
    ASSERT_TRUE(add_watch(*store_, w));
    const auto moved = [&](int n) {
        std::vector<model::Change> out;
        for (int i = 0; i < n; ++i) {
            out.push_back(change("d" + std::to_string(i) + ".example",
                                 model::ChangeType::AsnChanged, model::Severity::Warning));
        }
        out.push_back(change("x.example", model::ChangeType::AAdded, model::Severity::Info));
        return out;
    };
    // 5 of 100 domains moved: under 10 %, no alert
    RulesReport small;
    auto none = record_alerts(*store_, w, 1, moved(5), 2000, 100, &small);
    ASSERT_TRUE(none) << none.error().to_string();
    EXPECT_TRUE(none->empty());
    EXPECT_EQ(small.below_threshold, 5U);
    EXPECT_EQ(small.not_matching, 1U);
    // 12 of 100: every one alerts
    RulesReport big;
    auto some = record_alerts(*store_, w, 2, moved(12), 3000, 100, &big);
    ASSERT_TRUE(some);
    EXPECT_EQ(some->size(), 12U);
    // the same 12 changes again within a day: not again; after the window: again
    RulesReport again;
    auto repeated = record_alerts(*store_, w, 3, moved(12), 3000 + 3600, 100, &again);
    ASSERT_TRUE(repeated);
    EXPECT_TRUE(repeated->empty());
    EXPECT_EQ(again.repeated, 12U);
    auto later = record_alerts(*store_, w, 4, moved(12), 3000 + 2 * 86400, 100);
    ASSERT_TRUE(later);
    EXPECT_EQ(later->size(), 12U);
}

TEST(WatchRules, ProviderShiftTakesPercentagePoints) {
    EXPECT_DOUBLE_EQ(parse_rules("provider_shift: 5")->provider_shift_pp, 5.0);
    EXPECT_DOUBLE_EQ(parse_rules("provider_shift: 2.5pp")->provider_shift_pp, 2.5);
    EXPECT_DOUBLE_EQ(parse_rules("provider_shift: 10%")->provider_shift_pp, 10.0);
    EXPECT_DOUBLE_EQ(parse_rules("")->provider_shift_pp, 0.0); // none without the key
    for (const char* bad : {"provider_shift: 0", "provider_shift: -3", "provider_shift: 101",
                            "provider_shift: lots"}) {
        auto r = parse_rules(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_NE(r.error().message.find("provider_shift"), std::string::npos);
    }
}

TEST(WatchRules, ProviderShiftsBecomeOneListChangePerProviderOverTheThreshold) {
    analytics::ProviderShifts shifts;
    shifts.threshold_pp = 5;
    analytics::ProviderShift gained{64510, "New DNS", 0, 30, 0, 30, "gained"};
    analytics::ProviderShift small{64496, "Hosting", 40, 38, 40, 38, "down"}; // 2 points
    analytics::ProviderShift org{std::nullopt, "Old DNS Inc", 50, 20, 50, 20, "down"};
    shifts.asns = {gained, small};
    shifts.orgs = {org};
    const auto changes = provider_shift_changes(shifts, 5, 41);
    ASSERT_EQ(changes.size(), 2U);
    EXPECT_EQ(changes[0].change["type"], "provider_shift");
    EXPECT_EQ(changes[0].change["level"], "as");
    EXPECT_EQ(changes[0].change["asn"], 64510);
    EXPECT_EQ(changes[0].change["change"], "gained");
    EXPECT_DOUBLE_EQ(changes[0].change["delta_pp"].get<double>(), 30.0);
    EXPECT_EQ(changes[0].change["previous_scan"], 41);
    EXPECT_EQ(changes[1].change["level"], "organisation");
    EXPECT_EQ(changes[1].change["name"], "Old DNS Inc");
    EXPECT_FALSE(changes[1].change.contains("asn"));
    EXPECT_EQ(changes[1].severity, model::Severity::Warning);
}

TEST_P(WatchTest, ProviderShiftAlertsAreStoredBesideDomainChanges) {
    Watch w = make("w", 60, 1000);
    w.rules = "types: [asn_changed]\nmin_domains: 50\nprovider_shift: 5\n";
    ASSERT_TRUE(add_watch(*store_, w));
    std::vector<ListChange> shifts{
        ListChange{{{"type", "provider_shift"}, {"level", "as"}, {"asn", 64510}, {"delta_pp", 30}},
                   model::Severity::Warning}};
    // one domain change, under min_domains: held back; the provider shift alerts all the same
    RulesReport report;
    auto alerts = record_alerts(
        *store_, w, 7,
        {change("a.example", model::ChangeType::AsnChanged, model::Severity::Warning)}, 2000, 100,
        &report, shifts);
    ASSERT_TRUE(alerts) << alerts.error().to_string();
    ASSERT_EQ(alerts->size(), 1U);
    EXPECT_EQ((*alerts)[0].domain, "");
    EXPECT_EQ((*alerts)[0].change["type"], "provider_shift");
    EXPECT_EQ((*alerts)[0].severity, "warning");
    EXPECT_EQ(report.below_threshold, 1U);
    // stored once per run, with a delivery per sink
    auto again = record_alerts(*store_, w, 7, {}, 2001, 100, nullptr, shifts);
    ASSERT_TRUE(again);
    EXPECT_TRUE(again->empty());
    auto listed = list_alerts(*store_, "w");
    ASSERT_TRUE(listed);
    EXPECT_EQ(listed->size(), 1U);
}

TEST_P(WatchTest, QuietHoursHoldDeliveriesUntilTheyEnd) {
    Watch w = make("q", 60, 1000);
    w.sinks = {"http://127.0.0.1:9/hook"};
    w.rules = "quiet_hours: \"22:00-07:00\"\n";
    ASSERT_TRUE(add_watch(*store_, w));
    const model::UnixTime night = 20000 * 86400 + 23 * 3600;
    RulesReport report;
    auto stored = record_alerts(
        *store_, w, 1,
        {change("a.example", model::ChangeType::AsnChanged, model::Severity::Warning)}, night, 0,
        &report);
    ASSERT_TRUE(stored);
    ASSERT_EQ(stored->size(), 1U);
    ASSERT_TRUE(report.held_until);
    EXPECT_EQ(*report.held_until, night + 8 * 3600);
    int sent = 0;
    const Sender count = [&](const std::string&, const std::string&, const std::string&,
                             const std::string&) -> Result<void> {
        ++sent;
        return ok();
    };
    auto at_night = deliver_due(*store_, "q", night + 60, count);
    ASSERT_TRUE(at_night);
    EXPECT_EQ(sent, 0);
    EXPECT_EQ(at_night->pending, 1U);
    auto morning = deliver_due(*store_, "q", night + 8 * 3600, count);
    ASSERT_TRUE(morning);
    EXPECT_EQ(sent, 1);
    EXPECT_EQ(morning->delivered, 1U);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, WatchTest, ::testing::Values(Backend::Sqlite));
INSTANTIATE_TEST_SUITE_P(Postgres, WatchTest, ::testing::Values(Backend::Postgres));

} // namespace
} // namespace dg::watch
