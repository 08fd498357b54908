// Configuration through the real binary: flag > environment > file > default, `config show`,
// `config path`, malformed files, unknown keys, rejected values (docs/cli/config.md).
#include "tests/support/support.hpp"

#include <cstdlib>
#include <filesystem>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>

namespace dg {
namespace {

class ConfigCli : public ::testing::Test {
protected:
    test::TempDir dir;

    void SetUp() override {
        // Never read the developer's own configuration; clear what a shell may have set.
        setenv("DOMAINGRAPH_CONFIG_DIR", dir.file("xdg").c_str(), 1);
        setenv("DOMAINGRAPH_CACHE_DIR", dir.file("cache").c_str(), 1);
        for (const char* name :
             {"DOMAINGRAPH_CONFIG", "DOMAINGRAPH_DB", "DOMAINGRAPH_SCAN_DB",
              "DOMAINGRAPH_LOOKUP_SOURCE", "DOMAINGRAPH_LOOKUP_JSONL",
              "DOMAINGRAPH_SCAN_CONCURRENCY", "DOMAINGRAPH_RESOLVE_CONCURRENCY"}) {
            unsetenv(name);
        }
    }
    void TearDown() override {
        for (const char* name :
             {"DOMAINGRAPH_CONFIG_DIR", "DOMAINGRAPH_CACHE_DIR", "DOMAINGRAPH_CONFIG",
              "DOMAINGRAPH_DB", "DOMAINGRAPH_SCAN_DB", "DOMAINGRAPH_LOOKUP_SOURCE",
              "DOMAINGRAPH_LOOKUP_JSONL", "DOMAINGRAPH_SCAN_CONCURRENCY",
              "DOMAINGRAPH_RESOLVE_CONCURRENCY"}) {
            unsetenv(name);
        }
    }

