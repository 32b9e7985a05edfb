//! The project ledger: each spec becomes a project with its units, name, scale, money, place and
//! milestones, and the investment it reports as done by 31 December.

use jianguan_domain::model::{
    CategoryId, GeoPoint, Milestone, MilestoneId, Money, PlanKind, Project, ProjectId, YearPlan,
};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::catalog::{ALLEY, ALLEY_INVESTMENT_WAN, CATEGORIES, STEPS};
use crate::names::{self, Namer};
use crate::org::{DISTRICTS, Org};
use crate::patterns::{self, Special};
use crate::plan::Spec;
use crate::schedule::{self, Sched};
use crate::{DEMO_YEAR, date_of};

/// The ledger and what the reports need to tell its story.
pub struct Ledger {
    /// The projects, in spec order.
    pub projects: Vec<Project>,
    /// Each project's schedule as day numbers.
    pub scheds: Vec<Sched>,
    /// Each project's investment to date at the end of the year, in 元.
    pub year_end_investment: Vec<i64>,
}

/// Builds every project from its spec.
pub fn build(org: &Org, specs: &[Spec], rng: &mut ChaCha8Rng) -> Ledger {
    let mut namer = Namer::default();
    let mut nth_in_category = [0; CATEGORIES.len()];
    let mut next_milestone = 1;
    let mut ledger = Ledger {
        projects: Vec::with_capacity(specs.len()),
        scheds: Vec::with_capacity(specs.len()),
        year_end_investment: Vec::with_capacity(specs.len()),
    };
    let mut year_end_wan = Vec::with_capacity(specs.len());
    for (i, spec) in specs.iter().enumerate() {
        let nth = nth_in_category[spec.cat];
        nth_in_category[spec.cat] += 1;
        let row = &CATEGORIES[spec.cat];
        let district = &DISTRICTS[spec.district];
        let mut street = rng.random_range(0..district.streets.len());
        let mut detail = names::detail(
            spec.cat,
            nth,
            spec.district,
            district.streets[street],
            &mut namer,
            rng,
        );
        if let Some(special) = spec.special {
            let (name, street_index, sub_category) = patterns::identity(special);
            detail.name = name.into();
            street = street_index;
            detail.sub_category = sub_category.or(detail.sub_category);
        }
        let lead = spec.special.and_then(patterns::lead).unwrap_or(row.lead);
        let units = &org.districts[spec.district];
        let responsible = row.builder.map_or(units.street_offices[street], |office| {
            units.offices[office as usize]
        });
        let sched = schedule::schedule(spec, rng);
        let milestones = milestones(spec.cat, &sched, &mut next_milestone);
        let (year_plans, year_end) = money(spec, detail.total_wan, rng);
        let funding_source = if spec.special == Some(Special::CityInvestPark) {
            "市城投公司融资"
        } else {
            row.funding[rng.random_range(0..row.funding.len())]
        };
        let location = GeoPoint {
            lon: district.centre.0 + rng.random_range(-0.035..0.035),
            lat: district.centre.1 + rng.random_range(-0.03..0.03),
        };
        ledger.projects.push(Project {
            id: ProjectId(i as i64 + 1),
            code: format!("JG{DEMO_YEAR}-{:04}", i + 1),
            name: detail.name,
            category: CategoryId(spec.cat as i64 + 1),
            sub_category: detail.sub_category.map(Into::into),
            district: units.id,
            street: district.streets[street].into(),
            lead_unit: org.lead(lead),
            responsible_unit: responsible,
            sub_hq: org.sub_hq(row.sub_hq),
            build_type: detail.build_type,
            scale: detail.scale,
            total_investment: Money::from_wan(detail.total_wan as f64),
            funding_source: funding_source.into(),
            location: Some(location),
            suspended_on: None,
            year_plans,
            milestones,
        });
        ledger.scheds.push(sched);
        year_end_wan.push(year_end);
    }
    settle_alleys(specs, &mut year_end_wan);
    ledger.year_end_investment = year_end_wan.iter().map(|w| w * 10_000).collect();
    ledger
}

/// The project's milestones from its category's template and its schedule.
fn milestones(cat: usize, sched: &Sched, next_id: &mut i64) -> Vec<Milestone> {
    STEPS
        .iter()
        .zip(CATEGORIES[cat].weights)
        .enumerate()
        .map(|(i, ((name, enters), weight))| {
            let id = MilestoneId(*next_id);
            *next_id += 1;
            Milestone {
                id,
                seq: i as u16 + 1,
                name: (*name).into(),
                weight,
                enters: *enters,
                planned: date_of(sched.planned[i]),
                actual: sched.actual[i].map(date_of),
                derived: false,
                adjusted: None,
            }
        })
        .collect()
}

/// The year plans and the investment done by 31 December, in 万元. An annual project plans its
/// whole cost for the year; a cross-year one plans only its preliminary costs (前期费用) and
/// builds in 2022.
fn money(spec: &Spec, total_wan: i64, rng: &mut ChaCha8Rng) -> (Vec<YearPlan>, i64) {
    let plan = |year, kind, wan: i64| YearPlan {
        year,
        kind,
        planned_investment: Money::from_wan(wan as f64),
        status: jianguan_domain::model::PlanStatus::Approved,
        adjusted_investment: None,
        cancelled_on: None,
    };
    if spec.kind == PlanKind::Preliminary {
        let total = total_wan * 3;
        let preliminary = (total / 20).max(10);
        let plans = vec![
            plan(DEMO_YEAR, PlanKind::Preliminary, preliminary),
            plan(DEMO_YEAR + 1, PlanKind::Construction, total - preliminary),
        ];
        let done = (preliminary as f64 * rng.random_range(0.8..1.0)).round() as i64;
        return (plans, done.max(1));
    }
    // Finished works come in about on budget; unfinished ones still owe their last payments.
    let share = if spec.missed == 0 {
        rng.random_range(0.96..1.02)
    } else {
        rng.random_range(0.72..0.9)
    };
    let done = (total_wan as f64 * share).round() as i64;
    (
        vec![plan(DEMO_YEAR, PlanKind::Construction, total_wan)],
        done.max(1),
    )
}

/// Scales the alleys' year-end investment to the speech's 3.13 亿元 exactly, keeping each
/// alley's share, then spreads the rounding remainder one 万元 at a time.
fn settle_alleys(specs: &[Spec], year_end_wan: &mut [i64]) {
    let alleys: Vec<usize> = (0..specs.len())
        .filter(|&i| specs[i].cat == ALLEY && specs[i].kind == PlanKind::Construction)
        .collect();
    let sum: i64 = alleys.iter().map(|&i| year_end_wan[i]).sum();
    let factor = ALLEY_INVESTMENT_WAN as f64 / sum as f64;
    for &i in &alleys {
        year_end_wan[i] = ((year_end_wan[i] as f64 * factor).round() as i64).max(1);
    }
    let mut remainder = ALLEY_INVESTMENT_WAN - alleys.iter().map(|&i| year_end_wan[i]).sum::<i64>();
    for &i in alleys.iter().cycle() {
        if remainder == 0 {
            break;
        }
        let step = remainder.signum();
        if year_end_wan[i] + step >= 1 {
            year_end_wan[i] += step;
            remainder -= step;
        }
    }
}
