//! The quarterly analysis (一季一分析): the overviews at a quarter's start and end, the
//! month-by-month trend, the projects finished per category in the quarter, the projects that
//! moved most and the overdue ones that did not move, and the problem types that recur in the
//! tracked items (by topic and by outside body), this quarter against the last.
//!
//! Computed once here, from the records and a date; the page and the Word document only
//! format what [`QuarterlyAnalysis::build`] returns.

use std::collections::BTreeMap;
use std::fmt;

use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::followup::{ItemStatus, TrackedItem};
use crate::model::{CategoryId, Portfolio, Project, ProjectId, UnitId};
use crate::overview::{Breakdown, Figures, Overview};
use crate::rates::{self, InvestmentLedger};

/// A calendar quarter, e.g. 2021-Q3; written and read as that text (also in JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Quarter {
    year: i16,
    q: i8,
}

impl Quarter {
    /// The quarter `q` (1–4) of `year` (2000–2100), if both are in range.
    pub fn new(year: i16, q: i8) -> Option<Quarter> {
        ((2000..=2100).contains(&year) && (1..=4).contains(&q)).then_some(Quarter { year, q })
    }

    /// Parses `2021-Q3` (also `2021q3`).
    pub fn parse(text: &str) -> Option<Quarter> {
        let (y, q) = text.trim().split_once(['Q', 'q'])?;
        let year: i16 = y.trim_end_matches('-').parse().ok()?;
        let q: i8 = q.parse().ok()?;
        Quarter::new(year, q)
    }

    /// The quarter containing `d`.
    pub fn of(d: Date) -> Quarter {
        Quarter {
            year: d.year(),
            q: (d.month() - 1) / 3 + 1,
        }
    }

    /// Its year.
    pub fn year(self) -> i16 {
        self.year
    }

    /// Its number in the year, 1–4.
    pub fn number(self) -> i8 {
        self.q
    }

    /// Its first day.
    pub fn first_day(self) -> Date {
        Date::new(self.year, (self.q - 1) * 3 + 1, 1).expect("a quarter's first day")
    }

    /// Its last day.
    pub fn last_day(self) -> Date {
        self.next().first_day() - 1.day()
    }

    /// Whether `d` falls within it.
    pub fn contains(self, d: Date) -> bool {
        d >= self.first_day() && d <= self.last_day()
    }

    /// The quarter before.
    pub fn previous(self) -> Quarter {
        Quarter::of(self.first_day() - 1.day())
    }

    /// The quarter after.
    pub fn next(self) -> Quarter {
        if self.q == 4 {
            Quarter {
                year: self.year + 1,
                q: 1,
            }
        } else {
            Quarter {
                year: self.year,
                q: self.q + 1,
            }
        }
    }

    /// Its code, `2021-Q3` (what [`Quarter::parse`] reads).
    pub fn code(self) -> String {
        self.to_string()
    }

    /// Its name for people: 2021年第三季度.
    pub fn label(self) -> String {
        format!(
            "{}年第{}季度",
            self.year,
            ["一", "二", "三", "四"][(self.q - 1) as usize]
        )
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-Q{}", self.year, self.q)
    }
}

impl From<Quarter> for String {
    fn from(q: Quarter) -> String {
        q.code()
    }
}

impl TryFrom<String> for Quarter {
    type Error = String;

    fn try_from(text: String) -> Result<Quarter, String> {
        Quarter::parse(&text).ok_or_else(|| format!("季度「{text}」应写作 2021-Q3"))
    }
}

/// One rate of the trend: its name and how it is read off the figures.
pub type TrendRate = (&'static str, fn(&Figures) -> Option<f64>);

/// The rates the trend follows, in the order they are drawn.
pub const TREND_RATES: [TrendRate; 4] = [
    ("节点完成率", |f| f.node_completion.value()),
    ("按期完成率", |f| f.on_time.value()),
    ("项目完成率", |f| f.project_completion.value()),
    ("投资完成率", |f| f.investment.value()),
];

/// A category, district or lead unit at the quarter's start and end.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison<Id> {
    /// The category's or unit's id.
    pub id: Id,
    /// Its name.
    pub name: String,
    /// Its figures at the quarter's start (all zero when it had none then).
    pub start: Figures,
    /// Its figures at the quarter's end.
    pub end: Figures,
}

impl<Id> Comparison<Id> {
    /// The change of the project completion rate over the quarter, a fraction (a missing rate
    /// counts as 0): what the comparison tables are sorted by.
    pub fn completion_change(&self) -> f64 {
        self.end.project_completion.value().unwrap_or(0.0)
            - self.start.project_completion.value().unwrap_or(0.0)
    }
}

