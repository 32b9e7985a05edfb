//! The authorization matrix at record level (tests/matrix.rs checks status codes route by
//! route): for every person the scenarios act as, the records behind the lines of
//! `/api/v1/scores` name only projects that person's `/api/v1/projects` lists — the same
//! narrowing as the score card page, counted (`records_hidden`) but not named — while the office
//! sees the records about every district's projects. On both backends.

use std::collections::BTreeSet;

use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use jianguan_access::Role;
use serde_json::Value;

/// `GET path` with the session `cookie`.
async fn get(app: &App, cookie: &str, path: &str) -> Reply {
    app.send(
        Request::get(path)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .expect("request"),
    )
    .await
}

async fn json(app: &App, cookie: &str, path: &str) -> Value {
    let r = get(app, cookie, path).await;
    assert_eq!(r.status, StatusCode::OK, "GET {path}: {}", r.body);
    r.json()
}

/// Every int under a key named `key`, anywhere in `value`.
fn ints_under(value: &Value, key: &str, out: &mut BTreeSet<i64>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k == key
                    && let Some(n) = v.as_i64()
                {
                    out.insert(n);
                }
                ints_under(v, key, out);
            }
        }
        Value::Array(values) => {
            for v in values {
                ints_under(v, key, out);
            }
        }
        _ => {}
    }
}

/// The sum of every `records_hidden` in `value`.
fn hidden(value: &Value) -> i64 {
    match value {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| {
                if k == "records_hidden" {
                    v.as_i64().expect("a count")
                } else {
                    hidden(v)
                }
            })
            .sum(),
        Value::Array(values) => values.iter().map(hidden).sum(),
        _ => 0,
    }
}

const SCORES: &str = "/api/v1/scores?month=2021-10&kind=district";

/// The ids of the projects the session `cookie` may list through `/api/v1/projects`.
async fn listed(app: &App, cookie: &str) -> BTreeSet<i64> {
    let mut ids = BTreeSet::new();
    for page in 1.. {
        let v = json(
            app,
            cookie,
            &format!("/api/v1/projects?per_page=100&page={page}"),
        )
        .await;
        let items = array(&v, "items");
        if items.is_empty() {
            break;
        }
        ids.extend(items.iter().map(|p| p["id"].as_i64().expect("an id")));
    }
    ids
}

/// The ids of the projects named in the records of October's district scores as the session
/// `cookie` reads them, and how many records were counted but not named.
async fn named_in_scores(app: &App, cookie: &str) -> (BTreeSet<i64>, i64) {
    let v = json(app, cookie, SCORES).await;
    assert!(v["run"].is_object(), "October is scored");
    let mut ids = BTreeSet::new();
    ints_under(&v, "project", &mut ids);
    (ids, hidden(&v))
}

async fn the_scores_api_names_only_projects_in_the_readers_scope(app: &App) {
    // October's warnings, so the records include warning events as well as milestones and
    // filings.
    app.warning_job(jiff::civil::date(2021, 10, 29)).await;
    let r = app
        .post(
            "office",
            "/assessment/score",
            &[("month", "2021-10"), ("kind", "district")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    let (office, office_hidden) = named_in_scores(app, &app.cookies["office"]).await;
    assert_eq!(office_hidden, 0, "the office sees every record");
    let own_district: BTreeSet<i64> = app
        .city
        .projects
        .iter()
        .filter(|p| p.district == app.project.district)
        .map(|p| p.id.0)
        .collect();
    assert!(
        office.iter().any(|id| !own_district.contains(id)),
        "the office sees records about other districts' projects"
    );
    // A lead unit's staff too (the fixture's accounts have none).
    let lead = session(
        app.store.as_ref(),
        "lead",
        app.project.lead_unit,
        Role::LeadUnitStaff,
    )
    .await;
    let mut readers: Vec<(&str, &str)> = ["leader", "subhq", "district"]
        .into_iter()
        .map(|who| (who, app.cookies[who].as_str()))
        .collect();
    readers.push(("lead", &lead));
    for (who, cookie) in readers {
        let mine = listed(app, cookie).await;
        let (named, hidden) = named_in_scores(app, cookie).await;
        let outside: Vec<&i64> = named.difference(&mine).collect();
        assert!(
            outside.is_empty(),
            "{who}: /api/v1/scores names {} projects outside the scope, e.g. {:?}",
            outside.len(),
            outside.iter().take(5).collect::<Vec<_>>()
        );
        // What is not named is still counted: the named and the hidden make up the office's.
        if who == "leader" {
            assert_eq!((named.clone(), hidden), (office.clone(), 0), "{who}");
        } else {
            assert!(hidden > 0, "{who}: the records left out are counted");
            assert!(named.len() < office.len(), "{who}");
        }
        if who == "district" {
            assert!(
                !named.is_empty(),
                "the district sees its own projects' records"
            );
            assert!(named.is_subset(&own_district));
        }
    }
    // A reporter reads no scores at all.
    let r = get(app, &app.cookies["reporter"], SCORES).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

scenarios!([the_scores_api_names_only_projects_in_the_readers_scope]);
