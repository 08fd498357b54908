// AS relationship and IXP membership readers; the compact graph (as_graph.hpp).
#include "dg/resilience/as_graph.hpp"

#include "dg/core/asn.hpp"
#include "dg/core/byte_source.hpp"
#include "dg/core/text.hpp"

#include <algorithm>
#include <charconv>
#include <numeric>
#include <unordered_map>

namespace dg::resilience {
namespace {

constexpr std::size_t kMaxFileBytes = std::size_t{1} << 32;

Error bad_line(const std::string& name, std::uint64_t line, std::string message) {
    return make_error(ErrorCode::Malformed, std::move(message)).at(name, std::nullopt, line);
}

std::optional<std::uint32_t> parse_u32(std::string_view s) {
    std::uint32_t v = 0;
    if (s.empty()) {
        return std::nullopt;
    }
    const auto* end = s.data() + s.size();
    auto [p, ec] = std::from_chars(s.data(), end, v);
    if (ec != std::errc() || p != end) {
        return std::nullopt;
    }
    return v;
}

/// Calls fn(line_number, line) for every line (without the newline and a trailing '\r').
template <class Fn> Result<void> for_each_line(std::string_view content, Fn&& fn) {
    std::uint64_t number = 0;
    std::size_t pos = 0;
    while (pos < content.size()) {
        std::size_t nl = content.find('\n', pos);
        if (nl == std::string_view::npos) {
            nl = content.size();
        }
        std::string_view line = content.substr(pos, nl - pos);
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        ++number;
        DG_TRY_VOID(fn(number, line));
        pos = nl + 1;
    }
    return ok();
}

Result<std::string> slurp(const std::string& path) {
    DG_TRY(auto source, io::open(path));
    DG_TRY(auto bytes, io::read_all(*source, kMaxFileBytes));
    return std::string(bytes.begin(), bytes.end());
}

std::uint64_t pair_key(std::uint32_t x, std::uint32_t y) {
    if (x > y) {
        std::swap(x, y);
    }
    return (std::uint64_t{x} << 32) | y;
}

/// Open-addressing map pair key -> link id (keys are never all-ones: x < y).
class PairMap {
public:
    explicit PairMap(std::size_t expected) {
        std::size_t cap = 16;
        while (cap < expected * 2) {
            cap <<= 1;
        }
        keys_.assign(cap, kEmpty);
        values_.resize(cap);
        mask_ = cap - 1;
    }
    /// The slot of `key`: its value if present, else where to insert.
    std::pair<std::uint32_t*, bool> find_or_slot(std::uint64_t key) {
        std::size_t i = hash(key) & mask_;
        while (true) {
            if (keys_[i] == key) {
                return {&values_[i], true};
            }
            if (keys_[i] == kEmpty) {
                keys_[i] = key;
                return {&values_[i], false};
            }
            i = (i + 1) & mask_;
        }
    }

private:
    static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};
    static std::size_t hash(std::uint64_t k) {
        k ^= k >> 33;
        k *= 0xff51afd7ed558ccdULL;
        k ^= k >> 33;
        return static_cast<std::size_t>(k);
    }
    std::vector<std::uint64_t> keys_;
    std::vector<std::uint32_t> values_;
    std::size_t mask_ = 0;
};

} // namespace

