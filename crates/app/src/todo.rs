//! 待办 (issue 21 item 1): what needs a user now, derived from the records each time it is
//! asked for — never kept as a second list that could drift from them. A reporter's reports due
//! in the open period, a unit's tracked items to act on, the re-checks an issuer owes, the
//! annual plans a unit has yet to submit and those the office has yet to approve, plan changes
//! and objections to decide, and the 督办/约谈 the rules propose for the office to issue.
//!
//! Which duties a user has follows the access policy: a duty appears only where the user's
//! roles may take the action it asks for, over the projects their scope covers. [`duties`] is
//! pure (given the records); [`for_user`] reads them for a node.

use jianguan_access::Role;
use jianguan_access::policy::{Action, Resource};
use jianguan_access::scope::{Scope, authorize};
use jianguan_domain::Date;
use jianguan_domain::acts::{self, Proposal};
use jianguan_domain::assessment::{Month, Objection};
use jianguan_domain::filing::{self, Filing, ReportIndex};
use jianguan_domain::followup::{ItemStatus, TrackedItem};
use jianguan_domain::model::{PlanStatus, Portfolio, ReportingPeriod, UnitId};
use jianguan_domain::plan::{PlanChange, PlanChangeStatus};
use jianguan_domain::store::StoreError;

use crate::portfolio::App;

/// Who asks: an account's roles and unit.
#[derive(Debug, Clone, Copy)]
pub struct Requester<'a> {
    /// The account's roles.
    pub roles: &'a [Role],
    /// The account's unit (none for the administrators).
    pub unit: Option<UnitId>,
}

impl Requester<'_> {
    /// The projects the requester may take `action` on in `resource` (`None`: not allowed).
    fn scope(&self, resource: Resource, action: Action) -> Option<Scope> {
        authorize(self.roles, self.unit.unwrap_or(UnitId(0)), resource, action)
            .ok()
            .filter(|s| *s != Scope::None)
    }
}

/// A kind of work waiting for a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Duty {
    /// Reports not yet filed for the period due next (a responsible unit's, a district's): on a
    /// deadline day, the period just ended.
    ReportsDue,
    /// Tracked items the user's unit owns, open (进展, 申请办结).
    ItemsToHandle,
    /// Tracked items the user's unit issued, whose closure awaits its re-check.
    ItemsToRecheck,
    /// Annual plans in the user's scope still drafts (to submit).
    PlansToSubmit,
    /// Annual plans submitted, awaiting the office's approval.
    PlansToApprove,
    /// Plan changes (计划调整) awaiting a decision.
    PlanChangesToDecide,
    /// Objections (申诉) to monthly scores awaiting a decision.
    ObjectionsToDecide,
    /// 督办 and 约谈 the rules propose today, for the office to issue or dismiss.
    ActsToIssue,
}

impl Duty {
    /// What it asks, in Chinese, with `{n}` for the count.
    pub fn label(self) -> &'static str {
        match self {
            Duty::ReportsDue => "{n} 个项目本期尚未填报",
            Duty::ItemsToHandle => "{n} 项督办事项待办理",
            Duty::ItemsToRecheck => "{n} 项督办事项申请办结，待复查",
            Duty::PlansToSubmit => "{n} 个项目的年度计划尚未报送",
            Duty::PlansToApprove => "{n} 个项目的年度计划已报送，待批准",
            Duty::PlanChangesToDecide => "{n} 项计划调整待审批",
            Duty::ObjectionsToDecide => "{n} 件考评申诉待处理",
            Duty::ActsToIssue => "{n} 项督办约谈建议待签发或撤销",
        }
    }

    /// The stored and JSON code.
    pub fn code(self) -> &'static str {
        match self {
            Duty::ReportsDue => "reports_due",
            Duty::ItemsToHandle => "items_to_handle",
            Duty::ItemsToRecheck => "items_to_recheck",
            Duty::PlansToSubmit => "plans_to_submit",
            Duty::PlansToApprove => "plans_to_approve",
            Duty::PlanChangesToDecide => "plan_changes_to_decide",
            Duty::ObjectionsToDecide => "objections_to_decide",
            Duty::ActsToIssue => "acts_to_issue",
        }
    }
}

