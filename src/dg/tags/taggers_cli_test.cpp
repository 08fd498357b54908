// domaingraph tags run / tags stats end to end through the binary (SQLite); scans are written
// through the Store API.
#include "dg/store/store.hpp"
#include "tests/support/support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace dg::tags {
namespace {

using nlohmann::json;
using test::run_command;

model::DomainResult result(const char* domain, const char* ip, std::uint32_t asn, const char* org,
                           const char* ns_host) {
    model::DomainResult r;
    r.domain = domain;
    r.status = "NOERROR";
    model::IpMapping m;
    m.ip = *IpAddress::parse(ip);
    m.asn = Asn(asn);
    m.org = org;
    r.a.push_back(m);
    model::NsRecord ns;
    ns.host = ns_host;
    ns.ips.push_back(m);
    r.ns.push_back(ns);
    return r;
}

class TaggersCli : public ::testing::Test {
protected:
    void SetUp() override {
        auto s = store::Store::open(db_);
        ASSERT_TRUE(s) << s.error().to_string();
        scan_ids_.push_back(
            add_scan(**s, 1600000000,
                     {result("coffeeshop.at", "192.0.2.1", 64500, "Org A", "ns1.cloudflare.com"),
                      result("bank.co.at", "192.0.2.2", 64500, "Org A", "ns.example.co.uk")}));
        scan_ids_.push_back(
            add_scan(**s, 1600086400,
                     {result("coffeeshop.at", "203.0.113.1", 64501, "Org B", "ns1.cloudflare.com"),
                      result("bank.co.at", "192.0.2.2", 64500, "Org A", "ns.example.co.uk")}));
    }

    static std::int64_t add_scan(store::Store& s, model::UnixTime at,
                                 const std::vector<model::DomainResult>& results) {
        store::NewScan ns;
        ns.started_at = at;
        auto scan = s.create_scan(ns);
        EXPECT_TRUE(scan);
        EXPECT_TRUE(s.write_results(scan->id, results));
        return scan->id;
    }

    test::CommandResult dg(std::vector<std::string> args) {
        args.insert(args.begin(), test::dg_binary());
        args.emplace_back("--db");
        args.push_back(db_);
        return run_command(args, "");
    }
    std::string scan(std::size_t i) const { return std::to_string(scan_ids_.at(i)); }

    test::TempDir tmp_;
    std::string db_ = "sqlite://" + tmp_.file("t.db");
    std::vector<std::int64_t> scan_ids_;
};

TEST_F(TaggersCli, RunOnTwoScansAndShow) {
    auto r1 = dg({"tags", "run", "asn", "--scan", scan(0)});
    ASSERT_EQ(r1.exit_code, 0) << r1.err;
    EXPECT_NE(r1.err.find("created taxonomy 'domaingraph-asn'"), std::string::npos) << r1.err;
    EXPECT_NE(r1.err.find("2 domains: 2 applied (2 tags opened"), std::string::npos) << r1.err;
    auto r2 = dg({"tags", "run", "asn", "--scan", scan(1)});
    ASSERT_EQ(r2.exit_code, 0) << r2.err;
    EXPECT_NE(r2.err.find("(1 tags opened, 1 extended, 1 ended)"), std::string::npos) << r2.err;
    auto show = dg({"tags", "show", "coffeeshop.at", "--history"});
    ASSERT_EQ(show.exit_code, 0) << show.err;
    EXPECT_NE(show.out.find("domaingraph-asn\tAS64500\t-\tdomain\t2020-09-13T12:26:40+00:00\t"
                            "2020-09-14T12:26:40+00:00"),
              std::string::npos)
        << show.out;
    EXPECT_NE(show.out.find("domaingraph-asn\tAS64501\t-\tdomain\t2020-09-14T12:26:40+00:00\topen"),
              std::string::npos)
        << show.out;
    auto again = dg({"tags", "run", "asn", "--scan", scan(1)});
    EXPECT_NE(again.err.find("2 stale"), std::string::npos) << again.err;
}

TEST_F(TaggersCli, RegexWordsNsProviderAndStats) {
    const std::string words = tmp_.file("words.txt");
    test::write_file(words, "# dictionary\ncoffee\nshop\nbank\n");
    const std::string patterns = tmp_.file("re.txt");
    test::write_file(patterns, "# name=pattern\nfinance=bank|pay\n");
    auto re = dg({"tags", "run", "regex", "--scan", scan(0), "--regex", "shop=shop", "--regex-file",
                  patterns});
    ASSERT_EQ(re.exit_code, 0) << re.err;
    auto w = dg({"tags", "run", "words", "--scan", scan(0), "--dictionary", words});
    ASSERT_EQ(w.exit_code, 0) << w.err;
    auto ns = dg({"tags", "run", "ns-provider", "--scan", scan(0)});
    ASSERT_EQ(ns.exit_code, 0) << ns.err;
    auto show = dg({"tags", "show", "bank.co.at"});
    EXPECT_NE(show.out.find("domaingraph-regex\tfinance\t-"), std::string::npos) << show.out;
    EXPECT_NE(show.out.find("domaingraph-words\tcontains-word\tbank"), std::string::npos)
        << show.out;
    EXPECT_NE(show.out.find("domaingraph-ns-provider\texample.co.uk\t-"), std::string::npos)
        << show.out;

    auto st = dg({"tags", "stats", "domaingraph-regex", "--scan", scan(0), "--json"});
    ASSERT_EQ(st.exit_code, 0) << st.err;
    const json j = json::parse(st.out);
    ASSERT_EQ(j["tags"].size(), 2U);
    EXPECT_EQ(j["tags"][0]["asns"][0]["asn"], 64500);
    auto text = dg({"tags", "stats", "domaingraph-ns-provider", "--scan", scan(0)});
    ASSERT_EQ(text.exit_code, 0) << text.err;
    EXPECT_NE(text.out.find("cloudflare.com\t1 tagged\t1 in scan\t1 routed\n  AS64500\t1\t100.0%"
                            "\tOrg A\n"),
              std::string::npos)
        << text.out;

    EXPECT_EQ(dg({"tags", "run", "regex", "--scan", scan(0)}).exit_code, 2);
    EXPECT_EQ(dg({"tags", "run", "regex", "--scan", scan(0), "--regex", "x=("}).exit_code, 2);
    EXPECT_EQ(dg({"tags", "run", "nope", "--scan", scan(0)}).exit_code, 2);
    EXPECT_EQ(dg({"tags", "run", "asn", "--scan", "999"}).exit_code, 1);
    EXPECT_EQ(dg({"tags", "stats", "nope", "--scan", scan(0)}).exit_code, 1);
}

} // namespace
} // namespace dg::tags
