// domaingraph export SCAN [--format F] [-o FILE] [--db URL]  (docs/cli/export.md)
#include "dg/cli/commands.hpp"
#include "dg/cli/exit_codes.hpp"
#include "dg/cli/scan_ref.hpp"
#include "dg/export/export.hpp"

#include <cstdio>
#include <unistd.h>

namespace dg::cli {
namespace {

struct ExportOptions {
    std::string scan;
    std::string format;
    std::string output = "-";
    std::string db;
    std::string codec = "zstd";
    std::string gexf_version = "1.2draft";
    std::uint32_t row_group_rows = 1u << 16;
};

int fail(const Error& e) {
    std::fprintf(stderr, "domaingraph export: %s\n", e.to_string().c_str());
    return e.code == ErrorCode::InvalidArgument ? kExitUsage : kExitFailure;
}

int run_export(const ExportOptions& o) {
    exports::ExportRequest req;
    req.output = o.output;
    if (!o.format.empty()) {
        auto f = exports::parse_format(o.format);
        if (!f) {
            return fail(f.error());
        }
        req.format = *f;
    } else {
        auto f = exports::format_for_output(o.output);
        if (!f) {
            return fail(f.error());
        }
        req.format = *f;
    }
    auto codec = exports::parse_parquet_codec(o.codec);
    if (!codec) {
        return fail(codec.error());
    }
    req.writer.parquet_codec = *codec;
    auto gexf = exports::parse_gexf_version(o.gexf_version);
    if (!gexf) {
        return fail(gexf.error());
    }
    req.writer.gexf_version = *gexf;
    req.writer.parquet_row_group_rows = o.row_group_rows == 0 ? 1 : o.row_group_rows;
    if (exports::is_binary(req.format) && o.output == "-" && ::isatty(STDOUT_FILENO) == 1) {
        std::fprintf(stderr,
                     "domaingraph export: refusing to write %s to a terminal; use -o FILE\n",
                     exports::format_name(req.format));
        return kExitUsage;
    }
    auto store = store::Store::open(o.db);
    if (!store) {
        return fail(store.error());
    }
    auto id = resolve_scan_ref(**store, o.scan);
    if (!id) {
        return fail(id.error());
    }
    req.scan_id = *id;
    req.writer.graph_name = "domaingraph scan " + std::to_string(*id);
    auto summary = exports::export_scan(**store, req);
    if (!summary) {
        return fail(summary.error());
    }
    if (o.output != "-") {
        std::fprintf(stderr,
                     "domaingraph export: scan %lld: %llu domains, %llu rows, %llu bytes (%s) -> "
                     "%s\n",
                     static_cast<long long>(*id), static_cast<unsigned long long>(summary->domains),
                     static_cast<unsigned long long>(summary->rows),
                     static_cast<unsigned long long>(summary->bytes),
                     exports::format_name(req.format), o.output.c_str());
    }
    return kExitOk;
}

} // namespace

void register_export_command(CLI::App& app, Runner& selected) {
    auto opts = std::make_shared<ExportOptions>();
    CLI::App* cmd = app.add_subcommand(
        "export", "Write a stored scan as json, jsonl, csv, parquet, gexf or graphml");
    cmd->add_option("SCAN", opts->scan, kScanRefHelp)->required();
    cmd->add_option("--format,-f", opts->format,
                    "json|jsonl|csv|parquet|gexf|graphml (default: from -o's extension, else "
                    "jsonl)");
    cmd->add_option("-o,--output", opts->output, "output file ('-' = stdout, the default)");
    cmd->add_option("--db", opts->db, "store URL (default: SQLite in the user data directory)");
    cmd->add_option("--parquet-codec", opts->codec, "zstd (default), gzip or none");
    cmd->add_option("--gexf-version", opts->gexf_version,
                    "GEXF flavour: 1.2draft (default; Gephi, networkx, sigma.js read it) or 1.3")
        ->capture_default_str();
    cmd->add_option("--row-group-rows", opts->row_group_rows,
                    "Parquet rows per row group (default 65536)");
    cmd->footer("Examples:\n  domaingraph export 3 -o scan3.parquet\n"
                "  domaingraph export latest --format csv -o - | head\n"
                "Formats and columns: docs/cli/export.md");
    cmd->callback([opts, &selected] { selected = [opts] { return run_export(*opts); }; });
}

} // namespace dg::cli
