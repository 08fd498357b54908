// Self-test of the DNS rig (tests/harness/dnsrig): every case it promises, checked with kdig
// (knot-dnsutils), independent of our own engine.

#include "tests/support/dns_rig.hpp"

#include <algorithm>
#include <csignal>
#include <map>
#include <set>
#include <sstream>

namespace dg::test {
namespace {

struct Dig {
    std::string status; ///< NOERROR, NXDOMAIN, ... or "" when no answer came
    std::set<std::string> flags;
    std::vector<std::pair<std::string, std::string>> answer; ///< (type, rdata) in order
    std::string raw;

    [[nodiscard]] std::vector<std::string> of(const std::string& type) const {
        std::vector<std::string> out;
        for (const auto& [t, d] : answer) {
            if (t == type) {
                out.push_back(d);
            }
        }
        return out;
    }
};

std::string host_of(const std::string& ep) {
    return ep.substr(0, ep.rfind(':'));
}
std::string port_of(const std::string& ep) {
    return ep.substr(ep.rfind(':') + 1);
}

std::string strip_dot(std::string s) {
    if (!s.empty() && s.back() == '.') {
        s.pop_back();
    }
    return s;
}

Dig kdig(const std::string& ep, const std::string& name, const std::string& type,
         std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {"kdig",       "@" + host_of(ep), "-p",    port_of(ep),
                                     "+timeout=3", "+retry=1",        "+noidn"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(name);
    argv.push_back(type);
    const auto r = run_command(argv);
    Dig d;
    d.raw = r.out + r.err;
    bool in_answer = false;
    for (const auto& line : split_lines(r.out)) {
        if (const auto p = line.find("status: "); p != std::string::npos) {
            d.status = line.substr(p + 8, line.find(';', p) - p - 8);
        } else if (line.rfind(";; Flags: ", 0) == 0) {
            std::istringstream in(line.substr(10, line.find(';', 10) - 10));
            std::string f;
            while (in >> f) {
                d.flags.insert(f);
            }
        } else if (line.rfind(";; ANSWER SECTION:", 0) == 0) {
            in_answer = true;
        } else if (line.empty() || line[0] == ';') {
            in_answer = false;
        } else if (in_answer) {
            std::istringstream in(line);
            std::string owner;
            std::string ttl;
            std::string cls;
            std::string t;
            in >> owner >> ttl >> cls >> t;
            std::string rdata;
            std::getline(in, rdata);
            rdata.erase(0, rdata.find_first_not_of(" \t"));
            d.answer.emplace_back(t, rdata);
        }
    }
    return d;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
    for (auto& s : v) {
        s = strip_dot(s);
    }
    std::sort(v.begin(), v.end());
    return v;
}

class DnsRigTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (DnsRig::servers_available() && tool_available("kdig")) {
            rig_ = DnsRig::start(Options());
        }
    }
    static DnsRig::Options Options() { return {300, 7, 1}; }
    static void TearDownTestSuite() { rig_.reset(); }
    void SetUp() override {
        DG_DNS_SERVERS_OR_SKIP();
        DG_TOOL_OR_SKIP("kdig");
        ASSERT_TRUE(rig_.has_value()) << DnsRig::last_error();
    }
    static const DnsRig& rig() { return *rig_; }
    static std::string rec() { return rig_->recursive_endpoint(); }
    static std::optional<DnsRig> rig_;
};
std::optional<DnsRig> DnsRigTest::rig_;

TEST_F(DnsRigTest, PrintsEndpointsAndWritesTruth) {
    EXPECT_EQ(host_of(rec()), "127.0.0.1");
    EXPECT_NE(rig().auth_endpoint(), rec());
    EXPECT_FALSE(rig().blackhole_endpoint().empty());
    EXPECT_FALSE(rig().refuser_endpoint().empty());
    EXPECT_EQ(rig().of_kind("ordinary").size(), 300U);
    EXPECT_EQ(split_lines(read_file(rig().ordinary_file())).size(), 300U);
    for (const char* kind : {"cname_chain", "cname_loop", "nxdomain", "nodata", "servfail",
                             "tcp_fallback", "idn", "ptr", "ptr_nxdomain"}) {
        EXPECT_FALSE(rig().of_kind(kind).empty()) << kind;
    }
    const auto status = run_command({DnsRig::script(), "status", "--dir", rig().dir()});
    EXPECT_EQ(status.exit_code, 0) << status.out << status.err;
}

TEST_F(DnsRigTest, OrdinaryNamesAnswerExactlyAsTruth) {
    const auto names = rig().of_kind("ordinary");
    for (std::size_t i = 0; i < names.size(); i += 15) {
        const RigTruth& t = *names[i];
        const std::map<std::string, const std::vector<std::string>*> want = {
            {"A", &t.a}, {"AAAA", &t.aaaa}, {"NS", &t.ns}};
        for (const auto& [type, records] : want) {
            const Dig d = kdig(rec(), t.name, type);
            EXPECT_EQ(d.status, "NOERROR") << t.name << " " << type << d.raw;
            EXPECT_EQ(sorted(d.of(type)), sorted(*records)) << t.name << " " << type;
            EXPECT_EQ(t.types.value(type, ""), records->empty() ? "NODATA" : "NOERROR");
        }
        const Dig mx = kdig(rec(), t.name, "MX");
        std::vector<std::string> got = sorted(mx.of("MX"));
        std::vector<std::string> expected;
        for (const auto& m : t.mx) {
            expected.push_back(std::to_string(m.preference) + " " + m.host);
        }
        EXPECT_EQ(got, sorted(expected)) << t.name;
    }
}

TEST_F(DnsRigTest, AuthoritativeServerAnswersDirectly) {
    const RigTruth& t = *rig().of_kind("ordinary").front();
    const Dig d = kdig(rig().auth_endpoint(), t.name, "A", {"+norec"});
    EXPECT_EQ(d.status, "NOERROR");
    EXPECT_TRUE(d.flags.count("aa")) << d.raw;
    EXPECT_EQ(sorted(d.of("A")), sorted(t.a));
}

TEST_F(DnsRigTest, CnameChainsOfLengthOneToFive) {
    std::set<int> lengths;
    for (const RigTruth* t : rig().of_kind("cname_chain")) {
        const Dig d = kdig(rec(), t->name, "A");
        EXPECT_EQ(d.status, "NOERROR") << t->name;
        EXPECT_EQ(sorted(d.of("A")), sorted(t->a)) << t->name;
        std::vector<std::string> chain;
        for (const auto& c : d.of("CNAME")) {
            chain.push_back(strip_dot(c));
        }
        EXPECT_EQ(chain, t->cname) << t->name;
        lengths.insert(t->raw.value("chain_length", 0));
        if (!t->ns.empty()) { // the chain into an ordinary domain: NS at the target
            EXPECT_EQ(sorted(kdig(rec(), t->name, "NS").of("NS")), sorted(t->ns));
        }
    }
    EXPECT_EQ(lengths, (std::set<int>{1, 2, 3, 4, 5}));
}

TEST_F(DnsRigTest, CnameLoopIsServfail) {
    for (const RigTruth* t : rig().of_kind("cname_loop")) {
        const Dig d = kdig(rec(), t->name, "A");
        EXPECT_EQ(d.status, "SERVFAIL") << d.raw;
        EXPECT_TRUE(d.of("A").empty());
        // the authoritative server shows the loop itself
        const Dig a = kdig(rig().auth_endpoint(), t->name, "A", {"+norec"});
        EXPECT_EQ(a.of("CNAME").size(), 2U) << a.raw;
    }
}

TEST_F(DnsRigTest, NxdomainAndNodata) {
    for (const RigTruth* t : rig().of_kind("nxdomain")) {
        EXPECT_EQ(kdig(rec(), t->name, "A").status, "NXDOMAIN") << t->name;
        EXPECT_EQ(t->status, "NXDOMAIN");
    }
    for (const RigTruth* t : rig().of_kind("nodata")) {
        for (const char* type : {"A", "AAAA", "NS", "MX"}) {
            const Dig d = kdig(rec(), t->name, type);
            EXPECT_EQ(d.status, "NOERROR") << t->name << " " << type;
            EXPECT_EQ(d.of(type).size(), t->raw.value(type, nlohmann::json::array()).size());
        }
    }
}

TEST_F(DnsRigTest, LameDelegationsAreServfail) {
    const auto lame = rig().of_kind("servfail");
    ASSERT_EQ(lame.size(), 2U);
    for (const RigTruth* t : lame) {
        // unbound gives up on the black hole after its own retries; the rig pre-warmed it
        Dig d = kdig(rec(), t->name, "A", {"+timeout=8"});
        EXPECT_EQ(d.status, "SERVFAIL") << t->name << d.raw;
    }
}

TEST_F(DnsRigTest, RefuserRefusesAndBlackholeNeverAnswers) {
    const RigTruth& t = *rig().of_kind("ordinary").front();
    for (const auto& ep : {rig().refuser_endpoint(), rig().refuser_noq_endpoint()}) {
        EXPECT_EQ(kdig(ep, t.name, "A").status, "REFUSED") << ep;
        EXPECT_EQ(kdig(ep, t.name, "A", {"+tcp"}).status, "REFUSED") << ep;
    }
    EXPECT_TRUE(kdig(rig().refuser_endpoint(), t.name, "A").raw.find("question section") ==
                std::string::npos);
    const Dig udp = kdig(rig().blackhole_endpoint(), t.name, "A", {"+timeout=1", "+retry=0"});
    EXPECT_EQ(udp.status, "") << udp.raw;
    const Dig tcp =
        kdig(rig().blackhole_endpoint(), t.name, "A", {"+tcp", "+timeout=1", "+retry=0"});
    EXPECT_EQ(tcp.status, "") << tcp.raw;
}

TEST_F(DnsRigTest, BigAnswerTruncatesOverUdpAndComesWholeOverTcp) {
    const auto big = rig().of_kind("tcp_fallback");
    ASSERT_EQ(big.size(), 1U);
    const RigTruth& t = *big.front();
    const Dig udp = kdig(rec(), t.name, "A", {"+notcp", "+ignore", "+bufsize=1232"});
    EXPECT_TRUE(udp.flags.count("tc")) << udp.raw;
    const Dig tcp = kdig(rec(), t.name, "A", {"+tcp"});
    EXPECT_EQ(tcp.status, "NOERROR");
    EXPECT_EQ(sorted(tcp.of("A")), sorted(t.a));
    EXPECT_EQ(t.a.size(), 100U);
    const Dig txt = kdig(rec(), t.name, "TXT");
    EXPECT_EQ(txt.of("TXT").size(), 1U) << txt.raw; // kdig itself fell back to TCP
}

TEST_F(DnsRigTest, IdnNamesAreServedAsALabels) {
    const auto idn = rig().of_kind("idn");
    ASSERT_FALSE(idn.empty());
    bool saw_buecher = false;
    for (const RigTruth* t : idn) {
        EXPECT_EQ(t->name.rfind("xn--", 0), 0U) << t->name;
        EXPECT_FALSE(t->unicode.empty());
        saw_buecher = saw_buecher || t->name == "xn--bcher-kva.rig.test";
        EXPECT_EQ(sorted(kdig(rec(), t->name, "A").of("A")), sorted(t->a));
    }
    EXPECT_TRUE(saw_buecher);
    const RigTruth* b = rig().find("xn--bcher-kva.rig.test");
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b->unicode, "bücher.rig.test");
}

