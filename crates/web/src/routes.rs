//! Every route the server answers, declared once with who may call it. The router is built from
//! this table (a route cannot exist without an entry), the authorization layer enforces it before
//! any handler runs, and the authorization-matrix test walks it role by role.

use std::sync::Arc;

use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use jianguan_access::policy::{Action, Resource};
use jianguan_audit::{AuditDraft, Outcome};

use crate::auth::{ClientAddr, CurrentUser};
use crate::error::{AppError, Format};
use crate::{
    AppState, account_pages, admin_pages, api, assessment_pages, assets, audit_pages, auth,
    cadence_pages, ledger_pages, pages,
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
}

/// One route: method, path pattern (axum syntax) and access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteSpec {
    /// HTTP method.
    pub method: &'static str,
    /// Path pattern, e.g. `/projects/{id}`.
    pub path: &'static str,
    /// Who may call it.
    pub access: Access,
}

const fn route(method: &'static str, path: &'static str, access: Access) -> RouteSpec {
    RouteSpec {
        method,
        path,
        access,
    }
}

use Access::{Policy, Public, SignedIn};

/// The routes.
pub const ROUTES: &[RouteSpec] = &[
    route("GET", "/", Policy(Resource::Portfolio, Action::Read)),
    route(
        "GET",
        "/projects",
        Policy(Resource::Portfolio, Action::Read),
    ),
    route(
        "GET",
        "/projects/{id}",
        Policy(Resource::Project, Action::Read),
    ),
    route(
        "GET",
        "/projects/{id}/photos/{sha256}",
        Policy(Resource::Project, Action::Read),
    ),
    route(
        "GET",
        "/ledger/import",
        Policy(Resource::Project, Action::Create),
    ),
    route(
        "POST",
        "/ledger/import",
        Policy(Resource::Project, Action::Create),
    ),
    route(
        "GET",
        "/ledger/import/report/{token}",
        Policy(Resource::Project, Action::Create),
    ),
    route(
        "POST",
        "/ledger/import/confirm",
        Policy(Resource::Project, Action::Create),
    ),
    route(
        "GET",
        "/ledger/export.xlsx",
        Policy(Resource::Project, Action::Export),
    ),
    route(
        "GET",
        "/districts/{id}",
        Policy(Resource::Portfolio, Action::Read),
    ),
    route(
        "GET",
        "/categories/{id}",
        Policy(Resource::Portfolio, Action::Read),
    ),
    route("GET", "/dispatch", Policy(Resource::Dispatch, Action::Read)),
    route(
        "GET",
        "/dispatch.docx",
        Policy(Resource::Dispatch, Action::Export),
    ),
    route("GET", "/warnings", Policy(Resource::Warning, Action::Read)),
    route("GET", "/items", Policy(Resource::TrackedItem, Action::Read)),
    route(
        "GET",
        "/acts",
        Policy(Resource::TrackedItem, Action::Create),
    ),
    route(
        "POST",
        "/acts/issue",
        Policy(Resource::TrackedItem, Action::Create),
    ),
    route(
        "POST",
        "/acts/dismiss",
        Policy(Resource::TrackedItem, Action::Create),
    ),
    route(
        "POST",
        "/items",
        Policy(Resource::TrackedItem, Action::Create),
    ),
    route(
        "GET",
        "/items/{id}",
        Policy(Resource::TrackedItem, Action::Read),
    ),
    route(
        "POST",
        "/items/{id}/events",
        Policy(Resource::TrackedItem, Action::Update),
    ),
    route(
        "GET",
        "/filing",
        Policy(Resource::ProgressReport, Action::Create),
    ),
    route(
        "POST",
        "/filing",
        Policy(Resource::ProgressReport, Action::Create),
    ),
    route(
        "GET",
        "/compliance",
        Policy(Resource::ProgressReport, Action::Read),
    ),
    route(
        "GET",
        "/quarterly",
        Policy(Resource::Portfolio, Action::Read),
    ),
    route(
        "GET",
        "/coverage",
        Policy(Resource::Portfolio, Action::Read),
    ),
    route(
        "GET",
        "/quarterly.docx",
        Policy(Resource::Portfolio, Action::Export),
    ),
    route(
        "GET",
        "/settings/warnings",
        Policy(Resource::Settings, Action::Read),
    ),
    route(
        "POST",
        "/settings/warnings",
        Policy(Resource::Settings, Action::Update),
    ),
    route(
        "GET",
        "/assessment",
        Policy(Resource::Assessment, Action::Read),
    ),
    route(
        "GET",
        "/assessment/bulletin.docx",
        Policy(Resource::Assessment, Action::Export),
    ),
    route(
        "GET",
        "/assessment/scores.xlsx",
        Policy(Resource::Assessment, Action::Export),
    ),
    route(
        "GET",
        "/compliance.xlsx",
        Policy(Resource::ProgressReport, Action::Export),
    ),
    route(
        "POST",
        "/assessment/score",
        Policy(Resource::Assessment, Action::Create),
    ),
    route(
        "POST",
        "/assessment/publish",
        Policy(Resource::Assessment, Action::Update),
    ),
    route(
        "GET",
        "/assessment/units/{id}",
        Policy(Resource::Assessment, Action::Read),
    ),
    route(
        "POST",
        "/assessment/units/{id}/objections",
        Policy(Resource::Objection, Action::Create),
    ),
    route(
        "POST",
        "/assessment/objections/{id}/decision",
        Policy(Resource::Objection, Action::Update),
    ),
    route(
        "GET",
        "/assessment/scheme",
        Policy(Resource::Assessment, Action::Read),
    ),
    route(
        "POST",
        "/assessment/scheme",
        Policy(Resource::Assessment, Action::Update),
    ),
    route(
        "GET",
        "/indicators",
        Policy(Resource::Assessment, Action::Read),
    ),
    route(
        "GET",
        "/indicators/{code}",
        Policy(Resource::Assessment, Action::Read),
    ),
    route(
        "POST",
        "/indicators/{code}/values",
        Policy(Resource::Assessment, Action::Update),
    ),
    route("GET", "/login", Public),
    route("POST", "/login", Public),
    route("POST", "/logout", SignedIn),
    route("GET", "/account", SignedIn),
    route("POST", "/account/totp", SignedIn),
    route("GET", "/healthz", Public),
    route("GET", "/assets/{*path}", Public),
    route(
        "GET",
        "/api/v1/stats",
        Policy(Resource::Portfolio, Action::Read),
    ),
    route(
        "GET",
        "/api/v1/projects",
        Policy(Resource::Portfolio, Action::Read),
    ),
    route(
        "GET",
        "/api/v1/projects/{id}",
        Policy(Resource::Project, Action::Read),
    ),
    route(
        "GET",
        "/api/v1/dispatch",
        Policy(Resource::Dispatch, Action::Read),
    ),
    route(
        "GET",
        "/api/v1/warnings",
        Policy(Resource::Warning, Action::Read),
    ),
    route(
        "GET",
        "/api/v1/items",
        Policy(Resource::TrackedItem, Action::Read),
    ),
    route(
        "GET",
        "/api/v1/compliance",
        Policy(Resource::ProgressReport, Action::Read),
    ),
    route(
        "GET",
        "/api/v1/scores",
        Policy(Resource::Assessment, Action::Read),
    ),
    route(
        "GET",
        "/api/v1/coverage",
        Policy(Resource::Portfolio, Action::Read),
    ),
    route("GET", "/api/v1/openapi.json", SignedIn),
    route("GET", "/admin/users", Policy(Resource::Users, Action::Read)),
    route(
        "POST",
        "/admin/users",
        Policy(Resource::Users, Action::Create),
    ),
    route(
        "POST",
        "/admin/users/{id}/status",
        Policy(Resource::Users, Action::Update),
    ),
    route(
        "POST",
        "/admin/users/{id}/roles",
        Policy(Resource::Roles, Action::Grant),
    ),
    route("GET", "/audit", Policy(Resource::Audit, Action::Read)),
    route(
        "GET",
        "/audit/verify",
        Policy(Resource::Audit, Action::Verify),
    ),
    route(
        "GET",
        "/audit/export.xlsx",
        Policy(Resource::Audit, Action::Export),
    ),
];

