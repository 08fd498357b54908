#pragma once
// AS-level graph for the DNS-resilience analysis (docs/cli/resilience.md,
// ../shared/design/resilience-reference.md): CAIDA AS relationships (serial-1 `as1|as2|rel`,
// serial-2 `as1|as2|rel|source`; plain/gz/bz2/zstd), optional IXP membership (a full peer mesh per
// IXP), loaded into a compact form: dense ids in ascending ASN order, one CSR adjacency per
// relationship (providers, customers, peers, siblings), link ids, IXP labels per link.

#include "dg/core/result.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dg::resilience {

/// Relationship of a link. P2C: `a` is the provider of `b`.
enum class Rel : std::uint8_t { P2C, P2P, S2S };

/// Neighbour kinds seen from one AS (index into the per-AS adjacency).
enum class Kind : std::uint8_t { Provider = 0, Customer = 1, Peer = 2, Sibling = 3 };
inline constexpr std::size_t kKinds = 4;

/// One relationship line as read.
struct RelEdge {
    std::uint32_t a = 0; ///< ASN (the provider for P2C)
    std::uint32_t b = 0; ///< ASN
    Rel rel = Rel::P2P;
    std::uint64_t line = 0;
};

/// What an as-rel read saw.
struct RelReport {
    std::string source;
    int serial = 0; ///< 1 or 2 (0: no data line)
    std::uint64_t lines = 0;
    std::uint64_t p2c = 0, p2p = 0, s2s = 0;
    std::uint64_t duplicates = 0; ///< identical repeated pairs, skipped
    std::string clique;           ///< `# inferred clique:` text, if any
};

/// Reads CAIDA AS relationships. Codes: -1 (as1 provider of as2), 0 (peers), 2 (siblings; a
/// test extension CAIDA never emits). Errors (Malformed, with source and line): a line that is not
/// `as1|as2|rel[|source]`, an unknown code, a self-loop, a pair given twice with different
/// relationships, serial-1 and serial-2 lines mixed; no data line at all; NotFound/Io.
Result<std::vector<RelEdge>> read_as_rel(const std::string& path, RelReport* report = nullptr);
Result<std::vector<RelEdge>> parse_as_rel(std::string_view content, const std::string& name,
                                          RelReport* report = nullptr);

/// IXP membership: IXP name -> member ASNs.
struct IxpMembership {
    std::vector<std::string> names;                  ///< in first-seen order
    std::vector<std::vector<std::uint32_t>> members; ///< sorted, unique, parallel to names
    std::string format;                              ///< "tsv" or "traixroute"
    std::uint64_t lines = 0;
    std::uint64_t skipped_lines = 0; ///< traIXroute `?` lines (sources disagree on the name)
};

/// Reads IXP membership. Formats (from the content): `IXP<TAB>ASN` (also `IXP|ASN`; `AS` prefix
/// allowed; `#` comments), or traIXroute's `ixp_membership.txt` (`idx, !, ip, ASnnn, short, long,
/// country, city`; `!` lines only, IXP key = the long name). PeeringDB `ix` lists carry no members
/// and are refused. Errors: Malformed with source:line; NotFound/Io.
Result<IxpMembership> read_ixp(const std::string& path);
Result<IxpMembership> parse_ixp(std::string_view content, const std::string& name);

/// A link: for P2C `a` is the provider; for P2P/S2S a < b. Dense ids.
struct Link {
    std::uint32_t a = 0;
    std::uint32_t b = 0;
    Rel rel = Rel::P2P;
    bool from_file = true; ///< false: added by the IXP mesh
};

struct Adj {
    std::uint32_t nbr;  ///< dense id
    std::uint32_t link; ///< link id
};

/// What the IXP mesh did.
struct MeshReport {
    std::uint64_t ixps = 0;
    std::uint64_t links_added = 0;
    std::uint64_t pairs_existing = 0;  ///< (IXP, pair) found a relationship already there
    std::uint64_t members_skipped = 0; ///< member entries absent from the graph
};

enum class IxpFailMode { Members, Exclusive };

class AsGraph {
public:
    /// Builds the graph; with `ixp`, every pair of members of an IXP present in the graph peers
    /// (an existing relationship is kept, an existing p2p link gets the IXP label).
    static AsGraph build(const std::vector<RelEdge>& edges, const IxpMembership* ixp = nullptr,
                         MeshReport* mesh = nullptr);

    [[nodiscard]] std::uint32_t size() const { return static_cast<std::uint32_t>(asns_.size()); }
    [[nodiscard]] std::uint32_t asn(std::uint32_t id) const { return asns_[id]; }
    [[nodiscard]] std::optional<std::uint32_t> id_of(std::uint32_t asn) const;
    [[nodiscard]] const std::vector<std::uint32_t>& asns() const { return asns_; }
    [[nodiscard]] const std::vector<Link>& links() const { return links_; }
    [[nodiscard]] std::span<const Adj> adj(std::uint32_t id, Kind kind) const {
        const std::size_t k = id * kKinds + static_cast<std::size_t>(kind);
        return {adj_.data() + off_[k], adj_.data() + off_[k + 1]};
    }
    /// The link between two ids, if any. O(log degree).
    [[nodiscard]] std::optional<std::uint32_t> link_between(std::uint32_t x, std::uint32_t y) const;

    // IXPs (present only when built with a membership)
    [[nodiscard]] std::size_t ixp_count() const { return ixp_names_.size(); }
    [[nodiscard]] const std::string& ixp_name(std::size_t i) const { return ixp_names_[i]; }
    [[nodiscard]] std::optional<std::size_t> ixp_of(std::string_view name) const;
    /// Members present in the graph (dense ids, ascending).
    [[nodiscard]] const std::vector<std::uint32_t>& ixp_members(std::size_t i) const {
        return ixp_members_[i];
    }
    /// IXP labels of a link (ids into the IXP list).
    [[nodiscard]] std::span<const std::uint32_t> labels(std::uint32_t link) const {
        return {labels_.data() + label_off_[link], labels_.data() + label_off_[link + 1]};
    }
    /// Links removed when IXP `i` fails. Members: every p2p link between two of its members;
    /// Exclusive: the mesh links that exist only because of this IXP. Ascending link ids.
    [[nodiscard]] std::vector<std::uint32_t> ixp_failed_links(std::size_t i,
                                                              IxpFailMode mode) const;

    [[nodiscard]] std::uint64_t count(Rel rel) const;
    /// A provider cycle (ASNs, first repeated at the end) in the p2c relation, or empty.
    [[nodiscard]] std::vector<std::uint32_t> provider_cycle() const;

private:
    std::vector<std::uint32_t> asns_;
    std::vector<Link> links_;
    std::vector<std::uint32_t> off_; ///< size()*kKinds + 1
    std::vector<Adj> adj_;
    std::vector<std::string> ixp_names_;
    std::vector<std::vector<std::uint32_t>> ixp_members_;
    std::vector<std::uint32_t> label_off_; ///< links+1
    std::vector<std::uint32_t> labels_;
};

} // namespace dg::resilience
