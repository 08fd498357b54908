#pragma once
// Small helpers for the tags module's SQL (internal to src/dg/tags/).

#include "dg/store/internal/connection.hpp"

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace dg::tags {

using store::internal::opt_view;
using store::internal::view;

inline std::optional<std::string> opt_string(const store::internal::Row& r, int col) {
    return r.is_null(col) ? std::nullopt : std::optional<std::string>(std::string(r.text(col)));
}

inline std::optional<double> opt_double(const store::internal::Row& r, int col) {
    if (r.is_null(col)) {
        return std::nullopt;
    }
    const std::string s(r.text(col));
    return std::strtod(s.c_str(), nullptr);
}

inline std::optional<bool> opt_bool(const store::internal::Row& r, int col) {
    return r.is_null(col) ? std::nullopt : std::optional<bool>(r.integer(col) != 0);
}

inline nlohmann::json parse_json_object(std::string_view text) {
    auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    return j.is_object() ? j : nlohmann::json::object();
}

inline store::internal::Value bool_value(bool b) {
    return store::internal::Value(std::int64_t{b ? 1 : 0});
}

inline store::internal::Value opt_bool_value(std::optional<bool> b) {
    return b ? bool_value(*b) : store::internal::Value();
}

/// A double bound as text (both dialects convert it into the DOUBLE PRECISION column).
inline store::internal::Value opt_double_value(std::optional<double> d) {
    if (!d) {
        return {};
    }
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", *d);
    return store::internal::Value(std::string(buf));
}

} // namespace dg::tags
