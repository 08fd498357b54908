#pragma once
// Output lines collected in memory and written to stdout in large blocks (one write per 64 KiB),
// so that line-per-record commands are not limited by stdio.

#include <chrono>
#include <cstdio>
#include <string>

namespace dg::cli {

class StdoutBuffer {
public:
    static constexpr std::size_t kFlushAt = std::size_t{1} << 16;
    /// With `max_delay`, maybe_flush() also writes when that long passed since the last write, so a
    /// slow run still streams its lines.
    explicit StdoutBuffer(std::chrono::milliseconds max_delay = std::chrono::milliseconds(0))
        : max_delay_(max_delay) {}
    StdoutBuffer(const StdoutBuffer&) = delete;
    StdoutBuffer& operator=(const StdoutBuffer&) = delete;
    ~StdoutBuffer() { flush(); }

    /// The pending text; append lines to it.
    std::string& text() { return text_; }
    /// Writes when enough has accumulated. Returns false when stdout refused (e.g. closed pipe).
    bool maybe_flush() {
        if (text_.size() >= kFlushAt) {
            return write();
        }
        if (max_delay_.count() > 0 && !text_.empty() &&
            std::chrono::steady_clock::now() - last_write_ >= max_delay_) {
            return flush();
        }
        return true;
    }
    /// Writes everything pending and flushes stdio. Returns false when stdout refused.
    bool flush() {
        const bool ok = write();
        return std::fflush(stdout) == 0 && ok;
    }

private:
    bool write() {
        const bool ok =
            text_.empty() || std::fwrite(text_.data(), 1, text_.size(), stdout) == text_.size();
        text_.clear();
        last_write_ = std::chrono::steady_clock::now();
        return ok;
    }
    std::string text_;
    std::chrono::milliseconds max_delay_;
    std::chrono::steady_clock::time_point last_write_ = std::chrono::steady_clock::now();
};

} // namespace dg::cli
