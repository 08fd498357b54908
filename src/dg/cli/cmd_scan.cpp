// domaingraph scan  (docs/cli/scan.md). Thin: options -> table, organisations, store, input,
// output writer -> scan::run_scan; the summary on stderr.
#include "dg/analytics/analytics.hpp"
#include "dg/bgp/table_sources.hpp"
#include "dg/cli/commands.hpp"
#include "dg/cli/exit_codes.hpp"
#include "dg/cli/resolver_options.hpp"
#include "dg/cli/scan_options.hpp"
#include "dg/core/paths.hpp"
#include "dg/core/progress.hpp"
#include "dg/core/stop_signals.hpp"
#include "dg/dns/udp_transport.hpp"
#include "dg/export/output.hpp"
#include "dg/export/writers.hpp"
#include "dg/org/org_table.hpp"
#include "dg/scan/scan.hpp"
#include "dg/scan/text_format.hpp"
#include "dg/store/store.hpp"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <fcntl.h>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <type_traits>
#include <unistd.h>

namespace dg::cli {
namespace {

std::atomic<bool> g_stop{false};
/// /dev/null, open while the list is read from stdin: a stop signal puts it in place of stdin,
/// so that a read blocked on a terminal or an idle pipe ends (at "end of list") and the scan
/// stops instead of waiting for input that never comes.
int g_stdin_null = -1;
extern "C" void on_scan_signal(int) {
    g_stop.store(true);
    if (g_stdin_null >= 0) {
        (void)::dup2(g_stdin_null, STDIN_FILENO); // async-signal-safe
    }
}

int fail(const std::string& message, int code = kExitFailure) {
    std::fprintf(stderr, "domaingraph scan: %s\n", message.c_str());
    return code;
}

/// Where results go: a ResultWriter over an Output, or text blocks on stdout.
class ResultOutput {
public:
    static Result<std::unique_ptr<ResultOutput>> open(const ScanOptions& o) {
        auto out = std::unique_ptr<ResultOutput>(new ResultOutput());
        const std::string path = o.output.empty() ? "-" : o.output;
        std::string format = o.format;
        if (format.empty()) {
            if (path == "-") {
                format = isatty(STDOUT_FILENO) != 0 ? "text" : "jsonl";
            } else {
                DG_TRY(const exports::Format f, exports::format_for_output(path));
                format = exports::format_name(f);
            }
        }
        if (format == "none") {
            return out;
        }
        DG_TRY(out->output_, exports::Output::open(path));
        if (format == "text") {
            out->text_ = true;
            return out;
        }
        DG_TRY(const exports::Format f, exports::parse_format(format));
        exports::WriterOptions wo;
        DG_TRY(wo.gexf_version, exports::parse_gexf_version(o.gexf_version));
        out->writer_ = exports::make_writer(f, *out->output_, wo);
        return out;
    }

    /// Store thread.
    void write(const model::DomainResult& r) {
        if (failed_ || !output_) {
            return;
        }
        Result<void> w = ok();
        if (text_) {
            line_.clear();
            scan::append_text(line_, r);
            w = output_->write(line_);
        } else {
            w = writer_->write(r);
        }
        if (!w) {
            failed_ = true;
            std::fprintf(stderr, "domaingraph scan: output: %s (results are still stored)\n",
                         w.error().to_string().c_str());
        }
    }

