-- Day one for a real city (issue 15): units are deactivated, never deleted once referenced;
-- templates carry each step's share of a project's duration and a version, kept in a history;
-- a milestone's planned date may be derived from its template until the plan is approved, and an
-- approved plan change (计划调整) sets an adjusted date beside the baseline; each annual plan has a
-- status (draft → submitted → approved); plan changes are requested and decided.

ALTER TABLE units ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;

ALTER TABLE categories ADD COLUMN template_version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE category_template_steps ADD COLUMN share BIGINT NOT NULL DEFAULT 0 CHECK (share >= 0);

-- Every saved version of a category (name, line, lead unit, template as JSON), for the history page.
CREATE TABLE category_versions (
    category_id BIGINT NOT NULL REFERENCES categories (id),
    version BIGINT NOT NULL CHECK (version >= 1),
    body TEXT NOT NULL,
    saved_at_ms BIGINT NOT NULL,
    saved_by TEXT NOT NULL,
    PRIMARY KEY (category_id, version)
);

ALTER TABLE milestones ADD COLUMN derived BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE milestones ADD COLUMN adjusted_on TEXT;

ALTER TABLE year_plans ADD COLUMN status TEXT NOT NULL DEFAULT 'approved'
    CHECK (status IN ('draft', 'submitted', 'approved'));
ALTER TABLE year_plans ADD COLUMN approved_at_ms BIGINT;
ALTER TABLE year_plans ADD COLUMN approved_by TEXT;
ALTER TABLE year_plans ADD COLUMN adjusted_investment BIGINT;
ALTER TABLE year_plans ADD COLUMN cancelled_on TEXT;

-- 计划调整: a unit asks to change an approved plan; the office approves or rejects. The request's
-- content (new dates per milestone, investment, suspension, cancellation, scope) is JSON.
CREATE TABLE plan_changes (
    id BIGINT PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES projects (id),
    year BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('dates', 'scope', 'investment', 'suspension', 'cancellation')),
    reason TEXT NOT NULL,
    body TEXT NOT NULL,
    attachments TEXT NOT NULL DEFAULT '[]',
    requested_by TEXT NOT NULL,
    requested_unit BIGINT REFERENCES units (id),
    requested_at_ms BIGINT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by TEXT,
    decided_at_ms BIGINT,
    decision_note TEXT
);
CREATE INDEX plan_changes_project ON plan_changes (project_id);
