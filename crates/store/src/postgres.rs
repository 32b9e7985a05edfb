//! Opening a PostgreSQL database: connect, refuse a schema that is not jianguan's or is newer than
//! this program before writing anything, then migrate (sqlx takes an advisory lock, so several
//! nodes starting at once migrate once).

use std::time::Duration;

use jianguan_domain::store::StoreError;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool};

use crate::redact;

/// The PostgreSQL schema, embedded in the binary; kept in lockstep with the SQLite one.
pub static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Connects to `url` and brings its schema up to date.
pub(crate) async fn open(url: &str) -> Result<PgPool, StoreError> {
    let (pool, _) = open_unmigrated(url).await?;
    POSTGRES_MIGRATIONS
        .run(&pool)
        .await
        .map_err(|e| StoreError::Backend(format!("migrating {}: {e}", redact(url))))?;
    Ok(pool)
}

/// The newest migration this program knows.
pub(crate) fn known_version() -> i64 {
    POSTGRES_MIGRATIONS
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0)
}

/// Connects to `url` after refusing a foreign or newer schema, without migrating; the schema
/// version found (`None`: an empty schema).
pub(crate) async fn open_unmigrated(url: &str) -> Result<(PgPool, Option<i64>), StoreError> {
    let shown = redact(url);
    let options: PgConnectOptions = url
        .parse()
        .map_err(|e| StoreError::Backend(format!("{shown}: {e}")))?;
    // One direct connection first: a pool only reports "timed out" where this says why
    // (refused, unknown host, authentication failed).
    let probe = PgConnection::connect_with(&options)
        .await
        .map_err(|e| StoreError::Backend(format!("cannot connect to {shown}: {e}")))?;
    probe
        .close()
        .await
        .map_err(|e| StoreError::Backend(format!("{shown}: {e}")))?;
    let pool = PgPoolOptions::new()
        .max_connections(8)
        .test_before_acquire(false)
        .before_acquire(crate::usable)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await
        .map_err(|e| StoreError::Backend(format!("cannot connect to {shown}: {e}")))?;
    let known = known_version();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = current_schema()",
    )
    .fetch_all(&pool)
    .await
    .map_err(|e| StoreError::Backend(format!("{shown}: {e}")))?;
    let mut version = None;
    if !tables.is_empty() {
        if !tables.iter().any(|t| t == "jianguan_meta")
            || !tables.iter().any(|t| t == "_sqlx_migrations")
        {
            pool.close().await;
            return Err(StoreError::NotJianguan(format!(
                "{shown}: the schema holds tables of another application"
            )));
        }
        let found: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
            .fetch_one(&pool)
            .await
            .map_err(|e| StoreError::Backend(format!("{shown}: {e}")))?;
        let found = found.unwrap_or(0);
        if found > known {
            pool.close().await;
            return Err(StoreError::NewerSchema { found, known });
        }
        version = Some(found);
    }
    Ok((pool, version))
}
