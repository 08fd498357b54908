#include "dg/store/sqlite/sqlite_store.hpp"

#include "dg/store/file_watch.hpp"
#include "dg/store/internal/migrations.hpp"
#include "dg/store/internal/sql_store.hpp"

#include <charconv>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <sqlite3.h>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace dg::store::sqlite {
namespace {

using internal::Row;
using internal::RowFn;
using internal::Value;

/// Maps a SQLite result code to an error with a useful message.
Error sqlite_error(sqlite3* db, int rc, const std::string& path, const std::string& what) {
    const int primary = rc & 0xff;
    std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    ErrorCode code = ErrorCode::Io;
    std::string message;
    switch (primary) {
    case SQLITE_NOTADB:
        code = ErrorCode::Malformed;
        message = "not a SQLite database (" + detail + ")";
        break;
    case SQLITE_CORRUPT:
        code = ErrorCode::Malformed;
        message = "the database file is damaged (" + detail + ")";
        break;
    case SQLITE_INTERRUPT:
        code = ErrorCode::Timeout;
        message = "the query took longer than its time budget and was stopped";
        break;
    case SQLITE_READONLY:
        message =
            db != nullptr && sqlite3_db_readonly(db, "main") == 1
                ? "the database was opened read-only (mode=ro): writes are refused (" + detail + ")"
                : "the database is read-only: check the file's and its directory's "
                  "permissions (" +
                      detail + ")";
        break;
    case SQLITE_CANTOPEN:
        message = "cannot open the database file: does its directory exist and is it writable? (" +
                  detail + ")";
        break;
    case SQLITE_PERM:
    case SQLITE_AUTH:
        message = "permission denied (" + detail + ")";
        break;
    case SQLITE_FULL:
        code = ErrorCode::ResourceExhausted;
        message = "the disk is full (" + detail + ")";
        FileWatch::note_full(path); // watches of this file system say "full" until there is room
        break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        code = ErrorCode::Unavailable;
        message = "the database is locked by another process (" + detail + ")";
        break;
    case SQLITE_CONSTRAINT:
        code = ErrorCode::InvalidArgument;
        message = "constraint violated (" + detail + ")";
        break;
    case SQLITE_IOERR:
        message = "I/O error (" + detail + ")";
        break;
    default:
        code = ErrorCode::Internal;
        message = detail;
        break;
    }
    if (!what.empty()) {
        message = what + ": " + message;
    }
    return make_error(code, std::move(message)).at(path);
}

class SqliteRow final : public Row {
public:
    explicit SqliteRow(sqlite3_stmt* s) : s_(s) {}
    [[nodiscard]] bool is_null(int col) const override {
        return sqlite3_column_type(s_, col) == SQLITE_NULL;
    }
    [[nodiscard]] std::string_view text(int col) const override {
        const auto* p = sqlite3_column_text(s_, col);
        if (p == nullptr) {
            return {};
        }
        return {reinterpret_cast<const char*>(p),
                static_cast<std::size_t>(sqlite3_column_bytes(s_, col))};
    }
    [[nodiscard]] std::int64_t integer(int col) const override {
        return sqlite3_column_int64(s_, col);
    }

private:
    sqlite3_stmt* s_;
};

/// Copies the write-ahead log into the database file on its own thread and connection.
///
/// SQLite's automatic checkpoint runs inside the COMMIT that crosses 1000 WAL pages, on the
/// writer's thread, and ends with an fsync of the database file: a scan's store stage stood still
/// for it (0.6-0.9 s on this machine's disk for the first one), the map and resolve stages backed
/// up behind it, and a 20,000-domain scan took 2.6 s instead of 1.0-1.2 s (issue 12, item 15).
/// Here the writer only signals after such a commit; a PASSIVE checkpoint (it waits for no reader
/// or writer) then runs beside the writer, which keeps appending to the log. After a complete
/// checkpoint the writer's next transaction restarts the log from its beginning, as before.
class Checkpointer {
public:
    static constexpr int kFrames = 1000; ///< SQLite's wal_autocheckpoint default

