//! OpenStreetMap PBF → walking network and facility layers.
//!
//! # Which ways are walkable
//!
//! The rules start from osmnx's `walk` network (the filter most published walking
//! accessibility studies use), so graphs can be compared with theirs. A way is walkable when it
//! has a `highway` tag and none of:
//!
//! - `highway` = `abandoned`, `bus_guideway`, `construction`, `cycleway`, `motorway`,
//!   `motorway_link`, `no`, `planned`, `platform`, `proposed`, `raceway`, `razed`
//!   (not for walking, or not built);
//! - `area=yes` (a pedestrian square is crossed along its mapped paths, not around its outline);
//! - `foot=no`, `service=private` (residents may not walk there);
//! - `access=no` or `access=private`, **unless** `foot=yes`, `designated` or `permissive`: an
//!   explicit permission for pedestrians overrides the general restriction (osmnx drops only
//!   `access=private`, and drops it even with `foot=yes`; comparing with the reference graphs in
//!   `shared/data/osm/derived` showed that driveways tagged `access=no` were the largest
//!   difference, and OSM's own access rules say the more specific `foot` wins).
//!
//! Every node of a walkable way becomes a network node (no simplification, so facilities and
//! residents can snap to any vertex); consecutive nodes are joined by an edge whose length is
//! the haversine distance. Ways referring to nodes missing from the extract are cut at the gap.
//! Only the largest connected component is kept.
//!
//! # Facilities
//!
//! A [`TagTable`] (TOML, with a built-in default, [`DEFAULT_TAG_TABLE`]) maps tags to facility
//! types; an element matching several rules is a facility of each of those types. A tagged node
//! is a facility at its position. A tagged way (a park, a school yard, a market hall) is one
//! facility reachable from **each of its nodes**: for a closed way these are its boundary nodes,
//! so a park counts as reached when its edge is, not its centroid — which for a large park is
//! hundreds of metres inside. Gates (`entrance=*`) are not singled out: fenced parks are rare in
//! the extracts and the boundary is the conservative reading of "200 m to green". Multipolygon
//! relations are not assembled; those that match the table are counted in
//! [`OsmImport::skipped_relations`] so the report says so.

use std::path::Path;

use osmpbf::{Element, ElementReader};
use serde::Deserialize;

use crate::GeoError;
use crate::inputs::Facility;
use crate::network::{EdgeSpec, Network, haversine_m, metres_to_mm};

/// The built-in tag → facility type table.
pub const DEFAULT_TAG_TABLE: &str = r#"
# Each rule: a facility type and the tags (key=value, or key=* for any value) that make one.
[[rule]]
type = "green"
tags = ["leisure=park", "leisure=garden", "leisure=playground", "leisure=nature_reserve",
        "landuse=grass", "landuse=village_green", "landuse=recreation_ground", "landuse=forest"]

[[rule]]
type = "park"
tags = ["leisure=park"]

[[rule]]
type = "toilet"
tags = ["amenity=toilets"]

[[rule]]
type = "clinic"
tags = ["amenity=clinic", "amenity=doctors", "amenity=hospital", "healthcare=*"]

[[rule]]
type = "school"
tags = ["amenity=school", "amenity=kindergarten"]

[[rule]]
type = "market"
tags = ["amenity=marketplace", "shop=supermarket", "shop=convenience", "shop=greengrocer"]

[[rule]]
type = "neighbourhood_centre"
tags = ["amenity=community_centre", "amenity=social_centre"]

[[rule]]
type = "bus_stop"
tags = ["highway=bus_stop", "railway=tram_stop", "public_transport=platform"]
"#;

/// A tag → facility type table.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TagTable {
    /// The rules, in order.
    #[serde(rename = "rule")]
    pub rules: Vec<TagRule>,
}

/// One rule of a [`TagTable`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TagRule {
    /// The facility type it makes.
    #[serde(rename = "type")]
    pub kind: String,
    /// `key=value` or `key=*`.
    pub tags: Vec<String>,
}

impl Default for TagTable {
    fn default() -> Self {
        TagTable::from_toml(DEFAULT_TAG_TABLE).unwrap_or(TagTable { rules: Vec::new() })
    }
}

impl TagTable {
    /// Parses a table from TOML (see [`DEFAULT_TAG_TABLE`] for the format).
    pub fn from_toml(text: &str) -> Result<TagTable, GeoError> {
        let table: TagTable =
            toml::from_str(text).map_err(|e| GeoError::Config(format!("tag table: {e}")))?;
        for rule in &table.rules {
            for tag in &rule.tags {
                if !tag.contains('=') {
                    return Err(GeoError::Config(format!(
                        "tag table, type {}: expected key=value or key=*, found {tag:?}",
                        rule.kind
                    )));
                }
            }
        }
        Ok(table)
    }

