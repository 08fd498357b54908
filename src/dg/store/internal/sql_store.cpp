#include "dg/store/internal/sql_store.hpp"

#include "dg/core/retry.hpp"
#include "dg/model/json.hpp"
#include "dg/store/external.hpp"
#include "dg/store/internal/migrations.hpp"

#include <algorithm>
#include <ctime>
#include <map>
#include <unordered_map>
#include <unordered_set>

namespace dg::store {

// Declared in store.hpp; defined here, in the target every backend links (dg_store_sql).
Error no_such_scan(std::int64_t id) {
    return make_error(ErrorCode::NotFound,
                      "no scan " + std::to_string(id) + " (see 'domaingraph scans list')");
}

} // namespace dg::store

namespace dg::store::internal {
namespace {

model::UnixTime now() {
    return static_cast<model::UnixTime>(std::time(nullptr));
}

std::string origins_json(const std::vector<Asn>& origins) {
    std::string s = "[";
    for (std::size_t i = 0; i < origins.size(); ++i) {
        if (i != 0) {
            s += ',';
        }
        s += std::to_string(origins[i].value());
    }
    s += ']';
    return s;
}

MappingRow mapping_row(const model::IpMapping& m, std::string_view role,
                       std::optional<std::string_view> host) {
    return MappingRow{role,
                      host,
                      IpText(m.ip),
                      m.prefix ? std::optional<IpText>(IpText(*m.prefix)) : std::nullopt,
                      m.asn ? std::optional<std::int64_t>(m.asn->value()) : std::nullopt,
                      origins_json(m.origins),
                      m.org ? std::optional<std::string_view>(*m.org) : std::nullopt,
                      m.ttl ? std::optional<std::int64_t>(*m.ttl) : std::nullopt};
}

void add_addresses(const std::vector<model::IpMapping>& ips, const char* role,
                   std::vector<MappingRow>& mappings) {
    for (const model::IpMapping& m : ips) {
        mappings.push_back(mapping_row(m, role, std::nullopt));
    }
}

void add_host_addresses(const std::string& host, const std::vector<model::IpMapping>& ips,
                        std::vector<MappingRow>& hosts) {
    for (const model::IpMapping& m : ips) {
        hosts.push_back(mapping_row(m, "host", host));
    }
}

const char* kScanColumns = "id, status, started_at, finished_at, domains_total, domains_done, "
                           "notes, rib_path, rib_hash, config, status_detail";

model::Scan scan_from_row(const Row& r) {
    model::Scan s;
    s.id = r.integer(0);
    s.status = model::parse_scan_status(r.text(1)).value_or(model::ScanStatus::Failed);
    s.started_at = r.integer(2);
    s.finished_at = r.opt_integer(3);
    s.domains_total = static_cast<std::uint64_t>(r.integer(4));
    s.domains_done = static_cast<std::uint64_t>(r.integer(5));
    s.notes = r.text(6);
    s.rib_path = r.text(7);
    s.rib_hash = r.text(8);
    s.config_json = r.text(9);
    s.status_detail = r.text(10);
    return s;
}

constexpr const char* kResultInsert =
    "INSERT INTO scan_results (scan_id, domain_id, status, error, "
    "resolved_at, result) VALUES ($1, $2, $3, $4, $5, $6)";
constexpr const char* kResultInsertHead =
    "INSERT INTO scan_results (scan_id, domain_id, status, error, resolved_at, result) VALUES ";
constexpr const char* kRecordInsert = "INSERT INTO dns_records (result_id, type, owner, value, "
                                      "ttl, preference, cname_target) VALUES ";
constexpr const char* kHostInsert = "INSERT INTO host_addresses (scan_id, host, ip, prefix, asn, "
                                    "origins, org, ttl) VALUES ";
constexpr const char* kMappingInsert = "INSERT INTO ip_mappings (result_id, scan_id, role, host, "
                                       "ip, prefix, asn, origins, org, ttl) VALUES ";

Error not_found_scan(std::int64_t id) {
    return no_such_scan(id);
}

} // namespace

Result<void> check_result(const model::DomainResult& r) {
    if (r.domain.empty() || r.domain.size() > 1024) {
        return make_error(ErrorCode::InvalidArgument,
                          "a stored result needs a domain name (1 to 1024 bytes)");
    }
    if (r.status.empty()) {
        return make_error(ErrorCode::InvalidArgument, "result of " + r.domain + " has no status");
    }
    return ok();
}

void flatten(const model::DomainResult& r, std::vector<RecordRow>& records,
             std::vector<MappingRow>& mappings) {
    add_addresses(r.a, "a", mappings);
    add_addresses(r.aaaa, "aaaa", mappings);
    const std::string* owner = &r.domain;
    for (const model::CnameRecord& c : r.cname) {
        records.push_back(RecordRow{"CNAME", *owner, c.target,
                                    c.ttl ? std::optional<std::int64_t>(*c.ttl) : std::nullopt,
                                    std::nullopt, c.target});
        owner = &c.target;
    }
    for (const model::NsRecord& n : r.ns) {
        records.push_back(RecordRow{"NS", r.domain, n.host,
                                    n.ttl ? std::optional<std::int64_t>(*n.ttl) : std::nullopt,
                                    std::nullopt, std::nullopt});
    }
    for (const model::MxRecord& m : r.mx) {
        records.push_back(RecordRow{"MX", r.domain, m.host,
                                    m.ttl ? std::optional<std::int64_t>(*m.ttl) : std::nullopt,
                                    std::int64_t{m.preference}, std::nullopt});
    }
}

std::vector<const model::DomainResult*> dedupe(std::span<const model::DomainResult> batch) {
    std::unordered_map<std::string_view, std::size_t> last;
    last.reserve(batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
        last[batch[i].domain] = i;
    }
    std::vector<const model::DomainResult*> out;
    out.reserve(last.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (last[batch[i].domain] == i) {
            out.push_back(&batch[i]);
        }
    }
    return out;
}

Result<int> SqlStore::schema_version() {
    return applied_version(*c_);
}

Result<void> SqlStore::require_scan(std::int64_t scan_id) {
    auto r = c_->query_int("SELECT id FROM scans WHERE id = $1", {Value(scan_id)});
    if (!r) {
        return r.error().code == ErrorCode::NotFound ? not_found_scan(scan_id) : r.error();
    }
    return ok();
}

Result<model::Scan> SqlStore::create_scan(const NewScan& scan) {
    DG_TRY_VOID(check_text(scan.notes, "'notes'", TextRule::Multiline));
    forget_hosts(); // an SQLite id may be reused after the newest scan was deleted
    const model::UnixTime started = scan.started_at != 0 ? scan.started_at : now();
    DG_TRY(std::int64_t id,
           c_->query_int("INSERT INTO scans (status, started_at, domains_total, notes, rib_path, "
                         "rib_hash, config) VALUES ('running', $1, $2, $3, $4, $5, $6) "
                         "RETURNING id",
                         {Value(started), Value(static_cast<std::int64_t>(scan.domains_total)),
                          Value(scan.notes), Value(scan.rib_path), Value(scan.rib_hash),
                          Value(scan.config_json)}));
    return get_scan(id);
}

Result<void> SqlStore::set_domains_total(std::int64_t scan_id, std::uint64_t total) {
    bool found = false;
    DG_TRY_VOID(c_->query("UPDATE scans SET domains_total = $2 WHERE id = $1 RETURNING id",
                          {Value(scan_id), Value(static_cast<std::int64_t>(total))},
                          [&](const Row&) {
                              found = true;
                              return true;
                          }));
    return found ? ok() : Result<void>(not_found_scan(scan_id));
}

Result<void> SqlStore::set_scan_status(std::int64_t scan_id, model::ScanStatus status,
                                       model::UnixTime finished_at) {
    Value finished;
    if (status != model::ScanStatus::Running) {
        finished = finished_at != 0 ? finished_at : now();
    }
    bool found = false;
    const bool clear_detail =
        status == model::ScanStatus::Running || status == model::ScanStatus::Complete;
    DG_TRY_VOID(c_->query(
        clear_detail ? "UPDATE scans SET status = $2, finished_at = $3, status_detail = '' "
                       "WHERE id = $1 RETURNING id"
                     : "UPDATE scans SET status = $2, finished_at = $3 WHERE id = $1 RETURNING id",
        {Value(scan_id), Value(std::string(model::scan_status_name(status))), finished},
        [&](const Row&) {
            found = true;
            return true;
        }));
    return found ? ok() : Result<void>(not_found_scan(scan_id));
}

Result<void> SqlStore::set_scan_status_detail(std::int64_t scan_id, const std::string& detail) {
    bool found = false;
    DG_TRY_VOID(c_->query("UPDATE scans SET status_detail = $2 WHERE id = $1 RETURNING id",
                          {Value(scan_id), Value(detail)}, [&](const Row&) {
                              found = true;
                              return true;
                          }));
    return found ? ok() : Result<void>(not_found_scan(scan_id));
}

Result<std::vector<model::Scan>> SqlStore::list_scans() {
    std::vector<model::Scan> out;
    DG_TRY_VOID(c_->query(std::string("SELECT ") + kScanColumns + " FROM scans ORDER BY id", {},
                          [&](const Row& r) {
                              out.push_back(scan_from_row(r));
                              return true;
                          }));
    return out;
}

Result<model::Scan> SqlStore::get_scan(std::int64_t scan_id) {
    std::optional<model::Scan> out;
    DG_TRY_VOID(c_->query(std::string("SELECT ") + kScanColumns + " FROM scans WHERE id = $1",
                          {Value(scan_id)}, [&](const Row& r) {
                              out = scan_from_row(r);
                              return false;
                          }));
    if (!out) {
        return not_found_scan(scan_id);
    }
    return *out;
}

Result<void> SqlStore::delete_scan(std::int64_t scan_id) {
    forget_hosts();
    Transaction tx(*c_);
    DG_TRY_VOID(tx.begin());
    bool found = false;
    DG_TRY_VOID(c_->query("DELETE FROM scans WHERE id = $1 RETURNING id", {Value(scan_id)},
                          [&](const Row&) {
                              found = true;
                              return true;
                          }));
    if (!found) {
        return not_found_scan(scan_id);
    }
    // What the foreign keys cascaded before migration 0011 dropped them on PostgreSQL (on
    // SQLite the cascade has already removed these rows).
    for (const char* sql :
         {"DELETE FROM dns_records WHERE result_id IN (SELECT id FROM scan_results WHERE "
          "scan_id = $1)",
          "DELETE FROM ip_mappings WHERE scan_id = $1",
          "DELETE FROM scan_results WHERE scan_id = $1"}) {
        DG_TRY_VOID(c_->query(sql, {Value(scan_id)}));
    }
    return tx.commit();
}

Result<void> SqlStore::write_results(std::int64_t scan_id,
                                     std::span<const model::DomainResult> batch) {
    for (const model::DomainResult& r : batch) {
        DG_TRY_VOID(check_result(r));
    }
    if (batch.empty()) {
        return ok();
    }
    const auto unique = dedupe(batch);
    // a primary switch: the batch is kept and the next begin() reconnects
    return retry_while_unavailable([&] { return write_results_once(scan_id, unique); },
                                   retry_budget_);
}

Result<void> SqlStore::write_results_once(std::int64_t scan_id,
                                          std::span<const model::DomainResult* const> unique) {
    Transaction tx(*c_);
    DG_TRY_VOID(tx.begin());
    DG_TRY_VOID(require_scan(scan_id));
    if (fence_) {
        DG_TRY_VOID(check_fence(*fence_, static_cast<std::int64_t>(unique.size())));
    }
    DG_TRY(std::int64_t added, write_batch(scan_id, unique));
    if (added != 0) {
        DG_TRY_VOID(c_->query("UPDATE scans SET domains_done = domains_done + $2 WHERE id = $1",
                              {Value(scan_id), Value(added)}));
    }
    std::unordered_set<std::string> new_hosts;
    DG_TRY_VOID(write_host_addresses(scan_id, unique, new_hosts));
    DG_TRY_VOID(tx.commit());
    hosts_stored_.merge(new_hosts); // only once they are committed
    return ok();
}

Result<void> SqlStore::check_fence(const WriteFence& fence, std::int64_t names) {
    // The row lock orders this batch after a takeover's claim: a lease taken over (attempt
    // moved on) or finished matches no row.
    const char* sql = "UPDATE scan_shards SET attempt_done = attempt_done + $4, names_done = "
                      "GREATEST(names_done, attempt_done + $4) WHERE scan_id = $1 AND "
                      "shard_no = $2 AND attempt = $3 AND state = 'leased' RETURNING 1";
    bool held = false;
    DG_TRY_VOID(c_->query(
        sql, {Value(fence.scan_id), Value(fence.shard_no), Value(fence.attempt), Value(names)},
        [&](const Row&) {
            held = true;
            return true;
        }));
    if (!held) {
        return make_error(ErrorCode::Conflict,
                          "lease lost: shard " + std::to_string(fence.shard_no) + " of scan " +
                              std::to_string(fence.scan_id) + " is no longer leased at attempt " +
                              std::to_string(fence.attempt) + " (another worker took it over)");
    }
    return ok();
}

Result<void> SqlStore::write_host_addresses(std::int64_t scan_id,
                                            std::span<const model::DomainResult* const> batch,
                                            std::unordered_set<std::string>& new_hosts) {
    if (hosts_scan_ != scan_id) {
        forget_hosts();
        hosts_scan_ = scan_id;
    }
    std::vector<MappingRow> rows;
    auto add = [&](const std::string& host, const std::vector<model::IpMapping>& ips) {
        if (hosts_stored_.contains(host) || !new_hosts.insert(host).second) {
            return;
        }
        add_host_addresses(host, ips, rows);
    };
    for (const model::DomainResult* r : batch) {
        for (const model::NsRecord& n : r->ns) {
            add(n.host, n.ips);
        }
        for (const model::MxRecord& m : r->mx) {
            add(m.host, m.ips);
        }
    }
    // A host's addresses were written by an earlier run of a resumed scan: keep those.
    return insert_rows(
        *c_, kHostInsert, 8, rows.size(),
        [&](std::size_t i, std::vector<Value>& p) {
            const MappingRow& m = rows[i];
            p.emplace_back(scan_id);
            p.push_back(opt_view(m.host));
            p.push_back(view(m.ip.view()));
            p.push_back(opt_view(m.prefix_text()));
            p.push_back(opt_int(m.asn));
            p.push_back(view(m.origins));
            p.push_back(opt_view(m.org));
            p.push_back(opt_int(m.ttl));
        },
        " ON CONFLICT (scan_id, host, ip) DO NOTHING");
}

Result<std::int64_t> SqlStore::write_batch(std::int64_t scan_id,
                                           std::span<const model::DomainResult* const> batch) {
    // Each statement costs SQLite a transaction check, a statement journal and a halt whatever
    // its size, so results go in multi-row statements of kChunk: a fifth of the instructions of
    // four statements per domain.
    constexpr std::size_t kChunk = 64;
    std::int64_t added = 0;
    for (std::size_t start = 0; start < batch.size(); start += kChunk) {
        const auto chunk = batch.subspan(start, std::min(kChunk, batch.size() - start));
        DG_TRY(const std::vector<std::int64_t> result_ids,
               write_result_rows(scan_id, chunk, added));
        DG_TRY_VOID(write_detail_rows(scan_id, chunk, result_ids));
    }
    return added;
}

Result<std::vector<std::int64_t>>
SqlStore::write_result_rows(std::int64_t scan_id, std::span<const model::DomainResult* const> chunk,
                            std::int64_t& added) {
    const model::UnixTime t = now();
    auto resolved_at = [&](const model::DomainResult& r) {
        return r.resolved_at != 0 ? r.resolved_at : t;
    };
    // The batch holds each name once (dedupe), so a name identifies its row; the keys are the
    // results' own names (no copy per domain).
    std::unordered_map<std::string_view, std::int64_t> domain_ids;
    domain_ids.reserve(chunk.size());
    for (const model::DomainResult* r : chunk) {
        domain_ids.emplace(r->domain, -1);
    }
    DG_TRY_VOID(insert_rows(
        *c_, "INSERT INTO domains (name, first_seen, last_seen) VALUES ", 3, chunk.size(),
        [&](std::size_t i, std::vector<Value>& p) {
            p.push_back(view(chunk[i]->domain));
            p.emplace_back(resolved_at(*chunk[i]));
            p.emplace_back(resolved_at(*chunk[i]));
        },
        " ON CONFLICT (name) DO UPDATE SET last_seen = CASE WHEN excluded.last_seen > "
        "domains.last_seen THEN excluded.last_seen ELSE domains.last_seen END RETURNING id, name",
        [&](const Row& row) {
            if (const auto it = domain_ids.find(row.text(1)); it != domain_ids.end()) {
                it->second = row.integer(0);
            }
            return true;
        }));
    std::vector<std::int64_t> domain_of(chunk.size());
    std::vector<std::string> json(chunk.size());
    for (std::size_t i = 0; i < chunk.size(); ++i) {
        const auto it = domain_ids.find(chunk[i]->domain);
        if (it == domain_ids.end() || it->second < 0) {
            return make_error(ErrorCode::Internal, "domain row of " + chunk[i]->domain +
                                                       " was not returned by its insert");
        }
        domain_of[i] = it->second;
        json[i] = model::to_json_line(*chunk[i]);
    }
    auto fill_result = [&](std::size_t i, std::vector<Value>& p) {
        const model::DomainResult& r = *chunk[i];
        p.emplace_back(scan_id);
        p.emplace_back(domain_of[i]);
        p.push_back(view(r.status));
        p.push_back(opt_text(r.error));
        p.emplace_back(resolved_at(r));
        p.push_back(view(json[i]));
    };
    // The common case (first result of the domain in this scan) is inserted here; a re-written
    // domain (resume, repair) conflicts and replaces its result below, cascading the old rows.
    std::unordered_map<std::int64_t, std::int64_t> result_of_domain;
    DG_TRY_VOID(insert_rows(*c_, kResultInsertHead, 6, chunk.size(), fill_result,
                            " ON CONFLICT (scan_id, domain_id) DO NOTHING RETURNING id, domain_id",
                            [&](const Row& row) {
                                result_of_domain.emplace(row.integer(1), row.integer(0));
                                return true;
                            }));
    added += static_cast<std::int64_t>(result_of_domain.size());
    std::vector<std::int64_t> result_ids(chunk.size());
    std::vector<Value> params;
    for (std::size_t i = 0; i < chunk.size(); ++i) {
        if (const auto it = result_of_domain.find(domain_of[i]); it != result_of_domain.end()) {
            result_ids[i] = it->second;
            continue;
        }
        DG_TRY_VOID(c_->query("DELETE FROM scan_results WHERE scan_id = $1 AND domain_id = $2",
                              {Value(scan_id), Value(domain_of[i])}));
        params.clear();
        fill_result(i, params);
        static const std::string kReplacement = std::string(kResultInsert) + " RETURNING id";
        DG_TRY_VOID(c_->query(kReplacement, params, [&](const Row& row) {
            result_ids[i] = row.integer(0);
            return false;
        }));
    }
    return result_ids;
}

Result<void> SqlStore::write_detail_rows(std::int64_t scan_id,
                                         std::span<const model::DomainResult* const> chunk,
                                         std::span<const std::int64_t> result_ids) {
    std::vector<RecordRow> records;
    std::vector<MappingRow> mappings;
    std::vector<std::int64_t> record_owner;
    std::vector<std::int64_t> mapping_owner;
    for (std::size_t i = 0; i < chunk.size(); ++i) {
        flatten(*chunk[i], records, mappings);
        record_owner.resize(records.size(), result_ids[i]);
        mapping_owner.resize(mappings.size(), result_ids[i]);
    }
    DG_TRY_VOID(insert_rows(*c_, kRecordInsert, 7, records.size(),
                            [&](std::size_t i, std::vector<Value>& p) {
                                const RecordRow& rec = records[i];
                                p.emplace_back(record_owner[i]);
                                p.push_back(view(rec.type));
                                p.push_back(view(rec.owner));
                                p.push_back(view(rec.value));
                                p.push_back(opt_int(rec.ttl));
                                p.push_back(opt_int(rec.preference));
                                p.push_back(opt_view(rec.cname_target));
                            }));
    return insert_rows(*c_, kMappingInsert, 10, mappings.size(),
                       [&](std::size_t i, std::vector<Value>& p) {
                           const MappingRow& m = mappings[i];
                           p.emplace_back(mapping_owner[i]);
                           p.emplace_back(scan_id);
                           p.push_back(view(m.role));
                           p.push_back(opt_view(m.host));
                           p.push_back(view(m.ip.view()));
                           p.push_back(opt_view(m.prefix_text()));
                           p.push_back(opt_int(m.asn));
                           p.push_back(view(m.origins));
                           p.push_back(opt_view(m.org));
                           p.push_back(opt_int(m.ttl));
                       });
}

Result<void> SqlStore::done_domains(std::int64_t scan_id, const NameCallback& cb) {
    DG_TRY(const auto external, external_scan(*this, scan_id));
    if (external) {
        return read_external(*this, *external, {},
                             [&](const StoredResult& r) { return cb(r.result.domain); });
    }
    std::string name;
    return c_->query("SELECT d.name FROM scan_results r JOIN domains d ON d.id = r.domain_id "
                     "WHERE r.scan_id = $1",
                     {Value(scan_id)}, [&](const Row& row) {
                         name = row.text(0);
                         return cb(name);
                     });
}

Result<void> SqlStore::stream_results(std::string_view sql, std::span<const Value> params,
                                      const ResultCallback& cb) {
    std::optional<Error> damaged;
    StoredResult stored;
    DG_TRY_VOID(c_->query(sql, params, [&](const Row& row) {
        auto parsed = model::parse_domain_result(row.text(2));
        if (!parsed) {
            damaged =
                make_error(ErrorCode::Malformed, "stored result " + std::to_string(row.integer(3)) +
                                                     " of scan " + std::to_string(row.integer(0)) +
                                                     " is damaged: " + parsed.error().message);
            return false;
        }
        stored.scan_id = row.integer(0);
        stored.result = std::move(*parsed);
        stored.result.resolved_at = row.integer(1);
        return cb(stored);
    }));
    if (damaged) {
        return *damaged;
    }
    return ok();
}

namespace {

/// " FROM scan_results r JOIN domains d ... WHERE ..." for a filter (limit/offset not included).
/// With `walk_names`, SQLite is made to walk the domains in name order (CROSS JOIN fixes the loop
/// order) and probe each one's result, instead of sorting all the scan's results (JSON included)
/// in a temporary B-tree: memory stays flat, and a page at OFFSET n stops after n + LIMIT rows.
std::string filtered_from(std::int64_t scan_id, const ResultFilter& filter,
                          std::vector<Value>& params, bool walk_names = false) {
    std::string sql = walk_names ? " FROM domains d CROSS JOIN scan_results r ON r.domain_id = "
                                   "d.id WHERE r.scan_id = $1"
                                 : " FROM scan_results r JOIN domains d ON d.id = r.domain_id "
                                   "WHERE r.scan_id = $1";
    params.assign({Value(scan_id)});
    auto next = [&](Value v) {
        params.push_back(std::move(v));
        return "$" + std::to_string(params.size());
    };
    if (filter.domain) {
        sql += " AND d.name = " + next(*filter.domain);
    }
    if (filter.status) {
        sql += " AND r.status = " + next(*filter.status);
    }
    if (filter.asn) {
        // any of its addresses, or of its name-server and mail hosts', in that AS
        const std::string asn = next(static_cast<std::int64_t>(*filter.asn));
        sql += " AND (EXISTS (SELECT 1 FROM ip_mappings m WHERE m.result_id = r.id AND m.asn = " +
               asn +
               ") OR EXISTS (SELECT 1 FROM dns_records rec JOIN host_addresses h ON h.scan_id = "
               "r.scan_id AND h.host = rec.value WHERE rec.result_id = r.id AND rec.type IN "
               "('NS', 'MX') AND h.asn = " +
               asn + "))";
    }
    return sql;
}

} // namespace

Result<bool> SqlStore::walks_names(std::int64_t scan_id, const ResultFilter& filter) {
    if (c_->dialect() != Dialect::Sqlite || filter.domain) {
        return false; // PostgreSQL plans this itself; one domain is one index probe
    }
    // Walking every name pays when the scan holds a good share of the domains the database
    // knows (a whole-zone scan); a small scan in a big database is cheaper to sort.
    DG_TRY(std::int64_t known, c_->query_int("SELECT COALESCE(MAX(id), 0) FROM domains", {}));
    DG_TRY(std::int64_t done,
           c_->query_int("SELECT COALESCE(MAX(domains_done), 0) FROM scans WHERE id = $1",
                         {Value(scan_id)}));
    std::int64_t selected = done;
    if (filter.status && !filter.asn && done * 8 >= known) {
        // A status is one index range (scan_id, status): the few TIMEOUT/SERVFAIL results the
        // repair pass asks for must not cost a walk over every name the database knows.
        ResultFilter by_status;
        by_status.status = filter.status;
        DG_TRY(const std::uint64_t n, count_results(scan_id, by_status));
        selected = static_cast<std::int64_t>(n);
    }
    return selected * 8 >= known;
}

Result<void> SqlStore::results(std::int64_t scan_id, const ResultFilter& filter,
                               const ResultCallback& cb) {
    DG_TRY(const auto external, external_scan(*this, scan_id));
    if (external) {
        return read_external(*this, *external, filter, cb);
    }
    std::vector<Value> params;
    DG_TRY(bool walk_names, walks_names(scan_id, filter));
    std::string sql = "SELECT r.scan_id, r.resolved_at, r.result, r.id" +
                      filtered_from(scan_id, filter, params, walk_names) +
                      // Byte order on both backends (a merge-join of two scans relies on it).
                      (c_->dialect() == Dialect::Postgres ? " ORDER BY d.name COLLATE \"C\""
                                                          : " ORDER BY d.name");
    auto next = [&](Value v) {
        params.push_back(std::move(v));
        return "$" + std::to_string(params.size());
    };
    if (filter.limit != 0) {
        sql += " LIMIT " + next(static_cast<std::int64_t>(filter.limit));
    } else if (filter.offset != 0 && c_->dialect() == Dialect::Sqlite) {
        sql += " LIMIT -1";
    }
    if (filter.offset != 0) {
        sql += " OFFSET " + next(static_cast<std::int64_t>(filter.offset));
    }
    return stream_results(sql, params, cb);
}

Result<std::uint64_t> SqlStore::count_results(std::int64_t scan_id, const ResultFilter& filter) {
    DG_TRY(const auto external, external_scan(*this, scan_id));
    if (external) {
        ResultFilter all = filter;
        all.limit = 0;
        all.offset = 0;
        std::uint64_t n = 0;
        DG_TRY_VOID(read_external(*this, *external, all, [&](const StoredResult&) {
            ++n;
            return true;
        }));
        return n;
    }
    std::vector<Value> params;
    const std::string sql = "SELECT count(*)" + filtered_from(scan_id, filter, params);
    std::int64_t n = 0;
    DG_TRY_VOID(c_->query(sql, params, [&](const Row& row) {
        n = row.integer(0);
        return false;
    }));
    return static_cast<std::uint64_t>(n);
}

Result<void> SqlStore::domain_history(const std::string& domain, const ResultCallback& cb) {
    const Value params[] = {Value(domain)};
    return stream_results("SELECT r.scan_id, r.resolved_at, r.result, r.id FROM scan_results r "
                          "JOIN domains d ON d.id = r.domain_id WHERE d.name = $1 "
                          "ORDER BY r.scan_id",
                          params, cb);
}

Result<std::vector<std::string>> SqlStore::domains_by_asn(std::int64_t scan_id, std::uint32_t asn) {
    std::vector<std::string> out;
    DG_TRY(const auto external, external_scan(*this, scan_id));
    if (external) {
        ResultFilter by_asn;
        by_asn.asn = asn;
        DG_TRY_VOID(read_external(*this, *external, by_asn, [&](const StoredResult& r) {
            out.push_back(r.result.domain);
            return true;
        }));
        std::sort(out.begin(), out.end());
        return out;
    }
    DG_TRY_VOID(c_->query(
        "SELECT d.name FROM domains d WHERE d.id IN ("
        "SELECT r.domain_id FROM ip_mappings m JOIN scan_results r ON r.id = m.result_id "
        "WHERE m.scan_id = $1 AND m.asn = $2 UNION "
        "SELECT r.domain_id FROM host_addresses h JOIN dns_records rec ON rec.value = h.host "
        "AND rec.type IN ('NS', 'MX') JOIN scan_results r ON r.id = rec.result_id AND "
        "r.scan_id = h.scan_id WHERE h.scan_id = $1 AND h.asn = $2) ORDER BY d.name",
        {Value(scan_id), Value(static_cast<std::int64_t>(asn))}, [&](const Row& r) {
            out.emplace_back(r.text(0));
            return true;
        }));
    return out;
}

Result<void> SqlStore::write_changes(std::int64_t scan_a, std::int64_t scan_b,
                                     std::span<const model::Change> changes) {
    for (const model::Change& c : changes) {
        if (c.domain.empty()) {
            return make_error(ErrorCode::InvalidArgument, "a change needs a domain name");
        }
    }
    Transaction tx(*c_);
    DG_TRY_VOID(tx.begin());
    DG_TRY_VOID(require_scan(scan_a));
    DG_TRY_VOID(require_scan(scan_b));
    DG_TRY_VOID(c_->query("DELETE FROM changes WHERE scan_a = $1 AND scan_b = $2",
                          {Value(scan_a), Value(scan_b)}));
    const model::UnixTime t = now();
    for (const model::Change& c : changes) {
        DG_TRY(std::int64_t domain_id,
               c_->query_int("INSERT INTO domains (name, first_seen, last_seen) VALUES ($1, $2, "
                             "$2) ON CONFLICT (name) DO UPDATE SET name = excluded.name "
                             "RETURNING id",
                             {Value(c.domain), Value(t)}));
        auto subject = [&](std::string model::ChangeSubject::*field) {
            return c.subject ? view((*c.subject).*field) : Value();
        };
        DG_TRY_VOID(
            c_->query("INSERT INTO changes (scan_a, scan_b, domain_id, type, severity, "
                      "from_value, to_value, address, record_type, role, host) VALUES ($1, "
                      "$2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                      {Value(scan_a), Value(scan_b), Value(domain_id),
                       Value(std::string(model::change_type_name(c.type))),
                       Value(std::string(model::severity_name(c.severity))), Value(c.from_json),
                       Value(c.to_json), subject(&model::ChangeSubject::address),
                       subject(&model::ChangeSubject::record), subject(&model::ChangeSubject::role),
                       subject(&model::ChangeSubject::host)}));
    }
    return tx.commit();
}

