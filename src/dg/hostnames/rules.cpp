// Per-suffix rules: learning (hostnames learn), the rules file, sc_hoiho-style regexes.
#include "dg/core/byte_source.hpp"
#include "dg/hostnames/decoder.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace dg::hostnames {
namespace {

constexpr std::uint32_t kMinNames = 3;
constexpr std::size_t kMaxRulesBytes = std::size_t{256} << 20;
/// population_code of a city of ~300,000 (1.08^164): operator codes map to cities this big.
constexpr std::uint8_t kBigCityCode = 164;

std::vector<std::string_view> split_tab(std::string_view line) {
    std::vector<std::string_view> f;
    std::size_t p = 0;
    while (true) {
        const std::size_t t = line.find('\t', p);
        f.push_back(line.substr(p, t == std::string_view::npos ? std::string_view::npos : t - p));
        if (t == std::string_view::npos) {
            return f;
        }
        p = t + 1;
    }
}

bool parse_uint(std::string_view s, std::uint32_t& v) {
    if (s.empty() || s.size() > 9) {
        return false;
    }
    v = 0;
    for (const char c : s) {
        if (c < '0' || c > '9') {
            return false;
        }
        v = v * 10 + static_cast<std::uint32_t>(c - '0');
    }
    return true;
}

bool parse_double(std::string_view s, double& v) {
    const std::string tmp(s);
    char* end = nullptr;
    v = std::strtod(tmp.c_str(), &end);
    return !tmp.empty() && end == tmp.c_str() + tmp.size() && std::isfinite(v);
}

std::string regex_escape(std::string_view s) {
    std::string out;
    for (const char c : s) {
        if (c == '.' || c == '-' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    return out;
}

/// Length of the shortest prefix of `name` holding `code` as a subsequence that starts at the
/// name's first letter ("oso" in "oslo": 4, in "osasco": 6), or 0 when there is none.
std::size_t abbreviation_span(std::string_view code, std::string_view name) {
    if (code.empty() || name.empty() || code[0] != name[0]) {
        return 0;
    }
    std::size_t j = 1;
    for (std::size_t i = 1; i < code.size(); ++i) {
        while (j < name.size() && name[j] != code[i]) {
            ++j;
        }
        if (j == name.size()) {
            return 0;
        }
        ++j;
    }
    return j;
}

} // namespace

const SuffixRule* Rules::find(std::string_view suffix) const {
    auto it = rules_.find(suffix);
    return it == rules_.end() ? nullptr : &it->second;
}

std::string hoiho_regex(const std::string& suffix, const LocationPosition& r) {
    std::string re = r.labels_left ? "^.+\\." : "^";
    if (r.parts_left) {
        re += "[^\\.]+-";
    }
    if (r.shape == "code3+digits") {
        re += "([a-z]{3})\\d+";
    } else if (r.shape == "code3") {
        re += "([a-z]{3})";
    } else if (r.shape == "alpha+digits") {
        re += "([a-z]+)\\d+";
    } else {
        re += "([a-z]+)";
    }
    for (std::uint8_t i = 0; i < r.part_from_right; ++i) {
        re += "-[^\\.]+";
    }
    for (const std::string& l : r.infix) {
        re += "\\.";
        re += l.empty() ? "[^\\.]+" : regex_escape(l);
    }
    re += "\\.";
    re += regex_escape(suffix);
    re += '$';
    return re;
}

std::string Rules::to_text() const {
    std::string out = "# domaingraph hostnames rules 1 (docs/cli/hostnames.md)\n"
                      "# suffix<TAB>name<TAB>label<TAB>part_from_right<TAB>names<TAB>hits<TAB>fp"
                      "<TAB>shape<TAB>labels_left<TAB>parts_left<TAB>infix\n"
                      "# code<TAB>suffix<TAB>code<TAB>city<TAB>country<TAB>region<TAB>lat<TAB>lon"
                      "<TAB>names\n";
    char buf[64];
    for (const auto& [suffix, r] : rules_) {
        for (const LocationPosition& p : r.positions) {
            std::string infix;
            for (std::size_t i = 0; i < p.infix.size(); ++i) {
                infix += i > 0 ? "." : "";
                infix += p.infix[i].empty() ? "*" : p.infix[i];
            }
            out += "suffix\t" + suffix + "\t" + std::to_string(p.label) + "\t" +
                   std::to_string(p.part_from_right) + "\t" + std::to_string(r.names) + "\t" +
                   std::to_string(p.hits) + "\t" + std::to_string(p.fp) + "\t" + p.shape + "\t" +
                   (p.labels_left ? "1" : "0") + "\t" + (p.parts_left ? "1" : "0") + "\t" + infix +
                   "\n";
        }
        for (const auto& [code, c] : r.codes) {
            std::snprintf(buf, sizeof(buf), "%.5f\t%.5f", c.lat, c.lon);
            out += "code\t" + suffix + "\t" + code + "\t" + c.city + "\t" + c.country + "\t" +
                   c.region + "\t" + buf + "\t" + std::to_string(c.count) + "\n";
        }
    }
    return out;
}

std::string Rules::to_hoiho_regex() const {
    std::string out;
    char buf[160];
    for (const auto& [suffix, r] : rules_) {
        for (const LocationPosition& p : r.positions) {
            const double ppv =
                p.hits + p.fp > 0 ? static_cast<double>(p.hits) / (p.hits + p.fp) : 0;
            std::snprintf(buf, sizeof(buf),
                          ", score: ppv %.3f, tp %u fp %u, matches %u, plan: [[%s]]", ppv, p.hits,
                          p.fp, r.names, p.shape.rfind("code3", 0) == 0 ? "iata" : "place");
            out += suffix + ": " + hoiho_regex(suffix, p) + buf + "\n";
        }
    }
    return out;
}

Result<Rules> Rules::load(const std::string& path) {
    auto src = io::open(path, io::OpenOptions{false});
    if (!src) {
        return src.error();
    }
    auto bytes = io::read_all(**src, kMaxRulesBytes);
    if (!bytes) {
        return bytes.error();
    }
    return parse(std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()),
                 path);
}

Result<Rules> Rules::parse(std::string_view text, const std::string& source) {
    Rules rules;
    std::uint64_t number = 0;
    std::size_t p = 0;
    while (p < text.size()) {
        std::size_t e = text.find('\n', p);
        e = e == std::string_view::npos ? text.size() : e;
        std::string_view line = text.substr(p, e - p);
        p = e + 1;
        ++number;
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        if (line.empty() || line.front() == '#') {
            continue;
        }
        const auto f = split_tab(line);
        auto bad = [&](const char* why) {
            return make_error(ErrorCode::Malformed, why).at(source, {}, number);
        };
        if (f[0] == "suffix") {
            std::uint32_t label = 0;
            std::uint32_t part = 0;
            std::uint32_t names = 0;
            LocationPosition r;
            if (f.size() != 11 || f[1].empty() || !parse_uint(f[2], label) || label > 127 ||
                label == 0 || !parse_uint(f[3], part) || part > 63 || !parse_uint(f[4], names) ||
                !parse_uint(f[5], r.hits) || !parse_uint(f[6], r.fp)) {
                return bad("bad suffix line (11 tab-separated fields expected)");
            }
            r.label = static_cast<std::uint8_t>(label);
            r.part_from_right = static_cast<std::uint8_t>(part);
            r.shape = std::string(f[7]);
            r.labels_left = f[8] == "1";
            r.parts_left = f[9] == "1";
            std::string_view inf = f[10];
            while (!inf.empty()) {
                const std::size_t d = inf.find('.');
                const std::string_view l = inf.substr(0, d);
                r.infix.emplace_back(l == "*" ? std::string_view{} : l);
                if (d == std::string_view::npos) {
                    break;
                }
                inf.remove_prefix(d + 1);
            }
            SuffixRule& slot = rules.add(std::string(f[1]));
            slot.suffix = std::string(f[1]);
            slot.names = names;
            slot.positions.push_back(std::move(r));
        } else if (f[0] == "code") {
            OperatorCode c;
            if (f.size() != 9 || f[1].empty() || f[2].empty() || !parse_double(f[6], c.lat) ||
                !parse_double(f[7], c.lon) || !parse_uint(f[8], c.count) || std::fabs(c.lat) > 90 ||
                std::fabs(c.lon) > 180) {
                return bad("bad code line (9 tab-separated fields expected)");
            }
            c.code = std::string(f[2]);
            c.city = std::string(f[3]);
            c.country = std::string(f[4]);
            c.region = std::string(f[5]);
            SuffixRule& r = rules.add(std::string(f[1]));
            if (r.suffix.empty()) {
                r.suffix = std::string(f[1]);
            }
            r.codes[c.code] = std::move(c);
        } else {
            return bad("unknown line kind (suffix or code expected)");
        }
    }
    return rules;
}

// ---- learning --------------------------------------------------------------------------

Learner::Learner(const Dictionary& dict) : dict_(dict), decoder_(dict) {
    // names of cities >= ~300,000 (not alternate names: too many are nicknames, "Windy City")
    for (std::uint32_t i = 0; i < dict.entry_count(); ++i) {
        const Entry e = dict.entry(i);
        if (e.type == EntryType::City && dict.place(e.value).population_code >= kBigCityCode) {
            big_cities_.push_back(i);
        }
    }
}

void Learner::add(std::string_view hostname) {
    decoder_.decode(hostname, {}, scratch_);
    if (!scratch_.error.empty() || scratch_.tokens.empty()) {
        return;
    }
    SuffixStats& s = suffixes_[std::string(scratch_.suffix())];
    ++s.names;
    location_candidates(dict_, scratch_, candidates_);
    const std::uint8_t leftmost = scratch_.tokens.front().label;
    std::vector<std::uint16_t> seen;
    auto infix_of = [&](std::uint8_t label) {
        // the labels between `label` and the suffix (labels label-1 .. 1), joined by '.'
        const std::string_view prefix =
            std::string_view(scratch_.host).substr(0, scratch_.suffix_start - 1);
        std::size_t k = prefix.size();
        for (std::uint8_t crossed = 0; crossed + 1 < label; ++crossed) {
            const std::size_t d = k == 0 ? std::string_view::npos : prefix.rfind('.', k - 1);
            if (d == std::string_view::npos) {
                return std::string();
            }
            k = d;
        }
        return k >= prefix.size() ? std::string() : std::string(prefix.substr(k + 1));
    };
    std::vector<NameHit>& hits = s.name_hits.emplace_back();
    for (const Candidate& c : candidates_) {
        if (c.base < 0.5F) {
            continue;
        }
        const auto key = static_cast<std::uint16_t>(c.label << 8 | c.part_from_right);
        if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
            continue;
        }
        seen.push_back(key);
        PositionStats& ps = s.positions[key];
        const std::string code(std::string_view(scratch_.host).substr(c.start, c.end - c.start));
        ++ps.hit_codes[code];
        NameHit h{key, code, {}, {}, false, false};
        const std::size_t len = c.end - c.start;
        h.shape = (len == 3 ? std::string("code3") : std::string("alpha")) +
                  (c.digits_follow ? "+digits" : "");
        h.infix = c.label > 1 ? infix_of(c.label) : std::string();
        h.labels_left = c.label < leftmost;
        for (const Token& t : scratch_.tokens) {
            if (t.start == c.start && t.part > 0) {
                h.parts_left = true;
            }
        }
        hits.push_back(std::move(h));
    }
    std::vector<std::uint16_t> named;
    for (const Token& t : scratch_.tokens) {
        if (!t.alpha || t.end - t.start < 2 || t.end - t.start > 8 ||
            (t.type != TokenType::Unknown && t.type != TokenType::Word &&
             t.type != TokenType::Location)) {
            continue;
        }
        const auto key = static_cast<std::uint16_t>(t.label << 8 | t.part_from_right);
        PositionStats& ps = s.positions[key];
        if (std::find(named.begin(), named.end(), key) == named.end()) {
            named.push_back(key);
            ++ps.names;
        }
        ++ps.codes[std::string(scratch_.text(t))];
    }
}

