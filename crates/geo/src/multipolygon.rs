//! Rings from the member ways of an OpenStreetMap multipolygon relation.
//!
//! A large park, lake or square is mapped as a relation whose `outer` (and `inner`) members are
//! ways that each carry part of a ring; the rings exist only once the ways are joined end to
//! end. [`assemble`] joins them, per role, the way GDAL and osmium do it: a closed way is a ring
//! of its own; open ways are chained at shared end nodes (reversed where needed) until the chain
//! closes. Ways that cannot be closed (members missing from the extract, broken data) are
//! reported, not guessed at.

use std::collections::HashMap;

/// One member way: its role and its node ids in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// `outer` (or an empty role, which data often has for outers) rather than `inner`.
    pub outer: bool,
    /// The way's node ids.
    pub nodes: Vec<i64>,
}

/// The rings of a relation, as node ids, each closed (first node repeated at the end).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rings {
    /// Outer rings.
    pub outer: Vec<Vec<i64>>,
    /// Inner rings (holes).
    pub inner: Vec<Vec<i64>>,
    /// Chains of ways that did not close: their ways are left out.
    pub open: usize,
}

/// Joins the member ways into rings (see the module docs).
pub fn assemble(members: &[Member]) -> Rings {
    let mut rings = Rings::default();
    for outer in [true, false] {
        let ways: Vec<&[i64]> = members
            .iter()
            .filter(|m| m.outer == outer && m.nodes.len() >= 2)
            .map(|m| m.nodes.as_slice())
            .collect();
        let (closed, open) = join(&ways);
        rings.open += open;
        if outer {
            rings.outer = closed;
        } else {
            rings.inner = closed;
        }
    }
    rings
}

/// The closed rings `ways` make and how many chains stayed open.
fn join(ways: &[&[i64]]) -> (Vec<Vec<i64>>, usize) {
    let mut ends: HashMap<i64, Vec<usize>> = HashMap::new();
    for (i, w) in ways.iter().enumerate() {
        ends.entry(w[0]).or_default().push(i);
        ends.entry(w[w.len() - 1]).or_default().push(i);
    }
    let mut used = vec![false; ways.len()];
    let (mut closed, mut open) = (Vec::new(), 0);
    for start in 0..ways.len() {
        if used[start] {
            continue;
        }
        used[start] = true;
        let mut ring: Vec<i64> = ways[start].to_vec();
        loop {
            let (first, last) = (ring[0], ring[ring.len() - 1]);
            if first == last {
                break;
            }
            let next = ends
                .get(&last)
                .and_then(|c| c.iter().copied().find(|&j| !used[j]));
            let Some(j) = next else { break };
            used[j] = true;
            let w = ways[j];
            if w[0] == last {
                ring.extend_from_slice(&w[1..]);
            } else {
                ring.extend(w[..w.len() - 1].iter().rev());
            }
        }
        // A ring needs three distinct corners: first, two more, and the first again.
        if ring.len() >= 4 && ring[0] == ring[ring.len() - 1] {
            closed.push(ring);
        } else {
            open += 1;
        }
    }
    (closed, open)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outer(nodes: &[i64]) -> Member {
        Member {
            outer: true,
            nodes: nodes.to_vec(),
        }
    }

    #[test]
    fn a_closed_way_is_a_ring_of_its_own() {
        let rings = assemble(&[outer(&[1, 2, 3, 1])]);
        assert_eq!(rings.outer, vec![vec![1, 2, 3, 1]]);
        assert_eq!(rings.open, 0);
    }

    #[test]
    fn open_ways_join_end_to_end_reversing_where_needed() {
        // 1→2→3, then 5→4→3 (backwards), then 5→6→1.
        let rings = assemble(&[outer(&[1, 2, 3]), outer(&[5, 4, 3]), outer(&[5, 6, 1])]);
        assert_eq!(rings.outer, vec![vec![1, 2, 3, 4, 5, 6, 1]]);
        assert_eq!(rings.open, 0);
    }

    #[test]
    fn inner_rings_are_kept_apart_from_outer_ones() {
        let rings = assemble(&[
            outer(&[1, 2, 3, 4, 1]),
            Member {
                outer: false,
                nodes: vec![10, 11, 12],
            },
            Member {
                outer: false,
                nodes: vec![12, 10],
            },
        ]);
        assert_eq!(rings.outer, vec![vec![1, 2, 3, 4, 1]]);
        assert_eq!(rings.inner, vec![vec![10, 11, 12, 10]]);
    }

    #[test]
    fn a_chain_with_a_missing_member_is_reported_open_and_left_out() {
        // 1→2→3 and 3→4: the way from 4 back to 1 is missing from the extract.
        let rings = assemble(&[outer(&[1, 2, 3]), outer(&[3, 4]), outer(&[7, 8, 9, 7])]);
        assert_eq!(rings.outer, vec![vec![7, 8, 9, 7]]);
        assert_eq!(rings.open, 1);
    }

    #[test]
    fn two_rings_sharing_a_node_stay_two_rings() {
        // Two squares touching at node 3, each made of two open ways.
        let rings = assemble(&[
            outer(&[1, 2, 3]),
            outer(&[3, 4, 1]),
            outer(&[3, 5, 6]),
            outer(&[6, 7, 3]),
        ]);
        assert_eq!(rings.open, 0);
        assert_eq!(rings.outer.len(), 2, "{:?}", rings.outer);
        for ring in &rings.outer {
            assert_eq!(ring.first(), ring.last());
        }
    }

    #[test]
    fn degenerate_ways_make_no_ring() {
        let rings = assemble(&[outer(&[1]), outer(&[1, 2, 1])]);
        assert!(rings.outer.is_empty());
        assert_eq!(rings.open, 1);
    }
}
