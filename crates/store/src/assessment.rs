//! The monthly assessment's records: scoring schemes per year and version, entered indicator
//! values, the media-coverage register, score runs and objections with their decisions.
//! Written once in a macro expanded per backend, like [`crate::cadence`], sharing
//! [`crate::codec`]'s write transaction and audit chain.
//!
//! Every write starts holding the one writer lock (`codec::begin_write`: PostgreSQL's advisory
//! lock, SQLite's `BEGIN IMMEDIATE`), so the checks a write makes against what is stored (a
//! published month, the latest version, an open objection to the same line) cannot race another
//! writer's. A refused write rolls back, audit record and all.

use std::fmt::Display;

use jianguan_domain::assessment::{
    Decision, DisputedLine, EnteredValue, MediaLevel, MediaReport, Month, Objection, ScoreRun,
    SubjectKind,
};
use jianguan_domain::model::{ProjectId, UnitId};
use jianguan_domain::store::{SchemeVersion, StoreError};

use crate::codec::{CHUNK, parse_date, unknown, unreadable};

fn refused(e: impl Display) -> StoreError {
    StoreError::Invalid(e.to_string())
}

fn parse_month(text: &str) -> Result<Month, StoreError> {
    Month::parse(text).map_err(|e| unreadable(format!("stored month: {e}")))
}

fn parse_kind(text: &str) -> Result<SubjectKind, StoreError> {
    SubjectKind::from_code(text).ok_or_else(|| unknown("subject kind", text))
}

fn run_json(run: &ScoreRun) -> String {
    serde_json::to_string(run).expect("a score run serialises")
}

/// The run stored in `body`, checked against the row's key.
fn run_from_json(
    body: &str,
    month: &str,
    kind: &str,
    version: i64,
) -> Result<ScoreRun, StoreError> {
    let run: ScoreRun = serde_json::from_str(body).map_err(|e| {
        unreadable(format!(
            "score run {month} {kind} v{version} is not valid: {e}"
        ))
    })?;
    if run.month.to_string() != month
        || run.kind.code() != kind
        || i64::from(run.version) != version
    {
        return Err(unreadable(format!(
            "score run {month} {kind} v{version} holds the run of {} {} v{}",
            run.month,
            run.kind.code(),
            run.version
        )));
    }
    Ok(run)
}

fn line_parts(line: &DisputedLine) -> (&'static str, &str) {
    let kind = match line {
        DisputedLine::Indicator(_) => "indicator",
        DisputedLine::Deduction(_) => "deduction",
        DisputedLine::Bonus(_) => "bonus",
    };
    (kind, line.code())
}

fn line_from(kind: &str, code: String) -> Result<DisputedLine, StoreError> {
    match kind {
        "indicator" => Ok(DisputedLine::Indicator(code)),
        "deduction" => Ok(DisputedLine::Deduction(code)),
        "bonus" => Ok(DisputedLine::Bonus(code)),
        other => Err(unknown("disputed line", other)),
    }
}

/// The first and last month of `year`, as stored, for range queries.
fn year_range(year: i16) -> (String, String) {
    (format!("{year:04}-01"), format!("{year:04}-12"))
}

/// A `scoring_schemes` row.
#[derive(sqlx::FromRow)]
struct SchemeRow {
    year: i64,
    version: i64,
    body: String,
    saved_at_ms: i64,
    saved_by: String,
}

impl From<SchemeRow> for SchemeVersion {
    fn from(r: SchemeRow) -> SchemeVersion {
        SchemeVersion {
            year: r.year as i16,
            version: r.version as u32,
            body: r.body,
            saved_at_ms: r.saved_at_ms,
            saved_by: r.saved_by,
        }
    }
}

/// A `score_runs` row's key and body (the run itself is the JSON body).
#[derive(sqlx::FromRow)]
struct RunRow {
    month: String,
    kind: String,
    version: i64,
    body: String,
}

/// The integrity code of a published run as stored: the database suite's HMAC (under the secret
/// key's subkey; a plain digest without a key) of its key fields, publication date and body text.
fn run_integrity_code(
    suite: jianguan_audit::CryptoSuite,
    month: &str,
    kind: &str,
    version: i64,
    published_on: &str,
    body: &str,
) -> String {
    let key = crate::secrets::key().map(|k| k.bytes().as_slice());
    jianguan_audit::integrity_code(
        suite,
        key,
        &[month, kind, &version.to_string(), published_on, body],
    )
}