    explicit Checkpointer(std::string path) : path_(std::move(path)) {}
    ~Checkpointer() {
        {
            const std::lock_guard lock(mutex_);
            stop_ = true;
        }
        wake_.notify_one();
        if (thread_.joinable()) {
            thread_.join();
        }
    }
    Checkpointer(const Checkpointer&) = delete;
    Checkpointer& operator=(const Checkpointer&) = delete;

    /// The WAL hook (the writer's thread, after each commit, with the log's size in pages).
    static int on_commit(void* self, sqlite3* writer, const char* schema, int frames) {
        auto* c = static_cast<Checkpointer*>(self);
        if (frames >= kFrames && !c->request()) {
            // No checkpoint thread (it could not open its connection): as SQLite itself would.
            (void)sqlite3_wal_checkpoint_v2(writer, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                                            nullptr);
        }
        return SQLITE_OK;
    }

private:
    /// Wakes (or starts) the checkpoint thread; false when it is not available.
    bool request() {
        const std::lock_guard lock(mutex_);
        if (failed_) {
            return false;
        }
        if (!thread_.joinable()) {
            thread_ = std::thread([this] { run(); });
        }
        pending_ = true;
        wake_.notify_one();
        return true;
    }

    void run() {
        sqlite3* db = nullptr;
        // A connection learns that the file is in WAL mode (and opens the log) with its first
        // read; before that, SQLite 3.40's checkpoint call silently does nothing.
        if (sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                            nullptr) != SQLITE_OK ||
            sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr) !=
                SQLITE_OK) {
            sqlite3_close_v2(db);
            const std::lock_guard lock(mutex_);
            failed_ = true;
            return;
        }
        std::unique_lock lock(mutex_);
        for (;;) {
            wake_.wait(lock, [&] { return pending_ || stop_; });
            if (stop_) {
                break;
            }
            pending_ = false;
            lock.unlock();
            const int rc =
                sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
            lock.lock();
            if (rc != SQLITE_OK && rc != SQLITE_BUSY && rc != SQLITE_LOCKED) {
                failed_ = true; // the writer checkpoints itself from now on
                break;
            }
        }
        lock.unlock();
        sqlite3_close_v2(db);
    }

    std::string path_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::thread thread_;
    bool pending_ = false;
    bool stop_ = false;
    bool failed_ = false;
};

class SqliteConnection final : public internal::Connection {
public:
    SqliteConnection(sqlite3* db, std::string path)
        : db_(db), path_(std::move(path)), watch_(FileWatch::of_path(path_)) {
        // Every 10,000 virtual-machine steps: is the deadline (set_deadline) past?
        sqlite3_progress_handler(db_, 10000, &SqliteConnection::past_deadline, this);
    }
    void set_deadline(std::chrono::steady_clock::time_point deadline) override {
        deadline_ = deadline;
    }
    ~SqliteConnection() override {
        // The checkpoint thread's connection goes first: the last connection to close moves
        // the rest of the log into the file and removes it.
        checkpointer_.reset();
        for (auto& [sql, entry] : cache_) {
            sqlite3_finalize(entry.stmt);
        }
        sqlite3_close_v2(db_);
    }
    SqliteConnection(const SqliteConnection&) = delete;
    SqliteConnection& operator=(const SqliteConnection&) = delete;
    using internal::Connection::query;

    [[nodiscard]] internal::Dialect dialect() const override { return internal::Dialect::Sqlite; }

    Result<void> exec_script(const std::string& sql) override {
        char* err = nullptr;
        const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
        sqlite3_free(err);
        if (rc != SQLITE_OK) {
            return sqlite_error(db_, rc, path_, "");
        }
        return ok();
    }

    /// A write transaction begins only while the file is the one opened, on a writable file
    /// system: after `rm` a commit would go to the unlinked file and be lost (issue 19 item 7).
    Result<void> begin() override {
        DG_TRY_VOID(watch_.check());
        return exec_script("BEGIN IMMEDIATE");
    }

