#include "dg/core/progress.hpp"

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
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double rate = secs > 0 ? static_cast<double>(done_) / secs : 0.0;
    std::string line = "\r" + label_ + " ";
    if (total_ > 0) {
        const double frac = std::min(1.0, static_cast<double>(done_) / static_cast<double>(total_));
        constexpr int kWidth = 30;
        const int filled = static_cast<int>(frac * kWidth);
        line += "[" + std::string(static_cast<std::size_t>(filled), '#') +
                std::string(static_cast<std::size_t>(kWidth - filled), '.') + "] ";
        char pct[16];
        std::snprintf(pct, sizeof pct, "%3.0f%% ", frac * 100);
        line += pct;
    }
    line += human(static_cast<double>(done_)) + unit_ + " " + human(rate) + unit_ + "/s";
    if (total_ > 0 && rate > 0 && done_ < total_) {
        const auto eta = static_cast<long>(static_cast<double>(total_ - done_) / rate);
        char buf[32];
        std::snprintf(buf, sizeof buf, " ETA %ld:%02ld", eta / 60, eta % 60);
        line += buf;
    }
    if (!status_.empty()) {
        line += " " + status_;
    }
    line += "\x1b[K";
    std::fputs(line.c_str(), out_);
    std::fflush(out_);
    drawn_ = true;
}

void Progress::finish() {
    if (enabled_ && drawn_) {
        std::fputs("\r\x1b[K", out_);
        std::fflush(out_);
        drawn_ = false;
    }
}

} // namespace dg
