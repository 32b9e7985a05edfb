//! Tracked items (督办事项、协调事项、整改事项): the list, one item with its history and
//! evidence, issuing a new one, and adding an event to one. Every event passes
//! [`TrackedItem::check`] — the follow-up engine's one gate — before it is stored; a refusal is
//! shown on the form (422). The acting unit is the user's unit, so the engine's rules on who does
//! what (the owner reports and claims closure, the issuer re-checks and extends, either may
//! escalate) hold for people as they do for the daily job; the page offers each unit only the
//! forms that fit it.
//!
//! Who sees an item ([`Viewer::sees_item`]): HQ sees all; the owner and the issuer see theirs; a
//! unit sees the items about projects in its scope.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Json};
use jianguan_access::policy::{Action, Resource};
use jianguan_audit::{AuditAction, AuditDraft, FieldChange, Outcome};
use jianguan_domain::Date;
use jianguan_domain::dispatch::Week;
use jianguan_domain::followup::{
    self, EscalationLevel, ItemAction, ItemEvent, ItemId, ItemKind, ItemStatus, TrackedItem,
};
use jianguan_domain::model::{Portfolio, Project, ProjectId, UnitId, UnitKind};
use jianguan_domain::store::CadenceWrite;
use jianguan_domain::store::ReportVersions;
use serde::Serialize;

use super::{Badge, ProjectIndex, Viewer, status_badge};
use crate::api::Scope;
use crate::auth::CurrentUser;
use crate::cadence::CadenceSnapshot;
use crate::error::AppError;
use crate::params::{Fields, FromParams, order_from_code};
use crate::view::{self, Choice, Layout};
use crate::{AppState, Params, Snapshot};

/// The filters of the list.
pub(crate) struct Filters {
    kind: Option<ItemKind>,
    status: Option<ItemStatus>,
    owner: Option<UnitId>,
    overdue: bool,
    stuck: bool,
    sort: ItemSort,
    descending: bool,
    page: u32,
    per_page: u32,
}

/// The columns the item list sorts by. Ties keep the default order (open items first, the
/// longest overdue first, then by deadline).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ItemSort {
    Overdue,
    Kind,
    Owner,
    Status,
    Deadline,
}

impl ItemSort {
    const ALL: [ItemSort; 5] = [
        ItemSort::Overdue,
        ItemSort::Kind,
        ItemSort::Owner,
        ItemSort::Status,
        ItemSort::Deadline,
    ];

    fn code(self) -> &'static str {
        match self {
            ItemSort::Overdue => "overdue",
            ItemSort::Kind => "kind",
            ItemSort::Owner => "owner",
            ItemSort::Status => "status",
            ItemSort::Deadline => "deadline",
        }
    }

    fn from_code(code: &str) -> Option<ItemSort> {
        ItemSort::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Sorts rows already in the default order by this column.
    fn apply(self, rows: &mut [ItemView], descending: bool) {
        let cmp = |a: &ItemView, b: &ItemView| match self {
            ItemSort::Overdue => a
                .days_overdue
                .unwrap_or(-1)
                .cmp(&b.days_overdue.unwrap_or(-1)),
            ItemSort::Kind => a.kind.code().cmp(b.kind.code()),
            ItemSort::Owner => a.owner_id.0.cmp(&b.owner_id.0),
            ItemSort::Status => a.status.code().cmp(b.status.code()),
            ItemSort::Deadline => a.deadline.cmp(&b.deadline),
        };
        rows.sort_by(|a, b| if descending { cmp(b, a) } else { cmp(a, b) });
    }
}

/// The item table's columns: (header, numeric, the sort it offers).
const ITEM_COLUMNS: [(&str, bool, Option<ItemSort>); 10] = [
    ("序号", false, None),
    ("类型", false, Some(ItemSort::Kind)),
    ("事项", false, None),
    ("项目", false, None),
    ("责任单位", false, Some(ItemSort::Owner)),
    ("交办单位", false, None),
    ("跟踪层级", false, None),
    ("状态", false, Some(ItemSort::Status)),
    ("期限", false, Some(ItemSort::Deadline)),
    ("逾期/卡壳", false, Some(ItemSort::Overdue)),
];

/// A list's order as a query string.
fn order_query(sort: ItemSort, descending: bool) -> String {
    format!(
        "sort={}&order={}",
        sort.code(),
        if descending { "desc" } else { "asc" }
    )
}

fn status_from_code(code: &str) -> Option<ItemStatus> {
    [
        ItemStatus::Open,
        ItemStatus::AwaitingCheck,
        ItemStatus::Closed,
    ]
    .into_iter()
    .find(|s| s.code() == code)
}

impl Filters {
    fn parse(params: &Params) -> Result<Filters, AppError> {
        params.read()
    }

    /// The query string of the filters and the order (without paging).
    fn query(&self) -> String {
        format!(
            "{}&{}",
            self.filter_query(),
            order_query(self.sort, self.descending)
        )
    }

