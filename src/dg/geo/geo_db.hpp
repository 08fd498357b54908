#pragma once
// Where an address is: a MaxMind City or Country database (GeoLite2, GeoIP2, DB-IP's and
// IPinfo's compatible files) read with libmaxminddb (`--geo FILE.mmdb` on scan, lookup, serve).

#include "dg/core/ip_address.hpp"
#include "dg/core/result.hpp"
#include "dg/model/model.hpp"

#include <memory>
#include <optional>
#include <string>

namespace dg::geo {

class Database {
public:
    /// Opens a City or Country database. Errors: Io (cannot open), Malformed (not an MMDB file),
    /// InvalidArgument (another kind of MaxMind database, an ASN one for instance: the message
    /// names it and says where it belongs).
    static Result<Database> open(const std::string& path);
    Database(Database&&) noexcept;
    Database& operator=(Database&&) noexcept;
    ~Database();

    /// The database_type of the file ("GeoLite2-City", "GeoIP2-Country" ...).
    [[nodiscard]] const std::string& type() const;
    /// Whether it gives coordinates (City databases do, Country ones do not).
    [[nodiscard]] bool has_coordinates() const;
    /// The location of `address` (country ISO code, English city name, coordinates as the file
    /// gives them), or nullopt when the database does not know it. Thread-safe (read-only map).
    [[nodiscard]] std::optional<model::GeoLocation> locate(const IpAddress& address) const;

    struct Impl;

private:
    explicit Database(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace dg::geo