    Result<void> finish() {
        if (!output_ || failed_) {
            return ok();
        }
        if (writer_) {
            DG_TRY_VOID(writer_->finish());
        }
        return output_->commit();
    }

private:
    ResultOutput() = default;
    std::unique_ptr<exports::Output> output_;
    std::unique_ptr<exports::ResultWriter> writer_;
    bool text_ = false;
    bool failed_ = false;
    std::string line_;
};

void print_summary(const scan::ScanReport& r, std::int64_t scan_id,
                   const analytics::Coverage& coverage, bool orgs_given, bool resumed,
                   bool geo_given) {
    const double secs = std::max(1e-9, std::chrono::duration<double>(r.elapsed).count());
    std::fprintf(stderr, "scan %lld: %llu domains stored in %.2f s (%.0f domains/s)%s\n",
                 static_cast<long long>(scan_id), static_cast<unsigned long long>(r.totals.stored),
                 secs, static_cast<double>(r.totals.stored) / secs,
                 r.interrupted ? ", interrupted" : "");
    std::string counts;
    for (const auto& [status, n] : r.by_status) {
        counts += "  " + status + " " + std::to_string(n);
    }
    std::fprintf(stderr, "  status (whole scan):%s\n", counts.empty() ? " none" : counts.c_str());
    std::fprintf(stderr,
                 "  input: %llu lines, %llu invalid, %llu duplicates skipped, %llu already done\n",
                 static_cast<unsigned long long>(r.input.lines),
                 static_cast<unsigned long long>(r.input.invalid),
                 static_cast<unsigned long long>(r.input.duplicates),
                 static_cast<unsigned long long>(r.input.already_done));
    std::fprintf(stderr, "  %s%s\n", coverage.text(orgs_given).c_str(),
                 resumed ? " (results of this run)" : "");
    for (const auto& w : coverage.warnings(orgs_given, geo_given)) {
        std::fprintf(stderr, "domaingraph scan: warning: %s\n", w.c_str());
    }
    std::fprintf(stderr, "  hosts: %llu NS/MX hosts resolved once each; queries %llu\n",
                 static_cast<unsigned long long>(r.hosts),
                 static_cast<unsigned long long>(r.dns.queries));
    if (r.repair_names > 0) {
        std::fprintf(stderr, "  repair pass: %llu domains retried, %llu recovered\n",
                     static_cast<unsigned long long>(r.repair_names),
                     static_cast<unsigned long long>(r.repair_recovered));
    }
    for (const auto& u : r.dns.upstreams) {
        if (u.benched) {
            std::fprintf(stderr, "  resolver %s BENCHED: error rate %.1f%%\n",
                         u.endpoint.to_string().c_str(), u.error_rate * 100.0);
        }
    }
}

struct Prepared {
    std::unique_ptr<store::Store> store;
    std::int64_t scan_id = 0;
};

} // namespace

int run_scan_command(ScanOptions o) {
    if (o.distributed) {
        if (o.resume != 0) {
            return fail("--resume is for single-process scans: a distributed scan goes on by "
                        "itself while `domaingraph worker`s run",
                        kExitUsage);
        }
        return run_distributed_scan_command(o);
    }
    auto opened = store::Store::open(o.db);
    if (!opened) {
        return fail("database: " + opened.error().to_string());
    }
    store::Store& db = **opened;
    std::optional<model::Scan> resumed;
    if (o.resume != 0) {
        auto s = db.get_scan(o.resume);
        if (!s) {
            return fail(s.error().to_string());
        }
        if (s->status == model::ScanStatus::Complete) {
            std::fprintf(stderr, "domaingraph scan: scan %lld is already complete\n",
                         static_cast<long long>(o.resume));
            return kExitOk;
        }
        restore_settings(o, s->config_json);
        resumed = *s;
    }
    if (o.rib.empty()) {
        o.rib = newest_fetched_rib();
        if (o.rib.empty()) {
            return fail("no routing table: give -m RIB (an MRT dump such as one from `domaingraph "
                        "rib fetch`, a pyasn .dat, a CAIDA prefix2as file or a GeoLite2-ASN .mmdb)",
                        kExitUsage);
        }
    }
    auto policy = bgp::parse_policy(o.policy);
    if (!policy) {
        return fail(policy.error().message, kExitUsage);
    }
    auto upstreams = gather_upstreams(o.dns);
    if (!upstreams) {
        return fail(upstreams.error().to_string(),
                    upstreams.error().code == ErrorCode::InvalidArgument ? kExitUsage
                                                                         : kExitFailure);
    }
    auto config = make_resolver_config(o.dns, *upstreams);
    if (!config) {
        return fail(config.error().message, kExitUsage);
    }
    if (o.domains == "-" && isatty(STDIN_FILENO) != 0) {
        if (o.given.count("domains") == 0 && !resumed) {
            return fail("no domain list: give -d FILE (one name per line; .gz/.bz2/.zst too), or "
                        "pipe the names in (`... | domaingraph scan -m RIB`); `-d -` reads them "
                        "from the terminal",
                        kExitUsage);
        }
        std::fputs("domaingraph scan: reading domain names from the terminal, one per line; "
                   "Ctrl-D ends the list\n",
                   stderr);
    }
    auto input = scan::DomainInput::open(o.domains);
    if (!input) {
        return fail("domain list: " + input.error().to_string());
    }
    bgp::SourceOptions so;
    so.policy = *policy;
    so.show_progress = !o.no_progress;
    auto table = bgp::IpAsnSource::open(o.rib, so);
    if (!table) {
        return fail("routing table: " + table.error().to_string());
    }
    std::optional<org::OrgTable> orgs;
    if (!o.as2org.empty()) {
        auto loaded = org::OrgTable::load(o.as2org);
        if (!loaded) {
            return fail("as2org: " + loaded.error().to_string());
        }
        for (const auto& w : loaded->report().warnings) {
            std::fprintf(stderr, "domaingraph scan: as2org: %s\n", w.to_string().c_str());
        }
        orgs.emplace(std::move(*loaded));
    }
    std::unique_ptr<rpki::VrpIndex> vrps;
    if (!o.vrps.path.empty()) {
        vrps = load_vrp_index(o.vrps, "domaingraph scan");
        if (!vrps) {
            return kExitFailure;
        }
    }
    std::optional<geo::Database> geo;
    if (!o.geo.empty()) {
        auto geo_db = geo::Database::open(o.geo);
        if (!geo_db) {
            return fail("geo: " + geo_db.error().to_string(), kExitUsage);
        }
        geo.emplace(std::move(*geo_db));
    }
    auto output = ResultOutput::open(o);
    if (!output) {
        return fail("output: " + output.error().to_string(), kExitUsage);
    }

    // From here on a stop signal stops the scan cleanly (before the scan record exists too).
    if (o.domains == "-") {
        g_stdin_null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    }
    install_stop_handler(on_scan_signal); // SIGINT, SIGTERM and SIGHUP alike

    std::int64_t scan_id = 0;
    if (resumed) {
        scan_id = resumed->id;
        auto marked = db.done_domains(scan_id, [&](const std::string& name) {
            input->mark_done(name);
            return true;
        });
        if (!marked) {
            return fail(marked.error().to_string());
        }
        (void)db.set_scan_status(scan_id, model::ScanStatus::Running);
    } else {
        store::NewScan ns;
        ns.notes = o.notes;
        ns.rib_path = absolute(o.rib);
        ns.rib_hash = table->report().content_hash; // "xxh3-128:...", not the cache file's path
        ns.config_json = settings_json(o, *upstreams).dump();
        ns.domains_total = scan::count_lines(o.domains).value_or(0);
        auto created = db.create_scan(ns);
        if (!created) {
            return fail("database: " + created.error().to_string());
        }
        scan_id = created->id;
    }
    if (o.created_scan != nullptr) {
        *o.created_scan = scan_id;
    }
    std::fprintf(stderr, "domaingraph scan: scan %lld%s (database: %s)\n",
                 static_cast<long long>(scan_id), resumed ? " resumed" : "", db.backend());
    std::string rate = "unlimited";
    if (o.dns.rate > 0) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g q/s", o.dns.rate);
        rate = buf;
    }
    std::fprintf(stderr,
                 "  settings%s: rate %s per resolver, concurrency %u, timeout %u ms, retries %u, "
                 "repair %s\n",
                 resumed ? " (as stored; options given now win)" : "", rate.c_str(),
                 o.dns.concurrency, o.dns.timeout_ms, o.dns.retries,
                 o.dns.no_repair ? "off" : "on");

