// `domaingraph view as|org|prefix X`: one AS, organisation or prefix as the routing table, the
// AS-organisation data and the VRPs see it, and the domains of a stored scan behind it — the
// objects of GET /api/v1/as|org|prefix (dg::views; docs/cli/view.md).
#include "dg/bgp/table_sources.hpp"
#include "dg/cli/commands.hpp"
#include "dg/cli/exit_codes.hpp"
#include "dg/cli/org_load.hpp"
#include "dg/cli/rpki_load.hpp"
#include "dg/cli/store_access.hpp"
#include "dg/views/views.hpp"

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

namespace dg::cli {
namespace {

struct ViewOptions {
    std::string kind; ///< as, org, prefix
    std::string what;
    std::string rib;
    std::string policy = "default";
    std::string as2org;
    VrpOptions vrps;
    std::string db;
    std::string scan;
    std::size_t limit = 20;
    bool json = false;
    bool no_scan = false;
};

using nlohmann::json;

std::string text(const json& v) {
    return v.is_null() ? "-" : v.is_string() ? v.get<std::string>() : v.dump();
}

void line(std::string& out, std::string_view label, const std::string& value) {
    constexpr std::size_t kLabelWidth = 15;
    out += "  ";
    out += label;
    out += std::string(kLabelWidth > label.size() ? kLabelWidth - label.size() : 1, ' ');
    out += value;
    out += '\n';
}

void routes_text(std::string& out, const json& routes, const char* label) {
    if (!routes.is_object()) {
        return;
    }
    std::string head = text(routes["total"]) + " prefixes";
    if (routes.contains("ipv4")) {
        head += " (" + text(routes["ipv4"]) + " IPv4, " + text(routes["ipv6"]) + " IPv6)";
    }
    if (routes["rpki"].is_object()) {
        head += "; RPKI " + text(routes["rpki"]["valid"]) + " valid, " +
                text(routes["rpki"]["invalid"]) + " invalid, " + text(routes["rpki"]["not_found"]) +
                " not-found";
    }
    line(out, label, head);
    for (const auto& r : routes["prefixes"]) {
        std::string origins;
        for (const auto& o : r["origins"]) {
            origins += (origins.empty() ? "AS" : ",AS") + o.dump();
        }
        std::string row = "    " + text(r["prefix"]) + "  " + origins;
        if (r.contains("rpki")) {
            row += "  " + text(r["rpki"]) +
                   (r["rpki_reason"].is_null() ? "" : " (" + text(r["rpki_reason"]) + ")");
        }
        out += row + '\n';
    }
}

void scan_text(std::string& out, const json& scan) {
    if (scan.is_null()) {
        line(out, "scan", "none stored");
        return;
    }
    std::string head = "scan " + text(scan["id"]) + ": " + text(scan["domains_total"]) + " domains";
    const json& roles =
        scan.contains("roles") && scan["roles"].contains("web") ? scan["roles"] : json();
    if (roles.is_object()) {
        head += " (" + text(roles["web"]) + " by their own addresses, " + text(roles["ns"]) +
                " by a name server, " + text(roles["mx"]) + " by a mail host)";
    }
    line(out, "domains", head);
    const json& list = scan["roles"].is_object() && scan["roles"].contains("domains")
                           ? scan["roles"]["domains"]
                           : scan["domains"];
    for (const auto& d : list) {
        if (d.is_string()) {
            out += "    " + d.get<std::string>() + '\n';
            continue;
        }
        std::string roles_text;
        for (const auto& r : d["roles"]) {
            roles_text += (roles_text.empty() ? "" : ",") + r.get<std::string>();
        }
        out += "    " + text(d["domain"]) + "  " + roles_text + '\n';
    }
}

std::string view_text(const ViewOptions& o, const json& v) {
    std::string out;
    if (o.kind == "as") {
        out += "AS" + text(v["asn"]) + (v["name"].is_null() ? "" : " " + text(v["name"])) + '\n';
        const json& org = v["org"];
        line(out, "organisation",
             org.is_null() ? "-" : text(org["name"]) + " (" + text(org["id"]) + ")");
        line(out, "country", text(v["country"]));
        line(out, "registry", text(v["registry"]));
        std::string siblings;
        for (const auto& s : v["siblings"]) {
            siblings += (siblings.empty() ? "AS" : ", AS") + s["asn"].dump();
        }
        line(out, "siblings", siblings.empty() ? "-" : siblings);
        routes_text(out, v["routes"], "routes");
    } else if (o.kind == "org") {
        out += text(v["name"]) + " (" + text(v["id"]) + ")\n";
        line(out, "country", text(v["country"]));
        line(out, "registry", text(v["source"]));
        for (const auto& a : v["ases"]) {
            out += "    AS" + a["asn"].dump() + "  " + text(a["name"]) + "  routes " +
                   text(a["routes"]) + "  domains " + text(a["domains"]) + '\n';
        }
    } else {
        out += text(v["prefix"]) + '\n';
        auto one = [&](const char* label, const json& r) {
            if (r.is_null()) {
                line(out, label, "-");
                return;
            }
            std::string origins;
            for (const auto& a : r["origins"]) {
                origins += (origins.empty() ? "AS" : ",AS") + a.dump();
            }
            line(out, label,
                 text(r["prefix"]) + "  " + origins +
                     (r.contains("rpki") ? "  " + text(r["rpki"]) : std::string()));
        };
        one("route", v["route"]);
        one("covering", v["covering"]);
        routes_text(out, v["more_specifics"], "more specific");
    }
    if (!o.no_scan) {
        scan_text(out, v["scan"]);
    }
    return out;
}

int run_view(const ViewOptions& o) {
    constexpr const char* kName = "view";
    views::Sources sources;
    std::optional<bgp::IpAsnSource> table;
    if (!o.rib.empty()) {
        auto policy = bgp::parse_policy(o.policy);
        if (!policy) {
            return report_error(kName, policy.error());
        }
        bgp::SourceOptions so;
        so.policy = *policy;
        auto opened = bgp::IpAsnSource::open(o.rib, so);
        if (!opened) {
            std::fprintf(stderr, "domaingraph view: routing table: %s\n",
                         opened.error().to_string().c_str());
            return kExitFailure;
        }
        table.emplace(std::move(*opened));
        sources.table = &*table;
    }
    std::optional<org::OrgTable> orgs;
    if (!load_org_table(o.as2org, "domaingraph view", orgs)) {
        return kExitFailure;
    }
    if (orgs) {
        sources.orgs = &*orgs;
        sources.as2org_path = o.as2org;
    }
    std::unique_ptr<rpki::VrpIndex> vrps;
    if (!o.vrps.path.empty()) {
        vrps = load_vrp_index(o.vrps, "domaingraph view", true);
        if (!vrps) {
            return kExitFailure;
        }
        sources.vrps = vrps.get();
    }
    std::unique_ptr<store::Store> store;
    views::ScanPart part;
    part.limit = o.limit;
    if (!o.no_scan) {
        store = open_store_or_report(kName, o.db);
        if (!store) {
            return kExitFailure;
        }
        part.store = store.get();
        if (!o.scan.empty()) {
            part.ref = o.scan;
        }
    }
    Result<json> view = make_error(ErrorCode::InvalidArgument, "unknown view");
    if (o.kind == "as") {
        const auto asn = Asn::parse(o.what);
        if (!asn) {
            std::fprintf(stderr, "domaingraph view: '%s' is not an AS number (64496, AS64496)\n",
                         o.what.c_str());
            return kExitUsage;
        }
        view = views::as_view(*asn, sources, part);
    } else if (o.kind == "org") {
        view = views::org_view(o.what, sources, part);
    } else {
        const auto prefix = Prefix::parse(o.what);
        if (!prefix) {
            std::fprintf(stderr, "domaingraph view: '%s' is not a prefix: %s\n", o.what.c_str(),
                         prefix.error().message.c_str());
            return kExitUsage;
        }
        view = views::prefix_view(*prefix, sources, part);
    }
    if (!view) {
        return report_error(kName, view.error());
    }
    const std::string out = o.json
                                ? view->dump(-1, ' ', false, json::error_handler_t::replace) + "\n"
                                : view_text(o, *view);
    return write_output(kName, "-", out) ? kExitOk : kExitFailure;
}

} // namespace

void register_view_command(CLI::App& app, Runner& selected) {
    auto o = std::make_shared<ViewOptions>();
    CLI::App* cmd = app.add_subcommand(
        "view",
        "One AS, organisation or prefix: what the routing table, the AS-organisation data and the\n"
        "VRPs say about it, and the domains of a stored scan behind it (with the roles: own\n"
        "address, name server, mail host). The objects of GET /api/v1/as|org|prefix.\n"
        "Examples:\n"
        "  domaingraph view as AS64496 -m rib.gz --as2org as-org2info.txt.gz --vrps vrps.json\n"
        "  domaingraph view org ORG-EXB1-RIPE --as2org as-org2info.txt.gz -m rib.gz\n"
        "  domaingraph view prefix 192.0.2.0/24 -m rib.gz --scan 7 --json");
    cmd->add_option("kind", o->kind, "as, org or prefix")
        ->required()
        ->check(CLI::IsMember({"as", "org", "prefix"}));
    cmd->add_option("what", o->what, "AS number, organisation id or name, or prefix")->required();
    cmd->add_option("-m,--rib", o->rib,
                    "Routing table (MRT, prefix2as, pyasn .dat, cache): routes and RPKI states");
    cmd->add_option("--policy", o->policy, "Origin policy for MRT dumps: default or pyasn")
        ->capture_default_str();
    cmd->add_option("--as2org,--names", o->as2org,
                    "AS names and organisations (CAIDA, pyasn, RPSL aut-num, RIR delegation; "
                    "several separated by commas)");
    add_vrp_options(cmd, o->vrps, false);
    add_db_option(cmd, o->db);
    cmd->add_option("--scan", o->scan,
                    "Scan id or latest / previous / latest-complete (default: "
                    "latest)");
    cmd->add_flag("--no-scan", o->no_scan, "Only the table and registry data, no database");
    cmd->add_option("--limit", o->limit, "Domains and prefixes listed (the totals count all)")
        ->capture_default_str();
    cmd->add_flag("--json", o->json, "The API's JSON object on one line");
    cmd->callback([o, &selected] { selected = [o] { return run_view(*o); }; });
}

} // namespace dg::cli
