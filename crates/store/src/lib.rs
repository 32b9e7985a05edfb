//! Storage: the domain's [`Store`] port implemented on SQLite (the embedded default) and
//! PostgreSQL (for scale-out: stateless web nodes in front of one database).
//!
//! The database is chosen by URL ([`open`]). The backends are variants of one enum, [`Db`], and
//! share their SQL text (`$N` placeholders, `BIGINT` integers, ISO `TEXT` dates — see
//! `migrations/README.md`); only opening and migrating differ per backend. This is the only
//! crate that contains SQL.

mod assessment;
mod cadence;
mod codec;
mod ledger;
mod postgres;
mod sqlite;
pub mod testing;

use std::time::{SystemTime, UNIX_EPOCH};

use jianguan_audit::{AuditDraft, AuditRecord};
use jianguan_domain::Date;
use jianguan_domain::assessment::{
    Decision, EnteredValue, MediaReport, Month, Objection, ScoreRun, SubjectKind,
};
use jianguan_domain::followup::ItemId;
use jianguan_domain::model::{Portfolio, ProjectId};
use jianguan_domain::model::{ProgressReport, ReportId};
use jianguan_domain::store::{
    AccountRecord, Actor, AuditQuery, BoxFuture, CadenceRecords, CadenceWrite, JobClaim, PhotoRef,
    Progress, ProjectRecord, ReadModel, RecordScope, SchemeVersion, SessionRecord, SettingVersion,
    Store, StoreError,
};

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

/// Calls the codec function of the pool's backend: `codec_call!(db, f(args…))`.
/// Calls the cadence function `$f` of whichever backend `db` holds.
macro_rules! cadence_call {
    ($db:expr, $f:ident ( $($arg:expr),* )) => {
        match $db {
            Db::Sqlite(pool) => cadence::sqlite_cadence::$f(pool, $($arg),*).await,
            Db::Postgres(pool) => cadence::postgres_cadence::$f(pool, $($arg),*).await,
        }
    };
}

/// Calls the assessment function `$f` of whichever backend `db` holds.
macro_rules! assessment_call {
    ($db:expr, $f:ident ( $($arg:expr),* )) => {
        match $db {
            Db::Sqlite(pool) => assessment::sqlite_assessment::$f(pool, $($arg),*).await,
            Db::Postgres(pool) => assessment::postgres_assessment::$f(pool, $($arg),*).await,
        }
    };
}

macro_rules! codec_call {
    ($db:expr, $f:ident ( $($arg:expr),* )) => {
        match $db {
            Db::Sqlite(pool) => codec::sqlite_codec::$f(pool, $($arg),*).await,
            Db::Postgres(pool) => codec::postgres_codec::$f(pool, $($arg),*).await,
        }
    };
}

impl Db {
    /// Closes every connection, waiting for writes in flight.
    pub async fn close(&self) {
        dispatch!(self, pool => pool.close().await)
    }
}

