#include "dg/export/graph.hpp"

namespace dg::exports {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

/// Length of the valid UTF-8 sequence at s[i] (0 when invalid), and its code point.
std::size_t utf8_sequence(std::string_view s, std::size_t i, std::uint32_t& cp) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    std::uint32_t min = 0;
    if (b0 < 0x80) {
        cp = b0;
        return 1;
    }
    if ((b0 & 0xe0u) == 0xc0u) {
        len = 2;
        cp = b0 & 0x1fu;
        min = 0x80;
    } else if ((b0 & 0xf0u) == 0xe0u) {
        len = 3;
        cp = b0 & 0x0fu;
        min = 0x800;
    } else if ((b0 & 0xf8u) == 0xf0u) {
        len = 4;
        cp = b0 & 0x07u;
        min = 0x10000;
    } else {
        return 0;
    }
    if (i + len > s.size()) {
        return 0;
    }
    for (std::size_t k = 1; k < len; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xc0u) != 0x80u) {
            return 0;
        }
        cp = (cp << 6) | (b & 0x3fu);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        return 0;
    }
    return len;
}

} // namespace

void append_xml_escaped(std::string& out, std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        std::uint32_t cp = 0;
        const std::size_t len = utf8_sequence(text, i, cp);
        if (len == 0) {
            out += kReplacement;
            ++i;
            continue;
        }
        switch (cp) {
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
        case '\'':
            out += "&apos;";
            break;
        case '\t':
            out += "&#9;";
            break;
        case '\n':
            out += "&#10;";
            break;
        case '\r':
            out += "&#13;";
            break;
        default:
            if (cp < 0x20 || cp == 0xfffe || cp == 0xffff) {
                out += kReplacement;
            } else {
                out.append(text.substr(i, len));
            }
        }
        i += len;
    }
}

std::string GraphBuilder::node(std::string_view type, std::string_view key, bool shared) {
    std::string id;
    id.reserve(type.size() + 1 + key.size());
    id.append(type).append(":").append(key);
    if (shared && !nodes_.insert(id).second) {
        return id;
    }
    GraphNode n;
    n.id = id;
    n.type = type;
    n.label = std::string(key);
    if (type == "domain") {
        n.status = domain_status_;
    }
    if (type == "as") {
        n.asn = static_cast<std::uint32_t>(std::stoul(std::string(key)));
    }
    on_node_(n);
    return id;
}

void GraphBuilder::edge(const std::string& source, const std::string& target, std::string_view type,
                        std::optional<std::uint16_t> preference, bool shared) {
    std::string key = source;
    key += '\x1f';
    key.append(type);
    key += '\x1f';
    key += target;
    auto& seen = shared ? edges_ : domain_edges_;
    if (!seen.insert(std::move(key)).second) {
        return;
    }
    on_edge_(GraphEdge{source, target, type, preference});
}

std::string GraphBuilder::address(const model::IpMapping& m) {
    std::string ip = node("ip", m.ip.to_string(), true);
    if (!m.prefix) {
        return ip;
    }
    const std::string prefix = node("prefix", m.prefix->to_string(), true);
    edge(ip, prefix, "in_prefix", std::nullopt, true);
    for (const Asn& a : m.origins) {
        const std::string as = node("as", a.to_string(), true);
        edge(prefix, as, "originated_by", std::nullopt, true);
        if (m.org && m.asn && *m.asn == a) {
            edge(as, node("org", *m.org, true), "operated_by", std::nullopt, true);
        }
    }
    if (m.asn && m.origins.empty()) {
        const std::string as = node("as", m.asn->to_string(), true);
        edge(prefix, as, "originated_by", std::nullopt, true);
        if (m.org) {
            edge(as, node("org", *m.org, true), "operated_by", std::nullopt, true);
        }
    }
    return ip;
}

void GraphBuilder::add(const model::DomainResult& r) {
    domain_edges_.clear();
    domain_status_ = r.status;
    const std::string domain = node("domain", r.domain, false);
    for (const auto* list : {&r.a, &r.aaaa}) {
        for (const auto& m : *list) {
            edge(domain, address(m), list == &r.a ? "a" : "aaaa", std::nullopt, false);
        }
    }
    std::string from = domain;
    for (const auto& c : r.cname) {
        std::string to = node("host", c.target, true);
        edge(from, to, "cname", std::nullopt, from != domain);
        from = std::move(to);
    }
    for (const auto& ns : r.ns) {
        const std::string host = node("host", ns.host, true);
        edge(domain, host, "ns", std::nullopt, false);
        for (const auto& m : ns.ips) {
            edge(host, address(m), "resolves_to", std::nullopt, true);
        }
    }
    for (const auto& mx : r.mx) {
        const std::string host = node("host", mx.host, true);
        edge(domain, host, "mx", mx.preference, false);
        for (const auto& m : mx.ips) {
            edge(host, address(m), "resolves_to", std::nullopt, true);
        }
    }
}

} // namespace dg::exports
