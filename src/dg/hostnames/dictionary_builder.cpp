// Builds the router-hostname dictionary (data/hostnames/hostnames.dict.gz) from openly licensed
// sources. A port of the Python script that scripts/build-hostname-dict was (see git history):
// the same sources give the same bytes. One deliberate difference: a PSL exception or wildcard
// rule whose first label is not ASCII is encoded without its marker (the script encoded "!" into
// the label; the list has no such rule).
//
// Only openly licensed files are read (GeoNames CC BY 4.0, OpenFlights ODbL 1.0, UN/LOCODE, Debian
// iso-codes LGPL-2.1+, SCOWL word list, our own naming/ vocabularies, the PSL MPL-2.0). Files
// marked with a warning in the data README (iata_metropolitan.txt, the CAIDA names,
// hoiho_demo/routers.txt) are never read: the IATA metropolitan codes below are our own table of
// well-known facts, placed on GeoNames coordinates.
//
// The layout is documented in docs/cli/hostnames.md ("Dictionary") and read by dictionary.cpp.
//
// Python semantics kept on purpose (they decide which keys exist): text is decoded strictly and
// read with universal newlines; CSV as Python's csv.reader (default dialect); lengths count code
// points; isalpha/isalnum/lower/upper/strip/split/int/float as Python's str methods (exact for
// ASCII and Latin-1, see the helpers for beyond); round() halves to even; `//` floors.

#include "dg/hostnames/dictionary_builder.hpp"

#include "dg/core/byte_source.hpp"
#include "dg/core/output_file.hpp"
#include "dg/hostnames/dictionary.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <idn2.h>
#include <limits>
#include <map>
#include <numbers>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <zlib.h>

namespace dg::hostnames {
namespace {

// ---------------------------------------------------------------------------------------------
// Python str semantics on UTF-8 text

/// Decodes the code point starting at s[i] (valid UTF-8) and moves i past it.
char32_t next_code_point(std::string_view s, std::size_t& i) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    const std::size_t n = b0 < 0x80 ? 1 : b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4;
    char32_t cp = n == 1 ? b0 : (b0 & (0x7FU >> n));
    for (std::size_t k = 1; k < n && i + k < s.size(); ++k) {
        cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3FU);
    }
    i += n;
    return cp;
}

void append_utf8(std::string& out, char32_t cp) {
    auto byte = [&](char32_t v) {
        out.push_back(static_cast<char>(static_cast<unsigned char>(v)));
    };
    if (cp < 0x80) {
        byte(cp);
    } else if (cp < 0x800) {
        byte(0xC0 | (cp >> 6));
        byte(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        byte(0xE0 | (cp >> 12));
        byte(0x80 | ((cp >> 6) & 0x3F));
        byte(0x80 | (cp & 0x3F));
    } else {
        byte(0xF0 | (cp >> 18));
        byte(0x80 | ((cp >> 12) & 0x3F));
        byte(0x80 | ((cp >> 6) & 0x3F));
        byte(0x80 | (cp & 0x3F));
    }
}

/// Offset of the first byte Python's strict UTF-8 decoder refuses, if any.
std::optional<std::size_t> invalid_utf8_at(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto b0 = static_cast<unsigned char>(s[i]);
        if (b0 < 0x80) {
            ++i;
            continue;
        }
        std::size_t n = 0;
        unsigned lo = 0x80;
        unsigned hi = 0xBF;
        if (b0 >= 0xC2 && b0 <= 0xDF) {
            n = 2;
        } else if (b0 >= 0xE0 && b0 <= 0xEF) {
            n = 3;
            lo = b0 == 0xE0 ? 0xA0 : 0x80; // no overlong forms
            hi = b0 == 0xED ? 0x9F : 0xBF; // no surrogates
        } else if (b0 >= 0xF0 && b0 <= 0xF4) {
            n = 4;
            lo = b0 == 0xF0 ? 0x90 : 0x80;
            hi = b0 == 0xF4 ? 0x8F : 0xBF;
        } else {
            return i;
        }
        if (i + n > s.size()) {
            return i;
        }
        for (std::size_t k = 1; k < n; ++k) {
            const auto b = static_cast<unsigned char>(s[i + k]);
            if (b < (k == 1 ? lo : 0x80U) || b > (k == 1 ? hi : 0xBFU)) {
                return i;
            }
        }
        i += n;
    }
    return std::nullopt;
}

std::string latin1_to_utf8(std::string_view s) {
    std::string out;
    out.reserve(s.size() + s.size() / 8);
    for (const char c : s) {
        append_utf8(out, static_cast<unsigned char>(c));
    }
    return out;
}

/// Python's str.isspace().
bool py_isspace(char32_t c) {
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
           c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
           c == 0x202F || c == 0x205F || c == 0x3000;
}

/// Python's str.isalpha() of one code point: exact for Latin (Basic, Latin-1, Extended-A/B, IPA,
/// Extended Additional, the Kelvin sign), Greek and Cyrillic; other scripts count as not
/// alphabetic (their letters never reach a key: keys keep ASCII letters only).
bool py_isalpha(char32_t c) {
    static constexpr std::array<std::pair<char32_t, char32_t>, 32> kLetters{{
        {0x41, 0x5A},     {0x61, 0x7A},     {0xAA, 0xAA},     {0xB5, 0xB5},     {0xBA, 0xBA},
        {0xC0, 0xD6},     {0xD8, 0xF6},     {0xF8, 0x2C1},    {0x2C6, 0x2D1},   {0x2E0, 0x2E4},
        {0x2EC, 0x2EC},   {0x2EE, 0x2EE},   {0x370, 0x374},   {0x376, 0x377},   {0x37A, 0x37D},
        {0x37F, 0x37F},   {0x386, 0x386},   {0x388, 0x38A},   {0x38C, 0x38C},   {0x38E, 0x3A1},
        {0x3A3, 0x3F5},   {0x3F7, 0x481},   {0x48A, 0x52F},   {0x1E00, 0x1F15}, {0x1F18, 0x1F1D},
        {0x1F20, 0x1F45}, {0x1F48, 0x1F4D}, {0x1F50, 0x1F57}, {0x1F59, 0x1F59}, {0x1F5B, 0x1F5B},
        {0x1F5D, 0x1FFC}, {0x212A, 0x212A},
    }};
    return std::any_of(kLetters.begin(), kLetters.end(),
                       [c](const auto& r) { return c >= r.first && c <= r.second; });
}

/// Python's str.isalnum() of one code point (digits: ASCII and Latin-1's superscripts and
/// fractions).
bool py_isalnum(char32_t c) {
    return py_isalpha(c) || (c >= '0' && c <= '9') || c == 0xB2 || c == 0xB3 || c == 0xB9 ||
           (c >= 0xBC && c <= 0xBE);
}

/// Appends Python's lower() of one code point: exact for ASCII and Latin-1, and for the two
/// characters whose lower case is ASCII (U+0130, U+212A); others are kept.
void append_lower(std::string& out, char32_t c) {
    if ((c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7)) {
        append_utf8(out, c + 0x20);
    } else if (c == 0x130) {
        out += "i\xCC\x87"; // i + COMBINING DOT ABOVE
    } else if (c == 0x212A) {
        out += 'k';
    } else {
        append_utf8(out, c);
    }
}

/// Appends Python's upper() of one code point: exact for ASCII and Latin-1; others are kept.
void append_upper(std::string& out, char32_t c) {
    if ((c >= 'a' && c <= 'z') || (c >= 0xE0 && c <= 0xFE && c != 0xF7)) {
        append_utf8(out, c - 0x20);
    } else if (c == 0xDF) {
        out += "SS";
    } else if (c == 0xFF) {
        append_utf8(out, 0x178);
    } else if (c == 0xB5) {
        append_utf8(out, 0x39C);
    } else {
        append_utf8(out, c);
    }
}

bool is_ascii(std::string_view s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

template <class F> std::string map_code_points(std::string_view s, F&& f) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        f(out, next_code_point(s, i));
    }
    return out;
}

std::string py_lower(std::string_view s) {
    return map_code_points(s, append_lower);
}

std::string py_upper(std::string_view s) {
    return map_code_points(s, append_upper);
}

