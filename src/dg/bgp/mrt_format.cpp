// bgpdump -m and JSON-lines renderings (docs/cli/rib.md). Hand-written into a string buffer: the
// CLI prints hundreds of thousands of lines per second.

#include "dg/bgp/mrt_format.hpp"

#include <arpa/inet.h>
#include <array>
#include <charconv>

namespace dg::bgp {

namespace {

// Writes the decimal digits of v ending at `end`; returns the first digit's position.
char* put_digits(std::uint64_t v, char* end) {
    do {
        *--end = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v != 0);
    return end;
}

void append_u(std::uint64_t v, std::string& out) {
    std::array<char, 24> b{};
    char* end = b.data() + b.size();
    char* start = put_digits(v, end);
    out.append(start, end);
}

void append_v4(const std::uint8_t* p, std::string& out) {
    std::array<char, 16> b{};
    char* q = b.data();
    for (int i = 0; i < 4; ++i) {
        if (i != 0) {
            *q++ = '.';
        }
        const unsigned v = p[i];
        if (v >= 100) {
            *q++ = static_cast<char>('0' + v / 100);
        }
        if (v >= 10) {
            *q++ = static_cast<char>('0' + (v / 10) % 10);
        }
        *q++ = static_cast<char>('0' + v % 10);
    }
    out.append(b.data(), q);
}

// IPv6 the way bgpdump's own formatter prints it: the first longest run of zero words is
// compressed even when it is a single word; ::ffff:a.b.c.d and ::a.b.c.d keep the dotted quad.
void append_ip_bgpdump(const IpAddress& ip, std::string& out) {
    const auto& b = ip.bytes();
    if (ip.is_v4()) {
        append_v4(b.data(), out);
        return;
    }
    std::array<unsigned, 8> w{};
    for (std::size_t i = 0; i < 8; ++i) {
        w[i] = (static_cast<unsigned>(b[2 * i]) << 8U) | b[2 * i + 1];
    }
    int best = -1;
    int best_len = 0;
    for (int i = 0; i < 8;) {
        if (w[static_cast<std::size_t>(i)] != 0) {
            ++i;
            continue;
        }
        int j = i;
        while (j < 8 && w[static_cast<std::size_t>(j)] == 0) {
            ++j;
        }
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        i = j;
    }
    static const char* const hex = "0123456789abcdef";
    for (int i = 0; i < 8; ++i) {
        if (i == best) {
            out.push_back(':');
            if (best + best_len == 8) {
                out.push_back(':');
            }
            i += best_len - 1;
            continue;
        }
        if (i != 0) {
            out.push_back(':');
        }
        if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xFFFFU))) {
            append_v4(b.data() + 12, out);
            break;
        }
        const unsigned v = w[static_cast<std::size_t>(i)];
        bool started = false;
        for (int shift = 12; shift >= 0; shift -= 4) {
            const unsigned d = (v >> static_cast<unsigned>(shift)) & 15U;
            if (d != 0 || started || shift == 0) {
                out.push_back(hex[d]);
                started = true;
            }
        }
    }
}

void append_prefix_bgpdump(const Prefix& p, const IpAddress* raw, std::string& out) {
    append_ip_bgpdump(raw != nullptr ? *raw : p.network(), out);
    out.push_back('/');
    append_u(static_cast<std::uint64_t>(p.length()), out);
}

const IpAddress* find_unmasked(const MrtRecord& rec, UnmaskedPrefix::List list, std::size_t index) {
    for (const auto& u : rec.unmasked) {
        if (u.list == list && (list == UnmaskedPrefix::List::Rib || u.index == index)) {
            return &u.address;
        }
    }
    return nullptr;
}

void append_prefix(const Prefix& p, std::string& out) {
    append_ip(p.network(), out);
    out.push_back('/');
    append_u(static_cast<std::uint64_t>(p.length()), out);
}

const char* origin_name(const std::optional<OriginType>& o) {
    if (o && *o == OriginType::Igp) {
        return "IGP";
    }
    if (o && *o == OriginType::Egp) {
        return "EGP";
    }
    return "INCOMPLETE";
}

