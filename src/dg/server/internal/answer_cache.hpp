#pragma once
// Answers of expensive reads over completed scans (analytics, clusters): a completed scan's
// results never change, so the same question gets the same answer. Bounded by entries and bytes;
// the least recently used answer goes first.

#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

namespace dg::server::internal {

class AnswerCache {
public:
    AnswerCache(std::size_t max_entries, std::size_t max_bytes)
        : max_entries_(max_entries), max_bytes_(max_bytes) {}

    std::optional<std::string> get(const std::string& key) {
        const std::lock_guard lock(mutex_);
        auto it = index_.find(key);
        if (it == index_.end()) {
            return std::nullopt;
        }
        order_.splice(order_.begin(), order_, it->second);
        return it->second->second;
    }

    void put(const std::string& key, const std::string& body) {
        if (body.size() > max_bytes_ / 4) {
            return; // one answer may not push out everything else
        }
        const std::lock_guard lock(mutex_);
        if (auto it = index_.find(key); it != index_.end()) {
            bytes_ -= it->second->second.size();
            order_.erase(it->second);
            index_.erase(it);
        }
        order_.emplace_front(key, body);
        index_[key] = order_.begin();
        bytes_ += body.size();
        while (!order_.empty() && (order_.size() > max_entries_ || bytes_ > max_bytes_)) {
            bytes_ -= order_.back().second.size();
            index_.erase(order_.back().first);
            order_.pop_back();
        }
    }

    /// Drops every answer whose key `matches` (e.g. those of a deleted scan).
    template <class Pred> void forget(const Pred& matches) {
        const std::lock_guard lock(mutex_);
        for (auto it = order_.begin(); it != order_.end();) {
            if (matches(it->first)) {
                bytes_ -= it->second.size();
                index_.erase(it->first);
                it = order_.erase(it);
            } else {
                ++it;
            }
        }
    }

private:
    using Entry = std::pair<std::string, std::string>;
    std::size_t max_entries_;
    std::size_t max_bytes_;
    std::size_t bytes_ = 0;
    std::mutex mutex_;
    std::list<Entry> order_;
    std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

} // namespace dg::server::internal