impl Store for Db {
    fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    fn data_version(&self) -> BoxFuture<'_, Result<i64, StoreError>> {
        Box::pin(async move {
            dispatch!(self, pool => sqlx::query_scalar("SELECT version FROM data_version WHERE id = 1")
                .fetch_one(pool)
                .await
                .map_err(backend_error))
        })
    }

    fn is_empty(&self) -> BoxFuture<'_, Result<bool, StoreError>> {
        Box::pin(async move {
            let count: i64 = dispatch!(self, pool => sqlx::query_scalar(
                "SELECT (SELECT COUNT(*) FROM units) + (SELECT COUNT(*) FROM projects)",
            )
            .fetch_one(pool)
            .await
            .map_err(backend_error)?);
            Ok(count == 0)
        })
    }

    fn load_portfolio(&self) -> BoxFuture<'_, Result<Portfolio, StoreError>> {
        Box::pin(async move { codec_call!(self, load_portfolio()) })
    }

    fn load_project(
        &self,
        id: ProjectId,
        scope: RecordScope,
    ) -> BoxFuture<'_, Result<Option<ProjectRecord>, StoreError>> {
        Box::pin(async move { codec_call!(self, load_project(id, scope)) })
    }

    fn create_portfolio<'a>(
        &'a self,
        portfolio: &'a Portfolio,
        actor: &'a Actor,
        progress: Progress<'a>,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(
            async move { codec_call!(self, insert_portfolio(portfolio, actor, progress, true)) },
        )
    }

    fn append_portfolio<'a>(
        &'a self,
        portfolio: &'a Portfolio,
        actor: &'a Actor,
        progress: Progress<'a>,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(
            async move { codec_call!(self, insert_portfolio(portfolio, actor, progress, false)) },
        )
    }

    fn append_audit<'a>(
        &'a self,
        draft: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<AuditRecord, StoreError>> {
        Box::pin(async move { codec_call!(self, append_audit(draft)) })
    }

    fn create_account<'a>(
        &'a self,
        account: &'a AccountRecord,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<i64, StoreError>> {
        Box::pin(async move { codec_call!(self, create_account(account, audit)) })
    }

    fn account_by_key<'a>(
        &'a self,
        username_key: &'a str,
    ) -> BoxFuture<'a, Result<Option<AccountRecord>, StoreError>> {
        Box::pin(async move { codec_call!(self, account_by_key(username_key)) })
    }

    fn list_accounts(&self) -> BoxFuture<'_, Result<Vec<AccountRecord>, StoreError>> {
        Box::pin(async move { codec_call!(self, list_accounts()) })
    }

    fn update_account<'a>(
        &'a self,
        account: &'a AccountRecord,
        end_sessions: bool,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move { codec_call!(self, update_account(account, end_sessions, audit)) })
    }

    fn account(&self, id: i64) -> BoxFuture<'_, Result<Option<AccountRecord>, StoreError>> {
        Box::pin(async move { codec_call!(self, account(id)) })
    }

    fn record_login<'a>(
        &'a self,
        account: &'a AccountRecord,
        session: Option<&'a SessionRecord>,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move { codec_call!(self, record_login(account, session, audit)) })
    }

    fn session<'a>(
        &'a self,
        token_hash: &'a str,
    ) -> BoxFuture<'a, Result<Option<SessionRecord>, StoreError>> {
        Box::pin(async move { codec_call!(self, session(token_hash)) })
    }

    fn touch_session<'a>(
        &'a self,
        token_hash: &'a str,
        now_ms: i64,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move { codec_call!(self, touch_session(token_hash, now_ms)) })
    }

    fn end_sessions<'a>(
        &'a self,
        account_id: i64,
        token_hash: Option<&'a str>,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move { codec_call!(self, end_sessions(account_id, token_hash, audit)) })
    }

    fn audit_search<'a>(
        &'a self,
        query: &'a AuditQuery,
    ) -> BoxFuture<'a, Result<(Vec<AuditRecord>, i64), StoreError>> {
        Box::pin(async move { codec_call!(self, audit_search(query)) })
    }

    fn audit_head(&self) -> BoxFuture<'_, Result<Option<AuditRecord>, StoreError>> {
        Box::pin(async move { codec_call!(self, audit_head()) })
    }

    fn audit_records(
        &self,
        after: i64,
        limit: i64,
    ) -> BoxFuture<'_, Result<Vec<AuditRecord>, StoreError>> {
        Box::pin(async move { codec_call!(self, audit_records(after, limit)) })
    }

    fn load_read_model(&self) -> BoxFuture<'_, Result<ReadModel, StoreError>> {
        Box::pin(async move { codec_call!(self, load_read_model()) })
    }

    fn claim_job<'a>(&'a self, claim: &'a JobClaim) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async move {
            // An upsert that only takes over an expired, unfinished claim; RETURNING yields a row
            // only when this node's claim was written. Both engines run it as one atomic statement.
            let row: Option<String> = dispatch!(self, pool => sqlx::query_scalar(
                "INSERT INTO job_runs (job, slot, node, claimed_at_ms, lease_until_ms) \
                 VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (job, slot) DO UPDATE SET node = excluded.node, \
                 claimed_at_ms = excluded.claimed_at_ms, lease_until_ms = excluded.lease_until_ms \
                 WHERE job_runs.finished_at_ms IS NULL \
                 AND job_runs.lease_until_ms < excluded.claimed_at_ms \
                 RETURNING node",
            )
            .bind(&claim.job)
            .bind(&claim.slot)
            .bind(&claim.node)
            .bind(claim.now_ms)
            .bind(claim.now_ms + claim.lease_ms)
            .fetch_optional(pool)
            .await
            .map_err(backend_error)?);
            Ok(row.is_some())
        })
    }

    fn finish_job<'a>(
        &'a self,
        claim: &'a JobClaim,
        finished_ms: i64,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let done = dispatch!(self, pool => sqlx::query(
                "UPDATE job_runs SET finished_at_ms = $1 WHERE job = $2 AND slot = $3 AND node = $4",
            )
            .bind(finished_ms)
            .bind(&claim.job)
            .bind(&claim.slot)
            .bind(&claim.node)
            .execute(pool)
            .await
            .map_err(backend_error)?
            .rows_affected());
            if done == 1 {
                Ok(())
            } else {
                Err(StoreError::Invalid(format!(
                    "job {} for {} is not held by node {}",
                    claim.job, claim.slot, claim.node
                )))
            }
        })
    }

    fn load_cadence(&self) -> BoxFuture<'_, Result<CadenceRecords, StoreError>> {
        Box::pin(async move { cadence_call!(self, load_cadence()) })
    }

    fn load_filings(
        &self,
        period: jianguan_domain::model::PeriodId,
    ) -> BoxFuture<'_, Result<Vec<jianguan_domain::filing::Filed>, StoreError>> {
        Box::pin(async move { cadence_call!(self, load_filings(period)) })
    }

    fn record_cadence<'a>(
        &'a self,
        write: &'a CadenceWrite,
        audit: &'a [AuditDraft],
    ) -> BoxFuture<'a, Result<Vec<ItemId>, StoreError>> {
        Box::pin(async move { cadence_call!(self, record_cadence(write, audit)) })
    }

    fn file_report<'a>(
        &'a self,
        report: &'a ProgressReport,
        photos: &'a [PhotoRef],
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<ReportId, StoreError>> {
        Box::pin(async move { cadence_call!(self, file_report(report, photos, audit)) })
    }

    fn report_photos(&self, report: ReportId) -> BoxFuture<'_, Result<Vec<PhotoRef>, StoreError>> {
        Box::pin(async move { cadence_call!(self, report_photos(report)) })
    }

    fn setting<'a>(
        &'a self,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<SettingVersion>, StoreError>> {
        Box::pin(async move { cadence_call!(self, setting(key)) })
    }

    fn save_setting<'a>(
        &'a self,
        key: &'a str,
        body: &'a str,
        saved_by: &'a str,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<SettingVersion, StoreError>> {
        Box::pin(async move { cadence_call!(self, save_setting(key, body, saved_by, audit)) })
    }

    fn scheme(
        &self,
        year: i16,
        version: Option<u32>,
    ) -> BoxFuture<'_, Result<Option<SchemeVersion>, StoreError>> {
        Box::pin(async move { assessment_call!(self, scheme(year, version)) })
    }

    fn scheme_versions(&self, year: i16) -> BoxFuture<'_, Result<Vec<SchemeVersion>, StoreError>> {
        Box::pin(async move { assessment_call!(self, scheme_versions(year)) })
    }

    fn save_scheme<'a>(
        &'a self,
        year: i16,
        version: u32,
        body: &'a str,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<SchemeVersion, StoreError>> {
        Box::pin(async move { assessment_call!(self, save_scheme(year, version, body, audit)) })
    }

    fn enter_values<'a>(
        &'a self,
        values: &'a [EnteredValue],
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<Vec<i64>, StoreError>> {
        Box::pin(async move { assessment_call!(self, enter_values(values, audit)) })
    }

    fn entered_values(&self) -> BoxFuture<'_, Result<Vec<EnteredValue>, StoreError>> {
        Box::pin(async move { assessment_call!(self, entered_values()) })
    }

    fn add_media_reports<'a>(
        &'a self,
        reports: &'a [MediaReport],
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<Vec<i64>, StoreError>> {
        Box::pin(async move { assessment_call!(self, add_media_reports(reports, audit)) })
    }

    fn media_reports(&self) -> BoxFuture<'_, Result<Vec<MediaReport>, StoreError>> {
        Box::pin(async move { assessment_call!(self, media_reports()) })
    }

    fn save_draft_run<'a>(
        &'a self,
        run: &'a ScoreRun,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move { assessment_call!(self, save_draft_run(run, audit)) })
    }

    fn publish_run<'a>(
        &'a self,
        month: Month,
        kind: SubjectKind,
        on: Date,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<ScoreRun, StoreError>> {
        Box::pin(async move { assessment_call!(self, publish_run(month, kind, on, audit)) })
    }

    fn save_correction<'a>(
        &'a self,
        run: &'a ScoreRun,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move { assessment_call!(self, save_correction(run, audit)) })
    }

    fn latest_run(
        &self,
        month: Month,
        kind: SubjectKind,
    ) -> BoxFuture<'_, Result<Option<ScoreRun>, StoreError>> {
        Box::pin(async move { assessment_call!(self, latest_run(month, kind)) })
    }

    fn run_versions(
        &self,
        month: Month,
        kind: SubjectKind,
    ) -> BoxFuture<'_, Result<Vec<ScoreRun>, StoreError>> {
        Box::pin(async move { assessment_call!(self, run_versions(month, kind)) })
    }

    fn latest_runs(
        &self,
        year: i16,
        kind: SubjectKind,
    ) -> BoxFuture<'_, Result<Vec<ScoreRun>, StoreError>> {
        Box::pin(async move { assessment_call!(self, latest_runs(year, kind)) })
    }

    fn file_objection<'a>(
        &'a self,
        objection: &'a Objection,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<i64, StoreError>> {
        Box::pin(async move { assessment_call!(self, file_objection(objection, audit)) })
    }

    fn decide_objection<'a>(
        &'a self,
        id: i64,
        decision: &'a Decision,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<Objection, StoreError>> {
        Box::pin(async move { assessment_call!(self, decide_objection(id, decision, audit)) })
    }

    fn objections(&self, month: Month) -> BoxFuture<'_, Result<Vec<Objection>, StoreError>> {
        Box::pin(async move { assessment_call!(self, objections(month)) })
    }

    fn import_projects<'a>(
        &'a self,
        import: &'a jianguan_domain::store::ProjectImport,
        actor: &'a Actor,
        progress: Progress<'a>,
    ) -> BoxFuture<'a, Result<Vec<ProjectId>, StoreError>> {
        Box::pin(async move {
            match self {
                Db::Sqlite(pool) => {
                    ledger::sqlite_ledger::import_projects(pool, import, actor, progress).await
                }
                Db::Postgres(pool) => {
                    ledger::postgres_ledger::import_projects(pool, import, actor, progress).await
                }
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
