// domaingraph lookup -m SOURCE [IP ...]  (docs/cli/lookup.md)
#include "dg/bgp/table_sources.hpp"
#include "dg/cli/commands.hpp"
#include "dg/cli/exit_codes.hpp"
#include "dg/cli/org_load.hpp"
#include "dg/cli/rpki_load.hpp"
#include "dg/cli/stdout_buffer.hpp"
#include "dg/core/text.hpp"
#include "dg/geo/geo_db.hpp"
#include "dg/model/json.hpp"
#include "dg/org/org_table.hpp"

#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace dg::cli {
namespace {

struct LookupOptions {
    std::string source;
    std::vector<std::string> ips;
    std::string policy = "default";
    bool jsonl = false;
    bool no_cache = false;
    VrpOptions vrps;    ///< --vrps: add the RPKI state of each matched route
    std::string as2org; ///< --as2org/--names: the AS name and organisation of each origin AS
    std::string geo;    ///< --geo: a MaxMind City/Country database, where each address is
};

/// The route's origin for RFC 6811: an AS_SET origin is NONE (it cannot match a VRP).
rpki::RouteOrigin rov_origin(const bgp::Origin& o) {
    return rpki::route_origin(o);
}

/// "valid", "invalid:too-specific", ...
std::string rov_text(const rpki::Validity& v) {
    const char* reason = rpki::reason_name(v.reason);
    return std::string(rpki::state_name(v.state)) + (reason != nullptr ? ":" : "") +
           (reason != nullptr ? reason : "");
}

nlohmann::ordered_json rov_json(const rpki::Validity& v) {
    const char* reason = rpki::reason_name(v.reason);
    nlohmann::ordered_json j;
    j["state"] = rpki::state_name(v.state);
    j["reason"] = reason != nullptr ? nlohmann::ordered_json(reason) : nlohmann::ordered_json();
    return j;
}

/// "SE Linköping (58.4167,15.6167)", "US", or "-" when the database does not know the address.
std::string place_text(const std::optional<model::GeoLocation>& g) {
    if (!g) {
        return "-";
    }
    std::string out = g->country.empty() ? "-" : g->country;
    if (!g->city.empty()) {
        out += ' ';
        out += g->city;
    }
    if (g->lat && g->lon) {
        char buf[64];
        std::snprintf(buf, sizeof buf, " (%.4f,%.4f)", *g->lat, *g->lon);
        out += buf;
    }
    return out;
}

class Answerer {
public:
    Answerer(const bgp::IpAsnSource& source, bool jsonl, const rpki::VrpIndex* vrps,
             const org::OrgTable* orgs, const geo::Database* geo)
        : source_(source), jsonl_(jsonl), vrps_(vrps), orgs_(orgs), geo_(geo) {}
    ~Answerer() { flush(); }
    Answerer(const Answerer&) = delete;
    Answerer& operator=(const Answerer&) = delete;

