//! The web server: the server-rendered Chinese UI, the JSON API under `/api/v1/` and its
//! OpenAPI document, over any [`Store`].
//!
//! Pages and API answers are computed from a [`Snapshot`] of the portfolio, cached until the
//! database's data version changes, so every request reads figures the domain computed from
//! one consistent set of records.

mod account_pages;
mod admin_pages;
pub mod api;
mod assessment_pages;
mod assets;
pub mod audit_pages;
pub mod auth;
mod cadence_pages;
mod catalogue_pages;
mod coverage_pages;
pub mod denials;
mod download;
pub mod error;
mod find_pages;
#[doc(hidden)]
pub mod fuzz;
pub mod health;
mod home;
pub mod i18n;
pub mod ledger_pages;
pub use jianguan_domain::fmt;
pub mod limits;
mod map_pages;
pub mod metrics;
pub mod network;
mod org_pages;
mod pages;
pub mod params;
mod plan_pages;
mod project_edit_pages;
pub mod routes;
mod rule_form;
pub mod server;
mod setup_pages;
mod todo_pages;
mod view;
mod wall_pages;

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, header};
use jianguan_app::{App, Clock};
use jianguan_domain::Date;
use jianguan_domain::store::Store;

// The use cases the pages call live in the application crate; these names keep the pages'
// paths short.
pub use jianguan_app::Snapshot;
pub(crate) use jianguan_app::{assessment, cadence, coverage};
pub use params::Params;

/// What every handler shares: the application (store, clock, cached read models) and what only
/// HTTP needs (rate limiter, network settings, pending uploads).
pub struct AppState {
    app: App,
    limiter: limits::RateLimiter,
    denials: denials::DenialLog,
    metrics: metrics::Metrics,
    network: std::sync::OnceLock<network::NetworkConfig>,
    uploads: ledger_pages::PendingUploads,
    /// The first-run page's one-time token, while the database waits for a city.
    setup_token: std::sync::Mutex<Option<String>>,
    /// The overview's figures, shared by readers of one scope and day.
    overviews: jianguan_app::shared::Shared<pages::OverviewKey, pages::OverviewFigures>,
    /// The users' to-do lists, by account, data version and day.
    todo_lists: todo_pages::Lists,
}

impl std::ops::Deref for AppState {
    type Target = App;

    fn deref(&self) -> &App {
        &self.app
    }
}

impl AppState {
    /// The users' to-do lists this node derived.
    pub(crate) fn todo_lists(&self) -> &todo_pages::Lists {
        &self.todo_lists
    }

    /// State over `store`, with today's date from the clock.
    pub fn new(store: Arc<dyn Store>) -> Arc<AppState> {
        AppState::with_clock(store, Clock::system())
    }

    /// State over `store` with a chosen day (tests fix the date).
    pub fn with_today(store: Arc<dyn Store>, today: fn() -> Date) -> Arc<AppState> {
        AppState::with_clock(store, Clock::with_today(today))
    }

    /// State over `store` with `clock`.
    pub fn with_clock(store: Arc<dyn Store>, clock: Clock) -> Arc<AppState> {
        Arc::new(AppState {
            app: App::new(store, clock),
            limiter: limits::RateLimiter::default(),
            denials: denials::DenialLog::default(),
            metrics: metrics::Metrics::default(),
            network: std::sync::OnceLock::new(),
            uploads: ledger_pages::PendingUploads::default(),
            setup_token: std::sync::Mutex::new(None),
            overviews: Default::default(),
            todo_lists: Default::default(),
        })
    }

    /// The application the handlers call.
    pub fn app(&self) -> &App {
        &self.app
    }

    /// Sets the network settings (once, at start; the defaults hold until then).
    pub fn set_network(&self, config: network::NetworkConfig) {
        let _ = self.network.set(config);
    }

    /// The network settings.
    pub fn network(&self) -> &network::NetworkConfig {
        self.network.get_or_init(network::NetworkConfig::default)
    }

    /// Ledger uploads checked and waiting for their confirmation (this node's memory).
    pub(crate) fn uploads(&self) -> &ledger_pages::PendingUploads {
        &self.uploads
    }

