#pragma once
// SQLite backend: one file, WAL mode, prepared statements cached per SQL text.

#include "dg/store/store.hpp"

namespace dg::store::sqlite {

/// How a `sqlite:` URL's `?mode=` opens the file (SQLite's URI modes).
enum class OpenMode : std::uint8_t {
    ReadWriteCreate, ///< mode=rwc (the default): created when absent, migrated
    ReadWrite,       ///< mode=rw: must exist, migrated
    ReadOnly,        ///< mode=ro: must exist with the current schema; every write fails (Io)
};

/// Opens (or, with ReadWriteCreate, creates) the database file at `path` (its directory must
/// exist) and migrates it. Errors: Io (cannot open, missing with rw/ro, read-only file),
/// Malformed (not a SQLite database, newer schema; ro: an older schema).
Result<std::unique_ptr<Store>> open(const std::string& path,
                                    OpenMode mode = OpenMode::ReadWriteCreate);

} // namespace dg::store::sqlite
