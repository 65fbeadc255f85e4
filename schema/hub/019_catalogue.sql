-- Catalogue administration (issue 14 item 8).  Each service carries its own
-- version: an editor sends the one it saw, so two admins editing at once get
-- a conflict instead of a lost edit.  Every edit is kept in
-- catalogue_versions, whose `version` is the catalogue's version number
-- (1 is the seed catalogue that ships with mo-hub; each edit adds one).
ALTER TABLE services ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

CREATE TABLE catalogue_versions (
	version INTEGER PRIMARY KEY,        -- the catalogue's version after the edit
	code TEXT NOT NULL,                 -- the service edited
	service_version INTEGER NOT NULL,   -- the service's version after the edit
	actor TEXT NOT NULL,                -- staff login, or cli
	at TEXT NOT NULL,
	old TEXT,                           -- the fields before (JSON); NULL: a new service
	new TEXT NOT NULL                   -- the fields after (JSON), as sent down the feed
);
CREATE INDEX catalogue_versions_code ON catalogue_versions(code, version);
