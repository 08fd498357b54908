#include "dg/tags/conformance_support.hpp"

#include <algorithm>

namespace dg::tags::conformance {

using nlohmann::json;

const std::map<std::string, Deviation>& deviations() {
    static const std::map<std::string, Deviation> kDeviations = {
        {"reference:basic:025", // bytag with filter=tax:tag=val
         {400, "unsupported filter syntax is a client error, not a crash"}},
        {"sequence step 9",
         {400, "autogenerate_tags on a taxonomy that forbids it is a client error, not a crash"}},
    };
    return kDeviations;
}

std::string sequence_step_id(int step) {
    return "sequence step " + std::to_string(step);
}

json expectation(const std::string& id, json expect) {
    if (auto it = deviations().find(id); it != deviations().end()) {
        expect = json{{"status", it->second.status}, {"compare", "status"}};
    }
    return expect;
}

namespace {

/// e[key], or null when e is not an object or has no such key.
json field(const json& e, const std::string& key) {
    return e.is_object() && e.contains(key) ? e[key] : json();
}

} // namespace

bool ordered_by(const json& arr, const json& keys) {
    if (!arr.is_array()) {
        return false;
    }
    for (std::size_t i = 1; i < arr.size(); ++i) {
        for (const auto& k : keys) {
            std::string key = k.get<std::string>();
            const bool desc = key.starts_with("-");
            if (desc) {
                key = key.substr(1);
            }
            const json a = field(arr[i - 1], key);
            const json b = field(arr[i], key);
            if (a == b) {
                continue;
            }
            if (desc ? b < a : a < b) {
                break; // properly ordered on this key
            }
            return false;
        }
    }
    return true;
}

bool same_multiset(json a, json b) {
    if (!a.is_array() || !b.is_array() || a.size() != b.size()) {
        return false;
    }
    auto by_dump = [](const json& x, const json& y) { return x.dump() < y.dump(); };
    std::sort(a.begin(), a.end(), by_dump);
    std::sort(b.begin(), b.end(), by_dump);
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i] != b[i]) {
            return false;
        }
    }
    return true;
}

namespace {

std::string check_keys(const json& expect, const json& body) {
    if (!body.is_object()) {
        return "not a JSON object: " + body.dump().substr(0, 300);
    }
    for (const auto& k : expect["keys"]) {
        if (!body.contains(k.get<std::string>())) {
            return "missing key " + k.dump();
        }
    }
    return "";
}

/// The elements with their nested_order arrays sorted canonically: ties in the nested order key
/// may come in any order, so the nested arrays are compared as multisets too.
json without_nested_order(json arr, const json& expect) {
    if (!expect.contains("nested_order") || !expect["nested_order"].is_object()) {
        return arr;
    }
    auto by_dump = [](const json& x, const json& y) { return x.dump() < y.dump(); };
    for (auto& e : arr) {
        for (const auto& [name, keys] : expect["nested_order"].items()) {
            if (e.is_object() && e.contains(name) && e[name].is_array()) {
                std::sort(e[name].begin(), e[name].end(), by_dump);
            }
        }
    }
    return arr;
}

std::string check_sorted_multiset(const json& expect, const json& body) {
    if (!body.is_array()) {
        return "not a JSON array: " + body.dump().substr(0, 300);
    }
    if (expect.contains("nested_order") && expect["nested_order"].is_object()) {
        for (const auto& [name, keys] : expect["nested_order"].items()) {
            for (const auto& e : body) {
                if (!ordered_by(field(e, name), keys)) {
                    return "nested '" + name + "' not ordered by " + keys.dump() + ": " + e.dump();
                }
            }
        }
    }
    if (!same_multiset(without_nested_order(body, expect),
                       without_nested_order(expect["body"], expect))) {
        return "elements differ: " + body.dump().substr(0, 1500) + "\nexpected " +
               expect["body"].dump().substr(0, 1500);
    }
    if (expect.contains("order_key") && !ordered_by(body, expect["order_key"])) {
        return "not ordered by " + expect["order_key"].dump() + ": " + body.dump();
    }
    return "";
}

} // namespace

std::string check(const json& expect, int status, const json& body) {
    const int want = expect.value("status", 0);
    if (status != want) {
        return "status " + std::to_string(status) + ", expected " + std::to_string(want) +
               "; body " + body.dump().substr(0, 300);
    }
    const std::string mode = expect.value("compare", "exact");
    if (mode == "status") {
        return "";
    }
    if (mode == "keys") {
        return check_keys(expect, body);
    }
    if (mode == "exact") {
        return body == expect["body"]
                   ? ""
                   : "body " + body.dump() + "\nexpected " + expect["body"].dump();
    }
    if (mode == "sorted_multiset") {
        return check_sorted_multiset(expect, body);
    }
    return "unknown compare mode '" + mode + "'";
}

std::string set_name(const json& fixtures) {
    std::string s;
    for (const auto& f : fixtures) {
        s += (s.empty() ? "" : "+") + f.get<std::string>();
    }
    return s;
}

CasePlan plan_cases(const json& cases_file) {
    CasePlan plan;
    for (const auto& c : cases_file["cases"]) {
        if (c["request"]["method"] == "GET") {
            plan.gets[set_name(c["fixtures"])].push_back(&c);
        } else {
            plan.posts.push_back(&c);
        }
    }
    return plan;
}

} // namespace dg::tags::conformance
