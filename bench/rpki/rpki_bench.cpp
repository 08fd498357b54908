// RPKI route-origin validation benchmark (issue 18): VRPs generated from the full-size benchmark
// RIB, load time of a ~500,000-entry rpki-client JSON file, validations per second on one core.
//
// usage: rpki_bench gen RIB OUTDIR [TARGET_VRPS] [SEED]
//            writes OUTDIR/vrps.json (rpki-client -j shape) and OUTDIR/vrps.csv (rpki-client -c)
//        rpki_bench load VRPFILE
//            prints "load_ms build_ms vrps peak_rss_mb" for reading and indexing the file
//        rpki_bench validate RIB VRPFILE [ROUNDS]
//            validates every (prefix, origin) route of the RIB, in table order and shuffled;
//            prints validations per second (best of ROUNDS) and the states found
//
// The VRPs (deterministic for a seed): a random share of the RIB prefixes (a prefix inside a
// signed one: 95%) gets a VRP with its own origin and maxLength = length (75%) or length + 1..4
// (25%); 3% of those get a second VRP for another AS; 4% a covering aggregate 1-3 bits shorter
// with maxLength = the route's length; and AS0 VRPs on 1% of the other prefixes. Real sets look
// alike: most ROAs are exact, some have a maxLength, a few are AS0.
#include "dg/bgp/table_sources.hpp"
#include "dg/rpki/validator.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace {

using dg::Asn;
using dg::Prefix;
using dg::rpki::RouteOrigin;
using dg::rpki::State;
using dg::rpki::VrpIndex;

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// Peak resident set (VmHWM) in MiB.
double peak_rss_mb() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmHWM:", 0) == 0) {
            return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
        }
    }
    return 0;
}

using dg::rpki::Route;

dg::Result<dg::bgp::IpAsnSource> open_rib(const std::string& path) {
    dg::bgp::SourceOptions options;
    options.show_progress = false;
    return dg::bgp::IpAsnSource::open(path, options);
}

std::vector<Route> routes_of(const dg::bgp::PrefixTable& table) {
    std::vector<Route> routes;
    routes.reserve(table.size() + table.size() / 50);
    for (std::size_t i = 0; i < table.size(); ++i) {
        const Prefix p = table.prefix(i);
        for (const auto& o : table.origins(i)) {
            routes.push_back(Route{p, o.as_set() ? RouteOrigin{} : RouteOrigin{Asn(o.asn)}});
        }
    }
    return routes;
}

struct GenVrp {
    Prefix prefix;
    std::uint32_t asn;
    int max_length;
    const char* ta;
};

