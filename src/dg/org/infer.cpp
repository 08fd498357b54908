// AS -> organisation family inference from WHOIS bulk dumps (see infer.hpp; § = sections of
// ../shared/design/as2org-reference.md).
#include "dg/org/infer.hpp"

#include "dg/core/text.hpp"
#include "dg/org/internal/org_data.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <deque>
#include <functional>
#include <numeric>
#include <unordered_map>
#include <unordered_set>

namespace dg::org {
namespace {

constexpr std::uint32_t kNone = UINT32_MAX;

enum class Kind : std::uint8_t { Aut, Org, Contact, Mntner };

/// What a field's values are; decides normalisation and which virtual node a value names (§2.8:
/// virtual nodes are per value type, so one e-mail in org.email and contact.email joins).
enum class VType : std::uint8_t { LinkOrg, LinkContact, LinkMntner, Email, Name, Street, Phone };

/// Field ids; order = kFieldDefs.
enum F : std::uint8_t {
    AutAutName,
    AutOrgId,
    AutAdminC,
    AutTechC,
    AutOwnerC,
    AutNocC,
    AutAbuseC,
    AutMntBy,
    AutNotify,
    AutChangedEmail,
    OrgOrgName,
    OrgStreet,
    OrgPhone,
    OrgEmail,
    OrgAdminC,
    OrgTechC,
    OrgNocC,
    OrgAbuseC,
    OrgMntBy,
    OrgMntRef,
    OrgMntIrt,
    OrgNotify,
    OrgChangedEmail,
    ContactName,
    ContactStreet,
    ContactPhone,
    ContactEmail,
    MntnerAdminC,
    MntnerTechC,
    MntnerMntBy,
    MntnerUpdTo,
    kFieldCount
};

struct FieldDef {
    const char* name;
    Kind kind;
    VType type;
};

constexpr FieldDef kFieldDefs[kFieldCount] = {
    {"aut.aut_name", Kind::Aut, VType::Name},
    {"aut.org_id", Kind::Aut, VType::LinkOrg},
    {"aut.admin_c", Kind::Aut, VType::LinkContact},
    {"aut.tech_c", Kind::Aut, VType::LinkContact},
    {"aut.owner_c", Kind::Aut, VType::LinkContact},
    {"aut.noc_c", Kind::Aut, VType::LinkContact},
    {"aut.abuse_c", Kind::Aut, VType::LinkContact},
    {"aut.mnt_by", Kind::Aut, VType::LinkMntner},
    {"aut.notify", Kind::Aut, VType::Email},
    {"aut.changed_email", Kind::Aut, VType::Email},
    {"org.org_name", Kind::Org, VType::Name},
    {"org.street", Kind::Org, VType::Street},
    {"org.phone", Kind::Org, VType::Phone},
    {"org.email", Kind::Org, VType::Email},
    {"org.admin_c", Kind::Org, VType::LinkContact},
    {"org.tech_c", Kind::Org, VType::LinkContact},
    {"org.noc_c", Kind::Org, VType::LinkContact},
    {"org.abuse_c", Kind::Org, VType::LinkContact},
    {"org.mnt_by", Kind::Org, VType::LinkMntner},
    {"org.mnt_ref", Kind::Org, VType::LinkMntner},
    {"org.mnt_irt", Kind::Org, VType::LinkContact},
    {"org.notify", Kind::Org, VType::Email},
    {"org.changed_email", Kind::Org, VType::Email},
    {"contact.contact_name", Kind::Contact, VType::Name},
    {"contact.street", Kind::Contact, VType::Street},
    {"contact.phone", Kind::Contact, VType::Phone},
    {"contact.email", Kind::Contact, VType::Email},
    {"mntner.admin_c", Kind::Mntner, VType::LinkContact},
    {"mntner.tech_c", Kind::Mntner, VType::LinkContact},
    {"mntner.mnt_by", Kind::Mntner, VType::LinkMntner},
    {"mntner.upd_to", Kind::Mntner, VType::Email},
};

bool is_link(VType t) {
    return t == VType::LinkOrg || t == VType::LinkContact || t == VType::LinkMntner;
}

Kind link_kind(VType t) {
    switch (t) {
    case VType::LinkOrg:
        return Kind::Org;
    case VType::LinkContact:
        return Kind::Contact;
    default:
        return Kind::Mntner;
    }
}

const char* vtype_name(VType t) {
    switch (t) {
    case VType::LinkOrg:
        return "org";
    case VType::LinkContact:
        return "contact";
    case VType::LinkMntner:
        return "mntner";
    case VType::Email:
        return "email";
    case VType::Name:
        return "name";
    case VType::Street:
        return "street";
    default:
        return "phone";
    }
}

// §2.8, verbatim lists; the two names lost from "always" are taken to be org.email and org.phone.
constexpr const char* kAlways[] = {"aut.org_id",  "org.admin_c", "org.tech_c",
                                   "org.email",   "org.phone",   "org.org_name",
                                   "aut.admin_c", "aut.tech_c",  "aut.owner_c"};
constexpr const char* kLessEfficient[] = {"aut.mnt_by", "aut.noc_c",      "org.notify",
                                          "org.noc_c",  "mntner.admin_c", "mntner.tech_c"};
constexpr const char* kExcluded[] = {
    "org.mnt_ref",          "mntner.mnt_by",  "aut.abuse_c",       "org.street",
    "aut.aut_name",         "contact.street", "aut.changed_email", "aut.notify",
    "contact.contact_name", "org.mnt_irt",    "org.changed_email", "org.mnt_by"};

int field_index(std::string_view name) {
    for (int i = 0; i < kFieldCount; ++i) {
        if (name == kFieldDefs[i].name) {
            return i;
        }
    }
    return -1;
}

std::string lower_ascii(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c + ('a' - 'A'));
        }
    }
    return out;
}

std::string upper_ascii(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'a' && c <= 'z') {
            c = static_cast<char>(c - ('a' - 'A'));
        }
    }
    return out;
}

bool icontains(std::string_view hay, std::string_view needle) {
    if (needle.size() > hay.size()) {
        return false;
    }
    for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i) {
        bool eq = true;
        for (std::size_t j = 0; j < needle.size(); ++j) {
            char a = hay[i + j];
            if (a >= 'A' && a <= 'Z') {
                a = static_cast<char>(a + ('a' - 'A'));
            }
            if (a != needle[j]) {
                eq = false;
                break;
            }
        }
        if (eq) {
            return true;
        }
    }
    return false;
}

/// `value` up to an RPSL end-of-line comment (§2.2: `aut-num: AS137937 # _whois`).
std::string_view cut_comment(std::string_view value) {
    const auto hash = value.find('#');
    return trim(hash == std::string_view::npos ? value : value.substr(0, hash));
}

/// YYYYMMDD from "YYYYMMDD", "YYYY-MM-DD", "YYYY-MM-DDThh:mm:ssZ", or the date in RPSL
/// `changed: e-mail YYYYMMDD`; 0 when none.
std::uint32_t parse_date(std::string_view s) {
    std::uint32_t digits = 0;
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c >= '0' && c <= '9') {
            value = value * 10 + static_cast<std::uint32_t>(c - '0');
            ++digits;
            if (digits == 8) {
                const bool more = i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '9';
                if (!more && value >= 19000101 && value <= 29991231) {
                    return value;
                }
                if (more) {
                    // skip this run of digits
                    while (i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '9') {
                        ++i;
                    }
                }
                digits = 0;
                value = 0;
            }
        } else if (c == '-' && (digits == 4 || digits == 6)) {
            continue;
        } else {
            digits = 0;
            value = 0;
        }
    }
    return 0;
}

std::string date_text(std::uint32_t d) {
    return d == 0 ? std::string() : std::to_string(d);
}

/// "AS1877 - AS1901", "1877-1901", "AS7" -> [first, last].
bool parse_range(std::string_view s, std::uint32_t& first, std::uint32_t& last) {
    s = cut_comment(s);
    const auto dash = s.find('-');
    auto a = Asn::parse(trim(dash == std::string_view::npos ? s : s.substr(0, dash)));
    if (!a) {
        return false;
    }
    first = a->value();
    last = first;
    if (dash != std::string_view::npos) {
        auto b = Asn::parse(trim(s.substr(dash + 1)));
        if (!b || b->value() < first) {
            return false;
        }
        last = b->value();
    }
    return true;
}

/// Text normalisation (§2.2): ASCII letters lower-cased, digits kept, every other ASCII character
/// dropped; non-ASCII (UTF-8) bytes kept as they are (no NFKC: no Unicode library here).
std::string norm_text(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c >= 'A' && c <= 'Z') {
            out.push_back(static_cast<char>(c + ('a' - 'A')));
        } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80) {
            out.push_back(ch);
        }
    }
    return out;
}

std::string norm_phone(std::string_view s) {
    std::string out;
    for (const char c : cut_comment(s)) {
        if (c >= '0' && c <= '9') {
            out.push_back(c);
        }
    }
    return out;
}

