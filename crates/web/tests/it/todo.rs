//! The to-do list (issue 21 item 1) through HTTP: each line is derived from the records, so it
//! moves when they do — an item opened for a district is on its list, its claimed closure moves
//! to the office's re-checks, a filed report leaves the reporter's due count; the office's
//! proposals to issue are the `/acts` page's; the header counts it on every page and the home
//! page lists it first.

use axum::http::StatusCode;
use serde_json::Value;

use jiff::civil::Date;

use crate::common::{App, Reply, array};

/// The day these scenarios run on: the deadline of period 25 of 2021, for which the fixture's
/// project (and others of its unit) have not filed yet.
fn today() -> Date {
    static DAY: std::sync::OnceLock<Date> = std::sync::OnceLock::new();
    *DAY.get_or_init(|| {
        let city = jianguan_demo::demo_city();
        let (_, period) = crate::common::missing_report(&city);
        city.periods
            .iter()
            .find(|p| p.id.0 == period)
            .expect("the period")
            .deadline
    })
}

async fn sqlite_app() -> App {
    crate::common::sqlite_app_on(today).await
}

async fn postgres_app() -> App {
    crate::common::postgres_app_on(today).await
}

/// A to-do line of `who` by duty code: (count, deadline, href).
async fn line(app: &App, who: &str, duty: &str) -> Option<(u64, Value, String)> {
    let json = app.json(who, "/api/v1/todo").await;
    array(&json, "todo")
        .iter()
        .find(|t| t["duty"] == duty)
        .map(|t| {
            (
                t["count"].as_u64().expect("a count"),
                t["deadline"].clone(),
                t["href"].as_str().expect("a link").to_string(),
            )
        })
}

async fn total(app: &App, who: &str) -> u64 {
    app.json(who, "/api/v1/todo").await["total"]
        .as_u64()
        .expect("a total")
}

/// The office opens a supervision item for `owner` about `project`, decided at the meeting of
/// `source`; the redirect to it.
async fn open_item(app: &App, owner: &str, project: &str, source: &str, title: &str) -> Reply {
    let opened = app
        .post(
            "office",
            "/items",
            &[
                ("kind", "supervision"),
                ("source", source),
                ("title", title),
                ("detail", "倒排工期，按期推进。"),
                ("owner", owner),
                ("project", project),
                ("deadline", "2026-12-31"),
            ],
        )
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    opened
}

