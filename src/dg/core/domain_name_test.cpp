#include "dg/core/domain_name.hpp"

#include <gtest/gtest.h>

namespace dg {
namespace {

TEST(DomainName, CanonicalisesCaseAndTrailingDot) {
    auto d = DomainName::parse("WWW.Example.COM.");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->text(), "www.example.com");
    EXPECT_EQ(d->label_count(), 3U);
}

TEST(DomainName, MapsUnicodeToALabels) {
    auto d = DomainName::parse("Bücher.example");
    ASSERT_TRUE(d) << d.error().to_string();
    EXPECT_EQ(d->text(), "xn--bcher-kva.example");
    EXPECT_EQ(d->unicode(), "bücher.example");
    // UTS #46 non-transitional: ß stays ß (IDNA 2008), not "ss".
    EXPECT_EQ(DomainName::parse("faß.de")->text(), "xn--fa-hia.de");
}

// Issue 19 item 10: an A-label must be the IDNA 2008 encoding of a valid U-label; "xn--abc"
// merely decoded (to U+0080-ish code points) and was accepted.
TEST(DomainName, ALabelsMustBeIdna2008) {
    auto r = DomainName::parse("xn--abc.test");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("bad A-label 'xn--abc'"), std::string::npos)
        << r.error().message;
    EXPECT_FALSE(DomainName::parse("XN--ABC.test"));
    EXPECT_FALSE(DomainName::parse("xn--ls8h.example")); // U+1F4A9: DISALLOWED in IDNA 2008
    EXPECT_FALSE(DomainName::parse("xn--abc-.example")); // decodes to plain "abc"
    auto ok = DomainName::parse("XN--Bcher-KVA.example");
    ASSERT_TRUE(ok) << ok.error().to_string();
    EXPECT_EQ(ok->text(), "xn--bcher-kva.example");
    EXPECT_TRUE(DomainName::parse("_dmarc.xn--fa-hia.de", true));
}

TEST(DomainName, RejectsInvalidNamesWithAReason) {
    EXPECT_FALSE(DomainName::parse(""));
    EXPECT_FALSE(DomainName::parse("."));
    EXPECT_FALSE(DomainName::parse("a..b"));
    EXPECT_FALSE(DomainName::parse("-a.example"));
    EXPECT_FALSE(DomainName::parse("a-.example"));
    EXPECT_FALSE(DomainName::parse("exa mple.com"));
    EXPECT_FALSE(DomainName::parse("xn--zz.example"));
    EXPECT_FALSE(DomainName::parse(std::string(64, 'a') + ".com"));
    EXPECT_TRUE(DomainName::parse(std::string(63, 'a') + ".com"));
    std::string long_name;
    for (int i = 0; i < 51; ++i) { // 258 octets
        long_name += "abcd.";
    }
    long_name += "com";
    EXPECT_FALSE(DomainName::parse(long_name));
    auto r = DomainName::parse("a_b.example");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("'_'"), std::string::npos);
    EXPECT_TRUE(DomainName::parse("_dmarc.example", true));
}

} // namespace
} // namespace dg
