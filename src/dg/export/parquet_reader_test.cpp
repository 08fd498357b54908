// FileReader and read_flat_results: what the Parquet writer writes reads back as the results it
// came from (every codec, many row groups, hostile strings), and damaged files are clear errors,
// never a crash. (DuckDB reading the writer's files is pinned in export_test.)

#include "dg/export/parquet.hpp"
#include "dg/export/rows.hpp"
#include "dg/export/writers.hpp"
#include "tests/support/support.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

namespace dg::exports {
namespace {

using model::DomainResult;
using model::IpMapping;

IpMapping mapping(const std::string& ip, std::optional<std::string> prefix,
                  std::vector<std::uint32_t> origins, std::optional<std::string> org) {
    IpMapping m;
    m.ip = *IpAddress::parse(ip);
    if (prefix) {
        m.prefix = *Prefix::parse(*prefix);
        m.asn = Asn(origins.front());
        for (auto a : origins) {
            m.origins.emplace_back(a);
        }
    }
    m.org = std::move(org);
    return m;
}

/// Results covering every row kind: addresses routed and not, MOAS, CNAME chains, name servers
/// with and without addresses, mail hosts sharing a name at two preferences, a domain without
/// records, strings that need care.
std::vector<DomainResult> samples() {
    DomainResult a;
    a.domain = "a.example";
    a.status = "NOERROR";
    a.a = {mapping("192.0.2.1", "192.0.2.0/24", {64496, 64497}, "Org \"q\" <b>\t\n\x01,")};
    a.aaaa = {mapping("2001:db8::1", std::nullopt, {}, std::nullopt)};
    a.cname = {{"alias.example.net", {}}, {"final.example.org", {}}};
    a.ns = {{"ns1.example.net", {}, {mapping("203.0.113.53", "203.0.113.0/24", {4200000000u}, "")}},
            {"ns2.example.net", {}, {}}};
    a.mx = {{10,
             "mx.example.net",
             {},
             {mapping("198.51.100.25", "198.51.100.0/24", {64501}, std::nullopt),
              mapping("2001:db8:1::25", "2001:db8::/32", {64501}, std::nullopt)}},
            {20, "mx.example.net", {}, {}}};
    DomainResult b;
    b.domain = "b.example";
    b.status = "NXDOMAIN";
    DomainResult c;
    c.domain = "c.example";
    c.status = "SERVFAIL";
    DomainResult d;
    d.domain = "d.example";
    d.status = "NOERROR";
    d.a = {mapping("10.0.0.1", "10.0.0.0/8", {0}, std::nullopt)};
    return {a, b, c, d};
}

std::string write_file(const test::TempDir& dir, const std::vector<DomainResult>& results,
                       ParquetCodec codec, std::uint32_t group_rows) {
    const std::string path = dir.file("rows.parquet");
    auto out = Output::open(path);
    EXPECT_TRUE(out) << out.error().to_string();
    WriterOptions o;
    o.parquet_codec = codec;
    o.parquet_row_group_rows = group_rows;
    auto w = make_parquet_writer(**out, o);
    for (const auto& r : results) {
        EXPECT_TRUE(w->write(r));
    }
    EXPECT_TRUE(w->finish());
    EXPECT_TRUE((*out)->commit());
    return path;
}

std::string bytes_of(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

Result<std::vector<DomainResult>> read_back(std::string bytes) {
    DG_TRY(const auto file, parquet::FileReader::parse(std::move(bytes), "test.parquet"));
    std::vector<DomainResult> out;
    DG_TRY_VOID(read_flat_results(file, [&](DomainResult&& r) {
        out.push_back(std::move(r));
        return true;
    }));
    return out;
}

TEST(ParquetReader, FlatRowsReadBackAsTheResultsTheyCameFromWithEveryCodec) {
    const auto want = samples();
    for (const auto codec : {ParquetCodec::None, ParquetCodec::Zstd, ParquetCodec::Gzip}) {
        for (const std::uint32_t group_rows : {1u, 3u, 1000u}) { // a domain across row groups
            test::TempDir dir;
            const auto path = write_file(dir, want, codec, group_rows);
            auto file = parquet::FileReader::open(path);
            ASSERT_TRUE(file) << file.error().to_string();
            EXPECT_EQ(file->columns().size(), kFlatColumnCount);
            EXPECT_EQ(file->rows(), 12U); // 1+1+2+2+3 (a), 1 (b), 1 (c), 1 (d)
            auto got = read_back(bytes_of(path));
            ASSERT_TRUE(got) << got.error().to_string();
            EXPECT_EQ(*got, want) << "codec " << static_cast<int>(codec) << ", " << group_rows
                                  << " rows per group";
        }
    }
}

TEST(ParquetReader, ManyDomainsAndTheStopOfTheSink) {
    std::vector<DomainResult> want;
    for (int i = 0; i < 5000; ++i) {
        DomainResult r;
        r.domain = "d" + std::to_string(i) + ".example";
        r.status = "NOERROR";
        r.a = {mapping("10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250),
                       "10.0.0.0/16", {static_cast<std::uint32_t>(64496 + i % 7)}, "Org")};
        want.push_back(std::move(r));
    }
    test::TempDir dir;
    const auto bytes = bytes_of(write_file(dir, want, ParquetCodec::Zstd, 1024));
    auto got = read_back(bytes);
    ASSERT_TRUE(got) << got.error().to_string();
    EXPECT_EQ(*got, want);
    auto file = parquet::FileReader::parse(bytes, "x");
    ASSERT_TRUE(file);
    EXPECT_EQ(file->row_groups(), 5U);
    std::size_t seen = 0;
    ASSERT_TRUE(read_flat_results(*file, [&](DomainResult&&) { return ++seen < 10; }));
    EXPECT_EQ(seen, 10U);
}

TEST(ParquetReader, DamagedFilesAreClearErrorsNeverACrash) {
    test::TempDir dir;
    const std::string good = bytes_of(write_file(dir, samples(), ParquetCodec::None, 2));
    auto not_parquet = parquet::FileReader::parse("hello, world", "x.parquet");
    ASSERT_FALSE(not_parquet);
    EXPECT_EQ(not_parquet.error().code, ErrorCode::Malformed);
    EXPECT_NE(not_parquet.error().to_string().find("x.parquet"), std::string::npos);
    // cut anywhere: an error (or, cut inside the magic, still an error)
    for (std::size_t n = 0; n < good.size(); n += 7) {
        EXPECT_FALSE(read_back(good.substr(0, n))) << "cut at " << n;
    }
    // every single byte changed: an error or results, but never a crash or a hang
    std::size_t errors = 0;
    for (std::size_t at = 0; at < good.size(); ++at) {
        for (const unsigned flip : {0x01u, 0x80u, 0xffu}) {
            std::string bad = good;
            bad[at] = static_cast<char>(static_cast<unsigned>(static_cast<unsigned char>(bad[at])) ^
                                        flip);
            auto r = read_back(bad);
            errors += r ? 0U : 1U;
            if (!r) {
                EXPECT_FALSE(r.error().message.empty());
            }
        }
    }
    EXPECT_GT(errors, good.size()); // most damage is seen
}

TEST(ParquetReader, AFileOfOtherColumnsIsUnsupportedByName) {
    test::TempDir dir;
    const std::string path = dir.file("other.parquet");
    auto out = Output::open(path);
    ASSERT_TRUE(out);
    parquet::FileWriter w(**out, {{"name", parquet::Type::String, false}}, ParquetCodec::None);
    w.set_string(0, "x");
    ASSERT_TRUE(w.end_row());
    ASSERT_TRUE(w.close());
    ASSERT_TRUE((*out)->commit());
    auto got = read_back(bytes_of(path));
    ASSERT_FALSE(got);
    EXPECT_EQ(got.error().code, ErrorCode::Unsupported);
    EXPECT_NE(got.error().message.find("'domain'"), std::string::npos) << got.error().message;
}

/// The fuzz target's seeds (fuzz/corpus/fuzz_parquet): written when DG_REGENERATE_FUZZ_SEEDS is
/// set, checked to read back otherwise.
TEST(ParquetReader, FuzzSeedsReadBack) {
    const std::string corpus = std::string(DG_SOURCE_DIR) + "/fuzz/corpus/fuzz_parquet/";
    const std::pair<const char*, ParquetCodec> seeds[] = {{"seed-plain", ParquetCodec::None},
                                                          {"seed-zstd", ParquetCodec::Zstd},
                                                          {"seed-gzip", ParquetCodec::Gzip}};
    for (const auto& [name, codec] : seeds) {
        if (std::getenv("DG_REGENERATE_FUZZ_SEEDS") != nullptr) {
            test::TempDir dir;
            test::write_file(corpus + name, bytes_of(write_file(dir, samples(), codec, 4)));
        }
        auto got = read_back(bytes_of(corpus + name));
        ASSERT_TRUE(got) << name << ": " << got.error().to_string();
        EXPECT_EQ(*got, samples()) << name;
    }
}

} // namespace
} // namespace dg::exports
