#pragma once
// City-level topology from point-to-point neighbours (`hostnames topology`): the two addresses
// of an IPv4 /31 (or the usable pair of a /30, or an IPv6 /127) whose names both decode to a
// location become a link between the two cities (GINIE, Alur 2014, the topology chapter).

#include "dg/core/ip_address.hpp"
#include "dg/hostnames/decoder.hpp"

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace dg::hostnames {

struct TopologyOptions {
    bool pairs31 = true;         ///< /31 (and IPv6 /127) pairs
    bool pairs30 = true;         ///< the two usable addresses of a /30 (.1 and .2)
    float min_confidence = 0.5F; ///< locations below are left out (and counted)
};

struct CityNode {
    std::string id; ///< "City|CC"
    std::string city;
    std::string country;
    double lat = 0;
    double lon = 0;
    std::uint32_t interfaces = 0; ///< located addresses in pairs
};

struct CityEdge {
    std::string a; ///< node ids, a < b
    std::string b;
    std::uint32_t links = 0;
    std::set<std::string> operators; ///< registrable suffixes of the names
};

struct Topology {
    std::map<std::string, CityNode> nodes;
    std::map<std::pair<std::string, std::string>, CityEdge> edges;
    std::uint64_t addresses = 0;      ///< named addresses read
    std::uint64_t pairs = 0;          ///< point-to-point pairs with both names
    std::uint64_t low_confidence = 0; ///< pairs left out: a location missing or below the bar
    std::uint64_t same_city = 0;      ///< pairs inside one city (no edge)

    [[nodiscard]] std::string to_gexf() const;
    [[nodiscard]] std::string to_graphml() const;
    [[nodiscard]] std::string to_json() const;
    /// A page with an inline SVG map (cities as points, links as lines, on the world's land
    /// outlines embedded in the binary: nothing is loaded from the network) and the link table.
    [[nodiscard]] std::string to_html() const;
    /// The map alone: an SVG document (equirectangular, 960 x 480).
    [[nodiscard]] std::string to_svg() const;
};

/// Builds the topology of `names` (address, decoded name); decodes with `decoder`.
class TopologyBuilder {
public:
    TopologyBuilder(Decoder& decoder, TopologyOptions options);
    /// Adds one named address (names are decoded once all are in).
    void add(const IpAddress& address, std::string_view name);
    [[nodiscard]] Topology finish();

private:
    Decoder& decoder_;
    TopologyOptions options_;
    std::map<IpAddress, std::string> names_;
};

} // namespace dg::hostnames
