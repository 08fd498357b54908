#pragma once
// Riding out a database that is switching primaries: an operation that failed with Unavailable
// is tried again with backoff (0.25 s doubling to 4 s) for a bounded time; the connection
// reconnects on its next statement.

#include "dg/core/result.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

namespace dg {

/// `call()` (returning a Result), again while it fails with Unavailable, for up to `budget`;
/// `stop` (when given and set) ends the waiting early. The last result is returned.
template <class Call>
auto retry_while_unavailable(Call call, std::chrono::milliseconds budget,
                             const std::atomic<bool>* stop = nullptr) {
    const auto give_up = std::chrono::steady_clock::now() + budget;
    auto backoff = std::chrono::milliseconds(250);
    for (;;) {
        auto r = call();
        if (r || r.error().code != ErrorCode::Unavailable ||
            std::chrono::steady_clock::now() + backoff > give_up ||
            (stop != nullptr && stop->load())) {
            return r;
        }
        std::this_thread::sleep_for(backoff);
        backoff = std::min(backoff * 2, std::chrono::milliseconds(4000));
    }
}

} // namespace dg
