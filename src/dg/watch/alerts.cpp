#include "dg/watch/alerts.hpp"

#include "dg/analytics/report_json.hpp"
#include "dg/core/sha256.hpp"
#include "dg/fetch/http_download.hpp"
#include "dg/model/json.hpp"
#include "dg/watch/connection.hpp"
#include "dg/watch/watch.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <netdb.h>
#include <set>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

namespace dg::watch {
namespace {

using internal::connection;
using store::internal::Connection;
using store::internal::Row;
using store::internal::Transaction;
using store::internal::Value;

/// A webhook or e-mail attempt ends within this; DeliveryPolicy::claim must be longer.
constexpr long kWebhookTimeoutSeconds = 10;

Error bad_sink(std::string_view sink) {
    return make_error(ErrorCode::InvalidArgument,
                      "alert sink '" + std::string(sink) +
                          "': give a webhook URL (http://... or https://...), syslog://HOST:PORT "
                          "(UDP), syslog: (the local syslog socket), "
                          "smtp://HOST:PORT?to=ADDR[&from=ADDR] or mailto:ADDR");
}

/// This machine's name, or `fallback` when it has none.
std::string host_name_or(const char* fallback) {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') {
        return fallback;
    }
    return host;
}

/// %XX escapes of a URL's query value decoded ("a%40b.example" is "a@b.example").
std::string percent_decoded(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() &&
            std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
            out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

/// An e-mail sink: smtp://HOST[:PORT]?to=ADDR[,ADDR...][&to=...][&from=ADDR] (smtps:// for TLS
/// from the start), or mailto:ADDR[,ADDR...] through $DOMAINGRAPH_SMTP (default
/// smtp://localhost:25).
struct MailSink {
    std::string server; ///< smtp://HOST:PORT
    std::string from;
    std::vector<std::string> to;
};

bool plausible_address(std::string_view a) {
    const auto at = a.find('@');
    return at != std::string_view::npos && at > 0 && at + 1 < a.size() &&
           a.find_first_of(" <>,\r\n") == std::string_view::npos;
}

void add_addresses(std::string_view list, std::vector<std::string>& out) {
    std::size_t start = 0;
    while (start <= list.size()) {
        const auto comma = std::min(list.find(',', start), list.size());
        if (comma > start) {
            out.push_back(percent_decoded(list.substr(start, comma - start)));
        }
        start = comma + 1;
    }
}

Result<MailSink> parse_mail_sink(std::string_view sink) {
    MailSink m;
    if (sink.starts_with("mailto:")) {
        const char* env = std::getenv("DOMAINGRAPH_SMTP");
        m.server = env != nullptr && *env != '\0' ? env : "smtp://localhost:25";
        add_addresses(sink.substr(7), m.to);
    } else {
        const auto q = sink.find('?');
        m.server = std::string(sink.substr(0, q));
        std::string_view query = q == std::string_view::npos ? "" : sink.substr(q + 1);
        while (!query.empty()) {
            const auto amp = std::min(query.find('&'), query.size());
            const std::string_view param = query.substr(0, amp);
            if (param.starts_with("to=")) {
                add_addresses(param.substr(3), m.to);
            } else if (param.starts_with("from=")) {
                m.from = percent_decoded(param.substr(5));
            } else {
                return make_error(ErrorCode::InvalidArgument,
                                  "alert sink '" + std::string(sink) + "': unknown parameter '" +
                                      std::string(param) + "' (known: to, from)");
            }
            query = amp < query.size() ? query.substr(amp + 1) : std::string_view{};
        }
        if (m.server.size() <= std::string_view("smtp://").size()) {
            return bad_sink(sink);
        }
    }
    if (m.from.empty()) {
        m.from = "domaingraph@" + host_name_or("localhost");
    }
    if (m.to.empty()) {
        return make_error(ErrorCode::InvalidArgument,
                          "alert sink '" + std::string(sink) + "': no recipient (to=ADDR)");
    }
    for (const std::string& a : m.to) {
        if (!plausible_address(a)) {
            return make_error(ErrorCode::InvalidArgument, "alert sink '" + std::string(sink) +
                                                              "': '" + a +
                                                              "' is not an e-mail address");
        }
    }
    if (!plausible_address(m.from)) {
        return make_error(ErrorCode::InvalidArgument, "alert sink '" + std::string(sink) +
                                                          "': from '" + m.from +
                                                          "' is not an e-mail address");
    }
    return m;
}

/// RFC 5322 message of one alert: a subject an operator can triage from, the alert's JSON as the
/// body (the same object a webhook gets), its id as Message-ID and X-Domaingraph-Alert-Id.
std::string mail_message(const MailSink& m, const std::string& body, const std::string& severity) {
    const auto alert = nlohmann::json::parse(body, nullptr, false);
    auto field = [&](const char* key) {
        return alert.is_object() && alert.contains(key) && alert[key].is_string()
                   ? alert[key].get<std::string>()
                   : std::string();
    };
    std::string type;
    if (alert.is_object() && alert.contains("change") && alert["change"].is_object()) {
        type = alert["change"].value("type", "");
    }
    std::string to;
    for (const std::string& a : m.to) {
        to += (to.empty() ? "" : ", ") + a;
    }
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char date[64];
    std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    std::string text;
    text += "From: domaingraph <" + m.from + ">\r\n";
    text += "To: " + to + "\r\n";
    text += "Subject: [domaingraph " + severity + "] " + field("watch") + ": " + field("domain") +
            " " + type + "\r\n";
    text += std::string("Date: ") + date + "\r\n";
    text += "Message-ID: <" + field("id") + "@domaingraph>\r\n";
    text += "X-Domaingraph-Alert-Id: " + field("id") + "\r\n";
    text += "MIME-Version: 1.0\r\nContent-Type: application/json; charset=utf-8\r\n\r\n";
    const std::string pretty = alert.is_object() ? alert.dump(2) : body;
    for (char ch : pretty) {
        text += ch == '\n' ? std::string("\r\n") : std::string(1, ch);
    }
    text += "\r\n";
    return text;
}

Result<void> send_mail(std::string_view sink, const std::string& body,
                       const std::string& severity) {
    DG_TRY(const MailSink m, parse_mail_sink(sink));
    return fetch::smtp_send(m.server, {m.from, m.to, mail_message(m, body, severity)},
                            kWebhookTimeoutSeconds);
}

/// RFC 5424: <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - MSG (facility local0).
std::string syslog_message(const std::string& body, const std::string& severity) {
    const int level = severity == "warning" ? 4 : 6;
    const std::string host = host_name_or("-");
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return "<" + std::to_string(16 * 8 + level) + ">1 " + stamp + " " + host + " domaingraph " +
           std::to_string(::getpid()) + " alert - " + body;
}

Result<void> send_datagram(int family, const sockaddr* addr, socklen_t len, int type,
                           const std::string& message, const std::string& where) {
    const int fd = ::socket(family, type | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return make_error(ErrorCode::Unavailable, "syslog " + where + ": no socket");
    }
    const ssize_t sent = ::sendto(fd, message.data(), message.size(), 0, addr, len);
    ::close(fd);
    if (sent != static_cast<ssize_t>(message.size())) {
        return make_error(ErrorCode::Unavailable, "syslog " + where + ": not sent");
    }
    return ok();
}

Result<void> send_syslog(std::string_view sink, const std::string& message) {
    if (sink == "syslog:") {
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::snprintf(addr.sun_path, sizeof addr.sun_path, "/dev/log");
        return send_datagram(AF_UNIX, reinterpret_cast<const sockaddr*>(&addr), sizeof addr,
                             SOCK_DGRAM, message, "/dev/log");
    }
    const std::string hostport(sink.substr(std::string_view("syslog://").size()));
    const auto colon = hostport.rfind(':');
    std::string host = hostport.substr(0, colon);
    const std::string port = colon == std::string::npos ? "514" : hostport.substr(colon + 1);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    addrinfo hints{};
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0 || found == nullptr) {
        return make_error(ErrorCode::Unavailable, "syslog " + hostport + ": unknown host");
    }
    auto sent = send_datagram(found->ai_family, found->ai_addr, found->ai_addrlen, SOCK_DGRAM,
                              message, hostport);
    ::freeaddrinfo(found);
    return sent;
}

Result<void> send_webhook(const std::string& url, const std::string& body,
                          const std::string& secret) {
    std::vector<std::string> headers{"Content-Type: application/json"};
    if (!secret.empty()) {
        headers.push_back("X-Domaingraph-Signature: sha256=" + hmac_sha256_hex(secret, body));
    }
    DG_TRY(const auto response, fetch::http_post(url, body, headers, kWebhookTimeoutSeconds));
    if (response.status < 200 || response.status >= 300) {
        return make_error(ErrorCode::Unavailable,
                          "webhook " + url + " answered HTTP " + std::to_string(response.status));
    }
    return ok();
}

std::string effective_secret(const std::string& secret) {
    if (!secret.empty()) {
        return secret;
    }
    const char* env = std::getenv("DOMAINGRAPH_WEBHOOK_SECRET");
    return env != nullptr ? std::string(env) : std::string();
}

Error bad_rule(const std::string& what) {
    return make_error(ErrorCode::InvalidArgument, "alert rules: " + what);
}

/// "22:00-07:00" (UTC) into [start, end) minutes of the day.
Result<std::pair<int, int>> parse_quiet_hours(const std::string& text) {
    int h1 = 0;
    int m1 = 0;
    int h2 = 0;
    int m2 = 0;
    char tail = 0;
    if (std::sscanf(text.c_str(), "%d:%d-%d:%d%c", &h1, &m1, &h2, &m2, &tail) != 4 || h1 < 0 ||
        h1 > 23 || h2 < 0 || h2 > 24 || m1 < 0 || m1 > 59 || m2 < 0 || m2 > 59 ||
        h1 * 60 + m1 == h2 * 60 + m2) {
        return bad_rule("quiet_hours '" + text + "': give HH:MM-HH:MM in UTC, e.g. 22:00-07:00");
    }
    return std::pair<int, int>{h1 * 60 + m1, h2 * 60 + m2};
}

/// "5%" or 0.05 into 0.05.
Result<double> parse_share(const std::string& text) {
    const bool percent = !text.empty() && text.back() == '%';
    char* end = nullptr;
    const std::string number = percent ? text.substr(0, text.size() - 1) : text;
    double v = std::strtod(number.c_str(), &end);
    if (number.empty() || end != number.c_str() + number.size()) {
        return bad_rule("min_share '" + text + "': a share such as 5% or 0.05");
    }
    v = percent ? v / 100 : v;
    if (!(v > 0 && v <= 1)) {
        return bad_rule("min_share '" + text + "': between 0 and 100%");
    }
    return v;
}

/// "5", "5pp" or "5%": percentage points of the list's domains, above 0 and at most 100.
Result<double> parse_points(std::string text) {
    for (const char* unit : {"pp", "%"}) {
        if (text.ends_with(unit)) {
            text.resize(text.size() - std::char_traits<char>::length(unit));
        }
    }
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || !(v > 0 && v <= 100)) {
        return bad_rule(
            "provider_shift '" + text +
            "': percentage points of the list's domains, such as 5 (0 < points <= 100)");
    }
    return v;
}

