-- The cadence (issue 5): the warnings' history, tracked items (督办事项, 协调事项, 整改) with their
-- events, photos attached to reports (the bytes live outside the database under their hash),
-- and versioned settings such as the warning rules.

-- One row per change of a milestone's warning level; never updated or deleted.
CREATE TABLE warning_events (
    id BIGINT PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES projects (id),
    milestone_id BIGINT NOT NULL REFERENCES milestones (id),
    unit_id BIGINT NOT NULL REFERENCES units (id),
    district_id BIGINT NOT NULL REFERENCES units (id),
    on_date TEXT NOT NULL,
    previous_level TEXT,
    level TEXT,
    reason TEXT NOT NULL,
    rules_version BIGINT NOT NULL,
    CHECK (previous_level IS NOT NULL OR level IS NOT NULL)
);
CREATE INDEX warning_events_on ON warning_events (on_date);

CREATE TABLE tracked_items (
    id BIGINT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('supervision', 'coordination', 'rectification')),
    title TEXT NOT NULL,
    detail TEXT NOT NULL,
    project_id BIGINT REFERENCES projects (id),
    district_id BIGINT REFERENCES units (id),
    owner_id BIGINT NOT NULL REFERENCES units (id),
    issuer_id BIGINT NOT NULL REFERENCES units (id),
    -- JSON array of the outside bodies involved.
    bodies TEXT NOT NULL,
    topic TEXT NOT NULL,
    source TEXT NOT NULL,
    opened_on TEXT NOT NULL,
    deadline_on TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('district', 'sub_hq', 'hq', 'city_leader')),
    CHECK (opened_on <= deadline_on)
);
CREATE INDEX tracked_items_owner ON tracked_items (owner_id);

-- An item's history; (item_id, seq) is unique, so two writers racing to append the same next
-- event cannot both succeed.
CREATE TABLE item_events (
    item_id BIGINT NOT NULL REFERENCES tracked_items (id),
    seq BIGINT NOT NULL,
    on_date TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    by_name TEXT NOT NULL,
    -- JSON of the action (its kind and fields).
    action TEXT NOT NULL,
    PRIMARY KEY (item_id, seq)
);

CREATE TABLE report_photos (
    report_id BIGINT NOT NULL REFERENCES progress_reports (id),
    sha256 TEXT NOT NULL,
    mime TEXT NOT NULL CHECK (mime IN ('image/jpeg', 'image/png')),
    bytes BIGINT NOT NULL CHECK (bytes > 0),
    PRIMARY KEY (report_id, sha256)
);

CREATE TABLE settings (
    key TEXT NOT NULL,
    version BIGINT NOT NULL CHECK (version >= 1),
    body TEXT NOT NULL,
    saved_at_ms BIGINT NOT NULL,
    saved_by TEXT NOT NULL,
    PRIMARY KEY (key, version)
);

-- Filing compliance reads one period's reports at a time.
CREATE INDEX progress_reports_period ON progress_reports (period_id);

-- Warnings and tracked items' histories are never changed or removed.
CREATE FUNCTION cadence_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER warning_events_no_change BEFORE UPDATE OR DELETE ON warning_events
    FOR EACH ROW EXECUTE FUNCTION cadence_history_append_only();
CREATE TRIGGER item_events_no_change BEFORE UPDATE OR DELETE ON item_events
    FOR EACH ROW EXECUTE FUNCTION cadence_history_append_only();
CREATE TRIGGER tracked_items_no_delete BEFORE DELETE ON tracked_items
    FOR EACH ROW EXECUTE FUNCTION cadence_history_append_only();
