//! Annual plans: status changes (submit, approve), plan changes (计划调整) and their decisions,
//! draft plans for a new year. Written once in a macro expanded per backend, like
//! [`crate::cadence`], sharing the codec's write transaction and audit chain.

use jianguan_domain::model::*;
use jianguan_domain::plan::{PlanChange, PlanChangeKind, PlanChangeRequest, PlanChangeStatus};
use jianguan_domain::store::StoreError;

use crate::codec::{unknown, unreadable};

/// The content of a request stored as JSON in `plan_changes.body` (the columns hold the rest).
#[derive(serde::Serialize, serde::Deserialize)]
struct Body {
    #[serde(default)]
    dates: Vec<(MilestoneId, Date)>,
    #[serde(default)]
    investment: Option<Money>,
    #[serde(default)]
    effective_on: Option<Date>,
    #[serde(default)]
    scope: Option<String>,
}

type Date = jianguan_domain::Date;

/// A `plan_changes` row.
#[derive(sqlx::FromRow)]
struct ChangeRow {
    id: i64,
    project_id: i64,
    year: i64,
    kind: String,
    reason: String,
    body: String,
    attachments: String,
    requested_by: String,
    requested_unit: Option<i64>,
    requested_at_ms: i64,
    status: String,
    decided_by: Option<String>,
    decided_at_ms: Option<i64>,
    decision_note: Option<String>,
}

impl ChangeRow {
    fn into_change(self) -> Result<PlanChange, StoreError> {
        let body: Body = serde_json::from_str(&self.body)
            .map_err(|e| unreadable(format!("plan change {} body: {e}", self.id)))?;
        let attachments: Vec<String> = serde_json::from_str(&self.attachments)
            .map_err(|e| unreadable(format!("plan change {} attachments: {e}", self.id)))?;
        Ok(PlanChange {
            id: self.id,
            request: PlanChangeRequest {
                project: ProjectId(self.project_id),
                year: self.year as i16,
                kind: PlanChangeKind::from_code(&self.kind)
                    .ok_or_else(|| unknown("plan change kind", &self.kind))?,
                reason: self.reason,
                dates: body.dates,
                investment: body.investment,
                effective_on: body.effective_on,
                scope: body.scope,
                attachments,
            },
            requested_by: self.requested_by,
            requested_unit: self.requested_unit.map(UnitId),
            requested_at_ms: self.requested_at_ms,
            status: PlanChangeStatus::from_code(&self.status)
                .ok_or_else(|| unknown("plan change status", &self.status))?,
            decided_by: self.decided_by,
            decided_at_ms: self.decided_at_ms,
            decision_note: self.decision_note,
        })
    }
}

fn body_json(r: &PlanChangeRequest) -> String {
    serde_json::to_string(&Body {
        dates: r.dates.clone(),
        investment: r.investment,
        effective_on: r.effective_on,
        scope: r.scope.clone(),
    })
    .expect("a plan change body serialises")
}

