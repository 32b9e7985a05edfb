//! District boundaries (区划边界): a district's outline in WGS-84 longitude and latitude, as one
//! or more polygons (a district with exclaves or islands has several), each with an exterior ring
//! and any holes (an enclave of another district). Maps draw them and place points in them;
//! [`check_boundary`] is the one gate an imported or generated boundary passes before it is
//! stored.

use std::fmt;

use crate::coords::{self, OutOfBounds};
use crate::model::GeoPoint;

/// A district's outline: one polygon, or several (exclaves, islands).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Boundary {
    /// The polygons; the first is not special (the largest is the main land).
    pub polygons: Vec<BoundaryPolygon>,
}

/// One polygon of a boundary: the exterior ring and its holes, each ring closed (first point
/// repeated last) once stored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BoundaryPolygon {
    /// The outer ring.
    pub exterior: Vec<GeoPoint>,
    /// Rings cut out of it (enclaves).
    pub holes: Vec<Vec<GeoPoint>>,
}

/// The decimal places of a stored coordinate. 1e-7° is about a centimetre, far finer than any
/// survey of a district line; and a number of at most ten significant digits is read back from
/// JSON (by `serde_json`'s exact fast path) as exactly the number written, where a full-precision
/// `f64` may come back one unit in the last place off.
pub const DECIMALS: i32 = 7;

/// A box of longitudes and latitudes: (min lon, min lat, max lon, max lat).
pub type BBox = (f64, f64, f64, f64);

/// The empty box, which [`union`] leaves as the other box.
const EMPTY: BBox = (
    f64::INFINITY,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NEG_INFINITY,
);

/// The smallest box holding both.
pub fn union(a: BBox, b: BBox) -> BBox {
    (a.0.min(b.0), a.1.min(b.1), a.2.max(b.2), a.3.max(b.3))
}

fn ring_bbox(ring: &[GeoPoint]) -> BBox {
    ring.iter()
        .fold(EMPTY, |b, p| union(b, (p.lon, p.lat, p.lon, p.lat)))
}

/// Whether `p` is inside `ring` by the even-odd rule (a ray cast east); the closing segment is
/// implied, so a ring need not repeat its first point.
fn ring_contains(ring: &[GeoPoint], p: GeoPoint) -> bool {
    let n = ring.len();
    if n < 3 {
        return false;
    }
    let mut inside = false;
    let mut j = n - 1;
    for i in 0..n {
        let (a, b) = (ring[i], ring[j]);
        if (a.lat > p.lat) != (b.lat > p.lat) {
            let x = a.lon + (p.lat - a.lat) / (b.lat - a.lat) * (b.lon - a.lon);
            if p.lon < x {
                inside = !inside;
            }
        }
        j = i;
    }
    inside
}

impl BoundaryPolygon {
    /// Whether `p` is inside the exterior and outside every hole.
    pub fn contains(&self, p: GeoPoint) -> bool {
        ring_contains(&self.exterior, p) && !self.holes.iter().any(|h| ring_contains(h, p))
    }

    fn rings(&self) -> impl Iterator<Item = &Vec<GeoPoint>> {
        std::iter::once(&self.exterior).chain(&self.holes)
    }
}

impl Boundary {
    /// The box around every point (an empty boundary's box is empty: min above max).
    pub fn bbox(&self) -> BBox {
        self.polygons
            .iter()
            .map(|p| ring_bbox(&p.exterior))
            .fold(EMPTY, union)
    }

    /// Whether `p` lies inside the boundary: inside some polygon's exterior and none of its
    /// holes (points on an edge may fall either way).
    pub fn contains(&self, p: GeoPoint) -> bool {
        let (x0, y0, x1, y1) = self.bbox();
        (x0..=x1).contains(&p.lon)
            && (y0..=y1).contains(&p.lat)
            && self.polygons.iter().any(|poly| poly.contains(p))
    }

