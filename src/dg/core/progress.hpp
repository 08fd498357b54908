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
};

} // namespace dg
