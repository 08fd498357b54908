#pragma once
// Streaming MRT writer: TABLE_DUMP_V2 (PEER_INDEX_TABLE, RIB_IPV4/IPV6_UNICAST, optionally the
// RFC 8050 ADD-PATH subtypes) and BGP4MP (MESSAGE_AS4 UPDATEs, STATE_CHANGE_AS4), written record
// by record to memory, a file or a gzip file. Used by round-trip tests and the benchmark's
// full-size RIB generator.

#include "dg/bgp/bgp_types.hpp"
#include "dg/bgp/mrt_reader.hpp"
#include "dg/core/result.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dg::bgp {

class MrtWriter {
public:
    struct Options {
        bool gzip = false;  ///< gzip-compress the file
        int gzip_level = 6; ///< 1 (fast) .. 9 (small)
    };

    /// Writes to `path` (created/truncated). Errors: Io.
    static Result<MrtWriter> create(const std::string& path, Options options);
    static Result<MrtWriter> create(const std::string& path) { return create(path, Options{}); }
    /// Collects the records in memory (see bytes()).
    static MrtWriter to_memory();

    MrtWriter(MrtWriter&&) noexcept;
    MrtWriter& operator=(MrtWriter&&) noexcept;
    ~MrtWriter(); ///< closes (errors are lost: call close() to see them)

    /// TABLE_DUMP_V2 PEER_INDEX_TABLE. Peers are written with 4-byte ASNs. Errors:
    /// InvalidArgument (more than 65535 peers).
    Result<void> write_peer_index_table(std::uint32_t timestamp, std::uint32_t collector_bgp_id,
                                        const std::string& view_name,
                                        const std::vector<Peer>& peers);
    /// TABLE_DUMP_V2 RIB_IPV4_UNICAST / RIB_IPV6_UNICAST (by the prefix family), or the ADD-PATH
    /// subtypes when `add_path` (each entry's path_id, 0 if unset). Uses entry.peer_index,
    /// originated_time, path_id and attributes (AS_PATH with 4-byte ASNs; an IPv6 next hop goes
    /// into the abbreviated MP_REACH_NLRI). Errors: InvalidArgument (sizes beyond the format).
    Result<void> write_rib(std::uint32_t timestamp, std::uint32_t sequence, const Prefix& prefix,
                           const std::vector<RibEntry>& entries, bool add_path = false);
    /// BGP4MP MESSAGE_AS4 carrying one UPDATE (BGP4MP_ET when `microseconds` is set). IPv4
    /// prefixes go into the withdrawn/NLRI fields, IPv6 ones into MP_UNREACH/MP_REACH_NLRI (next
    /// hop: attributes.mp_next_hops). The address family of the peer decides the header AFI.
    Result<void> write_update(std::uint32_t timestamp, const Peer& peer, const Peer& local,
                              const std::vector<Prefix>& withdrawn,
                              const std::vector<Prefix>& announced,
                              const PathAttributes& attributes,
                              std::optional<std::uint32_t> microseconds = std::nullopt);
    /// BGP4MP STATE_CHANGE_AS4.
    Result<void> write_state_change(std::uint32_t timestamp, const Peer& peer, const Peer& local,
                                    std::uint16_t old_state, std::uint16_t new_state);

    /// Flushes and closes the file. Errors: Io.
    Result<void> close();
    /// The records written so far (memory writer only).
    [[nodiscard]] const std::vector<std::uint8_t>& bytes() const;
    [[nodiscard]] std::uint64_t records_written() const;

    struct Impl;

private:
    explicit MrtWriter(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

/// Encodes a path attribute block (4-byte ASNs). `rib`: MP_REACH_NLRI in the abbreviated RIB form
/// (next hop only); otherwise the next hops are not written here (write_update adds MP_REACH).
void encode_attributes(const PathAttributes& attributes, bool rib, std::vector<std::uint8_t>& out);

} // namespace dg::bgp
