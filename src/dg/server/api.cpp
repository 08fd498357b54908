// The /api/v1 routes (docs/api.md). Each handler leases a store connection, calls the library
// function the CLI calls for the same view, and answers JSON.
#include "dg/tags/api.hpp"

#include "dg/analytics/analytics.hpp"
#include "dg/analytics/geo_view.hpp"
#include "dg/analytics/report_json.hpp"
#include "dg/core/domain_name.hpp"
#include "dg/core/ip_address.hpp"
#include "dg/diff/diff.hpp"
#include "dg/diff/report.hpp"
#include "dg/diff/views.hpp"
#include "dg/export/export.hpp"
#include "dg/model/json.hpp"
#include "dg/scan/assemble.hpp"
#include "dg/scan/job_list.hpp"
#include "dg/server/internal/impl.hpp"
#include "dg/shards/shards.hpp"
#include "dg/tags/infra_stats.hpp"

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>

namespace dg::server {
namespace {

using http::Request;
using http::Response;
using internal::send_error;
using internal::send_failure;
using internal::send_json;

constexpr std::size_t kMaxLineBytes = 1024;

/// A name or list line from a client: no control characters (they would split lines).
bool clean_line(const std::string& s) {
    if (s.empty() || s.size() > kMaxLineBytes) {
        return false;
    }
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
            return false;
        }
    }
    return true;
}

Result<JobRequest> parse_scan_json(const nlohmann::json& j, const ServerOptions& o) {
    auto bad = [](const std::string& m) { return make_error(ErrorCode::InvalidArgument, m); };
    if (!j.is_object()) {
        return bad("the body must be a JSON object");
    }
    JobRequest r;
    r.concurrency = o.concurrency;
    r.timeout_ms = o.timeout_ms;
    r.retries = o.retries;
    for (const auto& [key, v] : j.items()) {
        DG_TRY(const bool engine_setting,
               internal::set_engine_setting(key, v, r.concurrency, r.timeout_ms, r.retries));
        if (engine_setting) {
            continue;
        }
        if (key == "domains") {
            if (!v.is_array() || v.empty()) {
                return bad("'domains' must be a non-empty array of names");
            }
            if (v.size() > o.max_domains) {
                return make_error(ErrorCode::ResourceExhausted,
                                  "at most " + std::to_string(o.max_domains) + " domains per scan");
            }
            for (std::size_t i = 0; i < v.size(); ++i) {
                if (!v[i].is_string() || !clean_line(v[i].get<std::string>())) {
                    return bad("domains[" + std::to_string(i) +
                               "] must be a string of 1-1024 bytes without control characters");
                }
                r.domains.push_back(v[i].get<std::string>());
            }
        } else if (key == "resolvers") {
            DG_TRY(r.resolvers, internal::resolvers_of(v));
        } else if (key == "notes") {
            DG_TRY(r.notes, internal::notes_of(v));
        } else if (key == "rate") {
            if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 1e7) {
                return bad("'rate' must be a number from 0 to 1e7");
            }
            r.rate = v.get<double>();
        } else if (key == "repair") {
            if (!v.is_boolean()) {
                return bad("'repair' must be true or false");
            }
            r.repair = v.get<bool>();
        } else {
            return bad("unknown key '" + key.substr(0, 64) + "'");
        }
    }
    if (r.domains.empty()) {
        return bad("'domains' is required");
    }
    return r;
}

/// text/plain body: the list itself, one name per line; notes and resolvers as query parameters.
Result<JobRequest> parse_scan_text(const Request& req, const ServerOptions& o) {
    nlohmann::json j = nlohmann::json::object();
    nlohmann::json domains = nlohmann::json::array();
    std::size_t start = 0;
    const std::string& body = req.body;
    while (start < body.size()) {
        std::size_t end = body.find('\n', start);
        if (end == std::string::npos) {
            end = body.size();
        }
        std::string line = body.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        if (!line.empty() && line[0] != '#') {
            if (domains.size() >= o.max_domains) {
                return make_error(ErrorCode::ResourceExhausted,
                                  "at most " + std::to_string(o.max_domains) + " domains per scan");
            }
            domains.push_back(line);
        }
        start = end + 1;
    }
    j["domains"] = domains;
    if (req.has_param("notes")) {
        j["notes"] = req.get_param_value("notes");
    }
    if (req.has_param("resolver")) {
        nlohmann::json rs = nlohmann::json::array();
        for (std::size_t i = 0; i < req.get_param_value_count("resolver"); ++i) {
            rs.push_back(req.get_param_value("resolver", i));
        }
        j["resolvers"] = rs;
    }
    return parse_scan_json(j, o);
}

