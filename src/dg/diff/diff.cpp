#include "dg/diff/diff.hpp"

#include "dg/diff/internal/result_queue.hpp"
#include "dg/store/external.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <tuple>
#include <utility>

namespace dg::diff {
namespace {

using model::Change;
using model::ChangeType;
using model::DomainResult;
using model::IpMapping;
using model::Severity;

std::string json_text(std::string_view s) {
    return nlohmann::json(std::string(s)).dump();
}

std::string json_text(const std::optional<Asn>& asn) {
    return asn ? std::to_string(asn->value()) : std::string("null");
}

std::string json_text(const std::optional<Prefix>& prefix) {
    return prefix ? json_text(prefix->to_string()) : std::string("null");
}

/// Severity of every type but status_changed (see status_severity).
Severity type_severity(ChangeType t) {
    switch (t) {
    case ChangeType::AAdded:
    case ChangeType::AaaaAdded:
    case ChangeType::PrefixChanged:
    case ChangeType::OrgChanged:
    case ChangeType::MxAdded:
    case ChangeType::MxPreferenceChanged:
        return Severity::Info;
    default:
        return Severity::Warning;
    }
}

/// Warning when a domain that existed (NOERROR or NODATA) no longer resolves to NOERROR or is
/// missing from scan B; info for recoveries, new domains and one failure turning into another.
Severity status_severity(const std::optional<std::string>& from,
                         const std::optional<std::string>& to) {
    const bool existed = from && (*from == "NOERROR" || *from == "NODATA");
    const bool resolves = to && *to == "NOERROR";
    return existed && !resolves ? Severity::Warning : Severity::Info;
}

Change make_change(const std::string& domain, ChangeType type, std::string from, std::string to) {
    return Change{domain, type, type_severity(type), std::move(from), std::move(to), {}};
}

/// An address's route left the RPKI-valid state, or became invalid: warning; other moves (to
/// valid, invalid to not-found) info.
Severity rpki_severity(const std::string& from, const std::string& to) {
    return (from == "valid" && to != "valid") || to == "invalid" ? Severity::Warning
                                                                 : Severity::Info;
}

/// "valid", "not-found", "invalid (wrong-origin)".
std::string rpki_text(const IpMapping& m) {
    return *m.rpki + (m.rpki_reason ? " (" + *m.rpki_reason + ")" : "");
}

Change status_change(const std::string& domain, const std::optional<std::string>& from,
                     const std::optional<std::string>& to) {
    return Change{domain,
                  ChangeType::StatusChanged,
                  status_severity(from, to),
                  from ? json_text(*from) : "null",
                  to ? json_text(*to) : "null",
                  {}};
}

/// Host names compare case-insensitively and without a trailing dot.
std::string normal_host(std::string_view host) {
    if (!host.empty() && host.back() == '.') {
        host.remove_suffix(1);
    }
    std::string out(host);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::set<IpAddress> address_set(const std::vector<IpMapping>& v) {
    std::set<IpAddress> out;
    for (const IpMapping& m : v) {
        out.insert(m.ip);
    }
    return out;
}

void compare_addresses(const DomainResult& a, const DomainResult& b, bool v6,
                       std::vector<Change>& out) {
    const auto from = address_set(v6 ? a.aaaa : a.a);
    const auto to = address_set(v6 ? b.aaaa : b.a);
    for (const IpAddress& ip : from) {
        if (!to.contains(ip)) {
            out.push_back(make_change(b.domain, v6 ? ChangeType::AaaaRemoved : ChangeType::ARemoved,
                                      json_text(ip.to_string()), "null"));
        }
    }
    for (const IpAddress& ip : to) {
        if (!from.contains(ip)) {
            out.push_back(make_change(b.domain, v6 ? ChangeType::AaaaAdded : ChangeType::AAdded,
                                      "null", json_text(ip.to_string())));
        }
    }
}

/// Where an address sits in a result: role ("domain", "ns", "mx"), host (NS/MX; "" for the
/// domain), record ("A"/"AAAA") and the address. Ordered so that a domain's changes list its own
/// addresses first, then its name servers', then its mail hosts'.
using Place = std::tuple<int, std::string, std::string, IpAddress>;

/// Every address of a result with its routing, by place. A host listed twice (or an address
/// repeated in one answer) keeps its first occurrence.
std::map<Place, const IpMapping*> routing_of(const DomainResult& r) {
    std::map<Place, const IpMapping*> out;
    auto add = [&](int role, const std::string& host, const std::vector<IpMapping>& v) {
        for (const IpMapping& m : v) {
            out.emplace(Place{role, normal_host(host), m.ip.is_v4() ? "A" : "AAAA", m.ip}, &m);
        }
    };
    add(0, "", r.a);
    add(0, "", r.aaaa);
    for (const auto& ns : r.ns) {
        add(1, ns.host, ns.ips);
    }
    for (const auto& mx : r.mx) {
        add(2, mx.host, mx.ips);
    }
    return out;
}

model::ChangeSubject subject_of(const Place& place) {
    static constexpr const char* kRoles[] = {"domain", "ns", "mx"};
    const auto& [role, host, record, ip] = place;
    return model::ChangeSubject{ip.to_string(), record, kRoles[role], host};
}

std::string org_json_text(const std::optional<std::string>& org) {
    return org ? json_text(std::string_view(*org)) : std::string("null");
}

/// For each address in both scans at the same place (the domain's own A/AAAA, a name server's,
/// a mail host's): asn_changed when its origin differs; else prefix_changed when its prefix
/// differs; else org_changed when the organisation of the same AS differs (both known: a scan
/// without as2org data changes no organisation). Each change names the address, record and role
/// (model::ChangeSubject).
void compare_routing(const DomainResult& a, const DomainResult& b, std::vector<Change>& out) {
    const auto from = routing_of(a);
    const auto to = routing_of(b);
    for (const auto& [place, before] : from) {
        const auto it = to.find(place);
        if (it == to.end()) {
            continue;
        }
        const IpMapping& after = *it->second;
        std::optional<Change> c;
        if (before->asn != after.asn) {
            c = make_change(b.domain, ChangeType::AsnChanged, json_text(before->asn),
                            json_text(after.asn));
        } else if (before->prefix != after.prefix) {
            c = make_change(b.domain, ChangeType::PrefixChanged, json_text(before->prefix),
                            json_text(after.prefix));
        } else if (before->org && after.org && *before->org != *after.org) {
            c = make_change(b.domain, ChangeType::OrgChanged, org_json_text(before->org),
                            org_json_text(after.org));
        }
        if (c) {
            c->subject = subject_of(place);
            out.push_back(std::move(*c));
        }
        // the route's RPKI state, when both scans validated it: a fact of its own (an origin
        // change usually moves it too, and an operator acts on "left a valid route")
        if (before->rpki && after.rpki && rpki_text(*before) != rpki_text(after)) {
            Change r = make_change(b.domain, ChangeType::RpkiChanged, json_text(rpki_text(*before)),
                                   json_text(rpki_text(after)));
            r.severity = rpki_severity(*before->rpki, *after.rpki);
            r.subject = subject_of(place);
            out.push_back(std::move(r));
        }
    }
}

std::vector<std::string> cname_chain(const DomainResult& r) {
    std::vector<std::string> out;
    for (const auto& c : r.cname) {
        out.push_back(normal_host(c.target));
    }
    return out;
}

void compare_cname(const DomainResult& a, const DomainResult& b, std::vector<Change>& out) {
    const auto from = cname_chain(a);
    const auto to = cname_chain(b);
    if (from != to) {
        out.push_back(make_change(b.domain, ChangeType::CnameChanged, nlohmann::json(from).dump(),
                                  nlohmann::json(to).dump()));
    }
}

void compare_ns(const DomainResult& a, const DomainResult& b, std::vector<Change>& out) {
    std::set<std::string> from;
    std::set<std::string> to;
    for (const auto& ns : a.ns) {
        from.insert(normal_host(ns.host));
    }
    for (const auto& ns : b.ns) {
        to.insert(normal_host(ns.host));
    }
    for (const auto& h : from) {
        if (!to.contains(h)) {
            out.push_back(make_change(b.domain, ChangeType::NsRemoved, json_text(h), "null"));
        }
    }
    for (const auto& h : to) {
        if (!from.contains(h)) {
            out.push_back(make_change(b.domain, ChangeType::NsAdded, "null", json_text(h)));
        }
    }
}

using MxMap = std::map<std::string, std::vector<std::uint16_t>>;

MxMap mx_map(const DomainResult& r) {
    MxMap out;
    for (const auto& mx : r.mx) {
        out[normal_host(mx.host)].push_back(mx.preference);
    }
    for (auto& [host, prefs] : out) {
        std::sort(prefs.begin(), prefs.end());
        prefs.erase(std::unique(prefs.begin(), prefs.end()), prefs.end());
    }
    return out;
}

/// {"host", "preference"}; "preference" is an array when the host is listed with several.
std::string mx_json(const std::string& host, const std::vector<std::uint16_t>& prefs) {
    nlohmann::json j;
    j["host"] = host;
    j["preference"] = prefs.size() == 1 ? nlohmann::json(prefs.front()) : nlohmann::json(prefs);
    return j.dump();
}

void compare_mx(const DomainResult& a, const DomainResult& b, std::vector<Change>& out) {
    const MxMap from = mx_map(a);
    const MxMap to = mx_map(b);
    for (const auto& [host, prefs] : from) {
        const auto it = to.find(host);
        if (it == to.end()) {
            out.push_back(make_change(b.domain, ChangeType::MxRemoved, json_text(host), "null"));
        } else if (it->second != prefs) {
            out.push_back(make_change(b.domain, ChangeType::MxPreferenceChanged,
                                      mx_json(host, prefs), mx_json(host, it->second)));
        }
    }
    for (const auto& [host, prefs] : to) {
        if (!from.contains(host)) {
            out.push_back(make_change(b.domain, ChangeType::MxAdded, "null", json_text(host)));
        }
    }
}

/// Position of a type in one domain's changes: status, cname, then removals before additions.
int type_rank(ChangeType t) {
    static constexpr ChangeType kOrder[] = {
        ChangeType::StatusChanged, ChangeType::CnameChanged,  ChangeType::ARemoved,
        ChangeType::AAdded,        ChangeType::AaaaRemoved,   ChangeType::AaaaAdded,
        ChangeType::AsnChanged,    ChangeType::PrefixChanged, ChangeType::OrgChanged,
        ChangeType::RpkiChanged,   ChangeType::NsRemoved,     ChangeType::NsAdded,
        ChangeType::MxRemoved,     ChangeType::MxAdded,       ChangeType::MxPreferenceChanged};
    static_assert(std::size(kOrder) == model::kChangeTypeCount);
    for (int i = 0; i < static_cast<int>(std::size(kOrder)); ++i) {
        if (kOrder[i] == t) {
            return i;
        }
    }
    return static_cast<int>(std::size(kOrder));
}

Error out_of_order(std::string_view which, const std::string& prev, const std::string& next) {
    return make_error(ErrorCode::Malformed,
                      "the store returned scan " + std::string(which) +
                          "'s domains out of order ('" + prev + "' before '" + next +
                          "'); a PostgreSQL database needs the C collation for diff");
}

/// The merge-join state: scan A arrives through a queue, scan B through the store callback.
class Merger {
public:
    Merger(internal::ResultQueue& a, const DiffSink& sink, Summary& summary)
        : a_(a), sink_(sink), summary_(summary) {
        advance_a();
    }

    /// One result of scan B. False stops the stream (failure() says why).
    bool on_b(const DomainResult& b) {
        if (summary_.domains_b > 0 && b.domain <= last_b_) {
            failure_ = out_of_order("B", last_b_, b.domain);
            return false;
        }
        last_b_ = b.domain;
        ++summary_.domains_b;
        while (!failure_ && head_ && head_->domain < b.domain) {
            if (!emit_one(only_in_a(*head_), summary_.domains_only_in_a)) {
                return false;
            }
            advance_a();
        }
        if (failure_) {
            return false;
        }
        if (head_ && head_->domain == b.domain) {
            ++summary_.domains_compared;
            const auto changes = compare(*head_, b);
            summary_.domains_changed += changes.empty() ? 0U : 1U;
            for (const Change& c : changes) {
                if (!emit(c)) {
                    return false;
                }
            }
            advance_a();
            return !failure_;
        }
        return emit_one(only_in_b(b), summary_.domains_only_in_b);
    }

    /// After scan B ended: the rest of scan A.
    bool drain_a() {
        while (!failure_ && head_) {
            if (!emit_one(only_in_a(*head_), summary_.domains_only_in_a)) {
                return false;
            }
            advance_a();
        }
        return !failure_;
    }

    [[nodiscard]] const std::optional<Error>& failure() const { return failure_; }

private:
    void advance_a() {
        head_ = a_.pop();
        if (!head_) {
            auto status = a_.producer_status(); // reading scan A failed: stop, do not guess
            if (!status && !failure_) {
                failure_ = status.error();
            }
            return;
        }
        if (summary_.domains_a > 0 && head_->domain <= last_a_) {
            failure_ = out_of_order("A", last_a_, head_->domain);
            head_.reset();
            return;
        }
        last_a_ = head_->domain;
        ++summary_.domains_a;
    }
    bool emit_one(const Change& c, std::uint64_t& counter) {
        ++counter;
        return emit(c);
    }
    bool emit(const Change& c) {
        summary_.count(c);
        if (sink_.change && !sink_.change(c)) {
            failure_ = make_error(ErrorCode::Cancelled, "diff stopped");
            return false;
        }
        return true;
    }

    internal::ResultQueue& a_;
    const DiffSink& sink_;
    Summary& summary_;
    std::optional<DomainResult> head_;
    std::string last_a_;
    std::string last_b_;
    std::optional<Error> failure_;
};

/// Merge-joins two result lists sorted by domain into `summary` and `changes`.
void merge_sorted(const std::vector<DomainResult>& a, const std::vector<DomainResult>& b,
                  Summary& summary, std::vector<Change>& changes) {
    auto add = [&](Change c) {
        summary.count(c);
        changes.push_back(std::move(c));
    };
    std::size_t i = 0;
    std::size_t j = 0;
    summary.domains_a += a.size();
    summary.domains_b += b.size();
    while (i < a.size() || j < b.size()) {
        if (j == b.size() || (i < a.size() && a[i].domain < b[j].domain)) {
            ++summary.domains_only_in_a;
            add(only_in_a(a[i++]));
        } else if (i == a.size() || b[j].domain < a[i].domain) {
            ++summary.domains_only_in_b;
            add(only_in_b(b[j++]));
        } else {
            ++summary.domains_compared;
            auto found = compare(a[i++], b[j++]);
            summary.domains_changed += found.empty() ? 0U : 1U;
            for (auto& c : found) {
                add(std::move(c));
            }
        }
    }
}

/// One shard of a scan kept outside the database, sorted by domain.
Result<std::vector<DomainResult>> external_shard(store::Store& store, const model::Scan& scan,
                                                 std::uint32_t shard) {
    std::vector<DomainResult> out;
    DG_TRY_VOID(store::external_results()->shard_results(store, scan, shard, [&](DomainResult&& r) {
        out.push_back(std::move(r));
        return true;
    }));
    return out;
}

/// A whole scan, sorted by domain: from the database, or every external shard.
Result<std::vector<DomainResult>> whole_scan(store::Store& store, const model::Scan& scan,
                                             std::optional<std::uint32_t> shards) {
    std::vector<DomainResult> out;
    if (!shards) {
        DG_TRY_VOID(store.results(scan.id, {}, [&](const store::StoredResult& r) {
            out.push_back(r.result);
            return true;
        }));
        return out;
    }
    for (std::uint32_t k = 0; k < *shards; ++k) {
        DG_TRY(auto part, external_shard(store, scan, k));
        std::move(part.begin(), part.end(), std::back_inserter(out));
    }
    std::sort(out.begin(), out.end(),
              [](const DomainResult& x, const DomainResult& y) { return x.domain < y.domain; });
    return out;
}

/// diff_scans when a scan's results are kept outside the database (a lake scan). Two lake scans
/// cut into the same number of shards are compared shard by shard (a name is in the same shard
/// in both), so memory holds one shard of each plus the changes; otherwise the lake side(s)
/// are read whole. The changes are reported in domain order, as from the database.
Result<Summary> diff_external(store::Store& store, const model::Scan& a, const model::Scan& b,
                              std::optional<std::uint32_t> shards_a,
                              std::optional<std::uint32_t> shards_b, const DiffSink& sink) {
    Summary summary;
    summary.scan_a = a.id;
    summary.scan_b = b.id;
    std::vector<Change> changes;
    if (shards_a && shards_b && *shards_a == *shards_b) {
        for (std::uint32_t k = 0; k < *shards_a; ++k) {
            DG_TRY(const auto part_a, external_shard(store, a, k));
            DG_TRY(const auto part_b, external_shard(store, b, k));
            merge_sorted(part_a, part_b, summary, changes);
        }
    } else {
        DG_TRY(const auto all_a, whole_scan(store, a, shards_a));
        DG_TRY(const auto all_b, whole_scan(store, b, shards_b));
        merge_sorted(all_a, all_b, summary, changes);
    }
    std::stable_sort(changes.begin(), changes.end(),
                     [](const Change& x, const Change& y) { return x.domain < y.domain; });
    for (const Change& c : changes) {
        if (sink.change && !sink.change(c)) {
            return make_error(ErrorCode::Cancelled, "diff stopped");
        }
    }
    return summary;
}

} // namespace

bool status_is_definitive(std::string_view status) {
    return status == "NOERROR" || status == "NODATA";
}

std::vector<Change> compare(const DomainResult& a, const DomainResult& b) {
    std::vector<Change> out;
    if (a.status != b.status) {
        out.push_back(status_change(b.domain, a.status, b.status));
    }
    if (!status_is_definitive(a.status) || !status_is_definitive(b.status)) {
        return out;
    }
    compare_cname(a, b, out);
    compare_addresses(a, b, false, out);
    compare_addresses(a, b, true, out);
    compare_routing(a, b, out);
    compare_ns(a, b, out);
    compare_mx(a, b, out);
    std::stable_sort(out.begin(), out.end(), [](const Change& x, const Change& y) {
        return type_rank(x.type) < type_rank(y.type);
    });
    return out;
}

Change only_in_a(const DomainResult& a) {
    return status_change(a.domain, a.status, std::nullopt);
}

Change only_in_b(const DomainResult& b) {
    return status_change(b.domain, std::nullopt, b.status);
}

void Summary::count(const Change& c) {
    ++changes;
    ++by_type[static_cast<std::size_t>(c.type)];
    ++by_severity[static_cast<std::size_t>(c.severity)];
}

Result<Summary> diff_scans(store::Store& reader_a, store::Store& reader_b, std::int64_t scan_a,
                           std::int64_t scan_b, const DiffSink& sink) {
    DG_TRY(const model::Scan a, reader_b.get_scan(scan_a));
    DG_TRY(const model::Scan b, reader_b.get_scan(scan_b));
    DG_TRY(const auto external_a, store::external_scan(reader_b, scan_a));
    DG_TRY(const auto external_b, store::external_scan(reader_b, scan_b));
    if (external_a || external_b) {
        auto shards = [](const std::optional<store::ExternalScan>& e) {
            return e ? std::optional<std::uint32_t>(e->shards) : std::nullopt;
        };
        return diff_external(reader_b, a, b, shards(external_a), shards(external_b), sink);
    }
    Summary summary;
    summary.scan_a = scan_a;
    summary.scan_b = scan_b;

    internal::ResultQueue queue(internal::ResultQueue::kDefaultCapacity);
    std::thread producer([&] {
        auto status = reader_a.results(
            scan_a, {}, [&](const store::StoredResult& r) { return queue.push(r.result); });
        queue.finish(std::move(status));
    });
    std::optional<Error> failure;
    {
        Merger merger(queue, sink, summary);
        auto read_b = reader_b.results(
            scan_b, {}, [&](const store::StoredResult& r) { return merger.on_b(r.result); });
        if (!read_b) {
            failure = read_b.error();
        } else if (!merger.failure()) {
            merger.drain_a();
        }
        if (!failure && merger.failure()) {
            failure = *merger.failure();
        }
    }
    queue.cancel();
    producer.join();
    if (failure) {
        return *failure;
    }
    DG_TRY_VOID(queue.producer_status());
    return summary;
}

Result<model::Scan> resolve_scan(store::Store& store, std::string_view ref,
                                 const model::Scan* base) {
    if (ref == "latest" || ref == "latest-complete") {
        DG_TRY(auto scans, store.list_scans());
        for (auto it = scans.rbegin(); it != scans.rend(); ++it) {
            if (ref == "latest" || it->status == model::ScanStatus::Complete) {
                return *it;
            }
        }
        return make_error(ErrorCode::NotFound, "no " + std::string(ref) + " scan: the store has " +
                                                   std::to_string(scans.size()) + " scan(s)");
    }
    if (ref == "previous") {
        model::Scan of;
        if (base != nullptr) {
            of = *base;
        } else {
            DG_TRY(of, resolve_scan(store, "latest"));
        }
        DG_TRY(auto prev, store::previous_of_same_input(store, of, false));
        if (!prev && !store::list_of(of).empty()) {
            return make_error(ErrorCode::NotFound, "no previous scan of list " +
                                                       store::list_of(of) + " before scan " +
                                                       std::to_string(of.id));
        }
        if (!prev) {
            return make_error(ErrorCode::NotFound,
                              "no previous scan of the same input as scan " +
                                  std::to_string(of.id) + " (" + std::to_string(of.domains_done) +
                                  " names): every earlier scan holds another set of names; give "
                                  "a scan id (see 'domaingraph scans list')");
        }
        return std::move(*prev);
    }
    std::int64_t id = 0;
    const auto [end, ec] = std::from_chars(ref.data(), ref.data() + ref.size(), id);
    if (ref.empty() || ec != std::errc() || end != ref.data() + ref.size() || id <= 0) {
        return make_error(ErrorCode::InvalidArgument,
                          "'" + std::string(ref) +
                              "' is not a scan id (a positive number, 'latest', 'previous' or "
                              "'latest-complete')");
    }
    return store.get_scan(id); // NotFound: store::no_such_scan's message
}

Result<ScanPair> resolve_pair(store::Store& store, std::string_view ref_a, std::string_view ref_b) {
    ScanPair pair;
    DG_TRY(pair.b, resolve_scan(store, ref_b));
    DG_TRY(pair.a, resolve_scan(store, ref_a, &pair.b));
    pair.how_a = describe_resolved(ref_a, pair.a, &pair.b);
    pair.how_b = describe_resolved(ref_b, pair.b, nullptr);
    return pair;
}

std::string describe_resolved(std::string_view ref, const model::Scan& scan,
                              const model::Scan* base) {
    const std::string id = "scan " + std::to_string(scan.id);
    if (ref == "previous" && !store::list_of(scan).empty()) {
        return "'previous' = " + id + ", the previous scan of list " + store::list_of(scan) +
               (base != nullptr ? " before scan " + std::to_string(base->id) : std::string());
    }
    if (ref == "previous") {
        return "'previous' = " + id + ", the newest earlier scan of the same " +
               std::to_string(scan.domains_done) + " names" +
               (base != nullptr ? " as scan " + std::to_string(base->id) : std::string());
    }
    if (ref == "latest" || ref == "latest-complete") {
        return "'" + std::string(ref) + "' = " + id;
    }
    return id;
}

} // namespace dg::diff
