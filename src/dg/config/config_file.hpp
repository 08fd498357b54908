#pragma once
// The YAML configuration file, flattened to dotted keys (docs/cli/config.md).
//
//   db: sqlite:///x.db                    -> "db"               = ["sqlite:///x.db"]
//   scan:                                 -> "scan.concurrency" = ["500"]
//     concurrency: 500                    -> "scan.resolver"    = ["127.0.0.1:5353"] (list)
//     resolver: [127.0.0.1:5353]
//   rib: {fetch: {max_age_days: 3}}       -> "rib.fetch.max-age-days" = ["3"]
//
// Keys: nested mappings are joined with '.', '_' in a key is read as '-'. Values: a scalar, or a
// list of scalars (for repeatable options); `null`/empty values are "not set".

#include "dg/core/result.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace dg::config {

/// One value written in the file.
struct FileValue {
    std::vector<std::string> items; ///< one item for a scalar; the elements of a list
    bool is_list = false;           ///< written as a YAML sequence
    std::uint64_t line = 0;         ///< 1-based line of the key
};

class ConfigFile {
public:
    ConfigFile() = default;
    /// Reads and parses `path`. Errors: NotFound, Io, Malformed (bad YAML, or the top level is not
    /// a mapping; message "path:line: ..." and Error::line set).
    static Result<ConfigFile> load(const std::string& path);
    /// Parses `text`; `name` is used in messages and as path(). Errors: Malformed.
    static Result<ConfigFile> parse(std::string_view text, const std::string& name);

    /// The value of `key` ("scan.concurrency"), or nullptr.
    [[nodiscard]] const FileValue* find(std::string_view key) const;
    /// Every key with its value, sorted by key.
    [[nodiscard]] const std::map<std::string, FileValue, std::less<>>& values() const {
        return values_;
    }
    /// The file's name as given to load()/parse().
    [[nodiscard]] const std::string& path() const { return path_; }
    /// Entries that were ignored while flattening (a mapping inside a list ...), "path:line: ...".
    [[nodiscard]] const std::vector<std::string>& warnings() const { return warnings_; }

private:
    std::string path_;
    std::map<std::string, FileValue, std::less<>> values_;
    std::vector<std::string> warnings_;
    friend struct FileBuilder;
};

} // namespace dg::config
