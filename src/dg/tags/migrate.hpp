#pragma once
// Migration from tag2domain: its tables (taxonomy, tags, taxonomy_tag_val, the domains, the
// intersection tables and the filter view) as JSON rows, the format of
// ../shared/data/tag2domain/fixtures/fixtures_as_tables.json. IDs visible in the API (taxonomy,
// tag, value, domain) are kept; running it again adds nothing.

#include "dg/core/result.hpp"
#include "dg/tags/tag_store.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace dg::tags {

struct MigrationReport {
    std::size_t taxonomies = 0;
    std::size_t tags = 0;
    std::size_t values = 0;
    std::size_t entities = 0;
    std::size_t mappings = 0;         ///< rows inserted
    std::size_t mappings_skipped = 0; ///< identical rows already stored
    std::size_t filters = 0;
    std::vector<std::string> tag_types;
    std::vector<std::string> warnings; ///< ids that could not be kept, rows left out
};

/// One tag2domain state: an object with the keys `taxonomy`, `tags`, `taxonomy_tag_val`,
/// `domains`, `intersections.<TAG TYPE> (table T, entity = <table>.<column>)` (entity table
/// `domains`, or a table whose rows carry `domain_id`, e.g. delegations) and
/// `v_tag2domain_domain_filter ...`. One transaction. Errors: Malformed (shape), InvalidArgument
/// (an id already used by something else).
Result<MigrationReport> migrate_tag2domain_state(TagStore& ts, const nlohmann::json& state);

/// A document of named states (fixtures_as_tables.json) or one state. `sets` picks states by
/// name (applied in order); empty: the document is one state, or has exactly one.
Result<MigrationReport> migrate_tag2domain_json(TagStore& ts, const nlohmann::json& doc,
                                                const std::vector<std::string>& sets);

} // namespace dg::tags
