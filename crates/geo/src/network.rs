//! The walking network as a compact undirected graph in CSR arrays.
//!
//! Every undirected street segment is stored twice (once from each end), so a node's
//! neighbours are `targets[offsets[v]..offsets[v + 1]]`. Lengths are whole **millimetres** in a
//! `u32`: integer lengths make shortest-path sums exact and independent of the order in which
//! an implementation adds them, so two implementations on the same graph agree to the
//! millimetre (the tests compare with a petgraph oracle by `==`). One edge may be up to
//! 4,294 km long, far beyond any street segment.

use crate::GeoError;

/// Mean Earth radius in metres (IUGG), the one used by the reference graphs in
/// `shared/data/osm/derived`, so lengths agree with them.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle (haversine) distance in metres between two lon/lat points in degrees.
///
/// At street-segment scale the haversine and the ellipsoidal geodesic differ by less than
/// 0.5 %, and the haversine is what the reference pipelines use.
pub fn haversine_m(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
}

/// Metres to whole millimetres, rounded, saturating at `u32::MAX - 1` (`u32::MAX` means
/// "unreachable" in distance arrays).
pub fn metres_to_mm(m: f64) -> u32 {
    let mm = (m * 1000.0).round();
    if mm <= 0.0 {
        0
    } else if mm >= f64::from(u32::MAX - 1) {
        u32::MAX - 1
    } else {
        mm as u32
    }
}

/// One undirected edge before the graph is built: two node indices and a length in millimetres.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EdgeSpec {
    /// One end (index into the node list).
    pub a: u32,
    /// The other end.
    pub b: u32,
    /// Length in millimetres.
    pub length_mm: u32,
}

/// A walking network: node positions and an undirected graph in CSR form.
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    /// `offsets[v]..offsets[v + 1]` is the range of `v`'s outgoing arcs; `len = nodes + 1`.
    pub offsets: Vec<u32>,
    /// Head node of every arc.
    pub targets: Vec<u32>,
    /// Length of every arc in millimetres.
    pub lengths: Vec<u32>,
    /// Longitude of every node (degrees, WGS 84).
    pub lon: Vec<f64>,
    /// Latitude of every node (degrees, WGS 84).
    pub lat: Vec<f64>,
    /// The identifier the node had in its source (OSM node id, or the id column of nodes.csv).
    pub source_id: Vec<i64>,
}

impl Network {
    /// Builds the CSR arrays from nodes and undirected edges. Self-loops are dropped (they never
    /// shorten a path); parallel edges are kept (Dijkstra takes the shorter one). Edges naming a
    /// node that does not exist are an error.
    pub fn from_edges(
        lon: Vec<f64>,
        lat: Vec<f64>,
        source_id: Vec<i64>,
        edges: &[EdgeSpec],
    ) -> Result<Network, GeoError> {
        let n = lon.len();
        if lat.len() != n || source_id.len() != n {
            return Err(GeoError::Invalid("node arrays of different lengths".into()));
        }
        if n >= u32::MAX as usize {
            return Err(GeoError::Invalid("more than 4 billion nodes".into()));
        }
        let mut degree = vec![0u32; n + 1];
        for e in edges {
            if e.a as usize >= n || e.b as usize >= n {
                return Err(GeoError::Invalid(format!(
                    "edge {}–{} names a node beyond the {n} nodes",
                    e.a, e.b
                )));
            }
            if e.a != e.b {
                degree[e.a as usize] += 1;
                degree[e.b as usize] += 1;
            }
        }
        let mut offsets = vec![0u32; n + 1];
        for v in 0..n {
            offsets[v + 1] = offsets[v] + degree[v];
        }
        let arcs = offsets[n] as usize;
        let mut targets = vec![0u32; arcs];
        let mut lengths = vec![0u32; arcs];
        let mut fill: Vec<u32> = offsets[..n].to_vec();
        for e in edges {
            if e.a == e.b {
                continue;
            }
            for (from, to) in [(e.a, e.b), (e.b, e.a)] {
                let slot = fill[from as usize] as usize;
                targets[slot] = to;
                lengths[slot] = e.length_mm;
                fill[from as usize] += 1;
            }
        }
        Ok(Network {
            offsets,
            targets,
            lengths,
            lon,
            lat,
            source_id,
        })
    }

    /// A network without nodes.
    pub fn empty() -> Network {
        Network {
            offsets: vec![0],
            targets: Vec::new(),
            lengths: Vec::new(),
            lon: Vec::new(),
            lat: Vec::new(),
            source_id: Vec::new(),
        }
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.lon.len()
    }

    /// Number of undirected edges (each stored as two arcs).
    pub fn edge_count(&self) -> usize {
        self.targets.len() / 2
    }

