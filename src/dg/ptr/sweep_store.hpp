#pragma once
// PTR sweeps and their results in the history database (the same store as scans; tables of
// migration 0008_ptr_sweeps.sql), over the store's SQL connection (SQLite or PostgreSQL).
// One connection: one thread at a time; callbacks must not call back into the store.

#include "dg/core/result.hpp"
#include "dg/ptr/sweep.hpp"
#include "dg/store/store.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace dg::ptr {

struct Sweep {
    std::int64_t id = 0;
    std::string status; ///< running, complete, interrupted, failed
    std::int64_t started_at = 0;
    std::optional<std::int64_t> finished_at;
    std::uint64_t addresses_total = 0;
    std::uint64_t addresses_done = 0;
    std::string notes;
    std::string source; ///< what was swept ("prefixes FILE", "AS 64500 in RIB", ...)
    std::string config; ///< JSON object of the settings (for --resume)
    std::string report; ///< JSON object of the last run's report ("" before the first end)
};

struct NewSweep {
    std::uint64_t addresses_total = 0;
    std::string notes;
    std::string source;
    std::string config;
};

struct PtrFilter {
    std::optional<std::string> status; ///< exact status, e.g. "NXDOMAIN"
    std::uint64_t limit = 0;           ///< 0: no limit
    std::uint64_t offset = 0;
};

/// One stored result with its sweep.
struct StoredPtr {
    std::int64_t sweep_id = 0;
    PtrResult result;
};

/// NotFound "no PTR sweep ID (see 'domaingraph ptr sweeps list')".
Error no_such_sweep(std::int64_t id);

class SweepStore {
public:
    /// Errors: Unsupported when the store has no SQL connection.
    static Result<SweepStore> of(store::Store& store);

    Result<Sweep> create(const NewSweep& sweep);
    /// Errors: NotFound.
    Result<Sweep> get(std::int64_t id);
    /// All sweeps, oldest first.
    Result<std::vector<Sweep>> list();
    /// Sets status (finished_at for every status but running) and the report JSON (kept when
    /// empty); recounts addresses_done from the stored rows. Errors: NotFound.
    Result<void> finish(std::int64_t id, const std::string& status, std::int64_t finished_at,
                        const std::string& report);
    Result<void> set_running(std::int64_t id);
    /// Stores a batch in ONE transaction (an address already stored in this sweep is replaced)
    /// and adds the batch to addresses_done.
    Result<void> write(std::int64_t id, std::span<const PtrResult> batch);
    /// Streams the addresses with a stored result in sweep `id` (for resume), in no set order.
    Result<void> done_addresses(std::int64_t id, const std::function<bool(std::string_view)>& cb);
    /// Streams results ordered by address text.
    Result<void> results(std::int64_t id, const PtrFilter& filter,
                         const std::function<bool(const PtrResult&)>& cb);
    Result<std::uint64_t> count(std::int64_t id, const PtrFilter& filter);
    /// Every PTR name of sweep `id` with its address (NOERROR results, in address order; an
    /// address with several names gives one call per name). Errors: NotFound (no such sweep).
    Result<void> names(std::int64_t id,
                       const std::function<void(const IpAddress&, std::string_view)>& cb);
    /// The newest stored result of an address (latest sweep that has it), nullopt when none.
    Result<std::optional<StoredPtr>> latest(const std::string& ip);
    /// Addresses whose PTR is `name` (lower case, no trailing dot), newest sweep first.
    Result<std::vector<StoredPtr>> by_name(const std::string& name);
    /// Errors: NotFound.
    Result<void> remove(std::int64_t id);

private:
    explicit SweepStore(store::internal::Connection& c) : c_(&c) {}
    store::internal::Connection* c_;
};

} // namespace dg::ptr
