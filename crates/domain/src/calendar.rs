//! The reporting calendar: biweekly periods (两周一汇报) and the "as of" date a year defaults to.

use jiff::civil::{Date, Time, Weekday};
use jiff::{Span, ToSpan};
use serde::{Deserialize, Serialize};

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

/// The reporting calendar as the office configures it (a TOML setting, versioned): biweekly
/// periods whose report is due a number of days after the period ends, at a time of day; a
/// deadline falling on a weekend or a public holiday moves to the next working day, and the
/// make-up working days (调休) the State Council announces count as working days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportingCalendar {
    /// Days each period covers.
    pub period_days: i32,
    /// Days after a period's end by which its report is due.
    pub deadline_after_days: i32,
    /// The time of day of the deadline, e.g. 17:00 (shown to units; lateness is counted by day).
    pub deadline_time: Time,
    /// Public holidays (no deadline falls on one).
    #[serde(default)]
    pub holidays: Vec<Date>,
    /// Weekend days that are working days (调休).
    #[serde(default)]
    pub workdays: Vec<Date>,
    /// A report whose investment to date exceeds the project's total investment this many times
    /// is refused as a slip (元 typed for 万元); above the total itself it is accepted and the
    /// filer asked to check it.
    #[serde(default = "default_investment_refuse_multiple")]
    pub investment_refuse_multiple: u32,
}

/// The multiple of the total investment beyond which a report is refused, when the calendar
/// does not say.
pub const DEFAULT_INVESTMENT_REFUSE_MULTIPLE: u32 = 3;

fn default_investment_refuse_multiple() -> u32 {
    DEFAULT_INVESTMENT_REFUSE_MULTIPLE
}

/// The default calendar: 14-day periods, due 2 days after the end at 17:00, with the 2021
/// public holidays and make-up working days.
pub const DEFAULT_CALENDAR_TOML: &str = r#"# 填报日历（指挥部办公室可修改）
period_days = 14            # 每期天数（两周一汇报）
deadline_after_days = 2     # 期末后第几天截止
deadline_time = "17:00:00"  # 截止时刻
investment_refuse_multiple = 3  # 累计完成投资超过项目总投资几倍时拒收（超过总投资即提示核实）
# 法定节假日（"年-月-日"）：截止日遇周末或节假日顺延至下一个工作日
holidays = [
  "2021-01-01", "2021-02-11", "2021-02-12", "2021-02-15", "2021-02-16", "2021-02-17",
  "2021-04-05", "2021-05-03", "2021-05-04", "2021-05-05", "2021-06-14", "2021-09-20",
  "2021-09-21", "2021-10-01", "2021-10-04", "2021-10-05", "2021-10-06", "2021-10-07",
]
# 调休上班的周末
workdays = ["2021-02-07", "2021-02-20", "2021-04-25", "2021-05-08", "2021-09-18", "2021-09-26", "2021-10-09"]
"#;

impl Default for ReportingCalendar {
    fn default() -> Self {
        ReportingCalendar::from_toml(DEFAULT_CALENDAR_TOML).expect("the default calendar is valid")
    }
}

/// Why a calendar was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", line.map(|l| format!("第{l}行：")).unwrap_or_default())]
pub struct CalendarError {
    /// The line, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl ReportingCalendar {
    /// Reads and checks a calendar from TOML.
    pub fn from_toml(text: &str) -> Result<ReportingCalendar, CalendarError> {
        let calendar: ReportingCalendar = toml::from_str(text).map_err(|e| CalendarError {
            line: e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1),
            message: crate::toml_zh::message(&e),
        })?;
        if !(1..=62).contains(&calendar.period_days) {
            return Err(CalendarError {
                line: None,
                message: format!(
                    "period_days 须在 1 到 62 之间，得到 {}",
                    calendar.period_days
                ),
            });
        }
        if !(0..=31).contains(&calendar.deadline_after_days) {
            return Err(CalendarError {
                line: None,
                message: format!(
                    "deadline_after_days 须在 0 到 31 之间，得到 {}",
                    calendar.deadline_after_days
                ),
            });
        }
        if !(1..=100).contains(&calendar.investment_refuse_multiple) {
            return Err(CalendarError {
                line: None,
                message: format!(
                    "investment_refuse_multiple 须在 1 到 100 之间，得到 {}",
                    calendar.investment_refuse_multiple
                ),
            });
        }
        Ok(calendar)
    }

    /// Whether `day` is a working day.
    pub fn is_working_day(&self, day: Date) -> bool {
        if self.workdays.contains(&day) {
            return true;
        }
        let weekend = matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday);
        !weekend && !self.holidays.contains(&day)
    }

    /// The first working day on or after `day`.
    pub fn next_working_day(&self, mut day: Date) -> Date {
        // A year has at most a couple of weeks of consecutive holidays; 60 bounds a bad list.
        for _ in 0..60 {
            if self.is_working_day(day) {
                return day;
            }
            day = day.tomorrow().expect("dates in range");
        }
        day
    }

    /// The periods of `year` with ids from `first_id`, deadlines moved to working days.
    pub fn periods(&self, year: i16, first_id: i64) -> Vec<ReportingPeriod> {
        let rule = CalendarRule {
            period_days: self.period_days,
            deadline_after_days: self.deadline_after_days,
        };
        let mut periods = periods_of_year(year, rule, first_id);
        for p in &mut periods {
            p.deadline = self.next_working_day(p.deadline);
        }
        periods
    }
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
    fn deadlines_on_weekends_and_holidays_move_to_the_next_working_day() {
        let cal = ReportingCalendar::default();
        let periods = cal.periods(2021, 1);
        assert_eq!(periods.len(), 26);
        // Period 1 ends Thursday 14 January; due Saturday 16th → Monday 18th.
        assert_eq!(periods[0].deadline, date(2021, 1, 18));
        // Period 20 ends Thursday 7 October, due Saturday 9th — a make-up working day (调休).
        assert_eq!(periods[19].end, date(2021, 10, 7));
        assert_eq!(periods[19].deadline, date(2021, 10, 9));
        // Every deadline is a working day, after its period's end.
        for p in &periods {
            assert!(cal.is_working_day(p.deadline), "{p:?}");
            assert!(p.deadline > p.end);
        }
        assert!(!cal.is_working_day(date(2021, 10, 1)));
        assert!(cal.is_working_day(date(2021, 9, 26)));
        assert_eq!(cal.deadline_time, Time::constant(17, 0, 0, 0));
    }

    #[test]
    fn a_calendar_with_a_bad_date_or_field_is_refused_naming_the_line() {
        let text = DEFAULT_CALENDAR_TOML.replace("2021-06-14", "2021-06-31");
        let line = text.lines().position(|l| l.contains("2021-06-31")).unwrap() + 1;
        assert_eq!(
            ReportingCalendar::from_toml(&text).unwrap_err().line,
            Some(line)
        );
        let text = DEFAULT_CALENDAR_TOML.replace("period_days = 14", "period_days = 0");
        assert!(
            ReportingCalendar::from_toml(&text)
                .unwrap_err()
                .message
                .contains("period_days")
        );
        let text = format!("{DEFAULT_CALENDAR_TOML}deadline_day = 3\n");
        assert!(ReportingCalendar::from_toml(&text).is_err());
    }

    #[test]
    fn a_year_in_progress_is_shown_as_of_today_and_a_past_year_as_of_its_end() {
        assert_eq!(default_as_of(2021, date(2026, 11, 28)), date(2021, 12, 31));
        assert_eq!(default_as_of(2026, date(2026, 11, 28)), date(2026, 11, 28));
    }
}
