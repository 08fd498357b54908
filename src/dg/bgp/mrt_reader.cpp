// Streaming MRT reader: framing, TABLE_DUMP, TABLE_DUMP_V2 and BGP4MP(_ET) record decoding.

#include "dg/bgp/mrt_reader.hpp"

#include "dg/bgp/internal/wire.hpp"
#include "dg/bgp/limits.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <unordered_map>

namespace dg::bgp {

using internal::Cursor;
using internal::get16;
using internal::get32;

const char* outcome_name(RecordOutcome outcome) {
    switch (outcome) {
    case RecordOutcome::Clean:
        return "clean";
    case RecordOutcome::Recovered:
        return "recovered";
    case RecordOutcome::RecordError:
        return "record_error";
    case RecordOutcome::StreamError:
        return "stream_error";
    }
    return "unknown";
}

std::string record_type_name(std::uint16_t type, std::uint16_t subtype) {
    auto num = [](std::uint16_t v) { return std::to_string(v); };
    switch (type) {
    case kMrtTableDump: {
        const char* s = subtype == 1 ? "AFI_IPV4" : subtype == 2 ? "AFI_IPV6" : nullptr;
        return std::string("TABLE_DUMP/") + (s != nullptr ? s : num(subtype).c_str());
    }
    case kMrtTableDumpV2: {
        static const char* const names[] = {nullptr,
                                            "PEER_INDEX_TABLE",
                                            "RIB_IPV4_UNICAST",
                                            "RIB_IPV4_MULTICAST",
                                            "RIB_IPV6_UNICAST",
                                            "RIB_IPV6_MULTICAST",
                                            "RIB_GENERIC",
                                            "GEO_PEER_TABLE",
                                            "RIB_IPV4_UNICAST_ADDPATH",
                                            "RIB_IPV4_MULTICAST_ADDPATH",
                                            "RIB_IPV6_UNICAST_ADDPATH",
                                            "RIB_IPV6_MULTICAST_ADDPATH",
                                            "RIB_GENERIC_ADDPATH"};
        const char* s = subtype < 13 ? names[subtype] : nullptr;
        return std::string("TABLE_DUMP_V2/") + (s != nullptr ? s : num(subtype).c_str());
    }
    case kMrtBgp4mp:
    case kMrtBgp4mpEt: {
        static const char* const names[] = {"STATE_CHANGE",
                                            "MESSAGE",
                                            "ENTRY",
                                            "SNAPSHOT",
                                            "MESSAGE_AS4",
                                            "STATE_CHANGE_AS4",
                                            "MESSAGE_LOCAL",
                                            "MESSAGE_AS4_LOCAL",
                                            "MESSAGE_ADDPATH",
                                            "MESSAGE_AS4_ADDPATH",
                                            "MESSAGE_LOCAL_ADDPATH",
                                            "MESSAGE_AS4_LOCAL_ADDPATH"};
        const char* s = subtype < 12 ? names[subtype] : nullptr;
        return std::string(type == kMrtBgp4mp ? "BGP4MP/" : "BGP4MP_ET/") +
               (s != nullptr ? s : num(subtype).c_str());
    }
    default:
        return "TYPE_" + num(type) + "/" + num(subtype);
    }
}

struct MrtReader::Impl {
    std::unique_ptr<io::ByteSource> source;
    Options options;
    std::vector<std::uint8_t> buf;
    std::size_t pos = 0;
    std::size_t end = 0;
    std::uint64_t offset = 0; ///< stream offset of buf[pos]
    bool eof = false;
    bool done = false;
    std::optional<Error> read_error;

    MrtRecord rec;
    ReadStats stats;
    std::unordered_map<std::uint32_t, std::uint64_t> type_counts;
    std::uint32_t last_type_key = 0;
    std::uint64_t* last_type_count = nullptr;
    mutable bool per_type_dirty = false;
    mutable ReadStats stats_view;
    std::vector<Peer> peers;
    std::vector<RibEntry> spare_entries; ///< see add_rib_entry()
    std::size_t entries_used = 0;        ///< entries of the record being decoded
    std::uint32_t collector_bgp_id = 0;
    std::string view_name;
    AttributeParseResult apr;
    std::vector<std::string> scratch_warnings;
    std::vector<std::pair<std::size_t, IpAddress>> raws_;

