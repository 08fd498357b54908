#include "dg/dns/udp_transport.hpp"

#include "dg/core/sockaddr.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace dg::dns {

namespace {

constexpr std::uint64_t kTcpBit = 1ULL << 63;
constexpr std::size_t kRxSlot = kMaxUdpMessage;

socklen_t to_sockaddr(const Endpoint& e, sockaddr_storage& ss) {
    return dg::to_sockaddr(e.address, e.port, ss);
}

Endpoint from_sockaddr(const sockaddr_storage& ss) {
    Endpoint e;
    if (ss.ss_family == AF_INET) {
        sockaddr_in sin{};
        std::memcpy(&sin, &ss, sizeof sin);
        e.address = IpAddress::from_bytes(IpFamily::V4,
                                          reinterpret_cast<const std::uint8_t*>(&sin.sin_addr));
        e.port = ntohs(sin.sin_port);
    } else {
        sockaddr_in6 sin6{};
        std::memcpy(&sin6, &ss, sizeof sin6);
        e.address = IpAddress::from_bytes(IpFamily::V6,
                                          reinterpret_cast<const std::uint8_t*>(&sin6.sin6_addr));
        e.port = ntohs(sin6.sin6_port);
    }
    return e;
}

Result<int> open_udp(int family) {
    const int fd = ::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return make_error(ErrorCode::Io, std::string("socket: ") + std::strerror(errno));
    }
    int buf = 4 << 20;
    (void)::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    (void)::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (family == AF_INET) {
        sockaddr_in sin{};
        sin.sin_family = AF_INET;
        std::memcpy(&ss, &sin, sizeof sin);
        len = sizeof sin;
    } else {
        int one = 1;
        (void)::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        sockaddr_in6 sin6{};
        sin6.sin6_family = AF_INET6;
        std::memcpy(&ss, &sin6, sizeof sin6);
        len = sizeof sin6;
    }
    // Port 0: the kernel picks a random ephemeral port for each socket.
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&ss), len) != 0) {
        const int e = errno;
        ::close(fd);
        return make_error(ErrorCode::Io, std::string("bind: ") + std::strerror(e));
    }
    return fd;
}

} // namespace

Result<std::unique_ptr<UdpTransport>> UdpTransport::create(std::uint32_t sockets, bool ipv4,
                                                           bool ipv6, const Clock& clock) {
    if (sockets == 0 || sockets > kMaxSockets) {
        return make_error(ErrorCode::InvalidArgument,
                          "sockets must be 1.." + std::to_string(kMaxSockets));
    }
    std::unique_ptr<UdpTransport> t(new UdpTransport(clock));
    t->epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (t->epoll_ < 0) {
        return make_error(ErrorCode::Io, std::string("epoll_create1: ") + std::strerror(errno));
    }
    t->sockets_.resize(sockets);
    for (std::uint32_t i = 0; i < sockets; ++i) {
        for (int family : {AF_INET, AF_INET6}) {
            if ((family == AF_INET && !ipv4) || (family == AF_INET6 && !ipv6)) {
                continue;
            }
            DG_TRY(int fd, open_udp(family));
            (family == AF_INET ? t->sockets_[i].fd4 : t->sockets_[i].fd6) = fd;
            epoll_event ev{};
            ev.events = EPOLLIN;
            ev.data.u64 = (static_cast<std::uint64_t>(fd) << 32) | i;
            if (::epoll_ctl(t->epoll_, EPOLL_CTL_ADD, fd, &ev) != 0) {
                return make_error(ErrorCode::Io, std::string("epoll_ctl: ") + std::strerror(errno));
            }
        }
    }
    t->rx_.resize(kBatch * kRxSlot);
    t->pending_.reserve(kBatch);
    return t;
}

UdpTransport::~UdpTransport() {
    for (auto& [id, c] : tcp_) {
        ::close(c.fd);
    }
    for (auto& s : sockets_) {
        if (s.fd4 >= 0) {
            ::close(s.fd4);
        }
        if (s.fd6 >= 0) {
            ::close(s.fd6);
        }
    }
    if (epoll_ >= 0) {
        ::close(epoll_);
    }
}

std::uint16_t UdpTransport::local_port(std::uint32_t i) const {
    const int fd = sockets_[i].fd4 >= 0 ? sockets_[i].fd4 : sockets_[i].fd6;
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
        return 0;
    }
    return from_sockaddr(ss).port;
}

