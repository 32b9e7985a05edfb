//! The office's catalogue pages: `/categories` (every category with its line, lead unit,
//! template and version), the edit form (`/categories/new`, `/categories/{id}/edit`: name, line
//! and lead unit chosen by name, the template as a table of rows with spare rows to add steps
//! and a delete box per row — plain HTML, no script) and each category's version history. The
//! form is checked and saved by `jianguan_app::catalogue::save_category`; a refused form comes
//! back with every problem and the input kept.

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use jianguan_access::policy::{Action, Resource};
use jianguan_app::catalogue::CategorySaveError;
use jianguan_domain::catalogue::{CategoryInput, StepInput, template_summary};
use jianguan_domain::model::{CategoryId, ProjectStatus, UnitKind};

use crate::api::Scope;
use crate::auth::CurrentUser;
use crate::error::{AppError, store_refusal};
use crate::params::{Fields, FromParams, TypedForm};
use crate::view::{self, Choice, Layout};
use crate::{AppState, Snapshot};

/// Spare empty rows under a template, for adding steps.
const SPARE_ROWS: usize = 3;
/// The most template rows a form may send.
const MAX_ROWS: usize = 60;

/// One category in the list.
struct Row {
    /// Whether the reader may open the category's page (and so it is linked).
    opens: bool,
    id: i64,
    code: String,
    name: String,
    line: String,
    lead: String,
    template: String,
    steps: usize,
    version: u32,
}

#[derive(Template)]
#[template(path = "categories.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Row>,
    may_update: bool,
    notice: String,
}

/// One row of the template table as the form shows it.
struct StepRow {
    name: String,
    weight: String,
    share: String,
    enters: Vec<Choice>,
    delete: bool,
}

#[derive(Template)]
#[template(path = "category_edit.html")]
struct EditPage {
    layout: Layout,
    heading: String,
    action: String,
    is_new: bool,
    code: String,
    name: String,
    version: u32,
    lines: Vec<Choice>,
    leads: Vec<Choice>,
    steps: Vec<StepRow>,
    errors: Vec<String>,
    history: Option<String>,
}

/// One saved version in the history.
struct VersionRow {
    version: u32,
    at: String,
    by: String,
    name: String,
    line: String,
    lead: String,
    template: String,
}

#[derive(Template)]
#[template(path = "category_history.html")]
struct HistoryPage {
    layout: Layout,
    name: String,
    current: u32,
    edit: Option<String>,
    versions: Vec<VersionRow>,
}

/// The category form as posted: the fields and every template row (`name_N`, `weight_N`,
/// `share_N`, `enters_N`, `delete_N` for N below `rows`).
pub(crate) struct CategoryForm {
    input: CategoryInput,
    deleted: Vec<bool>,
    version: Option<u32>,
}

impl FromParams for CategoryForm {
    fn from_params(f: &mut Fields<'_>) -> Self {
        let rows = f
            .text("rows")
            .and_then(|r| r.parse::<usize>().ok())
            .unwrap_or(0)
            .min(MAX_ROWS);
        let mut steps = Vec::with_capacity(rows);
        let mut deleted = Vec::with_capacity(rows);
        for i in 0..rows {
            steps.push(StepInput {
                name: f.raw(&format!("name_{i}")),
                weight: f.raw(&format!("weight_{i}")),
                share: f.raw(&format!("share_{i}")),
                enters: f.raw(&format!("enters_{i}")),
            });
            deleted.push(f.present(&format!("delete_{i}")));
        }
        CategoryForm {
            input: CategoryInput {
                code: f.raw("code"),
                name: f.raw("name"),
                sub_hq: f.raw("sub_hq"),
                lead_unit: f.raw("lead_unit"),
                steps,
            },
            deleted,
            version: f.text("version").and_then(|v| v.parse().ok()),
        }
    }
}

impl CategoryForm {
    /// The input without the rows marked for deletion.
    fn kept(&self) -> CategoryInput {
        CategoryInput {
            steps: self
                .input
                .steps
                .iter()
                .zip(&self.deleted)
                .filter(|(_, d)| !**d)
                .map(|(s, _)| s.clone())
                .collect(),
            ..self.input.clone()
        }
    }
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
    Layout::new(title.to_string(), "categories", scope, snap, path, user)
}

fn parse_id(id: &str) -> Result<CategoryId, AppError> {
    id.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .map(CategoryId)
        .ok_or_else(|| AppError::not_found("该类别"))
}

