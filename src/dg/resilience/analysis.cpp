// Domains, targets and the paper's Table 1 / Table 2 metrics (analysis.hpp).
#include "dg/resilience/analysis.hpp"

#include "dg/core/asn.hpp"
#include "dg/core/byte_source.hpp"
#include "dg/core/sha256.hpp"
#include "dg/core/text.hpp"

#include <algorithm>
#include <cstdio>

namespace dg::resilience {
namespace {

// ---- SHA-256 (FIPS 180-4) ----
Error bad_line(const std::string& name, std::uint64_t line, std::string message) {
    return make_error(ErrorCode::Malformed, std::move(message)).at(name, std::nullopt, line);
}

} // namespace

Result<DomainList> parse_domains(std::string_view content, const std::string& name) {
    DomainList out;
    std::uint64_t number = 0;
    std::size_t pos = 0;
    while (pos < content.size()) {
        std::size_t nl = content.find('\n', pos);
        if (nl == std::string_view::npos) {
            nl = content.size();
        }
        const std::string_view line = trim(content.substr(pos, nl - pos));
        pos = nl + 1;
        ++number;
        if (line.empty() || line.front() == '#') {
            continue;
        }
        const std::size_t tab = line.find('\t');
        if (tab == std::string_view::npos) {
            return bad_line(name, number, "expected 'domain<TAB>ASN[,ASN...]'");
        }
        const std::string_view domain = trim(line.substr(0, tab));
        std::string_view list = trim(line.substr(tab + 1));
        std::vector<std::uint32_t> asns;
        while (!list.empty()) {
            const std::size_t comma = list.find(',');
            const std::string_view one = trim(list.substr(0, comma));
            auto asn = Asn::parse(one);
            if (!asn) {
                return bad_line(name, number, "bad AS number '" + std::string(one) + "'");
            }
            asns.push_back(asn->value());
            list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
        }
        if (domain.empty() || asns.empty()) {
            return bad_line(name, number, "expected 'domain<TAB>ASN[,ASN...]'");
        }
        std::sort(asns.begin(), asns.end());
        asns.erase(std::unique(asns.begin(), asns.end()), asns.end());
        out.names.emplace_back(domain);
        out.asns.push_back(std::move(asns));
    }
    if (out.names.empty()) {
        return make_error(ErrorCode::Malformed, "no domain line").at(name);
    }
    return out;
}

Result<DomainList> read_domains(const std::string& path) {
    DG_TRY(auto source, io::open(path));
    DG_TRY(auto bytes, io::read_all(*source));
    return parse_domains(
        std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), path);
}

DomainIndex index_domains(const AsGraph& g, const DomainList& list) {
    DomainIndex idx;
    idx.ases.resize(list.names.size());
    idx.domains.resize(g.size());
    idx.weight.assign(g.size(), 0);
    std::vector<std::uint32_t> missing;
    for (std::size_t d = 0; d < list.names.size(); ++d) {
        for (const std::uint32_t asn : list.asns[d]) {
            const auto id = g.id_of(asn);
            if (!id) {
                missing.push_back(asn);
                continue;
            }
            idx.ases[d].push_back(*id);
            idx.domains[*id].push_back(static_cast<std::uint32_t>(d));
            ++idx.weight[*id];
        }
        if (idx.ases[d].empty()) {
            ++idx.without_graph_as;
        }
    }
    std::sort(missing.begin(), missing.end());
    idx.asns_not_in_graph =
        static_cast<std::uint64_t>(std::unique(missing.begin(), missing.end()) - missing.begin());
    return idx;
}

Targets make_targets(const AsGraph& g, const std::vector<std::uint32_t>& asns, bool all) {
    Targets t;
    t.mask.assign(g.size(), all ? 1 : 0);
    if (!all) {
        std::vector<std::uint32_t> sorted = asns;
        std::sort(sorted.begin(), sorted.end());
        sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
        for (const std::uint32_t asn : sorted) {
            const auto id = g.id_of(asn);
            if (id) {
                t.mask[*id] = 1;
            } else {
                ++t.not_in_graph;
            }
        }
    }
    for (std::uint32_t v = 0; v < g.size(); ++v) {
        if (t.mask[v] != 0) {
            t.ids.push_back(v);
        }
    }
    return t;
}

