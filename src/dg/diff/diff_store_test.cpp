// diff_scans() over real stores: the streaming merge-join gives exactly what pairwise compare()
// gives, for SQLite (diff_store_test) and PostgreSQL (diff_store_postgres_test).

#include "dg/diff/diff.hpp"
#include "dg/store/external.hpp"
#include "dg/store/store.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/support/support.hpp"

#include <algorithm>
#include <gtest/gtest.h>
#include <map>

namespace dg::diff {
namespace {

using model::Change;
using model::DomainResult;
using model::IpMapping;

enum class Backend { Sqlite, Postgres };

IpMapping mapping(const std::string& ip, std::uint32_t asn) {
    IpMapping m;
    m.ip = *IpAddress::parse(ip);
    m.prefix = *Prefix::parse(ip + "/24", /*allow_host_bits=*/true);
    m.asn = Asn(asn);
    m.origins = {Asn(asn)};
    return m;
}

/// Domain `i` as scan `version` (0 or 1) saw it; every few domains differ between versions.
DomainResult make_result(int i, int version) {
    DomainResult r;
    r.domain = "d" + std::to_string(100000 + i) + ".example";
    r.status = "NOERROR";
    const int octet = i % 250;
    r.a = {mapping("192.0." + std::to_string(octet) + ".1", 64496)};
    r.ns = {{"ns1.example.net", 3600, {mapping("198.51.100.1", 64500)}}};
    r.mx = {{10, "mx.example.net", 300, {}}};
    if (version == 1) {
        if (i % 7 == 0) {
            r.a.push_back(mapping("192.0." + std::to_string(octet) + ".2", 64496));
        }
        if (i % 11 == 0) {
            r.a.front().asn = Asn(16509);
        }
        if (i % 13 == 0) {
            r.ns.clear();
        }
        if (i % 17 == 0) {
            r.mx.front().preference = 20;
        }
        if (i % 19 == 0) {
            r.status = "SERVFAIL";
        }
    }
    return r;
}

/// Scan A holds domains [0, n) but not those ≡ 3 (mod 10); scan B holds [5, n + 40) but not those
/// ≡ 4 (mod 10): both "only in" cases at the ends and in the middle.
bool in_a(int i, int n) {
    return i >= 0 && i < n && i % 10 != 3;
}
bool in_b(int i, int n) {
    return i >= 5 && i < n + 40 && i % 10 != 4;
}

class DiffStoreTest : public ::testing::TestWithParam<Backend> {
protected:
    void SetUp() override {
        if (GetParam() == Backend::Sqlite) {
            url_ = "sqlite://" + tmp_.file("diff.db");
        } else {
            DG_POSTGRES_DATABASE_OR_SKIP(pg_url);
            url_ = pg_url;
        }
        store_ = open();
        reader_ = open();
        ASSERT_TRUE(store_ && reader_);
    }

    std::unique_ptr<store::Store> open() {
        auto s = store::Store::open(url_);
        EXPECT_TRUE(s) << s.error().to_string();
        return s ? std::move(*s) : nullptr;
    }

    std::int64_t write_scan(int n, int version, bool (*keep)(int, int)) {
        auto scan = store_->create_scan({});
        EXPECT_TRUE(scan) << scan.error().to_string();
        std::vector<DomainResult> batch;
        for (int i = n + 40; i >= 0; --i) { // written out of order on purpose
            if (keep(i, n)) {
                batch.push_back(make_result(i, version));
            }
            if (batch.size() == 300 || (i == 0 && !batch.empty())) {
                auto w = store_->write_results(scan->id, batch);
                EXPECT_TRUE(w) << w.error().to_string();
                batch.clear();
            }
        }
        return scan->id;
    }

