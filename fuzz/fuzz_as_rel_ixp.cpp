// AS relationship and IXP membership readers over arbitrary bytes (the first byte picks the
// reader). Invariants: an accepted as-rel file yields a graph whose links are all in the CSR,
// seen from both ends with matching kinds, and whose counts agree with the report; an accepted
// membership lists sorted unique members; meshing it never adds a pair twice.

#include "dg/core/assert.hpp"
#include "dg/resilience/as_graph.hpp"

#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    using namespace dg::resilience;
    if (data[0] % 2 == 0) {
        RelReport report;
        auto edges = parse_as_rel(text, "fuzz", &report);
        if (!edges) {
            DG_REQUIRE(edges.error().line.has_value() || report.p2c + report.p2p + report.s2s == 0);
            return 0;
        }
        DG_REQUIRE(edges->size() + report.duplicates == report.p2c + report.p2p + report.s2s);
        const AsGraph g = AsGraph::build(*edges);
        DG_REQUIRE(g.links().size() == edges->size());
        for (std::uint32_t l = 0; l < g.links().size(); ++l) {
            const Link& link = g.links()[l];
            DG_REQUIRE(g.link_between(link.a, link.b) == l);
            DG_REQUIRE(g.link_between(link.b, link.a) == l);
        }
        (void)g.provider_cycle();
        return 0;
    }
    auto ixp = parse_ixp(text, "fuzz");
    if (!ixp) {
        return 0;
    }
    std::string rel;
    for (std::size_t i = 0; i < ixp->members.size(); ++i) {
        for (std::size_t k = 1; k < ixp->members[i].size(); ++k) {
            DG_REQUIRE(ixp->members[i][k - 1] < ixp->members[i][k]);
        }
        if (ixp->members[i].size() >= 2 && rel.size() < 4096) {
            rel += std::to_string(ixp->members[i][0]) + "|" + std::to_string(ixp->members[i][1]) +
                   "|-1\n";
        }
    }
    if (rel.empty()) {
        return 0;
    }
    auto edges = parse_as_rel(rel, "mesh");
    if (!edges) {
        return 0; // conflicting pairs derived from the input
    }
    std::size_t pairs = 0;
    for (const auto& m : ixp->members) {
        pairs += m.size() * (m.size() - (m.empty() ? 0 : 1)) / 2;
    }
    if (pairs > 200000) {
        return 0;
    }
    MeshReport mesh;
    const AsGraph g = AsGraph::build(*edges, &*ixp, &mesh);
    DG_REQUIRE(g.links().size() == edges->size() + mesh.links_added);
    for (std::size_t i = 0; i < g.ixp_count(); ++i) {
        const auto all = g.ixp_failed_links(i, IxpFailMode::Members);
        const auto mine = g.ixp_failed_links(i, IxpFailMode::Exclusive);
        DG_REQUIRE(mine.size() <= all.size());
    }
    return 0;
}