macro_rules! backend_plans {
    ($module:ident, $codec:ident, $db:ty) => {
        pub(crate) mod $module {
            use super::*;
            use crate::backend_error;
            use crate::codec::$codec::{append_audit_tx, begin_write, bump_data_version, next_id};
            use jianguan_domain::change::{Change, Touched};
            use jianguan_audit::AuditDraft;
            use jianguan_domain::store::PlanDecision;
            use sqlx::Pool;

            type Db = $db;

            const CHANGE_COLUMNS: &str = "id, project_id, year, kind, reason, body, attachments, \
                requested_by, requested_unit, requested_at_ms, status, decided_by, \
                decided_at_ms, decision_note";

            pub(crate) async fn set_plan_status(
                pool: &Pool<Db>,
                year: i16,
                projects: &[ProjectId],
                to: PlanStatus,
                audit: &AuditDraft,
            ) -> Result<usize, StoreError> {
                // Only forward: draft → submitted → approved.
                let from: &[&str] = match to {
                    PlanStatus::Draft => &[],
                    PlanStatus::Submitted => &["draft"],
                    PlanStatus::Approved => &["draft", "submitted"],
                };
                let mut tx = begin_write(pool).await?;
                let mut changed = 0usize;
                for id in projects {
                    let mut n = 0u64;
                    for status in from {
                        n += sqlx::query(
                            "UPDATE year_plans SET status = $1, \
                             approved_at_ms = CASE WHEN $1 = 'approved' THEN $2 ELSE approved_at_ms END, \
                             approved_by = CASE WHEN $1 = 'approved' THEN $3 ELSE approved_by END \
                             WHERE project_id = $4 AND year = $5 AND status = $6",
                        )
                        .bind(to.code())
                        .bind(audit.at_ms)
                        .bind(audit.actor.clone())
                        .bind(id.0)
                        .bind(i64::from(year))
                        .bind(*status)
                        .execute(&mut *tx)
                        .await
                        .map_err(backend_error)?
                        .rows_affected();
                    }
                    if n > 0 && to == PlanStatus::Approved {
                        sqlx::query("UPDATE milestones SET derived = FALSE WHERE project_id = $1")
                            .bind(id.0)
                            .execute(&mut *tx)
                            .await
                            .map_err(backend_error)?;
                    }
                    changed += n as usize;
                }
                if changed > 0 {
                    append_audit_tx(&mut tx, vec![audit.clone()]).await?;
                    let change = Change {
                        projects: Touched::projects(projects.iter().copied()),
                        ..Change::default()
                    };
                    bump_data_version(&mut tx, &change).await?;
                }
                tx.commit().await.map_err(backend_error)?;
                Ok(changed)
            }

            pub(crate) async fn plan_changes(
                pool: &Pool<Db>,
                year: Option<i16>,
            ) -> Result<Vec<PlanChange>, StoreError> {
                let rows: Vec<ChangeRow> = match year {
                    Some(y) => sqlx::query_as(sqlx::AssertSqlSafe(format!(
                        "SELECT {CHANGE_COLUMNS} FROM plan_changes WHERE year = $1 ORDER BY id"
                    )))
                    .bind(i64::from(y))
                    .fetch_all(pool)
                    .await
                    .map_err(backend_error)?,
                    None => sqlx::query_as(sqlx::AssertSqlSafe(format!(
                        "SELECT {CHANGE_COLUMNS} FROM plan_changes ORDER BY id"
                    )))
                    .fetch_all(pool)
                    .await
                    .map_err(backend_error)?,
                };
                rows.into_iter().map(ChangeRow::into_change).collect()
            }

            pub(crate) async fn request_plan_change(
                pool: &Pool<Db>,
                change: &PlanChange,
                audit: &AuditDraft,
            ) -> Result<i64, StoreError> {
                let mut tx = begin_write(pool).await?;
                let id = next_id(&mut tx, "plan_changes").await?;
                let r = &change.request;
                sqlx::query(
                    "INSERT INTO plan_changes (id, project_id, year, kind, reason, body, \
                     attachments, requested_by, requested_unit, requested_at_ms, status) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending')",
                )
                .bind(id)
                .bind(r.project.0)
                .bind(i64::from(r.year))
                .bind(r.kind.code())
                .bind(r.reason.clone())
                .bind(body_json(r))
                .bind(serde_json::to_string(&r.attachments).expect("names serialise"))
                .bind(change.requested_by.clone())
                .bind(change.requested_unit.map(|u| u.0))
                .bind(change.requested_at_ms)
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?;
                let mut audit = audit.clone();
                audit.object = format!("plan_change:{id}");
                append_audit_tx(&mut tx, vec![audit]).await?;
                bump_data_version(&mut tx, &Change::cadence()).await?;
                tx.commit().await.map_err(backend_error)?;
                Ok(id)
            }

            pub(crate) async fn decide_plan_change(
                pool: &Pool<Db>,
                decision: &PlanDecision,
                audit: &AuditDraft,
            ) -> Result<(), StoreError> {
                let mut tx = begin_write(pool).await?;
                let status = if decision.approved {
                    PlanChangeStatus::Approved
                } else {
                    PlanChangeStatus::Rejected
                };
                let n = sqlx::query(
                    "UPDATE plan_changes SET status = $1, decided_by = $2, decided_at_ms = $3, \
                     decision_note = $4 WHERE id = $5 AND status = 'pending'",
                )
                .bind(status.code())
                .bind(decision.decided_by.clone())
                .bind(decision.at_ms)
                .bind(decision.note.clone())
                .bind(decision.id)
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?
                .rows_affected();
                if n == 0 {
                    let exists: Option<i64> =
                        sqlx::query_scalar("SELECT id FROM plan_changes WHERE id = $1")
                            .bind(decision.id)
                            .fetch_optional(&mut *tx)
                            .await
                            .map_err(backend_error)?;
                    // Ended here, not left to the drop: a connection must not go back to the
                    // pool idle in a transaction (it would hold its locks).
                    tx.rollback().await.map_err(backend_error)?;
                    return Err(if exists.is_some() {
                        StoreError::Conflict("该调整申请已处理".into())
                    } else {
                        StoreError::NotFound(format!("调整申请 {}", decision.id))
                    });
                }
                if let (true, Some(p)) = (decision.approved, &decision.adjusted) {
                    for m in &p.milestones {
                        sqlx::query(
                            "UPDATE milestones SET adjusted_on = $1 WHERE id = $2 AND project_id = $3",
                        )
                        .bind(m.adjusted.map(|d| d.to_string()))
                        .bind(m.id.0)
                        .bind(p.id.0)
                        .execute(&mut *tx)
                        .await
                        .map_err(backend_error)?;
                    }
                    for y in &p.year_plans {
                        sqlx::query(
                            "UPDATE year_plans SET adjusted_investment = $1, cancelled_on = $2 \
                             WHERE project_id = $3 AND year = $4",
                        )
                        .bind(y.adjusted_investment.map(|m| m.0))
                        .bind(y.cancelled_on.map(|d| d.to_string()))
                        .bind(p.id.0)
                        .bind(i64::from(y.year))
                        .execute(&mut *tx)
                        .await
                        .map_err(backend_error)?;
                    }
                    sqlx::query("UPDATE projects SET suspended_on = $1 WHERE id = $2")
                        .bind(p.suspended_on.map(|d| d.to_string()))
                        .bind(p.id.0)
                        .execute(&mut *tx)
                        .await
                        .map_err(backend_error)?;
                }
                append_audit_tx(&mut tx, vec![audit.clone()]).await?;
                let change = Change {
                    projects: Touched::projects(
                        decision.adjusted.iter().filter(|_| decision.approved).map(|p| p.id),
                    ),
                    cadence: true,
                    ..Change::default()
                };
                bump_data_version(&mut tx, &change).await?;
                tx.commit().await.map_err(backend_error)?;
                Ok(())
            }

            pub(crate) async fn add_year_plans(
                pool: &Pool<Db>,
                plans: &[(ProjectId, YearPlan)],
                audit: &AuditDraft,
            ) -> Result<usize, StoreError> {
                let mut tx = begin_write(pool).await?;
                let mut added = 0usize;
                for (project, y) in plans {
                    let exists: Option<i64> = sqlx::query_scalar(
                        "SELECT project_id FROM year_plans WHERE project_id = $1 AND year = $2",
                    )
                    .bind(project.0)
                    .bind(i64::from(y.year))
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(backend_error)?;
                    if exists.is_some() {
                        continue;
                    }
                    sqlx::query(
                        "INSERT INTO year_plans (project_id, year, kind, planned_investment, \
                         status) VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(project.0)
                    .bind(i64::from(y.year))
                    .bind(y.kind.code())
                    .bind(y.planned_investment.0)
                    .bind(y.status.code())
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_error)?;
                    added += 1;
                }
                if added > 0 {
                    append_audit_tx(&mut tx, vec![audit.clone()]).await?;
                    let change = Change {
                        projects: Touched::projects(plans.iter().map(|(p, _)| *p)),
                        ..Change::default()
                    };
                    bump_data_version(&mut tx, &change).await?;
                }
                tx.commit().await.map_err(backend_error)?;
                Ok(added)
            }
        }
    };
}

backend_plans!(sqlite_plans, sqlite_codec, sqlx::Sqlite);
backend_plans!(postgres_plans, postgres_codec, sqlx::Postgres);