/// The handler of a declared route. A declaration without a handler is a programming error
/// caught the first time the router is built (every test builds it).
fn handler(spec: &RouteSpec) -> MethodRouter<Arc<AppState>> {
    match (spec.method, spec.path) {
        ("GET", "/") => get(pages::overview),
        ("GET", "/projects") => get(pages::project_list),
        ("GET", "/projects/{id}") => get(pages::project),
        ("GET", "/projects/{id}/photos/{sha256}") => get(cadence_pages::photos::serve),
        ("GET", "/ledger/import") => get(ledger_pages::page),
        // The one route whose body is a ledger file: its own, larger limit.
        ("POST", "/ledger/import") => {
            post(ledger_pages::check).layer(axum::extract::DefaultBodyLimit::max(
                crate::body_limit(&axum::http::Method::POST, ledger_pages::IMPORT_PATH),
            ))
        }
        ("GET", "/ledger/import/report/{token}") => get(ledger_pages::report),
        ("POST", "/ledger/import/confirm") => post(ledger_pages::confirm),
        ("GET", "/ledger/export.xlsx") => get(ledger_pages::export),
        ("GET", "/districts/{id}") => get(pages::district),
        ("GET", "/categories/{id}") => get(pages::category),
        ("GET", "/dispatch") => get(cadence_pages::dispatch::page),
        ("GET", "/dispatch.docx") => get(cadence_pages::dispatch::docx),
        ("GET", "/warnings") => get(cadence_pages::warnings::page),
        ("GET", "/items") => get(cadence_pages::items::list),
        ("GET", "/acts") => get(cadence_pages::acts::list),
        ("POST", "/acts/issue") => post(cadence_pages::acts::issue),
        ("POST", "/acts/dismiss") => post(cadence_pages::acts::dismiss),
        ("POST", "/items") => post(cadence_pages::items::create),
        ("GET", "/items/{id}") => get(cadence_pages::items::detail),
        ("POST", "/items/{id}/events") => post(cadence_pages::items::add_event),
        ("GET", "/filing") => get(cadence_pages::filing::page),
        // The one route whose body may carry photos: its own, larger limit.
        ("POST", "/filing") => post(cadence_pages::filing::submit).layer(
            axum::extract::DefaultBodyLimit::max(crate::FILING_MAX_BODY_BYTES),
        ),
        ("GET", "/compliance") => get(cadence_pages::filing::compliance_page),
        ("GET", "/quarterly") => get(cadence_pages::quarterly::page),
        ("GET", "/coverage") => get(crate::coverage_pages::page),
        ("GET", "/quarterly.docx") => get(cadence_pages::quarterly::docx),
        ("GET", "/settings/warnings") => get(cadence_pages::settings::page),
        ("POST", "/settings/warnings") => post(cadence_pages::settings::save),
        ("GET", "/assessment") => get(assessment_pages::league),
        ("GET", "/assessment/bulletin.docx") => get(assessment_pages::bulletin_docx),
        ("GET", "/assessment/scores.xlsx") => get(assessment_pages::scores_xlsx),
        ("GET", "/compliance.xlsx") => get(cadence_pages::filing::compliance_xlsx),
        ("POST", "/assessment/score") => post(assessment_pages::score),
        ("POST", "/assessment/publish") => post(assessment_pages::publish),
        ("GET", "/assessment/units/{id}") => get(assessment_pages::card),
        ("POST", "/assessment/units/{id}/objections") => post(assessment_pages::object),
        ("POST", "/assessment/objections/{id}/decision") => post(assessment_pages::decide),
        ("GET", "/assessment/scheme") => get(assessment_pages::scheme),
        ("POST", "/assessment/scheme") => post(assessment_pages::save_scheme),
        ("GET", "/indicators") => get(assessment_pages::indicators),
        ("GET", "/indicators/{code}") => get(assessment_pages::indicator),
        ("POST", "/indicators/{code}/values") => post(assessment_pages::enter),
        ("GET", "/login") => get(auth::login_page),
        ("POST", "/login") => post(auth::login),
        ("POST", "/logout") => post(auth::logout),
        ("GET", "/account") => get(account_pages::show),
        ("POST", "/account/totp") => post(account_pages::totp),
        ("GET", "/healthz") => get(|| async { "ok" }),
        ("GET", "/assets/{*path}") => get(assets::serve),
        ("GET", "/api/v1/stats") => get(api::stats),
        ("GET", "/api/v1/projects") => get(api::projects),
        ("GET", "/api/v1/projects/{id}") => get(api::project),
        ("GET", "/api/v1/dispatch") => get(cadence_pages::dispatch::api),
        ("GET", "/api/v1/warnings") => get(cadence_pages::warnings::api),
        ("GET", "/api/v1/items") => get(cadence_pages::items::api),
        ("GET", "/api/v1/compliance") => get(cadence_pages::filing::compliance_api),
        ("GET", "/api/v1/scores") => get(assessment_pages::api),
        ("GET", "/api/v1/coverage") => get(crate::coverage_pages::api),
        ("GET", "/api/v1/openapi.json") => get(api::openapi),
        ("GET", "/admin/users") => get(admin_pages::users),
        ("POST", "/admin/users") => post(admin_pages::create),
        ("POST", "/admin/users/{id}/status") => post(admin_pages::status),
        ("POST", "/admin/users/{id}/roles") => post(admin_pages::roles),
        ("GET", "/audit") => get(audit_pages::audit_list),
        ("GET", "/audit/verify") => get(audit_pages::audit_verify),
        ("GET", "/audit/export.xlsx") => get(audit_pages::audit_export),
        (method, path) => unreachable!("route {method} {path} is declared but has no handler"),
    }
}

