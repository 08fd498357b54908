#pragma once
// The real DNS test rig (tests/harness/dnsrig) from C++ tests: knotd + unbound + a black hole + a
// refusing server on 127.0.0.1, started on free ports, stopped in the destructor (and by the rig's
// own watchdog if the test process dies first).

#include "tests/support/support.hpp"

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace dg::test {

struct RigTruthMx {
    int preference = 0;
    std::string host;
    friend bool operator==(const RigTruthMx&, const RigTruthMx&) = default;
};

/// What the generated zones say about one name (one line of DIR/truth.jsonl).
struct RigTruth {
    std::string name;   ///< A-label form, no trailing dot
    std::string kind;   ///< "ordinary", "cname_chain", "cname_loop", "nxdomain", "nodata",
                        ///< "servfail", "tcp_fallback", "idn", "ptr", "ptr_nxdomain"
    std::string status; ///< the recursive's answer: NOERROR, NODATA, NXDOMAIN, SERVFAIL
    std::vector<std::string> a, aaaa, ns, cname, ptr;
    std::vector<RigTruthMx> mx;
    nlohmann::json types; ///< per type (A, AAAA, NS, MX): NOERROR/NODATA/NXDOMAIN/SERVFAIL
    std::string unicode;  ///< IDN: the Unicode spelling to feed as input
    std::string address;  ///< PTR: the address whose reverse name this is
    nlohmann::json raw;
};

class DnsRig {
public:
    struct Options {
        int names = 300;
        int seed = 1;
        int recursives = 1;
        bool reverse = false; ///< --reverse: reverse zones for PTR sweeps (ptr_truth.jsonl)
        std::string flaky{};  ///< --flaky PCT[:SECONDS]: a forwarder that drops queries
    };
    /// Starts a rig in a fresh temporary directory; nullopt on failure (see last_error()).
    static std::optional<DnsRig> start(Options options);
    static std::optional<DnsRig> start(int names = 300) {
        return start(Options{names, 1, 1, false, {}});
    }
    /// Whether knotd and unbound are installed.
    static bool servers_available();
    /// Why the last start() failed.
    static const std::string& last_error();
    /// Path of the dnsrig script.
    static std::string script();

    DnsRig(DnsRig&& other) noexcept;
    DnsRig& operator=(DnsRig&& other) noexcept;
    DnsRig(const DnsRig&) = delete;
    DnsRig& operator=(const DnsRig&) = delete;
    ~DnsRig();

    /// "127.0.0.1:PORT" of the i-th recursive (unbound) server.
    [[nodiscard]] std::string recursive_endpoint(std::size_t i = 0) const;
    [[nodiscard]] std::size_t recursive_count() const { return recursives_.size(); }
    [[nodiscard]] std::string auth_endpoint() const { return auth_; }
    [[nodiscard]] std::string blackhole_endpoint() const { return blackhole_; }
    /// Answers REFUSED to everything, with the question copied (as knot or BIND do).
    [[nodiscard]] std::string refuser_endpoint() const { return refuser_; }
    /// unbound with `access-control: refuse`: REFUSED with an empty question section.
    [[nodiscard]] std::string refuser_noq_endpoint() const { return refuser_noq_; }
    /// With Options::flaky: the forwarder to the first recursive that drops queries ("" else).
    [[nodiscard]] std::string flaky_endpoint() const;
    [[nodiscard]] const std::string& dir() const { return rig_dir_; }
    [[nodiscard]] std::string names_file() const { return dir() + "/names.txt"; }
    [[nodiscard]] std::string ordinary_file() const { return dir() + "/ordinary.txt"; }
    [[nodiscard]] std::string ptr_file() const { return dir() + "/ptr.txt"; }
    /// With Options::reverse: the swept prefixes and one truth line per address of them.
    [[nodiscard]] std::string ptr_prefixes_file() const { return dir() + "/ptr_prefixes.txt"; }
    [[nodiscard]] std::string ptr_truth_file() const { return dir() + "/ptr_truth.jsonl"; }
    /// The city graph of the /31 links in 198.19.1.128/25 (tests/harness/README.md).
    [[nodiscard]] std::string topology_truth_file() const { return dir() + "/topology_truth.json"; }
    [[nodiscard]] const nlohmann::json& info() const { return info_; }

    /// Every line of truth.jsonl (loaded on first use).
    const std::vector<RigTruth>& truth() const;
    /// The truth of one name (A-label, no trailing dot), or nullptr.
    const RigTruth* find(const std::string& name) const;
    /// All truth entries of one kind.
    std::vector<const RigTruth*> of_kind(const std::string& kind) const;

    /// Sends `sig` to the i-th recursive server (e.g. SIGKILL mid-run). True when delivered.
    bool signal_recursive(std::size_t i, int sig) const;
    /// Stops every server (idempotent; the destructor calls it).
    void stop();

private:
    DnsRig() = default;
    std::unique_ptr<TempDir> dir_;
    std::string rig_dir_;
    nlohmann::json info_;
    std::string auth_, blackhole_, refuser_, refuser_noq_;
    std::vector<std::string> recursives_;
    mutable std::vector<RigTruth> truth_;
    mutable bool truth_loaded_ = false;
    bool running_ = false;
};

} // namespace dg::test

/// Skips (or fails under DG_REQUIRE_INTEGRATION=1) when knotd/unbound are not installed.
#define DG_DNS_SERVERS_OR_SKIP()                                                                   \
    if (!::dg::test::DnsRig::servers_available()) {                                                \
        if (::dg::test::integration_required()) {                                                  \
            FAIL() << "knotd/unbound are not installed (scripts/setup installs knot, unbound)";    \
        }                                                                                          \
        GTEST_SKIP() << "knotd/unbound are not installed (scripts/setup installs knot, unbound)";  \
    }
