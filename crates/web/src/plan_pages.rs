//! 年度计划: a year's plans per district (draft, submitted, approved; milestones still derived
//! from a template), the office's approval, a unit's submission, and plan changes (计划调整) —
//! requested by a unit for a project in its scope, approved or rejected by the office. The
//! rules are `jianguan_domain::plan`'s and the writes `jianguan_app::plans`'; this module reads
//! forms and renders.

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use jianguan_access::policy::{Action, Resource};
use jianguan_app::plans::{self, PlanUseError, Who};
use jianguan_domain::model::{Money, PlanStatus, Project, ProjectId, Unit, UnitId};
use jianguan_domain::plan::{self as rules, PlanChangeKind, PlanChangeRequest, PlanChangeStatus};

use crate::api::Scope;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::params::{AsOfQuery, Fields, FromParams, Typed, TypedForm};
use crate::view::{self, Layout};
use crate::{AppState, Snapshot};

/// One district's line.
struct DistrictLine {
    id: i64,
    name: String,
    draft: usize,
    submitted: usize,
    approved: usize,
    derived: usize,
    changes: usize,
}

/// One plan change as listed.
struct ChangeLine {
    id: i64,
    project: String,
    href: String,
    kind: &'static str,
    detail: String,
    reason: String,
    by: String,
    status: &'static str,
    pending: bool,
    note: String,
}

#[derive(Template)]
#[template(path = "plans.html")]
struct PlansPage {
    layout: Layout,
    year: i16,
    lines: Vec<DistrictLine>,
    total_draft: usize,
    total_submitted: usize,
    total_approved: usize,
    total_derived: usize,
    changes: Vec<ChangeLine>,
    may_approve: bool,
    may_submit: bool,
    notice: String,
}

fn who<'a>(user: &'a CurrentUser, snap: &'a Snapshot) -> Who<'a> {
    Who {
        name: &user.account.username,
        unit: user.account.unit.and_then(|u| snap.portfolio.unit(u)),
    }
}

/// `GET /plans?year=`.
pub(crate) async fn page(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    Typed(query): Typed<AsOfQuery>,
) -> Result<Response, AppError> {
    render(&state, &user, query, String::new()).await
}

async fn render(
    state: &AppState,
    user: &CurrentUser,
    query: AsOfQuery,
    notice: String,
) -> Result<Response, AppError> {
    let visible = user.scope(Resource::Plan)?;
    let snap = view::snapshot(state).await?;
    let today = state.today();
    let scope = Scope::of(query, &snap, today);
    let p = &snap.portfolio;
    let in_scope = jianguan_domain::model::Portfolio {
        projects: p
            .projects
            .iter()
            .filter(|pr| visible.covers(pr))
            .cloned()
            .collect(),
        ..jianguan_domain::model::Portfolio::default()
    };
    let (by_district, total) = rules::tally_by_district(&in_scope, scope.year);
    let changes = state
        .store()
        .plan_changes(Some(scope.year))
        .await
        .map_err(AppError::store)?;
    let changes: Vec<_> = changes
        .into_iter()
        .filter(|c| in_scope.project(c.request.project).is_some())
        .collect();
    let counts = rules::adjustment_counts(&in_scope, &changes, scope.year);
    let lines = by_district
        .into_iter()
        .map(|(id, t)| DistrictLine {
            id: id.0,
            name: p.unit_name(id).to_string(),
            draft: t.draft,
            submitted: t.submitted,
            approved: t.approved,
            derived: t.derived_milestones,
            changes: counts.by_district.get(&id).copied().unwrap_or(0),
        })
        .collect();
    let changes = changes
        .iter()
        .rev()
        .map(|c| {
            let project = in_scope.project(c.request.project);
            ChangeLine {
                id: c.id,
                project: project.map_or(String::new(), |pr| format!("{} {}", pr.code, pr.name)),
                href: format!("/projects/{}", c.request.project),
                kind: crate::i18n::lang().t(c.request.kind.label()),
                detail: detail(project, &c.request),
                reason: c.request.reason.clone(),
                by: crate::fmt::actor(&c.requested_by),
                status: crate::i18n::lang().t(c.status.label()),
                pending: c.status == PlanChangeStatus::Pending,
                note: c.decision_note.clone().unwrap_or_default(),
            }
        })
        .collect();
    let layout =
        Layout::new("年度计划", "plans", scope, &snap, "/plans", user).crumb("年度计划", None);
    view::render(PlansPage {
        layout,
        year: scope.year,
        lines,
        total_draft: total.draft,
        total_submitted: total.submitted,
        total_approved: total.approved,
        total_derived: total.derived_milestones,
        changes,
        may_approve: user.may(Resource::Plan, Action::Update),
        // Units hand their drafts in; the office, which approves them, does not submit.
        may_submit: user.may(Resource::Plan, Action::Create)
            && !user.may(Resource::Plan, Action::Update)
            && user.account.unit.is_some(),
        notice,
    })
}