/// `GET /categories`.
pub(crate) async fn list(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    params: crate::Params,
) -> Result<Response, AppError> {
    let snap = view::snapshot(&state).await?;
    let p = &snap.portfolio;
    let notice = match params.id("saved")? {
        Some(id) => {
            let name = p.category_name(CategoryId(id));
            crate::i18n::lang().tn(
                "已保存「{n}」。已有项目的计划节点不变，新建项目按新模板生成节点。",
                name,
            )
        }
        None => String::new(),
    };
    // A category's page is linked only for a reader who may open it.
    let visible = user.scope(Resource::Portfolio).ok();
    let rows = p
        .categories
        .iter()
        .map(|c| Row {
            opens: visible
                .as_ref()
                .is_some_and(|v| crate::pages::category_opens(v, p, c)),
            id: c.id.0,
            code: c.code.clone(),
            name: c.name.clone(),
            line: p.unit_name(c.sub_hq).to_string(),
            lead: p.unit_name(c.lead_unit).to_string(),
            template: template_summary(&c.template),
            steps: c.template.len(),
            version: c.template_version,
        })
        .collect();
    view::render(ListPage {
        layout: layout(&state, &snap, &user, "类别与节点模板", "/categories")
            .crumb("类别与节点模板", None),
        rows,
        may_update: user.may(Resource::Settings, Action::Update),
        notice,
    })
}

fn unit_choices(snap: &Snapshot, kind: UnitKind, selected: &str) -> Vec<Choice> {
    let mut out = vec![Choice {
        value: String::new(),
        label: crate::i18n::lang().tn("（请选择{n}）", crate::i18n::lang().t(kind.label())),
        selected: selected.trim().is_empty(),
    }];
    out.extend(
        snap.portfolio
            .units_of(kind)
            .filter(|u| u.active || u.id.to_string() == selected.trim())
            .map(|u| Choice {
                value: u.id.to_string(),
                label: u.name.clone(),
                selected: u.id.to_string() == selected.trim(),
            }),
    );
    out
}

fn status_choices(selected: &str) -> Vec<Choice> {
    let mut out = vec![Choice {
        value: String::new(),
        label: "—".to_string(),
        selected: selected.trim().is_empty(),
    }];
    out.extend(
        ProjectStatus::ALL
            .into_iter()
            .filter(|s| *s != ProjectStatus::Suspended)
            .map(|s| Choice {
                value: s.code().to_string(),
                label: crate::i18n::lang().t(s.label()).to_string(),
                selected: s.code() == selected.trim(),
            }),
    );
    out
}

/// The edit page for `id` (`None`: a new category) showing `form`.
async fn render_form(
    state: &AppState,
    user: &CurrentUser,
    id: Option<CategoryId>,
    form: &CategoryForm,
    errors: Vec<String>,
) -> Result<Response, AppError> {
    let snap = view::snapshot(state).await?;
    let stored = match id {
        Some(id) => Some(
            snap.portfolio
                .category(id)
                .ok_or_else(|| AppError::not_found(format!("类别 {id}")))?
                .clone(),
        ),
        None => None,
    };
    let (heading, path) = match &stored {
        Some(c) => (
            crate::i18n::lang().tn("修改类别：{n}", &c.name),
            format!("/categories/{}/edit", c.id),
        ),
        None => (
            crate::i18n::lang().t("新建类别").to_string(),
            "/categories/new".to_string(),
        ),
    };
    let mut steps: Vec<StepRow> = form
        .input
        .steps
        .iter()
        .zip(form.deleted.iter().chain(std::iter::repeat(&false)))
        .map(|(s, d)| StepRow {
            name: s.name.clone(),
            weight: s.weight.clone(),
            share: s.share.clone(),
            enters: status_choices(&s.enters),
            delete: *d,
        })
        .collect();
    let blanks = form
        .input
        .steps
        .iter()
        .rev()
        .take_while(|s| s.is_blank())
        .count();
    for _ in blanks..SPARE_ROWS {
        steps.push(StepRow {
            name: String::new(),
            weight: String::new(),
            share: String::new(),
            enters: status_choices(""),
            delete: false,
        });
    }
    let page = EditPage {
        layout: layout(state, &snap, user, &heading, &path)
            .crumb("类别与节点模板", Some("/categories".to_string()))
            .crumb(heading.clone(), None),
        heading,
        action: path,
        is_new: stored.is_none(),
        code: stored
            .as_ref()
            .map_or_else(|| form.input.code.clone(), |c| c.code.clone()),
        name: form.input.name.clone(),
        version: form
            .version
            .or(stored.as_ref().map(|c| c.template_version))
            .unwrap_or(0),
        lines: unit_choices(&snap, UnitKind::SubHq, &form.input.sub_hq),
        leads: unit_choices(&snap, UnitKind::LeadUnit, &form.input.lead_unit),
        steps,
        history: stored
            .as_ref()
            .map(|c| format!("/categories/{}/history", c.id)),
        errors,
    };
    if page.errors.is_empty() {
        view::render(page)
    } else {
        view::unprocessable(view::render(page))
    }
}

