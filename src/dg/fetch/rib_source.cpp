#include "dg/fetch/rib_source.hpp"

#include "dg/core/byte_source.hpp"
#include "dg/core/paths.hpp"

#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>

namespace dg::fetch {
namespace {

constexpr const char* kRisBase = "https://data.ris.ripe.net";
constexpr const char* kRouteViewsBase = "https://archive.routeviews.org";
constexpr std::int64_t kSecondsPerDay = 86400;
constexpr std::uint32_t kMaxMrtRecordLength = 1U << 24; // far above any real record

struct Ymd {
    int year = 0;
    int month = 0;
    int day = 0;
};

Result<Ymd> parse_date(const std::string& text) {
    Ymd d;
    char tail = 0;
    if (text.size() != 10 ||
        std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &d.year, &d.month, &d.day, &tail) != 3 ||
        d.year < 1990 || d.month < 1 || d.month > 12 || d.day < 1 || d.day > 31) {
        return make_error(ErrorCode::InvalidArgument,
                          "bad --date '" + text + "' (expected YYYY-MM-DD)");
    }
    return d;
}

Ymd ymd_of(std::int64_t unix_time) {
    const auto t = static_cast<std::time_t>(unix_time);
    std::tm tm{};
    gmtime_r(&t, &tm);
    return {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

std::string folder(const Ymd& d) {
    std::array<char, 16> buf{};
    std::snprintf(buf.data(), buf.size(), "%04d.%02d", d.year, d.month);
    return buf.data();
}

std::string compact(const Ymd& d) {
    std::array<char, 16> buf{};
    std::snprintf(buf.data(), buf.size(), "%04d%02d%02d", d.year, d.month, d.day);
    return buf.data();
}

bool valid_collector(const std::string& c) {
    if (c.empty() || c.size() > 64 || c.front() == '.' || c.front() == '-') {
        return false;
    }
    for (char ch : c) {
        const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
                        ch == '.' || ch == '_';
        if (!ok) {
            return false;
        }
    }
    return true;
}

std::string routeviews_url(const std::string& base, const std::string& collector, const Ymd& d) {
    const bool main_collector = collector == "route-views2" || collector == "routeviews2";
    return base + (main_collector ? "" : "/" + collector) + "/bgpdata/" + folder(d) + "/RIBS/rib." +
           compact(d) + ".0000.bz2";
}

bool is_fresh(const std::string& path, int max_age_days) {
    std::error_code ec;
    const auto mtime = std::filesystem::last_write_time(path, ec);
    if (ec) {
        return false;
    }
    const auto age = std::filesystem::file_time_type::clock::now() - mtime;
    return age < std::chrono::hours(24) * max_age_days;
}

} // namespace

Result<std::vector<std::string>> rib_urls(const RibRequest& request, std::int64_t now_unix) {
    if (!valid_collector(request.collector)) {
        return make_error(ErrorCode::InvalidArgument,
                          "bad collector name '" + request.collector + "'");
    }
    std::optional<Ymd> date;
    if (request.date) {
        DG_TRY(Ymd d, parse_date(*request.date));
        date = d;
    }
    std::vector<std::string> urls;
    if (request.archive == RibArchive::Ris) {
        const std::string base = request.base_url.empty() ? kRisBase : request.base_url;
        if (!date) {
            urls.push_back(base + "/" + request.collector + "/latest-bview.gz");
        } else {
            urls.push_back(base + "/" + request.collector + "/" + folder(*date) + "/bview." +
                           compact(*date) + ".0000.gz");
        }
        return urls;
    }
    const std::string base = request.base_url.empty() ? kRouteViewsBase : request.base_url;
    if (date) {
        urls.push_back(routeviews_url(base, request.collector, *date));
    } else {
        for (int back = 0; back < 3; ++back) {
            urls.push_back(
                routeviews_url(base, request.collector, ymd_of(now_unix - back * kSecondsPerDay)));
        }
    }
    return urls;
}

std::string cache_file_name(const RibRequest& request) {
    std::string when = "latest";
    if (request.date) {
        when = request.date->substr(0, 4) + request.date->substr(5, 2) + request.date->substr(8, 2);
    }
    const bool ris = request.archive == RibArchive::Ris;
    return std::string(ris ? "ris-" : "routeviews-") + request.collector + "-" + when +
           (ris ? ".gz" : ".bz2");
}

Result<std::uint64_t> verify_mrt_file(const std::string& path) {
    DG_TRY(auto source, io::open(path));
    std::array<std::uint8_t, 12> header{};
    std::vector<std::uint8_t> skip(1 << 16);
    std::uint64_t offset = 0;
    std::uint64_t records = 0;
    for (;;) {
        DG_TRY(std::size_t got, source->read_fully(header));
        if (got == 0) {
            break;
        }
        if (got < header.size()) {
            return Error{
                ErrorCode::Malformed, "file ends inside an MRT record header", path, offset, {}};
        }
        const std::uint32_t length = (std::uint32_t{header[8]} << 24) |
                                     (std::uint32_t{header[9]} << 16) |
                                     (std::uint32_t{header[10]} << 8) | header[11];
        if (length > kMaxMrtRecordLength) {
            return Error{ErrorCode::Malformed,
                         "MRT record length " + std::to_string(length) + " is implausible",
                         path,
                         offset,
                         {}};
        }
        std::uint32_t left = length;
        while (left > 0) {
            const std::size_t want = std::min<std::size_t>(left, skip.size());
            DG_TRY(std::size_t n, source->read_fully(std::span(skip).first(want)));
            if (n < want) {
                return Error{
                    ErrorCode::Malformed, "file ends inside an MRT record", path, offset, {}};
            }
            left -= static_cast<std::uint32_t>(n);
        }
        offset += header.size() + length;
        ++records;
    }
    if (records == 0) {
        return Error{ErrorCode::Malformed, "no MRT records", path, 0, {}};
    }
    return records;
}

Result<RibFetchResult> fetch_rib(const RibRequest& request, const DownloadOptions& options) {
    const std::string dir =
        request.cache_dir.empty() ? user_cache_dir() + "/rib" : request.cache_dir;
    DG_TRY_VOID(ensure_directory(dir));
    const std::string dest = dir + "/" + cache_file_name(request);
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    DG_TRY(auto urls, rib_urls(request, now));
    RibFetchResult result;
    result.path = dest;
    result.url = urls.front();
    // A dated dump never changes; "latest" is reused while younger than max_age_days.
    const bool cached = std::filesystem::exists(dest) &&
                        (request.date.has_value() || is_fresh(dest, request.max_age_days));
    if (cached && !request.force) {
        result.from_cache = true;
        return result;
    }
    Error last = make_error(ErrorCode::NotFound, "no dump found");
    for (const auto& url : urls) {
        auto report = download(url, dest, options);
        if (!report) {
            last = report.error();
            if (last.code == ErrorCode::NotFound) {
                continue; // RouteViews "latest": try the day before
            }
            return last;
        }
        result.url = url;
        result.download = *report;
        auto verified = verify_mrt_file(dest);
        if (!verified) {
            std::filesystem::remove(dest);
            return verified.error();
        }
        return result;
    }
    return last;
}

} // namespace dg::fetch
