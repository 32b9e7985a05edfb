//! The server-rendered pages. Handlers read a snapshot, let the domain compute, and fill view
//! models whose strings are already formatted (see [`crate::fmt`]); templates only lay out.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use jianguan_charts::{Bar, BarChart, palette_color};
use jianguan_domain::map::MapFilter;
use jianguan_domain::model::{
    Category, CategoryId, Portfolio, Project, ProjectStatus, Unit, UnitId, UnitKind,
};
use jianguan_domain::overview::{
    Breakdown, Figures, Overview, ProjectQuery, ProjectRow, ProjectSort, lagging_projects, page_of,
    project_rows,
};
use jianguan_domain::rates;
use jianguan_domain::store::ReportVersions;

use crate::api::{Scope, page_project_query};
use crate::auth::CurrentUser;
use crate::error::{AppError, Format};
use crate::fmt;
use crate::params::urlencode;
use crate::params::{AsOfQuery, Fields, FromParams, Typed};
use crate::view::{self, Choice, Head, Layout, choices};
use crate::{AppState, Params, Snapshot};
use axum::Extension;
use jianguan_access::policy::{Action, Resource};

/// A headline figure.
struct Card {
    label: &'static str,
    value: String,
    detail: String,
    href: Option<String>,
}

/// One row of a figures table (a category or a district).
struct FigRow {
    name: String,
    href: Option<String>,
    projects: String,
    planned: String,
    finished: String,
    completion: String,
    node: String,
    on_time: String,
    invest_wan: String,
    invest_rate: String,
    overdue: String,
    outcome: String,
}

impl FigRow {
    fn new(name: &str, href: Option<String>, f: &Figures) -> FigRow {
        FigRow {
            name: name.to_string(),
            href,
            projects: fmt::count(f.projects),
            planned: fmt::count(f.planned()),
            finished: fmt::count(f.finished()),
            completion: fmt::rate(f.project_completion.value()),
            node: fmt::rate(f.node_completion.value()),
            on_time: fmt::rate(f.on_time.value()),
            invest_wan: fmt::wan(f.investment.completed),
            invest_rate: fmt::rate(f.investment.value()),
            overdue: fmt::count(f.overdue_milestones),
            outcome: outcome(f),
        }
    }
}

/// What a set of projects delivered, in the words the summary uses: built by type, parking
/// spaces, investment.
fn outcome(f: &Figures) -> String {
    let lang = crate::i18n::lang();
    let mut parts = Vec::new();
    let b = f.finished_by_build_type;
    if b.new > 0 && b.renovation > 0 {
        parts.push(lang.tn2("新建 {n} 个、改造 {m} 个", b.new, b.renovation));
    }
    if f.finished_scale.toilets > 0 {
        parts.push(lang.tn("公厕 {n} 座", fmt::count(f.finished_scale.toilets)));
    }
    if f.finished_scale.parking_spaces > 0 {
        parts.push(lang.tn(
            "新增泊位 {n} 个",
            fmt::count(f.finished_scale.parking_spaces),
        ));
    }
    if let Some(done) = f.all_finished_on {
        parts.push(lang.tn("{n}全部完工", lang.date(done)));
    }
    parts.join(lang.t("；"))
}

/// One row of a project table.
struct ProjRow {
    seq: usize,
    href: String,
    code: String,
    name: String,
    category: String,
    district: String,
    lead_unit: String,
    status: String,
    status_class: &'static str,
    progress: String,
    overdue: String,
    next: String,
    invest_wan: String,
}

pub(crate) fn status_class(s: ProjectStatus) -> &'static str {
    match s {
        ProjectStatus::Preliminary => "st-pre",
        ProjectStatus::UnderConstruction => "st-build",
        ProjectStatus::Built | ProjectStatus::Accepted | ProjectStatus::HandedOver => "st-done",
        ProjectStatus::Suspended => "st-hold",
    }
}

fn proj_rows(rows: &[ProjectRow], first_seq: usize, qs: &str) -> Vec<ProjRow> {
    let lang = crate::i18n::lang();
    rows.iter()
        .enumerate()
        .map(|(i, r)| ProjRow {
            seq: first_seq + i,
            href: format!("/projects/{}?{qs}", r.id),
            code: r.code.clone(),
            name: r.name.clone(),
            category: r.category_name.clone(),
            district: r.district_name.clone(),
            lead_unit: r.lead_unit_name.clone(),
            status: lang.t(r.status.label()).to_string(),
            status_class: status_class(r.status),
            progress: format!("{:.0}%", r.percent_complete * 100.0),
            overdue: if r.overdue_milestones > 0 {
                lang.tn2(
                    "{n} 个，最长 {m} 天",
                    r.overdue_milestones,
                    r.max_overdue_days,
                )
            } else {
                String::new()
            },
            next: r
                .next_milestone
                .as_ref()
                .map(|(name, d)| lang.tn2("{n}（{m}）", name, d))
                .unwrap_or_default(),
            invest_wan: fmt::wan(r.investment_in_year),
        })
        .collect()
}