/// Lower-case ASCII letters only: "Frankfurt am Main" -> "frankfurtammain".
std::string alpha_key(std::string_view s) {
    std::string lower = py_lower(s);
    std::erase_if(lower, [](char c) { return c < 'a' || c > 'z'; });
    return lower;
}

/// len() of a str: code points.
std::size_t py_len(std::string_view s) {
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
    }));
}

template <class Pred> bool all_code_points(std::string_view s, Pred&& pred) {
    for (std::size_t i = 0; i < s.size();) {
        if (!pred(next_code_point(s, i))) {
            return false;
        }
    }
    return true;
}

/// str.isalpha() / str.isalnum(): non-empty and every code point so.
bool py_isalpha(std::string_view s) {
    return !s.empty() && all_code_points(s, [](char32_t c) { return py_isalpha(c); });
}

bool py_isalnum(std::string_view s) {
    return !s.empty() && all_code_points(s, [](char32_t c) { return py_isalnum(c); });
}

/// s[from:to] in code points.
std::string_view py_slice(std::string_view s, std::size_t from, std::size_t to) {
    std::size_t i = 0;
    std::size_t begin = s.size();
    std::size_t n = 0;
    for (; i < s.size() && n < to; ++n) {
        if (n == from) {
            begin = i;
        }
        next_code_point(s, i);
    }
    return begin >= s.size() ? std::string_view{} : s.substr(begin, std::min(i, s.size()) - begin);
}

/// str.strip().
std::string_view py_strip(std::string_view s) {
    std::size_t begin = 0;
    while (begin < s.size()) {
        std::size_t next = begin;
        if (!py_isspace(next_code_point(s, next))) {
            break;
        }
        begin = next;
    }
    std::size_t end = s.size();
    while (end > begin) {
        std::size_t start = end - 1;
        while (start > begin && (static_cast<unsigned char>(s[start]) & 0xC0U) == 0x80U) {
            --start;
        }
        std::size_t i = start;
        if (!py_isspace(next_code_point(s, i))) {
            break;
        }
        end = start;
    }
    return s.substr(begin, end - begin);
}

/// str.split() without arguments: runs of whitespace separate, none at the ends.
std::vector<std::string_view> py_split(std::string_view s) {
    std::vector<std::string_view> parts;
    std::size_t i = 0;
    std::size_t start = std::string_view::npos;
    while (i < s.size()) {
        const std::size_t at = i;
        const bool space = py_isspace(next_code_point(s, i));
        if (space && start != std::string_view::npos) {
            parts.push_back(s.substr(start, at - start));
            start = std::string_view::npos;
        } else if (!space && start == std::string_view::npos) {
            start = at;
        }
    }
    if (start != std::string_view::npos) {
        parts.push_back(s.substr(start));
    }
    return parts;
}

/// `digits` without the underscores Python allows between digits; nullopt when one is misplaced
/// or a character is not an ASCII digit (`extra` lists further allowed characters).
std::optional<std::string> strip_underscores(std::string_view digits, std::string_view extra) {
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        const char c = digits[i];
        const auto is_digit = [](char d) { return d >= '0' && d <= '9'; };
        if (c == '_') {
            if (i == 0 || i + 1 == digits.size() || !is_digit(digits[i - 1]) ||
                !is_digit(digits[i + 1])) {
                return std::nullopt;
            }
            continue;
        }
        if (!is_digit(c) && extra.find(c) == std::string_view::npos) {
            return std::nullopt;
        }
        out.push_back(c);
    }
    return out;
}

/// Python's int(str) (base 10, ASCII digits).
std::optional<std::int64_t> py_int(std::string_view text) {
    std::string_view s = py_strip(text);
    bool negative = false;
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
        negative = s[0] == '-';
        s.remove_prefix(1);
    }
    const auto digits = strip_underscores(s, "");
    if (!digits || digits->empty()) {
        return std::nullopt;
    }
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(digits->data(), digits->data() + digits->size(), v);
    if (ec != std::errc{} || end != digits->data() + digits->size()) {
        return std::nullopt;
    }
    return negative ? -v : v;
}

/// Roughly log10 of a decimal number without sign ("123e4" -> 7, "0.001" -> -2): enough to tell
/// an overflow from an underflow.
std::int64_t decimal_magnitude(std::string_view number) {
    const std::size_t e = number.find_first_of("eE");
    const std::string_view mantissa = number.substr(0, e);
    std::int64_t exponent = 0;
    if (e != std::string_view::npos) {
        std::string_view digits = number.substr(e + 1);
        const bool negative = !digits.empty() && digits[0] == '-';
        if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
            digits.remove_prefix(1);
        }
        for (const char c : digits) {
            exponent = std::min<std::int64_t>(exponent * 10 + (c - '0'), 1'000'000'000);
        }
        exponent = negative ? -exponent : exponent;
    }
    const std::size_t dot = std::min(mantissa.find('.'), mantissa.size());
    const std::size_t first = mantissa.find_first_of("123456789");
    if (first == std::string_view::npos) {
        return 0;
    }
    const auto shift = first < dot ? static_cast<std::int64_t>(dot - first)
                                   : -static_cast<std::int64_t>(first - dot) + 1;
    return shift + exponent;
}

/// Python's float(str) (ASCII digits).
std::optional<double> py_float(std::string_view text) {
    std::string_view s = py_strip(text);
    bool negative = false;
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
        negative = s[0] == '-';
        s.remove_prefix(1);
    }
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
        return std::nullopt;
    }
    const std::string lower = py_lower(s);
    double v = 0;
    if (lower == "inf" || lower == "infinity") {
        v = std::numeric_limits<double>::infinity();
    } else if (lower == "nan") {
        v = std::numeric_limits<double>::quiet_NaN();
    } else {
        const auto digits = strip_underscores(s, ".eE+-");
        if (!digits || digits->empty()) {
            return std::nullopt;
        }
        const char* first = digits->data();
        const char* last = first + digits->size();
        const auto [end, ec] = std::from_chars(first, last, v, std::chars_format::general);
        if (end != last || (ec != std::errc{} && ec != std::errc::result_out_of_range)) {
            return std::nullopt;
        }
        if (ec == std::errc::result_out_of_range) { // Python gives inf or 0.0
            v = decimal_magnitude(*digits) > 0 ? std::numeric_limits<double>::infinity() : 0.0;
        }
    }
    return negative ? -v : v;
}

/// int(round(x)) as Python computes it for a float (halves to even).
std::optional<std::int64_t> py_round(double x) {
    if (!std::isfinite(x)) {
        return std::nullopt;
    }
    double r = std::round(x);
    if (std::fabs(x - r) == 0.5) {
        r = 2.0 * std::round(x / 2.0);
    }
    if (std::fabs(r) > 9e18) {
        return std::nullopt;
    }
    return static_cast<std::int64_t>(r);
}

/// Python's a // b for b > 0 (floors).
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    const std::int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (true) {
        const std::size_t at = s.find(sep, start);
        out.push_back(
            s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
        if (at == std::string_view::npos) {
            return out;
        }
        start = at + 1;
    }
}

// ---------------------------------------------------------------------------------------------
// Reading text files as Python does

enum class Encoding : std::uint8_t { Utf8, Latin1 };

/// Python's universal newlines: "\r\n" and a lone "\r" become "\n".
std::string universal_newlines(std::string text) {
    if (text.find('\r') == std::string::npos) {
        return text;
    }
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\r') {
            out.push_back(text[i]);
        } else {
            out.push_back('\n');
            if (i + 1 < text.size() && text[i + 1] == '\n') {
                ++i;
            }
        }
    }
    return out;
}

/// A whole file (decompressed), decoded as UTF-8 text with universal newlines.
/// Errors: NotFound, Io, Malformed (bytes the encoding refuses).
Result<std::string> read_text(const std::string& path, Encoding encoding) {
    DG_TRY(auto source, io::open(path));
    DG_TRY(auto bytes, io::read_all(*source));
    std::string text(bytes.begin(), bytes.end());
    if (encoding == Encoding::Latin1) {
        text = latin1_to_utf8(text);
    } else if (const auto bad = invalid_utf8_at(text)) {
        return make_error(ErrorCode::Malformed, "not UTF-8 text").at(path, *bad);
    }
    return universal_newlines(std::move(text));
}

