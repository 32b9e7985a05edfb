//! The reporting calendar: biweekly periods (两周一汇报) and the "as of" date a year defaults to.

use jiff::civil::Date;
use jiff::{Span, ToSpan};

use crate::model::{PeriodId, ReportingPeriod};

/// How the office lays out a year's reporting periods. Configuration, not code: the demo and
/// the office's settings build one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CalendarRule {
    /// Days each period covers (14 for biweekly).
    pub period_days: i32,
    /// Days after a period's end by which its report is due.
    pub deadline_after_days: i32,
}

impl Default for CalendarRule {
    fn default() -> Self {
        CalendarRule {
            period_days: 14,
            deadline_after_days: 2,
        }
    }
}

/// The reporting periods of `year` under `rule`: consecutive periods from 1 January, the last one
/// running to 31 December. Ids are assigned from `first_id` on.
pub fn periods_of_year(year: i16, rule: CalendarRule, first_id: i64) -> Vec<ReportingPeriod> {
    let first = Date::new(year, 1, 1).expect("1 January exists");
    let last = Date::new(year, 12, 31).expect("31 December exists");
    let step = Span::new().days(i64::from(rule.period_days.max(1)));
    let mut periods = Vec::new();
    let mut start = first;
    let mut seq: u16 = 1;
    while start <= last {
        let mut end = start + step - 1.day();
        // A short remainder joins the last period rather than making a period of its own.
        let next = end + 1.day();
        if end > last || (last - next).get_days() + 1 < rule.period_days / 2 {
            end = last;
        }
        periods.push(ReportingPeriod {
            id: PeriodId(first_id + i64::from(seq) - 1),
            year,
            seq,
            start,
            end,
            deadline: end + Span::new().days(i64::from(rule.deadline_after_days)),
        });
        start = end + 1.day();
        seq += 1;
    }
    periods
}

/// The "as of" date a year is shown at by default: its last day once it is over, otherwise today.
pub fn default_as_of(year: i16, today: Date) -> Date {
    let year_end = Date::new(year, 12, 31).expect("31 December exists");
    today.min(year_end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn a_year_has_twenty_six_biweekly_periods_covering_every_day_once() {
        let periods = periods_of_year(2021, CalendarRule::default(), 1);
        assert_eq!(periods.len(), 26);
        assert_eq!(periods[0].start, date(2021, 1, 1));
        assert_eq!(periods[0].end, date(2021, 1, 14));
        assert_eq!(periods[0].deadline, date(2021, 1, 16));
        assert_eq!(periods[25].end, date(2021, 12, 31));
        for pair in periods.windows(2) {
            assert_eq!(pair[0].end + 1.day(), pair[1].start);
        }
        assert_eq!(periods[25].seq, 26);
        assert_eq!(periods[25].id, PeriodId(26));
    }

    #[test]
    fn a_year_in_progress_is_shown_as_of_today_and_a_past_year_as_of_its_end() {
        assert_eq!(default_as_of(2021, date(2026, 11, 28)), date(2021, 12, 31));
        assert_eq!(default_as_of(2026, date(2026, 11, 28)), date(2026, 11, 28));
    }
}
