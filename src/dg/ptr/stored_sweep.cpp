#include "dg/ptr/stored_sweep.hpp"

#include <ctime>
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

Result<StoredSweep> run_stored_sweep(SweepStore& sweeps, std::int64_t id, const AddressPlan& plan,
                                     const DoneSet* done, const SweepSettings& settings,
                                     dns::Transport& transport, dns::Clock& clock,
                                     std::atomic<bool>& stop, const StoredSweepHooks& hooks) {
    const std::uint64_t batch_size = std::max<std::uint64_t>(1, hooks.batch);
    std::vector<PtrResult> batch;
    batch.reserve(batch_size);
    std::optional<Error> write_error;
    auto write_batch = [&] {
        if (!batch.empty() && !write_error) {
            if (hooks.before_write) {
                hooks.before_write(); // what is stored is in the output too (kill -9 loses none)
            }
            if (auto w = sweeps.write(id, batch); !w) {
                write_error = w.error();
                stop.store(true); // a sweep that cannot store its results stops
            }
        }
        batch.clear();
    };
    const PtrSink sink = [&](PtrResult&& r) {
        if (hooks.on_result) {
            hooks.on_result(r);
        }
        batch.push_back(std::move(r));
        if (batch.size() >= batch_size) {
            write_batch();
        }
    };
    auto report = run_sweep(plan, done, settings, transport, clock, sink, &stop, hooks.progress);
    write_batch();
    if (hooks.before_write) {
        hooks.before_write();
    }
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
            {"main_pass", main},
            {"after_repair", after},
            {"resolvers", resolvers},
            {"interrupted", r.interrupted}};
}

} // namespace dg::ptr