bool is_separator(char c) {
    return c == ',' || c == ' ' || c == '\t' || c == ';';
}

/// Splits a list attribute on commas and blanks (§2.2).
template <class Fn> void for_each_item(std::string_view s, Fn fn) {
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && is_separator(s[i])) {
            ++i;
        }
        std::size_t j = i;
        while (j < s.size() && !is_separator(s[j])) {
            ++j;
        }
        if (j > i) {
            fn(s.substr(i, j - i));
        }
        i = j;
    }
}

const char* const kRegistries[] = {"RIPE", "APNIC", "ARIN", "AFRINIC", "LACNIC"};
const char* const kNirs[] = {"JPNIC", "KRNIC", "TWNIC", "CNNIC", "IDNIC", "VNNIC", "IRINN"};

/// Whether `registry` is one of the words (runs of letters and digits) of `text`, any case:
/// "MAINT-TW-TWNIC" names TWNIC, "RIPE-ASNBLOCK" names RIPE, "stripe" names nothing.
bool names_registry(std::string_view text, std::string_view registry) {
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t j = i;
        while (j < text.size() && std::isalnum(static_cast<unsigned char>(text[j])) != 0) {
            ++j;
        }
        if (j - i == registry.size() && upper_ascii(text.substr(i, j - i)) == registry) {
            return true;
        }
        i = j + 1;
    }
    return false;
}

/// The National Internet Registry that `text` names as a word (`MAINT-TW-TWNIC`,
/// `JPNIC-JP-AS-BLOCK`), or nullptr.
const char* named_nir(std::string_view text) {
    for (const char* nir : kNirs) {
        if (names_registry(text, nir)) {
            return nir;
        }
    }
    return nullptr;
}

// Placeholders of the RIPE dummifier (§2.2, §3.2) and the handles of National Internet
// Registries (MAINT-JP-JPNIC ...) on APNIC's placeholder aut-nums for ASNs an NIR assigns (§3.5:
// "registry placeholders"): blank, not generic.
bool placeholder_link(std::string_view v) {
    if (v == "dumy-ripe") {
        return true;
    }
    if (v.find("nic") == std::string_view::npos && v.find("irinn") == std::string_view::npos) {
        return false; // names no NIR (all but IRINN end in NIC): the common case, cheaply
    }
    return named_nir(v) != nullptr;
}
bool placeholder_email(std::string_view v) {
    return v == "unread@ripe.net";
}
bool placeholder_phone(std::string_view v) {
    return v == "31205354444";
}
bool placeholder_text(std::string_view v) {
    return v.starts_with("dummyaddressfor") || v == "thisobjectismodified";
}

/// "RIPE-NONAUTH" -> "RIPE"; "RIPE-GRS" -> "RIPE".
std::string registry_of(std::string_view source) {
    std::string s = upper_ascii(source);
    for (const char* suffix : {"-NONAUTH", "-GRS"}) {
        if (s.size() > std::strlen(suffix) && s.ends_with(suffix)) {
            s.resize(s.size() - std::strlen(suffix));
        }
    }
    return s;
}

bool is_nonauth(std::string_view source) {
    return icontains(source, "-nonauth") || icontains(source, "-grs");
}

/// Registry named by a file name ("ripe.db.aut-num.gz" -> "RIPE"), or "".
std::string registry_from_name(std::string_view path) {
    const auto slash = path.find_last_of('/');
    const std::string base =
        lower_ascii(slash == std::string_view::npos ? path : path.substr(slash + 1));
    if (base.starts_with("ripe-nonauth")) {
        return "RIPE-NONAUTH";
    }
    for (const char* r : kRegistries) {
        if (base.starts_with(lower_ascii(r))) {
            return r;
        }
    }
    for (const char* r : kNirs) {
        if (base.starts_with(lower_ascii(r))) {
            return r;
        }
    }
    if (base.starts_with("jpirr")) {
        return "JPIRR";
    }
    return {};
}

struct Val {
    std::uint8_t field;
    std::uint32_t str;
};

struct Rec {
    Kind kind = Kind::Aut;
    bool synthesized = false;
    bool nonauth = false;
    std::uint32_t id = 0;         ///< pool id of the lower-cased handle (aut: unused)
    std::uint32_t display_id = 0; ///< as printed (ORG-X-RIPE, LVLT-ARIN, @aut-...)
    std::uint32_t asn = 0;
    std::uint32_t name = 0;       ///< display name (org-name, as-name, contact name)
    std::uint32_t synth_name = 0; ///< aut: the name a synthesised org gets (owner/descr/as-name)
    std::uint32_t country = 0;
    std::uint32_t source = 0;   ///< as given, upper-case ("RIPE-NONAUTH")
    std::uint32_t registry = 0; ///< without -NONAUTH/-GRS
    std::uint32_t changed = 0;  ///< YYYYMMDD
    std::uint32_t created = 0;
    std::uint32_t vbegin = 0;
    std::uint32_t vend = 0;
    std::uint32_t org = kNone; ///< aut: the org record it belongs to
};

/// Interned strings; id 0 is "".
class Pool {
public:
    Pool() { strings_.emplace_back(); }
    std::uint32_t id(std::string_view s) {
        if (s.empty()) {
            return 0;
        }
        if (auto it = index_.find(s); it != index_.end()) {
            return it->second;
        }
        const std::string_view copy = arena_.store(s);
        const auto n = static_cast<std::uint32_t>(strings_.size());
        strings_.push_back(copy);
        index_.emplace(copy, n);
        return n;
    }
    [[nodiscard]] std::uint32_t find(std::string_view s) const {
        if (s.empty()) {
            return 0;
        }
        const auto it = index_.find(s);
        return it == index_.end() ? kNone : it->second;
    }
    [[nodiscard]] std::string_view str(std::uint32_t i) const { return strings_[i]; }

private:
    internal::StringArena arena_;
    std::vector<std::string_view> strings_;
    std::unordered_map<std::string_view, std::uint32_t> index_;
};

class UnionFind {
public:
    explicit UnionFind(std::size_t n = 0) : parent_(n) {
        std::iota(parent_.begin(), parent_.end(), 0U);
    }
    std::uint32_t add() {
        const auto n = static_cast<std::uint32_t>(parent_.size());
        parent_.push_back(n);
        return n;
    }
    std::uint32_t find(std::uint32_t x) {
        while (parent_[x] != x) {
            parent_[x] = parent_[parent_[x]];
            x = parent_[x];
        }
        return x;
    }
    bool unite(std::uint32_t a, std::uint32_t b) {
        a = find(a);
        b = find(b);
        if (a == b) {
            return false;
        }
        if (b < a) {
            std::swap(a, b);
        }
        parent_[b] = a;
        return true;
    }
    [[nodiscard]] std::size_t size() const { return parent_.size(); }

private:
    std::vector<std::uint32_t> parent_;
};

/// One union made while grouping: the explanation of a family is a path over these.
struct Edge {
    std::uint32_t a;
    std::uint32_t b;
    std::uint32_t str;  ///< the shared value (pool id), 0 for structural links
    std::uint8_t field; ///< F, or kFieldCount for "belongs to org", kFieldCount+1 "duplicate"
};

constexpr std::uint8_t kEdgeOrg = kFieldCount;
constexpr std::uint8_t kEdgeDuplicate = kFieldCount + 1;

} // namespace

std::vector<std::string> known_fields() {
    std::vector<std::string> out;
    for (const auto& f : kFieldDefs) {
        out.emplace_back(f.name);
    }
    return out;
}

Result<std::vector<std::string>> parse_field_list(std::string_view spec) {
    std::vector<std::string> out;
    auto add = [&out](std::string_view name, bool remove) {
        const auto it = std::find(out.begin(), out.end(), name);
        if (remove) {
            if (it != out.end()) {
                out.erase(it);
            }
        } else if (it == out.end()) {
            out.emplace_back(name);
        }
    };
    bool any = false;
    std::size_t i = 0;
    while (i <= spec.size()) {
        const std::size_t j = std::min(spec.find(',', i), spec.size());
        std::string_view item = trim(spec.substr(i, j - i));
        i = j + 1;
        if (item.empty()) {
            continue;
        }
        any = true;
        const bool remove = item.front() == '-';
        if (remove) {
            item.remove_prefix(1);
        }
        if (item == "always") {
            for (const char* f : kAlways) {
                add(f, remove);
            }
        } else if (item == "less-efficient") {
            for (const char* f : kLessEfficient) {
                add(f, remove);
            }
        } else if (item == "table1") {
            for (const char* f : kAlways) {
                add(f, remove);
            }
            for (const char* f : kLessEfficient) {
                add(f, remove);
            }
        } else if (item == "excluded") {
            for (const char* f : kExcluded) {
                add(f, remove);
            }
        } else if (item == "all") {
            for (const auto& f : kFieldDefs) {
                add(f.name, remove);
            }
        } else if (field_index(item) >= 0) {
            add(item, remove);
        } else {
            return make_error(ErrorCode::InvalidArgument,
                              "unknown field '" + std::string(item) +
                                  "' (presets: always, less-efficient, table1, excluded, all; "
                                  "fields: aut.org_id, org.org_name, aut.mnt_by, ...)");
        }
    }
    if (!any) {
        for (const char* f : kAlways) {
            add(f, false);
        }
    }
    return out;
}

