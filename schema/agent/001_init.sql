-- mo-agent store, migration 1: everything the field laptop keeps.
-- Applied inside one transaction; PRAGMA user_version is set by the store.

-- key/value settings: enrolment (hub, hub_public_key, device, device_code,
-- unit, ...), the current operator, the downstream cursor, the HLC, the
-- case counter, the device state.
CREATE TABLE meta (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE operators (
	name TEXT PRIMARY KEY,
	created_at TEXT NOT NULL
);

-- the service catalogue: seeded from the embedded catalogue, updated by the
-- hub's `service` upserts
CREATE TABLE services (
	code TEXT PRIMARY KEY,
	category TEXT,
	title_uk TEXT NOT NULL DEFAULT '',
	title_en TEXT NOT NULL DEFAULT '',
	fee_uah INTEGER NOT NULL DEFAULT 0,
	required_documents TEXT NOT NULL DEFAULT '[]', -- JSON array
	members TEXT,                                  -- JSON array for a package
	active INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE trips (
	id TEXT PRIMARY KEY,
	unit TEXT NOT NULL,
	settlement TEXT NOT NULL,
	kind TEXT NOT NULL,
	started_at TEXT NOT NULL,
	ended_at TEXT,
	crew TEXT NOT NULL DEFAULT '[]', -- JSON array
	operator TEXT
);

-- one application; `data` is the JSON object of its upsert fields as merged
-- locally (everything but the status, which lives in case_services)
CREATE TABLE cases (
	id TEXT PRIMARY KEY,
	number TEXT NOT NULL UNIQUE,
	status TEXT NOT NULL,
	trip TEXT,
	operator TEXT,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	origin TEXT NOT NULL DEFAULT 'local', -- local | import | hub
	data TEXT NOT NULL
);
CREATE INDEX cases_status ON cases(status);
CREATE INDEX cases_trip ON cases(trip);

CREATE TABLE case_services (
	case_id TEXT NOT NULL REFERENCES cases(id),
	pos INTEGER NOT NULL,
	code TEXT NOT NULL,
	status TEXT NOT NULL,
	PRIMARY KEY (case_id, code)
) WITHOUT ROWID;

-- history: status moves, comments, received decisions; `seen` = 0 for a hub
-- decision the operator has not been shown yet (status)
CREATE TABLE events (
	id INTEGER PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES cases(id),
	at TEXT NOT NULL,
	kind TEXT NOT NULL,      -- transition | comment | created | imported
	from_status TEXT,
	to_status TEXT,
	service TEXT,
	reason TEXT,
	actor TEXT,
	origin TEXT NOT NULL,    -- local | hub
	seen INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX events_case ON events(case_id);
CREATE INDEX events_unseen ON events(seen) WHERE seen = 0;

CREATE TABLE comments (
	id TEXT PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES cases(id),
	text TEXT NOT NULL,
	author TEXT,
	at TEXT NOT NULL,
	origin TEXT NOT NULL
);

CREATE TABLE attachments (
	id TEXT PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES cases(id),
	sha256 TEXT NOT NULL,
	media_type TEXT NOT NULL,
	size INTEGER NOT NULL,
	name TEXT,
	kind TEXT,
	uploaded INTEGER NOT NULL DEFAULT 0,
	origin TEXT NOT NULL DEFAULT 'local'
);
CREATE INDEX attachments_pending ON attachments(uploaded) WHERE uploaded = 0;

CREATE TABLE ratings (
	id TEXT PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES cases(id),
	score INTEGER NOT NULL,
	comment TEXT,
	at TEXT NOT NULL
);

-- the outbox: one row per change, n = 1, 2, 3 ... without gaps (rows are
-- never deleted, so max(n) + 1 inside the writing transaction is gapless).
-- `json` is the change exactly as it goes on the wire.  `batch` is the seq
-- of the frozen batch that carries it; `sent` is set only by a verified ack.
CREATE TABLE outbox (
	n INTEGER PRIMARY KEY,
	entity TEXT NOT NULL,
	entity_id TEXT NOT NULL,
	op TEXT NOT NULL,
	json TEXT NOT NULL,
	operator TEXT,
	batch INTEGER,
	sent INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_unbatched ON outbox(n) WHERE batch IS NULL;
CREATE INDEX outbox_batch ON outbox(batch);

-- frozen upload batches: the exact envelope bytes, stored before sending so
-- a retry after a crash resends identical bytes (a replay, never a fork)
CREATE TABLE batches (
	seq INTEGER PRIMARY KEY,
	first INTEGER NOT NULL,
	last INTEGER NOT NULL,
	count INTEGER NOT NULL,
	prev TEXT NOT NULL,
	hash TEXT NOT NULL,
	raw INTEGER NOT NULL,
	envelope BLOB NOT NULL,
	created_at TEXT NOT NULL,
	acked_at TEXT
);

CREATE TABLE quarantine (
	n INTEGER PRIMARY KEY,
	code TEXT NOT NULL,
	message TEXT NOT NULL,
	at TEXT NOT NULL
);

-- search by name, number or RNOKPP: unicode61 folds Cyrillic case
CREATE VIRTUAL TABLE cases_fts USING fts5(
	case_id UNINDEXED, number, surname, given_name, patronymic, rnokpp, phone,
	tokenize = 'unicode61 remove_diacritics 0'
);