    test::TempDir tmp_;
    std::string url_;
    std::unique_ptr<store::Store> store_;
    std::unique_ptr<store::Store> reader_;
};

TEST_P(DiffStoreTest, MergeJoinEqualsPairwiseComparison) {
    constexpr int kDomains = 1500; // well past the hand-off queue's capacity
    const auto a = write_scan(kDomains, 0, in_a);
    const auto b = write_scan(kDomains, 1, in_b);

    std::map<std::string, std::vector<Change>> want;
    Summary want_summary;
    for (int i = 0; i < kDomains + 40; ++i) {
        const DomainResult ra = make_result(i, 0);
        const DomainResult rb = make_result(i, 1);
        std::vector<Change> changes;
        if (in_a(i, kDomains) && in_b(i, kDomains)) {
            changes = compare(ra, rb);
            ++want_summary.domains_compared;
            want_summary.domains_changed += changes.empty() ? 0U : 1U;
        } else if (in_a(i, kDomains)) {
            changes = {only_in_a(ra)};
            ++want_summary.domains_only_in_a;
        } else if (in_b(i, kDomains)) {
            changes = {only_in_b(rb)};
            ++want_summary.domains_only_in_b;
        }
        want_summary.domains_a += in_a(i, kDomains) ? 1U : 0U;
        want_summary.domains_b += in_b(i, kDomains) ? 1U : 0U;
        for (const auto& c : changes) {
            want_summary.count(c);
            want[c.domain].push_back(c);
        }
    }
    std::vector<Change> want_list;
    for (const auto& [domain, changes] : want) { // domain order
        want_list.insert(want_list.end(), changes.begin(), changes.end());
    }

    std::vector<Change> got;
    DiffSink sink;
    sink.change = [&](const Change& c) {
        got.push_back(c);
        return true;
    };
    auto summary = diff_scans(*reader_, *store_, a, b, sink);
    ASSERT_TRUE(summary) << summary.error().to_string();
    want_summary.scan_a = a;
    want_summary.scan_b = b;
    EXPECT_EQ(*summary, want_summary);
    EXPECT_EQ(got, want_list);
    EXPECT_GT(summary->by_type[static_cast<std::size_t>(model::ChangeType::AsnChanged)], 0U);
    EXPECT_GT(summary->domains_only_in_a, 0U);
    EXPECT_GT(summary->domains_only_in_b, 0U);

    // The same scan against itself: nothing changed.
    auto same = diff_scans(*reader_, *store_, a, a, {});
    ASSERT_TRUE(same) << same.error().to_string();
    EXPECT_EQ(same->changes, 0U);
    EXPECT_EQ(same->domains_compared, same->domains_a);
}

TEST_P(DiffStoreTest, EmptyScansAndUnknownScans) {
    const auto a = store_->create_scan({})->id;
    const auto b = write_scan(20, 0, in_b);
    auto empty = diff_scans(*reader_, *store_, a, a, {});
    ASSERT_TRUE(empty) << empty.error().to_string();
    EXPECT_EQ(empty->changes, 0U);
    auto all_new = diff_scans(*reader_, *store_, a, b, {});
    ASSERT_TRUE(all_new);
    EXPECT_EQ(all_new->domains_only_in_b, all_new->domains_b);
    EXPECT_EQ(all_new->changes, all_new->domains_b);
    auto all_gone = diff_scans(*reader_, *store_, b, a, {});
    ASSERT_TRUE(all_gone);
    EXPECT_EQ(all_gone->domains_only_in_a, all_new->domains_b);

    auto missing = diff_scans(*reader_, *store_, a, 999, {});
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
}

TEST_P(DiffStoreTest, AStoppingSinkCancelsAndBothConnectionsStayUsable) {
    const auto a = write_scan(1200, 0, in_a);
    const auto b = write_scan(1200, 1, in_b);
    int seen = 0;
    DiffSink sink;
    sink.change = [&](const Change&) { return ++seen < 3; };
    auto r = diff_scans(*reader_, *store_, a, b, sink);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::Cancelled);
    EXPECT_EQ(seen, 3);
    EXPECT_TRUE(store_->list_scans());
    EXPECT_TRUE(reader_->list_scans());
    auto again = diff_scans(*reader_, *store_, a, b, {});
    ASSERT_TRUE(again) << again.error().to_string();
    EXPECT_GT(again->changes, 3U);
}

TEST_P(DiffStoreTest, ScanReferences) {
    EXPECT_EQ(resolve_scan(*store_, "latest").error().code, ErrorCode::NotFound);
    const auto a = store_->create_scan({})->id;
    const auto b = store_->create_scan({})->id;
    ASSERT_TRUE(store_->set_scan_status(a, model::ScanStatus::Complete));
    EXPECT_EQ(resolve_scan(*store_, "latest")->id, b);
    EXPECT_EQ(resolve_scan(*store_, "previous")->id, a);
    EXPECT_EQ(resolve_scan(*store_, "latest-complete")->id, a);
    EXPECT_EQ(resolve_scan(*store_, std::to_string(b))->id, b);
    EXPECT_EQ(resolve_scan(*store_, "12345").error().code, ErrorCode::NotFound);
    for (const char* bad : {"", "x", "-1", "0", "1x", "99999999999999999999"}) {
        EXPECT_EQ(resolve_scan(*store_, bad).error().code, ErrorCode::InvalidArgument) << bad;
    }
}

/// Issue 12 item 17: "previous" is the newest earlier scan with the same set of names, on both
/// backends; the name-set hash does not depend on the order of the names.
TEST_P(DiffStoreTest, PreviousIsTheScanOfTheSameNames) {
    auto scan_of = [&](std::vector<int> ids) {
        const auto id = store_->create_scan({})->id;
        std::vector<DomainResult> rs;
        for (int i : ids) {
            rs.push_back(make_result(i, 0));
        }
        EXPECT_TRUE(store_->write_results(id, rs));
        EXPECT_TRUE(store_->set_scan_status(id, model::ScanStatus::Complete));
        return id;
    };
    const auto x1 = scan_of({1, 2, 3});
    const auto y1 = scan_of({1, 2, 4}); // as many names, another set
    const auto x2 = scan_of({3, 1, 2}); // x again, written in another order
    const auto z = scan_of({1, 2});
    auto set_x1 = store::name_set(*store_, x1);
    ASSERT_TRUE(set_x1);
    EXPECT_EQ(set_x1->count, 3u);
    EXPECT_EQ(*set_x1, *store::name_set(*store_, x2));
    EXPECT_NE(set_x1->hash, store::name_set(*store_, y1)->hash);
    EXPECT_TRUE(set_x1->hash.starts_with("names:"));
    const auto x2_scan = *store_->get_scan(x2);
    EXPECT_EQ(resolve_scan(*store_, "previous", &x2_scan)->id, x1);
    auto latest_prev = resolve_scan(*store_, "previous"); // the latest is z: no earlier {1, 2}
    ASSERT_FALSE(latest_prev);
    EXPECT_EQ(latest_prev.error().code, ErrorCode::NotFound);
    auto pair = resolve_pair(*store_, "previous", std::to_string(x2));
    ASSERT_TRUE(pair) << pair.error().to_string();
    EXPECT_EQ(pair->a.id, x1);
    EXPECT_EQ(pair->how_a, "'previous' = scan " + std::to_string(x1) +
                               ", the newest earlier scan of the same 3 names as scan " +
                               std::to_string(x2));
    EXPECT_EQ(pair->how_b, "scan " + std::to_string(x2));
    (void)z;
}

/// A real store whose results() arrive in another order, as from a PostgreSQL database with a
/// collation that ignores punctuation (en_US.UTF-8 sorts "ab" before "a-c").
class CollatingStore : public store::Store {
public:
    explicit CollatingStore(store::Store& real) : real_(real) {}
    [[nodiscard]] const char* backend() const override { return real_.backend(); }
    Result<int> schema_version() override { return real_.schema_version(); }
    Result<model::Scan> create_scan(const store::NewScan& s) override {
        return real_.create_scan(s);
    }
    Result<void> set_domains_total(std::int64_t id, std::uint64_t n) override {
        return real_.set_domains_total(id, n);
    }
    Result<void> set_scan_status(std::int64_t id, model::ScanStatus s, model::UnixTime t) override {
        return real_.set_scan_status(id, s, t);
    }
    Result<std::vector<model::Scan>> list_scans() override { return real_.list_scans(); }
    Result<model::Scan> get_scan(std::int64_t id) override { return real_.get_scan(id); }
    Result<void> delete_scan(std::int64_t id) override { return real_.delete_scan(id); }
    Result<void> write_results(std::int64_t id, std::span<const DomainResult> b) override {
        return real_.write_results(id, b);
    }
    Result<void> done_domains(std::int64_t id, const store::NameCallback& cb) override {
        return real_.done_domains(id, cb);
    }
    Result<void> results(std::int64_t id, const store::ResultFilter& f,
                         const store::ResultCallback& cb) override {
        DG_TRY(auto rows, real_.results_vector(id, f));
        auto key = [](const std::string& name) {
            std::string k;
            for (char c : name) {
                if (c != '-' && c != '.') {
                    k += c;
                }
            }
            return k;
        };
        std::stable_sort(rows.begin(), rows.end(), [&](const auto& x, const auto& y) {
            return key(x.result.domain) < key(y.result.domain);
        });
        for (const auto& r : rows) {
            if (!cb(r)) {
                break;
            }
        }
        return ok();
    }
    Result<std::uint64_t> count_results(std::int64_t id, const store::ResultFilter& f) override {
        return real_.count_results(id, f);
    }
    Result<void> domain_history(const std::string& d, const store::ResultCallback& cb) override {
        return real_.domain_history(d, cb);
    }
    Result<std::vector<std::string>> domains_by_asn(std::int64_t id, std::uint32_t asn) override {
        return real_.domains_by_asn(id, asn);
    }
    Result<void> write_changes(std::int64_t a, std::int64_t b, std::span<const Change> c) override {
        return real_.write_changes(a, b, c);
    }
    Result<std::vector<Change>> changes(std::int64_t a, std::int64_t b) override {
        return real_.changes(a, b);
    }

private:
    store::Store& real_;
};

TEST_P(DiffStoreTest, NamesOutOfByteOrderAreAnErrorNotWrongChanges) {
    std::vector<DomainResult> batch;
    for (const char* name : {"a-c.example", "ab.example", "b.example"}) {
        batch.push_back(make_result(1, 0));
        batch.back().domain = name;
    }
    const auto a = store_->create_scan({})->id;
    const auto b = store_->create_scan({})->id;
    ASSERT_TRUE(store_->write_results(a, batch));
    ASSERT_TRUE(store_->write_results(b, batch));
    CollatingStore collating_a(*reader_);
    CollatingStore collating_b(*store_);
    std::vector<Change> got;
    DiffSink sink;
    sink.change = [&](const Change& c) {
        got.push_back(c);
        return true;
    };
    auto r = diff_scans(collating_a, collating_b, a, b, sink);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::Malformed);
    EXPECT_NE(r.error().message.find("out of order"), std::string::npos) << r.error().message;
    EXPECT_TRUE(got.empty());
    // Byte order (the real store) gives the right answer: nothing changed.
    auto fine = diff_scans(*reader_, *store_, a, b, {});
    ASSERT_TRUE(fine) << fine.error().to_string();
    EXPECT_EQ(fine->changes, 0U);
}

