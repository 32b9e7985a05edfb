//! The English interface and the larger type (issue 17 item 9), through the real router on both
//! backends: `Accept-Language: en` turns the overview, the project list, the filing desk, the
//! warnings, the tracked items, search, help and the office's forms English — `<html lang="en">`
//! and no Chinese left once the demo city's data (names as stored) is taken out; a user's stored
//! language wins over the header; the JSON API's error messages follow the header; the
//! large-type toggle sets its cookie and the pages carry the class.

use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use jianguan_domain::i18n::is_cjk;
use jianguan_domain::model::Portfolio;
use tower::ServiceExt;

scenarios!([
    accept_language_en_shows_the_campaign_pages_in_english,
    help_is_english_with_the_roles_weeks_and_the_definitions,
    the_office_forms_are_english_too,
    refusals_and_the_milestone_chart_read_in_english,
    a_users_stored_language_wins_over_the_header,
    api_errors_follow_the_accept_language_header,
    the_large_type_toggle_sets_its_cookie_and_the_pages_class,
]);

const ENGLISH: &str = "en-GB,en;q=0.9,zh-CN;q=0.5";

async fn get_with(app: &App, cookie: &str, path: &str, lang: &str) -> Reply {
    app.send(
        Request::get(path)
            .header(header::COOKIE, cookie)
            .header(header::ACCEPT_LANGUAGE, lang)
            .body(Body::empty())
            .expect("request"),
    )
    .await
}

/// The demo city's data, as stored and shown untranslated: unit, category, project, street,
/// funding and milestone names. Longest first, so a name is removed before a part of it.
fn data_names(city: &Portfolio) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    names.extend(city.units.iter().map(|u| u.name.clone()));
    names.extend(city.categories.iter().map(|c| c.name.clone()));
    for p in &city.projects {
        names.extend([
            p.name.clone(),
            p.code.clone(),
            p.street.clone(),
            p.funding_source.clone(),
        ]);
        names.extend(p.sub_category.clone());
        names.extend(p.milestones.iter().map(|m| m.name.clone()));
    }
    names.retain(|n| n.chars().any(is_cjk));
    names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    names.dedup();
    names
}

/// The pieces of `html` holding Chinese once the city's data is taken out (empty: all English).
fn chinese_outside_data(html: &str, names: &[String]) -> Vec<String> {
    let mut text = html.to_string();
    for name in names {
        text = text.replace(name.as_str(), "");
    }
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    for (i, c) in chars.iter().enumerate() {
        if is_cjk(*c) && (i == 0 || !is_cjk(chars[i - 1])) {
            let from = i.saturating_sub(30);
            let to = (i + 30).min(chars.len());
            found.push(chars[from..to].iter().collect());
        }
    }
    found
}

