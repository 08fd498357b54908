// Unit tests of the dictionary builder: a hand-written source set, the errors of missing and
// unknown sources, and (with ../shared/data/ptr) byte identity with the shipped dictionary.
#include "dg/core/byte_source.hpp"
#include "dg/hostnames/dictionary.hpp"
#include "dg/hostnames/dictionary_builder.hpp"
#include "tests/support/support.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <string>
#include <vector>
#include <zlib.h>

namespace dg::hostnames {
namespace {

void write_gzip(const std::string& path, const std::string& text) {
    gzFile f = gzopen(path.c_str(), "wb9");
    ASSERT_NE(f, nullptr) << path;
    if (!text.empty()) {
        ASSERT_EQ(gzwrite(f, text.data(), static_cast<unsigned>(text.size())),
                  static_cast<int>(text.size()));
    }
    ASSERT_EQ(gzclose(f), Z_OK);
}

/// The 27 metro cities (the builder places the IATA metro codes on them) plus a few more.
std::string cities_tsv() {
    std::string t = "geonameid\tname\tasciiname\talternatenames\tlatitude\tlongitude\tfeature_code"
                    "\tcountry_code\tadmin1_code\tpopulation\ttimezone\n";
    const std::vector<std::pair<std::string, std::string>> metros = {
        {"London", "GB"},     {"New York City", "US"},  {"Paris", "FR"},
        {"Milan", "IT"},      {"Tokyo", "JP"},          {"Chicago", "US"},
        {"Washington", "US"}, {"Berlin", "DE"},         {"Rome", "IT"},
        {"Moscow", "RU"},     {"Stockholm", "SE"},      {"Buenos Aires", "AR"},
        {"Sao Paulo", "BR"},  {"Rio de Janeiro", "BR"}, {"Osaka", "JP"},
        {"Seoul", "KR"},      {"Toronto", "CA"},        {"Montreal", "CA"},
        {"Beijing", "CN"},    {"Shanghai", "CN"},       {"Jakarta", "ID"},
        {"Detroit", "US"},    {"Dallas", "US"},         {"Belo Horizonte", "BR"},
        {"Bucharest", "RO"},  {"Istanbul", "TR"},       {"Santa Cruz de Tenerife", "ES"}};
    int id = 100;
    for (const auto& [name, cc] : metros) {
        ++id;
        t += std::to_string(id) + "\t" + name + "\t" + name + "\t\t" + std::to_string(id % 60) +
             ".5\t" + std::to_string(id % 90) + ".25\tPPLA\t" + cc + "\t01\t1000000\tX/Y\n";
    }
    t += "1\tFrankfurt am Main\tFrankfurt am Main\tFrankfurt,Francfort,Fr4nkfurt\t50.11552\t"
         "8.68417\tPPLA2\tDE\t05\t650000\tEurope/Berlin\n"
         "2\tAshburn\tAshburn\t\t39.04372\t-77.48749\tPPL\tUS\tVA\t43511\tAmerica/New_York\n"
         "3\tshort row\n";
    return t;
}

/// A small source directory laid out as shared/data/ptr/.
class BuilderTest : public ::testing::Test {
protected:
    void SetUp() override {
        for (const char* d : {"geonames", "airports", "locode", "iso", "words", "naming"}) {
            std::filesystem::create_directories(dir_.file(d));
        }
        write_gzip(dir_.file("geonames/cities5000_ascii.tsv.gz"), cities_tsv());
        test::write_file(dir_.file("geonames/admin1CodesASCII.txt"),
                         "DE.05\tHessen\tHesse\t2905330\nUS.VA\tVirginia\tVirginia\t6254928\n");
        test::write_file(dir_.file("airports/iata_codes.tsv"),
                         "iata\ticao\tairport_name\tcity\tcountry_iso2\tcountry_name\tlatitude\t"
                         "longitude\ttz\ttype\tsource\n"
                         "FRA\tEDDF\tFrankfurt am Main Airport\tFrankfurt\tDE\tGermany\t50.033333\t"
                         "8.570556\tEurope/Berlin\tairport\tOurAirports\n"
                         "IAD\tKIAD\tWashington Dulles\t\tUS\tUnited States\t38.9445\t-77.4558\t"
                         "America/New_York\tairport\tOurAirports\n");
        test::write_file(
            dir_.file("airports/openflights_airports.dat"),
            "1,\"Egelsbach \"\"Air\"\" Field\",\"Egelsbach\",\"Germany\",\\N,\"EDFE\",49.96,"
            "8.64,384,1,\"E\",\"Europe/Berlin\",\"airport\",\"OurAirports\"\n"
            "2,\"Bad "
            "Lat\",\"\",\"Germany\",\\N,\"EDXX\",north,8.6,1,1,\"E\",\"X\",\"airport\",\"O\"\n"
            "3,\"Has "
            "IATA\",\"X\",\"Germany\",\"FRA\",\"EDDF\",50,8,1,1,\"E\",\"X\",\"airport\",\"O\"\n");
        // ISO-8859-1: "K\xf6ln" is Köln.
        write_gzip(
            dir_.file("locode/locodePart1.csv.gz"),
            ",\"US\",\"QAS\",\"Ashburn\",\"Ashburn\",\"VA\",\"--3-----\",\"RL\",\"0701\",,"
            "\"3903N 07729W\",\n"
            ",\"DE\",\"CGN\",\"K\xf6ln\",\"\",\"NW\",\"1234----\",\"AI\",\"0601\",,"
            "\"5056N 00657E\",\n"
            ",\"DE\",\"XYZ\",\"Nowhere\",\"Nowhere\",\"NW\",\"1-------\",\"AI\",\"0601\",,,\n");
        write_gzip(dir_.file("locode/locodePart2.csv.gz"), "");
        write_gzip(dir_.file("locode/locodePart3.csv.gz"), "");
        test::write_file(dir_.file("iso/iso3166-1.tsv"),
                         "alpha_2\talpha_3\tnumeric\tname\tcommon_name\tofficial_name\n"
                         "DE\tDEU\t276\tGermany\t\tFederal Republic of Germany\n");
        test::write_file(dir_.file("iso/us_states.tsv"),
                         "code\tiso3166_2\ttype\tname\nVA\tUS-VA\tState\tVirginia\n");
        write_gzip(dir_.file("words/american-english.gz"), "apple\nApple\nrouter's\nzoo\nab\n");
        test::write_file(dir_.file("naming/interface_types.tsv"),
                         "token\tcanonical\tfamily\tkind\tspeed\tnotes\n"
                         "xe\tTenGigE\tjuniper,cisco\tethernet\t10G\t\n"
                         "eth-trunk\tEth-Trunk\thuawei\tlag\t\t\n");
        test::write_file(dir_.file("naming/router_roles.tsv"),
                         "token\tmeaning\tclass\tconfidence\texample\n"
                         "cr\tcore router\trouter-role\thigh\tcr1.example.net\n");
        test::write_file(dir_.file("psl.dat"),
                         "// comment\ncom\nco.uk\n*.ck\n!www.ck\n\xc3\xa4rzte.de\n");
    }

