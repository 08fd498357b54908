#include "dg/dns/upstreams.hpp"

#include "dg/core/byte_source.hpp"
#include "dg/core/text.hpp"

#include <algorithm>
#include <charconv>

namespace dg::dns {

std::string Endpoint::to_string() const {
    if (address.is_v4()) {
        return address.to_string() + ":" + std::to_string(port);
    }
    return "[" + address.to_string() + "]:" + std::to_string(port);
}

Result<Endpoint> Endpoint::parse(std::string_view text) {
    auto bad = [&](const std::string& why) {
        return make_error(ErrorCode::InvalidArgument,
                          "bad resolver address '" + std::string(text) + "': " + why);
    };
    std::string_view host = text;
    std::string_view port_text;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos) {
            return bad("missing ']'");
        }
        host = text.substr(1, close - 1);
        const std::string_view rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') {
                return bad("expected ':PORT' after ']'");
            }
            port_text = rest.substr(1);
        }
    } else if (std::count(text.begin(), text.end(), ':') == 1) {
        const auto colon = text.find(':');
        host = text.substr(0, colon);
        port_text = text.substr(colon + 1);
    }
    auto ip = IpAddress::parse(host);
    if (!ip) {
        return bad(ip.error().message);
    }
    Endpoint e;
    e.address = *ip;
    if (!port_text.empty()) {
        unsigned value = 0;
        const auto [ptr, ec] =
            std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
        if (ec != std::errc() || ptr != port_text.data() + port_text.size() || value == 0 ||
            value > 65535) {
            return bad("port must be 1-65535");
        }
        e.port = static_cast<std::uint16_t>(value);
    }
    return e;
}

namespace {

template <class F> void for_each_line(std::string_view text, F&& f) {
    std::uint64_t line = 0;
    while (!text.empty()) {
        ++line;
        const auto nl = text.find('\n');
        f(text.substr(0, nl), line);
        if (nl == std::string_view::npos) {
            break;
        }
        text.remove_prefix(nl + 1);
    }
}

} // namespace

Result<std::vector<Endpoint>> parse_resolv_conf(std::string_view text, const std::string& source) {
    std::vector<Endpoint> out;
    for_each_line(text, [&](std::string_view line, std::uint64_t) {
        line = trim(line);
        if (line.rfind("nameserver", 0) != 0) {
            return;
        }
        std::string_view addr = trim(line.substr(10));
        addr = addr.substr(0, addr.find_first_of(" \t#;"));
        if (addr.find('%') != std::string_view::npos) {
            return;
        }
        auto ip = IpAddress::parse(addr);
        if (ip) {
            out.push_back(Endpoint{*ip, 53});
        }
    });
    if (out.empty()) {
        return make_error(ErrorCode::NotFound, "no usable 'nameserver' line").at(source);
    }
    return out;
}

Result<std::vector<Endpoint>> system_resolvers(const std::string& path) {
    DG_TRY(auto src, io::open(path));
    DG_TRY(auto bytes, io::read_all(*src));
    return parse_resolv_conf(
        std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), path);
}

Result<std::vector<Endpoint>> parse_resolver_list(std::string_view text,
                                                  const std::string& source) {
    std::vector<Endpoint> out;
    Error first;
    bool failed = false;
    for_each_line(text, [&](std::string_view line, std::uint64_t n) {
        line = trim(line.substr(0, line.find('#')));
        if (line.empty() || failed) {
            return;
        }
        auto e = Endpoint::parse(line);
        if (!e) {
            first = e.error().at(source, std::nullopt, n);
            failed = true;
            return;
        }
        out.push_back(*e);
    });
    if (failed) {
        return first;
    }
    if (out.empty()) {
        return make_error(ErrorCode::InvalidArgument, "no resolver address").at(source);
    }
    return out;
}

} // namespace dg::dns
