#pragma once
// The domaingraph command line: parses arguments and calls the library.

namespace dg::cli {

/// Runs the command line; returns the process exit code (docs/cli/exit-codes.md).
int run(int argc, char** argv);

} // namespace dg::cli
