#include "dg/core/ip_address.hpp"

#include "dg/core/ip_text.hpp"

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

namespace {

/// The decimal digits of `v` (below 1000) into `out`; returns the end.
char* put_small(unsigned v, char* out) {
    if (v >= 100) {
        *out++ = static_cast<char>('0' + v / 100);
    }
    if (v >= 10) {
        *out++ = static_cast<char>('0' + v / 10 % 10);
    }
    *out++ = static_cast<char>('0' + v % 10);
    return out;
}

/// Dotted quad by hand into `out`; returns the end. glibc's inet_ntop formats with sprintf, and
/// a scan formats every address it stores (a tenth of the store thread's time went there).
char* put_quad(const std::uint8_t* b, char* out) {
    for (std::size_t i = 0; i < 4; ++i) {
        out = put_small(b[i], out);
        if (i != 3) {
            *out++ = '.';
        }
    }
    return out;
}

/// The longest run of zero 16-bit words (the first of equal ones), as inet_ntop6 picks it: none
/// (base -1) when it is shorter than two words.
struct ZeroRun {
    int base = -1;
    int len = 0;
};

ZeroRun longest_zero_run(const std::uint16_t (&words)[8]) {
    ZeroRun best;
    ZeroRun cur;
    for (int i = 0; i < 8; ++i) {
        if (words[i] == 0) {
            cur.base = cur.base == -1 ? i : cur.base;
            ++cur.len;
            continue;
        }
        if (cur.base != -1 && cur.len > best.len) {
            best = cur;
        }
        cur = ZeroRun{};
    }
    if (cur.base != -1 && cur.len > best.len) {
        best = cur;
    }
    return best.len < 2 ? ZeroRun{} : best;
}

/// RFC 5952 text, byte for byte what glibc's inet_ntop6 writes (lower-case hex, the longest zero
/// run as "::", "::a.b.c.d" and "::ffff:a.b.c.d" for IPv4-compatible and -mapped addresses),
/// without its sprintf per word: AAAA and name-server addresses are formatted for every stored
/// result.
char* put_v6(const std::array<std::uint8_t, 16>& b, char* out) {
    std::uint16_t words[8];
    for (std::size_t i = 0; i < 8; ++i) {
        words[i] = static_cast<std::uint16_t>((b[2 * i] << 8) | b[2 * i + 1]);
    }
    const ZeroRun zeros = longest_zero_run(words);
    for (int i = 0; i < 8; ++i) {
        if (zeros.base != -1 && i >= zeros.base && i < zeros.base + zeros.len) {
            if (i == zeros.base) {
                *out++ = ':';
            }
            continue;
        }
        if (i != 0) {
            *out++ = ':';
        }
        if (i == 6 && zeros.base == 0 &&
            (zeros.len == 6 || (zeros.len == 5 && words[5] == 0xffff))) {
            out = put_quad(b.data() + 12, out);
            break;
        }
        static constexpr char kHex[] = "0123456789abcdef";
        bool started = false;
        for (unsigned shift = 16; shift != 0;) {
            shift -= 4;
            const unsigned nibble = (static_cast<unsigned>(words[i]) >> shift) & 0xFU;
            if (started || nibble != 0 || shift == 0) {
                *out++ = kHex[nibble];
                started = true;
            }
        }
    }
    if (zeros.base != -1 && zeros.base + zeros.len == 8) {
        *out++ = ':';
    }
    return out;
}

/// The address's text into `out` (room for 46 bytes); returns the end.
char* put_address(const IpAddress& ip, char* out) {
    return ip.is_v4() ? put_quad(ip.bytes().data(), out) : put_v6(ip.bytes(), out);
}

} // namespace

std::string IpAddress::to_string() const {
    char text[48];
    return {text, static_cast<std::size_t>(put_address(*this, text) - text)};
}

IpText::IpText(const IpAddress& ip)
    : size_(static_cast<std::uint8_t>(put_address(ip, text_) - text_)) {}

IpText::IpText(const Prefix& prefix) {
    char* out = put_address(prefix.network(), text_);
    *out++ = '/';
    out = put_small(static_cast<unsigned>(prefix.length()), out);
    size_ = static_cast<std::uint8_t>(out - text_);
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
