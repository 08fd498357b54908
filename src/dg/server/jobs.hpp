#pragma once
// Background scan jobs of the server: each runs scan::run_scan on its own thread with its own
// store connection and DNS transport. The domain list of a job is kept in a file (jobs_dir), and
// the scan's stored configuration names it, so a job interrupted by a shutdown or a crash is
// resumed by the server or by `domaingraph scan --resume ID` alike.

#include "dg/analytics/analytics.hpp"
#include "dg/bgp/table_sources.hpp"
#include "dg/core/result.hpp"
#include "dg/dns/transport.hpp"
#include "dg/geo/geo_db.hpp"
#include "dg/org/org_table.hpp"
#include "dg/rpki/validator.hpp"
#include "dg/scan/scan.hpp"
#include "dg/server/job_table.hpp"
#include "dg/server/metrics.hpp"
#include "dg/store/store.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace dg::server {

/// The routing table and organisations, loaded once and shared read-only by requests and jobs.
struct Tables {
    std::string rib_path;
    bgp::Policy policy = bgp::Policy::Default;
    std::optional<bgp::IpAsnSource> table;
    std::string as2org_path;
    std::optional<org::OrgTable> orgs;
    std::string vrps_path; ///< `serve --vrps`: the RPKI state of every mapped route
    std::unique_ptr<rpki::VrpIndex> vrps;
    std::string geo_path; ///< `serve --geo`: where each address is (City/Country .mmdb)
    std::optional<geo::Database> geo;
};

/// What a new scan job runs over.
struct JobRequest {
    std::vector<std::string> domains; ///< lines of the list (no control characters)
    std::vector<dns::Endpoint> resolvers;
    std::string notes;
    std::uint32_t concurrency = 100;
    std::uint32_t timeout_ms = 2000;
    std::uint32_t retries = 2;
    double rate = 0;
    bool repair = true;
};

/// A job's live state.
struct JobStatus {
    bool running = false;
    scan::ScanProgress progress; ///< of this run
    std::uint64_t previously_done = 0;
    std::string error;            ///< why the job failed ("" if it did not)
    analytics::Coverage coverage; ///< of the results stored in this run
    bool orgs_given = false;      ///< the server has as2org data (coverage warnings)
};

struct JobsConfig {
    std::string db;       ///< store URL (each job opens its own connection)
    std::string jobs_dir; ///< where domain lists are written
    std::size_t max_jobs = 2;
};

/// Writes `content` to a new file `STEM-RANDOM.txt` in `dir` (created), atomically; its path.
Result<std::string> write_job_file(const std::string& dir, const std::string& stem,
                                   const std::string& content);
/// The engine configuration of stored job settings ("resolvers", "rate" per resolver,
/// "concurrency", "timeout_ms", "retries", "repair"), as the CLI builds it from its flags.
/// Errors: InvalidArgument (no or a bad resolver, bad values).
Result<dns::ResolverConfig> stored_resolver_config(const nlohmann::json& settings);

class Jobs {
public:
    Jobs(JobsConfig config, Metrics& metrics) : config_(std::move(config)), metrics_(&metrics) {}
    ~Jobs();
    Jobs(const Jobs&) = delete;
    Jobs& operator=(const Jobs&) = delete;

    /// Sets the tables jobs map against (after the loader finished).
    void set_tables(std::shared_ptr<const Tables> tables);

    /// Writes the list, creates the scan (through `store`) and starts it. Errors: Unavailable (no
    /// routing table yet), ResourceExhausted (max_jobs running), Io, the store's.
    Result<std::int64_t> start(store::Store& store, const JobRequest& request);
    /// Continues an interrupted or failed scan this server (or the CLI) started from a file it
    /// can still read. Errors: NotFound, FailedPrecondition-like InvalidArgument (complete,
    /// already running, no stored list), Unavailable, ResourceExhausted.
    Result<void> resume(store::Store& store, std::int64_t scan_id);
    /// Asks a running job to stop (it ends interrupted). Errors: NotFound (not running here).
    Result<void> stop(std::int64_t scan_id);
    [[nodiscard]] std::optional<JobStatus> status(std::int64_t scan_id) const;
    [[nodiscard]] std::size_t running() const;
    /// Stops every job and waits for them (shutdown).
    void stop_all();

    /// At startup: scans marked running that were started by a server are interrupted now (their
    /// server is gone). Returns the server scans that are resumable (interrupted, failed).
    static Result<std::vector<std::int64_t>> recover(store::Store& store);

private:
    using Job = JobTable<JobStatus>::Job;
    Result<void> launch(std::int64_t scan_id, bool resumed, std::uint64_t previously_done);
    void run(Job& job, std::int64_t scan_id, bool resumed);
    Result<scan::ScanReport> run_scan_job(Job& job, store::Store& store, std::int64_t scan_id,
                                          bool resumed, const Tables& tables);

    JobsConfig config_;
    Metrics* metrics_;
    std::shared_ptr<const Tables> tables_; ///< under jobs_.mutex()
    JobTable<JobStatus> jobs_;
};

} // namespace dg::server
