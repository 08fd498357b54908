// FileReader: flat Parquet files back into columns (parquet.hpp). The footer and page headers are
// read with a small Thrift compact-protocol reader that skips every field it does not need.
#include "dg/export/parquet.hpp"
#include "dg/export/parquet_format.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <zlib.h>
#include <zstd.h>

namespace dg::exports::parquet {
namespace {

using namespace format; // NOLINT(google-build-using-namespace)

constexpr std::uint64_t kMaxPageBytes = std::uint64_t{256} << 20;
constexpr std::uint64_t kMaxGroupRows = std::uint64_t{1} << 22;
constexpr int kMaxNesting = 64;

/// A parse failure inside this file; turned into an Error at the public boundary.
struct Failure {
    Error error;
};

[[noreturn]] void fail(ErrorCode code, std::string message, std::uint64_t offset) {
    throw Failure{make_error(code, std::move(message)).at("", offset)};
}

/// Thrift compact protocol over [data, data + size), `base` = the file offset of data[0].
class ThriftReader {
public:
    ThriftReader(std::string_view data, std::uint64_t base) : data_(data), base_(base) {}

    /// The next field of the current struct; false at its end.
    bool field(std::int16_t& id, std::uint8_t& type) {
        const std::uint8_t b = byte();
        if (b == 0) {
            return false;
        }
        type = b & 0x0f;
        const int delta = b >> 4;
        if (delta != 0) {
            id = static_cast<std::int16_t>(last_id_ + delta);
        } else {
            id = static_cast<std::int16_t>(zigzag(varint()));
        }
        last_id_ = id;
        return true;
    }
    /// Runs `on_field(id, type)` for each field of a nested struct; it must consume the value.
    template <typename F> void read_struct(F&& on_field) {
        if (++depth_ > kMaxNesting) {
            fail(ErrorCode::Malformed, "Thrift structures nested too deep", offset());
        }
        const std::int16_t saved = last_id_;
        last_id_ = 0;
        std::int16_t id = 0;
        std::uint8_t type = 0;
        while (field(id, type)) {
            on_field(id, type);
        }
        last_id_ = saved;
        --depth_;
    }
    std::int64_t integer(std::uint8_t type) {
        if (type == ThriftWriter::kI16 || type == ThriftWriter::kI32 ||
            type == ThriftWriter::kI64) {
            return zigzag(varint());
        }
        if (type == ThriftWriter::kByte) {
            return static_cast<std::int8_t>(byte());
        }
        fail(ErrorCode::Malformed, "a Thrift integer field has type " + std::to_string(type),
             offset());
    }
    std::string_view binary(std::uint8_t type) {
        if (type != ThriftWriter::kBinary) {
            fail(ErrorCode::Malformed, "a Thrift string field has type " + std::to_string(type),
                 offset());
        }
        const std::uint64_t n = varint();
        if (n > data_.size() - pos_) {
            fail(ErrorCode::Malformed, "a Thrift string runs past its end", offset());
        }
        const std::string_view v = data_.substr(pos_, n);
        pos_ += n;
        return v;
    }
    /// A list header: its element type and size (sizes beyond what is left are Malformed).
    std::pair<std::uint8_t, std::uint64_t> list(std::uint8_t type) {
        if (type != ThriftWriter::kList && type != 10 /* set */) {
            fail(ErrorCode::Malformed, "a Thrift list field has type " + std::to_string(type),
                 offset());
        }
        const std::uint8_t b = byte();
        std::uint64_t n = b >> 4;
        if (n == 15) {
            n = varint();
        }
        if (n > data_.size() - pos_) {
            fail(ErrorCode::Malformed, "a Thrift list is longer than the data", offset());
        }
        return {static_cast<std::uint8_t>(b & 0x0f), n};
    }
    void skip(std::uint8_t type) {
        if (++depth_ > kMaxNesting) {
            fail(ErrorCode::Malformed, "Thrift structures nested too deep", offset());
        }
        switch (type) {
        case ThriftWriter::kTrue:
        case ThriftWriter::kFalse:
            break;
        case ThriftWriter::kByte:
            (void)byte();
            break;
        case ThriftWriter::kI16:
        case ThriftWriter::kI32:
        case ThriftWriter::kI64:
            (void)varint();
            break;
        case ThriftWriter::kDouble:
            advance(8);
            break;
        case ThriftWriter::kBinary:
            (void)binary(type);
            break;
        case ThriftWriter::kList:
        case 10: { // set
            const auto [element, n] = list(type);
            for (std::uint64_t i = 0; i < n; ++i) {
                if (element == ThriftWriter::kTrue || element == ThriftWriter::kFalse) {
                    (void)byte(); // list booleans take one byte each
                } else {
                    skip(element);
                }
            }
            break;
        }
        case 11: { // map
            const std::uint64_t n = varint();
            if (n > data_.size() - pos_) {
                fail(ErrorCode::Malformed, "a Thrift map is longer than the data", offset());
            }
            if (n > 0) {
                const std::uint8_t kv = byte();
                for (std::uint64_t i = 0; i < n; ++i) {
                    skip(kv >> 4);
                    skip(kv & 0x0f);
                }
            }
            break;
        }
        case ThriftWriter::kStruct:
            read_struct([&](std::int16_t, std::uint8_t t) { skip(t); });
            break;
        default:
            fail(ErrorCode::Malformed, "unknown Thrift type " + std::to_string(type), offset());
        }
        --depth_;
    }
    [[nodiscard]] std::uint64_t consumed() const { return pos_; }
    [[nodiscard]] std::uint64_t offset() const { return base_ + pos_; }

private:
    std::uint8_t byte() {
        if (pos_ >= data_.size()) {
            fail(ErrorCode::Malformed, "Thrift data ends early", offset());
        }
        return static_cast<std::uint8_t>(data_[pos_++]);
    }
    void advance(std::uint64_t n) {
        if (n > data_.size() - pos_) {
            fail(ErrorCode::Malformed, "Thrift data ends early", offset());
        }
        pos_ += n;
    }
    std::uint64_t varint() {
        std::uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            const std::uint8_t b = byte();
            v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        fail(ErrorCode::Malformed, "a Thrift varint is too long", offset());
    }
    static std::int64_t zigzag(std::uint64_t v) {
        return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
    }

