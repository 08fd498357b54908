#pragma once
// Error values carried across module boundaries (docs/error-handling.md).

#include <cstdint>
#include <optional>
#include <string>

namespace dg {

/// Canonical failure classes, with retry semantics (after abseil's status codes).
enum class ErrorCode {
    InvalidArgument,   ///< the caller's fault (bad option, bad name)
    Malformed,         ///< input data does not follow its format
    Unsupported,       ///< a valid feature we do not implement
    NotFound,          ///< file, scan, record absent
    Unavailable,       ///< transient: retry may succeed
    Timeout,           ///< an operation ran out of time
    ResourceExhausted, ///< a named limit was hit
    Cancelled,         ///< stopped by the user
    Io,                ///< the operating system refused
    Internal,          ///< our bug
    Conflict,          ///< someone else owns it now (a distributed scan's lost shard lease)
};

/// Whether an operation failing with `code` may succeed when simply tried again.
bool is_retryable(ErrorCode code);
/// Stable lower-case name of a code, e.g. "malformed".
const char* error_code_name(ErrorCode code);

/// What failed and where.
struct Error {
    ErrorCode code = ErrorCode::Internal;
    std::string message;                 ///< English, actionable
    std::string source;                  ///< file name, URL, "stdin", domain ... (may be empty)
    std::optional<std::uint64_t> offset; ///< byte offset in `source`
    std::optional<std::uint64_t> line;   ///< 1-based line number in `source`

    /// "source:line: message" / "source @offset N: message" / "message".
    [[nodiscard]] std::string to_string() const;
    /// Returns a copy with `source` (and optional offset/line) filled in where empty.
    [[nodiscard]] Error at(std::string where, std::optional<std::uint64_t> off = {},
                           std::optional<std::uint64_t> ln = {}) const;
};

/// Shorthand constructor.
inline Error make_error(ErrorCode code, std::string message) {
    return Error{code, std::move(message), {}, {}, {}};
}

} // namespace dg
