-- mo-hub store, migration 2 (PRAGMA user_version = 2): the staff side.
-- Browser sessions, sign-in throttling, the audit log, and the search index
-- of the review queue.  Applied in one transaction; embedded into mo-hub.

-- one row per signed-in browser; only the SHA-256 of the session id is kept,
-- so a copy of the database does not let anyone sign in
CREATE TABLE sessions (
	hash TEXT PRIMARY KEY,
	login TEXT NOT NULL REFERENCES users(login),
	csrf TEXT NOT NULL,         -- the token every state-changing request must echo
	address TEXT,
	created_ms INTEGER NOT NULL,
	last_ms INTEGER NOT NULL    -- idle timeout counts from here
);
CREATE INDEX sessions_login ON sessions(login);

-- failed sign-ins, counted per login and per address over a sliding window
CREATE TABLE login_failures (
	id INTEGER PRIMARY KEY,
	login TEXT NOT NULL,
	address TEXT NOT NULL,
	at_ms INTEGER NOT NULL
);
CREATE INDEX login_failures_login ON login_failures(login, at_ms);
CREATE INDEX login_failures_address ON login_failures(address, at_ms);

-- who did what to which case or object, append-only
CREATE TABLE audit (
	id INTEGER PRIMARY KEY,
	at TEXT NOT NULL,
	actor TEXT NOT NULL,        -- staff login
	action TEXT NOT NULL,       -- decision, comment, export, device.revoke ...
	target TEXT,                -- case number, device code, unit code, login
	detail TEXT
);

-- Queue search: SQLite's lower() and LIKE fold ASCII only, so the names go
-- through FTS5's unicode61 tokenizer, which folds Cyrillic case
-- ("шевченко" finds "Шевченко").  Diacritics are kept: й/и and ї/і are
-- different letters in Ukrainian.  The FTS rowid comes from case_search_ids
-- (an INTEGER PRIMARY KEY, stable across VACUUM, unlike the implicit rowid
-- of `cases`), and triggers keep the index in step with every write of a
-- case's number or document.
CREATE TABLE case_search_ids (
	rid INTEGER PRIMARY KEY,
	case_id TEXT NOT NULL UNIQUE
);
CREATE VIRTUAL TABLE case_search USING fts5(
	number, surname, given_name, patronymic, rnokpp,
	tokenize = 'unicode61 remove_diacritics 0'
);

CREATE TRIGGER cases_search_insert AFTER INSERT ON cases BEGIN
	INSERT OR IGNORE INTO case_search_ids(case_id) VALUES (new.id);
	INSERT INTO case_search(rowid, number, surname, given_name, patronymic, rnokpp)
	VALUES ((SELECT rid FROM case_search_ids WHERE case_id = new.id), new.number,
		json_extract(new.doc, '$.applicant.surname'),
		json_extract(new.doc, '$.applicant.given_name'),
		json_extract(new.doc, '$.applicant.patronymic'),
		json_extract(new.doc, '$.applicant.rnokpp'));
END;

CREATE TRIGGER cases_search_update AFTER UPDATE OF number, doc ON cases BEGIN
	DELETE FROM case_search
	WHERE rowid = (SELECT rid FROM case_search_ids WHERE case_id = old.id);
	INSERT INTO case_search(rowid, number, surname, given_name, patronymic, rnokpp)
	VALUES ((SELECT rid FROM case_search_ids WHERE case_id = new.id), new.number,
		json_extract(new.doc, '$.applicant.surname'),
		json_extract(new.doc, '$.applicant.given_name'),
		json_extract(new.doc, '$.applicant.patronymic'),
		json_extract(new.doc, '$.applicant.rnokpp'));
END;

-- cases stored before this migration
INSERT INTO case_search_ids(case_id) SELECT id FROM cases;
INSERT INTO case_search(rowid, number, surname, given_name, patronymic, rnokpp)
SELECT m.rid, c.number, json_extract(c.doc, '$.applicant.surname'),
	json_extract(c.doc, '$.applicant.given_name'),
	json_extract(c.doc, '$.applicant.patronymic'),
	json_extract(c.doc, '$.applicant.rnokpp')
FROM cases c JOIN case_search_ids m ON m.case_id = c.id;

-- the reports group by the application's own date
CREATE INDEX cases_created ON cases(json_extract(doc, '$.created_at'));
