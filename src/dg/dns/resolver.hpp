#pragma once
// The resolution engine: streams names in, one result per name out, over a Transport and a
// Clock (src/dg/dns/README.md). Single-threaded, one event loop; no exceptions for DNS outcomes.

#include "dg/core/result.hpp"
#include "dg/dns/limits.hpp"
#include "dg/dns/message.hpp"
#include "dg/dns/transport.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace dg::dns {

/// Outcome of one (name, type) and of a whole name. Serialized by name (status_name).
enum class Status : std::uint8_t {
    NoError,   ///< records of the type exist
    NoData,    ///< the name exists, no records of the type
    NxDomain,  ///< the name does not exist
    ServFail,  ///< the resolver failed (also CNAME loops and over-long chains; see detail)
    Refused,   ///< every resolver tried refused
    FormErr,   ///< the resolver rejected our query
    Timeout,   ///< no answer after all attempts
    Malformed, ///< answers could not be parsed
    Invalid,   ///< the name itself is not a valid domain name (never sent)
};
inline constexpr std::size_t kStatusCount = 9;
/// "NOERROR", "NODATA", "NXDOMAIN", "SERVFAIL", "REFUSED", "FORMERR", "TIMEOUT", "MALFORMED",
/// "INVALID".
const char* status_name(Status s);
/// "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", ... or the number.
std::string rcode_name(std::uint16_t rcode);

struct Upstream {
    Endpoint endpoint;
    double rate_qps = 0; ///< 0 = unlimited
};

struct ResolverConfig {
    std::vector<Upstream> upstreams;
    std::vector<std::uint16_t> types{1, 28, 2, 15};     ///< A, AAAA, NS, MX
    bool resolve_hosts = false;                         ///< also A/AAAA of NS and MX hosts
    std::uint32_t concurrency = kDefaultInFlight;       ///< queries in flight
    Duration timeout = std::chrono::milliseconds(2000); ///< per attempt
    std::uint32_t retries = 2;                          ///< after the first attempt
    Duration backoff = std::chrono::milliseconds(100);  ///< before the first retry, doubling
    Duration max_backoff = std::chrono::milliseconds(2000);
    double bench_error_rate = 0.06;   ///< bench an upstream above this error rate ...
    std::uint32_t bench_window = 100; ///< ... over its last this many outcomes (min sample)
    bool repair = true;
    std::uint32_t repair_concurrency = 10;
    Duration repair_timeout = std::chrono::milliseconds(5000);
    Duration repair_delay = std::chrono::milliseconds(1000); ///< pause before the repair pass
    std::uint32_t repair_upstreams = 2; ///< the healthiest this many serve the repair pass
    /// Failed names wait in memory for the repair pass (a few hundred bytes each); beyond this
    /// many, a failed name is given out at once, unrepaired, and counted in
    /// Summary::repair_skipped, so that memory stays bounded when a resolver fails a large share
    /// of a sweep of 10^7-10^8 names.
    std::uint64_t repair_hold_limit = 100000;
    std::uint64_t seed = 0; ///< 0: IDs/ports from getrandom(); else deterministic
};

/// Validates a config (non-empty upstreams, limits). Errors: InvalidArgument.
Result<void> validate(const ResolverConfig& config);

struct TypeAnswer {
    std::uint16_t type = 0;
    Status status = Status::Timeout;
    std::int32_t rcode = -1;              ///< of the final answer, -1 when none
    std::vector<Record> records;          ///< of `type`, owned by the end of the chain
    std::vector<std::string> cname_chain; ///< targets followed, in order
    std::string detail;                   ///< "cname-loop", "cname-limit", decoder error ...
    std::int32_t upstream = -1;           ///< index of the upstream of the final answer
    std::uint32_t attempts = 0;           ///< datagrams/TCP queries sent for this type
    std::uint32_t ttl = 0;                ///< min TTL of records, or the SOA's for negatives
};

struct HostAnswer {
    std::string host;
    TypeAnswer a;
    TypeAnswer aaaa;
};