/// The dedup key of a change: the same change (domain, type, subject, old and new values) in any
/// run of the watch.
std::string change_key(std::string_view watch, const nlohmann::json& change) {
    return sha256_hex(std::string(watch) + '\0' + change.dump()).substr(0, 32);
}

} // namespace

model::UnixTime Rules::send_after(model::UnixTime now) const {
    if (!quiet) {
        return now;
    }
    const auto [start, end] = *quiet;
    const model::UnixTime day = now - now % 86400;
    const int minute = static_cast<int>((now % 86400) / 60);
    const bool inside =
        start < end ? minute >= start && minute < end : minute >= start || minute < end;
    if (!inside) {
        return now;
    }
    const model::UnixTime end_today = day + static_cast<model::UnixTime>(end) * 60;
    return end_today > now ? end_today : end_today + 86400;
}

bool Rules::matches(const model::Change& c) const {
    if (static_cast<int>(c.severity) < static_cast<int>(min_severity)) {
        return false;
    }
    return types.empty() || std::find(types.begin(), types.end(), c.type) != types.end();
}

Result<Rules> parse_rules(const std::string& yaml) {
    Rules rules;
    if (yaml.empty()) {
        return rules;
    }
    YAML::Node root;
    try {
        root = YAML::Load(yaml);
    } catch (const YAML::Exception& e) {
        return make_error(ErrorCode::InvalidArgument, std::string("alert rules: ") + e.what());
    }
    if (root.IsNull()) {
        return rules;
    }
    if (!root.IsMap()) {
        return make_error(ErrorCode::InvalidArgument,
                          "alert rules: a mapping with min_severity and types");
    }
    for (const auto& kv : root) {
        const auto key = kv.first.as<std::string>();
        if (key == "min_severity") {
            const auto s = model::parse_severity(kv.second.as<std::string>(""));
            if (!s) {
                return make_error(ErrorCode::InvalidArgument,
                                  "alert rules: min_severity is info or warning");
            }
            rules.min_severity = *s;
        } else if (key == "types") {
            if (!kv.second.IsSequence()) {
                return make_error(ErrorCode::InvalidArgument,
                                  "alert rules: types is a list of change types");
            }
            for (const auto& t : kv.second) {
                const auto type = model::parse_change_type(t.as<std::string>(""));
                if (!type) {
                    return make_error(ErrorCode::InvalidArgument,
                                      "alert rules: unknown change type '" + t.as<std::string>("") +
                                          "' (see docs/cli/diff.md)");
                }
                rules.types.push_back(*type);
            }
        } else if (key == "min_domains") {
            const auto n = kv.second.as<long long>(-1);
            if (n < 1) {
                return bad_rule("min_domains is a number of domains (at least 1)");
            }
            rules.min_domains = static_cast<std::uint64_t>(n);
        } else if (key == "min_share") {
            DG_TRY(rules.min_share, parse_share(kv.second.as<std::string>("")));
        } else if (key == "quiet_hours") {
            DG_TRY(rules.quiet, parse_quiet_hours(kv.second.as<std::string>("")));
        } else if (key == "provider_shift") {
            DG_TRY(rules.provider_shift_pp, parse_points(kv.second.as<std::string>("")));
        } else if (key == "dedup") {
            auto window = parse_every(kv.second.as<std::string>(""));
            if (!window) {
                return bad_rule("dedup: " + window.error().message);
            }
            rules.dedup_seconds = *window;
        } else {
            return bad_rule("unknown key '" + key +
                            "' (known: min_severity, types, min_domains, min_share, "
                            "quiet_hours, dedup, provider_shift)");
        }
    }
    return rules;
}

