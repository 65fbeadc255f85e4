-- Ownership (issue 10, items 3, 4, 6 and 10): additive.
--
-- Change numbers without gaps across batches (DESIGN §4): the last change
-- number applied for each device.  NULL = not known (a device that synced
-- before this migration): its next batch sets it.
ALTER TABLE devices ADD COLUMN last_n INTEGER DEFAULT 0;
UPDATE devices SET last_n = NULL WHERE last_seq > 0;

-- Case numbers are unique.  A hub that ran before this migration may hold
-- duplicates (a laptop that took another unit's number): they are kept
-- (legal records) but marked, and lookups by number skip them.  The row kept
-- is the one whose number starts with its own device code, else the oldest.
ALTER TABLE cases ADD COLUMN number_dup INTEGER NOT NULL DEFAULT 0;
UPDATE cases SET number_dup = 1
WHERE number IS NOT NULL
  AND (device IS NULL OR substr(number, 1, length(device) + 1) <> device || '-')
  AND EXISTS (SELECT 1 FROM cases c2 WHERE c2.number = cases.number AND c2.id <> cases.id);
UPDATE cases SET number_dup = 1
WHERE number IS NOT NULL AND number_dup = 0
  AND EXISTS (SELECT 1 FROM cases c2 WHERE c2.number = cases.number AND c2.number_dup = 0
	      AND (c2.created_at < cases.created_at
		   OR (c2.created_at = cases.created_at AND c2.id < cases.id)));
CREATE UNIQUE INDEX cases_number_unique ON cases(number) WHERE number_dup = 0;

-- Blob request nonces seen, kept until the request's time has left the
-- accepted window (then a replay fails the time check anyway).
CREATE TABLE blob_nonces (
	device TEXT NOT NULL,
	nonce TEXT NOT NULL,
	expires_ms INTEGER NOT NULL,
	PRIMARY KEY (device, nonce)
) WITHOUT ROWID;
CREATE INDEX blob_nonces_expiry ON blob_nonces(expires_ms);

-- Who uploaded which blob.  A unit may use a blob (HEAD shows it complete,
-- an attachment may name it) only when one of its devices uploaded and
-- verified the bytes itself.  `partial` rows are uploads in progress (the
-- bytes in DATA/blobs/partial/<device>.<sha256>); `referenced` becomes 1
-- when an attachment of the unit names the blob.  Quotas count a device's
-- partial and unreferenced rows; both expire (hub/blobs.c).
CREATE TABLE blob_uploads (
	sha256 TEXT NOT NULL,
	device TEXT NOT NULL,
	unit TEXT NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('partial', 'complete')),
	bytes INTEGER NOT NULL,
	total INTEGER NOT NULL,
	referenced INTEGER NOT NULL DEFAULT 0,
	created_ms INTEGER NOT NULL,
	updated_ms INTEGER NOT NULL,
	PRIMARY KEY (sha256, device)
) WITHOUT ROWID;
CREATE INDEX blob_uploads_unit ON blob_uploads(unit, sha256);
CREATE INDEX blob_uploads_device ON blob_uploads(device, state, referenced);
CREATE INDEX blob_uploads_updated ON blob_uploads(updated_ms);

-- blobs already named by an attachment belong to the unit of that case
INSERT OR IGNORE INTO blob_uploads(sha256, device, unit, state, bytes, total, referenced,
				   created_ms, updated_ms)
SELECT json_extract(a.fields, '$.sha256'), coalesce(a.device, ''), c.unit, 'complete',
       coalesce(json_extract(a.fields, '$.size'), 0), coalesce(json_extract(a.fields, '$.size'), 0),
       1, CAST(strftime('%s', 'now') AS INTEGER) * 1000, CAST(strftime('%s', 'now') AS INTEGER) * 1000
FROM appends a JOIN cases c ON c.id = a.case_id
WHERE a.entity = 'attachment' AND json_extract(a.fields, '$.sha256') IS NOT NULL;
