-- A real city's walking inputs (issue 19): the walking network read from the same OpenStreetMap
-- extract as the basemap, the facilities its tags name, and the residents given with it
-- (`jianguan basemap --osm … --population …`), so the coverage pages walk the city's own
-- streets rather than the demo's generated ones. One row, encoded by jianguan_geo::walk_city,
-- stored and replaced with the basemap in its transaction (and under its revision); absent
-- when the basemap came without residents.
CREATE TABLE basemap_walk_city (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    body BLOB NOT NULL
);
