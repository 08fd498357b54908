#pragma once
// Measurements in bulk: JSON Lines (one measurement per line), a JSON array of measurements, or
// one (pretty-printed) measurement object, as `domaingraph tags import` reads them.

#include "dg/core/result.hpp"
#include "dg/tags/tag_store.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace dg::tags {

struct BulkReport {
    std::uint64_t total = 0;
    std::uint64_t applied = 0;
    std::uint64_t stale = 0; ///< skipped, as upstream's msm2tag2domain service does
    std::uint64_t invalid = 0;
    std::uint64_t inserted = 0;
    std::uint64_t prolonged = 0;
    std::uint64_t ended = 0;
};

/// Called for each measurement that was not applied: its line (1-based; 0 inside a JSON array)
/// and why. `stale` measurements come with ErrorCode::Cancelled.
using BulkProblemFn = std::function<void(std::uint64_t line, const Error& why)>;

/// Applies every measurement of `text` in order, each in its own transaction. Invalid ones are
/// reported and skipped (or, with `strict`, end the import with that error).
/// Errors: Malformed (with `strict`), storage errors.
Result<BulkReport> import_measurements(TagStore& ts, std::string_view text,
                                       const std::string& source, bool strict,
                                       const BulkProblemFn& on_problem);

} // namespace dg::tags