    /// Checkpoints from now on run on their own thread (Checkpointer), not inside COMMIT.
    void checkpoint_in_background() {
        checkpointer_ = std::make_unique<Checkpointer>(path_);
        sqlite3_wal_hook(db_, &Checkpointer::on_commit, checkpointer_.get());
    }

    Result<void> query(std::string_view sql, std::span<const Value> params,
                       const RowFn& fn) override {
        DG_TRY_VOID(internal::check_params(params));
        DG_TRY(Prepared * prepared, prepare(sql));
        sqlite3_stmt* stmt = prepared->stmt;
        for (std::size_t i = 0; i < params.size(); ++i) {
            const int idx = i < prepared->index.size() ? prepared->index[i] : 0;
            if (idx == 0) {
                continue; // parameter unused by this statement
            }
            int rc = SQLITE_OK;
            const Value& v = params[i];
            if (std::holds_alternative<std::int64_t>(v)) {
                rc = sqlite3_bind_int64(stmt, idx, std::get<std::int64_t>(v));
            } else if (v.index() == 2 || v.index() == 3) {
                const std::string_view s = internal::text_of(v);
                // The parameters outlive the statement's execution (reset below): no copy.
                rc = sqlite3_bind_text64(stmt, idx, s.data(), s.size(), SQLITE_STATIC, SQLITE_UTF8);
            } else {
                rc = sqlite3_bind_null(stmt, idx);
            }
            if (rc != SQLITE_OK) {
                sqlite3_reset(stmt);
                sqlite3_clear_bindings(stmt);
                return sqlite_error(db_, rc, path_, "");
            }
        }
        SqliteRow row(stmt);
        int rc = SQLITE_OK;
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
            if (fn && !fn(row)) {
                rc = SQLITE_DONE;
                break;
            }
        }
        Result<void> out = ok();
        if (rc != SQLITE_DONE) {
            out = sqlite_error(db_, rc, path_, "");
        }
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
        return out;
    }

private:
    /// A statement and, for each $N (N = position + 1), its SQLite parameter index (0: unused).
    struct Prepared {
        sqlite3_stmt* stmt = nullptr;
        std::vector<int> index;
    };

    Result<Prepared*> prepare(std::string_view sql) {
        auto it = cache_.find(sql);
        if (it != cache_.end()) {
            return &it->second;
        }
        Prepared p;
        const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                          SQLITE_PREPARE_PERSISTENT, &p.stmt, nullptr);
        if (rc != SQLITE_OK) {
            return sqlite_error(db_, rc, path_, "");
        }
        const int count = sqlite3_bind_parameter_count(p.stmt);
        for (int idx = 1; idx <= count; ++idx) {
            const char* name = sqlite3_bind_parameter_name(p.stmt, idx);
            std::size_t n = 0;
            if (name != nullptr && name[0] == '$') {
                const std::string_view digits(name + 1);
                std::from_chars(digits.data(), digits.data() + digits.size(), n);
            }
            if (n == 0) {
                sqlite3_finalize(p.stmt);
                return make_error(ErrorCode::Internal, "SQL parameters must be written $1, $2, ...")
                    .at(std::string(sql));
            }
            if (p.index.size() < n) {
                p.index.resize(n, 0);
            }
            p.index[n - 1] = idx;
        }
        // Dynamically built queries (filters) are few distinct texts; cap the cache anyway.
        if (cache_.size() > 256) {
            for (auto& [text, entry] : cache_) {
                sqlite3_finalize(entry.stmt);
            }
            cache_.clear();
        }
        return &cache_.emplace(std::string(sql), std::move(p)).first->second;
    }

    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const {
            return std::hash<std::string_view>{}(s);
        }
    };

    sqlite3* db_;
    std::string path_;
    std::unordered_map<std::string, Prepared, Hash, std::equal_to<>> cache_;
    std::unique_ptr<Checkpointer> checkpointer_;
    FileWatch watch_;
    std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
    static int past_deadline(void* self) {
        const auto& deadline = static_cast<SqliteConnection*>(self)->deadline_;
        return deadline != std::chrono::steady_clock::time_point::max() &&
               std::chrono::steady_clock::now() > deadline;
    }
};

