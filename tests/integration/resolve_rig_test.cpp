// `domaingraph resolve` (the real binary) against the real DNS rig (knotd + unbound, a black hole,
// a refusing server): every case of issue 3, asserted exactly against the rig's truth.jsonl.

#include "tests/support/dns_rig.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <map>
#include <set>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace dg::test {
namespace {

using nlohmann::json;

struct ResolveRun {
    int exit_code = -1;
    std::string err;
    std::vector<json> results;      ///< every stdout line, parsed (invalid JSON -> null)
    std::map<std::string, json> by; ///< by "name" (the last one; see count())
    std::map<std::string, std::size_t> counts;
    std::size_t count(const std::string& name) const {
        const auto it = counts.find(name);
        return it == counts.end() ? 0 : it->second;
    }
};

ResolveRun parse_run(int exit_code, const std::string& out, std::string err) {
    ResolveRun run;
    run.exit_code = exit_code;
    run.err = std::move(err);
    for (const auto& line : split_lines(out)) {
        json j = json::parse(line, nullptr, false);
        if (j.is_discarded()) {
            j = nullptr;
        }
        if (j.is_object() && j.contains("name") && j["name"].is_string()) {
            run.by[j["name"].get<std::string>()] = j;
            ++run.counts[j["name"].get<std::string>()];
        }
        run.results.push_back(std::move(j));
    }
    return run;
}

/// Whether this build has `domaingraph resolve` at all (the engine may land after these tests).
bool resolve_available() {
    static const bool ok = run_command({dg_binary(), "resolve", "--help"}).exit_code == 0;
    return ok;
}

#define DG_RESOLVE_OR_SKIP()                                                                       \
    if (!resolve_available()) {                                                                    \
        GTEST_SKIP() << "domaingraph resolve is not implemented in this build";                    \
    }

/// The CLI's option for a per-attempt timeout, from its --help (seconds or milliseconds).
std::vector<std::string> timeout_args(int ms) {
    static const std::string help = run_command({dg_binary(), "resolve", "--help"}).out;
    const auto p = help.find("--timeout");
    if (p == std::string::npos) {
        return {};
    }
    const std::string line = help.substr(p, 160); // the option and its description
    if (line.find("ms") != std::string::npos || line.find("milli") != std::string::npos) {
        return {"--timeout", std::to_string(ms)};
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", ms / 1000.0);
    return {"--timeout", buf};
}

/// Flags present in `domaingraph resolve --help` among `candidates` (to turn optional features
/// off).
bool has_flag(const std::string& flag) {
    static const std::string help = run_command({dg_binary(), "resolve", "--help"}).out;
    return help.find(flag) != std::string::npos;
}

ResolveRun resolve(const std::vector<std::string>& resolvers, const std::string& input,
                   const std::string& types = "A,AAAA,NS,MX", std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {dg_binary(), "resolve", "-t", types, "-i", "-"};
    for (const auto& r : resolvers) {
        argv.push_back("--resolver");
        argv.push_back(r);
    }
    argv.insert(argv.end(), extra.begin(), extra.end());
    const auto r = run_command(argv, input);
    return parse_run(r.exit_code, r.out, r.err);
}

std::vector<std::string> strs(const json& j) {
    std::vector<std::string> out;
    if (j.is_array()) {
        for (const auto& v : j) {
            if (v.is_string()) {
                std::string s = v.get<std::string>();
                if (!s.empty() && s.back() == '.') {
                    s.pop_back();
                }
                out.push_back(s);
            }
        }
    }
    return out;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

std::vector<std::string> answers(const json& r, const std::string& type) {
    if (!r.is_object() || !r.contains("answers") || !r["answers"].contains(type)) {
        return {};
    }
    if (type == "MX") {
        std::vector<std::string> out;
        for (const auto& m : r["answers"]["MX"]) {
            std::string host = m.value("host", "");
            if (!host.empty() && host.back() == '.') {
                host.pop_back();
            }
            out.push_back(std::to_string(m.value("preference", -1)) + " " + host);
        }
        return sorted(out);
    }
    return type == "CNAME" ? strs(r["answers"][type]) : sorted(strs(r["answers"][type]));
}

std::vector<std::string> truth_mx(const RigTruth& t) {
    std::vector<std::string> out;
    for (const auto& m : t.mx) {
        out.push_back(std::to_string(m.preference) + " " + m.host);
    }
    return sorted(out);
}

/// Per-type status: "types".T.status when the CLI wrote it (types differ), else the name's status.
std::string type_status(const json& r, const std::string& type) {
    if (r.contains("types") && r["types"].is_object() && r["types"].contains(type)) {
        return r["types"][type].value("status", "");
    }
    return r.value("status", "");
}

/// The whole contract for one name of the truth, on a result of -t A,AAAA,NS,MX.
void expect_matches_truth(const json& r, const RigTruth& t) {
    ASSERT_TRUE(r.is_object()) << t.name;
    EXPECT_EQ(r.value("name", ""), t.name);
    EXPECT_EQ(answers(r, "A"), sorted(t.a)) << t.name;
    EXPECT_EQ(answers(r, "AAAA"), sorted(t.aaaa)) << t.name;
    EXPECT_EQ(answers(r, "NS"), sorted(t.ns)) << t.name;
    EXPECT_EQ(answers(r, "MX"), truth_mx(t)) << t.name;
    for (const char* type : {"A", "AAAA", "NS", "MX"}) {
        EXPECT_EQ(type_status(r, type), t.types.value(type, ""))
            << t.name << " " << type << " " << r.dump();
    }
}

std::string join_lines(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) {
        s += x + "\n";
    }
    return s;
}

class ResolveRigTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (DnsRig::servers_available()) {
            rig_ = DnsRig::start(DnsRig::Options{300, 11, 1});
        }
    }
    static void TearDownTestSuite() { rig_.reset(); }
    void SetUp() override {
        DG_DNS_SERVERS_OR_SKIP();
        ASSERT_TRUE(rig_.has_value()) << DnsRig::last_error();
        DG_RESOLVE_OR_SKIP();
    }
    static const DnsRig& rig() { return *rig_; }
    static std::string rec() { return rig_->recursive_endpoint(); }
    static std::optional<DnsRig> rig_;
};
std::optional<DnsRig> ResolveRigTest::rig_;

