//! HTTP tests of the whole application over a real database holding the demo city: the JSON API,
//! the pages, errors, headers and the OpenAPI document, driven in-process through the router.
//!
//! Each scenario is an `async fn(Router)` and knows nothing of the database behind the router;
//! [`scenarios!`] runs every scenario once per backend: SQLite ([`sqlite_app`]) and PostgreSQL
//! ([`postgres_app`]). Both must give the same answers, down to the one snapshot they share.
//!
//! The PostgreSQL scenarios run when `JIANGUAN_TEST_POSTGRES_URL` was set at build time (see
//! `build.rs`); without it they are listed as ignored, with the reason.

use std::sync::Arc;

use crate::common::enc;
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use jianguan_domain::fmt;
use jianguan_domain::model::Money;
use jianguan_domain::store::Actor;
use jianguan_domain::store::prelude::*;
use serde_json::Value;
use tower::ServiceExt;

// ---------------------------------------------------------------------------------------------
// Fixtures: the only place that knows which database is behind the router.

/// A router over a database, with whatever must live as long as the router does.
struct Fixture {
    app: Router,
    /// The temporary directory of a SQLite file, or the guard that drops a PostgreSQL schema.
    _guard: Box<dyn std::any::Any + Send>,
}

/// A router over `db` after writing the demo city into it, served as of 28 November 2026 (the
/// demo's year 2021 is over).
async fn demo_app(db: jianguan_store::Db, guard: Box<dyn std::any::Any + Send>) -> Fixture {
    db.create_portfolio(
        &jianguan_demo::demo_city(),
        &Actor {
            name: "test".into(),
            client: None,
        },
        &|_, _| {},
    )
    .await
    .expect("store the demo city");
    let hq = jianguan_demo::demo_city()
        .units
        .iter()
        .find(|u| u.kind == jianguan_domain::model::UnitKind::CommandHq)
        .map(|u| u.id);
    jianguan_app::accounts::create_account(
        &db,
        jianguan_app::Clock::system(),
        "test",
        jianguan_app::accounts::NewAccount {
            username: "leader",
            display_name: "指挥部领导",
            unit: hq,
            roles: &[jianguan_access::Role::HqLeader],
            password: LEADER_PASSWORD,
            totp_secret: None,
        },
    )
    .await
    .expect("the leader's account is created");
    let state =
        jianguan_web::AppState::with_today(Arc::new(db), || jiff::civil::date(2026, 11, 28));
    let app = jianguan_web::router(state);
    // Every scenario reads as the HQ leader (who sees everything): log in through the form once
    // and send the session cookie with every request.
    let login = app
        .clone()
        .oneshot(
            Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!(
                    "username=leader&password={LEADER_PASSWORD}&next=/"
                )))
                .expect("request"),
        )
        .await
        .expect("login answers");
    assert_eq!(login.status(), StatusCode::SEE_OTHER, "the leader logs in");
    let cookie = login
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_string();
    let cookie = header::HeaderValue::from_str(&cookie).expect("a header value");
    Fixture {
        app: app.layer(axum::middleware::map_request(
            move |mut request: Request<Body>| {
                let cookie = cookie.clone();
                async move {
                    request.headers_mut().insert(header::COOKIE, cookie);
                    request
                }
            },
        )),
        _guard: guard,
    }
}

/// The test leader's password (it passes the password policy).
const LEADER_PASSWORD: &str = "Yinghu#Spring2021";

/// A fresh SQLite database in a temporary directory holding the demo city.
async fn sqlite_app() -> Fixture {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("jianguan.db");
    let db = jianguan_store::open(path.to_str().expect("UTF-8 path"))
        .await
        .expect("open the database");
    demo_app(db, Box::new(dir)).await
}

/// A fresh PostgreSQL schema on the server `JIANGUAN_TEST_POSTGRES_URL` names, holding the demo
/// city; the schema is dropped with the fixture.
async fn postgres_app() -> Fixture {
    let schema = jianguan_store::testing::fresh_postgres_schema().await;
    let db = jianguan_store::open(&schema.url)
        .await
        .expect("open the schema");
    demo_app(db, Box::new(schema)).await
}

