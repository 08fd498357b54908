#pragma once
// Small text helpers shared by the line-oriented readers.

#include <string_view>

namespace dg {

/// `s` without leading and trailing characters from `chars` (default: blanks and line ends).
inline std::string_view trim(std::string_view s, std::string_view chars = " \t\r\n") {
    const auto first = s.find_first_not_of(chars);
    if (first == std::string_view::npos) {
        return {};
    }
    return s.substr(first, s.find_last_not_of(chars) - first + 1);
}

} // namespace dg
