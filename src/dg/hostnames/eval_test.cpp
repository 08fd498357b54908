// Evaluation on labelled sets (issue 14 acceptance): M-Lab site names with their true locations,
// and a hand-labelled sample of CAIDA router names (tests/data/hostnames/caida_labels.tsv; the
// names themselves stay in ../shared: that file has no licence). Prints the figures.
#include "dg/core/byte_source.hpp"
#include "dg/hostnames/decoder.hpp"
#include "dg/hostnames/dictionary.hpp"
#include "tests/support/support.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace dg::hostnames {
namespace {

const Dictionary& dict() {
    static const Dictionary d = [] {
        auto r = Dictionary::open(std::string(DG_SOURCE_DIR) + "/data/hostnames/hostnames.dict.gz");
        if (!r) {
            ADD_FAILURE() << r.error().to_string();
            std::abort();
        }
        return *r;
    }();
    return d;
}

std::vector<std::string> split(const std::string& line, char sep) {
    std::vector<std::string> f;
    std::size_t p = 0;
    while (true) {
        const std::size_t t = line.find(sep, p);
        f.push_back(line.substr(p, t == std::string::npos ? std::string::npos : t - p));
        if (t == std::string::npos) {
            return f;
        }
        p = t + 1;
    }
}

std::vector<std::string> read_lines(const std::string& path) {
    auto src = io::open(path);
    if (!src) {
        ADD_FAILURE() << src.error().to_string();
        return {};
    }
    auto bytes = io::read_all(**src, std::size_t{64} << 20);
    if (!bytes) {
        ADD_FAILURE() << bytes.error().to_string();
        return {};
    }
    return dg::test::split_lines(std::string(bytes->begin(), bytes->end()));
}

double km(double lat1, double lon1, double lat2, double lon2) {
    constexpr double kRad = 3.14159265358979323846 / 180.0;
    const double a = std::sin((lat2 - lat1) * kRad / 2) * std::sin((lat2 - lat1) * kRad / 2) +
                     std::cos(lat1 * kRad) * std::cos(lat2 * kRad) *
                         std::sin((lon2 - lon1) * kRad / 2) * std::sin((lon2 - lon1) * kRad / 2);
    return 2 * 6371.0 * std::asin(std::sqrt(a));
}

struct Figures {
    int labelled = 0;  ///< names with a true location
    int none = 0;      ///< names labelled "no location"
    int extracted = 0; ///< locations reported
    int correct = 0;   ///< right country and within 50 km
    [[nodiscard]] double precision() const {
        return extracted == 0 ? 0 : static_cast<double>(correct) / extracted;
    }
    [[nodiscard]] double recall() const {
        return labelled == 0 ? 0 : static_cast<double>(correct) / labelled;
    }
};

struct Case {
    std::string name;
    std::string country; ///< "-" when no location is encoded
    double lat = 0;
    double lon = 0;
};

Figures evaluate(const std::vector<Case>& cases, Method method, const Rules* rules) {
    Decoder dec(dict(), rules, method);
    Decoded d;
    Figures f;
    for (const Case& c : cases) {
        dec.decode(c.name, {}, d);
        const bool none = c.country == "-";
        f.labelled += none ? 0 : 1;
        f.none += none ? 1 : 0;
        if (!d.has_location) {
            continue;
        }
        ++f.extracted;
        if (!none && d.location.has_coordinates && d.location.country == c.country &&
            km(c.lat, c.lon, d.location.lat, d.location.lon) <= 50) {
            ++f.correct;
        }
    }
    return f;
}

void report(const char* set, const char* method, const Figures& f) {
    std::printf("[figures] %-22s %-18s names %3d (+%2d without location) extracted %3d correct "
                "%3d precision %.3f recall %.3f\n",
                set, method, f.labelled, f.none, f.extracted, f.correct, f.precision(), f.recall());
}

TEST(HostnamesEval, MlabSites) {
    DG_SHARED_OR_SKIP(path, "ptr/hostnames/mlab_sites.tsv");
    const auto lines = read_lines(path);
    ASSERT_GT(lines.size(), 100U);
    std::array<std::vector<Case>, 2> sets; // hostname_v1, hostname_v2 of active sites
    Learner learner(dict());
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const auto f = split(lines[i], '\t');
        ASSERT_GE(f.size(), 17U) << "line " << i + 1;
        learner.add(f[15]);
        learner.add(f[16]);
        if (!f[14].empty()) {
            continue; // retired
        }
        for (std::size_t k = 0; k < 2; ++k) {
            sets[k].push_back(Case{f[15 + k], f[4], std::stod(f[6]), std::stod(f[7])});
        }
    }
    const Rules rules = learner.finish();
    ASSERT_EQ(sets[0].size(), 164U);
    for (std::size_t k = 0; k < 2; ++k) {
        const char* set = k == 0 ? "mlab hostname_v1" : "mlab hostname_v2";
        const Figures ginie = evaluate(sets[k], Method::Ginie, nullptr);
        const Figures plain = evaluate(sets[k], Method::Default, nullptr);
        const Figures learnt = evaluate(sets[k], Method::Default, &rules);
        report(set, "ginie", ginie);
        report(set, "default", plain);
        report(set, "default+rules", learnt);
        // acceptance: the metro found for >= 98% of active sites, right country, within 50 km
        EXPECT_GE(plain.recall(), 0.98) << set;
        EXPECT_GE(learnt.recall(), 0.98) << set;
        EXPECT_GE(learnt.precision(), 0.9) << set;
        EXPECT_GT(learnt.recall(), ginie.recall()) << set;
    }
}

