#include "dg/tags/tag2domain_pg.hpp"

#include "dg/store/postgres/libpq.hpp"

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

} // namespace

Result<json> read_tag2domain_postgres(const std::string& url, const std::string& schema) {
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
    json state = json::object();
    DG_TRY(state["taxonomy"],
           json_cell(c.get(), "SELECT COALESCE(json_agg(t ORDER BY t.id), '[]') FROM taxonomy t",
                     "taxonomy"));
    DG_TRY(state["tags"],
           json_cell(c.get(), "SELECT COALESCE(json_agg(t ORDER BY t.tag_id), '[]') FROM tags t",
                     "tags"));
    DG_TRY(state["taxonomy_tag_val"],
           json_cell(c.get(),
                     "SELECT COALESCE(json_agg(v ORDER BY v.id), '[]') FROM taxonomy_tag_val v",
                     "taxonomy_tag_val"));
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
    DG_TRY(state["domains"],
           json_cell(c.get(),
                     "SELECT COALESCE(json_agg(d ORDER BY d.domain_id), '[]') FROM (" +
                         domains_sql + ") d",
                     "the domains"));
    DG_TRY(json by_type,
           json_cell(c.get(),
                     "SELECT COALESCE(json_object_agg(tag_type, rows), '{}') FROM (SELECT "
                     "tag_type, json_agg(json_build_object('entity_id', domain_id, 'tag_id', "
                     "tag_id, 'value_id', value_id, 'start_ts', start_ts, 'measured_at', "
                     "measured_at, 'end_ts', end_ts, 'producer', NULL) ORDER BY domain_id, "
                     "tag_id, start_ts) AS rows FROM v_unified_tags GROUP BY tag_type) g",
                     "v_unified_tags"));
    for (auto& [type, rows] : by_type.items()) {
        state["intersections." + type + " (view v_unified_tags, entity = domains.domain_id)"] =
            std::move(rows);
    }
    DG_TRY(json has_filter, json_cell(c.get(),
                                      "SELECT to_json(to_regclass('v_tag2domain_domain_filter') "
                                      "IS NOT NULL)",
                                      "the catalogue"));
    if (has_filter == true) {
        DG_TRY(state["v_tag2domain_domain_filter"],
               json_cell(c.get(),
                         "SELECT COALESCE(json_agg(f), '[]') FROM v_tag2domain_domain_filter f",
                         "v_tag2domain_domain_filter"));
    }
    exec_ok(c.get(), "ROLLBACK");
    return state;
}

} // namespace dg::tags
