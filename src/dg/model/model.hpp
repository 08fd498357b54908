#pragma once
// What a domain scan produces and what the store keeps: plain value types shared by scan/, store/,
// diff and the exporters. JSON (the `scan --format jsonl` contract) lives in dg/model/json.hpp.

#include "dg/core/asn.hpp"
#include "dg/core/ip_address.hpp"
#include "dg/core/prefix.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dg::model {

/// Seconds since the Unix epoch, UTC. The store keeps every time in this form.
using UnixTime = std::int64_t;

/// One address and where it is routed: `{"ip", "prefix", "asn", "origins", "org"}` (and
/// `"rpki"`, `"rpki_reason"` when the scan validated routes).
/// Where an address is, by a MaxMind City or Country database (`--geo`).
struct GeoLocation {
    std::string country; ///< ISO 3166 alpha-2 (may be empty)
    std::string city;    ///< English name (may be empty; Country databases have none)
    std::optional<double> lat;
    std::optional<double> lon;

    bool operator==(const GeoLocation&) const = default;
};

struct IpMapping {
    IpAddress ip;
    std::optional<Prefix> prefix;     ///< longest matching prefix; empty when unrouted
    std::optional<Asn> asn;           ///< origin seen by most peers; empty when unrouted
    std::vector<Asn> origins;         ///< every origin of `prefix` (MOAS), most-seen first
    std::optional<std::string> org;   ///< organisation of `asn` (as2org), when known
    std::optional<std::uint32_t> ttl; ///< TTL of the A/AAAA record that gave `ip`
    /// RFC 6811 state of (prefix, asn) when the scan had VRPs (`--vrps`): "valid", "invalid",
    /// "not-found"; unrouted addresses have none. `rpki_reason`: "wrong-origin" or "too-specific"
    /// for an invalid route.
    std::optional<std::string> rpki;
    std::optional<std::string> rpki_reason;
    std::optional<GeoLocation> geo; ///< when the scan had a --geo database that knows `ip`

    bool operator==(const IpMapping&) const = default;
};

/// One step of a CNAME chain: `owner CNAME target`.
struct CnameRecord {
    std::string target;
    std::optional<std::uint32_t> ttl;

    bool operator==(const CnameRecord&) const = default;
};

/// A name server of the domain with its addresses: `{"host", "ips"}`.
struct NsRecord {
    std::string host;
    std::optional<std::uint32_t> ttl; ///< TTL of the NS record
    std::vector<IpMapping> ips;       ///< A and AAAA of `host`

    bool operator==(const NsRecord&) const = default;
};

/// A mail exchanger with its addresses: `{"preference", "host", "ips"}`.
struct MxRecord {
    std::uint16_t preference = 0;
    std::string host;
    std::optional<std::uint32_t> ttl; ///< TTL of the MX record
    std::vector<IpMapping> ips;

    bool operator==(const MxRecord&) const = default;
};

/// Everything one scan learned about one domain (one line of `scan --format jsonl`).
struct DomainResult {
    std::string domain; ///< canonical name (lower case, A-labels, no trailing dot)
    std::string status; ///< DNS outcome as named by the DNS engine, e.g. "NOERROR", "NXDOMAIN"
    std::optional<std::string> error; ///< human-readable detail when resolution failed
    std::vector<IpMapping> a;
    std::vector<IpMapping> aaaa;
    std::vector<CnameRecord> cname; ///< the chain from `domain`, in order
    std::vector<NsRecord> ns;
    std::vector<MxRecord> mx;
    UnixTime resolved_at = 0; ///< when the answer was obtained (not part of the JSON contract)

    bool operator==(const DomainResult&) const = default;
};

enum class ScanStatus : std::uint8_t { Running, Complete, Interrupted, Failed };
/// "running", "complete", "interrupted", "failed".
const char* scan_status_name(ScanStatus s);
std::optional<ScanStatus> parse_scan_status(std::string_view s);

/// One run of `scan` over a domain list.
struct Scan {
    std::int64_t id = 0;
    ScanStatus status = ScanStatus::Running;
    UnixTime started_at = 0;
    std::optional<UnixTime> finished_at;
    std::uint64_t domains_total = 0;
    std::uint64_t domains_done = 0; ///< domains with a stored result (maintained by the store)
    std::string notes;
    std::string rib_path;      ///< RIB (MRT dump) the scan mapped against
    std::string rib_hash;      ///< content hash of that RIB file, "xxh3-128:<32 hex digits>"
    std::string config_json;   ///< effective configuration as a JSON object ("" when none)
    std::string status_detail; ///< why the scan failed or stopped, e.g. the damaged input ("")

    bool operator==(const Scan&) const = default;
};

enum class ChangeType : std::uint8_t {
    AAdded,
    ARemoved,
    AaaaAdded,
    AaaaRemoved,
    AsnChanged,
    PrefixChanged,
    NsAdded,
    NsRemoved,
    MxAdded,
    MxRemoved,
    MxPreferenceChanged,
    CnameChanged,
    StatusChanged,
    OrgChanged,  ///< same origin AS, another organisation (as2org data)
    RpkiChanged, ///< the RFC 6811 state of an address's route changed (both scans had VRPs)
};
inline constexpr std::size_t kChangeTypeCount = 15;
/// "a_added", "a_removed", ..., "status_changed" (the `diff --format json` names).
const char* change_type_name(ChangeType t);
std::optional<ChangeType> parse_change_type(std::string_view s);

enum class Severity : std::uint8_t { Info, Warning };
/// "info", "warning".
const char* severity_name(Severity s);
std::optional<Severity> parse_severity(std::string_view s);

/// Which address a routing change (asn_changed, prefix_changed, org_changed) concerns: the
/// address, the record that gave it and the role of that record's owner.
struct ChangeSubject {
    std::string address; ///< "192.0.2.1"
    std::string record;  ///< "A" or "AAAA"
    std::string role;    ///< "domain" (the domain's own A/AAAA), "ns" or "mx" (a host's)
    std::string host;    ///< the NS or MX host; "" for role "domain"

    bool operator==(const ChangeSubject&) const = default;
};

/// One difference between two scans of a domain. `from`/`to` are JSON texts (an IP, an ASN,
/// a host, an object, or "null"), so that the store keeps them without knowing each type.
struct Change {
    std::string domain;
    ChangeType type = ChangeType::StatusChanged;
    Severity severity = Severity::Info;
    std::string from_json = "null";
    std::string to_json = "null";
    std::optional<ChangeSubject> subject; ///< set for asn_changed, prefix_changed, org_changed

    bool operator==(const Change&) const = default;
};

} // namespace dg::model
