#include "dg/fetch/whois_source.hpp"

#include "dg/core/paths.hpp"

#include <chrono>
#include <ctime>
#include <filesystem>

namespace dg::fetch {
namespace {

struct RegistrySite {
    const char* registry;
    const char* base; ///< published folder
    std::vector<const char*> files;
};

/// The published locations (checked 2026-12): RPSL split files where the registry has them.
const std::vector<RegistrySite>& sites() {
    static const std::vector<RegistrySite> kSites = {
        {"ripe",
         "https://ftp.ripe.net/ripe/dbase/split",
         {"ripe.db.aut-num.gz", "ripe.db.organisation.gz", "ripe.db.as-block.gz",
          "ripe-nonauth.db.aut-num.gz"}},
        {"apnic",
         "https://ftp.apnic.net/apnic/whois",
         {"apnic.db.aut-num.gz", "apnic.db.organisation.gz", "apnic.db.as-block.gz",
          "apnic.db.role.gz"}},
        {"afrinic", "https://ftp.afrinic.net/pub/dbase", {"afrinic.db.gz"}},
        {"lacnic", "https://ftp.lacnic.net/lacnic/dbase", {"lacnic.db.gz"}},
    };
    return kSites;
}

/// YYYYMMDD of `text` (YYYY-MM-DD or YYYYMMDD), or of today (UTC) when empty.
Result<std::string> day_of(const std::string& text) {
    if (text.empty()) {
        const std::time_t now = std::time(nullptr);
        std::tm tm{};
        gmtime_r(&now, &tm);
        char buf[16];
        std::strftime(buf, sizeof buf, "%Y%m%d", &tm);
        return std::string(buf);
    }
    std::string digits;
    for (const char c : text) {
        if (c != '-') {
            digits += c;
        }
    }
    const bool ok = digits.size() == 8 &&
                    digits.find_first_not_of("0123456789") == std::string::npos &&
                    (text.size() == 8 || (text.size() == 10 && text[4] == '-' && text[7] == '-'));
    if (!ok) {
        return make_error(ErrorCode::InvalidArgument,
                          "--date: '" + text + "' is not YYYY-MM-DD or YYYYMMDD");
    }
    return digits;
}

} // namespace

Result<std::vector<WhoisFile>> whois_files(const std::string& registries,
                                           const std::string& base_url) {
    std::vector<std::string> wanted;
    std::string cur;
    for (const char c : registries + ",") {
        if (c == ',') {
            if (!cur.empty()) {
                wanted.push_back(cur);
            }
            cur.clear();
        } else if (c != ' ') {
            cur += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
    }
    if (wanted.empty() || (wanted.size() == 1 && wanted[0] == "all")) {
        wanted = {"ripe", "apnic", "afrinic", "lacnic"};
    }
    std::vector<WhoisFile> out;
    for (const std::string& r : wanted) {
        if (r == "arin") {
            return make_error(ErrorCode::InvalidArgument,
                              "ARIN's bulk WHOIS data needs an agreement with ARIN "
                              "(https://www.arin.net/reference/research/bulkwhois/): extract "
                              "arin_db.txt from the file you receive and pass it to 'as2org "
                              "infer' by path");
        }
        const RegistrySite* site = nullptr;
        for (const auto& s : sites()) {
            site = r == s.registry ? &s : site;
        }
        if (site == nullptr) {
            return make_error(ErrorCode::InvalidArgument,
                              "unknown registry '" + r +
                                  "' (ripe, apnic, afrinic, lacnic, or all; arin: by path)");
        }
        for (const char* name : site->files) {
            const std::string base =
                base_url.empty() ? std::string(site->base) : base_url + "/" + site->registry;
            out.push_back({site->registry, name, base + "/" + name});
        }
    }
    return out;
}

Result<std::vector<WhoisFetched>>
fetch_whois(const WhoisRequest& request, const WhoisVerifier& verify,
            const DownloadOptions& options, const std::function<void(const WhoisFetched&)>& done) {
    DG_TRY(const auto files, whois_files(request.registries, request.base_url));
    DG_TRY(const std::string day, day_of(request.date));
    DG_TRY(const std::string today, day_of(""));
    const std::string root =
        request.cache_dir.empty() ? user_cache_dir() + "/as2org" : request.cache_dir;
    std::vector<WhoisFetched> out;
    for (const WhoisFile& f : files) {
        WhoisFetched got;
        got.file = f;
        const std::string dir = root + "/" + f.registry + "/" + day;
        got.path = dir + "/" + f.name;
        const bool cached = std::filesystem::exists(got.path);
        if (day != today && !cached) {
            return make_error(ErrorCode::NotFound,
                              "the registries publish only their current dumps, and no copy of " +
                                  f.name + " from " + day + " is in the cache (" + dir + ")");
        }
        if (cached && (day != today || !request.force)) {
            got.from_cache = true;
        } else {
            DG_TRY_VOID(ensure_directory(dir));
            DG_TRY(got.download, download(f.url, got.path, options));
        }
        auto objects = verify(got.path);
        if (!objects) {
            if (!got.from_cache) {
                std::error_code ec;
                std::filesystem::remove(got.path, ec);
            }
            return objects.error();
        }
        got.objects = *objects;
        if (done) {
            done(got);
        }
        out.push_back(std::move(got));
    }
    return out;
}

} // namespace dg::fetch
