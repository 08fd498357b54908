// domaingraph report [SCAN] -o report.html [--db URL]  (docs/cli/report.md)
#include "dg/cli/commands.hpp"
#include "dg/cli/exit_codes.hpp"
#include "dg/cli/scan_ref.hpp"
#include "dg/cli/store_access.hpp"
#include "dg/hostnames/dictionary.hpp"
#include "dg/report/report.hpp"

#include <charconv>
#include <memory>
#include <string>

namespace dg::cli {
namespace {

constexpr const char* kName = "report";

struct ReportCliOptions {
    std::string scan = "latest-complete";
    std::string output;
    std::string db;
    std::string sweep; ///< --sweep ID|latest: add the router-hostname section of a PTR sweep
    std::string dict_dir;
    report::ReportOptions report;
};

/// The router-hostname section of `--sweep ID|latest` into `data` (nothing without --sweep).
Result<void> add_hostnames_section(const ReportCliOptions& o, store::Store& store,
                                   nlohmann::ordered_json& data) {
    if (o.sweep.empty()) {
        return {};
    }
    std::int64_t id = 0;
    if (o.sweep != "latest") {
        const auto* end = o.sweep.data() + o.sweep.size();
        const auto parsed = std::from_chars(o.sweep.data(), end, id);
        if (parsed.ec != std::errc{} || parsed.ptr != end || id <= 0) {
            return make_error(ErrorCode::InvalidArgument,
                              "--sweep takes a sweep id or 'latest', not '" + o.sweep + "'");
        }
    }
    DG_TRY(auto dict, hostnames::Dictionary::find(o.dict_dir));
    DG_TRY(auto section, report::collect_hostnames(store, id, dict));
    data["hostnames"] = std::move(section);
    return {};
}

int run_report(const ReportCliOptions& o) {
    auto store = open_store_or_report(kName, o.db);
    auto reader = store ? open_store_or_report(kName, o.db) : nullptr;
    if (!store || !reader) {
        return kExitFailure;
    }
    auto id = resolve_scan_ref(*store, o.scan);
    if (!id) {
        return report_error(kName, id.error());
    }
    auto data = report::collect(*store, *reader, *id, o.report);
    if (!data) {
        return report_error(kName, data.error());
    }
    if (auto added = add_hostnames_section(o, *store, *data); !added) {
        return report_error(kName, added.error());
    }
    auto page = report::render_html(*data);
    if (!page) {
        return report_error(kName, page.error());
    }
    return write_output(kName, o.output, *page) ? kExitOk : kExitFailure;
}

} // namespace

void register_report_command(CLI::App& app, Runner& selected) {
    auto o = std::make_shared<ReportCliOptions>();
    CLI::App* cmd = app.add_subcommand(
        "report", "One self-contained HTML page with charts about a scan: AS distribution,\n"
                  "organisation shares, diversity, single points of failure, trends and the\n"
                  "changes since the previous scan (opens offline)");
    cmd->add_option("SCAN", o->scan, std::string(kScanRefHelp) + "; default: latest-complete");
    cmd->add_option("-o,--output", o->output, "the HTML file ('-' = stdout)")->required();
    add_db_option(cmd, o->db);
    cmd->add_option("--top", o->report.top_asns, "ASes in the distribution chart (default 15)");
    cmd->add_option("--days", o->report.trend_days,
                    "trends: complete scans of this many days before the scan (default 30)");
    cmd->add_option("--sweep", o->sweep,
                    "add a 'Router hostnames' section for stored PTR sweep ID (or 'latest'): "
                    "what the names decode to, the CDF of items per name and the city-level "
                    "topology map of /31 and /30 neighbours (see 'domaingraph ptr sweep')");
    cmd->add_option("--dict", o->dict_dir,
                    "hostname dictionary directory for --sweep (default: the shipped one)");
    cmd->footer("Example: domaingraph report latest -o report.html\n"
                "         domaingraph report latest --sweep latest -o report.html\nPage contents: "
                "docs/cli/report.md");
    cmd->callback([o, &selected] { selected = [o] { return run_report(*o); }; });
}

} // namespace dg::cli
