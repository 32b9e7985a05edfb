//! A calendar month, the period of the assessment: "2021-10".

use std::fmt;
use std::str::FromStr;

use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar month, e.g. 2021-10. Written and stored as `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: i16,
    month: i8,
}

/// Why a month was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("月份「{0}」应写作 2021-10")]
pub struct MonthError(pub String);

impl Month {
    /// The month `month` (1–12) of `year`.
    pub fn new(year: i16, month: i8) -> Result<Month, MonthError> {
        Date::new(year, month, 1).map_err(|_| MonthError(format!("{year}-{month}")))?;
        Ok(Month { year, month })
    }

    /// Parses `2021-10` (also `2021-1`).
    pub fn parse(text: &str) -> Result<Month, MonthError> {
        let bad = || MonthError(text.to_string());
        let (y, m) = text.trim().split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.is_empty() || m.len() > 2 {
            return Err(bad());
        }
        let year: i16 = y.parse().map_err(|_| bad())?;
        let month: i8 = m.parse().map_err(|_| bad())?;
        Month::new(year, month).map_err(|_| bad())
    }

    /// The month containing `date`.
    pub fn of(date: Date) -> Month {
        Month {
            year: date.year(),
            month: date.month(),
        }
    }

    /// The year.
    pub fn year(self) -> i16 {
        self.year
    }

    /// The month of the year, 1–12.
    pub fn month(self) -> i8 {
        self.month
    }

    /// Its first day.
    pub fn first_day(self) -> Date {
        Date::new(self.year, self.month, 1).expect("a month holds a valid date")
    }

    /// Its last day: the "as of" day of the month's assessment.
    pub fn last_day(self) -> Date {
        self.first_day().last_of_month()
    }

    /// Whether `date` lies in the month.
    pub fn contains(self, date: Date) -> bool {
        Month::of(date) == self
    }

    /// The month before.
    pub fn previous(self) -> Month {
        Month::of(self.first_day() - 1.day())
    }

    /// The month after.
    pub fn next(self) -> Month {
        Month::of(self.last_day() + 1.day())
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = MonthError;
    fn from_str(s: &str) -> Result<Month, MonthError> {
        Month::parse(s)
    }
}

impl Serialize for Month {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Month, D::Error> {
        let text = String::deserialize(deserializer)?;
        Month::parse(&text).map_err(serde::de::Error::custom)
    }
}