    std::string yaml(const std::string& name, const std::string& text) {
        const std::string path = dir.file(name);
        test::write_file(path, text);
        return path;
    }
    static test::CommandResult dg(std::vector<std::string> args, const std::string& input = "") {
        args.insert(args.begin(), test::dg_binary());
        return test::run_command(args, input);
    }
    /// The settings of `config show --json` by key.
    static std::map<std::string, nlohmann::json> settings(const test::CommandResult& r) {
        std::map<std::string, nlohmann::json> out;
        const auto j = nlohmann::json::parse(r.out);
        for (const auto& s : j["settings"]) {
            out[s["key"].get<std::string>()] = s;
        }
        return out;
    }
};

TEST_F(ConfigCli, ShowReportsValuesAndOrigins) {
    const std::string path = yaml("c.yaml", "db: sqlite:///from-file.db\n"
                                            "scan:\n"
                                            "  concurrency: 500\n"
                                            "lookup:\n"
                                            "  policy: pyasn\n");
    auto plain = dg({"--config", path, "config", "show", "--json"});
    ASSERT_EQ(plain.exit_code, 0) << plain.err;
    const auto j = nlohmann::json::parse(plain.out);
    EXPECT_EQ(j["config_file"]["path"], path);
    EXPECT_EQ(j["config_file"]["origin"], "flag");
    EXPECT_EQ(j["config_file"]["exists"], true);
    auto s = settings(plain);
    ASSERT_EQ(s.count("db"), 1U) << plain.out;
    EXPECT_EQ(s["db"]["value"], "sqlite:///from-file.db");
    EXPECT_EQ(s["db"]["origin"], "file " + path + ":1");
    EXPECT_EQ(s["lookup.policy"]["origin"], "file " + path + ":5");
    EXPECT_EQ(s.count("scan.db"), 0U); // covered by the top-level line

    setenv("DOMAINGRAPH_DB", "sqlite:///from-env.db", 1);
    setenv("DOMAINGRAPH_LOOKUP_SOURCE", "/data/rib.mrt", 1);
    auto env = dg({"--config", path, "config", "show", "--json"});
    ASSERT_EQ(env.exit_code, 0) << env.err;
    s = settings(env);
    EXPECT_EQ(s["db"]["value"], "sqlite:///from-env.db");
    EXPECT_EQ(s["db"]["origin"], "env DOMAINGRAPH_DB");
    EXPECT_EQ(s["lookup.source"]["value"], "/data/rib.mrt");
    EXPECT_EQ(s["lookup.source"]["env"], "DOMAINGRAPH_LOOKUP_SOURCE");

    // One command's full set, defaults included.
    auto full = dg({"--config", path, "config", "show", "lookup", "--json"});
    ASSERT_EQ(full.exit_code, 0) << full.err;
    s = settings(full);
    EXPECT_EQ(s["lookup.source"]["origin"], "env DOMAINGRAPH_LOOKUP_SOURCE");
    EXPECT_EQ(s["lookup.policy"]["value"], "pyasn");
    EXPECT_EQ(s["lookup.no-cache"]["origin"], "default");
    EXPECT_EQ(s["lookup.no-cache"]["value"], "false");

    auto text = dg({"--config", path, "config", "show"});
    ASSERT_EQ(text.exit_code, 0);
    EXPECT_NE(text.out.find("# config file: " + path + " (flag)"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("(env DOMAINGRAPH_DB)"), std::string::npos) << text.out;

    auto unknown = dg({"config", "show", "nosuchcommand"});
    EXPECT_EQ(unknown.exit_code, 2);

    // Issue 12 item 22: an empty list default (scan --resolver) printed as "[[]]".
    auto scan = dg({"config", "show", "scan"});
    ASSERT_EQ(scan.exit_code, 0) << scan.err;
    EXPECT_EQ(scan.out.find("[[]]"), std::string::npos) << scan.out;
    EXPECT_NE(scan.out.find(" = []  (default)"), std::string::npos) << scan.out;
    auto scan_json = dg({"config", "show", "scan", "--json"});
    ASSERT_EQ(scan_json.exit_code, 0) << scan_json.err;
    EXPECT_EQ(settings(scan_json)["scan.resolver"]["value"], nlohmann::json::array());
}

TEST_F(ConfigCli, DefaultWhenNothingIsSet) {
    auto r = dg({"config", "show", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["config_file"]["origin"], "default");
    EXPECT_EQ(j["config_file"]["exists"], false);
    EXPECT_EQ(j["config_file"]["path"], dir.file("xdg") + "/config.yaml");
    auto s = settings(r);
    EXPECT_EQ(s["db"]["origin"], "default");
    EXPECT_EQ(s.size(), 1U) << r.out;

    auto path = dg({"config", "path"});
    EXPECT_EQ(path.exit_code, 0);
    EXPECT_EQ(path.out, dir.file("xdg") + "/config.yaml\n");
    EXPECT_NE(path.err.find("does not exist"), std::string::npos);

    // The default location is picked up once it exists.
    std::filesystem::create_directories(dir.file("xdg"));
    test::write_file(dir.file("xdg/config.yaml"), "db: sqlite:///xdg.db\n");
    auto found = dg({"config", "show", "--json"});
    ASSERT_EQ(found.exit_code, 0) << found.err;
    EXPECT_EQ(settings(found)["db"]["value"], "sqlite:///xdg.db");
}

TEST_F(ConfigCli, LookupTakesFlagOverEnvOverFile) {
    DG_SHARED_OR_SKIP(rib, "mrt/synthetic/lab-rib.mrt.gz");
    const std::string path = yaml("c.yaml", "lookup:\n"
                                            "  source: /nonexistent/rib.mrt\n"
                                            "  jsonl: true\n"
                                            "  no_cache: yes\n");
    // File only: the required -m comes from the file (and fails to load: it is the file's value).
    auto file_only = dg({"--config", path, "lookup", "198.51.100.7"});
    EXPECT_EQ(file_only.exit_code, 1) << file_only.err;
    EXPECT_NE(file_only.err.find("/nonexistent/rib.mrt"), std::string::npos) << file_only.err;

    // Env beats file: the real RIB; jsonl still from the file.
    setenv("DOMAINGRAPH_LOOKUP_SOURCE", rib.c_str(), 1);
    auto env = dg({"--config", path, "lookup", "198.51.100.7"});
    ASSERT_EQ(env.exit_code, 0) << env.err;
    const auto j = nlohmann::json::parse(env.out);
    EXPECT_EQ(j["asn"], 501);

    // An env "false" turns off the file's flag.
    setenv("DOMAINGRAPH_LOOKUP_JSONL", "false", 1);
    auto off = dg({"--config", path, "lookup", "198.51.100.7"});
    ASSERT_EQ(off.exit_code, 0) << off.err;
    EXPECT_EQ(off.out, "198.51.100.7\t198.51.100.0/24\t501,601\n");
    unsetenv("DOMAINGRAPH_LOOKUP_JSONL");

    // Flag beats env.
    setenv("DOMAINGRAPH_LOOKUP_SOURCE", "/nonexistent/env.mrt", 1);
    auto flag = dg({"--config", path, "lookup", "-m", rib, "198.51.100.7"});
    ASSERT_EQ(flag.exit_code, 0) << flag.err;
    EXPECT_EQ(nlohmann::json::parse(flag.out)["prefix"], "198.51.100.0/24");

    // Without any source the command line is still incomplete.
    unsetenv("DOMAINGRAPH_LOOKUP_SOURCE");
    auto none = dg({"lookup", "198.51.100.7"});
    EXPECT_EQ(none.exit_code, 2);
}

TEST_F(ConfigCli, BadFilesAndValues) {
    const std::string bad = yaml("bad.yaml", "db: x\nscan:\n  concurrency: [1, 2\n");
    auto malformed = dg({"--config", bad, "config", "show"});
    EXPECT_EQ(malformed.exit_code, 2);
    EXPECT_NE(malformed.err.find(bad + ":"), std::string::npos) << malformed.err;

    setenv("DOMAINGRAPH_CONFIG", bad.c_str(), 1);
    auto via_env = dg({"config", "path"});
    EXPECT_EQ(via_env.exit_code, 2);
    unsetenv("DOMAINGRAPH_CONFIG");

    auto missing = dg({"--config", dir.file("absent.yaml"), "config", "show"});
    EXPECT_EQ(missing.exit_code, 2);
    EXPECT_NE(missing.err.find("absent.yaml"), std::string::npos) << missing.err;

    const std::string typo = yaml("typo.yaml", "scan:\n  concurency: 5\n");
    auto warned = dg({"--config", typo, "config", "path"});
    EXPECT_EQ(warned.exit_code, 0) << warned.err;
    EXPECT_NE(warned.err.find("warning: " + typo + ":2: unknown key 'scan.concurency'"),
              std::string::npos)
        << warned.err;

    // A value the option rejects: usage error naming the variable, before the command runs.
    setenv("DOMAINGRAPH_RESOLVE_CONCURRENCY", "many", 1);
    auto rejected = dg({"resolve", "-i", dir.file("names.txt")});
    EXPECT_EQ(rejected.exit_code, 2);
    EXPECT_NE(rejected.err.find("env DOMAINGRAPH_RESOLVE_CONCURRENCY"), std::string::npos)
        << rejected.err;
}

} // namespace
} // namespace dg
