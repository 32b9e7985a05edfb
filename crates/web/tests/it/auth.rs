//! Accounts and access through the real router: anonymous requests refused, login and its
//! failures, lockout, the second factor of administrators, CSRF, scope by unit, logout — and the
//! audit record each leaves.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use jianguan_access::Role;
use jianguan_domain::model::{Portfolio, UnitKind};
use jianguan_domain::store::Actor;
use jianguan_domain::store::prelude::*;
use serde_json::Value;
use tower::ServiceExt;

pub(crate) const PASSWORD: &str = "Yinghu#Spring2021";

pub(crate) struct App {
    pub(crate) router: Router,
    pub(crate) db: jianguan_store::Db,
    pub(crate) city: Portfolio,
    _dir: tempfile::TempDir,
}

/// The demo city with an account per role we test, on a fresh SQLite file.
pub(crate) async fn app() -> App {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = jianguan_store::open(dir.path().join("a.db").to_str().expect("utf-8"))
        .await
        .expect("open");
    let city = jianguan_demo::demo_city();
    db.create_portfolio(
        &city,
        &Actor {
            name: "t".into(),
            client: None,
        },
        &|_, _| {},
    )
    .await
    .expect("demo city");
    let unit = |kind| city.units_of(kind).next().map(|u| u.id);
    for (name, role, kind) in [
        ("leader", Role::HqLeader, UnitKind::CommandHq),
        ("district", Role::DistrictStaff, UnitKind::District),
        ("sysadmin", Role::SystemAdmin, UnitKind::CommandHq),
    ] {
        jianguan_app::accounts::create_account(
            &db,
            jianguan_app::Clock::system(),
            "t",
            jianguan_app::accounts::NewAccount {
                username: name,
                display_name: name,
                unit: unit(kind),
                roles: &[role],
                password: PASSWORD,
                totp_secret: None,
            },
        )
        .await
        .expect("account");
    }
    let state = jianguan_web::AppState::with_today(Arc::new(db.clone()), || {
        jiff::civil::date(2026, 11, 28)
    });
    App {
        router: jianguan_web::router(state),
        db,
        city,
        _dir: dir,
    }
}

pub(crate) async fn send(
    router: &Router,
    request: Request<Body>,
) -> (StatusCode, header::HeaderMap, String) {
    let response = router.clone().oneshot(request).await.expect("response");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

pub(crate) fn login_request(user: &str, password: &str) -> Request<Body> {
    Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "username={user}&password={}",
            password.replace('#', "%23")
        )))
        .expect("request")
}

