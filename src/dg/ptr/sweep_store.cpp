#include "dg/ptr/sweep_store.hpp"

#include "dg/ptr/output.hpp"
#include "dg/store/internal/connection.hpp"

#include <algorithm>
#include <ctime>

namespace dg::ptr {
namespace {

using store::internal::Row;
using store::internal::Transaction;
using store::internal::Value;
using store::internal::view;

constexpr const char* kSweepColumns = "id, status, started_at, finished_at, addresses_total, "
                                      "addresses_done, notes, source, config, report";

Sweep sweep_of(const Row& r) {
    Sweep s;
    s.id = r.integer(0);
    s.status = r.text(1);
    s.started_at = r.integer(2);
    s.finished_at = r.opt_integer(3);
    s.addresses_total = static_cast<std::uint64_t>(r.integer(4));
    s.addresses_done = static_cast<std::uint64_t>(r.integer(5));
    s.notes = r.text(6);
    s.source = r.text(7);
    s.config = r.text(8);
    s.report = r.text(9);
    return s;
}

constexpr const char* kResultSelect =
    "SELECT r.sweep_id, r.ip, r.status, r.cname, r.resolver, r.attempts, r.queried_at, "
    "r.main_status, n.name FROM ptr_results r LEFT JOIN ptr_names n ON n.sweep_id = r.sweep_id "
    "AND n.ip = r.ip ";

/// Groups the joined rows (one per name) of one address into a result.
class Grouper {
public:
    /// Returns false when the callback asked to stop.
    bool add(const Row& row, const std::function<bool(const StoredPtr&)>& cb) {
        const std::int64_t sweep = row.integer(0);
        const std::string_view ip = row.text(1);
        if (open_ && (sweep != current_.sweep_id || ip != ip_text_)) {
            if (!flush(cb)) {
                return false;
            }
        }
        if (!open_) {
            open_ = true;
            ip_text_ = std::string(ip);
            current_ = StoredPtr{};
            current_.sweep_id = sweep;
            current_.result.ip = IpAddress::parse(ip).value_or(IpAddress());
            current_.result.status = parse_status(row.text(2)).value_or(dns::Status::Malformed);
            current_.result.cname = row.text(3);
            current_.result.resolver = row.text(4);
            current_.result.attempts = static_cast<std::uint32_t>(row.integer(5));
            current_.result.queried_at = row.integer(6);
            if (!row.is_null(7)) {
                current_.result.main_status =
                    parse_status(row.text(7)).value_or(dns::Status::Malformed);
            }
        }
        if (!row.is_null(8)) {
            current_.result.names.emplace_back(row.text(8));
        }
        return true;
    }
    bool flush(const std::function<bool(const StoredPtr&)>& cb) {
        if (!open_) {
            return true;
        }
        open_ = false;
        std::sort(current_.result.names.begin(), current_.result.names.end());
        return cb(current_);
    }

private:
    bool open_ = false;
    std::string ip_text_;
    StoredPtr current_;
};

} // namespace

Error no_such_sweep(std::int64_t id) {
    return make_error(ErrorCode::NotFound, "no PTR sweep " + std::to_string(id) +
                                               " (see 'domaingraph ptr sweeps list')");
}

Result<SweepStore> SweepStore::of(store::Store& store) {
    auto* c = store.sql_connection();
    if (c == nullptr) {
        return make_error(ErrorCode::Unsupported, "this store keeps no PTR sweeps");
    }
    return SweepStore(*c);
}

Result<Sweep> SweepStore::create(const NewSweep& s) {
    DG_TRY_VOID(check_text(s.notes, "'notes'", TextRule::Multiline));
    DG_TRY(std::int64_t id,
           c_->query_int("INSERT INTO ptr_sweeps (status, started_at, addresses_total, notes, "
                         "source, config) VALUES ('running', $1, $2, $3, $4, $5) RETURNING id",
                         {Value(static_cast<std::int64_t>(std::time(nullptr))),
                          Value(static_cast<std::int64_t>(s.addresses_total)), view(s.notes),
                          view(s.source), view(s.config)}));
    return get(id);
}

Result<Sweep> SweepStore::get(std::int64_t id) {
    std::optional<Sweep> out;
    DG_TRY_VOID(c_->query(std::string("SELECT ") + kSweepColumns + " FROM ptr_sweeps WHERE id = $1",
                          {Value(id)}, [&](const Row& r) {
                              out = sweep_of(r);
                              return false;
                          }));
    if (!out) {
        return no_such_sweep(id);
    }
    return *out;
}

Result<std::vector<Sweep>> SweepStore::list() {
    std::vector<Sweep> out;
    DG_TRY_VOID(c_->query(std::string("SELECT ") + kSweepColumns + " FROM ptr_sweeps ORDER BY id",
                          {}, [&](const Row& r) {
                              out.push_back(sweep_of(r));
                              return true;
                          }));
    return out;
}

Result<void> SweepStore::finish(std::int64_t id, const std::string& status,
                                std::int64_t finished_at, const std::string& report) {
    bool found = false;
    Transaction tx(*c_);
    DG_TRY_VOID(tx.begin());
    DG_TRY_VOID(c_->query("UPDATE ptr_sweeps SET status = $2, finished_at = $3, addresses_done = "
                          "(SELECT COUNT(*) FROM ptr_results WHERE sweep_id = $1) WHERE id = $1 "
                          "RETURNING id",
                          {Value(id), view(status), Value(finished_at)}, [&](const Row&) {
                              found = true;
                              return false;
                          }));
    if (!found) {
        return no_such_sweep(id);
    }
    if (!report.empty()) {
        DG_TRY_VOID(c_->query("UPDATE ptr_sweeps SET report = $2 WHERE id = $1",
                              {Value(id), view(report)}));
    }
    return tx.commit();
}

Result<void> SweepStore::set_running(std::int64_t id) {
    bool found = false;
    DG_TRY_VOID(c_->query("UPDATE ptr_sweeps SET status = 'running', finished_at = NULL WHERE id "
                          "= $1 RETURNING id",
                          {Value(id)}, [&](const Row&) {
                              found = true;
                              return false;
                          }));
    return found ? ok() : Result<void>(no_such_sweep(id));
}

Result<void> SweepStore::write(std::int64_t id, std::span<const PtrResult> batch) {
    if (batch.empty()) {
        return ok();
    }
    std::vector<std::string> ips;
    ips.reserve(batch.size());
    for (const auto& r : batch) {
        ips.push_back(r.ip.to_string());
    }
    Transaction tx(*c_);
    DG_TRY_VOID(tx.begin());
    DG_TRY_VOID(store::internal::insert_rows(
        *c_,
        "INSERT INTO ptr_results (sweep_id, ip, status, cname, resolver, attempts, queried_at, "
        "main_status) VALUES ",
        8, batch.size(),
        [&](std::size_t i, std::vector<Value>& params) {
            const PtrResult& r = batch[i];
            params.emplace_back(id);
            params.push_back(view(ips[i]));
            params.push_back(view(dns::status_name(r.status)));
            params.push_back(r.cname.empty() ? Value() : view(r.cname));
            params.push_back(view(r.resolver));
            params.emplace_back(static_cast<std::int64_t>(r.attempts));
            params.emplace_back(r.queried_at);
            params.push_back(r.main_status ? view(dns::status_name(*r.main_status)) : Value());
        },
        " ON CONFLICT (sweep_id, ip) DO UPDATE SET status = excluded.status, cname = "
        "excluded.cname, resolver = excluded.resolver, attempts = excluded.attempts, queried_at = "
        "excluded.queried_at, main_status = excluded.main_status"));
    // names: (sweep, ip, name) rows
    std::vector<std::pair<std::size_t, const std::string*>> names;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        for (const auto& name : batch[i].names) {
            names.emplace_back(i, &name);
        }
    }
    DG_TRY_VOID(store::internal::insert_rows(
        *c_, "INSERT INTO ptr_names (sweep_id, ip, name) VALUES ", 3, names.size(),
        [&](std::size_t k, std::vector<Value>& params) {
            params.emplace_back(id);
            params.push_back(view(ips[names[k].first]));
            params.push_back(view(*names[k].second));
        },
        " ON CONFLICT DO NOTHING"));
    DG_TRY_VOID(
        c_->query("UPDATE ptr_sweeps SET addresses_done = addresses_done + $2 WHERE id = $1",
                  {Value(id), Value(static_cast<std::int64_t>(batch.size()))}));
    return tx.commit();
}

