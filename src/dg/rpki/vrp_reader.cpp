// VRP readers. The shapes were checked against the writers' own source (see README.md, "Formats"):
//  - rpki-client: usr.sbin/rpki-client/output-json.c (v1.26, 2022, and the 8.x writer with
//    "aspas"/"provider_authorizations") and output-csv.c ("AS%u,%s,%u,%s,%lld"); and the output
//    of Debian bookworm's rpki-client 8.2 itself (tests/data/rpki/README.md).
//  - Routinator: src/output.rs (Csv, CompatCsv, ExtendedCsv, Json, ExtendedJson formatters) and
//    its test/output/*.json{,ext} files (0.15: "routerKeys", "aspas" beside "roas").
#include "dg/rpki/vrp_reader.hpp"

#include "dg/core/byte_source.hpp"
#include "dg/core/text.hpp"
#include "dg/rpki/limits.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_map>

namespace dg::rpki {
namespace {

struct FormatName {
    VrpFormat format;
    const char* name;
};
constexpr std::array<FormatName, 8> kFormatNames{{
    {VrpFormat::Auto, "auto"},
    {VrpFormat::RpkiClientJson, "rpki-client-json"},
    {VrpFormat::RpkiClientCsv, "rpki-client-csv"},
    {VrpFormat::RoutinatorJson, "routinator-json"},
    {VrpFormat::RoutinatorJsonExt, "routinator-jsonext"},
    {VrpFormat::RoutinatorCsv, "routinator-csv"},
    {VrpFormat::RoutinatorCsvCompat, "routinator-csvcompat"},
    {VrpFormat::RoutinatorCsvExt, "routinator-csvext"},
}};

bool is_json_format(VrpFormat f) {
    return f == VrpFormat::RpkiClientJson || f == VrpFormat::RoutinatorJson ||
           f == VrpFormat::RoutinatorJsonExt;
}

// ---------------------------------------------------------------------------------------------
// One entry as read, before checking (fields are views into the input or the SAX strings).

struct Candidate {
    std::optional<std::uint64_t> asn_number; ///< JSON number
    std::string_view asn_text;               ///< "AS64496" or "64496"
    bool has_asn = false;
    std::string_view prefix;
    bool has_prefix = false;
    std::optional<std::int64_t> max_length_number;
    std::string_view max_length_text;
    bool has_max_length = false;
    std::string_view ta;
    std::int64_t expires = 0;
    std::string type_error; ///< a field of the wrong JSON type (first one)
};

std::optional<std::uint64_t> parse_unsigned(std::string_view s) {
    std::uint64_t v = 0;
    if (s.empty() || s.size() > 20) {
        return std::nullopt;
    }
    const char* end = s.data() + s.size();
    auto [ptr, ec] = std::from_chars(s.data(), end, v);
    if (ec != std::errc{} || ptr != end) {
        return std::nullopt;
    }
    return v;
}

std::optional<std::int64_t> parse_signed(std::string_view s) {
    std::int64_t v = 0;
    if (s.empty() || s.size() > 21) {
        return std::nullopt;
    }
    const char* end = s.data() + s.size();
    auto [ptr, ec] = std::from_chars(s.data(), end, v);
    if (ec != std::errc{} || ptr != end) {
        return std::nullopt;
    }
    return v;
}

std::string quoted(std::string_view s) {
    constexpr std::size_t kShown = 60;
    std::string out = "'";
    out.append(s.substr(0, kShown));
    if (s.size() > kShown) {
        out += "...";
    }
    out += "'";
    return out;
}

/// Checks candidates and collects VRPs, trust anchors and warnings.
class Collector {
public:
    Collector(const std::string& source, const ReadOptions& options)
        : source_(source), options_(options) {}