    // `where` names the input position for messages ("argument 2", "stdin line 7").
    void answer(std::string_view text, const std::string& where) {
        auto ip = IpAddress::parse(text);
        if (!ip) {
            std::fprintf(stderr, "domaingraph lookup: %s: invalid IP address '%.*s'\n",
                         where.c_str(), static_cast<int>(text.size()), text.data());
            emit(text, std::nullopt, true, std::nullopt);
            return;
        }
        emit(text, source_.lookup(*ip), false,
             geo_ != nullptr ? geo_->locate(*ip) : std::optional<model::GeoLocation>{});
    }
    void flush() { out_.flush(); }

private:
    void emit(std::string_view ip, const std::optional<bgp::Route>& route, bool invalid,
              const std::optional<model::GeoLocation>& where) {
        if (jsonl_) {
            nlohmann::ordered_json j;
            j["ip"] = std::string(ip);
            if (geo_ != nullptr) {
                j["geo"] = where ? nlohmann::ordered_json(model::to_json(*where))
                                 : nlohmann::ordered_json();
            }
            if (route) {
                j["prefix"] = route->prefix.to_string();
                j["asn"] = route->origins.front().asn;
                auto origins = nlohmann::ordered_json::array();
                auto peers = nlohmann::ordered_json::array();
                bool as_set = false;
                for (const auto& o : route->origins) {
                    origins.push_back(o.asn);
                    peers.push_back(o.peers);
                    as_set = as_set || o.as_set();
                }
                j["origins"] = origins;
                j["peers"] = peers;
                j["as_set"] = as_set;
                if (orgs_ != nullptr) {
                    add_names(j, Asn(route->origins.front().asn));
                }
                if (vrps_ != nullptr) {
                    // RFC 6811 state of the route (the matched prefix, its first origin); every
                    // origin's when the prefix has several (MOAS).
                    j["rpki"] = rov_json(
                        vrps_->validate(route->prefix, rov_origin(route->origins.front())));
                    if (route->origins.size() > 1) {
                        auto all = nlohmann::ordered_json::array();
                        for (const auto& o : route->origins) {
                            auto one = rov_json(vrps_->validate(route->prefix, rov_origin(o)));
                            one["origin"] = o.asn;
                            all.push_back(std::move(one));
                        }
                        j["rpki_origins"] = std::move(all);
                    }
                }
            } else {
                j["prefix"] = nullptr;
                j["asn"] = nullptr;
                j["origins"] = nlohmann::ordered_json::array();
                j["as_set"] = false;
                if (orgs_ != nullptr) {
                    j["as_name"] = nullptr;
                    j["org"] = nullptr;
                    j["country"] = nullptr;
                }
                if (vrps_ != nullptr) {
                    j["rpki"] = nullptr;
                }
                if (invalid) {
                    j["error"] = "invalid IP address";
                }
            }
            out_.text() += j.dump();
            out_.text() += '\n';
        } else {
            out_.text() += ip;
            if (route) {
                out_.text() += '\t';
                out_.text() += route->prefix.to_string();
                out_.text() += '\t';
                for (std::size_t i = 0; i < route->origins.size(); ++i) {
                    if (i > 0) {
                        out_.text() += ',';
                    }
                    out_.text() += std::to_string(route->origins[i].asn);
                }
                if (orgs_ != nullptr) {
                    const org::Organisation* o = orgs_->org_of(Asn(route->origins.front().asn));
                    out_.text() += '\t';
                    out_.text() += o != nullptr && !o->name.empty() ? o->name : "-";
                }
                if (vrps_ != nullptr) {
                    out_.text() += '\t';
                    for (std::size_t i = 0; i < route->origins.size(); ++i) {
                        out_.text() += i > 0 ? "," : "";
                        out_.text() +=
                            rov_text(vrps_->validate(route->prefix, rov_origin(route->origins[i])));
                    }
                }
            } else {
                out_.text() += "\t-\t-";
                out_.text() += orgs_ != nullptr ? "\t-" : "";
                out_.text() += vrps_ != nullptr ? "\t-" : "";
            }
            if (geo_ != nullptr) {
                out_.text() += '\t';
                out_.text() += place_text(where);
            }
            out_.text() += '\n';
        }
        out_.maybe_flush();
    }
    /// "as_name", "org", "country" of the primary origin (null when the file does not know it).
    void add_names(nlohmann::ordered_json& j, Asn asn) const {
        const org::AsOrg* as = orgs_->as_of(asn);
        const org::Organisation* o = orgs_->org_of(asn);
        auto text = [](std::string_view v) {
            return v.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(std::string(v));
        };
        j["as_name"] = as != nullptr ? text(as->name) : nlohmann::ordered_json();
        j["org"] = o != nullptr ? text(o->name) : nlohmann::ordered_json();
        j["country"] = text(orgs_->country_of(asn));
    }

