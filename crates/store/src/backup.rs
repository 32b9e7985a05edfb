//! The database as files: a consistent copy taken while the database is in use (SQLite's
//! `VACUUM INTO`; PostgreSQL's `pg_dump` of the jianguan schema), a copy restored into an empty
//! target, the schema's version as read without migrating, and files created private (0600,
//! directories 0700). The manifest, photos and anchors around the copy are `jianguan-app`'s.

use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use std::sync::Arc;

use jianguan_domain::store::{BoxFuture, DatabaseCopy, Databases, Store, StoreError};
use sqlx::{Connection, Executor};

use crate::{Db, DbUrl, redact};

/// The file name of a SQLite copy in a backup directory.
pub const SQLITE_FILE: &str = "jianguan.db";
/// The file name of a PostgreSQL dump (`pg_dump --format=custom`) in a backup directory.
pub const POSTGRES_FILE: &str = "jianguan.pgdump";

/// Creates a new empty file readable and writable by its owner only (0600); an existing file
/// is an error.
pub fn create_private_file(path: &Path) -> io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

/// Creates a directory and any missing parents, each 0700 (existing ones are left as they are).
pub fn create_private_dir(path: &Path) -> io::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
}

/// A database copied into a backup directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dump {
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    /// The file written, inside the directory.
    pub file: PathBuf,
    /// The schema's migration version.
    pub schema_version: i64,
    /// The PostgreSQL schema dumped (`None` for SQLite).
    pub pg_schema: Option<String>,
}

/// The newest migration this program knows, for the backend `url` names.
pub fn known_version(url: &str) -> Result<i64, StoreError> {
    Ok(match DbUrl::parse(url)? {
        DbUrl::Sqlite(_) => crate::sqlite::known_version(),
        DbUrl::Postgres(_) => crate::postgres::known_version(),
    })
}

/// What a look at a database, without writing to it, found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaState {
    /// No such SQLite file.
    Missing,
    /// An empty file or schema.
    Empty,
    /// A jianguan database at this migration version.
    At(i64),
}

/// Reads the schema version of `url` without migrating or creating anything (a foreign or newer
/// database is refused).
pub async fn schema_state(url: &str) -> Result<SchemaState, StoreError> {
    match DbUrl::parse(url)? {
        DbUrl::Sqlite(path) => {
            if !path.exists() {
                return Ok(SchemaState::Missing);
            }
            if path.metadata().is_ok_and(|m| m.len() == 0) {
                return Ok(SchemaState::Empty);
            }
            match crate::sqlite::inspect(&path).await? {
                crate::sqlite::Found::Empty => Ok(SchemaState::Empty),
                crate::sqlite::Found::Jianguan(v) => Ok(SchemaState::At(v)),
            }
        }
        DbUrl::Postgres(url) => {
            let (pool, version) = crate::postgres::open_unmigrated(&url).await?;
            pool.close().await;
            Ok(version.map_or(SchemaState::Empty, SchemaState::At))
        }
    }
}

/// Opens an existing database for reading without migrating it: a schema older than this
/// program is refused with an error naming `jianguan migrate --db URL`, and the file is left
/// untouched. An empty file or schema is opened as [`crate::open_existing`] does.
pub async fn open_read_only(url: &str) -> Result<Db, StoreError> {
    let older = |found: i64, known: i64| {
        StoreError::Backend(format!(
            "the database schema is at version {found}, older than this program's {known}: \
             run `jianguan migrate --db {}` first (it takes a backup, then migrates)",
            redact(url)
        ))
    };
    match DbUrl::parse(url)? {
        DbUrl::Sqlite(path) => {
            let known = crate::sqlite::known_version();
            match schema_state(url).await? {
                SchemaState::At(found) if found < known => Err(older(found, known)),
                SchemaState::At(_) => crate::sqlite::open_unmigrated(&path).await.map(Db::Sqlite),
                _ => crate::open_existing(url).await,
            }
        }
        DbUrl::Postgres(pg) => {
            let known = crate::postgres::known_version();
            let (pool, version) = crate::postgres::open_unmigrated(&pg).await?;
            match version {
                Some(found) if found < known => {
                    pool.close().await;
                    Err(older(found, known))
                }
                Some(_) => Ok(Db::Postgres(pool)),
                None => {
                    pool.close().await;
                    crate::open_existing(url).await
                }
            }
        }
    }
}

