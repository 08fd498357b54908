// Distributed scans (issue 17, docs/cli/distributed.md): `scan --distributed` stores the
// shards, `worker` leases and runs them, `scans progress` and `scans retry-failed` follow and
// repair them. Thin: the coordination statements are in src/dg/shards/.
#include "dg/bgp/table_sources.hpp"
#include "dg/cli/commands.hpp"
#include "dg/cli/exit_codes.hpp"
#include "dg/cli/scan_options.hpp"
#include "dg/cli/scan_ref.hpp"
#include "dg/cli/store_access.hpp"
#include "dg/core/retry.hpp"
#include "dg/core/stop_signals.hpp"
#include "dg/dns/udp_transport.hpp"
#include "dg/org/org_table.hpp"
#include "dg/scan/scan.hpp"
#include "dg/shards/lake.hpp"
#include "dg/shards/shards.hpp"
#include "dg/store/store.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <unistd.h>

namespace dg::cli {
namespace {

std::atomic<bool> g_worker_stop{false};
extern "C" void on_worker_signal(int) {
    g_worker_stop.store(true);
}

model::UnixTime now_s() {
    return static_cast<model::UnixTime>(std::time(nullptr));
}

int fail_as(const char* command, const std::string& message, int code = kExitFailure) {
    std::fprintf(stderr, "domaingraph %s: %s\n", command, message.c_str());
    return code;
}

// ---- scan --distributed -----------------------------------------------------------------

/// Follows a distributed scan until it is no longer running (stderr, once a second).
int wait_for_scan(shards::Coordinator& coord, std::int64_t scan_id) {
    install_stop_handler(on_worker_signal);
    std::string last;
    for (;;) {
        auto p = coord.progress(scan_id, now_s());
        if (!p) {
            restore_stop_signals();
            return fail_as("scan", p.error().to_string());
        }
        std::string line = p->to_text();
        line = line.substr(0, line.find('\n'));
        if (line != last) {
            std::fprintf(stderr, "%s\n", line.c_str());
            last = line;
        }
        if (p->status != "running") {
            restore_stop_signals();
            return p->status == "complete" ? kExitOk : kExitFailure;
        }
        if (g_worker_stop.load()) {
            restore_stop_signals();
            std::fprintf(stderr,
                         "domaingraph scan: no longer following scan %lld (it goes on "
                         "while workers run)\n",
                         static_cast<long long>(scan_id));
            return kExitInterrupted;
        }
        std::this_thread::sleep_for(std::chrono::seconds(1));
    }
}

} // namespace

int run_distributed_scan_command(const ScanOptions& given) {
    ScanOptions o = given;
    auto opened = store::Store::open(o.db);
    if (!opened) {
        return fail_as("scan", "database: " + opened.error().to_string());
    }
    auto coord = shards::Coordinator::of(**opened);
    if (!coord) {
        return fail_as("scan", coord.error().message, kExitUsage);
    }
    if (o.rib.empty()) {
        o.rib = newest_fetched_rib();
        if (o.rib.empty()) {
            return fail_as("scan",
                           "no routing table: give -m RIB (workers read it from the same path, "
                           "or each gives its own with -m)",
                           kExitUsage);
        }
    }
    auto upstreams = gather_upstreams(o.dns);
    if (!upstreams) {
        return fail_as("scan", upstreams.error().to_string(), kExitUsage);
    }
    auto input = scan::DomainInput::open(o.domains);
    if (!input) {
        return fail_as("scan", "domain list: " + input.error().to_string());
    }
    store::NewScan ns;
    ns.notes = o.notes;
    ns.rib_path = absolute(o.rib);
    nlohmann::json config = settings_json(o, *upstreams);
    config["distributed"] = {{"max_attempts", o.max_attempts}};
    if (!o.output.empty()) {
        if (!o.output.starts_with("lake:") || o.output.size() == 5) {
            return fail_as("scan",
                           "--distributed writes its results to the database, or with "
                           "--output lake:DIR as Parquet files under DIR (a path every "
                           "worker host shares); not to '" +
                               o.output + "'",
                           kExitUsage);
        }
        config["distributed"]["lake"] = absolute(o.output.substr(5));
    }
    ns.config_json = config.dump();
    shards::ShardingOptions so;
    so.shards = o.shards;
    so.shard_size = o.shard_size;
    so.max_attempts = o.max_attempts;
    auto created = shards::create_scan(**opened, ns, *input, so);
    if (!created) {
        return fail_as("scan", created.error().to_string(),
                       created.error().code == ErrorCode::InvalidArgument ? kExitDataErrors
                                                                          : kExitFailure);
    }
    if (created->input_error) {
        return fail_as("scan",
                       "domain list damaged: " + created->input_error->to_string() +
                           " (nothing stored: a distributed scan needs the whole list)",
                       kExitDataErrors);
    }
    std::fprintf(stderr,
                 "domaingraph scan: scan %lld: %llu names in %u shards (%llu invalid, %llu "
                 "duplicates skipped); start `domaingraph worker --db URL` on any host\n",
                 static_cast<long long>(created->scan_id),
                 static_cast<unsigned long long>(created->names), created->shards,
                 static_cast<unsigned long long>(created->input.invalid),
                 static_cast<unsigned long long>(created->input.duplicates));
    std::printf("%lld\n", static_cast<long long>(created->scan_id));
    std::fflush(stdout);
    return o.wait ? wait_for_scan(*coord, created->scan_id) : kExitOk;
}

namespace {

// ---- worker -----------------------------------------------------------------------------

struct WorkerOptions {
    std::string db;
    std::string lake;      ///< this host's path of the scan's lake directory (default: the scan's)
    std::int64_t scan = 0; ///< 0: any running distributed scan
    std::int64_t lease_s = 30;
    std::string id;
    std::uint32_t max_shards = 0; ///< 0: no limit
    bool follow = false;          ///< wait for new scans instead of exiting when idle
    ScanOptions scan_options;     ///< overrides of the scan's stored settings (-m, --resolver ...)
};

/// What a worker needs to run the shards of one scan: its settings, routing table,
/// organisations and a transport to its resolvers.
struct ScanTools {
    ScanOptions options;
    std::unique_ptr<bgp::IpAsnSource> table;
    std::optional<org::OrgTable> orgs;
    std::unique_ptr<rpki::VrpIndex> vrps;
    std::optional<geo::Database> geo;
    std::unique_ptr<scan::AddressMapper> mapper;
    dns::ResolverConfig resolver;
    dns::SteadyClock clock;
    std::unique_ptr<dns::Transport> transport;
    /// Lake mode: the directory the shards' Parquet files go to ("" = results in the database),
    /// and a private SQLite file the scan engine writes each shard to before it becomes a file.
    std::string lake;
    model::UnixTime scan_started = 0;
    std::string scratch_path;
    std::unique_ptr<store::Store> scratch;
    ScanTools() = default;
    ScanTools(const ScanTools&) = delete;
    ScanTools& operator=(const ScanTools&) = delete;
    ~ScanTools() {
        scratch.reset();
        if (!scratch_path.empty()) {
            for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
                std::remove((scratch_path + suffix).c_str());
            }
        }
    }
};

Result<std::unique_ptr<ScanTools>> load_tools(const WorkerOptions& w, const model::Scan& scan) {
    auto tools = std::make_unique<ScanTools>();
    ScanOptions& o = tools->options;
    o = w.scan_options;
    restore_settings(o, scan.config_json);
    if (o.rib.empty()) {
        o.rib = scan.rib_path;
    }
    DG_TRY(auto policy, bgp::parse_policy(o.policy));
    DG_TRY(auto upstreams, gather_upstreams(o.dns));
    DG_TRY(tools->resolver, make_resolver_config(o.dns, upstreams));
    bgp::SourceOptions so;
    so.policy = policy;
    so.show_progress = false;
    DG_TRY(auto table, bgp::IpAsnSource::open(o.rib, so));
    tools->table = std::make_unique<bgp::IpAsnSource>(std::move(table));
    if (!o.as2org.empty()) {
        DG_TRY(auto orgs, org::OrgTable::load(o.as2org));
        tools->orgs.emplace(std::move(orgs));
    }
    if (!o.vrps.path.empty()) {
        tools->vrps = load_vrp_index(o.vrps, "domaingraph worker", true);
        if (!tools->vrps) {
            return make_error(ErrorCode::InvalidArgument, "cannot load the VRPs " + o.vrps.path);
        }
    }
    if (!o.geo.empty()) {
        DG_TRY(tools->geo, geo::Database::open(o.geo));
    }
    tools->mapper = std::make_unique<scan::AddressMapper>(
        *tools->table, scan::org_namer(tools->orgs ? &*tools->orgs : nullptr), tools->vrps.get(),
        tools->geo ? &*tools->geo : nullptr);
    DG_TRY(tools->transport, dns::UdpTransport::create(o.dns.sockets, any_v4(upstreams),
                                                       any_v6(upstreams), tools->clock));
    tools->lake = w.lake.empty() ? shards::stored_lake_dir(scan.config_json) : absolute(w.lake);
    tools->scan_started = scan.started_at;
    if (!tools->lake.empty()) {
        std::error_code ec;
        const auto tmp = std::filesystem::temp_directory_path(ec);
        tools->scratch_path = (tmp / ("domaingraph-worker-" + std::to_string(::getpid()) + "-" +
                                      std::to_string(scan.id) + ".db"))
                                  .string();
        DG_TRY(tools->scratch, store::Store::open("sqlite://" + tools->scratch_path));
    }
    return tools;
}

std::string make_worker_id(const std::string& host) {
    std::random_device rd;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%06x", rd() & 0xFFFFFFU);
    return host + ":" + std::to_string(::getpid()) + ":" + buf;
}

std::string host_name() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0) {
        return "unknown";
    }
    return buf;
}

