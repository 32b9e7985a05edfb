//! Coverage: the share of residents within a walking threshold of a facility of each type, per
//! district and citywide, as of a date; before/after and each new facility's marginal gain.
//!
//! One multi-source search per facility type (and per date) gives every node its distance to
//! the nearest open facility; a resident's distance is that plus its own snapping distance.
//! All thresholds are read off the same distances.

use std::collections::BTreeMap;

use jiff::civil::Date;

use crate::GeoError;
use crate::inputs::{District, DistrictIndex, Facility, PopulationPoint};
use crate::network::{Network, metres_to_mm};
use crate::paths::{self, Source, UNREACHED, Workspace};
use crate::report::{ChangeRow, CoverageRow, CreditRow, PointDistances, Report, Summary, Warnings};
use crate::snap::{Snap, SnapIndex};

/// Default walking speed in metres per minute (a common planning figure for adults).
pub const DEFAULT_WALKING_SPEED_M_PER_MIN: f64 = 80.0;

/// Default thresholds in metres.
pub const DEFAULT_THRESHOLDS_M: [f64; 7] = [200.0, 300.0, 400.0, 500.0, 800.0, 1000.0, 1200.0];

/// Parses a threshold: metres (`400`, `400m`) or minutes at `speed_m_per_min` (`15min`).
pub fn parse_threshold(text: &str, speed_m_per_min: f64) -> Result<f64, GeoError> {
    let t = text.trim();
    let bad = || {
        GeoError::Config(format!(
            "threshold {text:?}: expected metres (400, 400m) or minutes (15min)"
        ))
    };
    let (number, factor) = if let Some(n) = t.strip_suffix("min") {
        (n, speed_m_per_min)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 1.0)
    } else {
        (t, 1.0)
    };
    let v: f64 = number.trim().parse().map_err(|_| bad())?;
    if !(v.is_finite() && v > 0.0) {
        return Err(bad());
    }
    Ok(v * factor)
}

/// What to compute.
#[derive(Debug, Clone)]
pub struct CoverageSpec {
    /// Thresholds in metres.
    pub thresholds_m: Vec<f64>,
    /// Facility types to report, in order (`None`: every type present, sorted).
    pub types: Option<Vec<String>>,
    /// Farthest a point (resident or facility) may be from its node; `None`: no limit.
    pub snap_limit_m: Option<f64>,
    /// Report date: facilities with `since` after it are not open (`None`: all are).
    pub as_of: Option<Date>,
    /// Baseline date for before/after and credit (`None`: no comparison).
    pub baseline: Option<Date>,
    /// Search cutoff in metres (`None`: the largest threshold).
    pub cutoff_m: Option<f64>,
    /// Whether to fill [`Report::points`].
    pub point_distances: bool,
    /// Also count, for every resident, the facilities of each type within this many metres
    /// (one bounded search per facility; `None`: not counted).
    pub count_within_m: Option<f64>,
}

impl Default for CoverageSpec {
    fn default() -> Self {
        CoverageSpec {
            thresholds_m: DEFAULT_THRESHOLDS_M.to_vec(),
            types: None,
            snap_limit_m: None,
            as_of: None,
            baseline: None,
            cutoff_m: None,
            point_distances: true,
            count_within_m: None,
        }
    }
}

/// Residents snapped to the network and placed in districts, reusable across runs.
#[derive(Debug, Clone)]
pub struct PlacedPopulation {
    /// The points.
    pub points: Vec<PopulationPoint>,
    /// Node and snapping distance (mm) of each point, `None` when unsnapped.
    pub node: Vec<Option<(u32, u32)>>,
    /// District index of each point.
    pub district: Vec<Option<u32>>,
    /// District names.
    pub district_names: Vec<String>,
    /// Counts of what could not be placed.
    pub warnings: Warnings,
}

impl PlacedPopulation {
    /// Snaps the points and finds their districts.
    pub fn new(
        index: &SnapIndex<'_>,
        points: Vec<PopulationPoint>,
        districts: &[District],
        snap_limit_m: Option<f64>,
    ) -> PlacedPopulation {
        let mut warnings = Warnings::default();
        let positions: Vec<(f64, f64)> = points.iter().map(|p| (p.lon, p.lat)).collect();
        let node = index
            .snap_many(&positions, snap_limit_m)
            .into_iter()
            .zip(&points)
            .map(|(s, p)| {
                match s {
                    Snap::OutOfBounds => warnings.population_out_of_bounds += 1,
                    Snap::TooFar { .. } => warnings.population_beyond_snap_limit += 1,
                    Snap::Node { .. } => {}
                }
                if s.node_mm().is_none() {
                    warnings.population_unsnapped += p.population;
                }
                s.node_mm()
            })
            .collect();
        let dindex = DistrictIndex::new(districts);
        let district: Vec<Option<u32>> = points
            .iter()
            .map(|p| dindex.locate(p.lon, p.lat).map(|d| d as u32))
            .collect();
        if !districts.is_empty() {
            warnings.population_outside_districts = district.iter().filter(|d| d.is_none()).count();
        }
        PlacedPopulation {
            points,
            node,
            district,
            district_names: districts.iter().map(|d| d.name.clone()).collect(),
            warnings,
        }
    }
}