TEST_F(ResolveRigTest, OrdinaryNamesExactlyAsTruth) {
    const auto names = rig().of_kind("ordinary");
    std::vector<std::string> input;
    for (const RigTruth* t : names) {
        input.push_back(t->name);
    }
    const ResolveRun run = resolve({rec()}, join_lines(input));
    ASSERT_EQ(run.exit_code, 0) << run.err;
    ASSERT_EQ(run.results.size(), names.size()) << run.err;
    for (const RigTruth* t : names) {
        ASSERT_EQ(run.count(t->name), 1U) << t->name;
        const json& r = run.by.at(t->name);
        expect_matches_truth(r, *t);
        EXPECT_EQ(r.value("status", ""), "NOERROR") << r.dump();
        EXPECT_EQ(r.value("rcode", json()), "NOERROR") << r.dump();
        EXPECT_EQ(r.value("resolver", json()), rec()) << r.dump();
        EXPECT_GE(r.value("attempts", 0), 4) << r.dump(); // one query per type at least
        EXPECT_TRUE(r.contains("ms") && r["ms"].is_number() && r["ms"].get<double>() >= 0);
        EXPECT_TRUE(answers(r, "CNAME").empty());
    }
}

TEST_F(ResolveRigTest, CnameChainsAreFollowed) {
    const auto chains = rig().of_kind("cname_chain");
    std::vector<std::string> input;
    for (const RigTruth* t : chains) {
        input.push_back(t->name);
    }
    const ResolveRun run = resolve({rec()}, join_lines(input));
    ASSERT_EQ(run.exit_code, 0) << run.err;
    ASSERT_EQ(run.results.size(), chains.size());
    for (const RigTruth* t : chains) {
        ASSERT_EQ(run.count(t->name), 1U) << t->name;
        const json& r = run.by.at(t->name);
        expect_matches_truth(r, *t);
        EXPECT_EQ(answers(r, "CNAME"), t->cname) << r.dump();
        EXPECT_EQ(r.value("status", ""), "NOERROR") << r.dump();
    }
}

