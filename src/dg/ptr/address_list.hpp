#pragma once
// The addresses a PTR sweep queries: read from a prefix list (CIDR per line) or an address list
// (one address per line), merged into sorted, disjoint ranges, and enumerated by index
// (docs/cli/ptr.md). Pure: no I/O beyond the ByteSource it is given.

#include "dg/core/byte_source.hpp"
#include "dg/core/ip_address.hpp"
#include "dg/core/prefix.hpp"
#include "dg/core/result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dg::ptr {

__extension__ typedef unsigned __int128 U128; // NOLINT(modernize-use-using): __extension__

/// Above this many addresses a sweep needs explicit confirmation (--yes): 2^24, a /8.
inline constexpr std::uint64_t kConfirmAbove = std::uint64_t{1} << 24;
/// An IPv6 prefix is enumerated only when it holds at most this many addresses (a /112);
/// larger ones are an error that says to pass the addresses instead (--addresses).
inline constexpr std::uint64_t kMaxV6PrefixAddresses = std::uint64_t{1} << 16;
/// Invalid lines kept with their text for the report (all are counted).
inline constexpr std::size_t kMaxReportedProblems = 20;

/// What a list holds.
enum class ListKind : std::uint8_t {
    Prefixes,  ///< CIDR prefixes (a bare address is a host prefix)
    Addresses, ///< single addresses (a /32 or /128 is accepted too)
};

struct LineProblem {
    std::uint64_t line = 0; ///< 1-based
    std::string text;       ///< the line (cut to 80 characters)
    std::string reason;
};

struct ListReport {
    std::uint64_t lines = 0;   ///< non-blank, non-comment lines
    std::uint64_t entries = 0; ///< valid prefixes/addresses
    std::uint64_t invalid = 0;
    std::uint64_t listed_addresses = 0; ///< sum over entries, before merging overlaps
    std::vector<LineProblem> problems;  ///< the first kMaxReportedProblems invalid lines
};

/// Sorted, disjoint, non-adjacent ranges of addresses (IPv4 first), enumerable by index.
class AddressPlan {
public:
    using V4Range = std::pair<std::uint32_t, std::uint32_t>; ///< first, last (inclusive)
    using V6Range = std::pair<U128, U128>;

    AddressPlan() = default;
    /// Sorts and merges (overlapping and adjacent ranges become one).
    static AddressPlan from_ranges(std::vector<V4Range> v4, std::vector<V6Range> v6);
    /// The plan of a list of prefixes.
    static AddressPlan from_prefixes(const std::vector<Prefix>& prefixes);

    [[nodiscard]] std::uint64_t size() const { return v4_count_ + v6_count_; }
    [[nodiscard]] std::uint64_t v4_count() const { return v4_count_; }
    [[nodiscard]] std::uint64_t v6_count() const { return v6_count_; }
    [[nodiscard]] const std::vector<V4Range>& v4_ranges() const { return v4_; }
    [[nodiscard]] const std::vector<V6Range>& v6_ranges() const { return v6_; }
    /// The index-th address (0 <= index < size()), IPv4 in order, then IPv6.
    [[nodiscard]] IpAddress at(std::uint64_t index) const;
    /// Position of `address` in the plan, nullopt when it is not in it.
    [[nodiscard]] std::optional<std::uint64_t> index_of(const IpAddress& address) const;
    /// The smallest CIDR prefixes that cover exactly the plan (for display and settings).
    [[nodiscard]] std::vector<Prefix> prefixes() const;

private:
    std::vector<V4Range> v4_;
    std::vector<V6Range> v6_;
    std::vector<std::uint64_t> v4_start_; ///< index of each range's first address
    std::vector<std::uint64_t> v6_start_;
    std::uint64_t v4_count_ = 0;
    std::uint64_t v6_count_ = 0;
};

/// Reads a list line by line: '#' starts a comment, blank lines are skipped, the first
/// whitespace-separated token of a line is the entry (so `rib origins` output reads as a prefix
/// list). Invalid lines are counted in `report` with their number. Errors: as ByteSource::read
/// (Io, Malformed); ResourceExhausted for an IPv6 prefix larger than kMaxV6PrefixAddresses (with
/// its line: pass its addresses instead).
Result<AddressPlan> read_address_list(io::ByteSource& source, ListKind kind, ListReport& report);
/// The same over text in memory (tests, fuzzing).
Result<AddressPlan> parse_address_list(std::string_view text, ListKind kind, ListReport& report);

/// The reverse-DNS name of an address (RFC 1035 §3.5 in-addr.arpa, RFC 3596 §2.5 ip6.arpa
/// nibbles), lower case, no trailing dot: "1.2.0.192.in-addr.arpa".
std::string reverse_name(const IpAddress& address);

/// "1,234,567".
std::string with_commas(std::uint64_t n);

} // namespace dg::ptr
