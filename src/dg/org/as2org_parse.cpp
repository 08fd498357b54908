// CAIDA AS Organizations readers: the `|`-separated text format and the JSON Lines variant.
#include "dg/core/byte_source.hpp"
#include "dg/core/text.hpp"
#include "dg/org/internal/org_data.hpp"
#include "dg/org/limits.hpp"
#include "dg/org/org_table.hpp"
#include "dg/org/whois_reader.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace dg::org {
namespace {

enum class Section { None, Orgs, Ases };

/// Field positions of the current `# format:` section (npos = absent).
struct Layout {
    static constexpr std::size_t kAbsent = SIZE_MAX;
    Section section = Section::None;
    std::size_t fields = 0;
    std::size_t key = kAbsent; ///< org_id (orgs) or aut (ASes)
    std::size_t name = kAbsent;
    std::size_t org_id = kAbsent; ///< ASes only
    std::size_t opaque_id = kAbsent;
    std::size_t country = kAbsent;
    std::size_t source = kAbsent;
    std::size_t changed = kAbsent;
};

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

/// [begin, end) of each '|'-separated field of `line`, untrimmed.
std::vector<std::pair<std::size_t, std::size_t>> bar_spans(std::string_view line) {
    std::vector<std::pair<std::size_t, std::size_t>> out;
    std::size_t start = 0;
    while (true) {
        const std::size_t bar = line.find('|', start);
        if (bar == std::string_view::npos) {
            out.emplace_back(start, line.size());
            return out;
        }
        out.emplace_back(start, bar);
        start = bar + 1;
    }
}

std::string_view span_text(std::string_view line, std::size_t begin, std::size_t end) {
    return trim(line.substr(begin, end - begin), " \t");
}

std::vector<std::string_view> split_bar(std::string_view line) {
    std::vector<std::string_view> out;
    for (const auto& [begin, end] : bar_spans(line)) {
        out.push_back(span_text(line, begin, end));
    }
    return out;
}

/// Collects rows, counts and warnings; builds the table at the end.
class Builder {
public:
    explicit Builder(std::string source) : data_(std::make_unique<OrgTable::Data>()) {
        current_source_ = source;
        data_->report.source = std::move(source);
    }

    /// The rows that follow come from the next file `name` (several files make one table: a row
    /// of a later file fills in what the same AS's or organisation's earlier row lacks).
    void begin_file(std::string name) {
        ++file_;
        current_source_ = std::move(name);
    }

    LoadReport& report() { return data_->report; }

    void warn(std::uint64_t line, std::string message) {
        auto& r = data_->report;
        if (r.warnings.size() < kMaxWarningsKept) {
            Error e = make_error(ErrorCode::Malformed, std::move(message));
            e.source = current_source_;
            e.line = line;
            r.warnings.push_back(std::move(e));
        }
    }
    void skip(std::uint64_t line, std::string message) {
        ++data_->report.skipped;
        warn(line, std::move(message));
    }
    [[nodiscard]] bool full() const { return rows_ >= kMaxRows; }

    void add_org(std::uint64_t line, std::string_view id, std::string_view name,
                 std::string_view country, std::string_view source, std::string_view changed) {
        auto& a = data_->arena;
        data_->orgs.push_back(Organisation{a.store(id), a.store(name), a.intern(country),
                                           a.intern(source), a.intern(changed)});
        org_lines_.push_back(Origin{line, file_});
        ++rows_;
    }
    void add_as(std::uint64_t line, Asn asn, std::string_view name, std::string_view org_id,
                std::string_view opaque_id, std::string_view source, std::string_view changed,
                std::string_view country = {}) {
        auto& a = data_->arena;
        data_->ases.push_back(AsOrg{asn, a.store(name), a.store(org_id), a.store(opaque_id),
                                    a.intern(source), a.intern(changed), a.intern(country)});
        as_lines_.push_back(Origin{line, file_});
        ++rows_;
    }

