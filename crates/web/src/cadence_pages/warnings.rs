//! The warnings ladder as people read it: the warnings open on a date (filtered by level,
//! district and category), and the red/yellow/blue lights of districts and categories — over
//! the reader's projects (HQ sees all; a unit sees its own, and lights computed over them).
//! The project page shows one project's light and warning history ([`project_warnings`]).

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use jianguan_access::policy::{Action, Resource};
use jianguan_domain::Date;
use jianguan_domain::acts;
use jianguan_domain::followup::TrackedItem;
use jianguan_domain::model::{CategoryId, Portfolio, Project, ProjectId, UnitId, UnitKind};
use jianguan_domain::warnings::{
    self, GroupLight, Light, LightRule, OpenWarning, WarningBook, WarningLevel,
};
use serde::Serialize;

use super::{Badge, ProjectIndex, Viewer, level_badge, light_badge};
use crate::api::Scope;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::params::{Fields, FromParams, order_from_code};
use crate::view::{self, Choice, Layout, choices};
use crate::{AppState, Params, Snapshot, fmt};

/// The filters of the list, from the query.
pub(crate) struct Filters {
    level: Option<WarningLevel>,
    district: Option<UnitId>,
    category: Option<CategoryId>,
    sort: WarnSort,
    descending: bool,
    page: u32,
    per_page: u32,
}

/// The columns the warning list sorts by. Ties keep the default order (level, then the oldest
/// first), so a sort never shuffles equal rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WarnSort {
    Level,
    Project,
    District,
    Since,
    Days,
}

impl WarnSort {
    const ALL: [WarnSort; 5] = [
        WarnSort::Level,
        WarnSort::Project,
        WarnSort::District,
        WarnSort::Since,
        WarnSort::Days,
    ];

    fn code(self) -> &'static str {
        match self {
            WarnSort::Level => "level",
            WarnSort::Project => "project",
            WarnSort::District => "district",
            WarnSort::Since => "since",
            WarnSort::Days => "days",
        }
    }

    fn from_code(code: &str) -> Option<WarnSort> {
        WarnSort::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Sorts rows already in the default order by this column.
    fn apply(self, rows: &mut [WarningView], descending: bool) {
        let cmp = |a: &WarningView, b: &WarningView| match self {
            WarnSort::Level => a.level.cmp(&b.level),
            WarnSort::Project => a.project_code.cmp(&b.project_code),
            WarnSort::District => a.district_id.0.cmp(&b.district_id.0),
            WarnSort::Since => a.since.cmp(&b.since),
            WarnSort::Days => a.days_open.cmp(&b.days_open),
        };
        rows.sort_by(|a, b| if descending { cmp(b, a) } else { cmp(a, b) });
    }
}

/// The warning table's columns: (header, numeric, the sort it offers).
const WARN_COLUMNS: [(&str, bool, Option<WarnSort>); 10] = [
    ("序号", false, None),
    ("项目", false, Some(WarnSort::Project)),
    ("县区", false, Some(WarnSort::District)),
    ("类别", false, None),
    ("责任单位", false, None),
    ("节点", false, None),
    ("等级", false, Some(WarnSort::Level)),
    ("首次预警", false, Some(WarnSort::Since)),
    ("持续", true, Some(WarnSort::Days)),
    ("原因", false, None),
];

impl Filters {
    fn parse(params: &Params) -> Result<Filters, AppError> {
        params.read()
    }

    fn keeps(&self, w: &OpenWarning, project: &Project) -> bool {
        self.level.is_none_or(|l| w.level == l)
            && self.district.is_none_or(|d| project.district == d)
            && self.category.is_none_or(|c| project.category == c)
    }
}

/// The list's filters, every malformed one named.
impl FromParams for Filters {
    fn from_params(f: &mut Fields<'_>) -> Self {
        // An unknown order falls back to the default, as the project list does.
        let sort = f
            .raw_opt("sort")
            .and_then(|c| WarnSort::from_code(&c))
            .unwrap_or(WarnSort::Level);
        let order = f.raw_opt("order").and_then(|c| order_from_code(&c));
        Filters {
            level: f.choice(
                "level",
                WarningLevel::from_code,
                "应为 at_risk、reminder 或 warning",
            ),
            district: f.id("district").map(UnitId),
            category: f.id("category").map(CategoryId),
            sort,
            // The default order is the most severe first.
            descending: order.unwrap_or(sort == WarnSort::Level),
            page: f.page("page"),
            per_page: f.per_page("per_page"),
        }
    }
}

