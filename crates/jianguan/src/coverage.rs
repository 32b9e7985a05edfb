//! `jianguan coverage`: service coverage on the walking network (issue 8) — the share of
//! residents within a walking distance or time of each facility type, per district and
//! citywide, written as JSON, GeoJSON or Excel by the extension of `--out`.
//!
//! A thin shell: every step is `jianguan_geo::run` and `jianguan_geo::output::write_report`,
//! tested in that crate.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;
use jianguan_geo::coverage::{CoverageSpec, DEFAULT_WALKING_SPEED_M_PER_MIN};
use jianguan_geo::{NetworkSource, Options, parse_threshold};

/// `jianguan coverage`: who can walk to a park, a toilet, a neighbourhood centre … in time.
#[derive(Debug, Args)]
pub struct CoverageArgs {
    /// The walking network from an OpenStreetMap PBF extract (facilities are read from its tags).
    #[arg(long, conflicts_with_all = ["nodes", "edges"])]
    osm: Option<PathBuf>,
    /// The walking network's nodes (`id,lon,lat`), with `--edges`.
    #[arg(long, requires = "edges")]
    nodes: Option<PathBuf>,
    /// The walking network's edges (`from,to,length_m`), with `--nodes`.
    #[arg(long, requires = "nodes")]
    edges: Option<PathBuf>,
    /// Residents: CSV `lon,lat,population[,id]` or GeoJSON points/polygons with `population`.
    #[arg(long)]
    population: PathBuf,
    /// District boundaries: GeoJSON polygons named by their `name` property.
    #[arg(long)]
    districts: Option<PathBuf>,
    /// Facilities: CSV `lon,lat,type[,id,name,since]` (added to those read from OSM).
    #[arg(long)]
    facilities: Option<PathBuf>,
    /// A TOML tag → facility type table replacing the built-in one.
    #[arg(long)]
    tag_table: Option<PathBuf>,
    /// Thresholds: metres (`400`, `400m`) or minutes (`15min`), comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = ["200".to_string(), "300".into(), "400".into(), "500".into(), "800".into(), "1000".into(), "1200".into()])]
    thresholds: Vec<String>,
    /// Walking speed in metres per minute, for thresholds in minutes.
    #[arg(long, default_value_t = DEFAULT_WALKING_SPEED_M_PER_MIN)]
    speed: f64,
    /// Facility types to report (default: every type found).
    #[arg(long, value_delimiter = ',')]
    types: Vec<String>,
    /// Residents or facilities farther than this from the network (metres) are not snapped,
    /// and counted in the report's warnings.
    #[arg(long)]
    snap_limit: Option<f64>,
    /// Coverage as of this date (facilities with a later `since` are not open yet).
    #[arg(long)]
    as_of: Option<jiff::civil::Date>,
    /// Baseline date: report before/after and each new facility's marginal gain.
    #[arg(long)]
    baseline: Option<jiff::civil::Date>,
    /// Also count, per resident, the facilities of each type within this distance or time
    /// (e.g. `1000`, `15min`).
    #[arg(long)]
    count_within: Option<String>,
    /// Output: .json, .geojson or .xlsx.
    #[arg(long)]
    out: PathBuf,
}

/// Runs `jianguan coverage`.
pub fn run(args: CoverageArgs) -> Result<()> {
    let network = match (args.osm, args.nodes, args.edges) {
        (Some(pbf), None, None) => NetworkSource::Osm(pbf),
        (None, Some(nodes), Some(edges)) => NetworkSource::EdgeList { nodes, edges },
        _ => bail!(
            "give the walking network as --osm FILE.pbf or as --nodes nodes.csv --edges edges.csv"
        ),
    };
    // Checked before the (possibly long) computation.
    jianguan_geo::output::format_of(&args.out)?;
    let thresholds_m = args
        .thresholds
        .iter()
        .map(|t| parse_threshold(t, args.speed))
        .collect::<Result<Vec<f64>, _>>()?;
    let options = Options {
        network,
        population: args.population,
        districts: args.districts,
        facilities: args.facilities,
        tag_table: args.tag_table,
        spec: CoverageSpec {
            thresholds_m,
            types: (!args.types.is_empty()).then_some(args.types),
            snap_limit_m: args.snap_limit,
            as_of: args.as_of,
            baseline: args.baseline,
            cutoff_m: None,
            point_distances: true,
            count_within_m: args
                .count_within
                .as_deref()
                .map(|t| parse_threshold(t, args.speed))
                .transpose()?,
        },
        progress: true,
    };
    let output = jianguan_geo::run(&options, Vec::new()).context("computing coverage")?;
    jianguan_geo::output::write_report(&args.out, &output.report, &output.population)
        .with_context(|| format!("writing {}", args.out.display()))?;
    let w = &output.report.warnings;
    eprintln!(
        "coverage: {} nodes, {} residents' points ({} out of bounds, {} beyond the snap limit, {} outside every district), {} facilities unsnapped → {}",
        output.report.summary.nodes,
        output.report.summary.population_points,
        w.population_out_of_bounds,
        w.population_beyond_snap_limit,
        w.population_outside_districts,
        w.facilities_unsnapped.len(),
        args.out.display()
    );
    for note in &w.notes {
        eprintln!("coverage: note: {note}");
    }
    Ok(())
}
