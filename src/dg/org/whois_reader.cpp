// Streaming RPSL / ARIN-bulk lexer (see whois_reader.hpp for the grammar and the error policy).
#include "dg/org/whois_reader.hpp"

#include "dg/org/limits.hpp"

#include <algorithm>
#include <cstring>

namespace dg::org::whois {
namespace {

constexpr std::size_t kInitialBuffer = std::size_t{1} << 20;
constexpr std::size_t kReadChunk = std::size_t{256} << 10;

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r';
}

bool valid_name_char(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '/' || c == '*' || c == '.';
}

/// Length of the valid UTF-8 sequence at `p` (of `n` bytes), 0 when invalid.
std::size_t utf8_sequence(const unsigned char* p, std::size_t n) {
    const unsigned char c = p[0];
    std::size_t len = 0;
    if (c < 0x80) {
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
    } else {
        return 0;
    }
    if (len > n) {
        return 0;
    }
    for (std::size_t i = 1; i < len; ++i) {
        if ((p[i] & 0xC0) != 0x80) {
            return 0;
        }
    }
    return len;
}

bool valid_utf8(std::string_view s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    std::size_t i = 0;
    while (i < s.size()) {
        const std::size_t len = utf8_sequence(p + i, s.size() - i);
        if (len == 0) {
            return false;
        }
        i += len;
    }
    return true;
}

bool has_high_bytes(const char* p, std::size_t n) {
    unsigned char acc = 0;
    for (std::size_t i = 0; i < n; ++i) {
        acc = static_cast<unsigned char>(acc | static_cast<unsigned char>(p[i]));
    }
    return (acc & 0x80) != 0;
}

void append_latin1(std::string& out, std::string_view s) {
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x80) {
            out.push_back(ch);
        } else {
            out.push_back(static_cast<char>(0xC0 | (c >> 6)));
            out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        }
    }
}

} // namespace

std::string_view Object::first(std::string_view name) const {
    for (const Attribute& a : attributes) {
        if (a.name == name) {
            return a.value;
        }
    }
    return {};
}

struct Reader::Impl {
    /// Offsets are relative to obj_start_ so that compaction can move the object.
    struct Span {
        std::uint32_t name_off = 0;
        std::uint32_t name_len = 0;
        std::uint32_t value_off = 0;
        std::uint32_t value_len = 0;
        bool in_scratch = false;
    };
    struct Line {
        std::size_t begin = 0; ///< absolute offset in buf_
        std::size_t size = 0;
    };

    std::unique_ptr<io::ByteSource> source;
    ReaderOptions options;
    ReadReport report;
    std::vector<char> buf = std::vector<char>(kInitialBuffer);
    std::size_t end = 0;       ///< bytes valid in buf
    std::size_t pos = 0;       ///< next unread byte
    std::size_t obj_start = 0; ///< first byte of the current object (== pos outside objects)
    bool eof = false;
    bool first_fill = true;
    bool skipped_line = false; ///< the last line was over the limit (its content dropped)
    std::uint64_t line_no = 0;

    // The object being assembled.
    std::vector<Span> spans;
    std::string scratch;
    std::string decoded;
    bool bad = false;
    std::string bad_reason;
    std::uint64_t bad_line = 0;
    Object object;

    Error stream_error(ErrorCode code, std::string message) const {
        Error e = make_error(code, std::move(message));
        e.source = report.source;
        e.line = line_no;
        return e;
    }

    void mark_bad(std::string reason, std::uint64_t at_line = 0) {
        if (!bad) {
            bad = true;
            bad_reason = std::move(reason);
            bad_line = at_line != 0 ? at_line : line_no;
        }
    }

    /// Makes room and reads more bytes. Returns false at the end of input.
    Result<bool> fill(bool in_object) {
        if (eof) {
            return false;
        }
        // Bytes before `keep` are no longer needed. A broken object's bytes are not kept.
        const std::size_t keep = (in_object && !bad) ? obj_start : pos;
        if (keep > 0) {
            std::memmove(buf.data(), buf.data() + keep, end - keep);
            end -= keep;
            pos -= keep;
            obj_start = obj_start >= keep ? obj_start - keep : 0;
        }
        if (end - pos > kMaxWhoisLineBytes) {
            // The current line is too long: drop what we have of it and skip to its end.
            mark_bad("line longer than " + std::to_string(kMaxWhoisLineBytes) + " bytes",
                     line_no + 1);
            skipped_line = true;
            return skip_long_line();
        }
        if (in_object && !bad && end > kMaxWhoisObjectBytes) {
            mark_bad("object larger than " + std::to_string(kMaxWhoisObjectBytes) + " bytes",
                     line_no + 1);
            std::memmove(buf.data(), buf.data() + pos, end - pos);
            end -= pos;
            pos = 0;
            obj_start = 0;
        }
        if (buf.size() - end < kReadChunk / 2) {
            buf.resize(std::max(buf.size() * 2, end + kReadChunk));
        }
        auto got = source->read(std::span<std::uint8_t>(
            reinterpret_cast<std::uint8_t*>(buf.data() + end), buf.size() - end));
        if (!got) {
            Error e = got.error();
            e.source = report.source;
            e.line = line_no + 1;
            e.message = "reading stopped: " + e.message;
            return e;
        }
        if (first_fill && end + *got >= 4) {
            first_fill = false;
            if (std::memcmp(buf.data(), "PK\x03\x04", 4) == 0) {
                return stream_error(ErrorCode::Unsupported,
                                    "a zip archive (ARIN's bulk dump?): extract arin_db.txt and "
                                    "pass that file");
            }
        }
        if (*got == 0) {
            eof = true;
            return false;
        }
        end += *got;
        report.bytes += *got;
        return true;
    }

