-- The monthly assessment (issue 6): scoring schemes per year and version, entered indicator
-- values, the media-coverage register, score runs (drafts, published versions, corrections)
-- and objections with the office's decisions.

-- A year's scoring scheme as the TOML text the office saved; (year, version) is the scheme's
-- own version, so a run keeps pointing at the text it was scored with.
CREATE TABLE scoring_schemes (
    year BIGINT NOT NULL,
    version BIGINT NOT NULL CHECK (version >= 1),
    body TEXT NOT NULL,
    saved_at_ms BIGINT NOT NULL,
    saved_by TEXT NOT NULL,
    PRIMARY KEY (year, version)
);

-- Values entered per indicator, unit and month (YYYY-MM). Append-only: a correction is a new
-- row, and the latest row for an indicator, unit and month counts.
CREATE TABLE indicator_values (
    id BIGINT PRIMARY KEY,
    indicator TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    month TEXT NOT NULL,
    value REAL NOT NULL,
    note TEXT NOT NULL,
    entered_at_ms BIGINT NOT NULL,
    entered_by TEXT NOT NULL
);
CREATE INDEX indicator_values_month ON indicator_values (month);
CREATE TRIGGER indicator_values_no_update BEFORE UPDATE ON indicator_values
BEGIN
    SELECT RAISE(ABORT, 'entered indicator values are append-only');
END;
CREATE TRIGGER indicator_values_no_delete BEFORE DELETE ON indicator_values
BEGIN
    SELECT RAISE(ABORT, 'entered indicator values are append-only');
END;

-- The media-coverage register: a report about the campaign, credited to a unit, with the
-- projects it covers.
CREATE TABLE media_reports (
    id BIGINT PRIMARY KEY,
    outlet TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('central', 'provincial', 'city')),
    on_date TEXT NOT NULL,
    title TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units (id)
);
CREATE INDEX media_reports_on ON media_reports (on_date);
CREATE TABLE media_report_projects (
    report_id BIGINT NOT NULL REFERENCES media_reports (id),
    seq BIGINT NOT NULL,
    project_id BIGINT NOT NULL REFERENCES projects (id),
    PRIMARY KEY (report_id, seq)
);

-- A month's scores for districts or lead units, one row per version. `body` is the JSON of
-- the whole run (inputs, scores, scheme version); the other columns repeat what queries need.
-- A draft may be replaced; a published row is frozen (the triggers below), and a correction
-- is a new published version with a reason.
CREATE TABLE score_runs (
    month TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('district', 'lead_unit')),
    version BIGINT NOT NULL CHECK (version >= 1),
    scheme_year BIGINT NOT NULL,
    scheme_version BIGINT NOT NULL,
    published BIGINT NOT NULL CHECK (published IN (0, 1)),
    published_on TEXT,
    correction_reason TEXT,
    saved_at_ms BIGINT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (month, kind, version),
    FOREIGN KEY (scheme_year, scheme_version) REFERENCES scoring_schemes (year, version),
    CHECK (published = 0 OR published_on IS NOT NULL),
    CHECK (version = 1 OR correction_reason IS NOT NULL)
);
CREATE TRIGGER score_runs_published_no_update BEFORE UPDATE ON score_runs
WHEN OLD.published = 1
BEGIN
    SELECT RAISE(ABORT, 'a published score run is frozen');
END;
CREATE TRIGGER score_runs_published_no_delete BEFORE DELETE ON score_runs
WHEN OLD.published = 1
BEGIN
    SELECT RAISE(ABORT, 'a published score run is frozen');
END;

-- An objection (申诉) to one line of a published run's score card. Append-only; the decision
-- is a row of its own, at most one per objection.
CREATE TABLE objections (
    id BIGINT PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    kind TEXT NOT NULL CHECK (kind IN ('district', 'lead_unit')),
    month TEXT NOT NULL,
    run_version BIGINT NOT NULL,
    line_kind TEXT NOT NULL CHECK (line_kind IN ('indicator', 'deduction', 'bonus')),
    line_code TEXT NOT NULL,
    reason TEXT NOT NULL,
    evidence TEXT NOT NULL,
    filed_on TEXT NOT NULL,
    filed_by TEXT NOT NULL,
    FOREIGN KEY (month, kind, run_version) REFERENCES score_runs (month, kind, version)
);
CREATE INDEX objections_month ON objections (month);
CREATE TABLE objection_decisions (
    objection_id BIGINT PRIMARY KEY REFERENCES objections (id),
    accepted BIGINT NOT NULL CHECK (accepted IN (0, 1)),
    on_date TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    reason TEXT NOT NULL
);
CREATE TRIGGER objections_no_update BEFORE UPDATE ON objections
BEGIN
    SELECT RAISE(ABORT, 'objections are append-only');
END;
CREATE TRIGGER objections_no_delete BEFORE DELETE ON objections
BEGIN
    SELECT RAISE(ABORT, 'objections are append-only');
END;
CREATE TRIGGER objection_decisions_no_update BEFORE UPDATE ON objection_decisions
BEGIN
    SELECT RAISE(ABORT, 'objection decisions are append-only');
END;
CREATE TRIGGER objection_decisions_no_delete BEFORE DELETE ON objection_decisions
BEGIN
    SELECT RAISE(ABORT, 'objection decisions are append-only');
END;
