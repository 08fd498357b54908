#include "dg/ptr/sweep.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace dg::ptr {
namespace {

constexpr std::uint16_t kTypePtr = 12;

} // namespace

PtrResult to_ptr_result(const IpAddress& ip, const dns::NameResult& r,
                        const std::vector<dns::Upstream>& upstreams, std::int64_t now) {
    PtrResult out;
    out.ip = ip;
    out.status = r.status;
    out.attempts = r.attempts;
    out.queried_at = now;
    std::int32_t upstream = r.upstream;
    if (!r.types.empty()) {
        const dns::TypeAnswer& t = r.types.front();
        out.status = t.status;
        out.attempts = std::max(out.attempts, t.attempts);
        if (t.upstream >= 0) {
            upstream = t.upstream;
        }
        for (const dns::Record& rec : t.records) {
            if (rec.type == kTypePtr) {
                out.names.push_back(rec.data);
            }
        }
        if (!t.cname_chain.empty()) {
            out.cname = t.cname_chain.back();
        }
    }
    std::sort(out.names.begin(), out.names.end());
    out.names.erase(std::unique(out.names.begin(), out.names.end()), out.names.end());
    if (upstream >= 0 && static_cast<std::size_t>(upstream) < upstreams.size()) {
        out.resolver = upstreams[static_cast<std::size_t>(upstream)].endpoint.to_string();
    }
    if (r.repaired) {
        out.main_status = r.main_status;
    }
    return out;
}

Result<SweepReport> run_sweep(const AddressPlan& plan, const DoneSet* done,
                              const SweepSettings& settings, dns::Transport& transport,
                              dns::Clock& clock, const PtrSink& sink, const std::atomic<bool>* stop,
                              std::function<void(const dns::Summary&, bool pausing)> progress) {
    dns::ResolverConfig config = settings.resolver;
    config.types = {kTypePtr};
    config.resolve_hosts = false;
    DG_TRY(auto resolver, dns::Resolver::create(config, transport, clock));
    SweepReport report;
    std::uint64_t next = 0;     // next plan index to look at
    std::uint64_t admitted = 0; // addresses handed to the engine
    std::uint64_t next_pause = settings.pause_every;
    std::optional<dns::TimePoint> pause_until;
    const dns::NameFeed feed = [&](dns::NameInput& in) -> dns::Feed {
        if (pause_until) {
            if (clock.now() < *pause_until) {
                return dns::Feed::Later; // the engine polls again within 10 ms when idle
            }
            pause_until.reset();
        }
        while (next < plan.size() && done != nullptr && done->test(next)) {
            ++next;
            ++report.skipped;
        }
        if (next >= plan.size()) {
            return dns::Feed::End;
        }
        if (settings.pause_every > 0 && admitted == next_pause) {
            next_pause += settings.pause_every;
            ++report.pauses;
            pause_until = clock.now() + settings.pause;
            return dns::Feed::Later;
        }
        in.name = reverse_name(plan.at(next));
        in.tag = next;
        in.types.clear();
        ++next;
        ++admitted;
        return dns::Feed::Name;
    };
    const dns::ResultSink result_sink = [&](dns::NameResult&& r) {
        PtrResult p = to_ptr_result(plan.at(r.tag), r, config.upstreams,
                                    static_cast<std::int64_t>(std::time(nullptr)));
        ++report.table.main[static_cast<std::size_t>(p.main_status.value_or(p.status))];
        ++report.table.final[static_cast<std::size_t>(p.status)];
        ++report.results;
        sink(std::move(p));
    };
    if (progress) {
        resolver.set_progress([&](const dns::Summary& s) {
            progress(s, pause_until.has_value() && clock.now() < *pause_until);
        });
    }
    report.dns = resolver.run(feed, result_sink, stop);
    report.interrupted = report.dns.cancelled;
    return report;
}

std::string format_status_table(const StatusTable& table) {
    std::string out = "  status      main pass  after repair\n";
    std::uint64_t main_total = 0;
    std::uint64_t final_total = 0;
    for (std::size_t i = 0; i < dns::kStatusCount; ++i) {
        if (table.main[i] == 0 && table.final[i] == 0) {
            continue;
        }
        char line[96];
        std::snprintf(line, sizeof line, "  %-10s %10llu %13llu\n",
                      dns::status_name(static_cast<dns::Status>(i)),
                      static_cast<unsigned long long>(table.main[i]),
                      static_cast<unsigned long long>(table.final[i]));
        out += line;
        main_total += table.main[i];
        final_total += table.final[i];
    }
    char line[96];
    std::snprintf(line, sizeof line, "  %-10s %10llu %13llu\n", "total",
                  static_cast<unsigned long long>(main_total),
                  static_cast<unsigned long long>(final_total));
    out += line;
    return out;
}

} // namespace dg::ptr
