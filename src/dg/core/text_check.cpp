#include "dg/core/text_check.hpp"

#include <cstdio>
#include <string>

namespace dg {
namespace {

Error refused(std::string_view what, const char* reason, std::size_t offset) {
    return make_error(ErrorCode::InvalidArgument, std::string(what) + " contains " + reason +
                                                      " at offset " + std::to_string(offset));
}

/// Length of the well-formed UTF-8 sequence at `i` (RFC 3629 §4), 0 when ill-formed.
std::size_t utf8_length(std::string_view s, std::size_t i) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        lo = c == 0xe0 ? 0xa0 : 0x80; // no overlong forms
        hi = c == 0xed ? 0x9f : 0xbf; // no surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        lo = c == 0xf0 ? 0x90 : 0x80;
        hi = c == 0xf4 ? 0x8f : 0xbf; // at most U+10FFFF
    } else {
        return 0;
    }
    if (i + len > s.size()) {
        return 0;
    }
    const auto second = static_cast<unsigned char>(s[i + 1]);
    if (second < lo || second > hi) {
        return 0;
    }
    for (std::size_t k = 2; k < len; ++k) {
        if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) {
            return 0;
        }
    }
    return len;
}

} // namespace

Result<void> check_text(std::string_view text, std::string_view what, TextRule rule) {
    if (rule == TextRule::NoNul) {
        const auto nul = text.find('\0');
        if (nul != std::string_view::npos) {
            return refused(what, "a NUL byte", nul);
        }
        return ok();
    }
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == 0) {
            return refused(what, "a NUL byte", i);
        }
        if (c < 0x20 || c == 0x7f) {
            const bool allowed =
                rule == TextRule::Multiline && (c == '\t' || c == '\n' || c == '\r');
            if (!allowed) {
                char code[16];
                std::snprintf(code, sizeof code, "U+%04X", c);
                return refused(what, (std::string("the control character ") + code).c_str(), i);
            }
        }
        if (c < 0x80) {
            ++i;
            continue;
        }
        const std::size_t len = utf8_length(text, i);
        if (len == 0) {
            return refused(what, "invalid UTF-8", i);
        }
        i += len;
    }
    return ok();
}

} // namespace dg