Result<std::vector<RelEdge>> parse_as_rel(std::string_view content, const std::string& name,
                                          RelReport* report) {
    RelReport local;
    RelReport& r = report != nullptr ? *report : local;
    r = RelReport{};
    r.source = name;
    std::vector<RelEdge> edges;
    edges.reserve(content.size() / 14);
    auto parsed =
        for_each_line(content, [&](std::uint64_t number, std::string_view line) -> Result<void> {
            r.lines = number;
            if (line.empty()) {
                return ok();
            }
            if (line.front() == '#') {
                constexpr std::string_view kClique = "# inferred clique:";
                if (line.starts_with(kClique)) {
                    r.clique = std::string(trim(line.substr(kClique.size())));
                }
                return ok();
            }
            std::string_view f[5];
            std::size_t n = 0;
            std::size_t start = 0;
            while (n < 5) {
                const std::size_t bar = line.find('|', start);
                f[n++] = line.substr(start, bar == std::string_view::npos ? std::string_view::npos
                                                                          : bar - start);
                if (bar == std::string_view::npos) {
                    break;
                }
                start = bar + 1;
            }
            if (n != 3 && n != 4) {
                return bad_line(
                    name, number,
                    "expected 'as1|as2|rel' (serial-1) or 'as1|as2|rel|source' (serial-2)");
            }
            const int serial = n == 3 ? 1 : 2;
            if (r.serial != 0 && r.serial != serial) {
                return bad_line(name, number,
                                "serial-" + std::to_string(serial) + " line in a serial-" +
                                    std::to_string(r.serial) + " file");
            }
            r.serial = serial;
            const auto a = parse_u32(trim(f[0]));
            const auto b = parse_u32(trim(f[1]));
            if (!a || !b) {
                return bad_line(name, number, "AS number expected in the first two fields");
            }
            const std::string_view code = trim(f[2]);
            RelEdge e{*a, *b, Rel::P2P, number};
            if (code == "-1") {
                e.rel = Rel::P2C;
                ++r.p2c;
            } else if (code == "0") {
                ++r.p2p;
            } else if (code == "2") {
                e.rel = Rel::S2S;
                ++r.s2s;
            } else {
                return bad_line(name, number,
                                "unknown relationship code '" + std::string(code) +
                                    "' (known: -1 provider-customer, 0 peers, 2 siblings)");
            }
            if (*a == *b) {
                return bad_line(name, number, "self-loop AS" + std::to_string(*a));
            }
            edges.push_back(e);
            return ok();
        });
    if (!parsed) {
        return parsed.error();
    }
    if (edges.empty()) {
        return make_error(ErrorCode::Malformed, "no relationship line").at(name);
    }
    // duplicates: identical ones are skipped, conflicting ones are errors
    std::vector<std::pair<std::uint64_t, std::uint32_t>> order(edges.size());
    for (std::size_t i = 0; i < edges.size(); ++i) {
        order[i] = {pair_key(edges[i].a, edges[i].b), static_cast<std::uint32_t>(i)};
    }
    std::sort(order.begin(), order.end());
    std::vector<std::uint8_t> drop(edges.size(), 0);
    for (std::size_t i = 1; i < order.size(); ++i) {
        if (order[i].first != order[i - 1].first) {
            continue;
        }
        const RelEdge& first = edges[order[i - 1].second];
        const RelEdge& again = edges[order[i].second];
        const bool same = first.rel == again.rel && (first.rel != Rel::P2C || first.a == again.a);
        if (!same) {
            return bad_line(name, again.line,
                            "AS" + std::to_string(again.a) + "-AS" + std::to_string(again.b) +
                                " has a different relationship on line " +
                                std::to_string(first.line));
        }
        drop[order[i].second] = 1;
        order[i].second = order[i - 1].second;
        ++r.duplicates;
    }
    if (r.duplicates > 0) {
        std::size_t w = 0;
        for (std::size_t i = 0; i < edges.size(); ++i) {
            if (drop[i] == 0) {
                edges[w++] = edges[i];
            }
        }
        edges.resize(w);
    }
    return edges;
}

Result<std::vector<RelEdge>> read_as_rel(const std::string& path, RelReport* report) {
    DG_TRY(auto content, slurp(path));
    return parse_as_rel(content, path, report);
}

