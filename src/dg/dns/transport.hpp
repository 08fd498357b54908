#pragma once
// The seams of the resolver (style.md habit 1): the Transport moves datagrams and TCP queries,
// the Clock tells the time. The real ones are UdpTransport (epoll, UDP socket pool, TCP) and
// SteadyClock; tests use dg::dns::testing::FakeTransport and FakeClock with simulated time.

#include "dg/core/ip_address.hpp"
#include "dg/core/result.hpp"

#include <chrono>
#include <cstdint>
#include <span>
#include <string>

namespace dg::dns {

using Clock_ = std::chrono::steady_clock;
using TimePoint = Clock_::time_point;
using Duration = std::chrono::nanoseconds;

/// An upstream server address.
struct Endpoint {
    IpAddress address;
    std::uint16_t port = 53;

    /// "192.0.2.1:53", "[2001:db8::1]:53".
    [[nodiscard]] std::string to_string() const;
    /// Parses "IP", "IP:PORT", "[IPv6]:PORT" or a bare IPv6 address. Errors: InvalidArgument.
    static Result<Endpoint> parse(std::string_view text);
    auto operator<=>(const Endpoint&) const = default;
};

class Clock {
public:
    virtual ~Clock() = default;
    [[nodiscard]] virtual TimePoint now() const = 0;
};

class SteadyClock final : public Clock {
public:
    [[nodiscard]] TimePoint now() const override { return Clock_::now(); }
};

/// Receives what the transport read during poll().
class TransportSink {
public:
    virtual ~TransportSink() = default;
    /// A datagram arrived on UDP socket `socket` from `from`.
    virtual void on_datagram(std::uint32_t socket, const Endpoint& from,
                             std::span<const std::uint8_t> bytes) = 0;
    /// The TCP query `token` got its answer (the message without the length prefix).
    virtual void on_tcp_answer(std::uint64_t token, std::span<const std::uint8_t> bytes) = 0;
    /// The TCP query `token` failed (refused, reset, closed early).
    virtual void on_tcp_error(std::uint64_t token) = 0;
};

class Transport {
public:
    virtual ~Transport() = default;
    /// Number of UDP sockets (source ports) per address family; socket indexes are
    /// 0..socket_count()-1 and each has a socket of either family.
    [[nodiscard]] virtual std::uint32_t socket_count() const = 0;
    /// Queues a datagram from socket `socket` to `to`; sent at flush() at the latest.
    virtual void send_udp(std::uint32_t socket, const Endpoint& to,
                          std::span<const std::uint8_t> bytes) = 0;
    /// Sends everything queued (batched, sendmmsg).
    virtual void flush() = 0;
    /// Starts a TCP query identified by `token`; the answer or error comes through the sink.
    virtual void send_tcp(std::uint64_t token, const Endpoint& to,
                          std::span<const std::uint8_t> bytes) = 0;
    /// Abandons a TCP query (its timeout passed).
    virtual void cancel_tcp(std::uint64_t token) = 0;
    /// Waits until something arrives or `deadline` passes (returns at once when `deadline` is
    /// not after now) and hands what arrived to `sink`. A fake transport advances its clock.
    virtual void poll(TimePoint deadline, TransportSink& sink) = 0;
};

} // namespace dg::dns
