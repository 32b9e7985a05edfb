//! Projects made and edited by hand: `/projects/new` and `/projects/{id}/edit`, for the office
//! (any project) and a district or lead unit (within its scope). Units and categories are
//! chosen by name; the location is typed as WGS-84 longitude and latitude (no map picker);
//! milestones are derived from a planned start and completion by the category's template, or
//! typed one by one. A project whose plan is approved shows its baseline dates read-only: they
//! change only through 计划调整. Checked and written by `jianguan_app::projects`.

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use jianguan_access::Scope as AccessScope;
use jianguan_access::policy::{Action, Resource};
use jianguan_app::projects::ProjectSaveError;
use jianguan_domain::coords::CoordinateSystem;
use jianguan_domain::model::{
    BuildType, CategoryId, PlanKind, Project, ProjectId, UnitId, UnitKind,
};
use jianguan_domain::project_edit::{ProjectInput, baseline_frozen};
use jianguan_domain::store::ProjectRecord;
use jianguan_domain::store::ReportVersions;

use crate::api::Scope;
use crate::auth::CurrentUser;
use crate::error::{AppError, store_refusal};
use crate::params::{Fields, FromParams, Typed, TypedForm};
use crate::view::{self, Choice, Layout};
use crate::{AppState, Snapshot};

/// The most milestone rows a form may send.
const MAX_MILESTONES: usize = 60;

/// The project form (or, on `GET /projects/new`, the fields carried over when the category is
/// changed): the fields of [`ProjectInput`], milestone dates `m_N` for N below `milestones`.
pub(crate) struct ProjectForm {
    input: ProjectInput,
}

impl FromParams for ProjectForm {
    fn from_params(f: &mut Fields<'_>) -> Self {
        let rows = f
            .text("milestones")
            .and_then(|r| r.parse::<usize>().ok())
            .unwrap_or(0)
            .min(MAX_MILESTONES);
        let milestone_dates = (0..rows).map(|i| f.raw(&format!("m_{i}"))).collect();
        ProjectForm {
            input: ProjectInput {
                code: f.raw("code"),
                name: f.raw("name"),
                category: f.raw("category"),
                district: f.raw("district"),
                street: f.raw("street"),
                lead_unit: f.raw("lead_unit"),
                responsible_unit: f.raw("responsible_unit"),
                sub_hq: f.raw("sub_hq"),
                build_type: f.raw("build_type"),
                total_investment: f.raw("total_investment"),
                funding_source: f.raw("funding_source"),
                lon: f.raw("lon"),
                lat: f.raw("lat"),
                coordinates: f.raw("coordinates"),
                year: f.raw("plan_year"),
                plan_kind: f.raw("plan_kind"),
                planned_investment: f.raw("planned_investment"),
                start: f.raw("start"),
                completion: f.raw("completion"),
                milestone_dates,
            },
        }
    }
}

/// One milestone row of the form.
struct MilestoneRow {
    name: String,
    planned: String,
    actual: String,
    derived: bool,
}

#[derive(Template)]
#[template(path = "project_edit.html")]
struct EditPage {
    layout: Layout,
    heading: String,
    action: String,
    is_new: bool,
    frozen: bool,
    input: ProjectInput,
    categories: Vec<Choice>,
    districts: Vec<Choice>,
    leads: Vec<Choice>,
    sub_hqs: Vec<Choice>,
    responsible: Vec<Choice>,
    build_types: Vec<Choice>,
    plan_kinds: Vec<Choice>,
    coordinate_systems: Vec<Choice>,
    milestones: Vec<MilestoneRow>,
    errors: Vec<String>,
    cancel: String,
}

fn choices_of<'a>(
    items: impl Iterator<Item = (String, &'a str)>,
    selected: &str,
    blank: &str,
) -> Vec<Choice> {
    let mut out = vec![Choice {
        value: String::new(),
        label: blank.to_string(),
        selected: selected.trim().is_empty(),
    }];
    out.extend(items.map(|(value, label)| Choice {
        selected: value == selected.trim(),
        value,
        label: label.to_string(),
    }));
    out
}

