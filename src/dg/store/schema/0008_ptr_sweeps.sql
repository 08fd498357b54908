-- 0008: PTR sweeps (issue 13): one row per sweep, one per address swept (exactly one per
-- sweep: the resume invariant), the PTR names in their own table so that a name can be queried
-- back to its addresses. Owned by src/dg/ptr/sweep_store.cpp.

CREATE TABLE ptr_sweeps (
    id {{serial}} PRIMARY KEY,
    status TEXT NOT NULL DEFAULT 'running'
        CHECK (status IN ('running', 'complete', 'interrupted', 'failed')),
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    addresses_total BIGINT NOT NULL DEFAULT 0,
    addresses_done BIGINT NOT NULL DEFAULT 0,
    notes TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    config TEXT NOT NULL DEFAULT '',
    report TEXT NOT NULL DEFAULT ''
);

CREATE TABLE ptr_results (
    sweep_id BIGINT NOT NULL REFERENCES ptr_sweeps (id) ON DELETE CASCADE,
    ip TEXT NOT NULL,
    status TEXT NOT NULL,
    cname TEXT,
    resolver TEXT NOT NULL DEFAULT '',
    attempts BIGINT NOT NULL DEFAULT 0,
    queried_at BIGINT NOT NULL,
    main_status TEXT,
    PRIMARY KEY (sweep_id, ip)
);
CREATE INDEX ptr_results_ip ON ptr_results (ip);

CREATE TABLE ptr_names (
    sweep_id BIGINT NOT NULL REFERENCES ptr_sweeps (id) ON DELETE CASCADE,
    ip TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (sweep_id, ip, name)
);
CREATE INDEX ptr_names_name ON ptr_names (name);
