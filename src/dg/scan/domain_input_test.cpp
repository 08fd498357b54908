#include "dg/scan/domain_input.hpp"
#include "tests/support/support.hpp"

#include <cstdlib>
#include <gtest/gtest.h>
#include <optional>
#include <set>

namespace dg::scan {
namespace {

TEST(Printable, EscapesAndCuts) {
    EXPECT_EQ(printable("abc.example"), "abc.example");
    EXPECT_EQ(printable(std::string("a\0b\xff\\", 5)), "a\\x00b\\xff\\x5c");
    const std::string cut = printable(std::string(300, '\x01'), 255);
    EXPECT_LE(cut.size(), 258U);
    EXPECT_EQ(cut.substr(cut.size() - 3), "...");
}

TEST(FingerprintSet, InsertsOnceAndGrows) {
    FingerprintSet set;
    for (int i = 0; i < 10000; ++i) {
        EXPECT_TRUE(set.insert("d" + std::to_string(i) + ".example"));
    }
    EXPECT_FALSE(set.insert("d42.example"));
    EXPECT_TRUE(set.contains("d9999.example"));
    EXPECT_FALSE(set.contains("d10000.example"));
    EXPECT_EQ(set.size(), 10000U);
}

TEST(DomainInput, CanonicalisesDeduplicatesRecordsInvalidAndSkipsDone) {
    auto in = DomainInput::from_names({"Example.COM.", "example.com", "bad..name", "bücher.example",
                                       "done.example", "ok.example"});
    in.mark_done("done.example");
    std::vector<InputItem> items;
    for (;;) {
        auto next = in.next();
        ASSERT_TRUE(next);
        if (!*next) {
            break;
        }
        items.push_back(**next);
    }
    ASSERT_EQ(items.size(), 4U);
    EXPECT_EQ(items[0].name, "example.com");
    EXPECT_FALSE(items[1].valid);
    EXPECT_EQ(items[1].line, 3U);
    EXPECT_NE(items[1].error.find("empty label"), std::string::npos);
    EXPECT_EQ(items[2].name, "xn--bcher-kva.example");
    EXPECT_EQ(items[3].name, "ok.example");
    EXPECT_EQ(in.stats().lines, 6U);
    EXPECT_EQ(in.stats().duplicates, 1U);
    EXPECT_EQ(in.stats().already_done, 1U);
    EXPECT_EQ(in.stats().invalid, 1U);
}

} // namespace
} // namespace dg::scan

namespace dg::scan {
namespace {

// Issue 19 item 10: names decoded from a corrupt bz2 (or gz) block of a domain list were
// scanned and stored. The list is read through io::open_verified: only names of blocks that
// checked out come through, then the error names the file and the offset.
TEST(DomainInput, NoNameFromADamagedCompressedBlock) {
    if (std::system("command -v bzip2 >/dev/null 2>&1") != 0) {
        GTEST_SKIP() << "bzip2 is not installed";
    }
    const test::TempDir dir;
    std::set<std::string> names;
    std::string list;
    for (int i = 0; i < 40000; ++i) {
        const std::string name = "host" + std::to_string(i) + ".example" + std::to_string(i % 89);
        names.insert(name);
        list += name + "\n";
    }
    test::write_file(dir.file("list.txt"), list);
    ASSERT_EQ(std::system(("bzip2 -1 " + dir.file("list.txt")).c_str()), 0); // 100k blocks
    std::string bz = test::read_file(dir.file("list.txt.bz2"));
    bz[bz.size() / 2] = static_cast<char>(bz[bz.size() / 2] ^ 0x10);
    test::write_file(dir.file("list.txt.bz2"), bz);

    auto in = DomainInput::open(dir.file("list.txt.bz2"));
    ASSERT_TRUE(in) << in.error().to_string();
    std::size_t read = 0;
    std::optional<Error> error;
    for (;;) {
        auto item = in->next();
        if (!item) {
            error = item.error();
            break;
        }
        if (!*item) {
            break;
        }
        EXPECT_TRUE((*item)->valid) << (*item)->name;
        EXPECT_EQ(names.count((*item)->name), 1U) << "not in the list: " << (*item)->name;
        ++read;
    }
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->code, ErrorCode::Malformed);
    EXPECT_EQ(error->source, dir.file("list.txt.bz2"));
    EXPECT_TRUE(error->offset.has_value());
    EXPECT_GT(read, 0U);
    EXPECT_LT(read, names.size());
}

} // namespace
} // namespace dg::scan
