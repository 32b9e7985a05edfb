//! The offline basemap (issue 19): what the maps draw under the projects — roads by class,
//! railways, water, green areas and place names — prepared once from the city's own
//! OpenStreetMap extract ([`crate::osm::read_basemap`]) or the demo's generated streets, and kept
//! in the database as a few levels of detail, so no tile server and no internet are needed.
//!
//! # Levels
//!
//! A level serves the zooms from its `min_zoom` to the next level's. It keeps only the layers
//! that matter at those zooms (no footpaths across a whole city) and its lines simplified
//! (Ramer–Douglas–Peucker) to about a pixel at its lowest zoom (at the top level, a pixel of
//! the zoom above, so the closest views stay within two pixels); areas smaller than two
//! pixels there are dropped. Below the first level's zoom no basemap is drawn (a country-wide
//! view shows the districts' outlines only).
//!
//! # Stored form
//!
//! Each level is one byte string ([`Level::encode`]): coordinates in 1e-6 degrees (about
//! 0.1 m, finer than a pixel at the top zoom) as zigzag varints, each the difference from the
//! point before. [`BasemapIndex`] holds the decoded levels with an R-tree over the features'
//! boxes, so drawing a view reads only what falls in it.

use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use crate::codec::{Reader, string, varint, zigzag};

/// What a basemap feature is, in the order the maps draw them (areas first, names last).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Layer {
    /// Lakes, rivers' banks, reservoirs (areas).
    Water,
    /// Parks, woods, grass (areas).
    Green,
    /// Rivers and canals (lines).
    River,
    /// Railways, metro and tram lines on the surface.
    Rail,
    /// Footways, paths, steps, tracks.
    Path,
    /// Service roads (yards, car parks, driveways).
    Service,
    /// Residential and unclassified streets.
    Minor,
    /// Secondary and tertiary roads.
    Secondary,
    /// Motorways, trunk and primary roads.
    Major,
    /// A place's name at its position (`rank` 1 = city or town … 4 = hamlet or locality).
    Place,
}

impl Layer {
    /// Every layer, in drawing order.
    pub const ALL: [Layer; 10] = [
        Layer::Water,
        Layer::Green,
        Layer::River,
        Layer::Rail,
        Layer::Path,
        Layer::Service,
        Layer::Minor,
        Layer::Secondary,
        Layer::Major,
        Layer::Place,
    ];

    /// Its code in the stored form.
    pub fn code(self) -> u8 {
        Layer::ALL.iter().position(|l| *l == self).unwrap_or(0) as u8
    }

    /// The layer of a stored code.
    pub fn from_code(code: u8) -> Option<Layer> {
        Layer::ALL.get(usize::from(code)).copied()
    }

    /// Whether its features are areas (rings, filled) rather than lines or points.
    pub fn is_area(self) -> bool {
        matches!(self, Layer::Water | Layer::Green)
    }

    /// A short English name (for summaries).
    pub fn name(self) -> &'static str {
        match self {
            Layer::Water => "water",
            Layer::Green => "green",
            Layer::River => "river",
            Layer::Rail => "rail",
            Layer::Path => "path",
            Layer::Service => "service",
            Layer::Minor => "minor",
            Layer::Secondary => "secondary",
            Layer::Major => "major",
            Layer::Place => "place",
        }
    }
}

/// The layer (and place rank) OpenStreetMap tags put an element in, if any. `closed`: whether
/// the way is a closed ring (areas need one) or the element a multipolygon relation.
pub fn classify<'a>(
    tags: impl Iterator<Item = (&'a str, &'a str)>,
    closed: bool,
) -> Option<(Layer, u8)> {
    let tags: Vec<(&str, &str)> = tags.collect();
    let get = |key: &str| tags.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
    if let Some(place) = get("place") {
        let rank = match place {
            "city" | "town" => 1,
            "suburb" | "borough" => 2,
            "quarter" | "neighbourhood" | "village" => 3,
            "hamlet" | "locality" | "isolated_dwelling" => 4,
            _ => 0,
        };
        if rank > 0 && get("name").is_some() {
            return Some((Layer::Place, rank));
        }
    }
    let area = closed && get("area") != Some("no");
    if area {
        let water = get("natural") == Some("water")
            || matches!(get("waterway"), Some("riverbank" | "dock"))
            || matches!(get("landuse"), Some("reservoir" | "basin"));
        if water {
            return Some((Layer::Water, 0));
        }
        let green = matches!(
            get("leisure"),
            Some("park" | "garden" | "nature_reserve" | "golf_course")
        ) || matches!(
            get("landuse"),
            Some(
                "grass" | "forest" | "meadow" | "recreation_ground" | "village_green" | "cemetery"
            )
        ) || matches!(
            get("natural"),
            Some("wood" | "scrub" | "grassland" | "heath")
        );
        if green {
            return Some((Layer::Green, 0));
        }
    }
    if get("tunnel").is_some_and(|t| t != "no") {
        return None;
    }
    if matches!(get("waterway"), Some("river" | "canal")) {
        return Some((Layer::River, 0));
    }
    if matches!(
        get("railway"),
        Some("rail" | "light_rail" | "subway" | "tram" | "narrow_gauge" | "monorail")
    ) {
        return Some((Layer::Rail, 0));
    }
    let highway = get("highway")?;
    if get("area") == Some("yes") {
        return None;
    }
    let base = highway.strip_suffix("_link").unwrap_or(highway);
    let layer = match base {
        "motorway" | "trunk" | "primary" => Layer::Major,
        "secondary" | "tertiary" => Layer::Secondary,
        "residential" | "unclassified" | "living_street" | "road" | "pedestrian" => Layer::Minor,
        "service" => Layer::Service,
        "footway" | "path" | "steps" | "cycleway" | "track" | "bridleway" => Layer::Path,
        _ => return None,
    };
    Some((layer, 0))
}

