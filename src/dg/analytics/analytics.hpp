#pragma once
// Scan analytics (docs/cli/analytics.md): AS and organisation statistics, diversity and
// concentration, per-domain name-server diversity with single points of failure, clustering of
// domains by shared infrastructure, and trends of one AS across scans. Every computation is one
// streaming pass over Store::results(): memory grows with distinct ASes / addresses, not domains.

#include "dg/core/result.hpp"
#include "dg/model/model.hpp"
#include "dg/store/store.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace dg::analytics {

/// Roles of an IP mapping: the domain's own A / AAAA, an address of a name server or mail host.
enum Role : std::size_t { kRoleA, kRoleAaaa, kRoleNs, kRoleMx };
inline constexpr std::size_t kRoleCount = 4;

struct AsnStat {
    std::uint32_t asn = 0;
    std::string org;               ///< first organisation seen for it ("" when unknown)
    std::uint64_t ip_mappings = 0; ///< mapping rows (an address counts once per domain using it)
    std::uint64_t unique_ips = 0;
    std::uint64_t domains = 0;
    double percentage = 0; ///< 100 x ip_mappings / total routed mappings
    std::array<std::uint64_t, kRoleCount> by_role{};
    /// Of its mappings, those whose route was validated (the scan had VRPs) and their states.
    std::uint64_t rpki_checked = 0;
    std::uint64_t rpki_valid = 0;
    std::uint64_t rpki_invalid = 0;
};

struct OrgStat {
    std::string org;
    std::vector<std::uint32_t> asns; ///< sorted
    std::uint64_t ip_mappings = 0;
    std::uint64_t domains = 0;
    double percentage = 0;
};

struct Diversity {
    std::uint64_t units = 0; ///< number of ASes (or orgs)
    double shannon_entropy = 0;
    double normalised_entropy = 0;
    double score = 0; ///< 100 x normalised entropy
    std::string level;
    double gini = 0;
    std::string concentration;
};

struct SinglePointOfFailure {
    std::string domain;
    std::string reason; ///< "single_ns_address" or "single_ns_asn"
    std::optional<std::uint32_t> asn;
    std::optional<std::string> ip; ///< for single_ns_address
    std::uint64_t ns_hosts = 0;
};

/// How much of a scan the enrichment sources covered: of every address mapping (the domain's A and
/// AAAA, its name servers' and mail hosts'), how many a route was found for (routed: origin AS
/// known and not 0), and how many of those an organisation was named for. Printed in every scan
/// summary and report, so that a source that matches nothing is not silent.
struct Coverage {
    std::uint64_t mappings = 0; ///< every address mapping
    std::uint64_t routed = 0;
    std::uint64_t with_org = 0; ///< routed, with an organisation
    /// routed addresses whose route was validated (the scan had VRPs), and their states
    std::uint64_t rpki_checked = 0;
    std::uint64_t rpki_valid = 0;
    std::uint64_t rpki_invalid = 0;
    std::uint64_t located = 0; ///< addresses (routed or not) with a location (--geo)

    void add(const model::DomainResult& r);
    void add(const model::IpMapping& m);
    [[nodiscard]] double routed_pct() const;       ///< of mappings; 0 when there are none
    [[nodiscard]] double with_org_pct() const;     ///< of routed; 0 when none is routed
    [[nodiscard]] double rpki_valid_pct() const;   ///< of rpki_checked; 0 when none was
    [[nodiscard]] double rpki_invalid_pct() const; ///< of rpki_checked; 0 when none was
    [[nodiscard]] double located_pct() const;      ///< of mappings; 0 when there are none
    /// "coverage: 1,234 addresses, 98.3 % routed, 91.0 % of those with an organisation" (the
    /// organisation part only when `orgs_given`), then ", RPKI: 40.1 % valid, 0.3 % invalid,
    /// 59.6 % not-found" when routes were validated.
    [[nodiscard]] std::string text(bool orgs_given) const;
    /// One line per source that matched nothing: the routing table (addresses but none routed),
    /// the as2org data when given (routed addresses but no organisation), the VRPs when given
    /// (validated routes but none covered by a VRP).
    /// The geo database when given (`geo_given`) but it located no address.
    [[nodiscard]] std::vector<std::string> warnings(bool orgs_given, bool geo_given = false) const;
};

