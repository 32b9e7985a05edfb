//! Request logs and metrics: every request gets an id (`x-request-id`, kept from a trusted
//! caller or made here, echoed on the response), a tracing span with its method, matched route,
//! id and signed-in user, and a log line with its status and latency; counts and latencies by
//! route and status are kept here and served at `/metrics` in the Prometheus text format
//! (written by hand: a few counters and one histogram do not need a crate), only to the
//! administrators' address ranges.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::request_id::{MakeRequestId, RequestId};

use crate::AppState;

/// The header that carries a request's id.
pub const REQUEST_ID: &str = "x-request-id";

/// Latency bucket bounds, seconds.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Debug, Default, Clone)]
struct Series {
    count: u64,
    sum_seconds: f64,
    /// Observations at or under each bound of [`BUCKETS`].
    buckets: [u64; BUCKETS.len()],
}

/// Extra lines for `/metrics` from elsewhere (a backup directory's age, say): Prometheus text.
pub type MetricsSource = Box<dyn Fn() -> String + Send + Sync>;

/// The age of the newest complete backup under `dir` (a server given `--backup-dir`), so an
/// alert can fire when backups stop; no sample until the first backup is taken.
pub fn backup_age(dir: std::path::PathBuf, clock: jianguan_app::Clock) -> MetricsSource {
    Box::new(move || {
        let mut out = String::from(
            "# HELP jianguan_backup_age_seconds Age of the newest complete backup.\n\
             # TYPE jianguan_backup_age_seconds gauge\n",
        );
        if let Some(age) = jianguan_app::backup::newest_backup_age_seconds(&dir, clock.now_ms()) {
            let _ = writeln!(out, "jianguan_backup_age_seconds {age}");
        }
        out
    })
}

/// Request counts and latencies by (method, route, status).
#[derive(Default)]
pub struct Metrics {
    series: Mutex<BTreeMap<(String, String, u16), Series>>,
    sources: Mutex<Vec<MetricsSource>>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    /// Counts one request.
    pub fn observe(&self, method: &str, route: &str, status: u16, latency: Duration) {
        let seconds = latency.as_secs_f64();
        let mut series = self.series.lock().unwrap_or_else(|e| e.into_inner());
        let s = series
            .entry((method.to_string(), route.to_string(), status))
            .or_default();
        s.count += 1;
        s.sum_seconds += seconds;
        for (bound, n) in BUCKETS.iter().zip(s.buckets.iter_mut()) {
            if seconds <= *bound {
                *n += 1;
            }
        }
    }

    /// Adds a source of extra lines (called at start by whoever owns the figure).
    pub fn add_source(&self, source: MetricsSource) {
        self.sources
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(source);
    }

    /// The registered sources' lines, in the order they were added.
    pub fn render_sources(&self, out: &mut String) {
        for source in self
            .sources
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            out.push_str(&source());
        }
    }

    /// The request series in the Prometheus text format.
    pub fn render_requests(&self, out: &mut String) {
        let series = self.series.lock().unwrap_or_else(|e| e.into_inner());
        out.push_str("# HELP jianguan_http_requests_total HTTP requests answered.\n");
        out.push_str("# TYPE jianguan_http_requests_total counter\n");
        for ((method, route, status), s) in series.iter() {
            let _ = writeln!(
                out,
                "jianguan_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {}",
                escape(route),
                s.count
            );
        }
        out.push_str("# HELP jianguan_http_request_duration_seconds Time to answer.\n");
        out.push_str("# TYPE jianguan_http_request_duration_seconds histogram\n");
        for ((method, route, status), s) in series.iter() {
            let labels = format!(
                "method=\"{method}\",route=\"{}\",status=\"{status}\"",
                escape(route)
            );
            for (bound, n) in BUCKETS.iter().zip(s.buckets.iter()) {
                let _ = writeln!(
                    out,
                    "jianguan_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "jianguan_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "jianguan_http_request_duration_seconds_sum{{{labels}}} {}",
                s.sum_seconds
            );
            let _ = writeln!(
                out,
                "jianguan_http_request_duration_seconds_count{{{labels}}} {}",
                s.count
            );
        }
        for source in self
            .sources
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            out.push_str(&source());
        }
    }
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Request ids: a random prefix per process and a counter.
#[derive(Clone)]
pub struct MakeId {
    prefix: std::sync::Arc<str>,
    next: std::sync::Arc<AtomicU64>,
}

impl Default for MakeId {
    fn default() -> Self {
        let mut bytes = [0u8; 4];
        let _ = getrandom::fill(&mut bytes);
        MakeId {
            prefix: bytes
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
                .into(),
            next: std::sync::Arc::new(AtomicU64::new(1)),
        }
    }
}

impl MakeRequestId for MakeId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{}-{n}", self.prefix))
            .ok()
            .map(RequestId::new)
    }
}

/// The tracing span of a request: method, matched route (or the path when none matched), its
/// id, and the user once the session is known.
pub fn span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(unmatched)".to_string(), |m| m.as_str().to_string());
    let id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    tracing::info_span!(
        "request",
        method = %request.method(),
        route = %route,
        request_id = %id,
        user = tracing::field::Empty,
    )
}