    const scan::AddressMapper mapper(*table, scan::org_namer(orgs ? &*orgs : nullptr), vrps.get(),
                                     geo ? &*geo : nullptr);
    scan::ScanSettings settings;
    settings.resolver = *config;
    settings.repair = !o.dns.no_repair;
    settings.batch_size = o.batch;

    dns::SteadyClock clock;
    auto transport =
        dns::UdpTransport::create(o.dns.sockets, any_v4(*upstreams), any_v6(*upstreams), clock);
    if (!transport) {
        return fail(transport.error().message);
    }
    const std::uint64_t previously_done = resumed ? resumed->domains_done : 0;
    Progress progress("scanning",
                      resumed ? resumed->domains_total : scan::count_lines(o.domains).value_or(0),
                      "domains");
    scan::ScanHooks hooks;
    analytics::Coverage coverage;
    hooks.on_stored = [&](const model::DomainResult& r) {
        coverage.add(r);
        (*output)->write(r);
    };
    if (!o.no_progress && progress.enabled()) {
        hooks.on_progress = [&](const scan::ScanProgress& p) {
            progress.update(previously_done + p.stored);
            progress.set_status((p.repairing ? "repair pass, " : "") + std::string("ok ") +
                                std::to_string(p.ok) + " failed " + std::to_string(p.failed));
        };
    }
    auto report =
        scan::run_scan(db, scan_id, *input, mapper, settings, **transport, clock, hooks, &g_stop);
    restore_stop_signals();
    if (g_stdin_null >= 0) {
        ::close(g_stdin_null);
        g_stdin_null = -1;
    }
    progress.finish();
    const auto now = static_cast<model::UnixTime>(std::time(nullptr));
    const model::ScanStatus status = scan::record_outcome(db, scan_id, report, now);
    const std::string resume_hint = "  domaingraph scan --resume " + std::to_string(scan_id) +
                                    (o.db.empty() ? "" : " --db " + o.db) + "\n";
    if (!report) {
        (void)(*output)->finish();
        const auto file = store::sqlite_path_of(o.db);
        std::error_code ec;
        const bool file_gone = file && !file->empty() && !std::filesystem::exists(*file, ec);
        return fail("scan " + std::to_string(scan_id) + " failed: " + report.error().to_string() +
                    (file_gone ? "; the database file is gone and what was stored with it: "
                                 "restore it from a backup, or scan again"
                               : "; what was stored is kept: resume with `domaingraph scan "
                                 "--resume " +
                                     std::to_string(scan_id) + "`"));
    }
    if (auto f = (*output)->finish(); !f) {
        std::fprintf(stderr, "domaingraph scan: output: %s\n", f.error().to_string().c_str());
    }
    print_summary(*report, scan_id, coverage, orgs.has_value(), resumed.has_value(),
                  geo.has_value());
    if (report->input_error) {
        std::fprintf(stderr,
                     "domaingraph scan: domain list damaged: %s (names before it were scanned)\n",
                     report->input_error->to_string().c_str());
    }
    if (status == model::ScanStatus::Interrupted && !resumed && report->totals.stored == 0) {
        // Nothing was stored: an empty scan would only become `latest` and mislead.
        (void)db.delete_scan(scan_id);
        std::fprintf(stderr,
                     "domaingraph scan: interrupted before any domain was stored; scan %lld "
                     "removed\n",
                     static_cast<long long>(scan_id));
        return kExitInterrupted;
    }
    if (status == model::ScanStatus::Interrupted) {
        std::fprintf(stderr,
                     "domaingraph scan: interrupted; finished results are stored. Resume with:\n%s",
                     resume_hint.c_str());
        return kExitInterrupted;
    }
    if (status == model::ScanStatus::Failed) {
        std::fprintf(stderr,
                     "domaingraph scan: scan %lld is stored as failed (not complete); once the "
                     "list is fixed, continue it with:\n%s",
                     static_cast<long long>(scan_id), resume_hint.c_str());
        return kExitDataErrors;
    }
    return kExitOk;
}