/// The units of `kind` a user of `scope` may choose: all active ones (and the one chosen), or
/// only the user's own where the scope is by that kind.
fn units<'a>(
    snap: &'a Snapshot,
    kind: UnitKind,
    scope: AccessScope,
    selected: &'a str,
) -> impl Iterator<Item = (String, &'a str)> + 'a {
    let own = match (scope, kind) {
        (AccessScope::District(u), UnitKind::District)
        | (AccessScope::LeadUnit(u), UnitKind::LeadUnit) => Some(u),
        _ => None,
    };
    snap.portfolio
        .units_of(kind)
        .filter(move |u| own.is_none_or(|own| u.id == own))
        .filter(move |u| u.active || u.id.to_string() == selected.trim())
        .map(|u| (u.id.to_string(), u.name.as_str()))
}

fn layout(
    state: &AppState,
    snap: &Snapshot,
    user: &CurrentUser,
    title: &str,
    path: &str,
) -> Layout {
    let today = state.today();
    let year = snap.portfolio.reporting_year().unwrap_or(today.year());
    let scope = Scope {
        year,
        as_of: jianguan_domain::calendar::default_as_of(year, today),
    };
    Layout::new(title.to_string(), "projects", scope, snap, path, user)
        .crumb("项目", Some("/projects".to_string()))
}

/// The form page: `stored` is the project being edited (`None`: a new one).
async fn render_form(
    state: &AppState,
    user: &CurrentUser,
    stored: Option<&Project>,
    input: ProjectInput,
    errors: Vec<String>,
) -> Result<Response, AppError> {
    let snap = view::snapshot(state).await?;
    let scope = user.scope_for(Resource::Project, Action::Update)?;
    let p = &snap.portfolio;
    let (heading, action, cancel) = match stored {
        Some(pr) => (
            crate::i18n::lang().tn("修改项目：{n}", &pr.name),
            format!("/projects/{}/edit", pr.id),
            format!("/projects/{}", pr.id),
        ),
        None => (
            crate::i18n::lang().t("新建项目").to_string(),
            "/projects/new".to_string(),
            "/projects".to_string(),
        ),
    };
    let frozen = stored.is_some_and(baseline_frozen);
    let milestones: Vec<MilestoneRow> = match stored {
        Some(pr) => pr
            .milestones
            .iter()
            .enumerate()
            .map(|(i, m)| MilestoneRow {
                name: m.name.clone(),
                planned: input
                    .milestone_dates
                    .get(i)
                    .cloned()
                    .unwrap_or_else(|| m.planned.to_string()),
                actual: m.actual.map(|d| d.to_string()).unwrap_or_default(),
                derived: m.derived,
            })
            .collect(),
        None => {
            let category = input
                .category
                .trim()
                .parse::<i64>()
                .ok()
                .and_then(|id| p.category(CategoryId(id)))
                .or(p.categories.first());
            category
                .map(|c| {
                    c.template
                        .iter()
                        .enumerate()
                        .map(|(i, s)| MilestoneRow {
                            name: s.name.clone(),
                            planned: input.milestone_dates.get(i).cloned().unwrap_or_default(),
                            actual: String::new(),
                            derived: false,
                        })
                        .collect()
                })
                .unwrap_or_default()
        }
    };
    let page = EditPage {
        layout: layout(state, &snap, user, &heading, &action).crumb(heading.clone(), None),
        categories: choices_of(
            p.categories
                .iter()
                .map(|c| (c.id.to_string(), c.name.as_str())),
            &input.category,
            crate::i18n::lang().t("（请选择类别）"),
        ),
        districts: choices_of(
            units(&snap, UnitKind::District, scope, &input.district),
            &input.district,
            crate::i18n::lang().t("（请选择县区）"),
        ),
        leads: choices_of(
            units(&snap, UnitKind::LeadUnit, scope, &input.lead_unit),
            &input.lead_unit,
            crate::i18n::lang().t("（按类别默认）"),
        ),
        sub_hqs: choices_of(
            units(&snap, UnitKind::SubHq, scope, &input.sub_hq),
            &input.sub_hq,
            crate::i18n::lang().t("（按类别默认）"),
        ),
        responsible: choices_of(
            units(
                &snap,
                UnitKind::ResponsibleUnit,
                scope,
                &input.responsible_unit,
            ),
            &input.responsible_unit,
            crate::i18n::lang().t("（请选择责任单位）"),
        ),
        build_types: choices_of(
            [
                BuildType::New,
                BuildType::Renovation,
                BuildType::Remediation,
            ]
            .into_iter()
            .map(|b| (b.code().to_string(), crate::i18n::lang().t(b.label()))),
            &input.build_type,
            crate::i18n::lang().t("（请选择）"),
        ),
        plan_kinds: choices_of(
            [PlanKind::Construction, PlanKind::Preliminary]
                .into_iter()
                .map(|k| (k.code().to_string(), crate::i18n::lang().t(k.label()))),
            &input.plan_kind,
            crate::i18n::lang().t("（请选择）"),
        ),
        coordinate_systems: {
            // The system typed (any name it goes by), WGS-84 when none or an unknown one.
            view::coordinate_choices(
                CoordinateSystem::parse(&input.coordinates).unwrap_or_default(),
            )
        },
        heading,
        action,
        cancel,
        is_new: stored.is_none(),
        frozen,
        input,
        milestones,
        errors,
    };
    if page.errors.is_empty() {
        view::render(page)
    } else {
        view::unprocessable(view::render(page))
    }
}

/// The project `id` if the user may edit it: outside their scope it is not found (and the
/// denial audited), as on the project page.
async fn editable(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<ProjectRecord, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::not_found("该项目"))?;
    let scope = user.scope_for(Resource::Project, Action::Update)?;
    let record = state
        .store()
        .load_project(ProjectId(id), scope.record_scope(), ReportVersions::All)
        .await
        .map_err(AppError::store)?;
    match record {
        Some(r) => Ok(r),
        None if matches!(scope, AccessScope::All) => Err(AppError::not_found(format!("项目 {id}"))),
        None => Err(
            crate::api::deny(state, user, &format!("project:{id}"), &format!("项目 {id}")).await,
        ),
    }
}

