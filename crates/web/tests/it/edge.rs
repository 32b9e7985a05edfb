//! The HTTP edge (issue 16): slow clients are cut off and connections limited, repeated denials
//! are counted instead of each written, text fields have a length, answers behind the login are
//! not cached, `next=` stays on this site, the CSRF check compares scheme, host and port, audit
//! records carry the client address, requests are logged with an id and counted for
//! `/metrics`, and readiness is apart from liveness.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use jianguan_domain::store::prelude::*;
use jianguan_web::server::ServerLimits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;

use super::common::{App, enc, postgres_app, sqlite_app, today};

scenarios!([
    three_hundred_forged_posts_leave_two_records_whose_counts_add_up,
    a_business_write_records_the_client_address,
    a_twelve_mebibyte_note_is_refused_and_nothing_is_filed,
    every_answer_behind_the_login_is_no_store_and_assets_may_be_cached,
    readiness_probes_a_write_and_metrics_count_requests_by_route,
    after_login_only_a_path_on_this_site_is_followed,
    the_csrf_check_compares_scheme_host_and_port,
]);

/// The demo city on a fresh SQLite file, with its state, served on a socket under `limits`.
async fn served(
    limits: ServerLimits,
    network: jianguan_web::network::NetworkConfig,
) -> (SocketAddr, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = jianguan_store::open(dir.path().join("e.db").to_str().expect("utf-8"))
        .await
        .expect("open");
    db.create_portfolio(
        &jianguan_demo::demo_city(),
        &jianguan_domain::store::Actor {
            name: "t".into(),
            client: None,
        },
        &|_, _| {},
    )
    .await
    .expect("demo city");
    let state = jianguan_web::AppState::new(Arc::new(db));
    state.set_network(network);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(jianguan_web::serve_with(
        listener,
        state,
        limits,
        std::future::pending(),
    ));
    (addr, dir)
}

/// Sends `request` whole and reads the answer to the end (the connection closed).
async fn exchange(addr: SocketAddr, request: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut response = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut response))
        .await
        .expect("the server closes the connection");
    String::from_utf8_lossy(&response).into_owned()
}

/// Waits (up to a minute) until the server closes `stream`; false if it is still open.
async fn closed(stream: &mut tokio::net::TcpStream) -> bool {
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout(Duration::from_secs(60), stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(_)) => {} // an error answer before closing
        }
    }
}

#[tokio::test]
async fn clients_that_never_finish_their_headers_are_cut_off_while_others_are_served() {
    let limits = ServerLimits {
        header_read_timeout: Duration::from_millis(500),
        ..ServerLimits::default()
    };
    let (addr, _dir) = served(limits, Default::default()).await;
    let mut slow = Vec::new();
    for _ in 0..20 {
        let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .await
            .expect("write");
        slow.push(s);
    }
    let answer = exchange(
        addr,
        "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    for s in &mut slow {
        assert!(closed(s).await, "a half-sent request is closed");
    }
    // An idle kept-alive connection is closed too.
    let mut idle = tokio::net::TcpStream::connect(addr).await.expect("connect");
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("write");
    assert!(closed(&mut idle).await, "an idle connection is closed");
}

#[tokio::test]
async fn a_body_that_never_arrives_is_cut_off() {
    let limits = ServerLimits {
        body_read_timeout: Duration::from_millis(500),
        ..ServerLimits::default()
    };
    let (addr, _dir) = served(limits, Default::default()).await;
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    s.write_all(
        b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nusername=a",
    )
    .await
    .expect("write");
    assert!(closed(&mut s).await, "a trickled body is cut off");
}

#[tokio::test]
async fn connections_over_the_limit_are_closed_unanswered() {
    let limits = ServerLimits {
        max_connections: 2,
        queue_wait: Duration::from_millis(100),
        ..ServerLimits::default()
    };
    let (addr, _dir) = served(limits, Default::default()).await;
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
        // A first byte, so the connection is surely accepted and served.
        s.write_all(b"G").await.expect("write");
        held.push(s);
    }
    // Give the server the moment to take both slots.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let answer = exchange(
        addr,
        "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(answer, "", "over the limit: closed without an answer");
    drop(held);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let answer = exchange(
        addr,
        "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "slots freed: {answer}");
}