void UdpTransport::send_udp(std::uint32_t socket, const Endpoint& to,
                            std::span<const std::uint8_t> bytes) {
    if (socket >= sockets_.size() || bytes.size() > kMaxQuery) {
        ++send_errors_;
        return;
    }
    Pending p{socket, to, static_cast<std::uint16_t>(bytes.size()), {}};
    std::memcpy(p.bytes.data(), bytes.data(), bytes.size());
    pending_.push_back(p);
    if (pending_.size() >= kBatch * 4) {
        flush();
    }
}

void UdpTransport::flush() {
    if (pending_.empty()) {
        return;
    }
    std::stable_sort(pending_.begin(), pending_.end(), [](const Pending& a, const Pending& b) {
        if (a.socket != b.socket) {
            return a.socket < b.socket;
        }
        return a.to.address.is_v4() && !b.to.address.is_v4();
    });
    std::array<mmsghdr, kBatch> msgs{};
    std::array<iovec, kBatch> iov{};
    std::array<sockaddr_storage, kBatch> addrs{};
    std::size_t i = 0;
    while (i < pending_.size()) {
        const bool v4 = pending_[i].to.address.is_v4();
        const Socket& s = sockets_[pending_[i].socket];
        const int fd = v4 ? s.fd4 : s.fd6;
        std::size_t n = 0;
        while (i + n < pending_.size() && n < kBatch &&
               pending_[i + n].socket == pending_[i].socket &&
               pending_[i + n].to.address.is_v4() == v4) {
            Pending& p = pending_[i + n];
            iov[n].iov_base = p.bytes.data();
            iov[n].iov_len = p.size;
            msgs[n] = mmsghdr{};
            msgs[n].msg_hdr.msg_iov = &iov[n];
            msgs[n].msg_hdr.msg_iovlen = 1;
            msgs[n].msg_hdr.msg_name = &addrs[n];
            msgs[n].msg_hdr.msg_namelen = to_sockaddr(p.to, addrs[n]);
            ++n;
        }
        if (fd < 0) {
            send_errors_ += n;
            i += n;
            continue;
        }
        std::size_t done = 0;
        while (done < n) {
            const int r = ::sendmmsg(fd, msgs.data() + done, static_cast<unsigned>(n - done), 0);
            if (r < 0) {
                if (errno == EINTR) {
                    continue;
                }
                // EAGAIN (socket buffer full) or an ICMP-reported error: drop this one datagram;
                // the query times out and is retried.
                ++send_errors_;
                ++done;
                continue;
            }
            done += static_cast<std::size_t>(r);
        }
        i += n;
    }
    pending_.clear();
}

void UdpTransport::read_udp(int fd, std::uint32_t index, TransportSink& sink) {
    std::array<mmsghdr, kBatch> msgs{};
    std::array<iovec, kBatch> iov{};
    std::array<sockaddr_storage, kBatch> addrs{};
    for (int round = 0; round < 8; ++round) {
        for (std::size_t k = 0; k < kBatch; ++k) {
            iov[k].iov_base = rx_.data() + k * kRxSlot;
            iov[k].iov_len = kRxSlot;
            msgs[k] = mmsghdr{};
            msgs[k].msg_hdr.msg_iov = &iov[k];
            msgs[k].msg_hdr.msg_iovlen = 1;
            msgs[k].msg_hdr.msg_name = &addrs[k];
            msgs[k].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
        }
        const int r = ::recvmmsg(fd, msgs.data(), kBatch, MSG_DONTWAIT, nullptr);
        if (r <= 0) {
            return; // EAGAIN, or an ICMP error reported on the socket: nothing to read
        }
        for (int k = 0; k < r; ++k) {
            const auto uk = static_cast<std::size_t>(k);
            if ((msgs[uk].msg_hdr.msg_flags & MSG_TRUNC) != 0) {
                continue; // larger than any answer we asked for; ignore
            }
            sink.on_datagram(
                index, from_sockaddr(addrs[uk]),
                std::span<const std::uint8_t>(rx_.data() + uk * kRxSlot, msgs[uk].msg_len));
        }
        if (static_cast<std::size_t>(r) < kBatch) {
            return;
        }
    }
}

void UdpTransport::send_tcp(std::uint64_t token, const Endpoint& to,
                            std::span<const std::uint8_t> bytes) {
    auto fail = [&] { tcp_by_token_[token] = 0; };
    if (tcp_.size() >= kMaxTcpConnections) {
        fail();
        return;
    }
    const int family = to.address.is_v4() ? AF_INET : AF_INET6;
    const int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        fail();
        return;
    }
    int one = 1;
    (void)::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_storage ss{};
    const socklen_t len = to_sockaddr(to, ss);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&ss), len) != 0 && errno != EINPROGRESS) {
        ::close(fd);
        fail();
        return;
    }
    const std::uint64_t id = next_conn_++;
    TcpConn c;
    c.fd = fd;
    c.token = token;
    c.out.push_back(static_cast<std::uint8_t>(bytes.size() >> 8));
    c.out.push_back(static_cast<std::uint8_t>(bytes.size() & 0xff));
    c.out.insert(c.out.end(), bytes.begin(), bytes.end());
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.u64 = kTcpBit | id;
    if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev) != 0) {
        ::close(fd);
        fail();
        return;
    }
    tcp_.emplace(id, std::move(c));
    tcp_by_token_[token] = id;
}

