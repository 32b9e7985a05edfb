//! District boundaries (区划边界, issue 19): imported from a GeoJSON FeatureCollection (one
//! feature per district, matched to the district units by name or id), checked by
//! [`jianguan_domain::boundary::check_boundary`] and stored as a whole set in one transaction;
//! exported as a FeatureCollection that imports back unchanged; and generated for the demo
//! city from the same Voronoi cells its coverage pages draw.
//!
//! GeoJSON is read with `serde_json` here rather than by `jianguan_geo::inputs` (which
//! `jianguan coverage --districts` uses): an import's refusals are shown to the office in
//! Chinese, naming the feature, its district and the member at fault, and it needs members
//! the coverage reader ignores (`crs`, `unit_id`, a chosen name property).

use std::collections::HashMap;

use jianguan_access::Role;
use jianguan_access::policy::{Action, Resource, require};
use jianguan_audit::AuditAction;
use jianguan_domain::boundary::{Boundary, BoundaryNotes, check_boundary};
use jianguan_domain::model::{Portfolio, Unit, UnitId, UnitKind};
use jianguan_domain::store::{BoundaryWrite, Store, StoreError};
use serde_json::{Value, json};

use crate::Clock;

/// Who asks for an import.
#[derive(Debug, Clone, Copy)]
pub enum Requester<'a> {
    /// A signed-in account: its roles must allow updating the organisation (the office).
    Account {
        /// The account's user name, recorded in the audit trail.
        name: &'a str,
        /// Its roles.
        roles: &'a [Role],
    },
    /// The operator of the database at the command line (`jianguan districts import`, the demo
    /// seed), who holds the database itself, as for every other command that writes.
    Operator(&'a str),
}

impl Requester<'_> {
    /// The name the audit trail records.
    pub fn name(&self) -> &str {
        match self {
            Requester::Account { name, .. } | Requester::Operator(name) => name,
        }
    }
}

/// How to read the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOptions {
    /// The feature property holding the district's name (default `name`); a property
    /// `unit_id` holding the unit's id is read as well, and wins.
    pub property: String,
    /// Check everything, write nothing.
    pub dry_run: bool,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            property: "name".into(),
            dry_run: false,
        }
    }
}

/// One district's boundary as imported.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedDistrict {
    /// The district unit.
    pub unit: UnitId,
    /// Its name.
    pub name: String,
    /// What the check noted (exclaves or islands, holes, rings closed).
    pub notes: BoundaryNotes,
    /// The boundary as stored (rounded, closed).
    pub boundary: Boundary,
}

/// What an import did (or, a dry run, would do).
#[derive(Debug, Clone, PartialEq)]
pub struct BoundariesImported {
    /// The districts imported, in file order.
    pub districts: Vec<ImportedDistrict>,
    /// The active districts the file has no boundary for (they have none afterwards).
    pub without: Vec<String>,
    /// Whether it was written (false: a dry run).
    pub written: bool,
}

/// Why an import was refused.
#[derive(Debug, thiserror::Error)]
pub enum DistrictsError {
    /// The requester may not change the organisation.
    #[error("{0}")]
    Denied(String),
    /// The file is not a GeoJSON FeatureCollection of WGS-84 coordinates.
    #[error("{0}")]
    File(String),
    /// Features are wrong: every one named (index, name, member).
    #[error("边界文件有 {} 处错误，未导入任何边界：{}", .0.len(), .0.join("；"))]
    Features(Vec<String>),
    /// The database refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The `crs` names that mean WGS-84 longitude/latitude, compared upper-case: GeoJSON's default
/// (OGC CRS84) and EPSG:4326 in its usual spellings.
const WGS84_NAMES: [&str; 6] = [
    "URN:OGC:DEF:CRS:OGC:1.3:CRS84",
    "URN:OGC:DEF:CRS:OGC::CRS84",
    "CRS84",
    "EPSG:4326",
    "URN:OGC:DEF:CRS:EPSG::4326",
    "WGS84",
];

/// The features of a GeoJSON text, after checking it is a FeatureCollection in WGS-84.
fn features(text: &str) -> Result<Vec<Value>, DistrictsError> {
    let root: Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| DistrictsError::File(format!("不是 JSON 文件：{e}")))?;
    if root.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        return Err(DistrictsError::File(
            "不是 GeoJSON 要素集合：顶层的 type 须为 FeatureCollection".into(),
        ));
    }
    if let Some(crs) = root.get("crs").filter(|c| !c.is_null()) {
        let name = crs
            .pointer("/properties/name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .trim()
            .to_string();
        let upper = name.to_ascii_uppercase().replace("EPSG:6.6:", "EPSG::");
        if !WGS84_NAMES.contains(&upper.as_str()) {
            return Err(DistrictsError::File(format!(
                "坐标参考系为「{name}」：边界须为 WGS-84 经纬度（EPSG:4326 / CRS84），请先转换（高德、腾讯的 GCJ-02 和百度的 BD-09 也须先转换）"
            )));
        }
    }
    match root.get("features") {
        Some(Value::Array(list)) if !list.is_empty() => Ok(list.clone()),
        Some(Value::Array(_)) => Err(DistrictsError::File("文件中没有要素".into())),
        _ => Err(DistrictsError::File("要素集合缺少 features 数组".into())),
    }
}