    /// Makes `n` bytes available at buf[pos]; returns how many are (less at end of stream).
    std::size_t fill(std::size_t n) {
        if (end - pos >= n) {
            return end - pos;
        }
        if (pos > 0) {
            std::memmove(buf.data(), buf.data() + pos, end - pos);
            end -= pos;
            pos = 0;
        }
        // The buffer grows with the data actually read, never by a declared length alone: a
        // header claiming 60 MiB costs at most twice the bytes that really follow it.
        if (buf.empty()) {
            buf.resize(limits::kInitialBuffer);
        }
        if (offset > buf.size() && buf.size() < limits::kReadChunk) {
            buf.resize(std::min(limits::kReadChunk, buf.size() * 2)); // long stream: bigger reads
        }
        while (end < n && !eof) {
            if (end == buf.size()) {
                buf.resize(std::min(std::max(n, limits::kInitialBuffer), buf.size() * 2));
            }
            auto r = source->read(std::span<std::uint8_t>(buf.data() + end, buf.size() - end));
            if (!r) {
                read_error = r.error();
                eof = true;
                break;
            }
            if (*r == 0) {
                eof = true;
                break;
            }
            end += *r;
        }
        return end - pos;
    }

    void warn(std::string message) {
        if (rec.warnings.size() < limits::kMaxWarningsPerRecord) {
            rec.warnings.push_back(std::move(message));
        }
        if (rec.outcome == RecordOutcome::Clean) {
            rec.outcome = RecordOutcome::Recovered;
        }
    }
    void record_error(std::string message) {
        if (rec.outcome == RecordOutcome::RecordError ||
            rec.outcome == RecordOutcome::StreamError) {
            return; // keep the first
        }
        rec.outcome = RecordOutcome::RecordError;
        rec.error =
            make_error(ErrorCode::Malformed, std::move(message)).at(source->name(), rec.offset);
    }
    void stream_error(std::string message) {
        rec.outcome = RecordOutcome::StreamError;
        if (read_error) {
            message += " (" + read_error->message + ")";
        }
        rec.error =
            make_error(ErrorCode::Malformed, std::move(message)).at(source->name(), rec.offset);
    }

    void reset_record() {
        rec.timestamp = 0;
        rec.microseconds = 0;
        rec.type = 0;
        rec.subtype = 0;
        rec.length = 0;
        rec.kind = RecordKind::Unknown;
        rec.outcome = RecordOutcome::Clean;
        rec.warnings.clear();
        rec.error.reset();
        rec.sequence = 0;
        entries_used = 0; // rib_entries is trimmed to this in finish_record()
        rec.peer = Peer{};
        rec.local = Peer{};
        rec.interface_index = 0;
        rec.afi = 0;
        rec.bgp_type = 0;
        rec.add_path = false;
        rec.withdrawn.clear();
        rec.withdrawn_path_ids.clear();
        rec.announced.clear();
        rec.announced_path_ids.clear();
        rec.unmasked.clear();
        rec.old_state = 0;
        rec.new_state = 0;
    }

    // Entries are reused across records with their inner buffers (AS path, communities): a
    // decoder overwrites the previous record's entries in place (setting every field) and
    // finish_record() trims to what it used; the ones a record does not need wait in
    // spare_entries, not freed.
    RibEntry& add_rib_entry() {
        if (entries_used == rec.rib_entries.size()) {
            if (spare_entries.empty()) {
                rec.rib_entries.emplace_back();
            } else {
                rec.rib_entries.push_back(std::move(spare_entries.back()));
                spare_entries.pop_back();
            }
        }
        return rec.rib_entries[entries_used++];
    }
    void keep_rib_entries(std::size_t count) {
        while (rec.rib_entries.size() > count) {
            spare_entries.push_back(std::move(rec.rib_entries.back()));
            rec.rib_entries.pop_back();
        }
    }

