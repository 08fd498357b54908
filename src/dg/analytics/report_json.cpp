#include "dg/analytics/report_json.hpp"

#include "dg/model/json.hpp"

#include <cmath>
#include <cstdio>
#include <string>

namespace dg::analytics {
namespace {

using nlohmann::ordered_json;

ordered_json diversity_json(const Diversity& d, std::uint64_t total) {
    ordered_json j;
    j["units"] = d.units;
    j["total_mappings"] = total;
    j["shannon_entropy"] = round_to(d.shannon_entropy, 3);
    j["normalised_entropy"] = round_to(d.normalised_entropy, 4);
    j["diversity_score"] = round_to(d.score, 2);
    j["gini_coefficient"] = round_to(d.gini, 3);
    j["interpretation"] = {{"diversity", d.level}, {"concentration", d.concentration}};
    return j;
}

ordered_json histogram(const std::map<std::uint64_t, std::uint64_t>& h) {
    ordered_json j = ordered_json::object();
    for (const auto& [k, v] : h) {
        j[std::to_string(k)] = v;
    }
    return j;
}

ordered_json opt_pct(const std::optional<double>& v) {
    return v ? ordered_json(round_to(*v, 2)) : ordered_json(nullptr);
}

} // namespace

double round_to(double v, int places) {
    const double f = std::pow(10.0, places);
    return std::round(v * f) / f;
}

ordered_json to_json(const Coverage& c) {
    return ordered_json{{"ip_mappings", c.mappings},
                        {"routed", c.routed},
                        {"routed_pct", round_to(c.routed_pct(), 2)},
                        {"with_org", c.with_org},
                        {"with_org_pct", round_to(c.with_org_pct(), 2)},
                        {"rpki_checked", c.rpki_checked},
                        {"rpki_valid", c.rpki_valid},
                        {"rpki_valid_pct", round_to(c.rpki_valid_pct(), 2)},
                        {"rpki_invalid", c.rpki_invalid},
                        {"rpki_invalid_pct", round_to(c.rpki_invalid_pct(), 2)},
                        {"located", c.located},
                        {"located_pct", round_to(c.located_pct(), 2)}};
}

ordered_json to_json(const ScanStats& s, std::size_t top) {
    ordered_json j;
    j["scan_id"] = s.scan_id;
    j["scan_date"] = model::format_utc(s.started_at);
    j["total_domains"] = s.domains;
    j["domains_with_addresses"] = s.domains_with_addresses;
    j["total_unique_asns"] = s.unique_asns;
    j["total_ip_mappings"] = s.ip_mappings;
    j["unrouted_ip_mappings"] = s.unrouted_mappings;
    j["unique_ips"] = s.unique_ips;
    j["avg_ips_per_asn"] = round_to(s.avg_ips_per_asn, 2);
    j["max_ips_per_asn"] = s.max_ips_per_asn;
    j["min_ips_per_asn"] = s.min_ips_per_asn;
    j["concentration_ratio"] = round_to(s.concentration_ratio, 2);
    j["concentration_top_k"] = s.concentration_k;
    j["coverage"] = to_json(s.coverage);
    ordered_json asns = ordered_json::array();
    for (std::size_t i = 0; i < s.asns.size() && (top == 0 || i < top); ++i) {
        const auto& a = s.asns[i];
        ordered_json x;
        x["asn"] = a.asn;
        x["org"] = a.org.empty() ? ordered_json(nullptr) : ordered_json(a.org);
        x["ip_count"] = a.ip_mappings;
        x["unique_ips"] = a.unique_ips;
        x["domain_count"] = a.domains;
        x["percentage"] = round_to(a.percentage, 2);
        x["record_types"] = {{"a", a.by_role[kRoleA]},
                             {"aaaa", a.by_role[kRoleAaaa]},
                             {"ns", a.by_role[kRoleNs]},
                             {"mx", a.by_role[kRoleMx]}};
        if (a.rpki_checked > 0) { // the scan had VRPs: the share of its mappings on valid routes
            const auto pct = [&](std::uint64_t n) {
                return round_to(
                    100.0 * static_cast<double>(n) / static_cast<double>(a.rpki_checked), 2);
            };
            x["rpki"] = {{"checked", a.rpki_checked},
                         {"valid", a.rpki_valid},
                         {"invalid", a.rpki_invalid},
                         {"valid_pct", pct(a.rpki_valid)},
                         {"invalid_pct", pct(a.rpki_invalid)}};
        }
        asns.push_back(std::move(x));
    }
    j["top_asns"] = std::move(asns);
    ordered_json orgs = ordered_json::array();
    for (std::size_t i = 0; i < s.orgs.size() && (top == 0 || i < top); ++i) {
        const auto& o = s.orgs[i];
        orgs.push_back({{"org", o.org},
                        {"asns", o.asns},
                        {"ip_count", o.ip_mappings},
                        {"domain_count", o.domains},
                        {"percentage", round_to(o.percentage, 2)}});
    }
    j["organisations"] = std::move(orgs);
    j["diversity"] = diversity_json(s.diversity, s.ip_mappings);
    j["org_diversity"] =
        s.org_diversity ? diversity_json(*s.org_diversity, s.ip_mappings) : ordered_json(nullptr);
    j["name_servers"] = {{"domains_with_ns_addresses", s.domains_with_ns_addresses},
                         {"ns_asn_histogram", histogram(s.ns_asn_histogram)},
                         {"ns_prefix_histogram", histogram(s.ns_prefix_histogram)},
                         {"address_asn_histogram", histogram(s.address_asn_histogram)}};
    ordered_json spofs = ordered_json::array();
    for (const auto& p : s.single_points_of_failure) {
        spofs.push_back({{"domain", p.domain},
                         {"reason", p.reason},
                         {"asn", p.asn ? ordered_json(*p.asn) : ordered_json(nullptr)},
                         {"ip", p.ip ? ordered_json(*p.ip) : ordered_json(nullptr)},
                         {"ns_hosts", p.ns_hosts}});
    }
    j["single_points_of_failure"] = {{"count", s.single_points_of_failure.size()},
                                     {"domains", std::move(spofs)}};
    return j;
}

ordered_json to_json(const std::vector<Cluster>& clusters, std::int64_t scan_id,
                     const ClusterOptions& options, std::size_t limit) {
    static constexpr const char* kBy[] = {"asn", "prefix", "ns", "ip"};
    ordered_json j;
    j["scan_id"] = scan_id;
    j["by"] = kBy[static_cast<std::size_t>(options.by)];
    j["min_shared"] = options.min_shared;
    j["cluster_count"] = clusters.size();
    ordered_json list = ordered_json::array();
    for (std::size_t i = 0; i < clusters.size() && (limit == 0 || i < limit); ++i) {
        list.push_back({{"domain_count", clusters[i].domains.size()},
                        {"domains", clusters[i].domains},
                        {"shared_count", clusters[i].shared.size()},
                        {"shared", clusters[i].shared}});
    }
    j["clusters"] = std::move(list);
    return j;
}

ordered_json to_json(const Trend& t) {
    ordered_json j;
    j["asn"] = t.asn ? ordered_json(*t.asn) : ordered_json(nullptr);
    j["org"] = t.org ? ordered_json(*t.org) : ordered_json(nullptr);
    j["period_days"] = t.days;
    j["same_input_as"] = t.same_input_as != 0 ? ordered_json(t.same_input_as) : nullptr;
    j["names"] = t.names;
    j["scan_count"] = t.points.size();
    ordered_json points = ordered_json::array();
    for (const auto& p : t.points) {
        points.push_back({{"scan_id", p.scan_id},
                          {"date", model::format_utc(p.started_at)},
                          {"ip_count", p.ip_mappings},
                          {"domain_count", p.domains},
                          {"total_ip_mappings", p.total_ip_mappings},
                          {"total_domains", p.total_domains},
                          {"ip_share", round_to(p.ip_share, 2)},
                          {"domain_share", round_to(p.domain_share, 2)}});
    }
    j["trend_data"] = std::move(points);
    j["changes"] = {{"ip_count_change", t.ip_mappings_change},
                    {"ip_count_change_pct", opt_pct(t.ip_mappings_change_pct)},
                    {"domain_count_change", t.domains_change},
                    {"domain_count_change_pct", opt_pct(t.domains_change_pct)}};
    return j;
}

namespace {

/// "12.5" (two decimals at most, no trailing zeros).
std::string fmt_share(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", round_to(v, 2));
    std::string s = buf;
    while (s.find('.') != std::string::npos && (s.back() == '0' || s.back() == '.')) {
        const bool dot = s.back() == '.';
        s.pop_back();
        if (dot) {
            break;
        }
    }
    return s;
}

} // namespace

nlohmann::ordered_json to_json(const ProviderShift& p) {
    nlohmann::ordered_json j;
    if (p.asn) {
        j["asn"] = *p.asn;
    }
    j["name"] = p.name.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(p.name);
    j["domains_a"] = p.domains_a;
    j["domains_b"] = p.domains_b;
    j["share_a"] = round_to(p.share_a, 2);
    j["share_b"] = round_to(p.share_b, 2);
    j["delta_pp"] = round_to(p.delta(), 2);
    j["change"] = p.change;
    return j;
}

nlohmann::ordered_json to_json(const ProviderShifts& s) {
    nlohmann::ordered_json asns = nlohmann::ordered_json::array();
    for (const auto& p : s.asns) {
        asns.push_back(to_json(p));
    }
    nlohmann::ordered_json orgs = nlohmann::ordered_json::array();
    for (const auto& p : s.orgs) {
        orgs.push_back(to_json(p));
    }
    nlohmann::ordered_json j;
    j["threshold_pp"] = s.threshold_pp;
    j["domains_a"] = s.domains_a;
    j["domains_b"] = s.domains_b;
    j["asns"] = std::move(asns);
    j["orgs"] = std::move(orgs);
    return j;
}

std::string provider_text(const ProviderShifts& s) {
    if (s.asns.empty() && s.orgs.empty()) {
        return "Providers: no AS or organisation gained, lost or moved by " +
               fmt_share(s.threshold_pp) + " percentage points or more.\n";
    }
    std::string out = "Providers (share of the scan's domains; moves of " +
                      fmt_share(s.threshold_pp) + " points or more, gained and lost):\n";
    auto line = [&](const ProviderShift& p) {
        const std::string who =
            p.asn ? "AS" + std::to_string(*p.asn) + (p.name.empty() ? "" : " (" + p.name + ")")
                  : p.name;
        char buf[512];
        std::snprintf(buf, sizeof buf,
                      "  %-40s %-6s %6llu -> %6llu domains  %6s%% -> %6s%%  (%+.2f)\n", who.c_str(),
                      p.change.c_str(), static_cast<unsigned long long>(p.domains_a),
                      static_cast<unsigned long long>(p.domains_b), fmt_share(p.share_a).c_str(),
                      fmt_share(p.share_b).c_str(), p.delta());
        out += buf;
    };
    for (const auto& p : s.asns) {
        line(p);
    }
    if (!s.orgs.empty()) {
        out += "  organisations:\n";
        for (const auto& p : s.orgs) {
            line(p);
        }
    }
    return out;
}

} // namespace dg::analytics
