//! The to-do list (待办, issue 21 item 1): `/todo` and `/api/v1/todo` list what needs the
//! signed-in user ([`jianguan_app::todo`]), every page's header carries its count, and the role
//! home pages (the overview, a district's or a category's page, the filing desk) show it first.
//!
//! The list is worked out by the route guard and handed to the page's layout through a
//! task-local ([`scope`], [`current`]); a node keeps each user's latest list with the data
//! version and day it was derived at, so pages between two writes derive it once, and a page
//! after a write shows the list held while the next is derived in the background
//! ([`for_page`]); `/todo` and the API always wait for the current one ([`of_user`]).

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

/// How many accounts' lists a node keeps; all are dropped when it is full.
const KEPT: usize = 512;

/// A header's list is derived again in the background at most this often: during a deadline
/// rush the data version moves every few milliseconds, and the office's list (the rules'
/// proposals over every project) costs tens of milliseconds at national scale — a count a
/// second behind is worth more than a core spent keeping it current.
const REFRESH_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// One account's list as a node holds it.
#[derive(Clone)]
struct Held {
    /// The data version and day it was derived at.
    version: i64,
    today: Date,
    list: Arc<Vec<Todo>>,
    /// When it was derived.
    derived_at: std::time::Instant,
    /// Whether a newer one is being derived in the background.
    refreshing: bool,
}

/// The lists a node derived, by account: the latest of each.
#[derive(Default)]
pub(crate) struct Lists(Mutex<HashMap<i64, Held>>);

impl Lists {
    fn get(&self, account: i64) -> Option<Held> {
        self.0.lock().expect("not poisoned").get(&account).cloned()
    }

    /// Keeps `list` for `account` unless a list of a later version is held already.
    fn put(&self, account: i64, version: i64, today: Date, list: Arc<Vec<Todo>>) {
        let mut held = self.0.lock().expect("not poisoned");
        if held
            .get(&account)
            .is_some_and(|h| h.today == today && h.version > version)
        {
            return;
        }
        if held.len() >= KEPT {
            held.clear();
        }
        held.insert(
            account,
            Held {
                version,
                today,
                list,
                derived_at: std::time::Instant::now(),
                refreshing: false,
            },
        );
    }

    /// Marks `account`'s list as being refreshed; false if it already is, or was derived less
    /// than [`REFRESH_EVERY`] ago.
    fn start_refresh(&self, account: i64) -> bool {
        let mut held = self.0.lock().expect("not poisoned");
        match held.get_mut(&account) {
            Some(h) if !h.refreshing && h.derived_at.elapsed() >= REFRESH_EVERY => {
                h.refreshing = true;
                true
            }
            _ => false,
        }
    }

    fn end_refresh(&self, account: i64) {
        if let Some(h) = self.0.lock().expect("not poisoned").get_mut(&account) {
            h.refreshing = false;
        }
    }
}

/// Derives `user`'s list at `version` and keeps it.
async fn derive(
    state: &AppState,
    user: &CurrentUser,
    version: i64,
    today: Date,
) -> Result<Arc<Vec<Todo>>, AppError> {
    let who = Requester {
        roles: &user.roles,
        unit: user.account.unit,
    };
    let list = Arc::new(
        todo::for_user(state, who, today)
            .await
            .map_err(AppError::store)?,
    );
    state
        .todo_lists()
        .put(user.account.id, version, today, list.clone());
    Ok(list)
}

/// The database's data version and the day: what a list is current for.
async fn now(state: &AppState) -> Result<(i64, Date), AppError> {
    let version = state
        .store()
        .data_version()
        .await
        .map_err(AppError::store)?;
    Ok((version, state.today()))
}

/// The to-do list of `user` today, derived from the records at the node's current data
/// version (or the one derived there already): what `/todo` and the API show.
pub(crate) async fn of_user(
    state: &AppState,
    user: &CurrentUser,
) -> Result<Arc<Vec<Todo>>, AppError> {
    let (version, today) = now(state).await?;
    match state.todo_lists().get(user.account.id) {
        Some(h) if h.version == version && h.today == today => Ok(h.list),
        _ => derive(state, user, version, today).await,
    }
}

/// The list a page's header counts (and a home page lists): the current one if held; else,
/// once a list of today is held, that one while a current one is derived in the background (at
/// most every [`REFRESH_EVERY`]) — so a page never waits for a derivation after a write — and
/// the first of the day derived before the page.
pub(crate) async fn for_page(
    state: &Arc<AppState>,
    user: &CurrentUser,
) -> Result<Arc<Vec<Todo>>, AppError> {
    let (version, today) = now(state).await?;
    let account = user.account.id;
    match state.todo_lists().get(account) {
        Some(h) if h.version == version && h.today == today => Ok(h.list),
        Some(h) if h.today == today => {
            if state.todo_lists().start_refresh(account) {
                let (state, user) = (state.clone(), user.clone());
                tokio::spawn(async move {
                    if let Err(e) = derive(&state, &user, version, today).await {
                        tracing::warn!(error = ?e, "the to-do list could not be derived");
                    }
                    state.todo_lists().end_refresh(account);
                });
            }
            Ok(h.list)
        }
        _ => derive(state, user, version, today).await,
    }
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
