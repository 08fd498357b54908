#pragma once
// The little a backend must provide so that SqlStore can run the shared SQL: parameterised
// queries streamed row by row, scripts, transactions. Parameters are written $1, $2, ... in both
// dialects (SQLite binds them by name).

#include "dg/core/result.hpp"
#include "dg/core/text_check.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <variant>
#include <vector>

namespace dg::store::internal {

enum class Dialect { Sqlite, Postgres };

/// NULL, an integer, a text, or a text borrowed from the caller (valid during the call).
using Value = std::variant<std::monostate, std::int64_t, std::string, std::string_view>;

inline Value view(std::string_view s) {
    return Value(std::in_place_index<3>, s);
}
inline Value opt_view(const std::optional<std::string_view>& s) {
    return s ? view(*s) : Value();
}
inline Value opt_view(const std::optional<std::string>& s) {
    return opt_view(s ? std::optional<std::string_view>(*s) : std::nullopt);
}
/// The text of a string or string_view Value.
inline std::string_view text_of(const Value& v) {
    return v.index() == 2 ? std::string_view(std::get<2>(v)) : std::get<3>(v);
}

inline Value opt_text(const std::optional<std::string>& s) {
    return s ? Value(*s) : Value();
}
inline Value opt_int(const std::optional<std::int64_t>& v) {
    return v ? Value(*v) : Value();
}

/// The one check every bound text parameter passes on both backends (issue 19 item 8): libpq
/// takes parameters as C strings, so PostgreSQL stored "x\0y" as "x" and looked up
/// "test1.at\0.attacker" as "test1.at", while SQLite kept the whole string. Errors:
/// InvalidArgument.
inline Result<void> check_params(std::span<const Value> params) {
    for (std::size_t i = 0; i < params.size(); ++i) {
        if (params[i].index() == 2 || params[i].index() == 3) {
            DG_TRY_VOID(check_text(text_of(params[i]), "a text value", TextRule::NoNul));
        }
    }
    return ok();
}

/// One row of a result, valid during the callback only.
class Row {
public:
    virtual ~Row() = default;
    [[nodiscard]] virtual bool is_null(int col) const = 0;
    [[nodiscard]] virtual std::string_view text(int col) const = 0; ///< "" for NULL
    [[nodiscard]] virtual std::int64_t integer(int col) const = 0;  ///< 0 for NULL
    [[nodiscard]] std::optional<std::int64_t> opt_integer(int col) const {
        return is_null(col) ? std::nullopt : std::optional<std::int64_t>(integer(col));
    }
};

/// Return false to stop reading rows.
using RowFn = std::function<bool(const Row&)>;

class Connection {
public:
    virtual ~Connection() = default;
    [[nodiscard]] virtual Dialect dialect() const = 0;
    /// Runs statements without parameters (a migration, a pragma, BEGIN).
    virtual Result<void> exec_script(const std::string& sql) = 0;
    /// Runs one statement; `fn` (may be empty) sees each row.
    virtual Result<void> query(std::string_view sql, std::span<const Value> params,
                               const RowFn& fn) = 0;
    /// Starts a write transaction (SQLite: BEGIN IMMEDIATE).
    virtual Result<void> begin() = 0;
    /// Statements still running at `deadline` are cut short with a Timeout error (the server's
    /// query budget per request; time_point::max() = none). PostgreSQL: statement_timeout.
    virtual void set_deadline(std::chrono::steady_clock::time_point deadline) { (void)deadline; }

    Result<void> query(std::string_view sql, std::initializer_list<Value> params,
                       const RowFn& fn = {}) {
        return query(sql, std::span<const Value>(params.begin(), params.size()), fn);
    }
    /// Runs a statement and returns the first column of its first row (NotFound if none).
    Result<std::int64_t> query_int(std::string_view sql, std::initializer_list<Value> params);
    Result<void> commit() { return exec_script("COMMIT"); }
    void rollback() { (void)exec_script("ROLLBACK"); }
};

/// Inserts `n` rows of `width` columns (`fill(row, params)` appends one row's values) with
/// multi-row INSERTs `head` + "($1, ..), (..)" + `tail`: chunks of 64 rows, the rest in chunks of
/// 32, 16, 8, 4, 2 and 1, so that each table has at most 7 statement texts (they stay in the
/// connection's prepared-statement cache; a text per row count re-prepared hundreds of
/// placeholders per batch) and a remainder costs at most 6 round trips (PostgreSQL).
template <class Fill>
Result<void> insert_rows(Connection& c, const char* head, std::size_t width, std::size_t n,
                         const Fill& fill, const char* tail = "", const RowFn& on_row = {}) {
    constexpr std::size_t kMaxRows = 64;
    thread_local std::map<std::tuple<const char*, const char*, std::size_t>, std::string> texts;
    std::vector<Value> params;
    params.reserve(std::min(n, kMaxRows) * width);
    for (std::size_t start = 0; start < n;) {
        std::size_t rows = kMaxRows;
        while (rows > n - start) {
            rows /= 2;
        }
        std::string& sql = texts[{head, tail, rows}];
        if (sql.empty()) {
            sql = head;
            for (std::size_t r = 0; r < rows; ++r) {
                sql += r == 0 ? "(" : ", (";
                for (std::size_t col = 0; col < width; ++col) {
                    if (col != 0) {
                        sql += ", ";
                    }
                    sql += '$';
                    sql += std::to_string(r * width + col + 1);
                }
                sql += ')';
            }
            sql += tail;
        }
        params.clear();
        for (std::size_t r = 0; r < rows; ++r) {
            fill(start + r, params);
        }
        DG_TRY_VOID(c.query(sql, params, on_row));
        start += rows;
    }
    return ok();
}

/// Rolls back unless committed.
class Transaction {
public:
    explicit Transaction(Connection& c) : c_(c) {}
    ~Transaction() {
        if (active_) {
            c_.rollback();
        }
    }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    Result<void> begin() {
        DG_TRY_VOID(c_.begin());
        active_ = true;
        return ok();
    }
    Result<void> commit() {
        active_ = false;
        auto r = c_.commit();
        if (!r) {
            c_.rollback();
        }
        return r;
    }

private:
    Connection& c_;
    bool active_ = false;
};

} // namespace dg::store::internal
