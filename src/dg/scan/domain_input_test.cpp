#include "dg/scan/domain_input.hpp"

#include <gtest/gtest.h>

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
