// Valley-free BFS over (AS, phase) states, routing trees, incremental failure evaluation.
#include "dg/resilience/paths.hpp"

#include <algorithm>
#include <array>
#include <memory>

namespace dg::resilience {
namespace {

constexpr std::uint8_t kNone = 0xFF;
constexpr std::uint32_t kNoState = std::numeric_limits<std::uint32_t>::max();

/// next[phase][kind]: the phase after moving to a neighbour of that kind, or kNone.
using Table = std::array<std::array<std::uint8_t, kKinds>, 3>;
//                                   provider customer peer sibling
constexpr Table kOne{{{0, 1, 1, 0}, {kNone, 1, kNone, 1}, {kNone, kNone, kNone, kNone}}};
constexpr Table kMany{{{0, 2, 1, 0}, {kNone, 2, 1, 1}, {kNone, 2, kNone, 2}}};

const Table& table(PeerMode mode) {
    return mode == PeerMode::One ? kOne : kMany;
}

constexpr Kind reverse(Kind k) {
    switch (k) {
    case Kind::Provider:
        return Kind::Customer;
    case Kind::Customer:
        return Kind::Provider;
    case Kind::Peer:
    case Kind::Sibling:
        break;
    }
    return k;
}

bool dead(std::span<const std::uint8_t> mask, std::uint32_t i) {
    return !mask.empty() && mask[i] != 0;
}

/// BFS over states; `dist` gets node*phases + phase.
void bfs_states(const AsGraph& g, std::uint32_t source, const PathParams& params,
                std::span<const std::uint8_t> dead_as, std::span<const std::uint8_t> dead_link,
                std::vector<std::uint16_t>& dist) {
    const std::uint32_t phases = phase_count(params.peer_mode);
    const Table& next = table(params.peer_mode);
    dist.assign(std::size_t{g.size()} * phases, kUnreachable);
    if (dead(dead_as, source)) {
        return;
    }
    std::vector<std::uint32_t> frontier{source * phases};
    std::vector<std::uint32_t> upcoming;
    dist[source * phases] = 0;
    std::uint32_t level = 0;
    while (!frontier.empty() && level < params.max_hops && level + 1 < kUnreachable) {
        upcoming.clear();
        const auto nd = static_cast<std::uint16_t>(level + 1);
        for (const std::uint32_t st : frontier) {
            const std::uint32_t u = st / phases;
            const std::uint32_t ph = st % phases;
            for (std::size_t k = 0; k < kKinds; ++k) {
                const std::uint8_t np = next[ph][k];
                if (np == kNone) {
                    continue;
                }
                for (const Adj& a : g.adj(u, static_cast<Kind>(k))) {
                    if (dead(dead_link, a.link) || dead(dead_as, a.nbr)) {
                        continue;
                    }
                    const std::uint32_t c = a.nbr * phases + np;
                    if (dist[c] == kUnreachable) {
                        dist[c] = nd;
                        upcoming.push_back(c);
                    }
                }
            }
        }
        frontier.swap(upcoming);
        ++level;
    }
}

void min_over_phases(const std::vector<std::uint16_t>& states, std::uint32_t phases,
                     std::vector<std::uint16_t>& out) {
    out.assign(states.size() / phases, kUnreachable);
    for (std::size_t v = 0; v < out.size(); ++v) {
        for (std::uint32_t p = 0; p < phases; ++p) {
            out[v] = std::min(out[v], states[v * phases + p]);
        }
    }
}

/// A bucket queue over small integer keys.
class Buckets {
public:
    void push(std::uint32_t key, std::uint32_t item) {
        if (key >= buckets_.size()) {
            buckets_.resize(key + 1);
        }
        buckets_[key].push_back(item);
        lo_ = std::min(lo_, key);
        hi_ = std::max(hi_, key);
        used_ = true;
    }
    /// Calls fn(key, item) in ascending key order; fn may push keys >= the current one.
    template <class Fn> void drain(Fn&& fn) {
        if (!used_) {
            return;
        }
        for (std::uint32_t k = lo_; k <= hi_; ++k) {
            for (std::size_t j = 0; j < buckets_[k].size(); ++j) {
                fn(k, buckets_[k][j]);
            }
            buckets_[k].clear();
        }
        lo_ = std::numeric_limits<std::uint32_t>::max();
        hi_ = 0;
        used_ = false;
    }

private:
    std::vector<std::vector<std::uint32_t>> buckets_;
    std::uint32_t lo_ = std::numeric_limits<std::uint32_t>::max();
    std::uint32_t hi_ = 0;
    bool used_ = false;
};

} // namespace

std::uint32_t phase_count(PeerMode mode) {
    return mode == PeerMode::One ? 2 : 3;
}

std::vector<std::uint16_t> shortest_distances(const AsGraph& g, std::uint32_t source,
                                              const PathParams& params,
                                              std::span<const std::uint8_t> dead_as,
                                              std::span<const std::uint8_t> dead_link) {
    std::vector<std::uint16_t> states;
    bfs_states(g, source, params, dead_as, dead_link, states);
    std::vector<std::uint16_t> out;
    min_over_phases(states, phase_count(params.peer_mode), out);
    return out;
}

TransitCounts transit_counts(const AsGraph& g, const PathParams& params,
                             const std::vector<std::uint32_t>& sources,
                             const std::vector<std::uint32_t>& targets) {
    TransitCounts out;
    out.as_paths.assign(g.size(), 0);
    out.link_paths.assign(g.links().size(), 0);
    const std::uint32_t P = phase_count(params.peer_mode);
    const Table& next = table(params.peer_mode);
    std::vector<std::uint16_t> dist;
    std::vector<std::uint32_t> current;
    for (const std::uint32_t source : sources) {
        bfs_states(g, source, params, {}, {}, dist);
        for (const std::uint32_t t : targets) {
            std::uint16_t d = kUnreachable;
            for (std::uint32_t ph = 0; ph < P; ++ph) {
                d = std::min(d, dist[t * P + ph]);
            }
            if (t == source || d == kUnreachable) {
                continue;
            }
            // every state of the target at its distance, then one state per level
            current.clear();
            for (std::uint32_t ph = 0; ph < P; ++ph) {
                if (dist[t * P + ph] == d) {
                    current.push_back(t * P + ph);
                }
            }
            for (; d > 0; --d) {
                std::uint32_t best = kNoState;
                std::uint32_t best_link = 0;
                for (const std::uint32_t w : current) {
                    const std::uint32_t v = w / P;
                    const std::uint32_t wph = w % P;
                    for (std::size_t k = 0; k < kKinds; ++k) {
                        const auto rk = static_cast<std::size_t>(reverse(static_cast<Kind>(k)));
                        for (std::uint32_t ph = 0; ph < P; ++ph) {
                            if (next[ph][rk] != wph) {
                                continue;
                            }
                            for (const Adj& a : g.adj(v, static_cast<Kind>(k))) {
                                const std::uint32_t pst = a.nbr * P + ph;
                                if (dist[pst] + 1U == d && pst < best) {
                                    best = pst;
                                    best_link = a.link;
                                }
                            }
                        }
                    }
                }
                ++out.link_paths[best_link];
                if (best / P != source) {
                    ++out.as_paths[best / P];
                }
                current.assign(1, best);
            }
        }
    }
    return out;
}

void make_masks(const AsGraph& g, const Failure& failure, std::vector<std::uint8_t>& dead_as,
                std::vector<std::uint8_t>& dead_link) {
    dead_as.assign(g.size(), 0);
    dead_link.assign(g.links().size(), 0);
    for (std::uint32_t v : failure.ases) {
        dead_as[v] = 1;
    }
    for (std::uint32_t l : failure.links) {
        dead_link[l] = 1;
    }
}

RoutingTree routing_tree(const AsGraph& g, std::uint32_t destination, std::uint32_t max_hops,
                         std::span<const std::uint8_t> dead_as,
                         std::span<const std::uint8_t> dead_link) {
    enum : std::uint8_t { kNoRoute = 0, kCust = 1, kPeerRoute = 2, kProv = 3 };
    const std::uint32_t n = g.size();
    RoutingTree t;
    t.length.assign(n, kUnreachable);
    t.next_hop.assign(n, 0);
    if (dead(dead_as, destination)) {
        return t;
    }
    std::vector<std::uint8_t> cls(n, kNoRoute);
    auto alive = [&](const Adj& a) { return !dead(dead_link, a.link) && !dead(dead_as, a.nbr); };
    auto better = [&](std::uint32_t node, std::uint32_t len, std::uint32_t via) {
        return len < t.length[node] || (len == t.length[node] && via < t.next_hop[node]);
    };
    // 1: customer routes, up the provider and sibling edges from the destination
    std::vector<std::uint32_t> customer_routed{destination};
    cls[destination] = kCust;
    t.length[destination] = 0;
    t.next_hop[destination] = destination;
    std::vector<std::uint32_t> frontier{destination};
    std::vector<std::uint32_t> upcoming;
    for (std::uint32_t level = 0; !frontier.empty() && level < max_hops; ++level) {
        upcoming.clear();
        for (const std::uint32_t v : frontier) {
            for (const Kind k : {Kind::Provider, Kind::Sibling}) {
                for (const Adj& a : g.adj(v, k)) {
                    if (!alive(a)) {
                        continue;
                    }
                    const std::uint32_t p = a.nbr;
                    if (cls[p] == kNoRoute) {
                        cls[p] = kCust;
                        t.length[p] = static_cast<std::uint16_t>(level + 1);
                        t.next_hop[p] = v;
                        upcoming.push_back(p);
                        customer_routed.push_back(p);
                    } else if (cls[p] == kCust && t.length[p] == level + 1 && v < t.next_hop[p]) {
                        t.next_hop[p] = v;
                    }
                }
            }
        }
        frontier.swap(upcoming);
    }
    // 2: one peer edge from any customer-routed AS, then along siblings
    Buckets queue;
    for (const std::uint32_t u : customer_routed) {
        const std::uint32_t len = t.length[u] + 1U;
        if (len > max_hops) {
            continue;
        }
        for (const Adj& a : g.adj(u, Kind::Peer)) {
            const std::uint32_t w = a.nbr;
            if (!alive(a) || cls[w] == kCust) {
                continue;
            }
            if (cls[w] == kNoRoute || better(w, len, u)) {
                cls[w] = kPeerRoute;
                t.length[w] = static_cast<std::uint16_t>(len);
                t.next_hop[w] = u;
                queue.push(len, w);
            }
        }
    }
    queue.drain([&](std::uint32_t d, std::uint32_t v) {
        if (t.length[v] != d || d >= max_hops) {
            return;
        }
        for (const Adj& a : g.adj(v, Kind::Sibling)) {
            const std::uint32_t z = a.nbr;
            if (!alive(a) || cls[z] == kCust) {
                continue;
            }
            if (cls[z] == kNoRoute || better(z, d + 1, v)) {
                const bool shorter = cls[z] == kNoRoute || d + 1 < t.length[z];
                cls[z] = kPeerRoute;
                t.length[z] = static_cast<std::uint16_t>(d + 1);
                t.next_hop[z] = v;
                if (shorter) {
                    queue.push(d + 1, z);
                }
            }
        }
    });
    // 3: provider routes, down the customer and sibling edges in increasing length
    for (std::uint32_t v = 0; v < n; ++v) {
        if (cls[v] != kNoRoute) {
            queue.push(t.length[v], v);
        }
    }
    queue.drain([&](std::uint32_t d, std::uint32_t v) {
        if (t.length[v] != d || d >= max_hops) {
            return;
        }
        for (const Kind k : {Kind::Customer, Kind::Sibling}) {
            for (const Adj& a : g.adj(v, k)) {
                const std::uint32_t c = a.nbr;
                if (!alive(a) || cls[c] == kCust || cls[c] == kPeerRoute) {
                    continue;
                }
                if (cls[c] == kNoRoute || better(c, d + 1, v)) {
                    const bool shorter = cls[c] == kNoRoute || d + 1 < t.length[c];
                    cls[c] = kProv;
                    t.length[c] = static_cast<std::uint16_t>(d + 1);
                    t.next_hop[c] = v;
                    if (shorter) {
                        queue.push(d + 1, c);
                    }
                }
            }
        }
    });
    return t;
}

// ---------------------------------------------------------------------------------------------

struct IncrementalSweep::Scratch {
    struct Entry {
        std::uint32_t count;
        std::uint16_t new_dist;
        std::uint8_t flag; // 0 untouched, 1 affected (pending), 2 final
    };
    std::vector<std::uint32_t> stamp;
    std::vector<Entry> entry;
    std::uint32_t epoch = 0;
    std::vector<std::uint8_t> dead_as;
    std::vector<std::uint8_t> dead_link;
    std::vector<std::uint32_t> work;
    std::vector<std::uint32_t> affected;
    std::vector<std::uint32_t> node_stamp;
    Buckets buckets;
};

IncrementalSweep::IncrementalSweep(const AsGraph& g, PathParams params,
                                   std::vector<std::uint32_t> sources)
    : g_(g), params_(params), phases_(phase_count(params.peer_mode)), sources_(std::move(sources)) {
    const Table& next = table(params_.peer_mode);
    state_dist_.resize(sources_.size());
    parents_.resize(sources_.size());
    node_dist_.resize(sources_.size());
    for (std::size_t i = 0; i < sources_.size(); ++i) {
        auto& dist = state_dist_[i];
        bfs_states(g_, sources_[i], params_, {}, {}, dist);
        auto& par = parents_[i];
        par.assign(dist.size(), 0);
        for (std::uint32_t st = 0; st < dist.size(); ++st) {
            if (dist[st] == kUnreachable) {
                continue;
            }
            const std::uint32_t u = st / phases_;
            const std::uint32_t ph = st % phases_;
            for (std::size_t k = 0; k < kKinds; ++k) {
                const std::uint8_t np = next[ph][k];
                if (np == kNone) {
                    continue;
                }
                for (const Adj& a : g_.adj(u, static_cast<Kind>(k))) {
                    const std::uint32_t c = a.nbr * phases_ + np;
                    if (dist[c] == dist[st] + 1) {
                        ++par[c];
                    }
                }
            }
        }
        min_over_phases(dist, phases_, node_dist_[i]);
    }
}

void IncrementalSweep::ScratchDeleter::operator()(Scratch* s) const {
    delete s;
}

IncrementalSweep::ScratchPtr IncrementalSweep::make_scratch() const {
    ScratchPtr s(new Scratch);
    const std::size_t states = std::size_t{g_.size()} * phases_;
    s->stamp.assign(states, 0);
    s->entry.resize(states);
    s->dead_as.assign(g_.size(), 0);
    s->dead_link.assign(g_.links().size(), 0);
    s->node_stamp.assign(g_.size(), 0);
    return s;
}

void IncrementalSweep::evaluate(const Failure& failure, std::span<const std::uint8_t> target_mask,
                                Scratch& s, std::vector<SourceOutcome>& out) const {
    for (std::uint32_t v : failure.ases) {
        s.dead_as[v] = 1;
    }
    for (std::uint32_t l : failure.links) {
        s.dead_link[l] = 1;
    }
    out.resize(sources_.size());
    for (std::size_t i = 0; i < sources_.size(); ++i) {
        out[i].source_failed = false;
        out[i].changes.clear();
        evaluate_one(i, failure, target_mask, s, out[i]);
    }
    for (std::uint32_t v : failure.ases) {
        s.dead_as[v] = 0;
    }
    for (std::uint32_t l : failure.links) {
        s.dead_link[l] = 0;
    }
}

void IncrementalSweep::evaluate_one(std::size_t i, const Failure& failure,
                                    std::span<const std::uint8_t> target_mask, Scratch& s,
                                    SourceOutcome& out) const {
    if (s.dead_as[sources_[i]] != 0) {
        out.source_failed = true;
        return;
    }
    const Table& next = table(params_.peer_mode);
    const auto& dist = state_dist_[i];
    const auto& par = parents_[i];
    const std::uint32_t P = phases_;
    if (++s.epoch == 0) { // wrapped: reset the stamps
        std::fill(s.stamp.begin(), s.stamp.end(), 0);
        std::fill(s.node_stamp.begin(), s.node_stamp.end(), 0);
        s.epoch = 1;
    }
    const std::uint32_t epoch = s.epoch;
    auto get = [&](std::uint32_t st) -> Scratch::Entry& {
        Scratch::Entry& e = s.entry[st];
        if (s.stamp[st] != epoch) {
            s.stamp[st] = epoch;
            e = Scratch::Entry{par[st], kUnreachable, 0};
        }
        return e;
    };
    s.work.clear();
    s.affected.clear();
    auto lose_parent = [&](std::uint32_t c) {
        if (s.dead_as[c / P] != 0) {
            return;
        }
        Scratch::Entry& e = get(c);
        if (--e.count == 0) {
            e.flag = 1;
            s.affected.push_back(c);
            s.work.push_back(c);
        }
    };
    // every shortest child of `st` over a live link loses a parent
    auto orphan_children = [&](std::uint32_t st) {
        const std::uint32_t u = st / P;
        const std::uint32_t ph = st % P;
        const std::uint32_t want = dist[st] + 1U;
        for (std::size_t k = 0; k < kKinds; ++k) {
            const std::uint8_t np = next[ph][k];
            if (np == kNone) {
                continue;
            }
            for (const Adj& a : g_.adj(u, static_cast<Kind>(k))) {
                const std::uint32_t c = a.nbr * P + np;
                if (dist[c] == want && s.dead_link[a.link] == 0) {
                    lose_parent(c);
                }
            }
        }
    };
    for (const std::uint32_t l : failure.links) {
        const Link& link = g_.links()[l];
        Kind from_a = Kind::Peer;
        if (link.rel == Rel::P2C) {
            from_a = Kind::Customer;
        } else if (link.rel == Rel::S2S) {
            from_a = Kind::Sibling;
        }
        const std::array<std::pair<std::uint32_t, std::uint32_t>, 2> ends{
            {{link.a, link.b}, {link.b, link.a}}};
        for (std::size_t dir = 0; dir < 2; ++dir) {
            const auto [u, v] = ends[dir];
            const std::size_t k = static_cast<std::size_t>(dir == 0 ? from_a : reverse(from_a));
            for (std::uint32_t ph = 0; ph < P; ++ph) {
                const std::uint16_t du = dist[u * P + ph];
                const std::uint8_t np = next[ph][k];
                if (du == kUnreachable || np == kNone) {
                    continue;
                }
                const std::uint32_t c = v * P + np;
                if (dist[c] == du + 1U) {
                    lose_parent(c);
                }
            }
        }
    }
    for (const std::uint32_t x : failure.ases) {
        for (std::uint32_t ph = 0; ph < P; ++ph) {
            if (dist[x * P + ph] != kUnreachable) {
                orphan_children(x * P + ph);
            }
        }
    }
    while (!s.work.empty()) {
        const std::uint32_t st = s.work.back();
        s.work.pop_back();
        orphan_children(st);
    }
    if (s.affected.empty()) {
        return;
    }
    // new distances of the affected states: best live, unaffected predecessor, then a bucket BFS
    for (const std::uint32_t w : s.affected) {
        const std::uint32_t v = w / P;
        const std::uint32_t wph = w % P;
        std::uint32_t best = kUnreachable;
        for (std::size_t k = 0; k < kKinds; ++k) {
            // a predecessor u is a neighbour of kind k seen from v; v is of kind reverse(k) from u
            const auto rk = static_cast<std::size_t>(reverse(static_cast<Kind>(k)));
            for (std::uint32_t ph = 0; ph < P; ++ph) {
                if (next[ph][rk] != wph) {
                    continue;
                }
                for (const Adj& a : g_.adj(v, static_cast<Kind>(k))) {
                    const std::uint32_t p = a.nbr * P + ph;
                    const std::uint16_t dp = dist[p];
                    if (dp == kUnreachable || dp + 1U >= best || s.dead_link[a.link] != 0 ||
                        s.dead_as[a.nbr] != 0) {
                        continue;
                    }
                    if (s.stamp[p] == epoch && s.entry[p].flag != 0) {
                        continue;
                    }
                    best = dp + 1U;
                }
            }
        }
        if (best != kUnreachable && best <= params_.max_hops) {
            s.entry[w].new_dist = static_cast<std::uint16_t>(best);
            s.buckets.push(best, w);
        }
    }
    s.buckets.drain([&](std::uint32_t d, std::uint32_t w) {
        Scratch::Entry& e = s.entry[w];
        if (e.flag != 1 || e.new_dist != d) {
            return;
        }
        e.flag = 2;
        if (d >= params_.max_hops || d + 1 >= kUnreachable) {
            return;
        }
        const std::uint32_t u = w / P;
        const std::uint32_t ph = w % P;
        for (std::size_t k = 0; k < kKinds; ++k) {
            const std::uint8_t np = next[ph][k];
            if (np == kNone) {
                continue;
            }
            for (const Adj& a : g_.adj(u, static_cast<Kind>(k))) {
                const std::uint32_t c = a.nbr * P + np;
                if (s.stamp[c] != epoch || s.dead_link[a.link] != 0) {
                    continue;
                }
                Scratch::Entry& ce = s.entry[c];
                if (ce.flag == 1 && d + 1 < ce.new_dist) {
                    ce.new_dist = static_cast<std::uint16_t>(d + 1);
                    s.buckets.push(d + 1, c);
                }
            }
        }
    });
    // targets whose distance changed
    const auto& base = node_dist_[i];
    for (const std::uint32_t w : s.affected) {
        const std::uint32_t v = w / P;
        if (s.node_stamp[v] == epoch) {
            continue;
        }
        s.node_stamp[v] = epoch;
        if (target_mask[v] == 0) {
            continue;
        }
        std::uint16_t now = kUnreachable;
        for (std::uint32_t ph = 0; ph < P; ++ph) {
            const std::uint32_t st = v * P + ph;
            const bool repaired = s.stamp[st] == epoch && s.entry[st].flag != 0;
            now = std::min(now, repaired ? s.entry[st].new_dist : dist[st]);
        }
        if (now != base[v]) {
            out.changes.push_back(Change{v, base[v], now});
        }
    }
    std::sort(out.changes.begin(), out.changes.end(),
              [](const Change& x, const Change& y) { return x.target < y.target; });
}

} // namespace dg::resilience
