//! Deterministic generated cities: a perturbed street grid with diagonal arterials (for the
//! ≥ 2 million-node benchmark) and the demo city 示例市 with its districts, residents and
//! baseline facilities (so its coverage pages have something plausible to show). The same
//! seed always gives the same city, on every machine: the generator is a SplitMix64 stream
//! and the arithmetic is plain `f64`.

use std::collections::BTreeMap;

use geo::{Coord, LineString, MultiPolygon, Polygon};

use crate::basemap::{Feature, Layer};
use crate::inputs::{District, Facility, PopulationPoint};
use crate::network::{EARTH_RADIUS_M, EdgeSpec, Network, haversine_m, metres_to_mm};

/// SplitMix64: tiny, fast and the same everywhere; quality is ample for jitter and sampling.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A stream from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Metres east/north of a centre → lon/lat (local equirectangular).
fn offset(centre: (f64, f64), east_m: f64, north_m: f64) -> (f64, f64) {
    let dlat = (north_m / EARTH_RADIUS_M).to_degrees();
    let dlon = (east_m / (EARTH_RADIUS_M * centre.1.to_radians().cos())).to_degrees();
    (centre.0 + dlon, centre.1 + dlat)
}

/// Shape of a generated grid city.
#[derive(Debug, Clone, Copy)]
pub struct GridCity {
    /// Centre (lon, lat).
    pub centre: (f64, f64),
    /// Columns of intersections.
    pub columns: u32,
    /// Rows of intersections.
    pub rows: u32,
    /// Block size in metres.
    pub spacing_m: f64,
    /// Share of grid segments left out (dead ends, superblocks), e.g. 0.08.
    pub missing_share: f64,
    /// A diagonal arterial every this many columns (0: none).
    pub diagonal_every: u32,
    /// Seed.
    pub seed: u64,
}

impl GridCity {
    /// A city of about `nodes` intersections, square, 100 m blocks.
    pub fn with_nodes(centre: (f64, f64), nodes: u32, seed: u64) -> GridCity {
        let side = f64::from(nodes).sqrt().ceil() as u32;
        GridCity {
            centre,
            columns: side,
            rows: side,
            spacing_m: 100.0,
            missing_share: 0.08,
            diagonal_every: 50,
            seed,
        }
    }

    /// Generates the network (largest connected component).
    pub fn build(&self) -> Network {
        self.build_where(|_, _| true)
    }

    /// Generates the network keeping only intersections for which `keep(east_m, north_m)`
    /// (offsets from the centre) is true, then the largest connected component.
    pub fn build_where(&self, keep: impl Fn(f64, f64) -> bool) -> Network {
        self.build_with_lines(keep, |_| false)
    }