    /// `where` locates the entry: line (CSV) or JSON path prefix for the message.
    Result<void> add(const Candidate& c, std::optional<std::uint64_t> line,
                     std::optional<std::uint64_t> offset, const std::string& path) {
        ++set_.report.entries;
        if (set_.vrps.size() >= kMaxVrps) {
            return make_error(ErrorCode::ResourceExhausted,
                              "more than kMaxVrps (" + std::to_string(kMaxVrps) + ") VRPs")
                .at(source_, offset, line);
        }
        std::string problem;
        Vrp vrp;
        if (!check(c, vrp, problem)) {
            return skip(path.empty() ? problem : path + ": " + problem, line, offset);
        }
        DG_TRY(vrp.ta, intern_ta(c.ta));
        vrp.expires = c.expires;
        set_.vrps.push_back(vrp);
        ++set_.report.accepted;
        return ok();
    }

    /// An entry that could not even be split into fields.
    Result<void> add_broken(const std::string& message, std::optional<std::uint64_t> line,
                            std::optional<std::uint64_t> offset) {
        ++set_.report.entries;
        return skip(message, line, offset);
    }

    Result<VrpSet> finish(VrpFormat format) {
        set_.report.format = format;
        if (set_.report.entries > 0 && set_.report.accepted == 0) {
            Error e = make_error(ErrorCode::Malformed, "none of the " +
                                                           std::to_string(set_.report.entries) +
                                                           " entries is a valid VRP");
            if (!set_.report.warnings.empty()) {
                e.message += "; the first: " + set_.report.warnings.front().to_string();
            }
            return e.at(source_);
        }
        return std::move(set_);
    }

private:
    Result<void> skip(const std::string& message, std::optional<std::uint64_t> line,
                      std::optional<std::uint64_t> offset) {
        Error e = make_error(ErrorCode::Malformed, message).at(source_, offset, line);
        if (options_.strict) {
            e.message += " (--strict: an invalid entry is an error)";
            return e;
        }
        ++set_.report.skipped;
        if (set_.report.warnings.size() < kMaxWarningsKept) {
            set_.report.warnings.push_back(std::move(e));
        }
        return ok();
    }

    static bool check_asn(const Candidate& c, Vrp& vrp, std::string& problem) {
        if (!c.has_asn) {
            problem = "no ASN";
            return false;
        }
        if (c.asn_number) {
            if (*c.asn_number > 0xFFFFFFFFULL) {
                problem = "ASN " + std::to_string(*c.asn_number) + " out of range (0..4294967295)";
                return false;
            }
            vrp.asn = Asn(static_cast<std::uint32_t>(*c.asn_number));
            return true;
        }
        auto asn = Asn::parse(trim(c.asn_text));
        if (!asn) {
            problem = "invalid ASN " + quoted(c.asn_text) + " (expected AS0..AS4294967295)";
            return false;
        }
        vrp.asn = *asn;
        return true;
    }

    static bool check_prefix(const Candidate& c, Vrp& vrp, std::string& problem) {
        if (!c.has_prefix) {
            problem = "no prefix";
            return false;
        }
        const std::string_view text = trim(c.prefix);
        if (text.find('/') == std::string_view::npos) {
            problem = "prefix " + quoted(text) + " has no length";
            return false;
        }
        auto prefix = Prefix::parse(text);
        if (!prefix) {
            auto loose = Prefix::parse(text, true);
            problem = loose ? "host bits set in prefix " + quoted(text) + " (the network is " +
                                  loose->to_string() + ")"
                            : "invalid prefix " + quoted(text);
            return false;
        }
        vrp.prefix = *prefix;
        return true;
    }

    static bool check_max_length(const Candidate& c, Vrp& vrp, std::string& problem) {
        if (!c.has_max_length) {
            problem = "no maxLength";
            return false;
        }
        std::optional<std::int64_t> ml = c.max_length_number;
        if (!ml) {
            ml = parse_signed(trim(c.max_length_text));
            if (!ml) {
                problem = "invalid maxLength " + quoted(c.max_length_text);
                return false;
            }
        }
        const int width = vrp.prefix.network().bit_width();
        if (*ml > width) {
            problem = "maxLength " + std::to_string(*ml) + " exceeds " + std::to_string(width) +
                      " for " + vrp.prefix.to_string();
            return false;
        }
        if (*ml < vrp.prefix.length()) {
            problem = "maxLength " + std::to_string(*ml) + " is shorter than the length of " +
                      vrp.prefix.to_string();
            return false;
        }
        vrp.max_length = static_cast<std::uint8_t>(*ml);
        return true;
    }

