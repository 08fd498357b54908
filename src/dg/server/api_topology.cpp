// GET /api/v1/ptr/sweeps/{id}/topology: the city-level topology of a stored PTR sweep's names
// (`hostnames topology --sweep ID --format json`), for the dashboard's map (docs/api.md).
#include "dg/hostnames/decoder.hpp"
#include "dg/hostnames/topology.hpp"
#include "dg/ptr/sweep_store.hpp"
#include "dg/server/internal/impl.hpp"

namespace dg::server {

using http::Request;
using http::Response;
using internal::send_error;
using internal::send_failure;

Result<std::shared_ptr<const hostnames::Dictionary>> Server::Impl::hostname_dictionary() {
    const std::lock_guard lock(dictionary_mutex);
    if (!dictionary) {
        DG_TRY(auto found, hostnames::Dictionary::find(options.hostnames_dict));
        dictionary = std::make_shared<const hostnames::Dictionary>(std::move(found));
    }
    return dictionary;
}

void Server::Impl::install_topology_api() {
    route("GET", R"(/api/v1/ptr/sweeps/([0-9]{1,18})/topology)", "/api/v1/ptr/sweeps/{id}/topology",
          Access::Read, [this](const Request& req, Response& res) {
              const auto id = internal::positive_id(std::string(req.matches[1]));
              const std::string pairs = internal::param(req, "pairs").value_or("31,30");
              auto threshold = internal::uint_param(req, "min_confidence_pct", 50, 0, 100);
              if (!id || !threshold ||
                  (pairs != "31" && pairs != "30" && pairs != "31,30" && pairs != "30,31")) {
                  send_error(res, 400, "bad_request",
                             !threshold ? threshold.error().message
                                        : "pairs must be 31, 30 or 31,30; id a sweep id");
                  return;
              }
              auto dict = hostname_dictionary();
              if (!dict) {
                  send_error(res, 503, "unavailable", dict.error().message);
                  return;
              }
              auto leased = lease_sweeps();
              if (!leased) {
                  send_failure(res, leased.error());
                  return;
              }
              ptr::SweepStore& sweeps = leased->sweeps;
              hostnames::TopologyOptions topts;
              topts.pairs31 = pairs.find("31") != std::string::npos;
              topts.pairs30 = pairs.find("30") != std::string::npos;
              topts.min_confidence = static_cast<float>(*threshold) / 100.0F;
              hostnames::Decoder decoder(**dict, nullptr, hostnames::Method::Default);
              hostnames::TopologyBuilder builder(decoder, topts);
              auto read = sweeps.names(
                  *id, [&](const IpAddress& ip, std::string_view name) { builder.add(ip, name); });
              if (!read) {
                  send_failure(res, read.error());
                  return;
              }
              res.status = 200;
              res.set_content(builder.finish().to_json(), "application/json");
          });
}

} // namespace dg::server
