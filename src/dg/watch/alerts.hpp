#pragma once
// Alerts of a watch run (issue 18): which changes become alerts (rules), their stable ids, and
// their delivery to the watch's sinks with retries and dead letters.
//
// Sinks: a webhook (http:// or https://; JSON body, X-Domaingraph-Signature: sha256=<HMAC-SHA256
// of the raw body>), syslog (syslog://HOST:PORT over UDP, or syslog: for the local socket; RFC
// 5424 with the JSON body as message).

#include "dg/analytics/analytics.hpp"
#include "dg/core/result.hpp"
#include "dg/model/model.hpp"
#include "dg/store/store.hpp"
#include "dg/watch/watch.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dg::watch {

/// Which changes alert, and when (a watch's `rules` YAML; every key optional):
///   min_severity: warning             # info (default) or warning
///   types: [asn_changed, ns_removed]  # change types (default: all)
///   min_domains: 10                   # a run alerts only when its matching changes concern at
///   min_share: 5%                     # least this many domains / this share of the list
///   quiet_hours: "22:00-07:00"        # UTC; alerts are stored at once, sent when it ends
///   dedup: 1d                         # the same change alerted within this window: not again
///   provider_shift: 5                 # an AS or organisation whose share of the list's domains
///                                     # moved by 5 percentage points or more since the previous
///                                     # run (diff --providers): one alert per provider
struct Rules {
    model::Severity min_severity = model::Severity::Info;
    std::vector<model::ChangeType> types;     ///< empty: every type
    std::uint64_t min_domains = 0;            ///< 0: no threshold
    double min_share = 0;                     ///< of the list's domains, 0..1; 0: no threshold
    std::optional<std::pair<int, int>> quiet; ///< [start, end) minutes of the UTC day
    std::int64_t dedup_seconds = 0;           ///< 0: every run alerts its changes
    double provider_shift_pp = 0;             ///< 0: no provider-shift alerts
    [[nodiscard]] bool matches(const model::Change& c) const;
    /// When a delivery of an alert created at `now` may first be sent (the end of quiet hours).
    [[nodiscard]] model::UnixTime send_after(model::UnixTime now) const;
};
/// Errors: InvalidArgument naming the key or value.
Result<Rules> parse_rules(const std::string& yaml);

struct Alert {
    std::string id;
    std::string watch;
    std::int64_t scan_id = 0;
    std::string domain;
    std::string severity;
    nlohmann::json change; ///< the diff change object
    model::UnixTime created_at = 0;
};

/// The stable id of an alert: the same change found by the same run has the same id, so that a
/// receiver can de-duplicate a delivery repeated after a crash. 32 hex digits.
std::string alert_id(std::string_view watch, std::int64_t scan_id, const nlohmann::json& change);
/// {"id", "watch", "scan_id", "domain", "change", "severity", "created_at"} (ISO 8601 UTC).
nlohmann::json alert_json(const Alert& a);

/// A change of the whole list rather than of one domain: a provider's share moved. Its alert has
/// an empty domain; `change` is {"type": "provider_shift", "level": "as"|"organisation", "asn"
/// (ASes), "name", "domains_a", "domains_b", "share_a", "share_b", "delta_pp", "change",
/// "threshold_pp", "previous_scan"}.
struct ListChange {
    nlohmann::json change;
    model::Severity severity = model::Severity::Warning;
};
/// The providers of `shifts` whose share moved by at least `threshold_pp` points (those that
/// appeared or disappeared included when they did), ASes first, largest moves first.
std::vector<ListChange> provider_shift_changes(const analytics::ProviderShifts& shifts,
                                               double threshold_pp, std::int64_t previous_scan);

/// What the rules did with a run's changes besides alerting.
struct RulesReport {
    std::uint64_t not_matching = 0;    ///< changes of other types or lower severity
    std::uint64_t below_threshold = 0; ///< matching changes of a run under min_domains/min_share
    std::uint64_t repeated = 0;        ///< already alerted within the dedup window
    std::optional<model::UnixTime> held_until; ///< deliveries wait for the end of quiet hours
};

/// Stores the alerts of a run and one pending delivery per sink (already stored ids are kept as
/// they are), by the watch's rules; `list_size` (the run's domains) is the base of min_share.
/// `list_changes` (provider shifts) alert as they are: the rules chose them already, and the
/// domain thresholds do not apply to them. Returns the alerts stored now.
Result<std::vector<Alert>> record_alerts(store::Store& store, const Watch& w, std::int64_t scan_id,
                                         const std::vector<model::Change>& changes,
                                         model::UnixTime now, std::uint64_t list_size = 0,
                                         RulesReport* report = nullptr,
                                         const std::vector<ListChange>& list_changes = {});
Result<std::vector<Alert>> list_alerts(store::Store& store, std::string_view watch);
/// A place in the alerts of every watch, in the order they were stored: (created_at, id).
struct AlertCursor {
    model::UnixTime created_at = 0;
    std::string id;
};
/// The alerts of every watch after `after`, oldest first, at most `limit` (live updates).
Result<std::vector<Alert>> alerts_after(store::Store& store, const AlertCursor& after,
                                        std::size_t limit);
/// The cursor of the newest alert (a zero cursor when there is none).
Result<AlertCursor> newest_alert(store::Store& store);

/// Sends one alert's body to one sink. Errors: Unavailable (try again later), InvalidArgument.
using Sender = std::function<Result<void>(const std::string& sink, const std::string& body,
                                          const std::string& secret, const std::string& severity)>;
/// The real sender: webhook or syslog by the sink's scheme.
Result<void> send_to_sink(const std::string& sink, const std::string& body,
                          const std::string& secret, const std::string& severity);
/// Errors: InvalidArgument naming the accepted forms.
Result<void> check_sink(std::string_view sink);

struct DeliveryPolicy {
    int max_attempts = 5;                  ///< then the delivery is a dead letter
    std::chrono::seconds first_backoff{1}; ///< doubles per failed attempt ...
    std::chrono::seconds max_backoff{300}; ///< ... up to this
    /// A delivery being sent is claimed for this long (longer than one attempt may take): two
    /// servers never send it at once, and one killed while sending leaves it to another after.
    std::chrono::seconds claim{15};
};

struct DeliveryReport {
    std::uint64_t delivered = 0;
    std::uint64_t failed_attempts = 0;
    std::uint64_t dead = 0;
    std::uint64_t pending = 0;               ///< still to try after this pass
    std::optional<model::UnixTime> next_due; ///< the earliest pending retry
};

/// One pass over the due deliveries (of `watch`, or of every watch when empty): each is claimed
/// (DeliveryPolicy::claim) and sent;
/// success marks it delivered, failure schedules a retry with backoff or, after max_attempts,
/// leaves it as a dead letter with its last error.
Result<DeliveryReport> deliver_due(store::Store& store, std::string_view watch, model::UnixTime now,
                                   const Sender& send, const DeliveryPolicy& policy = {});

} // namespace dg::watch