    std::string_view data_;
    std::uint64_t base_ = 0;
    std::uint64_t pos_ = 0;
    std::int16_t last_id_ = 0;
    int depth_ = 0;
};

std::uint32_t le32(std::string_view s, std::size_t at) {
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i) {
        v = (v << 8) | static_cast<std::uint8_t>(s[at + static_cast<std::size_t>(i)]);
    }
    return v;
}

std::uint64_t le64(std::string_view s, std::size_t at) {
    return le32(s, at) | (static_cast<std::uint64_t>(le32(s, at + 4)) << 32);
}

std::uint64_t checked_size(std::int64_t v, const char* what, std::uint64_t offset) {
    if (v < 0) {
        fail(ErrorCode::Malformed, std::string("negative ") + what, offset);
    }
    return static_cast<std::uint64_t>(v);
}

Column schema_element(ThriftReader& t, bool& nested) {
    Column c;
    std::int32_t type = -1;
    t.read_struct([&](std::int16_t id, std::uint8_t ft) {
        if (id == 1) {
            type = static_cast<std::int32_t>(t.integer(ft));
        } else if (id == 3) {
            const auto rep = t.integer(ft);
            if (rep == kRepeated) {
                nested = true;
            }
            c.optional = rep == kOptional;
        } else if (id == 4) {
            c.name = std::string(t.binary(ft));
        } else if (id == 5) {
            nested = nested || t.integer(ft) > 0;
        } else {
            t.skip(ft);
        }
    });
    if (type == kTypeInt32) {
        c.type = Type::Int32;
    } else if (type == kTypeInt64) {
        c.type = Type::Int64;
    } else if (type == kTypeByteArray) {
        c.type = Type::String;
    } else {
        fail(ErrorCode::Unsupported,
             "column '" + c.name + "' has Parquet physical type " + std::to_string(type) +
                 " (only INT32, INT64 and BYTE_ARRAY are read)",
             t.offset());
    }
    return c;
}

FileReader::Chunk column_chunk(ThriftReader& t, const Column& column) {
    FileReader::Chunk chunk;
    std::int64_t data_page = -1;
    std::int64_t dictionary_page = -1;
    t.read_struct([&](std::int16_t id, std::uint8_t ft) {
        if (id == 1) {
            fail(ErrorCode::Unsupported,
                 "column '" + column.name + "' lives in another file (" +
                     std::string(t.binary(ft)) + ")",
                 t.offset());
        }
        if (id != 3) {
            t.skip(ft);
            return;
        }
        t.read_struct([&](std::int16_t mid, std::uint8_t mt) {
            switch (mid) {
            case 4:
                chunk.codec = static_cast<std::int32_t>(t.integer(mt));
                break;
            case 5:
                chunk.values = checked_size(t.integer(mt), "value count", t.offset());
                break;
            case 7:
                chunk.size = checked_size(t.integer(mt), "chunk size", t.offset());
                break;
            case 9:
                data_page = t.integer(mt);
                break;
            case 11:
                dictionary_page = t.integer(mt);
                break;
            default:
                t.skip(mt);
            }
        });
    });
    const std::int64_t start = dictionary_page > 0 ? dictionary_page : data_page;
    chunk.start = checked_size(start, "page offset", t.offset());
    return chunk;
}

FileReader::Group row_group(ThriftReader& t, const std::vector<Column>& columns) {
    FileReader::Group g;
    t.read_struct([&](std::int16_t id, std::uint8_t ft) {
        if (id == 1) {
            const auto [element, n] = t.list(ft);
            if (n != columns.size()) {
                fail(ErrorCode::Malformed,
                     "a row group has " + std::to_string(n) + " column chunks for " +
                         std::to_string(columns.size()) + " columns",
                     t.offset());
            }
            for (std::uint64_t i = 0; i < n; ++i) {
                if (element != ThriftWriter::kStruct) {
                    fail(ErrorCode::Malformed, "a column chunk is not a struct", t.offset());
                }
                g.chunks.push_back(column_chunk(t, columns[i]));
            }
        } else if (id == 3) {
            g.rows = checked_size(t.integer(ft), "row count", t.offset());
            if (g.rows > kMaxGroupRows) {
                fail(ErrorCode::Unsupported,
                     "a row group of " + std::to_string(g.rows) + " rows (limit 4,194,304)",
                     t.offset());
            }
        } else {
            t.skip(ft);
        }
    });
    if (g.chunks.size() != columns.size()) {
        fail(ErrorCode::Malformed, "a row group lists no column chunks", t.offset());
    }
    return g;
}

struct PageHeader {
    std::int32_t type = -1;
    std::uint64_t uncompressed = 0;
    std::uint64_t compressed = 0;
    std::uint64_t values = 0;
    std::int32_t encoding = kEncodingPlain;
};

PageHeader page_header(ThriftReader& t) {
    PageHeader h;
    t.read_struct([&](std::int16_t id, std::uint8_t ft) {
        switch (id) {
        case 1:
            h.type = static_cast<std::int32_t>(t.integer(ft));
            break;
        case 2:
            h.uncompressed = checked_size(t.integer(ft), "page size", t.offset());
            break;
        case 3:
            h.compressed = checked_size(t.integer(ft), "page size", t.offset());
            break;
        case 5:
            t.read_struct([&](std::int16_t did, std::uint8_t dt) {
                if (did == 1) {
                    h.values = checked_size(t.integer(dt), "page value count", t.offset());
                } else if (did == 2) {
                    h.encoding = static_cast<std::int32_t>(t.integer(dt));
                } else {
                    t.skip(dt);
                }
            });
            break;
        default:
            t.skip(ft);
        }
    });
    return h;
}

std::string decompress(std::int32_t codec, std::string_view in, std::uint64_t size,
                       std::uint64_t offset) {
    if (size > kMaxPageBytes) {
        fail(ErrorCode::Unsupported, "a page of " + std::to_string(size) + " bytes (limit 256 MiB)",
             offset);
    }
    if (codec == kCodecUncompressed) {
        if (in.size() != size) {
            fail(ErrorCode::Malformed, "an uncompressed page's two sizes differ", offset);
        }
        return std::string(in);
    }
    std::string out(size, '\0');
    if (codec == kCodecZstd) {
        const std::size_t n = ZSTD_decompress(out.data(), out.size(), in.data(), in.size());
        if (ZSTD_isError(n) != 0 || n != size) {
            fail(ErrorCode::Malformed, "a ZSTD page does not decompress to its declared size",
                 offset);
        }
        return out;
    }
    if (codec == kCodecGzip) {
        z_stream z{};
        if (inflateInit2(&z, 15 + 32) != Z_OK) {
            fail(ErrorCode::Internal, "zlib inflateInit2 failed", offset);
        }
        z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data())); // NOLINT
        z.avail_in = static_cast<uInt>(in.size());
        z.next_out = reinterpret_cast<Bytef*>(out.data()); // NOLINT
        z.avail_out = static_cast<uInt>(out.size());
        const int rc = inflate(&z, Z_FINISH);
        const auto produced = z.total_out;
        inflateEnd(&z);
        if (rc != Z_STREAM_END || produced != size) {
            fail(ErrorCode::Malformed, "a GZIP page does not decompress to its declared size",
                 offset);
        }
        return out;
    }
    fail(ErrorCode::Unsupported,
         "compression codec " + std::to_string(codec) + " (only none, ZSTD and GZIP are read)",
         offset);
}

