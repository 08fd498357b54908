#pragma once
// Lake mode of distributed scans (issue 17; ../shared/design/scale-out.md): each shard attempt
// writes its results as one Parquet file under a shared directory, Hive-partitioned so that
// Spark, Trino and DuckDB read the directory as one dataset:
//   DIR/scan_date=YYYY-MM-DD/scan_id=S/shard=K.attempt=A.parquet
// written under a temporary name, fsynced and renamed, and only then recorded in the manifest
// (scan_shards.output_*) by the shard's completing transaction. A file of an attempt that lost
// its lease or crashed before that commit is an orphan: not in the manifest, removed by `scans gc`.

#include "dg/core/result.hpp"
#include "dg/export/output.hpp"
#include "dg/export/writers.hpp"
#include "dg/model/model.hpp"
#include "dg/shards/shards.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace dg::shards {

/// `DIR/scan_date=YYYY-MM-DD/scan_id=S/` of a scan that started at `scan_started` (UTC date).
std::string lake_scan_dir(const std::string& dir, model::UnixTime scan_started,
                          std::int64_t scan_id);
/// The file of one shard attempt in lake_scan_dir.
std::string lake_file_name(std::int64_t shard_no, std::int64_t attempt);

/// The results of one shard attempt, streamed into its Parquet file.
class LakeShardWriter {
public:
    /// Creates the scan's directory and the file's temporary twin. Errors: Io.
    static Result<std::unique_ptr<LakeShardWriter>>
    open(const std::string& dir, model::UnixTime scan_started, const Lease& lease);
    /// One domain's result (each name once: the scan's on_stored hook). Errors: Io.
    Result<void> write(const model::DomainResult& r);
    /// Finishes the file, fsyncs and renames it into place; what the manifest records.
    /// Errors: Io.
    Result<ShardOutput> commit();

private:
    LakeShardWriter() = default;
    std::string path_;
    std::unique_ptr<exports::Output> out_;
    std::unique_ptr<exports::ResultWriter> writer_;
    std::uint64_t domains_ = 0;
    std::map<std::string, std::uint64_t> by_status_;
};

struct GcReport {
    std::vector<std::string> removed; ///< orphan files (or the ones that would go, dry run)
    std::uint64_t kept = 0;           ///< files in the manifest or of a running attempt
};

/// The lake directory a scan writes to (its configuration's "distributed"."lake"), "" when it
/// writes to the database.
std::string stored_lake_dir(const std::string& config_json);

/// Makes this process read lake scans through every Store (store/external.hpp): a scan with a
/// lake directory is read shard by shard from its manifest's files, each checked against the
/// SHA-256 the manifest holds. A file is found at the manifest's path, else under `lake_dir`
/// (this host's path of the lake; "" = $DOMAINGRAPH_LAKE, else the scan's own). Call once at
/// start, before any store is read.
void register_lake_results(std::string lake_dir = "");

/// Removes the files under the scan's lake directory that are neither in its manifest nor
/// being written by the attempt that holds the shard's lease now: files of lost or crashed
/// attempts, and their temporary twins. `dry_run`: only lists them. Errors: Io, the store's.
Result<GcReport> collect_garbage(Coordinator& coord, const std::string& dir,
                                 const model::Scan& scan, bool dry_run);

} // namespace dg::shards
