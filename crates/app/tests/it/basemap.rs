//! The basemap through the use cases, on the demo city: its generated streets stored and drawn
//! under a view; two nodes on one database both pick up a new basemap by its revision; an
//! extract of another city is refused with nothing written; the city's own walking inputs
//! stored with a basemap are what coverage walks, on every node, and residents of another city
//! are refused.

use std::sync::Arc;

use jianguan_app::basemap::{self, BasemapError, Prepared, Walk};
use jianguan_app::coverage::Origin;
use jianguan_app::{App, Clock};
use jianguan_charts::Lang;
use jianguan_charts::basemap::BaseStyle;
use jianguan_domain::Date;
use jianguan_domain::map::Viewport;
use jianguan_domain::model::GeoPoint;
use jianguan_domain::store::Actor;
use jianguan_domain::store::prelude::*;
use jianguan_geo::PopulationPoint;
use jianguan_geo::basemap::{Feature, Layer};
use jianguan_store::Db;

async fn scenario(store: Db) {
    let city = jianguan_demo::demo_city();
    store
        .create_portfolio(
            &city,
            &Actor {
                name: "test".into(),
                client: None,
            },
            &|_, _| {},
        )
        .await
        .expect("the demo city is written");
    let store = Arc::new(store);
    let (one, two) = (
        App::new(store.clone(), Clock::system()),
        App::new(store.clone(), Clock::system()),
    );
    for node in [&one, &two] {
        let snap = node.snapshot().await.unwrap();
        assert!(
            node.basemap(&snap).await.unwrap().is_none(),
            "none stored yet"
        );
    }
    jianguan_app::districts::store_generated(
        store.as_ref(),
        Clock::system(),
        "demo",
        jianguan_app::districts::demo_boundaries(&city),
        "示例数据",
    )
    .await
    .unwrap();

    // The demo's streets: main, secondary and minor roads, stored under the boundaries.
    let prepared = basemap::store_demo(store.as_ref(), Clock::system(), "demo", &city)
        .await
        .unwrap()
        .expect("the demo has located projects");
    let layers: Vec<Layer> = prepared.counts.iter().map(|(l, _)| *l).collect();
    assert_eq!(layers, vec![Layer::Minor, Layer::Secondary, Layer::Major]);
    let info = store.basemap_info().await.unwrap().unwrap();
    assert_eq!(info.revision, 1);

    // Both nodes see it once their snapshot moved past the write.
    let snap = one.snapshot().await.unwrap();
    let held = one.basemap(&snap).await.unwrap().expect("picked up");
    let again = one.basemap(&snap).await.unwrap().expect("held");
    assert!(Arc::ptr_eq(&held, &again), "read once per revision");
    let snap_two = two.snapshot().await.unwrap();
    assert!(two.basemap(&snap_two).await.unwrap().is_some());

    // Drawn under a street-level view of 映湖区: streets and their names' absence (the demo has
    // no places); nothing below the basemap's lowest zoom.
    let centre = GeoPoint {
        lon: 114.40,
        lat: 29.27,
    };
    let street = Viewport {
        centre,
        zoom: 15,
        width: 800,
        height: 600,
    };
    let drawing = jianguan_app::maps::base_drawing(&held, &street, Lang::Zh);
    let styles: Vec<BaseStyle> = drawing.layers.iter().map(|(s, _)| *s).collect();
    assert!(styles.contains(&BaseStyle::Minor), "{styles:?}");
    let minor = drawing
        .layers
        .iter()
        .find(|(s, _)| *s == BaseStyle::Minor)
        .map(|(_, lines)| lines.len())
        .unwrap_or(0);
    assert!(minor > 20, "{minor} streets in view");
    // Every line drawn comes near the view (within the index's margin and a street's length).
    for (_, lines) in &drawing.layers {
        for line in lines {
            assert!(
                line.iter()
                    .any(|&(x, y)| (-2000.0..2800.0).contains(&x) && (-2000.0..2600.0).contains(&y)),
                "a line far from the view"
            );
        }
    }
    let country = Viewport { zoom: 6, ..street };
    assert!(jianguan_app::maps::base_drawing(&held, &country, Lang::Zh).is_empty());

    // Another city's extract (Porto Alegre's box) is refused naming both boxes; nothing changes.
    let elsewhere = Prepared::new(
        "poa_osm.pbf",
        &[Feature {
            layer: Layer::Major,
            rank: 0,
            name: None,
            parts: vec![vec![(-51.23, -30.03), (-51.20, -30.01)]],
        }],
        Vec::new(),
        Some(basemap::OSM_ATTRIBUTION),
    )
    .unwrap();
    let refused = basemap::store_prepared(store.as_ref(), Clock::system(), "ops", &elsewhere).await;
    let Err(BasemapError::OutsideCity(message)) = refused else {
        panic!("{refused:?}");
    };
    assert!(
        message.contains("poa_osm.pbf") && message.contains("-51.230") && message.contains("114."),
        "{message}"
    );
    assert_eq!(store.basemap_info().await.unwrap(), Some(info));

    // Until walking inputs are stored, coverage walks the generated city.
    let snap = one.snapshot().await.unwrap();
    let generated_coverage = one.coverage(&snap).await.unwrap();
    let generated_city = generated_coverage.city.as_ref().expect("generated");
    assert_eq!(generated_city.origin, Origin::Generated);

    // The city's own inputs (here another draw of the demo's streets and residents): residents nowhere near its streets are refused, naming the file.
    let districts: Vec<_> = jianguan_app::coverage::demo_districts(&city)
        .into_iter()
        .map(|(_, d)| d)
        .collect();
    let own = jianguan_geo::synthetic::demo_city(&districts, 7);
    let residents: Vec<PopulationPoint> = own.population.clone();
    let people: f64 = residents.iter().map(|p| p.population).sum();
    let far = vec![PopulationPoint {
        id: "1".into(),
        lon: 29.27,
        lat: 114.40,
        population: 100.0,
    }];
    let refused = Walk::new(own.network.clone(), Vec::new(), far, "residents.csv");
    let Err(BasemapError::Residents(message)) = refused else {
        panic!("{refused:?}");
    };
    assert!(
        message.contains("residents.csv") && message.contains("经纬度填反"),
        "{message}"
    );
    let mut prepared = basemap::prepare_demo(&city).unwrap().unwrap();
    prepared.source = "city.osm.pbf".into();
    let walk = Walk::new(
        own.network.clone(),
        own.facilities.clone(),
        residents.clone(),
        "residents.csv",
    )
    .unwrap();
    // A few rural cells lie more than 250 m from any street: counted, not placed.
    assert!(
        walk.people_unplaced > 0.0 && walk.people_unplaced < people * 0.05,
        "{} of {people}",
        walk.people_unplaced
    );
    assert_eq!(walk.city.cell_m, 400.0, "the demo's cells are 400 m apart");
    prepared.walk = Some(walk);
    basemap::store_prepared(store.as_ref(), Clock::system(), "ops", &prepared)
        .await
        .unwrap();

    // Both nodes now walk the stored inputs: its network, its residents, its facilities and the
    // finished projects'.
    for node in [&one, &two] {
        let snap = node.snapshot().await.unwrap();
        let coverage = node.coverage(&snap).await.unwrap();
        let walked = coverage.city.as_ref().expect("stored inputs");
        assert_eq!(
            walked.origin,
            Origin::Stored {
                network: "city.osm.pbf".into(),
                population: "residents.csv".into()
            }
        );
        assert_eq!(walked.network.node_count(), own.network.node_count());
        // Stored at 1e-7° (about a centimetre): the same residents, no farther than that.
        assert_eq!(walked.population.points.len(), residents.len());
        for (got, given) in walked.population.points.iter().zip(&residents) {
            assert_eq!((&got.id, got.population), (&given.id, given.population));
            assert!((got.lon - given.lon).abs() < 1e-7 && (got.lat - given.lat).abs() < 1e-7);
        }
        let projects = walked
            .facilities
            .iter()
            .filter(|f| jianguan_app::coverage::project_of(&f.id).is_some())
            .count();
        assert_eq!(
            projects,
            generated_city
                .facilities
                .iter()
                .filter(|f| jianguan_app::coverage::project_of(&f.id).is_some())
                .count()
        );
        assert!(projects > 0 && walked.facilities.len() > projects);
        let as_of = Date::constant(2021, 12, 31);
        let report = coverage
            .report(Date::constant(2021, 1, 1), as_of)
            .await
            .unwrap()
            .expect("a report");
        let citywide = report
            .coverage
            .iter()
            .find(|r| r.kind == "park" && r.threshold_m == 400.0 && r.district.is_none())
            .expect("citywide parks at 400 m");
        assert_eq!(citywide.population_total, people);
        assert!(citywide.population_covered > 0.0);
        // The districts are the stored boundaries, all nine.
        assert_eq!(walked.districts.len(), 9);
    }
    let held = one
        .basemap(&one.snapshot().await.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(held.revision, 2);
    // A basemap stored without residents takes the walking inputs away with the old one.
    basemap::store_demo(store.as_ref(), Clock::system(), "demo", &city)
        .await
        .unwrap();
    let snap = one.snapshot().await.unwrap();
    let coverage = one.coverage(&snap).await.unwrap();
    assert_eq!(coverage.city.as_ref().unwrap().origin, Origin::Generated);
}

#[tokio::test]
async fn basemap_on_sqlite() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = dir.path().join("jianguan.db").display().to_string();
    scenario(jianguan_store::open(&url).await.expect("a new SQLite file")).await;
}

#[tokio::test]
#[cfg_attr(
    not(pg_tests),
    ignore = "set JIANGUAN_TEST_POSTGRES_URL to run the PostgreSQL tests"
)]
async fn basemap_on_postgres() {
    let guard = jianguan_store::testing::fresh_postgres_schema().await;
    scenario(
        jianguan_store::open(&guard.url)
            .await
            .expect("a new schema"),
    )
    .await;
}
