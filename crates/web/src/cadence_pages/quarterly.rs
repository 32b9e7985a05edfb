//! The quarterly analysis (一季一分析): the rates by category, district and lead unit at the
//! quarter's start and end with their change, the month-by-month trend, the projects and units
//! that moved most (and the overdue projects that did not move at all), and the problem types
//! that recur in the tracked items (by topic and by outside body), this quarter against the last.
//! Computed once by [`QuarterlyAnalysis::build`] over the reader's projects and items (the Word
//! document formats the same value); this page only formats it, with server-drawn SVG charts.

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::response::Response;
use jianguan_access::policy::Resource;
use jianguan_domain::overview::Figures;
use jianguan_domain::quarterly::{
    Comparison, ProblemCount, ProjectMove, Quarter, QuarterlyAnalysis,
};

use super::{ProjectIndex, Viewer};
use crate::api::Scope;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::params::{AsOfQuery, Fields, FromParams, Typed};
use crate::view::{self, Layout};
use crate::{AppState, fmt};

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
}

fn compare<Id: Copy>(
    rows: &[Comparison<Id>],
    href: impl Fn(Id) -> Option<String>,
) -> Vec<CompareRow> {
    rows.iter()
        .map(|c| row(&c.name, href(c.id), &c.start, &c.end))
        .collect()
}

