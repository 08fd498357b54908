// `domaingraph as2org infer|validate|diff` end to end: dumps of all five registry formats (plain,
// gzip) -> both output formats -> `as2org lookup --siblings` reads the families back; --explain;
// broken input; the shared RIPE files.
#include "tests/support/support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <zlib.h>

namespace dg {
namespace {

test::CommandResult dg(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), test::dg_binary());
    return test::run_command(args, input);
}

void write_gzip(const std::string& path, const std::string& data) {
    gzFile f = gzopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    gzwrite(f, data.data(), static_cast<unsigned>(data.size()));
    gzclose(f);
}

struct Dumps {
    test::TempDir dir;
    std::vector<std::string> files;
    Dumps() {
        // RIPE: two ASes of one organisation; one AS sharing only a maintainer with it.
        write_gzip(dir.file("ripe.db.aut-num.gz"),
                   "aut-num: AS64496\nas-name: EXB-ONE\norg: ORG-EXB1-RIPE\nmnt-by: EXB-MNT\n"
                   "last-modified: 2023-05-01T10:00:00Z\nsource: RIPE\n\n"
                   "aut-num: AS64497\nas-name: EXB-TWO\norg: ORG-EXB1-RIPE\n"
                   "last-modified: 2023-05-01T10:00:00Z\nsource: RIPE\n\n"
                   "aut-num: AS64498\nas-name: OTHER\ndescr: Other Ltd\nmnt-by: EXB-MNT\n"
                   "source: RIPE\n");
        test::write_file(dir.file("ripe.db.organisation"),
                         "organisation: ORG-EXB1-RIPE\norg-name: Example Backbone B.V.\n"
                         "country: NL\nlast-modified: 2023-01-01T00:00:00Z\nsource: RIPE\n");
        // APNIC: two ASes sharing a contact.
        test::write_file(
            dir.file("apnic.db.aut-num"),
            "aut-num: AS64499\nas-name: EXC-1\ndescr: Example Carrier\n"
            "admin-c: EXC1-AP\nmnt-by: M1\nsource: APNIC\n\n"
            "aut-num: AS64500\nas-name: EXC-2\ndescr: Example Carrier Two\n"
            "admin-c: EXC1-AP\nmnt-by: M2\nsource: APNIC\n\n"
            "aut-num: AS64501\nas-name: LONE\nadmin-c: LONE-AP\nmnt-by: M3\nsource: APNIC\n\n"
            "aut-num: AS64502\nas-name: LONE2\nadmin-c: LONE2-AP\nmnt-by: M4\nsource: APNIC\n");
        // AFRINIC, LACNIC (ISO-8859-1), ARIN.
        test::write_file(dir.file("afrinic.db"),
                         "aut-num: AS64503\nas-name: AFR\norg: ORG-AF1-AFRINIC\nsource: AFRINIC\n\n"
                         "organisation: ORG-AF1-AFRINIC\norg-name: Afr Org\ncountry: NG\n"
                         "source: AFRINIC\n");
        test::write_file(dir.file("lacnic.db"),
                         "aut-num: 64504\nowner: Funda\xE7\xE3o\nowner-c: FUE\ncountry: BR\n"
                         "changed: 20200101\nsource: LACNIC\n\n"
                         "aut-num: 64505\nowner: Funda\xE7\xE3o Sul\nowner-c: FUE\nsource: LACNIC\n"
                         "\naut-num: 64506\nowner: Lone\nowner-c: LN1\nsource: LACNIC\n\n"
                         "aut-num: 64507\nowner: Lone Two\nowner-c: LN2\nsource: LACNIC\n");
        test::write_file(dir.file("arin_db.txt"),
                         "ASHandle: AS64510\nOrgID: EXA-1\nASName: EXAMPLE-NET-1\nASNumber: 64510\n"
                         "Updated: 2023-01-01\nSource: ARIN\n\n"
                         "ASHandle: AS64511\nOrgID: EXA-1\nASName: EXAMPLE-NET-2\nASNumber: 64511\n"
                         "Updated: 2023-01-01\nSource: ARIN\n\n"
                         "OrgID: EXA-1\nOrgName: Example Networks, Inc.\nCountry: US\n"
                         "Updated: 2022-01-01\nSource: ARIN\n");
        for (const char* f : {"ripe.db.aut-num.gz", "ripe.db.organisation", "apnic.db.aut-num",
                              "afrinic.db", "lacnic.db", "arin_db.txt"}) {
            files.push_back(dir.file(f));
        }
    }
};

