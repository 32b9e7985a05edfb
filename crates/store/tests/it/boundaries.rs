//! District boundaries (`PortfolioStore::replace_district_boundaries`), on a SQLite file and a
//! PostgreSQL schema: the whole set replaced in one transaction with its audit record, read back
//! as written (holes and islands kept) by every read of the records, logged as a unit change;
//! a refused import leaves the set, the data version and the audit trail as they were.

use jianguan_audit::{AuditAction, AuditDraft};
use jianguan_domain::boundary::{Boundary, BoundaryPolygon};
use jianguan_domain::model::{GeoPoint, Portfolio, Unit, UnitId, UnitKind};
use jianguan_domain::store::prelude::*;
use jianguan_domain::store::{BoundaryWrite, CityInit, StoreError, UnitWrite};
use jianguan_store::Db;

use crate::{fresh_postgres, fresh_sqlite};

fn unit(id: i64, kind: UnitKind, name: &str, parent: Option<i64>) -> Unit {
    Unit {
        id: UnitId(id),
        kind,
        name: name.into(),
        parent: parent.map(UnitId),
        active: true,
    }
}

fn square(lon: f64, lat: f64, side: f64) -> Vec<GeoPoint> {
    [
        (lon, lat),
        (lon + side, lat),
        (lon + side, lat + side),
        (lon, lat + side),
        (lon, lat),
    ]
    .into_iter()
    .map(|(lon, lat)| GeoPoint { lon, lat })
    .collect()
}

/// 东湖区: the main land with an enclave cut out, and two islands (rounded as stored).
fn east_lake() -> Boundary {
    Boundary {
        polygons: vec![
            BoundaryPolygon {
                exterior: square(114.0, 29.0, 0.3),
                holes: vec![square(114.1, 29.1, 0.05)],
            },
            BoundaryPolygon {
                exterior: square(114.4, 29.0, 0.02),
                holes: vec![],
            },
            BoundaryPolygon {
                // Seven decimals, all of them kept.
                exterior: square(114.45, 29.012_345_6, 0.013_579),
                holes: vec![],
            },
        ],
    }
    .normalised()
}

fn west_hill() -> Boundary {
    Boundary {
        polygons: vec![BoundaryPolygon {
            exterior: square(113.6, 29.0, 0.3),
            holes: vec![],
        }],
    }
    .normalised()
}

/// A city with two districts (ids 2, 3) and a lead unit (id 4).
async fn city(db: &Db) {
    db.init_city(
        &CityInit {
            records: Portfolio {
                units: vec![unit(1, UnitKind::CommandHq, "测试市指挥部办公室", None)],
                ..Default::default()
            },
            settings: vec![("city".into(), "city = \"测试市\"\n".into())],
            ..Default::default()
        },
        "init",
        &[AuditDraft::new(1, "test", AuditAction::CityInit, "city")],
    )
    .await
    .unwrap();
    let version = db.data_version().await.unwrap();
    db.save_units(
        &UnitWrite {
            new: vec![
                unit(2, UnitKind::District, "东湖区", Some(1)),
                unit(3, UnitKind::District, "西山区", Some(1)),
                unit(4, UnitKind::LeadUnit, "市住建局", None),
            ],
            changed: vec![],
            expected_version: version,
        },
        &[AuditDraft::new(
            1,
            "test",
            AuditAction::UnitCreate,
            "unit:2",
        )],
    )
    .await
    .unwrap();
}

fn import(boundaries: Vec<(i64, Boundary)>, expected_version: i64) -> BoundaryWrite {
    BoundaryWrite {
        boundaries: boundaries
            .into_iter()
            .map(|(id, b)| (UnitId(id), b))
            .collect(),
        imported_by: "office".into(),
        expected_version,
    }
}

fn draft() -> AuditDraft {
    AuditDraft::new(
        7,
        "office",
        AuditAction::DistrictBoundariesImport,
        "district_boundaries",
    )
    .change("districts", None, "东湖区、西山区")
}

