#include "dg/hostnames/decoder.hpp"

#include "dg/core/ip_address.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>

namespace dg::hostnames {
namespace {

bool is_lower(char c) {
    return c >= 'a' && c <= 'z';
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_hex(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f');
}
bool is_sep(char c) {
    return c == '-' || c == '_';
}

enum class CharClass : std::uint8_t { Invalid, Keep, Upper, Dot };

/// What the tokenizer does with each byte: letters, digits, '-' and '_' are kept (upper case
/// lowered), '.' ends a label, anything else (and every non-ASCII byte) is an error.
constexpr std::array<CharClass, 256> kCharClasses = [] {
    std::array<CharClass, 256> t{};
    for (int c = 'a'; c <= 'z'; ++c) {
        t[static_cast<std::size_t>(c)] = CharClass::Keep;
        t[static_cast<std::size_t>(c - 'a' + 'A')] = CharClass::Upper;
    }
    for (int c = '0'; c <= '9'; ++c) {
        t[static_cast<std::size_t>(c)] = CharClass::Keep;
    }
    t['-'] = CharClass::Keep;
    t['_'] = CharClass::Keep;
    t['.'] = CharClass::Dot;
    return t;
}();

std::uint8_t clamp8(std::size_t v) {
    return static_cast<std::uint8_t>(std::min<std::size_t>(v, 255));
}

/// Whether `code` (>= 2 letters) is a subsequence of `name` starting at its first letter.
bool abbreviates(std::string_view code, std::string_view name) {
    if (code.empty() || name.empty() || code[0] != name[0]) {
        return false;
    }
    std::size_t j = 1;
    for (std::size_t i = 1; i < code.size(); ++i) {
        while (j < name.size() && name[j] != code[i]) {
            ++j;
        }
        if (j == name.size()) {
            return false;
        }
        ++j;
    }
    return true;
}

/// Lower-case letters of `s` into `out` ("New York City" -> "newyorkcity").
void alpha_key(std::string_view s, std::string& out) {
    out.clear();
    for (const char c : s) {
        if (c >= 'A' && c <= 'Z') {
            out += static_cast<char>(c - 'A' + 'a');
        } else if (is_lower(c)) {
            out += c;
        }
    }
}

/// population_code of a metro of ~50,000 people (1.08^141).
constexpr std::uint8_t kMetroCode = 141;

std::string_view country_of_code(std::string_view cc) {
    return cc == "uk" ? "gb" : cc;
}

bool same_country(std::string_view place_cc, std::string_view cc) {
    if (place_cc.size() != 2 || cc.size() != 2) {
        return false;
    }
    const std::string_view c = country_of_code(cc);
    return (place_cc[0] | 0x20) == c[0] && (place_cc[1] | 0x20) == c[1];
}

} // namespace

const char* token_type_name(TokenType t) {
    switch (t) {
    case TokenType::Number:
        return "number";
    case TokenType::Interface:
        return "interface";
    case TokenType::Role:
        return "role";
    case TokenType::Location:
        return "location";
    case TokenType::Ip:
        return "ip";
    case TokenType::Word:
        return "word";
    case TokenType::Country:
        return "country";
    case TokenType::State:
        return "state";
    case TokenType::AccessTech:
        return "access";
    default:
        return "unknown";
    }
}

const char* location_source_name(LocationSource s) {
    switch (s) {
    case LocationSource::City:
        return "city";
    case LocationSource::Iata:
        return "iata";
    case LocationSource::Icao:
        return "icao";
    case LocationSource::Locode:
        return "locode";
    case LocationSource::ClliLike:
        return "clli_like";
    case LocationSource::UsState:
        return "us_state";
    default:
        return "operator_code";
    }
}

void Decoded::clear() {
    host.clear();
    ip.clear();
    error.clear();
    suffix_start = 0;
    tokens.clear();
    has_interface = false;
    interface = Interface{};
    role = {};
    has_router_id = false;
    router_id_start = 0;
    has_location = false;
    location.witness.clear();
    location = Location{};
    location_ruled_out.clear();
    ip_literal = false;
    end_host = false;
    items = 0;
}

Decoder::Decoder(const Dictionary& dict, const Rules* rules, Method method)
    : dict_(dict), rules_(rules), method_(method) {}

bool Decoder::tokenize(std::string_view name, Decoded& out) {
    out.host.clear();
    out.tokens.clear();
    if (!name.empty() && name.back() == '.') {
        name.remove_suffix(1);
    }
    char buf[96];
    if (name.empty()) {
        out.error = "empty name";
        return false;
    }
    if (name.size() > kMaxNameLength) {
        std::snprintf(buf, sizeof(buf), "name of %zu bytes is longer than %zu", name.size(),
                      kMaxNameLength);
        out.error = buf;
        return false;
    }
    // one pass: check every byte and label, and write the lower-cased name
    out.host.resize(name.size());
    std::size_t label_start = 0;
    for (std::size_t i = 0; i <= name.size(); ++i) {
        const auto u = static_cast<unsigned char>(i < name.size() ? name[i] : '.');
        const CharClass cls = kCharClasses[u];
        if (cls == CharClass::Dot) {
            if (i == label_start) {
                std::snprintf(buf, sizeof(buf), "empty label at offset %zu", i);
                out.error = buf;
                return false;
            }
            if (i - label_start > kMaxLabelLength) {
                std::snprintf(buf, sizeof(buf), "label at offset %zu is longer than %zu bytes",
                              label_start, kMaxLabelLength);
                out.error = buf;
                return false;
            }
            label_start = i + 1;
            if (i < name.size()) {
                out.host[i] = '.';
            }
            continue;
        }
        if (cls == CharClass::Invalid) {
            if (u >= 0x80) {
                std::snprintf(buf, sizeof(buf), "non-ASCII byte 0x%02x at offset %zu", u, i);
            } else {
                std::snprintf(buf, sizeof(buf), "invalid byte 0x%02x at offset %zu", u, i);
            }
            out.error = buf;
            return false;
        }
        out.host[i] =
            cls == CharClass::Upper ? static_cast<char>(u - 'A' + 'a') : static_cast<char>(u);
    }
    const std::string_view host = out.host;
    out.suffix_start = host.size() - dict_.registrable_length(host);
    if (out.suffix_start == 0) {
        return true;
    }
    // prefix labels: [0, suffix_start - 1)
    const std::size_t prefix_end = out.suffix_start - 1;
    std::size_t labels = 1;
    for (std::size_t i = 0; i < prefix_end; ++i) {
        labels += host[i] == '.' ? 1U : 0U;
    }
    std::size_t label = labels;
    std::size_t pos = 0;
    while (pos < prefix_end) {
        std::size_t lend = host.find('.', pos);
        if (lend == std::string_view::npos || lend > prefix_end) {
            lend = prefix_end;
        }
        std::size_t parts = 1;
        for (std::size_t i = pos; i < lend; ++i) {
            parts += is_sep(host[i]) ? 1U : 0U;
        }
        std::size_t part = 0;
        std::size_t i = pos;
        while (i < lend) {
            if (is_sep(host[i])) {
                ++part;
                ++i;
                continue;
            }
            const bool alpha = is_lower(host[i]);
            std::size_t j = i;
            while (j < lend && !is_sep(host[j]) && is_lower(host[j]) == alpha) {
                ++j;
            }
            Token t;
            t.start = static_cast<std::uint16_t>(i);
            t.end = static_cast<std::uint16_t>(j);
            t.label = clamp8(label);
            t.part = clamp8(part);
            t.part_from_right = clamp8(parts - 1 - part);
            t.alpha = alpha;
            t.type = alpha ? TokenType::Unknown : TokenType::Number;
            out.tokens.push_back(t);
            i = j;
        }
        pos = lend + 1;
        --label;
    }
    return true;
}

void Decoder::decode(std::string_view hostname, std::string_view ip, Decoded& out) {
    out.clear();
    out.ip.assign(ip);
    if (!tokenize(hostname, out)) {
        out.tokens.clear();
        out.host.assign(hostname.substr(0, 1024)); // as given, for the error line
        return;
    }
    if (method_ == Method::Ginie) {
        decode_ginie(out);
    } else {
        decode_default(out);
    }
}

// ---- default method ----------------------------------------------------------------------

void Decoder::decode_default(Decoded& out) {
    if (out.tokens.empty()) {
        return;
    }
    find_interface(out);
    find_ip_literal(out);
    find_roles(out);
    find_location(out);
    bool access = false;
    for (Token& t : out.tokens) {
        if (t.type == TokenType::AccessTech) {
            access = true;
        }
        if (t.alpha && t.type == TokenType::Unknown && t.end - t.start >= 3 &&
            dict_.has(out.text(t), EntryType::Word)) {
            t.type = TokenType::Word;
        }
    }
    const bool router_role = !out.role.empty();
    out.end_host = (out.ip_literal || access) && !out.has_interface && !router_role;
    out.items = (out.has_interface ? 1 : 0) + (router_role ? 1 : 0) + (out.has_location ? 1 : 0);
}

void Decoder::find_interface(Decoded& out) {
    const std::uint8_t leftmost = out.tokens.front().label;
    std::size_t i = 0;
    const std::size_t n = out.tokens.size();
    auto in_label = [&](std::size_t k) { return k < n && out.tokens[k].label == leftmost; };
    // Tata's "if-ae-5-2": a leading "if" part.
    if (out.tokens[0].alpha && out.text(out.tokens[0]) == "if" && in_label(1) &&
        out.tokens[1].part == 1) {
        i = 1;
    }
    // The interface name starts the label ("xe-0-1-0", "be2122") or one of its later parts
    // ("core2b-pkl-pos-0-0-5-0", "dmzbb-gw1-gig1-1"): the first that parses wins.
    for (std::size_t at = i; in_label(at); ++at) {
        if (at != i && (!out.tokens[at].alpha || out.tokens[at].part == out.tokens[at - 1].part ||
                        out.tokens[at].end - out.tokens[at].start < 2)) {
            continue; // later parts: a whole-part name of >= 2 letters ("s" alone is too vague)
        }
        i = at;
        std::size_t first = i;
        std::size_t last = i; // inclusive token range of the interface name
        std::string& key = scratch_;
        key.clear();
        if (!out.tokens[i].alpha) {
            // speed-prefixed "10ge15-2", "100ge8-2"
            if (!in_label(i + 1) || !out.tokens[i + 1].alpha ||
                out.tokens[i + 1].start != out.tokens[i].end) {
                continue;
            }
            last = i + 1;
            key.assign(out.host, out.tokens[i].start, out.tokens[i + 1].end - out.tokens[i].start);
        } else {
            key.assign(out.text(out.tokens[i]));
            // "eth-trunk6"
            if (key == "eth" && in_label(i + 1) && out.text(out.tokens[i + 1]) == "trunk") {
                key = "ethtrunk";
                last = i + 1;
            }
        }
        std::uint32_t info = 0;
        if (!dict_.find(key, EntryType::Interface, &info)) {
            continue;
        }
        // A slot/port number must follow, in the same part or the next one.
        const std::size_t next = last + 1;
        if (!in_label(next) || out.tokens[next].alpha ||
            out.tokens[next].part > out.tokens[last].part + 1) {
            continue;
        }
        const InterfaceInfo ii = dict_.interface_info(info);
        out.has_interface = true;
        out.interface.type = ii.type;
        out.interface.family = ii.family;
        out.interface.canonical = ii.canonical;
        out.interface.speed_gbps = ii.speed_gbps;
        for (std::size_t k = first; k <= last; ++k) {
            out.tokens[k].type = TokenType::Interface;
            out.tokens[k].confidence = 0.9F;
        }
        out.interface.slot_port.clear();
        for (std::size_t k = next; in_label(k) && !out.tokens[k].alpha; ++k) {
            if (!out.interface.slot_port.empty()) {
                out.interface.slot_port += '/';
            }
            out.interface.slot_port += out.text(out.tokens[k]);
            out.tokens[k].confidence = 0.9F;
        }
        // router_id: the name without its interface label
        if (leftmost >= 2) {
            out.has_router_id = true;
            out.router_id_start = out.host.find('.') + 1;
        }
        return;
    }
}

void Decoder::find_ip_literal(Decoded& out) {
    const std::size_t n = out.tokens.size();
    auto mark = [&](std::size_t from, std::size_t to) { // byte range
        for (Token& t : out.tokens) {
            if (t.start >= from && t.end <= to && t.type != TokenType::Interface) {
                t.type = TokenType::Ip;
                t.confidence = 0.95F;
            }
        }
        out.ip_literal = true;
    };
    auto value = [&](const Token& t) {
        int v = 0;
        for (const char c : out.text(t)) {
            v = v * 10 + (c - '0');
            if (v > 100000) {
                break;
            }
        }
        return v;
    };
    std::array<int, 4> want{};
    bool have_v4 = false;
    if (!out.ip.empty()) {
        auto addr = IpAddress::parse(out.ip);
        if (addr && addr->is_v4()) {
            have_v4 = true;
            for (std::size_t k = 0; k < 4; ++k) {
                want[k] = addr->bytes()[k];
            }
            // hex form ("c0000201")
            char hex[9];
            std::snprintf(hex, sizeof(hex), "%02x%02x%02x%02x", want[0], want[1], want[2], want[3]);
            const std::size_t at = out.host.find(hex);
            if (at != std::string::npos && at + 8 <= out.suffix_start) {
                mark(at, at + 8);
            }
        } else if (addr) {
            // IPv6: the compressed text with ':' as '-' (or nothing), or its last groups
            std::string text = addr->to_string();
            for (char& c : text) {
                c = c == ':' ? '-' : c;
            }
            const std::size_t at = out.host.find(text);
            if (at != std::string::npos && text.size() >= 6) {
                mark(at, at + text.size());
            }
        }
    }
    // four numbers <= 255 joined by single separators (dotted, dashed, reversed)
    for (std::size_t i = 0; i + 3 < n; ++i) {
        bool ok = true;
        bool forward = have_v4;
        bool reverse = have_v4;
        for (std::size_t k = 0; k < 4 && ok; ++k) {
            const Token& t = out.tokens[i + k];
            if (t.alpha || t.type != TokenType::Number || t.end - t.start > 3 || value(t) > 255 ||
                t.confidence > 0) { // confidence > 0: an interface's slot/port
                ok = false;
                break;
            }
            if (k > 0 && t.start != out.tokens[i + k - 1].end + 1) {
                ok = false;
            }
            forward = forward && value(t) == want[k];
            reverse = reverse && value(t) == want[3 - k];
        }
        if (!ok) {
            continue;
        }
        if (have_v4 ? (forward || reverse) : value(out.tokens[i]) > 0) {
            mark(out.tokens[i].start, out.tokens[i + 3].end);
            i += 3;
        }
    }
    // IPv6 shape without a given address: >= 5 hex groups joined by '-', the first 2xxx/3xxx
    const std::string_view host = out.host;
    std::size_t p = 0;
    while (p < out.suffix_start) {
        std::size_t q = p;
        int groups = 0;
        std::size_t group_start = p;
        bool first_ok = false;
        while (q <= out.suffix_start) {
            const char c = q < host.size() ? host[q] : '.';
            if (is_hex(c)) {
                ++q;
                continue;
            }
            const std::size_t len = q - group_start;
            if (len == 0 || len > 4) {
                break;
            }
            if (groups == 0) {
                first_ok = len == 4 && (host[group_start] == '2' || host[group_start] == '3');
            }
            ++groups;
            if (c != '-') {
                break;
            }
            ++q;
            group_start = q;
        }
        if (first_ok && groups >= 5) {
            mark(p, group_start + 4 > host.size() ? host.size() : q);
        }
        const std::size_t next = host.find_first_of(".-", p);
        if (next == std::string_view::npos) {
            break;
        }
        p = next + 1;
    }
}

void Decoder::find_roles(Decoded& out) {
    const SuffixRule* rule = rules_ != nullptr ? rules_->find(out.suffix()) : nullptr;
    const std::size_t n = out.tokens.size();
    bool router_role_found = false;
    for (std::size_t i = 0; i < n; ++i) {
        Token& t = out.tokens[i];
        if (!t.alpha || t.type != TokenType::Unknown) {
            continue;
        }
        // the run starts its part; at most one digit run follows in the part
        if (i > 0 && out.tokens[i - 1].label == t.label && out.tokens[i - 1].part == t.part) {
            continue;
        }
        const bool digits_next =
            i + 1 < n && out.tokens[i + 1].label == t.label && out.tokens[i + 1].part == t.part;
        if (digits_next && i + 2 < n && out.tokens[i + 2].label == t.label &&
            out.tokens[i + 2].part == t.part) {
            continue;
        }
        const std::string_view text = out.text(t);
        if (text.size() == 1 && !digits_next) {
            continue; // single-letter roles (r24, b1, a02) only with their index
        }
        if (rule != nullptr && rule->at_position(t.label, t.part_from_right) &&
            (rule->codes.count(text) > 0 || dict_.has(text, EntryType::Iata))) {
            continue; // this suffix's location position
        }
        std::uint32_t info = 0;
        if (!dict_.find(text, EntryType::Role, &info)) {
            continue;
        }
        const RoleInfo ri = dict_.role_info(info);
        t.type = ri.cls == "access-tech" ? TokenType::AccessTech : TokenType::Role;
        t.confidence = 0.8F;
        if (!ri.role.empty() && (ri.cls == "router-role" || ri.cls == "device") &&
            !router_role_found) {
            router_role_found = true;
            out.role = ri.role;
            if (!out.has_router_id) {
                out.has_router_id = true;
                const std::size_t dot = out.host.rfind('.', t.start);
                out.router_id_start = dot == std::string::npos ? 0 : dot + 1;
            }
        } else if (out.role.empty() && !ri.role.empty() && ri.cls == "link-role") {
            out.role = ri.role;
        }
    }
}

void location_candidates(const Dictionary& dict, const Decoded& d, std::vector<Candidate>& out) {
    out.clear();
    const std::size_t n = d.tokens.size();
    std::string key;
    std::string name_key;
    // a two-letter country label right of the codes ("frnkge03.de.bb"): CLLI-like codes may use
    // the operator's own country abbreviation
    std::string witness_region;
    for (const Token& t : d.tokens) {
        if (t.alpha && t.end - t.start == 2 && t.part == 0 && t.part_from_right == 0) {
            witness_region.assign(1, '@').append(country_of_code(d.text(t)));
        }
    }
    auto consider = [&](std::size_t first, std::size_t last, std::string_view text) {
        const Token& t0 = d.tokens[first];
        const bool digits_follow = last + 1 < n && !d.tokens[last + 1].alpha &&
                                   d.tokens[last + 1].label == t0.label &&
                                   d.tokens[last + 1].start == d.tokens[last].end;
        Candidate c;
        c.start = t0.start;
        c.end = d.tokens[last].end;
        c.label = t0.label;
        c.part_from_right = d.tokens[last].part_from_right;
        c.digits_follow = digits_follow;
        const auto [lo, hi] = dict.range(text);
        bool word = false;
        bool vocabulary = false;
        for (std::uint32_t e = lo; e < hi; ++e) {
            const EntryType t = dict.entry(e).type;
            word = word || t == EntryType::Word;
            vocabulary = vocabulary || t == EntryType::Role || t == EntryType::Interface;
        }
        c.vocabulary = vocabulary;
        const float shape = digits_follow ? 0.15F : 0.0F;
        std::int32_t best_city = -1;
        std::uint8_t best_pop = 0;
        bool alt = false;
        for (std::uint32_t e = lo; e < hi; ++e) {
            const Entry en = dict.entry(e);
            if ((en.type == EntryType::City || en.type == EntryType::CityAlt) && text.size() >= 4) {
                const Place p = dict.place(en.value);
                if (best_city < 0 || p.population_code > best_pop) {
                    best_city = static_cast<std::int32_t>(en.value);
                    best_pop = p.population_code;
                    alt = en.type == EntryType::CityAlt;
                }
            } else if ((en.type == EntryType::Iata || en.type == EntryType::Metro) &&
                       text.size() == 3) {
                c.place = en.value;
                c.source = LocationSource::Iata;
                // an airport whose metro has < ~50,000 people is an unlikely router site
                const bool big = en.type == EntryType::Metro ||
                                 dict.place(en.value).population_code >= kMetroCode;
                c.base = (en.type == EntryType::Metro ? 0.6F : (big ? 0.55F : 0.35F)) + shape -
                         (word ? 0.15F : 0);
                out.push_back(c);
            } else if (en.type == EntryType::Locode && text.size() == 5) {
                c.place = en.value;
                c.source = LocationSource::Locode;
                c.base = 0.45F + shape - (word ? 0.2F : 0);
                out.push_back(c);
            }
        }
        if (best_city >= 0) {
            c.place = static_cast<std::uint32_t>(best_city);
            c.source = LocationSource::City;
            c.base =
                (text.size() >= 6 ? 0.8F : 0.6F) + shape - (word ? 0.35F : 0) - (alt ? 0.05F : 0);
            out.push_back(c);
        }
        // CLLI-like: 4 letters of the city + 2 of the state/province or country ("asbnva")
        if (text.size() == 6 && !word) {
            const std::string_view st = text.substr(4);
            const char initial = text[0];
            std::array<std::string, 4> regions = {
                "us" + std::string(st) + "/" + initial, "ca" + std::string(st) + "/" + initial,
                "@" + std::string(country_of_code(st)) + "/" + initial,
                witness_region.empty() ? std::string() : witness_region + "/" + initial};
            for (const std::string& reg : regions) {
                if (reg.empty()) {
                    continue;
                }
                bool found = false;
                dict.for_region(reg, [&](std::uint32_t pi) {
                    const Place p = dict.place(pi);
                    alpha_key(p.name, name_key);
                    if (abbreviates(text.substr(0, 4), name_key)) {
                        c.place = pi;
                        c.source = LocationSource::ClliLike;
                        c.base = 0.6F + shape;
                        out.push_back(c);
                        found = true;
                        return false;
                    }
                    return true;
                });
                if (found) {
                    break;
                }
            }
        }
    };
    for (std::size_t i = 0; i < n; ++i) {
        const Token& t = d.tokens[i];
        if (!t.alpha || t.end - t.start < 3 ||
            (t.type != TokenType::Unknown && t.type != TokenType::Word &&
             t.type != TokenType::Location)) {
            continue;
        }
        if (i > 0 && d.tokens[i - 1].type == TokenType::Ip && d.tokens[i - 1].label == t.label &&
            d.tokens[i - 1].part == t.part) {
            continue; // glued to an address ("...-ccc5-9res"): not a place
        }
        consider(i, i, d.text(t));
        // joined alpha-only parts of one label: "palo-alto", "los-angeles"
        key.assign(d.text(t));
        for (std::size_t j = i + 1; j < n && j < i + 3; ++j) {
            const Token& u = d.tokens[j];
            if (!u.alpha || u.label != t.label || u.part != d.tokens[j - 1].part + 1 ||
                u.start != d.tokens[j - 1].end + 1 ||
                (u.type != TokenType::Unknown && u.type != TokenType::Location &&
                 u.type != TokenType::Word)) {
                break;
            }
            key.append(d.text(u));
            if (key.size() >= 6) {
                const std::size_t before = out.size();
                consider(i, j, key);
                // keep only city matches for joined parts
                out.erase(std::remove_if(
                              out.begin() + static_cast<std::ptrdiff_t>(before), out.end(),
                              [](const Candidate& c) { return c.source != LocationSource::City; }),
                          out.end());
            }
        }
    }
}

void Decoder::find_location(Decoded& out) {
    std::vector<Candidate> cands;
    location_candidates(dict_, out, cands);
    const SuffixRule* rule = rules_ != nullptr ? rules_->find(out.suffix()) : nullptr;
    // country / state witnesses: two-letter labels right of the candidate
    struct Witness {
        std::uint8_t label;
        std::string_view code;
    };
    std::array<Witness, 4> witnesses{};
    std::size_t nw = 0;
    for (Token& t : out.tokens) {
        if (t.alpha && t.end - t.start == 2 && t.part == 0 && t.part_from_right == 0 &&
            nw < witnesses.size()) {
            const std::string_view code = out.text(t);
            const bool country = dict_.has(country_of_code(code), EntryType::Country);
            const bool state = dict_.has(code, EntryType::State);
            if (country || state) {
                witnesses[nw++] = Witness{t.label, code};
                if (t.type == TokenType::Unknown) {
                    t.type = country ? TokenType::Country : TokenType::State;
                }
            }
        }
    }
    float best = -1;
    Candidate chosen;
    std::string why;
    const OperatorCode* code_hit = nullptr;
    float code_conf = 0;
    std::uint16_t code_start = 0;
    std::uint16_t code_end = 0;
    // operator codes at the learnt position
    if (rule != nullptr && !rule->positions.empty()) {
        for (const Token& t : out.tokens) {
            if (t.alpha && rule->at_position(t.label, t.part_from_right) &&
                (t.type == TokenType::Unknown || t.type == TokenType::Word)) {
                auto it = rule->codes.find(out.text(t));
                if (it != rule->codes.end()) {
                    code_hit = &it->second;
                    code_conf =
                        0.65F + std::min(0.3F, 0.03F * static_cast<float>(it->second.count));
                    code_start = t.start;
                    code_end = t.end;
                    break;
                }
            }
        }
    }
    int best_position = 0;         // +1 at a learnt position, -1 off it, 0 no rule
    std::size_t best_witness = nw; // index of the country witness used
    bool best_agree = false;
    for (const Candidate& c : cands) {
        // a role or interface word ("res", "eth", "gig", "car") is a location only where this
        // suffix's learnt rules put the location
        if (c.vocabulary && (rule == nullptr || !rule->at_position(c.label, c.part_from_right))) {
            continue;
        }
        float conf = c.base;
        int position = 0;
        const Place p = dict_.place(c.place);
        if (rule != nullptr && !rule->positions.empty()) {
            position = rule->at_position(c.label, c.part_from_right) ? 1 : -1;
            conf += position > 0 ? 0.3F : -0.35F;
        } else if (out.has_interface && c.label == out.tokens.front().label) {
            conf -= 0.25F; // the interface label names the link, not the place
        }
        std::size_t witness = nw;
        bool agree = false;
        for (std::size_t k = 0; k < nw; ++k) {
            if (witnesses[k].label >= c.label) {
                continue;
            }
            const std::string_view code = witnesses[k].code;
            agree = same_country(p.country, code) ||
                    (p.country == "US" && p.region.size() == 2 && (p.region[0] | 0x20) == code[0] &&
                     (p.region[1] | 0x20) == code[1]) ||
                    (p.country == "CA" && code == "ca") || (p.country == "US" && code == "us");
            conf += agree ? 0.15F : -0.3F;
            witness = k;
            break;
        }
        if (conf > best) {
            best = conf;
            chosen = c;
            best_position = position;
            best_witness = witness;
            best_agree = agree;
        }
    }
    if (best >= threshold_) {
        why = "dictionary:";
        why += location_source_name(chosen.source);
        if (chosen.digits_follow) {
            why += ",shape:name+digits";
        }
        if (best_position != 0) {
            why += best_position > 0 ? ",suffix-position" : ",off-suffix-position";
        }
        if (best_witness < nw) {
            why += best_agree ? ",country:" : ",country-disagrees:";
            why += witnesses[best_witness].code;
        }
    }
    if (code_hit != nullptr &&
        (code_conf >= best || (chosen.start == code_start && chosen.end == code_end))) {
        out.has_location = true;
        Location& l = out.location;
        l.city = code_hit->city;
        l.country = code_hit->country;
        l.region = code_hit->region;
        l.lat = code_hit->lat;
        l.lon = code_hit->lon;
        l.has_coordinates = true;
        l.token_start = code_start;
        l.token_end = code_end;
        l.source = LocationSource::OperatorCode;
        l.confidence = std::min(1.0F, code_conf);
        l.witness = "operator-code:" + std::to_string(code_hit->count) + "-names,suffix-position";
    } else if (best >= threshold_) {
        out.has_location = true;
        Location& l = out.location;
        const Place p = dict_.place(chosen.place);
        l.city = p.name;
        l.country = p.country;
        l.region = p.kind == PlaceKind::Airport ? std::string_view{} : p.region;
        l.lat = p.lat;
        l.lon = p.lon;
        l.has_coordinates = p.has_coordinates();
        l.token_start = chosen.start;
        l.token_end = chosen.end;
        l.source = chosen.source;
        l.confidence = std::min(1.0F, best);
        l.witness = std::move(why);
    }
    if (out.has_location) {
        for (Token& t : out.tokens) {
            if (t.start >= out.location.token_start && t.end <= out.location.token_end) {
                t.type = TokenType::Location;
                t.confidence = out.location.confidence;
            }
        }
    }
}

// ---- GINIE (Alur 2014) ------------------------------------------------------------------

void Decoder::decode_ginie(Decoded& out) {
    out.tokens.clear(); // GINIE has its own segments
    if (out.suffix_start == 0) {
        return;
    }
    const std::string_view prefix = std::string_view(out.host).substr(0, out.suffix_start - 1);
    struct Seg {
        std::uint16_t start;
        std::uint16_t end;
        TokenType type;
        LocationSource source;
        std::uint32_t value;
        std::uint16_t match_start; ///< city substring
        std::uint16_t match_end;
    };
    std::array<std::vector<Seg>, 2> passes;
    std::array<int, 2> items{};
    std::string stripped;
    std::string sub;
    for (int pass = 0; pass < 2; ++pass) {
        const std::string_view seps = pass == 0 ? ".-" : ".";
        std::vector<Seg>& segs = passes[static_cast<std::size_t>(pass)];
        // Rule: numbers-only segments are ignored (they do not count for "first half" either).
        auto has_letter = [](std::string_view seg) {
            return std::any_of(seg.begin(), seg.end(), [](char c) { return is_lower(c); });
        };
        std::size_t count = 0;
        for (std::size_t p = 0; p <= prefix.size();) {
            std::size_t e = prefix.find_first_of(seps, p);
            e = e == std::string_view::npos ? prefix.size() : e;
            count += has_letter(prefix.substr(p, e - p)) ? 1U : 0U;
            p = e + 1;
        }
        std::size_t index = 0;
        std::vector<std::uint16_t> map; // stripped index -> host offset
        for (std::size_t p = 0; p <= prefix.size();) {
            std::size_t e = prefix.find_first_of(seps, p);
            e = e == std::string_view::npos ? prefix.size() : e;
            const std::string_view seg = prefix.substr(p, e - p);
            const std::size_t seg_start = p;
            p = e + 1;
            if (!has_letter(seg)) {
                continue;
            }
            // Rule: digits are stripped before matching ("london2" -> "london"); in the
            // second pass the '-' inside a segment is dropped too ("castrop-rauxel").
            stripped.clear();
            map.clear();
            for (std::size_t k = 0; k < seg.size(); ++k) {
                if (!is_digit(seg[k]) && seg[k] != '-' && seg[k] != '_') {
                    stripped += seg[k];
                    map.push_back(static_cast<std::uint16_t>(seg_start + k));
                }
            }
            const std::size_t this_index = index++;
            Seg s{static_cast<std::uint16_t>(seg_start),
                  static_cast<std::uint16_t>(seg_start + seg.size()),
                  TokenType::Unknown,
                  LocationSource::City,
                  0,
                  0,
                  0};
            std::uint32_t v = 0;
            // Rule: dictionaries are tried in order; the first that matches classifies the
            // segment: interface (first half of the name only), role, city, IATA, CLLI, state,
            // word.
            if (this_index * 2 < count && dict_.find(stripped, EntryType::Interface, &v)) {
                s.type = TokenType::Interface;
                s.value = v;
            } else if (dict_.find(stripped, EntryType::Role, &v)) {
                s.type = TokenType::Role;
                s.value = v;
            } else {
                // city: the whole segment, else the longest city name (>= 4 letters) inside it
                bool city = false;
                for (std::size_t len = stripped.size(); len >= 4 && !city; --len) {
                    for (std::size_t from = 0; from + len <= stripped.size() && !city; ++from) {
                        sub.assign(stripped, from, len);
                        std::uint32_t best = 0;
                        std::uint8_t pop = 0;
                        const auto [lo, hi] = dict_.range(sub);
                        for (std::uint32_t k = lo; k < hi; ++k) {
                            const Entry en = dict_.entry(k);
                            if (en.type == EntryType::City) {
                                const Place pl = dict_.place(en.value);
                                if (!city || pl.population_code > pop) {
                                    best = en.value;
                                    pop = pl.population_code;
                                    city = true;
                                }
                            }
                        }
                        if (city) {
                            s.type = TokenType::Location;
                            s.source = LocationSource::City;
                            s.value = best;
                            s.match_start = map[from];
                            s.match_end = static_cast<std::uint16_t>(map[from + len - 1] + 1);
                        }
                    }
                }
                if (!city) {
                    if (stripped.size() == 3 && dict_.find(stripped, EntryType::Iata, &v)) {
                        s.type = TokenType::Location;
                        s.source = LocationSource::Iata;
                        s.value = v;
                    } else if (dict_.find(stripped, EntryType::State, &v)) {
                        s.type = TokenType::State;
                        s.source = LocationSource::UsState;
                        s.value = v;
                    } else if (dict_.has(stripped, EntryType::Word)) {
                        s.type = TokenType::Word;
                    }
                }
            }
            if (s.type != TokenType::Unknown) {
                ++items[static_cast<std::size_t>(pass)];
            }
            segs.push_back(s);
        }
    }
    // Rule: keep the pass that extracts more (the first on a tie).
    const std::size_t keep = items[1] > items[0] ? 1 : 0;
    out.items = items[keep];
    bool location_done = false;
    for (const Seg& s : passes[keep]) {
        Token t;
        t.start = s.start;
        t.end = s.end;
        t.alpha = true;
        t.type = s.type;
        t.confidence = s.type == TokenType::Unknown ? 0.0F : 0.5F;
        std::size_t lab = 1;
        for (std::size_t k = s.end; k < out.suffix_start; ++k) {
            lab += out.host[k] == '.' ? 1U : 0U;
        }
        t.label = clamp8(lab - 1);
        out.tokens.push_back(t);
        if (s.type == TokenType::Interface && !out.has_interface) {
            const InterfaceInfo ii = dict_.interface_info(s.value);
            out.has_interface = true;
            out.interface.type = ii.type;
            out.interface.family = ii.family;
            out.interface.canonical = ii.canonical;
            out.interface.speed_gbps = ii.speed_gbps;
        } else if (s.type == TokenType::Role && out.role.empty()) {
            out.role = dict_.role_info(s.value).role;
        }
    }
    // location: the first city, else the first IATA code, else the first state
    for (int want = 0; want < 3 && !location_done; ++want) {
        for (const Seg& s : passes[keep]) {
            const bool match =
                (want == 0 && s.type == TokenType::Location && s.source == LocationSource::City) ||
                (want == 1 && s.type == TokenType::Location && s.source == LocationSource::Iata) ||
                (want == 2 && s.type == TokenType::State);
            if (!match) {
                continue;
            }
            const Place p = dict_.place(s.value);
            Location& l = out.location;
            l.city = p.name;
            l.country = p.country;
            l.region = p.kind == PlaceKind::Airport ? std::string_view{} : p.region;
            l.lat = p.lat;
            l.lon = p.lon;
            l.has_coordinates = p.has_coordinates();
            l.token_start = s.match_end > 0 ? s.match_start : s.start;
            l.token_end = s.match_end > 0 ? s.match_end : s.end;
            l.source = s.source;
            l.confidence = 0.5F;
            l.witness = "ginie:first-match";
            out.has_location = true;
            location_done = true;
            break;
        }
    }
}

// ---- JSON --------------------------------------------------------------------------------

namespace {

void json_string(std::string_view s, std::string& out) {
    out += '"';
    std::size_t clean = 0; // bytes appended in one piece until an escape is needed
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto u = static_cast<unsigned char>(s[i]);
        if (u == '"' || u == '\\' || u < 0x20 || u >= 0x7f) {
            out.append(s.data() + clean, i - clean);
            clean = i + 1;
            if (u == '"' || u == '\\') {
                out += '\\';
                out += static_cast<char>(u);
            } else {
                char buf[8];
                std::snprintf(buf, sizeof(buf), "\\u%04x", u);
                out += buf;
            }
        }
    }
    out.append(s.data() + clean, s.size() - clean);
    out += '"';
}

void json_uint(unsigned v, std::string& out) {
    char buf[16];
    const auto r = std::to_chars(buf, buf + sizeof(buf), v);
    out.append(buf, r.ptr);
}

void json_number(double v, std::string& out) {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::general, 5);
    out.append(buf, r.ptr);
}

void json_coord(double v, std::string& out) {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed, 5);
    std::string_view s(buf, static_cast<std::size_t>(r.ptr - buf));
    while (s.size() > 1 && s.back() == '0') { // trim trailing zeros
        s.remove_suffix(1);
    }
    if (!s.empty() && s.back() == '.') {
        s.remove_suffix(1);
    }
    out += s;
}

