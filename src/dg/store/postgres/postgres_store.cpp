#include "dg/store/postgres/postgres_store.hpp"

#include "dg/model/json.hpp"
#include "dg/store/internal/migrations.hpp"
#include "dg/store/internal/sql_store.hpp"
#include "dg/store/postgres/libpq.hpp"

#include <charconv>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace dg::store::postgres {
namespace {

using internal::Row;
using internal::RowFn;
using internal::Value;
using pg::pq;

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) {
        s.pop_back();
    }
    return s;
}

class PgRow final : public Row {
public:
    PgRow(const PGresult* r, int row) : r_(r), row_(row) {}
    [[nodiscard]] bool is_null(int col) const override {
        return pq().PQgetisnull(r_, row_, col) == 1;
    }
    [[nodiscard]] std::string_view text(int col) const override {
        return {pq().PQgetvalue(r_, row_, col),
                static_cast<std::size_t>(pq().PQgetlength(r_, row_, col))};
    }
    [[nodiscard]] std::int64_t integer(int col) const override {
        const std::string_view s = text(col);
        std::int64_t v = 0;
        std::from_chars(s.data(), s.data() + s.size(), v);
        return v;
    }

private:
    const PGresult* r_;
    int row_;
};

struct ResultDeleter {
    void operator()(PGresult* r) const { pq().PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

class PgConnection final : public internal::Connection {
public:
    PgConnection(PGconn* c, std::string where) : c_(c), where_(std::move(where)) {}
    ~PgConnection() override { pq().PQfinish(c_); }
    PgConnection(const PgConnection&) = delete;
    PgConnection& operator=(const PgConnection&) = delete;
    using internal::Connection::query;

    [[nodiscard]] internal::Dialect dialect() const override { return internal::Dialect::Postgres; }

    Error error(const std::string& what, const PGresult* r = nullptr) const {
        std::string detail =
            trim(r != nullptr ? pq().PQresultErrorMessage(r) : pq().PQerrorMessage(c_));
        ErrorCode code = ErrorCode::Internal;
        if (pq().PQstatus(c_) == CONNECTION_BAD) {
            code = ErrorCode::Unavailable;
            detail = "lost the connection to the server: " + detail;
        } else if (r != nullptr) {
            const char* state = pq().PQresultErrorField(r, PG_DIAG_SQLSTATE);
            const std::string_view s = state != nullptr ? state : "";
            if (s.starts_with("23") || s.starts_with("22")) {
                code = ErrorCode::InvalidArgument; // integrity / data exception
            } else if (s.starts_with("53")) {
                code = ErrorCode::ResourceExhausted;
            } else if (s.starts_with("40") || s.starts_with("57")) {
                code = ErrorCode::Unavailable; // serialization failure, deadlock, shutdown
            } else if (s.starts_with("42501") || s.starts_with("25006")) {
                code = ErrorCode::Io; // permission denied, read-only transaction
            }
        }
        return make_error(code, what.empty() ? detail : what + ": " + detail).at(where_);
    }

    Result<void> exec_script(const std::string& sql) override {
        const bool ends_transaction = sql == "COMMIT" || sql == "ROLLBACK";
        if (ends_transaction) {
            in_transaction_ = false; // committed, rolled back or lost with the connection
            if (pq().PQstatus(c_) == CONNECTION_BAD) {
                return error("");
            }
        } else {
            DG_TRY_VOID(ensure_connected());
        }
        PgResult r(pq().PQexec(c_, sql.c_str()));
        const auto st = pq().PQresultStatus(r.get());
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
            return error("", r.get());
        }
        in_transaction_ = in_transaction_ || sql == "BEGIN";
        return ok();
    }

    /// Session settings, at connect and after a reconnect.
    Result<void> set_up_session() {
        return exec_script("SET client_min_messages = warning; SET TIME ZONE 'UTC'");
    }

    /// A connection lost between transactions is opened again (PQreset: the same connection
    /// string, so a multi-host one with target_session_attrs=read-write finds the new primary
    /// after a failover). One lost inside a transaction stays an error until the transaction
    /// is ended: its statements are gone and must be redone as a whole by the caller.
    Result<void> ensure_connected() {
        if (pq().PQstatus(c_) != CONNECTION_BAD) {
            return ok();
        }
        if (in_transaction_) {
            return make_error(ErrorCode::Unavailable,
                              "lost the connection to the server inside a transaction")
                .at(where_);
        }
        pq().PQreset(c_);
        if (pq().PQstatus(c_) != CONNECTION_OK) {
            return make_error(ErrorCode::Unavailable,
                              "cannot reconnect to PostgreSQL: " + trim(pq().PQerrorMessage(c_)))
                .at(where_);
        }
        return set_up_session();
    }

    Result<void> begin() override { return exec_script("BEGIN"); }

    Result<void> query(std::string_view sql, std::span<const Value> params,
                       const RowFn& fn) override {
        DG_TRY_VOID(internal::check_params(params));
        DG_TRY_VOID(ensure_connected());
        std::vector<std::string> ints;
        ints.reserve(params.size());
        std::vector<const char*> values(params.size(), nullptr);
        for (std::size_t i = 0; i < params.size(); ++i) {
            if (std::holds_alternative<std::int64_t>(params[i])) {
                ints.push_back(std::to_string(std::get<std::int64_t>(params[i])));
                values[i] = ints.back().c_str();
            } else if (std::holds_alternative<std::string>(params[i])) {
                values[i] = std::get<std::string>(params[i]).c_str();
            } else if (std::holds_alternative<std::string_view>(params[i])) {
                ints.emplace_back(std::get<std::string_view>(params[i])); // NUL-terminated copy
                values[i] = ints.back().c_str();
            }
        }
        const std::string text(sql);
        if (pq().PQsendQueryParams(c_, text.c_str(), static_cast<int>(params.size()), nullptr,
                                   values.data(), nullptr, nullptr, 0) != 1) {
            return error("");
        }
        pq().PQsetSingleRowMode(c_);
        std::optional<Error> failed;
        bool stop = false;
        while (PGresult* raw = pq().PQgetResult(c_)) {
            PgResult r(raw);
            const auto st = pq().PQresultStatus(r.get());
            if (st == PGRES_SINGLE_TUPLE || st == PGRES_TUPLES_OK) {
                for (int i = 0; i < pq().PQntuples(r.get()) && !stop && !failed; ++i) {
                    if (fn && !fn(PgRow(r.get(), i))) {
                        stop = true; // drain the remaining rows without looking at them
                    }
                }
            } else if (st != PGRES_COMMAND_OK && !failed) {
                failed = error("", r.get());
            }
        }
        if (failed) {
            return *failed;
        }
        return ok();
    }

    /// COPY table (columns) FROM STDIN with `data` in text format.
    Result<void> copy_in(const std::string& copy_sql, const std::string& data) {
        DG_TRY_VOID(ensure_connected());
        {
            PgResult r(pq().PQexec(c_, copy_sql.c_str()));
            if (pq().PQresultStatus(r.get()) != PGRES_COPY_IN) {
                return error("COPY failed to start", r.get());
            }
        }
        constexpr std::size_t kChunk = 1 << 20;
        bool sent = true;
        for (std::size_t off = 0; off < data.size() && sent; off += kChunk) {
            const std::size_t n = std::min(kChunk, data.size() - off);
            sent = pq().PQputCopyData(c_, data.data() + off, static_cast<int>(n)) == 1;
        }
        if (pq().PQputCopyEnd(c_, sent ? nullptr : "client failed to send data") != 1) {
            return error("COPY");
        }
        std::optional<Error> failed;
        while (PGresult* raw = pq().PQgetResult(c_)) {
            PgResult r(raw);
            if (pq().PQresultStatus(r.get()) != PGRES_COMMAND_OK && !failed) {
                failed = error("COPY", r.get());
            }
        }
        if (failed) {
            return *failed;
        }
        return ok();
    }

private:
    PGconn* c_;
    std::string where_;
    bool in_transaction_ = false; ///< between BEGIN and COMMIT/ROLLBACK
};

/// Appends one field in COPY text format.
void field(std::string& out, std::string_view s) {
    // Runs without a character to escape go in with one append (a result's JSON is one field).
    constexpr std::string_view kEscaped = "\\\n\r\t";
    for (std::size_t end = s.find_first_of(kEscaped); end != std::string_view::npos;
         end = s.find_first_of(kEscaped)) {
        out.append(s.data(), end);
        const char ch = s[end];
        s.remove_prefix(end + 1);
        switch (ch) {
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            out += ch;
            break;
        }
    }
    out.append(s.data(), s.size());
}
void field(std::string& out, const std::optional<std::string_view>& s) {
    if (s) {
        field(out, *s);
    } else {
        out += "\\N";
    }
}
void field(std::string& out, const std::optional<std::string>& s) {
    field(out, s ? std::optional<std::string_view>(*s) : std::nullopt);
}
void field(std::string& out, std::optional<std::int64_t> v) {
    if (v) {
        out += std::to_string(*v);
    } else {
        out += "\\N";
    }
}
template <class T, class... Rest> void line(std::string& out, const T& first, const Rest&... rest) {
    field(out, first);
    ((out += '\t', field(out, rest)), ...);
    out += '\n';
}

constexpr const char* kStaging =
    "CREATE TEMP TABLE IF NOT EXISTS stage_results (domain_id BIGINT, status TEXT, "
    "error TEXT, resolved_at BIGINT, result TEXT) ON COMMIT DELETE ROWS";

/// A PostgreSQL array literal of quoted elements: {"a","b"}.
std::string text_array(std::span<const model::DomainResult* const> batch) {
    std::string out = "{";
    for (const auto* r : batch) {
        if (out.size() > 1) {
            out += ',';
        }
        out += '"';
        for (const char ch : r->domain) {
            if (ch == '"' || ch == '\\') {
                out += '\\';
            }
            out += ch;
        }
        out += '"';
    }
    out += '}';
    return out;
}

template <class Ints> std::string int_array(const Ints& values) {
    std::string out = "{";
    for (const std::int64_t v : values) {
        if (out.size() > 1) {
            out += ',';
        }
        out += std::to_string(v);
    }
    out += '}';
    return out;
}

class PostgresStore final : public internal::SqlStore {
public:
    PostgresStore(std::unique_ptr<PgConnection> c, PgConnection* raw)
        : SqlStore(std::move(c)), pg_(raw) {}
    [[nodiscard]] const char* backend() const override { return "postgresql"; }

protected:
    /// One batch in a fixed number of statements whatever its size: domain ids by one upsert
    /// over arrays, results by COPY into a staging table and one INSERT that skips names this
    /// scan already holds (its unique index decides, so no plan can turn it into a scan of the
    /// whole scan's rows) and returns the new result ids, then records and mappings by COPY
    /// straight into their tables. A name the scan already holds (resume, repair, a shard's
    /// redo) has its old result and rows replaced.
    Result<std::int64_t> write_batch(std::int64_t scan_id,
                                     std::span<const model::DomainResult* const> batch) override {
        auto& c = conn();
        const auto now = static_cast<model::UnixTime>(std::time(nullptr));
        auto resolved_at = [&](const model::DomainResult& r) {
            return r.resolved_at != 0 ? r.resolved_at : now;
        };
        DG_TRY(const std::vector<std::int64_t> domain_ids, upsert_domains(batch, resolved_at));
        std::string results;
        for (std::size_t i = 0; i < batch.size(); ++i) {
            const model::DomainResult& r = *batch[i];
            line(results, std::optional<std::int64_t>(domain_ids[i]),
                 std::optional<std::string>(r.status), r.error,
                 std::optional<std::int64_t>(resolved_at(r)),
                 std::optional<std::string>(model::to_json_line(r)));
        }
        DG_TRY_VOID(c.exec_script(kStaging));
        DG_TRY_VOID(pg_->copy_in(
            "COPY stage_results (domain_id, status, error, resolved_at, result) FROM STDIN",
            results));
        std::unordered_map<std::int64_t, std::int64_t> result_of_domain;
        result_of_domain.reserve(batch.size());
        DG_TRY_VOID(c.query("INSERT INTO scan_results (scan_id, domain_id, status, error, "
                            "resolved_at, result) SELECT $1, domain_id, status, error, "
                            "resolved_at, result FROM stage_results ON CONFLICT (scan_id, "
                            "domain_id) DO NOTHING RETURNING id, domain_id",
                            {Value(scan_id)}, [&](const Row& row) {
                                result_of_domain.emplace(row.integer(1), row.integer(0));
                                return true;
                            }));
        std::vector<std::int64_t> held;
        for (const std::int64_t d : domain_ids) {
            if (!result_of_domain.contains(d)) {
                held.push_back(d);
            }
        }
        std::int64_t replaced = 0;
        if (!held.empty()) {
            DG_TRY(replaced, replace_results(scan_id, held, result_of_domain));
        }
        std::string records;
        std::string mappings;
        std::vector<internal::RecordRow> rec_rows;
        std::vector<internal::MappingRow> map_rows;
        const std::optional<std::int64_t> scan(scan_id);
        for (std::size_t i = 0; i < batch.size(); ++i) {
            const auto found = result_of_domain.find(domain_ids[i]);
            if (found == result_of_domain.end()) {
                return make_error(ErrorCode::Internal,
                                  "no result row for " + batch[i]->domain + " after its insert");
            }
            const std::optional<std::int64_t> id(found->second);
            rec_rows.clear();
            map_rows.clear();
            internal::flatten(*batch[i], rec_rows, map_rows);
            for (const auto& x : rec_rows) {
                line(records, id, x.type, x.owner, x.value, x.ttl, x.preference, x.cname_target);
            }
            for (const auto& x : map_rows) {
                line(mappings, id, scan, x.role, x.host, x.ip.view(), x.prefix_text(), x.asn,
                     std::string_view(x.origins), x.org, x.ttl);
            }
        }
        if (!records.empty()) {
            DG_TRY_VOID(pg_->copy_in("COPY dns_records (result_id, type, owner, value, ttl, "
                                     "preference, cname_target) FROM STDIN",
                                     records));
        }
        if (!mappings.empty()) {
            DG_TRY_VOID(pg_->copy_in("COPY ip_mappings (result_id, scan_id, role, host, ip, "
                                     "prefix, asn, origins, org, ttl) FROM STDIN",
                                     mappings));
        }
        return static_cast<std::int64_t>(batch.size()) - replaced;
    }

private:
    /// The batch's domain ids, in batch order (a batch holds each name once). Names are locked
    /// in sorted order, so that concurrent writers cannot deadlock on domain rows.
    template <class ResolvedAt>
    Result<std::vector<std::int64_t>>
    upsert_domains(std::span<const model::DomainResult* const> batch, ResolvedAt resolved_at) {
        std::vector<std::int64_t> times;
        times.reserve(batch.size());
        for (const auto* r : batch) {
            times.push_back(resolved_at(*r));
        }
        std::unordered_map<std::string, std::int64_t> by_name;
        by_name.reserve(batch.size());
        DG_TRY_VOID(conn().query(
            "INSERT INTO domains (name, first_seen, last_seen) SELECT n, t, t FROM "
            "unnest($1::text[], $2::bigint[]) AS u(n, t) ORDER BY n ON CONFLICT (name) DO UPDATE "
            "SET last_seen = GREATEST(domains.last_seen, excluded.last_seen) RETURNING id, name",
            {Value(text_array(batch)), Value(int_array(times))}, [&](const Row& row) {
                by_name.emplace(row.text(1), row.integer(0));
                return true;
            }));
        std::vector<std::int64_t> ids;
        ids.reserve(batch.size());
        for (const auto* r : batch) {
            const auto it = by_name.find(r->domain);
            if (it == by_name.end()) {
                return make_error(ErrorCode::Internal, "no domain id for " + r->domain);
            }
            ids.push_back(it->second);
        }
        return ids;
    }

