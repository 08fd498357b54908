#pragma once
// The server's state shared by its route handlers (server.cpp: lifecycle, infrastructure routes,
// static files; api.cpp: /api/v1; http_util.cpp: JSON answers and parameters).

#include "dg/hostnames/dictionary.hpp"
#include "dg/ptr/sweep_store.hpp"
#include "dg/resilience/report.hpp"
#include "dg/server/internal/answer_cache.hpp"
#include "dg/server/internal/http.hpp"
#include "dg/server/internal/store_pool.hpp"
#include "dg/server/jobs.hpp"
#include "dg/server/metrics.hpp"
#include "dg/server/ptr_jobs.hpp"
#include "dg/server/server.hpp"
#include "dg/shards/shards.hpp"
#include "dg/watch/alerts.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

namespace dg::server {

enum class Access { Open, Read, Write };

/// The progress of `scan` (GET /api/v1/scans/{id}/progress): its shards and workers when it is
/// a distributed scan, else its names done of the total with no shards.
Result<shards::Progress> scan_progress(store::Store& store, const model::Scan& scan,
                                       model::UnixTime now);

/// A leased store connection with its PTR sweeps (the sweeps refer to the leased store).
struct LeasedSweeps {
    internal::StorePool::Lease lease;
    ptr::SweepStore sweeps;
};

struct Server::Impl {
    ServerOptions options;
    std::unique_ptr<http::Engine> engine;
    int port = 0;
    Metrics metrics;
    internal::StorePool pool;
    Jobs jobs;
    SweepJobs sweep_jobs; ///< PTR sweeps started through the API (ptr_jobs.hpp)
    /// Answers and figures of completed scans: analytics, clusters, status counts and result
    /// totals (256 entries, at most 1/16 of the memory budget).
    internal::AnswerCache answers;
    /// The cache key of `what` for `scan`, or nothing while the scan can still change.
    static std::optional<std::string> answer_key(const std::string& what, const model::Scan& scan);
    /// The part of answer_key that names the scan's id ("@ID:").
    static std::string scan_key_part(std::int64_t scan_id);
    /// Drops every cached answer of the scan id (it was deleted: SQLite may give the id again).
    void forget_answers(std::int64_t scan_id);
    /// `compute`'s text for a completed scan from the cache (computed once), else computed.
    Result<std::string> cached_text(const std::string& what, const model::Scan& scan,
                                    const std::function<Result<std::string>()>& compute);
    /// Answers a JSON read of a completed scan from the cache, or with `produce` (whose answer is
    /// kept when it is a 200). `route` names the route and its parameters; answer_key completes
    /// the key with the scan's.
    void cached(const std::string& route, http::Response& res, const model::Scan& scan,
                const std::function<void(http::Response&)>& produce);

    // Tables: loaded by `loader` after the socket is bound.
    std::thread loader;
    mutable std::mutex tables_mutex;
    std::condition_variable tables_cv;
    std::shared_ptr<const Tables> tables;
    std::string tables_error; ///< why loading failed
    bool tables_done = false;
    std::vector<std::int64_t> to_resume;
    /// Lookups on an .mmdb source are not thread-safe: /ip requests take this.
    std::mutex lookup_mutex;
    /// The AS graph of GET /api/v1/scans/{id}/resilience, loaded at start (null: not offered).
    std::shared_ptr<const resilience::LoadedGraph> as_graph;
    /// One resilience report is computed at a time (each uses the request thread and a helper).
    std::mutex resilience_mutex;
    /// The hostname dictionary of /topology (mapped on first use).
    std::mutex dictionary_mutex;
    std::shared_ptr<const hostnames::Dictionary> dictionary;
    Result<std::shared_ptr<const hostnames::Dictionary>> hostname_dictionary();
    /// A store connection from the pool and its PTR sweeps.
    Result<LeasedSweeps> lease_sweeps() {
        DG_TRY(auto lease, pool.lease());
        DG_TRY(auto sweeps, ptr::SweepStore::of(*lease));
        return LeasedSweeps{std::move(lease), std::move(sweeps)};
    }