/// Definition levels of bit width 1 in the RLE / bit-packing hybrid encoding.
void decode_levels(std::string_view in, std::uint64_t count, std::vector<std::uint8_t>& out,
                   std::uint64_t offset) {
    std::size_t pos = 0;
    auto uleb = [&]() {
        std::uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= in.size()) {
                fail(ErrorCode::Malformed, "definition levels end early", offset);
            }
            const auto b = static_cast<std::uint8_t>(in[pos++]);
            v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        fail(ErrorCode::Malformed, "a definition-level run header is too long", offset);
    };
    std::uint64_t left = count;
    while (left > 0) {
        const std::uint64_t header = uleb();
        if ((header & 1) == 0) { // RLE run: count, then the value in one byte
            const std::uint64_t n = header >> 1;
            if (pos >= in.size() || n == 0 || n > left) {
                fail(ErrorCode::Malformed, "a definition-level run is damaged", offset);
            }
            const auto v = static_cast<std::uint8_t>(in[pos++]);
            if (v > 1) {
                fail(ErrorCode::Malformed, "a definition level above 1 in a flat column", offset);
            }
            out.insert(out.end(), n, v);
            left -= n;
        } else { // bit-packed groups of 8 values, one byte each at width 1
            const std::uint64_t groups = header >> 1;
            if (groups == 0 || groups > in.size() - pos) {
                fail(ErrorCode::Malformed, "a bit-packed definition-level run is damaged", offset);
            }
            for (std::uint64_t g = 0; g < groups; ++g) {
                const auto b = static_cast<std::uint8_t>(in[pos++]);
                for (int bit = 0; bit < 8 && left > 0; ++bit, --left) {
                    out.push_back(static_cast<std::uint8_t>((b >> bit) & 1));
                }
            }
        }
    }
}

