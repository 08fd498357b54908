#include "dg/org/as2org_compare.hpp"

#include "dg/core/byte_source.hpp"
#include "dg/core/text.hpp"

#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace dg::org {
namespace {

std::uint64_t choose2(std::uint64_t n) {
    return n < 2 ? 0 : n * (n - 1) / 2;
}

/// Family index per AS of a table (families numbered densely), and family sizes.
struct Families {
    std::unordered_map<std::uint32_t, std::uint32_t> of; ///< asn -> family
    std::vector<std::uint64_t> size;
    std::vector<std::string> id;
};

Families families_of(const OrgTable& t) {
    Families f;
    std::unordered_map<std::string_view, std::uint32_t> by_id;
    for (const AsOrg& a : t.ases()) {
        std::uint32_t fam = 0;
        if (a.org_id.empty()) {
            fam = static_cast<std::uint32_t>(f.size.size());
            f.size.push_back(0);
            f.id.push_back("AS" + a.asn.to_string());
        } else {
            auto [it, inserted] =
                by_id.emplace(a.org_id, static_cast<std::uint32_t>(f.size.size()));
            if (inserted) {
                f.size.push_back(0);
                f.id.emplace_back(a.org_id);
            }
            fam = it->second;
        }
        ++f.size[fam];
        f.of[a.asn.value()] = fam;
    }
    return f;
}

} // namespace

Result<std::vector<TruthGroup>> parse_truth(std::string_view text, const std::string& name) {
    std::vector<TruthGroup> groups;
    std::unordered_map<std::string, std::size_t> by_name;
    std::string current;
    std::uint64_t line_no = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t nl = std::min(text.find('\n', pos), text.size());
        std::string_view line = trim(text.substr(pos, nl - pos));
        pos = nl + 1;
        ++line_no;
        if (line.empty()) {
            continue;
        }
        if (line.front() == '#') {
            current = std::string(trim(line.substr(1)));
            continue;
        }
        const auto bar = line.find('|');
        if (bar != std::string_view::npos) {
            line = line.substr(0, bar);
        }
        std::vector<std::uint32_t> asns;
        std::size_t i = 0;
        while (i < line.size()) {
            while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == ',')) {
                ++i;
            }
            std::size_t j = i;
            while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != ',') {
                ++j;
            }
            if (j > i) {
                auto asn = Asn::parse(line.substr(i, j - i));
                if (!asn) {
                    Error e = make_error(ErrorCode::Malformed,
                                         "invalid AS number '" +
                                             std::string(line.substr(i, j - i)) + "'");
                    e.source = name;
                    e.line = line_no;
                    return e;
                }
                asns.push_back(asn->value());
            }
            i = j;
        }
        if (asns.empty()) {
            continue;
        }
        const std::string gname = current.empty() ? "group " + std::to_string(line_no) : current;
        auto [it, inserted] = by_name.emplace(gname, groups.size());
        if (inserted) {
            groups.push_back(TruthGroup{gname, {}});
        }
        auto& g = groups[it->second].asns;
        g.insert(g.end(), asns.begin(), asns.end());
    }
    for (auto& g : groups) {
        std::sort(g.asns.begin(), g.asns.end());
        g.asns.erase(std::unique(g.asns.begin(), g.asns.end()), g.asns.end());
    }
    if (groups.empty()) {
        Error e = make_error(ErrorCode::Malformed, "no sibling group in the file");
        e.source = name;
        return e;
    }
    return groups;
}

Result<std::vector<TruthGroup>> load_truth(const std::string& path) {
    DG_TRY(auto source, io::open(path));
    DG_TRY(auto bytes, io::read_all(*source));
    return parse_truth(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                       path);
}

