#include "dg/export/parquet.hpp"

#include "dg/core/assert.hpp"
#include "dg/export/parquet_format.hpp"

#include <zlib.h>
#include <zstd.h>

namespace dg::exports::parquet {
namespace {

using namespace format; // NOLINT(google-build-using-namespace)

std::int32_t physical_type(Type t) {
    switch (t) {
    case Type::Int32:
        return kTypeInt32;
    case Type::Int64:
        return kTypeInt64;
    case Type::String:
        return kTypeByteArray;
    }
    return kTypeByteArray;
}

std::int32_t codec_id(ParquetCodec c) {
    switch (c) {
    case ParquetCodec::None:
        return kCodecUncompressed;
    case ParquetCodec::Zstd:
        return kCodecZstd;
    case ParquetCodec::Gzip:
        return kCodecGzip;
    }
    return kCodecUncompressed;
}

void put_le32(std::string& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) {
        out += static_cast<char>((v >> (8 * i)) & 0xffu);
    }
}

void put_le64(std::string& out, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) {
        out += static_cast<char>((v >> (8 * i)) & 0xffu);
    }
}

void put_uleb(std::string& out, std::uint64_t v) {
    while (v >= 0x80) {
        out += static_cast<char>((v & 0x7fu) | 0x80u);
        v >>= 7;
    }
    out += static_cast<char>(v);
}

/// Definition levels (bit width 1) as RLE runs of the hybrid encoding, with the 4-byte length.
std::string encode_levels(const std::vector<std::uint8_t>& levels) {
    std::string runs;
    for (std::size_t i = 0; i < levels.size();) {
        std::size_t j = i;
        while (j < levels.size() && levels[j] == levels[i]) {
            ++j;
        }
        put_uleb(runs, static_cast<std::uint64_t>(j - i) << 1);
        runs += static_cast<char>(levels[i]);
        i = j;
    }
    std::string out;
    put_le32(out, static_cast<std::uint32_t>(runs.size()));
    return out + runs;
}

Result<std::string> compress(ParquetCodec codec, const std::string& in) {
    if (codec == ParquetCodec::Zstd) {
        std::string out(ZSTD_compressBound(in.size()), '\0');
        const std::size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3);
        if (ZSTD_isError(n) != 0) {
            return make_error(ErrorCode::Internal,
                              std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
        }
        out.resize(n);
        return out;
    }
    if (codec == ParquetCodec::Gzip) {
        z_stream z{};
        if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
            Z_OK) {
            return make_error(ErrorCode::Internal, "zlib deflateInit2 failed");
        }
        std::string out(deflateBound(&z, static_cast<uLong>(in.size())) + 32, '\0');
        z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data())); // NOLINT
        z.avail_in = static_cast<uInt>(in.size());
        z.next_out = reinterpret_cast<Bytef*>(out.data()); // NOLINT
        z.avail_out = static_cast<uInt>(out.size());
        const int rc = deflate(&z, Z_FINISH);
        const auto produced = z.total_out;
        deflateEnd(&z);
        if (rc != Z_STREAM_END) {
            return make_error(ErrorCode::Internal, "zlib deflate failed");
        }
        out.resize(produced);
        return out;
    }
    return in;
}

} // namespace

// --- Thrift compact protocol ---

void ThriftWriter::varint(std::uint64_t v) {
    put_uleb(out_, v);
}

void ThriftWriter::field_header(std::int16_t id, std::uint8_t type) {
    const int delta = id - last_ids_.back();
    if (delta > 0 && delta <= 15) {
        out_ += static_cast<char>((delta << 4) | type);
    } else {
        out_ += static_cast<char>(type);
        const auto zz = static_cast<std::uint16_t>((id << 1) ^ (id >> 15));
        varint(zz);
    }
    last_ids_.back() = id;
}

void ThriftWriter::field_i16(std::int16_t id, std::int16_t v) {
    field_header(id, kI16);
    element_i32(v);
}

void ThriftWriter::field_i32(std::int16_t id, std::int32_t v) {
    field_header(id, kI32);
    element_i32(v);
}