struct ScanStats {
    std::int64_t scan_id = 0;
    model::UnixTime started_at = 0;
    std::uint64_t domains = 0;
    std::uint64_t domains_with_addresses = 0; ///< with at least one A/AAAA
    std::uint64_t ip_mappings = 0;            ///< routed mapping rows (ASN known, not 0)
    std::uint64_t unrouted_mappings = 0;
    std::uint64_t unique_ips = 0; ///< distinct routed addresses
    std::uint64_t unique_asns = 0;
    double avg_ips_per_asn = 0;
    std::uint64_t max_ips_per_asn = 0;
    std::uint64_t min_ips_per_asn = 0;
    double concentration_ratio = 0;
    std::uint64_t concentration_k = 0;
    std::vector<AsnStat> asns; ///< every AS, most mappings first (ties: lower ASN first)
    std::vector<OrgStat> orgs; ///< by organisation, when any mapping had one
    Diversity diversity;       ///< of the AS distribution
    std::optional<Diversity> org_diversity;
    // per domain: name-server diversity
    std::uint64_t domains_with_ns_addresses = 0;
    std::map<std::uint64_t, std::uint64_t> ns_asn_histogram;    ///< distinct NS ASes -> domains
    std::map<std::uint64_t, std::uint64_t> ns_prefix_histogram; ///< distinct NS prefixes -> domains
    std::map<std::uint64_t, std::uint64_t>
        address_asn_histogram;                                  ///< distinct A/AAAA ASes -> domains
    std::vector<SinglePointOfFailure> single_points_of_failure; ///< sorted by domain
    Coverage coverage;
};

/// A provider (an AS or an organisation) in two scans: how many of each scan's domains use it
/// (an own address, a name server's or a mail host's), as a share of the scan's domains.
struct ProviderShift {
    std::optional<std::uint32_t> asn; ///< an AS; nullopt for an organisation
    std::string name;                 ///< the organisation ("" when unknown)
    std::uint64_t domains_a = 0;
    std::uint64_t domains_b = 0;
    double share_a = 0; ///< percent of scan A's domains
    double share_b = 0;
    std::string change; ///< "gained" (none in A), "lost" (none in B), "up" or "down"
    [[nodiscard]] double delta() const { return share_b - share_a; }
};
/// The AS-level and organisation-level comparison of two scans (the seed's
/// compare_asn_distributions): providers that appear, disappear, or whose share moved by at
/// least `threshold_pp` percentage points; largest moves first.
struct ProviderShifts {
    double threshold_pp = 0;
    std::uint64_t domains_a = 0;
    std::uint64_t domains_b = 0;
    std::vector<ProviderShift> asns;
    std::vector<ProviderShift> orgs;
};
ProviderShifts compare_providers(const ScanStats& a, const ScanStats& b, double threshold_pp);

/// Name-server and address diversity of one domain.
struct DomainDiversity {
    std::uint64_t ns_hosts = 0;
    std::uint64_t ns_ips = 0;
    std::uint64_t ns_asns = 0;
    std::uint64_t ns_prefixes = 0;
    std::uint64_t address_ips = 0;
    std::uint64_t address_asns = 0;
    std::uint64_t address_prefixes = 0;
    std::optional<SinglePointOfFailure> spof;
};
DomainDiversity domain_diversity(const model::DomainResult& r);

/// Hash of an address's bytes (for sets of addresses without formatting them).
struct IpAddressHash {
    std::size_t operator()(const IpAddress& ip) const noexcept;
};

/// Accumulates ScanStats one result at a time.
class StatsBuilder {
public:
    void add(const model::DomainResult& r);
    [[nodiscard]] ScanStats finish() const;

private:
    struct PerAsn {
        AsnStat stat;
        std::unordered_set<IpAddress, IpAddressHash> ips;
    };
    struct PerOrg {
        std::unordered_set<std::uint32_t> asns;
        std::uint64_t ip_mappings = 0;
        std::uint64_t domains = 0;
    };
    std::unordered_map<std::uint32_t, PerAsn> asns_;
    std::unordered_map<std::string, PerOrg> orgs_;
    std::unordered_set<IpAddress, IpAddressHash> ips_;
    ScanStats s_;
};

