// domaingraph watch add|list|show|remove|run  (docs/cli/watch.md, issue 18): named domain lists
// scanned on a schedule; each run is compared with the previous run of the same watch and its
// changes are delivered as alerts to the watch's sinks.
#include "dg/cli/commands.hpp"
#include "dg/cli/exit_codes.hpp"
#include "dg/cli/scan_options.hpp"
#include "dg/cli/store_access.hpp"
#include "dg/core/output_file.hpp"
#include "dg/diff/diff.hpp"
#include "dg/model/json.hpp"
#include "dg/watch/alerts.hpp"
#include "dg/watch/watch.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

namespace dg::cli {

namespace {

constexpr const char* kName = "watch";

struct WatchOptions {
    std::string name;
    std::string db;
    std::string domains;
    std::string every = "1d";
    std::string rib;
    std::string as2org;
    VrpOptions vrps;
    std::string geo;
    std::vector<std::string> alerts;
    std::string secret;
    std::string rules_file;
    ResolverFlags dns;
    bool json = false;
    bool no_progress = false;
    int max_attempts = 5;
    bool no_deliver = false; ///< run: leave the deliveries to the server's delivery loop
    std::string lease_owner; ///< run: started by the scheduler holding this lease
    std::set<std::string> given;
};

model::UnixTime now_seconds() {
    return static_cast<model::UnixTime>(std::time(nullptr));
}

int fail(const Error& e) {
    return report_error(kName, e);
}

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

int run_add(const WatchOptions& o) {
    if (auto n = watch::check_name(o.name); !n) {
        return fail(n.error());
    }
    auto every = watch::parse_schedule(o.every, now_seconds());
    if (!every) {
        return fail(every.error());
    }
    if (o.domains.empty() || o.domains == "-") {
        return fail(make_error(ErrorCode::InvalidArgument,
                               "a watch needs a list file: -d FILE (read again at every run)"));
    }
    if (!std::ifstream(o.domains)) {
        return fail(make_error(ErrorCode::InvalidArgument,
                               "domain list " + o.domains + ": cannot be read"));
    }
    for (const std::string& sink : o.alerts) {
        if (auto c = watch::check_sink(sink); !c) {
            return fail(c.error());
        }
    }
    std::string rules;
    if (!o.rules_file.empty()) {
        if (!std::ifstream(o.rules_file)) {
            return fail(make_error(ErrorCode::InvalidArgument,
                                   "rules file " + o.rules_file + ": cannot be read"));
        }
        rules = read_text(o.rules_file);
        if (auto r = watch::parse_rules(rules); !r) {
            return fail(r.error());
        }
    }
    auto upstreams = gather_upstreams(o.dns);
    if (!upstreams) {
        return fail(upstreams.error());
    }
    ScanOptions scan;
    scan.domains = o.domains;
    scan.rib = o.rib;
    scan.as2org = o.as2org;
    scan.vrps = o.vrps;
    scan.geo = o.geo;
    scan.dns = o.dns;
    scan.list = o.name;
    watch::Watch w;
    w.name = o.name;
    w.domains = absolute(o.domains);
    w.every_seconds = every->every_seconds;
    w.cron = every->cron;
    w.settings = settings_json(scan, *upstreams);
    w.sinks = o.alerts;
    w.secret = o.secret;
    w.rules = rules;
    w.created_at = now_seconds();
    w.next_run_at = w.created_at; // the first run is due at once (serve runs it)
    auto store = open_store_or_report(kName, o.db);
    if (!store) {
        return kExitFailure;
    }
    if (auto added = watch::add_watch(*store, w); !added) {
        return fail(added.error());
    }
    if (o.json) {
        std::printf("%s\n", watch::to_json(w).dump().c_str());
    } else {
        std::fprintf(stderr,
                     "domaingraph watch: added %s: %s every %s, %zu alert sink(s); run it now "
                     "with 'domaingraph watch run %s' (or let 'domaingraph serve' run it)\n",
                     w.name.c_str(), w.domains.c_str(), watch::schedule_text(w).c_str(),
                     w.sinks.size(), w.name.c_str());
    }
    return kExitOk;
}

int run_list(const WatchOptions& o) {
    auto store = open_store_or_report(kName, o.db);
    if (!store) {
        return kExitFailure;
    }
    auto all = watch::list_watches(*store);
    if (!all) {
        return fail(all.error());
    }
    if (o.json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& w : *all) {
            out.push_back(watch::to_json(w));
        }
        std::printf("%s\n", out.dump(2).c_str());
        return kExitOk;
    }
    if (all->empty()) {
        std::printf("no watches (add one with 'domaingraph watch add NAME -d LIST')\n");
        return kExitOk;
    }
    std::printf("%-24s %-6s %-20s %-6s %s\n", "NAME", "EVERY", "NEXT RUN", "SINKS", "LIST");
    for (const auto& w : *all) {
        std::printf("%-24s %-6s %-20s %-6zu %s\n", w.name.c_str(), watch::schedule_text(w).c_str(),
                    model::format_utc(w.next_run_at).c_str(), w.sinks.size(), w.domains.c_str());
    }
    return kExitOk;
}

/// Runs `command` with the store and the watch o.name, or says why either cannot be opened.
int with_watch(const WatchOptions& o,
               int (*command)(const WatchOptions&, store::Store*, const watch::Watch*)) {
    auto store = open_store_or_report(kName, o.db);
    if (!store) {
        return kExitFailure;
    }
    auto w = watch::get_watch(*store, o.name);
    if (!w) {
        return fail(w.error());
    }
    return command(o, store.get(), &*w);
}

int show_watch(const WatchOptions& o, store::Store* store, const watch::Watch* w) {
    auto runs = watch::list_runs(*store, o.name);
    auto alerts = watch::list_alerts(*store, o.name);
    if (!runs || !alerts) {
        return fail(!runs ? runs.error() : alerts.error());
    }
    nlohmann::json out = watch::to_json(*w);
    out["runs"] = nlohmann::json::array();
    for (const auto& r : *runs) {
        out["runs"].push_back(watch::to_json(r));
    }
    out["alerts"] = nlohmann::json::array();
    for (const auto& a : *alerts) {
        out["alerts"].push_back(watch::alert_json(a));
    }
    if (o.json) {
        std::printf("%s\n", out.dump(2).c_str());
        return kExitOk;
    }
    std::printf("watch %s\n  list      %s\n  every     %s (next run %s)\n  sinks     %s\n",
                w->name.c_str(), w->domains.c_str(), watch::schedule_text(*w).c_str(),
                model::format_utc(w->next_run_at).c_str(),
                w->sinks.empty() ? "(none)" : nlohmann::json(w->sinks).dump().c_str());
    std::printf("  rules     %s\n  runs      %zu\n", w->rules.empty() ? "every change" : "custom",
                runs->size());
    for (const auto& r : *runs) {
        std::printf(
            "    scan %lld at %s: %s, %llu changes, %llu alerts\n",
            static_cast<long long>(r.scan_id), model::format_utc(r.started_at).c_str(),
            r.previous_scan ? ("compared with scan " + std::to_string(*r.previous_scan)).c_str()
                            : "first run",
            static_cast<unsigned long long>(r.changes), static_cast<unsigned long long>(r.alerts));
    }
    std::printf("  alerts    %zu\n", alerts->size());
    return kExitOk;
}

int run_remove(const WatchOptions& o) {
    auto store = open_store_or_report(kName, o.db);
    if (!store) {
        return kExitFailure;
    }
    if (auto r = watch::remove_watch(*store, o.name); !r) {
        return fail(r.error());
    }
    std::fprintf(stderr, "domaingraph watch: removed %s (its scans stay in the database)\n",
                 o.name.c_str());
    return kExitOk;
}

/// The newest scan of the watch's list that did not finish (interrupted; also running when
/// `running_too`: the scheduler holds the watch's lease, so no other run is alive) and is not a
/// recorded run; 0 when there is none.
Result<std::int64_t> unfinished_run(store::Store& store, const std::string& name,
                                    bool running_too) {
    DG_TRY(const auto scans, store.list_scans());
    DG_TRY(const auto runs, watch::list_runs(store, name));
    for (auto it = scans.rbegin(); it != scans.rend(); ++it) {
        if (store::list_of(*it) != name) {
            continue;
        }
        const bool recorded = std::any_of(runs.begin(), runs.end(),
                                          [&](const watch::Run& r) { return r.scan_id == it->id; });
        const bool resumable = it->status == model::ScanStatus::Interrupted ||
                               (running_too && it->status == model::ScanStatus::Running);
        return !recorded && resumable ? it->id : 0;
    }
    return std::int64_t{0};
}

/// Diffs the run with the previous run of the watch; the changes.
Result<std::vector<model::Change>> changes_between(const std::string& db, std::int64_t a,
                                                   std::int64_t b) {
    DG_TRY(auto reader_a, store::Store::open(db));
    DG_TRY(auto reader_b, store::Store::open(db));
    std::vector<model::Change> changes;
    diff::DiffSink sink;
    sink.change = [&](const model::Change& c) {
        changes.push_back(c);
        return true;
    };
    DG_TRY_VOID(diff::diff_scans(*reader_a, *reader_b, a, b, sink));
    return changes;
}

/// The provider-shift alerts of a run when the watch's rules ask for them (provider_shift) and
/// there is a previous run to compare with.
Result<std::vector<watch::ListChange>> provider_shifts(store::Store& store, const watch::Watch& w,
                                                       std::optional<std::int64_t> previous,
                                                       std::int64_t scan_id) {
    DG_TRY(const watch::Rules rules, watch::parse_rules(w.rules));
    if (rules.provider_shift_pp <= 0 || !previous) {
        return std::vector<watch::ListChange>{};
    }
    DG_TRY(const auto before, analytics::scan_stats(store, *previous));
    DG_TRY(const auto after, analytics::scan_stats(store, scan_id));
    const auto shifts = analytics::compare_providers(before, after, rules.provider_shift_pp);
    return watch::provider_shift_changes(shifts, rules.provider_shift_pp, *previous);
}

int run_watch(const WatchOptions& o, store::Store* store, const watch::Watch* w) {
    ScanOptions scan;
    scan.db = o.db;
    if (!o.rib.empty()) {
        scan.rib = o.rib; // this run only: e.g. a newer table than the watch names
        scan.given.insert("rib");
    }
    restore_settings(scan, w->settings.dump());
    scan.list = w->name;
    scan.format = "none";
    scan.notes = "watch " + w->name;
    scan.no_progress = o.no_progress;
    // A run cut short (Ctrl-C, a server stopped or killed) is resumed, not started again: the
    // watch's schedule gets one run per slot, and the names already resolved are kept.
    auto unfinished = unfinished_run(*store, w->name, !o.lease_owner.empty());
    if (!unfinished) {
        return fail(unfinished.error());
    }
    if (*unfinished != 0) {
        scan.resume = *unfinished;
        std::fprintf(stderr, "domaingraph watch: %s: resuming its unfinished run, scan %lld\n",
                     w->name.c_str(), static_cast<long long>(*unfinished));
    }
    std::int64_t scan_id = 0;
    scan.created_scan = &scan_id;
    const model::UnixTime started = now_seconds();
    const int scanned = run_scan_command(scan);
    if (scan_id == 0) {
        return scanned == kExitOk ? kExitFailure : scanned;
    }
    watch::Run run;
    run.scan_id = scan_id;
    run.watch = w->name;
    run.started_at = started;
    auto previous = watch::previous_run(*store, w->name, scan_id);
    if (!previous) {
        return fail(previous.error());
    }
    if (scanned != kExitOk) {
        (void)watch::record_run(*store, run); // a failed or interrupted run: nothing compared
        return scanned;
    }
    std::vector<model::Change> changes;
    if (*previous) {
        run.previous_scan = (*previous)->id;
        auto found = changes_between(o.db, (*previous)->id, scan_id);
        if (!found) {
            return fail(found.error());
        }
        changes = std::move(*found);
    }
    std::uint64_t list_size = 0;
    if (auto scanned_scan = store->get_scan(scan_id); scanned_scan) {
        list_size = scanned_scan->domains_total;
    }
    auto list_changes = provider_shifts(*store, *w, run.previous_scan, scan_id);
    if (!list_changes) {
        return fail(list_changes.error());
    }
    watch::RulesReport rules;
    auto alerts = watch::record_alerts(*store, *w, scan_id, changes, now_seconds(), list_size,
                                       &rules, *list_changes);
    if (!alerts) {
        return fail(alerts.error());
    }
    run.changes = changes.size();
    run.alerts = alerts->size();
    if (auto r = watch::record_run(*store, run); !r) {
        return fail(r.error());
    }
    if (!o.lease_owner.empty()) {
        // the scheduler's slot is done: the next run is due one interval on
        if (auto f = watch::finish_lease(*store, *w, o.lease_owner, now_seconds()); !f) {
            return fail(f.error());
        }
    }
    watch::DeliveryPolicy policy;
    policy.max_attempts = o.max_attempts;
    watch::DeliveryReport total;
    while (!o.no_deliver) {
        auto pass = watch::deliver_due(*store, w->name, now_seconds(), watch::send_to_sink, policy);
        if (!pass) {
            return fail(pass.error());
        }
        total.delivered += pass->delivered;
        total.failed_attempts += pass->failed_attempts;
        total.dead += pass->dead;
        total.pending = pass->pending;
        if (pass->pending == 0 || !pass->next_due ||
            *pass->next_due > now_seconds() + policy.max_backoff.count()) {
            break; // held for quiet hours: `domaingraph serve` sends them when they end
        }
        const auto wait = std::max<model::UnixTime>(1, *pass->next_due - now_seconds());
        std::this_thread::sleep_for(std::chrono::seconds(wait));
    }
    nlohmann::json out = watch::to_json(run);
    out["delivered"] = total.delivered;
    out["failed_attempts"] = total.failed_attempts;
    out["dead_letters"] = total.dead;
    out["pending"] = total.pending;
    out["not_matching"] = rules.not_matching;
    out["below_threshold"] = rules.below_threshold;
    out["repeated"] = rules.repeated;
    out["provider_shifts"] = list_changes->size();
    out["held_until"] =
        rules.held_until ? nlohmann::json(model::format_utc(*rules.held_until)) : nlohmann::json();
    if (o.json) {
        std::printf("%s\n", out.dump().c_str());
    }
    std::fprintf(stderr,
                 "domaingraph watch: %s: scan %lld, %s: %zu changes, %zu alerts; deliveries: %llu "
                 "done, %llu failed attempts, %llu dead letters\n",
                 w->name.c_str(), static_cast<long long>(scan_id),
                 run.previous_scan ? ("compared with scan " + std::to_string(*run.previous_scan) +
                                      " (the previous run of this watch)")
                                         .c_str()
                                   : "the first run (nothing to compare with)",
                 changes.size(), alerts->size(), static_cast<unsigned long long>(total.delivered),
                 static_cast<unsigned long long>(total.failed_attempts),
                 static_cast<unsigned long long>(total.dead));
    if (rules.not_matching + rules.below_threshold + rules.repeated > 0 || rules.held_until) {
        std::fprintf(
            stderr,
            "  rules: %llu changes of other types or severities, %llu under the "
            "threshold, %llu alerted before (dedup)%s\n",
            static_cast<unsigned long long>(rules.not_matching),
            static_cast<unsigned long long>(rules.below_threshold),
            static_cast<unsigned long long>(rules.repeated),
            rules.held_until
                ? ("; quiet hours: sent from " + model::format_utc(*rules.held_until)).c_str()
                : "");
    }
    return total.dead > 0 ? kExitFailure : kExitOk;
}

} // namespace