    static bool check(const Candidate& c, Vrp& vrp, std::string& problem) {
        if (!c.type_error.empty()) {
            problem = c.type_error;
            return false;
        }
        return check_asn(c, vrp, problem) && check_prefix(c, vrp, problem) &&
               check_max_length(c, vrp, problem);
    }

    Result<std::uint16_t> intern_ta(std::string_view name) {
        name = trim(name).substr(0, kMaxTrustAnchorName);
        if (auto it = ta_index_.find(std::string(name)); it != ta_index_.end()) {
            return it->second;
        }
        if (set_.trust_anchors.size() >= kMaxTrustAnchors) {
            return make_error(ErrorCode::ResourceExhausted, "more than kMaxTrustAnchors (" +
                                                                std::to_string(kMaxTrustAnchors) +
                                                                ") trust-anchor names")
                .at(source_);
        }
        const auto id = static_cast<std::uint16_t>(set_.trust_anchors.size());
        set_.trust_anchors.emplace_back(name);
        ta_index_.emplace(std::string(name), id);
        return id;
    }

    const std::string& source_;
    const ReadOptions& options_;
    VrpSet set_;
    std::unordered_map<std::string, std::uint16_t> ta_index_;
};

// ---------------------------------------------------------------------------------------------
// CSV

struct CsvLayout {
    VrpFormat format;
    std::array<std::string_view, 6> names; ///< header names in order; "" past the last
    std::size_t fields;
    int asn;
    int prefix;
    int max_length;
    int ta;        ///< -1: none
    int expires;   ///< -1: none (epoch seconds)
    int not_after; ///< -1: none ("YYYY-MM-DD HH:MM:SS", UTC)
    bool quoted;   ///< every field in double quotes
};

// Routinator's csvcompat quotes every field and writes the ASN as "AS64496" in 0.15's code
// (output.rs prints origin.asn) although its manual shows "196615": both are accepted.
constexpr std::array<CsvLayout, 4> kCsvLayouts{{
    {VrpFormat::RpkiClientCsv,
     {"ASN", "IP Prefix", "Max Length", "Trust Anchor", "Expires", ""},
     5,
     0,
     1,
     2,
     3,
     4,
     -1,
     false},
    {VrpFormat::RoutinatorCsv,
     {"ASN", "IP Prefix", "Max Length", "Trust Anchor", "", ""},
     4,
     0,
     1,
     2,
     3,
     -1,
     -1,
     false},
    {VrpFormat::RoutinatorCsvCompat,
     {"ASN", "IP Prefix", "Max Length", "Trust Anchor", "", ""},
     4,
     0,
     1,
     2,
     3,
     -1,
     -1,
     true},
    {VrpFormat::RoutinatorCsvExt,
     {"URI", "ASN", "IP Prefix", "Max Length", "Not Before", "Not After"},
     6,
     1,
     2,
     3,
     -1,
     -1,
     5,
     false},
}};

std::string_view unquote(std::string_view field) {
    field = trim(field, " \t\r");
    if (field.size() >= 2 && field.front() == '"' && field.back() == '"') {
        field = field.substr(1, field.size() - 2);
    }
    return field;
}

/// Splits a line at commas (none of the formats quotes a comma) into at most `max` fields;
/// returns the number of fields found (more than `max` when the line has more).
std::size_t split_csv(std::string_view line, std::array<std::string_view, 8>& out) {
    std::size_t n = 0;
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = line.find(',', start);
        const std::string_view field =
            line.substr(start, comma == std::string_view::npos ? line.npos : comma - start);
        if (n < out.size()) {
            out[n] = field;
        }
        ++n;
        if (comma == std::string_view::npos) {
            return n;
        }
        start = comma + 1;
    }
}

/// The layout whose header `line` is, or nullptr.
const CsvLayout* header_layout(std::string_view line) {
    std::array<std::string_view, 8> f{};
    const std::size_t n = split_csv(line, f);
    const bool is_quoted = trim(line).starts_with('"');
    for (const CsvLayout& layout : kCsvLayouts) {
        if (n != layout.fields || layout.quoted != is_quoted) {
            continue;
        }
        bool same = true;
        for (std::size_t i = 0; i < n && same; ++i) {
            same = unquote(f[i]) == layout.names[i];
        }
        if (same) {
            return &layout;
        }
    }
    return nullptr;
}

const CsvLayout* layout_of(VrpFormat format) {
    for (const CsvLayout& layout : kCsvLayouts) {
        if (layout.format == format) {
            return &layout;
        }
    }
    return nullptr;
}

/// "2017-08-25 13:12:19" (UTC) as epoch seconds; 0 when it is not that shape ("N/A").
std::int64_t parse_datetime(std::string_view s) {
    if (s.size() != 19 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') ||
        s[13] != ':' || s[16] != ':') {
        return 0;
    }
    auto num = [&](std::size_t pos, std::size_t len) {
        return parse_unsigned(s.substr(pos, len)).value_or(0);
    };
    using namespace std::chrono;
    const year_month_day ymd{year{static_cast<int>(num(0, 4))},
                             month{static_cast<unsigned>(num(5, 2))},
                             day{static_cast<unsigned>(num(8, 2))}};
    if (!ymd.ok()) {
        return 0;
    }
    const auto t = sys_days{ymd} + hours{num(11, 2)} + minutes{num(14, 2)} + seconds{num(17, 2)};
    return t.time_since_epoch().count();
}

std::string expected_headers() {
    std::string out;
    for (const CsvLayout& layout : kCsvLayouts) {
        if (layout.quoted) {
            continue;
        }
        out += out.empty() ? "'" : ", '";
        for (std::size_t i = 0; i < layout.fields; ++i) {
            out += (i > 0 ? "," : "") + std::string(layout.names[i]);
        }
        out += "'";
    }
    return out;
}

Result<void> read_csv_row(Collector& collector, const CsvLayout& layout, std::string_view line,
                          std::uint64_t number, std::uint64_t offset) {
    if (line.size() > kMaxCsvLine) {
        return collector.add_broken("line longer than kMaxCsvLine (" + std::to_string(kMaxCsvLine) +
                                        " bytes)",
                                    number, offset);
    }
    std::array<std::string_view, 8> f{};
    const std::size_t n = split_csv(line, f);
    if (n != layout.fields) {
        return collector.add_broken("expected " + std::to_string(layout.fields) +
                                        " comma-separated fields (" + format_name(layout.format) +
                                        "), found " + std::to_string(n),
                                    number, offset);
    }
    Candidate c;
    c.has_asn = c.has_prefix = c.has_max_length = true;
    c.asn_text = unquote(f[static_cast<std::size_t>(layout.asn)]);
    c.prefix = unquote(f[static_cast<std::size_t>(layout.prefix)]);
    c.max_length_text = unquote(f[static_cast<std::size_t>(layout.max_length)]);
    if (layout.ta >= 0) {
        c.ta = unquote(f[static_cast<std::size_t>(layout.ta)]);
    }
    if (layout.expires >= 0) {
        const std::string_view e = unquote(f[static_cast<std::size_t>(layout.expires)]);
        const auto v = parse_signed(e);
        if (!v) {
            return collector.add_broken("invalid Expires " + quoted(e), number, offset);
        }
        c.expires = *v;
    }
    if (layout.not_after >= 0) {
        c.expires = parse_datetime(unquote(f[static_cast<std::size_t>(layout.not_after)]));
    }
    return collector.add(c, number, offset, "");
}

Result<VrpSet> read_csv(std::string_view text, const std::string& source,
                        const ReadOptions& options) {
    Collector collector(source, options);
    const CsvLayout* layout =
        options.format == VrpFormat::Auto ? nullptr : layout_of(options.format);
    bool first = true;
    std::uint64_t number = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        const std::uint64_t offset = pos;
        const std::string_view line = trim(text.substr(pos, end - pos), "\r");
        pos = end + 1;
        ++number;
        if (trim(line).empty()) {
            continue;
        }
        if (first) {
            first = false;
            const CsvLayout* header = header_layout(line);
            if (header != nullptr) {
                if (layout != nullptr && layout->format != header->format) {
                    return make_error(ErrorCode::Malformed,
                                      std::string("the header is ") + format_name(header->format) +
                                          "'s, not " + format_name(layout->format) + "'s")
                        .at(source, offset, number);
                }
                layout = header;
                continue;
            }
            if (layout == nullptr) {
                return make_error(ErrorCode::Malformed,
                                  "not a VRP file: the first line is neither JSON nor a CSV "
                                  "header of rpki-client or Routinator (" +
                                      expected_headers() + "); got " + quoted(line))
                    .at(source, offset, number);
            }
        }
        DG_TRY_VOID(read_csv_row(collector, *layout, line, number, offset));
    }
    if (layout == nullptr) {
        return make_error(ErrorCode::Malformed, "empty file: no CSV header").at(source);
    }
    return collector.finish(layout->format);
}

