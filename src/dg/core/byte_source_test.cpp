#include "dg/core/byte_source.hpp"
#include "dg/core/verified_source.hpp"

#include <algorithm>
#include <bzlib.h>
#include <cstdio>
#include <fstream>
#include <gtest/gtest.h>
#include <optional>
#include <string>
#include <unistd.h>
#include <utility>
#include <zlib.h>
#include <zstd.h>

namespace dg::io {
namespace {

std::vector<std::uint8_t> sample() {
    std::vector<std::uint8_t> v;
    for (int i = 0; i < 300000; ++i) {
        v.push_back(static_cast<std::uint8_t>((i * 7) ^ (i >> 5)));
    }
    return v;
}

std::vector<std::uint8_t> gzip(const std::vector<std::uint8_t>& in) {
    z_stream zs{};
    deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    std::vector<std::uint8_t> out(compressBound(static_cast<uLong>(in.size())) + 64);
    zs.next_in = const_cast<Bytef*>(in.data()); // NOLINT
    zs.avail_in = static_cast<uInt>(in.size());
    zs.next_out = out.data();
    zs.avail_out = static_cast<uInt>(out.size());
    deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}

std::vector<std::uint8_t> bzip2(const std::vector<std::uint8_t>& in, int block_100k = 9) {
    std::vector<std::uint8_t> out(in.size() + in.size() / 100 + 1024);
    auto len = static_cast<unsigned>(out.size());
    BZ2_bzBuffToBuffCompress(reinterpret_cast<char*>(out.data()), &len,                   // NOLINT
                             const_cast<char*>(reinterpret_cast<const char*>(in.data())), // NOLINT
                             static_cast<unsigned>(in.size()), block_100k, 0, 0);
    out.resize(len);
    return out;
}

std::vector<std::uint8_t> zstd(const std::vector<std::uint8_t>& in) {
    std::vector<std::uint8_t> out(ZSTD_compressBound(in.size()));
    out.resize(ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3));
    return out;
}

TEST(ByteSource, DecodesEveryCompressionTransparently) {
    const auto plain = sample();
    for (const auto& encoded : {plain, gzip(plain), bzip2(plain), zstd(plain)}) {
        auto src = from_memory(encoded, "mem");
        auto all = read_all(*src);
        ASSERT_TRUE(all) << all.error().to_string();
        EXPECT_EQ(*all, plain);
    }
}

TEST(ByteSource, ReadsConcatenatedGzipMembers) {
    auto a = gzip({'a', 'b'});
    auto b = gzip({'c'});
    a.insert(a.end(), b.begin(), b.end());
    auto all = read_all(*from_memory(a, "mem"));
    ASSERT_TRUE(all);
    EXPECT_EQ(std::string(all->begin(), all->end()), "abc");
}

/// Reads `encoded` to the end; returns the bytes and the error that ended it, if any.
std::pair<std::string, std::optional<Error>>
read_until_error(const std::vector<std::uint8_t>& encoded) {
    auto src = from_memory(encoded, "mem");
    std::string got;
    std::vector<std::uint8_t> buf(4096);
    for (;;) {
        auto n = src->read(buf);
        if (!n) {
            return {got, n.error()};
        }
        if (*n == 0) {
            return {got, std::nullopt};
        }
        got.append(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n));
    }
}

TEST(ByteSource, GzipMemberWithAWrongChecksumIsAnErrorAfterItsBytes) {
    const auto plain = sample();
    auto encoded = gzip(plain);
    encoded[encoded.size() - 8] ^= 0x01U; // CRC-32 of the trailer (RFC 1952 §2.3.1)
    const auto [got, error] = read_until_error(encoded);
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->code, ErrorCode::Malformed);
    EXPECT_NE(error->message.find("incorrect data check"), std::string::npos) << error->message;
    EXPECT_EQ(got, std::string(plain.begin(), plain.end()));
}

/// Lines like a domain list.
std::vector<std::uint8_t> name_lines(int n) {
    std::string text;
    for (int i = 0; i < n; ++i) {
        text += "host" + std::to_string(i * 7919 % 100003) + ".example" + std::to_string(i % 97) +
                ".test\n";
    }
    return {text.begin(), text.end()};
}

std::pair<std::string, std::optional<Error>> read_verified(std::vector<std::uint8_t> encoded) {
    auto src = from_memory_verified(std::move(encoded), "list");
    std::string got;
    std::vector<std::uint8_t> buf(4096);
    for (;;) {
        auto n = src->read(buf);
        if (!n) {
            return {got, n.error()};
        }
        if (*n == 0) {
            return {got, std::nullopt};
        }
        got.append(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n));
    }
}

bool is_prefix(const std::string& got, const std::vector<std::uint8_t>& plain) {
    return got.size() <= plain.size() && std::equal(got.begin(), got.end(), plain.begin());
}

