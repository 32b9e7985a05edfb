//! Service coverage on the walking network (issue 8): the share of residents who can walk to a
//! facility of a type within a distance or time, on the street network, per district, before
//! and after, credited to the projects that opened facilities.
//!
//! The pipeline: a [`network::Network`] (from OSM PBF, `osm` with the feature `osm`, or an edge
//! list, [`edgelist`], or generated, [`synthetic`]) → residents and facilities snapped to nodes ([`snap`]) →
//! one multi-source shortest-path pass per facility type ([`paths`]) → coverage, before/after
//! and marginal gains ([`coverage`]) → a [`report::Report`] written as JSON, GeoJSON or Excel
//! ([`output`]) and maps ([`svgmap`]). [`run`] does it all from file paths for the CLI.
//!
//! The crate is pure computation and file reading: no database, no async runtime, no web.

pub mod basemap;
mod codec;
pub mod coverage;
pub mod edgelist;
pub mod inputs;
pub mod multipolygon;
pub mod network;
#[cfg(feature = "osm")]
pub mod osm;
pub mod output;
pub mod paths;
pub mod pbf_write;
pub mod report;
pub mod snap;
pub mod svgmap;
pub mod synthetic;
pub mod walk_city;

use std::path::PathBuf;

pub use coverage::{CoverageSpec, PlacedFacilities, PlacedPopulation, compute, parse_threshold};
pub use inputs::{District, Facility, PopulationPoint};
pub use network::Network;
pub use report::Report;

/// Why an input could not be read or a computation not made. Every variant names the file
/// (and where it applies the line and field) so the message can be acted on.
#[derive(Debug, thiserror::Error)]
pub enum GeoError {
    /// A file could not be opened or read.
    // The cause is in the message, not a `source`, so that chains of causes (anyhow) do not
    // print it twice.
    #[error("{}: {error}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        error: std::io::Error,
    },
    /// A PBF file is truncated, corrupt or not PBF at all.
    #[error("{}: not a readable OpenStreetMap PBF file: {message}", path.display())]
    Pbf {
        /// The file.
        path: PathBuf,
        /// What the decoder said.
        message: String,
    },
    /// A CSV row has a bad field.
    #[error("{}, line {line}{}: {message}", path.display(), if field.is_empty() { String::new() } else { format!(", field {field}") })]
    Csv {
        /// The file.
        path: PathBuf,
        /// 1-based line number (0 when unknown).
        line: u64,
        /// The column name (empty when the row as a whole is bad).
        field: String,
        /// What was expected and what was found.
        message: String,
    },
    /// A CSV header lacks a required column.
    #[error("{}: missing column {column:?} (the header has {found:?})", path.display())]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The column that is required.
        column: String,
        /// The columns the header has.
        found: Vec<String>,
    },
    /// A GeoJSON file is not the expected shape.
    #[error("{}: {message}", path.display())]
    GeoJson {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming the feature.
        message: String,
    },
    /// A setting is invalid (thresholds, tag table, options).
    #[error("{0}")]
    Config(String),
    /// Data that breaks an invariant (e.g. an edge naming a missing node).
    #[error("{0}")]
    Invalid(String),
}

/// Where the walking network comes from.
#[derive(Debug, Clone)]
pub enum NetworkSource {
    /// An OpenStreetMap PBF extract (facilities are read from it too, by the tag table). Needs
    /// the feature `osm`.
    #[cfg(feature = "osm")]
    Osm(PathBuf),
    /// `nodes.csv` and `edges.csv`.
    EdgeList {
        /// `id,lon,lat`.
        nodes: PathBuf,
        /// `from,to,length_m`.
        edges: PathBuf,
    },
}

/// Everything `jianguan coverage` needs, as paths and settings.
#[derive(Debug, Clone)]
pub struct Options {
    /// The network.
    pub network: NetworkSource,
    /// Population CSV or GeoJSON.
    pub population: PathBuf,
    /// District boundaries (GeoJSON), optional.
    pub districts: Option<PathBuf>,
    /// Facilities CSV (`lon,lat,type`, optional `id,name,since`), added to OSM's.
    pub facilities: Option<PathBuf>,
    /// A TOML tag → type table replacing the built-in one.
    pub tag_table: Option<PathBuf>,
    /// What to compute.
    pub spec: CoverageSpec,
    /// Show progress on a terminal.
    pub progress: bool,
}

/// A report with the inputs it was computed from (for maps and GeoJSON).
#[derive(Debug)]
pub struct RunOutput {
    /// The report.
    pub report: Report,
    /// The network used.
    pub network: Network,
    /// The population points, in the order of the report's points.
    pub population: Vec<PopulationPoint>,
    /// The facilities.
    pub facilities: Vec<Facility>,
    /// The districts.
    pub districts: Vec<District>,
}

/// Reads the inputs named by `options` and computes the report. Extra facilities (e.g.
/// jianguan's own finished projects, with `since` their completion date) are added by the
/// caller in `extra_facilities`.
pub fn run(options: &Options, extra_facilities: Vec<Facility>) -> Result<RunOutput, GeoError> {
    let (network, mut facilities, mut notes) = match &options.network {
        #[cfg(feature = "osm")]
        NetworkSource::Osm(path) => {
            let table = match &options.tag_table {
                Some(p) => osm::TagTable::from_toml(&read_text(p)?)?,
                None => osm::TagTable::default(),
            };
            let import = osm::read_pbf(path, &table, options.progress)?;
            let mut notes = Vec::new();
            if import.open_relations > 0 {
                notes.push(format!(
                    "{} multipolygon relations match the tag table but have rings that do not close (members missing from the extract): only their closed rings are used",
                    import.open_relations
                ));
            }
            if import.missing_node_refs > 0 {
                notes.push(format!(
                    "{} way node references are missing from the extract (ways cut there)",
                    import.missing_node_refs
                ));
            }
            (import.network, import.facilities, notes)
        }
        NetworkSource::EdgeList { nodes, edges } => (
            edgelist::read_edge_list(nodes, edges)?,
            Vec::new(),
            Vec::new(),
        ),
    };
    if let Some(p) = &options.facilities {
        facilities.extend(inputs::read_facilities(p)?);
    }
    facilities.extend(extra_facilities);
    let population = inputs::read_population(&options.population)?;
    let districts = match &options.districts {
        Some(p) => inputs::read_districts(p)?,
        None => Vec::new(),
    };
    let index = snap::SnapIndex::new(&network);
    let pop = PlacedPopulation::new(&index, population, &districts, options.spec.snap_limit_m);
    let fac = PlacedFacilities::new(&index, &facilities, options.spec.snap_limit_m);
    let mut report = compute(&network, &pop, &fac, &options.spec)?;
    report.warnings.notes.append(&mut notes);
    drop(index);
    Ok(RunOutput {
        report,
        network,
        population: pop.points,
        facilities,
        districts,
    })
}

#[cfg(feature = "osm")]
fn read_text(path: &std::path::Path) -> Result<String, GeoError> {
    std::fs::read_to_string(path).map_err(|error| GeoError::Io {
        path: path.to_path_buf(),
        error,
    })
}
