//! The demo city 示例市 in 2021: a deterministic portfolio, generated from a fixed seed, that
//! reproduces the figures of the year-end speech and shows every problem pattern it names.
//!
//! The figures it reproduces (read through [`jianguan_domain::overview::Overview`], never
//! counted here): 1362 projects, all started; 1350 annual construction projects of which 1222
//! finished (project completion 90.52%); node completion 99%; the per-category counts of the
//! speech, the alleys' 3.13 亿元, 145 new and 16 renovated toilets, 85 car parks with more than
//! 4,000 spaces.
//!
//! Generation runs in order, one module per concern: the organisation (`org`), the
//! categories (`catalog`), the plan of who builds what and what stays unfinished (`plan`),
//! the project details (`projects`, `names`), milestone dates (`schedule`), the
//! biweekly reports (`reports`), and the named problem patterns (`patterns`). Every name
//! is invented; none is a real place.
//!
//! [`demo_cadence`] (`cadence`) then gives the city its year of cadence records, read off the
//! portfolio: the warnings of the daily ladder job, the coordination tickets the reports'
//! blockers open, the rectification orders of on-site inspections, and the supervision items
//! of the 52 weekly dispatch meetings. [`demo_assessment`] (`assessment`) gives it the
//! monthly assessment's inputs: the figures the office enters per district and month and the
//! media-coverage register.

mod assessment;
mod cadence;
mod catalog;
mod names;
mod national;
mod org;

pub use assessment::{
    CENTRAL_REPORTS, DemoAssessment, MARKETISATION_RATE, MECHANISED_RATE, demo_assessment,
};
pub use cadence::{DemoCadence, demo_cadence};
pub use national::{NATIONAL_SEED, NationalSpec, national_base, national_city};
mod patterns;
mod plan;
mod projects;
mod reports;
mod schedule;
#[cfg(feature = "seed")]
pub mod seed;

use std::sync::Arc;

use jianguan_domain::calendar::{CalendarRule, periods_of_year};
use jianguan_domain::model::Portfolio;
use jiff::ToSpan;
use jiff::civil::Date;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The campaign year the demo city covers.
pub const DEMO_YEAR: i16 = 2021;

/// The seed every random draw of the demo city derives from.
pub const DEMO_SEED: u64 = 0x4A47_2021;

/// The demo city's whole portfolio for [`DEMO_YEAR`]: units, categories, projects with
/// milestones and plans, the year's reporting periods and every report version. The same on
/// every call.
pub fn demo_city() -> Portfolio {
    let org = org::build();
    let categories = catalog::categories(&org);
    let specs = plan::specs(&mut stream(1));
    let ledger = projects::build(&org, &specs, &mut stream(2));
    let periods = periods_of_year(DEMO_YEAR, CalendarRule::default(), 1);
    let reports = reports::build(&specs, &ledger, &periods, &mut stream(3));
    Portfolio {
        units: org.units,
        categories,
        projects: ledger.projects.into_iter().map(Arc::new).collect(),
        periods,
        reports,
        // Boundaries are geometry (the geo crate's), written by the seed after the records.
        district_boundaries: Default::default(),
    }
}

/// A random stream per concern, so that changing how one concern draws leaves the others'
/// draws as they were.
fn stream(concern: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(DEMO_SEED.wrapping_add(concern))
}

/// A day of the demo year as its number from 1 January (0); schedules are drawn in these.
type Day = i64;

/// 31 December of the demo year.
const YEAR_END: Day = 364;

fn new_year() -> Date {
    Date::new(DEMO_YEAR, 1, 1).expect("1 January exists")
}

/// The date of a day number (days past the year run into the next).
fn date_of(day: Day) -> Date {
    new_year() + day.days()
}

/// The day number of a date.
fn day_of(date: Date) -> Day {
    i64::from((date - new_year()).get_days())
}
