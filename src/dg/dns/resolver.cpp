#include "dg/dns/resolver.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <deque>
#include <queue>
#include <sys/random.h>

namespace dg::dns {

const char* status_name(Status s) {
    switch (s) {
    case Status::NoError:
        return "NOERROR";
    case Status::NoData:
        return "NODATA";
    case Status::NxDomain:
        return "NXDOMAIN";
    case Status::ServFail:
        return "SERVFAIL";
    case Status::Refused:
        return "REFUSED";
    case Status::FormErr:
        return "FORMERR";
    case Status::Timeout:
        return "TIMEOUT";
    case Status::Malformed:
        return "MALFORMED";
    case Status::Invalid:
        return "INVALID";
    default:
        return "UNKNOWN";
    }
}

std::string rcode_name(std::uint16_t rcode) {
    static constexpr const char* kNames[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                             "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
                                             "NXRRSET", "NOTAUTH", "NOTZONE"};
    if (rcode < std::size(kNames)) {
        return kNames[rcode];
    }
    if (rcode == 16) {
        return "BADVERS";
    }
    return "RCODE" + std::to_string(rcode);
}

Result<void> validate(const ResolverConfig& c) {
    if (c.upstreams.empty()) {
        return make_error(ErrorCode::InvalidArgument, "no upstream resolver");
    }
    if (c.upstreams.size() > kMaxUpstreams) {
        return make_error(ErrorCode::InvalidArgument, "too many upstream resolvers (limit " +
                                                          std::to_string(kMaxUpstreams) + ")");
    }
    if (c.types.empty()) {
        return make_error(ErrorCode::InvalidArgument, "no record type to query");
    }
    if (c.concurrency == 0 || c.concurrency > kMaxInFlight) {
        return make_error(ErrorCode::InvalidArgument,
                          "concurrency must be 1.." + std::to_string(kMaxInFlight));
    }
    if (c.repair_concurrency == 0 || c.repair_concurrency > kMaxInFlight) {
        return make_error(ErrorCode::InvalidArgument, "repair concurrency out of range");
    }
    if (c.retries > kMaxRetries) {
        return make_error(ErrorCode::InvalidArgument,
                          "retries must be 0.." + std::to_string(kMaxRetries));
    }
    if (c.timeout <= Duration::zero() || c.repair_timeout <= Duration::zero()) {
        return make_error(ErrorCode::InvalidArgument, "timeout must be positive");
    }
    if (c.bench_window == 0) {
        return make_error(ErrorCode::InvalidArgument, "bench window must be positive");
    }
    for (const auto& u : c.upstreams) {
        if (u.rate_qps < 0) {
            return make_error(ErrorCode::InvalidArgument, "negative rate limit");
        }
    }
    return ok();
}

namespace internal {

namespace {

/// IDs and socket choices: getrandom(2) bytes (unpredictable to an off-path spoofer), or a
/// seeded splitmix64 for reproducible tests.
class Rng {
public:
    explicit Rng(std::uint64_t seed) : seed_(seed), state_(seed) {}
    std::uint64_t next() {
        if (seed_ != 0) {
            std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
            return z ^ (z >> 31);
        }
        if (pos_ == buf_.size()) {
            refill();
        }
        return buf_[pos_++];
    }
    std::uint32_t below(std::uint32_t n) {
        return static_cast<std::uint32_t>(((next() >> 32) * n) >> 32);
    }

private:
    void refill() {
        std::size_t got = 0;
        auto* bytes = reinterpret_cast<unsigned char*>(buf_.data());
        const std::size_t want = buf_.size() * sizeof(std::uint64_t);
        while (got < want) {
            const ssize_t n = getrandom(bytes + got, want - got, 0);
            if (n <= 0) {
                // getrandom cannot fail on Linux >= 3.17 with a valid buffer; fall back to a
                // time-seeded generator rather than abort.
                seed_ = static_cast<std::uint64_t>(Clock_::now().time_since_epoch().count()) | 1U;
                state_ = seed_;
                pos_ = 0;
                return;
            }
            got += static_cast<std::size_t>(n);
        }
        pos_ = 0;
    }
    std::uint64_t seed_;
    std::uint64_t state_;
    std::array<std::uint64_t, 256> buf_{};
    std::size_t pos_ = 256;
};

/// Open-addressing map (socket << 16 | id) -> query slot, linear probing, backward-shift delete.
class KeyMap {
public:
    explicit KeyMap(std::size_t expected) {
        std::size_t cap = 16;
        while (cap < expected * 2) {
            cap <<= 1;
        }
        keys_.assign(cap, kEmpty);
        vals_.assign(cap, 0);
        mask_ = cap - 1;
    }
    [[nodiscard]] std::optional<std::uint32_t> find(std::uint32_t key) const {
        for (std::size_t i = hash(key);; i = (i + 1) & mask_) {
            if (keys_[i] == key) {
                return vals_[i];
            }
            if (keys_[i] == kEmpty) {
                return std::nullopt;
            }
        }
    }
    void insert(std::uint32_t key, std::uint32_t val) {
        if ((size_ + 1) * 2 > keys_.size()) {
            grow();
        }
        std::size_t i = hash(key);
        while (keys_[i] != kEmpty) {
            i = (i + 1) & mask_;
        }
        keys_[i] = key;
        vals_[i] = val;
        ++size_;
    }
    void erase(std::uint32_t key) {
        std::size_t i = hash(key);
        while (keys_[i] != key) {
            if (keys_[i] == kEmpty) {
                return;
            }
            i = (i + 1) & mask_;
        }
        keys_[i] = kEmpty;
        --size_;
        for (std::size_t j = (i + 1) & mask_; keys_[j] != kEmpty; j = (j + 1) & mask_) {
            const std::size_t h = hash(keys_[j]);
            // Move j back to the hole i when its home h is not in (i, j] cyclically.
            const bool between = (i <= j) ? (i < h && h <= j) : (i < h || h <= j);
            if (!between) {
                keys_[i] = keys_[j];
                vals_[i] = vals_[j];
                keys_[j] = kEmpty;
                i = j;
            }
        }
    }

private:
    static constexpr std::uint32_t kEmpty = 0xffffffffU;
    [[nodiscard]] std::size_t hash(std::uint32_t k) const {
        return static_cast<std::size_t>((static_cast<std::uint64_t>(k) * 0x9e3779b97f4a7c15ULL) >>
                                        32) &
               mask_;
    }
    void grow() {
        std::vector<std::uint32_t> k = std::move(keys_);
        std::vector<std::uint32_t> v = std::move(vals_);
        keys_.assign(k.size() * 2, kEmpty);
        vals_.assign(k.size() * 2, 0);
        mask_ = keys_.size() - 1;
        size_ = 0;
        for (std::size_t i = 0; i < k.size(); ++i) {
            if (k[i] != kEmpty) {
                insert(k[i], v[i]);
            }
        }
    }
    std::vector<std::uint32_t> keys_;
    std::vector<std::uint32_t> vals_;
    std::size_t mask_ = 0;
    std::size_t size_ = 0;
};

/// Log-spaced latency histogram: flat memory, p99 within ~5%.
class Histogram {
public:
    void add(Duration d) {
        const double us = std::max(1.0, static_cast<double>(d.count()) / 1000.0);
        const auto idx = static_cast<std::size_t>(std::log(us) / std::log(1.05));
        ++buckets_[std::min(idx, buckets_.size() - 1)];
        ++count_;
        sum_us_ += us;
    }
    [[nodiscard]] std::uint64_t count() const { return count_; }
    [[nodiscard]] Duration mean() const {
        return count_ == 0 ? Duration::zero()
                           : Duration(static_cast<std::int64_t>(
                                 sum_us_ / static_cast<double>(count_) * 1000.0));
    }
    [[nodiscard]] Duration quantile(double q) const {
        if (count_ == 0) {
            return Duration::zero();
        }
        const auto want = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
        std::uint64_t seen = 0;
        for (std::size_t i = 0; i < buckets_.size(); ++i) {
            seen += buckets_[i];
            if (seen >= want) {
                return Duration(
                    static_cast<std::int64_t>(std::pow(1.05, static_cast<double>(i + 1)) * 1000.0));
            }
        }
        return Duration::zero();
    }

private:
    std::array<std::uint32_t, 400> buckets_{};
    std::uint64_t count_ = 0;
    double sum_us_ = 0;
};

struct UpstreamState {
    Upstream config;
    UpstreamHealth health;
    std::vector<std::uint8_t> window; ///< ring of recent outcomes, 1 = error
    std::size_t wpos = 0;
    std::size_t wcount = 0;
    std::size_t werrors = 0;
    double tokens = 0;
    TimePoint refilled{};
    Histogram latency;
    // Congestion control (AIMD, as TCP): at most floor(cwnd) queries in flight to this upstream;
    // slow start up to ssthresh, then +1 per window of answers; a loss halves it, once per window.
    double cwnd = 0;
    double ssthresh = 0;
    std::uint32_t in_flight = 0;
    TimePoint last_cut{};
    std::uint64_t answers_since_rto = 0;
    Duration min_rtt{}; ///< lowest latency seen (zero: none yet)
    double srtt_us = 0; ///< smoothed latency (EWMA, 1/8), microseconds
    Duration rto{};     ///< adaptive retry timeout; zero until enough answers were seen
};

enum class QState : std::uint8_t { Free, Ready, Backoff, InFlight };

struct Query {
    QState state = QState::Free;
    bool tcp = false;
    bool keyed = false;
    std::int32_t host = -1;       ///< -1: a configured type; else index into result.hosts
    std::uint16_t type_index = 0; ///< into result.types, or 0 = A / 1 = AAAA of a host
    std::uint16_t qtype = 0;
    std::uint32_t job = 0;
    std::string qname;
    std::uint32_t attempts = 0; ///< for the current qname
    std::uint32_t follow_ups = 0;
    std::int32_t last_upstream = -1;
    std::uint32_t upstream = 0;
    std::uint32_t key = 0;
    std::uint32_t gen = 0;
    TimePoint sent{};
};

struct Job {
    bool in_use = false;
    bool repair = false;
    std::uint32_t pending = 0;
    TimePoint started{};
    NameResult result;
};

struct Timer {
    TimePoint at;
    std::uint32_t slot;
    std::uint32_t gen;
    bool operator>(const Timer& o) const { return at > o.at; }
};

struct Phase {
    std::uint32_t concurrency = 0;
    Duration timeout{};
    std::uint32_t retries = 0;
    std::vector<std::uint32_t> upstreams;
};

bool is_failure(const TypeAnswer& t) {
    return (t.status == Status::Timeout || t.status == Status::ServFail) &&
           t.detail.rfind("cname-", 0) != 0;
}

int status_rank(Status s) {
    switch (s) {
    case Status::NoError:
        return 0;
    case Status::NxDomain:
        return 1;
    case Status::NoData:
        return 2;
    case Status::ServFail:
        return 3;
    case Status::Refused:
        return 4;
    case Status::FormErr:
        return 5;
    case Status::Malformed:
        return 6;
    case Status::Timeout:
        return 7;
    default:
        return 8;
    }
}

/// A definitive answer about the name for this type: records, none, or no such name (a CNAME
/// loop or an over-long chain is one too: asking again gives the same).
bool is_answered(const TypeAnswer& t) {
    return t.status == Status::NoError || t.status == Status::NoData ||
           t.status == Status::NxDomain ||
           (t.status == Status::ServFail && t.detail.rfind("cname-", 0) == 0);
}

/// The status of a whole name: the best over its types when every type was answered; else the
/// best of the types that were not (issue 12: "A NOERROR, MX TIMEOUT" is TIMEOUT, so that the
/// name stays retryable, not NOERROR with its MX records missing). An NXDOMAIN for one type
/// outweighs the failures of others: the name does not exist.
Status name_status(const std::vector<TypeAnswer>& types) {
    if (types.empty()) {
        return Status::NoData;
    }
    Status best = Status::Invalid;
    Status best_unanswered = Status::Invalid;
    bool any_unanswered = false;
    bool nxdomain = false;
    for (const TypeAnswer& t : types) {
        if (status_rank(t.status) < status_rank(best)) {
            best = t.status;
        }
        nxdomain = nxdomain || t.status == Status::NxDomain;
        if (!is_answered(t)) {
            any_unanswered = true;
            if (status_rank(t.status) < status_rank(best_unanswered)) {
                best_unanswered = t.status;
            }
        }
    }
    if (!any_unanswered) {
        return best;
    }
    return nxdomain ? Status::NxDomain : best_unanswered;
}

} // namespace

class Engine final : public TransportSink {
public:
    Engine(ResolverConfig config, Transport& transport, Clock& clock)
        : config_(std::move(config)), transport_(transport), clock_(clock), rng_(config_.seed),
          keys_(std::max<std::uint32_t>(config_.concurrency, config_.repair_concurrency)) {
        for (const auto& u : config_.upstreams) {
            UpstreamState s;
            s.config = u;
            s.health.endpoint = u.endpoint;
            s.window.assign(config_.bench_window, 0);
            s.tokens = burst(u.rate_qps);
            s.ssthresh = static_cast<double>(config_.concurrency);
            s.cwnd = std::min(s.ssthresh, kInitialWindow);
            upstreams_.push_back(std::move(s));
        }
        sockets_ = std::max<std::uint32_t>(1, transport_.socket_count());
        // Keep every socket's ID space at most half full so that a free ID is always found fast.
        const std::uint32_t cap = sockets_ >= 2 ? kMaxInFlight : 32768;
        config_.concurrency = std::min(config_.concurrency, cap);
        config_.repair_concurrency = std::min(config_.repair_concurrency, cap);
    }

