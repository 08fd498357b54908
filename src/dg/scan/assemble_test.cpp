#include "dg/analytics/analytics.hpp"
#include "dg/model/json.hpp"
#include "dg/scan/assemble.hpp"
#include "tests/support/support.hpp"

#include <gtest/gtest.h>

namespace dg::scan {
namespace {

rpki::Vrp vrp(const char* prefix, int max_length, std::uint32_t asn) {
    rpki::Vrp v;
    v.prefix = *Prefix::parse(prefix);
    v.max_length = static_cast<std::uint8_t>(max_length);
    v.asn = Asn(asn);
    return v;
}

struct MapperWithVrps : ::testing::Test {
    test::TempDir dir;
    std::optional<bgp::IpAsnSource> table;
    rpki::VrpIndex vrps;

    void SetUp() override {
        const std::string path = dir.file("routes.pfx2as");
        test::write_file(path, "192.0.2.0\t24\t64496\n"          // valid
                               "198.51.100.0\t24\t64497\n"       // wrong origin
                               "203.0.113.0\t25\t64499\n"        // too specific
                               "2001:db8::\t32\t64500\n"         // not found
                               "100.64.0.0\t24\t64501,64502\n"); // AS_SET origin: NONE
        bgp::SourceOptions o;
        o.cache_dir = dir.file("cache");
        o.show_progress = false;
        auto opened = bgp::IpAsnSource::open(path, o);
        ASSERT_TRUE(opened) << opened.error().to_string();
        table.emplace(std::move(*opened));
        rpki::VrpSet set;
        set.vrps = {vrp("192.0.2.0/24", 24, 64496), vrp("198.51.100.0/24", 24, 64498),
                    vrp("203.0.113.0/24", 24, 64499), vrp("100.64.0.0/16", 24, 64501)};
        set.trust_anchors = {"test"};
        vrps = rpki::VrpIndex::build(std::move(set));
    }

    model::IpMapping map(const char* ip, const rpki::VrpIndex* index) const {
        return AddressMapper(*table, nullptr, index).map(*IpAddress::parse(ip), 60);
    }
};

// Issue 18: --geo places every address, routed or not; the organisation namer of an as2org
// table names none for an organisation without a name (a delegation file's holder).
TEST_F(MapperWithVrps, EveryAddressGetsItsLocationAndItsOrganisationsName) {
    DG_SHARED_OR_SKIP(city, "geo/GeoLite2-City-Test.mmdb");
    auto db = geo::Database::open(city);
    ASSERT_TRUE(db) << db.error().to_string();
    auto orgs = org::OrgTable::parse("ripencc|SE|asn|64496|1|20100101|allocated|holder\n"
                                     "ripencc|SE|asn|64497|1|20100101|allocated\n",
                                     "delegated");
    ASSERT_TRUE(orgs) << orgs.error().to_string();
    const AddressMapper mapper(*table, org_namer(&*orgs), nullptr, &*db);
    const auto unrouted = mapper.map(*IpAddress::parse("89.160.20.115"), 60);
    EXPECT_FALSE(unrouted.asn);
    ASSERT_TRUE(unrouted.geo);
    EXPECT_EQ(unrouted.geo->country, "SE");
    EXPECT_EQ(unrouted.geo->city, "Link\xc3\xb6ping");
    const auto routed = mapper.map(*IpAddress::parse("192.0.2.7"), 60);
    EXPECT_EQ(routed.asn, Asn(64496));
    EXPECT_FALSE(routed.geo); // not in MaxMind's test database
    EXPECT_FALSE(routed.org); // the holder's organisation has no name
    EXPECT_FALSE(AddressMapper(*table, nullptr).map(*IpAddress::parse("89.160.20.115"), 60).geo);
}

TEST_F(MapperWithVrps, EachRoutedAddressGetsItsRoutesRpkiState) {
    auto state = [&](const char* ip) {
        const auto m = map(ip, &vrps);
        return m.rpki.value_or("-") + (m.rpki_reason ? ":" + *m.rpki_reason : "");
    };
    EXPECT_EQ(state("192.0.2.7"), "valid");
    EXPECT_EQ(state("198.51.100.7"), "invalid:wrong-origin");
    EXPECT_EQ(state("203.0.113.7"), "invalid:too-specific");
    EXPECT_EQ(state("2001:db8::7"), "not-found");
    EXPECT_EQ(state("100.64.0.7"), "invalid:wrong-origin"); // an AS_SET never matches
    EXPECT_EQ(state("10.0.0.1"), "-");                      // unrouted: nothing to validate
}

TEST_F(MapperWithVrps, WithoutVrpsTheOutputIsUnchanged) {
    const auto m = map("192.0.2.7", nullptr);
    EXPECT_FALSE(m.rpki);
    model::DomainResult r;
    r.domain = "example.com";
    r.status = "NOERROR";
    r.a = {m};
    EXPECT_EQ(model::to_json_line(r).find("rpki"), std::string::npos);
}

TEST_F(MapperWithVrps, StatesRoundTripThroughJsonAndCountInTheCoverage) {
    model::DomainResult r;
    r.domain = "example.com";
    r.status = "NOERROR";
    for (const char* ip : {"192.0.2.7", "198.51.100.7", "10.0.0.1"}) {
        r.a.push_back(map(ip, &vrps));
    }
    r.aaaa = {map("2001:db8::7", &vrps)};
    const std::string line = model::to_json_line(r);
    EXPECT_NE(line.find(R"("rpki":"invalid","rpki_reason":"wrong-origin")"), std::string::npos)
        << line;
    auto back = model::parse_domain_result(line);
    ASSERT_TRUE(back) << back.error().to_string();
    EXPECT_EQ(*back, r);
    EXPECT_EQ(nlohmann::json::parse(line), model::to_json(r));
    analytics::Coverage c;
    c.add(r);
    EXPECT_EQ(c.rpki_checked, 3U);
    EXPECT_EQ(c.rpki_valid, 1U);
    EXPECT_EQ(c.rpki_invalid, 1U);
    EXPECT_EQ(c.text(false),
              "coverage: 4 addresses, 75.0 % routed, RPKI: 33.3 % valid, 33.3 % invalid, 33.3 % "
              "not-found");
    EXPECT_TRUE(c.warnings(false).empty());
}

TEST(Coverage, WarnsWhenTheVrpsCoveredNothing) {
    model::IpMapping m;
    m.ip = *IpAddress::parse("192.0.2.1");
    m.prefix = *Prefix::parse("192.0.2.0/24");
    m.asn = Asn(64496);
    m.origins = {Asn(64496)};
    m.rpki = "not-found";
    analytics::Coverage c;
    c.add(m);
    ASSERT_EQ(c.warnings(false).size(), 1U);
    EXPECT_NE(c.warnings(false)[0].find("the VRPs covered none of the 1 routed"),
              std::string::npos);
}

} // namespace
} // namespace dg::scan
