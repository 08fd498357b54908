#include "dg/store/external.hpp"

#include <utility>

namespace dg::store {
namespace {

std::shared_ptr<ExternalResults>& registered() {
    static std::shared_ptr<ExternalResults> source;
    return source;
}

bool originated_by(const std::vector<model::IpMapping>& ips, std::uint32_t asn) {
    for (const auto& m : ips) {
        if (m.asn && m.asn->value() == asn) {
            return true;
        }
    }
    return false;
}

} // namespace

void set_external_results(std::shared_ptr<ExternalResults> source) {
    registered() = std::move(source);
}

ExternalResults* external_results() {
    return registered().get();
}

Result<std::optional<ExternalScan>> external_scan(Store& store, std::int64_t scan_id) {
    ExternalResults* source = external_results();
    if (source == nullptr) {
        return std::optional<ExternalScan>();
    }
    auto scan = store.get_scan(scan_id);
    if (!scan) {
        if (scan.error().code == ErrorCode::NotFound) {
            return std::optional<ExternalScan>(); // the database's own answer follows
        }
        return scan.error();
    }
    DG_TRY(const auto shards, source->shard_count(store, *scan));
    if (!shards) {
        return std::optional<ExternalScan>();
    }
    return std::optional<ExternalScan>(ExternalScan{std::move(*scan), *shards});
}

bool matches(const ResultFilter& filter, const model::DomainResult& r) {
    if (filter.domain && *filter.domain != r.domain) {
        return false;
    }
    if (filter.status && *filter.status != r.status) {
        return false;
    }
    if (!filter.asn) {
        return true;
    }
    const std::uint32_t asn = *filter.asn;
    if (originated_by(r.a, asn) || originated_by(r.aaaa, asn)) {
        return true;
    }
    for (const auto& ns : r.ns) {
        if (originated_by(ns.ips, asn)) {
            return true;
        }
    }
    for (const auto& mx : r.mx) {
        if (originated_by(mx.ips, asn)) {
            return true;
        }
    }
    return false;
}

Result<void> read_external(Store& store, const ExternalScan& external, const ResultFilter& filter,
                           const ResultCallback& cb) {
    ExternalResults* source = external_results();
    if (source == nullptr) {
        return make_error(ErrorCode::Internal, "no source of external results is registered");
    }
    const model::Scan& scan = external.scan;
    std::uint32_t first = 0;
    std::uint32_t last = external.shards;
    if (filter.domain) {
        first = source->shard_of(*filter.domain, external.shards);
        last = first + 1;
    }
    std::uint64_t skipped = 0;
    std::uint64_t sent = 0;
    bool stopped = false;
    StoredResult row;
    row.scan_id = scan.id;
    for (std::uint32_t shard = first; shard < last && !stopped; ++shard) {
        DG_TRY_VOID(source->shard_results(store, scan, shard, [&](model::DomainResult&& r) {
            if (!matches(filter, r)) {
                return true;
            }
            if (skipped < filter.offset) {
                ++skipped;
                return true;
            }
            row.result = std::move(r);
            if (!cb(row) || (filter.limit != 0 && ++sent >= filter.limit)) {
                stopped = true;
            }
            return !stopped;
        }));
    }
    return ok();
}

} // namespace dg::store
