// The server over real HTTP: a Server started in this process on a free loopback port against a
// SQLite store in a TempDir, scans against the real DNS rig (knotd + unbound), and the real
// `domaingraph serve` binary for the signal behaviour.
#include "dg/model/json.hpp"
#include "dg/ptr/sweep_store.hpp"
#include "dg/server/plugin.hpp"
#include "dg/server/server.hpp"
#include "dg/store/store.hpp"
#include "dg/watch/alerts.hpp"
#include "dg/watch/watch.hpp"
#include "tests/support/dns_rig.hpp"
#include "tests/support/support.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <httplib.h>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <thread>

extern char** environ;

namespace dg::server {
namespace {

using nlohmann::json;
using test::TempDir;

constexpr const char* kToken = "t0ken-for-tests";

TEST(ConstantTimeEqual, ComparesContentAndLength) {
    EXPECT_TRUE(constant_time_equal("secret", "secret"));
    EXPECT_FALSE(constant_time_equal("secret", "secreT"));
    EXPECT_FALSE(constant_time_equal("secret", "secret2"));
    EXPECT_FALSE(constant_time_equal("", "x"));
    EXPECT_TRUE(constant_time_equal("", ""));
}

/// A CAIDA prefix2as file from tests/harness/rib_hosts.tsv (the rig's addresses are routed).
std::string write_prefix2as(const std::string& dir) {
    std::ifstream in(std::string(DG_SOURCE_DIR) + "/tests/harness/rib_hosts.tsv");
    std::ofstream out(dir + "/table.p2a");
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') {
            continue;
        }
        std::istringstream fields(line);
        std::string prefix;
        std::string asn;
        fields >> prefix >> asn;
        const auto slash = prefix.find('/');
        out << prefix.substr(0, slash) << '\t' << prefix.substr(slash + 1) << '\t' << asn << '\n';
    }
    out << "192.0.2.0\t24\t64496\n";
    return dir + "/table.p2a";
}

/// `ip` routed as a host route originated by `asn` (rows written straight into the store).
model::IpMapping in(const std::string& ip, std::uint32_t asn) {
    model::IpMapping m;
    m.ip = *IpAddress::parse(ip);
    m.prefix = *Prefix::parse(ip + "/32");
    m.asn = Asn(asn);
    m.origins = {Asn(asn)};
    return m;
}

json body_json(const httplib::Result& r) {
    return r ? json::parse(r->body, nullptr, false) : json();
}

/// Whether `r` is the structured error shape with `status`.
::testing::AssertionResult is_error(const httplib::Result& r, int status) {
    if (!r) {
        return ::testing::AssertionFailure() << "no response";
    }
    if (r->status != status) {
        return ::testing::AssertionFailure()
               << "status " << r->status << " != " << status << ": " << r->body;
    }
    const auto j = body_json(r);
    if (!j.is_object() || !j.contains("error") || !j["error"]["code"].is_string() ||
        !j["error"]["message"].is_string()) {
        return ::testing::AssertionFailure() << "not an error object: " << r->body;
    }
    return ::testing::AssertionSuccess();
}

class ServerTest : public ::testing::Test {
protected:
    void start(ServerOptions o = {}) {
        o.host = "127.0.0.1";
        o.port = 0;
        o.db = dir_.path() + "/db.sqlite";
        o.rib = write_prefix2as(dir_.path());
        o.jobs_dir = dir_.path() + "/jobs";
        o.web_dir = web_dir();
        if (o.api_token.empty()) {
            o.api_token = kToken;
        }
        o.threads = 4;
        options_ = o;
        auto s = Server::create(o);
        ASSERT_TRUE(s) << s.error().to_string();
        server_ = std::move(*s);
        thread_ = std::thread([this] { server_->run(); });
        ASSERT_TRUE(server_->wait_ready());
        client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
        client_->set_read_timeout(60, 0);
    }
    void stop() {
        if (server_) {
            server_->stop();
            thread_.join();
            server_.reset();
        }
    }
    void TearDown() override { stop(); }

    std::string web_dir() {
        const std::string web = dir_.path() + "/web";
        std::filesystem::create_directories(web + "/sub");
        test::write_file(web + "/index.html", "<html>dashboard</html>");
        test::write_file(web + "/app.js", "console.log(1);");
        test::write_file(dir_.path() + "/secret.txt", "SECRET");
        return web;
    }

