#include "dg/tags/formats.hpp"

#include "dg/core/byte_source.hpp"

#include <cmath>
#include <set>
#include <yaml-cpp/yaml.h>

namespace dg::tags {

using nlohmann::json;

namespace {

Error malformed(std::string msg) {
    return make_error(ErrorCode::Malformed, std::move(msg));
}

std::optional<std::string> opt_str(const json& o, const char* key) {
    auto it = o.find(key);
    if (it == o.end() || !it->is_string()) {
        return std::nullopt;
    }
    return it->get<std::string>();
}

std::optional<double> opt_num(const json& o, const char* key) {
    auto it = o.find(key);
    if (it == o.end() || !it->is_number()) {
        return std::nullopt;
    }
    return it->get<double>();
}

json number(double d) {
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e15) {
        return static_cast<std::int64_t>(d);
    }
    return d;
}

/// The keys of `o` not in `modelled` (and modelled keys whose type we could not take).
json leftovers(const json& o, std::initializer_list<const char*> modelled) {
    json out = json::object();
    for (const auto& [key, v] : o.items()) {
        bool known = false;
        for (const char* m : modelled) {
            known = known || key == m;
        }
        if (!known) {
            out[key] = v;
        }
    }
    return out;
}

/// `exclusive`: true is modelled; an explicit false is kept in extras (round trip).
bool take_exclusive(const json& o, json& extras) {
    auto it = o.find("exclusive");
    if (it == o.end()) {
        return false;
    }
    if (it->is_boolean() && it->get<bool>()) {
        return true;
    }
    extras["exclusive"] = *it;
    return false;
}

void put(json& o, const char* key, const std::optional<std::string>& v) {
    if (v) {
        o[key] = *v;
    }
}

void put(json& o, const char* key, const std::optional<double>& v) {
    if (v) {
        o[key] = number(*v);
    }
}

void merge(json& o, const json& extras) {
    if (extras.is_object()) {
        for (const auto& [key, v] : extras.items()) {
            o[key] = v;
        }
    }
}

} // namespace

Result<TaxonomyDef> parse_misp(const json& j) {
    if (!j.is_object()) {
        return malformed("a MISP taxonomy is a JSON object");
    }
    auto ns = opt_str(j, "namespace");
    if (!ns || ns->empty()) {
        return malformed("a MISP taxonomy needs a 'namespace'");
    }
    auto preds = j.find("predicates");
    if (preds == j.end() || !preds->is_array()) {
        return malformed("a MISP taxonomy needs a 'predicates' array");
    }
    TaxonomyDef def;
    Taxonomy& t = def.taxonomy;
    t.name = *ns;
    t.origin = "misp";
    t.description = opt_str(j, "description");
    t.expanded = opt_str(j, "expanded");
    t.uuid = opt_str(j, "uuid");
    if (auto v = j.find("version"); v != j.end() && v->is_number_integer()) {
        t.version = v->get<std::int64_t>();
    }
    t.extras = leftovers(j, {"namespace", "description", "expanded", "uuid", "version",
                             "predicates", "values", "exclusive"});
    if (auto v = j.find("version"); v != j.end() && !v->is_number_integer()) {
        t.extras["version"] = *v;
    }
    t.exclusive = take_exclusive(j, t.extras);
    if (auto refs = j.find("refs");
        refs != j.end() && refs->is_array() && !refs->empty() && (*refs)[0].is_string()) {
        t.url = (*refs)[0].get<std::string>();
    }
    for (const auto& p : *preds) {
        auto value = p.is_object() ? opt_str(p, "value") : std::nullopt;
        if (!value || value->empty()) {
            return malformed("namespace '" + t.name + "': a predicate without 'value'");
        }
        Tag tag;
        tag.name = *value;
        tag.expanded = opt_str(p, "expanded");
        tag.description = opt_str(p, "description");
        tag.colour = opt_str(p, "colour");
        tag.numerical_value = opt_num(p, "numerical_value");
        tag.uuid = opt_str(p, "uuid");
        tag.extras = leftovers(p, {"value", "expanded", "description", "colour", "numerical_value",
                                   "uuid", "exclusive"});
        tag.exclusive = take_exclusive(p, tag.extras);
        for (const auto& other : def.tags) {
            if (other.name == tag.name) {
                return malformed("namespace '" + t.name + "': predicate '" + tag.name +
                                 "' declared twice");
            }
        }
        def.tags.push_back(std::move(tag));
    }
    if (auto values = j.find("values"); values != j.end()) {
        if (!values->is_array()) {
            return malformed("namespace '" + t.name + "': 'values' must be an array");
        }
        for (const auto& v : *values) {
            auto pred = v.is_object() ? opt_str(v, "predicate") : std::nullopt;
            Tag* tag = nullptr;
            for (auto& candidate : def.tags) {
                if (pred && candidate.name == *pred) {
                    tag = &candidate;
                }
            }
            if (tag == nullptr) {
                return malformed("namespace '" + t.name + "': values for undeclared predicate '" +
                                 pred.value_or("") + "'");
            }
            auto entries = v.find("entry");
            if (entries == v.end() || !entries->is_array()) {
                return malformed("namespace '" + t.name + "': values of '" + tag->name +
                                 "' without an 'entry' array");
            }
            std::set<std::string> seen;
            for (const auto& e : *entries) {
                auto ev = e.is_object() ? opt_str(e, "value") : std::nullopt;
                if (!ev) {
                    return malformed("namespace '" + t.name + "': an entry of '" + tag->name +
                                     "' without 'value'");
                }
                if (!seen.insert(*ev).second) {
                    return malformed("namespace '" + t.name + "': entry '" + *ev + "' of '" +
                                     tag->name + "' appears twice");
                }
                TagValue tv;
                tv.value = *ev;
                tv.expanded = opt_str(e, "expanded");
                tv.description = opt_str(e, "description");
                tv.colour = opt_str(e, "colour");
                tv.numerical_value = opt_num(e, "numerical_value");
                tv.uuid = opt_str(e, "uuid");
                tv.extras = leftovers(
                    e, {"value", "expanded", "description", "colour", "numerical_value", "uuid"});
                tag->values.push_back(std::move(tv));
            }
        }
    }
    return def;
}