/// A position's longitude and latitude (an altitude after them is ignored).
fn position(v: &Value) -> Option<[f64; 2]> {
    match v.as_array()?.as_slice() {
        [x, y, ..] => Some([x.as_f64()?, y.as_f64()?]),
        _ => None,
    }
}

fn rings(v: &Value) -> Option<Vec<Vec<[f64; 2]>>> {
    v.as_array()?
        .iter()
        .map(|ring| ring.as_array()?.iter().map(position).collect())
        .collect()
}

/// The polygons of a Polygon or MultiPolygon geometry, or why not.
fn geometry(g: Option<&Value>) -> Result<Vec<Vec<Vec<[f64; 2]>>>, String> {
    let Some(g) = g.filter(|g| !g.is_null()) else {
        return Err("没有 geometry".into());
    };
    let coordinates = g.get("coordinates").unwrap_or(&Value::Null);
    let malformed = |kind: &str| format!("geometry 的 coordinates 不是合法的 {kind} 坐标数组");
    match g.get("type").and_then(Value::as_str) {
        Some("Polygon") => Ok(vec![
            rings(coordinates).ok_or_else(|| malformed("Polygon"))?,
        ]),
        Some("MultiPolygon") => coordinates
            .as_array()
            .and_then(|list| list.iter().map(rings).collect::<Option<Vec<_>>>())
            .ok_or_else(|| malformed("MultiPolygon")),
        other => Err(format!(
            "geometry 须为 Polygon 或 MultiPolygon，实为 {}",
            other.unwrap_or("（无类型）")
        )),
    }
}

/// The feature's `unit_id` property, as a number or a numeric text.
fn unit_id_of(props: &Value) -> Option<Result<i64, String>> {
    let v = props.get("unit_id").filter(|v| !v.is_null())?;
    Some(
        v.as_i64()
            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            .ok_or_else(|| format!("属性 unit_id 须为单位编号（整数），实为 {v}")),
    )
}

