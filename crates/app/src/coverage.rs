//! Walking coverage of the campaign's facilities (issue 8) as the web pages show it: the
//! portfolio's finished parks, toilets, neighbourhood centres and car parks become facilities
//! opened on the day their plan completed, placed on a street network with residents, and
//! coverage is computed at the start of the campaign year and on the as-of day, with each new
//! facility's marginal gain.
//!
//! The network is the city's own where one is stored with the basemap
//! ([`crate::basemap::StoredWalk`], from `jianguan basemap --osm … --population …`): its streets,
//! the facilities its OpenStreetMap tags name, its residents, its districts as their stored
//! boundaries. Otherwise it is generated ([`jianguan_geo::synthetic::demo_city`]) for a
//! portfolio whose projects have locations: its districts are placed at the mean location of
//! their projects, and bounded by their stored boundaries where they have one (else by the
//! generated Voronoi cells, which the demo seed stores: [`crate::districts::demo_boundaries`]).
//! The pages say which.
//!
//! The city (network, residents, facilities, all snapped) is built once per data version
//! ([`Coverage::build`], cached by [`crate::App::coverage`]); each (baseline, as-of) pair's
//! report is computed on first use and kept with it. Both run on the blocking pool.

use std::sync::Arc;

use jianguan_domain::Date;
use jianguan_domain::model::{Portfolio, ProjectId, UnitId, UnitKind};
use jianguan_domain::rates;
use jianguan_geo::coverage::{CoverageSpec, DEFAULT_THRESHOLDS_M, PlacedFacilities};
use jianguan_geo::paths::Source;
use jianguan_geo::synthetic::{DemoDistrict, demo_city};
use jianguan_geo::walk_city::DEFAULT_CELL_M;
use jianguan_geo::{District, Facility, GeoError, Network, PlacedPopulation, Report};

use crate::Snapshot;
use crate::basemap::StoredWalk;

/// A facility type the campaign builds: the geo crate's type, what people call it, the measure
/// word it is counted with, and the category codes whose finished projects are one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FacilityType {
    /// The geo crate's facility type (its tag table's `type`).
    pub kind: &'static str,
    /// Its Chinese name.
    pub label: &'static str,
    /// The measure word it is counted with (个, 座).
    pub measure: &'static str,
    /// The category codes whose projects build one.
    pub categories: &'static [&'static str],
}

/// The facility types, in the order the pages list them.
pub const TYPES: [FacilityType; 4] = [
    FacilityType {
        kind: "park",
        label: "公园绿地",
        measure: "个",
        categories: &["park_greenway"],
    },
    FacilityType {
        kind: "toilet",
        label: "公厕",
        measure: "座",
        categories: &["public_toilet"],
    },
    FacilityType {
        kind: "neighbourhood_centre",
        label: "邻里中心",
        measure: "个",
        categories: &["neighbourhood_centre"],
    },
    FacilityType {
        kind: "parking",
        label: "停车场",
        measure: "个",
        categories: &["parking"],
    },
];

/// The type of a geo facility type code.
pub fn facility_type(kind: &str) -> Option<&'static FacilityType> {
    TYPES.iter().find(|t| t.kind == kind)
}

/// The facility type a category's projects build, by category code.
pub fn kind_of_category(code: &str) -> Option<&'static str> {
    TYPES
        .iter()
        .find(|t| t.categories.contains(&code))
        .map(|t| t.kind)
}

/// Walking speed for thresholds given in minutes (issue 8: 80 m a minute).
pub const WALKING_SPEED_M_PER_MIN: f64 = 80.0;

/// The thresholds in metres (issue 8); 10 and 15 minutes at 80 m/min are 800 and 1200 m.
pub const THRESHOLDS_M: [f64; 7] = DEFAULT_THRESHOLDS_M;

/// How far the searches go: beyond the largest threshold, so the map can colour residents
/// between 1.2 and 2.4 km apart from those farther away.
pub const CUTOFF_M: f64 = 2400.0;

/// Residents and facilities of a real city farther than this from its walking network (metres)
/// are not placed on it (they are counted on the page instead): a 200–250 m limit is usual for
/// grids of residents on an OpenStreetMap network.
pub const SNAP_LIMIT_M: f64 = 250.0;

/// The seed of the generated network: the same portfolio always gives the same city.
pub const SEED: u64 = 0x4A47_2021;