    /// The holes of every polygon.
    pub fn hole_count(&self) -> usize {
        self.polygons.iter().map(|p| p.holes.len()).sum()
    }

    /// The number of points, every ring counted.
    pub fn point_count(&self) -> usize {
        self.polygons
            .iter()
            .flat_map(BoundaryPolygon::rings)
            .map(Vec::len)
            .sum()
    }

    /// Closes every ring that does not end where it starts (repeats its first point); returns
    /// how many were closed. Stored boundaries are closed, as GeoJSON requires.
    pub fn close_rings(&mut self) -> usize {
        let mut closed = 0;
        for poly in &mut self.polygons {
            for ring in std::iter::once(&mut poly.exterior).chain(poly.holes.iter_mut()) {
                if let (Some(&first), Some(&last)) = (ring.first(), ring.last())
                    && first != last
                {
                    ring.push(first);
                    closed += 1;
                }
            }
        }
        closed
    }

    /// Rounds every coordinate to [`DECIMALS`] decimal places; stored boundaries are rounded,
    /// so one written out as JSON reads back as exactly the same numbers.
    pub fn round_coordinates(&mut self) {
        let scale = 10f64.powi(DECIMALS);
        let round = |v: f64| (v * scale).round() / scale;
        for poly in &mut self.polygons {
            for ring in std::iter::once(&mut poly.exterior).chain(poly.holes.iter_mut()) {
                for g in ring {
                    g.lon = round(g.lon);
                    g.lat = round(g.lat);
                }
            }
        }
    }

    /// The boundary as stored: coordinates rounded ([`Boundary::round_coordinates`]) and rings
    /// closed ([`Boundary::close_rings`]).
    pub fn normalised(mut self) -> Boundary {
        self.round_coordinates();
        self.close_rings();
        self
    }

    /// The coordinates of the boundary as a GeoJSON MultiPolygon's `coordinates` member:
    /// polygons of rings of `[lon, lat]` positions.
    pub fn coordinates(&self) -> Vec<Vec<Vec<[f64; 2]>>> {
        self.polygons
            .iter()
            .map(|p| {
                p.rings()
                    .map(|r| r.iter().map(|g| [g.lon, g.lat]).collect())
                    .collect()
            })
            .collect()
    }

    /// The boundary of a GeoJSON MultiPolygon's `coordinates` (the first ring of each polygon
    /// its exterior); a polygon without rings is dropped.
    pub fn from_coordinates(polygons: Vec<Vec<Vec<[f64; 2]>>>) -> Boundary {
        let ring = |r: Vec<[f64; 2]>| -> Vec<GeoPoint> {
            r.into_iter()
                .map(|[lon, lat]| GeoPoint { lon, lat })
                .collect()
        };
        Boundary {
            polygons: polygons
                .into_iter()
                .filter_map(|rings| {
                    let mut rings = rings.into_iter();
                    let exterior = ring(rings.next()?);
                    Some(BoundaryPolygon {
                        exterior,
                        holes: rings.map(ring).collect(),
                    })
                })
                .collect(),
        }
    }
}

/// Which ring of a boundary a problem is in: polygon `polygon` (from 0), ring `ring` (0: the
/// exterior, k: the k-th hole).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RingRef {
    /// The polygon, from 0.
    pub polygon: usize,
    /// 0 for the exterior, k for the k-th hole.
    pub ring: usize,
}

impl fmt::Display for RingRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let polygon = self.polygon + 1;
        if self.ring == 0 {
            write!(f, "第 {polygon} 块多边形的外环")
        } else {
            let hole = self.ring;
            write!(f, "第 {polygon} 块多边形的第 {hole} 个内洞")
        }
    }
}

