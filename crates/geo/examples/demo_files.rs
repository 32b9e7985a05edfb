//! Writes the demo city's generated walking network, residents, facilities and district
//! outlines as the files `jianguan coverage` reads, into the directory given (default `.`):
//! `nodes.csv`, `edges.csv`, `population.csv`, `facilities.csv`, `districts.geojson`.
//!
//! `cargo run -p jianguan-geo --example demo_files -- DIR`, then e.g.
//! `jianguan coverage --nodes DIR/nodes.csv --edges DIR/edges.csv --population DIR/population.csv
//! --districts DIR/districts.geojson --facilities DIR/facilities.csv --out coverage.json`.

use jianguan_geo::edgelist::write_edge_list;
use jianguan_geo::output::{districts_geojson, facilities_csv, population_csv};
use jianguan_geo::synthetic::{demo_city, example_districts};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    std::fs::create_dir_all(&dir)?;
    let districts = example_districts();
    let city = demo_city(&districts, 2021);
    let (mut nodes, mut edges) = (Vec::new(), Vec::new());
    write_edge_list(&city.network, &mut nodes, &mut edges)?;
    std::fs::write(dir.join("nodes.csv"), nodes)?;
    std::fs::write(dir.join("edges.csv"), edges)?;
    std::fs::write(dir.join("population.csv"), population_csv(&city.population))?;
    std::fs::write(dir.join("facilities.csv"), facilities_csv(&city.facilities))?;
    std::fs::write(
        dir.join("districts.geojson"),
        districts_geojson(&city.districts).to_string(),
    )?;
    println!(
        "{}: {} nodes, {} residents' points, {} facilities, {} districts",
        dir.display(),
        city.network.node_count(),
        city.population.len(),
        city.facilities.len(),
        city.districts.len()
    );
    Ok(())
}
