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
//! the extracts and the boundary is the conservative reading of "200 m to green".
//!
//! A multipolygon relation the table matches (a city's largest parks and lakes are mapped that
//! way) is assembled from its member ways ([`crate::multipolygon`]) and is one facility reachable
//! from each node of its outer rings; relations whose rings do not close (members missing from
//! the extract) are counted in [`OsmImport::open_relations`] so the report says so.
//!
//! # The basemap
//!
//! [`read_basemap`] reads the same file into the features of [`crate::basemap`]: ways and
//! multipolygon relations by [`crate::basemap::classify`], and named places.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use osmpbf::{Element, ElementReader, RelMemberType};
use serde::Deserialize;

use crate::GeoError;
use crate::basemap::{self, Feature, Layer};
use crate::inputs::Facility;
use crate::multipolygon::{self, Member};
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
    /// Multipolygon relations matching the tag table, assembled into facilities.
    pub assembled_relations: usize,
    /// Multipolygon relations matching the tag table with a ring that did not close (members
    /// missing from the extract): only their closed rings are used, and none when none closed.
    pub open_relations: usize,
}

/// Opens a PBF file, telling a missing or unreadable file from one that is not PBF.
fn open(path: &Path) -> Result<ElementReader<std::io::BufReader<std::fs::File>>, GeoError> {
    ElementReader::from_path(path).map_err(|e| match e.kind() {
        osmpbf::ErrorKind::Io(_) => GeoError::Io {
            path: path.to_path_buf(),
            error: std::io::Error::other(e.to_string()),
        },
        _ => pbf_error(path, e),
    })
}

fn pbf_error(path: &Path, e: osmpbf::Error) -> GeoError {
    GeoError::Pbf {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// A multipolygon relation a reader wants: its id, what the reader made of its tags, and its
/// member ways (way id, outer rather than inner).
struct Relation<T> {
    id: i64,
    what: T,
    ways: Vec<(i64, bool)>,
}

/// The multipolygon relations of the file that `want` makes something of (a first pass over the
/// file: relations come after the ways they are made of).
fn multipolygons<T>(
    path: &Path,
    want: impl Fn(&[(&str, &str)]) -> Option<T>,
) -> Result<Vec<Relation<T>>, GeoError> {
    let mut found = Vec::new();
    open(path)?
        .for_each(|element| {
            if let Element::Relation(r) = element {
                let tags: Vec<(&str, &str)> = r.tags().collect();
                if !tags.contains(&("type", "multipolygon")) {
                    return;
                }
                if let Some(what) = want(&tags) {
                    let ways = r
                        .members()
                        .filter(|m| m.member_type == RelMemberType::Way)
                        .map(|m| (m.member_id, m.role().unwrap_or("") != "inner"))
                        .collect();
                    found.push(Relation {
                        id: r.id(),
                        what,
                        ways,
                    });
                }
            }
        })
        .map_err(|e| pbf_error(path, e))?;
    Ok(found)
}

/// The ways `relations` are made of.
fn member_ways<T>(relations: &[Relation<T>]) -> HashSet<i64> {
    relations
        .iter()
        .flat_map(|r| r.ways.iter().map(|w| w.0))
        .collect()
}

/// The rings of `relation` as node ids, from the member ways' node lists read (`refs`).
fn rings_of<T>(relation: &Relation<T>, refs: &HashMap<i64, Vec<i64>>) -> multipolygon::Rings {
    let members: Vec<Member> = relation
        .ways
        .iter()
        .filter_map(|&(way, outer)| {
            Some(Member {
                outer,
                nodes: refs.get(&way)?.clone(),
            })
        })
        .collect();
    let mut rings = multipolygon::assemble(&members);
    // A member way absent from the extract leaves its chain open; count it even when the
    // remaining members happen to close.
    if relation.ways.iter().any(|(w, _)| !refs.contains_key(w)) && rings.open == 0 {
        rings.open = 1;
    }
    rings
}

/// Every node's position, sorted by id, in 1e-7 degrees (the PBF's own precision).
struct Positions(Vec<(i64, i32, i32)>);

impl Positions {
    fn sorted(mut nodes: Vec<(i64, i32, i32)>) -> Positions {
        if !nodes.is_sorted_by_key(|n| n.0) {
            nodes.sort_unstable_by_key(|n| n.0);
        }
        Positions(nodes)
    }

    fn get(&self, id: i64) -> Option<(f64, f64)> {
        self.0
            .binary_search_by_key(&id, |n| n.0)
            .ok()
            .map(|i| (f64::from(self.0[i].1) * 1e-7, f64::from(self.0[i].2) * 1e-7))
    }
}

/// Reads a PBF file into a walking network and facilities. `progress` shows a spinner on a
/// terminal while reading.
pub fn read_pbf(path: &Path, table: &TagTable, progress: bool) -> Result<OsmImport, GeoError> {
    let relations = multipolygons(path, |tags| {
        let types = table.types_of(tags.iter().copied());
        (!types.is_empty()).then(|| {
            let name = tags.iter().find(|(k, _)| *k == "name").map(|(_, v)| *v);
            (
                types.into_iter().map(str::to_string).collect::<Vec<_>>(),
                name.map(str::to_string),
            )
        })
    })?;
    let member_ways = member_ways(&relations);
    let mut member_refs: HashMap<i64, Vec<i64>> = HashMap::new();
    let reader = open(path)?;
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
                    if member_ways.contains(&w.id()) {
                        member_refs.insert(w.id(), w.refs().collect());
                    }
                }
                Element::Relation(_) => {}
            }
        })
        .map_err(|e| pbf_error(path, e))?;
    // Each relation: one facility reachable from every node of its outer rings.
    let (mut assembled_relations, mut open_relations) = (0, 0);
    for relation in relations {
        let rings = rings_of(&relation, &member_refs);
        if rings.open > 0 {
            open_relations += 1;
        }
        if rings.outer.is_empty() {
            continue;
        }
        assembled_relations += 1;
        let (types, name) = relation.what;
        tagged.push(Tagged {
            id: format!("osm:relation/{}", relation.id),
            types,
            name,
            refs: rings.outer.concat(),
            position: None,
        });
    }
    way_starts.push(way_refs.len());
    bar.set_message("building the network");
    bar.tick();

    let positions = Positions::sorted(nodes);
    let nodes = &positions.0;
    let coord = |id: i64| positions.get(id);

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
                    // A closed way repeats its first node at the end (and a relation's rings
                    // each theirs): each node once, in order.
                    let mut seen = HashSet::new();
                    t.refs
                        .iter()
                        .filter(|r| seen.insert(**r))
                        .filter_map(|&r| coord(r))
                        .collect()
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
        assembled_relations,
        open_relations,
    })
}