    Result<std::unique_ptr<OrgTable::Data>> finish() {
        dedupe_orgs();
        dedupe_ases();
        link();
        org_lines_ = {};
        as_lines_ = {};
        data_->arena.freeze();
        auto& r = data_->report;
        r.organisations = data_->orgs.size();
        r.ases = data_->ases.size();
        if (data_->orgs.empty() && data_->ases.empty()) {
            std::string msg = "no valid organisation or AS rows (" + std::to_string(r.lines) +
                              " lines, " + std::to_string(r.skipped) + " skipped)";
            if (!r.warnings.empty()) {
                msg += "; first problem: " + r.warnings.front().to_string();
            }
            Error e = make_error(ErrorCode::Malformed, std::move(msg));
            e.source = r.source;
            return e;
        }
        return std::move(data_);
    }

private:
    /// Where a row came from: its line and the file (0, 1, ... in the order they were read).
    struct Origin {
        std::uint64_t line = 0;
        std::size_t file = 0;
    };

    // Sorts by key keeping file order among equals; the first row of a key wins. A row of the
    // same key from a later file is not a duplicate: it fills in the fields the first one lacks.
    template <class Row, class Key, class Fill>
    void dedupe(std::vector<Row>& rows, std::vector<Origin>& lines, Key key, Fill fill,
                const char* what) {
        std::vector<std::uint32_t> order(rows.size());
        for (std::uint32_t i = 0; i < order.size(); ++i) {
            order[i] = i;
        }
        std::stable_sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) {
            return key(rows[x]) < key(rows[y]);
        });
        std::vector<Row> kept;
        std::vector<Origin> kept_lines;
        kept.reserve(rows.size());
        kept_lines.reserve(rows.size());
        for (const std::uint32_t i : order) {
            if (!kept.empty() && key(kept.back()) == key(rows[i])) {
                if (lines[i].file != kept_lines.back().file) {
                    fill(kept.back(), rows[i]);
                    continue;
                }
                skip(lines[i].line, std::string("duplicate ") + what + " (the first one is kept)");
                continue;
            }
            kept.push_back(rows[i]);
            kept_lines.push_back(lines[i]);
        }
        rows = std::move(kept);
        lines = std::move(kept_lines);
    }
    static void fill_in(std::string_view& field, std::string_view later) {
        if (field.empty()) {
            field = later;
        }
    }
    void dedupe_orgs() {
        dedupe(
            data_->orgs, org_lines_, [](const Organisation& o) { return o.id; },
            [](Organisation& o, const Organisation& later) {
                fill_in(o.name, later.name);
                fill_in(o.country, later.country);
            },
            "organisation id");
    }
    void dedupe_ases() {
        dedupe(
            data_->ases, as_lines_, [](const AsOrg& a) { return a.asn; },
            [](AsOrg& a, const AsOrg& later) {
                fill_in(a.name, later.name);
                fill_in(a.org_id, later.org_id);
                fill_in(a.opaque_id, later.opaque_id);
                fill_in(a.country, later.country);
            },
            "AS number");
    }
    void link() {
        auto& d = *data_;
        std::unordered_map<std::string_view, std::uint32_t> org_index;
        org_index.reserve(d.orgs.size());
        for (std::size_t i = 0; i < d.orgs.size(); ++i) {
            org_index.emplace(d.orgs[i].id, static_cast<std::uint32_t>(i));
        }
        d.as_org.assign(d.ases.size(), internal::kNoOrg);
        d.asn_keys.resize(d.ases.size());
        for (std::size_t i = 0; i < d.ases.size(); ++i) {
            d.asn_keys[i] = d.ases[i].asn.value();
            const std::string_view id = d.ases[i].org_id;
            if (id.empty()) {
                continue;
            }
            const auto it = org_index.find(id);
            if (it == org_index.end()) {
                ++d.report.unknown_org_refs;
                warn(as_lines_[i].line, "AS" + d.ases[i].asn.to_string() + ": org_id '" +
                                            std::string(id) + "' names no organisation (AS kept)");
                continue;
            }
            d.as_org[i] = it->second;
            d.by_org.push_back(static_cast<std::uint32_t>(i));
        }
        // ASes are ascending by asn, so a stable sort by org index gives (org, asn) order.
        std::stable_sort(d.by_org.begin(), d.by_org.end(), [&d](std::uint32_t x, std::uint32_t y) {
            return d.as_org[x] < d.as_org[y];
        });
    }

    std::unique_ptr<OrgTable::Data> data_;
    std::vector<Origin> org_lines_;
    std::vector<Origin> as_lines_;
    std::uint64_t rows_ = 0;
    std::size_t file_ = 0;
    std::string current_source_;
};

