#include "dg/scan/scan.hpp"

#include "dg/core/bounded_queue.hpp"
#include "dg/core/stop_signals.hpp"

#include <csignal>
#include <ctime>
#include <deque>
#include <mutex>
#include <pthread.h>
#include <thread>
#include <unordered_map>

namespace dg::scan {
namespace {

constexpr std::uint64_t kHostTag = std::uint64_t{1} << 63;
constexpr std::size_t kHandOff = 256; ///< finished domains handed to the map stage at once
/// The map stage waits this long for a full chunk before it maps what there is.
constexpr std::chrono::milliseconds kMapWait{20};
constexpr std::uint16_t kTypeA = 1;
constexpr std::uint16_t kTypeNs = 2;
constexpr std::uint16_t kTypeMx = 15;
constexpr std::uint16_t kTypeAaaa = 28;

/// What the resolve stage hands to the map stage.
struct MapItem {
    std::optional<model::DomainResult> ready; ///< an invalid line: nothing to resolve
    dns::NameResult name;
    std::vector<HostAddresses> hosts;
};

struct HostEntry {
    bool done = false;
    std::vector<HostAddress> addresses;
    std::vector<std::uint32_t> waiters; ///< pending domain slots
};

struct Pending {
    dns::NameResult result;
    std::vector<std::string> hosts;
    std::uint32_t outstanding = 0;
};

model::DomainResult invalid_result(const InputItem& item, const std::string& source) {
    model::DomainResult r;
    r.domain = item.name;
    r.status = dns::status_name(dns::Status::Invalid);
    r.error = source + ":" + std::to_string(item.line) + ": " + item.error;
    r.resolved_at = static_cast<model::UnixTime>(std::time(nullptr));
    return r;
}

bool is_ok(const std::string& status) {
    return status == "NOERROR" || status == "NODATA";
}

/// One scan's pipeline; run() may be called twice (main pass, repair pass): the host cache and
/// the counters carry over.
class Pipeline {
public:
    Pipeline(store::Store& store, std::int64_t scan_id, const AddressMapper& mapper,
             const ScanSettings& settings, const ScanHooks& hooks, const std::atomic<bool>* stop)
        : store_(store), scan_id_(scan_id), mapper_(mapper), settings_(settings), hooks_(hooks),
          external_stop_(stop) {}

    Result<dns::Summary> run(DomainInput& input, const dns::ResolverConfig& config,
                             dns::Transport& transport, dns::Clock& clock, bool repairing);

    [[nodiscard]] bool stopped() const { return stop_now_.load(); }
    [[nodiscard]] std::optional<Error> store_error() const {
        const std::lock_guard lock(mutex_);
        return store_error_;
    }
    [[nodiscard]] std::optional<Error> input_error() const { return input_error_; }
    [[nodiscard]] std::uint64_t hosts() const { return cache_.size(); }
    [[nodiscard]] std::uint64_t recovered() const { return recovered_.load(); }
    /// Hands the results the main pass held back from on_stored (repair pending) and that the
    /// repair pass did not replace (it did not run, or was stopped) to on_stored.
    void release_held();
    /// The names of the held results (this run's TIMEOUT/SERVFAIL domains).
    [[nodiscard]] std::vector<std::string> held_names() const {
        std::vector<std::string> out;
        out.reserve(held_.size());
        for (const auto& [name, r] : held_) {
            out.push_back(name);
        }
        return out;
    }
    ScanProgress progress(std::uint64_t queries) const {
        ScanProgress p;
        p.stored = stored_.load();
        p.ok = ok_.load();
        p.failed = p.stored - p.ok;
        p.queries = queries;
        p.repairing = repairing_;
        return p;
    }

private:
    // resolve stage (calling thread)
    dns::Feed feed(dns::NameInput& in);
    void on_result(dns::NameResult&& r);
    void on_domain(dns::NameResult&& r);
    void on_host(dns::NameResult&& r);
    void finish(std::uint32_t slot);
    /// Hands the finished domains to the map stage in one move (one lock, at most one wake-up):
    /// when the engine is about to wait, when kHandOff are gathered, and at the end.
    void hand_off();
    void check_stop() {
        if (external_stop_ != nullptr && external_stop_->load()) {
            stop_now_.store(true);
        }
    }
    // map and store stages (own threads)
    void map_loop();
    void store_loop();
    void flush(std::vector<model::DomainResult>& batch);

