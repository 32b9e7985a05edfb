//! A real city's walking inputs as the database keeps them (issue 19): the walking network read
//! from the city's OpenStreetMap extract, the facilities its tags name (the parks, toilets …
//! there before the campaign), and its residents, so the coverage pages can walk the city's own
//! streets instead of the demo's generated ones. `jianguan basemap --osm … --population …`
//! stores it beside the basemap.
//!
//! The stored form (after the leading bytes `JGWC1`): nodes, edges, facilities, residents and
//! the side of a population cell. Coordinates are in units of 1e-7° (OSM's own precision) as
//! zigzag varints, each the difference from the previous coordinate; an edge is the gap from
//! the previous edge's first node, its second node relative to its first, and its length in
//! millimetres. Strings are a length and UTF-8, dates ISO text, residents' counts 8-byte floats.

use jiff::civil::Date;
use rstar::RTree;

use crate::codec::{Reader, string, varint, zigzag};
use crate::inputs::{Facility, PopulationPoint};
use crate::network::{EdgeSpec, Network, haversine_m};

/// The stored form's first bytes and version.
const MAGIC: &[u8; 5] = b"JGWC1";

/// Coordinates are stored in units of 1e-7 degrees.
const SCALE: f64 = 1e7;

/// The population cell side drawn when it cannot be told from the residents (fewer than two).
pub const DEFAULT_CELL_M: f64 = 400.0;

/// A city's walking network, facilities and residents, ready to be snapped and walked.
#[derive(Debug, Clone, PartialEq)]
pub struct WalkCity {
    /// The walking network.
    pub network: Network,
    /// The facilities read with it (`since` is `None` for those the extract shows).
    pub facilities: Vec<Facility>,
    /// The residents.
    pub population: Vec<PopulationPoint>,
    /// The side of a population cell in metres, for drawing residents as squares.
    pub cell_m: f64,
}

/// Writes coordinates as differences from the previous one.
struct Deltas {
    px: i64,
    py: i64,
}

impl Deltas {
    fn put(&mut self, out: &mut Vec<u8>, (x, y): (f64, f64)) {
        let (x, y) = ((x * SCALE).round() as i64, (y * SCALE).round() as i64);
        varint(out, zigzag(x - self.px));
        varint(out, zigzag(y - self.py));
        (self.px, self.py) = (x, y);
    }

    fn get(&mut self, r: &mut Reader<'_>) -> Result<(f64, f64), String> {
        self.px += r.signed()?;
        self.py += r.signed()?;
        Ok((self.px as f64 / SCALE, self.py as f64 / SCALE))
    }
}

impl WalkCity {
    /// The stored form (see the module docs).
    pub fn encode(&self) -> Vec<u8> {
        let net = &self.network;
        let mut out = MAGIC.to_vec();
        let mut at = Deltas { px: 0, py: 0 };
        varint(&mut out, net.node_count() as u64);
        let mut previous_id = 0i64;
        for v in 0..net.node_count() {
            at.put(&mut out, (net.lon[v], net.lat[v]));
            varint(&mut out, zigzag(net.source_id[v].wrapping_sub(previous_id)));
            previous_id = net.source_id[v];
        }
        let edges: Vec<EdgeSpec> = net.edges().collect();
        varint(&mut out, edges.len() as u64);
        let mut previous_a = 0u32;
        for e in &edges {
            // `edges` runs in CSR order: `a` never decreases, and `b > a`.
            varint(&mut out, u64::from(e.a - previous_a));
            varint(&mut out, u64::from(e.b - e.a));
            varint(&mut out, u64::from(e.length_mm));
            previous_a = e.a;
        }
        varint(&mut out, self.facilities.len() as u64);
        for f in &self.facilities {
            string(&mut out, &f.id);
            string(&mut out, &f.kind);
            string(&mut out, f.name.as_deref().unwrap_or(""));
            string(
                &mut out,
                &f.since.map(|d| d.to_string()).unwrap_or_default(),
            );
            varint(&mut out, f.points.len() as u64);
            for &p in &f.points {
                at.put(&mut out, p);
            }
        }
        varint(&mut out, self.population.len() as u64);
        for p in &self.population {
            string(&mut out, &p.id);
            at.put(&mut out, (p.lon, p.lat));
            out.extend_from_slice(&p.population.to_le_bytes());
        }
        out.extend_from_slice(&self.cell_m.to_le_bytes());
        out
    }