/// One line of a to-do list: a duty, how many things it covers, the nearest deadline among them
/// (if they have one) and where the work is done.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Todo {
    /// What kind of work.
    pub duty: Duty,
    /// How many.
    pub count: usize,
    /// The nearest deadline, if the work has one.
    pub deadline: Option<Date>,
    /// The page it is done on (path and query).
    pub href: String,
}

/// The records a to-do list is derived from.
#[derive(Debug, Clone, Copy)]
pub struct Records<'a> {
    /// The campaign's records.
    pub portfolio: &'a Portfolio,
    /// Every tracked item.
    pub items: &'a [TrackedItem],
    /// Every plan change.
    pub plan_changes: &'a [PlanChange],
    /// The open reporting period and who filed for it, when one is open and the filings were
    /// read.
    pub period: Option<(&'a ReportingPeriod, &'a ReportIndex)>,
    /// Objections of the months still open to decisions.
    pub objections: &'a [Objection],
    /// The acts proposed today.
    pub proposals: &'a [Proposal],
}

/// The to-do list of `who` on `today`: each duty they have with something waiting, in the
/// order of [`Duty`]. Empty duties are left out.
pub fn duties(who: Requester<'_>, records: &Records<'_>, today: Date) -> Vec<Todo> {
    let p = records.portfolio;
    let year = p.default_year(today);
    // Links open the pages as of today, where the work is (a page's own default may be the end
    // of a year already over).
    let on_today = format!("year={year}&as_of={today}");
    let mut out = Vec::new();
    let mut push = |duty: Duty, count: usize, deadline: Option<Date>, href: String| {
        if count > 0 {
            out.push(Todo {
                duty,
                count,
                deadline,
                href,
            });
        }
    };

    // Reports due: a unit's own filing (the office files nothing itself).
    if let (Some(scope), Some((period, filings))) = (
        who.scope(Resource::ProgressReport, Action::Create)
            .filter(|s| *s != Scope::All),
        records.period,
    ) {
        let due = p
            .projects
            .iter()
            .filter(|pr| scope.covers(pr) && filing::expected_to_file(pr, period))
            .filter(|pr| {
                matches!(
                    filing::filing_of(filings.get(pr.id, period), period, today),
                    Filing::Pending | Filing::Missing
                )
            })
            .count();
        push(
            Duty::ReportsDue,
            due,
            Some(period.deadline),
            format!("/filing?{on_today}&period={}", period.id.0),
        );
    }

    // Tracked items: the owner acts, the issuer re-checks.
    if let Some(unit) = who.unit
        && who.scope(Resource::TrackedItem, Action::Update).is_some()
    {
        let states = || {
            records
                .items
                .iter()
                .map(|item| (item, item.state_on(today)))
        };
        let (mut handle, mut handle_by) = (0, None::<Date>);
        let (mut recheck, mut recheck_by) = (0, None::<Date>);
        for (item, state) in states() {
            if item.owner == unit && state.status == ItemStatus::Open {
                handle += 1;
                handle_by = Some(handle_by.map_or(state.deadline, |d| d.min(state.deadline)));
            }
            if item.issuer == unit && state.status == ItemStatus::AwaitingCheck {
                recheck += 1;
                recheck_by = Some(recheck_by.map_or(state.deadline, |d| d.min(state.deadline)));
            }
        }
        push(
            Duty::ItemsToHandle,
            handle,
            handle_by,
            format!("/items?status=open&owner={}&{on_today}", unit.0),
        );
        push(
            Duty::ItemsToRecheck,
            recheck,
            recheck_by,
            format!("/items?status=awaiting_check&{on_today}"),
        );
    }

    // Annual plans: units submit their drafts, the office approves and decides changes.
    if let Some(scope) = who
        .scope(Resource::Plan, Action::Create)
        .filter(|s| *s != Scope::All)
    {
        let drafts = p
            .projects
            .iter()
            .filter(|pr| scope.covers(pr))
            .filter(|pr| {
                pr.plan_for(year)
                    .is_some_and(|plan| plan.status == PlanStatus::Draft)
            })
            .count();
        push(
            Duty::PlansToSubmit,
            drafts,
            None,
            format!("/plans?{on_today}"),
        );
    }
    if who.scope(Resource::Plan, Action::Update) == Some(Scope::All) {
        let submitted = p
            .projects
            .iter()
            .filter(|pr| {
                pr.year_plans
                    .iter()
                    .any(|plan| plan.status == PlanStatus::Submitted)
            })
            .count();
        push(
            Duty::PlansToApprove,
            submitted,
            None,
            format!("/plans?{on_today}"),
        );
        let pending = records
            .plan_changes
            .iter()
            .filter(|c| c.status == PlanChangeStatus::Pending)
            .count();
        push(
            Duty::PlanChangesToDecide,
            pending,
            None,
            format!("/plans?{on_today}#changes"),
        );
    }

    // Objections: decided by the office.
    if who.scope(Resource::Objection, Action::Update).is_some() {
        let open: Vec<&Objection> = records
            .objections
            .iter()
            .filter(|o| o.decision.is_none())
            .collect();
        let month = open.iter().map(|o| o.month).min();
        push(
            Duty::ObjectionsToDecide,
            open.len(),
            None,
            month.map_or_else(
                || "/assessment".into(),
                |m| format!("/assessment?month={m}"),
            ),
        );
    }

    // Acts the rules propose: issued (or dismissed) by the office.
    if who.scope(Resource::TrackedItem, Action::Create) == Some(Scope::All) {
        push(
            Duty::ActsToIssue,
            records.proposals.len(),
            None,
            "/acts".into(),
        );
    }
    out
}