/// Extends the lease every lease/3 on a connection of its own while the shard runs; sets `stop`
/// when the lease is lost or the worker is asked to stop.
class Heartbeat {
public:
    Heartbeat(shards::Coordinator& coord, const std::string& worker_id, shards::Lease lease,
              std::int64_t lease_s, std::atomic<bool>& stop)
        : thread_([this, &coord, worker_id, lease, lease_s, &stop] {
              auto next = std::chrono::steady_clock::now();
              const auto every =
                  std::chrono::milliseconds(std::max<std::int64_t>(200, lease_s * 1000 / 3));
              std::unique_lock lock(mutex_);
              while (!done_) {
                  if (g_worker_stop.load()) {
                      stop.store(true);
                  }
                  if (std::chrono::steady_clock::now() >= next) {
                      next += every;
                      auto held = coord.heartbeat(lease, lease_s, now_s());
                      (void)coord.worker_heartbeat(worker_id, lease, now_s());
                      if (held && !*held) {
                          lost_ = true;
                          stop.store(true);
                      }
                  }
                  wake_.wait_for(lock, std::chrono::milliseconds(100));
              }
          }) {}
    ~Heartbeat() {
        {
            const std::lock_guard lock(mutex_);
            done_ = true;
        }
        wake_.notify_all();
        thread_.join();
    }
    Heartbeat(const Heartbeat&) = delete;
    Heartbeat& operator=(const Heartbeat&) = delete;
    [[nodiscard]] bool lost() {
        const std::lock_guard lock(mutex_);
        return lost_;
    }

private:
    std::mutex mutex_;
    std::condition_variable wake_;
    bool done_ = false;
    bool lost_ = false;
    std::thread thread_;
};

