//! The cadence's records: warning events, tracked items with their events, report filing with
//! photos, and versioned settings. Written once in a macro expanded per backend, like
//! [`crate::codec`], whose write transaction and audit chain it shares.

use std::collections::HashMap;

use jianguan_domain::acts::{ActKind, Dismissal};
use jianguan_domain::followup::{
    EscalationLevel, IssuedAct, ItemAction, ItemEvent, ItemId, ItemKind, TrackedItem,
};
use jianguan_domain::model::*;
use jianguan_domain::store::StoreError;
use jianguan_domain::warnings::{WarningEvent, WarningLevel};

use crate::codec::{CHUNK, parse_date, unknown};

fn level(text: Option<String>) -> Result<Option<WarningLevel>, StoreError> {
    text.map(|t| match t.as_str() {
        // Before issue 13 the ladder had rungs above 警示 (督办, 约谈) that are now acts the
        // office issues; the history stays as recorded and reads as the 警示 it was.
        "supervised" | "summoned" => Ok(WarningLevel::Warning),
        _ => WarningLevel::from_code(&t).ok_or_else(|| unknown("warning level", &t)),
    })
    .transpose()
}

fn action_json(action: &ItemAction) -> String {
    serde_json::to_string(action).expect("an action serialises")
}

fn action_from_json(text: &str) -> Result<ItemAction, StoreError> {
    serde_json::from_str(text)
        .map_err(|e| crate::codec::unreadable(format!("item event `{text}` is not an action: {e}")))
}

/// A `warning_events` row.
#[derive(sqlx::FromRow)]
struct WarningRow {
    id: i64,
    project_id: i64,
    milestone_id: i64,
    unit_id: i64,
    district_id: i64,
    on_date: String,
    previous_level: Option<String>,
    level: Option<String>,
    reason: String,
    rules_version: i64,
}

impl WarningRow {
    fn into_event(self) -> Result<WarningEvent, StoreError> {
        Ok(WarningEvent {
            id: self.id,
            project: ProjectId(self.project_id),
            milestone: MilestoneId(self.milestone_id),
            unit: UnitId(self.unit_id),
            district: UnitId(self.district_id),
            on: parse_date(&self.on_date, "warning day")?,
            previous: level(self.previous_level)?,
            level: level(self.level)?,
            reason: self.reason,
            rules_version: self.rules_version as u32,
        })
    }
}

/// A `tracked_items` row (its events and act are read separately).
#[derive(sqlx::FromRow)]
struct ItemRow {
    id: i64,
    kind: String,
    title: String,
    detail: String,
    project_id: Option<i64>,
    district_id: Option<i64>,
    owner_id: i64,
    issuer_id: i64,
    bodies: String,
    topic: String,
    source: String,
    opened_on: String,
    deadline_on: String,
    level: String,
}

impl ItemRow {
    fn into_item(self) -> Result<TrackedItem, StoreError> {
        let id = self.id;
        let bodies = &self.bodies;
        Ok(TrackedItem {
            id: ItemId(id),
            kind: ItemKind::from_code(&self.kind)
                .ok_or_else(|| unknown("item kind", &self.kind))?,
            bodies: serde_json::from_str(bodies).map_err(|e| {
                crate::codec::unreadable(format!("item {id} bodies `{bodies}`: {e}"))
            })?,
            opened_on: parse_date(&self.opened_on, "item opened")?,
            deadline: parse_date(&self.deadline_on, "item deadline")?,
            level: EscalationLevel::from_code(&self.level)
                .ok_or_else(|| unknown("escalation level", &self.level))?,
            title: self.title,
            detail: self.detail,
            project: self.project_id.map(ProjectId),
            district: self.district_id.map(UnitId),
            owner: UnitId(self.owner_id),
            issuer: UnitId(self.issuer_id),
            topic: self.topic,
            source: self.source,
            events: Vec::new(),
            act: None,
        })
    }
}

/// An `item_events` row: (item id, event).
#[derive(sqlx::FromRow)]
struct ItemEventRow {
    item_id: i64,
    on_date: String,
    unit_id: i64,
    by_name: String,
    action: String,
}

impl ItemEventRow {
    fn into_event(self) -> Result<(i64, ItemEvent), StoreError> {
        Ok((
            self.item_id,
            ItemEvent {
                on: parse_date(&self.on_date, "item event day")?,
                unit: UnitId(self.unit_id),
                by: self.by_name,
                action: action_from_json(&self.action)?,
            },
        ))
    }
}

