#pragma once
// An address (and port) as the socket API and libmaxminddb take it.

#include "dg/core/ip_address.hpp"

#include <arpa/inet.h>
#include <cstdint>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>

namespace dg {

/// Fills `ss` with `address` and `port` (host order); returns the length of the filled part.
inline socklen_t to_sockaddr(const IpAddress& address, std::uint16_t port, sockaddr_storage& ss) {
    std::memset(&ss, 0, sizeof ss);
    if (address.is_v4()) {
        sockaddr_in sin{};
        sin.sin_family = AF_INET;
        sin.sin_port = htons(port);
        std::memcpy(&sin.sin_addr, address.bytes().data(), 4);
        std::memcpy(&ss, &sin, sizeof sin);
        return sizeof sin;
    }
    sockaddr_in6 sin6{};
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = htons(port);
    std::memcpy(&sin6.sin6_addr, address.bytes().data(), 16);
    std::memcpy(&ss, &sin6, sizeof sin6);
    return sizeof sin6;
}

} // namespace dg