    Result<void> parse_attributes_into(const std::uint8_t* p, std::size_t len, bool as4, bool rib,
                                       bool add_path, PathAttributes& out) {
        AttributeParseOptions o;
        o.as4 = as4;
        o.rib_abbreviated_mp_reach = rib;
        o.add_path = add_path;
        o.decode_all = options.decode_attributes;
        scratch_warnings.clear();
        auto r = parse_attributes(p, len, o, out, apr, scratch_warnings);
        stats.unknown_attributes += apr.unknown_attributes;
        for (auto& w : scratch_warnings) {
            warn(std::move(w));
        }
        return r;
    }
    bool parse_entry_attributes(const std::uint8_t* p, std::size_t len, bool as4, bool rib,
                                bool add_path, PathAttributes& out) {
        auto r = parse_attributes_into(p, len, as4, rib, add_path, out);
        if (!r) {
            record_error(r.error().message);
            return false;
        }
        return true;
    }
    Result<void> parse_update_attributes(const std::uint8_t* p, std::size_t len, bool as4,
                                         bool add_path) {
        return parse_attributes_into(p, len, as4, false, add_path, rec.attributes);
    }

    void decode_table_dump(const std::uint8_t* body, std::size_t len) {
        IpFamily fam;
        if (rec.subtype == 1) {
            fam = IpFamily::V4;
        } else if (rec.subtype == 2) {
            fam = IpFamily::V6;
        } else {
            rec.kind = RecordKind::Unknown;
            ++stats.unknown_records;
            warn("TABLE_DUMP subtype " + std::to_string(rec.subtype) + " not decoded");
            return;
        }
        rec.kind = RecordKind::Rib;
        Cursor c(body, len);
        c.u16(); // view
        rec.sequence = c.u16();
        const IpAddress net = c.ip(fam);
        const std::uint8_t plen = c.u8();
        const std::uint8_t status = c.u8();
        const std::uint32_t originated = c.u32();
        const IpAddress peer_ip = c.ip(fam);
        const std::uint16_t peer_as = c.u16();
        const std::uint16_t attr_len = c.u16();
        const auto* attrs = c.take(attr_len);
        if (!c.ok()) {
            record_error("TABLE_DUMP record shorter than its fields (" + std::to_string(len) +
                         " bytes)");
            return;
        }
        if (plen > net.bit_width()) {
            record_error("TABLE_DUMP prefix length " + std::to_string(plen) + " is invalid");
            return;
        }
        RibEntry& e = add_rib_entry();
        e.peer_index = 0;
        e.peer = Peer{peer_ip, Asn(peer_as), 0};
        if (net.masked(plen) != net) {
            rec.unmasked.push_back(UnmaskedPrefix{UnmaskedPrefix::List::Rib, 0, net});
            warn("prefix " + net.to_string() + "/" + std::to_string(plen) +
                 " has bits set past its length (masked)");
        }
        e.prefix = Prefix(net, plen);
        e.path_id.reset();
        e.originated_time = originated;
        e.status = status;
        if (!parse_entry_attributes(attrs, attr_len, false, false, false, e.attributes)) {
            entries_used = 0;
        }
        if (c.remaining() > 0) {
            warn(std::to_string(c.remaining()) + " trailing bytes after TABLE_DUMP entry");
        }
    }

