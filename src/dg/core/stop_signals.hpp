#pragma once
// The signals that stop long work gracefully (scan, ptr sweep, resolve): SIGINT, SIGTERM and
// SIGHUP. SIGHUP (the terminal or ssh session went away) is treated as SIGTERM: finished work is
// kept and the run is resumable (issue 19 item 10; before, SIGHUP killed a scan and left it
// `running`). One list, so that the handlers and the stage threads' signal masks agree.

#include <array>
#include <csignal>

namespace dg {

inline constexpr std::array<int, 3> kStopSignals = {SIGINT, SIGTERM, SIGHUP};

/// The stop signals as a set (for pthread_sigmask / sigwait).
inline sigset_t stop_signal_set() {
    sigset_t set;
    sigemptyset(&set);
    for (const int sig : kStopSignals) {
        sigaddset(&set, sig);
    }
    return set;
}

/// Installs `handler` for every stop signal, without SA_RESTART (a blocked read returns EINTR).
inline void install_stop_handler(void (*handler)(int)) {
    struct sigaction sa {};
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    for (const int sig : kStopSignals) {
        sigaction(sig, &sa, nullptr);
    }
}

/// Restores the default action of every stop signal.
inline void restore_stop_signals() {
    for (const int sig : kStopSignals) {
        std::signal(sig, SIG_DFL);
    }
}

} // namespace dg
