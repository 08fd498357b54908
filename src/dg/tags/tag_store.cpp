#include "dg/tags/tag_store.hpp"

#include "dg/core/domain_name.hpp"
#include "dg/core/ip_address.hpp"
#include "dg/core/text_check.hpp"
#include "dg/tags/sql_util.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace dg::tags {

using store::internal::Row;
using store::internal::Transaction;
using store::internal::Value;

namespace {

constexpr const char* kTaxonomyColumns =
    "id, name, description, is_actionable, is_automatically_classifiable, is_stable, "
    "for_numbers, for_domains, url, allows_auto_tags, allows_auto_values, exclusive, version, "
    "uuid, expanded, origin, extras";

Taxonomy read_taxonomy(const Row& r) {
    Taxonomy t;
    t.id = r.integer(0);
    t.name = std::string(r.text(1));
    t.description = opt_string(r, 2);
    t.is_actionable = opt_double(r, 3);
    t.is_automatically_classifiable = opt_bool(r, 4);
    t.is_stable = opt_bool(r, 5);
    t.for_numbers = opt_bool(r, 6);
    t.for_domains = opt_bool(r, 7);
    t.url = opt_string(r, 8);
    t.allows_auto_tags = r.integer(9) != 0;
    t.allows_auto_values = r.integer(10) != 0;
    t.exclusive = r.integer(11) != 0;
    t.version = r.opt_integer(12);
    t.uuid = opt_string(r, 13);
    t.expanded = opt_string(r, 14);
    t.origin = std::string(r.text(15));
    t.extras = parse_json_object(r.text(16));
    return t;
}

constexpr const char* kTagColumns = "id, taxonomy_id, name, description, extras, expanded, "
                                    "colour, numerical_value, exclusive, is_other, uuid";

Tag read_tag(const Row& r) {
    Tag t;
    t.id = r.integer(0);
    t.taxonomy_id = r.integer(1);
    t.name = std::string(r.text(2));
    t.description = opt_string(r, 3);
    t.extras = parse_json_object(r.text(4));
    t.expanded = opt_string(r, 5);
    t.colour = opt_string(r, 6);
    t.numerical_value = opt_double(r, 7);
    t.exclusive = r.integer(8) != 0;
    t.is_other = r.integer(9) != 0;
    t.uuid = opt_string(r, 10);
    return t;
}

constexpr const char* kValueColumns =
    "id, tag_id, value, expanded, description, colour, numerical_value, uuid, extras";

TagValue read_value(const Row& r) {
    TagValue v;
    v.id = r.integer(0);
    v.tag_id = r.integer(1);
    v.value = std::string(r.text(2));
    v.expanded = opt_string(r, 3);
    v.description = opt_string(r, 4);
    v.colour = opt_string(r, 5);
    v.numerical_value = opt_double(r, 6);
    v.uuid = opt_string(r, 7);
    v.extras = parse_json_object(r.text(8));
    return v;
}

constexpr const char* kMappingColumns = "id, entity_id, tag_type, taxonomy_id, tag_id, value_id, "
                                        "start_us, end_us, measured_us, producer";

Mapping read_mapping(const Row& r) {
    Mapping m;
    m.id = r.integer(0);
    m.entity_id = r.integer(1);
    m.tag_type = std::string(r.text(2));
    m.taxonomy_id = r.integer(3);
    m.tag_id = r.integer(4);
    m.value_id = r.opt_integer(5);
    m.start = r.integer(6);
    m.end = r.opt_integer(7);
    m.measured_at = r.integer(8);
    m.producer = opt_string(r, 9);
    return m;
}

/// "INSERT INTO table (cols) VALUES ($1..$n) RETURNING id", with the id column first when
/// `with_id` (then $1 is the id).
std::string insert_sql(const char* table, const char* columns_without_id, int n, bool with_id) {
    std::string sql = std::string("INSERT INTO ") + table + " (";
    if (with_id) {
        sql += "id, ";
    }
    sql += columns_without_id;
    sql += ") VALUES (";
    const int total = n + (with_id ? 1 : 0);
    for (int i = 1; i <= total; ++i) {
        sql += (i > 1 ? ", $" : "$") + std::to_string(i);
    }
    sql += ") RETURNING id";
    return sql;
}

Error invalid(std::string msg) {
    return make_error(ErrorCode::InvalidArgument, std::move(msg));
}

} // namespace

