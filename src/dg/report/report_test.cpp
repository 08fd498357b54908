// The report's data and escaping, and the page rendered by headless Chromium (its script marks
// the DOM once every chart has drawn on its canvas).
#include "dg/ptr/sweep_store.hpp"
#include "dg/report/internal/chart_library.hpp"
#include "dg/report/report.hpp"
#include "tests/support/support.hpp"

#include <cstdlib>
#include <gtest/gtest.h>
#include <set>

namespace dg::report {
namespace {

using model::DomainResult;
using model::IpMapping;

const std::string kHostileDomain = "x</script><img src=x onerror=alert(1)>.test";
const std::string kHostileOrg = "Evil</script><script>document.title='pwned'</script> & Co";

IpMapping map(const std::string& ip, const std::string& prefix, std::uint32_t asn,
              std::optional<std::string> org = {}) {
    IpMapping m;
    m.ip = *IpAddress::parse(ip);
    m.prefix = *Prefix::parse(prefix);
    m.asn = Asn(asn);
    m.origins = {Asn(asn)};
    m.org = std::move(org);
    return m;
}

DomainResult domain(const std::string& name, IpMapping a, IpMapping ns_ip) {
    DomainResult r;
    r.domain = name;
    r.status = "NOERROR";
    r.a = {std::move(a)};
    r.ns = {{"ns1." + name, {}, {ns_ip}}, {"ns2." + name, {}, {ns_ip}}};
    return r;
}

/// Two complete scans a day apart: five domains over four ASes (one with a hostile name, one AS
/// with a hostile organisation), every domain's name servers behind one address; in the second
/// scan b.test moves from AS64501 to AS64502 and e.test, NXDOMAIN before, resolves. Both scans
/// hold the same names: a report compares only scans of the same input.
std::string two_scans(const test::TempDir& dir) {
    const std::string url = "sqlite:///" + dir.file("r.db");
    auto store = store::Store::open(url);
    EXPECT_TRUE(store);
    std::vector<DomainResult> rs = {
        domain("a.test", map("192.0.2.1", "192.0.2.0/24", 64500, "Example Net"),
               map("192.0.2.53", "192.0.2.0/24", 64500, "Example Net")),
        domain("b.test", map("198.51.100.1", "198.51.100.0/24", 64501, kHostileOrg),
               map("192.0.2.53", "192.0.2.0/24", 64500, "Example Net")),
        domain("c.test", map("203.0.113.1", "203.0.113.0/24", 64502, "Third Org"),
               map("203.0.113.53", "203.0.113.0/24", 64502, "Third Org")),
        domain(kHostileDomain, map("192.0.2.2", "192.0.2.0/24", 64500, "Example Net"),
               map("198.51.100.53", "198.51.100.0/24", 64501, kHostileOrg)),
    };
    DomainResult e;
    e.domain = "e.test";
    e.status = "NXDOMAIN";
    rs.push_back(e);
    for (int i = 0; i < 2; ++i) {
        store::NewScan ns;
        ns.started_at = 1'800'000'000 + i * 86400;
        ns.notes = "scan " + std::to_string(i) + " </script><b>bold</b>";
        auto scan = (*store)->create_scan(ns);
        EXPECT_TRUE(scan);
        if (i == 1) {
            rs[1].a = {map("203.0.113.9", "203.0.113.0/24", 64502, "Third Org")};
            rs.back() = domain("e.test", map("192.0.2.7", "192.0.2.0/24", 64503, "Fourth"),
                               map("192.0.2.53", "192.0.2.0/24", 64500, "Example Net"));
        }
        EXPECT_TRUE((*store)->write_results(scan->id, rs));
        EXPECT_TRUE((*store)->set_scan_status(scan->id, model::ScanStatus::Complete));
    }
    return url;
}

TEST(ScriptSafeJson, EscapesWhatEndsAScriptAndRoundTrips) {
    nlohmann::ordered_json j = {{"d", kHostileDomain},
                                {"o", kHostileOrg},
                                {"u", "line\xE2\x80\xA8sep \xC3\xA9"},
                                {"bad", "\xFF\xFE"}};
    const std::string s = script_safe_json(j);
    EXPECT_EQ(s.find('<'), std::string::npos);
    EXPECT_EQ(s.find('>'), std::string::npos);
    EXPECT_EQ(s.find('&'), std::string::npos);
    EXPECT_NE(s.find("\\u003c/script\\u003e"), std::string::npos);
    EXPECT_NE(s.find("\\u2028"), std::string::npos);
    for (char c : s) {
        EXPECT_LT(static_cast<unsigned char>(c), 0x80u);
    }
    auto back = nlohmann::ordered_json::parse(s);
    EXPECT_EQ(back["d"], kHostileDomain);
    EXPECT_EQ(back["o"], kHostileOrg);
    EXPECT_EQ(back["bad"], "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(Collect, StatsTrendsAndDiffOfTwoScans) {
    test::TempDir dir;
    const auto url = two_scans(dir);
    auto store = store::Store::open(url);
    auto reader = store::Store::open(url);
    ASSERT_TRUE(store && reader);
    ReportOptions o;
    o.generated_at = 1'800'200'000;
    auto first = collect(**store, **reader, 1, o);
    ASSERT_TRUE(first) << first.error().to_string();
    EXPECT_TRUE((*first)["diff"].is_null());
    EXPECT_EQ((*first)["trends"]["points"].size(), 1u);

    auto d = collect(**store, **reader, 2, o);
    ASSERT_TRUE(d) << d.error().to_string();
    EXPECT_EQ((*d)["generated_at"], "2027-01-17T15:33:20Z");
    EXPECT_EQ((*d)["scan"]["id"], 2);
    EXPECT_EQ((*d)["stats"]["total_domains"], 5);
    EXPECT_EQ((*d)["stats"]["top_asns"][0]["asn"], 64500);
    EXPECT_EQ((*d)["stats"]["single_points_of_failure"]["count"], 5);
    // issue 12 item 19: coverage, with organisations (every address has one here)
    EXPECT_EQ((*d)["coverage"]["routed_pct"], 100.0);
    EXPECT_EQ((*d)["coverage"]["with_org_pct"], 100.0);
    EXPECT_EQ((*d)["coverage"]["orgs_given"], true);
    EXPECT_TRUE((*d)["coverage"]["warnings"].empty());
    const auto& t = (*d)["trends"];
    ASSERT_EQ(t["points"].size(), 2u);
    EXPECT_EQ(t["points"][0]["scan_id"], 1);
    EXPECT_EQ(t["asns"][0]["asn"], 64500);
    const auto& diff = (*d)["diff"];
    ASSERT_FALSE(diff.is_null());
    EXPECT_EQ(diff["previous_scan"]["id"], 1);
    EXPECT_EQ(diff["previous_scan_is"], "the newest earlier complete scan of the same 5 names");
    EXPECT_EQ(diff["summary"]["domains_only_in_b"], 0);
    EXPECT_EQ(diff["summary"]["by_type"]["status_changed"], 1);
    EXPECT_EQ(diff["summary"]["domains_changed"], 2); // b.test moved, e.test resolves
    EXPECT_EQ(diff["summary"]["by_type"]["a_removed"], 1);
    EXPECT_EQ(diff["summary"]["by_type"]["a_added"], 1);
    EXPECT_GE(diff["changes"].size(), 3u);

    o.max_changes = 1;
    o.max_spofs = 2;
    d = collect(**store, **reader, 2, o);
    ASSERT_TRUE(d);
    EXPECT_EQ((*d)["diff"]["changes"].size(), 1u);
    EXPECT_EQ((*d)["stats"]["single_points_of_failure"]["domains"].size(), 2u);
    EXPECT_EQ((*d)["stats"]["single_points_of_failure"]["count"], 5);

    EXPECT_FALSE(collect(**store, **reader, 9, o));
}

/// Issue 12 item 17: the report's changes and trends use scans of the same input only. Scan 3
/// is of another list (it has no previous scan); scan 4 repeats the list of scans 1 and 2 and
/// is compared with scan 2, its trends following 1, 2 and 4.
TEST(Collect, ChangesAndTrendsOnlyAgainstScansOfTheSameInput) {
    test::TempDir dir;
    const auto url = two_scans(dir);
    auto store = store::Store::open(url);
    auto reader = store::Store::open(url);
    ASSERT_TRUE(store && reader);
    auto first = (*store)->results_vector(2, {});
    ASSERT_TRUE(first);
    std::vector<DomainResult> same;
    for (const auto& r : *first) {
        same.push_back(r.result);
    }
    std::vector<DomainResult> other;
    for (int i = 0; i < 5; ++i) { // as many names as the list, so only the hash tells them apart
        other.push_back(domain("other" + std::to_string(i) + ".test",
                               map("192.0.2.1", "192.0.2.0/24", 64500),
                               map("192.0.2.53", "192.0.2.0/24", 64500)));
    }
    for (const auto* list : {&other, &same}) {
        store::NewScan ns;
        ns.started_at = 1'800'200'000;
        auto scan = (*store)->create_scan(ns);
        ASSERT_TRUE(scan);
        ASSERT_TRUE((*store)->write_results(scan->id, *list));
        ASSERT_TRUE((*store)->set_scan_status(scan->id, model::ScanStatus::Complete));
    }
    ReportOptions o;
    o.generated_at = 1'800'300'000;
    auto third = collect(**store, **reader, 3, o);
    ASSERT_TRUE(third) << third.error().to_string();
    EXPECT_TRUE((*third)["diff"].is_null());
    EXPECT_EQ((*third)["trends"]["points"].size(), 1u);
    auto fourth = collect(**store, **reader, 4, o);
    ASSERT_TRUE(fourth) << fourth.error().to_string();
    EXPECT_EQ((*fourth)["diff"]["previous_scan"]["id"], 2);
    EXPECT_EQ((*fourth)["diff"]["summary"]["changes"], 0);
    const auto& points = (*fourth)["trends"]["points"];
    ASSERT_EQ(points.size(), 3u);
    EXPECT_EQ(points[0]["scan_id"], 1);
    EXPECT_EQ(points[1]["scan_id"], 2);
    EXPECT_EQ(points[2]["scan_id"], 4);
    EXPECT_EQ((*fourth)["trends"]["scans_are"], "complete scans of the same 5 names as scan 4");
}

TEST(RenderHtml, OneFileWithTheLibraryAndNoBreakout) {
    if (internal::chart_library().empty()) {
        GTEST_SKIP() << "built without web/report/node_modules (scripts/setup)";
    }
    test::TempDir dir;
    const auto url = two_scans(dir);
    auto store = store::Store::open(url);
    auto reader = store::Store::open(url);
    ASSERT_TRUE(store && reader);
    auto d = collect(**store, **reader, 2, {});
    ASSERT_TRUE(d);
    auto page = render_html(*d);
    ASSERT_TRUE(page);
    EXPECT_NE(page->find("Chart.js v4"), std::string::npos);
    EXPECT_EQ(page->find("<img"), std::string::npos);
    // no reference to anything outside the file, apart from the library's licence banner
    std::string own = *page;
    const std::string& library = internal::chart_library();
    own.erase(own.find(library), library.size());
    EXPECT_EQ(own.find("http:"), std::string::npos);
    EXPECT_EQ(own.find("https:"), std::string::npos);
    EXPECT_EQ(own.find("<script src"), std::string::npos);
    EXPECT_EQ(own.find("<link"), std::string::npos);
    if (const char* keep = std::getenv("DG_REPORT_HTML"); keep != nullptr) {
        test::write_file(keep, *page); // for a look in a browser
    }
    // exactly the three script elements the page has: data, library, page script
    std::size_t n = 0;
    for (auto at = page->find("</script>"); at != std::string::npos;
         at = page->find("</script>", at + 1)) {
        ++n;
    }
    EXPECT_EQ(n, 3u);
}

/// The binary writes the report; Chromium loads it, runs its script and dumps the DOM.
TEST(ReportInChromium, EveryChartDraws) {
    DG_TOOL_OR_SKIP("chromium");
    if (internal::chart_library().empty()) {
        GTEST_SKIP() << "built without web/report/node_modules (scripts/setup)";
    }
    test::TempDir dir;
    const auto url = two_scans(dir);
    const std::string html = dir.file("report.html");
    auto r = test::run_command({test::dg_binary(), "report", "latest", "-o", html, "--db", url});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::vector<std::string> chrome = {"chromium",
                                             "--headless",
                                             "--disable-gpu",
                                             "--no-sandbox",
                                             "--no-first-run",
                                             "--user-data-dir=" + dir.file("profile"),
                                             "--window-size=1280,2600",
                                             "--virtual-time-budget=10000"};
    auto args = chrome;
    args.push_back("--dump-dom");
    args.push_back("file://" + html);
    auto dom = test::run_command(args);
    ASSERT_EQ(dom.exit_code, 0) << dom.err;
    // diversity, ASes, organisations, trends, diff
    EXPECT_NE(dom.out.find("data-charts-rendered=\"5\""), std::string::npos) << dom.out;
    EXPECT_NE(dom.out.find("chart-diversity chart-asns chart-orgs chart-trends chart-diff"),
              std::string::npos);
    // hostile strings are text, not markup: no <img>, no injected script, title untouched
    EXPECT_EQ(dom.out.find("<img"), std::string::npos);
    // The organisation name is shown as text and carried, script-safe, in the data element;
    // what must never appear is the markup it tries to inject.
    EXPECT_EQ(dom.out.find("<script>document.title"), std::string::npos);
    EXPECT_EQ(dom.out.find("<b>bold"), std::string::npos);
    EXPECT_NE(dom.out.find("x&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;.test"),
              std::string::npos);
    EXPECT_NE(dom.out.find("<title>domaingraph report</title>"), std::string::npos);

    // A screenshot to look at: kept where DG_REPORT_SCREENSHOT says, else in the TempDir.
    const char* keep = std::getenv("DG_REPORT_SCREENSHOT");
    const std::string png = keep != nullptr ? std::string(keep) : dir.file("report.png");
    args = chrome;
    args.push_back("--screenshot=" + png);
    args.push_back("file://" + html);
    auto shot = test::run_command(args);
    ASSERT_EQ(shot.exit_code, 0) << shot.err;
    const std::string bytes = test::read_file(png);
    ASSERT_GT(bytes.size(), 10'000u);
    EXPECT_EQ(bytes.substr(1, 3), "PNG");
}

/// A stored PTR sweep of three router links in the rig's shapes: two /31s between Frankfurt and
/// Amsterdam (Level3, Cogent) and one /31 whose far end has no place (left out).
std::int64_t store_sweep(const std::string& url) {
    auto store = store::Store::open(url);
    EXPECT_TRUE(store);
    auto sweeps = ptr::SweepStore::of(**store);
    EXPECT_TRUE(sweeps);
    ptr::NewSweep ns;
    ns.addresses_total = 6;
    ns.source = "prefixes links.txt";
    auto sweep = sweeps->create(ns);
    EXPECT_TRUE(sweep);
    auto result = [](const std::string& ip, const std::string& name) {
        ptr::PtrResult r;
        r.ip = *IpAddress::parse(ip);
        r.status = dns::Status::NoError;
        r.names = {name};
        return r;
    };
    const std::vector<ptr::PtrResult> batch = {
        result("198.19.1.0", "ae-1-3.edge4.frankfurt1.level3.net"),
        result("198.19.1.1", "ae-2-7.edge2.amsterdam1.level3.net"),
        result("198.19.1.8", "be2122.ccr41.fra03.atlas.cogentco.com"),
        result("198.19.1.9", "be2123.ccr42.ams03.atlas.cogentco.com"),
        result("198.19.1.16", "xe-0-0-0.cr1.fra1.example.net"),
        result("198.19.1.17", "ge-1-0-0.cust7.example.net"),
    };
    EXPECT_TRUE(sweeps->write(sweep->id, batch));
    EXPECT_TRUE(sweeps->finish(sweep->id, "complete", 1'800'000'100, ""));
    return sweep->id;
}

TEST(CollectHostnames, StatsTopologyAndMapOfTheNewestSweep) {
    auto dict = hostnames::Dictionary::find("");
    if (!dict) {
        GTEST_SKIP() << dict.error().to_string();
    }
    test::TempDir dir;
    const auto url = two_scans(dir);
    const auto id = store_sweep(url);
    auto store = store::Store::open(url);
    ASSERT_TRUE(store);
    auto section = collect_hostnames(**store, 0, *dict); // 0: the newest
    ASSERT_TRUE(section) << section.error().to_string();
    const auto& h = *section;
    EXPECT_EQ(h["sweep"]["id"], id);
    EXPECT_EQ(h["sweep"]["names"], 6);
    EXPECT_EQ(h["stats"]["names"], 6);
    EXPECT_FALSE(h["stats"]["items_cdf"].empty());
    const auto& t = h["topology"];
    // Level3 names Frankfurt by city (GeoNames "Frankfurt am Main"), Cogent by IATA code (FRA,
    // whose city is "Frankfurt"): two nodes, one link each
    ASSERT_EQ(t["edges"].size(), 2u) << t.dump();
    std::set<std::string> operators;
    for (const auto& e : t["edges"]) {
        EXPECT_EQ(e["links"], 1);
        EXPECT_EQ(e["source"], "Amsterdam|NL");
        operators.insert(e["operators"][0].get<std::string>());
    }
    EXPECT_EQ(operators, (std::set<std::string>{"cogentco.com", "level3.net"}));
    EXPECT_EQ(t["left_out_low_confidence"], 1);
    const std::string svg = h["map_svg"].get<std::string>();
    EXPECT_EQ(svg.rfind("<svg", 0), 0u);
    EXPECT_NE(svg.find("<line"), std::string::npos);
    EXPECT_NE(svg.find(">Frankfurt<"), std::string::npos) << svg.substr(0, 300);
    auto missing = collect_hostnames(**store, id + 5, *dict);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
}

TEST(ReportInChromium, RouterHostnameSectionDrawsItsChartAndMap) {
    DG_TOOL_OR_SKIP("chromium");
    if (internal::chart_library().empty()) {
        GTEST_SKIP() << "built without web/report/node_modules (scripts/setup)";
    }
    test::TempDir dir;
    const auto url = two_scans(dir);
    store_sweep(url);
    const std::string html = dir.file("report.html");
    auto r = test::run_command(
        {test::dg_binary(), "report", "latest", "--sweep", "latest", "-o", html, "--db", url});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto bad = test::run_command(
        {test::dg_binary(), "report", "latest", "--sweep", "x1", "-o", html, "--db", url});
    EXPECT_NE(bad.exit_code, 0);
    EXPECT_NE(bad.err.find("--sweep takes a sweep id or 'latest'"), std::string::npos) << bad.err;
    auto dom = test::run_command({"chromium", "--headless", "--disable-gpu", "--no-sandbox",
                                  "--no-first-run", "--user-data-dir=" + dir.file("profile"),
                                  "--window-size=1280,3200", "--virtual-time-budget=10000",
                                  "--dump-dom", "file://" + html});
    ASSERT_EQ(dom.exit_code, 0) << dom.err;
    EXPECT_NE(dom.out.find("data-charts-rendered=\"6\""), std::string::npos) << dom.out;
    EXPECT_NE(dom.out.find("chart-hn-cdf"), std::string::npos);
    EXPECT_NE(dom.out.find("Router hostnames \u2014 PTR sweep 1"), std::string::npos);
    EXPECT_NE(dom.out.find("src=\"data:image/svg+xml;charset=utf-8,%3Csvg"), std::string::npos);
    EXPECT_NE(dom.out.find("<td>cogentco.com</td>"), std::string::npos);
    EXPECT_NE(dom.out.find("<td>Frankfurt am Main|DE</td>"), std::string::npos);
    // a screenshot to look at, kept where DG_REPORT_HOSTNAMES_SCREENSHOT says
    if (const char* keep = std::getenv("DG_REPORT_HOSTNAMES_SCREENSHOT")) {
        auto shot = test::run_command({"chromium", "--headless", "--disable-gpu", "--no-sandbox",
                                       "--no-first-run", "--user-data-dir=" + dir.file("profile"),
                                       "--window-size=1280,3200", "--virtual-time-budget=10000",
                                       std::string("--screenshot=") + keep, "file://" + html});
        EXPECT_EQ(shot.exit_code, 0) << shot.err;
    }
}

} // namespace
} // namespace dg::report
