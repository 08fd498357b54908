-- 0005: the addresses of name-server and mail hosts are stored once per scan (host_addresses),
-- not once per domain that names the host: a zone of millions of domains shares a few thousand
-- NS/MX hosts, so ip_mappings shrinks by most of its rows and writes get faster (issue 4).
-- A domain's NS and MX hosts stay in dns_records (value = host); joining dns_records.value to
-- host_addresses.host of the same scan gives what ip_mappings rows of role 'ns'/'mx' held.
-- The domain's own A/AAAA addresses are in ip_mappings (role 'a'/'aaaa', with TTL) and no longer
-- repeated as dns_records rows; dns_records keeps the records that name hosts: CNAME, NS, MX.

CREATE TABLE host_addresses (
    scan_id BIGINT NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    host TEXT NOT NULL,
    ip TEXT NOT NULL,
    prefix TEXT,
    asn BIGINT,
    origins TEXT NOT NULL DEFAULT '[]',
    org TEXT,
    ttl BIGINT,
    PRIMARY KEY (scan_id, host, ip)
);
CREATE INDEX host_addresses_scan_asn ON host_addresses (scan_id, asn);

-- Scans stored before this migration: move their host addresses over (one row per scan, host
-- and address; within one scan a host has one set of addresses) and drop the duplicates.
INSERT INTO host_addresses (scan_id, host, ip, prefix, asn, origins, org, ttl)
SELECT scan_id, host, ip, MIN(prefix), MIN(asn), MIN(origins), MIN(org), MIN(ttl)
FROM ip_mappings WHERE role IN ('ns', 'mx') AND host IS NOT NULL
GROUP BY scan_id, host, ip;
DELETE FROM ip_mappings WHERE role IN ('ns', 'mx');
DELETE FROM dns_records WHERE type IN ('A', 'AAAA');
