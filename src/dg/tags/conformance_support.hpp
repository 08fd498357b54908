#pragma once
// Test support (compiled into tags_test and tags_http_conformance_test only): the comparison
// rules of ../shared/data/tag2domain/conformance/tag2domain_api_v1_cases.json and our list of
// deliberate deviations, shared by the in-process and the over-HTTP conformance tests so that
// both judge a response (status + JSON body) the same way.

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace dg::tags::conformance {

/// A deliberate difference from upstream: the status we answer instead, and why
/// (docs/design/0007-tags-time-model.md lists them).
struct Deviation {
    int status = 0;
    const char* why = "";
};

/// Case id (or sequence_step_id(n)) -> deviation.
const std::map<std::string, Deviation>& deviations();

/// "sequence step N" (1-based), the id a sequence step has in deviations().
std::string sequence_step_id(int step);

/// The case's expectation with a deviation applied (then only the status is compared).
nlohmann::json expectation(const std::string& id, nlohmann::json expect);

/// Whether the array is non-decreasing by `keys` ("-name" = descending).
bool ordered_by(const nlohmann::json& arr, const nlohmann::json& keys);

/// Whether two arrays hold the same elements, duplicates counted.
bool same_multiset(nlohmann::json a, nlohmann::json b);

/// Empty when a response (`status`, parsed `body`; a non-JSON body as a JSON string) satisfies
/// `expect` (modes exact, sorted_multiset, status, keys), else why not.
std::string check(const nlohmann::json& expect, int status, const nlohmann::json& body);

/// The fixture state name of a case: its fixtures joined by '+' ("basic+tags_categories"), as
/// the states of fixtures_as_tables.json are named.
std::string set_name(const nlohmann::json& fixtures);

/// The file's cases split as the tests run them: GET cases grouped by fixture state (one
/// database each), POST cases one by one (each on a fresh database).
struct CasePlan {
    std::map<std::string, std::vector<const nlohmann::json*>> gets;
    std::vector<const nlohmann::json*> posts;
};
CasePlan plan_cases(const nlohmann::json& cases_file);

} // namespace dg::tags::conformance
