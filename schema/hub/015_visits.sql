-- 015: home-visit requests (issue 15 item 1; docs/vocabulary.md "visit").
-- Staff create them on the hub; the hub sends each change to the laptops of
-- the visit's unit only, and applies the state moves those laptops send.
CREATE TABLE visits (
	id TEXT PRIMARY KEY,              -- UUID
	number TEXT NOT NULL UNIQUE,      -- В-2026-000001, made by the hub per (Kyiv) year
	year INTEGER NOT NULL,
	seq INTEGER NOT NULL,             -- the number's position within its year
	unit TEXT NOT NULL REFERENCES units(code),
	surname TEXT NOT NULL DEFAULT '',
	given_name TEXT NOT NULL DEFAULT '',
	patronymic TEXT NOT NULL DEFAULT '',
	phone TEXT,                       -- +380XXXXXXXXX
	address TEXT NOT NULL DEFAULT '{}', -- the applicant's address object (JSON)
	mobility TEXT,
	reason TEXT NOT NULL DEFAULT '',
	services TEXT NOT NULL DEFAULT '[]', -- JSON array of service codes
	preferred_date TEXT,              -- YYYY-MM-DD
	note TEXT NOT NULL DEFAULT '',
	state TEXT NOT NULL DEFAULT 'requested'
		CHECK (state IN ('requested', 'scheduled', 'visited', 'cancelled')),
	state_reason TEXT,                -- why cancelled
	scheduled_for TEXT,               -- YYYY-MM-DD
	requested_at TEXT NOT NULL,       -- ISO 8601 UTC
	visited_at TEXT,
	created_by TEXT NOT NULL,         -- staff login
	updated_at TEXT NOT NULL,
	UNIQUE (year, seq)
);
CREATE INDEX visits_unit_state ON visits(unit, state);
CREATE INDEX visits_requested ON visits(requested_at);

-- the cases recorded from a visit (case field `visit`)
CREATE INDEX cases_visit ON cases(json_extract(doc, '$.visit'))
	WHERE json_extract(doc, '$.visit') IS NOT NULL;
