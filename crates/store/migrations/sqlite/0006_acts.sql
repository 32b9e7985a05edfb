-- no-transaction
-- Issue 13: 督办 and 约谈 are acts the command office issues, not rungs of the warnings ladder.
-- A 约谈 is a tracked item of its own kind; an issued act keeps its document number, the
-- projects concerned and, for a 约谈, the attendees and minutes; a proposal the office dismissed
-- is kept (so it is not proposed again within the quiet period, and the decision is
-- attributable). SQLite cannot change a CHECK constraint in place, so tracked_items is rebuilt
-- the documented way (foreign keys off, one transaction, checked before commit).
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE tracked_items_new (
    id BIGINT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('supervision', 'coordination', 'rectification', 'summons')),
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
INSERT INTO tracked_items_new SELECT id, kind, title, detail, project_id, district_id, owner_id,
    issuer_id, bodies, topic, source, opened_on, deadline_on, level FROM tracked_items;
DROP TABLE tracked_items;
ALTER TABLE tracked_items_new RENAME TO tracked_items;
CREATE INDEX tracked_items_owner ON tracked_items (owner_id);
CREATE TRIGGER tracked_items_no_delete BEFORE DELETE ON tracked_items
BEGIN
    SELECT RAISE(ABORT, 'tracked items are never deleted');
END;

CREATE TABLE item_acts (
    item_id BIGINT PRIMARY KEY REFERENCES tracked_items (id),
    document_number TEXT NOT NULL,
    -- JSON array of the project ids concerned.
    projects TEXT NOT NULL,
    attendees TEXT NOT NULL,
    minutes TEXT NOT NULL,
    proposal_key TEXT
);

CREATE TABLE act_dismissals (
    id BIGINT PRIMARY KEY,
    proposal_key TEXT NOT NULL,
    act TEXT NOT NULL CHECK (act IN ('supervision', 'summons')),
    unit_id BIGINT NOT NULL REFERENCES units (id),
    on_date TEXT NOT NULL,
    by_name TEXT NOT NULL,
    reason TEXT NOT NULL
);

CREATE TRIGGER item_acts_no_update BEFORE UPDATE ON item_acts
BEGIN
    SELECT RAISE(ABORT, 'issued acts are never changed');
END;
CREATE TRIGGER item_acts_no_delete BEFORE DELETE ON item_acts
BEGIN
    SELECT RAISE(ABORT, 'issued acts are never changed');
END;
CREATE TRIGGER act_dismissals_no_update BEFORE UPDATE ON act_dismissals
BEGIN
    SELECT RAISE(ABORT, 'dismissals are append-only');
END;
CREATE TRIGGER act_dismissals_no_delete BEFORE DELETE ON act_dismissals
BEGIN
    SELECT RAISE(ABORT, 'dismissals are append-only');
END;
COMMIT;
PRAGMA foreign_keys = ON;
