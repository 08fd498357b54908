#pragma once
// Configuration for every command option, without the commands knowing (docs/cli/config.md).
//
// Priority: command-line flag > environment > configuration file > the option's default.
// For an option --long-name of command path P = [p1, ..., pn] (e.g. ["rib", "fetch"]):
//   environment: DOMAINGRAPH_P1_..._PN_LONG_NAME, then each shorter prefix of P, then
//                DOMAINGRAPH_LONG_NAME (upper case, '-' -> '_')
//   file keys:   p1. ... .pn.long-name, then each shorter prefix, then long-name
// Options without a long name (positionals) and --help/--version/--config are not configurable.
// Reserved variables that never act as an option's global form: DOMAINGRAPH_CONFIG,
// DOMAINGRAPH_CONFIG_DIR, DOMAINGRAPH_CACHE_DIR, DOMAINGRAPH_DATA_DIR (core/paths.hpp).
//
// Use (cli.cpp): add the --config option, register commands, then
//   cfg.prepare(app, argc, argv) -> app.parse(argc, argv) -> cfg.apply(app) -> run.
// Commands must read their option variables when they run (in the Runner), not in the
// subcommand callback: values from the environment or the file are applied after parsing.

#include "dg/config/config_file.hpp"
#include "dg/core/result.hpp"

#include <CLI/CLI.hpp>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace dg::config {

/// Where an effective value came from.
enum class Origin { Default, Flag, Env, File };

/// Reads an environment variable; the default reads the process environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

/// One option's effective value.
struct Setting {
    std::string command;             ///< command path joined by ' ' ("scan", "rib fetch"); "" = top
    std::string option;              ///< long name without dashes ("concurrency")
    std::string key;                 ///< most specific file key ("scan.concurrency")
    std::string env;                 ///< most specific variable ("DOMAINGRAPH_SCAN_CONCURRENCY")
    std::vector<std::string> values; ///< effective value; empty when unset and no known default
    bool is_list = false;            ///< the option takes several values
    Origin origin = Origin::Default;
    /// "flag", "env DOMAINGRAPH_DB", "file /home/u/.config/domaingraph/config.yaml:3", "default"
    std::string origin_text;
};

/// Which configuration file is used.
struct FileChoice {
    std::string path;                ///< empty: none (the default path does not exist)
    Origin origin = Origin::Default; ///< Flag (--config), Env ($DOMAINGRAPH_CONFIG), Default
    std::string origin_text;         ///< "flag", "env DOMAINGRAPH_CONFIG", "default"
};

/// The file key of `option` under command path `path` ("scan.concurrency"; "db" for an empty path).
std::string file_key(const std::vector<std::string>& path, std::string_view option);
/// The variable of `option` under `path` ("DOMAINGRAPH_SCAN_CONCURRENCY"; "DOMAINGRAPH_DB").
std::string env_name(const std::vector<std::string>& path, std::string_view option);
/// The configuration file path when neither --config nor $DOMAINGRAPH_CONFIG is given.
std::string default_config_path();

class CliConfig {
public:
    explicit CliConfig(EnvLookup env = {});

    /// Before parsing: chooses and loads the configuration file (--config FILE / --config=FILE
    /// before the command name in argv, else $DOMAINGRAPH_CONFIG, else default_config_path() if it
    /// exists), then finds the environment/file value of every long option of every command, and
    /// lifts `required` from options that have one. Unknown file keys become warnings().
    /// Errors: Malformed (bad YAML: "file:line: ..."), NotFound (an explicitly named file is
    /// missing), Io.
    Result<void> prepare(CLI::App& app, int argc, const char* const* argv);
    /// After parsing: gives each option of the parsed command chain that was not on the command
    /// line its environment/file value (add_result + run_callback, so validators run).
    /// Errors: InvalidArgument (an option rejected a value; the message names option, value and
    /// origin), or a required option has no value at all (as CLI11 would say).
    Result<void> apply(CLI::App& app);

    /// Unknown keys and ignored entries of the file ("file:line: unknown key 'scan.x'").
    [[nodiscard]] const std::vector<std::string>& warnings() const { return warnings_; }
    /// The file in use.
    [[nodiscard]] const FileChoice& file() const { return file_; }
    /// The loaded file (empty when none).
    [[nodiscard]] const ConfigFile& config_file() const { return config_file_; }

    /// Every long option of `command` (and only it) with its effective value and origin.
    /// Default values are read from the options (capture_default_str), hence non-const app.
    std::vector<Setting> settings(CLI::App& command) const;
    /// Every option, of any command, whose value comes from the environment or the file.
    [[nodiscard]] std::vector<Setting> overridden() const;
    /// The top-level value of `option` (variable DOMAINGRAPH_<OPTION>, else file key <option>),
    /// or nullopt when neither sets it. E.g. global("db").
    [[nodiscard]] std::optional<Setting> global(std::string_view option) const;

private:
    struct Candidate {
        std::vector<std::string> values;
        Origin origin = Origin::Default;
        std::string origin_text;
        std::string command;
        std::string option;
        std::string key;
        std::string env;
        bool is_list = false;
        bool relaxed_required = false;
    };
    void collect(CLI::App& app, std::vector<std::string>& path);
    std::optional<Candidate> find_value(const std::vector<std::string>& path,
                                        const CLI::Option& opt) const;
    void check_unknown_keys(CLI::App& app);
    Result<void> apply_chain(CLI::App& app);

    EnvLookup env_;
    FileChoice file_;
    ConfigFile config_file_;
    std::vector<std::string> warnings_;
    std::map<const CLI::Option*, Candidate> candidates_;
    std::set<const CLI::Option*> applied_; ///< options apply() gave a value
};

} // namespace dg::config
