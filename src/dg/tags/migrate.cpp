#include "dg/tags/migrate.hpp"

#include <algorithm>
#include <limits>
#include <map>

namespace dg::tags {

using nlohmann::json;

namespace {

Error malformed(std::string msg) {
    return make_error(ErrorCode::Malformed, std::move(msg));
}

std::optional<std::string> str(const json& row, const char* key) {
    auto it = row.find(key);
    return it != row.end() && it->is_string() ? std::optional<std::string>(it->get<std::string>())
                                              : std::nullopt;
}

std::optional<std::int64_t> integer(const json& row, const char* key) {
    auto it = row.find(key);
    return it != row.end() && it->is_number_integer()
               ? std::optional<std::int64_t>(it->get<std::int64_t>())
               : std::nullopt;
}

std::optional<bool> boolean(const json& row, const char* key) {
    auto it = row.find(key);
    if (it == row.end() || it->is_null()) {
        return std::nullopt;
    }
    if (it->is_boolean()) {
        return it->get<bool>();
    }
    if (it->is_number()) {
        return it->get<double>() != 0;
    }
    return std::nullopt;
}

Result<std::optional<Micros>> time_of(const json& row, const char* key) {
    auto it = row.find(key);
    if (it == row.end() || it->is_null()) {
        return std::optional<Micros>();
    }
    if (!it->is_string()) {
        return malformed(std::string("'") + key + "' must be a timestamp text");
    }
    DG_TRY(Micros t, parse_time(it->get<std::string>()));
    return std::optional<Micros>(t);
}

const json& rows(const json& state, const char* key) {
    static const json kEmpty = json::array();
    auto it = state.find(key);
    return it != state.end() && it->is_array() ? *it : kEmpty;
}

/// The taxonomies with their tags and values, keyed by upstream taxonomy id.
Result<std::map<std::int64_t, TaxonomyDef>> read_taxonomies(const json& state,
                                                            MigrationReport& report) {
    std::map<std::int64_t, TaxonomyDef> defs;
    for (const auto& r : rows(state, "taxonomy")) {
        auto id = integer(r, "id");
        auto name = str(r, "name");
        if (!id || !name) {
            return malformed("a taxonomy row without id or name");
        }
        Taxonomy t;
        t.id = *id;
        t.name = *name;
        t.origin = "tag2domain";
        t.description = str(r, "description");
        if (auto a = r.find("is_actionable"); a != r.end() && a->is_number()) {
            t.is_actionable = a->get<double>();
        }
        t.is_automatically_classifiable = boolean(r, "is_automatically_classifiable");
        t.is_stable = boolean(r, "is_stable");
        t.for_numbers = boolean(r, "for_numbers");
        t.for_domains = boolean(r, "for_domains");
        t.url = str(r, "url");
        t.allows_auto_tags = boolean(r, "allows_auto_tags").value_or(false);
        t.allows_auto_values = boolean(r, "allows_auto_values").value_or(false);
        defs[*id].taxonomy = std::move(t);
    }
    std::map<std::int64_t, std::pair<std::int64_t, std::size_t>> tag_pos; // tag -> (tax, index)
    for (const auto& r : rows(state, "tags")) {
        auto id = integer(r, "tag_id");
        auto name = str(r, "tag_name");
        auto tax = integer(r, "taxonomy_id");
        if (!id || !name) {
            return malformed("a tags row without tag_id or tag_name");
        }
        if (!tax || defs.count(*tax) == 0) {
            report.warnings.push_back("tag " + std::to_string(*id) + " '" + *name +
                                      "' has no taxonomy: left out");
            continue;
        }
        Tag tag;
        tag.id = *id;
        tag.name = *name;
        tag.description = str(r, "tag_description");
        if (auto e = r.find("extras"); e != r.end() && e->is_object()) {
            tag.extras = *e;
        }
        auto& tags = defs[*tax].tags;
        tag_pos[*id] = {*tax, tags.size()};
        tags.push_back(std::move(tag));
    }
    for (const auto& r : rows(state, "taxonomy_tag_val")) {
        auto id = integer(r, "id");
        auto tag = integer(r, "tag_id");
        auto value = str(r, "value");
        if (!id || !tag || !value) {
            return malformed("a taxonomy_tag_val row without id, tag_id or value");
        }
        auto it = tag_pos.find(*tag);
        if (it == tag_pos.end()) {
            report.warnings.push_back("value " + std::to_string(*id) + " of unknown tag " +
                                      std::to_string(*tag) + ": left out");
            continue;
        }
        TagValue v;
        v.id = *id;
        v.value = *value;
        defs[it->second.first].tags[it->second.second].values.push_back(std::move(v));
    }
    return defs;
}

/// Upstream domain id -> ours, 16 bytes per domain (a 1.5-million-domain registry: 24 MB).
/// Domains usually come in id order (the PostgreSQL reader); otherwise sorted once at first use.
class DomainIds {
public:
    void add(std::int64_t upstream, std::int64_t ours) {
        sorted_ = sorted_ && (ids_.empty() || ids_.back().first < upstream);
        ids_.emplace_back(upstream, ours);
    }
    [[nodiscard]] std::optional<std::int64_t> find(std::int64_t upstream) {
        if (!sorted_) {
            std::sort(ids_.begin(), ids_.end());
            sorted_ = true;
        }
        const auto it = std::lower_bound(ids_.begin(), ids_.end(),
                                         std::pair<std::int64_t, std::int64_t>(
                                             upstream, std::numeric_limits<std::int64_t>::min()));
        return it != ids_.end() && it->first == upstream ? std::optional<std::int64_t>(it->second)
                                                         : std::nullopt;
    }

private:
    std::vector<std::pair<std::int64_t, std::int64_t>> ids_;
    bool sorted_ = true;
};

struct IdMaps {
    std::map<std::int64_t, std::int64_t> tag;
    std::map<std::int64_t, std::int64_t> value;
    DomainIds domain;
};

Result<void> store_taxonomies(TagStore& ts, std::map<std::int64_t, TaxonomyDef>& defs, IdMaps& ids,
                              MigrationReport& report) {
    for (auto& [upstream_id, def] : defs) {
        auto stored_id = ts.store_taxonomy(def);
        if (!stored_id) {
            return stored_id.error();
        }
        DG_TRY(TaxonomyDef stored, ts.load_taxonomy(*stored_id));
        if (*stored_id != upstream_id) {
            report.warnings.push_back("taxonomy '" + def.taxonomy.name + "' keeps its id " +
                                      std::to_string(*stored_id) + " (upstream " +
                                      std::to_string(upstream_id) + ")");
        }
        ++report.taxonomies;
        for (const Tag& tag : def.tags) {
            for (const Tag& s : stored.tags) {
                if (s.name != tag.name) {
                    continue;
                }
                ids.tag[tag.id] = s.id;
                ++report.tags;
                for (const TagValue& v : tag.values) {
                    for (const TagValue& sv : s.values) {
                        if (sv.value == v.value) {
                            ids.value[v.id] = sv.id;
                            ++report.values;
                        }
                    }
                }
            }
        }
    }
    return ok();
}

/// "intersections.domain (table domain_tags, entity = domains.domain_id)" -> tag type "domain",
/// entity table "domains", column "domain_id".
struct IntersectionKey {
    std::string tag_type;
    std::string entity_table = "domains";
    std::string entity_column = "domain_id";
};

std::optional<IntersectionKey> parse_intersection_key(const std::string& key) {
    constexpr std::string_view kPrefix = "intersections.";
    if (!key.starts_with(kPrefix)) {
        return std::nullopt;
    }
    IntersectionKey k;
    const auto end = key.find(' ', kPrefix.size());
    k.tag_type = key.substr(kPrefix.size(), end == std::string::npos ? end : end - kPrefix.size());
    if (const auto e = key.find("entity = "); e != std::string::npos) {
        const auto start = e + 9;
        const auto close = key.find_first_of(") ", start);
        const std::string ref =
            key.substr(start, close == std::string::npos ? close : close - start);
        if (const auto dot = ref.find('.'); dot != std::string::npos) {
            k.entity_table = ref.substr(0, dot);
            k.entity_column = ref.substr(dot + 1);
        }
    }
    return k;
}

/// Entity id of the intersection table -> upstream domain id.
Result<std::map<std::int64_t, std::int64_t>> entity_to_domain(const json& state,
                                                              const IntersectionKey& k) {
    std::map<std::int64_t, std::int64_t> out;
    if (k.entity_table == "domains") {
        for (const auto& r : rows(state, "domains")) {
            if (auto id = integer(r, "domain_id")) {
                out[*id] = *id;
            }
        }
        return out;
    }
    for (const auto& r : rows(state, k.entity_table.c_str())) {
        auto id = integer(r, k.entity_column.c_str());
        auto domain = integer(r, "domain_id");
        if (id && domain) {
            out[*id] = *domain;
        }
    }
    if (out.empty()) {
        return malformed("tag type '" + k.tag_type + "' tags rows of '" + k.entity_table +
                         "', which are not in the file (or carry no domain_id)");
    }
    return out;
}

} // namespace

struct Tag2domainMigration::State {
    explicit State(TagStore& t) : ts(t), tx(t.conn()) {}
    TagStore& ts;
    store::internal::Transaction tx;
    MigrationReport report;
    IdMaps ids;
};

Tag2domainMigration::Tag2domainMigration(TagStore& ts) : s_(std::make_unique<State>(ts)) {}
Tag2domainMigration::~Tag2domainMigration() = default;

Result<void> Tag2domainMigration::begin(const json& core) {
    DG_TRY_VOID(s_->tx.begin());
    DG_TRY(auto defs, read_taxonomies(core, s_->report));
    return store_taxonomies(s_->ts, defs, s_->ids, s_->report);
}

Result<void> Tag2domainMigration::domain(const json& r) {
    auto id = integer(r, "domain_id");
    auto name = str(r, "domain_name");
    if (!id || !name) {
        return malformed("a domains row without domain_id or domain_name");
    }
    DG_TRY(std::int64_t ours, s_->ts.put_entity(EntityKind::Domain, *name, *id));
    if (ours != *id) {
        s_->report.warnings.push_back("domain '" + *name + "' keeps its id " +
                                      std::to_string(ours));
    }
    s_->ids.domain.add(*id, ours);
    ++s_->report.entities;
    return ok();
}

Result<void> Tag2domainMigration::tag_type(const std::string& name) {
    DG_TRY_VOID(s_->ts.add_tag_type(name, EntityKind::Domain));
    auto& types = s_->report.tag_types;
    if (std::find(types.begin(), types.end(), name) == types.end()) {
        types.push_back(name);
    }
    return ok();
}

Result<void> Tag2domainMigration::mapping(const std::string& tag_type, const json& r,
                                          std::optional<std::int64_t> domain) {
    MigrationReport& report = s_->report;
    IdMaps& ids = s_->ids;
    auto tag = integer(r, "tag_id");
    DG_TRY(auto start, time_of(r, "start_ts"));
    DG_TRY(auto measured, time_of(r, "measured_at"));
    DG_TRY(auto end, time_of(r, "end_ts"));
    const auto domain_id = domain ? ids.domain.find(*domain) : std::nullopt;
    const auto tag_id = tag ? ids.tag.find(*tag) : ids.tag.end();
    if (!domain_id || tag_id == ids.tag.end() || !start) {
        report.warnings.push_back("a '" + tag_type + "' row (entity " +
                                  std::to_string(integer(r, "entity_id").value_or(0)) + ", tag " +
                                  std::to_string(tag.value_or(0)) +
                                  ") names no known domain or tag, or has no start: left out");
        return ok();
    }
    Mapping m;
    m.entity_id = *domain_id;
    m.tag_type = tag_type;
    m.tag_id = tag_id->second;
    if (auto v = integer(r, "value_id")) {
        auto it = ids.value.find(*v);
        if (it == ids.value.end()) {
            report.warnings.push_back("a row names unknown value " + std::to_string(*v) +
                                      ": left out");
            return ok();
        }
        m.value_id = it->second;
    }
    m.start = *start;
    m.end = end;
    m.measured_at = measured.value_or(*start);
    m.producer = str(r, "producer");
    DG_TRY(bool inserted, s_->ts.insert_mapping(m));
    ++(inserted ? report.mappings : report.mappings_skipped);
    return ok();
}

Result<void> Tag2domainMigration::filter(const json& r) {
    auto domain = integer(r, "domain_id");
    auto name = str(r, "tag_name");
    auto value =
        r.contains("value") && !r["value"].is_null()
            ? std::optional<std::string>(r["value"].is_string() ? r["value"].get<std::string>()
                                                                : r["value"].dump())
            : std::nullopt;
    DG_TRY(auto start, time_of(r, "start_ts"));
    DG_TRY(auto end, time_of(r, "end_ts"));
    const auto ours = domain ? s_->ids.domain.find(*domain) : std::nullopt;
    if (!ours || !name || !value || !start) {
        s_->report.warnings.push_back("a filter row without a known domain, name, value or "
                                      "start: left out");
        return ok();
    }
    DG_TRY(bool inserted, s_->ts.insert_filter(*ours, *name, *value, *start, end));
    s_->report.filters += inserted ? 1 : 0;
    return ok();
}

Result<MigrationReport> Tag2domainMigration::commit() {
    DG_TRY_VOID(s_->ts.sync_sequences());
    DG_TRY_VOID(s_->tx.commit());
    return std::move(s_->report);
}

Result<MigrationReport> migrate_tag2domain_state(TagStore& ts, const json& state) {
    if (!state.is_object() || !state.contains("taxonomy")) {
        return malformed("a tag2domain state is an object with a 'taxonomy' table");
    }
    Tag2domainMigration m(ts);
    DG_TRY_VOID(m.begin(state));
    for (const auto& r : rows(state, "domains")) {
        DG_TRY_VOID(m.domain(r));
    }
    for (const auto& [key, table] : state.items()) {
        auto k = parse_intersection_key(key);
        if (!k || !table.is_array()) {
            continue;
        }
        DG_TRY_VOID(m.tag_type(k->tag_type));
        DG_TRY(auto to_domain, entity_to_domain(state, *k));
        for (const auto& r : table) {
            const auto entity = integer(r, "entity_id");
            const auto it = entity ? to_domain.find(*entity) : to_domain.end();
            DG_TRY_VOID(m.mapping(k->tag_type, r,
                                  it != to_domain.end() ? std::optional<std::int64_t>(it->second)
                                                        : std::nullopt));
        }
    }
    for (const auto& [key, table] : state.items()) {
        if (!key.starts_with("v_tag2domain_domain_filter") || !table.is_array()) {
            continue;
        }
        for (const auto& r : table) {
            DG_TRY_VOID(m.filter(r));
        }
    }
    return m.commit();
}

Result<MigrationReport> migrate_tag2domain_json(TagStore& ts, const json& doc,
                                                const std::vector<std::string>& sets) {
    if (!doc.is_object()) {
        return malformed("expected a JSON object of tag2domain tables");
    }
    std::vector<const json*> states;
    if (sets.empty()) {
        if (doc.contains("taxonomy")) {
            states.push_back(&doc);
        } else if (doc.size() == 1) {
            states.push_back(&doc.begin().value());
        } else {
            std::string names;
            for (const auto& [k, v] : doc.items()) {
                names += (names.empty() ? "" : ", ") + k;
            }
            return make_error(ErrorCode::InvalidArgument,
                              "the file has several sets; choose with --set (" + names + ")");
        }
    }
    for (const auto& name : sets) {
        auto it = doc.find(name);
        if (it == doc.end()) {
            return make_error(ErrorCode::InvalidArgument, "no set '" + name + "' in the file");
        }
        states.push_back(&*it);
    }
    MigrationReport total;
    for (const json* s : states) {
        DG_TRY(auto r, migrate_tag2domain_state(ts, *s));
        total.taxonomies += r.taxonomies;
        total.tags += r.tags;
        total.values += r.values;
        total.entities += r.entities;
        total.mappings += r.mappings;
        total.mappings_skipped += r.mappings_skipped;
        total.filters += r.filters;
        for (auto& t : r.tag_types) {
            if (std::find(total.tag_types.begin(), total.tag_types.end(), t) ==
                total.tag_types.end()) {
                total.tag_types.push_back(t);
            }
        }
        for (auto& w : r.warnings) {
            total.warnings.push_back(std::move(w));
        }
    }
    return total;
}

} // namespace dg::tags