/// Why a boundary cannot be stored; the text names the ring and, where there is one, the point.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BoundaryProblem {
    /// No polygon at all.
    #[error("边界为空：没有任何多边形")]
    Empty,
    /// A ring with fewer than three distinct points (four once closed).
    #[error("{ring}只有 {points} 个不同的点，至少需要 3 个（首尾闭合后 4 个）")]
    TooFewPoints {
        /// The ring.
        ring: RingRef,
        /// Its distinct points.
        points: usize,
    },
    /// A coordinate that is not a number.
    #[error("{ring}有不是数字的坐标")]
    NotFinite {
        /// The ring.
        ring: RingRef,
    },
    /// A coordinate beyond ±180° / ±90°: metres of a projected system, not degrees.
    #[error(
        "{ring}的坐标（{x}, {y}）超出经纬度范围，像是投影坐标（米）：边界须为 WGS-84 经纬度（度）"
    )]
    Projected {
        /// The ring.
        ring: RingRef,
        /// The first value.
        x: f64,
        /// The second value.
        y: f64,
    },
    /// A point outside China's box (the message says when longitude and latitude look swapped).
    #[error("{ring}：{}", coords::CHINA.explain(*.problem, .at.lon, .at.lat))]
    OutOfBounds {
        /// The ring.
        ring: RingRef,
        /// The point.
        at: GeoPoint,
        /// What is out.
        problem: OutOfBounds,
    },
    /// A ring crossing or touching itself (a bow-tie).
    #[error("{ring}自相交，约在经度 {:.6}、纬度 {:.6} 处", .at.lon, .at.lat)]
    SelfIntersection {
        /// The ring.
        ring: RingRef,
        /// About where.
        at: GeoPoint,
    },
    /// Two rings crossing each other.
    #[error("{a}与{b}相交，约在经度 {:.6}、纬度 {:.6} 处", .at.lon, .at.lat)]
    RingsCross {
        /// One ring.
        a: RingRef,
        /// The other.
        b: RingRef,
        /// About where.
        at: GeoPoint,
    },
    /// A hole not inside its polygon's exterior.
    #[error("{ring}不在所属多边形的外环之内（如经度 {:.6}、纬度 {:.6} 处的点）", .at.lon, .at.lat)]
    HoleOutside {
        /// The hole.
        ring: RingRef,
        /// A point of it outside.
        at: GeoPoint,
    },
    /// One polygon inside another (not in one of its holes): the area would be counted twice.
    #[error("第 {inner} 块多边形位于第 {outer} 块之内（不在其内洞中），面积重复")]
    Overlapping {
        /// The polygon inside, from 1.
        inner: usize,
        /// The polygon around it, from 1.
        outer: usize,
    },
}

/// What a good boundary holds that a reader should know: exclaves or islands, holes, rings that
/// were not closed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BoundaryNotes {
    /// Polygons in all.
    pub polygons: usize,
    /// Holes in all.
    pub holes: usize,
    /// Rings whose last point was not their first (closed when stored).
    pub unclosed: usize,
    /// Points in all.
    pub points: usize,
}

impl BoundaryNotes {
    /// The notes as short phrases: `含 2 个飞地/岛`, `含 1 个内洞`, `3 个环首尾未闭合，已自动闭合`.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.polygons > 1 {
            let n = self.polygons - 1;
            out.push(format!("含 {n} 个飞地/岛"));
        }
        if self.holes > 0 {
            let n = self.holes;
            out.push(format!("含 {n} 个内洞"));
        }
        if self.unclosed > 0 {
            let n = self.unclosed;
            out.push(format!("{n} 个环首尾未闭合，已自动闭合"));
        }
        out
    }
}

