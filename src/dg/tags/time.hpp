#pragma once
// Times of the tagging model: microseconds since the Unix epoch, UTC
// (docs/design/0007-tags-time-model.md).

#include "dg/core/result.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace dg::tags {

/// Microseconds since 1970-01-01T00:00:00Z.
using Micros = std::int64_t;

/// Parses `YYYY-MM-DD(T| )HH:MM[:SS[.fraction]]`, optionally followed by `Z` or `+HH:MM`/`-HH:MM`
/// (naive times are UTC, as upstream reads them). A date alone, an epoch number or anything else
/// is InvalidArgument. Fractions beyond microseconds are truncated.
Result<Micros> parse_time(std::string_view text);

/// True when `text` carries a zone (`Z` or an offset); upstream's API refuses those (HTTP 500).
bool has_zone(std::string_view text);

/// RFC 3339 as upstream prints it: `2020-03-17T12:53:21+00:00`, with `.ffffff` only when the
/// microseconds are not zero.
std::string format_time(Micros t);

/// Day number YYYYMMDD of `t` (upstream's start_date/end_date columns).
std::int64_t day_number(Micros t);

} // namespace dg::tags
