-- Accounts, sessions and the tamper-evident audit trail.

CREATE TABLE accounts (
    id BIGINT PRIMARY KEY,
    -- NFKC + case-folded user name: `admin`, `Admin` and `ａｄｍｉｎ` are one account.
    username_key TEXT NOT NULL UNIQUE,
    username TEXT NOT NULL,
    display_name TEXT NOT NULL,
    unit_id BIGINT REFERENCES units (id),
    password_hash TEXT NOT NULL,
    totp_secret TEXT,
    -- The last TOTP time step accepted, so a code cannot be used twice.
    totp_last_step BIGINT,
    created_at_ms BIGINT NOT NULL,
    last_login_ms BIGINT,
    expires_on TEXT,
    disabled_at_ms BIGINT,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until_ms BIGINT
);

CREATE TABLE account_roles (
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    role TEXT NOT NULL,
    PRIMARY KEY (account_id, role)
);

-- A session is known by the SHA-256 of its cookie token; the token itself is never stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    created_at_ms BIGINT NOT NULL,
    last_seen_ms BIGINT NOT NULL,
    client TEXT
);
CREATE INDEX sessions_account ON sessions (account_id);

-- Append-only and hash-chained: each record carries the hash of the one before.
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at_ms BIGINT NOT NULL,
    actor TEXT NOT NULL,
    unit TEXT,
    action TEXT NOT NULL,
    object TEXT NOT NULL,
    result TEXT NOT NULL,
    client TEXT,
    changes TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);

-- The database itself refuses to change or remove an audit record.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit records are append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit records are append-only');
END;

-- The audit trail supersedes the ledger's plain change log.
DROP TABLE change_log;
