#pragma once
// Background PTR sweeps of the server (POST /api/v1/ptr/sweeps; docs/api.md): each runs
// ptr::run_stored_sweep on its own thread with its own store connection and DNS transport. The
// address list is kept in a file (jobs_dir) named by the sweep's stored settings, so an
// interrupted sweep is resumed by `domaingraph ptr sweep --resume ID` with the same settings.

#include "dg/core/result.hpp"
#include "dg/dns/transport.hpp"
#include "dg/ptr/address_list.hpp"
#include "dg/server/jobs.hpp"
#include "dg/store/store.hpp"

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace dg::server {

/// What a new sweep job runs over (the defaults are `ptr sweep`'s: polite for public resolvers).
struct SweepRequest {
    std::string list; ///< prefix or address list text (one entry per line, '#' comments)
    ptr::ListKind kind = ptr::ListKind::Prefixes;
    std::vector<dns::Endpoint> resolvers;
    std::string notes;
    double rate = 500;             ///< global queries/s (0: none)
    double per_resolver_rate = 50; ///< queries/s per resolver (0: none)
    std::uint32_t concurrency = 100;
    std::uint32_t timeout_ms = 2000;
    std::uint32_t retries = 2;
    bool repair = true;
    bool confirm = false; ///< needed above ptr::kConfirmAbove addresses
};

/// What start() accepted: the sweep and the list's invalid lines (skipped, as `ptr sweep` does).
struct SweepStarted {
    std::int64_t id = 0;
    std::uint64_t addresses = 0;
    ptr::ListReport list;
};

/// A sweep job's live state.
struct SweepJobStatus {
    bool running = false;
    std::uint64_t done = 0; ///< results of this run
    std::uint64_t noerror = 0;
    std::uint64_t failures = 0; ///< TIMEOUT and SERVFAIL
    std::string error;          ///< why the job failed ("" if it did not)
};

class SweepJobs {
public:
    explicit SweepJobs(JobsConfig config) : config_(std::move(config)) {}
    ~SweepJobs();
    SweepJobs(const SweepJobs&) = delete;
    SweepJobs& operator=(const SweepJobs&) = delete;

    /// Reads the list, writes it to jobs_dir, creates the sweep (through `store`) and starts it.
    /// Errors: InvalidArgument (no valid address, no resolver), ResourceExhausted (more than
    /// ptr::kConfirmAbove addresses without `confirm`, or max_jobs sweeps running), Io, the
    /// store's.
    Result<SweepStarted> start(store::Store& store, const SweepRequest& request);
    /// Asks a running sweep to stop (it ends interrupted). Errors: NotFound.
    Result<void> stop(std::int64_t id);
    [[nodiscard]] std::optional<SweepJobStatus> status(std::int64_t id) const;
    /// Stops every sweep and waits for them (shutdown).
    void stop_all();

private:
    using Job = JobTable<SweepJobStatus>::Job;
    void run(Job& job, std::int64_t id, ptr::AddressPlan plan, SweepRequest request);

    JobsConfig config_;
    JobTable<SweepJobStatus> jobs_;
};

} // namespace dg::server