    /// The facility types whose rules the tags match (each type once, in table order).
    pub fn types_of<'t, 'a>(
        &'t self,
        tags: impl Iterator<Item = (&'a str, &'a str)>,
    ) -> Vec<&'t str> {
        let tags: Vec<(&str, &str)> = tags.collect();
        let mut out: Vec<&str> = Vec::new();
        for rule in &self.rules {
            let hit = rule.tags.iter().any(|t| {
                let (k, v) = t.split_once('=').unwrap_or((t, "*"));
                tags.iter()
                    .any(|&(tk, tv)| tk == k && (v == "*" || tv == v))
            });
            if hit && !out.contains(&rule.kind.as_str()) {
                out.push(&rule.kind);
            }
        }
        out
    }

    /// The keys any rule looks at (to skip untagged elements cheaply).
    fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self
            .rules
            .iter()
            .flat_map(|r| {
                r.tags
                    .iter()
                    .map(|t| t.split('=').next().unwrap_or("").to_string())
            })
            .collect();
        keys.sort();
        keys.dedup();
        keys
    }
}

/// Whether a way with these tags belongs to the walking network (rules in the module docs).
pub fn is_walkable<'a>(tags: impl Iterator<Item = (&'a str, &'a str)>) -> bool {
    let mut highway = false;
    let mut restricted = false;
    let mut foot_allowed = false;
    for (k, v) in tags {
        match (k, v) {
            ("highway", v) => {
                if matches!(
                    v,
                    "abandoned"
                        | "bus_guideway"
                        | "construction"
                        | "cycleway"
                        | "motorway"
                        | "motorway_link"
                        | "no"
                        | "planned"
                        | "platform"
                        | "proposed"
                        | "raceway"
                        | "razed"
                ) {
                    return false;
                }
                highway = true;
            }
            ("area", "yes") | ("foot", "no") | ("service", "private") => return false,
            ("access", "no" | "private") => restricted = true,
            ("foot", "yes" | "designated" | "permissive") => foot_allowed = true,
            _ => {}
        }
    }
    highway && (!restricted || foot_allowed)
}

/// What an OSM import produced.
#[derive(Debug)]
pub struct OsmImport {
    /// The walking network (largest connected component).
    pub network: Network,
    /// Facilities found by the tag table.
    pub facilities: Vec<Facility>,
    /// Walkable ways read.
    pub walkable_ways: usize,
    /// Nodes in the walkable ways before the largest component was taken.
    pub nodes_before_component: usize,
    /// Way references to nodes absent from the extract (ways are cut there).
    pub missing_node_refs: usize,
    /// Multipolygon relations matching the tag table that were not used.
    pub skipped_relations: usize,
}