    /// Replaces the results this scan already holds for `domain_ids` with the staged ones:
    /// the old result and its records and mappings go (by the unique index on (scan_id,
    /// domain_id), one probe per name: OFFSET 0 keeps the lookup a parameterised nested loop),
    /// the staged result goes in. Returns how many were replaced.
    Result<std::int64_t>
    replace_results(std::int64_t scan_id, const std::vector<std::int64_t>& domain_ids,
                    std::unordered_map<std::int64_t, std::int64_t>& result_of_domain) {
        auto& c = conn();
        const std::string ids = int_array(domain_ids);
        DG_TRY(const std::int64_t replaced,
               c.query_int("WITH old AS (SELECT x.id FROM unnest($2::bigint[]) AS d(id), LATERAL "
                           "(SELECT id FROM scan_results WHERE scan_id = $1 AND domain_id = d.id "
                           "OFFSET 0) x), r AS (DELETE FROM dns_records WHERE result_id IN "
                           "(SELECT id FROM old)), m AS (DELETE FROM ip_mappings WHERE result_id "
                           "IN (SELECT id FROM old)), del AS (DELETE FROM scan_results WHERE id IN "
                           "(SELECT id FROM old) RETURNING 1) SELECT count(*) FROM del",
                           {Value(scan_id), Value(ids)}));
        DG_TRY_VOID(c.query("INSERT INTO scan_results (scan_id, domain_id, status, error, "
                            "resolved_at, result) SELECT $1, domain_id, status, error, "
                            "resolved_at, result FROM stage_results WHERE domain_id = "
                            "ANY($2::bigint[]) RETURNING id, domain_id",
                            {Value(scan_id), Value(ids)}, [&](const Row& row) {
                                result_of_domain.emplace(row.integer(1), row.integer(0));
                                return true;
                            }));
        return replaced;
    }

