//! Reading inputs: round trips, and bad input giving errors that name the file, line and field,
//! or counted warnings.

use std::io::Write;
use std::path::Path;

use jianguan_geo::edgelist::{read_edge_list, read_edge_list_from, write_edge_list};
use jianguan_geo::inputs::{
    DistrictIndex, districts_from_geojson, read_facilities_csv, read_population_csv,
};
use jianguan_geo::network::{EdgeSpec, Network};
use jianguan_geo::osm::{TagTable, is_walkable, read_pbf};
use jianguan_geo::snap::{Snap, SnapIndex};
use jianguan_geo::synthetic::GridCity;
use jianguan_geo::{GeoError, PlacedPopulation, PopulationPoint};

#[test]
fn edge_list_round_trip_gives_the_same_graph() {
    let net = GridCity::with_nodes((114.3, 29.2), 400, 7).build();
    let (mut nodes, mut edges) = (Vec::new(), Vec::new());
    write_edge_list(&net, &mut nodes, &mut edges).unwrap();
    let back = read_edge_list_from(
        Path::new("nodes.csv"),
        &nodes[..],
        Path::new("edges.csv"),
        &edges[..],
    )
    .unwrap();
    assert_eq!(back.node_count(), net.node_count());
    let mut a: Vec<_> = net
        .edges()
        .map(|e| {
            (
                net.source_id[e.a as usize],
                net.source_id[e.b as usize],
                e.length_mm,
            )
        })
        .collect();
    let mut b: Vec<_> = back
        .edges()
        .map(|e| {
            (
                back.source_id[e.a as usize],
                back.source_id[e.b as usize],
                e.length_mm,
            )
        })
        .collect();
    a.sort();
    b.sort();
    assert_eq!(a, b);
    for v in 0..net.node_count() {
        assert!((net.lon[v] - back.lon[v]).abs() < 1e-7 && (net.lat[v] - back.lat[v]).abs() < 1e-7);
    }
}

#[test]
fn edge_list_missing_column_names_the_file_and_column() {
    let err = read_edge_list_from(
        Path::new("nodes.csv"),
        &b"id,lon,lat\n1,0,0\n2,0,0.001\n"[..],
        Path::new("my_edges.csv"),
        &b"from,to,len\n1,2,5\n"[..],
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(&err, GeoError::MissingColumn { column, .. } if column == "length_m"),
        "{text}"
    );
    assert!(
        text.contains("my_edges.csv") && text.contains("length_m"),
        "{text}"
    );
}

#[test]
fn edge_list_bad_field_names_line_and_field() {
    let err = read_edge_list_from(
        Path::new("nodes.csv"),
        &b"id,lon,lat\n1,0,0\n2,zero,0.001\n"[..],
        Path::new("edges.csv"),
        &b"from,to,length_m\n"[..],
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "nodes.csv, line 3, field lon: expected a longitude in degrees, found \"zero\""
    );
    let err = read_edge_list_from(
        Path::new("nodes.csv"),
        &b"id,lon,lat\n1,0,0\n2,0,0.001\n"[..],
        Path::new("edges.csv"),
        &b"from,to,length_m\n1,2,5\n1,3,5\n"[..],
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "edges.csv, line 3, field to: node 3 is not in nodes.csv"
    );
}

#[test]
fn population_csv_errors_name_file_line_and_field() {
    let err = read_population_csv(Path::new("pop.csv"), &b"lon,lat\n1,2\n"[..]).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("pop.csv: missing column \"population\""),
        "{err}"
    );
    let err = read_population_csv(
        Path::new("pop.csv"),
        &b"lon,lat,population\n1,2,3\n1,2,-4\n"[..],
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "pop.csv, line 3, field population: expected a number of residents ≥ 0, found -4"
    );
    let err = read_facilities_csv(
        Path::new("fac.csv"),
        &b"lon,lat,type,since\n1,2,toilet,2021-13-01\n"[..],
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("fac.csv, line 2, field since: expected a date YYYY-MM-DD"),
        "{err}"
    );
}

