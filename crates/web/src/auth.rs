//! Who is asking: the session cookie, login and logout, and the checks every request passes
//! before a handler runs (CSRF on state-changing requests, a session on everything but the login
//! page, health check and assets). Decisions come from `jianguan-access`; every login, failed
//! login, denial and logout leaves an audit record.

use std::sync::Arc;

use askama::Template;
use axum::extract::{ConnectInfo, Form, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use jianguan_access::password;
use jianguan_access::policy::{self, Action, Resource};
use jianguan_access::session::{AccountPolicy, SessionPolicy};
use jianguan_access::throttle::{Refusal, ThrottlePolicy, ThrottleState};
use jianguan_access::totp::{Totp, TotpSecret};
use jianguan_access::username::Username;
use jianguan_access::{Role, Scope};
use jianguan_audit::{AuditAction, AuditDraft, FieldChange, Outcome};
use jianguan_domain::model::UnitId;
use jianguan_domain::store::{AccountRecord, LoginThrottleRecord, SessionRecord};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::error::{AppError, Format};
use crate::{AppState, Params};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "jg_session";

/// The signed-in user of a request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    /// The account.
    pub account: AccountRecord,
    /// Its roles.
    pub roles: Vec<Role>,
    /// Its unit's name, for the top bar and audit records.
    pub unit_name: Option<String>,
    /// The hash of the session token this request came with.
    pub token_hash: String,
    /// The client address of the request (for its audit records).
    pub client: Option<String>,
}

impl CurrentUser {
    /// The projects this user may see, if the policy lets them read `resource` at all.
    pub fn scope(&self, resource: Resource) -> Result<Scope, AppError> {
        let unit = self.account.unit.unwrap_or(UnitId(0));
        jianguan_access::scope::authorize(&self.roles, unit, resource, Action::Read)
            .map_err(|e| AppError::forbidden(e.to_string()))
    }

    /// The projects this user may take `action` on within `resource` (e.g. file reports for),
    /// if the policy lets them take it at all.
    pub fn scope_for(&self, resource: Resource, action: Action) -> Result<Scope, AppError> {
        let unit = self.account.unit.unwrap_or(UnitId(0));
        jianguan_access::scope::authorize(&self.roles, unit, resource, action)
            .map_err(|e| AppError::forbidden(e.to_string()))
    }

    /// Whether the user may take `action` on `resource`.
    pub fn may(&self, resource: Resource, action: Action) -> bool {
        policy::allows_any(&self.roles, resource, action)
    }
}

impl CurrentUser {
    /// A headquarters leader (reads everything) for in-process callers such as benchmarks,
    /// attached to requests as an extension; never created from a network request.
    pub fn in_process_leader() -> CurrentUser {
        CurrentUser {
            account: AccountRecord {
                id: 0,
                username: "in-process".into(),
                username_key: "in-process".into(),
                display_name: "基准测试".into(),
                unit: None,
                roles: vec![Role::HqLeader.code().into()],
                password_hash: String::new(),
                totp_secret: None,
                totp_last_step: None,
                created_at_ms: 0,
                last_login_ms: None,
                expires_on: None,
                disabled_at_ms: None,
                failed_logins: 0,
                locked_until_ms: None,
                password_changed_at_ms: None,
                must_change_password: false,
            },
            roles: vec![Role::HqLeader],
            unit_name: None,
            token_hash: String::new(),
            client: None,
        }
    }
}

