#include "dg/watch/alerts.hpp"

#include "dg/core/sha256.hpp"
#include "dg/fetch/http_download.hpp"
#include "dg/model/json.hpp"
#include "dg/store/internal/connection.hpp"

#include <arpa/inet.h>
#include <cstdlib>
#include <ctime>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

namespace dg::watch {
namespace {

using store::internal::Connection;
using store::internal::Row;
using store::internal::Value;

Result<Connection*> connection(store::Store& store) {
    Connection* c = store.sql_connection();
    if (c == nullptr) {
        return make_error(ErrorCode::Unsupported, "this store keeps no alerts");
    }
    return c;
}

Error bad_sink(std::string_view sink) {
    return make_error(ErrorCode::InvalidArgument,
                      "alert sink '" + std::string(sink) +
                          "': give a webhook URL (http://... or https://...), syslog://HOST:PORT "
                          "(UDP) or syslog: (the local syslog socket)");
}

/// RFC 5424: <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - MSG (facility local0).
std::string syslog_message(const std::string& body, const std::string& severity) {
    const int level = severity == "warning" ? 4 : 6;
    char host[256] = "-";
    if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') {
        std::snprintf(host, sizeof host, "-");
    }
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
    DG_TRY(const auto response, fetch::http_post(url, body, headers, 30));
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

} // namespace

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
        } else {
            return make_error(ErrorCode::InvalidArgument, "alert rules: unknown key '" + key +
                                                              "' (known: min_severity, types)");
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
    return bad_sink(sink);
}

Result<void> send_to_sink(const std::string& sink, const std::string& body,
                          const std::string& secret, const std::string& severity) {
    DG_TRY_VOID(check_sink(sink));
    if (sink.starts_with("syslog:")) {
        return send_syslog(sink, syslog_message(body, severity));
    }
    return send_webhook(sink, body, effective_secret(secret));
}

Result<std::vector<Alert>> record_alerts(store::Store& store, const Watch& w, std::int64_t scan_id,
                                         const std::vector<model::Change>& changes,
                                         model::UnixTime now) {
    DG_TRY(Connection * c, connection(store));
    DG_TRY(const Rules rules, parse_rules(w.rules));
    std::vector<Alert> out;
    DG_TRY_VOID(c->begin());
    auto written = [&]() -> Result<void> {
        for (const model::Change& change : changes) {
            if (!rules.matches(change)) {
                continue;
            }
            Alert a;
            a.change = model::to_json(change);
            a.id = alert_id(w.name, scan_id, a.change);
            a.watch = w.name;
            a.scan_id = scan_id;
            a.domain = change.domain;
            a.severity = model::severity_name(change.severity);
            a.created_at = now;
            bool inserted = false;
            DG_TRY_VOID(c->query("INSERT INTO alerts (id, watch, scan_id, domain, severity, "
                                 "change, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON "
                                 "CONFLICT (id) DO NOTHING RETURNING id",
                                 {Value(a.id), Value(a.watch), Value(a.scan_id), Value(a.domain),
                                  Value(a.severity), Value(a.change.dump()), Value(now)},
                                 [&](const Row&) {
                                     inserted = true;
                                     return true;
                                 }));
            if (!inserted) {
                continue; // the same change of the same run: stored (and delivered) once
            }
            for (const std::string& sink : w.sinks) {
                DG_TRY_VOID(c->query("INSERT INTO alert_deliveries (alert_id, sink, "
                                     "next_attempt_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                                     {Value(a.id), Value(sink), Value(now)}));
            }
            out.push_back(std::move(a));
        }
        return ok();
    }();
    if (!written) {
        c->rollback();
        return written.error();
    }
    DG_TRY_VOID(c->commit());
    return out;
}

Result<std::vector<Alert>> list_alerts(store::Store& store, std::string_view watch) {
    DG_TRY(Connection * c, connection(store));
    std::vector<Alert> out;
    DG_TRY_VOID(c->query("SELECT id, watch, scan_id, domain, severity, change, created_at FROM "
                         "alerts WHERE watch = $1 ORDER BY created_at, scan_id, domain, id",
                         {Value(std::string(watch))}, [&](const Row& row) {
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
