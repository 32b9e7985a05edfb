//! The follow-up engine: supervision items (督办事项) decided at dispatch meetings or issued by
//! the office on a proposal, summonses (约谈) of a unit's head, coordination tickets (协调事项)
//! with outside bodies, and rectification orders (整改) from on-site inspections are one kind of
//! [`TrackedItem`]. Each has an owner unit, an issuer, a
//! deadline, an escalation level (县区 → 分指挥部 → 总指挥部 → 市领导) and a history of
//! [`ItemEvent`]s; a closure is claimed with evidence and verified by the issuer (复查), and a
//! rejected closure reopens the item.
//!
//! The state of an item on any date is read off its history ([`TrackedItem::state_on`]);
//! [`TrackedItem::check`] is the one gate every new event passes, on every path that writes.

use std::collections::HashMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

pub use crate::model::ItemId;
use crate::model::{ProjectId, UnitId};

/// What kind of item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// 督办事项: a decision of a dispatch meeting.
    Supervision,
    /// 协调事项: a blocker needing other bodies.
    Coordination,
    /// 整改: a finding of an on-site inspection.
    Rectification,
    /// 约谈: a unit's head summoned by the command headquarters, followed up until the
    /// rectification it demanded is verified.
    Summons,
}

impl ItemKind {
    /// Every kind.
    pub const ALL: [ItemKind; 4] = [
        ItemKind::Supervision,
        ItemKind::Coordination,
        ItemKind::Rectification,
        ItemKind::Summons,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            ItemKind::Supervision => "supervision",
            ItemKind::Coordination => "coordination",
            ItemKind::Rectification => "rectification",
            ItemKind::Summons => "summons",
        }
    }

    /// The kind with `code`.
    pub fn from_code(code: &str) -> Option<ItemKind> {
        ItemKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            ItemKind::Supervision => "督办事项",
            ItemKind::Coordination => "协调事项",
            ItemKind::Rectification => "整改事项",
            ItemKind::Summons => "约谈",
        }
    }

    /// Whether items of this kind are acts the command office issues to a unit (督办, 约谈):
    /// what scores, bulletins, the dispatch pack and the lists count.
    pub fn is_act(self) -> bool {
        matches!(self, ItemKind::Supervision | ItemKind::Summons)
    }
}

/// What an issued act records besides the item itself: the document, the projects concerned and,
/// for a 约谈, who attended and the minutes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedAct {
    /// 文号, e.g. "示建管督〔2021〕12号".
    pub document_number: String,
    /// The projects concerned (besides [`TrackedItem::project`], which names the main one).
    pub projects: Vec<ProjectId>,
    /// 约谈: who attended (empty for a 督办 notice).
    pub attendees: String,
    /// 约谈: the minutes (empty for a 督办 notice).
    pub minutes: String,
    /// The proposal it was issued on, if any (its key; see [`crate::acts::Proposal`]).
    pub proposal: Option<String>,
}

/// Who is following an item, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscalationLevel {
    /// 县区.
    District,
    /// 分指挥部.
    SubHq,
    /// 总指挥部.
    Hq,
    /// 市领导.
    CityLeader,
}

impl EscalationLevel {
    /// Every level, lowest first.
    pub const ALL: [EscalationLevel; 4] = [
        EscalationLevel::District,
        EscalationLevel::SubHq,
        EscalationLevel::Hq,
        EscalationLevel::CityLeader,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            EscalationLevel::District => "district",
            EscalationLevel::SubHq => "sub_hq",
            EscalationLevel::Hq => "hq",
            EscalationLevel::CityLeader => "city_leader",
        }
    }

    /// The level with `code`.
    pub fn from_code(code: &str) -> Option<EscalationLevel> {
        EscalationLevel::ALL.into_iter().find(|l| l.code() == code)
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            EscalationLevel::District => "县区",
            EscalationLevel::SubHq => "分指挥部",
            EscalationLevel::Hq => "总指挥部",
            EscalationLevel::CityLeader => "市领导",
        }
    }

    /// The next level up, if any.
    pub fn up(self) -> Option<EscalationLevel> {
        match self {
            EscalationLevel::District => Some(EscalationLevel::SubHq),
            EscalationLevel::SubHq => Some(EscalationLevel::Hq),
            EscalationLevel::Hq => Some(EscalationLevel::CityLeader),
            EscalationLevel::CityLeader => None,
        }
    }
}