void append_community(std::uint32_t c, std::string& out) {
    switch (c) {
    case 0xFFFFFF01U:
        out += "no-export";
        return;
    case 0xFFFFFF02U:
        out += "no-advertise";
        return;
    case 0xFFFFFF03U:
        out += "local-AS";
        return;
    default:
        append_u(c >> 16U, out);
        out.push_back(':');
        append_u(c & 0xFFFFU, out);
    }
}

// Fields 8.. of a bgpdump -m A/B line: "origin|nexthop|lp|med|communities|AG|aggregator|\n",
// starting with the AS path (field 7).
void append_route_tail(const PathAttributes& a, const IpAddress* next_hop, std::string& out) {
    append_as_path(a.as_path, out);
    out.push_back('|');
    out += origin_name(a.origin);
    out.push_back('|');
    if (next_hop != nullptr) {
        append_ip_bgpdump(*next_hop, out);
    } else {
        out += "255.255.255.255";
    }
    out.push_back('|');
    append_u(a.local_pref.value_or(0), out);
    out.push_back('|');
    append_u(a.med.value_or(0), out);
    out.push_back('|');
    for (std::size_t i = 0; i < a.communities.size(); ++i) {
        if (i != 0) {
            out.push_back(' ');
        }
        append_community(a.communities[i], out);
    }
    // bgpdump 1.6.2 does not print LARGE_COMMUNITY in -m lines (see docs/cli/rib.md).
    out.push_back('|');
    out += a.atomic_aggregate ? "AG" : "NAG";
    out.push_back('|');
    if (a.aggregator) {
        append_u(a.aggregator->asn, out);
        out.push_back(' ');
        append_ip_bgpdump(a.aggregator->address, out);
    }
    out += "|\n";
}

// bgpdump's choice of the next hop printed for a RIB entry: the IPv6 next hop of MP_REACH_NLRI
// if there is one, else NEXT_HOP (255.255.255.255 when absent).
const IpAddress* rib_next_hop(const PathAttributes& a) {
    if (!a.mp_next_hops.empty() && !a.mp_next_hops.front().is_v4()) {
        return &a.mp_next_hops.front();
    }
    return a.next_hop ? &*a.next_hop : nullptr;
}

void append_time(const MrtRecord& rec, std::string& out) {
    append_u(rec.timestamp, out);
    if (rec.type == kMrtBgp4mpEt) {
        out.push_back('.');
        std::array<char, 8> b{};
        auto us = rec.microseconds;
        for (int i = 5; i >= 0; --i) {
            b[static_cast<std::size_t>(i)] = static_cast<char>('0' + us % 10);
            us /= 10;
        }
        out.append(b.data(), 6);
    }
}

void append_json_string(std::string_view s, std::string& out) {
    out.push_back('"');
    for (char ch : s) {
        const auto u = static_cast<unsigned char>(ch);
        if (ch == '"' || ch == '\\') {
            out.push_back('\\');
            out.push_back(ch);
        } else if (u < 0x20) {
            static const char* const hex = "0123456789abcdef";
            out += "\\u00";
            out.push_back(hex[u >> 4U]);
            out.push_back(hex[u & 15U]);
        } else {
            out.push_back(ch);
        }
    }
    out.push_back('"');
}

void json_ip(const char* key, const IpAddress& ip, std::string& out) {
    out += ",\"";
    out += key;
    out += "\":\"";
    append_ip(ip, out);
    out.push_back('"');
}

void json_u(const char* key, std::uint64_t v, std::string& out) {
    out += ",\"";
    out += key;
    out += "\":";
    append_u(v, out);
}

void json_common(const MrtRecord& rec, std::string& out) {
    out += "{\"record\":";
    append_u(rec.index, out);
    json_u("offset", rec.offset, out);
    out += ",\"type\":";
    append_json_string(record_type_name(rec.type, rec.subtype), out);
    json_u("timestamp", rec.timestamp, out);
    if (rec.type == kMrtBgp4mpEt) {
        json_u("microseconds", rec.microseconds, out);
    }
    out += ",\"outcome\":\"";
    out += outcome_name(rec.outcome);
    out.push_back('"');
}

