#include "dg/bgp/table_sources.hpp"
#include "tests/support/support.hpp"

#include <array>
#include <gtest/gtest.h>
#include <map>
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

// ---- a minimal MaxMind DB writer (format spec v2.0), IPv4 tree, 24-bit records ----
class MmdbWriter {
public:
    void add(const Prefix& p, std::uint32_t asn) { entries_.emplace_back(p, asn); }
    std::string database_type = "GeoLite2-ASN";
    std::string build() {
        std::string data;
        std::map<std::uint32_t, std::uint32_t> offsets;
        for (const auto& [p, asn] : entries_) {
            if (!offsets.contains(asn)) {
                offsets[asn] = static_cast<std::uint32_t>(data.size());
                data += map_header(2);
                data += str("autonomous_system_number") + u32(asn);
                data += str("autonomous_system_organization") + str("AS" + std::to_string(asn));
            }
        }
        std::vector<std::array<std::int64_t, 2>> nodes;
        build_node(nodes, 0, 0, offsets);
        const auto node_count = static_cast<std::uint32_t>(nodes.size());
        std::string out;
        auto record = [&](std::int64_t v) {
            const std::uint32_t r = v == kEmpty ? node_count
                                    : v >= 0
                                        ? static_cast<std::uint32_t>(v)
                                        : node_count + 16U + static_cast<std::uint32_t>(-v - 1);
            out += static_cast<char>((r >> 16U) & 0xFFU);
            out += static_cast<char>((r >> 8U) & 0xFFU);
            out += static_cast<char>(r & 0xFFU);
        };
        for (const auto& n : nodes) {
            record(n[0]);
            record(n[1]);
        }
        out += std::string(16, '\0');
        out += data;
        out += "\xAB\xCD\xEFMaxMind.com";
        out += map_header(9);
        out += str("node_count") + u32(node_count);
        out += str("record_size") + u16(24);
        out += str("ip_version") + u16(4);
        out += str("database_type") + str(database_type);
        out += str("languages") + std::string{'\x00', '\x04'}; // empty array
        out += str("binary_format_major_version") + u16(2);
        out += str("binary_format_minor_version") + u16(0);
        out += str("build_epoch") + std::string{'\x08', '\x02'} +
               std::string("\x00\x00\x00\x00\x65\x00\x00\x00", 8);
        out += str("description") + map_header(0);
        return out;
    }

private:
    static std::string map_header(int n) { return std::string(1, static_cast<char>(0xE0 | n)); }
    static std::string str(const std::string& s) {
        if (s.size() < 29) {
            return std::string(1, static_cast<char>(0x40 | static_cast<int>(s.size()))) + s;
        }
        return std::string{'\x5D', static_cast<char>(s.size() - 29)} + s; // size 29 + next byte
    }
    static std::string be(std::uint32_t v, int bytes) {
        std::string o;
        for (int i = bytes - 1; i >= 0; --i) {
            o += static_cast<char>((v >> (8U * static_cast<unsigned>(i))) & 0xFFU);
        }
        return o;
    }
    static std::string u16(std::uint32_t v) { return std::string(1, '\xA2') + be(v, 2); }
    static std::string u32(std::uint32_t v) { return std::string(1, '\xC4') + be(v, 4); }

    // Record for the region (addr, depth): a node when a longer prefix lies inside, else the data
    // of the longest prefix covering it (leaf pushing), else kEmpty ("no data" = node_count).
    std::int64_t build_node(std::vector<std::array<std::int64_t, 2>>& nodes, std::uint32_t addr,
                            int depth, const std::map<std::uint32_t, std::uint32_t>& offsets) {
        bool deeper = depth == 0;
        std::optional<std::pair<int, std::uint32_t>> cover;
        for (const auto& [p, asn] : entries_) {
            const std::uint32_t net = p.network().v4_value();
            const int len = p.length();
            const std::uint32_t region_mask =
                depth == 0 ? 0U : ~0U << (32U - static_cast<unsigned>(depth));
            if (len > depth && (net & region_mask) == addr) {
                deeper = true;
            }
            const std::uint32_t mask = len == 0 ? 0U : ~0U << (32U - static_cast<unsigned>(len));
            if (len <= depth && (addr & mask) == net && (!cover || cover->first < len)) {
                cover = std::make_pair(len, asn);
            }
        }
        if (!deeper || depth == 32) {
            return cover ? -static_cast<std::int64_t>(offsets.at(cover->second)) - 1 : kEmpty;
        }
        const auto idx = nodes.size();
        nodes.push_back({0, 0});
        const std::int64_t left = build_node(nodes, addr, depth + 1, offsets);
        const std::int64_t right = build_node(
            nodes, addr | (1U << (31U - static_cast<unsigned>(depth))), depth + 1, offsets);
        nodes[idx] = {left, right};
        return static_cast<std::int64_t>(idx);
    }
    static constexpr std::int64_t kEmpty = 1'000'000'000;
    std::vector<std::pair<Prefix, std::uint32_t>> entries_;
};

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

