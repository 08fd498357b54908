// domaingraph tags ... end to end through the binary (SQLite; the library suite covers PostgreSQL).
#include "tests/support/support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace dg::tags {
namespace {

using nlohmann::json;
using test::run_command;

class TagsCli : public ::testing::Test {
protected:
    test::CommandResult dg(std::vector<std::string> args, const std::string& input = "") {
        args.insert(args.begin(), test::dg_binary());
        args.emplace_back("--db");
        args.push_back(db_);
        return run_command(args, input);
    }
    test::TempDir tmp_;
    std::string db_ = "sqlite://" + tmp_.file("t.db");
};

TEST_F(TagsCli, TaxonomyImportExportRoundTrip) {
    DG_SHARED_OR_SKIP(path, "taxonomies/admiralty-scale/machinetag.json");
    auto imp = dg({"tags", "taxonomies", "import", path});
    ASSERT_EQ(imp.exit_code, 0) << imp.err;
    auto list = dg({"tags", "taxonomies", "list"});
    ASSERT_EQ(list.exit_code, 0) << list.err;
    EXPECT_NE(list.out.find("admiralty-scale\tmisp\t2 tags\t13 values"), std::string::npos)
        << list.out;
    auto exp = dg({"tags", "taxonomies", "export", "admiralty-scale"});
    ASSERT_EQ(exp.exit_code, 0) << exp.err;
    EXPECT_EQ(json::parse(exp.out), json::parse(test::read_file(path)));
    auto yaml = dg({"tags", "taxonomies", "export", "admiralty-scale", "--format", "yaml"});
    ASSERT_EQ(yaml.exit_code, 0);
    EXPECT_NE(yaml.out.find("name: source-reliability"), std::string::npos) << yaml.out;
    EXPECT_EQ(dg({"tags", "taxonomies", "export", "nope"}).exit_code, 1);
}

TEST_F(TagsCli, MigrateThenImportMeasurementsThenShow) {
    DG_SHARED_OR_SKIP(fixtures, "tag2domain/fixtures/fixtures_as_tables.json");
    auto several = dg({"tags", "migrate-from-tag2domain", "--json", fixtures});
    EXPECT_EQ(several.exit_code, 2) << several.err; // the file has three sets: choose one
    EXPECT_NE(several.err.find("--set"), std::string::npos);
    auto mig = dg({"tags", "migrate-from-tag2domain", "--json", fixtures, "--set", "basic"});
    ASSERT_EQ(mig.exit_code, 0) << mig.err;
    EXPECT_NE(mig.err.find("15 mappings added"), std::string::npos) << mig.err;

    const std::string lines =
        R"({"version":"1","tag_type":"domain","tagged_id":3,"taxonomy":"tax_test1","producer":"p","measured_at":"2021-01-01T00:00:00","tags":[{"tag":"test_tag_2_tax_1"}]})"
        "\n"
        R"({"version":"1","tag_type":"domain","tagged_id":3,"taxonomy":"tax_test1","producer":"p","measured_at":"2020-12-01T00:00:00","tags":[]})"
        "\n"
        "not json\n"
        R"({"version":"1","domain":"new.at","taxonomy":"tax_test1","producer":"p","measured_at":"2021-01-02T00:00:00","tags":[{"tag":"test_tag_1_tax_1","value":"value_2_tag_1"}]})"
        "\n"
        R"({"version":"1","tag_type":"domain","tagged_id":3,"taxonomy":"tax_test1","producer":"p","measured_at":"2021-02-01T00:00:00","tags":[]})"
        "\n";
    auto imp = dg({"tags", "import", "-"}, lines);
    EXPECT_EQ(imp.exit_code, 3) << imp.err; // one line is not JSON
    EXPECT_NE(imp.err.find("stdin:3: not a JSON value"), std::string::npos) << imp.err;
    EXPECT_NE(imp.err.find("5 measurements: 3 applied (2 tags opened, 0 extended, 1 ended), 1 "
                           "stale (skipped), 1 invalid"),
              std::string::npos)
        << imp.err;

    auto at = dg({"tags", "show", "test3.at", "--at", "2021-01-15T00:00:00"});
    ASSERT_EQ(at.exit_code, 0) << at.err;
    EXPECT_EQ(at.out, "tax_test1\ttest_tag_2_tax_1\t-\tdomain\t2021-01-01T00:00:00+00:00\t"
                      "2021-02-01T00:00:00+00:00\n"); // issue 12 item 22: with the tag type
    EXPECT_EQ(json::parse(dg({"tags", "show", "test3.at", "--at", "2021-01-15T00:00:00", "--format",
                              "json"})
                              .out)[0]["tag_type"],
              "domain");
    EXPECT_EQ(dg({"tags", "show", "test3.at"}).out, "");
    auto named = dg({"tags", "show", "new.at", "--format", "json"});
    ASSERT_EQ(named.exit_code, 0);
    EXPECT_EQ(json::parse(named.out)[0]["value"], "value_2_tag_1");
    EXPECT_EQ(dg({"tags", "show", "test3.at", "--at", "yesterday"}).exit_code, 2);

    auto strict = dg({"tags", "import", "--strict", "-"}, "not json\n");
    EXPECT_EQ(strict.exit_code, 3);
}

} // namespace
} // namespace dg::tags
