// domaingraph serve  (docs/cli/serve.md). Thin: options -> server::ServerOptions -> Server::run;
// SIGINT/SIGTERM are taken by a dedicated thread (sigwait) that stops the server gracefully.
#include "dg/cli/commands.hpp"
#include "dg/cli/exit_codes.hpp"
#include "dg/cli/watch_scheduler.hpp"
#include "dg/core/shared_library.hpp"
#include "dg/dns/upstreams.hpp"
#include "dg/server/plugin.hpp"
#include "dg/store/store.hpp"

#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace dg::cli {
namespace {

struct ServeOptions {
    std::string listen = "127.0.0.1:8080";
    std::string rib;
    std::string policy = "default";
    std::string db;
    std::string as2org;
    std::string vrps;
    std::string geo;
    std::string as_rel;
    std::string ixp;
    std::string resolver_ases;
    std::string hostnames_dict;
    std::string web;
    std::string jobs_dir;
    std::string api_token;
    bool protect_reads = false;
    std::vector<std::string> resolvers;
    std::uint32_t concurrency = dns::kDefaultInFlight;
    std::uint32_t timeout_ms = 2000;
    std::uint32_t retries = 2;
    std::size_t max_body = 16u << 20;
    std::size_t max_domains = 1'000'000;
    std::size_t max_jobs = 2;
    int threads = 32;
    std::size_t max_heavy = 2;
    std::size_t max_connections = 10000;
    std::size_t max_header = 32768;
    std::size_t memory_limit_mib = 256;
    std::uint32_t query_timeout_s = 60;
    std::vector<std::string> allowed_hosts;
    bool resume = false;
    bool log = false;
    bool no_watches = false;
    std::uint32_t watch_tick_s = 5;
    std::uint32_t watch_lease_s = 60;
};

int fail(const std::string& message, int code = kExitFailure) {
    std::fprintf(stderr, "domaingraph serve: %s\n", message.c_str());
    return code;
}

/// "HOST:PORT", "[v6]:PORT" or ":PORT" (= 127.0.0.1).
bool split_listen(const std::string& text, std::string& host, int& port) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) {
        return false;
    }
    host = text.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    if (host.empty()) {
        host = "127.0.0.1";
    }
    try {
        std::size_t used = 0;
        port = std::stoi(text.substr(colon + 1), &used);
        return used == text.size() - colon - 1 && port >= 0 && port <= 65535;
    } catch (...) {
        return false;
    }
}

/// The directory of the running executable ("" if unknown).
std::filesystem::path executable_dir() {
    std::error_code ec;
    return std::filesystem::read_symlink("/proc/self/exe", ec).parent_path();
}

/// Where the dashboard was found, or why not.
struct Dashboard {
    std::string dir; ///< "" when none was found
    std::string why; ///< when none: every place looked at and what to do
};

/// The dashboard's files, wherever the binary runs from: installed (`<prefix>/bin/domaingraph`
/// with `<prefix>/share/domaingraph/web`), built in the source tree (`build/<preset>/apps`:
/// web/dist of a directory above it) or out of it (web/dist of the source tree it was built
/// from, DG_SOURCE_WEB_DIST, while the binary is in its build directory DG_BUILD_DIR). The
/// current directory plays no part.
Dashboard find_dashboard() {
    const auto exe = executable_dir();
    std::vector<std::filesystem::path> candidates;
    if (!exe.empty()) {
        candidates.push_back(exe.parent_path() / "share" / "domaingraph" / "web");
        for (auto dir = exe; !dir.empty() && candidates.size() < 6; dir = dir.parent_path()) {
            candidates.push_back(dir / "web" / "dist");
            if (dir == dir.parent_path()) {
                break;
            }
        }
    }
#if defined(DG_SOURCE_WEB_DIST) && defined(DG_BUILD_DIR)
    // a binary still in its build directory: the source tree it was built from (an installed
    // or copied binary must not depend on the source tree)
    if (exe.string().starts_with(DG_BUILD_DIR "/")) {
        candidates.emplace_back(DG_SOURCE_WEB_DIST);
    }
#endif
    Dashboard out;
    std::string looked;
    bool unbuilt = false;
    for (const auto& c : candidates) {
        // is_regular_file(p, ec) sets ec for a path that does not exist: ask each candidate
        // with its own error_code, and never stop at the first miss.
        std::error_code ec;
        if (std::filesystem::is_regular_file(c / "index.html", ec)) {
            out.dir = c.string();
            return out;
        }
        std::error_code src_ec;
        if (c.filename() == "dist" &&
            std::filesystem::is_regular_file(c.parent_path() / "src" / "index.html", src_ec)) {
            unbuilt = true;
        }
        looked += (looked.empty() ? "" : ", ") + c.string();
    }
    out.why = "no dashboard files (index.html) in " + looked + ". " +
              (unbuilt ? "The source tree's dashboard is not built: run `npm ci --prefix web && "
                         "node web/build.mjs`, "
                       : "Install them (`cmake --install` puts web/dist in "
                         "<prefix>/share/domaingraph/web) ") +
              "or give --web DIR";
    return out;
}

