// Measurements (tag2domain's msm2tag): parsing and applying, with upstream's semantics
// (../shared/design/tag2domain-reference.md section 6).
#include "dg/core/text_check.hpp"
#include "dg/tags/sql_util.hpp"
#include "dg/tags/tag_store.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace dg::tags {

using nlohmann::json;
using store::internal::Row;
using store::internal::Transaction;
using store::internal::Value;

namespace {

Error invalid(std::string msg) {
    return make_error(ErrorCode::InvalidArgument, std::move(msg));
}

Result<NameOrId> name_or_id(const json& j, const char* what) {
    if (j.is_number_integer()) {
        return NameOrId(j.get<std::int64_t>());
    }
    if (j.is_string() && !j.get_ref<const std::string&>().empty()) {
        DG_TRY_VOID(check_text(j.get_ref<const std::string&>(), std::string("'") + what + "'"));
        return NameOrId(j.get<std::string>());
    }
    return invalid(std::string("'") + what + "' must be an integer id or a non-empty name");
}

/// A string field; NUL and control characters are refused (TAB, LF, CR too unless `rule`
/// allows them), as everywhere text enters the store (dg/core/text_check.hpp).
Result<std::string> string_field(const json& j, const char* key, bool non_empty,
                                 TextRule rule = TextRule::Line) {
    if (!j.is_string() || (non_empty && j.get_ref<const std::string&>().empty())) {
        return invalid(std::string("'") + key + "' must be a " + (non_empty ? "non-empty " : "") +
                       "string");
    }
    DG_TRY_VOID(check_text(j.get_ref<const std::string&>(), std::string("'") + key + "'", rule));
    return j.get<std::string>();
}

Result<MeasurementTag> parse_tag(const json& j) {
    if (!j.is_object()) {
        return invalid("every element of 'tags' must be an object");
    }
    MeasurementTag t;
    bool has_tag = false;
    for (const auto& [key, v] : j.items()) {
        if (key == "tag") {
            DG_TRY(t.tag, name_or_id(v, "tag"));
            has_tag = true;
        } else if (key == "value") {
            DG_TRY(auto value, name_or_id(v, "value"));
            t.value = std::move(value);
        } else if (key == "description") {
            DG_TRY(auto d, string_field(v, "description", false, TextRule::Multiline));
            t.description = std::move(d);
        } else if (key == "extras") {
            if (!v.is_object()) {
                return invalid("'extras' must be an object");
            }
            t.extras = v;
        } else {
            return invalid("unknown key '" + key + "' in a tag of the measurement");
        }
    }
    if (!has_tag) {
        return invalid("every element of 'tags' needs 'tag'");
    }
    return t;
}

/// Upstream's pattern: YYYY-MM-DDTHH:MM:SS[.f+]; we also accept a zone (Z / +HH:MM).
Result<Micros> parse_measured_at(const json& j) {
    if (!j.is_string()) {
        return invalid("'measured_at' must be a string");
    }
    const auto& s = j.get_ref<const std::string&>();
    if (s.size() < 19 || s[10] != 'T' || s[16] != ':') {
        return invalid("'measured_at' must look like 2020-12-22T12:35:32: '" + s.substr(0, 40) +
                       "'");
    }
    return parse_time(s);
}

} // namespace

