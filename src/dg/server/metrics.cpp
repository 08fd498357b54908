#include "dg/server/metrics.hpp"

#include <cstdio>
#include <functional>
#include <optional>

namespace dg::server {
namespace {

std::string number(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

void header(std::string& out, const char* name, const char* type, const char* help) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

} // namespace

std::string escape_label(const std::string& value) {
    std::string out;
    out.reserve(value.size());
    for (const char c : value) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '"') {
            out += "\\\"";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

void Metrics::request(const std::string& route, const std::string& method, int status,
                      double seconds) {
    const std::lock_guard lock(mutex_);
    ++requests_[{route, method, status}];
    Latency& l = latency_[route];
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
        if (seconds <= kBuckets[i]) {
            ++l.buckets[i];
        }
    }
    ++l.count;
    l.sum += seconds;
}

void Metrics::domain_stored(const std::string& dns_status) {
    const std::lock_guard lock(mutex_);
    ++stored_;
    ++statuses_[dns_status];
}

void Metrics::dns_queries(std::uint64_t n) {
    const std::lock_guard lock(mutex_);
    queries_ += n;
}

void Metrics::scan_finished(const std::string& outcome) {
    const std::lock_guard lock(mutex_);
    ++scans_finished_[outcome];
}

void Metrics::resolver_health(const std::string& endpoint, double error_rate, bool benched) {
    const std::lock_guard lock(mutex_);
    resolvers_[endpoint] = Health{error_rate, benched};
}

std::string
Metrics::render(const std::map<std::string, std::pair<std::string, double>>& gauges) const {
    std::string out;
    for (const auto& [name, g] : gauges) {
        header(out, name.c_str(), "gauge", g.first.c_str());
        out += name + ' ' + number(g.second) + '\n';
    }
    const std::lock_guard lock(mutex_);
    header(out, "domaingraph_http_requests_total", "counter", "HTTP requests answered");
    for (const auto& [key, n] : requests_) {
        const auto& [route, method, status] = key;
        out += "domaingraph_http_requests_total{route=\"" + escape_label(route) + "\",method=\"" +
               escape_label(method) + "\",status=\"" + std::to_string(status) + "\"} " +
               std::to_string(n) + '\n';
    }
    header(out, "domaingraph_http_request_duration_seconds", "histogram",
           "Time to answer a request, by route");
    for (const auto& [route, l] : latency_) {
        const std::string r = escape_label(route);
        for (std::size_t i = 0; i < kBuckets.size(); ++i) {
            out += "domaingraph_http_request_duration_seconds_bucket{route=\"" + r + "\",le=\"" +
                   number(kBuckets[i]) + "\"} " + std::to_string(l.buckets[i]) + '\n';
        }
        out += "domaingraph_http_request_duration_seconds_bucket{route=\"" + r +
               "\",le=\"+Inf\"} " + std::to_string(l.count) + '\n';
        out += "domaingraph_http_request_duration_seconds_sum{route=\"" + r + "\"} " +
               number(l.sum) + '\n';
        out += "domaingraph_http_request_duration_seconds_count{route=\"" + r + "\"} " +
               std::to_string(l.count) + '\n';
    }
    header(out, "domaingraph_domains_resolved_total", "counter",
           "Domain results stored by scans of this server");
    out += "domaingraph_domains_resolved_total " + std::to_string(stored_) + '\n';
    header(out, "domaingraph_dns_status_total", "counter", "Domain results stored, by DNS status");
    for (const auto& [status, n] : statuses_) {
        out += "domaingraph_dns_status_total{status=\"" + escape_label(status) + "\"} " +
               std::to_string(n) + '\n';
    }
    header(out, "domaingraph_dns_queries_total", "counter", "DNS queries sent by scans");
    out += "domaingraph_dns_queries_total " + std::to_string(queries_) + '\n';
    header(out, "domaingraph_scans_finished_total", "counter",
           "Scan jobs ended, by outcome (complete, interrupted, failed)");
    for (const auto& [outcome, n] : scans_finished_) {
        out += "domaingraph_scans_finished_total{outcome=\"" + escape_label(outcome) + "\"} " +
               std::to_string(n) + '\n';
    }
    header(out, "domaingraph_resolver_error_rate", "gauge",
           "Share of failed queries per upstream in the last scan that used it");
    for (const auto& [endpoint, h] : resolvers_) {
        out += "domaingraph_resolver_error_rate{resolver=\"" + escape_label(endpoint) + "\"} " +
               number(h.error_rate) + '\n';
    }
    header(out, "domaingraph_resolver_benched", "gauge",
           "1 when the last scan benched the upstream for its error rate");
    for (const auto& [endpoint, h] : resolvers_) {
        out += "domaingraph_resolver_benched{resolver=\"" + escape_label(endpoint) + "\"} " +
               (h.benched ? "1" : "0") + '\n';
    }
    return out;
}

std::string render_distributed(const std::vector<shards::Progress>& scans) {
    std::string out;
    auto family = [&](const char* name, const char* help,
                      const std::function<void(const shards::Progress&, const std::string&)>& f) {
        header(out, name, "gauge", help);
        for (const shards::Progress& p : scans) {
            f(p, "scan_id=\"" + std::to_string(p.scan_id) + '"');
        }
    };
    auto line = [&](const char* name, const std::string& labels, double v) {
        out += std::string(name) + '{' + labels + "} " + number(v) + '\n';
    };
    family("domaingraph_distributed_shards", "Shards of a running distributed scan, by state",
           [&](const shards::Progress& p, const std::string& l) {
               const std::pair<const char*, std::uint64_t> states[] = {{"pending", p.pending},
                                                                       {"leased", p.leased},
                                                                       {"done", p.done},
                                                                       {"failed", p.failed}};
               for (const auto& [state, n] : states) {
                   line("domaingraph_distributed_shards", l + ",state=\"" + state + '"',
                        static_cast<double>(n));
               }
           });
    // one value per scan (ETA only while there is a rate to extrapolate)
    using Value = std::function<std::optional<double>(const shards::Progress&)>;
    const std::pair<const char*, std::pair<const char*, Value>> scalars[] = {
        {"domaingraph_distributed_names_total",
         {"Distinct valid names of the scan",
          [](const shards::Progress& p) { return static_cast<double>(p.names_total); }}},
        {"domaingraph_distributed_names_done",
         {"Names stored (done shards and leased progress)",
          [](const shards::Progress& p) { return static_cast<double>(p.names_done); }}},
        {"domaingraph_distributed_rate_per_second",
         {"Names finished per second, last minute",
          [](const shards::Progress& p) { return p.rate_per_s; }}},
        {"domaingraph_distributed_eta_seconds",
         {"Seconds to the end at the current rate",
          [](const shards::Progress& p) { return p.eta_s; }}},
        {"domaingraph_distributed_retries",
         {"Shard attempts beyond the first",
          [](const shards::Progress& p) { return static_cast<double>(p.retries); }}},
        {"domaingraph_distributed_workers",
         {"Workers registered on the scan",
          [](const shards::Progress& p) { return static_cast<double>(p.workers.size()); }}},
    };
    for (const auto& [name, what] : scalars) {
        const auto& [help, value] = what;
        family(name, help, [&](const shards::Progress& p, const std::string& l) {
            if (const auto v = value(p)) {
                line(name, l, *v);
            }
        });
    }
    family("domaingraph_distributed_worker_heartbeat_age_seconds",
           "Seconds since a worker's last heartbeat (stale beyond its lease)",
           [&](const shards::Progress& p, const std::string& l) {
               for (const shards::WorkerState& w : p.workers) {
                   line("domaingraph_distributed_worker_heartbeat_age_seconds",
                        l + ",worker=\"" + escape_label(w.id) + "\",host=\"" +
                            escape_label(w.host) + '"',
                        w.heartbeat_age_s);
               }
           });
    return out;
}

} // namespace dg::server
