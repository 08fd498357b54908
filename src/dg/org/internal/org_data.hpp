#pragma once
// Storage behind OrgTable: records with string views into a chunked arena that never moves.

#include "dg/org/org_table.hpp"

#include <cstdint>
#include <memory>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace dg::org::internal {

/// Append-only string storage; views stay valid for the arena's lifetime (chunks never move).
class StringArena {
public:
    /// A stable copy of `s`.
    std::string_view store(std::string_view s);
    /// As store(), but equal strings share one copy (for low-cardinality fields).
    std::string_view intern(std::string_view s);
    /// Drops the intern index (the strings stay).
    void freeze() { interned_ = {}; }

private:
    static constexpr std::size_t kChunkBytes = 256 * 1024;
    static constexpr std::size_t kLargeBytes = 4096; // stored in a chunk of its own
    std::vector<std::unique_ptr<char[]>> chunks_;
    std::vector<std::unique_ptr<char[]>> large_; // strings over kLargeBytes, one each
    std::size_t used_ = kChunkBytes;             // bytes used in chunks_.back()
    std::unordered_set<std::string_view> interned_;
};

inline constexpr std::uint32_t kNoOrg = UINT32_MAX;

} // namespace dg::org::internal

namespace dg::org {

struct OrgTable::Data {
    internal::StringArena arena;
    std::vector<Organisation> orgs;      ///< ascending by id, unique
    std::vector<AsOrg> ases;             ///< ascending by asn, unique
    std::vector<std::uint32_t> asn_keys; ///< ases[i].asn, dense for a cache-friendly search
    std::vector<std::uint32_t> as_org;   ///< per AS: index in orgs or kNoOrg
    std::vector<std::uint32_t> by_org;   ///< AS indices with an org, by (org index, asn)
    LoadReport report;
};

} // namespace dg::org
