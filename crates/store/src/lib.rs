//! Storage: the domain's [`Store`] port implemented on SQLite (the embedded default) and
//! PostgreSQL (for scale-out: stateless web nodes in front of one database).
//!
//! The database is chosen by URL ([`open`]). The backends are variants of one enum, [`Db`], and
//! share their SQL text (`$N` placeholders, `BIGINT` integers, ISO `TEXT` dates — see
//! `migrations/README.md`); only opening and migrating differ per backend. This is the only
//! crate that contains SQL.

mod assessment;
mod basemap;
mod boundaries;
mod cadence;
mod catalogue;
mod codec;
pub mod crash;
mod errors;
mod guards;
mod ledger;
mod org;
mod plans;
mod postgres;
pub mod secrets;
mod sqlite;
pub mod testing;
mod wall_links;
mod writers;
pub use writers::GroupCommits;

use std::time::{SystemTime, UNIX_EPOCH};

use jianguan_domain::store::StoreError;

pub(crate) use errors::backend_error;

/// How many data versions the change log keeps: a node further behind re-reads everything.
pub const CHANGES_KEPT: i64 = 10_000;
pub use postgres::POSTGRES_MIGRATIONS;
pub use sqlite::SQLITE_MIGRATIONS;

/// An open database: one pool of the backend the URL named.
#[derive(Debug, Clone)]
pub enum Db {
    /// An embedded SQLite file.
    Sqlite(sqlx::SqlitePool),
    /// A PostgreSQL database.
    Postgres(sqlx::PgPool),
}

/// Runs the same code on whichever pool `db` holds: the expansions are concrete per backend.
macro_rules! dispatch {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            Db::Sqlite($pool) => $body,
            Db::Postgres($pool) => $body,
        }
    };
}

/// What kind of database a URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbUrl {
    /// A SQLite file at this path (a plain path, `sqlite://PATH` or `sqlite:PATH`).
    Sqlite(std::path::PathBuf),
    /// A PostgreSQL URL (`postgres://…` or `postgresql://…`).
    Postgres(String),
}

impl DbUrl {
    /// Parses a `--db` argument.
    pub fn parse(url: &str) -> Result<DbUrl, StoreError> {
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            return Ok(DbUrl::Sqlite(path.into()));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DbUrl::Postgres(url.to_string()));
        }
        if let Some((scheme, _)) = url.split_once("://") {
            return Err(StoreError::Backend(format!(
                "unsupported database URL scheme `{scheme}` in {}: use a file path, sqlite://PATH or postgres://…",
                redact(url)
            )));
        }
        if url.is_empty() {
            return Err(StoreError::Backend("empty database path".into()));
        }
        Ok(DbUrl::Sqlite(url.into()))
    }
}

/// The URL with any password replaced by `***`, for messages and logs.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    // As URL parsers do: the authority ends at the first '/', '?' or '#', and the user
    // information within it at its last '@' (a password may itself contain '@').
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let Some((userinfo, host)) = authority.rsplit_once('@') else {
        return url.to_string();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
        None => url.to_string(),
    }
}

/// Opens the database `url` names, creating it if it does not exist, and brings its schema up
/// to date. Refuses — without writing anything — a file that is not a jianguan database or whose
/// schema is newer than this program.
pub async fn open(url: &str) -> Result<Db, StoreError> {
    match DbUrl::parse(url)? {
        DbUrl::Sqlite(path) => sqlite::open(&path).await.map(Db::Sqlite),
        DbUrl::Postgres(url) => postgres::open(&url).await.map(Db::Postgres),
    }
}

/// As [`open`], but refuses to create a database that does not exist yet (for commands that
/// only read, where a mistyped path should be an error, not a new empty file).
pub async fn open_existing(url: &str) -> Result<Db, StoreError> {
    match DbUrl::parse(url)? {
        DbUrl::Sqlite(path) if !path.exists() => Err(StoreError::Backend(format!(
            "{}: no such database file",
            path.display()
        ))),
        DbUrl::Sqlite(path) => sqlite::open(&path).await.map(Db::Sqlite),
        // A PostgreSQL database is never created by connecting: it exists or the URL is wrong.
        DbUrl::Postgres(url) => postgres::open(&url).await.map(Db::Postgres),
    }
}

