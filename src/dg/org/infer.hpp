#pragma once
// AS -> organisation families inferred from RIR WHOIS bulk dumps, after CAIDA's method
// ("Mapping Autonomous Systems to Organizations: CAIDA's Inference Methodology"), as specified in
// ../shared/design/as2org-reference.md (§ numbers below refer to it). Docs: src/dg/org/README.md.
//
// Pipeline (Inference::run): common objects (§2.1) -> normalisation (§2.2) -> authority per AS
// (§2.4) -> org links / synthesised orgs (§2.3) -> pruning (§2.6) -> generic values (§2.5) ->
// consolidation of duplicates (§2.7) -> families = connected components (§2.8) -> one output
// organisation per family (§2.9).

#include "dg/core/asn.hpp"
#include "dg/core/result.hpp"
#include "dg/org/as2org_write.hpp"
#include "dg/org/whois_reader.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace dg::org {

/// How a value is found generic in a field (§2.5).
struct GenericRule {
    enum class Kind {
        MinSqrt50, ///< count_f(v) > min(cap, sqrt(N_f)) (the seed's rule, field reading)
        Fixed,     ///< count_f(v) > cap
        Off,       ///< nothing is generic
    };
    Kind kind = Kind::MinSqrt50;
    double cap = 50;             ///< the "50"
    bool inclusive = false;      ///< ">=" instead of ">"
    bool per_registry = false;   ///< count per registry instead of pooled over all registries
    bool before_pruning = false; ///< count over every record read, not only the reachable ones
};

/// Which organisation represents a family that holds several registry organisations (§2.9).
enum class FamilyOrgRule {
    MostAses,   ///< the one with most ASes, then the smallest id
    SmallestId, ///< the smallest id
    Newest,     ///< the newest `changed`, then the smallest id
};

struct InferOptions {
    /// Fields whose non-generic values link objects into families (names as known_fields()).
    /// Empty = the preset "always".
    std::vector<std::string> fields;
    GenericRule generic;
    FamilyOrgRule family_org = FamilyOrgRule::MostAses;
    /// LACNIC `ownerid:` counts as an org link (aut.org_id); off for CAIDA parity (§3.4).
    bool lacnic_ownerid = false;
    /// YYYYMMDD: records created after it are ignored, and it is the output's `# date:`.
    /// Empty: the newest date seen in the input.
    std::string as_of;
    whois::ReaderOptions reader;
};

/// Every field name a --fields list may hold, e.g. "aut.org_id", "org.email", "mntner.admin_c".
std::vector<std::string> known_fields();
/// Expands a comma-separated --fields list: field names, the presets "always" (default),
/// "less-efficient", "table1" (= always + less-efficient), "excluded", "all"; a leading '-'
/// removes a field or preset. Errors: InvalidArgument (unknown name).
Result<std::vector<std::string>> parse_field_list(std::string_view spec);
/// Parses a --generic-threshold rule: "min50sqrt" (default), "min<N>sqrt", "fixed:<N>", "off",
/// followed by optional ",ge", ",per-registry", ",before-pruning". Errors: InvalidArgument.
Result<GenericRule> parse_generic_rule(std::string_view spec);
/// The rule written back in the header's form.
std::string to_string(const GenericRule& rule);

/// Counts of a run.
struct InferReport {
    std::vector<whois::ReadReport> files;
    std::uint64_t objects = 0;     ///< objects read
    std::uint64_t aut_records = 0; ///< aut-num / ASHandle records (before authority)
    std::uint64_t org_records = 0;
    std::uint64_t contact_records = 0;
    std::uint64_t mntner_records = 0;
    std::uint64_t as_blocks = 0;
    std::uint64_t block_aut_nums = 0;  ///< aut-nums that stand for a delegated block (§2.4 rule 1)
    std::uint64_t ignored_objects = 0; ///< classes not used (inetnum, route ...)
    std::uint64_t bad_keys = 0;        ///< objects whose key could not be read (AS number ...)
    std::uint64_t after_as_of = 0;     ///< records created after --as-of, ignored
    std::uint64_t conflicts = 0;       ///< ASNs with records in several sources
    std::uint64_t decided_by_block = 0; ///< of those, decided by an as-block's registry
    std::uint64_t nonauth_dropped = 0;  ///< *-NONAUTH/*-GRS records that lost to authoritative ones
    std::uint64_t ases = 0;             ///< ASes in the output
    std::uint64_t synthesized_orgs = 0; ///< orgs made from aut-nums (§2.3)
    std::uint64_t dangling_org_links = 0; ///< aut org links naming no org in the input
    std::uint64_t pruned = 0;             ///< org/contact/mntner records unreachable from an AS
    std::uint64_t generic_values = 0;     ///< (field, value) pairs found generic
    std::uint64_t consolidated = 0;       ///< duplicate records merged (§2.7)
    std::uint64_t families = 0;           ///< output organisations
};

/// An as-block (real `as-block` objects, ranged ARIN ASHandles, ARIN delegations to other RIRs).
struct AsBlock {
    std::uint32_t first = 0;
    std::uint32_t last = 0;
    std::string registry;     ///< who manages it ("RIPE", "APNIC", "TWNIC" ...); empty when unknown
    bool not_managed = false; ///< the holder says it does not manage the block (RIPE "not managed")
    std::string source;       ///< registry whose dump held it
    std::uint32_t changed = 0; ///< YYYYMMDD
};

class Inference {
public:
    explicit Inference(InferOptions options);
    Inference(Inference&&) noexcept;
    Inference& operator=(Inference&&) noexcept;
    ~Inference();

    /// Reads one dump (RPSL or ARIN bulk, any compression). Errors: those of whois::Reader.
    Result<void> add_file(const std::string& path);
    /// Reads a dump from memory (`name` is used in messages and as registry hint).
    Result<void> add_text(std::string_view text, const std::string& name);
    /// Runs the pipeline. Errors: Malformed (no AS record in the input).
    Result<void> run();

    /// The result (after run()): organisations ascending by id, ASes ascending, header comments.
    [[nodiscard]] const As2orgRows& rows() const;
    /// Why `asn` is in its family: its records, and per sibling the chain of shared values that
    /// links them. Errors: NotFound (the AS is not in the output).
    [[nodiscard]] Result<std::string> explain(Asn asn) const;
    /// Values found generic in `field` (normalised), ascending.
    [[nodiscard]] std::vector<std::string> generic_values(std::string_view field) const;
    /// All as-blocks read, ascending by first ASN.
    [[nodiscard]] std::vector<AsBlock> as_blocks() const;
    [[nodiscard]] const InferReport& report() const;

    struct State;

private:
    std::unique_ptr<State> s_;
};

/// Gaps and overlaps of `blocks` (sorted by first) over [0, 2^32-1]: empty when they tile the
/// space exactly; otherwise one English line per problem.
std::vector<std::string> check_tiling(const std::vector<AsBlock>& blocks);

} // namespace dg::org
