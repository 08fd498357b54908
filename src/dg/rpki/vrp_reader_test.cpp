// The VRP readers on samples shaped like each validator's output (tests/data/rpki/README.md) and
// on damaged input.
#include "dg/rpki/vrp_reader.hpp"
#include "tests/support/support.hpp"

#include <gtest/gtest.h>

namespace dg::rpki {
namespace {

std::string fixture(const std::string& name) {
    return std::string(DG_SOURCE_DIR) + "/tests/data/rpki/" + name;
}

Prefix pfx(const char* text) {
    return *Prefix::parse(text);
}

/// The five VRPs every fixture holds, in file order.
struct Expected {
    const char* prefix;
    std::uint32_t asn;
    int max_length;
    const char* ta;
    std::int64_t expires;
};
constexpr Expected kFixtureVrps[] = {
    {"192.0.2.0/24", 64496, 24, "ripe", 1700000000},
    {"198.51.100.0/24", 64497, 26, "arin", 1700003600},
    {"203.0.113.0/24", 0, 24, "apnic", 1700007200},
    {"2001:db8::/32", 64498, 48, "ripe", 1700010800},
    {"2001:db8:1000::/36", 64499, 36, "lacnic", 1700014400},
};

struct FixtureCase {
    const char* file;
    VrpFormat format;
    bool has_ta;
    bool has_expires;
};

class FixtureTest : public ::testing::TestWithParam<FixtureCase> {};

TEST_P(FixtureTest, ReadsEveryVrpAndDetectsTheFormat) {
    const FixtureCase& c = GetParam();
    auto set = load_vrps(fixture(c.file));
    ASSERT_TRUE(set) << set.error().to_string();
    EXPECT_EQ(set->report.format, c.format) << format_name(set->report.format);
    EXPECT_EQ(set->report.entries, 5U);
    EXPECT_EQ(set->report.accepted, 5U);
    EXPECT_EQ(set->report.skipped, 0U);
    ASSERT_EQ(set->vrps.size(), 5U);
    for (std::size_t i = 0; i < 5; ++i) {
        const Vrp& v = set->vrps[i];
        const Expected& e = kFixtureVrps[i];
        EXPECT_EQ(v.prefix, pfx(e.prefix)) << i;
        EXPECT_EQ(v.asn.value(), e.asn) << i;
        EXPECT_EQ(v.max_length, e.max_length) << i;
        EXPECT_EQ(set->trust_anchors[v.ta], c.has_ta ? e.ta : "") << i;
        if (c.has_expires) {
            EXPECT_EQ(v.expires, e.expires) << i;
        }
    }
    // The same bytes through read_vrps() with the format named explicitly.
    ReadOptions explicit_format;
    explicit_format.format = c.format;
    auto again = read_vrps(test::read_file(fixture(c.file)), c.file, explicit_format);
    ASSERT_TRUE(again) << again.error().to_string();
    EXPECT_EQ(again->vrps, set->vrps);
}

INSTANTIATE_TEST_SUITE_P(
    Validators, FixtureTest,
    ::testing::Values(FixtureCase{"rpki-client.json", VrpFormat::RpkiClientJson, true, true},
                      FixtureCase{"rpki-client.csv", VrpFormat::RpkiClientCsv, true, true},
                      FixtureCase{"routinator.json", VrpFormat::RoutinatorJson, true, false},
                      FixtureCase{"routinator.jsonext", VrpFormat::RoutinatorJsonExt, true, false},
                      FixtureCase{"routinator.csv", VrpFormat::RoutinatorCsv, true, false},
                      FixtureCase{"routinator.csvcompat", VrpFormat::RoutinatorCsvCompat, true,
                                  false},
                      // csvext has no trust anchor; its Not After is the expiry.
                      FixtureCase{"routinator.csvext", VrpFormat::RoutinatorCsvExt, false, true}),
    [](const ::testing::TestParamInfo<FixtureCase>& param_info) {
        std::string name = param_info.param.file;
        for (char& ch : name) {
            ch = std::isalnum(static_cast<unsigned char>(ch)) != 0 ? ch : '_';
        }
        return name;
    });

TEST(VrpFormatNames, RoundTrip) {
    for (VrpFormat f :
         {VrpFormat::Auto, VrpFormat::RpkiClientJson, VrpFormat::RpkiClientCsv,
          VrpFormat::RoutinatorJson, VrpFormat::RoutinatorJsonExt, VrpFormat::RoutinatorCsv,
          VrpFormat::RoutinatorCsvCompat, VrpFormat::RoutinatorCsvExt}) {
        auto parsed = parse_format(format_name(f));
        ASSERT_TRUE(parsed) << format_name(f);
        EXPECT_EQ(*parsed, f);
    }
    EXPECT_EQ(*parse_format("json"), VrpFormat::RpkiClientJson);
    auto bad = parse_format("bird2");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("routinator-csvext"), std::string::npos);
}

TEST(DetectFormat, FromTheFirstBytes) {
    EXPECT_EQ(detect_format("\xEF\xBB\xBF  {\"roas\": []}"), VrpFormat::RpkiClientJson);
    EXPECT_EQ(detect_format("ASN,IP Prefix,Max Length,Trust Anchor\r\nAS1,"),
              VrpFormat::RoutinatorCsv);
    EXPECT_EQ(detect_format("\"ASN\",\"IP Prefix\",\"Max Length\",\"Trust Anchor\"\n"),
              VrpFormat::RoutinatorCsvCompat);
    EXPECT_EQ(detect_format("roa-set {\n"), VrpFormat::Auto);
}

// --- JSON: damaged files are errors with a byte offset; damaged entries are skipped with their
// path.

TEST(JsonVrps, SyntaxErrorHasAByteOffset) {
    const std::string text =
        "{\"roas\": [{\"asn\": 1, \"prefix\": \"192.0.2.0/24\" \"maxLength\": 24}]}";
    auto set = read_vrps(text, "v.json");
    ASSERT_FALSE(set);
    EXPECT_EQ(set.error().code, ErrorCode::Malformed);
    EXPECT_EQ(set.error().source, "v.json");
    ASSERT_TRUE(set.error().offset.has_value());
    EXPECT_EQ(*set.error().offset, text.find("\"maxLength\"")) << set.error().to_string();
}

TEST(JsonVrps, TruncatedFileIsAnError) {
    std::string text = test::read_file(fixture("rpki-client.json"));
    text.resize(text.size() / 2);
    auto set = read_vrps(text, "cut.json");
    ASSERT_FALSE(set);
    EXPECT_EQ(set.error().code, ErrorCode::Malformed);
    EXPECT_TRUE(set.error().offset.has_value());
}

TEST(JsonVrps, ShapeErrors) {
    for (const char* text : {"[]", "{\"metadata\": {}}", "{\"roas\": {}}", "{\"roas\": 5}", "42"}) {
        auto set = read_vrps(text, "x.json");
        ASSERT_FALSE(set) << text;
        EXPECT_EQ(set.error().code, ErrorCode::Malformed) << text;
    }
    auto nested = read_vrps(std::string(100, '{'), "deep.json");
    ASSERT_FALSE(nested);
}

TEST(JsonVrps, EmptyRoasIsAnEmptySet) {
    auto set = read_vrps("{\"metadata\": {\"buildmachine\": \"x\"}, \"roas\": []}", "e.json");
    ASSERT_TRUE(set) << set.error().to_string();
    EXPECT_TRUE(set->vrps.empty());
    EXPECT_EQ(set->report.format, VrpFormat::RpkiClientJson);
}

TEST(JsonVrps, InvalidEntriesAreSkippedWithTheirPath) {
    const std::string text = R"({"roas": [
        {"asn": 64496, "prefix": "192.0.2.0/24", "maxLength": 24, "ta": "ripe"},
        {"asn": 64496, "prefix": "192.0.2.1/24", "maxLength": 24},
        {"asn": 64496, "prefix": "192.0.2.0/24", "maxLength": 33},
        {"asn": 64496, "prefix": "192.0.2.0/24", "maxLength": 23},
        {"asn": 4294967296, "prefix": "192.0.2.0/24", "maxLength": 24},
        {"asn": "ASx", "prefix": "192.0.2.0/24", "maxLength": 24},
        {"asn": 64496, "prefix": "2001:db8::/32", "maxLength": 129},
        {"asn": 64496, "prefix": "not-a-prefix", "maxLength": 24},
        {"asn": 64496, "maxLength": 24},
        {"asn": 64496, "prefix": ["192.0.2.0/24"], "maxLength": 24},
        {"asn": -5, "prefix": "192.0.2.0/24", "maxLength": 24},
        7,
        [1, 2],
        {"asn": "AS64497", "prefix": "198.51.100.0/24", "maxLength": "24", "extra": {"a": [1]}}
    ]})";
    auto set = read_vrps(text, "mixed.json");
    ASSERT_TRUE(set) << set.error().to_string();
    EXPECT_EQ(set->report.entries, 14U);
    EXPECT_EQ(set->report.accepted, 2U);
    EXPECT_EQ(set->report.skipped, 12U);
    ASSERT_EQ(set->report.warnings.size(), 12U);
    const auto& w = set->report.warnings;
    EXPECT_EQ(w[0].message, "roas[1]: host bits set in prefix '192.0.2.1/24' (the network is "
                            "192.0.2.0/24)");
    EXPECT_EQ(w[1].message, "roas[2]: maxLength 33 exceeds 32 for 192.0.2.0/24");
    EXPECT_EQ(w[2].message, "roas[3]: maxLength 23 is shorter than the length of 192.0.2.0/24");
    EXPECT_EQ(w[3].message, "roas[4]: ASN 4294967296 out of range (0..4294967295)");
    EXPECT_EQ(w[4].message.rfind("roas[5]: invalid ASN 'ASx'", 0), 0U) << w[4].message;
    EXPECT_EQ(w[5].message, "roas[6]: maxLength 129 exceeds 128 for 2001:db8::/32");
    EXPECT_EQ(w[6].message, "roas[7]: prefix 'not-a-prefix' has no length");
    EXPECT_EQ(w[7].message, "roas[8]: no prefix");
    EXPECT_EQ(w[8].message, "roas[9]: \"prefix\" is an array");
    EXPECT_EQ(w[9].message, "roas[10]: ASN -5 is negative");
    EXPECT_EQ(w[10].message, "roas[11]: a number, not an object");
    EXPECT_EQ(w[11].message, "roas[12]: an array, not an object");
    EXPECT_EQ(w[0].source, "mixed.json");
    EXPECT_EQ(set->vrps[1].prefix, pfx("198.51.100.0/24"));
    EXPECT_EQ(set->vrps[1].asn.value(), 64497U);
}