TruthSummary score_truth(const std::vector<TruthGroup>& truth, const OrgTable& mapping) {
    TruthSummary s;
    const Families fam = families_of(mapping);
    // members of each family, for FP counting
    std::vector<std::vector<std::uint32_t>> members(fam.size.size());
    for (const AsOrg& a : mapping.ases()) {
        members[fam.of.at(a.asn.value())].push_back(a.asn.value());
    }
    std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> groups_of; // asn -> truth groups
    for (std::uint32_t g = 0; g < truth.size(); ++g) {
        for (const std::uint32_t asn : truth[g].asns) {
            groups_of[asn].push_back(g);
        }
    }
    for (const TruthGroup& g : truth) {
        TruthScore r;
        r.name = g.name;
        r.ases = g.asns.size();
        r.pairs = choose2(r.ases);
        std::unordered_map<std::uint32_t, std::uint64_t> hit; // family -> |f ∩ S|
        for (const std::uint32_t asn : g.asns) {
            const auto it = fam.of.find(asn);
            if (it == fam.of.end()) {
                ++r.missing;
                continue;
            }
            ++hit[it->second];
        }
        r.families = hit.size() + r.missing;
        const std::unordered_set<std::uint32_t> in_s(g.asns.begin(), g.asns.end());
        for (const auto& [f, n] : hit) {
            r.tp += choose2(n);
            for (const std::uint32_t asn : members[f]) {
                if (in_s.count(asn) == 0) {
                    ++r.fp_ases;
                }
            }
        }
        r.fn = r.pairs - r.tp;
        s.pairs += r.pairs;
        s.tp += r.tp;
        s.fp_ases += r.fp_ases;
        s.rows.push_back(std::move(r));
    }
    s.recall = s.pairs == 0 ? 1.0 : static_cast<double>(s.tp) / static_cast<double>(s.pairs);
    // precision: same-family pairs among truth ASes
    std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> truth_in_family;
    for (const auto& [asn, gs] : groups_of) {
        const auto it = fam.of.find(asn);
        if (it != fam.of.end()) {
            truth_in_family[it->second].push_back(asn);
        }
    }
    std::uint64_t correct = 0;
    for (auto& [f, asns] : truth_in_family) {
        std::sort(asns.begin(), asns.end());
        for (std::size_t i = 0; i < asns.size(); ++i) {
            const auto& gi = groups_of[asns[i]];
            for (std::size_t j = i + 1; j < asns.size(); ++j) {
                ++s.predicted_pairs;
                const auto& gj = groups_of[asns[j]];
                const bool shared = std::any_of(gi.begin(), gi.end(), [&gj](std::uint32_t x) {
                    return std::find(gj.begin(), gj.end(), x) != gj.end();
                });
                correct += shared ? 1 : 0;
            }
        }
    }
    s.precision = s.predicted_pairs == 0
                      ? 1.0
                      : static_cast<double>(correct) / static_cast<double>(s.predicted_pairs);
    return s;
}

Agreement compare_mappings(const OrgTable& a, const OrgTable& b) {
    Agreement r;
    const Families fa = families_of(a);
    const Families fb = families_of(b);
    std::vector<std::uint64_t> na(fa.size.size(), 0);
    std::vector<std::uint64_t> nb(fb.size.size(), 0);
    std::unordered_map<std::uint64_t, std::uint64_t> cell;
    for (const AsOrg& x : a.ases()) {
        const auto it = fb.of.find(x.asn.value());
        if (it == fb.of.end()) {
            ++r.only_a[std::string(x.source)];
            continue;
        }
        ++r.common_ases;
        const std::uint32_t f = fa.of.at(x.asn.value());
        ++na[f];
        ++nb[it->second];
        ++cell[(std::uint64_t{f} << 32) | it->second];
    }
    for (const AsOrg& x : b.ases()) {
        if (fa.of.count(x.asn.value()) == 0) {
            ++r.only_b[std::string(x.source)];
        }
    }
    for (const std::uint64_t n : na) {
        r.pairs_a += choose2(n);
    }
    for (const std::uint64_t n : nb) {
        r.pairs_b += choose2(n);
    }
    for (const auto& [key, n] : cell) {
        r.pairs_both += choose2(n);
    }
    r.precision =
        r.pairs_a == 0 ? 1.0 : static_cast<double>(r.pairs_both) / static_cast<double>(r.pairs_a);
    r.recall =
        r.pairs_b == 0 ? 1.0 : static_cast<double>(r.pairs_both) / static_cast<double>(r.pairs_b);
    // an AS's sibling sets agree when its cell is its whole family on both sides
    for (const AsOrg& x : a.ases()) {
        const auto it = fb.of.find(x.asn.value());
        if (it == fb.of.end()) {
            continue;
        }
        const std::uint32_t f = fa.of.at(x.asn.value());
        const std::uint64_t c = cell[(std::uint64_t{f} << 32) | it->second];
        if (c == na[f] && c == nb[it->second]) {
            ++r.same_sibling_sets;
        }
    }
    return r;
}

