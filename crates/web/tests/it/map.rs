//! The project map of issue 19 through the real router, on both backends: every located project
//! of the year the reader may see, the filters, a street-level view linking each project, the
//! reader's scope kept at every zoom, bad parameters named, and the inset maps on the district
//! and project pages.

use crate::common::*;
use jianguan_domain::model::Project;

/// The demo's projects of 2021 with a location that `keep` keeps.
fn located(app: &App, keep: impl Fn(&Project) -> bool) -> usize {
    app.city
        .projects
        .iter()
        .filter(|p| p.plan_for(2021).is_some() && p.location.is_some() && keep(p))
        .count()
}

async fn the_map_counts_the_located_projects_the_reader_may_see(app: &App) {
    let all = located(app, |_| true);
    assert!(all > 1000, "the demo locates its projects");
    let page = app.page("office", "/map?year=2021").await;
    assert!(page.contains("class=\"project-map\""), "a map: {page}");
    // Fitted to them: every one in view.
    assert!(
        page.contains(&format!("{all} 个项目有坐标，视野内 {all} 个")),
        "{page}"
    );
    assert!(page.contains("href=\"/map?"), "a navigation entry");

    let district = app.project.district;
    let own = located(app, |p| p.district == district);
    assert!(own < all);
    let page = app.page("district", "/map?year=2021").await;
    assert!(
        page.contains(&format!("{own} 个项目有坐标")),
        "a district sees its own: {page}"
    );
    // The office filtering by that district sees the same number.
    let page = app
        .page("office", &format!("/map?year=2021&district={}", district.0))
        .await;
    assert!(page.contains(&format!("{own} 个项目有坐标")), "{page}");
    // Standings partition the projects.
    let mut sum = 0;
    for standing in ["finished", "on_time", "overdue", "suspended"] {
        let page = app
            .page(
                "office",
                &format!("/map?year=2021&as_of=2021-06-30&standing={standing}"),
            )
            .await;
        let n: usize = page
            .split("map-count-text\">")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("a count for {standing}: {page}"));
        sum += n;
    }
    assert_eq!(sum, all, "every located project stands one way");

    // With the demo's district boundaries stored, shaded by a rate, each district is filled and
    // the legend gives the classes.
    let boundaries = jianguan_app::districts::demo_boundaries(&app.city);
    jianguan_app::districts::store_generated(
        &*app.store,
        jianguan_app::Clock::system(),
        "test",
        boundaries,
        "test",
    )
    .await
    .expect("store the demo's boundaries");
    let page = app
        .page("office", "/map?year=2021&as_of=2021-06-30&shade=on_time")
        .await;
    assert!(page.contains("县区按按期完成率着色"), "{page}");
    let areas = page.matches("class=\"area\"").count();
    assert_eq!(
        areas,
        app.city
            .units_of(jianguan_domain::model::UnitKind::District)
            .count(),
        "every district outlined"
    );
    let unfilled = "fill=\"none\" fill-opacity=\"1\" fill-rule=\"evenodd\"";
    assert_eq!(page.matches(unfilled).count(), 0, "every district filled");
    let page = app.page("office", "/map?year=2021").await;
    assert_eq!(
        page.matches(unfilled).count(),
        areas,
        "unshaded: outlines only"
    );
    // A district's liaison gets every outline but a link only to its own district's page.
    let page = app.page("district", "/map?year=2021").await;
    for d in app
        .city
        .units_of(jianguan_domain::model::UnitKind::District)
    {
        let link = format!("<a href=\"/districts/{}\"><path class=\"area\"", d.id.0);
        assert_eq!(page.contains(&link), d.id == district, "{}: {page}", d.name);
    }
}

async fn a_street_level_view_links_each_project_within_the_readers_scope(app: &App) {
    let other = app
        .city
        .projects
        .iter()
        .find(|p| {
            p.district != app.project.district && p.location.is_some() && p.plan_for(2021).is_some()
        })
        .expect("a located project in another district");
    let at = other.location.expect("located");
    let path = format!(
        "/map.svg?year=2021&lon={}&lat={}&zoom=18&w=400&h=300",
        at.lon, at.lat
    );
    let link = format!("href=\"/projects/{}\"", other.id.0);
    let svg = app.get("office", &path).await;
    assert_eq!(svg.status, axum::http::StatusCode::OK, "{}", svg.body);
    assert!(svg.body.starts_with("<svg"), "the map alone: {}", svg.body);
    assert!(svg.body.contains("data-zoom=\"18\""));
    assert!(svg.body.contains(&link), "at street level it stands alone");
    assert!(svg.body.contains(&format!("data-name=\"{}\"", other.name)));
    // Another district's reader, at the same spot, never sees it.
    let svg = app.get("district", &path).await;
    assert_eq!(svg.status, axum::http::StatusCode::OK, "{}", svg.body);
    assert!(!svg.body.contains(&link), "outside the reader's scope");
    assert!(!svg.body.contains(&other.name));

    for (path, name) in [
        ("/map?zoom=99", "zoom"),
        ("/map?standing=late", "standing"),
        ("/map?light=green", "light"),
        ("/map.svg?lon=300&lat=30&zoom=5", "lon"),
        ("/map.svg?w=5", "w"),
        ("/map?shade=speed", "shade"),
    ] {
        let r = app.get("office", path).await;
        assert_eq!(
            r.status,
            axum::http::StatusCode::BAD_REQUEST,
            "{path}: {}",
            r.body
        );
        assert!(r.body.contains(name), "{path} names {name}: {}", r.body);
    }
}