    /// Opens the first-run page (`/setup`) for an empty database: returns the one-time token
    /// (32 hex digits from the operating system's random source) the page asks for, to be shown
    /// on the console only. The token is void once the city exists.
    pub fn open_setup(&self) -> std::io::Result<String> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        *self.setup_token.lock().expect("setup token lock") = Some(token.clone());
        Ok(token)
    }

    /// The first-run token, if the page is open.
    pub(crate) fn setup_token(&self) -> Option<String> {
        self.setup_token.lock().expect("setup token lock").clone()
    }

    /// Voids the first-run token.
    pub(crate) fn close_setup(&self) {
        *self.setup_token.lock().expect("setup token lock") = None;
    }

    /// Whether the first-run page is open: a token was given out and the database still holds
    /// no city (a city set up meanwhile, by `jianguan init` say, voids the token).
    pub(crate) async fn setup_pending(&self) -> bool {
        if self.setup_token().is_none() {
            return false;
        }
        match jianguan_app::setup::needs_setup(self.store()).await {
            Ok(true) => true,
            Ok(false) => {
                self.close_setup();
                false
            }
            // Unknown: keep the other pages closed, the first-run page reports the failure.
            Err(_) => true,
        }
    }

    /// The denials of this node being counted (see [`denials`]).
    pub fn denials(&self) -> &denials::DenialLog {
        &self.denials
    }

    /// The request metrics of this node; [`metrics::Metrics::add_source`] adds lines to
    /// `/metrics` (a backup directory's age, say).
    pub fn metrics(&self) -> &metrics::Metrics {
        &self.metrics
    }

    /// Reports the age of the newest backup under `dir` on `/metrics` (a server given
    /// `--backup-dir`).
    pub fn watch_backups(&self, dir: std::path::PathBuf) {
        self.metrics
            .add_source(metrics::backup_age(dir, jianguan_app::Clock::system()));
    }

    /// Writes `denial` through the denial counter (see [`denials`]).
    pub(crate) async fn deny(
        &self,
        denial: jianguan_audit::AuditDraft,
    ) -> Result<(), jianguan_domain::store::StoreError> {
        self.denials.record(self.store(), denial).await
    }

    /// The request rate limiter of this node.
    pub fn limiter(&self) -> &limits::RateLimiter {
        &self.limiter
    }
}

/// The routes of the whole application: each request gets an id, a tracing span and a log
/// line, is counted for `/metrics`, passes [`auth::authenticate`] and its route's guard.
pub fn router(state: Arc<AppState>) -> Router {
    use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
    use tower_http::trace::TraceLayer;
    let request_id = axum::http::HeaderName::from_static(metrics::REQUEST_ID);
    routes::declared(&state)
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        // Forms and queries are small; refuse large bodies before reading them (413).
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::map_response(security_headers))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::count,
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(metrics::span)
                .on_request(())
                .on_response(
                    |response: &axum::response::Response,
                     latency: std::time::Duration,
                     _: &tracing::Span| {
                        tracing::info!(
                            status = response.status().as_u16(),
                            latency_ms = latency.as_secs_f64() * 1000.0,
                            "answered"
                        );
                    },
                ),
        )
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(
            request_id,
            metrics::MakeId::default(),
        ))
        .with_state(state)
}

/// The largest request body accepted, except on [`FILING_PATH`].
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The route that takes photos (`POST`): a progress report with up to three photos of up to
/// 5 MiB each (`cadence_pages::photos::MAX_PHOTOS`, `MAX_PHOTO_BYTES`).
pub const FILING_PATH: &str = "/filing";

/// The largest body accepted on `POST` [`FILING_PATH`]: the photos and the form around them.
pub const FILING_MAX_BODY_BYTES: usize =
    cadence_pages::photos::MAX_PHOTOS * cadence_pages::photos::MAX_PHOTO_BYTES + MAX_BODY_BYTES;

/// The largest body a request may carry: [`FILING_MAX_BODY_BYTES`] for filing a report, the
/// ledger reader's file limit (and the form around it) for a ledger upload, [`MAX_BODY_BYTES`]
/// everywhere else.
pub fn body_limit(method: &axum::http::Method, path: &str) -> usize {
    if method != axum::http::Method::POST {
        MAX_BODY_BYTES
    } else if path == FILING_PATH {
        FILING_MAX_BODY_BYTES
    } else if path == ledger_pages::IMPORT_PATH {
        ledger_pages::max_file_bytes() + MAX_BODY_BYTES
    } else {
        MAX_BODY_BYTES
    }
}

/// Headers every response carries: no inline script, no framing, no sniffing.
async fn security_headers(mut response: axum::response::Response) -> axum::response::Response {
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response
}

/// Serves the application on `listener` until Ctrl-C or SIGTERM, under the default
/// [`server::ServerLimits`].
pub async fn serve(listener: tokio::net::TcpListener, state: Arc<AppState>) -> std::io::Result<()> {
    serve_with(
        listener,
        state,
        server::ServerLimits::default(),
        shutdown_signal(),
    )
    .await
}

/// Serves the application on `listener` under `limits` until `shutdown` completes; then
/// writes the audit records of denials still being counted.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    limits: server::ServerLimits,
    shutdown: impl std::future::Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let flusher = {
        let state = state.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(10));
            loop {
                every.tick().await;
                state
                    .denials()
                    .flush_ended(state.store(), state.now_ms())
                    .await;
            }
        })
    };
    let served = server::serve_router(listener, router(state.clone()), limits, shutdown).await;
    flusher.abort();
    state.denials().flush_all(state.store()).await;
    served
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