/// One `#[tokio::test]` per scenario in a module named after the backend.
macro_rules! scenarios {
    ($backend:ident, $fixture:path $(, #[$attr:meta])* $(,)?) => {
        scenarios!(
            @each $backend, $fixture, [$(#[$attr])*];
            stats_for_2021_reproduce_the_speech,
            stats_default_to_the_reporting_year_at_its_last_day,
            stats_depend_on_the_as_of_date_and_echo_it,
            malformed_api_parameters_are_400_naming_the_parameter,
            malformed_page_parameters_are_400_pages_naming_the_parameter,
            blank_filter_fields_mean_all,
            unknown_things_are_404_in_the_format_asked,
            project_filters_partition_the_stats_consistently,
            project_search_matches_name_code_or_street,
            overdue_sort_descending_puts_the_longest_overdue_first,
            paging_splits_one_stable_list,
            project_detail_has_milestones_and_reports,
            overview_page_shows_the_headline_figures,
            project_list_page_has_numbered_table_and_filters,
            overdue_only_list_page_shows_only_overdue_rows,
            project_page_shows_milestones_and_reports,
            district_and_category_pages_name_their_subject,
            district_page_of_a_non_district_id_is_404,
            overview_page_figures_are_the_apis,
            every_response_carries_the_security_headers,
            health_and_stylesheet_are_served,
            pages_load_nothing_from_the_internet,
            openapi_document_describes_exactly_the_api_paths,
            stats_2021_snapshot,
            odd_but_valid_scopes_answer_200,
            a_year_without_projects_says_so,
            a_page_number_far_beyond_the_end_is_an_empty_page,
            search_text_is_escaped_on_the_list_page,
        );
    };
    (@each $backend:ident, $fixture:path, $attrs:tt; $($scenario:ident),* $(,)?) => {
        mod $backend {
            scenarios!(@one $fixture, $attrs; $($scenario),*);
        }
    };
    // One scenario at a time, so that the attributes (repeated once per scenario) and the
    // scenarios are not two repetitions of different lengths in one transcription.
    (@one $fixture:path, $attrs:tt;) => {};
    (@one $fixture:path, [$($attrs:tt)*]; $scenario:ident $(, $rest:ident)*) => {
        #[tokio::test]
        $($attrs)*
        async fn $scenario() {
            let fixture = $fixture().await;
            super::$scenario(fixture.app.clone()).await;
        }
        scenarios!(@one $fixture, [$($attrs)*]; $($rest),*);
    };
}

scenarios!(sqlite, super::sqlite_app);

scenarios!(
    postgres,
    super::postgres_app,
    #[cfg_attr(
        not(pg_tests),
        ignore = "set JIANGUAN_TEST_POSTGRES_URL to run the PostgreSQL contract tests"
    )]
);

// ---------------------------------------------------------------------------------------------
// Requests and parsing helpers.

/// A response read to the end.
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Reply {
    fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(&name)
            .map(|v| v.to_str().expect("ASCII header"))
            .unwrap_or_else(|| panic!("header {name} missing"))
    }

    fn json(&self) -> Value {
        assert!(
            self.header(header::CONTENT_TYPE)
                .starts_with("application/json"),
            "JSON content type, got {}",
            self.header(header::CONTENT_TYPE)
        );
        serde_json::from_str(&self.body).expect("a JSON body")
    }

    fn html(&self) -> &str {
        assert!(
            self.header(header::CONTENT_TYPE).starts_with("text/html"),
            "HTML content type, got {}",
            self.header(header::CONTENT_TYPE)
        );
        &self.body
    }
}

async fn get(app: &Router, uri: &str) -> Reply {
    let request = Request::builder()
        .uri(uri)
        .body(Body::empty())
        .expect("a request");
    let response = app
        .clone()
        .oneshot(request)
        .await
        .expect("infallible router");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("a body")
        .to_bytes();
    Reply {
        status,
        headers,
        body: String::from_utf8(bytes.to_vec()).expect("UTF-8 body"),
    }
}

/// `GET uri`, expecting 200 and JSON.
async fn get_json(app: &Router, uri: &str) -> Value {
    let reply = get(app, uri).await;
    assert_eq!(reply.status, StatusCode::OK, "GET {uri}: {}", reply.body);
    reply.json()
}

/// `GET uri`, expecting 200 and HTML.
async fn get_html(app: &Router, uri: &str) -> String {
    let reply = get(app, uri).await;
    assert_eq!(reply.status, StatusCode::OK, "GET {uri}: {}", reply.body);
    reply.html().to_string()
}

fn u64_of(v: &Value) -> u64 {
    v.as_u64()
        .unwrap_or_else(|| panic!("an unsigned integer, got {v}"))
}

fn f64_of(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("a number, got {v}"))
}

fn str_of(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("a string, got {v}"))
}

/// The breakdown line of `stats[list]` whose name contains `name_part` (exactly one).
fn line<'a>(stats: &'a Value, list: &str, name_part: &str) -> &'a Value {
    let found: Vec<&Value> = stats[list]
        .as_array()
        .unwrap_or_else(|| panic!("{list} is an array"))
        .iter()
        .filter(|l| str_of(&l["name"]).contains(name_part))
        .collect();
    assert_eq!(found.len(), 1, "one {list} line named like {name_part}");
    found[0]
}

/// The text of an HTML fragment: tags removed, common entities decoded, trimmed.
fn text(fragment: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for ch in fragment.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    for (entity, ch) in [
        ("&lt;", "<"),
        ("&#60;", "<"),
        ("&gt;", ">"),
        ("&#62;", ">"),
        ("&quot;", "\""),
        ("&#34;", "\""),
        ("&#x27;", "'"),
        ("&#39;", "'"),
        ("&amp;", "&"),
        ("&#38;", "&"),
    ] {
        out = out.replace(entity, ch);
    }
    out.trim().to_string()
}

/// The part of `html` from the first `start` after `from` up to the next `end`.
fn between<'a>(html: &'a str, from: &str, start: &str, end: &str) -> &'a str {
    let at = html
        .find(from)
        .unwrap_or_else(|| panic!("{from} in the page"));
    let rest = &html[at..];
    let s = rest
        .find(start)
        .unwrap_or_else(|| panic!("{start} after {from}"))
        + start.len();
    let e = rest[s..]
        .find(end)
        .unwrap_or_else(|| panic!("{end} after {start}"))
        + s;
    &rest[s..e]
}

