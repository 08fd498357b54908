#pragma once
// `--as2org` / `--names` of the commands that show AS names: the table, or a message.

#include "dg/org/org_table.hpp"

#include <cstdio>
#include <optional>
#include <string>

namespace dg::cli {

/// Reads the AS-organisation data at `path` into `out` (nothing when `path` is empty). False
/// after printing "COMMAND: as2org: ERROR" when it cannot be read.
inline bool load_org_table(const std::string& path, const char* command,
                           std::optional<org::OrgTable>& out) {
    if (path.empty()) {
        return true;
    }
    auto loaded = org::OrgTable::load(path);
    if (!loaded) {
        std::fprintf(stderr, "%s: as2org: %s\n", command, loaded.error().to_string().c_str());
        return false;
    }
    out.emplace(std::move(*loaded));
    return true;
}

} // namespace dg::cli
