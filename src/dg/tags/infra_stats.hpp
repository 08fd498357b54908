#pragma once
// Tag statistics joined with infrastructure (issue 7): for each tag of a taxonomy valid at a time
// T, the AS and organisation distribution of its domains' A/AAAA addresses in a stored scan.
// Library function, JSON shape, and the API answer for the HTTP server
// (`GET /api/v1/stats/infrastructure?taxonomy=&scan=[&at_time=]`; docs/cli/tags.md).

#include "dg/core/result.hpp"
#include "dg/store/store.hpp"
#include "dg/tags/api.hpp"
#include "dg/tags/tag_store.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace dg::tags {

struct InfraAsn {
    std::uint32_t asn = 0;
    std::string org;           ///< first organisation seen ("" when unknown)
    std::uint64_t domains = 0; ///< tagged domains with an address in this AS
    double share = 0;          ///< percent of the tag's domains with routed addresses
};

struct InfraOrg {
    std::string org; ///< "" : routed, organisation unknown
    std::uint64_t domains = 0;
    double share = 0;
};

struct TagInfra {
    std::string tag;
    std::uint64_t tagged = 0;   ///< domains carrying the tag at T
    std::uint64_t in_scan = 0;  ///< of those, with a result in the scan
    std::uint64_t routed = 0;   ///< of those, with at least one routed A/AAAA address
    std::vector<InfraAsn> asns; ///< most domains first, then lower ASN
    std::vector<InfraOrg> orgs; ///< most domains first, then name
};

struct InfraStats {
    std::string taxonomy;
    std::int64_t scan_id = 0;
    Micros at = 0;
    std::vector<TagInfra> tags; ///< most tagged domains first, then name
};

/// `at`: nullopt = the scan's start (the measured_at the taggers use). A domain counts once per
/// AS (organisation) among its A/AAAA addresses, so shares may add up to more than 100.
/// Errors: NotFound (taxonomy, scan), store errors.
Result<InfraStats> infrastructure_stats(TagStore& ts, store::Store& store,
                                        const std::string& taxonomy, std::int64_t scan_id,
                                        std::optional<Micros> at = std::nullopt);

nlohmann::json to_json(const InfraStats& s);

/// The API answer: query `taxonomy` (required), `scan` (required, an id), `at_time` (optional,
/// as the tag2domain endpoints). 422 for missing/invalid parameters, 404 for an unknown taxonomy
/// or scan, 500 for store errors.
ApiResponse infrastructure_stats_api(TagStore& ts, store::Store& store, const QueryParams& query);

} // namespace dg::tags
