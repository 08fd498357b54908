#include "dg/shards/shards.hpp"

#include "dg/store/internal/connection.hpp"

#include <algorithm>
#include <cstdio>
#include <xxhash.h>

namespace dg::shards {
namespace {

using store::internal::Connection;
using store::internal::Dialect;
using store::internal::Row;
using store::internal::Transaction;
using store::internal::Value;

Result<Connection*> postgres_connection(store::Store& store) {
    Connection* c = store.sql_connection();
    if (c == nullptr || c->dialect() != Dialect::Postgres) {
        return make_error(ErrorCode::Unsupported,
                          "a distributed scan needs PostgreSQL (--db postgresql://...): workers "
                          "on several hosts share it; SQLite stays the single-machine store");
    }
    return c;
}

std::string join_lines(const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& n : names) {
        out += n;
        out += '\n';
    }
    return out;
}

} // namespace

std::uint32_t shard_of(std::string_view name, std::uint32_t shards) {
    return shards == 0 ? 0
                       : static_cast<std::uint32_t>(XXH64(name.data(), name.size(), 0) % shards);
}

Result<CreatedScan> create_scan(store::Store& store, const store::NewScan& scan,
                                scan::DomainInput& input, const ShardingOptions& options) {
    DG_TRY(Connection * c, postgres_connection(store));
    std::vector<std::string> names;
    CreatedScan out;
    for (;;) {
        auto item = input.next();
        if (!item) {
            out.input_error = item.error();
            out.input = input.stats();
            return out; // nothing stored: the list must be read whole to be partitioned
        }
        if (!*item) {
            break;
        }
        if ((*item)->valid) {
            names.push_back(std::move((*item)->name));
        }
    }
    out.input = input.stats();
    if (names.empty()) {
        return make_error(ErrorCode::InvalidArgument, "the domain list holds no valid name");
    }
    std::uint32_t count = options.shards;
    if (count == 0) {
        const std::uint64_t size = std::max<std::uint32_t>(1, options.shard_size);
        count = static_cast<std::uint32_t>(
            std::min<std::uint64_t>((names.size() + size - 1) / size, 1'000'000));
    }
    std::vector<std::vector<std::string>> parts(count);
    for (std::string& n : names) {
        parts[shard_of(n, count)].push_back(std::move(n));
    }
    store::NewScan ns = scan;
    ns.domains_total = names.size();
    Transaction tx(*c);
    DG_TRY_VOID(tx.begin());
    DG_TRY(auto created, store.create_scan(ns));
    for (std::uint32_t k = 0; k < count; ++k) {
        std::sort(parts[k].begin(), parts[k].end());
        DG_TRY_VOID(
            c->query("INSERT INTO scan_shards (scan_id, shard_no, names_total, "
                     "max_attempts) VALUES ($1, $2, $3, $4)",
                     {Value(created.id), Value(std::int64_t{k}),
                      Value(static_cast<std::int64_t>(parts[k].size())),
                      Value(std::int64_t{std::max<std::uint32_t>(1, options.max_attempts)})}));
        DG_TRY_VOID(
            c->query("INSERT INTO scan_shard_inputs (scan_id, shard_no, names) VALUES ($1, $2, $3)",
                     {Value(created.id), Value(std::int64_t{k}), Value(join_lines(parts[k]))}));
    }
    DG_TRY_VOID(tx.commit());
    out.scan_id = created.id;
    out.shards = count;
    out.names = names.size();
    return out;
}

Result<Coordinator> Coordinator::of(store::Store& store) {
    DG_TRY_VOID(postgres_connection(store));
    return Coordinator(store);
}

