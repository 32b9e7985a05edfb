//! The quarterly analysis (一季一分析): the rates by category, district and lead unit at the
//! quarter's start and end with their change, the month-by-month trend, the projects and units
//! that moved most (and the overdue projects that did not move at all), and the problem types
//! that recur in the tracked items (by topic and by outside body), this quarter against the last.
//! Computed over the reader's projects; charts are server-drawn SVG.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::response::Response;
use jianguan_access::policy::Resource;
use jianguan_charts::{Bar, BarChart, LineChart, LineSeries, ValueFormat};
use jianguan_domain::Date;
use jianguan_domain::model::Project;
use jianguan_domain::overview::{Breakdown, Figures, Overview};
use jianguan_domain::rates;
use jiff::ToSpan;

use super::{ProjectIndex, Viewer};
use crate::api::Scope;
use crate::auth::CurrentUser;
use crate::error::{AppError, Format};
use crate::pages::{Layout, category_color, html_snapshot};
use crate::{AppState, Params, fmt};

/// A calendar quarter, e.g. 2021-Q3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Quarter {
    year: i16,
    q: i8,
}

impl Quarter {
    /// Parses `2021-Q3` (also `2021q3`).
    fn parse(text: &str) -> Option<Quarter> {
        let (y, q) = text.trim().split_once(['Q', 'q'])?;
        let year: i16 = y.trim_end_matches('-').parse().ok()?;
        let q: i8 = q.parse().ok()?;
        ((2000..=2100).contains(&year) && (1..=4).contains(&q)).then_some(Quarter { year, q })
    }

    fn of(d: Date) -> Quarter {
        Quarter {
            year: d.year(),
            q: (d.month() - 1) / 3 + 1,
        }
    }

    fn first_day(self) -> Date {
        Date::new(self.year, (self.q - 1) * 3 + 1, 1).expect("a quarter's first day")
    }

    fn last_day(self) -> Date {
        self.next().first_day() - 1.day()
    }

    fn previous(self) -> Quarter {
        Quarter::of(self.first_day() - 1.day())
    }