    void set_progress(std::function<void(const Summary&)> cb) { progress_ = std::move(cb); }
    void set_before_wait(std::function<void()> cb) { before_wait_ = std::move(cb); }

    Summary run(const NameFeed& source, const ResultSink& sink, const std::atomic<bool>* stop) {
        source_ = &source;
        sink_ = &sink;
        summary_ = Summary{};
        const TimePoint start = clock_.now();
        for (auto& u : upstreams_) {
            u.refilled = start;
        }
        phase_ = Phase{config_.concurrency, config_.timeout, config_.retries, {}};
        for (std::uint32_t i = 0; i < upstreams_.size(); ++i) {
            phase_.upstreams.push_back(i);
        }
        repairing_ = false;
        source_done_ = false;
        TimePoint last_progress = start;
        while (true) {
            if (stop != nullptr && stop->load(std::memory_order_relaxed)) {
                cancel_all();
                summary_.cancelled = true;
                break;
            }
            const TimePoint now = clock_.now();
            admit(now);
            TimePoint wake = TimePoint::max();
            dispatch(now, wake);
            transport_.flush();
            if (active_jobs_ == 0 && source_done_) {
                if (!repairing_ && !held_.empty()) {
                    start_repair();
                    continue;
                }
                break;
            }
            if (!timers_.empty()) {
                wake = std::min(wake, timers_.top().at);
            }
            if (repairing_ && now < repair_not_before_) {
                wake = std::min(wake, repair_not_before_);
            }
            if (wake == TimePoint::max()) {
                // Nothing scheduled yet work remains: cannot happen; avoid spinning forever.
                wake = now + std::chrono::milliseconds(10);
            }
            if (before_wait_) {
                before_wait_();
            }
            transport_.poll(wake, *this);
            const TimePoint after = clock_.now();
            fire_timers(after);
            if (progress_ && after - last_progress >= std::chrono::milliseconds(100)) {
                last_progress = after;
                progress_(snapshot(after - start));
            }
        }
        summary_.elapsed = clock_.now() - start;
        Summary out = snapshot(summary_.elapsed);
        source_ = nullptr;
        sink_ = nullptr;
        return out;
    }

