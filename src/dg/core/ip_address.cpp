#include "dg/core/ip_address.hpp"

#include <arpa/inet.h>
#include <cstring>

namespace dg {

IpAddress IpAddress::v4(std::uint32_t host_order) {
    IpAddress a;
    a.family_ = IpFamily::V4;
    a.bytes_[0] = static_cast<std::uint8_t>(host_order >> 24);
    a.bytes_[1] = static_cast<std::uint8_t>(host_order >> 16);
    a.bytes_[2] = static_cast<std::uint8_t>(host_order >> 8);
    a.bytes_[3] = static_cast<std::uint8_t>(host_order);
    return a;
}

IpAddress IpAddress::from_bytes(IpFamily family, const std::uint8_t* bytes) {
    IpAddress a;
    a.family_ = family;
    std::memcpy(a.bytes_.data(), bytes, family == IpFamily::V4 ? 4 : 16);
    return a;
}

Result<IpAddress> IpAddress::parse(std::string_view text) {
    if (text.empty() || text.size() > 45) {
        return make_error(ErrorCode::InvalidArgument,
                          "not an IP address: '" + std::string(text.substr(0, 64)) + "'");
    }
    char buf[64];
    std::memcpy(buf, text.data(), text.size());
    buf[text.size()] = '\0';
    IpAddress a;
    if (text.find(':') == std::string_view::npos) {
        a.family_ = IpFamily::V4;
        if (inet_pton(AF_INET, buf, a.bytes_.data()) == 1) {
            return a;
        }
    } else {
        a.family_ = IpFamily::V6;
        if (inet_pton(AF_INET6, buf, a.bytes_.data()) == 1) {
            return a;
        }
    }
    return make_error(ErrorCode::InvalidArgument, "not an IP address: '" + std::string(text) + "'");
}

std::uint32_t IpAddress::v4_value() const {
    return (std::uint32_t{bytes_[0]} << 24) | (std::uint32_t{bytes_[1]} << 16) |
           (std::uint32_t{bytes_[2]} << 8) | std::uint32_t{bytes_[3]};
}

std::uint64_t IpAddress::v6_high() const {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 8; ++i) {
        v = (v << 8) | bytes_[i];
    }
    return v;
}

std::uint64_t IpAddress::v6_low() const {
    std::uint64_t v = 0;
    for (std::size_t i = 8; i < 16; ++i) {
        v = (v << 8) | bytes_[i];
    }
    return v;
}

std::string IpAddress::to_string() const {
    if (is_v4()) {
        // Dotted quad by hand: glibc's inet_ntop formats IPv4 with sprintf, and a scan formats
        // every address it stores (a tenth of the store thread's time went there).
        char quad[16];
        char* out = quad;
        for (std::size_t i = 0; i < 4; ++i) {
            const unsigned v = bytes_[i];
            if (v >= 100) {
                *out++ = static_cast<char>('0' + v / 100);
            }
            if (v >= 10) {
                *out++ = static_cast<char>('0' + v / 10 % 10);
            }
            *out++ = static_cast<char>('0' + v % 10);
            if (i != 3) {
                *out++ = '.';
            }
        }
        return {quad, static_cast<std::size_t>(out - quad)};
    }
    char buf[INET6_ADDRSTRLEN];
    const char* r = inet_ntop(is_v4() ? AF_INET : AF_INET6, bytes_.data(), buf, sizeof buf);
    return r != nullptr ? std::string(r) : std::string("?");
}

IpAddress IpAddress::masked(int length) const {
    IpAddress m = *this;
    const int width = bit_width();
    for (int i = length < 0 ? 0 : length; i < width; ++i) {
        if (i % 8 == 0 && i + 8 <= width) {
            m.bytes_[static_cast<std::size_t>(i / 8)] = 0;
            i += 7;
            continue;
        }
        m.bytes_[static_cast<std::size_t>(i / 8)] &=
            static_cast<std::uint8_t>(~(1U << (7 - i % 8)));
    }
    return m;
}

} // namespace dg