fn row(name: &str, href: Option<String>, a: &Figures, b: &Figures) -> CompareRow {
    CompareRow {
        name: name.to_string(),
        href,
        projects: fmt::count(b.projects),
        node: rate_cell(a.node_completion.value(), b.node_completion.value()),
        completion: rate_cell(a.project_completion.value(), b.project_completion.value()),
        investment: rate_cell(a.investment.value(), b.investment.value()),
        finished: super::delta(a.finished(), b.finished()),
        overdue: fmt::count(b.overdue_milestones),
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

/// The quarter a request asks for: `q=2021-Q3`, else the quarter of `as_of` or of the default
/// day of the year being reported on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct QuarterQuery {
    quarter: Option<Quarter>,
    /// Read only without `q` (as the quarter alone decides the analysis).
    when: AsOfQuery,
}

impl FromParams for QuarterQuery {
    fn from_params(f: &mut Fields<'_>) -> Self {
        let quarter = f.choice("q", Quarter::parse, "季度应写作 2021-Q3");
        // `as_of` decides the quarter when `q` does not; `year` only when neither does.
        let as_of = if quarter.is_none() {
            f.date("as_of")
        } else {
            None
        };
        let year = if quarter.is_none() && as_of.is_none() {
            f.year("year")
        } else {
            None
        };
        QuarterQuery {
            quarter,
            when: AsOfQuery { year, as_of },
        }
    }
}

fn quarter_of(
    query: QuarterQuery,
    snap: &crate::Snapshot,
    today: jianguan_domain::Date,
) -> Quarter {
    match (query.quarter, query.when.as_of) {
        (Some(q), _) => q,
        (None, Some(d)) => Quarter::of(d),
        (None, None) => Quarter::of(Scope::of(query.when, snap, today).as_of),
    }
}

/// `GET /quarterly.docx?q=2021-Q3`: the analysis as a Word document, over the reader's projects
/// like the page.
pub(crate) async fn docx(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    Typed(query): Typed<QuarterQuery>,
) -> Result<Response, AppError> {
    let viewer = Viewer::of(&user, Resource::Portfolio)?;
    let snap = view::snapshot(&state).await?;
    let today = state.today();
    let quarter = quarter_of(query, &snap, today);
    let cadence = super::records(&state).await?;
    let projects = ProjectIndex::new(&snap.portfolio);
    let analysis = QuarterlyAnalysis::build(
        &snap.portfolio,
        &snap.ledger,
        &cadence.items,
        quarter,
        today,
        |pr| viewer.scope.covers(pr),
        |i| viewer.sees_item(i, &projects),
    );
    let mut document = jianguan_documents::reports::quarterly(
        &analysis,
        &snap.portfolio,
        jianguan_documents::reports::DEFAULT_ISSUER,
    )
    .map_err(|e| AppError::internal(e.to_string()))?;
    let basemap = state.app().basemap(&snap).await?;
    let maps = jianguan_app::maps::pictures_as_of(
        &snap.portfolio,
        basemap.as_deref(),
        &analysis.end_overview,
        &cadence.warnings,
        &cadence.items,
        analysis.end_overview.as_of,
        |pr| viewer.scope.covers(pr),
    );
    jianguan_documents::reports::insert_maps(&mut document, &maps, "下一步工作")
        .map_err(|e| AppError::internal(e.to_string()))?;
    crate::download::docx(&document, &format!("{}分析.docx", quarter.label()))
}

/// `GET /quarterly?q=2021-Q3`.
pub(crate) async fn page(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    Typed(query): Typed<QuarterQuery>,
) -> Result<Response, AppError> {
    let viewer = Viewer::of(&user, Resource::Portfolio)?;
    let snap = view::snapshot(&state).await?;
    let today = state.today();
    let quarter = quarter_of(query, &snap, today);
    let p = &snap.portfolio;
    let cadence = super::records(&state).await?;
    let projects = ProjectIndex::new(p);
    let analysis = QuarterlyAnalysis::build(
        p,
        &snap.ledger,
        &cadence.items,
        quarter,
        today,
        |pr| viewer.scope.covers(pr),
        |i| viewer.sees_item(i, &projects),
    );
    let (start, end) = (analysis.start, analysis.end);
    let scope = Scope {
        year: analysis.year,
        as_of: end,
    };
    let lang = crate::i18n::lang();
    let quarter_name = match lang {
        crate::i18n::Lang::Zh => quarter.label(),
        crate::i18n::Lang::En => format!("Q{} {}", quarter.number(), quarter.year()),
    };
    let layout = Layout::new(
        lang.tn("{n}分析", &quarter_name),
        "quarterly",
        scope,
        &snap,
        "/quarterly",
        &user,
    )
    .crumb("分析", None);
    let qs = layout.qs.clone();

    let mover = |m: &ProjectMove| MoverRow {
        href: format!("/projects/{}?{qs}", m.project),
        name: m.name.clone(),
        district: p.unit_name(m.district).to_string(),
        category: p.category_name(m.category).to_string(),
        start: format!("{:.0}%", m.start * 100.0),
        end: format!("{:.0}%", m.end * 100.0),
        change: lang.tn("{n}个百分点", format!("{:+.0}", m.change() * 100.0)),
        overdue: if m.overdue_milestones > 0 {
            lang.tn("{n} 个", m.overdue_milestones)
        } else {
            String::new()
        },
    };
    let problem_rows = |counts: &[ProblemCount]| {
        counts
            .iter()
            .map(|c| ProblemRow {
                name: c.name.clone(),
                this_quarter: fmt::count(c.this_quarter),
                last_quarter: fmt::count(c.last_quarter),
                open: fmt::count(c.open),
                overdue: fmt::count(c.overdue),
                recurring: c.recurring(),
            })
            .collect::<Vec<_>>()
    };

    let page = QuarterlyPage {
        heading: lang.tn("{n}分析", &quarter_name),
        range: lang.tn2(
            "季初（{n}）与季末（{m}）对比",
            lang.date(start),
            lang.date(end),
        ) + if analysis.is_complete() {
            ""
        } else {
            lang.t("；本季度尚未结束，季末按今天计")
        },
        prev: format!("/quarterly?q={}", quarter.previous().code()),
        next: format!("/quarterly?q={}", quarter.next().code()),
        quarter: quarter.code(),
        total: row(
            "全市",
            None,
            &analysis.start_overview.total,
            &analysis.end_overview.total,
        ),
        trend: jianguan_documents::reports::trend_chart(&analysis, lang).to_svg(),
        finished_chart: jianguan_documents::reports::finished_chart(
            &analysis,
            p,
            Some(&|id| format!("/categories/{id}?{qs}")),
            lang,
        )
        .to_svg(),
        tables: vec![
            Table {
                id: "categories",
                caption: "分类别（按项目完成率提高幅度排序）",
                first: "类别",
                rows: compare(&analysis.categories(), |id| {
                    Some(format!("/categories/{id}?{qs}"))
                }),
            },
            Table {
                id: "districts",
                caption: "分县区（按项目完成率提高幅度排序）",
                first: "县区",
                rows: compare(&analysis.districts(), |id| {
                    Some(format!("/districts/{id}?{qs}"))
                }),
            },
            Table {
                id: "lead-units",
                caption: "分牵头单位（按项目完成率提高幅度排序）",
                first: "牵头单位",
                rows: compare(&analysis.lead_units(), |_| None),
            },
        ],
        movers: analysis.movers.iter().map(mover).collect(),
        stalled: analysis.stalled.iter().map(mover).collect(),
        problems: vec![
            Table {
                id: "topics",
                caption: "按问题类型",
                first: "问题类型",
                rows: problem_rows(&analysis.topics),
            },
            Table {
                id: "bodies",
                caption: "按需协调单位",
                first: "需协调单位",
                rows: problem_rows(&analysis.bodies),
            },
        ],
        narrowed: !viewer.sees_all(),
        layout,
    };
    view::render(page)
}
