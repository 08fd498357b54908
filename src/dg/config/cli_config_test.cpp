#include "dg/config/cli_config.hpp"
#include "tests/support/support.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <map>
#include <memory>

namespace dg::config {
namespace {

/// A command tree shaped like domaingraph's, with the option kinds that matter.
struct Tree {
    CLI::App app{"test"};
    std::string config;
    struct Scan {
        int concurrency = 100;
        std::vector<std::string> resolver;
        bool hosts = false;
        std::string db;
        std::string domains;
        std::string notes;
        int resume = 0;
        bool fresh = false;
    } scan;
    std::string lookup_db = "untouched";
    std::string fetch_source = "ris";
    std::string fetch_cache_dir;
    int fetch_max_age = 7;
    CLI::App* scan_cmd = nullptr;

    Tree() {
        app.require_subcommand(1);
        app.add_option("--config", config, "configuration file");
        scan_cmd = app.add_subcommand("scan", "scan");
        scan_cmd->add_option("-c,--concurrency", scan.concurrency)->check(CLI::Range(1, 10000));
        scan_cmd->add_option("--resolver", scan.resolver);
        scan_cmd->add_flag("--hosts", scan.hosts);
        scan_cmd->add_option("--db", scan.db);
        scan_cmd->add_option("-d,--domains", scan.domains)->required();
        scan_cmd->add_option("--notes", scan.notes);
        auto* resume = scan_cmd->add_option("--resume", scan.resume);
        auto* fresh = scan_cmd->add_flag("--fresh", scan.fresh);
        resume->excludes(fresh);
        auto* lookup = app.add_subcommand("lookup", "lookup");
        lookup->add_option("--db", lookup_db);
        auto* rib = app.add_subcommand("rib", "rib");
        rib->require_subcommand(1);
        auto* fetch = rib->add_subcommand("fetch", "fetch");
        fetch->add_option("--source", fetch_source);
        fetch->add_option("--cache-dir", fetch_cache_dir);
        fetch->add_option("--max-age-days", fetch_max_age);
    }
};

struct Run {
    std::unique_ptr<Tree> tree = std::make_unique<Tree>();
    std::unique_ptr<CliConfig> config;
    Result<void> prepared = ok();
    Result<void> applied = ok();
    std::string parse_error;
};

/// prepare -> parse -> apply, as cli.cpp does.
Run run(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
    Run r;
    r.config =
        std::make_unique<CliConfig>([env](const std::string& name) -> std::optional<std::string> {
            const auto it = env.find(name);
            if (it == env.end()) {
                return std::nullopt;
            }
            return it->second;
        });
    args.insert(args.begin(), "domaingraph");
    std::vector<const char*> argv;
    for (const auto& a : args) {
        argv.push_back(a.c_str());
    }
    const int argc = static_cast<int>(argv.size());
    r.prepared = r.config->prepare(r.tree->app, argc, argv.data());
    if (!r.prepared) {
        return r;
    }
    try {
        r.tree->app.parse(argc, argv.data());
    } catch (const CLI::ParseError& e) {
        r.parse_error = e.what();
        return r;
    }
    r.applied = r.config->apply(r.tree->app);
    return r;
}

class CliConfigTest : public ::testing::Test {
protected:
    test::TempDir dir;
    std::string yaml(const std::string& text) {
        const std::string path = dir.file("config.yaml");
        test::write_file(path, text);
        return path;
    }
    // The default path must not pick up the developer's own file.
    void SetUp() override { setenv("DOMAINGRAPH_CONFIG_DIR", dir.file("xdg").c_str(), 1); }
    void TearDown() override { unsetenv("DOMAINGRAPH_CONFIG_DIR"); }
};

TEST_F(CliConfigTest, KeyNaming) {
    EXPECT_EQ(file_key({"scan"}, "concurrency"), "scan.concurrency");
    EXPECT_EQ(file_key({}, "db"), "db");
    EXPECT_EQ(file_key({"rib", "fetch"}, "max-age-days"), "rib.fetch.max-age-days");
    EXPECT_EQ(env_name({"scan"}, "concurrency"), "DOMAINGRAPH_SCAN_CONCURRENCY");
    EXPECT_EQ(env_name({}, "db"), "DOMAINGRAPH_DB");
    EXPECT_EQ(env_name({"rib", "fetch"}, "max-age-days"), "DOMAINGRAPH_RIB_FETCH_MAX_AGE_DAYS");
}

TEST_F(CliConfigTest, FlagBeatsEnvBeatsFileBeatsDefault) {
    const std::string path = yaml("scan:\n  concurrency: 500\n  notes: from file\n");
    {
        auto r = run({"--config", path, "scan", "-d", "x"});
        ASSERT_TRUE(r.applied) << r.applied.error().to_string();
        EXPECT_EQ(r.tree->scan.concurrency, 500);
        EXPECT_EQ(r.tree->scan.notes, "from file");
    }
    {
        auto r =
            run({"--config", path, "scan", "-d", "x"}, {{"DOMAINGRAPH_SCAN_CONCURRENCY", "700"}});
        ASSERT_TRUE(r.applied);
        EXPECT_EQ(r.tree->scan.concurrency, 700);
    }
    {
        auto r = run({"--config", path, "scan", "-d", "x", "-c", "900"},
                     {{"DOMAINGRAPH_SCAN_CONCURRENCY", "700"}});
        ASSERT_TRUE(r.applied);
        EXPECT_EQ(r.tree->scan.concurrency, 900);
        const auto settings = r.config->settings(*r.tree->scan_cmd);
        for (const auto& s : settings) {
            if (s.option == "concurrency") {
                EXPECT_EQ(s.origin, Origin::Flag);
                EXPECT_EQ(s.values, std::vector<std::string>{"900"});
            }
            if (s.option == "notes") {
                EXPECT_EQ(s.origin, Origin::File);
                EXPECT_EQ(s.origin_text, "file " + path + ":3");
            }
        }
    }
    {
        auto r = run({"scan", "-d", "x"});
        ASSERT_TRUE(r.applied);
        EXPECT_EQ(r.tree->scan.concurrency, 100);
        EXPECT_TRUE(r.config->file().path.empty());
    }
}

TEST_F(CliConfigTest, SpecificBeatsGlobal) {
    const std::string path = yaml("db: sqlite:///top.db\nscan:\n  db: sqlite:///scan.db\n");
    auto r = run({"--config=" + path, "scan", "-d", "x"});
    ASSERT_TRUE(r.applied);
    EXPECT_EQ(r.tree->scan.db, "sqlite:///scan.db");

    auto top = run({"--config=" + path, "lookup"});
    ASSERT_TRUE(top.applied);
    EXPECT_EQ(top.tree->lookup_db, "sqlite:///top.db");

    auto env =
        run({"--config=" + path, "scan", "-d", "x"}, {{"DOMAINGRAPH_DB", "sqlite:///env.db"}});
    ASSERT_TRUE(env.applied);
    EXPECT_EQ(env.tree->scan.db, "sqlite:///env.db"); // any env beats any file
    auto env2 = run({"scan", "-d", "x"}, {{"DOMAINGRAPH_DB", "sqlite:///env.db"},
                                          {"DOMAINGRAPH_SCAN_DB", "sqlite:///scan-env.db"}});
    ASSERT_TRUE(env2.applied);
    EXPECT_EQ(env2.tree->scan.db, "sqlite:///scan-env.db");
    // Only the command that runs receives values.
    EXPECT_EQ(env2.tree->lookup_db, "untouched");
}

TEST_F(CliConfigTest, ListsAndFlags) {
    const std::string path = yaml("scan:\n  resolver: [192.0.2.1, 192.0.2.2]\n  hosts: yes\n");
    auto r = run({"--config", path, "scan", "-d", "x"});
    ASSERT_TRUE(r.applied) << r.applied.error().to_string();
    EXPECT_EQ(r.tree->scan.resolver, (std::vector<std::string>{"192.0.2.1", "192.0.2.2"}));
    EXPECT_TRUE(r.tree->scan.hosts);

    auto env = run({"--config", path, "scan", "-d", "x"},
                   {{"DOMAINGRAPH_SCAN_RESOLVER", "198.51.100.1, 198.51.100.2,"},
                    {"DOMAINGRAPH_SCAN_HOSTS", "false"}});
    ASSERT_TRUE(env.applied) << env.applied.error().to_string();
    EXPECT_EQ(env.tree->scan.resolver, (std::vector<std::string>{"198.51.100.1", "198.51.100.2"}));
    EXPECT_FALSE(env.tree->scan.hosts);

    // A command-line list replaces the configured one entirely.
    auto flag = run({"--config", path, "scan", "-d", "x", "--resolver", "203.0.113.1"});
    ASSERT_TRUE(flag.applied);
    EXPECT_EQ(flag.tree->scan.resolver, std::vector<std::string>{"203.0.113.1"});

    auto on = run({"scan", "-d", "x"}, {{"DOMAINGRAPH_HOSTS", "true"}});
    ASSERT_TRUE(on.applied);
    EXPECT_TRUE(on.tree->scan.hosts);
}

TEST_F(CliConfigTest, RequiredOptionsCanComeFromConfiguration) {
    auto missing = run({"scan"});
    EXPECT_NE(missing.parse_error.find("domains"), std::string::npos) << missing.parse_error;

    auto env = run({"scan"}, {{"DOMAINGRAPH_SCAN_DOMAINS", "list.txt"}});
    ASSERT_TRUE(env.parse_error.empty()) << env.parse_error;
    ASSERT_TRUE(env.applied);
    EXPECT_EQ(env.tree->scan.domains, "list.txt");
}

TEST_F(CliConfigTest, ConfiguredValuesYieldToExclusiveFlags) {
    const std::string path = yaml("scan:\n  fresh: true\n");
    auto r = run({"--config", path, "scan", "-d", "x", "--resume", "3"});
    ASSERT_TRUE(r.applied) << r.applied.error().to_string();
    EXPECT_EQ(r.tree->scan.resume, 3);
    EXPECT_FALSE(r.tree->scan.fresh);
    auto alone = run({"--config", path, "scan", "-d", "x"});
    ASSERT_TRUE(alone.applied);
    EXPECT_TRUE(alone.tree->scan.fresh);
}

TEST_F(CliConfigTest, RejectedValuesNameTheirOrigin) {
    auto r = run({"scan", "-d", "x"}, {{"DOMAINGRAPH_SCAN_CONCURRENCY", "lots"}});
    ASSERT_FALSE(r.applied);
    EXPECT_EQ(r.applied.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(r.applied.error().message.find("env DOMAINGRAPH_SCAN_CONCURRENCY"), std::string::npos)
        << r.applied.error().message;

    const std::string path = yaml("scan:\n  concurrency: 0\n");
    auto range = run({"--config", path, "scan", "-d", "x"});
    ASSERT_FALSE(range.applied);
    EXPECT_NE(range.applied.error().message.find(path + ":2"), std::string::npos)
        << range.applied.error().message;
}

TEST_F(CliConfigTest, NestedCommandsAndReservedVariables) {
    auto r = run({"rib", "fetch"}, {{"DOMAINGRAPH_RIB_FETCH_MAX_AGE_DAYS", "3"},
                                    {"DOMAINGRAPH_CACHE_DIR", "/tmp/not-an-option-value"},
                                    {"DOMAINGRAPH_RIB_SOURCE", "routeviews"}});
    ASSERT_TRUE(r.applied) << r.applied.error().to_string();
    EXPECT_EQ(r.tree->fetch_max_age, 3);
    EXPECT_EQ(r.tree->fetch_cache_dir, "");
    EXPECT_EQ(r.tree->fetch_source, "routeviews");

    auto specific = run({"rib", "fetch"}, {{"DOMAINGRAPH_RIB_FETCH_CACHE_DIR", "/tmp/c"}});
    ASSERT_TRUE(specific.applied);
    EXPECT_EQ(specific.tree->fetch_cache_dir, "/tmp/c");
}

TEST_F(CliConfigTest, UnknownKeysWarn) {
    const std::string path = yaml("scan:\n  concurency: 5\n  db: x\nbogus: 1\nsource: ris\n"
                                  "rib:\n  source: ris\n  nope: 2\n");
    auto r = run({"--config", path, "lookup"});
    ASSERT_TRUE(r.applied);
    const auto& w = r.config->warnings();
    ASSERT_EQ(w.size(), 3U) << ::testing::PrintToString(w);
    EXPECT_NE(w[0].find(path + ":4: unknown key 'bogus'"), std::string::npos) << w[0];
    EXPECT_NE(w[1].find("'rib.nope'"), std::string::npos) << w[1];
    EXPECT_NE(w[2].find(path + ":2: unknown key 'scan.concurency'"), std::string::npos) << w[2];
    // issue 12 item 21: a suggestion for the typo
    EXPECT_NE(w[2].find("did you mean 'scan.concurrency'?"), std::string::npos) << w[2];
    EXPECT_EQ(w[0].find("did you mean"), std::string::npos) << w[0]; // 'bogus': nothing close
}

TEST_F(CliConfigTest, ChoosesTheFile) {
    const std::string path = yaml("scan:\n  notes: chosen\n");
    auto env = run({"scan", "-d", "x"}, {{"DOMAINGRAPH_CONFIG", path}});
    ASSERT_TRUE(env.applied);
    EXPECT_EQ(env.tree->scan.notes, "chosen");
    EXPECT_EQ(env.config->file().origin, Origin::Env);

    auto missing = run({"--config", dir.file("absent.yaml"), "scan", "-d", "x"});
    ASSERT_FALSE(missing.prepared);
    EXPECT_EQ(missing.prepared.error().code, ErrorCode::NotFound);

    auto bad_env = run({"scan", "-d", "x"}, {{"DOMAINGRAPH_CONFIG", dir.file("absent.yaml")}});
    ASSERT_FALSE(bad_env.prepared);

    // The default location is used only when it exists.
    std::filesystem::create_directories(dir.file("xdg"));
    test::write_file(dir.file("xdg/config.yaml"), "notes: default file\n");
    auto fallback = run({"scan", "-d", "x"});
    ASSERT_TRUE(fallback.applied);
    EXPECT_EQ(fallback.tree->scan.notes, "default file");
    EXPECT_EQ(fallback.config->file().path, dir.file("xdg/config.yaml"));

    // --config after the command name is the command's business, not a file choice.
    auto malformed = run({"scan", "-d", "x"}, {{"DOMAINGRAPH_CONFIG", yaml("a: [1\n")}});
    ASSERT_FALSE(malformed.prepared);
    EXPECT_EQ(malformed.prepared.error().code, ErrorCode::Malformed);
}

TEST_F(CliConfigTest, OverriddenAndGlobal) {
    const std::string path = yaml("db: sqlite:///top.db\nscan:\n  concurrency: 5\n");
    auto r = run({"--config", path, "lookup"}, {{"DOMAINGRAPH_RIB_FETCH_SOURCE", "routeviews"}});
    ASSERT_TRUE(r.applied);
    const auto all = r.config->overridden();
    ASSERT_EQ(all.size(), 4U); // lookup.db, rib fetch source, scan.concurrency, scan.db
    EXPECT_EQ(all[0].command, "lookup");
    EXPECT_EQ(all[1].command, "rib fetch");
    EXPECT_EQ(all[1].origin_text, "env DOMAINGRAPH_RIB_FETCH_SOURCE");
    EXPECT_EQ(all[2].key, "scan.concurrency");
    EXPECT_EQ(all[3].key, "scan.db");
    EXPECT_EQ(all[3].origin_text, "file " + path + ":1");
    const auto db = r.config->global("db");
    ASSERT_TRUE(db.has_value());
    EXPECT_EQ(db->values, std::vector<std::string>{"sqlite:///top.db"});
    EXPECT_FALSE(r.config->global("notes").has_value());
}

} // namespace
} // namespace dg::config