SourceSummary summarize(const AsGraph& g, std::uint32_t source,
                        const std::vector<std::uint16_t>& dist, const Targets& targets,
                        const DomainIndex* domains) {
    SourceSummary s;
    s.source = source;
    s.targets = targets.ids.size();
    std::string lines;
    double sum = 0;
    for (const std::uint32_t v : targets.ids) {
        const std::uint16_t d = dist[v];
        if (d == kUnreachable) {
            s.unreachable.push_back(v);
            continue;
        }
        ++s.reachable;
        sum += d;
        s.max_len = std::max(s.max_len, d);
        ++s.hist[d];
        lines += std::to_string(g.asn(v));
        lines += ' ';
        lines += std::to_string(d);
        lines += '\n';
        const double w = domains != nullptr ? domains->weight[v] : 1.0;
        s.wsum += w * d;
        s.wcount += w;
    }
    s.mean_len = s.reachable > 0 ? sum / static_cast<double>(s.reachable) : 0.0;
    s.dist_sha256 = sha256_hex(lines);
    if (domains != nullptr) {
        if (s.wcount > 0) {
            s.weighted_mean_len = s.wsum / s.wcount;
        }
        std::uint64_t cut = 0;
        for (const auto& ases : domains->ases) {
            if (ases.empty()) {
                continue;
            }
            const bool any = std::any_of(ases.begin(), ases.end(), [&](std::uint32_t a) {
                return targets.mask[a] != 0 && dist[a] != kUnreachable;
            });
            if (!any) {
                ++cut;
            }
        }
        s.unreachable_domains = cut;
    }
    return s;
}

double mu_path(const std::vector<SourceSummary>& summaries, bool with_domains) {
    double sum = 0;
    std::size_t n = 0;
    for (const SourceSummary& s : summaries) {
        if (with_domains) {
            if (s.weighted_mean_len) {
                sum += *s.weighted_mean_len;
                ++n;
            }
        } else if (s.reachable > 0) {
            sum += s.mean_len;
            ++n;
        }
    }
    return n > 0 ? sum / static_cast<double>(n) : 0.0;
}

