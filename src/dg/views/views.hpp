#pragma once
// Views of one AS, one organisation or one prefix (issue 18): what the loaded table, AS-
// organisation data and VRPs say about it, and the domains of a stored scan behind it. The same
// JSON objects answer GET /api/v1/as/{asn}, /api/v1/org/{id} and /api/v1/prefix/{prefix} and
// `domaingraph view as|org|prefix` (docs/api.md, docs/cli/view.md).

#include "dg/bgp/table_sources.hpp"
#include "dg/core/asn.hpp"
#include "dg/core/prefix.hpp"
#include "dg/core/result.hpp"
#include "dg/org/org_table.hpp"
#include "dg/rpki/validator.hpp"
#include "dg/store/store.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace dg::views {

/// What the views read besides the store; every member optional.
struct Sources {
    const bgp::IpAsnSource* table = nullptr;
    const org::OrgTable* orgs = nullptr;
    std::string as2org_path; ///< shown as "as2org" (null when no orgs)
    const rpki::VrpIndex* vrps = nullptr;
};

/// Which scan: `ref` ("latest" when absent: then no scan stored yet is `"scan": null`, not an
/// error) and how many domains to list.
struct ScanPart {
    store::Store* store = nullptr; ///< nullptr: no scan part
    std::optional<std::string> ref;
    std::size_t limit = 100;
};

/// {asn, as2org, name, country, registry, opaque_id, org, siblings, routes, scan} (docs/api.md).
/// Errors: NotFound / InvalidArgument of the scan reference, store errors.
Result<nlohmann::json> as_view(Asn asn, const Sources& sources, const ScanPart& scan);

/// An organisation by id ("ORG-EXB1-RIPE") or by exact name (case-insensitive): {id, name,
/// country, source, changed, ases: [{asn, name, routes, domains}], scan: {id, domains_total,
/// domains}}. Errors: NotFound (no such organisation; without AS-organisation data,
/// Unavailable), those of the scan reference.
Result<nlohmann::json> org_view(std::string_view org, const Sources& sources, const ScanPart& scan);

/// A prefix: {prefix, route (the table's route for exactly this prefix, or null), covering (the
/// longest route that covers its network address), more_specifics: {total, prefixes}, scan:
/// {id, addresses_total, domains_total, domains: [{domain, roles, addresses}]}}; every route
/// {prefix, origins, org, rpki, rpki_reason}. Errors: those of the scan reference.
Result<nlohmann::json> prefix_view(const Prefix& prefix, const Sources& sources,
                                   const ScanPart& scan);

} // namespace dg::views