Result<std::optional<Lease>> Coordinator::claim(std::optional<std::int64_t> scan_id,
                                                const std::string& worker_id, std::int64_t lease_s,
                                                model::UnixTime now) {
    Connection& c = *store_->sql_connection();
    // Times are whole seconds: a lease until T (now + lease at the last heartbeat) is free from
    // second T on, so a dead holder's shard waits at most `lease` seconds after its last beat.
    // names_done only grows (progress never goes back on a takeover): a new attempt counts its
    // own batches in attempt_done and names_done follows it once it overtakes.
    // expired last attempts are failures, visible as such (scans retry-failed resets them)
    DG_TRY_VOID(c.query("UPDATE scan_shards SET state = 'failed', error = 'lease expired on the "
                        "last attempt' WHERE state = 'leased' AND lease_until <= $1 AND attempt >= "
                        "max_attempts AND ($2::bigint = 0 OR scan_id = $2::bigint)",
                        {Value(now), Value(scan_id.value_or(0))}));
    std::optional<Lease> lease;
    DG_TRY_VOID(
        c.query("UPDATE scan_shards SET state = 'leased', attempt = attempt + 1, leased_by = $2, "
                "lease_until = $3, started_at = $1, attempt_done = 0, error = NULL "
                "WHERE (scan_id, shard_no) = (SELECT s.scan_id, s.shard_no FROM scan_shards s "
                "JOIN scans ON scans.id = s.scan_id AND scans.status = 'running' "
                "WHERE ($4::bigint = 0 OR s.scan_id = $4::bigint) AND (s.state = 'pending' OR "
                "(s.state = 'leased' AND "
                "s.lease_until <= $1)) AND s.attempt < s.max_attempts "
                "ORDER BY s.scan_id, s.shard_no LIMIT 1 FOR UPDATE OF s SKIP LOCKED) "
                "RETURNING scan_id, shard_no, attempt, names_total",
                {Value(now), Value(worker_id), Value(now + lease_s), Value(scan_id.value_or(0))},
                [&](const Row& r) {
                    lease = Lease{r.integer(0), r.integer(1), r.integer(2), r.integer(3)};
                    return false;
                }));
    if (lease) {
        DG_TRY_VOID(worker_heartbeat(worker_id, lease, now));
    }
    return lease;
}

Result<std::vector<std::string>> Coordinator::names(const Lease& lease) {
    std::vector<std::string> out;
    DG_TRY_VOID(store_->sql_connection()->query(
        "SELECT names FROM scan_shard_inputs WHERE scan_id = $1 AND shard_no = $2",
        {Value(lease.scan_id), Value(lease.shard_no)}, [&](const Row& r) {
            const std::string_view text = r.text(0);
            std::size_t start = 0;
            while (start < text.size()) {
                std::size_t end = text.find('\n', start);
                end = end == std::string_view::npos ? text.size() : end;
                if (end > start) {
                    out.emplace_back(text.substr(start, end - start));
                }
                start = end + 1;
            }
            return false;
        }));
    return out;
}

Result<bool> Coordinator::heartbeat(const Lease& lease, std::int64_t lease_s, model::UnixTime now) {
    bool held = false;
    DG_TRY_VOID(store_->sql_connection()->query(
        "UPDATE scan_shards SET lease_until = $4 WHERE scan_id = $1 AND shard_no = $2 AND "
        "attempt = $3 AND state = 'leased' RETURNING 1",
        {Value(lease.scan_id), Value(lease.shard_no), Value(lease.attempt), Value(now + lease_s)},
        [&](const Row&) {
            held = true;
            return false;
        }));
    return held;
}

Result<bool> Coordinator::complete(const Lease& lease, model::UnixTime now,
                                   const ShardOutput* output) {
    Connection& c = *store_->sql_connection();
    Transaction tx(c);
    DG_TRY_VOID(tx.begin());
    bool held = false;
    DG_TRY_VOID(
        c.query("UPDATE scan_shards SET state = 'done', finished_at = $4, lease_until = NULL, "
                "output_uri = $5, output_rows = $6::bigint, output_sha256 = $7, output_stats = $8 "
                "WHERE scan_id = $1 AND shard_no = $2 AND attempt = $3 AND state = 'leased' "
                "RETURNING names_total",
                {Value(lease.scan_id), Value(lease.shard_no), Value(lease.attempt), Value(now),
                 output != nullptr ? Value(output->uri) : Value(),
                 output != nullptr ? Value(static_cast<std::int64_t>(output->rows)) : Value(),
                 output != nullptr ? Value(output->sha256) : Value(),
                 output != nullptr ? Value(output->stats_json) : Value()},
                [&](const Row&) {
                    held = true;
                    return false;
                }));
    if (!held) {
        return false; // the transaction rolls back
    }
    DG_TRY_VOID(
        c.query("INSERT INTO scan_rate (scan_id, minute, names) VALUES ($1, $2, $3) ON "
                "CONFLICT (scan_id, minute) DO UPDATE SET names = scan_rate.names + $3::integer",
                {Value(lease.scan_id), Value(now / 60), Value(lease.names_total)}));
    DG_TRY_VOID(settle_scan(lease.scan_id, now));
    DG_TRY_VOID(tx.commit());
    return true;
}

