#include "dg/tags/infra_stats.hpp"

#include "dg/tags/sql_util.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <unordered_map>

namespace dg::tags {

using nlohmann::json;
using store::internal::Row;
using store::internal::Value;

namespace {

struct Acc {
    std::uint64_t tagged = 0;
    std::uint64_t in_scan = 0;
    std::uint64_t routed = 0;
    std::map<std::uint32_t, std::uint64_t> asns;
    std::map<std::string, std::uint64_t> orgs;
};

double pct(std::uint64_t part, std::uint64_t whole) {
    return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

/// Every (domain, tag) of the taxonomy valid at `at`.
Result<std::unordered_map<std::string, std::vector<std::size_t>>>
tagged_domains(TagStore& ts, std::int64_t taxonomy_id, Micros at, std::vector<std::string>& names) {
    std::set<std::pair<std::string, std::string>> pairs;
    DG_TRY_VOID(ts.conn().query(
        "SELECT e.name, t.name FROM tag_mappings m "
        "JOIN tagged_entities e ON e.id = m.entity_id AND e.kind = 'domain' "
        "JOIN taxonomy_tags t ON t.id = m.tag_id "
        "WHERE m.taxonomy_id = $1 AND m.start_us <= $2 AND (m.end_us IS NULL OR m.end_us > $2)",
        {Value(taxonomy_id), Value(at)}, [&](const Row& r) {
            pairs.emplace(std::string(r.text(0)), std::string(r.text(1)));
            return true;
        }));
    std::map<std::string, std::size_t> index;
    std::unordered_map<std::string, std::vector<std::size_t>> out;
    for (const auto& [domain, tag] : pairs) {
        auto [it, added] = index.emplace(tag, names.size());
        if (added) {
            names.push_back(tag);
        }
        out[domain].push_back(it->second);
    }
    return out;
}

void add_result(const model::DomainResult& r, Acc& acc, std::map<std::uint32_t, std::string>& org) {
    ++acc.in_scan;
    std::set<std::uint32_t> asns;
    std::set<std::string> orgs;
    for (const auto* list : {&r.a, &r.aaaa}) {
        for (const auto& m : *list) {
            if (!m.asn || m.asn->value() == 0) {
                continue;
            }
            asns.insert(m.asn->value());
            orgs.insert(m.org.value_or(""));
            if (m.org && !m.org->empty()) {
                org.emplace(m.asn->value(), *m.org);
            }
        }
    }
    if (asns.empty()) {
        return;
    }
    ++acc.routed;
    for (auto a : asns) {
        ++acc.asns[a];
    }
    for (const auto& o : orgs) {
        ++acc.orgs[o];
    }
}

TagInfra finish(const std::string& name, const Acc& acc,
                const std::map<std::uint32_t, std::string>& org) {
    TagInfra t;
    t.tag = name;
    t.tagged = acc.tagged;
    t.in_scan = acc.in_scan;
    t.routed = acc.routed;
    for (const auto& [asn, n] : acc.asns) {
        auto it = org.find(asn);
        t.asns.push_back({asn, it == org.end() ? "" : it->second, n, pct(n, acc.routed)});
    }
    std::stable_sort(t.asns.begin(), t.asns.end(),
                     [](const InfraAsn& a, const InfraAsn& b) { return a.domains > b.domains; });
    for (const auto& [o, n] : acc.orgs) {
        t.orgs.push_back({o, n, pct(n, acc.routed)});
    }
    std::stable_sort(t.orgs.begin(), t.orgs.end(),
                     [](const InfraOrg& a, const InfraOrg& b) { return a.domains > b.domains; });
    return t;
}

ApiResponse api_error(int status, const std::string& msg) {
    return {status, json{{"detail", msg}}};
}

ApiResponse unprocessable(const std::string& name, const std::string& msg,
                          const std::string& type) {
    return {422, json{{"detail", json::array({json{{"loc", json::array({"query", name})},
                                                   {"msg", msg},
                                                   {"type", type}}})}}};
}

std::optional<std::string> last(const QueryParams& q, const std::string& name) {
    std::optional<std::string> v;
    for (const auto& [k, value] : q) {
        if (k == name) {
            v = value;
        }
    }
    return v;
}

} // namespace

Result<InfraStats> infrastructure_stats(TagStore& ts, store::Store& store,
                                        const std::string& taxonomy, std::int64_t scan_id,
                                        std::optional<Micros> at) {
    DG_TRY(auto tax, ts.find_taxonomy(taxonomy));
    if (!tax) {
        return make_error(ErrorCode::NotFound, "no taxonomy '" + taxonomy + "'");
    }
    DG_TRY(auto scan, store.get_scan(scan_id));
    InfraStats s;
    s.taxonomy = tax->name;
    s.scan_id = scan_id;
    s.at = at.value_or(scan.started_at * 1000000);
    std::vector<std::string> names;
    DG_TRY(auto domains, tagged_domains(ts, tax->id, s.at, names));
    std::vector<Acc> acc(names.size());
    for (const auto& [domain, tags] : domains) {
        for (auto i : tags) {
            ++acc[i].tagged;
        }
    }
    std::map<std::uint32_t, std::string> org;
    DG_TRY_VOID(store.results(scan_id, {}, [&](const store::StoredResult& r) {
        auto it = domains.find(r.result.domain);
        if (it != domains.end()) {
            for (auto i : it->second) {
                add_result(r.result, acc[i], org);
            }
        }
        return true;
    }));
    for (std::size_t i = 0; i < names.size(); ++i) {
        s.tags.push_back(finish(names[i], acc[i], org));
    }
    std::stable_sort(s.tags.begin(), s.tags.end(), [](const TagInfra& a, const TagInfra& b) {
        return a.tagged != b.tagged ? a.tagged > b.tagged : a.tag < b.tag;
    });
    return s;
}

json to_json(const InfraStats& s) {
    json tags = json::array();
    for (const auto& t : s.tags) {
        json asns = json::array();
        for (const auto& a : t.asns) {
            asns.push_back(json{{"asn", a.asn},
                                {"org", a.org.empty() ? json(nullptr) : json(a.org)},
                                {"domains", a.domains},
                                {"share", a.share}});
        }
        json orgs = json::array();
        for (const auto& o : t.orgs) {
            orgs.push_back(json{{"org", o.org.empty() ? json(nullptr) : json(o.org)},
                                {"domains", o.domains},
                                {"share", o.share}});
        }
        tags.push_back(json{{"tag_name", t.tag},
                            {"tagged_domains", t.tagged},
                            {"domains_in_scan", t.in_scan},
                            {"domains_routed", t.routed},
                            {"asns", std::move(asns)},
                            {"orgs", std::move(orgs)}});
    }
    return json{{"taxonomy_name", s.taxonomy},
                {"scan_id", s.scan_id},
                {"at_time", format_time(s.at)},
                {"tags", std::move(tags)}};
}

ApiResponse infrastructure_stats_api(TagStore& ts, store::Store& store, const QueryParams& query) {
    const auto taxonomy = last(query, "taxonomy");
    if (!taxonomy) {
        return unprocessable("taxonomy", "field required", "value_error.missing");
    }
    const auto scan = last(query, "scan");
    if (!scan) {
        return unprocessable("scan", "field required", "value_error.missing");
    }
    std::int64_t scan_id = 0;
    const auto [end, ec] = std::from_chars(scan->data(), scan->data() + scan->size(), scan_id);
    if (ec != std::errc() || end != scan->data() + scan->size() || scan->empty()) {
        return unprocessable("scan", "value is not a valid integer", "type_error.integer");
    }
    std::optional<Micros> at;
    if (const auto t = last(query, "at_time")) {
        auto parsed = parse_time(*t);
        if (!parsed) {
            return unprocessable("at_time", "invalid datetime format", "value_error.datetime");
        }
        at = *parsed;
    }
    auto s = infrastructure_stats(ts, store, *taxonomy, scan_id, at);
    if (!s) {
        return api_error(s.error().code == ErrorCode::NotFound ? 404 : 500, s.error().message);
    }
    return {200, to_json(*s)};
}

} // namespace dg::tags