/// Test fault points (docs/cli/distributed.md, "Fault injection"): DG_FAULT_FAIL_SHARD=K
/// makes every attempt at shard K fail; DG_FAULT_CRASH_BEFORE_COMPLETE=K kills the worker
/// (exit 137, like kill -9) after shard K's results are written and before it is marked done.
bool fault_matches(const char* variable, std::int64_t shard_no) {
    const char* v = std::getenv(variable);
    return v != nullptr && *v != '\0' && std::atoll(v) == shard_no;
}

enum class ShardOutcome { Done, LeaseLost, Failed, Stopped };

/// How long a worker rides out an unavailable database (a primary switch) before it gives a
/// shard up: its writes keep their batch and its coordination calls are tried again meanwhile.
constexpr std::chrono::seconds kFailoverBudget{60};

/// `call()` again while the database is unavailable, for up to kFailoverBudget (or until the
/// worker is asked to stop).
template <class Call> auto retrying(Call call) {
    return retry_while_unavailable(std::move(call), kFailoverBudget, &g_worker_stop);
}

/// What a worker did, printed as one JSON line on stdout when it exits (bench/distributed and
/// the scaling test read it): shards and names done, wall time from its first claim to its
/// last completion, and the time spent coordinating (claims, reading names, completions).
struct WorkerStats {
    std::uint64_t shards_done = 0;
    std::uint64_t names = 0;
    std::uint64_t queries = 0;
    std::uint64_t lease_lost = 0;
    std::uint64_t failed = 0;
    std::int64_t first_claim_ms = 0; ///< Unix time in ms (0: never claimed)
    std::int64_t last_done_ms = 0;
    double shard_s = 0;  ///< wall time of the shards done, claim to completion
    double claim_s = 0;  ///< of which claiming
    double names_s = 0;  ///< reading the shard's names
    double commit_s = 0; ///< completing (marking done)
    [[nodiscard]] std::string to_json(const std::string& worker_id) const {
        return nlohmann::ordered_json{{"worker", worker_id},
                                      {"shards_done", shards_done},
                                      {"names", names},
                                      {"queries", queries},
                                      {"lease_lost", lease_lost},
                                      {"failed", failed},
                                      {"first_claim_ms", first_claim_ms},
                                      {"last_done_ms", last_done_ms},
                                      {"shard_s", shard_s},
                                      {"claim_s", claim_s},
                                      {"names_s", names_s},
                                      {"commit_s", commit_s}}
                   .dump() +
               '\n';
    }
};

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

