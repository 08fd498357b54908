#include "dg/dns/result_json.hpp"

#include <cstdio>

namespace dg::dns {

void append_json_string(std::string& out, std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(static_cast<char>(c));
            ++i;
        } else if (c < 0x20 || c == 0x7f) {
            out += "\\u00";
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xf]);
            ++i;
        } else if (c < 0x80) {
            out.push_back(static_cast<char>(c));
            ++i;
        } else {
            // Keep well-formed UTF-8 sequences, escape stray bytes as \u00XX (Latin-1 reading).
            std::size_t len = (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
            bool valid = len != 0 && i + len <= s.size();
            for (std::size_t k = 1; valid && k < len; ++k) {
                valid = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
            }
            if (valid) {
                out.append(s.substr(i, len));
                i += len;
            } else {
                out += "\\u00";
                out.push_back(kHex[c >> 4]);
                out.push_back(kHex[c & 0xf]);
                ++i;
            }
        }
    }
    out.push_back('"');
}

namespace {

void append_records(std::string& out, const TypeAnswer& t) {
    out.push_back('[');
    bool first = true;
    for (const Record& r : t.records) {
        if (!first) {
            out.push_back(',');
        }
        first = false;
        if (r.type == 15) {
            out += "{\"preference\":";
            out += std::to_string(r.preference);
            out += ",\"host\":";
            append_json_string(out, r.data);
            out.push_back('}');
        } else {
            append_json_string(out, r.data);
        }
    }
    out.push_back(']');
}

void append_type_detail(std::string& out, const TypeAnswer& t,
                        const std::vector<Endpoint>& upstreams) {
    out += "{\"status\":\"";
    out += status_name(t.status);
    out += '"';
    if (t.rcode >= 0) {
        out += ",\"rcode\":\"";
        out += rcode_name(static_cast<std::uint16_t>(t.rcode));
        out += '"';
    }
    if (!t.detail.empty()) {
        out += ",\"detail\":";
        append_json_string(out, t.detail);
    }
    if (t.upstream >= 0 && static_cast<std::size_t>(t.upstream) < upstreams.size()) {
        out += ",\"resolver\":\"";
        out += upstreams[static_cast<std::size_t>(t.upstream)].to_string();
        out += '"';
    }
    out += ",\"attempts\":";
    out += std::to_string(t.attempts);
    out.push_back('}');
}

} // namespace

void append_json(std::string& out, const NameResult& r, const std::vector<Endpoint>& upstreams,
                 std::string_view input) {
    out += "{\"name\":";
    append_json_string(out, r.name);
    if (!input.empty()) {
        out += ",\"input\":";
        append_json_string(out, input);
    }
    out += ",\"status\":\"";
    out += status_name(r.status);
    out += "\",\"answers\":{";
    bool first = true;
    const std::vector<std::string>* chain = nullptr;
    bool cname_requested = false;
    for (const TypeAnswer& t : r.types) {
        if (t.type == 5) {
            cname_requested = true;
            continue;
        }
        if (!first) {
            out.push_back(',');
        }
        first = false;
        out.push_back('"');
        out += type_name(t.type);
        out += "\":";
        append_records(out, t);
        if (chain == nullptr && !t.cname_chain.empty()) {
            chain = &t.cname_chain;
        }
    }
    if (cname_requested || chain != nullptr) {
        if (!first) {
            out.push_back(',');
        }
        out += "\"CNAME\":[";
        // An explicit CNAME query answers with its records; otherwise the chain followed.
        std::vector<std::string> names;
        for (const TypeAnswer& t : r.types) {
            if (t.type == 5) {
                for (const Record& rec : t.records) {
                    names.push_back(rec.data);
                }
            }
        }
        if (names.empty() && chain != nullptr) {
            names = *chain;
        }
        for (std::size_t i = 0; i < names.size(); ++i) {
            if (i > 0) {
                out.push_back(',');
            }
            append_json_string(out, names[i]);
        }
        out.push_back(']');
    }
    out += "}";
    // rcode of the first type that got an answer.
    std::int32_t rcode = -1;
    for (const TypeAnswer& t : r.types) {
        if (t.rcode >= 0) {
            rcode = t.rcode;
            break;
        }
    }
    out += ",\"rcode\":";
    if (rcode >= 0) {
        out.push_back('"');
        out += rcode_name(static_cast<std::uint16_t>(rcode));
        out.push_back('"');
    } else {
        out += "null";
    }
    out += ",\"resolver\":";
    if (r.upstream >= 0 && static_cast<std::size_t>(r.upstream) < upstreams.size()) {
        out.push_back('"');
        out += upstreams[static_cast<std::size_t>(r.upstream)].to_string();
        out.push_back('"');
    } else {
        out += "null";
    }
    out += ",\"attempts\":";
    out += std::to_string(r.attempts);
    char ms[32];
    std::snprintf(ms, sizeof ms, "%.3f", static_cast<double>(r.elapsed.count()) / 1e6);
    out += ",\"ms\":";
    out += ms;
    out += ",\"ttl\":{";
    first = true;
    for (const TypeAnswer& t : r.types) {
        if (t.status != Status::NoError && t.status != Status::NoData &&
            t.status != Status::NxDomain) {
            continue;
        }
        if (!first) {
            out.push_back(',');
        }
        first = false;
        out.push_back('"');
        out += type_name(t.type);
        out += "\":";
        out += std::to_string(t.ttl);
    }
    out.push_back('}');
    bool differ = false;
    for (const TypeAnswer& t : r.types) {
        differ = differ || t.status != r.types.front().status || !t.detail.empty();
    }
    if (differ) {
        out += ",\"types\":{";
        for (std::size_t i = 0; i < r.types.size(); ++i) {
            if (i > 0) {
                out.push_back(',');
            }
            out.push_back('"');
            out += type_name(r.types[i].type);
            out += "\":";
            append_type_detail(out, r.types[i], upstreams);
        }
        out.push_back('}');
    }
    if (!r.hosts.empty()) {
        out += ",\"hosts\":{";
        for (std::size_t i = 0; i < r.hosts.size(); ++i) {
            const HostAnswer& h = r.hosts[i];
            if (i > 0) {
                out.push_back(',');
            }
            append_json_string(out, h.host);
            out += ":{\"A\":";
            append_records(out, h.a);
            out += ",\"AAAA\":";
            append_records(out, h.aaaa);
            out += ",\"status\":{\"A\":\"";
            out += status_name(h.a.status);
            out += "\",\"AAAA\":\"";
            out += status_name(h.aaaa.status);
            out += "\"}}";
        }
        out.push_back('}');
    }
    if (r.repaired) {
        out += ",\"repaired\":true";
    }
    out += "}\n";
}

void append_invalid_json(std::string& out, std::string_view input, std::string_view reason,
                         std::uint64_t line) {
    out += "{\"name\":";
    append_json_string(out, input);
    out += ",\"status\":\"INVALID\",\"error\":";
    append_json_string(out, reason);
    out += ",\"line\":";
    out += std::to_string(line);
    out += "}\n";
}

} // namespace dg::dns