/// Checks a boundary before it is stored: every coordinate in degrees and in China's box
/// (`coords::CHINA`; a swapped longitude and latitude named as such), every ring with at least
/// three distinct points (an unclosed ring is accepted and noted: [`Boundary::close_rings`]
/// closes it), no ring crossing itself or another ring, every hole inside its exterior, no
/// polygon inside another. Holes and several polygons are real districts' enclaves and islands:
/// accepted, and counted in the notes.
pub fn check_boundary(boundary: &Boundary) -> Result<BoundaryNotes, BoundaryProblem> {
    if boundary.polygons.is_empty() {
        return Err(BoundaryProblem::Empty);
    }
    let mut notes = BoundaryNotes {
        polygons: boundary.polygons.len(),
        holes: boundary.hole_count(),
        unclosed: 0,
        points: boundary.point_count(),
    };
    // Each ring as its distinct vertices (the closing point and repeated points dropped), for
    // the geometric checks below.
    let mut rings: Vec<(RingRef, Vec<GeoPoint>)> = Vec::new();
    for (p, poly) in boundary.polygons.iter().enumerate() {
        for (r, ring) in poly.rings().enumerate() {
            let at = RingRef {
                polygon: p,
                ring: r,
            };
            check_coordinates(at, ring)?;
            let mut points: Vec<GeoPoint> = Vec::with_capacity(ring.len());
            for &g in ring {
                if points.last() != Some(&g) {
                    points.push(g);
                }
            }
            if points.len() > 1 && points.first() == points.last() {
                points.pop();
            } else if ring.len() > 1 {
                notes.unclosed += 1;
            }
            if points.len() < 3 {
                return Err(BoundaryProblem::TooFewPoints {
                    ring: at,
                    points: points.len(),
                });
            }
            rings.push((at, points));
        }
    }
    check_crossings(&rings)?;
    for (p, poly) in boundary.polygons.iter().enumerate() {
        for (h, hole) in poly.holes.iter().enumerate() {
            if let Some(&outside) = hole
                .iter()
                .find(|&&g| !ring_contains(&poly.exterior, g) && !on_ring(&poly.exterior, g))
            {
                return Err(BoundaryProblem::HoleOutside {
                    ring: RingRef {
                        polygon: p,
                        ring: h + 1,
                    },
                    at: outside,
                });
            }
        }
    }
    // With no rings crossing, a polygon is inside another exactly when any one of its points
    // not on the other's edge is; one inside another's hole is an enclave's enclave, allowed.
    for (i, inner) in boundary.polygons.iter().enumerate() {
        for (j, outer) in boundary.polygons.iter().enumerate() {
            if i == j {
                continue;
            }
            let probe = inner
                .exterior
                .iter()
                .find(|&&g| !outer.rings().any(|r| on_ring(r, g)));
            if probe.is_some_and(|&g| outer.contains(g)) {
                return Err(BoundaryProblem::Overlapping {
                    inner: i + 1,
                    outer: j + 1,
                });
            }
        }
    }
    Ok(notes)
}

fn check_coordinates(at: RingRef, ring: &[GeoPoint]) -> Result<(), BoundaryProblem> {
    for g in ring {
        if !(g.lon.is_finite() && g.lat.is_finite()) {
            return Err(BoundaryProblem::NotFinite { ring: at });
        }
        let checked = coords::CHINA.check(g.lon, g.lat);
        // A latitude of 114 is a swapped pair before it is anything else.
        if checked != Err(OutOfBounds::Swapped) && (g.lon.abs() > 180.0 || g.lat.abs() > 90.0) {
            return Err(BoundaryProblem::Projected {
                ring: at,
                x: g.lon,
                y: g.lat,
            });
        }
        if let Err(problem) = checked {
            return Err(BoundaryProblem::OutOfBounds {
                ring: at,
                at: *g,
                problem,
            });
        }
    }
    Ok(())
}

/// The cross product of `b - a` and `c - a`: positive when `c` is left of `a → b`.
fn orient(a: GeoPoint, b: GeoPoint, c: GeoPoint) -> f64 {
    (b.lon - a.lon) * (c.lat - a.lat) - (b.lat - a.lat) * (c.lon - a.lon)
}

