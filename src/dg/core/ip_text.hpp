#pragma once
// The text of an address or prefix without a heap allocation: for writers that format every
// address they store (the scan's JSON and SQL rows), where IPv6 text is too long for the small
// string of std::string. Same text as IpAddress::to_string() and Prefix::to_string().

#include "dg/core/prefix.hpp"

#include <cstdint>
#include <string_view>

namespace dg {

/// Holds "2001:db8::1" or "192.0.2.0/24" and the like (an IPv6 prefix is at most 49 bytes).
class IpText {
public:
    explicit IpText(const IpAddress& ip);
    explicit IpText(const Prefix& prefix);

    [[nodiscard]] std::string_view view() const { return {text_, size_}; }

private:
    char text_[56];
    std::uint8_t size_ = 0;
};

} // namespace dg