void UdpTransport::cancel_tcp(std::uint64_t token) {
    const auto it = tcp_by_token_.find(token);
    if (it == tcp_by_token_.end()) {
        return;
    }
    const std::uint64_t id = it->second;
    tcp_by_token_.erase(it);
    if (id != 0) {
        close_tcp(id);
    }
}

void UdpTransport::close_tcp(std::uint64_t id) {
    const auto it = tcp_.find(id);
    if (it == tcp_.end()) {
        return;
    }
    (void)::epoll_ctl(epoll_, EPOLL_CTL_DEL, it->second.fd, nullptr);
    ::close(it->second.fd);
    tcp_by_token_.erase(it->second.token);
    tcp_.erase(it);
}

void UdpTransport::handle_tcp(std::uint64_t id, std::uint32_t events, TransportSink& sink) {
    const auto it = tcp_.find(id);
    if (it == tcp_.end()) {
        return;
    }
    TcpConn& c = it->second;
    const std::uint64_t token = c.token;
    auto fail = [&] {
        close_tcp(id);
        sink.on_tcp_error(token);
    };
    if ((events & EPOLLERR) != 0) {
        fail();
        return;
    }
    if ((events & EPOLLOUT) != 0 && c.written < c.out.size()) {
        const ssize_t n =
            ::send(c.fd, c.out.data() + c.written, c.out.size() - c.written, MSG_NOSIGNAL);
        if (n < 0 && errno != EAGAIN) {
            fail();
            return;
        }
        if (n > 0) {
            c.written += static_cast<std::size_t>(n);
        }
        if (c.written == c.out.size()) {
            epoll_event ev{};
            ev.events = EPOLLIN;
            ev.data.u64 = kTcpBit | id;
            (void)::epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &ev);
        }
    }
    if ((events & (EPOLLIN | EPOLLHUP)) != 0) {
        std::array<std::uint8_t, 16384> buf{};
        for (;;) {
            const ssize_t n = ::recv(c.fd, buf.data(), buf.size(), 0);
            if (n < 0) {
                if (errno == EAGAIN) {
                    break;
                }
                fail();
                return;
            }
            if (n == 0) {
                fail(); // closed before a whole answer
                return;
            }
            c.in.insert(c.in.end(), buf.begin(), buf.begin() + n);
            if (c.in.size() >= 2) {
                const std::size_t want = (static_cast<std::size_t>(c.in[0]) << 8) | c.in[1];
                if (c.in.size() >= 2 + want) {
                    std::vector<std::uint8_t> msg(
                        c.in.begin() + 2, c.in.begin() + static_cast<std::ptrdiff_t>(2 + want));
                    close_tcp(id);
                    sink.on_tcp_answer(token, msg);
                    return;
                }
            }
        }
    }
}

void UdpTransport::poll(TimePoint deadline, TransportSink& sink) {
    flush();
    // Failed TCP starts are reported here, outside the caller's send path.
    for (auto it = tcp_by_token_.begin(); it != tcp_by_token_.end();) {
        if (it->second == 0) {
            const std::uint64_t token = it->first;
            it = tcp_by_token_.erase(it);
            sink.on_tcp_error(token);
        } else {
            ++it;
        }
    }
    const TimePoint now = clock_.now();
    int timeout_ms = 0;
    if (deadline > now) {
        const auto us =
            std::chrono::duration_cast<std::chrono::microseconds>(deadline - now).count();
        timeout_ms = static_cast<int>(std::min<std::int64_t>((us + 999) / 1000, 1000));
    }
    std::array<epoll_event, 256> events{};
    const int n = ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), timeout_ms);
    for (int i = 0; i < n; ++i) {
        const epoll_event& ev = events[static_cast<std::size_t>(i)];
        if ((ev.data.u64 & kTcpBit) != 0) {
            handle_tcp(ev.data.u64 & ~kTcpBit, ev.events, sink);
        } else {
            read_udp(static_cast<int>(ev.data.u64 >> 32),
                     static_cast<std::uint32_t>(ev.data.u64 & 0xffffffffU), sink);
        }
    }
}

} // namespace dg::dns
