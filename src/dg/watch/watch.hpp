#pragma once
// Watchlists (issue 18): a named domain list scanned on a schedule. The watch, its runs (each a
// scan of the list, compared with the previous run of the same watch) and its alerts live in the
// store (schema/0012_watches.sql); alerts.hpp makes and delivers the alerts.

#include "dg/core/result.hpp"
#include "dg/model/model.hpp"
#include "dg/store/store.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dg::watch {

struct Watch {
    std::string name;
    std::string domains;                ///< the list file (absolute path)
    std::int64_t every_seconds = 86400; ///< one run per interval
    std::string cron; ///< or a cron schedule (UTC; "" = every_seconds), see cron.hpp
    nlohmann::json settings = nlohmann::json::object(); ///< scan settings (resolvers, rate, rib)
    std::vector<std::string> sinks;                     ///< alert sinks (URLs)
    std::string secret; ///< webhook HMAC key ("" = DOMAINGRAPH_WEBHOOK_SECRET)
    std::string rules;  ///< alert rules (YAML; "" = every change)
    model::UnixTime created_at = 0;
    model::UnixTime next_run_at = 0;
};

/// One run of a watch: a scan of its list.
struct Run {
    std::int64_t scan_id = 0;
    std::string watch;
    model::UnixTime started_at = 0;
    std::optional<std::int64_t> previous_scan; ///< the run it was compared with
    std::uint64_t changes = 0;
    std::uint64_t alerts = 0;
};

/// "30s", "15m", "1h", "1d", "2w", "@hourly", "@daily", "@weekly" or a number of seconds, to
/// seconds (at least 1). Errors: InvalidArgument naming the accepted forms.
Result<std::int64_t> parse_every(std::string_view text);
/// "1h", "1d", "90s": the shortest exact form of `seconds`.
std::string format_every(std::int64_t seconds);
/// A watch's schedule (`watch add --every`): an interval (parse_every) or a cron expression.
struct Schedule {
    std::int64_t every_seconds = 0; ///< the interval; for cron, the gap between its next two runs
    std::string cron;               ///< "" for an interval
};
/// Errors: InvalidArgument naming the accepted forms.
Result<Schedule> parse_schedule(std::string_view text, model::UnixTime now);
/// "1h", or the cron expression.
std::string schedule_text(const Watch& w);
/// A watch name: 1-64 characters of [A-Za-z0-9._-]. Errors: InvalidArgument.
Result<void> check_name(std::string_view name);

/// Errors: Conflict (a watch of that name exists), InvalidArgument.
Result<void> add_watch(store::Store& store, const Watch& w);
Result<std::vector<Watch>> list_watches(store::Store& store);
/// Errors: NotFound ("no watch NAME (see 'domaingraph watch list')").
Result<Watch> get_watch(store::Store& store, std::string_view name);
/// Removes the watch, its runs' links and its alerts (the scans stay). Errors: NotFound.
Result<void> remove_watch(store::Store& store, std::string_view name);

/// The runs of a watch, oldest first.
Result<std::vector<Run>> list_runs(store::Store& store, std::string_view name);
/// The runs of every watch after the run of scan `scan_id`, oldest first (live updates).
Result<std::vector<Run>> runs_after(store::Store& store, std::int64_t scan_id);
/// The newest complete run of the watch before `scan_id` (0: the newest of all).
Result<std::optional<model::Scan>> previous_run(store::Store& store, std::string_view name,
                                                std::int64_t scan_id = 0);
/// The watch whose run `scan_id` is, if any.
Result<std::optional<std::string>> watch_of_scan(store::Store& store, std::int64_t scan_id);
Result<void> record_run(store::Store& store, const Run& run);
/// Sets when the watch runs next.
Result<void> set_next_run(store::Store& store, std::string_view name, model::UnixTime at);

/// The scheduler's claim: takes the lease of one due watch (next_run_at <= now, lease free or
/// expired) for `owner` until now + lease_seconds; nullopt when none is due. Two servers on one
/// database never hold the same watch's lease at once.
Result<std::optional<Watch>> lease_due_watch(store::Store& store, const std::string& owner,
                                             model::UnixTime now, std::int64_t lease_seconds);
/// Extends a lease `owner` holds to `until` (a long run). Errors: Conflict when it is not held.
Result<void> renew_lease(store::Store& store, std::string_view name, const std::string& owner,
                         model::UnixTime until);
/// Ends the lease and schedules the next run: the next multiple of the interval after `now`
/// (a run missed during downtime runs once, not once per missed interval).
Result<void> finish_lease(store::Store& store, const Watch& w, const std::string& owner,
                          model::UnixTime now);

nlohmann::json to_json(const Watch& w);
nlohmann::json to_json(const Run& r);

} // namespace dg::watch
