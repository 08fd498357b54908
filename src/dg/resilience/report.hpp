#pragma once
// The paper's tables for a set of domains (`resilience report`, and the server's
// GET /api/v1/scans/{id}/resilience): Table 1 per resolver AS; Table 2 for the top hosting ASes,
// the top transit ASes, the top links and every IXP; and the domains' exposure
// (../shared/design/resilience-reference.md section 2.9). Also: the domains of a stored scan,
// and a graph with its resolver ASes loaded once.

#include "dg/resilience/analysis.hpp"
#include "dg/resilience/as_graph.hpp"
#include "dg/resilience/paths.hpp"
#include "dg/store/store.hpp"

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace dg::resilience {

struct ReportSetup {
    const AsGraph* graph = nullptr;
    PathParams params;
    std::vector<std::uint32_t> sources;   ///< dense ids
    const Targets* targets = nullptr;     ///< the domains' name-server ASes
    const DomainIndex* domains = nullptr; ///< required
    std::size_t top = 10;                 ///< rows of Table 2a/b/c
    IxpFailMode ixp_mode = IxpFailMode::Members;
    unsigned threads = 1;
};

/// {"path_rule", "table1": [{asn, unreachable_ases, unreachable_domains, mean_len}], "mu_path",
///  "table2": {"hosting", "transit", "links", "ixps"} (rows with res, mu_as, mu_dom, mu_path),
///  "exposure": {domains, all_name_servers_in_one_as, behind_one_transit_as, behind_one_ixp}}:
///  behind_one_ixp counts the domains that one IXP's failure cuts off from at least one resolver
///  AS (all their name-server ASes newly unreachable). Shortest model.
nlohmann::ordered_json report_tables(const ReportSetup& setup);

/// "A-B" by ASN, provider first.
std::string link_name(const AsGraph& g, std::uint32_t link);

/// Domains and their name-server ASes from a stored scan: every address of every NS host, every
/// origin of its prefix (a MOAS prefix makes the name server reachable if any origin is).
struct ScanDomains {
    DomainList list;
    std::uint64_t without_ns_as = 0; ///< domains none of whose name servers is routed
    std::uint64_t moas = 0;          ///< domains with a name server in a MOAS prefix
};
/// Errors: the store's; NotFound when no domain has a routed name server.
Result<ScanDomains> domains_of_scan(store::Store& store, std::int64_t scan_id);

/// "1,2,AS3", or a file with ASNs (',' / blank separated, '#' comments). Errors:
/// InvalidArgument naming `what` (or the file) and the bad token.
Result<std::vector<std::uint32_t>> parse_asn_list(const std::string& value_or_file,
                                                  const char* what);

/// An AS graph with its resolver ASes, loaded once (the server keeps one for its reports).
struct LoadedGraph {
    std::string rel_path;
    std::string ixp_path;
    RelReport rel;
    MeshReport mesh;
    std::optional<IxpMembership> ixp;
    std::unique_ptr<AsGraph> graph;
    std::vector<std::uint32_t> sources;         ///< dense ids, in the order given
    std::vector<std::uint32_t> sources_missing; ///< ASNs not in the graph
};
/// Reads `rel` (CAIDA as-rel), `ixp` ("" = none: no IXP mesh) and the resolver ASes `sources`
/// (as parse_asn_list reads them). Errors: the readers' (file:line), InvalidArgument.
Result<LoadedGraph> load_graph(const std::string& rel, const std::string& ixp,
                               const std::string& sources);

} // namespace dg::resilience
