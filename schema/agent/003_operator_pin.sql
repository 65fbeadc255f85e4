-- mo-agent store, migration 3: a PIN for each operator of a shared laptop
-- (the field UI's sign-in), kept as a salted scrypt hash, and the count of
-- wrong PINs with the time before which no PIN is even checked again.
ALTER TABLE operators ADD COLUMN pin_hash TEXT;
ALTER TABLE operators ADD COLUMN pin_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE operators ADD COLUMN pin_wait_until INTEGER NOT NULL DEFAULT 0; -- unix ms