Result<GenericRule> parse_generic_rule(std::string_view spec) {
    GenericRule rule;
    bool first = true;
    std::size_t i = 0;
    while (i <= spec.size()) {
        const std::size_t j = std::min(spec.find(',', i), spec.size());
        const std::string_view item = trim(spec.substr(i, j - i));
        i = j + 1;
        if (item.empty()) {
            continue;
        }
        auto number = [&](std::string_view text) -> bool {
            double v = 0;
            const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
            if (r.ec != std::errc() || r.ptr != text.data() + text.size() || v < 0) {
                return false;
            }
            rule.cap = v;
            return true;
        };
        if (first && item == "off") {
            rule.kind = GenericRule::Kind::Off;
        } else if (first && item.starts_with("fixed:") && number(item.substr(6))) {
            rule.kind = GenericRule::Kind::Fixed;
        } else if (first && item.starts_with("min") && item.ends_with("sqrt") && item.size() > 7 &&
                   number(item.substr(3, item.size() - 7))) {
            rule.kind = GenericRule::Kind::MinSqrt50;
        } else if (item == "ge") {
            rule.inclusive = true;
        } else if (item == "per-registry") {
            rule.per_registry = true;
        } else if (item == "before-pruning") {
            rule.before_pruning = true;
        } else {
            return make_error(ErrorCode::InvalidArgument,
                              "invalid generic-threshold rule '" + std::string(spec) +
                                  "' (min50sqrt, min<N>sqrt, fixed:<N>, off; then ,ge "
                                  ",per-registry ,before-pruning)");
        }
        first = false;
    }
    return rule;
}

std::string to_string(const GenericRule& rule) {
    auto num = [](double v) {
        std::string s = std::to_string(v);
        while (s.find('.') != std::string::npos && (s.back() == '0' || s.back() == '.')) {
            const bool dot = s.back() == '.';
            s.pop_back();
            if (dot) {
                break;
            }
        }
        return s;
    };
    std::string out;
    switch (rule.kind) {
    case GenericRule::Kind::Off:
        out = "off";
        break;
    case GenericRule::Kind::Fixed:
        out = "fixed:" + num(rule.cap);
        break;
    default:
        out = "min" + num(rule.cap) + "sqrt";
        break;
    }
    if (rule.inclusive) {
        out += ",ge";
    }
    if (rule.per_registry) {
        out += ",per-registry";
    }
    if (rule.before_pruning) {
        out += ",before-pruning";
    }
    return out;
}

std::vector<std::string> check_tiling(const std::vector<AsBlock>& blocks) {
    std::vector<std::string> out;
    std::uint64_t next = 0; // first ASN not yet covered
    for (const AsBlock& b : blocks) {
        if (b.first > next) {
            out.push_back("gap AS" + std::to_string(next) + " - AS" + std::to_string(b.first - 1));
        } else if (b.first < next) {
            out.push_back("overlap at AS" + std::to_string(b.first) + " - AS" +
                          std::to_string(std::min<std::uint64_t>(b.last, next - 1)));
        }
        next = std::max<std::uint64_t>(next, std::uint64_t{b.last} + 1);
    }
    if (next <= UINT32_MAX) {
        out.push_back("gap AS" + std::to_string(next) + " - AS4294967295");
    }
    return out;
}

struct Inference::State {
    InferOptions options;
    InferReport report;
    std::vector<bool> enabled = std::vector<bool>(kFieldCount, false);
    Pool pool;
    std::vector<Rec> recs;
    std::vector<Val> vals;
    std::vector<AsBlock> blocks;
    std::uint32_t newest_date = 0;

    // After run()
    std::vector<std::uint32_t> winners; ///< aut recs in the output, ascending by ASN
    std::unordered_map<std::uint32_t, std::uint32_t> aut_of_asn;
    std::unordered_set<std::uint64_t> generic; ///< (field << 32 | str) (pooled or per registry)
    std::vector<std::uint64_t> generic_pairs;  ///< (field, str) generic in at least one scope
    std::unordered_map<std::uint64_t, std::pair<std::uint32_t, double>> generic_detail;
    std::vector<Edge> edges;
    std::vector<std::uint32_t> vnode_type; ///< per virtual node (index - recs.size()): VType
    std::vector<std::uint32_t> vnode_str;
    mutable UnionFind uf;
    std::unordered_map<std::uint32_t, std::uint32_t> family_of_root; ///< uf root -> rows.orgs index
    As2orgRows rows;
    std::vector<std::uint32_t> row_org_rec; ///< per output org: representative record
    bool ran = false;

    // Building one record.
    std::string street_acc;
    std::string scratch;

    Rec& begin_rec(Kind kind) {
        recs.emplace_back();
        Rec& r = recs.back();
        r.kind = kind;
        r.vbegin = static_cast<std::uint32_t>(vals.size());
        street_acc.clear();
        return r;
    }
    void add_val(F field, std::string_view normalised) {
        if (normalised.empty()) {
            return;
        }
        vals.push_back(Val{field, pool.id(normalised)});
    }
    void add_links(F field, std::string_view raw, std::string_view suffix = {}) {
        for_each_item(cut_comment(raw), [&](std::string_view item) {
            scratch = lower_ascii(item);
            if (placeholder_link(scratch)) {
                return;
            }
            scratch += suffix;
            add_val(field, scratch);
        });
    }
    void add_emails(F field, std::string_view raw) {
        std::string_view s = raw;
        const auto lt = s.find('<');
        const auto gt = s.find('>', lt == std::string_view::npos ? 0 : lt);
        if (lt != std::string_view::npos && gt != std::string_view::npos) {
            s = s.substr(lt + 1, gt - lt - 1);
        }
        for_each_item(s, [&](std::string_view item) {
            if (item.find('@') == std::string_view::npos) {
                return;
            }
            scratch = lower_ascii(trim(item, "<>()\"'."));
            if (placeholder_email(scratch)) {
                return;
            }
            add_val(field, scratch);
        });
    }
    void add_text(F field, std::string_view raw) {
        scratch = norm_text(raw);
        if (placeholder_text(scratch)) {
            return;
        }
        add_val(field, scratch);
    }
    void add_phone(F field, std::string_view raw) {
        scratch = norm_phone(raw);
        if (placeholder_phone(scratch)) {
            return;
        }
        add_val(field, scratch);
    }
    void add_street_line(std::string_view raw) {
        if (!street_acc.empty()) {
            street_acc += ' ';
        }
        street_acc += raw;
    }
    void set_changed(Rec& r, std::string_view raw) {
        const std::uint32_t d = parse_date(raw);
        r.changed = std::max(r.changed, d);
        newest_date = std::max(newest_date, d);
    }
    /// RPSL `changed: e-mail YYYYMMDD`.
    void add_rpsl_changed(Rec& r, F email_field, std::string_view raw) {
        set_changed(r, raw);
        add_emails(email_field, raw);
    }
    void end_rec(Rec& r, F street_field, std::string_view source, bool keep) {
        if (!street_acc.empty()) {
            add_text(street_field, street_acc);
        }
        if (!keep) {
            vals.resize(r.vbegin);
            recs.pop_back();
            return;
        }
        r.vend = static_cast<std::uint32_t>(vals.size());
        const std::string up = upper_ascii(source);
        r.source = pool.id(up);
        r.registry = pool.id(registry_of(up));
        r.nonauth = is_nonauth(up);
        // Values of one field once per record (§2.5 counts a value once per object).
        std::sort(vals.begin() + r.vbegin, vals.end(), [](const Val& a, const Val& b) {
            return a.field != b.field ? a.field < b.field : a.str < b.str;
        });
        vals.erase(std::unique(vals.begin() + r.vbegin, vals.end(),
                               [](const Val& a, const Val& b) {
                                   return a.field == b.field && a.str == b.str;
                               }),
                   vals.end());
        r.vend = static_cast<std::uint32_t>(vals.size());
        switch (r.kind) {
        case Kind::Aut:
            ++report.aut_records;
            break;
        case Kind::Org:
            ++report.org_records;
            break;
        case Kind::Contact:
            ++report.contact_records;
            break;
        default:
            ++report.mntner_records;
            break;
        }
    }

    static std::string_view source_of(const whois::Object& o, std::string_view fallback) {
        const std::string_view s = cut_comment(o.first("source"));
        return s.empty() ? fallback : s;
    }

