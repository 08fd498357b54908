#include "dg/hostnames/stats.hpp"

#include "dg/core/ip_address.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace dg::hostnames {
namespace {

std::string json_escape(std::string_view s) {
    std::string out;
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20 || u >= 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof(buf), "\\u%04x", u);
            out += buf;
        } else {
            out += c;
        }
    }
    return out;
}

template <class M>
std::vector<std::pair<std::string, typename M::mapped_type>> top_of(const M& m, std::size_t n) {
    std::vector<std::pair<std::string, typename M::mapped_type>> v(m.begin(), m.end());
    std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
        if constexpr (std::is_same_v<typename M::mapped_type, std::uint64_t>) {
            return a.second > b.second;
        } else {
            return a.second.count > b.second.count;
        }
    });
    if (v.size() > n) {
        v.resize(n);
    }
    return v;
}

double pct(std::uint64_t a, std::uint64_t b) {
    return b == 0 ? 0.0 : 100.0 * static_cast<double>(a) / static_cast<double>(b);
}

} // namespace

const char* component_name(Component c) {
    switch (c) {
    case Component::Interface:
        return "interface";
    case Component::Role:
        return "role";
    case Component::City:
        return "city";
    case Component::Iata:
        return "iata";
    case Component::ClliLike:
        return "clli_like";
    case Component::State:
        return "state";
    case Component::Word:
        return "word";
    default:
        return "other";
    }
}

void Stats::add(const Decoded& d) {
    if (!d.error.empty()) {
        ++refused;
        return;
    }
    ++names;
    std::array<bool, kComponents> seen{};
    int n_items = 0;
    for (const Token& t : d.tokens) {
        Component c = Component::Other;
        switch (t.type) {
        case TokenType::Interface:
            c = Component::Interface;
            break;
        case TokenType::Role:
            c = Component::Role;
            break;
        case TokenType::State:
            c = Component::State;
            break;
        case TokenType::Word:
            c = Component::Word;
            break;
        case TokenType::Location:
            c = d.location.source == LocationSource::Iata       ? Component::Iata
                : d.location.source == LocationSource::ClliLike ? Component::ClliLike
                : d.location.source == LocationSource::UsState  ? Component::State
                                                                : Component::City;
            break;
        case TokenType::Unknown:
            if (!t.alpha) {
                continue;
            }
            break;
        default:
            continue;
        }
        if (c != Component::Other) {
            ++n_items;
        }
        seen[static_cast<std::size_t>(c)] = true;
        auto& table = c == Component::Word ? words : others;
        if (c == Component::Word || c == Component::Other) {
            auto& e = table[std::string(d.text(t))];
            if (e.count++ == 0) {
                e.example = d.host;
            }
        }
    }
    for (std::size_t i = 0; i < kComponents; ++i) {
        found[i] += seen[i] ? 1U : 0U;
    }
    ++items[d.items > 0 ? d.items : n_items];
    const std::string suffix(d.suffix());
    ++domains[suffix];
    if (!d.ip.empty()) {
        auto ip = IpAddress::parse(d.ip);
        if (ip) {
            const auto& b = ip->bytes();
            char buf[48];
            if (ip->is_v4()) {
                std::snprintf(buf, sizeof(buf), "%u.%u.%u.0/24", b[0], b[1], b[2]);
            } else {
                std::snprintf(buf, sizeof(buf), "%02x%02x:%02x%02x:%02x%02x::/48", b[0], b[1], b[2],
                              b[3], b[4], b[5]);
            }
            prefixes[suffix][buf] = true;
        }
    }
}

