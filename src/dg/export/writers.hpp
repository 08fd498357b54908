#pragma once
// Streaming writers: each takes one domain result at a time and keeps only what its format needs
// between rows (nothing for JSON/CSV, one bounded row group for Parquet, the set of seen
// infrastructure nodes for the graphs), so a scan of any size exports in bounded memory.

#include "dg/core/result.hpp"
#include "dg/export/output.hpp"
#include "dg/model/model.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace dg::exports {

enum class Format : std::uint8_t { Json, Jsonl, Csv, Parquet, Gexf, Graphml };

/// "json", "jsonl" (also "ndjson"), "csv", "parquet", "gexf", "graphml". Errors: InvalidArgument.
Result<Format> parse_format(std::string_view name);
const char* format_name(Format f);
/// The format a file name's extension implies (".csv" ...), if any.
std::optional<Format> format_from_path(std::string_view path);
/// The format of an output file when none is given: its extension's; JSON Lines for "-" and
/// names without an extension. Errors: InvalidArgument for an extension no writer has
/// (`-o x.xlsx` used to write JSON Lines into it).
Result<Format> format_for_output(std::string_view path);
/// Whether the format is binary (refused on a terminal).
bool is_binary(Format f);

enum class ParquetCodec : std::uint8_t { None, Zstd, Gzip };
/// "none"/"uncompressed", "zstd", "gzip". Errors: InvalidArgument.
Result<ParquetCodec> parse_parquet_codec(std::string_view name);

/// GEXF 1.2draft is what every common reader opens (Gephi, networkx 2.x/3.x, sigma.js/graphology);
/// networkx cannot open 1.3 ("No <graph> element"), so 1.3 is on request only.
enum class GexfVersion : std::uint8_t { V1_2draft, V1_3 };
/// "1.2draft" (also "1.2"), "1.3". Errors: InvalidArgument.
Result<GexfVersion> parse_gexf_version(std::string_view name);

struct WriterOptions {
    ParquetCodec parquet_codec = ParquetCodec::Zstd;
    GexfVersion gexf_version = GexfVersion::V1_2draft;
    std::uint32_t parquet_row_group_rows = 1u << 16; ///< rows per row group (bounds memory)
    std::string graph_name = "domaingraph";          ///< graph title / description
    /// The results can be written twice (a completed scan): GEXF then writes its nodes in one
    /// pass and its edges in a second (passes() == 2) instead of keeping the edges in a
    /// temporary file until every node is out.
    bool repeatable_input = false;
};

class ResultWriter {
public:
    virtual ~ResultWriter() = default;
    ResultWriter() = default;
    ResultWriter(const ResultWriter&) = delete;
    ResultWriter& operator=(const ResultWriter&) = delete;

    virtual Result<void> write(const model::DomainResult& r) = 0;
    /// How many times every result is to be written (1, or 2: see repeatable_input).
    [[nodiscard]] virtual unsigned passes() const { return 1; }
    /// Called before each pass after the first.
    virtual Result<void> next_pass() { return ok(); }
    /// Writes what follows the last result (closing bracket, footer). Call once.
    virtual Result<void> finish() = 0;
    /// Rows written (domains for JSON, flat rows for CSV/Parquet, nodes+edges for graphs).
    [[nodiscard]] virtual std::uint64_t rows() const = 0;
};

/// A writer of `format` appending to `out` (which must outlive it).
std::unique_ptr<ResultWriter> make_writer(Format format, Output& out,
                                          const WriterOptions& options = {});

// Individual writers (each in its own file).
std::unique_ptr<ResultWriter> make_jsonl_writer(Output& out);
std::unique_ptr<ResultWriter> make_json_writer(Output& out);
std::unique_ptr<ResultWriter> make_csv_writer(Output& out);
std::unique_ptr<ResultWriter> make_parquet_writer(Output& out, const WriterOptions& options);
std::unique_ptr<ResultWriter> make_gexf_writer(Output& out, const WriterOptions& options);
std::unique_ptr<ResultWriter> make_graphml_writer(Output& out, const WriterOptions& options);

/// One CSV cell: formula-injection guard (a leading = + - @ TAB or CR gets a ' in front), then
/// RFC 4180 quoting (cells with , " CR or LF are quoted, " doubled). Appends to `out`.
void append_csv_cell(std::string& out, std::string_view cell);

} // namespace dg::exports
