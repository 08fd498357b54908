#pragma once
// The infrastructure graph of a scan, built incrementally, one domain result at a time:
//
//   domain -a/aaaa-> ip          domain -ns-> host      domain -mx-> host (preference)
//   domain -cname-> host -cname-> host ...               host -resolves_to-> ip
//   ip -in_prefix-> prefix      prefix -originated_by-> as (one edge per origin, MOAS kept)
//   as -operated_by-> org
//
// Node ids are "<type>:<key>" (domain:example.com, host:ns1.example.net, ip:192.0.2.1,
// prefix:192.0.2.0/24, as:64496, org:<name>), so a host that is also a scanned domain stays two
// nodes of different types. Each node and each edge is emitted once (infrastructure shared by
// many domains is remembered in a set: memory grows with distinct infrastructure, not domains).

#include "dg/model/model.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

namespace dg::exports {

struct GraphNode {
    std::string id;
    std::string_view type; ///< domain, host, ip, prefix, as, org
    std::string label;
    std::optional<std::string_view> status; ///< domain nodes: DNS status
    std::optional<std::uint32_t> asn;       ///< as nodes
};

struct GraphEdge {
    std::string source;
    std::string target;
    std::string_view type; ///< a, aaaa, ns, mx, cname, resolves_to, in_prefix, originated_by,
                           ///< operated_by
    std::optional<std::uint16_t> preference; ///< mx edges
};

class GraphBuilder {
public:
    using NodeFn = std::function<void(const GraphNode&)>;
    using EdgeFn = std::function<void(const GraphEdge&)>;
    GraphBuilder(NodeFn on_node, EdgeFn on_edge)
        : on_node_(std::move(on_node)), on_edge_(std::move(on_edge)) {}
    /// Emits the nodes and edges `r` adds (each node before any edge that uses it).
    void add(const model::DomainResult& r);

private:
    std::string node(std::string_view type, std::string_view key, bool shared);
    void edge(const std::string& source, const std::string& target, std::string_view type,
              std::optional<std::uint16_t> preference, bool shared);
    std::string address(const model::IpMapping& m);

    NodeFn on_node_;
    EdgeFn on_edge_;
    std::string_view domain_status_;
    std::unordered_set<std::string> nodes_;        ///< shared nodes seen
    std::unordered_set<std::string> edges_;        ///< shared edges seen
    std::unordered_set<std::string> domain_edges_; ///< edges of the current domain
};

/// XML character data / attribute value: & < > " ' escaped; TAB, LF, CR as character references
/// (so they survive attribute normalisation); other C0 controls, U+FFFE/U+FFFF and invalid UTF-8
/// (none of which XML 1.0 can carry) become U+FFFD. Appends to `out`.
void append_xml_escaped(std::string& out, std::string_view text);

} // namespace dg::exports
