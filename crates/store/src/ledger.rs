//! Importing the office's project ledger: new projects inserted, stored ones replaced — their
//! fields, year plans and milestones (matched by id) — all in one transaction that is refused if
//! the data changed since the file was checked. Written once in a macro expanded per backend,
//! like [`crate::cadence`], sharing [`crate::codec`]'s write transaction, chunked inserts and
//! audit chain.
//!
//! The data version is checked twice. When the write starts, so a stale plan is refused before
//! any work; and in the statement that bumps it, after the audit records are appended: on
//! PostgreSQL that runs under the audit chain's lock, which every audited writer holds until it
//! commits, so a write that another node committed while the import ran is still noticed (SQLite
//! holds its write lock from `BEGIN IMMEDIATE`, so there the first check already decides).

use std::collections::{HashMap, HashSet};

use jianguan_audit::{AuditAction, AuditDraft, FieldChange, Outcome};
use jianguan_domain::model::*;
use jianguan_domain::store::{Actor, Field, ProjectImport, StoreError};

use crate::codec::CHUNK;

/// The columns of `projects` after `id`, in the order of [`project_values`]: an import inserts
/// and updates them from this one list. (A macro, so the `INSERT` head can be a literal.)
macro_rules! project_columns {
    () => {
        "code, name, category_id, sub_category, district_id, street, lead_unit_id, \
         responsible_unit_id, sub_hq_id, build_type, households, area_m2, parking_spaces, \
         toilets, length_m, total_investment, funding_source, lon, lat, suspended_on"
    };
}

const PROJECT_INSERT: &str = concat!("INSERT INTO projects (id, ", project_columns!(), ") ");
const YEAR_PLAN_INSERT: &str = "INSERT INTO year_plans (project_id, year, kind, planned_investment, status, \
     adjusted_investment, cancelled_on) ";
const MILESTONE_INSERT: &str = "INSERT INTO milestones (id, project_id, seq, name, weight, \
     enters, planned_on, actual_on, derived, adjusted_on) ";

/// One column's value, as both engines bind it.
enum Value {
    Int(Option<i64>),
    Real(Option<f64>),
    Text(Option<String>),
}

/// The values of [`project_columns!`] for `p`.
fn project_values(p: &Project) -> [Value; 20] {
    use Value::{Int, Real, Text};
    [
        Text(Some(p.code.clone())),
        Text(Some(p.name.clone())),
        Int(Some(p.category.0)),
        Text(p.sub_category.clone()),
        Int(Some(p.district.0)),
        Text(Some(p.street.clone())),
        Int(Some(p.lead_unit.0)),
        Int(Some(p.responsible_unit.0)),
        Int(Some(p.sub_hq.0)),
        Text(Some(p.build_type.code().to_string())),
        Int(p.scale.households),
        Int(p.scale.area_m2),
        Int(p.scale.parking_spaces),
        Int(p.scale.toilets),
        Int(p.scale.length_m),
        Int(Some(p.total_investment.0)),
        Text(Some(p.funding_source.clone())),
        Real(p.location.map(|l| l.lon)),
        Real(p.location.map(|l| l.lat)),
        Text(p.suspended_on.map(|d| d.to_string())),
    ]
}

fn refused(why: String) -> StoreError {
    StoreError::Invalid(why)
}

fn stale(expected: i64, found: i64) -> StoreError {
    StoreError::Stale { expected, found }
}

