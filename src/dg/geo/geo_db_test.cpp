// Locations from MaxMind's own test databases (../shared/data/geo, built by MaxMind from the JSON
// beside them): the values below are read off that JSON.
#include "dg/geo/geo_db.hpp"
#include "tests/support/support.hpp"

#include <gtest/gtest.h>

namespace dg::geo {
namespace {

TEST(GeoDatabase, LocatesAddressesOfACityDatabase) {
    DG_SHARED_OR_SKIP(city, "geo/GeoLite2-City-Test.mmdb");
    auto db = Database::open(city);
    ASSERT_TRUE(db) << db.error().to_string();
    EXPECT_TRUE(db->has_coordinates());
    EXPECT_EQ(db->type(), "GeoLite2-City");
    const auto se = db->locate(*IpAddress::parse("89.160.20.115"));
    ASSERT_TRUE(se);
    EXPECT_EQ(se->country, "SE");
    EXPECT_EQ(se->city, "Link\xc3\xb6ping");
    EXPECT_DOUBLE_EQ(*se->lat, 58.4167);
    EXPECT_DOUBLE_EQ(*se->lon, 15.6167);
    const auto ph = db->locate(*IpAddress::parse("202.196.224.1")); // a country, no city
    ASSERT_TRUE(ph);
    EXPECT_EQ(ph->country, "PH");
    EXPECT_EQ(ph->city, "");
    EXPECT_FALSE(db->locate(*IpAddress::parse("192.0.2.1"))); // not in the database
}

TEST(GeoDatabase, RefusesAnAsnDatabaseSayingWhereItBelongs) {
    DG_SHARED_OR_SKIP(asn, "geo/GeoLite2-ASN-Test.mmdb");
    auto db = Database::open(asn);
    ASSERT_FALSE(db);
    EXPECT_EQ(db.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(db.error().message.find("GeoLite2-ASN"), std::string::npos) << db.error().message;
    EXPECT_NE(db.error().message.find("-m"), std::string::npos);
    test::TempDir dir;
    test::write_file(dir.file("x.mmdb"), "not a database");
    auto bad = Database::open(dir.file("x.mmdb"));
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::Malformed);
}

} // namespace
} // namespace dg::geo
