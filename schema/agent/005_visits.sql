-- mo-agent store, migration 5: home-visit requests of this laptop's unit
-- (entity `visit`, issue 15).  The hub sends the whole request on every
-- change (hub → laptop); the laptop moves its state with `visit`
-- transitions (laptop → hub).
--
-- `data` is the request as the hub last sent it (the upsert's fields),
-- with the moves of this laptop the hub has acknowledged folded in;
-- `hlc` is the stamp of the write `data` holds, so an older upsert that
-- arrives late changes nothing.  The columns state .. visited_at are what
-- the laptop shows: `data`'s, or a move made here that the hub has not
-- acknowledged yet (`pending` > 0: that many unacknowledged moves).  A move
-- the hub refuses (quarantine) leaves `data` as it was, and the shown state
-- goes back to it.
CREATE TABLE visits (
	id TEXT PRIMARY KEY,
	number TEXT NOT NULL,
	unit TEXT NOT NULL,
	data TEXT NOT NULL,
	hlc TEXT NOT NULL,
	state TEXT NOT NULL,
	scheduled_for TEXT,
	state_reason TEXT,
	visited_at TEXT,
	pending INTEGER NOT NULL DEFAULT 0,
	updated_at TEXT NOT NULL
);
CREATE INDEX visits_number ON visits(number);
CREATE INDEX visits_state ON visits(state);