/// Where an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    /// 办理中.
    Open,
    /// 待复查: the owner says it is done; the issuer has to verify.
    AwaitingCheck,
    /// 已办结: verified closed.
    Closed,
}

impl ItemStatus {
    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            ItemStatus::Open => "办理中",
            ItemStatus::AwaitingCheck => "待复查",
            ItemStatus::Closed => "已办结",
        }
    }

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            ItemStatus::Open => "open",
            ItemStatus::AwaitingCheck => "awaiting_check",
            ItemStatus::Closed => "closed",
        }
    }
}

/// What happened to an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ItemAction {
    /// 进展: the owner reports movement.
    Progress {
        /// What moved.
        note: String,
    },
    /// 升级: raised to a higher level (by a person, or by the daily job when overdue).
    Escalate {
        /// The new level.
        to: EscalationLevel,
        /// Why.
        reason: String,
    },
    /// 延期: a new deadline, with a reason.
    Extend {
        /// The new deadline.
        to: Date,
        /// Why.
        reason: String,
    },
    /// 申请办结: the owner says it is done and shows evidence.
    ClaimClosure {
        /// The evidence (text; photos are attached by hash).
        evidence: String,
    },
    /// 复查通过: the issuer verifies the closure.
    Verify {
        /// What the re-check found.
        note: String,
    },
    /// 复查未通过: the issuer rejects the closure and the item reopens.
    Reject {
        /// Why.
        reason: String,
    },
}

impl ItemAction {
    /// The stored code.
    pub fn code(&self) -> &'static str {
        match self {
            ItemAction::Progress { .. } => "progress",
            ItemAction::Escalate { .. } => "escalate",
            ItemAction::Extend { .. } => "extend",
            ItemAction::ClaimClosure { .. } => "claim_closure",
            ItemAction::Verify { .. } => "verify",
            ItemAction::Reject { .. } => "reject",
        }
    }

    /// The Chinese name.
    pub fn label(&self) -> &'static str {
        match self {
            ItemAction::Progress { .. } => "进展",
            ItemAction::Escalate { .. } => "升级",
            ItemAction::Extend { .. } => "延期",
            ItemAction::ClaimClosure { .. } => "申请办结",
            ItemAction::Verify { .. } => "复查通过",
            ItemAction::Reject { .. } => "复查未通过",
        }
    }

    /// The text the action carries.
    pub fn text(&self) -> &str {
        match self {
            ItemAction::Progress { note } | ItemAction::Verify { note } => note,
            ItemAction::Escalate { reason, .. }
            | ItemAction::Extend { reason, .. }
            | ItemAction::Reject { reason } => reason,
            ItemAction::ClaimClosure { evidence } => evidence,
        }
    }
}

/// One entry of an item's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemEvent {
    /// The day it happened.
    pub on: Date,
    /// The unit acting.
    pub unit: UnitId,
    /// The account acting (or `system` for the daily job).
    pub by: String,
    /// What was done.
    pub action: ItemAction,
}

/// A supervision item, coordination ticket or rectification order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackedItem {
    /// Identity.
    pub id: ItemId,
    /// What kind.
    pub kind: ItemKind,
    /// A one-line title.
    pub title: String,
    /// The detail: the decision, the blocker, or the inspection finding.
    pub detail: String,
    /// The project concerned, if one.
    pub project: Option<ProjectId>,
    /// The district concerned, if one.
    pub district: Option<UnitId>,
    /// The unit that must act (责任单位).
    pub owner: UnitId,
    /// The unit that opened it and verifies its closure.
    pub issuer: UnitId,
    /// Outside bodies involved (部队, 铁路, 电网, 央企, 省直部门 …) — coordination tickets.
    pub bodies: Vec<String>,
    /// The type of problem (征地拆迁, 审批手续, 管线迁改, 设计偏差 …).
    pub topic: String,
    /// Where it came from: a dispatch meeting ("2021-W40"), a report, an inspection.
    pub source: String,
    /// The day it was opened.
    pub opened_on: Date,
    /// The deadline set when it was opened.
    pub deadline: Date,
    /// The level it was opened at.
    pub level: EscalationLevel,
    /// Its history, in order.
    pub events: Vec<ItemEvent>,
    /// The document and details of an act issued by the office (督办 notices and 约谈 issued
    /// on a proposal; none for items decided at a meeting or opened otherwise).
    pub act: Option<IssuedAct>,
}

