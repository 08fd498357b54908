// CAIDA AS Organizations readers: the `|`-separated text format and the JSON Lines variant.
#include "dg/core/byte_source.hpp"
#include "dg/core/text.hpp"
#include "dg/org/internal/org_data.hpp"
#include "dg/org/limits.hpp"
#include "dg/org/org_table.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>

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
        data_->report.source = std::move(source);
    }

    LoadReport& report() { return data_->report; }

    void warn(std::uint64_t line, std::string message) {
        auto& r = data_->report;
        if (r.warnings.size() < kMaxWarningsKept) {
            Error e = make_error(ErrorCode::Malformed, std::move(message));
            e.source = r.source;
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
        org_lines_.push_back(line);
        ++rows_;
    }
    void add_as(std::uint64_t line, Asn asn, std::string_view name, std::string_view org_id,
                std::string_view opaque_id, std::string_view source, std::string_view changed) {
        auto& a = data_->arena;
        data_->ases.push_back(AsOrg{asn, a.store(name), a.store(org_id), a.store(opaque_id),
                                    a.intern(source), a.intern(changed)});
        as_lines_.push_back(line);
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
    // Sorts by key keeping file order among equals; the first row of a key wins.
    template <class Row, class Key>
    void dedupe(std::vector<Row>& rows, std::vector<std::uint64_t>& lines, Key key,
                const char* what) {
        std::vector<std::uint32_t> order(rows.size());
        for (std::uint32_t i = 0; i < order.size(); ++i) {
            order[i] = i;
        }
        std::stable_sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) {
            return key(rows[x]) < key(rows[y]);
        });
        std::vector<Row> kept;
        std::vector<std::uint64_t> kept_lines;
        kept.reserve(rows.size());
        kept_lines.reserve(rows.size());
        for (const std::uint32_t i : order) {
            if (!kept.empty() && key(kept.back()) == key(rows[i])) {
                skip(lines[i], std::string("duplicate ") + what + " (the first one is kept)");
                continue;
            }
            kept.push_back(rows[i]);
            kept_lines.push_back(lines[i]);
        }
        rows = std::move(kept);
        lines = std::move(kept_lines);
    }
    void dedupe_orgs() {
        dedupe(
            data_->orgs, org_lines_, [](const Organisation& o) { return o.id; }, "organisation id");
    }
    void dedupe_ases() {
        dedupe(
            data_->ases, as_lines_, [](const AsOrg& a) { return a.asn; }, "AS number");
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
                warn(as_lines_[i], "AS" + d.ases[i].asn.to_string() + ": org_id '" +
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
    std::vector<std::uint64_t> org_lines_;
    std::vector<std::uint64_t> as_lines_;
    std::uint64_t rows_ = 0;
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
        b.add_as(1, *asn, handle, id, "", "pyasn", "");
    }
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
    for (const char* key : {"aut-num:", "organisation:", "as-block:", "mntner:", "inetnum:",
                            "inet6num:", "person:", "role:", "route:"}) {
        if (starts_line(key)) {
            std::string what = "an RPSL WHOIS dump (it has '";
            what += key;
            what += "' objects); build an as-org2info file from registry dumps with "
                    "`domaingraph as2org infer`";
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

Result<OrgTable> OrgTable::parse(std::string_view content, const std::string& name,
                                 LoadReport* report) {
    if (auto what = foreign_format(content)) {
        if (report != nullptr) {
            *report = LoadReport{};
            report->source = name;
        }
        std::string message = "this is ";
        message += *what;
        message += ". Expected CAIDA's as-org2info (text or JSON Lines, "
                   "YYYYMMDD.as-org2info.txt.gz) or pyasn's asnames.json";
        Error e = make_error(ErrorCode::Malformed, std::move(message));
        e.source = name;
        return e;
    }
    Builder b(name);
    if (looks_like_pyasn_names(content)) {
        parse_pyasn_names(b, content);
    } else {
        parse_lines(b, content);
    }
    if (b.full()) {
        Error e = make_error(ErrorCode::ResourceExhausted,
                             "more than kMaxRows (" + std::to_string(kMaxRows) + ") rows");
        e.source = name;
        if (report != nullptr) {
            *report = b.report();
        }
        return e;
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

Result<OrgTable> OrgTable::load(const std::string& path, LoadReport* report) {
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
