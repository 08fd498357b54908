#pragma once
// Progress reporting for long work: a bar with rate and ETA on a terminal, silent otherwise.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace dg {

class Progress {
public:
    /// `label` names the work ("parsing rib.gz"); `total` in `unit`s, 0 when unknown.
    /// Draws on `out` (default stderr) only when it is a terminal, unless `force`.
    Progress(std::string label, std::uint64_t total, std::string unit = "", std::FILE* out = stderr,
             bool force = false);
    ~Progress();
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    /// Sets the absolute amount done. Cheap: redraws at most 10 times a second.
    void update(std::uint64_t done);
    void add(std::uint64_t n) { update(done_ + n); }
    void set_total(std::uint64_t total) { total_ = total; }
    /// A short extra status (e.g. "ok 10 fail 2") shown after the rate.
    void set_status(std::string status) { status_ = std::move(status); }
    /// Clears the bar line. Called by the destructor.
    void finish();
    [[nodiscard]] bool enabled() const { return enabled_; }
    /// "1.2M", "950", "3.4k".
    static std::string human(double value);
    /// No ETA before this much time has passed: the first seconds (connections, caches,
    /// a resolver warming up) say nothing about the rest.
    static constexpr double kEtaAfterSeconds = 5.0;
    /// The bar's text (without the leading "\r" and the trailing erase): "label [###...] 34%
    /// 10.1k domains 732 domains/s ETA 0:42 status". `rate` per second; ETA only when
    /// `elapsed_s` >= kEtaAfterSeconds.
    static std::string text(const std::string& label, std::uint64_t done, std::uint64_t total,
                            const std::string& unit, double elapsed_s, double rate,
                            const std::string& status);

private:
    void draw();
    std::string label_;
    std::string unit_;
    std::string status_;
    std::uint64_t total_;
    std::uint64_t done_ = 0;
    std::FILE* out_;
    bool enabled_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_draw_;
    std::uint64_t last_done_ = 0;
    double rate_ = -1; ///< recent rate (moving average over redraws); < 0 before the first
};

} // namespace dg
