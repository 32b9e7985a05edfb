//! Prints the generated demo city's citywide coverage and writes a map of toilet coverage:
//! `cargo run -p jianguan-geo --example demo_map -- /tmp/demo_toilets.svg`.

use jianguan_geo::coverage::CoverageSpec;
use jianguan_geo::snap::SnapIndex;
use jianguan_geo::svgmap::{MapLayers, render};
use jianguan_geo::synthetic::{DemoDistrict, demo_city};
use jianguan_geo::{PlacedFacilities, PlacedPopulation, compute};

fn main() {
    let districts: Vec<DemoDistrict> = [
        ("映湖区", (114.40, 29.27), 1.3),
        ("青梧区", (114.36, 29.31), 1.2),
        ("临岚区", (114.45, 29.32), 1.1),
        ("鹭川区", (114.43, 29.23), 1.0),
        ("云麓区", (114.34, 29.22), 1.0),
        ("望舒县", (114.25, 29.15), 1.0),
        ("松禾县", (114.55, 29.36), 0.9),
        ("白芷县", (114.54, 29.14), 0.9),
        ("示例高新区", (114.49, 29.27), 0.7),
    ]
    .into_iter()
    .map(|(name, centre, size)| DemoDistrict {
        name: name.into(),
        centre,
        size,
    })
    .collect();
    let city = demo_city(&districts, 2021);
    let index = SnapIndex::new(&city.network);
    let pop = PlacedPopulation::new(
        &index,
        city.population.clone(),
        &city.districts,
        Some(300.0),
    );
    let fac = PlacedFacilities::new(&index, &city.facilities, Some(300.0));
    let report = compute(&city.network, &pop, &fac, &CoverageSpec::default()).expect("coverage");
    println!(
        "{} nodes, {} edges, {} cells, {:.0} residents, warnings {:?}",
        report.summary.nodes,
        report.summary.edges,
        report.summary.population_points,
        report.summary.population_total,
        report.warnings
    );
    for row in report.coverage.iter().filter(|r| r.district.is_none()) {
        println!(
            "{:>22} {:>5} m {:>5.1} %",
            row.kind,
            row.threshold_m,
            row.share * 100.0
        );
    }
    let cells: Vec<_> = city
        .population
        .iter()
        .cloned()
        .zip(report.points.of_type("toilet").unwrap_or_default())
        .collect();
    let toilets: Vec<_> = city
        .facilities
        .iter()
        .filter(|f| f.kind == "toilet")
        .cloned()
        .collect();
    let svg = render(
        &MapLayers {
            population: &cells,
            facilities: &toilets,
            districts: &city.districts,
            cell_m: 400.0,
        },
        900,
    );
    if let Some(path) = std::env::args().nth(1) {
        std::fs::write(&path, svg).expect("write the map");
    }
}
