#pragma once
// Streaming reader of RIR WHOIS bulk dumps (docs in src/dg/org/README.md, "WHOIS bulk dumps").
//
// One lexer serves both dialects the registries publish:
//  - RPSL (RIPE/APNIC split files `*.db.<class>`, whole `afrinic.db`, `lacnic.db`, JPIRR):
//    `name: value` lines, objects separated by blank lines;
//  - ARIN bulk (`arin_db.txt`): `Key: value` records (`ASHandle:`, `OrgID:`, `POCHandle:` ...),
//    blank-line separated as well.
// Lines starting with `%` or `#` are comments (RIPE's `% Tags relating to ...` lines, dump
// headers); a line starting with space, tab or `+` continues the previous attribute (joined with
// one space); the end of the input ends the last object. Attribute names are lower-cased.
//
// Error policy (house style "bulk parsers report per record"): a broken object (a line without
// `:`, an invalid attribute name, a NUL byte, a continuation before any attribute, an object key
// without a value, a line over kMaxWhoisLineBytes, an object over kMaxWhoisObjectBytes) is skipped
// up to the next blank line, counted and reported with file and line (RecordError); reading
// continues. After `max_record_errors` broken objects, or at corrupt/truncated compressed data or
// an I/O error (StreamError), next() fails with the file and line where it stopped.

#include "dg/core/byte_source.hpp"
#include "dg/core/result.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace dg::org::whois {

/// How bytes >= 0x80 in values are decoded. Output values are always UTF-8.
enum class Charset {
    Auto,   ///< a value that is valid UTF-8 is kept, any other is read as ISO-8859-1
    Latin1, ///< ISO-8859-1 (LACNIC, RIPE `*.db.*` files)
    Utf8,   ///< kept as is (ARIN, RIPE `*.utf8`)
};

struct ReaderOptions {
    Charset charset = Charset::Auto;
    /// Broken objects tolerated before next() fails (0 = stop at the first one).
    std::uint64_t max_record_errors = 1000;
};

/// One `name: value` pair. Views valid until the next call to Reader::next().
struct Attribute {
    std::string_view name;  ///< lower-cased, e.g. "aut-num", "ashandle"
    std::string_view value; ///< trimmed; continuation lines joined with one space; UTF-8
};

/// One object. Views valid until the next call to Reader::next().
struct Object {
    std::vector<Attribute> attributes; ///< in file order, never empty
    std::uint64_t line = 0;            ///< 1-based line of the first attribute
    /// The class: the name of the first attribute ("aut-num", "ashandle", "pochandle" ...).
    [[nodiscard]] std::string_view type() const { return attributes.front().name; }
    /// The value of the first attribute.
    [[nodiscard]] std::string_view key() const { return attributes.front().value; }
    /// The first value of attribute `name` (lower-case), or empty.
    [[nodiscard]] std::string_view first(std::string_view name) const;
};

/// Counts of one read; complete also when next() failed.
struct ReadReport {
    std::string source;              ///< file name used in messages
    std::uint64_t bytes = 0;         ///< decompressed bytes consumed
    std::uint64_t lines = 0;         ///< lines read
    std::uint64_t objects = 0;       ///< objects returned
    std::uint64_t comment_lines = 0; ///< `%`/`#` lines skipped
    std::uint64_t record_errors = 0; ///< broken objects skipped
    std::vector<Error> warnings;     ///< the first kMaxWarningsKept record errors
};

class Reader {
public:
    /// Opens `path` ("-" = stdin; plain/gz/bz2/zstd). Errors: NotFound, Io, Unsupported (a zip
    /// archive: extract `arin_db.txt` first).
    static Result<Reader> open(const std::string& path, ReaderOptions options = {});
    /// Reads from `source`.
    static Reader from_source(std::unique_ptr<io::ByteSource> source, ReaderOptions options = {});
    /// Reads bytes in memory (copied; compressed data is detected).
    static Reader from_memory(std::string_view bytes, std::string name, ReaderOptions options = {});

    Reader(Reader&&) noexcept;
    Reader& operator=(Reader&&) noexcept;
    ~Reader();

    /// The next object, or nullptr at the end of the input. The object is valid until the next
    /// call. Errors: Io, Malformed (corrupt compressed data; too many broken objects), each with
    /// `source` and `line` set.
    Result<const Object*> next();
    [[nodiscard]] const ReadReport& report() const;

    struct Impl;

private:
    explicit Reader(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace dg::org::whois
