// Where the time of a table build goes, phase by phase, in one process (no process start-up):
//   mrt_phases FILE [RUNS]
// Prints the best of RUNS (default 10) wall times of: decompressing the file (read-ahead
// source), decoding every MRT record, and the whole table build (build_from_mrt).
#include "dg/bgp/mrt_reader.hpp"
#include "dg/bgp/table_sources.hpp"
#include "dg/core/byte_source.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace {

double best_ms(int runs, const std::function<void()>& work) {
    double best = std::numeric_limits<double>::max();
    for (int i = 0; i < runs; ++i) {
        const auto start = std::chrono::steady_clock::now();
        work();
        const std::chrono::duration<double, std::milli> took =
            std::chrono::steady_clock::now() - start;
        best = std::min(best, took.count());
    }
    return best;
}

void fail(const std::string& what) {
    std::fprintf(stderr, "mrt_phases: %s\n", what.c_str());
    std::exit(1);
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: mrt_phases FILE [RUNS]\n");
        return 2;
    }
    const std::string path = argv[1];
    const int runs = argc > 2 ? std::atoi(argv[2]) : 10;
    std::uint64_t sink = 0;
    const double inflate = best_ms(runs, [&] {
        auto src = dg::io::open(path);
        if (!src) {
            fail(src.error().to_string());
        }
        std::vector<std::uint8_t> buf(1U << 16);
        while (true) {
            auto n = (*src)->read(buf);
            if (!n || *n == 0) {
                break;
            }
            sink += *n;
        }
    });
    const double decode = best_ms(runs, [&] {
        auto reader = dg::bgp::MrtReader::open(path, dg::bgp::MrtReader::Options{false});
        if (!reader) {
            fail(reader.error().to_string());
        }
        while (const auto* rec = reader->next()) {
            sink += rec->rib_entries.size();
        }
    });
    dg::bgp::SourceOptions options;
    options.use_cache = false;
    options.show_progress = false;
    const double build = best_ms(runs, [&] {
        dg::bgp::SourceReport report;
        auto table = dg::bgp::build_from_mrt(path, options, report);
        if (!table) {
            fail(table.error().to_string());
        }
        sink += report.rib_records;
    });
    std::printf("decompress %.1f ms\ndecode     %.1f ms (incl. decompress on its thread)\n"
                "build      %.1f ms (decode + table)\n",
                inflate, decode, build);
    return sink == 0 ? 1 : 0;
}
