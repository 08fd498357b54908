#pragma once
// Router hostname decoding: interface, role, location (docs/cli/hostnames.md).
//
// Two methods: `Method::Ginie` reproduces the GINIE thesis rules (Alur 2014) as a baseline;
// `Method::Default` keeps token positions, cuts the public suffix, recognises IP literals,
// parses vendor interface grammars, and scores location candidates from typed dictionaries,
// a CLLI-shape detector and per-suffix rules learnt by `Learner` (the "suffix is the unit of
// a naming convention" lesson of DRoP, HLOC and Hoiho: Luckie et al., IMC 2021, section 4).

#include "dg/core/result.hpp"
#include "dg/hostnames/dictionary.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace dg::hostnames {

/// Limits on one name (RFC 1035 section 2.3.4).
constexpr std::size_t kMaxNameLength = 253;
constexpr std::size_t kMaxLabelLength = 63;

enum class Method : std::uint8_t { Default, Ginie };

enum class TokenType : std::uint8_t {
    Unknown,
    Number,
    Interface,
    Role,
    Location,
    Ip,
    Word,
    Country,
    State,
    AccessTech,
};
const char* token_type_name(TokenType t);

enum class LocationSource : std::uint8_t {
    City,
    Iata,
    Icao,
    Locode,
    ClliLike,
    UsState,
    OperatorCode
};
const char* location_source_name(LocationSource s);

/// One alpha or digit run of the name (separators are not tokens).
struct Token {
    std::uint16_t start = 0; ///< byte offset in Decoded::host
    std::uint16_t end = 0;   ///< one past the last byte
    std::uint8_t label = 0;  ///< label index counted from the suffix: 1 = its left neighbour
    std::uint8_t part = 0;   ///< index of the '-'/'_'-separated part within the label, from 0
    std::uint8_t part_from_right = 0; ///< same, counted from the label's right end
    bool alpha = false;               ///< letters (else digits)
    TokenType type = TokenType::Unknown;
    float confidence = 0;
};

struct Interface {
    std::string_view type;      ///< "aggregated-ethernet", "ethernet", "sonet" ...
    std::string_view family;    ///< "juniper", "cisco" ...
    std::string_view canonical; ///< "Bundle-Ether" ...
    double speed_gbps = 0;      ///< 0 when unknown
    std::string slot_port;      ///< "0/1/0"
};

struct Location {
    std::string_view city;
    std::string_view country;
    std::string_view region;
    double lat = 0;
    double lon = 0;
    bool has_coordinates = false;
    std::uint16_t token_start = 0; ///< the token (or joined tokens) read, in Decoded::host
    std::uint16_t token_end = 0;
    LocationSource source = LocationSource::City;
    float confidence = 0;
    std::string witness; ///< why: "dictionary:iata,shape:code+digits,suffix-position"
};

/// Everything decoded from one name. Reused between calls (no allocation in steady state).
struct Decoded {
    std::string host;             ///< lower-case, no trailing dot
    std::string ip;               ///< as given (may be empty)
    std::string error;            ///< non-empty: the name was refused (other fields are empty)
    std::size_t suffix_start = 0; ///< offset of the registrable domain in `host`
    std::vector<Token> tokens;
    bool has_interface = false;
    Interface interface;
    std::string_view role; ///< contract role, empty when none
    bool has_router_id = false;
    std::size_t router_id_start = 0; ///< router_id = host.substr(router_id_start)
    bool has_location = false;
    Location location;
    /// Why a location was dropped (RTT constraints, rtt.hpp); empty when none was.
    std::string location_ruled_out;
    bool ip_literal = false;
    bool end_host = false;
    int items = 0; ///< pieces of information extracted (GINIE's count)

    [[nodiscard]] std::string_view suffix() const {
        return std::string_view(host).substr(suffix_start);
    }
    [[nodiscard]] std::string_view text(const Token& t) const {
        return std::string_view(host).substr(t.start, t.end - t.start);
    }
    void clear();
};

/// A learnt operator code ("ffm" -> Frankfurt) of one suffix.
struct OperatorCode {
    std::string code;
    std::string city;
    std::string country;
    std::string region;
    double lat = 0;
    double lon = 0;
    std::uint32_t count = 0; ///< names of the suffix that carry it
};

/// One learnt location position of a suffix's names (a suffix may use several conventions).
struct LocationPosition {
    std::uint8_t label = 0;           ///< location label index from the suffix
    std::uint8_t part_from_right = 0; ///< location part within the label, from its right end
    std::uint32_t hits = 0;           ///< names with a dictionary location here
    std::uint32_t fp = 0;             ///< names with a dictionary location elsewhere only
    std::string shape;                ///< "code3+digits", "alpha+digits", "code3", "alpha"
    std::vector<std::string> infix;   ///< labels between location and suffix ("" varies)
    bool labels_left = false;         ///< names have labels left of the location label
    bool parts_left = false;          ///< the location label has parts left of the location
};

/// What `Learner` found for one suffix.
struct SuffixRule {
    std::string suffix;
    std::uint32_t names = 0; ///< names of the suffix seen
    std::vector<LocationPosition> positions;
    std::map<std::string, OperatorCode, std::less<>> codes;