Result<IxpMembership> parse_ixp(std::string_view content, const std::string& name) {
    IxpMembership m;
    std::unordered_map<std::string, std::size_t> index;
    auto add = [&](std::string_view ixp, std::uint32_t asn) {
        auto [it, fresh] = index.try_emplace(std::string(ixp), m.names.size());
        if (fresh) {
            m.names.emplace_back(ixp);
            m.members.emplace_back();
        }
        m.members[it->second].push_back(asn);
    };
    auto parsed =
        for_each_line(content, [&](std::uint64_t number, std::string_view raw) -> Result<void> {
            m.lines = number;
            const std::string_view line = trim(raw);
            if (line.empty() || line.front() == '#') {
                return ok();
            }
            if (m.format.empty()) {
                const std::size_t c1 = line.find(", ");
                const std::size_t c2 = c1 == std::string_view::npos ? c1 : line.find(", ", c1 + 2);
                const std::string_view flag = c2 == std::string_view::npos
                                                  ? std::string_view{}
                                                  : line.substr(c1 + 2, c2 - c1 - 2);
                if (flag == "!" || flag == "?") {
                    m.format = "traixroute";
                } else if (line.find('\t') != std::string_view::npos ||
                           line.find('|') != std::string_view::npos) {
                    m.format = "tsv";
                } else if (line.find(',') != std::string_view::npos) {
                    return bad_line(name, number,
                                    "looks like a PeeringDB ix list, which names no member ASes; "
                                    "give traIXroute's ixp_membership.txt or IXP<TAB>ASN lines");
                } else {
                    return bad_line(name, number, "expected 'IXP<TAB>ASN' or a traIXroute line");
                }
            }
            if (m.format == "tsv") {
                std::size_t sep = line.rfind('\t');
                if (sep == std::string_view::npos) {
                    sep = line.rfind('|');
                }
                if (sep == std::string_view::npos) {
                    return bad_line(name, number, "expected 'IXP<TAB>ASN'");
                }
                const std::string_view ixp = trim(line.substr(0, sep));
                auto asn = Asn::parse(trim(line.substr(sep + 1)));
                if (ixp.empty() || !asn) {
                    return bad_line(name, number, "expected 'IXP<TAB>ASN' (IXP name, AS number)");
                }
                add(ixp, asn->value());
                return ok();
            }
            std::vector<std::string_view> f;
            std::size_t start = 0;
            while (true) {
                const std::size_t comma = line.find(", ", start);
                if (comma == std::string_view::npos) {
                    f.push_back(line.substr(start));
                    break;
                }
                f.push_back(line.substr(start, comma - start));
                start = comma + 2;
            }
            if (f.size() < 6 || (f[1] != "!" && f[1] != "?")) {
                return bad_line(name, number,
                                "expected 'index, !|?, ip, ASnnn, short name, long name, country, "
                                "city' (traIXroute)");
            }
            if (f[1] == "?") {
                ++m.skipped_lines;
                return ok();
            }
            auto asn = Asn::parse(trim(f[3]));
            if (!asn) {
                return bad_line(name, number, "AS number expected in field 4");
            }
            std::string_view ixp = trim(f[5]);
            if (ixp.empty()) {
                ixp = trim(f[4]);
            }
            if (ixp.empty()) {
                return bad_line(name, number, "IXP name missing");
            }
            add(ixp, asn->value());
            return ok();
        });
    if (!parsed) {
        return parsed.error();
    }
    if (m.names.empty()) {
        return make_error(ErrorCode::Malformed, "no IXP membership line").at(name);
    }
    for (auto& list : m.members) {
        std::sort(list.begin(), list.end());
        list.erase(std::unique(list.begin(), list.end()), list.end());
    }
    return m;
}

Result<IxpMembership> read_ixp(const std::string& path) {
    DG_TRY(auto content, slurp(path));
    return parse_ixp(content, path);
}

