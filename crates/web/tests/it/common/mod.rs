//! The demo city behind the real router, with a session per person the scenarios act as, and
//! the requests they send: shared by the cadence and assessment scenarios (each test binary uses
//! part of it, hence `dead_code` allowed).

#![allow(dead_code)]

/// One `#[tokio::test]` per scenario and backend: `scenarios!([a, b]);` runs `a(&App)` and
/// `b(&App)` on SQLite and (when `JIANGUAN_TEST_POSTGRES_URL` is set) PostgreSQL.
macro_rules! scenarios {
    ([$($scenario:ident),* $(,)?]) => {
        scenarios!(@each sqlite, super::sqlite_app, []; $($scenario),*);
        scenarios!(
            @each postgres,
            super::postgres_app,
            [#[cfg_attr(
                not(pg_tests),
                ignore = "set JIANGUAN_TEST_POSTGRES_URL to run the PostgreSQL contract tests"
            )]];
            $($scenario),*
        );
    };
    (@each $backend:ident, $fixture:path, $attrs:tt; $($scenario:ident),* $(,)?) => {
        mod $backend {
            scenarios!(@one $fixture, $attrs; $($scenario),*);
        }
    };
    (@one $fixture:path, $attrs:tt;) => {};
    (@one $fixture:path, [$($attrs:tt)*]; $scenario:ident $(, $rest:ident)*) => {
        #[tokio::test]
        $($attrs)*
        async fn $scenario() {
            let app = $fixture().await;
            super::$scenario(&app).await;
        }
        scenarios!(@one $fixture, [$($attrs)*]; $($rest),*);
    };
}

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use jianguan_access::Role;
use jianguan_domain::filing::{Filing, ReportIndex, compliance};
use jianguan_domain::model::{Portfolio, Project, UnitKind};
use jianguan_domain::store::SessionRecord;
use jianguan_domain::store::prelude::*;
use serde_json::Value;
use tower::ServiceExt;

// ---------------------------------------------------------------------------------------------
// Fixture.

/// The demo city behind the router, with a session per person the scenarios act as.
pub struct App {
    pub router: Router,
    pub store: Arc<dyn Store>,
    pub city: Portfolio,
    /// The project the unit accounts are about: it has a report missing in period 25.
    pub project: Project,
    /// The period (id) whose report is missing.
    pub period: i64,
    pub photos: std::path::PathBuf,
    pub cookies: HashMap<&'static str, String>,
    pub _guards: (Box<dyn std::any::Any + Send>, tempfile::TempDir),
}

pub const PASSWORD: &str = "Yinghu#Spring2021";

/// The day the tests run on: the demo's year 2021 is over.
pub fn today() -> jiff::civil::Date {
    jiff::civil::date(2026, 11, 28)
}

/// The first project whose report for period 25 was never filed.
pub fn missing_report(city: &Portfolio) -> (Project, i64) {
    let period = city
        .periods
        .iter()
        .find(|p| p.year == 2021 && p.seq == 25)
        .expect("period 25");
    let index = ReportIndex::of_reports(&city.reports);
    let c = compliance(city, &index, period, today());
    let missing = c
        .exceptions
        .iter()
        .find(|e| e.filing == Filing::Missing)
        .expect("a missing report in period 25");
    let project = city
        .projects
        .iter()
        .find(|p| p.id == missing.project)
        .expect("the project");
    (Project::clone(project), period.id.0)
}

pub async fn session(
    store: &dyn Store,
    name: &str,
    unit: jianguan_domain::model::UnitId,
    role: Role,
) -> String {
    session_of(store, name, Some(unit), role).await
}

/// A signed-in administrator (no unit; no second factor asked of a session made here).
pub async fn admin_session(store: &dyn Store, name: &str, role: Role) -> String {
    session_of(store, name, None, role).await
}

async fn session_of(
    store: &dyn Store,
    name: &str,
    unit: Option<jianguan_domain::model::UnitId>,
    role: Role,
) -> String {
    let id = jianguan_app::accounts::create_account(
        store,
        jianguan_app::Clock::system(),
        "test",
        jianguan_app::accounts::NewAccount {
            username: name,
            display_name: name,
            unit,
            roles: &[role],
            password: PASSWORD,
            totp_secret: None,
        },
    )
    .await
    .expect("account");
    let account = store.account(id).await.expect("reads").expect("exists");
    let token = format!("{name}-token");
    let now = jianguan_app::clock::system_now_ms();
    let audit = jianguan_audit::AuditDraft {
        at_ms: now,
        actor: name.into(),
        unit: None,
        action: "login.success".into(),
        object: format!("account:{id}"),
        result: jianguan_audit::Outcome::Success,
        client: None,
        changes: vec![],
    };
    store
        .record_login(
            &account,
            Some(&SessionRecord {
                token_hash: jianguan_web::auth::token_hash(&token),
                account_id: id,
                created_at_ms: now,
                last_seen_ms: now,
            }),
            &audit,
        )
        .await
        .expect("session");
    format!("jg_session={token}")
}

pub async fn app_over(db: jianguan_store::Db, guard: Box<dyn std::any::Any + Send>) -> App {
    app_over_on(db, guard, today).await
}