std::string_view field(const std::vector<std::string_view>& fields, std::size_t at) {
    return at < fields.size() ? fields[at] : std::string_view{};
}

/// Parses a `# format:` line's field list into a layout. Returns a reason on failure.
std::optional<std::string> parse_format(std::string_view spec, Layout& out) {
    Layout l;
    const auto names = split_bar(trim(spec));
    if (names.size() > kMaxFormatFields) {
        return "'# format:' names more than " + std::to_string(kMaxFormatFields) + " fields";
    }
    l.fields = names.size();
    std::size_t aut = Layout::kAbsent;
    std::size_t org_id = Layout::kAbsent;
    std::size_t org_name = Layout::kAbsent;
    std::size_t aut_name = Layout::kAbsent;
    std::size_t name = Layout::kAbsent;
    for (std::size_t i = 0; i < names.size(); ++i) {
        const std::string n = lower(names[i]);
        if (n == "aut" || n == "asn") {
            aut = i;
        } else if (n == "org_id" || n == "organizationid") {
            org_id = i;
        } else if (n == "org_name") {
            org_name = i;
        } else if (n == "aut_name") {
            aut_name = i;
        } else if (n == "name") {
            name = i;
        } else if (n == "country") {
            l.country = i;
        } else if (n == "source") {
            l.source = i;
        } else if (n == "changed") {
            l.changed = i;
        } else if (n == "opaque_id" || n == "opaqueid") {
            l.opaque_id = i;
        }
    }
    if (aut != Layout::kAbsent) {
        l.section = Section::Ases;
        l.key = aut;
        l.org_id = org_id;
        l.name = aut_name != Layout::kAbsent ? aut_name : name;
    } else if (org_id != Layout::kAbsent) {
        l.section = Section::Orgs;
        l.key = org_id;
        l.name = org_name != Layout::kAbsent ? org_name : name;
    } else {
        return "'# format:' line names neither 'aut' nor 'org_id'";
    }
    out = l;
    return std::nullopt;
}

/// Splits a data line; when it has more fields than the layout and a name field exists, the
/// extra '|' are taken to be part of the name. Returns nullopt (with `why`) when unusable.
std::optional<std::vector<std::string_view>> layout_fields(std::string_view line, const Layout& l,
                                                           bool& merged, std::string& why) {
    const auto spans = bar_spans(line);
    merged = false;
    const bool mergeable = spans.size() > l.fields && l.name != Layout::kAbsent;
    if (spans.size() < l.fields || (spans.size() > l.fields && !mergeable)) {
        why = "expected " + std::to_string(l.fields) + " '|'-separated fields, found " +
              std::to_string(spans.size());
        return std::nullopt;
    }
    // With more fields than the format names, the name field takes the extra ones ('|' in a
    // name): fields before it count from the left, fields after it from the right.
    const std::size_t extra = spans.size() - l.fields;
    std::vector<std::string_view> fields;
    fields.reserve(l.fields);
    for (std::size_t i = 0; i < spans.size(); ++i) {
        if (extra > 0 && i == l.name) {
            fields.push_back(span_text(line, spans[i].first, spans[i + extra].second));
            i += extra;
            merged = true;
            continue;
        }
        fields.push_back(span_text(line, spans[i].first, spans[i].second));
    }
    return fields;
}

void text_row(Builder& b, std::uint64_t number, std::string_view line, const Layout& l) {
    if (l.section == Section::None) {
        b.skip(number, "data line before any usable '# format:' line");
        return;
    }
    bool merged = false;
    std::string why;
    auto fields = layout_fields(line, l, merged, why);
    if (!fields) {
        b.skip(number, why);
        return;
    }
    if (merged) {
        b.warn(number, "more '|' than the format names; the extra ones were kept in the name");
    }
    const auto& f = *fields;
    if (l.section == Section::Orgs) {
        const std::string_view id = field(f, l.key);
        if (id.empty()) {
            b.skip(number, "empty org_id");
            return;
        }
        b.add_org(number, id, field(f, l.name), field(f, l.country), field(f, l.source),
                  field(f, l.changed));
        return;
    }
    const std::string_view aut = field(f, l.key);
    auto asn = Asn::parse(aut);
    if (!asn) {
        b.skip(number, "invalid AS number '" + std::string(aut.substr(0, 40)) + "'");
        return;
    }
    b.add_as(number, *asn, field(f, l.name), field(f, l.org_id), field(f, l.opaque_id),
             field(f, l.source), field(f, l.changed));
}

