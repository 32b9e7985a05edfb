//! The JSON API under `/api/v1/`, described by `/api/v1/openapi.json`. Its figures are the
//! domain's ([`Overview`]); [`Stats`] is also what `jianguan stats --json` prints.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use jianguan_audit::AuditAction;
use jianguan_domain::Date;
use jianguan_domain::model::{CategoryId, ProjectId, ProjectStatus, UnitId};
use jianguan_domain::overview::{Overview, ProjectQuery, ProjectSort, list_projects};
use jianguan_domain::store::ReportVersions;
use jianguan_domain::{calendar, rates};
use serde::Serialize;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::params::{AsOfQuery, Fields, FromParams, Typed};
use crate::{AppState, Params, Snapshot};
use axum::Extension;
use jianguan_access::policy::Resource;

/// The year and "as of" date a request is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    /// Campaign year.
    pub year: i16,
    /// As-of date.
    pub as_of: Date,
}

impl Scope {
    /// Reads `year` and `as_of` from the query, defaulting to the year being reported on and,
    /// within it, today (or its last day once it is over).
    pub fn resolve(params: &Params, snapshot: &Snapshot, today: Date) -> Result<Scope, AppError> {
        Ok(Scope::of(params.read()?, snapshot, today))
    }

    /// The scope a typed [`AsOfQuery`] asks for, with the same defaults as [`Scope::resolve`].
    pub fn of(query: AsOfQuery, snapshot: &Snapshot, today: Date) -> Scope {
        let year = query
            .year
            .unwrap_or_else(|| snapshot.portfolio.default_year(today));
        let as_of = query
            .as_of
            .unwrap_or_else(|| calendar::default_as_of(year, today));
        Scope { year, as_of }
    }
}

pub use jianguan_app::portfolio::{Stats, StatsLine};

async fn snapshot(state: &AppState) -> Result<Arc<Snapshot>, AppError> {
    state.snapshot().await.map_err(AppError::store)
}

pub(crate) async fn stats(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    Typed(when): Typed<AsOfQuery>,
) -> Result<Json<Stats>, AppError> {
    let visible = user.scope(Resource::Portfolio)?;
    let snap = snapshot(&state).await?;
    let scope = Scope::of(when, &snap, state.today());
    let overview = Overview::compute_filtered(
        &snap.portfolio,
        &snap.ledger,
        scope.year,
        scope.as_of,
        |p| visible.covers(p),
    );
    Ok(Json(Stats::from(&overview)))
}

/// Reads the project list's filters from the query (shared by the page and the API).
pub fn project_query(params: &Params) -> Result<ProjectQuery, AppError> {
    params.read()
}

/// The project list's query as the pages read it (the list, its Excel export, the search):
/// the filters strictly (a malformed one is named in a 400), the order leniently — an unknown
/// sort key or direction is the default order, not an error page, since a column's link may
/// outlive the column.
pub(crate) fn page_project_query(params: &Params) -> Result<ProjectQuery, AppError> {
    let mut q = project_query(&params.without(&["sort", "order"]))?;
    q.sort = params
        .get("sort")
        .and_then(ProjectSort::from_code)
        .unwrap_or_default();
    q.descending = params.get("order") == Some("desc");
    Ok(q)
}

/// The project list's filters, every malformed one named.
impl FromParams for ProjectQuery {
    fn from_params(f: &mut Fields<'_>) -> Self {
        ProjectQuery {
            category: f.id("category").map(CategoryId),
            district: f.id("district").map(UnitId),
            lead_unit: f.id("lead_unit").map(UnitId),
            status: f.choice(
                "status",
                ProjectStatus::from_code,
                "应为 preliminary、under_construction、built、accepted、handed_over 或 suspended",
            ),
            overdue_only: f.flag("overdue"),
            search: f.text("q"),
            sort: f
                .choice(
                    "sort",
                    ProjectSort::from_code,
                    "应为 code、name、progress、overdue 或 investment",
                )
                .unwrap_or_default(),
            descending: f
                .choice(
                    "order",
                    |v| match v {
                        "asc" => Some(false),
                        "desc" => Some(true),
                        _ => None,
                    },
                    "应为 asc 或 desc",
                )
                .unwrap_or(false),
            page: f.page("page"),
            per_page: f.per_page("per_page"),
        }
    }
}

