//! The annual plan's life: prepared as a draft by a district or lead unit, submitted, approved by
//! the office — which freezes the baseline — and afterwards changed only through a plan change
//! (计划调整) that a unit requests with a reason and the office approves or rejects. The baseline
//! stays as approved (`Milestone::planned`, `YearPlan::planned_investment`); an approved change
//! sets the adjusted plan beside it (`Milestone::adjusted`, `YearPlan::adjusted_investment`,
//! `YearPlan::cancelled_on`, `Project::suspended_on`). Rates read the baseline by default and the
//! adjusted plan through [`adjusted_portfolio`].
//!
//! The speech names a county that "随意调整改造计划": how often a district and a unit change
//! their plans is an indicator ([`adjustment_counts`]).

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::model::{
    Milestone, MilestoneId, Money, PlanStatus, Portfolio, Project, ProjectId, UnitId,
};

/// What a plan change changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanChangeKind {
    /// 调整节点日期: new planned dates for milestones not yet reached.
    Dates,
    /// 调整建设内容: the scope, recorded as text.
    Scope,
    /// 调整年度投资: the year's planned investment.
    Investment,
    /// 暂缓: the project is suspended from a day.
    Suspension,
    /// 取消: the year's plan is cancelled from a day.
    Cancellation,
}

impl PlanChangeKind {
    /// Every kind.
    pub const ALL: [PlanChangeKind; 5] = [
        PlanChangeKind::Dates,
        PlanChangeKind::Scope,
        PlanChangeKind::Investment,
        PlanChangeKind::Suspension,
        PlanChangeKind::Cancellation,
    ];

    /// Stable code for storage, forms and the API.
    pub fn code(self) -> &'static str {
        match self {
            PlanChangeKind::Dates => "dates",
            PlanChangeKind::Scope => "scope",
            PlanChangeKind::Investment => "investment",
            PlanChangeKind::Suspension => "suspension",
            PlanChangeKind::Cancellation => "cancellation",
        }
    }

    /// Parses [`PlanChangeKind::code`].
    pub fn from_code(code: &str) -> Option<PlanChangeKind> {
        PlanChangeKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            PlanChangeKind::Dates => "调整节点日期",
            PlanChangeKind::Scope => "调整建设内容",
            PlanChangeKind::Investment => "调整年度投资",
            PlanChangeKind::Suspension => "暂缓",
            PlanChangeKind::Cancellation => "取消",
        }
    }
}

/// What a unit asks to change in an approved plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanChangeRequest {
    /// The project.
    pub project: ProjectId,
    /// The plan's year.
    pub year: i16,
    /// What is changed.
    pub kind: PlanChangeKind,
    /// Why (required).
    pub reason: String,
    /// For [`PlanChangeKind::Dates`]: the new planned date per milestone.
    #[serde(default)]
    pub dates: Vec<(MilestoneId, Date)>,
    /// For [`PlanChangeKind::Investment`]: the year's new planned investment.
    #[serde(default)]
    pub investment: Option<Money>,
    /// For [`PlanChangeKind::Suspension`] and [`PlanChangeKind::Cancellation`]: from which day.
    #[serde(default)]
    pub effective_on: Option<Date>,
    /// For [`PlanChangeKind::Scope`]: the new scope, in words.
    #[serde(default)]
    pub scope: Option<String>,
    /// Names of the supporting documents (批复, 会议纪要 …) attached.
    #[serde(default)]
    pub attachments: Vec<String>,
}

/// Where a plan change is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanChangeStatus {
    /// 待审批.
    Pending,
    /// 已批准: the adjusted plan carries it.
    Approved,
    /// 已驳回.
    Rejected,
}

impl PlanChangeStatus {
    /// Stable code for storage.
    pub fn code(self) -> &'static str {
        match self {
            PlanChangeStatus::Pending => "pending",
            PlanChangeStatus::Approved => "approved",
            PlanChangeStatus::Rejected => "rejected",
        }
    }

    /// Parses [`PlanChangeStatus::code`].
    pub fn from_code(code: &str) -> Option<PlanChangeStatus> {
        [
            PlanChangeStatus::Pending,
            PlanChangeStatus::Approved,
            PlanChangeStatus::Rejected,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            PlanChangeStatus::Pending => "待审批",
            PlanChangeStatus::Approved => "已批准",
            PlanChangeStatus::Rejected => "已驳回",
        }
    }
}