Result<std::vector<ManifestEntry>> Coordinator::manifest(std::int64_t scan_id) {
    std::vector<ManifestEntry> out;
    DG_TRY_VOID(store_->sql_connection()->query(
        "SELECT shard_no, attempt, output_uri, output_rows, output_sha256, "
        "COALESCE(output_stats, '{}') FROM scan_shards WHERE scan_id = $1 AND state = 'done' "
        "AND output_uri IS NOT NULL ORDER BY shard_no",
        {Value(scan_id)}, [&](const Row& r) {
            ManifestEntry e;
            e.shard_no = r.integer(0);
            e.attempt = r.integer(1);
            e.output.uri = std::string(r.text(2));
            e.output.rows = static_cast<std::uint64_t>(r.integer(3));
            e.output.sha256 = std::string(r.text(4));
            e.output.stats_json = std::string(r.text(5));
            out.push_back(std::move(e));
            return true;
        }));
    return out;
}

Result<std::map<std::int64_t, ShardAttempt>> Coordinator::shard_attempts(std::int64_t scan_id) {
    std::map<std::int64_t, ShardAttempt> out;
    DG_TRY_VOID(store_->sql_connection()->query(
        "SELECT shard_no, state, attempt FROM scan_shards WHERE scan_id = $1", {Value(scan_id)},
        [&](const Row& r) {
            out[r.integer(0)] = ShardAttempt{std::string(r.text(1)), r.integer(2)};
            return true;
        }));
    return out;
}

Result<void> Coordinator::release(const Lease& lease, const std::string& error,
                                  model::UnixTime now) {
    Connection& c = *store_->sql_connection();
    Transaction tx(c);
    DG_TRY_VOID(tx.begin());
    DG_TRY_VOID(
        c.query("UPDATE scan_shards SET state = CASE WHEN attempt >= max_attempts THEN "
                "'failed' ELSE 'pending' END, lease_until = NULL, error = $4 "
                "WHERE scan_id = $1 AND shard_no = $2 AND attempt = $3 AND state = "
                "'leased'",
                {Value(lease.scan_id), Value(lease.shard_no), Value(lease.attempt), Value(error)}));
    DG_TRY_VOID(settle_scan(lease.scan_id, now));
    return tx.commit();
}

Result<void> Coordinator::settle_scan(std::int64_t scan_id, model::UnixTime now) {
    Connection& c = *store_->sql_connection();
    std::int64_t open = 0;
    std::vector<std::int64_t> failed;
    DG_TRY_VOID(c.query("SELECT shard_no, state FROM scan_shards WHERE scan_id = $1 AND state <> "
                        "'done' ORDER BY shard_no",
                        {Value(scan_id)}, [&](const Row& r) {
                            if (r.text(1) == "failed") {
                                failed.push_back(r.integer(0));
                            } else {
                                ++open;
                            }
                            return true;
                        }));
    if (open > 0) {
        return ok();
    }
    if (failed.empty()) {
        return c.query("UPDATE scans SET status = 'complete', finished_at = $2, status_detail = "
                       "'' WHERE id = $1 AND status = 'running'",
                       {Value(scan_id), Value(now)});
    }
    std::string detail = std::to_string(failed.size()) + " shard" +
                         (failed.size() == 1 ? "" : "s") + " failed after their last attempt (";
    for (std::size_t i = 0; i < failed.size() && i < 20; ++i) {
        detail += (i > 0 ? ", " : "") + std::to_string(failed[i]);
    }
    detail += failed.size() > 20 ? ", ...)" : ")";
    detail += "; `domaingraph scans retry-failed " + std::to_string(scan_id) + "` runs them again";
    return c.query("UPDATE scans SET status = 'failed', finished_at = $2, status_detail = $3 "
                   "WHERE id = $1 AND status = 'running'",
                   {Value(scan_id), Value(now), Value(detail)});
}

Result<std::uint64_t> Coordinator::retry_failed(std::int64_t scan_id) {
    Connection& c = *store_->sql_connection();
    Transaction tx(c);
    DG_TRY_VOID(tx.begin());
    std::uint64_t n = 0;
    DG_TRY_VOID(c.query("UPDATE scan_shards SET state = 'pending', max_attempts = attempt + "
                        "max_attempts, error = NULL "
                        "WHERE scan_id = $1 AND state = 'failed' RETURNING 1",
                        {Value(scan_id)}, [&](const Row&) {
                            ++n;
                            return true;
                        }));
    if (n > 0) {
        DG_TRY_VOID(c.query("UPDATE scans SET status = 'running', finished_at = NULL, "
                            "status_detail = '' WHERE id = $1",
                            {Value(scan_id)}));
    }
    DG_TRY_VOID(tx.commit());
    return n;
}

