#include "dg/watch/watch.hpp"

#include "dg/model/json.hpp"
#include "dg/watch/connection.hpp"
#include "dg/watch/cron.hpp"

#include <array>
#include <charconv>
#include <utility>

namespace dg::watch {
namespace {

using internal::connection;
using store::internal::Connection;
using store::internal::Row;
using store::internal::Transaction;
using store::internal::Value;

constexpr const char* kWatchColumns =
    "name, domains, every_seconds, settings, sinks, secret, rules, created_at, next_run_at, cron";

Result<Watch> watch_from_row(const Row& row) {
    Watch w;
    w.name = row.text(0);
    w.domains = row.text(1);
    w.every_seconds = row.integer(2);
    w.settings = nlohmann::json::parse(row.text(3), nullptr, false);
    const auto sinks = nlohmann::json::parse(row.text(4), nullptr, false);
    if (w.settings.is_discarded() || !w.settings.is_object() || !sinks.is_array()) {
        return make_error(ErrorCode::Malformed, "watch " + w.name + ": stored settings damaged");
    }
    for (const auto& s : sinks) {
        if (s.is_string()) {
            w.sinks.push_back(s.get<std::string>());
        }
    }
    w.secret = row.text(5);
    w.rules = row.text(6);
    w.created_at = row.integer(7);
    w.next_run_at = row.integer(8);
    w.cron = row.text(9);
    return w;
}

Result<std::vector<Watch>> query_watches(Connection& c, const std::string& sql,
                                         std::initializer_list<Value> params) {
    std::vector<Watch> out;
    std::optional<Error> damaged;
    DG_TRY_VOID(c.query(sql, params, [&](const Row& row) {
        auto w = watch_from_row(row);
        if (!w) {
            damaged = w.error();
            return false;
        }
        out.push_back(std::move(*w));
        return true;
    }));
    if (damaged) {
        return *damaged;
    }
    return out;
}

Error no_such_watch(std::string_view name) {
    return make_error(ErrorCode::NotFound,
                      "no watch " + std::string(name) + " (see 'domaingraph watch list')");
}

struct Unit {
    std::string_view suffix;
    std::int64_t seconds;
};
constexpr std::array<Unit, 5> kUnits{
    {{"w", 604800}, {"d", 86400}, {"h", 3600}, {"m", 60}, {"s", 1}}};

} // namespace

Result<std::int64_t> parse_every(std::string_view text) {
    const auto bad = [&] {
        return make_error(ErrorCode::InvalidArgument,
                          "schedule '" + std::string(text) +
                              "': give an interval such as 30s, 15m, 1h, 1d or 1w, a number of "
                              "seconds, @hourly, @daily, @weekly, or a cron expression in UTC "
                              "such as '0 6 * * 1-5'");
    };
    if (text == "@hourly") {
        return 3600;
    }
    if (text == "@daily") {
        return 86400;
    }
    if (text == "@weekly") {
        return 604800;
    }
    std::int64_t multiplier = 1;
    std::string_view digits = text;
    for (const Unit& u : kUnits) {
        if (text.size() > u.suffix.size() && text.ends_with(u.suffix)) {
            multiplier = u.seconds;
            digits = text.substr(0, text.size() - u.suffix.size());
            break;
        }
    }
    std::int64_t n = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc() || end != digits.data() + digits.size() || n <= 0 ||
        n > std::int64_t{366} * 86400 * 10 / multiplier) {
        return bad();
    }
    return n * multiplier;
}

std::string format_every(std::int64_t seconds) {
    for (const Unit& u : kUnits) {
        if (seconds % u.seconds == 0) {
            return std::to_string(seconds / u.seconds) + std::string(u.suffix);
        }
    }
    return std::to_string(seconds) + "s";
}

Result<Schedule> parse_schedule(std::string_view text, model::UnixTime now) {
    if (!looks_like_cron(text)) {
        DG_TRY(const std::int64_t every, parse_every(text));
        return Schedule{every, ""};
    }
    DG_TRY(const Cron cron, parse_cron(text));
    const auto first = next_fire(cron, now);
    const auto second = first ? next_fire(cron, *first) : std::nullopt;
    return Schedule{first && second ? *second - *first : 86400, std::string(text)};
}

std::string schedule_text(const Watch& w) {
    return w.cron.empty() ? format_every(w.every_seconds) : w.cron;
}