/// A threshold as people say it: 10分钟 and 15分钟 for 800 and 1200 m, else 400米.
pub fn threshold_label(metres: f64) -> String {
    let minutes = metres / WALKING_SPEED_M_PER_MIN;
    if (minutes == 10.0 || minutes == 15.0) && metres >= 800.0 {
        format!("{minutes:.0}分钟")
    } else {
        format!("{metres:.0}米")
    }
}

/// The facility id of a project's facility.
pub fn facility_id(project: ProjectId) -> String {
    format!("project:{}", project.0)
}

/// The project a facility id names, if it is one of the portfolio's.
pub fn project_of(facility_id: &str) -> Option<ProjectId> {
    facility_id
        .strip_prefix("project:")
        .and_then(|id| id.parse().ok())
        .map(ProjectId)
}

/// The districts of the demo city as the generator needs them, with their units: each
/// district with located projects is centred at their mean location, and sized by its share of
/// the located projects (the demo gives a district projects in proportion to its size), within
/// 0.6–1.5 of a typical one.
pub fn demo_districts(portfolio: &Portfolio) -> Vec<(UnitId, DemoDistrict)> {
    let located: Vec<(UnitId, f64, f64, usize)> = portfolio
        .units_of(UnitKind::District)
        .filter_map(|u| {
            let (mut lon, mut lat, mut n) = (0.0, 0.0, 0usize);
            for p in portfolio.projects.iter().filter(|p| p.district == u.id) {
                if let Some(g) = p.location {
                    lon += g.lon;
                    lat += g.lat;
                    n += 1;
                }
            }
            (n > 0).then(|| (u.id, lon / n as f64, lat / n as f64, n))
        })
        .collect();
    if located.is_empty() {
        return Vec::new();
    }
    let mean = located.iter().map(|d| d.3).sum::<usize>() as f64 / located.len() as f64;
    located
        .into_iter()
        .map(|(id, lon, lat, n)| {
            (
                id,
                DemoDistrict {
                    name: portfolio.unit_name(id).to_string(),
                    centre: (lon, lat),
                    size: (n as f64 / mean).clamp(0.6, 1.5),
                },
            )
        })
        .collect()
}

/// The portfolio's facilities: every located project of a facility category whose last plan
/// year is complete, open from the day that plan was completed (its last milestone's actual
/// date). Whether it is open on a given day is [`Facility::open_on`], which is the same as
/// "its plan was complete as of that day".
pub fn project_facilities(portfolio: &Portfolio) -> Vec<Facility> {
    portfolio
        .projects
        .iter()
        .filter_map(|p| {
            let code = &portfolio.category(p.category)?.code;
            let kind = kind_of_category(code)?;
            let location = p.location?;
            let (_, last_year) = p.years()?;
            let since = rates::annual_plan_completed_on(p, last_year, Date::MAX)?;
            Some(Facility {
                id: facility_id(p.id),
                kind: kind.to_string(),
                points: vec![(location.lon, location.lat)],
                since: Some(since),
                name: Some(p.name.clone()),
            })
        })
        .collect()
}

/// Where a city's network, residents and original facilities come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Generated around the projects' locations (the demo city).
    Generated,
    /// The city's own, stored with the basemap.
    Stored {
        /// The OpenStreetMap extract of the network and facilities.
        network: String,
        /// Where the residents came from.
        population: String,
    },
}

/// The city with everything snapped, ready for a report at any dates.
#[derive(Debug)]
pub struct City {
    /// Where its network and residents come from.
    pub origin: Origin,
    /// The side of a population cell in metres (how the maps draw residents).
    pub cell_m: f64,
    /// The walking network.
    pub network: Network,
    /// District boundaries, in the order of `district_units`.
    pub districts: Vec<District>,
    /// The unit of each district.
    pub district_units: Vec<UnitId>,
    /// Residents, snapped and placed in districts.
    pub population: PlacedPopulation,
    /// Facilities: the city's baseline ones of [`TYPES`], then the projects'.
    pub facilities: Vec<Facility>,
    /// Each facility's sources on the network.
    sources: Vec<Vec<Source>>,
}

impl City {
    /// The city of `portfolio`: its own walking inputs where `walk` holds them, else generated
    /// (`None`: no project has a location to generate it around).
    pub fn build(portfolio: &Portfolio, walk: Option<&StoredWalk>) -> Option<City> {
        match walk {
            Some(walk) => Some(City::walk(portfolio, walk)),
            None => City::generate(portfolio),
        }
    }

