#pragma once
// Store implemented once over a Connection; the backends add opening and, where they can do
// better, a bulk write path (PostgreSQL: COPY).

#include "dg/core/ip_text.hpp"
#include "dg/store/internal/connection.hpp"
#include "dg/store/store.hpp"

#include <memory>
#include <unordered_set>
#include <vector>

namespace dg::store::internal {

/// A dns_records row.
struct RecordRow {
    std::string_view type;
    std::string_view owner; ///< views into the result being written: no copy per row
    std::string_view value;
    std::optional<std::int64_t> ttl;
    std::optional<std::int64_t> preference;
    std::optional<std::string_view> cname_target;
};

/// An ip_mappings row (or, with a host, a host_addresses row). The views point into the result
/// being written; the address, prefix and origins are formatted here, once.
struct MappingRow {
    std::string_view role;
    std::optional<std::string_view> host;
    IpText ip;
    std::optional<IpText> prefix;
    std::optional<std::int64_t> asn;
    std::string origins; ///< JSON array
    std::optional<std::string_view> org;
    std::optional<std::int64_t> ttl;

    [[nodiscard]] std::optional<std::string_view> prefix_text() const {
        return prefix ? std::optional<std::string_view>(prefix->view()) : std::nullopt;
    }
};

/// The rows one result becomes (appended): dns_records for the domain's CNAME, NS and MX records;
/// ip_mappings for its own A/AAAA addresses (with TTL). The NS/MX hosts' addresses are written
/// once per scan into host_addresses (SqlStore::write_results), not per domain.
void flatten(const model::DomainResult& r, std::vector<RecordRow>& records,
             std::vector<MappingRow>& mappings);

/// The batch with duplicates removed (the last result of a domain wins), order kept otherwise.
std::vector<const model::DomainResult*> dedupe(std::span<const model::DomainResult> batch);

class SqlStore : public Store {
public:
    explicit SqlStore(std::unique_ptr<Connection> c) : c_(std::move(c)) {}

    Result<int> schema_version() override;
    Connection* sql_connection() override { return c_.get(); }
    void set_write_fence(std::optional<WriteFence> fence) override { fence_ = fence; }
    void set_retry_unavailable(std::chrono::milliseconds budget) override {
        retry_budget_ = budget;
    }
    Result<model::Scan> create_scan(const NewScan& scan) override;
    Result<void> set_domains_total(std::int64_t scan_id, std::uint64_t total) override;
    Result<void> set_scan_status(std::int64_t scan_id, model::ScanStatus status,
                                 model::UnixTime finished_at) override;
    Result<void> set_scan_status_detail(std::int64_t scan_id, const std::string& detail) override;
    Result<std::vector<model::Scan>> list_scans() override;
    Result<model::Scan> get_scan(std::int64_t scan_id) override;
    Result<void> delete_scan(std::int64_t scan_id) override;
    Result<void> write_results(std::int64_t scan_id,
                               std::span<const model::DomainResult> batch) override;
    Result<void> done_domains(std::int64_t scan_id, const NameCallback& cb) override;
    Result<void> results(std::int64_t scan_id, const ResultFilter& filter,
                         const ResultCallback& cb) override;
    Result<std::uint64_t> count_results(std::int64_t scan_id, const ResultFilter& filter) override;
    Result<void> domain_history(const std::string& domain, const ResultCallback& cb) override;
    Result<std::vector<std::string>> domains_by_asn(std::int64_t scan_id,
                                                    std::uint32_t asn) override;
    Result<void> write_changes(std::int64_t scan_a, std::int64_t scan_b,
                               std::span<const model::Change> changes) override;
    Result<std::vector<model::Change>> changes(std::int64_t scan_a, std::int64_t scan_b) override;

protected:
    Connection& conn() { return *c_; }
    /// Inside a transaction: the batch (already de-duplicated) with one statement per row.
    /// Returns how many results are new (not replacing one of the same scan).
    virtual Result<std::int64_t> write_batch(std::int64_t scan_id,
                                             std::span<const model::DomainResult* const> batch);
    /// NotFound unless the scan exists.
    Result<void> require_scan(std::int64_t scan_id);

private:
    Result<void> write_results_once(std::int64_t scan_id,
                                    std::span<const model::DomainResult* const> unique);
    Result<void> check_fence(const WriteFence& fence, std::int64_t names);
    /// Inside the batch's transaction: host_addresses rows of the NS/MX hosts this store has not
    /// written for the scan yet; `new_hosts` gets their names (remembered after the commit).
    Result<void> write_host_addresses(std::int64_t scan_id,
                                      std::span<const model::DomainResult* const> batch,
                                      std::unordered_set<std::string>& new_hosts);
    /// Whether results() should walk the domains in name order rather than sort (SQLite).
    /// write_batch's halves for one chunk: the domains and scan_results rows (returns the
    /// result ids, in chunk order; counts new results in `added`), then their records and
    /// address mappings.
    Result<std::vector<std::int64_t>>
    write_result_rows(std::int64_t scan_id, std::span<const model::DomainResult* const> chunk,
                      std::int64_t& added);
    Result<void> write_detail_rows(std::int64_t scan_id,
                                   std::span<const model::DomainResult* const> chunk,
                                   std::span<const std::int64_t> result_ids);
    Result<bool> walks_names(std::int64_t scan_id, const ResultFilter& filter);
    void forget_hosts() {
        hosts_stored_.clear();
        hosts_scan_ = -1;
    }
    Result<void> stream_results(std::string_view sql, std::span<const Value> params,
                                const ResultCallback& cb);

    std::unique_ptr<Connection> c_;
    std::optional<WriteFence> fence_; ///< a distributed scan's shard lease (set_write_fence)
    std::chrono::milliseconds retry_budget_{0}; ///< set_retry_unavailable
    std::int64_t hosts_scan_ = -1;
    std::unordered_set<std::string> hosts_stored_; ///< NS/MX hosts written for hosts_scan_
};

/// Validates what write_results accepts. Errors: InvalidArgument.
Result<void> check_result(const model::DomainResult& r);

} // namespace dg::store::internal