/// A JSON member as text: strings as is, numbers printed, null/absent empty. nullopt: wrong type.
std::optional<std::string> member(const nlohmann::json& obj,
                                  std::initializer_list<const char*> keys) {
    for (const char* k : keys) {
        const auto it = obj.find(k);
        if (it == obj.end() || it->is_null()) {
            continue;
        }
        if (it->is_string()) {
            return it->get<std::string>();
        }
        if (it->is_number_unsigned() || it->is_number_integer()) {
            return it->dump();
        }
        return std::nullopt;
    }
    return std::string();
}

void json_row(Builder& b, std::uint64_t number, std::string_view line) {
    const auto obj = nlohmann::json::parse(line.begin(), line.end(), nullptr, false);
    if (obj.is_discarded() || !obj.is_object()) {
        b.skip(number, "not a JSON object");
        return;
    }
    const auto type = member(obj, {"type"});
    if (!type) {
        b.skip(number, "\"type\" is not a string");
        return;
    }
    const std::string t = lower(*type);
    if (t == "organization" || t == "organisation") {
        const auto id = member(obj, {"organizationId", "org_id"});
        const auto name = member(obj, {"name", "org_name"});
        const auto country = member(obj, {"country"});
        const auto source = member(obj, {"source"});
        const auto changed = member(obj, {"changed"});
        if (!id || !name || !country || !source || !changed) {
            b.skip(number, "a field of the Organization has the wrong JSON type");
            return;
        }
        if (id->empty()) {
            b.skip(number, "Organization without \"organizationId\"");
            return;
        }
        b.add_org(number, *id, *name, *country, *source, *changed);
        return;
    }
    if (t == "asn" || t == "as") {
        const auto aut = member(obj, {"asn", "aut"});
        const auto name = member(obj, {"name", "aut_name"});
        const auto org_id = member(obj, {"organizationId", "org_id"});
        const auto opaque = member(obj, {"opaqueId", "opaque_id"});
        const auto source = member(obj, {"source"});
        const auto changed = member(obj, {"changed"});
        if (!aut || !name || !org_id || !opaque || !source || !changed) {
            b.skip(number, "a field of the ASN has the wrong JSON type");
            return;
        }
        auto asn = Asn::parse(*aut);
        if (!asn) {
            b.skip(number, "invalid AS number '" + aut->substr(0, 40) + "'");
            return;
        }
        b.add_as(number, *asn, *name, *org_id, *opaque, *source, *changed);
        return;
    }
    b.skip(number, "unknown \"type\" '" + type->substr(0, 40) + "'");
}

/// "# format:..." -> the field list; otherwise nullopt.
std::optional<std::string_view> format_spec(std::string_view comment) {
    std::string_view rest = trim(comment.substr(1), " \t");
    constexpr std::string_view kFormat = "format:";
    if (rest.size() < kFormat.size() || lower(rest.substr(0, kFormat.size())) != kFormat) {
        return std::nullopt;
    }
    return rest.substr(kFormat.size());
}