    // TransportSink
    void on_datagram(std::uint32_t socket, const Endpoint& from,
                     std::span<const std::uint8_t> bytes) override {
        const auto id = peek_id(bytes);
        if (!id) {
            ++summary_.unmatched;
            return;
        }
        const std::uint32_t key = (socket << 16) | *id;
        const auto slot = keys_.find(key);
        if (!slot) {
            ++summary_.unmatched;
            return;
        }
        Query& q = slots_[*slot];
        if (!(upstreams_[q.upstream].config.endpoint == from)) {
            ++summary_.mismatched;
            return;
        }
        accept(*slot, bytes);
    }

    void on_tcp_answer(std::uint64_t token, std::span<const std::uint8_t> bytes) override {
        const auto slot = tcp_slot(token);
        if (slot) {
            accept(*slot, bytes);
        }
    }

    void on_tcp_error(std::uint64_t token) override {
        const auto slot = tcp_slot(token);
        if (!slot) {
            return;
        }
        Query& q = slots_[*slot];
        const TimePoint now = clock_.now();
        leave_flight(*slot);
        record_outcome(q.upstream, true, now - q.sent);
        retry_or_fail(*slot, Status::Timeout, "tcp connection failed", now);
    }

private:
    static double burst(double rate) { return rate <= 0 ? 0 : std::max(1.0, rate / 100.0); }