// ---------------------------------------------------------------------------------------------
// JSON: a SAX handler, so a 60 MB file never becomes a DOM (nlohmann's DOM takes ~10x the text).

class JsonVrpHandler {
public:
    using Json = nlohmann::json;

    JsonVrpHandler(Collector& collector, const std::string& source)
        : collector_(collector), source_(source) {}

    bool null() { return scalar(Scalar{Kind::Null}); }
    bool boolean(bool) { return scalar(Scalar{Kind::Bool}); }
    bool number_integer(Json::number_integer_t v) {
        Scalar s{Kind::Int};
        s.i = v;
        return scalar(s);
    }
    bool number_unsigned(Json::number_unsigned_t v) {
        Scalar s{Kind::Uint};
        s.u = v;
        return scalar(s);
    }
    bool number_float(Json::number_float_t, const Json::string_t&) {
        return scalar(Scalar{Kind::Float});
    }
    bool string(Json::string_t& v) {
        Scalar s{Kind::String};
        s.s = &v;
        return scalar(s);
    }
    bool binary(Json::binary_t&) { return scalar(Scalar{Kind::Null}); }

    bool start_object(std::size_t) { return open(false); }
    bool start_array(std::size_t) { return open(true); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }
    bool key(Json::string_t& k) {
        frames_.back().key = k;
        if (frames_.back().role == Role::Metadata) {
            if (k == "buildmachine") {
                rpki_client_hint_ = true;
            }
        }
        return true;
    }
    bool parse_error(std::size_t position, const std::string& last_token,
                     const nlohmann::detail::exception& e) {
        std::string what = e.what();
        // "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error ..."
        if (const auto colon = what.find("syntax error"); colon != std::string::npos) {
            what = what.substr(colon);
        }
        // `position` counts the characters read, the offending one included; a string literal
        // is reported from its opening quote (`last_token` is then exactly the literal).
        std::size_t start = position > 0 ? position - 1 : 0;
        if (last_token.starts_with('"') && position >= last_token.size()) {
            start = position - last_token.size();
        }
        fatal_ = make_error(ErrorCode::Malformed, "JSON " + what).at(source_, start);
        return false;
    }

