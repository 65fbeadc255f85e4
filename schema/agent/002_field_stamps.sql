-- 002: per-field last-writer-wins stamps of a case (DESIGN.md §4 upsert).
-- A JSON object: field path ("notes", "applicant.address.street") →
-- "<16 hex HLC>:<device id>" of the write that holds the value, set by local
-- edits and by applied downstream upserts; a downstream value is applied only
-- when its stamp is greater, exactly as the hub merges.  '{}' for cases
-- stored before this migration: any downstream value then applies.
ALTER TABLE cases ADD COLUMN stamps TEXT NOT NULL DEFAULT '{}';