TEST_F(DnsRigTest, PtrInAddrAndIp6Arpa) {
    const auto ptr = rig().of_kind("ptr");
    ASSERT_GT(ptr.size(), 1000U);
    int v4 = 0;
    int v6 = 0;
    int routed = 0;
    for (std::size_t i = 0; i < ptr.size(); i += 37) {
        const RigTruth& t = *ptr[i];
        const Dig d = kdig(rec(), t.name, "PTR");
        EXPECT_EQ(d.status, "NOERROR") << t.name;
        EXPECT_EQ(sorted(d.of("PTR")), sorted(t.ptr)) << t.name;
        (t.address.find(':') != std::string::npos ? v6 : v4)++;
        // the host behind the PTR resolves back to the address
        const std::string type = t.address.find(':') != std::string::npos ? "AAAA" : "A";
        EXPECT_EQ(kdig(rec(), t.ptr.front(), type).of(type), std::vector<std::string>{t.address});
    }
    for (const RigTruth* t : ptr) {
        routed += t->raw.contains("origin_as") ? 1 : 0;
    }
    EXPECT_GT(v4, 0);
    EXPECT_GT(v6, 0);
    EXPECT_EQ(routed, 300); // one host in each of 300 prefixes routed in the shared RIB
    for (const RigTruth* t : rig().of_kind("ptr_nxdomain")) {
        EXPECT_EQ(kdig(rec(), t->name, "PTR").status, "NXDOMAIN") << t->name;
    }
}

