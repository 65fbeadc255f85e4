-- mo-hub store, migration 5: staff accounts and sign-in throttling that an
-- attacker cannot turn against staff.  Additive; applied in one transaction.

-- where each login has signed in successfully (the address the hub saw):
-- a known address of a login passes the login-wide and address-wide delays
-- (it still has its own per-login-and-address delay), so an attack on a
-- login from many addresses, or from the proxy all staff share, does not
-- keep the owner out
CREATE TABLE login_known (
	login TEXT NOT NULL,
	address TEXT NOT NULL,
	last_ms INTEGER NOT NULL,
	PRIMARY KEY (login, address)
);

-- failures of one login from one address (the finest throttle)
CREATE INDEX login_failures_pair ON login_failures(login, address, at_ms);

-- when the password last changed (audit and the admin page)
ALTER TABLE users ADD COLUMN password_changed_at TEXT;
