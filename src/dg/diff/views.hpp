#pragma once
// Read-only views of the history database for `scans list|show` and `history`
// (docs/cli/scans.md, docs/cli/history.md): what they fetch and how they are printed.

#include "dg/core/result.hpp"
#include "dg/model/model.hpp"
#include "dg/store/store.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace dg::diff {

// --- scans ---

/// `[to_json(scan), ...]` in the order given (the store's creation order).
nlohmann::json scans_json(const std::vector<model::Scan>& scans);
/// A table: ID, STATUS, STARTED, DONE/TOTAL, NOTES; "no scans" line when empty.
std::string scans_text(const std::vector<model::Scan>& scans);

/// How many results of a scan have one resolution status.
struct StatusCount {
    std::string status;
    std::uint64_t count = 0;
    bool operator==(const StatusCount&) const = default;
};

/// Results of `scan_id` per status (the engine's statuses, then "other" for any status this
/// program does not know), zero counts left out. Uses the store's counts, not a full read.
Result<std::vector<StatusCount>> status_counts(store::Store& store, std::int64_t scan_id);

/// to_json(scan) plus "results": {"NOERROR": n, ...} and "results_total".
nlohmann::json scan_json(const model::Scan& scan, const std::vector<StatusCount>& counts);
std::string scan_text(const model::Scan& scan, const std::vector<StatusCount>& counts);

// --- history ---

/// One domain in one scan.
struct HistoryEntry {
    model::Scan scan;
    model::DomainResult result;
};

/// The domain's result in every scan that has it, oldest scan first (`domain` canonical).
Result<std::vector<HistoryEntry>> domain_history(store::Store& store, const std::string& domain);

/// `[{"scan_id", "started_at", "scan_status", "result": {the scan --format jsonl object}}]`.
nlohmann::json history_json(const std::vector<HistoryEntry>& entries);
/// Per scan: status and records with their routing, then what changed since the scan before.
std::string history_text(const std::string& domain, const std::vector<HistoryEntry>& entries);

} // namespace dg::diff
