#include "dg/dns/testing/scenario.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <sstream>

namespace dg::dns::testing {

namespace {

std::vector<std::string> split_ws(std::string_view s) {
    std::vector<std::string> out;
    std::istringstream in{std::string(s)};
    std::string w;
    while (in >> w) {
        out.push_back(w);
    }
    return out;
}

std::optional<std::int64_t> number(const std::string& s) {
    std::int64_t v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) {
        return std::nullopt;
    }
    return v;
}

std::optional<Status> parse_status(const std::string& s) {
    for (std::size_t i = 0; i < kStatusCount; ++i) {
        if (s == status_name(static_cast<Status>(i))) {
            return static_cast<Status>(i);
        }
    }
    return std::nullopt;
}

bool compare(std::int64_t got, const std::string& op, std::int64_t want) {
    if (op == "=" || op == "==") {
        return got == want;
    }
    if (op == ">=") {
        return got >= want;
    }
    if (op == "<=") {
        return got <= want;
    }
    if (op == ">") {
        return got > want;
    }
    if (op == "<") {
        return got < want;
    }
    return false;
}

struct Expectation {
    std::uint64_t line;
    std::vector<std::string> words;
};

} // namespace

Result<ScenarioOutcome> run_scenario(std::string_view text, const std::string& source) {
    ResolverConfig config;
    config.seed = 42;
    config.types = {1};
    std::vector<std::string> names;
    std::vector<Rule> rules;
    std::vector<Expectation> expects;
    std::map<std::string, double> rates;
    std::map<std::string, std::pair<std::size_t, Duration>> capacities;
    std::vector<std::string> servers;
    TimePoint epoch{};
    std::uint32_t sockets = 4;

    std::uint64_t lineno = 0;
    std::string_view rest = text;
    while (!rest.empty()) {
        ++lineno;
        const auto nl = rest.find('\n');
        std::string line(rest.substr(0, nl));
        rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
        if (const auto hash = line.find('#'); hash != std::string::npos) {
            line.resize(hash);
        }
        auto w = split_ws(line);
        if (w.empty()) {
            continue;
        }
        auto bad = [&](const std::string& why) {
            return make_error(ErrorCode::InvalidArgument, why).at(source, std::nullopt, lineno);
        };
        auto ms = [&](const std::string& s) -> std::optional<Duration> {
            auto v = number(s);
            if (!v) {
                return std::nullopt;
            }
            return std::chrono::milliseconds(*v);
        };
        if (w[0] == "config") {
            if (w.size() < 3) {
                return bad("config KEY VALUE");
            }
            const std::string& k = w[1];
            if (k == "servers") {
                servers.assign(w.begin() + 2, w.end());
            } else if (k == "types") {
                config.types.clear();
                std::string list = w[2];
                std::replace(list.begin(), list.end(), ',', ' ');
                for (const auto& t : split_ws(list)) {
                    auto rt = parse_type(t);
                    if (!rt) {
                        return bad(rt.error().message);
                    }
                    config.types.push_back(static_cast<std::uint16_t>(*rt));
                }
            } else if (k == "rate" && w.size() == 4) {
                rates[w[2]] = static_cast<double>(number(w[3]).value_or(0));
            } else if (k == "capacity" && w.size() == 5) {
                // config capacity SERVER QUEUE SERVICE_US
                capacities[w[2]] = {static_cast<std::size_t>(number(w[3]).value_or(0)),
                                    std::chrono::microseconds(number(w[4]).value_or(0))};
            } else if (k == "hosts") {
                config.resolve_hosts = w[2] == "on";
            } else if (k == "repair") {
                config.repair = w[2] == "on";
            } else {
                auto v = number(w[2]);
                if (!v || *v < 0) {
                    return bad("config " + k + " needs a number");
                }
                const auto u = static_cast<std::uint32_t>(*v);
                if (k == "concurrency") {
                    config.concurrency = u;
                } else if (k == "timeout") {
                    config.timeout = std::chrono::milliseconds(u);
                } else if (k == "retries") {
                    config.retries = u;
                } else if (k == "backoff") {
                    config.backoff = std::chrono::milliseconds(u);
                } else if (k == "max_backoff") {
                    config.max_backoff = std::chrono::milliseconds(u);
                } else if (k == "bench_window") {
                    config.bench_window = u;
                } else if (k == "bench_percent") {
                    config.bench_error_rate = static_cast<double>(u) / 100.0;
                } else if (k == "repair_timeout") {
                    config.repair_timeout = std::chrono::milliseconds(u);
                } else if (k == "repair_delay") {
                    config.repair_delay = std::chrono::milliseconds(u);
                } else if (k == "repair_concurrency") {
                    config.repair_concurrency = u;
                } else if (k == "repair_upstreams") {
                    config.repair_upstreams = u;
                } else if (k == "repair_hold_limit") {
                    config.repair_hold_limit = u;
                } else if (k == "sockets") {
                    sockets = u;
                } else {
                    return bad("unknown config key " + k);
                }
            }
        } else if (w[0] == "names") {
            names.insert(names.end(), w.begin() + 1, w.end());
        } else if (w[0] == "generate") {
            // generate N PATTERN   (PATTERN contains %d)
            if (w.size() != 3 || !number(w[1]) || w[2].find("%d") == std::string::npos) {
                return bad("generate N PATTERN-with-%d");
            }
            for (std::int64_t i = 0; i < *number(w[1]); ++i) {
                std::string n = w[2];
                n.replace(n.find("%d"), 2, std::to_string(i));
                names.push_back(n);
            }
        } else if (w[0] == "time_passes") {
            auto d = w.size() == 2 ? ms(w[1]) : std::nullopt;
            if (!d) {
                return bad("time_passes MS");
            }
            epoch += *d;
        } else if (w[0] == "on") {
            // on SERVER QNAME QTYPE [delay MS] [times N] [until MS] -> ACTION [RR ; RR ...]
            const auto arrow = std::find(w.begin(), w.end(), "->");
            if (w.size() < 5 || arrow == w.end() || arrow - w.begin() < 4 || arrow + 1 == w.end()) {
                return bad("on SERVER QNAME QTYPE [options] -> ACTION [records]");
            }
            Rule r;
            r.server = w[1];
            if (r.server != "*" && r.server.find(':') == std::string::npos) {
                r.server += ":53";
            }
            r.qname = w[2];
            r.qtype = w[3];
            r.from = epoch;
            for (auto it = w.begin() + 4; it != arrow; it += 2) {
                if (it + 1 == arrow) {
                    return bad("option without value");
                }
                auto v = number(*(it + 1));
                if (!v) {
                    return bad("option value must be a number");
                }
                if (*it == "delay") {
                    r.delay = std::chrono::milliseconds(*v);
                } else if (*it == "times") {
                    r.times = static_cast<int>(*v);
                } else if (*it == "until") {
                    r.until = TimePoint{} + std::chrono::milliseconds(*v);
                } else {
                    return bad("unknown rule option " + *it);
                }
            }
            const std::string act = *(arrow + 1);
            static const std::map<std::string, Action> kActions = {
                {"answer", Action::Answer},     {"nodata", Action::Answer},
                {"nxdomain", Action::NxDomain}, {"servfail", Action::ServFail},
                {"refused", Action::Refused},   {"refused-noq", Action::RefusedNoQuestion},
                {"formerr", Action::FormErr},   {"drop", Action::Drop},
                {"truncate", Action::Truncate}, {"garbage", Action::Garbage},
                {"spoof", Action::Spoof}};
            const auto a = kActions.find(act);
            if (a == kActions.end()) {
                return bad("unknown action " + act);
            }
            r.action = a->second;
            // Records: OWNER TYPE DATA... separated by ';'
            std::vector<std::string> cur;
            auto flush = [&]() -> Result<void> {
                if (cur.empty()) {
                    return ok();
                }
                if (cur.size() < 3) {
                    return bad("record: OWNER TYPE DATA");
                }
                auto t = parse_type(cur[1]);
                if (!t) {
                    return bad(t.error().message);
                }
                Record rec;
                rec.owner = cur[0];
                rec.type = static_cast<std::uint16_t>(*t);
                rec.ttl = 300;
                if (*t == RecordType::MX) {
                    rec.preference = static_cast<std::uint16_t>(number(cur[2]).value_or(0));
                    rec.data = cur.size() > 3 ? cur[3] : "";
                } else {
                    for (std::size_t i = 2; i < cur.size(); ++i) {
                        rec.data += (i > 2 ? " " : "") + cur[i];
                    }
                }
                r.records.push_back(std::move(rec));
                cur.clear();
                return ok();
            };
            for (auto it = arrow + 2; it != w.end(); ++it) {
                if (*it == ";") {
                    DG_TRY_VOID(flush());
                } else {
                    cur.push_back(*it);
                }
            }
            DG_TRY_VOID(flush());
            rules.push_back(std::move(r));
        } else if (w[0] == "expect") {
            expects.push_back(
                Expectation{lineno, std::vector<std::string>(w.begin() + 1, w.end())});
        } else {
            return bad("unknown directive " + w[0]);
        }
    }
    if (servers.empty()) {
        servers.push_back("10.0.0.1");
    }
    for (const auto& s : servers) {
        auto e = Endpoint::parse(s);
        if (!e) {
            return e.error().at(source);
        }
        Upstream u{*e, 0};
        if (auto it = rates.find(s); it != rates.end()) {
            u.rate_qps = it->second;
        }
        config.upstreams.push_back(u);
    }

    FakeClock clock;
    FakeTransport transport(clock, sockets);
    for (auto& r : rules) {
        transport.add_rule(std::move(r));
    }
    for (const auto& [server, cap] : capacities) {
        auto e = Endpoint::parse(server);
        if (!e) {
            return e.error().at(source);
        }
        transport.set_capacity(e->to_string(), cap.first, cap.second);
    }
    DG_TRY(auto resolver, Resolver::create(config, transport, clock));
    std::size_t next = 0;
    std::map<std::string, NameResult> results;
    std::map<std::string, int> seen;
    ScenarioOutcome out;
    const NameSource src = [&](NameInput& in) {
        if (next >= names.size()) {
            return false;
        }
        in.name = names[next];
        in.tag = next++;
        return true;
    };
    const ResultSink sink = [&](NameResult&& r) {
        ++out.results;
        ++seen[r.name];
        const std::string n = r.name;
        results[n] = std::move(r);
    };
    out.summary = resolver.run(src, sink);
    std::vector<Endpoint> eps;
    for (const auto& u : config.upstreams) {
        eps.push_back(u.endpoint);
    }

    for (const auto& e : expects) {
        const auto& w = e.words;
        std::ostringstream why;
        auto fail = [&](const std::string& msg) {
            std::string all;
            for (const auto& x : w) {
                all += " " + x;
            }
            out.failures.push_back(source + ":" + std::to_string(e.line) + ": expect" + all + ": " +
                                   msg);
        };
        if (w.empty()) {
            continue;
        }
        if (w[0] == "results" && w.size() == 2) {
            // exactly one result per input name, and this many in all
            const auto want = number(w[1]).value_or(-1);
            if (static_cast<std::int64_t>(out.results) != want) {
                fail("got " + std::to_string(out.results));
            }
            for (const auto& n : names) {
                if (seen[n] != 1) {
                    fail(n + " yielded " + std::to_string(seen[n]) + " results");
                    break;
                }
            }
        } else if (w[0] == "count" && w.size() == 4) {
            auto st = parse_status(w[1]);
            const auto want = number(w[3]);
            if (!st || !want) {
                fail("count STATUS OP N");
                continue;
            }
            const auto got =
                static_cast<std::int64_t>(out.summary.by_status[static_cast<std::size_t>(*st)]);
            if (!compare(got, w[2], *want)) {
                fail("got " + std::to_string(got));
            }
        } else if (w[0] == "summary" && w.size() == 4) {
            const auto& s = out.summary;
            const std::map<std::string, std::uint64_t> fields = {
                {"queries", s.queries},
                {"tcp_queries", s.tcp_queries},
                {"responses", s.responses},
                {"unmatched", s.unmatched},
                {"mismatched", s.mismatched},
                {"malformed", s.malformed},
                {"repair_names", s.repair_names},
                {"recovered", s.repair_recovered},
                {"repair_skipped", s.repair_skipped},
                {"cname_follow_ups", s.cname_follow_ups},
                {"window_cuts", s.window_cuts},
                {"names", s.names},
                {"elapsed_ms",
                 static_cast<std::uint64_t>(
                     std::chrono::duration_cast<std::chrono::milliseconds>(s.elapsed).count())}};
            const auto it = fields.find(w[1]);
            const auto want = number(w[3]);
            if (it == fields.end() || !want) {
                fail("unknown summary field or bad number");
            } else if (!compare(static_cast<std::int64_t>(it->second), w[2], *want)) {
                fail("got " + std::to_string(it->second));
            }
        } else if (w[0] == "server" && w.size() >= 3) {
            // server ADDR queries OP N | server ADDR benched yes|no | server ADDR spacing >= MS
            std::string addr = w[1];
            if (addr.find(':') == std::string::npos) {
                addr += ":53";
            }
            std::size_t idx = eps.size();
            for (std::size_t i = 0; i < eps.size(); ++i) {
                if (eps[i].to_string() == addr) {
                    idx = i;
                }
            }
            if (idx == eps.size()) {
                fail("no such server");
                continue;
            }
            const auto& h = out.summary.upstreams[idx];
            if (w[2] == "benched" && w.size() == 4) {
                if (h.benched != (w[3] == "yes")) {
                    fail(std::string("benched is ") + (h.benched ? "yes" : "no"));
                }
            } else if (w[2] == "queries" && w.size() == 5) {
                std::int64_t got = 0;
                for (const auto& q : transport.sent()) {
                    got += q.server == eps[idx] ? 1 : 0;
                }
                if (!compare(got, w[3], number(w[4]).value_or(-1))) {
                    fail("got " + std::to_string(got));
                }
            } else if (w[2] == "spacing" && w.size() == 5) {
                std::optional<TimePoint> prev;
                std::int64_t min_gap = -1;
                for (const auto& q : transport.sent()) {
                    if (!(q.server == eps[idx])) {
                        continue;
                    }
                    if (prev) {
                        const auto gap =
                            std::chrono::duration_cast<std::chrono::microseconds>(q.at - *prev)
                                .count();
                        min_gap = min_gap < 0 ? gap : std::min(min_gap, gap);
                    }
                    prev = q.at;
                }
                // compared in microseconds; the expectation is in milliseconds
                if (!compare(min_gap, w[3], number(w[4]).value_or(-1) * 1000)) {
                    fail("smallest gap was " + std::to_string(min_gap) + " us");
                }
            } else {
                fail("bad server expectation");
            }
        } else if (w[0] == "name" && w.size() >= 4) {
            // name NAME status S | name NAME TYPE status S | name NAME TYPE has DATA |
            // name NAME attempts OP N | name NAME TYPE detail D | name NAME TYPE chain a,b |
            // name NAME resolver ADDR | name NAME repaired yes|no | name NAME host H TYPE has DATA
            const auto it = results.find(w[1]);
            if (it == results.end()) {
                fail("no result for the name");
                continue;
            }
            const NameResult& r = it->second;
            if (w[2] == "status") {
                if (w[3] != status_name(r.status)) {
                    fail(std::string("got ") + status_name(r.status));
                }
                continue;
            }
            if (w[2] == "attempts" && w.size() == 5) {
                if (!compare(r.attempts, w[3], number(w[4]).value_or(-1))) {
                    fail("got " + std::to_string(r.attempts));
                }
                continue;
            }
            if (w[2] == "resolver") {
                const std::string got = r.upstream >= 0
                                            ? eps[static_cast<std::size_t>(r.upstream)].to_string()
                                            : "none";
                if (got != w[3] && got != w[3] + ":53") {
                    fail("got " + got);
                }
                continue;
            }
            if (w[2] == "repaired") {
                if (r.repaired != (w[3] == "yes")) {
                    fail(std::string("repaired is ") + (r.repaired ? "yes" : "no"));
                }
                continue;
            }
            const TypeAnswer* t = nullptr;
            std::size_t k = 3;
            if (w[2] == "host" && w.size() >= 7) {
                for (const auto& h : r.hosts) {
                    if (h.host == w[3]) {
                        t = w[4] == "A" ? &h.a : &h.aaaa;
                    }
                }
                k = 5;
            } else {
                for (const auto& x : r.types) {
                    if (type_name(x.type) == w[2]) {
                        t = &x;
                    }
                }
            }
            if (t == nullptr) {
                fail("no such type or host in the result");
                continue;
            }
            const std::string what = w[k];
            const std::string arg = k + 1 < w.size() ? w[k + 1] : "";
            if (what == "status") {
                if (arg != status_name(t->status)) {
                    fail(std::string("got ") + status_name(t->status) +
                         (t->detail.empty() ? "" : " (" + t->detail + ")"));
                }
            } else if (what == "has") {
                const bool found = std::any_of(t->records.begin(), t->records.end(),
                                               [&](const Record& rec) { return rec.data == arg; });
                if (!found) {
                    fail("records: " + std::to_string(t->records.size()));
                }
            } else if (what == "count") {
                if (std::to_string(t->records.size()) != arg) {
                    fail("got " + std::to_string(t->records.size()));
                }
            } else if (what == "detail") {
                if (t->detail != arg) {
                    fail("got '" + t->detail + "'");
                }
            } else if (what == "chain") {
                std::string got;
                for (const auto& c : t->cname_chain) {
                    got += (got.empty() ? "" : ",") + c;
                }
                if (got != arg) {
                    fail("got '" + got + "'");
                }
            } else if (what == "attempts" && k + 2 < w.size() + 1) {
                if (!compare(t->attempts, arg,
                             number(k + 2 < w.size() ? w[k + 2] : "").value_or(-1))) {
                    fail("got " + std::to_string(t->attempts));
                }
            } else {
                fail("unknown name expectation");
            }
        } else {
            fail("unknown expectation");
        }
    }
    return out;
}

} // namespace dg::dns::testing
