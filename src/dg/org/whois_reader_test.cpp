// whois::Reader: RPSL and ARIN bulk lexing, charsets, the continue/stop policy, and every WHOIS
// file of ../shared/data/as2org/ with the object count its README gives.
#include "dg/org/whois_reader.hpp"
#include "tests/support/support.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

namespace dg::org::whois {
namespace {

struct Read {
    std::vector<std::vector<std::pair<std::string, std::string>>> objects;
    std::vector<std::uint64_t> lines;
    ReadReport report;
    std::optional<Error> error;
};

Read read_all(Reader& reader) {
    Read out;
    while (true) {
        auto next = reader.next();
        if (!next) {
            out.error = next.error();
            break;
        }
        if (*next == nullptr) {
            break;
        }
        std::vector<std::pair<std::string, std::string>> attrs;
        for (const auto& a : (*next)->attributes) {
            attrs.emplace_back(a.name, a.value);
        }
        out.objects.push_back(std::move(attrs));
        out.lines.push_back((*next)->line);
    }
    out.report = reader.report();
    return out;
}

Read read_text(std::string_view text, ReaderOptions options = {}) {
    auto reader = Reader::from_memory(text, "mem", options);
    return read_all(reader);
}

Read read_path(const std::string& path) {
    auto reader = Reader::open(path);
    EXPECT_TRUE(reader.has_value()) << reader.error().to_string();
    if (!reader) {
        return {};
    }
    return read_all(*reader);
}

std::string gzip(std::string_view data) {
    z_stream z{};
    deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&z, static_cast<uLong>(data.size())) + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

TEST(WhoisReader, RpslObjectsCommentsContinuationsAndTheLastObject) {
    const auto r = read_text("#\n# header\n#\n\n"
                             "aut-num:  AS64496 # a comment stays in the value\n"
                             "As-Name:  EXAMPLE\n"
                             "descr:    line one\n"
                             "          line two\n"
                             "\tline three\n"
                             "+\n"
                             "remarks:\n"
                             "% a comment inside the object\n"
                             "source:   RIPE  \r\n"
                             "\n\n"
                             "% Tags relating to 'AS64496'\n"
                             "% RIPE-REGISTRY-RESOURCE\n"
                             "\n"
                             "mntner: EXAMPLE-MNT\n"
                             "source: RIPE"); // no line end after the last object
    ASSERT_FALSE(r.error) << r.error->to_string();
    ASSERT_EQ(r.objects.size(), 2U);
    const auto& a = r.objects[0];
    ASSERT_EQ(a.size(), 5U);
    EXPECT_EQ(a[0].first, "aut-num");
    EXPECT_EQ(a[0].second, "AS64496 # a comment stays in the value");
    EXPECT_EQ(a[1].first, "as-name"); // names are lower-cased
    EXPECT_EQ(a[2].second, "line one line two line three");
    EXPECT_EQ(a[3].first, "remarks");
    EXPECT_EQ(a[3].second, "");
    EXPECT_EQ(a[4].second, "RIPE");
    EXPECT_EQ(r.lines[0], 5U);
    EXPECT_EQ(r.objects[1][0].second, "EXAMPLE-MNT");
    EXPECT_EQ(r.objects[1][1].second, "RIPE");
    EXPECT_EQ(r.report.objects, 2U);
    EXPECT_EQ(r.report.comment_lines, 6U);
    EXPECT_EQ(r.report.record_errors, 0U);
}

TEST(WhoisReader, ArinBulkRecords) {
    const auto r = read_text("ASHandle:       AS64496\nOrgID:          EXA-1\nASName:         EX\n"
                             "ASNumber:       64496 - 64500\n\n"
                             "POCHandle: X1-ARIN\nState/Prov: DC\n");
    ASSERT_FALSE(r.error);
    ASSERT_EQ(r.objects.size(), 2U);
    EXPECT_EQ(r.objects[0][0].first, "ashandle");
    EXPECT_EQ(r.objects[0][3].second, "64496 - 64500");
    EXPECT_EQ(r.objects[1][1].first, "state/prov");
}

TEST(WhoisReader, Latin1IsDecodedAndUtf8Kept) {
    const std::string latin1 = "aut-num: 278\nowner: FUNDA\xC7\xC3O\n\n";
    const auto a = read_text(latin1);
    ASSERT_EQ(a.objects.size(), 1U);
    EXPECT_EQ(a.objects[0][1].second, "FUNDA\xC3\x87\xC3\x83O");
    const std::string utf8 = "aut-num: 278\nowner: FUNDA\xC3\x87\xC3\x83O\n\n";
    EXPECT_EQ(read_text(utf8).objects[0][1].second, "FUNDA\xC3\x87\xC3\x83O");
    // Latin1 forced: the UTF-8 bytes are read as two Latin-1 characters each
    EXPECT_EQ(read_text(utf8, ReaderOptions{Charset::Latin1, 10}).objects[0][1].second.size(),
              std::string("FUNDA\xC3\x83\xC2\x87\xC3\x83\xC2\x83O").size());
}

TEST(WhoisReader, BrokenObjectsAreSkippedWithFileAndLine) {
    const auto r = read_text("aut-num: AS1\nsource: RIPE\n\n"
                             "aut-num:\nsource: RIPE\n\n"           // key without a value
                             "garbage line without colon\nx: y\n\n" // no ':'
                             "  continuation first\n\n"
                             "bad name!: x\n\n"
                             "aut-num: AS2\n");
    ASSERT_FALSE(r.error);
    ASSERT_EQ(r.objects.size(), 2U);
    EXPECT_EQ(r.objects[1][0].second, "AS2");
    EXPECT_EQ(r.report.record_errors, 4U);
    ASSERT_EQ(r.report.warnings.size(), 4U);
    EXPECT_EQ(r.report.warnings[0].to_string(),
              "mem:4: attribute 'aut-num' without a value (object key) (object skipped)");
    EXPECT_EQ(r.report.warnings[1].line, 7U);
    EXPECT_NE(r.report.warnings[1].message.find("line without ':'"), std::string::npos);
    EXPECT_NE(r.report.warnings[2].message.find("continuation"), std::string::npos);
    EXPECT_NE(r.report.warnings[3].message.find("invalid character"), std::string::npos);
}

TEST(WhoisReader, TooManyBrokenObjectsStop) {
    std::string garbage;
    for (int i = 0; i < 50; ++i) {
        garbage += "\x01\x02\xff binary\n\n";
    }
    const auto r = read_text("aut-num: AS1\n\n" + garbage, ReaderOptions{Charset::Auto, 10});
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error->code, ErrorCode::Malformed);
    EXPECT_EQ(r.error->source, "mem");
    EXPECT_EQ(r.error->line, 23U); // the 11th broken object
    EXPECT_NE(r.error->message.find("too many broken objects"), std::string::npos);
    EXPECT_EQ(r.objects.size(), 1U);
    // NUL bytes are broken input as well
    const auto n = read_text(std::string("aut-num: AS1\nx: a\0b\n\naut-num: AS2\n", 33));
    EXPECT_EQ(n.objects.size(), 1U);
    EXPECT_EQ(n.report.record_errors, 1U);
}

TEST(WhoisReader, TenMegabyteLineIsSkipped) {
    std::string text = "aut-num: AS1\nremarks: ";
    text.append(10U << 20, 'x');
    text += "\nsource: RIPE\n\naut-num: AS2\nsource: RIPE\n";
    const auto r = read_text(text);
    ASSERT_FALSE(r.error);
    ASSERT_EQ(r.objects.size(), 1U);
    EXPECT_EQ(r.objects[0][0].second, "AS2");
    ASSERT_EQ(r.report.warnings.size(), 1U);
    EXPECT_EQ(r.report.warnings[0].line, 2U);
    EXPECT_NE(r.report.warnings[0].message.find("line longer than"), std::string::npos);
}

TEST(WhoisReader, TruncatedGzipStopsWithFileAndLine) {
    std::string text;
    for (int i = 0; i < 2000; ++i) {
        text += "aut-num: AS" + std::to_string(i) + "\nsource: RIPE\n\n";
    }
    std::string gz = gzip(text);
    gz.resize(gz.size() / 2);
    const auto r = read_text(gz);
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error->code, ErrorCode::Malformed);
    EXPECT_EQ(r.error->source, "mem");
    ASSERT_TRUE(r.error->line.has_value());
    EXPECT_GT(*r.error->line, 1U);
    EXPECT_GT(r.objects.size(), 10U); // what was decodable came first
    EXPECT_LT(r.objects.size(), 2000U);
    // the whole file reads
    EXPECT_EQ(read_text(gzip(text)).objects.size(), 2000U);
}