/// Reads a PBF file into a walking network and facilities. `progress` shows a spinner on a
/// terminal while reading.
pub fn read_pbf(path: &Path, table: &TagTable, progress: bool) -> Result<OsmImport, GeoError> {
    let pbf_error = |e: osmpbf::Error| GeoError::Pbf {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let reader = ElementReader::from_path(path).map_err(|e| match e.kind() {
        osmpbf::ErrorKind::Io(_) => GeoError::Io {
            path: path.to_path_buf(),
            error: std::io::Error::other(e.to_string()),
        },
        _ => pbf_error(e),
    })?;
    let bar = if progress {
        indicatif::ProgressBar::new_spinner()
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.set_message(format!("reading {}", path.display()));
    let keys = table.keys();
    let wanted = |k: &str| keys.binary_search_by(|x| x.as_str().cmp(k)).is_ok();

    // Coordinates of every node, as (id, lon, lat) in 1e-7 degrees (the PBF's own precision).
    let mut nodes: Vec<(i64, i32, i32)> = Vec::new();
    // Walkable ways' node references, concatenated, with where each way starts.
    let mut way_refs: Vec<i64> = Vec::new();
    let mut way_starts: Vec<usize> = Vec::new();
    struct Tagged {
        id: String,
        types: Vec<String>,
        name: Option<String>,
        refs: Vec<i64>,
        position: Option<(f64, f64)>,
    }
    let mut tagged: Vec<Tagged> = Vec::new();
    let mut skipped_relations = 0usize;
    let mut elements = 0u64;

    // Checks the tag table first: most tagged elements (every street has `highway`) are no
    // facility, and for them no id string or node list is built.
    let mut facility = |kind: &str,
                        id: i64,
                        tags: &[(&str, &str)],
                        refs: &mut dyn Iterator<Item = i64>,
                        position: Option<(f64, f64)>| {
        let types = table.types_of(tags.iter().copied());
        if !types.is_empty() {
            tagged.push(Tagged {
                id: format!("osm:{kind}/{id}"),
                types: types.into_iter().map(str::to_string).collect(),
                name: tags
                    .iter()
                    .find(|(k, _)| *k == "name")
                    .map(|(_, v)| (*v).to_string()),
                refs: refs.collect(),
                position,
            });
        }
    };
    reader
        .for_each(|element| {
            elements += 1;
            if elements.is_multiple_of(1 << 20) {
                bar.set_message(format!("reading {}: {elements} elements", path.display()));
                bar.tick();
            }
            match element {
                Element::DenseNode(n) => {
                    nodes.push((n.id(), n.decimicro_lon(), n.decimicro_lat()));
                    if n.tags().any(|(k, _)| wanted(k)) {
                        let tags: Vec<_> = n.tags().collect();
                        let position = Some((n.lon(), n.lat()));
                        facility("node", n.id(), &tags, &mut std::iter::empty(), position);
                    }
                }
                Element::Node(n) => {
                    nodes.push((n.id(), n.decimicro_lon(), n.decimicro_lat()));
                    if n.tags().any(|(k, _)| wanted(k)) {
                        let tags: Vec<_> = n.tags().collect();
                        let position = Some((n.lon(), n.lat()));
                        facility("node", n.id(), &tags, &mut std::iter::empty(), position);
                    }
                }
                Element::Way(w) => {
                    if is_walkable(w.tags()) {
                        way_starts.push(way_refs.len());
                        way_refs.extend(w.refs());
                    }
                    if w.tags().any(|(k, _)| wanted(k)) {
                        let tags: Vec<_> = w.tags().collect();
                        facility("way", w.id(), &tags, &mut w.refs(), None);
                    }
                }
                Element::Relation(r) => {
                    if !table.types_of(r.tags()).is_empty() {
                        skipped_relations += 1;
                    }
                }
            }
        })
        .map_err(pbf_error)?;
    way_starts.push(way_refs.len());
    bar.set_message("building the network");
    bar.tick();

    if !nodes.is_sorted_by_key(|n| n.0) {
        nodes.sort_unstable_by_key(|n| n.0);
    }
    let coord = |id: i64| -> Option<(f64, f64)> {
        nodes
            .binary_search_by_key(&id, |n| n.0)
            .ok()
            .map(|i| (f64::from(nodes[i].1) * 1e-7, f64::from(nodes[i].2) * 1e-7))
    };

    // Network nodes: every referenced node with a known position, numbered by OSM id order.
    let mut ids: Vec<i64> = way_refs.clone();
    ids.sort_unstable();
    ids.dedup();
    let mut missing_node_refs = 0usize;
    let mut lon = Vec::with_capacity(ids.len());
    let mut lat = Vec::with_capacity(ids.len());
    let mut kept_ids = Vec::with_capacity(ids.len());
    // Both lists are sorted by id: one merge instead of a binary search per node.
    let mut j = 0;
    for &id in &ids {
        while j < nodes.len() && nodes[j].0 < id {
            j += 1;
        }
        if let Some(&(found, x, y)) = nodes.get(j)
            && found == id
        {
            kept_ids.push(id);
            lon.push(f64::from(x) * 1e-7);
            lat.push(f64::from(y) * 1e-7);
        }
    }
    drop(ids);
    let index_of = |id: i64| kept_ids.binary_search(&id).ok().map(|i| i as u32);
    let mut edges = Vec::with_capacity(way_refs.len());
    for w in way_starts.windows(2) {
        let refs = &way_refs[w[0]..w[1]];
        let mut prev: Option<u32> = None;
        for &r in refs {
            let here = index_of(r);
            if here.is_none() {
                missing_node_refs += 1;
            }
            if let (Some(a), Some(b)) = (prev, here) {
                let m = haversine_m(
                    lon[a as usize],
                    lat[a as usize],
                    lon[b as usize],
                    lat[b as usize],
                );
                edges.push(EdgeSpec {
                    a,
                    b,
                    length_mm: metres_to_mm(m),
                });
            }
            prev = here;
        }
    }
    let walkable_ways = way_starts.len() - 1;
    drop(way_refs);
    let nodes_before_component = lon.len();
    if edges.is_empty() {
        return Err(GeoError::Pbf {
            path: path.to_path_buf(),
            message: "no walkable ways with located nodes (an empty or non-street extract?)".into(),
        });
    }
    let network = Network::from_edges(lon, lat, kept_ids, &edges)?.largest_component();

    let facilities = tagged
        .into_iter()
        .flat_map(|t| {
            let mut points: Vec<(f64, f64)> = match t.position {
                Some(p) => vec![p],
                None => {
                    let mut refs = t.refs.clone();
                    // A closed way repeats its first node at the end.
                    if refs.len() > 1 && refs.first() == refs.last() {
                        refs.pop();
                    }
                    refs.into_iter().filter_map(coord).collect()
                }
            };
            points.dedup();
            let (id, name) = (t.id, t.name);
            t.types.into_iter().map(move |kind| Facility {
                id: id.clone(),
                kind,
                points: points.clone(),
                since: None,
                name: name.clone(),
            })
        })
        .filter(|f| !f.points.is_empty())
        .collect();
    bar.finish_and_clear();
    Ok(OsmImport {
        network,
        facilities,
        walkable_ways,
        nodes_before_component,
        missing_node_refs,
        skipped_relations,
    })
}