    void add_block(std::uint32_t first, std::uint32_t last, std::string registry, bool not_managed,
                   std::string_view source, std::uint32_t changed) {
        blocks.push_back(
            AsBlock{first, last, std::move(registry), not_managed, upper_ascii(source), changed});
        ++report.as_blocks;
    }

    // ---- RPSL classes -------------------------------------------------------------------

    /// The registry a delegation text names: an NIR first, then another RIR, then `own` when
    /// it names only that; "" when it names none.
    static std::string delegated_to(std::string_view text, const std::string& own) {
        if (const char* nir = named_nir(text)) {
            return nir;
        }
        for (const char* rir : kRegistries) {
            if (rir != own && names_registry(text, rir)) {
                return rir;
            }
        }
        return names_registry(text, own) ? own : std::string();
    }

    /// §2.4 rule 1: an aut-num that stands for a block of ASNs delegated to another registry is
    /// an as-block, not an AS. Such are aut-nums keyed by a range, and (APNIC) aut-nums whose
    /// `as-name` holds BLOCK and whose as-name, descr, remarks or maintainer name the registry the
    /// block went to or say it was delegated or further assigned. An operator whose name merely
    /// contains "block" stays an AS.
    bool block_aut_num(const whois::Object& o, std::string_view fallback_source) {
        std::uint32_t first = 0;
        std::uint32_t last = 0;
        if (!parse_range(o.key(), first, last)) {
            return false; // reported as a bad key by the caller
        }
        const bool ranged = first != last;
        const std::string_view as_name = cut_comment(o.first("as-name"));
        if (!ranged && !icontains(as_name, "block")) {
            return false;
        }
        std::string text(as_name);
        std::uint32_t changed = 0;
        for (const auto& a : o.attributes) {
            if (a.name == "descr" || a.name == "remarks" || a.name == "mnt-by") {
                text += ' ';
                text += a.value;
            } else if (a.name == "changed" || a.name == "last-modified") {
                changed = std::max(changed, parse_date(a.value));
            }
        }
        const std::string_view source = source_of(o, fallback_source);
        std::string registry = delegated_to(text, registry_of(source));
        const bool delegated =
            !registry.empty() || icontains(text, "delegat") || icontains(text, "further assigned");
        if (!ranged && !delegated) {
            return false;
        }
        add_block(first, last, std::move(registry), false, source, changed);
        ++report.block_aut_nums;
        return true;
    }

    void rpsl_aut_num(const whois::Object& o, std::string_view fallback_source) {
        if (block_aut_num(o, fallback_source)) {
            return;
        }
        auto asn = Asn::parse(cut_comment(o.key()));
        if (!asn) {
            ++report.bad_keys;
            return;
        }
        Rec& r = begin_rec(Kind::Aut);
        r.asn = asn->value();
        std::string_view descr;
        std::string_view owner;
        std::string_view as_name;
        bool nir_maintained = false;
        for (const auto& a : o.attributes) {
            const std::string_view n = a.name;
            const std::string_view v = a.value;
            if (n == "mnt-by") {
                nir_maintained = nir_maintained || named_nir(v) != nullptr;
            }
            if (n == "as-name") {
                if (as_name.empty()) {
                    as_name = cut_comment(v);
                }
            } else if (n == "org" || n == "sponsoring-org") {
                add_links(AutOrgId, v);
            } else if (n == "ownerid") {
                if (options.lacnic_ownerid) {
                    add_links(AutOrgId, v);
                }
            } else if (n == "admin-c") {
                add_links(AutAdminC, v);
            } else if (n == "tech-c" || n == "routing-c") {
                add_links(AutTechC, v);
            } else if (n == "owner-c") {
                add_links(AutOwnerC, v);
            } else if (n == "abuse-c") {
                add_links(AutAbuseC, v);
            } else if (n == "mnt-by") {
                add_links(AutMntBy, v);
            } else if (n == "notify") {
                add_emails(AutNotify, v);
            } else if (n == "changed") {
                add_rpsl_changed(r, AutChangedEmail, v);
            } else if (n == "last-modified") {
                set_changed(r, v);
            } else if (n == "created") {
                r.created = parse_date(v);
                if (r.changed == 0) {
                    newest_date = std::max(newest_date, r.created);
                }
            } else if (n == "descr") {
                if (descr.empty()) {
                    descr = v;
                }
            } else if (n == "owner") {
                owner = v;
            } else if (n == "country") {
                r.country = pool.id(upper_ascii(cut_comment(v)));
            } else if (n == "address") {
                // kept for the synthesised org (LACNIC bulk)
                add_street_line(v);
            } else if (n == "phone") {
                add_phone(OrgPhone, v);
            } else if (n == "e-mail") {
                add_emails(OrgEmail, v);
            }
        }
        const std::string_view source = source_of(o, fallback_source);
        if (nir_maintained && is_rir(source)) {
            drop_nir_handles(r);
        }
        r.name = pool.id(!as_name.empty() ? as_name : owner);
        r.synth_name = pool.id(!owner.empty() ? owner : (!descr.empty() ? descr : as_name));
        // The synthesised org's name is a family key (org.org_name), the as-name is not.
        add_text(OrgOrgName, !owner.empty() ? owner : (!descr.empty() ? descr : as_name));
        add_text(AutAutName, as_name);
        end_rec(r, OrgStreet, source, true);
    }

    static bool is_rir(std::string_view source) {
        const std::string registry = registry_of(source);
        return std::any_of(std::begin(kRegistries), std::end(kRegistries),
                           [&](const char* rir) { return registry == rir; });
    }

    /// §3.5: an RIR's aut-num for an ASN that a National Internet Registry assigned, maintained
    /// by the NIR, carries the NIR's contacts and maintainers, not the holder's: they would join
    /// every AS of the NIR into one family, so they are blank (the holder's name stays).
    void drop_nir_handles(const Rec& r) {
        const auto nir_field = [](std::uint8_t f) {
            return f == AutAdminC || f == AutTechC || f == AutMntBy || f == AutAbuseC ||
                   f == AutNotify || f == AutChangedEmail;
        };
        vals.erase(std::remove_if(vals.begin() + r.vbegin, vals.end(),
                                  [&](const Val& v) { return nir_field(v.field); }),
                   vals.end());
    }

    void rpsl_as_block(const whois::Object& o, std::string_view fallback_source) {
        std::uint32_t first = 0;
        std::uint32_t last = 0;
        if (!parse_range(o.key(), first, last)) {
            ++report.bad_keys;
            return;
        }
        std::uint32_t changed = 0;
        std::string registry;
        bool not_managed = false;
        std::string_view descr;
        std::string mnt;
        for (const auto& a : o.attributes) {
            if (a.name == "changed" || a.name == "last-modified") {
                changed = std::max(changed, parse_date(a.value));
            } else if (a.name == "descr") {
                if (descr.empty()) {
                    descr = a.value;
                }
                if (icontains(a.value, "not managed")) {
                    not_managed = true;
                }
            } else if (a.name == "mnt-by" || a.name == "mnt-lower") {
                mnt += ' ';
                mnt += a.value;
            }
        }
        const std::string source(source_of(o, fallback_source));
        if (const char* nir = named_nir(descr); nir != nullptr) {
            registry = nir;
        } else if (const char* by = named_nir(mnt); by != nullptr) {
            registry = by;
        }
        if (registry.empty() && !not_managed) {
            registry = registry_of(source);
        }
        add_block(first, last, std::move(registry), not_managed, source, changed);
    }

    void rpsl_organisation(const whois::Object& o, std::string_view fallback_source) {
        const std::string_view key = cut_comment(o.key());
        Rec& r = begin_rec(Kind::Org);
        r.id = pool.id(lower_ascii(key));
        r.display_id = pool.id(key);
        for (const auto& a : o.attributes) {
            const std::string_view n = a.name;
            const std::string_view v = a.value;
            if (n == "org-name") {
                r.name = pool.id(v);
                add_text(OrgOrgName, v);
            } else if (n == "address") {
                add_street_line(v);
            } else if (n == "country") {
                r.country = pool.id(upper_ascii(cut_comment(v)));
            } else if (n == "phone") {
                add_phone(OrgPhone, v);
            } else if (n == "e-mail") {
                add_emails(OrgEmail, v);
            } else if (n == "admin-c") {
                add_links(OrgAdminC, v);
            } else if (n == "tech-c") {
                add_links(OrgTechC, v);
            } else if (n == "abuse-c") {
                add_links(OrgAbuseC, v);
            } else if (n == "mnt-by") {
                add_links(OrgMntBy, v);
            } else if (n == "mnt-ref") {
                add_links(OrgMntRef, v);
            } else if (n == "mnt-irt") {
                add_links(OrgMntIrt, v);
            } else if (n == "notify") {
                add_emails(OrgNotify, v);
            } else if (n == "changed") {
                add_rpsl_changed(r, OrgChangedEmail, v);
            } else if (n == "last-modified") {
                set_changed(r, v);
            } else if (n == "created") {
                r.created = parse_date(v);
            }
        }
        end_rec(r, OrgStreet, source_of(o, fallback_source), true);
    }

