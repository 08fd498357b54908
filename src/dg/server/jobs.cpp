#include "dg/server/jobs.hpp"

#include "dg/dns/udp_transport.hpp"
#include "dg/scan/assemble.hpp"
#include "dg/scan/domain_input.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

namespace dg::server {
namespace {

model::UnixTime now() {
    return static_cast<model::UnixTime>(std::time(nullptr));
}

std::string random_hex() {
    std::random_device rd;
    std::uniform_int_distribution<std::uint64_t> dist;
    char buf[40];
    std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(dist(rd)),
                  static_cast<unsigned long long>(dist(rd)));
    return buf;
}

} // namespace

Result<std::string> write_job_file(const std::string& dir, const std::string& stem,
                                   const std::string& content) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
        return make_error(ErrorCode::Io,
                          "cannot create the jobs directory " + dir + ": " + ec.message());
    }
    const std::string path =
        (std::filesystem::absolute(dir, ec) / (stem + "-" + random_hex() + ".txt")).string();
    const std::string tmp = path + ".part";
    {
        errno = 0;
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << content;
        out.flush();
        if (!out) {
            const int err = errno;
            std::filesystem::remove(tmp, ec);
            if (err == ENOSPC || err == EDQUOT) { // nothing accepted: 503, retry with room
                return make_error(ErrorCode::Unavailable,
                                  "the disk holding the jobs directory is full: free space and "
                                  "retry")
                    .at(dir);
            }
            return make_error(ErrorCode::Io, "cannot write the list " + tmp + ": " +
                                                 std::strerror(err != 0 ? err : EIO));
        }
    }
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        return make_error(ErrorCode::Io, "cannot rename " + tmp + ": " + ec.message());
    }
    return path;
}

namespace {

/// Writes the domain list to a new file in `dir` (created); returns its path.
Result<std::string> write_list(const std::string& dir, const std::vector<std::string>& domains) {
    std::string content;
    for (const auto& d : domains) {
        content += d;
        content += '\n';
    }
    return write_job_file(dir, "scan", content);
}

nlohmann::json job_config(const JobRequest& r, const std::string& list, const Tables& t) {
    nlohmann::json resolvers = nlohmann::json::array();
    for (const auto& e : r.resolvers) {
        resolvers.push_back(e.to_string());
    }
    // The keys of `scan`'s stored settings (cmd_scan.cpp), so `scan --resume` works too.
    return {{"domains", list},
            {"rib", t.rib_path},
            {"policy", bgp::policy_name(t.policy)},
            {"as2org", t.as2org_path},
            {"vrps", t.vrps_path},
            {"resolvers", resolvers},
            {"concurrency", r.concurrency},
            {"timeout_ms", r.timeout_ms},
            {"retries", r.retries},
            {"rate", r.rate},
            {"repair", r.repair},
            {"origin", "server"}};
}

template <typename T> T get_or(const nlohmann::json& j, const char* key, T fallback) {
    if (!j.is_object() || !j.contains(key)) {
        return fallback;
    }
    const auto& v = j[key];
    if constexpr (std::is_same_v<T, bool>) {
        return v.is_boolean() ? v.get<bool>() : fallback;
    } else if constexpr (std::is_same_v<T, std::string>) {
        return v.is_string() ? v.get<std::string>() : fallback;
    } else {
        return v.is_number() ? v.get<T>() : fallback;
    }
}

bool is_server_scan(const model::Scan& s) {
    const auto j = nlohmann::json::parse(s.config_json, nullptr, false);
    return get_or<std::string>(j, "origin", "") == "server";
}

} // namespace

/// The engine configuration stored with a scan (as make_resolver_config builds it for the CLI).
Result<dns::ResolverConfig> stored_resolver_config(const nlohmann::json& j) {
    dns::ResolverConfig config;
    const double rate = get_or<double>(j, "rate", 0.0);
    if (j.contains("resolvers") && j["resolvers"].is_array()) {
        for (const auto& r : j["resolvers"]) {
            if (r.is_string()) {
                DG_TRY(auto e, dns::Endpoint::parse(r.get<std::string>()));
                config.upstreams.push_back(dns::Upstream{e, rate});
            }
        }
    }
    if (config.upstreams.empty()) {
        return make_error(ErrorCode::InvalidArgument, "the settings name no resolver");
    }
    config.concurrency = get_or<std::uint32_t>(j, "concurrency", dns::kDefaultInFlight);
    config.timeout = std::chrono::milliseconds(get_or<std::uint32_t>(j, "timeout_ms", 2000));
    config.retries = get_or<std::uint32_t>(j, "retries", 2);
    config.repair = get_or<bool>(j, "repair", true);
    config.repair_timeout = std::max(config.timeout * 2, dns::Duration(std::chrono::seconds(4)));
    config.repair_concurrency =
        std::max<std::uint32_t>(1, std::min<std::uint32_t>(config.concurrency / 10, 50));
    DG_TRY_VOID(dns::validate(config));
    return config;
}