/// One row of a TSV file and its 1-based line number.
struct TsvRow {
    std::size_t line = 0;
    std::vector<std::string_view> fields;
};

/// Calls f(row) for the rows of a TSV file: the text split on "\n", empty lines dropped, each
/// line split on "\t"; the first row dropped when `header`. f returns Result<void>.
template <class F> Result<void> for_each_tsv_row(const std::string& path, bool header, F&& f) {
    DG_TRY(const std::string text, read_text(path, Encoding::Utf8));
    std::size_t line = 0;
    bool skip = header;
    for (const std::string_view l : split(text, '\n')) {
        ++line;
        if (l.empty()) {
            continue;
        }
        if (skip) {
            skip = false;
            continue;
        }
        DG_TRY_VOID(f(TsvRow{line, split(l, '\t')}));
    }
    return ok();
}

Error too_few_fields(const std::string& path, std::size_t line, std::size_t need) {
    return make_error(ErrorCode::Malformed,
                      "fewer than " + std::to_string(need) + " tab-separated fields")
        .at(path, {}, line);
}

Error not_a_number(const std::string& path, std::size_t line, std::string_view text) {
    return make_error(ErrorCode::Malformed, "not a number: '" + std::string(text) + "'")
        .at(path, {}, line);
}

/// Python's csv.reader with the default dialect (',' '"', doubled quotes, strict off) over text
/// whose lines end in "\n" (universal newlines applied).
class CsvReader {
public:
    CsvReader(std::string_view text, std::string path) : text_(text), path_(std::move(path)) {}

    /// The next record into `row`; false at the end. Errors: Malformed (a NUL byte, as Python).
    Result<bool> next(std::vector<std::string>& row) {
        row.clear();
        field_.clear();
        state_ = State::StartRecord;
        line_ = line_no_ + 1;
        do {
            if (pos_ >= text_.size()) {
                if (!field_.empty() || state_ == State::InQuotedField) {
                    row.push_back(std::move(field_));
                    return true;
                }
                return false;
            }
            const std::size_t end = text_.find('\n', pos_);
            const std::size_t stop = end == std::string_view::npos ? text_.size() : end + 1;
            const std::string_view line = text_.substr(pos_, stop - pos_);
            pos_ = stop;
            ++line_no_;
            for (const char c : line) {
                if (c == '\0') {
                    return make_error(ErrorCode::Malformed, "line contains NUL")
                        .at(path_, {}, line_no_);
                }
                process(static_cast<unsigned char>(c), row);
            }
            process(kEol, row);
        } while (state_ != State::StartRecord);
        return true;
    }

    /// Line number where the last record started.
    [[nodiscard]] std::size_t line() const { return line_; }

private:
    enum class State : std::uint8_t {
        StartRecord,
        StartField,
        InField,
        InQuotedField,
        QuoteInQuotedField,
        EatNewline
    };
    static constexpr int kEol = -2;

    void save(std::vector<std::string>& row) {
        row.push_back(std::move(field_));
        field_.clear();
    }
    void end_record(int c, std::vector<std::string>& row) {
        save(row);
        state_ = c == kEol ? State::StartRecord : State::EatNewline;
    }

    void process(int c, std::vector<std::string>& row) {
        const bool newline = c == '\n' || c == '\r';
        switch (state_) {
        case State::StartRecord:
            if (c == kEol) {
                return;
            }
            if (newline) {
                state_ = State::EatNewline;
                return;
            }
            state_ = State::StartField;
            [[fallthrough]];
        case State::StartField:
            if (newline || c == kEol) {
                end_record(c, row);
            } else if (c == '"') {
                state_ = State::InQuotedField;
            } else if (c == ',') {
                save(row);
            } else {
                field_.push_back(static_cast<char>(c));
                state_ = State::InField;
            }
            return;
        case State::InField:
            if (newline || c == kEol) {
                end_record(c, row);
            } else if (c == ',') {
                save(row);
                state_ = State::StartField;
            } else {
                field_.push_back(static_cast<char>(c));
            }
            return;
        case State::InQuotedField:
            if (c == '"') {
                state_ = State::QuoteInQuotedField;
            } else if (c != kEol) {
                field_.push_back(static_cast<char>(c));
            }
            return;
        case State::QuoteInQuotedField:
            if (c == '"') {
                field_.push_back('"');
                state_ = State::InQuotedField;
            } else if (c == ',') {
                save(row);
                state_ = State::StartField;
            } else if (newline || c == kEol) {
                end_record(c, row);
            } else {
                field_.push_back(static_cast<char>(c));
                state_ = State::InField;
            }
            return;
        case State::EatNewline:
            if (c == kEol) {
                state_ = State::StartRecord;
            }
            return; // a character after "\n" cannot occur: lines end there
        }
    }

    std::string_view text_;
    std::string path_;
    std::size_t pos_ = 0;
    std::size_t line_no_ = 0;
    std::size_t line_ = 0;
    State state_ = State::StartRecord;
    std::string field_;
};

/// Calls f(row, line) for each CSV record of a file. f returns Result<void>.
template <class F> Result<void> for_each_csv_row(const std::string& path, Encoding enc, F&& f) {
    DG_TRY(const std::string text, read_text(path, enc));
    CsvReader reader(text, path);
    std::vector<std::string> row;
    while (true) {
        DG_TRY(const bool more, reader.next(row));
        if (!more) {
            return ok();
        }
        DG_TRY_VOID(f(row, reader.line()));
    }
}

// ---------------------------------------------------------------------------------------------
// The tables of the file

constexpr std::array<char, 8> kMagic = {'D', 'G', 'H', 'N', 'D', 'I', 'C', 'T'};
constexpr std::uint32_t kVersion = 2;
constexpr std::size_t kHeaderSize = 64;
constexpr std::size_t kMaxKeyLength = 63;
constexpr std::uint32_t kValueLimit = 1U << 24;

struct PlaceRecord {
    std::int32_t lat = 0; ///< 1e-5 degrees
    std::int32_t lon = 0;
    std::uint32_t name = 0;
    std::uint32_t region = 0;
    std::array<char, 2> country{};
    PlaceKind kind = PlaceKind::City;
    std::uint8_t population = 0; ///< population ~= 1.08^code
};

using InfoRecord = std::array<std::uint32_t, 5>;

struct EntryRecord {
    std::string key;
    EntryType type = EntryType::City;
    std::uint32_t value = 0;
    auto operator<=>(const EntryRecord&) const = default;
};

/// Population on a log scale in one byte: pop ~= 1.08^code (ranking only).
std::uint8_t population_code(std::int64_t pop) {
    int code = 0;
    while (code < 255 && static_cast<double>(pop) >= std::pow(1.08, code + 1)) {
        ++code;
    }
    return static_cast<std::uint8_t>(code);
}

/// `(cc or "ZZ")[:2].upper()`, UTF-8 encoded into two bytes (zero-padded).
std::array<char, 2> country_field(std::string_view cc) {
    const std::string upper = py_upper(cc.empty() ? std::string_view("ZZ") : py_slice(cc, 0, 2));
    std::array<char, 2> out{};
    std::copy_n(upper.begin(), std::min<std::size_t>(2, upper.size()), out.begin());
    return out;
}

/// Degrees to the file's 1e-5 degree integers. Errors: Malformed (not finite, out of range).
Result<std::int32_t> fixed_degrees(double degrees) {
    const auto v = py_round(degrees * 1e5);
    if (!v || *v < std::numeric_limits<std::int32_t>::min() ||
        *v > std::numeric_limits<std::int32_t>::max()) {
        return make_error(ErrorCode::Malformed,
                          "coordinate out of range: " + std::to_string(degrees));
    }
    return static_cast<std::int32_t>(*v);
}