std::int64_t unix_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

ShardOutcome run_shard(const WorkerOptions& w, const std::string& worker_id, store::Store& results,
                       shards::Coordinator& coord, shards::Coordinator& beat,
                       const shards::Lease& lease, ScanTools& tools, WorkerStats& stats) {
    auto fail_shard = [&](const std::string& why) {
        std::fprintf(stderr, "domaingraph worker: shard %lld of scan %lld (attempt %lld): %s\n",
                     static_cast<long long>(lease.shard_no), static_cast<long long>(lease.scan_id),
                     static_cast<long long>(lease.attempt), why.c_str());
        (void)retrying([&] { return coord.release(lease, why, now_s()); });
        ++stats.failed;
        return ShardOutcome::Failed;
    };
    if (fault_matches("DG_FAULT_FAIL_SHARD", lease.shard_no)) {
        return fail_shard("injected failure (DG_FAULT_FAIL_SHARD)");
    }
    const auto reading = std::chrono::steady_clock::now();
    auto names = retrying([&] { return coord.names(lease); });
    if (!names) {
        return fail_shard(names.error().to_string());
    }
    const double names_s = seconds_since(reading);
    // The scan's rate is a global budget: this worker's share of it. A --rate given to the
    // worker is this worker's own cap instead. Live workers beat every third of their lease;
    // one silent for a whole lease is dead (its shard is up for takeover) and gets no share,
    // so survivors speed up and take killed workers' shards over sooner.
    scan::ScanSettings settings;
    settings.resolver = tools.resolver;
    if (tools.options.dns.rate > 0 && tools.options.given.count("rate") == 0) {
        const auto active = coord.active_workers(lease.scan_id, w.lease_s, now_s());
        const double share = tools.options.dns.rate / static_cast<double>(active ? *active : 1);
        for (auto& u : settings.resolver.upstreams) {
            u.rate_qps = share;
        }
    }
    settings.repair = !tools.options.dns.no_repair;
    settings.batch_size = tools.options.batch;
    settings.part_of_scan = true;
    auto input = scan::DomainInput::from_names(std::move(*names));
    std::atomic<bool> stop{false};
    // Database mode: results go to the scan, each batch fenced by the lease. Lake mode: to a
    // scratch scan in the worker's private SQLite file, and from there (each name once, as it
    // is committed) into the attempt's Parquet file; the completion is what is fenced.
    store::Store* target = &results;
    std::int64_t target_scan = lease.scan_id;
    scan::ScanHooks hooks;
    std::unique_ptr<shards::LakeShardWriter> lake;
    std::optional<Error> lake_error;
    if (!tools.lake.empty()) {
        auto opened = shards::LakeShardWriter::open(tools.lake, tools.scan_started, lease);
        if (!opened) {
            return fail_shard(opened.error().to_string());
        }
        lake = std::move(*opened);
        store::NewScan scratch;
        scratch.notes = "shard " + std::to_string(lease.shard_no) + " of distributed scan " +
                        std::to_string(lease.scan_id);
        auto scratch_scan = tools.scratch->create_scan(scratch);
        if (!scratch_scan) {
            return fail_shard(scratch_scan.error().to_string());
        }
        target = tools.scratch.get();
        target_scan = scratch_scan->id;
        hooks.on_stored = [&](const model::DomainResult& r) {
            if (lake_error) {
                return;
            }
            if (auto written = lake->write(r); !written) {
                lake_error = written.error();
                stop.store(true);
            }
        };
    } else {
        results.set_write_fence(lease.fence());
    }
    Result<scan::ScanReport> report = make_error(ErrorCode::Internal, "not run");
    bool lost = false;
    {
        Heartbeat heartbeat(beat, worker_id, lease, w.lease_s, stop);
        report = scan::run_scan(*target, target_scan, input, *tools.mapper, settings,
                                *tools.transport, tools.clock, hooks, &stop);
        lost = heartbeat.lost();
    }
    results.set_write_fence(std::nullopt);
    if (lake) {
        (void)tools.scratch->delete_scan(target_scan);
    }
    if (lake_error) {
        return fail_shard("lake: " + lake_error->to_string());
    }
    if (lost || (!report && report.error().code == ErrorCode::Conflict)) {
        ++stats.lease_lost;
        std::fprintf(stderr,
                     "domaingraph worker: lost the lease of shard %lld of scan %lld (attempt "
                     "%lld): another worker took it over; its writes were refused\n",
                     static_cast<long long>(lease.shard_no), static_cast<long long>(lease.scan_id),
                     static_cast<long long>(lease.attempt));
        return ShardOutcome::LeaseLost;
    }
    if (!report) {
        return fail_shard(report.error().to_string());
    }
    if (report->interrupted || g_worker_stop.load()) {
        (void)coord.release(lease, "worker stopped", now_s());
        return ShardOutcome::Stopped;
    }
    std::optional<shards::ShardOutput> output;
    if (lake) {
        auto committed = lake->commit(); // fsync + rename; the manifest row comes next
        if (!committed) {
            return fail_shard("lake: " + committed.error().to_string());
        }
        output = std::move(*committed);
    }
    if (fault_matches("DG_FAULT_CRASH_BEFORE_COMPLETE", lease.shard_no)) {
        std::fflush(stderr);
        std::_Exit(137);
    }
    const auto completing = std::chrono::steady_clock::now();
    // A completion whose answer was lost in a primary switch may have committed: tried again,
    // it finds the shard no longer leased and reports the lease lost (the shard is done).
    auto done =
        retrying([&] { return coord.complete(lease, now_s(), output ? &*output : nullptr); });
    if (!done) {
        return fail_shard(done.error().to_string());
    }
    if (!*done) {
        ++stats.lease_lost;
        return ShardOutcome::LeaseLost;
    }
    stats.commit_s += seconds_since(completing);
    stats.names_s += names_s;
    stats.names += static_cast<std::uint64_t>(lease.names_total);
    stats.queries += report->dns.queries;
    stats.last_done_ms = unix_ms();
    std::fprintf(stderr,
                 "domaingraph worker: shard %lld of scan %lld done (attempt %lld, %lld "
                 "names, %llu queries)\n",
                 static_cast<long long>(lease.shard_no), static_cast<long long>(lease.scan_id),
                 static_cast<long long>(lease.attempt), static_cast<long long>(lease.names_total),
                 static_cast<unsigned long long>(report->dns.queries));
    return ShardOutcome::Done;
}