/// One open warning as the page and the API show it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct WarningView {
    project_id: ProjectId,
    project_code: String,
    project_name: String,
    district_id: UnitId,
    district: String,
    category: String,
    unit: String,
    milestone: String,
    level: WarningLevel,
    level_label: &'static str,
    since: Date,
    changed_on: Date,
    days_open: i64,
    reason: String,
}

/// The light of one district or category over the reader's projects.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct LightView {
    id: i64,
    name: String,
    projects: u64,
    red: u64,
    yellow: u64,
    blue: u64,
    light: Light,
}

/// Lights of the districts and categories that have projects in the reader's scope, each over
/// those projects only (the grouping and the rule are the domain's `lights_by`).
fn group_lights(
    p: &Portfolio,
    year: i16,
    visible: impl Fn(&Project) -> bool,
    project_lights: &HashMap<ProjectId, Light>,
    rule: LightRule,
) -> (Vec<LightView>, Vec<LightView>) {
    let lights = warnings::lights_by(p, year, visible, project_lights, rule);
    fn view<Id>(id: i64, name: &str, g: &GroupLight<Id>) -> LightView {
        LightView {
            id,
            name: name.to_string(),
            projects: g.projects,
            red: g.red,
            yellow: g.yellow,
            blue: g.blue,
            light: g.light,
        }
    }
    let d = p
        .units_of(UnitKind::District)
        .filter_map(|u| {
            let g = lights.districts.iter().find(|g| g.id == u.id)?;
            Some(view(u.id.0, &u.name, g))
        })
        .collect();
    let c = p
        .categories
        .iter()
        .filter_map(|cat| {
            let g = lights.categories.iter().find(|g| g.id == cat.id)?;
            Some(view(cat.id.0, &cat.name, g))
        })
        .collect();
    (d, c)
}

/// What the list and the API compute.
struct Listing {
    open: Vec<WarningView>,
    by_level: Vec<(WarningLevel, u64)>,
    districts: Vec<LightView>,
    categories: Vec<LightView>,
}

fn listing(
    snap: &Snapshot,
    book: &WarningBook,
    items: &[TrackedItem],
    rule: LightRule,
    viewer: Viewer,
    scope: Scope,
    filters: &Filters,
) -> Listing {
    let p = &snap.portfolio;
    let projects = ProjectIndex::new(p);
    let visible: Vec<(OpenWarning, &Project)> = book
        .open_on(scope.as_of)
        .into_iter()
        .filter_map(|w| {
            let pr = projects.get(w.project)?;
            (pr.plan_for(scope.year).is_some() && viewer.scope.covers(pr)).then_some((w, pr))
        })
        .collect();
    let open_all: Vec<OpenWarning> = visible.iter().map(|(w, _)| w.clone()).collect();
    let project_lights =
        warnings::project_lights(&open_all, acts::projects_under_acts(items, scope.as_of));
    let (districts, categories) = group_lights(
        p,
        scope.year,
        |pr| viewer.scope.covers(pr),
        &project_lights,
        rule,
    );
    let by_level = WarningLevel::ALL
        .into_iter()
        .map(|l| {
            (
                l,
                visible.iter().filter(|(w, _)| w.level == l).count() as u64,
            )
        })
        .collect();
    let mut open: Vec<WarningView> = visible
        .iter()
        .filter(|(w, pr)| filters.keeps(w, pr))
        .map(|(w, pr)| WarningView {
            project_id: pr.id,
            project_code: pr.code.clone(),
            project_name: pr.name.clone(),
            district_id: pr.district,
            district: p.unit_name(pr.district).to_string(),
            category: p.category_name(pr.category).to_string(),
            unit: p.unit_name(pr.responsible_unit).to_string(),
            milestone: pr
                .milestones
                .iter()
                .find(|m| m.id == w.milestone)
                .map_or(String::new(), |m| m.name.clone()),
            level: w.level,
            level_label: w.level.label(),
            since: w.since,
            changed_on: w.changed_on,
            days_open: super::days(w.since, scope.as_of),
            reason: w.reason.clone(),
        })
        .collect();
    open.sort_by(|a, b| {
        b.level
            .cmp(&a.level)
            .then(a.since.cmp(&b.since))
            .then(a.project_code.cmp(&b.project_code))
    });
    if (filters.sort, filters.descending) != (WarnSort::Level, true) {
        filters.sort.apply(&mut open, filters.descending);
    }
    Listing {
        open,
        by_level,
        districts,
        categories,
    }
}

