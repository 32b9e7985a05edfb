//! The citywide figures a summary quotes beside the project rates, read off the values the
//! office enters and the media register (the same records the monthly assessment scores):
//! the street-cleaning marketisation and mechanised cleaning rates, and the reports by
//! central media over the year.

use crate::Date;
use crate::assessment::{EnteredValue, MediaLevel, MediaReport, Month};
use crate::model::{Portfolio, UnitKind};

/// The indicator code of the street-cleaning marketisation rate (道路清扫保洁市场化率, %).
pub const MARKETISATION: &str = "street_cleaning_marketisation";
/// The indicator code of the mechanised cleaning rate (道路机械化清扫率, %).
pub const MECHANISED: &str = "mechanised_cleaning";

/// A citywide rate the districts enter monthly: the mean of the districts' values for the
/// latest month that has any.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CityRate {
    /// The month the values are for.
    pub month: Month,
    /// The mean, in percent.
    pub percent: f64,
    /// How many districts entered a value for that month.
    pub districts: usize,
}

/// What a summary quotes beside the project figures, as of a date in a year.
#[derive(Debug, Clone, PartialEq)]
pub struct Highlights {
    /// The street-cleaning marketisation rate; `None` when nothing was entered.
    pub marketisation: Option<CityRate>,
    /// The mechanised cleaning rate; `None` when nothing was entered.
    pub mechanised: Option<CityRate>,
    /// Reports by central media from the year's first day to the date.
    pub central_media_reports: usize,
    /// Reports by provincial media over the same days.
    pub provincial_media_reports: usize,
}

impl Highlights {
    /// The figures of `year` as of `as_of` (the year's months up to `as_of`'s; the register's
    /// reports dated from 1 January to `as_of`). A district's value entered more than once
    /// for a month counts as its latest entry.
    pub fn compute(
        portfolio: &Portfolio,
        entered: &[EnteredValue],
        media: &[MediaReport],
        year: i16,
        as_of: Date,
    ) -> Highlights {
        let count = |level: MediaLevel| {
            media
                .iter()
                .filter(|r| r.level == level && r.date.year() == year && r.date <= as_of)
                .count()
        };
        Highlights {
            marketisation: city_rate(portfolio, entered, MARKETISATION, year, as_of),
            mechanised: city_rate(portfolio, entered, MECHANISED, year, as_of),
            central_media_reports: count(MediaLevel::Central),
            provincial_media_reports: count(MediaLevel::Provincial),
        }
    }
}

/// The mean of the districts' values of `indicator` for the latest month of `year` up to
/// `as_of` that has any.
pub fn city_rate(
    portfolio: &Portfolio,
    entered: &[EnteredValue],
    indicator: &str,
    year: i16,
    as_of: Date,
) -> Option<CityRate> {
    let last = Month::of(as_of);
    let month = entered
        .iter()
        .filter(|e| e.indicator == indicator && e.month.year() == year && e.month <= last)
        .map(|e| e.month)
        .max()?;
    let values: Vec<f64> = portfolio
        .units_of(UnitKind::District)
        .filter_map(|d| {
            entered
                .iter()
                .rev()
                .find(|e| e.indicator == indicator && e.month == month && e.subject == d.id)
                .map(|e| e.value)
        })
        .collect();
    if values.is_empty() {
        return None;
    }
    Some(CityRate {
        month,
        percent: values.iter().sum::<f64>() / values.len() as f64,
        districts: values.len(),
    })
}
