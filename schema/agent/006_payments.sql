-- 006: fees paid on the laptop (issue 15 item 4).  Append-only like the
-- change it is sent as: a correction is a second payment, never an edit.
-- Amounts are integer kopecks.
CREATE TABLE payments (
	id TEXT PRIMARY KEY,        -- the payment change's id
	case_id TEXT NOT NULL REFERENCES cases(id),
	amount_kop INTEGER NOT NULL CHECK (amount_kop > 0),
	method TEXT NOT NULL CHECK (method IN ('cash', 'card', 'bank')),
	receipt TEXT,
	paid_at TEXT NOT NULL,      -- ISO 8601 UTC
	operator TEXT,
	recorded_at TEXT NOT NULL
);
CREATE INDEX payments_case ON payments(case_id);
CREATE TRIGGER payments_no_update BEFORE UPDATE ON payments
BEGIN SELECT RAISE(ABORT, 'payments are append-only'); END;
CREATE TRIGGER payments_no_delete BEFORE DELETE ON payments
BEGIN SELECT RAISE(ABORT, 'payments are append-only'); END;
