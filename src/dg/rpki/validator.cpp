#include "dg/rpki/validator.hpp"

#include "dg/bgp/prefix_table.hpp"

#include <algorithm>
#include <cstdint>
#include <sys/mman.h>

namespace dg::rpki {

RouteOrigin route_origin(const bgp::Origin& origin) {
    return origin.as_set() ? RouteOrigin{} : RouteOrigin{Asn(origin.asn)};
}

namespace {

bool same_vrp(const Vrp& a, const Vrp& b) {
    return a.prefix == b.prefix && a.asn == b.asn && a.max_length == b.max_length;
}

bool vrp_less(const Vrp& a, const Vrp& b) {
    if (a.prefix != b.prefix) {
        return a.prefix < b.prefix; // family, address, length: the trie table's order
    }
    if (a.asn != b.asn) {
        return a.asn < b.asn;
    }
    return a.max_length < b.max_length;
}

/// A run of VRPs with one prefix, in sorted order.
struct Run {
    std::uint32_t first = 0;
    std::uint32_t count = 0;
    std::uint32_t parent = VrpIndex::kNone; ///< run index
};

/// Fills Run::parent: the nearest earlier run whose prefix contains the run's prefix. Sorted by
/// (family, address, length), a prefix comes after every prefix that contains it, and the
/// prefixes containing it form a chain: a stack of open prefixes finds the nearest one.
void link_parents(std::vector<Run>& runs, const std::vector<Vrp>& vrps) {
    std::vector<std::uint32_t> open;
    for (std::uint32_t r = 0; r < runs.size(); ++r) {
        const Prefix& p = vrps[runs[r].first].prefix;
        while (!open.empty()) {
            const Prefix& top = vrps[runs[open.back()].first].prefix;
            if (top.family() == p.family() && top.length() < p.length() &&
                top.contains(p.network())) {
                break;
            }
            open.pop_back();
        }
        runs[r].parent = open.empty() ? VrpIndex::kNone : open.back();
        open.push_back(r);
    }
}

/// Asks for transparent huge pages over [data, data + bytes) before it is first written: the
/// groups are read in random order, and with 4 KiB pages most reads of a full set would also miss
/// the TLB (measured: +10% validations per second in random order). A hint only.
void advise_huge_pages(const void* data, std::size_t bytes) {
    constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
    const auto begin = (reinterpret_cast<std::uintptr_t>(data) + kHuge - 1) & ~(kHuge - 1);
    const auto end = (reinterpret_cast<std::uintptr_t>(data) + bytes) & ~(kHuge - 1);
    if (end > begin) {
        (void)::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
    }
}

} // namespace

const char* state_name(State state) {
    switch (state) {
    case State::Valid:
        return "valid";
    case State::Invalid:
        return "invalid";
    case State::NotFound:
        return "not-found";
    default:
        return "unknown";
    }
}

const char* reason_name(Reason reason) {
    switch (reason) {
    case Reason::TooSpecific:
        return "too-specific";
    case Reason::WrongOrigin:
        return "wrong-origin";
    case Reason::None:
    default:
        return nullptr;
    }
}

VrpIndex::VrpIndex() : trie_(std::make_unique<bgp::PrefixTable>()) {}
VrpIndex::~VrpIndex() = default;
VrpIndex::VrpIndex(VrpIndex&&) noexcept = default;
VrpIndex& VrpIndex::operator=(VrpIndex&&) noexcept = default;

VrpIndex VrpIndex::build(VrpSet set) {
    VrpIndex index;
    index.tas_ = std::move(set.trust_anchors);
    index.report_ = std::move(set.report);
    std::vector<Vrp>& vrps = set.vrps;
    // Stable: among duplicates the first one read (its trust anchor) is kept.
    std::stable_sort(vrps.begin(), vrps.end(), vrp_less);
    const auto last = std::unique(vrps.begin(), vrps.end(), same_vrp);
    index.stats_.duplicates = static_cast<std::size_t>(vrps.end() - last);
    vrps.erase(last, vrps.end());
    vrps.shrink_to_fit();

    std::vector<Run> runs;
    for (std::uint32_t i = 0; i < vrps.size(); ++i) {
        if (runs.empty() || vrps[runs.back().first].prefix != vrps[i].prefix) {
            runs.push_back(Run{i, 0, kNone});
        }
        ++runs.back().count;
        index.stats_.ipv4 += vrps[i].prefix.family() == IpFamily::V4 ? 1U : 0U;
        index.stats_.as0 += vrps[i].asn.value() == 0 ? 1U : 0U;
    }
    index.stats_.vrps = vrps.size();
    index.stats_.ipv6 = vrps.size() - index.stats_.ipv4;
    index.stats_.prefixes = runs.size();
    link_parents(runs, vrps);

    // Groups in the trie's order (its table skips default routes): those come last.
    std::vector<std::uint32_t> group_of(runs.size(), kNone);
    std::uint32_t next = 0;
    for (std::uint32_t r = 0; r < runs.size(); ++r) {
        if (!vrps[runs[r].first].prefix.is_default()) {
            group_of[r] = next++;
        }
    }
    bgp::PrefixTableBuilder builder;
    builder.reserve(next);
    index.groups_.reserve(runs.size());
    advise_huge_pages(index.groups_.data(), runs.size() * sizeof(Group));
    index.groups_.resize(runs.size());
    for (std::uint32_t r = 0; r < runs.size(); ++r) {
        const Prefix& p = vrps[runs[r].first].prefix;
        if (p.is_default()) {
            group_of[r] = next++;
            (p.family() == IpFamily::V4 ? index.default_v4_ : index.default_v6_) = group_of[r];
        } else {
            builder.add_origin(p, 1, false);
        }
    }
    for (std::uint32_t r = 0; r < runs.size(); ++r) {
        Group& g = index.groups_[group_of[r]];
        g.first = runs[r].first;
        g.count = runs[r].count;
        g.parent = runs[r].parent == kNone ? kNone : group_of[runs[r].parent];
        g.length = static_cast<std::uint8_t>(vrps[runs[r].first].prefix.length());
        g.asn = vrps[runs[r].first].asn.value();
        g.max_length = vrps[runs[r].first].max_length;
    }
    *index.trie_ = builder.build();
    // The trie's index must be our group index: same prefixes, same order.
    DG_REQUIRE(index.trie_->size() + (index.default_v4_ != kNone ? 1U : 0U) +
                   (index.default_v6_ != kNone ? 1U : 0U) ==
               index.groups_.size());
    for (std::uint32_t g = 0; g < index.trie_->size(); ++g) {
        DG_REQUIRE(index.trie_->prefix(g) == vrps[index.groups_[g].first].prefix);
    }

    index.entries_.reserve(vrps.size());
    for (const Vrp& v : vrps) {
        index.entries_.push_back(Entry{v.asn.value(), v.max_length});
    }
    index.vrps_ = std::move(vrps);
    return index;
}

std::uint32_t VrpIndex::covering_group(const Prefix& route) const {
    const IpAddress& net = route.network();
    std::uint32_t g = 0;
    if (net.is_v4()) {
        g = trie_->find_v4(net.v4_value());
        if (g == bgp::PrefixTable::kNotFound) {
            g = default_v4_;
        }
    } else {
        g = trie_->find_v6(net.v6_high(), net.v6_low());
        if (g == bgp::PrefixTable::kNotFound) {
            g = default_v6_;
        }
    }
    // The trie found the longest VRP prefix holding the route's first address; those longer
    // than the route are inside it, not covering it (RFC 6811 §2): walk up to a covering one.
    const int length = route.length();
    while (g != kNone && groups_[g].length > length) {
        g = groups_[g].parent;
    }
    return g;
}

Validity VrpIndex::decide(std::uint32_t g, int length, std::uint32_t origin,
                          bool origin_known) const {
    if (g == kNone) {
        return Validity{State::NotFound, Reason::None};
    }
    // RFC 6811 §2: an origin of NONE matches no VRP; AS0 VRPs (RFC 6483 §4) match no route, and
    // a route originated by AS0 (RFC 7607) matches none either.
    if (!origin_known || origin == 0) {
        return Validity{State::Invalid, Reason::WrongOrigin};
    }
    bool same_as = false;
    for (; g != kNone; g = groups_[g].parent) {
        const Group& group = groups_[g];
        if (group.asn == origin) {
            if (length <= group.max_length) {
                return Validity{State::Valid, Reason::None};
            }
            same_as = true;
        }
        const Entry* e = entries_.data() + group.first;
        for (std::uint32_t i = 1; i < group.count; ++i) {
            if (e[i].asn == origin) {
                if (length <= e[i].max_length) {
                    return Validity{State::Valid, Reason::None};
                }
                same_as = true;
            }
        }
    }
    return Validity{State::Invalid, same_as ? Reason::TooSpecific : Reason::WrongOrigin};
}

Validity VrpIndex::validate(const Prefix& route, RouteOrigin origin) const {
    return decide(covering_group(route), route.length(), origin ? origin->value() : 0,
                  origin.has_value());
}

void VrpIndex::validate(std::span<const Route> routes, std::span<Validity> out) const {
    DG_REQUIRE(routes.size() == out.size());
    // Loop fission: the trie lookups of a block first (independent loads the CPU overlaps), then
    // the group chains, whose first group is fetched ahead of deciding.
    constexpr std::size_t kBlock = 16;
    std::uint32_t groups[kBlock];
    for (std::size_t base = 0; base < routes.size(); base += kBlock) {
        const std::size_t n = std::min(kBlock, routes.size() - base);
        for (std::size_t i = 0; i < n; ++i) {
            groups[i] = covering_group(routes[base + i].prefix);
            if (groups[i] != kNone) {
                __builtin_prefetch(&groups_[groups[i]]);
            }
        }
        for (std::size_t i = 0; i < n; ++i) {
            const Route& r = routes[base + i];
            out[base + i] = decide(groups[i], r.prefix.length(), r.origin ? r.origin->value() : 0,
                                   r.origin.has_value());
        }
    }
}

Explanation VrpIndex::explain(const Prefix& route, RouteOrigin origin) const {
    Explanation out;
    const std::uint32_t first = covering_group(route);
    out.validity = decide(first, route.length(), origin ? origin->value() : 0, origin.has_value());
    if (out.validity.state == State::NotFound) {
        return out;
    }
    const bool valid = out.validity.state == State::Valid;
    for (std::uint32_t g = first; g != kNone; g = groups_[g].parent) {
        const Group& group = groups_[g];
        for (std::uint32_t i = group.first; i < group.first + group.count; ++i) {
            const bool matches = origin && origin->value() != 0 &&
                                 entries_[i].asn == origin->value() &&
                                 route.length() <= entries_[i].max_length;
            if (!valid || matches) {
                out.vrps.push_back(i);
            }
        }
    }
    return out;
}

std::size_t VrpIndex::memory_bytes() const {
    std::size_t bytes = vrps_.capacity() * sizeof(Vrp) + entries_.capacity() * sizeof(Entry) +
                        groups_.capacity() * sizeof(Group) + trie_->memory_bytes();
    for (const auto& ta : tas_) {
        bytes += ta.capacity() + sizeof(ta);
    }
    return bytes;
}

} // namespace dg::rpki