void parse_lines(Builder& b, std::string_view content) {
    Layout layout;
    bool saw_data = false;
    std::uint64_t number = 0;
    std::size_t pos = 0;
    while (pos < content.size()) {
        std::size_t eol = content.find('\n', pos);
        if (eol == std::string_view::npos) {
            eol = content.size();
        }
        std::string_view line = content.substr(pos, eol - pos);
        pos = eol + 1;
        ++number;
        b.report().lines = number;
        if (b.full()) {
            break;
        }
        if (line.size() > kMaxLineBytes) {
            b.skip(number, "line longer than " + std::to_string(kMaxLineBytes) + " bytes");
            continue;
        }
        line = trim(line, " \t\r");
        if (line.empty()) {
            continue;
        }
        if (line.front() == '#') {
            if (auto spec = format_spec(line)) {
                if (auto why = parse_format(*spec, layout)) {
                    layout = Layout{};
                    b.warn(number, *why + "; its rows are skipped");
                }
            }
            continue;
        }
        const bool json = line.front() == '{';
        if (!saw_data) {
            b.report().format = json ? FileFormat::JsonLines : FileFormat::Text;
            saw_data = true;
        }
        if (json) {
            json_row(b, number, line);
        } else {
            text_row(b, number, line, layout);
        }
    }
}

/// pyasn's asnames.json: {"1": "LVLT-1 - Level 3 Parent, LLC, US", ...} on one (long) line.
void parse_pyasn_names(Builder& b, std::string_view content) {
    b.report().format = FileFormat::PyasnNames;
    b.report().lines = static_cast<std::uint64_t>(std::count(content.begin(), content.end(), '\n'));
    const auto doc = nlohmann::json::parse(content, nullptr, false);
    if (!doc.is_object()) {
        b.skip(1, "not a JSON object of AS number -> name");
        return;
    }
    for (const auto& [key, value] : doc.items()) {
        if (b.full()) {
            break;
        }
        const auto asn = Asn::parse(key);
        if (!asn || !value.is_string()) {
            std::string why = "entry '";
            why += key.substr(0, 40);
            why += "': not an AS number with a text name";
            b.skip(1, std::move(why));
            continue;
        }
        const std::string& text = value.get_ref<const std::string&>();
        std::string_view handle = text;
        std::string_view org = text;
        std::string_view country;
        if (const auto dash = text.find(" - "); dash != std::string::npos) {
            handle = std::string_view(text).substr(0, dash);
            org = std::string_view(text).substr(dash + 3);
        }
        if (const auto comma = org.rfind(", ");
            comma != std::string_view::npos && org.size() - comma == 4 &&
            std::isupper(static_cast<unsigned char>(org[comma + 2])) &&
            std::isupper(static_cast<unsigned char>(org[comma + 3]))) {
            country = org.substr(comma + 2);
            org = org.substr(0, comma);
        }
        std::string id = "@asnames-";
        id += asn->to_string();
        b.add_org(1, id, org, country, "pyasn", "");
        b.add_as(1, *asn, handle, id, "", "pyasn", "", country);
    }
}

/// RPSL aut-num and organisation objects (FileFormat::Rpsl).
void parse_rpsl(Builder& b, std::string_view content, const std::string& name) {
    b.report().format = FileFormat::Rpsl;
    auto reader = whois::Reader::from_memory(content, name);
    struct AutNum {
        std::uint64_t line;
        Asn asn;
        std::string name, descr, org, country, source, changed;
    };
    std::vector<AutNum> autnums;
    std::unordered_set<std::string> orgs;
    while (!b.full()) {
        auto next = reader.next();
        if (!next) {
            b.warn(next.error().line.value_or(0), "the dump stops here: " + next.error().message);
            break;
        }
        const whois::Object* o = *next;
        if (o == nullptr) {
            break;
        }
        if (o->type() == "organisation") {
            b.add_org(o->line, o->key(), o->first("org-name"), o->first("country"),
                      o->first("source"), "");
            orgs.emplace(o->key());
        } else if (o->type() == "aut-num") {
            // "AS137937 # _whois": a trailing comment
            const std::string_view key = o->key().substr(0, o->key().find_first_of(" \t#"));
            auto asn = Asn::parse(key);
            if (!asn) {
                b.skip(o->line,
                       "aut-num '" + std::string(o->key().substr(0, 40)) + "' is not an AS number");
                continue;
            }
            // LACNIC names the holder in `owner:`; dates are `last-modified:` (RIPE, APNIC) or
            // `changed: YYYY-MM-DD` (LACNIC)
            const std::string_view descr =
                o->first("descr").empty() ? o->first("owner") : o->first("descr");
            std::string_view changed = o->first("last-modified");
            if (changed.empty() && o->first("changed").size() == 10) {
                changed = o->first("changed");
            }
            autnums.push_back(
                AutNum{o->line, *asn, std::string(o->first("as-name")), std::string(descr),
                       std::string(o->first("org")), std::string(o->first("country")),
                       std::string(o->first("source")), std::string(changed.substr(0, 10))});
        }
    }
    const auto& read = reader.report();
    b.report().lines += read.lines;
    for (const Error& e : read.warnings) {
        b.skip(e.line.value_or(0), e.message);
    }
    for (const AutNum& a : autnums) {
        std::string changed = a.changed;
        changed.erase(std::remove(changed.begin(), changed.end(), '-'), changed.end());
        std::string org = a.org;
        if (org.empty() || !orgs.contains(org)) {
            // no organisation object in this dump: one of its own, named by its description
            org = "@rpsl-" + a.asn.to_string();
            b.add_org(a.line, org, a.descr.empty() ? a.name : a.descr, a.country, a.source,
                      changed);
        }
        b.add_as(a.line, a.asn, a.name, org, "", a.source, changed, a.country);
    }
}