/// Projects of one category finished within the quarter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FinishedInQuarter {
    /// The category.
    pub category: CategoryId,
    /// Its name.
    pub name: String,
    /// Projects finished at the end but not at the start.
    pub count: u64,
}

/// A project's progress over the quarter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectMove {
    /// The project.
    pub project: ProjectId,
    /// Its code (ties are broken by it).
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its district.
    pub district: UnitId,
    /// Its category.
    pub category: CategoryId,
    /// Percent complete (by milestone weight, 0–1) at the quarter's start.
    pub start: f64,
    /// Percent complete at the quarter's end.
    pub end: f64,
    /// Its overdue milestones at the quarter's end.
    pub overdue_milestones: u64,
}

impl ProjectMove {
    /// The change of percent complete over the quarter (a fraction).
    pub fn change(&self) -> f64 {
        self.end - self.start
    }
}

/// Tracked items of one kind of problem (a topic or an outside body).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProblemCount {
    /// The topic or body.
    pub name: String,
    /// Items opened this quarter.
    pub this_quarter: u64,
    /// Items opened last quarter.
    pub last_quarter: u64,
    /// Of this quarter's, those not closed at the quarter's end.
    pub open: u64,
    /// Of this quarter's, those past their deadline at the quarter's end.
    pub overdue: u64,
}

impl ProblemCount {
    /// Whether the problem also came up last quarter (反复).
    pub fn recurring(&self) -> bool {
        self.last_quarter > 0
    }
}

/// The most projects listed as movers, and as stalled.
pub const TOP_PROJECTS: usize = 10;

/// The quarterly analysis of the projects a filter keeps.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuarterlyAnalysis {
    /// The quarter.
    pub quarter: Quarter,
    /// The campaign year whose plans are measured (the quarter's year).
    pub year: i16,
    /// The day the analysis was computed.
    pub computed_on: Date,
    /// The quarter's start: the day before its first day.
    pub start: Date,
    /// The quarter's end: its last day, or today while it runs (never before its first day).
    pub end: Date,
    /// The overview at `start`.
    pub start_overview: Overview,
    /// The overview at `end`.
    pub end_overview: Overview,
    /// The totals at `start`, at each month's end within the quarter and at `end`.
    pub trend: Vec<(Date, Figures)>,
    /// Projects finished in the quarter per category, most first (categories with none left
    /// out; ties in category order).
    pub finished: Vec<FinishedInQuarter>,
    /// The projects whose percent complete rose most (at most [`TOP_PROJECTS`]; ties by code).
    pub movers: Vec<ProjectMove>,
    /// Projects with overdue milestones whose percent complete did not change, most overdue
    /// milestones first (at most [`TOP_PROJECTS`]; ties by code).
    pub stalled: Vec<ProjectMove>,
    /// Tracked items by topic, those opened this quarter only, most first (ties by name).
    pub topics: Vec<ProblemCount>,
    /// Tracked items by outside body, as `topics`.
    pub bodies: Vec<ProblemCount>,
}

impl QuarterlyAnalysis {
    /// Analyses `quarter` as of `today` over the projects `filter` keeps and the tracked items
    /// `sees_item` keeps.
    pub fn build(
        portfolio: &Portfolio,
        ledger: &InvestmentLedger,
        items: &[TrackedItem],
        quarter: Quarter,
        today: Date,
        filter: impl Fn(&Project) -> bool,
        sees_item: impl Fn(&TrackedItem) -> bool,
    ) -> QuarterlyAnalysis {
        let year = quarter.year;
        let start = quarter.first_day() - 1.day();
        let end = quarter.last_day().min(today.max(quarter.first_day()));
        let at = |d: Date| Overview::compute_filtered(portfolio, ledger, year, d, &filter);
        let (start_overview, end_overview) = (at(start), at(end));

        // The trend: the quarter's start and each month's end (the last capped at `end`).
        let mut points = vec![start];
        let mut month = quarter.first_day();
        while month <= end {
            points.push((month + 1.month() - 1.day()).min(end));
            month += 1.month();
        }
        points.dedup();
        let trend = points
            .into_iter()
            .map(|d| {
                let total = if d == start {
                    start_overview.total
                } else if d == end {
                    end_overview.total
                } else {
                    at(d).total
                };
                (d, total)
            })
            .collect();

        let mut finished: Vec<FinishedInQuarter> = end_overview
            .categories
            .iter()
            .map(|b| {
                let before = start_overview
                    .categories
                    .iter()
                    .find(|s| s.id == b.id)
                    .map_or(0, |s| s.figures.finished());
                FinishedInQuarter {
                    category: b.id,
                    name: b.name.clone(),
                    count: b.figures.finished().saturating_sub(before),
                }
            })
            .filter(|f| f.count > 0)
            .collect();
        finished.sort_by_key(|f| std::cmp::Reverse(f.count));

        let (movers, stalled) = moves(portfolio, year, start, end, &filter);
        let (topics, bodies) = problems(items, quarter, end, &sees_item);
        QuarterlyAnalysis {
            quarter,
            year,
            computed_on: today,
            start,
            end,
            start_overview,
            end_overview,
            trend,
            finished,
            movers,
            stalled,
            topics,
            bodies,
        }
    }

