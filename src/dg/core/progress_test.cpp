#include "dg/core/progress.hpp"

#include <gtest/gtest.h>

namespace dg {
namespace {

// Issue 12 item 22: the bar read "10.1kdomains 732domains/s" and showed "ETA 4:17" in its first
// seconds (the rate since the start, with the slow start in it).
TEST(Progress, TextSpacesUnitsAndWaitsBeforeAnEta) {
    EXPECT_EQ(Progress::text("scanning", 10100, 0, "domains", 14.0, 732, ""),
              "scanning 10.1k domains 732 domains/s");
    EXPECT_EQ(Progress::text("parsing", 500, 0, "", 1.0, 500, ""), "parsing 500 500/s");
    const std::string early = Progress::text("scanning", 100, 20000, "domains", 1.0, 100, "ok 1");
    EXPECT_EQ(early.find("ETA"), std::string::npos) << early;
    EXPECT_NE(early.find("100 domains 100 domains/s ok 1"), std::string::npos) << early;
    const std::string later =
        Progress::text("scanning", 5000, 20000, "domains", Progress::kEtaAfterSeconds, 1000, "");
    EXPECT_NE(later.find("[#######.......................]  25% 5000 domains 1000 domains/s "
                         "ETA 0:15"),
              std::string::npos)
        << later;
    EXPECT_NE(Progress::text("x", 0, 10'000'000, "", 10.0, 1000, "").find("ETA 2:46:40"),
              std::string::npos);
}

} // namespace
} // namespace dg