    /// The query string of the filters (without order or paging).
    fn filter_query(&self) -> String {
        let mut parts = Vec::new();
        if let Some(k) = self.kind {
            parts.push(format!("kind={}", k.code()));
        }
        if let Some(s) = self.status {
            parts.push(format!("status={}", s.code()));
        }
        if let Some(o) = self.owner {
            parts.push(format!("owner={o}"));
        }
        if self.overdue {
            parts.push("overdue=1".into());
        }
        if self.stuck {
            parts.push("stuck=1".into());
        }
        parts.push(format!("per_page={}", self.per_page));
        parts.join("&")
    }
}

/// The list's filters, every malformed one named.
impl FromParams for Filters {
    fn from_params(f: &mut Fields<'_>) -> Self {
        // An unknown order falls back to the default, as the project list does.
        let sort = f
            .raw_opt("sort")
            .and_then(|c| ItemSort::from_code(&c))
            .unwrap_or(ItemSort::Overdue);
        let order = f.raw_opt("order").and_then(|c| order_from_code(&c));
        Filters {
            kind: f.choice(
                "kind",
                ItemKind::from_code,
                "应为 supervision、coordination 或 rectification",
            ),
            status: f.choice(
                "status",
                status_from_code,
                "应为 open、awaiting_check 或 closed",
            ),
            owner: f.id("owner").map(UnitId),
            overdue: f.flag("overdue"),
            stuck: f.flag("stuck"),
            sort,
            // The default order is the longest overdue first.
            descending: order.unwrap_or(sort == ItemSort::Overdue),
            page: f.page("page"),
            per_page: f.per_page("per_page"),
        }
    }
}

/// The date items are read on: the chosen 数据截至 date, defaulting as every page does
/// ([`Scope::resolve`]: the year being reported on, today within it or its last day once it is
/// over), so a list and the item it links to agree.
fn items_scope(params: &Params, snap: &Snapshot, today: Date) -> Result<Scope, AppError> {
    Scope::resolve(params, snap, today)
}

/// One item as the list and the API show it, on a date.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ItemView {
    id: i64,
    kind: ItemKind,
    kind_label: &'static str,
    title: String,
    project_id: Option<i64>,
    project: Option<String>,
    owner_id: UnitId,
    owner: String,
    issuer_id: UnitId,
    issuer: String,
    bodies: Vec<String>,
    topic: String,
    source: String,
    level: EscalationLevel,
    level_label: &'static str,
    status: ItemStatus,
    status_label: &'static str,
    opened_on: Date,
    deadline: Date,
    days_overdue: Option<i64>,
    stuck: bool,
    days_without_movement: i64,
    rejections: u32,
}

fn view(
    item: &TrackedItem,
    p: &Portfolio,
    projects: &ProjectIndex<'_>,
    on: Date,
    stuck_days: i64,
) -> ItemView {
    let s = item.state_on(on);
    ItemView {
        id: item.id.0,
        kind: item.kind,
        kind_label: crate::i18n::lang().t(item.kind.label()),
        title: item.title.clone(),
        project_id: item.project.map(|id| id.0),
        project: item
            .project
            .and_then(|id| projects.get(id))
            .map(|pr| pr.name.clone()),
        owner_id: item.owner,
        owner: p.unit_name(item.owner).to_string(),
        issuer_id: item.issuer,
        issuer: p.unit_name(item.issuer).to_string(),
        bodies: item.bodies.clone(),
        topic: item.topic.clone(),
        source: item.source.clone(),
        level: s.level,
        level_label: crate::i18n::lang().t(s.level.label()),
        status: s.status,
        status_label: crate::i18n::lang().t(s.status.label()),
        opened_on: item.opened_on,
        deadline: s.deadline,
        days_overdue: item.overdue_days(on),
        stuck: item.is_stuck(on, stuck_days),
        days_without_movement: super::days(s.last_movement, on).max(0),
        rejections: s.rejections,
    }
}

/// The items the viewer sees that match the filters, on `on`, in working order: open ones
/// first, the longest overdue first, then by deadline.
fn listing(
    snap: &Snapshot,
    cadence: &CadenceSnapshot,
    viewer: Viewer,
    on: Date,
    filters: &Filters,
) -> Vec<ItemView> {
    let p = &snap.portfolio;
    let projects = ProjectIndex::new(p);
    let stuck_days = cadence.follow_up.stuck_days;
    let mut rows: Vec<ItemView> = cadence
        .items
        .iter()
        .filter(|i| i.opened_on <= on && viewer.sees_item(i, &projects))
        .filter(|i| filters.kind.is_none_or(|k| i.kind == k))
        .filter(|i| filters.owner.is_none_or(|o| i.owner == o))
        .map(|i| view(i, p, &projects, on, stuck_days))
        .filter(|v| filters.status.is_none_or(|s| v.status == s))
        .filter(|v| !filters.overdue || v.days_overdue.is_some())
        .filter(|v| !filters.stuck || v.stuck)
        .collect();
    rows.sort_by(|a, b| {
        (a.status == ItemStatus::Closed)
            .cmp(&(b.status == ItemStatus::Closed))
            .then(
                b.days_overdue
                    .unwrap_or(-1)
                    .cmp(&a.days_overdue.unwrap_or(-1)),
            )
            .then(a.deadline.cmp(&b.deadline))
            .then(a.id.cmp(&b.id))
    });
    if (filters.sort, filters.descending) != (ItemSort::Overdue, true) {
        filters.sort.apply(&mut rows, filters.descending);
    }
    rows
}

