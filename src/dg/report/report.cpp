#include "dg/report/report.hpp"

#include "dg/analytics/analytics.hpp"
#include "dg/analytics/report_json.hpp"
#include "dg/diff/diff.hpp"
#include "dg/diff/report.hpp"
#include "dg/hostnames/decoder.hpp"
#include "dg/hostnames/stats.hpp"
#include "dg/hostnames/topology.hpp"
#include "dg/model/json.hpp"
#include "dg/ptr/sweep_store.hpp"

#include <algorithm>
#include <ctime>
#include <vector>

namespace dg::report {
namespace {

using nlohmann::ordered_json;

ordered_json scan_json(const model::Scan& s) {
    return {{"id", s.id},
            {"status", model::scan_status_name(s.status)},
            {"started_at", model::format_utc(s.started_at)},
            {"domains_total", s.domains_total},
            {"domains_done", s.domains_done},
            {"notes", s.notes}};
}

/// Scans the trends cover: complete scans created before `scan` and started within `days`
/// before it, the newest `max - 1` of them, then `scan` itself (oldest first).
std::vector<model::Scan> trend_scans(const std::vector<model::Scan>& all, const model::Scan& scan,
                                     const ReportOptions& o) {
    std::vector<model::Scan> out;
    const model::UnixTime from =
        scan.started_at - static_cast<model::UnixTime>(o.trend_days) * 86400;
    for (const auto& s : all) {
        if (s.id == scan.id) {
            break;
        }
        if (s.status == model::ScanStatus::Complete && s.started_at >= from &&
            s.started_at <= scan.started_at) {
            out.push_back(s);
        }
    }
    const std::size_t keep = o.trend_scans > 0 ? o.trend_scans - 1 : 0;
    if (out.size() > keep) {
        out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(keep));
    }
    out.push_back(scan);
    return out;
}

double share_of(const analytics::ScanStats& s, std::uint32_t asn) {
    for (const auto& a : s.asns) {
        if (a.asn == asn) {
            return analytics::round_to(a.percentage, 2);
        }
    }
    return 0;
}

Result<ordered_json> trends_json(store::Store& store, const std::vector<model::Scan>& scans,
                                 const analytics::ScanStats& current, const ReportOptions& o) {
    std::vector<std::uint32_t> asns;
    for (std::size_t i = 0; i < current.asns.size() && i < o.trend_asns; ++i) {
        asns.push_back(current.asns[i].asn);
    }
    ordered_json points = ordered_json::array();
    for (const auto& scan : scans) {
        analytics::ScanStats s;
        if (scan.id == current.scan_id) {
            s = current;
        } else {
            DG_TRY(auto computed, analytics::scan_stats(store, scan.id));
            s = std::move(computed);
        }
        ordered_json shares = ordered_json::array();
        for (auto asn : asns) {
            shares.push_back(share_of(s, asn));
        }
        points.push_back({{"scan_id", scan.id},
                          {"date", model::format_utc(scan.started_at)},
                          {"domains", s.domains},
                          {"unique_asns", s.unique_asns},
                          {"diversity_score", analytics::round_to(s.diversity.score, 2)},
                          {"asn_shares", std::move(shares)}});
    }
    ordered_json followed = ordered_json::array();
    for (std::size_t i = 0; i < asns.size(); ++i) {
        const auto& org = current.asns[i].org;
        followed.push_back({{"asn", asns[i]}, {"org", org}});
    }
    return ordered_json{
        {"days", o.trend_days}, {"asns", std::move(followed)}, {"points", std::move(points)}};
}

/// A change's from/to as JSON (they are stored as JSON texts).
ordered_json value_of(const std::string& text) {
    auto v = ordered_json::parse(text, nullptr, false);
    return v.is_discarded() ? ordered_json(text) : v;
}

/// The previous complete scan of the same input: the newest complete scan created before `scan`
/// with the same set of names (a scan of another list is no "previous" of this one).
Result<std::optional<model::Scan>> previous_scan(store::Store& store, const model::Scan& scan) {
    return store::previous_of_same_input(store, scan, true);
}

Result<ordered_json> diff_json(store::Store& store, store::Store& reader,
                               const std::optional<model::Scan>& prev, std::int64_t scan_id,
                               const ReportOptions& o) {
    if (!prev) {
        return ordered_json(nullptr);
    }
    ordered_json rows = ordered_json::array();
    diff::DiffSink sink;
    sink.change = [&](const model::Change& c) {
        if (rows.size() < o.max_changes) {
            rows.push_back({{"domain", c.domain},
                            {"type", model::change_type_name(c.type)},
                            {"severity", model::severity_name(c.severity)},
                            {"description", diff::describe(c)},
                            {"from", value_of(c.from_json)},
                            {"to", value_of(c.to_json)}});
        }
        return true;
    };
    DG_TRY(auto summary, diff::diff_scans(reader, store, prev->id, scan_id, sink));
    return ordered_json{{"previous_scan", scan_json(*prev)},
                        {"previous_scan_is", "the newest earlier complete scan of the same " +
                                                 std::to_string(prev->domains_done) + " names"},
                        {"summary", ordered_json::parse(diff::to_json(summary).dump())},
                        {"changes", std::move(rows)}};
}

} // namespace

