#include "dg/views/views.hpp"

#include "dg/diff/diff.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace dg::views {
namespace {

using nlohmann::json;

json text_or_null(std::string_view s) {
    return s.empty() ? json() : json(std::string(s));
}

json org_json(const org::Organisation& o) {
    return {{"id", std::string(o.id)},
            {"name", text_or_null(o.name)},
            {"country", text_or_null(o.country)},
            {"source", text_or_null(o.source)},
            {"changed", text_or_null(o.changed)}};
}

/// The scan the view shows: nullopt when none is asked for and none is stored yet.
Result<std::optional<model::Scan>> chosen_scan(const ScanPart& part) {
    if (part.store == nullptr) {
        return std::optional<model::Scan>{};
    }
    auto scan = diff::resolve_scan(*part.store, part.ref.value_or("latest"));
    if (!scan) {
        if (!part.ref && scan.error().code == ErrorCode::NotFound) {
            return std::optional<model::Scan>{};
        }
        return std::move(scan).error();
    }
    return std::optional<model::Scan>(std::move(*scan));
}

/// One route of the table: {prefix, origins, org, rpki, rpki_reason} (rpki members only with
/// VRPs; org only with AS-organisation data).
json route_json(const Prefix& prefix, std::span<const bgp::Origin> origins, const Sources& s) {
    json route = {{"prefix", prefix.to_string()}};
    json all = json::array();
    for (const auto& o : origins) {
        all.push_back(o.asn);
    }
    route["origins"] = std::move(all);
    if (s.orgs != nullptr && !origins.empty()) {
        const org::Organisation* o = s.orgs->org_of(Asn(origins.front().asn));
        route["org"] = o != nullptr ? text_or_null(o->name) : json();
    }
    if (s.vrps != nullptr && !origins.empty()) {
        const rpki::Validity v = s.vrps->validate(prefix, rpki::route_origin(origins.front()));
        route["rpki"] = rpki::state_name(v.state);
        const char* reason = rpki::reason_name(v.reason);
        route["rpki_reason"] = reason != nullptr ? json(reason) : json();
    }
    return route;
}

/// Counts of RPKI states over routes.
struct RpkiCounts {
    std::uint64_t valid = 0;
    std::uint64_t invalid = 0;
    std::uint64_t not_found = 0;
    void add(const json& route) {
        const auto it = route.find("rpki");
        if (it == route.end()) {
            return;
        }
        (*it == "valid" ? valid : *it == "invalid" ? invalid : not_found) += 1;
    }
    [[nodiscard]] json to_json(bool checked) const {
        return checked ? json{{"valid", valid}, {"invalid", invalid}, {"not_found", not_found}}
                       : json();
    }
};

/// The routes `asn` originates in the loaded table (the origin most peers see, as `rib prefixes`
/// and pyasn's get_as_prefixes), with their RPKI state when VRPs are loaded; at most `limit`
/// listed. null for a table that cannot list its prefixes (.mmdb) or none.
json routes_of(Asn asn, const Sources& s, std::size_t limit) {
    const bgp::PrefixTable* pt = s.table != nullptr ? s.table->table() : nullptr;
    if (pt == nullptr) {
        return nullptr;
    }
    json list = json::array();
    std::uint64_t total = 0;
    std::uint64_t v4 = 0;
    RpkiCounts rpki;
    for (std::size_t i = 0; i < pt->size(); ++i) {
        const auto origins = pt->origins(i);
        if (origins.empty() || origins.front().asn != asn.value()) {
            continue;
        }
        const Prefix prefix = pt->prefix(i);
        ++total;
        v4 += prefix.family() == IpFamily::V4 ? 1U : 0U;
        json route = route_json(prefix, origins, s);
        rpki.add(route);
        if (list.size() < limit) {
            list.push_back(std::move(route));
        }
    }
    return {{"total", total},
            {"ipv4", v4},
            {"ipv6", total - v4},
            {"rpki", rpki.to_json(s.vrps != nullptr)},
            {"prefixes", std::move(list)}};
}

/// Which roles the addresses `pick` selects play for `r`: "web" (its own A/AAAA), "ns" (a name
/// server's), "mx" (a mail host's).
template <class Pick> json roles_of(const model::DomainResult& r, Pick pick) {
    json roles = json::array();
    if (std::any_of(r.a.begin(), r.a.end(), pick) ||
        std::any_of(r.aaaa.begin(), r.aaaa.end(), pick)) {
        roles.push_back("web");
    }
    if (std::any_of(r.ns.begin(), r.ns.end(), [&](const model::NsRecord& n) {
            return std::any_of(n.ips.begin(), n.ips.end(), pick);
        })) {
        roles.push_back("ns");
    }
    if (std::any_of(r.mx.begin(), r.mx.end(), [&](const model::MxRecord& m) {
            return std::any_of(m.ips.begin(), m.ips.end(), pick);
        })) {
        roles.push_back("mx");
    }
    return roles;
}

/// Per-role counts over the domains whose roles were listed.
struct RoleCounts {
    std::uint64_t web = 0;
    std::uint64_t ns = 0;
    std::uint64_t mx = 0;
    void add(const json& roles) {
        for (const auto& r : roles) {
            (r == "web" ? web : r == "ns" ? ns : mx) += 1;
        }
    }
};

/// The roles `asn` plays for each domain of `scan` that uses it and the counts per role.
Result<json> roles_in_as(store::Store& store, std::int64_t scan, Asn asn, std::size_t limit) {
    json domains = json::array();
    RoleCounts counts;
    store::ResultFilter filter;
    filter.asn = asn.value();
    auto in_as = [&asn](const model::IpMapping& m) { return m.asn && *m.asn == asn; };
    DG_TRY_VOID(store.results(scan, filter, [&](const store::StoredResult& stored) {
        json roles = roles_of(stored.result, in_as);
        counts.add(roles);
        if (domains.size() < limit) {
            domains.push_back({{"domain", stored.result.domain}, {"roles", std::move(roles)}});
        }
        return true;
    }));
    return json{
        {"web", counts.web}, {"ns", counts.ns}, {"mx", counts.mx}, {"domains", std::move(domains)}};
}

/// The domains of `scan` with an address in one of `asns`: per AS the count, and all of them.
struct FamilyDomains {
    std::map<std::uint32_t, std::vector<std::string>> by_as;
    std::set<std::string> all;
};

Result<FamilyDomains> domains_of(store::Store& store, std::int64_t scan,
                                 const std::vector<std::uint32_t>& asns) {
    FamilyDomains out;
    for (const std::uint32_t a : asns) {
        DG_TRY(auto names, store.domains_by_asn(scan, a));
        out.all.insert(names.begin(), names.end());
        out.by_as[a] = std::move(names);
    }
    return out;
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

} // namespace

Result<json> as_view(Asn asn, const Sources& s, const ScanPart& part) {
    json body = {{"asn", asn.value()}};
    const org::OrgTable* orgs = s.orgs;
    std::vector<std::uint32_t> family{asn.value()};
    body["as2org"] = orgs != nullptr ? json(s.as2org_path) : json();
    const org::AsOrg* rec = orgs != nullptr ? orgs->as_of(asn) : nullptr;
    body["name"] = rec != nullptr ? text_or_null(rec->name) : json();
    body["registry"] = rec != nullptr ? text_or_null(rec->source) : json();
    body["country"] = orgs != nullptr ? text_or_null(orgs->country_of(asn)) : json();
    body["opaque_id"] = rec != nullptr ? text_or_null(rec->opaque_id) : json();
    const org::Organisation* o = orgs != nullptr ? orgs->org_of(asn) : nullptr;
    body["org"] = o != nullptr ? org_json(*o) : json();
    json siblings = json::array();
    if (o != nullptr) {
        for (const org::AsOrg* sib : orgs->ases_of(o->id)) {
            if (sib->asn != asn) {
                siblings.push_back({{"asn", sib->asn.value()}, {"name", text_or_null(sib->name)}});
                family.push_back(sib->asn.value());
            }
        }
    }
    body["siblings"] = std::move(siblings);
    body["routes"] = routes_of(asn, s, part.limit);
    DG_TRY(const auto scan, chosen_scan(part));
    if (!scan) {
        body["scan"] = nullptr;
        return body;
    }
    DG_TRY(const auto found, domains_of(*part.store, scan->id, family));
    json by_as = json::array();
    for (const std::uint32_t a : family) {
        if (const auto& names = found.by_as.at(a); !names.empty()) {
            by_as.push_back({{"asn", a}, {"domains", names.size()}});
        }
    }
    const auto& own_names = found.by_as.at(asn.value());
    json own = json::array();
    for (std::size_t i = 0; i < own_names.size() && i < part.limit; ++i) {
        own.push_back(own_names[i]);
    }
    DG_TRY(auto roles, roles_in_as(*part.store, scan->id, asn, part.limit));
    body["scan"] = {{"id", scan->id},
                    {"roles", std::move(roles)},
                    {"domains", std::move(own)},
                    {"domains_total", own_names.size()},
                    {"organisation_domains_total", found.all.size()},
                    {"by_as", std::move(by_as)}};
    return body;
}

Result<json> org_view(std::string_view wanted, const Sources& s, const ScanPart& part) {
    if (s.orgs == nullptr) {
        return make_error(ErrorCode::Unavailable,
                          "no AS-organisation data loaded (--as2org / serve --as2org FILE)");
    }
    const org::Organisation* o = s.orgs->organisation(wanted);
    if (o == nullptr) {
        const std::string name = lower(wanted);
        for (const org::Organisation& candidate : s.orgs->organisations()) {
            if (lower(candidate.name) == name) {
                o = &candidate;
                break;
            }
        }
    }
    if (o == nullptr) {
        return make_error(ErrorCode::NotFound, "no organisation with the id or name '" +
                                                   std::string(wanted.substr(0, 100)) + "'");
    }
    json body = org_json(*o);
    std::vector<std::uint32_t> asns;
    json ases = json::array();
    const bgp::PrefixTable* pt = s.table != nullptr ? s.table->table() : nullptr;
    std::map<std::uint32_t, std::uint64_t> routes;
    for (const org::AsOrg* a : s.orgs->ases_of(o->id)) {
        asns.push_back(a->asn.value());
        routes[a->asn.value()] = 0;
    }
    if (pt != nullptr) {
        for (std::size_t i = 0; i < pt->size(); ++i) {
            const auto origins = pt->origins(i);
            if (!origins.empty()) {
                if (auto it = routes.find(origins.front().asn); it != routes.end()) {
                    ++it->second;
                }
            }
        }
    }
    DG_TRY(const auto scan, chosen_scan(part));
    FamilyDomains found;
    if (scan) {
        DG_TRY(found, domains_of(*part.store, scan->id, asns));
    }
    for (const org::AsOrg* a : s.orgs->ases_of(o->id)) {
        json entry = {{"asn", a->asn.value()}, {"name", text_or_null(a->name)}};
        entry["routes"] = pt != nullptr ? json(routes[a->asn.value()]) : json();
        entry["domains"] = scan ? json(found.by_as[a->asn.value()].size()) : json();
        ases.push_back(std::move(entry));
    }
    body["ases"] = std::move(ases);
    if (!scan) {
        body["scan"] = nullptr;
        return body;
    }
    json names = json::array();
    for (const std::string& d : found.all) {
        if (names.size() >= part.limit) {
            break;
        }
        names.push_back(d);
    }
    body["scan"] = {{"id", scan->id}, {"domains_total", found.all.size()}, {"domains", names}};
    return body;
}

Result<json> prefix_view(const Prefix& prefix, const Sources& s, const ScanPart& part) {
    json body = {{"prefix", prefix.to_string()}};
    const bgp::PrefixTable* pt = s.table != nullptr ? s.table->table() : nullptr;
    body["route"] = nullptr;
    body["covering"] = nullptr;
    if (s.table != nullptr) {
        if (const auto r = s.table->lookup(prefix.network());
            r && r->prefix.length() <= prefix.length()) {
            std::vector<bgp::Origin> origins(r->origins.begin(), r->origins.end());
            json route = route_json(r->prefix, origins, s);
            (r->prefix == prefix ? body["route"] : body["covering"]) = std::move(route);
        }
    }
    json more = json::array();
    std::uint64_t more_total = 0;
    RpkiCounts rpki;
    if (pt != nullptr) {
        for (std::size_t i = 0; i < pt->size(); ++i) {
            const Prefix p = pt->prefix(i);
            if (p.family() != prefix.family() || p.length() <= prefix.length() ||
                !prefix.contains(p.network())) {
                continue;
            }
            ++more_total;
            json route = route_json(p, pt->origins(i), s);
            rpki.add(route);
            if (more.size() < part.limit) {
                more.push_back(std::move(route));
            }
        }
    }
    body["more_specifics"] = {{"total", more_total},
                              {"rpki", rpki.to_json(s.vrps != nullptr)},
                              {"prefixes", std::move(more)}};
    DG_TRY(const auto scan, chosen_scan(part));
    if (!scan) {
        body["scan"] = nullptr;
        return body;
    }
    json domains = json::array();
    std::uint64_t domains_total = 0;
    std::set<std::string> addresses;
    RoleCounts counts;
    auto inside = [&prefix](const model::IpMapping& m) { return prefix.contains(m.ip); };
    DG_TRY_VOID(part.store->results(scan->id, store::ResultFilter{},
                                    [&](const store::StoredResult& stored) {
                                        const model::DomainResult& r = stored.result;
                                        json roles = roles_of(r, inside);
                                        if (roles.empty()) {
                                            return true;
                                        }
                                        ++domains_total;
                                        counts.add(roles);
                                        json ips = json::array();
                                        auto note = [&](const model::IpMapping& m) {
                                            if (inside(m)) {
                                                addresses.insert(m.ip.to_string());
                                                ips.push_back(m.ip.to_string());
                                            }
                                        };
                                        std::for_each(r.a.begin(), r.a.end(), note);
                                        std::for_each(r.aaaa.begin(), r.aaaa.end(), note);
                                        for (const auto& n : r.ns) {
                                            std::for_each(n.ips.begin(), n.ips.end(), note);
                                        }
                                        for (const auto& m : r.mx) {
                                            std::for_each(m.ips.begin(), m.ips.end(), note);
                                        }
                                        if (domains.size() < part.limit) {
                                            domains.push_back({{"domain", r.domain},
                                                               {"roles", std::move(roles)},
                                                               {"addresses", std::move(ips)}});
                                        }
                                        return true;
                                    }));
    body["scan"] = {{"id", scan->id},
                    {"addresses_total", addresses.size()},
                    {"domains_total", domains_total},
                    {"roles", {{"web", counts.web}, {"ns", counts.ns}, {"mx", counts.mx}}},
                    {"domains", std::move(domains)}};
    return body;
}

} // namespace dg::views
