#include "dg/org/limits.hpp"
#include "dg/org/org_table.hpp"
#include "tests/support/support.hpp"

#include <gtest/gtest.h>
#include <string>
#include <zlib.h>

namespace dg::org {
namespace {

using test::TempDir;
using test::write_file;

const std::string kOrgFormat = "# format:org_id|changed|org_name|country|source\n";
const std::string kAsFormat = "# format:aut|changed|aut_name|org_id|opaque_id|source\n";

OrgTable parse_ok(const std::string& text, LoadReport* report = nullptr) {
    auto table = OrgTable::parse(text, "test.txt", report);
    EXPECT_TRUE(table) << (table ? "" : table.error().to_string());
    return std::move(table).value();
}

bool has_warning(const LoadReport& r, std::uint64_t line, const std::string& part) {
    for (const auto& w : r.warnings) {
        if (w.line == line && w.message.find(part) != std::string::npos && w.source == r.source) {
            return true;
        }
    }
    return false;
}

TEST(OrgTable, ReadsTheSharedFormatSample) {
    DG_SHARED_OR_SKIP(path, "as2org/format-sample.as-org2info.txt");
    LoadReport report;
    auto table = OrgTable::load(path, &report);
    ASSERT_TRUE(table) << table.error().to_string();
    EXPECT_EQ(table->organisation_count(), 3U);
    EXPECT_EQ(table->as_count(), 5U);
    EXPECT_EQ(report.skipped, 0U);
    EXPECT_TRUE(report.warnings.empty());
    EXPECT_EQ(report.format, FileFormat::Text);

    const AsOrg* as = table->as_of(Asn{64496});
    ASSERT_NE(as, nullptr);
    EXPECT_EQ(as->name, "EXAMPLE-NET-1");
    EXPECT_EQ(as->org_id, "EXA-1-ARIN");
    EXPECT_EQ(as->opaque_id, "a1b2c3d4e5f6");
    EXPECT_EQ(as->source, "ARIN");
    EXPECT_EQ(as->changed, "20230101");

    const Organisation* org = table->org_of(Asn{64496});
    ASSERT_NE(org, nullptr);
    EXPECT_EQ(org->id, "EXA-1-ARIN");
    EXPECT_EQ(org->name, "Example Networks, Inc.");
    EXPECT_EQ(org->country, "US");
    EXPECT_EQ(org->source, "ARIN");

    const AsOrg* empty_fields = table->as_of(Asn{64499});
    ASSERT_NE(empty_fields, nullptr);
    EXPECT_EQ(empty_fields->changed, "");
    EXPECT_EQ(empty_fields->opaque_id, "");
    EXPECT_EQ(table->org_of(Asn{64499})->name, "Example Hosting GmbH");
    EXPECT_EQ(table->org_of(Asn{4200000000U})->id, "@family-0042");

    EXPECT_EQ(table->as_of(Asn{64500}), nullptr);
    EXPECT_EQ(table->org_of(Asn{64500}), nullptr);

    const auto siblings = table->ases_of("EXA-1-ARIN");
    ASSERT_EQ(siblings.size(), 2U);
    EXPECT_EQ(siblings[0]->asn, Asn{64496});
    EXPECT_EQ(siblings[1]->asn, Asn{64497});
    EXPECT_TRUE(table->ases_of("NOPE").empty());
    ASSERT_NE(table->organisation("ORG-EXB1-RIPE"), nullptr);
    EXPECT_EQ(table->organisation("ORG-EXB1-RIPE")->country, "NL");
}

TEST(OrgTable, FieldsAreFoundByNameNotPosition) {
    const std::string text = "# a comment\n"
                             "# format: source | country | org_name | org_id | changed\n"
                             "RIPE|NL|Example B.V.|ORG-1|20200101\n"
                             "# format:org_id|aut_name|aut|source\n"
                             "ORG-1|EX-AS|AS64510|RIPE\n";
    auto table = parse_ok(text);
    const Organisation* org = table.org_of(Asn{64510});
    ASSERT_NE(org, nullptr);
    EXPECT_EQ(org->name, "Example B.V.");
    EXPECT_EQ(org->country, "NL");
    EXPECT_EQ(table.as_of(Asn{64510})->name, "EX-AS");
    EXPECT_EQ(table.as_of(Asn{64510})->changed, "");
}

TEST(OrgTable, BrokenLinesAreReportedAndSkipped) {
    const std::string text = "64496|x|y|z|w|ARIN\n"                      // 1: before format
                             + kOrgFormat +                              // 2
                             "ORG-A|20200101|Org A|US|ARIN\n"            // 3
                             "ORG-B|20200101|Org B\n"                    // 4: too few
                             "|20200101|No id|US|ARIN\n"                 // 5: empty id
                             "ORG-A|20210101|Org A again|US|ARIN\n"      // 6: duplicate
                             + kAsFormat +                               // 7
                             "64496|20200101|AS-A|ORG-A||ARIN\n"         // 8
                             "notanumber|20200101|AS-X|ORG-A||ARIN\n"    // 9: bad ASN
                             "64496|20200101|AS-A2|ORG-A||ARIN\n"        // 10: duplicate
                             "64497|20200101|AS-ORPHAN|ORG-NONE||ARIN\n" // 11: unknown org
                             "64498|20200101|AS-NOORG|||ARIN\n"          // 12: no org
                             "\n"                                        // 13
                             "# format:foo|bar\n"                        // 14: unusable
                             "1|2\n";                                    // 15: skipped
    LoadReport r;
    auto table = parse_ok(text, &r);
    EXPECT_EQ(r.lines, 15U);
    EXPECT_EQ(r.organisations, 1U);
    EXPECT_EQ(r.ases, 3U);
    EXPECT_EQ(r.skipped, 7U);
    EXPECT_EQ(r.unknown_org_refs, 1U);
    EXPECT_TRUE(has_warning(r, 1, "before any usable"));
    EXPECT_TRUE(has_warning(r, 4, "expected 5"));
    EXPECT_TRUE(has_warning(r, 5, "empty org_id"));
    EXPECT_TRUE(has_warning(r, 6, "duplicate organisation"));
    EXPECT_TRUE(has_warning(r, 9, "invalid AS number"));
    EXPECT_TRUE(has_warning(r, 10, "duplicate AS"));
    EXPECT_TRUE(has_warning(r, 11, "ORG-NONE"));
    EXPECT_TRUE(has_warning(r, 14, "neither"));
    EXPECT_TRUE(has_warning(r, 15, "before any usable"));
    EXPECT_EQ(table.as_of(Asn{64496})->name, "AS-A"); // the first row wins
    EXPECT_EQ(table.organisation("ORG-A")->name, "Org A");
    ASSERT_NE(table.as_of(Asn{64497}), nullptr);
    EXPECT_EQ(table.org_of(Asn{64497}), nullptr);
    EXPECT_EQ(table.org_of(Asn{64498}), nullptr);
    EXPECT_EQ(table.report().skipped, 7U);
}

TEST(OrgTable, ExtraBarsGoIntoTheName) {
    LoadReport r;
    auto table = parse_ok(kOrgFormat + "ORG-A|20200101|Pipe | Works|DE|RIPE\n", &r);
    EXPECT_EQ(table.organisation("ORG-A")->name, "Pipe | Works");
    EXPECT_EQ(table.organisation("ORG-A")->country, "DE");
    EXPECT_EQ(r.skipped, 0U);
    EXPECT_TRUE(has_warning(r, 2, "extra"));
}

// Fuzz find (fuzz/corpus/fuzz_as2org/regress-merge-blank-field): a blank last field of a merged
// name made the merged view's length wrap around.
TEST(OrgTable, MergedNameEndingInABlankField) {
    LoadReport r;
    auto table = parse_ok(
        kAsFormat + "64496|20200101|NAME|  |ORG-A||ARIN\n" + "64497|20200101|| |ORG-A||ARIN\n", &r);
    EXPECT_EQ(table.as_of(Asn{64496})->name, "NAME|");
    EXPECT_EQ(table.as_of(Asn{64496})->org_id, "ORG-A");
    EXPECT_EQ(table.as_of(Asn{64497})->name, "|");
    EXPECT_EQ(r.skipped, 0U);
}

TEST(OrgTable, NoValidRowIsAnError) {
    LoadReport r;
    auto table = OrgTable::parse("# only comments\n\nrubbish\n", "empty.txt", &r);
    ASSERT_FALSE(table);
    EXPECT_EQ(table.error().code, ErrorCode::Malformed);
    EXPECT_NE(table.error().message.find("no valid"), std::string::npos);
    EXPECT_EQ(table.error().source, "empty.txt");
    EXPECT_EQ(r.lines, 3U);
    EXPECT_EQ(r.skipped, 1U);
    EXPECT_FALSE(OrgTable::parse("", "x", nullptr));
}

TEST(OrgTable, OverlongLinesAreSkipped) {
    LoadReport r;
    const std::string text = kAsFormat + "64496|" + std::string(kMaxLineBytes, 'x') + "\n" +
                             "64497|20200101|OK|||ARIN\n";
    auto table = parse_ok(text, &r);
    EXPECT_EQ(table.as_count(), 1U);
    EXPECT_TRUE(has_warning(r, 2, "longer than"));
}

TEST(OrgTable, ReadsJsonLines) {
    const std::string text =
        R"({"changed":"20121010","country":"US","name":"Example Org","organizationId":"EX-ARIN","source":"ARIN","type":"Organization"})"
        "\n"
        R"({"country":"JP","name":"No Date","organizationId":"@aut-64497-JPNIC","source":"JPNIC","type":"Organization"})"
        "\n"
        R"({"asn":"64496","changed":"20220418","name":"EX-AS","opaqueId":"abc_ARIN","organizationId":"EX-ARIN","source":"ARIN","type":"ASN"})"
        "\n"
        R"({"asn":64497,"name":"NUMERIC","organizationId":"@aut-64497-JPNIC","source":"JPNIC","type":"ASN"})"
        "\n"
        R"({"asn":"64498","name":["not","a","string"],"type":"ASN"})"
        "\n"
        R"({"type":"Something"})"
        "\n"
        R"({"asn": "64499", "type": "ASN")"
        "\n"
        R"([1,2,3])"
        "\n";
    LoadReport r;
    auto table = parse_ok(text, &r);
    EXPECT_EQ(r.format, FileFormat::JsonLines);
    EXPECT_EQ(table.organisation_count(), 2U);
    EXPECT_EQ(table.as_count(), 2U);
    EXPECT_EQ(r.skipped, 4U);
    EXPECT_TRUE(has_warning(r, 5, "wrong JSON type"));
    EXPECT_TRUE(has_warning(r, 6, "unknown \"type\""));
    EXPECT_TRUE(has_warning(r, 7, "not a JSON object"));
    EXPECT_TRUE(has_warning(r, 8, "before any usable")); // "[" is no JSON Lines row
    const AsOrg* as = table.as_of(Asn{64496});
    ASSERT_NE(as, nullptr);
    EXPECT_EQ(as->opaque_id, "abc_ARIN");
    EXPECT_EQ(as->changed, "20220418");
    EXPECT_EQ(table.org_of(Asn{64496})->name, "Example Org");
    EXPECT_EQ(table.org_of(Asn{64497})->country, "JP");
    EXPECT_EQ(table.org_of(Asn{64497})->changed, "");
}

TEST(OrgTable, ReadsCompressedFilesAndReportsMissingOnes) {
    TempDir dir;
    const std::string text = kOrgFormat + "ORG-A|20200101|Org A|US|ARIN\n" + kAsFormat +
                             "64496|20200101|AS-A|ORG-A||ARIN\n";
    const std::string gz_path = dir.file("20240101.as-org2info.txt.gz");
    gzFile gz = gzopen(gz_path.c_str(), "wb");
    ASSERT_NE(gz, nullptr);
    gzwrite(gz, text.data(), static_cast<unsigned>(text.size()));
    gzclose(gz);
    auto table = OrgTable::load(gz_path);
    ASSERT_TRUE(table) << table.error().to_string();
    EXPECT_EQ(table->org_of(Asn{64496})->name, "Org A");

    auto missing = OrgTable::load(dir.file("absent.txt"));
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
}

TEST(OrgTable, ViewsSurviveMovesAndLargeTables) {
    std::string text = kOrgFormat;
    for (int i = 0; i < 2000; ++i) {
        text += "ORG-" + std::to_string(i) + "|20200101|Organisation number " + std::to_string(i) +
                "|DE|RIPE\n";
    }
    text += kAsFormat;
    for (std::uint32_t asn = 1; asn <= 50000; ++asn) {
        text += std::to_string(asn) + "|20200101|AS-NAME-" + std::to_string(asn) + "|ORG-" +
                std::to_string(asn % 2000) + "||RIPE\n";
    }
    // One name stored outside the arena's chunks.
    text += "4200000001|20200101|" + std::string(5000, 'N') + "|ORG-1||RIPE\n";
    auto parsed = OrgTable::parse(text, "big", nullptr);
    ASSERT_TRUE(parsed);
    OrgTable table = std::move(parsed).value();
    OrgTable moved = std::move(table);
    EXPECT_EQ(moved.as_count(), 50001U);
    EXPECT_EQ(moved.as_of(Asn{12345})->name, "AS-NAME-12345");
    EXPECT_EQ(moved.org_of(Asn{12345})->name, "Organisation number 345");
    EXPECT_EQ(moved.ases_of("ORG-7").size(), 25U);
    EXPECT_EQ(moved.as_of(Asn{4200000001U})->name.size(), 5000U);
    for (const auto& as : moved.ases()) {
        ASSERT_NE(moved.org_of(as.asn), nullptr);
    }
}

// Issue 12 item 13: the files users hand to --as2org.
TEST(OrgTable, ReadsPyasnAsnamesJsonOfOneLongLine) {
    std::string text = "{";
    for (std::uint32_t asn = 1; asn <= 20000; ++asn) {
        text += (asn > 1 ? ", " : "") + std::string("\"") + std::to_string(asn) + "\": \"NET-" +
                std::to_string(asn) + " - Example Networks " + std::to_string(asn) + ", Inc., US\"";
    }
    text += ", \"3356\": \"LEVEL3\", \"bogus\": \"x\"}";
    ASSERT_GT(text.size(), kMaxLineBytes); // longer than any CAIDA line may be
    LoadReport report;
    auto table = OrgTable::parse(text, "asnames.json", &report);
    ASSERT_TRUE(table) << table.error().to_string();
    EXPECT_EQ(report.format, FileFormat::PyasnNames);
    EXPECT_EQ(report.skipped, 1U); // "bogus"
    EXPECT_EQ(table->as_of(Asn{42})->name, "NET-42");
    ASSERT_NE(table->org_of(Asn{42}), nullptr);
    EXPECT_EQ(table->org_of(Asn{42})->name, "Example Networks 42, Inc.");
    EXPECT_EQ(table->org_of(Asn{42})->country, "US");
    EXPECT_EQ(table->org_of(Asn{3356})->name, "LEVEL3"); // no " - ", no country
}

TEST(OrgTable, RefusesOtherKindsOfFilesInOneLine) {
    const std::string rpsl = "% This is the RIPE Database query service.\n\n"
                             "inetnum:        192.0.2.0 - 192.0.2.255\nnetname:        TEST\n\n";
    LoadReport report;
    auto r = OrgTable::parse(rpsl, "ripe.db.inetnum", &report);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("RPSL WHOIS dump without aut-num"), std::string::npos)
        << r.error().message;
    EXPECT_TRUE(report.warnings.empty()); // one line, not twenty
    auto arin = OrgTable::parse("ASHandle:       AS701\nOrgID:          MCICS\n", "arin.txt");
    ASSERT_FALSE(arin);
    EXPECT_NE(arin.error().message.find("ARIN bulk"), std::string::npos);
    std::string mmdb(4096, '\0');
    mmdb += "\xab\xcd\xefMaxMind.com";
    auto m = OrgTable::parse(mmdb, "GeoLite2-City.mmdb");
    ASSERT_FALSE(m);
    EXPECT_NE(m.error().message.find("MaxMind database"), std::string::npos);
}

// Issue 18: AS names without CAIDA files, from RPSL aut-num objects.
TEST(OrgTable, ReadsAsNamesFromRpslAutNumObjects) {
    const std::string rpsl = "% This is the RIPE Database query service.\n\n"
                             "aut-num:        AS3333\nas-name:        RIPE-NCC-AS\n"
                             "descr:          RIPE Network Coordination Centre\n"
                             "org:            ORG-RIEN1-RIPE\nsource:         RIPE\n"
                             "last-modified:  2023-09-20T10:00:00Z\n\n"
                             "aut-num:        AS64496 # a comment\nas-name:        EXAMPLE-AS\n"
                             "descr:          Example Networks\ncountry:        NL\n"
                             "org:            ORG-ELSEWHERE-RIPE\n\n"
                             "aut-num:        AS64497\nas-name:        BARE-AS\n\n"
                             "aut-num:        not-an-as\nas-name:        BROKEN\n\n"
                             "organisation:   ORG-RIEN1-RIPE\norg-name:       RIPE NCC\n"
                             "country:        NL\nsource:         RIPE\n";
    LoadReport report;
    auto t = OrgTable::parse(rpsl, "ripe.db.aut-num", &report);
    ASSERT_TRUE(t) << t.error().to_string();
    EXPECT_EQ(report.format, FileFormat::Rpsl);
    EXPECT_EQ(report.skipped, 1U); // not-an-as
    EXPECT_EQ(t->as_of(Asn{3333})->name, "RIPE-NCC-AS");
    EXPECT_EQ(t->as_of(Asn{3333})->changed, "20230920");
    ASSERT_NE(t->org_of(Asn{3333}), nullptr);
    EXPECT_EQ(t->org_of(Asn{3333})->name, "RIPE NCC"); // the organisation object, found later
    EXPECT_EQ(t->country_of(Asn{3333}), "NL");
    // an org: the dump does not hold: an organisation of its own, named by descr
    EXPECT_EQ(t->org_of(Asn{64496})->id, "@rpsl-64496");
    EXPECT_EQ(t->org_of(Asn{64496})->name, "Example Networks");
    EXPECT_EQ(t->country_of(Asn{64496}), "NL");
    EXPECT_EQ(t->org_of(Asn{64497})->name, "BARE-AS"); // no descr: its as-name
    EXPECT_EQ(t->country_of(Asn{64497}), "");
}

TEST(OrgTable, ReadsARealRipeAutNumDumpAndLacnicOwners) {
    DG_SHARED_OR_SKIP(ripe, "as2org/ripe-2023-12/ripe-nonauth.db.aut-num.gz");
    LoadReport report;
    auto t = OrgTable::load(ripe, &report);
    ASSERT_TRUE(t) << t.error().to_string();
    EXPECT_EQ(report.format, FileFormat::Rpsl);
    EXPECT_EQ(t->as_count(), 2109U); // every object of the dump
    EXPECT_EQ(t->as_of(Asn{3356})->name, "Level3");
    EXPECT_EQ(t->org_of(Asn{3356})->name, "Level 3 Communications");
    DG_SHARED_OR_SKIP(lacnic_file, "as2org/rpsl-format-samples/lacnic.test");
    auto lacnic = OrgTable::load(lacnic_file);
    ASSERT_TRUE(lacnic) << lacnic.error().to_string();
    ASSERT_NE(lacnic->org_of(Asn{278}), nullptr);
    EXPECT_EQ(lacnic->org_of(Asn{278})->name.substr(0, 10),
              "FUNDA\xc3\x87\xc3\x83O"); // Latin-1 read
    EXPECT_EQ(lacnic->country_of(Asn{278}), "MX");
}

// Issue 18: countries and holders from RIR delegation statistics files.
TEST(OrgTable, ReadsCountriesAndHoldersFromDelegationFiles) {
    const std::string delegated = "2|ripencc|20231201|5|19830705|20231130|+0100\n"
                                  "ripencc|*|asn|*|4|summary\n"
                                  "ripencc|*|ipv4|*|1|summary\n"
                                  "ripencc|NL|asn|3333|1|19930901|allocated|holder-1|e-stats\n"
                                  "ripencc|NL|asn|64496|3|20100101|assigned|holder-2\n"
                                  "ripencc|DE|asn|64510|1|20100101|allocated\n"
                                  "ripencc||asn|64600|1||available\n"
                                  "ripencc|NL|ipv4|193.0.0.0|2048|19930901|allocated|holder-1\n"
                                  "ripencc|FR|asn|bogus|1|20100101|allocated|holder-3\n";
    LoadReport report;
    auto t = OrgTable::parse(delegated, "delegated-ripencc-extended-20231201", &report);
    ASSERT_TRUE(t) << t.error().to_string();
    EXPECT_EQ(report.format, FileFormat::Delegated);
    EXPECT_EQ(report.skipped, 1U); // bogus
    EXPECT_EQ(t->as_count(), 5U);  // 3333, 64496-64498, 64510; not the available one
    EXPECT_EQ(t->country_of(Asn{64497}), "NL");
    EXPECT_EQ(t->as_of(Asn{64497})->opaque_id, "holder-2");
    // one holder, one organisation: siblings
    EXPECT_EQ(t->ases_of("@delegated-ripencc-holder-2").size(), 3U);
    EXPECT_EQ(t->org_of(Asn{64510})->id, "@delegated-64510"); // no opaque id: its own
    EXPECT_EQ(t->country_of(Asn{64510}), "DE");
    EXPECT_EQ(t->as_of(Asn{64600}), nullptr);
    // a plain (not extended) file without a version line is recognised too
    auto plain = OrgTable::parse("apnic|JP|asn|2497|1|19910101|allocated\n", "delegated-apnic");
    ASSERT_TRUE(plain) << plain.error().to_string();
    EXPECT_EQ(plain->country_of(Asn{2497}), "JP");
}

// Issue 18: names from one file, countries and holders from another, as one table.
TEST(OrgTable, SeveralFilesMakeOneTableLaterOnesFillingIn) {
    TempDir dir;
    const std::string rpsl = dir.file("aut-num.db");
    write_file(rpsl, "aut-num: AS64496\nas-name: EXAMPLE-AS\ndescr: Example Networks\n\n"
                     "aut-num: AS64497\nas-name: OTHER-AS\ndescr: Other Networks\n"
                     "country: BE\n");
    const std::string delegated = dir.file("delegated.txt");
    write_file(delegated, "ripencc|NL|asn|64496|1|20100101|allocated|h1\n"
                          "ripencc|NL|asn|64497|1|20100101|allocated|h2\n"
                          "ripencc|SE|asn|64498|1|20100101|allocated|h1\n");
    LoadReport report;
    auto t = OrgTable::load(rpsl + "," + delegated, &report);
    ASSERT_TRUE(t) << t.error().to_string();
    EXPECT_EQ(report.format, FileFormat::Rpsl); // the first file's
    EXPECT_EQ(report.skipped, 0U);              // the same AS in two files is not a duplicate
    EXPECT_EQ(t->as_of(Asn{64496})->name, "EXAMPLE-AS");
    EXPECT_EQ(t->org_of(Asn{64496})->name, "Example Networks"); // the first file's organisation
    EXPECT_EQ(t->country_of(Asn{64496}), "NL");                 // the delegation's country
    EXPECT_EQ(t->as_of(Asn{64496})->opaque_id, "h1");
    EXPECT_EQ(t->country_of(Asn{64497}), "BE"); // its own organisation's country first
    EXPECT_EQ(t->country_of(Asn{64498}), "SE"); // only in the delegation file
    // a missing file among several: NotFound naming it
    auto missing = OrgTable::load(rpsl + "," + dir.file("nope.txt"));
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().to_string().find("nope.txt"), std::string::npos);
}

} // namespace
} // namespace dg::org