TEST(WhoisReader, ZipArchiveIsRefusedWithAdvice) {
    const auto r = read_text(std::string("PK\x03\x04rest of a zip", 18));
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error->code, ErrorCode::Unsupported);
    EXPECT_NE(r.error->message.find("arin_db.txt"), std::string::npos);
}

// Object counts from ../shared/data/as2org/README.md.
struct SharedFile {
    const char* path;
    std::size_t objects;
    const char* first_type;
};

TEST(WhoisReader, EverySharedDumpReadsCompletely) {
    const SharedFile files[] = {
        {"as2org/ripe-2023-12/ripe.db.as-block.gz", 565, "as-block"},
        {"as2org/ripe-2023-12/ripe-nonauth.db.aut-num.gz", 2109, "aut-num"},
        {"as2org/rpsl-format-samples/ripe.test.gz", 2, "as-block"},
        {"as2org/rpsl-format-samples/apnic.test.gz", 2, "as-block"},
        {"as2org/rpsl-format-samples/afrinic.test.gz", 5, "as-block"},
        {"as2org/rpsl-format-samples/lacnic.test", 3, "aut-num"},
        {"as2org/rpsl-format-samples/arin_db.txt", 5, "ashandle"},
        {"as2org/rpsl-format-samples/jpirr.test.gz", 3, "route"},
    };
    for (const auto& f : files) {
        DG_SHARED_OR_SKIP(path, f.path);
        const auto r = read_path(path);
        ASSERT_FALSE(r.error) << r.error->to_string();
        EXPECT_EQ(r.objects.size(), f.objects) << f.path;
        EXPECT_EQ(r.report.record_errors, 0U) << f.path;
        ASSERT_FALSE(r.objects.empty());
        EXPECT_EQ(r.objects[0][0].first, f.first_type) << f.path;
    }
}

