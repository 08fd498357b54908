// domaingraph hostnames decode|learn|stats|topology|dict end to end through the binary.
#include "tests/support/support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace dg::hostnames {
namespace {

using nlohmann::json;

test::CommandResult dg(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), test::dg_binary());
    return test::run_command(args, input);
}

TEST(HostnamesCli, DecodeLinesAndRefusedNames) {
    auto r =
        dg({"hostnames", "decode"}, "# comment\n192.0.2.1\tae-1-3502.edge4.frankfurt1.example.net\n"
                                    "a..b.example.net\nbe2122.ccr41.ams03.atlas.example.com\n");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto lines = test::split_lines(r.out);
    ASSERT_EQ(lines.size(), 3U) << r.out;
    const auto a = json::parse(lines[0]);
    EXPECT_EQ(a["ip"], "192.0.2.1");
    EXPECT_EQ(a["location"]["country"], "DE");
    EXPECT_EQ(a["interface"]["type"], "aggregated-ethernet");
    const auto b = json::parse(lines[1]);
    EXPECT_EQ(b["error"], "empty label at offset 2");
    EXPECT_NE(r.err.find("stdin:3: empty label at offset 2"), std::string::npos) << r.err;
    EXPECT_EQ(json::parse(lines[2])["location"]["country"], "NL");
    auto g =
        dg({"hostnames", "decode", "--method", "ginie"}, "s11-0-3-0.london2-cr2.bbnplanet.net\n");
    ASSERT_EQ(g.exit_code, 0) << g.err;
    EXPECT_EQ(json::parse(g.out)["location"]["city"], "London");
    EXPECT_EQ(dg({"hostnames", "decode", "--dict", "/nonexistent"}, "x.example.net\n").exit_code,
              1);
}

TEST(HostnamesCli, LearnThenDecodeWithRules) {
    test::TempDir tmp;
    test::write_file(tmp.file("names"),
                     "acme-ic-1-prag-b1.c.example.net\nfoo-ic-2-ams-b2.c.example.net\n"
                     "bar-ic-3-mad-b1.c.example.net\nbaz-ic-4-prag-b3.c.example.net\n"
                     "qux-ic-5-lhr-b1.c.example.net\nzed-ic-6-ldn-b1.c.example.net\n"
                     "abc-ic-8-sto-b2.c.example.net\n");
    auto l = dg({"hostnames", "learn", tmp.file("names"), "-o", tmp.file("rules"), "--regex",
                 tmp.file("regex")});
    ASSERT_EQ(l.exit_code, 0) << l.err;
    EXPECT_NE(test::read_file(tmp.file("rules")).find("code\texample.net\tprag\t"),
              std::string::npos);
    EXPECT_NE(test::read_file(tmp.file("regex")).find("example.net: ^"), std::string::npos);
    auto d = dg({"hostnames", "decode", "--rules", tmp.file("rules")},
                "tata-ic-9-prag-b1.c.example.net\n");
    ASSERT_EQ(d.exit_code, 0) << d.err;
    const auto j = json::parse(d.out);
    EXPECT_EQ(j["location"]["source"], "operator_code");
    EXPECT_EQ(j["location"]["country"], "CZ");
}

TEST(HostnamesCli, StatsAndTopology) {
    test::TempDir tmp;
    test::write_file(tmp.file("pairs"), "192.0.2.0\txe-0-0-0.cr1.fra1.example.net\n"
                                        "192.0.2.1\txe-0-0-1.cr2.ams1.example.net\n"
                                        "192.0.2.5\txe-1-0-0.cr1.fra2.example.net\n"
                                        "192.0.2.6\txe-1-0-1.cr2.ams2.example.net\n");
    auto s = dg({"hostnames", "stats", tmp.file("pairs"), "--format", "json"});
    ASSERT_EQ(s.exit_code, 0) << s.err;
    const auto j = json::parse(s.out);
    EXPECT_EQ(j["names"], 4);
    EXPECT_EQ(j["components"][0]["component"], "interface");
    EXPECT_EQ(j["components"][0]["names"], 4);
    EXPECT_EQ(j["domains"][0]["prefixes"], 1);
    auto t = dg({"hostnames", "topology", tmp.file("pairs"), "-o", tmp.file("t.json")});
    ASSERT_EQ(t.exit_code, 0) << t.err;
    const auto g = json::parse(test::read_file(tmp.file("t.json")));
    ASSERT_EQ(g["edges"].size(), 1U);
    EXPECT_EQ(g["edges"][0]["links"], 2);
    auto only31 = dg(
        {"hostnames", "topology", tmp.file("pairs"), "--pairs", "31", "-o", tmp.file("t31.json")});
    ASSERT_EQ(only31.exit_code, 0) << only31.err;
    EXPECT_EQ(json::parse(test::read_file(tmp.file("t31.json")))["edges"][0]["links"], 1);
    // the HTML map: inline SVG on the embedded land outlines, the link table; nothing remote
    auto html = dg({"hostnames", "topology", tmp.file("pairs"), "-o", tmp.file("t.html")});
    ASSERT_EQ(html.exit_code, 0) << html.err;
    const std::string page = test::read_file(tmp.file("t.html"));
    EXPECT_NE(page.find("<svg"), std::string::npos);
    EXPECT_NE(page.find("<path fill="), std::string::npos) << "no land outlines embedded";
    EXPECT_NE(page.find("<line "), std::string::npos);
    EXPECT_EQ(page.find("http://"), page.find("http://www.w3.org/2000/svg"));
    EXPECT_EQ(page.find("https://"), std::string::npos);
    auto info = dg({"hostnames", "dict", "info"});
    ASSERT_EQ(info.exit_code, 0) << info.err;
    EXPECT_NE(info.out.find("places "), std::string::npos);
}

