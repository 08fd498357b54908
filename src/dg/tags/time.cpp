#include "dg/tags/time.hpp"

#include <cstdio>

namespace dg::tags {
namespace {

constexpr Micros kMicrosPerSecond = 1'000'000;

// Howard Hinnant's days_from_civil / civil_from_days.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
    std::int64_t year;
    unsigned month;
    unsigned day;
};

Civil civil_from_days(std::int64_t z) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return {y + (m <= 2 ? 1 : 0), m, d};
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

/// Reads exactly `n` digits at `pos`.
bool digits(std::string_view s, std::size_t& pos, std::size_t n, unsigned& out) {
    if (pos + n > s.size()) {
        return false;
    }
    out = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (!is_digit(s[pos + i])) {
            return false;
        }
        out = out * 10 + static_cast<unsigned>(s[pos + i] - '0');
    }
    pos += n;
    return true;
}

bool expect(std::string_view s, std::size_t& pos, char c) {
    if (pos < s.size() && s[pos] == c) {
        ++pos;
        return true;
    }
    return false;
}

unsigned days_in_month(std::int64_t y, unsigned m) {
    static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : kDays[m - 1];
}

Error bad_time(std::string_view text) {
    return make_error(ErrorCode::InvalidArgument,
                      "invalid datetime '" + std::string(text.substr(0, 64)) +
                          "' (expected YYYY-MM-DDTHH:MM[:SS[.ffffff]][Z|+HH:MM])");
}

} // namespace

bool has_zone(std::string_view text) {
    if (text.empty()) {
        return false;
    }
    if (text.back() == 'Z' || text.back() == 'z') {
        return true;
    }
    // an offset: the last '+' or '-' after the time separator
    const auto t = text.find_first_of("T t");
    if (t == std::string_view::npos) {
        return false;
    }
    return text.find_first_of("+-", t) != std::string_view::npos;
}

Result<Micros> parse_time(std::string_view s) {
    std::size_t pos = 0;
    unsigned y = 0;
    unsigned mo = 0;
    unsigned d = 0;
    unsigned h = 0;
    unsigned mi = 0;
    unsigned sec = 0;
    if (!digits(s, pos, 4, y) || !expect(s, pos, '-') || !digits(s, pos, 2, mo) ||
        !expect(s, pos, '-') || !digits(s, pos, 2, d)) {
        return bad_time(s);
    }
    if (pos >= s.size() || (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ')) {
        return bad_time(s);
    }
    ++pos;
    if (!digits(s, pos, 2, h) || !expect(s, pos, ':') || !digits(s, pos, 2, mi)) {
        return bad_time(s);
    }
    Micros frac = 0;
    if (expect(s, pos, ':')) {
        if (!digits(s, pos, 2, sec)) {
            return bad_time(s);
        }
        if (expect(s, pos, '.')) {
            Micros scale = 100'000;
            const std::size_t start = pos;
            while (pos < s.size() && is_digit(s[pos])) {
                frac += scale * (s[pos] - '0');
                scale /= 10;
                ++pos;
            }
            if (pos == start) {
                return bad_time(s);
            }
        }
    }
    Micros offset = 0;
    if (pos < s.size()) {
        if (s[pos] == 'Z' || s[pos] == 'z') {
            ++pos;
        } else if (s[pos] == '+' || s[pos] == '-') {
            const bool minus = s[pos] == '-';
            ++pos;
            unsigned oh = 0;
            unsigned om = 0;
            if (!digits(s, pos, 2, oh) || !expect(s, pos, ':') || !digits(s, pos, 2, om) ||
                oh > 23 || om > 59) {
                return bad_time(s);
            }
            offset = (static_cast<Micros>(oh) * 3600 + om * 60) * kMicrosPerSecond;
            if (minus) {
                offset = -offset;
            }
        }
    }
    if (pos != s.size() || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 ||
        mi > 59 || sec > 59) {
        return bad_time(s);
    }
    const std::int64_t days = days_from_civil(y, mo, d);
    const Micros secs = days * 86400 + h * 3600 + mi * 60 + sec;
    return secs * kMicrosPerSecond + frac - offset;
}

std::string format_time(Micros t) {
    Micros secs = t / kMicrosPerSecond;
    Micros us = t % kMicrosPerSecond;
    if (us < 0) {
        us += kMicrosPerSecond;
        --secs;
    }
    std::int64_t days = secs / 86400;
    std::int64_t rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        --days;
    }
    const Civil c = civil_from_days(days);
    char buf[64];
    if (us != 0) {
        std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%06lld+00:00",
                      static_cast<long long>(c.year), c.month, c.day,
                      static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                      static_cast<long long>(rem % 60), static_cast<long long>(us));
    } else {
        std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld+00:00",
                      static_cast<long long>(c.year), c.month, c.day,
                      static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                      static_cast<long long>(rem % 60));
    }
    return buf;
}

std::int64_t day_number(Micros t) {
    Micros secs = t / kMicrosPerSecond;
    if (t % kMicrosPerSecond < 0) {
        --secs;
    }
    std::int64_t days = secs / 86400;
    if (secs % 86400 < 0) {
        --days;
    }
    const Civil c = civil_from_days(days);
    return c.year * 10000 + c.month * 100 + c.day;
}

} // namespace dg::tags
