#include "dg/scan/text_format.hpp"

namespace dg::scan {
namespace {

std::string route_text(const model::IpMapping& m) {
    std::string out = m.ip.to_string();
    if (!m.prefix) {
        return out + "  (unrouted)";
    }
    out += "  " + m.prefix->to_string() + "  AS" + m.asn->to_string();
    if (m.origins.size() > 1) {
        out += " (MOAS:";
        for (const auto& o : m.origins) {
            out += " AS" + o.to_string();
        }
        out += ")";
    }
    if (m.org) {
        out += "  " + *m.org;
    }
    return out;
}

void append_host_addresses(std::string& out, const std::vector<model::IpMapping>& ips) {
    if (ips.empty()) {
        out += "  (no address)\n";
        return;
    }
    out += "\n";
    for (const auto& ip : ips) {
        out += "          " + route_text(ip) + "\n";
    }
}

} // namespace

void append_text(std::string& out, const model::DomainResult& r) {
    out += r.domain + "  " + r.status;
    if (r.error) {
        out += "  (" + *r.error + ")";
    }
    out += "\n";
    for (const auto& c : r.cname) {
        out += "  CNAME " + c.target + "\n";
    }
    for (const auto& a : r.a) {
        out += "  A     " + route_text(a) + "\n";
    }
    for (const auto& a : r.aaaa) {
        out += "  AAAA  " + route_text(a) + "\n";
    }
    for (const auto& n : r.ns) {
        out += "  NS    " + n.host;
        append_host_addresses(out, n.ips);
    }
    for (const auto& m : r.mx) {
        out += "  MX    " + std::to_string(m.preference) + " " + m.host;
        append_host_addresses(out, m.ips);
    }
}

} // namespace dg::scan
