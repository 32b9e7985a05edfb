-- The cryptographic suite (商用密码, GB/T 39786): the algorithms of this database's audit chain,
-- sealed secrets and published scores' integrity codes, chosen once at `init` before the first
-- audit record and never changed (the triggers below), so `audit verify` reads them from here.
-- No row: a database set up before the choice, which is SHA-256/AES ('intl'). `from_seq` is the
-- first audit record hashed with the suite; the few before it (refused logins or setup tokens on
-- a server started on an empty database) are SHA-256.
CREATE TABLE crypto_suite (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    suite TEXT NOT NULL CHECK (suite IN ('intl', 'sm')),
    from_seq BIGINT NOT NULL CHECK (from_seq >= 1),
    chosen_at_ms BIGINT NOT NULL,
    chosen_by TEXT NOT NULL
);
CREATE TRIGGER crypto_suite_no_update BEFORE UPDATE ON crypto_suite
BEGIN
    SELECT RAISE(ABORT, 'the crypto suite is chosen once');
END;
CREATE TRIGGER crypto_suite_no_delete BEFORE DELETE ON crypto_suite
BEGIN
    SELECT RAISE(ABORT, 'the crypto suite is chosen once');
END;

-- A published run's integrity code (完整性校验码): the suite's HMAC, under the secret key, of
-- its month, kind, version, publication date and body (`jianguan_audit::integrity_code`). NULL
-- on drafts and on runs published before this migration.
ALTER TABLE score_runs ADD COLUMN integrity_code TEXT;

-- A check value of the secret key (kept outside the database) the database's sealed secrets and
-- keyed integrity codes were made with: the suite's HMAC of a fixed text under it, written by the
-- first write that uses the key. A write with another key is refused (it would mix two keys),
-- and `audit verify` says "another key" instead of "changed" when the keys differ.
CREATE TABLE secret_key_check (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    check_value TEXT NOT NULL,
    recorded_at_ms BIGINT NOT NULL
);