/// Facilities snapped to the network: each facility's sources.
#[derive(Debug, Clone)]
pub struct PlacedFacilities<'f> {
    /// The facilities.
    pub facilities: &'f [Facility],
    /// Sources of each facility (empty when none of its points could be snapped).
    pub sources: Vec<Vec<Source>>,
}

impl<'f> PlacedFacilities<'f> {
    /// Snaps every point of every facility. A facility's `Source::facility` is its index.
    pub fn new(
        index: &SnapIndex<'_>,
        facilities: &'f [Facility],
        snap_limit_m: Option<f64>,
    ) -> Self {
        let positions: Vec<(f64, f64)> = facilities
            .iter()
            .flat_map(|f| f.points.iter().copied())
            .collect();
        let mut snapped = index.snap_many(&positions, snap_limit_m).into_iter();
        let sources = facilities
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let mut s: Vec<Source> = snapped
                    .by_ref()
                    .take(f.points.len())
                    .filter_map(|s| s.node_mm())
                    .map(|(node, offset_mm)| Source {
                        node,
                        facility: i as u32,
                        offset_mm,
                    })
                    .collect();
                // A park's boundary nodes often snap to the same street node; keep the nearest.
                s.sort_unstable_by_key(|s| (s.node, s.offset_mm));
                s.dedup_by_key(|s| s.node);
                s
            })
            .collect();
        PlacedFacilities {
            facilities,
            sources,
        }
    }

    /// Sources of the facilities of `kind` open on `date`.
    pub fn sources_of(&self, kind: &str, date: Option<Date>) -> Vec<Source> {
        self.facilities
            .iter()
            .zip(&self.sources)
            .filter(|(f, _)| f.kind == kind && f.open_on(date))
            .flat_map(|(_, s)| s.iter().copied())
            .collect()
    }
}

/// Residents' distances (mm, snapping included) from the node distances.
fn resident_distances(pop: &PlacedPopulation, node_dist: &[u32], cutoff_mm: u32) -> Vec<u32> {
    pop.node
        .iter()
        .map(|n| match *n {
            Some((v, snap)) if node_dist[v as usize] != UNREACHED => {
                let d = node_dist[v as usize].saturating_add(snap);
                if d <= cutoff_mm { d } else { UNREACHED }
            }
            _ => UNREACHED,
        })
        .collect()
}

/// Covered residents per district (last slot: citywide) and threshold, with totals.
fn tally(pop: &PlacedPopulation, dist: &[u32], thresholds_mm: &[u32]) -> (Vec<Vec<f64>>, Vec<f64>) {
    let nd = pop.district_names.len();
    let mut covered = vec![vec![0.0; thresholds_mm.len()]; nd + 1];
    let mut total = vec![0.0; nd + 1];
    for (i, p) in pop.points.iter().enumerate() {
        let slots = [pop.district[i].map(|d| d as usize), Some(nd)];
        for slot in slots.into_iter().flatten() {
            total[slot] += p.population;
            for (t, &tm) in thresholds_mm.iter().enumerate() {
                if dist[i] <= tm {
                    covered[slot][t] += p.population;
                }
            }
        }
    }
    (covered, total)
}

