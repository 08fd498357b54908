// domaingraph ptr sweep|sweeps list|sweeps show ID|export ID  (docs/cli/ptr.md). Thin: options
// -> address plan (ptr/address_list), resolver pool (dns), store (ptr/sweep_store) ->
// ptr::run_sweep; the report on stderr.
#include "dg/bgp/table_sources.hpp"
#include "dg/cli/commands.hpp"
#include "dg/cli/exit_codes.hpp"
#include "dg/cli/resolver_options.hpp"
#include "dg/cli/store_access.hpp"
#include "dg/core/output_file.hpp"
#include "dg/core/progress.hpp"
#include "dg/core/stop_signals.hpp"
#include "dg/dns/udp_transport.hpp"
#include "dg/export/output.hpp"
#include "dg/export/parquet.hpp"
#include "dg/ptr/address_list.hpp"
#include "dg/ptr/output.hpp"
#include "dg/ptr/stored_sweep.hpp"
#include "dg/ptr/sweep.hpp"
#include "dg/ptr/sweep_store.hpp"

#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <unistd.h>

namespace dg::cli {
namespace {

constexpr const char* kSweep = "ptr sweep";

struct SweepOptions {
    std::string prefixes;
    std::string addresses;
    std::string asns;
    std::string rib;
    std::string policy = "default";
    ResolverFlags dns;
    double rate = 500;             ///< global queries/s (0: no global limit)
    double per_resolver_rate = 50; ///< queries/s per resolver (0: none)
    std::uint64_t pause_every = 0;
    double pause_seconds = 600;
    std::string db;
    std::string notes;
    std::string output;
    std::string format = "jsonl";
    std::int64_t resume = 0;
    std::uint64_t batch = 5000;
    bool yes = false;
    bool dry_run = false;
    bool no_progress = false;
    bool no_probe = false;
    std::set<std::string> given;
};

std::atomic<bool> g_stop{false};
extern "C" void on_ptr_signal(int) {
    g_stop.store(true);
}

int fail(const std::string& message, int code = kExitFailure) {
    std::fprintf(stderr, "domaingraph %s: %s\n", kSweep, message.c_str());
    return code;
}

std::string absolute(const std::string& path) {
    if (path.empty() || path == "-") {
        return path;
    }
    std::error_code ec;
    auto p = std::filesystem::absolute(path, ec);
    return ec ? path : p.string();
}

std::string duration_text(double seconds) {
    char buf[64];
    if (seconds < 120) {
        std::snprintf(buf, sizeof buf, "%.0f s", seconds);
    } else if (seconds < 7200) {
        std::snprintf(buf, sizeof buf, "%.0f min", seconds / 60);
    } else if (seconds < 172800) {
        std::snprintf(buf, sizeof buf, "%.1f h", seconds / 3600);
    } else {
        std::snprintf(buf, sizeof buf, "%.1f days", seconds / 86400);
    }
    return buf;
}

// ---- settings kept with the sweep (for --resume) ---------------------------------------------

nlohmann::json settings_json(const SweepOptions& o, const std::vector<dns::Endpoint>& upstreams) {
    const nlohmann::json resolvers = resolver_list(upstreams);
    return {{"prefixes", absolute(o.prefixes)},
            {"addresses", absolute(o.addresses)},
            {"asn", o.asns},
            {"rib", absolute(o.rib)},
            {"policy", o.policy},
            {"resolvers", resolvers},
            {"rate", o.rate},
            {"per_resolver_rate", o.per_resolver_rate},
            {"pause_every", o.pause_every},
            {"pause", o.pause_seconds},
            {"concurrency", o.dns.concurrency},
            {"timeout_ms", o.dns.timeout_ms},
            {"retries", o.dns.retries},
            {"repair", !o.dns.no_repair}};
}

/// On --resume: every setting not given again comes from the stored sweep, so that a resumed
/// sweep covers the same addresses as politely as it started.
void restore_settings(SweepOptions& o, const std::string& config) {
    const StoredSettings stored(config, o.given);
    if (!stored.valid()) {
        return;
    }
    // The address source is not an override: a resumed sweep covers what it started with.
    o.prefixes = stored.json().value("prefixes", "");
    o.addresses = stored.json().value("addresses", "");
    o.asns = stored.json().value("asn", "");
    stored.text("rib", "rib", o.rib);
    stored.text("policy", "policy", o.policy);
    stored.number("rate", "rate", o.rate);
    stored.number("per-resolver-rate", "per_resolver_rate", o.per_resolver_rate);
    stored.number("pause-every", "pause_every", o.pause_every);
    stored.number("pause", "pause", o.pause_seconds);
    stored.restore(o.dns);
}

// ---- the address plan --------------------------------------------------------------------------

Result<std::vector<std::uint32_t>> parse_asns(const std::string& text) {
    std::vector<std::uint32_t> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto comma = text.find(',', start);
        std::string t = text.substr(start, comma == std::string::npos ? comma : comma - start);
        if (t.size() > 2 && (t[0] == 'A' || t[0] == 'a') && (t[1] == 'S' || t[1] == 's')) {
            t = t.substr(2);
        }
        char* end = nullptr;
        const unsigned long long v = std::strtoull(t.c_str(), &end, 10);
        if (t.empty() || end == nullptr || *end != '\0' || v > 0xffffffffULL) {
            return make_error(ErrorCode::InvalidArgument,
                              "--asn takes AS numbers separated by commas, not '" + t + "'");
        }
        out.push_back(static_cast<std::uint32_t>(v));
        if (comma == std::string::npos) {
            break;
        }
        start = comma + 1;
    }
    return out;
}

struct Plan {
    ptr::AddressPlan plan;
    ptr::ListReport report;
    std::string source;           ///< for the store and messages
    std::string list_name;        ///< the list file (for line messages)
    std::uint64_t v6_skipped = 0; ///< --asn: IPv6 prefixes not enumerated
};

/// The plan of --asn N -m SOURCE: every prefix whose origins include one of the ASes (IPv4;
/// IPv6 prefixes are counted and left out), merged.
Result<Plan> plan_of_asns(const SweepOptions& o) {
    DG_TRY(auto asns, parse_asns(o.asns));
    if (o.rib.empty()) {
        return make_error(ErrorCode::InvalidArgument,
                          "--asn needs a routing table: -m SOURCE (MRT RIB, pfx2as, pyasn .dat)");
    }
    DG_TRY(auto policy, bgp::parse_policy(o.policy));
    bgp::SourceOptions so;
    so.policy = policy;
    so.show_progress = !o.no_progress;
    DG_TRY(auto source, bgp::IpAsnSource::open(o.rib, so));
    const bgp::PrefixTable* table = source.table();
    if (table == nullptr) {
        return make_error(ErrorCode::Unsupported,
                          o.rib + ": a .mmdb cannot list an AS's prefixes; use an MRT dump, a "
                                  "pfx2as or a pyasn .dat file");
    }
    const std::set<std::uint32_t> wanted(asns.begin(), asns.end());
    std::vector<Prefix> prefixes;
    Plan p;
    for (std::size_t i = 0; i < table->size(); ++i) {
        bool match = false;
        for (const auto& origin : table->origins(i)) {
            match = match || wanted.count(origin.asn) != 0;
        }
        if (!match) {
            continue;
        }
        const Prefix& prefix = table->prefix(i);
        if (prefix.family() == IpFamily::V6) {
            ++p.v6_skipped;
            continue;
        }
        ++p.report.entries;
        p.report.listed_addresses += std::uint64_t{1} << (32 - prefix.length());
        prefixes.push_back(prefix);
    }
    p.report.lines = p.report.entries;
    p.plan = ptr::AddressPlan::from_prefixes(prefixes);
    p.source = "AS " + o.asns + " in " + absolute(o.rib);
    return p;
}

Result<Plan> make_plan(const SweepOptions& o) {
    const int sources =
        (o.prefixes.empty() ? 0 : 1) + (o.addresses.empty() ? 0 : 1) + (o.asns.empty() ? 0 : 1);
    if (sources != 1) {
        return make_error(ErrorCode::InvalidArgument,
                          "give exactly one of --prefixes FILE, --addresses FILE or --asn N -m "
                          "SOURCE");
    }
    if (!o.asns.empty()) {
        return plan_of_asns(o);
    }
    const bool prefixes = !o.prefixes.empty();
    const std::string& path = prefixes ? o.prefixes : o.addresses;
    DG_TRY(auto src, io::open(path));
    Plan p;
    p.list_name = path == "-" ? "stdin" : path;
    DG_TRY(p.plan,
           ptr::read_address_list(
               *src, prefixes ? ptr::ListKind::Prefixes : ptr::ListKind::Addresses, p.report));
    p.source = std::string(prefixes ? "prefixes " : "addresses ") + absolute(path);
    return p;
}

void print_plan(const Plan& p, const SweepOptions& o, double effective_rate) {
    for (const auto& problem : p.report.problems) {
        std::fprintf(stderr, "%s:%llu: %s\n", p.list_name.c_str(),
                     static_cast<unsigned long long>(problem.line), problem.reason.c_str());
    }
    if (p.report.invalid > p.report.problems.size()) {
        std::fprintf(stderr, "%s: ... %llu more invalid lines\n", p.list_name.c_str(),
                     static_cast<unsigned long long>(p.report.invalid - p.report.problems.size()));
    }
    std::fprintf(stderr,
                 "domaingraph %s: %s addresses (IPv4 %s, IPv6 %s) from %llu %s (%llu invalid "
                 "lines); %s listed before overlaps were merged\n",
                 kSweep, ptr::with_commas(p.plan.size()).c_str(),
                 ptr::with_commas(p.plan.v4_count()).c_str(),
                 ptr::with_commas(p.plan.v6_count()).c_str(),
                 static_cast<unsigned long long>(p.report.entries),
                 o.addresses.empty() ? "prefixes" : "addresses",
                 static_cast<unsigned long long>(p.report.invalid),
                 ptr::with_commas(p.report.listed_addresses).c_str());
    if (p.v6_skipped > 0) {
        std::fprintf(stderr,
                     "domaingraph %s: %llu IPv6 prefixes of the AS left out (too large to "
                     "enumerate; pass addresses with --addresses)\n",
                     kSweep, static_cast<unsigned long long>(p.v6_skipped));
    }
    if (effective_rate < 0) {
        return; // --dry-run
    }
    if (effective_rate > 0) {
        std::fprintf(stderr, "  at %.0f queries/s: about %s (plus the repair pass%s)\n",
                     effective_rate,
                     duration_text(static_cast<double>(p.plan.size()) / effective_rate).c_str(),
                     o.pause_every > 0 ? " and pauses" : "");
    } else {
        std::fprintf(stderr, "  no rate limit: as fast as the resolvers answer\n");
    }
}

// ---- resolvers -------------------------------------------------------------------------------

/// Sends one query (the PTR of 127.0.0.1) to each resolver; keeps those that answer anything.
std::vector<dns::Endpoint> probe_resolvers(const std::vector<dns::Endpoint>& endpoints,
                                           std::uint32_t sockets) {
    std::vector<dns::Endpoint> alive;
    dns::SteadyClock clock;
    auto transport = dns::UdpTransport::create(std::min<std::uint32_t>(sockets, 4),
                                               any_v4(endpoints), any_v6(endpoints), clock);
    if (!transport) {
        return endpoints;
    }
    for (const auto& e : endpoints) {
        dns::ResolverConfig c;
        c.upstreams = {dns::Upstream{e, 0}};
        c.types = {12};
        c.retries = 1;
        c.timeout = std::chrono::milliseconds(1500);
        c.repair = false;
        c.concurrency = 1;
        auto r = dns::Resolver::create(c, **transport, clock);
        if (!r) {
            continue;
        }
        bool sent = false;
        bool answered = false;
        r->run(
            [&](dns::NameInput& in) {
                if (sent) {
                    return false;
                }
                sent = true;
                in.name = "1.0.0.127.in-addr.arpa";
                return true;
            },
            [&](dns::NameResult&& res) { answered = res.status != dns::Status::Timeout; });
        if (answered) {
            alive.push_back(e);
        } else {
            std::fprintf(stderr,
                         "domaingraph %s: warning: resolver %s did not answer a test query "
                         "(PTR 1.0.0.127.in-addr.arpa); left out\n",
                         kSweep, e.to_string().c_str());
        }
    }
    return alive;
}

// ---- output ----------------------------------------------------------------------------------

class SweepOutput {
public:
    /// Streamed in place (a resumed sweep appends), through the shared `-o` helper, so a FIFO,
    /// device or symlink keeps its type.
    static Result<SweepOutput> open(const std::string& path, ptr::OutputFormat format,
                                    bool append) {
        SweepOutput out;
        out.format_ = format;
        if (path.empty()) {
            return out;
        }
        DG_TRY(out.file_, OutputFile::open(path, append ? OutputFile::Mode::Append
                                                        : OutputFile::Mode::Truncate));
        if (!append || path == "-") {
            out.text_ += ptr::header_of(format);
        }
        return out;
    }
    SweepOutput() = default;
    SweepOutput(SweepOutput&& o) noexcept { *this = std::move(o); }
    SweepOutput& operator=(SweepOutput&& o) noexcept {
        std::swap(file_, o.file_);
        std::swap(text_, o.text_);
        format_ = o.format_;
        return *this;
    }
    SweepOutput(const SweepOutput&) = delete;
    SweepOutput& operator=(const SweepOutput&) = delete;
    ~SweepOutput() {
        flush();
        if (file_ != nullptr) {
            (void)file_->commit();
        }
    }
    void add(const ptr::PtrResult& r) {
        if (file_ == nullptr) {
            return;
        }
        ptr::append_result(text_, format_, r);
        if (text_.size() > (1U << 16)) {
            flush();
        }
    }
    void flush() {
        if (file_ != nullptr && !text_.empty()) {
            (void)file_->write(text_);
            (void)file_->flush();
        }
        text_.clear();
    }

private:
    std::unique_ptr<OutputFile> file_;
    std::string text_;
    ptr::OutputFormat format_ = ptr::OutputFormat::Jsonl;
};

// ---- the report ------------------------------------------------------------------------------

void print_report(const ptr::SweepReport& r, std::int64_t id) {
    const double secs = std::max(1e-9, static_cast<double>(r.dns.elapsed.count()) / 1e9);
    std::fprintf(stderr,
                 "ptr sweep %lld: %llu addresses in %.2f s (%.0f addresses/s, %.0f queries/s)%s\n",
                 static_cast<long long>(id), static_cast<unsigned long long>(r.results), secs,
                 static_cast<double>(r.results) / secs, static_cast<double>(r.dns.queries) / secs,
                 r.interrupted ? ", interrupted" : "");
    if (r.skipped > 0) {
        std::fprintf(stderr, "  %llu addresses were already done (resume)\n",
                     static_cast<unsigned long long>(r.skipped));
    }
    std::fprintf(stderr, "  repair pass: %llu addresses re-queried, %llu recovered%s%s\n",
                 static_cast<unsigned long long>(r.dns.repair_names),
                 static_cast<unsigned long long>(r.dns.repair_recovered),
                 r.dns.repair_skipped > 0
                     ? (", " + std::to_string(r.dns.repair_skipped) +
                        " failed addresses not re-queried (more than " +
                        std::to_string(dns::ResolverConfig{}.repair_hold_limit) + " failures held)")
                           .c_str()
                     : "",
                 r.pauses > 0 ? (", " + std::to_string(r.pauses) + " pauses").c_str() : "");
    std::fputs(ptr::format_status_table(r.table).c_str(), stderr);
    for (const auto& u : r.dns.upstreams) {
        std::fprintf(stderr,
                     "  resolver %s: queries %llu, answers %llu, timeouts %llu, servfail %llu, "
                     "error rate %.2f%%, mean latency %.2f ms%s\n",
                     u.endpoint.to_string().c_str(), static_cast<unsigned long long>(u.queries),
                     static_cast<unsigned long long>(u.answers),
                     static_cast<unsigned long long>(u.timeouts),
                     static_cast<unsigned long long>(u.servfails), u.error_rate * 100.0,
                     static_cast<double>(u.mean_latency.count()) / 1e6,
                     u.benched ? ", BENCHED (error rate over threshold)" : "");
    }
}

// ---- ptr sweep ---------------------------------------------------------------------------------

int run_sweep_command(SweepOptions o) {
    std::unique_ptr<store::Store> opened;
    std::optional<ptr::SweepStore> sweeps;
    if (!o.dry_run || o.resume != 0) {
        auto s = store::Store::open(o.db);
        if (!s) {
            return fail("cannot open the database: " + s.error().message);
        }
        opened = std::move(*s);
        auto ss = ptr::SweepStore::of(*opened);
        if (!ss) {
            return fail(ss.error().message);
        }
        sweeps.emplace(*ss);
    }
    std::optional<ptr::Sweep> resumed;
    if (o.resume != 0) {
        auto s = sweeps->get(o.resume);
        if (!s) {
            return fail(s.error().message);
        }
        if (s->status == "complete") {
            std::fprintf(stderr, "domaingraph %s: sweep %lld is already complete\n", kSweep,
                         static_cast<long long>(o.resume));
            return kExitOk;
        }
        restore_settings(o, s->config);
        resumed = *s;
    }
    auto format = ptr::parse_output_format(o.format);
    if (!format) {
        return fail(format.error().message, kExitUsage);
    }
    auto plan = make_plan(o);
    if (!plan) {
        const ErrorCode c = plan.error().code;
        return fail(plan.error().to_string(),
                    c == ErrorCode::InvalidArgument || c == ErrorCode::ResourceExhausted
                        ? kExitUsage
                        : kExitFailure);
    }
    if (o.dry_run) {
        print_plan(*plan, o, -1);
        std::string text;
        for (const auto& p : plan->plan.prefixes()) {
            text += p.to_string() + "\n";
        }
        return write_output(kSweep, "-", text) ? kExitOk : kExitFailure;
    }
    // Rates: the global limit is shared out over the resolvers (the engine paces each one).
    auto upstreams = gather_upstreams(o.dns);
    if (!upstreams) {
        return fail(upstreams.error().to_string(),
                    upstreams.error().code == ErrorCode::InvalidArgument ? kExitUsage
                                                                         : kExitFailure);
    }
    const auto rate_of = [&](std::size_t n) {
        double per = o.per_resolver_rate;
        if (o.rate > 0) {
            const double share = o.rate / static_cast<double>(std::max<std::size_t>(1, n));
            per = per > 0 ? std::min(per, share) : share;
        }
        return per;
    };
    const double per = rate_of(upstreams->size());
    print_plan(*plan, o, per > 0 ? per * static_cast<double>(upstreams->size()) : 0);
    if (plan->plan.size() == 0) {
        return fail("nothing to sweep: no valid address in the input",
                    plan->report.invalid > 0 ? kExitDataErrors : kExitFailure);
    }
    if (plan->plan.size() > ptr::kConfirmAbove && !o.yes) {
        return fail("refusing to sweep " + ptr::with_commas(plan->plan.size()) +
                        " addresses without confirmation (more than " +
                        ptr::with_commas(ptr::kConfirmAbove) + "): check the list, then add --yes",
                    kExitUsage);
    }
    if (!o.no_probe && upstreams->size() <= 64) {
        auto alive = probe_resolvers(*upstreams, o.dns.sockets);
        if (alive.empty()) {
            return fail("no resolver answered a test query; check --resolver / --resolvers (the "
                        "sweep was not started)");
        }
        *upstreams = std::move(alive);
    }
    ResolverFlags flags = o.dns;
    flags.rate = rate_of(upstreams->size());
    auto config = make_resolver_config(flags, *upstreams);
    if (!config) {
        return fail(config.error().message, kExitUsage);
    }
    auto out = SweepOutput::open(o.output.empty() && isatty(STDOUT_FILENO) == 0 ? "-" : o.output,
                                 *format, resumed.has_value());
    if (!out) {
        return fail("output: " + out.error().message);
    }

    install_stop_handler(on_ptr_signal); // SIGINT, SIGTERM and SIGHUP alike

    std::int64_t id = 0;
    std::optional<ptr::DoneSet> done;
    std::uint64_t previously_done = 0;
    if (resumed) {
        id = resumed->id;
        done.emplace(plan->plan.size());
        auto marked = ptr::mark_stored(*sweeps, id, plan->plan, *done);
        if (!marked) {
            return fail("database: " + marked.error().message);
        }
        previously_done = *marked;
        (void)sweeps->set_running(id);
    } else {
        ptr::NewSweep ns;
        ns.addresses_total = plan->plan.size();
        ns.notes = o.notes;
        ns.source = plan->source;
        ns.config = settings_json(o, *upstreams).dump();
        auto created = sweeps->create(ns);
        if (!created) {
            return fail("database: " + created.error().message);
        }
        id = created->id;
    }
    std::fprintf(stderr,
                 "domaingraph %s: sweep %lld%s (database: %s); rate %s per resolver over %zu "
                 "resolvers, concurrency %u, timeout %u ms, retries %u, repair %s\n",
                 kSweep, static_cast<long long>(id), resumed ? " resumed" : "", opened->backend(),
                 flags.rate > 0
                     ? (std::to_string(static_cast<long long>(flags.rate)) + " q/s").c_str()
                     : "unlimited",
                 upstreams->size(), o.dns.concurrency, o.dns.timeout_ms, o.dns.retries,
                 o.dns.no_repair ? "off" : "on");

    ptr::SweepSettings settings;
    settings.resolver = *config;
    settings.pause_every = o.pause_every;
    settings.pause = std::chrono::duration_cast<dns::Duration>(
        std::chrono::duration<double>(std::max(0.0, o.pause_seconds)));
    dns::SteadyClock clock;
    auto transport =
        dns::UdpTransport::create(o.dns.sockets, any_v4(*upstreams), any_v6(*upstreams), clock);
    if (!transport) {
        return fail(transport.error().message);
    }

    std::uint64_t noerror = 0;
    std::uint64_t failures = 0;
    ptr::StoredSweepHooks hooks;
    hooks.batch = o.batch;
    hooks.on_result = [&](const ptr::PtrResult& r) {
        noerror += r.status == dns::Status::NoError ? 1 : 0;
        failures += r.status == dns::Status::Timeout || r.status == dns::Status::ServFail ? 1 : 0;
    };
    hooks.write_output = [&](std::span<const ptr::PtrResult> batch) {
        for (const auto& r : batch) {
            out->add(r);
        }
        out->flush();
    };
    Progress progress("sweeping", plan->plan.size(), "addresses");
    if (!o.no_progress && progress.enabled()) {
        hooks.progress = [&](const dns::Summary& s, bool pausing) {
            progress.update(previously_done + s.names);
            const double share =
                s.names == 0 ? 0.0
                             : 100.0 * static_cast<double>(noerror) / static_cast<double>(s.names);
            char status[96];
            std::snprintf(status, sizeof status, "%sNOERROR %.1f%% failed %llu",
                          pausing ? "paused, " : "", share,
                          static_cast<unsigned long long>(failures));
            progress.set_status(status);
        };
    }
    auto run = ptr::run_stored_sweep(*sweeps, id, plan->plan, done ? &*done : nullptr, settings,
                                     **transport, clock, g_stop, hooks);
    restore_stop_signals();
    progress.finish();
    if (!run) {
        return fail(run.error().message,
                    run.error().code == ErrorCode::InvalidArgument ? kExitUsage : kExitFailure);
    }
    const ptr::SweepReport* report = &run->report;
    const auto& write_error = run->write_error;
    const bool interrupted = run->status == "interrupted";
    print_report(*report, id);
    const std::string resume_hint = "  domaingraph ptr sweep --resume " + std::to_string(id) +
                                    (o.db.empty() ? "" : " --db " + o.db) + "\n";
    if (write_error) {
        std::fprintf(stderr,
                     "domaingraph %s: cannot store results: %s; what was stored is kept. Resume "
                     "with:\n%s",
                     kSweep, write_error->message.c_str(), resume_hint.c_str());
        return kExitFailure;
    }
    if (interrupted) {
        std::fprintf(stderr,
                     "domaingraph %s: interrupted; finished results are stored. Resume with:\n%s",
                     kSweep, resume_hint.c_str());
        return kExitInterrupted;
    }
    if (report->dns.responses == 0 && report->results > 0) {
        std::fprintf(stderr,
                     "domaingraph %s: no resolver answered a single query: every address is "
                     "stored as TIMEOUT\n",
                     kSweep);
        return kExitFailure;
    }
    return kExitOk;
}

// ---- ptr sweeps list|show, ptr export ---------------------------------------------------------

struct ListOptions {
    std::int64_t id = 0;
    std::string db;
    bool json = false;
    std::string format = "jsonl";
    std::string output = "-";
    std::string status;
};

nlohmann::json sweep_json(const ptr::Sweep& s) {
    nlohmann::json j = {{"id", s.id},
                        {"status", s.status},
                        {"started_at", s.started_at},
                        {"finished_at", s.finished_at ? nlohmann::json(*s.finished_at) : nullptr},
                        {"addresses_total", s.addresses_total},
                        {"addresses_done", s.addresses_done},
                        {"notes", s.notes},
                        {"source", s.source}};
    j["config"] = nlohmann::json::parse(s.config, nullptr, false);
    if (j["config"].is_discarded()) {
        j["config"] = nullptr;
    }
    j["report"] = nlohmann::json::parse(s.report, nullptr, false);
    if (j["report"].is_discarded()) {
        j["report"] = nullptr;
    }
    return j;
}

std::string time_text(std::int64_t t) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

int run_list(const ListOptions& o) {
    auto store = open_store_or_report("ptr sweeps", o.db);
    if (!store) {
        return kExitFailure;
    }
    auto sweeps = ptr::SweepStore::of(*store);
    if (!sweeps) {
        return report_error("ptr sweeps", sweeps.error());
    }
    auto all = sweeps->list();
    if (!all) {
        return report_error("ptr sweeps", all.error());
    }
    std::string text;
    if (o.json) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& s : *all) {
            arr.push_back(sweep_json(s));
        }
        text = arr.dump(2) + "\n";
    } else {
        char line[512];
        std::snprintf(line, sizeof line, "%-5s %-11s %-19s %12s %12s  %s\n", "ID", "STATUS",
                      "STARTED (UTC)", "ADDRESSES", "DONE", "SOURCE / NOTES");
        text += line;
        for (const auto& s : *all) {
            std::snprintf(line, sizeof line, "%-5lld %-11s %-19s %12llu %12llu  %s%s%s\n",
                          static_cast<long long>(s.id), s.status.c_str(),
                          time_text(s.started_at).c_str(),
                          static_cast<unsigned long long>(s.addresses_total),
                          static_cast<unsigned long long>(s.addresses_done), s.source.c_str(),
                          s.notes.empty() ? "" : " / ", s.notes.c_str());
            text += line;
        }
        if (all->empty()) {
            text += "(no PTR sweeps yet: domaingraph ptr sweep --prefixes FILE)\n";
        }
    }
    return write_output("ptr sweeps", "-", text) ? kExitOk : kExitFailure;
}

