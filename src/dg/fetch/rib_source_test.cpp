#include "dg/fetch/rib_source.hpp"
#include "tests/support/support.hpp"

#include <gtest/gtest.h>

namespace dg::fetch {
namespace {

constexpr std::int64_t k2024Jan15Noon = 1705320000;

TEST(RibUrls, RisLatestAndDated) {
    RibRequest r;
    EXPECT_EQ(rib_urls(r, k2024Jan15Noon)->front(),
              "https://data.ris.ripe.net/rrc00/latest-bview.gz");
    r.collector = "rrc12";
    r.date = "2024-01-15";
    EXPECT_EQ(rib_urls(r, k2024Jan15Noon)->front(),
              "https://data.ris.ripe.net/rrc12/2024.01/bview.20240115.0000.gz");
    EXPECT_EQ(cache_file_name(r), "ris-rrc12-20240115.gz");
}

TEST(RibUrls, RouteViewsTriesEarlierDaysForLatest) {
    RibRequest r;
    r.archive = RibArchive::RouteViews;
    r.collector = "route-views2";
    auto urls = rib_urls(r, k2024Jan15Noon);
    ASSERT_TRUE(urls);
    ASSERT_EQ(urls->size(), 3U);
    EXPECT_EQ((*urls)[0],
              "https://archive.routeviews.org/bgpdata/2024.01/RIBS/rib.20240115.0000.bz2");
    EXPECT_EQ((*urls)[1],
              "https://archive.routeviews.org/bgpdata/2024.01/RIBS/rib.20240114.0000.bz2");
    r.collector = "route-views.linx";
    r.date = "2023-12-31";
    EXPECT_EQ(rib_urls(r, k2024Jan15Noon)->front(),
              "https://archive.routeviews.org/route-views.linx/bgpdata/2023.12/RIBS/"
              "rib.20231231.0000.bz2");
}

TEST(RibUrls, RejectsBadInput) {
    RibRequest r;
    r.date = "2024-13-01";
    EXPECT_FALSE(rib_urls(r, 0));
    r.date = "yesterday";
    EXPECT_FALSE(rib_urls(r, 0));
    r.date.reset();
    r.collector = "route-views.linx";
    EXPECT_TRUE(rib_urls(r, 0)); // dots and dashes are legal in collector names ...
    for (const char* bad : {"../../etc", "rrc00/../x", "x y", ".hidden", ""}) {
        r.collector = bad;
        EXPECT_FALSE(rib_urls(r, 0)) << bad; // ... slashes, spaces, a leading dot are not
    }
}

std::string mrt_record(std::uint16_t type, std::uint32_t length) {
    std::string rec(12, '\0');
    rec[4] = static_cast<char>(type >> 8);
    rec[5] = static_cast<char>(type & 0xff);
    rec[8] = static_cast<char>(length >> 24);
    rec[9] = static_cast<char>(length >> 16);
    rec[10] = static_cast<char>(length >> 8);
    rec[11] = static_cast<char>(length);
    return rec + std::string(length, 'x');
}

TEST(VerifyMrtFile, AcceptsWholeRecordsAndRejectsCutOnes) {
    test::TempDir dir;
    const std::string good = mrt_record(13, 40) + mrt_record(13, 70000);
    test::write_file(dir.file("good.mrt"), good);
    auto ok = verify_mrt_file(dir.file("good.mrt"));
    ASSERT_TRUE(ok) << ok.error().to_string();
    EXPECT_EQ(*ok, 2U);
    test::write_file(dir.file("cut.mrt"), good.substr(0, good.size() - 5));
    auto cut = verify_mrt_file(dir.file("cut.mrt"));
    ASSERT_FALSE(cut);
    EXPECT_EQ(cut.error().code, ErrorCode::Malformed);
    EXPECT_EQ(cut.error().offset, 52U);
    test::write_file(dir.file("empty.mrt"), "");
    EXPECT_FALSE(verify_mrt_file(dir.file("empty.mrt")));
}

} // namespace
} // namespace dg::fetch