    Result<DictionarySources> sources() const {
        return resolve_dictionary_sources({dir_.path()}, dir_.file("psl.dat"));
    }

    test::TempDir dir_;
};

TEST_F(BuilderTest, BuildsALookupableDictionary) {
    auto src = sources();
    ASSERT_TRUE(src) << src.error().to_string();
    const std::string out = dir_.file("hostnames.dict");
    auto report = build_dictionary(*src, out);
    ASSERT_TRUE(report) << report.error().to_string();
    EXPECT_TRUE(report->warnings.empty());
    auto dict = Dictionary::open(out);
    ASSERT_TRUE(dict) << dict.error().to_string();
    EXPECT_EQ(report->places, dict->place_count());
    EXPECT_EQ(report->entries, dict->entry_count());

    std::uint32_t v = 0;
    ASSERT_TRUE(dict->find("frankfurtammain", EntryType::City, &v));
    EXPECT_EQ(dict->place(v).name, "Frankfurt am Main");
    EXPECT_EQ(dict->place(v).region, "Hesse");
    EXPECT_EQ(dict->place(v).country, "DE");
    EXPECT_NEAR(dict->place(v).lat, 50.11552, 1e-9);
    EXPECT_TRUE(dict->has("francfort", EntryType::CityAlt));
    EXPECT_FALSE(dict->has("frnkfurt", EntryType::CityAlt)) << "a digit: not a name";
    ASSERT_TRUE(dict->find("fra", EntryType::Iata, &v));
    EXPECT_EQ(dict->place(v).name, "Frankfurt");
    EXPECT_EQ(dict->place(v).region, "Frankfurt am Main Airport");
    EXPECT_TRUE(dict->has("eddf", EntryType::Icao));
    ASSERT_TRUE(dict->find("iad", EntryType::Iata, &v));
    EXPECT_EQ(dict->place(v).name, "Washington Dulles") << "no city: the airport's name";
    ASSERT_TRUE(dict->find("edfe", EntryType::Icao, &v));
    EXPECT_EQ(dict->place(v).region, "Egelsbach \"Air\" Field");
    EXPECT_FALSE(dict->has("edxx", EntryType::Icao)) << "unreadable latitude: skipped";
    ASSERT_TRUE(dict->find("lon", EntryType::Metro, &v));
    EXPECT_EQ(dict->place(v).country, "GB");
    ASSERT_TRUE(dict->find("usqas", EntryType::Locode, &v));
    EXPECT_NEAR(dict->place(v).lat, 39.05, 1e-9);
    EXPECT_NEAR(dict->place(v).lon, -77.48333, 1e-5);
    ASSERT_TRUE(dict->find("decgn", EntryType::Locode, &v));
    EXPECT_EQ(dict->place(v).name, "K\xc3\xb6ln") << "ISO-8859-1 read, UTF-8 stored";
    EXPECT_FALSE(dict->has("dexyz", EntryType::Locode)) << "no coordinates";
    EXPECT_TRUE(dict->has("deu", EntryType::Country));
    EXPECT_TRUE(dict->has("virginia", EntryType::State));
    EXPECT_TRUE(dict->has("apple", EntryType::Word));
    EXPECT_TRUE(dict->has("zoo", EntryType::Word));
    EXPECT_FALSE(dict->has("ab", EntryType::Word));
    ASSERT_TRUE(dict->find("xe", EntryType::Interface, &v));
    EXPECT_EQ(dict->interface_info(v).type, "ethernet");
    EXPECT_DOUBLE_EQ(dict->interface_info(v).speed_gbps, 10);
    ASSERT_TRUE(dict->find("ethtrunk", EntryType::Interface, &v));
    EXPECT_EQ(dict->interface_info(v).type, "aggregated-ethernet");
    ASSERT_TRUE(dict->find("cr", EntryType::Role, &v));
    EXPECT_EQ(dict->role_info(v).role, "core");
    EXPECT_TRUE(dict->has("cor", EntryType::Role)) << "the builder's own role tokens";
    const auto ashburn = dict->region_places("usva/a");
    ASSERT_EQ(ashburn.size(), 1U);
    EXPECT_EQ(dict->place(ashburn[0]).name, "Ashburn");

    const std::string host = "a.b.example.co.uk";
    EXPECT_EQ(dict->registrable_length(host), std::string("example.co.uk").size());
    EXPECT_EQ(dict->registrable_length("x.y.foo.ck"), std::string("y.foo.ck").size());
    EXPECT_EQ(dict->registrable_length("a.www.ck"), std::string("www.ck").size());
    EXPECT_TRUE(dict->has("xn--rzte-koa.de", EntryType::Psl)) << "IDNA-encoded rule";
}

TEST_F(BuilderTest, SameSourcesSameBytesAndGzipHoldsTheSame) {
    auto src = sources();
    ASSERT_TRUE(src) << src.error().to_string();
    ASSERT_TRUE(build_dictionary(*src, dir_.file("a.dict")));
    ASSERT_TRUE(build_dictionary(*src, dir_.file("b.dict")));
    ASSERT_TRUE(build_dictionary(*src, dir_.file("a.dict.gz")));
    ASSERT_TRUE(build_dictionary(*src, dir_.file("b.dict.gz")));
    const std::string plain = test::read_file(dir_.file("a.dict"));
    EXPECT_EQ(plain, test::read_file(dir_.file("b.dict")));
    EXPECT_EQ(test::read_file(dir_.file("a.dict.gz")), test::read_file(dir_.file("b.dict.gz")));
    auto gz = io::open(dir_.file("a.dict.gz"));
    ASSERT_TRUE(gz);
    auto bytes = io::read_all(**gz);
    ASSERT_TRUE(bytes);
    EXPECT_EQ(std::string(bytes->begin(), bytes->end()), plain);
}

TEST_F(BuilderTest, LaterSourcesReplaceEarlierOnes) {
    const std::string newer = dir_.file("router_roles.tsv");
    test::write_file(newer, "token\tmeaning\tclass\nzz\tnew role\trouter-role\n");
    auto src = resolve_dictionary_sources({dir_.path(), newer}, dir_.file("psl.dat"));
    ASSERT_TRUE(src) << src.error().to_string();
    EXPECT_EQ(src->roles, newer);
    ASSERT_TRUE(build_dictionary(*src, dir_.file("x.dict")));
    auto dict = Dictionary::open(dir_.file("x.dict"));
    ASSERT_TRUE(dict);
    EXPECT_TRUE(dict->has("zz", EntryType::Role));
    EXPECT_FALSE(dict->has("cr", EntryType::Role));
}

TEST_F(BuilderTest, MissingSourcesAreNamed) {
    std::filesystem::remove(dir_.file("naming/router_roles.tsv"));
    auto src = resolve_dictionary_sources({dir_.path()}, dir_.file("no-psl.dat"));
    ASSERT_FALSE(src);
    EXPECT_EQ(src.error().code, ErrorCode::NotFound);
    EXPECT_NE(src.error().message.find("naming/router_roles.tsv"), std::string::npos);
    EXPECT_NE(src.error().message.find("no-psl.dat"), std::string::npos);
}

TEST_F(BuilderTest, UnknownOrAbsentSourcesAreRefused) {
    auto none = resolve_dictionary_sources({});
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, ErrorCode::InvalidArgument);
    auto unknown = resolve_dictionary_sources({dir_.file("psl.dat")}, dir_.file("psl.dat"));
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, ErrorCode::InvalidArgument);
    auto absent = resolve_dictionary_sources({dir_.file("nothing-here")});
    ASSERT_FALSE(absent);
    EXPECT_EQ(absent.error().code, ErrorCode::NotFound);
}

