//! The annual plan's use cases: submit a unit's drafts, approve a year's plans (the baseline
//! frozen), request and decide plan changes (计划调整), carry unfinished projects into the next
//! year. The rules are `jianguan_domain::plan`'s; this module reads what they need and writes
//! through the [`PlanStore`].

use jianguan_audit::AuditAction;
use jianguan_domain::model::{
    Money, PlanKind, PlanStatus, Portfolio, Project, ProjectId, Unit, UnitKind, YearPlan,
};
use jianguan_domain::plan::{self, PlanChange, PlanChangeRequest, PlanChangeStatus, PlanError};
use jianguan_domain::store::{PlanDecision, Store, StoreError};

use crate::Clock;
use crate::assessment::{audit, change};

/// Why a plan use case did not happen.
#[derive(Debug, thiserror::Error)]
pub enum PlanUseError {
    /// The request breaks a rule (the field and what was expected, in Chinese).
    #[error("{0}")]
    Refused(#[from] PlanError),
    /// No such project, change or unit.
    #[error("{0}")]
    NotFound(String),
    /// Storage failed or refused.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Who acts: the account's name and its unit, if it has one.
#[derive(Debug, Clone, Copy)]
pub struct Who<'a> {
    /// The account (or `cli`).
    pub name: &'a str,
    /// Its unit.
    pub unit: Option<&'a Unit>,
}

impl Who<'_> {
    fn unit_name(&self) -> Option<String> {
        self.unit.map(|u| u.name.clone())
    }
}

/// Whether `unit` is one of `project`'s units: its district, lead unit, responsible unit or
/// sub-headquarters (the office is every project's).
pub fn concerns(project: &Project, unit: &Unit) -> bool {
    unit.kind == UnitKind::CommandHq
        || [
            project.district,
            project.lead_unit,
            project.responsible_unit,
            project.sub_hq,
        ]
        .contains(&unit.id)
}

/// The projects with a plan for `year`, of `unit` if one is given.
pub fn projects_of<'a>(
    portfolio: &'a Portfolio,
    year: i16,
    unit: Option<&'a Unit>,
) -> impl Iterator<Item = &'a Project> + 'a {
    portfolio
        .projects
        .iter()
        .map(|p| &**p)
        .filter(move |p| p.plan_for(year).is_some() && unit.is_none_or(|u| concerns(p, u)))
}

/// Moves the plans for `year` (of `unit`'s projects, or all) to `to`: submitted (a unit hands
/// its drafts to the office) or approved (the office freezes the baseline). Returns how many
/// plans changed; plans already there are left alone.
pub async fn set_status(
    store: &dyn Store,
    clock: Clock,
    portfolio: &Portfolio,
    year: i16,
    unit: Option<&Unit>,
    to: PlanStatus,
    by: Who<'_>,
) -> Result<usize, StoreError> {
    let ids: Vec<ProjectId> = projects_of(portfolio, year, unit)
        .filter(|p| p.plan_for(year).is_some_and(|y| y.status < to))
        .map(|p| p.id)
        .collect();
    if ids.is_empty() {
        return Ok(0);
    }
    let action = match to {
        PlanStatus::Approved => AuditAction::PlanApprove,
        _ => AuditAction::PlanSubmit,
    };
    let object = match unit {
        Some(u) => format!("plan:{year}:unit:{}", u.id),
        None => format!("plan:{year}"),
    };
    let mut record = audit(clock, by.name, by.unit_name(), action, object);
    record.changes = vec![
        change("状态", None, to.label()),
        change("项目数", None, ids.len()),
    ];
    if let Some(u) = unit {
        record.changes.push(change("单位", None, &u.name));
    }
    store.set_plan_status(year, &ids, to, &record).await
}