    [[nodiscard]] const std::optional<Error>& fatal() const { return fatal_; }
    [[nodiscard]] bool saw_roas() const { return saw_roas_; }
    /// The JSON flavour seen (see VrpFormat).
    [[nodiscard]] VrpFormat flavour() const {
        if (saw_source_) {
            return VrpFormat::RoutinatorJsonExt;
        }
        if (rpki_client_hint_ || saw_numeric_asn_ || saw_expires_) {
            return VrpFormat::RpkiClientJson;
        }
        return VrpFormat::RoutinatorJson;
    }

private:
    enum class Kind : std::uint8_t { Null, Bool, Int, Uint, Float, String };
    struct Scalar {
        Kind kind;
        std::int64_t i = 0;
        std::uint64_t u = 0;
        std::string* s = nullptr;
    };
    enum class Role : std::uint8_t { Root, Metadata, Roas, Entry, Source, SourceItem, Other };
    struct Frame {
        Role role;
        std::string key;            ///< objects: the last key seen
        std::uint64_t elements = 0; ///< arrays: elements started so far
    };

    static const char* kind_name(Kind k) {
        switch (k) {
        case Kind::Null:
            return "null";
        case Kind::Bool:
            return "a boolean";
        case Kind::Int:
        case Kind::Uint:
        case Kind::Float:
            return "a number";
        case Kind::String:
            return "a string";
        default:
            return "a value";
        }
    }

