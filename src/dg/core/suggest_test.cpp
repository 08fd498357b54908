#include "dg/core/suggest.hpp"

#include <gtest/gtest.h>

namespace dg {
namespace {

TEST(Suggest, EditDistanceCountsATranspositionOnce) {
    EXPECT_EQ(edit_distance("scna", "scan"), 1U);
    EXPECT_EQ(edit_distance("resolvr", "resolver"), 1U);
    EXPECT_EQ(edit_distance("", "abc"), 3U);
    EXPECT_EQ(edit_distance("kitten", "sitting"), 3U);
    EXPECT_EQ(edit_distance("same", "same"), 0U);
}

// Issue 12 item 21: typos get a suggestion, unrelated words none.
TEST(Suggest, ClosestMatchOnlyForLikelyTypos) {
    const std::vector<std::string> commands = {"rib",  "lookup", "resolve",   "scan", "scans",
                                               "diff", "export", "analytics", "serve"};
    EXPECT_EQ(closest_match("scna", commands), "scan");
    EXPECT_EQ(closest_match("exprot", commands), "export");
    EXPECT_EQ(closest_match("analytcs", commands), "analytics");
    EXPECT_EQ(closest_match("anal", commands), "analytics");  // a prefix
    EXPECT_EQ(closest_match("scan", commands), std::nullopt); // itself
    EXPECT_EQ(closest_match("zzzzzz", commands), std::nullopt);
    EXPECT_EQ(closest_match("--resolvr", {"--resolver", "--resolvers", "--rate"}), "--resolver");
    EXPECT_EQ(did_you_mean("scna", commands), "; did you mean 'scan'?");
    EXPECT_EQ(did_you_mean("xyz", commands), "");
}

} // namespace
} // namespace dg
