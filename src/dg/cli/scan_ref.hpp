#pragma once
// The SCAN argument of every command that reads the store (export, report, analytics, scans,
// diff, tags run/stats) and of the API: one parser, diff::resolve_scan (an id, "latest",
// "previous", "latest-complete"), one help text, one "no scan N" message (store::no_such_scan).

#include "dg/core/result.hpp"
#include "dg/diff/diff.hpp"
#include "dg/store/store.hpp"

#include <string>

namespace dg::cli {

/// Help text of a SCAN argument.
inline constexpr const char* kScanRefHelp =
    "scan id, 'latest', 'previous' or 'latest-complete' (newest complete scan)";

/// The id of the scan `ref` names. Errors: as diff::resolve_scan (NotFound, InvalidArgument).
inline Result<std::int64_t> resolve_scan_ref(store::Store& store, const std::string& ref) {
    DG_TRY(const model::Scan scan, diff::resolve_scan(store, ref));
    return scan.id;
}

} // namespace dg::cli