class Builder {
public:
    /// Offset of a length-prefixed UTF-8 string (at most 255 bytes kept).
    std::uint32_t s(std::string_view text) {
        const auto it = string_index_.find(std::string(text));
        if (it != string_index_.end()) {
            return it->second;
        }
        const auto off = static_cast<std::uint32_t>(strings_.size());
        const std::size_t n = std::min<std::size_t>(text.size(), 255);
        strings_.push_back(static_cast<char>(static_cast<unsigned char>(n)));
        strings_.append(text.substr(0, n));
        string_index_.emplace(text, off);
        return off;
    }

    Result<std::uint32_t> place(double lat, double lon, std::int64_t pop, std::string_view name,
                                std::string_view region, std::string_view cc, PlaceKind kind) {
        const std::uint8_t code = population_code(pop);
        DG_TRY(const std::int32_t la, fixed_degrees(lat));
        DG_TRY(const std::int32_t lo, fixed_degrees(lon));
        const std::uint32_t name_off = s(name);
        const std::uint32_t region_off = s(region);
        places_.push_back({la, lo, name_off, region_off, country_field(cc), kind, code});
        return static_cast<std::uint32_t>(places_.size() - 1);
    }

    std::uint32_t info(std::uint32_t a = 0, std::uint32_t b = 0, std::uint32_t c = 0,
                       std::uint32_t d = 0, std::uint32_t e = 0) {
        infos_.push_back({a, b, c, d, e});
        return static_cast<std::uint32_t>(infos_.size() - 1);
    }

    void key(std::string text, EntryType type, std::uint32_t value) {
        if (text.empty() || py_len(text) > kMaxKeyLength) {
            return;
        }
        entries_.push_back({std::move(text), type, value});
    }

    [[nodiscard]] const std::vector<PlaceRecord>& places() const { return places_; }
    std::vector<InfoRecord>& infos() { return infos_; }
    [[nodiscard]] const std::vector<EntryRecord>& entries() const { return entries_; }

    /// The file's bytes; `report` gets the counts. Errors: Malformed (beyond the format's limits).
    Result<std::string> serialize(BuildReport& report);

private:
    std::string strings_{'\0'}; ///< offset 0 = the empty string
    std::unordered_map<std::string, std::uint32_t> string_index_{{"", 0}};
    std::vector<PlaceRecord> places_;
    std::vector<InfoRecord> infos_;
    std::vector<EntryRecord> entries_;
};

void put32(std::string& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) {
        out.push_back(static_cast<char>(static_cast<unsigned char>(v >> (8 * i))));
    }
}

std::string pack_places(const std::vector<PlaceRecord>& places) {
    std::string out;
    out.reserve(places.size() * 20);
    for (const PlaceRecord& p : places) {
        put32(out, static_cast<std::uint32_t>(p.lat));
        put32(out, static_cast<std::uint32_t>(p.lon));
        put32(out, p.name);
        put32(out, p.region);
        out.append(p.country.data(), p.country.size());
        out.push_back(static_cast<char>(static_cast<std::uint8_t>(p.kind)));
        out.push_back(static_cast<char>(p.population));
    }
    return out;
}

std::string pack_infos(const std::vector<InfoRecord>& infos) {
    std::string out;
    out.reserve(infos.size() * 20);
    for (const InfoRecord& rec : infos) {
        for (const std::uint32_t v : rec) {
            put32(out, v);
        }
    }
    return out;
}

/// Open addressing at load 0.5 with linear probing: a slot holds the index + 1 of the key's first
/// entry (low 24 bits) and the hash's top 8 bits.
std::vector<std::uint32_t> hash_slots(const std::vector<EntryRecord>& entries,
                                      std::size_t& key_count) {
    std::vector<std::uint32_t> firsts;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        if (i == 0 || entries[i].key != entries[i - 1].key) {
            firsts.push_back(static_cast<std::uint32_t>(i));
        }
    }
    key_count = firsts.size();
    const std::size_t nslots = firsts.size() * 2 + 1;
    std::vector<std::uint32_t> slots(nslots, 0);
    for (const std::uint32_t first : firsts) {
        const std::uint32_t hv = fnv1a(entries[first].key);
        std::size_t h = hv % nslots;
        while (slots[h] != 0) {
            h = (h + 1) % nslots;
        }
        slots[h] = ((hv >> 24) << 24) | (first + 1);
    }
    return slots;
}

Result<std::string> Builder::serialize(BuildReport& report) {
    std::vector<EntryRecord> entries = entries_;
    std::sort(entries.begin(), entries.end());
    entries.erase(std::unique(entries.begin(), entries.end()), entries.end());
    if (entries.size() >= kValueLimit - 1) {
        return make_error(ErrorCode::Malformed, "too many dictionary entries");
    }
    std::size_t key_count = 0;
    const std::vector<std::uint32_t> slots = hash_slots(entries, key_count);
    std::string ent;
    ent.reserve(entries.size() * 8);
    for (const EntryRecord& e : entries) {
        if (e.value >= kValueLimit) {
            return make_error(ErrorCode::Malformed, "dictionary value beyond 24 bits");
        }
        put32(ent, s(e.key));
        put32(ent, (static_cast<std::uint32_t>(e.type) << 24) | e.value);
    }
    std::string sl;
    for (const std::uint32_t v : slots) {
        put32(sl, v);
    }
    const std::array<std::string, 5> sections = {pack_places(places_), pack_infos(infos_),
                                                 std::move(ent), std::move(sl), strings_};
    std::array<std::uint32_t, 5> offs{};
    std::size_t pos = kHeaderSize;
    for (std::size_t i = 0; i < sections.size(); ++i) {
        pos = (pos + 7) & ~std::size_t{7};
        offs[i] = static_cast<std::uint32_t>(pos);
        pos += sections[i].size();
    }
    std::string out(kMagic.data(), kMagic.size());
    for (const std::uint32_t v : {kVersion, 0U, static_cast<std::uint32_t>(places_.size()), offs[0],
                                  static_cast<std::uint32_t>(infos_.size()), offs[1],
                                  static_cast<std::uint32_t>(entries.size()), offs[2],
                                  static_cast<std::uint32_t>(slots.size()), offs[3], offs[4],
                                  static_cast<std::uint32_t>(strings_.size())}) {
        put32(out, v);
    }
    for (std::size_t i = 0; i < sections.size(); ++i) {
        out.resize(offs[i], '\0');
        out += sections[i];
    }
    report.bytes = out.size();
    report.places = places_.size();
    report.keys = key_count;
    report.entries = entries.size();
    return out;
}

// ---------------------------------------------------------------------------------------------
// The sources, one function each

/// IATA metropolitan-area codes (not airports, so not in OpenFlights) and BER (newer than the
/// snapshot): our own table of public facts; coordinates come from the GeoNames city named here.
struct Metro {
    std::string_view code;
    std::string_view city;
    std::string_view country;
};
constexpr std::array<Metro, 27> kMetros{{
    {"lon", "London", "GB"},
    {"nyc", "New York City", "US"},
    {"par", "Paris", "FR"},
    {"mil", "Milan", "IT"},
    {"tyo", "Tokyo", "JP"},
    {"chi", "Chicago", "US"},
    {"was", "Washington", "US"},
    {"ber", "Berlin", "DE"},
    {"rom", "Rome", "IT"},
    {"mow", "Moscow", "RU"},
    {"sto", "Stockholm", "SE"},
    {"bue", "Buenos Aires", "AR"},
    {"sao", "Sao Paulo", "BR"},
    {"rio", "Rio de Janeiro", "BR"},
    {"osa", "Osaka", "JP"},
    {"sel", "Seoul", "KR"},
    {"yto", "Toronto", "CA"},
    {"ymq", "Montreal", "CA"},
    {"bjs", "Beijing", "CN"},
    {"sha", "Shanghai", "CN"},
    {"jkt", "Jakarta", "ID"},
    {"dtt", "Detroit", "US"},
    {"qdf", "Dallas", "US"},
    {"bhz", "Belo Horizonte", "BR"},
    {"buh", "Bucharest", "RO"},
    {"ist", "Istanbul", "TR"},
    {"tci", "Santa Cruz de Tenerife", "ES"},
}};