Result<void> check_name(std::string_view name) {
    bool valid = !name.empty() && name.size() <= 64;
    for (const char ch : name) {
        valid = valid && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                          (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-');
    }
    if (!valid) {
        return make_error(ErrorCode::InvalidArgument,
                          "watch name '" + std::string(name) +
                              "': 1 to 64 characters of letters, digits, '.', '_' and '-'");
    }
    return ok();
}

Result<void> add_watch(store::Store& store, const Watch& w) {
    DG_TRY_VOID(check_name(w.name));
    DG_TRY(Connection * c, connection(store));
    bool inserted = false;
    DG_TRY_VOID(
        c->query(std::string("INSERT INTO watches (") + kWatchColumns +
                     ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (name) DO "
                     "NOTHING "
                     "RETURNING name",
                 {Value(w.name), Value(w.domains), Value(w.every_seconds), Value(w.settings.dump()),
                  Value(nlohmann::json(w.sinks).dump()), Value(w.secret), Value(w.rules),
                  Value(w.created_at), Value(w.next_run_at), Value(w.cron)},
                 [&](const Row&) {
                     inserted = true;
                     return true;
                 }));
    if (!inserted) {
        return make_error(ErrorCode::Conflict, "a watch named " + w.name +
                                                   " exists (see 'domaingraph watch show " +
                                                   w.name + "'; remove it first to replace it)");
    }
    return ok();
}

Result<std::vector<Watch>> list_watches(store::Store& store) {
    DG_TRY(Connection * c, connection(store));
    return query_watches(*c, std::string("SELECT ") + kWatchColumns + " FROM watches ORDER BY name",
                         {});
}

Result<Watch> get_watch(store::Store& store, std::string_view name) {
    DG_TRY(Connection * c, connection(store));
    DG_TRY(auto found,
           query_watches(*c,
                         std::string("SELECT ") + kWatchColumns + " FROM watches WHERE name = $1",
                         {Value(std::string(name))}));
    if (found.empty()) {
        return no_such_watch(name);
    }
    return std::move(found.front());
}

Result<void> remove_watch(store::Store& store, std::string_view name) {
    DG_TRY(Connection * c, connection(store));
    Transaction tx(*c);
    DG_TRY_VOID(tx.begin());
    const Value n(std::string{name});
    DG_TRY_VOID(c->query("DELETE FROM alert_deliveries WHERE alert_id IN (SELECT id FROM alerts "
                         "WHERE watch = $1)",
                         {n}));
    DG_TRY_VOID(c->query("DELETE FROM alerts WHERE watch = $1", {n}));
    DG_TRY_VOID(c->query("DELETE FROM watch_runs WHERE watch = $1", {n}));
    bool removed = false;
    DG_TRY_VOID(
        c->query("DELETE FROM watches WHERE name = $1 RETURNING name", {n}, [&](const Row&) {
            removed = true;
            return true;
        }));
    if (!removed) {
        return no_such_watch(name); // the transaction rolls back
    }
    return tx.commit();
}

namespace {

Result<std::vector<Run>> query_runs(Connection& c, const std::string& where, const Value& param) {
    std::vector<Run> out;
    DG_TRY_VOID(c.query("SELECT scan_id, watch, started_at, previous_scan, changes, alerts FROM "
                        "watch_runs WHERE " +
                            where + " ORDER BY scan_id",
                        {param}, [&](const Row& row) {
                            Run r;
                            r.scan_id = row.integer(0);
                            r.watch = row.text(1);
                            r.started_at = row.integer(2);
                            r.previous_scan = row.opt_integer(3);
                            r.changes = static_cast<std::uint64_t>(row.integer(4));
                            r.alerts = static_cast<std::uint64_t>(row.integer(5));
                            out.push_back(std::move(r));
                            return true;
                        }));
    return out;
}

} // namespace

Result<std::vector<Run>> list_runs(store::Store& store, std::string_view name) {
    DG_TRY(Connection * c, connection(store));
    return query_runs(*c, "watch = $1", Value(std::string(name)));
}

Result<std::vector<Run>> runs_after(store::Store& store, std::int64_t scan_id) {
    DG_TRY(Connection * c, connection(store));
    return query_runs(*c, "scan_id > $1", Value(scan_id));
}

Result<std::optional<model::Scan>> previous_run(store::Store& store, std::string_view name,
                                                std::int64_t scan_id) {
    DG_TRY(const auto runs, list_runs(store, name));
    for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
        if (scan_id != 0 && it->scan_id >= scan_id) {
            continue;
        }
        auto scan = store.get_scan(it->scan_id);
        if (scan && scan->status == model::ScanStatus::Complete) {
            return std::optional<model::Scan>(*scan);
        }
    }
    return std::optional<model::Scan>();
}

