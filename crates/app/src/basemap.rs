//! The offline basemap (底图, issue 19): roads, railways, water, green areas and place names
//! under every map, prepared once — from the city's own OpenStreetMap extract by
//! `jianguan basemap --osm`, or from the demo city's generated streets by the demo seed — into
//! the levels of detail of [`jianguan_geo::basemap`], checked against the city's district
//! boundaries, and stored in one audited transaction. Nodes read it back once per revision
//! ([`crate::portfolio::App::basemap`]).

use jianguan_audit::AuditAction;
use jianguan_domain::model::Portfolio;
use jianguan_domain::store::{BasemapWrite, Store, StoreError};
use jianguan_geo::basemap::{self, BasemapIndex, Feature, Layer, Level};
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
    let draft = crate::client::draft(clock.now_ms(), by, AuditAction::BasemapPrepare, "basemap")
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
    store
        .replace_basemap(
            &BasemapWrite {
                source: prepared.source.clone(),
                summary: prepared.summary().to_string(),
                levels,
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
    let attribution = summary
        .get("attribution")
        .and_then(serde_json::Value::as_str)
        .map(str::to_string);
    Ok(Some((
        info.revision,
        Basemap {
            index: BasemapIndex::new(levels),
            attribution,
        },
    )))
}
