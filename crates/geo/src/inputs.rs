//! Residents, facilities and district boundaries read from CSV and GeoJSON.
//!
//! GeoJSON is read with `serde_json` directly: the subset needed (features with Point,
//! Polygon and MultiPolygon geometries and their properties) is small, and every error can
//! then name the feature it is about.

use std::io::Read;
use std::path::Path;

use geo::{
    BoundingRect, Centroid, Contains, Coord, LineString, MultiPolygon, Point, Polygon, Rect,
};
use jiff::civil::Date;
use serde_json::Value;

use crate::GeoError;
use crate::edgelist::{column_indices, csv_error, field, open};

/// A population point: a building, an address or the centroid of a grid cell.
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationPoint {
    /// Identifier from the input (the row number when it has none).
    pub id: String,
    /// Longitude (degrees).
    pub lon: f64,
    /// Latitude (degrees).
    pub lat: f64,
    /// Residents at this point.
    pub population: f64,
}

/// A facility of one type. A park or green space reached from anywhere on its boundary has
/// several `points` (its boundary nodes); a toilet or a clinic has one.
#[derive(Debug, Clone, PartialEq)]
pub struct Facility {
    /// Identifier (`osm:node/123`, `osm:way/45`, a project code, or the CSV row).
    pub id: String,
    /// Facility type, e.g. `park`, `toilet`, `neighbourhood_centre`.
    pub kind: String,
    /// Where it can be entered, as lon/lat.
    pub points: Vec<(f64, f64)>,
    /// First day it serves residents (a project's completion date); `None`: always there.
    pub since: Option<Date>,
    /// Display name, when known.
    pub name: Option<String>,
}

impl Facility {
    /// Whether the facility serves residents on `date` (`None`: any date).
    pub fn open_on(&self, date: Option<Date>) -> bool {
        match (self.since, date) {
            (Some(since), Some(d)) => since <= d,
            _ => true,
        }
    }
}

/// A district: a name and its boundary.
#[derive(Debug, Clone, PartialEq)]
pub struct District {
    /// District name (the `name` property).
    pub name: String,
    /// Its boundary (holes respected).
    pub area: MultiPolygon<f64>,
}

impl District {
    /// The boundary as a GeoJSON MultiPolygon's coordinates: polygons of rings (the exterior
    /// first, then the holes) of `[lon, lat]`, each ring closed. What the records store a
    /// district's boundary as (`jianguan_domain::boundary::Boundary::coordinates`).
    pub fn coordinates(&self) -> Vec<Vec<Vec<[f64; 2]>>> {
        let ring = |r: &LineString<f64>| r.coords().map(|c| [c.x, c.y]).collect();
        self.area
            .iter()
            .map(|p| {
                std::iter::once(p.exterior())
                    .chain(p.interiors())
                    .map(ring)
                    .collect()
            })
            .collect()
    }

    /// A district from a GeoJSON MultiPolygon's coordinates (a polygon without rings dropped).
    pub fn from_coordinates(name: String, polygons: Vec<Vec<Vec<[f64; 2]>>>) -> District {
        let ring = |r: Vec<[f64; 2]>| {
            LineString::new(r.into_iter().map(|[x, y]| Coord { x, y }).collect())
        };
        let polygons = polygons
            .into_iter()
            .filter_map(|rings| {
                let mut rings = rings.into_iter();
                let exterior = ring(rings.next()?);
                Some(Polygon::new(exterior, rings.map(ring).collect()))
            })
            .collect();
        District {
            name,
            area: MultiPolygon::new(polygons),
        }
    }
}

fn geojson_error(path: &Path, message: impl Into<String>) -> GeoError {
    GeoError::GeoJson {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

fn read_to_string(path: &Path) -> Result<String, GeoError> {
    let mut s = String::new();
    open(path)?
        .read_to_string(&mut s)
        .map_err(|error| GeoError::Io {
            path: path.to_path_buf(),
            error,
        })?;
    Ok(s)
}

fn is_geojson(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("geojson" | "json")
    )
}

/// Reads population points from a CSV (`lon,lat,population`, optional `id`) or, by the
/// extension `.geojson`/`.json`, from GeoJSON features (Point, or Polygon/MultiPolygon taken
/// at their centroid) with a numeric `population` property.
pub fn read_population(path: &Path) -> Result<Vec<PopulationPoint>, GeoError> {
    if is_geojson(path) {
        return population_from_geojson(path, &read_to_string(path)?);
    }
    read_population_csv(path, open(path)?)
}

/// Population from CSV text; `path` names the source in errors.
pub fn read_population_csv(
    path: &Path,
    reader: impl Read,
) -> Result<Vec<PopulationPoint>, GeoError> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let header = rdr.headers().map_err(|e| csv_error(path, e))?.clone();
    let cols = column_indices(path, &header, &["lon", "lat", "population"])?;
    let id_col = header
        .iter()
        .position(|h| h.trim().eq_ignore_ascii_case("id"));
    let mut out = Vec::new();
    for (row, record) in rdr.records().enumerate() {
        let record = record.map_err(|e| csv_error(path, e))?;
        let lon = field(path, &record, cols[0], "lon", "a longitude in degrees")?;
        let lat = field(path, &record, cols[1], "lat", "a latitude in degrees")?;
        let population: f64 = field(
            path,
            &record,
            cols[2],
            "population",
            "a number of residents ≥ 0",
        )?;
        if !(population.is_finite() && population >= 0.0) {
            return Err(GeoError::Csv {
                path: path.to_path_buf(),
                line: record.position().map_or(0, |p| p.line()),
                field: "population".into(),
                message: format!("expected a number of residents ≥ 0, found {population}"),
            });
        }
        let id = id_col
            .and_then(|i| record.get(i))
            .map_or_else(|| (row + 1).to_string(), str::to_string);
        out.push(PopulationPoint {
            id,
            lon,
            lat,
            population,
        });
    }
    Ok(out)
}