Result<Measurement> parse_measurement(const json& j) {
    if (!j.is_object()) {
        return invalid("a measurement must be a JSON object");
    }
    Measurement m;
    std::set<std::string> seen;
    for (const auto& [key, v] : j.items()) {
        seen.insert(key);
        if (key == "version") {
            DG_TRY(m.version, string_field(v, "version", false));
        } else if (key == "tag_type") {
            DG_TRY(m.tag_type, string_field(v, "tag_type", false));
        } else if (key == "tagged_id") {
            if (!v.is_number_integer()) {
                return invalid("'tagged_id' must be an integer");
            }
            m.tagged_id = v.get<std::int64_t>();
        } else if (key == "domain" || key == "ip") {
            DG_TRY(auto name, string_field(v, key.c_str(), true));
            // Validated and normalised as a scan's domain list is (canonical_entity_name):
            // upstream tag2domain stores any string here (docs/cli/tags.md).
            DG_TRY(m.entity_name,
                   canonical_entity_name(key == "ip" ? EntityKind::Ip : EntityKind::Domain, name));
        } else if (key == "taxonomy") {
            DG_TRY(m.taxonomy, name_or_id(v, "taxonomy"));
        } else if (key == "producer") {
            DG_TRY(m.producer, string_field(v, "producer", true));
        } else if (key == "measured_at") {
            DG_TRY(m.measured_at, parse_measured_at(v));
        } else if (key == "measurement_id") {
            DG_TRY(auto id, string_field(v, "measurement_id", false));
            m.measurement_id = std::move(id);
        } else if (key == "autogenerate_tags" || key == "autogenerate_values") {
            if (!v.is_boolean()) {
                return invalid("'" + key + "' must be true or false");
            }
            (key == "autogenerate_tags" ? m.autogenerate_tags : m.autogenerate_values) =
                v.get<bool>();
        } else if (key == "tags") {
            if (!v.is_array()) {
                return invalid("'tags' must be an array");
            }
            for (const auto& t : v) {
                DG_TRY(auto tag, parse_tag(t));
                m.tags.push_back(std::move(tag));
            }
        } else {
            return invalid("unknown key '" + key + "' in the measurement");
        }
    }
    const bool by_name = seen.count("domain") + seen.count("ip") > 0;
    for (const char* key : {"version", "tag_type", "taxonomy", "producer", "measured_at", "tags"}) {
        if (seen.count(key) == 0 && !(by_name && std::string_view(key) == "tag_type")) {
            return invalid(std::string("the measurement has no '") + key + "'");
        }
    }
    if (seen.count("domain") + seen.count("ip") + seen.count("tagged_id") != 1) {
        return invalid("a measurement names its entity by exactly one of 'tagged_id', 'domain' "
                       "and 'ip'");
    }
    if (by_name && seen.count("tag_type") == 0) {
        m.tag_type = seen.count("ip") != 0 ? "ip" : "domain";
    }
    return m;
}

namespace {

struct Resolved {
    std::int64_t tag_id = 0;
    std::optional<std::int64_t> value_id;
    bool operator<(const Resolved& o) const {
        return std::tie(tag_id, value_id) < std::tie(o.tag_id, o.value_id);
    }
};

/// Upstream prints naive times in its messages.
std::string naive(std::string t) {
    if (t.ends_with("+00:00")) {
        t.resize(t.size() - 6);
    }
    return t;
}

struct TagRow {
    std::int64_t id = 0;
    std::string name;
    bool exclusive = false;
};

} // namespace

