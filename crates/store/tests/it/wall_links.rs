//! Wall links (`WallLinkStore`), on a SQLite file and a PostgreSQL schema: made with their
//! audit record in one transaction, found by token hash only, listed newest first, revoked
//! once (a second revocation and an unknown link refused, changing nothing), their use noted;
//! none of it moves the data version. A link naming a unit that does not exist is refused.

use jianguan_audit::{AuditAction, AuditDraft};
use jianguan_domain::model::{Portfolio, Unit, UnitId, UnitKind};
use jianguan_domain::store::prelude::*;
use jianguan_domain::store::{CityInit, RecordScope, StoreError, WallLinkRecord};
use jianguan_store::Db;

use crate::{fresh_postgres, fresh_sqlite};

/// A city with its office (id 1) and one district (id 2).
async fn city(db: &Db) {
    let unit = |id, kind, name: &str, parent| Unit {
        id: UnitId(id),
        kind,
        name: name.into(),
        parent,
        active: true,
    };
    db.init_city(
        &CityInit {
            records: Portfolio {
                units: vec![
                    unit(1, UnitKind::CommandHq, "测试市指挥部办公室", None),
                    unit(2, UnitKind::District, "东湖区", Some(UnitId(1))),
                ],
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
}

fn link(hash: &str, label: &str, scope: RecordScope, at_ms: i64) -> WallLinkRecord {
    WallLinkRecord {
        id: 0,
        token_hash: hash.into(),
        label: label.into(),
        scope,
        created_by: "office".into(),
        created_at_ms: at_ms,
        expires_on: None,
        revoked_at_ms: None,
        revoked_by: None,
        last_used_ms: None,
    }
}

fn created() -> AuditDraft {
    AuditDraft::new(10, "office", AuditAction::WallLinkCreate, "wall_link").change(
        "label",
        None,
        "指挥中心大屏",
    )
}

fn revoked() -> AuditDraft {
    AuditDraft::new(20, "office", AuditAction::WallLinkRevoke, "wall_link")
}

async fn audit_trail(db: &Db) -> Vec<(String, String)> {
    db.audit_records(0, i64::MAX)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.action, r.object))
        .collect()
}

async fn wall_links_are_made_found_by_hash_revoked_once_and_audited(db: Db) {
    city(&db).await;
    let version = db.data_version().await.unwrap();
    let audits = audit_trail(&db).await.len();

    let mut city_wide = link(&"a".repeat(64), "指挥中心大屏", RecordScope::All, 1_000);
    city_wide.expires_on = Some(jiff::civil::date(2026, 12, 31));
    let first = db.create_wall_link(&city_wide, &created()).await.unwrap();
    let district = link(
        &"b".repeat(64),
        "东湖区会议室",
        RecordScope::District(UnitId(2)),
        2_000,
    );
    let second = db.create_wall_link(&district, &created()).await.unwrap();
    assert_ne!(first, second);

    // Found by its hash, as written; an unknown hash finds nothing.
    let found = db
        .wall_link_by_token(&"a".repeat(64))
        .await
        .unwrap()
        .expect("found by its hash");
    assert_eq!(
        found,
        WallLinkRecord {
            id: first,
            ..city_wide.clone()
        }
    );
    let found = db.wall_link_by_token(&"b".repeat(64)).await.unwrap();
    assert_eq!(
        found.map(|l| l.scope),
        Some(RecordScope::District(UnitId(2)))
    );
    assert_eq!(db.wall_link_by_token(&"c".repeat(64)).await.unwrap(), None);

    // Listed newest first; each creation audited with the link's id; no data version moved.
    let listed: Vec<i64> = db
        .wall_links()
        .await
        .unwrap()
        .iter()
        .map(|l| l.id)
        .collect();
    assert_eq!(listed, [second, first]);
    let trail = audit_trail(&db).await;
    assert_eq!(trail.len(), audits + 2);
    assert_eq!(
        trail[audits..],
        [
            ("wall_link.create".to_string(), format!("wall_link:{first}")),
            (
                "wall_link.create".to_string(),
                format!("wall_link:{second}")
            ),
        ]
    );
    assert_eq!(db.data_version().await.unwrap(), version);

    // A token hash is unique; a unit that does not exist is a missing reference. Neither
    // leaves a link or an audit record.
    let again = db.create_wall_link(&city_wide, &created()).await;
    assert!(
        matches!(again, Err(StoreError::Duplicate { .. })),
        "{again:?}"
    );
    let nowhere = link(
        &"d".repeat(64),
        "无此单位",
        RecordScope::District(UnitId(99)),
        3,
    );
    let nowhere = db.create_wall_link(&nowhere, &created()).await;
    assert!(
        matches!(nowhere, Err(StoreError::MissingReference { .. })),
        "{nowhere:?}"
    );
    assert_eq!(db.wall_links().await.unwrap().len(), 2);
    assert_eq!(audit_trail(&db).await.len(), audits + 2);

    // Its use noted.
    db.touch_wall_link(second, 5_000).await.unwrap();
    let used = db.wall_link_by_token(&"b".repeat(64)).await.unwrap();
    assert_eq!(used.and_then(|l| l.last_used_ms), Some(5_000));

    // Revoked once, by whom and when, audited; again, or an unknown link, refused.
    db.revoke_wall_link(first, "office", 9_000, &revoked())
        .await
        .unwrap();
    let gone = db
        .wall_link_by_token(&"a".repeat(64))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(gone.revoked_at_ms, Some(9_000));
    assert_eq!(gone.revoked_by.as_deref(), Some("office"));
    let twice = db.revoke_wall_link(first, "other", 9_500, &revoked()).await;
    assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");
    let unknown = db.revoke_wall_link(999, "office", 9_500, &revoked()).await;
    assert!(
        matches!(unknown, Err(StoreError::NotFound(_))),
        "{unknown:?}"
    );
    let still = db
        .wall_link_by_token(&"a".repeat(64))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (still.revoked_at_ms, still.revoked_by.as_deref()),
        (Some(9_000), Some("office")),
        "the first revocation stands"
    );
    let trail = audit_trail(&db).await;
    assert_eq!(trail.len(), audits + 3);
    assert_eq!(
        trail.last(),
        Some(&("wall_link.revoke".to_string(), format!("wall_link:{first}")))
    );
    assert_eq!(db.data_version().await.unwrap(), version);
}

macro_rules! backend {
    ($name:ident, $fresh:path $(, #[$attr:meta])*) => {
        mod $name {
            #[tokio::test]
            $(#[$attr])*
            async fn wall_links_are_made_found_by_hash_revoked_once_and_audited() {
                let (_guard, db) = $fresh().await;
                super::wall_links_are_made_found_by_hash_revoked_once_and_audited(db).await;
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
