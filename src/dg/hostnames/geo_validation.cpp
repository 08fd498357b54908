#include "dg/hostnames/geo_validation.hpp"

#include "dg/geo/geo_db.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cmath>
#include <cstring>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>

namespace dg::hostnames {

struct CityDatabase::Impl {
    geo::Database db;
};

CityDatabase::CityDatabase(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CityDatabase::CityDatabase(CityDatabase&&) noexcept = default;
CityDatabase& CityDatabase::operator=(CityDatabase&&) noexcept = default;
CityDatabase::~CityDatabase() = default;

Result<CityDatabase> CityDatabase::open(const std::string& path) {
    auto opened = geo::Database::open(path);
    if (!opened) {
        if (opened.error().code != ErrorCode::InvalidArgument) {
            return std::move(opened).error();
        }
        return make_error(ErrorCode::InvalidArgument,
                          "a MaxMind City database is needed (location.latitude): " +
                              opened.error().message)
            .at(path);
    }
    geo::Database db = std::move(*opened);
    if (!db.has_coordinates()) {
        return make_error(ErrorCode::InvalidArgument,
                          "a MaxMind City database is needed (location.latitude), this is '" +
                              db.type() + "'")
            .at(path);
    }
    return CityDatabase(std::make_unique<Impl>(Impl{std::move(db)}));
}

namespace {

double quantile(std::vector<double> v, double q) {
    if (v.empty()) {
        return 0;
    }
    std::sort(v.begin(), v.end());
    return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))];
}

} // namespace

std::optional<CityDatabase::Point> CityDatabase::locate(const IpAddress& address) const {
    const auto g = impl_->db.locate(address);
    if (!g || !g->lat || !g->lon) {
        return std::nullopt;
    }
    return Point{*g->lat, *g->lon, g->city, g->country};
}

double distance_km(double lat1, double lon1, double lat2, double lon2) {
    constexpr double kEarthKm = 6371.0;
    constexpr double kRad = 3.14159265358979323846 / 180.0;
    const double dlat = (lat2 - lat1) * kRad;
    const double dlon = (lon2 - lon1) * kRad;
    const double a =
        std::sin(dlat / 2) * std::sin(dlat / 2) +
        std::cos(lat1 * kRad) * std::cos(lat2 * kRad) * std::sin(dlon / 2) * std::sin(dlon / 2);
    return 2 * kEarthKm * std::asin(std::min(1.0, std::sqrt(a)));
}

void GeoValidation::add(const Decoded& d, const CityDatabase& db) {
    constexpr std::size_t kWorst = 10;
    if (!d.has_location || !d.location.has_coordinates) {
        return;
    }
    ++located;
    const auto ip = IpAddress::parse(d.ip);
    if (!ip) {
        ++no_address;
        return;
    }
    const auto point = db.locate(*ip);
    if (!point) {
        ++no_data;
        return;
    }
    const double km = distance_km(d.location.lat, d.location.lon, point->lat, point->lon);
    if (km <= kMatchKm) {
        ++match;
        match_km.push_back(km);
        return;
    }
    ++mismatch;
    mismatch_km.push_back(km);
    Example e{d.host, std::string(d.location.city) + ", " + std::string(d.location.country),
              (point->city.empty() ? "?" : point->city) + ", " + point->country, km};
    worst.push_back(std::move(e));
    std::sort(worst.begin(), worst.end(),
              [](const Example& a, const Example& b) { return a.km > b.km; });
    if (worst.size() > kWorst) {
        worst.pop_back();
    }
}

std::string GeoValidation::to_text() const {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "Location validation (MaxMind City; match = within %.0f km)\n"
                  "  located names %llu: match %llu, mismatch %llu, no data %llu, no address %llu\n"
                  "  distance of matches: median %.1f km; of mismatches: median %.0f km, p90 "
                  "%.0f km\n",
                  kMatchKm, static_cast<unsigned long long>(located),
                  static_cast<unsigned long long>(match), static_cast<unsigned long long>(mismatch),
                  static_cast<unsigned long long>(no_data),
                  static_cast<unsigned long long>(no_address), quantile(match_km, 0.5),
                  quantile(mismatch_km, 0.5), quantile(mismatch_km, 0.9));
    std::string out = buf;
    for (const Example& e : worst) {
        std::snprintf(buf, sizeof buf, "  %7.0f km  %s: name says %s, database %s\n", e.km,
                      e.hostname.c_str(), e.decoded.c_str(), e.database.c_str());
        out += buf;
    }
    return out;
}

std::string GeoValidation::to_json() const {
    nlohmann::json worst_json = nlohmann::json::array();
    for (const Example& e : worst) {
        worst_json.push_back({{"hostname", e.hostname},
                              {"decoded", e.decoded},
                              {"database", e.database},
                              {"km", e.km}});
    }
    return nlohmann::json{{"match_km", kMatchKm},
                          {"located", located},
                          {"match", match},
                          {"mismatch", mismatch},
                          {"no_data", no_data},
                          {"no_address", no_address},
                          {"match_median_km", quantile(match_km, 0.5)},
                          {"mismatch_median_km", quantile(mismatch_km, 0.5)},
                          {"mismatch_p90_km", quantile(mismatch_km, 0.9)},
                          {"worst", worst_json}}
        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string GeoValidation::to_csv() const {
    std::string out;
    const std::pair<const char*, std::uint64_t> rows[] = {{"located", located},
                                                          {"match", match},
                                                          {"mismatch", mismatch},
                                                          {"no_data", no_data},
                                                          {"no_address", no_address}};
    for (const auto& [k, v] : rows) {
        out += std::string("geo,") + k + "," + std::to_string(v) + ",\n";
    }
    return out;
}

} // namespace dg::hostnames