    /// Whether the quarter is over (otherwise its end is today).
    pub fn is_complete(&self) -> bool {
        self.end >= self.quarter.last_day()
    }

    /// The categories with projects at the end, sorted by the change of their project
    /// completion rate, largest first (ties by name).
    pub fn categories(&self) -> Vec<Comparison<CategoryId>> {
        compare(
            &self.start_overview.categories,
            &self.end_overview.categories,
        )
    }

    /// The districts, as [`QuarterlyAnalysis::categories`].
    pub fn districts(&self) -> Vec<Comparison<UnitId>> {
        compare(&self.start_overview.districts, &self.end_overview.districts)
    }

    /// The lead units, as [`QuarterlyAnalysis::categories`].
    pub fn lead_units(&self) -> Vec<Comparison<UnitId>> {
        compare(
            &self.start_overview.lead_units,
            &self.end_overview.lead_units,
        )
    }

    /// Each of [`TREND_RATES`] with its value at each trend point (0 where there is nothing to
    /// measure, as the chart draws it).
    pub fn trend_series(&self) -> Vec<(&'static str, Vec<(Date, f64)>)> {
        TREND_RATES
            .iter()
            .map(|(name, rate)| {
                let points = self
                    .trend
                    .iter()
                    .map(|(d, f)| (*d, rate(f).unwrap_or(0.0)))
                    .collect();
                (*name, points)
            })
            .collect()
    }
}

fn compare<Id: PartialEq + Copy>(
    start: &[Breakdown<Id>],
    end: &[Breakdown<Id>],
) -> Vec<Comparison<Id>> {
    let mut rows: Vec<Comparison<Id>> = end
        .iter()
        .filter(|b| b.figures.projects > 0)
        .map(|b| Comparison {
            id: b.id,
            name: b.name.clone(),
            start: start
                .iter()
                .find(|s| s.id == b.id)
                .map(|s| s.figures)
                .unwrap_or_default(),
            end: b.figures,
        })
        .collect();
    rows.sort_by(|x, y| {
        y.completion_change()
            .total_cmp(&x.completion_change())
            .then(x.name.cmp(&y.name))
    });
    rows
}

/// The projects that moved most, and the overdue projects that did not move at all.
fn moves(
    portfolio: &Portfolio,
    year: i16,
    start: Date,
    end: Date,
    filter: impl Fn(&Project) -> bool,
) -> (Vec<ProjectMove>, Vec<ProjectMove>) {
    let mut moved: Vec<ProjectMove> = portfolio
        .projects
        .iter()
        .filter(|pr| pr.plan_for(year).is_some() && filter(pr) && !rates::is_suspended(pr, end))
        .map(|pr| ProjectMove {
            project: pr.id,
            code: pr.code.clone(),
            name: pr.name.clone(),
            district: pr.district,
            category: pr.category,
            start: rates::percent_complete(pr, start),
            end: rates::percent_complete(pr, end),
            overdue_milestones: pr
                .milestones
                .iter()
                .filter(|m| rates::overdue_days(m, end).is_some())
                .count() as u64,
        })
        .collect();
    let mut stalled: Vec<&ProjectMove> = moved
        .iter()
        .filter(|m| m.overdue_milestones > 0 && m.change().abs() < 1e-9)
        .collect();
    stalled.sort_by(|x, y| {
        y.overdue_milestones
            .cmp(&x.overdue_milestones)
            .then(x.code.cmp(&y.code))
    });
    let stalled = stalled.into_iter().take(TOP_PROJECTS).cloned().collect();
    moved.sort_by(|x, y| y.change().total_cmp(&x.change()).then(x.code.cmp(&y.code)));
    moved.truncate(TOP_PROJECTS);
    (moved, stalled)
}

