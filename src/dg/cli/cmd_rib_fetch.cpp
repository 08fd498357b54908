#include "dg/cli/commands.hpp"
#include "dg/cli/download_progress.hpp"
#include "dg/cli/exit_codes.hpp"
#include "dg/core/progress.hpp"
#include "dg/fetch/rib_source.hpp"

#include <cstdio>
#include <memory>

namespace dg::cli {
namespace {

struct FetchOptions {
    std::string source = "ris";
    fetch::RibRequest request;
    std::string date;
};

int run_fetch(const FetchOptions& opts) {
    fetch::RibRequest request = opts.request;
    request.archive =
        opts.source == "routeviews" ? fetch::RibArchive::RouteViews : fetch::RibArchive::Ris;
    if (request.archive == fetch::RibArchive::RouteViews && request.collector == "rrc00") {
        request.collector = "route-views2";
    }
    if (!opts.date.empty()) {
        request.date = opts.date;
    }
    std::unique_ptr<Progress> bar;
    const fetch::DownloadOptions download = download_with_progress(bar);
    auto result = fetch::fetch_rib(request, download);
    bar.reset();
    if (!result) {
        std::fprintf(stderr, "domaingraph rib fetch: %s\n", result.error().to_string().c_str());
        return kExitFailure;
    }
    if (result->from_cache) {
        std::fprintf(stderr, "using cached dump (younger than %d days; --force to refresh)\n",
                     request.max_age_days);
    } else {
        std::fprintf(stderr, "downloaded %s (%llu bytes, %d attempt%s%s), verified\n",
                     result->url.c_str(), static_cast<unsigned long long>(result->download.bytes),
                     result->download.attempts, result->download.attempts == 1 ? "" : "s",
                     result->download.resumed ? ", resumed" : "");
    }
    std::printf("%s\n", result->path.c_str());
    return kExitOk;
}

} // namespace

void register_rib_fetch(CLI::App& rib, Runner& selected) {
    auto opts = std::make_shared<FetchOptions>();
    CLI::App* cmd = rib.add_subcommand(
        "fetch", "Download a public RIB dump into the cache and print its path.\n"
                 "Examples:\n"
                 "  domaingraph rib fetch                       # latest RIPE RIS rrc00 bview\n"
                 "  domaingraph rib fetch --collector rrc12 --date 2024-01-15\n"
                 "  domaingraph rib fetch --source routeviews   # latest route-views2 RIB\n"
                 "  domaingraph lookup -m \"$(domaingraph rib fetch)\" 192.0.2.1");
    cmd->add_option("--source", opts->source, "Archive: ris (RIPE RIS) or routeviews")
        ->check(CLI::IsMember({"ris", "routeviews"}))
        ->capture_default_str();
    cmd->add_option(
           "--collector", opts->request.collector,
           "Collector: rrc00..rrc26 (RIS), route-views2, route-views.linx ... (RouteViews)")
        ->capture_default_str();
    cmd->add_option("--date", opts->date, "YYYY-MM-DD: the day's 00:00 UTC dump (default: latest)");
    cmd->add_option("--base-url", opts->request.base_url,
                    "Archive base URL (default: the archive's public address; mirrors, tests)");
    cmd->add_option(
        "--cache-dir", opts->request.cache_dir,
        "Where dumps are kept (default: $DOMAINGRAPH_CACHE_DIR or ~/.cache/domaingraph, "
        "folder rib/)");
    cmd->add_option("--max-age-days", opts->request.max_age_days,
                    "Reuse a cached latest dump younger than this")
        ->capture_default_str();
    cmd->add_flag("--force", opts->request.force, "Download even when a fresh copy is cached");
    cmd->callback([opts, &selected] { selected = [opts] { return run_fetch(*opts); }; });
}

} // namespace dg::cli