/// Counts and ages per owner unit, as scoring reads them.
#[derive(Debug, Serialize)]
struct OwnerCounts {
    unit_id: UnitId,
    unit: String,
    #[serde(flatten)]
    counts: followup::UnitItemCounts,
}

/// `GET /api/v1/items`: the items the reader sees (filtered, paged), and counts per owner.
pub(crate) async fn api(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    params: Params,
) -> Result<Response, AppError> {
    let viewer = Viewer::of(&user, Resource::TrackedItem)?;
    let filters = Filters::parse(&params)?;
    let snap = state.snapshot().await.map_err(AppError::store)?;
    let scope = items_scope(&params, &snap, state.today())?;
    let cadence = super::records(&state).await?;
    let rows = listing(&snap, &cadence, viewer, scope.as_of, &filters);
    let projects = ProjectIndex::new(&snap.portfolio);
    let visible: Vec<TrackedItem> = cadence
        .items
        .iter()
        .filter(|i| viewer.sees_item(i, &projects))
        .cloned()
        .collect();
    let mut by_owner: Vec<OwnerCounts> =
        followup::counts_by_owner(&visible, scope.as_of, cadence.follow_up)
            .into_iter()
            .map(|(unit, counts)| OwnerCounts {
                unit_id: unit,
                unit: snap.portfolio.unit_name(unit).to_string(),
                counts,
            })
            .collect();
    by_owner.sort_by_key(|o| o.unit_id);
    let start = ((filters.page - 1) * filters.per_page) as usize;
    Ok(Json(serde_json::json!({
        "as_of": scope.as_of,
        "total": rows.len(),
        "page": filters.page,
        "per_page": filters.per_page,
        "items": rows.iter().skip(start).take(filters.per_page as usize).collect::<Vec<_>>(),
        "by_owner": by_owner,
    }))
    .into_response())
}