pub(crate) async fn projects(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    Typed((when, q)): Typed<(AsOfQuery, ProjectQuery)>,
) -> Result<Response, AppError> {
    let visible = user.scope(Resource::Portfolio)?;
    let snap = snapshot(&state).await?;
    let scope = Scope::of(when, &snap, state.today());
    let page = list_projects(
        &snap.portfolio,
        &snap.ledger,
        scope.year,
        scope.as_of,
        &q,
        |p| visible.covers(p),
    );
    Ok(Json(serde_json::json!({
        "year": scope.year,
        "as_of": scope.as_of,
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "items": page.items,
    }))
    .into_response())
}

/// One milestone of a project as the API shows it.
#[derive(Debug, Serialize)]
struct MilestoneView<'a> {
    seq: u16,
    name: &'a str,
    planned: Date,
    actual: Option<Date>,
    overdue_days: Option<i64>,
    days_late: Option<i64>,
}

pub(crate) async fn project(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
    Typed(when): Typed<AsOfQuery>,
) -> Result<Response, AppError> {
    let id: i64 = id
        .parse()
        .map_err(|_| AppError::bad_parameter("id", "应为正整数编号"))?;
    let snap = snapshot(&state).await?;
    let scope = Scope::of(when, &snap, state.today());
    let record = visible_project(&state, &user, id, ReportVersions::All).await?;
    let p = &record.project;
    let row = jianguan_domain::overview::project_row(
        &snap.portfolio,
        &snap.ledger,
        p,
        scope.year,
        scope.as_of,
    );
    let milestones: Vec<MilestoneView> = p
        .milestones
        .iter()
        .map(|m| MilestoneView {
            seq: m.seq,
            name: &m.name,
            planned: m.planned,
            // Reached by the date, as every rate reads it.
            actual: m.actual.filter(|a| *a <= scope.as_of),
            overdue_days: rates::overdue_days(m, scope.as_of),
            days_late: rates::days_late(m, scope.as_of),
        })
        .collect();
    Ok(Json(serde_json::json!({
        "year": scope.year,
        "as_of": scope.as_of,
        "project": p,
        "summary": row,
        "milestones": milestones,
        "reports": record.reports,
        "periods": record.periods,
    }))
    .into_response())
}

/// Reads one project within the user's scope (the scope is part of the query, so a project
/// outside it is never read). Not found, or outside the scope — then audited as a denial — is a
/// 404 either way, so guessing ids tells nothing.
pub(crate) async fn visible_project(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    versions: ReportVersions,
) -> Result<jianguan_domain::store::ProjectRecord, AppError> {
    let visible = user.scope(Resource::Project)?;
    let record = state
        .store()
        .load_project(ProjectId(id), visible.record_scope(), versions)
        .await
        .map_err(AppError::store)?;
    match record {
        Some(record) => Ok(record),
        None if matches!(visible, jianguan_access::Scope::All) => {
            Err(AppError::not_found(format!("项目 {id}")))
        }
        None => Err(deny(state, user, &format!("project:{id}"), &format!("项目 {id}")).await),
    }
}

/// Refuses a record outside the user's scope: audited as a denial, answered as "not found" so
/// that guessing ids tells nothing about other units' records.
pub(crate) async fn deny(
    state: &AppState,
    user: &CurrentUser,
    object: &str,
    what: &str,
) -> AppError {
    let record = jianguan_audit::AuditDraft {
        at_ms: state.now_ms(),
        actor: user.account.username.clone(),
        unit: user.unit_name.clone(),
        action: AuditAction::AccessDenied.code(),
        object: object.to_string(),
        result: jianguan_audit::Outcome::Denied,
        client: user.client.clone(),
        changes: Vec::new(),
    };
    match state.store().append_audit(&record).await {
        Ok(_) => AppError::not_found(what.to_string()),
        Err(e) => AppError::store(e),
    }
}

pub(crate) async fn openapi() -> Response {
    let body = crate::assets::Assets::get("openapi.json")
        .map(|f| f.data.into_owned())
        .unwrap_or_default();
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}
