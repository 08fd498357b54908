#include "dg/core/asn.hpp"

#include <charconv>

namespace dg {
namespace {
bool parse_u32(std::string_view s, std::uint64_t max, std::uint64_t& out) {
    if (s.empty() || s.size() > 10) {
        return false;
    }
    const auto* end = s.data() + s.size();
    auto [ptr, ec] = std::from_chars(s.data(), end, out);
    return ec == std::errc{} && ptr == end && out <= max;
}
} // namespace

Result<Asn> Asn::parse(std::string_view text) {
    std::string_view s = text;
    if (s.size() >= 2 && (s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's')) {
        s.remove_prefix(2);
    }
    const auto dot = s.find('.');
    std::uint64_t hi = 0;
    std::uint64_t lo = 0;
    if (dot == std::string_view::npos) {
        if (parse_u32(s, 0xFFFFFFFFULL, lo)) {
            return Asn(static_cast<std::uint32_t>(lo));
        }
    } else if (parse_u32(s.substr(0, dot), 0xFFFF, hi) &&
               parse_u32(s.substr(dot + 1), 0xFFFF, lo)) {
        return Asn(static_cast<std::uint32_t>((hi << 16) | lo));
    }
    return make_error(ErrorCode::InvalidArgument, "not an AS number: '" + std::string(text) + "'");
}

std::string Asn::to_asdot() const {
    if (value_ < 65536) {
        return std::to_string(value_);
    }
    return std::to_string(value_ >> 16) + "." + std::to_string(value_ & 0xFFFF);
}

bool Asn::is_private() const {
    return (value_ >= 64512 && value_ <= 65534) || (value_ >= 4200000000U && value_ <= 4294967294U);
}

bool Asn::is_reserved() const {
    return value_ == 0 || value_ == 23456 || (value_ >= 64496 && value_ <= 64511) ||
           (value_ >= 65536 && value_ <= 65551) || value_ == 65535 || value_ == 4294967295U ||
           is_private();
}

} // namespace dg