#[test]
fn truncated_and_non_pbf_files_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let not_pbf = dir.path().join("roads.pbf");
    std::fs::write(&not_pbf, "id,lon,lat\n1,2,3\n".repeat(50)).unwrap();
    let err = read_pbf(&not_pbf, &TagTable::default(), false).unwrap_err();
    assert!(matches!(err, GeoError::Pbf { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("roads.pbf: not a readable OpenStreetMap PBF file"),
        "{err}"
    );

    // A PBF cut in half.
    let truncated = dir.path().join("cut.osm.pbf");
    let mut bytes = Vec::new();
    jianguan_geo::pbf_write::network_to_pbf(
        &mut bytes,
        &GridCity::with_nodes((114.3, 29.2), 3000, 5).build(),
    )
    .unwrap();
    std::fs::File::create(&truncated)
        .unwrap()
        .write_all(&bytes[..bytes.len() / 2])
        .unwrap();
    let err = read_pbf(&truncated, &TagTable::default(), false).unwrap_err();
    assert!(matches!(err, GeoError::Pbf { .. }), "{err}");

    let missing = dir.path().join("absent.pbf");
    let err = read_pbf(&missing, &TagTable::default(), false).unwrap_err();
    assert!(err.to_string().contains("absent.pbf"), "{err}");
}

#[test]
fn missing_edge_list_file_names_it() {
    let err = read_edge_list(
        Path::new("/nonexistent/nodes.csv"),
        Path::new("/nonexistent/edges.csv"),
    )
    .unwrap_err();
    assert!(
        err.to_string().starts_with("/nonexistent/nodes.csv:"),
        "{err}"
    );
}

#[test]
fn walkable_rules_follow_the_documented_tags() {
    let w = |tags: &[(&str, &str)]| is_walkable(tags.iter().copied());
    assert!(w(&[("highway", "residential")]));
    assert!(w(&[("highway", "footway")]));
    assert!(w(&[("highway", "trunk")]));
    assert!(!w(&[("highway", "motorway")]));
    assert!(!w(&[("highway", "cycleway")]));
    assert!(!w(&[("highway", "residential"), ("foot", "no")]));
    assert!(!w(&[("highway", "service"), ("access", "private")]));
    assert!(!w(&[("highway", "service"), ("access", "no")]));
    assert!(w(&[
        ("highway", "service"),
        ("access", "private"),
        ("foot", "yes")
    ]));
    assert!(w(&[
        ("access", "no"),
        ("foot", "permissive"),
        ("highway", "track")
    ]));
    assert!(!w(&[("highway", "pedestrian"), ("area", "yes")]));
    assert!(!w(&[("building", "yes")]));
}

#[test]
fn tag_table_maps_tags_to_types_and_rejects_malformed_rules() {
    let t = TagTable::default();
    assert_eq!(
        t.types_of([("leisure", "park")].into_iter()),
        vec!["green", "park"]
    );
    assert_eq!(
        t.types_of([("healthcare", "dentist")].into_iter()),
        vec!["clinic"]
    );
    assert!(t.types_of([("amenity", "bench")].into_iter()).is_empty());
    let err = TagTable::from_toml("[[rule]]\ntype = \"x\"\ntags = [\"leisure\"]\n").unwrap_err();
    assert!(err.to_string().contains("expected key=value"), "{err}");
}

fn line_network() -> Network {
    // Three nodes 0.001° of longitude apart on the equator (≈ 111 m each).
    let edges = [
        EdgeSpec {
            a: 0,
            b: 1,
            length_mm: 111_195,
        },
        EdgeSpec {
            a: 1,
            b: 2,
            length_mm: 111_195,
        },
    ];
    Network::from_edges(vec![0.0, 0.001, 0.002], vec![0.0; 3], vec![1, 2, 3], &edges).unwrap()
}

#[test]
fn points_beyond_the_limit_or_bounds_are_counted_not_dropped() {
    let net = line_network();
    let index = SnapIndex::new(&net);
    assert!(matches!(
        index.snap(0.0011, 0.0, Some(50.0)),
        Snap::Node { node: 1, .. }
    ));
    // Inside the bounds grown by the limit, but 65 m from the nearest node.
    assert!(
        matches!(index.snap(0.0015, 0.0003, Some(50.0)), Snap::TooFar { distance_m } if (distance_m - 64.9).abs() < 0.5)
    );
    assert_eq!(index.snap(5.0, 5.0, Some(50.0)), Snap::OutOfBounds);
    let pts = vec![
        PopulationPoint {
            id: "a".into(),
            lon: 0.0,
            lat: 0.0,
            population: 10.0,
        },
        PopulationPoint {
            id: "b".into(),
            lon: 0.0015,
            lat: 0.0003,
            population: 20.0,
        },
        PopulationPoint {
            id: "c".into(),
            lon: 9.0,
            lat: 9.0,
            population: 30.0,
        },
    ];
    let placed = PlacedPopulation::new(&index, pts, &[], Some(50.0));
    assert_eq!(placed.warnings.population_beyond_snap_limit, 1);
    assert_eq!(placed.warnings.population_out_of_bounds, 1);
    assert_eq!(placed.warnings.population_unsnapped, 50.0);
    assert_eq!(placed.node.iter().filter(|n| n.is_some()).count(), 1);
}

#[test]
fn points_are_assigned_to_the_district_containing_them() {
    let gj = r#"{"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"name":"West"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]],[[0.4,0.4],[0.6,0.4],[0.6,0.6],[0.4,0.6],[0.4,0.4]]]}},
      {"type":"Feature","properties":{"name":"East"},"geometry":{"type":"MultiPolygon","coordinates":[[[[1,0],[2,0],[2,1],[1,1],[1,0]]],[[[0.45,0.45],[0.55,0.45],[0.55,0.55],[0.45,0.55],[0.45,0.45]]]]}}
    ]}"#;
    let districts = districts_from_geojson(Path::new("d.geojson"), gj).unwrap();
    let index = DistrictIndex::new(&districts);
    assert_eq!(index.locate(0.2, 0.2), Some(0));
    assert_eq!(index.locate(1.5, 0.5), Some(1));
    // In West's hole, inside East's island.
    assert_eq!(index.locate(0.5, 0.5), Some(1));
    // In West's hole, outside the island.
    assert_eq!(index.locate(0.42, 0.42), None);
    assert_eq!(index.locate(3.0, 3.0), None);
    let err = districts_from_geojson(Path::new("d.geojson"), r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"X"},"geometry":{"type":"Point","coordinates":[0,0]}}]}"#).unwrap_err();
    assert!(
        err.to_string().starts_with("d.geojson: feature 0 (X)"),
        "{err}"
    );
}