/// Checks the import's projects against the stored ones (code → id) before anything is
/// written: a new project's code must be free, an updated project must exist and keep a code
/// no other project holds, and no code may appear twice in the import.
fn check_projects(import: &ProjectImport, stored: &HashMap<String, i64>) -> Result<(), StoreError> {
    let ids: HashSet<i64> = stored.values().copied().collect();
    let mut seen: HashSet<&str> = HashSet::new();
    for p in &import.new {
        if stored.contains_key(&p.code) {
            return Err(StoreError::Duplicate {
                field: Field::ProjectCode,
                value: Some(p.code.clone()),
            });
        }
        if !seen.insert(p.code.as_str()) {
            return Err(refused(format!("项目编号 {} 在导入中出现了两次", p.code)));
        }
    }
    for (p, _) in &import.updated {
        if !ids.contains(&p.id.0) {
            return Err(StoreError::NotFound(format!(
                "要更新的项目 {}（id {}）",
                p.code, p.id
            )));
        }
        if let Some(other) = stored.get(&p.code).filter(|other| **other != p.id.0) {
            return Err(refused(format!(
                "项目编号 {} 已属于另一个项目（id {other}），不能改给项目 id {}",
                p.code, p.id
            )));
        }
        if !seen.insert(p.code.as_str()) {
            return Err(refused(format!("项目编号 {} 在导入中出现了两次", p.code)));
        }
    }
    Ok(())
}

/// Checks the import's new units (a placeholder id below zero each, all different, a name, a
/// parent) and returns the import with every placeholder its projects name replaced by the id
/// the store assigns: the units take ids `first`, `first + 1`, … in order.
fn assign_unit_ids(import: &ProjectImport, first: i64) -> Result<ProjectImport, StoreError> {
    let mut map: HashMap<i64, i64> = HashMap::new();
    for (i, u) in import.new_units.iter().enumerate() {
        if u.id.0 >= 0 || map.insert(u.id.0, first + i as i64).is_some() {
            return Err(refused(format!(
                "新单位「{}」的占位编号 {} 应为负数且不重复",
                u.name, u.id
            )));
        }
        if u.name.trim().is_empty() {
            return Err(refused("新单位的名称不能为空".to_string()));
        }
    }
    let unit = |id: UnitId| -> Result<UnitId, StoreError> {
        if id.0 >= 0 {
            return Ok(id);
        }
        map.get(&id.0).map(|id| UnitId(*id)).ok_or_else(|| {
            refused(format!(
                "项目引用的新单位占位编号 {id} 不在本次导入的新单位中"
            ))
        })
    };
    let remap = |p: &Project| -> Result<Project, StoreError> {
        let mut p = p.clone();
        p.district = unit(p.district)?;
        p.lead_unit = unit(p.lead_unit)?;
        p.responsible_unit = unit(p.responsible_unit)?;
        p.sub_hq = unit(p.sub_hq)?;
        Ok(p)
    };
    let mut units = import.new_units.clone();
    for (i, u) in units.iter_mut().enumerate() {
        u.id = UnitId(first + i as i64);
        u.parent = u.parent.map(unit).transpose()?;
    }
    Ok(ProjectImport {
        new_units: units,
        new: import.new.iter().map(remap).collect::<Result<_, _>>()?,
        updated: import
            .updated
            .iter()
            .map(|(p, f)| Ok((remap(p)?, f.clone())))
            .collect::<Result<_, StoreError>>()?,
        source: import.source.clone(),
        expected_version: import.expected_version,
    })
}

/// What replacing a stored project's milestones does.
struct MilestoneChanges<'a> {
    /// Stored milestones the import keeps (by id), with their new values.
    kept: Vec<&'a Milestone>,
    /// Milestones new to the project (id 0).
    added: Vec<&'a Milestone>,
    /// Stored milestones the import leaves out, as (id, name).
    dropped: Vec<(i64, String)>,
}

/// Matches `p`'s milestones against the stored ones (id, name) by id. A milestone id that is
/// not one of the project's is refused.
fn milestone_changes<'a>(
    p: &'a Project,
    stored: &[(i64, String)],
) -> Result<MilestoneChanges<'a>, StoreError> {
    let stored_ids: HashSet<i64> = stored.iter().map(|(id, _)| *id).collect();
    let mut kept = Vec::new();
    let mut added = Vec::new();
    let mut kept_ids = HashSet::new();
    for m in &p.milestones {
        if m.id.0 == 0 {
            added.push(m);
        } else if stored_ids.contains(&m.id.0) && kept_ids.insert(m.id.0) {
            kept.push(m);
        } else {
            return Err(refused(format!(
                "项目 {} 的节点「{}」（id {}）不是该项目已存的节点，或重复出现",
                p.code, m.name, m.id
            )));
        }
    }
    let dropped = stored
        .iter()
        .filter(|(id, _)| !kept_ids.contains(id))
        .cloned()
        .collect();
    Ok(MilestoneChanges {
        kept,
        added,
        dropped,
    })
}