std::string category_of(std::string_view tag_name) {
    const auto pos = tag_name.rfind("::");
    if (pos == std::string_view::npos || pos == 0 || pos + 2 >= tag_name.size()) {
        return "";
    }
    return std::string(tag_name.substr(0, pos));
}

const char* entity_kind_name(EntityKind k) {
    return k == EntityKind::Ip ? "ip" : "domain";
}

Result<TagStore> TagStore::open(store::Store& store) {
    auto* c = store.sql_connection();
    if (c == nullptr) {
        return make_error(ErrorCode::Unsupported, "this store has no SQL database for tags");
    }
    return TagStore(*c);
}

// --- taxonomies ---

Result<std::int64_t> TagStore::upsert_taxonomy(const Taxonomy& t) {
    if (t.name.empty()) {
        return invalid("a taxonomy needs a name");
    }
    DG_TRY_VOID(check_text(t.name, "the taxonomy name"));
    DG_TRY_VOID(
        check_text(t.description.value_or(""), "the taxonomy description", TextRule::Multiline));
    const std::string extras = t.extras.is_object() ? t.extras.dump() : "{}";
    std::vector<Value> v = {view(t.name),
                            opt_view(t.description),
                            opt_double_value(t.is_actionable),
                            opt_bool_value(t.is_automatically_classifiable),
                            opt_bool_value(t.is_stable),
                            opt_bool_value(t.for_numbers),
                            opt_bool_value(t.for_domains),
                            opt_view(t.url),
                            bool_value(t.allows_auto_tags),
                            bool_value(t.allows_auto_values),
                            bool_value(t.exclusive),
                            store::internal::opt_int(t.version),
                            opt_view(t.uuid),
                            opt_view(t.expanded),
                            view(t.origin),
                            view(extras)};
    constexpr const char* kCols =
        "name, description, is_actionable, is_automatically_classifiable, is_stable, "
        "for_numbers, for_domains, url, allows_auto_tags, allows_auto_values, exclusive, "
        "version, uuid, expanded, origin, extras";
    std::optional<std::int64_t> existing;
    DG_TRY_VOID(
        c_->query("SELECT id FROM taxonomies WHERE name = $1", {view(t.name)}, [&](const Row& r) {
            existing = r.integer(0);
            return false;
        }));
    if (existing) {
        v.emplace_back(*existing);
        DG_TRY_VOID(c_->query(
            "UPDATE taxonomies SET description = $2, is_actionable = $3, "
            "is_automatically_classifiable = $4, is_stable = $5, for_numbers = $6, "
            "for_domains = $7, url = $8, allows_auto_tags = $9, allows_auto_values = $10, "
            "exclusive = $11, version = $12, uuid = $13, expanded = $14, origin = $15, "
            "extras = $16 WHERE id = $17 AND name = $1",
            v, {}));
        return *existing;
    }
    bool with_id = false;
    if (t.id > 0) {
        std::optional<std::string> holder;
        DG_TRY_VOID(c_->query("SELECT name FROM taxonomies WHERE id = $1", {Value(t.id)},
                              [&](const Row& r) {
                                  holder = std::string(r.text(0));
                                  return false;
                              }));
        if (holder) {
            return invalid("taxonomy id " + std::to_string(t.id) + " ('" + t.name +
                           "') is already used by taxonomy '" + *holder + "'");
        }
        with_id = true;
        v.insert(v.begin(), Value(t.id));
    }
    std::int64_t id = 0;
    DG_TRY_VOID(c_->query(insert_sql("taxonomies", kCols, 16, with_id), v, [&](const Row& r) {
        id = r.integer(0);
        return false;
    }));
    return id;
}

