#pragma once
// One PTR query per address of an AddressPlan over the DNS engine (dns::Resolver): one result
// per address, the engine's resolver pool with health, benching, rate limits and repair pass,
// optional pauses, resume by skipping what is done (docs/cli/ptr.md).

#include "dg/core/ip_address.hpp"
#include "dg/dns/resolver.hpp"
#include "dg/ptr/address_list.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace dg::ptr {

/// The outcome for one address (JSON Lines shape in docs/cli/ptr.md).
struct PtrResult {
    IpAddress ip;
    dns::Status status = dns::Status::Timeout;
    std::vector<std::string> names; ///< PTR targets, sorted, distinct, no trailing dot
    std::string cname;              ///< the name that owns the PTR when reached through CNAMEs
    std::string resolver;           ///< "IP:PORT" of the resolver of the final answer, "" none
    std::uint32_t attempts = 0;     ///< queries sent for this address (both passes)
    std::int64_t queried_at = 0;    ///< unix seconds of the final answer
    /// Status after the main pass, when the repair pass queried the address again.
    std::optional<dns::Status> main_status;
};

struct SweepSettings {
    dns::ResolverConfig resolver;  ///< upstreams, rates, timeouts, repair; types become {PTR}
    std::uint64_t pause_every = 0; ///< admit this many addresses, then pause (0: never)
    dns::Duration pause{};         ///< how long each pause lasts
};

/// GINIE's before/after table (Alur 2014, tables 7-8): status counts after the main pass and
/// after the repair pass, over the addresses of this run.
struct StatusTable {
    std::array<std::uint64_t, dns::kStatusCount> main{};
    std::array<std::uint64_t, dns::kStatusCount> final{};
};

struct SweepReport {
    dns::Summary dns;
    StatusTable table;
    std::uint64_t results = 0; ///< results delivered by this run
    std::uint64_t skipped = 0; ///< addresses already done (resume)
    std::uint64_t pauses = 0;
    bool interrupted = false;
};

using PtrSink = std::function<void(PtrResult&& result)>;

/// Which addresses of a plan are done (by plan index), for resume: flat, one bit per address.
class DoneSet {
public:
    explicit DoneSet(std::uint64_t size) : bits_((size + 63) / 64, 0) {}
    void set(std::uint64_t i) { bits_[i / 64] |= std::uint64_t{1} << (i % 64); }
    [[nodiscard]] bool test(std::uint64_t i) const {
        return ((bits_[i / 64] >> (i % 64)) & 1U) != 0;
    }

private:
    std::vector<std::uint64_t> bits_;
};

/// The PTR result of one engine result (exposed for tests).
PtrResult to_ptr_result(const IpAddress& ip, const dns::NameResult& r,
                        const std::vector<dns::Upstream>& upstreams, std::int64_t now);

/// Queries every address of `plan` not in `done` once and calls `sink` once per address, in
/// completion order. Stops soon after `*stop` becomes true (addresses in flight are delivered
/// with what they have). `progress` (may be empty) sees the engine's summary now and then.
/// Errors: InvalidArgument (a bad resolver configuration).
Result<SweepReport> run_sweep(const AddressPlan& plan, const DoneSet* done,
                              const SweepSettings& settings, dns::Transport& transport,
                              dns::Clock& clock, const PtrSink& sink,
                              const std::atomic<bool>* stop = nullptr,
                              std::function<void(const dns::Summary&, bool pausing)> progress = {});

/// The status table as text: one line per status that occurs, "status  main  after repair".
std::string format_status_table(const StatusTable& table);

} // namespace dg::ptr
