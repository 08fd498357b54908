// domaingraph config show [COMMAND ...] [--json] | config path  (docs/cli/config.md)
// and the configuration pass around argument parsing (called from cli.cpp).
#include "dg/cli/commands.hpp"
#include "dg/cli/exit_codes.hpp"
#include "dg/config/cli_config.hpp"
#include "dg/core/paths.hpp"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace dg::cli {
namespace {

struct ShowOptions {
    std::vector<std::string> command;
    bool json = false;
};

bool exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

/// The command named by `words` ("rib", "fetch"), or nullptr.
CLI::App* find_command(CLI::App& app, const std::vector<std::string>& words) {
    CLI::App* at = &app;
    for (const auto& word : words) {
        CLI::App* next = nullptr;
        for (CLI::App* sub : at->get_subcommands([](CLI::App*) { return true; })) {
            if (!sub->get_name().empty() && sub->get_name() == word) {
                next = sub;
            }
        }
        if (next == nullptr) {
            return nullptr;
        }
        at = next;
    }
    return at;
}

/// Every configurable long-option name of every command, sorted.
void option_names(CLI::App& app, std::set<std::string>& out) {
    for (const CLI::Option* opt : app.get_options()) {
        if (!opt->get_lnames().empty()) {
            out.insert(opt->get_lnames().front());
        }
    }
    for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
        option_names(*sub, out);
    }
}

std::string default_db() {
    return "sqlite://" + user_data_dir() + "/domaingraph.db";
}

/// What `config show` prints without a command: the file, db, other top-level values, and every
/// command-specific value from the environment or the file.
std::vector<config::Setting> overview(CLI::App& app, const config::CliConfig& cfg) {
    std::vector<config::Setting> out;
    auto db = cfg.global("db");
    if (!db) {
        db = config::Setting{};
        db->option = "db";
        db->key = "db";
        db->env = config::env_name({}, "db");
        db->values = {default_db()};
        db->origin_text = "default";
    }
    out.push_back(*db);
    std::set<std::string> names;
    option_names(app, names);
    names.erase("db");
    for (const auto& name : {"help", "help-all", "version", "config"}) {
        names.erase(name);
    }
    for (const auto& name : names) {
        if (auto g = cfg.global(name)) {
            out.push_back(*g);
        }
    }
    for (auto& s : cfg.overridden()) {
        const auto g = cfg.global(s.option);
        if (g && g->origin_text == s.origin_text) {
            continue; // shown by the top-level line
        }
        out.push_back(std::move(s));
    }
    return out;
}

nlohmann::ordered_json value_json(const config::Setting& s) {
    if (s.values.empty()) {
        return s.is_list ? nlohmann::ordered_json::array() : nlohmann::ordered_json(nullptr);
    }
    if (s.is_list || s.values.size() > 1) {
        return s.values;
    }
    return s.values.front();
}

std::string value_text(const config::Setting& s) {
    if (s.values.empty()) {
        return s.is_list ? "[]" : "-";
    }
    if (s.is_list || s.values.size() > 1) {
        std::string out = "[";
        for (std::size_t i = 0; i < s.values.size(); ++i) {
            out += (i > 0 ? ", " : "") + s.values[i];
        }
        return out + "]";
    }
    return s.values.front();
}

void print(const config::CliConfig& cfg, const std::vector<config::Setting>& settings, bool json) {
    const auto& file = cfg.file();
    const std::string path = file.path.empty() ? config::default_config_path() : file.path;
    const bool found = !file.path.empty() && exists(file.path);
    if (json) {
        nlohmann::ordered_json j;
        j["config_file"] = {{"path", path}, {"origin", file.origin_text}, {"exists", found}};
        auto list = nlohmann::ordered_json::array();
        for (const auto& s : settings) {
            list.push_back({{"key", s.key},
                            {"value", value_json(s)},
                            {"origin", s.origin_text},
                            {"env", s.env}});
        }
        j["settings"] = std::move(list);
        j["warnings"] = cfg.warnings();
        std::printf("%s\n", j.dump(2).c_str());
        return;
    }
    std::printf("# config file: %s (%s%s)\n", path.c_str(), file.origin_text.c_str(),
                found ? "" : "; does not exist");
    std::size_t width = 0;
    for (const auto& s : settings) {
        width = std::max(width, s.key.size());
    }
    for (const auto& s : settings) {
        std::printf("%-*s = %s  (%s)\n", static_cast<int>(width), s.key.c_str(),
                    value_text(s).c_str(), s.origin_text.c_str());
    }
}

int run_show(CLI::App& app, const config::CliConfig& cfg, const ShowOptions& opts) {
    if (opts.command.empty()) {
        print(cfg, overview(app, cfg), opts.json);
        return kExitOk;
    }
    CLI::App* command = find_command(app, opts.command);
    if (command == nullptr) {
        std::string words;
        for (const auto& w : opts.command) {
            words += (words.empty() ? "" : " ") + w;
        }
        std::fprintf(stderr, "domaingraph config show: no command '%s'\n", words.c_str());
        return kExitUsage;
    }
    print(cfg, cfg.settings(*command), opts.json);
    return kExitOk;
}

int run_path(const config::CliConfig& cfg) {
    const auto& file = cfg.file();
    const std::string path = file.path.empty() ? config::default_config_path() : file.path;
    std::printf("%s\n", path.c_str());
    if (!exists(path)) {
        std::fprintf(stderr, "domaingraph config path: %s does not exist (%s)\n", path.c_str(),
                     file.origin_text.c_str());
    }
    return kExitOk;
}

} // namespace

void register_config_commands(CLI::App& app, Runner& selected, config::CliConfig& cfg) {
    CLI::App& group = subcommand_group(
        app, "config",
        "Configuration: every option can also be set by an environment variable\n"
        "(DOMAINGRAPH_<COMMAND>_<OPTION>, DOMAINGRAPH_<OPTION>) or in the YAML file\n"
        "(<command>.<option>, <option>); priority flag > environment > file > default.");
    auto show_opts = std::make_shared<ShowOptions>();
    CLI::App* show = group.add_subcommand(
        "show",
        "Print the effective configuration and where each value came from.\n"
        "Without COMMAND: the config file, db, and every value set by environment or file.\n"
        "With COMMAND (e.g. 'scan', 'rib fetch'): every option of that command.");
    show->add_option("command", show_opts->command, "Command words, e.g. scan");
    show->add_flag("--json", show_opts->json, "One JSON object");
    show->callback([show_opts, &selected, &app, &cfg] {
        selected = [show_opts, &app, &cfg] { return run_show(app, cfg, *show_opts); };
    });
    CLI::App* path = group.add_subcommand("path", "Print the configuration file's path");
    path->callback([&selected, &cfg] { selected = [&cfg] { return run_path(cfg); }; });
}

int config_before_parse(CLI::App& app, config::CliConfig& cfg, int argc, char** argv) {
    auto prepared = cfg.prepare(app, argc, argv);
    if (!prepared) {
        std::fprintf(stderr, "domaingraph: configuration: %s\n",
                     prepared.error().to_string().c_str());
        return kExitUsage;
    }
    for (const auto& warning : cfg.warnings()) {
        std::fprintf(stderr, "domaingraph: warning: %s\n", warning.c_str());
    }
    return -1;
}

int config_after_parse(CLI::App& app, config::CliConfig& cfg) {
    auto applied = cfg.apply(app);
    if (!applied) {
        std::fprintf(stderr, "domaingraph: %s\n", applied.error().to_string().c_str());
        return kExitUsage;
    }
    return -1;
}

} // namespace dg::cli
