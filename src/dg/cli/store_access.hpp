#pragma once
// Shared by the commands that read the history database (diff, scans, history): the --db option,
// opening the store and writing a command's output to stdout or a file.

#include "dg/cli/exit_codes.hpp"
#include "dg/core/output_file.hpp"
#include "dg/core/result.hpp"
#include "dg/store/store.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>

namespace dg::cli {

/// `--db URL` with the common help text.
inline void add_db_option(CLI::App* cmd, std::string& url) {
    cmd->add_option("--db", url,
                    "history database: sqlite:///path.db, a path, or postgresql://... (default: "
                    "SQLite in the user data directory)");
}

/// "domaingraph CMD: MESSAGE" on stderr; the exit code for the error (usage for bad arguments).
inline int report_error(const char* command, const Error& e) {
    std::fprintf(stderr, "domaingraph %s: %s\n", command, e.message.c_str());
    return e.code == ErrorCode::InvalidArgument ? kExitUsage : kExitFailure;
}

/// Opens the store, or says why not (nullptr).
inline std::unique_ptr<store::Store> open_store_or_report(const char* command,
                                                          const std::string& url) {
    auto s = store::Store::open(url);
    if (!s) {
        // The URL is not repeated: it may hold a password.
        std::fprintf(stderr, "domaingraph %s: cannot open the database: %s\n", command,
                     s.error().message.c_str());
        return nullptr;
    }
    return std::move(*s);
}

/// Writes `text` to `path` ("-" or "" = stdout) through the shared `-o` helper
/// (dg/core/output_file.hpp). False (with a message) when it cannot.
inline bool write_output(const char* command, const std::string& path, const std::string& text) {
    auto w = write_output_file(path.empty() ? "-" : path, text);
    if (!w) {
        std::fprintf(stderr, "domaingraph %s: cannot write %s: %s\n", command,
                     path.empty() || path == "-" ? "stdout" : path.c_str(),
                     w.error().message.c_str());
        return false;
    }
    return true;
}

} // namespace dg::cli
