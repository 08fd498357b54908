#include "dg/scan/assemble.hpp"

#include <algorithm>

namespace dg::scan {
namespace {

constexpr std::uint16_t kTypeA = 1;
constexpr std::uint16_t kTypeNs = 2;
constexpr std::uint16_t kTypeMx = 15;
constexpr std::uint16_t kTypeAaaa = 28;

const dns::TypeAnswer* answer_of(const dns::NameResult& r, std::uint16_t type) {
    for (const auto& t : r.types) {
        if (t.type == type) {
            return &t;
        }
    }
    return nullptr;
}

std::vector<model::IpMapping> map_addresses(const dns::TypeAnswer* answer,
                                            const AddressMapper& mapper) {
    std::vector<model::IpMapping> out;
    if (answer == nullptr) {
        return out;
    }
    for (const auto& rec : answer->records) {
        auto ip = IpAddress::parse(rec.data);
        if (ip && std::none_of(out.begin(), out.end(),
                               [&](const model::IpMapping& m) { return m.ip == *ip; })) {
            out.push_back(mapper.map(*ip, rec.ttl));
        }
    }
    std::sort(out.begin(), out.end(),
              [](const model::IpMapping& x, const model::IpMapping& y) { return x.ip < y.ip; });
    return out;
}

std::vector<model::IpMapping> host_mappings(const std::string& host,
                                            std::span<const HostAddresses> hosts,
                                            const AddressMapper& mapper) {
    std::vector<model::IpMapping> out;
    for (const auto& h : hosts) {
        if (h.host != host) {
            continue;
        }
        for (const auto& a : h.addresses) {
            out.push_back(mapper.map(a.ip, a.ttl));
        }
        break;
    }
    return out;
}

bool is_failure(dns::Status s) {
    return s != dns::Status::NoError && s != dns::Status::NoData && s != dns::Status::NxDomain;
}

/// "A TIMEOUT; NS SERVFAIL (cname-loop)" for the types that failed, nullopt when none did.
std::optional<std::string> failure_detail(const dns::NameResult& r) {
    std::string out;
    for (const auto& t : r.types) {
        if (!is_failure(t.status)) {
            continue;
        }
        if (!out.empty()) {
            out += "; ";
        }
        out += dns::type_name(t.type) + " " + dns::status_name(t.status);
        if (!t.detail.empty()) {
            out += " (" + t.detail + ")";
        }
    }
    return out.empty() ? std::nullopt : std::optional<std::string>(std::move(out));
}

} // namespace

OrgNamer org_namer(const org::OrgTable* orgs) {
    if (orgs == nullptr) {
        return nullptr;
    }
    return [orgs](Asn asn) -> std::optional<std::string> {
        const org::Organisation* o = orgs->org_of(asn);
        return o != nullptr && !o->name.empty() ? std::optional<std::string>(std::string(o->name))
                                                : std::nullopt;
    };
}

model::IpMapping AddressMapper::map(const IpAddress& ip, std::optional<std::uint32_t> ttl) const {
    model::IpMapping m;
    m.ip = ip;
    m.ttl = ttl;
    if (geo_ != nullptr) {
        m.geo = geo_->locate(ip); // unrouted addresses have a place too
    }
    const auto route = table_->lookup(ip);
    if (!route) {
        return m;
    }
    m.prefix = route->prefix;
    m.origins.reserve(route->origins.size());
    for (const auto& o : route->origins) {
        m.origins.emplace_back(o.asn);
    }
    m.asn = m.origins.front();
    if (org_of_) {
        m.org = org_of_(*m.asn);
    }
    if (vrps_ != nullptr) {
        // the route as most peers see it: its prefix and its primary origin
        const rpki::Validity v =
            vrps_->validate(*m.prefix, rpki::route_origin(route->origins.front()));
        m.rpki = rpki::state_name(v.state);
        if (const char* reason = rpki::reason_name(v.reason); reason != nullptr) {
            m.rpki_reason = reason;
        }
    }
    return m;
}

std::vector<HostAddress> host_addresses(const dns::NameResult& host) {
    std::vector<HostAddress> out;
    for (const std::uint16_t type : {kTypeA, kTypeAaaa}) {
        const auto* t = answer_of(host, type);
        if (t == nullptr) {
            continue;
        }
        for (const auto& rec : t->records) {
            auto ip = IpAddress::parse(rec.data);
            if (ip && std::none_of(out.begin(), out.end(),
                                   [&](const HostAddress& a) { return a.ip == *ip; })) {
                out.push_back(HostAddress{*ip, rec.ttl});
            }
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const HostAddress& x, const HostAddress& y) {
        return x.ip.is_v4() != y.ip.is_v4() ? x.ip.is_v4() : x.ip < y.ip;
    });
    return out;
}

std::vector<std::string> hosts_of(const dns::NameResult& domain) {
    std::vector<std::string> out;
    for (const std::uint16_t type : {kTypeNs, kTypeMx}) {
        const auto* t = answer_of(domain, type);
        if (t == nullptr) {
            continue;
        }
        for (const auto& rec : t->records) {
            if (rec.type == type && !rec.data.empty() &&
                std::find(out.begin(), out.end(), rec.data) == out.end()) {
                out.push_back(rec.data);
            }
        }
    }
    return out;
}

model::DomainResult assemble(const dns::NameResult& domain, std::span<const HostAddresses> hosts,
                             const AddressMapper& mapper, model::UnixTime resolved_at) {
    model::DomainResult out;
    out.domain = domain.name;
    out.status = dns::status_name(domain.status);
    out.resolved_at = resolved_at;
    out.a = map_addresses(answer_of(domain, kTypeA), mapper);
    out.aaaa = map_addresses(answer_of(domain, kTypeAaaa), mapper);
    for (const auto& t : domain.types) {
        if (!t.cname_chain.empty()) {
            for (const auto& target : t.cname_chain) {
                out.cname.push_back(model::CnameRecord{target, std::nullopt});
            }
            break;
        }
    }
    if (const auto* ns = answer_of(domain, kTypeNs)) {
        for (const auto& rec : ns->records) {
            if (rec.type != kTypeNs ||
                std::any_of(out.ns.begin(), out.ns.end(),
                            [&](const auto& n) { return n.host == rec.data; })) {
                continue;
            }
            out.ns.push_back(
                model::NsRecord{rec.data, rec.ttl, host_mappings(rec.data, hosts, mapper)});
        }
        std::sort(out.ns.begin(), out.ns.end(),
                  [](const auto& x, const auto& y) { return x.host < y.host; });
    }
    if (const auto* mx = answer_of(domain, kTypeMx)) {
        for (const auto& rec : mx->records) {
            if (rec.type != kTypeMx ||
                std::any_of(out.mx.begin(), out.mx.end(), [&](const auto& m) {
                    return m.host == rec.data && m.preference == rec.preference;
                })) {
                continue;
            }
            out.mx.push_back(model::MxRecord{rec.preference, rec.data, rec.ttl,
                                             host_mappings(rec.data, hosts, mapper)});
        }
        std::sort(out.mx.begin(), out.mx.end(), [](const auto& x, const auto& y) {
            return x.preference != y.preference ? x.preference < y.preference : x.host < y.host;
        });
    }
    out.error = failure_detail(domain);
    return out;
}

} // namespace dg::scan