/// `GET /api/v1/warnings`: open warnings (filtered, paged) and the lights.
pub(crate) async fn api(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    params: Params,
) -> Result<Response, AppError> {
    let viewer = Viewer::of(&user, Resource::Warning)?;
    let filters = Filters::parse(&params)?;
    let snap = state.snapshot().await.map_err(AppError::store)?;
    let scope = Scope::resolve(&params, &snap, state.today())?;
    let cadence = super::records(&state).await?;
    let l = listing(
        &snap,
        &cadence.warnings,
        &cadence.items,
        cadence.rules.lights,
        viewer,
        scope,
        &filters,
    );
    let total = l.open.len();
    let start = ((filters.page - 1) * filters.per_page) as usize;
    let items: Vec<&WarningView> = l
        .open
        .iter()
        .skip(start)
        .take(filters.per_page as usize)
        .collect();
    let counts: serde_json::Map<String, serde_json::Value> = l
        .by_level
        .iter()
        .map(|(lv, n)| (lv.code().to_string(), (*n).into()))
        .collect();
    Ok(Json(serde_json::json!({
        "year": scope.year,
        "as_of": scope.as_of,
        "rules_version": cadence.rules.version,
        "total": total,
        "page": filters.page,
        "per_page": filters.per_page,
        "items": items,
        "open_by_level": counts,
        "lights": {"districts": l.districts, "categories": l.categories},
    }))
    .into_response())
}

struct LightRow {
    href: String,
    name: String,
    projects: String,
    red: String,
    yellow: String,
    blue: String,
    light: Badge,
}

fn light_rows(rows: &[LightView], href: impl Fn(i64) -> String) -> Vec<LightRow> {
    rows.iter()
        .map(|r| LightRow {
            href: href(r.id),
            name: r.name.clone(),
            projects: fmt::count(r.projects),
            red: fmt::count(r.red),
            yellow: fmt::count(r.yellow),
            blue: fmt::count(r.blue),
            light: light_badge(r.light),
        })
        .collect()
}

struct WarnRow {
    seq: usize,
    href: String,
    project: String,
    code: String,
    district: String,
    category: String,
    unit: String,
    milestone: String,
    level: Badge,
    since: String,
    days: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "warnings.html")]
struct WarningsPage {
    layout: Layout,
    levels: Vec<Choice>,
    districts: Vec<Choice>,
    categories: Vec<Choice>,
    per_pages: Vec<Choice>,
    by_level: Vec<(Badge, String, String)>,
    district_lights: Vec<LightRow>,
    category_lights: Vec<LightRow>,
    rows: Vec<WarnRow>,
    heads: Vec<view::Head>,
    /// Whether the reader may open the proposals of acts (and so the text links them).
    may_acts: bool,
    pager: view::Pager,
    /// The export of the filtered list (every page), when the user may export.
    export: Option<String>,
    rules_version: u32,
}

/// What `/warnings` and its export read for one request: one snapshot, scope and filter set, so
/// the export holds exactly the list's rows.
struct ListRead {
    viewer: Viewer,
    filters: Filters,
    snap: Arc<Snapshot>,
    scope: Scope,
    cadence: Arc<crate::cadence::CadenceSnapshot>,
    listing: Listing,
}

async fn read_list(
    state: &AppState,
    user: &CurrentUser,
    params: &Params,
) -> Result<ListRead, AppError> {
    let viewer = Viewer::of(user, Resource::Warning)?;
    let filters = Filters::parse(params)?;
    let snap = view::snapshot(state).await?;
    let scope = Scope::resolve(params, &snap, state.today())?;
    let cadence = super::records(state).await?;
    let listing = listing(
        &snap,
        &cadence.warnings,
        &cadence.items,
        cadence.rules.lights,
        viewer,
        scope,
        &filters,
    );
    Ok(ListRead {
        viewer,
        filters,
        snap,
        scope,
        cadence,
        listing,
    })
}