/// Logs in and returns the session cookie (`jg_session=…`).
pub(crate) async fn login(router: &Router, user: &str) -> String {
    let (status, headers, body) = send(router, login_request(user, PASSWORD)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{user} logs in: {body}");
    headers
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_string()
}

pub(crate) fn get(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .expect("request")
}

pub(crate) async fn audit_actions(db: &jianguan_store::Db) -> Vec<String> {
    db.audit_records(0, i64::MAX)
        .await
        .expect("audit")
        .into_iter()
        .map(|r| r.action)
        .collect()
}

#[tokio::test]
async fn anonymous_requests_are_refused_and_pages_ask_to_log_in() {
    let app = app().await;
    let (status, _, body) = send(&app.router, get("/api/v1/stats", "")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("unauthorized"), "{body}");
    let (status, headers, _) = send(&app.router, get("/projects?q=x", "")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        headers.get(header::LOCATION).and_then(|v| v.to_str().ok()),
        Some("/login?next=%2Fprojects%3Fq%3Dx")
    );
    let (status, _, body) = send(&app.router, get("/login", "")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("用户名") && body.contains("密码"));
    let (status, _, _) = send(&app.router, get("/healthz", "")).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_login_sets_a_fresh_httponly_samesite_cookie_and_is_audited() {
    let app = app().await;
    let (_, headers, _) = send(&app.router, login_request("leader", PASSWORD)).await;
    let cookie = headers
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .expect("cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let second = login(&app.router, "leader").await;
    assert_ne!(
        cookie.split(';').next(),
        Some(second.as_str()),
        "a new token per login"
    );
    let (status, _, _) = send(&app.router, get("/api/v1/stats", &second)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        audit_actions(&app.db)
            .await
            .contains(&"login.success".to_string())
    );
}

#[tokio::test]
async fn usernames_match_after_normalisation_and_case_folding() {
    let app = app().await;
    for variant in ["Leader", "ＬＥＡＤＥＲ"] {
        let (status, _, _) = send(&app.router, login_request(variant, PASSWORD)).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{variant}");
    }
    let err = jianguan_app::accounts::create_account(
        &app.db,
        jianguan_app::Clock::system(),
        "t",
        jianguan_app::accounts::NewAccount {
            username: "ＬＥＡＤＥＲ",
            display_name: "x",
            unit: None,
            roles: &[Role::HqLeader],
            password: PASSWORD,
            totp_secret: None,
        },
    )
    .await
    .expect_err("the name is taken");
    let message = match &err {
        jianguan_app::accounts::AccountError::Store(e) => {
            jianguan_web::error::store_refusal(e).expect("a refusal fit to show")
        }
        other => panic!("expected a duplicate user name, got {other}"),
    };
    assert!(message.contains("用户名已存在"), "{message}");
    assert!(!message.contains("UNIQUE"), "{message}");
}

#[tokio::test]
async fn wrong_passwords_are_audited_and_do_not_lock_the_account_for_everyone() {
    let app = app().await;
    for _ in 0..3 {
        let (status, _, body) =
            send(&app.router, login_request("district", "Wrong#Password99")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(body.contains(jianguan_web::auth::LOGIN_FAILED));
    }
    // Three failures are free: the right password still logs in, and clears the count.
    login(&app.router, "district").await;
    let actions = audit_actions(&app.db).await;
    assert_eq!(actions.iter().filter(|a| *a == "login.failed").count(), 3);
    assert_eq!(
        app.db.login_throttle("district", "unknown").await.unwrap(),
        None
    );
    // An unknown user is audited too, and told nothing more.
    let (status, _, body) = send(&app.router, login_request("nobody", PASSWORD)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains(jianguan_web::auth::LOGIN_FAILED));
}

#[tokio::test]
async fn an_administrator_needs_the_second_factor() {
    let app = app().await;
    let (status, _, body) = send(&app.router, login_request("sysadmin", PASSWORD)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains(jianguan_web::auth::LOGIN_FAILED), "{body}");
}

#[tokio::test]
async fn a_cross_site_post_is_refused_and_audited() {
    let app = app().await;
    let request = Request::post("/login")
        .header(header::HOST, "jianguan.local")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("username=leader&password={PASSWORD}")))
        .expect("request");
    let (status, headers, _) = send(&app.router, request).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(headers.get(header::SET_COOKIE).is_none(), "no session");
    assert!(
        audit_actions(&app.db)
            .await
            .contains(&"csrf.denied".to_string())
    );
}

#[tokio::test]
async fn a_district_sees_only_its_own_projects_even_by_guessing_ids() {
    let app = app().await;
    let cookie = login(&app.router, "district").await;
    let own = app
        .city
        .units_of(UnitKind::District)
        .next()
        .expect("a district")
        .id;
    let (status, _, body) = send(&app.router, get("/api/v1/stats?year=2021", &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    let stats: Value = serde_json::from_str(&body).expect("json");
    let expected = app
        .city
        .projects
        .iter()
        .filter(|p| p.district == own && p.plan_for(2021).is_some())
        .count();
    assert_eq!(stats["projects"], expected);
    assert_eq!(stats["districts"].as_array().map(Vec::len), Some(1));
    let other = app
        .city
        .projects
        .iter()
        .find(|p| p.district != own)
        .expect("another district's project");
    for path in [
        format!("/api/v1/projects/{}", other.id),
        format!("/projects/{}", other.id),
    ] {
        let (status, _, body) = send(&app.router, get(&path, &cookie)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(!body.contains(&other.name), "{path} leaks nothing");
    }
    let (_, _, body) = send(&app.router, get("/api/v1/projects?per_page=100", &cookie)).await;
    let list: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(list["total"], expected);
    let denials = audit_actions(&app.db)
        .await
        .into_iter()
        .filter(|a| a == "access.denied")
        .count();
    assert_eq!(denials, 2);
}

#[tokio::test]
async fn an_administrator_sees_no_campaign_data() {
    let app = app().await;
    // Administrators log in with a second factor; give this session directly to test the policy.
    let cookie = &session_for(&app, "sysadmin2", Role::SystemAdmin).await;
    let (status, _, _) = send(&app.router, get("/api/v1/stats", cookie)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Campaign pages stay closed; `/` leads to the administrator's own page instead of a 403.
    let (status, _, _) = send(&app.router, get("/projects", cookie)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, headers, _) = send(&app.router, get("/", cookie)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/admin/users");
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = app().await;
    let cookie = login(&app.router, "leader").await;
    let request = Request::post("/logout")
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .expect("request");
    let (status, headers, _) = send(&app.router, request).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        headers
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("Max-Age=0"))
    );
    let (status, _, _) = send(&app.router, get("/api/v1/stats", &cookie)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(audit_actions(&app.db).await.contains(&"logout".to_string()));
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_413() {
    let app = app().await;
    let body = format!(
        "username=leader&password={}",
        "x".repeat(jianguan_web::MAX_BODY_BYTES + 1)
    );
    let request = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::CONTENT_LENGTH, body.len())
        .body(Body::from(body))
        .expect("request");
    let (status, headers, body) = send(&app.router, request).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(body.contains("过大"), "{body}");
    assert!(headers.get(header::SET_COOKIE).is_none());
    assert!(
        audit_actions(&app.db)
            .await
            .contains(&"request.too_large".to_string())
    );
}

#[tokio::test]
async fn a_flood_of_login_attempts_is_slowed_with_429_and_audited() {
    let app = app().await;
    let mut statuses = Vec::new();
    for _ in 0..12 {
        let (status, _, _) = send(&app.router, login_request("nobody", PASSWORD)).await;
        statuses.push(status);
    }
    assert!(
        statuses[..10]
            .iter()
            .all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    assert_eq!(statuses[10], StatusCode::TOO_MANY_REQUESTS);
    assert!(
        audit_actions(&app.db)
            .await
            .contains(&"rate.limited".to_string())
    );
}

#[tokio::test]
async fn the_audit_administrator_reads_filters_verifies_and_exports_the_trail() {
    let app = app().await;
    // Some history: a failed login and a denial.
    send(&app.router, login_request("nobody", PASSWORD)).await;
    let cookie = &session_for(&app, "auditor", Role::AuditAdmin).await;
    let (status, _, body) = send(
        &app.router,
        get("/audit?action=login.&result=failure", cookie),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("login.failed") && !body.contains("project.create"),
        "filtered"
    );
    let (status, _, body) = send(&app.router, get("/audit/verify", cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("审计链完整"), "{body}");
    let (status, headers, _) =
        send(&app.router, get("/audit/export.xlsx?action=login.", cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("spreadsheetml"))
    );
    assert!(
        audit_actions(&app.db)
            .await
            .contains(&"export.xlsx".to_string())
    );
    // The HQ leader may not read the trail.
    let leader = login(&app.router, "leader").await;
    let (status, _, body) = send(&app.router, get("/audit", &leader)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!body.contains("login.failed"));
}

/// A session for `username` made directly (administrators would need their second factor).
pub(crate) async fn session_for(app: &App, username: &str, role: Role) -> String {
    let hq = app.city.units_of(UnitKind::CommandHq).next().map(|u| u.id);
    let id = jianguan_app::accounts::create_account(
        &app.db,
        jianguan_app::Clock::system(),
        "t",
        jianguan_app::accounts::NewAccount {
            username,
            display_name: username,
            unit: hq,
            roles: &[role],
            password: PASSWORD,
            totp_secret: None,
        },
    )
    .await
    .expect("account");
    let account = app.db.account(id).await.expect("reads").expect("exists");
    let now = jianguan_app::clock::system_now_ms();
    let token = format!("{username}-token");
    let session = jianguan_domain::store::SessionRecord {
        token_hash: jianguan_web::auth::token_hash(&token),
        account_id: id,
        created_at_ms: now,
        last_seen_ms: now,
    };
    let record = jianguan_audit::AuditDraft {
        at_ms: now,
        actor: username.into(),
        unit: None,
        action: "login.success".into(),
        object: format!("account:{id}"),
        result: jianguan_audit::Outcome::Success,
        client: None,
        changes: vec![],
    };
    app.db
        .record_login(&account, Some(&session), &record)
        .await
        .expect("session");
    format!("jg_session={token}")
}

pub(crate) fn post_form(path: &str, cookie: &str, body: &str) -> Request<Body> {
    Request::post(path)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_string()))
        .expect("request")
}

#[tokio::test]
async fn the_system_administrator_creates_accounts_and_the_security_administrator_grants_roles() {
    let app = app().await;
    let sys = session_for(&app, "sys2", Role::SystemAdmin).await;
    let sec = session_for(&app, "sec2", Role::SecurityAdmin).await;
    let district = app
        .city
        .units_of(UnitKind::District)
        .next()
        .expect("district")
        .id;
    let (status, _, _) = send(
        &app.router,
        post_form(
            "/admin/users",
            &sys,
            &format!("username=newbie&name=新人&unit={district}&password=Yinghu%23Spring2021"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let newbie = app
        .db
        .account_by_key("newbie")
        .await
        .expect("reads")
        .expect("created");
    assert!(
        newbie.roles.is_empty(),
        "the system administrator grants no role"
    );
    // A weak password is refused with the reason.
    let (status, _, body) = send(
        &app.router,
        post_form("/admin/users", &sys, "username=weak&name=x&password=short"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("密码"), "{body}");
    // A taken name is refused naming the field, never in the database's words.
    let (status, _, body) = send(
        &app.router,
        post_form(
            "/admin/users",
            &sys,
            "username=NEWBIE&name=x&password=Yinghu%23Spring2021",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("用户名已存在"), "{body}");
    assert!(!body.contains("UNIQUE constraint"), "{body}");
    // The system administrator may not grant roles.
    let (status, _, _) = send(
        &app.router,
        post_form(
            &format!("/admin/users/{}/roles", newbie.id),
            &sys,
            "role=district_staff",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Two administrator roles on one account are refused.
    let (_, _, body) = send(
        &app.router,
        post_form(
            &format!("/admin/users/{}/roles", newbie.id),
            &sec,
            "role=system_admin&role=audit_admin",
        ),
    )
    .await;
    assert!(body.contains("未能授予角色"), "{body}");
    let (status, _, _) = send(
        &app.router,
        post_form(
            &format!("/admin/users/{}/roles", newbie.id),
            &sec,
            "role=district_staff",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let granted = app
        .db
        .account(newbie.id)
        .await
        .expect("reads")
        .expect("exists");
    assert_eq!(granted.roles, vec!["district_staff".to_string()]);
    // Disabling ends the account's use.
    let (status, _, _) = send(
        &app.router,
        post_form(
            &format!("/admin/users/{}/status", newbie.id),
            &sys,
            "action=disable&expires_on=",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = send(&app.router, login_request("newbie", PASSWORD)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let actions = audit_actions(&app.db).await;
    for action in [
        "account.create",
        "role.grant",
        "account.update",
        "login.refused",
    ] {
        assert!(actions.contains(&action.to_string()), "{action} audited");
    }
}

#[tokio::test]
async fn the_daily_job_disables_accounts_unused_for_90_days_once() {
    let app = app().await;
    let day = 24 * 3600 * 1000;
    let now = jianguan_app::clock::system_now_ms();
    let job_day = now + 91 * day;
    // `district` was used 11 days before the job runs; `leader` and `sysadmin` never since
    // they were made, 91 days before.
    let mut district = app
        .db
        .account_by_key("district")
        .await
        .expect("reads")
        .expect("exists");
    district.last_login_ms = Some(job_day - 11 * day);
    let record = jianguan_audit::AuditDraft {
        at_ms: now,
        actor: "t".into(),
        unit: None,
        action: "login.success".into(),
        object: "account".into(),
        result: jianguan_audit::Outcome::Success,
        client: None,
        changes: vec![],
    };
    app.db
        .record_login(&district, None, &record)
        .await
        .expect("saved");
    let disabled = jianguan_app::accounts::disable_unused_accounts(&app.db, job_day)
        .await
        .expect("job runs");
    assert_eq!(disabled, 2, "the two unused accounts");
    let state = |name: &'static str| {
        let db = app.db.clone();
        async move {
            db.account_by_key(name)
                .await
                .expect("reads")
                .expect("exists")
                .disabled_at_ms
                .is_some()
        }
    };
    assert!(state("leader").await && state("sysadmin").await);
    assert!(!state("district").await, "a used account stays");
    assert_eq!(
        jianguan_app::accounts::disable_unused_accounts(&app.db, job_day)
            .await
            .expect("runs"),
        0,
        "a second run changes nothing"
    );
    assert!(
        audit_actions(&app.db)
            .await
            .contains(&"account.disable.dormant".to_string())
    );
    let (status, _, _) = send(&app.router, login_request("leader", PASSWORD)).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a disabled account cannot log in"
    );
}

#[tokio::test]
async fn a_user_turns_on_the_second_factor_and_then_needs_it_to_log_in() {
    let app = app().await;
    let cookie = login(&app.router, "district").await;
    let (status, _, body) = send(&app.router, get("/account", &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    let secret_text = body
        .split("name=\"secret\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a secret is offered")
        .to_string();
    let secret = jianguan_access::totp::TotpSecret::from_base32(&secret_text).expect("base32");
    let now = (jianguan_app::clock::system_now_ms() / 1000) as u64;
    // A wrong code does not turn it on.
    let (_, _, body) = send(
        &app.router,
        post_form(
            "/account/totp",
            &cookie,
            &format!("action=enable&secret={secret_text}&code=000000"),
        ),
    )
    .await;
    assert!(
        body.contains("动态口令不正确")
            || jianguan_access::totp::Totp::STANDARD.code(&secret, now) == "000000"
    );
    let code = jianguan_access::totp::Totp::STANDARD.code(&secret, now);
    let (status, _, _) = send(
        &app.router,
        post_form(
            "/account/totp",
            &cookie,
            &format!("action=enable&secret={secret_text}&code={code}"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // Now a password alone is not enough.
    let (status, _, _) = send(&app.router, login_request("district", PASSWORD)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let with_code = |code: String| {
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!(
                "username=district&password={}&totp={code}",
                PASSWORD.replace('#', "%23")
            )))
            .expect("request")
    };
    // The code spent on enrolment cannot log in (no replay).
    let (status, _, _) = send(&app.router, with_code(code.clone())).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a used code is refused");
    // The next step's code (inside the ±1 step window) logs in, once.
    let totp = jianguan_access::totp::Totp::STANDARD;
    let next = totp.code_at_step(&secret, totp.step(now) + 1);
    let (status, _, _) = send(&app.router, with_code(next.clone())).await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "password and a fresh code log in"
    );
    let (status, _, _) = send(&app.router, with_code(next)).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the same code twice is refused"
    );
    assert!(
        audit_actions(&app.db)
            .await
            .contains(&"totp.enable".to_string())
    );
}
