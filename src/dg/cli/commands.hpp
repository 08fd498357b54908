#pragma once
// Each command group registers its subcommands here. A subcommand's callback stores the function
// to run in `selected`; cli::run() calls it after parsing succeeded.

#include <CLI/CLI.hpp>
#include <functional>

namespace dg::config {
class CliConfig;
} // namespace dg::config

namespace dg::cli {

using Runner = std::function<int()>;

/// The subcommand `name` of `app`, created (with `description`) when it does not exist yet.
CLI::App& subcommand_group(CLI::App& app, const std::string& name, const std::string& description);

void register_rib_commands(CLI::App& app, Runner& selected);        // cmd_rib.cpp
void register_lookup_command(CLI::App& app, Runner& selected);      // cmd_lookup.cpp
void register_resolve_command(CLI::App& app, Runner& selected);     // cmd_resolve.cpp
void register_scan_command(CLI::App& app, Runner& selected);        // cmd_scan.cpp
void register_export_command(CLI::App& app, Runner& selected);      // cmd_export.cpp
void register_analytics_commands(CLI::App& app, Runner& selected);  // cmd_analytics.cpp
void register_report_command(CLI::App& app, Runner& selected);      // cmd_report.cpp
void register_tags_commands(CLI::App& app, Runner& selected);       // cmd_tags.cpp
void register_rib_fetch(CLI::App& rib, Runner& selected);           // cmd_rib_fetch.cpp
void register_rib_origins(CLI::App& rib, Runner& selected);         // cmd_rib_origins.cpp
void register_diff_command(CLI::App& app, Runner& selected);        // cmd_diff.cpp
void register_scans_commands(CLI::App& app, Runner& selected);      // cmd_scans.cpp
void register_history_command(CLI::App& app, Runner& selected);     // cmd_history.cpp
void register_as2org_commands(CLI::App& app, Runner& selected);     // cmd_as2org.cpp
void register_hostnames_commands(CLI::App& app, Runner& selected);  // cmd_hostnames.cpp
void register_serve_command(CLI::App& app, Runner& selected);       // cmd_serve.cpp
void register_resilience_commands(CLI::App& app, Runner& selected); // cmd_resilience.cpp
void register_ptr_commands(CLI::App& app, Runner& selected);        // cmd_ptr.cpp
void register_rpki_commands(CLI::App& app, Runner& selected);       // cmd_rpki.cpp
void register_worker_command(CLI::App& app, Runner& selected);      // cmd_worker.cpp
void register_watch_commands(CLI::App& app, Runner& selected);      // cmd_watch.cpp
void register_view_command(CLI::App& app, Runner& selected);        // cmd_view.cpp
/// `scans progress` and `scans retry-failed` (cmd_worker.cpp).
void register_distributed_scans_commands(CLI::App& scans, Runner& selected);
/// `config show|path`; `cfg` is the configuration pass run around parsing (cmd_config.cpp).
void register_config_commands(CLI::App& app, Runner& selected, config::CliConfig& cfg);
/// Before app.parse(): loads the configuration; returns an exit code to stop with, or -1.
int config_before_parse(CLI::App& app, config::CliConfig& cfg, int argc, char** argv);
/// After app.parse(): applies environment/file values; returns an exit code to stop with, or -1.
int config_after_parse(CLI::App& app, config::CliConfig& cfg);

} // namespace dg::cli