    void rpsl_contact(const whois::Object& o, std::string_view fallback_source) {
        std::string_view handle = o.first("nic-hdl");
        if (handle.empty()) {
            handle = o.first("nic-hdl-br");
        }
        if (o.type() == "irt") {
            handle = o.key();
        }
        handle = cut_comment(handle);
        if (handle.empty()) {
            ++report.bad_keys;
            return;
        }
        Rec& r = begin_rec(Kind::Contact);
        r.id = pool.id(lower_ascii(handle));
        r.display_id = pool.id(handle);
        r.name = pool.id(o.key());
        add_text(ContactName, o.key());
        for (const auto& a : o.attributes) {
            const std::string_view n = a.name;
            const std::string_view v = a.value;
            if (n == "address") {
                add_street_line(v);
            } else if (n == "phone") {
                add_phone(ContactPhone, v);
            } else if (n == "e-mail" || n == "abuse-mailbox") {
                add_emails(ContactEmail, v);
            } else if (n == "changed") {
                set_changed(r, v);
            } else if (n == "last-modified") {
                set_changed(r, v);
            } else if (n == "created") {
                r.created = parse_date(v);
            }
        }
        end_rec(r, ContactStreet, source_of(o, fallback_source), true);
    }

    void rpsl_mntner(const whois::Object& o, std::string_view fallback_source) {
        const std::string_view key = cut_comment(o.key());
        Rec& r = begin_rec(Kind::Mntner);
        r.id = pool.id(lower_ascii(key));
        r.display_id = pool.id(key);
        for (const auto& a : o.attributes) {
            const std::string_view n = a.name;
            const std::string_view v = a.value;
            if (n == "admin-c") {
                add_links(MntnerAdminC, v);
            } else if (n == "tech-c") {
                add_links(MntnerTechC, v);
            } else if (n == "mnt-by") {
                add_links(MntnerMntBy, v);
            } else if (n == "upd-to") {
                add_emails(MntnerUpdTo, v);
            } else if (n == "changed" || n == "last-modified") {
                set_changed(r, v);
            } else if (n == "created") {
                r.created = parse_date(v);
            }
        }
        end_rec(r, OrgStreet, source_of(o, fallback_source), true);
    }

    // ---- ARIN bulk (§3.3) -------------------------------------------------------------

    void arin_as(const whois::Object& o) {
        std::string_view number = o.first("asnumber");
        if (number.empty()) {
            number = o.key();
        }
        std::uint32_t first = 0;
        std::uint32_t last = 0;
        if (!parse_range(number, first, last)) {
            ++report.bad_keys;
            return;
        }
        const std::string org = upper_ascii(cut_comment(o.first("orgid")));
        std::string comments;
        std::uint32_t updated = 0;
        for (const auto& a : o.attributes) {
            if (a.name == "comment") {
                comments += a.value;
                comments += ' ';
            } else if (a.name == "updated") {
                updated = parse_date(a.value);
            }
        }
        // Delegations to other registries are as-blocks, not ASes (§2.4 rule 1; texts after
        // pybulkwhois).
        std::string delegated;
        for (const char* reg : {"RIPE", "APNIC", "LACNIC", "AFRINIC"}) {
            if (org == reg) {
                delegated = reg;
            }
        }
        if (delegated.empty()) {
            if (icontains(comments, "further assigned to users in the ripe ncc region") ||
                icontains(o.first("asname"), "ripe-asnblock")) {
                delegated = "RIPE";
            } else if (icontains(comments, "under lacnic responsibility")) {
                delegated = "LACNIC";
            } else if (icontains(comments, "under afrinic responsibility")) {
                delegated = "AFRINIC";
            }
        }
        if (!delegated.empty() || first != last ||
            icontains(comments, "not registered in the arin database")) {
            add_block(first, last, delegated, false, "ARIN", updated);
            return;
        }
        Rec& r = begin_rec(Kind::Aut);
        r.asn = first;
        r.changed = updated;
        newest_date = std::max(newest_date, updated);
        for (const auto& a : o.attributes) {
            const std::string_view n = a.name;
            const std::string_view v = a.value;
            if (n == "asname") {
                r.name = pool.id(v);
                add_text(AutAutName, v);
            } else if (n == "orgid") {
                add_links(AutOrgId, v, "-arin");
            } else if (n == "techhandle") {
                add_links(AutTechC, v);
            } else if (n == "adminhandle") {
                add_links(AutAdminC, v);
            } else if (n == "nochandle") {
                add_links(AutNocC, v);
            } else if (n == "abusehandle") {
                add_links(AutAbuseC, v);
            } else if (n == "regdate") {
                r.created = parse_date(v);
            }
        }
        r.synth_name = r.name;
        add_text(OrgOrgName, pool.str(r.name));
        end_rec(r, OrgStreet, "ARIN", true);
    }

    void arin_org(const whois::Object& o) {
        const std::string key = upper_ascii(cut_comment(o.key())) + "-ARIN";
        Rec& r = begin_rec(Kind::Org);
        r.id = pool.id(lower_ascii(key));
        r.display_id = pool.id(key);
        for (const auto& a : o.attributes) {
            const std::string_view n = a.name;
            const std::string_view v = a.value;
            if (n == "orgname") {
                r.name = pool.id(v);
                add_text(OrgOrgName, v);
            } else if (n == "street" || n == "city" || n == "state/prov" || n == "postalcode") {
                add_street_line(v);
            } else if (n == "country") {
                r.country = pool.id(upper_ascii(v));
            } else if (n == "orgadminhandle") {
                add_links(OrgAdminC, v);
            } else if (n == "orgtechhandle") {
                add_links(OrgTechC, v);
            } else if (n == "orgnochandle") {
                add_links(OrgNocC, v);
            } else if (n == "orgabusehandle") {
                add_links(OrgAbuseC, v);
            } else if (n == "updated") {
                set_changed(r, v);
            } else if (n == "regdate") {
                r.created = parse_date(v);
            }
        }
        end_rec(r, OrgStreet, "ARIN", true);
    }

    void arin_poc(const whois::Object& o) {
        const std::string_view key = cut_comment(o.key());
        Rec& r = begin_rec(Kind::Contact);
        r.id = pool.id(lower_ascii(key));
        r.display_id = pool.id(key);
        std::string name;
        for (const auto& a : o.attributes) {
            const std::string_view n = a.name;
            const std::string_view v = a.value;
            if (n == "firstname") {
                name = std::string(v) + (name.empty() ? "" : " " + name);
            } else if (n == "lastname") {
                name += (name.empty() ? "" : " ") + std::string(v);
            } else if (n == "street" || n == "city" || n == "state/prov" || n == "postalcode") {
                add_street_line(v);
            } else if (n == "officephone") {
                add_phone(ContactPhone, v);
            } else if (n == "mailbox") {
                add_emails(ContactEmail, v);
            } else if (n == "updated") {
                set_changed(r, v);
            } else if (n == "regdate") {
                r.created = parse_date(v);
            }
        }
        r.name = pool.id(name);
        add_text(ContactName, name);
        end_rec(r, ContactStreet, "ARIN", true);
    }

    void add_object(const whois::Object& o, std::string_view fallback_source) {
        ++report.objects;
        const std::string_view t = o.type();
        if (t == "aut-num") {
            rpsl_aut_num(o, fallback_source);
        } else if (t == "as-block") {
            rpsl_as_block(o, fallback_source);
        } else if (t == "organisation") {
            rpsl_organisation(o, fallback_source);
        } else if (t == "person" || t == "role" || t == "irt") {
            rpsl_contact(o, fallback_source);
        } else if (t == "mntner") {
            rpsl_mntner(o, fallback_source);
        } else if (t == "ashandle") {
            arin_as(o);
        } else if (t == "orgid") {
            arin_org(o);
        } else if (t == "pochandle") {
            arin_poc(o);
        } else {
            ++report.ignored_objects;
        }
    }

    Result<void> read(whois::Reader& reader, const std::string& name) {
        const std::string fallback = registry_from_name(name);
        while (true) {
            auto next = reader.next();
            if (!next) {
                report.files.push_back(reader.report());
                return std::move(next).error();
            }
            if (*next == nullptr) {
                break;
            }
            add_object(**next, fallback);
        }
        report.files.push_back(reader.report());
        return ok();
    }

    // ---- pipeline -----------------------------------------------------------------------

    std::unordered_map<std::uint32_t, std::uint32_t> index[4]; ///< per Kind: handle id -> rec

    [[nodiscard]] std::uint32_t target(Kind kind, std::uint32_t handle) const {
        const auto& m = index[static_cast<int>(kind)];
        const auto it = m.find(handle);
        return it == m.end() ? kNone : it->second;
    }

