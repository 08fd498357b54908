#pragma once
// Per-user directories (XDG Base Directory spec), each overridable by an environment variable.

#include "dg/core/result.hpp"

#include <string>

namespace dg {

/// $DOMAINGRAPH_CACHE_DIR, else $XDG_CACHE_HOME/domaingraph, else ~/.cache/domaingraph.
std::string user_cache_dir();
/// $DOMAINGRAPH_DATA_DIR, else $XDG_DATA_HOME/domaingraph, else ~/.local/share/domaingraph.
std::string user_data_dir();
/// $DOMAINGRAPH_CONFIG_DIR, else $XDG_CONFIG_HOME/domaingraph, else ~/.config/domaingraph.
std::string user_config_dir();
/// Creates `dir` and its parents. Errors: Io.
Result<void> ensure_directory(const std::string& dir);

} // namespace dg