int run_show(const ListOptions& o) {
    auto store = open_store_or_report("ptr sweeps", o.db);
    if (!store) {
        return kExitFailure;
    }
    auto sweeps = ptr::SweepStore::of(*store);
    if (!sweeps) {
        return report_error("ptr sweeps", sweeps.error());
    }
    auto s = sweeps->get(o.id);
    if (!s) {
        return report_error("ptr sweeps", s.error());
    }
    const nlohmann::json j = sweep_json(*s);
    if (o.json) {
        return write_output("ptr sweeps", "-", j.dump(2) + "\n") ? kExitOk : kExitFailure;
    }
    std::string text = "sweep " + std::to_string(s->id) + " (" + s->status + ")\n";
    text += "  source:    " + s->source + "\n";
    if (!s->notes.empty()) {
        text += "  notes:     " + s->notes + "\n";
    }
    text += "  started:   " + time_text(s->started_at) + " UTC\n";
    if (s->finished_at) {
        text += "  finished:  " + time_text(*s->finished_at) + " UTC\n";
    }
    text += "  addresses: " + ptr::with_commas(s->addresses_done) + " of " +
            ptr::with_commas(s->addresses_total) + " done\n";
    const auto& rep = j["report"];
    if (rep.is_object()) {
        ptr::StatusTable table;
        for (std::size_t i = 0; i < dns::kStatusCount; ++i) {
            const char* name = dns::status_name(static_cast<dns::Status>(i));
            table.main[i] = rep["main_pass"].value(name, std::uint64_t{0});
            table.final[i] = rep["after_repair"].value(name, std::uint64_t{0});
        }
        text += "  last run: " + std::to_string(rep.value("results", 0)) +
                " results, repair pass " + std::to_string(rep.value("repair_names", 0)) +
                " re-queried, " + std::to_string(rep.value("repair_recovered", 0)) + " recovered\n";
        text += ptr::format_status_table(table);
    }
    // counts over the whole sweep
    std::string counts;
    for (std::size_t i = 0; i < dns::kStatusCount; ++i) {
        const std::string name = dns::status_name(static_cast<dns::Status>(i));
        auto n = sweeps->count(s->id, ptr::PtrFilter{name, 0, 0});
        if (n && *n > 0) {
            counts += "  " + name + " " + std::to_string(*n);
        }
    }
    text += "  stored (whole sweep):" + (counts.empty() ? std::string(" none") : counts) + "\n";
    return write_output("ptr sweeps", "-", text) ? kExitOk : kExitFailure;
}

