#pragma once
// Streaming MRT reader (RFC 6396; RFC 8050 ADD-PATH; RFC 6793 AS4 merge).
//
// Reads TABLE_DUMP (v1), TABLE_DUMP_V2 and BGP4MP / BGP4MP_ET records one at a time from a
// dg::io::ByteSource. Each record is classified (style.md §2.4 item 6):
//   Clean       decoded fully;
//   Recovered   decoded, with warnings (masked NLRI bits, unknown attribute skipped, AS4_PATH
//               ignored per RFC 6793 ...);
//   RecordError the record body is damaged; its declared length was consumed and the stream
//               continues with the next record (partial content may still be present);
//   StreamError framing is lost (truncated header, length past the end of the stream,
//               decompression error, a length beyond limits.hpp); next() returns this record
//               (with whatever could be decoded) and then nullptr.
// Every error carries the byte offset of the record header in the decompressed stream and the
// 0-based record index.

#include "dg/bgp/bgp_types.hpp"
#include "dg/core/byte_source.hpp"
#include "dg/core/error.hpp"
#include "dg/core/result.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dg::bgp {

/// MRT record types (RFC 6396 §4, IANA "MRT Types").
enum MrtType : std::uint16_t {
    kMrtTableDump = 12,
    kMrtTableDumpV2 = 13,
    kMrtBgp4mp = 16,
    kMrtBgp4mpEt = 17,
};

/// TABLE_DUMP_V2 subtypes (RFC 6396 §4.3, RFC 8050 §4).
enum TableDumpV2Subtype : std::uint16_t {
    kPeerIndexTable = 1,
    kRibIpv4Unicast = 2,
    kRibIpv4Multicast = 3,
    kRibIpv6Unicast = 4,
    kRibIpv6Multicast = 5,
    kRibGeneric = 6,
    kRibIpv4UnicastAddPath = 8,
    kRibIpv4MulticastAddPath = 9,
    kRibIpv6UnicastAddPath = 10,
    kRibIpv6MulticastAddPath = 11,
    kRibGenericAddPath = 12,
};

/// BGP4MP / BGP4MP_ET subtypes (RFC 6396 §4.4, RFC 8050 §5).
enum Bgp4mpSubtype : std::uint16_t {
    kBgp4mpStateChange = 0,
    kBgp4mpMessage = 1,
    kBgp4mpMessageAs4 = 4,
    kBgp4mpStateChangeAs4 = 5,
    kBgp4mpMessageLocal = 6,
    kBgp4mpMessageAs4Local = 7,
    kBgp4mpMessageAddPath = 8,
    kBgp4mpMessageAs4AddPath = 9,
    kBgp4mpMessageLocalAddPath = 10,
    kBgp4mpMessageAs4LocalAddPath = 11,
};

enum class RecordOutcome { Clean, Recovered, RecordError, StreamError };
const char* outcome_name(RecordOutcome outcome);

/// What a decoded record carries.
enum class RecordKind {
    Unknown,        ///< a type/subtype we do not decode (skipped, counted)
    PeerIndexTable, ///< TABLE_DUMP_V2 PEER_INDEX_TABLE: see MrtReader::peers()
    Rib,            ///< TABLE_DUMP / TABLE_DUMP_V2 RIB: `rib_entries`
    Update,      ///< BGP4MP message carrying a BGP UPDATE: `announced`, `withdrawn`, `attributes`
    BgpMessage,  ///< BGP4MP message that is not an UPDATE (OPEN, KEEPALIVE ...): `bgp_type`
    StateChange, ///< BGP4MP STATE_CHANGE(_AS4): `old_state`, `new_state`
};

