//! Multi-source shortest paths over the CSR network, with a cutoff.
//!
//! One pass per facility type answers "how far is the nearest facility" for every node at once:
//! all facility nodes start in the heap at their own snapping distance, and the search stops at
//! the largest threshold of interest (nodes beyond it stay [`UNREACHED`]). A search per resident
//! would repeat the same work thousands of times.
//!
//! The heap holds `(distance << 32) | node` packed in one `u64` in a min-heap: one comparison
//! per sift and half the memory of a tuple. Stale entries are skipped when popped (lazy
//! deletion), which is faster in practice than a decrease-key heap.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::network::Network;

/// Distance of a node no source reaches within the cutoff.
pub const UNREACHED: u32 = u32::MAX;

/// A starting point: a node, the source (facility) it belongs to, and the distance already
/// walked to reach the node (the facility's snapping distance), all lengths in millimetres.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source {
    /// Network node the facility is snapped to.
    pub node: u32,
    /// Which facility this is (several sources may share one facility, e.g. a park's gates).
    pub facility: u32,
    /// Millimetres from the facility to `node`.
    pub offset_mm: u32,
}

#[inline]
fn pack(d: u32, v: u32) -> Reverse<u64> {
    Reverse((u64::from(d) << 32) | u64::from(v))
}

#[inline]
fn unpack(x: Reverse<u64>) -> (u32, u32) {
    ((x.0 >> 32) as u32, x.0 as u32)
}

/// Reusable buffers for repeated searches on one network (avoids reallocating per type).
#[derive(Debug, Default)]
pub struct Workspace {
    heap: BinaryHeap<Reverse<u64>>,
}

/// Distance in millimetres from the nearest source to every node, or [`UNREACHED`] when no
/// source is within `cutoff_mm`. Sources beyond the cutoff are ignored.
pub fn nearest_distances(net: &Network, sources: &[Source], cutoff_mm: u32) -> Vec<u32> {
    let mut dist = vec![UNREACHED; net.node_count()];
    nearest_distances_into(
        net,
        sources,
        cutoff_mm,
        &mut dist,
        &mut Workspace::default(),
    );
    dist
}

/// [`nearest_distances`] into a caller's buffer (`dist.len()` must be the node count).
pub fn nearest_distances_into(
    net: &Network,
    sources: &[Source],
    cutoff_mm: u32,
    dist: &mut [u32],
    ws: &mut Workspace,
) {
    dist.fill(UNREACHED);
    let heap = &mut ws.heap;
    heap.clear();
    for s in sources {
        if s.offset_mm <= cutoff_mm && s.offset_mm < dist[s.node as usize] {
            dist[s.node as usize] = s.offset_mm;
            heap.push(pack(s.offset_mm, s.node));
        }
    }
    let (offsets, targets, lengths) = (&net.offsets, &net.targets, &net.lengths);
    while let Some(top) = heap.pop() {
        let (d, v) = unpack(top);
        if d > dist[v as usize] {
            continue;
        }
        let (s, e) = (
            offsets[v as usize] as usize,
            offsets[v as usize + 1] as usize,
        );
        for i in s..e {
            let w = targets[i];
            let nd = d.saturating_add(lengths[i]);
            if nd <= cutoff_mm && nd < dist[w as usize] {
                dist[w as usize] = nd;
                heap.push(pack(nd, w));
            }
        }
    }
}

/// The nearest and second-nearest *distinct* facility of a node, with their distances.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TwoBest {
    /// Nearest facility and its distance (mm), `None` when none is within the cutoff.
    pub first: Option<(u32, u32)>,
    /// The nearest facility other than `first`'s, `None` when none is within the cutoff.
    pub second: Option<(u32, u32)>,
}

