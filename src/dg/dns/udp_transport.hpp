#pragma once
// The real Transport: a pool of non-blocking UDP sockets (each bound to its own ephemeral port),
// batched with sendmmsg/recvmmsg, one epoll set, and short-lived TCP connections for truncated
// answers.

#include "dg/core/result.hpp"
#include "dg/dns/limits.hpp"
#include "dg/dns/transport.hpp"

#include <memory>
#include <unordered_map>
#include <vector>

namespace dg::dns {

class UdpTransport final : public Transport {
public:
    /// Opens `sockets` UDP sockets per needed family. Errors: Io (socket/bind/epoll failed),
    /// InvalidArgument (sockets outside 1..kMaxSockets).
    static Result<std::unique_ptr<UdpTransport>> create(std::uint32_t sockets, bool ipv4, bool ipv6,
                                                        const Clock& clock);
    ~UdpTransport() override;
    UdpTransport(const UdpTransport&) = delete;
    UdpTransport& operator=(const UdpTransport&) = delete;

    [[nodiscard]] std::uint32_t socket_count() const override {
        return static_cast<std::uint32_t>(sockets_.size());
    }
    void send_udp(std::uint32_t socket, const Endpoint& to,
                  std::span<const std::uint8_t> bytes) override;
    void flush() override;
    void send_tcp(std::uint64_t token, const Endpoint& to,
                  std::span<const std::uint8_t> bytes) override;
    void cancel_tcp(std::uint64_t token) override;
    void poll(TimePoint deadline, TransportSink& sink) override;

    /// Datagrams the kernel refused to send (counted, the query then times out and retries).
    [[nodiscard]] std::uint64_t send_errors() const { return send_errors_; }
    /// The local port of UDP socket `i` (IPv4 if open, else IPv6); for tests.
    [[nodiscard]] std::uint16_t local_port(std::uint32_t i) const;

private:
    struct Socket {
        int fd4 = -1;
        int fd6 = -1;
    };
    struct Pending {
        std::uint32_t socket;
        Endpoint to;
        std::uint16_t size;
        std::array<std::uint8_t, kMaxQuery> bytes;
    };
    struct TcpConn {
        int fd = -1;
        std::uint64_t token = 0;
        std::vector<std::uint8_t> out;
        std::size_t written = 0;
        std::vector<std::uint8_t> in;
    };
    explicit UdpTransport(const Clock& clock) : clock_(clock) {}
    void read_udp(int fd, std::uint32_t index, TransportSink& sink);
    void handle_tcp(std::uint64_t conn_id, std::uint32_t events, TransportSink& sink);
    void close_tcp(std::uint64_t conn_id);

    const Clock& clock_;
    int epoll_ = -1;
    std::vector<Socket> sockets_;
    std::vector<Pending> pending_;
    std::unordered_map<std::uint64_t, TcpConn> tcp_; // by connection id
    std::unordered_map<std::uint64_t, std::uint64_t> tcp_by_token_;
    std::uint64_t next_conn_ = 1;
    std::uint64_t send_errors_ = 0;
    std::vector<std::uint8_t> rx_;
};

} // namespace dg::dns