/// Opens an existing database as it is, without migrating (a foreign or newer one is refused):
/// for a backup, which copies the schema as it was.
pub async fn open_as_is(url: &str) -> Result<Db, StoreError> {
    match DbUrl::parse(url)? {
        DbUrl::Sqlite(path) if !path.exists() => Err(StoreError::Backend(format!(
            "{}: no such database file",
            path.display()
        ))),
        DbUrl::Sqlite(path) => crate::sqlite::open_unmigrated(&path).await.map(Db::Sqlite),
        DbUrl::Postgres(url) => Ok(Db::Postgres(
            crate::postgres::open_unmigrated(&url).await?.0,
        )),
    }
}

fn backend(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

/// A PostgreSQL URL as libpq (pg_dump, pg_restore) reads it: sqlx's own query parameters
/// (`options[search_path]=…`) removed.
fn libpq_url(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_string();
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|kv| !kv.is_empty() && !kv.split('=').next().unwrap_or("").contains('['))
        .collect();
    if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    }
}

/// Runs a PostgreSQL client program; a missing program is named with what to install.
async fn run_pg_tool(program: &'static str, args: Vec<String>) -> Result<(), StoreError> {
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(program).args(&args).output()
    })
    .await
    .map_err(backend)?;
    match output {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(StoreError::Backend(format!(
            "{program} not found on PATH: install the PostgreSQL client programs \
             (e.g. the postgresql-client package) of the server's major version"
        ))),
        Err(e) => Err(StoreError::Backend(format!("{program}: {e}"))),
        Ok(out) if !out.status.success() => Err(StoreError::Backend(format!(
            "{program} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))),
        Ok(_) => Ok(()),
    }
}

async fn schema_version_of(db: &Db) -> Result<i64, StoreError> {
    let v: Option<i64> = dispatch!(db, pool => sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(pool)
        .await
        .map_err(backend)?);
    Ok(v.unwrap_or(0))
}

/// Writes a consistent copy of the open database `db` (reached at `url`) into the existing
/// directory `dir`, as a private file, while other connections go on reading and writing.
pub async fn dump(db: &Db, url: &str, dir: &Path) -> Result<Dump, StoreError> {
    let schema_version = schema_version_of(db).await?;
    match db {
        Db::Sqlite(pool) => {
            let file = dir.join(SQLITE_FILE);
            // VACUUM INTO writes into an empty file, keeping its mode.
            create_private_file(&file)
                .map_err(|e| StoreError::Backend(format!("{}: {e}", file.display())))?;
            let target = file.to_str().ok_or_else(|| {
                StoreError::Backend(format!("{}: not a UTF-8 path", file.display()))
            })?;
            sqlx::query("VACUUM INTO $1")
                .bind(target)
                .execute(pool)
                .await
                .map_err(|e| StoreError::Backend(format!("VACUUM INTO {target}: {e}")))?;
            Ok(Dump {
                backend: "sqlite",
                file,
                schema_version,
                pg_schema: None,
            })
        }
        Db::Postgres(pool) => {
            let schema: String = sqlx::query_scalar("SELECT current_schema()::text")
                .fetch_one(pool)
                .await
                .map_err(backend)?;
            let file = dir.join(POSTGRES_FILE);
            create_private_file(&file)
                .map_err(|e| StoreError::Backend(format!("{}: {e}", file.display())))?;
            run_pg_tool(
                "pg_dump",
                vec![
                    "--format=custom".into(),
                    "--no-owner".into(),
                    "--no-privileges".into(),
                    format!("--schema={schema}"),
                    format!("--file={}", file.display()),
                    format!("--dbname={}", libpq_url(url)),
                ],
            )
            .await?;
            Ok(Dump {
                backend: "postgres",
                file,
                schema_version,
                pg_schema: Some(schema),
            })
        }
    }
}

/// Whether `url` is an acceptable restore target: a missing or empty SQLite file, or an empty
/// PostgreSQL schema. Nothing is written.
pub async fn target_is_empty(url: &str) -> Result<bool, StoreError> {
    Ok(matches!(
        schema_state(url).await,
        Ok(SchemaState::Missing | SchemaState::Empty)
    ))
}

/// A place of its own for a restore drill inside the PostgreSQL database `url` names: the new,
/// empty schema `name` (an identifier the caller makes, letters, digits and `_`), and a URL
/// whose connections use only it. A URL that already names its schema (`options[search_path]`)
/// is used as it is, and must be empty. [`drop_scratch`] removes the schema again, so drills can
/// be repeated against one scratch database.
pub async fn create_scratch(url: &str, name: &str) -> Result<String, StoreError> {
    let DbUrl::Postgres(pg) = DbUrl::parse(url)? else {
        return Ok(url.to_string());
    };
    if pg.contains("search_path") {
        return Ok(pg);
    }
    check_identifier(name)?;
    let mut conn = connect(&pg).await?;
    conn.execute(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {name}")))
        .await
        .map_err(|e| StoreError::Backend(format!("creating the scratch schema {name}: {e}")))?;
    conn.close().await.ok();
    let separator = if pg.contains('?') { '&' } else { '?' };
    Ok(format!(
        "{pg}{separator}options[search_path]={name}&application_name={name}"
    ))
}

/// Drops the scratch schema `name` that [`create_scratch`] made in the database `url` names,
/// ending connections still using it. Nothing for a SQLite URL or a URL naming its own schema.
pub async fn drop_scratch(url: &str, name: &str) -> Result<(), StoreError> {
    let DbUrl::Postgres(pg) = DbUrl::parse(url)? else {
        return Ok(());
    };
    if pg.contains("search_path") {
        return Ok(());
    }
    check_identifier(name)?;
    let mut conn = connect(&pg).await?;
    sqlx::query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE application_name = $1 AND pid <> pg_backend_pid()",
    )
    .bind(name)
    .execute(&mut conn)
    .await
    .map_err(backend)?;
    conn.execute(sqlx::AssertSqlSafe(format!(
        "DROP SCHEMA IF EXISTS {name} CASCADE"
    )))
    .await
    .map_err(|e| StoreError::Backend(format!("dropping the scratch schema {name}: {e}")))?;
    conn.close().await.ok();
    Ok(())
}

fn check_identifier(name: &str) -> Result<(), StoreError> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "scratch schema name {name:?}: expected lowercase letters, digits and _"
        )))
    }
}

