// Throughput measurement (not a test): tags_import_bench DB_URL [N]
// N domains x 3 taxonomies: one measurement each (opens), again (prolongs), then bydomain and
// bytag queries through tag2domain_api. Prints seconds and rates.
#include "dg/store/store.hpp"
#include "dg/tags/api.hpp"
#include "dg/tags/bulk.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

} // namespace

int main(int argc, char** argv) {
    using namespace dg;
    if (argc < 2) {
        std::fprintf(stderr, "usage: tags_import_bench DB_URL [N]\n");
        return 2;
    }
    const long n = argc > 2 ? std::atol(argv[2]) : 10000;
    auto store = store::Store::open(argv[1]);
    if (!store) {
        std::fprintf(stderr, "%s\n", store.error().to_string().c_str());
        return 1;
    }
    auto ts = tags::TagStore::open(**store);
    for (int t = 0; t < 3; ++t) {
        tags::TaxonomyDef def;
        def.taxonomy.name = "tax" + std::to_string(t);
        for (int k = 0; k < 10; ++k) {
            tags::Tag tag;
            tag.name = "cat::tag" + std::to_string(k);
            def.tags.push_back(tag);
        }
        if (!ts->import_taxonomy(def)) {
            return 1;
        }
    }
    for (int pass = 0; pass < 2; ++pass) {
        std::string text;
        for (long i = 0; i < n; ++i) {
            for (int t = 0; t < 3; ++t) {
                text += R"({"version":"1","domain":"d)" + std::to_string(i) +
                        R"(.example","taxonomy":"tax)" + std::to_string(t) +
                        R"(","producer":"bench","measured_at":"2021-01-0)" +
                        std::to_string(pass + 1) + R"(T00:00:00","tags":[{"tag":"cat::tag)" +
                        std::to_string((i + t) % 10) + "\"}]}\n";
            }
        }
        const auto t0 = std::chrono::steady_clock::now();
        auto r = tags::import_measurements(*ts, text, "bench", true, {});
        const double s = seconds_since(t0);
        if (!r) {
            std::fprintf(stderr, "%s\n", r.error().to_string().c_str());
            return 1;
        }
        std::printf("pass %d: %llu measurements in %.2f s = %.0f/s (opened %llu, extended %llu)\n",
                    pass + 1, static_cast<unsigned long long>(r->total), s,
                    static_cast<double>(r->total) / s, static_cast<unsigned long long>(r->inserted),
                    static_cast<unsigned long long>(r->prolonged));
    }
    const int q = 1000;
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < q; ++i) {
        auto resp = tags::tag2domain_api(
            *ts, "GET", "/api/v1/bydomain/d" + std::to_string(i * 7 % n) + ".example", {});
        if (resp.status != 200 || resp.body.size() != 3) {
            std::fprintf(stderr, "bydomain: %d %s\n", resp.status, resp.body.dump().c_str());
            return 1;
        }
    }
    std::printf("bydomain: %.3f ms/request\n", seconds_since(t0) * 1000 / q);
    t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 20; ++i) {
        auto resp = tags::tag2domain_api(*ts, "GET", "/api/v1/domains/bytag",
                                         {{"tag", "cat::tag" + std::to_string(i % 10)}});
        if (resp.status != 200) {
            return 1;
        }
    }
    std::printf("domains/bytag (limit 1000 of %ld): %.3f ms/request\n", n * 3 / 10,
                seconds_since(t0) * 1000 / 20);
    return 0;
}
