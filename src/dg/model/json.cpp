#include "dg/model/json.hpp"

#include "dg/core/ip_text.hpp"

#include <ctime>
#include <limits>

namespace dg::model {
namespace {

using nlohmann::json;

json ip_to_json(const IpMapping& m, const JsonOptions& o) {
    json j = json::object();
    j["ip"] = m.ip.to_string();
    j["prefix"] = m.prefix ? json(m.prefix->to_string()) : json(nullptr);
    j["asn"] = m.asn ? json(m.asn->value()) : json(nullptr);
    json origins = json::array();
    for (const Asn& a : m.origins) {
        origins.push_back(a.value());
    }
    j["origins"] = std::move(origins);
    j["org"] = m.org ? json(*m.org) : json(nullptr);
    if (o.ttl && m.ttl) {
        j["ttl"] = *m.ttl;
    }
    if (m.rpki) {
        j["rpki"] = *m.rpki;
        if (m.rpki_reason) {
            j["rpki_reason"] = *m.rpki_reason;
        }
    }
    if (m.geo) {
        j["geo"] = to_json(*m.geo);
    }
    return j;
}

json ips_to_json(const std::vector<IpMapping>& v, const JsonOptions& o) {
    json out = json::array();
    for (const IpMapping& m : v) {
        out.push_back(ip_to_json(m, o));
    }
    return out;
}

Error bad(const std::string& what) {
    return make_error(ErrorCode::Malformed, "domain result JSON: " + what);
}

Result<std::string> get_string(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) {
        return bad(std::string("\"") + key + "\" must be a string");
    }
    return it->get<std::string>();
}

Result<std::optional<std::uint32_t>> get_opt_u32(const json& j, const char* key,
                                                 std::uint64_t max) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
        return std::optional<std::uint32_t>{};
    }
    if (!it->is_number_unsigned() || it->get<std::uint64_t>() > max) {
        return bad(std::string("\"") + key + "\" must be an integer from 0 to " +
                   std::to_string(max));
    }
    return std::optional<std::uint32_t>{static_cast<std::uint32_t>(it->get<std::uint64_t>())};
}

const json* get_array(const json& j, const char* key) {
    static const json empty = json::array();
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
        return &empty;
    }
    return it->is_array() ? &*it : nullptr;
}

constexpr std::uint64_t kU32 = std::numeric_limits<std::uint32_t>::max();

Result<GeoLocation> geo_from_json(const json& j) {
    if (!j.is_object()) {
        return bad("\"geo\" must be an object");
    }
    GeoLocation g;
    for (auto [key, field] : {std::pair{"country", &g.country}, std::pair{"city", &g.city}}) {
        if (auto it = j.find(key); it != j.end() && !it->is_null()) {
            if (!it->is_string()) {
                return bad(std::string("\"geo.") + key + "\" must be a string");
            }
            *field = it->get<std::string>();
        }
    }
    for (auto [key, field] : {std::pair{"lat", &g.lat}, std::pair{"lon", &g.lon}}) {
        if (auto it = j.find(key); it != j.end() && !it->is_null()) {
            if (!it->is_number()) {
                return bad(std::string("\"geo.") + key + "\" must be a number");
            }
            *field = it->get<double>();
        }
    }
    return g;
}

Result<IpMapping> ip_from_json(const json& j) {
    if (!j.is_object()) {
        return bad("an address entry must be an object");
    }
    IpMapping m;
    DG_TRY(std::string ip, get_string(j, "ip"));
    auto parsed = IpAddress::parse(ip);
    if (!parsed) {
        return bad("invalid \"ip\" " + ip);
    }
    m.ip = *parsed;
    if (auto it = j.find("prefix"); it != j.end() && !it->is_null()) {
        if (!it->is_string()) {
            return bad("\"prefix\" must be a string or null");
        }
        auto p = Prefix::parse(it->get<std::string>());
        if (!p) {
            return bad("invalid \"prefix\" " + it->get<std::string>());
        }
        m.prefix = *p;
    }
    DG_TRY(auto asn, get_opt_u32(j, "asn", kU32));
    if (asn) {
        m.asn = Asn(*asn);
    }
    const json* origins = get_array(j, "origins");
    if (origins == nullptr) {
        return bad("\"origins\" must be an array");
    }
    for (const json& o : *origins) {
        if (!o.is_number_unsigned() || o.get<std::uint64_t>() > kU32) {
            return bad("\"origins\" must hold AS numbers");
        }
        m.origins.emplace_back(static_cast<std::uint32_t>(o.get<std::uint64_t>()));
    }
    if (auto it = j.find("org"); it != j.end() && !it->is_null()) {
        if (!it->is_string()) {
            return bad("\"org\" must be a string or null");
        }
        m.org = it->get<std::string>();
    }
    DG_TRY(m.ttl, get_opt_u32(j, "ttl", kU32));
    for (auto [key, field] :
         {std::pair{"rpki", &m.rpki}, std::pair{"rpki_reason", &m.rpki_reason}}) {
        if (auto it = j.find(key); it != j.end() && !it->is_null()) {
            if (!it->is_string()) {
                return bad(std::string("\"") + key + "\" must be a string or null");
            }
            *field = it->get<std::string>();
        }
    }
    if (auto it = j.find("geo"); it != j.end() && !it->is_null()) {
        DG_TRY(m.geo, geo_from_json(*it));
    }
    return m;
}

