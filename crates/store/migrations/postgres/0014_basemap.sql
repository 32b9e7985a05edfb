-- The offline basemap (底图, issue 19): roads, railways, water, green areas and place names
-- prepared once from the city's OpenStreetMap extract (or the demo's generated streets) by
-- `jianguan basemap`, kept as a few levels of detail so the maps need no tile server. One
-- basemap per database: `basemap` describes it (its source, what it holds, who prepared it
-- when, and a revision that grows with every replacement, for nodes' caches), and
-- `basemap_levels` holds each level's encoded features. A new basemap replaces the old in one
-- transaction.
CREATE TABLE basemap (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    revision BIGINT NOT NULL,
    source TEXT NOT NULL,
    summary TEXT NOT NULL,
    prepared_at_ms BIGINT NOT NULL,
    prepared_by TEXT NOT NULL
);

CREATE TABLE basemap_levels (
    min_zoom BIGINT PRIMARY KEY,
    body BYTEA NOT NULL
);