/// Reads a GeoJSON FeatureCollection of district boundaries against the `units`: each feature
/// matched to an active district by its `unit_id` property or its name in `property`, its
/// geometry checked and normalised. Every bad feature is named (its index from 1, its name,
/// the member at fault); the file as a whole is refused with the first problem of its own.
pub fn read_boundaries(
    text: &str,
    units: &[Unit],
    property: &str,
) -> Result<Vec<ImportedDistrict>, DistrictsError> {
    let features = features(text)?;
    let districts: Vec<&Unit> = units
        .iter()
        .filter(|u| u.kind == UnitKind::District && u.active)
        .collect();
    let known = || {
        districts
            .iter()
            .map(|u| u.name.as_str())
            .collect::<Vec<_>>()
            .join("、")
    };
    let mut errors = Vec::new();
    let mut out: Vec<ImportedDistrict> = Vec::new();
    let mut first_of: HashMap<UnitId, usize> = HashMap::new();
    for (i, f) in features.iter().enumerate() {
        let n = i + 1;
        let props = f.get("properties").unwrap_or(&Value::Null);
        let name = props
            .get(property)
            .and_then(|v| match v {
                Value::String(s) => Some(s.trim().to_string()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .filter(|s| !s.is_empty());
        let label = match &name {
            Some(name) => format!("第 {n} 个要素「{name}」"),
            None => format!("第 {n} 个要素"),
        };
        let unit = match (unit_id_of(props), &name) {
            (Some(Err(e)), _) => {
                errors.push(format!("{label}：{e}"));
                continue;
            }
            (Some(Ok(id)), _) => match districts.iter().find(|u| u.id.0 == id) {
                Some(u) => *u,
                None => {
                    errors.push(format!(
                        "{label}：属性 unit_id 为 {id}，不是在用县区的编号；已有县区：{}",
                        known()
                    ));
                    continue;
                }
            },
            (None, None) => {
                errors.push(format!(
                    "{label}：没有属性「{property}」（区名所在的属性，可另行指定），也没有 unit_id"
                ));
                continue;
            }
            (None, Some(name)) => match districts.iter().find(|u| &u.name == name) {
                Some(u) => *u,
                None => {
                    errors.push(format!(
                        "{label}：属性「{property}」为「{name}」，不是已有的县区；已有县区：{}",
                        known()
                    ));
                    continue;
                }
            },
        };
        if let Some(&first) = first_of.get(&unit.id) {
            errors.push(format!(
                "{label}：与第 {first} 个要素是同一县区「{}」，每个县区只能有一个要素",
                unit.name
            ));
            continue;
        }
        first_of.insert(unit.id, n);
        let polygons = match geometry(f.get("geometry")) {
            Ok(p) => p,
            Err(e) => {
                errors.push(format!("{label}：{e}"));
                continue;
            }
        };
        let boundary = Boundary::from_coordinates(polygons);
        match check_boundary(&boundary) {
            Ok(notes) => {
                // Rounding moves a point by at most half a centimetre; checked again, so
                // what is stored is what passed.
                let boundary = boundary.normalised();
                match check_boundary(&boundary) {
                    Ok(_) => out.push(ImportedDistrict {
                        unit: unit.id,
                        name: unit.name.clone(),
                        notes,
                        boundary,
                    }),
                    Err(p) => errors.push(format!("{label}：{p}")),
                }
            }
            Err(p) => errors.push(format!("{label}：{p}")),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(DistrictsError::Features(errors))
    }
}

/// Imports the districts' boundaries from GeoJSON `text` (a FeatureCollection, one feature per
/// district): all of them or none, replacing every stored boundary in one transaction audited
/// `district_boundaries.import` (the districts named, the source). Only the office may
/// (`Organisation` × `Update` in the policy table).
pub async fn import_boundaries(
    store: &dyn Store,
    clock: Clock,
    by: Requester<'_>,
    text: &str,
    source: &str,
    options: &ImportOptions,
) -> Result<BoundariesImported, DistrictsError> {
    if let Requester::Account { roles, .. } = by {
        require(roles, Resource::Organisation, Action::Update)
            .map_err(|e| DistrictsError::Denied(e.to_string()))?;
    }
    let version = store.data_version().await?;
    let units = store.load_units().await?;
    let districts = read_boundaries(text, &units, &options.property)?;
    let without = units
        .iter()
        .filter(|u| u.kind == UnitKind::District && u.active)
        .filter(|u| !districts.iter().any(|d| d.unit == u.id))
        .map(|u| u.name.clone())
        .collect();
    if !options.dry_run {
        write(store, clock, by.name(), &districts, source, version).await?;
    }
    Ok(BoundariesImported {
        districts,
        without,
        written: !options.dry_run,
    })
}

async fn write(
    store: &dyn Store,
    clock: Clock,
    by: &str,
    districts: &[ImportedDistrict],
    source: &str,
    version: i64,
) -> Result<(), StoreError> {
    let names: Vec<&str> = districts.iter().map(|d| d.name.as_str()).collect();
    let draft = crate::client::draft(
        clock.now_ms(),
        by,
        AuditAction::DistrictBoundariesImport,
        "district_boundaries",
    )
    .change("districts", None, names.join("、"))
    .change("source", None, source);
    store
        .replace_district_boundaries(
            &BoundaryWrite {
                boundaries: districts
                    .iter()
                    .map(|d| (d.unit, d.boundary.clone()))
                    .collect(),
                imported_by: by.to_string(),
                expected_version: version,
            },
            &[draft],
        )
        .await
}

/// The stored boundaries as a GeoJSON FeatureCollection: one feature per district, by unit
/// id, with properties `name` and `unit_id` and a MultiPolygon geometry; it imports back
/// unchanged. One feature a line.
pub async fn export_boundaries(store: &dyn Store) -> Result<String, StoreError> {
    let stored = store.district_boundaries().await?;
    let units = store.load_units().await?;
    let features: Vec<String> = stored
        .iter()
        .map(|s| {
            let name = units
                .iter()
                .find(|u| u.id == s.unit)
                .map_or("", |u| u.name.as_str());
            json!({
                "type": "Feature",
                "properties": { "name": name, "unit_id": s.unit.0 },
                "geometry": { "type": "MultiPolygon", "coordinates": s.boundary.coordinates() },
            })
            .to_string()
        })
        .collect();
    Ok(format!(
        "{{\"type\":\"FeatureCollection\",\"features\":[\n{}\n]}}\n",
        features.join(",\n")
    ))
}

/// The demo city's district boundaries, as its coverage pages generate them
/// ([`crate::coverage::demo_districts`]: each district centred at its projects' mean location):
/// the Voronoi cells of `jianguan_geo::synthetic::district_areas`, rounded as stored.
pub fn demo_boundaries(portfolio: &Portfolio) -> Vec<(UnitId, Boundary)> {
    let districts = crate::coverage::demo_districts(portfolio);
    let demo: Vec<_> = districts.iter().map(|(_, d)| d.clone()).collect();
    let areas = jianguan_geo::synthetic::district_areas(&demo);
    districts
        .iter()
        .zip(areas)
        .map(|((unit, _), area)| {
            (
                *unit,
                Boundary::from_coordinates(area.coordinates()).normalised(),
            )
        })
        .collect()
}

/// Stores generated boundaries (the demo seed's, from [`demo_boundaries`]): each checked,
/// the whole set replacing what is stored, audited as an import from `source`.
pub async fn store_generated(
    store: &dyn Store,
    clock: Clock,
    by: &str,
    boundaries: Vec<(UnitId, Boundary)>,
    source: &str,
) -> Result<usize, DistrictsError> {
    let version = store.data_version().await?;
    let units = store.load_units().await?;
    let mut districts = Vec::with_capacity(boundaries.len());
    for (unit, boundary) in boundaries {
        let name = units
            .iter()
            .find(|u| u.id == unit)
            .map_or_else(|| unit.to_string(), |u| u.name.clone());
        let notes = check_boundary(&boundary)
            .map_err(|p| DistrictsError::Features(vec![format!("「{name}」：{p}")]))?;
        districts.push(ImportedDistrict {
            unit,
            name,
            notes,
            boundary,
        });
    }
    write(store, clock, by, &districts, source, version).await?;
    Ok(districts.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units() -> Vec<Unit> {
        let unit = |id: i64, kind, name: &str| Unit {
            id: UnitId(id),
            kind,
            name: name.into(),
            parent: None,
            active: true,
        };
        vec![
            unit(1, UnitKind::CommandHq, "指挥部办公室"),
            unit(2, UnitKind::District, "东湖区"),
            unit(3, UnitKind::District, "西山区"),
            unit(4, UnitKind::LeadUnit, "市住建局"),
        ]
    }

    fn square(lon: f64, lat: f64) -> Value {
        json!([[
            [lon, lat],
            [lon + 0.1, lat],
            [lon + 0.1, lat + 0.1],
            [lon, lat + 0.1],
            [lon, lat]
        ]])
    }

    fn feature(props: Value, coordinates: Value) -> Value {
        json!({ "type": "Feature", "properties": props,
                "geometry": { "type": "Polygon", "coordinates": coordinates } })
    }

    fn collection(features: Vec<Value>) -> String {
        json!({ "type": "FeatureCollection", "features": features }).to_string()
    }

    fn refusal(text: &str) -> String {
        read_boundaries(text, &units(), "name")
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn districts_are_matched_by_name_or_unit_id() {
        let text = collection(vec![
            feature(json!({"name": "东湖区"}), square(114.0, 29.0)),
            feature(json!({"unit_id": "3"}), square(114.2, 29.0)),
        ]);
        let read = read_boundaries(&text, &units(), "name").unwrap();
        assert_eq!(
            read.iter()
                .map(|d| (d.unit, d.name.as_str()))
                .collect::<Vec<_>>(),
            vec![(UnitId(2), "东湖区"), (UnitId(3), "西山区")]
        );
        let other = collection(vec![feature(
            json!({"NAME": "西山区"}),
            square(114.0, 29.0),
        )]);
        assert_eq!(
            read_boundaries(&other, &units(), "NAME").unwrap()[0].unit,
            UnitId(3)
        );
    }

    #[test]
    fn an_unknown_name_lists_the_districts_and_a_second_feature_is_refused() {
        let text = collection(vec![
            feature(json!({"name": "南湖区"}), square(114.0, 29.0)),
            feature(json!({"name": "东湖区"}), square(114.0, 29.0)),
            feature(json!({"name": "东湖区"}), square(114.2, 29.0)),
            feature(json!({"name": "市住建局"}), square(114.4, 29.0)),
        ]);
        let text = refusal(&text);
        assert!(text.starts_with("边界文件有 3 处错误"), "{text}");
        assert!(
            text.contains("第 1 个要素「南湖区」：属性「name」为「南湖区」，不是已有的县区；已有县区：东湖区、西山区"),
            "{text}"
        );
        assert!(
            text.contains("第 3 个要素「东湖区」：与第 2 个要素是同一县区「东湖区」"),
            "{text}"
        );
        assert!(text.contains("第 4 个要素「市住建局」"), "{text}");
    }

    #[test]
    fn a_crs_other_than_wgs84_is_refused_and_wgs84_spellings_pass() {
        let with_crs = |name: &str| {
            json!({ "type": "FeatureCollection",
                    "crs": { "type": "name", "properties": { "name": name } },
                    "features": [feature(json!({"name": "东湖区"}), square(114.0, 29.0))] })
            .to_string()
        };
        let text = refusal(&with_crs("urn:ogc:def:crs:EPSG::3857"));
        assert!(
            text.contains("坐标参考系为「urn:ogc:def:crs:EPSG::3857」"),
            "{text}"
        );
        assert!(text.contains("须为 WGS-84"), "{text}");
        for ok in [
            "urn:ogc:def:crs:OGC:1.3:CRS84",
            "EPSG:4326",
            "urn:ogc:def:crs:EPSG::4326",
        ] {
            assert!(
                read_boundaries(&with_crs(ok), &units(), "name").is_ok(),
                "{ok}"
            );
        }
    }

    #[test]
    fn projected_swapped_and_self_intersecting_features_are_named() {
        let projected = json!([[
            [500000.0, 3200000.0],
            [510000.0, 3200000.0],
            [510000.0, 3210000.0],
            [500000.0, 3200000.0]
        ]]);
        let swapped = json!([[[29.0, 114.0], [29.0, 114.1], [29.1, 114.1], [29.0, 114.0]]]);
        let bow_tie = json!([[
            [114.0, 29.0],
            [114.1, 29.1],
            [114.1, 29.0],
            [114.0, 29.1],
            [114.0, 29.0]
        ]]);
        let text = refusal(&collection(vec![
            feature(json!({"name": "东湖区"}), projected),
            feature(json!({"name": "西山区"}), swapped),
        ]));
        assert!(text.contains("第 1 个要素「东湖区」：第 1 块多边形的外环的坐标（500000, 3200000）超出经纬度范围，像是投影坐标（米）"), "{text}");
        assert!(
            text.contains("第 2 个要素「西山区」：第 1 块多边形的外环：经纬度可能填反了"),
            "{text}"
        );
        let text = refusal(&collection(vec![feature(
            json!({"name": "东湖区"}),
            bow_tie,
        )]));
        assert!(
            text.contains("第 1 个要素「东湖区」：第 1 块多边形的外环自相交，约在经度 114.050000、纬度 29.050000 处"),
            "{text}"
        );
    }

    #[test]
    fn files_that_are_not_feature_collections_are_refused() {
        assert!(refusal("not json").starts_with("不是 JSON 文件"));
        assert!(refusal(r#"{"type":"Feature"}"#).contains("FeatureCollection"));
        assert_eq!(refusal(&collection(vec![])), "文件中没有要素");
        let point = json!({ "type": "FeatureCollection", "features": [
            { "type": "Feature", "properties": {"name": "东湖区"},
              "geometry": { "type": "Point", "coordinates": [114.0, 29.0] } } ] })
        .to_string();
        assert!(
            refusal(&point).contains(
                "第 1 个要素「东湖区」：geometry 须为 Polygon 或 MultiPolygon，实为 Point"
            ),
        );
    }
}
