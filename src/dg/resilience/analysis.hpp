#pragma once
// Targets, domains and the paper's metrics (Table 1 per resolver AS, Table 2 per failure) over
// distances computed by paths.hpp (../shared/design/resilience-reference.md section 2.9).

#include "dg/resilience/as_graph.hpp"
#include "dg/resilience/paths.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dg::resilience {

/// Domains and the ASes hosting their name servers (`domain<TAB>ASN[,ASN...]`).
struct DomainList {
    std::vector<std::string> names;
    std::vector<std::vector<std::uint32_t>> asns; ///< sorted, unique
};
/// Errors: Malformed with source:line; NotFound/Io.
Result<DomainList> read_domains(const std::string& path);
Result<DomainList> parse_domains(std::string_view content, const std::string& name);

/// Domains mapped onto the graph.
struct DomainIndex {
    std::vector<std::vector<std::uint32_t>> ases;    ///< per domain, dense ids in the graph
    std::vector<std::vector<std::uint32_t>> domains; ///< per dense id, domain indices
    std::vector<std::uint32_t> weight;               ///< per dense id, |D(s)|
    std::uint64_t without_graph_as = 0;              ///< domains none of whose ASes is in the graph
    std::uint64_t asns_not_in_graph = 0;             ///< distinct name-server ASNs absent
};
DomainIndex index_domains(const AsGraph& g, const DomainList& list);

/// The target set: mask over dense ids and the ids ascending.
struct Targets {
    std::vector<std::uint8_t> mask;
    std::vector<std::uint32_t> ids;
    std::uint64_t not_in_graph = 0;
};
Targets make_targets(const AsGraph& g, const std::vector<std::uint32_t>& asns, bool all);

/// Table 1 for one source.
struct SourceSummary {
    std::uint32_t source = 0; ///< dense id
    std::uint64_t targets = 0;
    std::uint64_t reachable = 0;
    std::vector<std::uint32_t> unreachable; ///< dense ids, ascending
    double mean_len = 0;                    ///< 0 when nothing is reachable
    std::optional<double> weighted_mean_len;
    std::uint16_t max_len = 0;
    std::map<std::uint16_t, std::uint64_t> hist;
    std::string dist_sha256;
    std::optional<std::uint64_t> unreachable_domains;
    // sums for Table 2's μ_path (weights: |D(s)| with domains, else 1)
    double wsum = 0;
    double wcount = 0;
};

/// `dist` per dense id (only targets are read). `domains` may be null.
SourceSummary summarize(const AsGraph& g, std::uint32_t source,
                        const std::vector<std::uint16_t>& dist, const Targets& targets,
                        const DomainIndex* domains);
/// μ_path: the plain mean over the sources of their weighted (with domains) or plain mean.
double mu_path(const std::vector<SourceSummary>& summaries, bool with_domains);

/// One source under one failure.
struct SourceScenario {
    std::uint32_t source = 0;
    bool source_failed = false;
    std::vector<std::uint32_t> newly_unreachable; ///< dense ids (failed ASes excluded)
    std::uint64_t dist_changed = 0;               ///< still reachable, other distance
    std::uint64_t newly_unreachable_domains = 0;  ///< with domains (Table 2 rule)
    std::optional<double> mean_len;               ///< (weighted) mean in the failure graph
};
/// Table 2 columns.
struct ScenarioSummary {
    std::vector<SourceScenario> per_source;
    std::uint64_t res = 0;
    double mu_as = 0;
    double mu_dom = 0;
    double mu_path = 0;
};

/// Builds a scenario summary from per-source changes (SourceOutcome from either the incremental
/// sweep or a full recomputation compared with the baseline).
ScenarioSummary summarize_scenario(const std::vector<SourceSummary>& baseline,
                                   const std::vector<std::vector<std::uint16_t>>& base_dist,
                                   const std::vector<SourceOutcome>& outcomes,
                                   const Failure& failure, const Targets& targets,
                                   const DomainIndex* domains,
                                   std::vector<std::uint8_t>& dead_scratch);

/// Full recomputation: per source, distances to every AS (shortest) or to the targets (tree).
std::vector<std::vector<std::uint16_t>> compute_distances(const AsGraph& g, Model model,
                                                          const PathParams& params,
                                                          const std::vector<std::uint32_t>& sources,
                                                          const Targets& targets,
                                                          const Failure* failure);
/// Per-source outcomes of a failure from baseline and failure distances.
std::vector<SourceOutcome> diff_outcomes(const std::vector<std::uint32_t>& sources,
                                         const std::vector<std::vector<std::uint16_t>>& base,
                                         const std::vector<std::vector<std::uint16_t>>& now,
                                         const Targets& targets, const Failure& failure);

} // namespace dg::resilience