/// Counts every request by its matched route (`(unmatched)` for none, so probing paths cannot
/// grow the series without bound).
pub async fn count(
    State(state): State<std::sync::Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(unmatched)".to_string(), |m| m.as_str().to_string());
    let response = next.run(request).await;
    state.metrics().observe(
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

/// `GET /metrics`: requests, the read model's reloads, the database pool and whatever the
/// registered sources add.
pub async fn serve(State(state): State<std::sync::Arc<AppState>>) -> Response {
    let mut out = String::new();
    state.metrics().render_requests(&mut out);
    let (reloads, reload_ms) = state.app().reload_stats();
    out.push_str(
        "# HELP jianguan_read_model_reloads_total Full read model loads from the database.\n",
    );
    out.push_str("# TYPE jianguan_read_model_reloads_total counter\n");
    let _ = writeln!(out, "jianguan_read_model_reloads_total {reloads}");
    out.push_str("# HELP jianguan_read_model_reload_seconds_total Time spent loading it.\n");
    out.push_str("# TYPE jianguan_read_model_reload_seconds_total counter\n");
    let _ = writeln!(
        out,
        "jianguan_read_model_reload_seconds_total {}",
        reload_ms as f64 / 1000.0
    );
    let (catch_ups, catch_up_ms) = state.app().catch_up_stats();
    out.push_str(
        "# HELP jianguan_read_model_catch_ups_total Read model catch-ups from the change log.\n",
    );
    out.push_str("# TYPE jianguan_read_model_catch_ups_total counter\n");
    let _ = writeln!(out, "jianguan_read_model_catch_ups_total {catch_ups}");
    out.push_str("# HELP jianguan_read_model_catch_up_seconds_total Time spent catching up.\n");
    out.push_str("# TYPE jianguan_read_model_catch_up_seconds_total counter\n");
    let _ = writeln!(
        out,
        "jianguan_read_model_catch_up_seconds_total {}",
        catch_up_ms as f64 / 1000.0
    );
    let jobs = jianguan_app::jobs::job_counts();
    if !jobs.is_empty() {
        out.push_str("# HELP jianguan_job_runs_total Scheduled job slots by what this node did.\n");
        out.push_str("# TYPE jianguan_job_runs_total counter\n");
        for (job, c) in &jobs {
            let job = escape(job);
            for (outcome, n) in [("ran", c.ran), ("failed", c.failed), ("skipped", c.skipped)] {
                let _ = writeln!(
                    out,
                    "jianguan_job_runs_total{{job=\"{job}\",outcome=\"{outcome}\"}} {n}"
                );
            }
        }
    }
    if let Some((size, idle)) = state.store().pool_stats() {
        out.push_str("# HELP jianguan_db_pool_connections Database connections open.\n");
        out.push_str("# TYPE jianguan_db_pool_connections gauge\n");
        let _ = writeln!(out, "jianguan_db_pool_connections {size}");
        out.push_str("# HELP jianguan_db_pool_idle Database connections idle.\n");
        out.push_str("# TYPE jianguan_db_pool_idle gauge\n");
        let _ = writeln!(out, "jianguan_db_pool_idle {idle}");
    }
    if let Some((writes, commits)) = state.store().write_commits() {
        out.push_str("# HELP jianguan_db_writes_total Writes committed and acknowledged.\n");
        out.push_str("# TYPE jianguan_db_writes_total counter\n");
        let _ = writeln!(out, "jianguan_db_writes_total {writes}");
        out.push_str(
            "# HELP jianguan_db_commits_total Durable commits holding them (group commit).\n",
        );
        out.push_str("# TYPE jianguan_db_commits_total counter\n");
        let _ = writeln!(out, "jianguan_db_commits_total {commits}");
    }
    state.metrics().render_sources(&mut out);
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        out,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_by_route_and_status_with_a_latency_histogram() {
        let m = Metrics::default();
        m.observe("GET", "/projects/{id}", 200, Duration::from_millis(3));
        m.observe("GET", "/projects/{id}", 200, Duration::from_millis(300));
        m.observe("GET", "/projects/{id}", 404, Duration::from_millis(3));
        let mut out = String::new();
        m.render_requests(&mut out);
        assert!(out.contains(
            "jianguan_http_requests_total{method=\"GET\",route=\"/projects/{id}\",status=\"200\"} 2"
        ));
        assert!(out.contains(
            "jianguan_http_request_duration_seconds_bucket{method=\"GET\",route=\"/projects/{id}\",status=\"200\",le=\"0.005\"} 1"
        ));
        assert!(out.contains(
            "jianguan_http_request_duration_seconds_bucket{method=\"GET\",route=\"/projects/{id}\",status=\"200\",le=\"0.5\"} 2"
        ));
        assert!(out.contains("status=\"404\"} 1"));
    }

    #[test]
    fn added_sources_are_rendered_and_the_backup_age_has_no_sample_before_a_backup() {
        let m = Metrics::default();
        m.add_source(Box::new(|| "x_total 1\n".to_string()));
        let dir = std::env::temp_dir().join(format!("jianguan-metrics-{}", std::process::id()));
        m.add_source(backup_age(dir, jianguan_app::Clock::system()));
        let mut out = String::new();
        m.render_sources(&mut out);
        assert!(out.starts_with("x_total 1\n"), "{out}");
        assert!(
            out.contains("# TYPE jianguan_backup_age_seconds gauge\n"),
            "{out}"
        );
        assert!(!out.contains("jianguan_backup_age_seconds 0"), "{out}");
        assert!(out.ends_with("gauge\n"), "no sample: {out}");
    }
}