struct ServePlugin {
    server::ServePluginEntry run = nullptr;
};

/// The server plugin (dg/server/plugin.hpp): beside the executable (a build tree), else in
/// ../lib/domaingraph/ (an installation).
Result<ServePlugin> open_serve_plugin() {
    const auto dir = executable_dir();
    const std::filesystem::path candidates[] = {
        dir / server::kServePluginFile,
        dir.parent_path() / "lib" / "domaingraph" / server::kServePluginFile,
    };
    const std::filesystem::path* found = nullptr;
    std::error_code ec;
    for (const auto& c : candidates) {
        if (std::filesystem::exists(c, ec)) {
            found = &c;
            break;
        }
    }
    if (found == nullptr) {
        return make_error(ErrorCode::Unavailable,
                          std::string(server::kServePluginFile) + " (the server) is neither in " +
                              candidates[0].parent_path().string() + " nor in " +
                              candidates[1].parent_path().string() +
                              ": build the domaingraph target or install it");
    }
    DG_TRY(SharedLibrary plugin, SharedLibrary::open(found->string()));
    ServePlugin entry;
    plugin.bind(entry.run, server::kServePluginEntry);
    DG_TRY_VOID(plugin.result());
    return entry;
}

int run_serve(const ServeOptions& o) {
    server::ServerOptions so;
    if (!split_listen(o.listen, so.host, so.port)) {
        return fail("--listen wants HOST:PORT, e.g. 127.0.0.1:8080", kExitUsage);
    }
    auto policy = bgp::parse_policy(o.policy);
    if (!policy) {
        return fail(policy.error().message, kExitUsage);
    }
    for (const auto& r : o.resolvers) {
        auto e = dns::Endpoint::parse(r);
        if (!e) {
            return fail("--resolver: " + e.error().message, kExitUsage);
        }
        so.default_resolvers.push_back(*e);
    }
    if (so.default_resolvers.empty()) {
        if (auto sys = dns::system_resolvers()) {
            so.default_resolvers = *sys;
        }
    }
    so.rib = o.rib.empty() ? "" : std::filesystem::absolute(o.rib).string();
    so.policy = *policy;
    so.db = o.db;
    so.as2org = o.as2org;
    so.vrps = o.vrps.empty() ? "" : std::filesystem::absolute(o.vrps).string();
    so.geo = o.geo.empty() ? "" : std::filesystem::absolute(o.geo).string();
    so.as_rel = o.as_rel;
    so.ixp = o.ixp;
    so.resolver_ases = o.resolver_ases;
    so.hostnames_dict = o.hostnames_dict;
    if (!o.web.empty()) {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(std::filesystem::path(o.web) / "index.html", ec)) {
            return fail("--web " + o.web +
                            ": no index.html there (the dashboard is web/dist of "
                            "the source tree after `node web/build.mjs`)",
                        kExitUsage);
        }
        so.web_dir = o.web;
    } else {
        const Dashboard found = find_dashboard();
        so.web_dir = found.dir;
        so.no_web_reason = found.why;
    }
    so.jobs_dir = o.jobs_dir;
    so.api_token = o.api_token;
    so.protect_reads = o.protect_reads;
    so.concurrency = o.concurrency;
    so.timeout_ms = o.timeout_ms;
    so.retries = o.retries;
    so.max_body_bytes = o.max_body;
    so.max_domains = o.max_domains;
    so.max_jobs = o.max_jobs;
    so.threads = o.threads;
    so.max_heavy = o.max_heavy;
    so.max_connections = o.max_connections;
    so.max_header_bytes = o.max_header;
    so.memory_limit_mib = o.memory_limit_mib;
    so.query_timeout_s = o.query_timeout_s;
    so.allowed_hosts = o.allowed_hosts;
    so.resume_interrupted = o.resume;
    so.quiet = !o.log;

    auto plugin = open_serve_plugin();
    if (!plugin) {
        return fail(plugin.error().to_string());
    }
    std::optional<WatchScheduler> scheduler;
    if (!o.no_watches) {

        SchedulerOptions wo;
        wo.db = o.db;
        wo.tick = std::chrono::seconds(o.watch_tick_s);
        wo.lease_seconds = o.watch_lease_s;
        wo.log = o.log;
        scheduler.emplace(wo);
        // The scheduler's connection is opened (a new database created and migrated) here,
        // before the server opens it: two connections creating one SQLite file at once can fail
        // ("database is locked" on the switch to WAL). A failure is the server's to report; the
        // scheduler then tries again every tick.
        auto opened = store::Store::open(o.db);
        scheduler->start(opened ? std::move(*opened) : nullptr);
    }
    const int code = plugin->run(&so, sizeof(so));
    if (scheduler) {
        scheduler->stop();
    }
    return code;
}

} // namespace