/// SHA-256 of a session token, hex: what the database keeps instead of the token.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A new random session token (256 bits from the operating system), hex.
fn new_token() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AppError::internal(format!("no randomness: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

pub(crate) fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The client address, as handlers read it (set by [`authenticate`]).
#[derive(Debug, Clone)]
pub struct ClientAddr(pub Option<String>);

/// Whether the client reached us over TLS (through a trusted proxy that says so).
#[derive(Debug, Clone, Copy)]
pub struct OverTls(pub bool);

/// The client address of a request and whether it came over TLS: the peer, or the client a
/// trusted proxy forwarded for (see [`crate::network`]).
fn client_of(state: &AppState, request: &Request) -> (Option<String>, bool) {
    let Some(peer) = request
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
    else {
        return (None, false);
    };
    let network = state.network();
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let forwarded_for = header("x-forwarded-for");
    let client = network.client(peer, forwarded_for.as_deref());
    let trusted = client != peer || network.trusted_proxies.iter().any(|r| r.contains(&peer));
    let tls = trusted && header("x-forwarded-proto").is_some_and(|p| p == "https");
    (Some(client.to_string()), tls)
}

fn wants_json(path: &str) -> bool {
    path.starts_with("/api/")
}

/// Paths served without a session (a wall link's handler opens the link by its token).
fn is_public(path: &str) -> bool {
    path == "/login"
        || path == "/healthz"
        || path == "/readyz"
        || path == "/metrics"
        || path.starts_with("/assets/")
        || path == crate::setup_pages::SETUP_PATH
        || path.starts_with(crate::wall_pages::LINK_PREFIX)
}

/// An origin as scheme, host and port (the default port of the scheme when none is written).
fn origin_parts(scheme: &str, authority: &str) -> Option<(String, String, u16)> {
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return None,
    };
    let authority = authority.to_ascii_lowercase();
    // `[::1]:8080`, `host:8080`, `host`.
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !port.contains(']') => (host.to_string(), port.parse().ok()?),
        _ => (authority.clone(), default_port),
    };
    if host.is_empty() {
        return None;
    }
    Some((scheme, host, port))
}

/// The origin of an `Origin` header or of a `Referer` URL.
fn origin_of_url(url: &str) -> Option<(String, String, u16)> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return None;
    }
    origin_parts(scheme, authority)
}

/// A state-changing request must come from our own pages: its `Origin` (or, without one, its
/// `Referer`) names this server's scheme, host and port, and the browser does not call it
/// cross-site. SameSite=Lax cookies are the second line. `tls`: whether we are served as
/// `https` (a trusted proxy says so, or the server is configured as behind TLS).
fn cross_site(request: &Request, tls: bool) -> bool {
    let headers = request.headers();
    let text = |name: header::HeaderName| headers.get(name).map(|v| v.to_str().unwrap_or("null"));
    let ours =
        text(header::HOST).and_then(|host| origin_parts(if tls { "https" } else { "http" }, host));
    let claimed = match (text(header::ORIGIN), text(header::REFERER)) {
        (Some(origin), _) => Some(origin),
        (None, Some(referer)) => Some(referer),
        (None, None) => None,
    };
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let mismatch = match claimed {
        None => false,
        Some(claimed) => match (origin_of_url(claimed), &ours) {
            (Some(theirs), Some(ours)) => theirs != *ours,
            _ => true,
        },
    };
    mismatch || fetch_site == Some("cross-site")
}

fn draft(
    at_ms: i64,
    actor: &str,
    unit: Option<String>,
    action: AuditAction,
    object: String,
    result: Outcome,
    client: Option<String>,
) -> AuditDraft {
    AuditDraft {
        at_ms,
        actor: actor.to_string(),
        unit,
        action: action.code(),
        object,
        result,
        client,
        changes: Vec::new(),
    }
}

