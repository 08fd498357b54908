#include "dg/cli/cli.hpp"

#include "dg/cli/commands.hpp"
#include "dg/cli/exit_codes.hpp"
#include "dg/config/cli_config.hpp"
#include "dg/core/suggest.hpp"
#include "dg/shards/lake.hpp"

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

namespace dg::cli {
namespace {

const CLI::Option* find_option(const CLI::App* app, const std::string& name) {
    for (; app != nullptr; app = app->get_parent()) {
        for (const CLI::Option* opt : app->get_options()) {
            if (!opt->get_positional() && opt->check_name(name)) {
                return opt;
            }
        }
    }
    return nullptr;
}

std::vector<std::string> option_names(const CLI::App* app) {
    std::vector<std::string> out;
    for (const CLI::Option* opt : app->get_options()) {
        for (const auto& l : opt->get_lnames()) {
            out.push_back("--" + l);
        }
        for (const auto& s : opt->get_snames()) {
            out.push_back("-" + s);
        }
    }
    return out;
}

bool takes_positionals(const CLI::App* app) {
    for (const CLI::Option* opt : app->get_options()) {
        if (opt->get_positional()) {
            return true;
        }
    }
    return false;
}

/// After a failed parse: walks argv down the command tree and names the first word it does not
/// know, an unknown command or option, with the closest known one ("did you mean"). "" when
/// it finds none (CLI11's own message is better then).
std::string diagnose(CLI::App& app, const std::vector<char*>& args) {
    CLI::App* cur = &app;
    std::string path = "domaingraph";
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string tok = args[i];
        if (tok == "--") {
            break;
        }
        if (tok.size() > 1 && tok[0] == '-') {
            const bool is_long = tok.starts_with("--");
            const std::string name = is_long ? tok.substr(0, tok.find('=')) : tok.substr(0, 2);
            const CLI::Option* opt = find_option(cur, name);
            if (opt == nullptr) {
                return "domaingraph: unknown option '" + name + "' for '" + path + "'" +
                       did_you_mean(name, option_names(cur)) + " (see '" + path + " --help')";
            }
            const bool inline_value = is_long ? tok.find('=') != std::string::npos : tok.size() > 2;
            if (opt->get_expected_min() > 0 && !inline_value) {
                ++i; // its value
            }
            continue;
        }
        const auto subs = cur->get_subcommands([](CLI::App*) { return true; });
        if (subs.empty()) {
            continue; // a positional argument
        }
        CLI::App* next = nullptr;
        std::vector<std::string> names;
        for (CLI::App* sub : subs) {
            names.push_back(sub->get_name());
            if (sub->check_name(tok)) {
                next = sub;
            }
        }
        if (next != nullptr) {
            cur = next;
            path += " " + next->get_name();
            continue;
        }
        if (!takes_positionals(cur)) {
            return "domaingraph: unknown command '" + tok + "'" +
                   (path == "domaingraph" ? std::string() : " for '" + path + "'") +
                   did_you_mean(tok, names) + " (see '" + path + " --help')";
        }
    }
    return "";
}

/// `domaingraph help [COMMAND...]` is `domaingraph [COMMAND...] --help`; `domaingraph version`
/// is `domaingraph --version`.
std::vector<char*> with_help_words(int argc, char** argv) {
    static char help_flag[] = "--help";
    static char version_flag[] = "--version";
    std::vector<char*> args(argv, argv + argc);
    if (argc >= 2 && std::string(argv[1]) == "help") {
        args.erase(args.begin() + 1);
        args.push_back(help_flag);
    } else if (argc == 2 && std::string(argv[1]) == "version") {
        args[1] = version_flag;
    }
    return args;
}

} // namespace

CLI::App& subcommand_group(CLI::App& app, const std::string& name, const std::string& description) {
    for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
        if (sub->get_name() == name) {
            return *sub;
        }
    }
    CLI::App* sub = app.add_subcommand(name, description);
    sub->require_subcommand(1);
    return *sub;
}

int run(int argc_in, char** argv_in) {
    shards::register_lake_results(); // every command reads lake scans like any other
    std::vector<char*> args = with_help_words(argc_in, argv_in);
    const int argc = static_cast<int>(args.size());
    char** argv = args.data();
    CLI::App app{"domaingraph: what the Internet under a set of domain names really is.\n"
                 "Maps domains to addresses, prefixes, origin ASes and organisations.\n"
                 "Run 'domaingraph COMMAND --help' (or 'domaingraph help COMMAND') for each "
                 "command's options and examples."};
    app.name("domaingraph");
    app.require_subcommand(1);
    app.set_version_flag("--version", "domaingraph 0.1.0");
    std::string config_file; // read from argv before parsing, by config::CliConfig::prepare
    app.add_option("--config", config_file,
                   "YAML configuration file (default: $DOMAINGRAPH_CONFIG, else "
                   "<config dir>/config.yaml); see 'domaingraph config --help'");
    config::CliConfig config;
    Runner selected;
    register_rib_commands(app, selected);
    register_lookup_command(app, selected);
    register_resolve_command(app, selected);
    register_scan_command(app, selected);
    register_worker_command(app, selected);
    register_watch_commands(app, selected);
    register_view_command(app, selected);
    register_diff_command(app, selected);
    register_scans_commands(app, selected);
    register_history_command(app, selected);
    register_export_command(app, selected);
    register_analytics_commands(app, selected);
    register_report_command(app, selected);
    register_tags_commands(app, selected);
    register_rib_fetch(subcommand_group(app, "rib", "Routing dumps (MRT): read, summarise, fetch"),
                       selected);
    register_rib_origins(
        subcommand_group(app, "rib", "Routing dumps (MRT): read, summarise, fetch"), selected);
    register_as2org_commands(app, selected);
    register_hostnames_commands(app, selected);
    register_serve_command(app, selected);
    register_resilience_commands(app, selected);
    register_ptr_commands(app, selected);
    register_rpki_commands(app, selected);
    register_config_commands(app, selected, config); // keep last: it sees every command
    if (const int rc = config_before_parse(app, config, argc, argv); rc >= 0) {
        return rc;
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() != 0) {
            if (const std::string hint = diagnose(app, args); !hint.empty()) {
                std::fprintf(stderr, "%s\n", hint.c_str());
                return kExitUsage;
            }
        }
        const int code = app.exit(e);
        return code == 0 ? kExitOk : kExitUsage;
    }
    if (const int rc = config_after_parse(app, config); rc >= 0) {
        return rc;
    }
    if (!selected) {
        std::fputs("domaingraph: no command selected; see --help\n", stderr);
        return kExitUsage;
    }
    try {
        return selected();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "domaingraph: internal error: %s\n", e.what());
        return kExitFailure;
    }
}

} // namespace dg::cli
