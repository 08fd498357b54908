#include "dg/dns/testing/fake_transport.hpp"

namespace dg::dns::testing {

namespace {

bool name_matches(const std::string& pattern, const std::string& name) {
    if (pattern == "*") {
        return true;
    }
    if (pattern.size() > 2 && pattern[0] == '*' && pattern[1] == '.') {
        const std::string suffix = pattern.substr(1);
        return name.size() > suffix.size() &&
               name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
    }
    return pattern == name;
}

std::string substitute(std::string s, const std::string& qname) {
    const std::string key = "$qname";
    for (auto pos = s.find(key); pos != std::string::npos; pos = s.find(key, pos + qname.size())) {
        s.replace(pos, key.size(), qname);
    }
    return s;
}

} // namespace

void FakeTransport::send_udp(std::uint32_t socket, const Endpoint& to,
                             std::span<const std::uint8_t> bytes) {
    handle(false, socket, 0, to, bytes);
}

void FakeTransport::send_tcp(std::uint64_t token, const Endpoint& to,
                             std::span<const std::uint8_t> bytes) {
    handle(true, 0, token, to, bytes);
}

void FakeTransport::schedule(Event e) {
    e.seq = seq_++;
    const auto key = std::make_pair(e.at, e.seq);
    events_.emplace(key, std::move(e));
}

void FakeTransport::handle(bool tcp, std::uint32_t socket, std::uint64_t token, const Endpoint& to,
                           std::span<const std::uint8_t> bytes) {
    auto q = decode_message(bytes);
    const TimePoint now = clock_.now();
    if (!q) {
        return; // our encoder never produces this; the engine will time out
    }
    sent_.push_back(SentQuery{now, socket, to, q->qname, q->qtype, q->id, tcp});
    fired_.resize(rules_.size(), 0);
    const Rule* rule = nullptr;
    for (std::size_t i = rules_.size(); i-- > 0;) {
        const Rule& r = rules_[i];
        if ((r.server == "*" || r.server == to.to_string()) && name_matches(r.qname, q->qname) &&
            (r.qtype == "*" || r.qtype == type_name(q->qtype)) && now >= r.from && now < r.until &&
            (r.times < 0 || fired_[i] < r.times)) {
            ++fired_[i];
            rule = &r;
            break;
        }
    }
    if (rule == nullptr || rule->action == Action::Drop) {
        return;
    }
    Duration queued{};
    if (!tcp) {
        const auto extra = queue_delay(to);
        if (!extra) {
            return; // the server's queue is full: dropped, as a full socket buffer does
        }
        queued = *extra;
    }
    ResponseSpec spec;
    spec.id = q->id;
    spec.qname = q->qname;
    spec.qtype = q->qtype;
    switch (rule->action) {
    case Action::NxDomain:
        spec.rcode = 3;
        break;
    case Action::ServFail:
        spec.rcode = 2;
        break;
    case Action::Refused:
        spec.rcode = 5;
        break;
    case Action::RefusedNoQuestion:
        spec.rcode = 5;
        spec.no_question = true;
        break;
    case Action::FormErr:
        spec.rcode = 1;
        break;
    case Action::Truncate:
        spec.tc = !tcp;
        break;
    default:
        break;
    }
    if (rule->action == Action::Answer || rule->action == Action::Spoof ||
        rule->action == Action::NxDomain || (rule->action == Action::Truncate && tcp)) {
        for (const Record& r : rule->records) {
            Record x = r;
            x.owner = substitute(x.owner, q->qname);
            x.data = substitute(x.data, q->qname);
            spec.answers.push_back(std::move(x));
        }
    }
    Event e{now + queued + rule->delay, 0, tcp, socket, token, to, {}};
    if (rule->action == Action::Garbage) {
        e.bytes.assign(bytes.begin(), bytes.begin() + 2);
        e.bytes.resize(13, 0xff);
        e.bytes[2] = 0x80;
        schedule(std::move(e));
        return;
    }
    auto wire = encode_response(spec);
    if (!wire) {
        return;
    }
    if (rule->action == Action::Spoof && !tcp) {
        const TimePoint early = now + rule->delay / 2;
        ResponseSpec fake = spec;
        fake.answers = {
            Record{q->qname, q->qtype, 60, q->qtype == 28 ? "2001:db8::666" : "203.0.113.66", 0}};
        if (q->qtype != 1 && q->qtype != 28) {
            fake.answers.clear();
        }
        // 1. Wrong ID.
        fake.id = static_cast<std::uint16_t>(q->id ^ 0x5a5a);
        if (auto w = encode_response(fake)) {
            schedule(Event{early, 0, false, socket, 0, to, *w});
        }
        // 2. Right ID, wrong question.
        fake.id = q->id;
        fake.qname = "spoof." + q->qname;
        for (auto& r : fake.answers) {
            r.owner = fake.qname;
        }
        if (auto w = encode_response(fake)) {
            schedule(Event{early, 0, false, socket, 0, to, *w});
        }
        // 3. Right ID and question, wrong source address.
        fake.qname = q->qname;
        for (auto& r : fake.answers) {
            r.owner = fake.qname;
        }
        Endpoint other = to;
        other.port = static_cast<std::uint16_t>(to.port + 1);
        if (auto w = encode_response(fake)) {
            schedule(Event{early, 0, false, socket, 0, other, *w});
        }
    }
    e.bytes = std::move(*wire);
    schedule(std::move(e));
}

std::optional<Duration> FakeTransport::queue_delay(const Endpoint& to) {
    const auto it = capacity_.find(to.to_string());
    if (it == capacity_.end()) {
        return Duration::zero();
    }
    Capacity& c = it->second;
    const TimePoint now = clock_.now();
    const TimePoint start = std::max(now, c.busy_until);
    const auto waiting = c.service.count() == 0 ? 0 : (start - now) / c.service;
    if (static_cast<std::size_t>(waiting) >= c.queue) {
        return std::nullopt;
    }
    c.busy_until = start + c.service;
    return c.busy_until - now;
}

void FakeTransport::poll(TimePoint deadline, TransportSink& sink) {
    if (events_.empty() || events_.begin()->first.first > deadline) {
        if (deadline > clock_.now()) {
            clock_.set(deadline);
        }
        return;
    }
    const TimePoint at = events_.begin()->first.first;
    if (at > clock_.now()) {
        clock_.set(at);
    }
    while (!events_.empty() && events_.begin()->first.first <= clock_.now()) {
        Event e = std::move(events_.begin()->second);
        events_.erase(events_.begin());
        if (e.tcp) {
            if (cancelled_.count(e.token) != 0) {
                continue;
            }
            if (e.bytes.empty()) {
                sink.on_tcp_error(e.token);
            } else {
                sink.on_tcp_answer(e.token, e.bytes);
            }
        } else {
            sink.on_datagram(e.socket, e.from, e.bytes);
        }
    }
}

} // namespace dg::dns::testing
