// domaingraph history DOMAIN [--json] [--db URL]  (docs/cli/history.md)
#include "dg/cli/commands.hpp"
#include "dg/cli/exit_codes.hpp"
#include "dg/cli/store_access.hpp"
#include "dg/core/domain_name.hpp"
#include "dg/diff/views.hpp"

#include <memory>
#include <string>

namespace dg::cli {
namespace {

constexpr const char* kName = "history";

struct HistoryOptions {
    std::string domain;
    std::string db;
    bool json = false;
};

int run_history(const HistoryOptions& o) {
    auto name = DomainName::parse(o.domain, /*allow_underscore=*/true);
    if (!name) {
        std::fprintf(stderr, "domaingraph history: '%s' is not a domain name: %s\n",
                     o.domain.c_str(), name.error().message.c_str());
        return kExitUsage;
    }
    auto store = open_store_or_report(kName, o.db);
    if (!store) {
        return kExitFailure;
    }
    auto entries = diff::domain_history(*store, name->text());
    if (!entries) {
        return report_error(kName, entries.error());
    }
    const std::string text = o.json ? diff::history_json(*entries).dump(2) + "\n"
                                    : diff::history_text(name->text(), *entries);
    return write_output(kName, "-", text) ? kExitOk : kExitFailure;
}

} // namespace

void register_history_command(CLI::App& app, Runner& selected) {
    auto opts = std::make_shared<HistoryOptions>();
    CLI::App* cmd = app.add_subcommand(
        "history", "What a domain looked like scan by scan, with what changed between scans");
    cmd->add_option("DOMAIN", opts->domain, "domain name (any case, Unicode or A-labels)")
        ->required();
    cmd->add_flag("--json", opts->json,
                  "JSON array of {scan_id, started_at, scan_status, result}, oldest scan first");
    add_db_option(cmd, opts->db);
    cmd->footer("Examples:\n  domaingraph history example.com\n"
                "  domaingraph history Bücher.example --json\nDetails: docs/cli/history.md\n");
    cmd->callback([opts, &selected] { selected = [opts] { return run_history(*opts); }; });
}

} // namespace dg::cli
