#include "dg/export/export.hpp"

#include <array>
#include <utility>

namespace dg::exports {
namespace {

constexpr std::array<std::pair<std::string_view, Format>, 7> kNames{{
    {"json", Format::Json},
    {"jsonl", Format::Jsonl},
    {"ndjson", Format::Jsonl},
    {"csv", Format::Csv},
    {"parquet", Format::Parquet},
    {"gexf", Format::Gexf},
    {"graphml", Format::Graphml},
}};

} // namespace

Result<Format> parse_format(std::string_view name) {
    for (const auto& [n, f] : kNames) {
        if (n == name) {
            return f;
        }
    }
    return make_error(ErrorCode::InvalidArgument,
                      "unknown export format '" + std::string(name) +
                          "' (json, jsonl, csv, parquet, gexf, graphml)");
}

Result<GexfVersion> parse_gexf_version(std::string_view name) {
    if (name == "1.2draft" || name == "1.2") {
        return GexfVersion::V1_2draft;
    }
    if (name == "1.3") {
        return GexfVersion::V1_3;
    }
    return make_error(ErrorCode::InvalidArgument,
                      "unknown GEXF version '" + std::string(name) + "' (1.2draft or 1.3)");
}

const char* format_name(Format f) {
    switch (f) {
    case Format::Json:
        return "json";
    case Format::Jsonl:
        return "jsonl";
    case Format::Csv:
        return "csv";
    case Format::Parquet:
        return "parquet";
    case Format::Gexf:
        return "gexf";
    case Format::Graphml:
        return "graphml";
    }
    return "?";
}

std::optional<Format> format_from_path(std::string_view path) {
    const auto dot = path.rfind('.');
    if (dot == std::string_view::npos || path.find('/', dot) != std::string_view::npos) {
        return std::nullopt;
    }
    auto f = parse_format(path.substr(dot + 1));
    return f ? std::optional<Format>(*f) : std::nullopt;
}

Result<Format> format_for_output(std::string_view path) {
    if (auto f = format_from_path(path)) {
        return *f;
    }
    const auto slash = path.rfind('/');
    const auto base = path.substr(slash == std::string_view::npos ? 0 : slash + 1);
    const auto dot = base.rfind('.');
    if (path == "-" || dot == std::string_view::npos || dot == 0) {
        return Format::Jsonl;
    }
    return make_error(ErrorCode::InvalidArgument,
                      "no writer for '" + std::string(base.substr(dot)) + "' files (" +
                          std::string(path) +
                          "): name the file .jsonl, .json, .csv, .parquet, .gexf or .graphml, "
                          "or give --format");
}

bool is_binary(Format f) {
    return f == Format::Parquet;
}

Result<ParquetCodec> parse_parquet_codec(std::string_view name) {
    if (name == "none" || name == "uncompressed") {
        return ParquetCodec::None;
    }
    if (name == "zstd") {
        return ParquetCodec::Zstd;
    }
    if (name == "gzip") {
        return ParquetCodec::Gzip;
    }
    return make_error(ErrorCode::InvalidArgument,
                      "unknown Parquet codec '" + std::string(name) + "' (zstd, gzip, none)");
}

std::unique_ptr<ResultWriter> make_writer(Format format, Output& out,
                                          const WriterOptions& options) {
    switch (format) {
    case Format::Json:
        return make_json_writer(out);
    case Format::Jsonl:
        return make_jsonl_writer(out);
    case Format::Csv:
        return make_csv_writer(out);
    case Format::Parquet:
        return make_parquet_writer(out, options);
    case Format::Gexf:
        return make_gexf_writer(out, options);
    case Format::Graphml:
        return make_graphml_writer(out, options);
    }
    return make_jsonl_writer(out);
}

Result<ExportSummary> export_scan(store::Store& store, const ExportRequest& request) {
    DG_TRY(const model::Scan scan, store.get_scan(request.scan_id));
    std::unique_ptr<Output> out;
    if (request.sink) {
        out = Output::to_sink(request.sink);
    } else {
        DG_TRY(out, Output::open(request.output));
    }
    WriterOptions options = request.writer;
    // A completed scan's results do not change between two reads.
    options.repeatable_input = scan.status == model::ScanStatus::Complete;
    auto writer = make_writer(request.format, *out, options);
    ExportSummary summary;
    for (unsigned pass = 0; pass < writer->passes(); ++pass) {
        if (pass > 0) {
            DG_TRY_VOID(writer->next_pass());
        }
        summary.domains = 0;
        Result<void> failure;
        DG_TRY_VOID(store.results(request.scan_id, {}, [&](const store::StoredResult& row) {
            failure = writer->write(row.result);
            ++summary.domains;
            return failure.has_value();
        }));
        DG_TRY_VOID(failure);
    }
    DG_TRY_VOID(writer->finish());
    DG_TRY_VOID(out->commit());
    summary.rows = writer->rows();
    summary.bytes = out->offset();
    return summary;
}

} // namespace dg::exports
