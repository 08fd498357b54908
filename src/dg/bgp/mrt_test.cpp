// Unit tests: attribute parsers, AS4 merge (RFC 6793), writer round-trips, limits, corruption.

#include "dg/bgp/internal/wire.hpp"
#include "dg/bgp/limits.hpp"
#include "dg/bgp/mrt_format.hpp"
#include "dg/bgp/mrt_reader.hpp"
#include "dg/bgp/mrt_writer.hpp"
#include "tests/support/support.hpp"

#include <gtest/gtest.h>

namespace dg::bgp {
namespace {

using Bytes = std::vector<std::uint8_t>;

IpAddress ip(const char* s) {
    return IpAddress::parse(s).value();
}
Prefix pfx(const char* s) {
    return Prefix::parse(s).value();
}
AsPath seq(std::vector<std::uint32_t> asns) {
    return AsPath{{AsPathSegment{SegmentType::AsSequence, std::move(asns)}}};
}

struct Parsed {
    Result<void> status = ok();
    PathAttributes attrs;
    AttributeParseResult result;
    std::vector<std::string> warnings;
};

Parsed parse(const Bytes& b, bool as4) {
    Parsed p;
    AttributeParseOptions o;
    o.as4 = as4;
    p.status = parse_attributes(b.data(), b.size(), o, p.attrs, p.result, p.warnings);
    return p;
}

std::string path_text(const AsPath& p) {
    std::string s;
    append_as_path(p, s);
    return s;
}

TEST(MrtAttributes, AsPathTwoAndFourByte) {
    // AS_PATH: AS_SEQUENCE 1 65000, AS_SET {7,8}
    const Bytes two = {0x40, 2, 12, 2, 2, 0, 1, 0xFD, 0xE8, 1, 2, 0, 7, 0, 8};
    auto p = parse(two, false);
    ASSERT_TRUE(p.status);
    EXPECT_EQ(path_text(p.attrs.as_path), "1 65000 {7,8}");
    const auto po = path_origin(p.attrs.as_path);
    EXPECT_TRUE(po.ends_in_set());

    const Bytes four = {0x40, 2, 10, 2, 2, 0, 0, 0, 1, 0, 3, 0x0D, 0x40};
    auto q = parse(four, true);
    ASSERT_TRUE(q.status);
    EXPECT_EQ(path_text(q.attrs.as_path), "1 200000");
}

TEST(MrtAttributes, ConfederationSegments) {
    const Bytes b = {0x40, 2, 18, 3, 1, 0, 0, 0, 5, 4, 1, 0, 0, 0, 6, 2, 1, 0, 0, 0, 9};
    auto p = parse(b, true);
    ASSERT_TRUE(p.status);
    EXPECT_EQ(path_text(p.attrs.as_path), "(5) [6] 9");
    EXPECT_EQ(path_origin(p.attrs.as_path).asn->value(), 9U);
}

TEST(MrtAttributes, As4PathMergeRfc6793) {
    // AS_PATH (2-byte) 100 23456 23456, AS4_PATH 200000 300000 -> 100 200000 300000
    const Bytes b = {0x40, 2,  8, 2, 3, 0, 100,  0x5B, 0xA0, 0x5B, 0xA0, 0xC0,
                     17,   10, 2, 2, 0, 3, 0x0D, 0x40, 0,    4,    0x93, 0xE0};
    auto p = parse(b, false);
    ASSERT_TRUE(p.status);
    EXPECT_EQ(path_text(p.attrs.as_path), "100 200000 300000");
    EXPECT_TRUE(p.warnings.empty());
}

TEST(MrtAttributes, As4PathLongerThanAsPathIsIgnored) {
    const Bytes b = {0x40, 2, 4, 2, 1,    0,    100, 0xC0, 17,   10,
                     2,    2, 0, 3, 0x0D, 0x40, 0,   4,    0x93, 0xE0};
    auto p = parse(b, false);
    ASSERT_TRUE(p.status);
    EXPECT_EQ(path_text(p.attrs.as_path), "100");
    EXPECT_TRUE(p.result.recovered);
}

TEST(MrtAttributes, As4PathIgnoredWhenAggregatorIsNotAsTrans) {
    // AGGREGATOR AS 100 (not AS_TRANS) + AS4_AGGREGATOR: both AS4 attributes ignored
    const Bytes b = {0x40, 2, 4, 2,    1,    0x5B, 0xA0, 0xC0, 7, 6,    0,    100,
                     1,    2, 3, 4,    0xC0, 18,   8,    0,    3, 0x0D, 0x40, 1,
                     2,    3, 4, 0xC0, 17,   6,    2,    1,    0, 3,    0x0D, 0x40};
    auto p = parse(b, false);
    ASSERT_TRUE(p.status);
    EXPECT_EQ(path_text(p.attrs.as_path), "23456");
    EXPECT_EQ(p.attrs.aggregator->asn, 100U);
}

TEST(MrtAttributes, AggregatorAs4Replaces) {
    const Bytes b = {0xC0, 7, 6, 0x5B, 0xA0, 1, 2, 3, 4, 0xC0, 18, 8, 0, 3, 0x0D, 0x40, 1, 2, 3, 4};
    auto p = parse(b, false);
    ASSERT_TRUE(p.status);
    EXPECT_EQ(p.attrs.aggregator->asn, 200000U);
}

TEST(MrtAttributes, CommunitiesAndLarge) {
    const Bytes b = {0xC0, 8, 8, 0x0B, 0x62, 0x01, 0x9A, 0xFF, 0xFF, 0xFF, 0x01, 0xC0, 32,
                     12,   0, 0, 0,    1,    0,    0,    0,    2,    0,    0,    0,    3};
    auto p = parse(b, true);
    ASSERT_TRUE(p.status);
    ASSERT_EQ(p.attrs.communities.size(), 2U);
    EXPECT_EQ(p.attrs.communities[0], (2914U << 16U) | 410U);
    ASSERT_EQ(p.attrs.large_communities.size(), 1U);
    EXPECT_EQ(p.attrs.large_communities[0].local2, 3U);
}

TEST(MrtAttributes, LengthPastBlockIsAnError) {
    const Bytes b = {0x40, 2, 50, 2, 1, 0, 1};
    auto p = parse(b, false);
    EXPECT_FALSE(p.status);
}

TEST(MrtAttributes, UnknownAttributeIsSkippedAndCounted) {
    const Bytes b = {0xC0, 200, 2, 1, 2, 0x40, 1, 1, 0};
    auto p = parse(b, true);
    ASSERT_TRUE(p.status);
    EXPECT_EQ(p.result.unknown_attributes, 1U);
    EXPECT_TRUE(p.result.recovered);
    EXPECT_EQ(p.attrs.origin, OriginType::Igp);
}

TEST(MrtAttributes, BadSegmentTypeIsAnError) {
    const Bytes b = {0x40, 2, 4, 9, 1, 0, 1};
    EXPECT_FALSE(parse(b, false).status);
}

TEST(MrtAttributes, MaskedNlri) {
    const Bytes b = {13, 0x0B, 0x0D}; // 11.13.0.0/13 -> 11.8.0.0/13
    std::vector<Prefix> out;
    bool masked = false;
    std::vector<std::pair<std::size_t, IpAddress>> raws;
    ASSERT_TRUE(internal::read_nlri(b.data(), b.size(), IpFamily::V4, false, 10, out, nullptr,
                                    masked, &raws));
    ASSERT_EQ(out.size(), 1U);
    EXPECT_EQ(out[0], pfx("11.8.0.0/13"));
    EXPECT_TRUE(masked);
    ASSERT_EQ(raws.size(), 1U);
    EXPECT_EQ(raws[0].second, ip("11.13.0.0"));
}

PathAttributes sample_attributes(bool v6) {
    PathAttributes a;
    a.origin = OriginType::Igp;
    a.as_path = seq({3333, 200000, 15169});
    a.as_path.segments.push_back(AsPathSegment{SegmentType::AsSet, {64512, 64513}});
    if (v6) {
        a.mp_next_hops = {ip("2001:db8::1"), ip("fe80::1")};
    } else {
        a.next_hop = ip("192.0.2.1");
    }
    a.med = 10;
    a.local_pref = 100;
    a.atomic_aggregate = true;
    a.aggregator = Aggregator{200000, ip("192.0.2.9")};
    a.communities = {(3333U << 16U) | 1U};
    a.large_communities = {LargeCommunity{200000, 1, 2}};
    return a;
}

std::vector<const MrtRecord*> read_all_records(MrtReader& r, std::vector<MrtRecord>& keep) {
    std::vector<const MrtRecord*> out;
    while (const auto* rec = r.next()) {
        keep.push_back(*rec);
    }
    for (const auto& k : keep) {
        out.push_back(&k);
    }
    return out;
}

TEST(MrtWriter, RibRoundTrip) {
    auto w = MrtWriter::to_memory();
    const std::vector<Peer> peers = {Peer{ip("192.0.2.254"), Asn(3333), 1},
                                     Peer{ip("2001:db8::fe"), Asn(4200000000U), 2}};
    ASSERT_TRUE(w.write_peer_index_table(1700000000, 42, "lab", peers));
    std::vector<RibEntry> entries(2);
    entries[0].peer_index = 0;
    entries[0].originated_time = 1600000000;
    entries[0].attributes = sample_attributes(false);
    entries[1].peer_index = 1;
    entries[1].originated_time = 1600000001;
    entries[1].attributes = sample_attributes(true);
    ASSERT_TRUE(w.write_rib(1700000000, 0, pfx("198.51.100.0/24"), entries));
    ASSERT_TRUE(w.write_rib(1700000000, 1, pfx("2001:db8:100::/40"), entries, true));

    auto r = MrtReader::from_source(io::from_memory(w.bytes(), "mem"));
    std::vector<MrtRecord> keep;
    auto recs = read_all_records(r, keep);
    ASSERT_EQ(recs.size(), 3U);
    EXPECT_EQ(r.peers(), peers);
    EXPECT_EQ(r.view_name(), "lab");
    EXPECT_EQ(r.collector_bgp_id(), 42U);
    for (int i = 1; i < 3; ++i) {
        const auto& rec = *recs[static_cast<std::size_t>(i)];
        EXPECT_EQ(rec.outcome, RecordOutcome::Clean) << rec.warnings.size();
        ASSERT_EQ(rec.rib_entries.size(), 2U);
        for (std::size_t k = 0; k < 2; ++k) {
            EXPECT_EQ(rec.rib_entries[k].attributes, entries[k].attributes);
            EXPECT_EQ(rec.rib_entries[k].peer, peers[k]);
            EXPECT_EQ(rec.rib_entries[k].originated_time, entries[k].originated_time);
        }
    }
    EXPECT_EQ(recs[1]->rib_entries[0].prefix, pfx("198.51.100.0/24"));
    EXPECT_EQ(recs[2]->subtype, kRibIpv6UnicastAddPath);
    EXPECT_EQ(recs[2]->rib_entries[0].path_id, 0U);
    EXPECT_EQ(r.stats().rib_entries, 4U);
}

TEST(MrtWriter, UpdateAndStateRoundTrip) {
    auto w = MrtWriter::to_memory();
    const Peer peer{ip("2001:db8::2"), Asn(65531), 0};
    const Peer local{ip("2001:db8::1"), Asn(12654), 0};
    PathAttributes a = sample_attributes(true);
    a.next_hop = ip("192.0.2.1");
    const std::vector<Prefix> announced = {pfx("192.0.2.0/24"), pfx("2001:db8:1::/48")};
    const std::vector<Prefix> withdrawn = {pfx("198.51.100.0/24"), pfx("2001:db8:2::/48")};
    ASSERT_TRUE(w.write_update(1600000000, peer, local, withdrawn, announced, a));
    ASSERT_TRUE(w.write_update(1600000001, peer, local, {}, announced, a, 123456U));
    ASSERT_TRUE(w.write_state_change(1600000002, peer, local, 1, 6));

    auto r = MrtReader::from_source(io::from_memory(w.bytes(), "mem"));
    std::vector<MrtRecord> keep;
    auto recs = read_all_records(r, keep);
    ASSERT_EQ(recs.size(), 3U);
    const auto& u = *recs[0];
    EXPECT_EQ(u.outcome, RecordOutcome::Clean);
    EXPECT_EQ(u.kind, RecordKind::Update);
    EXPECT_EQ(u.peer, peer);
    EXPECT_EQ(u.local, local);
    EXPECT_EQ(u.announced, announced);
    EXPECT_EQ(u.withdrawn, withdrawn);
    EXPECT_EQ(u.attributes, a);
    EXPECT_EQ(recs[1]->type, kMrtBgp4mpEt);
    EXPECT_EQ(recs[1]->microseconds, 123456U);
    std::string line;
    append_bgpdump_lines(*recs[1], line);
    EXPECT_EQ(line.substr(0, 37), "BGP4MP_ET|1600000001.123456|A|2001:db");
    EXPECT_EQ(recs[2]->kind, RecordKind::StateChange);
    EXPECT_EQ(recs[2]->new_state, 6);
    line.clear();
    append_bgpdump_lines(*recs[2], line);
    EXPECT_EQ(line, "BGP4MP|1600000002|STATE|2001:db8::2|65531|1|6\n");
}

TEST(MrtReader, AsPathOnlyModeKeepsMpReachPrefixes) {
    auto w = MrtWriter::to_memory();
    const Peer peer{ip("192.0.2.2"), Asn(65531), 0};
    const std::vector<Prefix> announced = {pfx("192.0.2.0/24"), pfx("2001:db8:1::/48")};
    ASSERT_TRUE(w.write_update(1, peer, peer, {}, announced, sample_attributes(true)));
    auto r = MrtReader::from_source(io::from_memory(w.bytes(), "mem"), MrtReader::Options{false});
    const auto* rec = r.next();
    ASSERT_NE(rec, nullptr);
    EXPECT_EQ(rec->announced, announced);
    EXPECT_EQ(rec->attributes.as_path, sample_attributes(true).as_path);
    EXPECT_TRUE(rec->attributes.communities.empty());
}

TEST(MrtWriter, GzipFileRoundTrip) {
    test::TempDir dir;
    const auto path = dir.file("rib.mrt.gz");
    {
        auto w = MrtWriter::create(path, MrtWriter::Options{true, 1});
        ASSERT_TRUE(w);
        ASSERT_TRUE(w->write_peer_index_table(1, 2, "", {Peer{ip("192.0.2.1"), Asn(1), 0}}));
        std::vector<RibEntry> e(1);
        e[0].attributes.as_path = seq({1, 2, 3});
        for (std::uint32_t i = 0; i < 1000; ++i) {
            ASSERT_TRUE(w->write_rib(1, i, Prefix(IpAddress::v4(i << 8U), 24), e));
        }
        ASSERT_TRUE(w->close());
    }
    auto r = MrtReader::open(path);
    ASSERT_TRUE(r);
    std::size_t n = 0;
    while (const auto* rec = r->next()) {
        n += rec->rib_entries.size();
        EXPECT_EQ(rec->outcome, RecordOutcome::Clean);
    }
    EXPECT_EQ(n, 1000U);
}

Bytes small_rib() {
    auto w = MrtWriter::to_memory();
    (void)w.write_peer_index_table(1, 2, "v", {Peer{ip("192.0.2.1"), Asn(1), 0}});
    std::vector<RibEntry> e(1);
    e[0].attributes.as_path = seq({1, 2, 3});
    e[0].attributes.origin = OriginType::Igp;
    for (std::uint32_t i = 0; i < 3; ++i) {
        (void)w.write_rib(1, i, Prefix(IpAddress::v4((i + 1) << 24U), 8), e);
    }
    return w.bytes();
}

ReadStats read_stats(const Bytes& b, std::vector<MrtRecord>* keep = nullptr) {
    auto r = MrtReader::from_source(io::from_memory(b, "mem"));
    while (const auto* rec = r.next()) {
        if (keep != nullptr) {
            keep->push_back(*rec);
        }
    }
    return r.stats();
}

TEST(MrtCorruption, TruncatedMidRecordIsAStreamError) {
    auto b = small_rib();
    b.erase(b.end() - 5, b.end());
    std::vector<MrtRecord> keep;
    const auto s = read_stats(b, &keep);
    EXPECT_EQ(s.clean, 3U);
    EXPECT_EQ(s.stream_errors, 1U);
    ASSERT_TRUE(keep.back().error);
    EXPECT_EQ(keep.back().index, 3U);
    EXPECT_TRUE(keep.back().error->offset.has_value());
}

TEST(MrtCorruption, HugeLengthIsAStreamErrorWithoutAllocation) {
    auto b = small_rib();
    b[8] = 0xFF; // first record's length -> ~4 GiB
    std::vector<MrtRecord> keep;
    const auto s = read_stats(b, &keep);
    EXPECT_EQ(s.stream_errors, 1U);
    EXPECT_EQ(keep.size(), 1U);
    EXPECT_EQ(keep[0].offset, 0U);
}

TEST(MrtCorruption, AttributeLengthFlipIsARecordError) {
    auto b = small_rib();
    // find the second record (first RIB) and corrupt its attribute block length
    const std::size_t first_len = internal::get32(b.data() + 8);
    const std::size_t rib = 12 + first_len;
    // RIB body: seq(4) plen(1) prefix(1) count(2) peer(2) orig(4) attr_len(2)
    const std::size_t attr_len_at = rib + 12 + 4 + 1 + 1 + 2 + 2 + 4;
    b[attr_len_at + 1] = 0xF0;
    std::vector<MrtRecord> keep;
    const auto s = read_stats(b, &keep);
    EXPECT_EQ(s.record_errors, 1U);
    EXPECT_EQ(s.clean, 3U); // peer table + 2 RIB records
    EXPECT_EQ(keep[1].outcome, RecordOutcome::RecordError);
}

TEST(MrtCorruption, GarbageAppended) {
    auto b = small_rib();
    for (int i = 0; i < 7; ++i) {
        b.push_back(0xAB);
    }
    const auto s = read_stats(b);
    EXPECT_EQ(s.clean, 4U);
    EXPECT_EQ(s.stream_errors, 1U);
}

TEST(MrtLimits, NamedLimitsAreSane) {
    EXPECT_GT(limits::kMaxRecordLength, 65536U); // records beyond 64 KiB exist
    EXPECT_GE(limits::kMaxRibEntries, 65535U);
}

} // namespace
} // namespace dg::bgp
