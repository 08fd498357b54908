#pragma once
// Many failure scenarios at once: the shortest model repairs each source's shortest-path DAG
// (IncrementalSweep); the tree model recomputes only the routing trees of the destinations whose
// chosen path from some source crosses the failed element. Scenarios run on worker threads and
// are reported in order.

#include "dg/resilience/analysis.hpp"

#include <functional>

namespace dg::resilience {

struct SweepSetup {
    const AsGraph* graph = nullptr;
    Model model = Model::Shortest;
    PathParams params;
    std::vector<std::uint32_t> sources; ///< dense ids
    const Targets* targets = nullptr;
    const DomainIndex* domains = nullptr; ///< may be null
    unsigned threads = 1;
};

class Sweeper {
public:
    explicit Sweeper(SweepSetup setup);
    Sweeper(const Sweeper&) = delete;
    Sweeper& operator=(const Sweeper&) = delete;
    ~Sweeper();

    [[nodiscard]] const std::vector<SourceSummary>& baseline() const { return baseline_; }
    [[nodiscard]] const std::vector<std::vector<std::uint16_t>>& baseline_dist() const {
        return base_dist_;
    }
    /// Runs every scenario; emit(i, summary) is called in index order from the calling thread;
    /// progress(done) now and then.
    void run(const std::vector<Failure>& scenarios,
             const std::function<void(std::size_t, const ScenarioSummary&)>& emit,
             const std::function<void(std::size_t)>& progress = {}) const;

private:
    struct Worker;
    std::vector<SourceOutcome> outcomes(const Failure& f, Worker& w) const;

    SweepSetup s_;
    std::vector<std::vector<std::uint16_t>> base_dist_;
    std::vector<SourceSummary> baseline_;
    std::unique_ptr<IncrementalSweep> incremental_;
    // tree model: targets whose chosen path from some source uses an AS / a link
    std::vector<std::vector<std::uint32_t>> tree_as_targets_;
    std::vector<std::vector<std::uint32_t>> tree_link_targets_;
};

} // namespace dg::resilience