/// One route of a RIB record.
struct RibEntry {
    std::uint16_t peer_index = 0;         ///< into the PEER_INDEX_TABLE (TABLE_DUMP v1: 0)
    Peer peer;                            ///< resolved peer (copy; v1: from the record itself)
    Prefix prefix;                        ///< masked to its length
    std::optional<std::uint32_t> path_id; ///< ADD-PATH path identifier (RFC 8050)
    std::uint32_t originated_time = 0;
    std::uint8_t status = 0; ///< TABLE_DUMP v1 status byte (v2: 0)
    PathAttributes attributes;
};

struct ReadStats {
    std::uint64_t records = 0;
    std::uint64_t clean = 0;
    std::uint64_t recovered = 0;
    std::uint64_t record_errors = 0;
    std::uint64_t stream_errors = 0;
    std::uint64_t bytes = 0;                       ///< decompressed bytes consumed
    std::uint64_t rib_entries = 0;                 ///< RibEntry values produced
    std::uint64_t updates = 0;                     ///< BGP UPDATE messages
    std::uint64_t announcements = 0;               ///< prefixes announced in updates
    std::uint64_t withdrawals = 0;                 ///< prefixes withdrawn in updates
    std::uint64_t state_changes = 0;               ///< STATE_CHANGE records
    std::uint64_t unknown_attributes = 0;          ///< attributes skipped because unknown
    std::uint64_t unknown_records = 0;             ///< records of types/subtypes not decoded
    std::map<std::string, std::uint64_t> per_type; ///< "TABLE_DUMP_V2/RIB_IPV4_UNICAST" -> count
};

/// A prefix whose input carried bits past its length: which list and index of the record it is
/// in, and the address as read (the Prefix itself is masked). bgpdump prints the raw address.
struct UnmaskedPrefix {
    enum class List : std::uint8_t { Announced, Withdrawn, Rib } list = List::Announced;
    std::size_t index = 0; ///< into announced / withdrawn (Rib: all entries share the prefix)
    IpAddress address;
};

/// One MRT record. Only the fields of its `kind` are meaningful; others are empty/zero.
struct MrtRecord {
    std::uint64_t index = 0;  ///< 0-based record number
    std::uint64_t offset = 0; ///< byte offset of the record header in the decompressed stream
    std::uint32_t timestamp = 0;
    std::uint32_t microseconds = 0; ///< BGP4MP_ET only
    std::uint16_t type = 0;
    std::uint16_t subtype = 0;
    std::uint32_t length = 0; ///< declared body length (incl. the ET microsecond field)
    RecordKind kind = RecordKind::Unknown;
    RecordOutcome outcome = RecordOutcome::Clean;
    std::vector<std::string> warnings;
    std::optional<Error> error; ///< set for RecordError / StreamError (source/offset filled in)

    // RIB (TABLE_DUMP v1 / TABLE_DUMP_V2)
    std::uint32_t sequence = 0; ///< v2 sequence number / v1 sequence
    std::vector<RibEntry> rib_entries;

    // BGP4MP (updates, messages, state changes)
    Peer peer;  ///< remote side (peer IP, peer AS)
    Peer local; ///< collector side (local IP, local AS)
    std::uint16_t interface_index = 0;
    std::uint16_t afi = 0;
    std::uint8_t bgp_type = 0;     ///< BGP message type (2 = UPDATE)
    bool add_path = false;         ///< ADD-PATH subtype: path ids below are meaningful
    std::vector<Prefix> withdrawn; ///< withdrawn routes field, then MP_UNREACH_NLRI
    std::vector<std::uint32_t> withdrawn_path_ids; ///< parallel to `withdrawn` (ADD-PATH)
    std::vector<Prefix> announced;                 ///< NLRI field, then MP_REACH_NLRI
    std::vector<std::uint32_t> announced_path_ids; ///< parallel to `announced` (ADD-PATH)
    PathAttributes attributes;            ///< update attributes (mp_reach/unreach_nlri left empty;
                                          ///< see announced/withdrawn)
    std::vector<UnmaskedPrefix> unmasked; ///< prefixes that were masked (rare)
    std::uint16_t old_state = 0;          ///< STATE_CHANGE (RFC 4271 FSM: 1 Idle .. 6 Established)
    std::uint16_t new_state = 0;
};

