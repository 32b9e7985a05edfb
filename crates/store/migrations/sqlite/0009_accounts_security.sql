-- Logins that can't be used against users, and passwords people manage (issue 16).

-- When the password was last set (口令定期更换 counts from it; NULL: since the account was made),
-- and whether it must be changed before anything else (after a reset, or once expired).
ALTER TABLE accounts ADD COLUMN password_changed_at_ms BIGINT;
ALTER TABLE accounts ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;

-- Failed logins per (normalised user name, source address), whether or not the name is an
-- account's: the throttle and the 等保 lockout hold per source, so a stranger cannot lock a
-- colleague out. Rows untouched for a day are pruned by the next failure.
CREATE TABLE login_throttle (
    username_key TEXT NOT NULL,
    source TEXT NOT NULL,
    failures BIGINT NOT NULL CHECK (failures >= 0),
    last_failure_ms BIGINT NOT NULL,
    locked_until_ms BIGINT,
    PRIMARY KEY (username_key, source)
);
CREATE INDEX login_throttle_last_failure ON login_throttle (last_failure_ms);

-- The session limit ends an account's oldest sessions first.
CREATE INDEX sessions_account_created ON sessions (account_id, created_at_ms);
