#include "dg/store/store.hpp"

#include "dg/core/paths.hpp"
#include "dg/store/postgres/postgres_store.hpp"
#include "dg/store/sqlite/sqlite_store.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace dg::store {

namespace {

/// The query of a `sqlite:` URL: only `mode=ro|rw|rwc` (SQLite's URI modes). Before, the whole
/// text was the file name, so `sqlite:///x.db?mode=ro` created a file named "x.db?mode=ro".
Result<sqlite::OpenMode> sqlite_url_mode(std::string_view query, const std::string& url) {
    sqlite::OpenMode mode = sqlite::OpenMode::ReadWriteCreate;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (pair.empty()) {
            continue;
        }
        const auto eq = pair.find('=');
        const std::string_view key = pair.substr(0, eq);
        const std::string_view value =
            eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
        if (key != "mode") {
            return make_error(ErrorCode::InvalidArgument, "unknown sqlite URL parameter '" +
                                                              std::string(key) +
                                                              "' (known: mode=ro|rw|rwc)")
                .at(url);
        }
        if (value == "ro") {
            mode = sqlite::OpenMode::ReadOnly;
        } else if (value == "rw") {
            mode = sqlite::OpenMode::ReadWrite;
        } else if (value == "rwc") {
            mode = sqlite::OpenMode::ReadWriteCreate;
        } else {
            return make_error(ErrorCode::InvalidArgument, "unknown sqlite URL mode '" +
                                                              std::string(value) +
                                                              "' (known: ro, rw, rwc)")
                .at(url);
        }
    }
    return mode;
}

} // namespace

std::string default_database_path() {
    return user_data_dir() + "/domaingraph.db";
}

std::optional<std::string> sqlite_path_of(const std::string& url) {
    if (url.empty()) {
        return default_database_path();
    }
    if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
        return std::nullopt;
    }
    if (!url.starts_with("sqlite:")) {
        return url; // a plain path, taken whole
    }
    std::string path = url.substr(7);
    if (path.starts_with("//")) {
        path = path.substr(2); // sqlite:///abs/path -> /abs/path, sqlite://rel -> rel
    }
    if (const auto q = path.find('?'); q != std::string::npos) {
        path.resize(q); // URI parameters (mode=...) are not part of the file name
    }
    return path;
}

Result<std::unique_ptr<Store>> Store::open(const std::string& url) {
    if (url.empty()) {
        const std::string dir = user_data_dir();
        DG_TRY_VOID(ensure_directory(dir));
        return sqlite::open(default_database_path());
    }
    if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
        return postgres::open(url);
    }
    if (url.starts_with("sqlite:")) {
        const std::string path = *sqlite_path_of(url);
        std::string_view query;
        if (const auto q = url.find('?'); q != std::string::npos) {
            query = std::string_view(url).substr(q + 1);
        }
        if (path.empty()) {
            return make_error(ErrorCode::InvalidArgument,
                              "sqlite URL without a path (use sqlite:///absolute/path.db)")
                .at(url);
        }
        DG_TRY(const sqlite::OpenMode mode, sqlite_url_mode(query, url));
        return sqlite::open(path, mode);
    }
    if (const auto scheme = url.find("://"); scheme != std::string::npos) {
        return make_error(ErrorCode::InvalidArgument,
                          "unsupported database URL scheme '" + url.substr(0, scheme) +
                              "' (use sqlite:///path/file.db, a plain file path, or "
                              "postgresql://user@host:port/database)")
            .at(postgres::redact_url(url));
    }
    return sqlite::open(url);
}

Result<std::vector<StoredResult>> Store::results_vector(std::int64_t scan_id,
                                                        const ResultFilter& filter) {
    std::vector<StoredResult> out;
    DG_TRY_VOID(results(scan_id, filter, [&](const StoredResult& r) {
        out.push_back(r);
        return true;
    }));
    return out;
}

Result<std::vector<std::string>> Store::done_domain_list(std::int64_t scan_id) {
    std::vector<std::string> out;
    DG_TRY_VOID(done_domains(scan_id, [&](const std::string& d) {
        out.push_back(d);
        return true;
    }));
    return out;
}

namespace {

/// FNV-1a over the name from `seed`, then the splitmix64 finaliser so that summing spreads well.
std::uint64_t name_hash(const std::string& name, std::uint64_t seed) {
    std::uint64_t h = seed;
    for (const char c : name) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ULL;
    }
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h;
}

} // namespace

Result<NameSet> name_set(Store& store, std::int64_t scan_id) {
    // A sum of per-name hashes does not depend on the order done_domains streams them in; the
    // names of one scan are distinct, so a sum is a hash of the set.
    std::uint64_t lo = 0;
    std::uint64_t hi = 0;
    NameSet set;
    DG_TRY_VOID(store.done_domains(scan_id, [&](const std::string& name) {
        lo += name_hash(name, 0xcbf29ce484222325ULL);
        hi += name_hash(name, 0x84222325cbf29ce4ULL);
        ++set.count;
        return true;
    }));
    char hex[33];
    std::snprintf(hex, sizeof hex, "%016llx%016llx", static_cast<unsigned long long>(hi),
                  static_cast<unsigned long long>(lo));
    set.hash = std::string("names:") + hex;
    return set;
}

Result<std::vector<model::Scan>> same_input(Store& store, const model::Scan& scan,
                                            const std::vector<model::Scan>& candidates) {
    std::optional<NameSet> mine;
    std::vector<model::Scan> out;
    for (const auto& c : candidates) {
        if (c.id == scan.id) {
            out.push_back(c);
            continue;
        }
        if (c.domains_done != scan.domains_done) {
            continue;
        }
        if (!mine) {
            DG_TRY(mine, name_set(store, scan.id));
        }
        DG_TRY(auto theirs, name_set(store, c.id));
        if (theirs == *mine) {
            out.push_back(c);
        }
    }
    return out;
}

std::string list_of(const model::Scan& scan) {
    if (scan.config_json.empty()) {
        return {};
    }
    const auto config = nlohmann::json::parse(scan.config_json, nullptr, false);
    if (!config.is_object()) {
        return {};
    }
    const auto it = config.find("list");
    return it != config.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Result<std::optional<model::Scan>> previous_of_same_input(Store& store, const model::Scan& scan,
                                                          bool complete_only) {
    DG_TRY(auto all, store.list_scans());
    if (const std::string list = list_of(scan); !list.empty()) {
        // A scan of a named list (a watch): the previous scan of that list, whatever its names.
        for (auto it = all.rbegin(); it != all.rend(); ++it) {
            if (it->id < scan.id && list_of(*it) == list &&
                (!complete_only || it->status == model::ScanStatus::Complete)) {
                return std::optional<model::Scan>(*it);
            }
        }
        return std::optional<model::Scan>();
    }
    std::vector<model::Scan> before;
    for (const auto& s : all) {
        if (s.id == scan.id) {
            break;
        }
        if (!complete_only || s.status == model::ScanStatus::Complete) {
            before.push_back(s);
        }
    }
    // newest first, one candidate at a time: most stores hold the answer in the last few scans
    for (auto it = before.rbegin(); it != before.rend(); ++it) {
        DG_TRY(auto same, same_input(store, scan, {*it}));
        if (!same.empty()) {
            return std::optional<model::Scan>(same.front());
        }
    }
    return std::optional<model::Scan>();
}

} // namespace dg::store