void json_attributes(const PathAttributes& a, std::string& out) {
    out += ",\"as_path\":\"";
    append_as_path(a.as_path, out);
    out += "\",\"origin_as\":";
    const auto po = path_origin(a.as_path);
    if (po.asn) {
        append_u(po.asn->value(), out);
    } else {
        out += "null";
    }
    if (po.ends_in_set()) {
        out += ",\"origin_as_set\":[";
        for (std::size_t i = 0; i < po.as_set.size(); ++i) {
            if (i != 0) {
                out.push_back(',');
            }
            append_u(po.as_set[i], out);
        }
        out.push_back(']');
    }
    if (a.origin) {
        out += ",\"origin\":\"";
        out += origin_name(a.origin);
        out.push_back('"');
    }
    if (a.next_hop) {
        json_ip("next_hop", *a.next_hop, out);
    }
    if (!a.mp_next_hops.empty()) {
        out += ",\"mp_next_hops\":[";
        for (std::size_t i = 0; i < a.mp_next_hops.size(); ++i) {
            if (i != 0) {
                out.push_back(',');
            }
            out.push_back('"');
            append_ip(a.mp_next_hops[i], out);
            out.push_back('"');
        }
        out.push_back(']');
    }
    if (a.local_pref) {
        json_u("local_pref", *a.local_pref, out);
    }
    if (a.med) {
        json_u("med", *a.med, out);
    }
    if (a.atomic_aggregate) {
        out += ",\"atomic_aggregate\":true";
    }
    if (a.aggregator) {
        out += ",\"aggregator\":{\"asn\":";
        append_u(a.aggregator->asn, out);
        json_ip("address", a.aggregator->address, out);
        out.push_back('}');
    }
    if (!a.communities.empty()) {
        out += ",\"communities\":[";
        for (std::size_t i = 0; i < a.communities.size(); ++i) {
            if (i != 0) {
                out.push_back(',');
            }
            out.push_back('"');
            append_u(a.communities[i] >> 16U, out);
            out.push_back(':');
            append_u(a.communities[i] & 0xFFFFU, out);
            out.push_back('"');
        }
        out.push_back(']');
    }
    if (!a.large_communities.empty()) {
        out += ",\"large_communities\":[";
        for (std::size_t i = 0; i < a.large_communities.size(); ++i) {
            const auto& l = a.large_communities[i];
            if (i != 0) {
                out.push_back(',');
            }
            out.push_back('"');
            append_u(l.global_admin, out);
            out.push_back(':');
            append_u(l.local1, out);
            out.push_back(':');
            append_u(l.local2, out);
            out.push_back('"');
        }
        out.push_back(']');
    }
}

} // namespace

void append_ip(const IpAddress& ip, std::string& out) {
    if (ip.is_v4()) {
        append_v4(ip.bytes().data(), out);
        return;
    }
    std::array<char, INET6_ADDRSTRLEN> b{};
    if (inet_ntop(AF_INET6, ip.bytes().data(), b.data(), static_cast<socklen_t>(b.size())) !=
        nullptr) {
        out += b.data();
    }
}

void append_as_path(const AsPath& path, std::string& out) {
    bool first = true;
    for (const auto& seg : path.segments) {
        if (!first) {
            out.push_back(' ');
        }
        first = false;
        char open = 0;
        char close = 0;
        char sep = ' ';
        switch (seg.type) {
        case SegmentType::AsSequence:
            break;
        case SegmentType::AsSet:
            open = '{';
            close = '}';
            sep = ',';
            break;
        case SegmentType::ConfedSequence:
            open = '(';
            close = ')';
            break;
        case SegmentType::ConfedSet:
            open = '[';
            close = ']';
            sep = ',';
            break;
        }
        if (open != 0) {
            out.push_back(open);
        }
        for (std::size_t i = 0; i < seg.asns.size(); ++i) {
            if (i != 0) {
                out.push_back(sep);
            }
            append_u(seg.asns[i], out);
        }
        if (close != 0) {
            out.push_back(close);
        }
    }
}

