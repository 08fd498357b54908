#include "dg/server/server.hpp"

#include "dg/core/paths.hpp"
#include "dg/server/internal/impl.hpp"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace dg::server {

std::string_view openapi_document(); // openapi_embedded.cpp (generated)

namespace {

using Clock = std::chrono::steady_clock;

// Per worker thread: which route answered the request being processed, and since when.
/// True for names and addresses of this host's loopback interface.
bool is_loopback_host(const std::string& host) {
    return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

const char* mime_type(const std::string& ext) {
    static const std::pair<const char*, const char*> kTypes[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".txt", "text/plain; charset=utf-8"},
        {".map", "application/json"},
        {".woff2", "font/woff2"},
    };
    for (const auto& [e, t] : kTypes) {
        if (ext == e) {
            return t;
        }
    }
    return "application/octet-stream";
}

/// The file under `root` that `rel` names, or nullopt when it would leave `root` (.., symlinks
/// out) or is not a regular file. A directory means its index.html.
std::optional<std::filesystem::path> static_file(const std::filesystem::path& root,
                                                 const std::string& rel) {
    if (rel.find('\0') != std::string::npos || rel.find('\\') != std::string::npos) {
        return std::nullopt;
    }
    std::filesystem::path p(rel);
    for (const auto& part : p) {
        if (part == ".." || part.is_absolute() || part.has_root_name()) {
            return std::nullopt;
        }
    }
    std::error_code ec;
    std::filesystem::path full = root / p.relative_path();
    if (std::filesystem::is_directory(full, ec)) {
        full /= "index.html";
    }
    auto canonical = std::filesystem::weakly_canonical(full, ec);
    if (ec) {
        return std::nullopt;
    }
    const std::string r = root.string() + "/";
    if (canonical.string().compare(0, r.size(), r) != 0 ||
        !std::filesystem::is_regular_file(canonical, ec)) {
        return std::nullopt;
    }
    return canonical;
}

} // namespace

http::Lane lane_of(const std::string& name) {
    static const char* const kLight[] = {"/health", "/ready", "/metrics"};
    static const char* const kHeavy[] = {"/api/v1/scans/{id}/export",
                                         "/api/v1/scans/{id}/analytics",
                                         "/api/v1/scans/{id}/clusters",
                                         "/api/v1/scans/{id}/resilience",
                                         "/api/v1/trends",
                                         "/api/v1/diff",
                                         "/api/v1/stats/infrastructure",
                                         "/api/v1/ptr/sweeps/{id}/topology",
                                         "/api/v1/ptr/sweeps/{id}/results"};
    for (const char* n : kLight) {
        if (name == n) {
            return http::Lane::Light;
        }
    }
    for (const char* n : kHeavy) {
        if (name == n) {
            return http::Lane::Heavy;
        }
    }
    return http::Lane::Normal;
}

std::string Server::Impl::distributed_gauges() {
    auto store = pool.lease();
    if (!store) {
        return {};
    }
    auto coordinator = shards::Coordinator::of(**store);
    if (!coordinator) {
        return {}; // SQLite: no distributed scans
    }
    auto ids = coordinator->running_scans();
    if (!ids) {
        return {};
    }
    std::vector<shards::Progress> scans;
    for (const std::int64_t id : *ids) {
        if (auto p = coordinator->progress(id, std::time(nullptr))) {
            scans.push_back(std::move(*p));
        }
    }
    return scans.empty() ? std::string() : render_distributed(scans);
}

void Server::Impl::route(const char* method, const std::string& pattern, const std::string& name,
                         Access access, Handler handler) {
    http::Guard guard;
    if (access != Access::Open) {
        guard = [this, access](const http::Request& req, http::Response& res) {
            if (access == Access::Read && !options.protect_reads) {
                return true;
            }
            if (authorized(req)) {
                // Nothing is accepted that could not be stored (issue 19 item 7).
                if (auto usable = pool.check(); access == Access::Write && !usable) {
                    internal::send_failure(res, usable.error());
                    return false;
                }
                return true;
            }
            res.set_header("WWW-Authenticate", "Bearer");
            internal::send_error(res, 401, "unauthorized",
                                 options.api_token.empty()
                                     ? "this server has no API token configured"
                                     : "a valid 'Authorization: Bearer TOKEN' header is required");
            return false;
        };
    }
    engine->add(method, pattern, name, lane_of(name), std::move(handler), std::move(guard));
}