/// GeoNames admin1 codes of Canada are numeric; CLLI-like codes use the postal abbreviation.
std::string_view canada_province(std::string_view admin1) {
    static const std::map<std::string_view, std::string_view> kProvinces = {
        {"01", "ab"}, {"02", "bc"}, {"03", "mb"}, {"04", "nb"}, {"05", "nl"},
        {"07", "ns"}, {"08", "on"}, {"09", "pe"}, {"10", "qc"}, {"11", "sk"},
        {"12", "yt"}, {"13", "nt"}, {"14", "nu"}};
    const auto it = kProvinces.find(admin1);
    return it == kProvinces.end() ? admin1 : it->second;
}

/// router_roles.tsv token -> role value of the output contract.
std::string_view normal_role(std::string_view token) {
    static const std::unordered_map<std::string_view, std::string_view> kRoles = {
        {"cr", "core"},          {"ccr", "core"},          {"rcr", "core"},
        {"core", "core"},        {"tcore", "core"},        {"bb", "backbone"},
        {"bbr", "backbone"},     {"br", "border"},         {"bdr", "border"},
        {"asbr", "border"},      {"b", "border"},          {"ebr", "edge"},
        {"edge", "edge"},        {"pe", "edge"},           {"ce", "edge"},
        {"nr", "edge"},          {"car", "access"},        {"ar", "access"},
        {"acc", "access"},       {"access", "access"},     {"a", "access"},
        {"hsa", "access"},       {"ear", "aggregation"},   {"agr", "aggregation"},
        {"agg", "aggregation"},  {"aggr", "aggregation"},  {"dist", "aggregation"},
        {"dr", "aggregation"},   {"dsr", "aggregation"},   {"mpd", "aggregation"},
        {"bar", "border"},       {"gar", "gateway"},       {"gw", "gateway"},
        {"gateway", "gateway"},  {"ra", "gateway"},        {"da", "gateway"},
        {"p", "core"},           {"r", "router"},          {"rr", "route-reflector"},
        {"csw", "switch"},       {"ic", "peering"},        {"peer", "peering"},
        {"peering", "peering"},  {"pni", "peering"},       {"ix", "peering"},
        {"ixp", "peering"},      {"link", "backbone"},     {"transit", "transit"},
        {"cust", "customer"},    {"customer", "customer"}, {"tserv", "tunnel-server"},
        {"switch", "switch"},    {"sw", "switch"},         {"fw", "firewall"},
        {"lb", "load-balancer"}, {"bng", "access"},        {"bras", "access"},
        {"bbras", "access"},     {"lns", "access"},        {"lac", "access"},
        {"mx", "platform"},      {"ptx", "platform"},      {"asr", "platform"},
        {"crs", "platform"},     {"ncs", "platform"},      {"cor", "core"},
        {"distr", "aggregation"}};
    const auto it = kRoles.find(token);
    return it == kRoles.end() ? std::string_view{} : it->second;
}

/// Interface speed column -> Mbit/s.
std::uint32_t speed_mbps(std::string_view speed) {
    static const std::map<std::string_view, double> kSpeeds = {
        {"100M", 0.1},  {"1G", 1},      {"10G", 10},     {"25G", 25},
        {"40G", 40},    {"50G", 50},    {"100G", 100},   {"200G", 200},
        {"400G", 400},  {"2.5G", 2.5},  {"622M", 0.622}, {"155M", 0.155},
        {"45M", 0.045}, {"34M", 0.034}, {"2M", 0.002},   {"1.5M", 0.0015}};
    const auto it = kSpeeds.find(speed);
    return it == kSpeeds.end() ? 0 : static_cast<std::uint32_t>(it->second * 1000);
}

/// Interface kind/canonical -> "type" value of the output contract.
std::string_view interface_type(std::string_view kind) {
    static const std::map<std::string_view, std::string_view> kTypes = {
        {"lag", "aggregated-ethernet"},
        {"ethernet", "ethernet"},
        {"sonet", "sonet"},
        {"sdh", "sdh"},
        {"serial", "serial"},
        {"pdh", "pdh"},
        {"atm", "atm"},
        {"ppp", "ppp"},
        {"frame-relay", "frame-relay"},
        {"loopback", "loopback"},
        {"tunnel", "tunnel"},
        {"vlan", "vlan"},
        {"management", "management"},
        {"overlay", "overlay"}};
    const auto it = kTypes.find(kind);
    return it == kTypes.end() ? kind : it->second;
}

using Admin1Names = std::unordered_map<std::string, std::string>;

/// GeoNames "CC.admin1" -> ASCII name.
Result<Admin1Names> read_admin1(const std::string& path) {
    Admin1Names names;
    DG_TRY_VOID(for_each_tsv_row(path, false, [&](const TsvRow& row) -> Result<void> {
        if (row.fields.size() >= 3) {
            names[std::string(row.fields[0])] = std::string(row.fields[2]);
        }
        return ok();
    }));
    return names;
}

/// A city in a CLLI-like region list: sorted by (-population, alpha_key(name), place).
struct RegionItem {
    std::int64_t neg_pop = 0;
    std::string name_key;
    std::uint32_t place = 0;
    auto operator<=>(const RegionItem&) const = default;
};

/// What the later sections need from the cities.
struct Cities {
    /// (lower-case name, country) -> (population, place) of the most populous such city.
    std::map<std::pair<std::string, std::string>, std::pair<std::int64_t, std::uint32_t>> by_name;
    std::vector<std::int64_t> population; ///< by place index (cities are the first places)
    /// One list per region and first letter ("usca/s", "@nl/a").
    std::map<std::string, std::vector<RegionItem>> by_letter;
};

std::string city_region(std::string_view cc, std::string_view adm1, const Admin1Names& admin1) {
    if (cc == "US") {
        return std::string(adm1); // postal code already
    }
    if (cc == "CA") {
        return py_upper(canada_province(adm1));
    }
    const auto it = admin1.find(std::string(cc) + "." + std::string(adm1));
    return it == admin1.end() ? std::string(adm1) : it->second;
}

/// A GeoNames alternate name usable as a key: letters (and " -'.") only, 5-16 ASCII letters.
bool usable_alternate(std::string_view alt, const std::string& key) {
    return key.size() >= 5 && key.size() <= 16 && all_code_points(alt, [](char32_t c) {
               return py_isalpha(c) || c == ' ' || c == '-' || c == '\'' || c == '.';
           });
}

void note_city(Cities& cities, std::string_view ascii_name, std::string_view cc,
               std::string_view region, std::int64_t pop, std::uint32_t idx) {
    const auto [it, fresh] =
        cities.by_name.try_emplace({py_lower(ascii_name), std::string(cc)}, pop, idx);
    if (!fresh && it->second.first < pop) {
        it->second = {pop, idx};
    }
    const std::string name_key = alpha_key(ascii_name);
    const std::string letter = name_key.substr(0, std::min<std::size_t>(1, name_key.size()));
    if (cc == "US" || cc == "CA") {
        cities.by_letter[py_lower(cc) + py_lower(region) + "/" + letter].push_back(
            {-pop, name_key, idx});
    }
    if (pop >= 20000) { // per country, for CLLI-like codes of the shape city+country ("amstnl")
        cities.by_letter["@" + py_lower(cc) + "/" + letter].push_back({-pop, name_key, idx});
    }
}

/// GeoNames cities >= 5,000 (and the PPLA seats below that, which GeoNames lists too).
Result<Cities> add_cities(Builder& b, const std::string& path, const Admin1Names& admin1) {
    Cities cities;
    DG_TRY_VOID(for_each_tsv_row(path, true, [&](const TsvRow& row) -> Result<void> {
        const auto& f = row.fields;
        if (f.size() < 11) {
            return ok();
        }
        const std::string_view ascii_name = f[2];
        const std::string_view cc = f[7];
        const auto pop = f[9].empty() ? std::optional<std::int64_t>(0) : py_int(f[9]);
        const auto lat = py_float(f[4]);
        const auto lon = py_float(f[5]);
        if (!pop || !lat || !lon) {
            return not_a_number(path, row.line, !pop ? f[9] : !lat ? f[4] : f[5]);
        }
        const std::string region = city_region(cc, f[8], admin1);
        auto idx = b.place(*lat, *lon, *pop, ascii_name, region, cc, PlaceKind::City);
        if (!idx) {
            return idx.error().at(path, {}, row.line);
        }
        cities.population.resize(*idx + 1, 0);
        cities.population[*idx] = *pop;
        b.key(alpha_key(ascii_name), EntryType::City, *idx);
        if (*pop >= 300000) {
            for (const std::string_view alt : split(f[3], ',')) {
                std::string k = alpha_key(alt);
                if (usable_alternate(alt, k)) {
                    b.key(std::move(k), EntryType::CityAlt, *idx);
                }
            }
        }
        note_city(cities, ascii_name, cc, region, *pop, *idx);
        return ok();
    }));
    return cities;
}

