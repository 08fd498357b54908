// domaingraph as2org lookup -f FILE [ASN ...] [--siblings]  (docs/cli/as2org.md); infer, validate
// and diff live in cmd_as2org_infer.cpp.
#include "dg/cli/as2org_commands.hpp"
#include "dg/cli/commands.hpp"
#include "dg/cli/exit_codes.hpp"
#include "dg/cli/stdout_buffer.hpp"
#include "dg/core/text.hpp"
#include "dg/org/org_table.hpp"

#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace dg::cli {
namespace {

/// Warnings printed per load; the rest are counted.
constexpr std::size_t kWarningsShown = 20;

struct As2orgOptions {
    std::string file;
    std::vector<std::string> asns;
    bool siblings = false;
};

nlohmann::ordered_json text_or_null(std::string_view s) {
    if (s.empty()) {
        return nullptr;
    }
    return std::string(s);
}

void answer(const org::OrgTable& table, std::string_view text, const std::string& where,
            bool siblings, StdoutBuffer& out) {
    nlohmann::ordered_json j;
    auto asn = Asn::parse(text);
    if (!asn) {
        std::fprintf(stderr, "domaingraph as2org lookup: %s: invalid AS number '%.*s'\n",
                     where.c_str(), static_cast<int>(text.size()), text.data());
        j["asn"] = std::string(text);
        j["error"] = "invalid AS number";
    } else {
        const org::AsOrg* as = table.as_of(*asn);
        const org::Organisation* org = table.org_of(*asn);
        j["asn"] = asn->value();
        j["name"] = as != nullptr ? text_or_null(as->name) : nullptr;
        j["org_id"] = as != nullptr ? text_or_null(as->org_id) : nullptr;
        j["org_name"] = org != nullptr ? text_or_null(org->name) : nullptr;
        j["country"] = text_or_null(table.country_of(*asn));
        j["source"] = as != nullptr ? text_or_null(as->source) : nullptr;
        j["changed"] = as != nullptr ? text_or_null(as->changed) : nullptr;
        if (siblings) {
            auto list = nlohmann::ordered_json::array();
            if (org != nullptr) {
                for (const org::AsOrg* s : table.ases_of(org->id)) {
                    list.push_back(s->asn.value());
                }
            }
            j["siblings"] = std::move(list);
        }
    }
    out.text() += j.dump();
    out.text() += '\n';
    out.maybe_flush();
}

int run_lookup(const As2orgOptions& opts) {
    org::LoadReport report;
    auto table = org::OrgTable::load(opts.file, &report);
    for (std::size_t i = 0; i < report.warnings.size() && i < kWarningsShown; ++i) {
        std::fprintf(stderr, "domaingraph as2org: %s\n", report.warnings[i].to_string().c_str());
    }
    const std::uint64_t problems = report.skipped + report.unknown_org_refs;
    if (problems > kWarningsShown) {
        std::fprintf(stderr, "domaingraph as2org: %s: %llu lines skipped, %llu unknown org_id\n",
                     report.source.c_str(), static_cast<unsigned long long>(report.skipped),
                     static_cast<unsigned long long>(report.unknown_org_refs));
    }
    if (!table) {
        std::fprintf(stderr, "domaingraph as2org: cannot load %s: %s\n", opts.file.c_str(),
                     table.error().to_string().c_str());
        return kExitFailure;
    }
    StdoutBuffer out;
    if (!opts.asns.empty()) {
        for (std::size_t i = 0; i < opts.asns.size(); ++i) {
            answer(*table, trim(opts.asns[i]), "argument " + std::to_string(i + 1), opts.siblings,
                   out);
        }
        return kExitOk;
    }
    std::string line;
    std::uint64_t number = 0;
    while (std::getline(std::cin, line)) {
        ++number;
        const std::string_view text = trim(line);
        if (text.empty() || text.front() == '#') {
            continue;
        }
        answer(*table, text, "stdin line " + std::to_string(number), opts.siblings, out);
    }
    return kExitOk;
}

} // namespace

void register_as2org_commands(CLI::App& app, Runner& selected) {
    CLI::App& group =
        subcommand_group(app, "as2org", "AS -> organisation data (CAIDA AS Organizations)");
    auto opts = std::make_shared<As2orgOptions>();
    CLI::App* cmd = group.add_subcommand(
        "lookup",
        "Map AS numbers to their organisation; one JSON object per line:\n"
        "{\"asn\", \"name\", \"org_id\", \"org_name\", \"country\", \"source\", \"changed\"}\n"
        "(null where unknown). ASNs come from the arguments, or from stdin one per line.\n"
        "FILE: CAIDA's YYYYMMDD.as-org2info.txt or .jsonl, plain or gz/bz2/zst.\n"
        "Example:\n"
        "  domaingraph as2org lookup -f 20240101.as-org2info.txt.gz 64496 AS64497");
    cmd->add_option("-f,--file", opts->file, "The as2org file")->required();
    cmd->add_option("asns", opts->asns, "AS numbers (default: read stdin)");
    cmd->add_flag("--siblings", opts->siblings,
                  "Add \"siblings\": every AS of the same organisation");
    cmd->callback([opts, &selected] { selected = [opts] { return run_lookup(*opts); }; });
    register_as2org_infer(group, selected);
    register_as2org_fetch(group, selected);
    register_as2org_validate(group, selected);
    register_as2org_diff(group, selected);
}

} // namespace dg::cli