/// PLAIN values for the set rows of one page, appended to `col`.
void decode_plain(Type type, std::string_view in, const std::vector<std::uint8_t>& present,
                  std::size_t first, ColumnValues& col, std::uint64_t offset) {
    std::size_t pos = 0;
    for (std::size_t i = first; i < present.size(); ++i) {
        if (type == Type::String) {
            std::string v;
            if (present[i] != 0) {
                if (in.size() - pos < 4) {
                    fail(ErrorCode::Malformed, "a string value runs past its page", offset);
                }
                const std::uint32_t n = le32(in, pos);
                pos += 4;
                if (n > in.size() - pos) {
                    fail(ErrorCode::Malformed, "a string value runs past its page", offset);
                }
                v.assign(in.substr(pos, n));
                pos += n;
            }
            col.strings.push_back(std::move(v));
            continue;
        }
        std::int64_t v = 0;
        if (present[i] != 0) {
            const std::size_t width = type == Type::Int32 ? 4 : 8;
            if (in.size() - pos < width) {
                fail(ErrorCode::Malformed, "an integer value runs past its page", offset);
            }
            v = width == 4 ? static_cast<std::int32_t>(le32(in, pos))
                           : static_cast<std::int64_t>(le64(in, pos));
            pos += width;
        }
        col.ints.push_back(v);
    }
}

} // namespace

