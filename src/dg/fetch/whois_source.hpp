#pragma once
// Where the RIRs publish their WHOIS bulk dumps (RIPE, APNIC: split files per object class;
// AFRINIC, LACNIC: one file), and a dated local cache of them (`as2org fetch`). ARIN's bulk data
// needs an agreement with ARIN and is not downloaded: its file is given by path.

#include "dg/core/result.hpp"
#include "dg/fetch/http_download.hpp"

#include <functional>
#include <string>
#include <vector>

namespace dg::fetch {

/// One dump file of a registry.
struct WhoisFile {
    std::string registry; ///< "ripe", "apnic", "afrinic", "lacnic"
    std::string name;     ///< file name, e.g. "ripe.db.aut-num.gz"
    std::string url;
};

/// The files `as2org infer` reads for each registry in `registries` ("ripe,apnic", or "all"),
/// at their published addresses, or at BASE/REGISTRY/NAME with `base_url` (a mirror, tests).
/// Errors: InvalidArgument (an unknown registry; "arin" says how to get ARIN's file).
Result<std::vector<WhoisFile>> whois_files(const std::string& registries,
                                           const std::string& base_url);

struct WhoisRequest {
    std::string registries = "all";
    std::string date;      ///< YYYY-MM-DD or YYYYMMDD; empty: today (UTC)
    std::string base_url;  ///< empty: the registries' own servers
    std::string cache_dir; ///< empty: user_cache_dir() + "/as2org"
    bool force = false;    ///< download again even when today's copy is cached
};

struct WhoisFetched {
    WhoisFile file;
    std::string path;        ///< CACHE/REGISTRY/YYYYMMDD/NAME
    bool from_cache = false; ///< no download was needed
    DownloadReport download; ///< when downloaded
    std::uint64_t objects = 0;
};

/// Checks a downloaded dump (the caller reads it whole: a truncated gzip stream or too many
/// broken objects fail) and returns its object count.
using WhoisVerifier = std::function<Result<std::uint64_t>(const std::string& path)>;

/// Fetches every file of the request into the cache (resuming partial downloads), verifying each
/// with `verify`; a file that fails verification is removed. The registries publish only their
/// current dumps: a `date` other than today is served from the cache or is NotFound. `done` is
/// called after each file. Errors: those of download() and `verify`, NotFound, InvalidArgument.
Result<std::vector<WhoisFetched>>
fetch_whois(const WhoisRequest& request, const WhoisVerifier& verify,
            const DownloadOptions& options = {},
            const std::function<void(const WhoisFetched&)>& done = {});

} // namespace dg::fetch