void ThriftWriter::field_i64(std::int16_t id, std::int64_t v) {
    field_header(id, kI64);
    varint((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
}

void ThriftWriter::field_binary(std::int16_t id, std::string_view v) {
    field_header(id, kBinary);
    element_binary(v);
}

void ThriftWriter::begin_struct(std::int16_t id) {
    field_header(id, kStruct);
    last_ids_.push_back(0);
}

void ThriftWriter::begin_list(std::int16_t id, FieldType element, std::size_t size) {
    field_header(id, kList);
    if (size < 15) {
        out_ += static_cast<char>((size << 4) | element);
    } else {
        out_ += static_cast<char>(0xf0 | element);
        varint(size);
    }
}

void ThriftWriter::begin_element() {
    last_ids_.push_back(0);
}

void ThriftWriter::element_i32(std::int32_t v) {
    varint(static_cast<std::uint32_t>((static_cast<std::uint32_t>(v) << 1) ^
                                      static_cast<std::uint32_t>(v >> 31)));
}

void ThriftWriter::element_binary(std::string_view v) {
    varint(v.size());
    out_ += v;
}

void ThriftWriter::end_struct() {
    out_ += '\0';
    if (last_ids_.size() > 1) {
        last_ids_.pop_back();
    }
}

// --- FileWriter ---

FileWriter::FileWriter(Output& out, std::vector<Column> columns, ParquetCodec codec, Limits limits)
    : out_(out), columns_(std::move(columns)), codec_(codec), limits_(limits),
      buffers_(columns_.size()) {}

void FileWriter::set_null(std::size_t col) {
    DG_REQUIRE(col < columns_.size() && columns_[col].optional && !buffers_[col].set);
    buffers_[col].defs.push_back(0);
    ++buffers_[col].nulls;
    buffers_[col].set = true;
}

void FileWriter::set_int32(std::size_t col, std::int32_t v) {
    DG_REQUIRE(col < columns_.size() && columns_[col].type == Type::Int32 && !buffers_[col].set);
    auto& b = buffers_[col];
    put_le32(b.values, static_cast<std::uint32_t>(v));
    b.defs.push_back(1);
    b.set = true;
    group_bytes_ += 4;
}

void FileWriter::set_int64(std::size_t col, std::int64_t v) {
    DG_REQUIRE(col < columns_.size() && columns_[col].type == Type::Int64 && !buffers_[col].set);
    auto& b = buffers_[col];
    put_le64(b.values, static_cast<std::uint64_t>(v));
    b.defs.push_back(1);
    b.set = true;
    group_bytes_ += 8;
}

void FileWriter::set_string(std::size_t col, std::string_view v) {
    DG_REQUIRE(col < columns_.size() && columns_[col].type == Type::String && !buffers_[col].set);
    auto& b = buffers_[col];
    put_le32(b.values, static_cast<std::uint32_t>(v.size()));
    b.values += v;
    b.defs.push_back(1);
    b.set = true;
    group_bytes_ += 4 + v.size();
}

Result<void> FileWriter::write_magic() {
    if (!started_) {
        started_ = true;
        return out_.write(kMagic);
    }
    return ok();
}

Result<void> FileWriter::end_row() {
    for (auto& b : buffers_) {
        DG_REQUIRE(b.set);
        b.set = false;
    }
    ++group_rows_;
    ++total_rows_;
    if (group_rows_ >= limits_.max_rows || group_bytes_ >= limits_.max_bytes) {
        return flush_group();
    }
    return ok();
}

Result<FileWriter::ChunkMeta> FileWriter::write_chunk(std::size_t col) {
    auto& b = buffers_[col];
    std::string body;
    if (columns_[col].optional) {
        body = encode_levels(b.defs);
    }
    body += b.values;
    DG_TRY(std::string page, compress(codec_, body));
    ThriftWriter h;
    h.field_i32(1, kPageData);
    h.field_i32(2, static_cast<std::int32_t>(body.size()));
    h.field_i32(3, static_cast<std::int32_t>(page.size()));
    h.begin_struct(5); // DataPageHeader
    h.field_i32(1, static_cast<std::int32_t>(group_rows_));
    h.field_i32(2, kEncodingPlain);
    h.field_i32(3, kEncodingRle);
    h.field_i32(4, kEncodingRle);
    h.begin_struct(5); // Statistics
    h.field_i64(3, static_cast<std::int64_t>(b.nulls));
    h.end_struct();
    h.end_struct();
    h.end_struct();
    ChunkMeta m;
    m.offset = out_.offset();
    m.uncompressed = h.bytes().size() + body.size();
    m.compressed = h.bytes().size() + page.size();
    m.values = group_rows_;
    m.nulls = b.nulls;
    DG_TRY_VOID(out_.write(h.bytes()));
    DG_TRY_VOID(out_.write(page));
    b.values.clear();
    b.defs.clear();
    b.nulls = 0;
    return m;
}

Result<void> FileWriter::flush_group() {
    if (group_rows_ == 0) {
        return ok();
    }
    DG_TRY_VOID(write_magic());
    GroupMeta g;
    g.rows = group_rows_;
    for (std::size_t c = 0; c < columns_.size(); ++c) {
        DG_TRY(ChunkMeta m, write_chunk(c));
        g.chunks.push_back(m);
    }
    groups_.push_back(std::move(g));
    group_rows_ = 0;
    group_bytes_ = 0;
    return ok();
}

std::string FileWriter::footer() const {
    ThriftWriter t;
    t.field_i32(1, 1); // version
    t.begin_list(2, ThriftWriter::kStruct, columns_.size() + 1);
    t.begin_element(); // root
    t.field_binary(4, "schema");
    t.field_i32(5, static_cast<std::int32_t>(columns_.size()));
    t.end_struct();
    for (const auto& c : columns_) {
        t.begin_element();
        t.field_i32(1, physical_type(c.type));
        t.field_i32(3, c.optional ? kOptional : kRequired);
        t.field_binary(4, c.name);
        if (c.type == Type::String) {
            t.field_i32(6, kConvertedUtf8);
            t.begin_struct(10); // LogicalType
            t.begin_struct(1);  // STRING
            t.end_struct();
            t.end_struct();
        }
        t.end_struct();
    }
    t.field_i64(3, static_cast<std::int64_t>(total_rows_));
    t.begin_list(4, ThriftWriter::kStruct, groups_.size());
    for (std::size_t gi = 0; gi < groups_.size(); ++gi) {
        const auto& g = groups_[gi];
        t.begin_element();
        t.begin_list(1, ThriftWriter::kStruct, g.chunks.size());
        std::uint64_t uncompressed = 0;
        std::uint64_t compressed = 0;
        for (std::size_t c = 0; c < g.chunks.size(); ++c) {
            const auto& m = g.chunks[c];
            uncompressed += m.uncompressed;
            compressed += m.compressed;
            t.begin_element(); // ColumnChunk
            t.field_i64(2, static_cast<std::int64_t>(m.offset));
            t.begin_struct(3); // ColumnMetaData
            t.field_i32(1, physical_type(columns_[c].type));
            t.begin_list(2, ThriftWriter::kI32, columns_[c].optional ? 2 : 1);
            t.element_i32(kEncodingPlain);
            if (columns_[c].optional) {
                t.element_i32(kEncodingRle);
            }
            t.begin_list(3, ThriftWriter::kBinary, 1);
            t.element_binary(columns_[c].name);
            t.field_i32(4, codec_id(codec_));
            t.field_i64(5, static_cast<std::int64_t>(m.values));
            t.field_i64(6, static_cast<std::int64_t>(m.uncompressed));
            t.field_i64(7, static_cast<std::int64_t>(m.compressed));
            t.field_i64(9, static_cast<std::int64_t>(m.offset));
            t.begin_struct(12); // Statistics
            t.field_i64(3, static_cast<std::int64_t>(m.nulls));
            t.end_struct();
            t.end_struct(); // ColumnMetaData
            t.end_struct(); // ColumnChunk
        }
        t.field_i64(2, static_cast<std::int64_t>(uncompressed));
        t.field_i64(3, static_cast<std::int64_t>(g.rows));
        t.field_i64(5, static_cast<std::int64_t>(g.chunks.empty() ? 0 : g.chunks[0].offset));
        t.field_i64(6, static_cast<std::int64_t>(compressed));
        t.field_i16(7, static_cast<std::int16_t>(gi & 0x7fff)); // ordinal
        t.end_struct();
    }
    t.field_binary(6, "domaingraph 0.1.0 (hand-written parquet writer)");
    t.end_struct();
    return t.bytes();
}

Result<void> FileWriter::close() {
    DG_TRY_VOID(flush_group());
    DG_TRY_VOID(write_magic());
    std::string tail = footer();
    put_le32(tail, static_cast<std::uint32_t>(tail.size()));
    tail += kMagic;
    return out_.write(tail);
}

} // namespace dg::exports::parquet
