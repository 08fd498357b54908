#pragma once
// Valley-free shortest paths over (AS, phase) states, Gao-Rexford routing trees, and failure
// scenarios evaluated incrementally against a per-source shortest-path DAG
// (../shared/design/resilience-reference.md sections 2.3-2.5, 5, 8.2).

#include "dg/resilience/as_graph.hpp"

#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <vector>

namespace dg::resilience {

/// One peer edge at most (U* P? D*, the default) or any number (U* P* D*, the paper's §4.7).
/// Sibling edges keep the phase in both modes.
enum class PeerMode { One, Many };
enum class Model { Shortest, Tree };

inline constexpr std::uint16_t kUnreachable = std::numeric_limits<std::uint16_t>::max();
inline constexpr std::uint32_t kNoHopLimit = std::numeric_limits<std::uint32_t>::max();

struct PathParams {
    PeerMode peer_mode = PeerMode::One;
    std::uint32_t max_hops = kNoHopLimit; ///< longest path kept, in edges
};

/// Dead ASes and links (dense ids). Empty vectors = nothing failed.
struct Failure {
    std::vector<std::uint32_t> ases;
    std::vector<std::uint32_t> links;
};

/// Phases per mode: One: UP, DOWN (after a peer or provider->customer edge); Many: UP, PEERED,
/// DOWN.
[[nodiscard]] std::uint32_t phase_count(PeerMode mode);

/// Shortest valley-free distance (edges) from `source` to every AS; kUnreachable where none.
/// The failure masks (size() / links().size() bytes, 1 = dead) may be empty spans.
[[nodiscard]] std::vector<std::uint16_t>
shortest_distances(const AsGraph& g, std::uint32_t source, const PathParams& params,
                   std::span<const std::uint8_t> dead_as = {},
                   std::span<const std::uint8_t> dead_link = {});

/// Gao-Rexford routing tree towards `destination`: for every AS its route length (kUnreachable:
/// no route) and next hop (dense id; the destination's is itself). Preference: customer > peer >
/// provider route, then shorter, then the lowest next-hop ASN; customer routes are exported to
/// everyone, others only to customers; siblings exchange everything and keep the route's class.
struct RoutingTree {
    std::vector<std::uint16_t> length;
    std::vector<std::uint32_t> next_hop;
};
[[nodiscard]] RoutingTree routing_tree(const AsGraph& g, std::uint32_t destination,
                                       std::uint32_t max_hops = kNoHopLimit,
                                       std::span<const std::uint8_t> dead_as = {},
                                       std::span<const std::uint8_t> dead_link = {});

/// Table 2.b/2.c path counts: one path per (source, reachable target) pair, the parent of every
/// state being the predecessor one level closer with the lowest ASN (then the lowest phase);
/// `as_paths[v]` counts the paths with v as a transit (not an endpoint), `link_paths[l]` the paths
/// over link l.
struct TransitCounts {
    std::vector<std::uint64_t> as_paths;
    std::vector<std::uint64_t> link_paths;
};
[[nodiscard]] TransitCounts transit_counts(const AsGraph& g, const PathParams& params,
                                           const std::vector<std::uint32_t>& sources,
                                           const std::vector<std::uint32_t>& targets);

/// Byte masks from a Failure.
void make_masks(const AsGraph& g, const Failure& failure, std::vector<std::uint8_t>& dead_as,
                std::vector<std::uint8_t>& dead_link);

/// A target whose distance changed under a failure (new distance kUnreachable = cut off).
struct Change {
    std::uint32_t target;
    std::uint16_t old_dist;
    std::uint16_t new_dist;
};

/// What one failure does to one source. `changes` lists, in ascending id order, the ASes of the
/// target set (failed ASes excluded) whose distance changed.
struct SourceOutcome {
    bool source_failed = false;
    std::vector<Change> changes;
};

/// Baseline BFS per source plus its shortest-path DAG (counts of shortest parents per state);
/// evaluate() repairs only the states whose every shortest parent died (decremental BFS with a
/// bucket queue). Shortest model only. Thread-safe for concurrent evaluate() calls with distinct
/// Scratch objects.
class IncrementalSweep {
public:
    IncrementalSweep(const AsGraph& g, PathParams params, std::vector<std::uint32_t> sources);

    struct Scratch;
    struct ScratchDeleter {
        void operator()(Scratch* s) const;
    };
    using ScratchPtr = std::unique_ptr<Scratch, ScratchDeleter>;
    /// Per-thread working memory for evaluate().
    [[nodiscard]] ScratchPtr make_scratch() const;

    /// Evaluates `failure` for every source; `target_mask` (size() bytes, 1 = target).
    void evaluate(const Failure& failure, std::span<const std::uint8_t> target_mask,
                  Scratch& scratch, std::vector<SourceOutcome>& out) const;

    [[nodiscard]] const std::vector<std::uint32_t>& sources() const { return sources_; }
    /// Baseline per-AS distances of source i.
    [[nodiscard]] const std::vector<std::uint16_t>& baseline(std::size_t i) const {
        return node_dist_[i];
    }

private:
    const AsGraph& g_;
    PathParams params_;
    std::uint32_t phases_;
    std::vector<std::uint32_t> sources_;
    std::vector<std::vector<std::uint16_t>> state_dist_; ///< per source, node*phases + phase
    std::vector<std::vector<std::uint32_t>> parents_;    ///< per source, shortest parents per state
    std::vector<std::vector<std::uint16_t>> node_dist_;  ///< per source, min over phases

    void evaluate_one(std::size_t i, const Failure& failure,
                      std::span<const std::uint8_t> target_mask, Scratch& s,
                      SourceOutcome& out) const;
};

} // namespace dg::resilience