    /// Whether (label, part_from_right) is a learnt location position.
    [[nodiscard]] bool at_position(std::uint8_t label, std::uint8_t part_from_right) const {
        for (const LocationPosition& p : positions) {
            if (p.label == label && p.part_from_right == part_from_right) {
                return true;
            }
        }
        return false;
    }
};

/// Per-suffix rules; `decode --rules` input, `learn -o` output.
class Rules {
public:
    /// Reads a rules file written by to_text(). Errors: NotFound, Io, Malformed (with line).
    static Result<Rules> load(const std::string& path);
    /// Parses rules text. Errors: Malformed (with line).
    static Result<Rules> parse(std::string_view text, const std::string& source);
    /// The rules file (TSV, documented in docs/cli/hostnames.md).
    [[nodiscard]] std::string to_text() const;
    /// One line per suffix in sc_hoiho's `-d best-regex` shape:
    /// "suffix: regex, score: ppv P tp N fp M, plan: [[iata]]".
    [[nodiscard]] std::string to_hoiho_regex() const;
    [[nodiscard]] const SuffixRule* find(std::string_view suffix) const;
    [[nodiscard]] const std::map<std::string, SuffixRule, std::less<>>& all() const {
        return rules_;
    }
    SuffixRule& add(const std::string& suffix) { return rules_[suffix]; }

private:
    std::map<std::string, SuffixRule, std::less<>> rules_;
};

/// The regex of one learnt position in sc_hoiho's syntax (capture group = location code).
std::string hoiho_regex(const std::string& suffix, const LocationPosition& position);

/// Decodes names. Holds references: `dict` and `rules` must outlive it. Not thread-safe (one
/// per thread); cheap to construct.
class Decoder {
public:
    explicit Decoder(const Dictionary& dict, const Rules* rules = nullptr,
                     Method method = Method::Default);
    /// Decodes `hostname` (with its address `ip`, may be empty) into `out`. A hostile name
    /// (empty, too long, empty label, a byte outside [A-Za-z0-9-_.]) sets `out.error`.
    void decode(std::string_view hostname, std::string_view ip, Decoded& out);
    /// Minimum confidence for a location to be reported (default 0.5).
    void set_threshold(float t) { threshold_ = t; }
    /// Whether decode() considers a location of `source` with `confidence`: used by Learner.
    [[nodiscard]] const Dictionary& dictionary() const { return dict_; }

private:
    bool tokenize(std::string_view hostname, Decoded& out);
    void decode_default(Decoded& out);
    void decode_ginie(Decoded& out);
    void find_interface(Decoded& out);
    void find_ip_literal(Decoded& out);
    void find_roles(Decoded& out);
    void find_location(Decoded& out);

    const Dictionary& dict_;
    const Rules* rules_;
    Method method_;
    float threshold_ = 0.5F;
    std::string scratch_;
};

/// A location candidate of the default method before position scoring (exposed for Learner).
struct Candidate {
    std::uint16_t start = 0;
    std::uint16_t end = 0;
    std::uint8_t label = 0;
    std::uint8_t part_from_right = 0;
    bool digits_follow = false;
    std::uint32_t place = 0;
    LocationSource source = LocationSource::City;
    float base = 0;          ///< confidence from the dictionary and shape alone
    bool vocabulary = false; ///< the text is also a role or interface token
};
/// Dictionary location candidates of a decoded (tokenized) name.
void location_candidates(const Dictionary& dict, const Decoded& d, std::vector<Candidate>& out);

/// Learns per-suffix rules from names (`hostnames learn`).
class Learner {
public:
    explicit Learner(const Dictionary& dict);
    /// Adds one name (ignored when it does not decode).
    void add(std::string_view hostname);
    /// The rules of every suffix with enough names (>= 3) and a dominant position.
    [[nodiscard]] Rules finish() const;

private:
    struct PositionStats {
        std::uint32_t names = 0;                                 ///< names with an alpha token here
        std::map<std::string, std::uint32_t, std::less<>> codes; ///< alpha text -> names
        std::map<std::string, std::uint32_t, std::less<>> hit_codes; ///< dictionary hits
    };
    struct NameHit {
        std::uint16_t position; ///< label << 8 | part_from_right
        std::string code;
        std::string shape;
        std::string infix;
        bool parts_left = false;
        bool labels_left = false;
    };
    struct SuffixStats {
        std::uint32_t names = 0;
        std::map<std::uint16_t, PositionStats> positions; ///< label << 8 | part_from_right
        std::vector<std::vector<NameHit>> name_hits;      ///< per name
    };
    const Dictionary& dict_;
    Decoder decoder_;
    Decoded scratch_;
    std::vector<Candidate> candidates_;
    std::map<std::string, SuffixStats, std::less<>> suffixes_;
    std::vector<std::uint32_t> big_cities_;
};

/// Appends the JSON Lines object of `d` (the contract of `hostnames decode`) and a newline.
void append_json(const Decoded& d, std::string& out);

} // namespace dg::hostnames