    /// The city's own: its network, its facilities and the projects', its residents, and the
    /// districts with a stored boundary.
    fn walk(portfolio: &Portfolio, walk: &StoredWalk) -> City {
        let (district_units, districts): (Vec<UnitId>, Vec<District>) = portfolio
            .units_of(UnitKind::District)
            .filter_map(|u| {
                let stored = portfolio.boundary(u.id)?;
                Some((
                    u.id,
                    District::from_coordinates(u.name.clone(), stored.coordinates()),
                ))
            })
            .unzip();
        let mut facilities = walk.city.facilities.clone();
        facilities.extend(project_facilities(portfolio));
        let network = walk.city.network.clone();
        let index = jianguan_geo::snap::SnapIndex::new(&network);
        let population = PlacedPopulation::new(
            &index,
            walk.city.population.clone(),
            &districts,
            Some(SNAP_LIMIT_M),
        );
        let sources = PlacedFacilities::new(&index, &facilities, Some(SNAP_LIMIT_M)).sources;
        drop(index);
        City {
            origin: Origin::Stored {
                network: walk.network_source.clone(),
                population: walk.population_source.clone(),
            },
            cell_m: walk.city.cell_m,
            network,
            districts,
            district_units,
            population,
            facilities,
            sources,
        }
    }

    /// Generates the city of `portfolio` (`None`: no project has a location).
    fn generate(portfolio: &Portfolio) -> Option<City> {
        let districts = demo_districts(portfolio);
        if districts.is_empty() {
            return None;
        }
        let (district_units, demo): (Vec<UnitId>, Vec<DemoDistrict>) =
            districts.into_iter().unzip();
        let mut city = demo_city(&demo, SEED);
        // A district with a stored boundary is drawn and counted by it (the demo seed stores
        // the cells generated here, rounded to a centimetre, so the two agree).
        for (district, unit) in city.districts.iter_mut().zip(&district_units) {
            if let Some(stored) = portfolio.boundary(*unit) {
                *district = District::from_coordinates(district.name.clone(), stored.coordinates());
            }
        }
        let mut facilities: Vec<Facility> = city
            .facilities
            .into_iter()
            .filter(|f| facility_type(&f.kind).is_some())
            .collect();
        facilities.extend(project_facilities(portfolio));
        let index = jianguan_geo::snap::SnapIndex::new(&city.network);
        let population = PlacedPopulation::new(&index, city.population, &city.districts, None);
        let sources = PlacedFacilities::new(&index, &facilities, None).sources;
        drop(index);
        Some(City {
            origin: Origin::Generated,
            cell_m: DEFAULT_CELL_M,
            network: city.network,
            districts: city.districts,
            district_units,
            population,
            facilities,
            sources,
        })
    }

    /// Coverage of [`TYPES`] within [`THRESHOLDS_M`] as of `as_of`, compared with `baseline`.
    pub fn report(&self, baseline: Date, as_of: Date) -> Result<Report, GeoError> {
        let placed = PlacedFacilities {
            facilities: &self.facilities,
            sources: self.sources.clone(),
        };
        let spec = CoverageSpec {
            thresholds_m: THRESHOLDS_M.to_vec(),
            types: Some(TYPES.iter().map(|t| t.kind.to_string()).collect()),
            snap_limit_m: None,
            as_of: Some(as_of),
            baseline: Some(baseline.min(as_of)),
            cutoff_m: Some(CUTOFF_M),
            point_distances: true,
            count_within_m: None,
        };
        jianguan_geo::compute(&self.network, &self.population, &placed, &spec)
    }

    /// The index of a district unit among [`City::districts`].
    pub fn district_index(&self, unit: UnitId) -> Option<usize> {
        self.district_units.iter().position(|u| *u == unit)
    }

    /// Which residents (in the order of [`City::population`]) live within `threshold_m` on
    /// foot of `project`'s facility of type `kind`, measured as the reports measure (the
    /// resident's snapping distance added); `None` when the project opened no such facility
    /// or it could not be placed on the network.
    pub fn within_reach_of(
        &self,
        project: ProjectId,
        kind: &str,
        threshold_m: f64,
    ) -> Option<Vec<bool>> {
        let id = facility_id(project);
        let i = self
            .facilities
            .iter()
            .position(|f| f.id == id && f.kind == kind)?;
        let sources = self.sources.get(i).filter(|s| !s.is_empty())?;
        let limit_mm = (threshold_m * 1000.0).round() as u32;
        let dist = jianguan_geo::paths::nearest_distances(&self.network, sources, limit_mm);
        Some(
            self.population
                .node
                .iter()
                .map(|at| {
                    at.is_some_and(|(node, snap_mm)| {
                        let d = dist[node as usize];
                        d != jianguan_geo::paths::UNREACHED && d.saturating_add(snap_mm) <= limit_mm
                    })
                })
                .collect(),
        )
    }
}