async fn audit_actions(db: &Db) -> Vec<String> {
    let (records, _) = db
        .audit_search(&jianguan_domain::store::AuditQuery {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    records.into_iter().map(|r| r.action).collect()
}

async fn boundaries_round_trip_with_holes_and_islands_and_a_refused_import_changes_nothing(db: Db) {
    city(&db).await;
    let before = db.data_version().await.unwrap();
    db.replace_district_boundaries(
        &import(vec![(2, east_lake()), (3, west_hill())], before),
        &[draft()],
    )
    .await
    .expect("two districts' boundaries are stored");
    let after = db.data_version().await.unwrap();
    assert_eq!(after, before + 1, "the data version moved");

    // Read back as written, with who imported them.
    let stored = db.district_boundaries().await.unwrap();
    assert_eq!(stored.len(), 2);
    assert_eq!(
        (stored[0].unit, &stored[0].boundary),
        (UnitId(2), &east_lake())
    );
    assert_eq!(stored[0].imported_by, "office");
    assert!(stored[0].imported_at_ms > 0);
    assert_eq!(stored[0].boundary.hole_count(), 1);
    assert_eq!(stored[0].boundary.polygons.len(), 3);
    assert_eq!(
        (stored[1].unit, &stored[1].boundary),
        (UnitId(3), &west_hill())
    );

    // Every read of the records carries them; the change is logged as a unit change, so a
    // node catching up re-reads them.
    for portfolio in [
        db.load_read_model().await.unwrap().portfolio,
        db.load_records().await.unwrap(),
        db.load_portfolio().await.unwrap(),
    ] {
        assert_eq!(portfolio.boundary(UnitId(2)), Some(&east_lake()));
        assert_eq!(portfolio.boundary(UnitId(3)), Some(&west_hill()));
        assert_eq!(portfolio.boundary(UnitId(4)), None);
        assert_eq!(
            portfolio.city_bounds(),
            Some((113.6, 29.0, 114.463_579, 29.3))
        );
    }
    let (reached, change) = db.changes_since(before).await.unwrap().unwrap();
    assert_eq!(reached, after);
    assert!(change.units, "{change:?}");
    let part = db.load_read_model_part(&change).await.unwrap();
    let part_boundaries = part.district_boundaries.expect("re-read with the units");
    assert_eq!(part_boundaries.len(), 2);
    assert_eq!(*part_boundaries[&UnitId(2)], east_lake());
    assert_eq!(
        audit_actions(&db).await.first().map(String::as_str),
        Some("district_boundaries.import")
    );
    let audits = audit_actions(&db).await.len();

    // A set naming a unit that does not exist is refused whole: the boundary of 西山区 written
    // before it in the same import is not kept, and the old set stays.
    let unknown = db
        .replace_district_boundaries(
            &import(vec![(3, east_lake()), (99, west_hill())], after),
            &[draft()],
        )
        .await;
    assert!(
        matches!(unknown, Err(StoreError::NotFound(_))),
        "{unknown:?}"
    );
    // A unit that is not a district, and one named twice, likewise.
    let lead_unit = db
        .replace_district_boundaries(&import(vec![(4, west_hill())], after), &[draft()])
        .await;
    assert!(
        matches!(&lead_unit, Err(StoreError::Invalid(m)) if m.contains("不是县区")),
        "{lead_unit:?}"
    );
    let twice = db
        .replace_district_boundaries(
            &import(vec![(2, west_hill()), (2, east_lake())], after),
            &[draft()],
        )
        .await;
    assert!(matches!(twice, Err(StoreError::Invalid(_))), "{twice:?}");
    // A set checked against an older version is stale.
    let stale = db
        .replace_district_boundaries(&import(vec![], before), &[draft()])
        .await;
    assert!(matches!(stale, Err(StoreError::Stale { .. })), "{stale:?}");
    assert_eq!(db.district_boundaries().await.unwrap(), stored);
    assert_eq!(db.data_version().await.unwrap(), after);
    assert_eq!(audit_actions(&db).await.len(), audits);

    // The whole set is replaced: a district left out has no boundary afterwards.
    db.replace_district_boundaries(&import(vec![(3, east_lake())], after), &[draft()])
        .await
        .unwrap();
    let stored = db.district_boundaries().await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(
        (stored[0].unit, &stored[0].boundary),
        (UnitId(3), &east_lake())
    );
    let records = db.load_records().await.unwrap();
    assert_eq!(records.boundary(UnitId(2)), None);
}

macro_rules! backend {
    ($name:ident, $fresh:path $(, #[$attr:meta])*) => {
        mod $name {
            #[tokio::test]
            $(#[$attr])*
            async fn boundaries_round_trip_with_holes_and_islands_and_a_refused_import_changes_nothing() {
                let (_guard, db) = $fresh().await;
                super::boundaries_round_trip_with_holes_and_islands_and_a_refused_import_changes_nothing(db).await;
            }
        }
    };
}

backend!(sqlite, super::fresh_sqlite);
backend!(
    postgres,
    super::fresh_postgres,
    #[cfg_attr(
        not(pg_tests),
        ignore = "set JIANGUAN_TEST_POSTGRES_URL to run the PostgreSQL contract tests"
    )]
);
