//! Support for tests that run on both backends: a fresh, empty PostgreSQL schema per test.
//!
//! The server comes from `JIANGUAN_TEST_POSTGRES_URL` (e.g.
//! `postgres://postgres@127.0.0.1:5432/postgres`); `.ci/run` sets it. Test crates compile their
//! PostgreSQL tests as ignored — visibly, with the reason — when it was not set at build time
//! (see their `build.rs`).

use sqlx::{Connection, Executor, PgConnection};

/// The environment variable naming the PostgreSQL server for tests.
pub const POSTGRES_TEST_URL_VAR: &str = "JIANGUAN_TEST_POSTGRES_URL";

/// A fresh schema in the test database; dropped (with everything in it) when this is dropped.
#[derive(Debug)]
pub struct PostgresSchema {
    /// A URL whose connections use only this schema.
    pub url: String,
    server: String,
    schema: String,
}

/// The URL of the server with the database part replaced by `database`.
fn with_database(server: &str, database: &str) -> String {
    let (base, query) = server.split_once('?').unwrap_or((server, ""));
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let base = match base[after_scheme..].find('/') {
        Some(slash) => &base[..after_scheme + slash],
        None => base,
    };
    if query.is_empty() {
        format!("{base}/{database}")
    } else {
        format!("{base}/{database}?{query}")
    }
}

/// Creates a fresh schema in the database `jianguan_test` (created if missing) on the server
/// that `JIANGUAN_TEST_POSTGRES_URL` names. Panics with a clear message if the server cannot be
/// reached: a test asked for PostgreSQL and must not pass without it.
pub async fn fresh_postgres_schema() -> PostgresSchema {
    let server = std::env::var(POSTGRES_TEST_URL_VAR)
        .unwrap_or_else(|_| panic!("{POSTGRES_TEST_URL_VAR} is not set"));
    let mut admin = PgConnection::connect(&server)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {}: {e}", crate::redact(&server)));
    let exists: Option<i32> =
        sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = 'jianguan_test'")
            .fetch_optional(&mut admin)
            .await
            .expect("query pg_database");
    if exists.is_none() {
        // Two test binaries may race to create it; losing the race is fine.
        let _ = admin.execute("CREATE DATABASE jianguan_test").await;
    }
    admin.close().await.ok();
    let database_url = with_database(&server, "jianguan_test");
    let mut conn = PgConnection::connect(&database_url)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {}: {e}", crate::redact(&database_url)));
    let schema = format!(
        "t_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    conn.execute(sqlx::AssertSqlSafe(format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE"
    )))
    .await
    .expect("drop stale schema");
    conn.execute(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .await
        .expect("create schema");
    conn.close().await.ok();
    let separator = if database_url.contains('?') { '&' } else { '?' };
    PostgresSchema {
        // The schema's name is also the connections' application name, so dropping it can end
        // whatever a failed test left behind (a transaction left open holds the schema's locks).
        url: format!(
            "{database_url}{separator}options[search_path]={schema}&application_name={schema}"
        ),
        server: database_url,
        schema,
    }
}

static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl Drop for PostgresSchema {
    fn drop(&mut self) {
        let server = self.server.clone();
        let schema = self.schema.clone();
        // Drop may run inside an async test; do the blocking work on a thread of its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                if let Ok(mut conn) = PgConnection::connect(&server).await {
                    let _ = sqlx::query(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                         WHERE application_name = $1 AND pid <> pg_backend_pid()",
                    )
                    .bind(&schema)
                    .execute(&mut conn)
                    .await;
                    let _ = conn
                        .execute(sqlx::AssertSqlSafe(format!(
                            "DROP SCHEMA IF EXISTS {schema} CASCADE"
                        )))
                        .await;
                    let _ = conn.close().await;
                }
            });
        })
        .join();
    }
}

/// Makes a SQLite database at `path` with only the migrations up to `version` applied: a
/// database written by an older release, for tests of what a newer program does with it.
pub async fn sqlite_at_version(path: &std::path::Path, version: i64) {
    let pool = crate::sqlite::open_unmigrated(path)
        .await
        .expect("create the file");
    crate::SQLITE_MIGRATIONS
        .run_to(version, &pool)
        .await
        .expect("the first migrations");
    pool.close().await;
}

/// SQLite's own integrity check of `db` (`ok` when sound), for tests that crash a writer.
pub async fn sqlite_integrity(db: &crate::Db) -> String {
    match db {
        crate::Db::Sqlite(pool) => sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(pool)
            .await
            .expect("integrity check"),
        crate::Db::Postgres(_) => "ok".into(),
    }
}

/// Drops the append-only guard (trigger) `name`, as someone with the database owner's rights
/// could: for tests showing that verification notices.
pub async fn drop_append_only_guard(db: &crate::Db, name: &str) {
    assert!(
        crate::guards::SQLITE.contains(&name) || crate::guards::POSTGRES.contains(&name),
        "{name} is not a guard"
    );
    match db {
        crate::Db::Sqlite(pool) => pool
            .execute(sqlx::AssertSqlSafe(format!("DROP TRIGGER {name}")))
            .await
            .map(drop),
        crate::Db::Postgres(pool) => {
            let table: String = sqlx::query_scalar(
                "SELECT c.relname::text FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid \
                 WHERE t.tgname = $1 AND c.relnamespace = current_schema()::regnamespace",
            )
            .bind(name)
            .fetch_one(pool)
            .await
            .expect("the guard's table");
            pool.execute(sqlx::AssertSqlSafe(format!(
                "DROP TRIGGER {name} ON {table}"
            )))
            .await
            .map(drop)
        }
    }
    .expect("the guard is dropped");
}

/// Sets the data version back by `by`, as replacing the database with an older copy behind a
/// running node does (a restore): a node then re-reads its read model whole.
pub async fn rewind_data_version(db: &crate::Db, by: i64) {
    let sql = "UPDATE data_version SET version = version - $1 WHERE id = 1";
    match db {
        crate::Db::Sqlite(pool) => sqlx::query(sql).bind(by).execute(pool).await.map(drop),
        crate::Db::Postgres(pool) => sqlx::query(sql).bind(by).execute(pool).await.map(drop),
    }
    .expect("the data version is set back");
}

/// Empties the change log, as pruning does for a node far behind: a node then re-reads its read
/// model whole.
pub async fn forget_changes(db: &crate::Db) {
    match db {
        crate::Db::Sqlite(pool) => pool.execute("DELETE FROM data_changes").await.map(drop),
        crate::Db::Postgres(pool) => pool.execute("DELETE FROM data_changes").await.map(drop),
    }
    .expect("the change log is emptied");
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_part_of_a_server_url_is_replaced() {
        assert_eq!(
            with_database(
                "postgres://postgres@127.0.0.1:5432/postgres",
                "jianguan_test"
            ),
            "postgres://postgres@127.0.0.1:5432/jianguan_test"
        );
        assert_eq!(with_database("postgres://u@h:1", "d"), "postgres://u@h:1/d");
        assert_eq!(
            with_database("postgres://u@h/x?sslmode=disable", "d"),
            "postgres://u@h/d?sslmode=disable"
        );
    }
}