/// An RIR delegation statistics file (FileFormat::Delegated).
void parse_delegated(Builder& b, std::string_view content) {
    b.report().format = FileFormat::Delegated;
    constexpr std::uint64_t kMaxAsnsPerRecord = 1U << 16;
    std::uint64_t number = 0;
    std::size_t pos = 0;
    bool saw_version = false;
    std::unordered_set<std::string> holders;
    while (pos < content.size() && !b.full()) {
        std::size_t eol = content.find('\n', pos);
        if (eol == std::string_view::npos) {
            eol = content.size();
        }
        const std::string_view line = trim(content.substr(pos, eol - pos), " \t\r");
        pos = eol + 1;
        b.report().lines = ++number;
        if (line.empty() || line.front() == '#') {
            continue;
        }
        const auto f = split_bar(line);
        if (!saw_version && !f.empty() && !f[0].empty() &&
            std::isdigit(static_cast<unsigned char>(f[0][0]))) {
            saw_version = true; // 2|ripencc|20231201|...: the version line
            continue;
        }
        if (f.size() >= 6 && f.back() == "summary") {
            continue;
        }
        if (f.size() < 7) {
            b.skip(number, "expected registry|cc|type|start|value|date|status, found " +
                               std::to_string(f.size()) + " fields");
            continue;
        }
        if (f[2] != "asn") {
            continue; // ipv4, ipv6
        }
        if (f[6] != "allocated" && f[6] != "assigned") {
            continue; // available, reserved
        }
        const auto first = Asn::parse(f[3]);
        std::uint64_t count = 0;
        const auto [end, ec] = std::from_chars(f[4].data(), f[4].data() + f[4].size(), count);
        if (!first || ec != std::errc() || end != f[4].data() + f[4].size() || count == 0 ||
            count > kMaxAsnsPerRecord ||
            std::uint64_t{first->value()} + count - 1 > std::uint64_t{UINT32_MAX}) {
            b.skip(number, "invalid AS range '" + std::string(f[3].substr(0, 20)) + "' + '" +
                               std::string(f[4].substr(0, 20)) + "'");
            continue;
        }
        const std::string_view registry = f[0];
        const std::string_view cc = f[1] == "ZZ" ? std::string_view{} : f[1];
        const std::string_view opaque = f.size() > 7 ? f[7] : std::string_view{};
        // the country is the AS's (a holder's ASes may be registered in several countries)
        std::string org;
        if (!opaque.empty()) {
            org = "@delegated-" + std::string(registry) + "-" + std::string(opaque);
            if (holders.insert(org).second) {
                b.add_org(number, org, "", "", registry, "");
            }
        }
        for (std::uint64_t i = 0; i < count; ++i) {
            const Asn asn(static_cast<std::uint32_t>(first->value() + i));
            std::string own = org;
            if (own.empty()) {
                own = "@delegated-" + asn.to_string();
                b.add_org(number, own, "", "", registry, f[5]);
            }
            b.add_as(number, asn, "", own, opaque, registry, f[5], cc);
        }
    }
}