    /// Like [`GridCity::build_where`], but no segment of a grid line for which `line(k)` is
    /// true is left out (`k`: the line's offset in blocks from the centre line, columns for
    /// north–south segments and rows for east–west ones), so roads along those lines are
    /// unbroken. The random stream is the same as `build_where`'s.
    pub fn build_with_lines(
        &self,
        keep: impl Fn(f64, f64) -> bool,
        line: impl Fn(i64) -> bool,
    ) -> Network {
        let mut rng = Rng::new(self.seed);
        let (nx, ny) = (self.columns as usize, self.rows as usize);
        let mut index = vec![u32::MAX; nx * ny];
        let (mut lon, mut lat, mut ids) = (Vec::new(), Vec::new(), Vec::new());
        for j in 0..ny {
            for i in 0..nx {
                // Jitter of ±20 % of a block keeps streets from being perfectly straight, so
                // grid distances are not all multiples of one length (which would hide
                // tie-breaking bugs in the searches).
                let e = (i as f64 - nx as f64 / 2.0) * self.spacing_m
                    + (rng.unit() - 0.5) * 0.4 * self.spacing_m;
                let n = (j as f64 - ny as f64 / 2.0) * self.spacing_m
                    + (rng.unit() - 0.5) * 0.4 * self.spacing_m;
                if !keep(e, n) {
                    continue;
                }
                let (x, y) = offset(self.centre, e, n);
                index[j * nx + i] = lon.len() as u32;
                lon.push(x);
                lat.push(y);
                ids.push((j * nx + i) as i64);
            }
        }
        let diagonals = if self.diagonal_every > 0 {
            lon.len() / self.diagonal_every as usize + ny
        } else {
            0
        };
        let mut edges = Vec::with_capacity(lon.len() * 2 + diagonals);
        let add = |a: u32, b: u32, lon: &[f64], lat: &[f64], edges: &mut Vec<EdgeSpec>| {
            if a != u32::MAX && b != u32::MAX {
                let m = haversine_m(
                    lon[a as usize],
                    lat[a as usize],
                    lon[b as usize],
                    lat[b as usize],
                );
                edges.push(EdgeSpec {
                    a,
                    b,
                    length_mm: metres_to_mm(m),
                });
            }
        };
        for j in 0..ny {
            for i in 0..nx {
                let here = index[j * nx + i];
                let (ci, rj) = (i as i64 - (nx / 2) as i64, j as i64 - (ny / 2) as i64);
                if i + 1 < nx && (rng.unit() >= self.missing_share || line(rj)) {
                    add(here, index[j * nx + i + 1], &lon, &lat, &mut edges);
                }
                if j + 1 < ny && (rng.unit() >= self.missing_share || line(ci)) {
                    add(here, index[(j + 1) * nx + i], &lon, &lat, &mut edges);
                }
                let d = self.diagonal_every as usize;
                if d > 0 && i + 1 < nx && j + 1 < ny && (i + nx - j % nx) % d == 0 {
                    add(here, index[(j + 1) * nx + i + 1], &lon, &lat, &mut edges);
                }
            }
        }
        drop(index);
        Network::from_edges(lon, lat, ids, &edges)
            .map(Network::largest_component)
            .unwrap_or_else(|_| Network::empty())
    }
}

/// One district of a demo city: name, centre (lon, lat) and relative size.
#[derive(Debug, Clone)]
pub struct DemoDistrict {
    /// Name.
    pub name: String,
    /// Centre (lon, lat).
    pub centre: (f64, f64),
    /// Relative size (1.0 typical): scales the urban radius and the population.
    pub size: f64,
}

/// 示例市's nine districts as the demo crate lays them out (name, map centre, relative size):
/// what the examples and tests generate the demo city's network from.
pub fn example_districts() -> Vec<DemoDistrict> {
    [
        ("映湖区", (114.40, 29.27), 1.3),
        ("青梧区", (114.36, 29.31), 1.2),
        ("临岚区", (114.45, 29.32), 1.1),
        ("鹭川区", (114.43, 29.23), 1.0),
        ("云麓区", (114.34, 29.22), 1.0),
        ("望舒县", (114.25, 29.15), 1.0),
        ("松禾县", (114.55, 29.36), 0.9),
        ("白芷县", (114.54, 29.14), 0.9),
        ("示例高新区", (114.49, 29.27), 0.7),
    ]
    .into_iter()
    .map(|(name, centre, size)| DemoDistrict {
        name: name.into(),
        centre,
        size,
    })
    .collect()
}

/// A generated city: network, district boundaries, residents and baseline facilities.
#[derive(Debug, Clone)]
pub struct DemoCity {
    /// The walking network.
    pub network: Network,
    /// District boundaries (Voronoi cells of the centres, clipped to the city's box).
    pub districts: Vec<District>,
    /// Residents on 400 m cells.
    pub population: Vec<PopulationPoint>,
    /// Facilities there before the campaign (no `since`).
    pub facilities: Vec<Facility>,
    /// The street grid's columns and rows (a node's source id is `row × columns + column`) and
    /// how many blocks apart the county roads run.
    grid: (i64, i64, i64),
}