/// Whether any running scan (or `scan_id`) still has a shard pending or leased.
Result<bool> work_left(store::Store& store, shards::Coordinator& coord, std::int64_t scan_id) {
    if (scan_id != 0) {
        DG_TRY(const auto open, coord.open_shards(scan_id));
        return open > 0;
    }
    DG_TRY(const auto scans, store.list_scans());
    for (const auto& s : scans) {
        if (s.status == model::ScanStatus::Running) {
            DG_TRY(const auto open, coord.open_shards(s.id));
            if (open > 0) {
                return true;
            }
        }
    }
    return false;
}

int run_worker(const WorkerOptions& w) {
    // three connections: results (the scan's store thread), claims, heartbeats
    auto results = store::Store::open(w.db);
    if (!results) {
        return fail_as("worker", "database: " + results.error().to_string());
    }
    auto claims = store::Store::open(w.db);
    auto beats = store::Store::open(w.db);
    if (!claims || !beats) {
        return fail_as("worker",
                       "database: " + (claims ? beats.error() : claims.error()).to_string());
    }
    auto coord = shards::Coordinator::of(**claims);
    auto beat = shards::Coordinator::of(**beats);
    if (!coord || !beat) {
        return fail_as("worker", coord ? beat.error().message : coord.error().message, kExitUsage);
    }
    if (w.scan != 0) {
        auto distributed = coord->is_distributed(w.scan);
        if (!distributed || !*distributed) {
            return fail_as("worker",
                           distributed
                               ? "scan " + std::to_string(w.scan) + " is not a distributed scan"
                               : distributed.error().to_string(),
                           kExitUsage);
        }
    }
    shards::WorkerInfo info;
    info.host = host_name();
    info.id = w.id.empty() ? make_worker_id(info.host) : w.id;
    info.pid = ::getpid();
    info.version = "domaingraph";
    info.lease_s = w.lease_s;
    if (auto r = coord->register_worker(info, now_s()); !r) {
        return fail_as("worker", r.error().to_string());
    }
    std::fprintf(stderr, "domaingraph worker %s: waiting for shards (lease %lld s)\n",
                 info.id.c_str(), static_cast<long long>(w.lease_s));
    install_stop_handler(on_worker_signal);
    (*results)->set_retry_unavailable(kFailoverBudget);
    std::map<std::int64_t, std::unique_ptr<ScanTools>> tools;
    WorkerStats stats;
    std::uint32_t shards_done = 0;
    int exit_code = kExitOk;
    while (!g_worker_stop.load() && (w.max_shards == 0 || shards_done < w.max_shards)) {
        const auto claiming = std::chrono::steady_clock::now();
        auto lease = coord->claim(w.scan != 0 ? std::optional(w.scan) : std::nullopt, info.id,
                                  w.lease_s, now_s());
        if (!lease) {
            // the database may be switching primaries: the next statement reconnects
            std::fprintf(stderr, "domaingraph worker: %s; retrying\n",
                         lease.error().to_string().c_str());
            std::this_thread::sleep_for(std::chrono::seconds(1));
            continue;
        }
        if (!*lease) {
            (void)coord->worker_heartbeat(info.id, std::nullopt, now_s());
            auto left = work_left(**claims, *coord, w.scan);
            if (left && !*left && !w.follow) {
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(500));
            continue;
        }
        const double claim_s = seconds_since(claiming); // the scan's tools load once, apart
        auto& t = tools[(*lease)->scan_id];
        if (!t) {
            auto scan = claims.value()->get_scan((*lease)->scan_id);
            auto loaded =
                scan ? load_tools(w, *scan) : Result<std::unique_ptr<ScanTools>>(scan.error());
            if (!loaded) {
                (void)coord->release(
                    **lease, "worker cannot run the scan: " + loaded.error().to_string(), now_s());
                exit_code = fail_as("worker", loaded.error().to_string());
                break;
            }
            t = std::move(*loaded);
        }
        if (stats.first_claim_ms == 0) {
            stats.first_claim_ms = unix_ms() - static_cast<std::int64_t>(claim_s * 1000);
        }
        const auto started = std::chrono::steady_clock::now();
        const ShardOutcome outcome =
            run_shard(w, info.id, **results, *coord, *beat, **lease, *t, stats);
        if (outcome == ShardOutcome::Done) {
            ++shards_done;
            ++stats.shards_done;
            stats.claim_s += claim_s;
            stats.shard_s += claim_s + seconds_since(started);
        }
        if (outcome == ShardOutcome::Stopped) {
            exit_code = kExitInterrupted;
            break;
        }
    }
    restore_stop_signals();
    (void)coord->remove_worker(info.id);
    const std::string summary = stats.to_json(info.id);
    std::fwrite(summary.data(), 1, summary.size(), stdout);
    std::fflush(stdout);
    if (g_worker_stop.load()) {
        return kExitInterrupted;
    }
    if (exit_code == kExitOk && w.scan != 0) {
        auto scan = claims.value()->get_scan(w.scan);
        if (scan && scan->status == model::ScanStatus::Failed) {
            std::fprintf(stderr, "domaingraph worker: scan %lld failed: %s\n",
                         static_cast<long long>(w.scan), scan->status_detail.c_str());
            return kExitDataErrors;
        }
    }
    return exit_code;
}