/// A published run's stored fields, as the integrity check reads them.
#[derive(sqlx::FromRow)]
struct PublishedRunRow {
    month: String,
    kind: String,
    version: i64,
    published_on: String,
    body: String,
    integrity_code: Option<String>,
}

/// An objection joined with its decision, if any (`OBJECTION_SELECT`).
#[derive(sqlx::FromRow)]
struct ObjectionRow {
    id: i64,
    unit_id: i64,
    kind: String,
    month: String,
    run_version: i64,
    line_kind: String,
    line_code: String,
    reason: String,
    evidence: String,
    filed_on: String,
    filed_by: String,
    accepted: Option<i64>,
    decided_on: Option<String>,
    decided_by: Option<i64>,
    decision_reason: Option<String>,
}

impl ObjectionRow {
    fn into_objection(self) -> Result<Objection, StoreError> {
        let decision = match self.accepted {
            None => None,
            Some(accepted) => {
                let half = || unreadable(format!("objection {} has half a decision", self.id));
                let on = self.decided_on.as_deref().ok_or_else(half)?;
                Some(Decision {
                    accepted: accepted == 1,
                    on: parse_date(on, "objection decided")?,
                    by: UnitId(self.decided_by.ok_or_else(half)?),
                    reason: self.decision_reason.clone().ok_or_else(half)?,
                })
            }
        };
        Ok(Objection {
            id: self.id,
            subject: UnitId(self.unit_id),
            kind: parse_kind(&self.kind)?,
            month: parse_month(&self.month)?,
            run_version: self.run_version as u32,
            line: line_from(&self.line_kind, self.line_code)?,
            reason: self.reason,
            evidence: self.evidence,
            filed_on: parse_date(&self.filed_on, "objection filed")?,
            filed_by: self.filed_by,
            decision,
        })
    }
}