TEST(TableSources, ReplacedDumpAtSamePathIsRebuilt) {
    DG_SHARED_OR_SKIP(lab, "mrt/synthetic/lab-rib.mrt.gz");
    DG_SHARED_OR_SKIP(other, "mrt/bview.64k_stream_overflow.gz");
    const test::TempDir dir;
    const std::string path = dir.file("latest-bview.gz");
    test::write_file(path, test::read_file(lab));
    Collected c;
    auto a = IpAsnSource::open(path, c.options(dir.file("cache")));
    ASSERT_TRUE(a);
    auto b = IpAsnSource::open(path, c.options(dir.file("cache")));
    ASSERT_TRUE(b);
    EXPECT_TRUE(b->report().from_cache);
    // same name, new content: a new key, a new table (pyasn would keep the stale .dat)
    test::write_file(path, test::read_file(other));
    auto d = IpAsnSource::open(path, c.options(dir.file("cache")));
    ASSERT_TRUE(d);
    EXPECT_FALSE(d->report().from_cache);
    EXPECT_EQ(origins_of(*d, "198.51.100.1"), "-");
    EXPECT_EQ(d->table()->size(), 1U);
}

TEST(TableSources, MaxMindAsnDatabase) {
    MmdbWriter w;
    w.add(*Prefix::parse("10.0.0.0/8"), 3333);
    w.add(*Prefix::parse("10.1.0.0/16"), 4200000001U);
    w.add(*Prefix::parse("192.0.2.0/24"), 64500);
    const test::TempDir dir;
    const std::string path = dir.file("GeoLite2-ASN.db"); // detected by content, not name
    test::write_file(path, w.build());
    ASSERT_EQ(*detect_source_format(path), SourceFormat::Mmdb);
    Collected c;
    auto s = IpAsnSource::open(path, c.options(dir.file("cache")));
    ASSERT_TRUE(s) << s.error().to_string();
    EXPECT_EQ(s->table(), nullptr);
    // The network is the database record's: 10/8 minus 10.1/16 is stored as /9../16 pieces.
    EXPECT_EQ(origins_of(*s, "10.2.3.4"), "10.2.0.0/15 3333");
    EXPECT_EQ(origins_of(*s, "10.200.3.4"), "10.128.0.0/9 3333");
    EXPECT_EQ(origins_of(*s, "10.1.3.4"), "10.1.0.0/16 4200000001");
    EXPECT_EQ(origins_of(*s, "192.0.2.200"), "192.0.2.0/24 64500");
    EXPECT_EQ(origins_of(*s, "11.0.0.1"), "-");
    EXPECT_EQ(origins_of(*s, "2001:db8::1"), "-");
    auto r = s->lookup(*IpAddress::parse("10.1.3.4"));
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->origins[0].is_private());
}

/// Issue 12 item 19: a City (or Country) database opens as an .mmdb but routes nothing; given
/// as an IP-to-AS source it is an error that says what the file is and what is expected.
TEST(TableSources, MaxMindCityDatabaseIsRefused) {
    MmdbWriter w;
    w.add(*Prefix::parse("192.0.2.0/24"), 64500);
    w.database_type = "GeoIP2-City";
    const test::TempDir dir;
    const std::string path = dir.file("city.mmdb");
    test::write_file(path, w.build());
    Collected c;
    auto s = IpAsnSource::open(path, c.options(dir.file("cache")));
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, ErrorCode::Unsupported);
    EXPECT_NE(s.error().message.find("'GeoIP2-City', which maps addresses to places, not to ASes"),
              std::string::npos)
        << s.error().message;
    for (const char* ok : {"GeoIP2-ISP", "DBIP-ASN-Lite (compat=GeoLite2-ASN)"}) {
        w.database_type = ok;
        test::write_file(path, w.build());
        EXPECT_TRUE(IpAsnSource::open(path, c.options(dir.file("cache")))) << ok;
    }
    // the real MaxMind test databases, when ../shared is there
    const std::string city = test::shared_data("geo/GeoLite2-City-Test.mmdb");
    if (!city.empty()) {
        auto real = IpAsnSource::open(city, c.options(dir.file("cache")));
        ASSERT_FALSE(real);
        EXPECT_NE(real.error().message.find("'GeoLite2-City'"), std::string::npos);
        EXPECT_TRUE(IpAsnSource::open(test::shared_data("geo/GeoLite2-ASN-Test.mmdb"),
                                      c.options(dir.file("cache"))));
    }
}

} // namespace
} // namespace dg::bgp
