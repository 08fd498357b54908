-- 0001: scans, domains, per-domain results, DNS records, IP mappings, changes.
-- Shared by SQLite and PostgreSQL. Placeholders: {{serial}} = auto-increment primary key type.
-- Times are BIGINT seconds since the Unix epoch (UTC). JSON is stored as TEXT.

CREATE TABLE scans (
    id {{serial}} PRIMARY KEY,
    status TEXT NOT NULL DEFAULT 'running'
        CHECK (status IN ('running', 'complete', 'interrupted', 'failed')),
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    domains_total BIGINT NOT NULL DEFAULT 0,
    domains_done BIGINT NOT NULL DEFAULT 0,
    notes TEXT NOT NULL DEFAULT '',
    rib_path TEXT NOT NULL DEFAULT '',
    rib_hash TEXT NOT NULL DEFAULT '',
    config TEXT NOT NULL DEFAULT ''
);

-- One row per name ever stored; results, changes (and later tags) refer to it.
CREATE TABLE domains (
    id {{serial}} PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    first_seen BIGINT NOT NULL,
    last_seen BIGINT NOT NULL
);

-- Exactly one result per domain per scan (the resume invariant).
CREATE TABLE scan_results (
    id {{serial}} PRIMARY KEY,
    scan_id BIGINT NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    domain_id BIGINT NOT NULL REFERENCES domains (id),
    status TEXT NOT NULL CHECK (length(status) BETWEEN 1 AND 64),
    error TEXT,
    resolved_at BIGINT NOT NULL,
    result TEXT NOT NULL,
    UNIQUE (scan_id, domain_id)
);
-- history of one domain across scans
CREATE INDEX scan_results_domain ON scan_results (domain_id, scan_id);
-- results of a scan filtered by status
CREATE INDEX scan_results_scan_status ON scan_results (scan_id, status);

-- The domain's own records: A/AAAA (value = address), CNAME chain (owner = previous name),
-- NS and MX (value = host). The addresses of NS/MX hosts are in ip_mappings (role ns/mx).
CREATE TABLE dns_records (
    id {{serial}} PRIMARY KEY,
    result_id BIGINT NOT NULL REFERENCES scan_results (id) ON DELETE CASCADE,
    type TEXT NOT NULL CHECK (type IN ('A', 'AAAA', 'CNAME', 'NS', 'MX')),
    owner TEXT NOT NULL,
    value TEXT NOT NULL,
    ttl BIGINT,
    preference INTEGER,
    cname_target TEXT
);
CREATE INDEX dns_records_result ON dns_records (result_id);

-- IP -> prefix -> origin AS (-> organisation) for every address of a result.
-- role: a, aaaa (the domain's own), ns, mx (host = the NS/MX host). origins: JSON array.
CREATE TABLE ip_mappings (
    id {{serial}} PRIMARY KEY,
    result_id BIGINT NOT NULL REFERENCES scan_results (id) ON DELETE CASCADE,
    scan_id BIGINT NOT NULL, -- = the result's scan (denormalised for per-ASN queries)
    role TEXT NOT NULL CHECK (role IN ('a', 'aaaa', 'ns', 'mx')),
    host TEXT,
    ip TEXT NOT NULL,
    prefix TEXT,
    asn BIGINT,
    origins TEXT NOT NULL DEFAULT '[]',
    org TEXT,
    ttl BIGINT
);
CREATE INDEX ip_mappings_result ON ip_mappings (result_id);
-- domains per ASN in a scan; results filtered by ASN
CREATE INDEX ip_mappings_scan_asn ON ip_mappings (scan_id, asn);

-- Differences between two scans (diff). from_value/to_value: JSON texts.
CREATE TABLE changes (
    id {{serial}} PRIMARY KEY,
    scan_a BIGINT NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    scan_b BIGINT NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    domain_id BIGINT NOT NULL REFERENCES domains (id),
    type TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('info', 'warning')),
    from_value TEXT NOT NULL DEFAULT 'null',
    to_value TEXT NOT NULL DEFAULT 'null'
);
CREATE INDEX changes_pair ON changes (scan_a, scan_b, id);
CREATE INDEX changes_scan_b ON changes (scan_b);
CREATE INDEX changes_domain ON changes (domain_id);
