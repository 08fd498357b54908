#pragma once
// Process exit codes, documented in docs/cli/exit-codes.md.

namespace dg::cli {

inline constexpr int kExitOk = 0;         ///< everything done, input clean or recovered
inline constexpr int kExitFailure = 1;    ///< the operation failed (cannot open, cannot write ...)
inline constexpr int kExitUsage = 2;      ///< bad command line
inline constexpr int kExitDataErrors = 3; ///< done, but input was damaged (stream error, --strict)
inline constexpr int kExitInterrupted = 130; ///< Ctrl-C / SIGTERM; resumable work says how

} // namespace dg::cli
