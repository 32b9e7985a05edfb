//! The basemap (`PortfolioStore::replace_basemap`), on a SQLite file and a PostgreSQL schema:
//! stored whole (with the city's walking inputs when given) with its audit record and the next revision, its levels read back byte for
//! byte, replaced whole; a refused write leaves the basemap, the data version and the audit
//! trail as they were.

use jianguan_audit::{AuditAction, AuditDraft};
use jianguan_domain::store::prelude::*;
use jianguan_domain::store::{BasemapWrite, StoreError};
use jianguan_store::Db;

use crate::{fresh_postgres, fresh_sqlite};

fn write(source: &str, levels: Vec<(u8, Vec<u8>)>) -> BasemapWrite {
    BasemapWrite {
        source: source.into(),
        summary: r#"{"attribution":"© OpenStreetMap 贡献者"}"#.into(),
        levels,
        walk_city: None,
        prepared_by: "ops".into(),
    }
}

fn draft() -> AuditDraft {
    AuditDraft::new(7, "ops", AuditAction::BasemapPrepare, "basemap").change(
        "source",
        None,
        "city.osm.pbf",
    )
}

async fn audits(db: &Db) -> Vec<String> {
    let (records, _) = db
        .audit_search(&jianguan_domain::store::AuditQuery {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    records.into_iter().map(|r| r.action).collect()
}

async fn a_basemap_is_stored_whole_and_replaced_whole(db: Db) {
    assert_eq!(db.basemap_info().await.unwrap(), None);
    assert!(db.basemap_levels().await.unwrap().is_empty());
    assert_eq!(db.basemap_walk_city().await.unwrap(), None);
    let before = db.data_version().await.unwrap();
    // Bytes of every value, including zeros, survive the round trip.
    let level9: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let walk: Vec<u8> = (0..=255u8).rev().cycle().take(300_000).collect();
    db.replace_basemap(
        &BasemapWrite {
            walk_city: Some(walk.clone()),
            ..write(
                "city.osm.pbf",
                vec![(9, level9.clone()), (12, vec![0, 1, 2])],
            )
        },
        &[draft()],
    )
    .await
    .expect("stored");
    let info = db.basemap_info().await.unwrap().expect("described");
    assert_eq!(info.revision, 1);
    assert_eq!(info.source, "city.osm.pbf");
    assert_eq!(info.prepared_by, "ops");
    assert!(info.summary.contains("OpenStreetMap"));
    assert!(info.prepared_at_ms > 0);
    assert_eq!(
        db.basemap_levels().await.unwrap(),
        vec![(9, level9), (12, vec![0, 1, 2])]
    );
    assert_eq!(db.basemap_walk_city().await.unwrap(), Some(walk.clone()));
    let after = db.data_version().await.unwrap();
    assert_eq!(after, before + 1, "nodes are told to look again");
    let (_, change) = db.changes_since(before).await.unwrap().unwrap();
    assert!(change.leaves_portfolio(), "nothing to re-read: {change:?}");
    assert_eq!(
        audits(&db).await.first().map(String::as_str),
        Some("basemap.prepare")
    );
    let audit_count = audits(&db).await.len();

    // Two levels for one zoom: refused whole, nothing changes.
    let twice = db
        .replace_basemap(
            &write("other.osm.pbf", vec![(9, vec![1]), (9, vec![2])]),
            &[draft()],
        )
        .await;
    assert!(
        matches!(&twice, Err(StoreError::Invalid(m)) if m.contains("两次")),
        "{twice:?}"
    );
    assert_eq!(db.basemap_info().await.unwrap(), Some(info));
    assert_eq!(db.basemap_levels().await.unwrap().len(), 2);
    assert_eq!(db.basemap_walk_city().await.unwrap(), Some(walk));
    assert_eq!(db.data_version().await.unwrap(), after);
    assert_eq!(audits(&db).await.len(), audit_count);

    // A new basemap replaces the old one whole, with the next revision.
    db.replace_basemap(&write("demo", vec![(14, vec![7])]), &[draft()])
        .await
        .unwrap();
    let info = db.basemap_info().await.unwrap().unwrap();
    assert_eq!((info.revision, info.source.as_str()), (2, "demo"));
    assert_eq!(db.basemap_levels().await.unwrap(), vec![(14, vec![7])]);
    // A basemap without residents leaves no walking inputs behind.
    assert_eq!(db.basemap_walk_city().await.unwrap(), None);
}

macro_rules! backend {
    ($name:ident, $fresh:path $(, #[$attr:meta])*) => {
        mod $name {
            #[tokio::test]
            $(#[$attr])*
            async fn a_basemap_is_stored_whole_and_replaced_whole() {
                let (_guard, db) = $fresh().await;
                super::a_basemap_is_stored_whole_and_replaced_whole(db).await;
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