/// CLLI-like detection: per US state / Canadian province ("usca/s") and per country ("@nl/a"),
/// its cities whose name starts with that letter, by population. A Region entry's info holds
/// (first, count) of info records that hold one place each.
void add_regions(Builder& b, Cities& cities) {
    std::vector<std::uint32_t> region_index;
    for (auto& [reg, items] : cities.by_letter) {
        std::sort(items.begin(), items.end());
        const auto start = static_cast<std::uint32_t>(region_index.size());
        for (const RegionItem& item : items) {
            region_index.push_back(item.place);
        }
        b.key(reg, EntryType::Region, b.info(start, static_cast<std::uint32_t>(items.size())));
    }
    const auto base = static_cast<std::uint32_t>(b.infos().size());
    for (const std::uint32_t place : region_index) {
        b.info(place);
    }
    for (const EntryRecord& e : b.entries()) {
        if (e.type == EntryType::Region) {
            InfoRecord& rec = b.infos()[e.value];
            rec = {base + rec[0], rec[1], 0, 0, 0};
        }
    }
}

/// The cities by 1-degree cell, to find an airport's metro.
class CityGrid {
public:
    CityGrid(const std::vector<PlaceRecord>& places, const std::vector<std::int64_t>& population)
        : places_(places), population_(population) {
        for (std::size_t i = 0; i < places.size(); ++i) {
            cells_[{floor_div(places[i].lat, 100000), floor_div(places[i].lon, 100000)}].push_back(
                static_cast<std::uint32_t>(i));
        }
    }

    /// The population of the largest city within 30 km (its metro). Errors: Malformed.
    Result<std::int64_t> metro_population(double lat, double lon) const {
        if (!std::isfinite(lat * 1e5) || !std::isfinite(lon * 1e5) || std::fabs(lat * 1e5) > 9e18 ||
            std::fabs(lon * 1e5) > 9e18) {
            return make_error(ErrorCode::Malformed, "coordinate out of range");
        }
        const std::int64_t la = floor_div(static_cast<std::int64_t>(lat * 1e5), 100000);
        const std::int64_t lo = floor_div(static_cast<std::int64_t>(lon * 1e5), 100000);
        std::int64_t best = 0;
        for (std::int64_t dy = -1; dy <= 1; ++dy) {
            for (std::int64_t dx = -1; dx <= 1; ++dx) {
                const auto it = cells_.find({la + dy, lo + dx});
                if (it != cells_.end()) {
                    best = std::max(best, best_in_cell(it->second, lat, lon));
                }
            }
        }
        return best;
    }

private:
    [[nodiscard]] std::int64_t best_in_cell(const std::vector<std::uint32_t>& cell, double lat,
                                            double lon) const {
        std::int64_t best = 0;
        for (const std::uint32_t i : cell) {
            const PlaceRecord& p = places_[i];
            if (p.kind != PlaceKind::City) {
                continue;
            }
            const double plat = static_cast<double>(p.lat) / 1e5;
            const double plon = static_cast<double>(p.lon) / 1e5;
            const double dy_km = (plat - lat) * 111.2;
            const double dx_km = (plon - lon) * 111.2 * std::cos(lat * (std::numbers::pi / 180.0));
            if (dx_km * dx_km + dy_km * dy_km <= 900) {
                best = std::max(best, population_[i]);
            }
        }
        return best;
    }

    const std::vector<PlaceRecord>& places_;
    const std::vector<std::int64_t>& population_;
    std::map<std::pair<std::int64_t, std::int64_t>, std::vector<std::uint32_t>> cells_;
};

/// iata_codes.tsv: IATA and ICAO codes. An airport's population is that of its metro: the
/// decoder trusts codes of big metros more.
Result<void> add_iata_airports(Builder& b, const std::string& path, const CityGrid& grid) {
    return for_each_tsv_row(path, true, [&](const TsvRow& row) -> Result<void> {
        const auto& f = row.fields;
        if (f.size() < 8) {
            return too_few_fields(path, row.line, 8);
        }
        const auto lat = py_float(f[6]);
        const auto lon = py_float(f[7]);
        if (!lat || !lon) {
            return not_a_number(path, row.line, !lat ? f[6] : f[7]);
        }
        auto pop = grid.metro_population(*lat, *lon);
        if (!pop) {
            return pop.error().at(path, {}, row.line);
        }
        auto idx =
            b.place(*lat, *lon, *pop, f[3].empty() ? f[2] : f[3], f[2], f[4], PlaceKind::Airport);
        if (!idx) {
            return idx.error().at(path, {}, row.line);
        }
        b.key(py_lower(f[0]), EntryType::Iata, *idx);
        if (py_len(f[1]) == 4 && py_isalpha(f[1])) {
            b.key(py_lower(f[1]), EntryType::Icao, *idx);
        }
        return ok();
    });
}

/// OpenFlights airports without an IATA code (those with one came through iata_codes.tsv).
Result<void> add_icao_airports(Builder& b, const std::string& path) {
    return for_each_csv_row(
        path, Encoding::Utf8,
        [&](const std::vector<std::string>& row, std::size_t line) -> Result<void> {
            if (row.size() < 8 || row[4] != "\\N" || py_len(row[5]) != 4 || !py_isalpha(row[5])) {
                return ok();
            }
            const auto lat = py_float(row[6]);
            const auto lon = py_float(row[7]);
            if (!lat || !lon) {
                return ok();
            }
            auto idx = b.place(*lat, *lon, 0, row[2].empty() ? row[1] : row[2], row[1], "ZZ",
                               PlaceKind::Airport);
            if (!idx) {
                return idx.error().at(path, {}, line);
            }
            b.key(py_lower(row[5]), EntryType::Icao, *idx);
            return ok();
        });
}

/// The metropolitan codes, placed on their GeoNames city. Errors: Malformed (city missing).
Result<void> add_metros(Builder& b, const Cities& cities) {
    std::array<Metro, kMetros.size()> metros = kMetros;
    std::sort(metros.begin(), metros.end(),
              [](const Metro& x, const Metro& y) { return x.code < y.code; });
    for (const Metro& m : metros) {
        const auto it = cities.by_name.find({py_lower(m.city), std::string(m.country)});
        if (it == cities.by_name.end()) {
            return make_error(ErrorCode::Malformed,
                              "metro " + std::string(m.code) + ": no GeoNames city " +
                                  std::string(m.city) + ", " + std::string(m.country));
        }
        const PlaceRecord p = b.places()[it->second.second];
        DG_TRY(const std::uint32_t idx,
               b.place(static_cast<double>(p.lat) / 1e5, static_cast<double>(p.lon) / 1e5,
                       p.population, m.city, "", m.country, PlaceKind::Metro));
        b.key(std::string(m.code), EntryType::Metro, idx);
    }
    return ok();
}

/// One UN/LOCODE coordinate, "DDMMN" or "DDDMMW": `digits` of degrees, then minutes, then the
/// hemisphere letter that makes it negative.
std::optional<double> locode_degrees(std::string_view text, std::size_t digits, char negative) {
    const auto deg = py_int(py_slice(text, 0, digits));
    const auto min = py_int(py_slice(text, digits, digits + 2));
    if (!deg || !min || py_len(text) <= digits + 2) {
        return std::nullopt;
    }
    const double v = static_cast<double>(*deg) + static_cast<double>(*min) / 60.0;
    return py_slice(text, digits + 2, digits + 3) == std::string_view(&negative, 1) ? -v : v;
}

