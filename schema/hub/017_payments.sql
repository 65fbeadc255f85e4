-- 017: fees and payments (issue 15 item 4).  Append-only: a correction is a
-- second payment, never an edit, and the triggers refuse UPDATE and DELETE.
-- Amounts are integer kopecks; no floating point anywhere on the money path.
CREATE TABLE payments (
	id TEXT PRIMARY KEY,        -- the laptop's change id, or 'bank:' || the bank's id
	case_id TEXT NOT NULL,
	unit TEXT NOT NULL,         -- the case's unit when it was paid
	amount_kop INTEGER NOT NULL CHECK (amount_kop > 0),
	method TEXT NOT NULL CHECK (method IN ('cash', 'card', 'bank')),
	receipt TEXT,
	paid_at TEXT NOT NULL,      -- ISO 8601 UTC
	source TEXT NOT NULL CHECK (source IN ('device', 'bank')),
	device TEXT,                -- the sending device's id (source 'device')
	hlc INTEGER,
	recorded_at TEXT NOT NULL
);
CREATE INDEX payments_case ON payments(case_id);
CREATE INDEX payments_unit ON payments(unit);

-- every row of every imported bank statement, matched to a case or not;
-- the bank's transaction id makes a re-import skip it
CREATE TABLE bank_rows (
	txn_id TEXT PRIMARY KEY,
	booked_on TEXT NOT NULL,    -- YYYY-MM-DD
	amount_kop INTEGER NOT NULL CHECK (amount_kop > 0),
	purpose TEXT NOT NULL,
	case_id TEXT,               -- NULL: no case number found in the purpose
	file TEXT,
	imported_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX bank_rows_unmatched ON bank_rows(booked_on) WHERE case_id IS NULL;

CREATE TRIGGER payments_no_update BEFORE UPDATE ON payments
BEGIN SELECT RAISE(ABORT, 'payments are append-only'); END;
CREATE TRIGGER payments_no_delete BEFORE DELETE ON payments
BEGIN SELECT RAISE(ABORT, 'payments are append-only'); END;
CREATE TRIGGER bank_rows_no_update BEFORE UPDATE ON bank_rows
BEGIN SELECT RAISE(ABORT, 'bank rows are append-only'); END;
CREATE TRIGGER bank_rows_no_delete BEFORE DELETE ON bank_rows
BEGIN SELECT RAISE(ABORT, 'bank rows are append-only'); END;
