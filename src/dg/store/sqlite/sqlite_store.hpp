#pragma once
// SQLite backend: one file, WAL mode, prepared statements cached per SQL text.

#include "dg/store/store.hpp"

namespace dg::store::sqlite {

/// Opens or creates the database file at `path` (its directory must exist) and migrates it.
/// Errors: Io (cannot open, read-only), Malformed (not a SQLite database, newer schema).
Result<std::unique_ptr<Store>> open(const std::string& path);

} // namespace dg::store::sqlite