/// Results kept outside the database (store/external.hpp), as the lake keeps a distributed
/// scan's: served from memory, cut into shards by a hash of the name.
class MemoryShards final : public store::ExternalResults {
public:
    void keep(std::int64_t scan_id, std::uint32_t shards, std::vector<DomainResult> results) {
        scans_[scan_id] = {shards, std::move(results)};
    }
    Result<std::optional<std::uint32_t>> shard_count(store::Store&,
                                                     const model::Scan& scan) override {
        const auto it = scans_.find(scan.id);
        return it == scans_.end() ? std::nullopt : std::optional<std::uint32_t>(it->second.first);
    }
    [[nodiscard]] std::uint32_t shard_of(std::string_view domain,
                                         std::uint32_t shards) const override {
        return static_cast<std::uint32_t>(std::hash<std::string_view>()(domain) % shards);
    }
    Result<void> shard_results(store::Store&, const model::Scan& scan, std::uint32_t shard,
                               const store::DomainCallback& cb) override {
        const auto& [shards, all] = scans_.at(scan.id);
        std::vector<DomainResult> part;
        for (const auto& r : all) {
            if (shard_of(r.domain, shards) == shard) {
                part.push_back(r);
            }
        }
        std::sort(part.begin(), part.end(),
                  [](const auto& x, const auto& y) { return x.domain < y.domain; });
        for (auto& r : part) {
            if (!cb(std::move(r))) {
                break;
            }
        }
        return ok();
    }

private:
    std::map<std::int64_t, std::pair<std::uint32_t, std::vector<DomainResult>>> scans_;
};

