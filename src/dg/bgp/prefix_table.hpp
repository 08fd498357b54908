#pragma once
// Prefix -> origin AS table with fast longest-prefix match (docs/design/0002-prefix-table.md).
//
// PrefixTableBuilder collects (prefix, origin, peer) observations from RIB entries or other
// sources; PrefixTable is the immutable result: a sorted prefix list with every origin seen per
// prefix (MOAS) and two multibit tries with leaf pushing for longest-prefix match
// (IPv4 strides 20-4-8, IPv6 strides 16-4-4-...-4). All of it lives in flat POD arrays so the
// table can be written to and mapped back from a cache file without any parsing.

#include "dg/bgp/bgp_types.hpp"
#include "dg/core/ip_address.hpp"
#include "dg/core/prefix.hpp"
#include "dg/core/result.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace dg::bgp {

/// Flags of an origin (bit set).
enum OriginFlag : std::uint32_t {
    kOriginAsSet = 1U,    ///< the AS_PATH ended in an AS_SET; `asn` is the set's smallest member
    kOriginPrivate = 2U,  ///< Asn::is_private()
    kOriginReserved = 4U, ///< Asn::is_reserved() (includes the private ranges)
};

/// One origin AS of a prefix (on-disk POD, 12 bytes).
struct Origin {
    std::uint32_t asn = 0;
    std::uint32_t peers = 0; ///< distinct peers that saw this origin (0: unknown, text sources)
    std::uint32_t flags = 0; ///< OriginFlag bits
    [[nodiscard]] bool as_set() const { return (flags & kOriginAsSet) != 0; }
    [[nodiscard]] bool is_private() const { return (flags & kOriginPrivate) != 0; }
    [[nodiscard]] bool is_reserved() const { return (flags & kOriginReserved) != 0; }
    bool operator==(const Origin&) const = default;
};

/// A prefix of the table (on-disk POD, 32 bytes).
struct StoredPrefix {
    std::uint8_t address[16] = {}; ///< network order; IPv4 in the first 4 bytes
    std::uint8_t length = 0;
    std::uint8_t family = 4; ///< 4 or 6
    std::uint8_t reserved[2] = {};
    std::uint32_t origin_begin = 0; ///< index into the origin array
    std::uint32_t origin_count = 0; ///< >= 1
    std::uint32_t reserved2 = 0;
};
static_assert(sizeof(StoredPrefix) == 32);
static_assert(sizeof(Origin) == 12);

/// The answer of a longest-prefix match.
struct Route {
    Prefix prefix;
    std::span<const Origin> origins; ///< most peers first, then ASN ascending; never empty
};

/// Counters of a build.
struct BuildStats {
    std::uint64_t observations = 0;   ///< add() calls
    std::uint64_t default_routes = 0; ///< 0.0.0.0/0 and ::/0 skipped
    std::uint64_t no_origin = 0;      ///< empty AS_PATH (or only confederation segments)
    std::uint64_t moas_prefixes = 0;  ///< prefixes with more than one origin
    std::uint64_t as_set_origins = 0;
    std::uint64_t ipv4_prefixes = 0;
    std::uint64_t ipv6_prefixes = 0;
};

class PrefixTable;

/// Collects observations; build() produces the table.
class PrefixTableBuilder {
public:
    static constexpr std::uint32_t kNoPeer = 0xFFFFFFFFU;

    /// One RIB entry: `origin` from path_origin(); `peer_index` identifies the peer (distinct
    /// peers are counted per origin). Default routes and entries without an origin are skipped.
    void add(const Prefix& prefix, const PathOrigin& origin, std::uint32_t peer_index);
    /// A bare observation (text sources): `peer_index` kNoPeer = no peer information.
    void add_origin(const Prefix& prefix, std::uint32_t asn, bool as_set,
                    std::uint32_t peer_index = kNoPeer);

    /// Room for about this many prefixes (a hint, capped at a full table's order of magnitude):
    /// the accumulators are not copied while they grow. Untouched room is address space only.
    void reserve(std::size_t prefixes);
    [[nodiscard]] std::size_t prefix_count() const { return prefixes_.size(); }
    [[nodiscard]] const BuildStats& stats() const { return stats_; }

    /// Builds the immutable table (the builder is left empty).
    PrefixTable build();

private:
    static constexpr std::uint32_t kNoList = 0xFFFFFFFFU;
    static constexpr std::size_t kMaxReserve = std::size_t{1} << 21;
    struct OriginAcc {
        std::uint32_t asn = 0;
        std::uint32_t flags = 0;
        std::uint64_t peer_mask = 0;      ///< peers 0..63
        std::uint32_t peers_hi = kNoList; ///< peers >= 64: index into peer_lists_
    };
    struct Key {
        std::uint64_t hi = 0;
        std::uint64_t lo = 0;
        std::uint64_t len_family = 0; // 64-bit: no padding bytes in the hashed key
        bool operator==(const Key&) const = default;
    };
    struct KeyHash {
        std::size_t operator()(const Key& k) const;
    };
    static Key key_of(const Prefix& prefix);
    static Key key_of(const StoredPrefix& stored);
    static StoredPrefix stored_of(const Key& key);
    /// The table's order: family, address, length.
    static bool key_less(const Key& a, const Key& b);