#[test]
fn snapping_many_points_gives_the_same_answers_as_one_by_one() {
    let net = GridCity::with_nodes((114.3, 29.2), 2500, 3).build();
    let index = SnapIndex::new(&net);
    let (x0, y0, x1, y1) = net.bounds().unwrap();
    let mut rng = jianguan_geo::synthetic::Rng::new(1);
    let points: Vec<(f64, f64)> = (0..2000)
        .map(|_| {
            (
                x0 - 0.01 + rng.unit() * (x1 - x0 + 0.02),
                y0 - 0.01 + rng.unit() * (y1 - y0 + 0.02),
            )
        })
        .chain([(f64::NAN, 0.0)])
        .collect();
    let one_by_one: Vec<Snap> = points
        .iter()
        .map(|&(x, y)| index.snap(x, y, Some(60.0)))
        .collect();
    assert_eq!(index.snap_many(&points, Some(60.0)), one_by_one);
    // All three outcomes occur, so the comparison means something.
    assert!(one_by_one.iter().any(|s| matches!(s, Snap::Node { .. })));
    assert!(one_by_one.iter().any(|s| matches!(s, Snap::TooFar { .. })));
    assert!(one_by_one.iter().any(|s| matches!(s, Snap::OutOfBounds)));
}

#[test]
fn a_written_pbf_reads_back_with_the_documented_tag_rules() {
    use jianguan_geo::pbf_write::write_pbf;
    let tag = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<Vec<_>>()
    };
    // Nodes 1..=6 along the equator 0.001° apart; node 7 a toilet north of node 2.
    let mut nodes: Vec<_> = (1..=6)
        .map(|i| (i, f64::from(i as i32) * 0.001, 0.0, Vec::new()))
        .collect();
    nodes.push((
        7,
        0.002,
        0.0005,
        tag(&[("amenity", "toilets"), ("name", "East gate")]),
    ));
    let ways = vec![
        (10, vec![1, 2, 3], tag(&[("highway", "residential")])),
        (
            11,
            vec![3, 4],
            tag(&[
                ("highway", "service"),
                ("access", "private"),
                ("foot", "yes"),
            ]),
        ),
        (12, vec![4, 5], tag(&[("highway", "motorway")])),
        (
            13,
            vec![4, 6],
            tag(&[("highway", "footway"), ("foot", "no")]),
        ),
        (14, vec![3, 99], tag(&[("highway", "path")])),
    ];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tiny.osm.pbf");
    let mut file = std::fs::File::create(&path).unwrap();
    write_pbf(&mut file, &nodes, &ways).unwrap();
    drop(file);
    let import = read_pbf(&path, &TagTable::default(), false).unwrap();
    let mut ids = import.network.source_id.clone();
    ids.sort();
    // The motorway and the foot=no path are left out; the private service road with foot=yes
    // stays; the path to a node missing from the extract is cut there.
    assert_eq!(ids, vec![1, 2, 3, 4]);
    assert_eq!(import.network.edge_count(), 3);
    assert_eq!(import.missing_node_refs, 1);
    assert_eq!(import.facilities.len(), 1);
    assert_eq!(import.facilities[0].kind, "toilet");
    assert_eq!(import.facilities[0].name.as_deref(), Some("East gate"));
    let total: u32 = import.network.lengths.iter().sum::<u32>() / 2;
    assert!((f64::from(total) / 1000.0 - 333.6).abs() < 0.5, "{total}");
}

