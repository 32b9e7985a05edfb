//! The to-do list (待办, issue 21 item 1): `/todo` and `/api/v1/todo` list what needs the
//! signed-in user ([`jianguan_app::todo`]), every page's header carries its count, and the role
//! home pages (the overview, a district's or a category's page, the filing desk) show it first.
//!
//! The list is worked out once per page request, by the route guard, and handed to the page's
//! layout through a task-local ([`scope`], [`current`]); a node keeps each user's list for the
//! data version and day it was derived at, so pages between two writes derive it once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use jianguan_app::todo::{self, Requester, Todo};
use jianguan_domain::Date;

use crate::api::Scope;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::view::{self, Layout};
use crate::{AppState, Params};

tokio::task_local! {
    static TODOS: (Arc<Vec<Todo>>, Date);
}

/// Runs `f` with `todos` as the request's to-do list, derived on `today`.
pub(crate) async fn scope<F: Future>(todos: Arc<Vec<Todo>>, today: Date, f: F) -> F::Output {
    TODOS.scope((todos, today), f).await
}

/// The to-do list of the request being served and the day it was derived on (an empty list
/// outside a page request).
pub(crate) fn current() -> (Arc<Vec<Todo>>, Date) {
    TODOS
        .try_with(|(list, today)| (list.clone(), *today))
        .unwrap_or_else(|_| (Arc::default(), Date::MIN))
}

/// How many lists a node keeps (one per account, data version and day); all are dropped when
/// it is full.
const KEPT: usize = 512;

/// Whose list, at which data version, on which day: (account id, data version, day).
type ListKey = (i64, i64, Date);

/// The lists a node derived, by account, data version and day.
#[derive(Default)]
pub(crate) struct Lists(Mutex<HashMap<ListKey, Arc<Vec<Todo>>>>);

/// The to-do list of `user` today: derived from the records at the node's current data
/// version, or the one derived there already.
pub(crate) async fn of_user(
    state: &AppState,
    user: &CurrentUser,
) -> Result<Arc<Vec<Todo>>, AppError> {
    let version = state
        .store()
        .data_version()
        .await
        .map_err(AppError::store)?;
    let today = state.today();
    let key = (user.account.id, version, today);
    if let Some(held) = state.todo_lists().0.lock().expect("not poisoned").get(&key) {
        return Ok(held.clone());
    }
    let who = Requester {
        roles: &user.roles,
        unit: user.account.unit,
    };
    let list = Arc::new(
        todo::for_user(state, who, today)
            .await
            .map_err(AppError::store)?,
    );
    let mut held = state.todo_lists().0.lock().expect("not poisoned");
    if held.len() >= KEPT {
        held.clear();
    }
    held.insert(key, list.clone());
    Ok(list)
}

/// One line as pages show it.
pub(crate) struct TodoLine {
    /// What waits, with its count, in the reader's language.
    pub(crate) text: String,
    /// The nearest deadline, written out, if any.
    pub(crate) deadline: Option<String>,
    /// Whether that deadline has passed.
    pub(crate) overdue: bool,
    /// Where the work is done.
    pub(crate) href: String,
}

/// The lines of `todos` for a page on `today`.
pub(crate) fn lines(todos: &[Todo], today: Date) -> Vec<TodoLine> {
    let lang = crate::i18n::lang();
    todos
        .iter()
        .map(|t| TodoLine {
            text: lang.tn(t.duty.label(), t.count),
            deadline: t.deadline.map(|d| lang.date(d)),
            overdue: t.deadline.is_some_and(|d| d < today),
            href: t.href.clone(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "todo.html")]
struct TodoPage {
    layout: Layout,
    lines: Vec<TodoLine>,
}

/// `GET /todo`: the user's to-do list.
pub(crate) async fn page(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    params: Params,
) -> Result<Response, AppError> {
    let snap = view::snapshot(&state).await?;
    let scope = Scope::resolve(&params, &snap, state.today())?;
    let layout = Layout::new("待办", "", scope, &snap, "/todo", &user).crumb("待办", None);
    let todos = of_user(&state, &user).await?;
    view::render(TodoPage {
        lines: lines(&todos, state.today()),
        layout,
    })
}

/// `GET /api/v1/todo`: the user's to-do list as JSON.
pub(crate) async fn api(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
) -> Result<Response, AppError> {
    let todos = of_user(&state, &user).await?;
    let lang = crate::i18n::lang();
    let rows: Vec<serde_json::Value> = todos
        .iter()
        .map(|t| {
            serde_json::json!({
                "duty": t.duty.code(),
                "count": t.count,
                "text": lang.tn(t.duty.label(), t.count),
                "deadline": t.deadline,
                "href": t.href,
            })
        })
        .collect();
    Ok(Json(serde_json::json!({
        "today": state.today(),
        "total": todos.iter().map(|t| t.count).sum::<usize>(),
        "todo": rows,
    }))
    .into_response())
}
