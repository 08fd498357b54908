// domaingraph diff SCAN_A SCAN_B [--format text|json] [-o FILE] [--db URL]  (docs/cli/diff.md)
#include "dg/analytics/analytics.hpp"
#include "dg/analytics/report_json.hpp"
#include "dg/cli/commands.hpp"
#include "dg/cli/exit_codes.hpp"
#include "dg/cli/store_access.hpp"
#include "dg/diff/diff.hpp"
#include "dg/diff/report.hpp"
#include "dg/store/store.hpp"

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace dg::cli {
namespace {

constexpr const char* kName = "diff";

struct DiffOptions {
    std::string scan_a;
    std::string scan_b;
    std::string format = "text";
    std::string output = "-";
    std::string db;
    bool no_store = false;
    bool across_lists = false;
    bool providers = false;
    double threshold_pp = 1.0;
};

/// Scans of two different lists (watches) are not "before and after" of anything: refused
/// without --across-lists, and said aloud with it. Ad-hoc scans (no list) compare as before.
bool lists_allow(const DiffOptions& o, const model::Scan& a, const model::Scan& b) {
    const std::string list_a = store::list_of(a);
    const std::string list_b = store::list_of(b);
    if (list_a == list_b) {
        return true;
    }
    auto name = [](const std::string& list) {
        return list.empty() ? std::string("no list (an ad-hoc scan)") : "list " + list;
    };
    const std::string what = "scan " + std::to_string(a.id) + " is of " + name(list_a) + ", scan " +
                             std::to_string(b.id) + " of " + name(list_b);
    if (!o.across_lists) {
        std::fprintf(stderr,
                     "domaingraph diff: %s: their differences are mostly the lists' "
                     "differences. Compare with 'previous' (the previous scan of the same list), "
                     "or give --across-lists to compare them anyway\n",
                     what.c_str());
        return false;
    }
    std::fprintf(stderr, "domaingraph diff: warning: %s (--across-lists)\n", what.c_str());
    return true;
}

int run_diff(const DiffOptions& o) {
    auto store = open_store_or_report(kName, o.db);
    if (!store) {
        return kExitFailure;
    }
    auto pair = diff::resolve_pair(*store, o.scan_a, o.scan_b);
    if (!pair) {
        return report_error(kName, pair.error());
    }
    const model::Scan* a = &pair->a;
    const model::Scan* b = &pair->b;
    if (!lists_allow(o, *a, *b)) {
        return kExitUsage;
    }
    // diff_scans reads scan A through a second connection (a Store is one connection).
    auto reader_a = open_store_or_report(kName, o.db);
    if (!reader_a) {
        return kExitFailure;
    }
    std::vector<model::Change> changes;
    diff::DiffSink sink;
    sink.change = [&](const model::Change& c) {
        changes.push_back(c);
        return true;
    };
    auto summary = diff::diff_scans(*reader_a, *store, a->id, b->id, sink);
    reader_a.reset();
    if (!summary) {
        return report_error(kName, summary.error());
    }
    std::string text = o.format == "json" ? diff::json_report(*summary, changes, &*pair)
                                          : diff::text_report(*summary, changes, *pair);
    if (o.providers) {
        // AS- and organisation-level: which providers gained or lost domains
        auto stats_a = analytics::scan_stats(*store, a->id);
        auto stats_b = stats_a ? analytics::scan_stats(*store, b->id) : stats_a;
        if (!stats_b) {
            return report_error(kName, stats_b.error());
        }
        const auto shifts = analytics::compare_providers(*stats_a, *stats_b, o.threshold_pp);
        if (o.format == "json") {
            // one more member of the report's object, its layout (a change per line) kept
            const auto end = text.rfind('}');
            text = text.substr(0, end) + ",\n\"providers\": " + analytics::to_json(shifts).dump() +
                   "}\n";
        } else {
            text += "\n" + analytics::provider_text(shifts);
        }
    }
    if (!write_output(kName, o.output, text)) {
        return kExitFailure;
    }
    if (!o.no_store) {
        auto stored = store->write_changes(a->id, b->id, changes);
        if (!stored) {
            std::fprintf(stderr, "domaingraph diff: the changes were not stored: %s\n",
                         stored.error().message.c_str());
            return kExitFailure;
        }
    }
    return kExitOk;
}

} // namespace

void register_diff_command(CLI::App& app, Runner& selected) {
    auto opts = std::make_shared<DiffOptions>();
    CLI::App* cmd = app.add_subcommand(
        "diff", "What changed between two stored scans: addresses, origin ASes, prefixes, name\n"
                "servers, mail servers, CNAMEs and resolution status, each with a severity\n"
                "(info|warning). The changes are also stored in the database.");
    cmd->add_option(
           "SCAN_A", opts->scan_a,
           "older scan: id, 'latest' or 'previous' (the previous scan of SCAN_B's input: the\n"
           "newest earlier scan of the same set of names)")
        ->required();
    cmd->add_option("SCAN_B", opts->scan_b, "newer scan: id, 'latest', 'previous'")->required();
    cmd->add_option("-f,--format", opts->format, "text (the readable report, default) or json")
        ->check(CLI::IsMember({"text", "json"}));
    cmd->add_option("-o,--output", opts->output, "output file ('-' = stdout, the default)");
    add_db_option(cmd, opts->db);
    cmd->add_flag("--no-store", opts->no_store, "do not store the changes in the database");
    cmd->add_flag("--providers", opts->providers,
                  "also compare the scans AS by AS and organisation by organisation: providers "
                  "that gained or lost domains, shares that moved by --threshold points or more");
    cmd->add_option("--threshold", opts->threshold_pp,
                    "with --providers: the move in percentage points of the scan's domains that "
                    "is listed")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 100.0));
    cmd->add_flag("--across-lists", opts->across_lists,
                  "compare scans of two different lists (watches), or of a list and an ad-hoc "
                  "scan; refused without it");
    cmd->footer("Examples:\n  domaingraph diff previous latest\n"
                "  domaingraph diff 3 7 --format json -o changes.json\n"
                "Change types and severities: docs/cli/diff.md\n");
    cmd->callback([opts, &selected] { selected = [opts] { return run_diff(*opts); }; });
}

} // namespace dg::cli