TEST_F(ResolveRigTest, CnameLoopIsAFailureWithoutAddresses) {
    const auto loops = rig().of_kind("cname_loop");
    ASSERT_FALSE(loops.empty());
    const ResolveRun run = resolve({rec()}, loops.front()->name + "\n");
    ASSERT_EQ(run.results.size(), 1U) << run.err;
    const json& r = run.results.front();
    EXPECT_EQ(r.value("status", ""), "SERVFAIL") << r.dump(); // unbound's answer to the loop
    EXPECT_TRUE(answers(r, "A").empty());
    EXPECT_TRUE(answers(r, "AAAA").empty());
}

TEST_F(ResolveRigTest, NxdomainNames) {
    const auto nx = rig().of_kind("nxdomain");
    std::vector<std::string> input;
    for (const RigTruth* t : nx) {
        input.push_back(t->name);
    }
    const ResolveRun run = resolve({rec()}, join_lines(input));
    ASSERT_EQ(run.results.size(), nx.size()) << run.err;
    for (const RigTruth* t : nx) {
        ASSERT_EQ(run.count(t->name), 1U) << t->name;
        const json& r = run.by.at(t->name);
        EXPECT_EQ(r.value("status", ""), "NXDOMAIN") << r.dump();
        EXPECT_EQ(r.value("rcode", json()), "NXDOMAIN") << r.dump();
        expect_matches_truth(r, *t);
    }
}

TEST_F(ResolveRigTest, NodataNames) {
    const auto nodata = rig().of_kind("nodata");
    std::vector<std::string> input;
    for (const RigTruth* t : nodata) {
        input.push_back(t->name);
    }
    const ResolveRun run = resolve({rec()}, join_lines(input));
    ASSERT_EQ(run.results.size(), nodata.size()) << run.err;
    for (const RigTruth* t : nodata) {
        ASSERT_EQ(run.count(t->name), 1U) << t->name;
        const json& r = run.by.at(t->name);
        expect_matches_truth(r, *t);
        EXPECT_EQ(r.value("status", ""), t->status) << r.dump();
        EXPECT_EQ(r.value("rcode", json()), "NOERROR") << r.dump();
    }
}

TEST_F(ResolveRigTest, ServfailDelegations) {
    const auto lame = rig().of_kind("servfail");
    std::vector<std::string> input;
    for (const RigTruth* t : lame) {
        input.push_back(t->name);
    }
    const ResolveRun run = resolve({rec()}, join_lines(input), "A", timeout_args(6000));
    ASSERT_EQ(run.results.size(), lame.size()) << run.err;
    for (const RigTruth* t : lame) {
        ASSERT_EQ(run.count(t->name), 1U) << t->name;
        const json& r = run.by.at(t->name);
        EXPECT_EQ(r.value("status", ""), "SERVFAIL") << r.dump();
        EXPECT_TRUE(answers(r, "A").empty());
    }
}

TEST_F(ResolveRigTest, RefusingServer) {
    const auto names = rig().of_kind("ordinary");
    const std::string input = names[0]->name + "\n" + names[1]->name + "\n";
    const ResolveRun run = resolve({rig().refuser_endpoint()}, input, "A");
    ASSERT_EQ(run.results.size(), 2U) << run.err;
    for (const json& r : run.results) {
        EXPECT_EQ(r.value("status", ""), "REFUSED") << r.dump();
        EXPECT_EQ(r.value("rcode", json()), "REFUSED") << r.dump();
        EXPECT_TRUE(answers(r, "A").empty());
    }
}

// unbound's access-control refuse answers REFUSED with an empty question section (as some servers
// do); matched by ID, socket and source address, it is still a refusal, not a timeout.
TEST_F(ResolveRigTest, RefusalWithoutQuestionSection) {
    const auto names = rig().of_kind("ordinary");
    std::vector<std::string> extra = timeout_args(300);
    if (has_flag("--no-repair")) {
        extra.emplace_back("--no-repair");
    }
    const ResolveRun run =
        resolve({rig().refuser_noq_endpoint()}, names[0]->name + "\n", "A", extra);
    ASSERT_EQ(run.results.size(), 1U) << run.err;
    EXPECT_EQ(run.results.front().value("status", ""), "REFUSED") << run.results.front().dump();
}

