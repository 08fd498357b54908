#include "dg/geo/geo_db.hpp"

#include "dg/core/sockaddr.hpp"

#include <maxminddb.h>
#include <sys/socket.h>

namespace dg::geo {

struct Database::Impl {
    MMDB_s db{};
    bool open = false;
    std::string type;
    bool coordinates = false;
    Impl() = default;
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;
    ~Impl() {
        if (open) {
            MMDB_close(&db);
        }
    }
};

Database::Database(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Database::Database(Database&&) noexcept = default;
Database& Database::operator=(Database&&) noexcept = default;
Database::~Database() = default;

Result<Database> Database::open(const std::string& path) {
    auto impl = std::make_unique<Impl>();
    const int status = MMDB_open(path.c_str(), MMDB_MODE_MMAP, &impl->db);
    if (status != MMDB_SUCCESS) {
        return make_error(status == MMDB_FILE_OPEN_ERROR ? ErrorCode::Io : ErrorCode::Malformed,
                          std::string("cannot open MaxMind database: ") + MMDB_strerror(status))
            .at(path);
    }
    impl->open = true;
    impl->type = impl->db.metadata.database_type != nullptr ? impl->db.metadata.database_type : "";
    const bool city = impl->type.find("City") != std::string::npos;
    const bool country = impl->type.find("Country") != std::string::npos;
    if (!city && !country) {
        std::string why = "this MaxMind database is '" + impl->type +
                          "', not a City or Country database (location per address)";
        if (impl->type.find("ASN") != std::string::npos ||
            impl->type.find("ISP") != std::string::npos) {
            why += "; an ASN database maps addresses to ASes: give it as the table (-m)";
        }
        return make_error(ErrorCode::InvalidArgument, std::move(why)).at(path);
    }
    impl->coordinates = city;
    return Database(std::move(impl));
}

const std::string& Database::type() const {
    return impl_->type;
}
bool Database::has_coordinates() const {
    return impl_->coordinates;
}

namespace {

std::string text_at(MMDB_entry_s& entry, const char* const* path) {
    MMDB_entry_data_s data{};
    if (MMDB_aget_value(&entry, &data, path) != MMDB_SUCCESS || !data.has_data ||
        data.type != MMDB_DATA_TYPE_UTF8_STRING) {
        return {};
    }
    return std::string(data.utf8_string, data.data_size);
}

std::optional<double> number_at(MMDB_entry_s& entry, const char* const* path) {
    MMDB_entry_data_s data{};
    if (MMDB_aget_value(&entry, &data, path) != MMDB_SUCCESS || !data.has_data ||
        data.type != MMDB_DATA_TYPE_DOUBLE) {
        return std::nullopt;
    }
    return data.double_value;
}

} // namespace

std::optional<model::GeoLocation> Database::locate(const IpAddress& address) const {
    sockaddr_storage ss{};
    (void)to_sockaddr(address, 0, ss);
    int error = 0;
    MMDB_lookup_result_s res =
        MMDB_lookup_sockaddr(&impl_->db, reinterpret_cast<const sockaddr*>(&ss), &error);
    if (error != MMDB_SUCCESS || !res.found_entry) {
        return std::nullopt;
    }
    static const char* const kLat[] = {"location", "latitude", nullptr};
    static const char* const kLon[] = {"location", "longitude", nullptr};
    static const char* const kCity[] = {"city", "names", "en", nullptr};
    static const char* const kCountry[] = {"country", "iso_code", nullptr};
    static const char* const kRegistered[] = {"registered_country", "iso_code", nullptr};
    model::GeoLocation g;
    g.country = text_at(res.entry, kCountry);
    if (g.country.empty()) {
        g.country = text_at(res.entry, kRegistered); // anycast and satellite blocks
    }
    g.city = text_at(res.entry, kCity);
    const auto lat = number_at(res.entry, kLat);
    const auto lon = number_at(res.entry, kLon);
    if (lat && lon) {
        g.lat = *lat;
        g.lon = *lon;
    }
    if (g.country.empty() && g.city.empty() && !g.lat) {
        return std::nullopt;
    }
    return g;
}

} // namespace dg::geo