Result<ordered_json> collect(store::Store& store, store::Store& reader, std::int64_t scan_id,
                             const ReportOptions& options) {
    DG_TRY(auto scan, store.get_scan(scan_id));
    DG_TRY(auto all, store.list_scans());
    DG_TRY(auto stats, analytics::scan_stats(store, scan_id));
    ordered_json data;
    const auto now = options.generated_at != 0 ? options.generated_at
                                               : static_cast<model::UnixTime>(std::time(nullptr));
    data["generated_at"] = model::format_utc(now);
    data["options"] = {{"top_asns", options.top_asns}, {"top_orgs", options.top_orgs}};
    data["scan"] = scan_json(scan);
    ordered_json s = analytics::to_json(stats, std::max(options.top_asns, options.top_orgs));
    auto& spofs = s["single_points_of_failure"]["domains"];
    if (spofs.size() > options.max_spofs) {
        spofs.erase(spofs.begin() + static_cast<std::ptrdiff_t>(options.max_spofs), spofs.end());
    }
    // the organisation chart's "other" slice needs the total over all organisations
    std::uint64_t org_total = 0;
    for (const auto& org : stats.orgs) {
        org_total += org.ip_mappings;
    }
    s["organisations_total_ip_count"] = org_total;
    data["stats"] = std::move(s);
    // coverage of the enrichment sources, and a warning for a source that matched nothing
    const auto config =
        ordered_json::parse(scan.config_json.empty() ? "{}" : scan.config_json, nullptr, false);
    const bool orgs_given =
        stats.coverage.with_org > 0 ||
        (config.is_object() && config.contains("as2org") && config["as2org"].is_string() &&
         !config["as2org"].get<std::string>().empty());
    ordered_json coverage = analytics::to_json(stats.coverage);
    coverage["orgs_given"] = orgs_given;
    coverage["warnings"] = stats.coverage.warnings(orgs_given);
    data["coverage"] = std::move(coverage);
    // trends and changes compare with scans of the same input only (same set of names)
    std::vector<model::Scan> candidates;
    for (const auto& other : all) {
        if (other.id == scan.id || other.status == model::ScanStatus::Complete) {
            candidates.push_back(other);
        }
        if (other.id == scan.id) {
            break;
        }
    }
    DG_TRY(auto same, store::same_input(store, scan, candidates));
    DG_TRY(auto trends, trends_json(store, trend_scans(same, scan, options), stats, options));
    trends["scans_are"] = "complete scans of the same " + std::to_string(scan.domains_done) +
                          " names as scan " + std::to_string(scan.id);
    data["trends"] = std::move(trends);
    DG_TRY(auto prev, previous_scan(store, scan));
    DG_TRY(auto diff, diff_json(store, reader, prev, scan_id, options));
    data["diff"] = std::move(diff);
    return data;
}

std::string script_safe_json(const ordered_json& j) {
    const std::string text = j.dump(-1, ' ', true, ordered_json::error_handler_t::replace);
    std::string out;
    out.reserve(text.size() + text.size() / 16);
    for (char c : text) {
        // '<', '>' and '&' occur only inside strings in JSON text, where \u escapes mean the same.
        switch (c) {
        case '<':
            out += "\\u003c";
            break;
        case '>':
            out += "\\u003e";
            break;
        case '&':
            out += "\\u0026";
            break;
        default:
            out += c;
        }
    }
    return out;
}

Result<ordered_json> collect_hostnames(store::Store& store, std::int64_t sweep_id,
                                       const hostnames::Dictionary& dict) {
    DG_TRY(auto sweeps, ptr::SweepStore::of(store));
    if (sweep_id <= 0) {
        DG_TRY(auto all, sweeps.list());
        if (all.empty()) {
            return make_error(ErrorCode::NotFound,
                              "no PTR sweep in this store (run 'domaingraph ptr sweep' first)");
        }
        sweep_id = all.back().id;
    }
    DG_TRY(auto sweep, sweeps.get(sweep_id));
    hostnames::Decoder decoder(dict, nullptr, hostnames::Method::Default);
    hostnames::TopologyBuilder topology(decoder, hostnames::TopologyOptions{});
    hostnames::Stats stats;
    hostnames::Decoded decoded;
    DG_TRY_VOID(sweeps.names(sweep_id, [&](const IpAddress& ip, std::string_view name) {
        decoder.decode(name, ip.to_string(), decoded);
        stats.add(decoded);
        topology.add(ip, name);
    }));
    const hostnames::Topology t = topology.finish();
    return ordered_json{{"sweep",
                         {{"id", sweep.id},
                          {"status", sweep.status},
                          {"started_at", model::format_utc(sweep.started_at)},
                          {"source", sweep.source},
                          {"names", stats.names}}},
                        {"stats", ordered_json::parse(stats.to_json(15))},
                        {"topology", ordered_json::parse(t.to_json())},
                        {"map_svg", t.to_svg()}};
}

} // namespace dg::report
