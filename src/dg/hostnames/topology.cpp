#include "dg/hostnames/topology.hpp"

#include <cstdio>

namespace dg::hostnames {
namespace {

std::string xml_escape(std::string_view s) {
    std::string out;
    for (const char c : s) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

std::string json_escape(std::string_view s) {
    std::string out;
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof(buf), "\\u%04x", u);
            out += buf;
        } else {
            out += c;
        }
    }
    return out;
}

std::string coord(double v) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.5f", v);
    return buf;
}

std::string join(const std::set<std::string>& s) {
    std::string out;
    for (const std::string& x : s) {
        out += out.empty() ? "" : " ";
        out += x;
    }
    return out;
}

/// The address `a` with its last bit flipped (/31, /127) or, for a /30, its usable partner.
bool partner(const IpAddress& a, bool slash30, IpAddress& out) {
    auto bytes = a.bytes();
    const std::size_t last = a.is_v4() ? 3 : 15;
    if (!slash30) {
        bytes[last] = static_cast<std::uint8_t>(bytes[last] ^ 1U);
    } else {
        if (!a.is_v4()) {
            return false;
        }
        const unsigned low = bytes[last] & 3U;
        if (low != 1 && low != 2) {
            return false;
        }
        bytes[last] = static_cast<std::uint8_t>((bytes[last] & ~3U) | (low == 1 ? 2U : 1U));
    }
    out = IpAddress::from_bytes(a.family(), bytes.data());
    return true;
}

} // namespace

TopologyBuilder::TopologyBuilder(Decoder& decoder, TopologyOptions options)
    : decoder_(decoder), options_(options) {}

void TopologyBuilder::add(const IpAddress& address, std::string_view name) {
    names_[address] = std::string(name);
}

Topology TopologyBuilder::finish() {
    Topology t;
    t.addresses = names_.size();
    Decoded a;
    Decoded b;
    std::set<std::pair<IpAddress, IpAddress>> seen;
    for (const auto& [addr, name] : names_) {
        for (int kind = 0; kind < 2; ++kind) {
            const bool slash30 = kind == 1;
            if ((slash30 && !options_.pairs30) || (!slash30 && !options_.pairs31)) {
                continue;
            }
            IpAddress other;
            if (!partner(addr, slash30, other) || !(addr < other)) {
                continue;
            }
            auto it = names_.find(other);
            if (it == names_.end() || !seen.emplace(addr, other).second) {
                continue;
            }
            ++t.pairs;
            decoder_.decode(name, addr.to_string(), a);
            decoder_.decode(it->second, other.to_string(), b);
            if (!a.has_location || !b.has_location || !a.location.has_coordinates ||
                !b.location.has_coordinates || a.location.confidence < options_.min_confidence ||
                b.location.confidence < options_.min_confidence) {
                ++t.low_confidence;
                continue;
            }
            std::string ids[2];
            const Decoded* ds[2] = {&a, &b};
            for (int k = 0; k < 2; ++k) {
                const Location& l = ds[k]->location;
                ids[k] = std::string(l.city) + "|" + std::string(l.country);
                CityNode& n = t.nodes[ids[k]];
                if (n.id.empty()) {
                    n.id = ids[k];
                    n.city = std::string(l.city);
                    n.country = std::string(l.country);
                    n.lat = l.lat;
                    n.lon = l.lon;
                }
                ++n.interfaces;
            }
            if (ids[0] == ids[1]) {
                ++t.same_city;
                continue;
            }
            if (ids[1] < ids[0]) {
                std::swap(ids[0], ids[1]);
            }
            CityEdge& e = t.edges[{ids[0], ids[1]}];
            e.a = ids[0];
            e.b = ids[1];
            ++e.links;
            e.operators.insert(std::string(a.suffix()));
            e.operators.insert(std::string(b.suffix()));
        }
    }
    return t;
}

