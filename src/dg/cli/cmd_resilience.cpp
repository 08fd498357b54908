// domaingraph resilience paths|fail|sweep  (docs/cli/resilience.md)
#include "dg/cli/commands.hpp"
#include "dg/cli/exit_codes.hpp"
#include "dg/cli/scan_ref.hpp"
#include "dg/cli/stdout_buffer.hpp"
#include "dg/core/asn.hpp"
#include "dg/core/output_file.hpp"
#include "dg/core/progress.hpp"
#include "dg/core/text.hpp"
#include "dg/export/graph.hpp"
#include "dg/resilience/analysis.hpp"
#include "dg/resilience/as_graph.hpp"
#include "dg/resilience/report.hpp"
#include "dg/resilience/sweep.hpp"
#include "dg/store/store.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace dg::cli {
namespace {

using resilience::AsGraph;
using resilience::Failure;
using resilience::kUnreachable;
using Json = nlohmann::ordered_json;

struct Options {
    std::string rel;
    std::string ixp;
    std::string sources;
    std::string targets;
    std::string domains;
    std::string scan;
    std::string db;
    std::string model = "shortest";
    std::string peer_mode = "one";
    std::uint32_t max_hops = 0; ///< 0 = none
    bool as_paper = false;
    bool json = false;
    bool allow_cycles = false;
    std::string dist_tsv;
    unsigned threads = 0;
    // fail
    std::string fail_as;
    std::string fail_link;
    std::string fail_ixp;
    std::string ixp_fail_mode = "members";
    // sweep
    std::string sweep_as;
    std::string sweep_link;
    std::string sweep_ixp;
    bool all_sources = false;
    std::size_t top = 10;
    // report
    std::string output;
    // explicitly given (for --as-paper)
    CLI::Option* peer_opt = nullptr;
    CLI::Option* hops_opt = nullptr;
    CLI::Option* model_opt = nullptr;
};

int fail_with(const char* cmd, const Error& e) {
    std::fprintf(stderr, "domaingraph resilience %s: %s\n", cmd, e.to_string().c_str());
    return e.code == ErrorCode::InvalidArgument ? kExitUsage : kExitFailure;
}

Error usage(std::string message) {
    return make_error(ErrorCode::InvalidArgument, std::move(message));
}

/// "1,2,AS3" or a file of ASNs (resilience::parse_asn_list).
Result<std::vector<std::uint32_t>> asn_list(const std::string& value, const char* what) {
    return resilience::parse_asn_list(value, what);
}

/// Everything a command needs, loaded once.
struct Loaded {
    resilience::RelReport rel;
    std::optional<resilience::IxpMembership> ixp;
    resilience::MeshReport mesh;
    std::unique_ptr<AsGraph> graph;
    resilience::PathParams params;
    resilience::Model model = resilience::Model::Shortest;
    std::vector<std::uint32_t> sources; ///< dense ids, in the order given
    std::vector<std::uint32_t> sources_missing;
    std::optional<resilience::DomainList> domain_list;
    std::optional<resilience::DomainIndex> domains;
    resilience::Targets targets;
    std::string targets_kind;
    std::vector<std::uint32_t> cycle;
    double load_seconds = 0;
    // --scan
    std::int64_t scan_id = 0;
    std::uint64_t scan_domains_without_ns_as = 0;
    std::uint64_t scan_moas_domains = 0;
};

/// Domains and their name-server ASes from a stored scan (resilience::domains_of_scan).
Result<resilience::DomainList> domains_from_scan(const Options& o, Loaded& l) {
    DG_TRY(auto store, store::Store::open(o.db));
    DG_TRY(l.scan_id, resolve_scan_ref(*store, o.scan));
    DG_TRY(auto found, resilience::domains_of_scan(*store, l.scan_id));
    l.scan_domains_without_ns_as = found.without_ns_as;
    l.scan_moas_domains = found.moas;
    return std::move(found.list);
}

double since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

Result<Loaded> load(Options& o) {
    const auto t0 = std::chrono::steady_clock::now();
    Loaded l;
    if (o.as_paper) {
        if (o.model_opt->count() == 0) {
            o.model = "shortest";
        }
        if (o.peer_opt->count() == 0) {
            o.peer_mode = "many";
        }
        if (o.hops_opt->count() == 0) {
            o.max_hops = 19;
        }
        if (o.ixp.empty()) {
            std::fputs("domaingraph resilience: --as-paper without --ixp: the paper meshed every "
                       "IXP's members\n",
                       stderr);
        }
    }
    l.model = o.model == "tree" ? resilience::Model::Tree : resilience::Model::Shortest;
    l.params.peer_mode =
        o.peer_mode == "many" ? resilience::PeerMode::Many : resilience::PeerMode::One;
    l.params.max_hops = o.max_hops == 0 ? resilience::kNoHopLimit : o.max_hops;
    if (l.model == resilience::Model::Tree && l.params.peer_mode == resilience::PeerMode::Many) {
        return usage("--model tree is Gao-Rexford routing (one peer edge); use --peer-mode one");
    }
    DG_TRY(auto edges, resilience::read_as_rel(o.rel, &l.rel));
    if (!o.ixp.empty()) {
        DG_TRY(auto m, resilience::read_ixp(o.ixp));
        l.ixp = std::move(m);
    }
    l.graph = std::make_unique<AsGraph>(
        AsGraph::build(edges, l.ixp ? &*l.ixp : nullptr, l.ixp ? &l.mesh : nullptr));
    const AsGraph& g = *l.graph;
    l.cycle = g.provider_cycle();
    if (!l.cycle.empty()) {
        std::string text;
        for (const std::uint32_t a : l.cycle) {
            text += (text.empty() ? "" : " -> ") + std::to_string(a);
        }
        std::fprintf(stderr, "domaingraph resilience: %s: provider cycle %s\n", o.rel.c_str(),
                     text.c_str());
        if (l.model == resilience::Model::Tree && !o.allow_cycles) {
            return make_error(ErrorCode::Malformed,
                              "provider cycle (" + text +
                                  "): --model tree refuses it unless --allow-provider-cycles")
                .at(o.rel);
        }
    }
    if (o.sources.empty()) {
        return usage("--sources is required (resolver ASes: a list or a file)");
    }
    DG_TRY(auto src, asn_list(o.sources, "--sources"));
    std::vector<std::uint32_t> seen;
    for (const std::uint32_t asn : src) {
        if (std::find(seen.begin(), seen.end(), asn) != seen.end()) {
            continue;
        }
        seen.push_back(asn);
        const auto id = g.id_of(asn);
        if (id) {
            l.sources.push_back(*id);
        } else {
            l.sources_missing.push_back(asn);
        }
    }
    if (!o.domains.empty() && !o.scan.empty()) {
        return usage("--domains and --scan exclude each other");
    }
    if (!o.domains.empty()) {
        DG_TRY(auto d, resilience::read_domains(o.domains));
        l.domains = resilience::index_domains(g, d);
        l.domain_list = std::move(d);
    } else if (!o.scan.empty()) {
        DG_TRY(auto d, domains_from_scan(o, l));
        l.domains = resilience::index_domains(g, d);
        l.domain_list = std::move(d);
    }
    std::string t = o.targets.empty() ? (l.domains ? "domains" : "all") : o.targets;
    if (t == "all") {
        l.targets = resilience::make_targets(g, {}, true);
        l.targets_kind = "all";
    } else if (t == "domains") {
        if (!l.domain_list) {
            return usage("--targets domains needs --domains FILE");
        }
        std::vector<std::uint32_t> asns;
        for (const auto& list : l.domain_list->asns) {
            asns.insert(asns.end(), list.begin(), list.end());
        }
        l.targets = resilience::make_targets(g, asns, false);
        l.targets_kind = "domains";
    } else {
        DG_TRY(auto asns, asn_list(t, "--targets"));
        l.targets = resilience::make_targets(g, asns, false);
        l.targets_kind = std::filesystem::exists(t) ? "file" : "list";
    }
    if (l.domains && l.targets_kind != "domains" && l.targets_kind != "all") {
        std::fputs("domaingraph resilience: --domains with other targets: only the domains' ASes "
                   "among the targets count\n",
                   stderr);
    }
    for (const std::uint32_t asn : l.sources_missing) {
        std::fprintf(stderr, "domaingraph resilience: source AS%u is not in the graph\n", asn);
    }
    if (l.targets.not_in_graph > 0) {
        std::fprintf(stderr, "domaingraph resilience: %llu target ASes are not in the graph\n",
                     static_cast<unsigned long long>(l.targets.not_in_graph));
    }
    l.load_seconds = since(t0);
    return l;
}

Json graph_json(const Options& o, const Loaded& l) {
    const AsGraph& g = *l.graph;
    Json j;
    j["rel_file"] = o.rel;
    j["serial"] = l.rel.serial;
    j["ases"] = g.size();
    j["links"] = g.links().size();
    j["p2c"] = g.count(resilience::Rel::P2C);
    j["p2p"] = g.count(resilience::Rel::P2P);
    j["s2s"] = g.count(resilience::Rel::S2S);
    j["duplicates_skipped"] = l.rel.duplicates;
    if (l.ixp) {
        j["ixp_file"] = o.ixp;
        j["ixp_format"] = l.ixp->format;
        j["ixps"] = l.mesh.ixps;
        j["ixp_links_added"] = l.mesh.links_added;
        j["ixp_pairs_existing"] = l.mesh.pairs_existing;
        j["ixp_members_skipped"] = l.mesh.members_skipped;
        j["ixp_lines_skipped"] = l.ixp->skipped_lines;
    } else {
        j["ixp_file"] = nullptr;
    }
    if (l.cycle.empty()) {
        j["provider_cycle"] = nullptr;
    } else {
        j["provider_cycle"] = l.cycle;
    }
    return j;
}

Json params_json(const Options& o, const Loaded& l) {
    Json j;
    j["model"] = l.model == resilience::Model::Tree ? "tree" : "shortest";
    j["peer_mode"] = l.params.peer_mode == resilience::PeerMode::One ? "one" : "many";
    j["max_hops"] =
        l.params.max_hops == resilience::kNoHopLimit ? Json(nullptr) : Json(l.params.max_hops);
    j["as_paper"] = o.as_paper;
    j["targets"] = l.targets_kind;
    j["target_count"] = l.targets.ids.size();
    j["include_self"] = true;
    j["tie_break"] = l.model == resilience::Model::Tree
                         ? "customer > peer > provider route, shorter, lowest next-hop ASN"
                         : "none needed (lengths and reachability are tie-independent)";
    if (l.scan_id != 0) {
        j["scan_id"] = l.scan_id;
        j["scan_domains_without_ns_as"] = l.scan_domains_without_ns_as;
        j["scan_moas_domains"] = l.scan_moas_domains;
    }
    if (l.domains) {
        j["domains_file"] = o.domains.empty() ? Json(nullptr) : Json(o.domains);
        j["domains"] = l.domain_list->names.size();
        j["domains_without_graph_as"] = l.domains->without_graph_as;
        j["domain_asns_not_in_graph"] = l.domains->asns_not_in_graph;
    }
    return j;
}

Json asn_array(const AsGraph& g, const std::vector<std::uint32_t>& ids) {
    Json a = Json::array();
    for (const std::uint32_t v : ids) {
        a.push_back(g.asn(v));
    }
    return a;
}

Json baseline_json(const Loaded& l, const std::vector<resilience::SourceSummary>& sums) {
    const AsGraph& g = *l.graph;
    Json per = Json::array();
    for (const auto& s : sums) {
        Json j;
        j["source"] = g.asn(s.source);
        j["targets"] = s.targets;
        j["reachable"] = s.reachable;
        j["unreachable_count"] = s.unreachable.size();
        j["unreachable"] = asn_array(g, s.unreachable);
        j["mean_len"] = s.mean_len;
        j["weighted_mean_len"] = s.weighted_mean_len ? Json(*s.weighted_mean_len) : Json(nullptr);
        j["max_len"] = s.max_len;
        Json hist = Json::object();
        for (const auto& [len, n] : s.hist) {
            hist[std::to_string(len)] = n;
        }
        j["hist"] = std::move(hist);
        j["dist_sha256"] = s.dist_sha256;
        if (s.unreachable_domains) {
            j["unreachable_domains"] = *s.unreachable_domains;
        }
        per.push_back(std::move(j));
    }
    Json b;
    b["per_source"] = std::move(per);
    b["mu_path"] = resilience::mu_path(sums, l.domains.has_value());
    return b;
}

Json head_json(const Options& o, const Loaded& l) {
    Json j;
    j["graph"] = graph_json(o, l);
    j["params"] = params_json(o, l);
    j["sources_not_in_graph"] = l.sources_missing;
    j["targets_not_in_graph"] = l.targets.not_in_graph;
    return j;
}

bool write_dist_tsv(const std::string& path, const Loaded& l,
                    const std::vector<std::vector<std::uint16_t>>& dist) {
    std::string text;
    for (std::size_t i = 0; i < l.sources.size(); ++i) {
        const std::string src = std::to_string(l.graph->asn(l.sources[i]));
        for (const std::uint32_t v : l.targets.ids) {
            if (dist[i][v] != kUnreachable) {
                text += src;
                text += '\t';
                text += std::to_string(l.graph->asn(v));
                text += '\t';
                text += std::to_string(dist[i][v]);
                text += '\n';
            }
        }
    }
    if (auto w = write_output_file(path, text); !w) {
        std::fprintf(stderr, "domaingraph resilience: cannot write %s: %s\n", path.c_str(),
                     w.error().message.c_str());
        return false;
    }
    return true;
}

void print_text_baseline(const Loaded& l, const std::vector<resilience::SourceSummary>& sums) {
    const AsGraph& g = *l.graph;
    std::printf("graph: %u ASes, %zu links (%llu added by the IXP mesh)\n", g.size(),
                g.links().size(), static_cast<unsigned long long>(l.mesh.links_added));
    std::printf("%-10s %8s %10s %12s %10s %10s %8s\n", "source", "targets", "reachable",
                "unreachable", "mean_len", "wmean_len", "max_len");
    for (const auto& s : sums) {
        std::printf("AS%-8u %8llu %10llu %12zu %10.3f %10s %8u\n", g.asn(s.source),
                    static_cast<unsigned long long>(s.targets),
                    static_cast<unsigned long long>(s.reachable), s.unreachable.size(), s.mean_len,
                    s.weighted_mean_len ? fmt::format("{:.3f}", *s.weighted_mean_len).c_str() : "-",
                    s.max_len);
    }
    std::printf("mu_path %.3f\n", resilience::mu_path(sums, l.domains.has_value()));
}

std::vector<resilience::SourceSummary> summaries(const Loaded& l,
                                                 const std::vector<std::vector<std::uint16_t>>& d) {
    std::vector<resilience::SourceSummary> out;
    for (std::size_t i = 0; i < l.sources.size(); ++i) {
        out.push_back(resilience::summarize(*l.graph, l.sources[i], d[i], l.targets,
                                            l.domains ? &*l.domains : nullptr));
    }
    return out;
}

int run_paths(Options& o) {
    auto loaded = load(o);
    if (!loaded) {
        return fail_with("paths", loaded.error());
    }
    Loaded& l = *loaded;
    const auto t0 = std::chrono::steady_clock::now();
    const auto dist =
        resilience::compute_distances(*l.graph, l.model, l.params, l.sources, l.targets, nullptr);
    const auto sums = summaries(l, dist);
    const double baseline_seconds = since(t0);
    if (!o.dist_tsv.empty() && !write_dist_tsv(o.dist_tsv, l, dist)) {
        return kExitFailure;
    }
    if (!o.json) {
        print_text_baseline(l, sums);
        return kExitOk;
    }
    Json j = head_json(o, l);
    j["baseline"] = baseline_json(l, sums);
    j["seconds"] = {{"load", l.load_seconds}, {"baseline", baseline_seconds}};
    std::puts(j.dump().c_str());
    return kExitOk;
}

Result<std::uint32_t> graph_id(const AsGraph& g, std::uint32_t asn) {
    const auto id = g.id_of(asn);
    if (!id) {
        return usage("AS" + std::to_string(asn) + " is not in the graph");
    }
    return *id;
}

Result<std::uint32_t> parse_link(const AsGraph& g, std::string_view text) {
    const std::size_t dash = text.find('-');
    if (dash == std::string_view::npos) {
        return usage("link '" + std::string(text) + "': expected A-B");
    }
    auto a = Asn::parse(trim(text.substr(0, dash)));
    auto b = Asn::parse(trim(text.substr(dash + 1)));
    if (!a || !b) {
        return usage("link '" + std::string(text) + "': expected A-B (AS numbers)");
    }
    DG_TRY(auto x, graph_id(g, a->value()));
    DG_TRY(auto y, graph_id(g, b->value()));
    const auto link = g.link_between(x, y);
    if (!link) {
        return usage("no link AS" + std::to_string(a->value()) + "-AS" +
                     std::to_string(b->value()) + " in the graph");
    }
    return *link;
}

using resilience::link_name;

std::vector<std::string> split_commas(const std::string& s) {
    std::vector<std::string> out;
    std::string cur;
    for (const char c : s) {
        if (c == ',') {
            out.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    out.push_back(cur);
    return out;
}

resilience::IxpFailMode fail_mode(const Options& o) {
    return o.ixp_fail_mode == "exclusive" ? resilience::IxpFailMode::Exclusive
                                          : resilience::IxpFailMode::Members;
}

Json scenario_json(const Loaded& l, const resilience::ScenarioSummary& s, bool all_sources) {
    const AsGraph& g = *l.graph;
    Json per = Json::array();
    for (const auto& ps : s.per_source) {
        if (!all_sources && !ps.source_failed && ps.newly_unreachable.empty() &&
            ps.dist_changed == 0) {
            continue;
        }
        Json j;
        j["source"] = g.asn(ps.source);
        if (ps.source_failed) {
            j["source_failed"] = true;
        }
        j["newly_unreachable"] = asn_array(g, ps.newly_unreachable);
        j["dist_changed"] = ps.dist_changed;
        j["mean_len"] = ps.mean_len ? Json(*ps.mean_len) : Json(nullptr);
        if (l.domains) {
            j["newly_unreachable_domains"] = ps.newly_unreachable_domains;
        }
        per.push_back(std::move(j));
    }
    Json j;
    j["per_source"] = std::move(per);
    j["res"] = s.res;
    j["mu_as"] = s.mu_as;
    if (l.domains) {
        j["mu_dom"] = s.mu_dom;
    }
    j["mu_path"] = s.mu_path;
    return j;
}

int run_fail(Options& o) {
    auto loaded = load(o);
    if (!loaded) {
        return fail_with("fail", loaded.error());
    }
    Loaded& l = *loaded;
    const AsGraph& g = *l.graph;
    Failure f;
    Json what;
    if (!o.fail_as.empty()) {
        auto asns = asn_list(o.fail_as, "--fail-as");
        if (!asns) {
            return fail_with("fail", asns.error());
        }
        for (const std::uint32_t a : *asns) {
            auto id = graph_id(g, a);
            if (!id) {
                return fail_with("fail", id.error());
            }
            f.ases.push_back(*id);
        }
        what["fail_as"] = *asns;
    }
    if (!o.fail_link.empty()) {
        Json names = Json::array();
        for (const std::string& t : split_commas(o.fail_link)) {
            auto link = parse_link(g, trim(t));
            if (!link) {
                return fail_with("fail", link.error());
            }
            f.links.push_back(*link);
            names.push_back(link_name(g, *link));
        }
        what["fail_link"] = std::move(names);
    }
    if (!o.fail_ixp.empty()) {
        const auto i = g.ixp_of(o.fail_ixp);
        if (!i) {
            return fail_with("fail", usage("no IXP named '" + o.fail_ixp + "' (needs --ixp)"));
        }
        const auto links = g.ixp_failed_links(*i, fail_mode(o));
        f.links.insert(f.links.end(), links.begin(), links.end());
        what["fail_ixp"] = o.fail_ixp;
        what["ixp_fail_mode"] = o.ixp_fail_mode;
        what["ixp_links_failed"] = links.size();
    }
    if (f.ases.empty() && f.links.empty() && o.fail_ixp.empty()) {
        return fail_with("fail", usage("give --fail-as, --fail-link or --fail-ixp"));
    }
    std::sort(f.links.begin(), f.links.end());
    f.links.erase(std::unique(f.links.begin(), f.links.end()), f.links.end());
    const auto base =
        resilience::compute_distances(g, l.model, l.params, l.sources, l.targets, nullptr);
    const auto now = resilience::compute_distances(g, l.model, l.params, l.sources, l.targets, &f);
    const auto sums = summaries(l, base);
    const auto outcomes = resilience::diff_outcomes(l.sources, base, now, l.targets, f);
    std::vector<std::uint8_t> scratch;
    const auto scen = resilience::summarize_scenario(sums, base, outcomes, f, l.targets,
                                                     l.domains ? &*l.domains : nullptr, scratch);
    if (!o.dist_tsv.empty() && !write_dist_tsv(o.dist_tsv, l, now)) {
        return kExitFailure;
    }
    if (!o.json) {
        print_text_baseline(l, sums);
        std::printf("scenario %s: %llu resolver ASes affected, mu_AS %.3f, mu_dom %.3f, mu_path "
                    "%.3f\n",
                    what.dump().c_str(), static_cast<unsigned long long>(scen.res), scen.mu_as,
                    scen.mu_dom, scen.mu_path);
        for (const auto& ps : scen.per_source) {
            std::printf("  AS%u: %s%zu newly unreachable, %llu distances changed\n",
                        g.asn(ps.source), ps.source_failed ? "(failed) " : "",
                        ps.newly_unreachable.size(),
                        static_cast<unsigned long long>(ps.dist_changed));
        }
        return kExitOk;
    }
    Json j = head_json(o, l);
    j["baseline"] = baseline_json(l, sums);
    Json sj = what;
    const Json scen_json = scenario_json(l, scen, true);
    for (const auto& [k, v] : scen_json.items()) {
        sj[k] = v;
    }
    j["scenario"] = std::move(sj);
    std::puts(j.dump().c_str());
    return kExitOk;
}

struct Ranked {
    std::string key;
    double domains = 0;
    double ases = 0;
    std::uint64_t res = 0;
};

int run_sweep(Options& o) {
    auto loaded = load(o);
    if (!loaded) {
        return fail_with("sweep", loaded.error());
    }
    Loaded& l = *loaded;
    const AsGraph& g = *l.graph;
    std::vector<Failure> scenarios;
    std::vector<std::string> keys; // JSON member text
    const int kinds = (o.sweep_as.empty() ? 0 : 1) + (o.sweep_link.empty() ? 0 : 1) +
                      (o.sweep_ixp.empty() ? 0 : 1);
    if (kinds != 1) {
        return fail_with("sweep", usage("give one of --sweep-as, --sweep-link, --sweep-ixp"));
    }
    if (!o.sweep_as.empty()) {
        std::vector<std::uint32_t> ids;
        if (o.sweep_as == "all") {
            for (std::uint32_t v = 0; v < g.size(); ++v) {
                ids.push_back(v);
            }
        } else {
            auto asns = asn_list(o.sweep_as, "--sweep-as");
            if (!asns) {
                return fail_with("sweep", asns.error());
            }
            for (const std::uint32_t a : *asns) {
                auto id = graph_id(g, a);
                if (!id) {
                    return fail_with("sweep", id.error());
                }
                ids.push_back(*id);
            }
        }
        for (const std::uint32_t v : ids) {
            scenarios.push_back(Failure{{v}, {}});
            keys.push_back("\"fail_as\":" + std::to_string(g.asn(v)));
        }
    } else if (!o.sweep_link.empty()) {
        std::vector<std::uint32_t> ids;
        if (o.sweep_link == "all") {
            for (std::uint32_t i = 0; i < g.links().size(); ++i) {
                ids.push_back(i);
            }
        } else {
            std::string list = o.sweep_link;
            std::error_code ec;
            if (std::filesystem::is_regular_file(list, ec)) {
                std::ifstream in(list);
                std::string line;
                list.clear();
                while (std::getline(in, line)) {
                    if (!trim(line).empty() && trim(line).front() != '#') {
                        list += (list.empty() ? "" : ",") + std::string(trim(line));
                    }
                }
            }
            for (const std::string& t : split_commas(list)) {
                auto link = parse_link(g, trim(t));
                if (!link) {
                    return fail_with("sweep", link.error());
                }
                ids.push_back(*link);
            }
        }
        for (const std::uint32_t i : ids) {
            scenarios.push_back(Failure{{}, {i}});
            keys.push_back("\"fail_link\":\"" + link_name(g, i) + "\"");
        }
    } else {
        if (g.ixp_count() == 0) {
            return fail_with("sweep", usage("--sweep-ixp needs --ixp FILE"));
        }
        std::vector<std::size_t> ids;
        if (o.sweep_ixp == "all") {
            for (std::size_t i = 0; i < g.ixp_count(); ++i) {
                ids.push_back(i);
            }
        } else {
            for (const std::string& name : split_commas(o.sweep_ixp)) {
                const auto i = g.ixp_of(trim(name));
                if (!i) {
                    return fail_with("sweep", usage("no IXP named '" + name + "'"));
                }
                ids.push_back(*i);
            }
        }
        for (const std::size_t i : ids) {
            scenarios.push_back(Failure{{}, g.ixp_failed_links(i, fail_mode(o))});
            keys.push_back("\"fail_ixp\":" + Json(g.ixp_name(i)).dump());
        }
    }
    const auto t0 = std::chrono::steady_clock::now();
    resilience::SweepSetup setup;
    setup.graph = &g;
    setup.model = l.model;
    setup.params = l.params;
    setup.sources = l.sources;
    setup.targets = &l.targets;
    setup.domains = l.domains ? &*l.domains : nullptr;
    setup.threads = o.threads != 0 ? o.threads : std::max(1U, std::thread::hardware_concurrency());
    resilience::Sweeper sweeper(setup);
    const double baseline_seconds = since(t0);
    StdoutBuffer out;
    Progress progress("resilience sweep", scenarios.size(), "scenarios");
    std::vector<Ranked> ranked;
    std::uint64_t with_effect = 0;
    const auto t1 = std::chrono::steady_clock::now();
    sweeper.run(
        scenarios,
        [&](std::size_t i, const resilience::ScenarioSummary& s) {
            std::string& t = out.text();
            t += '{';
            t += keys[i];
            t += ",\"per_source\":[";
            bool first = true;
            double doms = 0;
            double ases = 0;
            bool effect = false;
            for (const auto& ps : s.per_source) {
                doms += static_cast<double>(ps.newly_unreachable_domains);
                ases += static_cast<double>(ps.newly_unreachable.size());
                const bool changed = !ps.newly_unreachable.empty() || ps.dist_changed > 0;
                effect = effect || changed;
                if (!o.all_sources && !changed && !ps.source_failed) {
                    continue;
                }
                t += first ? "{" : ",{";
                first = false;
                t += "\"source\":" + std::to_string(g.asn(ps.source));
                if (ps.source_failed) {
                    t += ",\"source_failed\":true";
                }
                t += ",\"newly_unreachable\":[";
                for (std::size_t k = 0; k < ps.newly_unreachable.size(); ++k) {
                    t += (k == 0 ? "" : ",") + std::to_string(g.asn(ps.newly_unreachable[k]));
                }
                t += "],\"dist_changed\":" + std::to_string(ps.dist_changed);
                if (l.domains) {
                    t += ",\"newly_unreachable_domains\":" +
                         std::to_string(ps.newly_unreachable_domains);
                }
                t += '}';
            }
            t += "],\"res\":" + std::to_string(s.res);
            t += fmt::format(",\"mu_as\":{}", s.mu_as);
            if (l.domains) {
                t += fmt::format(",\"mu_dom\":{}", s.mu_dom);
            }
            t += fmt::format(",\"mu_path\":{}}}\n", s.mu_path);
            out.maybe_flush();
            if (effect) {
                ++with_effect;
                ranked.push_back(Ranked{keys[i], doms, ases, s.res});
            }
        },
        [&](std::size_t done) { progress.update(done); });
    progress.finish();
    const double sweep_seconds = since(t1);
    auto top = [&](auto better) {
        std::vector<Ranked> r = ranked;
        std::stable_sort(r.begin(), r.end(), better);
        Json a = Json::array();
        for (std::size_t i = 0; i < r.size() && i < o.top; ++i) {
            Json e = Json::parse("{" + r[i].key + "}");
            e["res"] = r[i].res;
            e["newly_unreachable_ases"] = r[i].ases;
            if (l.domains) {
                e["newly_unreachable_domains"] = r[i].domains;
            }
            a.push_back(std::move(e));
        }
        return a;
    };
    Json summary;
    summary["summary"] = true;
    summary["scenarios"] = scenarios.size();
    summary["scenarios_with_effect"] = with_effect;
    summary["graph"] = graph_json(o, l);
    summary["params"] = params_json(o, l);
    summary["sources"] = asn_array(g, l.sources);
    summary["sources_not_in_graph"] = l.sources_missing;
    summary["targets_not_in_graph"] = l.targets.not_in_graph;
    summary["baseline_mu_path"] = resilience::mu_path(sweeper.baseline(), l.domains.has_value());
    summary["top_by_domains"] = top([&](const Ranked& x, const Ranked& y) {
        return l.domains ? x.domains > y.domains : x.ases > y.ases;
    });
    summary["top_by_resolvers"] =
        top([](const Ranked& x, const Ranked& y) { return x.res > y.res; });
    summary["seconds"] = {
        {"load", l.load_seconds}, {"baseline", baseline_seconds}, {"sweep", sweep_seconds}};
    summary["threads"] = setup.threads;
    out.text() += summary.dump();
    out.text() += '\n';
    return out.flush() ? kExitOk : kExitFailure;
}

/// Text for HTML: the export module's XML escaping (also valid HTML; invalid UTF-8 replaced).
std::string html_escape(const std::string& s) {
    std::string out;
    exports::append_xml_escaped(out, s);
    return out;
}

/// An HTML table from a JSON array of flat objects (the columns of the first row).
std::string html_table(const std::string& title, const Json& rows) {
    std::string h = "<h2>" + html_escape(title) + "</h2>\n<table>\n";
    if (rows.empty()) {
        return h + "<tr><td>none</td></tr></table>\n";
    }
    h += "<tr>";
    for (const auto& [k, v] : rows.front().items()) {
        h += "<th>" + html_escape(k) + "</th>";
    }
    h += "</tr>\n";
    for (const auto& row : rows) {
        h += "<tr>";
        for (const auto& [k, v] : row.items()) {
            std::string cell = v.is_string() ? v.get<std::string>() : v.dump();
            if (v.is_number_float()) {
                cell = fmt::format("{:.3f}", v.get<double>());
            }
            h += "<td>" + html_escape(cell) + "</td>";
        }
        h += "</tr>\n";
    }
    return h + "</table>\n";
}

/// An inline SVG bar chart (no script, no network) of the failures that cut resolvers off: one
/// bar per Table 2 row with res > 0, length mu_dom (domains cut off per affected resolver).
std::string html_failure_chart(const Json& table2) {
    constexpr double kWidth = 720;
    constexpr double kLabel = 210;
    constexpr double kBar = 18;
    constexpr std::size_t kMaxBars = 20;
    std::vector<std::pair<std::string, double>> bars;
    const std::pair<const char*, const char*> kinds[] = {
        {"hosting", "asn"}, {"transit", "asn"}, {"links", "link"}, {"ixps", "ixp"}};
    for (const auto& [kind, key] : kinds) {
        for (const auto& row : table2[kind]) {
            if (row["res"].get<std::uint64_t>() > 0 && bars.size() < kMaxBars) {
                const Json& id = row[key];
                const std::string name = std::string(key) == "asn"
                                             ? "AS" + id.dump() + " (" + std::string(kind) + ")"
                                             : std::string(key) + " " + id.get<std::string>();
                bars.emplace_back(name, row["mu_dom"].get<double>());
            }
        }
    }
    if (bars.empty()) {
        return "<h2>Failures that cut resolvers off</h2><p>None of the listed failures cuts a "
               "resolver AS off from a name-server AS.</p>\n";
    }
    double max = 0;
    for (const auto& b : bars) {
        max = std::max(max, b.second);
    }
    const double height = kBar * static_cast<double>(bars.size()) + 24;
    std::string h = "<h2>Failures that cut resolvers off (μ domains per affected resolver)</h2>\n" +
                    fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0f}\" "
                                "height=\"{:.0f}\" role=\"img\" font-size=\"12\">",
                                kWidth, height);
    double y = 4;
    for (const auto& [name, value] : bars) {
        const double w = max > 0 ? (kWidth - kLabel - 60) * value / max : 0;
        h += fmt::format("<text x=\"{:.0f}\" y=\"{:.0f}\" text-anchor=\"end\">{}</text>"
                         "<rect x=\"{:.0f}\" y=\"{:.0f}\" width=\"{:.1f}\" height=\"{:.0f}\" "
                         "fill=\"#dc2626\"/><text x=\"{:.1f}\" y=\"{:.0f}\">{:.1f}</text>",
                         kLabel - 6, y + 13, html_escape(name), kLabel, y + 2, w, kBar - 4,
                         kLabel + w + 4, y + 13, value);
        y += kBar;
    }
    return h + "</svg>\n";
}

std::string text_table(const std::string& title, const Json& rows) {
    std::string t = title + "\n";
    if (rows.empty()) {
        return t + "  (none)\n\n";
    }
    for (const auto& [k, v] : rows.front().items()) {
        t += fmt::format("{:>14}", k.substr(0, 14));
    }
    t += '\n';
    for (const auto& row : rows) {
        for (const auto& [k, v] : row.items()) {
            std::string cell = v.is_string() ? v.get<std::string>() : v.dump();
            if (v.is_number_float()) {
                cell = fmt::format("{:.3f}", v.get<double>());
            }
            t += fmt::format("{:>14}", cell.size() > 13 ? cell.substr(0, 13) : cell);
        }
        t += '\n';
    }
    return t + '\n';
}

int run_report(Options& o) {
    auto loaded = load(o);
    if (!loaded) {
        return fail_with("report", loaded.error());
    }
    Loaded& l = *loaded;
    if (!l.domains) {
        return fail_with("report", usage("report needs --scan ID or --domains FILE"));
    }
    if (l.model != resilience::Model::Shortest) {
        return fail_with("report", usage("report: --model shortest only (its path counts)"));
    }
    resilience::ReportSetup setup;
    setup.graph = l.graph.get();
    setup.params = l.params;
    setup.sources = l.sources;
    setup.targets = &l.targets;
    setup.domains = &*l.domains;
    setup.top = o.top;
    setup.ixp_mode = fail_mode(o);
    setup.threads = o.threads != 0 ? o.threads : std::max(1U, std::thread::hardware_concurrency());
    Json j = head_json(o, l);
    Json tables = resilience::report_tables(setup);
    for (auto& [key, value] : tables.items()) {
        j[key] = std::move(value);
    }
    const Json& t2 = j["table2"];
    const Json& a = t2["hosting"];
    const Json& b = t2["transit"];
    const Json& c = t2["links"];
    const Json& ixps = t2["ixps"];
    std::string text;
    const bool html = o.output.size() > 5 && o.output.substr(o.output.size() - 5) == ".html";
    if (o.json) {
        text = j.dump() + "\n";
    } else if (html) {
        text = "<!doctype html><html><head><meta charset=\"utf-8\"><title>DNS resilience"
               "</title><style>body{font-family:sans-serif}table{border-collapse:collapse}"
               "td,th{border:1px solid #aaa;padding:2px 6px;text-align:right}</style></head>"
               "<body><h1>DNS resilience</h1>\n<p>" +
               html_escape(j["params"].dump()) + "</p>\n<p>mu_path " +
               fmt::format("{:.3f}", j["mu_path"].get<double>()) + "</p>\n";
        text += html_table("Table 1: resolver ASes", j["table1"]);
        text += html_table("Table 2a: hosting ASes", a);
        text += html_table("Table 2b: transit ASes", b);
        text += html_table("Table 2c: links", c);
        text += html_table("IXP failures", ixps);
        text += html_failure_chart(t2);
        text += "<h2>Exposure</h2><p>" + html_escape(j["exposure"].dump()) + "</p></body></html>\n";
    } else {
        text = text_table("Table 1: resolver ASes", j["table1"]);
        text += fmt::format("mu_path {:.3f}\n\n", j["mu_path"].get<double>());
        text += text_table("Table 2a: hosting ASes", a);
        text += text_table("Table 2b: transit ASes", b);
        text += text_table("Table 2c: links", c);
        text += text_table("IXP failures", ixps);
        text += "exposure " + j["exposure"].dump() + "\n";
    }
    if (auto w = write_output_file(o.output.empty() ? "-" : o.output, text); !w) {
        std::fprintf(stderr, "domaingraph resilience report: cannot write %s: %s\n",
                     o.output.c_str(), w.error().message.c_str());
        return kExitFailure;
    }
    return kExitOk;
}

void common_options(CLI::App* cmd, Options& o) {
    cmd->add_option("--rel", o.rel, "CAIDA AS relationships (serial-1 or serial-2; plain/gz/bz2)")
        ->required();
    cmd->add_option("--ixp", o.ixp,
                    "IXP membership: 'IXP<TAB>ASN' lines or traIXroute's ixp_membership.txt; "
                    "all members of an IXP peer");
    cmd->add_option("--sources", o.sources, "Resolver ASes: a list (1,2,3) or a file")->required();
    cmd->add_option("--targets", o.targets,
                    "all | domains | FILE | LIST (default: domains with --domains, else all)");
    cmd->add_option("--domains", o.domains, "domain<TAB>ASN[,ASN...] lines");
    cmd->add_option("--scan", o.scan,
                    "Domains and name-server ASes from a stored scan (id or 'latest'); MOAS "
                    "prefixes: reachable if any origin is");
    cmd->add_option("--db", o.db,
                    "history database for --scan: sqlite:///path.db, a path, or postgresql://... "
                    "(default: SQLite in the user data directory)");
    o.model_opt = cmd->add_option("--model", o.model,
                                  "shortest (any shortest valley-free path) | tree (Gao-Rexford "
                                  "routing trees)")
                      ->check(CLI::IsMember({"shortest", "tree"}));
    o.peer_opt = cmd->add_option("--peer-mode", o.peer_mode,
                                 "one (U*P?D*, default) | many (U*P*D*, the paper's section 4.7)")
                     ->check(CLI::IsMember({"one", "many"}));
    o.hops_opt = cmd->add_option("--max-hops", o.max_hops, "Longest path in edges (default: none)");
    cmd->add_flag("--as-paper", o.as_paper,
                  "The paper's preset: shortest, --peer-mode many, --max-hops 19 (use with --ixp)");
    cmd->add_flag("--json", o.json, "JSON output");
    cmd->add_flag("--allow-provider-cycles", o.allow_cycles,
                  "Let --model tree run on a graph with a provider cycle");
    cmd->add_option("--dist-tsv", o.dist_tsv, "Write source<TAB>target<TAB>dist lines");
}

} // namespace

