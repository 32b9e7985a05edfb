//! Reading and writing the domain's records. The SQL and the row mapping are written once, in a
//! macro that is expanded once per backend: each expansion is plain, concrete sqlx code for one
//! database type, so no generic trait bounds leak into it, and the text cannot drift apart.

use std::collections::HashMap;
use std::sync::Arc;

pub(crate) mod bulk;

use jianguan_domain::Date;
use jianguan_domain::model::*;
use jianguan_domain::store::{
    AccountRecord, RecordScope, ReportVersions, SessionRecord, StoreError,
};

/// Rows per multi-row `INSERT`, kept well under both engines' bind-parameter limits.
pub(crate) const CHUNK: usize = 1000;

/// (project, period end, investment) of the latest version of each project's report per period,
/// from (project, period end, version, investment) rows in any order.
pub(crate) fn latest_points(mut all: Vec<(i64, Date, i64, i64)>) -> Vec<(ProjectId, Date, Money)> {
    all.sort_unstable_by_key(|(project, end, version, _)| (*project, *end, *version));
    // After sorting, the last of each (project, period end) run is its latest version.
    let mut investment: Vec<(ProjectId, Date, Money)> = Vec::with_capacity(all.len());
    for (i, (project, end, _, money)) in all.iter().enumerate() {
        let next = all.get(i + 1);
        if next.is_none_or(|n| n.0 != *project || n.1 != *end) {
            investment.push((ProjectId(*project), *end, Money(*money)));
        }
    }
    investment
}

/// Stored data this program cannot read: a backend failure (for the log), not the user's fault.
pub(crate) fn unreadable(what: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(format!("unreadable stored data: {what}"))
}

pub(crate) fn parse_date(text: &str, what: &str) -> Result<Date, StoreError> {
    text.parse()
        .map_err(|e| unreadable(format!("{what}: `{text}` is not a date: {e}")))
}

fn parse_opt_date(text: Option<String>, what: &str) -> Result<Option<Date>, StoreError> {
    text.map(|t| parse_date(&t, what)).transpose()
}

fn parse_status(text: Option<String>) -> Result<Option<ProjectStatus>, StoreError> {
    text.map(|t| {
        ProjectStatus::from_code(&t)
            .ok_or_else(|| unreadable(format!("unknown project status `{t}`")))
    })
    .transpose()
}

pub(crate) fn unknown(what: &str, code: &str) -> StoreError {
    unreadable(format!("unknown {what} `{code}`"))
}

/// A `projects` row, as [`PROJECT_COLUMNS`](sqlite_codec) reads it.
#[derive(sqlx::FromRow)]
pub(crate) struct ProjectRow {
    id: i64,
    code: String,
    name: String,
    category_id: i64,
    sub_category: Option<String>,
    district_id: i64,
    street: String,
    lead_unit_id: i64,
    responsible_unit_id: i64,
    sub_hq_id: i64,
    build_type: String,
    households: Option<i64>,
    area_m2: Option<i64>,
    parking_spaces: Option<i64>,
    toilets: Option<i64>,
    length_m: Option<i64>,
    total_investment: i64,
    funding_source: String,
    lon: Option<f64>,
    lat: Option<f64>,
    suspended_on: Option<String>,
}

impl ProjectRow {
    /// The project, without its year plans and milestones (read separately).
    fn into_project(self) -> Result<Project, StoreError> {
        Ok(Project {
            id: ProjectId(self.id),
            code: self.code,
            name: self.name,
            category: CategoryId(self.category_id),
            sub_category: self.sub_category,
            district: UnitId(self.district_id),
            street: self.street,
            lead_unit: UnitId(self.lead_unit_id),
            responsible_unit: UnitId(self.responsible_unit_id),
            sub_hq: UnitId(self.sub_hq_id),
            build_type: BuildType::from_code(&self.build_type)
                .ok_or_else(|| unknown("build type", &self.build_type))?,
            scale: Scale {
                households: self.households,
                area_m2: self.area_m2,
                parking_spaces: self.parking_spaces,
                toilets: self.toilets,
                length_m: self.length_m,
            },
            total_investment: Money(self.total_investment),
            funding_source: self.funding_source,
            location: self
                .lon
                .zip(self.lat)
                .map(|(lon, lat)| GeoPoint { lon, lat }),
            suspended_on: parse_opt_date(self.suspended_on, "suspended_on")?,
            year_plans: Vec::new(),
            milestones: Vec::new(),
        })
    }
}

/// A `milestones` row.
#[derive(sqlx::FromRow)]
pub(crate) struct MilestoneRow {
    id: i64,
    project_id: i64,
    seq: i64,
    name: String,
    weight: i64,
    enters: Option<String>,
    planned_on: String,
    actual_on: Option<String>,
    derived: bool,
    adjusted_on: Option<String>,
}

impl MilestoneRow {
    /// (project id, milestone).
    fn into_milestone(self) -> Result<(i64, Milestone), StoreError> {
        Ok((
            self.project_id,
            Milestone {
                id: MilestoneId(self.id),
                seq: self.seq as u16,
                name: self.name,
                weight: self.weight as u32,
                enters: parse_status(self.enters)?,
                planned: parse_date(&self.planned_on, "planned_on")?,
                actual: parse_opt_date(self.actual_on, "actual_on")?,
                derived: self.derived,
                adjusted: parse_opt_date(self.adjusted_on, "adjusted_on")?,
            },
        ))
    }
}

/// A `year_plans` row.
#[derive(sqlx::FromRow)]
pub(crate) struct YearPlanRow {
    project_id: i64,
    year: i64,
    kind: String,
    planned_investment: i64,
    status: String,
    adjusted_investment: Option<i64>,
    cancelled_on: Option<String>,
}

impl YearPlanRow {
    /// (project id, plan).
    fn into_plan(self) -> Result<(i64, YearPlan), StoreError> {
        Ok((
            self.project_id,
            YearPlan {
                year: self.year as i16,
                kind: PlanKind::from_code(&self.kind)
                    .ok_or_else(|| unknown("plan kind", &self.kind))?,
                planned_investment: Money(self.planned_investment),
                status: PlanStatus::from_code(&self.status)
                    .ok_or_else(|| unknown("plan status", &self.status))?,
                adjusted_investment: self.adjusted_investment.map(Money),
                cancelled_on: parse_opt_date(self.cancelled_on, "cancelled_on")?,
            },
        ))
    }
}

/// A `reporting_periods` row.
#[derive(sqlx::FromRow)]
pub(crate) struct PeriodRow {
    id: i64,
    year: i64,
    seq: i64,
    start_on: String,
    end_on: String,
    deadline_on: String,
}

impl PeriodRow {
    fn into_period(self) -> Result<ReportingPeriod, StoreError> {
        Ok(ReportingPeriod {
            id: PeriodId(self.id),
            year: self.year as i16,
            seq: self.seq as u16,
            start: parse_date(&self.start_on, "start_on")?,
            end: parse_date(&self.end_on, "end_on")?,
            deadline: parse_date(&self.deadline_on, "deadline_on")?,
        })
    }
}

/// A `progress_reports` row (its reached milestones and problems are read separately).
#[derive(sqlx::FromRow)]
pub(crate) struct ReportRow {
    id: i64,
    project_id: i64,
    period_id: i64,
    version: i64,
    filed_on: String,
    investment_to_date: i64,
    note: String,
    correction_reason: Option<String>,
}

impl ReportRow {
    fn into_report(self) -> Result<ProgressReport, StoreError> {
        Ok(ProgressReport {
            id: ReportId(self.id),
            project: ProjectId(self.project_id),
            period: PeriodId(self.period_id),
            version: self.version as u16,
            filed_on: parse_date(&self.filed_on, "filed_on")?,
            investment_to_date: Money(self.investment_to_date),
            milestones_reached: Vec::new(),
            note: self.note,
            problems: Vec::new(),
            correction_reason: self.correction_reason,
        })
    }
}

/// An `audit_log` row.
#[derive(sqlx::FromRow)]
pub(crate) struct AuditRow {
    seq: i64,
    at_ms: i64,
    actor: String,
    unit: Option<String>,
    action: String,
    object: String,
    result: String,
    client: Option<String>,
    changes: String,
    prev_hash: String,
    hash: String,
}

impl AuditRow {
    pub(crate) fn into_record(self) -> Result<jianguan_audit::AuditRecord, StoreError> {
        Ok(jianguan_audit::AuditRecord {
            seq: self.seq,
            at_ms: self.at_ms,
            actor: self.actor,
            unit: self.unit,
            action: self.action,
            object: self.object,
            result: self
                .result
                .parse()
                .map_err(|_| unknown("audit result", &self.result))?,
            client: self.client,
            changes: serde_json::from_str(&self.changes)
                .map_err(|e| unreadable(format!("audit changes are not valid JSON: {e}")))?,
            prev_hash: self.prev_hash,
            hash: self.hash,
        })
    }
}

/// An `accounts` row (its roles are read separately).
#[derive(sqlx::FromRow)]
pub(crate) struct AccountRow {
    id: i64,
    username_key: String,
    username: String,
    display_name: String,
    unit_id: Option<i64>,
    password_hash: String,
    totp_secret: Option<String>,
    totp_last_step: Option<i64>,
    created_at_ms: i64,
    last_login_ms: Option<i64>,
    expires_on: Option<String>,
    disabled_at_ms: Option<i64>,
    failed_logins: i64,
    locked_until_ms: Option<i64>,
    password_changed_at_ms: Option<i64>,
    must_change_password: bool,
}

impl AccountRow {
    fn into_account(self, roles: Vec<String>) -> Result<AccountRecord, StoreError> {
        Ok(AccountRecord {
            id: self.id,
            username: self.username,
            username_key: self.username_key,
            display_name: self.display_name,
            unit: self.unit_id.map(UnitId),
            roles,
            password_hash: self.password_hash,
            totp_secret: crate::secrets::open(self.totp_secret)?,
            totp_last_step: self.totp_last_step,
            created_at_ms: self.created_at_ms,
            last_login_ms: self.last_login_ms,
            expires_on: parse_opt_date(self.expires_on, "expires_on")?,
            disabled_at_ms: self.disabled_at_ms,
            failed_logins: self.failed_logins,
            locked_until_ms: self.locked_until_ms,
            password_changed_at_ms: self.password_changed_at_ms,
            must_change_password: self.must_change_password,
        })
    }
}