async fn district_and_project_pages_carry_their_map(app: &App) {
    let district = app.project.district;
    let page = app
        .page("office", &format!("/districts/{}?year=2021", district.0))
        .await;
    assert!(page.contains("class=\"chart map-inset\""), "{page}");
    let link = page
        .split("figcaption><a href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a link under the inset map");
    assert!(
        link.starts_with("/map?year=2021") && link.ends_with(&format!("district={}", district.0)),
        "the full map of the district: {link}"
    );
    let project = app
        .city
        .projects
        .iter()
        .find(|p| p.location.is_some())
        .expect("a located project");
    let page = app
        .page("office", &format!("/projects/{}?year=2021", project.id.0))
        .await;
    assert!(page.contains("class=\"focus\""), "the project is ringed");
    assert!(page.contains("在项目地图上查看"));
}

async fn the_basemap_is_drawn_under_every_map_once_stored(app: &App) {
    let at = app.project.location.expect("the demo's project is located");
    let path = format!(
        "/map.svg?year=2021&lon={}&lat={}&zoom=15&w=600&h=400",
        at.lon, at.lat
    );
    let svg = app.get("office", &path).await;
    assert!(!svg.body.contains("class=\"basemap\""), "none stored yet");

    jianguan_app::basemap::store_demo(
        &*app.store,
        jianguan_app::Clock::system(),
        "test",
        &app.city,
    )
    .await
    .expect("the demo's basemap is stored")
    .expect("the demo has located projects");
    // Under the projects, at street level: the streets.
    let svg = app.get("office", &path).await.body;
    let (base, marks) = svg
        .split_once("class=\"basemap\"")
        .map(|(_, rest)| (rest, rest.split_once("class=\"pt\"").map(|p| p.1)))
        .expect("a basemap in the map");
    assert!(base.contains("class=\"b-minor\""), "streets: {svg}");
    assert!(marks.is_some(), "the projects drawn over it: {svg}");
    // A city-wide view keeps only the main roads.
    let page = app.page("office", "/map?year=2021").await;
    let city = page
        .split_once("class=\"basemap\"")
        .map(|(_, rest)| rest.split("</g>").next().unwrap_or(""))
        .expect("a basemap on the page");
    assert!(city.contains("b-major"), "{city}");
    assert!(
        !city.contains("b-minor"),
        "no side streets city-wide: {city}"
    );
    // The inset on a district's page and the wall's map carry it too.
    let district = app.project.district;
    let page = app
        .page("office", &format!("/districts/{}?year=2021", district.0))
        .await;
    assert!(page.contains("class=\"basemap\""), "{page}");
    let wall = app.page("office", "/wall?part=body").await;
    assert!(wall.contains("class=\"basemap\""), "{wall}");
    // Under the coverage maps too, the cells drawn translucent over it, with its credit.
    let coverage = app.page("office", "/coverage?year=2021").await;
    assert_eq!(
        coverage.matches("class=\"basemap\"").count(),
        2,
        "before and after"
    );
    assert!(coverage.contains("fill-opacity=\"0.72\""));
    assert!(
        coverage.contains("示例市生成数据"),
        "the generated city walked"
    );

    // With the city's own walking inputs stored with the basemap, coverage walks them: the
    // page says where they come from and counts their residents.
    let districts: Vec<_> = jianguan_app::coverage::demo_districts(&app.city)
        .into_iter()
        .map(|(_, d)| d)
        .collect();
    let own = jianguan_geo::synthetic::demo_city(&districts, 7);
    let people: f64 = own.population.iter().take(500).map(|p| p.population).sum();
    let mut prepared = jianguan_app::basemap::prepare_demo(&app.city)
        .unwrap()
        .unwrap();
    prepared.source = "city.osm.pbf".into();
    prepared.walk = Some(
        jianguan_app::basemap::Walk::new(
            own.network.clone(),
            own.facilities.clone(),
            own.population.iter().take(500).cloned().collect(),
            "residents.csv",
        )
        .unwrap(),
    );
    jianguan_app::basemap::store_prepared(
        &*app.store,
        jianguan_app::Clock::system(),
        "test",
        &prepared,
    )
    .await
    .unwrap();
    let coverage = app.page("office", "/coverage?year=2021").await;
    assert!(
        coverage.contains("取自 OpenStreetMap 文件 city.osm.pbf，居民取自 residents.csv"),
        "{coverage}"
    );
    let total = jianguan_web::fmt::count(people.round() as i64);
    assert!(
        coverage.contains(&format!(">{total}<")),
        "{total} residents: {coverage}"
    );
    assert_eq!(coverage.matches("class=\"basemap\"").count(), 2);
    let json = app.json("office", "/api/v1/coverage?year=2021").await;
    assert_eq!(
        (&json["network"]["osm"], &json["network"]["population"]),
        (&"city.osm.pbf".into(), &"residents.csv".into())
    );
}

scenarios!([
    the_basemap_is_drawn_under_every_map_once_stored,
    the_map_counts_the_located_projects_the_reader_may_see,
    a_street_level_view_links_each_project_within_the_readers_scope,
    district_and_project_pages_carry_their_map,
]);
