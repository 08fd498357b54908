#include "dg/config/cli_config.hpp"

#include "dg/core/paths.hpp"
#include "dg/core/suggest.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <set>
#include <sys/stat.h>

namespace dg::config {
namespace {

constexpr std::string_view kEnvPrefix = "DOMAINGRAPH_";
constexpr std::string_view kConfigEnv = "DOMAINGRAPH_CONFIG";
/// Variables with a meaning of their own: never the global form of an option.
constexpr std::array<std::string_view, 4> kReservedEnv = {
    "DOMAINGRAPH_CONFIG", "DOMAINGRAPH_CONFIG_DIR", "DOMAINGRAPH_CACHE_DIR",
    "DOMAINGRAPH_DATA_DIR"};
/// Long names that are about the command line itself.
constexpr std::array<std::string_view, 4> kNotConfigurable = {"help", "help-all", "version",
                                                              "config"};

bool file_exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

std::optional<std::string> process_env(const std::string& name) {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) {
        return std::nullopt;
    }
    return std::string(v);
}

std::string env_part(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (const char c : s) {
        out += c == '-' || c == '.'
                   ? '_'
                   : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
}

/// The option's configurable long name, or "" when it has none.
std::string config_name(const CLI::Option& opt) {
    const auto& names = opt.get_lnames();
    if (names.empty()) {
        return {};
    }
    const std::string& name = names.front();
    for (const auto n : kNotConfigurable) {
        if (name == n) {
            return {};
        }
    }
    return name;
}

bool takes_list(const CLI::Option& opt) {
    return opt.get_items_expected_max() > 1;
}

std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t comma = text.find(',', start);
        if (comma == std::string::npos) {
            comma = text.size();
        }
        std::string item = text.substr(start, comma - start);
        const auto first = item.find_first_not_of(" \t");
        if (first != std::string::npos) {
            item = item.substr(first, item.find_last_not_of(" \t") - first + 1);
            out.push_back(std::move(item));
        }
        start = comma + 1;
    }
    return out;
}

std::vector<std::string> prefix(const std::vector<std::string>& path, std::size_t n) {
    return {path.begin(), path.begin() + static_cast<std::ptrdiff_t>(n)};
}

std::string join(const std::vector<std::string>& parts, const char* sep) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i > 0) {
            out += sep;
        }
        out += parts[i];
    }
    return out;
}

/// Subcommands of `app` (parsed or not); option groups have an empty name.
std::vector<CLI::App*> children(CLI::App& app) {
    return app.get_subcommands([](CLI::App*) { return true; });
}

/// Options of `app` including those of its option groups.
void options_of(CLI::App& app, std::vector<CLI::Option*>& out) {
    for (CLI::Option* opt : app.get_options()) {
        out.push_back(opt);
    }
    for (CLI::App* sub : children(app)) {
        if (sub->get_name().empty()) {
            options_of(*sub, out);
        }
    }
}

std::vector<std::string> command_path(const CLI::App& command) {
    std::vector<std::string> path;
    for (const CLI::App* at = &command; at != nullptr && at->get_parent() != nullptr;
         at = at->get_parent()) {
        if (!at->get_name().empty()) {
            path.insert(path.begin(), at->get_name());
        }
    }
    return path;
}

/// A value for messages: "x" or "[x, y]".
std::string shown(const std::vector<std::string>& values) {
    return values.size() == 1 ? values.front() : "[" + join(values, ", ") + "]";
}

/// Whether an option that excludes `opt` was given (CLI11 records exclusions both ways).
bool excluded_by_command_line(const CLI::Option& opt) {
    for (const CLI::Option* other : opt.get_excludes()) {
        if (other->count() > 0) {
            return true;
        }
    }
    return false;
}

} // namespace

std::string file_key(const std::vector<std::string>& path, std::string_view option) {
    std::string key = join(path, ".");
    if (!key.empty()) {
        key += '.';
    }
    key += option;
    return key;
}

std::string env_name(const std::vector<std::string>& path, std::string_view option) {
    std::string name(kEnvPrefix);
    for (const auto& p : path) {
        name += env_part(p);
        name += '_';
    }
    name += env_part(option);
    return name;
}

std::string default_config_path() {
    return user_config_dir() + "/config.yaml";
}

CliConfig::CliConfig(EnvLookup env) : env_(env ? std::move(env) : EnvLookup(process_env)) {}