Jobs::~Jobs() {
    stop_all();
}

void Jobs::set_tables(std::shared_ptr<const Tables> tables) {
    const std::lock_guard lock(jobs_.mutex());
    tables_ = std::move(tables);
}

std::size_t Jobs::running() const {
    const std::lock_guard lock(jobs_.mutex());
    return jobs_.running_locked();
}

Result<std::int64_t> Jobs::start(store::Store& store, const JobRequest& request) {
    std::shared_ptr<const Tables> tables;
    {
        const std::lock_guard lock(jobs_.mutex());
        tables = tables_;
        if (!tables || !tables->table) {
            return make_error(ErrorCode::Unavailable, "the routing table is not loaded");
        }
        if (jobs_.running_locked() >= config_.max_jobs) {
            return make_error(ErrorCode::ResourceExhausted,
                              std::to_string(config_.max_jobs) +
                                  " scans are running; try again when one has finished");
        }
    }
    DG_TRY(const std::string list, write_list(config_.jobs_dir, request.domains));
    store::NewScan ns;
    ns.notes = request.notes;
    ns.rib_path = tables->rib_path;
    ns.rib_hash = tables->table->report().content_hash;
    ns.config_json = job_config(request, list, *tables).dump();
    ns.domains_total = request.domains.size();
    auto created = store.create_scan(ns);
    if (!created) {
        std::error_code ec;
        std::filesystem::remove(list, ec);
        return created.error();
    }
    DG_TRY_VOID(launch(created->id, false, 0));
    return created->id;
}

Result<void> Jobs::resume(store::Store& store, std::int64_t scan_id) {
    DG_TRY(const model::Scan s, store.get_scan(scan_id));
    if (s.status == model::ScanStatus::Complete) {
        return make_error(ErrorCode::InvalidArgument,
                          "scan " + std::to_string(scan_id) + " is already complete");
    }
    const auto j = nlohmann::json::parse(s.config_json, nullptr, false);
    const std::string list = get_or<std::string>(j, "domains", "");
    std::error_code ec;
    if (list.empty() || list == "-" || !std::filesystem::is_regular_file(list, ec)) {
        return make_error(ErrorCode::InvalidArgument,
                          "scan " + std::to_string(scan_id) +
                              " has no domain list the server can read again");
    }
    return launch(scan_id, true, s.domains_done);
}

Result<void> Jobs::launch(std::int64_t scan_id, bool resumed, std::uint64_t previously_done) {
    const std::lock_guard lock(jobs_.mutex());
    jobs_.reap_locked();
    if (!tables_ || !tables_->table) {
        return make_error(ErrorCode::Unavailable, "the routing table is not loaded");
    }
    if (jobs_.contains_locked(scan_id)) {
        return make_error(ErrorCode::InvalidArgument,
                          "scan " + std::to_string(scan_id) + " is already running");
    }
    if (jobs_.running_locked() >= config_.max_jobs) {
        return make_error(ErrorCode::ResourceExhausted,
                          std::to_string(config_.max_jobs) +
                              " scans are running; try again when one has finished");
    }
    Job& ref = jobs_.add_locked(scan_id);
    ref.status.running = true;
    ref.status.previously_done = previously_done;
    ref.thread = std::thread([this, &ref, scan_id, resumed] { run(ref, scan_id, resumed); });
    return ok();
}

Result<void> Jobs::stop(std::int64_t scan_id) {
    return jobs_.stop(scan_id, "scan " + std::to_string(scan_id));
}

std::optional<JobStatus> Jobs::status(std::int64_t scan_id) const {
    return jobs_.status(scan_id);
}

void Jobs::stop_all() {
    jobs_.stop_all();
}

