#pragma once
// Prometheus text exposition (version 0.0.4) of the server's counters: requests and latencies by
// route, scans, domains stored, DNS statuses, resolver health.

#include "dg/shards/shards.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace dg::server {

class Metrics {
public:
    /// One answered request; `route` is the route pattern's name ("/api/v1/scans/{id}").
    void request(const std::string& route, const std::string& method, int status, double seconds);
    void domain_stored(const std::string& dns_status);
    void dns_queries(std::uint64_t n);
    void scan_finished(const std::string& outcome);
    /// Error rate and benched state of one upstream, as the last scan that used it saw them.
    void resolver_health(const std::string& endpoint, double error_rate, bool benched);

    /// The whole exposition; `gauges` are name -> (help, value) lines added as gauges.
    [[nodiscard]] std::string
    render(const std::map<std::string, std::pair<std::string, double>>& gauges) const;

    static constexpr std::array<double, 11> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                        0.1,   0.25,   0.5,   1.0,  2.5};

private:
    struct Latency {
        std::array<std::uint64_t, kBuckets.size()> buckets{};
        std::uint64_t count = 0;
        double sum = 0;
    };
    struct Health {
        double error_rate = 0;
        bool benched = false;
    };
    mutable std::mutex mutex_;
    std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_;
    std::map<std::string, Latency> latency_;
    std::map<std::string, std::uint64_t> statuses_;
    std::map<std::string, std::uint64_t> scans_finished_;
    std::map<std::string, Health> resolvers_;
    std::uint64_t stored_ = 0;
    std::uint64_t queries_ = 0;
};

/// Gauges of the running distributed scans (issue 17): shards by state, names done and total,
/// rate over the last minute, ETA, retries, workers and each worker's heartbeat age, labelled by
/// scan_id (and state, worker, host).
std::string render_distributed(const std::vector<shards::Progress>& scans);

/// A label value escaped for the exposition format (\\, \", \n).
std::string escape_label(const std::string& value);

} // namespace dg::server