/// Human-readable "TYPE/SUBTYPE" label, e.g. "BGP4MP_ET/MESSAGE_AS4".
std::string record_type_name(std::uint16_t type, std::uint16_t subtype);

class MrtReader {
public:
    struct Options {
        /// false: decode only AS_PATH/AS4_PATH and MP_(UN)REACH_NLRI (fast path for table
        /// builds); other attributes are skipped without validation.
        bool decode_attributes = true;
    };

    /// Opens `path` ("-" = stdin; gzip/bzip2/zstd detected). Errors: NotFound, Io.
    static Result<MrtReader> open(const std::string& path, Options options);
    static Result<MrtReader> open(const std::string& path) { return open(path, Options{}); }
    static MrtReader from_source(std::unique_ptr<io::ByteSource> source, Options options);
    static MrtReader from_source(std::unique_ptr<io::ByteSource> source) {
        return from_source(std::move(source), Options{});
    }

    MrtReader(MrtReader&&) noexcept;
    MrtReader& operator=(MrtReader&&) noexcept;
    ~MrtReader();

    /// The next record, or nullptr at the end (or after a StreamError record). The pointee is
    /// valid until the next call (buffers are reused).
    const MrtRecord* next();

    /// The current PEER_INDEX_TABLE (empty before one was read).
    [[nodiscard]] const std::vector<Peer>& peers() const;
    /// Collector BGP id and view name from the PEER_INDEX_TABLE.
    [[nodiscard]] std::uint32_t collector_bgp_id() const;
    [[nodiscard]] const std::string& view_name() const;
    [[nodiscard]] const ReadStats& stats() const;
    /// Name of the input ("stdin", the path).
    [[nodiscard]] const std::string& source_name() const;
    /// Compressed bytes consumed / total (for progress reporting).
    [[nodiscard]] std::uint64_t raw_position() const;
    [[nodiscard]] std::optional<std::uint64_t> raw_size() const;

    struct Impl;

private:
    explicit MrtReader(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

/// Parses a BGP path attribute block (RFC 4271 §4.3) into `out` (cleared first).
/// `as4`: AS_PATH/AGGREGATOR carry 4-byte ASNs. `rib_abbreviated_mp_reach`: MP_REACH_NLRI is the
/// TABLE_DUMP_V2 abbreviated form (next-hop length + next hop only). `add_path`: NLRI in
/// MP_(UN)REACH carry path identifiers. Warnings are appended to `warnings`. Returns an error
/// (Malformed) when an attribute's length runs past the block or a known attribute is invalid;
/// what was decoded before stays in `out`.
struct AttributeParseOptions {
    bool as4 = true;
    bool rib_abbreviated_mp_reach = false;
    bool add_path = false;
    bool decode_all = true; ///< false: AS_PATH/AS4_PATH only
};
struct AttributeParseResult {
    std::uint32_t unknown_attributes = 0;
    bool recovered = false;
    /// MP_REACH/MP_UNREACH path ids (ADD-PATH), parallel to out.mp_reach_nlri / mp_unreach_nlri.
    std::vector<std::uint32_t> mp_reach_path_ids;
    std::vector<std::uint32_t> mp_unreach_path_ids;
    /// (index into mp_reach_nlri / mp_unreach_nlri, address as read) of masked prefixes.
    std::vector<std::pair<std::size_t, IpAddress>> mp_reach_unmasked;
    std::vector<std::pair<std::size_t, IpAddress>> mp_unreach_unmasked;
};
Result<void> parse_attributes(const std::uint8_t* data, std::size_t size,
                              const AttributeParseOptions& options, PathAttributes& out,
                              AttributeParseResult& result, std::vector<std::string>& warnings);

} // namespace dg::bgp
