#pragma once
// Location validation against a MaxMind City database (`hostnames stats --mmdb CITY.mmdb`): the
// place a router name gives is compared with where the database puts its address.

#include "dg/core/ip_address.hpp"
#include "dg/core/result.hpp"
#include "dg/hostnames/decoder.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dg::hostnames {

/// A MaxMind City (or GeoLite2-City) database: an address's location.
class CityDatabase {
public:
    /// Errors: Io (cannot open), Malformed (not an MMDB file), InvalidArgument (no
    /// location.latitude in the database: an ASN or Country database).
    static Result<CityDatabase> open(const std::string& path);
    CityDatabase(CityDatabase&&) noexcept;
    CityDatabase& operator=(CityDatabase&&) noexcept;
    ~CityDatabase();

    struct Point {
        double lat = 0;
        double lon = 0;
        std::string city; ///< English name, may be empty
        std::string country;
    };
    /// The location of `address`, or nullopt (not in the database, or without coordinates).
    [[nodiscard]] std::optional<Point> locate(const IpAddress& address) const;

    struct Impl;

private:
    explicit CityDatabase(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

/// Great-circle distance in km.
double distance_km(double lat1, double lon1, double lat2, double lon2);

/// Match / mismatch / no-data counts over the located names that carry an address.
struct GeoValidation {
    static constexpr double kMatchKm = 100; ///< within this: a match (City accuracy radii)

    std::uint64_t located = 0;    ///< names with a decoded location with coordinates
    std::uint64_t no_address = 0; ///< of those, without an address to look up
    std::uint64_t no_data = 0;    ///< address not in the database, or without coordinates
    std::uint64_t match = 0;
    std::uint64_t mismatch = 0;
    std::vector<double> match_km;    ///< distances of the matches
    std::vector<double> mismatch_km; ///< distances of the mismatches
    struct Example {
        std::string hostname;
        std::string decoded; ///< "City, CC"
        std::string database;
        double km = 0;
    };
    std::vector<Example> worst; ///< the largest mismatches (up to 10)

    void add(const Decoded& d, const CityDatabase& db);
    [[nodiscard]] std::string to_text() const;
    [[nodiscard]] std::string to_json() const; ///< an object
    [[nodiscard]] std::string to_csv() const;  ///< section,key,value,extra rows
};

} // namespace dg::hostnames
