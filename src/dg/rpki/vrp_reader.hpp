#pragma once
// Readers of Validated ROA Payloads (VRPs) as RPKI validators write them (src/dg/rpki/README.md):
// rpki-client's JSON and CSV, Routinator's json, jsonext, csv, csvcompat and csvext. The format is
// detected from the content (JSON object vs. CSV header) unless given.
//
// Error policy: a file that cannot be read as its format at all (broken JSON syntax, no "roas"
// array, an unknown CSV header, a file with entries but not one valid VRP) is an Error. An entry
// that is readable but invalid (bad prefix, host bits set, maxLength out of range, ASN out of
// range, a field missing or of the wrong type, a CSV row with too few fields) is skipped, counted
// in ReadReport::skipped and described in ReadReport::warnings (the first kMaxWarningsKept), the
// way rpki-client and Routinator treat a bad ROA: one bad entry does not hide the others. With
// ReadOptions::strict the first invalid entry is the error instead.

#include "dg/core/asn.hpp"
#include "dg/core/prefix.hpp"
#include "dg/core/result.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dg::rpki {

/// One Validated ROA Payload (RFC 6811 §2: prefix, maximum length, origin AS).
struct Vrp {
    Prefix prefix;              ///< canonical; host bits are never set (such entries are skipped)
    Asn asn;                    ///< AS0 (RFC 6483 §4) is kept: it covers but never matches
    std::uint8_t max_length{0}; ///< prefix.length() <= max_length <= 32 / 128
    std::uint16_t ta{0};        ///< index into VrpSet::trust_anchors
    std::int64_t expires{0};    ///< seconds since the epoch (rpki-client, csvext); 0 = not given

    bool operator==(const Vrp&) const = default;
};

/// The formats a VRP file can have. The JSON flavours are read by one reader that accepts every
/// flavour's members (an ASN as a number or as "AS64496"/"64496", "ta" or jsonext's
/// "source"[].tal); the flavour found is reported. The CSV flavours differ in their columns.
enum class VrpFormat : std::uint8_t {
    Auto,                ///< detect from the content (for ReadOptions::format)
    RpkiClientJson,      ///< rpki-client -j: {"metadata":{"buildmachine"..},"roas":[{"asn":N,..}]}
    RpkiClientCsv,       ///< rpki-client -c: ASN,IP Prefix,Max Length,Trust Anchor,Expires
    RoutinatorJson,      ///< routinator -f json: {"roas":[{"asn":"AS..","prefix",..,"ta"}]}
    RoutinatorJsonExt,   ///< routinator -f jsonext: roas[] with "source":[{"type":"roa",..}]
    RoutinatorCsv,       ///< routinator -f csv: ASN,IP Prefix,Max Length,Trust Anchor
    RoutinatorCsvCompat, ///< routinator -f csvcompat: every field quoted, ASN without "AS"
    RoutinatorCsvExt, ///< routinator -f csvext: URI,ASN,IP Prefix,Max Length,Not Before,Not After
};

/// Stable name of a format ("rpki-client-json", "routinator-csvext", "auto").
const char* format_name(VrpFormat format);
/// Parses a format name as format_name() writes it; also "json" and "csv" for the rpki-client
/// flavours. Errors: InvalidArgument (the message lists the names).
Result<VrpFormat> parse_format(std::string_view name);
/// Every format name parse_format() accepts, for help texts.
std::string format_names();

struct ReadOptions {
    /// Auto: JSON when the first character is '{', else CSV with one of the known headers.
    /// A CSV format given explicitly also reads a file whose header line was removed.
    VrpFormat format = VrpFormat::Auto;
    bool strict = false; ///< the first invalid entry is an error instead of a warning
};

/// What reading a file found.
struct ReadReport {
    VrpFormat format = VrpFormat::Auto; ///< the format read (the detected JSON flavour for JSON)
    std::uint64_t entries = 0;          ///< VRP entries seen (rows, "roas" elements)
    std::uint64_t accepted = 0;         ///< entries kept (== VrpSet::vrps.size())
    std::uint64_t skipped = 0;          ///< invalid entries skipped (see the error policy above)
    /// The first kMaxWarningsKept skipped entries: Error{Malformed, message, source, offset,
    /// line}; CSV: the line; JSON: the message starts with the entry's path ("roas[17]").
    std::vector<Error> warnings;
};

/// The VRPs of one file, in file order (duplicates included; VrpIndex removes them).
struct VrpSet {
    std::vector<Vrp> vrps;
    std::vector<std::string> trust_anchors; ///< Vrp::ta indexes this; "" = not given (csvext)
    ReadReport report;
};

/// Reads VRPs from `text`; `source` names the input in messages (a path, a URL, "stdin").
/// Errors: Malformed (see the error policy above; offset = byte offset for JSON syntax errors,
/// line for CSV), ResourceExhausted (kMaxVrps, kMaxTrustAnchors, kMaxJsonDepth, kMaxCsvLine).
/// Memory: the VRPs only (~40 bytes each); JSON is read as a stream of SAX events, no DOM.
Result<VrpSet> read_vrps(std::string_view text, const std::string& source,
                         const ReadOptions& options = {});
/// Reads a file ("-" = stdin; gzip, bzip2, zstd are decompressed). Errors: as read_vrps(),
/// NotFound, Io, ResourceExhausted (kMaxVrpFileBytes).
Result<VrpSet> load_vrps(const std::string& path, const ReadOptions& options = {});
/// The format of a file from its first bytes (Auto when none is recognised). JSON is reported as
/// RpkiClientJson; read_vrps() tells the flavour.
VrpFormat detect_format(std::string_view head);

} // namespace dg::rpki