    store::Store& store_;
    std::int64_t scan_id_;
    const AddressMapper& mapper_;
    const ScanSettings& settings_;
    const ScanHooks& hooks_;
    const std::atomic<bool>* external_stop_;
    std::atomic<bool> stop_now_{false};

    DomainInput* input_ = nullptr;
    bool input_done_ = false;
    bool repairing_ = false;
    std::optional<Error> input_error_;
    std::unordered_map<std::string, HostEntry> cache_;
    std::deque<std::string> host_queue_;
    std::vector<Pending> pending_;
    std::vector<std::uint32_t> free_pending_;
    std::size_t waiting_ = 0;
    std::size_t max_waiting_ = 0;
    std::uint64_t domains_in_flight_ = 0;

    std::unique_ptr<BoundedQueue<MapItem>> map_queue_;
    std::vector<MapItem> outbox_; ///< finished domains not yet handed to the map stage
    std::unique_ptr<BoundedQueue<model::DomainResult>> store_queue_;

    mutable std::mutex mutex_;
    std::optional<Error> store_error_;
    std::atomic<std::uint64_t> stored_{0};
    std::atomic<std::uint64_t> ok_{0};
    std::atomic<std::uint64_t> recovered_{0};
    /// With repair on, the main pass's TIMEOUT/SERVFAIL results, stored but not yet shown to
    /// on_stored: the repair pass stores a replacement of each, and the output must carry one
    /// result per name, the final one (store thread, then the calling thread after run()).
    std::map<std::string, model::DomainResult> held_;
};

void Pipeline::release_held() {
    if (hooks_.on_stored) {
        for (auto& [name, r] : held_) {
            hooks_.on_stored(r);
        }
    }
    held_.clear();
}

Result<dns::Summary> Pipeline::run(DomainInput& input, const dns::ResolverConfig& config,
                                   dns::Transport& transport, dns::Clock& clock, bool repairing) {
    input_ = &input;
    input_done_ = false;
    repairing_ = repairing;
    max_waiting_ = settings_.max_waiting != 0 ? settings_.max_waiting
                                              : std::size_t{4} * config.concurrency + 64;
    const std::size_t capacity = std::max<std::size_t>(settings_.batch_size * 2, 1024);
    map_queue_ = std::make_unique<BoundedQueue<MapItem>>(capacity);
    store_queue_ = std::make_unique<BoundedQueue<model::DomainResult>>(capacity);
    DG_TRY(auto resolver, dns::Resolver::create(config, transport, clock));
    resolver.set_before_wait([this] { hand_off(); });
    resolver.set_progress([&](const dns::Summary& s) {
        check_stop();
        if (hooks_.on_progress) {
            hooks_.on_progress(progress(s.queries));
        }
    });
    // The stage threads start with the stop signals blocked, so that a stop signal always lands on
    // the calling thread and interrupts what it waits in (e.g. reading a list from a terminal).
    const sigset_t stop_signals = stop_signal_set(); // SIGINT, SIGTERM, SIGHUP
    sigset_t old_mask;
    pthread_sigmask(SIG_BLOCK, &stop_signals, &old_mask);
    std::thread mapper([this] { map_loop(); });
    std::thread writer([this] { store_loop(); });
    pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
    const dns::NameFeed feed_fn = [this](dns::NameInput& in) { return feed(in); };
    const dns::ResultSink sink_fn = [this](dns::NameResult&& r) { on_result(std::move(r)); };
    check_stop();
    dns::Summary summary;
    if (!stop_now_.load()) {
        summary = resolver.run(feed_fn, sink_fn, &stop_now_);
    }
    hand_off();
    map_queue_->close();
    mapper.join();
    writer.join();
    // Domains parked for hosts when a stop came are not stored: resume resolves them again.
    pending_.clear();
    free_pending_.clear();
    host_queue_.clear();
    waiting_ = 0;
    domains_in_flight_ = 0;
    for (auto& [host, entry] : cache_) {
        entry.waiters.clear();
    }
    if (auto e = store_error()) {
        return *e;
    }
    return summary;
}

dns::Feed Pipeline::feed(dns::NameInput& in) {
    check_stop();
    if (stop_now_.load()) {
        return dns::Feed::End;
    }
    if (!host_queue_.empty()) {
        in.name = std::move(host_queue_.front());
        host_queue_.pop_front();
        in.tag = kHostTag;
        in.types = {kTypeA, kTypeAaaa};
        return dns::Feed::Name;
    }
    while (!input_done_) {
        if (waiting_ >= max_waiting_ ||
            (map_queue_->size() + outbox_.size()) * 4 >= map_queue_->capacity() * 3) {
            return dns::Feed::Later;
        }
        auto item = input_->next();
        if (!item) {
            input_error_ = item.error();
            input_done_ = true;
            break;
        }
        if (!*item) {
            input_done_ = true;
            break;
        }
        if (!(*item)->valid) {
            MapItem ready;
            ready.ready = invalid_result(**item, input_->source_name());
            outbox_.push_back(std::move(ready));
            if (outbox_.size() >= kHandOff) {
                hand_off();
            }
            continue;
        }
        in.name = std::move((*item)->name);
        in.tag = (*item)->line;
        in.types = {kTypeA, kTypeAaaa, kTypeNs, kTypeMx};
        ++domains_in_flight_;
        return dns::Feed::Name;
    }
    return waiting_ > 0 || domains_in_flight_ > 0 ? dns::Feed::Later : dns::Feed::End;
}

void Pipeline::on_result(dns::NameResult&& r) {
    if (stop_now_.load()) {
        return; // cut short by the stop: not a finished result
    }
    if ((r.tag & kHostTag) != 0) {
        on_host(std::move(r));
    } else {
        --domains_in_flight_;
        on_domain(std::move(r));
    }
}

void Pipeline::on_domain(dns::NameResult&& r) {
    std::uint32_t slot = 0;
    if (!free_pending_.empty()) {
        slot = free_pending_.back();
        free_pending_.pop_back();
    } else {
        slot = static_cast<std::uint32_t>(pending_.size());
        pending_.emplace_back();
    }
    Pending& p = pending_[slot];
    p.hosts = hosts_of(r);
    p.result = std::move(r);
    p.outstanding = 0;
    for (const std::string& h : p.hosts) {
        auto [it, inserted] = cache_.try_emplace(h);
        if (inserted) {
            host_queue_.push_back(h);
        }
        if (!it->second.done) {
            it->second.waiters.push_back(slot);
            ++p.outstanding;
        }
    }
    if (p.outstanding == 0) {
        finish(slot);
    } else {
        ++waiting_;
    }
}

void Pipeline::on_host(dns::NameResult&& r) {
    auto it = cache_.find(r.name);
    if (it == cache_.end()) {
        return;
    }
    HostEntry& e = it->second;
    e.done = true;
    e.addresses = host_addresses(r);
    std::vector<std::uint32_t> waiters;
    waiters.swap(e.waiters);
    for (const std::uint32_t w : waiters) {
        if (--pending_[w].outstanding == 0) {
            --waiting_;
            finish(w);
        }
    }
}

void Pipeline::finish(std::uint32_t slot) {
    Pending& p = pending_[slot];
    MapItem item;
    item.name = std::move(p.result);
    item.hosts.reserve(p.hosts.size());
    for (std::string& h : p.hosts) {
        const auto it = cache_.find(h);
        item.hosts.push_back(HostAddresses{
            std::move(h), it != cache_.end() ? it->second.addresses : std::vector<HostAddress>{}});
    }
    p.hosts.clear();
    p.result = dns::NameResult{};
    free_pending_.push_back(slot);
    outbox_.push_back(std::move(item));
    if (outbox_.size() >= kHandOff) {
        hand_off();
    }
}

void Pipeline::hand_off() {
    if (!outbox_.empty()) {
        map_queue_->push_many(outbox_);
    }
}

void Pipeline::map_loop() {
    constexpr std::size_t kChunk = 256;
    std::vector<MapItem> items;
    std::vector<model::DomainResult> results;
    items.reserve(kChunk);
    results.reserve(kChunk);
    for (;;) {
        // A chunk at a time: the resolve stage hands over a few domains per event-loop turn,
        // and waking for each handful cost more than mapping them.
        const auto until = std::chrono::steady_clock::now() + kMapWait;
        if (map_queue_->pop_many_until(items, kChunk, until, kChunk) == 0) {
            if (map_queue_->drained()) {
                break;
            }
            continue;
        }
        const auto now = static_cast<model::UnixTime>(std::time(nullptr));
        for (MapItem& item : items) {
            results.push_back(item.ready ? std::move(*item.ready)
                                         : assemble(item.name, item.hosts, mapper_, now));
        }
        items.clear();
        store_queue_->push_many(results);
    }
    store_queue_->close();
}

void Pipeline::store_loop() {
    std::vector<model::DomainResult> batch;
    batch.reserve(settings_.batch_size);
    auto deadline = std::chrono::steady_clock::now();
    for (;;) {
        std::size_t got = 0;
        if (batch.empty()) {
            got = store_queue_->pop_many(batch, settings_.batch_size);
            deadline = std::chrono::steady_clock::now() + settings_.batch_interval;
        } else {
            const std::size_t room = settings_.batch_size - batch.size();
            got = store_queue_->pop_many_until(batch, room, deadline, room);
        }
        if (got != 0) {
            if (batch.size() >= settings_.batch_size) {
                flush(batch);
            }
            continue;
        }
        flush(batch);
        if (store_queue_->drained()) {
            return;
        }
    }
}

void Pipeline::flush(std::vector<model::DomainResult>& batch) {
    if (batch.empty()) {
        return;
    }
    if (store_error()) {
        batch.clear(); // the scan is stopping; nothing more is written
        return;
    }
    auto written = store_.write_results(scan_id_, batch);
    if (!written) {
        const std::lock_guard lock(mutex_);
        store_error_ = written.error();
        stop_now_.store(true);
        batch.clear();
        return;
    }
    if (repairing_) {
        // These replace results counted by the main pass.
        for (const auto& r : batch) {
            recovered_ += retryable_status(r.status) ? 0U : 1U;
        }
    } else {
        std::uint64_t ok = 0;
        for (const auto& r : batch) {
            ok += is_ok(r.status) ? 1U : 0U;
        }
        ok_ += ok;
        stored_ += batch.size();
    }
    for (auto& r : batch) {
        if (repairing_) {
            held_.erase(r.domain);
        } else if (settings_.repair && retryable_status(r.status)) {
            held_.emplace(r.domain, std::move(r)); // shown once the repair pass is done
            continue;
        }
        if (hooks_.on_stored) {
            hooks_.on_stored(r);
        }
    }
    batch.clear();
}

/// The repair pass's engine: fewer queries in flight, longer timeouts, the healthiest upstreams.
dns::ResolverConfig repair_config(const dns::ResolverConfig& base, const dns::Summary& main) {
    dns::ResolverConfig c = base;
    c.concurrency = std::max<std::uint32_t>(1, std::min<std::uint32_t>(base.concurrency / 10, 50));
    c.timeout = std::max(base.timeout * 2, dns::Duration(std::chrono::seconds(4)));
    if (main.upstreams.size() == base.upstreams.size() && base.upstreams.size() > 1) {
        std::vector<std::size_t> order(base.upstreams.size());
        for (std::size_t i = 0; i < order.size(); ++i) {
            order[i] = i;
        }
        std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
            const auto& a = main.upstreams[x];
            const auto& b = main.upstreams[y];
            return a.error_rate + static_cast<double>(a.servfails) / double(a.queries + 1) <
                   b.error_rate + static_cast<double>(b.servfails) / double(b.queries + 1);
        });
        c.upstreams.clear();
        for (std::size_t i = 0;
             i < order.size() && i < std::max<std::uint32_t>(1, base.repair_upstreams); ++i) {
            c.upstreams.push_back(base.upstreams[order[i]]);
        }
    }
    return c;
}

