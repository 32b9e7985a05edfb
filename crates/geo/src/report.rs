//! The result of a coverage run, as serialised to JSON (and written to GeoJSON and Excel).

use jiff::civil::Date;
use serde::Serialize;

/// Everything a coverage run found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The date the coverage is for (`None`: every facility counts).
    pub as_of: Option<Date>,
    /// The baseline date of `before_after` and `credit` (`None`: no comparison made).
    pub baseline: Option<Date>,
    /// Coverage as of `as_of`, per type × threshold × district, and citywide (`district` null).
    pub coverage: Vec<CoverageRow>,
    /// Per population point and type: walking distance to the nearest facility in metres
    /// (snapping included), `null` when beyond the search cutoff or not snapped. Serialised
    /// as an array of [`PointDistance`].
    pub points: PointDistances,
    /// Coverage at the baseline and at `as_of`, and the residents gained.
    pub before_after: Vec<ChangeRow>,
    /// For each facility opened after the baseline: the residents it alone covers.
    pub credit: Vec<CreditRow>,
    /// Sizes of the inputs.
    pub summary: Summary,
    /// What could not be used, counted.
    pub warnings: Warnings,
}

/// Coverage of one facility type within one threshold in one district (or the whole city).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoverageRow {
    /// Facility type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Threshold in metres of walking.
    pub threshold_m: f64,
    /// District name; `None` (null) for the whole city.
    pub district: Option<String>,
    /// Residents within the threshold.
    pub population_covered: f64,
    /// All residents (including those that could not be snapped).
    pub population_total: f64,
    /// `population_covered / population_total` (0 when there are no residents).
    pub share: f64,
}

/// One population point's distance to the nearest facility of a type (a view into
/// [`PointDistances`], the form it takes in JSON).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PointDistance<'a> {
    /// The point's id.
    pub id: &'a str,
    /// Facility type.
    #[serde(rename = "type")]
    pub kind: &'a str,
    /// Metres, or `None` when unreachable within the cutoff or unsnapped.
    pub distance_m: Option<f64>,
    /// Facilities of the type within [`PointDistances::count_within_m`] (only when counted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facilities_within: Option<u32>,
}

/// Distances of every population point to every type, stored as one `u32` of millimetres per
/// point and type: at two million points × six types a row of strings per pair would cost
/// hundreds of megabytes; this costs 4 bytes a pair.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PointDistances {
    /// Point ids, in population order.
    pub ids: Vec<String>,
    /// Facility types, in report order.
    pub types: Vec<String>,
    /// `distances_mm[type][point]`, [`crate::paths::UNREACHED`] for none.
    pub distances_mm: Vec<Vec<u32>>,
    /// The distance within which facilities were counted (`None`: not counted).
    pub count_within_m: Option<f64>,
    /// `counts[type][point]`: facilities of the type within `count_within_m` (empty when not
    /// counted).
    pub counts: Vec<Vec<u32>>,
}

impl PointDistances {
    /// Distance in metres of point `point` to the nearest facility of type number `kind`.
    pub fn distance_m(&self, kind: usize, point: usize) -> Option<f64> {
        let d = *self.distances_mm.get(kind)?.get(point)?;
        (d != crate::paths::UNREACHED).then(|| f64::from(d) / 1000.0)
    }

    /// Distances of every point to type `kind` (in metres, `None` when unknown).
    pub fn of_type(&self, kind: &str) -> Option<Vec<Option<f64>>> {
        let t = self.types.iter().position(|k| k == kind)?;
        Some((0..self.ids.len()).map(|i| self.distance_m(t, i)).collect())
    }

    /// Every (point, type) pair, type by type.
    pub fn iter(&self) -> impl Iterator<Item = PointDistance<'_>> {
        self.types.iter().enumerate().flat_map(move |(t, kind)| {
            self.ids
                .iter()
                .enumerate()
                .map(move |(i, id)| PointDistance {
                    id,
                    kind,
                    distance_m: self.distance_m(t, i),
                    facilities_within: self.counts.get(t).and_then(|c| c.get(i)).copied(),
                })
        })
    }

    /// Number of (point, type) pairs.
    pub fn len(&self) -> usize {
        self.distances_mm.len() * self.ids.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Serialize for PointDistances {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

/// Coverage before and after, for one type × threshold × district (or the city).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeRow {
    /// Facility type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Threshold in metres.
    pub threshold_m: f64,
    /// District name; `None` for the whole city.
    pub district: Option<String>,
    /// Residents covered at the baseline.
    pub covered_before: f64,
    /// Residents covered as of the report date.
    pub covered_after: f64,
    /// All residents.
    pub population_total: f64,
    /// `covered_after - covered_before`: what the facilities opened in between brought together.
    pub gain: f64,
    /// Facilities of the type opened in between.
    pub new_facilities: usize,
}

/// The residents a facility covers that no other facility of its type covers (its marginal
/// gain), within one threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreditRow {
    /// Facility id (a project code for a project's facility).
    pub facility: String,
    /// Facility name, when known.
    pub name: Option<String>,
    /// Facility type.
    #[serde(rename = "type")]
    pub kind: String,
    /// First day it served residents.
    pub since: Option<Date>,
    /// Threshold in metres.
    pub threshold_m: f64,
    /// Residents within the threshold of this facility and of no other open on the report date.
    pub newly_covered: f64,
}

/// Sizes of the inputs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Network nodes.
    pub nodes: usize,
    /// Network edges (undirected).
    pub edges: usize,
    /// Population points.
    pub population_points: usize,
    /// Residents in all points.
    pub population_total: f64,
    /// Facilities per type open on the report date, `(type, count)`.
    pub facilities: Vec<(String, usize)>,
    /// Search cutoff in metres (distances beyond are null).
    pub cutoff_m: f64,
}

/// Inputs that could not be used, counted so that none is silently dropped.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Warnings {
    /// Population points outside the network's bounds.
    pub population_out_of_bounds: usize,
    /// Population points farther than the snap limit from every node.
    pub population_beyond_snap_limit: usize,
    /// Residents in the two groups above (counted in totals, never covered).
    pub population_unsnapped: f64,
    /// Population points in no district (counted only citywide).
    pub population_outside_districts: usize,
    /// Facilities none of whose points could be snapped, by id.
    pub facilities_unsnapped: Vec<String>,
    /// Further notes (e.g. OSM relations not used).
    pub notes: Vec<String>,
}
