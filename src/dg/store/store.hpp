#pragma once
// The history database: scans, per-domain results, DNS records, IP mappings and changes, behind one
// interface with two backends (SQLite file, PostgreSQL server). See README.md and
// docs/design/0004-store.md.
//
// Thread safety: a Store is one connection; use it from one thread at a time.
// Every write is one transaction: it is applied whole or not at all.

#include "dg/core/result.hpp"
#include "dg/model/model.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace dg::store {

namespace internal {
class Connection;
} // namespace internal

/// What a new scan starts with.
struct NewScan {
    model::UnixTime started_at = 0; ///< 0: now
    std::uint64_t domains_total = 0;
    std::string notes;
    std::string rib_path;
    std::string rib_hash;
    std::string config_json; ///< a JSON object, or ""
};

/// The lease of one shard of a distributed scan (issue 17): writes fenced by it go through only
/// while the shard is still leased at this attempt (a worker whose lease was taken over can
/// write nothing).
struct WriteFence {
    std::int64_t scan_id = 0;
    std::int64_t shard_no = 0;
    std::int64_t attempt = 0;
};

/// A stored result with the row's metadata.
struct StoredResult {
    std::int64_t scan_id = 0;
    model::DomainResult result; ///< as written (resolved_at filled from the row)
};

/// Selection for results(): every set field must match.
struct ResultFilter {
    std::optional<std::string> domain; ///< exact canonical name
    std::optional<std::uint32_t> asn;  ///< any address of the domain (A/AAAA/NS/MX) originated here
    std::optional<std::string> status; ///< exact DNS status, e.g. "NXDOMAIN"
    std::uint64_t limit = 0;           ///< 0: no limit
    std::uint64_t offset = 0;
};

/// Called once per row of a streaming read; return false to stop early.
using ResultCallback = std::function<bool(const StoredResult&)>;
using NameCallback = std::function<bool(const std::string&)>;

/// The one message for a scan id that is not in the store, in every command and the API:
/// NotFound "no scan ID (see 'domaingraph scans list')".
Error no_such_scan(std::int64_t id);

class Store {
public:
    virtual ~Store() = default;
    Store() = default;
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    /// Opens (and creates or migrates) a store:
    ///  - "" : `<user data dir>/domaingraph.db` (SQLite; the directory is created)
    ///  - "sqlite:///abs/path.db", "sqlite://relative.db" or a plain path: SQLite file
    ///  - "postgresql://..." / "postgres://...": PostgreSQL (libpq connection URI)
    /// Errors: InvalidArgument (unknown scheme), Unavailable (server unreachable), Io (file not
    /// writable), Malformed (not a database, or a schema newer than this program knows).
    static Result<std::unique_ptr<Store>> open(const std::string& url);

    /// "sqlite" or "postgresql".
    [[nodiscard]] virtual const char* backend() const = 0;
    /// Highest applied schema migration.
    virtual Result<int> schema_version() = 0;
    /// The SQL connection under this store, for modules that keep their own tables in the same
    /// database (tags/); nullptr when there is none. Same thread rules as the Store.
    virtual internal::Connection* sql_connection() { return nullptr; }

    // --- scans ---
    virtual Result<model::Scan> create_scan(const NewScan& scan) = 0;
    virtual Result<void> set_domains_total(std::int64_t scan_id, std::uint64_t total) = 0;
    /// Sets the status; finished_at is set for every status but Running (cleared then).
    virtual Result<void> set_scan_status(std::int64_t scan_id, model::ScanStatus status,
                                         model::UnixTime finished_at = 0) = 0;
    /// Records why the scan is failed or interrupted (shown with its status); setting the
    /// status to Running or Complete clears it. Errors: NotFound.
    virtual Result<void> set_scan_status_detail(std::int64_t scan_id, const std::string& detail) {
        (void)scan_id;
        (void)detail;
        return make_error(ErrorCode::Unsupported, "this store keeps no status detail");
    }
    /// All scans in creation order.
    virtual Result<std::vector<model::Scan>> list_scans() = 0;
    /// Errors: NotFound.
    virtual Result<model::Scan> get_scan(std::int64_t scan_id) = 0;
    /// Deletes the scan with its results, records, mappings and changes. Errors: NotFound.
    virtual Result<void> delete_scan(std::int64_t scan_id) = 0;

