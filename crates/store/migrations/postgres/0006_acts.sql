-- Issue 13: 督办 and 约谈 are acts the command office issues, not rungs of the warnings ladder.
-- A 约谈 is a tracked item of its own kind; an issued act keeps its document number, the
-- projects concerned and, for a 约谈, the attendees and minutes; a proposal the office dismissed
-- is kept (so it is not proposed again within the quiet period, and the decision is
-- attributable).
ALTER TABLE tracked_items DROP CONSTRAINT tracked_items_kind_check;
ALTER TABLE tracked_items ADD CONSTRAINT tracked_items_kind_check
    CHECK (kind IN ('supervision', 'coordination', 'rectification', 'summons'));

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

CREATE TRIGGER item_acts_no_change BEFORE UPDATE OR DELETE ON item_acts
    FOR EACH ROW EXECUTE FUNCTION cadence_history_append_only();
CREATE TRIGGER act_dismissals_no_change BEFORE UPDATE OR DELETE ON act_dismissals
    FOR EACH ROW EXECUTE FUNCTION cadence_history_append_only();