/// The months whose objections may still wait for a decision: this month and the two before
/// (a month's scores are published early in the next, and objected to within days).
pub fn objection_months(today: Date) -> [Month; 3] {
    let this = Month::of(today);
    [this.previous().previous(), this.previous(), this]
}

/// The to-do list of `who` on `today`, from the node's records: the snapshot, the cadence, the
/// open period's filings (read only for a user who files), the recent months' objections (only
/// for one who decides them) and today's proposals (only for the office).
pub async fn for_user(app: &App, who: Requester<'_>, today: Date) -> Result<Vec<Todo>, StoreError> {
    let snapshot = app.snapshot().await?;
    let cadence = app.cadence().await?;
    let p = &snapshot.portfolio;
    let files = who
        .scope(Resource::ProgressReport, Action::Create)
        .is_some_and(|s| s != Scope::All);
    let period = filing::period_due(&p.periods, today);
    let filings = match period {
        Some(period) if files => Some(cadence.filings(app.store(), period.id).await?),
        _ => None,
    };
    let mut objections = Vec::new();
    if who.scope(Resource::Objection, Action::Update).is_some() {
        for month in objection_months(today) {
            objections.extend(app.store().objections(month).await?);
        }
    }
    let proposals = if who.scope(Resource::TrackedItem, Action::Create) == Some(Scope::All) {
        acts::propose(
            p,
            &cadence.rules.proposals,
            &cadence.warnings,
            &cadence.items,
            &cadence.dismissals,
            today,
        )
    } else {
        Vec::new()
    };
    let records = Records {
        portfolio: p,
        items: &cadence.items,
        plan_changes: &cadence.plan_changes,
        period: period.zip(filings.as_deref()),
        objections: &objections,
        proposals: &proposals,
    };
    Ok(duties(who, &records, today))
}
