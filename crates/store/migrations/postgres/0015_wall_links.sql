-- Wall links (大屏链接, issue 19 item 5): a link that opens the wall display alone, without a
-- login, showing what a reader of its scope sees (the whole city, or one district, campaign
-- line or lead unit), until the office revokes it or its expiry day has passed. Only the
-- SHA-256 of the link's random token is kept (as for session tokens); the link itself is shown
-- once, when it is made. Links are revoked, never deleted, so the audit trail keeps naming them.
-- `last_used_ms` is noted at most once an hour per link.
CREATE TABLE wall_links (
    id BIGINT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    scope_kind TEXT NOT NULL,
    scope_unit BIGINT REFERENCES units (id),
    created_by TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    expires_on TEXT,
    revoked_at_ms BIGINT,
    revoked_by TEXT,
    last_used_ms BIGINT
);
