#pragma once
// Named limits of the MRT reader. Lengths read from input are checked against these before
// anything is allocated or read (never trust a length from the input).

#include <cstddef>
#include <cstdint>

namespace dg::bgp::limits {

/// MRT common header size (RFC 6396 §2).
inline constexpr std::size_t kMrtHeaderSize = 12;
/// Largest MRT record body accepted. Real RIB records of a prefix seen by hundreds of peers
/// exceed 64 KiB (bview.64k_stream_overflow); anything beyond this is treated as lost framing.
inline constexpr std::uint32_t kMaxRecordLength = 64U * 1024U * 1024U;
/// Read buffer: starts at kInitialBuffer and grows to kReadChunk (bytes per read) on long inputs.
inline constexpr std::size_t kInitialBuffer = std::size_t{64} << 10;
inline constexpr std::size_t kReadChunk = std::size_t{1} << 20;
/// Entries in one PEER_INDEX_TABLE (the field is 16 bits; this bounds allocation).
inline constexpr std::size_t kMaxPeers = 65535;
/// View name length in a PEER_INDEX_TABLE.
inline constexpr std::size_t kMaxViewNameLength = 1024;
/// RIB entries per TABLE_DUMP_V2 RIB record (the count field is 16 bits).
inline constexpr std::size_t kMaxRibEntries = 65535;
/// Largest BGP message (RFC 8654 extended messages).
inline constexpr std::size_t kMaxBgpMessage = 65535;
/// AS numbers in one AS_PATH (all segments together).
inline constexpr std::size_t kMaxAsPathLength = 4096;
/// Prefixes in one update (NLRI + MP_REACH, or withdrawn + MP_UNREACH).
inline constexpr std::size_t kMaxPrefixesPerUpdate = 65535;
/// Warnings kept per record (further ones are counted, not stored).
inline constexpr std::size_t kMaxWarningsPerRecord = 16;

} // namespace dg::bgp::limits
