-- 0006: why a scan is not complete (issue 12): a scan whose domain list was damaged (a truncated
-- .gz) is stored as failed with the reason, and is resumable once the list is fixed; the reason
-- is cleared when the scan runs again or completes.
ALTER TABLE scans ADD COLUMN status_detail TEXT NOT NULL DEFAULT '';
