-- Scheduled jobs run once across web nodes: a node claims a (job, slot) pair with a lease; another
-- node may take it over only after the lease expired without the run finishing.
CREATE TABLE job_runs (
    job TEXT NOT NULL,
    slot TEXT NOT NULL,
    node TEXT NOT NULL,
    claimed_at_ms BIGINT NOT NULL,
    lease_until_ms BIGINT NOT NULL,
    finished_at_ms BIGINT,
    PRIMARY KEY (job, slot)
);
