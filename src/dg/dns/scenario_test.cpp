// Runs every tests/scenarios/dns/*.scn file in simulated time (one gtest case per file).

#include "dg/dns/testing/scenario.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

namespace {

std::vector<std::string> scenario_files() {
    std::vector<std::string> out;
    const std::filesystem::path dir = std::filesystem::path(DG_SOURCE_DIR) / "tests/scenarios/dns";
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        if (e.path().extension() == ".scn") {
            out.push_back(e.path().string());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

class DnsScenario : public ::testing::TestWithParam<std::string> {};

TEST_P(DnsScenario, Runs) {
    std::ifstream in(GetParam());
    ASSERT_TRUE(in) << GetParam();
    std::stringstream text;
    text << in.rdbuf();
    auto outcome = dg::dns::testing::run_scenario(text.str(), GetParam());
    ASSERT_TRUE(outcome) << outcome.error().to_string();
    for (const auto& f : outcome->failures) {
        ADD_FAILURE() << f;
    }
}

INSTANTIATE_TEST_SUITE_P(Files, DnsScenario, ::testing::ValuesIn(scenario_files()),
                         [](const ::testing::TestParamInfo<std::string>& p) {
                             std::string n = std::filesystem::path(p.param).stem().string();
                             for (char& c : n) {
                                 if (!std::isalnum(static_cast<unsigned char>(c))) {
                                     c = '_';
                                 }
                             }
                             return n;
                         });

TEST(DnsScenarioFormat, RejectsUnknownDirective) {
    auto r = dg::dns::testing::run_scenario("bogus line\n", "x.scn");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().line, 1U);
}

} // namespace
