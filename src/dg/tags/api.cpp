#include "dg/tags/api.hpp"

#include "dg/core/text_check.hpp"
#include "dg/tags/sql_util.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>

namespace dg::tags {

using nlohmann::json;
using store::internal::Row;
using store::internal::Value;

namespace {

constexpr const char* kVersion = "0.8.4";

ApiResponse detail(int status, json d) {
    return {status, json{{"detail", std::move(d)}}};
}

ApiResponse bad_request(const std::string& msg) {
    return detail(400, msg);
}

ApiResponse unprocessable(const std::string& where, const std::string& name, const std::string& msg,
                          const std::string& type) {
    return detail(
        422,
        json::array({json{{"loc", json::array({where, name})}, {"msg", msg}, {"type", type}}}));
}

ApiResponse missing(const std::string& name) {
    return unprocessable("query", name, "field required", "value_error.missing");
}

/// A failure of the store: 400 when the request's text was refused (NUL bytes, control
/// characters, an invalid name; dg/core/text_check.hpp), else 500.
ApiResponse server_error(const Error& e) {
    return detail(e.code == ErrorCode::InvalidArgument ? 400 : 500, e.message);
}

/// Query values and the path are text that reaches the store: NUL (which PostgreSQL would cut,
/// aliasing "a.at%00x" with "a.at") and control characters are refused (422) up front.
std::optional<ApiResponse> check_request_text(const std::string& path, const QueryParams& query) {
    if (auto c = check_text(path, "the path"); !c) {
        return unprocessable("path", "path", c.error().message, "value_error.str");
    }
    for (const auto& [name, value] : query) {
        auto c = check_text(name, "a parameter name");
        if (c) {
            c = check_text(value, "'" + name + "'");
        }
        if (!c) {
            return unprocessable("query", name, c.error().message, "value_error.str");
        }
    }
    return std::nullopt;
}

json opt(const std::optional<std::string>& s) {
    return s ? json(*s) : json(nullptr);
}
json opt(const std::optional<std::int64_t>& v) {
    return v ? json(*v) : json(nullptr);
}
json opt_time(const std::optional<Micros>& t) {
    return t ? json(format_time(*t)) : json(nullptr);
}
json opt_float(const std::optional<double>& d) {
    return d ? json(*d) : json(nullptr);
}
json opt_bool_float(const std::optional<bool>& b) {
    return b ? json(*b ? 1.0 : 0.0) : json(nullptr);
}
json opt_bool(const std::optional<bool>& b) {
    return b ? json(*b) : json(nullptr);
}

/// Request parameters: the last occurrence of a name wins.
class Params {
public:
    explicit Params(const QueryParams& q) : q_(q) {}
    [[nodiscard]] std::optional<std::string> get(const std::string& name) const {
        std::optional<std::string> v;
        for (const auto& [k, value] : q_) {
            if (k == name) {
                v = value;
            }
        }
        return v;
    }

private:
    const QueryParams& q_;
};

struct Page {
    std::int64_t limit = 1000;
    std::int64_t offset = 0;
};

/// Parses limit/offset; returns a 422 response on error.
std::optional<ApiResponse> parse_page(const Params& p, Page& page) {
    for (auto [name, target] :
         {std::pair<const char*, std::int64_t*>{"limit", &page.limit}, {"offset", &page.offset}}) {
        auto v = p.get(name);
        if (!v) {
            continue;
        }
        char* end = nullptr;
        errno = 0;
        const long long n = std::strtoll(v->c_str(), &end, 10);
        if (v->empty() || *end != '\0' || errno != 0) {
            return unprocessable("query", name, "value is not a valid integer",
                                 "type_error.integer");
        }
        if (n < 0) { // upstream: 500 from PostgreSQL
            return unprocessable("query", name, "ensure this value is greater than or equal to 0",
                                 "value_error.number.not_ge");
        }
        *target = n;
    }
    return std::nullopt;
}

/// Open tags (no at_time), or tags valid at a time.
struct TimeSel {
    std::optional<Micros> at;
};

std::optional<ApiResponse> parse_at_time(const Params& p, TimeSel& t) {
    auto v = p.get("at_time");
    if (!v) {
        return std::nullopt;
    }
    auto parsed = parse_time(*v);
    if (!parsed) {
        return unprocessable("query", "at_time", "invalid datetime format", "value_error.datetime");
    }
    t.at = *parsed;
    return std::nullopt;
}

struct Filter {
    std::string type;
    std::string value;
};

std::optional<ApiResponse> parse_filter(const Params& p, std::optional<Filter>& f) {
    auto v = p.get("filter");
    if (!v) {
        return std::nullopt;
    }
    // upstream's pattern (reference section 4.1), checked by hand: anything outside its
    // alphabet is 422; only <filtertype>=<value> is implemented (upstream: 500 otherwise).
    auto in = [](std::string_view set, char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
               set.find(c) != std::string_view::npos;
    };
    for (char c : *v) {
        if (!in("- :.?_=/", c)) {
            return unprocessable("query", "filter", "string does not match regex",
                                 "value_error.str.regex");
        }
    }
    const auto eq = v->find('=');
    const std::string type = v->substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : v->substr(eq + 1);
    const bool type_ok =
        !type.empty() && std::all_of(type.begin(), type.end(), [&](char c) { return in("-", c); });
    if (!type_ok || value.empty()) {
        return bad_request("only filters of the form <filtertype>=<value> are supported");
    }
    f = Filter{type, value};
    return std::nullopt;
}

/// Builds WHERE clauses with numbered parameters.
class Sql {
public:
    std::string param(Value v) {
        params_.push_back(std::move(v));
        return "$" + std::to_string(params_.size());
    }
    void where(std::string clause) { where_.push_back(std::move(clause)); }
    [[nodiscard]] std::string where_sql() const {
        std::string out;
        for (const auto& w : where_) {
            out += (out.empty() ? " WHERE " : " AND ") + w;
        }
        return out;
    }
    void time(const TimeSel& t, const char* alias) {
        const std::string a(alias);
        if (!t.at) {
            where(a + ".end_us IS NULL");
            return;
        }
        const std::string p = param(Value(*t.at));
        where(a + ".start_us <= " + p + " AND (" + a + ".end_us IS NULL OR " + a + ".end_us > " +
              p + ")");
    }
    void filter(const std::optional<Filter>& f, const TimeSel& t) {
        if (!f) {
            return;
        }
        std::string clause =
            "m.entity_id IN (SELECT f.entity_id FROM tag_filters f WHERE f.name = " +
            param(Value(f->type)) + " AND f.value = " + param(Value(f->value));
        if (!t.at) {
            clause += " AND f.end_us IS NULL)";
        } else {
            const std::string p = param(Value(*t.at));
            clause +=
                " AND f.start_us <= " + p + " AND (f.end_us IS NULL OR f.end_us > " + p + "))";
        }
        where(std::move(clause));
    }
    std::string page(const Page& pg) {
        return " LIMIT " + param(Value(pg.limit)) + " OFFSET " + param(Value(pg.offset));
    }
    [[nodiscard]] const std::vector<Value>& params() const { return params_; }

private:
    std::vector<Value> params_;
    std::vector<std::string> where_;
};

/// One mapping row joined with names, as upstream's glue functions return it.
struct TagRow {
    std::int64_t domain_id = 0;
    std::string domain_name;
    std::string tag_type;
    std::int64_t tag_id = 0;
    std::optional<std::int64_t> value_id;
    Micros start = 0;
    Micros measured = 0;
    std::optional<Micros> end;
    std::string tag_name;
    std::int64_t taxonomy_id = 0;
    std::string taxonomy_name;
    std::optional<std::string> value;
};

constexpr const char* kRowSelect =
    "SELECT m.entity_id, e.name, m.tag_type, m.tag_id, m.value_id, m.start_us, m.measured_us, "
    "m.end_us, t.name, t.taxonomy_id, x.name, v.value FROM tag_mappings m "
    "JOIN tagged_entities e ON e.id = m.entity_id AND e.kind = 'domain' "
    "JOIN taxonomy_tags t ON t.id = m.tag_id JOIN taxonomies x ON x.id = t.taxonomy_id "
    "LEFT JOIN taxonomy_values v ON v.id = m.value_id";
constexpr const char* kRowOrder = " ORDER BY m.entity_id, m.tag_id, m.tag_type, m.start_us, m.id";

Result<std::vector<TagRow>> select_rows(TagStore& ts, Sql& sql, const std::optional<Page>& page) {
    std::string text = std::string(kRowSelect) + sql.where_sql() + kRowOrder;
    if (page) {
        text += sql.page(*page);
    }
    std::vector<TagRow> out;
    DG_TRY_VOID(ts.conn().query(text, sql.params(), [&](const Row& r) {
        TagRow row;
        row.domain_id = r.integer(0);
        row.domain_name = std::string(r.text(1));
        row.tag_type = std::string(r.text(2));
        row.tag_id = r.integer(3);
        row.value_id = r.opt_integer(4);
        row.start = r.integer(5);
        row.measured = r.integer(6);
        row.end = r.opt_integer(7);
        row.tag_name = std::string(r.text(8));
        row.taxonomy_id = r.integer(9);
        row.taxonomy_name = std::string(r.text(10));
        row.value = opt_string(r, 11);
        out.push_back(std::move(row));
        return true;
    }));
    return out;
}

json times(json o, const TagRow& r) {
    o["start_time"] = format_time(r.start);
    o["measured_at"] = format_time(r.measured);
    o["end_time"] = opt_time(r.end);
    return o;
}

json bydomain_element(const TagRow& r) {
    return times(json{{"tag_id", r.tag_id},
                      {"tag_name", r.tag_name},
                      {"value_id", opt(r.value_id)},
                      {"value", opt(r.value)},
                      {"taxonomy_id", r.taxonomy_id},
                      {"taxonomy_name", r.taxonomy_name}},
                 r);
}

/// Runs the request's parsing steps; the first failure is the answer.
#define DG_API_TRY(expr)                                                                           \
    if (auto dg_api_failed_ = (expr)) {                                                            \
        return std::move(*dg_api_failed_);                                                         \
    }

ApiResponse rows_response(Result<std::vector<TagRow>> rows, json (*shape)(const TagRow&)) {
    if (!rows) {
        return server_error(rows.error());
    }
    json out = json::array();
    for (const auto& r : *rows) {
        out.push_back(shape(r));
    }
    return {200, std::move(out)};
}

// --- /api/v1/bydomain ---

json bydomain_typed_element(const TagRow& r) {
    json j = bydomain_element(r);
    j["tag_type"] = r.tag_type;
    return j;
}

ApiResponse bydomain(TagStore& ts, const std::string& domain, const Params& p, bool history,
                     json (*shape)(const TagRow&) = bydomain_element) {
    Page page;
    DG_API_TRY(parse_page(p, page));
    TimeSel t;
    Sql sql;
    if (!history) {
        DG_API_TRY(parse_at_time(p, t));
        sql.time(t, "m");
    }
    // Looked up as names are stored (canonical_entity_name: lower case, no final dot); a
    // string that is no name is looked up as it is (and finds nothing), as upstream does.
    auto canonical = canonical_entity_name(EntityKind::Domain, domain);
    sql.where("e.name = " + sql.param(Value(canonical ? *canonical : domain)));
    return rows_response(select_rows(ts, sql, page), shape);
}

// --- /api/v1/domains ---

json bytag_element(const TagRow& r) {
    return times(json{{"domain_id", r.domain_id},
                      {"domain_name", r.domain_name},
                      {"tag_type", r.tag_type},
                      {"value", opt(r.value)}},
                 r);
}

std::optional<ApiResponse> parse_bool(const Params& p, const char* name, bool& out) {
    auto v = p.get(name);
    if (!v) {
        return std::nullopt;
    }
    std::string s = *v;
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    if (s == "true" || s == "1" || s == "yes" || s == "on") {
        out = true;
    } else if (s == "false" || s == "0" || s == "no" || s == "off") {
        out = false;
    } else {
        return unprocessable("query", name, "value could not be parsed to a boolean",
                             "type_error.bool");
    }
    return std::nullopt;
}

/// The ids of the tags named `tag` (in `taxonomy` when given). bytag selects its rows by these ids
/// rather than by a join on the name: given the id, PostgreSQL's planner sees the tag's share of
/// the rows (a name hides it), so a rare tag is read through its index instead of walking every
/// open row in domain order until 1000 match (seconds at 1M domains, bench/tags).
Result<std::vector<std::int64_t>> tag_ids(TagStore& ts, const std::string& tag,
                                          const std::optional<std::string>& taxonomy) {
    std::string text = "SELECT t.id FROM taxonomy_tags t WHERE t.name = $1";
    std::vector<Value> params{Value(tag)};
    if (taxonomy) {
        text += " AND t.taxonomy_id IN (SELECT x.id FROM taxonomies x WHERE x.name = $2)";
        params.emplace_back(*taxonomy);
    }
    std::vector<std::int64_t> ids;
    DG_TRY_VOID(ts.conn().query(text + " ORDER BY t.id", params, [&](const Row& r) {
        ids.push_back(r.integer(0));
        return true;
    }));
    return ids;
}

ApiResponse bytag(TagStore& ts, const Params& p, std::optional<std::string> tag_override) {
    auto tag = tag_override ? tag_override : p.get("tag");
    if (!tag) {
        return missing("tag");
    }
    Page page;
    TimeSel t;
    std::optional<Filter> f;
    bool by_value = false;
    DG_API_TRY(parse_page(p, page));
    DG_API_TRY(parse_at_time(p, t));
    DG_API_TRY(parse_filter(p, f));
    DG_API_TRY(parse_bool(p, "filter_by_value", by_value));
    Sql sql;
    sql.time(t, "m");
    sql.filter(f, t);
    // taxonomy: our extension (upstream mixes equal tag names of different taxonomies)
    auto ids = tag_ids(ts, *tag, p.get("taxonomy"));
    if (!ids) {
        return server_error(ids.error());
    }
    if (ids->empty()) {
        return {200, json::array()};
    }
    std::string in;
    for (const std::int64_t id : *ids) {
        in += (in.empty() ? "" : ", ") + sql.param(Value(id));
    }
    sql.where("m.tag_id IN (" + in + ")");
    if (by_value) {
        if (auto v = p.get("value")) {
            sql.where("v.value = " + sql.param(Value(*v)));
        } else {
            sql.where("m.value_id IS NULL");
        }
    }
    return rows_response(select_rows(ts, sql, page), bytag_element);
}

/// bytaxonomy / bycategory: rows (limited before grouping, as upstream) grouped by domain.
ApiResponse grouped(TagStore& ts, const Params& p, const std::string& taxonomy,
                    const std::optional<std::string>& category) {
    Page page;
    TimeSel t;
    std::optional<Filter> f;
    DG_API_TRY(parse_page(p, page));
    DG_API_TRY(parse_at_time(p, t));
    DG_API_TRY(parse_filter(p, f));
    Sql sql;
    sql.time(t, "m");
    sql.filter(f, t);
    sql.where("x.name = " + sql.param(Value(taxonomy)));
    if (category) {
        sql.where("t.category = " + sql.param(Value(*category)));
    }
    auto rows = select_rows(ts, sql, page);
    if (!rows) {
        return server_error(rows.error());
    }
    json out = json::array();
    for (const auto& r : *rows) {
        if (out.empty() || out.back()["domain_id"] != r.domain_id) {
            out.push_back(json{{"domain_id", r.domain_id},
                               {"domain_name", r.domain_name},
                               {"tags", json::array()}});
        }
        out.back()["tags"].push_back(
            times(json{{"tag_id", r.tag_id}, {"tag_name", r.tag_name}}, r));
    }
    return {200, std::move(out)};
}

ApiResponse bytaxonomy(TagStore& ts, const Params& p) {
    auto tax = p.get("taxonomy");
    if (!tax) {
        return missing("taxonomy");
    }
    return grouped(ts, p, *tax, std::nullopt);
}

ApiResponse bycategory(TagStore& ts, const Params& p) {
    auto tax = p.get("taxonomy");
    if (!tax) {
        return missing("taxonomy");
    }
    return grouped(ts, p, *tax, p.get("category").value_or(""));
}

/// "1.0.2" -> {1,0,2}; nullopt unless the text is a version.
std::optional<std::vector<std::int64_t>> version_parts(const std::string& s) {
    // ^[0-9]+(\.[0-9]+)*$
    bool digit_before = false;
    for (char c : s) {
        if (c == '.' && digit_before) {
            digit_before = false;
        } else if (c >= '0' && c <= '9') {
            digit_before = true;
        } else {
            return std::nullopt;
        }
    }
    if (!digit_before) {
        return std::nullopt;
    }
    std::vector<std::int64_t> out;
    std::size_t pos = 0;
    while (pos <= s.size()) {
        const auto dot = s.find('.', pos);
        const std::string part = s.substr(pos, dot == std::string::npos ? dot : dot - pos);
        if (part.size() > 18) {
            return std::nullopt;
        }
        out.push_back(std::stoll(part));
        if (dot == std::string::npos) {
            break;
        }
        pos = dot + 1;
    }
    return out;
}

ApiResponse byversion(TagStore& ts, const Params& p) {
    auto tax = p.get("taxonomy");
    auto tag = p.get("tag");
    if (!tax) {
        return missing("taxonomy");
    }
    if (!tag) {
        return missing("tag");
    }
    const std::string op = p.get("operator").value_or("=");
    if (op != "=" && op != "<" && op != "<=" && op != ">" && op != ">=") {
        return unprocessable("query", "operator", "unexpected value", "value_error.const");
    }
    auto version = p.get("version");
    std::optional<std::vector<std::int64_t>> wanted;
    if (version) {
        wanted = version_parts(*version);
        if (!wanted) {
            return unprocessable("query", "version", "string does not match regex",
                                 "value_error.str.regex");
        }
    } else if (op != "=") {
        return bad_request("null tags can only be searched with operator '='");
    }
    Page page;
    TimeSel t;
    std::optional<Filter> f;
    DG_API_TRY(parse_page(p, page));
    DG_API_TRY(parse_at_time(p, t));
    DG_API_TRY(parse_filter(p, f));
    Sql sql;
    sql.time(t, "m");
    sql.filter(f, t);
    sql.where("x.name = " + sql.param(Value(*tax)));
    sql.where("t.name = " + sql.param(Value(*tag)));
    if (!version) {
        sql.where("m.value_id IS NULL");
    } else if (op == "=") {
        sql.where("v.value = " + sql.param(Value(*version)));
    }
    auto rows = select_rows(ts, sql, op == "=" ? std::optional<Page>(page) : std::nullopt);
    if (!rows) {
        return server_error(rows.error());
    }
    json out = json::array();
    std::int64_t skipped = 0;
    for (const auto& r : *rows) {
        if (op != "=") {
            auto have = r.value ? version_parts(*r.value) : std::nullopt;
            if (!have) {
                continue;
            }
            const bool keep = op == "<"    ? *have < *wanted
                              : op == "<=" ? *have <= *wanted
                              : op == ">"  ? *have > *wanted
                                           : *have >= *wanted;
            if (!keep || skipped++ < page.offset) {
                continue;
            }
            if (static_cast<std::int64_t>(out.size()) >= page.limit) {
                break;
            }
        }
        out.push_back(times(json{{"domain_id", r.domain_id},
                                 {"domain_name", r.domain_name},
                                 {"version", opt(r.value)}},
                            r));
    }
    return {200, std::move(out)};
}

// --- /api/v1/meta ---

ApiResponse meta_taxonomies(TagStore& ts, const Params& p) {
    Page page;
    DG_API_TRY(parse_page(p, page));
    auto all = ts.taxonomies();
    if (!all) {
        return server_error(all.error());
    }
    json out = json::array();
    for (std::size_t i = 0; i < all->size(); ++i) {
        if (static_cast<std::int64_t>(i) < page.offset) {
            continue;
        }
        if (static_cast<std::int64_t>(out.size()) >= page.limit) {
            break;
        }
        const Taxonomy& t = (*all)[i];
        out.push_back(
            json{{"id", t.id},
                 {"name", t.name},
                 {"description", opt(t.description)},
                 {"is_actionable", opt_float(t.is_actionable)},
                 {"is_automatically_classifiable", opt_bool_float(t.is_automatically_classifiable)},
                 {"is_stable", opt_bool_float(t.is_stable)},
                 {"for_numbers", opt_bool(t.for_numbers)},
                 {"for_domains", opt_bool(t.for_domains)},
                 {"url", opt(t.url)}});
    }
    return {200, std::move(out)};
}

json tag_element(const Row& r) {
    return json{{"tag_id", r.integer(0)},
                {"tag_name", std::string(r.text(1))},
                {"tag_description", opt(opt_string(r, 2))},
                {"taxonomy_id", r.integer(3)},
                {"extras", parse_json_object(r.text(4))}};
}

ApiResponse query_array(TagStore& ts, const std::string& text, const Sql& sql,
                        json (*shape)(const Row&)) {
    json out = json::array();
    auto r = ts.conn().query(text, sql.params(), [&](const Row& row) {
        out.push_back(shape(row));
        return true;
    });
    if (!r) {
        return server_error(r.error());
    }
    return {200, std::move(out)};
}

ApiResponse meta_tags(TagStore& ts, const Params& p, bool legacy) {
    Page page;
    DG_API_TRY(parse_page(p, page));
    auto tax = legacy ? std::nullopt : p.get("taxonomy");
    auto category = legacy ? std::nullopt : p.get("category");
    if (category && !tax) {
        return bad_request("querying category tags requires taxonomy to be set");
    }
    Sql sql;
    if (tax) {
        sql.where("x.name = " + sql.param(Value(*tax)));
    }
    if (category) {
        sql.where("t.category = " + sql.param(Value(*category)));
    }
    const std::string text = "SELECT t.id, t.name, t.description, t.taxonomy_id, t.extras "
                             "FROM taxonomy_tags t JOIN taxonomies x ON x.id = t.taxonomy_id" +
                             sql.where_sql() + " ORDER BY t.id";
    Sql paged = sql;
    return query_array(ts, text + paged.page(page), paged, tag_element);
}

ApiResponse meta_categories(TagStore& ts, const Params& p) {
    Page page;
    DG_API_TRY(parse_page(p, page));
    Sql sql;
    if (auto tax = p.get("taxonomy")) {
        sql.where("x.name = " + sql.param(Value(*tax)));
    }
    const std::string text = "SELECT DISTINCT t.category FROM taxonomy_tags t "
                             "JOIN taxonomies x ON x.id = t.taxonomy_id" +
                             sql.where_sql() + " ORDER BY t.category";
    return query_array(ts, text + sql.page(page), sql,
                       [](const Row& r) { return json(std::string(r.text(0))); });
}

ApiResponse meta_values(TagStore& ts, const Params& p) {
    auto tax = p.get("taxonomy");
    auto tag = p.get("tag");
    if (!tax) {
        return missing("taxonomy");
    }
    if (!tag) {
        return missing("tag");
    }
    Page page;
    DG_API_TRY(parse_page(p, page));
    Sql sql;
    sql.where("x.name = " + sql.param(Value(*tax)));
    sql.where("t.name = " + sql.param(Value(*tag)));
    const std::string text = "SELECT v.id, v.value FROM taxonomy_values v "
                             "JOIN taxonomy_tags t ON t.id = v.tag_id "
                             "JOIN taxonomies x ON x.id = t.taxonomy_id" +
                             sql.where_sql() + " ORDER BY v.id";
    return query_array(ts, text + sql.page(page), sql, [](const Row& r) {
        return json{{"value_id", r.integer(0)}, {"value", std::string(r.text(1))}};
    });
}

ApiResponse meta_tag(TagStore& ts, const Params& p) {
    auto tax_name = p.get("taxonomy");
    auto tag_name = p.get("tag");
    if (!tax_name) {
        return missing("taxonomy");
    }
    if (!tag_name) {
        return missing("tag");
    }
    auto tax = ts.find_taxonomy(*tax_name);
    if (!tax) {
        return server_error(tax.error());
    }
    std::optional<json> tag;
    std::int64_t tag_id = 0;
    if (*tax) {
        auto r = ts.conn().query(
            "SELECT id, name, description, category, extras FROM taxonomy_tags "
            "WHERE taxonomy_id = $1 AND name = $2",
            {Value((*tax)->id), view(*tag_name)}, [&](const Row& row) {
                tag_id = row.integer(0);
                const std::string category(row.text(3));
                tag = json{{"name", std::string(row.text(1))},
                           {"description", opt(opt_string(row, 2))},
                           {"category", category.empty() ? json(nullptr) : json(category)},
                           {"extras", parse_json_object(row.text(4))}};
                return false;
            });
        if (!r) {
            return server_error(r.error());
        }
    }
    if (!tag) {
        return detail(404, "no tag '" + *tag_name + "' in taxonomy '" + *tax_name + "' found");
    }
    auto count = ts.conn().query_int("SELECT COUNT(*) FROM taxonomy_values WHERE tag_id = $1",
                                     {Value(tag_id)});
    if (!count) {
        return server_error(count.error());
    }
    const Taxonomy& t = **tax;
    // upstream fills flags.is_stable from is_actionable (v1 keeps that); where that is not a
    // boolean (0.5), upstream answers 500 and we give the real is_stable.
    json is_stable = opt_bool(t.is_stable);
    if (!t.is_actionable) {
        is_stable = nullptr;
    } else if (*t.is_actionable == 1.0 || *t.is_actionable == 0.0) {
        is_stable = *t.is_actionable == 1.0;
    }
    json flags = {{"is_actionable", opt_float(t.is_actionable)},
                  {"is_automatically_classifiable", opt_bool(t.is_automatically_classifiable)},
                  {"is_stable", is_stable},
                  {"for_numbers", opt_bool(t.for_numbers)},
                  {"for_domains", opt_bool(t.for_domains)},
                  {"allows_auto_tags", t.allows_auto_tags},
                  {"allows_auto_values", t.allows_auto_values}};
    return {200, json{{"tag", *tag},
                      {"taxonomy",
                       {{"name", t.name},
                        {"description", opt(t.description)},
                        {"url", opt(t.url)},
                        {"flags", flags}}},
                      {"values", {{"count", *count}}}}};
}

// --- /api/v1/filters ---

ApiResponse filter_types(TagStore& ts) {
    return query_array(ts, "SELECT DISTINCT name FROM tag_filters ORDER BY name", Sql{},
                       [](const Row& r) { return json(std::string(r.text(0))); });
}

ApiResponse filter_values(TagStore& ts, const Params& p) {
    auto f = p.get("filter");
    if (!f) {
        return missing("filter");
    }
    Sql sql;
    sql.where("name = " + sql.param(Value(*f)));
    return query_array(
        ts, "SELECT DISTINCT value FROM tag_filters" + sql.where_sql() + " ORDER BY value", sql,
        [](const Row& r) { return json(std::string(r.text(0))); });
}

// --- /api/v1/stats (count = distinct domains; order count DESC, then name) ---

ApiResponse stats(TagStore& ts, const Params& p, const char* group_sql, const char* key, bool paged,
                  const std::function<std::optional<ApiResponse>(Sql&)>& narrow) {
    Page page;
    TimeSel t;
    std::optional<Filter> f;
    DG_API_TRY(parse_page(p, page));
    DG_API_TRY(parse_at_time(p, t));
    DG_API_TRY(parse_filter(p, f));
    Sql sql;
    sql.time(t, "m");
    sql.filter(f, t);
    DG_API_TRY(narrow(sql));
    std::string text = std::string("SELECT ") + group_sql +
                       ", COUNT(DISTINCT m.entity_id) AS n FROM tag_mappings m "
                       "JOIN tagged_entities e ON e.id = m.entity_id AND e.kind = 'domain' "
                       "JOIN taxonomy_tags t ON t.id = m.tag_id "
                       "JOIN taxonomies x ON x.id = t.taxonomy_id "
                       "LEFT JOIN taxonomy_values v ON v.id = m.value_id" +
                       sql.where_sql() + " GROUP BY " + group_sql + " ORDER BY n DESC, " +
                       group_sql;
    if (paged) {
        text += sql.page(page);
    }
    json out = json::array();
    auto r = ts.conn().query(text, sql.params(), [&](const Row& row) {
        out.push_back(json{{key, std::string(row.text(0))}, {"count", row.integer(1)}});
        return true;
    });
    if (!r) {
        return server_error(r.error());
    }
    return {200, std::move(out)};
}

ApiResponse stats_taxonomies(TagStore& ts, const Params& p) {
    return stats(ts, p, "x.name", "taxonomy_name", true,
                 [](Sql&) { return std::optional<ApiResponse>(); });
}

ApiResponse stats_categories(TagStore& ts, const Params& p) {
    auto tax = p.get("taxonomy");
    if (!tax) {
        return missing("taxonomy");
    }
    return stats(ts, p, "t.category", "category", true, [&](Sql& sql) {
        sql.where("x.name = " + sql.param(Value(*tax)));
        return std::optional<ApiResponse>();
    });
}

ApiResponse stats_tags(TagStore& ts, const Params& p) {
    auto tax = p.get("taxonomy");
    if (!tax) {
        return missing("taxonomy");
    }
    auto category = p.get("category");
    return stats(ts, p, "t.name", "tag_name", false, [&](Sql& sql) {
        sql.where("x.name = " + sql.param(Value(*tax)));
        if (category) {
            sql.where("t.category = " + sql.param(Value(*category)));
        }
        return std::optional<ApiResponse>();
    });
}

ApiResponse stats_values(TagStore& ts, const Params& p) {
    auto tax = p.get("taxonomy");
    auto tag = p.get("tag");
    if (!tax) {
        return missing("taxonomy");
    }
    if (!tag) {
        return missing("tag");
    }
    return stats(ts, p, "v.value", "value", false, [&](Sql& sql) {
        sql.where("x.name = " + sql.param(Value(*tax)));
        sql.where("t.name = " + sql.param(Value(*tag)));
        sql.where("m.value_id IS NOT NULL");
        return std::optional<ApiResponse>();
    });
}

// --- POST /api/v1/msm2tag/ ---

ApiResponse msm2tag(TagStore& ts, const std::string& body) {
    const auto j = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
        return unprocessable("body", "__root__", "invalid JSON", "value_error.jsondecode");
    }
    auto m = parse_measurement(j);
    if (!m) {
        return unprocessable("body", "measurement", m.error().message, "value_error");
    }
    auto out = ts.apply(*m);
    if (!out) {
        if (out.error().code == ErrorCode::InvalidArgument) {
            return bad_request(out.error().message);
        }
        return server_error(out.error());
    }
    if (out->stale) {
        return bad_request(out->stale_reason);
    }
    return {200, json{{"message", "OK"}}};
}

// --- legacy 0.2/0.3 (open tags only, no times) ---

ApiResponse legacy_rows(TagStore& ts, const Params& p, const char* column, const std::string& v,
                        json (*shape)(const TagRow&)) {
    Page page;
    DG_API_TRY(parse_page(p, page));
    Sql sql;
    sql.time(TimeSel{}, "m");
    sql.where(std::string(column) + " = " + sql.param(Value(v)));
    return rows_response(select_rows(ts, sql, page), shape);
}

json legacy_domain_tag(const TagRow& r) {
    return json{{"domain_name", r.domain_name}, {"domain_id", r.domain_id},
                {"tag_id", r.tag_id},           {"tag_name", r.tag_name},
                {"taxonomy_id", r.taxonomy_id}, {"taxonomy_name", r.taxonomy_name}};
}

json legacy_bytag(const TagRow& r) {
    return json{{"domain_id", r.domain_id},
                {"domain_name", r.domain_name},
                {"tag_id", r.tag_id},
                {"tag_name", r.tag_name}};
}

const char* kHelp =
    "\n# About\n\nThis API serves tags of domains (tag2domain API v1, 0.8.4-compatible) from "
    "domaingraph.\n\nExample:\n```\n  GET /api/v1/bydomain/example.at\n  GET "
    "/api/v1/domains/bytag?tag=...\n```\nSee /api/v1/meta/taxonomies, /api/v1/meta/tags, "
    "/api/v1/domains/*, /api/v1/stats/*, /api/v1/filters/*.\n";

ApiResponse route_get(TagStore& ts, std::string path, const Params& p) {
    if (path.size() > 1 && path.back() == '/' && path != "/api/v1/") {
        path.pop_back(); // upstream redirects (307) to the canonical path
    }
    if (path == "/api/v1") {
        path = "/api/v1/";
    }
    if (path == "/test/ping") {
        return {200, json{{"message", "Pong!"}}};
    }
    if (path == "/test/self-test") {
        auto r = ts.conn().query("SELECT 1", {});
        return r ? ApiResponse{200, json{{"message", "OK"}}} : detail(503, "failed DB execute");
    }
    if (path == "/meta/version") {
        return {200, json{{"version", kVersion}}};
    }
    if (path == "/meta/api-versions") {
        return {200, json::array({json{{"version", "v1"}}})};
    }
    if (path == "/api/v1/") {
        return {200, json{{"help", kHelp}}};
    }
    constexpr std::string_view kApi = "/api/v1/";
    if (!path.starts_with(kApi)) {
        return detail(404, "Not Found");
    }
    const std::string rest = path.substr(kApi.size());
    if (rest == "meta/taxonomies" || rest == "taxonomies/all") {
        return meta_taxonomies(ts, p);
    }
    if (rest == "meta/tags" || rest == "tags/all") {
        return meta_tags(ts, p, rest == "tags/all");
    }
    if (rest == "meta/categories") {
        return meta_categories(ts, p);
    }
    if (rest == "meta/values") {
        return meta_values(ts, p);
    }
    if (rest == "meta/tag") {
        return meta_tag(ts, p);
    }
    if (rest == "filters/types") {
        return filter_types(ts);
    }
    if (rest == "filters/values") {
        return filter_values(ts, p);
    }
    if (rest == "domains/bytag") {
        return bytag(ts, p, std::nullopt);
    }
    if (rest == "domains/bytaxonomy") {
        return bytaxonomy(ts, p);
    }
    if (rest == "domains/bycategory") {
        return bycategory(ts, p);
    }
    if (rest == "domains/byversion") {
        return byversion(ts, p);
    }
    if (rest == "stats/taxonomies") {
        return stats_taxonomies(ts, p);
    }
    if (rest == "stats/categories") {
        return stats_categories(ts, p);
    }
    if (rest == "stats/tags") {
        return stats_tags(ts, p);
    }
    if (rest == "stats/values") {
        return stats_values(ts, p);
    }
    auto tail = [&](std::string_view prefix) -> std::optional<std::string> {
        if (rest.starts_with(prefix) && rest.size() > prefix.size() &&
            rest.find('/', prefix.size()) == std::string::npos) {
            return rest.substr(prefix.size());
        }
        return std::nullopt;
    };
    if (rest.starts_with("bydomain/")) {
        std::string domain = rest.substr(9);
        const bool history = domain.ends_with("/history");
        if (history) {
            domain.resize(domain.size() - 8);
        }
        if (domain.empty() || domain.find('/') != std::string::npos) {
            return detail(404, "Not Found");
        }
        return bydomain(ts, domain, p, history);
    }
    if (auto d = tail("taxonomies/bydomain/"); d) {
        return legacy_rows(ts, p, "e.name", *d, legacy_domain_tag);
    }
    if (auto d = tail("tags/bydomain/"); d) {
        return legacy_rows(ts, p, "e.name", *d, legacy_domain_tag);
    }
    if (auto t = tail("domains/bytag/"); t) {
        return legacy_rows(ts, p, "t.name", *t, legacy_bytag);
    }
    if (auto t = tail("domains/bytaxonomy/"); t) {
        return legacy_rows(ts, p, "x.name", *t, legacy_domain_tag);
    }
    return detail(404, "Not Found");
}

} // namespace