    const bgp::IpAsnSource& source_;
    bool jsonl_;
    const rpki::VrpIndex* vrps_; ///< nullptr: no --vrps
    const org::OrgTable* orgs_;  ///< nullptr: no --as2org
    const geo::Database* geo_;   ///< nullptr: no --geo
    StdoutBuffer out_;
};

int run_lookup(const LookupOptions& opts) {
    auto policy = bgp::parse_policy(opts.policy);
    if (!policy) {
        std::fprintf(stderr, "domaingraph lookup: %s\n", policy.error().to_string().c_str());
        return kExitUsage;
    }
    bgp::SourceOptions so;
    so.policy = *policy;
    so.use_cache = !opts.no_cache;
    auto source = bgp::IpAsnSource::open(opts.source, so);
    if (!source) {
        std::fprintf(stderr, "domaingraph lookup: cannot load %s: %s\n", opts.source.c_str(),
                     source.error().to_string().c_str());
        return kExitFailure;
    }
    std::unique_ptr<rpki::VrpIndex> vrps;
    if (!opts.vrps.path.empty()) {
        vrps = load_vrp_index(opts.vrps, "domaingraph lookup");
        if (!vrps) {
            return kExitFailure;
        }
    }
    std::optional<org::OrgTable> orgs;
    if (!load_org_table(opts.as2org, "domaingraph lookup", orgs)) {
        return kExitFailure;
    }
    std::optional<geo::Database> geo;
    if (!opts.geo.empty()) {
        auto opened = geo::Database::open(opts.geo);
        if (!opened) {
            std::fprintf(stderr, "domaingraph lookup: geo: %s\n",
                         opened.error().to_string().c_str());
            return kExitUsage;
        }
        geo.emplace(std::move(*opened));
    }
    Answerer answerer(*source, opts.jsonl, vrps.get(), orgs ? &*orgs : nullptr,
                      geo ? &*geo : nullptr);
    if (!opts.ips.empty()) {
        for (std::size_t i = 0; i < opts.ips.size(); ++i) {
            answerer.answer(trim(opts.ips[i]), "argument " + std::to_string(i + 1));
        }
        return kExitOk;
    }
    std::string line;
    std::uint64_t number = 0;
    while (std::getline(std::cin, line)) {
        ++number;
        const std::string_view text = trim(line);
        if (text.empty() || text.front() == '#') {
            continue;
        }
        answerer.answer(text, "stdin line " + std::to_string(number));
    }
    return kExitOk;
}

} // namespace

void register_lookup_command(CLI::App& app, Runner& selected) {
    auto opts = std::make_shared<LookupOptions>();
    CLI::App* cmd = app.add_subcommand(
        "lookup",
        "Map IP addresses to their longest matching prefix and origin AS(es).\n"
        "Output: ip<TAB>prefix<TAB>asn (MOAS origins joined with ',', most peers first; '-' when\n"
        "unrouted or invalid). IPs come from the arguments, or from stdin one per line.\n"
        "SOURCE: an MRT RIB dump (its table is cached, keyed by content), a cached table file,\n"
        "a CAIDA prefix2as file, a pyasn .dat file or a MaxMind GeoLite2-ASN .mmdb.\n"
        "Examples:\n"
        "  domaingraph lookup -m rib.20240101.0000.bz2 192.0.2.1 2001:db8::1\n"
        "  domaingraph lookup -m ipasn.dat --jsonl < ips.txt\n"
        "With --vrps, each matched route (prefix, origin) also gets its RPKI state (RFC 6811):\n"
        "a 4th column valid | invalid:too-specific | invalid:wrong-origin | not-found (one per\n"
        "origin), or \"rpki\":{\"state\",\"reason\"} in JSON (see 'domaingraph rpki validate').\n"
        "  domaingraph lookup -m rib.bz2 --vrps /var/lib/rpki-client/json 192.0.2.1");
    cmd->add_option("-m,--source", opts->source, "The prefix table source")->required();
    cmd->add_option("ips", opts->ips, "IP addresses (default: read stdin)");
    cmd->add_option("--policy", opts->policy,
                    "Origin policy for MRT dumps: default (all origins, by peers) or pyasn "
                    "(pyasn's converter, exactly)")
        ->check(CLI::IsMember({"default", "pyasn"}))
        ->capture_default_str();
    cmd->add_flag("--jsonl", opts->jsonl,
                  "One JSON object per line: ip, prefix, asn, origins, peers, as_set");
    cmd->add_flag("--no-cache", opts->no_cache, "Neither read nor write the table cache");
    add_vrp_options(cmd, opts->vrps, false);
    cmd->add_option("--as2org,--names", opts->as2org,
                    "AS names and organisations: CAIDA as-org2info (.txt/.jsonl), an `as2org "
                    "infer` output, pyasn's asnames.json, an RPSL dump of aut-num objects "
                    "(ripe.db.aut-num.gz: as-name, descr, org) or an RIR delegation file "
                    "(delegated-ripencc-extended-latest: country, holder); compressed or not. "
                    "Several files separated by commas make one table, later ones filling in "
                    "what earlier ones lack. Text output gains the organisation column, JSON "
                    "as_name, org and country");
    cmd->add_option("--geo", opts->geo,
                    "MaxMind City or Country database (GeoLite2-City.mmdb ...): text output "
                    "gains a column 'CC City (lat,lon)', JSON \"geo\": {country, city, lat, lon}");
    cmd->callback([opts, &selected] { selected = [opts] { return run_lookup(*opts); }; });
}

} // namespace dg::cli