/// What a change asks, in words.
fn detail(project: Option<&Project>, r: &PlanChangeRequest) -> String {
    match r.kind {
        PlanChangeKind::Dates => r
            .dates
            .iter()
            .map(|(id, d)| {
                let m = project.and_then(|p| p.milestones.iter().find(|m| m.id == *id));
                match m {
                    Some(m) => format!("{}：{} → {d}", m.name, m.planned),
                    None => crate::i18n::lang().tn2("节点 {n} → {m}", id, d),
                }
            })
            .collect::<Vec<_>>()
            .join(crate::i18n::lang().t("；")),
        PlanChangeKind::Investment => r.investment.map_or(String::new(), |m| {
            crate::i18n::lang().tn("{n} 万元", format!("{:.2}", m.wan()))
        }),
        PlanChangeKind::Suspension | PlanChangeKind::Cancellation => r
            .effective_on
            .map_or(String::new(), |d| crate::i18n::lang().tn("自 {n} 起", d)),
        PlanChangeKind::Scope => r.scope.clone().unwrap_or_default(),
    }
}

/// The year (and, for approval, a district) a plan form acts on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PlanForm {
    /// The plan year; the year shown by default when absent.
    year: Option<i16>,
    unit: Option<i64>,
}

impl FromParams for PlanForm {
    fn from_params(f: &mut Fields<'_>) -> Self {
        PlanForm {
            year: f.year("year"),
            unit: f.id("unit"),
        }
    }
}

fn query_of(year: i16) -> AsOfQuery {
    AsOfQuery {
        year: Some(year),
        as_of: None,
    }
}

/// `POST /plans/approve`: the office approves a year's plans, all or one district's.
pub(crate) async fn approve(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    TypedForm(form): TypedForm<PlanForm>,
) -> Result<Response, AppError> {
    move_plans(&state, &user, form, PlanStatus::Approved).await
}

/// `POST /plans/submit`: a unit hands its drafts for the year to the office.
pub(crate) async fn submit(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    TypedForm(form): TypedForm<PlanForm>,
) -> Result<Response, AppError> {
    move_plans(&state, &user, form, PlanStatus::Submitted).await
}

/// Moves a year's plans to `to` and shows the page with what was done: approval of all plans
/// or one unit's (the office); submission of the user's own unit's drafts.
async fn move_plans(
    state: &AppState,
    user: &CurrentUser,
    form: PlanForm,
    to: PlanStatus,
) -> Result<Response, AppError> {
    let snap = view::snapshot(state).await?;
    let year = form
        .year
        .unwrap_or_else(|| snap.portfolio.default_year(state.today()));
    let by = who(user, &snap);
    let unit: Option<&Unit> = match (to, form.unit) {
        (PlanStatus::Approved, Some(id)) => Some(
            snap.portfolio
                .unit(UnitId(id))
                .ok_or_else(|| AppError::not_found("没有这个单位"))?,
        ),
        (PlanStatus::Approved, None) => None,
        _ => Some(
            by.unit
                .ok_or_else(|| AppError::forbidden("账户没有所属单位，不能报送计划"))?,
        ),
    };
    let n = plans::set_status(
        state.store(),
        state.clock(),
        &snap.portfolio,
        year,
        unit,
        to,
        by,
    )
    .await
    .map_err(AppError::store)?;
    let whose = unit.map_or(String::new(), |u| u.name.clone());
    let notice = match to {
        PlanStatus::Approved => {
            crate::i18n::lang().tn2("已批准{n} {m} 年计划", whose, year)
                + &crate::i18n::lang().tn(" {n} 项，基线已冻结。", n)
        }
        _ => {
            crate::i18n::lang().tn2("已报送{n} {m} 年草拟计划", whose, year)
                + &crate::i18n::lang().tn(" {n} 项。", n)
        }
    };
    render(state, user, query_of(year), notice).await
}

