#pragma once
// Results kept outside the database. A lake scan (a distributed scan with `--output lake:DIR`,
// issue 17) holds its results as one Parquet file per shard, and the database only its manifest.
// A program registers one source of such results at start (shards::register_lake_results);
// from then on Store::results, count_results, done_domains and domains_by_asn read a scan the
// source keeps from there, so every reader (analytics, export, report, resilience, the API)
// works on lake scans as they are, and diff runs shard by shard (diff_scans).

#include "dg/core/result.hpp"
#include "dg/model/model.hpp"
#include "dg/store/store.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

namespace dg::store {

/// Receives one result; return false to stop.
using DomainCallback = std::function<bool(model::DomainResult&&)>;

class ExternalResults {
public:
    virtual ~ExternalResults() = default;
    /// How many shards hold `scan`'s results outside `store`'s database; nullopt when its
    /// results are in the database.
    virtual Result<std::optional<std::uint32_t>> shard_count(Store& store,
                                                             const model::Scan& scan) = 0;
    /// The shard of `domain` among `shards` (a domain filter reads that shard only).
    [[nodiscard]] virtual std::uint32_t shard_of(std::string_view domain,
                                                 std::uint32_t shards) const = 0;
    /// The results of shard `shard` (0-based), ordered by domain; none when the shard has no
    /// committed output (it failed).
    virtual Result<void> shard_results(Store& store, const model::Scan& scan, std::uint32_t shard,
                                       const DomainCallback& cb) = 0;
};

/// Registers the process's source (nullptr: none). Call before any store is read.
void set_external_results(std::shared_ptr<ExternalResults> source);
/// The registered source, or nullptr.
ExternalResults* external_results();

/// A scan the registered source keeps, with its shard count.
struct ExternalScan {
    model::Scan scan;
    std::uint32_t shards = 0;
};

/// Scan `scan_id` when the registered source keeps it; nullopt when there is no source, no such
/// scan, or its results are in the database.
Result<std::optional<ExternalScan>> external_scan(Store& store, std::int64_t scan_id);

/// Whether `r` matches the filter's domain, status and AS (limit and offset aside).
bool matches(const ResultFilter& filter, const model::DomainResult& r);

/// Store::results over a scan the source keeps: shard by shard, each ordered by domain (a
/// domain filter reads only its shard); the filter, limit and offset applied as the database
/// would.
Result<void> read_external(Store& store, const ExternalScan& scan, const ResultFilter& filter,
                           const ResultCallback& cb);

} // namespace dg::store
