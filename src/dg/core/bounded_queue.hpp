#pragma once
// A blocking multi-producer multi-consumer queue with a capacity: the link between pipeline
// stages (scan: resolve -> map -> store). push() waits while full, pop() while empty; close()
// wakes everyone: pushes then fail and pops drain what is left, then return nullopt.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>

namespace dg {

template <typename T> class BoundedQueue {
public:
    explicit BoundedQueue(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

    /// Waits for room; false when the queue was closed (the item is dropped).
    bool push(T item) {
        std::unique_lock lock(mutex_);
        not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
        if (closed_) {
            return false;
        }
        items_.push_back(std::move(item));
        not_empty_.notify_one();
        return true;
    }

    /// Waits for an item; nullopt once the queue is closed and empty.
    std::optional<T> pop() {
        std::unique_lock lock(mutex_);
        not_empty_.wait(lock, [&] { return closed_ || !items_.empty(); });
        return take(lock);
    }

    /// Waits at most `timeout` for an item; nullopt on timeout or when closed and empty.
    template <typename Duration> std::optional<T> pop_for(Duration timeout) {
        std::unique_lock lock(mutex_);
        not_empty_.wait_for(lock, timeout, [&] { return closed_ || !items_.empty(); });
        return take(lock);
    }

    void close() {
        const std::lock_guard lock(mutex_);
        closed_ = true;
        not_full_.notify_all();
        not_empty_.notify_all();
    }

    [[nodiscard]] std::size_t size() const {
        const std::lock_guard lock(mutex_);
        return items_.size();
    }
    [[nodiscard]] std::size_t capacity() const { return capacity_; }
    /// Closed and empty: pop() will never return an item again.
    [[nodiscard]] bool drained() const {
        const std::lock_guard lock(mutex_);
        return closed_ && items_.empty();
    }

private:
    std::optional<T> take(std::unique_lock<std::mutex>& /*held*/) {
        if (items_.empty()) {
            return std::nullopt;
        }
        std::optional<T> out(std::move(items_.front()));
        items_.pop_front();
        not_full_.notify_one();
        return out;
    }

    const std::size_t capacity_;
    mutable std::mutex mutex_;
    std::condition_variable not_full_;
    std::condition_variable not_empty_;
    std::deque<T> items_;
    bool closed_ = false;
};

} // namespace dg