    /// The inputs from their stored form; what is wrong with it otherwise.
    pub fn decode(bytes: &[u8]) -> Result<WalkCity, String> {
        let mut r = Reader::new(bytes);
        if r.take(MAGIC.len())? != MAGIC {
            return Err("not a city's walking inputs (wrong leading bytes)".into());
        }
        let mut at = Deltas { px: 0, py: 0 };
        let nodes = r.count()?;
        let (mut lon, mut lat, mut source_id) = (
            Vec::with_capacity(nodes),
            Vec::with_capacity(nodes),
            Vec::with_capacity(nodes),
        );
        let mut id = 0i64;
        for _ in 0..nodes {
            let (x, y) = at.get(&mut r)?;
            lon.push(x);
            lat.push(y);
            id = id.wrapping_add(r.signed()?);
            source_id.push(id);
        }
        let count = r.count()?;
        let mut edges = Vec::with_capacity(count);
        let mut a = 0u32;
        for _ in 0..count {
            a = a.checked_add(r.u32()?).ok_or("an edge's node overflows")?;
            let b = a.checked_add(r.u32()?).ok_or("an edge's node overflows")?;
            edges.push(EdgeSpec {
                a,
                b,
                length_mm: r.u32()?,
            });
        }
        let network =
            Network::from_edges(lon, lat, source_id, &edges).map_err(|e| e.to_string())?;
        let count = r.count()?;
        let mut facilities = Vec::with_capacity(count);
        for _ in 0..count {
            let id = r.string()?.to_string();
            let kind = r.string()?.to_string();
            let name = Some(r.string()?)
                .filter(|s| !s.is_empty())
                .map(str::to_string);
            let since = match r.string()? {
                "" => None,
                text => Some(
                    text.parse::<Date>()
                        .map_err(|e| format!("facility {id}: date {text:?}: {e}"))?,
                ),
            };
            let n = r.count()?;
            let points = (0..n)
                .map(|_| at.get(&mut r))
                .collect::<Result<Vec<_>, _>>()?;
            facilities.push(Facility {
                id,
                kind,
                points,
                since,
                name,
            });
        }
        let count = r.count()?;
        let mut population = Vec::with_capacity(count);
        for _ in 0..count {
            let id = r.string()?.to_string();
            let (lon, lat) = at.get(&mut r)?;
            let people = f64::from_le_bytes(r.take(8)?.try_into().expect("8 bytes"));
            population.push(PopulationPoint {
                id,
                lon,
                lat,
                population: people,
            });
        }
        let cell_m = f64::from_le_bytes(r.take(8)?.try_into().expect("8 bytes"));
        r.finish()?;
        Ok(WalkCity {
            network,
            facilities,
            population,
            cell_m,
        })
    }
}