    std::optional<std::uint32_t> tcp_slot(std::uint64_t token) {
        const auto slot = static_cast<std::uint32_t>(token & 0xffffffffU);
        const auto gen = static_cast<std::uint32_t>(token >> 32);
        if (slot >= slots_.size()) {
            return std::nullopt;
        }
        const Query& q = slots_[slot];
        if (q.state != QState::InFlight || !q.tcp || q.gen != gen) {
            ++summary_.unmatched;
            return std::nullopt;
        }
        return slot;
    }

    // ---- input ---------------------------------------------------------------------------

    void admit(TimePoint now) {
        while (!source_done_ && in_flight_ + ready_.size() < phase_.concurrency &&
               ready_.size() < std::max<std::size_t>(kBatch, phase_.concurrency / 4)) {
            if (!repairing_) {
                NameInput in;
                const Feed feed = (*source_)(in);
                if (feed == Feed::End) {
                    source_done_ = true;
                    break;
                }
                if (feed == Feed::Later) {
                    break;
                }
                start_job(std::move(in), now);
            } else {
                if (held_.empty()) {
                    source_done_ = true;
                    break;
                }
                if (now < repair_not_before_) {
                    break; // the run loop wakes at repair_not_before_
                }
                NameResult r = std::move(held_.front());
                held_.pop_front();
                start_repair_job(std::move(r), now);
            }
        }
    }

    std::uint32_t new_job(TimePoint now) {
        std::uint32_t j = 0;
        if (!free_jobs_.empty()) {
            j = free_jobs_.back();
            free_jobs_.pop_back();
        } else {
            j = static_cast<std::uint32_t>(jobs_.size());
            jobs_.emplace_back();
        }
        Job& job = jobs_[j];
        job.in_use = true;
        job.pending = 0;
        job.repair = repairing_;
        job.started = now;
        ++active_jobs_;
        return j;
    }

    void start_job(NameInput in, TimePoint now) {
        const std::uint32_t j = new_job(now);
        Job& job = jobs_[j];
        job.result = NameResult{};
        job.result.name = std::move(in.name);
        job.result.tag = in.tag;
        const std::vector<std::uint16_t>& types = in.types.empty() ? config_.types : in.types;
        job.result.types.resize(types.size());
        for (std::size_t i = 0; i < types.size(); ++i) {
            job.result.types[i].type = types[i];
        }
        for (std::size_t i = 0; i < types.size(); ++i) {
            new_query(j, -1, static_cast<std::uint16_t>(i), types[i], jobs_[j].result.name);
        }
    }

    void start_repair_job(NameResult r, TimePoint now) {
        const std::uint32_t j = new_job(now);
        jobs_[j].result = std::move(r);
        jobs_[j].result.repaired = true;
        bool any = false;
        for (std::size_t i = 0; i < jobs_[j].result.types.size(); ++i) {
            TypeAnswer& t = jobs_[j].result.types[i];
            if (!is_failure(t)) {
                continue;
            }
            t.status = Status::Timeout;
            t.rcode = -1;
            t.records.clear();
            t.cname_chain.clear();
            t.detail.clear();
            any = true;
            new_query(j, -1, static_cast<std::uint16_t>(i), t.type, jobs_[j].result.name);
        }
        if (!any) {
            complete_job(j);
        }
    }

    void new_query(std::uint32_t job, std::int32_t host, std::uint16_t type_index,
                   std::uint16_t qtype, const std::string& qname) {
        std::uint32_t s = 0;
        if (!free_slots_.empty()) {
            s = free_slots_.back();
            free_slots_.pop_back();
        } else {
            s = static_cast<std::uint32_t>(slots_.size());
            slots_.emplace_back();
        }
        Query& q = slots_[s];
        q.state = QState::Ready;
        q.tcp = false;
        q.keyed = false;
        q.host = host;
        q.type_index = type_index;
        q.qtype = qtype;
        q.job = job;
        q.qname.assign(qname);
        q.attempts = 0;
        q.follow_ups = 0;
        q.last_upstream = -1;
        ++q.gen;
        ++jobs_[job].pending;
        ready_.push_back(s);
    }

    TypeAnswer& target(const Query& q) {
        NameResult& r = jobs_[q.job].result;
        if (q.host < 0) {
            return r.types[q.type_index];
        }
        HostAnswer& h = r.hosts[static_cast<std::size_t>(q.host)];
        return q.type_index == 0 ? h.a : h.aaaa;
    }

    // ---- sending -------------------------------------------------------------------------

    std::size_t unbenched_in_phase() const {
        std::size_t n = 0;
        for (auto u : phase_.upstreams) {
            n += upstreams_[u].health.benched ? 0U : 1U;
        }
        return n;
    }

    bool take_token(std::uint32_t u, TimePoint now, TimePoint& wake) {
        UpstreamState& s = upstreams_[u];
        const double rate = s.config.rate_qps;
        if (rate <= 0) {
            return true;
        }
        const double cap = burst(rate);
        const double dt = std::chrono::duration<double>(now - s.refilled).count();
        s.tokens = std::min(cap, s.tokens + dt * rate);
        s.refilled = now;
        if (s.tokens >= 1.0) {
            s.tokens -= 1.0;
            return true;
        }
        const auto wait = std::chrono::duration<double>((1.0 - s.tokens) / rate);
        wake = std::min(wake, now + std::chrono::duration_cast<Duration>(wait) + Duration(1));
        return false;
    }

