#pragma once
// Taxonomy definition formats: MISP machinetag.json and tag2domain's YAML taxonomy definition
// (../shared/design/tag2domain-reference.md sections 9 and 6.4). Both import and export back.
//
// MISP mapping: namespace -> taxonomy; predicate -> tag (name = predicate value); entry -> value
// of that tag. Keys we do not model are kept in `extras` so that export gives the file back.

#include "dg/core/result.hpp"
#include "dg/tags/model.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace dg::tags {

/// Errors: Malformed (not a MISP taxonomy: missing namespace/predicates, a values[] predicate
/// that is not declared, a duplicate entry).
Result<TaxonomyDef> parse_misp(const nlohmann::json& j);
nlohmann::json to_misp(const TaxonomyDef& def);

/// Errors: Malformed (YAML syntax, unknown keys, missing name, wrong types).
Result<TaxonomyDef> parse_taxonomy_yaml(std::string_view text);
std::string to_taxonomy_yaml(const TaxonomyDef& def);

/// A whole (possibly compressed) file or "-" (stdin) as text. Errors: NotFound, Io.
Result<std::string> read_text_file(const std::string& path);

/// Reads a taxonomy file: `.json` is MISP, `.yml`/`.yaml` is tag2domain YAML ("-": stdin, by
/// content). Errors: Io, Malformed (with the file name).
Result<TaxonomyDef> read_taxonomy_file(const std::string& path);

} // namespace dg::tags