/// The value of the headline card labelled `label`.
fn card(html: &str, label: &str) -> String {
    text(between(
        html,
        &format!("<h3>{label}</h3>"),
        "<p class=\"big\">",
        "</p>",
    ))
}

/// The body rows of the table with `id`: the row header's text and the text of each cell.
fn table_rows(html: &str, id: &str) -> Vec<(String, Vec<String>)> {
    let body = between(html, &format!("<table id=\"{id}\""), "<tbody>", "</tbody>");
    rows_of(body)
        .into_iter()
        .map(|row| {
            let th = between(row, "<th", ">", "</th>");
            (text(th), cells(row))
        })
        .collect()
}

/// The `<tr>` elements of a table body.
fn rows_of(body: &str) -> Vec<&str> {
    body.split("<tr>")
        .skip(1)
        .map(|r| r.split("</tr>").next().expect("a row"))
        .collect()
}

/// The text of each `<td>` of a row.
fn cells(row: &str) -> Vec<String> {
    row.split("<td")
        .skip(1)
        .map(|c| {
            let c = &c[c.find('>').expect("end of <td") + 1..];
            text(c.split("</td>").next().expect("a cell"))
        })
        .collect()
}

/// Every project row of the list API for `query` (all pages).
async fn all_rows(app: &Router, query: &str) -> Vec<Value> {
    let mut rows = Vec::new();
    for page in 1.. {
        let body = get_json(
            app,
            &format!("/api/v1/projects?{query}&per_page=100&page={page}"),
        )
        .await;
        let items = body["items"].as_array().expect("items").clone();
        if items.is_empty() {
            assert_eq!(
                rows.len() as u64,
                u64_of(&body["total"]),
                "{query}: pages add up to total"
            );
            break;
        }
        rows.extend(items);
    }
    rows
}

async fn total(app: &Router, query: &str) -> u64 {
    u64_of(&get_json(app, &format!("/api/v1/projects?{query}")).await["total"])
}

/// The project with the longest overdue milestone: a project with every kind of record.
async fn a_lagging_project(app: &Router) -> Value {
    let list = get_json(app, "/api/v1/projects?sort=overdue&order=desc").await;
    list["items"][0].clone()
}

// ---------------------------------------------------------------------------------------------
// 1–2. Stats.

async fn stats_for_2021_reproduce_the_speech(app: Router) {
    let s = get_json(&app, "/api/v1/stats?year=2021").await;
    assert_eq!(s["year"], 2021);
    assert_eq!(u64_of(&s["projects"]), 1362);
    assert_eq!(u64_of(&s["annual_projects"]), 1350);
    assert_eq!(u64_of(&s["preliminary_projects"]), 12);
    assert_eq!(u64_of(&s["finished_projects"]), 1222);
    let completion = f64_of(&s["project_completion_rate"]);
    assert_eq!((completion * 10_000.0).round() / 100.0, 90.52);
    assert_eq!(fmt::rate(Some(completion)), "90.52%");
    let node = f64_of(&s["node_completion_rate"]);
    assert!(
        (0.985..0.995).contains(&node),
        "node completion {node} reads as 99%"
    );

    let old = line(&s, "categories", "老旧小区");
    assert_eq!(
        (u64_of(&old["planned"]), u64_of(&old["finished"])),
        (158, 156)
    );
    let alleys = line(&s, "categories", "背街小巷");
    assert_eq!(
        (u64_of(&alleys["planned"]), u64_of(&alleys["finished"])),
        (186, 156)
    );
    assert_eq!(alleys["investment_completed"], 313_000_000);
    assert_eq!(fmt::yi(Money(313_000_000)), "3.13");

    let sum = |list: &str| -> u64 {
        s[list]
            .as_array()
            .expect("lines")
            .iter()
            .map(|l| u64_of(&l["projects"]))
            .sum()
    };
    assert_eq!(sum("categories"), 1362, "categories partition the projects");
    assert_eq!(sum("districts"), 1362, "districts partition the projects");
}

async fn stats_default_to_the_reporting_year_at_its_last_day(app: Router) {
    let defaulted = get_json(&app, "/api/v1/stats").await;
    assert_eq!(defaulted["year"], 2021);
    assert_eq!(defaulted["as_of"], "2021-12-31");
    let explicit = get_json(&app, "/api/v1/stats?year=2021&as_of=2021-12-31").await;
    assert_eq!(defaulted, explicit);
    assert_eq!(get_json(&app, "/api/v1/stats?year=2021").await, explicit);
}

async fn stats_depend_on_the_as_of_date_and_echo_it(app: Router) {
    let mid = get_json(&app, "/api/v1/stats?as_of=2021-06-30&year=2021").await;
    let end = get_json(&app, "/api/v1/stats?year=2021").await;
    assert_eq!(mid["as_of"], "2021-06-30");
    assert_eq!(mid["year"], 2021);
    let (m, e) = (
        f64_of(&mid["project_completion_rate"]),
        f64_of(&end["project_completion_rate"]),
    );
    assert!(m < e, "completion at mid-year {m} is below year end {e}");
    assert!(u64_of(&mid["milestones_due"]) < u64_of(&end["milestones_due"]));
    assert!(
        u64_of(&mid["investment_completed"]) < u64_of(&end["investment_completed"]),
        "investment accrues over the year"
    );
}