/// UN/LOCODE (5 letters: country + location), only rows with coordinates.
Result<void> add_locodes(Builder& b, const std::string& path) {
    return for_each_csv_row(
        path, Encoding::Latin1,
        [&](const std::vector<std::string>& row, std::size_t line) -> Result<void> {
            if (row.size() < 11 || row[2].empty() || row[10].empty()) {
                return ok();
            }
            const auto parts = py_split(py_strip(row[10]));
            if (parts.size() != 2) {
                return ok();
            }
            const auto lat = locode_degrees(parts[0], 2, 'S');
            const auto lon = locode_degrees(parts[1], 3, 'W');
            std::string code = py_lower(row[1] + row[2]);
            if (!lat || !lon || py_len(code) != 5 || !py_isalnum(code)) {
                return ok();
            }
            auto idx = b.place(*lat, *lon, 0, row[4].empty() ? row[3] : row[4], row[5], row[1],
                               PlaceKind::Locode);
            if (!idx) {
                return idx.error().at(path, {}, line);
            }
            b.key(std::move(code), EntryType::Locode, *idx);
            return ok();
        });
}

/// ISO 3166 countries (alpha-2 and alpha-3 keys; no coordinates: the kind tells).
Result<void> add_countries(Builder& b, const std::string& path) {
    return for_each_tsv_row(path, true, [&](const TsvRow& row) -> Result<void> {
        const auto& f = row.fields;
        if (f.size() < 4) {
            return too_few_fields(path, row.line, 4);
        }
        DG_TRY(const std::uint32_t idx, b.place(0, 0, 0, f[3], "", f[0], PlaceKind::Country));
        b.key(py_lower(f[0]), EntryType::Country, idx);
        b.key(py_lower(f[1]), EntryType::Country, idx);
        return ok();
    });
}

/// US states (code and name keys).
Result<void> add_us_states(Builder& b, const std::string& path) {
    return for_each_tsv_row(path, true, [&](const TsvRow& row) -> Result<void> {
        const auto& f = row.fields;
        if (f.size() < 4) {
            return too_few_fields(path, row.line, 4);
        }
        DG_TRY(const std::uint32_t idx, b.place(0, 0, 0, f[3], f[0], "US", PlaceKind::State));
        b.key(py_lower(f[0]), EntryType::State, idx);
        b.key(alpha_key(f[3]), EntryType::State, idx);
        return ok();
    });
}

/// English words: lower-case ASCII letters only, >= 3 letters.
Result<void> add_words(Builder& b, const std::string& path) {
    DG_TRY(const std::string text, read_text(path, Encoding::Utf8));
    for (const std::string_view w : split(text, '\n')) {
        if (w.size() >= 3 &&
            std::all_of(w.begin(), w.end(), [](char c) { return c >= 'a' && c <= 'z'; })) {
            b.key(std::string(w), EntryType::Word, 0);
        }
    }
    return ok();
}

/// Interface vocabulary: info = (canonical, family, type, speed in Mbit/s, 0).
Result<void> add_interfaces(Builder& b, const std::string& path) {
    return for_each_tsv_row(path, true, [&](const TsvRow& row) -> Result<void> {
        const auto& f = row.fields;
        if (f.size() < 5) {
            return too_few_fields(path, row.line, 5);
        }
        const std::string_view tok = f[0];
        const std::string_view canon = f[1];
        const std::string_view family = split(f[2], ',')[0];
        std::string_view type = interface_type(f[3]);
        const bool sonet_bundle = tok == "as" || tok == "bp";
        if (canon == "SONET" || canon == "POS" || sonet_bundle) {
            type = sonet_bundle ? "aggregated-sonet" : "sonet";
        }
        const std::uint32_t mbps = speed_mbps(f[4]);
        const auto info = [&] { // strings in the order the file's string pool expects
            const std::uint32_t c = b.s(canon);
            const std::uint32_t fam = b.s(family);
            return b.info(c, fam, b.s(type), mbps);
        };
        b.key(tok == "eth-trunk" ? std::string("ethtrunk") : alpha_key(tok), EntryType::Interface,
              info());
        if (!py_isalpha(tok)) {
            b.key(py_lower(tok), EntryType::Interface, info());
        }
        return ok();
    });
}

/// Role vocabulary: info = (meaning, class, role), plus tokens seen in operator conventions
/// (our reading, documented in docs/cli/hostnames.md).
Result<void> add_roles(Builder& b, const std::string& path) {
    std::vector<std::array<std::string, 3>> rows;
    DG_TRY_VOID(for_each_tsv_row(path, true, [&](const TsvRow& row) -> Result<void> {
        if (row.fields.size() < 3) {
            return too_few_fields(path, row.line, 3);
        }
        rows.push_back(
            {std::string(row.fields[0]), std::string(row.fields[1]), std::string(row.fields[2])});
        return ok();
    }));
    rows.push_back({"tcore", "core router (Tata)", "router-role"});
    rows.push_back({"cor", "core router", "router-role"});
    rows.push_back({"distr", "distribution", "router-role"});
    for (const auto& [tok, meaning, cls] : rows) {
        const std::uint32_t m = b.s(meaning);
        const std::uint32_t c = b.s(cls);
        b.key(py_lower(tok), EntryType::Role, b.info(m, c, b.s(normal_role(tok))));
    }
    return ok();
}

/// A non-ASCII rule label by IDNA (Python's "idna" codec is IDNA 2003; libidn2's UTS #46
/// transitional processing gives the same ASCII for every label of the PSL, and for symbols and
/// emoji too). As IDNA 2003's ToASCII, an empty or longer than 63 result is refused.
std::optional<std::string> idna_label(std::string_view label) {
    char* out = nullptr;
    const int rc = idn2_to_ascii_8z(std::string(label).c_str(), &out, IDN2_TRANSITIONAL);
    if (rc != IDN2_OK || out == nullptr) {
        return std::nullopt;
    }
    std::string ascii(out);
    idn2_free(out);
    if (ascii.empty() || ascii.size() > kMaxKeyLength) {
        return std::nullopt;
    }
    return ascii;
}

/// A PSL rule with its non-ASCII labels in their ASCII form; nullopt when one cannot be encoded.
std::optional<std::string> ascii_rule(const std::string& rule) {
    if (is_ascii(rule)) {
        return rule;
    }
    std::string out;
    bool first = true;
    for (const std::string_view label : split(rule, '.')) {
        if (!first) {
            out += '.';
        }
        first = false;
        if (is_ascii(label)) {
            out += label;
        } else if (const auto ascii = idna_label(label)) {
            out += *ascii;
        } else {
            return std::nullopt;
        }
    }
    return out;
}

/// Public Suffix List rules (ICANN and private sections).
Result<void> add_psl(Builder& b, const std::string& path, std::vector<std::string>& warnings) {
    DG_TRY(const std::string text, read_text(path, Encoding::Utf8));
    for (const std::string_view raw : split(text, '\n')) {
        const std::string_view line = py_strip(raw);
        if (line.empty() || line.starts_with("//")) {
            continue;
        }
        const std::string lowered = py_lower(py_split(line)[0]);
        // The marker is taken off before encoding (the script encoded "!ü..." into a Psl rule
        // "xn--!...": no such rule exists in the list, the port gives the exception it means).
        const EntryType type = lowered.starts_with('!')    ? EntryType::PslException
                               : lowered.starts_with("*.") ? EntryType::PslWildcard
                                                           : EntryType::Psl;
        const std::size_t marker = type == EntryType::PslException  ? 1
                                   : type == EntryType::PslWildcard ? 2
                                                                    : 0;
        const auto rule = ascii_rule(lowered.substr(marker));
        if (!rule) {
            warnings.push_back("Public Suffix List rule '" + lowered +
                               "' left out: a label has no IDNA form");
            continue;
        }
        b.key(*rule, type, 0);
    }
    return ok();
}

