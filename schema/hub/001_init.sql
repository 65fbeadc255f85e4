-- mo-hub store, migration 1 (PRAGMA user_version = 1).
-- Applied in one transaction by hub/store_sqlite.c; embedded into mo-hub.
-- HLCs are stored as INTEGER: (unix_ms << 16) | counter stays below 2^63
-- for any clock the hub accepts (at most 24 h ahead of its own).

-- key/value settings: hub_id, hlc, created_at
CREATE TABLE meta (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

CREATE TABLE units (
	code TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('office', 'case', 'truck', 'bus')),
	created_at TEXT NOT NULL
);

-- one-time enrolment tokens; only the SHA-256 of a token is kept
CREATE TABLE enroll_tokens (
	hash TEXT PRIMARY KEY,
	unit TEXT NOT NULL REFERENCES units(code),
	created_at TEXT NOT NULL,
	expires_ms INTEGER NOT NULL,
	used_ms INTEGER,
	device TEXT
);

CREATE TABLE devices (
	id TEXT PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	unit TEXT NOT NULL REFERENCES units(code),
	public_key BLOB NOT NULL,
	hostname TEXT,
	operator TEXT,
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
	flag TEXT,              -- why staff must look (seq_conflict ...), NULL when fine
	enrolled_at TEXT NOT NULL,
	revoked_at TEXT,
	last_seen_at TEXT,
	last_seq INTEGER NOT NULL DEFAULT 0,
	last_hash TEXT NOT NULL
		DEFAULT '0000000000000000000000000000000000000000000000000000000000000000',
	cursor INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX devices_unit ON devices(unit);

-- the audit chain: every applied batch, exactly once per (device, seq)
CREATE TABLE batches (
	device TEXT NOT NULL REFERENCES devices(id),
	seq INTEGER NOT NULL,
	hash TEXT NOT NULL,
	prev TEXT NOT NULL,
	bytes INTEGER NOT NULL,
	raw INTEGER NOT NULL,
	count INTEGER NOT NULL,
	hlc INTEGER NOT NULL,
	received_at TEXT NOT NULL,
	apply_ms INTEGER NOT NULL,
	quarantined TEXT NOT NULL, -- JSON [{"n","code","message"}], replayed verbatim
	PRIMARY KEY (device, seq)
) WITHOUT ROWID;

CREATE TABLE users (
	login TEXT PRIMARY KEY,
	role TEXT NOT NULL CHECK (role IN ('reviewer', 'supervisor', 'admin')),
	password_hash TEXT NOT NULL,
	created_at TEXT NOT NULL,
	disabled INTEGER NOT NULL DEFAULT 0
);

-- the service catalogue (fields as sent down to laptops)
CREATE TABLE services (
	code TEXT PRIMARY KEY,
	fields TEXT NOT NULL,
	hlc INTEGER NOT NULL,
	updated_at TEXT NOT NULL
);

CREATE TABLE trips (
	id TEXT PRIMARY KEY,
	unit TEXT NOT NULL,
	device TEXT,
	doc TEXT NOT NULL,      -- materialised fields (JSON object)
	updated_at TEXT NOT NULL
);

CREATE TABLE cases (
	id TEXT PRIMARY KEY,
	number TEXT,
	unit TEXT NOT NULL,
	device TEXT,
	status TEXT NOT NULL,
	doc TEXT NOT NULL,      -- materialised upsert fields (JSON object)
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX cases_number ON cases(number);
CREATE INDEX cases_unit_status ON cases(unit, status);
CREATE INDEX cases_status ON cases(status);

-- each service of a case carries its own status (package applications)
CREATE TABLE case_services (
	case_id TEXT NOT NULL REFERENCES cases(id),
	pos INTEGER NOT NULL,
	code TEXT NOT NULL,
	status TEXT NOT NULL,
	PRIMARY KEY (case_id, code)
) WITHOUT ROWID;

-- last-writer-wins registers: one per leaf field path ("applicant.surname"),
-- won by the greater (hlc, device)
CREATE TABLE fields (
	entity TEXT NOT NULL,
	entity_id TEXT NOT NULL,
	path TEXT NOT NULL,
	value TEXT NOT NULL,    -- JSON
	hlc INTEGER NOT NULL,
	device TEXT NOT NULL,
	PRIMARY KEY (entity, entity_id, path)
) WITHOUT ROWID;

-- append-only records (comment, attachment, rating), inserted once by id
CREATE TABLE appends (
	id TEXT PRIMARY KEY,
	entity TEXT NOT NULL,
	case_id TEXT NOT NULL,
	device TEXT,
	hlc INTEGER NOT NULL,
	fields TEXT NOT NULL,
	received_at TEXT NOT NULL
);
CREATE INDEX appends_case ON appends(case_id);

-- case history: transitions and comments, with actor and time
CREATE TABLE events (
	id INTEGER PRIMARY KEY,
	case_id TEXT NOT NULL,
	kind TEXT NOT NULL,     -- transition | comment | attachment | rating
	from_status TEXT,
	to_status TEXT,
	service TEXT,
	reason TEXT,
	actor TEXT NOT NULL,    -- device code, "hub", or a staff login
	hlc INTEGER NOT NULL,
	at TEXT NOT NULL
);
CREATE INDEX events_case ON events(case_id, id);

-- changes the hub could not accept, kept for staff with their reason
CREATE TABLE quarantine (
	id INTEGER PRIMARY KEY,
	device TEXT NOT NULL,
	batch_seq INTEGER NOT NULL,
	n INTEGER NOT NULL,
	entity TEXT,
	entity_id TEXT,
	op TEXT,
	code TEXT NOT NULL,
	message TEXT NOT NULL,
	change TEXT NOT NULL,
	received_at TEXT NOT NULL,
	resolved_at TEXT,
	resolved_by TEXT
);
CREATE INDEX quarantine_entity ON quarantine(entity_id);

-- the one ordered downstream feed; seq is a device's cursor
CREATE TABLE feed (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	unit TEXT,              -- NULL: for every unit (catalogue)
	origin TEXT,            -- device id it came from; NULL: the hub
	entity TEXT NOT NULL,
	entity_id TEXT NOT NULL,
	op TEXT NOT NULL,
	hlc INTEGER NOT NULL,
	fields TEXT NOT NULL,
	at TEXT NOT NULL
);
CREATE INDEX feed_unit ON feed(unit, seq);