bool Server::Impl::authorized(const http::Request& req) const {
    if (options.api_token.empty()) {
        return false;
    }
    // RFC 9110 11.1: the scheme is case-insensitive ("bearer" is "Bearer"); one or more spaces.
    const std::string header = req.get_header_value("Authorization");
    constexpr std::string_view kBearer = "bearer";
    if (header.size() <= kBearer.size() + 1 ||
        !std::equal(
            kBearer.begin(), kBearer.end(), header.begin(),
            [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); }) ||
        header[kBearer.size()] != ' ') {
        return false;
    }
    const auto token_start = header.find_first_not_of(' ', kBearer.size());
    if (token_start == std::string::npos) {
        return false;
    }
    return constant_time_equal(std::string_view(header).substr(token_start), options.api_token);
}

void Server::Impl::load_tables() {
    auto t = std::make_shared<Tables>();
    t->rib_path = options.rib;
    t->policy = options.policy;
    t->as2org_path = options.as2org;
    std::string error;
    if (options.rib.empty()) {
        error = "no routing table configured (serve -m RIB)";
    } else {
        bgp::SourceOptions so;
        so.policy = options.policy;
        so.show_progress = false;
        so.warn = [](const std::string&) {};
        auto table = bgp::IpAsnSource::open(options.rib, so);
        if (table) {
            t->table.emplace(std::move(*table));
        } else {
            error = "routing table: " + table.error().to_string();
        }
    }
    if (error.empty() && !options.as2org.empty()) {
        auto orgs = org::OrgTable::load(options.as2org);
        if (orgs) {
            t->orgs.emplace(std::move(*orgs));
        } else {
            error = "as2org: " + orgs.error().to_string();
        }
    }
    if (error.empty() && !options.vrps.empty()) {
        t->vrps_path = options.vrps;
        auto set = rpki::load_vrps(options.vrps);
        if (set) {
            t->vrps = std::make_unique<rpki::VrpIndex>(rpki::VrpIndex::build(std::move(*set)));
        } else {
            error = "vrps: " + set.error().to_string();
        }
    }
    if (error.empty() && !options.geo.empty()) {
        t->geo_path = options.geo;
        auto db = geo::Database::open(options.geo);
        if (db) {
            t->geo.emplace(std::move(*db));
        } else {
            error = "geo: " + db.error().to_string();
        }
    }
    if (!error.empty()) {
        std::fprintf(stderr, "domaingraph serve: %s\n", error.c_str());
    }
    std::shared_ptr<const Tables> shared = t;
    if (t->table) {
        jobs.set_tables(shared);
    }
    {
        const std::lock_guard lock(tables_mutex);
        tables = shared;
        tables_error = error;
        tables_done = true;
    }
    tables_cv.notify_all();
    if (t->table && options.resume_interrupted) {
        auto store = pool.lease();
        for (const auto id : to_resume) {
            if (!store) {
                break;
            }
            auto resumed = jobs.resume(**store, id);
            std::fprintf(stderr, "domaingraph serve: resuming scan %lld: %s\n",
                         static_cast<long long>(id),
                         resumed ? "started" : resumed.error().to_string().c_str());
        }
    }
}