/// The places and keys of every source, in the order that decides the file's bytes.
Result<void> add_sources(Builder& b, const DictionarySources& src, BuildReport& report) {
    DG_TRY(const Admin1Names admin1, read_admin1(src.admin1));
    DG_TRY(Cities cities, add_cities(b, src.cities, admin1));
    add_regions(b, cities);
    const CityGrid grid(b.places(), cities.population);
    DG_TRY_VOID(add_iata_airports(b, src.iata, grid));
    DG_TRY_VOID(add_icao_airports(b, src.openflights));
    DG_TRY_VOID(add_metros(b, cities));
    for (const std::string* part : {&src.locode1, &src.locode2, &src.locode3}) {
        DG_TRY_VOID(add_locodes(b, *part));
    }
    DG_TRY_VOID(add_countries(b, src.countries));
    DG_TRY_VOID(add_us_states(b, src.us_states));
    DG_TRY_VOID(add_words(b, src.words));
    DG_TRY_VOID(add_interfaces(b, src.interfaces));
    DG_TRY_VOID(add_roles(b, src.roles));
    return add_psl(b, src.psl, report.warnings);
}

void put32_le(std::string& out, unsigned long v) {
    put32(out, static_cast<std::uint32_t>(v & 0xFFFFFFFFUL));
}

/// gzip as Python's GzipFile(mtime=0, filename="", compresslevel=9) writes it: the same bytes
/// give the same file. Errors: Internal (zlib).
Result<std::string> gzip_reproducible(std::string_view data) {
    if (data.size() > std::numeric_limits<uInt>::max()) {
        return make_error(ErrorCode::ResourceExhausted, "dictionary too large to compress");
    }
    z_stream zs{};
    if (deflateInit2(&zs, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        return make_error(ErrorCode::Internal, "zlib deflateInit2 failed");
    }
    std::string out("\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff", 10);
    const std::size_t header = out.size();
    out.resize(header + deflateBound(&zs, static_cast<uLong>(data.size())) + 64);
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-const-cast): zlib's API is not const-correct
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + header);
    zs.avail_out = static_cast<uInt>(out.size() - header);
    const int r1 = deflate(&zs, Z_NO_FLUSH); // as Python: compress(), then flush()
    const int r2 = deflate(&zs, Z_FINISH);
    const std::size_t written = zs.total_out;
    deflateEnd(&zs);
    if (r1 != Z_OK || r2 != Z_STREAM_END) {
        return make_error(ErrorCode::Internal, "zlib deflate failed");
    }
    out.resize(header + written);
    const auto* bytes = reinterpret_cast<const Bytef*>(data.data());
    put32_le(out, crc32(crc32(0L, Z_NULL, 0), bytes, static_cast<uInt>(data.size())));
    put32_le(out, data.size());
    return out;
}

// ---------------------------------------------------------------------------------------------
// Finding the sources

struct SourceFile {
    std::string_view rel; ///< path in a shared/data/ptr-like directory
    std::string DictionarySources::*field;
    std::string_view alias; ///< the name as downloaded, when it differs
};

constexpr std::array<SourceFile, 12> kSourceFiles{{
    {"geonames/cities5000_ascii.tsv.gz", &DictionarySources::cities, ""},
    {"geonames/admin1CodesASCII.txt", &DictionarySources::admin1, ""},
    {"airports/iata_codes.tsv", &DictionarySources::iata, ""},
    {"airports/openflights_airports.dat", &DictionarySources::openflights, "airports.dat"},
    {"locode/locodePart1.csv.gz", &DictionarySources::locode1, ""},
    {"locode/locodePart2.csv.gz", &DictionarySources::locode2, ""},
    {"locode/locodePart3.csv.gz", &DictionarySources::locode3, ""},
    {"iso/iso3166-1.tsv", &DictionarySources::countries, ""},
    {"iso/us_states.tsv", &DictionarySources::us_states, ""},
    {"words/american-english.gz", &DictionarySources::words, "american-english"},
    {"naming/interface_types.tsv", &DictionarySources::interfaces, ""},
    {"naming/router_roles.tsv", &DictionarySources::roles, ""},
}};

std::string_view base_name(std::string_view rel) {
    return rel.substr(rel.rfind('/') + 1);
}

/// The source a file stands for by its base name (also without ".gz", or as downloaded).
const SourceFile* source_named(std::string_view name) {
    for (const SourceFile& f : kSourceFiles) {
        const std::string_view base = base_name(f.rel);
        if (name == base || name == f.alias ||
            (base.ends_with(".gz") && name == base.substr(0, base.size() - 3))) {
            return &f;
        }
    }
    return nullptr;
}

std::string known_names() {
    std::string names;
    for (const SourceFile& f : kSourceFiles) {
        names += (names.empty() ? "" : ", ") + std::string(base_name(f.rel));
    }
    return names;
}

/// Takes the source files a directory holds. Errors: InvalidArgument (it holds none).
Result<void> take_directory(const std::string& dir, DictionarySources& out) {
    bool any = false;
    for (const SourceFile& f : kSourceFiles) {
        std::string path = dir + "/" + std::string(f.rel);
        std::error_code ec;
        if (std::filesystem::exists(path, ec)) {
            out.*f.field = std::move(path);
            any = true;
        }
    }
    if (!any) {
        return make_error(ErrorCode::InvalidArgument,
                          "holds none of the source files (a directory must be laid out as "
                          "geonames/, airports/, locode/, iso/, words/, naming/, e.g. " +
                              dir + "/" + std::string(kSourceFiles[0].rel) + ")")
            .at(dir);
    }
    return ok();
}

/// Takes one source file by its base name. Errors: InvalidArgument (unknown name).
Result<void> take_file(const std::string& path, DictionarySources& out) {
    const std::string name = std::filesystem::path(path).filename().string();
    const SourceFile* f = source_named(name);
    if (f == nullptr) {
        return make_error(ErrorCode::InvalidArgument,
                          "not a dictionary source file name (expected one of: " + known_names() +
                              ")")
            .at(path);
    }
    out.*f->field = path;
    return ok();
}

/// "missing source A (looked in: X)" / "missing sources: A, B (looked in: X, Y)".
std::string missing_message(const std::vector<std::string>& missing,
                            const std::vector<std::string>& srcs) {
    std::string text = missing.size() == 1 ? "missing source " : "missing sources: ";
    for (std::size_t i = 0; i < missing.size(); ++i) {
        text += (i == 0 ? "" : ", ") + missing[i];
    }
    text += " (looked in: ";
    for (std::size_t i = 0; i < srcs.size(); ++i) {
        text += (i == 0 ? "" : ", ") + srcs[i];
    }
    return text + ")";
}

} // namespace

Result<DictionarySources> resolve_dictionary_sources(const std::vector<std::string>& srcs,
                                                     const std::string& psl) {
    if (srcs.empty()) {
        return make_error(ErrorCode::InvalidArgument,
                          "no sources given: name a directory laid out as geonames/, airports/, "
                          "locode/, iso/, words/, naming/ (shared/data/ptr/ of the project) or "
                          "the source files themselves (" +
                              known_names() + ")");
    }
    DictionarySources out;
    for (const std::string& src : srcs) {
        std::error_code ec;
        if (std::filesystem::is_directory(src, ec)) {
            DG_TRY_VOID(take_directory(src, out));
        } else if (std::filesystem::exists(src, ec)) {
            DG_TRY_VOID(take_file(src, out));
        } else {
            return make_error(ErrorCode::NotFound, "no such file or directory").at(src);
        }
    }
    std::vector<std::string> missing;
    for (const SourceFile& f : kSourceFiles) {
        if ((out.*f.field).empty()) {
            missing.emplace_back(f.rel);
        }
    }
    out.psl = psl;
    std::error_code ec;
    if (!std::filesystem::exists(psl, ec)) {
        missing.push_back(psl +
                          " (the Public Suffix List: Debian package publicsuffix, or --psl FILE)");
    }
    if (!missing.empty()) {
        return make_error(ErrorCode::NotFound, missing_message(missing, srcs));
    }
    return out;
}

Result<BuildReport> build_dictionary(const DictionarySources& sources, const std::string& output) {
    BuildReport report;
    Builder b;
    DG_TRY_VOID(add_sources(b, sources, report));
    DG_TRY(std::string bytes, b.serialize(report));
    if (output.ends_with(".gz")) {
        DG_TRY(bytes, gzip_reproducible(bytes));
    }
    DG_TRY_VOID(write_output_file(output, bytes));
    return report;
}

} // namespace dg::hostnames