/// The type of problem an outside body's coordination is usually about, for new tickets.
pub fn coordination_topic(body: &str) -> &'static str {
    if body.contains("部队") || body.contains('军') {
        "用地协调"
    } else if body.contains("铁路") {
        "审批手续"
    } else if body.contains('电') || body.contains("燃气") || body.contains("通信") {
        "管线迁改"
    } else if body.contains("央企") {
        "征地拆迁"
    } else if body.contains('省') {
        "审批手续"
    } else {
        "部门协调"
    }
}

/// The coordination tickets a filed report opens: one for each problem that names an outside
/// body to coordinate with and that no earlier report of the project raised — owned by the
/// responsible unit, issued to (and re-checked by) the project's sub-headquarters, at
/// district level, due in 30 days. `period_seq` is the report's period number in its year.
pub fn coordination_tickets(
    project: &crate::model::Project,
    earlier: &[crate::model::ProgressReport],
    report: &crate::model::ProgressReport,
    period_seq: u16,
) -> Vec<TrackedItem> {
    let raised_before = |pb: &crate::model::Problem| {
        earlier
            .iter()
            .flat_map(|r| &r.problems)
            .any(|old| old == pb)
    };
    let today = report.filed_on;
    report
        .problems
        .iter()
        .filter(|pb| !raised_before(pb))
        .filter_map(|pb| {
            let body = pb.needs_coordination_with.as_deref()?;
            let topic = coordination_topic(body);
            Some(TrackedItem {
                id: ItemId(0),
                kind: ItemKind::Coordination,
                title: format!("{}：{topic}需{body}配合", project.name),
                detail: pb.description.clone(),
                project: Some(project.id),
                district: Some(project.district),
                owner: project.responsible_unit,
                issuer: project.sub_hq,
                bodies: body
                    .split([',', '，', '、', ';', '；'])
                    .map(|b| b.trim().to_string())
                    .filter(|b| !b.is_empty())
                    .collect(),
                topic: topic.to_string(),
                source: format!("进度填报第{period_seq}期"),
                opened_on: today,
                deadline: today
                    .checked_add(jiff::Span::new().days(30))
                    .unwrap_or(today),
                level: EscalationLevel::District,
                events: Vec::new(),
                act: None,
            })
        })
        .collect()
}

/// An item's state on a date, read off its history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ItemState {
    /// Where it stands.
    pub status: ItemStatus,
    /// Who follows it.
    pub level: EscalationLevel,
    /// The deadline in force.
    pub deadline: Date,
    /// The day of its last movement (opened, or any event).
    pub last_movement: Date,
    /// The day it was closed, if it is.
    pub closed_on: Option<Date>,
    /// Closures rejected so far.
    pub rejections: u32,
}