/// An RIR delegation statistics file: its first data line is the version line
/// (`2|ripencc|20231201|...`) or a record (`ripencc|FR|asn|...`).
bool looks_like_delegated(std::string_view content) {
    static constexpr std::array<std::string_view, 6> kRegistries{"afrinic", "apnic",  "arin",
                                                                 "iana",    "lacnic", "ripencc"};
    std::size_t pos = 0;
    while (pos < content.size()) {
        std::size_t eol = content.find('\n', pos);
        if (eol == std::string_view::npos) {
            eol = content.size();
        }
        const std::string_view line = trim(content.substr(pos, eol - pos), " \t\r");
        pos = eol + 1;
        if (line.empty() || line.front() == '#') {
            continue;
        }
        const auto f = split_bar(line.substr(0, 512));
        auto registry = [&](std::size_t i) {
            return i < f.size() &&
                   std::find(kRegistries.begin(), kRegistries.end(), f[i]) != kRegistries.end();
        };
        return f.size() >= 6 &&
               (registry(1) || (registry(0) && f.size() >= 7 &&
                                (f[2] == "asn" || f[2] == "ipv4" || f[2] == "ipv6")));
    }
    return false;
}

/// An RPSL dump with aut-num or organisation objects.
bool looks_like_rpsl_names(std::string_view content) {
    for (const std::string_view key :
         {std::string_view("aut-num:"), std::string_view("organisation:")}) {
        if (content.starts_with(key) ||
            content.find("\n" + std::string(key)) != std::string_view::npos) {
            return true;
        }
    }
    return false;
}

/// What a file that is not an AS-organisation file looks like, or nullopt when it may be one.
std::optional<std::string> foreign_format(std::string_view content) {
    const std::string_view head = content.substr(0, 64 * 1024);
    const auto binary = std::count_if(head.begin(), head.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u == 0 || (u < 0x20 && u != '\n' && u != '\r' && u != '\t');
    });
    if (!head.empty() && binary * 100 > static_cast<std::ptrdiff_t>(head.size())) {
        if (content.find("\xab\xcd\xefMaxMind.com") != std::string_view::npos) {
            return "a MaxMind database (.mmdb), not an AS-organisation file";
        }
        return "a binary file (an MRT dump? a MaxMind database?), not an AS-organisation file";
    }
    auto starts_line = [&head](std::string_view key) {
        return head.rfind(key, 0) == 0 ||
               head.find("\n" + std::string(key)) != std::string_view::npos;
    };
    if (looks_like_rpsl_names(content)) {
        return std::nullopt; // aut-num and organisation objects: read as names
    }
    for (const char* key :
         {"as-block:", "mntner:", "inetnum:", "inet6num:", "person:", "role:", "route:"}) {
        if (starts_line(key)) {
            std::string what = "an RPSL WHOIS dump without aut-num objects (it has '";
            what += key;
            what += "' objects); AS names come from the registry's aut-num file "
                    "(ripe.db.aut-num.gz)";
            return what;
        }
    }
    if (starts_line("ASHandle:") || starts_line("OrgID:")) {
        return "ARIN bulk WHOIS data; build an as-org2info file from it with "
               "`domaingraph as2org infer`";
    }
    return std::nullopt;
}

