#pragma once
// Autonomous system number (32-bit, RFC 6793), with asplain/asdot parsing (RFC 5396).

#include "dg/core/result.hpp"

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace dg {

class Asn {
public:
    constexpr Asn() = default;
    constexpr explicit Asn(std::uint32_t value) : value_(value) {}
    /// Accepts "64496", "AS64496", "as64496" and asdot "1.10" (= 65546). Errors: InvalidArgument.
    static Result<Asn> parse(std::string_view text);

    [[nodiscard]] constexpr std::uint32_t value() const { return value_; }
    /// asplain, e.g. "64496".
    [[nodiscard]] std::string to_string() const { return std::to_string(value_); }
    /// asdot+ per RFC 5396 ("1.10" for 65546, "64496" below 65536).
    [[nodiscard]] std::string to_asdot() const;
    /// Private use (RFC 6996): 64512-65534 and 4200000000-4294967294.
    [[nodiscard]] bool is_private() const;
    /// Reserved or not globally routable: 0 (RFC 7607), 23456 AS_TRANS (RFC 6793), documentation
    /// 64496-64511 and 65536-65551 (RFC 5398), 65535 and 4294967295 (RFC 7300), private ranges.
    [[nodiscard]] bool is_reserved() const;

    constexpr auto operator<=>(const Asn&) const = default;

private:
    std::uint32_t value_ = 0;
};

inline constexpr Asn kAsTrans{23456};

} // namespace dg
