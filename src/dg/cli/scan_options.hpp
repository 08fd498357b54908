#pragma once
// The options of `scan`, shared with `worker` (a distributed scan's shards run with the settings
// the scan stored): what settings_json stores and restore_settings reads back.
#include "dg/cli/resolver_options.hpp"
#include "dg/cli/rpki_load.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace dg::cli {

struct ScanOptions {
    std::string domains = "-";
    std::string rib;
    std::string policy = "default";
    std::string as2org;
    VrpOptions vrps; ///< --vrps: the RPKI state of every address's route
    std::string geo; ///< --geo: a MaxMind City/Country database, where each address is
    std::string db;
    std::string notes;
    std::string output;
    std::string format;
    std::string gexf_version = "1.2draft";
    ResolverFlags dns;
    std::size_t batch = 1000;
    std::int64_t resume = 0;
    bool no_progress = false;
    // --distributed (issue 17): store the scan as shards for `domaingraph worker`
    bool distributed = false;
    std::uint32_t shards = 0;
    std::uint32_t shard_size = 1000;
    std::uint32_t max_attempts = 5;
    bool wait = false;
    /// The list the scan belongs to (a watch's name; "" = an ad-hoc scan): stored with the
    /// scan's settings, so that 'previous' is the previous scan of the same list.
    std::string list;
    /// When set, receives the id of the scan created (or resumed) as soon as it exists.
    std::int64_t* created_scan = nullptr;
    /// Long names of the options given (command line, environment or configuration file): on
    /// --resume these win over the stored settings, every other setting comes from the scan.
    std::set<std::string> given;
};

/// `path` made absolute ("" and "-" stay).
std::string absolute(const std::string& path);
/// Each of a comma-separated list of paths made absolute (--as2org FILE,FILE); a path that is
/// itself an existing file stays one path.
std::string absolute_list(const std::string& paths);
/// The newest dump `rib fetch` left in the cache, "" when none.
std::string newest_fetched_rib();
/// The settings a scan stores (scans.config) so that --resume and workers run it the same way.
nlohmann::json settings_json(const ScanOptions& o, const std::vector<dns::Endpoint>& upstreams);
/// What the user did not give again comes from the stored settings.
void restore_settings(ScanOptions& o, const std::string& config_json);

/// `scan`: runs the scan `o` describes; the exit code (cmd_scan.cpp).
int run_scan_command(ScanOptions o);

/// `scan --distributed`: validates, de-duplicates and shards the list into the database, prints
/// the scan id (stdout) and exits, or follows the progress with --wait (cmd_worker.cpp).
int run_distributed_scan_command(const ScanOptions& o);

} // namespace dg::cli
