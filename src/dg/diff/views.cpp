#include "dg/diff/views.hpp"

#include "dg/diff/diff.hpp"
#include "dg/diff/report.hpp"
#include "dg/model/json.hpp"

#include <algorithm>
#include <map>
#include <string_view>

namespace dg::diff {
namespace {

using nlohmann::json;

/// The statuses the DNS engine names (dg/dns/resolver.hpp), in its order.
constexpr std::string_view kStatuses[] = {"NOERROR", "NODATA",  "NXDOMAIN",  "SERVFAIL", "REFUSED",
                                          "FORMERR", "TIMEOUT", "MALFORMED", "INVALID"};

std::string pad(std::string s, std::size_t width) {
    if (s.size() < width) {
        s.append(width - s.size(), ' ');
    }
    return s;
}

/// "192.0.2.1 (192.0.2.0/24 AS64496 Example Org)" or "192.0.2.1 (unrouted)".
std::string address_text(const model::IpMapping& m) {
    std::string out = m.ip.to_string() + " (";
    if (!m.asn && !m.prefix) {
        return out + "unrouted)";
    }
    out += m.prefix ? m.prefix->to_string() : "-";
    out += m.asn ? " AS" + m.asn->to_string() : " unrouted";
    if (m.origins.size() > 1) {
        out += " MOAS";
        for (const Asn& o : m.origins) {
            out += " AS" + o.to_string();
        }
    }
    if (m.org) {
        out += " " + *m.org;
    }
    return out + ")";
}

std::string addresses_text(const std::vector<model::IpMapping>& v) {
    std::string out;
    for (const auto& m : v) {
        out += (out.empty() ? "" : ", ") + address_text(m);
    }
    return out.empty() ? "(none)" : out;
}

void result_lines(std::string& out, const model::DomainResult& r) {
    if (r.error) {
        out += "  error  " + *r.error + "\n";
    }
    if (!r.cname.empty()) {
        std::string chain;
        for (const auto& c : r.cname) {
            chain += (chain.empty() ? "" : " > ") + c.target;
        }
        out += "  CNAME  " + chain + "\n";
    }
    out += "  A      " + addresses_text(r.a) + "\n";
    out += "  AAAA   " + addresses_text(r.aaaa) + "\n";
    for (const auto& ns : r.ns) {
        out += "  NS     " + ns.host + ": " + addresses_text(ns.ips) + "\n";
    }
    for (const auto& mx : r.mx) {
        out += "  MX     " + std::to_string(mx.preference) + " " + mx.host + ": " +
               addresses_text(mx.ips) + "\n";
    }
}

} // namespace

json scans_json(const std::vector<model::Scan>& scans) {
    json out = json::array();
    for (const auto& s : scans) {
        out.push_back(model::to_json(s));
    }
    return out;
}

std::string scans_text(const std::vector<model::Scan>& scans) {
    if (scans.empty()) {
        return "No scans in the database.\n";
    }
    std::vector<std::vector<std::string>> rows{{"ID", "STATUS", "STARTED", "DONE/TOTAL", "NOTES"}};
    for (const auto& s : scans) {
        rows.push_back({std::to_string(s.id), model::scan_status_name(s.status),
                        model::format_utc(s.started_at),
                        std::to_string(s.domains_done) + "/" + std::to_string(s.domains_total),
                        s.notes});
    }
    std::vector<std::size_t> width(rows.front().size(), 0);
    for (const auto& row : rows) {
        for (std::size_t i = 0; i < row.size(); ++i) {
            width[i] = std::max(width[i], row[i].size());
        }
    }
    std::string out;
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            line += i + 1 == row.size() ? row[i] : pad(row[i], width[i] + 2);
        }
        while (!line.empty() && line.back() == ' ') {
            line.pop_back();
        }
        out += line + "\n";
    }
    return out;
}