    fn next(self) -> Quarter {
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

    fn code(self) -> String {
        format!("{}-Q{}", self.year, self.q)
    }

    fn label(self) -> String {
        format!(
            "{}年第{}季度",
            self.year,
            ["一", "二", "三", "四"][(self.q - 1) as usize]
        )
    }
}

/// A rate at the quarter's start and end.
struct RateCell {
    start: String,
    end: String,
    change: String,
    class: &'static str,
}

fn rate_cell(a: Option<f64>, b: Option<f64>) -> RateCell {
    RateCell {
        start: fmt::rate(a),
        end: fmt::rate(b),
        change: super::points(a, b),
        class: super::trend_class(a, b),
    }
}

/// One line of a comparison table.
struct CompareRow {
    name: String,
    href: Option<String>,
    projects: String,
    node: RateCell,
    completion: RateCell,
    investment: RateCell,
    finished: String,
    overdue: String,
    /// The change of the project completion rate, for sorting.
    key: f64,
}

fn compare<Id: PartialEq + Copy>(
    start: &[Breakdown<Id>],
    end: &[Breakdown<Id>],
    href: impl Fn(Id) -> Option<String>,
) -> Vec<CompareRow> {
    let mut rows: Vec<CompareRow> = end
        .iter()
        .filter(|b| b.figures.projects > 0)
        .map(|b| {
            let a = start
                .iter()
                .find(|s| s.id == b.id)
                .map(|s| s.figures)
                .unwrap_or_default();
            row(&b.name, href(b.id), &a, &b.figures)
        })
        .collect();
    rows.sort_by(|x, y| y.key.total_cmp(&x.key).then(x.name.cmp(&y.name)));
    rows
}

fn row(name: &str, href: Option<String>, a: &Figures, b: &Figures) -> CompareRow {
    let change = |x: Option<f64>, y: Option<f64>| y.unwrap_or(0.0) - x.unwrap_or(0.0);
    CompareRow {
        name: name.to_string(),
        href,
        projects: fmt::count(b.projects),
        node: rate_cell(a.node_completion.value(), b.node_completion.value()),
        completion: rate_cell(a.project_completion.value(), b.project_completion.value()),
        investment: rate_cell(a.investment.value(), b.investment.value()),
        finished: super::delta(a.finished(), b.finished()),
        overdue: fmt::count(b.overdue_milestones),
        key: change(a.project_completion.value(), b.project_completion.value()),
    }
}

/// A project that moved (or did not).
struct MoverRow {
    href: String,
    name: String,
    district: String,
    category: String,
    start: String,
    end: String,
    change: String,
    overdue: String,
}

/// Recurring problems of one kind (a topic or an outside body): items opened this quarter and
/// last, how many are still open and overdue now.
struct ProblemRow {
    name: String,
    this_quarter: String,
    last_quarter: String,
    open: String,
    overdue: String,
    recurring: bool,
}

/// A table of the page: its anchor, caption, first column's header and rows.
struct Table<T> {
    id: &'static str,
    caption: &'static str,
    first: &'static str,
    rows: Vec<T>,
}

#[derive(Template)]
#[template(path = "quarterly.html")]
struct QuarterlyPage {
    layout: Layout,
    heading: String,
    range: String,
    prev: String,
    next: String,
    quarter: String,
    total: CompareRow,
    trend: String,
    finished_chart: String,
    tables: Vec<Table<CompareRow>>,
    movers: Vec<MoverRow>,
    stalled: Vec<MoverRow>,
    problems: Vec<Table<ProblemRow>>,
    narrowed: bool,
}

/// `GET /quarterly?q=2021-Q3`.
pub(crate) async fn page(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let params = Params::new(query, Format::Html);
    let viewer = Viewer::of(&user, Resource::Portfolio, Format::Html)?;
    let snap = html_snapshot(&state).await?;
    let today = state.today();
    let quarter = match params.choice("q", Quarter::parse, "季度应写作 2021-Q3")? {
        Some(q) => q,
        None => match params.date("as_of")? {
            Some(d) => Quarter::of(d),
            None => Quarter::of(Scope::resolve(&params, &snap, today)?.as_of),
        },
    };
    let year = quarter.year;
    let start = quarter.first_day() - 1.day();
    let end = quarter.last_day().min(today.max(quarter.first_day()));
    let p = &snap.portfolio;
    let mine = |pr: &Project| viewer.scope.covers(pr);
    let at = |d: Date| Overview::compute_filtered(p, &snap.ledger, year, d, mine);
    let (o0, o1) = (at(start), at(end));
    let scope = Scope { year, as_of: end };
    let layout = Layout::new(
        format!("{}分析", quarter.label()),
        "quarterly",
        scope,
        &snap,
        "/quarterly",
        &user,
    )
    .crumb("分析", None);
    let qs = layout.qs.clone();

    // The trend: the quarter's start and each month's end (the last capped at `end`).
    let mut points = vec![start];
    let mut month = quarter.first_day();
    while month <= end {
        let month_end = (month + 1.month() - 1.day()).min(end);
        points.push(month_end);
        month += 1.month();
    }
    points.dedup();
    let series_of = |label: &str,
                     f: &dyn Fn(&Figures) -> Option<f64>,
                     overviews: &[(Date, Overview)]| LineSeries {
        name: label.to_string(),
        color: None,
        points: overviews
            .iter()
            .map(|(d, o)| {
                (
                    format!("{}/{}", d.month(), d.day()),
                    f(&o.total).unwrap_or(0.0),
                )
            })
            .collect(),
    };
    let overviews: Vec<(Date, Overview)> = points.iter().map(|d| (*d, at(*d))).collect();
    let trend = LineChart {
        title: format!("{}主要比率走势", quarter.label()),
        series: vec![
            series_of("节点完成率", &|f| f.node_completion.value(), &overviews),
            series_of("按期完成率", &|f| f.on_time.value(), &overviews),
            series_of("项目完成率", &|f| f.project_completion.value(), &overviews),
            series_of("投资完成率", &|f| f.investment.value(), &overviews),
        ],
        y_max: Some(1.0),
        y_format: ValueFormat::Percent,
        width: 720,
        height: 300,
    }
    .to_svg();

    let categories = compare(&o0.categories, &o1.categories, |id| {
        Some(format!("/categories/{id}?{qs}"))
    });
    let mut finished: Vec<(String, f64, String, Option<String>)> = o1
        .categories
        .iter()
        .map(|b| {
            let before = o0
                .categories
                .iter()
                .find(|s| s.id == b.id)
                .map_or(0, |s| s.figures.finished());
            let n = b.figures.finished().saturating_sub(before);
            (
                b.name.clone(),
                n as f64,
                format!("/categories/{}?{qs}", b.id),
                Some(category_color(p, b.id)),
            )
        })
        .filter(|(_, n, _, _)| *n > 0.0)
        .collect();
    finished.sort_by(|a, b| b.1.total_cmp(&a.1));
    let finished_chart = BarChart {
        title: format!("{}各类别完工项目（个）", quarter.label()),
        bars: finished
            .into_iter()
            .map(|(label, value, href, color)| Bar {
                display: fmt::count(value as u64),
                tooltip: Some(format!("{label}：本季完工 {value} 个")),
                label,
                value,
                href: Some(href),
                color,
            })
            .collect(),
        max: None,
        target: None,
        width: 640,
    }
    .to_svg();

    // Projects that moved most, and overdue projects that did not move at all.
    let projects = ProjectIndex::new(p);
    let mut moved: Vec<(&Project, f64, f64, u64)> = p
        .projects
        .iter()
        .filter(|pr| pr.plan_for(year).is_some() && mine(pr) && !rates::is_suspended(pr, end))
        .map(|pr| {
            let overdue = pr
                .milestones
                .iter()
                .filter(|m| rates::overdue_days(m, end).is_some())
                .count() as u64;
            (
                pr,
                rates::percent_complete(pr, start),
                rates::percent_complete(pr, end),
                overdue,
            )
        })
        .collect();
    let mover = |(pr, a, b, overdue): &(&Project, f64, f64, u64)| MoverRow {
        href: format!("/projects/{}?{qs}", pr.id),
        name: pr.name.clone(),
        district: p.unit_name(pr.district).to_string(),
        category: p.category_name(pr.category).to_string(),
        start: format!("{:.0}%", a * 100.0),
        end: format!("{:.0}%", b * 100.0),
        change: format!("{:+.0}个百分点", (b - a) * 100.0),
        overdue: if *overdue > 0 {
            format!("{overdue} 个")
        } else {
            String::new()
        },
    };
    let mut stalled: Vec<&(&Project, f64, f64, u64)> = moved
        .iter()
        .filter(|(_, a, b, overdue)| *overdue > 0 && (b - a).abs() < 1e-9)
        .collect();
    stalled.sort_by(|x, y| y.3.cmp(&x.3).then(x.0.code.cmp(&y.0.code)));
    let stalled: Vec<MoverRow> = stalled.into_iter().take(10).map(mover).collect();
    moved.sort_by(|x, y| {
        (y.2 - y.1)
            .total_cmp(&(x.2 - x.1))
            .then(x.0.code.cmp(&y.0.code))
    });
    let movers: Vec<MoverRow> = moved.iter().take(10).map(mover).collect();

    // Recurring problems: tracked items by topic and by outside body.
    let last = quarter.previous();
    let in_quarter = |d: Date, q: Quarter| d >= q.first_day() && d <= q.last_day();
    let mut topics: BTreeMap<String, [u64; 4]> = BTreeMap::new();
    let mut bodies: BTreeMap<String, [u64; 4]> = BTreeMap::new();
    let cadence = super::records(&state, Format::Html).await?;
    for item in cadence
        .items
        .iter()
        .filter(|i| viewer.sees_item(i, &projects))
    {
        let now = in_quarter(item.opened_on, quarter);
        let before = in_quarter(item.opened_on, last);
        if !now && !before {
            continue;
        }
        let open =
            now && item.state_on(end).status != jianguan_domain::followup::ItemStatus::Closed;
        let overdue = now && item.overdue_days(end).is_some();
        let add = |counts: &mut [u64; 4]| {
            counts[0] += u64::from(now);
            counts[1] += u64::from(before);
            counts[2] += u64::from(open);
            counts[3] += u64::from(overdue);
        };
        add(topics.entry(item.topic.clone()).or_default());
        for body in &item.bodies {
            add(bodies.entry(body.clone()).or_default());
        }
    }
    let problem_rows = |map: BTreeMap<String, [u64; 4]>| {
        let mut rows: Vec<(String, [u64; 4])> = map.into_iter().filter(|(_, c)| c[0] > 0).collect();
        rows.sort_by(|a, b| b.1[0].cmp(&a.1[0]).then(a.0.cmp(&b.0)));
        rows.into_iter()
            .map(|(name, c)| ProblemRow {
                name,
                this_quarter: fmt::count(c[0]),
                last_quarter: fmt::count(c[1]),
                open: fmt::count(c[2]),
                overdue: fmt::count(c[3]),
                recurring: c[1] > 0,
            })
            .collect::<Vec<_>>()
    };

    let page = QuarterlyPage {
        heading: format!("{}分析", quarter.label()),
        range: format!(
            "季初（{}）与季末（{}）对比{}",
            fmt::date_cn(start),
            fmt::date_cn(end),
            if end < quarter.last_day() {
                "；本季度尚未结束，季末按今天计"
            } else {
                ""
            }
        ),
        prev: format!("/quarterly?q={}", quarter.previous().code()),
        next: format!("/quarterly?q={}", quarter.next().code()),
        quarter: quarter.code(),
        total: row("全市", None, &o0.total, &o1.total),
        trend,
        finished_chart,
        tables: vec![
            Table {
                id: "categories",
                caption: "分类别（按项目完成率提高幅度排序）",
                first: "类别",
                rows: categories,
            },
            Table {
                id: "districts",
                caption: "分县区（按项目完成率提高幅度排序）",
                first: "县区",
                rows: compare(&o0.districts, &o1.districts, |id| {
                    Some(format!("/districts/{id}?{qs}"))
                }),
            },
            Table {
                id: "lead-units",
                caption: "分牵头单位（按项目完成率提高幅度排序）",
                first: "牵头单位",
                rows: compare(&o0.lead_units, &o1.lead_units, |_| None),
            },
        ],
        movers,
        stalled,
        problems: vec![
            Table {
                id: "topics",
                caption: "按问题类型",
                first: "问题类型",
                rows: problem_rows(topics),
            },
            Table {
                id: "bodies",
                caption: "按需协调单位",
                first: "需协调单位",
                rows: problem_rows(bodies),
            },
        ],
        narrowed: !viewer.sees_all(),
        layout,
    };
    super::html(page)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

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
}
