//! District boundaries through the use cases, on the demo city: only the office imports; the
//! generated boundaries are the coverage city's own; an export imports back unchanged; a node
//! holding a snapshot sees a new set by catching up; a refused import writes nothing.

use std::sync::Arc;

use jianguan_access::Role;
use jianguan_app::coverage::City;
use jianguan_app::districts::{
    self, DistrictsError, ImportOptions, Requester, demo_boundaries, export_boundaries,
    import_boundaries,
};
use jianguan_app::{App, Clock};
use jianguan_domain::boundary::Boundary;
use jianguan_domain::store::Actor;
use jianguan_domain::store::prelude::*;
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
    let app = App::new(store.clone(), Clock::system());
    let before = app.snapshot().await.unwrap();
    assert!(before.portfolio.district_boundaries.is_empty());

    // The generated boundaries are exactly the cells the coverage city draws for the same
    // districts (rounded to the centimetre they are stored at).
    let generated = demo_boundaries(&city);
    assert_eq!(generated.len(), 9);
    let coverage = City::build(&city, None).expect("the demo city has located projects");
    for (unit, boundary) in &generated {
        let i = coverage.district_index(*unit).expect("a coverage district");
        let drawn = Boundary::from_coordinates(coverage.districts[i].coordinates()).normalised();
        assert_eq!(&drawn, boundary, "{unit}");
    }
    let stored = districts::store_generated(
        store.as_ref(),
        Clock::system(),
        "demo",
        generated.clone(),
        "示例数据",
    )
    .await
    .unwrap();
    assert_eq!(stored, 9);

    // A node holding a snapshot catches up to the new set.
    let after = app.snapshot().await.unwrap();
    assert!(after.version > before.version);
    for (unit, boundary) in &generated {
        assert_eq!(after.portfolio.boundary(*unit), Some(boundary));
    }
    assert!(after.portfolio.city_bounds().is_some());
    // Coverage built from the stored portfolio uses the stored lines: the same ones.
    let rebuilt = City::build(&after.portfolio, None).unwrap();
    for (unit, boundary) in &generated {
        let i = rebuilt.district_index(*unit).unwrap();
        assert_eq!(
            &Boundary::from_coordinates(rebuilt.districts[i].coordinates()),
            boundary
        );
    }

    // The export imports back unchanged.
    let exported = export_boundaries(store.as_ref()).await.unwrap();
    let version = store.data_version().await.unwrap();
    let dry = import_boundaries(
        store.as_ref(),
        Clock::system(),
        Requester::Operator("cli"),
        &exported,
        "export.geojson",
        &ImportOptions {
            dry_run: true,
            ..ImportOptions::default()
        },
    )
    .await
    .unwrap();
    assert!(!dry.written);
    assert!(dry.without.is_empty(), "{:?}", dry.without);
    assert_eq!(
        store.data_version().await.unwrap(),
        version,
        "a dry run writes nothing"
    );
    let office = [Role::HqOffice];
    let done = import_boundaries(
        store.as_ref(),
        Clock::system(),
        Requester::Account {
            name: "office",
            roles: &office,
        },
        &exported,
        "export.geojson",
        &ImportOptions::default(),
    )
    .await
    .unwrap();
    assert!(done.written);
    assert_eq!(
        done.districts
            .iter()
            .map(|d| (d.unit, d.boundary.clone()))
            .collect::<Vec<_>>(),
        generated
    );
    assert_eq!(export_boundaries(store.as_ref()).await.unwrap(), exported);

    // Only the office may import; a refused import (a district twice) writes nothing either.
    let version = store.data_version().await.unwrap();
    for roles in [[Role::DistrictStaff], [Role::HqLeader], [Role::SystemAdmin]] {
        let denied = import_boundaries(
            store.as_ref(),
            Clock::system(),
            Requester::Account {
                name: "someone",
                roles: &roles,
            },
            &exported,
            "export.geojson",
            &ImportOptions::default(),
        )
        .await;
        assert!(
            matches!(&denied, Err(DistrictsError::Denied(m)) if m.starts_with("无权")),
            "{denied:?}"
        );
    }
    let doubled = exported.replacen("\n]}", &format!(",\n{}\n]}}", first_feature(&exported)), 1);
    let refused = import_boundaries(
        store.as_ref(),
        Clock::system(),
        Requester::Operator("cli"),
        &doubled,
        "doubled.geojson",
        &ImportOptions::default(),
    )
    .await;
    assert!(
        matches!(&refused, Err(DistrictsError::Features(list)) if list.len() == 1 && list[0].contains("第 10 个要素")),
        "{refused:?}"
    );
    assert_eq!(store.data_version().await.unwrap(), version);
    assert_eq!(export_boundaries(store.as_ref()).await.unwrap(), exported);
}

/// The first feature line of an export.
fn first_feature(exported: &str) -> &str {
    exported
        .lines()
        .nth(1)
        .expect("a feature line")
        .trim_end_matches(',')
}

#[tokio::test]
async fn district_boundaries_on_sqlite() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = dir.path().join("jianguan.db").display().to_string();
    scenario(jianguan_store::open(&url).await.expect("a new SQLite file")).await;
}

#[tokio::test]
#[cfg_attr(
    not(pg_tests),
    ignore = "set JIANGUAN_TEST_POSTGRES_URL to run the PostgreSQL tests"
)]
async fn district_boundaries_on_postgres() {
    let guard = jianguan_store::testing::fresh_postgres_schema().await;
    scenario(
        jianguan_store::open(&guard.url)
            .await
            .expect("a new schema"),
    )
    .await;
}
