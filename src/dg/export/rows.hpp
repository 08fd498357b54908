#pragma once
// The flat (tabular) view of a domain result, shared by the CSV and Parquet writers: one row per
// domain x address, with the columns
//
//   domain, status, record_type, host, preference, ip, prefix, asn, origins, org
//
// record_type: "a" / "aaaa" (the domain's own addresses; host empty), "ns" / "mx" (one row per
// address of the name server / mail host; host = its name; preference for mx), "cname" (one row
// per step of the CNAME chain; host = the target, no address). A host without addresses gives one
// row with an empty ip; a domain with no row at all (NXDOMAIN, empty answer) gives one row with an
// empty record_type, so every domain appears. origins: every origin AS, space-separated, most-seen
// first. Rows come in the order a, aaaa, cname, ns, mx, each in stored order.

#include "dg/core/result.hpp"
#include "dg/model/model.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace dg::exports {

inline constexpr const char* kFlatColumns[] = {"domain",     "status", "record_type", "host",
                                               "preference", "ip",     "prefix",      "asn",
                                               "origins",    "org"};
inline constexpr std::size_t kFlatColumnCount = 10;
/// Index of each column in kFlatColumns.
enum FlatColumn : std::size_t {
    kDomain,
    kStatus,
    kType,
    kHost,
    kPref,
    kIp,
    kPrefix,
    kAsn,
    kOrigins,
    kOrg
};

struct FlatRow {
    std::string_view domain;
    std::string_view status;
    std::string_view record_type; ///< "" for the placeholder row of a domain without records
    std::optional<std::string_view> host;
    std::optional<std::uint16_t> preference;
    std::optional<std::string> ip;
    std::optional<std::string> prefix;
    std::optional<std::uint32_t> asn;
    std::optional<std::string> origins; ///< unset when there is no address
    std::optional<std::string_view> org;
};

/// Calls `emit` for each flat row of `r` (at least one).
void for_each_flat_row(const model::DomainResult& r,
                       const std::function<void(const FlatRow&)>& emit);

namespace parquet {
class FileReader;
} // namespace parquet

/// Receives one rebuilt result; return false to stop.
using RebuiltResultSink = std::function<bool(model::DomainResult&&)>;

/// The inverse of for_each_flat_row over a Parquet file of flat rows (`export --format parquet`,
/// a lake shard): one result per run of rows of the same domain, in file order. What the rows
/// do not hold stays empty: TTLs, error details, RPKI states, resolved_at. Errors: Unsupported (a
/// column is missing), Malformed (a value that does not parse, with its row), the reader's.
Result<void> read_flat_results(const parquet::FileReader& file, const RebuiltResultSink& emit);

} // namespace dg::exports
