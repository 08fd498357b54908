#include "dg/resilience/report.hpp"

#include "dg/core/asn.hpp"
#include "dg/core/text.hpp"
#include "dg/resilience/sweep.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <span>
#include <sstream>

namespace dg::resilience {
namespace {

using Json = nlohmann::ordered_json;

/// The ids 0..n-1 with the largest key (ties: lower id first), at most `top`, none with key 0.
template <class Key> std::vector<std::uint32_t> ranked(std::size_t n, std::size_t top, Key key) {
    std::vector<std::uint32_t> ids(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        ids[i] = i;
    }
    std::stable_sort(ids.begin(), ids.end(),
                     [&](std::uint32_t x, std::uint32_t y) { return key(x) > key(y); });
    std::vector<std::uint32_t> out;
    for (const std::uint32_t i : ids) {
        if (out.size() == top || key(i) == 0) {
            break;
        }
        out.push_back(i);
    }
    return out;
}

Json with_columns(Json row, const ScenarioSummary& s) {
    row["res"] = s.res;
    row["mu_as"] = s.mu_as;
    row["mu_dom"] = s.mu_dom;
    row["mu_path"] = s.mu_path;
    return row;
}

/// Exposure: domains whose name servers all sit in one AS, and those whose name-server ASes
/// are all single-homed to one and the same provider (no peers, no siblings).
Json exposure_json(const AsGraph& g, const DomainIndex& dom) {
    std::uint64_t one_as = 0;
    std::uint64_t one_upstream = 0;
    for (const auto& ases : dom.ases) {
        if (ases.empty()) {
            continue;
        }
        one_as += ases.size() == 1 ? 1U : 0U;
        std::optional<std::uint32_t> upstream;
        bool single = true;
        for (const std::uint32_t v : ases) {
            const auto prov = g.adj(v, Kind::Provider);
            if (prov.size() != 1 || !g.adj(v, Kind::Peer).empty() ||
                !g.adj(v, Kind::Sibling).empty() || (upstream && *upstream != prov[0].nbr)) {
                single = false;
                break;
            }
            upstream = prov[0].nbr;
        }
        one_upstream += single ? 1U : 0U;
    }
    return {{"domains", dom.ases.size() - dom.without_graph_as},
            {"all_name_servers_in_one_as", one_as},
            {"behind_one_transit_as", one_upstream}};
}

/// Domains that one of `scenarios` cuts off from at least one resolver AS (every name-server AS
/// of the domain newly unreachable from that source). Work: the domains of the ASes cut off.
std::uint64_t domains_cut_by_any(const AsGraph& g, const DomainIndex& dom,
                                 std::span<const ScenarioSummary> scenarios) {
    std::vector<std::uint8_t> dead(g.size(), 0);
    std::vector<std::uint8_t> cut(dom.ases.size(), 0);
    std::uint64_t count = 0;
    for (const ScenarioSummary& s : scenarios) {
        for (const SourceScenario& ps : s.per_source) {
            for (const std::uint32_t v : ps.newly_unreachable) {
                dead[v] = 1;
            }
            for (const std::uint32_t v : ps.newly_unreachable) {
                for (const std::uint32_t d : dom.domains[v]) {
                    const auto& ases = dom.ases[d];
                    if (cut[d] == 0 && std::all_of(ases.begin(), ases.end(),
                                                   [&](std::uint32_t a) { return dead[a] != 0; })) {
                        cut[d] = 1;
                        ++count;
                    }
                }
            }
            for (const std::uint32_t v : ps.newly_unreachable) {
                dead[v] = 0;
            }
        }
    }
    return count;
}

} // namespace

std::string link_name(const AsGraph& g, std::uint32_t l) {
    const auto& link = g.links()[l];
    return std::to_string(g.asn(link.a)) + "-" + std::to_string(g.asn(link.b));
}

Json report_tables(const ReportSetup& r) {
    const AsGraph& g = *r.graph;
    const DomainIndex& dom = *r.domains;
    SweepSetup setup;
    setup.graph = &g;
    setup.model = Model::Shortest;
    setup.params = r.params;
    setup.sources = r.sources;
    setup.targets = r.targets;
    setup.domains = &dom;
    setup.threads = std::max(1U, r.threads);
    Sweeper sweeper(setup);
    Json table1 = Json::array();
    for (const auto& s : sweeper.baseline()) {
        table1.push_back(
            {{"asn", g.asn(s.source)},
             {"unreachable_ases", s.unreachable.size()},
             {"unreachable_domains", s.unreachable_domains.value_or(0)},
             {"mean_len", s.weighted_mean_len ? Json(*s.weighted_mean_len) : Json(nullptr)}});
    }
    // the scenarios of Table 2
    const auto counts = transit_counts(g, r.params, r.sources, r.targets->ids);
    const auto hosting = ranked(g.size(), r.top, [&](std::uint32_t v) -> std::uint64_t {
        return r.targets->mask[v] != 0 ? dom.weight[v] : 0;
    });
    const auto transit =
        ranked(g.size(), r.top, [&](std::uint32_t v) { return counts.as_paths[v]; });
    const auto links =
        ranked(g.links().size(), r.top, [&](std::uint32_t x) { return counts.link_paths[x]; });
    std::vector<Failure> scenarios;
    for (const std::uint32_t v : hosting) {
        scenarios.push_back(Failure{{v}, {}});
    }
    for (const std::uint32_t v : transit) {
        scenarios.push_back(Failure{{v}, {}});
    }
    for (const std::uint32_t x : links) {
        scenarios.push_back(Failure{{}, {x}});
    }
    std::vector<std::size_t> ixp_failed;
    for (std::size_t i = 0; i < g.ixp_count(); ++i) {
        scenarios.push_back(Failure{{}, g.ixp_failed_links(i, r.ixp_mode)});
        ixp_failed.push_back(scenarios.back().links.size());
    }
    const std::size_t first_ixp = scenarios.size() - ixp_failed.size();
    std::vector<ScenarioSummary> results(scenarios.size());
    sweeper.run(scenarios, [&](std::size_t i, const ScenarioSummary& s) { results[i] = s; });
    const std::uint64_t behind_one_ixp =
        domains_cut_by_any(g, dom, std::span<const ScenarioSummary>(results).subspan(first_ixp));
    std::size_t k = 0;
    Json a = Json::array();
    for (const std::uint32_t v : hosting) {
        a.push_back(with_columns({{"asn", g.asn(v)}, {"domains", dom.weight[v]}}, results[k++]));
    }
    Json b = Json::array();
    for (const std::uint32_t v : transit) {
        b.push_back(with_columns({{"asn", g.asn(v)}, {"paths", counts.as_paths[v]}}, results[k++]));
    }
    Json c = Json::array();
    for (const std::uint32_t x : links) {
        c.push_back(with_columns({{"link", link_name(g, x)}, {"paths", counts.link_paths[x]}},
                                 results[k++]));
    }
    Json ixps = Json::array();
    for (std::size_t i = 0; i < g.ixp_count(); ++i) {
        ixps.push_back(
            with_columns({{"ixp", g.ixp_name(i)}, {"links_failed", ixp_failed[i]}}, results[k++]));
    }
    std::stable_sort(ixps.begin(), ixps.end(), [](const Json& x, const Json& y) {
        const auto xr = x["res"].get<std::uint64_t>();
        const auto yr = y["res"].get<std::uint64_t>();
        return xr != yr ? xr > yr : x["mu_as"].get<double>() > y["mu_as"].get<double>();
    });
    Json j;
    j["path_rule"] = "one path per (resolver AS, name-server AS) pair; parent = the predecessor "
                     "one hop closer with the lowest ASN";
    j["table1"] = std::move(table1);
    j["mu_path"] = mu_path(sweeper.baseline(), true);
    j["table2"] = {{"hosting", a}, {"transit", b}, {"links", c}, {"ixps", ixps}};
    j["exposure"] = exposure_json(g, dom);
    j["exposure"]["behind_one_ixp"] = behind_one_ixp;
    return j;
}

Result<ScanDomains> domains_of_scan(store::Store& store, std::int64_t scan_id) {
    ScanDomains out;
    std::vector<std::uint32_t> asns;
    DG_TRY_VOID(store.results(scan_id, store::ResultFilter{}, [&](const store::StoredResult& r) {
        asns.clear();
        bool moas = false;
        for (const auto& ns : r.result.ns) {
            for (const auto& ip : ns.ips) {
                for (const Asn& origin : ip.origins) {
                    asns.push_back(origin.value());
                }
                if (ip.origins.empty() && ip.asn) {
                    asns.push_back(ip.asn->value());
                }
                moas = moas || ip.origins.size() > 1;
            }
        }
        std::sort(asns.begin(), asns.end());
        asns.erase(std::unique(asns.begin(), asns.end()), asns.end());
        if (asns.empty()) {
            ++out.without_ns_as;
            return true;
        }
        out.moas += moas ? 1 : 0;
        out.list.names.push_back(r.result.domain);
        out.list.asns.push_back(asns);
        return true;
    }));
    if (out.list.names.empty()) {
        return make_error(ErrorCode::NotFound, "scan " + std::to_string(scan_id) +
                                                   " has no domain with a routed name server");
    }
    return out;
}

Result<std::vector<std::uint32_t>> parse_asn_list(const std::string& value, const char* what) {
    std::string text = value;
    std::string where = std::string(what);
    std::error_code ec;
    if (std::filesystem::is_regular_file(value, ec)) {
        std::ifstream in(value);
        std::stringstream ss;
        ss << in.rdbuf();
        text.clear();
        std::string line;
        while (std::getline(ss, line)) {
            const auto hash = line.find('#');
            text += line.substr(0, hash);
            text += ',';
        }
        where = value;
    }
    std::vector<std::uint32_t> out;
    std::string token;
    auto flush = [&]() -> Result<void> {
        const std::string_view t = trim(token);
        if (!t.empty()) {
            auto asn = Asn::parse(t);
            if (!asn) {
                return make_error(ErrorCode::InvalidArgument,
                                  where + ": bad AS number '" + std::string(t) + "'");
            }
            out.push_back(asn->value());
        }
        token.clear();
        return ok();
    };
    for (const char c : text) {
        if (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            DG_TRY_VOID(flush());
        } else {
            token += c;
        }
    }
    DG_TRY_VOID(flush());
    return out;
}

Result<LoadedGraph> load_graph(const std::string& rel, const std::string& ixp,
                               const std::string& sources) {
    LoadedGraph l;
    l.rel_path = rel;
    l.ixp_path = ixp;
    DG_TRY(auto edges, read_as_rel(rel, &l.rel));
    if (!ixp.empty()) {
        DG_TRY(auto m, read_ixp(ixp));
        l.ixp = std::move(m);
    }
    l.graph = std::make_unique<AsGraph>(
        AsGraph::build(edges, l.ixp ? &*l.ixp : nullptr, l.ixp ? &l.mesh : nullptr));
    DG_TRY(auto asns, parse_asn_list(sources, "resolver ASes"));
    if (asns.empty()) {
        return make_error(ErrorCode::InvalidArgument, "no resolver ASes given");
    }
    for (const std::uint32_t asn : asns) {
        const auto id = l.graph->id_of(asn);
        auto& into = id ? l.sources : l.sources_missing;
        const std::uint32_t v = id ? *id : asn;
        if (std::find(into.begin(), into.end(), v) == into.end()) {
            into.push_back(v);
        }
    }
    return l;
}

} // namespace dg::resilience