Result<FileReader> FileReader::parse(std::string bytes, std::string source) {
    FileReader r;
    r.bytes_ = std::move(bytes);
    r.source_ = std::move(source);
    const std::string_view all(r.bytes_);
    if (all.size() < 12 || !all.starts_with(kMagic) || !all.ends_with(kMagic)) {
        return make_error(ErrorCode::Malformed, "not a Parquet file (no PAR1 magic at both ends)")
            .at(r.source_);
    }
    const std::uint64_t footer_size = le32(all, all.size() - 8);
    if (footer_size > all.size() - 12) {
        return make_error(ErrorCode::Malformed, "the footer length runs past the file's start")
            .at(r.source_, all.size() - 8);
    }
    const std::uint64_t footer_at = all.size() - 8 - footer_size;
    try {
        ThriftReader t(all.substr(footer_at, footer_size), footer_at);
        bool nested = false;
        std::int64_t declared = -1;
        t.read_struct([&](std::int16_t id, std::uint8_t ft) {
            if (id == 2) {
                const auto [element, n] = t.list(ft);
                for (std::uint64_t i = 0; i < n; ++i) {
                    if (element != ThriftWriter::kStruct) {
                        fail(ErrorCode::Malformed, "a schema element is not a struct", t.offset());
                    }
                    if (i == 0) { // the root: how many leaves follow
                        t.read_struct([&](std::int16_t sid, std::uint8_t st) {
                            if (sid == 5) {
                                declared = t.integer(st);
                            } else {
                                t.skip(st);
                            }
                        });
                        continue;
                    }
                    r.columns_.push_back(schema_element(t, nested));
                }
            } else if (id == 3) {
                r.rows_ = checked_size(t.integer(ft), "row count", t.offset());
            } else if (id == 4) {
                if (r.columns_.empty()) {
                    fail(ErrorCode::Malformed, "row groups come before the schema", t.offset());
                }
                const auto [element, n] = t.list(ft);
                for (std::uint64_t i = 0; i < n; ++i) {
                    if (element != ThriftWriter::kStruct) {
                        fail(ErrorCode::Malformed, "a row group is not a struct", t.offset());
                    }
                    r.groups_.push_back(row_group(t, r.columns_));
                }
            } else {
                t.skip(ft);
            }
        });
        if (nested || declared != static_cast<std::int64_t>(r.columns_.size())) {
            return make_error(ErrorCode::Unsupported,
                              "nested or repeated columns (only flat tables are read)")
                .at(r.source_, footer_at);
        }
        std::uint64_t rows = 0;
        for (const Group& g : r.groups_) {
            rows += g.rows;
            for (const Chunk& c : g.chunks) {
                if (c.start < 4 || c.start > footer_at || c.size > footer_at - c.start ||
                    c.values != g.rows) {
                    return make_error(ErrorCode::Malformed,
                                      "a column chunk lies outside the data or has " +
                                          std::to_string(c.values) + " values for " +
                                          std::to_string(g.rows) + " rows")
                        .at(r.source_, footer_at);
                }
            }
        }
        if (rows != r.rows_) {
            return make_error(ErrorCode::Malformed, "the row groups hold " + std::to_string(rows) +
                                                        " rows, the footer says " +
                                                        std::to_string(r.rows_))
                .at(r.source_, footer_at);
        }
    } catch (const Failure& f) {
        return f.error.at(r.source_);
    }
    return r;
}

