#pragma once
// Scoring and comparing AS -> organisation mappings: the seed's Table 1 against sibling ground
// truth, agreement between two mappings (e.g. an inferred file against CAIDA's), and the diff of
// two releases. A mapping's families are its organisations (ASes with the same org_id); an AS with
// an empty org_id is a family of its own.

#include "dg/core/result.hpp"
#include "dg/org/org_table.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace dg::org {

/// One ground-truth organisation: the ASNs known to belong to it.
struct TruthGroup {
    std::string name;                ///< from a preceding `# name` line, else "group <line>"
    std::vector<std::uint32_t> asns; ///< ascending, unique
};

/// Reads a sibling list: one group per line (ASNs separated by blanks or commas, `AS` prefix
/// optional; anything after `|` is ignored, as in the opaque-id lists); a `# text` line names
/// the groups that follow. Groups with the same name are merged (bdrmapit lists Akamai twice).
/// Errors: NotFound, Io, Malformed (no group; an ASN that does not parse, with file and line).
Result<std::vector<TruthGroup>> load_truth(const std::string& path);
Result<std::vector<TruthGroup>> parse_truth(std::string_view text, const std::string& name);

/// The seed's Table 1 row of one truth group S against the mapping's families F (§4).
struct TruthScore {
    std::string name;
    std::uint64_t ases = 0;     ///< |S|
    std::uint64_t pairs = 0;    ///< |S|(|S|-1)/2
    std::uint64_t families = 0; ///< distinct families touching S (ASes absent: one each)
    std::uint64_t tp = 0;       ///< sum over families f of C(|f ∩ S|, 2)
    std::uint64_t fn = 0;       ///< pairs - tp
    std::uint64_t fp_ases = 0;  ///< ASes outside S in a family touching S
    std::uint64_t missing = 0;  ///< ASes of S the mapping does not list
};

struct TruthSummary {
    std::vector<TruthScore> rows;
    std::uint64_t pairs = 0;
    std::uint64_t tp = 0;
    std::uint64_t fp_ases = 0;
    /// Pairwise recall: tp / pairs.
    double recall = 0;
    /// Pairwise precision over truth ASes: of the same-family pairs whose two ASes are both in
    /// some truth group, the share that are in one group.
    double precision = 0;
    std::uint64_t predicted_pairs = 0; ///< the denominator of precision
};

TruthSummary score_truth(const std::vector<TruthGroup>& truth, const OrgTable& mapping);

/// Agreement of mapping A (e.g. inferred) with mapping B (e.g. CAIDA's) on their common ASes.
struct Agreement {
    std::uint64_t common_ases = 0;
    std::uint64_t pairs_a = 0;                   ///< same-family pairs in A (common ASes)
    std::uint64_t pairs_b = 0;                   ///< same-family pairs in B
    std::uint64_t pairs_both = 0;                ///< in both
    double precision = 0;                        ///< pairs_both / pairs_a (1 when pairs_a is 0)
    double recall = 0;                           ///< pairs_both / pairs_b (1 when pairs_b is 0)
    std::uint64_t same_sibling_sets = 0;         ///< common ASes whose sibling sets agree exactly
    std::map<std::string, std::uint64_t> only_a; ///< ASes only in A, by source
    std::map<std::string, std::uint64_t> only_b; ///< ASes only in B, by source
};

Agreement compare_mappings(const OrgTable& a, const OrgTable& b);

/// What changed between two releases of a mapping.
struct MappingDiff {
    struct Moved {
        std::uint32_t asn;
        std::string old_org;
        std::string new_org;
        std::uint64_t old_family_size; ///< ASes in the old family (common ASes)
        std::uint64_t new_family_size;
    };
    struct Regroup {
        std::string org; ///< the new org (merged) or the old org (split)
        std::vector<std::string>
            others; ///< the old orgs merged into it / the new orgs it split into
    };
    struct Renamed {
        std::string id; ///< org id, or "AS<n>" for an AS name
        std::string old_name;
        std::string new_name;
    };
    std::vector<std::uint32_t> added;   ///< ASes only in NEW
    std::vector<std::uint32_t> removed; ///< ASes only in OLD
    std::vector<Moved> moved;           ///< ASes whose set of siblings changed
    std::vector<Regroup> merged;
    std::vector<Regroup> split;
    std::vector<Renamed> renamed_orgs;
    std::vector<Renamed> renamed_ases;
};

MappingDiff diff_mappings(const OrgTable& old_table, const OrgTable& new_table);

} // namespace dg::org