/// Whether `c`, collinear with `a → b`, lies within the segment's box.
fn within(a: GeoPoint, b: GeoPoint, c: GeoPoint) -> bool {
    c.lon >= a.lon.min(b.lon)
        && c.lon <= a.lon.max(b.lon)
        && c.lat >= a.lat.min(b.lat)
        && c.lat <= a.lat.max(b.lat)
}

/// Whether `g` lies on an edge of `ring` (closing edge included).
fn on_ring(ring: &[GeoPoint], g: GeoPoint) -> bool {
    let n = ring.len();
    (0..n).any(|i| {
        let (a, b) = (ring[i], ring[(i + 1) % n]);
        orient(a, b, g) == 0.0 && within(a, b, g)
    })
}

/// How two segments meet.
enum Meet {
    /// They cross at an inner point of both.
    Cross(GeoPoint),
    /// They touch or overlap (an end of one on the other).
    Touch(GeoPoint),
}

fn meet(p1: GeoPoint, p2: GeoPoint, q1: GeoPoint, q2: GeoPoint) -> Option<Meet> {
    let (d1, d2) = (orient(q1, q2, p1), orient(q1, q2, p2));
    let (d3, d4) = (orient(p1, p2, q1), orient(p1, p2, q2));
    if d1 * d2 < 0.0 && d3 * d4 < 0.0 {
        let t = d1 / (d1 - d2);
        return Some(Meet::Cross(GeoPoint {
            lon: p1.lon + t * (p2.lon - p1.lon),
            lat: p1.lat + t * (p2.lat - p1.lat),
        }));
    }
    [
        (d1, q1, q2, p1),
        (d2, q1, q2, p2),
        (d3, p1, p2, q1),
        (d4, p1, p2, q2),
    ]
    .into_iter()
    .find(|&(d, a, b, c)| d == 0.0 && within(a, b, c))
    .map(|(_, _, _, c)| Meet::Touch(c))
}

/// One edge of a ring, for the sweep.
struct Edge {
    /// Index into the ring list.
    ring: usize,
    /// Index of its first vertex in the ring.
    index: usize,
    a: GeoPoint,
    b: GeoPoint,
    min_lon: f64,
    max_lon: f64,
}

/// Finds a ring crossing or touching itself and two rings crossing: the edges sorted by their
/// westmost longitude, each compared only with the edges that start before it ends (a sweep
/// across longitude), so a boundary of tens of thousands of points is checked in about linear
/// time rather than every pair. Two rings may touch at a point (an enclave meeting its
/// district's edge), not cross; a ring may not touch itself except between neighbouring edges.
fn check_crossings(rings: &[(RingRef, Vec<GeoPoint>)]) -> Result<(), BoundaryProblem> {
    let mut edges: Vec<Edge> = Vec::new();
    for (k, (_, ring)) in rings.iter().enumerate() {
        let n = ring.len();
        for i in 0..n {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            edges.push(Edge {
                ring: k,
                index: i,
                a,
                b,
                min_lon: a.lon.min(b.lon),
                max_lon: a.lon.max(b.lon),
            });
        }
    }
    edges.sort_by(|x, y| x.min_lon.total_cmp(&y.min_lon));
    for (i, e) in edges.iter().enumerate() {
        for f in edges[i + 1..].iter().take_while(|f| f.min_lon <= e.max_lon) {
            if e.a.lat.max(e.b.lat) < f.a.lat.min(f.b.lat)
                || f.a.lat.max(f.b.lat) < e.a.lat.min(e.b.lat)
            {
                continue;
            }
            if e.ring == f.ring {
                let n = rings[e.ring].1.len();
                let neighbours = (e.index + 1) % n == f.index || (f.index + 1) % n == e.index;
                let found = match meet(e.a, e.b, f.a, f.b) {
                    None => None,
                    Some(Meet::Cross(at)) => Some(at),
                    // Neighbours share a vertex; they meet elsewhere only by folding back.
                    Some(Meet::Touch(at)) if neighbours => {
                        let shared = if (e.index + 1) % n == f.index {
                            e.b
                        } else {
                            e.a
                        };
                        let folds = orient(e.a, e.b, f.a) == 0.0
                            && orient(e.a, e.b, f.b) == 0.0
                            && collinear_overlap(e, f, shared);
                        folds.then_some(at)
                    }
                    Some(Meet::Touch(at)) => Some(at),
                };
                if let Some(at) = found {
                    return Err(BoundaryProblem::SelfIntersection {
                        ring: rings[e.ring].0,
                        at,
                    });
                }
            } else if let Some(Meet::Cross(at)) = meet(e.a, e.b, f.a, f.b) {
                return Err(BoundaryProblem::RingsCross {
                    a: rings[e.ring.min(f.ring)].0,
                    b: rings[e.ring.max(f.ring)].0,
                    at,
                });
            }
        }
    }
    Ok(())
}