fn cards(f: &Figures, qs: &str, scope_filter: &str) -> Vec<Card> {
    let lang = crate::i18n::lang();
    vec![
        Card {
            label: lang.t("项目总数"),
            value: fmt::count(f.projects),
            detail: lang.tn2(
                "年度建设 {n}，前期或跨年 {m}",
                fmt::count(f.planned()),
                fmt::count(f.preliminary_projects),
            ),
            href: Some(format!("/projects?{qs}{scope_filter}")),
        },
        Card {
            label: lang.t("项目完成率"),
            value: fmt::rate(f.project_completion.value()),
            detail: lang.tn2(
                "完成 {n} / 计划 {m}",
                fmt::count(f.finished()),
                fmt::count(f.planned()),
            ),
            href: None,
        },
        Card {
            label: lang.t("节点完成率"),
            value: fmt::rate(f.node_completion.value()),
            detail: lang.tn2(
                "已完成 {n} / 应完成 {m}",
                fmt::count(f.node_completion.numerator),
                fmt::count(f.node_completion.denominator),
            ),
            href: None,
        },
        Card {
            label: lang.t("按期完成率"),
            value: fmt::rate(f.on_time.value()),
            detail: lang.tn("按期 {n} 个节点", fmt::count(f.on_time.numerator)),
            href: None,
        },
        Card {
            label: lang.t("投资完成率"),
            value: fmt::rate(f.investment.value()),
            detail: lang.tn2(
                "完成 {n} 亿元 / 计划 {m} 亿元",
                fmt::yi(f.investment.completed),
                fmt::yi(f.investment.planned),
            ),
            href: None,
        },
        Card {
            label: lang.t("逾期节点"),
            value: fmt::count(f.overdue_milestones),
            detail: lang.tn("涉及 {n} 个项目", fmt::count(f.overdue_projects)),
            href: Some(format!(
                "/projects?{qs}{scope_filter}&overdue=1&sort=overdue&order=desc"
            )),
        },
    ]
}

/// A bar chart of the project completion rate, worst first, with the full plan as the target.
fn completion_chart<Id: Copy>(
    title: &str,
    lines: &[Breakdown<Id>],
    href: impl Fn(Id) -> String,
    color: impl Fn(usize, Id) -> Option<String>,
) -> String {
    let mut bars: Vec<(usize, &Breakdown<Id>)> = lines
        .iter()
        .enumerate()
        .filter(|(_, b)| b.figures.planned() > 0)
        .collect();
    bars.sort_by(|a, b| {
        let va = a.1.figures.project_completion.value().unwrap_or(0.0);
        let vb = b.1.figures.project_completion.value().unwrap_or(0.0);
        va.total_cmp(&vb)
    });
    let lang = crate::i18n::lang();
    BarChart {
        title: title.to_string(),
        bars: bars
            .into_iter()
            .map(|(i, b)| Bar {
                label: b.name.clone(),
                value: b.figures.project_completion.value().unwrap_or(0.0),
                display: fmt::rate(b.figures.project_completion.value()),
                href: Some(href(b.id)),
                color: color(i, b.id),
                tooltip: Some(format!(
                    "{}{}{}",
                    b.name,
                    lang.t("："),
                    lang.tn2(
                        "完成 {n} / 计划 {m}",
                        b.figures.finished(),
                        b.figures.planned()
                    ) + lang.t("，")
                        + &fmt::rate(b.figures.project_completion.value())
                )),
            })
            .collect(),
        max: Some(1.0),
        target: Some((1.0, lang.t("目标 100%").to_string())),
        from: jianguan_charts::axis_floor(
            lines
                .iter()
                .filter(|b| b.figures.planned() > 0)
                .filter_map(|b| b.figures.project_completion.value()),
        )
        .map(|floor| {
            (
                floor,
                lang.tn("横轴自 {n} 起，以显示差异", fmt::rate(Some(floor))),
            )
        }),
        width: 640,
        lang,
    }
    .to_svg()
}

/// The category's position in the portfolio, which fixes its colour in every chart.
pub(crate) fn category_color(portfolio: &Portfolio, id: CategoryId) -> String {
    let index = portfolio
        .categories
        .iter()
        .position(|c| c.id == id)
        .unwrap_or(0);
    palette_color(index).to_string()
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    layout: Layout,
    cards: Vec<Card>,
    empty: bool,
    category_chart: String,
    district_chart: String,
    categories: Vec<FigRow>,
    districts: Vec<FigRow>,
    total: FigRow,
    /// Whether the figures are read against the adjusted plan rather than the baseline.
    adjusted: bool,
    /// The last closed week: warnings ladder, filing, overdue items, the district league.
    situation: Option<crate::cadence_pages::dispatch::Situation>,
    /// The year's headline rates month by month (SVG).
    trend_chart: String,
}

/// The overview's query: the year and as-of date, and which plan the rates are read against.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OverviewQuery {
    when: AsOfQuery,
    adjusted: bool,
}

impl FromParams for OverviewQuery {
    fn from_params(f: &mut Fields<'_>) -> Self {
        let when = AsOfQuery::from_params(f);
        let adjusted = f
            .choice(
                "plan",
                |v| match v {
                    "baseline" => Some(false),
                    "adjusted" => Some(true),
                    _ => None,
                },
                "应为 baseline（基线）或 adjusted（调整后计划）",
            )
            .unwrap_or(false);
        OverviewQuery { when, adjusted }
    }
}

/// What the overview page shows from the records: the figures, the year's trend and the
/// 本周调度 box's pack.
pub(crate) struct OverviewFigures {
    overview: Overview,
    trend: Vec<(jianguan_domain::Date, Figures)>,
    situation: Option<(
        jianguan_domain::dispatch::Week,
        jianguan_domain::dispatch::DispatchPack,
    )>,
}

/// Readers who share the overview's figures: the same scope and unit, year and day.
pub(crate) type OverviewKey = (
    jianguan_access::scope::Scope,
    Option<jianguan_domain::model::UnitId>,
    i16,
    jianguan_domain::Date,
);