// ---- scans progress | retry-failed --------------------------------------------------------

struct ProgressOptions {
    std::string db;
    std::string scan;
    bool json = false;
    std::string lake; ///< scans gc: the lake directory on this host (default: the scan's)
    bool dry_run = false;
};

/// The store, the scan and a coordinator for a `scans` subcommand on a distributed scan; the
/// exit code when one of them is not there.
struct DistributedScanAccess {
    std::unique_ptr<store::Store> store;
    std::optional<shards::Coordinator> coord;
    model::Scan scan;
    int failed = -1; ///< an exit code, or -1
};

DistributedScanAccess open_distributed(const char* command, const ProgressOptions& o) {
    DistributedScanAccess a;
    auto store = open_store_or_report(command, o.db);
    if (!store) {
        a.failed = kExitFailure;
        return a;
    }
    a.store = std::move(store);
    auto id = resolve_scan_ref(*a.store, o.scan);
    if (!id) {
        a.failed = report_error(command, id.error());
        return a;
    }
    auto coord = shards::Coordinator::of(*a.store);
    if (!coord) {
        a.failed = fail_as(command, coord.error().message, kExitUsage);
        return a;
    }
    a.coord.emplace(std::move(*coord));
    auto scan = a.store->get_scan(*id);
    if (!scan) {
        a.failed = report_error(command, scan.error());
        return a;
    }
    a.scan = std::move(*scan);
    return a;
}