    /// Discards the rest of an over-long line (the '\n' is left to be read).
    Result<bool> skip_long_line() {
        while (true) {
            const void* nl = std::memchr(buf.data() + pos, '\n', end - pos);
            if (nl != nullptr) {
                pos = static_cast<std::size_t>(static_cast<const char*>(nl) - buf.data());
                return true;
            }
            pos = end = obj_start = 0;
            auto got = source->read(
                std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(buf.data()), buf.size()));
            if (!got) {
                Error e = got.error();
                e.source = report.source;
                e.line = line_no + 1;
                return e;
            }
            if (*got == 0) {
                eof = true;
                return false;
            }
            end = *got;
            report.bytes += *got;
        }
    }

    /// The next line (without '\n' and trailing '\r'); false at the end of input.
    Result<bool> next_line(Line& out, bool in_object) {
        while (true) {
            const void* nl = std::memchr(buf.data() + pos, '\n', end - pos);
            if (nl != nullptr) {
                const auto at = static_cast<std::size_t>(static_cast<const char*>(nl) - buf.data());
                out.begin = pos;
                out.size = at - pos;
                pos = at + 1;
                break;
            }
            DG_TRY(const bool more, fill(in_object));
            if (!more) {
                if (pos >= end) {
                    return false;
                }
                out.begin = pos;
                out.size = end - pos;
                pos = end;
                break;
            }
        }
        ++line_no;
        ++report.lines;
        if (out.size > kMaxWhoisLineBytes) {
            mark_bad("line longer than " + std::to_string(kMaxWhoisLineBytes) + " bytes");
            skipped_line = true;
        }
        while (out.size > 0 && buf[out.begin + out.size - 1] == '\r') {
            --out.size;
        }
        return true;
    }

    void record_error() {
        ++report.record_errors;
        if (report.warnings.size() < kMaxWarningsKept) {
            Error e = make_error(ErrorCode::Malformed, bad_reason + " (object skipped)");
            e.source = report.source;
            e.line = bad_line;
            report.warnings.push_back(std::move(e));
        }
    }

    void reset_object() {
        spans.clear();
        scratch.clear();
        bad = false;
        bad_reason.clear();
        object.attributes.clear();
        object.line = 0;
    }

    /// Handles one line of an object. `line` is absolute in buf.
    void add_line(const Line& line) {
        const char* p = buf.data() + line.begin;
        if (std::memchr(p, '\0', line.size) != nullptr) {
            mark_bad("NUL byte in line");
            return;
        }
        if (bad) {
            return;
        }
        const char first = p[0];
        if (first == ' ' || first == '\t' || first == '+') {
            if (spans.empty()) {
                mark_bad("continuation line before any attribute");
                return;
            }
            std::size_t b = 1;
            std::size_t e = line.size;
            while (b < e && is_blank(p[b])) {
                ++b;
            }
            while (e > b && is_blank(p[e - 1])) {
                --e;
            }
            Span& s = spans.back();
            if (!s.in_scratch) {
                const std::size_t at = scratch.size();
                scratch.append(buf.data() + obj_start + s.value_off, s.value_len);
                s.in_scratch = true;
                s.value_off = static_cast<std::uint32_t>(at);
            }
            if (e > b) {
                if (s.value_len > 0) {
                    scratch.push_back(' ');
                }
                scratch.append(p + b, e - b);
            }
            s.value_len = static_cast<std::uint32_t>(scratch.size() - s.value_off);
            return;
        }
        const void* colon = std::memchr(p, ':', std::min(line.size, kMaxWhoisNameBytes + 1));
        if (colon == nullptr) {
            mark_bad(line.size > kMaxWhoisNameBytes ? "no 'name:' at the start of the line"
                                                    : "line without ':'");
            return;
        }
        const auto name_len = static_cast<std::size_t>(static_cast<const char*>(colon) - p);
        if (name_len == 0) {
            mark_bad("attribute without a name");
            return;
        }
        char* name = buf.data() + line.begin;
        for (std::size_t i = 0; i < name_len; ++i) {
            const auto c = static_cast<unsigned char>(name[i]);
            if (!valid_name_char(c)) {
                mark_bad("invalid character in attribute name");
                return;
            }
            if (c >= 'A' && c <= 'Z') {
                name[i] = static_cast<char>(c + ('a' - 'A'));
            }
        }
        std::size_t b = name_len + 1;
        std::size_t e = line.size;
        while (b < e && is_blank(p[b])) {
            ++b;
        }
        while (e > b && is_blank(p[e - 1])) {
            --e;
        }
        if (spans.empty()) {
            if (e == b) {
                mark_bad("attribute '" + std::string(name, name_len) +
                         "' without a value (object key)");
                return;
            }
            object.line = line_no;
        }
        if (spans.size() >= kMaxWhoisAttributes) {
            mark_bad("more than " + std::to_string(kMaxWhoisAttributes) + " attributes");
            return;
        }
        const std::size_t base = line.begin - obj_start;
        spans.push_back(Span{static_cast<std::uint32_t>(base), static_cast<std::uint32_t>(name_len),
                             static_cast<std::uint32_t>(base + b),
                             static_cast<std::uint32_t>(e - b), false});
    }

    /// Turns the spans into the Object's views (decoding non-ASCII values).
    void finish_object() {
        const char* base = buf.data() + obj_start;
        const std::size_t object_bytes = pos - obj_start;
        const bool high = options.charset != Charset::Utf8 &&
                          (has_high_bytes(base, std::min(object_bytes, end - obj_start)) ||
                           has_high_bytes(scratch.data(), scratch.size()));
        decoded.clear();
        if (high) {
            // Reserve so that views into `decoded` stay valid while it grows.
            std::size_t need = 0;
            for (const Span& s : spans) {
                need += 2 * s.value_len;
            }
            decoded.reserve(need);
        }
        object.attributes.resize(spans.size());
        for (std::size_t i = 0; i < spans.size(); ++i) {
            const Span& s = spans[i];
            std::string_view value =
                s.in_scratch ? std::string_view(scratch.data() + s.value_off, s.value_len)
                             : std::string_view(base + s.value_off, s.value_len);
            if (high && has_high_bytes(value.data(), value.size()) &&
                (options.charset == Charset::Latin1 || !valid_utf8(value))) {
                const std::size_t at = decoded.size();
                append_latin1(decoded, value);
                value = std::string_view(decoded.data() + at, decoded.size() - at);
            }
            object.attributes[i] =
                Attribute{std::string_view(base + s.name_off, s.name_len), value};
        }
    }

    Result<const Object*> next() {
        reset_object();
        obj_start = pos;
        Line line;
        while (true) {
            const bool in_object = !spans.empty() || bad;
            auto more = next_line(line, in_object);
            if (!more) {
                return std::move(more).error();
            }
            const bool at_end = !*more;
            if (!at_end && skipped_line) {
                skipped_line = false;
                continue;
            }
            bool blank = true;
            if (!at_end) {
                const char* p = buf.data() + line.begin;
                for (std::size_t i = 0; i < line.size; ++i) {
                    if (!is_blank(p[i])) {
                        blank = false;
                        break;
                    }
                }
                if (!blank && (p[0] == '%' || p[0] == '#')) {
                    ++report.comment_lines;
                    if (spans.empty() && !bad) {
                        obj_start = pos;
                    }
                    continue;
                }
            }
            if (at_end || blank) {
                if (bad) {
                    record_error();
                    if (report.record_errors > options.max_record_errors) {
                        Error e = stream_error(ErrorCode::Malformed,
                                               "too many broken objects (" +
                                                   std::to_string(report.record_errors) +
                                                   "); the last: " + bad_reason);
                        e.line = bad_line;
                        return e;
                    }
                    reset_object();
                } else if (!spans.empty()) {
                    finish_object();
                    ++report.objects;
                    return &object;
                }
                if (at_end) {
                    return static_cast<const Object*>(nullptr);
                }
                obj_start = pos;
                continue;
            }
            add_line(line);
        }
    }
};

Reader::Reader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Reader::Reader(Reader&&) noexcept = default;
Reader& Reader::operator=(Reader&&) noexcept = default;
Reader::~Reader() = default;

Result<Reader> Reader::open(const std::string& path, ReaderOptions options) {
    DG_TRY(auto source, io::open(path));
    return from_source(std::move(source), options);
}

Reader Reader::from_source(std::unique_ptr<io::ByteSource> source, ReaderOptions options) {
    auto impl = std::make_unique<Impl>();
    impl->report.source = source->name();
    impl->source = std::move(source);
    impl->options = options;
    return Reader(std::move(impl));
}

Reader Reader::from_memory(std::string_view bytes, std::string name, ReaderOptions options) {
    std::vector<std::uint8_t> copy(bytes.begin(), bytes.end());
    return from_source(io::from_memory(std::move(copy), std::move(name)), options);
}

Result<const Object*> Reader::next() {
    return impl_->next();
}

const ReadReport& Reader::report() const {
    return impl_->report;
}

} // namespace dg::org::whois