/// The pool's check of a connection before handing it out: it answers (the ping also waits for
/// a rollback queued when a transaction was dropped) and is outside any transaction. A
/// connection still counted inside one is closed, never reused: SQLite rolls a transaction
/// back by itself when a commit meets a full disk or an I/O error, the driver's own rollback
/// then fails, and every later `BEGIN` on that connection would be refused.
fn usable<C: sqlx::Connection>(
    conn: &mut C,
    _: sqlx::pool::PoolConnectionMetadata,
) -> futures_util::future::BoxFuture<'_, Result<bool, sqlx::Error>> {
    Box::pin(async move {
        conn.ping().await?;
        let usable = !conn.is_in_transaction();
        if !usable {
            tracing::warn!("a database connection left inside a failed transaction is closed");
        }
        Ok(usable)
    })
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Calls the codec function of the pool's backend: `codec_call!(db, f(args…))`.
/// Calls the cadence function `$f` of whichever backend `db` holds.
macro_rules! cadence_call {
    ($db:expr, $f:ident ( $($arg:expr),* )) => {
        match $db {
            Db::Sqlite(pool) => $crate::cadence::sqlite_cadence::$f(pool, $($arg),*).await,
            Db::Postgres(pool) => $crate::cadence::postgres_cadence::$f(pool, $($arg),*).await,
        }
    };
}

/// Calls the plans function `$f` of whichever backend `db` holds.
macro_rules! plans_call {
    ($db:expr, $f:ident ( $($arg:expr),* )) => {
        match $db {
            Db::Sqlite(pool) => $crate::plans::sqlite_plans::$f(pool, $($arg),*).await,
            Db::Postgres(pool) => $crate::plans::postgres_plans::$f(pool, $($arg),*).await,
        }
    };
}

/// Calls the assessment function `$f` of whichever backend `db` holds.
macro_rules! assessment_call {
    ($db:expr, $f:ident ( $($arg:expr),* )) => {
        match $db {
            Db::Sqlite(pool) => $crate::assessment::sqlite_assessment::$f(pool, $($arg),*).await,
            Db::Postgres(pool) => $crate::assessment::postgres_assessment::$f(pool, $($arg),*).await,
        }
    };
}

macro_rules! codec_call {
    ($db:expr, $f:ident ( $($arg:expr),* )) => {
        match $db {
            Db::Sqlite(pool) => $crate::codec::sqlite_codec::$f(pool, $($arg),*).await,
            Db::Postgres(pool) => $crate::codec::postgres_codec::$f(pool, $($arg),*).await,
        }
    };
}

impl Db {
    /// Closes every connection, waiting for writes in flight.
    pub async fn close(&self) {
        dispatch!(self, pool => pool.close().await)
    }

    /// How this process's writes to the database were committed (group commit).
    pub fn group_commits(&self) -> Option<GroupCommits> {
        match self {
            Db::Sqlite(pool) => writers::sqlite_writers(pool).map(|w| w.stats()),
            Db::Postgres(pool) => writers::postgres_writers(pool).map(|w| w.stats()),
        }
    }
}

mod port;

pub mod backup;
pub use backup::open_read_only;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_choose_the_backend_and_passwords_are_redacted() {
        assert_eq!(
            DbUrl::parse("demo.db").unwrap(),
            DbUrl::Sqlite("demo.db".into())
        );
        assert_eq!(
            DbUrl::parse("sqlite:///tmp/x.db").unwrap(),
            DbUrl::Sqlite("/tmp/x.db".into())
        );
        let err = DbUrl::parse("mysql://root:secret@host/db").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("mysql"), "{text}");
        assert!(!text.contains("secret"), "{text}");
        assert_eq!(
            redact("postgres://u:pw@h:5432/d"),
            "postgres://u:***@h:5432/d"
        );
    }

    /// Every released migration's checksum, as sqlx computes it (SHA-384 of the file), pinned in
    /// `migrations/released.lock`: a released migration is never edited (a database created
    /// before the edit would fail sqlx's check or never get the change); a change is a new
    /// migration, whose line is then added to the lock.
    #[test]
    fn released_migrations_are_never_edited() {
        let lock = include_str!("../migrations/released.lock");
        let pinned: Vec<&str> = lock
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .collect();
        let mut current = Vec::new();
        for (backend, migrator) in [
            ("sqlite", &SQLITE_MIGRATIONS),
            ("postgres", &POSTGRES_MIGRATIONS),
        ] {
            for m in migrator.iter() {
                let hex: String = m.checksum.iter().map(|b| format!("{b:02x}")).collect();
                current.push(format!("{backend} {:04} {hex}", m.version));
            }
        }
        for line in &pinned {
            assert!(
                current.iter().any(|c| c == line),
                "released migration changed or removed: `{line}` — add a new migration instead"
            );
        }
        for line in &current {
            assert!(
                pinned.contains(&line.as_str()),
                "new migration not in migrations/released.lock; once it is released, add:\n{line}"
            );
        }
    }
}