async fn accept_language_en_shows_the_campaign_pages_in_english(app: &App) {
    let names = data_names(&app.city);
    for (who, path, heading) in [
        (
            "office",
            "/?year=2021&as_of=2021-10-31",
            "Urban Construction Campaign overview",
        ),
        (
            "office",
            "/projects?year=2021&as_of=2021-10-31",
            "<h1>Projects</h1>",
        ),
        (
            "reporter",
            "/filing?year=2021&as_of=2021-10-31",
            "<h1>Progress filing</h1>",
        ),
        (
            "office",
            "/warnings?year=2021&as_of=2021-10-31",
            "<h1>Warnings</h1>",
        ),
        (
            "office",
            "/items?year=2021&as_of=2021-10-31",
            "<h1>Supervision items</h1>",
        ),
        (
            "office",
            "/search?year=2021&as_of=2021-10-31&q=ZZZZ",
            "<h1>Search</h1>",
        ),
    ] {
        let r = get_with(app, &app.cookies[who], path, ENGLISH).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        assert!(r.body.contains(r#"<html lang="en""#), "{path} is English");
        assert!(r.body.contains(heading), "{path} has its English heading");
        assert!(r.body.contains("Sign out"), "{path} has the English header");
        let left = chinese_outside_data(&r.body, &names);
        assert!(left.is_empty(), "{path} still has Chinese: {left:#?}");
        // Without the header the same page is Chinese, as before.
        let zh = app.page(who, path).await;
        assert!(
            zh.contains(r#"<html lang="zh-CN""#),
            "{path} is Chinese by default"
        );
        assert!(zh.contains("退出"), "{path} has the Chinese header");
    }
}

/// The help page is English throughout: its furniture, each role's week and the rates'
/// definitions (from `rates::DEFINITIONS`, looked up in the catalogue).
async fn help_is_english_with_the_roles_weeks_and_the_definitions(app: &App) {
    let r = get_with(app, &app.cookies["office"], "/help", ENGLISH).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains(r#"<html lang="en""#));
    assert!(r.body.contains("<h1>Help</h1>"));
    assert!(r.body.contains("HQ office (your role)"), "{}", r.body);
    assert!(
        r.body.contains("milestones due by the data date"),
        "{}",
        r.body
    );
    let left = chinese_outside_data(&r.body, &data_names(&app.city));
    assert!(left.is_empty(), "/help still has Chinese: {left:#?}");
}

/// The office's forms translated last: the category editor and its versions, the ledger
/// import, the new-project form (no Chinese outside data), and the labelled fields of the
/// warning-rule and scoring-scheme forms (whose TOML text stays as written).
async fn the_office_forms_are_english_too(app: &App) {
    let names = data_names(&app.city);
    for (path, heading) in [
        ("/categories/1/edit", "Edit category: "),
        ("/categories/1/history", ": versions</h1>"),
        ("/ledger/import", "<h1>Import a ledger</h1>"),
        ("/projects/new", "<h1>New project</h1>"),
    ] {
        let r = get_with(app, &app.cookies["office"], path, ENGLISH).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        assert!(r.body.contains(heading), "{path}: {}", r.body);
        let left = chinese_outside_data(&r.body, &names);
        assert!(left.is_empty(), "{path} still has Chinese: {left:#?}");
    }
    for (path, label) in [
        ("/settings/warnings", "Rung 1: days overdue ≥"),
        (
            "/assessment/scheme?year=2021",
            "Weights of the assessment systems",
        ),
    ] {
        let r = get_with(app, &app.cookies["office"], path, ENGLISH).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        assert!(r.body.contains(label), "{path}: {}", r.body);
    }
}

/// A form post as `who`, read in English.
async fn post_in_english(app: &App, who: &str, path: &str, fields: &[(&str, &str)]) -> Reply {
    app.post_in(who, path, fields, Some(ENGLISH)).await
}

/// What the domain refuses with — a TOML mistake explained, a scheme's invalid value, a project
/// form's rule, a password rule — reads in English, built sentence and nested reason alike; and
/// the project page's milestone chart writes its own words (key, as-of line) in English.
async fn refusals_and_the_milestone_chart_read_in_english(app: &App) {
    let names = data_names(&app.city);
    let unquoted = jianguan_domain::warnings::DEFAULT_RULES_TOML
        .replace("version = 1", "version = 2")
        .replace("level = \"warning\"", "level = 警示");
    let r = post_in_english(app, "office", "/settings/warnings", &[("rules", &unquoted)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("Text must be in straight double quotes"),
        "{}",
        r.body
    );
    assert!(!r.body.contains("文字须加英文双引号"), "{}", r.body);

    let scheme = jianguan_domain::assessment::DEFAULT_SCHEME_TOML
        .replacen("version = 1", "version = 2", 1)
        .replacen("method = \"ratio_to_target\"", "method = \"guess\"", 1);
    let r = post_in_english(
        app,
        "office",
        "/assessment/scheme",
        &[("year", "2021"), ("scheme", &scheme)],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Invalid value guess"), "{}", r.body);
    assert!(!r.body.contains("取值 guess 无效"), "{}", r.body);

    // A finish date without a start: the project form's own rule, next to its field.
    let responsible = app
        .city
        .units_of(jianguan_domain::model::UnitKind::ResponsibleUnit)
        .next()
        .expect("a responsible unit")
        .id
        .to_string();
    let category = app.city.categories[0].id.to_string();
    let district = app.project.district.0.to_string();
    let r = post_in_english(
        app,
        "office",
        "/projects/new",
        &[
            ("name", "English refusal test"),
            ("category", &category),
            ("district", &district),
            ("street", "Test street"),
            ("lead_unit", ""),
            ("responsible_unit", &responsible),
            ("sub_hq", ""),
            ("build_type", "renovation"),
            ("total_investment", "-5"),
            ("funding_source", "Test fund"),
            ("lon", "118.0894"),
            ("lat", "24.4798"),
            ("plan_year", "2021"),
            ("plan_kind", "construction"),
            ("planned_investment", "800"),
            ("start", ""),
            ("completion", "2021-12-01"),
            ("milestones", "0"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let left = chinese_outside_data(&r.body, &names);
    assert!(
        left.is_empty(),
        "the refused form still has Chinese: {left:#?}"
    );

    let project = format!("/projects/{}?year=2021&as_of=2021-10-31", app.project.id.0);
    let r = get_with(app, &app.cookies["office"], &project, ENGLISH).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("Planned date"),
        "the chart's key: {}",
        r.body
    );
    assert!(r.body.contains("As of 2021-10-31"), "{}", r.body);
    // What the reporters typed is data too.
    let record = app
        .store
        .load_project(
            app.project.id,
            jianguan_domain::store::RecordScope::All,
            jianguan_domain::store::ReportVersions::All,
        )
        .await
        .expect("reads")
        .expect("exists");
    let mut names = names;
    for report in &record.reports {
        names.push(report.note.clone());
        names.extend(report.problems.iter().map(|p| p.description.clone()));
        names.extend(
            report
                .problems
                .iter()
                .filter_map(|p| p.needs_coordination_with.clone()),
        );
        names.extend(report.correction_reason.clone());
    }
    names.retain(|n| !n.is_empty());
    names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    let left = chinese_outside_data(&r.body, &names);
    assert!(
        left.is_empty(),
        "the project page still has Chinese: {left:#?}"
    );
}

async fn a_users_stored_language_wins_over_the_header(app: &App) {
    let cookie = &app.cookies["office"];
    let lang_of = |body: &str| {
        if body.contains(r#"<html lang="en""#) {
            "en"
        } else if body.contains(r#"<html lang="zh-CN""#) {
            "zh"
        } else {
            "?"
        }
    };
    // No choice yet: the header decides.
    let page = get_with(app, cookie, "/projects", "zh-CN").await;
    assert_eq!(lang_of(&page.body), "zh");
    let account = get_with(app, cookie, "/account", ENGLISH).await;
    assert!(
        account.body.contains("Interface language"),
        "{}",
        account.body
    );
    assert!(
        account.body.contains(r#"value="" checked"#),
        "follows the browser"
    );

    let saved = app
        .post("office", "/account/language", &[("lang", "en")])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(saved.location, "/account");
    let page = get_with(app, cookie, "/projects", "zh-CN,zh;q=0.9").await;
    assert_eq!(
        lang_of(&page.body),
        "en",
        "the stored English wins over a Chinese header"
    );
    assert!(page.body.contains("<h1>Projects</h1>"));

    app.post("office", "/account/language", &[("lang", "zh")])
        .await;
    let page = get_with(app, cookie, "/projects", ENGLISH).await;
    assert_eq!(
        lang_of(&page.body),
        "zh",
        "the stored Chinese wins over an English header"
    );

    app.post("office", "/account/language", &[("lang", "")])
        .await;
    let page = get_with(app, cookie, "/projects", ENGLISH).await;
    assert_eq!(
        lang_of(&page.body),
        "en",
        "cleared: the header decides again"
    );

    let refused = app
        .post("office", "/account/language", &[("lang", "fr")])
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("lang"), "{}", refused.body);
}

async fn api_errors_follow_the_accept_language_header(app: &App) {
    let missing = "/api/v1/projects/999999999";
    let en = get_with(app, &app.cookies["office"], missing, ENGLISH).await;
    assert_eq!(en.status, StatusCode::NOT_FOUND);
    let message = en.json()["error"]["message"]
        .as_str()
        .expect("a message")
        .to_string();
    assert!(message.starts_with("Not found"), "{message}");
    assert!(!message.chars().any(is_cjk), "{message}");
    let zh = app.get("office", missing).await;
    let message = zh.json()["error"]["message"]
        .as_str()
        .expect("a message")
        .to_string();
    assert!(message.starts_with("未找到"), "{message}");

    let anonymous = app
        .send(
            Request::get("/api/v1/stats")
                .header(header::ACCEPT_LANGUAGE, ENGLISH)
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.json()["error"]["message"], "Please sign in first");

    // A page's error is English too.
    let page = get_with(app, &app.cookies["office"], "/projects/999999999", ENGLISH).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains(r#"<html lang="en""#), "{}", page.body);
    assert!(page.body.contains("Back to home"), "{}", page.body);
}

async fn the_large_type_toggle_sets_its_cookie_and_the_pages_class(app: &App) {
    let cookie = &app.cookies["office"];
    let plain = app.page("office", "/projects").await;
    assert!(
        plain.contains(r#"<html lang="zh-CN">"#),
        "normal type by default"
    );
    assert!(
        plain.contains(r#"action="/account/large-type""#),
        "every page offers the toggle"
    );
    assert!(plain.contains("大字模式"));

    let response = app
        .router
        .clone()
        .oneshot(
            Request::post("/account/large-type")
                .header(header::COOKIE, cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!(
                    "large=1&next={}",
                    enc("/projects?year=2021")
                )))
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[header::LOCATION], "/projects?year=2021");
    let set = response.headers()[header::SET_COOKIE]
        .to_str()
        .expect("ascii");
    assert!(set.starts_with("jg_large=1;"), "{set}");

    let large_cookie = format!("{cookie}; jg_large=1");
    let large = get_with(app, &large_cookie, "/projects", "zh-CN").await;
    assert!(large.body.contains(r#"<html lang="zh-CN" class="large">"#));
    assert!(
        large.body.contains("标准字号"),
        "the toggle now turns it off"
    );
    // The login page honours the device's choice too.
    let login = app
        .send(
            Request::get("/login")
                .header(header::COOKIE, "jg_large=1")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert!(login.body.contains(r#"class="large""#));
}
