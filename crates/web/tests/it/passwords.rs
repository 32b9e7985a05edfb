//! Logins that can't be used against users (one answer for every failure, throttling per
//! source), passwords people manage (change, reset, forced change), the session limit and the
//! TOTP enrolment QR code, through the real router.

use axum::http::{StatusCode, header};
use jianguan_access::Role;
use jianguan_domain::store::LoginThrottleRecord;
use jianguan_domain::store::prelude::*;
use jianguan_web::auth::LOGIN_FAILED;

use crate::auth::{
    PASSWORD, app, audit_actions, get, login, login_request, post_form, send, session_for,
};

const NEW_PASSWORD: &str = "Qiao-Jiang%237Tuo";

fn draft() -> jianguan_audit::AuditDraft {
    jianguan_audit::AuditDraft::new(0, "t", jianguan_audit::AuditAction::LoginFailed, "x")
}

/// The message inside the page's alert.
fn alert(body: &str) -> &str {
    body.split("role=\"alert\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap_or("")
}

#[tokio::test]
async fn unknown_wrong_locked_and_missing_second_factor_are_answered_alike() {
    let app = app().await;
    let now = jianguan_app::clock::system_now_ms();
    // The test requests carry no peer address: their source is "unknown". Lock that source out
    // of `leader` as ten failures would.
    let locked = LoginThrottleRecord {
        failures: 10,
        last_failure_ms: now,
        locked_until_ms: Some(now + 30 * 60_000),
    };
    app.db
        .record_login_failure("leader", "unknown", locked, 0, &draft())
        .await
        .unwrap();
    let cases = [
        ("unknown user", login_request("nobody", PASSWORD)),
        (
            "wrong password",
            login_request("district", "Wrong#Password99"),
        ),
        ("locked source", login_request("leader", PASSWORD)),
        ("no second factor", login_request("sysadmin", PASSWORD)),
    ];
    let mut answers = Vec::new();
    for (case, request) in cases {
        let (status, headers, body) = send(&app.router, request).await;
        assert!(headers.get(header::SET_COOKIE).is_none(), "{case}");
        answers.push((case, status, alert(&body).to_string()));
    }
    for (case, status, message) in &answers {
        assert_eq!(*status, StatusCode::UNAUTHORIZED, "{case}");
        assert_eq!(message, LOGIN_FAILED, "{case}");
    }
    // The locked attempt was refused unchecked and recorded, the lock not extended.
    assert!(
        audit_actions(&app.db)
            .await
            .contains(&"login.locked".to_string())
    );
    assert_eq!(
        app.db.login_throttle("leader", "unknown").await.unwrap(),
        Some(locked)
    );
}

#[tokio::test]
async fn a_lock_on_one_source_does_not_keep_the_user_out_from_another() {
    let app = app().await;
    let now = jianguan_app::clock::system_now_ms();
    let locked = LoginThrottleRecord {
        failures: 10,
        last_failure_ms: now,
        locked_until_ms: Some(now + 30 * 60_000),
    };
    app.db
        .record_login_failure("district", "203.0.113.9", locked, 0, &draft())
        .await
        .unwrap();
    login(&app.router, "district").await;
    // The stranger's lock stays for the stranger.
    assert_eq!(
        app.db
            .login_throttle("district", "203.0.113.9")
            .await
            .unwrap(),
        Some(locked)
    );
}

#[tokio::test]
async fn after_repeated_failures_the_source_must_wait_even_with_the_right_password() {
    let app = app().await;
    let now = jianguan_app::clock::system_now_ms();
    // Nine failures just now: the next attempt must wait 64 seconds.
    let throttled = LoginThrottleRecord {
        failures: 9,
        last_failure_ms: now,
        locked_until_ms: None,
    };
    app.db
        .record_login_failure("district", "unknown", throttled, 0, &draft())
        .await
        .unwrap();
    let (status, _, body) = send(&app.router, login_request("district", PASSWORD)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(alert(&body), LOGIN_FAILED);
}

#[tokio::test]
async fn a_user_changes_their_password_and_their_other_sessions_end() {
    let app = app().await;
    let first = login(&app.router, "district").await;
    let second = login(&app.router, "district").await;
    let (status, _, body) = send(&app.router, get("/account/password", &second)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("原密码"));
    // A wrong old password, a weak new one, a mismatch: each refused with its reason.
    for (form, reason) in [
        (
            format!("old=Wrong%23Old123&new={NEW_PASSWORD}&confirm={NEW_PASSWORD}"),
            "原密码不正确",
        ),
        (
            "old=Yinghu%23Spring2021&new=short&confirm=short".to_string(),
            "新密码：",
        ),
        (
            format!("old=Yinghu%23Spring2021&new={NEW_PASSWORD}&confirm=other"),
            "不一致",
        ),
        (String::new(), "请填写"),
    ] {
        let (status, _, body) =
            send(&app.router, post_form("/account/password", &second, &form)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reason}");
        assert!(alert(&body).contains(reason), "{reason}: {}", alert(&body));
    }
    let (status, _, _) = send(
        &app.router,
        post_form(
            "/account/password",
            &second,
            &format!("old=Yinghu%23Spring2021&new={NEW_PASSWORD}&confirm={NEW_PASSWORD}"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        audit_actions(&app.db)
            .await
            .contains(&"password.change".to_string())
    );
    // This session goes on; the other one has ended.
    let (status, _, _) = send(&app.router, get("/account", &second)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, headers, _) = send(&app.router, get("/account", &first)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        headers[header::LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/login")
    );
    // The old password no longer works; the new one does.
    let (status, _, _) = send(&app.router, login_request("district", PASSWORD)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = send(&app.router, login_request("district", NEW_PASSWORD)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_reset_password_is_shown_once_and_must_be_changed_before_anything_else() {
    let app = app().await;
    let sec = session_for(&app, "sec3", Role::SecurityAdmin).await;
    let before = login(&app.router, "district").await;
    let district = app.db.account_by_key("district").await.unwrap().unwrap();
    // An empty request resets nothing.
    let path = format!("/admin/users/{}/password", district.id);
    let (status, _, _) = send(&app.router, post_form(&path, &sec, "")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _, body) = send(&app.router, post_form(&path, &sec, "confirm=1")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let temporary = body
        .split("的临时密码：<code>")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the temporary password is shown")
        .to_string();
    assert!(
        audit_actions(&app.db)
            .await
            .contains(&"password.reset".to_string())
    );
    // The account's sessions ended with the reset.
    let (status, headers, _) = send(&app.router, get("/projects", &before)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        headers[header::LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/login")
    );
    // The temporary password logs in, straight to the change form …
    let encoded = temporary.replace('#', "%23");
    let (status, headers, _) = send(&app.router, login_request("district", &encoded)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/account/password");
    let cookie = headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    // … and every other page leads there until the password is changed.
    for path in ["/", "/projects", "/account"] {
        let (status, headers, _) = send(&app.router, get(path, &cookie)).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(headers[header::LOCATION], "/account/password", "{path}");
    }
    let (status, _, _) = send(&app.router, get("/api/v1/stats", &cookie)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, body) = send(&app.router, get("/account/password", &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("已被重置或已超过使用期限"));
    let (status, _, _) = send(
        &app.router,
        post_form(
            "/account/password",
            &cookie,
            &format!("old={encoded}&new={NEW_PASSWORD}&confirm={NEW_PASSWORD}"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // Changed: pages open again (the district liaison's home is their district).
    let (status, _, _) = send(&app.router, get("/projects", &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !app.db
            .account(district.id)
            .await
            .unwrap()
            .unwrap()
            .must_change_password
    );
}

#[tokio::test]
async fn a_login_beyond_the_session_limit_ends_the_oldest_session() {
    let app = app().await;
    // The standard limit is three sessions.
    let mut cookies = Vec::new();
    for _ in 0..4 {
        cookies.push(login(&app.router, "district").await);
    }
    let (status, _, _) = send(&app.router, get("/account", &cookies[0])).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the oldest session ended");
    for cookie in &cookies[1..] {
        let (status, _, _) = send(&app.router, get("/account", cookie)).await;
        assert_eq!(status, StatusCode::OK);
    }
    // The security administrator lowers the limit to one.
    let sec = session_for(&app, "sec4", Role::SecurityAdmin).await;
    let (status, _, _) = send(
        &app.router,
        post_form(
            "/admin/security",
            &sec,
            "max_password_age_days=90&max_sessions=1",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let last = login(&app.router, "district").await;
    for cookie in &cookies[1..] {
        let (status, _, _) = send(&app.router, get("/account", cookie)).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
    }
    let (status, _, _) = send(&app.router, get("/account", &last)).await;
    assert_eq!(status, StatusCode::OK);
    // An incomplete settings form changes nothing.
    let (status, _, _) = send(&app.router, post_form("/admin/security", &sec, "")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_setting_can_require_a_second_factor_of_every_account() {
    let app = app().await;
    let sec = session_for(&app, "sec5", Role::SecurityAdmin).await;
    let (status, _, _) = send(
        &app.router,
        post_form(
            "/admin/security",
            &sec,
            "max_password_age_days=90&max_sessions=3&second_factor_for_all=1",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, body) = send(&app.router, login_request("district", PASSWORD)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(alert(&body), LOGIN_FAILED);
}

#[tokio::test]
async fn the_account_page_offers_the_second_factor_as_a_qr_code() {
    let app = app().await;
    let cookie = login(&app.router, "district").await;
    let (status, _, body) = send(&app.router, get("/account", &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    let figure = body
        .split("<figure class=\"qr\"")
        .nth(1)
        .expect("a QR figure");
    assert!(figure.contains("<svg"), "drawn inline as SVG");
    assert!(!body.contains("otpauth://"), "no raw provisioning URI");
}
