//! A network as plain CSV: `nodes.csv` (`id,lon,lat`) and `edges.csv` (`from,to,length_m`).
//!
//! This lets a network built by another tool (osmnx, pandana, r5, a GIS) be analysed as it is,
//! and answers compared exactly. Edge lengths are taken from the file, not recomputed; edges
//! are undirected. Columns are found by name in the header, in any order; extra columns are
//! ignored. Every error names the file, the line and the field.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::Path;

use crate::GeoError;
use crate::network::{EdgeSpec, Network, metres_to_mm};

/// Finds the named columns of a CSV header, or says which one is missing.
pub(crate) fn column_indices(
    path: &Path,
    header: &csv::StringRecord,
    wanted: &[&str],
) -> Result<Vec<usize>, GeoError> {
    wanted
        .iter()
        .map(|name| {
            header
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name))
                .ok_or_else(|| GeoError::MissingColumn {
                    path: path.to_path_buf(),
                    column: (*name).to_string(),
                    found: header.iter().map(str::to_string).collect(),
                })
        })
        .collect()
}

/// Parses one field of a CSV record as `T`, or an error naming file, line and field.
pub(crate) fn field<T: std::str::FromStr>(
    path: &Path,
    record: &csv::StringRecord,
    index: usize,
    name: &str,
    expected: &str,
) -> Result<T, GeoError> {
    let line = record.position().map_or(0, |p| p.line());
    let raw = record.get(index).unwrap_or("").trim();
    raw.parse::<T>().map_err(|_| GeoError::Csv {
        path: path.to_path_buf(),
        line,
        field: name.to_string(),
        message: format!("expected {expected}, found {raw:?}"),
    })
}

pub(crate) fn csv_error(path: &Path, e: csv::Error) -> GeoError {
    let line = e.position().map_or(0, |p| p.line());
    GeoError::Csv {
        path: path.to_path_buf(),
        line,
        field: String::new(),
        message: e.to_string(),
    }
}

pub(crate) fn open(path: &Path) -> Result<std::fs::File, GeoError> {
    std::fs::File::open(path).map_err(|error| GeoError::Io {
        path: path.to_path_buf(),
        error,
    })
}

/// Reads a network from `nodes.csv` and `edges.csv`, keeping the largest connected component.
pub fn read_edge_list(nodes_path: &Path, edges_path: &Path) -> Result<Network, GeoError> {
    read_edge_list_from(nodes_path, open(nodes_path)?, edges_path, open(edges_path)?)
        .map(Network::largest_component)
}

/// [`read_edge_list`] over any readers (the paths only name them in errors); the whole graph
/// is returned, not only its largest component.
pub fn read_edge_list_from(
    nodes_path: &Path,
    nodes: impl Read,
    edges_path: &Path,
    edges: impl Read,
) -> Result<Network, GeoError> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(nodes);
    let header = rdr.headers().map_err(|e| csv_error(nodes_path, e))?.clone();
    let cols = column_indices(nodes_path, &header, &["id", "lon", "lat"])?;
    let (mut lon, mut lat, mut ids) = (Vec::new(), Vec::new(), Vec::new());
    let mut index: HashMap<i64, u32> = HashMap::new();
    for record in rdr.records() {
        let record = record.map_err(|e| csv_error(nodes_path, e))?;
        let id: i64 = field(nodes_path, &record, cols[0], "id", "an integer node id")?;
        let x: f64 = field(
            nodes_path,
            &record,
            cols[1],
            "lon",
            "a longitude in degrees",
        )?;
        let y: f64 = field(nodes_path, &record, cols[2], "lat", "a latitude in degrees")?;
        let line = record.position().map_or(0, |p| p.line());
        if !(-180.0..=180.0).contains(&x) || !(-90.0..=90.0).contains(&y) {
            return Err(GeoError::Csv {
                path: nodes_path.to_path_buf(),
                line,
                field: "lon/lat".into(),
                message: format!("expected WGS 84 degrees, found {x}, {y}"),
            });
        }
        if index.insert(id, lon.len() as u32).is_some() {
            return Err(GeoError::Csv {
                path: nodes_path.to_path_buf(),
                line,
                field: "id".into(),
                message: format!("node id {id} appears twice"),
            });
        }
        lon.push(x);
        lat.push(y);
        ids.push(id);
    }
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(edges);
    let header = rdr.headers().map_err(|e| csv_error(edges_path, e))?.clone();
    let cols = column_indices(edges_path, &header, &["from", "to", "length_m"])?;
    let mut specs = Vec::new();
    for record in rdr.records() {
        let record = record.map_err(|e| csv_error(edges_path, e))?;
        let line = record.position().map_or(0, |p| p.line());
        let end = |i: usize, name: &str| -> Result<u32, GeoError> {
            let id: i64 = field(edges_path, &record, cols[i], name, "a node id")?;
            index.get(&id).copied().ok_or_else(|| GeoError::Csv {
                path: edges_path.to_path_buf(),
                line,
                field: name.to_string(),
                message: format!("node {id} is not in {}", nodes_path.display()),
            })
        };
        let a = end(0, "from")?;
        let b = end(1, "to")?;
        let m: f64 = field(
            edges_path,
            &record,
            cols[2],
            "length_m",
            "a length in metres",
        )?;
        if !m.is_finite() || m < 0.0 {
            return Err(GeoError::Csv {
                path: edges_path.to_path_buf(),
                line,
                field: "length_m".into(),
                message: format!("expected a length ≥ 0 metres, found {m}"),
            });
        }
        specs.push(EdgeSpec {
            a,
            b,
            length_mm: metres_to_mm(m),
        });
    }
    Network::from_edges(lon, lat, ids, &specs)
}