/// `GET /projects/new` (fields in the query, when the category was changed, are kept).
pub(crate) async fn new_form(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    Typed(form): Typed<ProjectForm>,
) -> Result<Response, AppError> {
    let mut input = form.input;
    let scope = user.scope_for(Resource::Project, Action::Update)?;
    if input.district.is_empty()
        && let AccessScope::District(UnitId(u)) = scope
    {
        input.district = u.to_string();
    }
    if input.lead_unit.is_empty()
        && let AccessScope::LeadUnit(UnitId(u)) = scope
    {
        input.lead_unit = u.to_string();
    }
    if input.year.is_empty() {
        input.year = state.today().year().to_string();
    }
    render_form(&state, &user, None, input, Vec::new()).await
}

/// `POST /projects/new`.
pub(crate) async fn create(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    TypedForm(form): TypedForm<ProjectForm>,
) -> Result<Response, AppError> {
    let scope = user.scope_for(Resource::Project, Action::Update)?;
    let snap = view::snapshot(&state).await?;
    let made = jianguan_app::projects::create_project(
        state.store(),
        &snap.portfolio,
        snap.version,
        &scope,
        &form.input,
        &user.account.username,
    )
    .await;
    match made {
        Ok(id) => Ok(Redirect::to(&format!("/projects/{id}")).into_response()),
        Err(e) => refused(&state, &user, None, form.input, e).await,
    }
}

async fn refused(
    state: &AppState,
    user: &CurrentUser,
    stored: Option<&Project>,
    input: ProjectInput,
    e: ProjectSaveError,
) -> Result<Response, AppError> {
    match e {
        ProjectSaveError::Invalid(problems) => {
            render_form(state, user, stored, input, problems).await
        }
        ProjectSaveError::Store(e) => match store_refusal(&e) {
            Some(message) => render_form(state, user, stored, input, vec![message]).await,
            None => Err(AppError::store(e)),
        },
    }
}

/// `GET /projects/{id}/edit`.
pub(crate) async fn edit_form(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let record = editable(&state, &user, &id).await?;
    let input = ProjectInput::of(&record.project);
    render_form(&state, &user, Some(&record.project), input, Vec::new()).await
}

/// `POST /projects/{id}/edit`.
pub(crate) async fn update(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
    TypedForm(form): TypedForm<ProjectForm>,
) -> Result<Response, AppError> {
    let record = editable(&state, &user, &id).await?;
    let scope = user.scope_for(Resource::Project, Action::Update)?;
    let snap = view::snapshot(&state).await?;
    let saved = jianguan_app::projects::update_project(
        state.store(),
        &snap.portfolio,
        snap.version,
        &scope,
        &record.project,
        &form.input,
        &user.account.username,
    )
    .await;
    match saved {
        Ok(_) => Ok(Redirect::to(&format!("/projects/{}", record.project.id)).into_response()),
        Err(e) => refused(&state, &user, Some(&record.project), form.input, e).await,
    }
}