int gen(const std::string& rib, const std::string& dir, std::size_t target, std::uint64_t seed) {
    auto source = open_rib(rib);
    if (!source || source->table() == nullptr) {
        std::fprintf(stderr, "cannot load %s\n", rib.c_str());
        return 1;
    }
    const dg::bgp::PrefixTable& table = *source->table();
    std::mt19937_64 rng(seed);
    constexpr const char* kTas[] = {"ripe", "arin", "apnic", "lacnic", "afrinic"};
    constexpr unsigned kTaWeights[] = {45, 20, 20, 10, 5}; // of 100
    auto ta = [&] {
        unsigned r = static_cast<unsigned>(rng() % 100);
        for (std::size_t i = 0; i < 5; ++i) {
            if (r < kTaWeights[i]) {
                return kTas[i];
            }
            r -= kTaWeights[i];
        }
        return kTas[0];
    };
    const double share =
        std::min(1.0, static_cast<double>(target) / (static_cast<double>(table.size()) * 1.75));
    std::vector<GenVrp> vrps;
    vrps.reserve(target + target / 8);
    std::uniform_real_distribution<double> unit(0, 1);
    // Holders who sign a ROA usually cover the more-specifics they announce too (else those
    // would be invalid): a prefix inside a signed one is signed with 95% probability.
    std::vector<std::pair<Prefix, bool>> open; // enclosing table prefixes (table order nests)
    for (std::size_t i = 0; i < table.size(); ++i) {
        const Prefix p = table.prefix(i);
        const int width = p.network().bit_width();
        const std::uint32_t origin = table.origins(i).front().asn;
        while (!open.empty() && !(open.back().first.family() == p.family() &&
                                  open.back().first.contains(p.network()))) {
            open.pop_back();
        }
        const bool inside_signed = !open.empty() && open.back().second;
        const bool sign = inside_signed ? unit(rng) < 0.95 : unit(rng) < share;
        open.emplace_back(p, sign);
        if (!sign) {
            if (unit(rng) < 0.01) {
                vrps.push_back(GenVrp{p, 0, p.length(), ta()});
            }
            continue;
        }
        const int extra = unit(rng) < 0.25 ? 1 + static_cast<int>(rng() % 4) : 0;
        const char* t = ta();
        vrps.push_back(GenVrp{p, origin, std::min(width, p.length() + extra), t});
        if (unit(rng) < 0.03) {
            vrps.push_back(
                GenVrp{p, origin + 1 + static_cast<std::uint32_t>(rng() % 100), p.length(), t});
        }
        if (unit(rng) < 0.04 && p.length() > 8) {
            const int shorter = p.length() - 1 - static_cast<int>(rng() % 3);
            vrps.push_back(GenVrp{Prefix(p.network(), shorter), origin, p.length(), t});
        }
    }
    std::FILE* json = std::fopen((dir + "/vrps.json").c_str(), "w");
    std::FILE* csv = std::fopen((dir + "/vrps.csv").c_str(), "w");
    if (json == nullptr || csv == nullptr) {
        std::fprintf(stderr, "cannot write into %s\n", dir.c_str());
        return 1;
    }
    // rpki-client 8.2's -j and -c shapes (tests/data/rpki/rpki-client.{json,csv}).
    std::fprintf(json,
                 "{\n\t\"metadata\": {\n\t\t\"buildmachine\": \"bench\",\n\t\t\"buildtime\": "
                 "\"2024-01-01T00:00:00Z\",\n\t\t\"vrps\": %zu,\n\t\t\"uniquevrps\": %zu\n\t},"
                 "\n\n\t\"roas\": [\n",
                 vrps.size(), vrps.size());
    std::fputs("ASN,IP Prefix,Max Length,Trust Anchor,Expires\n", csv);
    for (std::size_t i = 0; i < vrps.size(); ++i) {
        const GenVrp& v = vrps[i];
        const std::string p = v.prefix.to_string();
        const long long expires = 1704067200LL + static_cast<long long>(rng() % 604800);
        std::fprintf(json,
                     "%s\t\t{ \"asn\": %u, \"prefix\": \"%s\", \"maxLength\": %d, \"ta\": \"%s\", "
                     "\"expires\": %lld }",
                     i == 0 ? "" : ",\n", v.asn, p.c_str(), v.max_length, v.ta, expires);
        std::fprintf(csv, "AS%u,%s,%d,%s,%lld\n", v.asn, p.c_str(), v.max_length, v.ta, expires);
    }
    std::fputs("\n\t],\n\n\t\"bgpsec_keys\": [\n\n\t]\n}\n", json);
    std::fclose(json);
    std::fclose(csv);
    std::printf("%zu VRPs from %zu RIB prefixes -> %s/vrps.json, %s/vrps.csv\n", vrps.size(),
                table.size(), dir.c_str(), dir.c_str());
    return 0;
}

dg::Result<VrpIndex> load_index(const std::string& path, double* load_s, double* build_s) {
    const auto t0 = std::chrono::steady_clock::now();
    DG_TRY(auto set, dg::rpki::load_vrps(path));
    *load_s = seconds_since(t0);
    const auto t1 = std::chrono::steady_clock::now();
    VrpIndex index = VrpIndex::build(std::move(set));
    *build_s = seconds_since(t1);
    return index;
}