TEST(JsonVrps, StrictMakesTheFirstInvalidEntryAnError) {
    ReadOptions strict;
    strict.strict = true;
    auto set = read_vrps(R"({"roas": [{"asn": 1, "prefix": "192.0.2.0/24", "maxLength": 24},
                                      {"asn": 1, "prefix": "192.0.2.0/33", "maxLength": 24}]})",
                         "s.json", strict);
    ASSERT_FALSE(set);
    EXPECT_NE(set.error().message.find("roas[1]: invalid prefix"), std::string::npos)
        << set.error().message;
}

TEST(JsonVrps, NoValidEntryIsAnError) {
    auto set = read_vrps(R"({"roas": [{"asn": 1, "prefix": "192.0.2.1/24", "maxLength": 24}]})",
                         "bad.json");
    ASSERT_FALSE(set);
    EXPECT_NE(set.error().message.find("none of the 1 entries"), std::string::npos);
}

TEST(JsonVrps, FormatOptionMustMatchTheSyntax) {
    ReadOptions csv;
    csv.format = VrpFormat::RoutinatorCsv;
    auto set = read_vrps("{\"roas\": []}", "x.json", csv);
    ASSERT_FALSE(set);
    EXPECT_NE(set.error().message.find("but the file is JSON"), std::string::npos);
    ReadOptions json;
    json.format = VrpFormat::RoutinatorJson;
    ASSERT_FALSE(read_vrps("ASN,IP Prefix,Max Length,Trust Anchor\n", "x.csv", json));
}

