//! Milestone dates: the baseline each project's plan froze, and the day each milestone was
//! actually reached, drawn as day numbers within the demo year.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::catalog::{CATEGORIES, START, TOILET};
use crate::org::{LAGGING, TOILETS_LAST};
use crate::patterns;
use crate::plan::Spec;
use crate::{Day, YEAR_END};
use jianguan_domain::model::PlanKind;

/// A project's ten milestones as day numbers: planned, and reached if it was.
#[derive(Debug, Clone, Copy)]
pub struct Sched {
    /// Baseline planned days.
    pub planned: [Day; 10],
    /// Days reached, if reached by the end of the year.
    pub actual: [Option<Day>; 10],
}

impl Sched {
    /// The last milestone reached by `day`, if any.
    pub fn last_reached(&self, day: Day) -> Option<usize> {
        (0..10)
            .rev()
            .find(|&i| self.actual[i].is_some_and(|a| a <= day))
    }
}

/// Where each milestone falls in a project's planned cycle: approvals are quick, building is
/// most of it.
const CYCLE_SHARE: [f64; 10] = [0.0, 0.05, 0.10, 0.15, 0.20, 0.27, 0.65, 0.82, 0.92, 1.0];

/// The campaign's mobilisation was in February; plans start from then.
const FIRST_START: Day = 31;
/// Plans leave the last fortnight of the year for the year-end check.
const LAST_PLANNED: Day = 350;
/// Toilets are planned to be handed over by the end of September (厕所革命 closing in autumn).
const TOILETS_PLANNED_BY: Day = 272;
/// Every district but one had its toilets done by 31 October.
const TOILETS_DONE_BY: Day = 303;

/// The schedule of one project.
pub fn schedule(spec: &Spec, rng: &mut ChaCha8Rng) -> Sched {
    if let Some(sched) = spec.special.and_then(patterns::schedule) {
        return sched;
    }
    if spec.kind == PlanKind::Preliminary {
        return preliminary(rng);
    }
    let row = &CATEGORIES[spec.cat];
    let start = rng.random_range(FIRST_START..105);
    let last = if spec.cat == TOILET {
        TOILETS_PLANNED_BY
    } else {
        LAST_PLANNED
    };
    let cycle = rng
        .random_range(row.cycle_days.0..=row.cycle_days.1)
        .min(last - start);
    let planned = spread(start, cycle, &CYCLE_SHARE);
    // Unfinished projects were late all along; some others slip a little too, many more in
    // the lagging county.
    let slip = if spec.district == LAGGING { 0.35 } else { 0.1 };
    let late = spec.missed > 0 || rng.random_bool(slip);
    let mut actual = [None; 10];
    let (mut delay, mut prev) = (0, Day::MIN);
    for i in 0..10 - spec.missed {
        delay = if late {
            delay + rng.random_range(0..=3)
        } else {
            -rng.random_range(0..=2)
        };
        let day = (planned[i] + delay).max(prev).min(YEAR_END);
        actual[i] = Some(day);
        prev = day;
    }
    let mut sched = Sched { planned, actual };
    if spec.cat == TOILET {
        finish_toilets(spec.district, &mut sched, rng);
    }
    sched
}

/// A cross-year project: approvals and the start (开工) in 2021, the building in 2022.
fn preliminary(rng: &mut ChaCha8Rng) -> Sched {
    let start = rng.random_range(120..200);
    let ground_broken = rng.random_range(290..335);
    let mut planned = [0; 10];
    let first_six = spread(
        start,
        ground_broken - start,
        &[0.0, 0.2, 0.4, 0.6, 0.8, 1.0],
    );
    planned[..6].copy_from_slice(&first_six);
    let main_works = YEAR_END + rng.random_range(90..150);
    planned[6] = main_works;
    planned[7] = main_works + rng.random_range(40..60);
    planned[8] = planned[7] + rng.random_range(20..30);
    planned[9] = planned[8] + rng.random_range(15..30);
    let mut actual = [None; 10];
    let (mut delay, mut prev) = (0, Day::MIN);
    for i in 0..=START {
        delay += rng.random_range(0..=3);
        let day = (planned[i] + delay).max(prev).min(YEAR_END - 10);
        actual[i] = Some(day);
        prev = day;
    }
    Sched { planned, actual }
}

/// Days from `start` at the given shares of `cycle`, each at least a day after the one before.
fn spread<const N: usize>(start: Day, cycle: Day, shares: &[f64; N]) -> [Day; N] {
    let mut days = [0; N];
    for (i, share) in shares.iter().enumerate() {
        let day = start + (share * cycle as f64).round() as Day;
        days[i] = if i == 0 {
            day
        } else {
            day.max(days[i - 1] + 1)
        };
    }
    days
}

/// The toilet pattern: one district hands its toilets over in November, late; everyone else
/// is done by the end of October.
fn finish_toilets(district: usize, sched: &mut Sched, rng: &mut ChaCha8Rng) {
    if district != TOILETS_LAST {
        for a in sched.actual.iter_mut().flatten() {
            *a = (*a).min(TOILETS_DONE_BY);
        }
        return;
    }
    let mut day = (TOILETS_DONE_BY + rng.random_range(1..=10)).max(sched.actual[6].unwrap_or(0));
    for i in 7..10 {
        sched.actual[i] = Some(day);
        day += rng.random_range(2..=6);
    }
}