/// One milestone of the change form.
struct MilestoneField {
    id: i64,
    name: String,
    planned: String,
    current: String,
    reached: bool,
}

#[derive(Template)]
#[template(path = "plan_change.html")]
struct ChangePage {
    layout: Layout,
    project_id: i64,
    project: String,
    year: i16,
    kinds: Vec<(&'static str, &'static str, bool)>,
    milestones: Vec<MilestoneField>,
    reason: String,
    errors: Vec<(String, String)>,
}

/// The project a change form is about.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ChangeQuery {
    project: Option<i64>,
}

impl FromParams for ChangeQuery {
    fn from_params(f: &mut Fields<'_>) -> Self {
        ChangeQuery {
            project: f.id("project"),
        }
    }
}

/// The project in the user's plan scope, or 404.
fn project_in_scope<'a>(
    user: &CurrentUser,
    snap: &'a Snapshot,
    id: i64,
) -> Result<&'a Project, AppError> {
    let visible = user.scope(Resource::Plan)?;
    snap.portfolio
        .project(ProjectId(id))
        .filter(|p| visible.covers(p))
        .ok_or_else(|| AppError::not_found("没有这个项目，或不在您的范围内"))
}

async fn change_page(
    state: &AppState,
    user: &CurrentUser,
    project_id: i64,
    form: Option<&ChangeForm>,
    errors: Vec<(String, String)>,
) -> Result<Response, AppError> {
    let snap = view::snapshot(state).await?;
    let project = project_in_scope(user, &snap, project_id)?;
    let today = state.today();
    let year = snap.portfolio.default_year(today);
    let year = if project.plan_for(year).is_some() {
        year
    } else {
        project.years().map_or(year, |(_, last)| last)
    };
    let scope = Scope::of(query_of(year), &snap, today);
    let kind = form.map(|f| f.kind);
    let layout = Layout::new("申请计划调整", "plans", scope, &snap, "/plans/change", user)
        .crumb("年度计划", Some("/plans".into()))
        .crumb("申请计划调整", None);
    view::render(ChangePage {
        layout,
        project_id,
        project: format!("{} {}", project.code, project.name),
        year,
        kinds: PlanChangeKind::ALL
            .into_iter()
            .map(|k| (k.code(), crate::i18n::lang().t(k.label()), kind == Some(k)))
            .collect(),
        milestones: project
            .milestones
            .iter()
            .map(|m| MilestoneField {
                id: m.id.0,
                name: m.name.clone(),
                planned: m.planned.to_string(),
                current: m.adjusted_or_planned().to_string(),
                reached: m.actual.is_some(),
            })
            .collect(),
        reason: form.map(|f| f.reason.clone()).unwrap_or_default(),
        errors,
    })
}

/// `GET /plans/change?project=ID`: the form.
pub(crate) async fn change_form(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    Typed(query): Typed<ChangeQuery>,
) -> Result<Response, AppError> {
    match query.project {
        Some(project) => change_page(&state, &user, project, None, Vec::new()).await,
        None => {
            let hint = "请在项目页点“申请计划调整”，为一个项目提出申请".to_string();
            render(&state, &user, AsOfQuery::default(), hint).await
        }
    }
}

/// A plan change as the form sends it.
#[derive(Debug, Clone)]
pub(crate) struct ChangeForm {
    /// The project; a form without one is answered with the plan page and a hint.
    project: Option<i64>,
    year: i16,
    kind: PlanChangeKind,
    reason: String,
    dates: Vec<(i64, jianguan_domain::Date)>,
    investment: Option<f64>,
    effective_on: Option<jianguan_domain::Date>,
    scope: Option<String>,
    attachments: Vec<String>,
}