AsGraph AsGraph::build(const std::vector<RelEdge>& edges, const IxpMembership* ixp,
                       MeshReport* mesh) {
    AsGraph g;
    g.asns_.reserve(edges.size() * 2);
    for (const RelEdge& e : edges) {
        g.asns_.push_back(e.a);
        g.asns_.push_back(e.b);
    }
    std::sort(g.asns_.begin(), g.asns_.end());
    g.asns_.erase(std::unique(g.asns_.begin(), g.asns_.end()), g.asns_.end());
    g.asns_.shrink_to_fit();
    auto id = [&g](std::uint32_t asn) {
        return static_cast<std::uint32_t>(std::lower_bound(g.asns_.begin(), g.asns_.end(), asn) -
                                          g.asns_.begin());
    };
    g.links_.reserve(edges.size());
    for (const RelEdge& e : edges) {
        std::uint32_t a = id(e.a);
        std::uint32_t b = id(e.b);
        if (e.rel != Rel::P2C && a > b) {
            std::swap(a, b);
        }
        g.links_.push_back(Link{a, b, e.rel, true});
    }
    std::vector<std::pair<std::uint32_t, std::uint32_t>> label_pairs; // (link, ixp)
    if (ixp != nullptr) {
        MeshReport local;
        MeshReport& rep = mesh != nullptr ? *mesh : local;
        rep = MeshReport{};
        std::size_t pairs = 0;
        g.ixp_names_ = ixp->names;
        g.ixp_members_.resize(ixp->names.size());
        for (std::size_t i = 0; i < ixp->names.size(); ++i) {
            for (std::uint32_t asn : ixp->members[i]) {
                const auto found = g.id_of(asn);
                if (found) {
                    g.ixp_members_[i].push_back(*found);
                } else {
                    ++rep.members_skipped;
                }
            }
            const std::size_t k = g.ixp_members_[i].size();
            pairs += k * (k - (k > 0 ? 1 : 0)) / 2;
        }
        rep.ixps = ixp->names.size();
        PairMap map(g.links_.size() + pairs);
        for (std::uint32_t l = 0; l < g.links_.size(); ++l) {
            *map.find_or_slot(pair_key(g.links_[l].a, g.links_[l].b)).first = l;
        }
        for (std::size_t i = 0; i < g.ixp_members_.size(); ++i) {
            const auto& mem = g.ixp_members_[i];
            for (std::size_t x = 0; x < mem.size(); ++x) {
                for (std::size_t y = x + 1; y < mem.size(); ++y) {
                    auto [slot, existed] = map.find_or_slot(pair_key(mem[x], mem[y]));
                    if (existed) {
                        ++rep.pairs_existing;
                        if (g.links_[*slot].rel == Rel::P2P) {
                            label_pairs.emplace_back(*slot, static_cast<std::uint32_t>(i));
                        }
                        continue;
                    }
                    *slot = static_cast<std::uint32_t>(g.links_.size());
                    label_pairs.emplace_back(*slot, static_cast<std::uint32_t>(i));
                    g.links_.push_back(Link{mem[x], mem[y], Rel::P2P, false});
                    ++rep.links_added;
                }
            }
        }
    }
    // labels (CSR; per link in IXP order, as added)
    g.label_off_.assign(g.links_.size() + 1, 0);
    for (const auto& [l, i] : label_pairs) {
        ++g.label_off_[l + 1];
    }
    std::partial_sum(g.label_off_.begin(), g.label_off_.end(), g.label_off_.begin());
    g.labels_.resize(label_pairs.size());
    {
        std::vector<std::uint32_t> fill(g.label_off_.begin(), g.label_off_.end() - 1);
        for (const auto& [l, i] : label_pairs) {
            g.labels_[fill[l]++] = i;
        }
    }
    // adjacency
    const std::size_t n = g.asns_.size();
    g.off_.assign(n * kKinds + 1, 0);
    auto slot = [](std::uint32_t v, Kind k) {
        return std::size_t{v} * kKinds + static_cast<std::size_t>(k);
    };
    auto kinds =
        [](const Link& l) -> std::pair<Kind, Kind> { // (kind of b seen from a, of a from b)
        switch (l.rel) {
        case Rel::P2C:
            return {Kind::Customer, Kind::Provider};
        case Rel::P2P:
            return {Kind::Peer, Kind::Peer};
        case Rel::S2S:
            break;
        }
        return {Kind::Sibling, Kind::Sibling};
    };
    for (const Link& l : g.links_) {
        const auto [ka, kb] = kinds(l);
        ++g.off_[slot(l.a, ka) + 1];
        ++g.off_[slot(l.b, kb) + 1];
    }
    std::partial_sum(g.off_.begin(), g.off_.end(), g.off_.begin());
    g.adj_.resize(g.off_.back());
    {
        std::vector<std::uint32_t> fill(g.off_.begin(), g.off_.end() - 1);
        for (std::uint32_t li = 0; li < g.links_.size(); ++li) {
            const Link& l = g.links_[li];
            const auto [ka, kb] = kinds(l);
            g.adj_[fill[slot(l.a, ka)]++] = Adj{l.b, li};
            g.adj_[fill[slot(l.b, kb)]++] = Adj{l.a, li};
        }
    }
    for (std::size_t s = 0; s + 1 < g.off_.size(); ++s) {
        std::sort(g.adj_.begin() + g.off_[s], g.adj_.begin() + g.off_[s + 1],
                  [](const Adj& x, const Adj& y) { return x.nbr < y.nbr; });
    }
    return g;
}

