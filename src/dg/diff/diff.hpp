#pragma once
// What changed between two scans: per-domain comparison (compare), a streaming merge-join of two
// stored scans (diff_scans) and the counts of what was found (Summary). Rules and severities:
// docs/cli/diff.md. Rendering (seed-like text report, JSON): dg/diff/report.hpp.

#include "dg/core/result.hpp"
#include "dg/model/model.hpp"
#include "dg/store/store.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dg::diff {

/// Whether a resolution status says what the domain's records are: NOERROR, NODATA and
/// NXDOMAIN do (NXDOMAIN: none); a failure (SERVFAIL, TIMEOUT, ...) does not, so records are
/// only compared when both sides are definitive.
bool status_is_definitive(std::string_view status);

/// The changes between two results of the same domain (`a` older, `b` newer), in a fixed order:
/// status, cname, a (removed, added), aaaa (removed, added), asn, prefix, ns (removed, added),
/// mx (removed, added, preference); values sorted within each type.
std::vector<model::Change> compare(const model::DomainResult& a, const model::DomainResult& b);

/// The domain has a result in scan A only: status_changed from its status to null.
model::Change only_in_a(const model::DomainResult& a);
/// The domain has a result in scan B only: status_changed from null to its status.
model::Change only_in_b(const model::DomainResult& b);

/// Counts over one diff.
struct Summary {
    std::int64_t scan_a = 0;
    std::int64_t scan_b = 0;
    std::uint64_t domains_a = 0;        ///< results in scan A
    std::uint64_t domains_b = 0;        ///< results in scan B
    std::uint64_t domains_compared = 0; ///< in both scans
    std::uint64_t domains_changed = 0;  ///< in both scans, with at least one change
    std::uint64_t domains_only_in_a = 0;
    std::uint64_t domains_only_in_b = 0;
    std::uint64_t changes = 0;
    std::array<std::uint64_t, model::kChangeTypeCount> by_type{};
    std::array<std::uint64_t, 2> by_severity{}; ///< indexed by model::Severity

    void count(const model::Change& c);
    bool operator==(const Summary&) const = default;
};

/// What diff_scans reports, in domain order. Return false to stop (diff_scans then fails with
/// Cancelled).
struct DiffSink {
    /// One change (also for domains in one scan only).
    std::function<bool(const model::Change&)> change;
};

/// Merge-joins the results of `scan_a` and `scan_b` as the store streams them (ordered by domain
/// name), so memory stays flat for any scan size: scan A is read through `reader_a` on a helper
/// thread, scan B through `reader_b` on the calling thread, with a bounded queue between them.
/// The two readers must be different connections to the same database (a Store is one
/// connection). Errors: NotFound (a scan does not exist), Malformed (the store returned names
/// out of order, e.g. a PostgreSQL database with a non-C collation), Cancelled (the sink
/// stopped), or the store's errors.
Result<Summary> diff_scans(store::Store& reader_a, store::Store& reader_b, std::int64_t scan_a,
                           std::int64_t scan_b, const DiffSink& sink);

/// Resolves a scan reference: a decimal id, "latest" (newest scan), "latest-complete" (newest
/// with status complete, as `export` accepts) or "previous": the previous scan of the same input
/// as `base` (default: the latest scan), i.e. the newest scan created before it that holds the
/// same set of names (store::previous_of_same_input) — not merely the scan before, which may be
/// of another list. Errors: NotFound (no such scan), InvalidArgument (neither an id nor an
/// alias).
Result<model::Scan> resolve_scan(store::Store& store, std::string_view ref,
                                 const model::Scan* base = nullptr);

/// The two scans of a diff and what each reference resolved to (describe_resolved).
struct ScanPair {
    model::Scan a;
    model::Scan b;
    std::string how_a;
    std::string how_b;
};

/// Resolves SCAN_A and SCAN_B of a diff: B first, then A, so that `previous latest` and
/// `previous 7` compare with the previous scan of B's input. Errors: those of resolve_scan.
Result<ScanPair> resolve_pair(store::Store& store, std::string_view ref_a, std::string_view ref_b);

/// Which scan a reference resolved to, for reports: "scan 7", "'latest' = scan 7",
/// "'previous' = scan 3, the newest earlier scan of the same 2000 names as scan 7".
std::string describe_resolved(std::string_view ref, const model::Scan& scan,
                              const model::Scan* base);

} // namespace dg::diff
