// Issue 12 item 22: output details a first-time user stumbled over. `cluster` text stays
// readable for big clusters, `export -o x.xlsx` is an error (not JSON Lines in a .xlsx), and
// `scans show` names the table by its content hash, not by the cache file's path. (Progress
// bar: core_test; `config show scan`: config_cli_test; `tags show`: tags_cli_test.)

#include "dg/store/store.hpp"
#include "tests/support/support.hpp"

#include <string>
#include <string_view>

namespace dg::test {
namespace {

CommandResult dg(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {dg_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv);
}

/// A store with one complete scan of `n` domains, all on 192.0.2.1 in AS64496.
std::string store_with_cluster(const TempDir& dir, int n) {
    const std::string db = "sqlite://" + dir.file("s.db");
    auto store = store::Store::open(db);
    EXPECT_TRUE(store);
    auto scan = (*store)->create_scan(store::NewScan{});
    EXPECT_TRUE(scan);
    std::vector<model::DomainResult> results;
    for (int i = 0; i < n; ++i) {
        model::DomainResult r;
        r.domain = "name" + std::to_string(1000 + i) + ".example";
        r.status = "NOERROR";
        model::IpMapping m;
        m.ip = *IpAddress::parse("192.0.2.1");
        m.prefix = *Prefix::parse("192.0.2.0/24");
        m.asn = Asn(64496);
        m.origins = {Asn(64496)};
        r.a.push_back(m);
        results.push_back(r);
    }
    EXPECT_TRUE((*store)->write_results(scan->id, results));
    EXPECT_TRUE((*store)->set_scan_status(scan->id, model::ScanStatus::Complete));
    return db;
}

/// A line "RIB hash: <spaces>xxh3-128:<32 hex digits>" (std::regex trips GCC 12's
/// -Wmaybe-uninitialized under ASan at -O1).
bool has_rib_hash_line(const std::string& out) {
    constexpr std::string_view kLabel = "RIB hash:";
    constexpr std::string_view kAlgo = "xxh3-128:";
    for (std::size_t at = out.find(kLabel); at != std::string::npos;
         at = out.find(kLabel, at + 1)) {
        std::size_t p = at + kLabel.size();
        const std::size_t spaces = p;
        while (p < out.size() && out[p] == ' ') {
            ++p;
        }
        if (p == spaces || out.compare(p, kAlgo.size(), kAlgo) != 0) {
            continue;
        }
        p += kAlgo.size();
        std::size_t hex = 0;
        auto lower_hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
        while (p + hex < out.size() && lower_hex(out[p + hex])) {
            ++hex;
        }
        if (hex == 32 && p + hex < out.size() && out[p + hex] == '\n') {
            return true;
        }
    }
    return false;
}

TEST(OutputDetails, ClusterTextIsWrappedAndShortened) {
    const TempDir dir;
    const std::string db = store_with_cluster(dir, 300);
    const auto r = dg({"cluster", "--db", db});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const auto& line : split_lines(r.out)) {
        EXPECT_LE(line.size(), 100U) << line;
    }
    EXPECT_NE(r.out.find("   300 domains  shared: AS64496\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("... and 288 more (--names 0 lists every name)"), std::string::npos)
        << r.out;
    const auto all = dg({"cluster", "--db", db, "--names", "0"});
    ASSERT_EQ(all.exit_code, 0);
    EXPECT_NE(all.out.find("name1299.example"), std::string::npos);
    EXPECT_EQ(all.out.find("more"), std::string::npos) << all.out;
    for (const auto& line : split_lines(all.out)) {
        EXPECT_LE(line.size(), 100U) << line;
    }
}

TEST(OutputDetails, UnknownExportExtensionIsAnError) {
    const TempDir dir;
    const std::string db = store_with_cluster(dir, 3);
    const auto r = dg({"export", "latest", "--db", db, "-o", dir.file("x.xlsx")});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("no writer for '.xlsx' files"), std::string::npos) << r.err;
    EXPECT_TRUE(read_file(dir.file("x.xlsx")).empty());
    // no extension: JSON Lines, as documented
    const auto plain = dg({"export", "latest", "--db", db, "-o", dir.file("plain")});
    EXPECT_EQ(plain.exit_code, 0) << plain.err;
    EXPECT_EQ(split_lines(read_file(dir.file("plain"))).size(), 3U);
}

TEST(OutputDetails, ScansShowTheTableHashNotACachePath) {
    const TempDir dir;
    write_file(dir.file("table.p2a"), "192.0.2.0\t24\t64496\n");
    write_file(dir.file("list.txt"), "bad..name\n");
    const std::string db = "sqlite://" + dir.file("s.db");
    const auto scan =
        dg({"scan", "--no-progress", "-d", dir.file("list.txt"), "-m", dir.file("table.p2a"),
            "--db", db, "--resolver", "127.0.0.1:9", "--format", "none"});
    ASSERT_EQ(scan.exit_code, 0) << scan.err;
    const auto show = dg({"scans", "show", "latest", "--db", db});
    ASSERT_EQ(show.exit_code, 0) << show.err;
    EXPECT_TRUE(has_rib_hash_line(show.out)) << show.out;
}

} // namespace
} // namespace dg::test