std::string alert_id(std::string_view watch, std::int64_t scan_id, const nlohmann::json& change) {
    std::string key(watch);
    key += '\0';
    key += std::to_string(scan_id);
    key += '\0';
    key += change.dump();
    return sha256_hex(key).substr(0, 32);
}

nlohmann::json alert_json(const Alert& a) {
    return {{"id", a.id},
            {"watch", a.watch},
            {"scan_id", a.scan_id},
            {"domain", a.domain},
            {"change", a.change},
            {"severity", a.severity},
            {"created_at", model::format_utc(a.created_at)}};
}

Result<void> check_sink(std::string_view sink) {
    if (sink.starts_with("http://") || sink.starts_with("https://")) {
        return sink.size() > 8 ? ok() : Result<void>(bad_sink(sink));
    }
    if (sink == "syslog:" || (sink.starts_with("syslog://") && sink.size() > 9)) {
        return ok();
    }
    if (sink.starts_with("smtp://") || sink.starts_with("smtps://") ||
        sink.starts_with("mailto:")) {
        DG_TRY_VOID(parse_mail_sink(sink));
        return ok();
    }
    return bad_sink(sink);
}

Result<void> send_to_sink(const std::string& sink, const std::string& body,
                          const std::string& secret, const std::string& severity) {
    DG_TRY_VOID(check_sink(sink));
    if (sink.starts_with("syslog:")) {
        return send_syslog(sink, syslog_message(body, severity));
    }
    if (!sink.starts_with("http")) {
        return send_mail(sink, body, severity);
    }
    return send_webhook(sink, body, effective_secret(secret));
}