json to_misp(const TaxonomyDef& def) {
    const Taxonomy& t = def.taxonomy;
    json out = json::object();
    out["namespace"] = t.name;
    put(out, "description", t.description);
    put(out, "expanded", t.expanded);
    put(out, "uuid", t.uuid);
    if (t.version) {
        out["version"] = *t.version;
    }
    if (t.exclusive) {
        out["exclusive"] = true;
    }
    if (t.url && !t.extras.contains("refs")) {
        out["refs"] = json::array({*t.url});
    }
    json preds = json::array();
    json values = json::array();
    for (const Tag& tag : def.tags) {
        if (tag.is_other) {
            continue; // domaingraph's OTHER bucket is not a MISP predicate
        }
        json p = json::object();
        p["value"] = tag.name;
        put(p, "expanded", tag.expanded);
        put(p, "description", tag.description);
        put(p, "colour", tag.colour);
        put(p, "numerical_value", tag.numerical_value);
        put(p, "uuid", tag.uuid);
        if (tag.exclusive) {
            p["exclusive"] = true;
        }
        merge(p, tag.extras);
        preds.push_back(std::move(p));
        if (tag.values.empty()) {
            continue;
        }
        json entries = json::array();
        for (const TagValue& v : tag.values) {
            json e = json::object();
            e["value"] = v.value;
            put(e, "expanded", v.expanded);
            put(e, "description", v.description);
            put(e, "colour", v.colour);
            put(e, "numerical_value", v.numerical_value);
            put(e, "uuid", v.uuid);
            merge(e, v.extras);
            entries.push_back(std::move(e));
        }
        values.push_back(json{{"predicate", tag.name}, {"entry", std::move(entries)}});
    }
    out["predicates"] = std::move(preds);
    if (!values.empty()) {
        out["values"] = std::move(values);
    }
    merge(out, t.extras);
    return out;
}

// --- tag2domain YAML ---