/// Recurring problems: the tracked items opened this quarter or last, by topic and by body.
fn problems(
    items: &[TrackedItem],
    quarter: Quarter,
    end: Date,
    sees_item: impl Fn(&TrackedItem) -> bool,
) -> (Vec<ProblemCount>, Vec<ProblemCount>) {
    let last = quarter.previous();
    let mut topics: BTreeMap<&str, [u64; 4]> = BTreeMap::new();
    let mut bodies: BTreeMap<&str, [u64; 4]> = BTreeMap::new();
    for item in items.iter().filter(|i| sees_item(i)) {
        let now = quarter.contains(item.opened_on);
        let before = last.contains(item.opened_on);
        if !now && !before {
            continue;
        }
        let open = now && item.state_on(end).status != ItemStatus::Closed;
        let overdue = now && item.overdue_days(end).is_some();
        let add = |counts: &mut [u64; 4]| {
            counts[0] += u64::from(now);
            counts[1] += u64::from(before);
            counts[2] += u64::from(open);
            counts[3] += u64::from(overdue);
        };
        add(topics.entry(&item.topic).or_default());
        for body in &item.bodies {
            add(bodies.entry(body).or_default());
        }
    }
    let rows = |map: BTreeMap<&str, [u64; 4]>| {
        let mut rows: Vec<ProblemCount> = map
            .into_iter()
            .filter(|(_, c)| c[0] > 0)
            .map(|(name, c)| ProblemCount {
                name: name.to_string(),
                this_quarter: c[0],
                last_quarter: c[1],
                open: c[2],
                overdue: c[3],
            })
            .collect();
        rows.sort_by(|a, b| {
            b.this_quarter
                .cmp(&a.this_quarter)
                .then(a.name.cmp(&b.name))
        });
        rows
    };
    (rows(topics), rows(bodies))
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;
    use crate::fixture::{portfolio, project};
    use crate::followup::{EscalationLevel, ItemAction, ItemEvent, ItemId, ItemKind};

    #[test]
    fn quarters_parse_and_span_their_months() {
        let q3 = Quarter::parse("2021-Q3").expect("a quarter");
        assert_eq!(q3, Quarter { year: 2021, q: 3 });
        assert_eq!(Quarter::parse("2021q4"), Some(Quarter { year: 2021, q: 4 }));
        assert_eq!(Quarter::parse("2021-Q5"), None);
        assert_eq!(Quarter::parse("Q3"), None);
        assert_eq!(q3.first_day(), date(2021, 7, 1));
        assert_eq!(q3.last_day(), date(2021, 9, 30));
        assert_eq!(q3.previous().code(), "2021-Q2");
        assert_eq!(
            Quarter::parse("2021-Q1").expect("q1").previous().code(),
            "2020-Q4"
        );
        assert_eq!(
            Quarter::parse("2021-Q4").expect("q4").next().code(),
            "2022-Q1"
        );
        assert_eq!(Quarter::of(date(2021, 12, 31)).label(), "2021年第四季度");
    }

    #[test]
    fn quarters_read_and_write_as_their_code_in_json() {
        let q3 = Quarter::new(2021, 3).expect("a quarter");
        assert_eq!(serde_json::to_string(&q3).unwrap(), "\"2021-Q3\"");
        assert_eq!(serde_json::from_str::<Quarter>("\"2021-Q3\"").unwrap(), q3);
        assert!(serde_json::from_str::<Quarter>("\"2021-Q0\"").is_err());
    }

    fn item(id: i64, topic: &str, opened: Date, deadline: Date) -> TrackedItem {
        TrackedItem {
            id: ItemId(id),
            kind: ItemKind::Coordination,
            title: format!("协调{id}"),
            detail: String::new(),
            project: Some(ProjectId(1)),
            district: Some(UnitId(1)),
            owner: UnitId(3),
            issuer: UnitId(9),
            bodies: vec!["电网".into()],
            topic: topic.into(),
            source: String::new(),
            opened_on: opened,
            deadline,
            level: EscalationLevel::Hq,
            events: vec![],
            act: None,
        }
    }

    #[test]
    fn a_quarter_compares_its_start_and_end_and_names_movers_stalled_and_recurring_problems() {
        let p = portfolio(vec![
            // Two of four milestones reached in August: it moved by half.
            project(
                1,
                &[
                    (date(2021, 3, 1), Some(date(2021, 3, 1))),
                    (date(2021, 8, 1), Some(date(2021, 8, 1))),
                    (date(2021, 8, 15), Some(date(2021, 8, 20))),
                    (date(2021, 12, 1), None),
                ],
            ),
            // Overdue since May and nothing happened in the quarter.
            project(
                2,
                &[
                    (date(2021, 2, 1), Some(date(2021, 2, 1))),
                    (date(2021, 5, 1), None),
                ],
            ),
            // Finished in September.
            project(3, &[(date(2021, 9, 1), Some(date(2021, 9, 10)))]),
        ]);
        let ledger = InvestmentLedger::new(&p);
        let mut closed = item(2, "管线迁改", date(2021, 7, 5), date(2021, 7, 30));
        closed.events.push(ItemEvent {
            on: date(2021, 7, 20),
            unit: UnitId(9),
            by: "office".into(),
            action: ItemAction::Verify {
                note: String::new(),
            },
        });
        let items = vec![
            item(1, "管线迁改", date(2021, 5, 10), date(2021, 6, 10)),
            closed,
            item(3, "管线迁改", date(2021, 8, 1), date(2021, 8, 31)),
            item(4, "征地拆迁", date(2021, 9, 1), date(2021, 12, 31)),
            // Next quarter: not counted.
            item(5, "征地拆迁", date(2021, 10, 1), date(2021, 10, 31)),
        ];
        let q3 = Quarter::new(2021, 3).expect("a quarter");
        let a = QuarterlyAnalysis::build(
            &p,
            &ledger,
            &items,
            q3,
            date(2021, 12, 31),
            |_| true,
            |_| true,
        );
        assert_eq!((a.start, a.end), (date(2021, 6, 30), date(2021, 9, 30)));
        assert!(a.is_complete());
        let days: Vec<Date> = a.trend.iter().map(|(d, _)| *d).collect();
        assert_eq!(
            days,
            [
                date(2021, 6, 30),
                date(2021, 7, 31),
                date(2021, 8, 31),
                date(2021, 9, 30)
            ]
        );
        assert_eq!(a.trend[0].1, a.start_overview.total);
        assert_eq!(a.trend[3].1, a.end_overview.total);
        assert_eq!(
            a.finished,
            [FinishedInQuarter {
                category: CategoryId(1),
                name: "老旧小区改造".into(),
                count: 1,
            }]
        );
        let movers: Vec<(i64, f64)> = a.movers.iter().map(|m| (m.project.0, m.change())).collect();
        assert_eq!(movers, [(3, 1.0), (1, 0.5), (2, 0.0)]);
        assert_eq!(a.stalled.len(), 1);
        assert_eq!(
            (a.stalled[0].project, a.stalled[0].overdue_milestones),
            (ProjectId(2), 1)
        );
        let categories = a.categories();
        assert_eq!(categories.len(), 1);
        assert!(categories[0].completion_change() > 0.0);
        assert_eq!(a.districts()[0].name, "甲区");

        // Three items this quarter: two 管线迁改 (one closed), one 征地拆迁; 管线迁改 recurs.
        let pipes = ProblemCount {
            name: "管线迁改".into(),
            this_quarter: 2,
            last_quarter: 1,
            open: 1,
            overdue: 1,
        };
        assert_eq!(a.topics[0], pipes);
        assert!(a.topics[0].recurring());
        assert_eq!(
            (a.topics[1].name.as_str(), a.topics[1].recurring()),
            ("征地拆迁", false)
        );
        assert_eq!(a.bodies[0].this_quarter, 3);
        assert_eq!(a.trend_series().len(), TREND_RATES.len());
    }

    #[test]
    fn a_running_quarter_ends_today_and_filters_narrow_it() {
        let p = portfolio(vec![
            project(1, &[(date(2021, 8, 1), Some(date(2021, 8, 1)))]),
            project(2, &[(date(2021, 8, 1), None)]),
        ]);
        let ledger = InvestmentLedger::new(&p);
        let q3 = Quarter::new(2021, 3).expect("a quarter");
        let a = QuarterlyAnalysis::build(
            &p,
            &ledger,
            &[],
            q3,
            date(2021, 8, 10),
            |pr| pr.id == ProjectId(2),
            |_| true,
        );
        assert_eq!(a.end, date(2021, 8, 10));
        assert!(!a.is_complete());
        assert_eq!(a.trend.last().map(|(d, _)| *d), Some(date(2021, 8, 10)));
        assert_eq!(a.end_overview.total.projects, 1);
        assert!(a.movers.iter().all(|m| m.project == ProjectId(2)));
        assert!(a.finished.is_empty());
        assert!(a.topics.is_empty());
        // Before the quarter begins its end is its first day.
        let early =
            QuarterlyAnalysis::build(&p, &ledger, &[], q3, date(2021, 5, 1), |_| true, |_| true);
        assert_eq!(early.end, date(2021, 7, 1));
    }
}
