#pragma once
// Named limits of the AS-organisation readers (house style: every loop over untrusted counts is
// bounded).

#include <cstddef>
#include <cstdint>

namespace dg::org {

/// Longest line accepted; longer lines are skipped with a warning.
inline constexpr std::size_t kMaxLineBytes = 64 * 1024;
/// Most fields a `# format:` line may name.
inline constexpr std::size_t kMaxFormatFields = 64;
/// Most rows (organisations + ASes) kept; CAIDA's files hold about 220,000.
inline constexpr std::uint64_t kMaxRows = 20'000'000;
/// Largest decompressed input read into memory.
inline constexpr std::size_t kMaxInputBytes = std::size_t{2} << 30;
/// Warnings kept in LoadReport::warnings (all are counted).
inline constexpr std::size_t kMaxWarningsKept = 100;

} // namespace dg::org

namespace dg::org {

/// WHOIS bulk dumps: longest line accepted (longer: the object is skipped as broken).
inline constexpr std::size_t kMaxWhoisLineBytes = std::size_t{1} << 20;
/// WHOIS bulk dumps: largest object (all its lines) accepted.
inline constexpr std::size_t kMaxWhoisObjectBytes = std::size_t{16} << 20;
/// WHOIS bulk dumps: most attributes in one object.
inline constexpr std::size_t kMaxWhoisAttributes = 100'000;
/// WHOIS bulk dumps: longest attribute name.
inline constexpr std::size_t kMaxWhoisNameBytes = 64;

} // namespace dg::org