namespace {

Result<std::string> yaml_string(const YAML::Node& n, const std::string& what) {
    if (!n.IsScalar()) {
        return malformed(what + " must be a text");
    }
    return n.as<std::string>();
}

Result<bool> yaml_bool(const YAML::Node& n, const std::string& what) {
    bool b = false;
    if (!n.IsScalar() || !YAML::convert<bool>::decode(n, b)) {
        return malformed(what + " must be true or false");
    }
    return b;
}

json yaml_to_json(const YAML::Node& n) {
    if (n.IsMap()) {
        json o = json::object();
        for (const auto& kv : n) {
            o[kv.first.as<std::string>()] = yaml_to_json(kv.second);
        }
        return o;
    }
    if (n.IsSequence()) {
        json a = json::array();
        for (const auto& e : n) {
            a.push_back(yaml_to_json(e));
        }
        return a;
    }
    if (n.IsScalar()) {
        return n.as<std::string>();
    }
    return nullptr;
}

Result<Tag> yaml_tag(const YAML::Node& n) {
    if (!n.IsMap()) {
        return malformed("every element of 'tags' must be a mapping");
    }
    Tag tag;
    for (const auto& kv : n) {
        const auto key = kv.first.as<std::string>();
        if (key == "name") {
            DG_TRY(tag.name, yaml_string(kv.second, "a tag's name"));
        } else if (key == "description") {
            DG_TRY(auto d, yaml_string(kv.second, "a tag's description"));
            tag.description = std::move(d);
        } else if (key == "extras") {
            if (!kv.second.IsMap()) {
                return malformed("a tag's extras must be a mapping");
            }
            tag.extras = yaml_to_json(kv.second);
        } else if (key == "values") {
            if (!kv.second.IsSequence()) {
                return malformed("a tag's values must be a list");
            }
            for (const auto& v : kv.second) {
                TagValue tv;
                DG_TRY(tv.value, yaml_string(v, "a value"));
                tag.values.push_back(std::move(tv));
            }
        } else {
            return malformed("unknown key '" + key + "' in a tag");
        }
    }
    if (tag.name.empty()) {
        return malformed("a tag without a name");
    }
    return tag;
}

Result<void> yaml_flags(const YAML::Node& n, Taxonomy& t) {
    if (!n.IsMap()) {
        return malformed("'flags' must be a mapping");
    }
    for (const auto& kv : n) {
        const auto key = kv.first.as<std::string>();
        DG_TRY(bool b, yaml_bool(kv.second, "flag '" + key + "'"));
        if (key == "is_automatically_classifiable") {
            t.is_automatically_classifiable = b;
        } else if (key == "is_stable") {
            t.is_stable = b;
        } else if (key == "for_numbers") {
            t.for_numbers = b;
        } else if (key == "for_domains") {
            t.for_domains = b;
        } else if (key == "allows_auto_tags") {
            t.allows_auto_tags = b;
        } else if (key == "allows_auto_values") {
            t.allows_auto_values = b;
        } else {
            return malformed("unknown flag '" + key + "'");
        }
    }
    return ok();
}

Result<TaxonomyDef> parse_yaml_node(const YAML::Node& root) {
    if (!root.IsMap() || !root["taxonomy"] || !root["taxonomy"].IsMap()) {
        return malformed("a taxonomy definition has a top-level 'taxonomy' mapping");
    }
    TaxonomyDef def;
    Taxonomy& t = def.taxonomy;
    t.origin = "yaml";
    // upstream's defaults (scripts/util/taxonomy_postgresql_inserts.py)
    t.for_numbers = true;
    t.for_domains = true;
    t.is_automatically_classifiable = true;
    t.is_stable = false;
    for (const auto& kv : root["taxonomy"]) {
        const auto key = kv.first.as<std::string>();
        if (key == "name") {
            DG_TRY(t.name, yaml_string(kv.second, "the taxonomy's name"));
        } else if (key == "description") {
            DG_TRY(auto d, yaml_string(kv.second, "the description"));
            t.description = std::move(d);
        } else if (key == "url") {
            DG_TRY(auto u, yaml_string(kv.second, "the url"));
            t.url = std::move(u);
        } else if (key == "is_actionable") {
            double d = 0;
            if (!kv.second.IsScalar() || !YAML::convert<double>::decode(kv.second, d)) {
                return malformed("is_actionable must be a number");
            }
            t.is_actionable = d;
        } else if (key == "flags") {
            DG_TRY_VOID(yaml_flags(kv.second, t));
        } else if (key == "tags") {
            if (!kv.second.IsSequence()) {
                return malformed("'tags' must be a list");
            }
            for (const auto& n : kv.second) {
                DG_TRY(auto tag, yaml_tag(n));
                def.tags.push_back(std::move(tag));
            }
        } else {
            return malformed("unknown key '" + key + "' in the taxonomy");
        }
    }
    if (t.name.empty()) {
        return malformed("the taxonomy has no name");
    }
    return def;
}

void emit_extras(YAML::Emitter& e, const json& j) {
    if (j.is_object()) {
        e << YAML::BeginMap;
        for (const auto& [k, v] : j.items()) {
            e << YAML::Key << k << YAML::Value;
            emit_extras(e, v);
        }
        e << YAML::EndMap;
    } else if (j.is_array()) {
        e << YAML::BeginSeq;
        for (const auto& v : j) {
            emit_extras(e, v);
        }
        e << YAML::EndSeq;
    } else if (j.is_string()) {
        e << j.get<std::string>();
    } else {
        e << j.dump();
    }
}

} // namespace