namespace {

/// Changes that pass the rules' filter and threshold; counts the others into `report`.
std::vector<const model::Change*> alerting_changes(const Rules& rules,
                                                   const std::vector<model::Change>& changes,
                                                   std::uint64_t list_size, RulesReport& report) {
    std::vector<const model::Change*> out;
    std::set<std::string_view> domains;
    for (const model::Change& change : changes) {
        if (!rules.matches(change)) {
            ++report.not_matching;
            continue;
        }
        out.push_back(&change);
        domains.insert(change.domain);
    }
    const bool below_count = domains.size() < rules.min_domains;
    const bool below_share =
        rules.min_share > 0 &&
        (list_size == 0 ||
         static_cast<double>(domains.size()) < rules.min_share * static_cast<double>(list_size));
    if (below_count || below_share) {
        report.below_threshold = out.size();
        out.clear();
    }
    return out;
}

Result<bool> alerted_within(Connection& c, const std::string& watch, const std::string& key,
                            model::UnixTime since) {
    bool found = false;
    DG_TRY_VOID(c.query("SELECT 1 FROM alerts WHERE watch = $1 AND change_key = $2 AND "
                        "created_at >= $3 LIMIT 1",
                        {Value(watch), Value(key), Value(since)}, [&](const Row&) {
                            found = true;
                            return false;
                        }));
    return found;
}

/// Stores one alert and a pending delivery per sink, unless the rules' dedup window saw the same
/// change or this run stored it already. The stored alert is appended to `out`.
struct AlertWriter {
    Connection& c;
    const Watch& w;
    const Rules& rules;
    std::int64_t scan_id;
    model::UnixTime now;
    model::UnixTime send_at;
    RulesReport& report;
    std::vector<Alert>& out;