/// The router of every declared route, each method router merged per path.
pub fn declared() -> axum::Router<Arc<AppState>> {
    ROUTES.iter().fold(axum::Router::new(), |router, spec| {
        router.route(spec.path, handler(spec))
    })
}

/// The declaration of the route a request matched.
pub fn spec_of(method: &Method, path: &str) -> Option<&'static RouteSpec> {
    ROUTES
        .iter()
        .find(|r| r.path == path && r.method == method.as_str())
}

/// Enforces [`ROUTES`] for matched routes: a signed-in route without a session is 401 (the
/// authentication layer already sent pages to the login form), a policy route the roles do not
/// allow is 403 with an audit record, before any handler reads anything.
pub async fn authorize(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_default();
    let format = if path.starts_with("/api/") {
        Format::Json
    } else {
        Format::Html
    };
    let Some(spec) = spec_of(request.method(), &path) else {
        // Only declared routes exist; a method not declared for a path is refused.
        return AppError::not_found(format, "该页面").into_response();
    };
    let user = request.extensions().get::<CurrentUser>();
    let client_ip = request
        .extensions()
        .get::<ClientAddr>()
        .and_then(|c| c.0.as_deref())
        .and_then(|a| a.parse::<std::net::IpAddr>().ok());
    let administrative = matches!(spec.access, Policy(resource, _) if resource.is_administrative());
    if administrative && !state.network().admin_allowed(client_ip) {
        let record = AuditDraft {
            at_ms: auth::now_ms(),
            actor: user.map_or("anonymous".to_string(), |u| u.account.username.clone()),
            unit: user.and_then(|u| u.unit_name.clone()),
            action: "access.denied".into(),
            object: format!(
                "{} {} (address not allowed)",
                request.method(),
                request.uri().path()
            ),
            result: Outcome::Denied,
            client: client_ip.map(|ip| ip.to_string()),
            changes: Vec::new(),
        };
        if let Err(e) = state.store().append_audit(&record).await {
            return AppError::store(format, e).into_response();
        }
        return AppError::forbidden(format, "管理功能只能从指定网络地址访问").into_response();
    }
    let allowed = match (spec.access, user) {
        (Public, _) => true,
        (_, None) => return AppError::unauthorized(format).into_response(),
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
            at_ms: auth::now_ms(),
            actor: user.account.username.clone(),
            unit: user.unit_name.clone(),
            action: "access.denied".into(),
            object: format!("{} {}", request.method(), request.uri().path()),
            result: Outcome::Denied,
            client,
            changes: Vec::new(),
        };
        if let Err(e) = state.store().append_audit(&record).await {
            return AppError::store(format, e).into_response();
        }
        return AppError::forbidden(format, "您的角色无此权限").into_response();
    }
    next.run(request).await
}