TEST_F(ResolveRigTest, SilentServerTimesOut) {
    const auto names = rig().of_kind("ordinary");
    const std::string input = names[0]->name + "\n" + names[1]->name + "\n";
    std::vector<std::string> extra = timeout_args(200);
    if (has_flag("--retries")) {
        extra.insert(extra.end(), {"--retries", "1"});
    }
    if (has_flag("--no-repair")) {
        extra.emplace_back("--no-repair");
    }
    const ResolveRun run = resolve({rig().blackhole_endpoint()}, input, "A", extra);
    ASSERT_EQ(run.results.size(), 2U) << run.err;
    for (const json& r : run.results) {
        EXPECT_EQ(r.value("status", ""), "TIMEOUT") << r.dump();
        EXPECT_GE(r.value("attempts", 0), 1) << r.dump();
        EXPECT_TRUE(answers(r, "A").empty());
    }
}

TEST_F(ResolveRigTest, TruncatedAnswerFallsBackToTcp) {
    const auto big = rig().of_kind("tcp_fallback");
    ASSERT_EQ(big.size(), 1U);
    const ResolveRun run = resolve({rec()}, big.front()->name + "\n", "A");
    ASSERT_EQ(run.results.size(), 1U) << run.err;
    const json& r = run.results.front();
    EXPECT_EQ(r.value("status", ""), "NOERROR") << r.dump();
    EXPECT_EQ(answers(r, "A"), sorted(big.front()->a));
    EXPECT_EQ(answers(r, "A").size(), 100U);
}

TEST_F(ResolveRigTest, UnicodeInputResolvesTheALabel) {
    const auto idn = rig().of_kind("idn");
    std::vector<std::string> input;
    for (const RigTruth* t : idn) {
        input.push_back(t->unicode);
    }
    const ResolveRun run = resolve({rec()}, join_lines(input));
    ASSERT_EQ(run.exit_code, 0) << run.err;
    ASSERT_EQ(run.results.size(), idn.size()) << run.err;
    for (const RigTruth* t : idn) {
        ASSERT_EQ(run.count(t->name), 1U) << t->name; // reported under its A-label
        const json& r = run.by.at(t->name);
        expect_matches_truth(r, *t);
        if (r.contains("input")) {
            EXPECT_EQ(r["input"], t->unicode);
        }
    }
}

TEST_F(ResolveRigTest, PtrRecords) {
    std::vector<const RigTruth*> ptr;
    const auto all = rig().of_kind("ptr");
    for (std::size_t i = 0; i < all.size(); i += 20) {
        ptr.push_back(all[i]);
    }
    for (const RigTruth* t : rig().of_kind("ptr_nxdomain")) {
        ptr.push_back(t);
    }
    std::vector<std::string> input;
    for (const RigTruth* t : ptr) {
        input.push_back(t->name);
    }
    const ResolveRun run = resolve({rec()}, join_lines(input), "PTR");
    ASSERT_EQ(run.results.size(), ptr.size()) << run.err;
    for (const RigTruth* t : ptr) {
        ASSERT_EQ(run.count(t->name), 1U) << t->name;
        const json& r = run.by.at(t->name);
        EXPECT_EQ(r.value("status", ""), t->status) << r.dump();
        EXPECT_EQ(answers(r, "PTR"), sorted(t->ptr)) << r.dump();
    }
}

TEST_F(ResolveRigTest, InvalidNamesAreReportedWithLineNumbers) {
    const std::string good = rig().of_kind("ordinary").front()->name;
    const std::string long_label(64, 'a');
    const std::string input = good + "\n" + "bad..name.rig.test\n" + long_label + ".rig.test\n" +
                              "x" + good + "\n" + "-\n" + "sp ace.rig.test\n";
    const ResolveRun run = resolve({rec()}, input, "A");
    EXPECT_TRUE(run.exit_code == 0 || run.exit_code == 3) << run.exit_code << run.err;
    ASSERT_EQ(run.results.size(), 6U) << run.err; // one result per input line, none dropped
    std::map<int, json> invalid;
    for (const json& r : run.results) {
        if (r.value("status", "") == "INVALID") {
            invalid[r.value("line", 0)] = r;
        }
    }
    EXPECT_EQ(invalid.size(), 4U) << run.err;
    for (const int line : {2, 3, 5, 6}) {
        ASSERT_TRUE(invalid.count(line)) << "line " << line;
        EXPECT_FALSE(invalid[line].value("error", "").empty()) << invalid[line].dump();
    }
    EXPECT_EQ(run.by.at(good).value("status", ""), "NOERROR");
    EXPECT_EQ(run.by.at("x" + good).value("status", ""), "NXDOMAIN");
}