Result<void> export_parquet(ptr::SweepStore& sweeps, std::int64_t id, const ptr::PtrFilter& filter,
                            exports::Output& out) {
    using exports::parquet::Column;
    using exports::parquet::Type;
    exports::parquet::FileWriter w(
        out,
        {Column{"ip", Type::String, false}, Column{"status", Type::String, false},
         Column{"names", Type::String, true}, Column{"name_count", Type::Int32, false},
         Column{"cname", Type::String, true}, Column{"resolver", Type::String, true},
         Column{"attempts", Type::Int32, false}, Column{"queried_at", Type::Int64, false},
         Column{"main_status", Type::String, true}},
        exports::ParquetCodec::Zstd);
    std::optional<Error> failed;
    DG_TRY_VOID(sweeps.results(id, filter, [&](const ptr::PtrResult& r) {
        w.set_string(0, r.ip.to_string());
        w.set_string(1, dns::status_name(r.status));
        std::string names;
        for (const auto& n : r.names) {
            names += names.empty() ? "" : " ";
            names += n;
        }
        if (names.empty()) {
            w.set_null(2);
        } else {
            w.set_string(2, names);
        }
        w.set_int32(3, static_cast<std::int32_t>(r.names.size()));
        if (r.cname.empty()) {
            w.set_null(4);
        } else {
            w.set_string(4, r.cname);
        }
        if (r.resolver.empty()) {
            w.set_null(5);
        } else {
            w.set_string(5, r.resolver);
        }
        w.set_int32(6, static_cast<std::int32_t>(r.attempts));
        w.set_int64(7, r.queried_at);
        if (r.main_status) {
            w.set_string(8, dns::status_name(*r.main_status));
        } else {
            w.set_null(8);
        }
        auto e = w.end_row();
        if (!e) {
            failed = e.error();
            return false;
        }
        return true;
    }));
    if (failed) {
        return *failed;
    }
    return w.close();
}