/// Records a plan change request after checking it against the project as stored (see
/// `plan::check_change`). The caller has checked that the requester may see the project.
pub async fn request_change(
    store: &dyn Store,
    clock: Clock,
    portfolio: &Portfolio,
    request: PlanChangeRequest,
    by: Who<'_>,
) -> Result<i64, PlanUseError> {
    let project = portfolio
        .project(request.project)
        .ok_or_else(|| PlanUseError::NotFound(format!("项目 {}", request.project)))?;
    if let Some(u) = by.unit
        && !concerns(project, u)
    {
        return Err(PlanError {
            field: "项目",
            message: format!(
                "「{}」不是该项目的县区、牵头单位或责任单位，不能申请调整",
                u.name
            ),
        }
        .into());
    }
    let pending = store.plan_changes(Some(request.year)).await?;
    plan::check_change(project, &request, &pending)?;
    let mut record = audit(
        clock,
        by.name,
        by.unit_name(),
        AuditAction::PlanChangeRequest,
        String::new(),
    );
    record.changes = vec![
        change("项目", None, &project.code),
        change("年度", None, request.year),
        change("调整类型", None, request.kind.label()),
        change("理由", None, &request.reason),
    ];
    let recorded = PlanChange {
        id: 0,
        request,
        requested_by: by.name.to_string(),
        requested_unit: by.unit.map(|u| u.id),
        requested_at_ms: clock.now_ms(),
        status: PlanChangeStatus::Pending,
        decided_by: None,
        decided_at_ms: None,
        decision_note: None,
    };
    Ok(store.request_plan_change(&recorded, &record).await?)
}

/// The office approves or rejects a pending change; on approval the adjusted plan is written in
/// the same transaction. A rejection needs a note saying why.
pub async fn decide_change(
    store: &dyn Store,
    clock: Clock,
    portfolio: &Portfolio,
    id: i64,
    approve: bool,
    note: &str,
    by: Who<'_>,
) -> Result<(), PlanUseError> {
    let changes = store.plan_changes(None).await?;
    let pending = changes
        .iter()
        .find(|c| c.id == id)
        .ok_or_else(|| PlanUseError::NotFound(format!("调整申请 {id}")))?;
    if !approve && note.trim().is_empty() {
        return Err(PlanError {
            field: "审批意见",
            message: "驳回须写明理由".into(),
        }
        .into());
    }
    let adjusted = if approve {
        let mut project = portfolio
            .project(pending.request.project)
            .ok_or_else(|| PlanUseError::NotFound(format!("项目 {}", pending.request.project)))?
            .clone();
        plan::apply_change(&mut project, &pending.request);
        Some(project)
    } else {
        None
    };
    let mut record = audit(
        clock,
        by.name,
        by.unit_name(),
        AuditAction::PlanChangeDecide,
        format!("plan_change:{id}"),
    );
    record.changes = vec![
        change(
            "状态",
            Some(pending.status.label().into()),
            if approve {
                PlanChangeStatus::Approved.label()
            } else {
                PlanChangeStatus::Rejected.label()
            },
        ),
        change("审批意见", None, note),
    ];
    let decision = PlanDecision {
        id,
        approved: approve,
        decided_by: by.name.to_string(),
        at_ms: clock.now_ms(),
        note: note.to_string(),
        adjusted,
    };
    store.decide_plan_change(&decision, &record).await?;
    Ok(())
}

/// Carries the unfinished projects of `year` into `year + 1` (see `plan::carry_over`): each
/// gets a draft plan for the new year — construction if its last milestone is planned within
/// it, else preliminary/cross-year — with the investment not yet planned (zero) for its unit to
/// fill in. Their remaining milestones stay as they are. Returns how many were carried.
pub async fn carry_over(
    store: &dyn Store,
    clock: Clock,
    portfolio: &Portfolio,
    year: i16,
    by: &str,
) -> Result<usize, StoreError> {
    let next = year + 1;
    let next_end = jianguan_domain::Date::new(next, 12, 31).expect("31 December exists");
    let plans: Vec<(ProjectId, YearPlan)> = plan::carry_over(portfolio, year)
        .into_iter()
        .filter_map(|id| portfolio.project(id))
        .map(|p| {
            let kind = if p
                .milestones
                .last()
                .is_some_and(|m| m.adjusted_or_planned() <= next_end)
            {
                PlanKind::Construction
            } else {
                PlanKind::Preliminary
            };
            let mut y = YearPlan::approved(next, kind, Money(0));
            y.status = PlanStatus::Draft;
            (p.id, y)
        })
        .collect();
    if plans.is_empty() {
        return Ok(0);
    }
    let mut record = audit(
        clock,
        by,
        None,
        AuditAction::PlanCarryOver,
        format!("plan:{next}"),
    );
    record.changes = vec![
        change("自年度", None, year),
        change("项目数", None, plans.len()),
    ];
    store.add_year_plans(&plans, &record).await
}