/// The overview's figures from `snap` for `viewer`. Rates are read against the baseline; the
/// adjusted plan only when asked (a copy with the approved changes' dates and amounts in place
/// of the baseline's). The figures and the year's trend are summed on the blocking pool from
/// the node's figure book, which a write costs only the projects it touched; the adjusted plan
/// (a copy of every project) is worked out afresh.
async fn overview_figures(
    state: &Arc<AppState>,
    snap: Arc<Snapshot>,
    viewer: crate::cadence_pages::Viewer,
    year: i16,
    as_of: jianguan_domain::Date,
    adjusted: bool,
) -> Result<OverviewFigures, AppError> {
    let visible = viewer.scope;
    let (overview, trend) = {
        let (state, snap) = (state.clone(), snap.clone());
        tokio::task::spawn_blocking(move || {
            let covers = |pr: &jianguan_domain::model::Project| visible.covers(pr);
            if adjusted {
                let plan = jianguan_domain::plan::adjusted_portfolio(&snap.portfolio);
                return (
                    Overview::compute_filtered(&plan, &snap.ledger, year, as_of, covers),
                    jianguan_domain::overview::year_trend(&plan, &snap.ledger, year, as_of, covers),
                );
            }
            // The trend's days, and the day asked for when it is not among them (outside the
            // year).
            let mut dates = jianguan_domain::overview::trend_dates(year, as_of);
            let trend_days = dates.len();
            if dates.last() != Some(&as_of) {
                dates.push(as_of);
            }
            let book = state.app().figure_book(&snap, year, dates);
            let mut trend = book.totals(covers);
            trend.truncate(trend_days);
            (
                book.overview(&snap.portfolio, book.dates().len() - 1, covers),
                trend,
            )
        })
        .await
        .map_err(|e| AppError::internal(format!("overview task: {e}")))?
    };
    let situation = if overview.total.projects == 0 {
        None
    } else {
        Some(crate::cadence_pages::dispatch::situation_pack(state, &snap, viewer, as_of).await?)
    };
    Ok(OverviewFigures {
        overview,
        trend,
        situation,
    })
}

pub(crate) async fn overview(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    Typed(query): Typed<OverviewQuery>,
) -> Result<Response, AppError> {
    let viewer = crate::cadence_pages::Viewer::of(&user, Resource::Portfolio)?;
    let snap = view::snapshot(&state).await?;
    let scope = Scope::of(query.when, &snap, state.today());
    let (year, as_of) = (scope.year, scope.as_of);
    // Readers of one scope and day share the figures of any snapshot at least as new as their
    // arrival (see `Shared`); the adjusted plan is rarer and worked out for each request.
    let figures = if query.adjusted {
        Arc::new(overview_figures(&state, snap.clone(), viewer, year, as_of, true).await?)
    } else {
        let key = (viewer.scope, viewer.unit, year, as_of);
        state
            .overviews
            .get(&key, snap.version, || async {
                let latest = view::snapshot(&state).await?;
                let figures =
                    overview_figures(&state, latest.clone(), viewer, year, as_of, false).await?;
                Ok::<_, AppError>((latest.version, figures))
            })
            .await?
    };
    let OverviewFigures {
        overview: o,
        trend,
        situation,
    } = &*figures;
    let situation = situation
        .as_ref()
        .map(|(week, pack)| crate::cadence_pages::dispatch::situation(*week, pack));
    let layout = Layout::new("总览", "overview", scope, &snap, "/", &user);
    let lang = layout.lang();
    let qs = layout.qs.clone();
    let p = &snap.portfolio;
    let empty = o.total.projects == 0;
    view::render(OverviewPage {
        situation,
        trend_chart: trend_chart(scope.year, trend),
        adjusted: query.adjusted,
        cards: cards(&o.total, &qs, ""),
        empty,
        category_chart: completion_chart(
            lang.t("各类别项目完成率"),
            &o.categories,
            |id| format!("/categories/{id}?{qs}"),
            |_, id| Some(category_color(p, id)),
        ),
        district_chart: completion_chart(
            lang.t("各县区项目完成率"),
            &o.districts,
            |id| format!("/districts/{id}?{qs}"),
            |_, _| None,
        ),
        categories: o
            .categories
            .iter()
            .map(|b| {
                FigRow::new(
                    &b.name,
                    Some(format!("/categories/{}?{qs}", b.id)),
                    &b.figures,
                )
            })
            .collect(),
        districts: o
            .districts
            .iter()
            .map(|b| {
                FigRow::new(
                    &b.name,
                    Some(format!("/districts/{}?{qs}", b.id)),
                    &b.figures,
                )
            })
            .collect(),
        total: FigRow::new(lang.t("合计"), None, &o.total),
        layout,
    })
}

/// The year's headline rates at each month's end, one line each (0–100%, so a line's height is
/// its rate).
fn trend_chart(year: i16, trend: &[(jianguan_domain::Date, Figures)]) -> String {
    let lang = crate::i18n::lang();
    let series = jianguan_domain::quarterly::TREND_RATES
        .iter()
        .map(|(name, rate)| jianguan_charts::LineSeries {
            name: lang.t(name).to_string(),
            color: None,
            // A month with nothing to measure yet (January's node completion) has no point,
            // not a point at zero.
            points: trend
                .iter()
                .filter_map(|(d, f)| Some((lang.tn("{n}月", d.month()), rate(f)?)))
                .collect(),
        })
        .collect();
    jianguan_charts::LineChart {
        title: lang.tn("{n} 年主要比率走势（各月末）", year),
        series,
        y_max: Some(1.0),
        y_format: jianguan_charts::ValueFormat::Percent,
        width: 760,
        height: 300,
        lang,
    }
    .to_svg()
}

/// The project table's columns: (header, numeric, the sort it offers).
const PROJ_COLUMNS: [(&str, bool, Option<ProjectSort>); 11] = [
    ("序号", false, None),
    ("编码", false, Some(ProjectSort::Code)),
    ("项目名称", false, Some(ProjectSort::Name)),
    ("类别", false, None),
    ("县区", false, None),
    ("牵头单位", false, None),
    ("状态", false, None),
    ("进度", true, Some(ProjectSort::Progress)),
    ("逾期", false, Some(ProjectSort::Overdue)),
    ("下一节点", false, None),
    ("年度完成投资（万元）", true, Some(ProjectSort::Investment)),
];

