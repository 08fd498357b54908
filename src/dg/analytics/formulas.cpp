#include "dg/analytics/formulas.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <vector>

namespace dg::analytics {
namespace {

double total(std::span<const std::uint64_t> counts) {
    return static_cast<double>(std::accumulate(counts.begin(), counts.end(), std::uint64_t{0}));
}

std::size_t nonzero(std::span<const std::uint64_t> counts) {
    return static_cast<std::size_t>(
        std::count_if(counts.begin(), counts.end(), [](std::uint64_t c) { return c > 0; }));
}

} // namespace

double shannon_entropy(std::span<const std::uint64_t> counts) {
    const double t = total(counts);
    if (nonzero(counts) < 2) {
        return 0.0;
    }
    double h = 0.0;
    for (std::uint64_t c : counts) {
        if (c > 0) {
            const double p = static_cast<double>(c) / t;
            h -= p * std::log2(p);
        }
    }
    return h;
}

double normalised_entropy(std::span<const std::uint64_t> counts) {
    const std::size_t n = nonzero(counts);
    if (n < 2) {
        return 0.0;
    }
    return shannon_entropy(counts) / std::log2(static_cast<double>(n));
}

double gini(std::span<const std::uint64_t> counts) {
    std::vector<std::uint64_t> c(counts.begin(), counts.end());
    const double t = total(counts);
    if (c.size() < 2 || t == 0.0) {
        return 0.0;
    }
    std::sort(c.begin(), c.end());
    double weighted = 0.0;
    for (std::size_t i = 0; i < c.size(); ++i) {
        weighted += static_cast<double>(i + 1) * static_cast<double>(c[i]);
    }
    const auto n = static_cast<double>(c.size());
    return 2.0 * weighted / (n * t) - (n + 1.0) / n;
}

std::size_t concentration_k(std::size_t n) {
    return std::max<std::size_t>(1, n / 10);
}

double concentration_ratio(std::span<const std::uint64_t> counts) {
    const double t = total(counts);
    if (counts.empty() || t == 0.0) {
        return 0.0;
    }
    std::vector<std::uint64_t> c(counts.begin(), counts.end());
    std::sort(c.begin(), c.end(), std::greater<>());
    const std::size_t k = concentration_k(c.size());
    const auto top =
        std::accumulate(c.begin(), c.begin() + static_cast<std::ptrdiff_t>(k), std::uint64_t{0});
    return 100.0 * static_cast<double>(top) / t;
}

double diversity_score(std::span<const std::uint64_t> counts) {
    return 100.0 * normalised_entropy(counts);
}

std::string_view diversity_level(double score) {
    if (score > 70.0) {
        return "high";
    }
    return score >= 40.0 ? "medium" : "low";
}

std::string_view concentration_level(double gini_value) {
    if (gini_value > 0.6) {
        return "high";
    }
    return gini_value > 0.3 ? "medium" : "low";
}

} // namespace dg::analytics
