// GET /api/v1/as/{asn}: an AS and its organisation (the as2org file `serve --as2org` loaded:
// CAIDA's, or one `as2org infer` wrote), its siblings, and the domains of a stored scan hosted
// in it and in its siblings (docs/api.md).
#include "dg/diff/diff.hpp"
#include "dg/server/internal/impl.hpp"

#include <algorithm>
#include <set>

namespace dg::server {

using http::Request;
using http::Response;
using internal::send_error;
using internal::send_failure;
using internal::send_json;

namespace {

nlohmann::json text_or_null(std::string_view s) {
    return s.empty() ? nlohmann::json() : nlohmann::json(std::string(s));
}

nlohmann::json org_json(const org::Organisation& o) {
    return {{"id", std::string(o.id)},
            {"name", std::string(o.name)},
            {"country", text_or_null(o.country)},
            {"source", text_or_null(o.source)},
            {"changed", text_or_null(o.changed)}};
}

/// The routes `asn` originates in the loaded table (the origin most peers see, as `rib prefixes`
/// and pyasn's get_as_prefixes), with their RPKI state when VRPs are loaded; at most `limit`
/// listed. null for a table that cannot list its prefixes (.mmdb).
nlohmann::json routes_json(const Tables& t, Asn asn, std::size_t limit) {
    const bgp::PrefixTable* pt = t.table ? t.table->table() : nullptr;
    if (pt == nullptr) {
        return nullptr;
    }
    nlohmann::json list = nlohmann::json::array();
    std::uint64_t total = 0;
    std::uint64_t v4 = 0;
    std::uint64_t states[3] = {0, 0, 0}; // valid, invalid, not-found
    for (std::size_t i = 0; i < pt->size(); ++i) {
        const auto origins = pt->origins(i);
        if (origins.empty() || origins.front().asn != asn.value()) {
            continue;
        }
        const Prefix prefix = pt->prefix(i);
        ++total;
        v4 += prefix.family() == IpFamily::V4 ? 1U : 0U;
        nlohmann::json route = {{"prefix", prefix.to_string()}};
        nlohmann::json all = nlohmann::json::array();
        for (const auto& o : origins) {
            all.push_back(o.asn);
        }
        route["origins"] = std::move(all);
        if (t.vrps) {
            const rpki::Validity v = t.vrps->validate(prefix, rpki::route_origin(origins.front()));
            ++states[v.state == rpki::State::Valid ? 0 : v.state == rpki::State::Invalid ? 1 : 2];
            route["rpki"] = rpki::state_name(v.state);
            const char* reason = rpki::reason_name(v.reason);
            route["rpki_reason"] = reason != nullptr ? nlohmann::json(reason) : nlohmann::json();
        }
        if (list.size() < limit) {
            list.push_back(std::move(route));
        }
    }
    nlohmann::json out = {{"total", total}, {"ipv4", v4}, {"ipv6", total - v4}};
    out["rpki"] =
        t.vrps ? nlohmann::json(
                     {{"valid", states[0]}, {"invalid", states[1]}, {"not_found", states[2]}})
               : nlohmann::json();
    out["prefixes"] = std::move(list);
    return out;
}

/// The roles `asn` plays for each domain of `scan` that uses it: "web" (an own A/AAAA), "ns"
/// (a name server's address), "mx" (a mail host's), and the counts per role.
Result<nlohmann::json> roles_json(store::Store& store, std::int64_t scan, Asn asn,
                                  std::size_t limit) {
    nlohmann::json domains = nlohmann::json::array();
    std::uint64_t web = 0;
    std::uint64_t ns = 0;
    std::uint64_t mx = 0;
    store::ResultFilter filter;
    filter.asn = asn.value();
    auto in_as = [&asn](const model::IpMapping& m) { return m.asn && *m.asn == asn; };
    DG_TRY_VOID(store.results(scan, filter, [&](const store::StoredResult& stored) {
        const model::DomainResult& r = stored.result;
        nlohmann::json roles = nlohmann::json::array();
        if (std::any_of(r.a.begin(), r.a.end(), in_as) ||
            std::any_of(r.aaaa.begin(), r.aaaa.end(), in_as)) {
            roles.push_back("web");
            ++web;
        }
        if (std::any_of(r.ns.begin(), r.ns.end(), [&](const model::NsRecord& n) {
                return std::any_of(n.ips.begin(), n.ips.end(), in_as);
            })) {
            roles.push_back("ns");
            ++ns;
        }
        if (std::any_of(r.mx.begin(), r.mx.end(), [&](const model::MxRecord& m) {
                return std::any_of(m.ips.begin(), m.ips.end(), in_as);
            })) {
            roles.push_back("mx");
            ++mx;
        }
        if (domains.size() < limit) {
            domains.push_back({{"domain", r.domain}, {"roles", std::move(roles)}});
        }
        return true;
    }));
    return nlohmann::json{{"web", web}, {"ns", ns}, {"mx", mx}, {"domains", std::move(domains)}};
}

} // namespace

void Server::Impl::install_as_api() {
    route("GET", R"(/api/v1/as/([A-Za-z0-9]{1,12}))", "/api/v1/as/{asn}", Access::Read,
          [this](const Request& req, Response& res) {
              auto asn = Asn::parse(std::string(req.matches[1]));
              auto limit = internal::uint_param(req, "limit", 100, 0, options.max_page);
              if (!asn || !limit) {
                  !asn ? send_error(res, 400, "bad_request", "not an AS number (64496 or AS64496)")
                       : send_failure(res, limit.error());
                  return;
              }
              nlohmann::json body = {{"asn", asn->value()}};
              // the organisation and its ASes, from the as2org file
              const auto loaded_tables = current_tables();
              const org::OrgTable* orgs =
                  loaded_tables && loaded_tables->orgs ? &*loaded_tables->orgs : nullptr;
              std::vector<std::uint32_t> family{asn->value()};
              body["as2org"] =
                  orgs != nullptr ? nlohmann::json(loaded_tables->as2org_path) : nlohmann::json();
              const org::AsOrg* rec = orgs != nullptr ? orgs->as_of(*asn) : nullptr;
              body["name"] = rec != nullptr ? text_or_null(rec->name) : nlohmann::json();
              body["registry"] = rec != nullptr ? text_or_null(rec->source) : nlohmann::json();
              body["country"] =
                  orgs != nullptr ? text_or_null(orgs->country_of(*asn)) : nlohmann::json();
              body["opaque_id"] = rec != nullptr ? text_or_null(rec->opaque_id) : nlohmann::json();
              const org::Organisation* o = orgs != nullptr ? orgs->org_of(*asn) : nullptr;
              body["org"] = o != nullptr ? org_json(*o) : nlohmann::json();
              nlohmann::json siblings = nlohmann::json::array();
              if (o != nullptr) {
                  for (const org::AsOrg* s : orgs->ases_of(o->id)) {
                      if (s->asn != *asn) {
                          siblings.push_back(
                              {{"asn", s->asn.value()}, {"name", text_or_null(s->name)}});
                          family.push_back(s->asn.value());
                      }
                  }
              }
              body["siblings"] = std::move(siblings);
              body["routes"] =
                  loaded_tables ? routes_json(*loaded_tables, *asn, *limit) : nlohmann::json();
              // the domains hosted there in a stored scan
              auto store = pool.lease();
              if (!store) {
                  send_failure(res, store.error());
                  return;
              }
              const auto ref = internal::param(req, "scan");
              auto scan = diff::resolve_scan(**store, ref.value_or("latest"));
              if (!scan) {
                  if (!ref && scan.error().code == ErrorCode::NotFound) { // no scan stored yet
                      body["scan"] = nullptr;
                      send_json(res, 200, body);
                  } else {
                      send_failure(res, scan.error());
                  }
                  return;
              }
              std::set<std::string> all;
              nlohmann::json by_as = nlohmann::json::array();
              nlohmann::json own = nlohmann::json::array();
              std::size_t own_total = 0;
              for (const std::uint32_t a : family) {
                  auto names = (*store)->domains_by_asn(scan->id, a);
                  if (!names) {
                      send_failure(res, names.error());
                      return;
                  }
                  if (a == asn->value()) {
                      own_total = names->size();
                      for (std::size_t i = 0; i < names->size() && i < *limit; ++i) {
                          own.push_back((*names)[i]);
                      }
                  }
                  if (!names->empty()) {
                      by_as.push_back({{"asn", a}, {"domains", names->size()}});
                  }
                  all.insert(names->begin(), names->end());
              }
              auto roles = roles_json(**store, scan->id, *asn, *limit);
              if (!roles) {
                  send_failure(res, roles.error());
                  return;
              }
              body["scan"] = {{"id", scan->id},
                              {"roles", std::move(*roles)},
                              {"domains", std::move(own)},
                              {"domains_total", own_total},
                              {"organisation_domains_total", all.size()},
                              {"by_as", std::move(by_as)}};
              send_json(res, 200, body);
          });
}

} // namespace dg::server