/// What [`read_basemap`] found.
#[derive(Debug)]
pub struct BasemapImport {
    /// The features, in file order.
    pub features: Vec<Feature>,
    /// Multipolygon relations assembled into areas.
    pub assembled_relations: usize,
    /// Multipolygon relations with a ring that did not close (see [`OsmImport`]).
    pub open_relations: usize,
    /// Way node references missing from the extract (lines cut there).
    pub missing_node_refs: usize,
}

/// Reads the basemap's features from a PBF file: roads, railways, rivers, water and green areas
/// (closed ways and multipolygon relations) and named places ([`basemap::classify`]).
pub fn read_basemap(path: &Path) -> Result<BasemapImport, GeoError> {
    let relations = multipolygons(path, |tags| {
        let name = tags.iter().find(|(k, _)| *k == "name").map(|(_, v)| *v);
        basemap::classify(tags.iter().copied(), true)
            .filter(|(layer, _)| layer.is_area())
            .map(|(layer, _)| (layer, name.map(str::to_string)))
    })?;
    let member_ways = member_ways(&relations);
    let mut member_refs: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut nodes: Vec<(i64, i32, i32)> = Vec::new();
    // Ways to draw: (layer, node ids).
    let mut ways: Vec<(Layer, Vec<i64>)> = Vec::new();
    let mut places: Vec<Feature> = Vec::new();
    let mut place = |tags: Vec<(&str, &str)>, lon: f64, lat: f64| {
        if let Some((layer, rank)) = basemap::classify(tags.iter().copied(), false)
            && layer == Layer::Place
        {
            let name = tags.iter().find(|(k, _)| *k == "name").map(|(_, v)| *v);
            places.push(Feature {
                layer,
                rank,
                name: name.map(str::to_string),
                parts: vec![vec![(lon, lat)]],
            });
        }
    };
    open(path)?
        .for_each(|element| match element {
            Element::DenseNode(n) => {
                nodes.push((n.id(), n.decimicro_lon(), n.decimicro_lat()));
                if n.tags().any(|(k, _)| k == "place") {
                    place(n.tags().collect(), n.lon(), n.lat());
                }
            }
            Element::Node(n) => {
                nodes.push((n.id(), n.decimicro_lon(), n.decimicro_lat()));
                if n.tags().any(|(k, _)| k == "place") {
                    place(n.tags().collect(), n.lon(), n.lat());
                }
            }
            Element::Way(w) => {
                let refs: Vec<i64> = w.refs().collect();
                let closed = refs.len() >= 4 && refs.first() == refs.last();
                if let Some((layer, _)) = basemap::classify(w.tags(), closed)
                    && layer != Layer::Place
                {
                    ways.push((layer, refs.clone()));
                }
                if member_ways.contains(&w.id()) {
                    member_refs.insert(w.id(), refs);
                }
            }
            Element::Relation(_) => {}
        })
        .map_err(|e| pbf_error(path, e))?;
    let positions = Positions::sorted(nodes);
    let mut missing_node_refs = 0;
    let mut features = Vec::with_capacity(ways.len() + relations.len() + places.len());
    for (layer, refs) in ways {
        // A line is cut where a node is missing; an area with a missing node is left out.
        let mut parts: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
        for r in &refs {
            match positions.get(*r) {
                Some(p) => parts.last_mut().map_or((), |part| part.push(p)),
                None => {
                    missing_node_refs += 1;
                    parts.push(Vec::new());
                }
            }
        }
        if layer.is_area() && parts.len() > 1 {
            continue;
        }
        parts.retain(|p| p.len() >= 2);
        if !parts.is_empty() {
            features.push(Feature {
                layer,
                rank: 0,
                name: None,
                parts,
            });
        }
    }
    let (mut assembled_relations, mut open_relations) = (0, 0);
    for relation in &relations {
        let rings = rings_of(relation, &member_refs);
        if rings.open > 0 {
            open_relations += 1;
        }
        let parts: Vec<Vec<(f64, f64)>> = rings
            .outer
            .iter()
            .chain(&rings.inner)
            .filter_map(|ring| ring.iter().map(|&r| positions.get(r)).collect())
            .collect();
        if rings.outer.is_empty() || parts.is_empty() {
            continue;
        }
        assembled_relations += 1;
        let (layer, name) = relation.what.clone();
        features.push(Feature {
            layer,
            rank: 0,
            name,
            parts,
        });
    }
    features.extend(places);
    if features.is_empty() {
        return Err(GeoError::Pbf {
            path: path.to_path_buf(),
            message: "no roads, railways, water, green areas or places in the extract".into(),
        });
    }
    Ok(BasemapImport {
        features,
        assembled_relations,
        open_relations,
        missing_node_refs,
    })
}
