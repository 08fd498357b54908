// One suite, two backends: every test runs against SQLite (a temp file) and PostgreSQL (a real
// server started by tests/support/postgres_server). CTest runs them as store_test (SQLite, unit)
// and store_postgres_test (PostgreSQL, integration + needs-postgres).

#include "dg/model/json.hpp"
#include "dg/store/internal/connection.hpp"
#include "dg/store/internal/migrations.hpp"
#include "dg/store/store.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/support/support.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <gtest/gtest.h>
#include <set>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace dg::store {
namespace {

using model::DomainResult;
using model::IpMapping;

enum class Backend { Sqlite, Postgres };

IpMapping mapping(const std::string& ip, const std::string& prefix, std::uint32_t asn) {
    IpMapping m;
    m.ip = *IpAddress::parse(ip);
    m.prefix = *Prefix::parse(prefix);
    m.asn = Asn(asn);
    m.origins = {Asn(asn)};
    m.org = "Org of AS" + std::to_string(asn) + " \"quoted\"\ttab\\back";
    m.ttl = 300;
    return m;
}

/// A deterministic result for domain number `i`; `version` changes its content.
DomainResult make_result(int i, int version = 0) {
    DomainResult r;
    char name[32];
    std::snprintf(name, sizeof name, "d%03d.example", i);
    r.domain = name;
    r.resolved_at = 1'700'000'000 + i + version * 1000;
    if (i % 5 == 0) {
        r.status = "NXDOMAIN";
        r.error = "no such domain\nsecond line";
        return r;
    }
    r.status = "NOERROR";
    const std::uint32_t asn = 64496 + static_cast<std::uint32_t>((i + version) % 3);
    r.a = {mapping("192.0." + std::to_string(i % 256) + "." + std::to_string(1 + version),
                   "192.0." + std::to_string(i % 256) + ".0/24", asn)};
    if (i % 2 == 0) {
        // decimal digits read as hex groups: distinct, and valid for any i (4 digits a group)
        const std::string low = std::to_string(i % 10000);
        r.aaaa = {mapping(i < 10000 ? "2001:db8::" + low
                                    : "2001:db8::" + std::to_string(i / 10000) + ":" + low,
                          "2001:db8::/32", 64511)};
    }
    if (i % 7 == 0) {
        r.cname = {{"alias" + std::to_string(i) + ".example.net", 60}, {"final.example.org", {}}};
    }
    IpMapping unrouted;
    unrouted.ip = *IpAddress::parse("198.51.100." + std::to_string(i % 250));
    r.ns = {{"ns1.example.com", 86400, {mapping("203.0.113.53", "203.0.113.0/24", 64500)}},
            {"ns2.example.com", 86400, {unrouted}}};
    r.mx = {{static_cast<std::uint16_t>(10 + version),
             "mx.example.com",
             3600,
             {mapping("203.0.113.25", "203.0.113.0/24", 64500)}}};
    return r;
}

std::vector<DomainResult> make_batch(int from, int to, int version = 0) {
    std::vector<DomainResult> out;
    for (int i = from; i < to; ++i) {
        out.push_back(make_result(i, version));
    }
    return out;
}

std::vector<DomainResult> plain(const std::vector<StoredResult>& rows) {
    std::vector<DomainResult> out;
    for (const auto& r : rows) {
        out.push_back(r.result);
    }
    return out;
}

std::vector<DomainResult> sorted(std::vector<DomainResult> v) {
    std::sort(v.begin(), v.end(),
              [](const DomainResult& a, const DomainResult& b) { return a.domain < b.domain; });
    return v;
}

class StoreTest : public ::testing::TestWithParam<Backend> {
protected:
    void SetUp() override {
        if (GetParam() == Backend::Sqlite) {
            url_ = "sqlite://" + tmp_.file("store.db");
        } else {
            DG_POSTGRES_DATABASE_OR_SKIP(pg_url);
            url_ = pg_url;
        }
        auto s = Store::open(url_);
        ASSERT_TRUE(s) << s.error().to_string();
        store_ = std::move(*s);
    }

    Result<model::Scan> new_scan(const std::string& notes = "") {
        NewScan n;
        n.notes = notes;
        n.rib_path = "/data/rib.20260101.0000.gz";
        n.rib_hash = "sha256:abc";
        n.config_json = R"({"concurrency": 100})";
        return store_->create_scan(n);
    }