Result<std::vector<IpMapping>> ips_from_json(const json& j, const char* key) {
    const json* arr = get_array(j, key);
    if (arr == nullptr) {
        return bad(std::string("\"") + key + "\" must be an array");
    }
    std::vector<IpMapping> out;
    out.reserve(arr->size());
    for (const json& e : *arr) {
        DG_TRY(IpMapping m, ip_from_json(e));
        out.push_back(std::move(m));
    }
    return out;
}

} // namespace

json to_json(const DomainResult& r, const JsonOptions& o) {
    json j = json::object();
    j["domain"] = r.domain;
    j["status"] = r.status;
    if (r.error) {
        j["error"] = *r.error;
    }
    j["a"] = ips_to_json(r.a, o);
    j["aaaa"] = ips_to_json(r.aaaa, o);
    json cname = json::array();
    json cname_ttl = json::array();
    bool any_ttl = false;
    for (const CnameRecord& c : r.cname) {
        cname.push_back(c.target);
        cname_ttl.push_back(c.ttl ? json(*c.ttl) : json(nullptr));
        any_ttl = any_ttl || c.ttl.has_value();
    }
    j["cname"] = std::move(cname);
    if (o.ttl && any_ttl) {
        j["cname_ttl"] = std::move(cname_ttl);
    }
    json ns = json::array();
    for (const NsRecord& n : r.ns) {
        json e = json::object();
        e["host"] = n.host;
        if (o.ttl && n.ttl) {
            e["ttl"] = *n.ttl;
        }
        e["ips"] = ips_to_json(n.ips, o);
        ns.push_back(std::move(e));
    }
    j["ns"] = std::move(ns);
    json mx = json::array();
    for (const MxRecord& m : r.mx) {
        json e = json::object();
        e["preference"] = m.preference;
        e["host"] = m.host;
        if (o.ttl && m.ttl) {
            e["ttl"] = *m.ttl;
        }
        e["ips"] = ips_to_json(m.ips, o);
        mx.push_back(std::move(e));
    }
    j["mx"] = std::move(mx);
    return j;
}

namespace {

// Direct writer for to_json_line: same document as to_json(), keys in contract order, no DOM
// (the store serialises every result; this is 5x faster than building a json value).

/// Appends `s` as a JSON string; invalid UTF-8 bytes become U+FFFD.
void put_string(std::string& out, std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    auto plain = [](unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; };
    out += '"';
    for (std::size_t i = 0; i < s.size();) {
        // A run of characters that need no escaping goes in with one append.
        std::size_t end = i;
        while (end < s.size() && plain(static_cast<unsigned char>(s[end]))) {
            ++end;
        }
        out.append(s.data() + i, end - i);
        i = end;
        if (i == s.size()) {
            break;
        }
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            default:
                out += "\\u00";
                out += kHex[c >> 4];
                out += kHex[c & 15];
            }
            ++i;
            continue;
        }
        // Multi-byte UTF-8: validate (no overlongs, no surrogates, <= U+10FFFF).
        std::size_t len = 0;
        std::uint32_t cp = 0;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1Fu;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0Fu;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07u;
        }
        bool valid = len != 0 && i + len <= s.size();
        for (std::size_t k = 1; valid && k < len; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            valid = (cc & 0xC0) == 0x80;
            cp = (cp << 6) | (cc & 0x3Fu);
        }
        if (valid) {
            valid = !(len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) &&
                    !(len == 4 && (cp < 0x10000 || cp > 0x10FFFF));
        }
        if (valid) {
            out.append(s.data() + i, len);
            i += len;
        } else {
            out += "\xEF\xBF\xBD";
            ++i;
        }
    }
    out += '"';
}

void put_u64(std::string& out, std::uint64_t v) {
    char buf[24];
    char* end = buf + sizeof buf;
    char* p = end;
    do {
        *--p = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v != 0);
    out.append(p, static_cast<std::size_t>(end - p));
}

