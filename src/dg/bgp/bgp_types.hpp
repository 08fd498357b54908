#pragma once
// The BGP data model shared by the MRT reader/writer and the prefix table (RFC 4271, 6793, 1997,
// 8092).

#include "dg/core/asn.hpp"
#include "dg/core/ip_address.hpp"
#include "dg/core/prefix.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dg::bgp {

/// AS_PATH segment types (RFC 4271 §4.3, RFC 5065 §3 for confederations).
enum class SegmentType : std::uint8_t {
    AsSet = 1,
    AsSequence = 2,
    ConfedSequence = 3,
    ConfedSet = 4,
};

struct AsPathSegment {
    SegmentType type = SegmentType::AsSequence;
    std::vector<std::uint32_t> asns;
    bool operator==(const AsPathSegment&) const = default;
};

/// An AS_PATH, already merged with AS4_PATH (RFC 6793 §4.2.3) where the reader saw both.
struct AsPath {
    std::vector<AsPathSegment> segments;
    bool operator==(const AsPath&) const = default;
};

/// ORIGIN attribute values (RFC 4271 §5.1.1).
enum class OriginType : std::uint8_t { Igp = 0, Egp = 1, Incomplete = 2 };

struct LargeCommunity {
    std::uint32_t global_admin = 0;
    std::uint32_t local1 = 0;
    std::uint32_t local2 = 0;
    bool operator==(const LargeCommunity&) const = default;
};

struct Aggregator {
    std::uint32_t asn = 0;
    IpAddress address;
    bool operator==(const Aggregator&) const = default;
};

/// The path attributes domaingraph reads (others are skipped and counted).
struct PathAttributes {
    std::optional<OriginType> origin;
    AsPath as_path;
    std::optional<IpAddress> next_hop;   ///< NEXT_HOP (IPv4)
    std::vector<IpAddress> mp_next_hops; ///< from MP_REACH_NLRI (global, then link-local)
    std::optional<std::uint32_t> med;    ///< MULTI_EXIT_DISC
    std::optional<std::uint32_t> local_pref;
    bool atomic_aggregate = false;
    std::optional<Aggregator> aggregator;
    std::vector<std::uint32_t> communities; ///< RFC 1997, (high << 16) | low
    std::vector<LargeCommunity> large_communities;
    std::vector<Prefix> mp_reach_nlri;   ///< announced via MP_REACH_NLRI (updates)
    std::vector<Prefix> mp_unreach_nlri; ///< withdrawn via MP_UNREACH_NLRI (updates)
    bool operator==(const PathAttributes&) const = default;
};

/// A BGP peer of a collector (TABLE_DUMP_V2 PEER_INDEX_TABLE entry, or a BGP4MP session end).
struct Peer {
    IpAddress address;
    Asn asn;
    std::uint32_t bgp_id = 0;
    bool operator==(const Peer&) const = default;
};

/// Where an AS_PATH ends: the origin AS and how trustworthy that is.
struct PathOrigin {
    std::optional<Asn> asn; ///< last AS of the path; for an AS_SET end, the set's smallest
    std::vector<std::uint32_t> as_set; ///< members when the path ends in an AS_SET (RFC 6472)
    bool ends_in_set() const { return !as_set.empty(); }
};

/// The origin of `path`: the last AS of its last segment (RFC 4271 §5.1.2). Confederation segments
/// are ignored (RFC 5065 §6: they are removed when the route leaves the confederation). An empty
/// path (a route originated by the peer itself, iBGP) yields no origin.
PathOrigin path_origin(const AsPath& path);

} // namespace dg::bgp
