#include "dg/core/stop_signals.hpp"
#include "dg/server/plugin.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <malloc.h>
#include <pthread.h>
#include <string>
#include <thread>

namespace dg::server {
namespace {

/// Every 10 s, hands the pages freed inside the arenas back to the system (glibc returns only
/// the top of each arena by itself): RSS follows what the server holds, not its busiest moment.
void return_free_memory_until(const std::atomic<bool>& stopped) {
    using namespace std::chrono_literals;
    for (int tick = 1; !stopped; ++tick) {
        std::this_thread::sleep_for(200ms);
        if (tick % 50 == 0) {
            (void)malloc_trim(0);
        }
    }
}

} // namespace

int serve_until_signalled(const ServerOptions& options) {
    // glibc gives each busy thread an arena of its own (up to 8 per core) and rarely returns
    // their memory: under a read load RSS grew to gigabytes (issue 19). A few arenas suffice
    // for a server whose threads mostly wait on I/O and the store.
    (void)mallopt(M_ARENA_MAX, 2);
    // Answers above 128 KiB (clusters, result pages) get pages of their own that go back when
    // freed. Left to glibc, the threshold rises to the largest block freed so far and such
    // answers are carved out of the arenas, which then keep growing (the soak of issue 19).
    (void)mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    // Signals go to one thread only: block them before any thread starts.
    // SIGINT, SIGTERM and SIGHUP (a closed terminal): stop gracefully, scans stay resumable.
    const sigset_t set = stop_signal_set();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);

    auto created = Server::create(options);
    if (!created) {
        pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
        std::fprintf(stderr, "domaingraph serve: %s\n", created.error().to_string().c_str());
        return 1;
    }
    Server& srv = **created;
    if (options.api_token.empty()) {
        std::fprintf(stderr, "domaingraph serve: no API token (set DOMAINGRAPH_API_TOKEN): "
                             "write endpoints answer 401\n");
    }
    const std::string host =
        options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host;
    if (options.web_dir.empty() && !options.no_web_reason.empty()) {
        std::fprintf(stderr, "domaingraph serve: %s\n", options.no_web_reason.c_str());
    }
    std::fprintf(stderr, "domaingraph serve: listening on http://%s:%d/%s\n", host.c_str(),
                 srv.port(), options.web_dir.empty() ? " (no dashboard: API only)" : "");
    std::fflush(stderr);
    std::thread signals([&srv, set] {
        int sig = 0;
        sigwait(&set, &sig);
        std::fprintf(stderr,
                     "domaingraph serve: %s, stopping (requests finish, scans are left "
                     "resumable)\n",
                     sig == SIGINT   ? "interrupted"
                     : sig == SIGHUP ? "hung up"
                                     : "terminated");
        srv.stop();
    });
    std::atomic<bool> stopped{false};
    std::thread trimmer([&stopped] { return_free_memory_until(stopped); });
    srv.run();
    signals.join();
    stopped = true;
    trimmer.join();
    created->reset();
    std::fprintf(stderr, "domaingraph serve: stopped\n");
    return 0;
}

} // namespace dg::server