Result<void> SweepStore::names(std::int64_t id,
                               const std::function<void(const IpAddress&, std::string_view)>& cb) {
    DG_TRY_VOID(get(id));
    PtrFilter filter;
    filter.status = "NOERROR";
    return results(id, filter, [&](const PtrResult& r) {
        for (const auto& name : r.names) {
            cb(r.ip, name);
        }
        return true;
    });
}

Result<void> SweepStore::done_addresses(std::int64_t id,
                                        const std::function<bool(std::string_view)>& cb) {
    return c_->query("SELECT ip FROM ptr_results WHERE sweep_id = $1", {Value(id)},
                     [&](const Row& r) { return cb(r.text(0)); });
}

Result<void> SweepStore::results(std::int64_t id, const PtrFilter& filter,
                                 const std::function<bool(const PtrResult&)>& cb) {
    // Page over addresses (not over joined rows): the page is chosen in a subquery.
    std::string sql = std::string(kResultSelect) +
                      "WHERE r.sweep_id = $1 AND r.ip IN (SELECT ip FROM ptr_results WHERE "
                      "sweep_id = $1";
    std::vector<Value> params{Value(id)};
    if (filter.status) {
        sql += " AND status = $2";
        params.push_back(view(*filter.status));
    }
    sql += " ORDER BY ip";
    if (filter.limit > 0 || filter.offset > 0) {
        sql += " LIMIT " + std::to_string(filter.limit > 0 ? filter.limit : (1ULL << 62)) +
               " OFFSET " + std::to_string(filter.offset);
    }
    sql += ") ORDER BY r.ip, n.name";
    if (filter.limit == 0 && filter.offset == 0 && !filter.status) {
        sql = std::string(kResultSelect) + "WHERE r.sweep_id = $1 ORDER BY r.ip, n.name";
    }
    Grouper g;
    bool stopped = false;
    auto each = [&](const StoredPtr& s) { return cb(s.result); };
    DG_TRY_VOID(c_->query(sql, std::span<const Value>(params), [&](const Row& r) {
        if (!g.add(r, each)) {
            stopped = true;
            return false;
        }
        return true;
    }));
    if (!stopped) {
        (void)g.flush(each);
    }
    return ok();
}

