#include "dg/hostnames/topology.hpp"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace dg::hostnames {
namespace internal {
const std::string& land_geojson(); // land_embedded.cpp (embed_land.cmake)
} // namespace internal
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

namespace {

constexpr double kMapWidth = 960;
constexpr double kMapHeight = 480;

double map_x(double lon) {
    return (lon + 180) / 360 * kMapWidth;
}
double map_y(double lat) {
    return (90 - lat) / 180 * kMapHeight;
}

/// The land outlines as SVG path data (equirectangular), or "" without embedded land.
std::string land_paths() {
    const std::string& text = internal::land_geojson();
    if (text.empty()) {
        return {};
    }
    const auto geo = nlohmann::json::parse(text, nullptr, false);
    if (geo.is_discarded()) {
        return {};
    }
    std::string d;
    char buf[48];
    auto ring_path = [&](const nlohmann::json& ring) {
        bool first = true;
        for (const auto& p : ring) {
            if (!p.is_array() || p.size() < 2 || !p[0].is_number() || !p[1].is_number()) {
                continue;
            }
            std::snprintf(buf, sizeof buf, "%c%.1f,%.1f", first ? 'M' : 'L',
                          map_x(p[0].get<double>()), map_y(p[1].get<double>()));
            d += buf;
            first = false;
        }
        d += 'Z';
    };
    const auto& features =
        geo.contains("features") ? geo["features"] : nlohmann::json::array({geo});
    for (const auto& f : features) {
        const auto& g = f.contains("geometry") ? f["geometry"] : f;
        const std::string type = g.value("type", "");
        const auto& coords = g.contains("coordinates") ? g["coordinates"] : nlohmann::json::array();
        if (type == "Polygon") {
            for (const auto& ring : coords) {
                ring_path(ring);
            }
        } else if (type == "MultiPolygon") {
            for (const auto& poly : coords) {
                for (const auto& ring : poly) {
                    ring_path(ring);
                }
            }
        }
    }
    return d;
}

} // namespace

std::string Topology::to_html() const {
    std::uint32_t most = 1;
    for (const auto& [key, e] : edges) {
        most = std::max(most, e.links);
    }
    const std::string land = land_paths();
    char buf[512];
    std::string out =
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>City topology"
        "</title><style>body{font-family:sans-serif;margin:1.5em}svg{max-width:100%;height:auto;"
        "background:#f5f8fc;border:1px solid #ccd}table{border-collapse:collapse;margin-top:1em}"
        "td,th{border:1px solid #aab;padding:2px 8px}td.n{text-align:right}</style></head><body>\n"
        "<h1>City-level topology</h1>\n";
    std::snprintf(buf, sizeof buf,
                  "<p>%zu cities, %zu links from %llu point-to-point pairs (%llu left out: a place "
                  "missing or unsure; %llu inside one city).%s</p>\n",
                  nodes.size(), edges.size(), static_cast<unsigned long long>(pairs),
                  static_cast<unsigned long long>(low_confidence),
                  static_cast<unsigned long long>(same_city),
                  land.empty() ? " (No land outlines in this build.)" : "");
    out += buf;
    std::snprintf(buf, sizeof buf,
                  "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" "
                  "width=\"%.0f\" height=\"%.0f\" role=\"img\" aria-label=\"cities and links\">",
                  kMapWidth, kMapHeight, kMapWidth, kMapHeight);
    out += buf;
    if (!land.empty()) {
        out += "<path fill=\"#dde3ea\" fill-rule=\"evenodd\" d=\"" + land + "\"/>";
    }
    for (const auto& [key, e] : edges) {
        const auto a = nodes.find(e.a);
        const auto b = nodes.find(e.b);
        if (a == nodes.end() || b == nodes.end()) {
            continue;
        }
        std::snprintf(buf, sizeof buf,
                      "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#dc2626\" "
                      "stroke-width=\"%.1f\" stroke-opacity=\"0.8\"/>",
                      map_x(a->second.lon), map_y(a->second.lat), map_x(b->second.lon),
                      map_y(b->second.lat), 1 + 3.0 * e.links / most);
        out += buf;
    }
    for (const auto& [id, n] : nodes) {
        std::snprintf(
            buf, sizeof buf,
            "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"#2563eb\"/><text x=\"%.1f\" "
            "y=\"%.1f\" font-size=\"10\">",
            map_x(n.lon), map_y(n.lat), map_x(n.lon) + 5, map_y(n.lat) - 4);
        out += buf + xml_escape(n.city) + "</text>";
    }
    out += "</svg>\n<table><tr><th>City</th><th>City</th><th>Links</th><th>Operators</th></tr>\n";
    for (const auto& [key, e] : edges) {
        std::string ops;
        for (const std::string& o : e.operators) {
            ops += (ops.empty() ? "" : ", ") + o;
        }
        out += "<tr><td>" + xml_escape(e.a) + "</td><td>" + xml_escape(e.b) +
               "</td><td class=\"n\">" + std::to_string(e.links) + "</td><td>" + xml_escape(ops) +
               "</td></tr>\n";
    }
    out += "</table>\n<p><small>Land: Natural Earth 1:110m (public domain), via the npm package "
           "world-atlas.</small></p></body></html>\n";
    return out;
}

} // namespace dg::hostnames