/// Population from GeoJSON text.
pub fn population_from_geojson(path: &Path, text: &str) -> Result<Vec<PopulationPoint>, GeoError> {
    let features = features(path, text)?;
    let mut out = Vec::with_capacity(features.len());
    for (i, f) in features.iter().enumerate() {
        let props = f.get("properties").unwrap_or(&Value::Null);
        let population = props
            .get("population")
            .and_then(Value::as_f64)
            .filter(|p| p.is_finite() && *p >= 0.0)
            .ok_or_else(|| {
                geojson_error(
                    path,
                    format!("feature {i}: expected a numeric `population` property ≥ 0"),
                )
            })?;
        let area = geometry(path, i, f.get("geometry"))?;
        let centre = match area {
            Shape::Point(p) => p,
            Shape::Area(mp) => mp
                .centroid()
                .ok_or_else(|| geojson_error(path, format!("feature {i}: empty polygon")))?,
        };
        out.push(PopulationPoint {
            id: feature_id(f, props).unwrap_or_else(|| (i + 1).to_string()),
            lon: centre.x(),
            lat: centre.y(),
            population,
        });
    }
    Ok(out)
}

/// Reads facilities from a CSV with `lon,lat,type` and optional `id`, `name` and `since`
/// (`YYYY-MM-DD`, the first day it serves residents).
pub fn read_facilities_csv(path: &Path, reader: impl Read) -> Result<Vec<Facility>, GeoError> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let header = rdr.headers().map_err(|e| csv_error(path, e))?.clone();
    let cols = column_indices(path, &header, &["lon", "lat", "type"])?;
    let optional = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let (id_col, name_col, since_col) = (optional("id"), optional("name"), optional("since"));
    let mut out = Vec::new();
    for (row, record) in rdr.records().enumerate() {
        let record = record.map_err(|e| csv_error(path, e))?;
        let lon = field(path, &record, cols[0], "lon", "a longitude in degrees")?;
        let lat = field(path, &record, cols[1], "lat", "a latitude in degrees")?;
        let kind = record.get(cols[2]).unwrap_or("").trim().to_string();
        if kind.is_empty() {
            return Err(GeoError::Csv {
                path: path.to_path_buf(),
                line: record.position().map_or(0, |p| p.line()),
                field: "type".into(),
                message: "expected a facility type, found an empty field".into(),
            });
        }
        let since = match since_col.and_then(|i| record.get(i)).map(str::trim) {
            None | Some("") => None,
            Some(_) => Some(field(
                path,
                &record,
                since_col.unwrap_or(0),
                "since",
                "a date YYYY-MM-DD",
            )?),
        };
        let text = |c: Option<usize>| {
            c.and_then(|i| record.get(i))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        out.push(Facility {
            id: text(id_col).unwrap_or_else(|| format!("row{}", row + 1)),
            kind,
            points: vec![(lon, lat)],
            since,
            name: text(name_col),
        });
    }
    Ok(out)
}

/// Reads facilities from a CSV file (see [`read_facilities_csv`]).
pub fn read_facilities(path: &Path) -> Result<Vec<Facility>, GeoError> {
    read_facilities_csv(path, open(path)?)
}

/// Reads district boundaries from a GeoJSON FeatureCollection of Polygons/MultiPolygons named
/// by their `name` property (or `district`, or the feature id).
pub fn read_districts(path: &Path) -> Result<Vec<District>, GeoError> {
    districts_from_geojson(path, &read_to_string(path)?)
}

/// Districts from GeoJSON text.
pub fn districts_from_geojson(path: &Path, text: &str) -> Result<Vec<District>, GeoError> {
    let features = features(path, text)?;
    let mut out = Vec::new();
    for (i, f) in features.iter().enumerate() {
        let props = f.get("properties").unwrap_or(&Value::Null);
        let name = ["name", "district", "NAME"]
            .iter()
            .find_map(|k| props.get(*k).and_then(Value::as_str).map(str::to_string))
            .or_else(|| feature_id(f, props))
            .ok_or_else(|| geojson_error(path, format!("feature {i}: no `name` property")))?;
        match geometry(path, i, f.get("geometry"))? {
            Shape::Area(area) => out.push(District { name, area }),
            Shape::Point(_) => {
                return Err(geojson_error(
                    path,
                    format!(
                        "feature {i} ({name}): a district must be a Polygon or MultiPolygon, found a Point"
                    ),
                ));
            }
        }
    }
    Ok(out)
}