std::vector<std::uint32_t> siblings(const std::string& file, const std::string& asn) {
    auto r = dg({"as2org", "lookup", "-f", file, asn, "--siblings"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::uint32_t> out;
    const auto j = nlohmann::json::parse(r.out, nullptr, false);
    if (!j.is_object() || !j.contains("siblings")) {
        ADD_FAILURE() << "no siblings in: " << r.out;
        return out;
    }
    for (const auto& s : j["siblings"]) {
        out.push_back(s.get<std::uint32_t>());
    }
    return out;
}

TEST(As2orgInferCli, FiveRegistriesBothFormatsReadBackByLookup) {
    const Dumps d;
    for (const std::string format : {"caida", "jsonl"}) {
        const std::string out = d.dir.file("out." + format);
        std::vector<std::string> args = {"as2org", "infer"};
        args.insert(args.end(), d.files.begin(), d.files.end());
        args.insert(args.end(), {"-o", out, "--format", format});
        auto r = dg(args);
        ASSERT_EQ(r.exit_code, 0) << r.err;
        EXPECT_NE(r.err.find("families"), std::string::npos) << r.err;
        EXPECT_EQ(siblings(out, "64496"), (std::vector<std::uint32_t>{64496, 64497}));
        EXPECT_EQ(siblings(out, "64498"), (std::vector<std::uint32_t>{64498}));
        EXPECT_EQ(siblings(out, "64499"), (std::vector<std::uint32_t>{64499, 64500}));
        EXPECT_EQ(siblings(out, "64504"), (std::vector<std::uint32_t>{64504, 64505}));
        EXPECT_EQ(siblings(out, "64510"), (std::vector<std::uint32_t>{64510, 64511}));
        EXPECT_EQ(siblings(out, "64503"), (std::vector<std::uint32_t>{64503}));
        auto l = dg({"as2org", "lookup", "-f", out, "64510", "64504"});
        const auto lines = test::split_lines(l.out);
        ASSERT_EQ(lines.size(), 2U);
        EXPECT_EQ(nlohmann::json::parse(lines[0])["org_name"], "Example Networks, Inc.");
        EXPECT_EQ(nlohmann::json::parse(lines[0])["org_id"], "EXA-1-ARIN");
        EXPECT_EQ(nlohmann::json::parse(lines[1])["org_name"], "Funda\xC3\xA7\xC3\xA3o");
        if (format == "caida") {
            const std::string text = test::read_file(out);
            EXPECT_NE(text.find("# fields: aut.org_id,"), std::string::npos);
            EXPECT_NE(text.find("# format:org_id|changed|org_name|country|source\n"),
                      std::string::npos);
            EXPECT_NE(text.find("# format:aut|changed|aut_name|org_id|opaque_id|source\n"),
                      std::string::npos);
        }
    }
    // aut.mnt_by joins the maintainer's ASes
    const std::string out = d.dir.file("mnt.txt");
    std::vector<std::string> args = {"as2org", "infer"};
    args.insert(args.end(), d.files.begin(), d.files.end());
    args.insert(args.end(), {"-o", out, "--fields", "always,aut.mnt_by", "-q"});
    auto r = dg(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(r.err.empty()) << r.err;
    EXPECT_EQ(siblings(out, "64498"), (std::vector<std::uint32_t>{64496, 64497, 64498}));

    // diff between the two runs: 64498 moved into ORG-EXB1-RIPE's family
    auto diff = dg({"as2org", "diff", d.dir.file("out.caida"), out});
    ASSERT_EQ(diff.exit_code, 0) << diff.err;
    EXPECT_NE(diff.out.find("\"change\":\"merged\",\"org_id\":\"ORG-EXB1-RIPE\""),
              std::string::npos)
        << diff.out;
    EXPECT_NE(diff.err.find("3 moved, 1 merged"), std::string::npos) << diff.err;
}

TEST(As2orgInferCli, ExplainAndValidate) {
    const Dumps d;
    std::vector<std::string> args = {"as2org", "infer"};
    args.insert(args.end(), d.files.begin(), d.files.end());
    const std::string out = d.dir.file("out.txt");
    args.insert(args.end(), {"-o", out, "--explain", "AS64500", "-q"});
    auto r = dg(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("AS64499: AS64500 (APNIC) -[aut.admin_c]-> contact 'exc1-ap' "
                         "<-[aut.admin_c]- AS64499 (APNIC)"),
              std::string::npos)
        << r.out;

    test::write_file(d.dir.file("truth.txt"), "# Example Carrier\n64499 64500 64501\n"
                                              "# Example Backbone\n64496 64497\n");
    auto v = dg({"as2org", "validate", "-f", out, "--truth", d.dir.file("truth.txt"), "--json"});
    ASSERT_EQ(v.exit_code, 0) << v.err;
    const auto j = nlohmann::json::parse(v.out);
    EXPECT_EQ(j["truth"]["pairs"], 4);
    EXPECT_EQ(j["truth"]["tp"], 2);
    EXPECT_EQ(j["truth"]["rows"][0]["families"], 2);
    auto a = dg({"as2org", "validate", "-f", out, "--against", out});
    ASSERT_EQ(a.exit_code, 0) << a.err;
    EXPECT_NE(a.out.find("precision 1.0000, recall 1.0000"), std::string::npos) << a.out;
}

TEST(As2orgInferCli, BrokenInput) {
    const test::TempDir dir;
    test::write_file(dir.file("bad.db"), "aut-num: AS64496\nsource: RIPE\n\nno colon here\n\n");
    auto r = dg({"as2org", "infer", dir.file("bad.db"), "-o", dir.file("o.txt")});
    EXPECT_EQ(r.exit_code, 3) << r.err; // done, but an object was skipped
    EXPECT_NE(r.err.find(dir.file("bad.db") + ":4: line without ':'"), std::string::npos) << r.err;

    std::string garbage(4096, '\x07');
    test::write_file(dir.file("garbage.db"), garbage);
    auto g = dg({"as2org", "infer", dir.file("garbage.db"), "-o", dir.file("o.txt")});
    EXPECT_EQ(g.exit_code, 1) << g.err;
    EXPECT_NE(g.err.find("no aut-num"), std::string::npos) << g.err;

    test::write_file(dir.file("trunc.gz"), std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00", 8));
    auto t = dg({"as2org", "infer", dir.file("trunc.gz"), "-o", dir.file("o.txt")});
    EXPECT_EQ(t.exit_code, 1) << t.err;
    EXPECT_NE(t.err.find(dir.file("trunc.gz") + ":1 @ offset 0: reading stopped: gzip stream "
                                                "truncated"),
              std::string::npos)
        << t.err;

    auto u = dg({"as2org", "infer", dir.file("bad.db"), "-o", dir.file("o.txt"), "--fields", "x"});
    EXPECT_EQ(u.exit_code, 2);
    EXPECT_NE(u.err.find("unknown field 'x'"), std::string::npos) << u.err;
}

TEST(As2orgInferCli, SharedRipeFiles) {
    DG_SHARED_OR_SKIP(autnum, "as2org/ripe-2023-12/ripe-nonauth.db.aut-num.gz");
    DG_SHARED_OR_SKIP(blocks, "as2org/ripe-2023-12/ripe.db.as-block.gz");
    const test::TempDir dir;
    auto r = dg({"as2org", "infer", autnum, blocks, "-o", dir.file("o.txt"), "--explain", "3549"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("2109 ASes"), std::string::npos) << r.err;
    EXPECT_NE(r.out.find("AS3549"), std::string::npos) << r.out;
}

} // namespace
} // namespace dg