    PgConnection* pg_;
};

} // namespace

std::string redact_url(const std::string& url) {
    // scheme://user:password@host -> scheme://user:***@host
    const auto scheme = url.find("://");
    if (scheme == std::string::npos) {
        return url;
    }
    const auto at = url.find('@', scheme + 3);
    const auto slash = url.find('/', scheme + 3);
    if (at == std::string::npos || (slash != std::string::npos && slash < at)) {
        return url;
    }
    const auto colon = url.find(':', scheme + 3);
    if (colon == std::string::npos || colon > at) {
        return url;
    }
    return url.substr(0, colon + 1) + "***" + url.substr(at);
}

Result<std::unique_ptr<Store>> open(const std::string& url) {
    const std::string where = redact_url(url);
    // connect_timeout keeps an unreachable host from hanging the command for minutes.
    // Later entries win, so settings in the URL override these defaults.
    const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
    const char* values[] = {"10", "domaingraph", url.c_str(), nullptr};
    if (auto lib = pg::libpq(); !lib) {
        return Error(lib.error()).at(where);
    }
    PGconn* raw = pq().PQconnectdbParams(keys, values, /*expand_dbname=*/1);
    if (raw == nullptr) {
        return make_error(ErrorCode::ResourceExhausted, "out of memory").at(where);
    }
    if (pq().PQstatus(raw) != CONNECTION_OK) {
        std::string detail = trim(pq().PQerrorMessage(raw));
        pq().PQfinish(raw);
        const bool bad_url =
            detail.find("invalid") != std::string::npos && detail.find("URI") != std::string::npos;
        return make_error(bad_url ? ErrorCode::InvalidArgument : ErrorCode::Unavailable,
                          "cannot connect to PostgreSQL: " + detail)
            .at(where);
    }
    pq().PQsetNoticeProcessor(
        raw, [](void*, const char*) {}, nullptr);
    auto conn = std::make_unique<PgConnection>(raw, where);
    PgConnection* pg = conn.get();
    if (auto r = conn->set_up_session(); !r) {
        return r.error();
    }
    if (auto r = internal::migrate(*conn); !r) {
        return r.error();
    }
    return std::unique_ptr<Store>(std::make_unique<PostgresStore>(std::move(conn), pg));
}

} // namespace dg::store::postgres