async fn connect(pg: &str) -> Result<sqlx::PgConnection, StoreError> {
    let options: sqlx::postgres::PgConnectOptions = pg.parse().map_err(backend)?;
    sqlx::PgConnection::connect_with(&options)
        .await
        .map_err(|e| StoreError::Backend(format!("{}: {e}", redact(pg))))
}

/// Restores the database copy `file` (of `pg_schema` for PostgreSQL) into the empty target
/// `url`. Refused, with nothing written, when the target is not empty.
pub async fn restore(url: &str, file: &Path, pg_schema: Option<&str>) -> Result<(), StoreError> {
    if !target_is_empty(url).await? {
        return Err(StoreError::Backend(format!(
            "{} is not empty: restore only into a new file or an empty schema",
            redact(url)
        )));
    }
    match DbUrl::parse(url)? {
        DbUrl::Sqlite(path) => {
            let bytes = std::fs::read(file)
                .map_err(|e| StoreError::Backend(format!("{}: {e}", file.display())))?;
            let mut out = if path.exists() {
                std::fs::OpenOptions::new()
                    .write(true)
                    .truncate(true)
                    .open(&path)
            } else {
                create_private_file(&path)
            }
            .map_err(|e| StoreError::Backend(format!("{}: {e}", path.display())))?;
            use std::io::Write;
            out.write_all(&bytes)
                .and_then(|()| out.sync_all())
                .map_err(|e| StoreError::Backend(format!("{}: {e}", path.display())))?;
            Ok(())
        }
        DbUrl::Postgres(pg) => {
            let source = pg_schema.ok_or_else(|| {
                StoreError::Backend("the backup does not name its PostgreSQL schema".into())
            })?;
            let options: sqlx::postgres::PgConnectOptions = pg.parse().map_err(backend)?;
            let mut conn = sqlx::PgConnection::connect_with(&options)
                .await
                .map_err(|e| StoreError::Backend(format!("{}: {e}", redact(&pg))))?;
            let target: String = sqlx::query_scalar("SELECT current_schema()::text")
                .fetch_one(&mut conn)
                .await
                .map_err(backend)?;
            let source_exists: bool =
                sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)")
                    .bind(source)
                    .fetch_one(&mut conn)
                    .await
                    .map_err(backend)?;
            if source_exists && source != target {
                return Err(StoreError::Backend(format!(
                    "schema {source} already exists in the target database: restore into another database or schema {source}"
                )));
            }
            let quote = |name: &str| format!("\"{}\"", name.replace('"', "\"\""));
            // The dump creates its schema: the empty target schema makes way for it and the
            // restored one takes its name.
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP SCHEMA {}",
                quote(&target)
            )))
            .execute(&mut conn)
            .await
            .map_err(backend)?;
            let restored = run_pg_tool(
                "pg_restore",
                vec![
                    "--no-owner".into(),
                    "--no-privileges".into(),
                    "--exit-on-error".into(),
                    "--single-transaction".into(),
                    format!("--dbname={}", libpq_url(&pg)),
                    file.display().to_string(),
                ],
            )
            .await;
            let renamed = match &restored {
                Ok(()) if source != target => sqlx::query(sqlx::AssertSqlSafe(format!(
                    "ALTER SCHEMA {} RENAME TO {}",
                    quote(source),
                    quote(&target)
                )))
                .execute(&mut conn)
                .await
                .map(|_| ())
                .map_err(backend),
                _ => Ok(()),
            };
            if restored.is_err() {
                let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "CREATE SCHEMA IF NOT EXISTS {}",
                    quote(&target)
                )))
                .execute(&mut conn)
                .await;
            }
            conn.close().await.ok();
            restored.and(renamed)
        }
    }
}

