//! The organisation's writes (`Store::init_city`, `Store::save_units`), on a SQLite file and a
//! PostgreSQL schema: a city is set up only in an empty database, in one transaction with its
//! settings and audit records; units are created and changed in one transaction, refused whole
//! when the data changed since the change was checked.

use jianguan_audit::{AuditAction, AuditDraft};
use jianguan_domain::model::{Portfolio, Unit, UnitId, UnitKind};
use jianguan_domain::store::prelude::*;
use jianguan_domain::store::{CityInit, StoreError, UnitWrite};
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

fn city() -> CityInit {
    CityInit {
        records: Portfolio {
            units: vec![unit(1, UnitKind::CommandHq, "测试市指挥部办公室", None)],
            ..Default::default()
        },
        settings: vec![("city".into(), "city = \"测试市\"\n".into())],
        ..Default::default()
    }
}

fn draft(action: AuditAction) -> AuditDraft {
    AuditDraft::new(1, "org-test", action, "unit:1")
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

async fn a_city_is_set_up_once_with_its_settings_and_audit(db: Db) {
    let before = db.data_version().await.unwrap();
    db.init_city(&city(), "init", &[draft(AuditAction::CityInit)])
        .await
        .expect("an empty database takes a city");
    assert!(db.data_version().await.unwrap() > before);
    assert_eq!(db.load_units().await.unwrap().len(), 1);
    assert_eq!(db.setting("city").await.unwrap().unwrap().version, 1);
    assert_eq!(audit_actions(&db).await, vec!["city.init".to_string()]);
    let again = db
        .init_city(&city(), "init", &[draft(AuditAction::CityInit)])
        .await;
    assert!(matches!(again, Err(StoreError::NotEmpty)), "{again:?}");
    assert_eq!(db.setting("city").await.unwrap().unwrap().version, 1);
    assert_eq!(audit_actions(&db).await.len(), 1);
}

async fn units_are_created_and_changed_in_one_transaction_or_not_at_all(db: Db) {
    db.init_city(&city(), "init", &[draft(AuditAction::CityInit)])
        .await
        .unwrap();
    let version = db.data_version().await.unwrap();
    let write = UnitWrite {
        new: vec![
            unit(2, UnitKind::District, "东湖区", Some(1)),
            unit(3, UnitKind::ResponsibleUnit, "东湖区住建局", Some(2)),
        ],
        changed: vec![],
        expected_version: version,
    };
    db.save_units(&write, &[draft(AuditAction::UnitCreate)])
        .await
        .unwrap();
    // The same write again is stale: nothing is written.
    let stale = db
        .save_units(&write, &[draft(AuditAction::UnitCreate)])
        .await;
    assert!(matches!(stale, Err(StoreError::Stale { .. })), "{stale:?}");
    let version = db.data_version().await.unwrap();
    let mut renamed = unit(2, UnitKind::District, "东湖新区", Some(1));
    renamed.active = false;
    db.save_units(
        &UnitWrite {
            new: vec![],
            changed: vec![renamed.clone()],
            expected_version: version,
        },
        &[draft(AuditAction::UnitRename)],
    )
    .await
    .unwrap();
    let units = db.load_units().await.unwrap();
    assert_eq!(units.len(), 3);
    assert_eq!(units[1], renamed);
    // A missing unit is refused, and the new unit written with it is not kept.
    let version = db.data_version().await.unwrap();
    let missing = db
        .save_units(
            &UnitWrite {
                new: vec![unit(4, UnitKind::LeadUnit, "市住建局", None)],
                changed: vec![unit(99, UnitKind::LeadUnit, "无", None)],
                expected_version: version,
            },
            &[draft(AuditAction::UnitMove)],
        )
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound(_))),
        "{missing:?}"
    );
    assert_eq!(db.load_units().await.unwrap().len(), 3);
    assert_eq!(db.data_version().await.unwrap(), version);
    assert_eq!(
        audit_actions(&db).await,
        vec!["unit.rename", "unit.create", "city.init"]
    );
}

macro_rules! backend {
    ($name:ident, $fresh:path $(, #[$attr:meta])*) => {
        mod $name {
            #[tokio::test]
            $(#[$attr])*
            async fn a_city_is_set_up_once_with_its_settings_and_audit() {
                let (_guard, db) = $fresh().await;
                super::a_city_is_set_up_once_with_its_settings_and_audit(db).await;
            }

            #[tokio::test]
            $(#[$attr])*
            async fn units_are_created_and_changed_in_one_transaction_or_not_at_all() {
                let (_guard, db) = $fresh().await;
                super::units_are_created_and_changed_in_one_transaction_or_not_at_all(db).await;
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
