#pragma once
// A sweep whose results go into the store as they come (batches, one transaction each, on a
// thread of their own) and whose end is recorded with its status and report: what `ptr sweep`
// and the server's sweep jobs both run (docs/cli/ptr.md). Resume: the addresses already stored are
// skipped.

#include "dg/ptr/sweep.hpp"
#include "dg/ptr/sweep_store.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>

namespace dg::ptr {

/// Marks in `done` the addresses of `plan` that sweep `id` has stored; returns how many.
Result<std::uint64_t> mark_stored(SweepStore& sweeps, std::int64_t id, const AddressPlan& plan,
                                  DoneSet& done);

struct StoredSweepHooks {
    std::uint64_t batch = 5000; ///< results per transaction
    /// Sees each result as it comes, on the DNS engine's thread (counters for a progress bar).
    std::function<void(const PtrResult&)> on_result;
    /// Sees each batch on the store's thread just before it is stored (an output file: write
    /// and flush it there, so that whatever is stored is in the output too).
    std::function<void(std::span<const PtrResult>)> write_output;
    std::function<void(const dns::Summary&, bool pausing)> progress;
};

struct StoredSweep {
    SweepReport report;
    std::string status; ///< what the sweep was ended with
    /// Why results (or the end) could not be stored; the sweep stopped there.
    std::optional<Error> write_error;
};

/// Runs sweep `id` (created, or set running for a resume) over `plan` minus `done`, stores
/// every result, and ends the sweep: complete, interrupted (`*stop` became true) or failed (the
/// store refused a batch: the sweep stops, what was stored is kept). Errors: the sweep's
/// (InvalidArgument for a bad resolver configuration; the sweep is then ended as failed).
Result<StoredSweep> run_stored_sweep(SweepStore& sweeps, std::int64_t id, const AddressPlan& plan,
                                     const DoneSet* done, const SweepSettings& settings,
                                     dns::Transport& transport, dns::Clock& clock,
                                     std::atomic<bool>& stop, const StoredSweepHooks& hooks = {});

/// The report stored with a sweep and printed by `--format json` users: counts, the
/// before/after repair table and each resolver's health.
nlohmann::json report_json(const SweepReport& report);

} // namespace dg::ptr