    void decode_peer_index(const std::uint8_t* body, std::size_t len) {
        rec.kind = RecordKind::PeerIndexTable;
        Cursor c(body, len);
        collector_bgp_id = c.u32();
        const std::uint16_t view_len = c.u16();
        const auto* view = c.take(view_len);
        const std::uint16_t count = c.u16();
        if (!c.ok()) {
            record_error("PEER_INDEX_TABLE header truncated");
            peers.clear();
            return;
        }
        view_name.assign(reinterpret_cast<const char*>(view),
                         std::min<std::size_t>(view_len, limits::kMaxViewNameLength));
        peers.clear();
        // a peer entry takes at least 11 bytes: do not reserve more than the record can hold
        peers.reserve(std::min<std::size_t>(count, c.remaining() / 11));
        for (std::size_t i = 0; i < count; ++i) {
            const std::uint8_t type = c.u8();
            const std::uint32_t bgp_id = c.u32();
            const IpAddress ip = c.ip((type & 1U) != 0 ? IpFamily::V6 : IpFamily::V4);
            const std::uint32_t as = (type & 2U) != 0 ? c.u32() : c.u16();
            if (!c.ok()) {
                record_error("PEER_INDEX_TABLE truncated after " + std::to_string(i) + " of " +
                             std::to_string(count) + " peers");
                return;
            }
            peers.push_back(Peer{ip, Asn(as), bgp_id});
        }
    }

    void decode_rib(const std::uint8_t* body, std::size_t len) {
        const std::uint16_t st = rec.subtype;
        const bool add_path = st >= kRibIpv4UnicastAddPath && st <= kRibGenericAddPath;
        const std::uint16_t base = add_path ? static_cast<std::uint16_t>(st - 6) : st;
        rec.kind = RecordKind::Rib;
        Cursor c(body, len);
        rec.sequence = c.u32();
        Prefix prefix;
        IpAddress raw;
        internal::NlriStatus ns = internal::NlriStatus::Ok;
        if (base == kRibGeneric) {
            const std::uint16_t afi = c.u16();
            const std::uint8_t safi = c.u8();
            if (!c.ok()) {
                record_error("RIB_GENERIC header truncated");
                return;
            }
            if ((afi != 1 && afi != 2) || (safi != 1 && safi != 2)) {
                rec.kind = RecordKind::Unknown;
                ++stats.unknown_records;
                warn("RIB_GENERIC AFI " + std::to_string(afi) + " SAFI " + std::to_string(safi) +
                     " not decoded");
                return;
            }
            ns = internal::read_prefix(c, afi == 1 ? IpFamily::V4 : IpFamily::V6, prefix, &raw);
        } else {
            const IpFamily fam =
                base == kRibIpv4Unicast || base == kRibIpv4Multicast ? IpFamily::V4 : IpFamily::V6;
            ns = internal::read_prefix(c, fam, prefix, &raw);
        }
        if (ns == internal::NlriStatus::Malformed) {
            record_error("RIB record prefix malformed");
            return;
        }
        if (ns == internal::NlriStatus::Masked) {
            rec.unmasked.push_back(UnmaskedPrefix{UnmaskedPrefix::List::Rib, 0, raw});
            warn("prefix " + prefix.to_string() + " had bits set past its length (masked)");
        }
        const std::uint16_t count = c.u16();
        if (!c.ok()) {
            record_error("RIB record header truncated");
            return;
        }
        for (std::size_t i = 0; i < count; ++i) {
            const std::uint16_t peer_index = c.u16();
            const std::uint32_t originated = c.u32();
            const std::uint32_t path_id = add_path ? c.u32() : 0;
            const std::uint16_t attr_len = c.u16();
            const auto* attrs = c.take(attr_len);
            if (!c.ok()) {
                record_error("RIB entry " + std::to_string(i) + " of " + std::to_string(count) +
                             " runs past the record (" + std::to_string(len) + " bytes)");
                break;
            }
            if (peer_index >= peers.size()) {
                record_error("RIB entry " + std::to_string(i) + " refers to peer index " +
                             std::to_string(peer_index) + " but the PEER_INDEX_TABLE has " +
                             std::to_string(peers.size()) + " peers");
                continue;
            }
            RibEntry& e = add_rib_entry();
            e.peer_index = peer_index;
            e.peer = peers[peer_index];
            e.prefix = prefix;
            e.path_id = add_path ? std::optional<std::uint32_t>(path_id) : std::nullopt;
            e.originated_time = originated;
            e.status = 0;
            if (!parse_entry_attributes(attrs, attr_len, true, true, false, e.attributes)) {
                --entries_used; // drop this entry, keep the others
            }
        }
        if (c.ok() && c.remaining() > 0) {
            warn(std::to_string(c.remaining()) + " trailing bytes after RIB entries");
        }
    }