/// The audit records of an import: one per project, new ones first.
fn audit_drafts(import: &ProjectImport, ids: &[ProjectId], actor: &Actor) -> Vec<AuditDraft> {
    let at_ms = crate::now_ms();
    let draft = |action: AuditAction, id: ProjectId, mut changes: Vec<FieldChange>| {
        changes.push(FieldChange {
            field: "source".to_string(),
            before: None,
            after: Some(import.source.clone()),
        });
        AuditDraft {
            at_ms,
            actor: actor.name.clone(),
            unit: None,
            action: action.code(),
            object: format!("project:{id}"),
            result: Outcome::Success,
            client: actor.client.clone(),
            changes,
        }
    };
    let created = |field: &str, value: String| FieldChange {
        field: field.to_string(),
        before: None,
        after: Some(value),
    };
    let mut drafts: Vec<AuditDraft> = import
        .new_units
        .iter()
        .map(|u| AuditDraft {
            at_ms,
            actor: actor.name.clone(),
            unit: None,
            action: AuditAction::UnitImportCreate.code(),
            object: format!("unit:{}", u.id),
            result: Outcome::Success,
            client: actor.client.clone(),
            changes: vec![
                created("name", u.name.clone()),
                created("kind", u.kind.code().to_string()),
                created(
                    "parent_id",
                    u.parent.map_or_else(String::new, |p| p.to_string()),
                ),
                FieldChange {
                    field: "source".to_string(),
                    before: None,
                    after: Some(import.source.clone()),
                },
            ],
        })
        .collect();
    drafts.extend(ids.iter().zip(&import.new).map(|(id, p)| {
        draft(
            AuditAction::ProjectImportCreate,
            *id,
            vec![
                created("code", p.code.clone()),
                created("name", p.name.clone()),
                created("district_id", p.district.to_string()),
                created("category_id", p.category.to_string()),
                created("milestones", p.milestones.len().to_string()),
                created("total_investment", p.total_investment.0.to_string()),
            ],
        )
    }));
    // The plan names the changed fields as the ledger's headers (总投资, 节点「开工」计划日期);
    // their values are in the project as stored after the write.
    drafts.extend(import.updated.iter().map(|(p, fields)| {
        draft(
            AuditAction::ProjectImportUpdate,
            p.id,
            fields
                .iter()
                .map(|f| FieldChange {
                    field: f.clone(),
                    before: None,
                    after: None,
                })
                .collect(),
        )
    }));
    drafts
}

/// Progress is counted in projects, so the per-table row counts of `insert_rows` are not shown.
fn no_progress(_done: u64, _total: u64) {}

