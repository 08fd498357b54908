#include "dg/diff/report.hpp"

#include "dg/model/json.hpp"

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

namespace dg::diff {
namespace {

using model::Change;
using model::ChangeType;
using nlohmann::json;

constexpr std::size_t kListedDomains = 10;
const std::string kRule(70, '=');

json parse_value(const std::string& text) {
    json v = json::parse(text, nullptr, /*allow_exceptions=*/false);
    return v.is_discarded() ? json(text) : v;
}

/// A value for people: strings without quotes, null as `none`.
std::string plain(const json& v, const char* none) {
    if (v.is_null()) {
        return none;
    }
    if (v.is_string()) {
        return v.get<std::string>();
    }
    return v.dump();
}

std::string asn_text(const json& v) {
    return v.is_number() ? "AS" + v.dump() : plain(v, "unrouted");
}

std::string chain_text(const json& v) {
    if (!v.is_array() || v.empty()) {
        return plain(v.is_array() ? json(nullptr) : v, "(none)");
    }
    std::string out;
    for (const auto& t : v) {
        out += (out.empty() ? "" : " > ") + plain(t, "?");
    }
    return out;
}

/// " of 192.0.2.1 (A of the domain)", " of 198.51.100.1 (A of name server ns1.example.net)";
/// "" for a change without a subject.
std::string subject_text(const Change& c) {
    if (!c.subject) {
        return "";
    }
    const auto& s = *c.subject;
    std::string owner = "the domain";
    if (s.role == "ns") {
        owner = "name server " + s.host;
    } else if (s.role == "mx") {
        owner = "mail host " + s.host;
    }
    return " of " + s.address + " (" + s.record + " of " + owner + ")";
}

bool is_only_in_a(const Change& c) {
    return c.type == ChangeType::StatusChanged && c.to_json == "null";
}

bool is_only_in_b(const Change& c) {
    return c.type == ChangeType::StatusChanged && c.from_json == "null";
}

void list_domains(std::string& out, const char* title, char mark, std::uint64_t total,
                  const std::vector<const Change*>& sample) {
    if (total == 0) {
        return;
    }
    out += std::string(title) + ": " + std::to_string(total) + "\n";
    for (const Change* c : sample) {
        out += std::string("   ") + mark + ' ' + c->domain + " (" +
               plain(parse_value(mark == '+' ? c->to_json : c->from_json), "?") + ")\n";
    }
    if (total > sample.size()) {
        out += "   ... and " + std::to_string(total - sample.size()) + " more\n";
    }
    out += "\n";
}

std::string scan_line(const char* label, const model::Scan& scan, std::uint64_t domains) {
    return std::string(label) + std::to_string(scan.id) + " (" +
           model::format_utc(scan.started_at) + ", " + model::scan_status_name(scan.status) +
           "): " + std::to_string(domains) + " domains\n";
}

void change_types(std::string& out, const Summary& s) {
    std::vector<std::pair<std::uint64_t, std::size_t>> rows;
    for (std::size_t i = 0; i < s.by_type.size(); ++i) {
        if (s.by_type[i] > 0) {
            rows.emplace_back(s.by_type[i], i);
        }
    }
    std::stable_sort(rows.begin(), rows.end(),
                     [](const auto& x, const auto& y) { return x.first > y.first; });
    out += "Change types:\n";
    for (const auto& [n, i] : rows) {
        out += std::string("   - ") + model::change_type_name(static_cast<ChangeType>(i)) + ": " +
               std::to_string(n) + "\n";
    }
    out += "\n";
}

} // namespace

json to_json(const Summary& s) {
    json by_type = json::object();
    for (std::size_t i = 0; i < s.by_type.size(); ++i) {
        by_type[model::change_type_name(static_cast<ChangeType>(i))] = s.by_type[i];
    }
    return json{{"scan_a", s.scan_a},
                {"scan_b", s.scan_b},
                {"domains_a", s.domains_a},
                {"domains_b", s.domains_b},
                {"domains_compared", s.domains_compared},
                {"domains_changed", s.domains_changed},
                {"domains_only_in_a", s.domains_only_in_a},
                {"domains_only_in_b", s.domains_only_in_b},
                {"changes", s.changes},
                {"by_type", by_type},
                {"by_severity", json{{"info", s.by_severity[0]}, {"warning", s.by_severity[1]}}}};
}

std::string json_report(const Summary& s, std::span<const Change> changes, const ScanPair* scans) {
    std::string out = "{\"summary\": " + to_json(s).dump();
    if (scans != nullptr) {
        auto one = [](const model::Scan& scan, const std::string& how) {
            return json{{"id", scan.id},
                        {"started_at", model::format_utc(scan.started_at)},
                        {"status", model::scan_status_name(scan.status)},
                        {"resolved", how}};
        };
        out += ", \"scans\": " +
               json{{"a", one(scans->a, scans->how_a)}, {"b", one(scans->b, scans->how_b)}}.dump();
    }
    out += ", \"changes\": [";
    for (std::size_t i = 0; i < changes.size(); ++i) {
        out += i == 0 ? "\n" : ",\n";
        out += model::to_json(changes[i]).dump();
    }
    out += changes.empty() ? "]}\n" : "\n]}\n";
    return out;
}

std::string describe(const Change& c) {
    const json from = parse_value(c.from_json);
    const json to = parse_value(c.to_json);
    switch (c.type) {
    case ChangeType::AAdded:
        return "A record added: " + plain(to, "?");
    case ChangeType::ARemoved:
        return "A record removed: " + plain(from, "?");
    case ChangeType::AaaaAdded:
        return "AAAA record added: " + plain(to, "?");
    case ChangeType::AaaaRemoved:
        return "AAAA record removed: " + plain(from, "?");
    case ChangeType::AsnChanged:
        return "origin AS" + subject_text(c) + " changed: " + asn_text(from) + " -> " +
               asn_text(to);
    case ChangeType::PrefixChanged:
        return "prefix" + subject_text(c) + " changed: " + plain(from, "unrouted") + " -> " +
               plain(to, "unrouted");
    case ChangeType::OrgChanged:
        return "organisation" + subject_text(c) + " changed: " + plain(from, "unknown") + " -> " +
               plain(to, "unknown");
    case ChangeType::RpkiChanged:
        return "RPKI state of the route" + subject_text(c) + " changed: " + plain(from, "?") +
               " -> " + plain(to, "?");
    case ChangeType::NsAdded:
        return "name server added: " + plain(to, "?");
    case ChangeType::NsRemoved:
        return "name server removed: " + plain(from, "?");
    case ChangeType::MxAdded:
        return "mail server added: " + plain(to, "?");
    case ChangeType::MxRemoved:
        return "mail server removed: " + plain(from, "?");
    case ChangeType::MxPreferenceChanged:
        return "MX preference changed for " +
               plain(from.is_object() ? from.value("host", json()) : json(), "?") + ": " +
               plain(from.is_object() ? from.value("preference", json()) : from, "?") + " -> " +
               plain(to.is_object() ? to.value("preference", json()) : to, "?");
    case ChangeType::CnameChanged:
        return "CNAME changed: " + chain_text(from) + " -> " + chain_text(to);
    case ChangeType::StatusChanged:
        return "status changed: " + plain(from, "(not in scan)") + " -> " +
               plain(to, "(not in scan)");
    }
    return model::change_type_name(c.type);
}

std::string text_report(const Summary& s, std::span<const Change> changes,
                        const ReportScans& scans) {
    std::string out = kRule + "\nSCAN COMPARISON REPORT\n" + kRule + "\n\n";
    out += scan_line("Previous scan: ", scans.a, s.domains_a);
    out += scan_line("Current scan:  ", scans.b, s.domains_b);
    for (const auto* how : {&scans.how_a, &scans.how_b}) {
        if (how->find('\'') != std::string::npos) { // an alias: say what it resolved to
            out += "   " + *how + "\n";
        }
    }
    out += "\n";

    std::vector<const Change*> added;
    std::vector<const Change*> removed;
    for (const Change& c : changes) {
        if (is_only_in_b(c) && added.size() < kListedDomains) {
            added.push_back(&c);
        } else if (is_only_in_a(c) && removed.size() < kListedDomains) {
            removed.push_back(&c);
        }
    }
    list_domains(out, "Added domains", '+', s.domains_only_in_b, added);
    list_domains(out, "Removed domains", '-', s.domains_only_in_a, removed);

    if (s.domains_changed == 0) {
        out += "No infrastructure changes detected in the " + std::to_string(s.domains_compared) +
               " domains of both scans\n\n" + kRule + "\n";
        return out;
    }
    out += "Domains with infrastructure changes: " + std::to_string(s.domains_changed) + " of " +
           std::to_string(s.domains_compared) + "\n";
    out += "   Total changes detected: " + std::to_string(s.changes) +
           " (warning: " + std::to_string(s.by_severity[1]) +
           ", info: " + std::to_string(s.by_severity[0]) + ")\n\n";
    change_types(out, s);
    out += "Detailed changes:\n";
    std::string_view current;
    for (const Change& c : changes) {
        if (is_only_in_a(c) || is_only_in_b(c)) {
            continue;
        }
        if (c.domain != current) {
            current = c.domain;
            out += "\n   " + c.domain + ":\n";
        }
        out +=
            std::string("      [") + model::severity_name(c.severity) + "] " + describe(c) + "\n";
    }
    out += "\n" + kRule + "\n";
    return out;
}

} // namespace dg::diff