int load(const std::string& path) {
    double load_s = 0;
    double build_s = 0;
    auto index = load_index(path, &load_s, &build_s);
    if (!index) {
        std::fprintf(stderr, "%s\n", index.error().to_string().c_str());
        return 1;
    }
    std::printf("%.1f %.1f %zu %.1f\n", load_s * 1000, build_s * 1000, index->stats().vrps,
                peak_rss_mb());
    std::fprintf(stderr, "index memory %.1f MiB\n",
                 static_cast<double>(index->memory_bytes()) / (1024.0 * 1024.0));
    return 0;
}

/// Best rate of `rounds` passes over `routes`; `counts` gets the states of the last pass.
double measure(const VrpIndex& index, const std::vector<Route>& routes, int rounds,
               std::uint64_t counts[3]) {
    double best = 0;
    for (int r = 0; r < rounds; ++r) {
        std::uint64_t c[3] = {0, 0, 0};
        const auto start = std::chrono::steady_clock::now();
        for (const Route& route : routes) {
            ++c[static_cast<int>(index.validate(route.prefix, route.origin).state)];
        }
        const double s = seconds_since(start);
        best = std::max(best, static_cast<double>(routes.size()) / s);
        std::copy(c, c + 3, counts);
    }
    return best;
}

/// The same through the batch API.
double measure_batch(const VrpIndex& index, const std::vector<Route>& routes, int rounds) {
    std::vector<dg::rpki::Validity> out(routes.size());
    double best = 0;
    for (int r = 0; r < rounds; ++r) {
        const auto start = std::chrono::steady_clock::now();
        index.validate(routes, out);
        const double s = seconds_since(start);
        best = std::max(best, static_cast<double>(routes.size()) / s);
    }
    std::uint64_t valid = 0;
    for (const auto& v : out) {
        valid += v.state == State::Valid ? 1U : 0U;
    }
    std::fprintf(stderr, "(batch: %llu valid)\n", static_cast<unsigned long long>(valid));
    return best;
}

int validate(const std::string& rib, const std::string& vrp_file, int rounds) {
    auto source = open_rib(rib);
    if (!source || source->table() == nullptr) {
        std::fprintf(stderr, "cannot load %s\n", rib.c_str());
        return 1;
    }
    std::vector<Route> routes = routes_of(*source->table());
    double load_s = 0;
    double build_s = 0;
    auto index = load_index(vrp_file, &load_s, &build_s);
    if (!index) {
        std::fprintf(stderr, "%s\n", index.error().to_string().c_str());
        return 1;
    }
    std::uint64_t counts[3] = {0, 0, 0};
    const double ordered = measure(*index, routes, rounds, counts);
    std::printf("routes %zu, VRPs %zu: valid %llu, invalid %llu, not-found %llu\n", routes.size(),
                index->stats().vrps, static_cast<unsigned long long>(counts[0]),
                static_cast<unsigned long long>(counts[1]),
                static_cast<unsigned long long>(counts[2]));
    std::printf("table order: %.2f M validations/s (one call per route), %.2f M/s (batch)\n",
                ordered / 1e6, measure_batch(*index, routes, rounds) / 1e6);
    std::mt19937_64 rng(7);
    std::shuffle(routes.begin(), routes.end(), rng);
    const double shuffled = measure(*index, routes, rounds, counts);
    std::printf("random order: %.2f M validations/s (one call per route), %.2f M/s (batch)\n",
                shuffled / 1e6, measure_batch(*index, routes, rounds) / 1e6);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.size() >= 3 && args[0] == "gen") {
        return gen(args[1], args[2], args.size() > 3 ? std::stoul(args[3]) : 500000,
                   args.size() > 4 ? std::stoull(args[4]) : 1);
    }
    if (args.size() == 2 && args[0] == "load") {
        return load(args[1]);
    }
    if (args.size() >= 3 && args[0] == "validate") {
        return validate(args[1], args[2], args.size() > 3 ? std::stoi(args[3]) : 5);
    }
    std::fputs("usage: rpki_bench gen RIB OUTDIR [TARGET_VRPS] [SEED]\n"
               "       rpki_bench load VRPFILE\n"
               "       rpki_bench validate RIB VRPFILE [ROUNDS]\n",
               stderr);
    return 2;
}
