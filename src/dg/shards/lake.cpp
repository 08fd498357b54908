#include "dg/shards/lake.hpp"

#include "dg/core/sha256.hpp"

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>

namespace dg::shards {
namespace {

namespace fs = std::filesystem;

Error io_error(const std::string& what, const std::string& path, const std::error_code& ec) {
    return make_error(ErrorCode::Io, what + ": " + ec.message()).at(path);
}

Result<std::string> file_sha256(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (!in.good() && !in.eof()) {
        return make_error(ErrorCode::Io, "cannot read back the file").at(path);
    }
    return sha256_hex(bytes.str());
}

std::string stats_json(std::uint64_t domains, const std::map<std::string, std::uint64_t>& by) {
    std::string out = "{\"domains\":" + std::to_string(domains) + ",\"by_status\":{";
    bool first = true;
    for (const auto& [status, n] : by) { // DNS status names: letters and digits only
        out += (first ? "\"" : ",\"") + status + "\":" + std::to_string(n);
        first = false;
    }
    return out + "}}";
}

/// (shard, attempt) of "shard=K.attempt=A.parquet" and of its temporary twins
/// ("...parquet.tmp.PID"); nullopt for any other name.
std::optional<std::pair<std::int64_t, std::int64_t>> parse_file_name(const std::string& name) {
    long long shard = 0;
    long long attempt = 0;
    int used = 0;
    if (std::sscanf(name.c_str(), "shard=%lld.attempt=%lld.parquet%n", &shard, &attempt, &used) !=
            2 ||
        used == 0) {
        return std::nullopt;
    }
    const std::string rest = name.substr(static_cast<std::size_t>(used));
    if (!rest.empty() && !rest.starts_with(".tmp.")) {
        return std::nullopt;
    }
    return std::make_pair(static_cast<std::int64_t>(shard), static_cast<std::int64_t>(attempt));
}

} // namespace

std::string lake_scan_dir(const std::string& dir, model::UnixTime scan_started,
                          std::int64_t scan_id) {
    const std::time_t t = scan_started;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char date[16];
    std::strftime(date, sizeof date, "%Y-%m-%d", &tm);
    return (fs::path(dir) / (std::string("scan_date=") + date) /
            ("scan_id=" + std::to_string(scan_id)))
        .string();
}

std::string lake_file_name(std::int64_t shard_no, std::int64_t attempt) {
    return "shard=" + std::to_string(shard_no) + ".attempt=" + std::to_string(attempt) + ".parquet";
}

Result<std::unique_ptr<LakeShardWriter>>
LakeShardWriter::open(const std::string& dir, model::UnixTime scan_started, const Lease& lease) {
    const std::string scan_dir = lake_scan_dir(dir, scan_started, lease.scan_id);
    std::error_code ec;
    fs::create_directories(scan_dir, ec);
    if (ec) {
        return io_error("cannot create the lake directory", scan_dir, ec);
    }
    std::unique_ptr<LakeShardWriter> w(new LakeShardWriter());
    w->path_ = (fs::path(scan_dir) / lake_file_name(lease.shard_no, lease.attempt)).string();
    DG_TRY(w->out_, exports::Output::open(w->path_));
    w->writer_ = exports::make_writer(exports::Format::Parquet, *w->out_);
    return w;
}

Result<void> LakeShardWriter::write(const model::DomainResult& r) {
    ++domains_;
    ++by_status_[r.status];
    return writer_->write(r);
}

Result<ShardOutput> LakeShardWriter::commit() {
    DG_TRY_VOID(writer_->finish());
    DG_TRY_VOID(out_->commit()); // fsync, then rename into place
    ShardOutput o;
    o.uri = fs::absolute(path_).lexically_normal().string();
    o.rows = writer_->rows();
    DG_TRY(o.sha256, file_sha256(path_));
    o.stats_json = stats_json(domains_, by_status_);
    return o;
}

Result<GcReport> collect_garbage(Coordinator& coord, const std::string& dir,
                                 const model::Scan& scan, bool dry_run) {
    DG_TRY(const auto manifest, coord.manifest(scan.id));
    DG_TRY(const auto attempts, coord.shard_attempts(scan.id));
    // by (shard, attempt), not by path: the directory may be mounted elsewhere on this host
    std::set<std::pair<std::int64_t, std::int64_t>> committed;
    for (const ManifestEntry& e : manifest) {
        committed.emplace(e.shard_no, e.attempt);
    }
    GcReport report;
    const std::string scan_dir = lake_scan_dir(dir, scan.started_at, scan.id);
    std::error_code ec;
    if (!fs::exists(scan_dir, ec)) {
        return report;
    }
    for (const auto& entry : fs::directory_iterator(scan_dir, ec)) {
        const std::string name = entry.path().filename().string();
        const auto parsed = parse_file_name(name);
        if (!parsed || !entry.is_regular_file()) {
            continue; // not ours: left alone
        }
        const std::string path = fs::absolute(entry.path()).lexically_normal().string();
        const bool temporary = name.find(".tmp.") != std::string::npos;
        if (!temporary && committed.count(*parsed) != 0) {
            ++report.kept;
            continue;
        }
        const auto it = attempts.find(parsed->first);
        const bool running = it != attempts.end() && it->second.state == "leased" &&
                             it->second.attempt == parsed->second;
        if (running) {
            ++report.kept; // the attempt holding the lease may still commit it
            continue;
        }
        if (!dry_run && !fs::remove(entry.path(), ec) && ec) {
            return io_error("cannot remove an orphan file", path, ec);
        }
        report.removed.push_back(path);
    }
    if (ec) {
        return io_error("cannot list the lake directory", scan_dir, ec);
    }
    return report;
}

} // namespace dg::shards