    // --- results ---
    /// Stores a batch in ONE transaction. A domain already stored for this scan is replaced (each
    /// domain has exactly one result per scan), so re-writing after a crash is harmless.
    /// Updates the scan's domains_done in the same transaction. On failure nothing is written.
    virtual Result<void> write_results(std::int64_t scan_id,
                                       std::span<const model::DomainResult> batch) = 0;
    /// From now on every write_results first locks the fence's shard row and checks that it is
    /// still leased at the fence's attempt: when not, nothing is written and the error is
    /// Conflict ("lease lost"). The shard's names_done grows by the batch in the same
    /// transaction. nullopt (the default): no check, as in a single-process scan.
    virtual void set_write_fence(std::optional<WriteFence> fence) { (void)fence; }
    /// From now on a write_results that fails because the database is unavailable (connection
    /// lost, server shutting down: a primary switch) is tried again, reconnecting with backoff
    /// (0.25 s doubling to 4 s), for up to `budget`; the batch is kept meanwhile. Zero (the
    /// default): the error is returned at once.
    virtual void set_retry_unavailable(std::chrono::milliseconds budget) { (void)budget; }
    /// Streams the names with a stored result in `scan_id` (for resume), in no particular order.
    virtual Result<void> done_domains(std::int64_t scan_id, const NameCallback& cb) = 0;
    /// Streams matching results ordered by domain name.
    virtual Result<void> results(std::int64_t scan_id, const ResultFilter& filter,
                                 const ResultCallback& cb) = 0;
    /// How many results match (limit and offset ignored), for pagination.
    virtual Result<std::uint64_t> count_results(std::int64_t scan_id,
                                                const ResultFilter& filter) = 0;
    /// Streams one domain's result in every scan that has it, oldest scan first.
    virtual Result<void> domain_history(const std::string& domain, const ResultCallback& cb) = 0;
    /// Names of the domains with an address originated by `asn` in `scan_id`, sorted.
    virtual Result<std::vector<std::string>> domains_by_asn(std::int64_t scan_id,
                                                            std::uint32_t asn) = 0;

    // --- changes ---
    /// Replaces the stored changes between scan_a and scan_b (one transaction).
    virtual Result<void> write_changes(std::int64_t scan_a, std::int64_t scan_b,
                                       std::span<const model::Change> changes) = 0;
    /// Stored changes between scan_a and scan_b in the order written.
    virtual Result<std::vector<model::Change>> changes(std::int64_t scan_a,
                                                       std::int64_t scan_b) = 0;

    // --- conveniences over the streaming reads ---
    Result<std::vector<StoredResult>> results_vector(std::int64_t scan_id,
                                                     const ResultFilter& filter);
    Result<std::vector<std::string>> done_domain_list(std::int64_t scan_id);
};

/// The names a scan holds results for, as one value: their count and an order-independent
/// 128-bit hash of the set ("names:" and 32 hex digits). Two scans of the same input list have
/// the same NameSet; the hash is computed from the stored names, so it needs no schema change
/// and holds for scans stored before it existed.
struct NameSet {
    std::uint64_t count = 0;
    std::string hash;
    bool operator==(const NameSet&) const = default;
};
Result<NameSet> name_set(Store& store, std::int64_t scan_id);

/// The named list a scan belongs to (a watch's name, kept in its settings as "list"); "" for an
/// ad-hoc scan.
std::string list_of(const model::Scan& scan);

/// "The previous scan of the same input": for a scan of a named list (list_of), the newest
/// earlier scan of that list; otherwise the newest scan created before `scan` whose name set
/// equals `scan`'s (only complete scans when `complete_only`); nullopt when there is none.
/// Scans whose domains_done differs are skipped without reading their names.
Result<std::optional<model::Scan>> previous_of_same_input(Store& store, const model::Scan& scan,
                                                          bool complete_only);

/// The scans in `candidates` (kept in their order) that hold the same name set as `scan`;
/// `scan` itself is kept when it is among them.
Result<std::vector<model::Scan>> same_input(Store& store, const model::Scan& scan,
                                            const std::vector<model::Scan>& candidates);

/// Default SQLite location: `<user data dir>/domaingraph.db`.
std::string default_database_path();
/// The file a SQLite store URL names (the rules of Store::open, URI parameters left out), or
/// nullopt for PostgreSQL.
std::optional<std::string> sqlite_path_of(const std::string& url);

} // namespace dg::store
