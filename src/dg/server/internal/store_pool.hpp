#pragma once
// Store connections for request workers: a Store is one connection used by one thread at a
// time, so each request leases one (opened on demand, kept for the next request).

#include "dg/core/result.hpp"
#include "dg/store/file_watch.hpp"
#include "dg/store/internal/connection.hpp"
#include "dg/store/store.hpp"

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace dg::server::internal {

class StorePool {
public:
    /// Keeps at most `keep` idle connections; a SQLite connection's page cache is at most
    /// `cache_kib` KiB (0: the store's default) and its sorts spill to temporary files.
    /// Each lease may run statements for `query_budget` (0: no limit; SQLite: interrupted at the
    /// deadline, PostgreSQL: statement_timeout).
    StorePool(std::string url, std::size_t keep, std::size_t cache_kib = 0,
              std::chrono::milliseconds query_budget = std::chrono::milliseconds(0))
        : url_(std::move(url)), keep_(keep), cache_kib_(cache_kib), query_budget_(query_budget) {}

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
                if (auto* c = store_->sql_connection()) {
                    c->set_deadline(std::chrono::steady_clock::time_point::max());
                }
                pool_->give_back(std::move(store_));
            }
        }
        store::Store& operator*() const { return *store_; }
        store::Store* operator->() const { return store_.get(); }

    private:
        StorePool* pool_;
        std::unique_ptr<store::Store> store_;
    };

    /// From now on, lease() fails while the database file is not the one watched (removed,
    /// replaced): a new connection would create an empty database in its place. check() also
    /// says whether it can be written (read-only, full): writes are refused, reads go on.
    void watch(store::FileWatch w) { watch_ = std::move(w); }
    [[nodiscard]] Result<void> check() const { return watch_.check(); }

    /// A connection (a kept one, or a new one). Errors: Unavailable (see watch()), Store::open's.
    Result<Lease> lease() {
        DG_TRY_VOID(watch_.check_identity());
        std::unique_ptr<store::Store> kept;
        {
            const std::lock_guard lock(mutex_);
            if (!free_.empty()) {
                kept = std::move(free_.back());
                free_.pop_back();
            }
        }
        if (kept) {
            return start_budget(Lease(this, std::move(kept)));
        }
        DG_TRY(auto s, store::Store::open(url_));
        if (cache_kib_ > 0 && std::string_view(s->backend()) == "sqlite" &&
            s->sql_connection() != nullptr) {
            DG_TRY_VOID(s->sql_connection()->exec_script("PRAGMA cache_size = -" +
                                                         std::to_string(cache_kib_) +
                                                         "; PRAGMA temp_store = FILE"));
        }
        return Lease(this, std::move(s));
    }

    [[nodiscard]] const std::string& url() const { return url_; }

private:
    Lease start_budget(Lease lease) const {
        if (query_budget_.count() > 0 && lease->sql_connection() != nullptr) {
            lease->sql_connection()->set_deadline(std::chrono::steady_clock::now() + query_budget_);
        }
        return lease;
    }
    void give_back(std::unique_ptr<store::Store> s) {
        const std::lock_guard lock(mutex_);
        if (free_.size() < keep_) {
            free_.push_back(std::move(s));
        }
    }
    std::string url_;
    std::size_t keep_;
    std::size_t cache_kib_;
    std::chrono::milliseconds query_budget_;
    store::FileWatch watch_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<store::Store>> free_;
};

} // namespace dg::server::internal