    std::int32_t pick_upstream(const Query& q, TimePoint now, TimePoint& wake) {
        const auto n = phase_.upstreams.size();
        const bool can_avoid = unbenched_in_phase() > 1;
        for (int pass = 0; pass < 2; ++pass) {
            for (std::size_t i = 0; i < n; ++i) {
                const std::uint32_t u = phase_.upstreams[(rr_ + i) % n];
                if (upstreams_[u].health.benched) {
                    continue;
                }
                if (pass == 0 && can_avoid && static_cast<std::int32_t>(u) == q.last_upstream) {
                    continue;
                }
                if (window_full(u)) {
                    continue; // its answers (or timeouts) wake the loop
                }
                if (take_token(u, now, wake)) {
                    rr_ = (rr_ + i + 1) % n;
                    return static_cast<std::int32_t>(u);
                }
            }
        }
        return -1;
    }

    [[nodiscard]] bool window_full(std::uint32_t u) const {
        const UpstreamState& s = upstreams_[u];
        return static_cast<double>(s.in_flight) + 1.0 > std::max(1.0, s.cwnd);
    }

    /// An answer came back: the path delivers. Grow the window (slow start, then additive).
    void on_delivered(std::uint32_t u, Duration latency) {
        UpstreamState& s = upstreams_[u];
        if (s.min_rtt == Duration::zero() || latency < s.min_rtt) {
            s.min_rtt = latency;
        }
        const double sample_us = std::chrono::duration<double, std::micro>(latency).count();
        s.srtt_us = s.srtt_us == 0 ? sample_us : s.srtt_us + (sample_us - s.srtt_us) / 8.0;
        if (s.cwnd < s.ssthresh && queueing(s)) {
            // HyStart: latency rising in slow start means a queue is building at the server;
            // leave slow start before its buffer overflows (losses show only after a timeout).
            s.ssthresh = s.cwnd;
        }
        const double ceiling =
            static_cast<double>(std::max(config_.concurrency, config_.repair_concurrency));
        s.cwnd += s.cwnd < s.ssthresh ? 1.0 : 1.0 / std::max(1.0, s.cwnd);
        s.cwnd = std::min(s.cwnd, ceiling);
        if (++s.answers_since_rto >= kRtoRecomputeEvery) {
            s.answers_since_rto = 0;
            if (s.latency.count() >= kRtoMinSamples) {
                s.rto = std::max<Duration>(kMinRto, s.latency.quantile(0.99) * kRtoLatencyFactor);
            }
        }
    }

    /// The smoothed latency is well above the lowest seen: min + max(min, kQueueingDelay).
    static bool queueing(const UpstreamState& s) {
        const double min_us = std::chrono::duration<double, std::micro>(s.min_rtt).count();
        const double extra_us = std::chrono::duration<double, std::micro>(kQueueingDelay).count();
        return s.latency.count() >= kHyStartMinSamples &&
               s.srtt_us > min_us + std::max(min_us, extra_us);
    }

    /// A query to `u` sent at `sent` went unanswered: halve the window, once per window of loss
    /// (queries sent before the last cut do not cut again).
    void on_lost(std::uint32_t u, TimePoint sent, TimePoint now) {
        UpstreamState& s = upstreams_[u];
        if (sent < s.last_cut) {
            return;
        }
        s.ssthresh = std::max(kMinWindow, s.cwnd / 2.0);
        s.cwnd = s.ssthresh;
        s.last_cut = now;
        ++summary_.window_cuts;
    }

    /// Per-attempt timeout towards `u`: the phase's, or shorter once the upstream's own latency
    /// is known (max(kMinRto, 4 x its p99)), as recursive resolvers do with their RTO.
    [[nodiscard]] Duration attempt_timeout(std::uint32_t u) const {
        const Duration rto = upstreams_[u].rto;
        return rto > Duration::zero() ? std::min(phase_.timeout, rto) : phase_.timeout;
    }

    void dispatch(TimePoint now, TimePoint& wake) {
        while (!ready_.empty() && in_flight_ < phase_.concurrency) {
            const std::uint32_t s = ready_.front();
            const std::int32_t u = pick_upstream(slots_[s], now, wake);
            if (u < 0) {
                break;
            }
            ready_.pop_front();
            send(s, static_cast<std::uint32_t>(u), now);
        }
    }