namespace {

/// bgpdump's label of a BGP4MP update line: BGP4MP, _ET (extended timestamp), _LOCAL (a message
/// the collector sent), _AP (NLRI with ADD-PATH path identifiers), as get_bgp4mp_format() builds
/// it.
void append_bgp4mp_label(const MrtRecord& rec, bool local, std::string& out) {
    out += rec.type == kMrtBgp4mpEt ? "BGP4MP_ET" : "BGP4MP";
    if (local) {
        out += "_LOCAL";
    }
    if (rec.add_path) {
        out += "_AP";
    }
    out.push_back('|');
}

bool is_local_message(const MrtRecord& rec) {
    return rec.subtype == kBgp4mpMessageLocal || rec.subtype == kBgp4mpMessageAs4Local ||
           rec.subtype == kBgp4mpMessageLocalAddPath ||
           rec.subtype == kBgp4mpMessageAs4LocalAddPath;
}

void append_path_id(const MrtRecord& rec, const std::vector<std::uint32_t>& ids, std::size_t i,
                    std::string& out) {
    if (rec.add_path) {
        out.push_back('|');
        append_u(i < ids.size() ? ids[i] : 0, out);
    }
}

} // namespace

void append_bgpdump_lines(const MrtRecord& rec, std::string& out) {
    switch (rec.kind) {
    case RecordKind::Rib: {
        const bool v1 = rec.type == kMrtTableDump;
        const bool add_path = !v1 && rec.subtype >= kRibIpv4UnicastAddPath;
        const char* label = v1 ? "TABLE_DUMP|" : add_path ? "TABLE_DUMP2_AP|" : "TABLE_DUMP2|";
        const IpAddress* raw =
            rec.unmasked.empty() ? nullptr : find_unmasked(rec, UnmaskedPrefix::List::Rib, 0);
        for (const auto& e : rec.rib_entries) {
            out += label;
            append_u(rec.timestamp, out);
            out += "|B|";
            append_ip_bgpdump(e.peer.address, out);
            out.push_back('|');
            append_u(e.peer.asn.value(), out);
            out.push_back('|');
            append_prefix_bgpdump(e.prefix, raw, out);
            out.push_back('|');
            if (add_path) {
                append_u(e.path_id.value_or(0), out);
                out.push_back('|');
            }
            append_route_tail(e.attributes, rib_next_hop(e.attributes), out);
        }
        break;
    }
    case RecordKind::Update: {
        // The head ("BGP4MP|time|X|peer|as|") and the route tail are the same for every prefix
        // of the update: render them once.
        thread_local std::string head;
        thread_local std::string tail;
        head.clear();
        const bool local = is_local_message(rec);
        append_bgp4mp_label(rec, local, head);
        append_time(rec, head);
        head += "|W|";
        const std::size_t action_at = head.size() - 2;
        const Peer& shown = local ? rec.local : rec.peer; // bgpdump shows the other end
        append_ip_bgpdump(shown.address, head);
        head.push_back('|');
        append_u(shown.asn.value(), head);
        head.push_back('|');
        const bool any_unmasked = !rec.unmasked.empty();
        for (std::size_t i = 0; i < rec.withdrawn.size(); ++i) {
            out += head;
            append_prefix_bgpdump(
                rec.withdrawn[i],
                any_unmasked ? find_unmasked(rec, UnmaskedPrefix::List::Withdrawn, i) : nullptr,
                out);
            append_path_id(rec, rec.withdrawn_path_ids, i, out);
            out.push_back('\n');
        }
        if (rec.announced.empty()) {
            break;
        }
        head[action_at] = 'A';
        const auto& a = rec.attributes;
        const IpAddress* v6_next_hop = nullptr;
        for (const auto& nh : a.mp_next_hops) {
            if (!nh.is_v4()) {
                v6_next_hop = &nh;
                break;
            }
        }
        // IPv4: NEXT_HOP, else the IPv4 next hop of MP_REACH_NLRI (as bgpdump does).
        const IpAddress* v4_next_hop = a.next_hop ? &*a.next_hop : nullptr;
        if (v4_next_hop == nullptr) {
            for (const auto& nh : a.mp_next_hops) {
                if (nh.is_v4()) {
                    v4_next_hop = &nh;
                    break;
                }
            }
        }
        tail.clear();
        IpFamily tail_family = rec.announced.front().family();
        append_route_tail(a, tail_family == IpFamily::V4 ? v4_next_hop : v6_next_hop, tail);
        for (std::size_t i = 0; i < rec.announced.size(); ++i) {
            const Prefix& p = rec.announced[i];
            if (p.family() != tail_family) {
                tail_family = p.family();
                tail.clear();
                append_route_tail(a, tail_family == IpFamily::V4 ? v4_next_hop : v6_next_hop, tail);
            }
            out += head;
            append_prefix_bgpdump(
                p, any_unmasked ? find_unmasked(rec, UnmaskedPrefix::List::Announced, i) : nullptr,
                out);
            append_path_id(rec, rec.announced_path_ids, i, out);
            out.push_back('|');
            out += tail;
        }
        break;
    }
    case RecordKind::StateChange: {
        out += rec.type == kMrtBgp4mpEt ? "BGP4MP_ET|" : "BGP4MP|";
        append_time(rec, out);
        out += "|STATE|";
        append_ip_bgpdump(rec.peer.address, out);
        out.push_back('|');
        append_u(rec.peer.asn.value(), out);
        out.push_back('|');
        append_u(rec.old_state, out);
        out.push_back('|');
        append_u(rec.new_state, out);
        out.push_back('\n');
        break;
    }
    default:
        break;
    }
}