    bool newer(const Rec& a, const Rec& b) const {
        if (a.changed != b.changed) {
            return a.changed > b.changed;
        }
        return pool.str(a.source) < pool.str(b.source);
    }

    void choose_authority(std::uint32_t as_of) {
        std::vector<std::uint32_t> auts;
        for (std::uint32_t i = 0; i < recs.size(); ++i) {
            if (recs[i].kind == Kind::Aut) {
                if (as_of != 0 && recs[i].created > as_of) {
                    ++report.after_as_of;
                    continue;
                }
                auts.push_back(i);
            }
        }
        std::stable_sort(auts.begin(), auts.end(), [this](std::uint32_t a, std::uint32_t b) {
            return recs[a].asn < recs[b].asn;
        });
        std::sort(blocks.begin(), blocks.end(), [](const AsBlock& a, const AsBlock& b) {
            return a.first != b.first ? a.first < b.first : a.last < b.last;
        });
        std::size_t i = 0;
        while (i < auts.size()) {
            std::size_t j = i + 1;
            while (j < auts.size() && recs[auts[j]].asn == recs[auts[i]].asn) {
                ++j;
            }
            std::uint32_t win = auts[i];
            if (j - i > 1) {
                ++report.conflicts;
                win = decide(auts, i, j);
            }
            winners.push_back(win);
            i = j;
        }
    }

    /// §2.4 rule 3: the newest as-block containing the ASN names the registry; else the newest
    /// record; a *-NONAUTH/*-GRS record never wins over an authoritative one.
    std::uint32_t decide(const std::vector<std::uint32_t>& auts, std::size_t from, std::size_t to) {
        const std::uint32_t asn = recs[auts[from]].asn;
        bool any_auth = false;
        for (std::size_t k = from; k < to; ++k) {
            any_auth = any_auth || !recs[auts[k]].nonauth;
        }
        const AsBlock* best = nullptr;
        for (const AsBlock& b : blocks) {
            if (b.first > asn) {
                break;
            }
            if (b.last >= asn && !b.registry.empty() &&
                (best == nullptr || b.changed > best->changed)) {
                best = &b;
            }
        }
        std::uint32_t win = kNone;
        if (best != nullptr) {
            for (std::size_t k = from; k < to; ++k) {
                const Rec& r = recs[auts[k]];
                if (pool.str(r.registry) == best->registry && (!r.nonauth || !any_auth) &&
                    (win == kNone || newer(r, recs[win]))) {
                    win = auts[k];
                }
            }
            if (win != kNone) {
                ++report.decided_by_block;
            }
        }
        if (win == kNone) {
            for (std::size_t k = from; k < to; ++k) {
                const Rec& r = recs[auts[k]];
                if (any_auth && r.nonauth) {
                    continue;
                }
                if (win == kNone || newer(r, recs[win])) {
                    win = auts[k];
                }
            }
        }
        for (std::size_t k = from; k < to; ++k) {
            if (auts[k] != win && recs[auts[k]].nonauth && !recs[win].nonauth) {
                ++report.nonauth_dropped;
            }
        }
        return win;
    }

    void build_index() {
        for (std::uint32_t i = 0; i < recs.size(); ++i) {
            const Rec& r = recs[i];
            if (r.kind == Kind::Aut || r.id == 0) {
                continue;
            }
            auto& m = index[static_cast<int>(r.kind)];
            auto [it, inserted] = m.emplace(r.id, i);
            if (!inserted && newer(r, recs[it->second])) {
                it->second = i;
            }
        }
    }

    /// §2.3: the AS's org is its first resolvable org link, else one made from the aut-num.
    void link_orgs() {
        for (const std::uint32_t w : winners) {
            std::uint32_t org = kNone;
            bool had_link = false;
            for (std::uint32_t k = recs[w].vbegin; k < recs[w].vend; ++k) {
                if (vals[k].field == AutOrgId) {
                    had_link = true;
                    org = target(Kind::Org, vals[k].str);
                    if (org != kNone) {
                        break;
                    }
                }
            }
            if (org == kNone) {
                if (had_link) {
                    ++report.dangling_org_links;
                }
                org = synthesize(w);
            }
            recs[w].org = org;
        }
    }

    std::uint32_t synthesize(std::uint32_t w) {
        const Rec aut = recs[w];
        Rec org;
        org.kind = Kind::Org;
        org.synthesized = true;
        const std::string id =
            "@aut-" + std::to_string(aut.asn) + "-" + std::string(pool.str(aut.source));
        org.display_id = pool.id(id);
        org.id = pool.id(lower_ascii(id));
        org.name = aut.synth_name;
        org.country = aut.country;
        org.source = aut.source;
        org.registry = aut.registry;
        org.changed = aut.changed;
        org.created = aut.created;
        org.nonauth = aut.nonauth;
        org.vbegin = static_cast<std::uint32_t>(vals.size());
        // "populate the organization object with the fields from the AS record" (§2.3)
        for (std::uint32_t k = aut.vbegin; k < aut.vend; ++k) {
            const Val v = vals[k];
            F to = kFieldCount;
            switch (v.field) {
            case AutAdminC:
                to = OrgAdminC;
                break;
            case AutTechC:
                to = OrgTechC;
                break;
            case AutNocC:
                to = OrgNocC;
                break;
            case AutAbuseC:
                to = OrgAbuseC;
                break;
            case AutMntBy:
                to = OrgMntBy;
                break;
            case AutNotify:
                to = OrgNotify;
                break;
            case AutChangedEmail:
                to = OrgChangedEmail;
                break;
            case OrgOrgName:
            case OrgStreet:
            case OrgPhone:
            case OrgEmail:
                to = static_cast<F>(v.field);
                break;
            default:
                break;
            }
            if (to != kFieldCount) {
                vals.push_back(Val{to, v.str});
            }
        }
        org.vend = static_cast<std::uint32_t>(vals.size());
        recs.push_back(org);
        ++report.synthesized_orgs;
        return static_cast<std::uint32_t>(recs.size() - 1);
    }

    /// §2.6: records reachable from an output AS over link fields.
    std::vector<bool> reachable() {
        std::vector<bool> seen(recs.size(), false);
        std::vector<std::uint32_t> stack;
        for (const std::uint32_t w : winners) {
            seen[w] = true;
            stack.push_back(w);
            if (!seen[recs[w].org]) {
                seen[recs[w].org] = true;
                stack.push_back(recs[w].org);
            }
        }
        while (!stack.empty()) {
            const std::uint32_t i = stack.back();
            stack.pop_back();
            for (std::uint32_t k = recs[i].vbegin; k < recs[i].vend; ++k) {
                const FieldDef& f = kFieldDefs[vals[k].field];
                if (f.kind != recs[i].kind || !is_link(f.type)) {
                    continue;
                }
                const std::uint32_t t = target(link_kind(f.type), vals[k].str);
                if (t != kNone && !seen[t]) {
                    seen[t] = true;
                    stack.push_back(t);
                }
            }
        }
        return seen;
    }

    /// §2.5, field reading: N_f = occurrences in field f (once per object); generic iff
    /// count_f(v) > min(cap, sqrt(N_f)).
    void find_generic(const std::vector<bool>& scope) {
        const GenericRule& rule = options.generic;
        if (rule.kind == GenericRule::Kind::Off) {
            return;
        }
        // key: (registry << 40) | (field << 32) | str  -- registry 0 when pooled
        std::unordered_map<std::uint64_t, std::uint32_t> counts;
        std::unordered_map<std::uint64_t, std::uint64_t> totals; // (registry << 8 | field) -> N_f
        std::unordered_map<std::uint32_t, std::uint32_t> reg_no;
        for (std::uint32_t i = 0; i < recs.size(); ++i) {
            if (!scope[i]) {
                continue;
            }
            std::uint64_t reg = 0;
            if (rule.per_registry) {
                reg =
                    reg_no.emplace(recs[i].registry, static_cast<std::uint32_t>(reg_no.size() + 1))
                        .first->second;
            }
            for (std::uint32_t k = recs[i].vbegin; k < recs[i].vend; ++k) {
                const Val v = vals[k];
                if (kFieldDefs[v.field].kind != recs[i].kind) {
                    continue; // values an aut-num keeps for its synthesised org
                }
                ++counts[(reg << 40) | (std::uint64_t{v.field} << 32) | v.str];
                ++totals[(reg << 8) | v.field];
            }
        }
        std::unordered_set<std::uint64_t> pairs;
        for (const auto& [key, count] : counts) {
            const std::uint64_t reg = key >> 40;
            const auto field = static_cast<std::uint8_t>((key >> 32) & 0xFF);
            const double n = static_cast<double>(totals[(reg << 8) | field]);
            const double t =
                rule.kind == GenericRule::Kind::Fixed ? rule.cap : std::min(rule.cap, std::sqrt(n));
            const double c = static_cast<double>(count);
            if (rule.inclusive ? c >= t : c > t) {
                generic.insert(key);
                const std::uint64_t pair = key & 0xFFFFFFFFFFULL;
                if (pairs.insert(pair).second) {
                    generic_pairs.push_back(pair);
                }
                generic_detail[key] = {count, t};
            }
        }
        std::sort(generic_pairs.begin(), generic_pairs.end());
        report.generic_values = generic_pairs.size();
        registry_numbers = std::move(reg_no);
    }
    std::unordered_map<std::uint32_t, std::uint32_t> registry_numbers;

