//! The whole pipeline from files, as `jianguan coverage` runs it, on the generated demo city.

use jianguan_geo::coverage::CoverageSpec;
use jianguan_geo::edgelist::write_edge_list;
use jianguan_geo::output::{districts_geojson, facilities_csv, population_csv, write_report};
use jianguan_geo::snap::SnapIndex;
use jianguan_geo::svgmap::{MapLayers, render};
use jianguan_geo::synthetic::{DemoDistrict, demo_city};
use jianguan_geo::{
    Facility, NetworkSource, Options, PlacedFacilities, PlacedPopulation, compute, run,
};
use jiff::civil::date;

/// 示例市's nine districts (centres as in the demo crate).
fn districts() -> Vec<DemoDistrict> {
    jianguan_geo::synthetic::example_districts()
}

#[test]
fn demo_city_from_files_matches_the_in_memory_computation_and_writes_every_format() {
    let city = demo_city(&districts(), 2021);
    assert!(
        city.network.node_count() > 20_000,
        "{}",
        city.network.node_count()
    );
    assert_eq!(city.districts.len(), 9);
    // The campaign's new neighbourhood centres: one near each district centre, opened in 2021.
    let mut facilities = city.facilities.clone();
    for (i, d) in districts().iter().enumerate() {
        facilities.push(Facility {
            id: format!("P-{i}"),
            kind: "neighbourhood_centre".into(),
            points: vec![(d.centre.0 + 0.004, d.centre.1 + 0.003)],
            since: Some(date(2021, 3 + i as i8, 1)),
            name: Some(format!("{}邻里中心", d.name)),
        });
    }
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    let (mut nodes, mut edges) = (Vec::new(), Vec::new());
    write_edge_list(&city.network, &mut nodes, &mut edges).unwrap();
    std::fs::write(p("nodes.csv"), nodes).unwrap();
    std::fs::write(p("edges.csv"), edges).unwrap();
    std::fs::write(p("pop.csv"), population_csv(&city.population)).unwrap();
    std::fs::write(p("fac.csv"), facilities_csv(&facilities)).unwrap();
    std::fs::write(
        p("districts.geojson"),
        districts_geojson(&city.districts).to_string(),
    )
    .unwrap();

    let spec = CoverageSpec {
        snap_limit_m: Some(300.0),
        as_of: Some(date(2021, 12, 31)),
        baseline: Some(date(2021, 1, 1)),
        count_within_m: Some(400.0),
        ..CoverageSpec::default()
    };
    let options = Options {
        network: NetworkSource::EdgeList {
            nodes: p("nodes.csv"),
            edges: p("edges.csv"),
        },
        population: p("pop.csv"),
        districts: Some(p("districts.geojson")),
        facilities: Some(p("fac.csv")),
        tag_table: None,
        spec: spec.clone(),
        progress: false,
    };
    let out = run(&options, Vec::new()).unwrap();
    let report = &out.report;
    let types = report.summary.facilities.len();
    assert_eq!(types, 6);
    assert_eq!(report.coverage.len(), types * 7 * 10);

    // The same computation in memory, without files in between, gives the same figures.
    let index = SnapIndex::new(&city.network);
    let pop = PlacedPopulation::new(
        &index,
        city.population.clone(),
        &city.districts,
        spec.snap_limit_m,
    );
    let fac = PlacedFacilities::new(&index, &facilities, spec.snap_limit_m);
    let direct = compute(&city.network, &pop, &fac, &spec).unwrap();
    assert_eq!(direct.coverage, report.coverage);
    assert_eq!(direct.credit, report.credit);

    for row in &report.coverage {
        assert!((0.0..=1.0).contains(&row.share), "{row:?}");
    }
    let citywide = |kind: &str, t: f64| {
        report
            .before_after
            .iter()
            .find(|r| r.kind == kind && r.threshold_m == t && r.district.is_none())
            .unwrap()
    };
    let centres = citywide("neighbourhood_centre", 1200.0);
    assert_eq!(centres.new_facilities, 9);
    assert!(centres.gain > 0.0, "{centres:?}");
    // Marginal gains never exceed what the new centres brought together plus what they share.
    let credited: f64 = report
        .credit
        .iter()
        .filter(|c| c.threshold_m == 1200.0)
        .map(|c| c.newly_covered)
        .sum();
    assert!(
        credited <= centres.gain + 1e-6,
        "{credited} > {}",
        centres.gain
    );
    // Types without new facilities do not change.
    let toilets = citywide("toilet", 400.0);
    assert_eq!(toilets.covered_before, toilets.covered_after);

    // Every format writes; the JSON has the shape of issue 8.
    write_report(&p("out.json"), report, &out.population).unwrap();
    write_report(&p("out.geojson"), report, &out.population).unwrap();
    write_report(&p("out.xlsx"), report, &out.population).unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(p("out.json")).unwrap()).unwrap();
    let row = &json["coverage"][0];
    for key in [
        "type",
        "threshold_m",
        "district",
        "population_covered",
        "population_total",
        "share",
    ] {
        assert!(row.get(key).is_some(), "coverage row lacks {key}: {row}");
    }
    assert!(row["district"].is_null());
    let point = &json["points"][0];
    for key in ["id", "type", "distance_m"] {
        assert!(point.get(key).is_some(), "points row lacks {key}: {point}");
    }
    assert_eq!(
        json["points"].as_array().unwrap().len(),
        out.population.len() * types
    );
    assert!(std::fs::metadata(p("out.xlsx")).unwrap().len() > 1000);
    assert!(write_report(&p("out.txt"), report, &out.population).is_err());
}

