//! Opening a SQLite file: inspect it read-only first, so a foreign or newer file is refused
//! untouched, then open it for writing with durable settings and migrate it.

use std::path::Path;
use std::time::Duration;

use jianguan_domain::store::StoreError;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, SqlitePool};

/// The SQLite schema, embedded in the binary.
pub static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");

/// What a read-only look at an existing file found.
pub(crate) enum Found {
    /// No tables at all: a new or empty file.
    Empty,
    /// A jianguan database whose newest applied migration is this version.
    Jianguan(i64),
}

pub(crate) async fn inspect(path: &Path) -> Result<Found, StoreError> {
    let not_ours = |why: String| StoreError::NotJianguan(format!("{}: {why}", path.display()));
    // Read-only still creates `-wal` and `-shm` beside a WAL-mode file. Without a `-wal` file
    // there is nothing uncheckpointed to read, so open it immutable, which creates nothing; with
    // one (a server running on it, or a crash), read-only finds the files already there.
    let wal = path.with_file_name(format!(
        "{}-wal",
        path.file_name()
            .map_or(String::new(), |n| n.to_string_lossy().into_owned())
    ));
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .immutable(!wal.exists())
        .connect()
        .await
        .map_err(|e| not_ours(e.to_string()))?;
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
            .fetch_all(&mut conn)
            .await
            .map_err(|e| not_ours(e.to_string()))?;
    let found = if tables.is_empty() {
        Found::Empty
    } else if !tables.iter().any(|t| t == "jianguan_meta")
        || !tables.iter().any(|t| t == "_sqlx_migrations")
    {
        return Err(not_ours("it holds tables of another application".into()));
    } else {
        let version: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
            .fetch_one(&mut conn)
            .await
            .map_err(|e| not_ours(e.to_string()))?;
        Found::Jianguan(version.unwrap_or(0))
    };
    conn.close()
        .await
        .map_err(|e| StoreError::Backend(e.to_string()))?;
    Ok(found)
}

/// The newest migration this program knows.
pub(crate) fn known_version() -> i64 {
    SQLITE_MIGRATIONS
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0)
}

/// Opens (creating if missing) and migrates the SQLite database at `path`.
pub(crate) async fn open(path: &Path) -> Result<SqlitePool, StoreError> {
    let pool = open_unmigrated(path).await?;
    SQLITE_MIGRATIONS
        .run(&pool)
        .await
        .map_err(|e| StoreError::Backend(format!("migrating {}: {e}", path.display())))?;
    Ok(pool)
}

/// Opens the SQLite database at `path` (creating it, 0600, if missing) after refusing a foreign
/// or newer file, without migrating it.
pub(crate) async fn open_unmigrated(path: &Path) -> Result<SqlitePool, StoreError> {
    let known = known_version();
    if path.exists() {
        if path.is_dir() {
            return Err(StoreError::NotJianguan(format!(
                "{} is a directory",
                path.display()
            )));
        }
        if let Found::Jianguan(found) = inspect(path).await?
            && found > known
        {
            return Err(StoreError::NewerSchema { found, known });
        }
    } else {
        // The records are private: create the file 0600 before SQLite does (with the umask's
        // 0644); SQLite gives its -wal and -shm files the database file's mode.
        crate::backup::create_private_file(path)
            .map_err(|e| StoreError::Backend(format!("{}: {e}", path.display())))?;
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        // WAL lets readers go on while a write commits; FULL makes an acknowledged commit
        // survive a power cut (NORMAL in WAL mode may lose the last commits).
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true);
    SqlitePoolOptions::new()
        .max_connections(4)
        .test_before_acquire(false)
        .before_acquire(crate::usable)
        .connect_with(options)
        .await
        .map_err(|e| StoreError::Backend(format!("{}: {e}", path.display())))
}
