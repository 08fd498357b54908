#pragma once
// A small, standard Parquet file writer (docs/design/0005-parquet-writer.md): flat schemas of
// INT32 / INT64 / BYTE_ARRAY (UTF-8) columns, required or optional, PLAIN encoding, definition
// levels in the RLE hybrid encoding, one data page (v1) per column chunk, row groups bounded in
// rows and bytes (so memory stays bounded), ZSTD / GZIP / no compression, and the footer
// (FileMetaData) written by hand in the Thrift compact protocol. FileReader reads such flat files
// back (the lake of distributed scans: diff and analytics shard by shard).

#include "dg/core/result.hpp"
#include "dg/export/output.hpp"
#include "dg/export/writers.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dg::exports::parquet {

enum class Type : std::uint8_t { Int32, Int64, String };

struct Column {
    std::string name;
    Type type = Type::String;
    bool optional = true;
};

struct Limits {
    std::uint32_t max_rows = 1u << 16;             ///< rows per row group
    std::size_t max_bytes = std::size_t{64} << 20; ///< buffered (uncompressed) bytes per row group
};

class FileWriter {
public:
    FileWriter(Output& out, std::vector<Column> columns, ParquetCodec codec, Limits limits = {});

    // Set every column of the row once (in any order), then end_row().
    void set_null(std::size_t col);
    void set_int32(std::size_t col, std::int32_t v);
    void set_int64(std::size_t col, std::int64_t v);
    void set_string(std::size_t col, std::string_view v);
    /// Completes the row; writes a row group when a limit is reached. Errors: Io.
    Result<void> end_row();
    /// Writes the last row group and the footer. Errors: Io.
    Result<void> close();

    [[nodiscard]] std::uint64_t rows() const { return total_rows_; }
    [[nodiscard]] std::size_t row_groups() const { return groups_.size(); }

private:
    struct ColumnBuffer {
        std::string values;             ///< PLAIN-encoded non-null values
        std::vector<std::uint8_t> defs; ///< definition levels (optional columns)
        std::uint64_t nulls = 0;
        bool set = false;
    };
    struct ChunkMeta {
        std::uint64_t offset = 0;
        std::uint64_t uncompressed = 0; ///< page header + uncompressed body
        std::uint64_t compressed = 0;   ///< page header + compressed body
        std::uint64_t values = 0;
        std::uint64_t nulls = 0;
    };
    struct GroupMeta {
        std::vector<ChunkMeta> chunks;
        std::uint64_t rows = 0;
    };

    Result<void> write_magic();
    Result<void> flush_group();
    Result<ChunkMeta> write_chunk(std::size_t col);
    [[nodiscard]] std::string footer() const;

    Output& out_;
    std::vector<Column> columns_;
    ParquetCodec codec_;
    Limits limits_;
    std::vector<ColumnBuffer> buffers_;
    std::vector<GroupMeta> groups_;
    std::uint32_t group_rows_ = 0;
    std::size_t group_bytes_ = 0;
    std::uint64_t total_rows_ = 0;
    bool started_ = false;
};

/// One column of a decoded row group: per row whether it is set, and its value.
struct ColumnValues {
    std::vector<std::uint8_t> present;
    std::vector<std::int64_t> ints;   ///< Int32 / Int64 columns (0 where unset)
    std::vector<std::string> strings; ///< String columns ("" where unset)
};

/// Reads flat Parquet files: a schema of INT32 / INT64 / BYTE_ARRAY leaves (required or
/// optional), PLAIN-encoded v1 data pages (any number per chunk), uncompressed, ZSTD or GZIP —
/// what FileWriter writes. Anything else (nested or repeated columns, dictionary encoding, v2
/// pages, other codecs or types) is Unsupported, named with the column; damage is Malformed with
/// the byte offset. Every length is checked against the file: no input makes it read out of
/// bounds or allocate more than the page sizes the file declares (each at most 256 MiB; row
/// groups of at most 4,194,304 rows).
class FileReader {
public:
    /// Parses the footer of the file held in `bytes`; `source` names it in errors.
    /// Errors: Malformed, Unsupported.
    static Result<FileReader> parse(std::string bytes, std::string source);
    /// Reads the whole file, then parse(). Errors: NotFound, Io, parse()'s.
    static Result<FileReader> open(const std::string& path);

    [[nodiscard]] const std::vector<Column>& columns() const { return columns_; }
    /// Index of the column named `name`, or nullopt.
    [[nodiscard]] std::optional<std::size_t> column(std::string_view name) const;
    [[nodiscard]] std::uint64_t rows() const { return rows_; }
    [[nodiscard]] std::size_t row_groups() const { return groups_.size(); }
    /// Decodes every column of row group `g` (< row_groups()). Errors: Malformed, Unsupported.
    [[nodiscard]] Result<std::vector<ColumnValues>> read_group(std::size_t g) const;

    struct Chunk {
        std::uint64_t start = 0; ///< first page (dictionary page when there is one)
        std::uint64_t size = 0;  ///< total compressed size
        std::uint64_t values = 0;
        std::int32_t codec = 0;
    };
    struct Group {
        std::uint64_t rows = 0;
        std::vector<Chunk> chunks;
    };

private:
    FileReader() = default;
    [[nodiscard]] Result<ColumnValues> read_chunk(std::size_t col, const Chunk& chunk,
                                                  std::uint64_t rows) const;
    std::string bytes_;
    std::string source_;
    std::vector<Column> columns_;
    std::vector<Group> groups_;
    std::uint64_t rows_ = 0;
};

/// Thrift compact protocol, the subset the footer and page headers need.
class ThriftWriter {
public:
    enum FieldType : std::uint8_t {
        kTrue = 1,
        kFalse = 2,
        kByte = 3,
        kI16 = 4,
        kI32 = 5,
        kI64 = 6,
        kDouble = 7,
        kBinary = 8,
        kList = 9,
        kStruct = 12,
    };
    void field_i16(std::int16_t id, std::int16_t v);
    void field_i32(std::int16_t id, std::int32_t v);
    void field_i64(std::int16_t id, std::int64_t v);
    void field_binary(std::int16_t id, std::string_view v);
    void begin_struct(std::int16_t id); ///< a struct-valued field
    void begin_list(std::int16_t id, FieldType element, std::size_t size);
    void begin_element(); ///< a struct element of a list
    void element_i32(std::int32_t v);
    void element_binary(std::string_view v);
    void end_struct(); ///< ends a struct field, a struct element or the top-level struct
    [[nodiscard]] const std::string& bytes() const { return out_; }

private:
    void field_header(std::int16_t id, std::uint8_t type);
    void varint(std::uint64_t v);
    std::string out_;
    std::vector<std::int16_t> last_ids_{0};
};

} // namespace dg::exports::parquet
