//! Every route the server answers, declared once: method, path, who may call it, what it
//! answers (a page, JSON or a file) and its handler. The router is built from this table (a
//! route cannot exist without an entry), each route's guard enforces its access before the
//! handler runs and answers its errors in its format, and the authorization-matrix test walks
//! the table role by role.

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::handler::Handler;
use axum::http::Method;
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, on};
use jianguan_access::policy::{Action, Resource};
use jianguan_audit::{AuditAction, AuditDraft, Outcome};

use crate::auth::{ClientAddr, CurrentUser};
use crate::error::{AppError, Format, in_route_format};
use crate::{
    AppState, account_pages, admin_pages, api, assessment_pages, assets, audit_pages, auth,
    cadence_pages, catalogue_pages, coverage_pages, find_pages, home, ledger_pages, map_pages,
    org_pages, pages, plan_pages, project_edit_pages, setup_pages, todo_pages, wall_pages,
};

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Anyone signed in.
    SignedIn,
    /// Accounts whose roles the policy table allows this resource and action.
    Policy(Resource, Action),
    /// The first-run page: only while the database waits for its city (404 after), only from
    /// the administrators' address ranges, signed in or not; the handler asks for the one-time
    /// token printed on the server's console.
    FirstRun,
    /// Anyone from the administrators' address ranges, signed in or not (the metrics a
    /// monitoring system scrapes).
    AdminNetwork,
}

/// What a route answers, and so how its errors are answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// An HTML page (or a form's redirect); errors are pages.
    Page,
    /// JSON under `/api/`; errors are JSON.
    Api,
    /// A file download (a document, a workbook, a photo, an asset); errors are pages, since
    /// downloads are opened from pages.
    File,
}

impl Reply {
    /// The format of the route's error answers.
    pub fn error_format(self) -> Format {
        match self {
            Reply::Api => Format::Json,
            Reply::Page | Reply::File => Format::Html,
        }
    }
}

/// One route's declaration: method, path pattern (axum syntax), access and reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSpec {
    /// HTTP method.
    pub method: Method,
    /// Path pattern, e.g. `/projects/{id}`.
    pub path: &'static str,
    /// Who may call it.
    pub access: Access,
    /// What it answers.
    pub reply: Reply,
}

/// A declared route: its declaration and its handler.
pub struct Route {
    /// The declaration.
    pub spec: RouteSpec,
    handler: MethodRouter<Arc<AppState>>,
}

