#pragma once
// Where public routing dumps live (RIPE RIS, RouteViews), and a local cache of them.

#include "dg/core/result.hpp"
#include "dg/fetch/http_download.hpp"

#include <optional>
#include <string>

namespace dg::fetch {

enum class RibArchive { Ris, RouteViews };

struct RibRequest {
    RibArchive archive = RibArchive::Ris;
    std::string collector = "rrc00"; ///< rrc00..rrc26, or route-views2, route-views.linx, ...
    std::optional<std::string> date; ///< YYYY-MM-DD; empty: the latest dump
    std::string base_url;            ///< empty: the archive's public address
    std::string cache_dir;           ///< empty: user_cache_dir() + "/rib"
    int max_age_days = 7;            ///< a cached "latest" dump younger than this is reused
    bool force = false;              ///< download even when a cached copy is fresh
};

struct RibFetchResult {
    std::string path;        ///< the dump on disk
    std::string url;         ///< where it came from
    bool from_cache = false; ///< no download was needed
    DownloadReport download; ///< when downloaded
};

/// Candidate URLs for a request, most preferred first (RouteViews "latest" tries today, then
/// earlier days). RIS: BASE/COLLECTOR/latest-bview.gz or
/// BASE/COLLECTOR/YYYY.MM/bview.YYYYMMDD.0000.gz; RouteViews:
/// BASE/[COLLECTOR/]bgpdata/YYYY.MM/RIBS/rib.YYYYMMDD.0000.bz2 (route-views2 has no collector
/// folder). Errors: InvalidArgument (bad date or collector name).
Result<std::vector<std::string>> rib_urls(const RibRequest& request, std::int64_t now_unix);

/// The cache file name for a request ("ris-rrc00-latest.gz",
/// "routeviews-route-views2-20240115.bz2").
std::string cache_file_name(const RibRequest& request);

/// Checks that a downloaded file is a complete compressed stream of whole MRT records: every
/// record header's length is walked to the end of the file. Errors: Malformed (with offset).
Result<std::uint64_t> verify_mrt_file(const std::string& path);

/// Returns a cached dump when fresh, else downloads (resuming a partial file) and verifies it. A
/// file that fails verification is removed. Errors: those of download() and verify_mrt_file().
Result<RibFetchResult> fetch_rib(const RibRequest& request, const DownloadOptions& options = {});

} // namespace dg::fetch
