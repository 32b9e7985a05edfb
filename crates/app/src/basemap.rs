//! The offline basemap (底图, issue 19): roads, railways, water, green areas and place names
//! under every map, prepared once — from the city's own OpenStreetMap extract by
//! `jianguan basemap --osm`, or from the demo city's generated streets by the demo seed — into
//! the levels of detail of [`jianguan_geo::basemap`], checked against the city's district
//! boundaries, and stored in one audited transaction. Nodes read it back once per revision
//! ([`crate::portfolio::App::basemap`]).
//!
//! Given the city's residents too, the same extract's walking network and the facilities its
//! tags name are stored with it ([`Walk`]): the coverage pages then walk the city's own streets
//! ([`crate::coverage::City::build`]) instead of the demo's generated ones.

use jianguan_audit::AuditAction;
use jianguan_domain::model::Portfolio;
use jianguan_domain::store::{BasemapWrite, Store, StoreError};
use std::sync::Arc;

use jianguan_geo::basemap::{self, BasemapIndex, Feature, Layer, Level};
use jianguan_geo::walk_city::{WalkCity, cell_side_m};
use jianguan_geo::{Facility, Network, PopulationPoint};
use serde_json::json;

use crate::Clock;

/// Why a basemap was not stored.
#[derive(Debug, thiserror::Error)]
pub enum BasemapError {
    /// The source had nothing to draw.
    #[error("{0}：没有可绘制的道路、铁路、水系、绿地或地名")]
    Empty(String),
    /// The source lies outside the city's districts (another city's extract).
    #[error("{0}")]
    OutsideCity(String),
    /// The residents given cannot be walked from the extract's network.
    #[error("{0}")]
    Residents(String),
    /// The database refused.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A basemap prepared from a source, not yet stored.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Where it comes from (a file name, or the demo).
    pub source: String,
    /// Its levels of detail.
    pub levels: Vec<Level>,
    /// The source's features per layer.
    pub counts: Vec<(Layer, usize)>,
    /// The box it covers: (west, south, east, north).
    pub bounds: (f64, f64, f64, f64),
    /// What the reader noticed (relations assembled, members missing …).
    pub notes: Vec<String>,
    /// The credit the data's licence asks for, written in the corner of every map.
    pub attribution: Option<String>,
    /// The city's walking inputs read with it, when residents were given.
    pub walk: Option<Walk>,
}

/// A city's walking inputs (network, facilities, residents) with where its residents came
/// from: what the coverage pages walk when it is stored.
#[derive(Debug, Clone)]
pub struct Walk {
    /// The network, facilities and residents.
    pub city: WalkCity,
    /// Where the residents came from (a file name).
    pub population_source: String,
    /// Residents (people) farther than [`crate::coverage::SNAP_LIMIT_M`] from the network.
    pub people_unplaced: f64,
}

impl Walk {
    /// The walking inputs from an extract's `network` and `facilities` (only the types the
    /// coverage pages count are kept) and the residents read from `population_source`.
    /// Refused when no resident lies within [`crate::coverage::SNAP_LIMIT_M`] of the network
    /// (residents of another city, or swapped coordinates).
    pub fn new(
        network: Network,
        facilities: Vec<Facility>,
        population: Vec<PopulationPoint>,
        population_source: &str,
    ) -> Result<Walk, BasemapError> {
        let people: f64 = population.iter().map(|p| p.population).sum();
        if population.is_empty() || people <= 0.0 {
            return Err(BasemapError::Residents(format!(
                "{population_source}：没有居民（人口合计为 0），无法计算覆盖"
            )));
        }
        let index = jianguan_geo::snap::SnapIndex::new(&network);
        let placed = jianguan_geo::PlacedPopulation::new(
            &index,
            population.clone(),
            &[],
            Some(crate::coverage::SNAP_LIMIT_M),
        );
        let people_unplaced: f64 = placed
            .node
            .iter()
            .zip(&population)
            .filter(|(n, _)| n.is_none())
            .map(|(_, p)| p.population)
            .sum();
        drop(index);
        if people_unplaced >= people {
            let (lon, lat) = (population[0].lon, population[0].lat);
            return Err(BasemapError::Residents(format!(
                "{population_source}：没有一个居民点在步行路网 {:.0} 米以内（第一个点为经度 {lon:.4}、纬度 {lat:.4}），是否选错了城市，或经纬度填反？未写入任何内容",
                crate::coverage::SNAP_LIMIT_M
            )));
        }
        let cell_m = cell_side_m(&population);
        let facilities = facilities
            .into_iter()
            .filter(|f| crate::coverage::facility_type(&f.kind).is_some())
            .collect();
        Ok(Walk {
            city: WalkCity {
                network,
                facilities,
                population,
                cell_m,
            },
            population_source: population_source.to_string(),
            people_unplaced,
        })
    }

