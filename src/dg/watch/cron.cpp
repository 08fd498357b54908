#include "dg/watch/cron.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <ctime>
#include <vector>

namespace dg::watch {
namespace {

struct Field {
    const char* name;
    int low;
    int high;
    std::array<const char*, 12> names; ///< names of low, low+1, ... (months, weekdays)
};

constexpr Field kMinute{"minute", 0, 59, {}};
constexpr Field kHour{"hour", 0, 23, {}};
constexpr Field kDay{"day of month", 1, 31, {}};
constexpr Field kMonth{
    "month",
    1,
    12,
    {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}};
// 7 is Sunday as well; folded onto 0 after parsing.
constexpr Field kWeekday{"day of week", 0, 7, {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}};

Error bad_field(const Field& f, std::string_view text, std::string_view why) {
    return make_error(ErrorCode::InvalidArgument,
                      "cron " + std::string(f.name) + " '" + std::string(text) + "': " +
                          std::string(why) + " (minute hour day-of-month month day-of-week, " +
                          "e.g. '0 6 * * 1-5'; values " + std::to_string(f.low) + "-" +
                          std::to_string(f.high) + ", '*', 'a-b', '*/n', lists with ',')");
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (;;) {
        const auto at = s.find(sep, start);
        out.push_back(
            s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
        if (at == std::string_view::npos) {
            return out;
        }
        start = at + 1;
    }
}

std::optional<int> value_of(const Field& f, std::string_view text) {
    int n = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec == std::errc() && end == text.data() + text.size()) {
        return n >= f.low && n <= f.high ? std::optional<int>(n) : std::nullopt;
    }
    for (std::size_t i = 0; i < f.names.size() && f.names[i] != nullptr; ++i) {
        const std::string_view name = f.names[i];
        if (text.size() == name.size() &&
            std::equal(text.begin(), text.end(), name.begin(),
                       [](char a, char b) { return (a | 0x20) == b; })) {
            return f.low + static_cast<int>(i);
        }
    }
    return std::nullopt;
}

/// One field into the set of allowed values (bit v is value v).
Result<std::vector<bool>> parse_field(const Field& f, std::string_view text, bool& any) {
    std::vector<bool> allowed(static_cast<std::size_t>(f.high) + 1, false);
    any = text == "*";
    for (std::string_view item : split(text, ',')) {
        int step = 1;
        if (const auto slash = item.find('/'); slash != std::string_view::npos) {
            const std::string_view s = item.substr(slash + 1);
            const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), step);
            if (ec != std::errc() || end != s.data() + s.size() || step < 1 || step > f.high) {
                return bad_field(f, text, "the step after '/' is a positive number");
            }
            item = item.substr(0, slash);
        }
        int first = f.low;
        int last = f.high;
        if (item != "*") {
            const auto dash = item.find('-');
            const auto a = value_of(f, item.substr(0, dash));
            const auto b = dash == std::string_view::npos ? a : value_of(f, item.substr(dash + 1));
            if (!a || !b || *a > *b) {
                return bad_field(f, text, "'" + std::string(item) + "' is out of range");
            }
            first = *a;
            // "5/15" means 5, 20, 35, 50 as in Vixie cron
            last = dash == std::string_view::npos && step > 1 ? f.high : *b;
        }
        for (int v = first; v <= last; v += step) {
            allowed[static_cast<std::size_t>(v)] = true;
        }
    }
    return allowed;
}

template <std::size_t N> void copy_bits(const std::vector<bool>& from, std::bitset<N>& to) {
    for (std::size_t i = 0; i < N && i < from.size(); ++i) {
        to[i] = from[i];
    }
}

bool day_matches(const Cron& c, const std::tm& tm) {
    const bool dom = c.days[static_cast<std::size_t>(tm.tm_mday)];
    const bool dow = c.weekdays[static_cast<std::size_t>(tm.tm_wday)];
    if (c.any_day || c.any_weekday) {
        return dom && dow;
    }
    return dom || dow;
}

} // namespace

bool looks_like_cron(std::string_view text) {
    int fields = 0;
    bool in_field = false;
    for (char ch : text) {
        const bool space = ch == ' ' || ch == '\t';
        fields += !space && !in_field ? 1 : 0;
        in_field = !space;
    }
    return fields == 5;
}

Result<Cron> parse_cron(std::string_view text) {
    std::vector<std::string_view> fields;
    for (std::string_view f : split(text, ' ')) {
        if (!f.empty()) {
            fields.push_back(f);
        }
    }
    if (fields.size() != 5) {
        return make_error(ErrorCode::InvalidArgument,
                          "cron schedule '" + std::string(text) +
                              "': five fields, minute hour day-of-month month day-of-week "
                              "(e.g. '0 6 * * 1-5', evaluated in UTC)");
    }
    Cron c;
    bool any = false;
    DG_TRY(const auto minutes, parse_field(kMinute, fields[0], any));
    DG_TRY(const auto hours, parse_field(kHour, fields[1], any));
    DG_TRY(const auto days, parse_field(kDay, fields[2], c.any_day));
    DG_TRY(const auto months, parse_field(kMonth, fields[3], any));
    DG_TRY(auto weekdays, parse_field(kWeekday, fields[4], c.any_weekday));
    if (weekdays[7]) {
        weekdays[0] = true; // 7 is Sunday too
    }
    copy_bits(minutes, c.minutes);
    copy_bits(hours, c.hours);
    copy_bits(days, c.days);
    copy_bits(months, c.months);
    copy_bits(weekdays, c.weekdays);
    if (!next_fire(c, 0)) {
        return make_error(ErrorCode::InvalidArgument,
                          "cron schedule '" + std::string(text) + "' never fires");
    }
    return c;
}

std::optional<model::UnixTime> next_fire(const Cron& cron, model::UnixTime after) {
    constexpr model::UnixTime kMinuteSeconds = 60;
    constexpr model::UnixTime kHourSeconds = 3600;
    constexpr model::UnixTime kDaySeconds = 86400;
    model::UnixTime t = (after / kMinuteSeconds + 1) * kMinuteSeconds;
    const model::UnixTime limit = after + 8 * 366 * kDaySeconds;
    while (t <= limit) {
        const std::time_t tt = static_cast<std::time_t>(t);
        std::tm tm{};
        gmtime_r(&tt, &tm);
        if (!cron.months[static_cast<std::size_t>(tm.tm_mon + 1)] || !day_matches(cron, tm)) {
            t = (t / kDaySeconds + 1) * kDaySeconds; // the next midnight
        } else if (!cron.hours[static_cast<std::size_t>(tm.tm_hour)]) {
            t = (t / kHourSeconds + 1) * kHourSeconds;
        } else if (!cron.minutes[static_cast<std::size_t>(tm.tm_min)]) {
            t += kMinuteSeconds;
        } else {
            return t;
        }
    }
    return std::nullopt;
}

} // namespace dg::watch