// Issue 19 item 10: a domain list read with io::open got the bytes of a damaged block before
// the damage was found (bzip2 checks a block's CRC after writing it out; gzip's CRC covers the
// member), so a scan scanned and stored names from it. open_verified delivers the blocks before
// the damaged one, then the error with the offset of its first byte.
TEST(VerifiedSource, CleanInputIsDeliveredWhole) {
    const auto plain = name_lines(40000);
    for (const auto& encoded : {plain, gzip(plain), bzip2(plain, 1), zstd(plain)}) {
        const auto [got, error] = read_verified(encoded);
        EXPECT_FALSE(error.has_value()) << error->to_string();
        EXPECT_EQ(got, std::string(plain.begin(), plain.end()));
    }
    auto two = gzip({'a', '\n'});
    const auto more = gzip({'b', '\n'});
    two.insert(two.end(), more.begin(), more.end()); // concatenated members
    EXPECT_EQ(read_verified(two).first, "a\nb\n");
}

TEST(VerifiedSource, NothingFromADamagedBzip2BlockIsDelivered) {
    const auto plain = name_lines(40000); // ~1.1 MB: 11+ blocks of 100k
    const auto whole = bzip2(plain, 1);
    for (const double at : {0.25, 0.5, 0.75}) {
        auto encoded = whole;
        encoded[static_cast<std::size_t>(static_cast<double>(encoded.size()) * at)] ^= 0x10U;
        const auto [got, error] = read_verified(encoded);
        ASSERT_TRUE(error.has_value()) << at;
        EXPECT_EQ(error->code, ErrorCode::Malformed);
        EXPECT_EQ(error->source, "list");
        EXPECT_EQ(error->offset, got.size());
        EXPECT_GT(got.size(), 0U) << at;
        EXPECT_LT(got.size(), plain.size()) << at;
        EXPECT_TRUE(is_prefix(got, plain))
            << "bytes of the damaged block delivered, flip at " << at;
        // io::open (MRT readers: everything decodable) still hands over more, garbage included.
        const auto [all, all_error] = read_until_error(encoded);
        EXPECT_TRUE(all_error.has_value());
        EXPECT_GE(all.size(), got.size());
    }
}

TEST(VerifiedSource, NothingFromADamagedGzipBlockIsDelivered) {
    const auto plain = name_lines(40000);
    const auto whole = gzip(plain);
    for (const double at : {0.3, 0.5, 0.7}) {
        auto encoded = whole;
        const auto i = static_cast<std::size_t>(static_cast<double>(encoded.size()) * at);
        for (std::size_t k = 0; k < 16; ++k) {
            encoded[i + k] ^= 0x5aU;
        }
        const auto [got, error] = read_verified(encoded);
        ASSERT_TRUE(error.has_value()) << at;
        EXPECT_EQ(error->code, ErrorCode::Malformed);
        EXPECT_EQ(error->offset, got.size());
        EXPECT_LT(got.size(), plain.size()) << at;
        EXPECT_TRUE(is_prefix(got, plain)) << "bytes of the damaged block delivered, at " << at;
    }
    // A wrong CRC-32: the last block is not delivered either.
    auto bad_crc = whole;
    bad_crc[bad_crc.size() - 8] ^= 0x01U;
    const auto [got, error] = read_verified(bad_crc);
    ASSERT_TRUE(error.has_value());
    EXPECT_LT(got.size(), plain.size());
    EXPECT_TRUE(is_prefix(got, plain));
    // Truncated: what was decoded before the cut (no garbage), then the error.
    auto cut = whole;
    cut.resize(cut.size() / 2);
    const auto [cut_got, cut_error] = read_verified(cut);
    ASSERT_TRUE(cut_error.has_value());
    EXPECT_GT(cut_got.size(), 0U);
    EXPECT_TRUE(is_prefix(cut_got, plain));
    // io::open (MRT readers) hands over the damaged member's bytes, garbage included.
    auto damaged = whole;
    damaged[damaged.size() / 2] ^= 0x5aU;
    EXPECT_GT(read_until_error(damaged).first.size(), read_verified(damaged).first.size());
}

TEST(ByteSource, GarbageAfterAGzipMemberIsAnError) {
    auto encoded = gzip({'a', 'b'});
    for (char c : std::string("this is not gzip data")) {
        encoded.push_back(static_cast<std::uint8_t>(c));
    }
    const auto [got, error] = read_until_error(encoded);
    EXPECT_EQ(got, "ab");
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->code, ErrorCode::Malformed);
    EXPECT_NE(error->message.find("not a gzip header"), std::string::npos) << error->message;
}

