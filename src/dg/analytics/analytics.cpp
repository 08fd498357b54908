#include "dg/analytics/analytics.hpp"

#include "dg/analytics/formulas.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>

namespace dg::analytics {
namespace {

/// A routed mapping: ASN known and not 0 (RFC 7607: AS 0 is never a real origin).
bool routed(const model::IpMapping& m) {
    return m.asn && m.asn->value() != 0;
}

/// Calls fn(mapping, role) for every address of `r`.
template <class Fn> void for_each_mapping(const model::DomainResult& r, Fn&& fn) {
    for (const auto& m : r.a) {
        fn(m, kRoleA);
    }
    for (const auto& m : r.aaaa) {
        fn(m, kRoleAaaa);
    }
    for (const auto& ns : r.ns) {
        for (const auto& m : ns.ips) {
            fn(m, kRoleNs);
        }
    }
    for (const auto& mx : r.mx) {
        for (const auto& m : mx.ips) {
            fn(m, kRoleMx);
        }
    }
}

Diversity make_diversity(const std::vector<std::uint64_t>& counts) {
    Diversity d;
    d.units = counts.size();
    d.shannon_entropy = shannon_entropy(counts);
    d.normalised_entropy = normalised_entropy(counts);
    d.score = diversity_score(counts);
    d.level = std::string(diversity_level(d.score));
    d.gini = gini(counts);
    d.concentration = std::string(concentration_level(d.gini));
    return d;
}

double percent(std::uint64_t part, std::uint64_t whole) {
    return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

} // namespace

std::size_t IpAddressHash::operator()(const IpAddress& ip) const noexcept {
    std::uint64_t h = static_cast<std::uint64_t>(ip.family()) * 0x9e3779b97f4a7c15ULL;
    for (std::uint8_t b : ip.bytes()) {
        h = (h ^ b) * 0x100000001b3ULL;
    }
    return static_cast<std::size_t>(h ^ (h >> 29));
}

DomainDiversity domain_diversity(const model::DomainResult& r) {
    DomainDiversity d;
    std::set<IpAddress> ns_ips;
    std::set<Prefix> ns_prefixes;
    std::set<std::uint32_t> ns_asns;
    for (const auto& ns : r.ns) {
        for (const auto& m : ns.ips) {
            ns_ips.insert(m.ip);
            if (m.prefix) {
                ns_prefixes.insert(*m.prefix);
            }
            if (routed(m)) {
                ns_asns.insert(m.asn->value());
            }
        }
    }
    std::set<IpAddress> ips;
    std::set<Prefix> prefixes;
    std::set<std::uint32_t> asns;
    for (const auto* list : {&r.a, &r.aaaa}) {
        for (const auto& m : *list) {
            ips.insert(m.ip);
            if (m.prefix) {
                prefixes.insert(*m.prefix);
            }
            if (routed(m)) {
                asns.insert(m.asn->value());
            }
        }
    }
    d.ns_hosts = r.ns.size();
    d.ns_ips = ns_ips.size();
    d.ns_asns = ns_asns.size();
    d.ns_prefixes = ns_prefixes.size();
    d.address_ips = ips.size();
    d.address_asns = asns.size();
    d.address_prefixes = prefixes.size();
    if (ns_ips.size() == 1) {
        d.spof = SinglePointOfFailure{
            r.domain, "single_ns_address",
            ns_asns.empty() ? std::nullopt : std::optional<std::uint32_t>(*ns_asns.begin()),
            ns_ips.begin()->to_string(), d.ns_hosts};
    } else if (ns_ips.size() > 1 && ns_asns.size() == 1) {
        d.spof = SinglePointOfFailure{r.domain, "single_ns_asn", *ns_asns.begin(), std::nullopt,
                                      d.ns_hosts};
    }
    return d;
}

void Coverage::add(const model::IpMapping& m) {
    ++mappings;
    located += m.geo ? 1U : 0U;
    if (analytics::routed(m)) { // the function, not the member
        ++routed;
        if (m.org && !m.org->empty()) {
            ++with_org;
        }
        if (m.rpki) {
            ++rpki_checked;
            rpki_valid += *m.rpki == "valid" ? 1U : 0U;
            rpki_invalid += *m.rpki == "invalid" ? 1U : 0U;
        }
    }
}

void Coverage::add(const model::DomainResult& r) {
    for_each_mapping(r, [&](const model::IpMapping& m, Role) { add(m); });
}

double Coverage::routed_pct() const {
    return percent(routed, mappings);
}

double Coverage::with_org_pct() const {
    return percent(with_org, routed);
}

double Coverage::rpki_valid_pct() const {
    return percent(rpki_valid, rpki_checked);
}

double Coverage::rpki_invalid_pct() const {
    return percent(rpki_invalid, rpki_checked);
}

double Coverage::located_pct() const {
    return percent(located, mappings);
}

std::string Coverage::text(bool orgs_given) const {
    if (mappings == 0) {
        return "coverage: no addresses to map";
    }
    char buf[160];
    std::snprintf(buf, sizeof buf, "coverage: %llu addresses, %.1f %% routed",
                  static_cast<unsigned long long>(mappings), routed_pct());
    std::string out = buf;
    if (orgs_given) {
        std::snprintf(buf, sizeof buf, ", %.1f %% of those with an organisation", with_org_pct());
        out += buf;
    }
    if (rpki_checked > 0) {
        const double not_found = percent(rpki_checked - rpki_valid - rpki_invalid, rpki_checked);
        std::snprintf(buf, sizeof buf, ", RPKI: %.1f %% valid, %.1f %% invalid, %.1f %% not-found",
                      rpki_valid_pct(), rpki_invalid_pct(), not_found);
        out += buf;
    }
    if (located > 0) {
        std::snprintf(buf, sizeof buf, ", %.1f %% located", located_pct());
        out += buf;
    }
    return out;
}

std::vector<std::string> Coverage::warnings(bool orgs_given, bool geo_given) const {
    std::vector<std::string> out;
    if (mappings > 0 && routed == 0) {
        out.push_back("the routing table routed none of the " + std::to_string(mappings) +
                      " addresses: is it an IP-to-AS source (an MRT RIB dump, a CAIDA "
                      "prefix2as or pyasn .dat file, a GeoLite2-ASN .mmdb) that covers them?");
    }
    if (orgs_given && routed > 0 && with_org == 0) {
        out.push_back("the as2org data named the organisation of none of the " +
                      std::to_string(routed) +
                      " routed addresses' ASes: is it an AS-to-organisation file (CAIDA "
                      "as2org) of the same era as the routing table?");
    }
    if (rpki_checked > 0 && rpki_valid == 0 && rpki_invalid == 0) {
        out.push_back("the VRPs covered none of the " + std::to_string(rpki_checked) +
                      " routed addresses' routes: are they of the same era as the routing table "
                      "(and both IPv4 and IPv6)?");
    }
    if (geo_given && mappings > 0 && located == 0) {
        out.push_back("the geo database located none of the " + std::to_string(mappings) +
                      " addresses: is it a City or Country database that covers them (a test "
                      "database holds only a few networks)?");
    }
    return out;
}

void StatsBuilder::add(const model::DomainResult& r) {
    s_.coverage.add(r);
    ++s_.domains;
    if (!r.a.empty() || !r.aaaa.empty()) {
        ++s_.domains_with_addresses;
    }
    std::set<std::uint32_t> domain_asns;
    std::set<std::string> domain_orgs;
    for_each_mapping(r, [&](const model::IpMapping& m, Role role) {
        if (!routed(m)) {
            ++s_.unrouted_mappings;
            return;
        }
        const std::uint32_t asn = m.asn->value();
        auto& per = asns_[asn];
        per.stat.asn = asn;
        ++per.stat.ip_mappings;
        ++per.stat.by_role[role];
        if (m.rpki) {
            ++per.stat.rpki_checked;
            per.stat.rpki_valid += *m.rpki == "valid" ? 1U : 0U;
            per.stat.rpki_invalid += *m.rpki == "invalid" ? 1U : 0U;
        }
        if (per.stat.org.empty() && m.org) {
            per.stat.org = *m.org;
        }
        per.ips.insert(m.ip);
        ips_.insert(m.ip);
        ++s_.ip_mappings;
        domain_asns.insert(asn);
        if (m.org && !m.org->empty()) {
            auto& org = orgs_[*m.org];
            org.asns.insert(asn);
            ++org.ip_mappings;
            domain_orgs.insert(*m.org);
        }
    });
    for (std::uint32_t asn : domain_asns) {
        ++asns_[asn].stat.domains;
    }
    for (const auto& org : domain_orgs) {
        ++orgs_[org].domains;
    }
    const DomainDiversity d = domain_diversity(r);
    if (d.ns_ips > 0) {
        ++s_.domains_with_ns_addresses;
        ++s_.ns_asn_histogram[d.ns_asns];
        ++s_.ns_prefix_histogram[d.ns_prefixes];
    }
    if (d.address_ips > 0) {
        ++s_.address_asn_histogram[d.address_asns];
    }
    if (d.spof) {
        s_.single_points_of_failure.push_back(*d.spof);
    }
}

ScanStats StatsBuilder::finish() const {
    ScanStats s = s_;
    s.unique_ips = ips_.size();
    s.unique_asns = asns_.size();
    std::vector<std::uint64_t> counts;
    for (const auto& [asn, per] : asns_) {
        AsnStat a = per.stat;
        a.unique_ips = per.ips.size();
        a.percentage = percent(a.ip_mappings, s.ip_mappings);
        s.asns.push_back(std::move(a));
        counts.push_back(per.stat.ip_mappings);
    }
    std::sort(s.asns.begin(), s.asns.end(), [](const AsnStat& x, const AsnStat& y) {
        return x.ip_mappings != y.ip_mappings ? x.ip_mappings > y.ip_mappings : x.asn < y.asn;
    });
    if (!s.asns.empty()) {
        s.avg_ips_per_asn = static_cast<double>(s.ip_mappings) / static_cast<double>(s.asns.size());
        s.max_ips_per_asn = s.asns.front().ip_mappings;
        s.min_ips_per_asn = s.asns.back().ip_mappings;
    }
    s.concentration_ratio = concentration_ratio(counts);
    s.concentration_k = counts.empty() ? 0 : concentration_k(counts.size());
    s.diversity = make_diversity(counts);
    std::vector<std::uint64_t> org_counts;
    for (const auto& [name, per] : orgs_) {
        OrgStat o;
        o.org = name;
        o.asns.assign(per.asns.begin(), per.asns.end());
        std::sort(o.asns.begin(), o.asns.end());
        o.ip_mappings = per.ip_mappings;
        o.domains = per.domains;
        o.percentage = percent(o.ip_mappings, s.ip_mappings);
        s.orgs.push_back(std::move(o));
        org_counts.push_back(per.ip_mappings);
    }
    std::sort(s.orgs.begin(), s.orgs.end(), [](const OrgStat& x, const OrgStat& y) {
        return x.ip_mappings != y.ip_mappings ? x.ip_mappings > y.ip_mappings : x.org < y.org;
    });
    if (!org_counts.empty()) {
        s.org_diversity = make_diversity(org_counts);
    }
    std::sort(s.single_points_of_failure.begin(), s.single_points_of_failure.end(),
              [](const auto& x, const auto& y) { return x.domain < y.domain; });
    return s;
}

Result<ScanStats> scan_stats(store::Store& store, std::int64_t scan_id) {
    DG_TRY(model::Scan scan, store.get_scan(scan_id));
    StatsBuilder builder;
    auto add = [&](const store::StoredResult& row) {
        builder.add(row.result);
        return true;
    };
    DG_TRY_VOID(store.results(scan_id, {}, add));
    ScanStats s = builder.finish();
    s.scan_id = scan.id;
    s.started_at = scan.started_at;
    return s;
}

// --- clustering ---

Result<ClusterBy> parse_cluster_by(std::string_view s) {
    if (s == "asn") {
        return ClusterBy::Asn;
    }
    if (s == "prefix") {
        return ClusterBy::Prefix;
    }
    if (s == "ns") {
        return ClusterBy::Ns;
    }
    if (s == "ip") {
        return ClusterBy::Ip;
    }
    return make_error(ErrorCode::InvalidArgument,
                      "--by must be asn, prefix, ns or ip, not '" + std::string(s) + "'");
}

std::vector<std::string> cluster_elements(const model::DomainResult& r, ClusterBy by) {
    std::set<std::string> out;
    if (by == ClusterBy::Ns) {
        for (const auto& ns : r.ns) {
            out.insert(ns.host);
        }
    } else {
        for (const auto* list : {&r.a, &r.aaaa}) {
            for (const auto& m : *list) {
                if (by == ClusterBy::Ip) {
                    out.insert(m.ip.to_string());
                } else if (by == ClusterBy::Prefix && m.prefix) {
                    out.insert(m.prefix->to_string());
                } else if (by == ClusterBy::Asn && routed(m)) {
                    out.insert("AS" + m.asn->to_string());
                }
            }
        }
    }
    return {out.begin(), out.end()};
}

std::uint32_t ClusterBuilder::intern(const std::string& element) {
    auto [it, inserted] = ids_.emplace(element, static_cast<std::uint32_t>(names_.size()));
    if (inserted) {
        names_.push_back(element);
    }
    return it->second;
}

void ClusterBuilder::add(const model::DomainResult& r) {
    std::vector<std::uint32_t> ids;
    for (const auto& e : cluster_elements(r, options_.by)) {
        ids.push_back(intern(e));
    }
    std::sort(ids.begin(), ids.end());
    domains_.push_back(r.domain);
    elements_.push_back(std::move(ids));
}

namespace {

struct VectorHash {
    std::size_t operator()(const std::vector<std::uint32_t>& v) const {
        std::size_t h = v.size();
        for (std::uint32_t x : v) {
            h ^= x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
        }
        return h;
    }
};
using Groups =
    std::unordered_map<std::vector<std::uint32_t>, std::vector<std::uint32_t>, VectorHash>;

/// Adds domain `d` to the group of every `k`-subset of `elements`.
void add_subsets(const std::vector<std::uint32_t>& elements, std::size_t k, std::uint32_t d,
                 Groups& groups) {
    if (k == 0 || elements.size() < k) {
        return;
    }
    std::vector<std::size_t> idx(k);
    for (std::size_t i = 0; i < k; ++i) {
        idx[i] = i;
    }
    std::vector<std::uint32_t> key(k);
    while (true) {
        for (std::size_t i = 0; i < k; ++i) {
            key[i] = elements[idx[i]];
        }
        groups[key].push_back(d);
        std::size_t i = k;
        while (i > 0 && idx[i - 1] == elements.size() - k + (i - 1)) {
            --i;
        }
        if (i == 0) {
            return;
        }
        ++idx[i - 1];
        for (std::size_t j = i; j < k; ++j) {
            idx[j] = idx[j - 1] + 1;
        }
    }
}

} // namespace

std::vector<Cluster> ClusterBuilder::finish() const {
    Groups groups;
    for (std::size_t d = 0; d < domains_.size(); ++d) {
        std::vector<std::uint32_t> els = elements_[d];
        if (els.size() > options_.max_elements) {
            els.resize(options_.max_elements);
        }
        add_subsets(els, options_.min_shared, static_cast<std::uint32_t>(d), groups);
    }
    // Merge groups with identical members.
    std::unordered_set<std::vector<std::uint32_t>, VectorHash> member_sets;
    for (auto& [key, members] : groups) {
        if (members.size() >= 2) {
            member_sets.insert(members); // members are in domain order: already sorted
        }
    }
    std::vector<Cluster> out;
    out.reserve(member_sets.size());
    for (const auto& members : member_sets) {
        Cluster c;
        std::vector<std::uint32_t> shared = elements_[members.front()];
        for (std::uint32_t d : members) {
            c.domains.push_back(domains_[d]);
            std::vector<std::uint32_t> next;
            std::set_intersection(shared.begin(), shared.end(), elements_[d].begin(),
                                  elements_[d].end(), std::back_inserter(next));
            shared = std::move(next);
        }
        for (std::uint32_t e : shared) {
            c.shared.push_back(names_[e]);
        }
        std::sort(c.domains.begin(), c.domains.end());
        std::sort(c.shared.begin(), c.shared.end());
        out.push_back(std::move(c));
    }
    std::sort(out.begin(), out.end(), [](const Cluster& x, const Cluster& y) {
        if (x.domains.size() != y.domains.size()) {
            return x.domains.size() > y.domains.size();
        }
        if (x.shared.size() != y.shared.size()) {
            return x.shared.size() > y.shared.size();
        }
        return x.domains < y.domains;
    });
    return out;
}

Result<std::vector<Cluster>> cluster_scan(store::Store& store, std::int64_t scan_id,
                                          const ClusterOptions& options) {
    if (options.min_shared == 0) {
        return make_error(ErrorCode::InvalidArgument, "--min-shared must be at least 1");
    }
    DG_TRY_VOID(store.get_scan(scan_id));
    ClusterBuilder builder(options);
    auto add = [&](const store::StoredResult& row) {
        builder.add(row.result);
        return true;
    };
    DG_TRY_VOID(store.results(scan_id, {}, add));
    return builder.finish();
}

// --- trends ---

Result<Trend> trend(store::Store& store, const TrendRequest& request) {
    if (request.asn.has_value() == request.org.has_value()) {
        return make_error(ErrorCode::InvalidArgument, "give either an ASN or an organisation");
    }
    const model::UnixTime now = request.now != 0 ? request.now : std::time(nullptr);
    const model::UnixTime since = now - static_cast<model::UnixTime>(request.days) * 86400;
    Trend t;
    t.asn = request.asn;
    t.org = request.org;
    t.days = request.days;
    DG_TRY(auto all, store.list_scans());
    std::optional<model::Scan> reference;
    for (auto it = all.rbegin(); it != all.rend() && !reference; ++it) {
        if (request.same_input_as != 0 ? it->id == request.same_input_as
                                       : it->status == model::ScanStatus::Complete) {
            reference = *it;
        }
    }
    if (!reference) {
        if (request.same_input_as != 0) {
            return make_error(ErrorCode::NotFound,
                              "no scan " + std::to_string(request.same_input_as));
        }
        return t; // no complete scan: no points
    }
    t.same_input_as = reference->id;
    t.names = reference->domains_done;
    std::vector<model::Scan> candidates;
    for (const auto& scan : all) {
        if (scan.status == model::ScanStatus::Complete && scan.started_at >= since) {
            candidates.push_back(scan);
        }
    }
    DG_TRY(auto scans, store::same_input(store, *reference, candidates));
    for (const auto& scan : scans) {
        TrendPoint p;
        p.scan_id = scan.id;
        p.started_at = scan.started_at;
        auto add = [&](const store::StoredResult& row) {
            ++p.total_domains;
            bool hit = false;
            for_each_mapping(row.result, [&](const model::IpMapping& m, Role) {
                if (!routed(m)) {
                    return;
                }
                ++p.total_ip_mappings;
                const bool match = request.asn ? m.asn->value() == *request.asn
                                               : (m.org && *m.org == *request.org);
                if (match) {
                    ++p.ip_mappings;
                    hit = true;
                }
            });
            p.domains += hit ? 1 : 0;
            return true;
        };
        DG_TRY_VOID(store.results(scan.id, {}, add));
        p.ip_share = percent(p.ip_mappings, p.total_ip_mappings);
        p.domain_share = percent(p.domains, p.total_domains);
        t.points.push_back(p);
    }
    std::sort(t.points.begin(), t.points.end(), [](const TrendPoint& x, const TrendPoint& y) {
        return x.started_at != y.started_at ? x.started_at < y.started_at : x.scan_id < y.scan_id;
    });
    if (t.points.size() >= 2) {
        const auto& first = t.points.front();
        const auto& last = t.points.back();
        t.ip_mappings_change = static_cast<std::int64_t>(last.ip_mappings) -
                               static_cast<std::int64_t>(first.ip_mappings);
        t.domains_change =
            static_cast<std::int64_t>(last.domains) - static_cast<std::int64_t>(first.domains);
        if (first.ip_mappings > 0) {
            t.ip_mappings_change_pct = 100.0 * static_cast<double>(t.ip_mappings_change) /
                                       static_cast<double>(first.ip_mappings);
        }
        if (first.domains > 0) {
            t.domains_change_pct =
                100.0 * static_cast<double>(t.domains_change) / static_cast<double>(first.domains);
        }
    }
    return t;
}

namespace {

struct Counts {
    std::uint64_t a = 0;
    std::uint64_t b = 0;
    std::string name;
};

double share(std::uint64_t part, std::uint64_t whole) {
    return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

/// The providers of `counts` that appear, disappear or moved by at least threshold_pp.
template <class Key, class MakeShift>
std::vector<ProviderShift> shifts_of(const std::map<Key, Counts>& counts, const ProviderShifts& s,
                                     MakeShift make) {
    std::vector<ProviderShift> out;
    for (const auto& [key, c] : counts) {
        ProviderShift p = make(key, c);
        p.domains_a = c.a;
        p.domains_b = c.b;
        p.share_a = share(c.a, s.domains_a);
        p.share_b = share(c.b, s.domains_b);
        p.change = c.a == 0 ? "gained" : c.b == 0 ? "lost" : p.delta() >= 0 ? "up" : "down";
        if (c.a == 0 || c.b == 0 || std::abs(p.delta()) >= s.threshold_pp) {
            out.push_back(std::move(p));
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const ProviderShift& x, const ProviderShift& y) {
        return std::abs(x.delta()) > std::abs(y.delta());
    });
    return out;
}

} // namespace

ProviderShifts compare_providers(const ScanStats& a, const ScanStats& b, double threshold_pp) {
    ProviderShifts s;
    s.threshold_pp = threshold_pp;
    s.domains_a = a.domains;
    s.domains_b = b.domains;
    std::map<std::uint32_t, Counts> by_asn;
    for (const AsnStat& x : a.asns) {
        by_asn[x.asn].a = x.domains;
        by_asn[x.asn].name = x.org;
    }
    for (const AsnStat& x : b.asns) {
        by_asn[x.asn].b = x.domains;
        if (!x.org.empty()) {
            by_asn[x.asn].name = x.org;
        }
    }
    std::map<std::string, Counts> by_org;
    for (const OrgStat& x : a.orgs) {
        by_org[x.org].a = x.domains;
    }
    for (const OrgStat& x : b.orgs) {
        by_org[x.org].b = x.domains;
    }
    s.asns = shifts_of(by_asn, s, [](std::uint32_t asn, const Counts& c) {
        ProviderShift p;
        p.asn = asn;
        p.name = c.name;
        return p;
    });
    s.orgs = shifts_of(by_org, s, [](const std::string& org, const Counts&) {
        ProviderShift p;
        p.name = org;
        return p;
    });
    return s;
}

} // namespace dg::analytics