TEST(HostnamesEval, CaidaHandLabelled) {
    DG_SHARED_OR_SKIP(path, "ptr/hostnames/caida_ipv6_dns_names_20160412.tsv.gz");
    const auto lines = read_lines(path);
    ASSERT_EQ(lines.size(), 4672U);
    const auto labels =
        read_lines(std::string(DG_SOURCE_DIR) + "/tests/data/hostnames/caida_labels.tsv");
    std::vector<Case> cases;
    for (const std::string& l : labels) {
        if (l.empty() || l[0] == '#' || l.rfind("line\t", 0) == 0) {
            continue;
        }
        const auto f = split(l, '\t');
        ASSERT_EQ(f.size(), 6U) << l;
        if (f[1] == "?") {
            continue; // uncertain: excluded
        }
        const std::size_t line = std::stoul(f[0]);
        ASSERT_LE(line, lines.size());
        const auto row = split(lines[line - 1], '\t');
        ASSERT_EQ(row.size(), 3U);
        ASSERT_EQ(row[2].rfind("FAIL.", 0), std::string::npos) << "label on a failed lookup";
        Case c{row[2], f[1], 0, 0};
        if (f[1] != "-") {
            c.lat = std::stod(f[3]);
            c.lon = std::stod(f[4]);
        }
        cases.push_back(std::move(c));
    }
    ASSERT_GE(cases.size(), 150U);
    // rules learnt from the whole file (its own names, as `hostnames learn` would)
    Learner learner(dict());
    std::vector<std::string> all;
    for (const std::string& l : lines) {
        const auto row = split(l, '\t');
        if (row.size() == 3 && row[2].rfind("FAIL.", 0) != 0) {
            learner.add(row[2]);
            all.push_back(row[2]);
        }
    }
    const Rules rules = learner.finish();
    const Figures ginie = evaluate(cases, Method::Ginie, nullptr);
    const Figures plain = evaluate(cases, Method::Default, nullptr);
    const Figures learnt = evaluate(cases, Method::Default, &rules);
    report("caida hand-labelled", "ginie", ginie);
    report("caida hand-labelled", "default", plain);
    report("caida hand-labelled", "default+rules", learnt);
    EXPECT_GE(plain.precision(), 0.9);
    EXPECT_GE(learnt.precision(), 0.9);
    EXPECT_GT(plain.recall(), ginie.recall());
    EXPECT_GT(learnt.recall(), ginie.recall());

    // Zero false positives from role/interface tokens over every resolved name.
    for (const Rules* r : {static_cast<const Rules*>(nullptr), &rules}) {
        Decoder dec(dict(), r);
        Decoded d;
        int from_vocabulary = 0;
        int located = 0;
        for (const std::string& name : all) {
            dec.decode(name, {}, d);
            if (!d.has_location) {
                continue;
            }
            ++located;
            const std::string token = d.host.substr(d.location.token_start,
                                                    d.location.token_end - d.location.token_start);
            if (dict().has(token, EntryType::Role) || dict().has(token, EntryType::Interface)) {
                ++from_vocabulary;
                ADD_FAILURE() << name << ": location from role/interface token '" << token << "'";
            }
        }
        std::printf("[figures] caida all %zu resolved names, %s: %d located, %d from "
                    "role/interface tokens\n",
                    all.size(), r == nullptr ? "default" : "default+rules", located,
                    from_vocabulary);
        EXPECT_EQ(from_vocabulary, 0);
    }
}

} // namespace
} // namespace dg::hostnames