#[test]
fn maps_are_deterministic_and_draw_every_layer() {
    let city = demo_city(&districts()[..3], 7);
    let index = SnapIndex::new(&city.network);
    let pop = PlacedPopulation::new(&index, city.population.clone(), &city.districts, None);
    let fac = PlacedFacilities::new(&index, &city.facilities, None);
    let report = compute(&city.network, &pop, &fac, &CoverageSpec::default()).unwrap();
    let distances = report.points.of_type("toilet").unwrap();
    let cells: Vec<_> = city.population.iter().cloned().zip(distances).collect();
    let toilets: Vec<Facility> = city
        .facilities
        .iter()
        .filter(|f| f.kind == "toilet")
        .cloned()
        .collect();
    let layers = MapLayers {
        population: &cells,
        facilities: &toilets,
        districts: &city.districts,
        cell_m: 400.0,
        framed: None,
        focus: None,
        words: &jianguan_geo::svgmap::CellWords::default(),
        underlay: None,
        overlay: None,
    };
    let svg = render(&layers, 800);
    assert_eq!(svg, render(&layers, 800));
    assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    assert_eq!(svg.matches("<rect").count(), city.population.len());
    assert_eq!(svg.matches("<circle").count(), toilets.len());
    assert_eq!(svg.matches("<path").count(), 3);
    assert!(svg.contains("映湖区"));
    // Each district named at a point inside it; the tooltips in the words given.
    assert_eq!(svg.matches("</text>").count(), 3);
    assert!(svg.contains(" 人 · "), "Chinese by default");
    let english = jianguan_geo::svgmap::CellWords {
        people: "{n} people".into(),
        distance: "{n} m, about {m} min on foot".into(),
        unreachable: "unreachable".into(),
    };
    let svg = render(
        &MapLayers {
            words: &english,
            ..layers
        },
        800,
    );
    assert!(svg.contains(" people · "), "{svg}");
    assert!(svg.contains(" min on foot<") || svg.contains("unreachable<"));
    assert!(!svg.contains(" 人 · ") && !svg.contains("不可达"));

    // A basemap drawn for the map's frame goes under translucent cells; a credit over them.
    let frame = jianguan_geo::svgmap::frame(&layers, 800).expect("a frame");
    assert_eq!(frame.width, 800.0);
    assert!(svg.contains(&format!("height=\"{:.0}\"", frame.height)));
    assert!(frame.west < frame.east && frame.south < frame.north);
    let svg = render(
        &MapLayers {
            underlay: Some("<g class=\"basemap\"/>"),
            overlay: Some("<text class=\"credit\">©</text>"),
            ..layers
        },
        800,
    );
    let (under, cells, credit) = (
        svg.find("class=\"basemap\"").unwrap(),
        svg.find("class=\"cells\" stroke=\"none\" fill-opacity=\"0.72\"")
            .unwrap(),
        svg.find("class=\"credit\"").unwrap(),
    );
    assert!(under < cells && cells < credit && svg.ends_with("</text></svg>"));
}
