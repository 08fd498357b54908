-- 0010: distributed scans (issue 17, ../shared/design/scale-out.md section 4.3): a scan cut into
-- shards that workers on any host lease (a row with an expiry, claimed with FOR UPDATE SKIP
-- LOCKED on PostgreSQL), fenced by the attempt number; the shard's names live in the database
-- so that a worker needs only a connection string. Owned by src/dg/shards/.

CREATE TABLE scan_shards (
    scan_id BIGINT NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    shard_no INTEGER NOT NULL,
    names_total INTEGER NOT NULL,
    names_done INTEGER NOT NULL DEFAULT 0,   -- only grows: the furthest any attempt got
    attempt_done INTEGER NOT NULL DEFAULT 0, -- names written by the current attempt
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'leased', 'done', 'failed')),
    attempt INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 5,
    leased_by TEXT,
    lease_until BIGINT,
    started_at BIGINT,
    finished_at BIGINT,
    error TEXT,
    -- lake mode: the manifest row (the committed Parquet file of the done attempt) and the
    -- shard's aggregates (JSON: domains, results by status)
    output_uri TEXT,
    output_rows BIGINT,
    output_sha256 TEXT,
    output_stats TEXT,
    PRIMARY KEY (scan_id, shard_no)
);
CREATE INDEX scan_shards_state ON scan_shards (scan_id, state, lease_until);

-- The shard's distinct valid names, sorted, newline-separated (text: the store binds text
-- parameters only; ~20 bytes a name).
CREATE TABLE scan_shard_inputs (
    scan_id BIGINT NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    shard_no INTEGER NOT NULL,
    names TEXT NOT NULL,
    PRIMARY KEY (scan_id, shard_no)
);

-- Workers and their heartbeats (progress shows a dead worker as stale).
CREATE TABLE scan_workers (
    worker_id TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    version TEXT NOT NULL DEFAULT '',
    lease_s INTEGER NOT NULL DEFAULT 30,
    scan_id BIGINT,
    shard_no INTEGER,
    started_at BIGINT NOT NULL,
    heartbeat_at BIGINT NOT NULL
);

-- Names finished per minute, for the progress rate (one row per scan and minute).
CREATE TABLE scan_rate (
    scan_id BIGINT NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    minute BIGINT NOT NULL,
    names INTEGER NOT NULL,
    PRIMARY KEY (scan_id, minute)
);
