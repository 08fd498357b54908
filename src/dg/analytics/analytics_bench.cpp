// Throughput measurement (not a test): analytics_bench URL [N]
// Writes one scan of N synthetic domains (default 100,000; ASes drawn Zipf-like from 3,000, 1,000
// shared name-server providers, 2 A + 1 AAAA + 2 NS + 1 MX per domain) into the store at URL,
// then times scan_stats, cluster (by asn and by ns) and the export of
// every export format (files under /tmp, removed afterwards).
#include "dg/analytics/analytics.hpp"
#include "dg/export/export.hpp"
#include "dg/store/store.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

namespace {

using dg::model::DomainResult;
using dg::model::IpMapping;

IpMapping mapping(std::uint32_t host, std::uint32_t asn) {
    IpMapping m;
    m.ip = dg::IpAddress::v4(host);
    m.prefix = dg::Prefix(dg::IpAddress::v4(host & 0xffffff00u), 24);
    m.asn = dg::Asn(asn);
    m.origins = {dg::Asn(asn)};
    m.org = "Org " + std::to_string(asn / 3);
    return m;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: analytics_bench URL [N]\n");
        return 2;
    }
    const std::string url = argv[1];
    const long n = argc > 2 ? std::atol(argv[2]) : 100000;
    auto store = dg::store::Store::open(url);
    if (!store) {
        std::fprintf(stderr, "%s\n", store.error().to_string().c_str());
        return 1;
    }
    auto& s = **store;
    dg::store::NewScan ns;
    ns.domains_total = static_cast<std::uint64_t>(n);
    auto scan = s.create_scan(ns);
    if (!scan) {
        return 1;
    }
    std::mt19937 rng(42);
    // Zipf-like AS choice: index = floor(3000 * u^3)
    std::uniform_real_distribution<double> u(0.0, 1.0);
    auto pick_asn = [&] { return 64512u + static_cast<std::uint32_t>(3000 * std::pow(u(rng), 3)); };
    auto t0 = std::chrono::steady_clock::now();
    std::vector<DomainResult> batch;
    for (long i = 0; i < n; ++i) {
        DomainResult r;
        r.domain = "d" + std::to_string(i) + ".example";
        r.status = "NOERROR";
        const std::uint32_t asn = pick_asn();
        const auto host =
            static_cast<std::uint32_t>(0x0a000000u + static_cast<std::uint32_t>(i) * 4u);
        r.a = {mapping(host, asn), mapping(host + 1, asn)};
        IpMapping v6;
        char v6text[32];
        std::snprintf(v6text, sizeof v6text, "2001:db8::%lx",
                      static_cast<unsigned long>(i % 65536));
        v6.ip = *dg::IpAddress::parse(v6text);
        r.aaaa = {v6};
        const auto provider = static_cast<std::uint32_t>(rng() % 1000);
        const std::uint32_t ns_asn = 65000u + provider % 200;
        r.ns = {{"ns1.provider" + std::to_string(provider) + ".example",
                 {},
                 {mapping(0x0b000000u + provider * 256u + 1u, ns_asn)}},
                {"ns2.provider" + std::to_string(provider) + ".example",
                 {},
                 {mapping(0x0b000000u + provider * 256u + 2u,
                          provider % 3 == 0 ? ns_asn : ns_asn + 1)}}};
        r.mx = {{10,
                 "mx.provider" + std::to_string(provider % 50) + ".example",
                 {},
                 {mapping(0x0c000000u + (provider % 50), 65300u + provider % 50)}}};
        batch.push_back(std::move(r));
        if (batch.size() == 2000) {
            if (!s.write_results(scan->id, batch)) {
                return 1;
            }
            batch.clear();
        }
    }
    if (!batch.empty() && !s.write_results(scan->id, batch)) {
        return 1;
    }
    (void)s.set_scan_status(scan->id, dg::model::ScanStatus::Complete);
    std::printf("write %ld domains: %.2f s (scan %lld)\n", n, seconds_since(t0),
                static_cast<long long>(scan->id));

    t0 = std::chrono::steady_clock::now();
    std::uint64_t count = 0;
    (void)s.results(scan->id, {}, [&](const dg::store::StoredResult&) { return ++count > 0; });
    std::printf("stream results only: %.2f s\n", seconds_since(t0));
    t0 = std::chrono::steady_clock::now();
    auto stats = dg::analytics::scan_stats(s, scan->id);
    std::printf("scan_stats: %.2f s (%llu ASes, %llu mappings, %zu SPOFs)\n", seconds_since(t0),
                static_cast<unsigned long long>(stats->unique_asns),
                static_cast<unsigned long long>(stats->ip_mappings),
                stats->single_points_of_failure.size());
    for (auto by : {dg::analytics::ClusterBy::Asn, dg::analytics::ClusterBy::Ns}) {
        t0 = std::chrono::steady_clock::now();
        dg::analytics::ClusterOptions co;
        co.by = by;
        auto c = dg::analytics::cluster_scan(s, scan->id, co);
        std::printf("cluster --by %s: %.2f s (%zu clusters)\n",
                    by == dg::analytics::ClusterBy::Asn ? "asn" : "ns", seconds_since(t0),
                    c->size());
    }
    for (auto f :
         {dg::exports::Format::Jsonl, dg::exports::Format::Json, dg::exports::Format::Csv,
          dg::exports::Format::Parquet, dg::exports::Format::Gexf, dg::exports::Format::Graphml}) {
        dg::exports::ExportRequest req;
        req.scan_id = scan->id;
        req.format = f;
        req.output = std::string("/tmp/analytics_bench_export.") + dg::exports::format_name(f);
        t0 = std::chrono::steady_clock::now();
        auto e = dg::exports::export_scan(s, req);
        if (!e) {
            std::fprintf(stderr, "%s\n", e.error().to_string().c_str());
            return 1;
        }
        std::printf("export %s: %.2f s (%llu rows, %.1f MB)\n", dg::exports::format_name(f),
                    seconds_since(t0), static_cast<unsigned long long>(e->rows),
                    static_cast<double>(e->bytes) / 1e6);
        std::remove(req.output.c_str());
    }
    return 0;
}