/// Why an event was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ItemError {
    /// The event is dated before the item's last event or its opening.
    #[error("日期 {on} 早于事项的上一条记录（{last}）")]
    OutOfOrder {
        /// The event's day.
        on: Date,
        /// The last recorded day.
        last: Date,
    },
    /// The action does not fit the item's status.
    #[error("事项{status}，不能{action}")]
    WrongStatus {
        /// The status.
        status: &'static str,
        /// The action.
        action: &'static str,
    },
    /// Only the issuer verifies or rejects a closure.
    #[error("只有交办单位可以复查")]
    NotIssuer,
    /// Only the owner claims closure or reports progress.
    #[error("只有责任单位可以{0}")]
    NotOwner(&'static str),
    /// A required text is empty.
    #[error("{0}不能为空")]
    Empty(&'static str),
    /// Escalation must go up; an extension must move the deadline later.
    #[error("{0}")]
    Invalid(String),
}

impl TrackedItem {
    /// Whether the item concerns `project`: its main project or one its act names.
    pub fn concerns(&self, project: ProjectId) -> bool {
        self.project == Some(project)
            || self
                .act
                .as_ref()
                .is_some_and(|a| a.projects.contains(&project))
    }

    /// The item's state at the end of `on`.
    pub fn state_on(&self, on: Date) -> ItemState {
        let mut state = ItemState {
            status: ItemStatus::Open,
            level: self.level,
            deadline: self.deadline,
            last_movement: self.opened_on,
            closed_on: None,
            rejections: 0,
        };
        for e in self.events.iter().take_while(|e| e.on <= on) {
            state.last_movement = e.on;
            match &e.action {
                ItemAction::Progress { .. } => {}
                ItemAction::Escalate { to, .. } => state.level = state.level.max(*to),
                ItemAction::Extend { to, .. } => state.deadline = *to,
                ItemAction::ClaimClosure { .. } => state.status = ItemStatus::AwaitingCheck,
                ItemAction::Verify { .. } => {
                    state.status = ItemStatus::Closed;
                    state.closed_on = Some(e.on);
                }
                ItemAction::Reject { .. } => {
                    state.status = ItemStatus::Open;
                    state.rejections += 1;
                }
            }
        }
        state
    }

    /// The current state: after the last event.
    pub fn state(&self) -> ItemState {
        self.state_on(self.events.last().map_or(self.opened_on, |e| e.on))
    }

    /// Whether `event` may be added to the history now; the one gate for every writer.
    pub fn check(&self, event: &ItemEvent) -> Result<(), ItemError> {
        let last = self.events.last().map_or(self.opened_on, |e| e.on);
        if event.on < last {
            return Err(ItemError::OutOfOrder { on: event.on, last });
        }
        let state = self.state();
        let wrong = |action: &'static str| ItemError::WrongStatus {
            status: state.status.label(),
            action,
        };
        if event.action.text().trim().is_empty() {
            return Err(ItemError::Empty(match event.action {
                ItemAction::ClaimClosure { .. } => "办结佐证",
                ItemAction::Progress { .. } | ItemAction::Verify { .. } => "说明",
                _ => "理由",
            }));
        }
        match &event.action {
            ItemAction::Progress { .. }
            | ItemAction::Extend { .. }
            | ItemAction::Escalate { .. }
                if state.status == ItemStatus::Closed =>
            {
                Err(wrong(event.action.label()))
            }
            ItemAction::Progress { .. } if event.unit != self.owner => {
                Err(ItemError::NotOwner("报告进展"))
            }
            ItemAction::Escalate { .. }
                if event.unit != self.owner && event.unit != self.issuer =>
            {
                Err(ItemError::Invalid(
                    "只有责任单位（提请）或交办单位可以升级".into(),
                ))
            }
            ItemAction::Extend { .. } if event.unit != self.issuer => {
                Err(ItemError::Invalid("只有交办单位可以延期".into()))
            }
            ItemAction::Escalate { to, .. } if *to <= state.level => Err(ItemError::Invalid(
                format!("已由{}跟踪，升级须高于此级", state.level.label()),
            )),
            ItemAction::Extend { to, .. } if *to <= state.deadline => Err(ItemError::Invalid(
                format!("新期限须晚于现期限 {}", state.deadline),
            )),
            ItemAction::ClaimClosure { .. } if state.status != ItemStatus::Open => {
                Err(wrong("申请办结"))
            }
            ItemAction::ClaimClosure { .. } if event.unit != self.owner => {
                Err(ItemError::NotOwner("申请办结"))
            }
            ItemAction::Verify { .. } | ItemAction::Reject { .. }
                if state.status != ItemStatus::AwaitingCheck =>
            {
                Err(wrong("复查"))
            }
            ItemAction::Verify { .. } | ItemAction::Reject { .. } if event.unit != self.issuer => {
                Err(ItemError::NotIssuer)
            }
            _ => Ok(()),
        }
    }

    /// Days past the deadline in force on `on`, if the item is open (with its owner) and past
    /// it. An item awaiting the issuer's re-check is not the owner's delay: it is not overdue
    /// (if the re-check drags, the item shows as stuck).
    pub fn overdue_days(&self, on: Date) -> Option<i64> {
        let s = self.state_on(on);
        (s.status == ItemStatus::Open && on > s.deadline)
            .then(|| i64::from((on - s.deadline).get_days()))
    }

    /// Whether the item is stuck (卡壳) on `on`: open and without movement for `days` days.
    pub fn is_stuck(&self, on: Date, days: i64) -> bool {
        let s = self.state_on(on);
        s.status != ItemStatus::Closed
            && on >= self.opened_on
            && i64::from((on - s.last_movement).get_days()) >= days
    }

    /// Days the item has been open on `on` (to its closing day once closed).
    pub fn age_days(&self, on: Date) -> i64 {
        let end = self.state_on(on).closed_on.unwrap_or(on);
        i64::from((end - self.opened_on).get_days()).max(0)
    }

    /// Whether a rectification passed its first re-check (closed with no rejection).
    pub fn passed_first_check(&self) -> Option<bool> {
        let s = self.state();
        match s.status {
            ItemStatus::Closed => Some(s.rejections == 0),
            _ if s.rejections > 0 => Some(false),
            _ => None,
        }
    }
}

