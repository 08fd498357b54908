#include "dg/core/bounded_queue.hpp"

#include <gtest/gtest.h>
#include <thread>

namespace dg {
namespace {

// Three stages as in the scan pipeline, with a queue far smaller than the traffic: every item
// arrives once, in order, whichever of push/push_many/pop/pop_many each side uses.
TEST(BoundedQueue, ItemsFlowInOrderThroughSmallQueues) {
    constexpr int kItems = 20000;
    BoundedQueue<int> first(7);
    BoundedQueue<int> second(5);
    std::thread producer([&] {
        std::vector<int> chunk;
        for (int i = 0; i < kItems; ++i) {
            if (i % 3 == 0) {
                ASSERT_TRUE(first.push(i));
                continue;
            }
            chunk.push_back(i);
            if (chunk.size() == 2 || i + 1 == kItems) {
                // two items stay in order with the single pushes around them
                ASSERT_TRUE(first.push_many(chunk));
                EXPECT_TRUE(chunk.empty());
            }
        }
        first.close();
    });
    std::thread middle([&] {
        std::vector<int> items;
        while (first.pop_many(items, 4) != 0) {
            ASSERT_TRUE(second.push_many(items));
        }
        second.close();
    });
    std::vector<int> seen;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(1);
    for (;;) {
        if (seen.size() % 2 == 0) {
            auto one = second.pop();
            if (!one) {
                break;
            }
            seen.push_back(*one);
        } else if (second.pop_many_until(seen, 3, deadline) == 0 && second.drained()) {
            break;
        }
        deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(1);
    }
    producer.join();
    middle.join();
    ASSERT_EQ(seen.size(), static_cast<std::size_t>(kItems));
    for (int i = 0; i < kItems; ++i) {
        ASSERT_EQ(seen[static_cast<std::size_t>(i)], i);
    }
}

TEST(BoundedQueue, CloseWakesWaitersAndDrains) {
    BoundedQueue<int> q(2);
    ASSERT_TRUE(q.push(1));
    ASSERT_TRUE(q.push(2));
    std::thread blocked([&] { EXPECT_FALSE(q.push(3)); }); // full: waits until closed
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    q.close();
    blocked.join();
    std::vector<int> out;
    EXPECT_EQ(q.pop_many(out, 10), 2U);
    EXPECT_EQ(out, (std::vector<int>{1, 2}));
    EXPECT_EQ(q.pop_many(out, 10), 0U);
    EXPECT_TRUE(q.drained());
    std::vector<int> more = {4};
    EXPECT_FALSE(q.push_many(more));
}

} // namespace
} // namespace dg