#[tokio::test]
async fn metrics_answer_only_the_administrators_network_and_requests_carry_an_id() {
    let (addr, _dir) = served(
        ServerLimits::default(),
        jianguan_web::network::NetworkConfig {
            admin_from: jianguan_web::network::parse_ranges("10.0.0.0/8").expect("ranges"),
            ..Default::default()
        },
    )
    .await;
    let answer = exchange(
        addr,
        "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
    let answer = exchange(
        addr,
        "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await
    .to_ascii_lowercase();
    assert!(answer.contains("\r\nx-request-id: "), "{answer}");
    let answer = exchange(
        addr,
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: abc-123\r\nConnection: close\r\n\r\n",
    )
    .await
    .to_ascii_lowercase();
    assert!(answer.contains("\r\nx-request-id: abc-123\r\n"), "{answer}");
}

/// A POST from another site, as the acceptance check forges it.
fn forged(path: &str) -> Request<Body> {
    Request::post(path)
        .header(header::HOST, "localhost:8080")
        .header(header::ORIGIN, "http://evil.example")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .extension(ConnectInfo(SocketAddr::from(([192, 0, 2, 7], 5555))))
        .body(Body::from("text=x"))
        .expect("request")
}

async fn three_hundred_forged_posts_leave_two_records_whose_counts_add_up(app: &App) {
    let state = jianguan_web::AppState::with_today(app.store.clone(), today);
    let router = jianguan_web::router(state.clone());
    let denied = |records: &[jianguan_audit::AuditRecord]| -> Vec<jianguan_audit::AuditRecord> {
        records
            .iter()
            .filter(|r| r.action == "csrf.denied")
            .cloned()
            .collect()
    };
    let before = denied(&app.store.audit_records(0, i64::MAX).await.expect("audit")).len();
    for _ in 0..300 {
        let r = router
            .clone()
            .oneshot(forged("/items/1/events"))
            .await
            .expect("answer");
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
    let during = denied(&app.store.audit_records(0, i64::MAX).await.expect("audit"));
    assert!(
        during.len() - before <= 2,
        "the first denial is written at once, the rest counted: {}",
        during.len() - before
    );
    assert!(during.len() > before, "a single denial is visible at once");
    assert_eq!(
        during.last().and_then(|r| r.client.clone()).as_deref(),
        Some("192.0.2.7"),
        "the denial names its source"
    );
    state.denials().flush_all(app.store.as_ref()).await;
    let after = denied(&app.store.audit_records(0, i64::MAX).await.expect("audit"));
    assert!(after.len() - before <= 3, "{}", after.len() - before);
    let total: u64 = after[before..]
        .iter()
        .map(|r| jianguan_web::denials::denials_in(&r.changes))
        .sum();
    assert_eq!(total, 300, "every denial is in the trail");
}

async fn a_business_write_records_the_client_address(app: &App) {
    let period = app.period.to_string();
    let project = app.project.id.0.to_string();
    let investment = format!("{:.2}", app.project.total_investment.wan());
    let body = [
        ("project", project.as_str()),
        ("period", period.as_str()),
        ("investment_to_date", investment.as_str()),
        ("note", "本期按计划推进"),
    ]
    .iter()
    .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
    .collect::<Vec<_>>()
    .join("&");
    let reply = app
        .send(
            Request::post("/filing")
                .header(header::COOKIE, &app.cookies["reporter"])
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .extension(ConnectInfo(SocketAddr::from(([198, 51, 100, 4], 4444))))
                .body(Body::from(body))
                .expect("request"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let records = app.store.audit_records(0, i64::MAX).await.expect("audit");
    let filed = records
        .iter()
        .rfind(|r| r.action == "report.file")
        .expect("the filing is audited");
    assert_eq!(filed.client.as_deref(), Some("198.51.100.4"));
}

async fn a_twelve_mebibyte_note_is_refused_and_nothing_is_filed(app: &App) {
    let period = app.period.to_string();
    let project = app.project.id.0.to_string();
    let note = "进".repeat(12 * 1024 * 1024 / 3);
    let reply = app
        .post_multipart(
            "reporter",
            "/filing",
            &[
                ("project", project.as_str()),
                ("period", period.as_str()),
                ("investment_to_date", "1.00"),
                ("note", note.as_str()),
            ],
            &[],
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(
        reply.body.contains("note") && reply.body.contains("最多 2000 个字符"),
        "the message names the field and its limit"
    );
    assert_eq!(app.versions().await, 0, "nothing filed");
    // A 60,000-character login name: refused, and the trail keeps only its first characters.
    let name = "a".repeat(60_000);
    let reply = app
        .send(
            Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!("username={name}&password=x")))
                .expect("request"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let records = app.store.audit_records(0, i64::MAX).await.expect("audit");
    let failed = records
        .iter()
        .rfind(|r| r.action == "login.failed")
        .expect("the failure is audited");
    assert_eq!(failed.actor.chars().count(), 64);
}

async fn every_answer_behind_the_login_is_no_store_and_assets_may_be_cached(app: &App) {
    let cache_control = |who: Option<&str>, path: &str| {
        let mut request = Request::get(path);
        if let Some(who) = who {
            request = request.header(header::COOKIE, &app.cookies[who]);
        }
        let request = request.body(Body::empty()).expect("request");
        let router = app.router.clone();
        async move {
            let response = router.oneshot(request).await.expect("answer");
            (
                response.status(),
                response
                    .headers()
                    .get(header::CACHE_CONTROL)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string),
            )
        }
    };
    for (who, path, status) in [
        (Some("leader"), "/", StatusCode::OK),
        (Some("leader"), "/api/v1/stats?year=2021", StatusCode::OK),
        (Some("office"), "/ledger/export.xlsx", StatusCode::OK),
        (None, "/projects", StatusCode::SEE_OTHER),
        (None, "/api/v1/stats", StatusCode::UNAUTHORIZED),
    ] {
        let (got, cache) = cache_control(who, path).await;
        assert_eq!(got, status, "{path}");
        assert_eq!(cache.as_deref(), Some("no-store"), "{who:?} {path}");
    }
    let (got, cache) = cache_control(None, "/assets/app.css").await;
    assert_eq!(got, StatusCode::OK);
    assert_ne!(cache.as_deref(), Some("no-store"), "assets may be cached");
}

async fn readiness_probes_a_write_and_metrics_count_requests_by_route(app: &App) {
    let ready = app
        .send(
            Request::get("/readyz")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);
    let metrics = app
        .send(
            Request::get("/metrics")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(metrics.status, StatusCode::OK);
    assert!(
        metrics.body.contains(
            "jianguan_http_requests_total{method=\"GET\",route=\"/readyz\",status=\"200\"} 1"
        ),
        "{}",
        metrics.body
    );
    assert!(metrics.body.contains("jianguan_read_model_reloads_total "));
    assert!(metrics.body.contains("jianguan_db_pool_connections "));
}

#[tokio::test]
async fn a_read_only_database_file_is_alive_but_not_ready() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ro.db");
    let db = jianguan_store::open(path.to_str().expect("utf-8"))
        .await
        .expect("open");
    db.create_portfolio(
        &jianguan_demo::demo_city(),
        &jianguan_domain::store::Actor {
            name: "t".into(),
            client: None,
        },
        &|_, _| {},
    )
    .await
    .expect("demo city");
    db.close().await;
    let _unlock = ReadOnly::make(&path);
    if std::fs::OpenOptions::new().write(true).open(&path).is_ok() {
        eprintln!("skipped: this process writes read-only files (root without chattr)");
        return;
    }
    let db = jianguan_store::open(path.to_str().expect("utf-8"))
        .await
        .expect("a read-only file opens");
    let router = jianguan_web::router(jianguan_web::AppState::new(Arc::new(db)));
    let get = |path: &'static str| {
        let router = router.clone();
        async move {
            let r = router
                .oneshot(Request::get(path).body(Body::empty()).expect("request"))
                .await
                .expect("answer");
            let status = r.status();
            let body = http_body_util::BodyExt::collect(r.into_body())
                .await
                .expect("body")
                .to_bytes();
            (status, String::from_utf8_lossy(&body).into_owned())
        }
    };
    assert_eq!(get("/healthz").await.0, StatusCode::OK, "alive");
    let (status, body) = get("/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.contains("不可写"), "the reason: {body}");
}

/// Makes a file read-only (0444, and immutable where the process would write it anyway, as
/// root does); undone when dropped so the temporary directory can be removed.
struct ReadOnly(std::path::PathBuf, bool);

impl ReadOnly {
    fn make(path: &std::path::Path) -> ReadOnly {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o444)).expect("chmod");
        let immutable = std::fs::OpenOptions::new().write(true).open(path).is_ok()
            && std::process::Command::new("chattr")
                .arg("+i")
                .arg(path)
                .status()
                .is_ok_and(|s| s.success());
        ReadOnly(path.to_path_buf(), immutable)
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        if self.1 {
            let _ = std::process::Command::new("chattr")
                .arg("-i")
                .arg(&self.0)
                .status();
        }
    }
}

async fn after_login_only_a_path_on_this_site_is_followed(app: &App) {
    let login = |next: &str| {
        let body = format!(
            "username=leader&password={}&next={}",
            enc(super::common::PASSWORD),
            enc(next)
        );
        app.send(
            Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .expect("request"),
        )
    };
    // (Nine logins: under the login rate limit of ten in a burst.)
    for bad in [
        "//evil.example/",
        "/%09/evil.example",
        "/\t/evil.example",
        "/%5Cevil.example",
        "/\\evil.example",
        "/x\nSet-Cookie: a=b",
        "https://evil.example/",
        "/%2F%2Fevil.example",
    ] {
        let r = login(bad).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{bad:?}: {}", r.body);
        assert_eq!(r.location, "/", "{bad:?}");
    }
    let r = login("/projects?year=2021").await;
    assert_eq!(r.location, "/projects?year=2021");
}

async fn the_csrf_check_compares_scheme_host_and_port(app: &App) {
    let post = |origin: Option<&str>, referer: Option<&str>| {
        let mut request = Request::post("/logout")
            .header(header::HOST, "localhost:8080")
            .header(header::COOKIE, &app.cookies["stranger"]);
        if let Some(o) = origin {
            request = request.header(header::ORIGIN, o);
        }
        if let Some(r) = referer {
            request = request.header(header::REFERER, r);
        }
        let request = request.body(Body::empty()).expect("request");
        let router = app.router.clone();
        async move { router.oneshot(request).await.expect("answer").status() }
    };
    for (origin, referer) in [
        (Some("https://localhost:8080"), None),
        (Some("http://localhost:9090"), None),
        (Some("http://localhost"), None),
        (Some("http://evil.example:8080"), None),
        (Some("null"), None),
        (None, Some("http://evil.example/page")),
        (None, Some("https://localhost:8080/")),
    ] {
        assert_eq!(
            post(origin, referer).await,
            StatusCode::FORBIDDEN,
            "{origin:?} {referer:?}"
        );
    }
    // Our own origin (the logout itself redirects; it ends the stranger's session last).
    assert_eq!(
        post(None, Some("http://localhost:8080/projects")).await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        post(Some("http://LOCALHOST:8080"), None).await,
        StatusCode::SEE_OTHER
    );
}
