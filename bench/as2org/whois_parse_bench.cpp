// Parse speed of dg::org::whois::Reader: decompressed MB/s per file (best of N rounds, one core),
// objects and attributes counted so that nothing is optimised away; then, with --infer, the whole
// inference over all the files (time and peak RSS).
// Usage: whois_parse_bench [--rounds N] [--infer] FILE...
#include "dg/org/infer.hpp"
#include "dg/org/whois_reader.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/resource.h>
#include <vector>

int main(int argc, char** argv) {
    int rounds = 3;
    bool infer = false;
    std::vector<std::string> files;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
            rounds = std::atoi(argv[++i]);
        } else if (std::strcmp(argv[i], "--infer") == 0) {
            infer = true;
        } else {
            files.emplace_back(argv[i]);
        }
    }
    using Clock = std::chrono::steady_clock;
    double total_bytes = 0;
    double total_best = 0;
    for (const std::string& f : rounds > 0 ? files : std::vector<std::string>{}) {
        double best = 1e30;
        std::uint64_t bytes = 0;
        std::uint64_t objects = 0;
        std::uint64_t attributes = 0;
        for (int r = 0; r < rounds; ++r) {
            auto reader = dg::org::whois::Reader::open(f);
            if (!reader) {
                std::fprintf(stderr, "%s\n", reader.error().to_string().c_str());
                return 1;
            }
            objects = 0;
            attributes = 0;
            const auto t0 = Clock::now();
            while (true) {
                auto next = reader->next();
                if (!next) {
                    std::fprintf(stderr, "%s\n", next.error().to_string().c_str());
                    return 1;
                }
                if (*next == nullptr) {
                    break;
                }
                ++objects;
                attributes += (*next)->attributes.size();
            }
            const double s = std::chrono::duration<double>(Clock::now() - t0).count();
            best = std::min(best, s);
            bytes = reader->report().bytes;
        }
        std::printf("parse\t%s\t%llu objects\t%llu attributes\t%.1f MB\t%.4f s\t%.0f MB/s\n",
                    f.c_str(), static_cast<unsigned long long>(objects),
                    static_cast<unsigned long long>(attributes), static_cast<double>(bytes) / 1e6,
                    best, static_cast<double>(bytes) / 1e6 / best);
        total_bytes += static_cast<double>(bytes);
        total_best += best;
    }
    if (rounds > 0 && !files.empty()) {
        std::printf("parse\tall\t%.1f MB\t%.3f s\t%.0f MB/s\n", total_bytes / 1e6, total_best,
                    total_bytes / 1e6 / total_best);
    }
    if (infer) {
        const auto t0 = Clock::now();
        dg::org::Inference inf({});
        for (const std::string& f : files) {
            auto r = inf.add_file(f);
            if (!r) {
                std::fprintf(stderr, "%s\n", r.error().to_string().c_str());
                return 1;
            }
        }
        const auto t1 = Clock::now();
        auto r = inf.run();
        if (!r) {
            std::fprintf(stderr, "%s\n", r.error().to_string().c_str());
            return 1;
        }
        const auto t2 = Clock::now();
        rusage ru{};
        getrusage(RUSAGE_SELF, &ru);
        std::printf("infer\t%llu ASes\t%llu families\tread %.2f s\tpipeline %.2f s\ttotal %.2f s\t"
                    "peak RSS %.0f MB\n",
                    static_cast<unsigned long long>(inf.report().ases),
                    static_cast<unsigned long long>(inf.report().families),
                    std::chrono::duration<double>(t1 - t0).count(),
                    std::chrono::duration<double>(t2 - t1).count(),
                    std::chrono::duration<double>(t2 - t0).count(),
                    static_cast<double>(ru.ru_maxrss) / 1024.0);
    }
    return 0;
}