std::string Topology::to_gexf() const {
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                      "<gexf xmlns=\"http://www.gexf.net/1.2draft\" version=\"1.2\">\n"
                      "  <graph mode=\"static\" defaultedgetype=\"undirected\">\n"
                      "    <attributes class=\"node\">\n"
                      "      <attribute id=\"0\" title=\"country\" type=\"string\"/>\n"
                      "      <attribute id=\"1\" title=\"lat\" type=\"double\"/>\n"
                      "      <attribute id=\"2\" title=\"lon\" type=\"double\"/>\n"
                      "      <attribute id=\"3\" title=\"interfaces\" type=\"integer\"/>\n"
                      "    </attributes>\n"
                      "    <attributes class=\"edge\">\n"
                      "      <attribute id=\"0\" title=\"links\" type=\"integer\"/>\n"
                      "      <attribute id=\"1\" title=\"operators\" type=\"string\"/>\n"
                      "    </attributes>\n    <nodes>\n";
    for (const auto& [id, n] : nodes) {
        out += "      <node id=\"" + xml_escape(id) + "\" label=\"" + xml_escape(n.city) +
               "\"><attvalues><attvalue for=\"0\" value=\"" + xml_escape(n.country) +
               "\"/><attvalue for=\"1\" value=\"" + coord(n.lat) +
               "\"/><attvalue for=\"2\" value=\"" + coord(n.lon) +
               "\"/><attvalue for=\"3\" value=\"" + std::to_string(n.interfaces) +
               "\"/></attvalues></node>\n";
    }
    out += "    </nodes>\n    <edges>\n";
    std::size_t i = 0;
    for (const auto& [key, e] : edges) {
        out += "      <edge id=\"" + std::to_string(i++) + "\" source=\"" + xml_escape(e.a) +
               "\" target=\"" + xml_escape(e.b) + "\" weight=\"" + std::to_string(e.links) +
               "\"><attvalues><attvalue for=\"0\" value=\"" + std::to_string(e.links) +
               "\"/><attvalue for=\"1\" value=\"" + xml_escape(join(e.operators)) +
               "\"/></attvalues></edge>\n";
    }
    out += "    </edges>\n  </graph>\n</gexf>\n";
    return out;
}

std::string Topology::to_graphml() const {
    std::string out =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n"
        "  <key id=\"city\" for=\"node\" attr.name=\"city\" attr.type=\"string\"/>\n"
        "  <key id=\"country\" for=\"node\" attr.name=\"country\" attr.type=\"string\"/>\n"
        "  <key id=\"lat\" for=\"node\" attr.name=\"lat\" attr.type=\"double\"/>\n"
        "  <key id=\"lon\" for=\"node\" attr.name=\"lon\" attr.type=\"double\"/>\n"
        "  <key id=\"interfaces\" for=\"node\" attr.name=\"interfaces\" attr.type=\"int\"/>\n"
        "  <key id=\"links\" for=\"edge\" attr.name=\"links\" attr.type=\"int\"/>\n"
        "  <key id=\"operators\" for=\"edge\" attr.name=\"operators\" attr.type=\"string\"/>\n"
        "  <graph id=\"cities\" edgedefault=\"undirected\">\n";
    for (const auto& [id, n] : nodes) {
        out += "    <node id=\"" + xml_escape(id) + "\"><data key=\"city\">" + xml_escape(n.city) +
               "</data><data key=\"country\">" + xml_escape(n.country) +
               "</data><data key=\"lat\">" + coord(n.lat) + "</data><data key=\"lon\">" +
               coord(n.lon) + "</data><data key=\"interfaces\">" + std::to_string(n.interfaces) +
               "</data></node>\n";
    }
    for (const auto& [key, e] : edges) {
        out += "    <edge source=\"" + xml_escape(e.a) + "\" target=\"" + xml_escape(e.b) +
               "\"><data key=\"links\">" + std::to_string(e.links) +
               "</data><data key=\"operators\">" + xml_escape(join(e.operators)) +
               "</data></edge>\n";
    }
    out += "  </graph>\n</graphml>\n";
    return out;
}

std::string Topology::to_json() const {
    std::string out = "{\"nodes\":[";
    bool first = true;
    for (const auto& [id, n] : nodes) {
        out += std::string(first ? "" : ",") + "{\"id\":\"" + json_escape(id) + "\",\"city\":\"" +
               json_escape(n.city) + "\",\"country\":\"" + json_escape(n.country) +
               "\",\"lat\":" + coord(n.lat) + ",\"lon\":" + coord(n.lon) +
               ",\"interfaces\":" + std::to_string(n.interfaces) + "}";
        first = false;
    }
    out += "],\"edges\":[";
    first = true;
    for (const auto& [key, e] : edges) {
        out += std::string(first ? "" : ",") + "{\"source\":\"" + json_escape(e.a) +
               "\",\"target\":\"" + json_escape(e.b) + "\",\"links\":" + std::to_string(e.links) +
               ",\"operators\":[";
        bool f2 = true;
        for (const std::string& o : e.operators) {
            out += std::string(f2 ? "" : ",") + "\"" + json_escape(o) + "\"";
            f2 = false;
        }
        out += "]}";
        first = false;
    }
    out += "],\"addresses\":" + std::to_string(addresses) + ",\"pairs\":" + std::to_string(pairs) +
           ",\"left_out_low_confidence\":" + std::to_string(low_confidence) +
           ",\"same_city\":" + std::to_string(same_city) + "}\n";
    return out;
}

} // namespace dg::hostnames
