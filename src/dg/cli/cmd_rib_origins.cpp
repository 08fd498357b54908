// domaingraph rib origins FILE [--policy default|pyasn]  (docs/cli/lookup.md)
// domaingraph rib prefixes FILE ASN... [--any-origin] [--json]  (pyasn's get_as_prefixes)
#include "dg/bgp/table_sources.hpp"
#include "dg/cli/commands.hpp"
#include "dg/cli/exit_codes.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace dg::cli {
namespace {

struct OriginsOptions {
    std::string file;
    std::string policy = "default";
    bool no_cache = false;
    bool strict = false;
};

/// Opens a listable table for `command` ("domaingraph rib origins"): nullopt after printing why
/// (`exit_code` says which exit code).
std::optional<bgp::IpAsnSource> open_listable(const OriginsOptions& opts, const char* command,
                                              int& exit_code) {
    auto policy = bgp::parse_policy(opts.policy);
    if (!policy) {
        std::fprintf(stderr, "%s: %s\n", command, policy.error().to_string().c_str());
        exit_code = kExitUsage;
        return std::nullopt;
    }
    bgp::SourceOptions so;
    so.policy = *policy;
    so.use_cache = !opts.no_cache;
    auto source = bgp::IpAsnSource::open(opts.file, so);
    exit_code = kExitFailure;
    if (!source) {
        std::fprintf(stderr, "%s: %s\n", command, source.error().to_string().c_str());
        return std::nullopt;
    }
    if (source->table() == nullptr) {
        std::fprintf(stderr, "%s: %s: a .mmdb cannot be listed; use lookup\n", command,
                     opts.file.c_str());
        return std::nullopt;
    }
    exit_code = kExitOk;
    return std::move(*source);
}

/// docs/cli/exit-codes.md, as `rib dump` and `rib info`: damaged records are skipped and
/// reported (exit 0); exit 3 when the stream lost its framing, or with --strict on any error.
int damage_exit_code(const bgp::IpAsnSource& source, const OriginsOptions& opts,
                     const char* command) {
    const auto& r = source.report();
    if (r.damaged || r.record_errors + r.malformed > 0) {
        std::fprintf(stderr,
                     "%s: %s: %llu record errors, %llu malformed lines%s; the table holds what "
                     "could be read\n",
                     command, opts.file.c_str(), static_cast<unsigned long long>(r.record_errors),
                     static_cast<unsigned long long>(r.malformed),
                     r.damaged ? ", the stream is damaged (framing lost or unreadable)" : "");
    }
    if (r.damaged || (opts.strict && r.record_errors + r.malformed > 0)) {
        return kExitDataErrors;
    }
    return kExitOk;
}

int run_origins(const OriginsOptions& opts) {
    constexpr const char* kCommand = "domaingraph rib origins";
    int exit_code = kExitOk;
    const auto source = open_listable(opts, kCommand, exit_code);
    if (!source) {
        return exit_code;
    }
    const bgp::PrefixTable* table = source->table();
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
    return damage_exit_code(*source, opts, kCommand);
}

struct PrefixesOptions : OriginsOptions {
    std::vector<std::string> asns;
    bool any_origin = false;
    bool json = false;
};

/// `rib prefixes`: the prefixes an AS originates, as pyasn's get_as_prefixes (the primary
/// origin, by peer count; --any-origin: any MOAS origin), IPv4 then IPv6, sorted.
int run_prefixes(const PrefixesOptions& opts) {
    constexpr const char* kCommand = "domaingraph rib prefixes";
    std::set<std::uint32_t> wanted;
    for (const std::string& text : opts.asns) {
        const auto asn = Asn::parse(text);
        if (!asn) {
            std::fprintf(stderr, "%s: '%s' is not an AS number (64496, AS64496 or asdot 1.10)\n",
                         kCommand, text.c_str());
            return kExitUsage;
        }
        wanted.insert(asn->value());
    }
    int exit_code = kExitOk;
    const auto source = open_listable(opts, kCommand, exit_code);
    if (!source) {
        return exit_code;
    }
    const bgp::PrefixTable& table = *source->table();
    std::string out;
    std::map<std::uint32_t, std::pair<std::uint64_t, std::uint64_t>> counts; // v4, v6
    for (std::size_t i = 0; i < table.size(); ++i) {
        const auto origins = table.origins(i);
        if (origins.empty()) {
            continue;
        }
        const auto last = opts.any_origin ? origins.end() : origins.begin() + 1;
        for (auto it = origins.begin(); it != last; ++it) {
            if (wanted.count(it->asn) == 0) {
                continue;
            }
            const Prefix prefix = table.prefix(i);
            auto& c = counts[it->asn];
            (prefix.family() == IpFamily::V4 ? c.first : c.second) += 1;
            if (opts.json) {
                nlohmann::json j = {{"asn", it->asn}, {"prefix", prefix.to_string()}};
                nlohmann::json all = nlohmann::json::array();
                for (const auto& o : origins) {
                    all.push_back(o.asn);
                }
                j["origins"] = std::move(all);
                out += j.dump();
            } else {
                out += prefix.to_string();
                if (wanted.size() > 1) {
                    out += "\tAS" + std::to_string(it->asn);
                }
            }
            out += '\n';
        }
        if (out.size() > (1U << 16)) {
            std::fwrite(out.data(), 1, out.size(), stdout);
            out.clear();
        }
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
    for (const std::uint32_t asn : wanted) {
        const auto c = counts[asn];
        std::fprintf(stderr, "%s: AS%u: %llu IPv4 and %llu IPv6 prefixes%s\n", kCommand, asn,
                     static_cast<unsigned long long>(c.first),
                     static_cast<unsigned long long>(c.second),
                     opts.any_origin ? " (as any origin)" : " (as primary origin)");
    }
    return damage_exit_code(*source, opts, kCommand);
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

    auto p = std::make_shared<PrefixesOptions>();
    CLI::App* prefixes = rib.add_subcommand(
        "prefixes",
        "Print the prefixes an AS originates (pyasn's get_as_prefixes): one per line, IPv4 then\n"
        "IPv6, sorted; with several ASes, prefix<TAB>ASN. An AS matches a prefix when it is the\n"
        "origin most peers see (--any-origin: any of its MOAS origins). stderr: counts per AS.\n"
        "Examples:\n"
        "  domaingraph rib prefixes bview.20240101.0000.gz 3320\n"
        "  domaingraph rib prefixes rib.bz2 AS13335 AS15169 --json --any-origin");
    prefixes->add_option("file", p->file, "MRT RIB dump (or any lookup source but .mmdb)")
        ->required();
    prefixes->add_option("asn", p->asns, "AS numbers (64496, AS64496, asdot 1.10)")->required();
    prefixes->add_flag("--any-origin", p->any_origin,
                       "Also prefixes where the AS is one of several (MOAS) origins");
    prefixes->add_flag(
        "--json", p->json,
        "JSON Lines: {\"asn\", \"prefix\", \"origins\"} (every origin of the prefix)");
    prefixes->add_option("--policy", p->policy, "Origin policy for MRT dumps: default or pyasn")
        ->check(CLI::IsMember({"default", "pyasn"}))
        ->capture_default_str();
    prefixes->add_flag("--no-cache", p->no_cache, "Neither read nor write the table cache");
    prefixes->add_flag("--strict", p->strict, "exit 3 on any record error or malformed line");
    prefixes->callback([p, &selected] { selected = [p] { return run_prefixes(*p); }; });
}

} // namespace dg::cli
