#include "dg/bgp/pyasn_policy.hpp"

#include <vector>
#include <xxhash.h>

namespace dg::bgp {

bool pyasn_is_bogus(std::uint32_t asn) {
    return asn == 0 || (asn >= 64496 && asn <= 131071) || asn >= 1000000;
    // (>= 4,200,000,000 is included in >= 1,000,000, as in mrtx.py)
}

std::uint32_t cpython_set_first(std::span<const std::uint32_t> items) {
    // CPython 3.11 Objects/setobject.c: open addressing, LINEAR_PROBES 9, PERTURB_SHIFT 5,
    // PySet_MINSIZE 8, resize when fill*5 >= mask*3 to the smallest power of two > used*4.
    constexpr std::size_t kLinearProbes = 9;
    constexpr unsigned kPerturbShift = 5;
    std::vector<std::int64_t> table(8, -1);
    std::size_t mask = 7;
    std::size_t used = 0;
    auto insert_clean = [](std::vector<std::int64_t>& t, std::size_t m, std::uint32_t key) {
        std::size_t perturb = key;
        std::size_t i = key & m;
        for (;;) {
            if (t[i] < 0) {
                t[i] = key;
                return;
            }
            if (i + kLinearProbes <= m) {
                for (std::size_t j = 1; j <= kLinearProbes; ++j) {
                    if (t[i + j] < 0) {
                        t[i + j] = key;
                        return;
                    }
                }
            }
            perturb >>= kPerturbShift;
            i = (i * 5 + 1 + perturb) & m;
        }
    };
    for (const std::uint32_t key : items) {
        std::size_t perturb = key;
        std::size_t i = key & mask;
        bool inserted = false;
        bool present = false;
        while (!inserted && !present) {
            std::size_t probes = (i + kLinearProbes <= mask) ? kLinearProbes : 0;
            std::size_t j = i;
            for (;;) {
                if (table[j] < 0) {
                    table[j] = key;
                    inserted = true;
                    break;
                }
                if (table[j] == key) {
                    present = true;
                    break;
                }
                ++j;
                if (probes-- == 0) {
                    break;
                }
            }
            if (!inserted && !present) {
                perturb >>= kPerturbShift;
                i = (i * 5 + 1 + perturb) & mask;
            }
        }
        if (!inserted) {
            continue;
        }
        ++used; // no deletions: fill == used
        if (used * 5 >= mask * 3) {
            const std::size_t min_used = used > 50000 ? used * 2 : used * 4;
            std::size_t size = 8;
            while (size <= min_used) {
                size <<= 1U;
            }
            std::vector<std::int64_t> bigger(size, -1);
            for (const std::int64_t v : table) {
                if (v >= 0) {
                    insert_clean(bigger, size - 1, static_cast<std::uint32_t>(v));
                }
            }
            table = std::move(bigger);
            mask = size - 1;
        }
    }
    for (const std::int64_t v : table) {
        if (v >= 0) {
            return static_cast<std::uint32_t>(v);
        }
    }
    return 0;
}

Result<PyasnOrigin> pyasn_origin(const AsPath& path) {
    if (path.segments.empty()) {
        return make_error(ErrorCode::Unsupported, "empty AS_PATH (pyasn: IndexError)");
    }
    if (path.segments.front().type != SegmentType::AsSequence) {
        return make_error(ErrorCode::Unsupported,
                          "AS_PATH does not start with an AS_SEQUENCE (pyasn: AssertionError)");
    }
    for (auto it = path.segments.rbegin(); it != path.segments.rend(); ++it) {
        if (it->type == SegmentType::AsSequence) {
            for (auto a = it->asns.rbegin(); a != it->asns.rend(); ++a) {
                if (!pyasn_is_bogus(*a)) {
                    return PyasnOrigin{*a, false};
                }
            }
        } else if (it->type == SegmentType::AsSet) {
            std::vector<std::uint32_t> members;
            for (const std::uint32_t a : it->asns) {
                if (!pyasn_is_bogus(a)) {
                    members.push_back(a);
                }
            }
            if (!members.empty()) {
                return PyasnOrigin{cpython_set_first(members), true};
            }
        } else {
            return make_error(ErrorCode::Unsupported,
                              "confederation segment in AS_PATH (pyasn: Invalid/Legacy segment)");
        }
    }
    return make_error(ErrorCode::Unsupported, "every ASN of the AS_PATH is bogus (pyasn: "
                                              "AssertionError)");
}

std::size_t PyasnConverter::KeyHash::operator()(const Prefix& p) const {
    const auto& b = p.network().bytes();
    return static_cast<std::size_t>(XXH3_64bits_withSeed(
        b.data(), b.size(),
        static_cast<std::uint64_t>(p.length()) | (p.network().is_v4() ? 0x100U : 0x200U)));
}

void PyasnConverter::add_record(const Prefix& prefix, const AsPath& first_path,
                                std::uint32_t peer_index) {
    ++stats_.records;
    if (seen_.contains(prefix)) {
        ++stats_.repeated;
        return;
    }
    auto origin = pyasn_origin(first_path);
    if (!origin) {
        // pyasn records nothing for the prefix, so a later record of it is tried again.
        ++stats_.no_origin;
        return;
    }
    seen_.insert(prefix);
    if (prefix.is_default()) {
        ++stats_.default_routes;
        return;
    }
    builder_.add_origin(prefix, origin->asn, origin->from_set, peer_index);
}

} // namespace dg::bgp
