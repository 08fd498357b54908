#pragma once
// The one check for text that enters the store from outside (names, notes, tag names and values,
// taxonomy names, producers, ...). PostgreSQL's text type cannot hold NUL and libpq passes
// parameters as C strings, so "test1.at\0.attacker" arrived as "test1.at" (issue 19 item 8);
// SQLite kept the whole string. Both backends now refuse such text instead.

#include "dg/core/result.hpp"

#include <cstdint>
#include <string_view>

namespace dg {

enum class TextRule : std::uint8_t {
    NoNul,     ///< only NUL is refused (what any stored text must satisfy)
    Line,      ///< a name or one-line value: no C0 control character, no DEL, valid UTF-8
    Multiline, ///< free text (notes, descriptions): as Line, but TAB, LF and CR are allowed
};

/// Checks `text` against `rule`; `what` names the field in the message ("'notes'").
/// Errors: InvalidArgument ("'notes' contains a NUL byte at offset 1").
Result<void> check_text(std::string_view text, std::string_view what,
                        TextRule rule = TextRule::Line);

} // namespace dg
