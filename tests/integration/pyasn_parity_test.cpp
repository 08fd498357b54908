// domaingraph's prefix table vs pyasn (Debian python3-pyasn 1.6.1) on the real RIBs of
// ../shared/data/mrt: `rib origins --policy pyasn` must equal pyasn_util_convert.py's output,
// every difference under the default policy must be explained, and 100,000 random lookups must
// give pyasn's answers (issue 2, acceptance).
#include "dg/bgp/pyasn_policy.hpp"
#include "dg/bgp/table_sources.hpp"
#include "tests/support/support.hpp"

#include <algorithm>
#include <filesystem>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

namespace dg {
namespace {

const std::string kPython = "/usr/bin/python3";
const std::string kConvert = "/usr/bin/pyasn_util_convert.py";

std::string helper() {
    return std::string(DG_SOURCE_DIR) + "/tests/integration/pyasn_helper.py";
}

bool pyasn_available() {
    return std::filesystem::exists(kConvert) && std::filesystem::exists(kPython);
}

#define PYASN_OR_SKIP()                                                                            \
    if (!pyasn_available()) {                                                                      \
        if (::dg::test::integration_required()) {                                                  \
            FAIL() << "python3-pyasn is not installed (scripts/setup installs it)";                \
        }                                                                                          \
        GTEST_SKIP() << "python3-pyasn is not installed";                                          \
    }

// prefix -> text after the tab
std::map<std::string, std::string> parse_table(const std::string& text) {
    std::map<std::string, std::string> out;
    for (const auto& line : test::split_lines(text)) {
        if (line.empty() || line[0] == ';') {
            continue;
        }
        const auto tab = line.find('\t');
        if (tab != std::string::npos) {
            out[line.substr(0, tab)] = line.substr(tab + 1);
        }
    }
    return out;
}

struct Case {
    const char* file;
    bool truncated; // cut mid-record: both tools get the complete records only
};

class PyasnParity : public ::testing::TestWithParam<Case> {};

TEST_P(PyasnParity, OriginsAndLookupsMatch) {
    PYASN_OR_SKIP();
    const Case c = GetParam();
    DG_SHARED_OR_SKIP(original, std::string("mrt/") + c.file);
    const test::TempDir dir;
    std::string input = original;
    if (c.truncated) {
        input = dir.file("complete-records.mrt.gz");
        auto r = test::run_command({kPython, helper(), "trim", original, input});
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    const std::string ref_dat = dir.file("pyasn.dat");
    auto conv = test::run_command({kPython, kConvert, "--single", input, ref_dat, "--no-progress"});
    ASSERT_EQ(conv.exit_code, 0) << "pyasn could not convert " << input << ": " << conv.err;
    const auto reference = parse_table(test::read_file(ref_dat));
    ASSERT_FALSE(reference.empty());

    // 1. --policy pyasn: identical prefix -> origin map.
    auto ours = test::run_command(
        {test::dg_binary(), "rib", "origins", input, "--policy", "pyasn", "--no-cache"});
    ASSERT_EQ(ours.exit_code, 0) << ours.err;
    const auto pyasn_policy = parse_table(ours.out);
    EXPECT_EQ(pyasn_policy.size(), reference.size());
    std::size_t mismatches = 0;
    for (const auto& [prefix, asn] : reference) {
        auto it = pyasn_policy.find(prefix);
        if (it == pyasn_policy.end() || it->second != asn) {
            if (++mismatches <= 10) {
                ADD_FAILURE() << prefix << ": pyasn " << asn << ", ours "
                              << (it == pyasn_policy.end() ? "(none)" : it->second);
            }
        }
    }
    EXPECT_EQ(mismatches, 0U);

    // 2. Default policy: every difference explained by MOAS, AS_SET or reserved-ASN skipping.
    bgp::SourceOptions so;
    so.use_cache = false;
    so.show_progress = false;
    so.warn = [](const std::string&) {};
    auto table_source = bgp::IpAsnSource::open(input, so);
    ASSERT_TRUE(table_source) << table_source.error().to_string();
    const bgp::PrefixTable& table = *table_source->table();
    auto cli_default = parse_table(
        test::run_command({test::dg_binary(), "rib", "origins", input, "--no-cache"}).out);
    EXPECT_EQ(cli_default.size(), table.size());
    std::size_t same = 0;
    std::size_t moas = 0;
    std::size_t as_set = 0;
    std::size_t bogus = 0;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < table.size(); ++i) {
        const std::string prefix = table.prefix(i).to_string();
        seen.insert(prefix);
        auto it = reference.find(prefix);
        ASSERT_NE(it, reference.end()) << prefix << " is in our table, not in pyasn's";
        const auto pyasn_asn = static_cast<std::uint32_t>(std::stoul(it->second));
        const auto origins = table.origins(i);
        // the CLI prints the same origins in the same order
        std::string joined;
        for (std::size_t k = 0; k < origins.size(); ++k) {
            joined += (k ? "," : "") + std::to_string(origins[k].asn);
        }
        EXPECT_EQ(cli_default[prefix], joined) << prefix;
        if (origins.size() == 1 && origins[0].asn == pyasn_asn && !origins[0].as_set()) {
            ++same;
            continue;
        }
        const bool has_set = std::any_of(origins.begin(), origins.end(),
                                         [](const bgp::Origin& o) { return o.as_set(); });
        const bool has_bogus = std::any_of(origins.begin(), origins.end(), [](const auto& o) {
            return bgp::pyasn_is_bogus(o.asn);
        });
        const bool listed = std::any_of(origins.begin(), origins.end(),
                                        [&](const auto& o) { return o.asn == pyasn_asn; });
        if (origins.size() > 1 && listed) {
            ++moas; // pyasn kept the first peer's origin, we list every origin
        } else if (has_set) {
            ++as_set; // pyasn picked a member of the AS_SET, we report the smallest, flagged
        } else if (has_bogus) {
            ++bogus; // pyasn skipped a private/reserved origin backwards along the path
        } else {
            ADD_FAILURE() << prefix << ": unexplained difference: pyasn " << pyasn_asn << ", ours "
                          << joined;
        }
    }
    for (const auto& [prefix, asn] : reference) {
        EXPECT_TRUE(seen.contains(prefix)) << prefix << " is in pyasn's table, not in ours";
    }
    std::printf("%s: %zu prefixes, %zu identical, %zu MOAS, %zu AS_SET, %zu reserved-ASN\n", c.file,
                table.size(), same, moas, as_set, bogus);

    // 3. 100,000 seeded random lookups, half inside known prefixes, vs pyasn.lookup().
    std::mt19937_64 rng(20140513);
    std::vector<Prefix> prefixes;
    for (const auto& [p, asn] : reference) {
        prefixes.push_back(*Prefix::parse(p, true));
    }
    const bool v6 = std::count_if(prefixes.begin(), prefixes.end(),
                                  [](const Prefix& p) { return !p.network().is_v4(); }) *
                        2 >
                    static_cast<std::ptrdiff_t>(prefixes.size());
    std::string ips;
    for (int i = 0; i < 100000; ++i) {
        std::array<std::uint8_t, 16> b{};
        for (auto& x : b) {
            x = static_cast<std::uint8_t>(rng());
        }
        IpAddress ip;
        if (i % 2 == 0) {
            const Prefix& p = prefixes[rng() % prefixes.size()];
            std::array<std::uint8_t, 16> net = p.network().bytes();
            for (int bit = p.length(); bit < p.network().bit_width(); ++bit) {
                const auto byte = static_cast<std::size_t>(bit / 8);
                const auto mask = static_cast<std::uint8_t>(0x80U >> (bit % 8));
                net[byte] = static_cast<std::uint8_t>((net[byte] & ~mask) | (b[byte] & mask));
            }
            ip = IpAddress::from_bytes(p.family(), net.data());
        } else if (v6) {
            b[0] = static_cast<std::uint8_t>(0x20U | (b[0] & 0x0FU)); // mostly 2000::/4
            ip = IpAddress::from_bytes(IpFamily::V6, b.data());
        } else {
            ip = IpAddress::from_bytes(IpFamily::V4, b.data());
        }
        ips += ip.to_string() + "\n";
    }
    test::write_file(dir.file("ips.txt"), ips);
    auto py = test::run_command(
        {kPython, helper(), "lookup", ref_dat, dir.file("ips.txt"), dir.file("pyasn.out")});
    ASSERT_EQ(py.exit_code, 0) << py.err;
    auto dg_lookup = test::run_command(
        {test::dg_binary(), "lookup", "-m", input, "--policy", "pyasn", "--no-cache"}, ips);
    ASSERT_EQ(dg_lookup.exit_code, 0) << dg_lookup.err;
    const auto want = test::split_lines(test::read_file(dir.file("pyasn.out")));
    const auto got = test::split_lines(dg_lookup.out);
    ASSERT_EQ(got.size(), want.size());
    std::size_t differ = 0;
    std::size_t routed = 0;
    for (std::size_t i = 0; i < want.size(); ++i) {
        if (want[i] != got[i] && ++differ <= 10) {
            ADD_FAILURE() << "pyasn: " << want[i] << "\nours:  " << got[i];
        }
        routed += want[i].find("\t-\t") == std::string::npos ? 1U : 0U;
    }
    EXPECT_EQ(differ, 0U);
    EXPECT_GE(routed, 50000U); // the half drawn inside known prefixes

    // 4. `rib prefixes` (issue 18) = pyasn's get_as_prefixes for the 10 ASes with the most
    // prefixes and 10 drawn at random (the same table under --policy pyasn).
    std::map<std::string, std::size_t> per_as;
    for (const auto& [prefix, asn] : reference) {
        ++per_as[asn];
    }
    std::vector<std::pair<std::size_t, std::string>> ranked;
    for (const auto& [asn, n] : per_as) {
        ranked.emplace_back(n, asn);
    }
    std::sort(ranked.rbegin(), ranked.rend());
    std::set<std::string> asns;
    for (std::size_t i = 0; i < ranked.size() && asns.size() < 10; ++i) {
        asns.insert(ranked[i].second);
    }
    for (int i = 0; i < 10 && !ranked.empty(); ++i) {
        asns.insert(ranked[rng() % ranked.size()].second);
    }
    std::string asn_lines;
    std::vector<std::string> argv = {test::dg_binary(), "rib",   "prefixes",  input,
                                     "--policy",        "pyasn", "--no-cache"};
    for (const auto& a : asns) {
        asn_lines += a + "\n";
        argv.push_back(a);
    }
    test::write_file(dir.file("asns.txt"), asn_lines);
    auto py_prefixes = test::run_command(
        {kPython, helper(), "prefixes", ref_dat, dir.file("asns.txt"), dir.file("prefixes.out")});
    ASSERT_EQ(py_prefixes.exit_code, 0) << py_prefixes.err;
    auto dg_prefixes = test::run_command(argv);
    ASSERT_EQ(dg_prefixes.exit_code, 0) << dg_prefixes.err;
    auto ours_sorted = test::split_lines(dg_prefixes.out);
    if (asns.size() == 1) { // one AS: prefixes only, no AS column
        for (auto& line : ours_sorted) {
            line += "\tAS" + *asns.begin();
        }
    }
    std::sort(ours_sorted.begin(), ours_sorted.end());
    const auto pyasn_sorted = test::split_lines(test::read_file(dir.file("prefixes.out")));
    EXPECT_EQ(ours_sorted, pyasn_sorted);
    EXPECT_FALSE(ours_sorted.empty());
}

INSTANTIATE_TEST_SUITE_P(Ribs, PyasnParity,
                         ::testing::Values(Case{"bview.20020722.2337.gz", false},
                                           Case{"bview.64k_stream_overflow.gz", false},
                                           Case{"synthetic/lab-rib.mrt.gz", false},
                                           Case{"rib.20140523.0600_firstMB.bz2", true},
                                           Case{"rib.20080501.0644_firstMB.bz2", true},
                                           Case{"rib6.20151101.0600_firstMB.bz2", true}),
                         [](const auto& param_info) {
                             std::string name =
                                 std::filesystem::path(param_info.param.file).filename().string();
                             std::replace_if(
                                 name.begin(), name.end(),
                                 [](char ch) { return !std::isalnum(ch); }, '_');
                             return name;
                         });

/// Issue 18: AS names without CAIDA files. `lookup --names asnames.json` (pyasn's AS-name file,
/// one long JSON line) gives, for 2,000 addresses inside the table's prefixes, the origin and the
/// name pyasn's own get_as_name() gives on the same .dat (as_name), with the organisation and
/// the country cut from it (org, country).
TEST(PyasnParity, AsNamesFromPyasnsAsnamesFileMatchPyasn) {
    PYASN_OR_SKIP();
    DG_SHARED_OR_SKIP(dat, "ipasn/ipasn_20140513.dat.gz");
    DG_SHARED_OR_SKIP(asnames, "ipasn/asnames.json.gz");
    const test::TempDir dir;
    auto table = parse_table(
        test::run_command({test::dg_binary(), "rib", "origins", dat, "--no-cache"}).out);
    ASSERT_GT(table.size(), 1000U);
    std::vector<std::string> prefixes;
    for (const auto& [p, asn] : table) {
        if (p.find(':') == std::string::npos) {
            prefixes.push_back(p);
        }
    }
    std::mt19937_64 rng(18);
    std::string ips;
    for (int i = 0; i < 2000; ++i) {
        const std::string& p = prefixes[rng() % prefixes.size()];
        ips += p.substr(0, p.find('/')) + "\n"; // the network address: inside the prefix
    }
    test::write_file(dir.file("ips.txt"), ips);
    auto py = test::run_command(
        {kPython, helper(), "names", dat, asnames, dir.file("ips.txt"), dir.file("names.out")});
    ASSERT_EQ(py.exit_code, 0) << py.err;
    auto ours = test::run_command(
        {test::dg_binary(), "lookup", "-m", dat, "--names", asnames, "--jsonl", "--no-cache"}, ips);
    ASSERT_EQ(ours.exit_code, 0) << ours.err;
    const auto want = test::split_lines(test::read_file(dir.file("names.out")));
    const auto got = test::split_lines(ours.out);
    ASSERT_EQ(got.size(), want.size());
    std::size_t named = 0;
    std::size_t differ = 0;
    for (std::size_t i = 0; i < want.size(); ++i) {
        const auto j = nlohmann::json::parse(got[i]);
        const auto fields = [&] {
            std::vector<std::string> f;
            std::stringstream in(want[i]);
            for (std::string part; std::getline(in, part, '\t');) {
                f.push_back(part);
            }
            return f;
        }();
        ASSERT_EQ(fields.size(), 3U) << want[i];
        EXPECT_EQ(j["asn"].is_null() ? "-" : std::to_string(j["asn"].get<std::uint32_t>()),
                  fields[1])
            << got[i];
        if (fields[2] == "-") {
            EXPECT_TRUE(j["org"].is_null()) << got[i];
            continue;
        }
        // "HANDLE - Organisation, CC" -> as_name HANDLE, org, country; a string without " - "
        // stays whole in as_name (org: without the country)
        const std::string as_name = j["as_name"].is_null() ? "" : j["as_name"].get<std::string>();
        std::string assembled = as_name;
        if (as_name != fields[2] && !j["org"].is_null()) {
            assembled += " - " + j["org"].get<std::string>();
            if (!j["country"].is_null()) {
                assembled += ", " + j["country"].get<std::string>();
            }
        }
        if (assembled != fields[2] && ++differ <= 10) {
            ADD_FAILURE() << "pyasn: " << fields[2] << "\nours:  " << got[i];
        }
        if (!j["country"].is_null()) {
            EXPECT_EQ(fields[2].substr(fields[2].size() - 4),
                      ", " + j["country"].get<std::string>())
                << got[i];
        }
        ++named;
    }
    EXPECT_EQ(differ, 0U);
    EXPECT_GT(named, 1500U);
}

TEST(PyasnParity, LabRibMatchesCheckedInReference) {
    DG_SHARED_OR_SKIP(rib, "mrt/synthetic/lab-rib.mrt.gz");
    DG_SHARED_OR_SKIP(ref, "mrt/synthetic/pyasn-reference.dat");
    auto ours = test::run_command(
        {test::dg_binary(), "rib", "origins", rib, "--policy", "pyasn", "--no-cache"});
    ASSERT_EQ(ours.exit_code, 0) << ours.err;
    EXPECT_EQ(parse_table(ours.out), parse_table(test::read_file(ref)));
}

TEST(PyasnParity, PyasnFailsOnAddPathRibs) {
    PYASN_OR_SKIP();
    for (const char* f :
         {"mrt/bview.ipv4_unicast_add_path.gz", "mrt/bview.ipv6_unicast_add_path.gz"}) {
        DG_SHARED_OR_SKIP(rib, f);
        const test::TempDir dir;
        auto conv = test::run_command(
            {kPython, kConvert, "--single", rib, dir.file("x.dat"), "--no-progress"});
        EXPECT_NE(conv.exit_code, 0) << f << ": pyasn now converts ADD-PATH RIBs; add it above";
        // we read them under both policies
        auto ours = test::run_command({test::dg_binary(), "rib", "origins", rib, "--no-cache"});
        EXPECT_EQ(ours.exit_code, 0) << ours.err;
        EXPECT_FALSE(ours.out.empty());
    }
}

} // namespace
} // namespace dg
