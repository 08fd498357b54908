#pragma once
// The watch scheduler of `domaingraph serve` (issue 18): one thread that, every tick, delivers
// the alerts due (of every watch: retries, and what a killed server left undelivered) and runs
// one due watch at a time as a child `domaingraph watch run NAME --lease-owner ID --no-deliver`
// while holding the watch's lease in the database (renewed while the run lasts), so that two
// servers on one database never run the same watch twice. The child dies with the server
// (PR_SET_PDEATHSIG); its unfinished scan is resumed by the next run of the watch.

#include "dg/store/store.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace dg::cli {

struct SchedulerOptions {
    std::string db;
    std::chrono::seconds tick{5};    ///< how often due watches and deliveries are looked for
    std::int64_t lease_seconds = 60; ///< a watch's lease; renewed every third of it
    bool log = true;                 ///< one line per run on stderr
};

class WatchScheduler {
public:
    explicit WatchScheduler(SchedulerOptions options);
    ~WatchScheduler(); ///< stops and joins
    WatchScheduler(const WatchScheduler&) = delete;
    WatchScheduler& operator=(const WatchScheduler&) = delete;

    /// `opened`: the database already opened (and migrated) by the caller, before the server
    /// opens it (two first opens of one new SQLite file at once can fail), kept open (its close
    /// would checkpoint the migration's WAL: twice the schema's size on disk at once). Null: the
    /// thread opens it, and tries again every tick while it cannot.
    void start(std::unique_ptr<store::Store> opened = nullptr);
    void stop();

private:
    void loop();
    bool sleep_for(std::chrono::seconds d);

    SchedulerOptions options_;
    std::unique_ptr<store::Store> store_;
    std::string owner_;
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
};

} // namespace dg::cli