/// For every node, the nearest and second-nearest distinct facilities within `cutoff_mm`.
///
/// A label-setting search where each node may be settled twice, by two different facilities:
/// a popped label `(d, v, f)` is settled if `v` has fewer than two settled labels and none from
/// `f`. Because labels are popped in distance order, the first two settled labels of a node
/// are its two nearest distinct facilities (ties between equal distances are broken by the
/// lower facility index, so the result is deterministic). This is what the marginal gain of a
/// facility needs: a resident is covered by facility `f` *alone* when `f` is its nearest and
/// the second nearest is beyond the threshold.
pub fn two_nearest(net: &Network, sources: &[Source], cutoff_mm: u32) -> Vec<TwoBest> {
    let n = net.node_count();
    let mut best = vec![
        TwoBest {
            first: None,
            second: None
        };
        n
    ];
    // (distance, facility, node), min-first; a facility index fits in 32 bits.
    let mut heap: BinaryHeap<Reverse<(u32, u32, u32)>> = BinaryHeap::new();
    for s in sources {
        if s.offset_mm <= cutoff_mm {
            heap.push(Reverse((s.offset_mm, s.facility, s.node)));
        }
    }
    while let Some(Reverse((d, f, v))) = heap.pop() {
        let b = &mut best[v as usize];
        match (b.first, b.second) {
            (None, _) => b.first = Some((f, d)),
            (Some((f1, _)), None) if f1 != f => b.second = Some((f, d)),
            _ => continue,
        }
        for (w, l) in net.arcs(v) {
            let nd = d.saturating_add(l);
            if nd > cutoff_mm {
                continue;
            }
            let bw = &best[w as usize];
            // Prune labels that can no longer be settled at w: w is full, or already settled
            // by this same facility.
            let useful = match (bw.first, bw.second) {
                (None, _) => true,
                (Some((f1, _)), None) => f1 != f,
                _ => false,
            };
            if useful {
                heap.push(Reverse((nd, f, w)));
            }
        }
    }
    best
}

/// For every resident, how many facilities lie within `cutoff_mm` of it, its own snapping
/// distance included.
///
/// One search per facility, bounded by the cutoff, so the cost is the number of facilities
/// times the nodes within the cutoff of one (a few hundred at 1,200 m in a city), not the size
/// of the network. `residents` gives each resident's node and snapping distance (`None`:
/// unsnapped, count 0); `facilities` each facility's sources.
pub fn count_within(
    net: &Network,
    facilities: &[Vec<Source>],
    residents: &[Option<(u32, u32)>],
    cutoff_mm: u32,
) -> Vec<u32> {
    let n = net.node_count();
    // Residents grouped by node (CSR), so a search visits only the residents of nodes it reaches.
    let mut start = vec![0u32; n + 1];
    for &(v, _) in residents.iter().flatten() {
        start[v as usize + 1] += 1;
    }
    for v in 0..n {
        start[v + 1] += start[v];
    }
    let mut at = vec![0u32; residents.len()];
    let mut fill = start.clone();
    for (r, &(v, _)) in residents
        .iter()
        .enumerate()
        .filter_map(|(r, x)| x.as_ref().map(|x| (r, x)))
    {
        at[fill[v as usize] as usize] = r as u32;
        fill[v as usize] += 1;
    }
    drop(fill);
    let mut count = vec![0u32; residents.len()];
    let mut dist = vec![UNREACHED; n];
    let mut touched: Vec<u32> = Vec::new();
    let mut heap: BinaryHeap<Reverse<u64>> = BinaryHeap::new();
    for sources in facilities {
        for s in sources {
            if s.offset_mm <= cutoff_mm && s.offset_mm < dist[s.node as usize] {
                if dist[s.node as usize] == UNREACHED {
                    touched.push(s.node);
                }
                dist[s.node as usize] = s.offset_mm;
                heap.push(pack(s.offset_mm, s.node));
            }
        }
        while let Some(top) = heap.pop() {
            let (d, v) = unpack(top);
            if d > dist[v as usize] {
                continue;
            }
            for (w, l) in net.arcs(v) {
                let nd = d.saturating_add(l);
                if nd <= cutoff_mm && nd < dist[w as usize] {
                    if dist[w as usize] == UNREACHED {
                        touched.push(w);
                    }
                    dist[w as usize] = nd;
                    heap.push(pack(nd, w));
                }
            }
        }
        for &v in &touched {
            let d = dist[v as usize];
            for &r in &at[start[v as usize] as usize..start[v as usize + 1] as usize] {
                if let Some((_, snap)) = residents[r as usize]
                    && d.saturating_add(snap) <= cutoff_mm
                {
                    count[r as usize] += 1;
                }
            }
            dist[v as usize] = UNREACHED;
        }
        touched.clear();
    }
    count
}