void json_opt_string(std::string_view s, std::string& out) {
    if (s.empty()) {
        out += "null";
    } else {
        json_string(s, out);
    }
}

} // namespace

void append_json(const Decoded& d, std::string& out) {
    out += "{\"hostname\":";
    json_string(d.host, out);
    out += ",\"ip\":";
    json_opt_string(d.ip, out);
    if (!d.error.empty()) {
        out += ",\"error\":";
        json_string(d.error, out);
        out += "}\n";
        return;
    }
    out += ",\"suffix\":";
    json_string(d.suffix(), out);
    out += ",\"tokens\":[";
    bool first = true;
    for (const Token& t : d.tokens) {
        if (!first) {
            out += ',';
        }
        first = false;
        out += "{\"text\":";
        json_string(d.text(t), out);
        out += ",\"label\":";
        json_uint(t.label, out);
        out += ",\"start\":";
        json_uint(t.start, out);
        out += ",\"end\":";
        json_uint(t.end, out);
        out += ",\"type\":\"";
        out += token_type_name(t.type);
        out += "\",\"confidence\":";
        json_number(t.confidence, out);
        out += '}';
    }
    out += "],\"interface\":";
    if (d.has_interface) {
        out += "{\"type\":";
        json_string(d.interface.type, out);
        out += ",\"vendor_family\":";
        json_opt_string(d.interface.family, out);
        out += ",\"name\":";
        json_opt_string(d.interface.canonical, out);
        out += ",\"speed_gbps\":";
        if (d.interface.speed_gbps > 0) {
            json_number(d.interface.speed_gbps, out);
        } else {
            out += "null";
        }
        out += ",\"slot_port\":";
        json_opt_string(d.interface.slot_port, out);
        out += '}';
    } else {
        out += "null";
    }
    out += ",\"role\":";
    json_opt_string(d.role, out);
    out += ",\"router_id\":";
    if (d.has_router_id) {
        json_string(std::string_view(d.host).substr(d.router_id_start), out);
    } else {
        out += "null";
    }
    out += ",\"location\":";
    if (d.has_location) {
        const Location& l = d.location;
        out += "{\"city\":";
        json_opt_string(l.city, out);
        out += ",\"country\":";
        json_opt_string(l.country == "ZZ" ? std::string_view{} : l.country, out);
        out += ",\"region\":";
        json_opt_string(l.region, out);
        out += ",\"lat\":";
        if (l.has_coordinates) {
            json_coord(l.lat, out);
        } else {
            out += "null";
        }
        out += ",\"lon\":";
        if (l.has_coordinates) {
            json_coord(l.lon, out);
        } else {
            out += "null";
        }
        out += ",\"token\":";
        json_string(std::string_view(d.host).substr(l.token_start, l.token_end - l.token_start),
                    out);
        out += ",\"source\":\"";
        out += location_source_name(l.source);
        out += "\",\"confidence\":";
        json_number(l.confidence, out);
        out += ",\"witness\":";
        json_string(l.witness, out);
        out += '}';
    } else {
        out += "null";
    }
    out += ",\"location_ruled_out\":";
    if (d.location_ruled_out.empty()) {
        out += "null";
    } else {
        json_string(d.location_ruled_out, out);
    }
    out += ",\"ip_literal\":";
    out += d.ip_literal ? "true" : "false";
    out += ",\"end_host\":";
    out += d.end_host ? "true" : "false";
    out += "}\n";
}

} // namespace dg::hostnames
