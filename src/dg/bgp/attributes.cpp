// BGP path attribute block parser (RFC 4271 §4.3, 4760, 6793, 1997, 8092; RFC 6396 §4.3.4 for
// the abbreviated MP_REACH_NLRI of TABLE_DUMP_V2 RIB entries).

#include "dg/bgp/internal/wire.hpp"
#include "dg/bgp/limits.hpp"
#include "dg/bgp/mrt_reader.hpp"

#include <string>

namespace dg::bgp {

namespace internal {

std::size_t as4_count(const AsPath& path) {
    std::size_t n = 0;
    for (const auto& s : path.segments) {
        if (s.type == SegmentType::AsSequence) {
            n += s.asns.size();
        } else if (s.type == SegmentType::AsSet) {
            n += 1;
        }
    }
    return n;
}

bool merge_as4_path(AsPath& path, const AsPath& as4_path) {
    const std::size_t n = as4_count(path);
    const std::size_t m = as4_count(as4_path);
    if (n < m) {
        return false;
    }
    std::size_t keep = n - m;
    std::size_t taken_segments = 0;
    for (auto& seg : path.segments) {
        if (seg.type == SegmentType::ConfedSequence || seg.type == SegmentType::ConfedSet) {
            if (keep == 0 && taken_segments > 0) {
                break;
            }
            ++taken_segments;
            continue;
        }
        if (keep == 0) {
            break;
        }
        if (seg.type == SegmentType::AsSet) {
            keep -= 1;
        } else if (seg.asns.size() > keep) {
            seg.asns.resize(keep);
            keep = 0;
        } else {
            keep -= seg.asns.size();
        }
        ++taken_segments;
    }
    path.segments.resize(taken_segments);
    for (const auto& seg : as4_path.segments) {
        if (!path.segments.empty() && seg.type == SegmentType::AsSequence &&
            path.segments.back().type == SegmentType::AsSequence) {
            auto& back = path.segments.back().asns;
            back.insert(back.end(), seg.asns.begin(), seg.asns.end());
        } else {
            path.segments.push_back(seg);
        }
    }
    return true;
}

bool parse_as_path(const std::uint8_t* data, std::size_t size, std::size_t asn_size, AsPath& out) {
    std::size_t nseg = 0;
    std::size_t total = 0;
    Cursor c(data, size);
    bool good = true;
    while (c.remaining() > 0) {
        const std::uint8_t type = c.u8();
        const std::uint8_t count = c.u8();
        const auto* q = c.take(static_cast<std::size_t>(count) * asn_size);
        if (q == nullptr || type < 1 || type > 4) {
            good = false;
            break;
        }
        total += count;
        if (total > limits::kMaxAsPathLength) {
            good = false;
            break;
        }
        if (nseg == out.segments.size()) {
            out.segments.emplace_back();
        }
        auto& seg = out.segments[nseg++];
        seg.type = static_cast<SegmentType>(type);
        seg.asns.resize(count);
        for (std::size_t i = 0; i < count; ++i) {
            seg.asns[i] = asn_size == 4 ? get32(q + 4 * i) : get16(q + 2 * i);
        }
    }
    out.segments.resize(nseg);
    return good;
}

} // namespace internal

namespace {

using internal::Cursor;
using internal::get16;
using internal::get32;

bool is_registered_attribute(std::uint8_t type) {
    return (type >= 1 && type <= 40) || type == 128 || type == 255;
}

void warn(std::vector<std::string>& warnings, std::string message) {
    if (warnings.size() < limits::kMaxWarningsPerRecord) {
        warnings.push_back(std::move(message));
    }
}

// Next hops of MP_REACH_NLRI: 4 (IPv4), 16 (IPv6), 32 (IPv6 global + link-local); the VPN forms
// (12, 24, 48 bytes with route distinguishers) keep their addresses.
bool parse_next_hops(const std::uint8_t* p, std::size_t len, std::vector<IpAddress>& out) {
    switch (len) {
    case 4:
        out.push_back(IpAddress::from_bytes(IpFamily::V4, p));
        return true;
    case 12:
        out.push_back(IpAddress::from_bytes(IpFamily::V4, p + 8));
        return true;
    case 16:
        out.push_back(IpAddress::from_bytes(IpFamily::V6, p));
        return true;
    case 24:
        out.push_back(IpAddress::from_bytes(IpFamily::V6, p + 8));
        return true;
    case 32:
        out.push_back(IpAddress::from_bytes(IpFamily::V6, p));
        out.push_back(IpAddress::from_bytes(IpFamily::V6, p + 16));
        return true;
    case 48:
        out.push_back(IpAddress::from_bytes(IpFamily::V6, p + 8));
        out.push_back(IpAddress::from_bytes(IpFamily::V6, p + 32));
        return true;
    default:
        return false;
    }
}

std::optional<IpFamily> afi_family(std::uint16_t afi) {
    if (afi == 1) {
        return IpFamily::V4;
    }
    if (afi == 2) {
        return IpFamily::V6;
    }
    return std::nullopt;
}

} // namespace

Result<void> parse_attributes(const std::uint8_t* data, std::size_t size,
                              const AttributeParseOptions& options, PathAttributes& out,
                              AttributeParseResult& result, std::vector<std::string>& warnings) {
    out.origin.reset();
    // out.as_path keeps its segments (and their buffers) until the end: parse_as_path() reuses them
    out.next_hop.reset();
    out.mp_next_hops.clear();
    out.med.reset();
    out.local_pref.reset();
    out.atomic_aggregate = false;
    out.aggregator.reset();
    out.communities.clear();
    out.large_communities.clear();
    out.mp_reach_nlri.clear();
    out.mp_unreach_nlri.clear();
    result.unknown_attributes = 0;
    result.recovered = false;
    result.mp_reach_path_ids.clear();
    result.mp_unreach_path_ids.clear();
    result.mp_reach_unmasked.clear();
    result.mp_unreach_unmasked.clear();

    // AS4_PATH / AS4_AGGREGATOR are applied after the whole block was read.
    thread_local AsPath as4_path;
    bool have_as4_path = false;
    bool have_as_path = false;
    std::optional<Aggregator> as4_aggregator;
    // However this returns, a block without a (valid) AS_PATH leaves no segments behind.
    struct ClearPathUnlessParsed {
        AsPath& path;
        const bool& parsed;
        ClearPathUnlessParsed(AsPath& p, const bool& b) : path(p), parsed(b) {}
        ClearPathUnlessParsed(const ClearPathUnlessParsed&) = delete;
        ClearPathUnlessParsed& operator=(const ClearPathUnlessParsed&) = delete;
        ~ClearPathUnlessParsed() {
            if (!parsed) {
                path.segments.clear();
            }
        }
    } const clear_path_unless_parsed{out.as_path, have_as_path};

    Cursor c(data, size);
    while (c.remaining() > 0) {
        const std::size_t attr_offset = size - c.remaining();
        const std::uint8_t flags = c.u8();
        const std::uint8_t type = c.u8();
        std::size_t len = (flags & 0x10U) != 0 ? c.u16() : c.u8();
        if (!c.ok()) {
            return make_error(ErrorCode::Malformed,
                              "attribute header truncated at attribute offset " +
                                  std::to_string(attr_offset));
        }
        const auto* p = c.take(len);
        if (p == nullptr) {
            return make_error(ErrorCode::Malformed,
                              "attribute type " + std::to_string(type) + " length " +
                                  std::to_string(len) + " runs past the attribute block (" +
                                  std::to_string(size - attr_offset) + " bytes left)");
        }
        auto bad_length = [&](const char* name) {
            warn(warnings, std::string(name) + " attribute with invalid length " +
                               std::to_string(len) + " ignored");
            result.recovered = true;
        };
        // AS_PATH only mode still reads MP_(UN)REACH_NLRI: they carry the prefixes of updates.
        if (!options.decode_all && type != 2 && type != 17 && type != 14 && type != 15) {
            continue;
        }
        switch (type) {
        case 1: // ORIGIN
            if (len != 1 || p[0] > 2) {
                bad_length("ORIGIN");
            } else {
                out.origin = static_cast<OriginType>(p[0]);
            }
            break;
        case 2: // AS_PATH
            if (!internal::parse_as_path(p, len, options.as4 ? 4 : 2, out.as_path)) {
                return make_error(ErrorCode::Malformed,
                                  "malformed AS_PATH (" + std::to_string(len) + " bytes, " +
                                      (options.as4 ? "4" : "2") + "-byte ASNs)");
            }
            have_as_path = true;
            break;
        case 3: // NEXT_HOP
            if (len != 4) {
                bad_length("NEXT_HOP");
            } else {
                out.next_hop = IpAddress::from_bytes(IpFamily::V4, p);
            }
            break;
        case 4: // MULTI_EXIT_DISC
            if (len != 4) {
                bad_length("MULTI_EXIT_DISC");
            } else {
                out.med = get32(p);
            }
            break;
        case 5: // LOCAL_PREF
            if (len != 4) {
                bad_length("LOCAL_PREF");
            } else {
                out.local_pref = get32(p);
            }
            break;
        case 6: // ATOMIC_AGGREGATE
            out.atomic_aggregate = true;
            break;
        case 7: // AGGREGATOR (length decides the AS size: 6 = 2-byte, 8 = 4-byte)
            if (len == 6) {
                out.aggregator = Aggregator{get16(p), IpAddress::from_bytes(IpFamily::V4, p + 2)};
            } else if (len == 8) {
                out.aggregator = Aggregator{get32(p), IpAddress::from_bytes(IpFamily::V4, p + 4)};
            } else {
                bad_length("AGGREGATOR");
            }
            break;
        case 8: // COMMUNITIES
            if (len % 4 != 0) {
                bad_length("COMMUNITIES");
            } else {
                for (std::size_t i = 0; i < len; i += 4) {
                    out.communities.push_back(get32(p + i));
                }
            }
            break;
        case 14: { // MP_REACH_NLRI
            const bool abbreviated =
                options.rib_abbreviated_mp_reach && len >= 1 && p[0] == len - 1;
            if (abbreviated) {
                if (!parse_next_hops(p + 1, p[0], out.mp_next_hops)) {
                    bad_length("MP_REACH_NLRI next hop");
                }
                break;
            }
            Cursor m(p, len);
            const std::uint16_t afi = m.u16();
            const std::uint8_t safi = m.u8();
            const std::uint8_t nh_len = m.u8();
            const auto* nh = m.take(nh_len);
            m.skip(1); // reserved (SNPA count)
            if (!m.ok()) {
                bad_length("MP_REACH_NLRI");
                break;
            }
            if (!parse_next_hops(nh, nh_len, out.mp_next_hops)) {
                warn(warnings,
                     "MP_REACH_NLRI next hop of length " + std::to_string(nh_len) + " ignored");
                result.recovered = true;
            }
            const auto family = afi_family(afi);
            if (!family || (safi != 1 && safi != 2 && safi != 3)) {
                warn(warnings, "MP_REACH_NLRI AFI " + std::to_string(afi) + " SAFI " +
                                   std::to_string(safi) + " not decoded");
                result.recovered = true;
                break;
            }
            bool masked = false;
            if (!internal::read_nlri(m.data(), m.remaining(), *family, options.add_path,
                                     limits::kMaxPrefixesPerUpdate, out.mp_reach_nlri,
                                     &result.mp_reach_path_ids, masked,
                                     &result.mp_reach_unmasked)) {
                return make_error(ErrorCode::Malformed, "malformed NLRI in MP_REACH_NLRI");
            }
            if (masked) {
                warn(warnings, "MP_REACH_NLRI prefix with bits set past its length (masked)");
                result.recovered = true;
            }
            break;
        }
        case 15: { // MP_UNREACH_NLRI
            Cursor m(p, len);
            const std::uint16_t afi = m.u16();
            const std::uint8_t safi = m.u8();
            if (!m.ok()) {
                bad_length("MP_UNREACH_NLRI");
                break;
            }
            const auto family = afi_family(afi);
            if (!family || (safi != 1 && safi != 2 && safi != 3)) {
                warn(warnings, "MP_UNREACH_NLRI AFI " + std::to_string(afi) + " SAFI " +
                                   std::to_string(safi) + " not decoded");
                result.recovered = true;
                break;
            }
            bool masked = false;
            if (!internal::read_nlri(m.data(), m.remaining(), *family, options.add_path,
                                     limits::kMaxPrefixesPerUpdate, out.mp_unreach_nlri,
                                     &result.mp_unreach_path_ids, masked,
                                     &result.mp_unreach_unmasked)) {
                return make_error(ErrorCode::Malformed, "malformed NLRI in MP_UNREACH_NLRI");
            }
            if (masked) {
                warn(warnings, "MP_UNREACH_NLRI prefix with bits set past its length (masked)");
                result.recovered = true;
            }
            break;
        }
        case 17: // AS4_PATH
            if (!internal::parse_as_path(p, len, 4, as4_path)) {
                warn(warnings, "malformed AS4_PATH ignored");
                result.recovered = true;
            } else {
                have_as4_path = true;
            }
            break;
        case 18: // AS4_AGGREGATOR
            if (len != 8) {
                bad_length("AS4_AGGREGATOR");
            } else {
                as4_aggregator = Aggregator{get32(p), IpAddress::from_bytes(IpFamily::V4, p + 4)};
            }
            break;
        case 32: // LARGE_COMMUNITY
            if (len % 12 != 0) {
                bad_length("LARGE_COMMUNITY");
            } else {
                for (std::size_t i = 0; i < len; i += 12) {
                    out.large_communities.push_back(
                        LargeCommunity{get32(p + i), get32(p + i + 4), get32(p + i + 8)});
                }
            }
            break;
        default:
            if (!is_registered_attribute(type)) {
                ++result.unknown_attributes;
                warn(warnings, "unknown attribute type " + std::to_string(type) + " (" +
                                   std::to_string(len) + " bytes) skipped");
                result.recovered = true;
            }
            break;
        }
    }

    // RFC 6793 §4.2.3
    if (have_as4_path || as4_aggregator) {
        if (options.as4) {
            warn(warnings, "AS4_PATH/AS4_AGGREGATOR in a 4-byte-AS context ignored");
            result.recovered = true;
        } else if (out.aggregator && as4_aggregator && out.aggregator->asn != kAsTrans.value()) {
            warn(warnings, "AS4_PATH/AS4_AGGREGATOR ignored: AGGREGATOR is not AS_TRANS");
            result.recovered = true;
        } else {
            if (as4_aggregator && out.aggregator) {
                out.aggregator = as4_aggregator;
            }
            if (have_as4_path && have_as_path) {
                if (!internal::merge_as4_path(out.as_path, as4_path)) {
                    warn(warnings, "AS4_PATH longer than AS_PATH ignored");
                    result.recovered = true;
                }
            }
        }
    }
    return ok();
}

} // namespace dg::bgp
