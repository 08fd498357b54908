#pragma once
// Scenario files (tests/scenarios/dns/*.scn): a scripted set of upstreams, the names to resolve
// and the expected outcome, run in simulated time. Format: tests/scenarios/dns/README.md.

#include "dg/core/result.hpp"
#include "dg/dns/resolver.hpp"
#include "dg/dns/testing/fake_transport.hpp"

#include <string>
#include <vector>

namespace dg::dns::testing {

struct ScenarioOutcome {
    std::vector<std::string> failures; ///< "file:line: expectation ... but got ..."
    Summary summary;
    std::uint64_t results = 0;
};

/// Parses and runs one scenario. Errors: InvalidArgument (the file itself is wrong).
Result<ScenarioOutcome> run_scenario(std::string_view text, const std::string& source);

} // namespace dg::dns::testing
