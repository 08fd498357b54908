#include "dg/bgp/table_sources.hpp"
#include "tests/support/support.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

namespace dg::bgp {
namespace {

std::string origins_of(const IpAsnSource& s, const char* ip) {
    auto r = s.lookup(*IpAddress::parse(ip));
    if (!r) {
        return "-";
    }
    std::string out = r->prefix.to_string() + " ";
    for (std::size_t i = 0; i < r->origins.size(); ++i) {
        out += (i ? "," : "") + std::to_string(r->origins[i].asn);
    }
    return out;
}

struct Collected {
    std::vector<std::string> messages;
    SourceOptions options(const std::string& cache_dir) {
        SourceOptions o;
        o.cache_dir = cache_dir;
        o.show_progress = false;
        o.warn = [this](const std::string& m) { messages.push_back(m); };
        return o;
    }
};

TEST(TableSources, Prefix2AsWithMalformedLines) {
    const test::TempDir dir;
    const std::string path = dir.file("routeviews-rv2-20240101-1200.pfx2as");
    test::write_file(path, "1.0.0.0\t24\t13335\n"
                           "1.0.4.0\t22\t38803_56203\n"
                           "1.0.8.0\t21\t4134,4809\n"
                           "2001:db8::\t32\t64496\n"
                           "garbage line\n"
                           "1.2.3.0\t40\t1\n"
                           "1.2.4.0\t24\tx\n");
    ASSERT_EQ(*detect_source_format(path), SourceFormat::Prefix2As);
    Collected c;
    auto s = IpAsnSource::open(path, c.options(dir.file("cache")));
    ASSERT_TRUE(s) << s.error().to_string();
    EXPECT_EQ(s->report().malformed, 3U);
    ASSERT_EQ(c.messages.size(), 3U);
    EXPECT_EQ(c.messages[0], path + ":5: expected 3 tab-separated fields (network, length, ASNs)");
    EXPECT_EQ(c.messages[1], path + ":6: bad prefix length '40'");
    EXPECT_EQ(c.messages[2], path + ":7: bad AS number 'x'");
    EXPECT_EQ(origins_of(*s, "1.0.0.7"), "1.0.0.0/24 13335");
    EXPECT_EQ(origins_of(*s, "1.0.5.1"), "1.0.4.0/22 38803,56203");
    auto set = s->lookup(*IpAddress::parse("1.0.9.9"));
    ASSERT_TRUE(set);
    ASSERT_EQ(set->origins.size(), 1U);
    EXPECT_EQ(set->origins[0].asn, 4134U);
    EXPECT_TRUE(set->origins[0].as_set());
    EXPECT_EQ(origins_of(*s, "2001:db8:1::1"), "2001:db8::/32 64496");
    EXPECT_EQ(origins_of(*s, "9.9.9.9"), "-");
}

TEST(TableSources, PyasnDatGzipped) {
    const test::TempDir dir;
    const std::string text = "; IP-ASN32-DAT file\n; Prefixes-v4 : 2\n\n"
                             "192.0.2.0/24\t500\n10.0.0.0/8\t3333\n2001:db8::/32\t510\n"
                             "10.0.0.0/33\t1\n";
    const std::string path = dir.file("ipasn.dat.gz");
    gzFile gz = gzopen(path.c_str(), "wb");
    ASSERT_NE(gz, nullptr);
    gzwrite(gz, text.data(), static_cast<unsigned>(text.size()));
    gzclose(gz);
    ASSERT_EQ(*detect_source_format(path), SourceFormat::PyasnDat);
    Collected c;
    auto s = IpAsnSource::open(path, c.options(dir.file("cache")));
    ASSERT_TRUE(s) << s.error().to_string();
    EXPECT_EQ(s->report().malformed, 1U);
    ASSERT_EQ(c.messages.size(), 1U);
    EXPECT_EQ(c.messages[0], path + ":7: bad prefix '10.0.0.0/33'");
    EXPECT_EQ(origins_of(*s, "10.1.2.3"), "10.0.0.0/8 3333");
    EXPECT_EQ(origins_of(*s, "192.0.2.255"), "192.0.2.0/24 500");
    EXPECT_EQ(origins_of(*s, "2001:db8::5"), "2001:db8::/32 510");
}

TEST(TableSources, UnknownFormat) {
    const test::TempDir dir;
    test::write_file(dir.file("x"), "hello world\n");
    auto r = detect_source_format(dir.file("x"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::Unsupported);
    EXPECT_EQ(detect_source_format(dir.file("missing")).error().code, ErrorCode::NotFound);
}

TEST(TableSources, MrtPoliciesOnLabRib) {
    DG_SHARED_OR_SKIP(rib, "mrt/synthetic/lab-rib.mrt.gz");
    const test::TempDir dir;
    Collected c;
    auto s = IpAsnSource::open(rib, c.options(dir.file("cache")));
    ASSERT_TRUE(s) << s.error().to_string();
    EXPECT_FALSE(s->report().from_cache);
    EXPECT_EQ(origins_of(*s, "198.51.100.1"), "198.51.100.0/24 501,601");
    EXPECT_EQ(origins_of(*s, "100.65.1.1"), "100.65.0.0/16 505,705");
    EXPECT_EQ(origins_of(*s, "0.0.0.1"), "-");
    auto opts = c.options(dir.file("cache"));
    opts.policy = Policy::Pyasn;
    auto p = IpAsnSource::open(rib, opts);
    ASSERT_TRUE(p) << p.error().to_string();
    EXPECT_EQ(origins_of(*p, "198.51.100.1"), "198.51.100.0/24 501");
    EXPECT_EQ(origins_of(*p, "100.65.1.1"), "100.65.0.0/16 505");
    EXPECT_EQ(origins_of(*p, "100.64.1.1"), "100.64.0.0/16 704");
    EXPECT_EQ(origins_of(*p, "10.1.1.1"), "10.0.0.0/8 3333");
}

TEST(TableSources, MrtCacheReusedAndCorruptCacheRebuilt) {
    DG_SHARED_OR_SKIP(rib, "mrt/synthetic/lab-rib.mrt.gz");
    const test::TempDir dir;
    Collected c;
    auto first = IpAsnSource::open(rib, c.options(dir.file("cache")));
    ASSERT_TRUE(first);
    const std::string cache = first->report().cache_path;
    ASSERT_FALSE(cache.empty());
    auto second = IpAsnSource::open(rib, c.options(dir.file("cache")));
    ASSERT_TRUE(second);
    EXPECT_TRUE(second->report().from_cache);
    EXPECT_EQ(origins_of(*second, "198.51.100.1"), "198.51.100.0/24 501,601");
    // The cache file is a source of its own.
    EXPECT_EQ(*detect_source_format(cache), SourceFormat::CachedTable);
    // Damage it: the next open rebuilds (with a warning) instead of trusting it.
    std::string bytes = test::read_file(cache);
    bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 1);
    test::write_file(cache, bytes);
    c.messages.clear();
    auto third = IpAsnSource::open(rib, c.options(dir.file("cache")));
    ASSERT_TRUE(third);
    EXPECT_FALSE(third->report().from_cache);
    ASSERT_EQ(c.messages.size(), 1U);
    EXPECT_NE(c.messages[0].find("damaged prefix table cache"), std::string::npos);
    EXPECT_TRUE(PrefixTable::load(cache)); // rewritten
    // no cache at all
    auto opts = c.options(dir.file("cache2"));
    opts.use_cache = false;
    auto fourth = IpAsnSource::open(rib, opts);
    ASSERT_TRUE(fourth);
    EXPECT_TRUE(fourth->report().cache_path.empty());
}

} // namespace
} // namespace dg::bgp
