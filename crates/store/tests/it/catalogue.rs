//! The catalogue's contract (`Store::save_category`, `Store::category_versions`), on real SQLite
//! files and PostgreSQL schemas over the demo city: a saved template is a new version with a row
//! of history and an audit record, a raced save is refused and writes nothing, a new category
//! gets the next id — and no save changes a single milestone of any project.

use std::sync::LazyLock;

use jianguan_audit::{AuditAction, AuditDraft};
use jianguan_domain::model::{Category, CategoryId, Milestone, Portfolio, TemplateStep};
use jianguan_domain::store::prelude::*;
use jianguan_domain::store::{Actor, Field, StoreError};
use jianguan_store::Db;
use jianguan_store::testing::PostgresSchema;
use tempfile::TempDir;

async fn fresh_sqlite() -> (TempDir, Db) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("jianguan.db").display().to_string();
    let db = jianguan_store::open(&path).await.expect("opens");
    (dir, db)
}

async fn fresh_postgres() -> (PostgresSchema, Db) {
    let guard = jianguan_store::testing::fresh_postgres_schema().await;
    let db = jianguan_store::open(&guard.url).await.expect("opens");
    (guard, db)
}

macro_rules! backend_tests {
    ($backend:ident, fresh = $fresh:path $(, #[$attr:meta])* $(,)?) => {
        mod $backend {
            #[tokio::test]
            $(#[$attr])*
            async fn a_saved_template_is_a_new_version_and_rewrites_no_plan() {
                let (_guard, db) = $fresh().await;
                super::a_saved_template_is_a_new_version_and_rewrites_no_plan(db).await;
            }

            #[tokio::test]
            $(#[$attr])*
            async fn a_raced_save_or_a_taken_code_is_refused_and_writes_nothing() {
                let (_guard, db) = $fresh().await;
                super::a_raced_save_or_a_taken_code_is_refused_and_writes_nothing(db).await;
            }
        }
    };
}

backend_tests!(sqlite, fresh = super::fresh_sqlite);
backend_tests!(
    postgres,
    fresh = super::fresh_postgres,
    #[cfg_attr(
        not(pg_tests),
        ignore = "set JIANGUAN_TEST_POSTGRES_URL to run the PostgreSQL contract tests"
    )]
);

static CITY: LazyLock<Portfolio> = LazyLock::new(jianguan_demo::demo_city);

async fn create_city(db: &Db) {
    db.create_portfolio(
        &CITY,
        &Actor {
            name: "t".into(),
            client: None,
        },
        &|_, _| {},
    )
    .await
    .expect("the demo city is written");
}

fn audit(action: AuditAction) -> AuditDraft {
    AuditDraft::new(1, "office", action, "category:?")
}

fn milestones(p: &Portfolio) -> Vec<(i64, Vec<Milestone>)> {
    p.projects
        .iter()
        .map(|pr| (pr.id.0, pr.milestones.clone()))
        .collect()
}

/// The first demo category with a shorter template and other shares.
fn changed(original: &Category) -> Category {
    let mut c = original.clone();
    c.template.truncate(8);
    c.template[5].share = 0;
    c.template[6].share = 70;
    c.template[7] = TemplateStep {
        share: 30,
        weight: c.template[7].weight + 20,
        ..c.template[7].clone()
    };
    c.name = "老旧小区综合改造".into();
    c
}

async fn a_saved_template_is_a_new_version_and_rewrites_no_plan(db: Db) {
    create_city(&db).await;
    let before = db.load_portfolio().await.expect("reads");
    let version = db.data_version().await.expect("version");
    let edited = changed(&before.categories[0]);
    let saved = db
        .save_category(&edited, "office", &audit(AuditAction::CategorySave))
        .await
        .expect("saved");
    assert_eq!(saved.template_version, 2);
    assert!(db.data_version().await.expect("version") > version);
    let after = db.load_portfolio().await.expect("reads");
    assert_eq!(after.categories[0], saved);
    assert_eq!(after.categories[0].template.len(), 8);
    assert_eq!(
        milestones(&after),
        milestones(&before),
        "no project's milestones changed"
    );
    let history = db.category_versions(saved.id).await.expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].version, 2);
    assert_eq!(history[0].category, saved);
    assert_eq!(history[0].saved_by, "office");
    let head = db.audit_head().await.expect("audit").expect("a record");
    assert_eq!(head.action, "category.save");
    assert_eq!(head.object, format!("category:{}", saved.id));

    // Saved again from version 2: version 3, newest first in the history.
    let again = db
        .save_category(&saved, "office", &audit(AuditAction::CategorySave))
        .await
        .expect("saved");
    assert_eq!(again.template_version, 3);
    let history = db.category_versions(saved.id).await.expect("history");
    assert_eq!(
        history.iter().map(|v| v.version).collect::<Vec<_>>(),
        vec![3, 2]
    );

    // A new category: the next id, version 1.
    let new = Category {
        id: CategoryId(0),
        code: "pocket_park".into(),
        name: "口袋公园".into(),
        template_version: 7,
        ..before.categories[5].clone()
    };
    let made = db
        .save_category(&new, "office", &audit(AuditAction::CategoryCreate))
        .await
        .expect("made");
    assert_eq!(made.id.0, before.categories.len() as i64 + 1);
    assert_eq!(made.template_version, 1);
    let after = db.load_portfolio().await.expect("reads");
    assert_eq!(after.categories.last(), Some(&made));
    assert_eq!(milestones(&after), milestones(&before));
}

async fn a_raced_save_or_a_taken_code_is_refused_and_writes_nothing(db: Db) {
    create_city(&db).await;
    let before = db.load_portfolio().await.expect("reads");
    let edited = changed(&before.categories[0]);
    db.save_category(&edited, "a", &audit(AuditAction::CategorySave))
        .await
        .expect("the first save");
    let version = db.data_version().await.expect("version");
    let saved = db.load_portfolio().await.expect("reads");
    // A second editor opened version 1 too.
    let late = Category {
        name: "另一个名字".into(),
        ..before.categories[0].clone()
    };
    let e = db
        .save_category(&late, "b", &audit(AuditAction::CategorySave))
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Conflict(_)), "{e:?}");
    let taken = Category {
        id: CategoryId(0),
        code: before.categories[1].code.clone(),
        name: "新类别".into(),
        ..before.categories[1].clone()
    };
    let e = db
        .save_category(&taken, "b", &audit(AuditAction::CategoryCreate))
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            StoreError::Duplicate {
                field: Field::CategoryCode,
                ..
            }
        ),
        "{e:?}"
    );
    let gone = Category {
        id: CategoryId(999),
        ..before.categories[0].clone()
    };
    let e = db
        .save_category(&gone, "b", &audit(AuditAction::CategorySave))
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound(_)), "{e:?}");
    assert_eq!(db.data_version().await.expect("version"), version);
    assert_eq!(
        db.load_portfolio().await.expect("reads").categories,
        saved.categories
    );
    assert_eq!(
        db.category_versions(before.categories[0].id)
            .await
            .expect("history")
            .len(),
        1
    );
}