TEST(ByteSource, TruncatedCompressedInputDeliversPrefixThenAnError) {
    const auto plain = sample();
    for (auto encoded : {gzip(plain), bzip2(plain), zstd(plain)}) {
        encoded.resize(encoded.size() / 2);
        auto src = from_memory(encoded, "cut");
        std::vector<std::uint8_t> buf(4096);
        std::size_t total = 0;
        bool failed = false;
        for (;;) {
            auto n = src->read(buf);
            if (!n) {
                failed = true;
                EXPECT_EQ(n.error().code, ErrorCode::Malformed);
                EXPECT_EQ(n.error().source, "cut");
                break;
            }
            if (*n == 0) {
                break;
            }
            for (std::size_t i = 0; i < *n; ++i) {
                ASSERT_EQ(buf[i], plain[total + i]);
            }
            total += *n;
        }
        EXPECT_TRUE(failed);
        EXPECT_LT(total, plain.size());
    }
}

TEST(ByteSource, MissingFileIsNotFound) {
    auto r = open("/nonexistent/file.gz");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::NotFound);
    EXPECT_EQ(r.error().source, "/nonexistent/file.gz");
}

/// Files are decompressed on a background thread (read-ahead): the same bytes, the same error.
class ByteSourceFile : public ::testing::Test {
protected:
    std::string write(const std::vector<std::uint8_t>& bytes) {
        path_ = ::testing::TempDir() + "/dg_byte_source_" + std::to_string(::getpid()) + "_" +
                std::to_string(counter_++);
        std::ofstream(path_, std::ios::binary)
            .write(reinterpret_cast<const char*>(bytes.data()), // NOLINT
                   static_cast<std::streamsize>(bytes.size()));
        return path_;
    }
    void TearDown() override { std::remove(path_.c_str()); }
    std::string path_;
    int counter_ = 0;
};

std::vector<std::uint8_t> large_sample() {
    std::vector<std::uint8_t> v;
    for (int r = 0; r < 8; ++r) { // ~2.4 MB: several read-ahead chunks, more than it holds
        auto s = sample();
        for (auto& b : s) {
            b = static_cast<std::uint8_t>(b + r);
        }
        v.insert(v.end(), s.begin(), s.end());
    }
    return v;
}

TEST_F(ByteSourceFile, CompressedFilesReadAheadDeliverTheSameBytes) {
    const auto plain = large_sample();
    for (const auto& encoded : {plain, gzip(plain), bzip2(plain), zstd(plain)}) {
        auto src = open(write(encoded));
        ASSERT_TRUE(src) << src.error().to_string();
        std::vector<std::uint8_t> got;
        std::vector<std::uint8_t> buf(1000); // reads that straddle chunk boundaries
        for (;;) {
            auto n = (*src)->read(buf);
            ASSERT_TRUE(n) << n.error().to_string();
            if (*n == 0) {
                break;
            }
            got.insert(got.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n));
        }
        EXPECT_EQ(got, plain);
        EXPECT_EQ((*src)->raw_position(), encoded.size());
        EXPECT_EQ((*src)->raw_size(), encoded.size());
        std::remove(path_.c_str());
    }
}

TEST_F(ByteSourceFile, TruncatedCompressedFileDeliversPrefixThenAnErrorThenTheEnd) {
    const auto plain = large_sample();
    for (auto encoded : {gzip(plain), bzip2(plain), zstd(plain)}) {
        encoded.resize(encoded.size() * 2 / 3);
        const std::string path = write(encoded);
        auto src = open(path);
        ASSERT_TRUE(src);
        std::vector<std::uint8_t> buf(65536);
        std::size_t total = 0;
        std::optional<Error> error;
        for (;;) {
            auto n = (*src)->read(buf);
            if (!n) {
                error = n.error();
                break;
            }
            if (*n == 0) {
                break;
            }
            ASSERT_TRUE(std::equal(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n),
                                   plain.begin() + static_cast<std::ptrdiff_t>(total)));
            total += *n;
        }
        ASSERT_TRUE(error.has_value());
        EXPECT_EQ(error->code, ErrorCode::Malformed);
        EXPECT_EQ(error->source, path);
        EXPECT_GT(total, 0U);
        EXPECT_LT(total, plain.size());
        auto after = (*src)->read(buf);
        ASSERT_TRUE(after);
        EXPECT_EQ(*after, 0U);
        std::remove(path.c_str());
    }
}

TEST_F(ByteSourceFile, ClosingMidStreamStopsTheReadAhead) {
    auto src = open(write(gzip(large_sample())));
    ASSERT_TRUE(src);
    std::vector<std::uint8_t> buf(10);
    ASSERT_TRUE((*src)->read(buf));
    src->reset(); // the worker waits on a full queue: it must stop, not hang
    SUCCEED();
}
} // namespace
} // namespace dg::io

namespace dg::io {
namespace {
TEST(ByteSource, EmptyInputIsAnEmptyStream) {
    auto src = from_memory({}, "empty");
    auto all = read_all(*src);
    ASSERT_TRUE(all);
    EXPECT_TRUE(all->empty());
}
} // namespace
} // namespace dg::io