void append_jsonl_lines(const MrtRecord& rec, std::string& out) {
    switch (rec.kind) {
    case RecordKind::Rib:
        for (const auto& e : rec.rib_entries) {
            json_common(rec, out);
            out += ",\"action\":\"B\"";
            json_u("peer_index", e.peer_index, out);
            json_ip("peer_ip", e.peer.address, out);
            json_u("peer_as", e.peer.asn.value(), out);
            out += ",\"prefix\":\"";
            append_prefix(e.prefix, out);
            out.push_back('"');
            if (e.path_id) {
                json_u("path_id", *e.path_id, out);
            }
            json_u("originated_time", e.originated_time, out);
            json_u("sequence", rec.sequence, out);
            json_attributes(e.attributes, out);
            out += "}\n";
        }
        break;
    case RecordKind::Update: {
        auto head = [&](const char* action) {
            json_common(rec, out);
            out += ",\"action\":\"";
            out += action;
            out.push_back('"');
            json_ip("peer_ip", rec.peer.address, out);
            json_u("peer_as", rec.peer.asn.value(), out);
            json_ip("local_ip", rec.local.address, out);
            json_u("local_as", rec.local.asn.value(), out);
        };
        for (std::size_t i = 0; i < rec.withdrawn.size(); ++i) {
            head("W");
            out += ",\"prefix\":\"";
            append_prefix(rec.withdrawn[i], out);
            out.push_back('"');
            if (rec.add_path && i < rec.withdrawn_path_ids.size()) {
                json_u("path_id", rec.withdrawn_path_ids[i], out);
            }
            out += "}\n";
        }
        for (std::size_t i = 0; i < rec.announced.size(); ++i) {
            head("A");
            out += ",\"prefix\":\"";
            append_prefix(rec.announced[i], out);
            out.push_back('"');
            if (rec.add_path && i < rec.announced_path_ids.size()) {
                json_u("path_id", rec.announced_path_ids[i], out);
            }
            json_attributes(rec.attributes, out);
            out += "}\n";
        }
        break;
    }
    case RecordKind::StateChange:
        json_common(rec, out);
        out += ",\"action\":\"STATE\"";
        json_ip("peer_ip", rec.peer.address, out);
        json_u("peer_as", rec.peer.asn.value(), out);
        json_ip("local_ip", rec.local.address, out);
        json_u("local_as", rec.local.asn.value(), out);
        json_u("old_state", rec.old_state, out);
        json_u("new_state", rec.new_state, out);
        out += "}\n";
        break;
    default:
        break;
    }
}

} // namespace dg::bgp