void Server::Impl::install_infrastructure() {
    route("GET", "/health", "/health", Access::Open, [](const http::Request&, http::Response& res) {
        internal::send_json(res, 200, {{"status", "ok"}});
    });
    route("GET", "/ready", "/ready", Access::Open,
          [this](const http::Request&, http::Response& res) {
              nlohmann::json body;
              bool ready = true;
              auto store = pool.lease();
              const auto writable = pool.check();
              if (store && (*store)->schema_version() && writable) {
                  body["database"] = "ok";
              } else if (store && !writable) {
                  // Read-only or full (StorePool::watch): reads are answered, writes refused.
                  body["database"] = writable.error().to_string();
                  body["database_reads"] = "ok";
                  ready = false;
              } else {
                  // Removed or replaced (StorePool::watch), or unreachable.
                  body["database"] = store ? "unreachable" : store.error().to_string();
                  ready = false;
              }
              {
                  const std::lock_guard lock(tables_mutex);
                  if (!tables_done) {
                      body["rib"] = "loading";
                      ready = false;
                  } else if (!tables || !tables->table) {
                      body["rib"] = tables_error;
                      ready = false;
                  } else {
                      const auto* pt = tables->table->table();
                      body["rib"] = {{"path", tables->rib_path},
                                     {"prefixes", pt != nullptr ? pt->size() : 0}};
                      body["as2org"] = tables->orgs ? nlohmann::json(tables->as2org_path)
                                                    : nlohmann::json(nullptr);
                      body["vrps"] = tables->vrps
                                         ? nlohmann::json({{"path", tables->vrps_path},
                                                           {"vrps", tables->vrps->vrps().size()}})
                                         : nlohmann::json(nullptr);
                      body["geo"] = tables->geo ? nlohmann::json({{"path", tables->geo_path},
                                                                  {"type", tables->geo->type()}})
                                                : nlohmann::json(nullptr);
                  }
              }
              body["status"] = ready ? "ready" : "not_ready";
              internal::send_json(res, ready ? 200 : 503, body);
          });
    route("GET", "/metrics", "/metrics", Access::Open,
          [this](const http::Request&, http::Response& res) {
              const auto t = current_tables();
              const bool loaded = t && t->table;
              const auto* pt = loaded ? t->table->table() : nullptr;
              std::map<std::string, std::pair<std::string, double>> gauges{
                  {"domaingraph_up", {"1 while the server runs", 1}},
                  {"domaingraph_scans_running",
                   {"Scan jobs running in this server", static_cast<double>(jobs.running())}},
                  {"domaingraph_rib_loaded",
                   {"1 when the routing table is loaded", loaded ? 1.0 : 0.0}},
                  {"domaingraph_rib_prefixes",
                   {"Prefixes in the routing table",
                    pt != nullptr ? static_cast<double>(pt->size()) : 0.0}},
              };
              std::string text = metrics.render(gauges);
              text += distributed_gauges();
              res.set_content(text, "text/plain; version=0.0.4; charset=utf-8");
          });
    route("GET", "/api/v1/openapi.json", "/api/v1/openapi.json", Access::Open,
          [](const http::Request&, http::Response& res) {
              const auto doc = openapi_document();
              res.set_content(doc.data(), doc.size(), "application/json");
          });
}

void Server::Impl::install_static() {
    if (options.web_dir.empty()) {
        // Say at / why there is no dashboard, rather than a bare 404.
        const std::string why = options.no_web_reason.empty()
                                    ? std::string("this server runs without a dashboard (--web)")
                                    : options.no_web_reason;
        route("GET", R"(/(index\.html)?)", "static", Access::Open,
              [why](const http::Request&, http::Response& res) {
                  internal::send_error(res, 404, "no_dashboard", why);
              });
        return;
    }
    std::error_code ec;
    auto root = std::filesystem::canonical(options.web_dir, ec);
    if (ec) {
        std::fprintf(stderr, "domaingraph serve: web directory %s: %s (dashboard off)\n",
                     options.web_dir.c_str(), ec.message().c_str());
        return;
    }
    route("GET", R"(/((?!api/).*))", "static", Access::Open,
          [root](const http::Request& req, http::Response& res) {
              const std::string rel = req.matches[1];
              if (rel.rfind("api/", 0) == 0) {
                  internal::send_error(res, 404, "not_found", "no such API route");
                  return;
              }
              auto file = static_file(root, rel.empty() ? "index.html" : rel);
              if (!file) {
                  internal::send_error(res, 404, "not_found", "no such file");
                  return;
              }
              std::ifstream in(*file, std::ios::binary);
              std::ostringstream content;
              content << in.rdbuf();
              res.set_header("Cache-Control", "no-cache");
              res.set_header("Content-Security-Policy",
                             "default-src 'self'; img-src 'self' data:; style-src 'self' "
                             "'unsafe-inline'; frame-ancestors 'none'");
              res.set_content(content.str(), mime_type(file->extension().string()));
          });
}

