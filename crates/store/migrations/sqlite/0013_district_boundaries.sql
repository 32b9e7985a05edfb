-- District boundaries (区划边界, issue 19): one row per district unit holding its outline as the
-- GeoJSON text of a MultiPolygon geometry in WGS-84 longitude/latitude (rings closed), who
-- imported it and when. An import replaces the whole set in one transaction.
CREATE TABLE district_boundaries (
    unit_id BIGINT PRIMARY KEY REFERENCES units (id),
    geometry TEXT NOT NULL,
    imported_at_ms BIGINT NOT NULL,
    imported_by TEXT NOT NULL
);