impl DemoCity {
    /// The city's streets as basemap features: the county roads (every 1.2 km, unbroken) as
    /// secondary roads, every third of them as a major one, and the urban streets as minor ones, each straight run of the grid one
    /// line.
    pub fn basemap_features(&self) -> Vec<Feature> {
        let (nx, ny, every) = self.grid;
        let net = &self.network;
        // Runs along each grid line: (horizontal, line offset from the centre) → its blocks.
        let mut runs: BTreeMap<(bool, i64), Vec<Block>> = BTreeMap::new();
        let mut diagonals = Vec::new();
        for e in net.edges() {
            let (a, b) = (net.source_id[e.a as usize], net.source_id[e.b as usize]);
            let ((ia, ja), (ib, jb)) = ((a % nx, a / nx), (b % nx, b / nx));
            let (a, b) = (e.a, e.b);
            if ja == jb && (ia - ib).abs() == 1 {
                let (first, from, to) = if ia < ib { (ia, a, b) } else { (ib, b, a) };
                runs.entry((true, ja - ny / 2))
                    .or_default()
                    .push((first, from, to));
            } else if ia == ib && (ja - jb).abs() == 1 {
                let (first, from, to) = if ja < jb { (ja, a, b) } else { (jb, b, a) };
                runs.entry((false, ia - nx / 2))
                    .or_default()
                    .push((first, from, to));
            } else {
                diagonals.push(vec![self.at(a), self.at(b)]);
            }
        }
        let mut features = Vec::new();
        for ((_, offset), mut blocks) in runs {
            blocks.sort_unstable();
            // Every third county road is an arterial: what a city view shows of the grid.
            let layer = if offset % (every * 3) == 0 {
                Layer::Major
            } else if offset % every == 0 {
                Layer::Secondary
            } else {
                Layer::Minor
            };
            let mut line: Vec<(f64, f64)> = Vec::new();
            let mut last: Option<i64> = None;
            for (first, from, to) in blocks {
                if last != Some(first - 1) && line.len() >= 2 {
                    features.push(street(layer, std::mem::take(&mut line)));
                }
                if last != Some(first - 1) {
                    line = vec![self.at(from)];
                }
                line.push(self.at(to));
                last = Some(first);
            }
            if line.len() >= 2 {
                features.push(street(layer, line));
            }
        }
        features.extend(diagonals.into_iter().map(|d| street(Layer::Minor, d)));
        features
    }

    fn at(&self, node: u32) -> (f64, f64) {
        let i = node as usize;
        (self.network.lon[i], self.network.lat[i])
    }
}

/// A block of a grid line: its first column (or row) and its two nodes, west to east (or
/// south to north).
type Block = (i64, u32, u32);

fn street(layer: Layer, line: Vec<(f64, f64)>) -> Feature {
    Feature {
        layer,
        rank: 0,
        name: None,
        parts: vec![line],
    }
}

/// Facility types of the demo and how many residents one baseline facility serves on average
/// (lower: denser). Chosen so that baseline coverage is partial and the campaign's new parks,
/// toilets and neighbourhood centres visibly raise it.
pub const DEMO_TYPES: [(&str, f64); 6] = [
    ("green", 9_000.0),
    ("park", 40_000.0),
    ("toilet", 15_000.0),
    ("neighbourhood_centre", 30_000.0),
    ("clinic", 20_000.0),
    ("market", 12_000.0),
];

/// The box a demo city is laid out in: its districts' centres and 0.04° around them, with
/// local metres measured from its centre.
struct Frame {
    /// (min lon, min lat, max lon, max lat).
    bbox: (f64, f64, f64, f64),
    /// Its centre (lon, lat).
    centre: (f64, f64),
}

impl Frame {
    fn of(districts: &[DemoDistrict]) -> Frame {
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for d in districts {
            x0 = x0.min(d.centre.0);
            y0 = y0.min(d.centre.1);
            x1 = x1.max(d.centre.0);
            y1 = y1.max(d.centre.1);
        }
        let (x0, y0, x1, y1) = (x0 - 0.04, y0 - 0.04, x1 + 0.04, y1 + 0.04);
        Frame {
            bbox: (x0, y0, x1, y1),
            centre: ((x0 + x1) / 2.0, (y0 + y1) / 2.0),
        }
    }

