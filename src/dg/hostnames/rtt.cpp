#include "dg/hostnames/rtt.hpp"

#include "dg/core/text.hpp"
#include "dg/hostnames/geo_validation.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

namespace dg::hostnames {
namespace {

std::vector<std::string_view> fields(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) {
            ++i;
        }
        const std::size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') {
            ++i;
        }
        if (i > start) {
            out.push_back(line.substr(start, i - start));
        }
    }
    return out;
}

std::optional<double> number(std::string_view s) {
    double v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size()) {
        return std::nullopt;
    }
    return v;
}

/// Calls f(line, number) for each line of `path`.
template <class F> Result<void> each_line(const std::string& path, F&& f) {
    std::ifstream in(path);
    if (!in) {
        return make_error(ErrorCode::NotFound, "cannot read the file").at(path);
    }
    std::string line;
    std::uint64_t n = 0;
    while (std::getline(in, line)) {
        ++n;
        DG_TRY_VOID(f(trim(line), n));
    }
    return ok();
}

} // namespace

Result<RttConstraints> RttConstraints::load(const std::string& rtts, const std::string& vps) {
    RttConstraints c;
    std::map<std::string, std::uint32_t, std::less<>> index;
    DG_TRY_VOID(each_line(vps, [&](std::string_view line, std::uint64_t n) -> Result<void> {
        const auto f = fields(line);
        if (f.empty() || f[0] != "vp") {
            return ok(); // iata/city hints of the same file
        }
        const auto lat = f.size() >= 4 ? number(f[2]) : std::nullopt;
        const auto lon = f.size() >= 4 ? number(f[3]) : std::nullopt;
        if (!lat || !lon || *lat < -90 || *lat > 90 || *lon < -180 || *lon > 180) {
            return make_error(ErrorCode::Malformed, "expected 'vp NAME lat lng'").at(vps, {}, n);
        }
        index[std::string(f[1])] = static_cast<std::uint32_t>(c.vps_.size());
        c.vps_.push_back({std::string(f[1]), *lat, *lon});
        return ok();
    }));
    DG_TRY_VOID(each_line(rtts, [&](std::string_view line, std::uint64_t n) -> Result<void> {
        if (line.empty() || line.front() == '#') {
            return ok();
        }
        const auto f = fields(line);
        std::uint64_t node = 0;
        const bool node_ok =
            f.size() == 3 && f[0].size() > 1 && f[0][0] == 'N' &&
            std::from_chars(f[0].data() + 1, f[0].data() + f[0].size(), node).ec == std::errc();
        const auto ms = f.size() == 3 ? number(f[2]) : std::nullopt;
        if (!node_ok || !ms || *ms < 0) {
            return make_error(ErrorCode::Malformed, "expected 'N<node> VP ms'").at(rtts, {}, n);
        }
        const auto vp = index.find(f[1]);
        if (vp == index.end()) {
            return make_error(ErrorCode::Malformed,
                              "vantage point '" + std::string(f[1]) + "' has no location in " + vps)
                .at(rtts, {}, n);
        }
        auto& list = c.by_node_[node];
        auto it = std::find_if(list.begin(), list.end(),
                               [&](const Rtt& r) { return r.vp == vp->second; });
        if (it == list.end()) {
            list.push_back({vp->second, *ms});
        } else {
            it->ms = std::min(it->ms, *ms);
        }
        return ok();
    }));
    return c;
}

bool RttConstraints::apply(std::uint64_t node, Decoded& d) const {
    if (!d.has_location || !d.location.has_coordinates) {
        return false;
    }
    const auto it = by_node_.find(node);
    if (it == by_node_.end()) {
        return false;
    }
    for (const Rtt& r : it->second) {
        const Vp& vp = vps_[r.vp];
        const double km = distance_km(vp.lat, vp.lon, d.location.lat, d.location.lon);
        if (km > r.ms * kKmPerMs) {
            char buf[160];
            std::snprintf(buf, sizeof buf, "%.*s is %.0f km from %s, which reached it in %g ms",
                          static_cast<int>(d.location.city.size()), d.location.city.data(), km,
                          vp.name.c_str(), r.ms);
            d.location_ruled_out = buf;
            d.has_location = false;
            return true;
        }
    }
    return false;
}

} // namespace dg::hostnames