    std::uint32_t slot(const Prefix& prefix);
    /// The slot of `key` through the hash index (built on first use), appending it if new.
    std::uint32_t find_or_insert(const Key& key);
    /// Sizes the open-addressing index to `buckets` (a power of two) and indexes every prefix.
    void rebuild_index(std::size_t buckets);
    /// Adds an origin to a prefix. A prefix's origins stay contiguous in origins_: unless they
    /// are the last ones, they move to the end first (rare: a prefix seen again later).
    OriginAcc& append_origin(StoredPrefix& prefix, const OriginAcc& origin);

    /// Open-addressing index over prefixes_ (linear probing): slot + 1, 0 = empty. Its size is a
    /// power of two and at least twice the number of prefixes. Empty while the input is sorted.
    std::vector<std::uint32_t> index_;
    /// The prefixes in arrival order (the table's order while index_ is empty): the table's own
    /// records, whose origin_begin/origin_count point into origins_ until build(). Compact on
    /// purpose: a build's time goes largely into first touches of fresh memory.
    std::vector<StoredPrefix> prefixes_;
    std::vector<OriginAcc> origins_;
    /// Peers >= 64 of an origin (rare: most collectors have fewer), deduplicated at build.
    std::vector<std::vector<std::uint32_t>> peer_lists_;
    std::optional<Key> last_key_;
    Prefix last_prefix_;
    std::uint32_t last_slot_ = 0;
    BuildStats stats_;
};

/// Immutable prefix table. Cheap to move; the arrays live in memory it owns or in a mapped file.
class PrefixTable {
public:
    static constexpr std::uint32_t kNotFound = 0xFFFFFFFFU;

    PrefixTable();

    /// Index of the longest prefix containing the host-order IPv4 address, or kNotFound.
    [[nodiscard]] std::uint32_t find_v4(std::uint32_t address) const {
        std::uint32_t e = v4_[address >> 12];
        if ((e & kChild) != 0) {
            e = v4_[(e & kIndexMask) + ((address >> 8) & 0xFU)];
            if ((e & kChild) != 0) {
                e = v4_[(e & kIndexMask) + (address & 0xFFU)];
            }
        }
        return e - 1U; // 0 (no route) wraps to kNotFound
    }
    /// Index of the longest prefix containing the IPv6 address (host-order halves), or kNotFound.
    [[nodiscard]] std::uint32_t find_v6(std::uint64_t high, std::uint64_t low) const;
    /// Longest-prefix match; nullopt when unrouted.
    [[nodiscard]] std::optional<Route> lookup(const IpAddress& address) const;

    /// Number of prefixes (IPv4 first, then IPv6; each sorted by address then length).
    [[nodiscard]] std::size_t size() const { return prefixes_.size(); }
    [[nodiscard]] Route route(std::size_t index) const;
    [[nodiscard]] Prefix prefix(std::size_t index) const;
    [[nodiscard]] std::span<const Origin> origins(std::size_t index) const;
    [[nodiscard]] std::size_t ipv4_count() const { return ipv4_count_; }
    [[nodiscard]] std::size_t ipv6_count() const { return prefixes_.size() - ipv4_count_; }
    /// Bytes used by the arrays (tries, prefixes, origins).
    [[nodiscard]] std::size_t memory_bytes() const;

    /// Writes the table to `path` atomically (temporary file + rename). `key` identifies the
    /// source (content hash + policy) and is checked by load(). Errors: Io.
    Result<void> save(const std::string& path, const std::string& key) const;
    /// Maps a cache file. Validates magic, version, section sizes and bounds, the header checksum
    /// and a checksum of the body, so a damaged file is an error (Malformed), never trusted.
    /// `expected_key` empty: any key. Errors: NotFound, Io, Malformed, InvalidArgument (key).
    static Result<PrefixTable> load(const std::string& path, const std::string& expected_key = {});
    /// The key stored in a cache file (after the same validation as load()).
    [[nodiscard]] const std::string& key() const { return key_; }

    /// Whether the first bytes of a file are a cache file's magic.
    static bool has_magic(std::span<const std::uint8_t> head);

private:
    friend class PrefixTableBuilder;
    static constexpr std::uint32_t kChild = 0x80000000U;
    static constexpr std::uint32_t kIndexMask = 0x7FFFFFFFU;

    std::shared_ptr<const void> storage_; ///< owns the arrays below
    std::span<const std::uint32_t> v4_;
    std::span<const std::uint32_t> v6_;
    std::span<const StoredPrefix> prefixes_;
    std::span<const Origin> origins_;
    std::size_t ipv4_count_ = 0;
    std::string key_;
};

} // namespace dg::bgp