    test::TempDir tmp_;
    std::string url_;
    std::unique_ptr<Store> store_;
};

TEST_P(StoreTest, MigrationsAreAppliedOnceAndReopenIsANoOp) {
    const int latest = internal::migrations().back().version;
    auto v = store_->schema_version();
    ASSERT_TRUE(v) << v.error().to_string();
    EXPECT_EQ(*v, latest);
    auto scan = new_scan("kept");
    ASSERT_TRUE(scan);
    for (int i = 0; i < 2; ++i) {
        auto again = Store::open(url_);
        ASSERT_TRUE(again) << again.error().to_string();
        EXPECT_EQ(*(*again)->schema_version(), latest);
        auto scans = (*again)->list_scans();
        ASSERT_TRUE(scans);
        ASSERT_EQ(scans->size(), 1U);
        EXPECT_EQ((*scans)[0].notes, "kept");
    }
    // Recorded once each, whatever the number of opens.
    const std::string sql = "SELECT version || ' ' || name FROM schema_migrations ORDER BY version";
    std::string expected;
    for (const auto& m : internal::migrations()) {
        expected += std::to_string(m.version) + " " + m.name + "\n";
    }
    if (GetParam() == Backend::Sqlite) {
        DG_TOOL_OR_SKIP("sqlite3");
        const auto out = test::run_command({"sqlite3", tmp_.file("store.db"), sql});
        EXPECT_EQ(out.out, expected) << out.err;
    } else {
        DG_TOOL_OR_SKIP("psql");
        const auto out = test::run_command({"psql", url_, "-Atc", sql});
        EXPECT_EQ(out.out, expected) << out.err;
    }
}

/// A database written before migration 5 kept the NS/MX hosts' addresses in ip_mappings once per
/// domain and A/AAAA records twice; opening it moves them into host_addresses, once per scan.
TEST_P(StoreTest, Migration5MovesHostAddressesOutOfIpMappings) {
    auto scan = new_scan("before 0003");
    ASSERT_TRUE(scan);
    ASSERT_TRUE(store_->write_results(scan->id, make_batch(0, 10)));
    internal::Connection& c = *store_->sql_connection();
    ASSERT_TRUE(c.exec_script(
        // a database before migration 5 has none of the later ones either
        "DROP TABLE host_addresses; DELETE FROM schema_migrations WHERE version >= 5;"
        "ALTER TABLE changes DROP COLUMN address; ALTER TABLE changes DROP COLUMN record_type;"
        "ALTER TABLE changes DROP COLUMN role; ALTER TABLE changes DROP COLUMN host;"
        "ALTER TABLE scans DROP COLUMN status_detail;"
        "DROP TABLE ptr_names; DROP TABLE ptr_results; DROP TABLE ptr_sweeps;" // 0008
        "DROP TABLE scan_rate; DROP TABLE scan_workers; DROP TABLE scan_shard_inputs;"
        "DROP TABLE scan_shards;" // 0010
        "DROP TABLE alert_deliveries; DROP TABLE alerts; DROP TABLE watch_runs;"
        "DROP TABLE watches;" // 0012
        "INSERT INTO ip_mappings (result_id, scan_id, role, host, ip, prefix, asn, origins, org, "
        "ttl) SELECT r.id, r.scan_id, 'ns', 'ns1.example.com', '203.0.113.53', "
        "'203.0.113.0/24', 64500, '[64500]', 'Org', 86400 FROM scan_results r "
        "WHERE r.status = 'NOERROR';"
        "INSERT INTO dns_records (result_id, type, owner, value) SELECT id, 'A', 'x', "
        "'192.0.2.1' FROM scan_results;"));
    store_.reset();
    auto again = Store::open(url_);
    ASSERT_TRUE(again) << again.error().to_string();
    store_ = std::move(*again);
    EXPECT_EQ(*store_->schema_version(), internal::migrations().back().version);
    internal::Connection& m = *store_->sql_connection();
    auto count = [&](const char* sql) {
        auto n = m.query_int(sql, {});
        EXPECT_TRUE(n) << sql << ": " << n.error().to_string();
        return n ? *n : -1;
    };
    EXPECT_EQ(count("SELECT count(*) FROM host_addresses"), 1);
    EXPECT_EQ(count("SELECT count(*) FROM ip_mappings WHERE role IN ('ns', 'mx')"), 0);
    EXPECT_EQ(count("SELECT count(*) FROM dns_records WHERE type = 'A'"), 0);
    auto by_asn = store_->domains_by_asn(scan->id, 64500);
    ASSERT_TRUE(by_asn) << by_asn.error().to_string();
    EXPECT_EQ(by_asn->size(), 8U); // every NOERROR domain
    EXPECT_EQ(plain(*store_->results_vector(scan->id, {})), sorted(make_batch(0, 10)));
}

TEST_P(StoreTest, DetailRowsKeepTheirValueConstraints) {
    // Migration 13 rewrote the SQLite CHECKs from IN lists to ORs (an IN list of three or more
    // constants is a temporary B-tree per inserted row there): the accepted values are the same.
    auto scan = new_scan();
    ASSERT_TRUE(scan);
    ASSERT_TRUE(store_->write_results(scan->id, make_batch(0, 4)));
    internal::Connection& c = *store_->sql_connection();
    const std::string result = "(SELECT MIN(id) FROM scan_results)";
    EXPECT_FALSE(c.exec_script("INSERT INTO dns_records (result_id, type, owner, value) VALUES (" +
                               result + ", 'TXT', 'x', 'y')"));
    EXPECT_FALSE(c.exec_script("INSERT INTO ip_mappings (result_id, scan_id, role, ip) VALUES (" +
                               result + ", 1, 'host', '192.0.2.1')"));
    for (const char* type : {"A", "AAAA", "CNAME", "NS", "MX"}) {
        EXPECT_TRUE(
            c.exec_script("INSERT INTO dns_records (result_id, type, owner, value) VALUES (" +
                          result + ", '" + type + "', 'x', 'y')"))
            << type;
    }
    for (const char* role : {"a", "aaaa", "ns", "mx"}) {
        EXPECT_TRUE(
            c.exec_script("INSERT INTO ip_mappings (result_id, scan_id, role, ip) VALUES (" +
                          result + ", 1, '" + role + "', '192.0.2.1')"))
            << role;
    }
    if (GetParam() == Backend::Sqlite) {
        std::int64_t in_lists = -1;
        ASSERT_TRUE(c.query("SELECT count(*) FROM sqlite_master WHERE name IN ('dns_records', "
                            "'ip_mappings') AND sql LIKE '% IN (%'",
                            {}, [&](const internal::Row& row) {
                                in_lists = row.integer(0);
                                return false;
                            }));
        EXPECT_EQ(in_lists, 0);
    }
}

TEST_P(StoreTest, ScanLifecycle) {
    auto a = new_scan("first");
    ASSERT_TRUE(a) << a.error().to_string();
    EXPECT_EQ(a->status, model::ScanStatus::Running);
    EXPECT_GT(a->started_at, 0);
    EXPECT_FALSE(a->finished_at);
    EXPECT_EQ(a->rib_hash, "sha256:abc");
    EXPECT_EQ(a->config_json, R"({"concurrency": 100})");
    auto b = new_scan("second");
    ASSERT_TRUE(b);
    EXPECT_GT(b->id, a->id);

    ASSERT_TRUE(store_->set_domains_total(a->id, 42));
    ASSERT_TRUE(store_->set_scan_status(a->id, model::ScanStatus::Interrupted, 1'800'000'000));
    auto got = store_->get_scan(a->id);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->domains_total, 42U);
    EXPECT_EQ(got->status, model::ScanStatus::Interrupted);
    EXPECT_EQ(got->finished_at, 1'800'000'000);
    ASSERT_TRUE(store_->set_scan_status(a->id, model::ScanStatus::Running));
    EXPECT_FALSE(store_->get_scan(a->id)->finished_at);
    ASSERT_TRUE(store_->set_scan_status(a->id, model::ScanStatus::Complete));
    EXPECT_TRUE(store_->get_scan(a->id)->finished_at);

    auto scans = store_->list_scans();
    ASSERT_TRUE(scans);
    ASSERT_EQ(scans->size(), 2U);
    EXPECT_EQ((*scans)[0].notes, "first");
    EXPECT_EQ((*scans)[1].notes, "second");

    auto missing = store_->get_scan(9999);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
    EXPECT_FALSE(store_->set_scan_status(9999, model::ScanStatus::Failed));
    EXPECT_EQ(store_->delete_scan(9999).error().code, ErrorCode::NotFound);
}

TEST_P(StoreTest, BatchWriteReadsBackEqual) {
    auto scan = new_scan();
    ASSERT_TRUE(scan);
    const auto batch = make_batch(0, 60);
    auto w = store_->write_results(scan->id, batch);
    ASSERT_TRUE(w) << w.error().to_string();
    auto rows = store_->results_vector(scan->id, {});
    ASSERT_TRUE(rows) << rows.error().to_string();
    EXPECT_EQ(plain(*rows), sorted(batch));
    for (const auto& r : *rows) {
        EXPECT_EQ(r.scan_id, scan->id);
    }
    EXPECT_EQ(store_->get_scan(scan->id)->domains_done, 60U);
    // An empty batch is fine and changes nothing.
    ASSERT_TRUE(store_->write_results(scan->id, {}));
    EXPECT_EQ(store_->get_scan(scan->id)->domains_done, 60U);
}

TEST_P(StoreTest, ExactlyOneResultPerDomainUnderRewrites) {
    auto scan = new_scan();
    ASSERT_TRUE(scan);
    ASSERT_TRUE(store_->write_results(scan->id, make_batch(0, 30)));
    // Re-write an overlapping range with new content, with duplicates inside the batch: the
    // last one of a domain wins.
    auto again = make_batch(20, 40, 1);
    again.push_back(make_result(25, 2));
    auto w = store_->write_results(scan->id, again);
    ASSERT_TRUE(w) << w.error().to_string();
    auto rows = store_->results_vector(scan->id, {});
    ASSERT_TRUE(rows);
    ASSERT_EQ(rows->size(), 40U);
    EXPECT_EQ(store_->get_scan(scan->id)->domains_done, 40U);
    std::vector<DomainResult> expected = make_batch(0, 20);
    for (int i = 20; i < 40; ++i) {
        expected.push_back(make_result(i, i == 25 ? 2 : 1));
    }
    EXPECT_EQ(plain(*rows), sorted(expected));

    auto done = store_->done_domain_list(scan->id);
    ASSERT_TRUE(done);
    std::set<std::string> names(done->begin(), done->end());
    EXPECT_EQ(names.size(), 40U);
    EXPECT_EQ(done->size(), 40U);
    EXPECT_TRUE(names.count("d039.example"));

    // Results per scan are independent.
    auto other = new_scan();
    ASSERT_TRUE(store_->write_results(other->id, make_batch(0, 5)));
    EXPECT_EQ(store_->done_domain_list(other->id)->size(), 5U);
    EXPECT_EQ(store_->done_domain_list(scan->id)->size(), 40U);
}

TEST_P(StoreTest, FiltersAndPagination) {
    auto scan = new_scan();
    ASSERT_TRUE(scan);
    const auto batch = make_batch(0, 50);
    ASSERT_TRUE(store_->write_results(scan->id, batch));

    ResultFilter by_domain;
    by_domain.domain = "d007.example";
    auto one = store_->results_vector(scan->id, by_domain);
    ASSERT_TRUE(one);
    ASSERT_EQ(one->size(), 1U);
    EXPECT_EQ((*one)[0].result, make_result(7));

    ResultFilter by_status;
    by_status.status = "NXDOMAIN";
    auto nx = store_->results_vector(scan->id, by_status);
    ASSERT_TRUE(nx);
    EXPECT_EQ(nx->size(), 10U);
    for (const auto& r : *nx) {
        EXPECT_EQ(r.result.status, "NXDOMAIN");
    }

    // AS64497 originates the A record of domains with (i % 3) == 1 and no NXDOMAIN.
    ResultFilter by_asn;
    by_asn.asn = 64497;
    auto asn = store_->results_vector(scan->id, by_asn);
    ASSERT_TRUE(asn) << asn.error().to_string();
    std::vector<std::string> expected;
    for (int i = 0; i < 50; ++i) {
        if (i % 5 != 0 && i % 3 == 1) {
            expected.push_back(make_result(i).domain);
        }
    }
    std::vector<std::string> got;
    for (const auto& r : *asn) {
        got.push_back(r.result.domain);
    }
    EXPECT_EQ(got, expected);
    auto by_asn_names = store_->domains_by_asn(scan->id, 64497);
    ASSERT_TRUE(by_asn_names);
    EXPECT_EQ(*by_asn_names, expected);
    // The NS address's AS covers every resolved domain (via the NS host).
    EXPECT_EQ(store_->domains_by_asn(scan->id, 64500)->size(), 40U);
    EXPECT_TRUE(store_->domains_by_asn(scan->id, 1)->empty());

    ResultFilter combined;
    combined.asn = 64497;
    combined.status = "NXDOMAIN";
    EXPECT_TRUE(store_->results_vector(scan->id, combined)->empty());

    // Pages of 7 concatenate to the whole, in domain order.
    std::vector<DomainResult> paged;
    for (std::uint64_t offset = 0;; offset += 7) {
        ResultFilter page;
        page.limit = 7;
        page.offset = offset;
        auto rows = store_->results_vector(scan->id, page);
        ASSERT_TRUE(rows) << rows.error().to_string();
        if (rows->empty()) {
            break;
        }
        EXPECT_LE(rows->size(), 7U);
        for (auto& r : *rows) {
            paged.push_back(r.result);
        }
    }
    EXPECT_EQ(paged, sorted(batch));
    ResultFilter tail;
    tail.offset = 45;
    EXPECT_EQ(store_->results_vector(scan->id, tail)->size(), 5U);

    EXPECT_EQ(*store_->count_results(scan->id, {}), 50U);
    EXPECT_EQ(*store_->count_results(scan->id, tail), 50U); // offset/limit ignored
    EXPECT_EQ(*store_->count_results(scan->id, by_status), 10U);
    EXPECT_EQ(*store_->count_results(scan->id, by_asn), expected.size());
    EXPECT_EQ(*store_->count_results(scan->id, combined), 0U);
    EXPECT_EQ(*store_->count_results(9999, {}), 0U);
}

TEST_P(StoreTest, StreamingReadStopsEarlyAndTheStoreStaysUsable) {
    auto scan = new_scan();
    ASSERT_TRUE(scan);
    ASSERT_TRUE(store_->write_results(scan->id, make_batch(0, 40)));
    int seen = 0;
    ASSERT_TRUE(store_->results(scan->id, {}, [&](const StoredResult&) { return ++seen < 3; }));
    EXPECT_EQ(seen, 3);
    int names = 0;
    ASSERT_TRUE(store_->done_domains(scan->id, [&](const std::string&) { return ++names < 5; }));
    EXPECT_EQ(names, 5);
    EXPECT_EQ(store_->results_vector(scan->id, {})->size(), 40U);
}

TEST_P(StoreTest, DomainHistoryIsInScanOrder) {
    std::vector<std::int64_t> ids;
    for (int version = 0; version < 3; ++version) {
        auto scan = new_scan("v" + std::to_string(version));
        ASSERT_TRUE(scan);
        ids.push_back(scan->id);
        ASSERT_TRUE(store_->write_results(scan->id, make_batch(1, 4, version)));
    }
    // A scan without the domain is simply absent from its history.
    auto empty = new_scan("without");
    ASSERT_TRUE(store_->write_results(empty->id, make_batch(10, 12)));

    std::vector<StoredResult> history;
    ASSERT_TRUE(store_->domain_history("d002.example", [&](const StoredResult& r) {
        history.push_back(r);
        return true;
    }));
    ASSERT_EQ(history.size(), 3U);
    for (int version = 0; version < 3; ++version) {
        EXPECT_EQ(history[static_cast<std::size_t>(version)].scan_id,
                  ids[static_cast<std::size_t>(version)]);
        EXPECT_EQ(history[static_cast<std::size_t>(version)].result, make_result(2, version));
    }
    int none = 0;
    ASSERT_TRUE(store_->domain_history("unknown.example", [&](const StoredResult&) {
        ++none;
        return true;
    }));
    EXPECT_EQ(none, 0);
}

TEST_P(StoreTest, ChangesRoundTripAndAreReplaced) {
    auto a = new_scan();
    auto b = new_scan();
    ASSERT_TRUE(a && b);
    ASSERT_TRUE(store_->write_results(a->id, make_batch(0, 3)));
    ASSERT_TRUE(store_->write_results(b->id, make_batch(0, 3, 1)));
    const std::vector<model::Change> changes = {
        {"d001.example", model::ChangeType::AsnChanged, model::Severity::Warning, "64497", "64498",
         model::ChangeSubject{"192.0.2.1", "A", "domain", ""}},
        {"d001.example", model::ChangeType::OrgChanged, model::Severity::Info, R"("Old")",
         R"("New")", model::ChangeSubject{"2001:db8::1", "AAAA", "mx", "mx.example.com"}},
        {"d001.example",
         model::ChangeType::MxPreferenceChanged,
         model::Severity::Info,
         R"({"host": "mx.example.com", "preference": 10})",
         R"({"host": "mx.example.com", "preference": 11})",
         {}},
        {"gone.example",
         model::ChangeType::StatusChanged,
         model::Severity::Warning,
         R"("NOERROR")",
         R"("NXDOMAIN")",
         {}},
    };
    auto w = store_->write_changes(a->id, b->id, changes);
    ASSERT_TRUE(w) << w.error().to_string();
    auto got = store_->changes(a->id, b->id);
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, changes);
    EXPECT_TRUE(store_->changes(b->id, a->id)->empty());
    // Writing again replaces, never accumulates.
    ASSERT_TRUE(store_->write_changes(a->id, b->id, std::span(changes).first(1)));
    EXPECT_EQ(store_->changes(a->id, b->id)->size(), 1U);
    EXPECT_EQ(store_->write_changes(a->id, 9999, changes).error().code, ErrorCode::NotFound);
}

TEST_P(StoreTest, DeleteCascades) {
    auto a = new_scan("a");
    auto b = new_scan("b");
    ASSERT_TRUE(a && b);
    ASSERT_TRUE(store_->write_results(a->id, make_batch(0, 20)));
    ASSERT_TRUE(store_->write_results(b->id, make_batch(0, 20, 1)));
    const std::vector<model::Change> changes = {
        {"d001.example", model::ChangeType::AAdded, model::Severity::Info, "null", "\"x\"", {}}};
    ASSERT_TRUE(store_->write_changes(a->id, b->id, changes));

    auto d = store_->delete_scan(a->id);
    ASSERT_TRUE(d) << d.error().to_string();
    EXPECT_EQ(store_->get_scan(a->id).error().code, ErrorCode::NotFound);
    EXPECT_TRUE(store_->results_vector(a->id, {})->empty());
    EXPECT_TRUE(store_->domains_by_asn(a->id, 64500)->empty());
    EXPECT_TRUE(store_->changes(a->id, b->id)->empty());
    int history = 0;
    ASSERT_TRUE(store_->domain_history("d001.example", [&](const StoredResult& r) {
        EXPECT_EQ(r.scan_id, b->id);
        ++history;
        return true;
    }));
    EXPECT_EQ(history, 1);
    // The other scan is untouched.
    EXPECT_EQ(plain(*store_->results_vector(b->id, {})), sorted(make_batch(0, 20, 1)));
    EXPECT_EQ(store_->domains_by_asn(b->id, 64500)->size(), 16U);
    ASSERT_EQ(store_->list_scans()->size(), 1U);
}

TEST_P(StoreTest, AFailingBatchLeavesPreviousDataIntact) {
    auto scan = new_scan();
    ASSERT_TRUE(scan);
    const auto first = make_batch(0, 10);
    ASSERT_TRUE(store_->write_results(scan->id, first));

    // The database rejects the 8th result (status longer than the schema allows) after the
    // first ones of the batch were already written inside the transaction.
    auto bad = make_batch(5, 15, 1);
    bad[7].status = std::string(100, 'X');
    auto w = store_->write_results(scan->id, bad);
    ASSERT_FALSE(w);
    EXPECT_FALSE(w.error().message.empty());
    EXPECT_EQ(plain(*store_->results_vector(scan->id, {})), sorted(first));
    EXPECT_EQ(store_->get_scan(scan->id)->domains_done, 10U);

    // Rejected before any write: an empty name, an unknown scan.
    auto unnamed = make_batch(20, 22);
    unnamed[1].domain.clear();
    EXPECT_EQ(store_->write_results(scan->id, unnamed).error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(store_->write_results(9999, first).error().code, ErrorCode::NotFound);

    // The connection is still good for the next batch.
    ASSERT_TRUE(store_->write_results(scan->id, make_batch(10, 12)));
    EXPECT_EQ(store_->get_scan(scan->id)->domains_done, 12U);
}

TEST_P(StoreTest, UnicodeAndSpecialCharactersSurvive) {
    auto scan = new_scan("notes with 'quotes', \\backslash\\ and\nnewline, ü");
    ASSERT_TRUE(scan);
    DomainResult r = make_result(1);
    r.domain = "xn--bcher-kva.example";
    r.error = "tab\there, quote ' and \" and \\N and ü";
    ASSERT_TRUE(store_->write_results(scan->id, std::span(&r, 1)));
    auto rows = store_->results_vector(scan->id, {});
    ASSERT_TRUE(rows);
    ASSERT_EQ(rows->size(), 1U);
    EXPECT_EQ((*rows)[0].result, r);
    EXPECT_EQ(store_->get_scan(scan->id)->notes, scan->notes);
}

// Issue 19 item 8: PostgreSQL stored notes "x\0y" as "x" (libpq passes C strings) and looked up
// "test1.at\0.attacker" as "test1.at"; SQLite kept the whole string. Both backends refuse text
// with NUL at the parameter boundary, and notes with control characters at create_scan.
TEST_P(StoreTest, NulBytesAndControlCharactersAreRefusedOnBothBackends) {
    using namespace std::string_literals;
    auto nul = new_scan("x\0y"s);
    ASSERT_FALSE(nul);
    EXPECT_EQ(nul.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(nul.error().message.find("NUL"), std::string::npos) << nul.error().message;
    auto escape = new_scan("red \x1b[31m");
    ASSERT_FALSE(escape);
    EXPECT_EQ(escape.error().code, ErrorCode::InvalidArgument);
    ASSERT_TRUE(new_scan("two\nlines\tand a tab")); // free text keeps its layout
    auto* c = store_->sql_connection();
    ASSERT_NE(c, nullptr);
    auto q = c->query("SELECT id FROM scans WHERE notes = $1",
                      {internal::view("two\nlines\0attacker"s)});
    ASSERT_FALSE(q);
    EXPECT_EQ(q.error().code, ErrorCode::InvalidArgument);
    auto listed = store_->list_scans();
    ASSERT_TRUE(listed);
    EXPECT_EQ(listed->size(), 1U);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreTest, ::testing::Values(Backend::Sqlite));
INSTANTIATE_TEST_SUITE_P(Postgres, StoreTest, ::testing::Values(Backend::Postgres));

// --- opening: URLs and files ---

TEST(StoreOpen, WrongUrlSchemeIsAClearError) {
    auto s = Store::open("mysql://user:secret@localhost/db");
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(s.error().message.find("unsupported database URL scheme 'mysql'"), std::string::npos);
    EXPECT_EQ(s.error().to_string().find("secret"), std::string::npos);
    EXPECT_EQ(Store::open("sqlite://").error().code, ErrorCode::InvalidArgument);
}

TEST(StoreOpen, UnreachablePostgresIsUnavailable) {
    // Port 1 on loopback: nothing listens there.
    auto s = Store::open("postgresql://dg:secret@127.0.0.1:1/nothing?connect_timeout=3");
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, ErrorCode::Unavailable);
    EXPECT_NE(s.error().message.find("cannot connect to PostgreSQL"), std::string::npos);
    EXPECT_EQ(s.error().to_string().find("secret"), std::string::npos);
    EXPECT_NE(s.error().to_string().find("***"), std::string::npos);
}

// Issue 19 item 10: `--db 'sqlite:///x.db?mode=ro'` created a file named "x.db?mode=ro".
TEST(StoreOpen, SqliteUrlModeIsHonouredAndUnknownParametersAreRefused) {
    test::TempDir tmp;
    const std::string url = "sqlite://" + tmp.file("x.db");
    auto missing = Store::open(url + "?mode=ro");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("mode=ro does not create one"), std::string::npos)
        << missing.error().to_string();
    EXPECT_FALSE(Store::open(url + "?mode=rw"));
    {
        auto rw = Store::open(url + "?mode=rwc");
        ASSERT_TRUE(rw) << rw.error().to_string();
        ASSERT_TRUE((*rw)->create_scan(NewScan{}));
    }
    {
        auto ro = Store::open(url + "?mode=ro");
        ASSERT_TRUE(ro) << ro.error().to_string();
        auto scans = (*ro)->list_scans();
        ASSERT_TRUE(scans) << scans.error().to_string();
        EXPECT_EQ(scans->size(), 1U);
        auto write = (*ro)->create_scan(NewScan{});
        ASSERT_FALSE(write);
        EXPECT_NE(write.error().message.find("opened read-only (mode=ro)"), std::string::npos)
            << write.error().to_string();
    }
    EXPECT_TRUE(Store::open(url + "?mode=rw"));
    for (const char* bad : {"?mode=memory", "?cache=shared", "?mode=ro&vfs=unix"}) {
        auto s = Store::open(url + bad);
        ASSERT_FALSE(s) << bad;
        EXPECT_EQ(s.error().code, ErrorCode::InvalidArgument) << bad;
    }
    for (const auto& e : std::filesystem::directory_iterator(tmp.path())) {
        EXPECT_EQ(e.path().filename().string().find('?'), std::string::npos) << e.path();
    }
}

TEST(StoreOpen, PlainPathAndDefaultLocation) {
    test::TempDir tmp;
    {
        auto s = Store::open(tmp.file("plain.db"));
        ASSERT_TRUE(s) << s.error().to_string();
        EXPECT_STREQ((*s)->backend(), "sqlite");
    }
    EXPECT_FALSE(test::read_file(tmp.file("plain.db")).empty());
    ASSERT_EQ(setenv("DOMAINGRAPH_DATA_DIR", tmp.file("data/dir").c_str(), 1), 0);
    EXPECT_EQ(default_database_path(), tmp.file("data/dir") + "/domaingraph.db");
    {
        auto s = Store::open("");
        ASSERT_TRUE(s) << s.error().to_string();
    }
    unsetenv("DOMAINGRAPH_DATA_DIR");
    struct stat st {};
    EXPECT_EQ(stat((tmp.file("data/dir") + "/domaingraph.db").c_str(), &st), 0);
}

// Issue 12 item 15: SQLite's automatic checkpoint ran inside the COMMIT that crossed 1000 WAL
// pages and fsynced on the writer's thread, stalling a scan's pipeline for up to 0.9 s. The
// checkpoint now runs on its own thread and connection: the writer's own automatic checkpoint is
// off, the log still reaches the database file while writes go on, and closing leaves no log.
TEST(StoreOpen, SqliteCheckpointsBesideTheWriterNotInItsCommits) {
    test::TempDir tmp;
    const std::string path = tmp.file("ckpt.db");
    auto file_size = [](const std::string& p) -> long long {
        struct stat st {};
        return stat(p.c_str(), &st) == 0 ? static_cast<long long>(st.st_size) : -1;
    };
    {
        auto s = Store::open("sqlite://" + path);
        ASSERT_TRUE(s) << s.error().to_string();
        internal::Connection* c = (*s)->sql_connection();
        ASSERT_NE(c, nullptr);
        std::int64_t autocheckpoint = -1;
        ASSERT_TRUE(c->query("PRAGMA wal_autocheckpoint", {}, [&](const internal::Row& row) {
            autocheckpoint = row.integer(0);
            return false;
        }));
        EXPECT_EQ(autocheckpoint, 0) << "the writer's commits must not checkpoint";
        const long long empty = file_size(path);
        NewScan n;
        n.rib_path = "rib";
        auto scan = (*s)->create_scan(n);
        ASSERT_TRUE(scan);
        // ~2 MB of results per 1000: well past 1000 pages of 16 KiB in total.
        for (int round = 0; round < 12; ++round) {
            auto batch = make_batch(round * 1000, round * 1000 + 1000);
            for (auto& r : batch) {
                r.error = std::string(1500, 'e'); // bulk
            }
            ASSERT_TRUE((*s)->write_results(scan->id, batch));
        }
        bool grew = false;
        for (int i = 0; i < 500 && !grew; ++i) { // the checkpoint thread catches up
            grew = file_size(path) > empty + 8 * 1024 * 1024;
            if (!grew) {
                usleep(10'000);
            }
        }
        EXPECT_TRUE(grew) << "the log never reached the database file: " << file_size(path);
        auto count = (*s)->count_results(scan->id, {});
        ASSERT_TRUE(count);
        EXPECT_EQ(*count, 12000U);
    }
    EXPECT_EQ(file_size(path + "-wal"), -1) << "closing checkpoints the rest and removes the log";
    auto again = Store::open("sqlite://" + path);
    ASSERT_TRUE(again);
    auto scans = (*again)->list_scans();
    ASSERT_TRUE(scans);
    ASSERT_EQ(scans->size(), 1U);
    auto count = (*again)->count_results(scans->front().id, {});
    ASSERT_TRUE(count);
    EXPECT_EQ(*count, 12000U);
}

TEST(StoreOpen, NotADatabaseIsMalformed) {
    test::TempDir tmp;
    test::write_file(tmp.file("text.db"), std::string(5000, 'x') + "\nnot sqlite at all\n");
    auto s = Store::open("sqlite://" + tmp.file("text.db"));
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, ErrorCode::Malformed);
    EXPECT_NE(s.error().message.find("not a SQLite database"), std::string::npos)
        << s.error().to_string();
    EXPECT_NE(s.error().to_string().find("text.db"), std::string::npos);
    // The file is left as it was.
    EXPECT_EQ(test::read_file(tmp.file("text.db")),
              std::string(5000, 'x') + "\nnot sqlite at all\n");
}

TEST(StoreOpen, AnotherProgramsDatabaseIsRefusedUntouched) {
    DG_TOOL_OR_SKIP("sqlite3");
    test::TempDir tmp;
    const std::string path = tmp.file("seed.db");
    // The seed tool's layout: a 'domains' table of its own.
    const auto made = test::run_command(
        {"sqlite3", path,
         "CREATE TABLE domains (id INTEGER PRIMARY KEY, domain_name VARCHAR(253)); "
         "INSERT INTO domains VALUES (1, 'example.com');"});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    auto s = Store::open(path);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, ErrorCode::Malformed);
    EXPECT_NE(s.error().message.find("'domains' table that domaingraph did not create"),
              std::string::npos)
        << s.error().to_string();
    const auto tables = test::run_command({"sqlite3", path, ".tables"});
    EXPECT_EQ(tables.out, "domains\n"); // no schema_migrations left behind
}

TEST(StoreOpen, MissingDirectoryIsAnIoError) {
    auto s = Store::open("sqlite:///nonexistent-dir-for-dg-tests/sub/x.db");
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, ErrorCode::Io);
    EXPECT_NE(s.error().message.find("cannot open"), std::string::npos) << s.error().to_string();
}

