#pragma once
// IPv4/IPv6 address value type.

#include "dg/core/result.hpp"

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace dg {

enum class IpFamily : std::uint8_t { V4 = 4, V6 = 6 };

/// An IPv4 or IPv6 address. IPv4 is stored in the first 4 bytes, network order.
class IpAddress {
public:
    IpAddress() = default;
    /// From a host-order IPv4 integer.
    static IpAddress v4(std::uint32_t host_order);
    /// From 4 (IPv4) or 16 (IPv6) network-order bytes.
    static IpAddress from_bytes(IpFamily family, const std::uint8_t* bytes);
    /// Parses dotted-quad or RFC 4291/5952 text. Errors: InvalidArgument.
    static Result<IpAddress> parse(std::string_view text);

    [[nodiscard]] IpFamily family() const { return family_; }
    [[nodiscard]] bool is_v4() const { return family_ == IpFamily::V4; }
    [[nodiscard]] int bit_width() const { return is_v4() ? 32 : 128; }
    [[nodiscard]] const std::array<std::uint8_t, 16>& bytes() const { return bytes_; }
    /// Host-order IPv4 value; only for v4 addresses.
    [[nodiscard]] std::uint32_t v4_value() const;
    /// Upper 64 bits of an IPv6 address in host order (v6 only).
    [[nodiscard]] std::uint64_t v6_high() const;
    [[nodiscard]] std::uint64_t v6_low() const;
    /// Bit `i` counted from the most significant bit.
    [[nodiscard]] bool bit(int i) const {
        return ((static_cast<unsigned>(bytes_[static_cast<std::size_t>(i / 8)]) >>
                 static_cast<unsigned>(7 - i % 8)) &
                1U) != 0;
    }
    /// Canonical text (RFC 5952 for IPv6).
    [[nodiscard]] std::string to_string() const;
    /// Copy with every bit from `length` on cleared.
    [[nodiscard]] IpAddress masked(int length) const;

    auto operator<=>(const IpAddress&) const = default;

private:
    IpFamily family_ = IpFamily::V4;
    std::array<std::uint8_t, 16> bytes_{};
};

} // namespace dg
