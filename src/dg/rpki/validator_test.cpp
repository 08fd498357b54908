// RFC 6811 route-origin validation pinned on a hand-built VRP table, and the index checked against
// the naive algorithm (every VRP tried) on random sets.
#include "dg/rpki/validator.hpp"

#include <gtest/gtest.h>
#include <random>

namespace dg::rpki {
namespace {

Prefix pfx(const char* text) {
    auto p = Prefix::parse(text);
    EXPECT_TRUE(p) << text;
    return *p;
}

Vrp vrp(const char* prefix, int max_length, std::uint32_t asn, std::uint16_t ta = 0) {
    Vrp v;
    v.prefix = pfx(prefix);
    v.max_length = static_cast<std::uint8_t>(max_length);
    v.asn = Asn(asn);
    v.ta = ta;
    return v;
}

VrpIndex index_of(std::vector<Vrp> vrps) {
    VrpSet set;
    set.vrps = std::move(vrps);
    set.trust_anchors = {"ripe", "arin"};
    return VrpIndex::build(std::move(set));
}

constexpr Validity kValid{State::Valid, Reason::None};
constexpr Validity kNotFound{State::NotFound, Reason::None};
constexpr Validity kTooSpecific{State::Invalid, Reason::TooSpecific};
constexpr Validity kWrongOrigin{State::Invalid, Reason::WrongOrigin};

std::string show(const Validity& v) {
    const char* reason = reason_name(v.reason);
    return std::string(state_name(v.state)) + (reason != nullptr ? std::string(":") + reason : "");
}

class Rfc6811 : public ::testing::Test {
protected:
    Rfc6811()
        : index_(index_of({
              vrp("192.0.2.0/24", 24, 64496),
              // Several VRPs for one prefix.
              vrp("198.51.100.0/24", 26, 64497),
              vrp("198.51.100.0/24", 24, 64498),
              // AS0 (RFC 6483 §4): covers, never matches.
              vrp("203.0.113.0/24", 24, 0),
              // Nested covering VRPs.
              vrp("10.0.0.0/8", 8, 64500),
              vrp("10.1.0.0/16", 24, 64501),
              vrp("10.1.2.0/24", 32, 64502),
              vrp("2001:db8::/32", 48, 64502),
              vrp("2001:db8:ff00::/40", 40, 0),
              vrp("2001:db8:ffff::/48", 128, 64503),
          })) {}

    [[nodiscard]] std::string check(const char* route, std::optional<std::uint32_t> origin) const {
        RouteOrigin o;
        if (origin) {
            o = Asn(*origin);
        }
        return show(index_.validate(pfx(route), o));
    }