Result<std::vector<std::string>> names_to_repair(store::Store& store, std::int64_t scan_id) {
    std::vector<std::string> names;
    for (const char* status : {"TIMEOUT", "SERVFAIL"}) {
        store::ResultFilter f;
        f.status = status;
        DG_TRY_VOID(store.results(scan_id, f, [&](const store::StoredResult& r) {
            names.push_back(r.result.domain);
            return true;
        }));
    }
    return names;
}

} // namespace

model::ScanStatus record_outcome(store::Store& store, std::int64_t scan_id,
                                 const Result<ScanReport>& report, model::UnixTime now) {
    if (!report) {
        (void)store.set_scan_status(scan_id, model::ScanStatus::Failed, now);
        (void)store.set_scan_status_detail(scan_id, report.error().to_string());
        return model::ScanStatus::Failed;
    }
    if (report->interrupted) {
        (void)store.set_scan_status(scan_id, model::ScanStatus::Interrupted, now);
        return model::ScanStatus::Interrupted;
    }
    if (report->input_error) {
        (void)store.set_scan_status(scan_id, model::ScanStatus::Failed, now);
        (void)store.set_scan_status_detail(scan_id, "domain list damaged: " +
                                                        report->input_error->to_string());
        return model::ScanStatus::Failed;
    }
    if (auto s = store.get_scan(scan_id)) {
        (void)store.set_domains_total(scan_id, s->domains_done);
    }
    (void)store.set_scan_status(scan_id, model::ScanStatus::Complete, now);
    return model::ScanStatus::Complete;
}

