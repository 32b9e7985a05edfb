//! The coverage pages of issue 8 through the real router, on both backends: the demo city's
//! generated street network, its finished parks, toilets and neighbourhood centres as
//! facilities opened on their completion day, coverage per district at the start of 2021 and
//! at its end, the projects credited with the residents they alone brought within reach, the
//! offline map, and the JSON rows.

use crate::common::*;
use jianguan_domain::model::UnitKind;
use jianguan_domain::rates;

/// The demo's finished park projects with locations (their plan for 2021 complete by its end).
fn finished_parks(app: &App) -> Vec<&jianguan_domain::model::Project> {
    let parks = app
        .city
        .categories
        .iter()
        .find(|c| c.code == "park_greenway")
        .expect("the park category")
        .id;
    app.city
        .projects
        .iter()
        .map(|p| &**p)
        .filter(|p| p.category == parks && p.location.is_some())
        .filter(|p| rates::annual_plan_complete(p, 2021, jiff::civil::date(2021, 12, 31)))
        .collect()
}

async fn the_page_shows_every_district_the_map_and_parks_credited(app: &App) {
    let page = app
        .page("leader", "/coverage?year=2021&type=park&threshold=400")
        .await;
    assert!(page.contains("<svg"), "a map: {page}");
    assert!(page.contains("class=\"coverage-map\""), "the coverage map");
    for d in app.city.units_of(UnitKind::District) {
        assert!(page.contains(&d.name), "{} listed", d.name);
    }
    assert!(page.contains("全市"), "a citywide row");
    assert!(page.contains("新增400米覆盖居民"), "the headline sentence");
    assert!(
        page.contains("个邻里中心新增400米覆盖居民"),
        "a headline per type"
    );

    let parks = finished_parks(app);
    assert!(!parks.is_empty(), "the demo finishes parks");
    let credited = parks
        .iter()
        .find(|p| page.contains(&format!("/projects/{}?", p.id)))
        .expect("the credit list names a finished park project");
    assert!(page.contains(&credited.name), "by name");

    // The navigation offers the page.
    assert!(page.contains("href=\"/coverage?"), "a navigation entry");

    // Before and after side by side, each district named on the maps, and the residents by
    // walking distance as a table (readable on a phone, without hovering).
    assert_eq!(
        page.matches("class=\"coverage-map\"").count(),
        2,
        "two maps"
    );
    for d in app.city.units_of(UnitKind::District) {
        let label = format!(">{}</text>", d.name);
        assert_eq!(
            page.matches(&label).count(),
            2,
            "{} named on both maps",
            d.name
        );
    }
    assert!(
        page.contains("200米以内（步行约 2.5 分钟）"),
        "minutes in the legend"
    );
    let bands = page
        .split("id=\"band-table\"")
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .expect("the distance bands' table");
    let numbers = |column: usize| -> Vec<f64> {
        bands
            .split("<tr><th scope=\"row\">")
            .skip(1)
            .map(|row| {
                let cell = row.split("<td class=\"num\">").nth(column).unwrap_or("");
                let cell = cell.split('<').next().unwrap_or("").replace(',', "");
                cell.parse()
                    .unwrap_or_else(|_| panic!("a number: {cell:?}"))
            })
            .collect()
    };
    let (before, after) = (numbers(1), numbers(3));
    assert_eq!(before.len(), 6, "five bands and beyond");
    // The same residents at both dates, closer to a park now than at the start.
    assert_eq!(before.iter().sum::<f64>(), after.iter().sum::<f64>());
    assert!(
        after[0] + after[1] > before[0] + before[1],
        "{before:?} → {after:?}"
    );

    // A credited park's newly covered residents, framed on the map of now.
    let framed = page
        .split("<a href=\"/coverage?")
        .filter_map(|rest| rest.split('"').next())
        .find(|h| h.contains("project="))
        .map(|h| {
            format!(
                "/coverage?{}",
                h.replace("&amp;", "&").replace("&#38;", "&")
            )
        })
        .expect("a credit line links to its frame on the map");
    // A browser keeps the fragment to itself.
    let framed = framed.split('#').next().unwrap_or_default().to_string();
    let page = app.page("leader", &framed).await;
    assert_eq!(
        page.matches("class=\"framed\"").count(),
        1,
        "framed on one map"
    );
    let people: f64 = page
        .split("年初不在此范围的居民 ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .map(|n| n.replace(',', ""))
        .and_then(|n| n.parse().ok())
        .expect("the residents framed");
    assert!(people > 0.0, "a credited park brought someone within reach");
    assert!(page.contains("取消标示"));
    // A reader who may not open the project gets no frame; one who may, does.
    let elsewhere = finished_parks(app)
        .into_iter()
        .find(|p| p.district != app.project.district)
        .expect("a finished park in another district");
    let path = format!(
        "/coverage?year=2021&type=park&threshold=400&project={}",
        elsewhere.id.0
    );
    let page = app.page("district", &path).await;
    assert!(
        !page.contains("class=\"framed\""),
        "outside the reader's scope"
    );
    assert!(!page.contains("右图黑框"));
    let page = app.page("leader", &path).await;
    assert!(page.contains("class=\"framed\""), "{path}");

    // 15 minutes is a threshold too, written as minutes.
    let page = app
        .page(
            "office",
            "/coverage?year=2021&type=neighbourhood_centre&threshold=15min",
        )
        .await;
    assert!(page.contains("个邻里中心新增15分钟覆盖居民"), "{page}");
}

async fn finished_parks_only_add_coverage(app: &App) {
    let json = app
        .json(
            "leader",
            "/api/v1/coverage?year=2021&type=park&threshold=400",
        )
        .await;
    assert_eq!(json["available"], true);
    assert_eq!(json["baseline"], "2021-01-01");
    let rows = array(&json, "coverage");
    let districts = app.city.units_of(UnitKind::District).count();
    assert_eq!(rows.len(), districts + 1, "every district and the city");
    for row in rows {
        assert_eq!(row["type"], "park");
        assert_eq!(row["threshold_m"], 400.0);
        let after = row["population_covered"].as_f64().expect("covered");
        let before = row["covered_before"].as_f64().expect("before");
        assert!(after >= before, "parks only add coverage: {row}");
    }
    let city = rows
        .iter()
        .find(|r| r["district"].is_null())
        .expect("a citywide row");
    assert!(
        city["gain"].as_f64().expect("gain") > 0.0,
        "the campaign's parks cover more residents: {city}"
    );
    let credit = array(&json, "credit");
    let parks = finished_parks(app);
    assert!(
        credit.iter().any(|c| parks
            .iter()
            .any(|p| c["project_id"].as_i64() == Some(p.id.0))),
        "credited to finished park projects"
    );
}

async fn the_api_rows_share_is_covered_over_total(app: &App) {
    let json = app.json("office", "/api/v1/coverage?year=2021").await;
    assert_eq!(json["network"]["generated"], true, "the demo city's own");
    let rows = array(&json, "coverage");
    let districts = app.city.units_of(UnitKind::District).count();
    assert_eq!(
        rows.len(),
        4 * 7 * (districts + 1),
        "types × thresholds × districts"
    );
    for row in rows {
        let covered = row["population_covered"].as_f64().expect("covered");
        let total = row["population_total"].as_f64().expect("total");
        let share = row["share"].as_f64().expect("share");
        assert!(total > 0.0, "{row}");
        assert!((share - covered / total).abs() < 1e-12, "{row}");
        assert!(covered <= total, "{row}");
    }
    // Wider thresholds cover at least as many.
    let covered = |t: f64| {
        rows.iter()
            .find(|r| r["type"] == "toilet" && r["threshold_m"] == t && r["district"].is_null())
            .and_then(|r| r["population_covered"].as_f64())
            .expect("a row")
    };
    assert!(covered(200.0) <= covered(400.0) && covered(400.0) <= covered(1200.0));
}

async fn a_district_page_narrows_the_map_and_bad_parameters_are_named(app: &App) {
    let district = app.project.district;
    let page = app
        .page(
            "district",
            &format!(
                "/coverage?year=2021&type=toilet&threshold=800&district={}",
                district.0
            ),
        )
        .await;
    assert!(page.contains("<svg"), "a map");
    assert!(
        page.contains(app.city.unit_name(district)),
        "the district named"
    );
    assert!(page.contains("10分钟"), "800 m is 10 minutes");

    // The district's reader sees the city's figures but names only its own projects, in the
    // credit list and on the map alike.
    let page = app
        .page("district", "/coverage?year=2021&type=park&threshold=400")
        .await;
    let parks = finished_parks(app);
    assert!(
        parks
            .iter()
            .any(|p| p.district == district && page.contains(&p.name)),
        "its own parks named"
    );
    for p in parks.iter().filter(|p| p.district != district) {
        assert!(
            !page.contains(&p.name),
            "{} is outside the reader's scope",
            p.name
        );
    }

    let r = app.get("leader", "/coverage?type=school").await;
    assert_eq!(r.status, axum::http::StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("type"), "names the parameter");
    let r = app.get("leader", "/api/v1/coverage?threshold=450").await;
    assert_eq!(r.status, axum::http::StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("threshold"), "names the parameter");
}

scenarios!([
    the_page_shows_every_district_the_map_and_parks_credited,
    finished_parks_only_add_coverage,
    the_api_rows_share_is_covered_over_total,
    a_district_page_narrows_the_map_and_bad_parameters_are_named,
]);
