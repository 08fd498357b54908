#pragma once
// Cron schedules of watches (`watch add --every "0 6 * * 1-5"`): the five fields of crontab(5) —
// minute, hour, day of month, month, day of week — evaluated in UTC.

#include "dg/core/result.hpp"
#include "dg/model/model.hpp"

#include <bitset>
#include <optional>
#include <string>
#include <string_view>

namespace dg::watch {

/// A parsed cron expression. Each field is a set of allowed values; `*`, `a-b`, `*/n`, `a-b/n` and
/// comma lists are accepted, months and weekdays also by name (jan..dec, sun..sat), weekday 7 is
/// Sunday. As in Vixie cron, when both day of month and day of week are restricted a day matching
/// either one fires.
struct Cron {
    std::bitset<60> minutes;
    std::bitset<24> hours;
    std::bitset<32> days;    ///< 1-31
    std::bitset<13> months;  ///< 1-12
    std::bitset<7> weekdays; ///< 0 = Sunday
    bool any_day = true;     ///< the day-of-month field is `*`
    bool any_weekday = true; ///< the day-of-week field is `*`
};

/// Errors: InvalidArgument naming the field and what is accepted, or an expression that never
/// fires.
Result<Cron> parse_cron(std::string_view text);
/// True when `text` looks like a cron expression (five space-separated fields), not an interval.
bool looks_like_cron(std::string_view text);
/// The first time strictly after `after` (UTC, whole minutes) at which `cron` fires; nullopt when
/// it never does within eight years (parse_cron already refuses such expressions, e.g. 30 Feb).
std::optional<model::UnixTime> next_fire(const Cron& cron, model::UnixTime after);

} // namespace dg::watch