// --- CSV: an unknown header is an error at line 1; bad rows are skipped with their line.

TEST(CsvVrps, UnknownHeaderIsAnErrorAtLineOne) {
    auto set = read_vrps("prefix,asn\n192.0.2.0/24,1\n", "x.csv");
    ASSERT_FALSE(set);
    EXPECT_EQ(set.error().code, ErrorCode::Malformed);
    EXPECT_EQ(set.error().line, std::optional<std::uint64_t>(1));
    EXPECT_NE(set.error().message.find("ASN,IP Prefix,Max Length,Trust Anchor,Expires"),
              std::string::npos);
}

TEST(CsvVrps, BadRowsAreSkippedWithTheirLine) {
    const std::string text = "ASN,IP Prefix,Max Length,Trust Anchor,Expires\r\n"
                             "AS64496,192.0.2.0/24,24,ripe,1700000000\r\n"
                             "\r\n"
                             "AS64496,192.0.2.0/24,24,ripe\r\n"
                             "AS4294967296,192.0.2.0/24,24,ripe,1\r\n"
                             "AS64496,192.0.2.128/24,24,ripe,1\r\n"
                             "AS64496,192.0.2.0/24,40,ripe,1\r\n"
                             "AS64496,192.0.2.0/24,24,ripe,soon\r\n"
                             "AS64497,2001:db8::/32,48,ripe,1700000001";
    auto set = read_vrps(text, "x.csv");
    ASSERT_TRUE(set) << set.error().to_string();
    EXPECT_EQ(set->report.format, VrpFormat::RpkiClientCsv);
    EXPECT_EQ(set->report.entries, 7U);
    ASSERT_EQ(set->vrps.size(), 2U);
    EXPECT_EQ(set->vrps[1].prefix, pfx("2001:db8::/32"));
    EXPECT_EQ(set->vrps[1].expires, 1700000001);
    ASSERT_EQ(set->report.warnings.size(), 5U);
    const auto& w = set->report.warnings;
    EXPECT_EQ(w[0].line, std::optional<std::uint64_t>(4));
    EXPECT_EQ(w[0].message, "expected 5 comma-separated fields (rpki-client-csv), found 4");
    EXPECT_EQ(w[1].line, std::optional<std::uint64_t>(5));
    EXPECT_EQ(w[2].line, std::optional<std::uint64_t>(6));
    EXPECT_NE(w[2].message.find("host bits"), std::string::npos);
    EXPECT_EQ(w[3].message, "maxLength 40 exceeds 32 for 192.0.2.0/24");
    EXPECT_EQ(w[4].message, "invalid Expires 'soon'");
    EXPECT_EQ(w[4].to_string(), "x.csv:8 @ offset " +
                                    std::to_string(text.find("AS64496,192.0.2.0/24,24,ripe,soon")) +
                                    ": invalid Expires 'soon'");
}