    [[nodiscard]] bool is_generic(const Rec& r, const Val& v) const {
        if (generic.empty()) {
            return false;
        }
        std::uint64_t reg = 0;
        if (options.generic.per_registry) {
            const auto it = registry_numbers.find(r.registry);
            if (it == registry_numbers.end()) {
                return false;
            }
            reg = it->second;
        }
        return generic.count((reg << 40) | (std::uint64_t{v.field} << 32) | v.str) != 0;
    }

    /// §2.7: records of one kind equal in every field but id/changed/source, sharing at least one
    /// non-blank e-mail or text value, are one record. Link values compare by the representative
    /// of their target, so a merge can make further records equal; repeat until nothing merges.
    void consolidate(const std::vector<bool>& kept) {
        UnionFind dup(recs.size());
        bool changed = true;
        int rounds = 0;
        while (changed && rounds < 64) {
            changed = false;
            ++rounds;
            for (const Kind kind : {Kind::Contact, Kind::Mntner, Kind::Org}) {
                std::unordered_map<std::string, std::uint32_t> bucket;
                std::string sig;
                for (std::uint32_t i = 0; i < recs.size(); ++i) {
                    const Rec& r = recs[i];
                    if (!kept[i] || r.kind != kind) {
                        continue;
                    }
                    sig.clear();
                    bool informative = false;
                    for (std::uint32_t k = r.vbegin; k < r.vend; ++k) {
                        const FieldDef& f = kFieldDefs[vals[k].field];
                        if (f.kind != kind) {
                            continue;
                        }
                        std::uint32_t value = vals[k].str;
                        if (is_link(f.type)) {
                            const std::uint32_t t = target(link_kind(f.type), value);
                            value = t == kNone ? value : (0x80000000U | dup.find(t));
                        } else {
                            informative = true;
                        }
                        sig.push_back(static_cast<char>(vals[k].field));
                        sig.append(reinterpret_cast<const char*>(&value), sizeof value);
                    }
                    if (!informative) {
                        continue;
                    }
                    sig.append(reinterpret_cast<const char*>(&r.country), sizeof r.country);
                    auto [it, inserted] = bucket.emplace(sig, i);
                    if (!inserted && dup.unite(it->second, i)) {
                        edges.push_back(Edge{it->second, i, 0, kEdgeDuplicate});
                        ++report.consolidated;
                        changed = true;
                    }
                }
            }
        }
        for (const Edge& e : edges) {
            uf.unite(e.a, e.b);
        }
    }

    std::unordered_map<std::uint64_t, std::uint32_t> vnodes; ///< (vtype << 32 | str) -> node

    std::uint32_t virtual_node(VType t, std::uint32_t str) {
        const std::uint64_t key = (std::uint64_t{static_cast<std::uint8_t>(t)} << 32) | str;
        auto [it, inserted] = vnodes.emplace(key, 0);
        if (inserted) {
            it->second = uf.add();
            vnode_type.push_back(static_cast<std::uint32_t>(t));
            vnode_str.push_back(str);
        }
        return it->second;
    }

    /// §2.8: union over the enabled fields' non-generic values.
    void group(const std::vector<bool>& kept) {
        for (const std::uint32_t w : winners) {
            uf.unite(w, recs[w].org);
            edges.push_back(Edge{w, recs[w].org, 0, kEdgeOrg});
        }
        for (std::uint32_t i = 0; i < recs.size(); ++i) {
            if (!kept[i]) {
                continue;
            }
            const Rec& r = recs[i];
            for (std::uint32_t k = r.vbegin; k < r.vend; ++k) {
                const Val v = vals[k];
                const FieldDef& f = kFieldDefs[v.field];
                if (f.kind != r.kind || !enabled[v.field] || is_generic(r, v)) {
                    continue;
                }
                std::uint32_t node = kNone;
                if (is_link(f.type)) {
                    node = target(link_kind(f.type), v.str);
                    if (node != kNone && !kept[node]) {
                        node = kNone;
                    }
                }
                if (node == kNone) {
                    // a dangling link is still a key (§2.3): a virtual node named by the handle
                    node = virtual_node(f.type, v.str);
                }
                uf.unite(i, node);
                edges.push_back(Edge{i, node, v.str, v.field});
            }
        }
    }

    [[nodiscard]] bool registry_org(std::uint32_t rec) const {
        return rec != kNone && !recs[rec].synthesized;
    }

    void build_rows() {
        // family root -> ASes (winners ascending by ASN)
        std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> fam;
        std::vector<std::uint32_t> roots;
        for (const std::uint32_t w : winners) {
            const std::uint32_t root = uf.find(w);
            auto [it, inserted] = fam.try_emplace(root);
            if (inserted) {
                roots.push_back(root);
            }
            it->second.push_back(w);
        }
        std::vector<std::pair<std::uint32_t, OrgRow>> org_rows; // (representative rec, row)
        std::unordered_map<std::uint32_t, std::string> org_id_of_root;
        for (const std::uint32_t root : roots) {
            const auto& members = fam[root];
            std::unordered_map<std::uint32_t, std::uint32_t> counts; // registry org -> ASes
            for (const std::uint32_t w : members) {
                if (registry_org(recs[w].org)) {
                    ++counts[recs[w].org];
                }
            }
            OrgRow row;
            std::uint32_t rep = kNone;
            if (!counts.empty()) {
                for (const auto& [org, n] : counts) {
                    if (rep == kNone) {
                        rep = org;
                        continue;
                    }
                    const Rec& a = recs[org];
                    const Rec& b = recs[rep];
                    const std::string_view ida = pool.str(a.display_id);
                    const std::string_view idb = pool.str(b.display_id);
                    bool better = false;
                    switch (options.family_org) {
                    case FamilyOrgRule::SmallestId:
                        better = ida < idb;
                        break;
                    case FamilyOrgRule::Newest:
                        better = a.changed != b.changed ? a.changed > b.changed : ida < idb;
                        break;
                    default:
                        better = n != counts[rep] ? n > counts[rep] : ida < idb;
                        break;
                    }
                    if (better) {
                        rep = org;
                    }
                }
                const Rec& o = recs[rep];
                row = OrgRow{std::string(pool.str(o.display_id)), date_text(o.changed),
                             std::string(pool.str(o.name)), std::string(pool.str(o.country)),
                             std::string(pool.str(o.source))};
            } else {
                rep = recs[members.front()].org;
                const Rec& o = recs[rep];
                std::uint32_t newest = 0;
                for (const std::uint32_t w : members) {
                    newest = std::max(newest, recs[w].changed);
                }
                row = OrgRow{members.size() == 1
                                 ? std::string(pool.str(o.display_id))
                                 : "@family-" + std::to_string(recs[members.front()].asn),
                             date_text(newest), std::string(pool.str(o.name)),
                             std::string(pool.str(o.country)), std::string(pool.str(o.source))};
            }
            org_id_of_root[root] = row.id;
            org_rows.emplace_back(rep, std::move(row));
        }
        std::sort(org_rows.begin(), org_rows.end(),
                  [](const auto& a, const auto& b) { return a.second.id < b.second.id; });
        rows.orgs.clear();
        row_org_rec.clear();
        for (auto& [rep, row] : org_rows) {
            row_org_rec.push_back(rep);
            rows.orgs.push_back(std::move(row));
        }
        rows.ases.clear();
        for (const std::uint32_t w : winners) {
            const Rec& r = recs[w];
            rows.ases.push_back(AsRow{r.asn, date_text(r.changed), std::string(pool.str(r.name)),
                                      org_id_of_root[uf.find(w)], "",
                                      std::string(pool.str(r.source))});
            aut_of_asn[r.asn] = w;
        }
        report.ases = rows.ases.size();
        report.families = rows.orgs.size();
    }