int run_manifest(const ProgressOptions& o) {
    auto a = open_distributed("scans manifest", o);
    if (a.failed >= 0) {
        return a.failed;
    }
    auto entries = a.coord->manifest(a.scan.id);
    if (!entries) {
        return report_error("scans manifest", entries.error());
    }
    for (const shards::ManifestEntry& e : *entries) {
        nlohmann::json j = {{"scan_id", a.scan.id},
                            {"shard", e.shard_no},
                            {"attempt", e.attempt},
                            {"uri", e.output.uri},
                            {"rows", e.output.rows},
                            {"sha256", e.output.sha256},
                            {"stats", nlohmann::json::parse(e.output.stats_json, nullptr, false)}};
        const std::string line = j.dump() + "\n";
        std::fwrite(line.data(), 1, line.size(), stdout);
    }
    return kExitOk;
}

int run_gc(const ProgressOptions& o) {
    auto a = open_distributed("scans gc", o);
    if (a.failed >= 0) {
        return a.failed;
    }
    const std::string lake =
        o.lake.empty() ? shards::stored_lake_dir(a.scan.config_json) : absolute(o.lake);
    if (lake.empty()) {
        return fail_as("scans gc",
                       "scan " + std::to_string(a.scan.id) +
                           " is not a lake scan (its results are in the database)",
                       kExitUsage);
    }
    auto report = shards::collect_garbage(*a.coord, lake, a.scan, o.dry_run);
    if (!report) {
        return report_error("scans gc", report.error());
    }
    for (const std::string& path : report->removed) {
        std::printf("%s\n", path.c_str());
    }
    std::fprintf(stderr, "domaingraph scans gc: %s %zu orphan file%s of scan %lld; %llu kept\n",
                 o.dry_run ? "would remove" : "removed", report->removed.size(),
                 report->removed.size() == 1 ? "" : "s", static_cast<long long>(a.scan.id),
                 static_cast<unsigned long long>(report->kept));
    return kExitOk;
}

int run_progress(const ProgressOptions& o) {
    auto store = open_store_or_report("scans progress", o.db);
    if (!store) {
        return kExitFailure;
    }
    auto id = resolve_scan_ref(*store, o.scan);
    if (!id) {
        return report_error("scans progress", id.error());
    }
    auto coord = shards::Coordinator::of(*store);
    if (!coord) {
        return fail_as("scans progress", coord.error().message, kExitUsage);
    }
    auto p = coord->progress(*id, now_s());
    if (!p) {
        return report_error("scans progress", p.error());
    }
    const std::string text = o.json ? p->to_json() + "\n" : p->to_text();
    std::fwrite(text.data(), 1, text.size(), stdout);
    return kExitOk;
}

int run_retry_failed(const ProgressOptions& o) {
    auto store = open_store_or_report("scans retry-failed", o.db);
    if (!store) {
        return kExitFailure;
    }
    auto id = resolve_scan_ref(*store, o.scan);
    if (!id) {
        return report_error("scans retry-failed", id.error());
    }
    auto coord = shards::Coordinator::of(*store);
    if (!coord) {
        return fail_as("scans retry-failed", coord.error().message, kExitUsage);
    }
    auto n = coord->retry_failed(*id);
    if (!n) {
        return report_error("scans retry-failed", n.error());
    }
    std::fprintf(stderr,
                 "domaingraph scans retry-failed: %llu failed shard%s of scan %lld pending again "
                 "(workers take them)\n",
                 static_cast<unsigned long long>(*n), *n == 1 ? "" : "s",
                 static_cast<long long>(*id));
    return kExitOk;
}

} // namespace

