#include "dg/ptr/stored_sweep.hpp"

#include "dg/core/bounded_queue.hpp"

#include <ctime>
#include <thread>
#include <vector>

namespace dg::ptr {

Result<std::uint64_t> mark_stored(SweepStore& sweeps, std::int64_t id, const AddressPlan& plan,
                                  DoneSet& done) {
    std::uint64_t marked = 0;
    DG_TRY_VOID(sweeps.done_addresses(id, [&](std::string_view text) {
        if (auto ip = IpAddress::parse(text)) {
            if (auto i = plan.index_of(*ip)) {
                done.set(*i);
                ++marked;
            }
        }
        return true;
    }));
    return marked;
}

namespace {

/// Stores batches on its own thread, so that the DNS engine keeps sending and receiving while a
/// transaction commits. At most `kPending` batches wait (the engine then waits: memory stays
/// bounded). The first refused batch stops the sweep; later batches are dropped.
class BatchWriter {
public:
    BatchWriter(SweepStore& sweeps, std::int64_t id, const StoredSweepHooks& hooks,
                std::atomic<bool>& stop)
        : sweeps_(sweeps), id_(id), hooks_(hooks), stop_(stop), queue_(kPending),
          thread_([this] { loop(); }) {}
    BatchWriter(const BatchWriter&) = delete;
    BatchWriter& operator=(const BatchWriter&) = delete;
    ~BatchWriter() { close(); }

    void submit(std::vector<PtrResult>&& batch) {
        if (!batch.empty()) {
            queue_.push(std::move(batch));
        }
    }
    /// Stores what is queued and ends the thread; returns the first write error.
    std::optional<Error> close() {
        queue_.close();
        if (thread_.joinable()) {
            thread_.join();
        }
        return error_;
    }

private:
    static constexpr std::size_t kPending = 4;

    void loop() {
        while (auto batch = queue_.pop()) {
            if (error_) {
                continue;
            }
            if (hooks_.write_output) {
                hooks_.write_output(*batch); // what is stored is in the output too (kill -9)
            }
            if (auto w = sweeps_.write(id_, *batch); !w) {
                error_ = w.error();
                stop_.store(true); // a sweep that cannot store its results stops
            }
        }
    }

    SweepStore& sweeps_;
    std::int64_t id_;
    const StoredSweepHooks& hooks_;
    std::atomic<bool>& stop_;
    BoundedQueue<std::vector<PtrResult>> queue_;
    std::optional<Error> error_; // written by the thread only; read after join
    std::thread thread_;
};

} // namespace

Result<StoredSweep> run_stored_sweep(SweepStore& sweeps, std::int64_t id, const AddressPlan& plan,
                                     const DoneSet* done, const SweepSettings& settings,
                                     dns::Transport& transport, dns::Clock& clock,
                                     std::atomic<bool>& stop, const StoredSweepHooks& hooks) {
    const std::uint64_t batch_size = std::max<std::uint64_t>(1, hooks.batch);
    std::vector<PtrResult> batch;
    batch.reserve(batch_size);
    BatchWriter writer(sweeps, id, hooks, stop);
    const PtrSink sink = [&](PtrResult&& r) {
        if (hooks.on_result) {
            hooks.on_result(r);
        }
        batch.push_back(std::move(r));
        if (batch.size() >= batch_size) {
            writer.submit(std::move(batch));
            batch = {};
            batch.reserve(batch_size);
        }
    };
    auto report = run_sweep(plan, done, settings, transport, clock, sink, &stop, hooks.progress);
    writer.submit(std::move(batch));
    std::optional<Error> write_error = writer.close();
    const auto now = static_cast<std::int64_t>(std::time(nullptr));
    if (!report) {
        (void)sweeps.finish(id, "failed", now, "");
        return report.error();
    }
    StoredSweep out;
    out.report = std::move(*report);
    out.write_error = std::move(write_error);
    const bool interrupted = out.report.interrupted || stop.load();
    out.status = out.write_error ? "failed" : interrupted ? "interrupted" : "complete";
    if (auto f = sweeps.finish(id, out.status, now, report_json(out.report).dump()); !f) {
        if (!out.write_error) { // the store failed at the end: said as a write failure
            out.write_error = f.error();
        }
        out.status = "failed";
    }
    return out;
}

nlohmann::json report_json(const SweepReport& r) {
    nlohmann::json main = nlohmann::json::object();
    nlohmann::json after = nlohmann::json::object();
    for (std::size_t i = 0; i < dns::kStatusCount; ++i) {
        const char* s = dns::status_name(static_cast<dns::Status>(i));
        if (r.table.main[i] > 0) {
            main[s] = r.table.main[i];
        }
        if (r.table.final[i] > 0) {
            after[s] = r.table.final[i];
        }
    }
    nlohmann::json resolvers = nlohmann::json::array();
    for (const auto& u : r.dns.upstreams) {
        resolvers.push_back(
            {{"resolver", u.endpoint.to_string()},
             {"queries", u.queries},
             {"answers", u.answers},
             {"timeouts", u.timeouts},
             {"servfails", u.servfails},
             {"error_rate", u.error_rate},
             {"benched", u.benched},
             {"mean_latency_ms", static_cast<double>(u.mean_latency.count()) / 1e6}});
    }
    return {{"results", r.results},
            {"skipped_done", r.skipped},
            {"queries", r.dns.queries},
            {"elapsed_s", static_cast<double>(r.dns.elapsed.count()) / 1e9},
            {"pauses", r.pauses},
            {"repair_names", r.dns.repair_names},
            {"repair_recovered", r.dns.repair_recovered},
            {"repair_skipped", r.dns.repair_skipped},
            {"main_pass", main},
            {"after_repair", after},
            {"resolvers", resolvers},
            {"interrupted", r.interrupted}};
}

} // namespace dg::ptr