    void decode_bgp4mp(const std::uint8_t* body, std::size_t len) {
        const std::uint16_t st = rec.subtype;
        bool as4 = false;
        bool add_path = false;
        bool state = false;
        switch (st) {
        case kBgp4mpStateChange:
            state = true;
            break;
        case kBgp4mpStateChangeAs4:
            state = true;
            as4 = true;
            break;
        case kBgp4mpMessage:
        case kBgp4mpMessageLocal:
            break;
        case kBgp4mpMessageAs4:
        case kBgp4mpMessageAs4Local:
            as4 = true;
            break;
        case kBgp4mpMessageAddPath:
        case kBgp4mpMessageLocalAddPath:
            add_path = true;
            break;
        case kBgp4mpMessageAs4AddPath:
        case kBgp4mpMessageAs4LocalAddPath:
            add_path = true;
            as4 = true;
            break;
        default:
            rec.kind = RecordKind::Unknown;
            ++stats.unknown_records;
            warn(record_type_name(rec.type, st) + " not decoded");
            return;
        }
        rec.add_path = add_path;
        if (state && !as4 && len == 8) {
            decode_zebra_short_state_change(body);
            return;
        }
        Cursor c(body, len);
        const std::uint32_t peer_as = as4 ? c.u32() : c.u16();
        const std::uint32_t local_as = as4 ? c.u32() : c.u16();
        if (!state && is_zebra_short_message(c)) {
            // Zebra (2000) also wrote messages without interface, AFI and addresses: the BGP
            // marker follows the two ASNs. Read them as IPv4 with unknown (0.0.0.0) addresses.
            rec.afi = 1;
            const IpAddress unspecified = IpAddress::from_bytes(IpFamily::V4, kZeroV4);
            rec.peer = Peer{unspecified, Asn(peer_as), 0};
            rec.local = Peer{unspecified, Asn(local_as), 0};
            warn("BGP4MP message without interface, address family and addresses (a Zebra "
                 "writer bug): peer read as 0.0.0.0");
            decode_bgp_message(c, as4, add_path);
            return;
        }
        rec.interface_index = c.u16();
        rec.afi = c.u16();
        if (!c.ok()) {
            record_error("BGP4MP header truncated");
            return;
        }
        if (rec.afi != 1 && rec.afi != 2) {
            record_error("BGP4MP address family " + std::to_string(rec.afi) + " is invalid");
            return;
        }
        const IpFamily fam = rec.afi == 1 ? IpFamily::V4 : IpFamily::V6;
        const IpAddress peer_ip = c.ip(fam);
        const IpAddress local_ip = c.ip(fam);
        rec.peer = Peer{peer_ip, Asn(peer_as), 0};
        rec.local = Peer{local_ip, Asn(local_as), 0};
        if (state) {
            rec.kind = RecordKind::StateChange;
            rec.old_state = c.u16();
            rec.new_state = c.u16();
            if (!c.ok()) {
                record_error("STATE_CHANGE record truncated");
            }
            ++stats.state_changes;
            return;
        }
        decode_bgp_message(c, as4, add_path);
    }

    /// True when the cursor stands on a BGP marker (16 bytes of 0xff) followed by a header.
    static bool is_zebra_short_message(const Cursor& c) {
        if (c.remaining() < 19) {
            return false;
        }
        const auto* p = c.data();
        return std::all_of(p, p + 16, [](std::uint8_t b) { return b == 0xFF; });
    }