ApiResponse domain_tags(TagStore& ts, const std::string& domain, const QueryParams& query,
                        bool history) {
    try {
        if (auto refused = check_request_text(domain, query)) {
            return *refused;
        }
        return bydomain(ts, domain, Params(query), history, bydomain_typed_element);
    } catch (const std::exception& e) {
        return detail(500, e.what());
    }
}

QueryParams parse_query_string(std::string_view raw) {
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    };
    auto decode = [&](std::string_view s) {
        std::string out;
        out.reserve(s.size());
        for (std::size_t i = 0; i < s.size(); ++i) {
            if (s[i] == '+') {
                out.push_back(' ');
            } else if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 &&
                       hex(s[i + 2]) >= 0) {
                out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
                i += 2;
            } else {
                out.push_back(s[i]);
            }
        }
        return out;
    };
    QueryParams out;
    while (!raw.empty()) {
        const auto amp = raw.find('&');
        const std::string_view pair = raw.substr(0, amp);
        raw = amp == std::string_view::npos ? std::string_view{} : raw.substr(amp + 1);
        if (pair.empty()) {
            continue;
        }
        const auto eq = pair.find('=');
        out.emplace_back(decode(pair.substr(0, eq)), eq == std::string_view::npos
                                                         ? std::string()
                                                         : decode(pair.substr(eq + 1)));
    }
    return out;
}

ApiResponse tag2domain_api(TagStore& ts, const std::string& method, const std::string& path,
                           const QueryParams& query, const std::string& body) {
    try {
        if (auto refused = check_request_text(path, query)) {
            return *refused;
        }
        const Params p(query);
        const bool msm2tag_path = path == "/api/v1/msm2tag/" || path == "/api/v1/msm2tag";
        if (method == "POST") {
            if (msm2tag_path) {
                return msm2tag(ts, body);
            }
            return detail(path.starts_with("/api/v1/") ? 405 : 404, "Method Not Allowed");
        }
        if (method != "GET" && method != "HEAD") {
            return detail(405, "Method Not Allowed");
        }
        if (msm2tag_path) {
            return detail(405, "Method Not Allowed"); // upstream: the route exists, POST only
        }
        return route_get(ts, path, p);
    } catch (const std::exception& e) { // regex or allocation failures: never across the API
        return detail(500, e.what());
    }
}

} // namespace dg::tags
