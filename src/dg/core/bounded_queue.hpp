#pragma once
// A blocking multi-producer multi-consumer queue with a capacity: the link between pipeline
// stages (scan: resolve -> map -> store). push() waits while full, pop() while empty; close()
// wakes everyone: pushes then fail and pops drain what is left, then return nullopt.
// Waiters are woken only on the transitions that can release them (enough items for what a
// consumer waits for, full -> not full), and pop_many() moves many items per lock: at tens of
// thousands of items per second a wake-up per item cost more CPU (futex, context switches) than
// the stages' own work. A consumer that would rather take a full batch waits with `want`: the
// producers wake it only once that many items are in (or the queue is full or closed).

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <limits>
#include <mutex>
#include <optional>
#include <vector>

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
        wake_consumers();
        return true;
    }

    /// Moves every item of `items` in (waiting for room as push() does) under one lock; false
    /// when the queue was closed (the items not yet in are dropped). `items` is left empty.
    bool push_many(std::vector<T>& items) {
        std::unique_lock lock(mutex_);
        for (T& item : items) {
            if (items_.size() >= capacity_ && !items_.empty()) {
                wake_at_ = kNobody;
                not_empty_.notify_all(); // full: whatever a consumer waits for, it can take now
            }
            not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
            if (closed_) {
                items.clear();
                return false;
            }
            items_.push_back(std::move(item));
        }
        items.clear();
        wake_consumers();
        return true;
    }

    /// Waits for at least one item, then moves up to `max` items to the end of `out`. Returns how
    /// many were moved: 0 once the queue is closed and empty.
    std::size_t pop_many(std::vector<T>& out, std::size_t max) {
        std::unique_lock lock(mutex_);
        while (!closed_ && items_.empty()) {
            wake_at_ = 1;
            not_empty_.wait(lock);
        }
        return take_many(out, max);
    }

    /// pop_many() that waits until at least `want` items are in (the queue is full or closed),
    /// or at most until `deadline`; then takes what there is, up to `max`. 0 on a timeout with
    /// an empty queue, or when closed and empty.
    template <typename TimePoint>
    std::size_t pop_many_until(std::vector<T>& out, std::size_t max, TimePoint deadline,
                               std::size_t want = 1) {
        std::unique_lock lock(mutex_);
        want = std::clamp<std::size_t>(want, 1, capacity_);
        while (!closed_ && items_.size() < want) {
            wake_at_ = std::min(wake_at_, want);
            if (not_empty_.wait_until(lock, deadline) == std::cv_status::timeout) {
                break;
            }
        }
        return take_many(out, max);
    }

    /// Waits for an item; nullopt once the queue is closed and empty.
    std::optional<T> pop() {
        std::unique_lock lock(mutex_);
        while (!closed_ && items_.empty()) {
            wake_at_ = 1;
            not_empty_.wait(lock);
        }
        return take(lock);
    }

    /// Waits at most `timeout` for an item; nullopt on timeout or when closed and empty.
    template <typename Duration> std::optional<T> pop_for(Duration timeout) {
        std::unique_lock lock(mutex_);
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (!closed_ && items_.empty()) {
            wake_at_ = 1;
            if (not_empty_.wait_until(lock, deadline) == std::cv_status::timeout) {
                break;
            }
        }
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
    static constexpr std::size_t kNobody = std::numeric_limits<std::size_t>::max();

    /// After items came in (lock held): wakes the consumers once there are as many as the most
    /// eager of them waits for. They all wake (notify_all) and those still short of their
    /// `want` register it again.
    void wake_consumers() {
        if (items_.size() >= wake_at_) {
            wake_at_ = kNobody;
            not_empty_.notify_all();
        }
    }

    std::optional<T> take(std::unique_lock<std::mutex>& /*held*/) {
        if (items_.empty()) {
            return std::nullopt;
        }
        const bool was_full = items_.size() >= capacity_;
        std::optional<T> out(std::move(items_.front()));
        items_.pop_front();
        if (was_full) {
            not_full_.notify_all(); // producers only wait while the queue is full
        }
        return out;
    }

    std::size_t take_many(std::vector<T>& out, std::size_t max) {
        const bool was_full = items_.size() >= capacity_;
        std::size_t n = 0;
        for (; n < max && !items_.empty(); ++n) {
            out.push_back(std::move(items_.front()));
            items_.pop_front();
        }
        if (was_full && n != 0) {
            not_full_.notify_all();
        }
        return n;
    }

    const std::size_t capacity_;
    mutable std::mutex mutex_;
    std::condition_variable not_full_;
    std::condition_variable not_empty_;
    std::deque<T> items_;
    bool closed_ = false;
    std::size_t wake_at_ = kNobody; ///< the smallest item count a waiting consumer wants
};

} // namespace dg
