#pragma once
// "Did you mean ...?": the closest of a set of known words to a mistyped one, for every place
// that names what it did not understand (unknown commands, options, configuration keys).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dg {

/// Optimal string alignment distance: insertions, deletions, substitutions and transpositions
/// of adjacent characters ("scna" -> "scan" is 1), case-sensitive.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `word` when it is close enough to be a typo: at most 1 edit for
/// words of up to 4 characters, 2 up to 8, then 3; else a candidate that `word` is a prefix
/// of (3 characters or more). Ties go to the first candidate. nullopt when none qualifies or
/// `word` is itself a candidate.
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates);

/// "; did you mean 'X'?" for closest_match, else "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

} // namespace dg