int run_export(const ListOptions& o) {
    constexpr const char* kName = "ptr export";
    auto store = open_store_or_report(kName, o.db);
    if (!store) {
        return kExitFailure;
    }
    auto sweeps = ptr::SweepStore::of(*store);
    if (!sweeps) {
        return report_error(kName, sweeps.error());
    }
    auto s = sweeps->get(o.id);
    if (!s) {
        return report_error(kName, s.error());
    }
    ptr::PtrFilter filter;
    if (!o.status.empty()) {
        filter.status = o.status;
    }
    auto out = exports::Output::open(o.output.empty() ? "-" : o.output);
    if (!out) {
        return report_error(kName, out.error());
    }
    Result<void> done = ok();
    if (o.format == "parquet") {
        done = export_parquet(*sweeps, s->id, filter, **out);
    } else {
        auto format = ptr::parse_output_format(o.format);
        if (!format) {
            std::fprintf(stderr,
                         "domaingraph %s: unknown format '%s' (jsonl, csv, caida, parquet)\n",
                         kName, o.format.c_str());
            return kExitUsage;
        }
        std::string text(ptr::header_of(*format));
        std::optional<Error> failed;
        done = sweeps->results(s->id, filter, [&](const ptr::PtrResult& r) {
            ptr::append_result(text, *format, r);
            if (text.size() > (1U << 16)) {
                auto w = (*out)->write(text);
                text.clear();
                if (!w) {
                    failed = w.error();
                    return false;
                }
            }
            return true;
        });
        if (done && failed) {
            done = *failed;
        }
        if (done) {
            done = (*out)->write(text);
        }
    }
    if (done) {
        done = (*out)->commit();
    }
    if (!done) {
        return report_error(kName, done.error());
    }
    return kExitOk;
}

} // namespace