/// `GET /warnings`.
pub(crate) async fn page(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    params: Params,
) -> Result<Response, AppError> {
    let ListRead {
        viewer,
        filters,
        snap,
        scope,
        cadence,
        listing: l,
    } = read_list(&state, &user, &params).await?;
    let p = &snap.portfolio;
    let reach = view::Reach::of(p, &viewer.scope);
    let layout = Layout::new("警示提醒", "warnings", scope, &snap, "/warnings", &user)
        .crumb("警示提醒", None);
    let qs = layout.qs.clone();
    let filters_qs = {
        let mut parts = vec![qs.clone()];
        if let Some(l) = filters.level {
            parts.push(format!("level={}", l.code()));
        }
        if let Some(d) = filters.district {
            parts.push(format!("district={d}"));
        }
        if let Some(c) = filters.category {
            parts.push(format!("category={c}"));
        }
        parts.join("&")
    };
    let order_qs = |sort: WarnSort, descending: bool| {
        format!(
            "sort={}&order={}",
            sort.code(),
            if descending { "desc" } else { "asc" }
        )
    };
    // The list's order travels with its pages and its export; a new order starts at page 1.
    let sorted_qs = format!(
        "{filters_qs}&{}",
        order_qs(filters.sort, filters.descending)
    );
    let sort_link = |sort: WarnSort, descending: bool| {
        format!(
            "/warnings?{filters_qs}&{}&per_page={}",
            order_qs(sort, descending),
            filters.per_page
        )
    };
    let heads = view::sort_heads(
        &WARN_COLUMNS,
        Some(((filters.sort, filters.descending), &sort_link)),
    );
    let filter_qs = |page: u32| {
        format!(
            "/warnings?{sorted_qs}&per_page={}&page={page}",
            filters.per_page
        )
    };
    let pager = view::Pager::new(
        filters.page,
        l.open.len() as u64,
        filters.per_page,
        filter_qs,
    );
    let rows = l
        .open
        .iter()
        .enumerate()
        .skip(pager.skip(filters.per_page))
        .take(filters.per_page as usize)
        .map(|(i, w)| WarnRow {
            seq: i + 1,
            href: format!("/projects/{}?{qs}", w.project_id),
            project: w.project_name.clone(),
            code: w.project_code.clone(),
            district: w.district.clone(),
            category: w.category.clone(),
            unit: w.unit.clone(),
            milestone: w.milestone.clone(),
            level: level_badge(w.level),
            since: w.since.to_string(),
            days: format!("{} 天", w.days_open),
            reason: w.reason.clone(),
        })
        .collect();
    let export = user
        .may(Resource::Warning, Action::Export)
        .then(|| format!("/warnings.xlsx?{sorted_qs}"));
    let page = WarningsPage {
        heads,
        may_acts: user.may(Resource::TrackedItem, Action::Create),
        levels: WarningLevel::ALL
            .iter()
            .map(|lv| Choice {
                value: lv.code().to_string(),
                label: crate::i18n::lang().t(lv.label()).to_string(),
                selected: filters.level == Some(*lv),
            })
            .collect(),
        districts: choices(
            p.units_of(UnitKind::District)
                .filter(|u| reach.districts.contains(&u.id))
                .map(|u| (u.id.0, u.name.as_str())),
            filters.district.map(|d| d.0),
        ),
        categories: choices(
            p.categories
                .iter()
                .filter(|c| reach.categories.contains(&c.id))
                .map(|c| (c.id.0, c.name.as_str())),
            filters.category.map(|c| c.0),
        ),
        per_pages: [20u32, 50, 100]
            .iter()
            .map(|n| Choice {
                value: n.to_string(),
                label: crate::i18n::lang().tn("每页 {n} 条", n),
                selected: filters.per_page == *n,
            })
            .collect(),
        by_level: l
            .by_level
            .iter()
            .map(|(lv, n)| {
                (
                    level_badge(*lv),
                    fmt::count(*n),
                    format!("/warnings?{qs}&level={}", lv.code()),
                )
            })
            .collect(),
        district_lights: light_rows(&l.districts, |id| format!("/warnings?{qs}&district={id}")),
        category_lights: light_rows(&l.categories, |id| format!("/warnings?{qs}&category={id}")),
        rows,
        pager,
        export,
        rules_version: cadence.rules.version,
        layout,
    };
    view::render(page)
}