Result<FileReader> FileReader::open(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        return make_error(ErrorCode::NotFound, "no such file").at(path);
    }
    std::ifstream in(path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (!in.good() && !in.eof()) {
        return make_error(ErrorCode::Io, "cannot read the file").at(path);
    }
    return parse(std::move(bytes).str(), path);
}

std::optional<std::size_t> FileReader::column(std::string_view name) const {
    for (std::size_t i = 0; i < columns_.size(); ++i) {
        if (columns_[i].name == name) {
            return i;
        }
    }
    return std::nullopt;
}

Result<ColumnValues> FileReader::read_chunk(std::size_t col, const Chunk& chunk,
                                            std::uint64_t rows) const {
    const Column& column = columns_[col];
    ColumnValues out;
    const std::string_view all(bytes_);
    std::uint64_t pos = chunk.start;
    const std::uint64_t end = chunk.start + chunk.size;
    try {
        while (out.present.size() < rows) {
            if (pos >= end) {
                fail(ErrorCode::Malformed,
                     "column '" + column.name + "' ends after " +
                         std::to_string(out.present.size()) + " of " + std::to_string(rows) +
                         " values",
                     pos);
            }
            ThriftReader t(all.substr(pos, end - pos), pos);
            const PageHeader h = page_header(t);
            const std::uint64_t body_at = pos + t.consumed();
            if (h.compressed > end - body_at) {
                fail(ErrorCode::Malformed, "a page of column '" + column.name + "' runs past it",
                     pos);
            }
            if (h.type == kPageDictionary || h.type == kPageDataV2 || h.type != kPageData ||
                h.encoding != kEncodingPlain) {
                fail(ErrorCode::Unsupported,
                     "column '" + column.name + "' has a page of type " + std::to_string(h.type) +
                         " encoded " + std::to_string(h.encoding) +
                         " (only PLAIN data pages v1 are read)",
                     pos);
            }
            if (h.values == 0 || h.values > rows - out.present.size()) {
                fail(ErrorCode::Malformed,
                     "a page of column '" + column.name + "' holds more values than its rows", pos);
            }
            const std::string body =
                decompress(chunk.codec, all.substr(body_at, h.compressed), h.uncompressed, pos);
            const std::string_view page(body);
            const std::size_t first = out.present.size();
            std::size_t values_at = 0;
            if (column.optional) {
                if (page.size() < 4 || le32(page, 0) > page.size() - 4) {
                    fail(ErrorCode::Malformed, "damaged definition levels", pos);
                }
                values_at = 4 + le32(page, 0);
                decode_levels(page.substr(4, values_at - 4), h.values, out.present, pos);
            } else {
                out.present.insert(out.present.end(), h.values, 1);
            }
            decode_plain(column.type, page.substr(values_at), out.present, first, out, pos);
            pos = body_at + h.compressed;
        }
    } catch (const Failure& f) {
        return f.error.at(source_);
    }
    return out;
}

Result<std::vector<ColumnValues>> FileReader::read_group(std::size_t g) const {
    const Group& group = groups_.at(g);
    std::vector<ColumnValues> out;
    out.reserve(columns_.size());
    for (std::size_t c = 0; c < columns_.size(); ++c) {
        DG_TRY(ColumnValues v, read_chunk(c, group.chunks[c], group.rows));
        out.push_back(std::move(v));
    }
    return out;
}

} // namespace dg::exports::parquet