Result<std::int64_t> TagStore::upsert_tag(std::int64_t taxonomy_id, const Tag& tag) {
    if (tag.name.empty() || tag.name.size() > 200) {
        return invalid("a tag name must have 1 to 200 characters: '" + tag.name.substr(0, 64) +
                       "'");
    }
    DG_TRY_VOID(check_text(tag.name, "the tag name"));
    DG_TRY_VOID(
        check_text(tag.description.value_or(""), "the tag description", TextRule::Multiline));
    const std::string category = category_of(tag.name);
    const std::string extras = tag.extras.is_object() ? tag.extras.dump() : "{}";
    std::vector<Value> v = {Value(taxonomy_id),
                            view(tag.name),
                            view(category),
                            opt_view(tag.description),
                            view(extras),
                            opt_view(tag.expanded),
                            opt_view(tag.colour),
                            opt_double_value(tag.numerical_value),
                            bool_value(tag.exclusive),
                            bool_value(tag.is_other),
                            opt_view(tag.uuid)};
    std::optional<std::int64_t> existing;
    DG_TRY_VOID(c_->query("SELECT id FROM taxonomy_tags WHERE taxonomy_id = $1 AND name = $2",
                          {Value(taxonomy_id), view(tag.name)}, [&](const Row& r) {
                              existing = r.integer(0);
                              return false;
                          }));
    if (existing) {
        v.emplace_back(*existing);
        DG_TRY_VOID(c_->query("UPDATE taxonomy_tags SET category = $3, description = $4, "
                              "extras = $5, expanded = $6, colour = $7, numerical_value = $8, "
                              "exclusive = $9, is_other = $10, uuid = $11 "
                              "WHERE id = $12 AND taxonomy_id = $1 AND name = $2",
                              v, {}));
        return *existing;
    }
    bool with_id = false;
    if (tag.id > 0) {
        bool taken = false;
        DG_TRY_VOID(c_->query("SELECT 1 FROM taxonomy_tags WHERE id = $1", {Value(tag.id)},
                              [&](const Row&) {
                                  taken = true;
                                  return false;
                              }));
        if (taken) {
            return invalid("tag id " + std::to_string(tag.id) + " ('" + tag.name +
                           "') is already used by another tag");
        }
        with_id = true;
        v.insert(v.begin(), Value(tag.id));
    }
    std::int64_t id = 0;
    DG_TRY_VOID(c_->query(insert_sql("taxonomy_tags",
                                     "taxonomy_id, name, category, description, extras, expanded, "
                                     "colour, numerical_value, exclusive, is_other, uuid",
                                     11, with_id),
                          v, [&](const Row& r) {
                              id = r.integer(0);
                              return false;
                          }));
    return id;
}

Result<std::int64_t> TagStore::upsert_value(std::int64_t tag_id, const TagValue& tv) {
    DG_TRY_VOID(check_text(tv.value, "the tag value"));
    DG_TRY_VOID(
        check_text(tv.description.value_or(""), "the value description", TextRule::Multiline));
    const std::string extras = tv.extras.is_object() ? tv.extras.dump() : "{}";
    std::vector<Value> v = {Value(tag_id),         view(tv.value),
                            opt_view(tv.expanded), opt_view(tv.description),
                            opt_view(tv.colour),   opt_double_value(tv.numerical_value),
                            opt_view(tv.uuid),     view(extras)};
    std::optional<std::int64_t> existing;
    DG_TRY_VOID(c_->query("SELECT id FROM taxonomy_values WHERE tag_id = $1 AND value = $2",
                          {Value(tag_id), view(tv.value)}, [&](const Row& r) {
                              existing = r.integer(0);
                              return false;
                          }));
    if (existing) {
        v.emplace_back(*existing);
        DG_TRY_VOID(c_->query("UPDATE taxonomy_values SET expanded = $3, description = $4, "
                              "colour = $5, numerical_value = $6, uuid = $7, extras = $8 "
                              "WHERE id = $9 AND tag_id = $1 AND value = $2",
                              v, {}));
        return *existing;
    }
    bool with_id = false;
    if (tv.id > 0) {
        bool taken = false;
        DG_TRY_VOID(c_->query("SELECT 1 FROM taxonomy_values WHERE id = $1", {Value(tv.id)},
                              [&](const Row&) {
                                  taken = true;
                                  return false;
                              }));
        if (taken) {
            return invalid("value id " + std::to_string(tv.id) + " ('" + tv.value +
                           "') is already used by another value");
        }
        with_id = true;
        v.insert(v.begin(), Value(tv.id));
    }
    std::int64_t id = 0;
    DG_TRY_VOID(c_->query(
        insert_sql("taxonomy_values",
                   "tag_id, value, expanded, description, colour, numerical_value, uuid, extras", 8,
                   with_id),
        v, [&](const Row& r) {
            id = r.integer(0);
            return false;
        }));
    return id;
}

Result<std::int64_t> TagStore::import_taxonomy(const TaxonomyDef& def) {
    Transaction tx(*c_);
    DG_TRY_VOID(tx.begin());
    DG_TRY(std::int64_t tax_id, store_taxonomy(def));
    DG_TRY_VOID(tx.commit());
    return tax_id;
}

