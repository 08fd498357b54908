#pragma once
// The formulas behind `domaingraph analytics` (docs/cli/analytics.md pins each one), on counts of
// IP mappings per AS. Pure functions: unit-tested on hand-computed cases.

#include <cstdint>
#include <span>
#include <string_view>

namespace dg::analytics {

/// Shannon entropy in bits: H = -sum p_i log2 p_i, p_i = c_i / sum c. 0 for fewer than 2 counts.
double shannon_entropy(std::span<const std::uint64_t> counts);
/// H / log2(n) in [0, 1]; 0 when n < 2 (one AS: no diversity).
double normalised_entropy(std::span<const std::uint64_t> counts);
/// Gini coefficient of the counts: with c sorted ascending, i = 1..n,
/// G = 2 sum(i c_i) / (n T) - (n + 1) / n. 0 for n < 2 or T = 0.
double gini(std::span<const std::uint64_t> counts);
/// 100 x share of the total held by the k largest counts, k = max(1, floor(n / 10)) over ALL
/// counts (the seed capped k at 20). 0 when there is nothing to count.
double concentration_ratio(std::span<const std::uint64_t> counts);
/// k of concentration_ratio.
std::size_t concentration_k(std::size_t n);

/// 100 x normalised entropy, the seed tool's diversity score.
double diversity_score(std::span<const std::uint64_t> counts);
/// "high" (> 70), "medium" (40 to 70), "low" (< 40).
std::string_view diversity_level(double score);
/// Gini reading: "high" (> 0.6), "medium" (> 0.3), "low".
std::string_view concentration_level(double gini_value);

} // namespace dg::analytics
