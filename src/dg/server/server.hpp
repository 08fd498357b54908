#pragma once
// domaingraph as a service (docs/cli/serve.md, docs/api.md): the REST API under /api/v1/, health,
// readiness and Prometheus metrics, background scan jobs and the static web dashboard, all over
// the same library calls as the CLI. HTTP: Boost.Beast on Asio (internal/http.hpp,
// docs/design/0008-server-http.md).
//
// Threads: two I/O threads (run(): accept, read, write), a pool of request workers (each request
// leases its own store connection) and a thread for health, readiness and metrics, one thread per
// running scan job (own connection, own DNS transport), and one loader for the routing table and
// the organisation table (the server listens before they are loaded; /ready says when they are).

#include "dg/bgp/table_sources.hpp"
#include "dg/core/result.hpp"
#include "dg/dns/resolver.hpp"
#include "dg/dns/transport.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace dg::server {

struct ServerOptions {
    std::string host = "127.0.0.1";
    int port = 8080; ///< 0: any free port (see Server::port())
    std::string db;  ///< store URL as Store::open takes it ("" = the default SQLite file)
    std::string rib; ///< routing table (any IpAsnSource format); "" = none (not ready)
    bgp::Policy policy = bgp::Policy::Default;
    std::string as2org; ///< CAIDA as2org file, optional
    std::string vrps;   ///< VRP file (rpki-client / Routinator output), optional
    std::string geo;    ///< MaxMind City/Country database (address locations), optional
    /// DNS resilience (GET /api/v1/scans/{id}/resilience): a CAIDA as-rel file, an optional
    /// IXP membership file and the resolver ASes (a list or a file). "" = not offered (503).
    std::string as_rel;
    std::string ixp;
    std::string resolver_ases;
    /// The hostname dictionary of GET /api/v1/ptr/sweeps/{id}/topology ("" = the usual places).
    std::string hostnames_dict;
    std::string web_dir; ///< static dashboard files served under /; "" = none
    /// Why there is no dashboard (web_dir ""): printed at start and answered at GET /.
    std::string no_web_reason;
    /// Where the domain lists of POSTed scans are kept (a resumed scan reads them again).
    std::string jobs_dir;
    /// Bearer token for write endpoints (and reads when protect_reads); "" = writes refused.
    std::string api_token;
    bool protect_reads = false;
    /// Resolvers of a scan whose request names none.
    std::vector<dns::Endpoint> default_resolvers;
    std::uint32_t concurrency = dns::kDefaultInFlight; ///< default per scan
    std::uint32_t timeout_ms = 2000;
    std::uint32_t retries = 2;
    std::size_t max_body_bytes = 16u << 20; ///< request bodies (413 beyond)
    std::size_t max_domains = 1'000'000;    ///< names per POSTed scan
    std::size_t max_page = 10'000;          ///< results per page / changes per diff
    std::size_t max_jobs = 2;               ///< scans running at once (429 beyond)
    /// Request workers (handlers of API requests; idle and slow connections take none). They
    /// share one queue: with few workers, cheap requests wait behind slow ones (the soak of
    /// issue 19: 8 workers gave ~150 requests/s where 32 give thousands). Their store caches are
    /// bounded by memory_limit_mib, whatever their number.
    int threads = 32;
    /// Expensive requests (whole-scan analytics, exports, clusters, reports) at once; beyond it
    /// 429 with Retry-After. They run on the workers, so this keeps workers for the rest.
    std::size_t max_heavy = 2;
    /// Open connections (beyond: 503 and close). Also bounded by the open-files limit.
    std::size_t max_connections = 10000;
    /// Request line and header fields together (431 beyond).
    std::size_t max_header_bytes = 32768;
    /// Memory budget (MiB): half of it is the SQLite page caches of the request connections,
    /// split among them (at least 2 MiB each); sorts spill to temporary files.
    std::size_t memory_limit_mib = 256;
    /// Store time a request may use (its statements are stopped then: 503); 0 = no limit.
    std::uint32_t query_timeout_s = 60;
    /// Host header names answered besides loopback names, when listening on a loopback address
    /// (others get 421: DNS rebinding). Listening elsewhere, any Host is answered.
    std::vector<std::string> allowed_hosts;
    /// At startup, scans this server left `running` (it died) are marked interrupted; with
    /// this they are also resumed (and so are ones a graceful shutdown interrupted).
    bool resume_interrupted = false;
    /// Quiet: no request log on stderr.
    bool quiet = true;
};

class Server {
public:
    /// Opens the store (migrating it), marks scans a dead server left running as interrupted,
    /// binds the socket and starts loading the tables. Errors: the store's, InvalidArgument
    /// (options), Io (cannot bind).
    static Result<std::unique_ptr<Server>> create(const ServerOptions& options);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// The bound port.
    [[nodiscard]] int port() const;
    /// Serves until stop(); then lets in-flight requests finish, stops running scans (left
    /// interrupted, resumable) and returns.
    void run();
    /// Thread-safe; not async-signal-safe (call from a normal thread).
    void stop();
    /// Blocks until the tables are loaded (or failed); true when the RIB is available.
    bool wait_ready();
    /// Answers one raw HTTP/1.1 request (the bytes a client sends) through the same parsing,
    /// limits, routes and handlers as a connection, on the calling thread; returns the raw
    /// answer. For the fuzz target (fuzz/fuzz_http_api.cpp) and tests.
    std::string answer_raw(std::string_view request_bytes);

    struct Impl;

private:
    explicit Server(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

/// Constant-time comparison (length leaks, content does not).
bool constant_time_equal(std::string_view a, std::string_view b);

} // namespace dg::server