void register_resilience_commands(CLI::App& app, Runner& selected) {
    CLI::App& group = subcommand_group(
        app, "resilience",
        "DNS resilience: valley-free paths from resolver ASes to name-server ASes, failures");
    {
        auto o = std::make_shared<Options>();
        CLI::App* cmd = group.add_subcommand(
            "paths", "Baseline reachability and path lengths per resolver AS (Table 1).\n"
                     "Example:\n  domaingraph resilience paths --rel 20180101.as-rel.txt "
                     "--sources 3356,15169 --json");
        common_options(cmd, *o);
        cmd->callback([o, &selected] { selected = [o] { return run_paths(*o); }; });
    }
    {
        auto o = std::make_shared<Options>();
        CLI::App* cmd = group.add_subcommand(
            "fail", "One failure scenario (ASes, links or an IXP) against the baseline (Table 2).\n"
                    "Example:\n  domaingraph resilience fail --rel 20180101.as-rel.txt "
                    "--sources 3356 --fail-as 174 --json");
        common_options(cmd, *o);
        cmd->add_option("--fail-as", o->fail_as, "AS numbers failing together (N[,N])");
        cmd->add_option("--fail-link", o->fail_link, "Links failing together (A-B[,C-D])");
        cmd->add_option("--fail-ixp", o->fail_ixp, "IXP name (as in the --ixp file)");
        cmd->add_option("--ixp-fail-mode", o->ixp_fail_mode,
                        "members: every peer link between two members; exclusive: only the mesh "
                        "links that exist because of this IXP")
            ->check(CLI::IsMember({"members", "exclusive"}));
        cmd->callback([o, &selected] { selected = [o] { return run_fail(*o); }; });
    }
    {
        auto o = std::make_shared<Options>();
        CLI::App* cmd = group.add_subcommand(
            "sweep", "Every single-AS, single-link or IXP failure; JSON Lines, one per scenario, "
                     "then a summary line.\nExample:\n  domaingraph resilience sweep --rel "
                     "20180101.as-rel.txt --sources 3356,15169 --sweep-as all");
        common_options(cmd, *o);
        cmd->add_option("--sweep-as", o->sweep_as, "all | LIST | FILE");
        cmd->add_option("--sweep-link", o->sweep_link, "all | A-B,C-D | FILE (one A-B a line)");
        cmd->add_option("--sweep-ixp", o->sweep_ixp, "all | NAME[,NAME]");
        cmd->add_option("--ixp-fail-mode", o->ixp_fail_mode, "members | exclusive")
            ->check(CLI::IsMember({"members", "exclusive"}));
        cmd->add_flag("--all-sources", o->all_sources,
                      "List every source in per_source (default: only those with a change)");
        cmd->add_option("--threads", o->threads, "Worker threads (default: all cores)");
        cmd->add_option("--top", o->top, "Entries in the summary's rankings (default 10)");
        cmd->callback([o, &selected] { selected = [o] { return run_sweep(*o); }; });
    }
    {
        auto o = std::make_shared<Options>();
        o->top = 20;
        CLI::App* cmd = group.add_subcommand(
            "report", "The paper's Table 1 and Table 2 (a: hosting ASes, b: transit ASes, c: "
                      "links, IXP failures) and per-domain exposure, as text, JSON or HTML.\n"
                      "Example:\n  domaingraph resilience report --scan latest --rel "
                      "20180101.as-rel.txt --sources resolvers.txt -o report.html");
        common_options(cmd, *o);
        cmd->add_option("-o,--output", o->output, "Output file (.html: an HTML report)");
        cmd->add_option("--top", o->top, "Rows of Table 2a/2b/2c (default 20)");
        cmd->add_option("--ixp-fail-mode", o->ixp_fail_mode, "members | exclusive")
            ->check(CLI::IsMember({"members", "exclusive"}));
        cmd->add_option("--threads", o->threads, "Worker threads (default: all cores)");
        cmd->callback([o, &selected] { selected = [o] { return run_report(*o); }; });
    }
}

} // namespace dg::cli