/// Runs a process with stdin from `in`, stdout/stderr into files; returns its pid.
pid_t spawn_to_files(const std::vector<std::string>& argv, const std::string& in,
                     const std::string& out, const std::string& err) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, in.c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<char*> args;
    for (const auto& a : argv) {
        args.push_back(const_cast<char*>(a.c_str())); // NOLINT
    }
    args.push_back(nullptr);
    pid_t pid = -1;
    if (posix_spawn(&pid, args[0], &fa, nullptr, args.data(), environ) != 0) {
        pid = -1;
    }
    posix_spawn_file_actions_destroy(&fa);
    return pid;
}

TEST(ResolveRigFailover, KillingOneOfTwoUpstreamsMidRunLosesNoNames) {
    DG_DNS_SERVERS_OR_SKIP();
    DG_RESOLVE_OR_SKIP();
    auto rig = DnsRig::start(DnsRig::Options{4000, 5, 2});
    ASSERT_TRUE(rig.has_value()) << DnsRig::last_error();
    TempDir tmp;
    const std::string names = rig->ordinary_file();
    std::vector<std::string> argv = {dg_binary(),  "resolve",
                                     "-t",         "A,AAAA,NS,MX",
                                     "-i",         "-",
                                     "-c",         "50",
                                     "--resolver", rig->recursive_endpoint(0),
                                     "--resolver", rig->recursive_endpoint(1)};
    const auto t = timeout_args(300);
    argv.insert(argv.end(), t.begin(), t.end());
    const pid_t pid = spawn_to_files(argv, names, tmp.file("out"), tmp.file("err"));
    ASSERT_GT(pid, 0);
    // kill the second recursive once results flow (or after at most 2 s)
    bool killed = false;
    std::size_t lines_at_kill = 0;
    int status = 0;
    bool exited = false;
    for (int i = 0; i < 2000 && !exited; ++i) {
        if (!killed && (read_file(tmp.file("out")).size() > 2000 || i >= 400)) {
            const std::string so_far = read_file(tmp.file("out"));
            lines_at_kill =
                static_cast<std::size_t>(std::count(so_far.begin(), so_far.end(), '\n'));
            killed = rig->signal_recursive(1, SIGKILL);
        }
        exited = waitpid(pid, &status, WNOHANG) == pid;
        if (!exited) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }
    if (!exited) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        FAIL() << "resolve did not finish";
    }
    EXPECT_TRUE(killed) << "the resolve run ended before the kill";
    EXPECT_LT(lines_at_kill, 4000U) << "the kill came after every result was out";
    ASSERT_TRUE(WIFEXITED(status)) << read_file(tmp.file("err"));
    EXPECT_EQ(WEXITSTATUS(status), 0) << read_file(tmp.file("err"));
    const ResolveRun run = parse_run(WEXITSTATUS(status), read_file(tmp.file("out")), "");
    const auto ordinary = rig->of_kind("ordinary");
    ASSERT_EQ(ordinary.size(), 4000U);
    EXPECT_EQ(run.results.size(), ordinary.size()) << read_file(tmp.file("err"));
    std::set<std::string> resolvers;
    std::size_t wrong = 0;
    for (const RigTruth* rt : ordinary) {
        if (run.count(rt->name) != 1) {
            ADD_FAILURE() << rt->name << " has " << run.count(rt->name) << " results";
            continue;
        }
        const json& r = run.by.at(rt->name);
        if (r.value("status", "") != "NOERROR" || answers(r, "A") != sorted(rt->a) ||
            answers(r, "AAAA") != sorted(rt->aaaa) || answers(r, "NS") != sorted(rt->ns) ||
            answers(r, "MX") != truth_mx(*rt)) {
            if (++wrong <= 5) {
                ADD_FAILURE() << "differs from truth: " << r.dump();
            }
        }
        if (r.contains("resolver") && r["resolver"].is_string()) {
            resolvers.insert(r["resolver"].get<std::string>());
        }
    }
    EXPECT_EQ(wrong, 0U);
    EXPECT_TRUE(resolvers.count(rig->recursive_endpoint(0))); // the survivor carried the rest
}

} // namespace
} // namespace dg::test