Result<std::optional<std::string>> watch_of_scan(store::Store& store, std::int64_t scan_id) {
    DG_TRY(Connection * c, connection(store));
    std::optional<std::string> out;
    DG_TRY_VOID(c->query("SELECT watch FROM watch_runs WHERE scan_id = $1", {Value(scan_id)},
                         [&](const Row& row) {
                             out = std::string(row.text(0));
                             return false;
                         }));
    return out;
}

Result<void> record_run(store::Store& store, const Run& run) {
    DG_TRY(Connection * c, connection(store));
    return c->query(
        "INSERT INTO watch_runs (scan_id, watch, started_at, previous_scan, changes, alerts) "
        "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (scan_id) DO UPDATE SET previous_scan = "
        "excluded.previous_scan, changes = excluded.changes, alerts = excluded.alerts",
        {Value(run.scan_id), Value(run.watch), Value(run.started_at),
         run.previous_scan ? Value(*run.previous_scan) : Value(),
         Value(static_cast<std::int64_t>(run.changes)),
         Value(static_cast<std::int64_t>(run.alerts))});
}

Result<void> set_next_run(store::Store& store, std::string_view name, model::UnixTime at) {
    DG_TRY(Connection * c, connection(store));
    return c->query("UPDATE watches SET next_run_at = $2 WHERE name = $1",
                    {Value(std::string(name)), Value(at)});
}

Result<std::optional<Watch>> lease_due_watch(store::Store& store, const std::string& owner,
                                             model::UnixTime now, std::int64_t lease_seconds) {
    DG_TRY(Connection * c, connection(store));
    // The conditions are checked again on the row the UPDATE locks: of two servers claiming the
    // same watch, the second sees the first's lease and updates nothing.
    DG_TRY(auto claimed,
           query_watches(*c,
                         std::string("UPDATE watches SET leased_by = $1, lease_until = $2 WHERE "
                                     "name = (SELECT name FROM watches WHERE next_run_at <= $3 "
                                     "AND (lease_until IS NULL OR lease_until < $3) ORDER BY "
                                     "next_run_at, name LIMIT 1) AND next_run_at <= $3 AND "
                                     "(lease_until IS NULL OR lease_until < $3) RETURNING ") +
                             kWatchColumns,
                         {Value(owner), Value(now + lease_seconds), Value(now)}));
    if (claimed.empty()) {
        return std::optional<Watch>();
    }
    return std::optional<Watch>(std::move(claimed.front()));
}

Result<void> renew_lease(store::Store& store, std::string_view name, const std::string& owner,
                         model::UnixTime until) {
    DG_TRY(Connection * c, connection(store));
    bool held = false;
    DG_TRY_VOID(c->query("UPDATE watches SET lease_until = $3 WHERE name = $1 AND leased_by = $2 "
                         "RETURNING name",
                         {Value(std::string(name)), Value(owner), Value(until)}, [&](const Row&) {
                             held = true;
                             return true;
                         }));
    if (!held) {
        return make_error(ErrorCode::Conflict, "the lease of watch " + std::string(name) +
                                                   " is no longer held by " + owner);
    }
    return ok();
}

Result<void> finish_lease(store::Store& store, const Watch& w, const std::string& owner,
                          model::UnixTime now) {
    DG_TRY(Connection * c, connection(store));
    const std::int64_t every = std::max<std::int64_t>(1, w.every_seconds);
    model::UnixTime next = w.next_run_at + every;
    if (!w.cron.empty()) {
        DG_TRY(const Cron cron, parse_cron(w.cron));
        next = next_fire(cron, now).value_or(now + every); // missed runs collapse into this one
    } else if (next <= now) {
        next += ((now - next) / every + 1) * every; // missed runs collapse into this one
    }
    return c->query("UPDATE watches SET leased_by = NULL, lease_until = NULL, next_run_at = $3 "
                    "WHERE name = $1 AND leased_by = $2",
                    {Value(w.name), Value(owner), Value(next)});
}

nlohmann::json to_json(const Watch& w) {
    return {{"name", w.name},
            {"domains", w.domains},
            {"every", schedule_text(w)},
            {"every_seconds", w.every_seconds},
            {"settings", w.settings},
            {"alerts", w.sinks},
            {"secret", w.secret.empty() ? "" : "(set)"},
            {"rules", w.rules},
            {"created_at", model::format_utc(w.created_at)},
            {"next_run_at", model::format_utc(w.next_run_at)}};
}

nlohmann::json to_json(const Run& r) {
    return {{"scan_id", r.scan_id},
            {"watch", r.watch},
            {"started_at", model::format_utc(r.started_at)},
            {"previous_scan", r.previous_scan ? nlohmann::json(*r.previous_scan) : nullptr},
            {"changes", r.changes},
            {"alerts", r.alerts}};
}

} // namespace dg::watch