    /// What it holds (JSON, part of the basemap's summary).
    pub fn summary(&self) -> serde_json::Value {
        let city = &self.city;
        json!({
            "nodes": city.network.node_count(),
            "edges": city.network.edge_count(),
            "facilities": crate::coverage::TYPES
                .iter()
                .map(|t| {
                    let n = city.facilities.iter().filter(|f| f.kind == t.kind).count();
                    (t.kind.to_string(), json!(n))
                })
                .collect::<serde_json::Map<_, _>>(),
            "population_source": self.population_source,
            "population_points": city.population.len(),
            "people": city.population.iter().map(|p| p.population).sum::<f64>().round(),
            "people_unplaced": self.people_unplaced.round(),
            "cell_m": city.cell_m,
        })
    }
}

/// The credit OpenStreetMap's licence (ODbL) asks maps drawn from its data to carry.
pub const OSM_ATTRIBUTION: &str = "© OpenStreetMap 贡献者";

/// A stored basemap as a node holds it: indexed for drawing, with its credit.
#[derive(Debug)]
pub struct Basemap {
    /// The levels, indexed.
    pub index: BasemapIndex,
    /// The credit to write on every map.
    pub attribution: Option<String>,
    /// Its revision (a node's caches built from it are current while this is).
    pub revision: i64,
    /// The city's walking inputs stored with it, if any.
    pub walk: Option<Arc<StoredWalk>>,
}

/// A city's walking inputs as a node holds them, with where they came from.
#[derive(Debug)]
pub struct StoredWalk {
    /// The network, facilities and residents.
    pub city: WalkCity,
    /// The extract the network was read from.
    pub network_source: String,
    /// Where the residents came from.
    pub population_source: String,
}

impl Prepared {
    /// Prepares `features` read from `source` (see [`basemap::prepare`]).
    pub fn new(
        source: &str,
        features: &[Feature],
        notes: Vec<String>,
        attribution: Option<&str>,
    ) -> Result<Prepared, BasemapError> {
        let bounds = basemap::bounds(features).ok_or_else(|| BasemapError::Empty(source.into()))?;
        Ok(Prepared {
            source: source.to_string(),
            levels: basemap::prepare(features),
            counts: basemap::counts(features),
            bounds,
            notes,
            attribution: attribution.map(str::to_string),
            walk: None,
        })
    }

    /// Each level: its lowest zoom, features and stored bytes.
    pub fn level_sizes(&self) -> Vec<(u8, usize, usize)> {
        self.levels
            .iter()
            .map(|l| (l.min_zoom, l.features.len(), l.encode().len()))
            .collect()
    }

    /// What it holds, as stored with it and printed by the command (JSON).
    pub fn summary(&self) -> serde_json::Value {
        let (w, s, e, n) = self.bounds;
        json!({
            "source": self.source,
            "bounds": [w, s, e, n],
            "features": self
                .counts
                .iter()
                .map(|(l, c)| (l.name().to_string(), json!(c)))
                .collect::<serde_json::Map<_, _>>(),
            "levels": self
                .level_sizes()
                .iter()
                .map(|(z, f, b)| json!({ "min_zoom": z, "features": f, "bytes": b }))
                .collect::<Vec<_>>(),
            "notes": self.notes,
            "attribution": self.attribution,
            "walk": self.walk.as_ref().map(Walk::summary),
        })
    }
}

/// Stores `prepared` in place of the stored basemap, audited `basemap.prepare` as `by`'s —
/// after checking that it overlaps the city's district boundaries where any are stored (an
/// extract of another city is refused, naming both boxes). Nothing is written on a refusal.
pub async fn store_prepared(
    store: &dyn Store,
    clock: Clock,
    by: &str,
    prepared: &Prepared,
) -> Result<(), BasemapError> {
    check_within_city(store, prepared).await?;
    let levels = prepared
        .levels
        .iter()
        .map(|l| (l.min_zoom, l.encode()))
        .collect();
    let mut draft =
        crate::client::draft(clock.now_ms(), by, AuditAction::BasemapPrepare, "basemap")
            .change("source", None, prepared.source.as_str())
            .change(
                "features",
                None,
                prepared
                    .counts
                    .iter()
                    .map(|(l, c)| format!("{} {c}", l.name()))
                    .collect::<Vec<_>>()
                    .join(", "),
            );
    if let Some(walk) = &prepared.walk {
        draft = draft.change(
            "walk_city",
            None,
            format!(
                "nodes {}, residents {} ({})",
                walk.city.network.node_count(),
                walk.city.population.len(),
                walk.population_source
            ),
        );
    }
    store
        .replace_basemap(
            &BasemapWrite {
                source: prepared.source.clone(),
                summary: prepared.summary().to_string(),
                levels,
                walk_city: prepared.walk.as_ref().map(|w| w.city.encode()),
                prepared_by: by.to_string(),
            },
            &[draft],
        )
        .await?;
    Ok(())
}

