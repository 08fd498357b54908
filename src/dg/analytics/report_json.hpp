#pragma once
// JSON shapes of `analytics`, `cluster` and `trends` (docs/cli/analytics.md). Field names follow
// the seed tool's where it had the same figure.

#include "dg/analytics/analytics.hpp"

#include <nlohmann/json.hpp>

namespace dg::analytics {

/// `top` limits top_asns and organisations (0: all).
nlohmann::ordered_json to_json(const ScanStats& s, std::size_t top = 20);
/// `{"ip_mappings", "routed", "routed_pct", "with_org", "with_org_pct"}` (percentages rounded to
/// 2 places).
nlohmann::ordered_json to_json(const Coverage& c);
nlohmann::ordered_json to_json(const std::vector<Cluster>& clusters, std::int64_t scan_id,
                               const ClusterOptions& options, std::size_t limit = 0);
nlohmann::ordered_json to_json(const Trend& t);
/// `{"threshold_pp", "domains_a", "domains_b", "asns": [{asn, name, domains_a, domains_b,
/// share_a, share_b, delta_pp, change}], "orgs": [{name, ...}]}` (shares in percent, 2 places).
nlohmann::ordered_json to_json(const ProviderShifts& s);
/// One provider of it: `{asn (ASes only), name, domains_a, domains_b, share_a, share_b, delta_pp,
/// change}`.
nlohmann::ordered_json to_json(const ProviderShift& p);
/// The readable table of it ("" when nothing moved).
std::string provider_text(const ProviderShifts& s);
/// Rounds half away from zero to `places` decimals.
double round_to(double v, int places);

} // namespace dg::analytics
