#pragma once
// Loading a VRP file for a command (`rpki validate|stats`, `lookup --vrps`): messages on stderr.

#include "dg/rpki/validator.hpp"

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

namespace dg::cli {

/// How a command reads its --vrps file.
struct VrpOptions {
    std::string path;            ///< --vrps (empty: none)
    std::string format = "auto"; ///< --vrps-format
    bool strict = false;         ///< --vrps-strict
};

/// Reads and indexes the VRP file; prints "COMMAND: FILE: N VRPs (format), ..." and the first
/// skipped entries on stderr. nullptr after printing the error. `command` prefixes messages
/// ("domaingraph rpki validate").
std::unique_ptr<rpki::VrpIndex> load_vrp_index(const VrpOptions& options,
                                               const std::string& command, bool quiet = false);

/// Adds --vrps (required or not), --vrps-format and --vrps-strict to `cmd`.
void add_vrp_options(CLI::App* cmd, VrpOptions& options, bool required);

/// The help text of --vrps, shared by the commands that take it.
inline constexpr const char* kVrpsHelp =
    "Validated ROA Payloads as an RPKI validator writes them: rpki-client's JSON (-j) or CSV "
    "(-c), Routinator's json, jsonext, csv, csvcompat or csvext (detected from the content; "
    "gzip/bzip2/zstd ok). Invalid entries are skipped and counted";

} // namespace dg::cli
