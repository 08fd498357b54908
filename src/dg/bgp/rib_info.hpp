#pragma once
// Summary counts of an MRT file (`domaingraph rib info`).

#include "dg/bgp/mrt_reader.hpp"

#include <cstdint>
#include <memory>

namespace dg::bgp {

struct RibInfo {
    ReadStats stats;
    std::uint64_t peers = 0;         ///< PEER_INDEX_TABLE size, or distinct BGP4MP/TABLE_DUMP peers
    std::uint64_t ipv4_prefixes = 0; ///< distinct prefixes seen in RIB entries / announcements
    std::uint64_t ipv6_prefixes = 0;
    std::uint64_t moas_prefixes = 0;   ///< distinct prefixes with more than one distinct origin AS
    std::uint64_t as_set_prefixes = 0; ///< distinct prefixes with an AS_SET origin
    std::uint64_t as_set_routes = 0;   ///< RIB entries / announcements whose path ends in an AS_SET
};

/// Accumulates RibInfo over the records of one reader.
class RibInfoBuilder {
public:
    RibInfoBuilder();
    ~RibInfoBuilder();
    RibInfoBuilder(const RibInfoBuilder&) = delete;
    RibInfoBuilder& operator=(const RibInfoBuilder&) = delete;

    void add(const MrtRecord& record);
    /// Final counts (reader supplies stats and the peer table).
    [[nodiscard]] RibInfo finish(const MrtReader& reader) const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

} // namespace dg::bgp