/// The storage's side of a backup ([`jianguan_domain::store::Databases`]), for the backup use
/// cases: each call opens what it needs by URL and closes it again.
#[derive(Debug, Clone, Copy, Default)]
pub struct Backups;

impl Databases for Backups {
    fn dump<'a>(
        &'a self,
        url: &'a str,
        dir: &'a Path,
    ) -> BoxFuture<'a, Result<DatabaseCopy, StoreError>> {
        Box::pin(async move {
            // Not migrated: a backup taken before a migration copies the schema as it was.
            let db = open_as_is(url).await?;
            let copied = dump(&db, url, dir).await;
            db.close().await;
            let copied = copied?;
            Ok(DatabaseCopy {
                backend: copied.backend.to_string(),
                file: copied.file,
                schema_version: copied.schema_version,
                pg_schema: copied.pg_schema,
            })
        })
    }

    fn target_is_empty<'a>(&'a self, url: &'a str) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(target_is_empty(url))
    }

    fn restore<'a>(
        &'a self,
        url: &'a str,
        file: &'a Path,
        pg_schema: Option<&'a str>,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(restore(url, file, pg_schema))
    }

    fn open<'a>(&'a self, url: &'a str) -> BoxFuture<'a, Result<Arc<dyn Store>, StoreError>> {
        Box::pin(async move { Ok(Arc::new(crate::open(url).await?) as Arc<dyn Store>) })
    }

    fn create_scratch<'a>(
        &'a self,
        url: &'a str,
        name: &'a str,
    ) -> BoxFuture<'a, Result<String, StoreError>> {
        Box::pin(create_scratch(url, name))
    }

    fn drop_scratch<'a>(
        &'a self,
        url: &'a str,
        name: &'a str,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(drop_scratch(url, name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlx_parameters_are_dropped_from_urls_given_to_libpq() {
        assert_eq!(
            libpq_url("postgres://u@h/db?options[search_path]=t_1&sslmode=disable"),
            "postgres://u@h/db?sslmode=disable"
        );
        assert_eq!(
            libpq_url("postgres://u@h/db?options[search_path]=t_1"),
            "postgres://u@h/db"
        );
        assert_eq!(libpq_url("postgres://u@h/db"), "postgres://u@h/db");
    }
}