    void build_header(std::uint32_t as_of) {
        auto& h = rows.header;
        h.clear();
        h.emplace_back("name: AS Org");
        h.emplace_back("program: domaingraph as2org infer (CAIDA's method, "
                       "shared/design/as2org-reference.md)");
        h.emplace_back("date: " + date_text(as_of));
        std::string fields;
        for (int i = 0; i < kFieldCount; ++i) {
            if (enabled[static_cast<std::size_t>(i)]) {
                fields += fields.empty() ? "" : ",";
                fields += kFieldDefs[i].name;
            }
        }
        h.emplace_back("fields: " + fields);
        h.emplace_back("generic-threshold: " + to_string(options.generic));
        h.emplace_back(std::string("family-org: ") +
                       (options.family_org == FamilyOrgRule::SmallestId ? "smallest-id"
                        : options.family_org == FamilyOrgRule::Newest   ? "newest"
                                                                        : "most-ases"));
        h.emplace_back(std::string("lacnic-ownerid: ") + (options.lacnic_ownerid ? "on" : "off"));
        h.emplace_back("readings: org.email and org.phone fill the two names missing from the "
                       "seed's 'always' list (a guess); synthesised orgs @aut-<asn>-<source>; "
                       "families of synthesised orgs @family-<lowest asn>; as-block-only ASNs "
                       "not listed");
        std::string inputs;
        for (const auto& f : report.files) {
            const auto slash = f.source.find_last_of('/');
            inputs += inputs.empty() ? "" : ",";
            inputs += slash == std::string::npos ? f.source : f.source.substr(slash + 1);
        }
        h.emplace_back("inputs: " + inputs);
    }

    Result<void> run() {
        if (ran) {
            return make_error(ErrorCode::InvalidArgument, "run() called twice");
        }
        ran = true;
        std::uint32_t as_of = 0;
        if (!options.as_of.empty()) {
            as_of = parse_date(options.as_of);
            if (as_of == 0) {
                return make_error(ErrorCode::InvalidArgument,
                                  "invalid --as-of date '" + options.as_of + "' (YYYYMMDD)");
            }
        }
        auto fields = options.fields;
        if (fields.empty()) {
            DG_TRY(fields, parse_field_list("always"));
        }
        for (const auto& f : fields) {
            const int i = field_index(f);
            if (i < 0) {
                return make_error(ErrorCode::InvalidArgument, "unknown field '" + f + "'");
            }
            enabled[static_cast<std::size_t>(i)] = true;
        }
        choose_authority(as_of);
        if (winners.empty()) {
            return make_error(ErrorCode::Malformed, "no aut-num or ASHandle record in the input (" +
                                                        std::to_string(report.objects) +
                                                        " objects read)");
        }
        build_index();
        link_orgs();
        const std::vector<bool> kept = reachable();
        std::vector<bool> all(recs.size(), false);
        for (std::uint32_t i = 0; i < recs.size(); ++i) {
            all[i] = recs[i].kind != Kind::Aut || kept[i];
            if (recs[i].kind != Kind::Aut && !kept[i]) {
                ++report.pruned;
            }
        }
        find_generic(options.generic.before_pruning ? all : kept);
        uf = UnionFind(recs.size());
        consolidate(kept);
        group(kept);
        build_rows();
        build_header(as_of != 0 ? as_of : newest_date);
        return ok();
    }

    // ---- explain ------------------------------------------------------------------------

    [[nodiscard]] std::string node_label(std::uint32_t node) const {
        if (node < recs.size()) {
            const Rec& r = recs[node];
            switch (r.kind) {
            case Kind::Aut:
                return "AS" + std::to_string(r.asn) + " (" + std::string(pool.str(r.source)) + ")";
            case Kind::Org:
                return "org " + std::string(pool.str(r.display_id));
            case Kind::Contact:
                return "contact " + std::string(pool.str(r.display_id));
            default:
                return "mntner " + std::string(pool.str(r.display_id));
            }
        }
        const std::size_t v = node - recs.size();
        return std::string(vtype_name(static_cast<VType>(vnode_type[v]))) + " '" +
               std::string(pool.str(vnode_str[v])) + "'";
    }

    [[nodiscard]] static std::string edge_label(const Edge& e) {
        if (e.field == kEdgeOrg) {
            return "belongs to";
        }
        if (e.field == kEdgeDuplicate) {
            return "duplicate record of";
        }
        return kFieldDefs[e.field].name;
    }

    Result<std::string> explain(Asn asn) const {
        const auto it = aut_of_asn.find(asn.value());
        if (it == aut_of_asn.end()) {
            return make_error(ErrorCode::NotFound,
                              "AS" + asn.to_string() + " is not in the output");
        }
        const std::uint32_t start = it->second;
        const std::uint32_t root = uf.find(start);
        // adjacency of the component
        std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> adj; // node -> edge indices
        for (std::uint32_t e = 0; e < edges.size(); ++e) {
            if (uf.find(edges[e].a) == root) {
                adj[edges[e].a].push_back(e);
                adj[edges[e].b].push_back(e);
            }
        }
        std::unordered_map<std::uint32_t, std::uint32_t> via; // node -> edge used to reach it
        std::deque<std::uint32_t> queue{start};
        via[start] = kNone;
        while (!queue.empty()) {
            const std::uint32_t n = queue.front();
            queue.pop_front();
            for (const std::uint32_t e : adj[n]) {
                const std::uint32_t m = edges[e].a == n ? edges[e].b : edges[e].a;
                if (via.emplace(m, e).second) {
                    queue.push_back(m);
                }
            }
        }
        const Rec& self = recs[start];
        std::string out;
        const AsRow* row = nullptr;
        for (const AsRow& r : rows.ases) {
            if (r.asn == self.asn) {
                row = &r;
            }
        }
        out += "AS" + std::to_string(self.asn) + " " + std::string(pool.str(self.name)) +
               " (source " + std::string(pool.str(self.source)) + ", changed " +
               date_text(self.changed) + ")\n";
        out += "  own organisation: " + std::string(pool.str(recs[self.org].display_id)) +
               (recs[self.org].synthesized ? " (synthesised from the aut-num)" : "") + "\n";
        out += "  family organisation: " + (row != nullptr ? row->org_id : std::string()) + "\n";
        // values of this AS and its org that were generic, hence not used
        for (const std::uint32_t rec : {start, self.org}) {
            const Rec& r = recs[rec];
            for (std::uint32_t k = r.vbegin; k < r.vend; ++k) {
                const Val v = vals[k];
                if (kFieldDefs[v.field].kind != r.kind || !enabled[v.field] || !is_generic(r, v)) {
                    continue;
                }
                out += "  not used (generic): " + std::string(kFieldDefs[v.field].name) + " '" +
                       std::string(pool.str(v.str)) + "'\n";
            }
        }
        std::vector<std::uint32_t> siblings;
        for (const std::uint32_t w : winners) {
            if (w != start && uf.find(w) == root) {
                siblings.push_back(w);
            }
        }
        out += "  siblings: " + std::to_string(siblings.size()) + "\n";
        for (const std::uint32_t s : siblings) {
            std::vector<std::uint32_t> path;
            std::uint32_t n = s;
            while (n != start) {
                const std::uint32_t e = via.at(n);
                path.push_back(e);
                n = edges[e].a == n ? edges[e].b : edges[e].a;
            }
            std::reverse(path.begin(), path.end());
            std::string line = "  AS" + std::to_string(recs[s].asn) + ": " + node_label(start);
            n = start;
            for (const std::uint32_t e : path) {
                const Edge& ed = edges[e];
                const std::uint32_t m = ed.a == n ? ed.b : ed.a;
                const bool forward = ed.a == n;
                line += forward ? " -[" + edge_label(ed) + "]-> " : " <-[" + edge_label(ed) + "]- ";
                line += node_label(m);
                n = m;
            }
            out += line + "\n";
        }
        return out;
    }
};

Inference::Inference(InferOptions options) : s_(std::make_unique<State>()) {
    s_->options = std::move(options);
}
Inference::Inference(Inference&&) noexcept = default;
Inference& Inference::operator=(Inference&&) noexcept = default;
Inference::~Inference() = default;

Result<void> Inference::add_file(const std::string& path) {
    DG_TRY(auto reader, whois::Reader::open(path, s_->options.reader));
    return s_->read(reader, path);
}

Result<void> Inference::add_text(std::string_view text, const std::string& name) {
    auto reader = whois::Reader::from_memory(text, name, s_->options.reader);
    return s_->read(reader, name);
}

Result<void> Inference::run() {
    return s_->run();
}

const As2orgRows& Inference::rows() const {
    return s_->rows;
}

Result<std::string> Inference::explain(Asn asn) const {
    return s_->explain(asn);
}

std::vector<std::string> Inference::generic_values(std::string_view field) const {
    std::vector<std::string> out;
    const int f = field_index(field);
    if (f < 0) {
        return out;
    }
    for (const std::uint64_t pair : s_->generic_pairs) {
        if (((pair >> 32) & 0xFF) == static_cast<std::uint64_t>(f)) {
            out.emplace_back(s_->pool.str(static_cast<std::uint32_t>(pair & 0xFFFFFFFFU)));
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<AsBlock> Inference::as_blocks() const {
    auto out = s_->blocks;
    std::sort(out.begin(), out.end(), [](const AsBlock& a, const AsBlock& b) {
        return a.first != b.first ? a.first < b.first : a.last < b.last;
    });
    return out;
}

const InferReport& Inference::report() const {
    return s_->report;
}

} // namespace dg::org
