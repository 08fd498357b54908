#pragma once
// Named limits of the DNS engine. Every bound the resolver enforces lives here, so that a reader
// can see at one glance what the engine will and will not do (Unbound's iterator limits idea).

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace dg::dns {

/// CNAME hops followed for one (name, type) before giving up with "cname-limit" (Unbound: 11,
/// BIND: 16; 12 covers every real CDN chain we know of).
inline constexpr std::uint32_t kMaxCnameChain = 12;
/// Queries for one (name, type) including CNAME-target follow-ups; caps the work a hostile zone
/// can cause.
inline constexpr std::uint32_t kMaxFollowUps = 4;
/// Retries after the first attempt, the most a caller may ask for.
inline constexpr std::uint32_t kMaxRetries = 10;
/// Queries in flight at once, the most a caller may ask for.
inline constexpr std::uint32_t kMaxInFlight = 65536;
/// Default queries in flight: polite to a home router's resolver, yet enough to keep a local
/// unbound busy.
inline constexpr std::uint32_t kDefaultInFlight = 100;
/// UDP sockets (random source ports) the real transport may open.
inline constexpr std::uint32_t kMaxSockets = 256;
/// Default number of UDP sockets: 32 source ports x 16-bit IDs = 21 bits of entropy per query.
inline constexpr std::uint32_t kDefaultSockets = 32;
/// EDNS0 UDP payload size we advertise (DNS flag day 2020).
inline constexpr std::uint16_t kEdnsBufferSize = 1232;
/// Largest UDP datagram we accept (a server may ignore our EDNS size).
inline constexpr std::size_t kMaxUdpMessage = 4096;
/// Largest DNS message at all (TCP length prefix is 16 bits).
inline constexpr std::size_t kMaxMessage = 65535;
/// Largest query we ever build (header + 255-octet name + question + OPT).
inline constexpr std::size_t kMaxQuery = 512;
/// NS/MX hosts whose own A/AAAA are looked up per name (with ResolverConfig::resolve_hosts).
inline constexpr std::uint32_t kMaxHostsPerName = 16;
/// Records kept per (name, type) answer; more are counted but dropped.
inline constexpr std::uint32_t kMaxRecordsPerAnswer = 256;
/// Upstream resolvers at once.
inline constexpr std::uint32_t kMaxUpstreams = 64;
/// TCP connections open at once (TC=1 fallbacks); further TCP queries wait.
inline constexpr std::uint32_t kMaxTcpConnections = 64;
/// Messages per recvmmsg/sendmmsg call.
inline constexpr std::uint32_t kBatch = 64;
/// Congestion control per upstream (resolver.cpp): the first window, its floor after losses.
/// `-c` is the ceiling of every window: against one server that drops queries beyond its socket
/// buffer, the window settles below the drop point instead of at -c.
inline constexpr double kInitialWindow = 64;
inline constexpr double kMinWindow = 4;
/// Slow start ends early (HyStart) once kHyStartMinSamples answers were seen and the smoothed
/// latency exceeds the lowest one by max(itself, kQueueingDelay).
inline constexpr std::uint64_t kHyStartMinSamples = 32;
inline constexpr std::chrono::milliseconds kQueueingDelay{4};
/// Adaptive per-attempt timeout: after kRtoMinSamples answers, recomputed every
/// kRtoRecomputeEvery answers as max(kMinRto, kRtoLatencyFactor x the upstream's p99 latency),
/// never above --timeout.
inline constexpr std::uint64_t kRtoMinSamples = 256;
inline constexpr std::uint64_t kRtoRecomputeEvery = 256;
inline constexpr std::int64_t kRtoLatencyFactor = 4;
/// The floor is unbound's (infra-cache-min-rtt, 50 ms): at 100 ms, the few queries a local server
/// drops in a burst at -c 2000 kept a 20,000-name run 20-35 % behind the best -c; at 50 ms it is
/// within 5 % (issue 12, item 14).
inline constexpr std::chrono::milliseconds kMinRto{50};

} // namespace dg::dns
