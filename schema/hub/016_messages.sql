-- 016: status messages to citizens (issue 15 item 3).  One row per message,
-- queued in the same transaction as the case event that caused it; the
-- delivery worker (hub/notify.c) claims a row with a lease, sends it, and
-- records the outcome.  The gateway settings are in meta (notify_*).
CREATE TABLE messages (
	id INTEGER PRIMARY KEY,
	key TEXT NOT NULL UNIQUE,        -- idempotency key: case id + event + seq (messages.c)
	case_id TEXT NOT NULL REFERENCES cases(id),
	unit TEXT NOT NULL,
	event TEXT NOT NULL,             -- received needs_info approved rejected
	seq INTEGER NOT NULL,            -- the case's nth message for that event
	phone TEXT NOT NULL,             -- +380XXXXXXXXX
	text TEXT NOT NULL,
	state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'failed')),
	attempts INTEGER NOT NULL DEFAULT 0,
	next_ms INTEGER NOT NULL DEFAULT 0,     -- not tried before this (ms since the epoch)
	lease_until INTEGER NOT NULL DEFAULT 0, -- a worker holds the row until then
	lease_owner TEXT,
	last_error TEXT,                 -- a code (words: msg_err_*), NULL when none
	last_detail TEXT,                -- "HTTP 503", curl's message ...
	queued_at TEXT NOT NULL,
	tried_at TEXT,
	sent_at TEXT,
	UNIQUE (case_id, event, seq)
);
CREATE INDEX messages_due ON messages(state, next_ms);
CREATE INDEX messages_case ON messages(case_id);
CREATE INDEX messages_sent ON messages(sent_at) WHERE state = 'sent';