void put_ips(std::string& out, const std::vector<IpMapping>& ips, const JsonOptions& o) {
    out += '[';
    for (std::size_t i = 0; i < ips.size(); ++i) {
        const IpMapping& m = ips[i];
        // Address and prefix text need no escaping: quoted as they are, formatted without a
        // heap allocation (every stored result writes a few of each).
        out += i == 0 ? "{\"ip\":\"" : ",{\"ip\":\"";
        out += IpText(m.ip).view();
        out += "\",\"prefix\":";
        if (m.prefix) {
            out += '"';
            out += IpText(*m.prefix).view();
            out += '"';
        } else {
            out += "null";
        }
        out += ",\"asn\":";
        if (m.asn) {
            put_u64(out, m.asn->value());
        } else {
            out += "null";
        }
        out += ",\"origins\":[";
        for (std::size_t k = 0; k < m.origins.size(); ++k) {
            if (k != 0) {
                out += ',';
            }
            put_u64(out, m.origins[k].value());
        }
        out += "],\"org\":";
        if (m.org) {
            put_string(out, *m.org);
        } else {
            out += "null";
        }
        if (o.ttl && m.ttl) {
            out += ",\"ttl\":";
            put_u64(out, *m.ttl);
        }
        if (m.rpki) {
            out += ",\"rpki\":";
            put_string(out, *m.rpki);
            if (m.rpki_reason) {
                out += ",\"rpki_reason\":";
                put_string(out, *m.rpki_reason);
            }
        }
        if (m.geo) { // rare (scan --geo): through the DOM, as to_json() writes it
            out += ",\"geo\":";
            out += to_json(*m.geo).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        }
        out += '}';
    }
    out += ']';
}

} // namespace

std::string to_json_line(const DomainResult& r, const JsonOptions& o) {
    std::string out;
    out.reserve(256 + 160 * (r.a.size() + r.aaaa.size() + r.ns.size() * 2 + r.mx.size() * 2));
    out += "{\"domain\":";
    put_string(out, r.domain);
    out += ",\"status\":";
    put_string(out, r.status);
    if (r.error) {
        out += ",\"error\":";
        put_string(out, *r.error);
    }
    out += ",\"a\":";
    put_ips(out, r.a, o);
    out += ",\"aaaa\":";
    put_ips(out, r.aaaa, o);
    out += ",\"cname\":[";
    bool any_ttl = false;
    for (std::size_t i = 0; i < r.cname.size(); ++i) {
        if (i != 0) {
            out += ',';
        }
        put_string(out, r.cname[i].target);
        any_ttl = any_ttl || r.cname[i].ttl.has_value();
    }
    out += ']';
    if (o.ttl && any_ttl) {
        out += ",\"cname_ttl\":[";
        for (std::size_t i = 0; i < r.cname.size(); ++i) {
            if (i != 0) {
                out += ',';
            }
            if (r.cname[i].ttl) {
                put_u64(out, *r.cname[i].ttl);
            } else {
                out += "null";
            }
        }
        out += ']';
    }
    out += ",\"ns\":[";
    for (std::size_t i = 0; i < r.ns.size(); ++i) {
        out += i == 0 ? "{\"host\":" : ",{\"host\":";
        put_string(out, r.ns[i].host);
        if (o.ttl && r.ns[i].ttl) {
            out += ",\"ttl\":";
            put_u64(out, *r.ns[i].ttl);
        }
        out += ",\"ips\":";
        put_ips(out, r.ns[i].ips, o);
        out += '}';
    }
    out += "],\"mx\":[";
    for (std::size_t i = 0; i < r.mx.size(); ++i) {
        out += i == 0 ? "{\"preference\":" : ",{\"preference\":";
        put_u64(out, r.mx[i].preference);
        out += ",\"host\":";
        put_string(out, r.mx[i].host);
        if (o.ttl && r.mx[i].ttl) {
            out += ",\"ttl\":";
            put_u64(out, *r.mx[i].ttl);
        }
        out += ",\"ips\":";
        put_ips(out, r.mx[i].ips, o);
        out += '}';
    }
    out += "]}";
    return out;
}