    void send(std::uint32_t s, std::uint32_t u, TimePoint now) {
        Query& q = slots_[s];
        std::array<std::uint8_t, kMaxQuery> buf{};
        std::uint16_t id = static_cast<std::uint16_t>(rng_.next() & 0xffff);
        std::uint32_t socket = 0;
        if (!q.tcp) {
            // One random socket serves up to kBatch consecutive sends, so that sendmmsg and
            // recvmmsg get real batches; an off-path spoofer still has to guess the port among
            // sockets_ and the 16-bit ID of each query.
            if (round_left_ == 0) {
                round_socket_ = sockets_ == 1 ? 0 : rng_.below(sockets_);
                round_left_ = kBatch;
            }
            --round_left_;
            socket = round_socket_;
            for (int tries = 0;; ++tries) {
                id = static_cast<std::uint16_t>(rng_.next() & 0xffff);
                if (!keys_.find((socket << 16) | id)) {
                    break;
                }
                if (tries > 64) { // this socket's ID space is crowded: move on
                    socket = round_socket_ = sockets_ == 1 ? 0 : rng_.below(sockets_);
                }
            }
        }
        auto size = encode_query(id, q.qname, q.qtype, kEdnsBufferSize, buf);
        if (!size) {
            // Only reachable with a name the wire format cannot carry.
            finish(s, Status::Invalid, -1, size.error().message, now);
            return;
        }
        q.upstream = u;
        ++q.attempts;
        ++target(q).attempts;
        ++jobs_[q.job].result.attempts;
        ++q.gen;
        q.sent = now;
        q.state = QState::InFlight;
        ++in_flight_;
        ++upstreams_[u].in_flight;
        ++summary_.queries;
        ++upstreams_[u].health.queries;
        const std::span<const std::uint8_t> bytes(buf.data(), *size);
        if (q.tcp) {
            ++summary_.tcp_queries;
            transport_.send_tcp((static_cast<std::uint64_t>(q.gen) << 32) | s,
                                upstreams_[u].config.endpoint, bytes);
        } else {
            q.key = (socket << 16) | id;
            q.keyed = true;
            keys_.insert(q.key, s);
            transport_.send_udp(socket, upstreams_[u].config.endpoint, bytes);
        }
        timers_.push(Timer{now + attempt_timeout(u), s, q.gen});
    }

    void leave_flight(std::uint32_t s) {
        Query& q = slots_[s];
        if (q.keyed) {
            keys_.erase(q.key);
            q.keyed = false;
        }
        if (q.state == QState::InFlight) {
            --in_flight_;
            --upstreams_[q.upstream].in_flight;
        }
        q.state = QState::Ready; // caller decides what comes next
        ++q.gen;
    }

    // ---- timers --------------------------------------------------------------------------

    void fire_timers(TimePoint now) {
        while (!timers_.empty() && timers_.top().at <= now) {
            const Timer t = timers_.top();
            timers_.pop();
            Query& q = slots_[t.slot];
            if (q.gen != t.gen) {
                continue;
            }
            if (q.state == QState::InFlight) {
                if (q.tcp) {
                    transport_.cancel_tcp((static_cast<std::uint64_t>(q.gen) << 32) | t.slot);
                }
                leave_flight(t.slot);
                on_lost(q.upstream, q.sent, now);
                ++upstreams_[q.upstream].health.timeouts;
                record_outcome(q.upstream, true, std::nullopt);
                retry_or_fail(t.slot, Status::Timeout, "", now);
            } else if (q.state == QState::Backoff) {
                q.state = QState::Ready;
                ready_.push_front(t.slot);
            }
        }
    }

    void retry_or_fail(std::uint32_t s, Status status, const std::string& detail, TimePoint now) {
        Query& q = slots_[s];
        if (q.attempts < 1 + phase_.retries) {
            q.last_upstream = static_cast<std::int32_t>(q.upstream);
            q.state = QState::Backoff;
            ++q.gen;
            Duration wait = config_.backoff;
            for (std::uint32_t i = 1; i < q.attempts && wait < config_.max_backoff; ++i) {
                wait *= 2;
            }
            wait = std::min(wait, config_.max_backoff);
            timers_.push(Timer{now + wait, s, q.gen});
            return;
        }
        if (status == Status::Malformed) {
            ++summary_.malformed;
        }
        finish(s, status, -1, detail, now);
    }

    // ---- health --------------------------------------------------------------------------

    void record_outcome(std::uint32_t u, bool error, std::optional<Duration> latency) {
        UpstreamState& s = upstreams_[u];
        if (latency) {
            s.latency.add(*latency);
        }
        if (error) {
            ++s.health.errors;
        }
        const std::size_t w = s.window.size();
        if (s.wcount == w) {
            s.werrors -= s.window[s.wpos];
        } else {
            ++s.wcount;
        }
        s.window[s.wpos] = error ? 1 : 0;
        s.werrors += error ? 1 : 0;
        s.wpos = (s.wpos + 1) % w;
        if (!s.health.benched && s.wcount == w &&
            static_cast<double>(s.werrors) / static_cast<double>(w) > config_.bench_error_rate) {
            // Never bench the last upstream the current phase may use.
            std::size_t others = 0;
            for (const std::uint32_t i : phase_.upstreams) {
                others += (i != u && !upstreams_[i].health.benched) ? 1U : 0U;
            }
            if (others > 0) {
                s.health.benched = true;
            }
        }
    }

    // ---- answers -------------------------------------------------------------------------

    void accept(std::uint32_t s, std::span<const std::uint8_t> bytes) {
        Query& q = slots_[s];
        const TimePoint now = clock_.now();
        auto m = decode_message(bytes);
        if (!m) {
            leave_flight(s);
            record_outcome(q.upstream, true, now - q.sent);
            ++upstreams_[q.upstream].health.answers;
            retry_or_fail(s, Status::Malformed, m.error().message, now);
            return;
        }
        // Servers may drop the question from an error answer (FORMERR by RFC 6891, REFUSED from
        // unbound's access control). ID, socket and source address still match; accept it as
        // the error it is rather than wait for a timeout.
        const bool bare_error =
            m->qr && m->qname.empty() && m->qtype == 0 && m->rcode != 0 && m->answers.empty();
        if (!bare_error &&
            (!m->qr || m->qtype != q.qtype || m->qclass != 1 || m->qname != q.qname)) {
            ++summary_.mismatched;
            return; // keep waiting for the real answer
        }
        leave_flight(s);
        on_delivered(q.upstream, now - q.sent);
        ++summary_.responses;
        ++upstreams_[q.upstream].health.answers;
        const bool upstream_error = m->rcode == 5 || m->rcode == 1;
        record_outcome(q.upstream, upstream_error, now - q.sent);
        if (m->tc && !q.tcp) {
            q.tcp = true;
            q.state = QState::Ready;
            ready_.push_front(s);
            return;
        }
        switch (m->rcode) {
        case 0:
        case 3:
            follow(s, *m, now);
            return;
        case 2:
            ++upstreams_[q.upstream].health.servfails;
            finish(s, Status::ServFail, m->rcode, "", now);
            return;
        case 5:
            if (unbenched_in_phase() > 1) {
                retry_or_fail(s, Status::Refused, "", now);
            } else {
                finish(s, Status::Refused, m->rcode, "", now);
            }
            return;
        case 1:
            finish(s, Status::FormErr, m->rcode, "", now);
            return;
        default:
            finish(s, Status::ServFail, m->rcode, "rcode " + rcode_name(m->rcode), now);
            return;
        }
    }