void register_serve_command(CLI::App& app, Runner& selected) {
    auto opts = std::make_shared<ServeOptions>();
    CLI::App* cmd = app.add_subcommand(
        "serve", "Run the HTTP service: REST API, scan jobs, health, metrics, web dashboard");
    cmd->footer(
        "\nExamples:\n"
        "  DOMAINGRAPH_API_TOKEN=s3cret domaingraph serve --listen 127.0.0.1:8080 -m rib.gz\n"
        "  domaingraph serve --listen 0.0.0.0:8080 --db postgresql://host/db --protect-reads\n"
        "API: docs/api.md (also GET /api/v1/openapi.json). Details: docs/cli/serve.md");
    cmd->add_flag("--no-watches", opts->no_watches,
                  "Do not run due watches (`domaingraph watch`) or deliver their alerts here");
    cmd->add_option("--watch-tick", opts->watch_tick_s,
                    "Seconds between looks for due watches and alert deliveries")
        ->check(CLI::Range(1U, 3600U))
        ->capture_default_str();
    cmd->add_option("--watch-lease", opts->watch_lease_s,
                    "Seconds a server holds a running watch (renewed while it runs; another "
                    "server takes the watch over when it expires)")
        ->check(CLI::Range(3U, 86400U))
        ->capture_default_str();
    cmd->add_option("--listen", opts->listen, "HOST:PORT to listen on (port 0: any free port)")
        ->capture_default_str();
    cmd->add_option("-m,--rib", opts->rib,
                    "Routing table for scans and /api/v1/ip (MRT dump, cache, pyasn .dat, "
                    "prefix2as, .mmdb)");
    cmd->add_option("--policy", opts->policy, "Origin policy for MRT dumps: default or pyasn")
        ->capture_default_str();
    cmd->add_option("--db", opts->db, "Database URL (default: SQLite in the user data directory)");
    cmd->add_option("--as2org,--names", opts->as2org,
                    "AS names and organisations: CAIDA as-org2info, pyasn's asnames.json, an "
                    "RPSL aut-num dump or an RIR delegation file; several separated by commas");
    cmd->add_option("--geo", opts->geo,
                    "MaxMind City or Country database: the location of looked-up addresses and "
                    "the world map of a scan's infrastructure (GET /api/v1/scans/{id}/geo)");
    cmd->add_option("--vrps", opts->vrps,
                    "RPKI VRP file (rpki-client or Routinator output): scans and lookups get the "
                    "RPKI state of every route");
    cmd->add_option("--as-rel", opts->as_rel,
                    "CAIDA AS-relationship file (serial-1/2): offers GET "
                    "/api/v1/scans/{id}/resilience and the dashboard's resilience section");
    cmd->add_option("--ixp", opts->ixp, "IXP membership file for --as-rel (IXP<TAB>ASN lines)");
    cmd->add_option("--resolver-ases", opts->resolver_ases,
                    "Resolver ASes of the resilience reports: a list (1103,3320) or a file");
    cmd->add_option("--hostnames-dict", opts->hostnames_dict,
                    "Hostname dictionary of the sweep topology maps (default: the shipped one)");
    cmd->add_option("--web", opts->web,
                    "Directory of the dashboard's static files (default: <prefix>/share/"
                    "domaingraph/web when installed, else web/dist of the source tree the "
                    "binary was built from, found from the binary's location)");
    cmd->add_option("--jobs-dir", opts->jobs_dir,
                    "Where domain lists of API scans are kept (default: <data dir>/jobs)");
    cmd->add_option("--api-token", opts->api_token,
                    "Token for write endpoints (prefer DOMAINGRAPH_API_TOKEN or the config file)");
    cmd->add_flag("--protect-reads", opts->protect_reads, "Require the token for reads too");
    cmd->add_option("--resolver", opts->resolvers,
                    "Default resolver IP[:PORT] for scans that name none (repeatable; default: "
                    "/etc/resolv.conf)");
    cmd->add_option("-c,--concurrency", opts->concurrency, "Default queries in flight per scan")
        ->check(CLI::Range(1U, dns::kMaxInFlight))
        ->capture_default_str();
    cmd->add_option("--timeout", opts->timeout_ms, "Default per-attempt DNS timeout (ms)")
        ->check(CLI::Range(1U, 600000U))
        ->capture_default_str();
    cmd->add_option("--retries", opts->retries, "Default DNS retries")
        ->check(CLI::Range(0U, dns::kMaxRetries))
        ->capture_default_str();
    cmd->add_option("--max-body", opts->max_body, "Largest request body in bytes (413 beyond)")
        ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 32))
        ->capture_default_str();
    cmd->add_option("--max-domains", opts->max_domains, "Most domains in one POSTed scan")
        ->check(CLI::Range(std::size_t{1}, std::size_t{100'000'000}))
        ->capture_default_str();
    cmd->add_option("--max-jobs", opts->max_jobs, "Scans running at once (429 beyond)")
        ->check(CLI::Range(std::size_t{1}, std::size_t{64}))
        ->capture_default_str();
    cmd->add_option("--threads", opts->threads,
                    "Request worker threads (API handlers; idle and slow connections take none)")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    cmd->add_option("--max-heavy", opts->max_heavy,
                    "Expensive requests at once (whole-scan analytics, exports, clusters, diffs, "
                    "reports); 429 with Retry-After beyond")
        ->check(CLI::Range(std::size_t{1}, std::size_t{64}))
        ->capture_default_str();
    cmd->add_option("--max-connections", opts->max_connections,
                    "Open connections (503 beyond; also bounded by the open-files limit)")
        ->check(CLI::Range(std::size_t{16}, std::size_t{1'000'000}))
        ->capture_default_str();
    cmd->add_option("--max-header", opts->max_header,
                    "Largest request line + header fields in bytes (431 beyond)")
        ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 20))
        ->capture_default_str();
    cmd->add_option("--memory-limit", opts->memory_limit_mib,
                    "Memory budget in MiB for the store's caches (SQLite page caches of the "
                    "request connections; half of it) and request buffers")
        ->check(CLI::Range(std::size_t{32}, std::size_t{1} << 20))
        ->capture_default_str();
    cmd->add_option("--query-timeout", opts->query_timeout_s,
                    "Seconds of database time a request may use; its queries are stopped then "
                    "(503). 0 = no limit")
        ->check(CLI::Range(0U, 86400U))
        ->capture_default_str();
    cmd->add_option("--allowed-host", opts->allowed_hosts,
                    "Host header name to answer besides loopback names when listening on a "
                    "loopback address (repeatable; others get 421, against DNS rebinding)");
    cmd->add_flag("--resume-interrupted", opts->resume,
                  "Resume the server's interrupted scans at startup");
    cmd->add_flag("--log", opts->log, "Log every request on stderr");
    cmd->callback([opts, &selected] { selected = [opts] { return run_serve(*opts); }; });
}

} // namespace dg::cli
