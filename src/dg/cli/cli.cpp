#include "dg/cli/cli.hpp"

#include "dg/cli/commands.hpp"
#include "dg/cli/exit_codes.hpp"
#include "dg/config/cli_config.hpp"

#include <cstdio>
#include <exception>

namespace dg::cli {

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

int run(int argc, char** argv) {
    CLI::App app{"domaingraph: what the Internet under a set of domain names really is.\n"
                 "Maps domains to addresses, prefixes, origin ASes and organisations.\n"
                 "Run 'domaingraph COMMAND --help' for each command's options and examples."};
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
    register_config_commands(app, selected, config); // keep last: it sees every command
    if (const int rc = config_before_parse(app, config, argc, argv); rc >= 0) {
        return rc;
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
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
