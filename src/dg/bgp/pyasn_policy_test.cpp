#include "dg/bgp/pyasn_policy.hpp"

#include <gtest/gtest.h>
#include <vector>

namespace dg::bgp {
namespace {

struct SetCase {
    std::vector<std::uint32_t> items;
    std::uint32_t first;
};

// Generated with CPython 3.11: list(set(items))[0].
const std::vector<SetCase> kSetCases = {
    {{896, 48, 864, 128, 288, 128}, 896},
    {{8109, 51994}, 51994},
    {{6106, 17456}, 17456},
    {{151263, 566951, 123515, 598647, 323467}, 566951},
    {{13508, 24625, 48811, 12771, 8230,  7813,  26996, 65067, 69694, 56046,
      41176, 61028, 59400, 47394, 39292, 32562, 23563, 31995, 10729, 39355},
     7813},
    {{9216, 1344, 1080, 936,  1216, 7680, 48, 744, 5504, 32,
      5760, 1008, 2816, 7424, 1104, 1376, 48, 736, 640,  256},
     9216},
    {{37675, 16953}, 16953},
    {{409941, 961352, 913753, 520626}, 961352},
    {{58876, 52645}, 58876},
    {{71789, 225718, 288474, 145973, 370356, 217735, 188100, 357944, 199461, 120981,
      79127, 43508,  92389,  79324,  121613, 345253, 122336, 6325,   254261, 308871},
     217735},
    {{1120, 960, 1344}, 1120},
    {{468, 922, 892}, 892},
    {{417407, 418360, 413265, 108567, 504914, 665101, 419895, 65272,  199869, 70620,
      218905, 462031, 170188, 115269, 356573, 629909, 55130,  107353, 245,    594316},
     594316},
    {{972, 373, 629}, 629},
    {{896, 213}, 896},
    {{992, 144, 112, 2816, 2176, 1440, 544, 112}, 992},
    {{76862,  361795, 284779, 14179, 397486, 276882, 156285, 337074, 47716,  365008,
      136900, 271790, 192257, 87579, 186488, 116808, 279232, 283938, 263559, 172840},
     192257},
    {{31378, 52519, 29720, 26204}, 29720},
    {{372835, 766514, 30388,  29295,  828495, 292992, 495180, 271765, 203052, 726162,
      634535, 361005, 468953, 847843, 982538, 758255, 366498, 382349, 84451,  231172},
     292992},
    {{61615, 25783}, 25783},
    {{1472, 3328, 384, 1312, 144, 12032}, 1472},
    {{420885, 779462, 992789, 89045, 760007, 166573, 178262, 133210}, 779462},
    {{60995, 19160}, 19160},
    {{81744, 287656, 287460, 68674, 11219, 7468, 380828, 340617, 53883, 276081, 392952, 73008},
     68674},
    {{27662, 3670, 33009, 27890, 38400, 65689, 31528, 42729}, 38400},
    {{720, 4864, 8704, 1056, 560}, 4864},
    {{894, 451, 796}, 451},
    {{795, 819, 154}, 819},
    {{62062, 15773, 8095}, 15773},
    {{822370, 814209, 111264, 926132, 587514, 59583}, 111264},
    {{1152, 392, 232, 960}, 1152},
    {{36332, 59290, 66606, 69899, 62658, 66553, 32461, 68579, 34026, 26554,
      58659, 17975, 54610, 15942, 51428, 57950, 41417, 9509,  31542, 56144},
     69899},
    {{39686, 16037}, 16037},
    {{74963, 132702, 71961}, 71961},
    {{12338, 52201, 63867, 21338, 29323, 21164, 56561, 67582, 52929, 44449, 55218, 25657}, 52929},
    {{928, 256, 704, 2560, 792, 64}, 928},
    {{87, 272, 279, 41}, 272},
    {{396245, 67925, 221383}, 67925},
    {{156624, 562665, 963822, 539789, 598313}, 562665},
    {{46904, 146310, 30161, 360818, 96126, 222989, 37966, 140994, 8825, 332630, 46435, 136605},
     140994},
    {{704, 504}, 704},
    {{504, 704}, 504},
};

TEST(CpythonSet, FirstMemberMatchesCpython) {
    for (const auto& c : kSetCases) {
        EXPECT_EQ(cpython_set_first(c.items), c.first) << "case of " << c.items.size();
    }
}

AsPath seq(std::vector<std::uint32_t> asns) {
    return AsPath{{AsPathSegment{SegmentType::AsSequence, std::move(asns)}}};
}

TEST(PyasnOrigin, SkipsBogusBackwards) {
    EXPECT_EQ(pyasn_origin(seq({3333, 503, 64512}))->asn, 503U);
    EXPECT_EQ(pyasn_origin(seq({3333, 4200000001U}))->asn, 3333U);
    EXPECT_EQ(pyasn_origin(seq({3333, 1000000}))->asn, 3333U);
    EXPECT_EQ(pyasn_origin(seq({3333, 131072}))->asn, 131072U);
    EXPECT_EQ(pyasn_origin(seq({3333, 999999}))->asn, 999999U);
    EXPECT_FALSE(pyasn_origin(seq({0, 64496})));
    EXPECT_FALSE(pyasn_origin(AsPath{}));
}

TEST(PyasnOrigin, SetAndSegments) {
    AsPath p = seq({1, 2});
    p.segments.push_back(AsPathSegment{SegmentType::AsSet, {704, 504}});
    auto o = pyasn_origin(p);
    ASSERT_TRUE(o);
    EXPECT_EQ(o->asn, 704U);
    EXPECT_TRUE(o->from_set);
    // a wholly bogus set falls back to the previous sequence
    p.segments.back().asns = {64512, 65000};
    EXPECT_EQ(pyasn_origin(p)->asn, 2U);
    // pyasn raises on confederation segments and on a path not starting with a sequence
    AsPath c = seq({1});
    c.segments.push_back(AsPathSegment{SegmentType::ConfedSequence, {65001}});
    EXPECT_FALSE(pyasn_origin(c));
    AsPath s{{AsPathSegment{SegmentType::AsSet, {5}}}};
    EXPECT_FALSE(pyasn_origin(s));
}

TEST(PyasnConverter, FirstRecordWinsAndDefaultDropped) {
    PyasnConverter conv;
    const Prefix p = *Prefix::parse("100.65.0.0/16");
    conv.add_record(p, seq({1, 505}), 0);
    conv.add_record(p, seq({1, 705}), 1);
    conv.add_record(*Prefix::parse("0.0.0.0/0"), seq({1, 2}), 0);
    conv.add_record(*Prefix::parse("192.0.2.0/24"), AsPath{}, 0);      // raises in pyasn: skipped
    conv.add_record(*Prefix::parse("192.0.2.0/24"), seq({7, 500}), 0); // so the next one counts
    EXPECT_EQ(conv.stats().repeated, 1U);
    EXPECT_EQ(conv.stats().no_origin, 1U);
    PrefixTable t = conv.build();
    ASSERT_EQ(t.size(), 2U);
    EXPECT_EQ(t.route(0).prefix.to_string(), "100.65.0.0/16");
    EXPECT_EQ(t.route(0).origins[0].asn, 505U);
    EXPECT_EQ(t.route(1).origins[0].asn, 500U);
}

} // namespace
} // namespace dg::bgp
