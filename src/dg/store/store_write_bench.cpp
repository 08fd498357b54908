// Store throughput: writes N generated scan results in batches, then reads them back.
//   store_write_bench URL [N=100000] [BATCH=1000]
// Each result has 2 A, 1 AAAA, 2 NS hosts with 2 addresses each and 1 MX host with 1 address
// (a typical domain: 15 dns_records rows and 8 ip_mappings rows).

#include "dg/store/store.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/resource.h>

namespace {

using dg::model::DomainResult;
using dg::model::IpMapping;

IpMapping addr(std::uint32_t v4, std::uint32_t asn) {
    IpMapping m;
    m.ip = dg::IpAddress::v4(v4);
    m.prefix = dg::Prefix(m.ip.masked(24), 24);
    m.asn = dg::Asn(asn);
    m.origins = {dg::Asn(asn)};
    m.org = "Example Org " + std::to_string(asn);
    m.ttl = 300;
    return m;
}

DomainResult make(std::uint64_t i) {
    DomainResult r;
    r.domain = "domain" + std::to_string(i) + ".example";
    r.status = "NOERROR";
    const auto base = static_cast<std::uint32_t>(0x0A000000U + i * 4);
    const auto asn = static_cast<std::uint32_t>(64496 + i % 1000);
    r.a = {addr(base, asn), addr(base + 1, asn)};
    IpMapping v6;
    char text[48];
    std::snprintf(text, sizeof text, "2001:db8::%llx", static_cast<unsigned long long>(i % 65536));
    v6.ip = *dg::IpAddress::parse(text);
    v6.ttl = 300;
    r.aaaa = {v6};
    const auto ns_base = static_cast<std::uint32_t>(0xC0000200U + (i % 100) * 4);
    r.ns = {{"ns1.provider" + std::to_string(i % 100) + ".net",
             86400,
             {addr(ns_base, 64500), addr(ns_base + 1, 64500)}},
            {"ns2.provider" + std::to_string(i % 100) + ".net",
             86400,
             {addr(ns_base + 2, 64501), addr(ns_base + 3, 64501)}}};
    r.mx = {{10,
             "mx.mail" + std::to_string(i % 50) + ".net",
             3600,
             {addr(static_cast<std::uint32_t>(0xC6336400U + i % 50), 64502)}}};
    return r;
}

/// User + system CPU seconds of this process so far.
double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s URL [N] [BATCH]\n", argv[0]);
        return 2;
    }
    const std::uint64_t n = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 100000;
    const std::uint64_t batch_size = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1000;
    auto store = dg::store::Store::open(argv[1]);
    if (!store) {
        std::fprintf(stderr, "%s\n", store.error().to_string().c_str());
        return 1;
    }
    auto& s = **store;
    auto scan = s.create_scan({});
    if (!scan) {
        std::fprintf(stderr, "%s\n", scan.error().to_string().c_str());
        return 1;
    }
    std::vector<DomainResult> batch;
    double gen = 0;
    double gen_cpu = 0;
    const double cpu0 = cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    for (std::uint64_t i = 0; i < n; i += batch_size) {
        const auto g = std::chrono::steady_clock::now();
        const double gc = cpu_seconds();
        batch.clear();
        for (std::uint64_t j = i; j < std::min(n, i + batch_size); ++j) {
            batch.push_back(make(j));
        }
        gen += seconds_since(g);
        gen_cpu += cpu_seconds() - gc;
        if (auto w = s.write_results(scan->id, batch); !w) {
            std::fprintf(stderr, "%s\n", w.error().to_string().c_str());
            return 1;
        }
    }
    const double write = seconds_since(t0) - gen;
    const double write_cpu = cpu_seconds() - cpu0 - gen_cpu;
    auto t1 = std::chrono::steady_clock::now();
    std::uint64_t done = 0;
    (void)s.done_domains(scan->id, [&](const std::string&) { return ++done != 0; });
    const double done_s = seconds_since(t1);
    t1 = std::chrono::steady_clock::now();
    std::uint64_t read = 0;
    (void)s.results(scan->id, {}, [&](const dg::store::StoredResult&) { return ++read != 0; });
    const double read_s = seconds_since(t1);
    std::printf("backend %s: %llu results in batches of %llu\n", s.backend(),
                static_cast<unsigned long long>(n), static_cast<unsigned long long>(batch_size));
    std::printf("write_results  %.2f s  %.0f domains/s (wall); %.2f CPU s, %.0f domains per CPU "
                "second (this process only)\n",
                write, static_cast<double>(n) / write, write_cpu,
                static_cast<double>(n) / write_cpu);
    std::printf("done_domains   %.2f s  %.0f names/s (%llu)\n", done_s,
                static_cast<double>(done) / done_s, static_cast<unsigned long long>(done));
    std::printf("results (read) %.2f s  %.0f results/s (%llu)\n", read_s,
                static_cast<double>(read) / read_s, static_cast<unsigned long long>(read));
    return 0;
}