/// A `sessions` row.
#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    token_hash: String,
    account_id: i64,
    created_at_ms: i64,
    last_seen_ms: i64,
}

impl From<SessionRow> for SessionRecord {
    fn from(r: SessionRow) -> SessionRecord {
        SessionRecord {
            token_hash: r.token_hash,
            account_id: r.account_id,
            created_at_ms: r.created_at_ms,
            last_seen_ms: r.last_seen_ms,
        }
    }
}

/// The one scope predicate: `scope` as a condition on `projects` with its unit id bound as `$2`
/// (the column names are fixed text, never input). "Everything" and "nothing" stay distinct
/// conditions, so a reader without campaign scope can never fall through to seeing all.
pub(crate) fn scope_predicate(scope: RecordScope) -> (&'static str, i64) {
    match scope {
        RecordScope::All => ("$2 = $2", 0),
        RecordScope::District(u) => ("district_id = $2", u.0),
        RecordScope::Line(u) => ("sub_hq_id = $2", u.0),
        RecordScope::LeadUnit(u) => ("lead_unit_id = $2", u.0),
        RecordScope::ResponsibleUnit(u) => ("responsible_unit_id = $2", u.0),
        RecordScope::Nothing => ("$2 <> $2", 0),
    }
}

/// The condition on a report row `r` that it is the current version of its period's report.
macro_rules! current_version {
    () => {
        "r.version = (SELECT MAX(v.version) FROM progress_reports v \
         WHERE v.project_id = r.project_id AND v.period_id = r.period_id)"
    };
}

/// The condition on a report row `r` that reads the versions `versions` asks for.
pub(crate) fn versions_predicate(versions: ReportVersions) -> &'static str {
    match versions {
        ReportVersions::All => "1 = 1",
        ReportVersions::Current => current_version!(),
        ReportVersions::Filing => concat!(
            "(",
            current_version!(),
            " OR EXISTS (SELECT 1 FROM report_problems q \
             WHERE q.report_id = r.id AND q.needs_coordination_with IS NOT NULL))"
        ),
    }
}

/// How an account is looked up.
enum AccountKey<'a> {
    Id(i64),
    Name(&'a str),
}

/// Groups child rows under their parent's index.
fn attach<T>(parents: &HashMap<i64, usize>, rows: Vec<(i64, T)>) -> HashMap<usize, Vec<T>> {
    let mut out: HashMap<usize, Vec<T>> = HashMap::new();
    for (parent, row) in rows {
        if let Some(i) = parents.get(&parent) {
            out.entry(*i).or_default().push(row);
        }
    }
    out
}