/// A filing: one report version's key and day.
#[derive(sqlx::FromRow)]
struct FiledRow {
    project_id: i64,
    period_id: i64,
    version: i64,
    filed_on: String,
}

impl FiledRow {
    fn into_filed(self) -> Result<jianguan_domain::filing::Filed, StoreError> {
        Ok(jianguan_domain::filing::Filed {
            project: ProjectId(self.project_id),
            period: PeriodId(self.period_id),
            version: self.version as u16,
            filed_on: parse_date(&self.filed_on, "report filed")?,
        })
    }
}

macro_rules! backend_cadence {
    ($module:ident, $codec:ident, $db:ty) => {
        pub(crate) mod $module {
            use super::*;
            use crate::codec::$codec::{append_audit_tx, begin_write, bump_data_version, next_id};
            use jianguan_domain::change::Change;
            use crate::backend_error;
            use futures_util::TryStreamExt;
            use jianguan_audit::AuditDraft;
            use jianguan_domain::filing::Filed;
            use jianguan_domain::store::{
                CadenceRecords, CadenceWrite, PhotoRef, SettingVersion,
            };
            use sqlx::{Pool, QueryBuilder, Row};

            type Db = $db;


            /// The warnings and tracked items.
            pub(crate) async fn load_cadence(
                pool: &Pool<Db>,
            ) -> Result<CadenceRecords, StoreError> {
                let mut warnings = Vec::new();
                let mut rows = sqlx::query_as::<_, WarningRow>(
                    "SELECT id, project_id, milestone_id, unit_id, district_id, on_date, \
                     previous_level, level, reason, rules_version FROM warning_events \
                     ORDER BY on_date, id",
                )
                .fetch(pool);
                while let Some(r) = rows.try_next().await.map_err(backend_error)? {
                    warnings.push(r.into_event()?);
                }
                drop(rows);

                let rows: Vec<ItemRow> = sqlx::query_as(
                    "SELECT id, kind, title, detail, project_id, district_id, owner_id, issuer_id, \
                     bodies, topic, source, opened_on, deadline_on, level FROM tracked_items \
                     ORDER BY id",
                )
                .fetch_all(pool)
                .await
                .map_err(backend_error)?;
                let mut items = Vec::with_capacity(rows.len());
                let mut index: HashMap<i64, usize> = HashMap::new();
                for r in rows {
                    index.insert(r.id, items.len());
                    items.push(r.into_item()?);
                }
                let rows: Vec<ItemEventRow> = sqlx::query_as(
                    "SELECT item_id, on_date, unit_id, by_name, action FROM item_events \
                     ORDER BY item_id, seq",
                )
                .fetch_all(pool)
                .await
                .map_err(backend_error)?;
                for r in rows {
                    let (item, event) = r.into_event()?;
                    let Some(i) = index.get(&item) else { continue };
                    items[*i].events.push(event);
                }

                let rows = sqlx::query(
                    "SELECT item_id, document_number, projects, attendees, minutes, proposal_key \
                     FROM item_acts ORDER BY item_id",
                )
                .fetch_all(pool)
                .await
                .map_err(backend_error)?;
                for r in rows {
                    let item: i64 = r.try_get("item_id").map_err(backend_error)?;
                    let projects: String = r.try_get("projects").map_err(backend_error)?;
                    let Some(i) = index.get(&item) else { continue };
                    let projects: Vec<i64> = serde_json::from_str(&projects).map_err(|e| {
                        crate::codec::unreadable(format!("act {item} projects `{projects}`: {e}"))
                    })?;
                    items[*i].act = Some(IssuedAct {
                        document_number: r.try_get("document_number").map_err(backend_error)?,
                        projects: projects.into_iter().map(ProjectId).collect(),
                        attendees: r.try_get("attendees").map_err(backend_error)?,
                        minutes: r.try_get("minutes").map_err(backend_error)?,
                        proposal: r.try_get("proposal_key").map_err(backend_error)?,
                    });
                }
                let rows = sqlx::query(
                    "SELECT id, proposal_key, act, unit_id, on_date, by_name, reason \
                     FROM act_dismissals ORDER BY id",
                )
                .fetch_all(pool)
                .await
                .map_err(backend_error)?;
                let mut dismissals = Vec::with_capacity(rows.len());
                for r in rows {
                    let act: String = r.try_get("act").map_err(backend_error)?;
                    let on: String = r.try_get("on_date").map_err(backend_error)?;
                    dismissals.push(Dismissal {
                        id: r.try_get("id").map_err(backend_error)?,
                        key: r.try_get("proposal_key").map_err(backend_error)?,
                        act: ActKind::from_code(&act).ok_or_else(|| unknown("act", &act))?,
                        unit: UnitId(r.try_get("unit_id").map_err(backend_error)?),
                        on: parse_date(&on, "dismissal day")?,
                        by: r.try_get("by_name").map_err(backend_error)?,
                        reason: r.try_get("reason").map_err(backend_error)?,
                    });
                }

                Ok(CadenceRecords {
                    warnings,
                    items,
                    dismissals,
                })
            }

            pub(crate) async fn load_filings(
                pool: &Pool<Db>,
                period: PeriodId,
            ) -> Result<Vec<Filed>, StoreError> {
                sqlx::query_as::<_, FiledRow>(
                    "SELECT project_id, period_id, version, filed_on FROM progress_reports \
                     WHERE period_id = $1 ORDER BY project_id, version",
                )
                .bind(period.0)
                .fetch_all(pool)
                .await
                .map_err(backend_error)?
                .into_iter()
                .map(FiledRow::into_filed)
                .collect()
            }

            pub(crate) async fn load_filings_of(
                pool: &Pool<Db>,
                period: PeriodId,
                projects: &[ProjectId],
                after: u16,
            ) -> Result<Vec<Filed>, StoreError> {
                let mut filed = Vec::new();
                for chunk in projects.chunks(CHUNK) {
                    let ids: Vec<i64> = chunk.iter().map(|p| p.0).collect();
                    // Both numbers are ours, not input: written into the text, so that the list
                    // binds from $1.
                    let head = format!(
                        "SELECT project_id, period_id, version, filed_on FROM progress_reports \
                         WHERE period_id = {} AND version > {after} AND project_id IN (",
                        period.0
                    );
                    for row in crate::codec::$codec::in_list(head, &ids, " ORDER BY project_id, version")
                        .build_query_as::<FiledRow>()
                        .fetch_all(pool)
                        .await
                        .map_err(backend_error)?
                    {
                        filed.push(row.into_filed()?);
                    }
                }
                Ok(filed)
            }


            async fn insert_item_events(
                tx: &mut crate::codec::$codec::WriteTx,
                rows: &[(i64, i64, &ItemEvent)],
            ) -> Result<(), StoreError> {
                for chunk in rows.chunks(CHUNK) {
                    let mut qb: QueryBuilder<Db> = QueryBuilder::new(
                        "INSERT INTO item_events (item_id, seq, on_date, unit_id, by_name, action) ",
                    );
                    qb.push_values(chunk, |mut b, (item, seq, e)| {
                        b.push_bind(*item)
                            .push_bind(*seq)
                            .push_bind(e.on.to_string())
                            .push_bind(e.unit.0)
                            .push_bind(e.by.clone())
                            .push_bind(action_json(&e.action));
                    });
                    qb.build().execute(&mut **tx).await.map_err(backend_error)?;
                }
                Ok(())
            }

            /// Inserts new tracked items (ids given where 0, after the largest), their acts and
            /// their events, inside the caller's transaction; returns the ids, in order.
            async fn insert_new_items(
                tx: &mut crate::codec::$codec::WriteTx,
                new_items: &[TrackedItem],
            ) -> Result<Vec<ItemId>, StoreError> {
                if new_items.is_empty() {
                    return Ok(Vec::new());
                }
                let mut next_item = next_id(tx, "tracked_items").await?;
                let mut ids = Vec::with_capacity(new_items.len());
                for item in new_items {
                    let id = if item.id.0 > 0 { item.id.0 } else { next_item };
                    next_item = next_item.max(id + 1);
                    ids.push(ItemId(id));
                }
                let items: Vec<(i64, &TrackedItem)> =
                    ids.iter().map(|i| i.0).zip(new_items).collect();
                for chunk in items.chunks(CHUNK) {
                    let mut qb: QueryBuilder<Db> = QueryBuilder::new(
                        "INSERT INTO tracked_items (id, kind, title, detail, project_id, \
                         district_id, owner_id, issuer_id, bodies, topic, source, opened_on, \
                         deadline_on, level) ",
                    );
                    qb.push_values(chunk, |mut b, (id, i)| {
                        b.push_bind(*id)
                            .push_bind(i.kind.code())
                            .push_bind(i.title.clone())
                            .push_bind(i.detail.clone())
                            .push_bind(i.project.map(|p| p.0))
                            .push_bind(i.district.map(|d| d.0))
                            .push_bind(i.owner.0)
                            .push_bind(i.issuer.0)
                            .push_bind(serde_json::to_string(&i.bodies).expect("strings serialise"))
                            .push_bind(i.topic.clone())
                            .push_bind(i.source.clone())
                            .push_bind(i.opened_on.to_string())
                            .push_bind(i.deadline.to_string())
                            .push_bind(i.level.code());
                    });
                    qb.build().execute(&mut **tx).await.map_err(backend_error)?;
                }
                for (id, i) in &items {
                    let Some(act) = &i.act else { continue };
                    let projects: Vec<i64> = act.projects.iter().map(|p| p.0).collect();
                    sqlx::query(
                        "INSERT INTO item_acts (item_id, document_number, projects, attendees, \
                         minutes, proposal_key) VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(*id)
                    .bind(act.document_number.clone())
                    .bind(serde_json::to_string(&projects).expect("ids serialise"))
                    .bind(act.attendees.clone())
                    .bind(act.minutes.clone())
                    .bind(act.proposal.clone())
                    .execute(&mut **tx)
                    .await
                    .map_err(backend_error)?;
                }
                let events: Vec<(i64, i64, &ItemEvent)> = items
                    .iter()
                    .flat_map(|(id, i)| {
                        i.events.iter().enumerate().map(move |(k, e)| (*id, k as i64 + 1, e))
                    })
                    .collect();
                insert_item_events(tx, &events).await?;
                Ok(ids)
            }

            pub(crate) async fn record_cadence(
                pool: &Pool<Db>,
                write: &CadenceWrite,
                audit: &[AuditDraft],
            ) -> Result<Vec<ItemId>, StoreError> {
                let mut tx = begin_write(pool).await?;
                let mut next_warning = next_id(&mut tx, "warning_events").await?;
                let warnings: Vec<(i64, &WarningEvent)> = write
                    .warnings
                    .iter()
                    .map(|w| {
                        let id = if w.id > 0 { w.id } else { next_warning };
                        next_warning = next_warning.max(id + 1);
                        (id, w)
                    })
                    .collect();
                for chunk in warnings.chunks(CHUNK) {
                    let mut qb: QueryBuilder<Db> = QueryBuilder::new(
                        "INSERT INTO warning_events (id, project_id, milestone_id, unit_id, \
                         district_id, on_date, previous_level, level, reason, rules_version) ",
                    );
                    qb.push_values(chunk, |mut b, (id, w)| {
                        b.push_bind(*id)
                            .push_bind(w.project.0)
                            .push_bind(w.milestone.0)
                            .push_bind(w.unit.0)
                            .push_bind(w.district.0)
                            .push_bind(w.on.to_string())
                            .push_bind(w.previous.map(|l| l.code()))
                            .push_bind(w.level.map(|l| l.code()))
                            .push_bind(w.reason.clone())
                            .push_bind(i64::from(w.rules_version));
                    });
                    qb.build().execute(&mut *tx).await.map_err(backend_error)?;
                }

                let ids = insert_new_items(&mut tx, &write.new_items).await?;
                if !write.dismissals.is_empty() {
                    let mut next = next_id(&mut tx, "act_dismissals").await?;
                    for d in &write.dismissals {
                        let id = if d.id > 0 { d.id } else { next };
                        next = next.max(id + 1);
                        sqlx::query(
                            "INSERT INTO act_dismissals (id, proposal_key, act, unit_id, on_date, \
                             by_name, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                        )
                        .bind(id)
                        .bind(d.key.clone())
                        .bind(d.act.code())
                        .bind(d.unit.0)
                        .bind(d.on.to_string())
                        .bind(d.by.clone())
                        .bind(d.reason.clone())
                        .execute(&mut *tx)
                        .await
                        .map_err(backend_error)?;
                    }
                }
                let mut events: Vec<(i64, i64, &ItemEvent)> = Vec::new();
                // Appended events follow the item's last stored one.
                let mut seqs: HashMap<i64, i64> = HashMap::new();
                for (item, e) in &write.item_events {
                    let seq = match seqs.get(&item.0) {
                        Some(s) => *s + 1,
                        None => {
                            let max: Option<i64> = sqlx::query_scalar(
                                "SELECT MAX(seq) FROM item_events WHERE item_id = $1",
                            )
                            .bind(item.0)
                            .fetch_one(&mut *tx)
                            .await
                            .map_err(backend_error)?;
                            max.unwrap_or(0) + 1
                        }
                    };
                    seqs.insert(item.0, seq);
                    events.push((item.0, seq, e));
                }
                insert_item_events(&mut tx, &events).await?;
                append_audit_tx(&mut tx, audit.to_vec()).await?;
                bump_data_version(&mut tx, &Change::cadence()).await?;
                tx.commit().await.map_err(backend_error)?;
                Ok(ids)
            }

            pub(crate) async fn file_report(
                pool: &Pool<Db>,
                report: &ProgressReport,
                photos: &[PhotoRef],
                audit: &AuditDraft,
                tickets: &[TrackedItem],
                ticket_audit: &[AuditDraft],
            ) -> Result<ReportId, StoreError> {
                if tickets.len() != ticket_audit.len() {
                    return Err(StoreError::Invalid(
                        "each ticket opened with a report needs its audit record".into(),
                    ));
                }
                let mut tx = begin_write(pool).await?;
                let id = next_id(&mut tx, "progress_reports").await?;
                sqlx::query(
                    "INSERT INTO progress_reports (id, project_id, period_id, version, filed_on, \
                     investment_to_date, note, correction_reason) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(id)
                .bind(report.project.0)
                .bind(report.period.0)
                .bind(i64::from(report.version))
                .bind(report.filed_on.to_string())
                .bind(report.investment_to_date.0)
                .bind(report.note.clone())
                .bind(report.correction_reason.clone())
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?;
                crate::crash::crash_point!("crash.01.filing.after_report_insert");
                for (m, on) in &report.milestones_reached {
                    sqlx::query(
                        "INSERT INTO report_milestones (report_id, milestone_id, reached_on) \
                         VALUES ($1, $2, $3)",
                    )
                    .bind(id)
                    .bind(m.0)
                    .bind(on.to_string())
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_error)?;
                    let updated = sqlx::query(
                        "UPDATE milestones SET actual_on = $1 WHERE id = $2 AND project_id = $3",
                    )
                    .bind(on.to_string())
                    .bind(m.0)
                    .bind(report.project.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_error)?;
                    if updated.rows_affected() != 1 {
                        return Err(StoreError::Invalid(format!(
                            "milestone {m} is not one of project {}",
                            report.project
                        )));
                    }
                }
                // This version replaces its period's whole report: every milestone any version
                // of the period named takes the date the current versions of the project's
                // reports give it, or none (a correction that no longer names a milestone
                // withdraws it). The rule of `jianguan_domain::filing::reached_in_reports`.
                sqlx::query(
                    "UPDATE milestones SET actual_on = ( \
                         SELECT MIN(rm.reached_on) FROM report_milestones rm \
                         JOIN progress_reports r ON r.id = rm.report_id \
                         WHERE rm.milestone_id = milestones.id AND r.project_id = $1 \
                         AND r.version = (SELECT MAX(v.version) FROM progress_reports v \
                             WHERE v.project_id = r.project_id AND v.period_id = r.period_id)) \
                     WHERE project_id = $1 AND id IN ( \
                         SELECT rm.milestone_id FROM report_milestones rm \
                         JOIN progress_reports r ON r.id = rm.report_id \
                         WHERE r.project_id = $1 AND r.period_id = $2)",
                )
                .bind(report.project.0)
                .bind(report.period.0)
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?;
                for (i, p) in report.problems.iter().enumerate() {
                    sqlx::query(
                        "INSERT INTO report_problems (report_id, seq, description, \
                         needs_coordination_with) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(id)
                    .bind(i as i64 + 1)
                    .bind(p.description.clone())
                    .bind(p.needs_coordination_with.clone())
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_error)?;
                }
                for photo in photos {
                    sqlx::query(
                        "INSERT INTO report_photos (report_id, sha256, mime, bytes) \
                         VALUES ($1, $2, $3, $4)",
                    )
                    .bind(id)
                    .bind(photo.sha256.clone())
                    .bind(photo.mime.clone())
                    .bind(photo.bytes)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_error)?;
                }
                let ticket_ids = insert_new_items(&mut tx, tickets).await?;
                let mut audit = audit.clone();
                audit.object = format!("report:{id}");
                let mut records = vec![audit];
                records.extend(ticket_ids.iter().zip(ticket_audit).map(|(item, a)| {
                    let mut a = a.clone();
                    a.object = format!("item:{item} report:{id}");
                    a
                }));
                append_audit_tx(&mut tx, records).await?;
                bump_data_version(&mut tx, &Change::filing(report.project, report.period, !tickets.is_empty()))
                    .await?;
                crate::crash::crash_point!("crash.02.filing.before_commit");
                tx.commit().await.map_err(backend_error)?;
                crate::crash::crash_point!("crash.03.filing.after_commit");
                Ok(ReportId(id))
            }

            pub(crate) async fn report_photos(
                pool: &Pool<Db>,
                report: ReportId,
            ) -> Result<Vec<PhotoRef>, StoreError> {
                let rows = sqlx::query(
                    "SELECT sha256, mime, bytes FROM report_photos WHERE report_id = $1 \
                     ORDER BY sha256",
                )
                .bind(report.0)
                .fetch_all(pool)
                .await
                .map_err(backend_error)?;
                rows.iter()
                    .map(|r| {
                        Ok(PhotoRef {
                            sha256: r.try_get("sha256").map_err(backend_error)?,
                            mime: r.try_get("mime").map_err(backend_error)?,
                            bytes: r.try_get("bytes").map_err(backend_error)?,
                        })
                    })
                    .collect()
            }

            fn setting_from_row(
                r: &<Db as sqlx::Database>::Row,
            ) -> Result<SettingVersion, StoreError> {
                Ok(SettingVersion {
                    key: r.try_get("key").map_err(backend_error)?,
                    version: r.try_get("version").map_err(backend_error)?,
                    body: r.try_get("body").map_err(backend_error)?,
                    saved_at_ms: r.try_get("saved_at_ms").map_err(backend_error)?,
                    saved_by: r.try_get("saved_by").map_err(backend_error)?,
                })
            }

            pub(crate) async fn setting(
                pool: &Pool<Db>,
                key: &str,
            ) -> Result<Option<SettingVersion>, StoreError> {
                sqlx::query(
                    "SELECT key, version, body, saved_at_ms, saved_by FROM settings \
                     WHERE key = $1 ORDER BY version DESC LIMIT 1",
                )
                .bind(key.to_string())
                .fetch_optional(pool)
                .await
                .map_err(backend_error)?
                .as_ref()
                .map(setting_from_row)
                .transpose()
            }

            pub(crate) async fn save_setting(
                pool: &Pool<Db>,
                key: &str,
                body: &str,
                saved_by: &str,
                audit: &AuditDraft,
            ) -> Result<SettingVersion, StoreError> {
                let mut tx = begin_write(pool).await?;
                let latest: Option<i64> =
                    sqlx::query_scalar("SELECT MAX(version) FROM settings WHERE key = $1")
                        .bind(key.to_string())
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(backend_error)?;
                let saved = SettingVersion {
                    key: key.to_string(),
                    version: latest.unwrap_or(0) + 1,
                    body: body.to_string(),
                    saved_at_ms: crate::now_ms(),
                    saved_by: saved_by.to_string(),
                };
                sqlx::query(
                    "INSERT INTO settings (key, version, body, saved_at_ms, saved_by) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(saved.key.clone())
                .bind(saved.version)
                .bind(saved.body.clone())
                .bind(saved.saved_at_ms)
                .bind(saved.saved_by.clone())
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?;
                append_audit_tx(&mut tx, vec![audit.clone()]).await?;
                bump_data_version(&mut tx, &Change::cadence()).await?;
                tx.commit().await.map_err(backend_error)?;
                Ok(saved)
            }
        }
    };
}

backend_cadence!(sqlite_cadence, sqlite_codec, sqlx::Sqlite);
backend_cadence!(postgres_cadence, postgres_codec, sqlx::Postgres);
