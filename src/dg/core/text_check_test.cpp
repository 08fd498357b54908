// Issue 19 item 8: text with NUL bytes (and control characters where they make no sense) is
// refused before it reaches either store backend.

#include "dg/core/text_check.hpp"

#include <gtest/gtest.h>
#include <string>

namespace dg {
namespace {

using namespace std::string_literals;

TEST(CheckText, RefusesNulUnderEveryRule) {
    for (auto rule : {TextRule::NoNul, TextRule::Line, TextRule::Multiline}) {
        auto r = check_text("test1.at\0.attacker"s, "'domain'", rule);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
        EXPECT_EQ(r.error().message, "'domain' contains a NUL byte at offset 8");
    }
}

TEST(CheckText, ControlCharactersDependOnTheRule) {
    EXPECT_FALSE(check_text("a\tb", "'name'", TextRule::Line));
    EXPECT_FALSE(check_text("a\x1b[31mb", "'name'", TextRule::Line));
    EXPECT_FALSE(check_text("a\x7f", "'name'", TextRule::Line));
    EXPECT_TRUE(check_text("line 1\r\nline 2\tend", "'notes'", TextRule::Multiline));
    EXPECT_FALSE(check_text("bell\a", "'notes'", TextRule::Multiline));
    EXPECT_TRUE(check_text("a\x1b", "'x'", TextRule::NoNul));
    auto r = check_text("ab\x01", "'tag'");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "'tag' contains the control character U+0001 at offset 2");
}

TEST(CheckText, Utf8MustBeWellFormed) {
    EXPECT_TRUE(check_text("Bücher – 日本 😀", "'x'"));
    EXPECT_FALSE(check_text("\xff", "'x'"));
    EXPECT_FALSE(check_text("\xc3", "'x'"));             // truncated
    EXPECT_FALSE(check_text("\xc0\xaf", "'x'"));         // overlong '/'
    EXPECT_FALSE(check_text("\xed\xa0\x80", "'x'"));     // a surrogate
    EXPECT_FALSE(check_text("\xf4\x90\x80\x80", "'x'")); // beyond U+10FFFF
    EXPECT_TRUE(check_text("\xff", "'x'", TextRule::NoNul));
    EXPECT_TRUE(check_text("", "'x'"));
}

} // namespace
} // namespace dg