Result<std::uint64_t> SweepStore::count(std::int64_t id, const PtrFilter& filter) {
    if (filter.status) {
        DG_TRY(auto n, c_->query_int("SELECT COUNT(*) FROM ptr_results WHERE sweep_id = $1 AND "
                                     "status = $2",
                                     {Value(id), view(*filter.status)}));
        return static_cast<std::uint64_t>(n);
    }
    DG_TRY(auto n,
           c_->query_int("SELECT COUNT(*) FROM ptr_results WHERE sweep_id = $1", {Value(id)}));
    return static_cast<std::uint64_t>(n);
}

Result<std::optional<StoredPtr>> SweepStore::latest(const std::string& ip) {
    std::optional<StoredPtr> out;
    Grouper g;
    auto keep = [&](const StoredPtr& s) {
        out = s;
        return false;
    };
    DG_TRY_VOID(c_->query(std::string(kResultSelect) +
                              "WHERE r.ip = $1 AND r.sweep_id = (SELECT MAX(sweep_id) FROM "
                              "ptr_results WHERE ip = $1) ORDER BY n.name",
                          {view(ip)}, [&](const Row& r) { return g.add(r, keep); }));
    if (!out) {
        (void)g.flush(keep);
    }
    return out;
}

Result<std::vector<StoredPtr>> SweepStore::by_name(const std::string& name) {
    std::vector<StoredPtr> out;
    Grouper g;
    auto keep = [&](const StoredPtr& s) {
        out.push_back(s);
        return true;
    };
    DG_TRY_VOID(c_->query(std::string(kResultSelect) +
                              "WHERE EXISTS (SELECT 1 FROM ptr_names m WHERE m.sweep_id = "
                              "r.sweep_id AND m.ip = r.ip AND m.name = $1) ORDER BY r.sweep_id "
                              "DESC, r.ip, n.name",
                          {view(name)}, [&](const Row& r) { return g.add(r, keep); }));
    (void)g.flush(keep);
    return out;
}

Result<void> SweepStore::remove(std::int64_t id) {
    bool found = false;
    Transaction tx(*c_);
    DG_TRY_VOID(tx.begin());
    // explicit deletes: SQLite enforces ON DELETE CASCADE only with foreign_keys on
    DG_TRY_VOID(c_->query("DELETE FROM ptr_names WHERE sweep_id = $1", {Value(id)}));
    DG_TRY_VOID(c_->query("DELETE FROM ptr_results WHERE sweep_id = $1", {Value(id)}));
    DG_TRY_VOID(c_->query("DELETE FROM ptr_sweeps WHERE id = $1 RETURNING id", {Value(id)},
                          [&](const Row&) {
                              found = true;
                              return false;
                          }));
    if (!found) {
        return no_such_sweep(id);
    }
    return tx.commit();
}

} // namespace dg::ptr
