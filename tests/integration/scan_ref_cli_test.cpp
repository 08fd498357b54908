// Issue 12 item 20: every command that takes a SCAN reads it with one parser and says the same
// thing about a scan that does not exist. Before: `tags run --scan latest` did not parse,
// `export previous` and `analytics previous` were refused while `diff` accepted them, and
// errors said "no scan 99" in some commands and "scan 99 does not exist" in others.

#include "dg/store/store.hpp"
#include "tests/support/support.hpp"

namespace dg::test {
namespace {

class ScanRefCli : public ::testing::Test {
protected:
    void SetUp() override {
        db_ = "sqlite://" + dir_.file("s.db");
        auto store = store::Store::open(db_);
        ASSERT_TRUE(store) << store.error().to_string();
        // Two scans of the same list ("previous" is the previous scan of the same input).
        for (const char* status : {"NOERROR", "NXDOMAIN"}) {
            auto scan = (*store)->create_scan(store::NewScan{});
            ASSERT_TRUE(scan);
            model::DomainResult r;
            r.domain = "example.com";
            r.status = status;
            r.resolved_at = 1'700'000'000;
            ASSERT_TRUE((*store)->write_results(scan->id, std::span(&r, 1)));
            ASSERT_TRUE((*store)->set_scan_status(scan->id, model::ScanStatus::Complete));
        }
    }

    /// The argv of each command that takes a SCAN, with `ref` in its place.
    [[nodiscard]] std::vector<std::vector<std::string>> commands(const std::string& ref) const {
        const std::string bin = dg_binary();
        return {
            {bin, "export", ref, "--db", db_, "--format", "jsonl", "-o", dir_.file("x.jsonl")},
            {bin, "analytics", ref, "--db", db_},
            {bin, "cluster", ref, "--db", db_},
            {bin, "report", ref, "--db", db_, "-o", dir_.file("r.html")},
            {bin, "scans", "show", ref, "--db", db_},
            {bin, "diff", ref, "latest", "--db", db_},
            {bin, "tags", "run", "asn", "--scan", ref, "--db", db_},
            {bin, "tags", "stats", "domaingraph-asn", "--scan", ref, "--db", db_},
        };
    }

    TempDir dir_;
    std::string db_;
};

std::string joined(const std::vector<std::string>& argv) {
    std::string out;
    for (std::size_t i = 1; i < argv.size(); ++i) {
        out += argv[i] + " ";
    }
    return out;
}

TEST_F(ScanRefCli, EveryCommandReadsTheSameReferences) {
    for (const std::string ref : {"1", "latest", "previous", "latest-complete"}) {
        for (const auto& argv : commands(ref)) {
            const auto r = run_command(argv);
            EXPECT_EQ(r.err.find("not a scan id"), std::string::npos) << joined(argv) << r.err;
            EXPECT_EQ(r.err.find("no scan"), std::string::npos) << joined(argv) << r.err;
            if (argv[1] != "tags" || argv[2] != "stats") { // stats: no taxonomy, a later error
                EXPECT_EQ(r.exit_code, 0) << joined(argv) << r.err;
            }
        }
    }
}

TEST_F(ScanRefCli, OneMessageForAScanThatDoesNotExist) {
    for (const auto& argv : commands("99")) {
        const auto r = run_command(argv);
        EXPECT_EQ(r.exit_code, 1) << joined(argv) << r.err;
        EXPECT_NE(r.err.find("no scan 99 (see 'domaingraph scans list')"), std::string::npos)
            << joined(argv) << r.err;
    }
    for (const auto& argv : commands("bogus")) {
        const auto r = run_command(argv);
        EXPECT_EQ(r.exit_code, 2) << joined(argv) << r.err;
        EXPECT_NE(r.err.find("'bogus' is not a scan id (a positive number, 'latest', 'previous' "
                             "or 'latest-complete')"),
                  std::string::npos)
            << joined(argv) << r.err;
    }
}

} // namespace
} // namespace dg::test