Result<std::int64_t> TagStore::store_taxonomy(const TaxonomyDef& def) {
    DG_TRY(std::int64_t tax_id, upsert_taxonomy(def.taxonomy));
    bool explicit_ids = def.taxonomy.id > 0;
    for (const Tag& tag : def.tags) {
        auto tag_id = upsert_tag(tax_id, tag);
        if (!tag_id) {
            return tag_id.error().at(def.taxonomy.name);
        }
        explicit_ids = explicit_ids || tag.id > 0;
        for (const TagValue& v : tag.values) {
            auto value_id = upsert_value(*tag_id, v);
            if (!value_id) {
                return value_id.error().at(def.taxonomy.name + ":" + tag.name);
            }
            explicit_ids = explicit_ids || v.id > 0;
        }
    }
    if (explicit_ids) {
        DG_TRY_VOID(sync_sequences());
    }
    return tax_id;
}

Result<std::vector<Taxonomy>> TagStore::taxonomies() {
    std::vector<Taxonomy> out;
    DG_TRY_VOID(
        c_->query(std::string("SELECT ") + kTaxonomyColumns + " FROM taxonomies ORDER BY id", {},
                  [&](const Row& r) {
                      out.push_back(read_taxonomy(r));
                      return true;
                  }));
    return out;
}

Result<std::optional<Taxonomy>> TagStore::taxonomy_by_id(std::int64_t id) {
    std::optional<Taxonomy> out;
    DG_TRY_VOID(
        c_->query(std::string("SELECT ") + kTaxonomyColumns + " FROM taxonomies WHERE id = $1",
                  {Value(id)}, [&](const Row& r) {
                      out = read_taxonomy(r);
                      return false;
                  }));
    return out;
}