Result<void> CliConfig::prepare(CLI::App& app, int argc, const char* const* argv) {
    // 1. Which file: --config before the command name, $DOMAINGRAPH_CONFIG, the default path.
    std::optional<std::string> flag;
    for (int i = 1; i < argc && argv[i] != nullptr; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--config" && i + 1 < argc && argv[i + 1] != nullptr) {
            flag = argv[++i];
        } else if (arg.substr(0, 9) == "--config=") {
            flag = std::string(arg.substr(9));
        } else if (arg == "--" || arg.empty() || arg.front() != '-') {
            break;
        }
    }
    const auto env_file = env_(std::string(kConfigEnv));
    if (flag) {
        file_ = {*flag, Origin::Flag, "flag"};
    } else if (env_file && !env_file->empty()) {
        file_ = {*env_file, Origin::Env, "env " + std::string(kConfigEnv)};
    } else {
        const std::string fallback = default_config_path();
        file_ = {file_exists(fallback) ? fallback : std::string(), Origin::Default, "default"};
    }
    if (!file_.path.empty()) {
        auto loaded = ConfigFile::load(file_.path);
        if (!loaded) {
            Error e = loaded.error();
            if (e.code == ErrorCode::NotFound) {
                e.message = "configuration file (" + file_.origin_text + "): " + e.message;
            }
            return e;
        }
        config_file_ = std::move(loaded).value();
        for (const auto& w : config_file_.warnings()) {
            warnings_.push_back(w);
        }
    }
    // 2. Every option's value from the environment or the file.
    candidates_.clear();
    std::vector<std::string> path;
    collect(app, path);
    check_unknown_keys(app);
    return ok();
}

void CliConfig::collect(CLI::App& app, std::vector<std::string>& path) {
    std::vector<CLI::Option*> options;
    for (CLI::Option* opt : app.get_options()) {
        options.push_back(opt);
    }
    for (CLI::Option* opt : options) {
        auto found = find_value(path, *opt);
        if (!found) {
            continue;
        }
        if (opt->get_required()) {
            opt->required(false);
            found->relaxed_required = true;
        }
        candidates_.emplace(opt, std::move(*found));
    }
    for (CLI::App* sub : children(app)) {
        if (sub->get_name().empty()) {
            collect(*sub, path); // an option group: same command
            continue;
        }
        path.push_back(sub->get_name());
        collect(*sub, path);
        path.pop_back();
    }
}

std::optional<CliConfig::Candidate> CliConfig::find_value(const std::vector<std::string>& path,
                                                          const CLI::Option& opt) const {
    const std::string name = config_name(opt);
    if (name.empty()) {
        return std::nullopt;
    }
    Candidate c;
    c.command = join(path, " ");
    c.option = name;
    c.key = file_key(path, name);
    c.env = env_name(path, name);
    c.is_list = takes_list(opt);
    for (std::size_t n = path.size() + 1; n-- > 0;) {
        const std::string var = env_name(prefix(path, n), name);
        if (n == 0 &&
            std::find(kReservedEnv.begin(), kReservedEnv.end(), var) != kReservedEnv.end()) {
            continue;
        }
        const auto value = env_(var);
        if (!value || value->empty()) {
            continue;
        }
        c.values = c.is_list ? split_list(*value) : std::vector<std::string>{*value};
        c.origin = Origin::Env;
        c.origin_text = "env " + var;
        return c;
    }
    for (std::size_t n = path.size() + 1; n-- > 0;) {
        const FileValue* value = config_file_.find(file_key(prefix(path, n), name));
        if (value == nullptr || value->items.empty()) {
            continue;
        }
        c.values = value->items;
        c.origin = Origin::File;
        c.origin_text = "file " + config_file_.path() + ":" + std::to_string(value->line);
        return c;
    }
    return std::nullopt;
}

void CliConfig::check_unknown_keys(CLI::App& app) {
    if (config_file_.values().empty()) {
        return;
    }
    // Known: "<any prefix of a command path>.<option of that command or below>".
    std::set<std::string, std::less<>> known;
    std::vector<std::pair<CLI::App*, std::vector<std::string>>> todo{{&app, {}}};
    while (!todo.empty()) {
        auto [at, path] = todo.back();
        todo.pop_back();
        std::vector<CLI::Option*> options;
        options_of(*at, options);
        for (const CLI::Option* opt : options) {
            const std::string name = config_name(*opt);
            if (name.empty()) {
                continue;
            }
            for (std::size_t n = 0; n <= path.size(); ++n) {
                known.insert(file_key(prefix(path, n), name));
            }
        }
        for (CLI::App* sub : children(*at)) {
            if (!sub->get_name().empty()) {
                auto sub_path = path;
                sub_path.push_back(sub->get_name());
                todo.emplace_back(sub, std::move(sub_path));
            }
        }
    }
    const std::vector<std::string> known_keys(known.begin(), known.end());
    for (const auto& [key, value] : config_file_.values()) {
        if (known.count(key) == 0) {
            warnings_.push_back(config_file_.path() + ":" + std::to_string(value.line) +
                                ": unknown key '" + key + "' (no command has such an option" +
                                did_you_mean(key, known_keys) + "); ignored");
        }
    }
}