    VrpIndex index_;
};

TEST_F(Rfc6811, ExactMatchIsValid) {
    EXPECT_EQ(check("192.0.2.0/24", 64496), show(kValid));
}

TEST_F(Rfc6811, LongerThanMaxLengthWithTheSameAsIsTooSpecific) {
    EXPECT_EQ(check("192.0.2.0/25", 64496), show(kTooSpecific));
    EXPECT_EQ(check("192.0.2.128/25", 64496), show(kTooSpecific));
}

TEST_F(Rfc6811, AnotherAsIsWrongOrigin) {
    EXPECT_EQ(check("192.0.2.0/24", 64511), show(kWrongOrigin));
    EXPECT_EQ(check("192.0.2.0/25", 64511), show(kWrongOrigin));
}

TEST_F(Rfc6811, RouteShorterThanTheVrpIsNotCovered) {
    EXPECT_EQ(check("192.0.0.0/16", 64496), show(kNotFound));
    EXPECT_EQ(check("192.0.2.0/23", 64496), show(kNotFound));
    EXPECT_EQ(check("198.18.0.0/15", 64496), show(kNotFound));
}

TEST_F(Rfc6811, SeveralVrpsForOnePrefix) {
    EXPECT_EQ(check("198.51.100.0/24", 64497), show(kValid));
    EXPECT_EQ(check("198.51.100.0/24", 64498), show(kValid));
    EXPECT_EQ(check("198.51.100.64/26", 64497), show(kValid));
    // AS64498 is allowed only the /24; AS64497's maxLength is 26.
    EXPECT_EQ(check("198.51.100.64/26", 64498), show(kTooSpecific));
    EXPECT_EQ(check("198.51.100.64/27", 64497), show(kTooSpecific));
    EXPECT_EQ(check("198.51.100.0/24", 64499), show(kWrongOrigin));
}

TEST_F(Rfc6811, As0VrpsCoverButNeverMatch) {
    EXPECT_EQ(check("203.0.113.0/24", 64496), show(kWrongOrigin));
    EXPECT_EQ(check("203.0.113.0/24", 0), show(kWrongOrigin));
    EXPECT_EQ(check("203.0.113.128/25", 64496), show(kWrongOrigin));
    // An AS0 VRP beside a real one does not make the real one's routes invalid.
    EXPECT_EQ(check("2001:db8:ff00::/40", 64502), show(kValid));
    EXPECT_EQ(check("2001:db8:ff00::/48", 64502), show(kValid));
    EXPECT_EQ(check("2001:db8:ff00::/49", 64502), show(kTooSpecific));
}

TEST_F(Rfc6811, OriginAs0NeverMatches) {
    // RFC 7607: AS0 is not a valid origin; even an AS0 VRP does not make it Valid.
    EXPECT_EQ(check("192.0.2.0/24", 0), show(kWrongOrigin));
    EXPECT_EQ(check("192.0.0.0/16", 0), show(kNotFound));
}

TEST_F(Rfc6811, OriginNoneIsInvalidWhenCovered) {
    // RFC 6811 §2: an AS_SET origin (NONE) matches no VRP.
    EXPECT_EQ(check("192.0.2.0/24", std::nullopt), show(kWrongOrigin));
    EXPECT_EQ(check("10.1.2.0/24", std::nullopt), show(kWrongOrigin));
    EXPECT_EQ(check("192.0.0.0/16", std::nullopt), show(kNotFound));
}

TEST_F(Rfc6811, NestedCoveringVrpsAreAllTried) {
    EXPECT_EQ(check("10.0.0.0/8", 64500), show(kValid));
    EXPECT_EQ(check("10.1.0.0/16", 64501), show(kValid));
    EXPECT_EQ(check("10.1.2.0/24", 64501), show(kValid)); // by 10.1.0.0/16-24
    EXPECT_EQ(check("10.1.2.0/25", 64501), show(kTooSpecific));
    EXPECT_EQ(check("10.1.2.0/25", 64502), show(kValid));       // by 10.1.2.0/24-32
    EXPECT_EQ(check("10.1.3.0/24", 64502), show(kWrongOrigin)); // 10.1.2.0/24 does not cover it
    EXPECT_EQ(check("10.1.2.0/24", 64500), show(kTooSpecific)); // 10.0.0.0/8-8 has AS64500
    EXPECT_EQ(check("10.2.0.0/16", 64501), show(kWrongOrigin)); // only 10.0.0.0/8 covers
    EXPECT_EQ(check("10.0.0.0/7", 64500), show(kNotFound));
}

TEST_F(Rfc6811, HostRoutes) {
    EXPECT_EQ(check("10.1.2.3/32", 64502), show(kValid));
    EXPECT_EQ(check("10.1.2.3/32", 64501), show(kTooSpecific));
    EXPECT_EQ(check("192.0.2.1/32", 64496), show(kTooSpecific));
    EXPECT_EQ(check("2001:db8:ffff::1/128", 64503), show(kValid));
    EXPECT_EQ(check("2001:db8:ffff::1/128", 64502), show(kTooSpecific));
    EXPECT_EQ(check("2001:db8:1::1/128", 64503), show(kWrongOrigin));
}

TEST_F(Rfc6811, Ipv6) {
    EXPECT_EQ(check("2001:db8::/32", 64502), show(kValid));
    EXPECT_EQ(check("2001:db8:1::/48", 64502), show(kValid));
    EXPECT_EQ(check("2001:db8:1::/49", 64502), show(kTooSpecific));
    EXPECT_EQ(check("2001:db8::/31", 64502), show(kNotFound));
    EXPECT_EQ(check("2001:db9::/32", 64502), show(kNotFound));
    // An IPv4 VRP never covers an IPv6 route, even with the same leading bits.
    EXPECT_EQ(check("c000:200::/24", 64496), show(kNotFound));
}

TEST_F(Rfc6811, DefaultRouteIsNotCoveredByLongerVrps) {
    EXPECT_EQ(check("0.0.0.0/0", 64496), show(kNotFound));
    EXPECT_EQ(check("::/0", 64502), show(kNotFound));
}

TEST(Rfc6811Default, DefaultRouteVrpsCoverEverything) {
    const VrpIndex index = index_of({
        vrp("0.0.0.0/0", 0, 64505),
        vrp("::/0", 0, 0),
        vrp("192.0.2.0/24", 24, 64496),
    });
    EXPECT_EQ(index.validate(pfx("0.0.0.0/0"), Asn(64505)), kValid);
    EXPECT_EQ(index.validate(pfx("0.0.0.0/0"), Asn(64496)), kWrongOrigin);
    EXPECT_EQ(index.validate(pfx("198.51.100.0/24"), Asn(64505)), kTooSpecific);
    EXPECT_EQ(index.validate(pfx("192.0.2.0/24"), Asn(64496)), kValid);
    EXPECT_EQ(index.validate(pfx("192.0.2.0/24"), Asn(64505)), kTooSpecific);
    EXPECT_EQ(index.validate(pfx("192.0.2.0/24"), Asn(64511)), kWrongOrigin);
    EXPECT_EQ(index.validate(pfx("::/0"), Asn(64505)), kWrongOrigin);
    EXPECT_EQ(index.validate(pfx("2001:db8::/32"), Asn(1)), kWrongOrigin);
    EXPECT_EQ(index.stats().prefixes, 3U);
}

TEST(Rfc6811Empty, EverythingIsNotFound) {
    const VrpIndex index = index_of({});
    EXPECT_EQ(index.validate(pfx("192.0.2.0/24"), Asn(1)), kNotFound);
    EXPECT_EQ(index.validate(pfx("::/0"), std::nullopt), kNotFound);
    EXPECT_EQ(index.stats().vrps, 0U);
}

TEST_F(Rfc6811, ExplainListsMatchesOrEveryCoveringVrp) {
    auto valid = index_.explain(pfx("10.1.2.0/25"), Asn(64502));
    EXPECT_EQ(valid.validity, kValid);
    ASSERT_EQ(valid.vrps.size(), 1U);
    EXPECT_EQ(index_.vrp(valid.vrps[0]).prefix, pfx("10.1.2.0/24"));

    auto invalid = index_.explain(pfx("10.1.2.0/25"), Asn(64501));
    EXPECT_EQ(invalid.validity, kTooSpecific);
    ASSERT_EQ(invalid.vrps.size(), 3U); // most specific first
    EXPECT_EQ(index_.vrp(invalid.vrps[0]).prefix, pfx("10.1.2.0/24"));
    EXPECT_EQ(index_.vrp(invalid.vrps[1]).prefix, pfx("10.1.0.0/16"));
    EXPECT_EQ(index_.vrp(invalid.vrps[2]).prefix, pfx("10.0.0.0/8"));

    auto none = index_.explain(pfx("192.0.0.0/16"), Asn(64496));
    EXPECT_EQ(none.validity, kNotFound);
    EXPECT_TRUE(none.vrps.empty());
}

TEST(VrpIndexBuild, DuplicatesAreDroppedKeepingTheFirstTrustAnchor) {
    const VrpIndex index = index_of({
        vrp("192.0.2.0/24", 24, 64496, 1),
        vrp("2001:db8::/32", 48, 64496, 0),
        vrp("192.0.2.0/24", 24, 64496, 0),
        vrp("192.0.2.0/24", 25, 64496, 0),
    });
    EXPECT_EQ(index.stats().vrps, 3U);
    EXPECT_EQ(index.stats().duplicates, 1U);
    EXPECT_EQ(index.stats().ipv4, 2U);
    EXPECT_EQ(index.stats().ipv6, 1U);
    EXPECT_EQ(index.stats().prefixes, 2U);
    EXPECT_EQ(index.trust_anchor(index.vrps()[0]), "arin");
    EXPECT_GT(index.memory_bytes(), 0U);
}

// --- The index against the naive algorithm (RFC 6811 §2 read literally: every VRP tried).

Validity naive(const std::vector<Vrp>& vrps, const Prefix& route, RouteOrigin origin) {
    bool covered = false;
    bool same_as = false;
    for (const Vrp& v : vrps) {
        if (v.prefix.family() != route.family() || v.prefix.length() > route.length() ||
            !v.prefix.contains(route.network())) {
            continue;
        }
        covered = true;
        if (origin && origin->value() != 0 && v.asn == *origin) {
            if (route.length() <= v.max_length) {
                return kValid;
            }
            same_as = true;
        }
    }
    if (!covered) {
        return kNotFound;
    }
    return same_as ? kTooSpecific : kWrongOrigin;
}

Prefix random_prefix(std::mt19937_64& rng, bool v6, int min_len, int max_len) {
    std::uniform_int_distribution<int> len_dist(min_len, max_len);
    const int len = len_dist(rng);
    std::uint8_t bytes[16] = {};
    // A small address space (the first 12 bits vary little) so that prefixes nest often.
    const std::uint64_t r = rng();
    for (int i = 0; i < 16; ++i) {
        bytes[i] = static_cast<std::uint8_t>(rng());
    }
    bytes[0] = v6 ? 0x20 : static_cast<std::uint8_t>(10 + (r & 1U));
    bytes[1] = static_cast<std::uint8_t>((r >> 1) & 0x3U);
    return Prefix(IpAddress::from_bytes(v6 ? IpFamily::V6 : IpFamily::V4, bytes), len);
}

TEST(VrpIndexVsNaive, RandomSetsAgree) {
    std::mt19937_64 rng(20240518);
    for (int round = 0; round < 4; ++round) {
        std::vector<Vrp> vrps;
        for (int i = 0; i < 1500; ++i) {
            const bool v6 = (rng() % 4) == 0;
            const int width = v6 ? 128 : 32;
            Vrp v;
            v.prefix = random_prefix(rng, v6, v6 ? 8 : 4, v6 ? 64 : 28);
            v.max_length = static_cast<std::uint8_t>(
                std::min<int>(width, v.prefix.length() + static_cast<int>(rng() % 9)));
            v.asn = Asn(rng() % 7 == 0 ? 0 : 64496 + static_cast<std::uint32_t>(rng() % 6));
            vrps.push_back(v);
        }
        if (round == 3) {
            vrps.push_back(vrp("0.0.0.0/0", 4, 64497));
        }
        const std::vector<Vrp> copy = vrps;
        const VrpIndex index = index_of(vrps);
        std::vector<Route> batch;
        for (int i = 0; i < 20000; ++i) {
            const bool v6 = (rng() % 4) == 0;
            const Prefix route = random_prefix(rng, v6, 0, v6 ? 128 : 32);
            RouteOrigin origin;
            if (rng() % 10 != 0) {
                origin = Asn(rng() % 12 == 0 ? 0 : 64496 + static_cast<std::uint32_t>(rng() % 6));
            }
            ASSERT_EQ(show(index.validate(route, origin)), show(naive(copy, route, origin)))
                << route.to_string() << " origin "
                << (origin ? std::to_string(origin->value()) : "none") << " round " << round;
            batch.push_back(Route{route, origin});
        }
        // The batch API gives the same answers.
        std::vector<Validity> out(batch.size());
        index.validate(batch, out);
        for (std::size_t i = 0; i < batch.size(); ++i) {
            ASSERT_EQ(out[i], index.validate(batch[i].prefix, batch[i].origin)) << i;
        }
    }
}

} // namespace
} // namespace dg::rpki