macro_rules! backend_ledger {
    ($module:ident, $codec:ident, $db:ty) => {
        pub(crate) mod $module {
            use super::*;
            use crate::backend_error;
            use crate::codec::$codec::{
                append_audit_tx, begin_write, insert_rows, log_change, next_id,
            };
            use jianguan_domain::change::{Change, Touched};
            use jianguan_domain::store::Progress;
            use sqlx::{Pool, QueryBuilder};

            type Db = $db;
            type Tx = crate::codec::$codec::WriteTx;

            async fn insert_projects(
                tx: &mut Tx,
                rows: &[(i64, &Project)],
            ) -> Result<(), StoreError> {
                let mut n = 0;
                insert_rows(
                    tx,
                    PROJECT_INSERT,
                    rows,
                    |mut b, (id, p)| {
                        b.push_bind(*id);
                        for value in project_values(p) {
                            match value {
                                Value::Int(v) => b.push_bind(v),
                                Value::Real(v) => b.push_bind(v),
                                Value::Text(v) => b.push_bind(v),
                            };
                        }
                    },
                    &mut n,
                    0,
                    &no_progress,
                )
                .await
            }

            async fn insert_year_plans(
                tx: &mut Tx,
                rows: &[(i64, &YearPlan)],
            ) -> Result<(), StoreError> {
                let mut n = 0;
                insert_rows(
                    tx,
                    YEAR_PLAN_INSERT,
                    rows,
                    |mut b, (pid, y)| {
                        b.push_bind(*pid)
                            .push_bind(i64::from(y.year))
                            .push_bind(y.kind.code())
                            .push_bind(y.planned_investment.0)
                            .push_bind(y.status.code())
                            .push_bind(y.adjusted_investment.map(|m| m.0))
                            .push_bind(y.cancelled_on.map(|d| d.to_string()));
                    },
                    &mut n,
                    0,
                    &no_progress,
                )
                .await
            }

            /// Inserts milestones as (id, project id, milestone).
            async fn insert_milestones(
                tx: &mut Tx,
                rows: &[(i64, i64, &Milestone)],
            ) -> Result<(), StoreError> {
                let mut n = 0;
                insert_rows(
                    tx,
                    MILESTONE_INSERT,
                    rows,
                    |mut b, (id, pid, m)| {
                        b.push_bind(*id)
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
                    &mut n,
                    0,
                    &no_progress,
                )
                .await
            }

            /// Writes every column of [`project_columns!`] of the stored project `p.id`.
            async fn update_project(tx: &mut Tx, p: &Project) -> Result<(), StoreError> {
                let mut qb: QueryBuilder<Db> = QueryBuilder::new("UPDATE projects SET ");
                for (i, (column, value)) in project_columns!()
                    .split(", ")
                    .zip(project_values(p))
                    .enumerate()
                {
                    if i > 0 {
                        qb.push(", ");
                    }
                    qb.push(column.trim()).push(" = ");
                    match value {
                        Value::Int(v) => qb.push_bind(v),
                        Value::Real(v) => qb.push_bind(v),
                        Value::Text(v) => qb.push_bind(v),
                    };
                }
                qb.push(" WHERE id = ").push_bind(p.id.0);
                let updated = qb
                    .build()
                    .execute(&mut **tx)
                    .await
                    .map_err(backend_error)?
                    .rows_affected();
                if updated != 1 {
                    return Err(refused(format!(
                        "要更新的项目 {}（id {}）已不存在",
                        p.code, p.id
                    )));
                }
                Ok(())
            }

            /// Refuses to drop a milestone that a report or a warning refers to.
            async fn check_unreferenced(
                tx: &mut Tx,
                p: &Project,
                id: i64,
                name: &str,
            ) -> Result<(), StoreError> {
                let references = [
                    ("report_milestones", "进度报告"),
                    ("warning_events", "预警记录"),
                ];
                for (table, what) in references {
                    let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                        "SELECT COUNT(*) FROM {table} WHERE milestone_id = $1"
                    )))
                    .bind(id)
                    .fetch_one(&mut **tx)
                    .await
                    .map_err(backend_error)?;
                    if n > 0 {
                        return Err(refused(format!(
                            "项目 {} 的节点「{name}」已有 {n} 条{what}引用，不能删除",
                            p.code
                        )));
                    }
                }
                Ok(())
            }

            /// Refuses an actual date that differs from what the current versions of the
            /// project's reports say of a milestone they name: that date is the reports'
            /// (`jianguan_domain::filing::reached_in_reports`), changed by correcting the
            /// report, not the ledger.
            async fn check_reported_dates(
                tx: &mut Tx,
                p: &Project,
                kept: &[&Milestone],
            ) -> Result<(), StoreError> {
                let reported: Vec<(i64, String)> = sqlx::query_as(
                    "SELECT rm.milestone_id, MIN(rm.reached_on) FROM report_milestones rm \
                     JOIN progress_reports r ON r.id = rm.report_id \
                     WHERE r.project_id = $1 \
                     AND r.version = (SELECT MAX(v.version) FROM progress_reports v \
                         WHERE v.project_id = r.project_id AND v.period_id = r.period_id) \
                     GROUP BY rm.milestone_id",
                )
                .bind(p.id.0)
                .fetch_all(&mut **tx)
                .await
                .map_err(backend_error)?;
                for m in kept {
                    let Some((_, on)) = reported.iter().find(|(id, _)| *id == m.id.0) else {
                        continue;
                    };
                    let actual = m.actual.map(|d| d.to_string());
                    if actual.as_deref() != Some(on.as_str()) {
                        return Err(refused(format!(
                            "项目 {} 的节点「{}」实际日期以进度填报为准（{on}），台账不能改为{}；\
                             请更正该期填报",
                            p.code,
                            m.name,
                            actual.map_or_else(|| "空".to_string(), |d| format!(" {d}"))
                        )));
                    }
                }
                Ok(())
            }

            /// Replaces the stored project `p`'s fields, year plans and milestones; new
            /// milestones take ids from `next_milestone`.
            async fn replace_project(
                tx: &mut Tx,
                p: &Project,
                next_milestone: &mut i64,
            ) -> Result<(), StoreError> {
                update_project(tx, p).await?;
                sqlx::query("DELETE FROM year_plans WHERE project_id = $1")
                    .bind(p.id.0)
                    .execute(&mut **tx)
                    .await
                    .map_err(backend_error)?;
                let plans: Vec<(i64, &YearPlan)> =
                    p.year_plans.iter().map(|y| (p.id.0, y)).collect();
                insert_year_plans(tx, &plans).await?;

                let stored: Vec<(i64, String)> = sqlx::query_as(
                    "SELECT id, name FROM milestones WHERE project_id = $1 ORDER BY seq",
                )
                .bind(p.id.0)
                .fetch_all(&mut **tx)
                .await
                .map_err(backend_error)?;
                let changes = milestone_changes(p, &stored)?;
                check_reported_dates(tx, p, &changes.kept).await?;
                for (id, name) in &changes.dropped {
                    check_unreferenced(tx, p, *id, name).await?;
                    sqlx::query("DELETE FROM milestones WHERE id = $1")
                        .bind(*id)
                        .execute(&mut **tx)
                        .await
                        .map_err(backend_error)?;
                }
                // `(project_id, seq)` is unique and an import may renumber: kept milestones
                // take their new place negated first, then all turn positive at once, so no
                // row ever collides with one not yet moved.
                for m in &changes.kept {
                    sqlx::query(
                        "UPDATE milestones SET seq = $1, name = $2, weight = $3, enters = $4, \
                         planned_on = $5, actual_on = $6, derived = $7 WHERE id = $8 AND project_id = $9",
                    )
                    .bind(-i64::from(m.seq))
                    .bind(m.name.clone())
                    .bind(i64::from(m.weight))
                    .bind(m.enters.map(|e| e.code()))
                    .bind(m.planned.to_string())
                    .bind(m.actual.map(|d| d.to_string()))
                    .bind(m.derived)
                    .bind(m.id.0)
                    .bind(p.id.0)
                    .execute(&mut **tx)
                    .await
                    .map_err(backend_error)?;
                }
                sqlx::query("UPDATE milestones SET seq = -seq WHERE project_id = $1 AND seq < 0")
                    .bind(p.id.0)
                    .execute(&mut **tx)
                    .await
                    .map_err(backend_error)?;
                let added: Vec<(i64, i64, &Milestone)> = changes
                    .added
                    .into_iter()
                    .map(|m| {
                        let id = *next_milestone;
                        *next_milestone += 1;
                        (id, p.id.0, m)
                    })
                    .collect();
                insert_milestones(tx, &added).await
            }

            pub(crate) async fn import_projects(
                pool: &Pool<Db>,
                import: &ProjectImport,
                actor: &Actor,
                progress: Progress<'_>,
            ) -> Result<Vec<ProjectId>, StoreError> {
                let mut tx = begin_write(pool).await?;
                let version: i64 =
                    sqlx::query_scalar("SELECT version FROM data_version WHERE id = 1")
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(backend_error)?;
                if version != import.expected_version {
                    return Err(stale(import.expected_version, version));
                }
                let stored: HashMap<String, i64> =
                    sqlx::query_as::<_, (String, i64)>("SELECT code, id FROM projects")
                        .fetch_all(&mut *tx)
                        .await
                        .map_err(backend_error)?
                        .into_iter()
                        .collect();
                check_projects(import, &stored)?;
                // New units first, so the projects' references point at rows already there.
                let assigned;
                let import = if import.new_units.is_empty() {
                    import
                } else {
                    let first = next_id(&mut tx, "units").await?;
                    assigned = assign_unit_ids(import, first)?;
                    let units: Vec<&Unit> = assigned.new_units.iter().collect();
                    let mut n = 0;
                    insert_rows(
                        &mut tx,
                        "INSERT INTO units (id, kind, name, parent_id, active) ",
                        &units,
                        |mut b, u| {
                            b.push_bind(u.id.0)
                                .push_bind(u.kind.code())
                                .push_bind(u.name.clone())
                                .push_bind(u.parent.map(|x| x.0))
                                .push_bind(u.active);
                        },
                        &mut n,
                        0,
                        &no_progress,
                    )
                    .await?;
                    &assigned
                };

                let total = (import.new.len() + import.updated.len()) as u64;
                let mut done = 0;
                let first = next_id(&mut tx, "projects").await?;
                let mut next_milestone = next_id(&mut tx, "milestones").await?;
                let ids: Vec<ProjectId> = (first..).take(import.new.len()).map(ProjectId).collect();
                let new: Vec<(i64, &Project)> =
                    ids.iter().map(|id| id.0).zip(&import.new).collect();
                for chunk in new.chunks(CHUNK) {
                    let plans: Vec<(i64, &YearPlan)> = chunk
                        .iter()
                        .flat_map(|(id, p)| p.year_plans.iter().map(move |y| (*id, y)))
                        .collect();
                    let milestones: Vec<(i64, i64, &Milestone)> = chunk
                        .iter()
                        .flat_map(|(id, p)| p.milestones.iter().map(move |m| (*id, m)))
                        .map(|(pid, m)| {
                            let id = next_milestone;
                            next_milestone += 1;
                            (id, pid, m)
                        })
                        .collect();
                    insert_projects(&mut tx, chunk).await?;
                    insert_year_plans(&mut tx, &plans).await?;
                    insert_milestones(&mut tx, &milestones).await?;
                    done += chunk.len() as u64;
                    progress(done, total);
                    crate::crash::crash_point!("crash.04.import.midway");
                }
                for (p, _) in &import.updated {
                    replace_project(&mut tx, p, &mut next_milestone).await?;
                    done += 1;
                    progress(done, total);
                }

                append_audit_tx(&mut tx, audit_drafts(import, &ids, actor)).await?;
                // The bump is also the final check (see the module comment).
                let bumped = sqlx::query(
                    "UPDATE data_version SET version = version + 1 WHERE id = 1 AND version = $1",
                )
                .bind(import.expected_version)
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?
                .rows_affected();
                if bumped != 1 {
                    let now: i64 =
                        sqlx::query_scalar("SELECT version FROM data_version WHERE id = 1")
                            .fetch_one(&mut *tx)
                            .await
                            .map_err(backend_error)?;
                    return Err(stale(import.expected_version, now));
                }
                let change = Change {
                    units: !import.new_units.is_empty(),
                    projects: Touched::projects(
                        ids.iter().copied().chain(import.updated.iter().map(|(p, _)| p.id)),
                    ),
                    ..Change::default()
                };
                log_change(&mut tx, import.expected_version + 1, &change).await?;
                crate::crash::crash_point!("crash.05.import.before_commit");
                tx.commit().await.map_err(backend_error)?;
                crate::crash::crash_point!("crash.06.import.after_commit");
                Ok(ids)
            }
        }
    };
}

backend_ledger!(sqlite_ledger, sqlite_codec, sqlx::Sqlite);
backend_ledger!(postgres_ledger, postgres_codec, sqlx::Postgres);
