#include "dg/core/paths.hpp"

#include <cstdlib>
#include <filesystem>

namespace dg {
namespace {

std::string env_or_empty(const char* name) {
    const char* v = std::getenv(name);
    return v != nullptr ? std::string(v) : std::string();
}

std::string resolve_dir(const char* own_var, const char* xdg_var, const char* home_suffix) {
    if (auto own = env_or_empty(own_var); !own.empty()) {
        return own;
    }
    if (auto xdg = env_or_empty(xdg_var); !xdg.empty()) {
        return xdg + "/domaingraph";
    }
    auto home = env_or_empty("HOME");
    if (home.empty()) {
        home = "/tmp";
    }
    return home + "/" + home_suffix + "/domaingraph";
}

} // namespace

std::string user_cache_dir() {
    return resolve_dir("DOMAINGRAPH_CACHE_DIR", "XDG_CACHE_HOME", ".cache");
}
std::string user_data_dir() {
    return resolve_dir("DOMAINGRAPH_DATA_DIR", "XDG_DATA_HOME", ".local/share");
}
std::string user_config_dir() {
    return resolve_dir("DOMAINGRAPH_CONFIG_DIR", "XDG_CONFIG_HOME", ".config");
}

Result<void> ensure_directory(const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
        return Error{ErrorCode::Io, "cannot create directory: " + ec.message(), dir, {}, {}};
    }
    return ok();
}

} // namespace dg
