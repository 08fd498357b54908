#include "dg/core/prefix.hpp"

#include <charconv>

namespace dg {

Prefix::Prefix(IpAddress network, int length) : network_(network.masked(length)), length_(length) {
    DG_ASSERT(length >= 0 && length <= network.bit_width());
}

Result<Prefix> Prefix::parse(std::string_view text, bool allow_host_bits) {
    const auto slash = text.find('/');
    DG_TRY(IpAddress ip, IpAddress::parse(text.substr(0, slash)));
    int length = ip.bit_width();
    if (slash != std::string_view::npos) {
        const auto len_text = text.substr(slash + 1);
        const auto* end = len_text.data() + len_text.size();
        auto [ptr, ec] = std::from_chars(len_text.data(), end, length);
        if (ec != std::errc{} || ptr != end || len_text.empty() || length < 0 ||
            length > ip.bit_width()) {
            return make_error(ErrorCode::InvalidArgument,
                              "bad prefix length in '" + std::string(text) + "'");
        }
    }
    Prefix p(ip, length);
    if (!allow_host_bits && p.network_ != ip) {
        return make_error(ErrorCode::InvalidArgument,
                          "host bits set past the mask in '" + std::string(text) + "'");
    }
    return p;
}

bool Prefix::contains(const IpAddress& ip) const {
    return ip.family() == family() && ip.masked(length_) == network_;
}

std::string Prefix::to_string() const {
    return network_.to_string() + "/" + std::to_string(length_);
}

} // namespace dg