Result<void> CliConfig::apply(CLI::App& app) {
    return apply_chain(app);
}

Result<void> CliConfig::apply_chain(CLI::App& app) {
    std::vector<CLI::Option*> options;
    options_of(app, options);
    for (CLI::Option* opt : options) {
        const auto it = candidates_.find(opt);
        if (it == candidates_.end() || opt->count() > 0) {
            continue;
        }
        Candidate& c = it->second;
        if (excluded_by_command_line(*opt)) {
            continue; // e.g. a configured --json when the command line chose --pg
        }
        try {
            opt->add_result(c.values);
            opt->run_callback();
        } catch (const CLI::Error& e) {
            opt->clear();
            return make_error(ErrorCode::InvalidArgument, "--" + c.option + ": value '" +
                                                              shown(c.values) + "' from " +
                                                              c.origin_text + " (" + c.env +
                                                              " / key " + c.key + "): " + e.what());
        }
        applied_.insert(opt);
    }
    for (CLI::Option* opt : options) {
        const auto it = candidates_.find(opt);
        if (it != candidates_.end() && it->second.relaxed_required && opt->count() == 0) {
            return make_error(ErrorCode::InvalidArgument,
                              "--" + it->second.option + " is required");
        }
    }
    for (CLI::App* sub : children(app)) {
        if (!sub->get_name().empty() && sub->parsed()) {
            DG_TRY_VOID(apply_chain(*sub));
        }
    }
    return ok();
}

std::vector<Setting> CliConfig::settings(CLI::App& command) const {
    const std::vector<std::string> path = command_path(command);
    std::vector<CLI::Option*> options;
    options_of(command, options);
    std::vector<Setting> out;
    for (CLI::Option* opt : options) {
        const std::string name = config_name(*opt);
        if (name.empty()) {
            continue;
        }
        Setting s;
        s.command = join(path, " ");
        s.option = name;
        s.key = file_key(path, name);
        s.env = env_name(path, name);
        s.is_list = takes_list(*opt);
        const auto it = candidates_.find(opt);
        if (opt->count() > 0 && applied_.count(opt) == 0) {
            s.values = opt->results();
            s.origin = Origin::Flag;
            s.origin_text = "flag";
        } else if (it != candidates_.end()) {
            s.values = it->second.values;
            s.origin = it->second.origin;
            s.origin_text = it->second.origin_text;
        } else {
            opt->capture_default_str();
            const std::string def = opt->get_default_str();
            if (s.is_list && def.size() >= 2 && def.front() == '[' && def.back() == ']') {
                // CLI11 writes a list default as "[a,b]" ("[]" when empty): its items, not
                // one value "[]" (which `config show` printed as "[[]]")
                s.values = split_list(def.substr(1, def.size() - 2));
            } else if (!def.empty()) {
                s.values.push_back(def);
            } else if (opt->get_expected_max() == 0) {
                s.values.emplace_back("false"); // a flag not given (all our flags are bool)
            }
            s.origin = Origin::Default;
            s.origin_text = "default";
        }
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<Setting> CliConfig::overridden() const {
    std::vector<Setting> out;
    for (const auto& [opt, c] : candidates_) {
        Setting s;
        s.command = c.command;
        s.option = c.option;
        s.key = c.key;
        s.env = c.env;
        s.is_list = c.is_list;
        s.values = c.values;
        s.origin = c.origin;
        s.origin_text = c.origin_text;
        out.push_back(std::move(s));
    }
    std::sort(out.begin(), out.end(), [](const Setting& a, const Setting& b) {
        return std::tie(a.command, a.option) < std::tie(b.command, b.option);
    });
    return out;
}

std::optional<Setting> CliConfig::global(std::string_view option) const {
    const std::string name(option);
    Setting s;
    s.option = name;
    s.key = name;
    s.env = env_name({}, name);
    if (std::find(kReservedEnv.begin(), kReservedEnv.end(), s.env) == kReservedEnv.end()) {
        if (const auto value = env_(s.env); value && !value->empty()) {
            s.values = {*value};
            s.origin = Origin::Env;
            s.origin_text = "env " + s.env;
            return s;
        }
    }
    if (const FileValue* value = config_file_.find(name); value != nullptr) {
        s.values = value->items;
        s.is_list = value->is_list;
        s.origin = Origin::File;
        s.origin_text = "file " + config_file_.path() + ":" + std::to_string(value->line);
        return s;
    }
    return std::nullopt;
}

} // namespace dg::config