    bool fail(ErrorCode code, const std::string& message) {
        fatal_ = make_error(code, message).at(source_);
        return false;
    }

    std::string entry_path() const { return "roas[" + std::to_string(entry_index_) + "]"; }

    /// The role of a container opened inside the current frame.
    Role child_role(bool is_array) {
        if (frames_.empty()) {
            return Role::Root;
        }
        Frame& parent = frames_.back();
        switch (parent.role) {
        case Role::Root:
            if (parent.key == "roas") {
                return is_array ? Role::Roas : Role::Other;
            }
            if (parent.key == "metadata" && !is_array) {
                return Role::Metadata;
            }
            return Role::Other;
        case Role::Roas:
            return is_array ? Role::Other : Role::Entry;
        case Role::Entry:
            return parent.key == "source" && is_array ? Role::Source : Role::Other;
        case Role::Source:
            return is_array ? Role::Other : Role::SourceItem;
        default:
            return Role::Other;
        }
    }

    bool open(bool is_array) {
        if (frames_.size() >= kMaxJsonDepth) {
            return fail(ErrorCode::ResourceExhausted, "JSON nested deeper than kMaxJsonDepth (" +
                                                          std::to_string(kMaxJsonDepth) + ")");
        }
        if (frames_.empty() && is_array) {
            return fail(ErrorCode::Malformed, "the JSON is an array; a VRP file is an object "
                                              "with a \"roas\" array");
        }
        const Role role = child_role(is_array);
        if (!frames_.empty()) {
            Frame& parent = frames_.back();
            if (parent.role == Role::Root && parent.key == "roas" && !is_array) {
                return fail(ErrorCode::Malformed, "\"roas\" is an object, not an array");
            }
            if (parent.role == Role::Roas) {
                entry_index_ = parent.elements++;
                if (role == Role::Entry) {
                    entry_ = Candidate{};
                    strings_ = {};
                } else {
                    pending_broken_ = entry_path() + ": an array, not an object";
                }
            } else if (parent.role == Role::Entry && role == Role::Other) {
                field_type(parent.key, is_array ? "an array" : "an object");
            }
            if (role == Role::Roas) {
                saw_roas_ = true;
            }
            if (role == Role::Source) {
                saw_source_ = true;
            }
        }
        frames_.push_back(Frame{role, {}, 0});
        return true;
    }

    bool close() {
        const Role role = frames_.back().role;
        frames_.pop_back();
        if (role == Role::Entry) {
            return finish_entry();
        }
        if (role == Role::Other && !frames_.empty() && frames_.back().role == Role::Roas &&
            !pending_broken_.empty()) {
            auto r = collector_.add_broken(pending_broken_, std::nullopt, std::nullopt);
            pending_broken_.clear();
            if (!r) {
                fatal_ = r.error();
                return false;
            }
        }
        return true;
    }

