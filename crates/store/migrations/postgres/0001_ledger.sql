-- The project ledger: organisation, categories with templates, projects, milestones, annual
-- plans, reporting periods and progress reports, plus the change log that attributes writes.

CREATE TABLE jianguan_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO jianguan_meta (key, value) VALUES ('application', 'jianguan');

-- Bumped by every write transaction, so readers can cache what they derive from the data.
CREATE TABLE data_version (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO data_version (id, version) VALUES (1, 0);

CREATE TABLE units (
    id BIGINT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('command_hq', 'sub_hq', 'lead_unit', 'district', 'responsible_unit')),
    name TEXT NOT NULL,
    parent_id BIGINT REFERENCES units (id)
);

CREATE TABLE categories (
    id BIGINT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    sub_hq_id BIGINT NOT NULL REFERENCES units (id),
    lead_unit_id BIGINT NOT NULL REFERENCES units (id)
);

CREATE TABLE category_template_steps (
    category_id BIGINT NOT NULL REFERENCES categories (id),
    seq BIGINT NOT NULL,
    name TEXT NOT NULL,
    weight BIGINT NOT NULL CHECK (weight >= 0),
    enters TEXT,
    PRIMARY KEY (category_id, seq)
);

CREATE TABLE projects (
    id BIGINT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    category_id BIGINT NOT NULL REFERENCES categories (id),
    sub_category TEXT,
    district_id BIGINT NOT NULL REFERENCES units (id),
    street TEXT NOT NULL,
    lead_unit_id BIGINT NOT NULL REFERENCES units (id),
    responsible_unit_id BIGINT NOT NULL REFERENCES units (id),
    sub_hq_id BIGINT NOT NULL REFERENCES units (id),
    build_type TEXT NOT NULL CHECK (build_type IN ('new', 'renovation', 'remediation')),
    households BIGINT,
    area_m2 BIGINT,
    parking_spaces BIGINT,
    toilets BIGINT,
    length_m BIGINT,
    total_investment BIGINT NOT NULL,
    funding_source TEXT NOT NULL,
    lon DOUBLE PRECISION,
    lat DOUBLE PRECISION,
    suspended_on TEXT
);
CREATE INDEX projects_category ON projects (category_id);
CREATE INDEX projects_district ON projects (district_id);

CREATE TABLE year_plans (
    project_id BIGINT NOT NULL REFERENCES projects (id),
    year BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('construction', 'preliminary')),
    planned_investment BIGINT NOT NULL,
    PRIMARY KEY (project_id, year)
);

CREATE TABLE milestones (
    id BIGINT PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES projects (id),
    seq BIGINT NOT NULL,
    name TEXT NOT NULL,
    weight BIGINT NOT NULL CHECK (weight >= 0),
    enters TEXT,
    planned_on TEXT NOT NULL,
    actual_on TEXT,
    UNIQUE (project_id, seq)
);

CREATE TABLE reporting_periods (
    id BIGINT PRIMARY KEY,
    year BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    start_on TEXT NOT NULL,
    end_on TEXT NOT NULL,
    deadline_on TEXT NOT NULL,
    UNIQUE (year, seq),
    CHECK (start_on <= end_on)
);

CREATE TABLE progress_reports (
    id BIGINT PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES projects (id),
    period_id BIGINT NOT NULL REFERENCES reporting_periods (id),
    version BIGINT NOT NULL CHECK (version >= 1),
    filed_on TEXT NOT NULL,
    investment_to_date BIGINT NOT NULL,
    note TEXT NOT NULL,
    correction_reason TEXT,
    UNIQUE (project_id, period_id, version),
    CHECK (version = 1 OR correction_reason IS NOT NULL)
);

CREATE TABLE report_milestones (
    report_id BIGINT NOT NULL REFERENCES progress_reports (id),
    milestone_id BIGINT NOT NULL REFERENCES milestones (id),
    reached_on TEXT NOT NULL,
    PRIMARY KEY (report_id, milestone_id)
);

CREATE TABLE report_problems (
    report_id BIGINT NOT NULL REFERENCES progress_reports (id),
    seq BIGINT NOT NULL,
    description TEXT NOT NULL,
    needs_coordination_with TEXT,
    PRIMARY KEY (report_id, seq)
);

-- Who wrote what, when. (The tamper-evident audit trail of the accounts issue builds on it.)
CREATE TABLE change_log (
    id BIGSERIAL PRIMARY KEY,
    at_ms BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    object TEXT NOT NULL,
    detail TEXT NOT NULL
);
