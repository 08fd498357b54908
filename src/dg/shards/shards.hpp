#pragma once
// Distributed scans (issue 17; design: ../shared/design/scale-out.md section 4.3): PostgreSQL
// is the coordinator of record. A scan is cut into shards by a hash of the name; workers on
// any host lease a shard (a row with an expiry, claimed with FOR UPDATE SKIP LOCKED; no lock
// is held while resolving), heartbeat it, write results fenced by the lease's attempt number
// (store::WriteFence) and complete it; an expired lease is free for the next claim.

#include "dg/core/result.hpp"
#include "dg/model/model.hpp"
#include "dg/scan/domain_input.hpp"
#include "dg/store/store.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dg::shards {

/// The shard of `name` among `shards`: xxh64 (seed 0) of the name modulo the count, so that the
/// same name is in the same shard every day (diffs can run shard by shard).
std::uint32_t shard_of(std::string_view name, std::uint32_t shards);

struct ShardingOptions {
    std::uint32_t shards = 0;        ///< 0: from shard_size
    std::uint32_t shard_size = 1000; ///< names per shard on average (when shards = 0)
    std::uint32_t max_attempts = 5;  ///< a shard failing this often is marked failed
};

struct CreatedScan {
    std::int64_t scan_id = 0;
    std::uint32_t shards = 0;
    std::uint64_t names = 0; ///< distinct valid names
    scan::InputStats input;
    std::optional<Error> input_error; ///< the list could not be read to its end (nothing stored)
};

/// Reads, validates and de-duplicates `input`, partitions it and stores the scan (running),
/// its shards (pending) and their names in one transaction. Errors: Unsupported on SQLite (a
/// distributed scan needs PostgreSQL), InvalidArgument (no valid name), the input's, the store's.
Result<CreatedScan> create_scan(store::Store& store, const store::NewScan& scan,
                                scan::DomainInput& input, const ShardingOptions& options);

/// What a shard attempt wrote in lake mode (lake.hpp): its manifest row.
struct ShardOutput {
    std::string uri;        ///< the Parquet file's absolute path
    std::uint64_t rows = 0; ///< flat rows in the file
    std::string sha256;     ///< of the file's bytes
    std::string stats_json; ///< per-shard aggregates: {"domains", "by_status": {...}}
};

/// A manifest row: the committed file of a done shard.
struct ManifestEntry {
    std::int64_t shard_no = 0;
    std::int64_t attempt = 0;
    ShardOutput output;
};

/// A shard's state and current attempt (for `scans gc`).
struct ShardAttempt {
    std::string state;
    std::int64_t attempt = 0;
};

/// A worker's hold on one shard.
struct Lease {
    std::int64_t scan_id = 0;
    std::int64_t shard_no = 0;
    std::int64_t attempt = 0;
    std::int64_t names_total = 0;
    [[nodiscard]] store::WriteFence fence() const { return {scan_id, shard_no, attempt}; }
};

struct WorkerInfo {
    std::string id; ///< unique: "host:pid:random"
    std::string host;
    std::int64_t pid = 0;
    std::string version;
    std::int64_t lease_s = 30; ///< its lease (heartbeats every third of it)
};

struct WorkerState {
    std::string id;
    std::string host;
    std::optional<std::int64_t> shard;
    double heartbeat_age_s = 0;
    bool stale =
        false; ///< no heartbeat for half its lease (they come every third): dead or stopped
};

struct Progress {
    std::int64_t scan_id = 0;
    std::string status; ///< the scan's
    std::uint64_t names_total = 0;
    std::uint64_t names_done = 0; ///< names of done shards + progress of leased ones
    std::uint64_t pending = 0, leased = 0, done = 0, failed = 0;
    std::uint64_t retries = 0; ///< attempts beyond the first, over all shards
    double rate_per_s = 0;     ///< names finished over the last minute
    std::optional<double> eta_s;
    std::vector<WorkerState> workers; ///< registered on this scan
    std::vector<std::int64_t> failed_shards;
    [[nodiscard]] std::string to_json() const;
    [[nodiscard]] std::string to_text() const;
};

/// The coordination statements over one PostgreSQL connection (a Store of its own: a worker
/// uses one for claims and heartbeats, another for results). Not thread-safe.
class Coordinator {
public:
    /// Errors: Unsupported unless the store is PostgreSQL.
    static Result<Coordinator> of(store::Store& store);

    /// Claims the lowest free shard of `scan_id` (any running distributed scan when nullopt):
    /// pending, or leased with an expired lease, with attempts left. Shards whose last attempt
    /// expired are marked failed first. nullopt: nothing to claim now.
    Result<std::optional<Lease>> claim(std::optional<std::int64_t> scan_id,
                                       const std::string& worker_id, std::int64_t lease_s,
                                       model::UnixTime now);
    /// The shard's names, sorted.
    Result<std::vector<std::string>> names(const Lease& lease);
    /// Extends the lease; false when it was lost (taken over, or the shard is no longer leased).
    Result<bool> heartbeat(const Lease& lease, std::int64_t lease_s, model::UnixTime now);
    /// Marks the shard done (fenced: false when the lease was lost) and, when it was the last
    /// shard, the scan complete (or failed when some shard failed). In lake mode `output` is
    /// the attempt's file, recorded as the shard's manifest row in the same transaction.
    Result<bool> complete(const Lease& lease, model::UnixTime now,
                          const ShardOutput* output = nullptr);
    /// The committed files of a lake scan, by shard.
    Result<std::vector<ManifestEntry>> manifest(std::int64_t scan_id);
    /// Every shard's state and attempt, by shard number.
    Result<std::map<std::int64_t, ShardAttempt>> shard_attempts(std::int64_t scan_id);
    /// Gives the shard back after an error: pending again, or failed when its attempts are used
    /// up (then the scan may end failed). Fenced: nothing happens when the lease was lost.
    Result<void> release(const Lease& lease, const std::string& error, model::UnixTime now);
    /// Failed shards of `scan_id` become pending with fresh attempts; the scan runs again.
    /// Returns how many.
    Result<std::uint64_t> retry_failed(std::int64_t scan_id);
    Result<Progress> progress(std::int64_t scan_id, model::UnixTime now);
    /// Whether `scan_id` has shards (is distributed) and which are still open.
    Result<bool> is_distributed(std::int64_t scan_id);
    /// Shards pending or leased (0: nothing left for a worker).
    Result<std::uint64_t> open_shards(std::int64_t scan_id);
    /// The running scans that have shards, oldest first (what the server's gauges report).
    Result<std::vector<std::int64_t>> running_scans();

    Result<void> register_worker(const WorkerInfo& w, model::UnixTime now);
    /// The worker's heartbeat and what it holds (shard nullopt: idle).
    Result<void> worker_heartbeat(const std::string& worker_id, std::optional<Lease> holding,
                                  model::UnixTime now);
    /// Workers that heartbeat within `window_s` on `scan_id` (the rate budget's divisor; >= 1).
    Result<std::uint64_t> active_workers(std::int64_t scan_id, std::int64_t window_s,
                                         model::UnixTime now);
    Result<void> remove_worker(const std::string& worker_id);

private:
    explicit Coordinator(store::Store& store) : store_(&store) {}
    /// The scan's status from its shards, once none is pending or leased.
    Result<void> settle_scan(std::int64_t scan_id, model::UnixTime now);
    store::Store* store_;
};

} // namespace dg::shards
