#pragma once
// The schema migrations (schema/NNNN_name.sql), embedded at build time, and their runner.

#include "dg/core/result.hpp"
#include "dg/store/internal/connection.hpp"

#include <span>
#include <string>

namespace dg::store::internal {

struct Migration {
    int version;
    const char* name;
    const char* sql; ///< with dialect placeholders {{serial}}, {{blob}}
};

/// All migrations, ascending by version (generated from schema/*.sql).
std::span<const Migration> migrations();

/// Substitutes the dialect placeholders.
std::string render_sql(const char* sql, Dialect dialect);

/// Applies every migration newer than the database's, in one transaction, recording each in
/// schema_migrations. Errors: Malformed when the database is newer than this program.
Result<void> migrate(Connection& c);

/// Highest applied version (0 when none).
Result<int> applied_version(Connection& c);

} // namespace dg::store::internal