struct NameResult {
    std::string name;
    std::uint64_t tag = 0; ///< the caller's (the CLI uses the input line number)
    Status status = Status::Timeout;
    std::vector<TypeAnswer> types; ///< in the configured order
    std::vector<HostAnswer> hosts; ///< with resolve_hosts
    std::uint32_t attempts = 0;
    std::int32_t upstream = -1;           ///< upstream of the first answered type
    Duration elapsed{};                   ///< admission to completion
    bool repaired = false;                ///< went through the repair pass
    Status main_status = Status::Timeout; ///< status after the main pass (differs from `status`
                                          ///< only when the repair pass changed it)
};

struct NameInput {
    std::string name; ///< canonical ASCII (DomainName::text())
    std::uint64_t tag = 0;
    std::vector<std::uint16_t> types; ///< empty: ResolverConfig::types
};
/// Pull-based input: fills `out` and returns true, or returns false at the end.
using NameSource = std::function<bool(NameInput& out)>;
/// What a NameFeed answers: a name in `out`, nothing yet (ask again after the next results), or
/// the end of the input.
enum class Feed : std::uint8_t { Name, Later, End };
/// Pull-based input whose names may depend on earlier results (a scan resolves the hosts of the
/// NS/MX records it sees). It must not answer Later while no name of it is in flight.
using NameFeed = std::function<Feed(NameInput& out)>;
/// Push-based output: called once per input name, in completion order.
using ResultSink = std::function<void(NameResult&& result)>;

struct UpstreamHealth {
    Endpoint endpoint;
    std::uint64_t queries = 0;
    std::uint64_t answers = 0;
    std::uint64_t errors = 0; ///< timeouts, REFUSED, FORMERR, unparsable answers
    std::uint64_t timeouts = 0;
    std::uint64_t servfails = 0; ///< not errors for benching (often the domain's fault), but
                                 ///< they rank upstreams for the repair pass
    double error_rate = 0;       ///< lifetime errors / outcomes
    bool benched = false;
    Duration mean_latency{};
    Duration p99_latency{};
};

struct Summary {
    std::uint64_t names = 0;
    std::array<std::uint64_t, kStatusCount> by_status{};
    std::uint64_t queries = 0; ///< datagrams + TCP queries sent
    std::uint64_t tcp_queries = 0;
    std::uint64_t responses = 0;  ///< accepted answers
    std::uint64_t unmatched = 0;  ///< datagrams matching no query in flight (late, stray)
    std::uint64_t mismatched = 0; ///< ID hit but source or question wrong (spoof?): ignored
    std::uint64_t malformed = 0;  ///< answers that did not parse
    std::uint64_t cname_follow_ups = 0;
    std::uint64_t window_cuts = 0;      ///< congestion-window halvings after losses (all upstreams)
    std::uint64_t repair_names = 0;     ///< names retried by the repair pass
    std::uint64_t repair_recovered = 0; ///< of which now have no TIMEOUT/SERVFAIL type
    std::uint64_t repair_skipped = 0;   ///< failed names not held for it (repair_hold_limit)
    std::vector<UpstreamHealth> upstreams;
    Duration elapsed{};
    bool cancelled = false;
};

namespace internal {
class Engine;
}

class Resolver {
public:
    /// Errors: InvalidArgument (see validate()).
    static Result<Resolver> create(ResolverConfig config, Transport& transport, Clock& clock);
    ~Resolver();
    Resolver(Resolver&&) noexcept;
    Resolver& operator=(Resolver&&) noexcept;

    /// Resolves every name `source` yields and calls `sink` once for each. Returns when the
    /// source is exhausted and every result was emitted, or soon after `*stop` became true
    /// (then names in flight are emitted with what they have, TIMEOUT for unanswered types).
    Summary run(const NameSource& source, const ResultSink& sink,
                const std::atomic<bool>* stop = nullptr);
    /// As above, over a feed that may answer Later.
    Summary run(const NameFeed& feed, const ResultSink& sink,
                const std::atomic<bool>* stop = nullptr);
    /// Called every so often during run() with the summary so far (for progress bars).
    void set_progress(std::function<void(const Summary&)> callback);
    /// Called each time run() is about to wait for the network or a timer: the moment to hand
    /// results gathered since the last call on to another thread in one batch.
    void set_before_wait(std::function<void()> callback);

private:
    explicit Resolver(std::unique_ptr<internal::Engine> engine);
    std::unique_ptr<internal::Engine> engine_;
};

} // namespace dg::dns