/// When items escalate on their own: one level up for every `every_days` past the deadline,
/// and "stuck" after `stuck_days` without movement. Configuration the office sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpRules {
    /// Days past the deadline for each automatic level up.
    pub every_days: i64,
    /// Days without movement that make an open item stuck (卡壳).
    pub stuck_days: i64,
}

impl Default for FollowUpRules {
    fn default() -> Self {
        FollowUpRules {
            every_days: 7,
            stuck_days: 14,
        }
    }
}

/// The escalations the daily job records on `on`: an open item whose deadline passed
/// `k × every_days` days ago is raised to `k` levels above the level it was opened at (capped
/// at the city leader), if it is not already there.
pub fn due_escalations(
    items: &[TrackedItem],
    on: Date,
    rules: FollowUpRules,
) -> Vec<(ItemId, ItemEvent)> {
    let mut out = Vec::new();
    for item in items {
        let Some(days) = item.overdue_days(on) else {
            continue;
        };
        let steps = days / rules.every_days.max(1);
        let mut target = item.level;
        for _ in 0..steps {
            target = target.up().unwrap_or(target);
        }
        let state = item.state_on(on);
        if target > state.level {
            out.push((
                item.id,
                ItemEvent {
                    on,
                    unit: item.issuer,
                    by: "system".into(),
                    action: ItemAction::Escalate {
                        to: target,
                        reason: format!("逾期 {days} 天未办结，自动升级至{}", target.label()),
                    },
                },
            ));
        }
    }
    out
}

/// Counts and ages of one unit's items on a date: what the assessment and the league read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct UnitItemCounts {
    /// Items open (or awaiting check).
    pub open: u64,
    /// Open items past their deadline.
    pub overdue: u64,
    /// Open items stuck.
    pub stuck: u64,
    /// Items closed.
    pub closed: u64,
    /// Rectifications closed or rejected so far, and of those passed at the first re-check.
    pub rectifications_checked: u64,
    /// Rectifications passed at the first re-check.
    pub rectifications_first_pass: u64,
    /// Age in days of the oldest open item.
    pub oldest_open_days: i64,
}

/// Counts per owner unit on `on`, over items opened by then.
pub fn counts_by_owner(
    items: &[TrackedItem],
    on: Date,
    rules: FollowUpRules,
) -> HashMap<UnitId, UnitItemCounts> {
    let mut map: HashMap<UnitId, UnitItemCounts> = HashMap::new();
    for item in items.iter().filter(|i| i.opened_on <= on) {
        let c = map.entry(item.owner).or_default();
        let s = item.state_on(on);
        if s.status == ItemStatus::Closed {
            c.closed += 1;
        } else {
            c.open += 1;
            c.overdue += u64::from(item.overdue_days(on).is_some());
            c.stuck += u64::from(item.is_stuck(on, rules.stuck_days));
            c.oldest_open_days = c.oldest_open_days.max(item.age_days(on));
        }
        if item.kind == ItemKind::Rectification
            && (s.status == ItemStatus::Closed || s.rejections > 0)
        {
            c.rectifications_checked += 1;
            c.rectifications_first_pass +=
                u64::from(s.status == ItemStatus::Closed && s.rejections == 0);
        }
    }
    map
}

#[cfg(test)]
mod tests;
