#include "dg/server/ptr_jobs.hpp"

#include "dg/dns/udp_transport.hpp"
#include "dg/ptr/stored_sweep.hpp"

#include <algorithm>
#include <filesystem>

namespace dg::server {
namespace {

/// The per-resolver rate of a global and a per-resolver limit (as `ptr sweep` shares it out).
double per_resolver(const SweepRequest& r) {
    double per = r.per_resolver_rate;
    if (r.rate > 0) {
        const double share =
            r.rate / static_cast<double>(std::max<std::size_t>(1, r.resolvers.size()));
        per = per > 0 ? std::min(per, share) : share;
    }
    return per;
}

/// The keys of `ptr sweep`'s stored settings (cmd_ptr.cpp), so `ptr sweep --resume` works too.
nlohmann::json sweep_settings(const SweepRequest& r, const std::string& list) {
    nlohmann::json resolvers = nlohmann::json::array();
    for (const auto& e : r.resolvers) {
        resolvers.push_back(e.to_string());
    }
    const bool prefixes = r.kind == ptr::ListKind::Prefixes;
    return {{"prefixes", prefixes ? list : ""},
            {"addresses", prefixes ? "" : list},
            {"asn", ""},
            {"rib", ""},
            {"policy", "default"},
            {"resolvers", resolvers},
            {"rate", r.rate},
            {"per_resolver_rate", r.per_resolver_rate},
            {"pause_every", 0},
            {"pause", 600},
            {"concurrency", r.concurrency},
            {"timeout_ms", r.timeout_ms},
            {"retries", r.retries},
            {"repair", r.repair},
            {"origin", "server"}};
}

} // namespace

SweepJobs::~SweepJobs() {
    stop_all();
}

Result<SweepStarted> SweepJobs::start(store::Store& store, const SweepRequest& request) {
    if (request.resolvers.empty()) {
        return make_error(ErrorCode::InvalidArgument,
                          "no resolvers given and the server has no default ones");
    }
    SweepStarted started;
    DG_TRY(ptr::AddressPlan plan,
           ptr::parse_address_list(request.list, request.kind, started.list));
    if (plan.size() == 0) {
        return make_error(
            ErrorCode::InvalidArgument,
            "nothing to sweep: no valid " +
                std::string(request.kind == ptr::ListKind::Prefixes ? "prefix" : "address") +
                " in the list (" + std::to_string(started.list.invalid) + " invalid lines)");
    }
    if (plan.size() > ptr::kConfirmAbove && !request.confirm) {
        return make_error(ErrorCode::ResourceExhausted,
                          "refusing to sweep " + ptr::with_commas(plan.size()) +
                              " addresses without confirmation (more than " +
                              ptr::with_commas(ptr::kConfirmAbove) +
                              "): check the list, then send \"confirm\": true");
    }
    // Validates the settings before anything is written.
    nlohmann::json settings = sweep_settings(request, "");
    settings["rate"] = per_resolver(request);
    DG_TRY_VOID(stored_resolver_config(settings));
    {
        const std::lock_guard lock(jobs_.mutex());
        jobs_.reap_locked();
        if (jobs_.running_locked() >= config_.max_jobs) {
            // Unavailable (503, retry later), not ResourceExhausted: the API answers that with 413.
            return make_error(ErrorCode::Unavailable,
                              std::to_string(config_.max_jobs) +
                                  " sweeps are running; try again when one has finished");
        }
    }
    DG_TRY(const std::string list, write_job_file(config_.jobs_dir, "ptr", request.list));
    DG_TRY(auto sweeps, ptr::SweepStore::of(store));
    ptr::NewSweep ns;
    ns.addresses_total = plan.size();
    ns.notes = request.notes;
    ns.source =
        std::string(request.kind == ptr::ListKind::Prefixes ? "prefixes " : "addresses ") + list;
    ns.config = sweep_settings(request, list).dump();
    auto created = sweeps.create(ns);
    if (!created) {
        std::error_code ec;
        std::filesystem::remove(list, ec);
        return created.error();
    }
    started.id = created->id;
    started.addresses = plan.size();
    const std::lock_guard lock(jobs_.mutex());
    Job& ref = jobs_.add_locked(started.id);
    ref.status.running = true;
    ref.thread =
        std::thread([this, &ref, id = started.id, plan = std::move(plan), request]() mutable {
            run(ref, id, std::move(plan), std::move(request));
        });
    return started;
}

void SweepJobs::run(Job& job, std::int64_t id, ptr::AddressPlan plan, SweepRequest request) {
    auto fail = [&](const Error& e) {
        const std::lock_guard lock(job.mutex);
        job.status.error = e.to_string();
    };
    [&] {
        auto opened = store::Store::open(config_.db);
        if (!opened) {
            return fail(opened.error());
        }
        auto sweeps = ptr::SweepStore::of(**opened);
        if (!sweeps) {
            return fail(sweeps.error());
        }
        nlohmann::json settings = sweep_settings(request, "");
        settings["rate"] = per_resolver(request);
        auto config = stored_resolver_config(settings);
        if (!config) {
            (void)sweeps->finish(id, "failed", static_cast<std::int64_t>(std::time(nullptr)), "");
            return fail(config.error());
        }
        ptr::SweepSettings ss;
        ss.resolver = *config;
        dns::SteadyClock clock;
        bool v4 = false;
        bool v6 = false;
        for (const auto& e : request.resolvers) {
            (e.address.is_v4() ? v4 : v6) = true;
        }
        auto transport = dns::UdpTransport::create(dns::kDefaultSockets, v4, v6, clock);
        if (!transport) {
            (void)sweeps->finish(id, "failed", static_cast<std::int64_t>(std::time(nullptr)), "");
            return fail(transport.error());
        }
        ptr::StoredSweepHooks hooks;
        hooks.on_result = [&job](const ptr::PtrResult& r) {
            const std::lock_guard lock(job.mutex);
            ++job.status.done;
            job.status.noerror += r.status == dns::Status::NoError ? 1 : 0;
            job.status.failures +=
                r.status == dns::Status::Timeout || r.status == dns::Status::ServFail ? 1 : 0;
        };
        auto run = ptr::run_stored_sweep(*sweeps, id, plan, nullptr, ss, **transport, clock,
                                         job.stop, hooks);
        if (!run) {
            return fail(run.error());
        }
        if (run->write_error) {
            return fail(*run->write_error);
        }
    }();
    {
        const std::lock_guard lock(job.mutex);
        job.status.running = false;
    }
    job.finished.store(true);
}

Result<void> SweepJobs::stop(std::int64_t id) {
    return jobs_.stop(id, "sweep " + std::to_string(id));
}

std::optional<SweepJobStatus> SweepJobs::status(std::int64_t id) const {
    return jobs_.status(id);
}

void SweepJobs::stop_all() {
    jobs_.stop_all();
}

} // namespace dg::server