std::optional<std::uint32_t> AsGraph::id_of(std::uint32_t asn) const {
    auto it = std::lower_bound(asns_.begin(), asns_.end(), asn);
    if (it == asns_.end() || *it != asn) {
        return std::nullopt;
    }
    return static_cast<std::uint32_t>(it - asns_.begin());
}

std::optional<std::uint32_t> AsGraph::link_between(std::uint32_t x, std::uint32_t y) const {
    for (std::size_t k = 0; k < kKinds; ++k) {
        const auto list = adj(x, static_cast<Kind>(k));
        auto it = std::lower_bound(list.begin(), list.end(), y,
                                   [](const Adj& a, std::uint32_t v) { return a.nbr < v; });
        if (it != list.end() && it->nbr == y) {
            return it->link;
        }
    }
    return std::nullopt;
}

std::optional<std::size_t> AsGraph::ixp_of(std::string_view name) const {
    for (std::size_t i = 0; i < ixp_names_.size(); ++i) {
        if (ixp_names_[i] == name) {
            return i;
        }
    }
    return std::nullopt;
}

std::vector<std::uint32_t> AsGraph::ixp_failed_links(std::size_t i, IxpFailMode mode) const {
    std::vector<std::uint8_t> member(size(), 0);
    for (std::uint32_t m : ixp_members_[i]) {
        member[m] = 1;
    }
    std::vector<std::uint32_t> out;
    for (std::uint32_t u : ixp_members_[i]) {
        for (const Adj& a : adj(u, Kind::Peer)) {
            if (a.nbr <= u || member[a.nbr] == 0) {
                continue;
            }
            if (mode == IxpFailMode::Exclusive) {
                const auto lab = labels(a.link);
                if (links_[a.link].from_file || lab.size() != 1 || lab[0] != i) {
                    continue;
                }
            }
            out.push_back(a.link);
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::uint64_t AsGraph::count(Rel rel) const {
    return static_cast<std::uint64_t>(
        std::count_if(links_.begin(), links_.end(), [rel](const Link& l) { return l.rel == rel; }));
}

std::vector<std::uint32_t> AsGraph::provider_cycle() const {
    // iterative DFS over provider -> customer edges; colour 1 = on the stack, 2 = done
    const std::uint32_t n = size();
    std::vector<std::uint8_t> colour(n, 0);
    std::vector<std::uint32_t> parent(n, 0);
    std::vector<std::pair<std::uint32_t, std::uint32_t>> stack; // (node, next child index)
    for (std::uint32_t root = 0; root < n; ++root) {
        if (colour[root] != 0) {
            continue;
        }
        stack.emplace_back(root, 0);
        colour[root] = 1;
        while (!stack.empty()) {
            auto& [v, next] = stack.back();
            const auto kids = adj(v, Kind::Customer);
            if (next == kids.size()) {
                colour[v] = 2;
                stack.pop_back();
                continue;
            }
            const std::uint32_t c = kids[next++].nbr;
            if (colour[c] == 0) {
                colour[c] = 1;
                parent[c] = v;
                stack.emplace_back(c, 0);
            } else if (colour[c] == 1) {
                std::vector<std::uint32_t> cycle{asns_[c]};
                for (std::uint32_t x = v; x != c; x = parent[x]) {
                    cycle.push_back(asns_[x]);
                }
                cycle.push_back(asns_[c]);
                std::reverse(cycle.begin(), cycle.end());
                return cycle;
            }
        }
    }
    return {};
}

} // namespace dg::resilience