/// [`app_over`] on another day than [`today`].
pub async fn app_over_on(
    db: jianguan_store::Db,
    guard: Box<dyn std::any::Any + Send>,
    today: fn() -> jiff::civil::Date,
) -> App {
    let city = jianguan_demo::demo_city();
    db.create_portfolio(
        &city,
        &jianguan_domain::store::Actor {
            name: "test".into(),
            client: None,
        },
        &|_, _| {},
    )
    .await
    .expect("demo city");
    let store: Arc<dyn Store> = Arc::new(db);
    let (project, period) = missing_report(&city);
    let hq = city
        .units_of(UnitKind::CommandHq)
        .next()
        .expect("an office")
        .id;
    let stranger = city
        .units_of(UnitKind::ResponsibleUnit)
        .find(|u| u.id != project.responsible_unit)
        .expect("another unit")
        .id;
    let mut cookies = HashMap::new();
    for (name, unit, role) in [
        ("leader", hq, Role::HqLeader),
        ("office", hq, Role::HqOffice),
        ("subhq", project.sub_hq, Role::SubHqStaff),
        ("district", project.district, Role::DistrictStaff),
        ("reporter", project.responsible_unit, Role::UnitReporter),
        ("stranger", stranger, Role::UnitReporter),
    ] {
        cookies.insert(name, session(store.as_ref(), name, unit, role).await);
    }
    let photos = tempfile::tempdir().expect("photo dir");
    let state = jianguan_web::AppState::with_today(store.clone(), today);
    state.set_photo_dir(photos.path().join("photos"));
    App {
        router: jianguan_web::router(state),
        store,
        city,
        project,
        period,
        photos: photos.path().join("photos"),
        cookies,
        _guards: (guard, photos),
    }
}

pub async fn sqlite_app() -> App {
    sqlite_app_on(today).await
}

pub async fn postgres_app() -> App {
    postgres_app_on(today).await
}

/// The SQLite fixture on another day.
pub async fn sqlite_app_on(today: fn() -> jiff::civil::Date) -> App {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = jianguan_store::open(dir.path().join("c.db").to_str().expect("utf-8"))
        .await
        .expect("open");
    app_over_on(db, Box::new(dir), today).await
}

/// The PostgreSQL fixture on another day.
pub async fn postgres_app_on(today: fn() -> jiff::civil::Date) -> App {
    let schema = jianguan_store::testing::fresh_postgres_schema().await;
    let db = jianguan_store::open(&schema.url).await.expect("open");
    app_over_on(db, Box::new(schema), today).await
}

// ---------------------------------------------------------------------------------------------
// Requests.

pub struct Reply {
    pub status: StatusCode,
    pub location: String,
    pub body: String,
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("JSON ({e}): {}", self.body))
    }
}

impl App {
    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("response");
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        Reply {
            status,
            location,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        }
    }

    pub async fn get(&self, who: &str, path: &str) -> Reply {
        self.send(
            Request::get(path)
                .header(header::COOKIE, &self.cookies[who])
                .body(Body::empty())
                .expect("request"),
        )
        .await
    }

    /// `GET path` as `who`, expecting 200.
    pub async fn page(&self, who: &str, path: &str) -> String {
        let r = self.get(who, path).await;
        assert_eq!(r.status, StatusCode::OK, "{who} GET {path}: {}", r.body);
        r.body
    }

    pub async fn json(&self, who: &str, path: &str) -> Value {
        let r = self.get(who, path).await;
        assert_eq!(r.status, StatusCode::OK, "{who} GET {path}: {}", r.body);
        r.json()
    }

    pub async fn post(&self, who: &str, path: &str, fields: &[(&str, &str)]) -> Reply {
        self.post_in(who, path, fields, None).await
    }

    /// A form post as `who`, with an `Accept-Language` header when given.
    pub async fn post_in(
        &self,
        who: &str,
        path: &str,
        fields: &[(&str, &str)],
        accept_language: Option<&str>,
    ) -> Reply {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut request = Request::post(path)
            .header(header::COOKIE, &self.cookies[who])
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(lang) = accept_language {
            request = request.header(header::ACCEPT_LANGUAGE, lang);
        }
        self.send(request.body(Body::from(body)).expect("request"))
            .await
    }

    /// A multipart form post: text fields and files (name, file name, bytes).
    pub async fn post_multipart(
        &self,
        who: &str,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, Vec<u8>)],
    ) -> Reply {
        let boundary = "----jianguan-test-boundary";
        let mut body: Vec<u8> = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        for (k, file, bytes) in files {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{file}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        self.send(
            Request::post(path)
                .header(header::COOKIE, &self.cookies[who])
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .header(header::CONTENT_LENGTH, body.len())
                .body(Body::from(body))
                .expect("request"),
        )
        .await
    }

    pub async fn audit_actions(&self) -> Vec<(String, String)> {
        self.store
            .audit_records(0, i64::MAX)
            .await
            .expect("audit")
            .into_iter()
            .map(|r| (r.action, r.object))
            .collect()
    }

    /// Runs the daily warning job for `day`, as the scheduler would.
    pub async fn warning_job(&self, day: jiff::civil::Date) {
        let model = self.store.load_read_model().await.expect("read model");
        jianguan_app::cadence::run_warning_job(self.store.as_ref(), &model.portfolio, day, 0)
            .await
            .expect("the warning job runs");
    }

    /// The report versions of the fixture's project for the fixture's period.
    pub async fn versions(&self) -> usize {
        let record = self
            .store
            .load_project(
                self.project.id,
                jianguan_domain::store::RecordScope::All,
                jianguan_domain::store::ReportVersions::All,
            )
            .await
            .expect("reads")
            .expect("exists");
        record
            .reports
            .iter()
            .filter(|r| r.period.0 == self.period)
            .count()
    }
}

pub fn enc(v: &str) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    utf8_percent_encode(v, UNRESERVED).to_string()
}

pub fn array<'a>(v: &'a Value, key: &str) -> &'a Vec<Value> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} is an array: {v}"))
}

/// The smallest valid PNG signature with a header chunk: enough for the magic-byte check.
pub const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0";