/// A plan change as recorded: the request, who asked, and the decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanChange {
    /// Identity.
    pub id: i64,
    /// What was asked.
    pub request: PlanChangeRequest,
    /// Who asked.
    pub requested_by: String,
    /// The unit that asked, if the account has one.
    pub requested_unit: Option<UnitId>,
    /// When, in milliseconds since the epoch.
    pub requested_at_ms: i64,
    /// Pending, approved or rejected.
    pub status: PlanChangeStatus,
    /// Who decided.
    pub decided_by: Option<String>,
    /// When, in milliseconds since the epoch.
    pub decided_at_ms: Option<i64>,
    /// The office's note on its decision.
    pub decision_note: Option<String>,
}

/// Why a plan step or change is refused: the field and what was expected, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}：{message}")]
pub struct PlanError {
    /// The field at fault, in the form's words.
    pub field: &'static str,
    /// What was expected.
    pub message: String,
}

fn refuse(field: &'static str, message: impl Into<String>) -> PlanError {
    PlanError {
        field,
        message: message.into(),
    }
}

/// The day (China time, UTC+8) a change was requested.
pub fn requested_on(change: &PlanChange) -> Date {
    let days = (change.requested_at_ms + 8 * 3_600_000).div_euclid(86_400_000);
    Date::constant(1970, 1, 1)
        .checked_add(jiff::Span::new().days(days))
        .unwrap_or(Date::MAX)
}

/// Checks a plan change request against the project as stored: the year's plan must be
/// approved (a draft is edited directly), the reason given, and the kind's content sound —
/// dates only for milestones of the project not yet reached, in sequence with the others; an
/// investment not negative; a day for a suspension or cancellation; words for a scope change.
/// A second pending change of the same kind for the same plan is refused.
pub fn check_change(
    project: &Project,
    request: &PlanChangeRequest,
    pending: &[PlanChange],
) -> Result<(), PlanError> {
    let plan = project
        .plan_for(request.year)
        .ok_or_else(|| refuse("年度", format!("项目没有 {} 年的计划", request.year)))?;
    if plan.status != PlanStatus::Approved {
        return Err(refuse(
            "年度计划",
            format!(
                "{} 年计划尚未批准（{}），不能申请计划调整；草拟中的计划请直接修改",
                request.year,
                plan.status.label()
            ),
        ));
    }
    if plan.cancelled_on.is_some() {
        return Err(refuse("年度计划", "该年度计划已取消"));
    }
    if request.reason.trim().is_empty() {
        return Err(refuse("调整理由", "必填：请说明调整的原因"));
    }
    if request.reason.chars().count() > 2000 {
        return Err(refuse("调整理由", "不超过 2000 字"));
    }
    if pending.iter().any(|c| {
        c.status == PlanChangeStatus::Pending
            && c.request.project == request.project
            && c.request.year == request.year
            && c.request.kind == request.kind
    }) {
        return Err(refuse(
            "调整类型",
            format!("该项目已有一项待审批的「{}」申请", request.kind.label()),
        ));
    }
    match request.kind {
        PlanChangeKind::Dates => check_dates(project, &request.dates),
        PlanChangeKind::Investment => match request.investment {
            None => Err(refuse(
                "调整后年度投资",
                "必填：调整后的年度计划投资（万元）",
            )),
            Some(m) if m.0 < 0 => Err(refuse("调整后年度投资", "不得为负数")),
            Some(_) => Ok(()),
        },
        PlanChangeKind::Suspension | PlanChangeKind::Cancellation => {
            if request.effective_on.is_none() {
                Err(refuse("生效日期", "必填：自哪一天起"))
            } else if request.kind == PlanChangeKind::Suspension && project.suspended_on.is_some() {
                Err(refuse("调整类型", "项目已暂缓"))
            } else {
                Ok(())
            }
        }
        PlanChangeKind::Scope => match &request.scope {
            Some(s) if !s.trim().is_empty() => Ok(()),
            _ => Err(refuse("调整后建设内容", "必填：调整后的建设内容")),
        },
    }
}