Result<DomainResult> domain_result_from_json(const json& j) {
    if (!j.is_object()) {
        return bad("expected an object");
    }
    DomainResult r;
    DG_TRY(r.domain, get_string(j, "domain"));
    DG_TRY(r.status, get_string(j, "status"));
    if (auto it = j.find("error"); it != j.end() && !it->is_null()) {
        if (!it->is_string()) {
            return bad("\"error\" must be a string");
        }
        r.error = it->get<std::string>();
    }
    DG_TRY(r.a, ips_from_json(j, "a"));
    DG_TRY(r.aaaa, ips_from_json(j, "aaaa"));
    const json* cname = get_array(j, "cname");
    const json* cname_ttl = get_array(j, "cname_ttl");
    if (cname == nullptr || cname_ttl == nullptr) {
        return bad("\"cname\" and \"cname_ttl\" must be arrays");
    }
    for (std::size_t i = 0; i < cname->size(); ++i) {
        const json& c = (*cname)[i];
        if (!c.is_string()) {
            return bad("\"cname\" must hold host names");
        }
        CnameRecord rec{c.get<std::string>(), {}};
        if (i < cname_ttl->size() && !(*cname_ttl)[i].is_null()) {
            const json& t = (*cname_ttl)[i];
            if (!t.is_number_unsigned() || t.get<std::uint64_t>() > kU32) {
                return bad("\"cname_ttl\" must hold TTLs");
            }
            rec.ttl = static_cast<std::uint32_t>(t.get<std::uint64_t>());
        }
        r.cname.push_back(std::move(rec));
    }
    const json* ns = get_array(j, "ns");
    if (ns == nullptr) {
        return bad("\"ns\" must be an array");
    }
    for (const json& e : *ns) {
        if (!e.is_object()) {
            return bad("\"ns\" entries must be objects");
        }
        NsRecord n;
        DG_TRY(n.host, get_string(e, "host"));
        DG_TRY(n.ttl, get_opt_u32(e, "ttl", kU32));
        DG_TRY(n.ips, ips_from_json(e, "ips"));
        r.ns.push_back(std::move(n));
    }
    const json* mx = get_array(j, "mx");
    if (mx == nullptr) {
        return bad("\"mx\" must be an array");
    }
    for (const json& e : *mx) {
        if (!e.is_object()) {
            return bad("\"mx\" entries must be objects");
        }
        MxRecord m;
        DG_TRY(auto pref, get_opt_u32(e, "preference", 65535));
        m.preference = static_cast<std::uint16_t>(pref.value_or(0));
        DG_TRY(m.host, get_string(e, "host"));
        DG_TRY(m.ttl, get_opt_u32(e, "ttl", kU32));
        DG_TRY(m.ips, ips_from_json(e, "ips"));
        r.mx.push_back(std::move(m));
    }
    return r;
}

Result<DomainResult> parse_domain_result(std::string_view text) {
    json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
        return bad("not valid JSON");
    }
    return domain_result_from_json(j);
}

json to_json(const Scan& s) {
    json j = json::object();
    j["id"] = s.id;
    j["status"] = scan_status_name(s.status);
    j["started_at"] = format_utc(s.started_at);
    j["finished_at"] = s.finished_at ? json(format_utc(*s.finished_at)) : json(nullptr);
    j["domains_total"] = s.domains_total;
    j["domains_done"] = s.domains_done;
    j["notes"] = s.notes;
    j["rib"] = json{{"path", s.rib_path}, {"hash", s.rib_hash}};
    json config = s.config_json.empty()
                      ? json(nullptr)
                      : json::parse(s.config_json, nullptr, /*allow_exceptions=*/false);
    j["config"] = config.is_discarded() ? json(s.config_json) : config;
    if (!s.status_detail.empty()) {
        j["status_detail"] = s.status_detail;
    }
    return j;
}

json to_json(const Change& c) {
    auto parse = [](const std::string& text) {
        json v = json::parse(text, nullptr, /*allow_exceptions=*/false);
        return v.is_discarded() ? json(text) : v;
    };
    json j{{"domain", c.domain},
           {"type", change_type_name(c.type)},
           {"severity", severity_name(c.severity)},
           {"from", parse(c.from_json)},
           {"to", parse(c.to_json)}};
    if (c.subject) {
        j["address"] = c.subject->address;
        j["record"] = c.subject->record;
        j["role"] = c.subject->role;
        j["host"] = c.subject->host.empty() ? json(nullptr) : json(c.subject->host);
    }
    return j;
}

std::string format_utc(UnixTime t) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return std::string(buf, n);
}

nlohmann::json to_json(const GeoLocation& g) {
    json j = json::object();
    j["country"] = g.country.empty() ? json(nullptr) : json(g.country);
    j["city"] = g.city.empty() ? json(nullptr) : json(g.city);
    j["lat"] = g.lat ? json(*g.lat) : json(nullptr);
    j["lon"] = g.lon ? json(*g.lon) : json(nullptr);
    return j;
}

} // namespace dg::model
