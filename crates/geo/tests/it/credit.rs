//! Coverage, before/after and marginal gain on tiny graphs where the answer is obvious.

use jianguan::*;
use jianguan_geo as jianguan;
use jianguan_geo::network::EdgeSpec;
use jianguan_geo::snap::SnapIndex;
use jiff::civil::date;

/// A street of five nodes 100 m apart along the equator (0.000898° ≈ 100 m).
fn street() -> Network {
    let step = 100.0 / 111_195.08;
    let lon: Vec<f64> = (0..5).map(|i| f64::from(i) * step).collect();
    let edges: Vec<EdgeSpec> = (0..4)
        .map(|i| EdgeSpec {
            a: i,
            b: i + 1,
            length_mm: 100_000,
        })
        .collect();
    Network::from_edges(lon, vec![0.0; 5], (0..5).collect(), &edges).unwrap()
}

fn at(net: &Network, v: usize) -> (f64, f64) {
    (net.lon[v], net.lat[v])
}

fn resident(net: &Network, v: usize, id: &str, people: f64) -> PopulationPoint {
    PopulationPoint {
        id: id.into(),
        lon: net.lon[v],
        lat: net.lat[v],
        population: people,
    }
}

fn toilet(id: &str, p: (f64, f64), since: Option<jiff::civil::Date>) -> Facility {
    Facility {
        id: id.into(),
        kind: "toilet".into(),
        points: vec![p],
        since,
        name: None,
    }
}

#[test]
fn a_new_facility_is_credited_only_with_residents_no_other_covers() {
    let net = street();
    let index = SnapIndex::new(&net);
    // Residents at every node: 1, 10, 100, 1000, 10000 people.
    let pop: Vec<PopulationPoint> = (0..5)
        .map(|v| resident(&net, v, &format!("r{v}"), 10f64.powi(v as i32)))
        .collect();
    let placed = PlacedPopulation::new(&index, pop, &[], Some(10.0));
    // An old toilet at node 0; a new one at node 3 (opened 2021-06-01); another new one at node 4.
    let facilities = vec![
        toilet("old", at(&net, 0), None),
        toilet("P-3", at(&net, 3), Some(date(2021, 6, 1))),
        toilet("P-4", at(&net, 4), Some(date(2021, 9, 1))),
    ];
    let fac = PlacedFacilities::new(&index, &facilities, Some(10.0));
    let spec = CoverageSpec {
        thresholds_m: vec![100.0],
        as_of: Some(date(2021, 12, 31)),
        baseline: Some(date(2021, 1, 1)),
        ..CoverageSpec::default()
    };
    let report = compute(&net, &placed, &fac, &spec).unwrap();
    // Before: the old toilet covers nodes 0 and 1 (11 people). After: every node (11111).
    let change = &report.before_after[0];
    assert_eq!(
        (change.covered_before, change.covered_after, change.gain),
        (11.0, 11111.0, 11100.0)
    );
    assert_eq!(change.new_facilities, 2);
    // P-3 alone covers node 2 (100 people; node 3 and 4 are also within 100 m of P-4).
    // P-4 alone covers nobody: node 4 is within 100 m of P-3 too, node 3 is P-3's own.
    let credit: Vec<(&str, f64)> = report
        .credit
        .iter()
        .map(|c| (c.facility.as_str(), c.newly_covered))
        .collect();
    assert_eq!(credit, vec![("P-3", 100.0), ("P-4", 0.0)]);
    let city = &report.coverage[0];
    assert_eq!(
        (
            city.district.as_deref(),
            city.population_covered,
            city.population_total
        ),
        (None, 11111.0, 11111.0)
    );
}

#[test]
fn coverage_counts_the_snapping_distance_and_respects_dates() {
    let net = street();
    let index = SnapIndex::new(&net);
    // A resident 30 m north of node 2: 200 m + 30 m from a toilet at node 0.
    let north = 30.0 / 111_195.08;
    let pop = vec![PopulationPoint {
        id: "x".into(),
        lon: net.lon[2],
        lat: north,
        population: 5.0,
    }];
    let placed = PlacedPopulation::new(&index, pop, &[], Some(50.0));
    let facilities = vec![toilet("t", at(&net, 0), Some(date(2022, 1, 1)))];
    let fac = PlacedFacilities::new(&index, &facilities, Some(50.0));
    let spec = CoverageSpec {
        thresholds_m: vec![200.0, 300.0],
        as_of: Some(date(2022, 1, 1)),
        ..CoverageSpec::default()
    };
    let report = compute(&net, &placed, &fac, &spec).unwrap();
    let covered: Vec<f64> = report
        .coverage
        .iter()
        .map(|r| r.population_covered)
        .collect();
    assert_eq!(covered, vec![0.0, 5.0]);
    let d = report.points.distance_m(0, 0).unwrap();
    assert!((d - 230.0).abs() < 0.01, "{d}");
    // The day before it opened, nobody is covered and the distance is unknown.
    let spec = CoverageSpec {
        as_of: Some(date(2021, 12, 31)),
        ..spec
    };
    let report = compute(&net, &placed, &fac, &spec).unwrap();
    assert!(report.coverage.iter().all(|r| r.population_covered == 0.0));
    assert_eq!(report.points.distance_m(0, 0), None);
}

#[test]
fn thresholds_parse_in_metres_or_minutes() {
    assert_eq!(parse_threshold("400", 80.0).unwrap(), 400.0);
    assert_eq!(parse_threshold("400m", 80.0).unwrap(), 400.0);
    assert_eq!(parse_threshold("15min", 80.0).unwrap(), 1200.0);
    assert!(parse_threshold("far", 80.0).is_err());
    assert!(parse_threshold("-3", 80.0).is_err());
}