/// Refuses a basemap whose box misses every stored district boundary's (another city's
/// extract); accepts any where no boundary is stored.
pub async fn check_within_city(store: &dyn Store, prepared: &Prepared) -> Result<(), BasemapError> {
    let stored = store.district_boundaries().await?;
    let city = stored
        .iter()
        .flat_map(|b| &b.boundary.polygons)
        .flat_map(|p| &p.exterior)
        .fold(None, |b: Option<(f64, f64, f64, f64)>, pt| {
            let (w, s, e, n) = b.unwrap_or((pt.lon, pt.lat, pt.lon, pt.lat));
            Some((w.min(pt.lon), s.min(pt.lat), e.max(pt.lon), n.max(pt.lat)))
        });
    let Some(city) = city else {
        return Ok(());
    };
    let (w, s, e, n) = prepared.bounds;
    let overlaps = w <= city.2 && e >= city.0 && s <= city.3 && n >= city.1;
    if overlaps {
        return Ok(());
    }
    let range = |(w, s, e, n): (f64, f64, f64, f64)| {
        format!("经度 {w:.3} 至 {e:.3}，纬度 {s:.3} 至 {n:.3}")
    };
    Err(BasemapError::OutsideCity(format!(
        "{}：范围（{}）与本市各县区的边界（{}）不重叠，是否选错了城市的 OSM 文件？未写入任何内容",
        prepared.source,
        range(prepared.bounds),
        range(city)
    )))
}

/// The demo city's basemap, prepared: its generated streets (the same city its coverage pages
/// walk, [`crate::coverage::demo_districts`]). `None` when no project has a location (no city
/// to generate).
pub fn prepare_demo(portfolio: &Portfolio) -> Result<Option<Prepared>, BasemapError> {
    let districts: Vec<_> = crate::coverage::demo_districts(portfolio)
        .into_iter()
        .map(|(_, d)| d)
        .collect();
    if districts.is_empty() {
        return Ok(None);
    }
    let city = jianguan_geo::synthetic::demo_city(&districts, crate::coverage::SEED);
    Prepared::new("示例市生成路网", &city.basemap_features(), Vec::new(), None).map(Some)
}

/// Prepares the demo city's basemap ([`prepare_demo`]) and stores it as `by`'s.
pub async fn store_demo(
    store: &dyn Store,
    clock: Clock,
    by: &str,
    portfolio: &Portfolio,
) -> Result<Option<Prepared>, BasemapError> {
    let Some(prepared) = prepare_demo(portfolio)? else {
        return Ok(None);
    };
    store_prepared(store, clock, by, &prepared).await?;
    Ok(Some(prepared))
}

/// The stored basemap, decoded and indexed, with its revision; `None` when none is stored.
pub async fn load(store: &dyn Store) -> Result<Option<(i64, Basemap)>, StoreError> {
    let Some(info) = store.basemap_info().await? else {
        return Ok(None);
    };
    let stored = store.basemap_levels().await?;
    let levels = stored
        .iter()
        .map(|(zoom, body)| {
            Level::decode(body).map_err(|why| {
                StoreError::Backend(format!("the basemap's level {zoom} is unreadable: {why}"))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let summary: serde_json::Value = serde_json::from_str(&info.summary).unwrap_or_default();
    let text = |v: &serde_json::Value| v.as_str().map(str::to_string);
    let attribution = summary.get("attribution").and_then(text);
    let walk = match store.basemap_walk_city().await? {
        Some(body) => Some(Arc::new(StoredWalk {
            city: WalkCity::decode(&body).map_err(|why| {
                StoreError::Backend(format!("the city's walking inputs are unreadable: {why}"))
            })?,
            network_source: info.source.clone(),
            population_source: text(&summary["walk"]["population_source"]).unwrap_or_default(),
        })),
        None => None,
    };
    Ok(Some((
        info.revision,
        Basemap {
            index: BasemapIndex::new(levels),
            attribution,
            revision: info.revision,
            walk,
        },
    )))
}