/// Writes the network as `nodes.csv` and `edges.csv` text (lengths in metres with millimetre
/// precision, so reading them back gives the same graph).
pub fn write_edge_list(
    net: &Network,
    mut nodes: impl Write,
    mut edges: impl Write,
) -> std::io::Result<()> {
    writeln!(nodes, "id,lon,lat")?;
    for v in 0..net.node_count() {
        writeln!(
            nodes,
            "{},{:.7},{:.7}",
            net.source_id[v], net.lon[v], net.lat[v]
        )?;
    }
    writeln!(edges, "from,to,length_m")?;
    for e in net.edges() {
        writeln!(
            edges,
            "{},{},{}.{:03}",
            net.source_id[e.a as usize],
            net.source_id[e.b as usize],
            e.length_mm / 1000,
            e.length_mm % 1000
        )?;
    }
    Ok(())
}

/// Reads a graph in the compact indexed form of the reference graphs in
/// `shared/data/osm/derived`: a comment line, `V,<count>`, then `count` node rows
/// `idx,osm_id,lon,lat` (idx = 0, 1, …), then optionally `E,<count>`, then edge rows
/// `a,b,length_m` by index (undirected).
/// The whole graph is returned (the reference files hold one component already).
pub fn read_indexed_graph(path: &Path, reader: impl std::io::BufRead) -> Result<Network, GeoError> {
    let bad = |line: usize, message: String| GeoError::Csv {
        path: path.to_path_buf(),
        line: line as u64,
        field: String::new(),
        message,
    };
    let mut count: Option<usize> = None;
    let mut expected_edges: Option<usize> = None;
    let (mut lon, mut lat, mut ids, mut edges) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (i, line) in reader.lines().enumerate() {
        let line = line.map_err(|error| GeoError::Io {
            path: path.to_path_buf(),
            error,
        })?;
        let n = i + 1;
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split(',').collect();
        let Some(expected) = count else {
            match parts.as_slice() {
                ["V", c] => {
                    count = Some(
                        c.trim()
                            .parse()
                            .map_err(|_| bad(n, format!("expected V,<count>, found {line:?}")))?,
                    )
                }
                _ => return Err(bad(n, format!("expected V,<count>, found {line:?}"))),
            }
            continue;
        };
        let num = |s: &str| -> Result<f64, GeoError> {
            s.trim()
                .parse()
                .map_err(|_| bad(n, format!("expected a number, found {s:?}")))
        };
        if lon.len() < expected {
            let [_, id, x, y] = parts.as_slice() else {
                return Err(bad(
                    n,
                    format!("expected idx,osm_id,lon,lat, found {line:?}"),
                ));
            };
            ids.push(
                id.trim()
                    .parse()
                    .map_err(|_| bad(n, format!("expected an OSM id, found {id:?}")))?,
            );
            lon.push(num(x)?);
            lat.push(num(y)?);
        } else if let ["E", c] = parts.as_slice() {
            expected_edges = Some(
                c.trim()
                    .parse::<usize>()
                    .map_err(|_| bad(n, format!("expected E,<count>, found {line:?}")))?,
            );
        } else {
            let [a, b, m] = parts.as_slice() else {
                return Err(bad(n, format!("expected a,b,length_m, found {line:?}")));
            };
            let (a, b, m) = (num(a)?, num(b)?, num(m)?);
            if a < 0.0 || b < 0.0 || a as usize >= expected || b as usize >= expected {
                return Err(bad(
                    n,
                    format!("edge {a}–{b} names a node beyond the {expected} nodes"),
                ));
            }
            edges.push(EdgeSpec {
                a: a as u32,
                b: b as u32,
                length_mm: metres_to_mm(m),
            });
        }
    }
    if let Some(e) = expected_edges.filter(|&e| e != edges.len()) {
        return Err(bad(
            0,
            format!("the file announces {e} edges but holds {}", edges.len()),
        ));
    }
    Network::from_edges(lon, lat, ids, &edges)
}