/// Opens `path` (a read-only file) and checks the error; as root, in a child process that has
/// dropped to `nobody`, because root ignores file permissions.
std::string open_read_only_error(const std::string& path) {
    auto check = [&]() -> std::string {
        auto s = Store::open(path);
        if (s) {
            return "opened a read-only file for writing";
        }
        if (s.error().code != ErrorCode::Io ||
            s.error().message.find("read-only") == std::string::npos) {
            return "unexpected error: " + s.error().to_string();
        }
        return "";
    };
    if (geteuid() != 0) {
        return check();
    }
    int fds[2];
    if (pipe(fds) != 0) {
        return "pipe failed";
    }
    const pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        std::string msg = "cannot drop privileges";
        if (setgid(65534) == 0 && setuid(65534) == 0) {
            msg = check();
        }
        (void)!write(fds[1], msg.data(), msg.size());
        _exit(0);
    }
    close(fds[1]);
    std::string msg;
    char buf[512];
    ssize_t n = 0;
    while ((n = read(fds[0], buf, sizeof buf)) > 0) {
        msg.append(buf, static_cast<std::size_t>(n));
    }
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return msg;
}

TEST(StoreOpen, ReadOnlyFileIsAClearErrorAndDataStaysIntact) {
    test::TempDir tmp;
    const std::string path = tmp.file("ro.db");
    std::int64_t scan_id = 0;
    {
        auto s = Store::open(path);
        ASSERT_TRUE(s);
        auto scan = (*s)->create_scan({});
        ASSERT_TRUE(scan);
        scan_id = scan->id;
        const auto batch = make_batch(0, 5);
        ASSERT_TRUE((*s)->write_results(scan_id, batch));
    }
    ASSERT_EQ(chmod(tmp.path().c_str(), 0755), 0);
    ASSERT_EQ(chmod(path.c_str(), 0444), 0);
    EXPECT_EQ(open_read_only_error(path), "");
    ASSERT_EQ(chmod(path.c_str(), 0644), 0);
    auto s = Store::open(path);
    ASSERT_TRUE(s);
    EXPECT_EQ(plain(*(*s)->results_vector(scan_id, {})), sorted(make_batch(0, 5)));
}

} // namespace
} // namespace dg::store