    void decode_bgp_message(Cursor& c, bool as4, bool add_path) {
        // BGP message: marker(16) length(2) type(1)
        const auto* marker = c.take(16);
        const std::uint16_t msg_len = c.u16();
        rec.bgp_type = c.u8();
        if (!c.ok() || marker == nullptr) {
            record_error("BGP message header truncated");
            return;
        }
        if (msg_len < 19 || static_cast<std::size_t>(msg_len - 19) > c.remaining()) {
            record_error("BGP message length " + std::to_string(msg_len) + " does not fit the " +
                         std::to_string(c.remaining() + 19) + " bytes of the record");
            return;
        }
        if (rec.bgp_type != 2) {
            rec.kind = RecordKind::BgpMessage;
            return;
        }
        rec.kind = RecordKind::Update;
        ++stats.updates;
        const auto* msg = c.data();
        const auto msg_size = static_cast<std::size_t>(msg_len - 19);
        const std::size_t warnings_before = rec.warnings.size();
        const std::uint64_t unknown_before = stats.unknown_attributes;
        auto failure = decode_update(msg, msg_size, as4, add_path);
        if (failure && !add_path) {
            // BIRD writes BGP4MP_MESSAGE(_AS4) records whose NLRI carry ADD-PATH path
            // identifiers when the session negotiated ADD-PATH (RFC 7911) but the record type
            // says nothing of it. When the plain reading fails, read the identifiers, as
            // bgpkit and mrtparse do; keep that reading only when the whole UPDATE decodes.
            rec.warnings.resize(warnings_before);
            stats.unknown_attributes = unknown_before;
            if (!decode_update(msg, msg_size, as4, true)) {
                rec.add_path = true;
                warn("NLRI carry ADD-PATH path identifiers although the record type has none "
                     "(BIRD); decoded with them");
                finish_update_counts();
                return;
            }
            rec.warnings.resize(warnings_before);
            stats.unknown_attributes = unknown_before;
            failure = decode_update(msg, msg_size, as4, false);
        }
        if (failure) {
            record_error(std::move(*failure));
        }
        finish_update_counts();
    }

    /// Zebra (2000-2001) wrote some STATE_CHANGE records of 8 bytes: peer AS, local AS, old and
    /// new state, without interface, address family and addresses. bgpdump reads them so (with
    /// "8-byte state change (zebra bug?)") and prints the peer as 0.0.0.0: so do we.
    void decode_zebra_short_state_change(const std::uint8_t* body) {
        Cursor c(body, 8);
        const std::uint32_t peer_as = c.u16();
        const std::uint32_t local_as = c.u16();
        rec.old_state = c.u16();
        rec.new_state = c.u16();
        rec.afi = 1;
        const IpAddress unspecified = IpAddress::from_bytes(IpFamily::V4, kZeroV4);
        rec.peer = Peer{unspecified, Asn(peer_as), 0};
        rec.local = Peer{unspecified, Asn(local_as), 0};
        rec.kind = RecordKind::StateChange;
        ++stats.state_changes;
        warn("8-byte STATE_CHANGE without addresses (a Zebra writer bug): peer read as 0.0.0.0");
    }
    static constexpr std::uint8_t kZeroV4[4] = {0, 0, 0, 0};

    void finish_update_counts() {
        stats.announcements += rec.announced.size();
        stats.withdrawals += rec.withdrawn.size();
    }

