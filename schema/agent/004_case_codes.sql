-- mo-agent store, migration 4: the status code printed on each case's
-- receipt (proto/lookup.h).  It stays on this laptop: the hub gets only its
-- scrypt check in the case's `status_check` field.  A case from the hub (made
-- on another laptop) has no row here.
CREATE TABLE case_codes (
	case_id TEXT PRIMARY KEY REFERENCES cases(id),
	code TEXT NOT NULL
) WITHOUT ROWID;