/// One thing on the basemap: a line, an area (its rings, drawn even-odd so holes stay empty) or
/// a named place (one part of one point).
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    /// What it is.
    pub layer: Layer,
    /// A place's rank (1 = city … 4); 0 for everything else.
    pub rank: u8,
    /// Its name, where it has one that is drawn (places).
    pub name: Option<String>,
    /// Its lines or rings, (lon, lat) in WGS-84.
    pub parts: Vec<Vec<(f64, f64)>>,
}

/// One level of detail.
#[derive(Debug, Clone, PartialEq)]
pub struct Level {
    /// The lowest zoom it serves.
    pub min_zoom: u8,
    /// Its features, in drawing order.
    pub features: Vec<Feature>,
}

/// The levels of detail: the lowest zoom each serves, the layers it keeps (besides places), the
/// highest place rank it names, and the zoom its simplification is measured at.
const LEVELS: [(u8, &[Layer], u8, u8); 4] = [
    (
        9,
        &[
            Layer::Water,
            Layer::Green,
            Layer::River,
            Layer::Rail,
            Layer::Major,
        ],
        1,
        10,
    ),
    (
        12,
        &[
            Layer::Water,
            Layer::Green,
            Layer::River,
            Layer::Rail,
            Layer::Secondary,
            Layer::Major,
        ],
        2,
        12,
    ),
    (
        14,
        &[
            Layer::Water,
            Layer::Green,
            Layer::River,
            Layer::Rail,
            Layer::Service,
            Layer::Minor,
            Layer::Secondary,
            Layer::Major,
        ],
        3,
        14,
    ),
    (16, &Layer::ALL, 4, 17),
];

/// The lowest zoom a basemap is drawn at.
pub const MIN_ZOOM: u8 = LEVELS[0].0;

/// Metres per pixel at `zoom` and latitude `lat` in Web Mercator with 256-pixel tiles.
pub fn metres_per_px(zoom: u8, lat: f64) -> f64 {
    156_543.033_928 * lat.to_radians().cos() / f64::from(1u32 << zoom)
}

/// The levels of detail of `features` (see the module docs).
pub fn prepare(features: &[Feature]) -> Vec<Level> {
    let lat = bounds(features).map_or(0.0, |(_, s, _, n)| (s + n) / 2.0);
    let mut features: Vec<&Feature> = features.iter().collect();
    features.sort_by_key(|f| (f.layer, f.rank));
    LEVELS
        .iter()
        .map(|&(min_zoom, layers, max_rank, measured_at)| {
            // A pixel, in degrees of latitude (longitude's degrees are shorter, so this is
            // the stricter of the two).
            let px_deg = metres_per_px(measured_at, lat) / 111_320.0;
            let kept = features
                .iter()
                .filter(|f| match f.layer {
                    Layer::Place => f.rank <= max_rank,
                    layer => layers.contains(&layer),
                })
                .filter_map(|f| simplified(f, px_deg))
                .collect();
            Level {
                min_zoom,
                features: kept,
            }
        })
        .collect()
}

/// `feature` simplified to a pixel of `px_deg` degrees, without the areas smaller than two
/// pixels across; `None` when nothing is left.
fn simplified(feature: &Feature, px_deg: f64) -> Option<Feature> {
    use geo::{Coord, LineString, Simplify};
    if feature.layer == Layer::Place {
        return Some(feature.clone());
    }
    let parts: Vec<Vec<(f64, f64)>> = feature
        .parts
        .iter()
        .filter(|part| {
            !feature.layer.is_area()
                || part_bounds(part).is_some_and(|(w, s, e, n)| (e - w).max(n - s) >= 2.0 * px_deg)
        })
        .map(|part| {
            let line: LineString<f64> = part.iter().map(|&(x, y)| Coord { x, y }).collect();
            line.simplify(px_deg)
                .0
                .into_iter()
                .map(|c| (c.x, c.y))
                .collect::<Vec<_>>()
        })
        .filter(|part| part.len() >= if feature.layer.is_area() { 4 } else { 2 })
        .collect();
    (!parts.is_empty()).then(|| Feature {
        parts,
        ..feature.clone()
    })
}