    /// Decodes an UPDATE's body (after the 19-byte header) into rec, from scratch. Returns the
    /// first decoding failure; what decoded before and after it stays in rec.
    std::optional<std::string> decode_update(const std::uint8_t* data, std::size_t size, bool as4,
                                             bool add_path) {
        rec.add_path = add_path;
        rec.withdrawn.clear();
        rec.withdrawn_path_ids.clear();
        rec.announced.clear();
        rec.announced_path_ids.clear();
        rec.unmasked.clear();
        std::optional<std::string> failure;
        auto fail = [&failure](std::string message) {
            if (!failure) {
                failure = std::move(message);
            }
        };
        Cursor u(data, size);
        const std::uint16_t wlen = u.u16();
        const auto* wdata = u.take(wlen);
        const std::uint16_t alen = u.u16();
        const auto* adata = u.take(alen);
        if (!u.ok()) {
            return "UPDATE withdrawn/attribute lengths run past the message";
        }
        bool masked = false;
        if (!internal::read_nlri(wdata, wlen, IpFamily::V4, add_path, limits::kMaxPrefixesPerUpdate,
                                 rec.withdrawn, &rec.withdrawn_path_ids, masked)) {
            fail("malformed withdrawn routes");
        }
        {
            auto attributes = parse_update_attributes(adata, alen, as4, add_path);
            if (!attributes) {
                fail(std::move(attributes.error().message)); // NLRI are still decoded below
            }
        }
        for (const auto& [i, ip] : raws_) {
            rec.unmasked.push_back(UnmaskedPrefix{UnmaskedPrefix::List::Withdrawn, i, ip});
        }
        raws_.clear();
        if (!internal::read_nlri(u.data(), u.remaining(), IpFamily::V4, add_path,
                                 limits::kMaxPrefixesPerUpdate, rec.announced,
                                 &rec.announced_path_ids, masked, &raws_)) {
            fail("malformed NLRI (truncated prefix after " + std::to_string(rec.announced.size()) +
                 " announced prefixes)");
        }
        for (const auto& [i, ip] : raws_) {
            rec.unmasked.push_back(UnmaskedPrefix{UnmaskedPrefix::List::Announced, i, ip});
        }
        for (const auto& [i, ip] : apr.mp_unreach_unmasked) {
            rec.unmasked.push_back(
                UnmaskedPrefix{UnmaskedPrefix::List::Withdrawn, rec.withdrawn.size() + i, ip});
        }
        for (const auto& [i, ip] : apr.mp_reach_unmasked) {
            rec.unmasked.push_back(
                UnmaskedPrefix{UnmaskedPrefix::List::Announced, rec.announced.size() + i, ip});
        }
        if (masked) {
            warn("prefix with bits set past its length (masked)");
        }
        auto& a = rec.attributes;
        rec.withdrawn.insert(rec.withdrawn.end(), a.mp_unreach_nlri.begin(),
                             a.mp_unreach_nlri.end());
        rec.withdrawn_path_ids.insert(rec.withdrawn_path_ids.end(), apr.mp_unreach_path_ids.begin(),
                                      apr.mp_unreach_path_ids.end());
        rec.announced.insert(rec.announced.end(), a.mp_reach_nlri.begin(), a.mp_reach_nlri.end());
        rec.announced_path_ids.insert(rec.announced_path_ids.end(), apr.mp_reach_path_ids.begin(),
                                      apr.mp_reach_path_ids.end());
        a.mp_reach_nlri.clear(); // moved into announced / withdrawn
        a.mp_unreach_nlri.clear();
        return failure;
    }

    void decode(const std::uint8_t* body, std::size_t len) {
        switch (rec.type) {
        case kMrtTableDump:
            decode_table_dump(body, len);
            break;
        case kMrtTableDumpV2:
            if (rec.subtype == kPeerIndexTable) {
                decode_peer_index(body, len);
            } else if ((rec.subtype >= kRibIpv4Unicast && rec.subtype <= kRibGeneric) ||
                       (rec.subtype >= kRibIpv4UnicastAddPath &&
                        rec.subtype <= kRibGenericAddPath)) {
                decode_rib(body, len);
            } else {
                ++stats.unknown_records;
                warn(record_type_name(rec.type, rec.subtype) + " not decoded");
            }
            break;
        case kMrtBgp4mp:
            decode_bgp4mp(body, len);
            break;
        case kMrtBgp4mpEt:
            if (len < 4) {
                record_error("BGP4MP_ET record shorter than its microsecond field");
                break;
            }
            rec.microseconds = get32(body);
            decode_bgp4mp(body + 4, len - 4);
            break;
        default:
            ++stats.unknown_records;
            warn("MRT type " + std::to_string(rec.type) + " not decoded");
            break;
        }
    }

    /// Every record ends here: trims the entries to the ones decoded, counts, returns it.
    const MrtRecord* finish_record() {
        keep_rib_entries(entries_used);
        count(rec);
        return &rec;
    }