    /// GET /metrics until its body contains every one of `lines` (or 10 s passed). A request is
    /// counted after its response is written, so the answer a client already holds may not be
    /// in the metrics yet (seen under load).
    std::string metrics_with(const std::vector<std::string>& lines) {
        std::string body;
        for (int i = 0; i < 200; ++i) {
            auto m = client_->Get("/metrics");
            if (m && m->status == 200) {
                body = m->body;
                if (std::all_of(lines.begin(), lines.end(), [&](const std::string& line) {
                        return body.find(line) != std::string::npos;
                    })) {
                    return body;
                }
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return body;
    }

    httplib::Headers auth() const { return {{"Authorization", std::string("Bearer ") + kToken}}; }

    httplib::Result post_scan(const json& body) {
        return client_->Post("/api/v1/scans", auth(), body.dump(), "application/json");
    }

    /// Polls the scan until it is no longer running (or 120 s passed).
    json wait_scan(std::int64_t id) {
        json j;
        for (int i = 0; i < 1200; ++i) {
            auto r = client_->Get("/api/v1/scans/" + std::to_string(id));
            j = body_json(r);
            if (j.is_object() && j["status"] != "running" &&
                (j["progress"].is_null() || !j["progress"]["running"].get<bool>())) {
                return j;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return j;
    }

    TempDir dir_;
    ServerOptions options_;
    std::unique_ptr<Server> server_;
    std::thread thread_;
    std::unique_ptr<httplib::Client> client_;
};

TEST_F(ServerTest, HealthReadyMetricsOpenapi) {
    start();
    auto h = client_->Get("/health");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->status, 200);
    EXPECT_EQ(body_json(h), json({{"status", "ok"}}));
    EXPECT_EQ(h->get_header_value("Content-Type"), "application/json");

    auto r = client_->Get("/ready");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(body_json(r)["status"], "ready");
    EXPECT_GT(body_json(r)["rib"]["prefixes"].get<int>(), 100);

    const std::string health_count =
        "domaingraph_http_requests_total{route=\"/health\",method=\"GET\",status=\"200\"} 1";
    const std::string ready_bucket =
        "domaingraph_http_request_duration_seconds_bucket{route=\"/ready\"";
    const std::string metrics = metrics_with({health_count, ready_bucket});
    EXPECT_NE(metrics.find("# TYPE domaingraph_http_requests_total counter"), std::string::npos);
    EXPECT_NE(metrics.find("# TYPE domaingraph_scans_running gauge"), std::string::npos);
    EXPECT_NE(metrics.find(health_count), std::string::npos) << metrics;
    EXPECT_NE(metrics.find(ready_bucket), std::string::npos) << metrics;

    auto o = client_->Get("/api/v1/openapi.json");
    ASSERT_TRUE(o);
    EXPECT_EQ(o->status, 200);
    const auto doc = body_json(o);
    ASSERT_TRUE(doc.is_object());
    EXPECT_TRUE(doc["paths"].contains("/api/v1/scans"));
}

TEST_F(ServerTest, ReadyIsFalseWithoutRib) {
    ServerOptions o;
    o.port = 0;
    o.db = dir_.path() + "/db.sqlite";
    o.jobs_dir = dir_.path() + "/jobs";
    auto s = Server::create(o);
    ASSERT_TRUE(s);
    std::thread t([&] { (*s)->run(); });
    EXPECT_FALSE((*s)->wait_ready());
    httplib::Client c("127.0.0.1", (*s)->port());
    auto r = c.Get("/ready");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 503);
    EXPECT_EQ(body_json(r)["status"], "not_ready");
    EXPECT_TRUE(is_error(c.Get("/api/v1/ip/192.0.2.1"), 503));
    (*s)->stop();
    t.join();
}

// Issue 12 item 3: cpp-httplib's default SO_REUSEPORT let a second server bind the same
// address, and the kernel split requests between two servers with different databases.
TEST_F(ServerTest, SecondServerOnTheSameAddressIsRefused) {
    ServerOptions o;
    o.port = 0;
    o.db = dir_.path() + "/db.sqlite";
    o.jobs_dir = dir_.path() + "/jobs";
    auto first = Server::create(o);
    ASSERT_TRUE(first) << first.error().to_string();
    ServerOptions again = o;
    again.port = (*first)->port();
    again.db = dir_.path() + "/other.sqlite";
    again.jobs_dir = dir_.path() + "/jobs2";
    auto second = Server::create(again);
    ASSERT_FALSE(second) << "a second server bound port " << again.port;
    EXPECT_NE(second.error().message.find("address already in use"), std::string::npos)
        << second.error().to_string();
    EXPECT_NE(second.error().message.find(std::to_string(again.port)), std::string::npos);
}

TEST_F(ServerTest, WritesNeedTheToken) {
    start();
    const json body = {{"domains", {"example.com"}}, {"resolvers", {"127.0.0.1:9"}}};
    auto none = client_->Post("/api/v1/scans", body.dump(), "application/json");
    EXPECT_TRUE(is_error(none, 401));
    EXPECT_EQ(none->get_header_value("WWW-Authenticate"), "Bearer");
    for (const std::string& h :
         {std::string("Bearer wrong"), std::string("Bearer ") + kToken + "x",
          std::string("Basic ") + kToken, std::string("Bearer "), std::string("Bearer") + kToken,
          std::string("Bearerx ") + kToken}) {
        auto r =
            client_->Post("/api/v1/scans", {{"Authorization", h}}, body.dump(), "application/json");
        EXPECT_TRUE(is_error(r, 401)) << h;
    }
    // RFC 9110 11.1: the scheme is case-insensitive (issue 19 item 10). A bad body shows that
    // the token was taken without starting a scan.
    for (const std::string& h :
         {std::string("bearer ") + kToken, std::string("BEARER  ") + kToken}) {
        auto r = client_->Post("/api/v1/scans", {{"Authorization", h}}, "{}", "application/json");
        EXPECT_TRUE(is_error(r, 400)) << h;
    }
    EXPECT_TRUE(is_error(client_->Delete("/api/v1/scans/1"), 401));
    EXPECT_TRUE(is_error(client_->Post("/api/v1/scans/1/stop"), 401));
    EXPECT_TRUE(is_error(client_->Post("/api/v1/scans/1/resume"), 401));
    // Reads are open by default.
    auto list = client_->Get("/api/v1/scans");
    ASSERT_TRUE(list);
    EXPECT_EQ(list->status, 200);
    EXPECT_EQ(body_json(list), json::array());
}

TEST_F(ServerTest, ProtectedReads) {
    ServerOptions o;
    o.protect_reads = true;
    start(o);
    EXPECT_TRUE(is_error(client_->Get("/api/v1/scans"), 401));
    EXPECT_TRUE(is_error(client_->Get("/api/v1/ip/192.0.2.1"), 401));
    auto r = client_->Get("/api/v1/scans", auth());
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    auto h = client_->Get("/health");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->status, 200); // liveness stays open
}

TEST_F(ServerTest, BadRequestsAreStructured) {
    ServerOptions o;
    o.max_body_bytes = 64 * 1024;
    o.max_domains = 50;
    start(o);
    auto post = [&](const std::string& body) {
        return client_->Post("/api/v1/scans", auth(), body, "application/json");
    };
    EXPECT_TRUE(is_error(post("{not json"), 400));
    EXPECT_TRUE(is_error(post(""), 400));
    EXPECT_TRUE(is_error(post("[1,2]"), 400));
    EXPECT_TRUE(is_error(post(R"({"domains": []})"), 400));
    EXPECT_TRUE(is_error(post(R"({"domains": "example.com"})"), 400));
    EXPECT_TRUE(is_error(post(R"({"domains": [1]})"), 400));
    EXPECT_TRUE(is_error(post(R"({"domains": ["a.example\nb.example"]})"), 400));
    EXPECT_TRUE(is_error(post(R"({"domains": ["a.example"], "resolvers": ["not-an-ip"]})"), 400));
    EXPECT_TRUE(is_error(post(R"({"domains": ["a.example"], "concurrency": 0})"), 400));
    EXPECT_TRUE(is_error(post(R"({"domains": ["a.example"], "concurrency": -5})"), 400));
    EXPECT_TRUE(is_error(post(R"({"domains": ["a.example"], "surprise": true})"), 400));
    EXPECT_TRUE(is_error(post(R"({"notes": "x"})"), 400));
    json many = {{"domains", json::array()}};
    for (int i = 0; i < 51; ++i) {
        many["domains"].push_back("d" + std::to_string(i) + ".example");
    }
    EXPECT_TRUE(is_error(post(many.dump()), 413));
    EXPECT_TRUE(is_error(post(std::string(100 * 1024, ' ')), 413));
    // Nothing was created.
    EXPECT_EQ(body_json(client_->Get("/api/v1/scans")), json::array());
}

TEST_F(ServerTest, UnknownIdsAndHostileStrings) {
    start();
    EXPECT_TRUE(is_error(client_->Get("/api/v1/scans/999"), 404));
    EXPECT_TRUE(is_error(client_->Get("/api/v1/scans/latest"), 404));
    EXPECT_TRUE(is_error(client_->Get("/api/v1/scans/abc"), 400));
    EXPECT_TRUE(is_error(client_->Get("/api/v1/scans/999/results"), 404));
    EXPECT_TRUE(is_error(client_->Get("/api/v1/scans/999/export?format=csv"), 404));
    EXPECT_TRUE(is_error(client_->Get("/api/v1/scans/999/analytics"), 404));
    EXPECT_TRUE(is_error(client_->Delete("/api/v1/scans/999", auth()), 404));
    EXPECT_TRUE(is_error(client_->Get("/api/v1/diff?a=1&b=2"), 404));
    EXPECT_TRUE(is_error(client_->Get("/api/v1/diff?a=1"), 400));
    EXPECT_TRUE(is_error(client_->Get("/api/v1/nothing-here"), 404));
    EXPECT_TRUE(is_error(client_->Get("/api/v1/ip/not-an-ip"), 400));
    EXPECT_TRUE(is_error(client_->Get("/api/v1/ip/999.1.1.1"), 400));
    EXPECT_TRUE(is_error(client_->Get("/api/v1/ip/%3Cscript%3E"), 400));
    auto slashy = client_->Get("/api/v1/domain/..%2F..%2Fetc");
    EXPECT_TRUE(is_error(slashy, 400) || is_error(slashy, 404));
    EXPECT_TRUE(is_error(client_->Get("/api/v1/domain/never-scanned.example"), 404));
    EXPECT_TRUE(is_error(client_->Get("/api/v1/domain/%00"), 400));

    auto ip = client_->Get("/api/v1/ip/192.0.2.77");
    ASSERT_TRUE(ip);
    EXPECT_EQ(ip->status, 200);
    EXPECT_EQ(body_json(ip), json({{"ip", "192.0.2.77"},
                                   {"prefix", "192.0.2.0/24"},
                                   {"asn", 64496},
                                   {"origins", {64496}},
                                   {"org", nullptr}}));
    auto unrouted = body_json(client_->Get("/api/v1/ip/2001:db8::1"));
    EXPECT_TRUE(unrouted["prefix"].is_null());
    EXPECT_EQ(unrouted["origins"], json::array());

    // Static files stay in their directory.
    auto index = client_->Get("/");
    ASSERT_TRUE(index);
    EXPECT_EQ(index->status, 200);
    EXPECT_EQ(index->body, "<html>dashboard</html>");
    EXPECT_EQ(client_->Get("/app.js")->get_header_value("Content-Type"),
              "text/javascript; charset=utf-8");
    for (const char* path : {"/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt",
                             "/sub/../../secret.txt", "//etc/passwd", "/%2fetc%2fpasswd"}) {
        auto r = client_->Get(path);
        ASSERT_TRUE(r) << path;
        EXPECT_NE(r->status, 200) << path;
        EXPECT_EQ(r->body.find("SECRET"), std::string::npos) << path;
        EXPECT_EQ(r->body.find("root:"), std::string::npos) << path;
    }
}

TEST_F(ServerTest, RawTraversalRequest) {
    start();
    // Bypass any client normalisation: write the request line ourselves.
    httplib::Client raw("127.0.0.1", server_->port());
    for (const char* path : {"/../secret.txt", "/../../../../etc/passwd"}) {
        auto r = raw.Get(path);
        if (r) {
            EXPECT_NE(r->status, 200) << path;
            EXPECT_EQ(r->body.find("SECRET"), std::string::npos);
        }
    }
}

/// A scan job against the real rig: POST, progress, results with filters and pages, exports,
/// analytics, a second scan and the diff, the domain lookup, metrics.
TEST_F(ServerTest, ScanJobAgainstTheRig) {
    DG_DNS_SERVERS_OR_SKIP();
    auto rig = test::DnsRig::start(40);
    ASSERT_TRUE(rig) << test::DnsRig::last_error();
    start();
    std::vector<std::string> names;
    for (const auto& t : rig->truth()) {
        if (t.kind == "ordinary" || t.kind == "cname_chain" || t.kind == "nxdomain" ||
            t.kind == "nodata") {
            names.push_back(t.name);
        }
    }
    ASSERT_GE(names.size(), 10U);
    const std::string hostile = "<script>alert(\"x\")</script>'; DROP TABLE scans; -- \u00e9\u202e";
    auto created = post_scan({{"domains", names},
                              {"resolvers", {rig->recursive_endpoint()}},
                              {"notes", hostile},
                              {"timeout_ms", 1000},
                              {"retries", 1}});
    ASSERT_TRUE(created);
    ASSERT_EQ(created->status, 202) << created->body;
    const auto id = body_json(created)["id"].get<std::int64_t>();
    EXPECT_EQ(created->get_header_value("Location"), "/api/v1/scans/" + std::to_string(id));

    const json done = wait_scan(id);
    ASSERT_EQ(done["status"], "complete") << done.dump();
    EXPECT_EQ(done["domains_done"].get<std::size_t>(), names.size());
    EXPECT_EQ(done["results_total"].get<std::size_t>(), names.size());
    EXPECT_EQ(done["config"]["origin"], "server");

    // The list is the `scans list --json` shape; hostile notes come back as data.
    auto list = body_json(client_->Get("/api/v1/scans"));
    ASSERT_EQ(list.size(), 1U);
    EXPECT_EQ(list[0]["id"], id);
    EXPECT_EQ(list[0]["notes"].get<std::string>().substr(0, 30), hostile.substr(0, 30));

    const std::string base = "/api/v1/scans/" + std::to_string(id);
    auto all = client_->Get(base + "/results?limit=1000");
    ASSERT_TRUE(all);
    ASSERT_EQ(all->status, 200);
    const auto results = body_json(all);
    ASSERT_EQ(results.size(), names.size());
    EXPECT_EQ(all->get_header_value("X-Total-Count"), std::to_string(names.size()));
    for (const auto& r : results) {
        auto parsed = model::domain_result_from_json(r);
        EXPECT_TRUE(parsed) << r.dump();
        const auto* truth = rig->find(r["domain"].get<std::string>());
        ASSERT_NE(truth, nullptr) << r.dump();
    }
    // Pages cover the whole list in order.
    std::vector<std::string> paged;
    for (std::size_t off = 0; off < names.size(); off += 7) {
        auto page =
            body_json(client_->Get(base + "/results?limit=7&offset=" + std::to_string(off)));
        for (const auto& r : page) {
            paged.push_back(r["domain"]);
        }
    }
    ASSERT_EQ(paged.size(), names.size());
    for (std::size_t i = 0; i < paged.size(); ++i) {
        EXPECT_EQ(paged[i], results[i]["domain"]);
    }
    // A completed scan's totals are counted once per filter and then answered from the cache:
    // each filter keeps its own count, and the summary its status counts.
    ASSERT_FALSE(done["results"].empty());
    for (const auto& [status, n] : done["results"].items()) {
        for (int pass = 0; pass < 2; ++pass) {
            auto page = client_->Get(base + "/results?limit=1&status=" + status);
            ASSERT_TRUE(page);
            EXPECT_EQ(page->get_header_value("X-Total-Count"), std::to_string(n.get<int>()))
                << status << " pass " << pass;
        }
    }
    EXPECT_EQ(body_json(client_->Get(base))["results"], done["results"]);
    EXPECT_EQ(body_json(client_->Get(base))["results"], done["results"]);
    // Filters.
    const std::string one = results[0]["domain"];
    auto by_domain = body_json(client_->Get(base + "/results?domain=" + one));
    ASSERT_EQ(by_domain.size(), 1U);
    EXPECT_EQ(by_domain[0]["domain"], one);
    std::optional<std::uint32_t> some_asn;
    for (const auto& r : results) {
        for (const auto& a : r["a"]) {
            if (a["asn"].is_number()) {
                some_asn = a["asn"].get<std::uint32_t>();
            }
        }
    }
    ASSERT_TRUE(some_asn);
    auto by_asn = body_json(client_->Get(base + "/results?asn=AS" + std::to_string(*some_asn)));
    EXPECT_GE(by_asn.size(), 1U);
    EXPECT_TRUE(is_error(client_->Get(base + "/results?limit=0"), 400));
    EXPECT_TRUE(is_error(client_->Get(base + "/results?limit=abc"), 400));
    EXPECT_TRUE(is_error(client_->Get(base + "/results?limit=99999999"), 400));
    EXPECT_TRUE(is_error(client_->Get(base + "/results?asn=ASxyz"), 400));
    EXPECT_TRUE(is_error(client_->Get(base + "/results?domain=a..b"), 400));

    // Exports are downloads.
    auto jsonl = client_->Get(base + "/export?format=jsonl");
    ASSERT_TRUE(jsonl);
    EXPECT_EQ(jsonl->status, 200);
    EXPECT_EQ(test::split_lines(jsonl->body).size(), names.size());
    EXPECT_NE(jsonl->get_header_value("Content-Disposition").find("attachment"), std::string::npos);
    auto csv = client_->Get(base + "/export?format=csv");
    ASSERT_TRUE(csv);
    EXPECT_EQ(csv->status, 200);
    EXPECT_EQ(csv->get_header_value("Content-Type"), "text/csv");
    EXPECT_TRUE(is_error(client_->Get(base + "/export?format=exe"), 400));

    auto stats = client_->Get(base + "/analytics");
    ASSERT_TRUE(stats);
    EXPECT_EQ(stats->status, 200) << stats->body;
    auto clusters = client_->Get(base + "/clusters?by=ns");
    ASSERT_TRUE(clusters);
    EXPECT_EQ(clusters->status, 200) << clusters->body;
    EXPECT_TRUE(is_error(client_->Get(base + "/clusters?by=moon"), 400));

    auto domain = client_->Get("/api/v1/domain/" + one);
    ASSERT_TRUE(domain);
    EXPECT_EQ(domain->status, 200);
    EXPECT_EQ(body_json(domain)["latest"]["scan_id"], id);

    // A second scan of half the names, and the diff.
    std::vector<std::string> half(names.begin(),
                                  names.begin() + static_cast<long>(names.size() / 2));
    auto second = post_scan({{"domains", half}, {"resolvers", {rig->recursive_endpoint()}}});
    ASSERT_EQ(second->status, 202);
    const auto id2 = body_json(second)["id"].get<std::int64_t>();
    EXPECT_EQ(wait_scan(id2)["status"], "complete");
    auto d = client_->Get("/api/v1/diff?a=" + std::to_string(id) + "&b=" + std::to_string(id2));
    ASSERT_TRUE(d);
    ASSERT_EQ(d->status, 200) << d->body;
    const auto diff = body_json(d);
    EXPECT_EQ(diff["summary"]["domains_only_in_a"].get<std::size_t>(), names.size() - half.size());
    EXPECT_EQ(diff["changes"].size(), names.size() - half.size());

    const std::string resolved =
        "domaingraph_domains_resolved_total " + std::to_string(names.size() + half.size());
    const std::string noerror = "domaingraph_dns_status_total{status=\"NOERROR\"}";
    const std::string results_route = "route=\"/api/v1/scans/{id}/results\"";
    const std::string m = metrics_with({resolved, noerror, results_route});
    EXPECT_NE(m.find(resolved), std::string::npos) << m;
    EXPECT_NE(m.find(noerror), std::string::npos);
    EXPECT_NE(m.find(results_route), std::string::npos);

    // SQLite gives a deleted last scan's id to the next scan: nothing cached of the old one
    // (summary, totals) may answer for the new one.
    const std::string base2 = "/api/v1/scans/" + std::to_string(id2);
    EXPECT_EQ(body_json(client_->Get(base2))["results_total"], half.size());
    EXPECT_EQ(client_->Get(base2 + "/results?limit=1")->get_header_value("X-Total-Count"),
              std::to_string(half.size()));
    ASSERT_EQ(client_->Delete(base2, auth())->status, 204);
    std::vector<std::string> quarter(names.begin(),
                                     names.begin() + static_cast<long>(names.size() / 4));
    ASSERT_FALSE(quarter.empty());
    auto third = post_scan({{"domains", quarter}, {"resolvers", {rig->recursive_endpoint()}}});
    ASSERT_EQ(third->status, 202);
    const auto id3 = body_json(third)["id"].get<std::int64_t>();
    const std::string base3 = "/api/v1/scans/" + std::to_string(id3);
    EXPECT_EQ(wait_scan(id3)["results_total"], quarter.size());
    EXPECT_EQ(body_json(client_->Get(base3))["results_total"], quarter.size());
    EXPECT_EQ(client_->Get(base3 + "/results?limit=1")->get_header_value("X-Total-Count"),
              std::to_string(quarter.size()));

    // Delete: a write.
    auto del = client_->Delete(base, auth());
    ASSERT_TRUE(del);
    EXPECT_EQ(del->status, 204);
    EXPECT_TRUE(is_error(client_->Get(base), 404));
}

/// Issue 13: a PTR sweep started through the API (the dashboard's form) against the rig's reverse
/// zones: stored, browsable, equal to the truth; the requests it refuses.
TEST_F(ServerTest, PtrSweepJobAgainstTheRig) {
    DG_DNS_SERVERS_OR_SKIP();
    test::DnsRig::Options ro;
    ro.names = 10;
    ro.reverse = true;
    auto rig = test::DnsRig::start(ro);
    ASSERT_TRUE(rig) << test::DnsRig::last_error();
    start();
    const std::string resolver = rig->recursive_endpoint();
    auto post = [&](const json& body, bool with_token = true) {
        return with_token
                   ? client_->Post("/api/v1/ptr/sweeps", auth(), body.dump(), "application/json")
                   : client_->Post("/api/v1/ptr/sweeps", body.dump(), "application/json");
    };
    // refused: no token, no list, two lists, unknown keys, nothing valid, a /7 unconfirmed
    EXPECT_TRUE(is_error(post({{"prefixes", "198.18.0.0/28"}}, false), 401));
    EXPECT_TRUE(is_error(post({{"resolvers", {resolver}}}), 400));
    EXPECT_TRUE(is_error(post({{"prefixes", "198.18.0.0/28"}, {"addresses", "198.18.0.1"}}), 400));
    EXPECT_TRUE(is_error(post({{"prefixes", "198.18.0.0/28"}, {"rate", "fast"}}), 400));
    EXPECT_TRUE(is_error(post({{"prefixes", "198.18.0.0/28"}, {"bogus", 1}}), 400));
    EXPECT_TRUE(is_error(post({{"prefixes", "not a prefix\n300.1.2.3/8\n"}}), 400));
    EXPECT_TRUE(is_error(post({{"prefixes", "198.18.0.0/28"}}), 400)) << "no resolver anywhere";
    auto huge = post({{"prefixes", "10.0.0.0/7"}, {"resolvers", {resolver}}});
    ASSERT_TRUE(is_error(huge, 413));
    EXPECT_NE(huge->body.find("33,554,432"), std::string::npos) << huge->body;
    auto none = client_->Get("/api/v1/ptr/sweeps");
    ASSERT_TRUE(none);
    EXPECT_EQ(body_json(none), json::array()) << "a refused request stores nothing";

    auto created = post({{"prefixes", json::array({"198.18.0.0/26", "# comment", "junk"})},
                         {"resolvers", {resolver}},
                         {"rate", 0},
                         {"notes", "api sweep"}});
    ASSERT_TRUE(created);
    ASSERT_EQ(created->status, 202) << created->body;
    const json accepted = body_json(created);
    const auto id = accepted["id"].get<std::int64_t>();
    EXPECT_EQ(accepted["addresses"], 64);
    EXPECT_EQ(accepted["invalid_lines"], 1);
    EXPECT_EQ(accepted["problems"][0]["line"], 3);
    EXPECT_EQ(created->get_header_value("Location"), "/api/v1/ptr/sweeps/" + std::to_string(id));
    json sweep;
    for (int i = 0; i < 600; ++i) {
        auto g = client_->Get("/api/v1/ptr/sweeps/" + std::to_string(id));
        ASSERT_TRUE(g);
        ASSERT_EQ(g->status, 200) << g->body;
        sweep = body_json(g);
        if (sweep["status"] != "running") {
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_EQ(sweep["status"], "complete") << sweep.dump();
    EXPECT_EQ(sweep["addresses_done"], 64);
    EXPECT_EQ(sweep["notes"], "api sweep");
    EXPECT_TRUE(sweep["report"]["after_repair"].is_object()) << sweep.dump();

    std::map<std::string, json> truth;
    std::ifstream in(rig->ptr_truth_file());
    for (std::string line; std::getline(in, line);) {
        auto t = json::parse(line);
        truth[t["ip"].get<std::string>()] = t;
    }
    auto results = client_->Get("/api/v1/ptr/sweeps/" + std::to_string(id) + "/results?limit=100");
    ASSERT_TRUE(results);
    EXPECT_EQ(results->get_header_value("X-Total-Count"), "64");
    const json rows = body_json(results);
    ASSERT_EQ(rows.size(), 64U);
    for (const auto& r : rows) {
        const auto& t = truth.at(r["ip"].get<std::string>());
        EXPECT_EQ(r["status"], t["status"]) << r.dump();
        auto names = t.value("names", json::array()).get<std::vector<std::string>>();
        std::sort(names.begin(), names.end());
        EXPECT_EQ(r["names"].get<std::vector<std::string>>(), names) << r.dump();
    }
    // the stored settings are ptr sweep's: the CLI can resume what the server started
    auto store = store::Store::open("sqlite://" + options_.db);
    ASSERT_TRUE(store);
    auto sweeps = ptr::SweepStore::of(**store);
    ASSERT_TRUE(sweeps);
    auto stored = sweeps->get(id);
    ASSERT_TRUE(stored);
    const json settings = json::parse(stored->config);
    EXPECT_TRUE(std::filesystem::is_regular_file(settings["prefixes"].get<std::string>()));
    EXPECT_EQ(settings["resolvers"], json::array({resolver}));
    EXPECT_TRUE(is_error(client_->Post("/api/v1/ptr/sweeps/" + std::to_string(id) + "/stop", auth(),
                                       "", "application/json"),
                         409));
}

// GET /api/v1/scans/{id}/resilience over the reference's Fig. 1 graph (resilience_cli_test's
// Fig1Report gives the same figures from the CLI): name servers -> origin ASes from the stored
// scan, Table 1, Table 2, exposure; bad parameters and a server without a graph.
TEST_F(ServerTest, ResilienceReportOfAStoredScan) {
    test::write_file(dir_.path() + "/fig1.txt",
                     "1|2|-1\n1|3|-1\n2|4|-1\n2|5|-1\n3|5|-1\n3|6|-1\n2|3|0\n5|6|2\n");
    ServerOptions o;
    o.as_rel = dir_.path() + "/fig1.txt";
    o.resolver_ases = "4,6,77";
    start(o);
    {
        auto store = store::Store::open("sqlite://" + options_.db);
        ASSERT_TRUE(store);
        auto scan = (*store)->create_scan(store::NewScan{});
        ASSERT_TRUE(scan);
        auto ns_in = [](const std::string& ip, std::vector<std::uint32_t> origins) {
            model::IpMapping m;
            m.ip = *IpAddress::parse(ip);
            m.prefix = *Prefix::parse(ip + "/32");
            m.asn = Asn(origins.front());
            for (const auto a : origins) {
                m.origins.emplace_back(a);
            }
            return m;
        };
        std::vector<model::DomainResult> rows(5);
        const char* names[] = {"a.example", "b.example", "c.example", "d.example", "e.example"};
        for (std::size_t i = 0; i < rows.size(); ++i) {
            rows[i].domain = names[i];
            rows[i].status = "NOERROR";
        }
        rows[0].ns = {{"ns.a.example", 60, {ns_in("192.0.2.1", {1})}}};
        rows[1].ns = {{"ns1.b.example", 60, {ns_in("192.0.2.3", {3})}},
                      {"ns2.b.example", 60, {ns_in("192.0.2.5", {5})}}};
        rows[2].ns = {{"ns.c.example", 60, {ns_in("192.0.2.6", {5})}}};
        rows[3].ns = {{"ns.d.example", 60, {ns_in("192.0.2.2", {2})}}};
        rows[4].ns = {{"ns.e.example", 60, {}}}; // no routed name server: counted, left out
        ASSERT_TRUE((*store)->write_results(scan->id, rows));
    }
    auto r = client_->Get("/api/v1/scans/1/resilience");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    const json j = json::parse(r->body);
    EXPECT_EQ(j["sources"], json::array({4, 6}));
    EXPECT_EQ(j["sources_not_in_graph"], json::array({77}));
    EXPECT_EQ(j["domains"]["with_routed_name_server"], 4);
    EXPECT_EQ(j["domains"]["without_routed_name_server"], 1);
    ASSERT_EQ(j["table1"].size(), 2U);
    EXPECT_DOUBLE_EQ(j["table1"][0]["mean_len"].get<double>(), 1.8);
    EXPECT_DOUBLE_EQ(j["mu_path"].get<double>(), 1.6);
    EXPECT_EQ(j["table2"]["hosting"][0]["asn"], 5);
    EXPECT_EQ(j["table2"]["hosting"][0]["domains"], 2);
    EXPECT_EQ(j["table2"]["transit"][0]["asn"], 2);
    EXPECT_EQ(j["table2"]["transit"][0]["paths"], 3);
    EXPECT_EQ(j["table2"]["transit"][0]["res"], 1);
    EXPECT_DOUBLE_EQ(j["table2"]["transit"][0]["mu_dom"].get<double>(), 3);
    EXPECT_EQ(j["exposure"]["all_name_servers_in_one_as"], 3);
    EXPECT_EQ(j["params"]["peer_mode"], "one");
    auto many = client_->Get("/api/v1/scans/latest/resilience?peer_mode=many&top=1");
    ASSERT_TRUE(many);
    ASSERT_EQ(many->status, 200) << many->body;
    EXPECT_EQ(json::parse(many->body)["table2"]["transit"].size(), 1U);
    EXPECT_TRUE(is_error(client_->Get("/api/v1/scans/1/resilience?peer_mode=all"), 400));
    EXPECT_TRUE(is_error(client_->Get("/api/v1/scans/1/resilience?top=0"), 400));
    EXPECT_TRUE(is_error(client_->Get("/api/v1/scans/9/resilience"), 404));
    stop();
    start(); // no --as-rel: not offered
    EXPECT_TRUE(is_error(client_->Get("/api/v1/scans/1/resilience"), 503));
}

// GET /api/v1/as/{asn}: organisation, siblings and registry from the as2org file; the domains of
// the newest scan hosted in the AS and in its siblings (issue 15).
TEST_F(ServerTest, AsLookupWithOrganisationSiblingsAndDomains) {
    test::write_file(dir_.path() + "/as2org.txt",
                     "# format:org_id|changed|org_name|country|source\n"
                     "ORG-EX1-RIPE|20240101|Example Networks B.V.|NL|RIPE\n"
                     "# format:aut|changed|aut_name|org_id|opaque_id|source\n"
                     "64500|20240101|EXAMPLE-A|ORG-EX1-RIPE|op-1|RIPE\n"
                     "64501|20240101|EXAMPLE-B|ORG-EX1-RIPE|op-1|RIPE\n");
    ServerOptions o;
    o.as2org = dir_.path() + "/as2org.txt";
    start(o);
    EXPECT_EQ(body_json(client_->Get("/api/v1/as/64500"))["scan"], nullptr); // no scan yet
    {
        auto store = store::Store::open("sqlite://" + options_.db);
        ASSERT_TRUE(store);
        auto scan = (*store)->create_scan(store::NewScan{});
        ASSERT_TRUE(scan);
        std::vector<model::DomainResult> rows(3);
        rows[0].domain = "a.example";
        rows[0].a = {in("192.0.2.1", 64500)};
        rows[1].domain = "b.example";
        rows[1].a = {in("192.0.2.2", 64501)};
        rows[2].domain = "c.example";
        rows[2].a = {in("192.0.2.3", 64502)};
        for (auto& r : rows) {
            r.status = "NOERROR";
        }
        ASSERT_TRUE((*store)->write_results(scan->id, rows));
    }
    auto r = client_->Get("/api/v1/as/AS64500");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    const json j = json::parse(r->body);
    EXPECT_EQ(j["asn"], 64500);
    EXPECT_EQ(j["name"], "EXAMPLE-A");
    EXPECT_EQ(j["registry"], "RIPE");
    EXPECT_EQ(j["org"]["id"], "ORG-EX1-RIPE");
    EXPECT_EQ(j["org"]["name"], "Example Networks B.V.");
    EXPECT_EQ(j["org"]["country"], "NL");
    ASSERT_EQ(j["siblings"].size(), 1U);
    EXPECT_EQ(j["siblings"][0]["asn"], 64501);
    EXPECT_EQ(j["scan"]["id"], 1);
    EXPECT_EQ(j["scan"]["domains"], json::array({"a.example"}));
    EXPECT_EQ(j["scan"]["domains_total"], 1);
    EXPECT_EQ(j["scan"]["organisation_domains_total"], 2);
    EXPECT_EQ(j["scan"]["by_as"].size(), 2U);
    // an AS the file does not know: no organisation, its own domains still listed
    const json other = body_json(client_->Get("/api/v1/as/64502"));
    EXPECT_EQ(other["org"], nullptr);
    EXPECT_EQ(other["siblings"], json::array());
    EXPECT_EQ(other["scan"]["domains"], json::array({"c.example"}));
    EXPECT_TRUE(is_error(client_->Get("/api/v1/as/bogus"), 400));
    EXPECT_TRUE(is_error(client_->Get("/api/v1/as/64500?scan=9"), 404));
}

// Issue 18: an AS's routes in the table with their RPKI state, the roles it plays for a scan's
// domains; where a scan's addresses are (GET /api/v1/scans/{id}/geo) from the locations stored
// with it or from the server's --geo database (MaxMind's test City database).
TEST_F(ServerTest, AsRoutesAndRolesAndTheScansPlaces) {
    DG_SHARED_OR_SKIP(city, "geo/GeoLite2-City-Test.mmdb");
    test::write_file(dir_.path() + "/vrps.json",
                     R"({"roas": [{"asn": "AS64496", "prefix": "192.0.2.0/24", "maxLength": 24,)"
                     R"( "ta": "test"}]})");
    test::write_file(dir_.path() + "/as2org.txt",
                     "# format:org_id|changed|org_name|country|source\n"
                     "ORG-DOC1-TEST|20240101|Documentation Networks|NL|RIPE\n"
                     "# format:aut|changed|aut_name|org_id|opaque_id|source\n"
                     "64496|20240101|DOC-A|ORG-DOC1-TEST||RIPE\n"
                     "64510|20240101|DOC-B|ORG-DOC1-TEST||RIPE\n");
    ServerOptions o;
    o.vrps = dir_.path() + "/vrps.json";
    o.geo = city;
    o.as2org = dir_.path() + "/as2org.txt";
    start(o);
    {
        auto store = store::Store::open("sqlite://" + options_.db);
        ASSERT_TRUE(store);
        // scan 1: locations stored with the results (scan --geo)
        auto first = (*store)->create_scan(store::NewScan{});
        ASSERT_TRUE(first);
        std::vector<model::DomainResult> rows(2);
        rows[0].domain = "a.example";
        rows[0].a = {in("192.0.2.1", 64496)};
        rows[0].a[0].geo = model::GeoLocation{"SE", "Link\xc3\xb6ping", 58.4167, 15.6167};
        rows[0].ns = {model::NsRecord{"ns1.example", 60, {in("192.0.2.2", 64496)}}};
        rows[0].ns[0].ips[0].geo = model::GeoLocation{"SE", "Link\xc3\xb6ping", 58.4167, 15.6167};
        rows[1].domain = "b.example";
        rows[1].ns = {model::NsRecord{"ns2.example", 60, {in("192.0.2.3", 64496)}}};
        rows[1].ns[0].ips[0].geo = model::GeoLocation{"GB", "London", 51.5142, -0.0931};
        for (auto& r : rows) {
            r.status = "NOERROR";
        }
        ASSERT_TRUE((*store)->write_results(first->id, rows));
        // scan 2: no locations stored; the server's database places them
        auto second = (*store)->create_scan(store::NewScan{});
        ASSERT_TRUE(second);
        std::vector<model::DomainResult> more(1);
        more[0].domain = "c.example";
        more[0].status = "NOERROR";
        more[0].a = {in("89.160.20.115", 64510), in("81.2.69.142", 64511), in("192.0.2.9", 64496)};
        ASSERT_TRUE((*store)->write_results(second->id, more));
    }
    const json as = body_json(client_->Get("/api/v1/as/64496?scan=1"));
    ASSERT_TRUE(as["routes"].is_object()) << as.dump();
    EXPECT_EQ(as["routes"]["total"], 1);
    EXPECT_EQ(as["routes"]["ipv4"], 1);
    EXPECT_EQ(as["routes"]["rpki"]["valid"], 1);
    EXPECT_EQ(as["routes"]["prefixes"][0]["prefix"], "192.0.2.0/24");
    EXPECT_EQ(as["routes"]["prefixes"][0]["rpki"], "valid");
    EXPECT_EQ(as["scan"]["roles"]["web"], 1); // a.example: its own address
    EXPECT_EQ(as["scan"]["roles"]["ns"], 2);  // a.example and b.example: a name server's
    EXPECT_EQ(as["scan"]["roles"]["mx"], 0);
    ASSERT_EQ(as["scan"]["roles"]["domains"].size(), 2U);
    EXPECT_EQ(as["scan"]["roles"]["domains"][0]["roles"], json::array({"web", "ns"}));
    // an AS without routes in the table: an empty list, not an error
    EXPECT_EQ(body_json(client_->Get("/api/v1/as/64999"))["routes"]["total"], 0);

    const json stored = body_json(client_->Get("/api/v1/scans/1/geo"));
    EXPECT_EQ(stored["source"], "scan");
    EXPECT_EQ(stored["addresses"], 3);
    EXPECT_EQ(stored["located"], 3);
    ASSERT_EQ(stored["places"].size(), 2U);
    EXPECT_EQ(stored["places"][0]["city"], "Link\xc3\xb6ping"); // 1 domain, 2 addresses
    EXPECT_EQ(stored["places"][0]["domains"], 1);
    EXPECT_EQ(stored["places"][0]["addresses"], 2);
    EXPECT_EQ(stored["places"][0]["web"], 1);
    EXPECT_EQ(stored["places"][0]["ns"], 1);
    EXPECT_EQ(stored["places"][1]["city"], "London");
    EXPECT_EQ(stored["places"][1]["ns"], 1);
    EXPECT_EQ(stored["countries"].size(), 2U);

    const json looked_up = body_json(client_->Get("/api/v1/scans/2/geo"));
    EXPECT_EQ(looked_up["source"], "database");
    EXPECT_EQ(looked_up["addresses"], 3);
    EXPECT_EQ(looked_up["located"], 2); // 192.0.2.9 is not in MaxMind's test database
    std::set<std::string> countries;
    for (const auto& c : looked_up["countries"]) {
        countries.insert(c["country"].get<std::string>());
        EXPECT_EQ(c["domains"], 1);
    }
    EXPECT_EQ(countries, (std::set<std::string>{"GB", "SE"}));
    EXPECT_TRUE(is_error(client_->Get("/api/v1/scans/9/geo"), 404));

    const json ip = body_json(client_->Get("/api/v1/ip/89.160.20.115"));
    EXPECT_EQ(ip["geo"]["country"], "SE");
    EXPECT_EQ(ip["geo"]["city"], "Link\xc3\xb6ping");
    const json routed = body_json(client_->Get("/api/v1/ip/192.0.2.1"));
    EXPECT_EQ(routed["rpki"], "valid");
    EXPECT_FALSE(routed.contains("geo"));
    // the organisation's view: its ASes with their routes and the scan's domains
    const json org = body_json(client_->Get("/api/v1/org/ORG-DOC1-TEST?scan=2"));
    EXPECT_EQ(org["name"], "Documentation Networks");
    ASSERT_EQ(org["ases"].size(), 2U);
    EXPECT_EQ(org["ases"][0]["asn"], 64496);
    EXPECT_EQ(org["ases"][0]["routes"], 1);
    EXPECT_EQ(org["ases"][1]["domains"], 1);
    EXPECT_EQ(org["scan"]["domains"], json::array({"c.example"}));
    EXPECT_EQ(body_json(client_->Get("/api/v1/org/documentation%20networks"))["id"],
              "ORG-DOC1-TEST"); // by name
    EXPECT_TRUE(is_error(client_->Get("/api/v1/org/ORG-NONE"), 404));
    // the prefix's view: its route with the RPKI state, the domains with an address inside
    const json prefix = body_json(client_->Get("/api/v1/prefix/192.0.2.0/24?scan=1"));
    EXPECT_EQ(prefix["route"]["prefix"], "192.0.2.0/24");
    EXPECT_EQ(prefix["route"]["rpki"], "valid");
    EXPECT_EQ(prefix["route"]["org"], "Documentation Networks");
    EXPECT_EQ(prefix["scan"]["domains_total"], 2);
    EXPECT_EQ(prefix["scan"]["addresses_total"], 3);
    EXPECT_EQ(prefix["scan"]["roles"]["ns"], 2);
    const json inside = body_json(client_->Get("/api/v1/prefix/192.0.2.0/25?scan=1"));
    EXPECT_TRUE(inside["route"].is_null());
    EXPECT_EQ(inside["covering"]["prefix"], "192.0.2.0/24");
    EXPECT_TRUE(is_error(client_->Get("/api/v1/prefix/192.0.2.1/24"), 400)); // host bits
    const json ready = body_json(client_->Get("/ready"));
    EXPECT_EQ(ready["geo"]["type"], "GeoLite2-City");
}

// A bad as-rel file is refused when the server starts, with file:line.
TEST(ServerResilience, BadGraphFileIsRefusedAtStart) {
    const TempDir dir;
    test::write_file(dir.file("bad.txt"), "1|2|-1\n1|3|7\n");
    ServerOptions o;
    o.port = 0;
    o.db = dir.file("db.sqlite");
    o.jobs_dir = dir.file("jobs");
    o.as_rel = dir.file("bad.txt");
    o.resolver_ases = "1";
    auto s = Server::create(o);
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().to_string().find("bad.txt:2"), std::string::npos) << s.error().to_string();
    o.as_rel = dir.file("missing.txt");
    EXPECT_FALSE(Server::create(o));
    o.resolver_ases = "";
    EXPECT_FALSE(Server::create(o));
}

TEST_F(ServerTest, TextPlainUpload) {
    DG_DNS_SERVERS_OR_SKIP();
    auto rig = test::DnsRig::start(10);
    ASSERT_TRUE(rig) << test::DnsRig::last_error();
    start();
    std::string list = "# comment\n";
    std::size_t n = 0;
    for (const auto& t : rig->of_kind("ordinary")) {
        list += t->name + "\r\n";
        ++n;
    }
    auto r = client_->Post("/api/v1/scans?notes=upload&resolver=" + rig->recursive_endpoint(),
                           auth(), list, "text/plain");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 202) << r->body;
    const auto done = wait_scan(body_json(r)["id"].get<std::int64_t>());
    EXPECT_EQ(done["status"], "complete");
    EXPECT_EQ(done["domains_done"].get<std::size_t>(), n);
    EXPECT_EQ(done["notes"], "upload");
}

/// Graceful stop leaves a running scan interrupted; a new server resumes it to the end.
TEST_F(ServerTest, StopLeavesScanResumable) {
    DG_DNS_SERVERS_OR_SKIP();
    auto rig = test::DnsRig::start(10);
    ASSERT_TRUE(rig) << test::DnsRig::last_error();
    start();
    std::vector<std::string> names;
    for (const auto* t : rig->of_kind("ordinary")) {
        names.push_back(t->name);
    }
    // The black hole never answers: the scan cannot finish before we stop the server.
    auto created = post_scan(
        {{"domains", names}, {"resolvers", {rig->blackhole_endpoint()}}, {"timeout_ms", 5000}});
    ASSERT_EQ(created->status, 202) << created->body;
    const auto id = body_json(created)["id"].get<std::int64_t>();
    auto running = body_json(client_->Get("/api/v1/scans/" + std::to_string(id)));
    EXPECT_EQ(running["status"], "running");
    EXPECT_TRUE(running["progress"]["running"].get<bool>());
    stop();

    {
        auto store = store::Store::open(options_.db);
        ASSERT_TRUE(store);
        auto s = (*store)->get_scan(id);
        ASSERT_TRUE(s);
        EXPECT_EQ(s->status, model::ScanStatus::Interrupted);
        // The domain list the job wrote is still there for the resume.
        auto cfg = json::parse(s->config_json);
        ASSERT_TRUE(std::filesystem::exists(cfg["domains"].get<std::string>()));
    }
    // A dead server's scan (left `running`) is marked interrupted at startup.
    {
        auto store = store::Store::open(options_.db);
        ASSERT_TRUE((*store)->set_scan_status(id, model::ScanStatus::Running));
    }
    start();
    auto after = body_json(client_->Get("/api/v1/scans/" + std::to_string(id)));
    EXPECT_EQ(after["status"], "interrupted");
    EXPECT_TRUE(after["progress"].is_null());
    auto resumed = client_->Post("/api/v1/scans/" + std::to_string(id) + "/resume", auth(), "",
                                 "application/json");
    ASSERT_TRUE(resumed);
    EXPECT_EQ(resumed->status, 202) << resumed->body;
    EXPECT_TRUE(is_error(client_->Post("/api/v1/scans/" + std::to_string(id) + "/resume", auth(),
                                       "", "application/json"),
                         409));
    auto stopped = client_->Post("/api/v1/scans/" + std::to_string(id) + "/stop", auth(), "",
                                 "application/json");
    ASSERT_TRUE(stopped);
    EXPECT_EQ(stopped->status, 202);
    EXPECT_EQ(wait_scan(id)["status"], "interrupted");
}

/// The real binary: listens, answers, and exits 0 on SIGTERM.
TEST(ServeBinary, TerminatesGracefullyOnSigterm) {
    TempDir dir;
    const std::string err = dir.path() + "/stderr.txt";
    const std::string bin = test::dg_binary();
    const std::string db = "sqlite://" + dir.path() + "/db.sqlite";
    test::write_file(dir.path() + "/index.html", "<!doctype html>"); // --web needs a dashboard
    std::vector<std::string> args = {bin,     "serve",   "--listen",   "127.0.0.1:0",
                                     "--db",  db,        "--jobs-dir", dir.path() + "/jobs",
                                     "--web", dir.path()};
    std::vector<char*> argv;
    for (auto& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = 0;
    ASSERT_EQ(posix_spawn(&pid, bin.c_str(), &fa, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    int port = 0;
    for (int i = 0; i < 300 && port == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        const std::string text = test::read_file(err);
        const auto at = text.find("listening on http://127.0.0.1:");
        if (at != std::string::npos) {
            port = std::atoi(text.c_str() + at + std::strlen("listening on http://127.0.0.1:"));
        }
    }
    ASSERT_GT(port, 0) << test::read_file(err);
    httplib::Client c("127.0.0.1", port);
    auto h = c.Get("/health");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->status, 200);
    ASSERT_EQ(kill(pid, SIGTERM), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status)) << test::read_file(err);
    EXPECT_EQ(WEXITSTATUS(status), 0) << test::read_file(err);
    EXPECT_NE(test::read_file(err).find("stopped"), std::string::npos);
}

/// Issue 12 item 3: `serve` on an address another server listens on exits 1 at once, saying so.
TEST(ServeBinary, SecondServeOnTheSameAddressExitsWithAddressInUse) {
    TempDir dir;
    ServerOptions o;
    o.port = 0;
    o.db = dir.path() + "/db.sqlite";
    o.jobs_dir = dir.path() + "/jobs";
    auto first = Server::create(o);
    ASSERT_TRUE(first) << first.error().to_string();
    const std::string listen = "127.0.0.1:" + std::to_string((*first)->port());
    test::write_file(dir.path() + "/index.html", "<!doctype html>"); // --web needs a dashboard
    const auto r = test::run_command({test::dg_binary(), "serve", "--listen", listen, "--db",
                                      "sqlite://" + dir.path() + "/other.sqlite", "--jobs-dir",
                                      dir.path() + "/jobs2", "--web", dir.path()});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("cannot listen on " + listen + ": address already in use"),
              std::string::npos)
        << r.err;
}

TEST(ServeBinary, WithoutItsPluginSaysWhereItLooked) {
    // An executable copied away from its build tree (or installed without the plugin).
    TempDir dir;
    const std::string copy = dir.path() + "/domaingraph";
    std::filesystem::copy_file(test::dg_binary(), copy);
    std::filesystem::permissions(copy, std::filesystem::perms::owner_all);
    const auto r = test::run_command({copy, "serve", "--listen", "127.0.0.1:0"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(
        r.err.find(std::string(kServePluginFile) + " (the server) is neither in " + dir.path()),
        std::string::npos)
        << r.err;
}

// Watches through the API: created with a list of names (kept under --jobs-dir), listed, shown
// with runs and alerts, made due, removed; bad bodies are 400s, a taken name 409; and the event
// stream sends a new alert as a Server-Sent Event whose id resumes the stream after it.
TEST_F(ServerTest, WatchesAndTheEventStream) {
    ServerOptions o;
    o.default_resolvers = {*dns::Endpoint::parse("127.0.0.1:53")};
    start(o);
    const json watch = {{"name", "customers"},
                        {"domains", {"a.example", "b.example"}},
                        {"every", "0 6 * * 1-5"},
                        {"alerts", {"https://hooks.example/dg"}},
                        {"rules", "min_severity: warning\n"}};
    EXPECT_TRUE(is_error(client_->Post("/api/v1/watches", watch.dump(), "application/json"), 401));
    auto created = client_->Post("/api/v1/watches", auth(), watch.dump(), "application/json");
    ASSERT_TRUE(created);
    ASSERT_EQ(created->status, 201) << created->body;
    EXPECT_EQ(body_json(created)["every"], "0 6 * * 1-5");
    const std::string list = body_json(created)["domains"];
    EXPECT_EQ(test::read_file(list), "a.example\nb.example\n");
    EXPECT_TRUE(
        is_error(client_->Post("/api/v1/watches", auth(), watch.dump(), "application/json"), 409));
    for (const json& bad :
         {json{{"name", "x y"}, {"domains", {"a.example"}}},
          json{{"name", "x"}, {"domains", json::array()}},
          json{{"name", "x"}, {"domains", {"not a name"}}},
          json{{"name", "x"}, {"domains", {"a.example"}}, {"every", "often"}},
          json{{"name", "x"}, {"domains", {"a.example"}}, {"alerts", {"ftp://h"}}},
          json{{"name", "x"}, {"domains", {"a.example"}}, {"rules", "colour: red"}}}) {
        EXPECT_TRUE(
            is_error(client_->Post("/api/v1/watches", auth(), bad.dump(), "application/json"), 400))
            << bad.dump();
    }
    auto all = body_json(client_->Get("/api/v1/watches"));
    ASSERT_EQ(all.size(), 1U);
    EXPECT_EQ(all[0]["runs"], 0);

    // an alert stored meanwhile arrives on the event stream
    auto store = store::Store::open(options_.db);
    ASSERT_TRUE(store);
    auto w = watch::get_watch(**store, "customers");
    ASSERT_TRUE(w);
    std::string events;
    std::thread reader([&] {
        httplib::Client c("127.0.0.1", server_->port());
        c.set_read_timeout(10, 0);
        (void)c.Get("/api/v1/events?seconds=3", [&](const char* data, std::size_t n) {
            events.append(data, n);
            return true;
        });
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    model::Change change;
    change.domain = "a.example";
    change.type = model::ChangeType::AsnChanged;
    change.severity = model::Severity::Warning;
    change.from_json = "64496";
    change.to_json = "64511";
    auto alerts = watch::record_alerts(**store, *w, 1, {change}, 5000);
    ASSERT_TRUE(alerts) << alerts.error().to_string();
    ASSERT_EQ(alerts->size(), 1U);
    reader.join();
    const std::string id_line = "id: 5000:" + (*alerts)[0].id + "\n";
    EXPECT_NE(events.find(id_line + "event: alert\ndata: {"), std::string::npos) << events;
    EXPECT_NE(events.find("\"domain\":\"a.example\""), std::string::npos) << events;
    // resumed after that alert: nothing again
    auto again = client_->Get("/api/v1/events?seconds=1&since=5000:" + (*alerts)[0].id);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->get_header_value("Content-Type").rfind("text/event-stream", 0), 0U);
    EXPECT_EQ(again->body.find("event: alert"), std::string::npos) << again->body;

    auto one = body_json(client_->Get("/api/v1/watches/customers"));
    EXPECT_EQ(one["alerts_total"], 1);
    EXPECT_EQ(one["alerts"][0]["domain"], "a.example");
    auto due = client_->Post("/api/v1/watches/customers/run", auth(), "", "application/json");
    ASSERT_TRUE(due);
    EXPECT_EQ(due->status, 202) << due->body;
    EXPECT_TRUE(is_error(client_->Get("/api/v1/watches/nothing"), 404));
    auto removed = client_->Delete("/api/v1/watches/customers", auth());
    ASSERT_TRUE(removed);
    EXPECT_EQ(removed->status, 204);
    EXPECT_TRUE(is_error(client_->Get("/api/v1/watches/customers"), 404));
}

} // namespace
} // namespace dg::server