class SqliteStore final : public internal::SqlStore {
public:
    using SqlStore::SqlStore;
    [[nodiscard]] const char* backend() const override { return "sqlite"; }
};

} // namespace

Result<std::unique_ptr<Store>> open(const std::string& path, OpenMode mode) {
    // SQLite's memory statistics take a global mutex around every allocation (a lock and an
    // unlock per row written); nothing here reads them. Only possible before SQLite starts up.
    static const bool memstatus_off = [] {
        return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK;
    }();
    (void)memstatus_off;
    const bool read_only = mode == OpenMode::ReadOnly;
    const int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
                      (mode == OpenMode::ReadWriteCreate ? SQLITE_OPEN_CREATE : 0) |
                      SQLITE_OPEN_NOMUTEX;
    sqlite3* db = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
        if (mode != OpenMode::ReadWriteCreate && (rc & 0xff) == SQLITE_CANTOPEN) {
            sqlite3_close_v2(db);
            return make_error(ErrorCode::Io, std::string("no database file (mode=") +
                                                 (read_only ? "ro" : "rw") +
                                                 " does not create one)")
                .at(path);
        }
        Error e = sqlite_error(db, rc, path, "cannot open database");
        sqlite3_close_v2(db);
        return e;
    }
    auto conn = std::make_unique<SqliteConnection>(db, path);
    if (read_only) {
        sqlite3_busy_timeout(db, 10000);
        sqlite3_extended_result_codes(db, 1);
        for (const char* pragma : {"PRAGMA query_only = ON", "PRAGMA cache_size = -65536",
                                   "PRAGMA temp_store = MEMORY"}) {
            if (auto r = conn->exec_script(pragma); !r) {
                return r.error();
            }
        }
        // No migration on a read-only open: the schema must already be current.
        DG_TRY(const int version, internal::applied_version(*conn));
        const auto all = internal::migrations();
        const int latest = all.empty() ? 0 : all.back().version;
        if (version != latest) {
            return make_error(ErrorCode::Malformed,
                              "the database schema is version " + std::to_string(version) +
                                  ", this domaingraph needs " + std::to_string(latest) +
                                  ": open it once without mode=ro to migrate it")
                .at(path);
        }
        return std::unique_ptr<Store>(std::make_unique<SqliteStore>(std::move(conn)));
    }
    if (sqlite3_db_readonly(db, "main") == 1) {
        return make_error(ErrorCode::Io, "the database file is read-only: check its permissions")
            .at(path);
    }
    sqlite3_busy_timeout(db, 10000);
    sqlite3_extended_result_codes(db, 1);
    // The first statement that reads the file tells a database from anything else.
    std::int64_t objects = 0;
    if (auto r = conn->query("SELECT count(*) FROM sqlite_master", {},
                             [&](const internal::Row& row) {
                                 objects = row.integer(0);
                                 return false;
                             });
        !r) {
        return r.error();
    }
    if (objects == 0) {
        // A new database: 16 KiB pages (SQLite's default is 4 KiB). A scan appends about 1.5 KB
        // per domain; bigger pages mean a quarter of the WAL and checkpoint writes (one system
        // call per page each) and shallower trees. Only possible before the first table.
        if (auto r = conn->exec_script("PRAGMA page_size = 16384"); !r) {
            return r.error();
        }
    }
    for (const char* pragma :
         {"PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL", "PRAGMA foreign_keys = ON",
          "PRAGMA cache_size = -65536", "PRAGMA temp_store = MEMORY"}) {
        if (auto r = conn->exec_script(pragma); !r) {
            return r.error();
        }
    }
    conn->checkpoint_in_background(); // replaces the automatic checkpoint (a WAL hook too)
    if (auto r = internal::migrate(*conn); !r) {
        return r.error();
    }
    return std::unique_ptr<Store>(std::make_unique<SqliteStore>(std::move(conn)));
}

} // namespace dg::store::sqlite
