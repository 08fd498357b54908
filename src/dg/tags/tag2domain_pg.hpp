#pragma once
// Reads an upstream tag2domain PostgreSQL database into the JSON-rows state that
// migrate_tag2domain_state() takes (tags migrate-from-tag2domain --postgres).

#include "dg/core/result.hpp"

#include <nlohmann/json.hpp>
#include <string>

namespace dg::tags {

/// Reads `taxonomy`, `tags`, `taxonomy_tag_val`, the glue view `v_unified_tags` (one tag type per
/// distinct `tag_type`, entities = its domain ids and names) and `v_tag2domain_domain_filter`
/// (when present) from `schema` (then public) of the database at `url` (libpq URI), read-only.
/// The glue view has no producer: migrated rows get producer NULL, which the first measurement
/// takes over (upstream's rule for NULL producers).
/// Errors: Unavailable (cannot connect), Malformed (not a tag2domain schema).
Result<nlohmann::json> read_tag2domain_postgres(const std::string& url, const std::string& schema);

} // namespace dg::tags