MappingDiff diff_mappings(const OrgTable& old_table, const OrgTable& new_table) {
    MappingDiff d;
    const Families fo = families_of(old_table);
    const Families fn = families_of(new_table);
    std::vector<std::uint64_t> no(fo.size.size(), 0);
    std::vector<std::uint64_t> nn(fn.size.size(), 0);
    std::map<std::uint32_t, std::set<std::uint32_t>> old_to_new;
    std::map<std::uint32_t, std::set<std::uint32_t>> new_to_old;
    std::unordered_map<std::uint64_t, std::uint64_t> cell;
    for (const AsOrg& x : old_table.ases()) {
        const AsOrg* y = new_table.as_of(x.asn);
        if (y == nullptr) {
            d.removed.push_back(x.asn.value());
            continue;
        }
        const std::uint32_t f = fo.of.at(x.asn.value());
        const std::uint32_t g = fn.of.at(x.asn.value());
        ++no[f];
        ++nn[g];
        ++cell[(std::uint64_t{f} << 32) | g];
        old_to_new[f].insert(g);
        new_to_old[g].insert(f);
        if (x.name != y->name) {
            d.renamed_ases.push_back(MappingDiff::Renamed{
                "AS" + x.asn.to_string(), std::string(x.name), std::string(y->name)});
        }
    }
    for (const AsOrg& y : new_table.ases()) {
        if (old_table.as_of(y.asn) == nullptr) {
            d.added.push_back(y.asn.value());
        }
    }
    for (const AsOrg& x : old_table.ases()) {
        if (new_table.as_of(x.asn) == nullptr) {
            continue;
        }
        const std::uint32_t f = fo.of.at(x.asn.value());
        const std::uint32_t g = fn.of.at(x.asn.value());
        const std::uint64_t c = cell[(std::uint64_t{f} << 32) | g];
        if (c != no[f] || c != nn[g]) {
            d.moved.push_back(MappingDiff::Moved{x.asn.value(), fo.id[f], fn.id[g], no[f], nn[g]});
        }
    }
    for (const auto& [g, olds] : new_to_old) {
        if (olds.size() > 1) {
            MappingDiff::Regroup r{fn.id[g], {}};
            for (const std::uint32_t f : olds) {
                r.others.push_back(fo.id[f]);
            }
            std::sort(r.others.begin(), r.others.end());
            d.merged.push_back(std::move(r));
        }
    }
    for (const auto& [f, news] : old_to_new) {
        if (news.size() > 1) {
            MappingDiff::Regroup r{fo.id[f], {}};
            for (const std::uint32_t g : news) {
                r.others.push_back(fn.id[g]);
            }
            std::sort(r.others.begin(), r.others.end());
            d.split.push_back(std::move(r));
        }
    }
    auto by_org = [](const MappingDiff::Regroup& a, const MappingDiff::Regroup& b) {
        return a.org < b.org;
    };
    std::sort(d.merged.begin(), d.merged.end(), by_org);
    std::sort(d.split.begin(), d.split.end(), by_org);
    for (const Organisation& o : old_table.organisations()) {
        const Organisation* n = new_table.organisation(o.id);
        if (n != nullptr && n->name != o.name) {
            d.renamed_orgs.push_back(
                MappingDiff::Renamed{std::string(o.id), std::string(o.name), std::string(n->name)});
        }
    }
    return d;
}

} // namespace dg::org
