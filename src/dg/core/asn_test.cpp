#include "dg/core/asn.hpp"

#include <gtest/gtest.h>

namespace dg {
namespace {

TEST(Asn, ParsesPlainPrefixedAndAsdot) {
    EXPECT_EQ(Asn::parse("64496")->value(), 64496U);
    EXPECT_EQ(Asn::parse("AS64496")->value(), 64496U);
    EXPECT_EQ(Asn::parse("as15169")->value(), 15169U);
    EXPECT_EQ(Asn::parse("1.10")->value(), 65546U);
    EXPECT_EQ(Asn::parse("4294967295")->value(), 4294967295U);
    EXPECT_EQ(Asn(65546).to_asdot(), "1.10");
    EXPECT_EQ(Asn(64496).to_asdot(), "64496");
}

TEST(Asn, RejectsOutOfRange) {
    for (const char* bad : {"", "AS", "4294967296", "-1", "1.65536", "1.", ".1", "12a", "1.2.3"}) {
        EXPECT_FALSE(Asn::parse(bad)) << bad;
    }
}

TEST(Asn, ClassifiesSpecialRanges) {
    EXPECT_TRUE(Asn(0).is_reserved());
    EXPECT_TRUE(Asn(23456).is_reserved());
    EXPECT_TRUE(Asn(64512).is_private());
    EXPECT_TRUE(Asn(4200000001U).is_private());
    EXPECT_TRUE(Asn(64500).is_reserved());
    EXPECT_FALSE(Asn(64500).is_private());
    EXPECT_FALSE(Asn(15169).is_reserved());
    EXPECT_FALSE(Asn(131072).is_reserved());
}

} // namespace
} // namespace dg
