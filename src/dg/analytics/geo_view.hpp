#pragma once
// Where a scan's infrastructure is (issue 18): its addresses grouped by place (city and
// coordinates) and by country, with the domains and roles behind each, for the world map of the
// dashboard and GET /api/v1/scans/{id}/geo.

#include "dg/core/result.hpp"
#include "dg/geo/geo_db.hpp"
#include "dg/store/store.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace dg::analytics {

struct GeoPlace {
    std::string country;
    std::string city;
    std::optional<double> lat;
    std::optional<double> lon;
    std::uint64_t addresses = 0;     ///< distinct addresses located here
    std::uint64_t domains = 0;       ///< distinct domains with one of them (own, NS or MX)
    std::uint64_t web = 0;           ///< of those domains: by an own A/AAAA here
    std::uint64_t ns = 0;            ///< ... by a name server here
    std::uint64_t mx = 0;            ///< ... by a mail host here
    std::vector<std::uint32_t> asns; ///< origin ASes of its addresses, ascending
};

struct GeoView {
    std::int64_t scan_id = 0;
    std::uint64_t addresses = 0; ///< distinct addresses of the scan
    std::uint64_t located = 0;   ///< of those, with a location
    /// "scan": the locations stored with the results (scan --geo); "database": looked up now in
    /// the server's --geo database (the results carry none); "none": neither.
    std::string source = "none";
    std::vector<GeoPlace> places;    ///< by domains, most first
    std::vector<GeoPlace> countries; ///< the same per country (no city, no coordinates)
};

/// The places of a stored scan: the locations its results carry, else those `fallback` gives
/// (nullptr: none). Errors: NotFound, store errors.
Result<GeoView> geo_view(store::Store& store, std::int64_t scan_id, const geo::Database* fallback);
/// `{"scan_id", "addresses", "located", "located_pct", "source", "places": [{country, city,
/// lat, lon, addresses, domains, web, ns, mx, asns}], "countries": [...]}`; `limit` caps places
/// (0: all).
nlohmann::ordered_json to_json(const GeoView& v, std::size_t limit = 0);

} // namespace dg::analytics