TEST(CsvVrps, HeaderlessFileNeedsAnExplicitFormat) {
    const std::string rows = "AS64496,192.0.2.0/24,24,ripe\nAS64497,198.51.100.0/24,24,arin\n";
    ASSERT_FALSE(read_vrps(rows, "x.csv"));
    ReadOptions o;
    o.format = VrpFormat::RoutinatorCsv;
    auto set = read_vrps(rows, "x.csv", o);
    ASSERT_TRUE(set) << set.error().to_string();
    EXPECT_EQ(set->vrps.size(), 2U);
    // An explicit format with another flavour's header is an error.
    o.format = VrpFormat::RpkiClientCsv;
    auto wrong = read_vrps("ASN,IP Prefix,Max Length,Trust Anchor\n" + rows, "x.csv", o);
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().line, std::optional<std::uint64_t>(1));
}

TEST(CsvVrps, EmptyFiles) {
    EXPECT_FALSE(read_vrps("", "e.csv"));
    EXPECT_FALSE(read_vrps("\n\n", "e.csv"));
    auto header_only = read_vrps("ASN,IP Prefix,Max Length,Trust Anchor\n", "h.csv");
    ASSERT_TRUE(header_only);
    EXPECT_TRUE(header_only->vrps.empty());
}

TEST(CsvVrps, WarningsKeptAreBounded) {
    std::string text = "ASN,IP Prefix,Max Length,Trust Anchor\nAS1,192.0.2.0/24,24,x\n";
    for (int i = 0; i < 500; ++i) {
        text += "AS1,192.0.2.1/24,24,x\n";
    }
    auto set = read_vrps(text, "w.csv");
    ASSERT_TRUE(set);
    EXPECT_EQ(set->report.skipped, 500U);
    EXPECT_EQ(set->report.warnings.size(), 100U);
}

TEST(LoadVrps, MissingFileIsNotFound) {
    auto set = load_vrps("/nonexistent/vrps.json");
    ASSERT_FALSE(set);
    EXPECT_EQ(set.error().code, ErrorCode::NotFound);
}

} // namespace
} // namespace dg::rpki
