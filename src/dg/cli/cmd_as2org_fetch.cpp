// domaingraph as2org fetch: the RIRs' current WHOIS bulk dumps into a dated cache, verified
// (docs/cli/as2org.md).
#include "dg/cli/as2org_commands.hpp"
#include "dg/cli/download_progress.hpp"
#include "dg/cli/exit_codes.hpp"
#include "dg/core/progress.hpp"
#include "dg/fetch/whois_source.hpp"
#include "dg/org/whois_reader.hpp"

#include <cstdio>
#include <memory>

namespace dg::cli {
namespace {

/// Reads a dump whole (a truncated gzip stream, or more broken objects than the reader
/// tolerates, fail) and counts its objects.
Result<std::uint64_t> verify_dump(const std::string& path) {
    DG_TRY(auto reader, org::whois::Reader::open(path));
    while (true) {
        DG_TRY(const org::whois::Object* o, reader.next());
        if (o == nullptr) {
            break;
        }
    }
    if (reader.report().objects == 0) {
        return make_error(ErrorCode::Malformed, "no WHOIS object in the file").at(path);
    }
    return reader.report().objects;
}

int run_fetch(const fetch::WhoisRequest& request) {
    std::unique_ptr<Progress> bar;
    const fetch::DownloadOptions download = download_with_progress(bar);
    auto fetched =
        fetch::fetch_whois(request, verify_dump, download, [&bar](const fetch::WhoisFetched& f) {
            bar.reset();
            std::fprintf(stderr, "%s: %llu objects, %s\n", f.file.name.c_str(),
                         static_cast<unsigned long long>(f.objects),
                         f.from_cache ? "cached" : "downloaded, verified");
            std::printf("%s\n", f.path.c_str());
            std::fflush(stdout);
        });
    bar.reset();
    if (!fetched) {
        std::fprintf(stderr, "domaingraph as2org fetch: %s\n", fetched.error().to_string().c_str());
        return fetched.error().code == ErrorCode::InvalidArgument ? kExitUsage : kExitFailure;
    }
    return kExitOk;
}

} // namespace

void register_as2org_fetch(CLI::App& group, Runner& selected) {
    auto request = std::make_shared<fetch::WhoisRequest>();
    CLI::App* cmd = group.add_subcommand(
        "fetch",
        "Download the RIRs' current WHOIS bulk dumps (RIPE, APNIC split files; AFRINIC, LACNIC\n"
        "whole files) into a dated cache, verify each (read whole: complete gzip stream, WHOIS\n"
        "objects) and print their paths, one per line. A partial download is resumed.\n"
        "ARIN's bulk data needs an agreement with ARIN: extract arin_db.txt from the file you\n"
        "receive and pass it to 'as2org infer' by path. Public RIPE dumps are dummified.\n"
        "Example:\n"
        "  domaingraph as2org infer $(domaingraph as2org fetch --registry ripe,afrinic) \\\n"
        "      -o inferred.as-org2info.txt");
    cmd->add_option("--registry", request->registries,
                    "ripe, apnic, afrinic, lacnic (comma-separated) or all")
        ->capture_default_str();
    cmd->add_option("--date", request->date,
                    "YYYY-MM-DD: the copy fetched that day (the registries publish only the "
                    "current dumps: an earlier day comes from the cache). Default: today (UTC)");
    cmd->add_option("--base-url", request->base_url,
                    "A mirror laid out as BASE/REGISTRY/FILE (default: the registries' servers)");
    cmd->add_option("--cache-dir", request->cache_dir,
                    "Where dumps are kept (default: $DOMAINGRAPH_CACHE_DIR or "
                    "~/.cache/domaingraph, folder as2org/REGISTRY/YYYYMMDD/)");
    cmd->add_flag("--force", request->force, "Download today's dumps again even when cached");
    cmd->callback([request, &selected] { selected = [request] { return run_fetch(*request); }; });
}

} // namespace dg::cli