fn check_dates(project: &Project, dates: &[(MilestoneId, Date)]) -> Result<(), PlanError> {
    if dates.is_empty() {
        return Err(refuse("节点日期", "至少调整一个节点的计划日期"));
    }
    let mut proposed: Vec<(&Milestone, Date)> = Vec::new();
    for (id, date) in dates {
        let m = project
            .milestones
            .iter()
            .find(|m| m.id == *id)
            .ok_or_else(|| refuse("节点", format!("节点 {id} 不属于该项目")))?;
        if m.actual.is_some() {
            return Err(refuse(
                "节点日期",
                format!("节点「{}」已完成，不能调整计划日期", m.name),
            ));
        }
        proposed.push((m, *date));
    }
    // The adjusted plan must still run in sequence.
    let mut previous: Option<(&str, Date)> = None;
    for m in &project.milestones {
        let date = proposed
            .iter()
            .find(|(p, _)| p.id == m.id)
            .map_or(m.adjusted_or_planned(), |(_, d)| *d);
        if let Some((name, before)) = previous
            && date < before
        {
            return Err(refuse(
                "节点日期",
                format!(
                    "节点「{}」调整后为 {date}，早于上一节点「{name}」的 {before}",
                    m.name
                ),
            ));
        }
        previous = Some((m.name.as_str(), date));
    }
    Ok(())
}

/// What approving `request` does to `project` (a copy to be stored): dates → the milestones'
/// adjusted dates, investment → the year's adjusted investment, suspension → the project's
/// suspension day, cancellation → the year's cancellation day. A scope change is recorded only.
/// The baseline is left as it was.
pub fn apply_change(project: &mut Project, request: &PlanChangeRequest) {
    match request.kind {
        PlanChangeKind::Dates => {
            for (id, date) in &request.dates {
                if let Some(m) = project.milestones.iter_mut().find(|m| m.id == *id) {
                    m.adjusted = Some(*date);
                }
            }
        }
        PlanChangeKind::Investment => {
            if let Some(p) = project
                .year_plans
                .iter_mut()
                .find(|p| p.year == request.year)
            {
                p.adjusted_investment = request.investment;
            }
        }
        PlanChangeKind::Suspension => project.suspended_on = request.effective_on,
        PlanChangeKind::Cancellation => {
            if let Some(p) = project
                .year_plans
                .iter_mut()
                .find(|p| p.year == request.year)
            {
                p.cancelled_on = request.effective_on;
            }
        }
        PlanChangeKind::Scope => {}
    }
}

/// Approving `project`'s plan for `year`: its status becomes approved and its milestones'
/// planned dates stop being "derived" — they are the baseline now. `false` if there is no plan
/// for the year or it is approved already.
pub fn approve(project: &mut Project, year: i16) -> bool {
    let Some(plan) = project.year_plans.iter_mut().find(|p| p.year == year) else {
        return false;
    };
    if plan.status == PlanStatus::Approved {
        return false;
    }
    plan.status = PlanStatus::Approved;
    for m in &mut project.milestones {
        m.derived = false;
    }
    true
}

/// The portfolio as the adjusted plan has it: every milestone's planned date is its adjusted
/// date where an approved change set one, every year's planned investment its adjusted amount.
/// Rates computed over it are "against the adjusted plan".
pub fn adjusted_portfolio(portfolio: &Portfolio) -> Portfolio {
    let mut adjusted = portfolio.clone();
    for p in &mut adjusted.projects {
        // A project without adjustments stays shared with the baseline portfolio.
        let adjusted_any = p.milestones.iter().any(|m| m.adjusted.is_some())
            || p.year_plans.iter().any(|y| y.adjusted_investment.is_some());
        if !adjusted_any {
            continue;
        }
        let p = Arc::make_mut(p);
        for m in &mut p.milestones {
            m.planned = m.adjusted_or_planned();
        }
        for y in &mut p.year_plans {
            if let Some(inv) = y.adjusted_investment {
                y.planned_investment = inv;
            }
        }
    }
    adjusted
}

/// How many plan changes of `year` were requested, per district and per responsible unit of the
/// projects concerned (rejected ones count too: asking is what the indicator measures).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AdjustmentCounts {
    /// Per district.
    pub by_district: BTreeMap<UnitId, usize>,
    /// Per responsible unit.
    pub by_unit: BTreeMap<UnitId, usize>,
    /// Of them approved, per district.
    pub approved_by_district: BTreeMap<UnitId, usize>,
}

