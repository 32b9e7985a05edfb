//! Messages people understand (issue 17, items 5 and 8): no database, parser or English text
//! and no stored code reaches a page as the only thing said; the account form keeps what was
//! typed after a refusal and confirms what it did.

use axum::http::StatusCode;
use jianguan_access::Role;
use jianguan_domain::model::UnitKind;
use jianguan_domain::store::prelude::*;

use crate::auth::{app, get, post_form, send, session_for};
use crate::common::{enc, sqlite_app};

/// The text of the first `<tr>` holding `label` (tags stripped).
fn row_of(page: &str, label: &str) -> String {
    let at = page
        .find(label)
        .unwrap_or_else(|| panic!("{label} in {page}"));
    let start = page[..at].rfind("<tr").unwrap_or(at);
    let end = at + page[at..].find("</tr>").unwrap_or(page.len() - at);
    let mut text = String::new();
    let mut in_tag = false;
    for c in page[start..end].chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

#[tokio::test]
async fn a_refused_account_form_keeps_what_was_typed_and_a_new_account_is_confirmed() {
    let app = app().await;
    let sys = session_for(&app, "sys3", Role::SystemAdmin).await;
    let district = app
        .city
        .units_of(UnitKind::District)
        .next()
        .expect("district");
    // Units are chosen by name, grouped by kind; role boxes are laid out not to wrap.
    let (_, _, page) = send(&app.router, get("/admin/users", &sys)).await;
    assert!(page.contains("<optgroup label=\"县区\">"), "{page}");
    assert!(
        page.contains(&format!(">{}</option>", district.name)),
        "{page}"
    );
    let body = format!(
        "username=newbie&name={}&unit={}&password={}",
        enc("新人"),
        district.id.0,
        enc("Yinghu#Spring2021")
    );
    let (status, headers, _) = send(&app.router, post_form("/admin/users", &sys, &body)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = headers["location"].to_str().expect("ascii").to_string();
    let (_, _, page) = send(&app.router, get(&location, &sys)).await;
    assert!(page.contains("已创建账户 新人（newbie）"), "{page}");
    // The same name again: refused in Chinese, the typed name, person and unit kept.
    let again = format!(
        "username=NewBie&name={}&unit={}&password={}",
        enc("另一位"),
        district.id.0,
        enc("Qz7!vLm29#pWx-secret")
    );
    let (status, _, page) = send(&app.router, post_form("/admin/users", &sys, &again)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("未能创建账户：用户名已存在"), "{page}");
    assert!(
        !page.contains("UNIQUE") && !page.contains("duplicate"),
        "{page}"
    );
    assert!(page.contains("value=\"NewBie\""), "{page}");
    assert!(page.contains("value=\"另一位\""), "{page}");
    assert!(
        page.contains(&format!(
            "<option value=\"{}\" selected>{}</option>",
            district.id.0, district.name
        )),
        "{page}"
    );
    assert!(
        !page.contains("Qz7!vLm29#pWx-secret"),
        "the password is never echoed"
    );
    // A change of status is confirmed too.
    let newbie = app
        .db
        .account_by_key("newbie")
        .await
        .expect("reads")
        .expect("created");
    let (status, headers, _) = send(
        &app.router,
        post_form(
            &format!("/admin/users/{}/status", newbie.id),
            &sys,
            "action=save&expires_on=2030-01-01",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = headers["location"].to_str().expect("ascii").to_string();
    let (_, _, page) = send(&app.router, get(&location, &sys)).await;
    assert!(page.contains("已保存账户 新人（newbie） 的修改"), "{page}");
}

#[tokio::test]
async fn the_audit_trail_names_actions_and_the_software_in_chinese_with_the_code_beside() {
    let app = app().await;
    // A denial: the HQ leader may not read the trail.
    let leader = crate::auth::login(&app.router, "leader").await;
    let (status, _, _) = send(&app.router, get("/audit", &leader)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The daily job acts as `system`.
    jianguan_app::accounts::disable_unused_accounts(&app.db, i64::MAX / 4)
        .await
        .expect("job");
    let auditor = session_for(&app, "auditor2", Role::AuditAdmin).await;
    let (_, _, page) = send(&app.router, get("/audit?action=access.", &auditor)).await;
    assert!(
        page.contains("访问被拒绝 <code class=\"small\">access.denied</code>"),
        "{page}"
    );
    assert!(!page.contains("<td>access.denied</td>"), "{page}");
    let (_, _, page) = send(&app.router, get("/audit?actor=system", &auditor)).await;
    assert!(
        page.contains("<td translate=\"no\">系统 <code class=\"small\">system</code></td>"),
        "{page}"
    );
    assert!(page.contains("停用"), "{page}");
}

#[tokio::test]
async fn toml_mistakes_in_rules_and_schemes_are_explained_in_chinese_by_line() {
    let app = sqlite_app().await;
    let unquoted = jianguan_domain::warnings::DEFAULT_RULES_TOML
        .replace("version = 1", "version = 2")
        .replace("level = \"warning\"", "level = 警示");
    assert_ne!(unquoted, jianguan_domain::warnings::DEFAULT_RULES_TOML);
    let r = app
        .post("office", "/settings/warnings", &[("rules", &unquoted)])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("文字须加英文双引号"), "{}", r.body);
    assert!(!r.body.contains("must be quoted"), "{}", r.body);
    assert!(!r.body.contains("expected literal string"), "{}", r.body);
    let scheme = jianguan_domain::assessment::DEFAULT_SCHEME_TOML
        .replacen("version = 1", "version = 2", 1)
        .replacen("method = \"ratio_to_target\"", "method = \"guess\"", 1);
    let r = app
        .post(
            "office",
            "/assessment/scheme",
            &[("year", "2021"), ("scheme", &scheme)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("取值 guess 无效，应为"), "{}", r.body);
    assert!(!r.body.contains("unknown variant"), "{}", r.body);
}

#[tokio::test]
async fn a_score_card_writes_money_in_wan_yuan_and_indicators_by_name() {
    let app = sqlite_app().await;
    let r = app
        .post(
            "office",
            "/assessment/score",
            &[("month", "2021-10"), ("kind", "district")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let district = app.project.district.0;
    let page = app
        .page(
            "office",
            &format!("/assessment/units/{district}?month=2021-10"),
        )
        .await;
    let investment = row_of(&page, "投资完成率");
    assert!(investment.contains("万元"), "{investment}");
    assert!(
        !investment
            .split(|c: char| !c.is_ascii_digit())
            .any(|digits| digits.len() >= 7),
        "no raw yuan: {investment}"
    );
    // Without entered values, entered indicators are missing: named, never by their code.
    let missing = page
        .split("缺少数据的指标：")
        .nth(1)
        .and_then(|rest| rest.split("</p>").next())
        .expect("entered indicators are missing without inputs");
    assert!(missing.contains("道路清扫保洁市场化率"), "{missing}");
    assert!(!missing.contains('_'), "{missing}");
}

#[tokio::test]
async fn an_account_under_a_software_name_or_a_unit_not_listed_is_refused_in_chinese() {
    let app = app().await;
    let sys = session_for(&app, "sys4", Role::SystemAdmin).await;
    let password = enc("Yinghu#Spring2021");
    let (status, _, page) = send(
        &app.router,
        post_form(
            "/admin/users",
            &sys,
            &format!("username=System&name=x&password={password}"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("System 是系统保留的名称"), "{page}");
    let (status, _, page) = send(
        &app.router,
        post_form(
            "/admin/users",
            &sys,
            &format!("username=ghost&name=x&unit=999999&password={password}"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("所选单位不存在"), "{page}");
    assert!(!page.contains("FOREIGN KEY"), "{page}");
    assert!(page.contains("value=\"ghost\""), "{page}");
}

#[tokio::test]
async fn saved_security_settings_are_confirmed() {
    let app = app().await;
    let sec = session_for(&app, "sec6", Role::SecurityAdmin).await;
    let (status, headers, _) = send(
        &app.router,
        post_form(
            "/admin/security",
            &sec,
            "max_password_age_days=60&max_sessions=2",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = headers["location"].to_str().expect("ascii").to_string();
    let (_, _, page) = send(&app.router, get(&location, &sec)).await;
    assert!(page.contains("已保存安全设置"), "{page}");
    assert!(page.contains("value=\"60\""), "{page}");
    // The plain page says nothing was just saved.
    let (_, _, page) = send(&app.router, get("/admin/users", &sec)).await;
    assert!(!page.contains("已保存安全设置"), "{page}");
}