impl Route {
    fn new<H, T>(
        reply: Reply,
        method: Method,
        path: &'static str,
        access: Access,
        handler: H,
    ) -> Route
    where
        H: Handler<T, Arc<AppState>>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone())
            .unwrap_or_else(|_| panic!("route {method} {path}: no method filter"));
        Route {
            spec: RouteSpec {
                method,
                path,
                access,
                reply,
            },
            handler: on(filter, handler),
        }
    }

    /// A route answering an HTML page.
    fn page<H, T>(method: Method, path: &'static str, access: Access, handler: H) -> Route
    where
        H: Handler<T, Arc<AppState>>,
        T: 'static,
    {
        Route::new(Reply::Page, method, path, access, handler)
    }

    /// A route answering JSON.
    fn api<H, T>(method: Method, path: &'static str, access: Access, handler: H) -> Route
    where
        H: Handler<T, Arc<AppState>>,
        T: 'static,
    {
        Route::new(Reply::Api, method, path, access, handler)
    }

    /// A route answering a file download.
    fn file<H, T>(method: Method, path: &'static str, access: Access, handler: H) -> Route
    where
        H: Handler<T, Arc<AppState>>,
        T: 'static,
    {
        Route::new(Reply::File, method, path, access, handler)
    }

    /// Accepts bodies up to `bytes` (instead of the server-wide limit).
    fn body_limit(mut self, bytes: usize) -> Route {
        self.handler = self.handler.layer(DefaultBodyLimit::max(bytes));
        self
    }
}

use Access::{AdminNetwork, FirstRun, Policy, Public, SignedIn};
use Action::{Create, Export, Grant, Read, Update, Verify};
use Resource::{
    Assessment, Audit, Dispatch, Objection, Organisation, Plan, Portfolio, ProgressReport, Project,
    Roles, SecurityPolicy, Settings, TrackedItem, Users, Warning,
};

const GET: Method = Method::GET;
const POST: Method = Method::POST;

/// The routes.
pub fn routes() -> Vec<Route> {
    vec![
        // Each user's home: the overview, or a redirect to the page their work is on.
        Route::page(GET, "/", SignedIn, home::home),
        Route::page(
            GET,
            "/projects",
            Policy(Portfolio, Read),
            pages::project_list,
        ),
        Route::file(
            GET,
            "/projects.xlsx",
            Policy(Project, Export),
            pages::project_list_xlsx,
        ),
        Route::page(GET, "/projects/{id}", Policy(Project, Read), pages::project),
        Route::page(GET, "/map", Policy(Portfolio, Read), map_pages::page),
        Route::file(GET, "/map.svg", Policy(Portfolio, Read), map_pages::svg),
        Route::page(GET, "/wall", Policy(Dispatch, Read), wall_pages::page),
        // The wall through a wall link, without a session: the handler opens the link by its
        // token (`jianguan_app::wall_links::open`) and shows the wall alone, as its reader.
        Route::page(GET, "/wall/k/{token}", Public, wall_pages::link),
        // The office's wall links: made and revoked like the campaign's other settings.
        Route::page(
            GET,
            "/wall/links",
            Policy(Settings, Update),
            wall_pages::links,
        ),
        Route::page(
            POST,
            "/wall/links",
            Policy(Settings, Update),
            wall_pages::create,
        ),
        Route::page(
            POST,
            "/wall/links/{id}/revoke",
            Policy(Settings, Update),
            wall_pages::revoke,
        ),
        Route::page(GET, "/search", Policy(Portfolio, Read), find_pages::search),
        Route::page(GET, "/help", SignedIn, find_pages::help),
        Route::page(GET, "/todo", SignedIn, todo_pages::page),
        // Projects by hand: the office any, a district or lead unit within its scope.
        Route::page(
            GET,
            "/projects/new",
            Policy(Project, Update),
            project_edit_pages::new_form,
        ),
        Route::page(
            POST,
            "/projects/new",
            Policy(Project, Update),
            project_edit_pages::create,
        ),
        Route::page(
            GET,
            "/projects/{id}/edit",
            Policy(Project, Update),
            project_edit_pages::edit_form,
        ),
        Route::page(
            POST,
            "/projects/{id}/edit",
            Policy(Project, Update),
            project_edit_pages::update,
        ),
        Route::file(
            GET,
            "/projects/{id}/photos/{sha256}",
            Policy(Project, Read),
            cadence_pages::photos::serve,
        ),
        Route::page(
            GET,
            "/ledger/import",
            Policy(Project, Create),
            ledger_pages::page,
        ),
        // The one route whose body is a ledger file: its own, larger limit.
        Route::page(
            POST,
            "/ledger/import",
            Policy(Project, Create),
            ledger_pages::check,
        )
        .body_limit(crate::body_limit(&Method::POST, ledger_pages::IMPORT_PATH)),
        Route::page(
            GET,
            "/ledger/import/report/{token}",
            Policy(Project, Create),
            ledger_pages::report,
        ),
        Route::page(
            POST,
            "/ledger/import/confirm",
            Policy(Project, Create),
            ledger_pages::confirm,
        ),
        Route::file(
            GET,
            "/ledger/export.xlsx",
            Policy(Project, Export),
            ledger_pages::export,
        ),
        Route::page(
            GET,
            "/districts/{id}",
            Policy(Portfolio, Read),
            pages::district,
        ),
        Route::page(
            GET,
            "/categories/{id}",
            Policy(Portfolio, Read),
            pages::category,
        ),
        // The catalogue: categories and their milestone templates, kept by the office.
        Route::page(
            GET,
            "/categories",
            Policy(Settings, Read),
            catalogue_pages::list,
        ),
        Route::page(
            GET,
            "/categories/new",
            Policy(Settings, Update),
            catalogue_pages::new_form,
        ),
        Route::page(
            POST,
            "/categories/new",
            Policy(Settings, Update),
            catalogue_pages::create,
        ),
        Route::page(
            GET,
            "/categories/{id}/edit",
            Policy(Settings, Update),
            catalogue_pages::edit_form,
        ),
        Route::page(
            POST,
            "/categories/{id}/edit",
            Policy(Settings, Update),
            catalogue_pages::update,
        ),
        Route::page(
            GET,
            "/categories/{id}/history",
            Policy(Settings, Read),
            catalogue_pages::history,
        ),
        Route::page(
            GET,
            "/dispatch",
            Policy(Dispatch, Read),
            cadence_pages::dispatch::page,
        ),
        Route::file(
            GET,
            "/dispatch.docx",
            Policy(Dispatch, Export),
            cadence_pages::dispatch::docx,
        ),
        Route::page(
            GET,
            "/warnings",
            Policy(Warning, Read),
            cadence_pages::warnings::page,
        ),
        Route::file(
            GET,
            "/warnings.xlsx",
            Policy(Warning, Export),
            cadence_pages::warnings::xlsx,
        ),
        Route::page(
            GET,
            "/items",
            Policy(TrackedItem, Read),
            cadence_pages::items::list,
        ),
        Route::file(
            GET,
            "/items.xlsx",
            Policy(TrackedItem, Export),
            cadence_pages::items::xlsx,
        ),
        Route::page(
            GET,
            "/acts",
            Policy(TrackedItem, Create),
            cadence_pages::acts::list,
        ),
        Route::page(
            POST,
            "/acts/issue",
            Policy(TrackedItem, Create),
            cadence_pages::acts::issue,
        ),
        Route::page(
            POST,
            "/acts/dismiss",
            Policy(TrackedItem, Create),
            cadence_pages::acts::dismiss,
        ),
        Route::page(
            POST,
            "/items",
            Policy(TrackedItem, Create),
            cadence_pages::items::create,
        ),
        Route::page(
            GET,
            "/items/{id}",
            Policy(TrackedItem, Read),
            cadence_pages::items::detail,
        ),
        Route::page(
            POST,
            "/items/{id}/events",
            Policy(TrackedItem, Update),
            cadence_pages::items::add_event,
        ),
        Route::page(
            GET,
            "/filing",
            Policy(ProgressReport, Create),
            cadence_pages::filing::page,
        ),
        // The one route whose body may carry photos: its own, larger limit.
        Route::page(
            POST,
            "/filing",
            Policy(ProgressReport, Create),
            cadence_pages::filing::submit,
        )
        .body_limit(crate::FILING_MAX_BODY_BYTES),
        Route::page(
            GET,
            "/compliance",
            Policy(ProgressReport, Read),
            cadence_pages::filing::compliance_page,
        ),
        Route::page(
            GET,
            "/quarterly",
            Policy(Portfolio, Read),
            cadence_pages::quarterly::page,
        ),
        Route::page(
            GET,
            "/coverage",
            Policy(Portfolio, Read),
            coverage_pages::page,
        ),
        Route::file(
            GET,
            "/quarterly.docx",
            Policy(Portfolio, Export),
            cadence_pages::quarterly::docx,
        ),
        Route::page(
            GET,
            "/settings/warnings",
            Policy(Settings, Read),
            cadence_pages::settings::page,
        ),
        Route::page(
            POST,
            "/settings/warnings",
            Policy(Settings, Update),
            cadence_pages::settings::save,
        ),
        Route::page(
            GET,
            "/assessment",
            Policy(Assessment, Read),
            assessment_pages::league,
        ),
        Route::file(
            GET,
            "/assessment/bulletin.docx",
            Policy(Assessment, Export),
            assessment_pages::bulletin_docx,
        ),
        Route::file(
            GET,
            "/assessment/scores.xlsx",
            Policy(Assessment, Export),
            assessment_pages::scores_xlsx,
        ),
        Route::file(
            GET,
            "/compliance.xlsx",
            Policy(ProgressReport, Export),
            cadence_pages::filing::compliance_xlsx,
        ),
        Route::page(
            POST,
            "/assessment/score",
            Policy(Assessment, Create),
            assessment_pages::score,
        ),
        Route::page(
            POST,
            "/assessment/publish",
            Policy(Assessment, Update),
            assessment_pages::publish,
        ),
        Route::page(
            GET,
            "/assessment/units/{id}",
            Policy(Assessment, Read),
            assessment_pages::card,
        ),
        Route::page(
            POST,
            "/assessment/units/{id}/objections",
            Policy(Objection, Create),
            assessment_pages::object,
        ),
        Route::page(
            POST,
            "/assessment/objections/{id}/decision",
            Policy(Objection, Update),
            assessment_pages::decide,
        ),
        Route::page(
            GET,
            "/assessment/scheme",
            Policy(Assessment, Read),
            assessment_pages::scheme,
        ),
        Route::page(
            POST,
            "/assessment/scheme",
            Policy(Assessment, Update),
            assessment_pages::save_scheme,
        ),
        Route::page(
            GET,
            "/indicators",
            Policy(Assessment, Read),
            assessment_pages::indicators,
        ),
        Route::page(
            GET,
            "/indicators/{code}",
            Policy(Assessment, Read),
            assessment_pages::indicator,
        ),
        Route::page(
            POST,
            "/indicators/{code}/values",
            Policy(Assessment, Update),
            assessment_pages::enter,
        ),
        Route::page(GET, "/plans", Policy(Plan, Read), plan_pages::page),
        Route::page(
            POST,
            "/plans/approve",
            Policy(Plan, Update),
            plan_pages::approve,
        ),
        Route::page(
            POST,
            "/plans/submit",
            Policy(Plan, Create),
            plan_pages::submit,
        ),
        Route::page(
            GET,
            "/plans/change",
            Policy(Plan, Create),
            plan_pages::change_form,
        ),
        Route::page(
            POST,
            "/plans/change",
            Policy(Plan, Create),
            plan_pages::request_change,
        ),
        Route::page(
            POST,
            "/plans/changes/{id}/decide",
            Policy(Plan, Update),
            plan_pages::decide,
        ),
        Route::page(GET, "/setup", FirstRun, setup_pages::page),
        Route::page(POST, "/setup", FirstRun, setup_pages::submit),
        Route::page(GET, "/org", Policy(Organisation, Read), org_pages::page),
        Route::page(
            POST,
            "/org/units",
            Policy(Organisation, Create),
            org_pages::create,
        ),
        Route::page(
            POST,
            "/org/units/{id}",
            Policy(Organisation, Update),
            org_pages::update,
        ),
        Route::page(GET, "/login", Public, auth::login_page),
        Route::page(POST, "/login", Public, auth::login),
        Route::page(POST, "/logout", SignedIn, auth::logout),
        Route::page(GET, "/account", SignedIn, account_pages::show),
        Route::page(POST, "/account/totp", SignedIn, account_pages::totp),
        Route::page(POST, "/account/language", SignedIn, account_pages::language),
        Route::page(
            POST,
            "/account/large-type",
            SignedIn,
            account_pages::large_type,
        ),
        Route::page(
            GET,
            "/account/password",
            SignedIn,
            account_pages::password_form,
        ),
        Route::page(
            POST,
            "/account/password",
            SignedIn,
            account_pages::change_password,
        ),
        // Liveness: the process answers. Readiness: the database answers and takes writes, and
        // the read model is loaded.
        Route::page(GET, "/healthz", Public, || async { "ok" }),
        Route::page(GET, "/readyz", Public, crate::health::readyz),
        Route::page(GET, "/metrics", AdminNetwork, crate::metrics::serve),
        Route::file(GET, "/assets/{*path}", Public, assets::serve),
        Route::api(GET, "/api/v1/stats", Policy(Portfolio, Read), api::stats),
        Route::api(GET, "/api/v1/todo", SignedIn, todo_pages::api),
        Route::api(
            GET,
            "/api/v1/projects",
            Policy(Portfolio, Read),
            api::projects,
        ),
        Route::api(
            GET,
            "/api/v1/projects/{id}",
            Policy(Project, Read),
            api::project,
        ),
        Route::api(
            GET,
            "/api/v1/dispatch",
            Policy(Dispatch, Read),
            cadence_pages::dispatch::api,
        ),
        Route::api(
            GET,
            "/api/v1/warnings",
            Policy(Warning, Read),
            cadence_pages::warnings::api,
        ),
        Route::api(
            GET,
            "/api/v1/items",
            Policy(TrackedItem, Read),
            cadence_pages::items::api,
        ),
        Route::api(
            GET,
            "/api/v1/compliance",
            Policy(ProgressReport, Read),
            cadence_pages::filing::compliance_api,
        ),
        Route::api(
            GET,
            "/api/v1/scores",
            Policy(Assessment, Read),
            assessment_pages::api,
        ),
        Route::api(
            GET,
            "/api/v1/coverage",
            Policy(Portfolio, Read),
            coverage_pages::api,
        ),
        Route::api(GET, "/api/v1/openapi.json", SignedIn, api::openapi),
        Route::page(GET, "/admin/users", Policy(Users, Read), admin_pages::users),
        Route::page(
            POST,
            "/admin/users",
            Policy(Users, Create),
            admin_pages::create,
        ),
        Route::page(
            POST,
            "/admin/users/{id}/status",
            Policy(Users, Update),
            admin_pages::status,
        ),
        Route::page(
            POST,
            "/admin/users/{id}/roles",
            Policy(Roles, Grant),
            admin_pages::roles,
        ),
        Route::page(
            POST,
            "/admin/users/{id}/password",
            Policy(SecurityPolicy, Update),
            admin_pages::reset_password,
        ),
        Route::page(
            POST,
            "/admin/security",
            Policy(SecurityPolicy, Update),
            admin_pages::security,
        ),
        Route::page(GET, "/audit", Policy(Audit, Read), audit_pages::audit_list),
        Route::page(
            GET,
            "/audit/verify",
            Policy(Audit, Verify),
            audit_pages::audit_verify,
        ),
        Route::file(
            GET,
            "/audit/export.xlsx",
            Policy(Audit, Export),
            audit_pages::audit_export,
        ),
    ]
}

/// The declarations of every route (for the authorization matrix and the OpenAPI check).
pub fn specs() -> Vec<RouteSpec> {
    routes().into_iter().map(|r| r.spec).collect()
}

/// The API's paths, as the router serves them; the OpenAPI document must describe them.
pub fn api_paths() -> Vec<&'static str> {
    specs()
        .into_iter()
        .filter(|s| s.reply == Reply::Api)
        .map(|s| s.path)
        .collect()
}

/// The router of every declared route: each route behind its guard, the routes of one path
/// merged, and a method not declared for a path refused as "not found".
pub fn declared(state: &Arc<AppState>) -> Router<Arc<AppState>> {
    let mut paths: Vec<(&'static str, Format, MethodRouter<Arc<AppState>>)> = Vec::new();
    for route in routes() {
        let path = route.spec.path;
        let format = route.spec.reply.error_format();
        let guard = Guard {
            state: state.clone(),
            spec: Arc::new(route.spec),
        };
        let endpoint = route
            .handler
            .route_layer(from_fn_with_state(guard, authorize));
        match paths.iter_mut().find(|(p, _, _)| *p == path) {
            Some((_, _, methods)) => {
                *methods = std::mem::take(methods).merge(endpoint);
            }
            None => paths.push((path, format, endpoint)),
        }
    }
    paths
        .into_iter()
        .fold(Router::new(), |router, (path, format, methods)| {
            let refuse = move || async move { AppError::not_found("该页面").with_format(format) };
            router.route(path, methods.fallback(refuse))
        })
}

/// What a route's guard knows: the state (for the audit log and the network settings) and the
/// route's declaration.
#[derive(Clone)]
struct Guard {
    state: Arc<AppState>,
    spec: Arc<RouteSpec>,
}

/// Enforces a route's declaration: a signed-in route without a session is 401 (the
/// authentication layer already sent pages to the login form), a policy route the roles do not
/// allow is 403 with an audit record, before any handler reads anything. The handler's errors
/// are answered in the route's format.
async fn authorize(State(guard): State<Guard>, request: Request, next: Next) -> Response {
    let Guard { state, spec } = guard;
    let format = spec.reply.error_format();
    let user = request.extensions().get::<CurrentUser>();
    let client_ip = request
        .extensions()
        .get::<ClientAddr>()
        .and_then(|c| c.0.as_deref())
        .and_then(|a| a.parse::<std::net::IpAddr>().ok());
    if spec.access == FirstRun && !state.setup_pending().await {
        return AppError::not_found("该页面")
            .with_format(format)
            .into_response();
    }
    let administrative = matches!(spec.access, FirstRun | AdminNetwork)
        || matches!(spec.access, Policy(resource, _) if resource.is_administrative());
    if administrative && !state.network().admin_allowed(client_ip) {
        let record = AuditDraft {
            at_ms: state.now_ms(),
            actor: user.map_or("anonymous".to_string(), |u| u.account.username.clone()),
            unit: user.and_then(|u| u.unit_name.clone()),
            action: AuditAction::AccessDenied.code(),
            object: format!(
                "{} {} (address not allowed)",
                request.method(),
                request.uri().path()
            ),
            result: Outcome::Denied,
            client: client_ip.map(|ip| ip.to_string()),
            changes: Vec::new(),
        };
        if let Err(e) = state.deny(record).await {
            return AppError::store(e).with_format(format).into_response();
        }
        return AppError::forbidden("管理功能只能从指定网络地址访问")
            .with_format(format)
            .into_response();
    }
    let allowed = match (spec.access, user) {
        (Public | FirstRun | AdminNetwork, _) => true,
        (_, None) => return AppError::unauthorized().with_format(format).into_response(),
        (SignedIn, Some(_)) => true,
        (Policy(resource, action), Some(u)) => u.may(resource, action),
    };
    if !allowed {
        let user = user.expect("a policy route without a user returned above");
        let client = request
            .extensions()
            .get::<ClientAddr>()
            .and_then(|c| c.0.clone());
        let record = AuditDraft {
            at_ms: state.now_ms(),
            actor: user.account.username.clone(),
            unit: user.unit_name.clone(),
            action: AuditAction::AccessDenied.code(),
            object: format!("{} {}", request.method(), request.uri().path()),
            result: Outcome::Denied,
            client,
            changes: Vec::new(),
        };
        if let Err(e) = state.deny(record).await {
            return AppError::store(e).with_format(format).into_response();
        }
        return AppError::forbidden("您的角色无此权限")
            .with_format(format)
            .into_response();
    }
    // A page's header counts the user's to-do list (and a home page lists it): worked out here,
    // once, for the page's layout. A failure to derive it leaves the page without it.
    if spec.reply == Reply::Page
        && request.method() == axum::http::Method::GET
        && let Some(user) = request.extensions().get::<CurrentUser>().cloned()
    {
        let todos = match todo_pages::for_page(&state, &user).await {
            Ok(list) => list,
            Err(e) => {
                tracing::warn!(error = ?e, "the to-do list could not be derived");
                Arc::default()
            }
        };
        let today = state.today();
        return in_route_format(
            todo_pages::scope(todos, today, next.run(request)).await,
            format,
        );
    }
    in_route_format(next.run(request).await, format)
}