Result<std::unique_ptr<Server>> Server::create(const ServerOptions& options) {
    if (options.port < 0 || options.port > 65535) {
        return make_error(ErrorCode::InvalidArgument, "port must be 0..65535");
    }
    JobsConfig jc;
    jc.db = options.db;
    jc.jobs_dir = options.jobs_dir.empty() ? user_data_dir() + "/jobs" : options.jobs_dir;
    jc.max_jobs = options.max_jobs;
    auto impl = std::make_unique<Impl>(options, jc);
    if (!options.as_rel.empty()) {
        if (options.resolver_ases.empty()) {
            return make_error(ErrorCode::InvalidArgument,
                              "--as-rel needs --resolver-ases (the resolver ASes of the reports)");
        }
        DG_TRY(auto graph,
               resilience::load_graph(options.as_rel, options.ixp, options.resolver_ases));
        impl->as_graph = std::make_shared<const resilience::LoadedGraph>(std::move(graph));
    }
    {
        DG_TRY(auto store, impl->pool.lease());
        DG_TRY(impl->to_resume, Jobs::recover(*store));
    }
    if (const auto path = store::sqlite_path_of(options.db)) {
        impl->pool.watch(store::FileWatch::of_path(*path));
    }
    Impl& s = *impl;
    http::EngineOptions eo;
    eo.workers = static_cast<std::size_t>(std::max(1, options.threads));
    eo.max_heavy = options.max_heavy;
    eo.max_connections = options.max_connections;
    eo.max_body_bytes = options.max_body_bytes;
    eo.max_header_bytes = options.max_header_bytes;
    eo.default_headers = {{"X-Content-Type-Options", "nosniff"}};
    eo.check_host = is_loopback_host(options.host);
    eo.allowed_hosts = options.allowed_hosts;
    eo.on_answer = [&s](const std::string& route, const http::Request& req, int status,
                        double secs) {
        s.metrics.request(route, req.method, status, secs);
        if (!s.options.quiet) {
            std::fprintf(stderr, "%s %s %d %.1f ms\n", req.method.c_str(), req.path.c_str(), status,
                         secs * 1000);
        }
    };
    s.engine = std::make_unique<http::Engine>(std::move(eo));
    s.install_infrastructure();
    s.install_api();
    s.install_static();
    DG_TRY(s.port, s.engine->bind(options.host, options.port));
    s.loader = std::thread([&s] { s.load_tables(); });
    return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
    stop();
    if (impl_->loader.joinable()) {
        impl_->loader.join();
    }
    impl_->jobs.stop_all();
    impl_->sweep_jobs.stop_all();
}

int Server::port() const {
    return impl_->port;
}

void Server::run() {
    impl_->engine->run();
    // Requests have finished (the worker pool is joined); now the scans.
    if (impl_->loader.joinable()) {
        impl_->loader.join();
    }
    impl_->jobs.stop_all();
    impl_->sweep_jobs.stop_all();
}

void Server::stop() {
    impl_->stopping = true;
    impl_->engine->stop();
}

std::string Server::answer_raw(std::string_view request_bytes) {
    return impl_->engine->answer_raw(request_bytes);
}

bool Server::wait_ready() {
    std::unique_lock lock(impl_->tables_mutex);
    impl_->tables_cv.wait(lock, [this] { return impl_->tables_done; });
    return impl_->tables && impl_->tables->table;
}

} // namespace dg::server
