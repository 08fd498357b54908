// Load time, memory and lookup rate of dg::org::OrgTable on a CAIDA-sized as2org file.
// Usage: as2org_load [FILE]   (without FILE: writes a synthetic file of CAIDA's 2024 size,
// ~120,000 organisations and ~115,000 ASes, text format, into /tmp and reads that).
#include "dg/org/org_table.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <sys/resource.h>

namespace {

std::string synthetic(std::size_t orgs, std::size_t ases) {
    const std::string path = "/tmp/as2org_load_bench.as-org2info.txt";
    std::ofstream out(path);
    out << "# name: AS Org\n# format:org_id|changed|org_name|country|source\n";
    for (std::size_t i = 0; i < orgs; ++i) {
        out << "ORG-" << i << "-RIPE|20240101|Example Organisation Number " << i << " Ltd.|"
            << (i % 2 == 0 ? "DE" : "US") << '|' << (i % 3 == 0 ? "ARIN" : "RIPE") << '\n';
    }
    out << "# format:aut|changed|aut_name|org_id|opaque_id|source\n";
    for (std::size_t i = 0; i < ases; ++i) {
        out << (i < 60000 ? i + 1 : 131072 + i) << "|20240101|EXAMPLE-AS-" << i << "|ORG-"
            << (i * 7919) % orgs << "-RIPE|" << std::hex << i * 2654435761U << std::dec
            << "_RIPE|RIPE\n";
    }
    return path;
}

long peak_rss_kib() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

} // namespace

int main(int argc, char** argv) {
    const long base_rss = peak_rss_kib();
    const std::string path = argc > 1 ? argv[1] : synthetic(120'000, 115'000);
    const long after_gen = peak_rss_kib();
    const auto t0 = std::chrono::steady_clock::now();
    auto table = dg::org::OrgTable::load(path);
    const auto t1 = std::chrono::steady_clock::now();
    if (!table) {
        std::fprintf(stderr, "%s\n", table.error().to_string().c_str());
        return 1;
    }
    std::size_t found = 0;
    const std::uint32_t kLookups = 2'000'000;
    for (std::uint32_t i = 0; i < kLookups; ++i) {
        if (table->org_of(dg::Asn{(i * 2654435761U) % 250000}) != nullptr) {
            ++found;
        }
    }
    const auto t2 = std::chrono::steady_clock::now();
    const double load_s = std::chrono::duration<double>(t1 - t0).count();
    const double lookup_s = std::chrono::duration<double>(t2 - t1).count();
    std::printf("file %s\norganisations %zu ases %zu skipped %llu\n", path.c_str(),
                table->organisation_count(), table->as_count(),
                static_cast<unsigned long long>(table->report().skipped));
    std::printf("load %.3f s, org_of %.1f M lookups/s (%zu found)\n", load_s,
                kLookups / lookup_s / 1e6, found);
    std::printf("peak RSS %ld KiB (before load %ld KiB, process start %ld KiB)\n", peak_rss_kib(),
                after_gen, base_rss);
    return 0;
}
