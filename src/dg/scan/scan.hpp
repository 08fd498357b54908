#pragma once
// The main job (docs/cli/scan.md): a domain list -> DNS (A, AAAA, NS, MX with CNAMEs followed,
// plus the A/AAAA of every NS and MX host, each host once per scan) -> prefix, origin AS and
// organisation of every address -> the store, in batches of one transaction each.
//
// Three stages joined by bounded queues: resolve (the DNS engine's event loop, on the calling
// thread) -> map (longest-prefix match, own thread) -> store (batched writes, own thread).
// Memory stays flat for any list length; the host cache (one entry per distinct NS/MX host)
// and the input's fingerprint set are the only parts that grow, and slowly.
//
// A scan interrupted at any point (Ctrl-C, kill -9, power loss) keeps every batch committed
// before; resuming skips the stored domains, so each domain ends with exactly one result.

#include "dg/core/result.hpp"
#include "dg/dns/resolver.hpp"
#include "dg/dns/transport.hpp"
#include "dg/model/model.hpp"
#include "dg/scan/assemble.hpp"
#include "dg/scan/domain_input.hpp"
#include "dg/store/store.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace dg::scan {

struct ScanSettings {
    /// Upstreams, concurrency, timeouts, rate. The scan sets the types (A, AAAA, NS, MX) and
    /// resolves hosts itself; its own repair pass replaces the engine's.
    dns::ResolverConfig resolver;
    bool repair = true;            ///< retry TIMEOUT/SERVFAIL domains at the end, slowly
    std::size_t batch_size = 1000; ///< results per store transaction (at most)
    std::chrono::milliseconds batch_interval{250}; ///< ... or this long after the first one
    std::size_t max_waiting = 0; ///< domains parked for their hosts; 0 = 4 x concurrency
    /// A part of a scan (a distributed scan's shard): the repair pass retries only this run's
    /// failures, and the report's by_status counts nothing (not the whole scan's results).
    bool part_of_scan = false;
};

/// Live counters, for a progress bar.
struct ScanProgress {
    std::uint64_t stored = 0;  ///< results committed in this run
    std::uint64_t ok = 0;      ///< of which NOERROR/NODATA
    std::uint64_t failed = 0;  ///< of which anything else (NXDOMAIN, TIMEOUT, INVALID, ...)
    std::uint64_t queries = 0; ///< DNS queries sent
    bool repairing = false;
};

struct ScanReport {
    ScanProgress totals;
    std::map<std::string, std::uint64_t> by_status; ///< of every stored result of the scan
    InputStats input;
    std::optional<Error> input_error; ///< the list could not be read to its end
    std::uint64_t hosts = 0;          ///< distinct NS/MX hosts resolved
    std::uint64_t repair_names = 0;
    std::uint64_t repair_recovered = 0;
    dns::Summary dns; ///< of the main pass
    bool interrupted = false;
    std::chrono::steady_clock::duration elapsed{};
};

struct ScanHooks {
    /// Each result once it is committed (store thread, in commit order), exactly once per name:
    /// with repair on, the main pass's TIMEOUT/SERVFAIL results wait for the repair pass and
    /// are replaced by its results (those it did not reach follow at the end).
    std::function<void(const model::DomainResult&)> on_stored;
    /// About ten times a second (calling thread).
    std::function<void(const ScanProgress&)> on_progress;
};

/// Runs (or continues) scan `scan_id`: every name of `input` that is not marked done ends with
/// exactly one stored result. Returns when the input is finished, or soon after `*stop`.
/// Errors: the store's, when a batch could not be written (the scan stops; what was committed
/// stays). A damaged input is not an error: report.input_error says where it broke.
Result<ScanReport> run_scan(store::Store& store, std::int64_t scan_id, DomainInput& input,
                            const AddressMapper& mapper, const ScanSettings& settings,
                            dns::Transport& transport, dns::Clock& clock, const ScanHooks& hooks,
                            const std::atomic<bool>* stop);

/// Records how run_scan ended in the scan's status, the one place that decides it (CLI and
/// server jobs): Failed with the error as the status detail; Failed with "domain list damaged:
/// ..." when the input could not be read to its end (names after the damage were never seen,
/// so the scan is not complete; `--resume` continues it once the list is fixed); Interrupted;
/// else Complete, with domains_total set to the domains done. Returns the status recorded.
model::ScanStatus record_outcome(store::Store& store, std::int64_t scan_id,
                                 const Result<ScanReport>& report, model::UnixTime now);

/// True for the statuses the repair pass retries (TIMEOUT, SERVFAIL).
bool retryable_status(std::string_view status);

} // namespace dg::scan
