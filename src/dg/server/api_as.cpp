// GET /api/v1/as/{asn}: an AS and its organisation (the as2org file `serve --as2org` loaded:
// CAIDA's, or one `as2org infer` wrote), its siblings, and the domains of a stored scan hosted
// in it and in its siblings (docs/api.md).
#include "dg/diff/diff.hpp"
#include "dg/server/internal/impl.hpp"

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
              body["scan"] = {{"id", scan->id},
                              {"domains", std::move(own)},
                              {"domains_total", own_total},
                              {"organisation_domains_total", all.size()},
                              {"by_as", std::move(by_as)}};
              send_json(res, 200, body);
          });
}

} // namespace dg::server