macro_rules! backend_assessment {
    ($module:ident, $codec:ident, $db:ty) => {
        pub(crate) mod $module {
            use super::*;
            use crate::backend_error;
            use crate::codec::$codec::{
                append_audit_tx, begin_write, bump_data_version, key_matches, next_id,
                suite_for_keyed_write,
            };
            use jianguan_domain::change::Change;
            use jianguan_audit::AuditDraft;
            use jianguan_domain::Date;
            use sqlx::{FromRow, Pool, QueryBuilder, Row};

            type Db = $db;
            type Tx = crate::codec::$codec::WriteTx;



            /// Bumps the data version and commits: the end of every write here. Scores, schemes
            /// and objections are read per request, not cached by nodes: the logged change is
            /// empty.
            async fn finish(mut tx: Tx) -> Result<(), StoreError> {
                bump_data_version(&mut tx, &Change::default()).await?;
                tx.commit().await.map_err(backend_error)
            }

            /// Starts a write with its audit record (on PostgreSQL, taking the chain's lock).
            async fn begin_audited(
                pool: &Pool<Db>,
                audit: AuditDraft,
            ) -> Result<Tx, StoreError> {
                let mut tx = begin_write(pool).await?;
                append_audit_tx(&mut tx, vec![audit]).await?;
                Ok(tx)
            }

            // -------------------------------------------------------------------------------
            // Scoring schemes.
            // -------------------------------------------------------------------------------

            fn scheme_from_row(
                r: &<Db as sqlx::Database>::Row,
            ) -> Result<SchemeVersion, StoreError> {
                SchemeRow::from_row(r).map_err(backend_error).map(SchemeVersion::from)
            }

            pub(crate) async fn scheme(
                pool: &Pool<Db>,
                year: i16,
                version: Option<u32>,
            ) -> Result<Option<SchemeVersion>, StoreError> {
                let row = match version {
                    Some(v) => sqlx::query(
                        "SELECT year, version, body, saved_at_ms, saved_by FROM scoring_schemes \
                         WHERE year = $1 AND version = $2",
                    )
                    .bind(i64::from(year))
                    .bind(i64::from(v))
                    .fetch_optional(pool)
                    .await,
                    None => sqlx::query(
                        "SELECT year, version, body, saved_at_ms, saved_by FROM scoring_schemes \
                         WHERE year = $1 ORDER BY version DESC LIMIT 1",
                    )
                    .bind(i64::from(year))
                    .fetch_optional(pool)
                    .await,
                }
                .map_err(backend_error)?;
                row.as_ref().map(scheme_from_row).transpose()
            }

            pub(crate) async fn scheme_versions(
                pool: &Pool<Db>,
                year: i16,
            ) -> Result<Vec<SchemeVersion>, StoreError> {
                let rows = sqlx::query(
                    "SELECT year, version, body, saved_at_ms, saved_by FROM scoring_schemes \
                     WHERE year = $1 ORDER BY version",
                )
                .bind(i64::from(year))
                .fetch_all(pool)
                .await
                .map_err(backend_error)?;
                rows.iter().map(scheme_from_row).collect()
            }

            pub(crate) async fn save_scheme(
                pool: &Pool<Db>,
                year: i16,
                version: u32,
                body: &str,
                audit: &AuditDraft,
            ) -> Result<SchemeVersion, StoreError> {
                let mut tx = begin_audited(pool, audit.clone()).await?;
                let latest: Option<i64> =
                    sqlx::query_scalar("SELECT MAX(version) FROM scoring_schemes WHERE year = $1")
                        .bind(i64::from(year))
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(backend_error)?;
                if let Some(latest) = latest.filter(|l| *l >= i64::from(version)) {
                    return Err(StoreError::Conflict(format!(
                        "{year} 年考评办法已有第 {latest} 版，新保存的版本号（version = {version}）须大于 {latest}"
                    )));
                }
                let saved = SchemeVersion {
                    year,
                    version,
                    body: body.to_string(),
                    saved_at_ms: crate::now_ms(),
                    saved_by: audit.actor.clone(),
                };
                sqlx::query(
                    "INSERT INTO scoring_schemes (year, version, body, saved_at_ms, saved_by) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(i64::from(year))
                .bind(i64::from(version))
                .bind(saved.body.clone())
                .bind(saved.saved_at_ms)
                .bind(saved.saved_by.clone())
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?;
                finish(tx).await?;
                Ok(saved)
            }

            // -------------------------------------------------------------------------------
            // Entered values and the media register.
            // -------------------------------------------------------------------------------

            pub(crate) async fn enter_values(
                pool: &Pool<Db>,
                values: &[EnteredValue],
                audit: &AuditDraft,
            ) -> Result<Vec<i64>, StoreError> {
                let mut tx = begin_audited(pool, audit.clone()).await?;
                let mut next = next_id(&mut tx, "indicator_values").await?;
                let rows: Vec<(i64, &EnteredValue)> = values
                    .iter()
                    .map(|v| {
                        let id = if v.id > 0 { v.id } else { next };
                        next = next.max(id + 1);
                        (id, v)
                    })
                    .collect();
                let at_ms = crate::now_ms();
                for chunk in rows.chunks(CHUNK) {
                    let mut qb: QueryBuilder<Db> = QueryBuilder::new(
                        "INSERT INTO indicator_values (id, indicator, unit_id, month, value, \
                         note, entered_at_ms, entered_by) ",
                    );
                    qb.push_values(chunk, |mut b, (id, v)| {
                        b.push_bind(*id)
                            .push_bind(v.indicator.clone())
                            .push_bind(v.subject.0)
                            .push_bind(v.month.to_string())
                            .push_bind(v.value)
                            .push_bind(v.note.clone())
                            .push_bind(at_ms)
                            .push_bind(audit.actor.clone());
                    });
                    qb.build().execute(&mut *tx).await.map_err(backend_error)?;
                }
                finish(tx).await?;
                Ok(rows.into_iter().map(|(id, _)| id).collect())
            }

            pub(crate) async fn entered_values(
                pool: &Pool<Db>,
            ) -> Result<Vec<EnteredValue>, StoreError> {
                let rows = sqlx::query(
                    "SELECT id, indicator, unit_id, month, value, note FROM indicator_values \
                     ORDER BY id",
                )
                .fetch_all(pool)
                .await
                .map_err(backend_error)?;
                rows.iter()
                    .map(|r| {
                        let month: String = r.try_get("month").map_err(backend_error)?;
                        Ok(EnteredValue {
                            id: r.try_get("id").map_err(backend_error)?,
                            indicator: r.try_get("indicator").map_err(backend_error)?,
                            subject: UnitId(r.try_get("unit_id").map_err(backend_error)?),
                            month: parse_month(&month)?,
                            value: r.try_get("value").map_err(backend_error)?,
                            note: r.try_get("note").map_err(backend_error)?,
                        })
                    })
                    .collect()
            }

            pub(crate) async fn add_media_reports(
                pool: &Pool<Db>,
                reports: &[MediaReport],
                audit: &AuditDraft,
            ) -> Result<Vec<i64>, StoreError> {
                let mut tx = begin_audited(pool, audit.clone()).await?;
                let mut next = next_id(&mut tx, "media_reports").await?;
                let rows: Vec<(i64, &MediaReport)> = reports
                    .iter()
                    .map(|r| {
                        let id = if r.id > 0 { r.id } else { next };
                        next = next.max(id + 1);
                        (id, r)
                    })
                    .collect();
                for chunk in rows.chunks(CHUNK) {
                    let mut qb: QueryBuilder<Db> = QueryBuilder::new(
                        "INSERT INTO media_reports (id, outlet, level, on_date, title, unit_id) ",
                    );
                    qb.push_values(chunk, |mut b, (id, r)| {
                        b.push_bind(*id)
                            .push_bind(r.outlet.clone())
                            .push_bind(r.level.code())
                            .push_bind(r.date.to_string())
                            .push_bind(r.title.clone())
                            .push_bind(r.unit.0);
                    });
                    qb.build().execute(&mut *tx).await.map_err(backend_error)?;
                }
                let links: Vec<(i64, i64, ProjectId)> = rows
                    .iter()
                    .flat_map(|(id, r)| {
                        r.projects
                            .iter()
                            .enumerate()
                            .map(move |(k, p)| (*id, k as i64 + 1, *p))
                    })
                    .collect();
                for chunk in links.chunks(CHUNK) {
                    let mut qb: QueryBuilder<Db> = QueryBuilder::new(
                        "INSERT INTO media_report_projects (report_id, seq, project_id) ",
                    );
                    qb.push_values(chunk, |mut b, (id, seq, p)| {
                        b.push_bind(*id).push_bind(*seq).push_bind(p.0);
                    });
                    qb.build().execute(&mut *tx).await.map_err(backend_error)?;
                }
                finish(tx).await?;
                Ok(rows.into_iter().map(|(id, _)| id).collect())
            }

            pub(crate) async fn media_reports(
                pool: &Pool<Db>,
            ) -> Result<Vec<MediaReport>, StoreError> {
                let rows = sqlx::query(
                    "SELECT id, outlet, level, on_date, title, unit_id FROM media_reports \
                     ORDER BY id",
                )
                .fetch_all(pool)
                .await
                .map_err(backend_error)?;
                let mut reports = Vec::with_capacity(rows.len());
                let mut index = std::collections::HashMap::new();
                for r in &rows {
                    let level: String = r.try_get("level").map_err(backend_error)?;
                    let on: String = r.try_get("on_date").map_err(backend_error)?;
                    let id: i64 = r.try_get("id").map_err(backend_error)?;
                    index.insert(id, reports.len());
                    reports.push(MediaReport {
                        id,
                        outlet: r.try_get("outlet").map_err(backend_error)?,
                        level: MediaLevel::from_code(&level)
                            .ok_or_else(|| unknown("media level", &level))?,
                        date: parse_date(&on, "media report day")?,
                        title: r.try_get("title").map_err(backend_error)?,
                        projects: Vec::new(),
                        unit: UnitId(r.try_get("unit_id").map_err(backend_error)?),
                    });
                }
                let links = sqlx::query(
                    "SELECT report_id, project_id FROM media_report_projects \
                     ORDER BY report_id, seq",
                )
                .fetch_all(pool)
                .await
                .map_err(backend_error)?;
                for r in &links {
                    let id: i64 = r.try_get("report_id").map_err(backend_error)?;
                    if let Some(&i) = index.get(&id) {
                        reports[i]
                            .projects
                            .push(ProjectId(r.try_get("project_id").map_err(backend_error)?));
                    }
                }
                Ok(reports)
            }

            // -------------------------------------------------------------------------------
            // Score runs.
            // -------------------------------------------------------------------------------

            fn run_from_row(r: &<Db as sqlx::Database>::Row) -> Result<ScoreRun, StoreError> {
                let row = RunRow::from_row(r).map_err(backend_error)?;
                run_from_json(&row.body, &row.month, &row.kind, row.version)
            }

            /// The stored versions of a month and kind, newest first: (version, published).
            async fn versions(
                tx: &mut Tx,
                month: Month,
                kind: SubjectKind,
            ) -> Result<Vec<(i64, bool)>, StoreError> {
                let rows = sqlx::query(
                    "SELECT version, published FROM score_runs WHERE month = $1 AND kind = $2 \
                     ORDER BY version DESC",
                )
                .bind(month.to_string())
                .bind(kind.code())
                .fetch_all(&mut **tx)
                .await
                .map_err(backend_error)?;
                rows.iter()
                    .map(|r| {
                        Ok((
                            r.try_get("version").map_err(backend_error)?,
                            r.try_get::<i64, _>("published").map_err(backend_error)? == 1,
                        ))
                    })
                    .collect()
            }

            async fn insert_run(tx: &mut Tx, run: &ScoreRun) -> Result<(), StoreError> {
                let body = run_json(run);
                let integrity_code = match run.published_on.filter(|_| run.published) {
                    Some(on) => Some(run_integrity_code(
                        suite_for_keyed_write(tx).await?,
                        &run.month.to_string(),
                        run.kind.code(),
                        i64::from(run.version),
                        &on.to_string(),
                        &body,
                    )),
                    None => None,
                };
                sqlx::query(
                    "INSERT INTO score_runs (month, kind, version, scheme_year, scheme_version, \
                     published, published_on, correction_reason, saved_at_ms, body, \
                     integrity_code) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(run.month.to_string())
                .bind(run.kind.code())
                .bind(i64::from(run.version))
                .bind(i64::from(run.scheme_year))
                .bind(i64::from(run.scheme_version))
                .bind(i64::from(run.published))
                .bind(run.published_on.map(|d| d.to_string()))
                .bind(run.correction_reason.clone())
                .bind(crate::now_ms())
                .bind(body)
                .bind(integrity_code)
                .execute(&mut **tx)
                .await
                .map_err(backend_error)?;
                Ok(())
            }

            pub(crate) async fn save_draft_run(
                pool: &Pool<Db>,
                run: &ScoreRun,
                audit: &AuditDraft,
            ) -> Result<(), StoreError> {
                if run.published {
                    return Err(StoreError::Invalid(
                        "a published run is stored by publishing its draft or as a correction"
                            .into(),
                    ));
                }
                let mut tx = begin_audited(pool, audit.clone()).await?;
                let stored = versions(&mut tx, run.month, run.kind).await?;
                if let Some((version, _)) = stored.iter().find(|(_, published)| *published) {
                    return Err(StoreError::Conflict(format!(
                        "{} {}的考评结果已发布（第 {version} 版），不能再改；更正须填写理由重新计分",
                        run.month,
                        run.kind.label()
                    )));
                }
                let draft = stored.first().map_or(1, |(v, _)| *v);
                if i64::from(run.version) != draft {
                    return Err(StoreError::Invalid(format!(
                        "{} {}考评草稿已是第 {draft} 版，不是第 {} 版，请刷新后重试",
                        run.month,
                        run.kind.label(),
                        run.version
                    )));
                }
                if stored.is_empty() {
                    insert_run(&mut tx, run).await?;
                } else {
                    let updated = sqlx::query(
                        "UPDATE score_runs SET scheme_year = $1, scheme_version = $2, \
                         correction_reason = $3, saved_at_ms = $4, body = $5 \
                         WHERE month = $6 AND kind = $7 AND version = $8 AND published = 0",
                    )
                    .bind(i64::from(run.scheme_year))
                    .bind(i64::from(run.scheme_version))
                    .bind(run.correction_reason.clone())
                    .bind(crate::now_ms())
                    .bind(run_json(run))
                    .bind(run.month.to_string())
                    .bind(run.kind.code())
                    .bind(i64::from(run.version))
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_error)?;
                    if updated.rows_affected() != 1 {
                        return Err(StoreError::Conflict(format!(
                            "{} {}考评草稿在此期间已被他人修改，请刷新后重试",
                            run.month,
                            run.kind.label()
                        )));
                    }
                }
                bump_data_version(&mut tx, &Change::default()).await?;
                crate::crash::crash_point!("crash.07.scoring.before_commit");
                tx.commit().await.map_err(backend_error)
            }

            pub(crate) async fn publish_run(
                pool: &Pool<Db>,
                month: Month,
                kind: SubjectKind,
                on: Date,
                audit: &AuditDraft,
            ) -> Result<ScoreRun, StoreError> {
                let mut tx = begin_audited(pool, audit.clone()).await?;
                let row = sqlx::query(
                    "SELECT month, kind, version, body FROM score_runs \
                     WHERE month = $1 AND kind = $2 ORDER BY version DESC LIMIT 1",
                )
                .bind(month.to_string())
                .bind(kind.code())
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend_error)?;
                let Some(row) = row else {
                    return Err(StoreError::Invalid(format!(
                        "{month} {}尚未计分，没有可发布的结果",
                        kind.label()
                    )));
                };
                let draft = run_from_row(&row)?;
                let published = draft.publish(on).map_err(refused)?;
                let body = run_json(&published);
                let integrity_code = run_integrity_code(
                    suite_for_keyed_write(&mut tx).await?,
                    &month.to_string(),
                    kind.code(),
                    i64::from(published.version),
                    &on.to_string(),
                    &body,
                );
                let updated = sqlx::query(
                    "UPDATE score_runs SET published = 1, published_on = $1, saved_at_ms = $2, \
                     body = $3, integrity_code = $4 \
                     WHERE month = $5 AND kind = $6 AND version = $7 AND published = 0",
                )
                .bind(on.to_string())
                .bind(crate::now_ms())
                .bind(body)
                .bind(integrity_code)
                .bind(month.to_string())
                .bind(kind.code())
                .bind(i64::from(published.version))
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?;
                if updated.rows_affected() != 1 {
                    return Err(StoreError::Conflict(format!(
                        "{month} {} v{} is no longer a draft",
                        kind.code(),
                        published.version
                    )));
                }
                bump_data_version(&mut tx, &Change::default()).await?;
                crate::crash::crash_point!("crash.08.publish.before_commit");
                tx.commit().await.map_err(backend_error)?;
                crate::crash::crash_point!("crash.09.publish.after_commit");
                Ok(published)
            }

            /// Checks every published run's integrity code against its stored fields.
            pub(crate) async fn check_score_integrity(
                pool: &Pool<Db>,
            ) -> Result<jianguan_domain::store::ScoreIntegrity, StoreError> {
                use jianguan_audit::IntegrityCheck;
                let mut found = jianguan_domain::store::ScoreIntegrity::default();
                let mut conn = pool.acquire().await.map_err(backend_error)?;
                // With another key than the codes were made with, a keyed code cannot be told
                // from a changed run: those are counted as needing the right key instead.
                found.wrong_key = key_matches(&mut conn).await? == Some(false);
                drop(conn);
                let key = crate::secrets::key()
                    .filter(|_| !found.wrong_key)
                    .map(|k| k.bytes().as_slice());
                let rows: Vec<PublishedRunRow> = sqlx::query_as(
                    "SELECT month, kind, version, published_on, body, integrity_code \
                     FROM score_runs WHERE published = 1 ORDER BY month, kind, version",
                )
                .fetch_all(pool)
                .await
                .map_err(backend_error)?;
                for r in rows {
                    let Some(code) = &r.integrity_code else {
                        found.without_code += 1;
                        continue;
                    };
                    let fields = [
                        r.month.as_str(),
                        r.kind.as_str(),
                        &r.version.to_string(),
                        r.published_on.as_str(),
                        r.body.as_str(),
                    ];
                    match jianguan_audit::check_integrity_code(key, code, &fields) {
                        IntegrityCheck::Keyed => found.keyed += 1,
                        IntegrityCheck::Unkeyed => found.unkeyed += 1,
                        IntegrityCheck::NeedsKey => found.needs_key += 1,
                        IntegrityCheck::Broken | IntegrityCheck::Malformed => found
                            .broken
                            .push(format!("{} {} v{}", r.month, r.kind, r.version)),
                    }
                }
                Ok(found)
            }

            pub(crate) async fn save_correction(
                pool: &Pool<Db>,
                run: &ScoreRun,
                audit: &AuditDraft,
            ) -> Result<(), StoreError> {
                let mut tx = begin_audited(pool, audit.clone()).await?;
                insert_correction(&mut tx, run).await?;
                finish(tx).await
            }

            /// Checks a correction against the month's latest version and inserts it, inside
            /// the caller's write transaction.
            async fn insert_correction(tx: &mut Tx, run: &ScoreRun) -> Result<(), StoreError> {
                jianguan_domain::assessment::can_rescore(true, run.correction_reason.as_deref())
                    .map_err(refused)?;
                if !run.published || run.published_on.is_none() {
                    return Err(StoreError::Invalid(
                        "a correction is published on the day it is made".into(),
                    ));
                }
                let latest = sqlx::query(
                    "SELECT version, published, scheme_year, scheme_version FROM score_runs \
                     WHERE month = $1 AND kind = $2 ORDER BY version DESC LIMIT 1",
                )
                .bind(run.month.to_string())
                .bind(run.kind.code())
                .fetch_optional(&mut **tx)
                .await
                .map_err(backend_error)?;
                let Some(latest) = latest else {
                    return Err(StoreError::Invalid(format!(
                        "{} {}尚未计分，没有可更正的结果",
                        run.month,
                        run.kind.label()
                    )));
                };
                let version: i64 = latest.try_get("version").map_err(backend_error)?;
                let published: i64 = latest.try_get("published").map_err(backend_error)?;
                let scheme: (i64, i64) = (
                    latest.try_get("scheme_year").map_err(backend_error)?,
                    latest.try_get("scheme_version").map_err(backend_error)?,
                );
                if published != 1 {
                    return Err(StoreError::Invalid(format!(
                        "{} {}的结果尚未发布，重新计分即可，无需更正",
                        run.month,
                        run.kind.label()
                    )));
                }
                if i64::from(run.version) != version + 1 {
                    return Err(StoreError::Conflict(format!(
                        "{} {}的最新结果为第 {version} 版，更正应为第 {} 版（不是第 {} 版）",
                        run.month,
                        run.kind.label(),
                        version + 1,
                        run.version
                    )));
                }
                if scheme != (i64::from(run.scheme_year), i64::from(run.scheme_version)) {
                    return Err(refused(jianguan_domain::assessment::RunError::SchemeChanged {
                        month: run.month,
                        published: scheme.1 as u32,
                        used: run.scheme_version,
                    }));
                }
                insert_run(tx, run).await
            }

            pub(crate) async fn latest_run(
                pool: &Pool<Db>,
                month: Month,
                kind: SubjectKind,
            ) -> Result<Option<ScoreRun>, StoreError> {
                sqlx::query(
                    "SELECT month, kind, version, body FROM score_runs \
                     WHERE month = $1 AND kind = $2 ORDER BY version DESC LIMIT 1",
                )
                .bind(month.to_string())
                .bind(kind.code())
                .fetch_optional(pool)
                .await
                .map_err(backend_error)?
                .as_ref()
                .map(run_from_row)
                .transpose()
            }

            pub(crate) async fn run_versions(
                pool: &Pool<Db>,
                month: Month,
                kind: SubjectKind,
            ) -> Result<Vec<ScoreRun>, StoreError> {
                let rows = sqlx::query(
                    "SELECT month, kind, version, body FROM score_runs \
                     WHERE month = $1 AND kind = $2 ORDER BY version",
                )
                .bind(month.to_string())
                .bind(kind.code())
                .fetch_all(pool)
                .await
                .map_err(backend_error)?;
                rows.iter().map(run_from_row).collect()
            }

            pub(crate) async fn latest_runs(
                pool: &Pool<Db>,
                year: i16,
                kind: SubjectKind,
            ) -> Result<Vec<ScoreRun>, StoreError> {
                let (first, last) = year_range(year);
                let rows = sqlx::query(
                    "SELECT r.month, r.kind, r.version, r.body FROM score_runs r \
                     WHERE r.kind = $1 AND r.month >= $2 AND r.month <= $3 \
                     AND r.version = (SELECT MAX(x.version) FROM score_runs x \
                                      WHERE x.month = r.month AND x.kind = r.kind) \
                     ORDER BY r.month",
                )
                .bind(kind.code())
                .bind(first)
                .bind(last)
                .fetch_all(pool)
                .await
                .map_err(backend_error)?;
                rows.iter().map(run_from_row).collect()
            }

            // -------------------------------------------------------------------------------
            // Objections.
            // -------------------------------------------------------------------------------

            const OBJECTION_SELECT: &str = "SELECT o.id, o.unit_id, o.kind, o.month, \
                 o.run_version, o.line_kind, o.line_code, o.reason, o.evidence, o.filed_on, \
                 o.filed_by, d.accepted, d.on_date AS decided_on, d.unit_id AS decided_by, \
                 d.reason AS decision_reason \
                 FROM objections o LEFT JOIN objection_decisions d ON d.objection_id = o.id";

            fn objection_from_row(
                r: &<Db as sqlx::Database>::Row,
            ) -> Result<Objection, StoreError> {
                ObjectionRow::from_row(r)
                    .map_err(backend_error)?
                    .into_objection()
            }

            pub(crate) async fn file_objection(
                pool: &Pool<Db>,
                objection: &Objection,
                audit: &AuditDraft,
            ) -> Result<i64, StoreError> {
                let mut tx = begin_write(pool).await?;
                let id = next_id(&mut tx, "objections").await?;
                let mut audit = audit.clone();
                audit.object = format!("objection:{id}");
                append_audit_tx(&mut tx, vec![audit]).await?;
                let run = sqlx::query(
                    "SELECT month, kind, version, body FROM score_runs \
                     WHERE month = $1 AND kind = $2 ORDER BY version DESC LIMIT 1",
                )
                .bind(objection.month.to_string())
                .bind(objection.kind.code())
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend_error)?;
                let Some(run) = run else {
                    return Err(refused(
                        jianguan_domain::assessment::ObjectionError::NotPublished(
                            objection.month,
                        ),
                    ));
                };
                let run = run_from_row(&run)?;
                let existing = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "{OBJECTION_SELECT} WHERE o.month = $1 AND o.kind = $2 AND o.unit_id = $3 \
                     ORDER BY o.id"
                )))
                .bind(objection.month.to_string())
                .bind(objection.kind.code())
                .bind(objection.subject.0)
                .fetch_all(&mut *tx)
                .await
                .map_err(backend_error)?
                .iter()
                .map(objection_from_row)
                .collect::<Result<Vec<_>, _>>()?;
                objection.check_new(&run, &existing).map_err(refused)?;
                let (line_kind, line_code) = line_parts(&objection.line);
                sqlx::query(
                    "INSERT INTO objections (id, unit_id, kind, month, run_version, line_kind, \
                     line_code, reason, evidence, filed_on, filed_by) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(id)
                .bind(objection.subject.0)
                .bind(objection.kind.code())
                .bind(objection.month.to_string())
                .bind(i64::from(objection.run_version))
                .bind(line_kind)
                .bind(line_code.to_string())
                .bind(objection.reason.clone())
                .bind(objection.evidence.clone())
                .bind(objection.filed_on.to_string())
                .bind(objection.filed_by.clone())
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?;
                finish(tx).await?;
                Ok(id)
            }

            pub(crate) async fn decide_objection(
                pool: &Pool<Db>,
                id: i64,
                decision: &Decision,
                audit: &AuditDraft,
                correction: Option<(&ScoreRun, &AuditDraft)>,
            ) -> Result<Objection, StoreError> {
                let mut tx = begin_audited(pool, audit.clone()).await?;
                let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "{OBJECTION_SELECT} WHERE o.id = $1"
                )))
                .bind(id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend_error)?;
                let Some(row) = row else {
                    return Err(StoreError::NotFound(format!("编号为 {id} 的申诉")));
                };
                let decided = objection_from_row(&row)?
                    .decide(decision.clone())
                    .map_err(refused)?;
                sqlx::query(
                    "INSERT INTO objection_decisions (objection_id, accepted, on_date, unit_id, \
                     reason) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(id)
                .bind(i64::from(decision.accepted))
                .bind(decision.on.to_string())
                .bind(decision.by.0)
                .bind(decision.reason.clone())
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?;
                if let Some((run, audit)) = correction {
                    // The correction an accepted objection triggers, in the decision's
                    // transaction: it must name this objection and be about its month.
                    if run.correction_reason != decided.correction_reason()
                        || run.month != decided.month
                        || run.kind != decided.kind
                    {
                        return Err(StoreError::Invalid(format!(
                            "the correction is not the one accepting objection {id}"
                        )));
                    }
                    append_audit_tx(&mut tx, vec![audit.clone()]).await?;
                    insert_correction(&mut tx, run).await?;
                }
                finish(tx).await?;
                Ok(decided)
            }

            pub(crate) async fn objections(
                pool: &Pool<Db>,
                month: Month,
            ) -> Result<Vec<Objection>, StoreError> {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "{OBJECTION_SELECT} WHERE o.month = $1 ORDER BY o.id"
                )))
                .bind(month.to_string())
                .fetch_all(pool)
                .await
                .map_err(backend_error)?
                .iter()
                .map(objection_from_row)
                .collect()
            }
        }
    };
}

backend_assessment!(sqlite_assessment, sqlite_codec, sqlx::Sqlite);
backend_assessment!(postgres_assessment, postgres_codec, sqlx::Postgres);