/// Statistics of one stored scan. Errors: NotFound, store errors.
Result<ScanStats> scan_stats(store::Store& store, std::int64_t scan_id);

// --- clustering ---

enum class ClusterBy : std::uint8_t { Asn, Prefix, Ns, Ip };
/// "asn", "prefix", "ns", "ip". Errors: InvalidArgument.
Result<ClusterBy> parse_cluster_by(std::string_view s);

struct Cluster {
    std::vector<std::string> domains; ///< sorted
    std::vector<std::string> shared;  ///< elements every member uses (sorted)
};

struct ClusterOptions {
    ClusterBy by = ClusterBy::Asn;
    std::uint32_t min_shared = 1;
    /// A domain with more elements than this joins clusters by its first `max_elements` (sorted)
    /// only, bounding the C(k, min_shared) subsets enumerated per domain.
    std::uint32_t max_elements = 64;
};

/// Groups domains that share at least `min_shared` elements (docs/cli/analytics.md):
/// for every set S of min_shared elements, the domains using all of S form a group; groups of
/// two or more domains with identical members are merged; `shared` is the intersection of the
/// members' elements. Ordered by size, then number of shared elements, then first domain.
class ClusterBuilder {
public:
    explicit ClusterBuilder(ClusterOptions options) : options_(options) {}
    void add(const model::DomainResult& r);
    [[nodiscard]] std::vector<Cluster> finish() const;

private:
    std::uint32_t intern(const std::string& element);
    ClusterOptions options_;
    std::unordered_map<std::string, std::uint32_t> ids_;
    std::vector<std::string> names_;
    std::vector<std::string> domains_;
    std::vector<std::vector<std::uint32_t>> elements_; ///< per domain, sorted
};

/// The elements of `r` that clustering by `by` looks at: the ASNs / prefixes / addresses of its
/// A and AAAA records, or its name-server host names.
std::vector<std::string> cluster_elements(const model::DomainResult& r, ClusterBy by);

Result<std::vector<Cluster>> cluster_scan(store::Store& store, std::int64_t scan_id,
                                          const ClusterOptions& options);

// --- trends ---

struct TrendPoint {
    std::int64_t scan_id = 0;
    model::UnixTime started_at = 0;
    std::uint64_t ip_mappings = 0; ///< routed mappings of the AS / org
    std::uint64_t domains = 0;     ///< domains with at least one such mapping
    std::uint64_t total_ip_mappings = 0;
    std::uint64_t total_domains = 0;
    double ip_share = 0;     ///< percent
    double domain_share = 0; ///< percent
};

struct Trend {
    std::optional<std::uint32_t> asn;
    std::optional<std::string> org;
    std::uint32_t days = 0;
    std::int64_t same_input_as = 0; ///< the scan whose input the points share (0: no scan)
    std::uint64_t names = 0;        ///< names of that input
    std::vector<TrendPoint> points; ///< oldest scan first
    std::int64_t ip_mappings_change = 0;
    std::optional<double> ip_mappings_change_pct; ///< unset when the first value is 0
    std::int64_t domains_change = 0;
    std::optional<double> domains_change_pct;
};

struct TrendRequest {
    std::optional<std::uint32_t> asn;
    std::optional<std::string> org;
    std::uint32_t days = 30;
    model::UnixTime now = 0; ///< 0: the current time
    /// Only scans of the same input as this one (the same set of names) are followed; 0: the
    /// newest complete scan.
    std::int64_t same_input_as = 0;
};

/// Complete scans of the same input as `request.same_input_as` started within the last
/// `days`, oldest first. Errors: InvalidArgument (neither
/// or both of asn/org), store errors.
Result<Trend> trend(store::Store& store, const TrendRequest& request);

} // namespace dg::analytics