// ---------------------------------------------------------------------------------------------
// 3. Bad input and unknown things.

async fn malformed_api_parameters_are_400_naming_the_parameter(app: Router) {
    let cases = [
        ("/api/v1/stats?as_of=2021-13-01", "as_of"),
        ("/api/v1/stats?as_of=2021-02-30", "as_of"),
        ("/api/v1/stats?year=abc", "year"),
        ("/api/v1/stats?year=1999", "year"),
        ("/api/v1/projects?per_page=7", "per_page"),
        ("/api/v1/projects?status=bogus", "status"),
        ("/api/v1/projects?sort=x", "sort"),
        ("/api/v1/projects?order=sideways", "order"),
        ("/api/v1/projects?overdue=maybe", "overdue"),
        ("/api/v1/projects?page=0", "page"),
        ("/api/v1/projects?district=-3", "district"),
        ("/api/v1/projects?category=abc", "category"),
        ("/api/v1/projects?lead_unit=1.5", "lead_unit"),
        ("/api/v1/projects/abc", "id"),
        ("/api/v1/projects/1?as_of=yesterday", "as_of"),
    ];
    for (uri, parameter) in cases {
        let reply = get(&app, uri).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "GET {uri}");
        let body = reply.json();
        assert_eq!(body["error"]["code"], "bad_parameter", "GET {uri}");
        assert_eq!(body["error"]["parameter"], parameter, "GET {uri}");
        assert!(
            str_of(&body["error"]["message"]).contains(parameter),
            "GET {uri}"
        );
    }
}

async fn malformed_page_parameters_are_400_pages_naming_the_parameter(app: Router) {
    let stats = get_json(&app, "/api/v1/stats").await;
    let district = u64_of(&stats["districts"][0]["id"]);
    let category = u64_of(&stats["categories"][0]["id"]);
    let project = u64_of(&a_lagging_project(&app).await["id"]);
    // The page names the field as it is labelled, with its code beside.
    let cases = [
        ("/?as_of=x".to_string(), "「截至日期」（as_of）"),
        ("/?year=abc".to_string(), "「年度」（year）"),
        (
            "/projects?per_page=7".to_string(),
            "「每页条数」（per_page）",
        ),
        ("/projects?status=bogus".to_string(), "「状态」（status）"),
        (
            format!("/projects/{project}?as_of=2021-13-01"),
            "「截至日期」（as_of）",
        ),
        (
            format!("/districts/{district}?year=abc"),
            "「年度」（year）",
        ),
        (
            format!("/categories/{category}?as_of=2021-02-30"),
            "「截至日期」（as_of）",
        ),
    ];
    for (uri, parameter) in cases {
        let reply = get(&app, &uri).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "GET {uri}");
        let html = reply.html();
        assert!(html.contains("lang=\"zh-CN\""), "GET {uri}");
        assert!(
            html.contains(&format!("{parameter}无效")),
            "GET {uri}: {html}"
        );
    }
}

async fn blank_filter_fields_mean_all(app: Router) {
    let all = total(&app, "").await;
    assert_eq!(all, 1362);
    let blank = "category=&district=&lead_unit=&status=&overdue=&q=&sort=&order=&page=&per_page=";
    assert_eq!(total(&app, blank).await, all);
    get_html(&app, &format!("/projects?{blank}")).await;
}

async fn unknown_things_are_404_in_the_format_asked(app: Router) {
    for uri in [
        "/api/v1/projects/999999",
        "/api/v1/nope",
        "/api/v1/projects/1/nope",
    ] {
        let reply = get(&app, uri).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "GET {uri}");
        assert_eq!(reply.json()["error"]["code"], "not_found", "GET {uri}");
    }
    for uri in [
        "/projects/999999",
        "/projects/abc",
        "/districts/999999",
        "/districts/abc",
        "/categories/999999",
        "/nope",
    ] {
        let reply = get(&app, uri).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "GET {uri}");
        let html = reply.html();
        assert!(html.contains("lang=\"zh-CN\""), "GET {uri}");
        assert!(html.contains("未找到"), "GET {uri}: a Chinese message");
    }
    let missing_asset = get(&app, "/assets/nope.css").await;
    assert_eq!(missing_asset.status, StatusCode::NOT_FOUND);
}

// ---------------------------------------------------------------------------------------------
// 4–5. Project list and detail API.