macro_rules! backend_codec {
    (
        $module:ident,
        $db:ty,
        begin = $begin:expr,
        writer_lock = $writer_lock:expr,
        writers = $writers:expr,
        table_exists = $table_exists:expr
    ) => {
        pub(crate) mod $module {
            use super::*;
            use jianguan_audit::{
                AuditAction, AuditDraft, AuditRecord, ChainSuite, CryptoSuite, FieldChange, Outcome,
                seal,
            };
            use jianguan_domain::change::{Change, Touched};
            use jianguan_domain::store::{
                AccountRecord, Actor, AuditQuery, LoginThrottleRecord, Progress, ProjectRecord,
                ReadModel, ReadModelPart, RecordScope, SessionRecord,
            };
            use futures_util::TryStreamExt;
            use sqlx::{Pool, QueryBuilder, Row};

            use crate::{backend_error, now_ms};

            type Db = $db;

            /// Starts a write transaction holding the one writer lock up front, on both backends:
            /// SQLite's `BEGIN IMMEDIATE`, PostgreSQL's transaction-scoped advisory lock. Every
            /// write reads before it writes (the next id is the largest plus one, the audit head,
            /// the checks of its gate) and every write appends to the one audit chain, so writers
            /// are serial anyway; taking the lock at the start instead of at the audit append
            /// keeps two writers from reading the same next id (PostgreSQL answered concurrent
            /// filings with duplicate keys) or passing the same check.
            pub(crate) async fn begin_write(pool: &Pool<Db>) -> Result<WriteTx, StoreError> {
                // A new transaction holding the writer lock.
                async fn begin(
                    pool: &Pool<Db>,
                ) -> Result<sqlx::Transaction<'static, Db>, StoreError> {
                    let mut tx = pool.begin_with($begin).await.map_err(backend_error)?;
                    let lock: Option<&'static str> = $writer_lock;
                    if let Some(lock) = lock {
                        sqlx::query(lock).execute(&mut *tx).await.map_err(backend_error)?;
                    }
                    Ok(tx)
                }
                // This process's writers of a SQLite file take turns (in order, without polling)
                // and may share one transaction's commit: see `crate::writers`.
                let Some(writers) = $writers(pool) else {
                    return Ok(WriteTx { tx: Some(begin(pool).await?), turn: None });
                };
                let (turn, open) = writers.turn().await;
                let mut tx = match open {
                    Some(tx) => tx,
                    None => begin(pool).await?,
                };
                if let Err(e) = sqlx::query("SAVEPOINT jg_write").execute(&mut *tx).await {
                    // The writes before this one in the batch are committed (or fail) now.
                    let _ = turn.finish(tx, false, false).await;
                    return Err(backend_error(e));
                }
                Ok(WriteTx { tx: Some(tx), turn: Some(turn) })
            }

            /// A write transaction, holding this process's turn to write until it ends. In a
            /// batch (`crate::writers`) it is one savepoint of the batch's transaction: `commit`
            /// releases it and resolves once the batch's commit is durable, `rollback` (or a
            /// drop) undoes this write alone.
            pub(crate) struct WriteTx {
                tx: Option<sqlx::Transaction<'static, Db>>,
                turn: Option<crate::writers::Turn<Db>>,
            }

            /// Undoes a batched write: back to its savepoint, which is then let go.
            async fn undo(tx: &mut sqlx::Transaction<'static, Db>) -> Result<(), sqlx::Error> {
                sqlx::query("ROLLBACK TO SAVEPOINT jg_write").execute(&mut **tx).await?;
                sqlx::query("RELEASE SAVEPOINT jg_write").execute(&mut **tx).await?;
                Ok(())
            }

            /// A batch's failed commit as this write's error.
            fn batch_failed(message: String) -> sqlx::Error {
                sqlx::Error::Io(std::io::Error::other(message))
            }

            impl WriteTx {
                pub(crate) async fn commit(mut self) -> Result<(), sqlx::Error> {
                    let mut tx = self.tx.take().expect("a write transaction is open until it ends");
                    let Some(turn) = self.turn.take() else {
                        return tx.commit().await;
                    };
                    if let Err(e) = sqlx::query("RELEASE SAVEPOINT jg_write").execute(&mut *tx).await {
                        let undone = undo(&mut tx).await.is_ok();
                        let _ = turn.finish(tx, false, undone).await;
                        return Err(e);
                    }
                    turn.finish(tx, true, true).await.map_err(batch_failed)
                }

                pub(crate) async fn rollback(mut self) -> Result<(), sqlx::Error> {
                    let mut tx = self.tx.take().expect("a write transaction is open until it ends");
                    let Some(turn) = self.turn.take() else {
                        return tx.rollback().await;
                    };
                    let undone = undo(&mut tx).await;
                    let _ = turn.finish(tx, false, undone.is_ok()).await;
                    undone
                }
            }

            impl Drop for WriteTx {
                /// A write dropped before it ended (an error returned early, a request gone):
                /// undone alone, and its batch carried on, on a task (a drop cannot wait).
                fn drop(&mut self) {
                    if let (Some(mut tx), Some(turn)) = (self.tx.take(), self.turn.take())
                        && let Ok(runtime) = tokio::runtime::Handle::try_current()
                    {
                        runtime.spawn(async move {
                            let undone = undo(&mut tx).await.is_ok();
                            let _ = turn.finish(tx, false, undone).await;
                        });
                    }
                }
            }

            impl std::ops::Deref for WriteTx {
                type Target = <Db as sqlx::Database>::Connection;
                fn deref(&self) -> &Self::Target {
                    self.tx.as_ref().expect("a write transaction is open until it ends")
                }
            }

            impl std::ops::DerefMut for WriteTx {
                fn deref_mut(&mut self) -> &mut Self::Target {
                    self.tx.as_mut().expect("a write transaction is open until it ends")
                }
            }

            /// Marks the data changed (every write's last statement before commit) and logs
            /// what changed under the new version, so nodes catch their snapshots up.
            pub(crate) async fn bump_data_version(
                tx: &mut WriteTx,
                change: &Change,
            ) -> Result<(), StoreError> {
                let version: i64 = sqlx::query_scalar(
                    "UPDATE data_version SET version = version + 1 WHERE id = 1 RETURNING version",
                )
                .fetch_one(&mut **tx)
                .await
                .map_err(backend_error)?;
                log_change(tx, version, change).await
            }

            /// Logs `change` as what data version `version` changed, pruning entries
            /// [`crate::CHANGES_KEPT`] behind it now and then (a node that far behind re-reads
            /// everything).
            pub(crate) async fn log_change(
                tx: &mut WriteTx,
                version: i64,
                change: &Change,
            ) -> Result<(), StoreError> {
                sqlx::query("INSERT INTO data_changes (version, change) VALUES ($1, $2)")
                    .bind(version)
                    .bind(change.encode())
                    .execute(&mut **tx)
                    .await
                    .map_err(backend_error)?;
                if version % 256 == 0 {
                    sqlx::query("DELETE FROM data_changes WHERE version <= $1")
                        .bind(version - crate::CHANGES_KEPT)
                        .execute(&mut **tx)
                        .await
                        .map_err(backend_error)?;
                }
                Ok(())
            }

            /// The changes logged after `version`, merged, and the version they reach; `None`
            /// when the log does not reach back to `version` (pruned, or written before the log
            /// existed).
            pub(crate) async fn changes_since(
                pool: &Pool<Db>,
                version: i64,
            ) -> Result<Option<(i64, Change)>, StoreError> {
                let rows: Vec<(i64, String)> = sqlx::query_as(
                    "SELECT version, change FROM data_changes WHERE version > $1 ORDER BY version",
                )
                .bind(version)
                .fetch_all(pool)
                .await
                .map_err(backend_error)?;
                let mut merged = Change::default();
                let mut reached = version;
                for (v, text) in rows {
                    if v != reached + 1 {
                        return Ok(None);
                    }
                    merged.merge(&Change::decode(&text).map_err(|e| unreadable(e.to_string()))?);
                    reached = v;
                }
                Ok(Some((reached, merged)))
            }

            /// The next id of `table` (its largest plus one), inside the writer's transaction.
            ///
            /// Sound only under [`begin_write`]'s lock, which every caller holds: writers are
            /// serial from their first statement on both backends, so no two read the same
            /// largest id (the store's contract tests run every write path from many clients on
            /// two handles and count 0 errors and distinct ids). Ids are kept this way rather
            /// than drawn from PostgreSQL sequences because every write is serial anyway (the
            /// audit chain's next record needs the head, under the same lock), because several
            /// writers need a block of ids known before inserting (a ledger import's units,
            /// projects and milestones name each other; the demo city and `gen` bring their
            /// own), which a sequence would have to be re-set after, and because SQLite's
            /// `BIGINT PRIMARY KEY` is not a rowid alias, so database-made ids there would mean
            /// rebuilding every table. One rule on both backends, no sequence to drift.
            pub(crate) async fn next_id(
                tx: &mut WriteTx,
                table: &'static str,
            ) -> Result<i64, StoreError> {
                let max: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                    "SELECT MAX(id) FROM {table}"
                )))
                .fetch_one(&mut **tx)
                .await
                .map_err(backend_error)?;
                Ok(max.unwrap_or(0) + 1)
            }

            /// The database's crypto suite (`crypto_suite`, migration 0010) and the first audit
            /// record it hashes: `intl` from record 1 without a row — or without the table, in a
            /// database at an older schema that is being backed up before it is migrated.
            pub(crate) async fn chain_suite(
                conn: &mut <Db as sqlx::Database>::Connection,
            ) -> Result<ChainSuite, StoreError> {
                let tables: i64 = sqlx::query_scalar($table_exists)
                    .bind("crypto_suite")
                    .fetch_one(&mut *conn)
                    .await
                    .map_err(backend_error)?;
                if tables == 0 {
                    return Ok(CryptoSuite::Intl.into());
                }
                let stored: Option<(String, i64)> =
                    sqlx::query_as("SELECT suite, from_seq FROM crypto_suite WHERE id = 1")
                        .fetch_optional(&mut *conn)
                        .await
                        .map_err(backend_error)?;
                match stored {
                    None => Ok(CryptoSuite::Intl.into()),
                    Some((name, from_seq)) => Ok(ChainSuite {
                        suite: name
                            .parse()
                            .map_err(|e: jianguan_audit::UnknownSuite| crate::codec::unreadable(e))?,
                        from_seq,
                    }),
                }
            }

            /// The database's crypto suite (for secrets and integrity codes).
            pub(crate) async fn crypto_suite(
                conn: &mut <Db as sqlx::Database>::Connection,
            ) -> Result<CryptoSuite, StoreError> {
                Ok(chain_suite(conn).await?.suite)
            }

            /// The database's suite for a write that uses the secret key (a sealed secret, a keyed
            /// integrity code): the key's check value is recorded by the first such write, and a
            /// key other than the recorded one is refused, so one database never mixes two keys.
            pub(crate) async fn suite_for_keyed_write(
                conn: &mut <Db as sqlx::Database>::Connection,
            ) -> Result<CryptoSuite, StoreError> {
                let suite = crypto_suite(&mut *conn).await?;
                let Some(key) = crate::secrets::key() else {
                    return Ok(suite);
                };
                let value = key.check_value(suite);
                let stored: Option<String> =
                    sqlx::query_scalar("SELECT check_value FROM secret_key_check WHERE id = 1")
                        .fetch_optional(&mut *conn)
                        .await
                        .map_err(backend_error)?;
                match stored {
                    Some(stored) if stored == value => {}
                    Some(_) => return Err(StoreError::Invalid(crate::secrets::WRONG_KEY.into())),
                    None => {
                        sqlx::query(
                            "INSERT INTO secret_key_check (id, check_value, recorded_at_ms) \
                             VALUES (1, $1, $2)",
                        )
                        .bind(value)
                        .bind(now_ms())
                        .execute(&mut *conn)
                        .await
                        .map_err(backend_error)?;
                    }
                }
                Ok(suite)
            }

            /// Whether this process's key is the one the database's keyed values were made with:
            /// `None` when there is no key or nothing keyed yet.
            pub(crate) async fn key_matches(
                conn: &mut <Db as sqlx::Database>::Connection,
            ) -> Result<Option<bool>, StoreError> {
                let Some(key) = crate::secrets::key() else {
                    return Ok(None);
                };
                let suite = crypto_suite(&mut *conn).await?;
                let stored: Option<String> =
                    sqlx::query_scalar("SELECT check_value FROM secret_key_check WHERE id = 1")
                        .fetch_optional(&mut *conn)
                        .await
                        .map_err(backend_error)?;
                Ok(stored.map(|v| v == key.check_value(suite)))
            }

            /// Records the suite chosen at setup, in a transaction of its own.
            pub(crate) async fn choose_crypto_suite(
                pool: &Pool<Db>,
                suite: CryptoSuite,
                by: &str,
                at_ms: i64,
            ) -> Result<(), StoreError> {
                let mut tx = begin_write(pool).await?;
                record_crypto_suite(&mut tx, suite, by, at_ms).await?;
                tx.commit().await.map_err(backend_error)
            }

            /// Records the suite chosen at setup, inside the caller's write, from the next audit
            /// record on. Chosen once: the suite already recorded is no change, another refused.
            pub(crate) async fn record_crypto_suite(
                tx: &mut WriteTx,
                suite: CryptoSuite,
                by: &str,
                at_ms: i64,
            ) -> Result<(), StoreError> {
                let recorded: Option<String> =
                    sqlx::query_scalar("SELECT suite FROM crypto_suite WHERE id = 1")
                        .fetch_optional(&mut **tx)
                        .await
                        .map_err(backend_error)?;
                if let Some(recorded) = recorded {
                    let current = crypto_suite(&mut **tx).await?;
                    return if recorded == suite.as_str() {
                        Ok(())
                    } else {
                        Err(StoreError::Invalid(format!(
                            "数据库已选定{}，不能改为{}：密码算法只在初始化时选择一次 (the crypto suite is chosen once)",
                            current.label_zh(),
                            suite.label_zh()
                        )))
                    };
                }
                let head: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM audit_log")
                    .fetch_one(&mut **tx)
                    .await
                    .map_err(backend_error)?;
                sqlx::query(
                    "INSERT INTO crypto_suite (id, suite, from_seq, chosen_at_ms, chosen_by) \
                     VALUES (1, $1, $2, $3, $4)",
                )
                .bind(suite.as_str())
                .bind(head.unwrap_or(0) + 1)
                .bind(at_ms)
                .bind(by)
                .execute(&mut **tx)
                .await
                .map_err(backend_error)?;
                Ok(())
            }

            const AUDIT_COLUMNS: &str =
                "seq, at_ms, actor, unit, action, object, result, client, changes, prev_hash, hash";

            /// Seals `drafts` onto the chain head and inserts them, inside the caller's write
            /// transaction: if they cannot be written, the action they record rolls back with
            /// them (auditing fails closed).
            pub(crate) async fn append_audit_tx(
                tx: &mut WriteTx,
                drafts: Vec<AuditDraft>,
            ) -> Result<Option<AuditRecord>, StoreError> {
                // The caller's transaction holds the writer lock (`begin_write`), so the head read
                // here stays the head until commit.
                let head: Option<AuditRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT 1"
                )))
                .fetch_optional(&mut **tx)
                .await
                .map_err(backend_error)?;
                let mut prev = head.map(AuditRow::into_record).transpose()?;
                let suite = chain_suite(&mut **tx).await?;
                let mut sealed = Vec::with_capacity(drafts.len());
                for draft in drafts {
                    let record = seal(draft, prev.as_ref(), suite);
                    prev = Some(record.clone());
                    sealed.push(record);
                }
                for chunk in sealed.chunks(CHUNK) {
                    let mut qb: QueryBuilder<Db> = QueryBuilder::new(format!(
                        "INSERT INTO audit_log ({AUDIT_COLUMNS}) "
                    ));
                    qb.push_values(chunk, |mut b, r| {
                        b.push_bind(r.seq)
                            .push_bind(r.at_ms)
                            .push_bind(r.actor.clone())
                            .push_bind(r.unit.clone())
                            .push_bind(r.action.clone())
                            .push_bind(r.object.clone())
                            .push_bind(r.result.as_str())
                            .push_bind(r.client.clone())
                            .push_bind(
                                serde_json::to_string(&r.changes).expect("changes serialise"),
                            )
                            .push_bind(r.prev_hash.clone())
                            .push_bind(r.hash.clone());
                    });
                    qb.build().execute(&mut **tx).await.map_err(backend_error)?;
                    crate::crash::crash_point!("crash.12.audit.after_append");
                }
                Ok(prev)
            }

            /// Seals the TOTP seeds stored in plain text, in one transaction with `audit`; how
            /// many. Nothing (and no audit record) when there are none or no key.
            pub(crate) async fn seal_plain_secrets(
                pool: &Pool<Db>,
                audit: &AuditDraft,
            ) -> Result<usize, StoreError> {
                if !crate::secrets::has_key() {
                    return Ok(0);
                }
                let mut tx = begin_write(pool).await?;
                let plain: Vec<(i64, String)> = sqlx::query_as(
                    "SELECT id, totp_secret FROM accounts WHERE totp_secret IS NOT NULL \
                     AND totp_secret NOT LIKE 'aes256gcm1:%' AND totp_secret NOT LIKE 'sm4gcm1:%' \
                     ORDER BY id",
                )
                .fetch_all(&mut *tx)
                .await
                .map_err(backend_error)?;
                let suite = crypto_suite(&mut *tx).await?;
                if plain.is_empty() {
                    return Ok(0);
                }
                for (id, secret) in &plain {
                    sqlx::query("UPDATE accounts SET totp_secret = $1 WHERE id = $2")
                        .bind(crate::secrets::seal(Some(secret), suite)?)
                        .bind(id)
                        .execute(&mut *tx)
                        .await
                        .map_err(backend_error)?;
                }
                let mut audit = audit.clone();
                audit.changes.push(FieldChange {
                    field: "sealed_totp_secrets".into(),
                    before: None,
                    after: Some(plain.len().to_string()),
                });
                append_audit_tx(&mut tx, vec![audit]).await?;
                bump_data_version(&mut tx, &Change::default()).await?;
                tx.commit().await.map_err(backend_error)?;
                Ok(plain.len())
            }

            /// Appends one audit record in a transaction of its own.
            pub(crate) async fn append_audit(
                pool: &Pool<Db>,
                draft: &AuditDraft,
            ) -> Result<AuditRecord, StoreError> {
                let mut tx = begin_write(pool).await?;
                let record = append_audit_tx(&mut tx, vec![draft.clone()])
                    .await?
                    .expect("one record was sealed");
                tx.commit().await.map_err(backend_error)?;
                Ok(record)
            }

            const ACCOUNT_COLUMNS: &str = "id, username_key, username, display_name, unit_id, \
                 password_hash, totp_secret, totp_last_step, created_at_ms, last_login_ms, expires_on, \
                 disabled_at_ms, failed_logins, locked_until_ms, password_changed_at_ms, \
                 must_change_password";

            async fn account_where(
                pool: &Pool<Db>,
                condition: &'static str,
                key: AccountKey<'_>,
            ) -> Result<Option<AccountRecord>, StoreError> {
                let sql = sqlx::AssertSqlSafe(format!(
                    "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE {condition}"
                ));
                let row: Option<AccountRow> = match key {
                    AccountKey::Id(id) => sqlx::query_as(sql).bind(id).fetch_optional(pool).await,
                    AccountKey::Name(name) => {
                        sqlx::query_as(sql).bind(name).fetch_optional(pool).await
                    }
                }
                .map_err(backend_error)?;
                let Some(row) = row else {
                    return Ok(None);
                };
                let roles: Vec<String> =
                    sqlx::query_scalar("SELECT role FROM account_roles WHERE account_id = $1 ORDER BY role")
                        .bind(row.id)
                        .fetch_all(pool)
                        .await
                        .map_err(backend_error)?;
                row.into_account(roles).map(Some)
            }

            /// The account with this normalised user name.
            pub(crate) async fn account_by_key(
                pool: &Pool<Db>,
                key: &str,
            ) -> Result<Option<AccountRecord>, StoreError> {
                account_where(pool, "username_key = $1", AccountKey::Name(key)).await
            }

            /// The account with this id.
            pub(crate) async fn account(
                pool: &Pool<Db>,
                id: i64,
            ) -> Result<Option<AccountRecord>, StoreError> {
                account_where(pool, "id = $1", AccountKey::Id(id)).await
            }

            /// Every account, by id.
            pub(crate) async fn list_accounts(
                pool: &Pool<Db>,
            ) -> Result<Vec<AccountRecord>, StoreError> {
                let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM accounts ORDER BY id")
                    .fetch_all(pool)
                    .await
                    .map_err(backend_error)?;
                let mut accounts = Vec::with_capacity(ids.len());
                for id in ids {
                    if let Some(a) = account(pool, id).await? {
                        accounts.push(a);
                    }
                }
                Ok(accounts)
            }

            /// Saves an account's editable fields and roles with the audit record.
            pub(crate) async fn update_account(
                pool: &Pool<Db>,
                a: &AccountRecord,
                end_sessions: bool,
                audit: &AuditDraft,
            ) -> Result<(), StoreError> {
                let mut tx = begin_write(pool).await?;
                let suite = if a.totp_secret.is_some() {
                    suite_for_keyed_write(&mut tx).await?
                } else {
                    crypto_suite(&mut tx).await?
                };
                let updated = sqlx::query(
                    "UPDATE accounts SET display_name = $1, unit_id = $2, expires_on = $3, \
                     disabled_at_ms = $4, totp_secret = $5, totp_last_step = $6 WHERE id = $7",
                )
                .bind(&a.display_name)
                .bind(a.unit.map(|u| u.0))
                .bind(a.expires_on.map(|d| d.to_string()))
                .bind(a.disabled_at_ms)
                .bind(crate::secrets::seal(a.totp_secret.as_deref(), suite)?)
                .bind(a.totp_last_step)
                .bind(a.id)
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?
                .rows_affected();
                if updated != 1 {
                    return Err(StoreError::NotFound(format!("账号（id {}）", a.id)));
                }
                sqlx::query("DELETE FROM account_roles WHERE account_id = $1")
                    .bind(a.id)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_error)?;
                for role in &a.roles {
                    sqlx::query("INSERT INTO account_roles (account_id, role) VALUES ($1, $2)")
                        .bind(a.id)
                        .bind(role)
                        .execute(&mut *tx)
                        .await
                        .map_err(backend_error)?;
                }
                if end_sessions {
                    sqlx::query("DELETE FROM sessions WHERE account_id = $1")
                        .bind(a.id)
                        .execute(&mut *tx)
                        .await
                        .map_err(backend_error)?;
                }
                append_audit_tx(&mut tx, vec![audit.clone()]).await?;
                tx.commit().await.map_err(backend_error)
            }

            /// Creates an account, its roles and its audit record in one transaction.
            pub(crate) async fn create_account(
                pool: &Pool<Db>,
                a: &AccountRecord,
                audit: &AuditDraft,
            ) -> Result<i64, StoreError> {
                let mut tx = begin_write(pool).await?;
                let suite = if a.totp_secret.is_some() {
                    suite_for_keyed_write(&mut tx).await?
                } else {
                    crypto_suite(&mut tx).await?
                };
                let id = next_id(&mut tx, "accounts").await?;
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "INSERT INTO accounts ({ACCOUNT_COLUMNS}) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
                )))
                .bind(id)
                .bind(&a.username_key)
                .bind(&a.username)
                .bind(&a.display_name)
                .bind(a.unit.map(|u| u.0))
                .bind(&a.password_hash)
                .bind(crate::secrets::seal(a.totp_secret.as_deref(), suite)?)
                .bind(a.totp_last_step)
                .bind(a.created_at_ms)
                .bind(a.last_login_ms)
                .bind(a.expires_on.map(|d| d.to_string()))
                .bind(a.disabled_at_ms)
                .bind(a.failed_logins)
                .bind(a.locked_until_ms)
                .bind(a.password_changed_at_ms.or(Some(a.created_at_ms)))
                .bind(a.must_change_password)
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?;
                for role in &a.roles {
                    sqlx::query("INSERT INTO account_roles (account_id, role) VALUES ($1, $2)")
                        .bind(id)
                        .bind(role)
                        .execute(&mut *tx)
                        .await
                        .map_err(backend_error)?;
                }
                let mut audit = audit.clone();
                audit.object = format!("account:{id}");
                append_audit_tx(&mut tx, vec![audit]).await?;
                crate::crash::crash_point!("crash.10.account.before_commit");
                tx.commit().await.map_err(backend_error)?;
                Ok(id)
            }

            /// Stores a login attempt's outcome, the new session (on success) and its audit
            /// record in one transaction.
            pub(crate) async fn record_login(
                pool: &Pool<Db>,
                a: &AccountRecord,
                session: Option<&SessionRecord>,
                audit: &AuditDraft,
            ) -> Result<(), StoreError> {
                let mut tx = begin_write(pool).await?;
                sqlx::query(
                    "UPDATE accounts SET failed_logins = $1, locked_until_ms = $2, \
                     last_login_ms = $3, disabled_at_ms = $4, totp_last_step = $5 WHERE id = $6",
                )
                .bind(a.failed_logins)
                .bind(a.locked_until_ms)
                .bind(a.last_login_ms)
                .bind(a.disabled_at_ms)
                .bind(a.totp_last_step)
                .bind(a.id)
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?;
                if let Some(s) = session {
                    sqlx::query(
                        "INSERT INTO sessions (token_hash, account_id, created_at_ms, last_seen_ms, client) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(&s.token_hash)
                    .bind(s.account_id)
                    .bind(s.created_at_ms)
                    .bind(s.last_seen_ms)
                    .bind(&audit.client)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_error)?;
                }
                append_audit_tx(&mut tx, vec![audit.clone()]).await?;
                tx.commit().await.map_err(backend_error)
            }

            /// The failed logins of `source` against `username_key`.
            pub(crate) async fn login_throttle(
                pool: &Pool<Db>,
                username_key: &str,
                source: &str,
            ) -> Result<Option<LoginThrottleRecord>, StoreError> {
                let row: Option<(i64, i64, Option<i64>)> = sqlx::query_as(
                    "SELECT failures, last_failure_ms, locked_until_ms FROM login_throttle \
                     WHERE username_key = $1 AND source = $2",
                )
                .bind(username_key)
                .bind(source)
                .fetch_optional(pool)
                .await
                .map_err(backend_error)?;
                Ok(row.map(|(failures, last_failure_ms, locked_until_ms)| LoginThrottleRecord {
                    failures,
                    last_failure_ms,
                    locked_until_ms,
                }))
            }

            /// Stores a failed login's throttle state (pruning stale rows) and its audit record.
            pub(crate) async fn record_login_failure(
                pool: &Pool<Db>,
                username_key: &str,
                source: &str,
                state: LoginThrottleRecord,
                prune_before_ms: i64,
                audit: &AuditDraft,
            ) -> Result<(), StoreError> {
                let mut tx = begin_write(pool).await?;
                sqlx::query("DELETE FROM login_throttle WHERE last_failure_ms < $1")
                    .bind(prune_before_ms)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_error)?;
                sqlx::query(
                    "INSERT INTO login_throttle \
                     (username_key, source, failures, last_failure_ms, locked_until_ms) \
                     VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (username_key, source) DO UPDATE SET \
                     failures = excluded.failures, last_failure_ms = excluded.last_failure_ms, \
                     locked_until_ms = excluded.locked_until_ms",
                )
                .bind(username_key)
                .bind(source)
                .bind(state.failures)
                .bind(state.last_failure_ms)
                .bind(state.locked_until_ms)
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?;
                append_audit_tx(&mut tx, vec![audit.clone()]).await?;
                tx.commit().await.map_err(backend_error)
            }

            /// Stores a successful login: the account's state, the session, the oldest
            /// sessions beyond the limit ended, the source's failures cleared, the audit record.
            pub(crate) async fn record_login_success(
                pool: &Pool<Db>,
                a: &AccountRecord,
                s: &SessionRecord,
                keep_sessions: u32,
                source: &str,
                audit: &AuditDraft,
            ) -> Result<u64, StoreError> {
                let mut tx = begin_write(pool).await?;
                sqlx::query(
                    "UPDATE accounts SET failed_logins = $1, locked_until_ms = $2, \
                     last_login_ms = $3, totp_last_step = $4, must_change_password = $5 \
                     WHERE id = $6",
                )
                .bind(a.failed_logins)
                .bind(a.locked_until_ms)
                .bind(a.last_login_ms)
                .bind(a.totp_last_step)
                .bind(a.must_change_password)
                .bind(a.id)
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?;
                sqlx::query(
                    "INSERT INTO sessions (token_hash, account_id, created_at_ms, last_seen_ms, client) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&s.token_hash)
                .bind(s.account_id)
                .bind(s.created_at_ms)
                .bind(s.last_seen_ms)
                .bind(&audit.client)
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?;
                let ended = sqlx::query(
                    "DELETE FROM sessions WHERE account_id = $1 AND token_hash NOT IN \
                     (SELECT token_hash FROM sessions WHERE account_id = $1 \
                      ORDER BY created_at_ms DESC, token_hash = $3 DESC LIMIT $2)",
                )
                .bind(a.id)
                .bind(i64::from(keep_sessions.max(1)))
                .bind(&s.token_hash)
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?
                .rows_affected();
                sqlx::query("DELETE FROM login_throttle WHERE username_key = $1 AND source = $2")
                    .bind(&a.username_key)
                    .bind(source)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_error)?;
                let mut audit = audit.clone();
                if ended > 0 {
                    audit.changes.push(FieldChange {
                        field: "sessions_ended".into(),
                        before: None,
                        after: Some(ended.to_string()),
                    });
                }
                append_audit_tx(&mut tx, vec![audit]).await?;
                tx.commit().await.map_err(backend_error)?;
                Ok(ended)
            }

            /// Sets a password and ends the account's other sessions, with the audit record.
            pub(crate) async fn set_password(
                pool: &Pool<Db>,
                account_id: i64,
                password_hash: &str,
                changed_at_ms: i64,
                must_change: bool,
                keep_session: Option<&str>,
                audit: &AuditDraft,
            ) -> Result<(), StoreError> {
                let mut tx = begin_write(pool).await?;
                let updated = sqlx::query(
                    "UPDATE accounts SET password_hash = $1, password_changed_at_ms = $2, \
                     must_change_password = $3 WHERE id = $4",
                )
                .bind(password_hash)
                .bind(changed_at_ms)
                .bind(must_change)
                .bind(account_id)
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?
                .rows_affected();
                if updated != 1 {
                    // Rolled back before refusing: the connection must not go back to the pool
                    // idle in a transaction holding the audit writers' lock.
                    tx.rollback().await.map_err(backend_error)?;
                    return Err(StoreError::NotFound(format!("账号（id {account_id}）")));
                }
                sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND token_hash <> $2")
                    .bind(account_id)
                    .bind(keep_session.unwrap_or(""))
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_error)?;
                append_audit_tx(&mut tx, vec![audit.clone()]).await?;
                crate::crash::crash_point!("crash.11.password.before_commit");
                tx.commit().await.map_err(backend_error)
            }

            /// The session with this token hash.
            pub(crate) async fn session(
                pool: &Pool<Db>,
                token_hash: &str,
            ) -> Result<Option<SessionRecord>, StoreError> {
                let row: Option<SessionRow> = sqlx::query_as(
                    "SELECT token_hash, account_id, created_at_ms, last_seen_ms FROM sessions \
                     WHERE token_hash = $1",
                )
                .bind(token_hash)
                .fetch_optional(pool)
                .await
                .map_err(backend_error)?;
                Ok(row.map(SessionRecord::from))
            }

            /// The account's chosen interface language.
            pub(crate) async fn account_lang(
                pool: &Pool<Db>,
                account_id: i64,
            ) -> Result<Option<String>, StoreError> {
                let row: Option<(Option<String>,)> =
                    sqlx::query_as("SELECT lang FROM account_preferences WHERE account_id = $1")
                        .bind(account_id)
                        .fetch_optional(pool)
                        .await
                        .map_err(backend_error)?;
                Ok(row.and_then(|(lang,)| lang))
            }

            /// Sets or clears the account's interface language.
            pub(crate) async fn set_account_lang(
                pool: &Pool<Db>,
                account_id: i64,
                lang: Option<&str>,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO account_preferences (account_id, lang) VALUES ($1, $2) \
                     ON CONFLICT (account_id) DO UPDATE SET lang = excluded.lang",
                )
                .bind(account_id)
                .bind(lang)
                .execute(pool)
                .await
                .map_err(backend_error)?;
                Ok(())
            }

            /// Notes a request on a session.
            pub(crate) async fn touch_session(
                pool: &Pool<Db>,
                token_hash: &str,
                now_ms: i64,
            ) -> Result<(), StoreError> {
                sqlx::query("UPDATE sessions SET last_seen_ms = $1 WHERE token_hash = $2")
                    .bind(now_ms)
                    .bind(token_hash)
                    .execute(pool)
                    .await
                    .map_err(backend_error)?;
                Ok(())
            }

            /// Ends one session or all of an account's, with the audit record.
            pub(crate) async fn end_sessions(
                pool: &Pool<Db>,
                account_id: i64,
                token_hash: Option<&str>,
                audit: &AuditDraft,
            ) -> Result<(), StoreError> {
                let mut tx = begin_write(pool).await?;
                match token_hash {
                    Some(hash) => sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                        .bind(hash)
                        .execute(&mut *tx)
                        .await,
                    None => sqlx::query("DELETE FROM sessions WHERE account_id = $1")
                        .bind(account_id)
                        .execute(&mut *tx)
                        .await,
                }
                .map_err(backend_error)?;
                append_audit_tx(&mut tx, vec![audit.clone()]).await?;
                tx.commit().await.map_err(backend_error)
            }

            /// Audit records matching a query, newest first, with the total.
            pub(crate) async fn audit_search(
                pool: &Pool<Db>,
                q: &AuditQuery,
            ) -> Result<(Vec<AuditRecord>, i64), StoreError> {
                // Conditions are appended only for the filters given, each with its own bound
                // parameter, so one text serves both engines.
                let filtered = |head: String| {
                    let mut qb: QueryBuilder<Db> = QueryBuilder::new(head);
                    qb.push(" WHERE 1 = 1");
                    if let Some(actor) = &q.actor {
                        qb.push(" AND actor = ").push_bind(actor.clone());
                    }
                    if let Some(prefix) = &q.action_prefix {
                        let escaped = prefix
                            .replace('\\', "\\\\")
                            .replace('%', "\\%")
                            .replace('_', "\\_");
                        qb.push(" AND action LIKE ")
                            .push_bind(format!("{escaped}%"))
                            .push(" ESCAPE '\\'");
                    }
                    if let Some(result) = &q.result {
                        qb.push(" AND result = ").push_bind(result.clone());
                    }
                    if let Some(from) = q.from_ms {
                        qb.push(" AND at_ms >= ").push_bind(from);
                    }
                    if let Some(until) = q.until_ms {
                        qb.push(" AND at_ms < ").push_bind(until);
                    }
                    qb
                };
                let total: i64 = filtered("SELECT COUNT(*) FROM audit_log".into())
                    .build_query_scalar()
                    .fetch_one(pool)
                    .await
                    .map_err(backend_error)?;
                let mut qb = filtered(format!("SELECT {AUDIT_COLUMNS} FROM audit_log"));
                qb.push(" ORDER BY seq DESC LIMIT ")
                    .push_bind(q.limit)
                    .push(" OFFSET ")
                    .push_bind(q.offset);
                let rows: Vec<AuditRow> =
                    qb.build_query_as().fetch_all(pool).await.map_err(backend_error)?;
                let records = rows
                    .into_iter()
                    .map(AuditRow::into_record)
                    .collect::<Result<_, _>>()?;
                Ok((records, total))
            }

            /// The chain head.
            pub(crate) async fn audit_head(
                pool: &Pool<Db>,
            ) -> Result<Option<AuditRecord>, StoreError> {
                sqlx::query_as::<_, AuditRow>(sqlx::AssertSqlSafe(format!(
                    "SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT 1"
                )))
                .fetch_optional(pool)
                .await
                .map_err(backend_error)?
                .map(AuditRow::into_record)
                .transpose()
            }

            /// A page of the audit chain after `after`.
            pub(crate) async fn audit_records(
                pool: &Pool<Db>,
                after: i64,
                limit: i64,
            ) -> Result<Vec<AuditRecord>, StoreError> {
                sqlx::query_as::<_, AuditRow>(sqlx::AssertSqlSafe(format!(
                    "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"
                )))
                .bind(after)
                .bind(limit)
                .fetch_all(pool)
                .await
                .map_err(backend_error)?
                .into_iter()
                .map(AuditRow::into_record)
                .collect()
            }

            pub(crate) const PROJECT_COLUMNS: &str = "id, code, name, category_id, sub_category, district_id, street, \
                 lead_unit_id, responsible_unit_id, sub_hq_id, build_type, households, area_m2, \
                 parking_spaces, toilets, length_m, total_investment, funding_source, lon, lat, \
                 suspended_on";

            /// Fills the reports' reached milestones and problems, reading only the reports
            /// `where_clause` selects (bound to `param` when given).
            async fn attach_report_details(
                pool: &Pool<Db>,
                reports: &mut [ProgressReport],
                filter: Option<(i64, ReportVersions)>,
            ) -> Result<(), StoreError> {
                let index: HashMap<i64, usize> =
                    reports.iter().enumerate().map(|(i, r)| (r.id.0, i)).collect();
                let (milestone_sql, problem_sql) = match filter {
                    Some((_, versions)) => {
                        let read = versions_predicate(versions);
                        (
                            format!(
                                "SELECT rm.report_id, rm.milestone_id, rm.reached_on \
                                 FROM report_milestones rm \
                                 JOIN progress_reports r ON r.id = rm.report_id \
                                 WHERE r.project_id = $1 AND {read} \
                                 ORDER BY rm.report_id, rm.milestone_id"
                            ),
                            format!(
                                "SELECT rp.report_id, rp.seq, rp.description, \
                                 rp.needs_coordination_with FROM report_problems rp \
                                 JOIN progress_reports r ON r.id = rp.report_id \
                                 WHERE r.project_id = $1 AND {read} ORDER BY rp.report_id, rp.seq"
                            ),
                        )
                    }
                    None => (
                        "SELECT report_id, milestone_id, reached_on FROM report_milestones \
                         ORDER BY report_id, milestone_id"
                            .to_string(),
                        "SELECT report_id, seq, description, needs_coordination_with \
                         FROM report_problems ORDER BY report_id, seq"
                            .to_string(),
                    ),
                };
                let mut q = sqlx::query(sqlx::AssertSqlSafe(milestone_sql));
                if let Some((id, _)) = filter {
                    q = q.bind(id);
                }
                for r in q.fetch_all(pool).await.map_err(backend_error)? {
                    let report: i64 = r.try_get("report_id").map_err(backend_error)?;
                    let milestone: i64 = r.try_get("milestone_id").map_err(backend_error)?;
                    let on: String = r.try_get("reached_on").map_err(backend_error)?;
                    if let Some(i) = index.get(&report) {
                        reports[*i]
                            .milestones_reached
                            .push((MilestoneId(milestone), parse_date(&on, "reached_on")?));
                    }
                }
                let mut q = sqlx::query(sqlx::AssertSqlSafe(problem_sql));
                if let Some((id, _)) = filter {
                    q = q.bind(id);
                }
                for r in q.fetch_all(pool).await.map_err(backend_error)? {
                    let report: i64 = r.try_get("report_id").map_err(backend_error)?;
                    if let Some(i) = index.get(&report) {
                        reports[*i].problems.push(Problem {
                            description: r.try_get("description").map_err(backend_error)?,
                            needs_coordination_with: r
                                .try_get("needs_coordination_with")
                                .map_err(backend_error)?,
                        });
                    }
                }
                Ok(())
            }

            pub(crate) async fn load_units(pool: &Pool<Db>) -> Result<Vec<Unit>, StoreError> {
                let rows = sqlx::query("SELECT id, kind, name, parent_id, active FROM units ORDER BY id")
                    .fetch_all(pool)
                    .await
                    .map_err(backend_error)?;
                rows.iter()
                    .map(|r| {
                        let kind: String = r.try_get("kind").map_err(backend_error)?;
                        let parent: Option<i64> = r.try_get("parent_id").map_err(backend_error)?;
                        Ok(Unit {
                            id: UnitId(r.try_get("id").map_err(backend_error)?),
                            kind: UnitKind::from_code(&kind)
                                .ok_or_else(|| unknown("unit kind", &kind))?,
                            name: r.try_get("name").map_err(backend_error)?,
                            parent: parent.map(UnitId),
                            active: r.try_get("active").map_err(backend_error)?,
                        })
                    })
                    .collect()
            }

            /// Every stored district boundary, by unit id.
            pub(crate) async fn load_district_boundaries(
                pool: &Pool<Db>,
            ) -> Result<Vec<jianguan_domain::store::StoredBoundary>, StoreError> {
                sqlx::query_as::<_, crate::boundaries::Row>(crate::boundaries::SELECT)
                    .fetch_all(pool)
                    .await
                    .map_err(backend_error)?
                    .into_iter()
                    .map(crate::boundaries::from_row)
                    .collect()
            }

            async fn load_categories(pool: &Pool<Db>) -> Result<Vec<Category>, StoreError> {
                let rows = sqlx::query(
                    "SELECT id, code, name, sub_hq_id, lead_unit_id, template_version FROM categories \
                     ORDER BY id",
                )
                .fetch_all(pool)
                .await
                .map_err(backend_error)?;
                let mut categories = rows
                    .iter()
                    .map(|r| {
                        Ok(Category {
                            id: CategoryId(r.try_get("id").map_err(backend_error)?),
                            code: r.try_get("code").map_err(backend_error)?,
                            name: r.try_get("name").map_err(backend_error)?,
                            sub_hq: UnitId(r.try_get("sub_hq_id").map_err(backend_error)?),
                            lead_unit: UnitId(r.try_get("lead_unit_id").map_err(backend_error)?),
                            template: Vec::new(),
                            template_version: r
                                .try_get::<i64, _>("template_version")
                                .map_err(backend_error)? as u32,
                        })
                    })
                    .collect::<Result<Vec<_>, StoreError>>()?;
                let index: HashMap<i64, usize> =
                    categories.iter().enumerate().map(|(i, c)| (c.id.0, i)).collect();
                let steps = sqlx::query(
                    "SELECT category_id, seq, name, weight, enters, share FROM category_template_steps \
                     ORDER BY category_id, seq",
                )
                .fetch_all(pool)
                .await
                .map_err(backend_error)?;
                let steps = steps
                    .iter()
                    .map(|r| {
                        let weight: i64 = r.try_get("weight").map_err(backend_error)?;
                        Ok((
                            r.try_get::<i64, _>("category_id").map_err(backend_error)?,
                            TemplateStep {
                                name: r.try_get("name").map_err(backend_error)?,
                                weight: weight as u32,
                                enters: parse_status(r.try_get("enters").map_err(backend_error)?)?,
                                share: r.try_get::<i64, _>("share").map_err(backend_error)? as u32,
                            },
                        ))
                    })
                    .collect::<Result<Vec<_>, StoreError>>()?;
                for (i, list) in attach(&index, steps) {
                    categories[i].template = list;
                }
                Ok(categories)
            }

            async fn load_periods(
                pool: &Pool<Db>,
                sql: &'static str,
                filter: Option<i64>,
            ) -> Result<Vec<ReportingPeriod>, StoreError> {
                let mut q = sqlx::query_as::<_, PeriodRow>(sql);
                if let Some(id) = filter {
                    q = q.bind(id);
                }
                q.fetch_all(pool)
                    .await
                    .map_err(backend_error)?
                    .into_iter()
                    .map(PeriodRow::into_period)
                    .collect()
            }

            /// Reads everything the campaign holds.
            pub(crate) async fn load_portfolio(pool: &Pool<Db>) -> Result<Portfolio, StoreError> {
                let mut portfolio = load_records(pool).await?;
                let mut reports = sqlx::query_as::<_, ReportRow>(
                    "SELECT id, project_id, period_id, version, filed_on, investment_to_date, note, \
                     correction_reason FROM progress_reports ORDER BY id",
                )
                .fetch_all(pool)
                .await
                .map_err(backend_error)?
                .into_iter()
                .map(ReportRow::into_report)
                .collect::<Result<Vec<_>, _>>()?;
                attach_report_details(pool, &mut reports, None).await?;
                portfolio.reports = reports;
                Ok(portfolio)
            }

            /// Reads the figures' inputs: the records without reports, and investment to date
            /// per project and period from the latest report version.
            pub(crate) async fn load_read_model(pool: &Pool<Db>) -> Result<ReadModel, StoreError> {
                let portfolio = load_records(pool).await?;
                let period_end: HashMap<i64, Date> =
                    portfolio.periods.iter().map(|p| (p.id.0, p.end)).collect();
                // A plain scan, streamed (millions of rows at national scale, never all held
                // as rows at once); the latest version per project and period is kept below.
                let mut rows = sqlx::query(
                    "SELECT project_id, period_id, version, investment_to_date FROM progress_reports",
                )
                .fetch(pool);
                let mut all: Vec<(i64, Date, i64, i64)> = Vec::new();
                while let Some(r) = rows.try_next().await.map_err(backend_error)? {
                    let period: i64 = r.try_get("period_id").map_err(backend_error)?;
                    let end = *period_end.get(&period).ok_or_else(|| {
                        unreadable(format!("report for unknown period {period}"))
                    })?;
                    all.push((
                        r.try_get("project_id").map_err(backend_error)?,
                        end,
                        r.try_get("version").map_err(backend_error)?,
                        r.try_get("investment_to_date").map_err(backend_error)?,
                    ));
                }
                drop(rows);
                Ok(ReadModel {
                    portfolio,
                    investment: latest_points(all),
                })
            }

            /// Re-reads what `change` names: units, categories, the touched projects with
            /// their milestones and plans, and their investment points.
            pub(crate) async fn load_read_model_part(
                pool: &Pool<Db>,
                change: &Change,
            ) -> Result<ReadModelPart, StoreError> {
                let mut part = ReadModelPart::default();
                if change.units {
                    part.units = Some(load_units(pool).await?);
                    part.district_boundaries = Some(crate::boundaries::by_unit(
                        load_district_boundaries(pool).await?,
                    ));
                }
                if change.categories {
                    part.categories = Some(load_categories(pool).await?);
                }
                let ids: Vec<i64> = match &change.projects {
                    Touched::Some(ids) => ids.iter().map(|p| p.0).collect(),
                    Touched::None | Touched::All => Vec::new(),
                };
                if ids.is_empty() {
                    return Ok(part);
                }
                let period_end: HashMap<i64, Date> = load_periods(
                    pool,
                    "SELECT id, year, seq, start_on, end_on, deadline_on FROM reporting_periods",
                    None,
                )
                .await?
                .into_iter()
                .map(|p| (p.id.0, p.end))
                .collect();
                let mut points: Vec<(i64, Date, i64, i64)> = Vec::new();
                for chunk in ids.chunks(CHUNK) {
                    let mut projects = load_projects(pool, chunk).await?;
                    part.projects.append(&mut projects);
                    // The current version of each period's report only: a project corrected a
                    // hundred times is read as fast as one filed once.
                    let rows: Vec<(i64, i64, i64, i64)> = in_list(
                        format!(
                            "SELECT project_id, period_id, version, investment_to_date \
                             FROM progress_reports r WHERE {} AND project_id IN (",
                            versions_predicate(ReportVersions::Current)
                        ),
                        chunk,
                        "",
                    )
                    .build_query_as()
                        .fetch_all(pool)
                        .await
                        .map_err(backend_error)?;
                    for (project, period, version, money) in rows {
                        let end = *period_end.get(&period).ok_or_else(|| {
                            unreadable(format!("report for unknown period {period}"))
                        })?;
                        points.push((project, end, version, money));
                    }
                }
                part.investment = latest_points(points);
                Ok(part)
            }

            /// `head`, the bound `ids` separated by commas, `)` and `tail`: a query whose last
            /// condition is `… IN (` a list of ids.
            pub(crate) fn in_list(
                head: impl Into<String>,
                ids: &[i64],
                tail: &'static str,
            ) -> QueryBuilder<Db> {
                let mut qb: QueryBuilder<Db> = QueryBuilder::new(head);
                let mut list = qb.separated(", ");
                for id in ids {
                    list.push_bind(*id);
                }
                qb.push(")").push(tail);
                qb
            }

            /// The projects with `ids`, with milestones and plans, in id order.
            async fn load_projects(pool: &Pool<Db>, ids: &[i64]) -> Result<Vec<Project>, StoreError> {
                let mut projects = in_list(
                    format!("SELECT {PROJECT_COLUMNS} FROM projects WHERE id IN ("),
                    ids,
                    " ORDER BY id",
                )
                    .build_query_as::<ProjectRow>()
                    .fetch_all(pool)
                    .await
                    .map_err(backend_error)?
                    .into_iter()
                    .map(ProjectRow::into_project)
                    .collect::<Result<Vec<_>, _>>()?;
                if projects.is_empty() {
                    return Ok(projects);
                }
                let index: HashMap<i64, usize> =
                    projects.iter().enumerate().map(|(i, p)| (p.id.0, i)).collect();
                let found: Vec<i64> = projects.iter().map(|p| p.id.0).collect();
                let plans = in_list(
                    "SELECT project_id, year, kind, planned_investment, status, \
                     adjusted_investment, cancelled_on FROM year_plans WHERE project_id IN (",
                    &found,
                    " ORDER BY project_id, year",
                )
                .build_query_as::<YearPlanRow>()
                    .fetch_all(pool)
                    .await
                    .map_err(backend_error)?
                    .into_iter()
                    .map(YearPlanRow::into_plan)
                    .collect::<Result<Vec<_>, _>>()?;
                for (i, list) in attach(&index, plans) {
                    projects[i].year_plans = list;
                }
                let milestones = in_list(
                    "SELECT id, project_id, seq, name, weight, enters, planned_on, actual_on, \
                     derived, adjusted_on FROM milestones WHERE project_id IN (",
                    &found,
                    " ORDER BY project_id, seq",
                )
                .build_query_as::<MilestoneRow>()
                    .fetch_all(pool)
                    .await
                    .map_err(backend_error)?
                    .into_iter()
                    .map(MilestoneRow::into_milestone)
                    .collect::<Result<Vec<_>, _>>()?;
                for (i, list) in attach(&index, milestones) {
                    projects[i].milestones = list;
                }
                Ok(projects)
            }

            /// Reads every record but the reports.
            pub(crate) async fn load_records(pool: &Pool<Db>) -> Result<Portfolio, StoreError> {
                let units = load_units(pool).await?;
                let categories = load_categories(pool).await?;
                let rows: Vec<ProjectRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT {PROJECT_COLUMNS} FROM projects ORDER BY id"
                )))
                .fetch_all(pool)
                .await
                .map_err(backend_error)?;
                let mut projects = rows
                    .into_iter()
                    .map(ProjectRow::into_project)
                    .collect::<Result<Vec<_>, _>>()?;
                let index: HashMap<i64, usize> =
                    projects.iter().enumerate().map(|(i, p)| (p.id.0, i)).collect();
                let plans = sqlx::query_as::<_, YearPlanRow>(
                    "SELECT project_id, year, kind, planned_investment, status, adjusted_investment, \
                     cancelled_on FROM year_plans \
                     ORDER BY project_id, year",
                )
                .fetch_all(pool)
                .await
                .map_err(backend_error)?
                .into_iter()
                .map(YearPlanRow::into_plan)
                .collect::<Result<Vec<_>, _>>()?;
                for (i, list) in attach(&index, plans) {
                    projects[i].year_plans = list;
                }
                let milestones = sqlx::query_as::<_, MilestoneRow>(
                    "SELECT id, project_id, seq, name, weight, enters, planned_on, actual_on, derived, \
                     adjusted_on \
                     FROM milestones ORDER BY project_id, seq",
                )
                .fetch_all(pool)
                .await
                .map_err(backend_error)?
                .into_iter()
                .map(MilestoneRow::into_milestone)
                .collect::<Result<Vec<_>, _>>()?;
                for (i, list) in attach(&index, milestones) {
                    projects[i].milestones = list;
                }
                let periods = load_periods(
                    pool,
                    "SELECT id, year, seq, start_on, end_on, deadline_on FROM reporting_periods \
                     ORDER BY year, seq",
                    None,
                )
                .await?;
                let district_boundaries =
                    crate::boundaries::by_unit(load_district_boundaries(pool).await?);
                Ok(Portfolio {
                    units,
                    categories,
                    projects: projects.into_iter().map(Arc::new).collect(),
                    periods,
                    reports: Vec::new(),
                    district_boundaries,
                })
            }

            /// Reads one project with its reports and their periods.
            pub(crate) async fn load_project(
                pool: &Pool<Db>,
                id: ProjectId,
                scope: RecordScope,
                versions: ReportVersions,
            ) -> Result<Option<ProjectRecord>, StoreError> {
                // The scope is part of the query: a project outside it is never read.
                let (predicate, unit) = scope_predicate(scope);
                let row: Option<ProjectRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT {PROJECT_COLUMNS} FROM projects WHERE id = $1 AND {predicate}"
                )))
                .bind(id.0)
                .bind(unit)
                .fetch_optional(pool)
                .await
                .map_err(backend_error)?;
                let Some(row) = row else {
                    return Ok(None);
                };
                let mut project = row.into_project()?;
                project.year_plans = sqlx::query_as::<_, YearPlanRow>(
                    "SELECT project_id, year, kind, planned_investment, status, adjusted_investment, \
                     cancelled_on FROM year_plans \
                     WHERE project_id = $1 ORDER BY year",
                )
                .bind(id.0)
                .fetch_all(pool)
                .await
                .map_err(backend_error)?
                .into_iter()
                .map(|r| r.into_plan().map(|(_, p)| p))
                .collect::<Result<_, _>>()?;
                project.milestones = sqlx::query_as::<_, MilestoneRow>(
                    "SELECT id, project_id, seq, name, weight, enters, planned_on, actual_on, derived, \
                     adjusted_on \
                     FROM milestones WHERE project_id = $1 ORDER BY seq",
                )
                .bind(id.0)
                .fetch_all(pool)
                .await
                .map_err(backend_error)?
                .into_iter()
                .map(|r| r.into_milestone().map(|(_, m)| m))
                .collect::<Result<_, _>>()?;
                let read = versions_predicate(versions);
                let mut reports = sqlx::query_as::<_, ReportRow>(sqlx::AssertSqlSafe(format!(
                    "SELECT id, project_id, period_id, version, filed_on, investment_to_date, note, \
                     correction_reason FROM progress_reports r WHERE project_id = $1 AND {read} \
                     ORDER BY id"
                )))
                .bind(id.0)
                .fetch_all(pool)
                .await
                .map_err(backend_error)?
                .into_iter()
                .map(ReportRow::into_report)
                .collect::<Result<Vec<_>, _>>()?;
                attach_report_details(pool, &mut reports, Some((id.0, versions))).await?;
                let periods = load_periods(
                    pool,
                    "SELECT id, year, seq, start_on, end_on, deadline_on FROM reporting_periods \
                     WHERE id IN (SELECT period_id FROM progress_reports WHERE project_id = $1) \
                     ORDER BY year, seq",
                    Some(id.0),
                )
                .await?;
                Ok(Some(ProjectRecord {
                    project,
                    reports,
                    periods,
                }))
            }

            /// Inserts `rows` into `table` in chunks of multi-row `INSERT`s.
            pub(crate) async fn insert_rows<'r, T>(
                tx: &mut WriteTx,
                head: &'static str,
                rows: &'r [T],
                push: impl Fn(sqlx::query_builder::Separated<'_, Db, &'static str>, &'r T),
                done: &mut u64,
                total: u64,
                progress: Progress<'_>,
            ) -> Result<(), StoreError> {
                for chunk in rows.chunks(CHUNK) {
                    let mut qb: QueryBuilder<Db> = QueryBuilder::new(head);
                    qb.push_values(chunk, |b, row| push(b, row));
                    qb.build().execute(&mut **tx).await.map_err(backend_error)?;
                    *done += chunk.len() as u64;
                    progress(*done, total);
                }
                Ok(())
            }

            /// Refuses, inside a write transaction, a database that holds campaign data
            /// (organisation units or projects).
            pub(crate) async fn refuse_campaign_data(
                tx: &mut WriteTx,
            ) -> Result<(), StoreError> {
                let existing: i64 = sqlx::query_scalar(
                    "SELECT (SELECT COUNT(*) FROM units) + (SELECT COUNT(*) FROM projects)",
                )
                .fetch_one(&mut **tx)
                .await
                .map_err(backend_error)?;
                if existing > 0 {
                    return Err(StoreError::NotEmpty);
                }
                Ok(())
            }

            /// Inserts a portfolio's records (ids as given) inside the caller's transaction;
            /// returns how many milestones it wrote.
            pub(crate) async fn insert_records(
                tx: &mut WriteTx,
                p: &Portfolio,
                progress: Progress<'_>,
            ) -> Result<usize, StoreError> {
                let steps: Vec<(i64, usize, &TemplateStep)> = p
                    .categories
                    .iter()
                    .flat_map(|c| {
                        c.template.iter().enumerate().map(move |(i, s)| (c.id.0, i + 1, s))
                    })
                    .collect();
                let plans: Vec<(i64, &YearPlan)> = p
                    .projects
                    .iter()
                    .flat_map(|pr| pr.year_plans.iter().map(move |y| (pr.id.0, y)))
                    .collect();
                let milestones: Vec<(i64, &Milestone)> = p
                    .projects
                    .iter()
                    .flat_map(|pr| pr.milestones.iter().map(move |m| (pr.id.0, m)))
                    .collect();
                let reached: Vec<(i64, MilestoneId, Date)> = p
                    .reports
                    .iter()
                    .flat_map(|r| r.milestones_reached.iter().map(move |(m, d)| (r.id.0, *m, *d)))
                    .collect();
                let problems: Vec<(i64, usize, &Problem)> = p
                    .reports
                    .iter()
                    .flat_map(|r| {
                        r.problems.iter().enumerate().map(move |(i, pb)| (r.id.0, i + 1, pb))
                    })
                    .collect();
                let total = (p.units.len()
                    + p.categories.len()
                    + steps.len()
                    + p.projects.len()
                    + plans.len()
                    + milestones.len()
                    + p.periods.len()
                    + p.reports.len()
                    + reached.len()
                    + problems.len()) as u64;
                let mut done = 0;
                // Parents before children, so every reference points at a row already there.
                let mut units: Vec<&Unit> = p.units.iter().collect();
                units.sort_by_key(|u| (u.parent.is_some(), u.id));
                insert_rows(
                    tx,
                    "INSERT INTO units (id, kind, name, parent_id, active) ",
                    &units,
                    |mut b, u| {
                        b.push_bind(u.id.0)
                            .push_bind(u.kind.code())
                            .push_bind(u.name.clone())
                            .push_bind(u.parent.map(|x| x.0))
                            .push_bind(u.active);
                    },
                    &mut done,
                    total,
                    progress,
                )
                .await?;
                insert_rows(
                    tx,
                    "INSERT INTO categories (id, code, name, sub_hq_id, lead_unit_id, \
                     template_version) ",
                    &p.categories,
                    |mut b, c| {
                        b.push_bind(c.id.0)
                            .push_bind(c.code.clone())
                            .push_bind(c.name.clone())
                            .push_bind(c.sub_hq.0)
                            .push_bind(c.lead_unit.0)
                            .push_bind(i64::from(c.template_version));
                    },
                    &mut done,
                    total,
                    progress,
                )
                .await?;
                insert_rows(
                    tx,
                    "INSERT INTO category_template_steps (category_id, seq, name, weight, enters, \
                     share) ",
                    &steps,
                    |mut b, (c, seq, s)| {
                        b.push_bind(*c)
                            .push_bind(*seq as i64)
                            .push_bind(s.name.clone())
                            .push_bind(i64::from(s.weight))
                            .push_bind(s.enters.map(|e| e.code()))
                            .push_bind(i64::from(s.share));
                    },
                    &mut done,
                    total,
                    progress,
                )
                .await?;
                insert_rows(
                    tx,
                    "INSERT INTO projects (id, code, name, category_id, sub_category, district_id, \
                     street, lead_unit_id, responsible_unit_id, sub_hq_id, build_type, households, \
                     area_m2, parking_spaces, toilets, length_m, total_investment, funding_source, \
                     lon, lat, suspended_on) ",
                    &p.projects,
                    |mut b, pr| {
                        b.push_bind(pr.id.0)
                            .push_bind(pr.code.clone())
                            .push_bind(pr.name.clone())
                            .push_bind(pr.category.0)
                            .push_bind(pr.sub_category.clone())
                            .push_bind(pr.district.0)
                            .push_bind(pr.street.clone())
                            .push_bind(pr.lead_unit.0)
                            .push_bind(pr.responsible_unit.0)
                            .push_bind(pr.sub_hq.0)
                            .push_bind(pr.build_type.code())
                            .push_bind(pr.scale.households)
                            .push_bind(pr.scale.area_m2)
                            .push_bind(pr.scale.parking_spaces)
                            .push_bind(pr.scale.toilets)
                            .push_bind(pr.scale.length_m)
                            .push_bind(pr.total_investment.0)
                            .push_bind(pr.funding_source.clone())
                            .push_bind(pr.location.map(|l| l.lon))
                            .push_bind(pr.location.map(|l| l.lat))
                            .push_bind(pr.suspended_on.map(|d| d.to_string()));
                    },
                    &mut done,
                    total,
                    progress,
                )
                .await?;
                insert_rows(
                    tx,
                    "INSERT INTO year_plans (project_id, year, kind, planned_investment, status, \
     adjusted_investment, cancelled_on) ",
                    &plans,
                    |mut b, (pid, y)| {
                        b.push_bind(*pid)
                            .push_bind(i64::from(y.year))
                            .push_bind(y.kind.code())
                            .push_bind(y.planned_investment.0)
                            .push_bind(y.status.code())
                            .push_bind(y.adjusted_investment.map(|m| m.0))
                            .push_bind(y.cancelled_on.map(|d| d.to_string()));
                    },
                    &mut done,
                    total,
                    progress,
                )
                .await?;
                insert_rows(
                    tx,
                    "INSERT INTO milestones (id, project_id, seq, name, weight, enters, planned_on, \
                     actual_on, derived, adjusted_on) ",
                    &milestones,
                    |mut b, (pid, m)| {
                        b.push_bind(m.id.0)
                            .push_bind(*pid)
                            .push_bind(i64::from(m.seq))
                            .push_bind(m.name.clone())
                            .push_bind(i64::from(m.weight))
                            .push_bind(m.enters.map(|e| e.code()))
                            .push_bind(m.planned.to_string())
                            .push_bind(m.actual.map(|d| d.to_string()))
                            .push_bind(m.derived)
                            .push_bind(m.adjusted.map(|d| d.to_string()));
                    },
                    &mut done,
                    total,
                    progress,
                )
                .await?;
                insert_rows(
                    tx,
                    "INSERT INTO reporting_periods (id, year, seq, start_on, end_on, deadline_on) ",
                    &p.periods,
                    |mut b, per| {
                        b.push_bind(per.id.0)
                            .push_bind(i64::from(per.year))
                            .push_bind(i64::from(per.seq))
                            .push_bind(per.start.to_string())
                            .push_bind(per.end.to_string())
                            .push_bind(per.deadline.to_string());
                    },
                    &mut done,
                    total,
                    progress,
                )
                .await?;
                insert_rows(
                    tx,
                    "INSERT INTO progress_reports (id, project_id, period_id, version, filed_on, \
                     investment_to_date, note, correction_reason) ",
                    &p.reports,
                    |mut b, r| {
                        b.push_bind(r.id.0)
                            .push_bind(r.project.0)
                            .push_bind(r.period.0)
                            .push_bind(i64::from(r.version))
                            .push_bind(r.filed_on.to_string())
                            .push_bind(r.investment_to_date.0)
                            .push_bind(r.note.clone())
                            .push_bind(r.correction_reason.clone());
                    },
                    &mut done,
                    total,
                    progress,
                )
                .await?;
                insert_rows(
                    tx,
                    "INSERT INTO report_milestones (report_id, milestone_id, reached_on) ",
                    &reached,
                    |mut b, (rid, mid, on)| {
                        b.push_bind(*rid).push_bind(mid.0).push_bind(on.to_string());
                    },
                    &mut done,
                    total,
                    progress,
                )
                .await?;
                insert_rows(
                    tx,
                    "INSERT INTO report_problems (report_id, seq, description, \
                     needs_coordination_with) ",
                    &problems,
                    |mut b, (rid, seq, pb)| {
                        b.push_bind(*rid)
                            .push_bind(*seq as i64)
                            .push_bind(pb.description.clone())
                            .push_bind(pb.needs_coordination_with.clone());
                    },
                    &mut done,
                    total,
                    progress,
                )
                .await?;
                Ok(milestones.len())
            }

            /// Writes a portfolio's records in one transaction; with `require_empty`, only into
            /// a database without campaign data.
            pub(crate) async fn insert_portfolio(
                pool: &Pool<Db>,
                p: &Portfolio,
                actor: &Actor,
                progress: Progress<'_>,
                require_empty: bool,
            ) -> Result<(), StoreError> {
                let mut tx = begin_write(pool).await?;
                if require_empty {
                    refuse_campaign_data(&mut tx).await?;
                }
                let milestones = insert_records(&mut tx, p, progress).await?;
                // One audit record per project created (what it is, where, how big), and
                // one for the whole write.
                let at_ms = now_ms();
                let draft = |action: AuditAction, object: String, changes: Vec<FieldChange>| AuditDraft {
                    at_ms,
                    actor: actor.name.clone(),
                    unit: None,
                    action: action.code(),
                    object,
                    result: Outcome::Success,
                    client: actor.client.clone(),
                    changes,
                };
                let created = |field: &str, value: String| FieldChange {
                    field: field.to_string(),
                    before: None,
                    after: Some(value),
                };
                let mut drafts: Vec<AuditDraft> = p
                    .projects
                    .iter()
                    .map(|pr| {
                        draft(
                            AuditAction::ProjectCreate,
                            format!("project:{}", pr.id),
                            vec![
                                created("code", pr.code.clone()),
                                created("name", pr.name.clone()),
                                created("district_id", pr.district.to_string()),
                                created("category_id", pr.category.to_string()),
                                created("milestones", pr.milestones.len().to_string()),
                                created("total_investment", pr.total_investment.0.to_string()),
                            ],
                        )
                    })
                    .collect();
                drafts.push(draft(
                    if require_empty {
                        AuditAction::PortfolioCreate
                    } else {
                        AuditAction::PortfolioAppend
                    },
                    "portfolio".to_string(),
                    vec![
                        created("units", p.units.len().to_string()),
                        created("categories", p.categories.len().to_string()),
                        created("projects", p.projects.len().to_string()),
                        created("milestones", milestones.to_string()),
                        created("periods", p.periods.len().to_string()),
                        created("reports", p.reports.len().to_string()),
                    ],
                ));
                append_audit_tx(&mut tx, drafts).await?;
                bump_data_version(&mut tx, &Change::everything()).await?;
                tx.commit().await.map_err(backend_error)
            }
        }
    };
}

