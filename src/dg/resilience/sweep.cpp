// Scenario sweeps (sweep.hpp).
#include "dg/resilience/sweep.hpp"

#include <algorithm>
#include <atomic>
#include <thread>

namespace dg::resilience {

struct Sweeper::Worker {
    IncrementalSweep::ScratchPtr scratch;
    std::vector<std::uint8_t> dead_as;
    std::vector<std::uint8_t> dead_link;
    std::vector<std::uint8_t> dead_scratch;
    std::vector<std::uint32_t> affected;
};

Sweeper::Sweeper(SweepSetup setup) : s_(std::move(setup)) {
    const AsGraph& g = *s_.graph;
    if (s_.model == Model::Shortest) {
        incremental_ = std::make_unique<IncrementalSweep>(g, s_.params, s_.sources);
        for (std::size_t i = 0; i < s_.sources.size(); ++i) {
            base_dist_.push_back(incremental_->baseline(i));
        }
    } else {
        base_dist_.assign(s_.sources.size(), std::vector<std::uint16_t>(g.size(), kUnreachable));
        tree_as_targets_.resize(g.size());
        tree_link_targets_.resize(g.links().size());
        for (const std::uint32_t t : s_.targets->ids) {
            const RoutingTree tree = routing_tree(g, t, s_.params.max_hops);
            std::vector<std::uint32_t> seen_as;
            std::vector<std::uint32_t> seen_link;
            for (std::size_t i = 0; i < s_.sources.size(); ++i) {
                const std::uint32_t r = s_.sources[i];
                base_dist_[i][t] = tree.length[r];
                if (tree.length[r] == kUnreachable) {
                    continue;
                }
                for (std::uint32_t v = r; v != t; v = tree.next_hop[v]) {
                    seen_as.push_back(v);
                    seen_link.push_back(*g.link_between(v, tree.next_hop[v]));
                }
            }
            std::sort(seen_as.begin(), seen_as.end());
            seen_as.erase(std::unique(seen_as.begin(), seen_as.end()), seen_as.end());
            std::sort(seen_link.begin(), seen_link.end());
            seen_link.erase(std::unique(seen_link.begin(), seen_link.end()), seen_link.end());
            for (const std::uint32_t v : seen_as) {
                tree_as_targets_[v].push_back(t);
            }
            for (const std::uint32_t l : seen_link) {
                tree_link_targets_[l].push_back(t);
            }
        }
    }
    for (std::size_t i = 0; i < s_.sources.size(); ++i) {
        baseline_.push_back(summarize(g, s_.sources[i], base_dist_[i], *s_.targets, s_.domains));
    }
}

Sweeper::~Sweeper() = default;

std::vector<SourceOutcome> Sweeper::outcomes(const Failure& f, Worker& w) const {
    std::vector<SourceOutcome> out;
    if (s_.model == Model::Shortest) {
        incremental_->evaluate(f, s_.targets->mask, *w.scratch, out);
        return out;
    }
    const AsGraph& g = *s_.graph;
    out.resize(s_.sources.size());
    w.affected.clear();
    for (const std::uint32_t x : f.ases) {
        w.affected.insert(w.affected.end(), tree_as_targets_[x].begin(), tree_as_targets_[x].end());
    }
    for (const std::uint32_t l : f.links) {
        w.affected.insert(w.affected.end(), tree_link_targets_[l].begin(),
                          tree_link_targets_[l].end());
    }
    std::sort(w.affected.begin(), w.affected.end());
    w.affected.erase(std::unique(w.affected.begin(), w.affected.end()), w.affected.end());
    for (const std::uint32_t x : f.ases) {
        w.dead_as[x] = 1;
    }
    for (const std::uint32_t l : f.links) {
        w.dead_link[l] = 1;
    }
    for (std::size_t i = 0; i < s_.sources.size(); ++i) {
        out[i].source_failed = w.dead_as[s_.sources[i]] != 0;
    }
    for (const std::uint32_t t : w.affected) {
        if (w.dead_as[t] != 0) {
            continue;
        }
        const RoutingTree tree = routing_tree(g, t, s_.params.max_hops, w.dead_as, w.dead_link);
        for (std::size_t i = 0; i < s_.sources.size(); ++i) {
            const std::uint16_t now = tree.length[s_.sources[i]];
            if (!out[i].source_failed && now != base_dist_[i][t]) {
                out[i].changes.push_back(Change{t, base_dist_[i][t], now});
            }
        }
    }
    for (const std::uint32_t x : f.ases) {
        w.dead_as[x] = 0;
    }
    for (const std::uint32_t l : f.links) {
        w.dead_link[l] = 0;
    }
    return out;
}

void Sweeper::run(const std::vector<Failure>& scenarios,
                  const std::function<void(std::size_t, const ScenarioSummary&)>& emit,
                  const std::function<void(std::size_t)>& progress) const {
    const unsigned threads = std::max(1U, s_.threads);
    std::vector<Worker> workers(threads);
    for (Worker& w : workers) {
        if (incremental_) {
            w.scratch = incremental_->make_scratch();
        } else {
            w.dead_as.assign(s_.graph->size(), 0);
            w.dead_link.assign(s_.graph->links().size(), 0);
        }
    }
    constexpr std::size_t kBatch = 2048;
    std::vector<ScenarioSummary> results;
    for (std::size_t begin = 0; begin < scenarios.size(); begin += kBatch) {
        const std::size_t end = std::min(scenarios.size(), begin + kBatch);
        results.assign(end - begin, ScenarioSummary{});
        std::atomic<std::size_t> next{begin};
        auto work = [&](Worker& w) {
            while (true) {
                const std::size_t i = next.fetch_add(1);
                if (i >= end) {
                    return;
                }
                const auto out = outcomes(scenarios[i], w);
                results[i - begin] = summarize_scenario(baseline_, base_dist_, out, scenarios[i],
                                                        *s_.targets, s_.domains, w.dead_scratch);
            }
        };
        std::vector<std::thread> pool;
        for (unsigned t = 1; t < threads; ++t) {
            pool.emplace_back(work, std::ref(workers[t]));
        }
        work(workers[0]);
        for (auto& th : pool) {
            th.join();
        }
        for (std::size_t i = begin; i < end; ++i) {
            emit(i, results[i - begin]);
        }
        if (progress) {
            progress(end);
        }
    }
}

} // namespace dg::resilience
