-- 0012: watchlists (issue 18). A watch is a named list scanned on a schedule; each run is a scan
-- of that list (watch_runs), compared with the previous run of the same watch; the changes become
-- alerts, each delivered to the watch's sinks (alert_deliveries: retried with backoff, kept as a
-- dead letter when every attempt failed). Owned by src/dg/watch/.

CREATE TABLE watches (
    name TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 64),
    domains TEXT NOT NULL,           -- the list file (absolute path)
    every_seconds BIGINT NOT NULL,   -- the schedule: one run per interval ...
    cron TEXT NOT NULL DEFAULT '',   -- ... or a cron expression (UTC), when not ''
    settings TEXT NOT NULL DEFAULT '{}', -- scan settings (JSON: resolvers, rate, rib, ...)
    sinks TEXT NOT NULL DEFAULT '[]',    -- alert sinks (JSON array of URLs)
    secret TEXT NOT NULL DEFAULT '',     -- webhook HMAC key ('' = DOMAINGRAPH_WEBHOOK_SECRET)
    rules TEXT NOT NULL DEFAULT '',      -- alert rules (YAML; '' = every change)
    created_at BIGINT NOT NULL,
    next_run_at BIGINT NOT NULL,
    -- the scheduler's lease: one server runs a due watch (as scan_shards' leases)
    leased_by TEXT,
    lease_until BIGINT
);

CREATE TABLE watch_runs (
    scan_id BIGINT PRIMARY KEY REFERENCES scans (id) ON DELETE CASCADE,
    watch TEXT NOT NULL REFERENCES watches (name) ON DELETE CASCADE,
    started_at BIGINT NOT NULL,
    previous_scan BIGINT,            -- the run it was compared with (NULL: the first)
    changes BIGINT NOT NULL DEFAULT 0,
    alerts BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX watch_runs_watch ON watch_runs (watch, scan_id);

CREATE TABLE alerts (
    id TEXT PRIMARY KEY,             -- stable: the same change of the same run has the same id
    watch TEXT NOT NULL REFERENCES watches (name) ON DELETE CASCADE,
    scan_id BIGINT NOT NULL,
    domain TEXT NOT NULL,
    severity TEXT NOT NULL,
    change TEXT NOT NULL,            -- the diff change object (JSON)
    created_at BIGINT NOT NULL,
    change_key TEXT NOT NULL DEFAULT '' -- the same change in any run (rules: dedup)
);
CREATE INDEX alerts_watch ON alerts (watch, created_at);
CREATE INDEX alerts_change_key ON alerts (watch, change_key, created_at);

CREATE TABLE alert_deliveries (
    alert_id TEXT NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    sink TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT,
    delivered_at BIGINT,
    PRIMARY KEY (alert_id, sink)
);
CREATE INDEX alert_deliveries_state ON alert_deliveries (state, next_attempt_at);
