//! The store crate's integration tests.
//! One test binary for the crate (one link instead of one per file); each module was a file
//! of its own under `tests/`.

mod backup;
mod basemap;
mod boundaries;
mod catalogue;
mod import;
mod org;
mod store;
mod wall_links;

use jianguan_store::Db;

/// A new SQLite file in a temporary directory (kept while the first value lives).
pub(crate) async fn fresh_sqlite() -> (Box<dyn std::any::Any>, Db) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("jianguan.db").display().to_string();
    let db = jianguan_store::open(&path)
        .await
        .expect("a new SQLite file opens");
    (Box::new(dir), db)
}

/// A new PostgreSQL schema (dropped when the first value is).
pub(crate) async fn fresh_postgres() -> (Box<dyn std::any::Any>, Db) {
    let guard = jianguan_store::testing::fresh_postgres_schema().await;
    let db = jianguan_store::open(&guard.url)
        .await
        .expect("a new schema opens");
    (Box::new(guard), db)
}
