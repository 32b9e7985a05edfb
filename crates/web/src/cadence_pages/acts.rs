//! 督办、约谈建议: the acts the rules propose today, for the office to issue (a document number,
//! a deadline, and for a 约谈 the attendees and minutes) or dismiss with a reason. An issued act
//! becomes a tracked item followed up like any other; a dismissal is kept and audited. Both are
//! decided by the domain ([`Proposal::issue`], [`Proposal::dismiss`]): this module only reads the
//! form and writes what they return.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use jianguan_audit::{AuditAction, AuditDraft, FieldChange, Outcome};
use jianguan_domain::Date;
use jianguan_domain::acts::{self, ActKind, IssueForm, Proposal};
use jianguan_domain::store::CadenceWrite;

use crate::api::Scope;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::view::{self, Layout};
use crate::{AppState, Snapshot};

/// One proposal as the page shows it.
struct Row {
    key: String,
    act: &'static str,
    summons: bool,
    unit: String,
    title: String,
    reason: String,
    projects: usize,
}

#[derive(Template)]
#[template(path = "acts.html")]
struct ActsPage {
    layout: Layout,
    today: String,
    deadline: String,
    rows: Vec<Row>,
    errors: Vec<(String, String)>,
    failed_key: String,
}

/// The proposals made today.
async fn proposals_today(state: &AppState) -> Result<(Arc<Snapshot>, Vec<Proposal>), AppError> {
    let snap = view::snapshot(state).await?;
    let cadence = super::records(state).await?;
    let list = acts::propose(
        &snap.portfolio,
        &cadence.rules.proposals,
        &cadence.warnings,
        &cadence.items,
        &cadence.dismissals,
        state.today(),
    );
    Ok((snap, list))
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    errors: Vec<(String, String)>,
    failed_key: String,
) -> Result<Response, AppError> {
    let (snap, list) = proposals_today(state).await?;
    let today = state.today();
    let scope = Scope {
        year: snap.portfolio.default_year(today),
        as_of: today,
    };
    let p = &snap.portfolio;
    let rows = list
        .into_iter()
        .map(|x| Row {
            act: crate::i18n::lang().t(x.act.label()),
            summons: x.act == ActKind::Summons,
            unit: p.unit(x.unit).map_or(String::new(), |u| u.name.clone()),
            projects: x.projects.len(),
            key: x.key,
            title: x.title,
            reason: x.reason,
        })
        .collect();
    let layout = Layout::new("督办约谈建议", "items", scope, &snap, "/acts", user)
        .crumb("督办事项", Some("/items".into()))
        .crumb("督办约谈建议", None);
    view::render(ActsPage {
        layout,
        today: today.to_string(),
        deadline: (today + jiff::Span::new().days(14)).to_string(),
        rows,
        errors,
        failed_key,
    })
}

/// `GET /acts`.
pub(crate) async fn list(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
) -> Result<Response, AppError> {
    page(&state, &user, Vec::new(), String::new()).await
}

/// `POST /acts/issue` and `POST /acts/dismiss`: the office decides one proposal.
async fn decide(
    state: &AppState,
    user: &CurrentUser,
    form: &HashMap<String, String>,
    issue: bool,
) -> Result<Response, AppError> {
    let field = |name: &str| {
        form.get(name)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let key = field("key");
    let today = state.today();
    let (_, list) = proposals_today(state).await?;
    let refuse = |field: &str, message: String| (vec![(field.to_string(), message)], key.clone());
    let Some(proposal) = list.into_iter().find(|x| x.key == key) else {
        let (errors, k) = refuse("key", acts::ActError::NotProposed(key.clone()).to_string());
        return view::unprocessable(page(state, user, errors, k).await);
    };
    let Some(issuer) = user.account.unit else {
        let (errors, k) = refuse("key", "您的账户未归属单位，不能签发或不予签发".into());
        return view::unprocessable(page(state, user, errors, k).await);
    };
    let change = |f: &str, v: String| FieldChange {
        field: f.into(),
        before: None,
        after: Some(v),
    };
    let mut write = CadenceWrite::default();
    let (action, mut changes) = if issue {
        let deadline = match field("deadline").parse::<Date>() {
            Ok(d) => d,
            Err(_) => {
                let (errors, k) = refuse("deadline", "请填写办理期限，格式 YYYY-MM-DD".into());
                return view::unprocessable(page(state, user, errors, k).await);
            }
        };
        let issued = proposal.issue(
            &IssueForm {
                document_number: field("document_number"),
                deadline,
                detail: field("detail"),
                attendees: field("attendees"),
                minutes: field("minutes"),
            },
            issuer,
            today,
        );
        let item = match issued {
            Ok(item) => item,
            Err(e) => {
                let name = match &e {
                    acts::ActError::Empty("文号") => "document_number",
                    acts::ActError::Empty("参加人员") => "attendees",
                    acts::ActError::Empty("约谈纪要") => "minutes",
                    _ => "deadline",
                };
                let (errors, k) = refuse(name, e.to_string());
                return view::unprocessable(page(state, user, errors, k).await);
            }
        };
        let number = item
            .act
            .as_ref()
            .map(|a| a.document_number.clone())
            .unwrap_or_default();
        write.new_items.push(item);
        (
            AuditAction::ActIssue,
            vec![
                change("document_number", number),
                change("deadline", deadline.to_string()),
            ],
        )
    } else {
        let dismissal = match proposal.dismiss(today, &user.account.username, &field("reason")) {
            Ok(d) => d,
            Err(e) => {
                let (errors, k) = refuse("reason", e.to_string());
                return view::unprocessable(page(state, user, errors, k).await);
            }
        };
        let reason = dismissal.reason.clone();
        write.dismissals.push(dismissal);
        (AuditAction::ActDismiss, vec![change("reason", reason)])
    };
    changes.insert(0, change("act", proposal.act.code().into()));
    changes.insert(1, change("unit", proposal.unit.to_string()));
    let audit = AuditDraft {
        at_ms: state.now_ms(),
        actor: user.account.username.clone(),
        unit: user.unit_name.clone(),
        action: action.code(),
        object: format!("proposal:{}", proposal.key),
        result: Outcome::Success,
        client: user.client.clone(),
        changes,
    };
    let ids = state
        .store()
        .record_cadence(&write, &[audit])
        .await
        .map_err(AppError::store)?;
    Ok(match ids.first() {
        Some(id) => Redirect::to(&format!("/items/{}", id.0)).into_response(),
        None => Redirect::to("/acts").into_response(),
    })
}

/// `POST /acts/issue`.
pub(crate) async fn issue(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    crate::params::CheckedForm(form): crate::params::CheckedForm,
) -> Result<Response, AppError> {
    decide(&state, &user, &form, true).await
}

/// `POST /acts/dismiss`.
pub(crate) async fn dismiss(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    crate::params::CheckedForm(form): crate::params::CheckedForm,
) -> Result<Response, AppError> {
    decide(&state, &user, &form, false).await
}