/// "IP" of the mapped address as the jsonl contract writes it.
nlohmann::json mapping_json(const model::IpMapping& m) {
    nlohmann::json origins = nlohmann::json::array();
    for (const auto& a : m.origins) {
        origins.push_back(a.value());
    }
    nlohmann::json j = {
        {"ip", m.ip.to_string()},
        {"prefix", m.prefix ? nlohmann::json(m.prefix->to_string()) : nlohmann::json()},
        {"asn", m.asn ? nlohmann::json(m.asn->value()) : nlohmann::json()},
        {"origins", origins},
        {"org", m.org ? nlohmann::json(*m.org) : nlohmann::json()}};
    if (m.rpki) {
        j["rpki"] = *m.rpki;
        j["rpki_reason"] = m.rpki_reason ? nlohmann::json(*m.rpki_reason) : nlohmann::json();
    }
    if (m.geo) {
        j["geo"] = model::to_json(*m.geo);
    }
    return j;
}

nlohmann::json progress_json(const JobStatus& s) {
    return {{"running", s.running},
            {"stored", s.progress.stored},
            {"ok", s.progress.ok},
            {"failed", s.progress.failed},
            {"queries", s.progress.queries},
            {"repairing", s.progress.repairing},
            {"previously_done", s.previously_done},
            {"coverage", nlohmann::json::parse(analytics::to_json(s.coverage).dump())},
            {"warnings", s.coverage.warnings(s.orgs_given)},
            {"error", s.error.empty() ? nlohmann::json() : nlohmann::json(s.error)}};
}

} // namespace

Result<shards::Progress> scan_progress(store::Store& store, const model::Scan& scan,
                                       model::UnixTime now) {
    if (auto coordinator = shards::Coordinator::of(store)) {
        DG_TRY(const bool distributed, coordinator->is_distributed(scan.id));
        if (distributed) {
            return coordinator->progress(scan.id, now);
        }
    }
    shards::Progress p;
    p.scan_id = scan.id;
    p.status = model::scan_status_name(scan.status);
    p.names_total = scan.domains_total;
    p.names_done = scan.domains_done;
    return p;
}

std::optional<std::string> Server::Impl::answer_key(const std::string& what,
                                                    const model::Scan& scan) {
    if (scan.status != model::ScanStatus::Complete) {
        return std::nullopt;
    }
    // SQLite reuses the id of a deleted last scan: its times and size tell a new one apart
    // (and DELETE forgets the answers of the id).
    return what + scan_key_part(scan.id) + std::to_string(scan.started_at) + ":" +
           std::to_string(scan.finished_at.value_or(0)) + ":" + std::to_string(scan.domains_total);
}

std::string Server::Impl::scan_key_part(std::int64_t scan_id) {
    return "@" + std::to_string(scan_id) + ":";
}

void Server::Impl::forget_answers(std::int64_t scan_id) {
    const std::string part = scan_key_part(scan_id);
    answers.forget([&](const std::string& key) { return key.find(part) != std::string::npos; });
}

Result<std::string> Server::Impl::cached_text(const std::string& what, const model::Scan& scan,
                                              const std::function<Result<std::string>()>& compute) {
    const auto key = answer_key(what, scan);
    if (key) {
        if (auto hit = answers.get(*key)) {
            return std::move(*hit);
        }
    }
    DG_TRY(auto text, compute());
    if (key) {
        answers.put(*key, text);
    }
    return text;
}

void Server::Impl::cached(const std::string& route, Response& res, const model::Scan& scan,
                          const std::function<void(Response&)>& produce) {
    const auto key = answer_key(route, scan);
    if (!key) {
        produce(res);
        return;
    }
    if (auto hit = answers.get(*key)) {
        res.status = 200;
        res.set_content(std::move(*hit), "application/json");
        res.set_header("X-Cache", "hit");
        return;
    }
    produce(res);
    if (res.status == 200 && !res.stream) {
        answers.put(*key, res.body);
    }
}