    bool finish_entry() {
        // Views into strings_ stay valid: the strings live until the next entry starts.
        entry_.asn_text = strings_.asn;
        entry_.prefix = strings_.prefix;
        entry_.max_length_text = strings_.max_length;
        entry_.ta = strings_.ta;
        auto r = collector_.add(entry_, std::nullopt, std::nullopt, entry_path());
        if (!r) {
            fatal_ = r.error();
            return false;
        }
        return true;
    }

    void field_type(const std::string& field, const char* what) {
        if ((field == "asn" || field == "prefix" || field == "maxLength") &&
            entry_.type_error.empty()) {
            entry_.type_error = "\"" + field + "\" is " + what;
        }
    }

    void entry_field(const std::string& field, const Scalar& v) {
        if (field == "asn") {
            entry_.has_asn = true;
            if (v.kind == Kind::Uint) {
                entry_.asn_number = v.u;
                saw_numeric_asn_ = true;
            } else if (v.kind == Kind::String) {
                strings_.asn = *v.s;
            } else if (v.kind == Kind::Int) {
                entry_.type_error = "ASN " + std::to_string(v.i) + " is negative";
            } else {
                field_type(field, kind_name(v.kind));
            }
        } else if (field == "prefix") {
            entry_.has_prefix = true;
            if (v.kind == Kind::String) {
                strings_.prefix = *v.s;
            } else {
                field_type(field, kind_name(v.kind));
            }
        } else if (field == "maxLength") {
            entry_.has_max_length = true;
            if (v.kind == Kind::Uint) {
                entry_.max_length_number =
                    static_cast<std::int64_t>(std::min<std::uint64_t>(v.u, 1U << 20));
            } else if (v.kind == Kind::Int) {
                entry_.max_length_number = v.i;
            } else if (v.kind == Kind::String) {
                strings_.max_length = *v.s;
            } else {
                field_type(field, kind_name(v.kind));
            }
        } else if (field == "ta" && v.kind == Kind::String) {
            strings_.ta = *v.s;
        } else if (field == "expires") {
            saw_expires_ = true;
            if (v.kind == Kind::Uint) {
                entry_.expires = static_cast<std::int64_t>(std::min<std::uint64_t>(v.u, INT64_MAX));
            } else if (v.kind == Kind::Int) {
                entry_.expires = v.i;
            }
        }
    }

    bool scalar(const Scalar& v) {
        if (frames_.empty()) {
            return fail(ErrorCode::Malformed, std::string("the JSON is ") + kind_name(v.kind) +
                                                  "; a VRP file is an object with a \"roas\" "
                                                  "array");
        }
        Frame& f = frames_.back();
        switch (f.role) {
        case Role::Root:
            if (f.key == "roas") {
                return fail(ErrorCode::Malformed,
                            std::string("\"roas\" is ") + kind_name(v.kind) + ", not an array");
            }
            return true;
        case Role::Metadata:
            return true;
        case Role::Roas: {
            entry_index_ = f.elements++;
            auto r =
                collector_.add_broken(entry_path() + ": " + kind_name(v.kind) + ", not an object",
                                      std::nullopt, std::nullopt);
            if (!r) {
                fatal_ = r.error();
                return false;
            }
            return true;
        }
        case Role::Entry:
            entry_field(f.key, v);
            return true;
        case Role::SourceItem:
            // Routinator's jsonext names the TAL per source since 0.13 ("tal"); older: none.
            if (f.key == "tal" && v.kind == Kind::String && strings_.ta.empty()) {
                strings_.ta = *v.s;
            }
            return true;
        default:
            return true;
        }
    }

    struct EntryStrings {
        std::string asn;
        std::string prefix;
        std::string max_length;
        std::string ta;
    };

    Collector& collector_;
    const std::string& source_;
    std::vector<Frame> frames_;
    Candidate entry_;
    EntryStrings strings_;
    std::uint64_t entry_index_ = 0;
    std::string pending_broken_;
    std::optional<Error> fatal_;
    bool saw_roas_ = false;
    bool saw_source_ = false;
    bool saw_numeric_asn_ = false;
    bool saw_expires_ = false;
    bool rpki_client_hint_ = false;
};

