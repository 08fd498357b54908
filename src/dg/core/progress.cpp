#include "dg/core/progress.hpp"

#include <algorithm>
#include <unistd.h>

namespace dg {

Progress::Progress(std::string label, std::uint64_t total, std::string unit, std::FILE* out,
                   bool force)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total), out_(out),
      enabled_(force || (out != nullptr && ::isatty(::fileno(out)) != 0)),
      start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

Progress::~Progress() {
    finish();
}

std::string Progress::human(double value) {
    char buf[32];
    if (value >= 1e9) {
        std::snprintf(buf, sizeof buf, "%.1fG", value / 1e9);
    } else if (value >= 1e6) {
        std::snprintf(buf, sizeof buf, "%.1fM", value / 1e6);
    } else if (value >= 1e4) {
        std::snprintf(buf, sizeof buf, "%.1fk", value / 1e3);
    } else {
        std::snprintf(buf, sizeof buf, "%.0f", value);
    }
    return buf;
}

void Progress::update(std::uint64_t done) {
    done_ = done;
    if (!enabled_) {
        return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - last_draw_ < std::chrono::milliseconds(100)) {
        return;
    }
    last_draw_ = now;
    draw();
}

void Progress::draw() {
    const auto now = std::chrono::steady_clock::now();
    const double secs = std::chrono::duration<double>(now - start_).count();
    // The rate of the last redraws, not since the start: a slow start (or a pause) would
    // otherwise weigh on the rate and the ETA for the whole run.
    const double interval = std::chrono::duration<double>(now - last_draw_).count();
    if (interval > 0 && done_ >= last_done_) {
        const double recent = static_cast<double>(done_ - last_done_) / interval;
        rate_ = rate_ < 0 ? recent : 0.8 * rate_ + 0.2 * recent;
    }
    last_done_ = done_;
    const std::string line =
        "\r" + text(label_, done_, total_, unit_, secs, std::max(rate_, 0.0), status_) + "\x1b[K";
    std::fputs(line.c_str(), out_);
    std::fflush(out_);
    drawn_ = true;
}

std::string Progress::text(const std::string& label, std::uint64_t done, std::uint64_t total,
                           const std::string& unit, double elapsed_s, double rate,
                           const std::string& status) {
    std::string line = label + " ";
    if (total > 0) {
        const double frac = std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
        constexpr int kWidth = 30;
        const int filled = static_cast<int>(frac * kWidth);
        line += "[" + std::string(static_cast<std::size_t>(filled), '#') +
                std::string(static_cast<std::size_t>(kWidth - filled), '.') + "] ";
        char pct[16];
        std::snprintf(pct, sizeof pct, "%3.0f%% ", frac * 100);
        line += pct;
    }
    const std::string sep = unit.empty() || unit == "B" ? "" : " "; // 12.3MB, 10.1k domains
    line += human(static_cast<double>(done)) + sep + unit + " " + human(rate) + sep + unit + "/s";
    if (total > 0 && rate > 0 && done < total && elapsed_s >= kEtaAfterSeconds) {
        const auto eta = static_cast<long>(static_cast<double>(total - done) / rate);
        char buf[48];
        if (eta >= 3600) {
            std::snprintf(buf, sizeof buf, " ETA %ld:%02ld:%02ld", eta / 3600, eta / 60 % 60,
                          eta % 60);
        } else {
            std::snprintf(buf, sizeof buf, " ETA %ld:%02ld", eta / 60, eta % 60);
        }
        line += buf;
    }
    if (!status.empty()) {
        line += " " + status;
    }
    return line;
}

void Progress::finish() {
    if (enabled_ && drawn_) {
        std::fputs("\r\x1b[K", out_);
        std::fflush(out_);
        drawn_ = false;
    }
}

} // namespace dg
