-- the unit's phone for the citizen's receipt (sent to its laptops at enrolment)
ALTER TABLE units ADD COLUMN phone TEXT;