void register_ptr_commands(CLI::App& app, Runner& selected) {
    CLI::App& group = subcommand_group(
        app, "ptr", "Reverse DNS: sweep prefixes or ASes for PTR names, list and export sweeps");
    auto opts = std::make_shared<SweepOptions>();
    CLI::App* sweep = group.add_subcommand(
        "sweep", "Query the PTR record of every address of prefixes, of an AS's routed "
                 "prefixes, or of an address list; store one result per address");
    sweep->add_option("--prefixes", opts->prefixes,
                      "File of CIDR prefixes, one per line (IPv4; IPv6 up to /112 addresses); '#' "
                      "comments");
    sweep->add_option("--addresses", opts->addresses,
                      "File of single addresses, one per line (e.g. traceroute hops; IPv6)");
    sweep->add_option("--asn", opts->asns,
                      "Every IPv4 prefix these ASes originate (N[,N...]) in the table of -m");
    sweep->add_option("-m,--rib", opts->rib,
                      "Routing table for --asn: MRT RIB dump, pfx2as, pyasn .dat");
    sweep->add_option("--policy", opts->policy, "Origin policy for MRT dumps: default or pyasn")
        ->check(CLI::IsMember({"default", "pyasn"}))
        ->capture_default_str();
    sweep->add_option("--resolver", opts->dns.resolvers,
                      "Upstream recursive resolver IP[:PORT]; repeatable. Default: "
                      "/etc/resolv.conf");
    sweep->add_option("--resolvers", opts->dns.resolvers_file,
                      "File with one resolver IP[:PORT] per line");
    sweep
        ->add_option("--rate", opts->rate,
                     "Queries per second over all resolvers together (0 = no global limit)")
        ->check(CLI::Range(0.0, 1e7))
        ->capture_default_str();
    sweep
        ->add_option("--per-resolver-rate", opts->per_resolver_rate,
                     "Queries per second to each resolver (0 = no limit)")
        ->check(CLI::Range(0.0, 1e7))
        ->capture_default_str();
    sweep
        ->add_option("--pause-every", opts->pause_every,
                     "Pause after every N addresses (0 = never)")
        ->capture_default_str();
    sweep->add_option("--pause", opts->pause_seconds, "Length of each pause in seconds")
        ->check(CLI::Range(0.0, 86400.0))
        ->capture_default_str();
    opts->dns.concurrency = 200;
    sweep->add_option("-c,--concurrency", opts->dns.concurrency, "Queries in flight at once")
        ->check(CLI::Range(1U, dns::kMaxInFlight))
        ->capture_default_str();
    sweep->add_option("--timeout", opts->dns.timeout_ms, "Per-attempt timeout in milliseconds")
        ->check(CLI::Range(1U, 600000U))
        ->capture_default_str();
    sweep->add_option("--retries", opts->dns.retries, "Retries after the first attempt")
        ->check(CLI::Range(0U, dns::kMaxRetries))
        ->capture_default_str();
    sweep->add_option("--sockets", opts->dns.sockets, "UDP source sockets (random ports)")
        ->check(CLI::Range(1U, dns::kMaxSockets))
        ->capture_default_str();
    sweep
        ->add_option("--bench-threshold", opts->dns.bench_percent,
                     "Bench a resolver whose error rate passes this percentage")
        ->check(CLI::Range(0.0, 100.0))
        ->capture_default_str();
    sweep->add_flag("--no-repair", opts->dns.no_repair,
                    "Skip the pass that re-queries TIMEOUT/SERVFAIL addresses on the healthiest "
                    "resolvers");
    add_db_option(sweep, opts->db);
    sweep->add_option("--notes", opts->notes, "Free text stored with the sweep");
    sweep->add_option("-o,--output", opts->output,
                      "Also write this run's results to FILE ('-' = stdout; default: stdout when "
                      "it is not a terminal)");
    sweep->add_option("--format", opts->format, "Output format: jsonl, csv, caida")
        ->check(CLI::IsMember({"jsonl", "csv", "caida"}))
        ->capture_default_str();
    sweep->add_option("--resume", opts->resume,
                      "Continue sweep ID (interrupted or crashed): stored addresses are kept");
    sweep->add_option("--batch", opts->batch, "Results per database transaction")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100000}))
        ->capture_default_str();
    sweep->add_flag("--yes", opts->yes,
                    "Confirm a sweep of more than 16,777,216 addresses (2^24, a /8)");
    sweep->add_flag("--dry-run", opts->dry_run,
                    "Print the merged prefixes to query (one per line) and the count; send "
                    "nothing");
    sweep->add_flag("--no-probe", opts->no_probe,
                    "Do not test each resolver with one query before the sweep");
    sweep->add_flag("--no-progress", opts->no_progress, "No progress bar on a terminal");
    sweep->footer("\nExamples:\n"
                  "  domaingraph ptr sweep --prefixes nets.txt -o names.jsonl\n"
                  "  domaingraph ptr sweep --asn 64500 -m rib.bz2 --resolvers public.txt "
                  "--format caida -o dns-names.txt\n"
                  "  domaingraph ptr sweep --resume 3            # after Ctrl-C or a crash\n"
                  "Defaults are polite for public resolvers (docs/cli/ptr.md). Exit codes: 0 "
                  "done, 1 failed,\n2 usage (also: too many addresses without --yes), 130 "
                  "interrupted (resumable).");
    sweep->callback([opts, sweep, &selected] {
        selected = [opts, sweep] {
            opts->given = given_options(*sweep);
            return run_sweep_command(*opts);
        };
    });

    auto lo = std::make_shared<ListOptions>();
    CLI::App& sweeps = *group.add_subcommand("sweeps", "Stored PTR sweeps: list, show");
    CLI::App* list = sweeps.add_subcommand("list", "All PTR sweeps, oldest first");
    add_db_option(list, lo->db);
    list->add_flag("--json", lo->json, "JSON array");
    list->callback([lo, &selected] { selected = [lo] { return run_list(*lo); }; });
    CLI::App* show = sweeps.add_subcommand(
        "show", "One sweep: source, settings, progress, the before/after repair status table");
    add_db_option(show, lo->db);
    show->add_option("ID", lo->id, "Sweep id")->required();
    show->add_flag("--json", lo->json, "JSON object");
    show->callback([lo, &selected] { selected = [lo] { return run_show(*lo); }; });

    CLI::App* exp = group.add_subcommand("export", "Write a stored sweep's results");
    add_db_option(exp, lo->db);
    exp->add_option("ID", lo->id, "Sweep id")->required();
    exp->add_option("--format", lo->format, "jsonl, csv, caida or parquet")
        ->check(CLI::IsMember({"jsonl", "csv", "caida", "parquet"}))
        ->capture_default_str();
    exp->add_option("-o,--output", lo->output, "FILE ('-' = stdout)")->capture_default_str();
    exp->add_option("--status", lo->status, "Only results of this status (e.g. NOERROR)");
    exp->callback([lo, &selected] { selected = [lo] { return run_export(*lo); }; });
    group.footer("Details: docs/cli/ptr.md\n");
}

} // namespace dg::cli