TEST_F(BuilderTest, AMetroWithoutItsCityIsAnError) {
    std::string cities = cities_tsv();
    const auto at = cities.find("London\tLondon");
    ASSERT_NE(at, std::string::npos);
    cities.replace(at, 13, "Londres\tLondres");
    write_gzip(dir_.file("geonames/cities5000_ascii.tsv.gz"), cities);
    auto src = sources();
    ASSERT_TRUE(src);
    auto report = build_dictionary(*src, dir_.file("x.dict"));
    ASSERT_FALSE(report);
    EXPECT_NE(report.error().message.find("metro lon"), std::string::npos);
}

/// The PSL rules of a dictionary, as a PSL file (ASCII forms: they encode to themselves).
std::string psl_of(const Dictionary& dict) {
    std::string psl;
    for (std::uint32_t i = 0; i < dict.entry_count(); ++i) {
        const std::string key(dict.key(i));
        switch (dict.entry(i).type) {
        case EntryType::Psl:
            psl += key + "\n";
            break;
        case EntryType::PslWildcard:
            psl += "*." + key + "\n";
            break;
        case EntryType::PslException:
            psl += "!" + key + "\n";
            break;
        default:
            break;
        }
    }
    return psl;
}

// The shipped dictionary, rebuilt from the sources it came from, byte for byte. Its PSL rules are
// taken from the shipped file itself, so the installed PSL's version does not matter.
TEST(DictionaryBuilderShared, RebuildsTheShippedDictionary) {
    DG_SHARED_OR_SKIP(ptr, "ptr/geonames/cities5000_ascii.tsv.gz");
    const std::string shipped = std::string(DG_SOURCE_DIR) + "/data/hostnames/hostnames.dict.gz";
    test::TempDir tmp;
    auto gz = io::open(shipped);
    ASSERT_TRUE(gz) << gz.error().to_string();
    auto plain = io::read_all(**gz);
    ASSERT_TRUE(plain);
    test::write_file(tmp.file("shipped.dict"), std::string(plain->begin(), plain->end()));
    auto dict = Dictionary::open(tmp.file("shipped.dict"));
    ASSERT_TRUE(dict) << dict.error().to_string();
    test::write_file(tmp.file("psl.dat"), psl_of(*dict));

    auto src =
        resolve_dictionary_sources({std::string(DG_SHARED_DIR) + "/data/ptr"}, tmp.file("psl.dat"));
    ASSERT_TRUE(src) << src.error().to_string();
    auto report = build_dictionary(*src, tmp.file("rebuilt.dict.gz"));
    ASSERT_TRUE(report) << report.error().to_string();
    EXPECT_TRUE(report->warnings.empty());
    EXPECT_EQ(report->bytes, plain->size());
    EXPECT_TRUE(test::read_file(tmp.file("rebuilt.dict.gz")) == test::read_file(shipped))
        << "the rebuilt dictionary differs from data/hostnames/hostnames.dict.gz";
}

} // namespace
} // namespace dg::hostnames
