#pragma once
// Rendering of a diff: the JSON contract of `diff --format json` and the seed-like text report
// (docs/cli/diff.md).

#include "dg/diff/diff.hpp"
#include "dg/model/model.hpp"

#include <nlohmann/json.hpp>
#include <span>
#include <string>

namespace dg::diff {

/// {"scan_a", "scan_b", "domains_a", "domains_b", "domains_compared", "domains_changed",
///  "domains_only_in_a", "domains_only_in_b", "changes", "by_type": {every type: n},
///  "by_severity": {"info": n, "warning": n}}
nlohmann::json to_json(const Summary& s);

/// `{"summary": {...}, "changes": [{"domain", "type", "severity", "from", "to"}, ...]}` and a
/// newline; with `scans`, also `"scans": {"a": {"id", "started_at", "status", "resolved"}, "b":
/// ...}` saying which scans the references resolved to.
std::string json_report(const Summary& s, std::span<const model::Change> changes,
                        const ScanPair* scans = nullptr);

/// One line for a change, e.g. "A record removed: 192.0.2.1" or
/// "origin AS changed: AS15169 -> AS16509".
std::string describe(const model::Change& c);

/// Which scans were compared, for the report header (how_a/how_b: describe_resolved, shown
/// when set).
using ReportScans = ScanPair;

/// The seed's readable report: header, domain counts, added and removed domains (first 10),
/// change counts by type and severity, then every changed domain with its changes.
std::string text_report(const Summary& s, std::span<const model::Change> changes,
                        const ReportScans& scans);

} // namespace dg::diff
