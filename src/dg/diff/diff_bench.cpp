// diff throughput and memory: writes two scans of N generated domains (about 2 % of them changed
// between the scans, plus domains only in one scan); diffs the two newest scans with diff_scans.
//   diff_bench write URL [N=100000]
//   diff_bench diff URL
// Separate processes, so that the peak RSS printed by `diff` is the diff's own: it should not
// grow with N (the merge-join holds neither scan in memory; the sink here only counts).

#include "dg/diff/diff.hpp"
#include "dg/store/store.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/resource.h>
#include <vector>

namespace {

using dg::model::DomainResult;
using dg::model::IpMapping;

IpMapping addr(std::uint32_t v4, std::uint32_t asn) {
    IpMapping m;
    m.ip = dg::IpAddress::v4(v4);
    m.prefix = dg::Prefix(m.ip.masked(24), 24);
    m.asn = dg::Asn(asn);
    m.origins = {dg::Asn(asn)};
    m.ttl = 300;
    return m;
}

DomainResult make(std::uint64_t i, int version) {
    DomainResult r;
    r.domain = "domain" + std::to_string(i) + ".example";
    r.status = "NOERROR";
    const auto base = static_cast<std::uint32_t>(0x0A000000U + i * 4);
    const auto asn = static_cast<std::uint32_t>(64496 + i % 1000);
    r.a = {addr(base, asn), addr(base + 1, asn)};
    const auto ns_base = static_cast<std::uint32_t>(0xC0000200U + (i % 100) * 4);
    r.ns = {{"ns1.provider" + std::to_string(i % 100) + ".net", 86400, {addr(ns_base, 64500)}},
            {"ns2.provider" + std::to_string(i % 100) + ".net", 86400, {addr(ns_base + 1, 64501)}}};
    r.mx = {{10, "mx.mail" + std::to_string(i % 50) + ".net", 3600, {}}};
    if (version == 1 && i % 50 == 7) {
        r.a.front().asn = dg::Asn(16509);
        r.mx.front().preference = 20;
    }
    return r;
}

double peak_rss_mib() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_maxrss) / 1024.0;
}

double since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

int fail(const char* what, const dg::Error& e) {
    std::fprintf(stderr, "diff_bench: %s: %s\n", what, e.to_string().c_str());
    return 1;
}

int write_scans(const std::string& url, std::uint64_t n) {
    auto store = dg::store::Store::open(url);
    if (!store) {
        return fail("open", store.error());
    }
    const auto t0 = std::chrono::steady_clock::now();
    for (int version = 0; version < 2; ++version) {
        auto scan = (*store)->create_scan({});
        if (!scan) {
            return fail("create_scan", scan.error());
        }
        std::vector<DomainResult> batch;
        // Scan 0 holds [0, n), scan 1 holds [n/100, n + n/100): 1 % only in each.
        const std::uint64_t from = version == 0 ? 0 : n / 100;
        for (std::uint64_t i = from; i < from + n; ++i) {
            batch.push_back(make(i, version));
            if (batch.size() == 2000 || i + 1 == from + n) {
                if (auto w = (*store)->write_results(scan->id, batch); !w) {
                    return fail("write_results", w.error());
                }
                batch.clear();
            }
        }
    }
    std::printf("backend %s: wrote 2 scans of %llu domains in %.2f s\n", (*store)->backend(),
                static_cast<unsigned long long>(n), since(t0));
    return 0;
}

int diff_newest(const std::string& url) {
    auto store = dg::store::Store::open(url);
    auto reader = dg::store::Store::open(url);
    if (!store || !reader) {
        return fail("open", store ? reader.error() : store.error());
    }
    auto scans = (*store)->list_scans();
    if (!scans || scans->size() < 2) {
        std::fprintf(stderr, "diff_bench: run 'diff_bench write URL' first\n");
        return 1;
    }
    const std::int64_t a = (*scans)[scans->size() - 2].id;
    const std::int64_t b = scans->back().id;
    const double rss_open = peak_rss_mib();
    const auto t0 = std::chrono::steady_clock::now();
    std::uint64_t changes = 0;
    dg::diff::DiffSink sink;
    sink.change = [&](const dg::model::Change&) {
        ++changes;
        return true;
    };
    auto summary = dg::diff::diff_scans(**reader, **store, a, b, sink);
    if (!summary) {
        return fail("diff_scans", summary.error());
    }
    const double s = since(t0);
    std::printf("backend %s: diff %lld %lld: %llu + %llu domains in %.2f s = %.0f domains/s (of "
                "scan B); %llu changes in %llu domains, %llu only in A, %llu only in B\n",
                (*store)->backend(), static_cast<long long>(a), static_cast<long long>(b),
                static_cast<unsigned long long>(summary->domains_a),
                static_cast<unsigned long long>(summary->domains_b), s,
                static_cast<double>(summary->domains_b) / s,
                static_cast<unsigned long long>(changes),
                static_cast<unsigned long long>(summary->domains_changed),
                static_cast<unsigned long long>(summary->domains_only_in_a),
                static_cast<unsigned long long>(summary->domains_only_in_b));
    std::printf("peak RSS: %.1f MiB after opening, %.1f MiB after the diff\n", rss_open,
                peak_rss_mib());
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (argc >= 3 && mode == "write") {
        return write_scans(argv[2], argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 100000);
    }
    if (argc == 3 && mode == "diff") {
        return diff_newest(argv[2]);
    }
    std::fprintf(stderr, "usage: diff_bench write URL [N] | diff_bench diff URL\n");
    return 2;
}