std::string absolute(const std::string& path) {
    if (path.empty() || path == "-") {
        return path;
    }
    std::error_code ec;
    auto p = std::filesystem::absolute(path, ec);
    return ec ? path : p.string();
}

std::string absolute_list(const std::string& paths) {
    std::error_code ec;
    if (paths.find(',') == std::string::npos || std::filesystem::exists(paths, ec)) {
        return absolute(paths);
    }
    std::string out;
    std::size_t start = 0;
    while (start <= paths.size()) {
        const std::size_t comma = std::min(paths.find(',', start), paths.size());
        out += out.empty() ? "" : ",";
        out += absolute(paths.substr(start, comma - start));
        start = comma + 1;
    }
    return out;
}

std::string newest_fetched_rib() {
    const std::string dir = user_cache_dir() + "/rib";
    std::error_code ec;
    std::string best;
    std::filesystem::file_time_type best_time{};
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
        if (e.is_regular_file(ec) && e.path().extension() != ".part" &&
            (best.empty() || e.last_write_time(ec) > best_time)) {
            best = e.path().string();
            best_time = e.last_write_time(ec);
        }
    }
    return best;
}

nlohmann::json settings_json(const ScanOptions& o, const std::vector<dns::Endpoint>& upstreams) {
    const nlohmann::json resolvers = resolver_list(upstreams);
    nlohmann::json settings = {{"domains", absolute(o.domains)},
                               {"rib", absolute(o.rib)},
                               {"policy", o.policy},
                               {"as2org", absolute_list(o.as2org)},
                               {"vrps", absolute(o.vrps.path)},
                               {"geo", absolute(o.geo)},
                               {"vrps_format", o.vrps.format},
                               {"resolvers", resolvers},
                               {"concurrency", o.dns.concurrency},
                               {"timeout_ms", o.dns.timeout_ms},
                               {"retries", o.dns.retries},
                               {"rate", o.dns.rate},
                               {"repair", !o.dns.no_repair}};
    if (!o.list.empty()) {
        settings["list"] = o.list;
    }
    return settings;
}

