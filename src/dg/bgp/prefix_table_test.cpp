#include "dg/bgp/prefix_table.hpp"
#include "tests/support/support.hpp"

#include <algorithm>
#include <fstream>
#include <gtest/gtest.h>
#include <random>
#include <vector>

namespace dg::bgp {
namespace {

IpAddress random_address(std::mt19937_64& rng, bool v4) {
    std::array<std::uint8_t, 16> b{};
    for (auto& x : b) {
        x = static_cast<std::uint8_t>(rng());
    }
    return IpAddress::from_bytes(v4 ? IpFamily::V4 : IpFamily::V6, b.data());
}

// Reference: linear scan for the longest containing prefix.
std::optional<Prefix> brute_force(const std::vector<Prefix>& prefixes, const IpAddress& ip) {
    std::optional<Prefix> best;
    for (const auto& p : prefixes) {
        if (p.family() == ip.family() && p.contains(ip) && (!best || p.length() > best->length())) {
            best = p;
        }
    }
    return best;
}

// Address with the bits of `p` and random (or all-0 / all-1) host bits.
IpAddress inside(std::mt19937_64& rng, const Prefix& p, int mode) {
    std::array<std::uint8_t, 16> b = p.network().bytes();
    const int width = p.network().bit_width();
    for (int i = p.length(); i < width; ++i) {
        const bool bit = mode == 0 ? (rng() & 1U) != 0 : mode == 2;
        if (bit) {
            b[static_cast<std::size_t>(i / 8)] |= static_cast<std::uint8_t>(0x80U >> (i % 8));
        }
    }
    return IpAddress::from_bytes(p.family(), b.data());
}

void check_against_brute_force(bool v4, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    const int width = v4 ? 32 : 128;
    // A small pool of bases so that prefixes nest and overlap a lot.
    std::vector<IpAddress> bases;
    for (int i = 0; i < 12; ++i) {
        bases.push_back(random_address(rng, v4));
    }
    std::vector<Prefix> prefixes;
    PrefixTableBuilder b;
    for (int i = 0; i < 700; ++i) {
        const IpAddress base = (i % 3 == 0) ? random_address(rng, v4) : bases[rng() % bases.size()];
        int len = 1 + static_cast<int>(rng() % static_cast<unsigned>(width));
        if (i < 4) {
            len = i % 2 == 0 ? 1 : width; // edges: /1 and host routes
        }
        const Prefix p(base, len);
        prefixes.push_back(p);
        b.add_origin(p, static_cast<std::uint32_t>(len), false, 0);
    }
    b.add_origin(Prefix(random_address(rng, v4), 0), 1, false, 0); // default: skipped
    EXPECT_EQ(b.stats().default_routes, 1U);
    std::sort(prefixes.begin(), prefixes.end());
    prefixes.erase(std::unique(prefixes.begin(), prefixes.end()), prefixes.end());
    const PrefixTable t = b.build();
    for (std::size_t i = 0; i < t.size() && i < prefixes.size(); ++i) {
        ASSERT_EQ(t.prefix(i), prefixes[i])
            << t.prefix(i).to_string() << " " << prefixes[i].to_string();
    }
    ASSERT_EQ(t.size(), prefixes.size());
    for (std::size_t i = 0; i < t.size(); ++i) {
        EXPECT_EQ(t.prefix(i), prefixes[i]);
    }
    std::vector<IpAddress> probes;
    for (int i = 0; i < 3000; ++i) {
        probes.push_back(random_address(rng, v4));
    }
    for (const auto& p : prefixes) {
        for (int mode = 0; mode < 3; ++mode) {
            probes.push_back(inside(rng, p, mode));
        }
    }
    for (const auto& ip : probes) {
        const auto want = brute_force(prefixes, ip);
        const auto got = t.lookup(ip);
        ASSERT_EQ(want.has_value(), got.has_value()) << ip.to_string();
        if (want) {
            ASSERT_EQ(got->prefix, *want) << ip.to_string();
            ASSERT_EQ(got->origins.size(), 1U);
            EXPECT_EQ(got->origins[0].asn, static_cast<std::uint32_t>(want->length()));
        }
    }
}

TEST(PrefixTable, Ipv4MatchesBruteForce) {
    for (std::uint64_t seed = 1; seed <= 3; ++seed) {
        check_against_brute_force(true, seed);
    }
}

TEST(PrefixTable, Ipv6MatchesBruteForce) {
    for (std::uint64_t seed = 1; seed <= 3; ++seed) {
        check_against_brute_force(false, seed);
    }
}

TEST(PrefixTable, EmptyTableAndFamilies) {
    PrefixTable empty;
    EXPECT_FALSE(empty.lookup(*IpAddress::parse("192.0.2.1")));
    EXPECT_FALSE(empty.lookup(*IpAddress::parse("2001:db8::1")));
    PrefixTableBuilder b;
    b.add_origin(*Prefix::parse("0.0.0.0/1"), 1, false);
    b.add_origin(*Prefix::parse("::/1"), 2, false);
    b.add_origin(*Prefix::parse("255.255.255.255/32"), 3, false);
    b.add_origin(*Prefix::parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"), 4, false);
    const PrefixTable t = b.build();
    EXPECT_EQ(t.ipv4_count(), 2U);
    EXPECT_EQ(t.ipv6_count(), 2U);
    EXPECT_EQ(t.lookup(*IpAddress::parse("127.255.255.255"))->origins[0].asn, 1U);
    EXPECT_FALSE(t.lookup(*IpAddress::parse("128.0.0.0")));
    EXPECT_EQ(t.lookup(*IpAddress::parse("255.255.255.255"))->origins[0].asn, 3U);
    EXPECT_FALSE(t.lookup(*IpAddress::parse("255.255.255.254")));
    EXPECT_EQ(t.lookup(*IpAddress::parse("::ffff:1.2.3.4"))->origins[0].asn, 2U);
    EXPECT_EQ(
        t.lookup(*IpAddress::parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))->origins[0].asn, 4U);
    EXPECT_FALSE(t.lookup(*IpAddress::parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe")));
}

AsPath seq(std::vector<std::uint32_t> asns) {
    return AsPath{{AsPathSegment{SegmentType::AsSequence, std::move(asns)}}};
}

TEST(PrefixTableBuilder, MoasOrderingAndFlags) {
    PrefixTableBuilder b;
    const Prefix p = *Prefix::parse("198.51.100.0/24");
    b.add(p, path_origin(seq({1, 601})), 0);
    b.add(p, path_origin(seq({2, 501})), 1);
    b.add(p, path_origin(seq({3, 601})), 2);
    b.add(p, path_origin(seq({3, 601})), 2); // same peer twice: counted once
    b.add(p, path_origin(seq({4, 700})), 100);
    b.add(p, path_origin(seq({4, 700})), 101);
    b.add(p, path_origin(seq({4, 700})), 100);
    b.add(p, path_origin(seq({4, 64512})), 5);
    AsPath set = seq({9});
    set.segments.push_back(AsPathSegment{SegmentType::AsSet, {704, 504}});
    b.add(p, path_origin(set), 6);
    b.add(*Prefix::parse("0.0.0.0/0"), path_origin(seq({1})), 0);
    b.add(*Prefix::parse("::/0"), path_origin(seq({1})), 0);
    b.add(*Prefix::parse("192.0.2.0/24"), path_origin(AsPath{}), 0);
    EXPECT_EQ(b.stats().default_routes, 2U);
    EXPECT_EQ(b.stats().no_origin, 1U);
    const PrefixTable t = b.build();
    ASSERT_EQ(t.size(), 1U);
    const auto o = t.origins(0);
    ASSERT_EQ(o.size(), 5U);
    EXPECT_EQ(o[0], (Origin{601, 2, 0}));
    EXPECT_EQ(o[1], (Origin{700, 2, 0}));
    EXPECT_EQ(o[2], (Origin{501, 1, 0}));
    EXPECT_EQ(o[3], (Origin{504, 1, kOriginAsSet}));
    EXPECT_EQ(o[4].asn, 64512U);
    EXPECT_TRUE(o[4].is_private());
    EXPECT_TRUE(o[4].is_reserved());
    EXPECT_EQ(b.stats().moas_prefixes, 1U);
    EXPECT_EQ(b.stats().as_set_origins, 1U);
}

/// The builder appends in-order input without hashing and indexes it when the order breaks:
/// the table must not depend on the input order (sorted, sorted then repeated, shuffled).
TEST(PrefixTableBuilder, InputOrderDoesNotChangeTheTable) {
    std::mt19937_64 rng(7);
    struct Obs {
        Prefix prefix;
        std::uint32_t asn;
        std::uint32_t peer;
    };
    std::vector<Obs> obs;
    for (int i = 0; i < 3000; ++i) {
        const bool v4 = i % 3 != 0;
        const Prefix p(random_address(rng, v4), 8 + static_cast<int>(rng() % 17U));
        for (std::uint32_t peer = 0; peer < 1 + rng() % 3U; ++peer) {
            obs.push_back({p, 64496U + static_cast<std::uint32_t>(rng() % 3U), peer});
        }
    }
    auto sorted = obs;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const Obs& a, const Obs& b) { return a.prefix < b.prefix; });
    auto repeated = sorted; // in order, then the first half once more (the index takes over)
    repeated.insert(repeated.end(), sorted.begin(),
                    sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2));
    auto shuffled = repeated;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    auto build = [](const std::vector<Obs>& in) {
        PrefixTableBuilder b;
        for (const auto& o : in) {
            b.add_origin(o.prefix, o.asn, false, o.peer);
        }
        return b.build();
    };
    const PrefixTable a = build(repeated);
    const PrefixTable b = build(shuffled);
    const PrefixTable c = build(sorted);
    ASSERT_EQ(a.size(), b.size());
    ASSERT_EQ(a.size(), c.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        ASSERT_EQ(a.prefix(i), b.prefix(i));
        ASSERT_EQ(a.prefix(i), c.prefix(i));
        if (i > 0) {
            ASSERT_TRUE(a.prefix(i - 1) < a.prefix(i));
        }
        const auto oa = a.origins(i);
        const auto ob = b.origins(i);
        const auto oc = c.origins(i);
        ASSERT_TRUE(std::equal(oa.begin(), oa.end(), ob.begin(), ob.end()));
        ASSERT_TRUE(std::equal(oa.begin(), oa.end(), oc.begin(), oc.end()));
    }
    for (const auto& o : obs) {
        const auto r = a.lookup(o.prefix.network());
        ASSERT_TRUE(r.has_value());
    }
}

PrefixTable sample_table() {
    PrefixTableBuilder b;
    std::mt19937_64 rng(42);
    for (int i = 0; i < 2000; ++i) {
        const bool v4 = i % 2 == 0;
        std::array<std::uint8_t, 16> bytes{};
        for (auto& x : bytes) {
            x = static_cast<std::uint8_t>(rng());
        }
        const IpAddress a = IpAddress::from_bytes(v4 ? IpFamily::V4 : IpFamily::V6, bytes.data());
        const int len = 8 + static_cast<int>(rng() % (v4 ? 25U : 57U));
        b.add_origin(Prefix(a, len), static_cast<std::uint32_t>(rng() % 400000), i % 7 == 0,
                     static_cast<std::uint32_t>(i % 3));
        b.add_origin(Prefix(a, len), 65000, false, 9);
    }
    return b.build();
}

TEST(PrefixTableCache, RoundTrip) {
    const test::TempDir dir;
    const PrefixTable t = sample_table();
    ASSERT_TRUE(t.save(dir.file("t.dgpt"), "key-1"));
    auto loaded = PrefixTable::load(dir.file("t.dgpt"), "key-1");
    ASSERT_TRUE(loaded) << loaded.error().to_string();
    EXPECT_EQ(loaded->key(), "key-1");
    ASSERT_EQ(loaded->size(), t.size());
    EXPECT_EQ(loaded->ipv4_count(), t.ipv4_count());
    for (std::size_t i = 0; i < t.size(); ++i) {
        EXPECT_EQ(loaded->prefix(i), t.prefix(i));
        ASSERT_TRUE(std::equal(loaded->origins(i).begin(), loaded->origins(i).end(),
                               t.origins(i).begin(), t.origins(i).end()));
        const IpAddress probe = t.prefix(i).network();
        EXPECT_EQ(loaded->lookup(probe)->prefix, t.lookup(probe)->prefix);
    }
    auto wrong = PrefixTable::load(dir.file("t.dgpt"), "key-2");
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(PrefixTable::load(dir.file("missing")).error().code, ErrorCode::NotFound);
}

TEST(PrefixTableCache, CorruptFilesAreRejected) {
    const test::TempDir dir;
    const PrefixTable t = sample_table();
    const std::string path = dir.file("t.dgpt");
    ASSERT_TRUE(t.save(path, "k"));
    const std::string good = test::read_file(path);
    const std::vector<std::size_t> positions = {
        0, 9, 20, 40, 300, good.size() / 2, good.size() - 70};
    for (const std::size_t pos : positions) {
        std::string bad = good;
        bad[pos] = static_cast<char>(bad[pos] ^ 0x5A);
        test::write_file(path, bad);
        auto r = PrefixTable::load(path);
        ASSERT_FALSE(r) << "flip at " << pos;
        EXPECT_EQ(r.error().code, ErrorCode::Malformed);
    }
    for (const std::size_t cut :
         {std::size_t{0}, std::size_t{10}, good.size() / 3, good.size() - 1}) {
        test::write_file(path, good.substr(0, cut));
        ASSERT_FALSE(PrefixTable::load(path)) << "cut at " << cut;
    }
    test::write_file(path, good);
    EXPECT_TRUE(PrefixTable::load(path));
}

} // namespace
} // namespace dg::bgp