bool retryable_status(std::string_view status) {
    return status == "TIMEOUT" || status == "SERVFAIL";
}

Result<ScanReport> run_scan(store::Store& store, std::int64_t scan_id, DomainInput& input,
                            const AddressMapper& mapper, const ScanSettings& settings,
                            dns::Transport& transport, dns::Clock& clock, const ScanHooks& hooks,
                            const std::atomic<bool>* stop) {
    const auto start = std::chrono::steady_clock::now();
    dns::ResolverConfig config = settings.resolver;
    config.types = {kTypeA, kTypeAaaa, kTypeNs, kTypeMx};
    config.resolve_hosts = false;
    config.repair = false;
    Pipeline pipeline(store, scan_id, mapper, settings, hooks, stop);
    ScanReport report;
    DG_TRY(report.dns, pipeline.run(input, config, transport, clock, false));
    report.input = input.stats();
    report.input_error = pipeline.input_error();
    if (settings.repair && !pipeline.stopped()) {
        std::vector<std::string> names;
        if (settings.part_of_scan) {
            names = pipeline.held_names();
        } else {
            DG_TRY(names, names_to_repair(store, scan_id));
        }
        if (!names.empty()) {
            report.repair_names = names.size();
            auto again = DomainInput::from_names(std::move(names));
            auto repaired =
                pipeline.run(again, repair_config(config, report.dns), transport, clock, true);
            if (!repaired) {
                pipeline.release_held();
                return repaired.error();
            }
            report.repair_recovered = pipeline.recovered();
        }
    }
    pipeline.release_held();
    report.totals = pipeline.progress(report.dns.queries);
    for (std::size_t i = 0; i < dns::kStatusCount && !settings.part_of_scan; ++i) {
        store::ResultFilter f;
        f.status = dns::status_name(static_cast<dns::Status>(i));
        DG_TRY(const std::uint64_t n, store.count_results(scan_id, f));
        if (n > 0) {
            report.by_status[*f.status] = n;
        }
    }
    report.hosts = pipeline.hosts();
    report.interrupted = pipeline.stopped();
    report.elapsed = std::chrono::steady_clock::now() - start;
    return report;
}

} // namespace dg::scan