Result<std::optional<Taxonomy>> TagStore::find_taxonomy(const std::string& key) {
    std::optional<Taxonomy> out;
    DG_TRY_VOID(
        c_->query(std::string("SELECT ") + kTaxonomyColumns + " FROM taxonomies WHERE name = $1",
                  {view(key)}, [&](const Row& r) {
                      out = read_taxonomy(r);
                      return false;
                  }));
    if (!out && !key.empty() && key.size() < 19 &&
        std::all_of(key.begin(), key.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
        return taxonomy_by_id(std::stoll(key));
    }
    return out;
}

Result<std::vector<Tag>> TagStore::load_tags(std::int64_t taxonomy_id) {
    std::vector<Tag> tags;
    DG_TRY_VOID(c_->query(std::string("SELECT ") + kTagColumns +
                              " FROM taxonomy_tags WHERE taxonomy_id = $1 ORDER BY id",
                          {Value(taxonomy_id)}, [&](const Row& r) {
                              tags.push_back(read_tag(r));
                              return true;
                          }));
    std::map<std::int64_t, std::size_t> index;
    for (std::size_t i = 0; i < tags.size(); ++i) {
        index[tags[i].id] = i;
    }
    std::string sql = "SELECT ";
    for (std::string_view col : {"v.id", "v.tag_id", "v.value", "v.expanded", "v.description",
                                 "v.colour", "v.numerical_value", "v.uuid", "v.extras"}) {
        sql += std::string(col) + (col == "v.extras" ? "" : ", ");
    }
    sql += " FROM taxonomy_values v JOIN taxonomy_tags t ON t.id = v.tag_id "
           "WHERE t.taxonomy_id = $1 ORDER BY v.id";
    DG_TRY_VOID(c_->query(sql, {Value(taxonomy_id)}, [&](const Row& r) {
        TagValue v = read_value(r);
        if (auto it = index.find(v.tag_id); it != index.end()) {
            tags[it->second].values.push_back(std::move(v));
        }
        return true;
    }));
    return tags;
}

Result<TaxonomyDef> TagStore::load_taxonomy(std::int64_t id) {
    DG_TRY(auto t, taxonomy_by_id(id));
    if (!t) {
        return make_error(ErrorCode::NotFound, "no taxonomy with id " + std::to_string(id));
    }
    TaxonomyDef def;
    def.taxonomy = std::move(*t);
    DG_TRY(def.tags, load_tags(id));
    return def;
}

Result<void> TagStore::delete_taxonomy(std::int64_t id) {
    Transaction tx(*c_);
    DG_TRY_VOID(tx.begin());
    DG_TRY(std::int64_t n,
           c_->query_int("SELECT COUNT(*) FROM taxonomies WHERE id = $1", {Value(id)}));
    if (n == 0) {
        return make_error(ErrorCode::NotFound, "no taxonomy with id " + std::to_string(id));
    }
    // Explicit order: SQLite enforces foreign keys only when enabled.
    DG_TRY_VOID(c_->query("DELETE FROM tag_mappings WHERE taxonomy_id = $1", {Value(id)}));
    DG_TRY_VOID(c_->query("DELETE FROM taxonomy_values WHERE tag_id IN "
                          "(SELECT id FROM taxonomy_tags WHERE taxonomy_id = $1)",
                          {Value(id)}));
    DG_TRY_VOID(c_->query("DELETE FROM taxonomy_tags WHERE taxonomy_id = $1", {Value(id)}));
    DG_TRY_VOID(c_->query("DELETE FROM taxonomies WHERE id = $1", {Value(id)}));
    return tx.commit();
}

Result<std::int64_t> TagStore::ensure_other_tag(std::int64_t taxonomy_id) {
    std::optional<std::int64_t> id;
    DG_TRY_VOID(c_->query("SELECT id FROM taxonomy_tags WHERE taxonomy_id = $1 AND is_other = 1",
                          {Value(taxonomy_id)}, [&](const Row& r) {
                              id = r.integer(0);
                              return false;
                          }));
    if (id) {
        return *id;
    }
    Tag other;
    other.name = "OTHER";
    other.description = "none of the taxonomy's tags (the OTHER bucket)";
    other.is_other = true;
    return upsert_tag(taxonomy_id, other);
}

// --- entities ---

Result<std::string> canonical_entity_name(EntityKind kind, std::string_view name) {
    DG_TRY_VOID(check_text(name, kind == EntityKind::Ip ? "the address" : "the domain name"));
    if (kind == EntityKind::Ip) {
        DG_TRY(const IpAddress ip, IpAddress::parse(name));
        return ip.to_string();
    }
    // As a scan reads its domain list (scan/domain_input.cpp): '_' allowed (service names).
    DG_TRY(const DomainName d, DomainName::parse(name, /*allow_underscore=*/true));
    return d.text();
}

Result<std::int64_t> TagStore::entity_id(EntityKind kind, const std::string& raw_name,
                                         bool create) {
    const char* k = entity_kind_name(kind);
    DG_TRY(const std::string name, canonical_entity_name(kind, raw_name));
    std::optional<std::int64_t> id;
    DG_TRY_VOID(c_->query("SELECT id FROM tagged_entities WHERE kind = $1 AND name = $2",
                          {view(k), view(name)}, [&](const Row& r) {
                              id = r.integer(0);
                              return false;
                          }));
    if (id) {
        return *id;
    }
    if (!create) {
        return make_error(ErrorCode::NotFound, std::string("no tagged ") + k + " '" + name + "'");
    }
    if (name.empty()) {
        return invalid("an entity needs a name");
    }
    return c_->query_int("INSERT INTO tagged_entities (kind, name) VALUES ($1, $2) RETURNING id",
                         {view(k), view(name)});
}

Result<std::int64_t> TagStore::put_entity(EntityKind kind, const std::string& raw_name,
                                          std::int64_t id) {
    DG_TRY(const std::string name, canonical_entity_name(kind, raw_name));
    auto existing = entity_id(kind, name, /*create=*/false);
    if (existing) {
        return *existing;
    }
    if (existing.error().code != ErrorCode::NotFound) {
        return existing.error();
    }
    std::optional<std::string> holder;
    DG_TRY_VOID(c_->query("SELECT kind || ' ' || name FROM tagged_entities WHERE id = $1",
                          {Value(id)}, [&](const Row& r) {
                              holder = std::string(r.text(0));
                              return false;
                          }));
    if (holder) {
        return invalid("entity id " + std::to_string(id) + " ('" + name + "') is already used by " +
                       *holder);
    }
    DG_TRY_VOID(c_->query("INSERT INTO tagged_entities (id, kind, name) VALUES ($1, $2, $3)",
                          {Value(id), view(entity_kind_name(kind)), view(name)}));
    return id;
}

Result<bool> TagStore::insert_filter(std::int64_t entity_id, const std::string& name,
                                     const std::string& value, Micros start,
                                     std::optional<Micros> end) {
    DG_TRY_VOID(check_text(name, "the filter name"));
    DG_TRY_VOID(check_text(value, "the filter value"));
    bool exists = false;
    DG_TRY_VOID(c_->query(
        "SELECT 1 FROM tag_filters WHERE entity_id = $1 AND name = $2 AND "
        "value = $3 AND start_us = $4 AND COALESCE(end_us, -1) = $5",
        {Value(entity_id), view(name), view(value), Value(start), Value(end.value_or(-1))},
        [&](const Row&) {
            exists = true;
            return false;
        }));
    if (exists) {
        return false;
    }
    DG_TRY_VOID(c_->query(
        "INSERT INTO tag_filters (entity_id, name, value, start_us, end_us) "
        "VALUES ($1, $2, $3, $4, $5)",
        {Value(entity_id), view(name), view(value), Value(start), store::internal::opt_int(end)}));
    return true;
}

Result<void> TagStore::add_tag_type(const std::string& name, EntityKind kind) {
    DG_TRY_VOID(check_text(name, "the tag type"));
    std::optional<std::string> existing;
    DG_TRY_VOID(c_->query("SELECT entity_kind FROM tag_types WHERE name = $1", {view(name)},
                          [&](const Row& r) {
                              existing = std::string(r.text(0));
                              return false;
                          }));
    if (existing) {
        if (*existing != entity_kind_name(kind)) {
            return invalid("tag type '" + name + "' already tags " + *existing + "s");
        }
        return ok();
    }
    return c_->query("INSERT INTO tag_types (name, entity_kind) VALUES ($1, $2)",
                     {view(name), view(entity_kind_name(kind))});
}

// --- mappings ---

Result<std::vector<Mapping>> TagStore::mappings_of(std::int64_t entity_id) {
    std::vector<Mapping> out;
    DG_TRY_VOID(c_->query(std::string("SELECT ") + kMappingColumns +
                              " FROM tag_mappings WHERE entity_id = $1 "
                              "ORDER BY tag_id, tag_type, start_us, id",
                          {Value(entity_id)}, [&](const Row& r) {
                              out.push_back(read_mapping(r));
                              return true;
                          }));
    return out;
}

Result<bool> TagStore::insert_mapping(const Mapping& m) {
    bool exists = false;
    DG_TRY_VOID(
        c_->query("SELECT 1 FROM tag_mappings WHERE entity_id = $1 AND tag_type = $2 "
                  "AND tag_id = $3 AND COALESCE(value_id, 0) = $4 AND start_us = $5 "
                  "AND COALESCE(end_us, -1) = $6",
                  {Value(m.entity_id), view(m.tag_type), Value(m.tag_id),
                   Value(m.value_id.value_or(0)), Value(m.start), Value(m.end.value_or(-1))},
                  [&](const Row&) {
                      exists = true;
                      return false;
                  }));
    if (exists) {
        return false;
    }
    DG_TRY_VOID(c_->query(
        "INSERT INTO tag_mappings (entity_id, tag_type, taxonomy_id, tag_id, value_id, start_us, "
        "end_us, measured_us, producer) "
        "SELECT CAST($1 AS BIGINT), CAST($2 AS TEXT), t.taxonomy_id, t.id, CAST($4 AS BIGINT), "
        "CAST($5 AS BIGINT), CAST($6 AS BIGINT), CAST($7 AS BIGINT), CAST($8 AS TEXT) "
        "FROM taxonomy_tags t "
        "WHERE t.id = $3",
        {Value(m.entity_id), view(m.tag_type), Value(m.tag_id),
         store::internal::opt_int(m.value_id), Value(m.start), store::internal::opt_int(m.end),
         Value(m.measured_at), opt_view(m.producer)}));
    return true;
}

Result<void> TagStore::sync_sequences() {
    if (c_->dialect() != store::internal::Dialect::Postgres) {
        return ok(); // SQLite's INTEGER PRIMARY KEY continues after the highest id
    }
    for (const char* table : {"taxonomies", "taxonomy_tags", "taxonomy_values", "tagged_entities",
                              "tag_mappings", "tag_filters"}) {
        const std::string t(table);
        DG_TRY_VOID(c_->exec_script("SELECT setval(pg_get_serial_sequence('" + t +
                                    "', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM " + t +
                                    "), false)"));
    }
    return ok();
}

} // namespace dg::tags
