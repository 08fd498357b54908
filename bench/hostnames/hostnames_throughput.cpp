// Names decoded per second on one core, and dictionary load time (issue 14).
//   hostnames_throughput DICT NAMES_FILE [RULES] [--method ginie] [--rounds N]
// NAMES_FILE: one name (or IP<TAB>NAME) per line. The names are decoded round after round
// (at least 2 s of work); JSON Lines output is built too ("+json" line) as `decode` does.
#include "dg/hostnames/decoder.hpp"
#include "dg/hostnames/dictionary.hpp"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <string>
#include <vector>

namespace {
/// CPU time of this thread (s): the machine may be shared, names/s are per CPU-second.
double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
} // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s DICT NAMES [RULES] [--method ginie]\n", argv[0]);
        return 2;
    }
    using Clock = std::chrono::steady_clock;
    dg::hostnames::Method method = dg::hostnames::Method::Default;
    std::string rules_path;
    for (int i = 3; i < argc; ++i) {
        if (std::strcmp(argv[i], "--method") == 0 && i + 1 < argc) {
            method = std::strcmp(argv[++i], "ginie") == 0 ? dg::hostnames::Method::Ginie
                                                          : dg::hostnames::Method::Default;
        } else {
            rules_path = argv[i];
        }
    }
    // load time: the first open may decompress into the cache; measure the mapped reopen
    auto first = dg::hostnames::Dictionary::open(argv[1]);
    if (!first) {
        std::fprintf(stderr, "%s\n", first.error().to_string().c_str());
        return 1;
    }
    double best_load = 1e9;
    for (int i = 0; i < 5; ++i) {
        const auto t0 = Clock::now();
        auto d = dg::hostnames::Dictionary::open(argv[1]);
        const auto t1 = Clock::now(); // wall time: includes mmap and the page faults of checking
        if (!d) {
            return 1;
        }
        best_load = std::min(best_load, std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    const dg::hostnames::Dictionary& dict = *first;
    std::vector<std::string> names;
    std::ifstream in(argv[2]);
    for (std::string line; std::getline(in, line);) {
        const auto t = line.rfind('\t');
        names.push_back(t == std::string::npos ? line : line.substr(t + 1));
    }
    dg::hostnames::Rules rules;
    if (!rules_path.empty()) {
        auto r = dg::hostnames::Rules::load(rules_path);
        if (!r) {
            std::fprintf(stderr, "%s\n", r.error().to_string().c_str());
            return 1;
        }
        rules = std::move(*r);
    }
    dg::hostnames::Decoder dec(dict, rules_path.empty() ? nullptr : &rules, method);
    dg::hostnames::Decoded out;
    std::string json;
    for (int pass = 0; pass < 2; ++pass) {
        std::size_t decoded = 0;
        std::size_t located = 0;
        const double t0 = cpu_seconds();
        double secs = 0;
        while (secs < 2.0) {
            for (const std::string& n : names) {
                dec.decode(n, {}, out);
                located += out.has_location ? 1 : 0;
                if (pass == 1) {
                    json.clear();
                    dg::hostnames::append_json(out, json);
                }
            }
            decoded += names.size();
            secs = cpu_seconds() - t0;
        }
        std::printf("%-14s method %-7s rules %-3s names/s %.0f (per CPU-second; %zu names, %.2f s, "
                    "%.1f%% located)\n",
                    pass == 0 ? "decode" : "decode+json",
                    method == dg::hostnames::Method::Ginie ? "ginie" : "default",
                    rules_path.empty() ? "no" : "yes", static_cast<double>(decoded) / secs,
                    names.size(), secs,
                    100.0 * static_cast<double>(located) / static_cast<double>(decoded));
    }
    std::printf("dictionary     %zu bytes, mapped open %.2f ms wall (best of 5)\n", dict.size(),
                best_load);
    return 0;
}