void Jobs::run(Job& job, std::int64_t scan_id, bool resumed) {
    std::shared_ptr<const Tables> tables;
    {
        const std::lock_guard lock(jobs_.mutex());
        tables = tables_;
    }
    std::string outcome = "failed";
    std::string error;
    auto opened = store::Store::open(config_.db);
    if (!opened) {
        error = opened.error().to_string();
    } else {
        store::Store& store = **opened;
        auto report = run_scan_job(job, store, scan_id, resumed, *tables);
        const model::ScanStatus status = scan::record_outcome(store, scan_id, report, now());
        outcome = model::scan_status_name(status);
        if (!report) {
            error = report.error().to_string();
        } else {
            metrics_->dns_queries(report->dns.queries);
            for (const auto& u : report->dns.upstreams) {
                metrics_->resolver_health(u.endpoint.to_string(), u.error_rate, u.benched);
            }
            if (report->input_error) {
                error = "domain list damaged: " + report->input_error->to_string();
            }
        }
    }
    metrics_->scan_finished(outcome);
    if (!error.empty()) {
        std::fprintf(stderr, "domaingraph serve: scan %lld %s: %s\n",
                     static_cast<long long>(scan_id), outcome.c_str(), error.c_str());
    }
    {
        const std::lock_guard lock(job.mutex);
        job.status.running = false;
        job.status.error = error;
    }
    job.finished.store(true);
}

Result<scan::ScanReport> Jobs::run_scan_job(Job& job, store::Store& store, std::int64_t scan_id,
                                            bool resumed, const Tables& tables) {
    DG_TRY(const model::Scan s, store.get_scan(scan_id));
    const auto j = nlohmann::json::parse(s.config_json, nullptr, false);
    DG_TRY(const dns::ResolverConfig config, stored_resolver_config(j));
    DG_TRY(auto input, scan::DomainInput::open(get_or<std::string>(j, "domains", "")));
    if (resumed) {
        DG_TRY_VOID(store.done_domains(scan_id, [&](const std::string& name) {
            input.mark_done(name);
            return true;
        }));
        DG_TRY_VOID(store.set_scan_status(scan_id, model::ScanStatus::Running));
    }
    // An .mmdb source keeps per-lookup state: a job gets its own (cheap: a memory map).
    std::optional<bgp::IpAsnSource> own;
    const bgp::IpAsnSource* source = &*tables.table;
    if (tables.table->table() == nullptr) {
        bgp::SourceOptions so;
        so.policy = tables.policy;
        so.show_progress = false;
        DG_TRY(own, bgp::IpAsnSource::open(tables.rib_path, so));
        source = &*own;
    }
    const scan::AddressMapper mapper(*source,
                                     scan::org_namer(tables.orgs ? &*tables.orgs : nullptr),
                                     tables.vrps.get(), tables.geo ? &*tables.geo : nullptr);
    scan::ScanSettings settings;
    settings.resolver = config;
    settings.repair = config.repair;
    dns::SteadyClock clock;
    bool v4 = false;
    bool v6 = false;
    for (const auto& u : config.upstreams) {
        (u.endpoint.address.is_v4() ? v4 : v6) = true;
    }
    DG_TRY(auto transport, dns::UdpTransport::create(dns::kDefaultSockets, v4, v6, clock));
    scan::ScanHooks hooks;
    {
        const std::lock_guard lock(job.mutex);
        job.status.orgs_given = tables.orgs.has_value();
    }
    hooks.on_stored = [this, &job](const model::DomainResult& r) {
        metrics_->domain_stored(r.status);
        const std::lock_guard lock(job.mutex);
        job.status.coverage.add(r);
    };
    hooks.on_progress = [&job](const scan::ScanProgress& p) {
        const std::lock_guard lock(job.mutex);
        job.status.progress = p;
    };
    auto report = scan::run_scan(store, scan_id, input, mapper, settings, *transport, clock, hooks,
                                 &job.stop);
    if (report) {
        const std::lock_guard lock(job.mutex);
        job.status.progress = report->totals;
    }
    return report;
}

Result<std::vector<std::int64_t>> Jobs::recover(store::Store& store) {
    DG_TRY(const auto scans, store.list_scans());
    std::vector<std::int64_t> resumable;
    for (const auto& s : scans) {
        if (!is_server_scan(s)) {
            continue;
        }
        if (s.status == model::ScanStatus::Running) {
            DG_TRY_VOID(store.set_scan_status(s.id, model::ScanStatus::Interrupted, now()));
            resumable.push_back(s.id);
        } else if (s.status == model::ScanStatus::Interrupted) {
            resumable.push_back(s.id);
        }
    }
    return resumable;
}

} // namespace dg::server