/// Counts the plan changes of `year` (see [`AdjustmentCounts`]).
pub fn adjustment_counts(
    portfolio: &Portfolio,
    changes: &[PlanChange],
    year: i16,
) -> AdjustmentCounts {
    let mut counts = AdjustmentCounts::default();
    for c in changes.iter().filter(|c| c.request.year == year) {
        let Some(p) = portfolio.project(c.request.project) else {
            continue;
        };
        *counts.by_district.entry(p.district).or_default() += 1;
        *counts.by_unit.entry(p.responsible_unit).or_default() += 1;
        if c.status == PlanChangeStatus::Approved {
            *counts.approved_by_district.entry(p.district).or_default() += 1;
        }
    }
    counts
}

/// One line of the plan overview: how many of a unit's projects' plans for a year are in each
/// status, and the changes asked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PlanTally {
    /// Plans being prepared.
    pub draft: usize,
    /// Plans submitted to the office.
    pub submitted: usize,
    /// Approved plans.
    pub approved: usize,
    /// Of the approved, cancelled by a change.
    pub cancelled: usize,
    /// Milestones whose planned date is still derived from the template.
    pub derived_milestones: usize,
}

impl PlanTally {
    /// Counts one project's plan for the year.
    pub fn add(&mut self, project: &Project, year: i16) {
        let Some(plan) = project.plan_for(year) else {
            return;
        };
        match plan.status {
            PlanStatus::Draft => self.draft += 1,
            PlanStatus::Submitted => self.submitted += 1,
            PlanStatus::Approved => self.approved += 1,
        }
        if plan.cancelled_on.is_some() {
            self.cancelled += 1;
        }
        self.derived_milestones += project.milestones.iter().filter(|m| m.derived).count();
    }

    /// Plans in the year.
    pub fn total(&self) -> usize {
        self.draft + self.submitted + self.approved
    }
}

/// The year's plans per district: a tally per district, in the portfolio's unit order, and the
/// total.
pub fn tally_by_district(
    portfolio: &Portfolio,
    year: i16,
) -> (Vec<(UnitId, PlanTally)>, PlanTally) {
    let mut by: BTreeMap<UnitId, PlanTally> = BTreeMap::new();
    let mut total = PlanTally::default();
    for p in portfolio
        .projects
        .iter()
        .filter(|p| p.plan_for(year).is_some())
    {
        by.entry(p.district).or_default().add(p, year);
        total.add(p, year);
    }
    (by.into_iter().collect(), total)
}