// stats --mmdb: each located name against where MaxMind's City test database puts its address
// (81.2.69.142 London, 2.125.160.216 Boxford GB; 192.0.2.1 is not in it).
TEST(HostnamesCli, StatsValidatesLocationsAgainstACityDatabase) {
    DG_SHARED_OR_SKIP(city, "geo/GeoIP2-City-Test.mmdb");
    DG_SHARED_OR_SKIP(asn_db, "geo/GeoLite2-ASN-Test.mmdb");
    const test::TempDir tmp;
    test::write_file(tmp.file("names"), "81.2.69.142\tae-1-0.cr1.london1.example.net\n"
                                        "2.125.160.216\tae-1-0.cr1.paris1.example.net\n"
                                        "192.0.2.1\tae-1-0.cr1.frankfurt1.example.net\n"
                                        "ae-2-0.cr1.london1.example.net\n");
    auto s = dg({"hostnames", "stats", tmp.file("names"), "--mmdb", city, "--format", "json"});
    ASSERT_EQ(s.exit_code, 0) << s.err;
    const auto g = json::parse(s.out)["geo_validation"];
    EXPECT_EQ(g["located"], 4);
    EXPECT_EQ(g["match"], 1);
    EXPECT_EQ(g["mismatch"], 1);
    EXPECT_EQ(g["no_data"], 1);
    EXPECT_EQ(g["no_address"], 1);
    ASSERT_EQ(g["worst"].size(), 1U);
    EXPECT_EQ(g["worst"][0]["decoded"], "Paris, FR");
    EXPECT_GT(g["worst"][0]["km"].get<double>(), 300);
    auto text = dg({"hostnames", "stats", tmp.file("names"), "--mmdb", city});
    ASSERT_EQ(text.exit_code, 0) << text.err;
    EXPECT_NE(text.out.find("match 1, mismatch 1, no data 1"), std::string::npos) << text.out;
    // an ASN database is not a City database: said, exit 1
    auto wrong = dg({"hostnames", "stats", tmp.file("names"), "--mmdb", asn_db});
    EXPECT_EQ(wrong.exit_code, 1);
    EXPECT_NE(wrong.err.find("a MaxMind City database is needed"), std::string::npos) << wrong.err;
}

// decode --rtt/--vps: a vantage point that reached a router in 3 ms rules out Sydney for a router
// 16,000 km away (sc_hoiho's formats: routers file with node ids, N<node> VP ms, vp NAME lat lng).
TEST(HostnamesCli, DecodeDropsLocationsThatRttsRuleOut) {
    const test::TempDir tmp;
    test::write_file(tmp.file("routers"),
                     "# node2id: 1\n192.0.2.1\tae-1-0.cr1.frankfurt1.example.net\n"
                     "\n# node2id: 2\n192.0.2.2\tae-1-0.cr1.sydney1.example.net\n");
    test::write_file(tmp.file("rtts"), "# synthetic\nN1 vp-fra 2\nN2 vp-fra 3\nN2 vp-fra 9\n");
    test::write_file(tmp.file("vps"),
                     "iata FRA 50.03 8.57 DE \"Frankfurt\"\nvp vp-fra 50.03 8.57\n");
    auto r = dg({"hostnames", "decode", tmp.file("routers"), "--rtt", tmp.file("rtts"), "--vps",
                 tmp.file("vps")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto lines = test::split_lines(r.out);
    ASSERT_EQ(lines.size(), 2U);
    const auto fra = json::parse(lines[0]);
    EXPECT_EQ(fra["location"]["country"], "DE");
    EXPECT_EQ(fra["location_ruled_out"], nullptr);
    const auto syd = json::parse(lines[1]);
    EXPECT_EQ(syd["location"], nullptr);
    EXPECT_NE(
        syd["location_ruled_out"].get<std::string>().find("from vp-fra, which reached it in 3 ms"),
        std::string::npos)
        << syd.dump();
    EXPECT_NE(r.err.find("1 locations ruled out by RTTs"), std::string::npos) << r.err;
    // a VP without a location: file:line
    test::write_file(tmp.file("bad"), "N1 vp-xxx 2\n");
    auto bad = dg({"hostnames", "decode", tmp.file("routers"), "--rtt", tmp.file("bad"), "--vps",
                   tmp.file("vps")});
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_NE(bad.err.find(tmp.file("bad") + ":1: vantage point 'vp-xxx' has no location"),
              std::string::npos)
        << bad.err;
    EXPECT_EQ(dg({"hostnames", "decode", tmp.file("routers"), "--rtt", tmp.file("rtts")}).exit_code,
              2);
}

} // namespace
} // namespace dg::hostnames