/// `GET /categories/new`.
pub(crate) async fn new_form(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
) -> Result<Response, AppError> {
    let form = CategoryForm {
        input: CategoryInput::default(),
        deleted: Vec::new(),
        version: None,
    };
    render_form(&state, &user, None, &form, Vec::new()).await
}

/// `GET /categories/{id}/edit`.
pub(crate) async fn edit_form(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let snap = view::snapshot(&state).await?;
    let category = snap
        .portfolio
        .category(id)
        .ok_or_else(|| AppError::not_found(format!("类别 {id}")))?;
    let form = CategoryForm {
        input: CategoryInput::of(category),
        deleted: vec![false; category.template.len()],
        version: Some(category.template_version),
    };
    render_form(&state, &user, Some(id), &form, Vec::new()).await
}

async fn save(
    state: &AppState,
    user: &CurrentUser,
    id: Option<CategoryId>,
    form: CategoryForm,
) -> Result<Response, AppError> {
    let snap = view::snapshot(state).await?;
    let saved = jianguan_app::catalogue::save_category(
        state.store(),
        state.clock(),
        &snap.portfolio,
        id,
        form.version,
        &form.kept(),
        &user.account.username,
        user.unit_name.clone(),
    )
    .await;
    match saved {
        Ok(c) => Ok(Redirect::to(&format!("/categories?saved={}", c.id)).into_response()),
        Err(CategorySaveError::Invalid(problems)) => {
            render_form(state, user, id, &form, problems).await
        }
        Err(CategorySaveError::Store(e)) => match store_refusal(&e) {
            Some(message) => render_form(state, user, id, &form, vec![message]).await,
            None => Err(AppError::store(e)),
        },
    }
}

/// `POST /categories/new`.
pub(crate) async fn create(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    TypedForm(form): TypedForm<CategoryForm>,
) -> Result<Response, AppError> {
    save(&state, &user, None, form).await
}

/// `POST /categories/{id}/edit`.
pub(crate) async fn update(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
    TypedForm(form): TypedForm<CategoryForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    save(&state, &user, Some(id), form).await
}

/// `GET /categories/{id}/history`.
pub(crate) async fn history(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let snap = view::snapshot(&state).await?;
    let p = &snap.portfolio;
    let category = p
        .category(id)
        .ok_or_else(|| AppError::not_found(format!("类别 {id}")))?;
    let versions = jianguan_app::catalogue::category_history(state.store(), id)
        .await
        .map_err(AppError::store)?
        .into_iter()
        .map(|v| VersionRow {
            version: v.version,
            at: jiff::Timestamp::from_millisecond(v.saved_at_ms)
                .map(|t| {
                    jiff::tz::offset(8)
                        .to_datetime(t)
                        .strftime("%Y-%m-%d %H:%M")
                        .to_string()
                })
                .unwrap_or_default(),
            by: crate::fmt::actor(&v.saved_by),
            line: p.unit_name(v.category.sub_hq).to_string(),
            lead: p.unit_name(v.category.lead_unit).to_string(),
            template: template_summary(&v.category.template),
            name: v.category.name,
        })
        .collect();
    let title = crate::i18n::lang().tn("{n}：版本记录", &category.name);
    view::render(HistoryPage {
        layout: layout(
            &state,
            &snap,
            &user,
            &title,
            &format!("/categories/{id}/history"),
        )
        .crumb("类别与节点模板", Some("/categories".to_string()))
        .crumb(title.clone(), None),
        name: category.name.clone(),
        current: category.template_version,
        edit: user
            .may(Resource::Settings, Action::Update)
            .then(|| format!("/categories/{id}/edit")),
        versions,
    })
}