// On --resume: what the user did not give again comes from the stored scan (settings_json),
// so that a resumed scan runs as it was started: the same list, table, resolvers, and the
// same politeness (rate, concurrency, timeout, retries, repair) unless overridden.
void restore_settings(ScanOptions& o, const std::string& config_json) {
    const StoredSettings stored(config_json, o.given);
    stored.text("domains", "domains", o.domains);
    stored.text("rib", "rib", o.rib);
    stored.text("as2org", "as2org", o.as2org);
    stored.text("vrps", "vrps", o.vrps.path);
    stored.text("vrps-format", "vrps_format", o.vrps.format);
    stored.text("geo", "geo", o.geo);
    stored.text("policy", "policy", o.policy);
    stored.text("list", "list", o.list);
    stored.number("rate", "rate", o.dns.rate);
    stored.restore(o.dns);
}

void register_scan_command(CLI::App& app, Runner& selected) {
    auto opts = std::make_shared<ScanOptions>();
    CLI::App* cmd = app.add_subcommand(
        "scan",
        "Scan a domain list: DNS (A, AAAA, CNAME, NS, MX and the NS/MX hosts' addresses) -> "
        "prefix, origin AS, organisation -> the history database (and a file or stdout)");
    cmd->footer(
        "\nExamples:\n"
        "  domaingraph scan -d domains.txt -m rib.gz                 # system resolver, SQLite\n"
        "  domaingraph scan -d zone.txt.gz -m rib.gz --db postgresql://host/db -c 2000 \\\n"
        "      --resolver 10.0.0.53 --format none --notes 'weekly .at'\n"
        "  domaingraph scan --resume 7                                # after Ctrl-C or a crash\n"
        "  domaingraph scan -d zone.txt --distributed --db postgresql://h/dg  # then, on any "
        "host:\n"
        "  domaingraph worker --db postgresql://h/dg\n"
        "Results: JSON Lines on stdout when piped, text on a terminal; -o FILE picks the format\n"
        "from the extension (.jsonl .json .csv .parquet .gexf .graphml). Exit codes: 0 done, 1 "
        "failed,\n2 usage, 3 done but the domain list was damaged, 130 interrupted (resumable).");
    cmd->add_option("-d,--domains", opts->domains,
                    "Domain list, one per line (plain/gz/bz2/zst; '-' = stdin)")
        ->capture_default_str();
    cmd->add_option("-m,--rib", opts->rib,
                    "Routing table: MRT RIB dump, domaingraph cache, pyasn .dat, prefix2as, .mmdb "
                    "(default: the newest `rib fetch` download)");
    cmd->add_option("--policy", opts->policy, "Origin policy for MRT dumps: default or pyasn")
        ->capture_default_str();
    cmd->add_option("--as2org,--names", opts->as2org,
                    "AS names and organisations: CAIDA as-org2info (.txt/.jsonl), pyasn's "
                    "asnames.json, an RPSL aut-num dump or an RIR delegation file; several "
                    "separated by commas (later ones fill in what earlier ones lack)");
    add_vrp_options(cmd, opts->vrps, false);
    cmd->add_option("--geo", opts->geo,
                    "MaxMind City or Country database (GeoLite2-City.mmdb ...): the country, city "
                    "and coordinates of every address, in the results, the coverage line and "
                    "the dashboard's map");
    cmd->add_option("--db", opts->db,
                    "Database URL: sqlite:///path.db or postgresql://... (default: SQLite in the "
                    "user data directory)");
    cmd->add_option("--notes", opts->notes, "Free text stored with the scan");
    cmd->add_option("--list", opts->list,
                    "The list this scan belongs to (as a watch's runs do): 'previous' of the scan "
                    "is then the previous scan of this list, and diff refuses to compare it with "
                    "another list's scan without --across-lists");
    cmd->add_option("-o,--output", opts->output, "Also write the results to FILE ('-' = stdout)");
    cmd->add_option("--format", opts->format,
                    "Output format: jsonl, json, csv, text, parquet, gexf, graphml, none");
    cmd->add_option("--gexf-version", opts->gexf_version,
                    "GEXF flavour: 1.2draft (default; Gephi, networkx, sigma.js read it) or 1.3")
        ->capture_default_str();
    add_resolver_flags(*cmd, opts->dns);
    cmd->add_option("--batch", opts->batch, "Results per database transaction")
        ->check(CLI::Range(std::size_t{1}, std::size_t{100000}))
        ->capture_default_str();
    cmd->add_option("--resume", opts->resume,
                    "Continue scan ID (interrupted or crashed): finished domains are kept");
    cmd->add_flag("--no-progress", opts->no_progress, "No progress bar on a terminal");
    cmd->add_flag("--distributed", opts->distributed,
                  "Store the scan as shards in PostgreSQL for `domaingraph worker`s on any "
                  "number of hosts, print its id and exit (docs/cli/distributed.md)");
    cmd->add_option("--shards", opts->shards,
                    "--distributed: this many shards (a name's shard is xxh64(name) mod N)")
        ->check(CLI::Range(1U, 1000000U));
    cmd->add_option("--shard-size", opts->shard_size,
                    "--distributed: names per shard on average, when --shards is not given")
        ->check(CLI::Range(1U, 10000000U))
        ->capture_default_str();
    cmd->add_option("--max-attempts", opts->max_attempts,
                    "--distributed: a shard failing this often is marked failed")
        ->check(CLI::Range(1U, 1000U))
        ->capture_default_str();
    cmd->add_flag("--wait", opts->wait,
                  "--distributed: follow the progress until the scan ends (exit 0 complete, 1 "
                  "failed)");
    cmd->callback([opts, cmd, &selected] {
        selected = [opts, cmd] {
            // Read when the command runs: environment and file values are applied after parsing.
            opts->given = given_options(*cmd);
            return run_scan_command(*opts);
        };
    });
}

} // namespace dg::cli
