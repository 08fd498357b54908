// The /api/v1/ptr routes (docs/api.md, issue 13): stored PTR sweeps, their results, and the latest
// PTR name of an address. Same library calls as `domaingraph ptr sweeps|export`.
#include "dg/core/ip_address.hpp"
#include "dg/ptr/output.hpp"
#include "dg/ptr/sweep_store.hpp"
#include "dg/server/internal/impl.hpp"

#include <charconv>

namespace dg::server {
namespace {

using httplib::Request;
using httplib::Response;
using internal::send_error;
using internal::send_failure;
using internal::send_json;

nlohmann::json sweep_json(const ptr::Sweep& s) {
    nlohmann::json j = {{"id", s.id},
                        {"status", s.status},
                        {"started_at", s.started_at},
                        {"finished_at", s.finished_at ? nlohmann::json(*s.finished_at) : nullptr},
                        {"addresses_total", s.addresses_total},
                        {"addresses_done", s.addresses_done},
                        {"notes", s.notes},
                        {"source", s.source}};
    auto report = nlohmann::json::parse(s.report, nullptr, false);
    j["report"] = report.is_discarded() ? nlohmann::json() : report;
    return j;
}

nlohmann::json result_json(const ptr::PtrResult& r) {
    nlohmann::json j = {
        {"ip", r.ip.to_string()}, {"status", dns::status_name(r.status)}, {"names", r.names}};
    if (!r.cname.empty()) {
        j["cname"] = r.cname;
    }
    j["resolver"] = r.resolver;
    j["attempts"] = r.attempts;
    j["queried_at"] = r.queried_at;
    if (r.main_status) {
        j["main_status"] = dns::status_name(*r.main_status);
    }
    return j;
}

std::optional<std::int64_t> sweep_id(const std::string& text) {
    std::int64_t id = 0;
    const auto* end = text.data() + text.size();
    auto [p, ec] = std::from_chars(text.data(), end, id);
    if (ec != std::errc{} || p != end || id <= 0) {
        return std::nullopt;
    }
    return id;
}

} // namespace

void Server::Impl::install_ptr_api() {
    route("GET", "/api/v1/ptr/sweeps", "/api/v1/ptr/sweeps", Access::Read,
          [this](const Request&, Response& res) {
              auto store = pool.lease();
              if (!store) {
                  send_failure(res, store.error());
                  return;
              }
              auto sweeps = ptr::SweepStore::of(**store);
              if (!sweeps) {
                  send_failure(res, sweeps.error());
                  return;
              }
              auto all = sweeps->list();
              if (!all) {
                  send_failure(res, all.error());
                  return;
              }
              nlohmann::json out = nlohmann::json::array();
              for (const auto& s : *all) {
                  out.push_back(sweep_json(s));
              }
              send_json(res, 200, out);
          });
    route("GET", R"(/api/v1/ptr/sweeps/([0-9]{1,18})/results)", "/api/v1/ptr/sweeps/{id}/results",
          Access::Read, [this](const Request& req, Response& res) {
              const auto id = sweep_id(std::string(req.matches[1]));
              if (!id) {
                  send_error(res, 400, "bad_request", "not a sweep id");
                  return;
              }
              auto limit = internal::uint_param(req, "limit", 100, 1, options.max_page);
              auto offset = internal::uint_param(req, "offset", 0, 0, 1ULL << 40);
              if (!limit || !offset) {
                  send_failure(res, !limit ? limit.error() : offset.error());
                  return;
              }
              ptr::PtrFilter f;
              f.limit = *limit;
              f.offset = *offset;
              if (auto st = internal::param(req, "status")) {
                  if (!ptr::parse_status(*st)) {
                      send_error(res, 400, "bad_request",
                                 "parameter 'status' is not a status (NOERROR, NXDOMAIN, ...)");
                      return;
                  }
                  f.status = *st;
              }
              auto store = pool.lease();
              if (!store) {
                  send_failure(res, store.error());
                  return;
              }
              auto sweeps = ptr::SweepStore::of(**store);
              if (!sweeps) {
                  send_failure(res, sweeps.error());
                  return;
              }
              if (auto s = sweeps->get(*id); !s) {
                  send_failure(res, s.error());
                  return;
              }
              nlohmann::json out = nlohmann::json::array();
              auto read = sweeps->results(*id, f, [&](const ptr::PtrResult& r) {
                  out.push_back(result_json(r));
                  return true;
              });
              auto total = sweeps->count(*id, f);
              if (!read || !total) {
                  send_failure(res, !read ? read.error() : total.error());
                  return;
              }
              res.set_header("X-Total-Count", std::to_string(*total));
              send_json(res, 200, out);
          });
    route("GET", R"(/api/v1/ptr/([^/]{1,64}))", "/api/v1/ptr/{ip}", Access::Read,
          [this](const Request& req, Response& res) {
              auto ip = IpAddress::parse(std::string(req.matches[1]));
              if (!ip) {
                  send_error(res, 400, "bad_request", "not an IPv4 or IPv6 address");
                  return;
              }
              auto store = pool.lease();
              if (!store) {
                  send_failure(res, store.error());
                  return;
              }
              auto sweeps = ptr::SweepStore::of(**store);
              if (!sweeps) {
                  send_failure(res, sweeps.error());
                  return;
              }
              auto latest = sweeps->latest(ip->to_string());
              if (!latest) {
                  send_failure(res, latest.error());
                  return;
              }
              if (!*latest) {
                  send_error(res, 404, "not_found", "no PTR sweep holds " + ip->to_string());
                  return;
              }
              auto j = result_json((*latest)->result);
              j["sweep_id"] = (*latest)->sweep_id;
              send_json(res, 200, j);
          });
}

} // namespace dg::server
