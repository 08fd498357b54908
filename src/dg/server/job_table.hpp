#pragma once
// The running jobs of one kind (scans: jobs.hpp, PTR sweeps: ptr_jobs.hpp): each a thread with a
// stop flag and a live status under its own mutex; the table under mutex() (the `_locked` calls
// are made with it held, the others take it).

#include "dg/core/assert.hpp"
#include "dg/core/result.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace dg::server {

template <class Status> class JobTable {
public:
    struct Job {
        std::thread thread;
        std::atomic<bool> stop{false};
        std::atomic<bool> finished{false}; ///< set last by the job's thread
        mutable std::mutex mutex;          ///< guards status
        Status status;
    };

    JobTable() = default;
    JobTable(const JobTable&) = delete;
    JobTable& operator=(const JobTable&) = delete;
    ~JobTable() { stop_all(); }

    [[nodiscard]] std::mutex& mutex() const { return mutex_; }

    /// Joins and forgets the finished jobs.
    void reap_locked() {
        for (auto it = jobs_.begin(); it != jobs_.end();) {
            if (it->second->finished.load()) {
                if (it->second->thread.joinable()) {
                    it->second->thread.join();
                }
                it = jobs_.erase(it);
            } else {
                ++it;
            }
        }
    }
    [[nodiscard]] std::size_t running_locked() const {
        return static_cast<std::size_t>(std::count_if(
            jobs_.begin(), jobs_.end(), [](const auto& j) { return !j.second->finished.load(); }));
    }
    [[nodiscard]] bool contains_locked(std::int64_t id) const { return jobs_.count(id) != 0; }
    /// A new job under `id`, which must not be in the table (contains_locked); the caller fills
    /// its status and starts its thread.
    Job& add_locked(std::int64_t id) {
        auto [it, added] = jobs_.try_emplace(id, std::make_unique<Job>());
        DG_ASSERT(added);
        return *it->second;
    }

    /// Asks job `id` to stop. Errors: NotFound "`what` is not running in this server".
    Result<void> stop(std::int64_t id, const std::string& what) {
        const std::lock_guard lock(mutex_);
        auto it = jobs_.find(id);
        if (it == jobs_.end() || it->second->finished.load()) {
            return make_error(ErrorCode::NotFound, what + " is not running in this server");
        }
        it->second->stop.store(true);
        return ok();
    }
    /// The live status of job `id` (nullopt once it was reaped, or never ran here).
    [[nodiscard]] std::optional<Status> status(std::int64_t id) const {
        const std::lock_guard lock(mutex_);
        auto it = jobs_.find(id);
        if (it == jobs_.end()) {
            return std::nullopt;
        }
        const std::lock_guard job_lock(it->second->mutex);
        return it->second->status;
    }
    /// Stops every job and waits for them (shutdown).
    void stop_all() {
        std::map<std::int64_t, std::unique_ptr<Job>> jobs;
        {
            const std::lock_guard lock(mutex_);
            for (auto& [id, job] : jobs_) {
                job->stop.store(true);
            }
            jobs.swap(jobs_);
        }
        for (auto& [id, job] : jobs) {
            if (job->thread.joinable()) {
                job->thread.join();
            }
        }
    }

private:
    mutable std::mutex mutex_;
    std::map<std::int64_t, std::unique_ptr<Job>> jobs_;
};

} // namespace dg::server
