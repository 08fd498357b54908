#pragma once
// `domaingraph report` (docs/cli/report.md): one self-contained HTML page about a stored scan —
// AS distribution, organisation shares, diversity gauge, single points of failure, trends over
// the scans before it and the diff against the previous scan — drawn by Chart.js, which the build
// embeds into the binary (no network needed to open the page).

#include "dg/core/result.hpp"
#include "dg/hostnames/dictionary.hpp"
#include "dg/model/model.hpp"
#include "dg/store/store.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace dg::report {

struct ReportOptions {
    std::size_t top_asns = 15;        ///< bars in the AS distribution
    std::size_t top_orgs = 10;        ///< slices in the organisation chart (the rest: "other")
    std::uint32_t trend_days = 30;    ///< trends: complete scans started this many days before
    std::size_t trend_scans = 20;     ///< ... at most this many (the newest)
    std::size_t trend_asns = 5;       ///< ASes followed in the trend chart (the scan's top ones)
    std::size_t max_spofs = 1000;     ///< single points of failure listed (all are counted)
    std::size_t max_changes = 1000;   ///< diff rows listed (all are counted)
    model::UnixTime generated_at = 0; ///< 0: now
};

/// The page's data for `scan_id` (shape: docs/cli/report.md): {"generated_at", "scan",
/// "stats" (analytics::to_json), "trends", "diff"}. `reader` is a second connection to the same
/// database (diff::diff_scans reads the previous scan through it). Errors: NotFound, store errors.
Result<nlohmann::ordered_json> collect(store::Store& store, store::Store& reader,
                                       std::int64_t scan_id, const ReportOptions& options);

/// The page's router-hostname section (docs/cli/report.md, "Router hostnames"): the names of
/// stored PTR sweep `sweep_id` (0: the newest sweep) decoded with `dict` by the default method:
/// {"sweep": {id, status, started_at, source, names}, "stats" (`hostnames stats --format json`:
/// components and the CDF of items per name), "topology" (`hostnames topology` JSON of /31 and
/// /30 neighbours) and "map_svg" (the topology drawn on the land outlines, an SVG document)}.
/// Errors: NotFound (no such sweep, or no sweep at all), store errors.
Result<nlohmann::ordered_json> collect_hostnames(store::Store& store, std::int64_t sweep_id,
                                                 const hostnames::Dictionary& dict);

/// JSON text that is safe inside an HTML <script> element and as a JavaScript literal: every
/// non-ASCII character, '<', '>', '&' and U+2028/U+2029 written as \uXXXX, invalid UTF-8
/// replaced by U+FFFD.
std::string script_safe_json(const nlohmann::ordered_json& j);

/// The page for `data` (as collect() returns it). Errors: Unavailable when the binary was built
/// without Chart.js.
Result<std::string> render_html(const nlohmann::ordered_json& data);

} // namespace dg::report
