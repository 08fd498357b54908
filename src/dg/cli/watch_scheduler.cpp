#include "dg/cli/watch_scheduler.hpp"

#include "dg/core/stop_signals.hpp"
#include "dg/store/store.hpp"
#include "dg/watch/alerts.hpp"
#include "dg/watch/watch.hpp"

#include <csignal>
#include <cstdio>
#include <ctime>
#include <pthread.h>
#include <random>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace dg::cli {
namespace {

model::UnixTime now_seconds() {
    return static_cast<model::UnixTime>(std::time(nullptr));
}

std::string make_owner() {
    char host[128] = "host";
    (void)::gethostname(host, sizeof host - 1);
    std::random_device rd;
    return std::string(host) + ":" + std::to_string(::getpid()) + ":" + std::to_string(rd());
}

/// Starts `domaingraph watch run NAME ...` as a child that gets SIGTERM when this process dies.
pid_t spawn_run(const std::string& db, const std::string& name, const std::string& owner) {
    std::vector<std::string> args{"domaingraph",   "watch",        "run",           name,
                                  "--no-progress", "--no-deliver", "--lease-owner", owner};
    if (!db.empty()) {
        args.push_back("--db");
        args.push_back(db);
    }
    // Everything the child needs is made before fork(): in a threaded process only
    // async-signal-safe calls are allowed between fork() and exec (an allocation there can wait
    // forever for a lock another thread held at the fork).
    std::vector<char*> argv;
    for (auto& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    sigset_t none;
    sigemptyset(&none);
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid != 0) {
        return pid;
    }
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) {
        ::_exit(130); // the server died before the prctl
    }
    pthread_sigmask(SIG_SETMASK, &none, nullptr);
    ::execv("/proc/self/exe", argv.data());
    ::_exit(127);
}

} // namespace

WatchScheduler::WatchScheduler(SchedulerOptions options)
    : options_(std::move(options)), owner_(make_owner()) {}

WatchScheduler::~WatchScheduler() {
    stop();
}

void WatchScheduler::start(std::unique_ptr<store::Store> opened) {
    store_ = std::move(opened);
    // The thread leaves the stop signals to the server's signal thread.
    const sigset_t stop_signals = stop_signal_set();
    sigset_t old_mask;
    pthread_sigmask(SIG_BLOCK, &stop_signals, &old_mask);
    thread_ = std::thread([this] { loop(); });
    pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
}

void WatchScheduler::stop() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) {
        thread_.join();
    }
}

bool WatchScheduler::sleep_for(std::chrono::seconds d) {
    std::unique_lock lock(mutex_);
    return !wake_.wait_for(lock, d, [this] { return stopping_; });
}

void WatchScheduler::loop() {
    while (!store_) {
        auto opened = store::Store::open(options_.db);
        if (opened) {
            store_ = std::move(*opened);
            break;
        }
        // tried again every tick: the database may come back (a server outlives its outages)
        std::fprintf(stderr, "domaingraph serve: watch scheduler: %s\n",
                     opened.error().message.c_str());
        if (!sleep_for(options_.tick)) {
            return;
        }
    }
    store::Store& store = *store_;
    do {
        if (auto d = watch::deliver_due(store, "", now_seconds(), watch::send_to_sink); !d) {
            std::fprintf(stderr, "domaingraph serve: alert delivery: %s\n",
                         d.error().message.c_str());
        }
        auto due = watch::lease_due_watch(store, owner_, now_seconds(), options_.lease_seconds);
        if (!due) {
            std::fprintf(stderr, "domaingraph serve: watch scheduler: %s\n",
                         due.error().message.c_str());
            continue;
        }
        if (!due->has_value()) {
            continue;
        }
        const watch::Watch& w = **due;
        if (options_.log) {
            std::fprintf(stderr, "domaingraph serve: running watch %s\n", w.name.c_str());
        }
        const pid_t child = spawn_run(options_.db, w.name, owner_);
        if (child < 0) {
            continue;
        }
        int status = 0;
        auto last_renewal = std::chrono::steady_clock::now();
        for (;;) {
            const pid_t done = ::waitpid(child, &status, WNOHANG);
            if (done == child || (done < 0 && errno != EINTR)) {
                break;
            }
            {
                std::unique_lock lock(mutex_);
                if (stopping_) {
                    lock.unlock();
                    ::kill(child, SIGTERM); // the run is resumable; the lease expires
                    ::waitpid(child, &status, 0);
                    return;
                }
                wake_.wait_for(lock, std::chrono::milliseconds(200));
            }
            if (std::chrono::steady_clock::now() - last_renewal >
                std::chrono::seconds(options_.lease_seconds / 3)) {
                (void)watch::renew_lease(store, w.name, owner_,
                                         now_seconds() + options_.lease_seconds);
                last_renewal = std::chrono::steady_clock::now();
            }
        }
        if (options_.log) {
            std::fprintf(stderr, "domaingraph serve: watch %s: run ended (exit %d)\n",
                         w.name.c_str(), WIFEXITED(status) ? WEXITSTATUS(status) : 128);
        }
        // A run that failed keeps its slot until the lease expires: the next tick after that
        // tries again (the run itself advanced the schedule when it was recorded).
        continue;
    } while (sleep_for(options_.tick));
}

} // namespace dg::cli