    Result<void> write(nlohmann::json change, std::string domain, model::Severity severity) {
        Alert a;
        a.change = std::move(change);
        a.id = alert_id(w.name, scan_id, a.change);
        a.watch = w.name;
        a.scan_id = scan_id;
        a.domain = std::move(domain);
        a.severity = model::severity_name(severity);
        a.created_at = now;
        const std::string key = change_key(w.name, a.change);
        if (rules.dedup_seconds > 0) {
            DG_TRY(const bool seen, alerted_within(c, w.name, key, now - rules.dedup_seconds));
            if (seen) {
                ++report.repeated;
                return ok();
            }
        }
        bool inserted = false;
        DG_TRY_VOID(c.query("INSERT INTO alerts (id, watch, scan_id, domain, severity, "
                            "change, created_at, change_key) VALUES ($1, $2, $3, $4, $5, $6, "
                            "$7, $8) ON CONFLICT (id) DO NOTHING RETURNING id",
                            {Value(a.id), Value(a.watch), Value(a.scan_id), Value(a.domain),
                             Value(a.severity), Value(a.change.dump()), Value(now), Value(key)},
                            [&](const Row&) {
                                inserted = true;
                                return true;
                            }));
        if (!inserted) {
            return ok(); // the same change of the same run: stored (and delivered) once
        }
        for (const std::string& sink : w.sinks) {
            DG_TRY_VOID(c.query("INSERT INTO alert_deliveries (alert_id, sink, "
                                "next_attempt_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                                {Value(a.id), Value(sink), Value(send_at)}));
        }
        out.push_back(std::move(a));
        return ok();
    }
};

} // namespace

std::vector<ListChange> provider_shift_changes(const analytics::ProviderShifts& shifts,
                                               double threshold_pp, std::int64_t previous_scan) {
    std::vector<ListChange> out;
    auto add = [&](const std::vector<analytics::ProviderShift>& list, const char* level) {
        for (const analytics::ProviderShift& p : list) {
            if (std::abs(p.delta()) < threshold_pp) {
                continue;
            }
            const auto shift = analytics::to_json(p);
            nlohmann::json change = {{"type", "provider_shift"}, {"level", level}};
            for (const auto& [k, v] : shift.items()) {
                change[k] = v;
            }
            change["threshold_pp"] = threshold_pp;
            change["previous_scan"] = previous_scan;
            out.push_back(ListChange{std::move(change), model::Severity::Warning});
        }
    };
    add(shifts.asns, "as");
    add(shifts.orgs, "organisation");
    return out;
}

Result<std::vector<Alert>> record_alerts(store::Store& store, const Watch& w, std::int64_t scan_id,
                                         const std::vector<model::Change>& changes,
                                         model::UnixTime now, std::uint64_t list_size,
                                         RulesReport* report,
                                         const std::vector<ListChange>& list_changes) {
    DG_TRY(Connection * c, connection(store));
    DG_TRY(const Rules rules, parse_rules(w.rules));
    RulesReport local;
    RulesReport& r = report != nullptr ? *report : local;
    const model::UnixTime send_at = rules.send_after(now);
    if (send_at > now) {
        r.held_until = send_at;
    }
    std::vector<Alert> out;
    Transaction tx(*c);
    DG_TRY_VOID(tx.begin());
    AlertWriter writer{*c, w, rules, scan_id, now, send_at, r, out};
    for (const model::Change* change : alerting_changes(rules, changes, list_size, r)) {
        DG_TRY_VOID(writer.write(model::to_json(*change), change->domain, change->severity));
    }
    for (const ListChange& change : list_changes) {
        DG_TRY_VOID(writer.write(change.change, "", change.severity));
    }
    DG_TRY_VOID(tx.commit());
    return out;
}

namespace {

Result<std::vector<Alert>> query_alerts(Connection& c, const std::string& where_order,
                                        std::initializer_list<Value> params) {
    std::vector<Alert> out;
    DG_TRY_VOID(c.query("SELECT id, watch, scan_id, domain, severity, change, created_at FROM "
                        "alerts WHERE " +
                            where_order,
                        params, [&](const Row& row) {
                            Alert a;
                            a.id = row.text(0);
                            a.watch = row.text(1);
                            a.scan_id = row.integer(2);
                            a.domain = row.text(3);
                            a.severity = row.text(4);
                            a.change = nlohmann::json::parse(row.text(5), nullptr, false);
                            a.created_at = row.integer(6);
                            out.push_back(std::move(a));
                            return true;
                        }));
    return out;
}

} // namespace

Result<std::vector<Alert>> list_alerts(store::Store& store, std::string_view watch) {
    DG_TRY(Connection * c, connection(store));
    return query_alerts(*c, "watch = $1 ORDER BY created_at, scan_id, domain, id",
                        {Value(std::string(watch))});
}

Result<std::vector<Alert>> alerts_after(store::Store& store, const AlertCursor& after,
                                        std::size_t limit) {
    DG_TRY(Connection * c, connection(store));
    return query_alerts(
        *c,
        "created_at > $1 OR (created_at = $1 AND id > $2) ORDER BY created_at, "
        "id LIMIT $3",
        {Value(after.created_at), Value(after.id), Value(static_cast<std::int64_t>(limit))});
}

Result<AlertCursor> newest_alert(store::Store& store) {
    DG_TRY(Connection * c, connection(store));
    AlertCursor cursor;
    DG_TRY_VOID(c->query("SELECT created_at, id FROM alerts ORDER BY created_at DESC, id DESC "
                         "LIMIT 1",
                         {}, [&](const Row& row) {
                             cursor.created_at = row.integer(0);
                             cursor.id = row.text(1);
                             return false;
                         }));
    return cursor;
}

Result<DeliveryReport> deliver_due(store::Store& store, std::string_view watch, model::UnixTime now,
                                   const Sender& send, const DeliveryPolicy& policy) {
    DG_TRY(Connection * c, connection(store));
    struct Due {
        std::string alert_id;
        std::string sink;
        int attempts = 0;
        std::string secret;
        Alert alert;
    };
    std::vector<Due> due;
    DG_TRY_VOID(c->query(
        "SELECT d.alert_id, d.sink, d.attempts, w.secret, a.watch, a.scan_id, a.domain, "
        "a.severity, a.change, a.created_at FROM alert_deliveries d JOIN alerts a ON a.id = "
        "d.alert_id JOIN watches w ON w.name = a.watch WHERE d.state = 'pending' AND "
        "d.next_attempt_at <= $1 AND ($2 = '' OR a.watch = $2) ORDER BY a.created_at, a.domain, "
        "d.alert_id, d.sink",
        {Value(now), Value(std::string(watch))}, [&](const Row& row) {
            Due d;
            d.alert_id = row.text(0);
            d.sink = row.text(1);
            d.attempts = static_cast<int>(row.integer(2));
            d.secret = row.text(3);
            d.alert.id = d.alert_id;
            d.alert.watch = row.text(4);
            d.alert.scan_id = row.integer(5);
            d.alert.domain = row.text(6);
            d.alert.severity = row.text(7);
            d.alert.change = nlohmann::json::parse(row.text(8), nullptr, false);
            d.alert.created_at = row.integer(9);
            due.push_back(std::move(d));
            return true;
        }));
    DeliveryReport report;
    for (const Due& d : due) {
        // Claimed first, so that of two servers delivering from one database only one sends;
        // a sender that dies holds the claim until it expires, then another one sends again.
        bool claimed = false;
        DG_TRY_VOID(c->query(
            "UPDATE alert_deliveries SET next_attempt_at = $3 WHERE alert_id = "
            "$1 AND sink = $2 AND state = 'pending' AND next_attempt_at <= $4 "
            "RETURNING 1",
            {Value(d.alert_id), Value(d.sink), Value(now + policy.claim.count()), Value(now)},
            [&](const Row&) {
                claimed = true;
                return true;
            }));
        if (!claimed) {
            continue;
        }
        const std::string body = alert_json(d.alert).dump();
        auto sent = send(d.sink, body, d.secret, d.alert.severity);
        const Value id(d.alert_id);
        const Value sink(d.sink);
        if (sent) {
            ++report.delivered;
            DG_TRY_VOID(c->query("UPDATE alert_deliveries SET state = 'delivered', attempts = "
                                 "attempts + 1, delivered_at = $3, last_error = NULL WHERE "
                                 "alert_id = $1 AND sink = $2",
                                 {id, sink, Value(now)}));
            continue;
        }
        ++report.failed_attempts;
        const int attempts = d.attempts + 1;
        if (attempts >= policy.max_attempts) {
            ++report.dead;
            DG_TRY_VOID(
                c->query("UPDATE alert_deliveries SET state = 'dead', attempts = $3, "
                         "last_error = $4 WHERE alert_id = $1 AND sink = $2",
                         {id, sink, Value(std::int64_t{attempts}), Value(sent.error().message)}));
            continue;
        }
        std::int64_t backoff = policy.first_backoff.count();
        for (int i = 1; i < attempts && backoff < policy.max_backoff.count(); ++i) {
            backoff *= 2;
        }
        backoff = std::min<std::int64_t>(backoff, policy.max_backoff.count());
        DG_TRY_VOID(c->query("UPDATE alert_deliveries SET attempts = $3, last_error = $4, "
                             "next_attempt_at = $5 WHERE alert_id = $1 AND sink = $2",
                             {id, sink, Value(std::int64_t{attempts}), Value(sent.error().message),
                              Value(now + backoff)}));
    }
    DG_TRY_VOID(c->query("SELECT count(*), MIN(next_attempt_at) FROM alert_deliveries d JOIN "
                         "alerts a ON a.id = d.alert_id WHERE d.state = 'pending' AND ($1 = '' "
                         "OR a.watch = $1)",
                         {Value(std::string(watch))}, [&](const Row& row) {
                             report.pending = static_cast<std::uint64_t>(row.integer(0));
                             if (!row.is_null(1)) {
                                 report.next_due = row.integer(1);
                             }
                             return false;
                         }));
    return report;
}

} // namespace dg::watch
