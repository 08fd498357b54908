#pragma once
// A tiny DNS responder on 127.0.0.1 (UDP + TCP) running in a thread, for tests of the real
// transport and of the CLI. Not a DNS server: it answers from a fixed rule.

#include "dg/dns/message.hpp"

#include <arpa/inet.h>
#include <atomic>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace dg::dns::testing {

/// Answers every A query with 192.0.2.<len of qname>, on UDP; names under "tc." get TC=1 on UDP
/// and a full answer on TCP. Runs until stopped.
class LoopbackResponder {
public:
    LoopbackResponder() {
        udp_ = ::socket(AF_INET, SOCK_DGRAM, 0);
        tcp_ = ::socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        ::setsockopt(tcp_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        EXPECT_EQ(::bind(udp_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        socklen_t len = sizeof a;
        ::getsockname(udp_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
        EXPECT_EQ(::bind(tcp_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        ::listen(tcp_, 16);
        timeval tv{0, 50000};
        ::setsockopt(udp_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(tcp_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        udp_thread_ = std::thread([this] { serve_udp(); });
        tcp_thread_ = std::thread([this] { serve_tcp(); });
    }
    ~LoopbackResponder() {
        stop_ = true;
        udp_thread_.join();
        tcp_thread_.join();
        ::close(udp_);
        ::close(tcp_);
    }
    [[nodiscard]] std::uint16_t port() const { return port_; }
    std::atomic<int> udp_queries{0};
    std::atomic<int> tcp_queries{0};

private:
    static std::vector<std::uint8_t> answer(std::span<const std::uint8_t> q, bool tcp) {
        auto m = decode_message(q);
        if (!m) {
            return {};
        }
        ResponseSpec s;
        s.id = m->id;
        s.qname = m->qname;
        s.qtype = m->qtype;
        const bool trunc = m->qname.rfind("tc.", 0) == 0;
        if (trunc && !tcp) {
            s.tc = true;
        } else if (m->qtype == 1) {
            s.answers.push_back(
                Record{m->qname, 1, 60, "192.0.2." + std::to_string(m->qname.size()), 0});
        }
        return encode_response(s).value_or(std::vector<std::uint8_t>{});
    }
    void serve_udp() {
        std::array<std::uint8_t, 4096> buf{};
        while (!stop_) {
            sockaddr_in from{};
            socklen_t len = sizeof from;
            const ssize_t n = ::recvfrom(udp_, buf.data(), buf.size(), 0,
                                         reinterpret_cast<sockaddr*>(&from), &len);
            if (n <= 0) {
                continue;
            }
            ++udp_queries;
            auto a = answer(std::span<const std::uint8_t>(buf.data(), static_cast<std::size_t>(n)),
                            false);
            ::sendto(udp_, a.data(), a.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
        }
    }
    void serve_tcp() {
        while (!stop_) {
            const int c = ::accept(tcp_, nullptr, nullptr);
            if (c < 0) {
                continue;
            }
            ++tcp_queries;
            std::array<std::uint8_t, 4096> buf{};
            std::size_t got = 0;
            while (got < 2 || got < 2 + ((static_cast<std::size_t>(buf[0]) << 8) | buf[1])) {
                const ssize_t n = ::recv(c, buf.data() + got, buf.size() - got, 0);
                if (n <= 0) {
                    break;
                }
                got += static_cast<std::size_t>(n);
            }
            if (got > 2) {
                auto a = answer(std::span<const std::uint8_t>(buf.data() + 2, got - 2), true);
                std::vector<std::uint8_t> out{static_cast<std::uint8_t>(a.size() >> 8),
                                              static_cast<std::uint8_t>(a.size() & 0xff)};
                out.insert(out.end(), a.begin(), a.end());
                ::send(c, out.data(), out.size(), MSG_NOSIGNAL);
            }
            ::close(c);
        }
    }
    int udp_ = -1;
    int tcp_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread udp_thread_;
    std::thread tcp_thread_;
};

} // namespace dg::dns::testing