std::string Stats::to_text(std::size_t top) const {
    std::string out;
    char buf[256];
    std::snprintf(buf, sizeof(buf), "names %llu (refused %llu)\n\n%-12s %10s %8s\n",
                  static_cast<unsigned long long>(names), static_cast<unsigned long long>(refused),
                  "component", "names", "percent");
    out += buf;
    for (std::size_t i = 0; i < kComponents; ++i) {
        std::snprintf(buf, sizeof(buf), "%-12s %10llu %7.2f%%\n",
                      component_name(static_cast<Component>(i)),
                      static_cast<unsigned long long>(found[i]), pct(found[i], names));
        out += buf;
    }
    out += "\nitems per name (CDF)\n";
    std::uint64_t cum = 0;
    for (const auto& [k, v] : items) {
        cum += v;
        std::snprintf(buf, sizeof(buf), "%3d %10llu %7.2f%%\n", k,
                      static_cast<unsigned long long>(v), pct(cum, names));
        out += buf;
    }
    auto table = [&](const char* title, const auto& m) {
        out += std::string("\n") + title + "\n";
        for (const auto& [w, e] : top_of(m, top)) {
            std::snprintf(buf, sizeof(buf), "%-20s %8llu  %s\n", w.c_str(),
                          static_cast<unsigned long long>(e.count), e.example.c_str());
            out += buf;
        }
    };
    table("top dictionary words (example)", words);
    table("top others (example)", others);
    out += "\ntop registered domains (names, prefixes)\n";
    for (const auto& [dom, n] : top_of(domains, top)) {
        auto it = prefixes.find(dom);
        std::snprintf(buf, sizeof(buf), "%-30s %8llu %8zu\n", dom.c_str(),
                      static_cast<unsigned long long>(n),
                      it == prefixes.end() ? 0 : it->second.size());
        out += buf;
    }
    return out;
}

std::string Stats::to_json(std::size_t top) const {
    std::string out = "{\"names\":" + std::to_string(names) +
                      ",\"refused\":" + std::to_string(refused) + ",\"components\":[";
    char buf[64];
    for (std::size_t i = 0; i < kComponents; ++i) {
        std::snprintf(buf, sizeof(buf), "%.4f", pct(found[i], names));
        out += std::string(i > 0 ? "," : "") + "{\"component\":\"" +
               component_name(static_cast<Component>(i)) +
               "\",\"names\":" + std::to_string(found[i]) + ",\"percent\":" + buf + "}";
    }
    out += "],\"items_cdf\":[";
    std::uint64_t cum = 0;
    bool first = true;
    for (const auto& [k, v] : items) {
        cum += v;
        std::snprintf(buf, sizeof(buf), "%.4f", pct(cum, names));
        out += std::string(first ? "" : ",") + "{\"items\":" + std::to_string(k) +
               ",\"names\":" + std::to_string(v) + ",\"cumulative_percent\":" + buf + "}";
        first = false;
    }
    auto table = [&](const char* key, const auto& m) {
        out += std::string("],\"") + key + "\":[";
        bool f = true;
        for (const auto& [w, e] : top_of(m, top)) {
            out += std::string(f ? "" : ",") + "{\"token\":\"" + json_escape(w) +
                   "\",\"count\":" + std::to_string(e.count) + ",\"example\":\"" +
                   json_escape(e.example) + "\"}";
            f = false;
        }
    };
    table("words", words);
    table("others", others);
    out += "],\"domains\":[";
    first = true;
    for (const auto& [dom, n] : top_of(domains, top)) {
        auto it = prefixes.find(dom);
        out += std::string(first ? "" : ",") + "{\"domain\":\"" + json_escape(dom) +
               "\",\"names\":" + std::to_string(n) +
               ",\"prefixes\":" + std::to_string(it == prefixes.end() ? 0 : it->second.size()) +
               "}";
        first = false;
    }
    out += "]}\n";
    return out;
}

std::string Stats::to_csv(std::size_t top) const {
    std::string out = "section,key,value,extra\n";
    char buf[64];
    for (std::size_t i = 0; i < kComponents; ++i) {
        std::snprintf(buf, sizeof(buf), "%.4f", pct(found[i], names));
        out += std::string("component,") + component_name(static_cast<Component>(i)) + "," +
               std::to_string(found[i]) + "," + buf + "\n";
    }
    std::uint64_t cum = 0;
    for (const auto& [k, v] : items) {
        cum += v;
        std::snprintf(buf, sizeof(buf), "%.4f", pct(cum, names));
        out += "items_cdf," + std::to_string(k) + "," + std::to_string(v) + "," + buf + "\n";
    }
    for (const auto& [w, e] : top_of(words, top)) {
        out += "word," + w + "," + std::to_string(e.count) + "," + e.example + "\n";
    }
    for (const auto& [w, e] : top_of(others, top)) {
        out += "other," + w + "," + std::to_string(e.count) + "," + e.example + "\n";
    }
    for (const auto& [dom, n] : top_of(domains, top)) {
        auto it = prefixes.find(dom);
        out += "domain," + dom + "," + std::to_string(n) + "," +
               std::to_string(it == prefixes.end() ? 0 : it->second.size()) + "\n";
    }
    return out;
}

} // namespace dg::hostnames