async fn the_todo_list_moves_with_the_records(app: &App) {
    // An item the office opens for the district is on the district's list, with its deadline.
    let before = line(app, "district", "items_to_handle")
        .await
        .map_or(0, |l| l.0);
    let owner = app.project.district.0.to_string();
    let project = app.project.id.0.to_string();
    let opened = open_item(app, &owner, &project, "2021-W40", "督办：某项目开工节点").await;
    let (count, deadline, href) = line(app, "district", "items_to_handle")
        .await
        .expect("the district has an item to act on");
    assert_eq!(count, before + 1);
    assert!(deadline.as_str().is_some(), "the nearest deadline is given");
    let on_today = format!("year=2021&as_of={}", today());
    assert_eq!(today().year(), 2021);
    assert_eq!(href, format!("/items?status=open&owner={owner}&{on_today}"));
    let listed = app
        .json(
            "district",
            &format!("/api/v1/items?status=open&owner={owner}&{on_today}&per_page=100"),
        )
        .await;
    assert_eq!(
        listed["total"].as_u64(),
        Some(count),
        "the list the line links to holds as many: {listed}"
    );

    // Its closure claimed: off the district's list, on the office's re-checks.
    let rechecks = line(app, "office", "items_to_recheck")
        .await
        .map_or(0, |l| l.0);
    let claimed = app
        .post(
            "district",
            &format!("{}/events", opened.location),
            &[("action", "claim_closure"), ("text", "已开工，附开工令")],
        )
        .await;
    assert_eq!(claimed.status, StatusCode::SEE_OTHER, "{}", claimed.body);
    assert_eq!(
        line(app, "district", "items_to_handle")
            .await
            .map_or(0, |l| l.0),
        before
    );
    assert_eq!(
        line(app, "office", "items_to_recheck").await.map(|l| l.0),
        Some(rechecks + 1)
    );

    // The office's proposals to issue are the ones `/acts` lists.
    let acts = app.page("office", "/acts").await;
    let proposed = acts.matches("action=\"/acts/issue\"").count() as u64;
    assert!(proposed > 0, "the demo city has proposals");
    assert_eq!(
        line(app, "office", "acts_to_issue").await.map(|l| l.0),
        Some(proposed)
    );
    // A reader with nothing to decide has none of these lines.
    for duty in [
        "acts_to_issue",
        "items_to_recheck",
        "plan_changes_to_decide",
    ] {
        assert!(line(app, "leader", duty).await.is_none(), "{duty}");
    }

    // The header counts it on every page; the home page lists it first, other pages do not.
    let office_total = total(app, "office").await;
    assert!(office_total > proposed, "the proposals and the re-check");
    let projects = app.page("office", "/projects?year=2021").await;
    assert!(
        projects.contains(&format!("class=\"todo-count\">{office_total}<")),
        "{office_total} in the header"
    );
    assert!(!projects.contains("class=\"todo-first\""));
    let home = app.page("office", "/?year=2021").await;
    let first = home
        .find("class=\"todo-first\"")
        .expect("the home lists it");
    let content = home.find("<h1").expect("the page's heading");
    assert!(first < content, "first, above the page's own content");
    assert!(home.contains("项督办约谈建议待签发或撤销"));
    let page = app.page("office", "/todo").await;
    assert!(page.contains("项督办事项申请办结，待复查"), "{page}");

    // After a write a page does not wait for the list: it shows the one held while the next is
    // derived in the background (at most once a second), which the following pages then show.
    let count = |page: &str| {
        page.split_once("class=\"todo-count\">")
            .and_then(|(_, rest)| rest.split_once('<'))
            .map_or(0, |(n, _)| n.parse::<u64>().expect("a count"))
    };
    let district_page = || app.page("district", "/projects?year=2021");
    let held = count(&district_page().await);
    open_item(app, &owner, &project, "2021-W41", "督办：某项目完工节点").await;
    let first = count(&district_page().await);
    assert_eq!(first, held, "the page after the write shows the list held");
    let mut shown = first;
    for _ in 0..100 {
        if shown != held {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        shown = count(&district_page().await);
    }
    assert_eq!(shown, held + 1, "then the one derived since, one item more");
    assert_eq!(total(app, "district").await, held + 1);
}

async fn a_filed_report_leaves_the_reporters_due_count(app: &App) {
    use jianguan_domain::filing::{self, Filing};
    // The period due on the fixture's day, and the reporter's projects not yet filed for it,
    // read straight from the records.
    let period = filing::period_due(&app.city.periods, today())
        .expect("a period")
        .clone();
    assert_eq!(
        period.id.0, app.period,
        "on its deadline day, the period just ended"
    );
    let filed = app.store.load_filings(period.id).await.expect("filings");
    let due: Vec<_> = app
        .city
        .projects
        .iter()
        .filter(|p| {
            p.responsible_unit == app.project.responsible_unit
                && filing::expected_to_file(p, &period)
        })
        .filter(|p| {
            let mine: Vec<_> = filed
                .iter()
                .copied()
                .filter(|f| f.project == p.id)
                .collect();
            matches!(
                filing::filing_of(&mine, &period, today()),
                Filing::Pending | Filing::Missing
            )
        })
        .collect();
    let listed = line(app, "reporter", "reports_due").await;
    // One never filed at all (the others were filed late, after this day: a new version would
    // be a correction).
    let first = due
        .iter()
        .find(|p| filed.iter().all(|f| f.project != p.id))
        .expect("the fixture's project is due and never filed");
    let (count, deadline, href) = listed.expect("a line for the reports due");
    assert_eq!(count, due.len() as u64);
    assert_eq!(deadline, Value::String(period.deadline.to_string()));
    assert_eq!(
        href,
        format!("/filing?year=2021&as_of={}&period={}", today(), app.period)
    );
    // The reporter's home is the filing desk: the list is shown first there.
    let desk = app.page("reporter", "/filing").await;
    assert!(desk.contains("class=\"todo-first\""), "{desk}");
    assert!(desk.contains("个项目本期尚未填报"));

    let project = first.id.0.to_string();
    let period_id = period.id.0.to_string();
    let investment = format!("{:.2}", first.total_investment.wan());
    let r = app
        .post_multipart(
            "reporter",
            "/filing",
            &[
                ("project", project.as_str()),
                ("period", period_id.as_str()),
                ("investment_to_date", investment.as_str()),
                ("note", "补报"),
            ],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        line(app, "reporter", "reports_due")
            .await
            .map_or(0, |l| l.0),
        count - 1
    );
}

async fn a_requested_plan_change_waits_on_the_offices_list_until_decided(app: &App) {
    assert!(
        line(app, "office", "plan_changes_to_decide")
            .await
            .is_none()
    );
    let project = &app.project;
    let milestone = project
        .milestones
        .iter()
        .rfind(|m| m.actual.is_none())
        .expect("the fixture's project has an unreached milestone");
    let new_date = (milestone.planned + jiff::Span::new().days(20)).to_string();
    let date_field = format!("date_{}", milestone.id.0);
    let (pid, mid) = (project.id.0.to_string(), milestone.id.0.to_string());
    let r = app
        .post(
            "district",
            "/plans/change",
            &[
                ("project", pid.as_str()),
                ("year", "2021"),
                ("kind", "dates"),
                ("milestone", mid.as_str()),
                (date_field.as_str(), new_date.as_str()),
                ("reason", "征迁滞后，需顺延"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (count, _, href) = line(app, "office", "plan_changes_to_decide")
        .await
        .expect("the office has a change to decide");
    assert_eq!(count, 1);
    assert!(href.ends_with("#changes"), "{href}");
    assert!(
        line(app, "district", "plan_changes_to_decide")
            .await
            .is_none()
    );
    let change = app.store.plan_changes(Some(2021)).await.expect("reads")[0].id;
    let r = app
        .post(
            "office",
            &format!("/plans/changes/{change}/decide"),
            &[("decision", "approve"), ("note", "同意")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("已批准"), "{}", r.body);
    assert!(
        line(app, "office", "plan_changes_to_decide")
            .await
            .is_none()
    );
}

scenarios!([
    a_requested_plan_change_waits_on_the_offices_list_until_decided,
    the_todo_list_moves_with_the_records,
    a_filed_report_leaves_the_reporters_due_count,
]);
