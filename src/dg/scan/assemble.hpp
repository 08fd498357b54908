#pragma once
// Turns what the DNS engine answered for a domain (and for its name server and mail hosts) into
// the stored DomainResult, mapping every address to prefix, origin AS(es) and organisation.

#include "dg/bgp/table_sources.hpp"
#include "dg/core/asn.hpp"
#include "dg/core/ip_address.hpp"
#include "dg/dns/resolver.hpp"
#include "dg/geo/geo_db.hpp"
#include "dg/model/model.hpp"
#include "dg/org/org_table.hpp"
#include "dg/rpki/validator.hpp"

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace dg::scan {

/// An address of a host with the TTL of its A/AAAA record.
struct HostAddress {
    IpAddress ip;
    std::uint32_t ttl = 0;
};

/// The A and AAAA addresses of one NS or MX host (resolved once per scan).
struct HostAddresses {
    std::string host;
    std::vector<HostAddress> addresses; ///< A first, then AAAA
};

/// The organisation name of an AS, when an as2org dataset is loaded.
using OrgNamer = std::function<std::optional<std::string>(Asn)>;
/// The organisation names of `orgs` (nullptr when there is no as2org dataset).
OrgNamer org_namer(const org::OrgTable* orgs);

/// Longest-prefix match + organisation (+ the RPKI state of the matched route when VRPs are
/// given, + the address's location when a geo database is). Not thread-safe (an .mmdb source
/// keeps state).
class AddressMapper {
public:
    AddressMapper(const bgp::IpAsnSource& table, OrgNamer org_of,
                  const rpki::VrpIndex* vrps = nullptr, const geo::Database* geo = nullptr)
        : table_(&table), org_of_(std::move(org_of)), vrps_(vrps), geo_(geo) {}
    [[nodiscard]] model::IpMapping map(const IpAddress& ip, std::optional<std::uint32_t> ttl) const;

private:
    const bgp::IpAsnSource* table_;
    OrgNamer org_of_;
    const rpki::VrpIndex* vrps_;
    const geo::Database* geo_;
};

/// The A/AAAA addresses of a host's answer (types A then AAAA, in that order).
std::vector<HostAddress> host_addresses(const dns::NameResult& host);

/// The scan result of `domain`: addresses sorted, NS sorted by host, MX by (preference, host),
/// the CNAME chain in order; `hosts` must hold every NS/MX host of the answer (missing ones get
/// no addresses).
model::DomainResult assemble(const dns::NameResult& domain, std::span<const HostAddresses> hosts,
                             const AddressMapper& mapper, model::UnixTime resolved_at);

/// NS and MX host names of an answer, each once.
std::vector<std::string> hosts_of(const dns::NameResult& domain);

} // namespace dg::scan