void Server::Impl::install_api() {
    install_ptr_api(); // before /api/v1/ip/...: its own patterns are more specific
    install_as_api();
    install_topology_api();
    install_watch_api();
    // --- scans ---
    route("POST", "/api/v1/scans", "/api/v1/scans", Access::Write,
          [this](const Request& req, Response& res) {
              Result<JobRequest> parsed = make_error(ErrorCode::InvalidArgument, "");
              const std::string type = req.get_header_value("Content-Type");
              if (type.rfind("text/plain", 0) == 0) {
                  parsed = parse_scan_text(req, options);
              } else {
                  auto j = nlohmann::json::parse(req.body, nullptr, false);
                  if (j.is_discarded()) {
                      send_error(res, 400, "bad_request", "the body is not valid JSON");
                      return;
                  }
                  parsed = parse_scan_json(j, options);
              }
              if (!parsed) {
                  if (parsed.error().code == ErrorCode::ResourceExhausted) {
                      send_error(res, 413, "too_many_domains", parsed.error().message);
                  } else {
                      send_failure(res, parsed.error());
                  }
                  return;
              }
              if (parsed->resolvers.empty()) {
                  parsed->resolvers = options.default_resolvers;
              }
              if (parsed->resolvers.empty()) {
                  send_error(res, 400, "bad_request",
                             "no resolvers given and the server has no default ones");
                  return;
              }
              auto store = pool.lease();
              if (!store) {
                  send_failure(res, store.error());
                  return;
              }
              auto id = jobs.start(**store, *parsed);
              if (!id) {
                  send_failure(res, id.error());
                  return;
              }
              res.set_header("Location", "/api/v1/scans/" + std::to_string(*id));
              send_json(res, 202, {{"id", *id}, {"status", "running"}});
          });
    route("GET", "/api/v1/scans", "/api/v1/scans", Access::Read,
          [this](const Request&, Response& res) {
              auto store = pool.lease();
              if (!store) {
                  send_failure(res, store.error());
                  return;
              }
              auto scans = (*store)->list_scans();
              if (!scans) {
                  send_failure(res, scans.error());
                  return;
              }
              send_json(res, 200, diff::scans_json(*scans));
          });

    // Resolves {ref} (an id, latest, previous, latest-complete) then calls `fn`.
    using ScanHandler =
        std::function<void(const Request&, Response&, store::Store&, const model::Scan&)>;
    auto with_scan = [this](ScanHandler fn) {
        return [this, fn = std::move(fn)](const Request& req, Response& res) {
            auto store = pool.lease();
            if (!store) {
                send_failure(res, store.error());
                return;
            }
            auto scan = diff::resolve_scan(**store, std::string(req.matches[1]));
            if (!scan) {
                send_failure(res, scan.error());
                return;
            }
            fn(req, res, **store, *scan);
        };
    };
    const std::string kScan = R"(/api/v1/scans/([A-Za-z0-9-]{1,32}))";

    route("GET", kScan, "/api/v1/scans/{id}", Access::Read,
          with_scan(
              [this](const Request&, Response& res, store::Store& store, const model::Scan& scan) {
                  // A completed scan's status counts are counted once (a GROUP BY over
                  // all its results).
                  auto summary = cached_text("scan", scan, [&]() -> Result<std::string> {
                      DG_TRY(auto counts, diff::status_counts(store, scan.id));
                      return diff::scan_json(scan, counts).dump();
                  });
                  if (!summary) {
                      send_failure(res, summary.error());
                      return;
                  }
                  auto body = nlohmann::json::parse(*summary);
                  const auto live = jobs.status(scan.id);
                  body["progress"] = live ? progress_json(*live) : nlohmann::json();
                  send_json(res, 200, body);
              }));
    // Issue 17: shards by state, names done, rate, ETA and workers of a distributed scan; a
    // scan of one process answers in the same shape, with no shards and no workers.
    route(
        "GET", kScan + "/progress", "/api/v1/scans/{id}/progress", Access::Read,
        with_scan([](const Request&, Response& res, store::Store& store, const model::Scan& scan) {
            auto progress = scan_progress(store, scan, std::time(nullptr));
            if (!progress) {
                send_failure(res, progress.error());
                return;
            }
            res.status = 200;
            res.set_content(progress->to_json(), "application/json");
        }));
    route("DELETE", kScan, "/api/v1/scans/{id}", Access::Write,
          with_scan(
              [this](const Request&, Response& res, store::Store& store, const model::Scan& scan) {
                  const auto live = jobs.status(scan.id);
                  if (live && live->running) {
                      send_error(res, 409, "conflict", "the scan is running; stop it first");
                      return;
                  }
                  if (auto d = scan::delete_scan(store, scan.id); !d) { // + its job list
                      send_failure(res, d.error());
                      return;
                  }
                  forget_answers(scan.id);
                  res.status = 204;
              }));
    route("POST", kScan + "/stop", "/api/v1/scans/{id}/stop", Access::Write,
          with_scan([this](const Request&, Response& res, store::Store&, const model::Scan& scan) {
              if (!jobs.stop(scan.id)) {
                  send_error(res, 409, "conflict", "the scan is not running in this server");
                  return;
              }
              send_json(res, 202, {{"id", scan.id}, {"status", "stopping"}});
          }));
    route("POST", kScan + "/resume", "/api/v1/scans/{id}/resume", Access::Write,
          with_scan(
              [this](const Request&, Response& res, store::Store& store, const model::Scan& scan) {
                  const auto live = jobs.status(scan.id);
                  if ((live && live->running) || scan.status == model::ScanStatus::Complete) {
                      send_error(res, 409, "conflict",
                                 live && live->running ? "the scan is running"
                                                       : "the scan is already complete");
                      return;
                  }
                  if (auto r = jobs.resume(store, scan.id); !r) {
                      send_failure(res, r.error());
                      return;
                  }
                  send_json(res, 202, {{"id", scan.id}, {"status", "running"}});
              }));
    route("GET", kScan + "/results", "/api/v1/scans/{id}/results", Access::Read,
          with_scan([this](const Request& req, Response& res, store::Store& store,
                           const model::Scan& scan) {
              store::ResultFilter f;
              auto limit = internal::uint_param(req, "limit", 100, 1, options.max_page);
              auto offset = internal::uint_param(req, "offset", 0, 0, 1ULL << 40);
              if (!limit || !offset) {
                  send_failure(res, !limit ? limit.error() : offset.error());
                  return;
              }
              f.limit = *limit;
              f.offset = *offset;
              if (auto d = internal::param(req, "domain")) {
                  auto name = DomainName::parse(*d);
                  if (!name) {
                      send_error(res, 400, "bad_request", "parameter 'domain' is not a valid name");
                      return;
                  }
                  f.domain = name->text();
              }
              if (auto a = internal::param(req, "asn")) {
                  auto asn = Asn::parse(*a);
                  if (!asn) {
                      send_error(res, 400, "bad_request", "parameter 'asn' is not an AS number");
                      return;
                  }
                  f.asn = asn->value();
              }
              if (auto st = internal::param(req, "status")) {
                  if (!clean_line(*st) || st->size() > 32) {
                      send_error(res, 400, "bad_request", "parameter 'status' is not a status");
                      return;
                  }
                  f.status = *st;
              }
              nlohmann::json out = nlohmann::json::array();
              auto read = store.results(scan.id, f, [&](const store::StoredResult& r) {
                  out.push_back(model::to_json(r.result));
                  return true;
              });
              const std::string filter = "results-total:" + f.domain.value_or("") + "|" +
                                         (f.asn ? std::to_string(*f.asn) : "") + "|" +
                                         f.status.value_or("");
              auto total = cached_text(filter, scan, [&]() -> Result<std::string> {
                  DG_TRY(auto n, store.count_results(scan.id, f));
                  return std::to_string(n);
              });
              if (!read || !total) {
                  send_failure(res, !read ? read.error() : total.error());
                  return;
              }
              res.set_header("X-Total-Count", *total);
              send_json(res, 200, out);
          }));
    route("GET", kScan + "/export", "/api/v1/scans/{id}/export", Access::Read,
          with_scan([this](const Request& req, Response& res, store::Store& /*store*/,
                           const model::Scan& scan) {
              const std::string name = internal::param(req, "format").value_or("jsonl");
              auto format = exports::parse_format(name);
              if (!format) {
                  send_failure(res, format.error());
                  return;
              }
              const std::string ext = exports::format_name(*format);
              res.set_header("Content-Disposition", "attachment; filename=\"scan-" +
                                                        std::to_string(scan.id) + "." + ext + "\"");
              const char* type = *format == exports::Format::Csv     ? "text/csv"
                                 : *format == exports::Format::Jsonl ? "application/x-ndjson"
                                 : *format == exports::Format::Json  ? "application/json"
                                 : *format == exports::Format::Parquet
                                     ? "application/vnd.apache.parquet"
                                     : "application/xml";
              // Streamed straight to the client as it is written (no temporary file): a failure
              // half-way aborts the connection, so a client never takes a cut file for whole.
              const auto scan_id = scan.id;
              const auto fmt = *format;
              res.set_stream(type, [this, scan_id, fmt](http::DataSink& sink) {
                  auto lease = pool.lease();
                  if (!lease) {
                      return false;
                  }
                  // An export reads the whole scan: it is paced by the client, not cut off by
                  // the query budget (it holds one of the --max-heavy slots meanwhile).
                  if (auto* c = (*lease)->sql_connection()) {
                      c->set_deadline(std::chrono::steady_clock::time_point::max());
                  }
                  exports::ExportRequest er;
                  er.scan_id = scan_id;
                  er.format = fmt;
                  er.sink = [&sink](std::string_view bytes) { return sink.write(bytes); };
                  auto done = exports::export_scan(**lease, er);
                  if (!done) {
                      std::fprintf(stderr, "domaingraph serve: export of scan %lld: %s\n",
                                   static_cast<long long>(scan_id),
                                   done.error().to_string().c_str());
                  }
                  return done.has_value();
              });
          }));
    route("GET", kScan + "/analytics", "/api/v1/scans/{id}/analytics", Access::Read,
          with_scan([this](const Request& req, Response& res, store::Store& store,
                           const model::Scan& scan) {
              // Beyond 1,000 ASes a table is no longer read by anyone, and top=100000 took 6 s.
              constexpr std::uint64_t kMaxTop = 1000;
              auto top = internal::uint_param(req, "top", 20, 0, 100000);
              if (!top) {
                  send_failure(res, top.error());
                  return;
              }
              const auto shown = std::min(*top, kMaxTop);
              cached("analytics:" + std::to_string(shown), res, scan, [&](Response& out) {
                  auto stats = analytics::scan_stats(store, scan.id);
                  if (!stats) {
                      send_failure(out, stats.error());
                      return;
                  }
                  out.status = 200;
                  out.set_content(
                      analytics::to_json(*stats, shown)
                              .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
                          "\n",
                      "application/json");
              });
          }));
    route("GET", kScan + "/geo", "/api/v1/scans/{id}/geo", Access::Read,
          with_scan([this](const Request& req, Response& res, store::Store& store,
                           const model::Scan& scan) {
              auto limit = internal::uint_param(req, "limit", 2000, 0, 100000);
              if (!limit) {
                  send_failure(res, limit.error());
                  return;
              }
              const auto t = current_tables();
              const geo::Database* fallback = t && t->geo ? &*t->geo : nullptr;
              cached("geo:" + std::to_string(*limit) + (fallback != nullptr ? ":db" : ""), res,
                     scan, [&](Response& out) {
                         auto view = analytics::geo_view(store, scan.id, fallback);
                         if (!view) {
                             send_failure(out, view.error());
                             return;
                         }
                         out.status = 200;
                         out.set_content(analytics::to_json(*view, *limit)
                                                 .dump(-1, ' ', false,
                                                       nlohmann::json::error_handler_t::replace) +
                                             "\n",
                                         "application/json");
                     });
          }));
    route("GET", kScan + "/resilience", "/api/v1/scans/{id}/resilience", Access::Read,
          with_scan(
              [this](const Request& req, Response& res, store::Store& store,
                     const model::Scan& scan) { resilience_report(req, res, store, scan.id); }));
    route("GET", kScan + "/clusters", "/api/v1/scans/{id}/clusters", Access::Read,
          with_scan([this](const Request& req, Response& res, store::Store& store,
                           const model::Scan& scan) {
              analytics::ClusterOptions co;
              auto by = analytics::parse_cluster_by(internal::param(req, "by").value_or("asn"));
              auto min_shared = internal::uint_param(req, "min_shared", 1, 1, 16);
              auto limit = internal::uint_param(req, "limit", 100, 1, options.max_page);
              if (!by || !min_shared || !limit) {
                  send_failure(res, !by           ? by.error()
                                    : !min_shared ? min_shared.error()
                                                  : limit.error());
                  return;
              }
              co.by = *by;
              co.min_shared = static_cast<std::uint32_t>(*min_shared);
              const std::string key = "clusters:" + std::to_string(static_cast<int>(co.by)) + ":" +
                                      std::to_string(co.min_shared) + ":" + std::to_string(*limit);
              cached(key, res, scan, [&](Response& out) {
                  auto clusters = analytics::cluster_scan(store, scan.id, co);
                  if (!clusters) {
                      send_failure(out, clusters.error());
                      return;
                  }
                  out.set_content(
                      analytics::to_json(*clusters, scan.id, co, *limit)
                              .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
                          "\n",
                      "application/json");
              });
          }));
    route("GET", "/api/v1/trends", "/api/v1/trends", Access::Read,
          [this](const Request& req, Response& res) {
              analytics::TrendRequest tr;
              if (auto a = internal::param(req, "asn")) {
                  auto asn = Asn::parse(*a);
                  if (!asn) {
                      send_error(res, 400, "bad_request", "parameter 'asn' is not an AS number");
                      return;
                  }
                  tr.asn = asn->value();
              }
              if (auto o = internal::param(req, "org")) {
                  tr.org = o->substr(0, 1024);
              }
              auto days = internal::uint_param(req, "days", 30, 1, 36500);
              if (!days) {
                  send_failure(res, days.error());
                  return;
              }
              tr.days = static_cast<std::uint32_t>(*days);
              auto store = pool.lease();
              if (!store) {
                  send_failure(res, store.error());
                  return;
              }
              auto t = analytics::trend(**store, tr);
              if (!t) {
                  send_failure(res, t.error());
                  return;
              }
              res.set_content(analytics::to_json(*t).dump(
                                  -1, ' ', false, nlohmann::json::error_handler_t::replace) +
                                  "\n",
                              "application/json");
          });

    // --- diff ---
    route("GET", "/api/v1/diff", "/api/v1/diff", Access::Read,
          [this](const Request& req, Response& res) {
              const auto a = internal::param(req, "a");
              const auto b = internal::param(req, "b");
              auto limit = internal::uint_param(req, "limit", 1000, 0, options.max_page);
              if (!a || !b) {
                  send_error(res, 400, "bad_request",
                             "parameters 'a' and 'b' (scan ids) are "
                             "required");
                  return;
              }
              if (!limit) {
                  send_failure(res, limit.error());
                  return;
              }
              auto sa = pool.lease();
              auto sb = pool.lease();
              if (!sa || !sb) {
                  send_failure(res, !sa ? sa.error() : sb.error());
                  return;
              }
              auto pair = diff::resolve_pair(**sa, a->substr(0, 32), b->substr(0, 32));
              if (!pair) {
                  send_failure(res, pair.error());
                  return;
              }
              nlohmann::json changes = nlohmann::json::array();
              bool truncated = false;
              diff::DiffSink sink;
              sink.change = [&](const model::Change& c) {
                  if (changes.size() < *limit) {
                      changes.push_back(model::to_json(c));
                  } else {
                      truncated = true;
                  }
                  return true;
              };
              auto summary = diff::diff_scans(**sa, **sb, pair->a.id, pair->b.id, sink);
              if (!summary) {
                  send_failure(res, summary.error());
                  return;
              }
              send_json(res, 200,
                        {{"summary", diff::to_json(*summary)},
                         {"scans", {{"a", pair->how_a}, {"b", pair->how_b}}},
                         {"changes", changes},
                         {"truncated", truncated}});
          });

    // --- lookups ---
    route("GET", R"(/api/v1/ip/([^/]{1,64}))", "/api/v1/ip/{ip}", Access::Read,
          [this](const Request& req, Response& res) {
              auto ip = IpAddress::parse(std::string(req.matches[1]));
              if (!ip) {
                  send_error(res, 400, "bad_request", "not an IPv4 or IPv6 address");
                  return;
              }
              const auto t = current_tables();
              if (!t || !t->table) {
                  send_error(res, 503, "unavailable", "the routing table is not loaded");
                  return;
              }
              const scan::AddressMapper mapper(*t->table,
                                               scan::org_namer(t->orgs ? &*t->orgs : nullptr),
                                               t->vrps.get(), t->geo ? &*t->geo : nullptr);
              model::IpMapping m;
              {
                  const std::lock_guard lock(lookup_mutex);
                  m = mapper.map(*ip, std::nullopt);
              }
              send_json(res, 200, mapping_json(m));
          });
    route("GET", R"(/api/v1/domain/([^/]{1,300}))", "/api/v1/domain/{name}", Access::Read,
          [this](const Request& req, Response& res) {
              auto name = DomainName::parse(std::string(req.matches[1]));
              if (!name) {
                  send_error(res, 400, "bad_request", "not a valid domain name");
                  return;
              }
              auto store = pool.lease();
              if (!store) {
                  send_failure(res, store.error());
                  return;
              }
              auto history = diff::domain_history(**store, name->text());
              if (!history) {
                  send_failure(res, history.error());
                  return;
              }
              if (history->empty()) {
                  send_error(res, 404, "not_found", "no scan has this domain");
                  return;
              }
              const auto& last = history->back();
              send_json(
                  res, 200,
                  {{"domain", name->text()},
                   {"latest", {{"scan_id", last.scan.id}, {"result", model::to_json(last.result)}}},
                   {"history", diff::history_json(*history)}});
          });

    // --- tag2domain 0.8.4 API at upstream's own paths (and under /tag2domain/ as before) ---
    auto with_tags = [this](Response& res, const auto& answer_with) {
        auto store = pool.lease();
        if (!store) {
            send_failure(res, store.error());
            return;
        }
        auto ts = tags::TagStore::open(**store);
        if (!ts) {
            send_failure(res, ts.error());
            return;
        }
        const tags::ApiResponse answer = answer_with(*ts, **store);
        send_json(res, answer.status, answer.body);
    };
    // From the raw target, not req.params: cpp-httplib splits a pair at every '=', so
    // filter=registrar-id=1 came through as filter=1 (issue 12); upstream splits at the first.
    auto query_of = [](const Request& req) {
        const auto q = req.target.find('?');
        return tags::parse_query_string(q == std::string::npos
                                            ? std::string_view{}
                                            : std::string_view(req.target).substr(q + 1));
    };
    route("GET", "/api/v1/stats/infrastructure", "/api/v1/stats/infrastructure", Access::Read,
          [with_tags, query_of](const Request& req, Response& res) {
              with_tags(res, [&](tags::TagStore& ts, store::Store& store) {
                  return tags::infrastructure_stats_api(ts, store, query_of(req));
              });
          });
    auto tag2domain = [with_tags, query_of](const Request& req, Response& res,
                                            const std::string& path) {
        with_tags(res, [&](tags::TagStore& ts, store::Store&) {
            return tags::tag2domain_api(ts, req.method, path, query_of(req), req.body);
        });
    };
    auto at_path = [tag2domain](const Request& req, Response& res) {
        tag2domain(req, res, req.path);
    };
    const std::string upstream_reads =
        R"((?:/api/v1/?|/api/v1/msm2tag/?|)"
        R"(/api/v1/(?:meta|bydomain|domains|filters|stats|tags|taxonomies)/.*|)"
        R"(/test/.*|/meta/.*))";
    route("GET", upstream_reads, "/api/v1/tag2domain", Access::Read, at_path);
    route("POST", "/api/v1/msm2tag/?", "/api/v1/msm2tag", Access::Write, at_path);
    auto under_prefix = [tag2domain](const Request& req, Response& res) {
        tag2domain(req, res, "/" + std::string(req.matches[1]));
    };
    route("GET", R"(/tag2domain/(.*))", "/tag2domain", Access::Read, under_prefix);
    route("POST", R"(/tag2domain/(.*))", "/tag2domain", Access::Write, under_prefix);
}

} // namespace dg::server