async fn project_filters_partition_the_stats_consistently(app: Router) {
    let stats = get_json(&app, "/api/v1/stats").await;
    assert_eq!(total(&app, "").await, u64_of(&stats["projects"]));
    assert_eq!(
        total(&app, "overdue=1").await,
        u64_of(&stats["overdue_projects"]),
        "overdue=1 lists the projects with an overdue milestone"
    );
    for (list, param) in [("districts", "district"), ("categories", "category")] {
        for l in stats[list].as_array().expect("lines") {
            let id = u64_of(&l["id"]);
            assert_eq!(
                total(&app, &format!("{param}={id}")).await,
                u64_of(&l["projects"]),
                "{param}={id} ({})",
                str_of(&l["name"])
            );
        }
    }
    let mut by_status = 0;
    for status in [
        "preliminary",
        "under_construction",
        "built",
        "accepted",
        "handed_over",
        "suspended",
    ] {
        let rows = all_rows(&app, &format!("status={status}")).await;
        assert!(
            rows.iter().all(|r| r["status"] == status),
            "status={status}"
        );
        by_status += rows.len() as u64;
    }
    assert_eq!(
        by_status,
        u64_of(&stats["projects"]),
        "statuses partition the list"
    );

    let district = &stats["districts"][0];
    let category = line(&stats, "categories", "背街小巷");
    let (d, c) = (u64_of(&district["id"]), u64_of(&category["id"]));
    let both = all_rows(&app, &format!("district={d}&category={c}&overdue=1")).await;
    assert!(both.iter().all(|r| {
        u64_of(&r["district"]) == d
            && u64_of(&r["category"]) == c
            && u64_of(&r["overdue_milestones"]) > 0
    }));
    assert!(both.len() as u64 <= total(&app, &format!("district={d}&category={c}")).await);
}

async fn project_search_matches_name_code_or_street(app: Router) {
    let first = get_json(&app, "/api/v1/projects").await["items"][0].clone();
    let code = str_of(&first["code"]);
    let by_code = all_rows(&app, &format!("q={}", enc(code))).await;
    assert!(
        by_code.iter().any(|r| r["id"] == first["id"]),
        "q={code} finds its project"
    );

    let street = str_of(&first["street"]);
    let by_street = all_rows(&app, &format!("q={}", enc(street))).await;
    assert!(!by_street.is_empty());
    assert!(
        (by_street.len() as u64) < total(&app, "").await,
        "a street narrows the list"
    );
    for r in &by_street {
        assert!(
            [&r["name"], &r["code"], &r["street"]]
                .iter()
                .any(|f| str_of(f).contains(street)),
            "{r} matches {street}"
        );
    }
    assert_eq!(
        total(&app, &format!("q={}", enc("没有这个项目名称"))).await,
        0
    );
}

async fn overdue_sort_descending_puts_the_longest_overdue_first(app: Router) {
    let overdue = all_rows(&app, "overdue=1&sort=overdue&order=desc").await;
    assert!(
        !overdue.is_empty(),
        "the demo has overdue milestones at year end"
    );
    let days: Vec<i64> = overdue
        .iter()
        .map(|r| r["max_overdue_days"].as_i64().expect("days"))
        .collect();
    assert!(
        days.windows(2).all(|w| w[0] >= w[1]),
        "non-increasing: {days:?}"
    );
    assert!(days.iter().all(|d| *d > 0));
    let longest = *days.iter().max().expect("a maximum");
    let first = get_json(&app, "/api/v1/projects?sort=overdue&order=desc").await;
    assert_eq!(first["items"][0]["max_overdue_days"], longest);
    let ascending = get_json(&app, "/api/v1/projects?overdue=1&sort=overdue&order=asc").await;
    assert_eq!(
        ascending["items"][0]["max_overdue_days"],
        *days.last().expect("a minimum")
    );
}

async fn paging_splits_one_stable_list(app: Router) {
    let ids = |page: &Value| -> Vec<u64> {
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|r| u64_of(&r["id"]))
            .collect()
    };
    let p1 = get_json(&app, "/api/v1/projects?page=1&per_page=20").await;
    let p2 = get_json(&app, "/api/v1/projects?page=2&per_page=20").await;
    let wide = get_json(&app, "/api/v1/projects?per_page=50").await;
    assert_eq!(p1["total"], p2["total"]);
    assert_eq!(p1["total"], wide["total"]);
    assert_eq!(
        (p2["page"].clone(), p2["per_page"].clone()),
        (2.into(), 20.into())
    );
    let (a, b) = (ids(&p1), ids(&p2));
    assert_eq!((a.len(), b.len()), (20, 20));
    assert!(
        a.iter().all(|id| !b.contains(id)),
        "pages 1 and 2 share no project"
    );
    let joined: Vec<u64> = a.into_iter().chain(b).collect();
    assert_eq!(
        joined,
        ids(&wide)[..40],
        "pages of 20 are slices of the same order"
    );
    let beyond = get_json(&app, "/api/v1/projects?page=1000").await;
    assert_eq!(beyond["total"], p1["total"]);
    assert!(ids(&beyond).is_empty());
}

async fn project_detail_has_milestones_and_reports(app: Router) {
    let row = a_lagging_project(&app).await;
    let id = u64_of(&row["id"]);
    let d = get_json(&app, &format!("/api/v1/projects/{id}")).await;
    assert_eq!(d["year"], 2021);
    assert_eq!(d["as_of"], "2021-12-31");
    assert_eq!(d["project"]["name"], row["name"]);
    assert_eq!(d["summary"], row, "the summary is the list's row");
    let milestones = d["milestones"].as_array().expect("milestones");
    assert!(milestones.len() >= 8, "about ten milestones");
    for m in milestones {
        assert!(
            str_of(&m["planned"]).parse::<jiff::civil::Date>().is_ok(),
            "{m}"
        );
        assert!(m.get("actual").is_some(), "{m}");
    }
    assert!(
        milestones.iter().any(|m| m["actual"].is_string()),
        "some milestones reached"
    );
    assert!(
        milestones
            .iter()
            .any(|m| m["actual"].is_null() && m["overdue_days"].as_i64() > Some(0)),
        "the lagging project has an overdue milestone"
    );
    assert!(!d["reports"].as_array().expect("reports").is_empty());
    assert!(!d["periods"].as_array().expect("periods").is_empty());
}