Rules Learner::finish() const {
    Rules rules;
    for (const auto& [suffix, s] : suffixes_) {
        if (s.names < kMinNames) {
            continue;
        }
        // A location varies between names: a code carried by more than half of the names
        // ("oti" in every "mlab1-ams03.mlab-oti") is part of the convention, not a place.
        // (`stats` names the binding: a lambda may not capture a structured binding in C++20
        // before clang 16.)
        auto constant = [&stats = s](std::uint16_t pos, const std::string& code) {
            auto it = stats.positions.find(pos);
            if (it == stats.positions.end() || stats.names < 4) {
                return false;
            }
            auto c = it->second.hit_codes.find(code);
            return c != it->second.hit_codes.end() && c->second * 5 > stats.names * 2;
        };
        // Greedy: the position explaining most names, then the next among the rest (a suffix
        // may carry two conventions), at most three.
        std::vector<bool> explained(s.name_hits.size(), false);
        std::vector<std::uint16_t> chosen;
        for (int round = 0; round < 3; ++round) {
            std::map<std::uint16_t, std::uint32_t> count;
            for (std::size_t i = 0; i < s.name_hits.size(); ++i) {
                if (explained[i]) {
                    continue;
                }
                for (const NameHit& h : s.name_hits[i]) {
                    if (!constant(h.position, h.code)) {
                        ++count[h.position];
                    }
                }
            }
            std::uint16_t best = 0;
            std::uint32_t best_n = 0;
            for (const auto& [pos, n] : count) {
                if (n > best_n) {
                    best = pos;
                    best_n = n;
                }
            }
            if (best_n < 2 || best_n * (round == 0 ? 5U : 10U) < s.names) {
                break;
            }
            chosen.push_back(best);
            for (std::size_t i = 0; i < s.name_hits.size(); ++i) {
                for (const NameHit& h : s.name_hits[i]) {
                    explained[i] =
                        explained[i] || (h.position == best && !constant(h.position, h.code));
                }
            }
        }
        if (chosen.empty()) {
            continue;
        }
        SuffixRule& r = rules.add(suffix);
        r.suffix = suffix;
        r.names = s.names;
        for (const std::uint16_t best_key : chosen) {
            const PositionStats* best = &s.positions.at(best_key);
            LocationPosition pos;
            pos.label = static_cast<std::uint8_t>(best_key >> 8);
            pos.part_from_right = static_cast<std::uint8_t>(best_key & 0xFF);
            std::map<std::string, std::uint32_t, std::less<>> shapes;
            std::map<std::string, std::uint32_t, std::less<>> infixes;
            for (std::size_t i = 0; i < s.name_hits.size(); ++i) {
                const NameHit* here = nullptr;
                bool elsewhere = false;
                for (const NameHit& h : s.name_hits[i]) {
                    if (constant(h.position, h.code)) {
                        continue;
                    }
                    if (h.position == best_key) {
                        here = &h;
                    } else if (std::find(chosen.begin(), chosen.end(), h.position) !=
                               chosen.end()) {
                        elsewhere = true;
                    }
                }
                if (here == nullptr) {
                    continue;
                }
                ++pos.hits;
                pos.fp += elsewhere ? 1U : 0U; // two conventions disagree on this name
                ++shapes[here->shape];
                ++infixes[here->infix];
                pos.labels_left = pos.labels_left || here->labels_left;
                pos.parts_left = pos.parts_left || here->parts_left;
            }
            std::uint32_t top = 0;
            for (const auto& [shape, n] : shapes) {
                if (n > top) {
                    top = n;
                    pos.shape = shape;
                }
            }
            // infix: the usual labels between location and suffix; '*' where they vary
            top = 0;
            std::uint32_t all = 0;
            std::string infix;
            for (const auto& [text, n] : infixes) {
                all += n;
                if (n > top) {
                    top = n;
                    infix = text;
                }
            }
            std::vector<std::string> labels;
            std::size_t p = 0;
            while (!infix.empty() && p <= infix.size()) {
                const std::size_t d = infix.find('.', p);
                labels.push_back(
                    infix.substr(p, d == std::string::npos ? std::string::npos : d - p));
                if (d == std::string::npos) {
                    break;
                }
                p = d + 1;
            }
            const bool fixed = top * 10 >= all * 9;
            for (std::size_t i = 0; i + 1 < pos.label; ++i) {
                pos.infix.push_back(fixed && i < labels.size() ? labels[i] : std::string());
            }
            r.positions.push_back(std::move(pos));
            // operator codes: tokens at the position the dictionary does not resolve, mapped to
            // the big city whose name they abbreviate most tightly ("prag", "oso", "ldn"). IATA
            // codes are never remapped: on the labelled CAIDA sample, remapping small-airport
            // codes ("win" = Winton to IATA, Vienna to Telia) lost more than it won.
            for (const auto& [code, n] : best->codes) {
                if (code.size() < 3 || code.size() > 6 || (s.names >= 4 && n * 5 > s.names * 2)) {
                    continue;
                }
                bool known = false;
                const auto [lo, hi] = dict_.range(code);
                for (std::uint32_t e = lo; e < hi && !known; ++e) {
                    const Entry en = dict_.entry(e);
                    known = en.type == EntryType::Metro || en.type == EntryType::City ||
                            en.type == EntryType::Role || en.type == EntryType::Interface ||
                            en.type == EntryType::Iata;
                }
                if (known) {
                    continue;
                }
                std::size_t best_span = 1000;
                std::uint8_t best_pop = 0;
                std::uint32_t best_place = 0;
                for (const std::uint32_t ei : big_cities_) {
                    const std::size_t span = abbreviation_span(code, dict_.key(ei));
                    if (span == 0 || span > code.size() + 3) {
                        continue; // only tight abbreviations ("prag", "oso", "ldn")
                    }
                    const std::uint32_t pi = dict_.entry(ei).value;
                    const std::uint8_t pop = dict_.place(pi).population_code;
                    if (span < best_span || (span == best_span && pop > best_pop)) {
                        best_span = span;
                        best_pop = pop;
                        best_place = pi;
                    }
                }
                if (best_span < 1000) {
                    const Place pl = dict_.place(best_place);
                    OperatorCode c;
                    c.code = code;
                    c.city = std::string(pl.name);
                    c.country = std::string(pl.country);
                    c.region = std::string(pl.region);
                    c.lat = pl.lat;
                    c.lon = pl.lon;
                    c.count = n;
                    r.codes[code] = std::move(c);
                }
            }
        }
    }
    return rules;
}

} // namespace dg::hostnames
