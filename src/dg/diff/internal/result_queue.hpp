#pragma once
// A bounded hand-off of domain results from one producer thread to one consumer thread, so that
// diff_scans can merge-join two push-style store streams without holding either scan in memory.

#include "dg/core/result.hpp"
#include "dg/model/model.hpp"

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>

namespace dg::diff::internal {

class ResultQueue {
public:
    static constexpr std::size_t kDefaultCapacity = 512;

    explicit ResultQueue(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}
    ResultQueue(const ResultQueue&) = delete;
    ResultQueue& operator=(const ResultQueue&) = delete;

    /// Producer: waits while the queue is full. False once the consumer cancelled.
    bool push(const model::DomainResult& r) {
        std::unique_lock lock(mutex_);
        not_full_.wait(lock, [&] { return cancelled_ || items_.size() < capacity_; });
        if (cancelled_) {
            return false;
        }
        items_.push_back(r);
        not_empty_.notify_one();
        return true;
    }

    /// Producer: no more items; `status` is the outcome of the read.
    void finish(Result<void> status) {
        std::lock_guard lock(mutex_);
        status_ = std::move(status);
        finished_ = true;
        not_empty_.notify_all();
    }

    /// Consumer: the next item, or nothing once the producer finished (or after cancel()).
    std::optional<model::DomainResult> pop() {
        std::unique_lock lock(mutex_);
        not_empty_.wait(lock, [&] { return cancelled_ || finished_ || !items_.empty(); });
        if (cancelled_ || items_.empty()) {
            return std::nullopt;
        }
        std::optional<model::DomainResult> r(std::move(items_.front()));
        items_.pop_front();
        not_full_.notify_one();
        return r;
    }

    /// Consumer: stop; a waiting or later push() returns false.
    void cancel() {
        std::lock_guard lock(mutex_);
        cancelled_ = true;
        items_.clear();
        not_full_.notify_all();
        not_empty_.notify_all();
    }

    /// The producer's outcome (ok while it has not finished).
    Result<void> producer_status() {
        std::lock_guard lock(mutex_);
        return status_;
    }

private:
    std::size_t capacity_;
    std::mutex mutex_;
    std::condition_variable not_full_;
    std::condition_variable not_empty_;
    std::deque<model::DomainResult> items_;
    Result<void> status_;
    bool finished_ = false;
    bool cancelled_ = false;
};

} // namespace dg::diff::internal