    void count(const MrtRecord& r) {
        ++stats.records;
        switch (r.outcome) {
        case RecordOutcome::Clean:
            ++stats.clean;
            break;
        case RecordOutcome::Recovered:
            ++stats.recovered;
            break;
        case RecordOutcome::RecordError:
            ++stats.record_errors;
            break;
        case RecordOutcome::StreamError:
            ++stats.stream_errors;
            break;
        }
        const std::uint32_t key = (static_cast<std::uint32_t>(r.type) << 16U) | r.subtype;
        if (last_type_count == nullptr || key != last_type_key) { // dumps repeat one type
            last_type_key = key;
            last_type_count = &type_counts[key]; // stable: unordered_map nodes do not move
        }
        ++*last_type_count;
        stats.rib_entries += r.rib_entries.size();
        per_type_dirty = true;
    }

    const MrtRecord* next() {
        if (done) {
            return nullptr;
        }
        reset_record();
        rec.index = stats.records;
        rec.offset = offset;
        const std::size_t have = fill(limits::kMrtHeaderSize);
        if (have == 0) {
            done = true;
            if (!read_error) {
                return nullptr;
            }
            stream_error("input ends with an unreadable part");
            return finish_record();
        }
        if (have < limits::kMrtHeaderSize) {
            done = true;
            stream_error("truncated MRT header (" + std::to_string(have) + " of 12 bytes)");
            stats.bytes += have;
            return finish_record();
        }
        const std::uint8_t* h = buf.data() + pos;
        rec.timestamp = get32(h);
        rec.type = get16(h + 4);
        rec.subtype = get16(h + 6);
        rec.length = get32(h + 8);
        if (rec.length > limits::kMaxRecordLength) {
            done = true;
            stream_error("record length " + std::to_string(rec.length) + " exceeds the limit of " +
                         std::to_string(limits::kMaxRecordLength) + " bytes (framing lost)");
            return finish_record();
        }
        const std::size_t total = limits::kMrtHeaderSize + rec.length;
        const std::size_t avail = fill(total);
        if (avail < total) {
            done = true;
            stream_error("record length " + std::to_string(rec.length) +
                         " runs past the end of the input (" +
                         std::to_string(avail - limits::kMrtHeaderSize) + " bytes left)");
            stats.bytes += avail;
            return finish_record();
        }
        const std::uint8_t* body = buf.data() + pos + limits::kMrtHeaderSize;
        pos += total;
        offset += total;
        stats.bytes += total;
        decode(body, rec.length);
        return finish_record();
    }
};

MrtReader::MrtReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MrtReader::MrtReader(MrtReader&&) noexcept = default;
MrtReader& MrtReader::operator=(MrtReader&&) noexcept = default;
MrtReader::~MrtReader() = default;

Result<MrtReader> MrtReader::open(const std::string& path, Options options) {
    DG_TRY(auto source, io::open(path));
    return from_source(std::move(source), options);
}

MrtReader MrtReader::from_source(std::unique_ptr<io::ByteSource> source, Options options) {
    auto impl = std::make_unique<Impl>();
    impl->source = std::move(source);
    impl->options = options;
    return MrtReader(std::move(impl));
}

const MrtRecord* MrtReader::next() {
    return impl_->next();
}
const std::vector<Peer>& MrtReader::peers() const {
    return impl_->peers;
}
std::uint32_t MrtReader::collector_bgp_id() const {
    return impl_->collector_bgp_id;
}
const std::string& MrtReader::view_name() const {
    return impl_->view_name;
}
const ReadStats& MrtReader::stats() const {
    auto& im = *impl_;
    im.stats_view = im.stats;
    for (const auto& [key, n] : im.type_counts) {
        im.stats_view.per_type[record_type_name(static_cast<std::uint16_t>(key >> 16U),
                                                static_cast<std::uint16_t>(key & 0xFFFFU))] += n;
    }
    return im.stats_view;
}
const std::string& MrtReader::source_name() const {
    return impl_->source->name();
}
std::uint64_t MrtReader::raw_position() const {
    return impl_->source->raw_position();
}
std::optional<std::uint64_t> MrtReader::raw_size() const {
    return impl_->source->raw_size();
}

} // namespace dg::bgp
