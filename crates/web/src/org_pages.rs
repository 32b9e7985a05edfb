//! The organisation page (`/org`, the command office's): the units as a tree, a form to create
//! one (kind and parent chosen by name), and per unit rename, move, deactivate or reactivate.
//! HTTP only: the rules and the writes are `jianguan_app::org`'s.

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use jianguan_app::org::{self, OrgError};
use jianguan_domain::model::{UnitId, UnitKind};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::params::{Fields, FromParams, TypedForm};
use crate::view;

/// One unit as the tree shows it.
struct UnitRow {
    id: i64,
    indent: String,
    name: String,
    kind: &'static str,
    parent: i64,
    active: bool,
}

#[derive(Template)]
#[template(path = "org.html")]
struct OrgPage {
    display: crate::i18n::Display,
    user: String,
    rows: Vec<UnitRow>,
    kinds: Vec<(&'static str, &'static str)>,
    /// Units a unit may be put under, as (id, name with kind).
    parents: Vec<(i64, String)>,
    message: String,
}

async fn org_page(
    state: &AppState,
    user: &CurrentUser,
    message: &str,
) -> Result<Response, AppError> {
    let units = org::units(state.store()).await.map_err(AppError::store)?;
    let rows = jianguan_domain::org::tree(&units)
        .into_iter()
        .map(|(depth, u)| UnitRow {
            id: u.id.0,
            indent: "\u{3000}".repeat(depth),
            name: u.name.clone(),
            kind: crate::i18n::lang().t(u.kind.label()),
            parent: u.parent.map_or(0, |p| p.0),
            active: u.active,
        })
        .collect();
    let parents = units
        .iter()
        .filter(|u| u.active && u.kind != UnitKind::ResponsibleUnit && u.kind != UnitKind::SubHq)
        .map(|u| {
            (
                u.id.0,
                u.name.clone()
                    + &crate::i18n::lang().tn("（{n}）", crate::i18n::lang().t(u.kind.label())),
            )
        })
        .collect();
    view::render(OrgPage {
        display: crate::i18n::current(),
        user: user.account.display_name.clone(),
        rows,
        kinds: UnitKind::ALL
            .iter()
            .filter(|k| **k != UnitKind::CommandHq)
            .map(|k| (k.code(), crate::i18n::lang().t(k.label())))
            .collect(),
        parents,
        message: message.to_string(),
    })
}

/// `GET /org`.
pub(crate) async fn page(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
) -> Result<Response, AppError> {
    org_page(&state, &user, "").await
}

/// What a unit form carries: name, kind (code), parent (an id; blank for none) and, for an
/// existing unit, what to do.
pub(crate) struct UnitForm {
    name: String,
    kind: Option<UnitKind>,
    parent: Option<UnitId>,
    action: String,
}

impl FromParams for UnitForm {
    fn from_params(f: &mut Fields<'_>) -> Self {
        UnitForm {
            name: f.text("name").unwrap_or_default(),
            kind: f.choice("kind", UnitKind::from_code, "应为单位类型"),
            parent: f.id("parent").map(UnitId),
            action: f.text("action").unwrap_or_default(),
        }
    }
}

/// The page again with the refusal (422), or the store's failure.
async fn refused(state: &AppState, user: &CurrentUser, e: OrgError) -> Result<Response, AppError> {
    let message = match e {
        OrgError::Store(e) => match jianguan_app::refusal(&e) {
            Some(m) => m,
            None => return Err(AppError::store(e)),
        },
        other => other.to_string(),
    };
    view::unprocessable(org_page(state, user, &format!("未能保存：{message}")).await)
}

/// `POST /org/units`: creates a unit.
pub(crate) async fn create(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    TypedForm(form): TypedForm<UnitForm>,
) -> Result<Response, AppError> {
    let Some(kind) = form.kind else {
        return view::unprocessable(org_page(&state, &user, "未能保存：类型：请选择").await);
    };
    match org::create_unit(
        state.store(),
        state.clock(),
        &user.account.username,
        &form.name,
        kind,
        form.parent,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to("/org").into_response()),
        Err(e) => refused(&state, &user, e).await,
    }
}

/// `POST /org/units/{id}`: `action` = rename (with `name`), move (with `parent`, blank for
/// none), deactivate or reactivate.
pub(crate) async fn update(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
    TypedForm(form): TypedForm<UnitForm>,
) -> Result<Response, AppError> {
    let id = UnitId(id.parse().map_err(|_| AppError::not_found("该单位"))?);
    let (store, clock, by) = (state.store(), state.clock(), user.account.username.as_str());
    let done = match form.action.as_str() {
        "rename" => org::rename_unit(store, clock, by, id, &form.name).await,
        "move" => org::move_unit(store, clock, by, id, form.parent).await,
        "deactivate" => org::set_unit_active(store, clock, by, id, false).await,
        "reactivate" => org::set_unit_active(store, clock, by, id, true).await,
        _ => {
            return view::unprocessable(
                org_page(&state, &user, "未能保存：操作应为改名、移动、停用或启用").await,
            );
        }
    };
    match done {
        Ok(_) => Ok(Redirect::to("/org").into_response()),
        Err(e) => refused(&state, &user, e).await,
    }
}
