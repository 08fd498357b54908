// domaingraph scans list|show ID|delete ID [--json] [--db URL]  (docs/cli/scans.md)
#include "dg/cli/commands.hpp"
#include "dg/cli/exit_codes.hpp"
#include "dg/cli/scan_ref.hpp"
#include "dg/cli/store_access.hpp"
#include "dg/diff/diff.hpp"
#include "dg/diff/views.hpp"
#include "dg/scan/job_list.hpp"

#include <memory>
#include <string>

namespace dg::cli {
namespace {

constexpr const char* kName = "scans";

struct ScansOptions {
    std::string scan;
    std::string db;
    bool json = false;
};

int run_list(const ScansOptions& o) {
    auto store = open_store_or_report(kName, o.db);
    if (!store) {
        return kExitFailure;
    }
    auto scans = store->list_scans();
    if (!scans) {
        return report_error(kName, scans.error());
    }
    const std::string text =
        o.json ? diff::scans_json(*scans).dump(2) + "\n" : diff::scans_text(*scans);
    return write_output(kName, "-", text) ? kExitOk : kExitFailure;
}

int run_show(const ScansOptions& o) {
    auto store = open_store_or_report(kName, o.db);
    if (!store) {
        return kExitFailure;
    }
    auto scan = diff::resolve_scan(*store, o.scan);
    if (!scan) {
        return report_error(kName, scan.error());
    }
    auto counts = diff::status_counts(*store, scan->id);
    if (!counts) {
        return report_error(kName, counts.error());
    }
    const std::string text =
        o.json ? diff::scan_json(*scan, *counts).dump(2) + "\n" : diff::scan_text(*scan, *counts);
    return write_output(kName, "-", text) ? kExitOk : kExitFailure;
}

int run_delete(const ScansOptions& o) {
    auto store = open_store_or_report(kName, o.db);
    if (!store) {
        return kExitFailure;
    }
    auto scan = diff::resolve_scan(*store, o.scan);
    if (!scan) {
        return report_error(kName, scan.error());
    }
    auto deleted = scan::delete_scan(*store, scan->id); // with its server job list, if any
    if (!deleted) {
        return report_error(kName, deleted.error());
    }
    std::fprintf(stderr, "domaingraph scans: deleted scan %lld (%llu results)\n",
                 static_cast<long long>(scan->id),
                 static_cast<unsigned long long>(scan->domains_done));
    return kExitOk;
}

CLI::App* add(CLI::App& group, const char* name, const char* help,
              const std::shared_ptr<ScansOptions>& opts) {
    CLI::App* cmd = group.add_subcommand(name, help);
    add_db_option(cmd, opts->db);
    return cmd;
}

} // namespace

void register_scans_commands(CLI::App& app, Runner& selected) {
    CLI::App& group =
        subcommand_group(app, "scans", "Stored scans: list, show, delete, progress, retry-failed");
    auto opts = std::make_shared<ScansOptions>();

    CLI::App* list = add(group, "list", "All scans in creation order", opts);
    list->add_flag("--json", opts->json,
                   "JSON array of {id, status, started_at, finished_at, domains_total, "
                   "domains_done, notes, rib, config}");
    list->callback([opts, &selected] { selected = [opts] { return run_list(*opts); }; });

    CLI::App* show = add(group, "show", "One scan and the count of its results per status", opts);
    show->add_option("ID", opts->scan, kScanRefHelp)->required();
    show->add_flag("--json", opts->json, "JSON object");
    show->callback([opts, &selected] { selected = [opts] { return run_show(*opts); }; });

    CLI::App* del = add(group, "delete", "Delete a scan with its results and changes", opts);
    del->add_option("ID", opts->scan, kScanRefHelp)->required();
    del->callback([opts, &selected] { selected = [opts] { return run_delete(*opts); }; });

    register_distributed_scans_commands(group, selected);
    group.footer("Examples:\n  domaingraph scans list\n  domaingraph scans show latest --json\n"
                 "  domaingraph scans delete 3\nDetails: docs/cli/scans.md\n");
}

} // namespace dg::cli