backend_codec!(
    sqlite_codec,
    sqlx::Sqlite,
    begin = "BEGIN IMMEDIATE",
    writer_lock = None,
    writers = crate::writers::sqlite_writers,
    table_exists = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1"
);
backend_codec!(
    postgres_codec,
    sqlx::Postgres,
    begin = "BEGIN",
    // An arbitrary constant naming "the writer" among advisory locks, per schema: databases
    // kept side by side in one PostgreSQL (schemas) do not wait for each other.
    writer_lock = Some("SELECT pg_advisory_xact_lock(7316001, hashtext(current_schema()))"),
    writers = crate::writers::postgres_writers,
    table_exists = "SELECT COUNT(*) FROM pg_tables \
                    WHERE schemaname = current_schema() AND tablename = $1"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scope_predicate_names_the_projects_column_and_binds_the_unit() {
        let unit = UnitId(7);
        for (scope, column) in [
            (RecordScope::Line(unit), "sub_hq_id"),
            (RecordScope::LeadUnit(unit), "lead_unit_id"),
            (RecordScope::District(unit), "district_id"),
            (RecordScope::ResponsibleUnit(unit), "responsible_unit_id"),
        ] {
            let (predicate, bound) = scope_predicate(scope);
            assert_eq!(predicate, format!("{column} = $2"));
            assert_eq!(bound, 7);
        }
    }

    #[test]
    fn the_scope_predicate_never_confuses_all_with_nothing() {
        assert_eq!(scope_predicate(RecordScope::All).0, "$2 = $2");
        assert_eq!(scope_predicate(RecordScope::Nothing).0, "$2 <> $2");
    }
}