/// Runs before every handler: refuses cross-site writes, then finds the session; requests
/// without one get the login page (pages) or 401 (API), except the public paths. Every answer
/// but a static asset carries `Cache-Control: no-store` (pages, JSON, downloads and the
/// redirects to the login page alike), so nothing read behind a login stays in a cache.
pub async fn authenticate(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let asset = request.uri().path().starts_with("/assets/");
    let (client, _) = client_of(&state, &request);
    // The use cases' audit records take the client address from the request they serve.
    // The display preferences the headers ask for; a signed-in user's stored language
    // overrides them in `check`.
    let display = crate::i18n::Display::from_headers(request.headers());
    let mut response = jianguan_app::client::scope(
        client,
        crate::i18n::scope(display, check(state, request, next)),
    )
    .await;
    if !asset {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

async fn check(state: Arc<AppState>, mut request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let format = if wants_json(&path) {
        Format::Json
    } else {
        Format::Html
    };
    let (client, tls) = client_of(&state, &request);
    request.extensions_mut().insert(ClientAddr(client.clone()));
    request.extensions_mut().insert(OverTls(tls));
    if !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) && cross_site(&request, tls || state.network().secure_cookies)
    {
        let record = draft(
            state.now_ms(),
            "anonymous",
            None,
            AuditAction::CsrfDenied,
            format!("{} {path}", request.method()),
            Outcome::Denied,
            client,
        );
        if let Err(e) = state.deny(record).await {
            return AppError::store(e).with_format(format).into_response();
        }
        return AppError::forbidden("跨站请求被拒绝（请从本系统页面提交）")
            .with_format(format)
            .into_response();
    }
    let declared_length = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let limit = crate::body_limit(request.method(), &path);
    if declared_length.is_some_and(|n| n > limit) {
        // Refused before reading (the body limit layer also stops bodies without a length).
        let record = draft(
            state.now_ms(),
            "anonymous",
            None,
            AuditAction::RequestTooLarge,
            format!("{} {path}", request.method()),
            Outcome::Denied,
            client.clone(),
        );
        if let Err(e) = state.deny(record).await {
            return AppError::store(e).with_format(format).into_response();
        }
        return AppError::too_large(limit)
            .with_format(format)
            .into_response();
    }
    let key = client.clone().unwrap_or_else(|| "unknown".into());
    let limited = if path == "/login" && request.method() == Method::POST {
        !state.limiter().allow("login", &key, crate::limits::LOGIN)
    } else if path.starts_with("/api/") {
        !state.limiter().allow("api", &key, crate::limits::API)
    } else {
        false
    };
    if limited {
        let record = draft(
            state.now_ms(),
            "anonymous",
            None,
            AuditAction::RateLimited,
            format!("{} {path}", request.method()),
            Outcome::Denied,
            client.clone(),
        );
        if let Err(e) = state.deny(record).await {
            return AppError::store(e).with_format(format).into_response();
        }
        return AppError::too_many().with_format(format).into_response();
    }
    // While the database waits for its city, every page leads to the first-run page.
    if format == Format::Html
        && path != crate::setup_pages::SETUP_PATH
        && !is_public(&path)
        && state.setup_pending().await
    {
        return Redirect::to(crate::setup_pages::SETUP_PATH).into_response();
    }
    // An in-process caller (the benchmarks) may attach the user itself; a request from the
    // network cannot carry extensions, so this opens nothing to clients.
    if request.extensions().get::<CurrentUser>().is_some() {
        return next.run(request).await;
    }
    match current_user(&state, request.headers(), client.clone()).await {
        Ok(Some(user)) => {
            tracing::Span::current().record("user", user.account.id);
            // A password reset or expired is changed before anything else.
            if user.account.must_change_password && !may_pass_before_change(&path) {
                return match format {
                    Format::Json => AppError::forbidden("须先修改密码（请在“我的账户”中修改）")
                        .with_format(Format::Json)
                        .into_response(),
                    Format::Html => {
                        Redirect::to(crate::account_pages::PASSWORD_PATH).into_response()
                    }
                };
            }
            let chosen = match state.store().account_lang(user.account.id).await {
                Ok(code) => code.as_deref().and_then(crate::i18n::Lang::from_code),
                Err(e) => return AppError::store(e).with_format(format).into_response(),
            };
            request.extensions_mut().insert(user);
            if let Some(lang) = chosen {
                let display = crate::i18n::Display {
                    lang,
                    ..crate::i18n::current()
                };
                return crate::i18n::scope(display, next.run(request)).await;
            }
        }
        Ok(None) if is_public(&path) => {}
        Ok(None) => {
            return match format {
                Format::Json => AppError::unauthorized()
                    .with_format(Format::Json)
                    .into_response(),
                Format::Html => {
                    let next = request
                        .uri()
                        .path_and_query()
                        .map_or("/".to_string(), |p| p.to_string());
                    Redirect::to(&format!("/login?next={}", crate::params::urlencode(&next)))
                        .into_response()
                }
            };
        }
        Err(e) => return e.into_response(),
    }
    next.run(request).await
}

/// What a user whose password must be changed may still reach: the change form, logout and
/// the public paths.
fn may_pass_before_change(path: &str) -> bool {
    path == crate::account_pages::PASSWORD_PATH || path == "/logout" || is_public(path)
}

/// Touch a session at most this often, so reading pages is not a write per request.
const TOUCH_EVERY_MS: i64 = 60_000;

async fn current_user(
    state: &AppState,
    headers: &HeaderMap,
    client: Option<String>,
) -> Result<Option<CurrentUser>, AppError> {
    let Some(token) = cookie_value(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let hash = token_hash(&token);
    let store = state.store();
    let fail = AppError::store;
    let Some(session) = store.session(&hash).await.map_err(fail)? else {
        return Ok(None);
    };
    let Some(account) = store.account(session.account_id).await.map_err(fail)? else {
        return Ok(None);
    };
    let roles: Vec<Role> = account
        .roles
        .iter()
        .filter_map(|r| Role::from_code(r))
        .collect();
    let now = state.now_ms();
    if account.disabled_at_ms.is_some()
        || SessionPolicy::for_roles(&roles)
            .expired(session.created_at_ms, session.last_seen_ms, now)
            .is_some()
    {
        let record = draft(
            state.now_ms(),
            &account.username,
            None,
            AuditAction::SessionExpired,
            format!("account:{}", account.id),
            Outcome::Success,
            client,
        );
        store
            .end_sessions(account.id, Some(&hash), &record)
            .await
            .map_err(fail)?;
        return Ok(None);
    }
    if now - session.last_seen_ms > TOUCH_EVERY_MS {
        store.touch_session(&hash, now).await.map_err(fail)?;
    }
    let unit_name = match account.unit {
        Some(unit) => state
            .snapshot()
            .await
            .map_err(fail)?
            .portfolio
            .unit(unit)
            .map(|u| u.name.clone()),
        None => None,
    };
    Ok(Some(CurrentUser {
        account,
        roles,
        unit_name,
        token_hash: hash,
        client,
    }))
}

/// The login form's fields.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    totp: String,
    #[serde(default)]
    next: String,
}

/// Where to go after login: a path on this site only (never another site), else `/`. A
/// path starts with one `/`, holds no backslash and no control character (tab and newline
/// included: browsers drop them, so `/\t/host` is `//host`), checked as written and
/// percent-decoded.
pub fn safe_next(next: &str) -> String {
    fn local(path: &str) -> bool {
        path.starts_with('/')
            && !path.starts_with("//")
            && !path.contains('\\')
            && !path.chars().any(char::is_control)
    }
    let decoded = percent_encoding::percent_decode_str(next).decode_utf8_lossy();
    if local(next) && local(&decoded) && next.len() <= 2_000 {
        next.to_string()
    } else {
        "/".to_string()
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    message: &'a str,
    display: crate::i18n::Display,
    next: &'a str,
    username: &'a str,
}

/// The login page, with an error message when a login failed.
fn login_form(status: StatusCode, message: &str, next: &str, username: &str) -> Response {
    match (LoginPage {
        message,
        display: crate::i18n::current(),
        next,
        username,
    })
    .render()
    {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => AppError::render(e).into_response(),
    }
}

/// `GET /login`.
pub async fn login_page(params: Params) -> Response {
    let next = params.raw("next").unwrap_or("/");
    login_form(StatusCode::OK, "", &safe_next(next), "")
}

/// What every failed login is told, whatever failed: an unknown name, a wrong password, a
/// missing or wrong second factor, a throttled or locked-out source. One message and one status,
/// so the answer never says which names exist or which of them are locked.
pub const LOGIN_FAILED: &str = "登录失败：用户名、密码或动态口令不正确，或尝试过于频繁，请稍后再试";

/// The throttle key of a typed name: its normalised form, or (for text that is no user name)
/// the text itself, cut short, so every name is throttled alike.
fn throttle_key(typed: &str) -> String {
    match Username::parse(typed) {
        Ok(name) => name.key().to_string(),
        Err(_) => typed.chars().take(64).collect::<String>().to_lowercase(),
    }
}

/// `POST /login`: checks the password (and the second factor where required), throttles and
/// locks per (user name, source address) (`jianguan_access::throttle`), and on success starts a
/// new session (a new token at every login), ending the oldest beyond the session limit.
pub async fn login(
    State(state): State<Arc<AppState>>,
    axum::Extension(ClientAddr(client)): axum::Extension<ClientAddr>,
    axum::Extension(OverTls(tls)): axum::Extension<OverTls>,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = safe_next(&form.next);
    // A name longer than any account's is refused before any lookup, and the audit record
    // keeps only its first characters (a stranger cannot write megabytes into the trail).
    let too_long = form.username.chars().count() > crate::params::max_chars("username");
    let typed: String = form
        .username
        .trim()
        .chars()
        .take(crate::params::max_chars("username"))
        .collect();
    let store = state.store();
    let now = state.now_ms();
    let source = client.clone().unwrap_or_else(|| "unknown".into());
    let audit = |actor: &str, action: AuditAction, object: String, result: Outcome| {
        draft(
            state.now_ms(),
            actor,
            None,
            action,
            object,
            result,
            client.clone(),
        )
    };
    let settings = match jianguan_app::accounts::security_settings(store).await {
        Ok(s) => s,
        Err(e) => return AppError::store(e).into_response(),
    };
    let key = throttle_key(&typed);
    let throttle = ThrottlePolicy::STANDARD;
    let before = match store.login_throttle(&key, &source).await {
        Ok(found) => found.map_or_else(ThrottleState::default, |t| ThrottleState {
            failures: u32::try_from(t.failures).unwrap_or(u32::MAX),
            last_failure_ms: t.last_failure_ms,
            locked_until_ms: t.locked_until_ms,
        }),
        Err(e) => return AppError::store(e).into_response(),
    };
    let refused = throttle.check(before, now).err();
    let account = match Username::parse(&typed) {
        Ok(_) if too_long => None,
        Ok(name) => match store.account_by_key(name.key()).await {
            Ok(found) => found,
            Err(e) => return AppError::store(e).into_response(),
        },
        Err(_) => None,
    };
    // Exactly one password hash is computed on every path (a dummy one when there is no account
    // or the attempt is refused unchecked), so timing does not tell the cases apart either.
    let password_ok = match (&account, refused) {
        (Some(account), None) => {
            password::verify(&form.password, &account.password_hash).unwrap_or(false)
        }
        _ => {
            password::verify_nobody(&form.password);
            false
        }
    };
    let roles: Vec<Role> = account
        .iter()
        .flat_map(|a| a.roles.iter())
        .filter_map(|r| Role::from_code(r))
        .collect();
    // A code is good once: the step it was accepted at is kept, and an equal or earlier step
    // is refused (a replayed code).
    let accepted_step = account
        .as_ref()
        .and_then(|a| a.totp_secret.as_deref())
        .and_then(|s| TotpSecret::from_base32(s).ok())
        .and_then(|secret| {
            Totp::STANDARD.verify_unused(
                &secret,
                form.totp.trim(),
                (now / 1000) as u64,
                account
                    .as_ref()
                    .and_then(|a| a.totp_last_step)
                    .map(|s| s as u64),
            )
        });
    // Administrators (and everyone, when the setting says so) must have a second factor;
    // anyone who turned one on uses it too.
    let needs_second_factor = settings.second_factor_required(&roles)
        || account.as_ref().is_some_and(|a| a.totp_secret.is_some());
    let second_factor_ok = !needs_second_factor || accepted_step.is_some();
    let object = account
        .as_ref()
        .map_or_else(|| "account:?".to_string(), |a| format!("account:{}", a.id));
    let actor = account
        .as_ref()
        .map_or_else(|| typed.clone(), |a| a.username.clone());
    let (Some(mut account), true) = (account, password_ok && second_factor_ok) else {
        let failed = |status: StatusCode| login_form(status, LOGIN_FAILED, &next, &typed);
        if let Some(refusal) = refused {
            // Not checked at all: the pair's state stays as it is (guessing on does not extend
            // a lock), only the attempt is recorded.
            let mut record = audit(&actor, AuditAction::LoginLocked, object, Outcome::Denied);
            let until = match refusal {
                Refusal::Wait { until_ms } | Refusal::Locked { until_ms } => until_ms,
            };
            record.changes.push(FieldChange {
                field: "refused_until_ms".into(),
                before: None,
                after: Some(until.to_string()),
            });
            if let Err(e) = store.append_audit(&record).await {
                return AppError::store(e).into_response();
            }
            return failed(StatusCode::UNAUTHORIZED);
        }
        let after = throttle.after_failure(before, now);
        let mut record = audit(&actor, AuditAction::LoginFailed, object, Outcome::Failure);
        record.changes.push(FieldChange {
            field: "failures".into(),
            before: Some(throttle.current(before, now).failures.to_string()),
            after: Some(after.failures.to_string()),
        });
        let stored = LoginThrottleRecord {
            failures: i64::from(after.failures),
            last_failure_ms: after.last_failure_ms,
            locked_until_ms: after.locked_until_ms,
        };
        if let Err(e) = store
            .record_login_failure(
                &key,
                &source,
                stored,
                now - throttle.forget_after_ms,
                &record,
            )
            .await
        {
            return AppError::store(e).into_response();
        }
        return failed(StatusCode::UNAUTHORIZED);
    };
    // Only someone holding the credentials learns that the account itself is blocked.
    let expires_at = account.expires_on.map(|d| {
        let next_day = d.tomorrow().unwrap_or(d);
        jiff::tz::offset(8)
            .to_timestamp(next_day.to_datetime(jiff::civil::Time::midnight()))
            .map_or(i64::MAX, |t| t.as_millisecond())
    });
    let blocked = AccountPolicy::STANDARD
        .check(
            account.created_at_ms,
            account.last_login_ms,
            expires_at,
            now,
        )
        .err()
        .map(|b| b.to_string())
        .or_else(|| {
            account
                .disabled_at_ms
                .map(|_| "账户已停用，请联系系统管理员".to_string())
        });
    if let Some(message) = blocked {
        let record = audit(
            &account.username,
            AuditAction::LoginRefused,
            object,
            Outcome::Denied,
        );
        if let Err(e) = store.append_audit(&record).await {
            return AppError::store(e).into_response();
        }
        return login_form(StatusCode::FORBIDDEN, &message, &next, &typed);
    }
    let token = match new_token() {
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    account.failed_logins = 0;
    account.locked_until_ms = None;
    account.last_login_ms = Some(now);
    if let Some(step) = accepted_step {
        account.totp_last_step = Some(step as i64);
    }
    // 口令定期更换: an expired password is changed before anything else.
    let changed_at = account
        .password_changed_at_ms
        .unwrap_or(account.created_at_ms);
    if settings.password_expired(changed_at, now) {
        account.must_change_password = true;
    }
    let session = SessionRecord {
        token_hash: token_hash(&token),
        account_id: account.id,
        created_at_ms: now,
        last_seen_ms: now,
    };
    let record = audit(
        &account.username,
        AuditAction::LoginSuccess,
        object,
        Outcome::Success,
    );
    if let Err(e) = store
        .record_login_success(
            &account,
            &session,
            settings.sessions_kept(),
            &source,
            &record,
        )
        .await
    {
        return AppError::store(e).into_response();
    }
    let target = if account.must_change_password {
        crate::account_pages::PASSWORD_PATH.to_string()
    } else {
        next
    };
    let mut response = Redirect::to(&target).into_response();
    let secure = if tls || state.network().secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{secure}");
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// `POST /logout` (`?all=1`: every session of the account, "logout everywhere").
pub async fn logout(
    State(state): State<Arc<AppState>>,
    user: Option<axum::Extension<CurrentUser>>,
    params: Params,
) -> Response {
    if let Some(axum::Extension(user)) = user {
        let everywhere = params.raw("all") == Some("1");
        let record = draft(
            state.now_ms(),
            &user.account.username,
            user.unit_name.clone(),
            if everywhere {
                AuditAction::LogoutAll
            } else {
                AuditAction::Logout
            },
            format!("account:{}", user.account.id),
            Outcome::Success,
            user.client.clone(),
        );
        let token = (!everywhere).then_some(user.token_hash.as_str());
        if let Err(e) = state
            .store()
            .end_sessions(user.account.id, token, &record)
            .await
        {
            return AppError::store(e).into_response();
        }
    }
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("jg_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_accepts_only_paths_on_this_site() {
        for bad in [
            "",
            "evil.example",
            "//evil.example",
            "/\\evil.example",
            "\\/evil.example",
            "/%5Cevil.example",
            "/%09/evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/%0d%0aSet-Cookie:x",
            "/%2F/evil.example",
            "https://evil.example",
            "/\u{7f}x",
        ] {
            assert_eq!(safe_next(bad), "/", "{bad:?}");
        }
        for good in ["/", "/projects?year=2021", "/projects/3", "/a%20b"] {
            assert_eq!(safe_next(good), good);
        }
    }

    #[test]
    fn origins_compare_scheme_host_and_port() {
        let http = |host| origin_parts("http", host);
        assert_eq!(origin_of_url("http://x:80/p"), http("x"));
        assert_eq!(
            origin_of_url("https://x/p?q"),
            origin_parts("https", "x:443")
        );
        assert_ne!(origin_of_url("https://x:8080"), http("x:8080"));
        assert_ne!(origin_of_url("http://x:8081"), http("x:8080"));
        assert_eq!(origin_of_url("http://[::1]:8080"), http("[::1]:8080"));
        assert_eq!(origin_of_url("http://user@x/"), None);
        assert_eq!(origin_of_url("ftp://x/"), None);
        assert_eq!(origin_of_url("null"), None);
    }
}
