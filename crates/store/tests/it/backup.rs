//! A database copied while open and restored into an empty target reads back the same on both
//! backends; a target that is not empty is refused untouched; copies are private files.

use std::os::unix::fs::PermissionsExt;

use jianguan_domain::store::Actor;
use jianguan_domain::store::prelude::*;
use jianguan_store::Db;
use jianguan_store::backup::{self, SchemaState};

async fn seed(db: &Db) {
    db.create_portfolio(
        &jianguan_demo::demo_city(),
        &Actor {
            name: "test".into(),
            client: None,
        },
        &|_, _| {},
    )
    .await
    .expect("demo city");
}

/// What a restored copy must give back exactly.
async fn fingerprint(db: &Db) -> (i64, usize, usize, Option<(i64, String)>) {
    let model = db.load_read_model().await.expect("read model");
    (
        db.data_version().await.expect("data version"),
        model.portfolio.projects.len(),
        model.portfolio.units.len(),
        db.audit_head()
            .await
            .expect("audit head")
            .map(|h| (h.seq, h.hash)),
    )
}

#[tokio::test]
async fn a_sqlite_copy_restores_into_a_new_file_and_not_over_a_non_empty_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = dir.path().join("src.db").display().to_string();
    let db = jianguan_store::open(&url).await.expect("open");
    seed(&db).await;
    let out = dir.path().join("bk");
    backup::create_private_dir(&out).expect("dir");
    let dump = backup::dump(&db, &url, &out).await.expect("dump");
    assert_eq!(dump.backend, "sqlite");
    assert_eq!(
        std::fs::metadata(&dump.file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let before = fingerprint(&db).await;

    let target = dir.path().join("dst.db").display().to_string();
    assert!(backup::target_is_empty(&target).await.unwrap());
    backup::restore(&target, &dump.file, None)
        .await
        .expect("restore");
    assert_eq!(
        std::fs::metadata(&target).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let restored = jianguan_store::open(&target).await.expect("reopen");
    assert_eq!(fingerprint(&restored).await, before);
    restored.close().await;

    let bytes = std::fs::read(&target).unwrap();
    let again = backup::restore(&target, &dump.file, None).await;
    assert!(again.is_err(), "a non-empty target is refused");
    assert_eq!(std::fs::read(&target).unwrap(), bytes, "and left untouched");
    db.close().await;
}

#[tokio::test]
async fn an_older_schema_is_refused_by_read_only_opening_untouched() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("old.db");
    jianguan_store::testing::sqlite_at_version(&path, 6).await;
    let url = path.display().to_string();
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(
        backup::schema_state(&url).await.unwrap(),
        SchemaState::At(6)
    );
    let err = jianguan_store::open_read_only(&url).await.unwrap_err();
    assert!(err.to_string().contains("jianguan migrate --db"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    assert!(!dir.path().join("old.db-wal").exists());
}

#[tokio::test]
#[cfg_attr(
    not(pg_tests),
    ignore = "set JIANGUAN_TEST_POSTGRES_URL to run the PostgreSQL contract tests"
)]
async fn a_postgres_dump_restores_into_an_empty_database() {
    use sqlx::{Connection, Executor};
    if std::process::Command::new("pg_dump")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("SKIPPED: pg_dump is not on PATH");
        return;
    }
    let source = jianguan_store::testing::fresh_postgres_schema().await;
    let db = jianguan_store::open(&source.url).await.expect("open");
    seed(&db).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let dump = backup::dump(&db, &source.url, dir.path())
        .await
        .expect("pg_dump");
    assert_eq!(dump.backend, "postgres");
    let before = fingerprint(&db).await;

    // The restore goes into a database of its own: the source's schema is in the test one.
    let server = std::env::var("JIANGUAN_TEST_POSTGRES_URL").unwrap();
    let name = format!("jianguan_restore_{}", std::process::id());
    let mut admin = sqlx::PgConnection::connect(&server).await.unwrap();
    admin
        .execute(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name}"
        )))
        .await
        .unwrap();
    admin
        .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await
        .unwrap();
    let (base, _) = server.rsplit_once('/').unwrap();
    let target = format!("{base}/{name}");
    backup::restore(&target, &dump.file, dump.pg_schema.as_deref())
        .await
        .expect("pg_restore");
    let restored = jianguan_store::open(&target).await.expect("reopen");
    assert_eq!(fingerprint(&restored).await, before);
    restored.close().await;
    assert!(
        backup::restore(&target, &dump.file, dump.pg_schema.as_deref())
            .await
            .is_err(),
        "a non-empty schema is refused"
    );
    // Restore drills into that same database, now holding data: each gets a schema of its own,
    // dropped afterwards, so the drill can be repeated.
    let drill = format!("jianguan_drill_t{}", std::process::id());
    for _ in 0..2 {
        let scratch = backup::create_scratch(&target, &drill)
            .await
            .expect("scratch");
        assert!(
            scratch.contains(&format!("search_path]={drill}")),
            "{scratch}"
        );
        backup::restore(&scratch, &dump.file, dump.pg_schema.as_deref())
            .await
            .expect("restored into the scratch schema");
        let copy = jianguan_store::open(&scratch).await.expect("opens");
        assert_eq!(fingerprint(&copy).await, before);
        copy.close().await;
        backup::drop_scratch(&target, &drill)
            .await
            .expect("dropped");
        let left: Option<String> =
            sqlx::query_scalar("SELECT nspname::text FROM pg_namespace WHERE nspname = $1")
                .bind(&drill)
                .fetch_optional(&mut sqlx::PgConnection::connect(&target).await.unwrap())
                .await
                .unwrap();
        assert_eq!(left, None, "the scratch schema is gone");
    }
    assert!(
        backup::create_scratch(&target, "Robert'); DROP TABLE x;--")
            .await
            .is_err(),
        "a schema name is an identifier"
    );
    db.close().await;
    admin
        .execute(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE {name} WITH (FORCE)"
        )))
        .await
        .unwrap();
}