TEST(WhoisReader, SharedDumpDetails) {
    {
        DG_SHARED_OR_SKIP(path, "as2org/rpsl-format-samples/lacnic.test");
        const auto r = read_path(path);
        ASSERT_EQ(r.objects.size(), 3U);
        EXPECT_EQ(r.objects[0][1].second, "FUNDA\xC3\x87\xC3\x83O DE AMPARO \xC3\x80 PESQUISA DO "
                                          "ESTADO S\xC3\x83O PAULO");
    }
    {
        DG_SHARED_OR_SKIP(path, "as2org/rpsl-format-samples/afrinic.test.gz");
        const auto r = read_path(path);
        ASSERT_EQ(r.objects.size(), 5U);
        EXPECT_EQ(r.objects[0][2].first, "remarks");
        EXPECT_EQ(r.objects[0][2].second,
                  "These AS Numbers are further assigned to network operators in the AfriNIC "
                  "service region. AS assignment policy is documented in: "
                  "<http://www.afrinic.net/policies/afpol-as200407-000.htm> AfriNIC members can "
                  "request AS Numbers using the form located at: "
                  "http://www.afrinic.net/documents.htm");
    }
    {
        DG_SHARED_OR_SKIP(path, "as2org/rpsl-format-samples/jpirr.test.gz");
        const auto r = read_path(path);
        ASSERT_EQ(r.objects.size(), 3U);
        EXPECT_EQ(r.objects[1][0].first, "*xxset");
        EXPECT_EQ(r.objects[2].back().second, "JPIRR"); // the last line has no line end
    }
    {
        DG_SHARED_OR_SKIP(path, "as2org/rpsl-format-samples/arin.test.zip");
        auto reader = Reader::open(path);
        ASSERT_TRUE(reader.has_value());
        const auto r = read_all(*reader);
        ASSERT_TRUE(r.error);
        EXPECT_EQ(r.error->code, ErrorCode::Unsupported);
    }
}

} // namespace
} // namespace dg::org::whois
