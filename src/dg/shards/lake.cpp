#include "dg/shards/lake.hpp"

#include "dg/core/sha256.hpp"
#include "dg/export/parquet.hpp"
#include "dg/export/rows.hpp"
#include "dg/store/external.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <system_error>

namespace dg::shards {
namespace {

namespace fs = std::filesystem;

Error io_error(const std::string& what, const std::string& path, const std::error_code& ec) {
    return make_error(ErrorCode::Io, what + ": " + ec.message()).at(path);
}

Result<std::string> read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return make_error(ErrorCode::NotFound, "cannot open the file").at(path);
    }
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (!in.good() && !in.eof()) {
        return make_error(ErrorCode::Io, "cannot read the file").at(path);
    }
    return std::move(bytes).str();
}

Result<std::string> file_sha256(const std::string& path) {
    DG_TRY(const std::string bytes, read_bytes(path));
    return sha256_hex(bytes);
}

/// Lake scans read through Store (store/external.hpp). The manifest of a finished scan is
/// kept per scan id; a running scan's is read again on each use.
class LakeResults final : public store::ExternalResults {
public:
    explicit LakeResults(std::string lake_dir) : lake_dir_(std::move(lake_dir)) {}

    Result<std::optional<std::uint32_t>> shard_count(store::Store& store,
                                                     const model::Scan& scan) override {
        if (scan.config_json.find("\"lake\"") == std::string::npos ||
            stored_lake_dir(scan.config_json).empty()) {
            return std::optional<std::uint32_t>();
        }
        DG_TRY(const auto m, manifest(store, scan));
        return std::optional<std::uint32_t>(m->shards);
    }

    [[nodiscard]] std::uint32_t shard_of(std::string_view domain,
                                         std::uint32_t shards) const override {
        return shards::shard_of(domain, shards);
    }

    Result<void> shard_results(store::Store& store, const model::Scan& scan, std::uint32_t shard,
                               const store::DomainCallback& cb) override {
        DG_TRY(const auto m, manifest(store, scan));
        const auto it = m->files.find(shard);
        if (it == m->files.end()) {
            return ok(); // not done (failed or still running): no committed results
        }
        DG_TRY(const std::string path, locate(scan, it->second));
        DG_TRY(std::string bytes, read_bytes(path));
        if (sha256_hex(bytes) != it->second.output.sha256) {
            return make_error(ErrorCode::Malformed,
                              "the file does not match the SHA-256 its manifest row holds (shard " +
                                  std::to_string(shard) + ", attempt " +
                                  std::to_string(it->second.attempt) + "): changed after commit")
                .at(path);
        }
        DG_TRY(const auto file, exports::parquet::FileReader::parse(std::move(bytes), path));
        std::vector<model::DomainResult> results;
        auto rebuilt = exports::read_flat_results(file, [&](model::DomainResult&& r) {
            results.push_back(std::move(r));
            return true;
        });
        if (!rebuilt) {
            return rebuilt.error().at(path);
        }
        std::sort(results.begin(), results.end(),
                  [](const model::DomainResult& a, const model::DomainResult& b) {
                      return a.domain < b.domain;
                  });
        for (auto& r : results) {
            if (!cb(std::move(r))) {
                break;
            }
        }
        return ok();
    }

private:
    struct Manifest {
        std::uint32_t shards = 0;
        std::map<std::int64_t, ManifestEntry> files;
    };

    Result<std::shared_ptr<const Manifest>> manifest(store::Store& store, const model::Scan& scan) {
        if (scan.status != model::ScanStatus::Running) {
            const std::lock_guard lock(mutex_); // the server reads from several threads
            const auto cached = cache_.find(scan.id);
            if (cached != cache_.end()) {
                return cached->second;
            }
        }
        DG_TRY(Coordinator coord, Coordinator::of(store));
        DG_TRY(const auto attempts, coord.shard_attempts(scan.id));
        DG_TRY(auto entries, coord.manifest(scan.id));
        auto m = std::make_shared<Manifest>();
        m->shards = static_cast<std::uint32_t>(attempts.size());
        for (auto& e : entries) {
            m->files.emplace(e.shard_no, std::move(e));
        }
        if (scan.status != model::ScanStatus::Running) {
            const std::lock_guard lock(mutex_);
            cache_.emplace(scan.id, m);
        }
        return std::shared_ptr<const Manifest>(std::move(m));
    }

    /// The committed file on this host: its recorded path, else the same name under this host's
    /// lake directory.
    Result<std::string> locate(const model::Scan& scan, const ManifestEntry& e) const {
        std::error_code ec;
        if (fs::is_regular_file(e.output.uri, ec)) {
            return e.output.uri;
        }
        const std::string dir = lake_dir_.empty() ? stored_lake_dir(scan.config_json) : lake_dir_;
        const std::string here = (fs::path(lake_scan_dir(dir, scan.started_at, scan.id)) /
                                  lake_file_name(e.shard_no, e.attempt))
                                     .string();
        if (fs::is_regular_file(here, ec)) {
            return here;
        }
        return make_error(ErrorCode::NotFound,
                          "the lake file of shard " + std::to_string(e.shard_no) + " of scan " +
                              std::to_string(scan.id) + " is missing (looked for " + here +
                              "); give this host's lake directory with --lake")
            .at(e.output.uri);
    }

    std::string lake_dir_;
    std::mutex mutex_;
    std::map<std::int64_t, std::shared_ptr<const Manifest>> cache_;
};

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

std::string stored_lake_dir(const std::string& config_json) {
    const auto j = nlohmann::json::parse(config_json, nullptr, false);
    if (j.is_object() && j.contains("distributed") && j["distributed"].is_object() &&
        j["distributed"].contains("lake") && j["distributed"]["lake"].is_string()) {
        return j["distributed"]["lake"].get<std::string>();
    }
    return "";
}

void register_lake_results(std::string lake_dir) {
    if (const char* env = std::getenv("DOMAINGRAPH_LAKE"); lake_dir.empty() && env != nullptr) {
        lake_dir = env;
    }
    store::set_external_results(std::make_shared<LakeResults>(std::move(lake_dir)));
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
