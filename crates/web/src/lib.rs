//! The web server: the server-rendered Chinese UI, the JSON API under `/api/v1/` and its
//! OpenAPI document, over any [`Store`].
//!
//! Pages and API answers are computed from a [`Snapshot`] of the portfolio, cached until the
//! database's data version changes, so every request reads figures the domain computed from
//! one consistent set of records.

mod account_pages;
mod admin_pages;
pub mod anchors;
pub mod api;
pub mod assessment;
mod assessment_pages;
mod assets;
pub mod audit_pages;
pub mod auth;
pub mod cadence;
mod cadence_pages;
pub mod coverage;
mod coverage_pages;
mod download;
pub mod error;
pub mod ledger_pages;
pub use jianguan_domain::fmt;
pub mod jobs;
pub mod limits;
pub mod network;
mod pages;
pub mod params;
pub mod routes;
mod view;

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, header};
use jianguan_domain::Date;
use jianguan_domain::model::Portfolio;
use jianguan_domain::rates::InvestmentLedger;
use jianguan_domain::store::{Store, StoreError};
use tokio::sync::RwLock;

pub use params::Params;

/// The portfolio as of one data version, with what every request derives from it.
#[derive(Debug)]
pub struct Snapshot {
    /// The data version it was read at.
    pub version: i64,
    /// The records, without report versions (pages read those per project).
    pub portfolio: Portfolio,
    /// Investment to date per project.
    pub ledger: InvestmentLedger,
}

/// What every handler shares.
pub struct AppState {
    store: Arc<dyn Store>,
    cache: RwLock<Option<Arc<Snapshot>>>,
    cadence_cache: RwLock<Option<Arc<cadence::CadenceSnapshot>>>,
    coverage_cache: tokio::sync::Mutex<Option<Arc<coverage::Coverage>>>,
    today: fn() -> Date,
    limiter: limits::RateLimiter,
    anchors: std::sync::OnceLock<std::path::PathBuf>,
    network: std::sync::OnceLock<network::NetworkConfig>,
    photos: std::sync::OnceLock<std::path::PathBuf>,
    uploads: ledger_pages::PendingUploads,
}

/// Today in the campaign's time zone (China Standard Time, a fixed +08:00).
pub fn today_in_china() -> Date {
    let offset = jiff::tz::TimeZone::fixed(jiff::tz::offset(8));
    offset.to_datetime(jiff::Timestamp::now()).date()
}

impl AppState {
    /// State over `store`, with today's date from the clock.
    pub fn new(store: Arc<dyn Store>) -> Arc<AppState> {
        AppState::with_today(store, today_in_china)
    }

    /// State over `store` with a chosen clock (tests fix the date).
    pub fn with_today(store: Arc<dyn Store>, today: fn() -> Date) -> Arc<AppState> {
        Arc::new(AppState {
            store,
            cache: RwLock::new(None),
            cadence_cache: RwLock::new(None),
            coverage_cache: tokio::sync::Mutex::new(None),
            today,
            limiter: limits::RateLimiter::default(),
            anchors: std::sync::OnceLock::new(),
            network: std::sync::OnceLock::new(),
            photos: std::sync::OnceLock::new(),
            uploads: ledger_pages::PendingUploads::default(),
        })
    }

    /// Today's date.
    pub fn today(&self) -> Date {
        (self.today)()
    }

    /// The current snapshot, re-read when the data changed since it was taken.
    pub async fn snapshot(&self) -> Result<Arc<Snapshot>, StoreError> {
        let version = self.store.data_version().await?;
        if let Some(s) = self.cache.read().await.as_ref()
            && s.version == version
        {
            return Ok(s.clone());
        }
        let mut slot = self.cache.write().await;
        if let Some(s) = slot.as_ref()
            && s.version == version
        {
            return Ok(s.clone());
        }
        let model = self.store.load_read_model().await?;
        let snapshot = Arc::new(Snapshot {
            version,
            ledger: InvestmentLedger::from_points(model.investment),
            portfolio: model.portfolio,
        });
        *slot = Some(snapshot.clone());
        Ok(snapshot)
    }

    /// The cadence's records (warnings, tracked items, filing days), re-read when the data
    /// changed since they were read.
    pub async fn cadence(&self) -> Result<Arc<cadence::CadenceSnapshot>, StoreError> {
        let version = self.store.data_version().await?;
        if let Some(s) = self.cadence_cache.read().await.as_ref()
            && s.version == version
        {
            return Ok(s.clone());
        }
        let mut slot = self.cadence_cache.write().await;
        if let Some(s) = slot.as_ref()
            && s.version == version
        {
            return Ok(s.clone());
        }
        let snapshot = Arc::new(cadence::load(self.store.as_ref(), version).await?);
        *slot = Some(snapshot.clone());
        Ok(snapshot)
    }

    /// Walking coverage at `snapshot`'s data version (issue 8): the generated city, built on the
    /// blocking pool on first use after a change; one request builds it while others wait.
    pub async fn coverage(
        &self,
        snapshot: &Arc<Snapshot>,
    ) -> Result<Arc<coverage::Coverage>, coverage::CoverageError> {
        let mut slot = self.coverage_cache.lock().await;
        if let Some(c) = slot.as_ref()
            && c.version == snapshot.version
        {
            return Ok(c.clone());
        }
        let built = coverage::Coverage::build(snapshot.clone()).await?;
        *slot = Some(built.clone());
        Ok(built)
    }

    /// Names the audit anchor file the audit pages verify against (set once, at start).
    pub fn set_anchor_path(&self, path: std::path::PathBuf) {
        let _ = self.anchors.set(path);
    }

    /// The audit anchor file, if one is configured.
    pub fn anchor_path(&self) -> Option<&std::path::Path> {
        self.anchors.get().map(|p| p.as_path())
    }

    /// Names the directory report photos are stored in, each file named by the SHA-256 of its
    /// bytes (set once, at start; `serve` puts it next to the database). Until it is set, reports
    /// are filed without photos and a report that brings some is refused, naming the field.
    pub fn set_photo_dir(&self, path: std::path::PathBuf) {
        let _ = self.photos.set(path);
    }

    /// The photo directory, if one is configured.
    pub fn photo_dir(&self) -> Option<&std::path::Path> {
        self.photos.get().map(|p| p.as_path())
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

    /// The request rate limiter of this node.
    pub fn limiter(&self) -> &limits::RateLimiter {
        &self.limiter
    }

    /// The storage behind the state.
    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }
}

/// The routes of the whole application.
pub fn router(state: Arc<AppState>) -> Router {
    routes::declared(&state)
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        // Forms and queries are small; refuse large bodies before reading them (413).
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::map_response(security_headers))
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

/// Serves the application on `listener` until Ctrl-C or SIGTERM.
pub async fn serve(listener: tokio::net::TcpListener, state: Arc<AppState>) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
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
