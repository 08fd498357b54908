#pragma once
// Migrates an upstream tag2domain PostgreSQL database into a TagStore, streaming
// (tags migrate-from-tag2domain --postgres).

#include "dg/core/result.hpp"
#include "dg/tags/migrate.hpp"

#include <cstddef>
#include <string>

namespace dg::tags {

/// Reads `taxonomy`, `tags`, `taxonomy_tag_val`, the domains, the glue view `v_unified_tags`
/// (one tag type per distinct `tag_type`) and `v_tag2domain_domain_filter` (when present) from
/// `schema` (then public) of the database at `url` (libpq URI), in one read-only snapshot, and
/// migrates them into `ts` (Tag2domainMigration, one transaction). The three core tables are
/// small and read whole; domains, tag rows and filter rows stream through server-side cursors,
/// `fetch_rows` at a time, so memory does not grow with the registry (issue 12: 100k domains
/// took 556 MB as one JSON value per table).
/// Producers: the glue view has none; when it has a `producer` column it is used, else each
/// row takes the producer of its row in the intersection tables the view reads (those with
/// entity_id, tag_id, start_ts, producer; matched on entity = domain, tag and start). Rows
/// without one get NULL, which the first measurement takes over (upstream's rule).
/// Errors: Unavailable (cannot connect), Malformed (not a tag2domain schema), the TagStore's.
Result<MigrationReport> migrate_tag2domain_postgres(TagStore& ts, const std::string& url,
                                                    const std::string& schema,
                                                    std::size_t fetch_rows = 10000);

} // namespace dg::tags
