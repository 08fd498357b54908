#pragma once
// The DNS options shared by `resolve` and `scan`: which upstreams, how many queries in flight,
// timeouts, retries, rate, sockets, benching.

#include "dg/core/result.hpp"
#include "dg/dns/resolver.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <set>
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

/// The long names of the options of `cmd` given on the command line, in the environment or a
/// configuration file (read when the command runs, after those are applied): what `--resume`
/// must not take from the stored settings.
std::set<std::string> given_options(const CLI::App& cmd);

/// The upstreams as stored in a scan's or sweep's settings (`"resolvers": ["IP:PORT", ...]`).
nlohmann::json resolver_list(const std::vector<dns::Endpoint>& upstreams);

/// The settings a scan or sweep stored when it started (its JSON configuration), read back on
/// `--resume` for each option the user did not give again (`given`: long option names), so that
/// the work resumes as it started.
class StoredSettings {
public:
    StoredSettings(const std::string& json, const std::set<std::string>& given);
    /// Whether the stored configuration is a JSON object (else nothing is restored).
    bool valid() const { return json_.is_object(); }
    /// The stored value of `key` unless `option` was given again, else nullptr.
    const nlohmann::json* stored(const char* option, const char* key) const;
    void text(const char* option, const char* key, std::string& field) const;
    template <class T> void number(const char* option, const char* key, T& field) const {
        if (const auto* v = stored(option, key); v != nullptr && v->is_number()) {
            field = v->get<T>();
        }
    }
    /// concurrency, timeout, retries, repair and the resolvers (not the rate: its key differs).
    void restore(ResolverFlags& dns) const;
    const nlohmann::json& json() const { return json_; }

private:
    nlohmann::json json_;
    const std::set<std::string>& given_;
};

/// Whether any upstream is IPv4 / IPv6 (which socket families the transport needs).
bool any_v4(const std::vector<dns::Endpoint>& upstreams);
bool any_v6(const std::vector<dns::Endpoint>& upstreams);

} // namespace dg::cli
