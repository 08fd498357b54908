#pragma once
// PostgreSQL backend over libpq: streaming reads in single-row mode, bulk writes with COPY into
// temporary staging tables followed by INSERT ... SELECT, all in one transaction per batch.

#include "dg/store/store.hpp"

namespace dg::store::postgres {

/// Connects to `url` (a libpq connection URI, postgresql://user@host:port/db?...) and migrates.
/// Errors: Unavailable (cannot connect), Malformed (newer schema), Internal (SQL failure).
Result<std::unique_ptr<Store>> open(const std::string& url);

/// `url` with any password replaced by "***", for messages.
std::string redact_url(const std::string& url);

} // namespace dg::store::postgres