Result<VrpSet> read_json(std::string_view text, const std::string& source,
                         const ReadOptions& options) {
    Collector collector(source, options);
    JsonVrpHandler handler(collector, source);
    try {
        const bool parsed = nlohmann::json::sax_parse(text.begin(), text.end(), &handler);
        if (!parsed || handler.fatal()) {
            if (handler.fatal()) {
                return *handler.fatal();
            }
            return make_error(ErrorCode::Malformed, "JSON syntax error").at(source);
        }
    } catch (const std::exception& e) { // nlohmann reports through parse_error; defensive
        return make_error(ErrorCode::Malformed, std::string("JSON: ") + e.what()).at(source);
    }
    if (!handler.saw_roas()) {
        return make_error(ErrorCode::Malformed,
                          "no \"roas\" array: not a VRP file of rpki-client or Routinator")
            .at(source);
    }
    const VrpFormat format = is_json_format(options.format) ? options.format : handler.flavour();
    return collector.finish(format);
}

std::string_view skip_bom_and_space(std::string_view text) {
    if (text.starts_with("\xEF\xBB\xBF")) {
        text.remove_prefix(3);
    }
    const auto first = text.find_first_not_of(" \t\r\n");
    return first == std::string_view::npos ? std::string_view{} : text.substr(first);
}

} // namespace

const char* format_name(VrpFormat format) {
    for (const FormatName& f : kFormatNames) {
        if (f.format == format) {
            return f.name;
        }
    }
    return "unknown";
}

Result<VrpFormat> parse_format(std::string_view name) {
    for (const FormatName& f : kFormatNames) {
        if (name == f.name) {
            return f.format;
        }
    }
    if (name == "json") {
        return VrpFormat::RpkiClientJson;
    }
    if (name == "csv") {
        return VrpFormat::RpkiClientCsv;
    }
    return make_error(ErrorCode::InvalidArgument, "unknown VRP format '" + std::string(name) +
                                                      "' (known: " + format_names() + ")");
}

std::string format_names() {
    std::string out;
    for (const FormatName& f : kFormatNames) {
        out += out.empty() ? "" : ", ";
        out += f.name;
    }
    return out;
}

VrpFormat detect_format(std::string_view head) {
    const std::string_view text = skip_bom_and_space(head);
    if (text.starts_with('{')) {
        return VrpFormat::RpkiClientJson;
    }
    const std::string_view line = text.substr(0, text.find('\n'));
    const CsvLayout* layout = header_layout(trim(line, "\r"));
    return layout == nullptr ? VrpFormat::Auto : layout->format;
}

Result<VrpSet> read_vrps(std::string_view text, const std::string& source,
                         const ReadOptions& options) {
    const std::string_view body = skip_bom_and_space(text);
    const bool json = body.starts_with('{') || body.starts_with('[');
    if (options.format != VrpFormat::Auto && json != is_json_format(options.format)) {
        return make_error(ErrorCode::Malformed,
                          std::string("expected ") + format_name(options.format) +
                              (json ? ", but the file is JSON" : ", but the file is not JSON"))
            .at(source);
    }
    if (json) {
        return read_json(text, source, options); // offsets count from the first byte
    }
    if (body.empty()) {
        return make_error(ErrorCode::Malformed, "empty file").at(source);
    }
    // Line numbers and offsets count from the real start of the text.
    return read_csv(text.starts_with("\xEF\xBB\xBF") ? text.substr(3) : text, source, options);
}

Result<VrpSet> load_vrps(const std::string& path, const ReadOptions& options) {
    DG_TRY(auto source, io::open(path));
    auto bytes = io::read_all(*source, kMaxVrpFileBytes);
    if (!bytes) {
        Error e = bytes.error();
        if (e.code == ErrorCode::ResourceExhausted) {
            e.message += " (kMaxVrpFileBytes)";
        }
        return e.at(path);
    }
    const std::string_view text(reinterpret_cast<const char*>(bytes->data()), bytes->size());
    return read_vrps(text, path, options);
}

} // namespace dg::rpki
