-- The change log: what each write that bumped the data version changed (`Change::encode`), so a
-- node catches its cached read models up by re-reading only that. Written in the write's own
-- transaction; old entries are pruned, and a node finding a gap re-reads everything.
CREATE TABLE data_changes (
    version BIGINT PRIMARY KEY,
    change TEXT NOT NULL
);