/// The project table's headers; with `sorting` (the list's query and a link maker taking a sort
/// and whether descending) the sortable ones link (see [`view::sort_heads`]).
fn proj_heads(sorting: Option<(&ProjectQuery, view::SortLinkFn<'_, ProjectSort>)>) -> Vec<Head> {
    view::sort_heads(
        &PROJ_COLUMNS,
        sorting.map(|(q, link)| ((q.sort, q.descending), link)),
    )
}

#[derive(Template)]
#[template(path = "projects.html")]
struct ProjectListPage {
    layout: Layout,
    /// Whether the user may import a ledger (and so sees the link).
    may_import: bool,
    /// The export of the filtered list (every page), when the user may export.
    export: Option<String>,
    /// Whether the user may make projects by hand (within their scope).
    may_create: bool,
    categories: Vec<Choice>,
    districts: Vec<Choice>,
    lead_units: Vec<Choice>,
    statuses: Vec<Choice>,
    per_pages: Vec<Choice>,
    search: String,
    overdue: bool,
    rows: Vec<ProjRow>,
    heads: Vec<Head>,
    pager: view::Pager,
}

/// The query string of the list with one parameter changed (for sorting and paging links).
fn with_param(params: &Params, names: &[&str], set: &[(&str, String)]) -> String {
    let mut parts: Vec<String> = names
        .iter()
        .filter(|n| !set.iter().any(|(s, _)| s == *n))
        .filter_map(|n| params.get(n).map(|v| format!("{n}={}", urlencode(v))))
        .collect();
    parts.extend(set.iter().map(|(n, v)| format!("{n}={}", urlencode(v))));
    parts.join("&")
}

const LIST_PARAMS: [&str; 12] = [
    "year",
    "as_of",
    "category",
    "district",
    "lead_unit",
    "status",
    "overdue",
    "q",
    "sort",
    "order",
    "page",
    "per_page",
];

/// The rows the list shows across its pages, for the reader: the page, its export and the
/// search read them here, so the three never disagree.
pub(crate) fn listed(
    snap: &Snapshot,
    scope: Scope,
    q: &ProjectQuery,
    visible: &jianguan_access::Scope,
) -> Vec<ProjectRow> {
    project_rows(
        &snap.portfolio,
        &snap.ledger,
        scope.year,
        scope.as_of,
        q,
        |pr| visible.covers(pr),
    )
}

pub(crate) async fn project_list(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    params: Params,
) -> Result<Response, AppError> {
    let visible = user.scope(Resource::Portfolio)?;
    let snap = view::snapshot(&state).await?;
    let scope = Scope::resolve(&params, &snap, state.today())?;
    let q = page_project_query(&params)?;
    let rows = listed(&snap, scope, &q, &visible);
    let p = &snap.portfolio;
    let layout =
        Layout::new("项目", "projects", scope, &snap, "/projects", &user).crumb("项目", None);
    let qs = layout.qs.clone();
    // Links carry the resolved year and date even when the request left them to defaults.
    let fixed = [
        ("year", scope.year.to_string()),
        ("as_of", scope.as_of.to_string()),
    ];
    let sort_link = |sort: ProjectSort, descending: bool| {
        let mut set = fixed.to_vec();
        set.push(("sort", sort.code().to_string()));
        set.push(("order", if descending { "desc" } else { "asc" }.to_string()));
        set.push(("page", "1".to_string()));
        format!("/projects?{}", with_param(&params, &LIST_PARAMS, &set))
    };
    let page_link = |n: u32| {
        let mut set = fixed.to_vec();
        set.push(("page", n.to_string()));
        format!("/projects?{}", with_param(&params, &LIST_PARAMS, &set))
    };
    let pager = view::Pager::new(q.page, rows.len() as u64, q.per_page, page_link);
    let first_seq = pager.skip(q.per_page) + 1;
    let page = page_of(rows, pager.page, q.per_page);
    let export = user.may(Resource::Project, Action::Export).then(|| {
        let mut set = fixed.to_vec();
        set.push(("sort", q.sort.code().to_string()));
        set.push((
            "order",
            if q.descending { "desc" } else { "asc" }.to_string(),
        ));
        let names: Vec<&str> = LIST_PARAMS
            .into_iter()
            .filter(|n| !["page", "per_page"].contains(n))
            .collect();
        format!("/projects.xlsx?{}", with_param(&params, &names, &set))
    });
    let reach = view::Reach::of(p, &visible);
    view::render(ProjectListPage {
        may_import: user.may(Resource::Project, Action::Create),
        export,
        may_create: user.may(Resource::Project, Action::Update),
        categories: choices(
            p.categories
                .iter()
                .filter(|c| reach.categories.contains(&c.id))
                .map(|c| (c.id.0, c.name.as_str())),
            q.category.map(|c| c.0),
        ),
        districts: choices(
            p.units_of(UnitKind::District)
                .filter(|u| reach.districts.contains(&u.id))
                .map(|u| (u.id.0, u.name.as_str())),
            q.district.map(|d| d.0),
        ),
        lead_units: choices(
            p.units_of(UnitKind::LeadUnit)
                .filter(|u| reach.lead_units.contains(&u.id))
                .map(|u| (u.id.0, u.name.as_str())),
            q.lead_unit.map(|d| d.0),
        ),
        statuses: ProjectStatus::ALL
            .iter()
            .map(|s| Choice {
                value: s.code().to_string(),
                label: layout.t(s.label()).to_string(),
                selected: q.status == Some(*s),
            })
            .collect(),
        per_pages: [20u32, 50, 100]
            .iter()
            .map(|n| Choice {
                value: n.to_string(),
                label: layout.tn("每页 {n} 条", n),
                selected: q.per_page == *n,
            })
            .collect(),
        search: params.get("q").unwrap_or("").to_string(),
        overdue: q.overdue_only,
        rows: proj_rows(&page.items, first_seq, &qs),
        heads: proj_heads(Some((&q, &sort_link))),
        pager,
        layout,
    })
}

/// `GET /projects.xlsx`: the project list as filtered and sorted on the page — every page, the
/// reader's scope — with the table's columns.
pub(crate) async fn project_list_xlsx(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    params: Params,
) -> Result<Response, AppError> {
    use jianguan_documents::xlsx::{Column, ColumnFormat as F, Sheet, Value, write_workbook};
    let visible = user.scope(Resource::Portfolio)?;
    let snap = view::snapshot(&state).await?;
    let scope = Scope::resolve(&params, &snap, state.today())?;
    let q = page_project_query(&params)?;
    let rows = listed(&snap, scope, &q, &visible);
    let mut sheet = Sheet::new(
        "项目列表",
        vec![
            Column::new("序号", 6.0, F::Int),
            Column::new("编码", 14.0, F::Text),
            Column::new("项目名称", 36.0, F::Text),
            Column::new("类别", 16.0, F::Text),
            Column::new("县区", 12.0, F::Text),
            Column::new("牵头单位", 16.0, F::Text),
            Column::new("状态", 8.0, F::Text),
            Column::new("进度", 8.0, F::Percent),
            Column::new("逾期节点", 9.0, F::Int),
            Column::new("最长逾期（天）", 12.0, F::Int),
            Column::new("下一节点", 16.0, F::Text),
            Column::new("下一节点计划日期", 14.0, F::Date),
            Column::new("年度完成投资（万元）", 18.0, F::Wan),
        ],
    );
    sheet.title = Some(format!(
        "{}年项目列表（截至{}，共{}个）",
        scope.year,
        scope.as_of,
        rows.len()
    ));
    sheet.rows = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            vec![
                Value::from((i + 1) as u64),
                r.code.as_str().into(),
                r.name.as_str().into(),
                r.category_name.as_str().into(),
                r.district_name.as_str().into(),
                r.lead_unit_name.as_str().into(),
                r.status.label().into(),
                r.percent_complete.into(),
                r.overdue_milestones.into(),
                (r.overdue_milestones > 0)
                    .then_some(r.max_overdue_days)
                    .into(),
                r.next_milestone
                    .as_ref()
                    .map(|(name, _)| name.as_str())
                    .into(),
                r.next_milestone.as_ref().map(|(_, d)| *d).into(),
                r.investment_in_year.wan().into(),
            ]
        })
        .collect();
    let bytes = tokio::task::spawn_blocking(move || write_workbook(&[sheet]))
        .await
        .map_err(|e| AppError::internal(e.to_string()))?
        .map_err(|e| AppError::internal(e.to_string()))?;
    Ok(crate::download::attachment(
        bytes,
        crate::download::XLSX,
        &format!("项目列表-{}.xlsx", scope.as_of),
    ))
}