impl FromParams for ChangeForm {
    fn from_params(f: &mut Fields<'_>) -> Self {
        let project = f.id("project");
        let year = f.year("year").unwrap_or(0);
        let kind = f
            .choice("kind", PlanChangeKind::from_code, "应为调整类型之一")
            .unwrap_or(PlanChangeKind::Dates);
        let reason = f.text("reason").unwrap_or_default();
        let mut dates = Vec::new();
        for name in f.all("milestone") {
            let Ok(id) = name.parse::<i64>() else {
                f.refuse("milestone", "应为节点编号");
                continue;
            };
            let field = format!("date_{id}");
            if let Some(d) = f.date(&field) {
                dates.push((id, d));
            }
        }
        let investment = match f.text("investment") {
            Some(v) => match v.parse::<f64>() {
                Ok(x) if x.is_finite() => Some(x),
                _ => {
                    f.refuse("investment", "应为金额（万元），如 1200.5");
                    None
                }
            },
            None => None,
        };
        ChangeForm {
            project,
            year,
            kind,
            reason,
            dates,
            investment,
            effective_on: f.date("effective_on"),
            scope: f.text("scope"),
            attachments: f
                .text("attachments")
                .map(|a| {
                    a.split(['；', ';', '\n'])
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

/// `POST /plans/change`: a unit requests a change.
pub(crate) async fn request_change(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    TypedForm(form): TypedForm<ChangeForm>,
) -> Result<Response, AppError> {
    let snap = view::snapshot(&state).await?;
    let Some(project_id) = form.project else {
        let hint = "请在项目页点“申请计划调整”，为一个项目提出申请".to_string();
        return view::unprocessable(render(&state, &user, AsOfQuery::default(), hint).await);
    };
    let project = project_in_scope(&user, &snap, project_id)?;
    let request = PlanChangeRequest {
        project: project.id,
        year: form.year,
        kind: form.kind,
        reason: form.reason.clone(),
        dates: form
            .dates
            .iter()
            .map(|(id, d)| (jianguan_domain::model::MilestoneId(*id), *d))
            .collect(),
        investment: form.investment.map(Money::from_wan),
        effective_on: form.effective_on,
        scope: form.scope.clone(),
        attachments: form.attachments.clone(),
    };
    match plans::request_change(
        state.store(),
        state.clock(),
        &snap.portfolio,
        request,
        who(&user, &snap),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/plans?year={}#changes", form.year)).into_response()),
        Err(PlanUseError::Refused(e)) => view::unprocessable(
            change_page(
                &state,
                &user,
                project_id,
                Some(&form),
                vec![(e.field.to_string(), e.message)],
            )
            .await,
        ),
        Err(PlanUseError::NotFound(what)) => Err(AppError::not_found(what)),
        Err(PlanUseError::Store(e)) => Err(AppError::store(e)),
    }
}

/// The office's decision.
#[derive(Debug, Clone)]
pub(crate) struct DecideForm {
    /// Approve (true) or reject; a form without a decision is answered with the page.
    approve: Option<bool>,
    note: String,
    year: Option<i16>,
}

impl FromParams for DecideForm {
    fn from_params(f: &mut Fields<'_>) -> Self {
        let approve = f.choice(
            "decision",
            |v| match v {
                "approve" => Some(true),
                "reject" => Some(false),
                _ => None,
            },
            "应为 approve 或 reject",
        );
        DecideForm {
            approve,
            note: f.text("note").unwrap_or_default(),
            year: f.year("year"),
        }
    }
}

/// `POST /plans/changes/{id}/decide`.
pub(crate) async fn decide(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<i64>,
    TypedForm(form): TypedForm<DecideForm>,
) -> Result<Response, AppError> {
    let snap = view::snapshot(&state).await?;
    let year = form
        .year
        .unwrap_or_else(|| snap.portfolio.default_year(state.today()));
    let Some(approve) = form.approve else {
        let hint = "请选择批准或驳回".to_string();
        return view::unprocessable(render(&state, &user, query_of(year), hint).await);
    };
    let notice = match plans::decide_change(
        state.store(),
        state.clock(),
        &snap.portfolio,
        id,
        approve,
        &form.note,
        who(&user, &snap),
    )
    .await
    {
        Ok(()) => crate::i18n::lang().tn(
            if approve {
                "调整申请 {n} 已批准。"
            } else {
                "调整申请 {n} 已驳回。"
            },
            id,
        ),
        Err(PlanUseError::Refused(e)) => {
            return view::unprocessable(render(&state, &user, query_of(year), e.to_string()).await);
        }
        Err(PlanUseError::NotFound(what)) => return Err(AppError::not_found(what)),
        Err(PlanUseError::Store(e)) => return Err(AppError::store(e)),
    };
    render(&state, &user, query_of(year), notice).await
}
