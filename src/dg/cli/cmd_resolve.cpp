// domaingraph resolve  (docs/cli/resolve.md). Thin: options -> dns::Resolver; output through
// dns::append_json.
#include "dg/cli/commands.hpp"
#include "dg/cli/exit_codes.hpp"
#include "dg/cli/resolver_options.hpp"
#include "dg/cli/stdout_buffer.hpp"
#include "dg/core/domain_name.hpp"
#include "dg/core/progress.hpp"
#include "dg/core/stop_signals.hpp"
#include "dg/dns/name_input.hpp"
#include "dg/dns/resolver.hpp"
#include "dg/dns/result_json.hpp"
#include "dg/dns/udp_transport.hpp"
#include "dg/dns/upstreams.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <string>
#include <unordered_map>
#include <vector>

namespace dg::cli {
namespace {

struct ResolveOptions {
    std::string types = "A,AAAA,NS,MX";
    ResolverFlags dns;
    std::string input = "-";
    bool hosts = false;
    bool no_progress = false;
};

std::atomic<bool> g_stop{false};

extern "C" void on_signal(int) {
    g_stop.store(true);
}

double seconds(dns::Duration d) {
    return static_cast<double>(d.count()) / 1e9;
}

void print_summary(const dns::Summary& s, std::uint64_t invalid, std::FILE* err) {
    const double secs = std::max(1e-9, seconds(s.elapsed));
    std::fprintf(err, "resolve: %llu names in %.2f s: %.0f names/s, %.0f queries/s%s\n",
                 static_cast<unsigned long long>(s.names + invalid), seconds(s.elapsed),
                 static_cast<double>(s.names) / secs, static_cast<double>(s.queries) / secs,
                 s.cancelled ? " (interrupted)" : "");
    std::string counts;
    for (std::size_t i = 0; i < dns::kStatusCount; ++i) {
        std::uint64_t n = s.by_status[i];
        if (static_cast<dns::Status>(i) == dns::Status::Invalid) {
            n += invalid;
        }
        if (n > 0) {
            counts += "  " + std::string(dns::status_name(static_cast<dns::Status>(i))) + " " +
                      std::to_string(n);
        }
    }
    std::fprintf(err, "  status:%s\n", counts.empty() ? " none" : counts.c_str());
    std::fprintf(
        err,
        "  queries %llu (tcp %llu), answers %llu, ignored: mismatched %llu, "
        "unmatched %llu, malformed %llu; cname follow-ups %llu\n",
        static_cast<unsigned long long>(s.queries), static_cast<unsigned long long>(s.tcp_queries),
        static_cast<unsigned long long>(s.responses), static_cast<unsigned long long>(s.mismatched),
        static_cast<unsigned long long>(s.unmatched), static_cast<unsigned long long>(s.malformed),
        static_cast<unsigned long long>(s.cname_follow_ups));
    if (s.repair_names > 0 || s.repair_skipped > 0) {
        std::fprintf(err, "  repair pass: %llu names retried, %llu recovered",
                     static_cast<unsigned long long>(s.repair_names),
                     static_cast<unsigned long long>(s.repair_recovered));
        if (s.repair_skipped > 0) {
            std::fprintf(err, ", %llu failed names not retried (more than %llu held)",
                         static_cast<unsigned long long>(s.repair_skipped),
                         static_cast<unsigned long long>(dns::ResolverConfig{}.repair_hold_limit));
        }
        std::fputc('\n', err);
    }
    for (const auto& u : s.upstreams) {
        std::fprintf(err,
                     "  resolver %s: queries %llu, errors %llu (timeouts %llu), servfail %llu, "
                     "error rate %.2f%%, "
                     "latency mean %.2f ms p99 %.2f ms%s\n",
                     u.endpoint.to_string().c_str(), static_cast<unsigned long long>(u.queries),
                     static_cast<unsigned long long>(u.errors),
                     static_cast<unsigned long long>(u.timeouts),
                     static_cast<unsigned long long>(u.servfails), u.error_rate * 100.0,
                     seconds(u.mean_latency) * 1e3, seconds(u.p99_latency) * 1e3,
                     u.benched ? ", BENCHED (error rate over threshold)" : "");
    }
}

int run_resolve(const ResolveOptions& o) {
    dns::ResolverConfig config;
    // Types.
    config.types.clear();
    {
        std::string list = o.types;
        std::size_t start = 0;
        while (start <= list.size()) {
            const auto comma = list.find(',', start);
            const std::string t =
                list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            if (!t.empty()) {
                auto rt = dns::parse_type(t);
                if (!rt) {
                    std::fprintf(stderr, "domaingraph resolve: %s\n", rt.error().message.c_str());
                    return kExitUsage;
                }
                config.types.push_back(static_cast<std::uint16_t>(*rt));
            }
            if (comma == std::string::npos) {
                break;
            }
            start = comma + 1;
        }
    }
    // Upstreams.
    auto endpoints = gather_upstreams(o.dns);
    if (!endpoints) {
        std::fprintf(stderr, "domaingraph resolve: %s\n", endpoints.error().to_string().c_str());
        return endpoints.error().code == ErrorCode::InvalidArgument ? kExitUsage : kExitFailure;
    }
    auto made = make_resolver_config(o.dns, *endpoints);
    if (!made) {
        std::fprintf(stderr, "domaingraph resolve: %s\n", made.error().message.c_str());
        return kExitUsage;
    }
    made->types = config.types;
    made->resolve_hosts = o.hosts;
    config = std::move(*made);
    // Input.
    auto src = io::open(o.input);
    if (!src) {
        std::fprintf(stderr, "domaingraph resolve: %s\n", src.error().to_string().c_str());
        return kExitFailure;
    }
    dns::NameLineReader reader(std::move(*src));
    dns::SteadyClock clock;
    auto transport =
        dns::UdpTransport::create(o.dns.sockets, any_v4(*endpoints), any_v6(*endpoints), clock);
    if (!transport) {
        std::fprintf(stderr, "domaingraph resolve: %s\n", transport.error().message.c_str());
        return kExitFailure;
    }
    auto resolver = dns::Resolver::create(config, **transport, clock);
    if (!resolver) {
        std::fprintf(stderr, "domaingraph resolve: %s\n", resolver.error().message.c_str());
        return kExitUsage;
    }

    StdoutBuffer out(std::chrono::milliseconds(200));
    std::uint64_t invalid = 0;
    bool input_damaged = false;
    std::unordered_map<std::uint64_t, std::string> inputs; // only for names written differently
    const std::string input_name = o.input == "-" ? "stdin" : o.input;
    const dns::NameSource source = [&](dns::NameInput& in) {
        while (!g_stop.load(std::memory_order_relaxed)) {
            auto line = reader.next();
            if (!line) {
                std::fprintf(stderr, "domaingraph resolve: %s\n", line.error().to_string().c_str());
                input_damaged = true;
                return false;
            }
            if (!*line) {
                return false;
            }
            auto name = DomainName::parse((*line)->text, true);
            if (!name) {
                ++invalid;
                std::fprintf(stderr, "%s:%llu: %s\n", input_name.c_str(),
                             static_cast<unsigned long long>((*line)->number),
                             name.error().message.c_str());
                dns::append_invalid_json(out.text(), (*line)->text, name.error().message,
                                         (*line)->number);
                out.maybe_flush();
                continue;
            }
            in.name = name->text();
            in.tag = (*line)->number;
            std::string lowered = (*line)->text;
            for (char& ch : lowered) {
                if (ch >= 'A' && ch <= 'Z') {
                    ch = static_cast<char>(ch - 'A' + 'a');
                }
            }
            if (!lowered.empty() && lowered.back() == '.') {
                lowered.pop_back();
            }
            if (lowered != in.name) {
                inputs.emplace(in.tag, std::move((*line)->text));
            }
            return true;
        }
        return false;
    };
    const dns::ResultSink sink = [&](dns::NameResult&& r) {
        std::string_view original;
        auto it = inputs.find(r.tag);
        if (it != inputs.end()) {
            original = it->second;
        }
        dns::append_json(out.text(), r, *endpoints, original);
        if (it != inputs.end()) {
            inputs.erase(it);
        }
        out.maybe_flush();
    };
    Progress progress("resolving", 0, "names");
    if (!o.no_progress && progress.enabled()) {
        resolver->set_progress([&](const dns::Summary& s) {
            progress.update(s.names + invalid);
            progress.set_status(
                std::to_string(static_cast<std::uint64_t>(static_cast<double>(s.queries) /
                                                          std::max(1e-9, seconds(s.elapsed)))) +
                " q/s");
            out.flush();
        });
    }
    install_stop_handler(on_signal); // SIGINT, SIGTERM and SIGHUP alike
    const dns::Summary summary = resolver->run(source, sink, &g_stop);
    restore_stop_signals();
    out.flush();
    progress.finish();
    print_summary(summary, invalid, stderr);
    if (summary.cancelled || g_stop.load()) {
        return kExitInterrupted;
    }
    return input_damaged ? kExitDataErrors : kExitOk;
}

} // namespace

void register_resolve_command(CLI::App& app, Runner& selected) {
    auto opts = std::make_shared<ResolveOptions>();
    CLI::App* cmd = app.add_subcommand(
        "resolve",
        "Resolve domain names (one per line) to A/AAAA/NS/MX/... records, as JSON Lines");
    cmd->add_option("-t,--types", opts->types,
                    "Comma-separated record types: A,AAAA,CNAME,NS,MX,SOA,TXT,PTR")
        ->capture_default_str();
    add_resolver_flags(*cmd, opts->dns);
    cmd->add_option("-i,--input", opts->input, "Name list (plain/gz/bz2/zst), '-' for stdin")
        ->capture_default_str();
    cmd->add_flag("--hosts", opts->hosts, "Also resolve the A/AAAA of NS and MX hosts");
    cmd->add_flag("--no-progress", opts->no_progress, "No progress bar on a terminal");
    cmd->callback([opts, &selected] { selected = [opts] { return run_resolve(*opts); }; });
}

} // namespace dg::cli