/// The projects to carry from `year` into `year + 1`: every project with a plan in `year`
/// (not cancelled) and none in `year + 1` yet, whose last milestone is not reached by the end of
/// `year`. Each gets a draft plan for the next year — kind construction, planned investment the
/// total less what its reports show completed is for the office to set, so it starts at zero —
/// with its remaining milestones as they are.
pub fn carry_over(portfolio: &Portfolio, year: i16) -> Vec<ProjectId> {
    let year_end = Date::new(year, 12, 31).expect("31 December exists");
    portfolio
        .projects
        .iter()
        .filter(|p| {
            p.plan_for(year).is_some_and(|y| y.cancelled_on.is_none())
                && p.plan_for(year + 1).is_none()
                && p.suspended_on.is_none()
                && p.milestones
                    .last()
                    .is_some_and(|m| m.actual.is_none_or(|a| a > year_end))
        })
        .map(|p| p.id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;
    use jiff::ToSpan;
    use jiff::civil::date;

    fn project() -> Project {
        crate::fixture::project(
            1,
            &[
                (date(2021, 3, 1), Some(date(2021, 3, 5))),
                (date(2021, 6, 1), None),
                (date(2021, 9, 1), None),
            ],
        )
    }

    fn dates(p: &Project, changes: &[(usize, Date)]) -> PlanChangeRequest {
        PlanChangeRequest {
            project: p.id,
            year: p.year_plans[0].year,
            kind: PlanChangeKind::Dates,
            reason: "征迁滞后".into(),
            dates: changes
                .iter()
                .map(|(i, d)| (p.milestones[*i].id, *d))
                .collect(),
            investment: None,
            effective_on: None,
            scope: None,
            attachments: vec![],
        }
    }

    #[test]
    fn a_draft_plan_cannot_be_adjusted_only_edited() {
        let mut p = project();
        p.year_plans[0].status = PlanStatus::Draft;
        let last = p.milestones.len() - 1;
        let req = dates(&p, &[(last, p.milestones[last].planned + 30.days())]);
        let e = check_change(&p, &req, &[]).unwrap_err();
        assert_eq!(e.field, "年度计划");
        assert!(e.message.contains("尚未批准"), "{e}");
    }

    #[test]
    fn dates_must_stay_in_sequence_and_reached_milestones_stay() {
        let p = project();
        let last = p.milestones.len() - 1;
        // Moving the last milestone later is fine.
        let later = dates(&p, &[(last, p.milestones[last].planned + 30.days())]);
        assert_eq!(check_change(&p, &later, &[]), Ok(()));
        // Moving it before its predecessor is not.
        let before = dates(&p, &[(last, p.milestones[last - 1].planned - 1.days())]);
        let e = check_change(&p, &before, &[]).unwrap_err();
        assert!(e.message.contains("早于上一节点"), "{e}");
        // A reached milestone keeps its plan.
        if let Some(i) = p.milestones.iter().position(|m| m.actual.is_some()) {
            let e = check_change(&p, &dates(&p, &[(i, date(2030, 1, 1))]), &[]).unwrap_err();
            assert!(e.message.contains("已完成"), "{e}");
        }
        // Nothing to change is refused.
        assert!(check_change(&p, &dates(&p, &[]), &[]).is_err());
    }

    #[test]
    fn a_reason_is_required_and_a_second_pending_change_is_refused() {
        let p = project();
        let last = p.milestones.len() - 1;
        let mut req = dates(&p, &[(last, p.milestones[last].planned + 30.days())]);
        req.reason = "  ".into();
        assert_eq!(check_change(&p, &req, &[]).unwrap_err().field, "调整理由");
        req.reason = "汛期停工".into();
        let pending = PlanChange {
            id: 1,
            request: req.clone(),
            requested_by: "a".into(),
            requested_unit: None,
            requested_at_ms: 0,
            status: PlanChangeStatus::Pending,
            decided_by: None,
            decided_at_ms: None,
            decision_note: None,
        };
        assert_eq!(
            check_change(&p, &req, std::slice::from_ref(&pending))
                .unwrap_err()
                .field,
            "调整类型"
        );
        let decided = PlanChange {
            status: PlanChangeStatus::Rejected,
            ..pending
        };
        assert_eq!(check_change(&p, &req, &[decided]), Ok(()));
    }

    #[test]
    fn an_approved_change_sets_the_adjusted_plan_and_keeps_the_baseline() {
        let mut p = project();
        let last = p.milestones.len() - 1;
        let baseline = p.milestones[last].planned;
        let req = dates(&p, &[(last, baseline + 30.days())]);
        apply_change(&mut p, &req);
        assert_eq!(p.milestones[last].planned, baseline);
        assert_eq!(p.milestones[last].adjusted, Some(baseline + 30.days()));
        let portfolio = Portfolio {
            projects: vec![Arc::new(p.clone())],
            ..Portfolio::default()
        };
        let adjusted = adjusted_portfolio(&portfolio);
        assert_eq!(
            adjusted.projects[0].milestones[last].planned,
            baseline + 30.days()
        );
        let investment = PlanChangeRequest {
            kind: PlanChangeKind::Investment,
            investment: Some(Money::from_wan(12.0)),
            dates: vec![],
            ..req
        };
        apply_change(&mut p, &investment);
        assert_eq!(
            p.year_plans[0].adjusted_investment,
            Some(Money::from_wan(12.0))
        );
    }

    #[test]
    fn approval_freezes_derived_dates_once() {
        let mut p = project();
        p.year_plans[0].status = PlanStatus::Submitted;
        p.milestones[0].derived = true;
        let year = p.year_plans[0].year;
        assert!(approve(&mut p, year));
        assert!(!p.milestones[0].derived);
        assert!(!approve(&mut p, year), "approving twice changes nothing");
        assert!(!approve(&mut p, 1999), "no plan that year");
    }

    #[test]
    fn unfinished_projects_carry_into_the_next_year() {
        let portfolio = crate::fixture::portfolio(vec![
            project(),
            crate::fixture::project(2, &[(date(2021, 3, 1), Some(date(2021, 11, 5)))]),
            crate::fixture::project(3, &[(date(2021, 3, 1), Some(date(2022, 1, 5)))]),
        ]);
        let year = 2021;
        let carried = carry_over(&portfolio, year);
        for p in &portfolio.projects {
            let finished = p.milestones.last().is_some_and(|m| {
                m.actual
                    .is_some_and(|a| a <= Date::new(year, 12, 31).unwrap())
            });
            assert_eq!(carried.contains(&p.id), !finished, "{}", p.code);
        }
        assert_eq!(carried, vec![ProjectId(1), ProjectId(3)]);
    }
}
