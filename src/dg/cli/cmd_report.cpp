// domaingraph report [SCAN] -o report.html [--db URL]  (docs/cli/report.md)
#include "dg/cli/commands.hpp"
#include "dg/cli/exit_codes.hpp"
#include "dg/cli/scan_ref.hpp"
#include "dg/cli/store_access.hpp"
#include "dg/report/report.hpp"

#include <memory>
#include <string>

namespace dg::cli {
namespace {

constexpr const char* kName = "report";

struct ReportCliOptions {
    std::string scan = "latest-complete";
    std::string output;
    std::string db;
    report::ReportOptions report;
};

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
    cmd->footer("Example: domaingraph report latest -o report.html\nPage contents: "
                "docs/cli/report.md");
    cmd->callback([o, &selected] { selected = [o] { return run_report(*o); }; });
}

} // namespace dg::cli