#[test]
fn a_generated_city_survives_the_pbf_round_trip() {
    let net = GridCity::with_nodes((114.3, 29.2), 3000, 5).build();
    let mut bytes = Vec::new();
    jianguan_geo::pbf_write::network_to_pbf(&mut bytes, &net).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("grid.osm.pbf");
    std::fs::write(&path, bytes).unwrap();
    let back = read_pbf(&path, &TagTable::default(), false)
        .unwrap()
        .network;
    assert_eq!(back.node_count(), net.node_count());
    assert_eq!(back.edge_count(), net.edge_count());
    // Lengths are recomputed from coordinates rounded to 1e-7°: within a centimetre.
    let (a, b): (u64, u64) = (
        net.lengths.iter().map(|&l| u64::from(l)).sum(),
        back.lengths.iter().map(|&l| u64::from(l)).sum(),
    );
    assert!(a.abs_diff(b) < 10 * net.lengths.len() as u64, "{a} vs {b}");
}

#[test]
fn geojson_population_takes_points_and_polygon_centroids() {
    use jianguan_geo::inputs::population_from_geojson;
    let gj = r#"{"type":"FeatureCollection","features":[
      {"type":"Feature","id":"cell-1","properties":{"population":120},"geometry":{"type":"Polygon","coordinates":[[[0,0],[2,0],[2,2],[0,2],[0,0]]]}},
      {"type":"Feature","properties":{"population":7.5,"id":9},"geometry":{"type":"Point","coordinates":[3,4]}}
    ]}"#;
    let pts = population_from_geojson(Path::new("p.geojson"), gj).unwrap();
    assert_eq!(
        (
            pts[0].id.as_str(),
            pts[0].lon,
            pts[0].lat,
            pts[0].population
        ),
        ("cell-1", 1.0, 1.0, 120.0)
    );
    assert_eq!(
        (
            pts[1].id.as_str(),
            pts[1].lon,
            pts[1].lat,
            pts[1].population
        ),
        ("9", 3.0, 4.0, 7.5)
    );
    let err = population_from_geojson(
        Path::new("p.geojson"),
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"pop":3},"geometry":{"type":"Point","coordinates":[0,0]}}]}"#,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "p.geojson: feature 0: expected a numeric `population` property ≥ 0"
    );
}
