//! Storage: the domain's [`Store`] port implemented on SQLite (the embedded default).
//!
//! The database is chosen by URL ([`open`]). The backends are variants of one enum, [`Db`], and
//! share their SQL text (`$N` placeholders, `BIGINT` integers, ISO `TEXT` dates — see
//! `migrations/README.md`); only opening and migrating differ per backend. This is the only
//! crate that contains SQL.

mod codec;
mod sqlite;

use std::time::{SystemTime, UNIX_EPOCH};

use jianguan_domain::model::{Portfolio, ProjectId};
use jianguan_domain::store::{Actor, BoxFuture, Progress, ProjectRecord, Store, StoreError};

pub use sqlite::SQLITE_MIGRATIONS;

/// An open database: one pool of the backend the URL named.
#[derive(Debug, Clone)]
pub enum Db {
    /// An embedded SQLite file.
    Sqlite(sqlx::SqlitePool),
}

/// What kind of database a URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbUrl {
    /// A SQLite file at this path (a plain path, `sqlite://PATH` or `sqlite:PATH`).
    Sqlite(std::path::PathBuf),
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
        if let Some((scheme, _)) = url.split_once("://") {
            return Err(StoreError::Backend(format!(
                "unsupported database URL scheme `{scheme}` in {}: use a file path or sqlite://PATH",
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
    }
}

fn backend_error(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Invalid(format!("duplicate record: {}", db.message()))
        }
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
            StoreError::Invalid(format!("reference to a missing record: {}", db.message()))
        }
        sqlx::Error::Database(db) if db.is_check_violation() => {
            StoreError::Invalid(format!("value out of range: {}", db.message()))
        }
        _ => StoreError::Backend(e.to_string()),
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

impl Db {
    /// Closes every connection, waiting for writes in flight.
    pub async fn close(&self) {
        match self {
            Db::Sqlite(pool) => pool.close().await,
        }
    }
}

impl Store for Db {
    fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
        }
    }

    fn data_version(&self) -> BoxFuture<'_, Result<i64, StoreError>> {
        Box::pin(async move {
            match self {
                Db::Sqlite(pool) => {
                    sqlx::query_scalar("SELECT version FROM data_version WHERE id = 1")
                        .fetch_one(pool)
                        .await
                        .map_err(backend_error)
                }
            }
        })
    }

    fn is_empty(&self) -> BoxFuture<'_, Result<bool, StoreError>> {
        Box::pin(async move {
            let count: i64 = match self {
                Db::Sqlite(pool) => sqlx::query_scalar(
                    "SELECT (SELECT COUNT(*) FROM units) + (SELECT COUNT(*) FROM projects)",
                )
                .fetch_one(pool)
                .await
                .map_err(backend_error)?,
            };
            Ok(count == 0)
        })
    }

    fn load_portfolio(&self) -> BoxFuture<'_, Result<Portfolio, StoreError>> {
        Box::pin(async move {
            match self {
                Db::Sqlite(pool) => codec::load_portfolio(pool).await,
            }
        })
    }

    fn load_project(
        &self,
        id: ProjectId,
    ) -> BoxFuture<'_, Result<Option<ProjectRecord>, StoreError>> {
        Box::pin(async move {
            match self {
                Db::Sqlite(pool) => codec::load_project(pool, id).await,
            }
        })
    }

    fn create_portfolio<'a>(
        &'a self,
        portfolio: &'a Portfolio,
        actor: &'a Actor,
        progress: Progress<'a>,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            match self {
                Db::Sqlite(pool) => codec::create_portfolio(pool, portfolio, actor, progress).await,
            }
        })
    }
}

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
}
