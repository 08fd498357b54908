#include "dg/analytics/geo_view.hpp"

#include "dg/analytics/report_json.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

namespace dg::analytics {
namespace {

enum : unsigned { kWeb = 1, kNs = 2, kMx = 4 };

/// One place while counting: its addresses, and per domain the roles it plays there.
struct Tally {
    GeoPlace place;
    std::unordered_set<std::string> addresses;
    std::unordered_map<std::string, unsigned> domain_roles;
    std::set<std::uint32_t> asns;
};

using PlaceKey = std::tuple<std::string, std::string, double, double>;

class GeoCounter {
public:
    explicit GeoCounter(const geo::Database* fallback) : fallback_(fallback) {}

    void add(const model::DomainResult& r) {
        for (const auto& m : r.a) {
            add(r.domain, m, kWeb);
        }
        for (const auto& m : r.aaaa) {
            add(r.domain, m, kWeb);
        }
        for (const auto& ns : r.ns) {
            for (const auto& m : ns.ips) {
                add(r.domain, m, kNs);
            }
        }
        for (const auto& mx : r.mx) {
            for (const auto& m : mx.ips) {
                add(r.domain, m, kMx);
            }
        }
    }

    GeoView finish(std::int64_t scan_id) {
        GeoView v;
        v.scan_id = scan_id;
        v.addresses = seen_.size();
        v.located = located_.size();
        v.source = stored_ > 0 ? "scan" : fallback_ != nullptr ? "database" : "none";
        std::map<std::string, Tally> by_country;
        for (auto& [key, t] : places_) {
            Tally& c = by_country[t.place.country];
            c.place.country = t.place.country;
            c.addresses.insert(t.addresses.begin(), t.addresses.end());
            for (const auto& [d, roles] : t.domain_roles) {
                c.domain_roles[d] |= roles;
            }
            c.asns.insert(t.asns.begin(), t.asns.end());
            v.places.push_back(close(t));
        }
        for (auto& [country, t] : by_country) {
            v.countries.push_back(close(t));
        }
        auto most_domains = [](const GeoPlace& x, const GeoPlace& y) {
            return std::tie(y.domains, y.addresses, x.country, x.city) <
                   std::tie(x.domains, x.addresses, y.country, y.city);
        };
        std::sort(v.places.begin(), v.places.end(), most_domains);
        std::sort(v.countries.begin(), v.countries.end(), most_domains);
        return v;
    }

private:
    void add(const std::string& domain, const model::IpMapping& m, unsigned role) {
        const std::string ip = m.ip.to_string();
        seen_.insert(ip);
        std::optional<model::GeoLocation> where = m.geo;
        if (where) {
            ++stored_;
        } else if (fallback_ != nullptr) {
            where = fallback_->locate(m.ip);
        }
        if (!where) {
            return;
        }
        located_.insert(ip);
        const PlaceKey key{where->country, where->city, where->lat.value_or(1000),
                           where->lon.value_or(1000)};
        Tally& t = places_[key];
        if (t.addresses.empty()) {
            t.place.country = where->country;
            t.place.city = where->city;
            t.place.lat = where->lat;
            t.place.lon = where->lon;
        }
        t.addresses.insert(ip);
        t.domain_roles[domain] |= role;
        if (m.asn) {
            t.asns.insert(m.asn->value());
        }
    }

    static GeoPlace close(const Tally& t) {
        GeoPlace p = t.place;
        p.addresses = t.addresses.size();
        p.domains = t.domain_roles.size();
        for (const auto& [d, roles] : t.domain_roles) {
            p.web += (roles & kWeb) != 0 ? 1U : 0U;
            p.ns += (roles & kNs) != 0 ? 1U : 0U;
            p.mx += (roles & kMx) != 0 ? 1U : 0U;
        }
        p.asns.assign(t.asns.begin(), t.asns.end());
        return p;
    }

    const geo::Database* fallback_;
    std::map<PlaceKey, Tally> places_;
    std::unordered_set<std::string> seen_;
    std::unordered_set<std::string> located_;
    std::uint64_t stored_ = 0;
};

nlohmann::ordered_json place_json(const GeoPlace& p, bool with_place) {
    nlohmann::ordered_json j;
    j["country"] = p.country.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(p.country);
    if (with_place) {
        j["city"] = p.city.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(p.city);
        j["lat"] = p.lat ? nlohmann::ordered_json(*p.lat) : nlohmann::ordered_json();
        j["lon"] = p.lon ? nlohmann::ordered_json(*p.lon) : nlohmann::ordered_json();
    }
    j["addresses"] = p.addresses;
    j["domains"] = p.domains;
    j["web"] = p.web;
    j["ns"] = p.ns;
    j["mx"] = p.mx;
    j["asns"] = p.asns;
    return j;
}

} // namespace

Result<GeoView> geo_view(store::Store& store, std::int64_t scan_id, const geo::Database* fallback) {
    DG_TRY_VOID(store.get_scan(scan_id));
    GeoCounter counter(fallback);
    DG_TRY_VOID(store.results(scan_id, store::ResultFilter{}, [&](const store::StoredResult& r) {
        counter.add(r.result);
        return true;
    }));
    return counter.finish(scan_id);
}

nlohmann::ordered_json to_json(const GeoView& v, std::size_t limit) {
    nlohmann::ordered_json places = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < v.places.size() && (limit == 0 || i < limit); ++i) {
        places.push_back(place_json(v.places[i], true));
    }
    nlohmann::ordered_json countries = nlohmann::ordered_json::array();
    for (const GeoPlace& c : v.countries) {
        countries.push_back(place_json(c, false));
    }
    nlohmann::ordered_json j;
    j["scan_id"] = v.scan_id;
    j["addresses"] = v.addresses;
    j["located"] = v.located;
    j["located_pct"] =
        v.addresses == 0
            ? 0.0
            : round_to(100.0 * static_cast<double>(v.located) / static_cast<double>(v.addresses),
                       2);
    j["source"] = v.source;
    j["places_total"] = v.places.size();
    j["places"] = std::move(places);
    j["countries"] = std::move(countries);
    return j;
}

} // namespace dg::analytics
