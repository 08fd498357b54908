#include "dg/core/error.hpp"

namespace dg {

bool is_retryable(ErrorCode code) {
    switch (code) {
    case ErrorCode::Unavailable:
    case ErrorCode::Timeout:
        return true;
    default:
        return false;
    }
}

const char* error_code_name(ErrorCode code) {
    switch (code) {
    case ErrorCode::InvalidArgument:
        return "invalid_argument";
    case ErrorCode::Malformed:
        return "malformed";
    case ErrorCode::Unsupported:
        return "unsupported";
    case ErrorCode::NotFound:
        return "not_found";
    case ErrorCode::Unavailable:
        return "unavailable";
    case ErrorCode::Timeout:
        return "timeout";
    case ErrorCode::ResourceExhausted:
        return "resource_exhausted";
    case ErrorCode::Cancelled:
        return "cancelled";
    case ErrorCode::Io:
        return "io";
    case ErrorCode::Conflict:
        return "conflict";
    default:
        return "internal";
    }
}

std::string Error::to_string() const {
    std::string out;
    if (!source.empty()) {
        out += source;
        if (line) {
            out += ":" + std::to_string(*line);
        }
        if (offset) {
            out += " @ offset " + std::to_string(*offset);
        }
        out += ": ";
    } else if (offset) {
        out += "offset " + std::to_string(*offset) + ": ";
    }
    out += message;
    return out;
}

Error Error::at(std::string where, std::optional<std::uint64_t> off,
                std::optional<std::uint64_t> ln) const {
    Error e = *this;
    if (e.source.empty()) {
        e.source = std::move(where);
    }
    if (!e.offset) {
        e.offset = off;
    }
    if (!e.line) {
        e.line = ln;
    }
    return e;
}

} // namespace dg