Result<std::vector<StatusCount>> status_counts(store::Store& store, std::int64_t scan_id) {
    DG_TRY(std::uint64_t total, store.count_results(scan_id, {}));
    std::vector<StatusCount> out;
    std::uint64_t known = 0;
    for (std::string_view s : kStatuses) {
        store::ResultFilter filter;
        filter.status = std::string(s);
        DG_TRY(std::uint64_t n, store.count_results(scan_id, filter));
        if (n > 0) {
            out.push_back({std::string(s), n});
            known += n;
        }
    }
    if (total > known) {
        out.push_back({"other", total - known});
    }
    return out;
}

json scan_json(const model::Scan& scan, const std::vector<StatusCount>& counts) {
    json j = model::to_json(scan);
    json results = json::object();
    std::uint64_t total = 0;
    for (const auto& c : counts) {
        results[c.status] = c.count;
        total += c.count;
    }
    j["results"] = results;
    j["results_total"] = total;
    return j;
}

std::string scan_text(const model::Scan& scan, const std::vector<StatusCount>& counts) {
    std::string out;
    auto row = [&](const char* key, const std::string& value) {
        out += pad(key, 15) + value + "\n";
    };
    row("Scan:", std::to_string(scan.id));
    row("Status:", model::scan_status_name(scan.status));
    if (!scan.status_detail.empty()) {
        row("Reason:", scan.status_detail);
    }
    row("Started:", model::format_utc(scan.started_at));
    row("Finished:", scan.finished_at ? model::format_utc(*scan.finished_at) : "-");
    row("Domains:",
        std::to_string(scan.domains_done) + " done of " + std::to_string(scan.domains_total));
    row("RIB:", scan.rib_path.empty() ? "-" : scan.rib_path);
    if (!scan.rib_hash.empty()) {
        row("RIB hash:", scan.rib_hash);
    }
    row("Notes:", scan.notes.empty() ? "-" : scan.notes);
    out += "Results by status:\n";
    if (counts.empty()) {
        out += "  (none)\n";
    }
    for (const auto& c : counts) {
        out += "  " + pad(c.status, 11) + std::to_string(c.count) + "\n";
    }
    return out;
}

Result<std::vector<HistoryEntry>> domain_history(store::Store& store, const std::string& domain) {
    DG_TRY(auto scans, store.list_scans());
    std::map<std::int64_t, const model::Scan*> by_id;
    for (const auto& s : scans) {
        by_id.emplace(s.id, &s);
    }
    std::vector<HistoryEntry> out;
    DG_TRY_VOID(store.domain_history(domain, [&](const store::StoredResult& r) {
        HistoryEntry e;
        const auto it = by_id.find(r.scan_id);
        if (it != by_id.end()) {
            e.scan = *it->second;
        } else {
            e.scan.id = r.scan_id; // created after list_scans(): still show it
        }
        e.result = r.result;
        out.push_back(std::move(e));
        return true;
    }));
    return out;
}

json history_json(const std::vector<HistoryEntry>& entries) {
    json out = json::array();
    for (const auto& e : entries) {
        out.push_back(json{{"scan_id", e.scan.id},
                           {"started_at", model::format_utc(e.scan.started_at)},
                           {"scan_status", model::scan_status_name(e.scan.status)},
                           {"result", model::to_json(e.result)}});
    }
    return out;
}

std::string history_text(const std::string& domain, const std::vector<HistoryEntry>& entries) {
    if (entries.empty()) {
        return domain + ": in no stored scan\n";
    }
    std::string out = domain + ": " + std::to_string(entries.size()) + " scan(s)\n";
    const HistoryEntry* previous = nullptr;
    for (const auto& e : entries) {
        out += "\nscan " + std::to_string(e.scan.id) + "  " + model::format_utc(e.scan.started_at) +
               "  " + e.result.status + "\n";
        result_lines(out, e.result);
        if (previous != nullptr) {
            const auto changes = compare(previous->result, e.result);
            out += "  changes since scan " + std::to_string(previous->scan.id) + ":" +
                   (changes.empty() ? " none" : "") + "\n";
            for (const auto& c : changes) {
                out += std::string("    [") + model::severity_name(c.severity) + "] " +
                       describe(c) + "\n";
            }
        }
        previous = &e;
    }
    return out;
}

} // namespace dg::diff
