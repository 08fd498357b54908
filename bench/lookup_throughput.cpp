// Lookups per second on one thread over a prefix table built from any source (MRT, pyasn .dat,
// prefix2as, cache), on uniformly random addresses (IPv4: the whole space; IPv6: 2000::/3), the
// same distribution as bench/routing/pyasn_lookups.py.
//
// usage: lookup_throughput SOURCE v4|v6 COUNT SEED   -> prints lookups per second
//        lookup_throughput SOURCE load 0 SEED        -> prints the cache file's load time in ms
#include "dg/bgp/table_sources.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 5) {
        std::fputs("usage: lookup_throughput SOURCE v4|v6|load COUNT SEED\n", stderr);
        return 2;
    }
    const std::string mode = argv[2];
    const auto count = std::strtoull(argv[3], nullptr, 10);
    dg::bgp::SourceOptions options;
    options.show_progress = false;
    auto source = dg::bgp::IpAsnSource::open(argv[1], options);
    if (!source || source->table() == nullptr) {
        std::fprintf(stderr, "cannot load %s\n", argv[1]);
        return 1;
    }
    const dg::bgp::PrefixTable& table = *source->table();
    if (mode == "load") {
        const std::string cache = source->report().cache_path;
        if (cache.empty()) {
            return 0;
        }
        const auto start = std::chrono::steady_clock::now();
        auto loaded = dg::bgp::PrefixTable::load(cache);
        const double ms = seconds_since(start) * 1000;
        if (!loaded) {
            return 1;
        }
        std::printf("%.2f\n", ms);
        return 0;
    }
    std::mt19937_64 rng(std::strtoull(argv[4], nullptr, 10));
    std::uint64_t found = 0;
    double elapsed = 0;
    if (mode == "v4") {
        std::vector<std::uint32_t> addresses(count);
        for (auto& a : addresses) {
            a = static_cast<std::uint32_t>(rng());
        }
        const auto start = std::chrono::steady_clock::now();
        for (const auto a : addresses) {
            found += table.find_v4(a) != dg::bgp::PrefixTable::kNotFound ? 1U : 0U;
        }
        elapsed = seconds_since(start);
    } else {
        std::vector<std::pair<std::uint64_t, std::uint64_t>> addresses(count);
        for (auto& a : addresses) {
            a = {(rng() >> 3) | (std::uint64_t{1} << 61), rng()};
        }
        const auto start = std::chrono::steady_clock::now();
        for (const auto& [high, low] : addresses) {
            found += table.find_v6(high, low) != dg::bgp::PrefixTable::kNotFound ? 1U : 0U;
        }
        elapsed = seconds_since(start);
    }
    std::printf("%.0f\n", static_cast<double>(count) / elapsed);
    std::fprintf(stderr, "%llu of %llu routed\n", static_cast<unsigned long long>(found),
                 static_cast<unsigned long long>(count));
    return 0;
}