Result<bool> Coordinator::is_distributed(std::int64_t scan_id) {
    auto n = store_->sql_connection()->query_int(
        "SELECT count(*) FROM scan_shards WHERE scan_id = $1", {Value(scan_id)});
    if (!n) {
        return n.error();
    }
    return *n > 0;
}

Result<std::uint64_t> Coordinator::open_shards(std::int64_t scan_id) {
    DG_TRY(const std::int64_t n,
           store_->sql_connection()->query_int("SELECT count(*) FROM scan_shards WHERE scan_id = "
                                               "$1 AND state IN ('pending', 'leased')",
                                               {Value(scan_id)}));
    return static_cast<std::uint64_t>(n);
}

Result<std::vector<std::int64_t>> Coordinator::running_scans() {
    std::vector<std::int64_t> ids;
    DG_TRY_VOID(store_->sql_connection()->query(
        "SELECT s.id FROM scans s WHERE s.status = 'running' AND EXISTS (SELECT 1 FROM "
        "scan_shards h WHERE h.scan_id = s.id) ORDER BY s.id",
        {}, [&](const Row& r) {
            ids.push_back(r.integer(0));
            return true;
        }));
    return ids;
}

Result<Progress> Coordinator::progress(std::int64_t scan_id, model::UnixTime now) {
    Connection& c = *store_->sql_connection();
    DG_TRY(const model::Scan scan, store_->get_scan(scan_id));
    Progress p;
    p.scan_id = scan_id;
    p.status = model::scan_status_name(scan.status);
    DG_TRY_VOID(c.query("SELECT state, count(*), sum(names_total), sum(names_done), "
                        "sum(GREATEST(attempt - 1, 0)) FROM scan_shards WHERE scan_id = $1 GROUP "
                        "BY state",
                        {Value(scan_id)}, [&](const Row& r) {
                            const auto n = static_cast<std::uint64_t>(r.integer(1));
                            const auto total = static_cast<std::uint64_t>(r.integer(2));
                            const std::string_view state = r.text(0);
                            p.names_total += total;
                            p.retries += static_cast<std::uint64_t>(r.integer(4));
                            if (state == "done") {
                                p.done = n;
                                p.names_done += total;
                            } else if (state == "leased") {
                                p.leased = n;
                                p.names_done += std::min<std::uint64_t>(
                                    total, static_cast<std::uint64_t>(r.integer(3)));
                            } else if (state == "failed") {
                                p.failed = n;
                            } else {
                                p.pending = n;
                            }
                            return true;
                        }));
    DG_TRY_VOID(c.query("SELECT shard_no FROM scan_shards WHERE scan_id = $1 AND state = "
                        "'failed' ORDER BY shard_no",
                        {Value(scan_id)}, [&](const Row& r) {
                            p.failed_shards.push_back(r.integer(0));
                            return true;
                        }));
    // names of shards completed in the last full minute and the current one, per second
    std::int64_t recent = 0;
    DG_TRY_VOID(c.query("SELECT COALESCE(sum(names), 0) FROM scan_rate WHERE scan_id = $1 AND "
                        "minute >= $2",
                        {Value(scan_id), Value(now / 60 - 1)}, [&](const Row& r) {
                            recent = r.integer(0);
                            return false;
                        }));
    const double window = 60.0 + static_cast<double>(now % 60);
    p.rate_per_s = static_cast<double>(recent) / window;
    if (p.rate_per_s > 0 && p.names_done < p.names_total) {
        p.eta_s = static_cast<double>(p.names_total - p.names_done) / p.rate_per_s;
    }
    DG_TRY_VOID(
        c.query("SELECT worker_id, host, shard_no, heartbeat_at, lease_s FROM scan_workers WHERE "
                "scan_id = $1 ORDER BY worker_id",
                {Value(scan_id)}, [&](const Row& r) {
                    WorkerState w;
                    w.id = std::string(r.text(0));
                    w.host = std::string(r.text(1));
                    w.shard = r.opt_integer(2);
                    w.heartbeat_age_s = static_cast<double>(now - r.integer(3));
                    // heartbeats come every third of the lease: one missed by
                    // half a lease is a dead (or stopped) worker, shown within a lease
                    w.stale = 2 * (now - r.integer(3)) > r.integer(4);
                    p.workers.push_back(std::move(w));
                    return true;
                }));
    return p;
}

Result<void> Coordinator::register_worker(const WorkerInfo& w, model::UnixTime now) {
    return store_->sql_connection()->query(
        "INSERT INTO scan_workers (worker_id, host, pid, version, lease_s, started_at, "
        "heartbeat_at) VALUES ($1, $2, $3, $4, $6, $5, $5) ON CONFLICT (worker_id) DO UPDATE SET "
        "heartbeat_at = $5",
        {Value(w.id), Value(w.host), Value(w.pid), Value(w.version), Value(now), Value(w.lease_s)});
}