bool looks_like_pyasn_names(std::string_view content) {
    const auto first = content.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos || content[first] != '{') {
        return false;
    }
    // CAIDA's JSON Lines objects carry "type"; pyasn's one object maps "ASN" -> "name".
    const auto rest = content.substr(first + 1);
    const auto key = rest.find_first_not_of(" \t\r\n");
    if (key == std::string_view::npos || rest[key] != '"') {
        return false;
    }
    const auto end = rest.find('"', key + 1);
    return end != std::string_view::npos && end > key + 1 &&
           std::all_of(rest.begin() + static_cast<std::ptrdiff_t>(key) + 1,
                       rest.begin() + static_cast<std::ptrdiff_t>(end),
                       [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

namespace {

/// Reads one file's rows into `b`. Errors: Malformed (a file of another kind),
/// ResourceExhausted (more than kMaxRows rows in all).
Result<void> parse_into(Builder& b, std::string_view content, const std::string& name) {
    if (auto what = foreign_format(content)) {
        std::string message = "this is ";
        message += *what;
        message += ". Expected CAIDA's as-org2info (text or JSON Lines, "
                   "YYYYMMDD.as-org2info.txt.gz), pyasn's asnames.json, an RPSL dump of aut-num "
                   "objects or an RIR delegation statistics file";
        Error e = make_error(ErrorCode::Malformed, std::move(message));
        e.source = name;
        return e;
    }
    const std::uint64_t lines_before = b.report().lines;
    b.report().lines = 0;
    if (looks_like_pyasn_names(content)) {
        parse_pyasn_names(b, content);
    } else if (looks_like_delegated(content)) {
        parse_delegated(b, content);
    } else if (looks_like_rpsl_names(content)) {
        parse_rpsl(b, content, name);
    } else {
        parse_lines(b, content);
    }
    b.report().lines += lines_before;
    if (b.full()) {
        Error e = make_error(ErrorCode::ResourceExhausted,
                             "more than kMaxRows (" + std::to_string(kMaxRows) + ") rows");
        e.source = name;
        return e;
    }
    return ok();
}

Result<OrgTable> fail_load(Error e, Builder& b, const std::string& name, LoadReport* report) {
    if (report != nullptr) {
        *report = b.report();
        report->source = name;
    }
    return e;
}

} // namespace

Result<OrgTable> OrgTable::parse(std::string_view content, const std::string& name,
                                 LoadReport* report) {
    Builder b(name);
    if (auto parsed = parse_into(b, content, name); !parsed) {
        return fail_load(std::move(parsed).error(), b, name, report);
    }
    auto data = b.finish();
    if (report != nullptr) {
        *report = data ? (*data)->report : b.report();
    }
    if (!data) {
        return std::move(data).error();
    }
    return OrgTable(std::move(data).value());
}

Result<OrgTable> OrgTable::load_all(const std::vector<std::string>& paths, LoadReport* report) {
    if (paths.size() == 1) {
        return load(paths.front(), report);
    }
    std::string names;
    for (const std::string& p : paths) {
        names += names.empty() ? "" : ",";
        names += p;
    }
    Builder b(names);
    std::optional<FileFormat> first_format;
    for (const std::string& path : paths) {
        auto source = io::open(path);
        if (!source) {
            return fail_load(std::move(source).error(), b, names, report);
        }
        auto bytes = io::read_all(**source, kMaxInputBytes);
        if (!bytes) {
            return fail_load(bytes.error().at((*source)->name()), b, names, report);
        }
        b.begin_file((*source)->name());
        const std::string_view text(reinterpret_cast<const char*>(bytes->data()), bytes->size());
        if (auto parsed = parse_into(b, text, (*source)->name()); !parsed) {
            return fail_load(std::move(parsed).error(), b, names, report);
        }
        if (!first_format) {
            first_format = b.report().format;
        }
    }
    b.report().format = first_format.value_or(FileFormat::Text);
    auto data = b.finish();
    if (report != nullptr) {
        *report = data ? (*data)->report : b.report();
    }
    if (!data) {
        return std::move(data).error();
    }
    return OrgTable(std::move(data).value());
}

Result<OrgTable> OrgTable::load(const std::string& path, LoadReport* report) {
    if (path.find(',') != std::string::npos && !std::filesystem::exists(path)) {
        std::vector<std::string> paths;
        std::size_t start = 0;
        while (start <= path.size()) {
            const std::size_t comma = std::min(path.find(',', start), path.size());
            if (const auto part = trim(std::string_view(path).substr(start, comma - start));
                !part.empty()) {
                paths.emplace_back(part);
            }
            start = comma + 1;
        }
        if (paths.size() > 1) {
            return load_all(paths, report);
        }
    }
    DG_TRY(auto source, io::open(path));
    auto bytes = io::read_all(*source, kMaxInputBytes);
    if (!bytes) {
        if (report != nullptr) {
            *report = LoadReport{};
            report->source = source->name();
        }
        return bytes.error().at(source->name());
    }
    const std::string_view text(reinterpret_cast<const char*>(bytes->data()), bytes->size());
    return parse(text, source->name(), report);
}

} // namespace dg::org
