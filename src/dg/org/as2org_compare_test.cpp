// Table 1 scorer, mapping agreement and diff, and round trips of CAIDA's formats.
#include "dg/org/as2org_compare.hpp"
#include "dg/org/as2org_write.hpp"
#include "tests/support/support.hpp"

#include <algorithm>
#include <gtest/gtest.h>

namespace dg::org {
namespace {

OrgTable table(const std::string& text) {
    auto t = OrgTable::parse(text, "t");
    EXPECT_TRUE(t.has_value()) << t.error().to_string();
    return std::move(t).value();
}

// Families: {1,2,3} org A, {4,5} org B, {6} org C, 7 without org.
constexpr const char* kMapping = "# format:aut|changed|aut_name|org_id|opaque_id|source\n"
                                 "1||one|A||RIPE\n2||two|A||RIPE\n3||three|A||ARIN\n"
                                 "4||four|B||ARIN\n5||five|B||ARIN\n6||six|C||APNIC\n"
                                 "7||seven|||APNIC\n";

TEST(TruthFile, ParsesNamesMergesAndRejects) {
    auto g = parse_truth("# Apple\n714 6185\n\n# Akamai\n20940 16625,AS12222\n# Other\n1 2|x y\n"
                         "# Akamai\n16625 35994\n",
                         "truth");
    ASSERT_TRUE(g.has_value()) << g.error().to_string();
    ASSERT_EQ(g->size(), 3U);
    EXPECT_EQ((*g)[0].name, "Apple");
    EXPECT_EQ((*g)[1].name, "Akamai");
    EXPECT_EQ((*g)[1].asns, (std::vector<std::uint32_t>{12222, 16625, 20940, 35994}));
    EXPECT_EQ((*g)[2].asns, (std::vector<std::uint32_t>{1, 2}));
    auto bad = parse_truth("1 2\n3 x\n", "truth");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().to_string(), "truth:2: invalid AS number 'x'");
    EXPECT_FALSE(parse_truth("# nothing\n", "truth"));
}

TEST(TableOne, ScoresGroupsWithTheSeedsIdentities) {
    const OrgTable t = table(kMapping);
    const std::vector<TruthGroup> truth = {{"Big", {1, 2, 3, 4, 9}}, {"Small", {5, 6}}};
    const TruthSummary s = score_truth(truth, t);
    ASSERT_EQ(s.rows.size(), 2U);
    const TruthScore& big = s.rows[0];
    EXPECT_EQ(big.ases, 5U);
    EXPECT_EQ(big.pairs, 10U);   // n(n-1)/2
    EXPECT_EQ(big.families, 3U); // A, B, and the absent 9
    EXPECT_EQ(big.tp, 3U);       // C(3,2) in A
    EXPECT_EQ(big.fn, big.pairs - big.tp);
    EXPECT_EQ(big.fp_ases, 1U); // 5 sits in B with 4
    EXPECT_EQ(big.missing, 1U);
    const TruthScore& small = s.rows[1];
    EXPECT_EQ(small.pairs, 1U);
    EXPECT_EQ(small.tp, 0U);
    EXPECT_EQ(small.families, 2U);
    EXPECT_EQ(small.fp_ases, 1U); // 4
    EXPECT_EQ(s.pairs, 11U);
    EXPECT_EQ(s.tp, 3U);
    EXPECT_DOUBLE_EQ(s.recall, 3.0 / 11.0);
    // same-family pairs among truth ASes: A {1,2,3} -> 3 (all right), B {4,5} -> 1 (wrong)
    EXPECT_EQ(s.predicted_pairs, 4U);
    EXPECT_DOUBLE_EQ(s.precision, 0.75);
}

TEST(TableOne, SeedRowsSatisfyTheIdentities) {
    // The seed's Table 1 (reference §4): Pairs = n(n-1)/2 and FN = Pairs - TP in every row.
    struct Row {
        std::uint64_t ases, pairs, tp, fn;
    };
    const Row rows[] = {{228, 25878, 9771, 16107}, {48, 1128, 1081, 47},  {35, 595, 326, 269},
                        {18, 153, 136, 17},        {70, 2415, 1562, 853}, {32, 496, 197, 299},
                        {27, 351, 137, 214},       {11, 55, 24, 31},      {58, 1653, 1596, 57}};
    std::uint64_t pairs = 0;
    std::uint64_t tp = 0;
    for (const Row& r : rows) {
        // a truth group of n ASes scored against a mapping of singletons gives those pairs
        std::vector<std::uint32_t> asns;
        std::string text = "# format:aut|changed|aut_name|org_id|opaque_id|source\n";
        for (std::uint32_t i = 0; i < r.ases; ++i) {
            asns.push_back(i + 1);
            text += std::to_string(i + 1) + "||x|O" + std::to_string(i) + "||RIPE\n";
        }
        const TruthSummary s = score_truth({{"row", asns}}, table(text));
        EXPECT_EQ(s.rows[0].pairs, r.pairs);
        EXPECT_EQ(r.fn, r.pairs - r.tp);
        pairs += r.pairs;
        tp += r.tp;
    }
    EXPECT_EQ(pairs, 32724U);
    EXPECT_EQ(tp, 14830U);
}

TEST(Agreement, PairwisePrecisionRecallAndCoverage) {
    const OrgTable a = table(kMapping);
    const OrgTable b = table("# format:aut|changed|aut_name|org_id|opaque_id|source\n"
                             "1||one|X||RIPE\n2||two|X||RIPE\n3||three|Y||ARIN\n"
                             "4||four|Z||ARIN\n5||five|Z||ARIN\n6||six|Z||APNIC\n"
                             "8||eight|W||LACNIC\n");
    const Agreement r = compare_mappings(a, b);
    EXPECT_EQ(r.common_ases, 6U);
    EXPECT_EQ(r.pairs_a, 4U);    // {1,2,3}: 3, {4,5}: 1
    EXPECT_EQ(r.pairs_b, 4U);    // {1,2}: 1, {4,5,6}: 3
    EXPECT_EQ(r.pairs_both, 2U); // (1,2), (4,5)
    EXPECT_DOUBLE_EQ(r.precision, 0.5);
    EXPECT_DOUBLE_EQ(r.recall, 0.5);
    EXPECT_EQ(r.same_sibling_sets, 0U);
    EXPECT_EQ(r.only_a.at("APNIC"), 1U); // 7
    EXPECT_EQ(r.only_b.at("LACNIC"), 1U);
    const Agreement self = compare_mappings(a, a);
    EXPECT_DOUBLE_EQ(self.precision, 1.0);
    EXPECT_EQ(self.same_sibling_sets, 7U);
}

TEST(Diff, MovedMergedSplitRenamed) {
    const OrgTable old_t = table("# format:org_id|changed|org_name|country|source\n"
                                 "A||Alpha|NL|RIPE\nB||Beta|NL|RIPE\nC||Gamma|US|ARIN\n"
                                 "# format:aut|changed|aut_name|org_id|opaque_id|source\n"
                                 "1||one|A||RIPE\n2||two|A||RIPE\n3||three|B||RIPE\n"
                                 "4||four|C||ARIN\n5||five|C||ARIN\n6||six|C||ARIN\n");
    const OrgTable new_t = table("# format:org_id|changed|org_name|country|source\n"
                                 "A||Alpha Group|NL|RIPE\nC||Gamma|US|ARIN\nD||Delta|US|ARIN\n"
                                 "# format:aut|changed|aut_name|org_id|opaque_id|source\n"
                                 "1||one|A||RIPE\n2||two|A||RIPE\n3||THREE|A||RIPE\n"
                                 "4||four|C||ARIN\n5||five|C||ARIN\n6||six|D||ARIN\n"
                                 "7||seven|D||ARIN\n");
    const MappingDiff d = diff_mappings(old_t, new_t);
    EXPECT_EQ(d.added, std::vector<std::uint32_t>{7});
    EXPECT_TRUE(d.removed.empty());
    ASSERT_EQ(d.merged.size(), 1U);
    EXPECT_EQ(d.merged[0].org, "A");
    EXPECT_EQ(d.merged[0].others, (std::vector<std::string>{"A", "B"}));
    ASSERT_EQ(d.split.size(), 1U);
    EXPECT_EQ(d.split[0].org, "C");
    EXPECT_EQ(d.split[0].others, (std::vector<std::string>{"C", "D"}));
    // 1,2,3 (A gained 3), 4,5,6 (C lost 6)
    EXPECT_EQ(d.moved.size(), 6U);
    ASSERT_EQ(d.renamed_orgs.size(), 1U);
    EXPECT_EQ(d.renamed_orgs[0].new_name, "Alpha Group");
    ASSERT_EQ(d.renamed_ases.size(), 1U);
    EXPECT_EQ(d.renamed_ases[0].id, "AS3");
    EXPECT_TRUE(diff_mappings(old_t, old_t).moved.empty());
}

// ---- round trips of CAIDA's formats (reference §2.9) ---------------------------------------

void expect_round_trip(const OrgTable& original, bool jsonl) {
    const As2orgRows rows = rows_of(original);
    const std::string text = jsonl ? write_caida_jsonl(rows) : write_caida_text(rows);
    auto back = OrgTable::parse(text, "written");
    ASSERT_TRUE(back.has_value()) << back.error().to_string();
    const As2orgRows again = rows_of(*back);
    EXPECT_EQ(again.orgs, rows.orgs);
    EXPECT_EQ(again.ases, rows.ases);
    // and writing the re-read table gives the same bytes
    EXPECT_EQ(jsonl ? write_caida_jsonl(again) : write_caida_text(again), text);
}

TEST(RoundTrip, SharedFormatSample) {
    DG_SHARED_OR_SKIP(path, "as2org/format-sample.as-org2info.txt");
    auto t = OrgTable::load(path);
    ASSERT_TRUE(t.has_value()) << t.error().to_string();
    EXPECT_EQ(t->as_count(), 5U);
    EXPECT_EQ(t->organisation_count(), 3U);
    expect_round_trip(*t, false);
    expect_round_trip(*t, true);
    // the text writer reproduces every line of the sample (its `# name:` line aside); the order of
    // organisations differs: OrgTable keeps them ascending by id
    const std::string file = test::read_file(path);
    auto a = test::split_lines(write_caida_text(rows_of(*t)));
    auto b = test::split_lines(file.substr(file.find('\n') + 1));
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    EXPECT_EQ(a, b);
}

TEST(RoundTrip, SharedJsonLines) {
    DG_SHARED_OR_SKIP(path, "as2org/caida-format/test-as2org.jsonl.gz");
    auto t = OrgTable::load(path);
    ASSERT_TRUE(t.has_value()) << t.error().to_string();
    ASSERT_EQ(t->as_count(), 1U);
    expect_round_trip(*t, false);
    expect_round_trip(*t, true);
    // CAIDA's own lines come back byte for byte: key order, "asn" as a string
    EXPECT_EQ(write_caida_jsonl(rows_of(*t)),
              "{\"changed\":\"20220412\",\"country\":\"US\",\"name\":\"BGPKIT LLC\","
              "\"organizationId\":\"BL-1057-ARIN\",\"source\":\"ARIN\",\"type\":\"Organization\"}\n"
              "{\"asn\":\"400644\",\"changed\":\"20220418\",\"name\":\"BGPKIT-LLC\","
              "\"opaqueId\":\"059b5fb85e8a50e0f722f235be7457a0_ARIN\",\"organizationId\":\"BL-"
              "1057-ARIN\",\"source\":\"ARIN\",\"type\":\"ASN\"}\n");
}

TEST(RoundTrip, OldLayoutAsSectionFirstFiveFields) {
    // CAIDA's README layout: AS section first, five fields, "# format: " with a space.
    const OrgTable t = table("# format: aut|changed|name|org_id|source\n"
                             "64496|20230101|EX-1|EXA-1-ARIN|ARIN\n"
                             "64497||EX-2|EXA-1-ARIN|ARIN\n"
                             "# format: org_id|changed|name|country|source\n"
                             "EXA-1-ARIN|20230101|Example|US|ARIN\n");
    expect_round_trip(t, false);
    expect_round_trip(t, true);
    EXPECT_EQ(rows_of(t).ases[1].changed, "");
}

TEST(TruthFile, SharedGroundTruthFilesParse) {
    {
        DG_SHARED_OR_SKIP(path, "as2org/ground-truth/bdrmapit-validation-siblings.txt");
        auto g = load_truth(path);
        ASSERT_TRUE(g.has_value()) << g.error().to_string();
        std::size_t asns = 0;
        for (const auto& x : *g) {
            asns += x.asns.size();
        }
        // 41 groups; the two "# Akamai" groups merge by name (AT&T's second group and
        // "Netzberieb" carry other names and stay apart)
        EXPECT_EQ(g->size(), 40U);
        EXPECT_GE(asns, 120U);
    }
    {
        DG_SHARED_OR_SKIP(path, "as2org/ground-truth/giotsas-OpaqueIdAsnGroups_20180208.txt");
        auto g = load_truth(path);
        ASSERT_TRUE(g.has_value()) << g.error().to_string();
        EXPECT_EQ(g->size(), 5772U);
    }
    {
        DG_SHARED_OR_SKIP(path, "as2org/ground-truth/giotsas-SiblingASNs_20200111.txt");
        auto g = load_truth(path);
        ASSERT_TRUE(g.has_value()) << g.error().to_string();
        EXPECT_EQ(g->size(), 6597U);
    }
}

} // namespace
} // namespace dg::org
