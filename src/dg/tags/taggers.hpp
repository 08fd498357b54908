#pragma once
// Built-in taggers (issue 7, docs/cli/tags.md "tags run"): measurements computed from a stored
// scan and applied through TagStore::apply (msm2tag semantics, producer "domaingraph:<tagger>",
// measured_at = the scan's start). Each tagger declares its taxonomy and creates it when missing.

#include "dg/core/result.hpp"
#include "dg/model/model.hpp"
#include "dg/store/store.hpp"
#include "dg/tags/tag_store.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

namespace dg::tags {

/// The registrable domain of a host name by a public-suffix-lite rule: the last two labels, or
/// the last three when the top-level label has two letters (a country code) and the second-level
/// label is a generic one (co, com, net, org, gov, edu, ac, ...: `example.co.uk`). Lower-cased,
/// without a trailing dot; a single label is returned as is.
std::string registrable_domain(std::string_view host);

/// A dictionary for the words tagger: lower-case words of [a-z0-9], one per line; `#` comments
/// and blank lines ignored; words shorter than `min_length` dropped.
struct Dictionary {
    std::unordered_set<std::string> words;
    std::size_t max_length = 0;
    std::size_t min_length = 3;
};
Result<Dictionary> parse_dictionary(std::string_view text, std::size_t min_length);

/// Splits `label` into dictionary words: the segmentation covering most characters (ties: fewer
/// words, then the earliest), only words of the dictionary. Returns the words in order.
std::vector<std::string> split_words(std::string_view label, const Dictionary& dict);

/// Options of the taggers that need them.
struct TaggerOptions {
    std::vector<std::pair<std::string, std::string>> regexes; ///< NAME, PATTERN (regex tagger)
    std::shared_ptr<const Dictionary> dictionary;             ///< words tagger
    std::string taxonomy;                                     ///< "" : the tagger's default
};

/// Parses `NAME=PATTERN` (regex option / file line). Errors: InvalidArgument.
Result<std::pair<std::string, std::string>> parse_regex_spec(std::string_view spec);
/// Lines `NAME=PATTERN`; `#` comments and blank lines ignored. Errors: InvalidArgument (with line).
Result<std::vector<std::pair<std::string, std::string>>> parse_regex_file(std::string_view text);

/// One tagger: its taxonomy and the tags of one domain result.
struct Tagger {
    std::string name;     ///< asn, org, ns-provider, risk, regex, words
    TaxonomyDef taxonomy; ///< created when no taxonomy of that name exists
    bool autogenerate_tags = false;
    bool autogenerate_values = false;
    std::function<std::vector<MeasurementTag>(const model::DomainResult&)> tags_of;
    [[nodiscard]] std::string producer() const { return "domaingraph:" + name; }
};

/// The names make_tagger knows, in documentation order.
const std::vector<std::string>& tagger_names();

/// Errors: InvalidArgument (unknown tagger, bad regex, regex tagger without patterns, words
/// tagger without a dictionary).
Result<Tagger> make_tagger(std::string_view name, const TaggerOptions& options);

struct TaggerReport {
    std::string taxonomy;
    bool taxonomy_created = false;
    std::uint64_t domains = 0; ///< results read from the scan
    std::uint64_t applied = 0;
    std::uint64_t stale = 0;   ///< measurements not newer than stored rows (e.g. a re-run)
    std::uint64_t invalid = 0; ///< refused measurements (producer conflicts, ...)
    std::string first_invalid; ///< the first refusal's message
    std::uint64_t inserted = 0;
    std::uint64_t prolonged = 0;
    std::uint64_t ended = 0;
};

/// Runs `tagger` over every result of `scan_id`: one measurement per domain (a domain with no
/// tags gets an empty one, which ends its open tags of the taxonomy). Domains missing from the
/// scan are not measured. The measurements are computed first (memory: one small entry per
/// domain) and then applied, one transaction each. Errors: NotFound (scan), store errors.
Result<TaggerReport> run_tagger(TagStore& ts, store::Store& store, const Tagger& tagger,
                                std::int64_t scan_id);

} // namespace dg::tags