void register_worker_command(CLI::App& app, Runner& selected) {
    auto w = std::make_shared<WorkerOptions>();
    CLI::App* cmd = app.add_subcommand(
        "worker", "Run the shards of distributed scans (scan --distributed) from PostgreSQL: "
                  "claim a shard, resolve, map, write (fenced by the lease), complete, repeat");
    cmd->add_option("--db", w->db,
                    "PostgreSQL URL (multi-host with target_session_attrs=read-write "
                    "for failover)")
        ->required();
    cmd->add_option("--scan", w->scan, "Only shards of scan ID (default: any running one)");
    cmd->add_option("--lease", w->lease_s,
                    "Lease in seconds: a shard whose worker stops heartbeating is taken over "
                    "after this long")
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{3600}))
        ->capture_default_str();
    cmd->add_option("--id", w->id, "Worker id (default host:pid:random)");
    cmd->add_option("--max-shards", w->max_shards, "Exit after this many shards");
    cmd->add_flag("--follow", w->follow,
                  "Wait for new distributed scans instead of exiting when nothing is left");
    cmd->add_option("-m,--rib", w->scan_options.rib,
                    "Routing table on this host (default: the scan's stored path)");
    cmd->add_option("--as2org", w->scan_options.as2org,
                    "AS-organisation file on this host (default: the scan's)");
    cmd->add_option("--vrps", w->scan_options.vrps.path,
                    "VRP file on this host (default: the scan's --vrps)");
    cmd->add_option("--lake", w->lake,
                    "Lake scans: the lake directory as mounted on this host (default: the "
                    "path the scan was created with)");
    add_resolver_flags(*cmd, w->scan_options.dns);
    cmd->footer("The scan's stored settings (resolvers, rate, table, as2org) apply unless given "
                "here.\nThe scan's --rate is a global budget in queries/s, shared among the "
                "active workers; --rate given here caps this worker alone.\nOn exit the "
                "worker prints one JSON line on stdout: shards and names done, wall time and "
                "time spent claiming and completing.\nExit codes: 0 nothing left, 1 error, 2 "
                "usage, 3 the scan "
                "failed (a shard used up its attempts), 130 stopped.\nDetails: "
                "docs/cli/distributed.md");
    cmd->callback([w, cmd, &selected] {
        selected = [w, cmd] {
            w->scan_options.given = given_options(*cmd);
            return run_worker(*w);
        };
    });
}

void register_distributed_scans_commands(CLI::App& scans, Runner& selected) {
    auto o = std::make_shared<ProgressOptions>();
    CLI::App* progress = scans.add_subcommand(
        "progress", "A distributed scan's progress: shards by state, names done, rate, ETA, "
                    "workers and their heartbeat age");
    progress->add_option("ID", o->scan, kScanRefHelp)->required();
    progress->add_option("--db", o->db, "PostgreSQL URL");
    progress->add_flag("--json", o->json,
                       "JSON {scan_id, status, names_total, names_done, shards {pending, "
                       "leased, done, failed}, rate_per_s, eta_s, workers [...]}");
    progress->callback([o, &selected] { selected = [o] { return run_progress(*o); }; });
    CLI::App* retry = scans.add_subcommand("retry-failed",
                                           "Make a distributed scan's failed shards pending again");
    retry->add_option("ID", o->scan, kScanRefHelp)->required();
    retry->add_option("--db", o->db, "PostgreSQL URL");
    retry->callback([o, &selected] { selected = [o] { return run_retry_failed(*o); }; });
    CLI::App* manifest = scans.add_subcommand(
        "manifest", "A lake scan's committed Parquet files, one JSON line per shard: {scan_id, "
                    "shard, attempt, uri, rows, sha256, stats}");
    manifest->add_option("ID", o->scan, kScanRefHelp)->required();
    manifest->add_option("--db", o->db, "PostgreSQL URL");
    manifest->callback([o, &selected] { selected = [o] { return run_manifest(*o); }; });
    CLI::App* gc = scans.add_subcommand(
        "gc", "Remove a lake scan's orphan files: attempts that lost their lease or crashed "
              "before their manifest row was committed (prints each path removed)");
    gc->add_option("ID", o->scan, kScanRefHelp)->required();
    gc->add_option("--db", o->db, "PostgreSQL URL");
    gc->add_option("--lake", o->lake, "The lake directory on this host (default: the scan's)");
    gc->add_flag("--dry-run", o->dry_run, "Only list what would be removed");
    gc->callback([o, &selected] { selected = [o] { return run_gc(*o); }; });
}

} // namespace dg::cli
