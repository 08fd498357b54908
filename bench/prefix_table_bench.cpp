// Google Benchmark: prefix table longest-prefix match and cache load, on the full-size real
// prefix sets of ../shared/data/ipasn (512,621 IPv4 prefixes of 2014; the IPv6 table of 2015).
//   prefix_table_bench [--benchmark_filter=...]
// Items/s of the Lookup* benchmarks are lookups per second on one thread.
#include "dg/bgp/table_sources.hpp"

#include <benchmark/benchmark.h>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

std::string shared_dir() {
    const char* env = std::getenv("DG_SHARED_DIR");
    return env != nullptr ? env : DG_SHARED_DIR;
}

const dg::bgp::PrefixTable& table(bool v6) {
    static dg::bgp::PrefixTable tables[2];
    static bool loaded[2] = {false, false};
    const std::size_t i = v6 ? 1 : 0;
    if (!loaded[i]) {
        const std::string path = shared_dir() + (v6 ? "/data/ipasn/ipasn6_20151101.dat.gz"
                                                    : "/data/ipasn/ipasn_20140513.dat.gz");
        auto src = dg::io::open(path);
        if (!src) {
            std::fprintf(stderr, "cannot open %s\n", path.c_str());
            std::exit(1);
        }
        dg::bgp::SourceReport report;
        auto t = dg::bgp::read_pyasn_dat(**src, {}, report);
        if (!t) {
            std::exit(1);
        }
        tables[i] = std::move(*t);
        loaded[i] = true;
    }
    return tables[i];
}

constexpr std::size_t kProbes = 1U << 20;

void BM_LookupV4Random(benchmark::State& state) {
    const auto& t = table(false);
    std::mt19937 rng(1);
    std::vector<std::uint32_t> probes(kProbes);
    for (auto& p : probes) {
        p = static_cast<std::uint32_t>(rng());
    }
    std::size_t i = 0;
    std::uint32_t sink = 0;
    for (auto _ : state) {
        sink += t.find_v4(probes[i++ & (kProbes - 1)]);
    }
    benchmark::DoNotOptimize(sink);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.counters["prefixes"] = static_cast<double>(t.ipv4_count());
}
BENCHMARK(BM_LookupV4Random);

void BM_LookupV4Routed(benchmark::State& state) {
    const auto& t = table(false);
    std::mt19937 rng(2);
    std::vector<std::uint32_t> probes(kProbes);
    for (auto& p : probes) {
        const auto idx = rng() % t.ipv4_count();
        const auto prefix = t.prefix(idx);
        const std::uint32_t host =
            prefix.length() == 32
                ? 0U
                : (static_cast<std::uint32_t>(rng()) & (0xFFFFFFFFU >> prefix.length()));
        p = prefix.network().v4_value() | host;
    }
    std::size_t i = 0;
    std::uint32_t sink = 0;
    for (auto _ : state) {
        sink += t.find_v4(probes[i++ & (kProbes - 1)]);
    }
    benchmark::DoNotOptimize(sink);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_LookupV4Routed);

void BM_LookupV6Random(benchmark::State& state) {
    const auto& t = table(true);
    std::mt19937_64 rng(3);
    std::vector<std::pair<std::uint64_t, std::uint64_t>> probes(kProbes);
    for (auto& p : probes) {
        p = {(rng() >> 3U) | (std::uint64_t{1} << 61U), rng()}; // 2000::/3
    }
    std::size_t i = 0;
    std::uint32_t sink = 0;
    for (auto _ : state) {
        const auto& p = probes[i++ & (kProbes - 1)];
        sink += t.find_v6(p.first, p.second);
    }
    benchmark::DoNotOptimize(sink);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.counters["prefixes"] = static_cast<double>(t.ipv6_count());
}
BENCHMARK(BM_LookupV6Random);

void BM_LookupV6Routed(benchmark::State& state) {
    const auto& t = table(true);
    std::mt19937_64 rng(4);
    std::vector<std::pair<std::uint64_t, std::uint64_t>> probes(kProbes);
    for (auto& p : probes) {
        const auto idx = t.ipv4_count() + rng() % t.ipv6_count();
        const auto net = t.prefix(idx).network();
        const int len = t.prefix(idx).length();
        std::uint64_t hi = net.v6_high();
        std::uint64_t lo = net.v6_low();
        const std::uint64_t r1 = rng();
        const std::uint64_t r2 = rng();
        if (len < 64) {
            hi |= r1 & (~std::uint64_t{0} >> static_cast<unsigned>(len));
            lo = r2;
        } else if (len < 128) {
            lo |= r2 & (~std::uint64_t{0} >> static_cast<unsigned>(len - 64));
        }
        p = {hi, lo};
    }
    std::size_t i = 0;
    std::uint32_t sink = 0;
    for (auto _ : state) {
        const auto& p = probes[i++ & (kProbes - 1)];
        sink += t.find_v6(p.first, p.second);
    }
    benchmark::DoNotOptimize(sink);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_LookupV6Routed);

// The full API: IpAddress in, Route (Prefix + origins) out.
void BM_LookupIpAddressApi(benchmark::State& state) {
    const auto& t = table(false);
    std::mt19937 rng(5);
    std::vector<dg::IpAddress> probes(1U << 16);
    for (auto& p : probes) {
        p = dg::IpAddress::v4(static_cast<std::uint32_t>(rng()));
    }
    std::size_t i = 0;
    for (auto _ : state) {
        auto r = t.lookup(probes[i++ & 0xFFFFU]);
        benchmark::DoNotOptimize(r);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_LookupIpAddressApi);

// Cache load: mmap + validation (header, body checksum, bounds) of the v4+v6 full table.
void BM_CacheLoad(benchmark::State& state) {
    dg::bgp::PrefixTableBuilder b;
    for (const bool v6 : {false, true}) {
        const auto& t = table(v6);
        for (std::size_t i = 0; i < t.size(); ++i) {
            for (const auto& o : t.origins(i)) {
                b.add_origin(t.prefix(i), o.asn, o.as_set());
            }
        }
    }
    const auto both = b.build();
    const std::string path = (std::filesystem::temp_directory_path() /
                              ("dg-bench-" + std::to_string(getpid()) + ".dgpt"))
                                 .string();
    if (!both.save(path, "bench")) {
        state.SkipWithError("cannot write cache file");
        return;
    }
    for (auto _ : state) {
        auto loaded = dg::bgp::PrefixTable::load(path, "bench");
        if (!loaded) {
            state.SkipWithError("load failed");
            break;
        }
        benchmark::DoNotOptimize(loaded->size());
    }
    state.counters["file_MB"] =
        static_cast<double>(std::filesystem::file_size(path)) / (1024.0 * 1024.0);
    std::filesystem::remove(path);
}
BENCHMARK(BM_CacheLoad)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
