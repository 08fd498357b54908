// The /api/v1/ptr routes (docs/api.md, issue 13): stored PTR sweeps, their results, and the latest
// PTR name of an address. Same library calls as `domaingraph ptr sweeps|export`.
#include "dg/core/ip_address.hpp"
#include "dg/ptr/output.hpp"
#include "dg/ptr/sweep_store.hpp"
#include "dg/server/internal/impl.hpp"

namespace dg::server {
namespace {

using http::Request;
using http::Response;
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

/// A POST /api/v1/ptr/sweeps body (docs/api.md). `prefixes` or `addresses`: the list as text
/// or as an array of lines.
Result<SweepRequest> parse_sweep_json(const nlohmann::json& j, const ServerOptions& o) {
    const auto bad = [](const std::string& m) { return make_error(ErrorCode::InvalidArgument, m); };
    if (!j.is_object()) {
        return bad("the body must be a JSON object");
    }
    SweepRequest r;
    r.concurrency = o.concurrency;
    r.timeout_ms = o.timeout_ms;
    r.retries = o.retries;
    int lists = 0;
    for (const auto& [key, v] : j.items()) {
        DG_TRY(const bool engine_setting,
               internal::set_engine_setting(key, v, r.concurrency, r.timeout_ms, r.retries));
        if (engine_setting) {
            continue;
        }
        if (key == "prefixes" || key == "addresses") {
            ++lists;
            r.kind = key == "prefixes" ? ptr::ListKind::Prefixes : ptr::ListKind::Addresses;
            if (v.is_string()) {
                r.list = v.get<std::string>();
            } else if (v.is_array()) {
                for (const auto& line : v) {
                    if (!line.is_string()) {
                        return bad("'" + key + "' must be text or an array of strings");
                    }
                    r.list += line.get<std::string>();
                    r.list += '\n';
                }
            } else {
                return bad("'" + key + "' must be text or an array of strings");
            }
        } else if (key == "resolvers") {
            DG_TRY(r.resolvers, internal::resolvers_of(v));
        } else if (key == "notes") {
            DG_TRY(r.notes, internal::notes_of(v));
        } else if (key == "rate" || key == "per_resolver_rate") {
            if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 1e7) {
                return bad("'" + key + "' must be a number from 0 (no limit) to 1e7");
            }
            (key == "rate" ? r.rate : r.per_resolver_rate) = v.get<double>();
        } else if (key == "repair" || key == "confirm") {
            if (!v.is_boolean()) {
                return bad("'" + key + "' must be true or false");
            }
            (key == "repair" ? r.repair : r.confirm) = v.get<bool>();
        } else {
            return bad("unknown key '" + key.substr(0, 64) + "'");
        }
    }
    if (lists != 1) {
        return bad("give exactly one of 'prefixes' or 'addresses'");
    }
    if (r.resolvers.empty()) {
        r.resolvers = o.default_resolvers;
    }
    return r;
}

nlohmann::json problems_json(const ptr::ListReport& report) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& p : report.problems) {
        out.push_back({{"line", p.line}, {"text", p.text}, {"reason", p.reason}});
    }
    return out;
}

} // namespace

void Server::Impl::install_ptr_api() {
    route("POST", "/api/v1/ptr/sweeps", "/api/v1/ptr/sweeps", Access::Write,
          [this](const Request& req, Response& res) {
              auto j = nlohmann::json::parse(req.body, nullptr, false);
              if (j.is_discarded()) {
                  send_error(res, 400, "bad_request", "the body is not valid JSON");
                  return;
              }
              auto parsed = parse_sweep_json(j, options);
              if (!parsed) {
                  send_failure(res, parsed.error());
                  return;
              }
              auto store = pool.lease();
              if (!store) {
                  send_failure(res, store.error());
                  return;
              }
              auto started = sweep_jobs.start(**store, *parsed);
              if (!started) {
                  if (started.error().code == ErrorCode::ResourceExhausted) {
                      send_error(res, 413, "too_many_addresses", started.error().message);
                  } else {
                      send_failure(res, started.error());
                  }
                  return;
              }
              res.set_header("Location", "/api/v1/ptr/sweeps/" + std::to_string(started->id));
              send_json(res, 202,
                        {{"id", started->id},
                         {"status", "running"},
                         {"addresses", started->addresses},
                         {"invalid_lines", started->list.invalid},
                         {"problems", problems_json(started->list)}});
          });
    route("GET", "/api/v1/ptr/sweeps", "/api/v1/ptr/sweeps", Access::Read,
          [this](const Request&, Response& res) {
              auto leased = lease_sweeps();
              if (!leased) {
                  send_failure(res, leased.error());
                  return;
              }
              ptr::SweepStore& sweeps = leased->sweeps;
              auto all = sweeps.list();
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
    route("GET", R"(/api/v1/ptr/sweeps/([0-9]{1,18}))", "/api/v1/ptr/sweeps/{id}", Access::Read,
          [this](const Request& req, Response& res) {
              const auto id = internal::positive_id(std::string(req.matches[1]));
              auto leased = lease_sweeps();
              if (!id || !leased) {
                  !id ? send_error(res, 400, "bad_request", "not a sweep id")
                      : send_failure(res, leased.error());
                  return;
              }
              auto sweep = leased->sweeps.get(*id);
              if (!sweep) {
                  send_failure(res, sweep.error());
                  return;
              }
              nlohmann::json body = sweep_json(*sweep);
              const auto live = sweep_jobs.status(*id);
              body["progress"] =
                  live
                      ? nlohmann::json{{"running", live->running},
                                       {"done", live->done},
                                       {"noerror", live->noerror},
                                       {"failures", live->failures},
                                       {"error", live->error.empty() ? nlohmann::json()
                                                                     : nlohmann::json(live->error)}}
                      : nlohmann::json();
              send_json(res, 200, body);
          });
    route("POST", R"(/api/v1/ptr/sweeps/([0-9]{1,18})/stop)", "/api/v1/ptr/sweeps/{id}/stop",
          Access::Write, [this](const Request& req, Response& res) {
              const auto id = internal::positive_id(std::string(req.matches[1]));
              if (!id || !sweep_jobs.stop(*id)) {
                  send_error(res, 409, "conflict", "the sweep is not running in this server");
                  return;
              }
              send_json(res, 202, {{"id", *id}, {"status", "stopping"}});
          });
    route("GET", R"(/api/v1/ptr/sweeps/([0-9]{1,18})/results)", "/api/v1/ptr/sweeps/{id}/results",
          Access::Read, [this](const Request& req, Response& res) {
              const auto id = internal::positive_id(std::string(req.matches[1]));
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
              auto leased = lease_sweeps();
              if (!leased) {
                  send_failure(res, leased.error());
                  return;
              }
              ptr::SweepStore& sweeps = leased->sweeps;
              if (auto s = sweeps.get(*id); !s) {
                  send_failure(res, s.error());
                  return;
              }
              nlohmann::json out = nlohmann::json::array();
              auto read = sweeps.results(*id, f, [&](const ptr::PtrResult& r) {
                  out.push_back(result_json(r));
                  return true;
              });
              auto total = sweeps.count(*id, f);
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
              auto leased = lease_sweeps();
              if (!leased) {
                  send_failure(res, leased.error());
                  return;
              }
              ptr::SweepStore& sweeps = leased->sweeps;
              auto latest = sweeps.latest(ip->to_string());
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
