-- 014: public status lookups answered per UTC day (issue 15, the annual
-- report's status_lookups).  Counts only: no number, code or address is kept.
CREATE TABLE public_lookups (
	day TEXT PRIMARY KEY,      -- YYYY-MM-DD (UTC)
	answered INTEGER NOT NULL  -- found or not found; refused for the rate limit are not counted
) WITHOUT ROWID;
