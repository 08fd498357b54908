#include "dg/cli/resolver_options.hpp"

#include "dg/core/byte_source.hpp"
#include "dg/dns/upstreams.hpp"

#include <algorithm>
#include <chrono>

namespace dg::cli {

void add_resolver_flags(CLI::App& cmd, ResolverFlags& flags) {
    cmd.add_option(
        "--resolver", flags.resolvers,
        "Upstream resolver IP[:PORT] ([IPv6]:PORT); repeatable. Default: /etc/resolv.conf");
    cmd.add_option("--resolvers", flags.resolvers_file,
                   "File with one resolver IP[:PORT] per line");
    cmd.add_option("-c,--concurrency", flags.concurrency, "Queries in flight at once")
        ->check(CLI::Range(1U, dns::kMaxInFlight))
        ->capture_default_str();
    cmd.add_option("--timeout", flags.timeout_ms, "Per-attempt timeout in milliseconds")
        ->check(CLI::Range(1U, 600000U))
        ->capture_default_str();
    cmd.add_option("--retries", flags.retries, "Retries after the first attempt")
        ->check(CLI::Range(0U, dns::kMaxRetries))
        ->capture_default_str();
    cmd.add_option("--rate", flags.rate, "Queries per second per resolver (0 = unlimited)")
        ->check(CLI::Range(0.0, 1e7))
        ->capture_default_str();
    cmd.add_option("--sockets", flags.sockets, "UDP source sockets (random ports)")
        ->check(CLI::Range(1U, dns::kMaxSockets))
        ->capture_default_str();
    cmd.add_option("--bench-threshold", flags.bench_percent,
                   "Bench a resolver whose error rate passes this percentage")
        ->check(CLI::Range(0.0, 100.0))
        ->capture_default_str();
    cmd.add_flag("--no-repair", flags.no_repair,
                 "Skip the final pass that retries TIMEOUT/SERVFAIL names slowly");
}

Result<std::vector<dns::Endpoint>> gather_upstreams(const ResolverFlags& flags) {
    std::vector<dns::Endpoint> endpoints;
    for (const auto& r : flags.resolvers) {
        DG_TRY(auto e, dns::Endpoint::parse(r));
        endpoints.push_back(e);
    }
    if (!flags.resolvers_file.empty()) {
        DG_TRY(auto src, io::open(flags.resolvers_file));
        DG_TRY(auto bytes, io::read_all(*src));
        DG_TRY(auto list,
               dns::parse_resolver_list(
                   std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                   flags.resolvers_file));
        endpoints.insert(endpoints.end(), list.begin(), list.end());
    }
    if (!endpoints.empty()) {
        return endpoints;
    }
    auto sys = dns::system_resolvers();
    if (!sys) {
        return make_error(ErrorCode::NotFound,
                          "no resolver given and none usable in /etc/resolv.conf (" +
                              sys.error().to_string() + "); use --resolver IP[:PORT]");
    }
    return *sys;
}

Result<dns::ResolverConfig> make_resolver_config(const ResolverFlags& flags,
                                                 const std::vector<dns::Endpoint>& upstreams) {
    dns::ResolverConfig config;
    for (const auto& e : upstreams) {
        config.upstreams.push_back(dns::Upstream{e, flags.rate});
    }
    config.concurrency = flags.concurrency;
    config.timeout = std::chrono::milliseconds(flags.timeout_ms);
    config.retries = flags.retries;
    config.repair = !flags.no_repair;
    config.repair_timeout = std::max(config.timeout * 2, dns::Duration(std::chrono::seconds(4)));
    config.repair_concurrency =
        std::max<std::uint32_t>(1, std::min<std::uint32_t>(flags.concurrency / 10, 50));
    config.bench_error_rate = flags.bench_percent / 100.0;
    DG_TRY_VOID(dns::validate(config));
    return config;
}

bool any_v4(const std::vector<dns::Endpoint>& upstreams) {
    return std::any_of(upstreams.begin(), upstreams.end(),
                       [](const dns::Endpoint& e) { return e.address.is_v4(); });
}

bool any_v6(const std::vector<dns::Endpoint>& upstreams) {
    return std::any_of(upstreams.begin(), upstreams.end(),
                       [](const dns::Endpoint& e) { return !e.address.is_v4(); });
}

std::set<std::string> given_options(const CLI::App& cmd) {
    std::set<std::string> given;
    for (const CLI::Option* opt : cmd.get_options()) {
        if (opt->count() > 0 && !opt->get_lnames().empty()) {
            given.insert(opt->get_lnames().front());
        }
    }
    return given;
}

nlohmann::json resolver_list(const std::vector<dns::Endpoint>& upstreams) {
    nlohmann::json resolvers = nlohmann::json::array();
    for (const auto& e : upstreams) {
        resolvers.push_back(e.to_string());
    }
    return resolvers;
}

StoredSettings::StoredSettings(const std::string& json, const std::set<std::string>& given)
    : json_(nlohmann::json::parse(json, nullptr, false)), given_(given) {}

const nlohmann::json* StoredSettings::stored(const char* option, const char* key) const {
    if (!valid() || given_.count(option) != 0 || !json_.contains(key)) {
        return nullptr;
    }
    return &json_[key];
}

void StoredSettings::text(const char* option, const char* key, std::string& field) const {
    if (const auto* v = stored(option, key); v != nullptr && v->is_string()) {
        field = v->get<std::string>();
    }
}

void StoredSettings::restore(ResolverFlags& dns) const {
    number("concurrency", "concurrency", dns.concurrency);
    number("timeout", "timeout_ms", dns.timeout_ms);
    number("retries", "retries", dns.retries);
    if (const auto* v = stored("no-repair", "repair"); v != nullptr && v->is_boolean()) {
        dns.no_repair = !v->get<bool>();
    }
    const auto* list = stored("resolver", "resolvers");
    if (list != nullptr && given_.count("resolvers") == 0 && list->is_array()) {
        for (const auto& r : *list) {
            if (r.is_string()) {
                dns.resolvers.push_back(r.get<std::string>());
            }
        }
    }
}

} // namespace dg::cli