/// Unregisters the source however the test ends.
struct RegisteredSource {
    explicit RegisteredSource(std::shared_ptr<store::ExternalResults> s) {
        store::set_external_results(std::move(s));
    }
    ~RegisteredSource() { store::set_external_results(nullptr); }
    RegisteredSource(const RegisteredSource&) = delete;
    RegisteredSource& operator=(const RegisteredSource&) = delete;
};

TEST_P(DiffStoreTest, ScansKeptOutsideTheDatabaseReadAndDiffAsFromTheDatabase) {
    constexpr int kDomains = 600;
    const auto a = write_scan(kDomains, 0, in_a);
    const auto b = write_scan(kDomains, 1, in_b);
    std::vector<DomainResult> results_a;
    std::vector<DomainResult> results_b;
    for (int i = 0; i < kDomains + 40; ++i) {
        if (in_a(i, kDomains)) {
            results_a.push_back(make_result(i, 0));
        }
        if (in_b(i, kDomains)) {
            results_b.push_back(make_result(i, 1));
        }
    }
    auto shards = std::make_shared<MemoryShards>();
    const auto lake_a = store_->create_scan({})->id;
    const auto lake_b = store_->create_scan({})->id;
    const auto lake_b5 = store_->create_scan({})->id;
    shards->keep(lake_a, 8, results_a);
    shards->keep(lake_b, 8, results_b);
    shards->keep(lake_b5, 5, results_b);
    const RegisteredSource registered(shards);

    auto changes_of = [&](std::int64_t x, std::int64_t y) {
        std::vector<Change> got;
        DiffSink sink;
        sink.change = [&](const Change& c) {
            got.push_back(c);
            return true;
        };
        auto summary = diff_scans(*reader_, *store_, x, y, sink);
        EXPECT_TRUE(summary) << summary.error().to_string();
        Summary s = summary ? *summary : Summary{};
        s.scan_a = 0;
        s.scan_b = 0;
        return std::make_pair(s, got);
    };
    const auto want = changes_of(a, b);
    EXPECT_GT(want.first.changes, 0U);
    EXPECT_EQ(changes_of(lake_a, lake_b), want);  // shard by shard
    EXPECT_EQ(changes_of(lake_a, lake_b5), want); // other shard counts: read whole
    EXPECT_EQ(changes_of(a, lake_b), want);       // one side in the database
    EXPECT_EQ(changes_of(lake_a, b), want);

    // every reader of a store sees the same results, in shard order
    auto names = [&](std::int64_t scan, const store::ResultFilter& f) {
        std::vector<std::string> out;
        EXPECT_TRUE(store_->results(scan, f, [&](const store::StoredResult& r) {
            EXPECT_EQ(r.scan_id, scan);
            out.push_back(r.result.domain);
            return true;
        }));
        return out;
    };
    auto sorted_names = [&](std::int64_t scan, const store::ResultFilter& f) {
        auto v = names(scan, f);
        std::sort(v.begin(), v.end());
        return v;
    };
    store::ResultFilter by_asn;
    by_asn.asn = 16509; // the changed origin of every 11th domain in B
    store::ResultFilter by_status;
    by_status.status = "SERVFAIL";
    store::ResultFilter by_domain;
    by_domain.domain = results_b[7].domain;
    for (const auto* f : {&by_asn, &by_status, &by_domain}) {
        EXPECT_EQ(sorted_names(lake_b, *f), sorted_names(b, *f));
        EXPECT_EQ(store_->count_results(lake_b, *f).value(), store_->count_results(b, *f).value());
    }
    EXPECT_EQ(sorted_names(lake_b, {}), sorted_names(b, {}));
    EXPECT_EQ(store_->count_results(lake_b, {}).value(), results_b.size());
    EXPECT_EQ(names(lake_b, by_domain).size(), 1U);
    EXPECT_EQ(store_->domains_by_asn(lake_b, 16509).value(),
              store_->domains_by_asn(b, 16509).value());
    EXPECT_EQ(store_->domains_by_asn(lake_b, 64500).value(),
              store_->domains_by_asn(b, 64500).value()); // name servers' addresses count
    auto done = store_->done_domain_list(lake_b);
    ASSERT_TRUE(done);
    std::sort(done->begin(), done->end());
    EXPECT_EQ(*done, sorted_names(b, {}));
    store::ResultFilter page;
    page.offset = 10;
    page.limit = 25;
    const auto all = names(lake_b, {});
    const auto paged = names(lake_b, page);
    ASSERT_EQ(paged.size(), 25U);
    EXPECT_TRUE(std::equal(paged.begin(), paged.end(), all.begin() + 10));
}

INSTANTIATE_TEST_SUITE_P(Sqlite, DiffStoreTest, ::testing::Values(Backend::Sqlite));
INSTANTIATE_TEST_SUITE_P(Postgres, DiffStoreTest, ::testing::Values(Backend::Postgres));

} // namespace
} // namespace dg::diff