Result<std::string> read_text_file(const std::string& path) {
    DG_TRY(auto src, io::open(path));
    DG_TRY(auto bytes, io::read_all(*src, std::size_t{1} << 30));
    return std::string(bytes.begin(), bytes.end());
}

Result<TaxonomyDef> parse_taxonomy_yaml(std::string_view text) {
    try {
        return parse_yaml_node(YAML::Load(std::string(text)));
    } catch (const YAML::Exception& e) {
        return malformed(std::string("YAML: ") + e.what());
    }
}

std::string to_taxonomy_yaml(const TaxonomyDef& def) {
    const Taxonomy& t = def.taxonomy;
    YAML::Emitter e;
    e << YAML::BeginMap << YAML::Key << "taxonomy" << YAML::Value << YAML::BeginMap;
    e << YAML::Key << "name" << YAML::Value << YAML::DoubleQuoted << t.name;
    if (t.description) {
        e << YAML::Key << "description" << YAML::Value << YAML::DoubleQuoted << *t.description;
    }
    if (t.url) {
        e << YAML::Key << "url" << YAML::Value << YAML::DoubleQuoted << *t.url;
    }
    if (t.is_actionable) {
        e << YAML::Key << "is_actionable" << YAML::Value << *t.is_actionable;
    }
    e << YAML::Key << "flags" << YAML::Value << YAML::BeginMap;
    const std::pair<const char*, bool> flags[] = {
        {"is_automatically_classifiable", t.is_automatically_classifiable.value_or(true)},
        {"is_stable", t.is_stable.value_or(false)},
        {"for_numbers", t.for_numbers.value_or(true)},
        {"for_domains", t.for_domains.value_or(true)},
        {"allows_auto_tags", t.allows_auto_tags},
        {"allows_auto_values", t.allows_auto_values}};
    for (const auto& [k, v] : flags) {
        e << YAML::Key << k << YAML::Value << v;
    }
    e << YAML::EndMap;
    e << YAML::Key << "tags" << YAML::Value << YAML::BeginSeq;
    for (const Tag& tag : def.tags) {
        e << YAML::BeginMap << YAML::Key << "name" << YAML::Value << tag.name;
        e << YAML::Key << "description" << YAML::Value << tag.description.value_or("");
        if (!tag.values.empty()) {
            e << YAML::Key << "values" << YAML::Value << YAML::BeginSeq;
            for (const TagValue& v : tag.values) {
                e << v.value;
            }
            e << YAML::EndSeq;
        }
        if (tag.extras.is_object() && !tag.extras.empty()) {
            e << YAML::Key << "extras" << YAML::Value;
            emit_extras(e, tag.extras);
        }
        e << YAML::EndMap;
    }
    e << YAML::EndSeq << YAML::EndMap << YAML::EndMap;
    return std::string(e.c_str()) + "\n";
}

Result<TaxonomyDef> read_taxonomy_file(const std::string& path) {
    DG_TRY(std::string text, read_text_file(path));
    const bool yaml =
        path.ends_with(".yml") || path.ends_with(".yaml") ||
        (!path.ends_with(".json") && text.find_first_not_of(" \t\r\n") != std::string::npos &&
         text[text.find_first_not_of(" \t\r\n")] != '{');
    Result<TaxonomyDef> def = make_error(ErrorCode::Internal, "unset");
    if (yaml) {
        def = parse_taxonomy_yaml(text);
    } else {
        auto j = json::parse(text, nullptr, /*allow_exceptions=*/false);
        if (j.is_discarded()) {
            return malformed("not valid JSON").at(path);
        }
        def = parse_misp(j);
    }
    if (!def) {
        return def.error().at(path);
    }
    return def;
}

} // namespace dg::tags
