// Watches through the API (issue 18; docs/api.md): GET/POST /api/v1/watches, GET/DELETE
// /api/v1/watches/{name}, POST /api/v1/watches/{name}/run, and GET /api/v1/events, a stream of
// Server-Sent Events (new alerts, watch runs, progress of running scans) for the dashboard.
#include "dg/core/domain_name.hpp"
#include "dg/model/json.hpp"
#include "dg/server/internal/impl.hpp"
#include "dg/watch/alerts.hpp"
#include "dg/watch/watch.hpp"

#include <atomic>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

namespace dg::server {

using http::Request;
using http::Response;
using internal::send_error;
using internal::send_failure;
using internal::send_json;

namespace {

model::UnixTime now_seconds() {
    return static_cast<model::UnixTime>(std::time(nullptr));
}

/// A watch with its runs and alerts, newest first (at most `limit` of each).
Result<nlohmann::json> watch_detail(store::Store& store, const watch::Watch& w, std::size_t limit) {
    DG_TRY(const auto runs, watch::list_runs(store, w.name));
    DG_TRY(const auto alerts, watch::list_alerts(store, w.name));
    nlohmann::json body = watch::to_json(w);
    nlohmann::json run_list = nlohmann::json::array();
    for (auto it = runs.rbegin(); it != runs.rend() && run_list.size() < limit; ++it) {
        nlohmann::json r = watch::to_json(*it);
        if (auto scan = store.get_scan(it->scan_id); scan) {
            r["status"] = model::scan_status_name(scan->status);
            r["domains"] = scan->domains_total;
        }
        run_list.push_back(std::move(r));
    }
    nlohmann::json alert_list = nlohmann::json::array();
    for (auto it = alerts.rbegin(); it != alerts.rend() && alert_list.size() < limit; ++it) {
        alert_list.push_back(watch::alert_json(*it));
    }
    body["runs"] = std::move(run_list);
    body["alerts"] = std::move(alert_list);
    body["alerts_total"] = alerts.size();
    body["runs_total"] = runs.size();
    return body;
}

/// The list of a watch created through the API: its names, one per line, in
/// JOBS_DIR/watches/NAME.txt (read again at every run, as a CLI watch's file is).
Result<std::string> write_list(const std::string& jobs_dir, const std::string& name,
                               const nlohmann::json& domains) {
    if (!domains.is_array() || domains.empty()) {
        return make_error(ErrorCode::InvalidArgument,
                          "'domains' must be a non-empty array of domain names");
    }
    std::string text;
    for (const auto& d : domains) {
        if (!d.is_string()) {
            return make_error(ErrorCode::InvalidArgument, "domains: not a string");
        }
        auto name_ok = DomainName::parse(d.get<std::string>());
        if (!name_ok) {
            return make_error(ErrorCode::InvalidArgument, "domains: '" + d.get<std::string>() +
                                                              "': " + name_ok.error().message);
        }
        text += name_ok->text();
        text += '\n';
    }
    const std::filesystem::path dir = std::filesystem::path(jobs_dir) / "watches";
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    const std::filesystem::path file = dir / (name + ".txt");
    const std::filesystem::path part = dir / (name + ".txt.part");
    {
        std::ofstream out(part, std::ios::binary | std::ios::trunc);
        out << text;
        if (!out.flush()) {
            return make_error(ErrorCode::Io, "cannot write the watch's list").at(part.string());
        }
    }
    std::filesystem::rename(part, file, ec);
    if (ec) {
        return make_error(ErrorCode::Io, "cannot write the watch's list: " + ec.message())
            .at(file.string());
    }
    return std::filesystem::absolute(file).string();
}

Result<std::vector<std::string>> strings_of(const nlohmann::json& body, const char* key) {
    std::vector<std::string> out;
    if (!body.contains(key)) {
        return out;
    }
    const auto& v = body[key];
    if (!v.is_array()) {
        return make_error(ErrorCode::InvalidArgument,
                          std::string("'") + key + "' must be an array of strings");
    }
    for (const auto& e : v) {
        if (!e.is_string()) {
            return make_error(ErrorCode::InvalidArgument,
                              std::string("'") + key + "': not a string");
        }
        out.push_back(e.get<std::string>());
    }
    return out;
}

/// One Server-Sent Event.
std::string sse(const char* event, const nlohmann::json& data, const std::string& id = "") {
    std::string out;
    if (!id.empty()) {
        out += "id: " + id + "\n";
    }
    out += std::string("event: ") + event + "\ndata: " + data.dump() + "\n\n";
    return out;
}

/// "created_at:alert id" of Last-Event-ID (or ?since=), as sent in the events' ids.
std::optional<watch::AlertCursor> parse_cursor(const std::string& text) {
    const auto colon = text.find(':');
    if (colon == std::string::npos || colon == 0) {
        return std::nullopt;
    }
    const auto at = internal::positive_id(text.substr(0, colon));
    if (!at) {
        return std::nullopt;
    }
    return watch::AlertCursor{*at, text.substr(colon + 1)};
}

} // namespace

void Server::Impl::install_watch_api() {
    route("GET", "/api/v1/watches", "/api/v1/watches", Access::Read,
          [this](const Request&, Response& res) {
              auto store = pool.lease();
              if (!store) {
                  send_failure(res, store.error());
                  return;
              }
              auto watches = watch::list_watches(**store);
              if (!watches) {
                  send_failure(res, watches.error());
                  return;
              }
              nlohmann::json out = nlohmann::json::array();
              for (const auto& w : *watches) {
                  nlohmann::json j = watch::to_json(w);
                  if (auto runs = watch::list_runs(**store, w.name); runs) {
                      j["runs"] = runs->size();
                      j["last_run"] =
                          runs->empty() ? nlohmann::json() : watch::to_json(runs->back());
                  }
                  out.push_back(std::move(j));
              }
              send_json(res, 200, out);
          });
    route("POST", "/api/v1/watches", "/api/v1/watches", Access::Write,
          [this](const Request& req, Response& res) {
              const auto body = nlohmann::json::parse(req.body, nullptr, false);
              if (!body.is_object()) {
                  send_error(res, 400, "bad_request", "the body is not a JSON object");
                  return;
              }
              auto created = create_watch(body);
              if (!created) {
                  send_failure(res, created.error());
                  return;
              }
              res.set_header("Location", "/api/v1/watches/" + created->name);
              send_json(res, 201, watch::to_json(*created));
          });
    const std::string kWatch = R"(/api/v1/watches/([A-Za-z0-9._-]{1,64}))";
    route("GET", kWatch, "/api/v1/watches/{name}", Access::Read,
          [this](const Request& req, Response& res) {
              auto limit = internal::uint_param(req, "limit", 200, 1, options.max_page);
              auto store = pool.lease();
              if (!limit || !store) {
                  send_failure(res, !limit ? limit.error() : store.error());
                  return;
              }
              auto w = watch::get_watch(**store, std::string(req.matches[1]));
              auto detail =
                  w ? watch_detail(**store, *w, *limit) : Result<nlohmann::json>(w.error());
              if (!detail) {
                  send_failure(res, detail.error());
                  return;
              }
              send_json(res, 200, *detail);
          });
    route("DELETE", kWatch, "/api/v1/watches/{name}", Access::Write,
          [this](const Request& req, Response& res) {
              auto store = pool.lease();
              if (!store) {
                  send_failure(res, store.error());
                  return;
              }
              if (auto r = watch::remove_watch(**store, std::string(req.matches[1])); !r) {
                  send_failure(res, r.error());
                  return;
              }
              res.status = 204;
          });
    route("POST", kWatch + "/run", "/api/v1/watches/{name}/run", Access::Write,
          [this](const Request& req, Response& res) {
              auto store = pool.lease();
              if (!store) {
                  send_failure(res, store.error());
                  return;
              }
              const std::string name(req.matches[1]);
              auto w = watch::get_watch(**store, name);
              auto due =
                  w ? watch::set_next_run(**store, name, now_seconds()) : Result<void>(w.error());
              if (!due) {
                  send_failure(res, due.error());
                  return;
              }
              // the scheduler of a server on this database runs it at its next tick
              send_json(res, 202, {{"watch", name}, {"due", model::format_utc(now_seconds())}});
          });
    route("GET", "/api/v1/events", "/api/v1/events", Access::Read,
          [this](const Request& req, Response& res) { stream_events(req, res); });
}

Result<watch::Watch> Server::Impl::create_watch(const nlohmann::json& body) {
    const auto text = [&](const char* key, const char* fallback) -> Result<std::string> {
        if (!body.contains(key)) {
            return std::string(fallback);
        }
        if (!body[key].is_string()) {
            return make_error(ErrorCode::InvalidArgument,
                              std::string("'") + key + "' must be a string");
        }
        return body[key].get<std::string>();
    };
    watch::Watch w;
    DG_TRY(w.name, text("name", ""));
    DG_TRY_VOID(watch::check_name(w.name));
    DG_TRY(const std::string every, text("every", "1d"));
    DG_TRY(const watch::Schedule schedule, watch::parse_schedule(every, now_seconds()));
    w.every_seconds = schedule.every_seconds;
    w.cron = schedule.cron;
    DG_TRY(w.sinks, strings_of(body, "alerts"));
    for (const std::string& sink : w.sinks) {
        DG_TRY_VOID(watch::check_sink(sink));
    }
    DG_TRY(w.secret, text("secret", ""));
    DG_TRY(w.rules, text("rules", ""));
    DG_TRY_VOID(watch::parse_rules(w.rules));
    std::vector<dns::Endpoint> resolvers = options.default_resolvers;
    if (body.contains("resolvers")) {
        DG_TRY(resolvers, internal::resolvers_of(body["resolvers"]));
    }
    if (resolvers.empty()) {
        return make_error(ErrorCode::InvalidArgument,
                          "no resolvers given and the server has no default ones");
    }
    nlohmann::json resolver_list = nlohmann::json::array();
    for (const auto& e : resolvers) {
        resolver_list.push_back(e.to_string());
    }
    DG_TRY(auto store, pool.lease());
    if (auto existing = watch::get_watch(*store, w.name); existing) {
        return make_error(ErrorCode::Conflict, "a watch named " + w.name + " exists");
    }
    DG_TRY(w.domains, write_list(options.jobs_dir.empty() ? "." : options.jobs_dir, w.name,
                                 body.contains("domains") ? body["domains"] : nlohmann::json()));
    w.settings = {
        {"domains", w.domains},
        {"rib", options.rib.empty() ? "" : std::filesystem::absolute(options.rib).string()},
        {"as2org", options.as2org},
        {"vrps", options.vrps},
        {"geo", options.geo},
        {"resolvers", std::move(resolver_list)},
        {"list", w.name}};
    if (body.contains("rate")) {
        if (!body["rate"].is_number() || body["rate"].get<double>() < 0) {
            return make_error(ErrorCode::InvalidArgument, "'rate' must be a number of queries/s");
        }
        w.settings["rate"] = body["rate"];
    }
    w.created_at = now_seconds();
    w.next_run_at = w.created_at;
    DG_TRY_VOID(watch::add_watch(*store, w));
    return w;
}

void Server::Impl::stream_events(const Request& req, Response& res) {
    // Each stream holds a worker while it lasts: a few at once, each at most five minutes (an
    // EventSource reconnects by itself, with Last-Event-ID).
    static std::atomic<int> open_streams{0};
    const int max_streams = std::max(1, options.threads / 2);
    // released when the producer is gone (ran or not)
    auto slot = std::shared_ptr<std::atomic<int>>(&open_streams,
                                                  [](std::atomic<int>* n) { n->fetch_sub(1); });
    if (open_streams.fetch_add(1) >= max_streams) {
        res.set_header("Retry-After", "5");
        send_error(res, 429, "too_many_streams",
                   "at most " + std::to_string(max_streams) + " event streams at once");
        return;
    }
    std::optional<watch::AlertCursor> start;
    const std::string last = req.has_header("Last-Event-ID")
                                 ? req.get_header_value("Last-Event-ID")
                                 : internal::param(req, "since").value_or("");
    if (!last.empty()) {
        start = parse_cursor(last);
    }
    const auto seconds = internal::uint_param(req, "seconds", 300, 1, 3600);
    const std::chrono::seconds lasting(seconds ? *seconds : 300);
    res.set_header("Cache-Control", "no-cache");
    res.set_header("X-Accel-Buffering", "no");
    res.set_stream("text/event-stream", [this, start, lasting, slot](http::DataSink& sink) {
        return event_loop(sink, start, lasting);
    });
}

bool Server::Impl::event_loop(http::DataSink& sink, std::optional<watch::AlertCursor> cursor,
                              std::chrono::seconds lasting) {
    const auto until = std::chrono::steady_clock::now() + lasting;
    std::map<std::int64_t, nlohmann::json> running; // scans seen running, by id
    std::int64_t last_run = -1;
    if (!sink.write("retry: 2000\n\n")) {
        return true;
    }
    auto last_write = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() < until && !stopping) {
        std::string out;
        if (auto store = pool.lease(); store) {
            if (!cursor) {
                cursor = watch::newest_alert(**store).value_or(watch::AlertCursor{});
            }
            if (auto alerts = watch::alerts_after(**store, *cursor, 200); alerts) {
                for (const auto& a : *alerts) {
                    cursor = watch::AlertCursor{a.created_at, a.id};
                    out += sse("alert", watch::alert_json(a),
                               std::to_string(a.created_at) + ":" + a.id);
                }
            }
            if (last_run < 0) {
                auto all = watch::runs_after(**store, 0);
                last_run = all && !all->empty() ? all->back().scan_id : 0;
            }
            if (auto runs = watch::runs_after(**store, last_run); runs) {
                for (const auto& r : *runs) {
                    last_run = r.scan_id;
                    out += sse("run", watch::to_json(r));
                }
            }
            if (auto scans = (*store)->list_scans(); scans) {
                std::map<std::int64_t, nlohmann::json> now_running;
                for (const auto& s : *scans) {
                    const bool was = running.count(s.id) > 0;
                    if (s.status != model::ScanStatus::Running && !was) {
                        continue;
                    }
                    nlohmann::json j = {{"id", s.id},
                                        {"status", model::scan_status_name(s.status)},
                                        {"domains_done", s.domains_done},
                                        {"domains_total", s.domains_total},
                                        {"notes", s.notes}};
                    if (!was || running[s.id] != j) {
                        out += sse("scan", j);
                    }
                    if (s.status == model::ScanStatus::Running) {
                        now_running[s.id] = std::move(j);
                    }
                }
                running = std::move(now_running);
            }
        }
        const auto now = std::chrono::steady_clock::now();
        if (out.empty() && now - last_write > std::chrono::seconds(15)) {
            out = ": keep-alive\n\n";
        }
        if (!out.empty()) {
            if (!sink.write(out)) {
                return true; // the client left
            }
            last_write = now;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    return true;
}

} // namespace dg::server
