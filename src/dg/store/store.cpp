#include "dg/store/store.hpp"

#include "dg/core/paths.hpp"
#include "dg/store/postgres/postgres_store.hpp"
#include "dg/store/sqlite/sqlite_store.hpp"

namespace dg::store {

std::string default_database_path() {
    return user_data_dir() + "/domaingraph.db";
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
        std::string path = url.substr(7);
        if (path.starts_with("//")) {
            path = path.substr(2); // sqlite:///abs/path -> /abs/path, sqlite://rel -> rel
        }
        if (path.empty()) {
            return make_error(ErrorCode::InvalidArgument,
                              "sqlite URL without a path (use sqlite:///absolute/path.db)")
                .at(url);
        }
        return sqlite::open(path);
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

} // namespace dg::store