/// The side of the cells residents were counted in, told from where they are: the median
/// distance from a point to its nearest neighbour (a square grid's spacing; a hexagonal grid's
/// centre spacing, close to the side of a square of the same area), rounded to 10 m.
/// [`DEFAULT_CELL_M`] with fewer than two points.
pub fn cell_side_m(points: &[PopulationPoint]) -> f64 {
    if points.len() < 2 {
        return DEFAULT_CELL_M;
    }
    // A local equirectangular projection is exact enough to find the nearest neighbour; the
    // distance itself is measured on the sphere.
    let lat0 = points.iter().map(|p| p.lat).sum::<f64>() / points.len() as f64;
    let k = lat0.to_radians().cos();
    let tree = RTree::bulk_load(points.iter().map(|p| [p.lon * k, p.lat]).collect());
    let mut gaps: Vec<f64> = points
        .iter()
        .filter_map(|p| {
            tree.nearest_neighbor_iter(&[p.lon * k, p.lat])
                .find(|q| q[0] != p.lon * k || q[1] != p.lat)
                .map(|q| haversine_m(p.lon, p.lat, q[0] / k, q[1]))
        })
        .collect();
    if gaps.is_empty() {
        return DEFAULT_CELL_M;
    }
    gaps.sort_by(f64::total_cmp);
    let median = gaps[gaps.len() / 2];
    ((median / 10.0).round() * 10.0).clamp(10.0, 2000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(id: &str, lon: f64, lat: f64, population: f64) -> PopulationPoint {
        PopulationPoint {
            id: id.into(),
            lon,
            lat,
            population,
        }
    }

    fn city() -> WalkCity {
        let network = Network::from_edges(
            vec![-51.2300001, -51.2290000, -51.2280000, -51.2290000],
            vec![-30.0300000, -30.0300000, -30.0301234, -30.0290000],
            vec![4_000_000_123, 17, 4_000_000_200, -5],
            &[
                EdgeSpec {
                    a: 0,
                    b: 1,
                    length_mm: 96_234,
                },
                EdgeSpec {
                    a: 1,
                    b: 2,
                    length_mm: 97_000,
                },
                EdgeSpec {
                    a: 1,
                    b: 3,
                    length_mm: 111_000,
                },
                // A parallel edge is kept (the shorter one wins in a walk).
                EdgeSpec {
                    a: 0,
                    b: 1,
                    length_mm: 120_000,
                },
            ],
        )
        .unwrap();
        WalkCity {
            network,
            facilities: vec![
                Facility {
                    id: "osm:relation/42".into(),
                    kind: "park".into(),
                    points: vec![(-51.2291, -30.0291), (-51.2289, -30.0292)],
                    since: None,
                    name: Some("Parque Farroupilha".into()),
                },
                Facility {
                    id: "osm:node/7".into(),
                    kind: "toilet".into(),
                    points: vec![(-51.2281, -30.03)],
                    since: Some(Date::constant(2021, 6, 30)),
                    name: None,
                },
            ],
            population: vec![
                point("89a901291abffff", -51.2295, -30.0301, 159.0),
                point("2", -51.2285, -30.0299, 0.5),
            ],
            cell_m: 320.0,
        }
    }

    #[test]
    fn a_city_reads_back_as_stored() {
        let city = city();
        let bytes = city.encode();
        let back = WalkCity::decode(&bytes).unwrap();
        // OSM's coordinates are 1e-7° multiples and come back as they were.
        assert_eq!(back.network.lon, city.network.lon);
        assert_eq!(back.network.lat, city.network.lat);
        assert_eq!(back.network.source_id, city.network.source_id);
        assert_eq!(
            (&back.facilities, &back.population),
            (&city.facilities, &city.population)
        );
        assert_eq!(back.cell_m, 320.0);
        // The same edges, parallel ones included (a node's arcs may come in another order).
        let edges = |n: &Network| {
            let mut e: Vec<(u32, u32, u32)> = n.edges().map(|e| (e.a, e.b, e.length_mm)).collect();
            e.sort();
            e
        };
        assert_eq!(edges(&back.network), edges(&city.network));
        assert_eq!(edges(&back.network).len(), 4);
    }

    #[test]
    fn a_damaged_value_is_refused_not_misread() {
        let bytes = city().encode();
        assert!(
            WalkCity::decode(b"JGBM1\x00")
                .unwrap_err()
                .contains("wrong leading bytes")
        );
        for cut in [6, bytes.len() / 2, bytes.len() - 1] {
            assert!(WalkCity::decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(WalkCity::decode(&longer).unwrap_err().contains("left over"));
    }

    #[test]
    fn the_cell_side_is_the_grid_spacing() {
        // A 250 m grid at Helsinki's latitude (Helsinki's population grid is one).
        let (lon0, lat0): (f64, f64) = (24.94, 60.17);
        let dlat = 250.0 / 111_195.0;
        let dlon = dlat / lat0.to_radians().cos();
        let grid: Vec<PopulationPoint> = (0..10)
            .flat_map(|i| {
                (0..8).map(move |j| {
                    point(
                        &format!("{i}-{j}"),
                        lon0 + f64::from(i) * dlon,
                        lat0 + f64::from(j) * dlat,
                        10.0,
                    )
                })
            })
            .collect();
        assert_eq!(cell_side_m(&grid), 250.0);
        assert_eq!(cell_side_m(&grid[..1]), DEFAULT_CELL_M);
        // Points stacked on one spot tell nothing.
        let stacked = vec![point("a", 1.0, 1.0, 1.0), point("b", 1.0, 1.0, 1.0)];
        assert_eq!(cell_side_m(&stacked), DEFAULT_CELL_M);
    }
}
