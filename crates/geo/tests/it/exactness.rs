//! The shortest-path passes agree exactly with a plain petgraph Dijkstra on random graphs.

use jianguan_geo::network::{EdgeSpec, Network};
use jianguan_geo::paths::{Source, UNREACHED, count_within, nearest_distances, two_nearest};
use petgraph::algo::dijkstra;
use petgraph::graph::{DiGraph, NodeIndex};
use proptest::prelude::*;

/// Distances from a set of sources (node, offset) by petgraph, via a super-source joined to
/// every source node by an arc as long as its offset.
fn oracle(n: usize, edges: &[EdgeSpec], sources: &[(u32, u32)]) -> Vec<Option<u64>> {
    let mut g: DiGraph<(), u64> = DiGraph::new();
    let nodes: Vec<NodeIndex> = (0..n).map(|_| g.add_node(())).collect();
    let root = g.add_node(());
    for e in edges {
        g.add_edge(
            nodes[e.a as usize],
            nodes[e.b as usize],
            u64::from(e.length_mm),
        );
        g.add_edge(
            nodes[e.b as usize],
            nodes[e.a as usize],
            u64::from(e.length_mm),
        );
    }
    for &(v, off) in sources {
        g.add_edge(root, nodes[v as usize], u64::from(off));
    }
    let d = dijkstra(&g, root, None, |e| *e.weight());
    nodes.iter().map(|v| d.get(v).copied()).collect()
}

fn graph() -> impl Strategy<Value = (usize, Vec<EdgeSpec>)> {
    (1usize..40).prop_flat_map(|n| {
        let edge = (0..n as u32, 0..n as u32, 0u32..3000).prop_map(|(a, b, l)| EdgeSpec {
            a,
            b,
            length_mm: l,
        });
        (Just(n), prop::collection::vec(edge, 0..n * 3))
    })
}

fn network(n: usize, edges: &[EdgeSpec]) -> Network {
    Network::from_edges(vec![0.0; n], vec![0.0; n], (0..n as i64).collect(), edges).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn nearest_distances_equal_the_oracle_within_the_cutoff(
        (n, edges) in graph(),
        picks in prop::collection::vec((any::<prop::sample::Index>(), 0u32..500, 0u32..4), 0..6),
        cutoff in 0u32..8000,
    ) {
        let net = network(n, &edges);
        let sources: Vec<Source> = picks.iter().map(|(i, off, f)| Source { node: i.index(n) as u32, facility: *f, offset_mm: *off }).collect();
        let got = nearest_distances(&net, &sources, cutoff);
        let want = oracle(n, &edges, &sources.iter().map(|s| (s.node, s.offset_mm)).collect::<Vec<_>>());
        for v in 0..n {
            let expected = want[v].filter(|&d| d <= u64::from(cutoff)).map_or(UNREACHED, |d| d as u32);
            prop_assert_eq!(got[v], expected, "node {}", v);
        }
    }

    #[test]
    fn two_nearest_are_the_two_nearest_distinct_facilities(
        (n, edges) in graph(),
        picks in prop::collection::vec((any::<prop::sample::Index>(), 0u32..500, 0u32..5), 0..10),
        cutoff in 0u32..8000,
    ) {
        let net = network(n, &edges);
        let sources: Vec<Source> = picks.iter().map(|(i, off, f)| Source { node: i.index(n) as u32, facility: *f, offset_mm: *off }).collect();
        let got = two_nearest(&net, &sources, cutoff);
        // One oracle search per facility; then per node the two smallest (distance, facility).
        let mut per_node: Vec<Vec<(u64, u32)>> = vec![Vec::new(); n];
        for f in 0..5u32 {
            let own: Vec<(u32, u32)> = sources.iter().filter(|s| s.facility == f).map(|s| (s.node, s.offset_mm)).collect();
            if own.is_empty() { continue; }
            for (v, d) in oracle(n, &edges, &own).into_iter().enumerate() {
                if let Some(d) = d.filter(|&d| d <= u64::from(cutoff)) {
                    per_node[v].push((d, f));
                }
            }
        }
        for v in 0..n {
            per_node[v].sort();
            let want = |k: usize| per_node[v].get(k).map(|&(d, f)| (f, d as u32));
            prop_assert_eq!(got[v].first, want(0), "first at node {}", v);
            prop_assert_eq!(got[v].second, want(1), "second at node {}", v);
        }
    }

    #[test]
    fn facility_counts_equal_one_search_per_facility_and_resident(
        (n, edges) in graph(),
        picks in prop::collection::vec((any::<prop::sample::Index>(), 0u32..500, 0u32..5), 0..10),
        residents in prop::collection::vec(prop::option::of((any::<prop::sample::Index>(), 0u32..400)), 0..20),
        cutoff in 0u32..6000,
    ) {
        let net = network(n, &edges);
        let mut by_facility: Vec<Vec<Source>> = vec![Vec::new(); 5];
        for (i, off, f) in &picks {
            by_facility[*f as usize].push(Source { node: i.index(n) as u32, facility: *f, offset_mm: *off });
        }
        let residents: Vec<Option<(u32, u32)>> = residents.iter().map(|r| r.map(|(i, snap)| (i.index(n) as u32, snap))).collect();
        let got = count_within(&net, &by_facility, &residents, cutoff);
        for (r, res) in residents.iter().enumerate() {
            let want = match res {
                None => 0,
                Some((v, snap)) => by_facility
                    .iter()
                    .filter(|s| !s.is_empty())
                    .filter(|s| {
                        let d = oracle(n, &edges, &s.iter().map(|s| (s.node, s.offset_mm)).collect::<Vec<_>>())[*v as usize];
                        d.is_some_and(|d| d + u64::from(*snap) <= u64::from(cutoff))
                    })
                    .count() as u32,
            };
            prop_assert_eq!(got[r], want, "resident {}", r);
        }
    }
}
