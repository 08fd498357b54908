#include "dg/config/config_file.hpp"
#include "tests/support/support.hpp"

#include <gtest/gtest.h>

namespace dg::config {
namespace {

TEST(ConfigFile, FlattensMappingsToDottedKeys) {
    const std::string text = "# comment\n"
                             "db: sqlite:///x.db\n"
                             "scan:\n"
                             "  concurrency: 500\n"
                             "  resolver: [127.0.0.1:5353, 192.0.2.53]\n"
                             "  notes:\n"
                             "rib: {fetch: {max_age_days: 3}}\n"
                             "lookup.no-cache: yes\n";
    auto file = ConfigFile::parse(text, "c.yaml");
    ASSERT_TRUE(file) << file.error().to_string();
    ASSERT_NE(file->find("db"), nullptr);
    EXPECT_EQ(file->find("db")->items, std::vector<std::string>{"sqlite:///x.db"});
    EXPECT_EQ(file->find("db")->line, 2U);
    EXPECT_FALSE(file->find("db")->is_list);
    ASSERT_NE(file->find("scan.concurrency"), nullptr);
    EXPECT_EQ(file->find("scan.concurrency")->items.front(), "500");
    EXPECT_EQ(file->find("scan.concurrency")->line, 4U);
    const FileValue* resolver = file->find("scan.resolver");
    ASSERT_NE(resolver, nullptr);
    EXPECT_TRUE(resolver->is_list);
    EXPECT_EQ(resolver->items, (std::vector<std::string>{"127.0.0.1:5353", "192.0.2.53"}));
    EXPECT_EQ(file->find("scan.notes"), nullptr); // null = not set
    ASSERT_NE(file->find("rib.fetch.max-age-days"), nullptr);
    EXPECT_EQ(file->find("rib.fetch.max-age-days")->items.front(), "3");
    EXPECT_EQ(file->find("lookup.no-cache")->items.front(), "yes");
    EXPECT_EQ(file->values().size(), 5U);
    EXPECT_TRUE(file->warnings().empty());
}

TEST(ConfigFile, MalformedYamlNamesTheLine) {
    auto file = ConfigFile::parse("db: x\nscan:\n  concurrency: [1, 2\n", "bad.yaml");
    ASSERT_FALSE(file);
    EXPECT_EQ(file.error().code, ErrorCode::Malformed);
    EXPECT_EQ(file.error().source, "bad.yaml");
    ASSERT_TRUE(file.error().line.has_value());
    EXPECT_GE(*file.error().line, 3U);
    EXPECT_NE(file.error().to_string().find("bad.yaml:"), std::string::npos);

    auto scalar = ConfigFile::parse("just a string\n", "s.yaml");
    ASSERT_FALSE(scalar);
    EXPECT_EQ(scalar.error().code, ErrorCode::Malformed);

    auto tabs = ConfigFile::parse("a:\n\t- b\n", "t.yaml");
    EXPECT_FALSE(tabs);
}

TEST(ConfigFile, EmptyFileHasNoValues) {
    auto file = ConfigFile::parse("", "e.yaml");
    ASSERT_TRUE(file);
    EXPECT_TRUE(file->values().empty());
    auto comments = ConfigFile::parse("# nothing\n", "e.yaml");
    ASSERT_TRUE(comments);
    EXPECT_TRUE(comments->values().empty());
}

TEST(ConfigFile, IgnoredEntriesBecomeWarnings) {
    const std::string text = "scan:\n"
                             "  resolver:\n"
                             "    - {ip: 192.0.2.1}\n"
                             "  concurrency: 5\n"
                             "scan.concurrency: 6\n";
    auto file = ConfigFile::parse(text, "w.yaml");
    ASSERT_TRUE(file);
    EXPECT_EQ(file->find("scan.resolver"), nullptr);
    ASSERT_NE(file->find("scan.concurrency"), nullptr);
    EXPECT_EQ(file->find("scan.concurrency")->items.front(), "5");
    ASSERT_EQ(file->warnings().size(), 2U);
    EXPECT_NE(file->warnings()[0].find("w.yaml:3:"), std::string::npos);
    EXPECT_NE(file->warnings()[1].find("set twice"), std::string::npos);
}

TEST(ConfigFile, LoadReportsMissingFiles) {
    test::TempDir dir;
    auto missing = ConfigFile::load(dir.file("none.yaml"));
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
    test::write_file(dir.file("c.yaml"), "db: x\n");
    auto file = ConfigFile::load(dir.file("c.yaml"));
    ASSERT_TRUE(file);
    EXPECT_EQ(file->path(), dir.file("c.yaml"));
}

} // namespace
} // namespace dg::config