/// `GET /items.xlsx`: the tracked items as the list shows them — same filters, same readers,
/// same order, on the same date — every page.
pub(crate) async fn xlsx(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    params: Params,
) -> Result<Response, AppError> {
    use jianguan_documents::xlsx::{Column, ColumnFormat as F, Sheet, Value, write_workbook};
    let viewer = Viewer::of(&user, Resource::TrackedItem)?;
    let filters = Filters::parse(&params)?;
    let snap = view::snapshot(&state).await?;
    let scope = items_scope(&params, &snap, state.today())?;
    let cadence = super::records(&state).await?;
    let rows = listing(&snap, &cadence, viewer, scope.as_of, &filters);
    let mut sheet = Sheet::new(
        "督办事项",
        vec![
            Column::new("序号", 6.0, F::Int),
            Column::new("编号", 8.0, F::Int),
            Column::new("类型", 10.0, F::Text),
            Column::new("事项", 36.0, F::Text),
            Column::new("项目", 30.0, F::Text),
            Column::new("责任单位", 22.0, F::Text),
            Column::new("交办单位", 22.0, F::Text),
            Column::new("跟踪层级", 10.0, F::Text),
            Column::new("状态", 10.0, F::Text),
            Column::new("交办日期", 12.0, F::Date),
            Column::new("期限", 12.0, F::Date),
            Column::new("逾期（天）", 10.0, F::Int),
            Column::new("卡壳", 6.0, F::Text),
        ],
    );
    sheet.title = Some(format!(
        "督办事项（截至{}，共{}件）",
        scope.as_of,
        rows.len()
    ));
    sheet.rows = rows
        .iter()
        .enumerate()
        .map(|(i, v)| {
            vec![
                Value::from((i + 1) as u64),
                v.id.into(),
                v.kind_label.into(),
                v.title.as_str().into(),
                v.project.as_deref().into(),
                v.owner.as_str().into(),
                v.issuer.as_str().into(),
                v.level_label.into(),
                v.status_label.into(),
                v.opened_on.into(),
                v.deadline.into(),
                v.days_overdue.into(),
                if v.stuck { "卡壳" } else { "" }.into(),
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
        &format!("督办事项-{}.xlsx", scope.as_of),
    ))
}

struct Row {
    seq: usize,
    href: String,
    kind: &'static str,
    title: String,
    project: Option<(String, String)>,
    owner: String,
    issuer: String,
    level: &'static str,
    status: Badge,
    deadline: String,
    overdue: String,
    stuck: bool,
}

/// What was typed into the new-item form, to show it again with the errors.
#[derive(Default)]
struct NewItemForm {
    kind: String,
    title: String,
    detail: String,
    owner: String,
    project: String,
    deadline: String,
    bodies: String,
    topic: String,
    source: String,
}

#[derive(Template)]
#[template(path = "items.html")]
struct ItemsPage {
    layout: Layout,
    kinds: Vec<Choice>,
    statuses: Vec<Choice>,
    owners: Vec<Choice>,
    per_pages: Vec<Choice>,
    overdue: bool,
    stuck: bool,
    rows: Vec<Row>,
    heads: Vec<view::Head>,
    pager: view::Pager,
    /// The export of the filtered list (every page), when the user may export.
    export: Option<String>,
    may_create: bool,
    form: NewItemForm,
    form_kinds: Vec<Choice>,
    form_owners: Vec<(&'static str, Vec<Choice>)>,
    errors: Vec<(String, String)>,
    today: String,
}

async fn list_page(
    state: &AppState,
    user: &CurrentUser,
    params: &Params,
    form: NewItemForm,
    errors: Vec<(String, String)>,
) -> Result<Response, AppError> {
    let viewer = Viewer::of(user, Resource::TrackedItem)?;
    let filters = Filters::parse(params)?;
    let snap = view::snapshot(state).await?;
    let scope = items_scope(params, &snap, state.today())?;
    let cadence = super::records(state).await?;
    let rows = listing(&snap, &cadence, viewer, scope.as_of, &filters);
    let p = &snap.portfolio;
    let layout =
        Layout::new("督办事项", "items", scope, &snap, "/items", user).crumb("督办事项", None);
    let qs = layout.qs.clone();
    let link = |page: u32| format!("/items?{qs}&{}&page={page}", filters.query());
    let sort_link = |sort: ItemSort, descending: bool| {
        format!(
            "/items?{qs}&{}&{}",
            filters.filter_query(),
            order_query(sort, descending)
        )
    };
    let heads = view::sort_heads(
        &ITEM_COLUMNS,
        Some(((filters.sort, filters.descending), &sort_link)),
    );
    let pager = view::Pager::new(filters.page, rows.len() as u64, filters.per_page, link);
    let start = pager.skip(filters.per_page);
    let export = user
        .may(Resource::TrackedItem, Action::Export)
        .then(|| format!("/items.xlsx?{qs}&{}", filters.query()));
    // The owners a filter can pick: those of the items the viewer sees.
    let projects = ProjectIndex::new(p);
    let mut owner_ids: Vec<UnitId> = cadence
        .items
        .iter()
        .filter(|i| viewer.sees_item(i, &projects))
        .map(|i| i.owner)
        .collect();
    owner_ids.sort();
    owner_ids.dedup();
    let selected_kind = ItemKind::from_code(&form.kind).unwrap_or(ItemKind::Supervision);
    let form_owner = form.owner.parse::<i64>().ok().map(UnitId);
    let page = ItemsPage {
        heads,
        kinds: ItemKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.code().into(),
                label: crate::i18n::lang().t(k.label()).into(),
                selected: filters.kind == Some(*k),
            })
            .collect(),
        statuses: [
            ItemStatus::Open,
            ItemStatus::AwaitingCheck,
            ItemStatus::Closed,
        ]
        .iter()
        .map(|s| Choice {
            value: s.code().into(),
            label: crate::i18n::lang().t(s.label()).into(),
            selected: filters.status == Some(*s),
        })
        .collect(),
        owners: owner_ids
            .iter()
            .map(|u| Choice {
                value: u.0.to_string(),
                label: p.unit_name(*u).to_string(),
                selected: filters.owner == Some(*u),
            })
            .collect(),
        per_pages: [20u32, 50, 100]
            .iter()
            .map(|n| Choice {
                value: n.to_string(),
                label: crate::i18n::lang().tn("每页 {n} 条", n),
                selected: filters.per_page == *n,
            })
            .collect(),
        overdue: filters.overdue,
        stuck: filters.stuck,
        rows: rows
            .iter()
            .enumerate()
            .skip(start)
            .take(filters.per_page as usize)
            .map(|(i, v)| Row {
                seq: i + 1,
                href: format!("/items/{}?{qs}", v.id),
                kind: v.kind_label,
                title: v.title.clone(),
                project: v
                    .project_id
                    .zip(v.project.clone())
                    .map(|(id, name)| (format!("/projects/{id}?{qs}"), name)),
                owner: v.owner.clone(),
                issuer: v.issuer.clone(),
                level: v.level_label,
                status: status_badge(v.status),
                deadline: v.deadline.to_string(),
                overdue: v
                    .days_overdue
                    .map(|d| format!("逾期 {d} 天"))
                    .unwrap_or_default(),
                stuck: v.stuck,
            })
            .collect(),
        pager,
        export,
        may_create: user.may(Resource::TrackedItem, Action::Create),
        form_kinds: ItemKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.code().into(),
                label: crate::i18n::lang().t(k.label()).into(),
                selected: *k == selected_kind,
            })
            .collect(),
        form_owners: super::owner_choices(p, form_owner),
        form,
        errors,
        today: state.today().to_string(),
        layout,
    };
    view::render(page)
}