    /// The arcs leaving `v`: `(head, length_mm)`.
    pub fn arcs(&self, v: u32) -> impl Iterator<Item = (u32, u32)> + '_ {
        let (s, e) = (
            self.offsets[v as usize] as usize,
            self.offsets[v as usize + 1] as usize,
        );
        self.targets[s..e]
            .iter()
            .copied()
            .zip(self.lengths[s..e].iter().copied())
    }

    /// Every undirected edge once (`a < b` for the stored arc direction), in CSR order.
    pub fn edges(&self) -> impl Iterator<Item = EdgeSpec> + '_ {
        (0..self.node_count() as u32).flat_map(move |a| {
            self.arcs(a)
                .filter(move |&(b, _)| a < b)
                .map(move |(b, length_mm)| EdgeSpec { a, b, length_mm })
        })
    }

    /// Bounding box `(min_lon, min_lat, max_lon, max_lat)`; `None` for an empty network.
    pub fn bounds(&self) -> Option<(f64, f64, f64, f64)> {
        if self.lon.is_empty() {
            return None;
        }
        let mut b = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for (&x, &y) in self.lon.iter().zip(&self.lat) {
            b = (b.0.min(x), b.1.min(y), b.2.max(x), b.3.max(y));
        }
        Some(b)
    }

    /// Connected-component label of every node (labels `0..count`), by iterative BFS.
    pub fn components(&self) -> (Vec<u32>, u32) {
        let n = self.node_count();
        let mut label = vec![u32::MAX; n];
        let mut count = 0u32;
        let mut queue = Vec::new();
        for start in 0..n {
            if label[start] != u32::MAX {
                continue;
            }
            label[start] = count;
            queue.clear();
            queue.push(start as u32);
            while let Some(v) = queue.pop() {
                for (w, _) in self.arcs(v) {
                    if label[w as usize] == u32::MAX {
                        label[w as usize] = count;
                        queue.push(w);
                    }
                }
            }
            count += 1;
        }
        (label, count)
    }

    /// The largest connected component as a network of its own (nodes renumbered in their
    /// original order). Walking coverage is computed on it alone: islands left by clipping an
    /// extract or by a private courtyard would otherwise make residents snapped to them look
    /// unserved for a reason that is an artefact of the data.
    pub fn largest_component(self) -> Network {
        let (label, count) = self.components();
        if count <= 1 {
            return self;
        }
        let mut sizes = vec![0usize; count as usize];
        for &l in &label {
            sizes[l as usize] += 1;
        }
        let best = (0..count)
            .max_by_key(|&c| (sizes[c as usize], std::cmp::Reverse(c)))
            .unwrap_or(0);
        self.keep_nodes(|v| label[v] == best)
    }

    /// The subgraph induced by the nodes for which `keep` is true.
    pub fn keep_nodes(self, keep: impl Fn(usize) -> bool) -> Network {
        let n = self.node_count();
        let mut new_index = vec![u32::MAX; n];
        let (mut lon, mut lat, mut ids) = (Vec::new(), Vec::new(), Vec::new());
        for (v, slot) in new_index.iter_mut().enumerate() {
            if keep(v) {
                *slot = lon.len() as u32;
                lon.push(self.lon[v]);
                lat.push(self.lat[v]);
                ids.push(self.source_id[v]);
            }
        }
        let mut offsets = Vec::with_capacity(lon.len() + 1);
        // Sized once for the worst case: growing by doubling would briefly hold twice the arcs.
        let mut targets = Vec::with_capacity(self.targets.len());
        let mut lengths = Vec::with_capacity(self.targets.len());
        offsets.push(0u32);
        for (v, &slot) in new_index.iter().enumerate() {
            if slot == u32::MAX {
                continue;
            }
            for (w, l) in self.arcs(v as u32) {
                let nw = new_index[w as usize];
                if nw != u32::MAX {
                    targets.push(nw);
                    lengths.push(l);
                }
            }
            offsets.push(targets.len() as u32);
        }
        Network {
            offsets,
            targets,
            lengths,
            lon,
            lat,
            source_id: ids,
        }
    }

    /// Bytes held by the arrays (for the benchmark's memory figures).
    pub fn heap_bytes(&self) -> usize {
        self.offsets.len() * 4
            + self.targets.len() * 4
            + self.lengths.len() * 4
            + self.lon.len() * 16
            + self.source_id.len() * 8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haversine_of_one_degree_of_latitude_is_about_111_km() {
        let d = haversine_m(0.0, 0.0, 0.0, 1.0);
        assert!((d - 111_195.0).abs() < 1.0, "{d}");
    }

    #[test]
    fn largest_component_drops_islands_and_renumbers() {
        let lon = vec![0.0, 1.0, 2.0, 3.0, 4.0];
        let lat = vec![0.0; 5];
        let edges = [
            EdgeSpec {
                a: 0,
                b: 1,
                length_mm: 5,
            },
            EdgeSpec {
                a: 3,
                b: 4,
                length_mm: 7,
            },
            EdgeSpec {
                a: 2,
                b: 3,
                length_mm: 9,
            },
        ];
        let net = Network::from_edges(lon, lat, vec![10, 11, 12, 13, 14], &edges)
            .unwrap()
            .largest_component();
        assert_eq!(net.source_id, vec![12, 13, 14]);
        assert_eq!(net.edge_count(), 2);
        let mut e: Vec<_> = net.edges().collect();
        e.sort_by_key(|e| (e.a, e.b));
        assert_eq!(
            e[0],
            EdgeSpec {
                a: 0,
                b: 1,
                length_mm: 9
            }
        );
    }
}