fn part_bounds(part: &[(f64, f64)]) -> Option<(f64, f64, f64, f64)> {
    part.iter().fold(None, |b, &(x, y)| {
        let (w, s, e, n) = b.unwrap_or((x, y, x, y));
        Some((w.min(x), s.min(y), e.max(x), n.max(y)))
    })
}

/// The box around `features`: (west, south, east, north).
pub fn bounds(features: &[Feature]) -> Option<(f64, f64, f64, f64)> {
    features
        .iter()
        .flat_map(|f| &f.parts)
        .filter_map(|p| part_bounds(p))
        .reduce(|a, b| (a.0.min(b.0), a.1.min(b.1), a.2.max(b.2), a.3.max(b.3)))
}

/// How many features of each layer `features` holds (layers without any left out).
pub fn counts(features: &[Feature]) -> Vec<(Layer, usize)> {
    Layer::ALL
        .iter()
        .map(|&l| (l, features.iter().filter(|f| f.layer == l).count()))
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// The stored form's first bytes and version.
const MAGIC: &[u8; 5] = b"JGBM1";

/// Coordinates are stored in units of 1e-6 degrees.
const SCALE: f64 = 1e6;

impl Level {
    /// The stored form (see the module docs).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.push(self.min_zoom);
        varint(&mut out, self.features.len() as u64);
        let (mut px, mut py) = (0i64, 0i64);
        for f in &self.features {
            out.push(f.layer.code());
            out.push(f.rank);
            string(&mut out, f.name.as_deref().unwrap_or(""));
            varint(&mut out, f.parts.len() as u64);
            for part in &f.parts {
                varint(&mut out, part.len() as u64);
                for &(x, y) in part {
                    let (x, y) = ((x * SCALE).round() as i64, (y * SCALE).round() as i64);
                    varint(&mut out, zigzag(x - px));
                    varint(&mut out, zigzag(y - py));
                    (px, py) = (x, y);
                }
            }
        }
        out
    }

    /// A level from its stored form; what is wrong with it otherwise.
    pub fn decode(bytes: &[u8]) -> Result<Level, String> {
        let mut r = Reader::new(bytes);
        if r.take(MAGIC.len())? != MAGIC {
            return Err("not a basemap level (wrong leading bytes)".into());
        }
        let min_zoom = r.byte()?;
        let count = r.count()?;
        let mut features = Vec::with_capacity(count);
        let (mut px, mut py) = (0i64, 0i64);
        for _ in 0..count {
            let code = r.byte()?;
            let layer = Layer::from_code(code).ok_or(format!("unknown layer code {code}"))?;
            let rank = r.byte()?;
            let name = r.string()?;
            let name = (!name.is_empty()).then(|| name.to_string());
            let parts_len = r.count()?;
            let mut parts = Vec::with_capacity(parts_len);
            for _ in 0..parts_len {
                let n = r.count()?;
                let mut part = Vec::with_capacity(n);
                for _ in 0..n {
                    px += r.signed()?;
                    py += r.signed()?;
                    part.push((px as f64 / SCALE, py as f64 / SCALE));
                }
                parts.push(part);
            }
            features.push(Feature {
                layer,
                rank,
                name,
                parts,
            });
        }
        r.finish()?;
        Ok(Level { min_zoom, features })
    }
}

/// A feature's box in the index, with its position in its level.
type Boxed = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// Decoded levels with an index over their features, for drawing views.
#[derive(Debug)]
pub struct BasemapIndex {
    levels: Vec<(Level, RTree<Boxed>)>,
}

impl BasemapIndex {
    /// Indexes `levels`.
    pub fn new(mut levels: Vec<Level>) -> BasemapIndex {
        levels.sort_by_key(|l| l.min_zoom);
        let levels = levels
            .into_iter()
            .map(|level| {
                let boxes = level
                    .features
                    .iter()
                    .enumerate()
                    .filter_map(|(i, f)| {
                        let (w, s, e, n) = bounds(std::slice::from_ref(f))?;
                        Some(GeomWithData::new(
                            Rectangle::from_corners([w, s], [e, n]),
                            i as u32,
                        ))
                    })
                    .collect();
                (level, RTree::bulk_load(boxes))
            })
            .collect();
        BasemapIndex { levels }
    }

    /// The features to draw at `zoom` in the box (west, south, east, north), in drawing order;
    /// none below the first level's zoom.
    pub fn features_in(&self, zoom: u8, view: (f64, f64, f64, f64)) -> Vec<&Feature> {
        let Some((level, tree)) = self.levels.iter().rev().find(|(l, _)| l.min_zoom <= zoom) else {
            return Vec::new();
        };
        let (w, s, e, n) = view;
        let mut hits: Vec<u32> = tree
            .locate_in_envelope_intersecting(&AABB::from_corners([w, s], [e, n]))
            .map(|b| b.data)
            .collect();
        hits.sort_unstable();
        hits.into_iter()
            .map(|i| &level.features[i as usize])
            .collect()
    }

    /// The levels.
    pub fn levels(&self) -> impl Iterator<Item = &Level> {
        self.levels.iter().map(|(l, _)| l)
    }
}

#[cfg(test)]
mod tests;
