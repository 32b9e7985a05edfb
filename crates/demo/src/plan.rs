//! The annual plan before any detail: which district each project lies in, which projects stay
//! unfinished at year end and by how many milestones, and the twelve preliminary-only projects.

use jianguan_domain::model::PlanKind;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::catalog::{CATEGORIES, PARK, ROAD, VILLAGE, WATER};
use crate::org::{DISTRICTS, LAGGING};
use crate::patterns::{self, Special};

/// A project as planned: where it is, what its year is, how it ends.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// Index in [`CATEGORIES`].
    pub cat: usize,
    /// Index in [`DISTRICTS`].
    pub district: usize,
    /// Construction for the annual projects, preliminary for the twelve cross-year starts.
    pub kind: PlanKind,
    /// Milestones at the end of the template not reached by 31 December; 0 when finished.
    pub missed: usize,
    /// The problem pattern the project carries, if any.
    pub special: Option<Special>,
}

/// The twelve projects only in preliminary work or starting across the year
/// (开展前期或跨年开工), as (category, district).
const PRELIMINARY: [(usize, usize); 12] = [
    (PARK, 0),
    (PARK, 4),
    (PARK, 8),
    (PARK, 2),
    (ROAD, 1),
    (ROAD, 3),
    (ROAD, 6),
    (ROAD, 5),
    (WATER, 3),
    (WATER, 7),
    (VILLAGE, 2),
    (VILLAGE, 6),
];

// How many milestones an unfinished project misses, taken in turn. Most miss only 移交管养;
// the lagging county's projects miss more. Cycling (rather than drawing) pins the node
// completion rate near 98.9%, which the speech rounds to 99%.
const MISSED_LAGGING: [usize; 10] = [1, 2, 1, 3, 1, 2, 1, 1, 2, 1];
const MISSED_OTHERS: [usize; 10] = [1, 1, 1, 2, 1, 1, 1, 1, 1, 1];

/// Every project's spec, category by category, then the preliminary-only projects.
pub fn specs(rng: &mut ChaCha8Rng) -> Vec<Spec> {
    let specials = patterns::specials();
    let (mut lagging_turn, mut others_turn) = (0, 0);
    let mut out = Vec::new();
    for (cat, row) in CATEGORIES.iter().enumerate() {
        let pinned: Vec<Spec> = specials.iter().filter(|s| s.cat == cat).copied().collect();
        let counts = allocate(row.planned - pinned.len(), rng);
        let mut specs: Vec<Spec> = counts
            .iter()
            .enumerate()
            .flat_map(|(district, n)| {
                std::iter::repeat_n(
                    Spec {
                        cat,
                        district,
                        kind: PlanKind::Construction,
                        missed: 0,
                        special: None,
                    },
                    *n,
                )
            })
            .collect();
        let pinned_unfinished = pinned.iter().filter(|s| s.missed > 0).count();
        let unfinished = row.planned - row.finished - pinned_unfinished;
        for i in weighted_sample(&specs, unfinished, rng) {
            let turn = if specs[i].district == LAGGING {
                &mut lagging_turn
            } else {
                &mut others_turn
            };
            let cycle = if specs[i].district == LAGGING {
                MISSED_LAGGING
            } else {
                MISSED_OTHERS
            };
            specs[i].missed = cycle[*turn % cycle.len()];
            *turn += 1;
        }
        specs.extend(pinned);
        // The ledger lists a category district by district.
        specs.sort_by_key(|s| s.district);
        out.extend(specs);
    }
    out.extend(PRELIMINARY.iter().map(|&(cat, district)| Spec {
        cat,
        district,
        kind: PlanKind::Preliminary,
        missed: 0,
        special: None,
    }));
    out
}

/// Splits `n` projects over the districts by size, with some jitter so categories differ.
fn allocate(n: usize, rng: &mut ChaCha8Rng) -> Vec<usize> {
    let shares: Vec<f64> = DISTRICTS
        .iter()
        .map(|d| d.size * rng.random_range(0.75..1.25))
        .collect();
    let total: f64 = shares.iter().sum();
    let exact: Vec<f64> = shares.iter().map(|s| n as f64 * s / total).collect();
    let mut counts: Vec<usize> = exact.iter().map(|x| x.floor() as usize).collect();
    // Largest remainders take the projects flooring left over.
    let mut order: Vec<usize> = (0..counts.len()).collect();
    order.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())));
    let left = n - counts.iter().sum::<usize>();
    for &i in order.iter().take(left) {
        counts[i] += 1;
    }
    counts
}

/// Picks `k` specs without replacement, each district's chance weighted by its lag
/// (Efraimidis–Spirakis keys: the largest `u^(1/w)` win).
fn weighted_sample(specs: &[Spec], k: usize, rng: &mut ChaCha8Rng) -> Vec<usize> {
    let mut keyed: Vec<(f64, usize)> = specs
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let u: f64 = rng.random();
            (u.powf(1.0 / DISTRICTS[s.district].lag), i)
        })
        .collect();
    keyed.sort_by(|a, b| b.0.total_cmp(&a.0));
    keyed.into_iter().take(k).map(|(_, i)| i).collect()
}
