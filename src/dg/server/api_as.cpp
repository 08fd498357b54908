// GET /api/v1/as/{asn}, /api/v1/org/{id}, /api/v1/prefix/{prefix}: one AS, organisation or
// prefix as the loaded table, AS-organisation data and VRPs see it, and the domains of a stored
// scan behind it (dg::views; docs/api.md).
#include "dg/server/internal/impl.hpp"
#include "dg/views/views.hpp"

namespace dg::server {

using http::Request;
using http::Response;
using internal::send_error;
using internal::send_failure;
using internal::send_json;

namespace {

views::Sources sources_of(const std::shared_ptr<const Tables>& t) {
    views::Sources s;
    if (t) {
        s.table = t->table ? &*t->table : nullptr;
        s.orgs = t->orgs ? &*t->orgs : nullptr;
        s.as2org_path = t->as2org_path;
        s.vrps = t->vrps.get();
    }
    return s;
}

} // namespace

void Server::Impl::install_as_api() {
    // Answers with `view(sources, scan part)` over a leased store.
    auto answer = [this](const Request& req, Response& res, const auto& view) {
        auto limit = internal::uint_param(req, "limit", 100, 0, options.max_page);
        if (!limit) {
            send_failure(res, limit.error());
            return;
        }
        auto store = pool.lease();
        if (!store) {
            send_failure(res, store.error());
            return;
        }
        const auto loaded = current_tables();
        views::ScanPart part;
        part.store = &**store;
        part.ref = internal::param(req, "scan");
        part.limit = *limit;
        auto body = view(sources_of(loaded), part);
        if (!body) {
            send_failure(res, body.error());
            return;
        }
        send_json(res, 200, *body);
    };
    route("GET", R"(/api/v1/as/([A-Za-z0-9]{1,12}))", "/api/v1/as/{asn}", Access::Read,
          [answer](const Request& req, Response& res) {
              const auto asn = Asn::parse(std::string(req.matches[1]));
              if (!asn) {
                  send_error(res, 400, "bad_request", "not an AS number (64496 or AS64496)");
                  return;
              }
              answer(req, res, [&](const views::Sources& s, const views::ScanPart& part) {
                  return views::as_view(*asn, s, part);
              });
          });
    route("GET", R"(/api/v1/org/([^/]{1,200}))", "/api/v1/org/{id}", Access::Read,
          [answer](const Request& req, Response& res) {
              const std::string id = req.matches[1];
              answer(req, res, [&](const views::Sources& s, const views::ScanPart& part) {
                  return views::org_view(id, s, part);
              });
          });
    route("GET", R"(/api/v1/prefix/([0-9A-Fa-f.:]{1,45})/([0-9]{1,3}))", "/api/v1/prefix/{prefix}",
          Access::Read, [answer](const Request& req, Response& res) {
              const auto prefix =
                  Prefix::parse(std::string(req.matches[1]) + "/" + std::string(req.matches[2]));
              if (!prefix) {
                  send_error(res, 400, "bad_request",
                             "not a prefix (192.0.2.0/24 or 2001:db8::/32, host bits clear): " +
                                 prefix.error().message);
                  return;
              }
              answer(req, res, [&](const views::Sources& s, const views::ScanPart& part) {
                  return views::prefix_view(*prefix, s, part);
              });
          });
}

} // namespace dg::server
