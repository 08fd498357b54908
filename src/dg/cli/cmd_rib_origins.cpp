// domaingraph rib origins FILE [--policy default|pyasn]  (docs/cli/lookup.md)
#include "dg/bgp/table_sources.hpp"
#include "dg/cli/commands.hpp"
#include "dg/cli/exit_codes.hpp"

#include <cstdio>
#include <memory>
#include <string>

namespace dg::cli {
namespace {

struct OriginsOptions {
    std::string file;
    std::string policy = "default";
    bool no_cache = false;
    bool strict = false;
};

int run_origins(const OriginsOptions& opts) {
    auto policy = bgp::parse_policy(opts.policy);
    if (!policy) {
        std::fprintf(stderr, "domaingraph rib origins: %s\n", policy.error().to_string().c_str());
        return kExitUsage;
    }
    bgp::SourceOptions so;
    so.policy = *policy;
    so.use_cache = !opts.no_cache;
    auto source = bgp::IpAsnSource::open(opts.file, so);
    if (!source) {
        std::fprintf(stderr, "domaingraph rib origins: %s\n", source.error().to_string().c_str());
        return kExitFailure;
    }
    const bgp::PrefixTable* table = source->table();
    if (table == nullptr) {
        std::fprintf(stderr, "domaingraph rib origins: %s: a .mmdb cannot be listed; use lookup\n",
                     opts.file.c_str());
        return kExitFailure;
    }
    std::string out;
    for (std::size_t i = 0; i < table->size(); ++i) {
        out += table->prefix(i).to_string();
        out += '\t';
        const auto origins = table->origins(i);
        for (std::size_t k = 0; k < origins.size(); ++k) {
            if (k > 0) {
                out += ',';
            }
            out += std::to_string(origins[k].asn);
        }
        out += '\n';
        if (out.size() > (1U << 16)) {
            std::fwrite(out.data(), 1, out.size(), stdout);
            out.clear();
        }
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
    // docs/cli/exit-codes.md, as `rib dump` and `rib info`: damaged records are skipped and
    // reported (exit 0); exit 3 when the stream lost its framing, or with --strict on any error.
    const auto& r = source->report();
    if (r.damaged || r.record_errors + r.malformed > 0) {
        std::fprintf(stderr,
                     "domaingraph rib origins: %s: %llu record errors, %llu malformed lines%s; the "
                     "table holds what could be read\n",
                     opts.file.c_str(), static_cast<unsigned long long>(r.record_errors),
                     static_cast<unsigned long long>(r.malformed),
                     r.damaged ? ", the stream is damaged (framing lost or unreadable)" : "");
    }
    if (r.damaged || (opts.strict && r.record_errors + r.malformed > 0)) {
        return kExitDataErrors;
    }
    return kExitOk;
}

} // namespace

void register_rib_origins(CLI::App& rib, Runner& selected) {
    auto opts = std::make_shared<OriginsOptions>();
    CLI::App* cmd = rib.add_subcommand(
        "origins", "Print the prefix -> origin AS table of a RIB dump: prefix<TAB>origins, one\n"
                   "line per prefix (IPv4 then IPv6, sorted), MOAS origins joined with ',' (most\n"
                   "peers first). Default routes are left out.\n"
                   "Examples:\n"
                   "  domaingraph rib origins bview.20240101.0000.gz\n"
                   "  domaingraph rib origins rib.bz2 --policy pyasn   # as pyasn_util_convert");
    cmd->add_option("file", opts->file, "MRT RIB dump (or any lookup source but .mmdb)")
        ->required();
    cmd->add_option("--policy", opts->policy,
                    "default: every origin, by peer count; pyasn: pyasn's converter exactly")
        ->check(CLI::IsMember({"default", "pyasn"}))
        ->capture_default_str();
    cmd->add_flag("--no-cache", opts->no_cache, "Neither read nor write the table cache");
    cmd->add_flag("--strict", opts->strict, "exit 3 on any record error or malformed line");
    cmd->callback([opts, &selected] { selected = [opts] { return run_origins(*opts); }; });
}

} // namespace dg::cli