Result<MeasurementOutcome> TagStore::apply(const Measurement& m) {
    auto& c = conn();
    Transaction tx(c);
    DG_TRY_VOID(tx.begin());

    // 1. tag type and entity
    std::optional<std::string> kind;
    DG_TRY_VOID(c.query("SELECT entity_kind FROM tag_types WHERE name = $1", {view(m.tag_type)},
                        [&](const Row& r) {
                            kind = std::string(r.text(0));
                            return false;
                        }));
    if (!kind) {
        return invalid("unknown tag_type '" + m.tag_type + "'");
    }
    std::int64_t entity = 0;
    if (m.entity_name) {
        DG_TRY(entity, entity_id(*kind == "ip" ? EntityKind::Ip : EntityKind::Domain,
                                 *m.entity_name, /*create=*/true));
    } else {
        bool found = false;
        DG_TRY_VOID(c.query("SELECT 1 FROM tagged_entities WHERE id = $1 AND kind = $2",
                            {Value(m.tagged_id.value_or(0)), view(*kind)}, [&](const Row&) {
                                found = true;
                                return false;
                            }));
        if (!found) {
            return invalid("no " + *kind + " with id " + std::to_string(m.tagged_id.value_or(0)) +
                           " (tagged_id)");
        }
        entity = *m.tagged_id;
    }

    // 2. taxonomy, tags, values
    std::optional<Taxonomy> tax;
    if (std::holds_alternative<std::int64_t>(m.taxonomy)) {
        DG_TRY(tax, taxonomy_by_id(std::get<std::int64_t>(m.taxonomy)));
    } else {
        DG_TRY_VOID(c.query("SELECT id FROM taxonomies WHERE name = $1",
                            {view(std::get<std::string>(m.taxonomy))}, [&](const Row& r) {
                                tax = Taxonomy{};
                                tax->id = r.integer(0);
                                return false;
                            }));
        if (tax) {
            DG_TRY(tax, taxonomy_by_id(tax->id));
        }
    }
    if (!tax) {
        const auto& t = m.taxonomy;
        return invalid("taxonomy '" +
                       (std::holds_alternative<std::string>(t) ? std::get<std::string>(t)
                                                               : std::to_string(std::get<0>(t))) +
                       "' not found");
    }
    if ((*kind == "ip" && tax->for_numbers == false) ||
        (*kind == "domain" && tax->for_domains == false)) {
        return invalid("taxonomy '" + tax->name + "' does not apply to " + *kind + "s");
    }
    if (m.autogenerate_tags && !tax->allows_auto_tags) {
        return invalid("taxonomy '" + tax->name + "' does not allow automatically created tags");
    }
    if (m.autogenerate_values && !tax->allows_auto_values) {
        return invalid("taxonomy '" + tax->name + "' does not allow automatically created values");
    }
    std::vector<TagRow> tags;
    std::optional<std::int64_t> other_id;
    DG_TRY_VOID(
        c.query("SELECT id, name, exclusive, is_other FROM taxonomy_tags "
                "WHERE taxonomy_id = $1",
                {Value(tax->id)}, [&](const Row& r) {
                    tags.push_back({r.integer(0), std::string(r.text(1)), r.integer(2) != 0});
                    if (r.integer(3) != 0) {
                        other_id = r.integer(0);
                    }
                    return true;
                }));
    std::set<Resolved> wanted;
    for (const MeasurementTag& mt : m.tags) {
        std::optional<std::int64_t> tag_id;
        for (const TagRow& t : tags) {
            if (std::holds_alternative<std::int64_t>(mt.tag) ? t.id == std::get<0>(mt.tag)
                                                             : t.name == std::get<1>(mt.tag)) {
                tag_id = t.id;
            }
        }
        bool to_other = false;
        if (!tag_id) {
            if (m.autogenerate_tags && std::holds_alternative<std::string>(mt.tag)) {
                Tag nt;
                nt.name = std::get<std::string>(mt.tag);
                nt.description = mt.description.value_or("");
                nt.extras = mt.extras.value_or(json::object());
                DG_TRY(tag_id, upsert_tag(tax->id, nt));
                tags.push_back({*tag_id, nt.name, false});
            } else if (other_id && !m.autogenerate_tags) {
                tag_id = other_id;
                to_other = true;
            } else {
                const std::string name = std::holds_alternative<std::string>(mt.tag)
                                             ? std::get<std::string>(mt.tag)
                                             : std::to_string(std::get<0>(mt.tag));
                return invalid("tag '" + name + "' is not in taxonomy");
            }
        }
        Resolved res{*tag_id, std::nullopt};
        if (mt.value && !to_other) {
            const NameOrId& v = *mt.value;
            std::optional<std::int64_t> value_id;
            if (std::holds_alternative<std::int64_t>(v)) {
                DG_TRY_VOID(c.query("SELECT id FROM taxonomy_values WHERE id = $1 AND tag_id = $2",
                                    {Value(std::get<0>(v)), Value(*tag_id)}, [&](const Row& r) {
                                        value_id = r.integer(0);
                                        return false;
                                    }));
            } else {
                DG_TRY_VOID(c.query("SELECT id FROM taxonomy_values WHERE value = $1 AND "
                                    "tag_id = $2",
                                    {view(std::get<1>(v)), Value(*tag_id)}, [&](const Row& r) {
                                        value_id = r.integer(0);
                                        return false;
                                    }));
                if (!value_id && m.autogenerate_values) {
                    TagValue nv;
                    nv.value = std::get<1>(v);
                    DG_TRY(value_id, upsert_value(*tag_id, nv));
                }
            }
            if (!value_id) {
                return invalid("value '" +
                               (std::holds_alternative<std::string>(v)
                                    ? std::get<std::string>(v)
                                    : std::to_string(std::get<0>(v))) +
                               "' is not a value of tag " + std::to_string(*tag_id));
            }
            res.value_id = value_id;
        }
        wanted.insert(res);
    }
    // MISP exclusivity (upstream has none): one tag per namespace / one value per predicate.
    std::set<std::int64_t> wanted_tags;
    for (const auto& w : wanted) {
        if (!wanted_tags.insert(w.tag_id).second) {
            for (const TagRow& t : tags) {
                if (t.id == w.tag_id && t.exclusive) {
                    return invalid("tag '" + t.name + "' is exclusive: one value at a time");
                }
            }
        }
    }
    if (tax->exclusive && wanted_tags.size() > 1) {
        return invalid("taxonomy '" + tax->name + "' is exclusive: one tag at a time");
    }

    // 3. open rows; stale check
    std::vector<Mapping> open;
    DG_TRY_VOID(c.query("SELECT id, tag_id, value_id, measured_us, producer FROM tag_mappings "
                        "WHERE entity_id = $1 AND taxonomy_id = $2 AND tag_type = $3 "
                        "AND end_us IS NULL",
                        {Value(entity), Value(tax->id), view(m.tag_type)}, [&](const Row& r) {
                            Mapping row;
                            row.id = r.integer(0);
                            row.tag_id = r.integer(1);
                            row.value_id = r.opt_integer(2);
                            row.measured_at = r.integer(3);
                            row.producer = opt_string(r, 4);
                            open.push_back(std::move(row));
                            return true;
                        }));
    MeasurementOutcome out;
    for (const Mapping& row : open) {
        if (row.measured_at >= m.measured_at) {
            out.stale = true;
            out.stale_reason = "received measurement with timestamp " +
                               naive(format_time(m.measured_at)) +
                               " and found tag that has an equal or more recent measured_at with " +
                               naive(format_time(row.measured_at));
            return out; // the transaction rolls back (autogenerated tags too)
        }
    }
    // 4./5. sets and the producer rule
    std::vector<const Mapping*> prolong;
    std::vector<const Mapping*> end;
    std::set<Resolved> present;
    for (const Mapping& row : open) {
        const Resolved key{row.tag_id, row.value_id};
        present.insert(key);
        (wanted.count(key) != 0 ? prolong : end).push_back(&row);
    }
    for (const auto* row : prolong) {
        if (row->producer && *row->producer != m.producer) {
            return invalid("measurement produced by " + m.producer +
                           " tried to modify intersection produced by " + *row->producer);
        }
    }
    for (const auto* row : end) {
        if (row->producer && *row->producer != m.producer) {
            return invalid("measurement produced by " + m.producer +
                           " tried to modify intersection produced by " + *row->producer);
        }
    }
    // 6. write
    for (const auto* row : prolong) {
        DG_TRY_VOID(c.query("UPDATE tag_mappings SET measured_us = $1, producer = $2 WHERE id = $3",
                            {Value(m.measured_at), view(m.producer), Value(row->id)}));
    }
    for (const auto* row : end) {
        DG_TRY_VOID(c.query("UPDATE tag_mappings SET measured_us = $1, end_us = $1 WHERE id = $2",
                            {Value(m.measured_at), Value(row->id)}));
    }
    for (const Resolved& w : wanted) {
        if (present.count(w) != 0) {
            continue;
        }
        DG_TRY_VOID(c.query("INSERT INTO tag_mappings (entity_id, tag_type, taxonomy_id, tag_id, "
                            "value_id, start_us, end_us, measured_us, producer) "
                            "VALUES ($1, $2, $3, $4, $5, $6, NULL, $6, $7)",
                            {Value(entity), view(m.tag_type), Value(tax->id), Value(w.tag_id),
                             store::internal::opt_int(w.value_id), Value(m.measured_at),
                             view(m.producer)}));
        ++out.inserted;
    }
    out.prolonged = prolong.size();
    out.ended = end.size();
    DG_TRY_VOID(tx.commit());
    return out;
}

} // namespace dg::tags