/// `GET /items`.
pub(crate) async fn list(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    params: Params,
) -> Result<Response, AppError> {
    list_page(&state, &user, &params, NewItemForm::default(), Vec::new()).await
}

/// The project a form names by id or ledger code.
fn find_project<'a>(p: &'a Portfolio, text: &str) -> Option<&'a Project> {
    let text = text.trim();
    match text.parse::<i64>() {
        Ok(id) => p.projects.iter().find(|pr| pr.id.0 == id).map(|pr| &**pr),
        Err(_) => p.projects.iter().find(|pr| pr.code == text).map(|pr| &**pr),
    }
}

/// The level an issuer opens an item at: where the issuer sits.
fn opening_level(kind: Option<UnitKind>) -> EscalationLevel {
    match kind {
        Some(UnitKind::CommandHq) => EscalationLevel::Hq,
        Some(UnitKind::SubHq) => EscalationLevel::SubHq,
        _ => EscalationLevel::District,
    }
}

/// `POST /items`: issues a supervision item, coordination ticket or rectification order. The
/// issuer is the user's unit. A project named must be in the user's scope (else 404 and an
/// audited denial); other mistakes are shown on the form (422).
pub(crate) async fn create(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    crate::params::CheckedForm(form): crate::params::CheckedForm,
) -> Result<Response, AppError> {
    let field = |name: &str| {
        form.get(name)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let typed = NewItemForm {
        kind: field("kind"),
        title: field("title"),
        detail: field("detail"),
        owner: field("owner"),
        project: field("project"),
        deadline: field("deadline"),
        bodies: field("bodies"),
        topic: field("topic"),
        source: field("source"),
    };
    let snap = view::snapshot(&state).await?;
    let p = &snap.portfolio;
    let today = state.today();
    let mut errors: Vec<(String, String)> = Vec::new();
    fn err(errors: &mut Vec<(String, String)>, field: &str, message: String) {
        errors.push((field.to_string(), message));
    }
    let kind = ItemKind::from_code(&typed.kind);
    if kind.is_none() {
        err(&mut errors, "kind", "请选择事项类型".into());
    }
    if typed.title.is_empty() {
        err(&mut errors, "title", "事项标题不能为空".into());
    }
    if typed.detail.is_empty() {
        err(
            &mut errors,
            "detail",
            "内容不能为空（会议决定、需协调的问题或巡查发现）".into(),
        );
    }
    // A project outside the user's scope is refused as if it did not exist, and audited.
    let project = if typed.project.is_empty() {
        None
    } else {
        match find_project(p, &typed.project) {
            Some(pr) => {
                let record =
                    crate::api::visible_project(&state, &user, pr.id.0, ReportVersions::All)
                        .await?;
                Some(record.project)
            }
            None => {
                err(
                    &mut errors,
                    "project",
                    format!("未找到项目「{}」", typed.project),
                );
                None
            }
        }
    };
    let owner = match typed.owner.parse::<i64>().ok().map(UnitId) {
        Some(u) if p.unit(u).is_some() => Some(u),
        Some(_) => {
            err(&mut errors, "owner", "责任单位不存在".into());
            None
        }
        None => project.as_ref().map(|pr| pr.responsible_unit),
    };
    if owner.is_none() && !errors.iter().any(|(f, _)| f == "owner") {
        err(&mut errors, "owner", "请选择责任单位".into());
    }
    let deadline = match typed.deadline.parse::<Date>() {
        Ok(d) if d < today => {
            err(
                &mut errors,
                "deadline",
                format!("办结期限不能早于今天（{today}）"),
            );
            None
        }
        Ok(d) => Some(d),
        Err(_) => {
            err(
                &mut errors,
                "deadline",
                "请填写办结期限，格式 YYYY-MM-DD".into(),
            );
            None
        }
    };
    let bodies: Vec<String> = typed
        .bodies
        .split([',', '，', '、', ';', '；'])
        .map(|b| b.trim().to_string())
        .filter(|b| !b.is_empty())
        .collect();
    if kind == Some(ItemKind::Coordination) && bodies.is_empty() {
        err(
            &mut errors,
            "bodies",
            "协调事项须写明需协调的单位（如 部队、铁路、电网、央企、省直部门）".into(),
        );
    }
    if kind == Some(ItemKind::Rectification) && project.is_none() && typed.project.is_empty() {
        err(&mut errors, "project", "整改事项须写明巡查的项目".into());
    }
    let issuer = user.account.unit;
    if issuer.is_none() {
        err(
            &mut errors,
            "owner",
            "您的账户未归属单位，不能交办事项".into(),
        );
    }
    let (Some(kind), Some(owner), Some(deadline), Some(issuer), true) =
        (kind, owner, deadline, issuer, errors.is_empty())
    else {
        let params = Params::default();
        return view::unprocessable(list_page(&state, &user, &params, typed, errors).await);
    };
    let owner_unit = p.unit(owner);
    let district = project.as_ref().map(|pr| pr.district).or_else(|| {
        owner_unit.and_then(|u| match u.kind {
            UnitKind::District => Some(u.id),
            _ => u.parent.filter(|parent| {
                p.unit(*parent)
                    .is_some_and(|x| x.kind == UnitKind::District)
            }),
        })
    });
    let topic = if typed.topic.is_empty() {
        match kind {
            ItemKind::Supervision => "会议决定".to_string(),
            ItemKind::Coordination => "部门协调".to_string(),
            ItemKind::Rectification => "现场巡查".to_string(),
            ItemKind::Summons => "约谈".to_string(),
        }
    } else {
        typed.topic.clone()
    };
    let source = if typed.source.is_empty() {
        match kind {
            ItemKind::Supervision => Week::of(today).to_string(),
            ItemKind::Coordination => format!("协调申请 {today}"),
            ItemKind::Rectification => format!("现场巡查 {today}"),
            ItemKind::Summons => format!("约谈 {today}"),
        }
    } else {
        typed.source.clone()
    };
    let item = TrackedItem {
        id: ItemId(0),
        kind,
        title: typed.title.clone(),
        detail: typed.detail.clone(),
        project: project.as_ref().map(|pr| pr.id),
        district,
        owner,
        issuer,
        bodies,
        topic,
        source,
        opened_on: today,
        deadline,
        level: opening_level(p.unit(issuer).map(|u| u.kind)),
        events: Vec::new(),
        act: None,
    };
    let change = |f: &str, v: String| FieldChange {
        field: f.into(),
        before: None,
        after: Some(v),
    };
    let audit = AuditDraft {
        at_ms: state.now_ms(),
        actor: user.account.username.clone(),
        unit: user.unit_name.clone(),
        action: AuditAction::ItemOpen.code(),
        object: format!(
            "item:new{}",
            item.project
                .map(|pr| format!(" project:{pr}"))
                .unwrap_or_default()
        ),
        result: Outcome::Success,
        client: user.client.clone(),
        changes: vec![
            change("kind", kind.code().into()),
            change("title", item.title.clone()),
            change("owner", owner.to_string()),
            change("deadline", deadline.to_string()),
            change("source", item.source.clone()),
        ],
    };
    let ids = state
        .store()
        .record_cadence(
            &CadenceWrite {
                new_items: vec![item],
                ..CadenceWrite::default()
            },
            &[audit],
        )
        .await
        .map_err(AppError::store)?;
    let id = ids.first().map_or(0, |i| i.0);
    Ok(Redirect::to(&format!("/items/{id}")).into_response())
}

/// Reads an item the user sees, or answers 404 (audited when it exists but is outside the
/// user's scope).
async fn visible_item(
    state: &AppState,
    user: &CurrentUser,
    snap: &Snapshot,
    cadence: &CadenceSnapshot,
    id: &str,
) -> Result<TrackedItem, AppError> {
    let viewer = Viewer::of(user, Resource::TrackedItem)?;
    let Some(item) = id
        .parse::<i64>()
        .ok()
        .and_then(|id| cadence.items.iter().find(|i| i.id.0 == id))
    else {
        return Err(AppError::not_found("该事项"));
    };
    if viewer.sees_item(item, &ProjectIndex::new(&snap.portfolio)) {
        Ok(item.clone())
    } else {
        Err(crate::api::deny(state, user, &format!("item:{}", item.id), "该事项").await)
    }
}

struct HistoryRow {
    on: String,
    unit: String,
    by: String,
    action: &'static str,
    detail: String,
}

/// What was typed into an event form, to show it again with the error.
#[derive(Default)]
struct EventForm {
    action: String,
    text: String,
    to: String,
}

#[derive(Template)]
#[template(path = "item.html")]
struct ItemPage {
    layout: Layout,
    id: i64,
    title: String,
    kind: &'static str,
    status: Badge,
    facts: Vec<(&'static str, String)>,
    project: Option<(String, String)>,
    detail: String,
    history: Vec<HistoryRow>,
    evidence: Vec<(String, String)>,
    may_update: bool,
    is_owner: bool,
    is_issuer: bool,
    may_escalate: bool,
    open: bool,
    awaiting: bool,
    levels: Vec<Choice>,
    deadline: String,
    today: String,
    /// Events after the as-of date (not in the history shown).
    later: usize,
    /// `year=…&as_of=…` of the page, kept by its forms.
    qs: String,
    form: EventForm,
    errors: Vec<(String, String)>,
}

#[expect(clippy::too_many_arguments, reason = "one page, its inputs")]
fn item_page(
    state: &AppState,
    user: &CurrentUser,
    snap: &Snapshot,
    cadence: &CadenceSnapshot,
    item: &TrackedItem,
    scope: Scope,
    form: EventForm,
    errors: Vec<(String, String)>,
) -> Result<Response, AppError> {
    let p = &snap.portfolio;
    // Facts are read as of the chosen date, as the list reads them; the forms act today on the
    // item as it stands now.
    let today = state.today();
    let on = scope.as_of.max(item.opened_on);
    let path = format!("/items/{}", item.id);
    let layout = Layout::new(item.title.clone(), "items", scope, snap, &path, user);
    let qs = layout.qs.clone();
    let layout = layout
        .crumb("督办事项", Some(format!("/items?{qs}")))
        .crumb(item.title.clone(), None);
    let s = item.state_on(on);
    let now = item.state();
    let unit = user.account.unit;
    let is_owner = unit == Some(item.owner);
    let is_issuer = unit == Some(item.issuer);
    let mut facts = vec![
        ("类型", item.kind.label().to_string()),
        ("责任单位", p.unit_name(item.owner).to_string()),
        ("交办单位", p.unit_name(item.issuer).to_string()),
        ("跟踪层级", s.level.label().to_string()),
        ("来源", item.source.clone()),
        ("问题类型", item.topic.clone()),
        ("交办日期", item.opened_on.to_string()),
        ("办结期限", s.deadline.to_string()),
    ];
    if !item.bodies.is_empty() {
        facts.push(("需协调单位", item.bodies.join("、")));
    }
    if let Some(act) = &item.act {
        facts.push(("文号", act.document_number.clone()));
        // Projects the act names: those the reader may see by name, the others counted.
        let viewer = Viewer::of(user, Resource::TrackedItem)?;
        let projects = ProjectIndex::new(p);
        let (named, hidden): (Vec<&ProjectId>, Vec<&ProjectId>) = act
            .projects
            .iter()
            .partition(|id| viewer.sees_project(&projects, **id));
        if !act.projects.is_empty() {
            let mut text = named
                .iter()
                .filter_map(|id| projects.get(**id).map(|pr| pr.name.clone()))
                .collect::<Vec<_>>()
                .join("、");
            if !hidden.is_empty() {
                text = format!("{text}（另有 {} 个项目不在您的范围）", hidden.len());
            }
            facts.push(("涉及项目", text));
        }
        if !act.attendees.is_empty() {
            facts.push(("参加人员", act.attendees.clone()));
        }
        if !act.minutes.is_empty() {
            facts.push(("约谈纪要", act.minutes.clone()));
        }
    }
    if let Some(d) = item.district {
        facts.push(("县区", p.unit_name(d).to_string()));
    }
    if let Some(days) = item.overdue_days(on) {
        facts.push(("逾期", format!("{days} 天")));
    }
    if item.is_stuck(on, cadence.follow_up.stuck_days) {
        facts.push((
            "卡壳",
            format!("{} 天无进展", super::days(s.last_movement, on)),
        ));
    }
    if s.rejections > 0 {
        facts.push(("复查未通过", format!("{} 次", s.rejections)));
    }
    if let Some(c) = s.closed_on {
        facts.push(("办结日期", c.to_string()));
    }
    let describe = |a: &ItemAction| match a {
        ItemAction::Escalate { to, reason } => format!("升级至{}：{reason}", to.label()),
        ItemAction::Extend { to, reason } => format!("期限延至 {to}：{reason}"),
        other => other.text().to_string(),
    };
    let page = ItemPage {
        id: item.id.0,
        title: item.title.clone(),
        kind: item.kind.label(),
        status: status_badge(s.status),
        facts,
        project: item
            .project
            .and_then(|id| p.project(id))
            .map(|pr| (format!("/projects/{}?{qs}", pr.id), pr.name.clone())),
        detail: item.detail.clone(),
        history: item
            .events
            .iter()
            .filter(|e| e.on <= on)
            .map(|e| HistoryRow {
                on: e.on.to_string(),
                unit: p.unit_name(e.unit).to_string(),
                by: crate::fmt::actor(&e.by),
                action: e.action.label(),
                detail: describe(&e.action),
            })
            .collect(),
        evidence: item
            .events
            .iter()
            .filter(|e| e.on <= on)
            .filter_map(|e| match &e.action {
                ItemAction::ClaimClosure { evidence } => Some((e.on.to_string(), evidence.clone())),
                _ => None,
            })
            .collect(),
        may_update: user.may(Resource::TrackedItem, Action::Update),
        is_owner,
        is_issuer,
        may_escalate: is_issuer || is_owner,
        later: item.events.iter().filter(|e| e.on > on).count(),
        open: now.status == ItemStatus::Open,
        awaiting: now.status == ItemStatus::AwaitingCheck,
        levels: EscalationLevel::ALL
            .iter()
            .filter(|l| **l > now.level)
            .map(|l| Choice {
                value: l.code().into(),
                label: l.label().into(),
                selected: false,
            })
            .collect(),
        deadline: now.deadline.to_string(),
        today: today.to_string(),
        qs,
        form,
        errors,
        layout,
    };
    view::render(page)
}

/// `GET /items/{id}[?year=Y&as_of=D]`.
pub(crate) async fn detail(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
    params: Params,
) -> Result<Response, AppError> {
    let snap = view::snapshot(&state).await?;
    let scope = items_scope(&params, &snap, state.today())?;
    let cadence = super::records(&state).await?;
    let item = visible_item(&state, &user, &snap, &cadence, &id).await?;
    item_page(
        &state,
        &user,
        &snap,
        &cadence,
        &item,
        scope,
        EventForm::default(),
        Vec::new(),
    )
}

/// The event a form describes, or the field at fault and why.
fn parse_event(
    form: &EventForm,
    current_level: EscalationLevel,
) -> Result<ItemAction, (String, String)> {
    let text = form.text.clone();
    let bad = |f: &str, m: &str| (f.to_string(), m.to_string());
    Ok(match form.action.as_str() {
        "progress" => ItemAction::Progress { note: text },
        "claim_closure" => ItemAction::ClaimClosure { evidence: text },
        "verify" => ItemAction::Verify { note: text },
        "reject" => ItemAction::Reject { reason: text },
        "escalate" => ItemAction::Escalate {
            to: EscalationLevel::from_code(&form.to)
                .or(current_level.up())
                .ok_or_else(|| bad("to", "已由市领导跟踪，不能再升级"))?,
            reason: text,
        },
        "extend" => ItemAction::Extend {
            to: form
                .to
                .parse::<Date>()
                .map_err(|_| bad("to", "请填写新的办结期限，格式 YYYY-MM-DD"))?,
            reason: text,
        },
        _ => return Err(bad("action", "请选择要办理的操作")),
    })
}

/// `POST /items/{id}/events`: adds progress, a claimed closure with evidence, a re-check
/// (verify or reject), an escalation or an extension, as the user's unit, if the follow-up
/// engine accepts it; otherwise the item page again with the reason (422).
pub(crate) async fn add_event(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
    params: Params,
    crate::params::CheckedForm(form): crate::params::CheckedForm,
) -> Result<Response, AppError> {
    let snap = view::snapshot(&state).await?;
    let scope = items_scope(&params, &snap, state.today())?;
    let cadence = super::records(&state).await?;
    let item = visible_item(&state, &user, &snap, &cadence, &id).await?;
    let field = |name: &str| {
        form.get(name)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let typed = EventForm {
        action: field("action"),
        text: field("text"),
        to: field("to"),
    };
    let refuse = |typed: EventForm, field: String, message: String| {
        view::unprocessable(item_page(
            &state,
            &user,
            &snap,
            &cadence,
            &item,
            scope,
            typed,
            vec![(field, message)],
        ))
    };
    let action = match parse_event(&typed, item.state().level) {
        Ok(a) => a,
        Err((f, m)) => return refuse(typed, f, m),
    };
    let Some(unit) = user.account.unit else {
        return refuse(
            typed,
            "action".into(),
            "您的账户未归属单位，不能办理事项".into(),
        );
    };
    let event = ItemEvent {
        on: state.today(),
        unit,
        by: user.account.username.clone(),
        action,
    };
    if let Err(e) = item.check(&event) {
        return refuse(typed, "text".into(), e.to_string());
    }
    let before = item.state();
    let mut after = item.clone();
    after.events.push(event.clone());
    let after = after.state();
    let audit = AuditDraft {
        at_ms: state.now_ms(),
        actor: user.account.username.clone(),
        unit: user.unit_name.clone(),
        action: AuditAction::ItemEvent(event.action.code()).code(),
        object: format!("item:{}", item.id),
        result: Outcome::Success,
        client: user.client.clone(),
        changes: vec![
            FieldChange {
                field: "status".into(),
                before: Some(before.status.code().into()),
                after: Some(after.status.code().into()),
            },
            FieldChange {
                field: event.action.code().into(),
                before: None,
                after: Some(event.action.text().to_string()),
            },
        ],
    };
    state
        .store()
        .record_cadence(
            &CadenceWrite {
                item_events: vec![(item.id, event)],
                ..CadenceWrite::default()
            },
            &[audit],
        )
        .await
        .map_err(AppError::store)?;
    // Back to the item as it stands now, the new event included.
    Ok(Redirect::to(&format!(
        "/items/{}?year={}&as_of={}",
        item.id,
        scope.year,
        state.today()
    ))
    .into_response())
}