void register_watch_commands(CLI::App& app, Runner& selected) {
    auto opts = std::make_shared<WatchOptions>();
    CLI::App* group = app.add_subcommand(
        "watch", "Watchlists: a domain list scanned on a schedule, compared run to run, with "
                 "alerts on what changed (webhook, syslog, e-mail)");
    group->require_subcommand(1);
    group->footer(
        "\nExamples:\n"
        "  domaingraph watch add customers -d customers.txt --every 1h \\\n"
        "      --alert https://hooks.example/dg --secret S --alert syslog://10.0.0.5:514 \\\n"
        "      --alert 'smtp://mail.example:25?to=noc@example.net'\n"
        "  domaingraph watch run customers       # one run now; `domaingraph serve` runs due "
        "watches\n"
        "  domaingraph watch show customers      # runs and alerts\n"
        "Webhook bodies are signed: X-Domaingraph-Signature: sha256=HMAC-SHA256(secret, body)\n"
        "(--secret, else DOMAINGRAPH_WEBHOOK_SECRET).");
    auto with_db = [&](CLI::App* cmd) { add_db_option(cmd, opts->db); };

    CLI::App* add = group->add_subcommand("add", "Add a watch (its first run is due at once)");
    add->add_option("NAME", opts->name, "watch name: letters, digits, '.', '_', '-'")->required();
    add->add_option("-d,--domains", opts->domains, "the domain list (a file, read at every run)")
        ->required();
    add->add_option("--every", opts->every,
                    "schedule: 30s, 15m, 1h, 1d, 1w, @hourly, @daily, @weekly, or a cron "
                    "expression in UTC ('0 6 * * 1-5': minute hour day month weekday)")
        ->capture_default_str();
    add->add_option("-m,--rib", opts->rib,
                    "routing table for every run (default: the newest `rib fetch` download)");
    add->add_option("--as2org,--names", opts->as2org,
                    "AS names and organisations (CAIDA, pyasn, RPSL aut-num, RIR delegation; "
                    "several separated by commas)");
    add_vrp_options(add, opts->vrps, false);
    add->add_option("--geo", opts->geo,
                    "MaxMind City or Country database: the location of every address of every "
                    "run");
    add->add_option("--alert", opts->alerts,
                    "alert sink (repeatable): http(s)://... webhook, syslog://HOST:PORT (UDP), "
                    "syslog: (local), smtp://HOST:PORT?to=ADDR[,ADDR][&from=ADDR] (STARTTLS "
                    "when offered; smtps:// for TLS), mailto:ADDR (via DOMAINGRAPH_SMTP, default "
                    "smtp://localhost:25)");
    add->add_option("--secret", opts->secret,
                    "webhook HMAC key (default: DOMAINGRAPH_WEBHOOK_SECRET at delivery)");
    add->add_option("--rules", opts->rules_file,
                    "alert rules (YAML: min_severity, types, min_domains, min_share, quiet_hours, "
                    "dedup; docs/cli/watch.md); default: every change alerts");
    add_resolver_flags(*add, opts->dns);
    add->add_flag("--json", opts->json, "print the watch as JSON");
    with_db(add);
    add->callback([opts, add, &selected] {
        selected = [opts, add] {
            opts->given = given_options(*add);
            return run_add(*opts);
        };
    });

    CLI::App* list = group->add_subcommand("list", "List the watches");
    list->add_flag("--json", opts->json, "JSON array");
    with_db(list);
    list->callback([opts, &selected] { selected = [opts] { return run_list(*opts); }; });

    CLI::App* show = group->add_subcommand("show", "A watch with its runs and alerts");
    show->add_option("NAME", opts->name, "watch name")->required();
    show->add_flag("--json", opts->json, "JSON object");
    with_db(show);
    show->callback(
        [opts, &selected] { selected = [opts] { return with_watch(*opts, show_watch); }; });

    CLI::App* remove = group->add_subcommand("remove", "Remove a watch (its scans stay)");
    remove->add_option("NAME", opts->name, "watch name")->required();
    with_db(remove);
    remove->callback([opts, &selected] { selected = [opts] { return run_remove(*opts); }; });

    CLI::App* run = group->add_subcommand(
        "run", "Run a watch now: scan its list, compare with its previous run, deliver alerts");
    run->add_option("NAME", opts->name, "watch name")->required();
    run->add_option("-m,--rib", opts->rib, "routing table for this run only");
    run->add_option("--max-attempts", opts->max_attempts,
                    "delivery attempts per alert and sink before it is a dead letter")
        ->check(CLI::Range(1, 20))
        ->capture_default_str();
    run->add_flag("--json", opts->json, "print the run's summary as JSON");
    run->add_flag("--no-deliver", opts->no_deliver,
                  "store the alerts but leave their delivery to `domaingraph serve`");
    run->add_option("--lease-owner", opts->lease_owner,
                    "(used by `serve`) the scheduler's lease this run belongs to")
        ->group("");
    run->add_flag("--no-progress", opts->no_progress, "no progress bar");
    with_db(run);
    run->callback(
        [opts, &selected] { selected = [opts] { return with_watch(*opts, run_watch); }; });
}

} // namespace dg::cli
