#pragma once
// The domain lists the server writes for its scan jobs (`serve --jobs-dir`, server/jobs.cpp) are
// kept after the scan ends so that it can be resumed; they go when the scan is deleted, by either
// path (`scans delete`, DELETE /api/v1/scans/{id}). Issue 19 item 10: they outlived the scan.

#include "dg/core/result.hpp"
#include "dg/model/model.hpp"
#include "dg/store/store.hpp"

#include <cstdint>
#include <string>

namespace dg::scan {

/// The job list the server wrote for `scan`: its stored settings say `"origin": "server"` and
/// name the list in `"domains"`, a file called scan-<32 hex digits>.txt. "" for anything else (a
/// list a user gave `scan -d` is never returned, so never removed).
std::string server_job_list(const model::Scan& scan);

/// Deletes the scan with its results (Store::delete_scan), then its server job list, if any.
/// Errors: as Store::delete_scan (NotFound ...). A list that is already gone is not an error; one
/// that cannot be removed is reported as Io after the scan was deleted.
Result<void> delete_scan(store::Store& store, std::int64_t scan_id);

} // namespace dg::scan