/// Which district each point lies in (the first that contains it), by point-in-polygon with
/// a bounding-box test first.
#[derive(Debug)]
pub struct DistrictIndex {
    districts: Vec<(Rect<f64>, MultiPolygon<f64>)>,
}

impl DistrictIndex {
    /// Prepares the districts for lookups.
    pub fn new(districts: &[District]) -> DistrictIndex {
        DistrictIndex {
            districts: districts
                .iter()
                .map(|d| {
                    let bbox = d.area.bounding_rect().unwrap_or(Rect::new(
                        Coord {
                            x: f64::NAN,
                            y: f64::NAN,
                        },
                        Coord {
                            x: f64::NAN,
                            y: f64::NAN,
                        },
                    ));
                    (bbox, d.area.clone())
                })
                .collect(),
        }
    }

    /// The index of the district containing the point, if any.
    pub fn locate(&self, lon: f64, lat: f64) -> Option<usize> {
        let p = Point::new(lon, lat);
        self.districts.iter().position(|(bbox, area)| {
            lon >= bbox.min().x
                && lon <= bbox.max().x
                && lat >= bbox.min().y
                && lat <= bbox.max().y
                && area.contains(&p)
        })
    }
}

enum Shape {
    Point(Point<f64>),
    Area(MultiPolygon<f64>),
}

fn features(path: &Path, text: &str) -> Result<Vec<Value>, GeoError> {
    let root: Value =
        serde_json::from_str(text).map_err(|e| geojson_error(path, format!("not JSON: {e}")))?;
    match root.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => match root.get("features") {
            Some(Value::Array(fs)) => Ok(fs.clone()),
            _ => Err(geojson_error(
                path,
                "a FeatureCollection without a `features` array",
            )),
        },
        Some("Feature") => Ok(vec![root]),
        other => Err(geojson_error(
            path,
            format!("expected a FeatureCollection or Feature, found type {other:?}"),
        )),
    }
}

fn feature_id(f: &Value, props: &Value) -> Option<String> {
    let as_text = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    f.get("id")
        .and_then(as_text)
        .or_else(|| props.get("id").and_then(as_text))
}

fn position(path: &Path, i: usize, v: &Value) -> Result<Coord<f64>, GeoError> {
    match v.as_array().map(Vec::as_slice) {
        Some([x, y, ..]) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => Ok(Coord { x, y }),
            _ => Err(geojson_error(
                path,
                format!("feature {i}: a position must be two numbers"),
            )),
        },
        _ => Err(geojson_error(
            path,
            format!("feature {i}: a position must be [lon, lat]"),
        )),
    }
}

fn polygon(path: &Path, i: usize, v: &Value) -> Result<Polygon<f64>, GeoError> {
    let rings = v.as_array().ok_or_else(|| {
        geojson_error(
            path,
            format!("feature {i}: a polygon must be an array of rings"),
        )
    })?;
    let mut rings = rings.iter().map(|r| {
        r.as_array()
            .ok_or_else(|| {
                geojson_error(
                    path,
                    format!("feature {i}: a ring must be an array of positions"),
                )
            })?
            .iter()
            .map(|p| position(path, i, p))
            .collect::<Result<Vec<_>, _>>()
            .map(LineString::new)
    });
    let exterior = rings
        .next()
        .ok_or_else(|| geojson_error(path, format!("feature {i}: a polygon without rings")))??;
    let holes = rings.collect::<Result<Vec<_>, _>>()?;
    Ok(Polygon::new(exterior, holes))
}

fn geometry(path: &Path, i: usize, g: Option<&Value>) -> Result<Shape, GeoError> {
    let g = g
        .filter(|g| !g.is_null())
        .ok_or_else(|| geojson_error(path, format!("feature {i}: no geometry")))?;
    let coords = g.get("coordinates").unwrap_or(&Value::Null);
    match g.get("type").and_then(Value::as_str) {
        Some("Point") => Ok(Shape::Point(position(path, i, coords)?.into())),
        Some("Polygon") => Ok(Shape::Area(MultiPolygon::new(vec![polygon(
            path, i, coords,
        )?]))),
        Some("MultiPolygon") => {
            let polys = coords
                .as_array()
                .ok_or_else(|| {
                    geojson_error(
                        path,
                        format!("feature {i}: a MultiPolygon must be an array of polygons"),
                    )
                })?
                .iter()
                .map(|p| polygon(path, i, p))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Shape::Area(MultiPolygon::new(polys)))
        }
        other => Err(geojson_error(
            path,
            format!("feature {i}: expected Point, Polygon or MultiPolygon, found {other:?}"),
        )),
    }
}