/// Computes the coverage report.
pub fn compute(
    net: &Network,
    pop: &PlacedPopulation,
    fac: &PlacedFacilities<'_>,
    spec: &CoverageSpec,
) -> Result<Report, GeoError> {
    if spec.thresholds_m.is_empty() {
        return Err(GeoError::Config("no thresholds given".into()));
    }
    let thresholds_mm: Vec<u32> = spec.thresholds_m.iter().map(|&m| metres_to_mm(m)).collect();
    let max_t = spec.thresholds_m.iter().copied().fold(0.0, f64::max);
    let cutoff_m = spec.cutoff_m.unwrap_or(max_t).max(max_t);
    let cutoff_mm = metres_to_mm(cutoff_m);
    let types: Vec<String> = match &spec.types {
        Some(t) => t.clone(),
        None => {
            let mut t: Vec<String> = fac.facilities.iter().map(|f| f.kind.clone()).collect();
            t.sort();
            t.dedup();
            t
        }
    };
    let district_label = |slot: usize| pop.district_names.get(slot).cloned();
    let nd = pop.district_names.len();
    let slot_order: Vec<usize> = std::iter::once(nd).chain(0..nd).collect();

    let mut report = Report {
        as_of: spec.as_of,
        baseline: spec.baseline,
        coverage: Vec::new(),
        points: PointDistances {
            ids: if spec.point_distances {
                pop.points.iter().map(|p| p.id.clone()).collect()
            } else {
                Vec::new()
            },
            types: Vec::new(),
            distances_mm: Vec::new(),
            count_within_m: spec.count_within_m.filter(|_| spec.point_distances),
            counts: Vec::new(),
        },
        before_after: Vec::new(),
        credit: Vec::new(),
        summary: Summary {
            nodes: net.node_count(),
            edges: net.edge_count(),
            population_points: pop.points.len(),
            population_total: pop.points.iter().map(|p| p.population).sum(),
            facilities: Vec::new(),
            cutoff_m,
        },
        warnings: pop.warnings.clone(),
    };
    report.warnings.facilities_unsnapped = fac
        .facilities
        .iter()
        .zip(&fac.sources)
        .filter(|(_, s)| s.is_empty())
        .map(|(f, _)| f.id.clone())
        .collect();

    let mut node_dist = vec![UNREACHED; net.node_count()];
    let mut ws = Workspace::default();
    for kind in &types {
        let sources = fac.sources_of(kind, spec.as_of);
        let open = fac
            .facilities
            .iter()
            .filter(|f| &f.kind == kind && f.open_on(spec.as_of))
            .count();
        report.summary.facilities.push((kind.clone(), open));
        paths::nearest_distances_into(net, &sources, cutoff_mm, &mut node_dist, &mut ws);
        let after = resident_distances(pop, &node_dist, cutoff_mm);
        let (covered, total) = tally(pop, &after, &thresholds_mm);
        for (t, &tm) in spec.thresholds_m.iter().enumerate() {
            for &slot in &slot_order {
                report.coverage.push(CoverageRow {
                    kind: kind.clone(),
                    threshold_m: tm,
                    district: district_label(slot),
                    population_covered: covered[slot][t],
                    population_total: total[slot],
                    share: if total[slot] > 0.0 {
                        covered[slot][t] / total[slot]
                    } else {
                        0.0
                    },
                });
            }
        }
        if spec.point_distances {
            report.points.types.push(kind.clone());
            report.points.distances_mm.push(after);
            if let Some(within) = report.points.count_within_m {
                let own: Vec<Vec<Source>> = fac
                    .facilities
                    .iter()
                    .zip(&fac.sources)
                    .filter(|(f, _)| &f.kind == kind && f.open_on(spec.as_of))
                    .map(|(_, s)| s.clone())
                    .collect();
                report.points.counts.push(paths::count_within(
                    net,
                    &own,
                    &pop.node,
                    metres_to_mm(within),
                ));
            }
        }
        let Some(baseline) = spec.baseline else {
            continue;
        };
        let new: Vec<usize> = fac
            .facilities
            .iter()
            .enumerate()
            .filter(|(_, f)| &f.kind == kind && f.open_on(spec.as_of) && !f.open_on(Some(baseline)))
            .map(|(i, _)| i)
            .collect();
        paths::nearest_distances_into(
            net,
            &fac.sources_of(kind, Some(baseline)),
            cutoff_mm,
            &mut node_dist,
            &mut ws,
        );
        let before = resident_distances(pop, &node_dist, cutoff_mm);
        let (covered_before, _) = tally(pop, &before, &thresholds_mm);
        for (t, &tm) in spec.thresholds_m.iter().enumerate() {
            for &slot in &slot_order {
                report.before_after.push(ChangeRow {
                    kind: kind.clone(),
                    threshold_m: tm,
                    district: district_label(slot),
                    covered_before: covered_before[slot][t],
                    covered_after: covered[slot][t],
                    population_total: total[slot],
                    gain: covered[slot][t] - covered_before[slot][t],
                    new_facilities: new.len(),
                });
            }
        }
        if !new.is_empty() {
            let gains = marginal_gains(net, pop, &sources, cutoff_mm, &thresholds_mm);
            for &f in &new {
                let facility = &fac.facilities[f];
                for (t, &tm) in spec.thresholds_m.iter().enumerate() {
                    report.credit.push(CreditRow {
                        facility: facility.id.clone(),
                        name: facility.name.clone(),
                        kind: kind.clone(),
                        since: facility.since,
                        threshold_m: tm,
                        newly_covered: gains.get(&(f as u32)).map_or(0.0, |g| g[t]),
                    });
                }
            }
        }
    }
    Ok(report)
}

/// For every facility among `sources`: the residents within each threshold of it and of no
/// other facility among `sources` (its marginal gain), keyed by `Source::facility`.
pub fn marginal_gains(
    net: &Network,
    pop: &PlacedPopulation,
    sources: &[Source],
    cutoff_mm: u32,
    thresholds_mm: &[u32],
) -> BTreeMap<u32, Vec<f64>> {
    let best = paths::two_nearest(net, sources, cutoff_mm);
    let mut gains: BTreeMap<u32, Vec<f64>> = BTreeMap::new();
    for (p, n) in pop.points.iter().zip(&pop.node) {
        let Some((v, snap)) = *n else { continue };
        let b = best[v as usize];
        let Some((f, d1)) = b.first else { continue };
        let d1 = d1.saturating_add(snap);
        let d2 = b.second.map_or(UNREACHED, |(_, d)| d.saturating_add(snap));
        for (t, &tm) in thresholds_mm.iter().enumerate() {
            if d1 <= tm && d2 > tm {
                gains
                    .entry(f)
                    .or_insert_with(|| vec![0.0; thresholds_mm.len()])[t] += p.population;
            }
        }
    }
    gains
}
