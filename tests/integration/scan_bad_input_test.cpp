// `domaingraph scan` on bad input (issue 4): binary garbage, a 10 MB line, invalid names, an
// unreadable routing table, a wrong database URL, a read-only database file. Each gives a clear
// message and an exit code that means something, and never damages what is already stored.

#include "dg/store/store.hpp"
#include "tests/support/dns_rig.hpp"

#include <fstream>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

namespace dg::test {
namespace {

using nlohmann::json;

constexpr const char* kRib = "mrt/rib.20140523.0600_firstMB.bz2";

CommandResult scan(std::vector<std::string> extra) {
    std::vector<std::string> argv = {dg_binary(), "scan", "--no-progress"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_command(argv);
}

std::vector<json> parse_lines(const std::string& text) {
    std::vector<json> out;
    for (const auto& line : split_lines(text)) {
        out.push_back(json::parse(line, nullptr, false));
    }
    return out;
}

TEST(ScanBadInput, GarbageLongLinesAndInvalidNamesAreRecordedNotFatal) {
    DG_DNS_SERVERS_OR_SKIP();
    DG_SHARED_OR_SKIP(rib, kRib);
    auto rig = DnsRig::start(20);
    ASSERT_TRUE(rig) << DnsRig::last_error();
    const TempDir dir;
    std::string list = "d000001.rig.test\n";
    std::mt19937 rng(7);
    for (int i = 0; i < 4096; ++i) {
        list.push_back(static_cast<char>(rng() & 0xff)); // binary garbage, NULs included
    }
    list += "\n" + std::string(10 * 1024 * 1024, 'a') + "\n"; // a 10 MB line
    list += "bad..name\n-leading-hyphen.example\nd000002.rig.test\n";
    write_file(dir.file("list.txt"), list);
    const std::string db = "sqlite://" + dir.file("s.db");
    auto r = scan({"-d", dir.file("list.txt"), "-m", rib, "--db", db, "--resolver",
                   rig->recursive_endpoint(), "--format", "jsonl"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto results = parse_lines(r.out);
    std::size_t invalid = 0;
    std::size_t resolved = 0;
    for (const auto& j : results) {
        ASSERT_TRUE(j.is_object()) << "unparsable output line";
        if (j["status"] == "INVALID") {
            ++invalid;
            const auto domain = j["domain"].get<std::string>();
            EXPECT_LE(domain.size(), 258U); // made printable and cut at 255 + "..."
            EXPECT_NE(j["error"].get<std::string>().find(dir.file("list.txt") + ":"),
                      std::string::npos);
        } else {
            EXPECT_EQ(j["status"], "NOERROR") << j.dump();
            ++resolved;
        }
    }
    EXPECT_EQ(resolved, 2U);
    EXPECT_GE(invalid, 3U);
    EXPECT_NE(r.err.find("invalid"), std::string::npos) << r.err;
    // Everything went to the store too, line numbers included.
    auto store = store::Store::open(db);
    ASSERT_TRUE(store);
    auto scans = (*store)->list_scans();
    ASSERT_TRUE(scans);
    ASSERT_EQ(scans->size(), 1U);
    EXPECT_EQ(scans->front().domains_done, results.size());
}

TEST(ScanBadInput, UnreadableTableWrongDatabaseAndReadOnlyFileKeepStoredData) {
    DG_DNS_SERVERS_OR_SKIP();
    DG_SHARED_OR_SKIP(rib, kRib);
    auto rig = DnsRig::start(20);
    ASSERT_TRUE(rig) << DnsRig::last_error();
    const TempDir dir;
    const std::string db_file = dir.file("s.db");
    const std::string db = "sqlite://" + db_file;
    const std::vector<std::string> base = {
        "-d",         rig->ordinary_file(),      "--db",     db,
        "--resolver", rig->recursive_endpoint(), "--format", "none"};
    auto with = [&](std::vector<std::string> extra) {
        auto argv = base;
        argv.insert(argv.end(), extra.begin(), extra.end());
        return scan(argv);
    };
    ASSERT_EQ(with({"-m", rib}).exit_code, 0);
    auto count_scans = [&] {
        auto store = store::Store::open(db);
        EXPECT_TRUE(store);
        auto scans = (*store)->list_scans();
        EXPECT_TRUE(scans);
        return scans->size();
    };
    ASSERT_EQ(count_scans(), 1U);

    // Unreadable routing tables: missing, garbage.
    auto missing = with({"-m", dir.file("nope.mrt")});
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_NE(missing.err.find("routing table"), std::string::npos) << missing.err;
    write_file(dir.file("junk.mrt"), std::string(5000, '\x7f'));
    auto junk = with({"-m", dir.file("junk.mrt")});
    EXPECT_EQ(junk.exit_code, 1);
    EXPECT_NE(junk.err.find("routing table"), std::string::npos) << junk.err;
    EXPECT_EQ(count_scans(), 1U); // no half-made scan left behind

    // Wrong database URLs.
    for (const std::string url : {"postgresql://127.0.0.1:1/nope?connect_timeout=2",
                                  "mysql://localhost/x", "sqlite:///nonexistent-dir/x/y.db"}) {
        auto r = scan({"-d", rig->ordinary_file(), "-m", rib, "--db", url, "--resolver",
                       rig->recursive_endpoint(), "--format", "none"});
        EXPECT_EQ(r.exit_code, 1) << url << ": " << r.err;
        EXPECT_NE(r.err.find("database"), std::string::npos) << r.err;
    }

    // A read-only database file (as root, permissions do not bind: run as nobody).
    const std::string before = read_file(db_file);
    ASSERT_EQ(::chmod(db_file.c_str(), 0444), 0);
    ASSERT_EQ(::chmod(dir.path().c_str(), 0755), 0);
    std::vector<std::string> argv;
    if (::geteuid() == 0) {
        argv = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
    }
    argv.insert(argv.end(), {dg_binary(), "scan", "--no-progress", "-m", rib});
    argv.insert(argv.end(), base.begin(), base.end());
    auto ro = run_command(argv);
    EXPECT_EQ(ro.exit_code, 1) << ro.err;
    EXPECT_NE(ro.err.find("database"), std::string::npos) << ro.err;
    EXPECT_EQ(read_file(db_file), before); // not one byte changed
    ASSERT_EQ(::chmod(db_file.c_str(), 0644), 0);
    EXPECT_EQ(count_scans(), 1U);
}

} // namespace
} // namespace dg::test