Result<void> Coordinator::worker_heartbeat(const std::string& worker_id,
                                           std::optional<Lease> holding, model::UnixTime now) {
    return store_->sql_connection()->query(
        "UPDATE scan_workers SET heartbeat_at = $2, scan_id = COALESCE($3::bigint, scan_id), "
        "shard_no = $4::integer WHERE worker_id = $1",
        {Value(worker_id), Value(now), holding ? Value(holding->scan_id) : Value(),
         holding ? Value(holding->shard_no) : Value()});
}

Result<std::uint64_t> Coordinator::active_workers(std::int64_t scan_id, std::int64_t window_s,
                                                  model::UnixTime now) {
    DG_TRY(const std::int64_t n, store_->sql_connection()->query_int(
                                     "SELECT count(*) FROM scan_workers WHERE scan_id = $1 AND "
                                     "heartbeat_at >= $2",
                                     {Value(scan_id), Value(now - window_s)}));
    return static_cast<std::uint64_t>(std::max<std::int64_t>(1, n));
}

Result<void> Coordinator::remove_worker(const std::string& worker_id) {
    return store_->sql_connection()->query("DELETE FROM scan_workers WHERE worker_id = $1",
                                           {Value(worker_id)});
}

std::string Progress::to_json() const {
    char buf[64];
    std::string out =
        "{\"scan_id\":" + std::to_string(scan_id) + ",\"status\":\"" + status +
        "\",\"names_total\":" + std::to_string(names_total) +
        ",\"names_done\":" + std::to_string(names_done) +
        ",\"shards\":{\"pending\":" + std::to_string(pending) +
        ",\"leased\":" + std::to_string(leased) + ",\"done\":" + std::to_string(done) +
        ",\"failed\":" + std::to_string(failed) + "},\"retries\":" + std::to_string(retries);
    std::snprintf(buf, sizeof buf, ",\"rate_per_s\":%.1f", rate_per_s);
    out += buf;
    if (eta_s) {
        std::snprintf(buf, sizeof buf, ",\"eta_s\":%.0f", *eta_s);
        out += buf;
    } else {
        out += ",\"eta_s\":null";
    }
    out += ",\"failed_shards\":[";
    for (std::size_t i = 0; i < failed_shards.size(); ++i) {
        out += (i > 0 ? "," : "") + std::to_string(failed_shards[i]);
    }
    out += "],\"workers\":[";
    for (std::size_t i = 0; i < workers.size(); ++i) {
        const WorkerState& w = workers[i];
        std::snprintf(buf, sizeof buf, "%.0f", w.heartbeat_age_s);
        // ids and hosts are ours ("host:pid:hex"), host names carry no quotes
        out += std::string(i > 0 ? "," : "") + "{\"id\":\"" + w.id + "\",\"host\":\"" + w.host +
               "\",\"shard\":" + (w.shard ? std::to_string(*w.shard) : "null") +
               ",\"heartbeat_age_s\":" + buf + ",\"stale\":" + (w.stale ? "true" : "false") + "}";
    }
    out += "]}";
    return out;
}

std::string Progress::to_text() const {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "scan %lld: %s; %llu of %llu names; shards: %llu pending, %llu leased, %llu "
                  "done, %llu failed; %llu retries; %.0f names/s",
                  static_cast<long long>(scan_id), status.c_str(),
                  static_cast<unsigned long long>(names_done),
                  static_cast<unsigned long long>(names_total),
                  static_cast<unsigned long long>(pending), static_cast<unsigned long long>(leased),
                  static_cast<unsigned long long>(done), static_cast<unsigned long long>(failed),
                  static_cast<unsigned long long>(retries), rate_per_s);
    std::string out = buf;
    if (eta_s) {
        std::snprintf(buf, sizeof buf, ", ETA %.0f s", *eta_s);
        out += buf;
    }
    out += "\n";
    for (const WorkerState& w : workers) {
        std::snprintf(buf, sizeof buf, "  worker %s on %s: %s, heartbeat %.0f s ago%s\n",
                      w.id.c_str(), w.host.c_str(),
                      w.shard ? ("shard " + std::to_string(*w.shard)).c_str() : "idle",
                      w.heartbeat_age_s, w.stale ? " (stale: heartbeats stopped)" : "");
        out += buf;
    }
    return out;
}

} // namespace dg::shards
