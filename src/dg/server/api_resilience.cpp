// GET /api/v1/scans/{id}/resilience: the DNS-resilience report of a stored scan (the paper's
// Table 1 and Table 2, exposure) over the AS graph `serve --as-rel` loaded (docs/api.md).
#include "dg/server/internal/impl.hpp"

#include <algorithm>
#include <chrono>

namespace dg::server {

using http::Request;
using http::Response;
using internal::send_error;
using internal::send_failure;

namespace {

/// A query parameter that must be one of two words; the first is the default.
Result<bool> second_word(const Request& req, const char* name, const char* first,
                         const char* second) {
    const auto v = internal::param(req, name);
    if (!v || *v == first) {
        return false;
    }
    if (*v == second) {
        return true;
    }
    return make_error(ErrorCode::InvalidArgument,
                      std::string("'") + name + "' must be " + first + " or " + second);
}

nlohmann::ordered_json asns(const resilience::AsGraph& g, const std::vector<std::uint32_t>& ids) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const std::uint32_t v : ids) {
        out.push_back(g.asn(v));
    }
    return out;
}

} // namespace

void Server::Impl::resilience_report(const Request& req, Response& res, store::Store& store,
                                     std::int64_t scan_id) {
    const std::shared_ptr<const resilience::LoadedGraph> loaded = as_graph;
    if (!loaded) {
        send_error(res, 503, "unavailable",
                   "no AS graph: start the server with --as-rel FILE --resolver-ases LIST "
                   "[--ixp FILE]");
        return;
    }
    constexpr std::uint64_t kMaxTop = 100;
    constexpr std::uint64_t kMaxHops = 64;
    auto top = internal::uint_param(req, "top", 10, 1, kMaxTop);
    auto hops = internal::uint_param(req, "max_hops", 0, 0, kMaxHops);
    auto many = second_word(req, "peer_mode", "one", "many");
    auto exclusive = second_word(req, "ixp_mode", "members", "exclusive");
    if (!top || !hops || !many || !exclusive) {
        send_failure(res, !top    ? top.error()
                          : !hops ? hops.error()
                          : !many ? many.error()
                                  : exclusive.error());
        return;
    }
    auto found = resilience::domains_of_scan(store, scan_id);
    if (!found) {
        send_failure(res, found.error());
        return;
    }
    const resilience::AsGraph& g = *loaded->graph;
    const auto t0 = std::chrono::steady_clock::now();
    const resilience::DomainIndex domains = resilience::index_domains(g, found->list);
    std::vector<std::uint32_t> ns_asns;
    for (const auto& list : found->list.asns) {
        ns_asns.insert(ns_asns.end(), list.begin(), list.end());
    }
    const resilience::Targets targets = resilience::make_targets(g, ns_asns, false);
    resilience::ReportSetup setup;
    setup.graph = &g;
    setup.params.peer_mode = *many ? resilience::PeerMode::Many : resilience::PeerMode::One;
    setup.params.max_hops =
        *hops == 0 ? resilience::kNoHopLimit : static_cast<std::uint32_t>(*hops);
    setup.sources = loaded->sources;
    setup.targets = &targets;
    setup.domains = &domains;
    setup.top = *top;
    setup.ixp_mode =
        *exclusive ? resilience::IxpFailMode::Exclusive : resilience::IxpFailMode::Members;
    setup.threads = 2;
    nlohmann::ordered_json body;
    body["scan"] = scan_id;
    body["graph"] = {{"as_rel", loaded->rel_path},
                     {"ixp", loaded->ixp_path.empty() ? nlohmann::ordered_json()
                                                      : nlohmann::ordered_json(loaded->ixp_path)},
                     {"ases", g.size()},
                     {"links", g.links().size()},
                     {"ixps", g.ixp_count()}};
    body["params"] = {
        {"model", "shortest"},
        {"peer_mode", *many ? "many" : "one"},
        {"max_hops", *hops == 0 ? nlohmann::ordered_json() : nlohmann::ordered_json(*hops)},
        {"ixp_mode", *exclusive ? "exclusive" : "members"},
        {"top", *top}};
    body["sources"] = asns(g, loaded->sources);
    body["sources_not_in_graph"] = loaded->sources_missing;
    body["domains"] = {{"with_routed_name_server", found->list.names.size()},
                       {"without_routed_name_server", found->without_ns_as},
                       {"moas", found->moas},
                       {"no_name_server_as_in_graph", domains.without_graph_as},
                       {"name_server_ases_not_in_graph", domains.asns_not_in_graph}};
    {
        const std::lock_guard lock(resilience_mutex);
        nlohmann::ordered_json report = resilience::report_tables(setup);
        for (auto& [key, value] : report.items()) {
            body[key] = std::move(value);
        }
    }
    body["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    res.status = 200;
    res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                    "application/json");
}

} // namespace dg::server
