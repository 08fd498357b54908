#pragma once
// Every limit of the VRP readers and the validation index, in one place (style §2.8 habit 8).
// Hitting one is ResourceExhausted (or Malformed) with the limit's name in the message.

#include <cstddef>
#include <cstdint>

namespace dg::rpki {

/// VRPs in one file. A full 2024 set holds ~550,000 (rpki-client `uniquevrps`); 40x headroom.
inline constexpr std::size_t kMaxVrps = 20'000'000;
/// Bytes of one VRP file after decompression (a full JSON set is ~60 MB).
inline constexpr std::size_t kMaxVrpFileBytes = std::size_t{4} << 30;
/// Distinct trust-anchor names in one file (five RIRs, a few test or private TAs in practice).
inline constexpr std::size_t kMaxTrustAnchors = 4096;
/// Bytes of a trust-anchor name; longer names are cut (they are labels, not identifiers).
inline constexpr std::size_t kMaxTrustAnchorName = 128;
/// Bytes of one CSV line (a csvext line with a long rsync URI is ~250).
inline constexpr std::size_t kMaxCsvLine = 64 * 1024;
/// Nesting depth of a JSON VRP file (real ones are 5 deep: roas[].source[].validity).
inline constexpr std::size_t kMaxJsonDepth = 64;
/// Warnings kept per file (every skipped entry is counted; only the first ones are kept).
inline constexpr std::size_t kMaxWarningsKept = 100;

} // namespace dg::rpki