ScenarioSummary summarize_scenario(const std::vector<SourceSummary>& baseline,
                                   const std::vector<std::vector<std::uint16_t>>& base_dist,
                                   const std::vector<SourceOutcome>& outcomes,
                                   const Failure& failure, const Targets& targets,
                                   const DomainIndex* domains, std::vector<std::uint8_t>& dead) {
    ScenarioSummary out;
    dead.resize(targets.mask.size(), 0);
    for (const std::uint32_t x : failure.ases) {
        dead[x] = 1;
    }
    auto weight = [&](std::uint32_t v) {
        return domains != nullptr ? static_cast<double>(domains->weight[v]) : 1.0;
    };
    double sum_as = 0;
    double sum_dom = 0;
    double sum_path = 0;
    std::size_t paths = 0;
    std::vector<std::uint32_t> candidates;
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
        const SourceSummary& b = baseline[i];
        const auto& bd = base_dist[i];
        SourceScenario sc;
        sc.source = b.source;
        sc.source_failed = outcomes[i].source_failed;
        if (sc.source_failed) {
            out.per_source.push_back(std::move(sc));
            continue;
        }
        double wsum = b.wsum;
        double wcount = b.wcount;
        for (const std::uint32_t x : failure.ases) {
            if (targets.mask[x] != 0 && bd[x] != kUnreachable) {
                wsum -= weight(x) * bd[x];
                wcount -= weight(x);
            }
        }
        const auto& changes = outcomes[i].changes;
        for (const Change& c : changes) {
            const double w = weight(c.target);
            if (c.old_dist != kUnreachable) {
                wsum -= w * c.old_dist;
                wcount -= w;
            }
            if (c.new_dist != kUnreachable) {
                wsum += w * c.new_dist;
                wcount += w;
            }
            if (c.old_dist != kUnreachable && c.new_dist == kUnreachable) {
                sc.newly_unreachable.push_back(c.target);
            } else if (c.old_dist != kUnreachable) {
                ++sc.dist_changed;
            }
        }
        if (wcount > 0.5) {
            sc.mean_len = wsum / wcount;
            sum_path += *sc.mean_len;
            ++paths;
        }
        if (domains != nullptr) {
            candidates.clear();
            for (const std::uint32_t v : sc.newly_unreachable) {
                candidates.insert(candidates.end(), domains->domains[v].begin(),
                                  domains->domains[v].end());
            }
            for (const std::uint32_t x : failure.ases) {
                candidates.insert(candidates.end(), domains->domains[x].begin(),
                                  domains->domains[x].end());
            }
            std::sort(candidates.begin(), candidates.end());
            candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
            auto now = [&](std::uint32_t a) -> std::uint16_t {
                auto it =
                    std::lower_bound(changes.begin(), changes.end(), a,
                                     [](const Change& c, std::uint32_t v) { return c.target < v; });
                return it != changes.end() && it->target == a ? it->new_dist : bd[a];
            };
            for (const std::uint32_t dom : candidates) {
                bool base_reach = false;
                bool live_base = false;
                bool now_reach = false;
                for (const std::uint32_t a : domains->ases[dom]) {
                    if (targets.mask[a] == 0 || bd[a] == kUnreachable) {
                        continue;
                    }
                    base_reach = true;
                    if (dead[a] != 0) {
                        continue;
                    }
                    live_base = true;
                    if (now(a) != kUnreachable) {
                        now_reach = true;
                    }
                }
                if (base_reach && live_base && !now_reach) {
                    ++sc.newly_unreachable_domains;
                }
            }
        }
        if (!sc.newly_unreachable.empty()) {
            ++out.res;
            sum_as += static_cast<double>(sc.newly_unreachable.size());
            sum_dom += static_cast<double>(sc.newly_unreachable_domains);
        }
        out.per_source.push_back(std::move(sc));
    }
    for (const std::uint32_t x : failure.ases) {
        dead[x] = 0;
    }
    if (out.res > 0) {
        out.mu_as = sum_as / static_cast<double>(out.res);
        out.mu_dom = sum_dom / static_cast<double>(out.res);
    }
    out.mu_path = paths > 0 ? sum_path / static_cast<double>(paths) : 0.0;
    return out;
}

std::vector<std::vector<std::uint16_t>> compute_distances(const AsGraph& g, Model model,
                                                          const PathParams& params,
                                                          const std::vector<std::uint32_t>& sources,
                                                          const Targets& targets,
                                                          const Failure* failure) {
    std::vector<std::uint8_t> dead_as;
    std::vector<std::uint8_t> dead_link;
    if (failure != nullptr) {
        make_masks(g, *failure, dead_as, dead_link);
    }
    std::vector<std::vector<std::uint16_t>> out(sources.size());
    if (model == Model::Shortest) {
        for (std::size_t i = 0; i < sources.size(); ++i) {
            out[i] = shortest_distances(g, sources[i], params, dead_as, dead_link);
        }
        return out;
    }
    for (auto& d : out) {
        d.assign(g.size(), kUnreachable);
    }
    for (const std::uint32_t t : targets.ids) {
        const RoutingTree tree = routing_tree(g, t, params.max_hops, dead_as, dead_link);
        for (std::size_t i = 0; i < sources.size(); ++i) {
            out[i][t] = tree.length[sources[i]];
        }
    }
    return out;
}

std::vector<SourceOutcome> diff_outcomes(const std::vector<std::uint32_t>& sources,
                                         const std::vector<std::vector<std::uint16_t>>& base,
                                         const std::vector<std::vector<std::uint16_t>>& now,
                                         const Targets& targets, const Failure& failure) {
    std::vector<SourceOutcome> out(sources.size());
    std::vector<std::uint8_t> dead(targets.mask.size(), 0);
    for (const std::uint32_t x : failure.ases) {
        dead[x] = 1;
    }
    for (std::size_t i = 0; i < sources.size(); ++i) {
        if (dead[sources[i]] != 0) {
            out[i].source_failed = true;
            continue;
        }
        for (const std::uint32_t v : targets.ids) {
            if (dead[v] == 0 && base[i][v] != now[i][v]) {
                out[i].changes.push_back(Change{v, base[i][v], now[i][v]});
            }
        }
    }
    return out;
}

} // namespace dg::resilience
