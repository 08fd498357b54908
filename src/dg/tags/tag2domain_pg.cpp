#include "dg/tags/tag2domain_pg.hpp"

#include "dg/store/postgres/libpq.hpp"

#include <algorithm>
#include <functional>
#include <memory>

namespace dg::tags {

using nlohmann::json;
using pg::pq;

namespace {

struct ConnCloser {
    void operator()(PGconn* c) const { pq().PQfinish(c); }
};
struct ResultCloser {
    void operator()(PGresult* r) const { pq().PQclear(r); }
};
using Conn = std::unique_ptr<PGconn, ConnCloser>;
using Res = std::unique_ptr<PGresult, ResultCloser>;

std::string pg_message(PGconn* c) {
    std::string m = pq().PQerrorMessage(c);
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) {
        m.pop_back();
    }
    return m;
}

/// Runs `sql` and parses its single JSON cell.
Result<json> json_cell(PGconn* c, const std::string& sql, const char* what) {
    Res r(pq().PQexec(c, sql.c_str()));
    if (pq().PQresultStatus(r.get()) != PGRES_TUPLES_OK || pq().PQntuples(r.get()) != 1) {
        return make_error(ErrorCode::Malformed,
                          std::string("reading ") + what +
                              " failed (not a tag2domain schema?): " + pg_message(c));
    }
    auto j = json::parse(pq().PQgetvalue(r.get(), 0, 0), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
        return make_error(ErrorCode::Malformed, std::string("unreadable JSON from ") + what);
    }
    return j;
}

bool exec_ok(PGconn* c, const std::string& sql) {
    Res r(pq().PQexec(c, sql.c_str()));
    const auto st = pq().PQresultStatus(r.get());
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

std::string quote_ident(PGconn* c, const std::string& s) {
    char* q = pq().PQescapeIdentifier(c, s.c_str(), s.size());
    std::string out = q != nullptr ? q : "\"\"";
    pq().PQfreemem(q);
    return out;
}

/// Streams the JSON rows of `select` (one JSON text column) through a cursor, `fetch` at a
/// time, calling `row` for each.
Result<void> stream_rows(PGconn* c, const std::string& select, const char* what, std::size_t fetch,
                         const std::function<Result<void>(const json&)>& row) {
    if (!exec_ok(c, "DECLARE dg_rows NO SCROLL CURSOR FOR " + select)) {
        return make_error(ErrorCode::Malformed,
                          std::string("reading ") + what +
                              " failed (not a tag2domain schema?): " + pg_message(c));
    }
    const std::string next = "FETCH " + std::to_string(fetch) + " FROM dg_rows";
    for (;;) {
        Res r(pq().PQexec(c, next.c_str()));
        if (pq().PQresultStatus(r.get()) != PGRES_TUPLES_OK) {
            return make_error(ErrorCode::Unavailable,
                              std::string("reading ") + what + ": " + pg_message(c));
        }
        const int n = pq().PQntuples(r.get());
        for (int i = 0; i < n; ++i) {
            auto j = json::parse(pq().PQgetvalue(r.get(), i, 0), nullptr, false);
            if (j.is_discarded()) {
                return make_error(ErrorCode::Malformed,
                                  std::string("unreadable JSON from ") + what);
            }
            DG_TRY_VOID(row(j));
        }
        if (n == 0) {
            break;
        }
    }
    exec_ok(c, "CLOSE dg_rows");
    return ok();
}

/// The producer of a glue view row: the view's own column, else a lookup in each intersection
/// table the view reads that has the template's columns; "NULL" when there is none.
Result<std::string> producer_sql(PGconn* c) {
    DG_TRY(json own, json_cell(c,
                               "SELECT to_json(COUNT(*) = 1) FROM pg_attribute WHERE attrelid = "
                               "to_regclass('v_unified_tags') AND attname = 'producer' AND NOT "
                               "attisdropped",
                               "the catalogue"));
    if (own == true) {
        return std::string("v.producer");
    }
    DG_TRY(json tables,
           json_cell(c,
                     "SELECT COALESCE(json_agg(DISTINCT d.refobjid::regclass::text), '[]') FROM "
                     "pg_rewrite r JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND "
                     "d.objid = r.oid AND d.refclassid = 'pg_class'::regclass WHERE r.ev_class = "
                     "to_regclass('v_unified_tags') AND d.refobjid <> r.ev_class AND (SELECT "
                     "COUNT(*) FROM pg_attribute a WHERE a.attrelid = d.refobjid AND NOT "
                     "a.attisdropped AND a.attname IN ('entity_id', 'tag_id', 'start_ts', "
                     "'producer')) = 4",
                     "the catalogue"));
    std::string lookups;
    for (const auto& t : tables) {
        if (!t.is_string()) {
            continue;
        }
        // regclass text is already quoted as needed (and schema-qualified off the path)
        lookups += (lookups.empty() ? "" : ", ") + std::string("(SELECT p.producer FROM ") +
                   t.get<std::string>() +
                   " p WHERE p.entity_id = v.domain_id AND p.tag_id = v.tag_id AND p.start_ts = "
                   "v.start_ts AND p.producer IS NOT NULL LIMIT 1)";
    }
    return lookups.empty() ? std::string("NULL") : "COALESCE(" + lookups + ")";
}

} // namespace

Result<MigrationReport> migrate_tag2domain_postgres(TagStore& ts, const std::string& url,
                                                    const std::string& schema,
                                                    std::size_t fetch_rows) {
    DG_TRY_VOID(pg::libpq());
    Conn c(pq().PQconnectdb(url.c_str()));
    if (!c || pq().PQstatus(c.get()) != CONNECTION_OK) {
        return make_error(ErrorCode::Unavailable,
                          "cannot connect to the tag2domain database: " +
                              (c ? pg_message(c.get()) : std::string("out of memory")));
    }
    if (!exec_ok(c.get(), "SET search_path TO " + quote_ident(c.get(), schema) + ", public") ||
        !exec_ok(c.get(), "SET TimeZone TO 'UTC'") ||
        !exec_ok(c.get(), "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")) {
        return make_error(ErrorCode::Unavailable, pg_message(c.get()));
    }
    fetch_rows = std::max<std::size_t>(fetch_rows, 1);
    // The core tables: a few thousand rows at most, read whole.
    json core = json::object();
    DG_TRY(core["taxonomy"],
           json_cell(c.get(), "SELECT COALESCE(json_agg(t ORDER BY t.id), '[]') FROM taxonomy t",
                     "taxonomy"));
    DG_TRY(core["tags"],
           json_cell(c.get(), "SELECT COALESCE(json_agg(t ORDER BY t.tag_id), '[]') FROM tags t",
                     "tags"));
    DG_TRY(core["taxonomy_tag_val"],
           json_cell(c.get(),
                     "SELECT COALESCE(json_agg(v ORDER BY v.id), '[]') FROM taxonomy_tag_val v",
                     "taxonomy_tag_val"));
    Tag2domainMigration m(ts);
    DG_TRY_VOID(m.begin(core));
    // The domain names: the glue view's, plus a `domains(domain_id, domain_name)` table when
    // there is one (as in upstream's test and demo schemas: domains with filters but no tags).
    std::string domains_sql = "SELECT domain_id, domain_name FROM v_unified_tags";
    DG_TRY(json has_domains,
           json_cell(c.get(),
                     "SELECT to_json(COUNT(*) = 2) FROM information_schema.columns WHERE "
                     "table_name = 'domains' AND table_schema = ANY (current_schemas(false)) AND "
                     "column_name IN ('domain_id', 'domain_name')",
                     "the catalogue"));
    if (has_domains == true) {
        domains_sql += " UNION SELECT domain_id, domain_name FROM domains";
    }
    DG_TRY_VOID(stream_rows(
        c.get(), "SELECT row_to_json(d)::text FROM (" + domains_sql + ") d ORDER BY d.domain_id",
        "the domains", fetch_rows, [&](const json& r) { return m.domain(r); }));
    DG_TRY(json types, json_cell(c.get(),
                                 "SELECT COALESCE(json_agg(DISTINCT tag_type), '[]') FROM "
                                 "v_unified_tags",
                                 "v_unified_tags"));
    for (const auto& t : types) {
        if (t.is_string()) {
            DG_TRY_VOID(m.tag_type(t.get<std::string>()));
        }
    }
    DG_TRY(const std::string producer, producer_sql(c.get()));
    DG_TRY_VOID(stream_rows(
        c.get(),
        "SELECT json_build_object('entity_id', v.domain_id, 'tag_type', v.tag_type, 'tag_id', "
        "v.tag_id, 'value_id', v.value_id, 'start_ts', v.start_ts, 'measured_at', v.measured_at, "
        "'end_ts', v.end_ts, 'producer', " +
            producer +
            ")::text FROM v_unified_tags v ORDER BY v.tag_type, v.domain_id, v.tag_id, "
            "v.start_ts",
        "v_unified_tags", fetch_rows, [&](const json& r) -> Result<void> {
            const auto type = r.find("tag_type");
            const auto entity = r.find("entity_id");
            if (type == r.end() || !type->is_string()) {
                return make_error(ErrorCode::Malformed, "a v_unified_tags row without tag_type");
            }
            return m.mapping(type->get<std::string>(), r,
                             entity != r.end() && entity->is_number_integer()
                                 ? std::optional<std::int64_t>(entity->get<std::int64_t>())
                                 : std::nullopt);
        }));
    DG_TRY(json has_filter, json_cell(c.get(),
                                      "SELECT to_json(to_regclass('v_tag2domain_domain_filter') "
                                      "IS NOT NULL)",
                                      "the catalogue"));
    if (has_filter == true) {
        DG_TRY_VOID(stream_rows(
            c.get(), "SELECT row_to_json(f)::text FROM v_tag2domain_domain_filter f",
            "v_tag2domain_domain_filter", fetch_rows, [&](const json& r) { return m.filter(r); }));
    }
    exec_ok(c.get(), "ROLLBACK");
    return m.commit();
}

} // namespace dg::tags