/// Whether two collinear neighbouring edges sharing `shared` overlap beyond it (the ring turns
/// back on itself: a spike).
fn collinear_overlap(e: &Edge, f: &Edge, shared: GeoPoint) -> bool {
    let far = |x: &Edge| if x.a == shared { x.b } else { x.a };
    let (u, v) = (far(e), far(f));
    // Both far ends on the same side of the shared vertex: the edges overlap.
    (u.lon - shared.lon) * (v.lon - shared.lon) + (u.lat - shared.lat) * (v.lat - shared.lat) > 0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(points: &[(f64, f64)]) -> Vec<GeoPoint> {
        points
            .iter()
            .map(|&(lon, lat)| GeoPoint { lon, lat })
            .collect()
    }

    fn square(lon: f64, lat: f64, side: f64) -> Vec<GeoPoint> {
        ring(&[
            (lon, lat),
            (lon + side, lat),
            (lon + side, lat + side),
            (lon, lat + side),
            (lon, lat),
        ])
    }

    fn one(exterior: Vec<GeoPoint>, holes: Vec<Vec<GeoPoint>>) -> Boundary {
        Boundary {
            polygons: vec![BoundaryPolygon { exterior, holes }],
        }
    }

    #[test]
    fn a_plain_square_passes_without_notes() {
        let b = one(square(114.0, 29.0, 0.1), vec![]);
        let notes = check_boundary(&b).unwrap();
        assert!(notes.lines().is_empty(), "{notes:?}");
        assert_eq!(b.bbox(), (114.0, 29.0, 114.1, 29.1));
        assert!(b.contains(GeoPoint {
            lon: 114.05,
            lat: 29.05
        }));
        assert!(!b.contains(GeoPoint {
            lon: 114.15,
            lat: 29.05
        }));
    }

    #[test]
    fn a_bow_tie_is_refused_naming_where_it_crosses() {
        let b = one(
            ring(&[
                (114.0, 29.0),
                (114.1, 29.1),
                (114.1, 29.0),
                (114.0, 29.1),
                (114.0, 29.0),
            ]),
            vec![],
        );
        let problem = check_boundary(&b).unwrap_err();
        assert!(
            matches!(problem, BoundaryProblem::SelfIntersection { at, .. }
                if (at.lon - 114.05).abs() < 1e-9 && (at.lat - 29.05).abs() < 1e-9),
            "{problem:?}"
        );
        assert_eq!(
            problem.to_string(),
            "第 1 块多边形的外环自相交，约在经度 114.050000、纬度 29.050000 处"
        );
    }

    #[test]
    fn a_ring_touching_itself_at_a_vertex_is_refused() {
        // A figure eight through (114.1, 29.1).
        let b = one(
            ring(&[
                (114.0, 29.0),
                (114.1, 29.0),
                (114.1, 29.1),
                (114.2, 29.1),
                (114.2, 29.2),
                (114.1, 29.2),
                (114.1, 29.1),
                (114.0, 29.1),
            ]),
            vec![],
        );
        assert!(matches!(
            check_boundary(&b),
            Err(BoundaryProblem::SelfIntersection { .. })
        ));
    }

    #[test]
    fn a_spike_folding_back_on_itself_is_refused() {
        let b = one(
            ring(&[(114.0, 29.0), (114.2, 29.0), (114.1, 29.0), (114.1, 29.1)]),
            vec![],
        );
        assert!(matches!(
            check_boundary(&b),
            Err(BoundaryProblem::SelfIntersection { .. })
        ));
    }

    #[test]
    fn a_hole_is_accepted_with_a_note_and_excluded_from_the_area() {
        let b = one(square(114.0, 29.0, 0.3), vec![square(114.1, 29.1, 0.1)]);
        let notes = check_boundary(&b).unwrap();
        assert_eq!(notes.lines(), vec!["含 1 个内洞".to_string()]);
        assert!(!b.contains(GeoPoint {
            lon: 114.15,
            lat: 29.15
        }));
        assert!(b.contains(GeoPoint {
            lon: 114.05,
            lat: 29.05
        }));
    }

    #[test]
    fn islands_are_accepted_and_counted_and_each_contains_its_points() {
        let b = Boundary {
            polygons: vec![
                BoundaryPolygon {
                    exterior: square(114.0, 29.0, 0.3),
                    holes: vec![square(114.1, 29.1, 0.1)],
                },
                BoundaryPolygon {
                    exterior: square(114.5, 29.0, 0.05),
                    holes: vec![],
                },
                // An island inside the first polygon's hole: an enclave's enclave.
                BoundaryPolygon {
                    exterior: square(114.12, 29.12, 0.02),
                    holes: vec![],
                },
            ],
        };
        let notes = check_boundary(&b).unwrap();
        assert_eq!(
            notes.lines(),
            vec!["含 2 个飞地/岛".to_string(), "含 1 个内洞".to_string()]
        );
        assert!(b.contains(GeoPoint {
            lon: 114.52,
            lat: 29.02
        }));
        assert!(b.contains(GeoPoint {
            lon: 114.13,
            lat: 29.13
        }));
        assert!(!b.contains(GeoPoint {
            lon: 114.18,
            lat: 29.18
        }));
        assert_eq!(b.bbox(), (114.0, 29.0, 114.55, 29.3));
    }

    #[test]
    fn a_polygon_inside_another_is_refused() {
        let b = Boundary {
            polygons: vec![
                BoundaryPolygon {
                    exterior: square(114.0, 29.0, 0.3),
                    holes: vec![],
                },
                BoundaryPolygon {
                    exterior: square(114.1, 29.1, 0.1),
                    holes: vec![],
                },
            ],
        };
        assert_eq!(
            check_boundary(&b),
            Err(BoundaryProblem::Overlapping { inner: 2, outer: 1 })
        );
    }

    #[test]
    fn a_hole_outside_or_across_its_exterior_is_refused() {
        let outside = one(square(114.0, 29.0, 0.1), vec![square(114.5, 29.5, 0.1)]);
        assert!(matches!(
            check_boundary(&outside),
            Err(BoundaryProblem::HoleOutside {
                ring: RingRef {
                    polygon: 0,
                    ring: 1
                },
                ..
            })
        ));
        let across = one(square(114.0, 29.0, 0.1), vec![square(114.05, 29.05, 0.1)]);
        let problem = check_boundary(&across).unwrap_err();
        assert!(
            matches!(problem, BoundaryProblem::RingsCross { .. }),
            "{problem:?}"
        );
        assert!(
            problem
                .to_string()
                .starts_with("第 1 块多边形的外环与第 1 块多边形的第 1 个内洞相交"),
            "{problem}"
        );
    }

    #[test]
    fn swapped_longitude_and_latitude_are_named_as_such() {
        let swapped: Vec<GeoPoint> = square(114.0, 29.0, 0.1)
            .into_iter()
            .map(|g| GeoPoint {
                lon: g.lat,
                lat: g.lon,
            })
            .collect();
        let problem = check_boundary(&one(swapped, vec![])).unwrap_err();
        assert!(
            matches!(
                problem,
                BoundaryProblem::OutOfBounds {
                    problem: OutOfBounds::Swapped,
                    ..
                }
            ),
            "{problem:?}"
        );
        assert!(
            problem.to_string().contains("经纬度可能填反了"),
            "{problem}"
        );
    }

    #[test]
    fn metres_of_a_projected_system_are_named_as_such() {
        let projected = ring(&[
            (500_000.0, 3_200_000.0),
            (510_000.0, 3_200_000.0),
            (510_000.0, 3_210_000.0),
        ]);
        let problem = check_boundary(&one(projected, vec![])).unwrap_err();
        assert!(
            matches!(problem, BoundaryProblem::Projected { .. }),
            "{problem:?}"
        );
        assert!(
            problem.to_string().contains("像是投影坐标（米）"),
            "{problem}"
        );
    }

    #[test]
    fn an_unclosed_ring_is_accepted_noted_and_closed() {
        let mut b = one(
            ring(&[(114.0, 29.0), (114.1, 29.0), (114.1, 29.1), (114.0, 29.1)]),
            vec![],
        );
        let notes = check_boundary(&b).unwrap();
        assert_eq!(notes.unclosed, 1);
        assert_eq!(
            notes.lines(),
            vec!["1 个环首尾未闭合，已自动闭合".to_string()]
        );
        assert_eq!(b.close_rings(), 1);
        assert_eq!(b.polygons[0].exterior.len(), 5);
        assert_eq!(b.close_rings(), 0);
        assert_eq!(check_boundary(&b).unwrap().unclosed, 0);
    }

    #[test]
    fn a_ring_of_two_points_is_refused() {
        let b = one(ring(&[(114.0, 29.0), (114.1, 29.0), (114.0, 29.0)]), vec![]);
        assert_eq!(
            check_boundary(&b),
            Err(BoundaryProblem::TooFewPoints {
                ring: RingRef {
                    polygon: 0,
                    ring: 0
                },
                points: 2
            })
        );
        assert_eq!(
            check_boundary(&Boundary::default()),
            Err(BoundaryProblem::Empty)
        );
    }

    #[test]
    fn normalised_boundaries_are_rounded_and_closed() {
        let b = one(
            ring(&[
                (114.123_456_789, 29.0),
                (114.1 + 0.05, 29.0),
                (114.15, 29.1),
            ]),
            vec![],
        )
        .normalised();
        assert_eq!(
            b.polygons[0].exterior,
            ring(&[
                (114.123_456_8, 29.0),
                (114.15, 29.0),
                (114.15, 29.1),
                (114.123_456_8, 29.0)
            ])
        );
    }

    #[test]
    fn coordinates_round_trip() {
        let b = Boundary {
            polygons: vec![
                BoundaryPolygon {
                    exterior: square(114.0, 29.0, 0.3),
                    holes: vec![square(114.1, 29.1, 0.1)],
                },
                BoundaryPolygon {
                    exterior: square(114.5, 29.0, 0.05),
                    holes: vec![],
                },
            ],
        };
        assert_eq!(Boundary::from_coordinates(b.coordinates()), b);
    }

    #[test]
    fn a_large_ring_is_checked_by_the_sweep() {
        // A 20,000-point circle: every pair would be 200 million tests.
        let n = 20_000;
        let circle: Vec<GeoPoint> = (0..n)
            .map(|i| {
                let t = i as f64 / n as f64 * std::f64::consts::TAU;
                GeoPoint {
                    lon: 114.3 + 0.2 * t.cos(),
                    lat: 29.3 + 0.2 * t.sin(),
                }
            })
            .collect();
        let notes = check_boundary(&one(circle, vec![])).unwrap();
        assert_eq!(notes.unclosed, 1);
    }
}
