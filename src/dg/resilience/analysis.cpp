// Domains, targets and the paper's Table 1 / Table 2 metrics (analysis.hpp).
#include "dg/resilience/analysis.hpp"

#include "dg/core/asn.hpp"
#include "dg/core/byte_source.hpp"
#include "dg/core/text.hpp"

#include <algorithm>
#include <cstdio>

namespace dg::resilience {
namespace {

// ---- SHA-256 (FIPS 180-4) ----
constexpr std::array<std::uint32_t, 64> kK{
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

std::uint32_t rotr(std::uint32_t x, int n) {
    return (x >> n) | (x << (32 - n));
}

void sha_block(std::array<std::uint32_t, 8>& h, const unsigned char* p) {
    std::array<std::uint32_t, 64> w{};
    for (std::size_t i = 0; i < 16; ++i) {
        w[i] = (std::uint32_t{p[4 * i]} << 24) | (std::uint32_t{p[4 * i + 1]} << 16) |
               (std::uint32_t{p[4 * i + 2]} << 8) | std::uint32_t{p[4 * i + 3]};
    }
    for (std::size_t i = 16; i < 64; ++i) {
        const std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        const std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    std::array<std::uint32_t, 8> v = h;
    for (std::size_t i = 0; i < 64; ++i) {
        const std::uint32_t s1 = rotr(v[4], 6) ^ rotr(v[4], 11) ^ rotr(v[4], 25);
        const std::uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
        const std::uint32_t t1 = v[7] + s1 + ch + kK[i] + w[i];
        const std::uint32_t s0 = rotr(v[0], 2) ^ rotr(v[0], 13) ^ rotr(v[0], 22);
        const std::uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
        const std::uint32_t t2 = s0 + maj;
        v[7] = v[6];
        v[6] = v[5];
        v[5] = v[4];
        v[4] = v[3] + t1;
        v[3] = v[2];
        v[2] = v[1];
        v[1] = v[0];
        v[0] = t1 + t2;
    }
    for (std::size_t i = 0; i < 8; ++i) {
        h[i] += v[i];
    }
}

Error bad_line(const std::string& name, std::uint64_t line, std::string message) {
    return make_error(ErrorCode::Malformed, std::move(message)).at(name, std::nullopt, line);
}

} // namespace

std::string sha256_hex(std::string_view data) {
    std::array<std::uint32_t, 8> h{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
    std::size_t full = data.size() / 64;
    for (std::size_t i = 0; i < full; ++i) {
        sha_block(h, bytes + 64 * i);
    }
    std::array<unsigned char, 128> tail{};
    const std::size_t rest = data.size() - full * 64;
    std::copy(bytes + full * 64, bytes + data.size(), tail.begin());
    tail[rest] = 0x80;
    const std::size_t blocks = rest + 9 <= 64 ? 1 : 2;
    const std::uint64_t bits = std::uint64_t{data.size()} * 8;
    for (std::size_t i = 0; i < 8; ++i) {
        tail[blocks * 64 - 1 - i] = static_cast<unsigned char>(bits >> (8 * i));
    }
    for (std::size_t b = 0; b < blocks; ++b) {
        sha_block(h, tail.data() + 64 * b);
    }
    std::string out;
    char buf[9];
    for (const std::uint32_t x : h) {
        std::snprintf(buf, sizeof buf, "%08x", x);
        out += buf;
    }
    return out;
}

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
