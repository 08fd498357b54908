#pragma once
// pyasn's conversion policy (pyasn 1.6.1, mrtx.py), for users migrating from pyasn
// (docs/cli/lookup.md "--policy pyasn"; seed-tool-reference §10):
//   - only the FIRST RIB entry of each prefix record is read (MOAS -> first peer's origin);
//   - a repeated prefix record keeps the first answer;
//   - the origin is the last AS of the last segment, skipping "bogus" ASNs backwards
//     (0, 64496-131071, >= 1,000,000, >= 4,200,000,000), moving to the previous segment when a
//     whole segment is bogus;
//   - a path ending in an AS_SET yields the set's non-bogus members; pyasn writes
//     `list(set)[0]`, which for CPython 3.11 integer sets is deterministic: we reproduce CPython's
//     set hash-table insertion (cpython_set_first) to pick the same member;
//   - default routes are dropped.
// Where pyasn raises (empty AS_PATH, path starting with a non-AS_SEQUENCE segment, a confederation
// segment reached while searching, every ASN bogus) we skip the prefix and count it; pyasn would
// abort the whole conversion (or skip it with --skip-on-error for an empty path).

#include "dg/bgp/bgp_types.hpp"
#include "dg/bgp/prefix_table.hpp"
#include "dg/core/result.hpp"

#include <cstdint>
#include <span>
#include <unordered_set>

namespace dg::bgp {

/// mrtx.is_asn_bogus.
bool pyasn_is_bogus(std::uint32_t asn);

/// The first element of `list(set(items))` in CPython 3.11 (items are small ints hashed to
/// themselves, inserted in order). `items` must not be empty.
std::uint32_t cpython_set_first(std::span<const std::uint32_t> items);

struct PyasnOrigin {
    std::uint32_t asn = 0;
    bool from_set = false; ///< the path ended in an AS_SET
};

/// pyasn's origin of one AS_PATH (get_origin_as + dump_prefixes_to_file's choice).
/// Errors (Unsupported) where pyasn raises.
Result<PyasnOrigin> pyasn_origin(const AsPath& path);

/// Applies pyasn's policy to the RIB records of a dump, in file order.
class PyasnConverter {
public:
    struct Stats {
        std::uint64_t records = 0;
        std::uint64_t repeated = 0;  ///< prefix already converted (first kept)
        std::uint64_t no_origin = 0; ///< pyasn would raise on this path
        std::uint64_t default_routes = 0;
    };
    /// One RIB record: `prefix` and the AS_PATH of its first entry.
    void add_record(const Prefix& prefix, const AsPath& first_path, std::uint32_t peer_index);
    [[nodiscard]] const Stats& stats() const { return stats_; }
    /// Table with exactly one origin per prefix (peers = 1, kOriginAsSet when from a set).
    PrefixTable build() { return builder_.build(); }

private:
    struct KeyHash {
        std::size_t operator()(const Prefix& p) const;
    };
    std::unordered_set<Prefix, KeyHash> seen_;
    PrefixTableBuilder builder_;
    Stats stats_;
};

} // namespace dg::bgp