/// A milestone line of the project page.
struct MilestoneLine {
    seq: u16,
    name: String,
    planned: String,
    /// How the planned date came about, when not the baseline as entered (调整为 …, 推算).
    planned_note: String,
    actual: String,
    state: String,
    state_class: &'static str,
}

/// A report line of the project page.
struct ReportLine {
    id: jianguan_domain::model::ReportId,
    /// Links to the report's photos.
    photos: Vec<String>,
    period: String,
    /// The period's first and last day, each kept on one line.
    period_days: Option<(String, String)>,
    version: String,
    filed: String,
    filed_class: &'static str,
    invest_wan: String,
    reached: String,
    note: String,
    problems: Vec<String>,
    correction: String,
}

#[derive(Template)]
#[template(path = "project.html")]
struct ProjectPage {
    layout: Layout,
    name: String,
    /// The edit form's link, when the user may edit projects (within their scope: this one is).
    edit: Option<String>,
    facts: Vec<(&'static str, String)>,
    status: String,
    status_class: &'static str,
    progress: String,
    timeline: String,
    milestones: Vec<MilestoneLine>,
    reports: Vec<ReportLine>,
    /// The project's light and warning history, when the user may read warnings.
    warnings: Option<crate::cadence_pages::warnings::ProjectWarnings>,
    /// Where to ask for a plan change (计划调整), when the user may and the year's plan is
    /// approved.
    change_link: Option<String>,
    /// The project and its neighbours on a map, when it has a location.
    map: Option<crate::map_pages::Inset>,
    /// The tracked items about the project: (link, kind, title, status, deadline).
    items: Vec<(
        String,
        &'static str,
        String,
        crate::cadence_pages::Badge,
        String,
    )>,
}

pub(crate) async fn project(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
    Typed(when): Typed<AsOfQuery>,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::not_found("该项目"))?;
    let snap = view::snapshot(&state).await?;
    let scope = Scope::of(when, &snap, state.today());
    let record = crate::api::visible_project(&state, &user, id, ReportVersions::All).await?;
    let p = &snap.portfolio;
    let pr: &Project = &record.project;
    let row = jianguan_domain::overview::project_row(p, &snap.ledger, pr, scope.year, scope.as_of);
    let layout = Layout::new(
        pr.name.clone(),
        "projects",
        scope,
        &snap,
        &format!("/projects/{id}"),
        &user,
    )
    .crumb(
        "项目",
        Some(format!(
            "/projects?{}",
            format_args!("year={}&as_of={}", scope.year, scope.as_of)
        )),
    )
    .crumb(pr.name.clone(), None);
    let lang = crate::i18n::lang();
    let scale = &pr.scale;
    let mut scale_parts = Vec::new();
    if let Some(v) = scale.households {
        scale_parts.push(lang.tn("惠及 {n} 户", fmt::count(v)));
    }
    if let Some(v) = scale.area_m2 {
        scale_parts.push(lang.tn("面积 {n} 平方米", fmt::count(v)));
    }
    if let Some(v) = scale.parking_spaces {
        scale_parts.push(lang.tn("泊位 {n} 个", fmt::count(v)));
    }
    if let Some(v) = scale.toilets {
        scale_parts.push(lang.tn("公厕 {n} 座", v));
    }
    if let Some(v) = scale.length_m {
        scale_parts.push(lang.tn("长度 {n} 米", fmt::count(v)));
    }
    let years = pr
        .year_plans
        .iter()
        .map(|y| {
            lang.tn("{n} 年", y.year)
                + &lang.tn2(
                    "（{n}，计划投资 {m} 万元）",
                    lang.t(y.kind.label()),
                    fmt::wan(y.planned_investment),
                )
        })
        .collect::<Vec<_>>()
        .join(lang.t("；"));
    let facts = vec![
        (lang.t("项目编码"), pr.code.clone()),
        (
            lang.t("类别"),
            format!(
                "{}{}",
                p.category_name(pr.category),
                pr.sub_category
                    .as_ref()
                    .map(|s| format!(" · {s}"))
                    .unwrap_or_default()
            ),
        ),
        (
            lang.t("县区 · 街道"),
            format!("{} · {}", p.unit_name(pr.district), pr.street),
        ),
        (lang.t("牵头单位"), p.unit_name(pr.lead_unit).to_string()),
        (
            lang.t("责任单位"),
            p.unit_name(pr.responsible_unit).to_string(),
        ),
        (lang.t("分指挥部"), p.unit_name(pr.sub_hq).to_string()),
        (
            lang.t("建设性质"),
            lang.t(pr.build_type.label()).to_string(),
        ),
        (
            lang.t("建设规模"),
            if scale_parts.is_empty() {
                "—".into()
            } else {
                scale_parts.join(lang.t("，"))
            },
        ),
        (lang.t("总投资（万元）"), fmt::wan(pr.total_investment)),
        (lang.t("年度计划"), years),
        (
            lang.t("计划状态"),
            pr.plan_for(scope.year).map_or("—".into(), |y| {
                let mut s = lang.t(y.status.label()).to_string();
                if let Some(c) = y.cancelled_on {
                    s.push_str(&lang.tn("（自 {n} 取消）", c));
                }
                if let Some(inv) = y.adjusted_investment {
                    s.push_str(&lang.tn("（年度投资调整为 {n} 万元）", fmt::wan(inv)));
                }
                s
            }),
        ),
        (lang.t("资金来源"), pr.funding_source.clone()),
        (
            lang.t("年度完成投资（万元）"),
            lang.tn2(
                "{n}（{m}）",
                fmt::wan(row.investment_in_year),
                fmt::rate(
                    rates::investment_completion(pr, &snap.ledger, scope.year, scope.as_of).value(),
                ),
            ),
        ),
        (
            lang.t("前期占周期"),
            rates::preliminary_share(pr, scope.as_of)
                .map_or("—".into(), |s| format!("{:.0}%", s * 100.0)),
        ),
    ];
    let milestones = pr
        .milestones
        .iter()
        .map(|m| {
            let (state, class) = if let Some(d) = rates::overdue_days(m, scope.as_of) {
                (lang.tn("逾期 {n} 天", d), "late")
            } else if let Some(late) = rates::days_late(m, scope.as_of) {
                if late > 0 {
                    (lang.tn("延期 {n} 天完成", late), "done-late")
                } else {
                    (lang.t("按期完成").to_string(), "done")
                }
            } else {
                (lang.t("未到期").to_string(), "pending")
            };
            MilestoneLine {
                seq: m.seq,
                name: m.name.clone(),
                planned: m.planned.to_string(),
                planned_note: match (m.derived, m.adjusted) {
                    (_, Some(a)) if a != m.planned => lang.tn("（调整为 {n}）", a),
                    (true, _) => lang.t("（推算）").to_string(),
                    _ => String::new(),
                },
                actual: m
                    .actual
                    .filter(|a| *a <= scope.as_of)
                    .map(|a| a.to_string())
                    .unwrap_or_default(),
                state,
                state_class: class,
            }
        })
        .collect();
    let periods: HashMap<_, _> = record.periods.iter().map(|per| (per.id, per)).collect();
    let names: HashMap<_, _> = pr
        .milestones
        .iter()
        .map(|m| (m.id, m.name.as_str()))
        .collect();
    let mut reports: Vec<ReportLine> = record
        .reports
        .iter()
        .filter(|r| {
            r.filed_on <= scope.as_of
                || periods
                    .get(&r.period)
                    .is_some_and(|per| per.end <= scope.as_of)
        })
        .map(|r| {
            let per = periods.get(&r.period);
            let late = per.is_some_and(|per| r.filed_on > per.deadline);
            ReportLine {
                id: r.id,
                photos: Vec::new(),
                period: per.map_or(String::new(), |per| {
                    lang.tn2("{n}年第{m}期", per.year, per.seq)
                }),
                period_days: per.map(|per| (per.start.to_string(), per.end.to_string())),
                version: if r.version == 1 {
                    lang.t("原始").into()
                } else {
                    lang.tn("第 {n} 版更正", r.version)
                },
                filed: r.filed_on.to_string(),
                filed_class: if late { "late" } else { "" },
                invest_wan: fmt::wan(r.investment_to_date),
                reached: r
                    .milestones_reached
                    .iter()
                    .map(|(m, d)| lang.tn2("{n}（{m}）", names.get(m).copied().unwrap_or("?"), d))
                    .collect::<Vec<_>>()
                    .join(lang.t("、")),
                note: r.note.clone(),
                problems: r
                    .problems
                    .iter()
                    .map(|pb| match &pb.needs_coordination_with {
                        Some(body) => {
                            format!("{}{}", pb.description, lang.tn("【需协调：{n}】", body))
                        }
                        None => pb.description.clone(),
                    })
                    .collect(),
                correction: r.correction_reason.clone().unwrap_or_default(),
            }
        })
        .collect();
    reports.reverse();
    for line in &mut reports {
        line.photos = state
            .store()
            .report_photos(line.id)
            .await
            .map_err(AppError::store)?
            .into_iter()
            .map(|photo| format!("/projects/{id}/photos/{}", photo.sha256))
            .collect();
    }
    let cadence = crate::cadence_pages::records(&state).await?;
    let warnings = user.may(Resource::Warning, Action::Read).then(|| {
        crate::cadence_pages::warnings::project_warnings(
            &cadence.warnings,
            &cadence.items,
            pr,
            scope.as_of,
        )
    });
    let items = if user.may(Resource::TrackedItem, Action::Read) {
        cadence
            .items
            .iter()
            .filter(|i| i.project == Some(pr.id) && i.opened_on <= scope.as_of)
            .map(|i| {
                // As of the page's date, as the item's own page and the list read it.
                let s = i.state_on(scope.as_of);
                (
                    format!("/items/{}?year={}&as_of={}", i.id, scope.year, scope.as_of),
                    i.kind.label(),
                    i.title.clone(),
                    crate::cadence_pages::status_badge(s.status),
                    s.deadline.to_string(),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let change_link = (user.may(Resource::Plan, Action::Create)
        && pr
            .plan_for(scope.year)
            .is_some_and(|y| y.status == jianguan_domain::model::PlanStatus::Approved))
    .then(|| format!("/plans/change?project={}", pr.id));
    let map = match pr.location {
        Some(at) => {
            crate::map_pages::inset(&state, &user, &snap, scope, Default::default(), Some(at))
                .await?
        }
        None => None,
    };
    view::render(ProjectPage {
        map,
        edit: user
            .may(Resource::Project, Action::Update)
            .then(|| format!("/projects/{id}/edit")),
        warnings,
        items,
        change_link,
        name: pr.name.clone(),
        facts,
        status: lang.t(row.status.label()).to_string(),
        status_class: status_class(row.status),
        progress: format!("{:.0}%", row.percent_complete * 100.0),
        timeline: jianguan_charts::MilestoneTimeline {
            title: crate::i18n::lang().tn("{n} 计划节点：计划与实际", &pr.name),
            as_of: scope.as_of.to_string(),
            milestones: pr
                .milestones
                .iter()
                .map(|m| jianguan_charts::TimelineMilestone {
                    name: m.name.clone(),
                    planned: m.planned.to_string(),
                    actual: m
                        .actual
                        .filter(|a| *a <= scope.as_of)
                        .map(|a| a.to_string()),
                    overdue_days: rates::overdue_days(m, scope.as_of),
                })
                .collect(),
            width: 760,
            lang: crate::i18n::lang(),
        }
        .to_svg(),
        milestones,
        reports,
        layout,
    })
}

#[derive(Template)]
#[template(path = "breakdown.html")]
struct BreakdownPage {
    layout: Layout,
    heading: String,
    cards: Vec<Card>,
    chart: String,
    table_title: &'static str,
    table_first: &'static str,
    rows: Vec<FigRow>,
    total: FigRow,
    lagging: Vec<ProjRow>,
    heads: Vec<Head>,
    lagging_href: String,
    /// The subject's projects on a map.
    map: Option<crate::map_pages::Inset>,
}

/// What a breakdown page is about: one district, broken down by category, or one category,
/// broken down by district.
enum Subject<'a> {
    District(&'a Unit),
    Category(&'a Category),
}

impl Subject<'_> {
    fn includes(&self, project: &Project) -> bool {
        match self {
            Subject::District(u) => project.district == u.id,
            Subject::Category(c) => project.category == c.id,
        }
    }

    fn name(&self) -> &str {
        match self {
            Subject::District(u) => &u.name,
            Subject::Category(c) => &c.name,
        }
    }

    /// The project-list filter that selects the subject's projects.
    fn filter(&self) -> String {
        match self {
            Subject::District(u) => format!("&district={}", u.id),
            Subject::Category(c) => format!("&category={}", c.id),
        }
    }
}

/// A district's or a category's page: its figures, a chart and table of the other axis, and
/// its lagging projects.
fn breakdown_page(
    snap: &Snapshot,
    scope: Scope,
    subject: Subject<'_>,
    user: &CurrentUser,
    visible: &jianguan_access::Scope,
    map: Option<crate::map_pages::Inset>,
) -> Result<Response, AppError> {
    let p = &snap.portfolio;
    let o = Overview::compute_filtered(p, &snap.ledger, scope.year, scope.as_of, |pr| {
        subject.includes(pr) && visible.covers(pr)
    });
    let (path, crumb, anchor) = match &subject {
        Subject::District(u) => (format!("/districts/{}", u.id), "县区", "districts"),
        Subject::Category(c) => (format!("/categories/{}", c.id), "类别", "categories"),
    };
    let name = subject.name().to_string();
    let layout = Layout::new(name.clone(), "overview", scope, snap, &path, user)
        .crumb(
            crumb,
            Some(format!(
                "/?year={}&as_of={}#{anchor}",
                scope.year, scope.as_of
            )),
        )
        .crumb(name.clone(), None);
    let qs = layout.qs.clone();
    let filter = subject.filter();
    // The other axis: (id, name, figures) per line, the list parameter, and bar colours.
    let lang = crate::i18n::lang();
    let (lines, param, heading, chart_title, table_title, table_first) = match &subject {
        Subject::District(_) => (
            o.categories
                .iter()
                .map(|b| (b.id.0, b.name.as_str(), &b.figures))
                .collect::<Vec<_>>(),
            "category",
            lang.tn2("{n}：{m} 年建管提升行动", &name, scope.year),
            lang.tn("{n} 各类别项目完成率", &name),
            "分类别",
            "类别",
        ),
        Subject::Category(c) => (
            o.districts
                .iter()
                .map(|b| (b.id.0, b.name.as_str(), &b.figures))
                .collect(),
            "district",
            lang.tn2("{n}：{m} 年", &name, scope.year)
                + &lang.tn2(
                    "（牵头单位 {n}，{m}）",
                    p.unit_name(c.lead_unit),
                    p.unit_name(c.sub_hq),
                ),
            lang.tn("{n} 各县区项目完成率", &name),
            "分县区",
            "县区",
        ),
    };
    let breakdowns: Vec<Breakdown<i64>> = lines
        .iter()
        .map(|(id, line_name, figures)| Breakdown {
            id: *id,
            name: line_name.to_string(),
            figures: **figures,
        })
        .collect();
    let color = |id: i64| match &subject {
        Subject::District(_) => Some(category_color(p, CategoryId(id))),
        Subject::Category(c) => Some(category_color(p, c.id)),
    };
    view::render(BreakdownPage {
        map,
        heading,
        cards: cards(&o.total, &qs, &filter),
        chart: completion_chart(
            &chart_title,
            &breakdowns,
            |id| format!("/projects?{qs}{filter}&{param}={id}"),
            |_, id| color(id),
        ),
        table_title,
        table_first,
        rows: breakdowns
            .iter()
            .map(|b| {
                FigRow::new(
                    &b.name,
                    Some(format!("/projects?{qs}{filter}&{param}={}", b.id)),
                    &b.figures,
                )
            })
            .collect(),
        total: FigRow::new(lang.t("合计"), None, &o.total),
        lagging: proj_rows(
            &lagging_projects(
                p,
                &snap.ledger,
                scope.year,
                scope.as_of,
                |pr| subject.includes(pr) && visible.covers(pr),
                20,
            ),
            1,
            &qs,
        ),
        heads: proj_heads(None),
        lagging_href: format!("/projects?{qs}{filter}&overdue=1&sort=overdue&order=desc"),
        layout,
    })
}

pub(crate) async fn district(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
    Typed(when): Typed<AsOfQuery>,
) -> Result<Response, AppError> {
    let visible = user.scope(Resource::Portfolio)?;
    let snap = view::snapshot(&state).await?;
    let unit = id
        .parse::<i64>()
        .ok()
        .and_then(|id| snap.portfolio.unit(UnitId(id)))
        .filter(|u| u.kind == UnitKind::District)
        .ok_or_else(|| AppError::not_found("该县区"))?;
    let own = visible == jianguan_access::scope::Scope::District(unit.id);
    if !own && !opens(&visible, &snap.portfolio, |p| p.district == unit.id) {
        return Err(AppError::forbidden(format!(
            "无权查看{}：只能查看本单位负责的县区",
            unit.name
        )));
    }
    let scope = Scope::of(when, &snap, state.today());
    let filter = MapFilter {
        district: Some(unit.id),
        ..MapFilter::default()
    };
    let map = crate::map_pages::inset(&state, &user, &snap, scope, filter, None).await?;
    breakdown_page(&snap, scope, Subject::District(unit), &user, &visible, map)
}

/// Whether a reader with this scope may open the category's page: the lead unit and the line
/// that own it, or anyone who sees one of its projects.
pub(crate) fn category_opens(
    visible: &jianguan_access::scope::Scope,
    portfolio: &Portfolio,
    category: &Category,
) -> bool {
    let own = matches!(visible, jianguan_access::scope::Scope::LeadUnit(u) if *u == category.lead_unit)
        || matches!(visible, jianguan_access::scope::Scope::Line(u) if *u == category.sub_hq);
    own || opens(visible, portfolio, |p| p.category == category.id)
}

pub(crate) async fn category(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
    Typed(when): Typed<AsOfQuery>,
) -> Result<Response, AppError> {
    let visible = user.scope(Resource::Portfolio)?;
    let snap = view::snapshot(&state).await?;
    let category = id
        .parse::<i64>()
        .ok()
        .and_then(|id| snap.portfolio.category(CategoryId(id)))
        .ok_or_else(|| AppError::not_found("该类别"))?;
    if !category_opens(&visible, &snap.portfolio, category) {
        return Err(AppError::forbidden(format!(
            "无权查看{}：只能查看本单位负责的类别",
            category.name
        )));
    }
    let scope = Scope::of(when, &snap, state.today());
    let filter = MapFilter {
        category: Some(category.id),
        ..MapFilter::default()
    };
    let map = crate::map_pages::inset(&state, &user, &snap, scope, filter, None).await?;
    breakdown_page(
        &snap,
        scope,
        Subject::Category(category),
        &user,
        &visible,
        map,
    )
}

/// Whether a reader seeing `visible` may open the page of a district or category (the projects
/// `in_subject` picks): the HQ always, anyone else when it holds a project they may see — so a
/// liaison opening another district is told they may not, instead of shown a page of zeros.
fn opens(
    visible: &jianguan_access::scope::Scope,
    portfolio: &Portfolio,
    in_subject: impl Fn(&Project) -> bool,
) -> bool {
    *visible == jianguan_access::scope::Scope::All
        || portfolio
            .projects
            .iter()
            .any(|p| in_subject(p) && visible.covers(p))
}

pub(crate) async fn not_found(uri: Uri) -> AppError {
    let format = if uri.path().starts_with("/api/") {
        Format::Json
    } else {
        Format::Html
    };
    AppError::not_found("该页面").with_format(format)
}