/// `GET /warnings.xlsx`: the open warnings as the list shows them — same filters, same scope,
/// same order — every page.
pub(crate) async fn xlsx(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    params: Params,
) -> Result<Response, AppError> {
    use jianguan_documents::xlsx::{Column, ColumnFormat as F, Sheet, Value, write_workbook};
    let ListRead {
        scope, listing: l, ..
    } = read_list(&state, &user, &params).await?;
    let mut sheet = Sheet::new(
        "在办警示",
        vec![
            Column::new("序号", 6.0, F::Int),
            Column::new("项目编码", 14.0, F::Text),
            Column::new("项目名称", 36.0, F::Text),
            Column::new("县区", 12.0, F::Text),
            Column::new("类别", 16.0, F::Text),
            Column::new("责任单位", 24.0, F::Text),
            Column::new("节点", 12.0, F::Text),
            Column::new("等级", 8.0, F::Text),
            Column::new("首次预警", 12.0, F::Date),
            Column::new("持续（天）", 10.0, F::Int),
            Column::new("原因", 40.0, F::Text),
        ],
    );
    sheet.title = Some(format!(
        "在办警示（截至{}，共{}条）",
        scope.as_of,
        l.open.len()
    ));
    sheet.rows = l
        .open
        .iter()
        .enumerate()
        .map(|(i, w)| {
            vec![
                Value::from((i + 1) as u64),
                w.project_code.as_str().into(),
                w.project_name.as_str().into(),
                w.district.as_str().into(),
                w.category.as_str().into(),
                w.unit.as_str().into(),
                w.milestone.as_str().into(),
                w.level_label.into(),
                w.since.into(),
                w.days_open.into(),
                w.reason.as_str().into(),
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
        &format!("在办警示-{}.xlsx", scope.as_of),
    ))
}

/// One change of a milestone's warning on the project page.
pub(crate) struct HistoryRow {
    pub(crate) on: String,
    pub(crate) milestone: String,
    pub(crate) change: &'static str,
    pub(crate) previous: Option<Badge>,
    pub(crate) level: Option<Badge>,
    pub(crate) reason: String,
}

/// A project's light on a date and its warnings' history up to then, newest first.
pub(crate) struct ProjectWarnings {
    pub(crate) light: Badge,
    pub(crate) open: Vec<(String, Badge, String)>,
    pub(crate) history: Vec<HistoryRow>,
}

/// The light and warning history of `project` as of `as_of`.
pub(crate) fn project_warnings(
    book: &WarningBook,
    items: &[TrackedItem],
    project: &Project,
    as_of: Date,
) -> ProjectWarnings {
    let name = |id| {
        project
            .milestones
            .iter()
            .find(|m| m.id == id)
            .map_or(String::new(), |m| m.name.clone())
    };
    let events: Vec<_> = book
        .events()
        .iter()
        .filter(|e| e.project == project.id && e.on <= as_of)
        .collect();
    // Replaying just this project's events gives its open warnings without reading the others.
    let own = WarningBook::new(events.iter().map(|e| (*e).clone()).collect());
    let open = own.open_on(as_of);
    let light = warnings::project_lights(&open, acts::projects_under_acts(items, as_of))
        .get(&project.id)
        .copied()
        .unwrap_or(Light::None);
    ProjectWarnings {
        light: light_badge(light),
        open: open
            .iter()
            .map(|w| (name(w.milestone), level_badge(w.level), w.reason.clone()))
            .collect(),
        history: events
            .iter()
            .rev()
            .map(|e| HistoryRow {
                on: e.on.to_string(),
                milestone: name(e.milestone),
                change: e.change().label(),
                previous: e.previous.map(level_badge),
                level: e.level.map(level_badge),
                reason: e.reason.clone(),
            })
            .collect(),
    }
}