Result<std::vector<model::Change>> SqlStore::changes(std::int64_t scan_a, std::int64_t scan_b) {
    std::vector<model::Change> out;
    std::optional<Error> damaged;
    DG_TRY_VOID(c_->query(
        "SELECT d.name, c.type, c.severity, c.from_value, c.to_value, c.address, c.record_type, "
        "c.role, c.host FROM changes c "
        "JOIN domains d ON d.id = c.domain_id WHERE c.scan_a = $1 AND c.scan_b = $2 "
        "ORDER BY c.id",
        {Value(scan_a), Value(scan_b)}, [&](const Row& r) {
            auto type = model::parse_change_type(r.text(1));
            auto severity = model::parse_severity(r.text(2));
            if (!type || !severity) {
                damaged = make_error(ErrorCode::Malformed,
                                     "stored change has unknown type or severity: " +
                                         std::string(r.text(1)) + "/" + std::string(r.text(2)));
                return false;
            }
            std::optional<model::ChangeSubject> subject;
            if (!r.is_null(5)) {
                subject = model::ChangeSubject{std::string(r.text(5)), std::string(r.text(6)),
                                               std::string(r.text(7)), std::string(r.text(8))};
            }
            out.push_back(model::Change{std::string(r.text(0)), *type, *severity,
                                        std::string(r.text(3)), std::string(r.text(4)),
                                        std::move(subject)});
            return true;
        }));
    if (damaged) {
        return *damaged;
    }
    return out;
}

} // namespace dg::store::internal
