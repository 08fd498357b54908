#pragma once
// JSON for the model: the `scan --format jsonl` contract (issue 4) and the scans/changes shapes.
//
//   {"domain": "...", "status": "...", "a": [{"ip": "...", "prefix": "...", "asn": 64496,
//    "origins": [64496], "org": "..."}], "aaaa": [...], "cname": ["..."],
//    "ns": [{"host": "...", "ips": [...]}], "mx": [{"preference": 10, "host": "...", "ips":
//    [...]}]}
//
// Unrouted addresses have "prefix": null, "asn": null, "origins": []; "org" is null when unknown.
// Optional keys, written only when set: "error" (string), "ttl" on addresses/ns/mx entries and
// "cname_ttl" (array parallel to "cname"). Readers ignore unknown keys.

#include "dg/core/result.hpp"
#include "dg/model/model.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace dg::model {

struct JsonOptions {
    bool ttl = true; ///< write the optional TTL keys when known
};

nlohmann::json to_json(const DomainResult& r, const JsonOptions& options = {});
/// One line of JSON Lines (without the newline).
std::string to_json_line(const DomainResult& r, const JsonOptions& options = {});
/// Errors: Malformed (names the offending key).
Result<DomainResult> domain_result_from_json(const nlohmann::json& j);
/// Parses one JSON text. Errors: Malformed.
Result<DomainResult> parse_domain_result(std::string_view text);

/// `{"id", "status", "started_at", "finished_at", "domains_total", "domains_done", "notes",
/// "rib": {"path", "hash"}, "config"}` with times as ISO 8601 UTC strings.
nlohmann::json to_json(const Scan& s);
/// `{"country", "city", "lat", "lon"}` (null where unknown).
nlohmann::json to_json(const GeoLocation& g);
/// `{"domain", "type", "severity", "from", "to"}`, and for a change with a subject (asn_changed,
/// prefix_changed, org_changed) `"address", "record" ("A"/"AAAA"), "role" ("domain"/"ns"/"mx"),
/// "host"` (the NS/MX host, null for the domain's own addresses).
nlohmann::json to_json(const Change& c);

/// "2026-11-23T04:57:45Z".
std::string format_utc(UnixTime t);

} // namespace dg::model