// ---------------------------------------------------------------------------------------------
// 6–7. Pages.

async fn overview_page_shows_the_headline_figures(app: Router) {
    let html = get_html(&app, "/").await;
    assert!(html.contains("lang=\"zh-CN\""));
    assert!(html.contains("1,362"));
    assert!(html.contains("90.52%"));
    assert!(html.contains("<svg"));
    assert!(html.contains("数据截至 2021年12月31日"));
    assert_eq!(html, get_html(&app, "/?year=2021&as_of=2021-12-31").await);
}

async fn project_list_page_has_numbered_table_and_filters(app: Router) {
    let html = get_html(&app, "/projects").await;
    assert!(html.contains("<table"));
    assert!(html.contains("序号"));
    let selects = attribute_values(&html, &["select"], "name");
    for name in [
        "year",
        "category",
        "district",
        "lead_unit",
        "status",
        "per_page",
    ] {
        assert!(
            selects.iter().any(|s| s == name),
            "a {name} select in {selects:?}"
        );
    }
    assert!(html.contains("共 1,362 个项目"));
    let body = between(&html, "<caption>项目列表</caption>", "<tbody>", "</tbody>");
    let seqs: Vec<String> = rows_of(body).iter().map(|r| cells(r)[0].clone()).collect();
    let expected: Vec<String> = (1..=20).map(|n| n.to_string()).collect();
    assert_eq!(seqs, expected);
    let page2 = get_html(&app, "/projects?page=2").await;
    let body = between(&page2, "<caption>项目列表</caption>", "<tbody>", "</tbody>");
    assert_eq!(cells(rows_of(body)[0])[0], "21", "序号 continues on page 2");
}

async fn overdue_only_list_page_shows_only_overdue_rows(app: Router) {
    let stats = get_json(&app, "/api/v1/stats").await;
    let html = get_html(&app, "/projects?overdue=1&per_page=100").await;
    assert!(html.contains(&format!(
        "共 {} 个项目",
        fmt::count(u64_of(&stats["overdue_projects"]))
    )));
    assert!(
        html.contains("id=\"f-overdue\" type=\"checkbox\" name=\"overdue\" value=\"1\" checked")
    );
    let body = between(&html, "<caption>项目列表</caption>", "<tbody>", "</tbody>");
    let rows = rows_of(body);
    assert!(!rows.is_empty());
    for row in rows {
        assert!(
            row.contains("<span class=\"overdue\">▲"),
            "an overdue row: {row}"
        );
    }
}

async fn project_page_shows_milestones_and_reports(app: Router) {
    let row = a_lagging_project(&app).await;
    let html = get_html(&app, &format!("/projects/{}", u64_of(&row["id"]))).await;
    assert!(html.contains("计划节点"));
    assert!(html.contains("填报记录"));
    assert_eq!(
        text(between(&html, "<main", "<h1>", "</h1>")),
        str_of(&row["name"])
    );
    assert!(text(&html).contains(str_of(&row["code"])));
    assert!(
        html.contains("逾期"),
        "the lagging project shows its overdue milestone"
    );
    assert!(html.contains("<svg"), "the timeline");
}

async fn district_and_category_pages_name_their_subject(app: Router) {
    let stats = get_json(&app, "/api/v1/stats").await;
    for (list, path) in [("districts", "districts"), ("categories", "categories")] {
        for l in stats[list].as_array().expect("lines") {
            let uri = format!("/{path}/{}", u64_of(&l["id"]));
            let html = get_html(&app, &uri).await;
            let name = str_of(&l["name"]);
            let heading = text(between(&html, "<main", "<h1>", "</h1>"));
            assert!(
                heading.starts_with(&format!("{name}：")),
                "GET {uri}: {heading}"
            );
            assert_eq!(
                card(&html, "项目总数"),
                fmt::count(u64_of(&l["projects"])),
                "GET {uri}"
            );
            assert_eq!(
                card(&html, "项目完成率"),
                fmt::rate(l["project_completion_rate"].as_f64()),
                "GET {uri}"
            );
        }
    }
}