    /// Metres east and north of the centre.
    fn to_m(&self, p: (f64, f64)) -> (f64, f64) {
        let centre = self.centre;
        let e = (p.0 - centre.0).to_radians() * EARTH_RADIUS_M * centre.1.to_radians().cos();
        let n = (p.1 - centre.1).to_radians() * EARTH_RADIUS_M;
        (e, n)
    }

    /// District boundaries: the Voronoi cell of each centre within the box, by clipping the box
    /// with the bisector half-plane of every other centre (in local metres).
    fn areas(&self, districts: &[DemoDistrict]) -> Vec<District> {
        let (x0, y0, x1, y1) = self.bbox;
        let boxed: Vec<(f64, f64)> = vec![
            self.to_m((x0, y0)),
            self.to_m((x1, y0)),
            self.to_m((x1, y1)),
            self.to_m((x0, y1)),
        ];
        let centres_m: Vec<(f64, f64)> = districts.iter().map(|d| self.to_m(d.centre)).collect();
        districts
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let mut cell = boxed.clone();
                let (pe, pn) = centres_m[i];
                for (j, &(qe, qn)) in centres_m.iter().enumerate() {
                    if i != j {
                        // Keep points closer to p than to q: (x - m)·(q - p) ≤ 0.
                        let (me, mn) = ((pe + qe) / 2.0, (pn + qn) / 2.0);
                        cell = clip(&cell, |(x, y)| (x - me) * (qe - pe) + (y - mn) * (qn - pn));
                    }
                }
                let ring: Vec<Coord<f64>> = cell
                    .iter()
                    .chain(cell.first())
                    .map(|&p| {
                        let (x, y) = offset(self.centre, p.0, p.1);
                        Coord { x, y }
                    })
                    .collect();
                District {
                    name: d.name.clone(),
                    area: MultiPolygon::new(vec![Polygon::new(LineString::new(ring), vec![])]),
                }
            })
            .collect()
    }
}

/// The district boundaries [`demo_city`] gives the same districts, without generating the
/// rest of the city (no network, residents or facilities): what a demo database stores as its
/// districts' boundaries, so its maps and its coverage pages draw the same lines. They depend
/// only on the centres (the Voronoi cells of the centres within the city's box), not the sizes.
pub fn district_areas(districts: &[DemoDistrict]) -> Vec<District> {
    Frame::of(districts).areas(districts)
}