TEST(DnsRigLifecycle, SameSeedSameTruthAndStopLeavesNothingRunning) {
    DG_DNS_SERVERS_OR_SKIP();
    DG_TOOL_OR_SKIP("kdig");
    auto a = DnsRig::start(DnsRig::Options{40, 3, 2});
    ASSERT_TRUE(a.has_value()) << DnsRig::last_error();
    auto b = DnsRig::start(DnsRig::Options{40, 3, 1});
    ASSERT_TRUE(b.has_value()) << DnsRig::last_error();
    EXPECT_EQ(read_file(a->dir() + "/truth.jsonl"), read_file(b->dir() + "/truth.jsonl"));
    ASSERT_EQ(a->recursive_count(), 2U);
    const std::string name = a->of_kind("ordinary").front()->name;
    EXPECT_EQ(kdig(a->recursive_endpoint(1), name, "A").status, "NOERROR");
    const std::string second = a->recursive_endpoint(1);
    EXPECT_TRUE(a->signal_recursive(1, SIGKILL));
    const std::string first = a->recursive_endpoint(0);
    const std::string auth = a->auth_endpoint();
    const std::string dir = a->dir();
    a->stop();
    const auto status = run_command({DnsRig::script(), "status", "--dir", dir});
    EXPECT_NE(status.exit_code, 0);
    EXPECT_EQ(status.out.find("true"), std::string::npos) << status.out;
    for (const auto& ep : {first, second, auth}) {
        EXPECT_EQ(kdig(ep, name, "A", {"+timeout=1", "+retry=0"}).status, "") << ep;
    }
}

} // namespace
} // namespace dg::test
