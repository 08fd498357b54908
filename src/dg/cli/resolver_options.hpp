#pragma once
// The DNS options shared by `resolve` and `scan`: which upstreams, how many queries in flight,
// timeouts, retries, rate, sockets, benching.

#include "dg/core/result.hpp"
#include "dg/dns/resolver.hpp"

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace dg::cli {

struct ResolverFlags {
    std::vector<std::string> resolvers;
    std::string resolvers_file;
    std::uint32_t concurrency = dns::kDefaultInFlight;
    std::uint32_t timeout_ms = 2000;
    std::uint32_t retries = 2;
    double rate = 0;
    std::uint32_t sockets = dns::kDefaultSockets;
    double bench_percent = 6.0;
    bool no_repair = false;
};

/// Adds --resolver, --resolvers, -c/--concurrency, --timeout, --retries, --rate, --sockets,
/// --bench-threshold, --no-repair to `cmd`.
void add_resolver_flags(CLI::App& cmd, ResolverFlags& flags);

/// The upstreams: --resolver and --resolvers, else /etc/resolv.conf. Errors: InvalidArgument
/// (a bad address: a usage error), Io/NotFound (unreadable file, no system resolver).
Result<std::vector<dns::Endpoint>> gather_upstreams(const ResolverFlags& flags);

/// An engine configuration from the flags and upstreams (types left at their default).
/// Errors: InvalidArgument (dns::validate).
Result<dns::ResolverConfig> make_resolver_config(const ResolverFlags& flags,
                                                 const std::vector<dns::Endpoint>& upstreams);

/// Whether any upstream is IPv4 / IPv6 (which socket families the transport needs).
bool any_v4(const std::vector<dns::Endpoint>& upstreams);
bool any_v6(const std::vector<dns::Endpoint>& upstreams);

} // namespace dg::cli
