#pragma once
// FakeClock and FakeTransport: scripted upstreams in simulated time (style.md habit 3). No
// sockets; poll() jumps the clock to the next scripted event or to the caller's deadline, so a
// scenario with minutes of timeouts runs in milliseconds.

#include "dg/dns/message.hpp"
#include "dg/dns/transport.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace dg::dns::testing {

class FakeClock final : public Clock {
public:
    [[nodiscard]] TimePoint now() const override { return now_; }
    void advance(Duration d) { now_ += d; }
    void set(TimePoint t) { now_ = t; }
    /// Simulated time since the start.
    [[nodiscard]] Duration elapsed() const { return now_ - TimePoint{}; }

private:
    TimePoint now_{};
};

enum class Action {
    Answer, ///< NOERROR with `records` (NODATA when empty)
    NxDomain,
    ServFail,
    Refused,
    RefusedNoQuestion, ///< REFUSED with an empty question section
    FormErr,
    Drop,     ///< never answers
    Truncate, ///< UDP: TC=1 and no records; TCP: like Answer
    Garbage,  ///< bytes that do not parse, with the right ID
    Spoof,    ///< first a wrong-ID, a wrong-question and a wrong-source datagram, then Answer
};

struct Rule {
    std::string server = "*"; ///< Endpoint::to_string() or "*"
    std::string qname = "*";  ///< exact, "*" or "*.suffix"
    std::string qtype = "*";  ///< type name or "*"
    Action action = Action::Answer;
    std::vector<Record> records;        ///< owner/data may contain "$qname"
    Duration delay{};                   ///< answer latency
    TimePoint from{};                   ///< active from this simulated time ...
    TimePoint until = TimePoint::max(); ///< ... until this one
    int times = -1;                     ///< how often it may fire (-1 = always)
};

struct SentQuery {
    TimePoint at;
    std::uint32_t socket;
    Endpoint server;
    std::string qname;
    std::uint16_t qtype;
    std::uint16_t id;
    bool tcp;
};

class FakeTransport final : public Transport {
public:
    explicit FakeTransport(FakeClock& clock, std::uint32_t sockets = 4)
        : clock_(clock), sockets_(sockets) {}

    /// Later rules take precedence over earlier ones (so a script can change behaviour as
    /// time passes).
    void add_rule(Rule rule) { rules_.push_back(std::move(rule)); }
    /// Models `server` (Endpoint::to_string()) as one FIFO queue, as a real server's socket
    /// buffer and worker: each UDP query waits for the ones before it and takes `service` on top
    /// of its rule's delay; a query arriving while `queue` answers are still pending is dropped.
    void set_capacity(const std::string& server, std::size_t queue, Duration service) {
        capacity_[server] = Capacity{queue, service, TimePoint{}};
    }
    [[nodiscard]] const std::vector<SentQuery>& sent() const { return sent_; }

    [[nodiscard]] std::uint32_t socket_count() const override { return sockets_; }
    void send_udp(std::uint32_t socket, const Endpoint& to,
                  std::span<const std::uint8_t> bytes) override;
    void flush() override {}
    void send_tcp(std::uint64_t token, const Endpoint& to,
                  std::span<const std::uint8_t> bytes) override;
    void cancel_tcp(std::uint64_t token) override { cancelled_.insert(token); }
    void poll(TimePoint deadline, TransportSink& sink) override;

private:
    struct Event {
        TimePoint at;
        std::uint64_t seq;
        bool tcp;
        std::uint32_t socket;
        std::uint64_t token;
        Endpoint from;
        std::vector<std::uint8_t> bytes; ///< empty with tcp: a connection error
    };
    void handle(bool tcp, std::uint32_t socket, std::uint64_t token, const Endpoint& to,
                std::span<const std::uint8_t> bytes);
    void schedule(Event e);

    struct Capacity {
        std::size_t queue;
        Duration service;
        TimePoint busy_until;
    };
    /// For a server with a capacity: false when the query is dropped, else the extra delay.
    std::optional<Duration> queue_delay(const Endpoint& to);

    FakeClock& clock_;
    std::uint32_t sockets_;
    std::map<std::string, Capacity> capacity_;
    std::vector<Rule> rules_;
    std::vector<int> fired_;
    std::vector<SentQuery> sent_;
    std::multimap<std::pair<TimePoint, std::uint64_t>, Event> events_;
    std::set<std::uint64_t> cancelled_;
    std::uint64_t seq_ = 0;
};

} // namespace dg::dns::testing