/// Why coverage could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum CoverageError {
    /// The computation failed (a bad setting; not expected with the built-in ones).
    #[error("coverage: {0}")]
    Geo(#[from] GeoError),
    /// The blocking task panicked or was cancelled.
    #[error("coverage task: {0}")]
    Task(String),
    /// The stored walking inputs could not be read.
    #[error(transparent)]
    Store(#[from] jianguan_domain::store::StoreError),
}

/// Reports kept per data version; older pairs are dropped beyond this many.
const REPORTS_KEPT: usize = 8;

/// Reports computed so far, by (baseline, as-of), oldest first.
type Reports = Vec<((Date, Date), Arc<Report>)>;

/// Coverage at one data version: the city (if the portfolio has one) and the reports computed
/// so far, by (baseline, as-of).
#[derive(Debug)]
pub struct Coverage {
    /// The data version of the records the city was built from (`Snapshot::records_version`).
    pub version: i64,
    /// The revision of the basemap whose walking inputs it walks (`None`: generated).
    pub walk_revision: Option<i64>,
    /// The city; `None` when no project has a location.
    pub city: Option<City>,
    reports: tokio::sync::Mutex<Reports>,
}

impl Coverage {
    /// Builds the city of `snapshot`'s portfolio on the blocking pool, on the walking inputs
    /// of the basemap of `walk_revision` when given.
    pub async fn build(
        snapshot: Arc<Snapshot>,
        walk: Option<(i64, Arc<StoredWalk>)>,
    ) -> Result<Arc<Coverage>, CoverageError> {
        let version = snapshot.records_version;
        let walk_revision = walk.as_ref().map(|(r, _)| *r);
        let city = tokio::task::spawn_blocking(move || {
            City::build(&snapshot.portfolio, walk.as_ref().map(|(_, w)| w.as_ref()))
        })
        .await
        .map_err(|e| CoverageError::Task(e.to_string()))?;
        Ok(Arc::new(Coverage {
            version,
            walk_revision,
            city,
            reports: tokio::sync::Mutex::new(Vec::new()),
        }))
    }

    /// The report for `baseline` and `as_of` (`None` without a city), computed on first use.
    pub async fn report(
        self: &Arc<Self>,
        baseline: Date,
        as_of: Date,
    ) -> Result<Option<Arc<Report>>, CoverageError> {
        if self.city.is_none() {
            return Ok(None);
        }
        let mut reports = self.reports.lock().await;
        if let Some((_, r)) = reports.iter().find(|(k, _)| *k == (baseline, as_of)) {
            return Ok(Some(r.clone()));
        }
        let me = self.clone();
        let report = tokio::task::spawn_blocking(move || {
            me.city
                .as_ref()
                .map(|c| c.report(baseline, as_of))
                .transpose()
        })
        .await
        .map_err(|e| CoverageError::Task(e.to_string()))??
        .map(Arc::new);
        if let Some(r) = &report {
            if reports.len() >= REPORTS_KEPT {
                reports.remove(0);
            }
            reports.push(((baseline, as_of), r.clone()));
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_in_minutes_are_named_as_minutes() {
        assert_eq!(threshold_label(800.0), "10分钟");
        assert_eq!(threshold_label(1200.0), "15分钟");
        assert_eq!(threshold_label(400.0), "400米");
    }

    #[test]
    fn facility_categories_map_to_geo_types() {
        assert_eq!(kind_of_category("park_greenway"), Some("park"));
        assert_eq!(kind_of_category("public_toilet"), Some("toilet"));
        assert_eq!(
            kind_of_category("neighbourhood_centre"),
            Some("neighbourhood_centre")
        );
        assert_eq!(kind_of_category("parking"), Some("parking"));
        assert_eq!(kind_of_category("old_community"), None);
        assert_eq!(project_of(&facility_id(ProjectId(42))), Some(ProjectId(42)));
        assert_eq!(project_of("base-park-1"), None);
    }
}