    /// Store connections the request lanes use at once: the workers and the light lane.
    static std::size_t connections_of(const ServerOptions& o) {
        return static_cast<std::size_t>(std::max(1, o.threads)) + 2;
    }
    Impl(const ServerOptions& o, JobsConfig jc)
        : options(o),
          pool(o.db, connections_of(o),
               std::max<std::size_t>(2048, o.memory_limit_mib * 1024 / 2 / connections_of(o)),
               std::chrono::seconds(o.query_timeout_s)),
          jobs(jc, metrics), sweep_jobs(std::move(jc)),
          answers(256, std::max<std::size_t>(1, o.memory_limit_mib) << 16) {}

    /// The gauges of the running distributed scans ("" on SQLite or when the store is down).
    std::string distributed_gauges();
    [[nodiscard]] std::shared_ptr<const Tables> current_tables() const {
        const std::lock_guard lock(tables_mutex);
        return tables;
    }

    using Handler = std::function<void(const http::Request&, http::Response&)>;
    /// Registers a route: `name` labels metrics; `access` decides whether a token is needed; the
    /// name also decides the lane (lane_of: health/ready/metrics light, whole-scan work heavy).
    void route(const char* method, const std::string& pattern, const std::string& name,
               Access access, Handler handler);
    void load_tables();
    void install_infrastructure();
    void install_api();
    void install_ptr_api();      ///< /api/v1/ptr/... (api_ptr.cpp)
    void install_as_api();       ///< /api/v1/as/{asn} (api_as.cpp)
    void install_topology_api(); ///< /api/v1/ptr/sweeps/{id}/topology (api_topology.cpp)
    void install_watch_api();    ///< /api/v1/watches, /api/v1/events (api_watch.cpp)
    /// POST /api/v1/watches: the watch of a JSON body, its list written under jobs_dir.
    Result<watch::Watch> create_watch(const nlohmann::json& body);
    /// GET /api/v1/events: Server-Sent Events of new alerts, watch runs and running scans.
    void stream_events(const http::Request& req, http::Response& res);
    bool event_loop(http::DataSink& sink, std::optional<watch::AlertCursor> cursor,
                    std::chrono::seconds lasting);
    /// Set when the server stops: long answers (event streams) end.
    std::atomic<bool> stopping{false};
    /// GET /api/v1/scans/{id}/resilience (api_resilience.cpp).
    void resilience_report(const http::Request& req, http::Response& res, store::Store& store,
                           std::int64_t scan_id);
    void install_static();
    [[nodiscard]] bool authorized(const http::Request& req) const;
};

namespace internal {

/// Writes `body` as JSON (invalid UTF-8 replaced) with `status`.
void send_json(http::Response& res, int status, const nlohmann::json& body);
/// `{"error": {"code": code, "message": message}}`.
void send_error(http::Response& res, int status, const std::string& code,
                const std::string& message);
/// The HTTP answer for a library error: 400 InvalidArgument/Malformed, 404 NotFound, 429
/// ResourceExhausted, 503 Unavailable/Timeout, otherwise 500 with a generic message (the
/// details go to stderr, never to the client).
void send_failure(http::Response& res, const Error& e);
/// The HTTP status send_failure uses.
int status_of(ErrorCode code);

/// A query parameter as an unsigned integer in [min, max]; `fallback` when absent.
/// Errors: InvalidArgument naming the parameter.
Result<std::uint64_t> uint_param(const http::Request& req, const char* name, std::uint64_t fallback,
                                 std::uint64_t min, std::uint64_t max);
/// A request body's "resolvers": an array of at most 16 "IP[:PORT]" strings.
/// Errors: InvalidArgument saying what is wrong.
Result<std::vector<dns::Endpoint>> resolvers_of(const nlohmann::json& value);
/// A job body's DNS engine setting: sets `concurrency`, `timeout_ms` or `retries` when `key` names
/// one (checking its range) and answers true; false for any other key.
Result<bool> set_engine_setting(const std::string& key, const nlohmann::json& value,
                                std::uint32_t& concurrency, std::uint32_t& timeout_ms,
                                std::uint32_t& retries);
/// A positive decimal id (a sweep, a path segment), or nullopt.
std::optional<std::int64_t> positive_id(std::string_view text);
/// A job body's "notes": a string of at most 4096 bytes.
Result<std::string> notes_of(const nlohmann::json& value);
/// A query parameter's value, if present (the first one).
std::optional<std::string> param(const http::Request& req, const char* name);

} // namespace internal
} // namespace dg::server