/// Generates the demo city for the districts given (e.g. 示例市's nine, centred between lon
/// 114.25–114.55 and lat 29.14–29.36). Urban streets (120 m blocks) surround each centre
/// within about 3.5 km × size; county roads every 1.2 km join them.
pub fn demo_city(districts: &[DemoDistrict], seed: u64) -> DemoCity {
    let frame = Frame::of(districts);
    let (x0, y0, x1, y1) = frame.bbox;
    let centre = frame.centre;
    let width_m = haversine_m(x0, centre.1, x1, centre.1);
    let height_m = haversine_m(centre.0, y0, centre.0, y1);
    let spacing = 120.0;
    // An even number of columns and rows puts intersections on whole multiples of the block
    // from the centre, so every county road (a multiple of 1.2 km) is one straight grid line;
    // with an odd number they sit half a block off and the roads fall apart.
    let even = |n: u32| n + n % 2;
    let grid = GridCity {
        centre,
        columns: even((width_m / spacing) as u32 + 1),
        rows: even((height_m / spacing) as u32 + 1),
        spacing_m: spacing,
        missing_share: 0.06,
        diagonal_every: 40,
        seed,
    };
    let centres_m: Vec<((f64, f64), f64)> = districts
        .iter()
        .map(|d| (frame.to_m(d.centre), d.size))
        .collect();
    let urban = |e: f64, n: f64| {
        centres_m
            .iter()
            .any(|&((ce, cn), size)| ((e - ce).powi(2) + (n - cn).powi(2)).sqrt() < 3500.0 * size)
    };
    // County roads are never broken: they are what joins the districts into one network.
    let road_every = (1200.0 / spacing) as i64;
    let network = grid.build_with_lines(
        |e, n| {
            let on_road =
                |v: f64| (v / 1200.0 - (v / 1200.0).round()).abs() * 1200.0 < spacing * 0.5;
            urban(e, n) || on_road(e) || on_road(n)
        },
        |k| k % road_every == 0,
    );

    let district_areas = frame.areas(districts);
    let from_m = |(e, n): (f64, f64)| offset(centre, e, n);

    // Residents: 400 m cells, density a sum of bells around the centres.
    let mut rng = Rng::new(seed ^ 0x5EED_CE11);
    let mut population = Vec::new();
    let cell = 400.0;
    let (w, h) = ((width_m / cell) as i64, (height_m / cell) as i64);
    for j in 0..=h {
        for i in 0..=w {
            let e = (i as f64 - w as f64 / 2.0) * cell;
            let n = (j as f64 - h as f64 / 2.0) * cell;
            let density: f64 = centres_m
                .iter()
                .map(|&((ce, cn), size)| {
                    let r2 = ((e - ce).powi(2) + (n - cn).powi(2)) / (2000.0 * size).powi(2);
                    3000.0 * size * (-r2).exp()
                })
                .sum();
            let people = (density * (0.7 + 0.6 * rng.unit())).round();
            if people >= 30.0 {
                let (lon, lat) = from_m((e, n));
                population.push(PopulationPoint {
                    id: format!("c{i:03}-{j:03}"),
                    lon,
                    lat,
                    population: people,
                });
            }
        }
    }

    // Baseline facilities: each type sampled in proportion to residents.
    let total: f64 = population.iter().map(|p| p.population).sum();
    let mut facilities = Vec::new();
    for (kind, per) in DEMO_TYPES {
        let count = (total / per).round() as usize;
        for k in 0..count {
            let mut target = rng.unit() * total;
            let p = population
                .iter()
                .find(|p| {
                    target -= p.population;
                    target <= 0.0
                })
                .unwrap_or(&population[population.len() - 1]);
            let (lon, lat) = offset(
                (p.lon, p.lat),
                (rng.unit() - 0.5) * cell,
                (rng.unit() - 0.5) * cell,
            );
            facilities.push(Facility {
                id: format!("base-{kind}-{k}"),
                kind: kind.to_string(),
                points: vec![(lon, lat)],
                since: None,
                name: None,
            });
        }
    }
    DemoCity {
        network,
        districts: district_areas,
        population,
        facilities,
        grid: (i64::from(grid.columns), i64::from(grid.rows), road_every),
    }
}

/// Sutherland–Hodgman: the part of a convex polygon where `side(p) <= 0`.
fn clip(poly: &[(f64, f64)], side: impl Fn((f64, f64)) -> f64) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(poly.len() + 1);
    for k in 0..poly.len() {
        let (a, b) = (poly[k], poly[(k + 1) % poly.len()]);
        let (sa, sb) = (side(a), side(b));
        if sa <= 0.0 {
            out.push(a);
        }
        if (sa <= 0.0) != (sb <= 0.0) {
            let t = sa / (sa - sb);
            out.push((a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn district_areas_are_the_demo_citys_own() {
        let districts = example_districts();
        let city = demo_city(&districts, 2021);
        assert_eq!(district_areas(&districts), city.districts);
    }

    #[test]
    fn the_demo_basemap_draws_every_street_once_in_long_runs() {
        let city = demo_city(&example_districts(), 2021);
        let features = city.basemap_features();
        let segments: usize = features
            .iter()
            .flat_map(|f| &f.parts)
            .map(|p| p.len() - 1)
            .sum();
        assert_eq!(segments, city.network.edge_count());
        // Runs, not blocks: far fewer lines than streets.
        assert!(features.len() * 5 < segments, "{} lines", features.len());
        let secondary = features
            .iter()
            .filter(|f| f.layer == Layer::Secondary)
            .count();
        assert!(
            secondary > 0 && secondary < features.len() / 4,
            "{secondary}"
        );
    }
}