async fn district_page_of_a_non_district_id_is_404(app: Router) {
    let stats = get_json(&app, "/api/v1/stats").await;
    let districts: Vec<u64> = stats["districts"]
        .as_array()
        .expect("districts")
        .iter()
        .map(|l| u64_of(&l["id"]))
        .collect();
    let category = stats["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .map(|l| u64_of(&l["id"]))
        .find(|id| !districts.contains(id))
        .expect("a category id that is no district's");
    let reply = get(&app, &format!("/districts/{category}")).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(reply.html().contains("未找到该县区"));

    // A unit that exists but is a lead unit, not a district.
    let list = get_html(&app, "/projects").await;
    let lead_id = between(&list, "id=\"f-lead\"", "</option><option value=\"", "\"");
    let reply = get(&app, &format!("/districts/{lead_id}")).await;
    assert_eq!(
        reply.status,
        StatusCode::NOT_FOUND,
        "lead unit {lead_id} is no district"
    );
}

async fn overview_page_figures_are_the_apis(app: Router) {
    let s = get_json(&app, "/api/v1/stats").await;
    let html = get_html(&app, "/").await;
    let rate = |key: &str| fmt::rate(s[key].as_f64());
    assert_eq!(card(&html, "节点完成率"), rate("node_completion_rate"));
    assert_eq!(card(&html, "项目完成率"), rate("project_completion_rate"));
    assert_eq!(card(&html, "按期完成率"), rate("on_time_rate"));
    assert_eq!(
        card(&html, "投资完成率"),
        rate("investment_completion_rate")
    );
    assert_eq!(card(&html, "项目总数"), fmt::count(u64_of(&s["projects"])));
    assert_eq!(
        card(&html, "逾期节点"),
        fmt::count(u64_of(&s["overdue_milestones"]))
    );

    for (list, id) in [
        ("categories", "category-table"),
        ("districts", "district-table"),
    ] {
        let rows = table_rows(&html, id);
        let lines = s[list].as_array().expect("lines");
        assert_eq!(rows.len(), lines.len(), "{id} has a row per {list} line");
        for ((name, cells), l) in rows.iter().zip(lines) {
            assert_eq!(name, str_of(&l["name"]), "{id}");
            let expected = [
                fmt::count(u64_of(&l["projects"])),
                fmt::count(u64_of(&l["planned"])),
                fmt::count(u64_of(&l["finished"])),
                fmt::rate(l["project_completion_rate"].as_f64()),
                fmt::rate(l["node_completion_rate"].as_f64()),
                fmt::rate(l["on_time_rate"].as_f64()),
                fmt::wan(Money(l["investment_completed"].as_i64().expect("yuan"))),
                fmt::rate(l["investment_completion_rate"].as_f64()),
                fmt::count(u64_of(&l["overdue_milestones"])),
            ];
            assert_eq!(cells[1..10], expected, "{id}: {name}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 8. Headers, assets, offline.

async fn every_response_carries_the_security_headers(app: Router) {
    let project = u64_of(&a_lagging_project(&app).await["id"]);
    let uris = [
        "/".to_string(),
        "/projects".to_string(),
        format!("/projects/{project}"),
        "/projects/999999".to_string(),
        "/?as_of=x".to_string(),
        "/nope".to_string(),
        "/api/v1/stats".to_string(),
        "/api/v1/projects?sort=x".to_string(),
        "/api/v1/nope".to_string(),
        "/api/v1/openapi.json".to_string(),
        "/assets/app.css".to_string(),
        "/healthz".to_string(),
    ];
    for uri in uris {
        let reply = get(&app, &uri).await;
        let csp = reply.header(header::CONTENT_SECURITY_POLICY);
        let directive = |name: &str| {
            csp.split(';')
                .map(str::trim)
                .find(|d| d.split_whitespace().next() == Some(name))
                .map(str::to_string)
        };
        let scripts = directive("script-src")
            .or_else(|| directive("default-src"))
            .unwrap_or_else(|| panic!("GET {uri}: CSP {csp} restricts scripts"));
        assert!(!scripts.contains("'unsafe-inline'"), "GET {uri}: {scripts}");
        assert!(!scripts.contains("'unsafe-eval'"), "GET {uri}: {scripts}");
        assert!(!scripts.contains('*'), "GET {uri}: {scripts}");
        assert_eq!(
            reply.header(header::X_CONTENT_TYPE_OPTIONS),
            "nosniff",
            "GET {uri}"
        );
        assert_eq!(reply.header(header::X_FRAME_OPTIONS), "DENY", "GET {uri}");
    }
}

async fn health_and_stylesheet_are_served(app: Router) {
    let health = get(&app, "/healthz").await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.body, "ok");
    let css = get(&app, "/assets/app.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.header(header::CONTENT_TYPE).starts_with("text/css"));
    assert!(!css.body.is_empty());
    assert!(
        !css.body.contains("@import"),
        "the stylesheet pulls nothing in"
    );
    assert!(
        !css.body.contains("url(http")
            && !css.body.contains("url(\"http")
            && !css.body.contains("url('http")
    );
}

/// The values of `attr="…"` in every tag of `html` whose name is in `tags` (all tags if empty).
fn attribute_values(html: &str, tags: &[&str], attr: &str) -> Vec<String> {
    html.split('<')
        .skip(1)
        .filter_map(|t| t.split('>').next())
        .filter(|t| tags.is_empty() || tags.iter().any(|name| t.starts_with(&format!("{name} "))))
        .flat_map(|t| {
            t.split(&format!(" {attr}="))
                .skip(1)
                .filter_map(|v| {
                    let quote = v.chars().next()?;
                    let v = &v[quote.len_utf8()..];
                    Some(v.split(quote).next()?.to_string())
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

async fn pages_load_nothing_from_the_internet(app: Router) {
    let stats = get_json(&app, "/api/v1/stats").await;
    let project = u64_of(&a_lagging_project(&app).await["id"]);
    let uris = [
        "/".to_string(),
        "/projects".to_string(),
        format!("/projects/{project}"),
        format!("/districts/{}", u64_of(&stats["districts"][0]["id"])),
        format!("/categories/{}", u64_of(&stats["categories"][0]["id"])),
        "/nope".to_string(),
    ];
    for uri in uris {
        let reply = get(&app, &uri).await;
        let html = &reply.body;
        let mut loaded = attribute_values(html, &[], "src");
        loaded.extend(attribute_values(html, &["link"], "href"));
        loaded.extend(attribute_values(html, &[], "srcset"));
        assert!(
            attribute_values(html, &["link"], "href")
                .iter()
                .any(|h| h == "/assets/app.css"),
            "GET {uri} links the embedded stylesheet"
        );
        for url in loaded {
            let lower = url.to_ascii_lowercase();
            assert!(
                !(lower.starts_with("http:")
                    || lower.starts_with("https:")
                    || lower.starts_with("//")),
                "GET {uri} loads {url}"
            );
        }
        assert!(!html.contains("@import"), "GET {uri}");
        assert!(!html.contains("url(http"), "GET {uri}");
    }
}

// ---------------------------------------------------------------------------------------------
// 9. OpenAPI.

async fn openapi_document_describes_exactly_the_api_paths(app: Router) {
    let doc = get_json(&app, "/api/v1/openapi.json").await;
    assert!(str_of(&doc["openapi"]).starts_with("3."), "OpenAPI 3");
    let paths = doc["paths"].as_object().expect("paths");
    let served = jianguan_web::routes::api_paths();
    for path in &served {
        assert!(paths.contains_key(*path), "{path} is documented");
    }
    for path in paths.keys() {
        assert!(
            served.contains(&path.as_str()),
            "documented path {path} is served"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 10. Snapshot.

/// One snapshot for every backend: the name is fixed, so SQLite and PostgreSQL are held to the
/// same file, figure for figure.
async fn stats_2021_snapshot(app: Router) {
    let stats = get_json(&app, "/api/v1/stats?year=2021").await;
    let pretty = serde_json::to_string_pretty(&stats).expect("JSON");
    insta::assert_snapshot!("stats_2021", pretty);
}

// ---------------------------------------------------------------------------------------------
// Edges.

async fn odd_but_valid_scopes_answer_200(app: Router) {
    let stats = get_json(&app, "/api/v1/stats").await;
    let district = u64_of(&stats["districts"][0]["id"]);
    let category = u64_of(&stats["categories"][0]["id"]);
    let project = u64_of(&a_lagging_project(&app).await["id"]);
    for scope in [
        "year=2022",
        "year=2099",
        "year=2021&as_of=2000-01-01",
        "year=2021&as_of=2100-12-31",
        "as_of=2021-01-01",
    ] {
        for path in [
            "/".to_string(),
            "/projects".to_string(),
            format!("/projects/{project}"),
            format!("/districts/{district}"),
            format!("/categories/{category}"),
            "/api/v1/stats".to_string(),
            "/api/v1/projects".to_string(),
            format!("/api/v1/projects/{project}"),
        ] {
            let uri = format!("{path}?{scope}");
            let reply = get(&app, &uri).await;
            assert_eq!(reply.status, StatusCode::OK, "GET {uri}: {}", reply.body);
        }
    }
}

async fn a_year_without_projects_says_so(app: Router) {
    let s = get_json(&app, "/api/v1/stats?year=2099").await;
    assert_eq!(s["year"], 2099);
    assert_eq!(u64_of(&s["projects"]), 0);
    assert!(
        s["project_completion_rate"].is_null(),
        "nothing to measure is null, not 0"
    );
    let html = get_html(&app, "/?year=2099").await;
    assert!(html.contains("该年度尚无项目"));
    let list = get_html(&app, "/projects?year=2099").await;
    assert!(list.contains("没有符合条件的项目"));
}

async fn a_page_number_far_beyond_the_end_is_an_empty_page(app: Router) {
    for page in ["300000000", "4294967295"] {
        // The API pages until an empty page; a page for people shows the last page instead.
        let api = get_json(&app, &format!("/api/v1/projects?page={page}")).await;
        assert_eq!(u64_of(&api["total"]), 1362);
        assert!(api["items"].as_array().expect("items").is_empty());
        let html = get_html(&app, &format!("/projects?page={page}&per_page=100")).await;
        assert!(html.contains("共 1,362 个项目"));
        let last = 1362u64.div_ceil(100);
        assert!(html.contains(&format!("第 {last} / {last} 页")));
        assert!(!html.contains("没有符合条件的项目"));
    }
    let reply = get(&app, "/api/v1/projects?page=4294967296").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json()["error"]["parameter"], "page");
}

async fn search_text_is_escaped_on_the_list_page(app: Router) {
    let q = "<script>alert(\"x\")</script>";
    let html = get_html(&app, &format!("/projects?q={}", enc(q))).await;
    assert!(
        !html.contains("<script"),
        "no markup from the query reaches the page"
    );
    let kept = between(&html, "id=\"f-q\"", "value=\"", "\"");
    assert_eq!(text(kept), q, "the search box keeps the text");
    let reply = get(&app, &format!("/?as_of={}", enc(q))).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(!reply.body.contains("<script"));
}