    void follow(std::uint32_t s, Message& m, TimePoint now) {
        Query& q = slots_[s];
        TypeAnswer& t = target(q);
        const std::string& origin =
            q.host < 0 ? jobs_[q.job].result.name
                       : jobs_[q.job].result.hosts[static_cast<std::size_t>(q.host)].host;
        std::string cur = q.qname;
        const auto rcode = static_cast<std::int32_t>(m.rcode);
        for (;;) {
            bool has_data = false;
            const Record* cname = nullptr;
            for (const Record& r : m.answers) {
                if (r.owner != cur) {
                    continue;
                }
                if (r.type == q.qtype) {
                    has_data = true;
                    break;
                }
                if (r.type == 5 && cname == nullptr) {
                    cname = &r;
                }
            }
            if (has_data || cname == nullptr) {
                break;
            }
            const std::string& next = cname->data;
            if (next == origin || std::find(t.cname_chain.begin(), t.cname_chain.end(), next) !=
                                      t.cname_chain.end()) {
                t.cname_chain.push_back(next);
                finish(s, Status::ServFail, rcode, "cname-loop", now);
                return;
            }
            if (t.cname_chain.size() >= kMaxCnameChain) {
                finish(s, Status::ServFail, rcode, "cname-limit", now);
                return;
            }
            t.cname_chain.push_back(next);
            cur = next;
        }
        t.records.clear();
        std::uint32_t ttl = 0xffffffffU;
        for (Record& r : m.answers) {
            if (r.owner == cur && r.type == q.qtype && t.records.size() < kMaxRecordsPerAnswer) {
                ttl = std::min(ttl, r.ttl);
                t.records.push_back(std::move(r));
            }
        }
        if (!t.records.empty()) {
            t.ttl = ttl;
            finish(s, Status::NoError, rcode, "", now);
            return;
        }
        for (const Record& r : m.authority) {
            if (r.type == 6) {
                t.ttl = r.ttl;
            }
        }
        if (rcode == 3) {
            finish(s, Status::NxDomain, rcode, "", now);
            return;
        }
        if (cur != q.qname) {
            // The chain ended without data for the target: ask for the target itself.
            if (q.follow_ups >= kMaxFollowUps) {
                finish(s, Status::ServFail, rcode, "cname-limit", now);
                return;
            }
            ++q.follow_ups;
            ++summary_.cname_follow_ups;
            q.qname = cur;
            q.attempts = 0;
            q.last_upstream = -1;
            q.state = QState::Ready;
            ready_.push_back(s);
            return;
        }
        finish(s, Status::NoData, rcode, "", now);
    }

    void finish(std::uint32_t s, Status status, std::int32_t rcode, const std::string& detail,
                TimePoint now) {
        Query& q = slots_[s];
        const std::uint32_t j = q.job;
        {
            TypeAnswer& t = target(q);
            t.status = status;
            t.rcode = rcode;
            t.detail = detail;
            if (q.attempts > 0) {
                t.upstream = static_cast<std::int32_t>(q.upstream);
            }
        }
        const bool want_hosts = config_.resolve_hosts && status == Status::NoError && q.host < 0 &&
                                (q.qtype == 2 || q.qtype == 15);
        q.state = QState::Free;
        ++q.gen;
        free_slots_.push_back(s);
        if (want_hosts) {
            // Copy the host names first: adding hosts may move the TypeAnswer.
            std::vector<std::string> hosts;
            for (const Record& r : jobs_[j].result.types[q.type_index].records) {
                hosts.push_back(r.data);
            }
            for (const std::string& h : hosts) {
                auto& list = jobs_[j].result.hosts;
                if (h.empty() || list.size() >= kMaxHostsPerName ||
                    std::any_of(list.begin(), list.end(),
                                [&](const HostAnswer& x) { return x.host == h; })) {
                    continue;
                }
                HostAnswer ha;
                ha.host = h;
                ha.a.type = 1;
                ha.aaaa.type = 28;
                list.push_back(std::move(ha));
                const auto idx = static_cast<std::int32_t>(list.size() - 1);
                new_query(j, idx, 0, 1, h);
                new_query(j, idx, 1, 28, h);
            }
        }
        (void)now;
        Job& job = jobs_[j];
        if (--job.pending == 0) {
            complete_job(j);
        }
    }

    void complete_job(std::uint32_t j) {
        Job& job = jobs_[j];
        NameResult& r = job.result;
        r.elapsed += clock_.now() - job.started;
        r.status = name_status(r.types);
        if (!job.repair) {
            r.main_status = r.status;
        }
        bool failed = false;
        r.upstream = -1;
        for (const TypeAnswer& t : r.types) {
            if (r.upstream < 0) {
                r.upstream = t.upstream;
            }
            failed = failed || is_failure(t);
        }
        job.in_use = false;
        --active_jobs_;
        free_jobs_.push_back(j);
        if (!job.repair && failed && config_.repair && !cancelling_) {
            if (held_.size() < config_.repair_hold_limit) {
                held_.push_back(std::move(r));
                return;
            }
            ++summary_.repair_skipped; // given out now, unrepaired: memory stays bounded
        }
        if (job.repair && !failed) {
            ++summary_.repair_recovered;
        }
        ++summary_.names;
        ++summary_.by_status[static_cast<std::size_t>(r.status)];
        (*sink_)(std::move(r));
        job.result = NameResult{};
    }

