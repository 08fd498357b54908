#pragma once
// Store connections for request workers: a Store is one connection used by one thread at a
// time, so each request leases one (opened on demand, kept for the next request).

#include "dg/core/result.hpp"
#include "dg/store/store.hpp"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace dg::server::internal {

class StorePool {
public:
    StorePool(std::string url, std::size_t keep) : url_(std::move(url)), keep_(keep) {}

    class Lease {
    public:
        Lease(StorePool* pool, std::unique_ptr<store::Store> store)
            : pool_(pool), store_(std::move(store)) {}
        Lease(Lease&&) noexcept = default;
        Lease& operator=(Lease&&) noexcept = default;
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        ~Lease() {
            if (pool_ != nullptr && store_) {
                pool_->give_back(std::move(store_));
            }
        }
        store::Store& operator*() const { return *store_; }
        store::Store* operator->() const { return store_.get(); }

    private:
        StorePool* pool_;
        std::unique_ptr<store::Store> store_;
    };

    /// A connection (a kept one, or a new one). Errors: Store::open's.
    Result<Lease> lease() {
        {
            const std::lock_guard lock(mutex_);
            if (!free_.empty()) {
                auto s = std::move(free_.back());
                free_.pop_back();
                return Lease(this, std::move(s));
            }
        }
        DG_TRY(auto s, store::Store::open(url_));
        return Lease(this, std::move(s));
    }

    [[nodiscard]] const std::string& url() const { return url_; }

private:
    void give_back(std::unique_ptr<store::Store> s) {
        const std::lock_guard lock(mutex_);
        if (free_.size() < keep_) {
            free_.push_back(std::move(s));
        }
    }
    std::string url_;
    std::size_t keep_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<store::Store>> free_;
};

} // namespace dg::server::internal
