//! Prints the generated demo city's citywide coverage and writes a map of toilet coverage:
//! `cargo run -p jianguan-geo --example demo_map -- /tmp/demo_toilets.svg`.

use jianguan_geo::coverage::CoverageSpec;
use jianguan_geo::snap::SnapIndex;
use jianguan_geo::svgmap::{MapLayers, render};
use jianguan_geo::synthetic::{demo_city, example_districts};
use jianguan_geo::{PlacedFacilities, PlacedPopulation, compute};

fn main() {
    let districts = example_districts();
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
            framed: None,
            focus: None,
            words: &jianguan_geo::svgmap::CellWords::default(),
            underlay: None,
            overlay: None,
        },
        900,
    );
    if let Some(path) = std::env::args().nth(1) {
        std::fs::write(&path, svg).expect("write the map");
    }
}