    // ---- repair / cancel -----------------------------------------------------------------

    void start_repair() {
        repairing_ = true;
        // A server that failed a moment ago (a recursive resolver whose upstream was overloaded
        // or whose peer just died caches that failure) often fails again at once: the repair
        // pass starts after repair_delay.
        repair_not_before_ = clock_.now() + config_.repair_delay;
        source_done_ = false;
        summary_.repair_names = held_.size();
        std::vector<std::uint32_t> order;
        for (std::uint32_t i = 0; i < upstreams_.size(); ++i) {
            if (!upstreams_[i].health.benched) {
                order.push_back(i);
            }
        }
        auto rate = [&](std::uint32_t i) {
            const auto& h = upstreams_[i].health;
            const auto outcomes = h.answers + h.timeouts;
            return outcomes == 0 ? 0.0
                                 : static_cast<double>(h.errors + h.servfails) /
                                       static_cast<double>(outcomes);
        };
        std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
            if (rate(a) != rate(b)) {
                return rate(a) < rate(b);
            }
            return upstreams_[a].latency.mean() < upstreams_[b].latency.mean();
        });
        if (order.size() > config_.repair_upstreams && config_.repair_upstreams > 0) {
            order.resize(config_.repair_upstreams);
        }
        phase_ = Phase{config_.repair_concurrency, config_.repair_timeout, config_.retries, order};
        rr_ = 0;
    }

    void cancel_all() {
        cancelling_ = true;
        const TimePoint now = clock_.now();
        for (std::uint32_t s = 0; s < slots_.size(); ++s) {
            if (slots_[s].state == QState::Free) {
                continue;
            }
            if (slots_[s].state == QState::InFlight && slots_[s].tcp) {
                transport_.cancel_tcp((static_cast<std::uint64_t>(slots_[s].gen) << 32) | s);
            }
            leave_flight(s);
            finish(s, Status::Timeout, -1, "cancelled", now);
        }
        ready_.clear();
        while (!held_.empty()) {
            NameResult r = std::move(held_.front());
            held_.pop_front();
            ++summary_.names;
            ++summary_.by_status[static_cast<std::size_t>(r.status)];
            (*sink_)(std::move(r));
        }
    }

    Summary snapshot(Duration elapsed) {
        Summary s = summary_;
        s.elapsed = elapsed;
        s.upstreams.clear();
        for (const auto& u : upstreams_) {
            UpstreamHealth h = u.health;
            const auto outcomes = h.answers + h.timeouts;
            h.error_rate =
                outcomes == 0 ? 0.0 : static_cast<double>(h.errors) / static_cast<double>(outcomes);
            h.mean_latency = u.latency.mean();
            h.p99_latency = u.latency.quantile(0.99);
            s.upstreams.push_back(h);
        }
        return s;
    }

    ResolverConfig config_;
    Transport& transport_;
    Clock& clock_;
    Rng rng_;
    KeyMap keys_;
    std::uint32_t sockets_ = 1;
    std::uint32_t round_socket_ = 0;
    std::uint32_t round_left_ = 0;
    std::vector<UpstreamState> upstreams_;
    std::deque<Query> slots_;
    std::vector<std::uint32_t> free_slots_;
    std::deque<Job> jobs_;
    std::vector<std::uint32_t> free_jobs_;
    std::deque<std::uint32_t> ready_;
    std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
    std::deque<NameResult> held_;
    TimePoint repair_not_before_{};
    Phase phase_;
    std::size_t rr_ = 0;
    std::size_t in_flight_ = 0;
    std::size_t active_jobs_ = 0;
    bool source_done_ = false;
    bool repairing_ = false;
    bool cancelling_ = false;
    const NameFeed* source_ = nullptr;
    const ResultSink* sink_ = nullptr;
    Summary summary_;
    std::function<void(const Summary&)> progress_;
    std::function<void()> before_wait_;
};

} // namespace internal

Result<Resolver> Resolver::create(ResolverConfig config, Transport& transport, Clock& clock) {
    DG_TRY_VOID(validate(config));
    return Resolver(std::make_unique<internal::Engine>(std::move(config), transport, clock));
}

Resolver::Resolver(std::unique_ptr<internal::Engine> engine) : engine_(std::move(engine)) {}
Resolver::~Resolver() = default;
Resolver::Resolver(Resolver&&) noexcept = default;
Resolver& Resolver::operator=(Resolver&&) noexcept = default;

Summary Resolver::run(const NameSource& source, const ResultSink& sink,
                      const std::atomic<bool>* stop) {
    const NameFeed feed = [&source](NameInput& in) { return source(in) ? Feed::Name : Feed::End; };
    return engine_->run(feed, sink, stop);
}

Summary Resolver::run(const NameFeed& feed, const ResultSink& sink, const std::atomic<bool>* stop) {
    return engine_->run(feed, sink, stop);
}

void Resolver::set_progress(std::function<void(const Summary&)> callback) {
    engine_->set_progress(std::move(callback));
}

void Resolver::set_before_wait(std::function<void()> callback) {
    engine_->set_before_wait(std::move(callback));
}

} // namespace dg::dns
