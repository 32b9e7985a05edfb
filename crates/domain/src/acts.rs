//! 督办 and 约谈 as acts of the command office, not flags on milestones. A 督办 is a notice
//! issued to a unit about a project; a 约谈 summons a unit's head to the headquarters. The rules
//! ([`ProposalRules`], part of the warning rules' TOML) only *propose* them — a project past a
//! threshold, a project warned again and again, a district with many projects at 警示, a unit
//! supervised again and again — and the office issues each proposal (an item of kind
//! [`ItemKind::Supervision`] or [`ItemKind::Summons`], followed up like any other) or dismisses
//! it. A proposal decided either way is not made again for the same subject within the rules'
//! quiet period; a project already under an open 督办 is not proposed another.

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::followup::{EscalationLevel, IssuedAct, ItemId, ItemKind, ItemStatus, TrackedItem};
use crate::model::{Portfolio, Project, ProjectId, UnitId};
use crate::rates;
use crate::warnings::{MAX_RULE_DAYS, RuleProblem, WarningBook, WarningLevel};

/// The two acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActKind {
    /// 督办: a notice to a unit about a project.
    Supervision,
    /// 约谈: a unit's head summoned.
    Summons,
}

impl ActKind {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            ActKind::Supervision => "supervision",
            ActKind::Summons => "summons",
        }
    }

    /// The act with `code`.
    pub fn from_code(code: &str) -> Option<ActKind> {
        [ActKind::Supervision, ActKind::Summons]
            .into_iter()
            .find(|k| k.code() == code)
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            ActKind::Supervision => "督办",
            ActKind::Summons => "约谈",
        }
    }

    /// The kind of the item an issued act becomes.
    pub fn item_kind(self) -> ItemKind {
        match self {
            ActKind::Supervision => ItemKind::Supervision,
            ActKind::Summons => ItemKind::Summons,
        }
    }
}

/// When an act is proposed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "when", rename_all = "snake_case", deny_unknown_fields)]
pub enum Trigger {
    /// A project with a milestone overdue by at least `days` (to its responsible unit).
    MilestoneOverdue {
        /// Days overdue.
        days: i64,
    },
    /// A project with at least `count` milestones that reached 警示 within `within_days` (to its
    /// responsible unit).
    RepeatedWarnings {
        /// Milestones warned.
        count: usize,
        /// The window, in days up to the day.
        within_days: i64,
    },
    /// A district with at least `count` projects at 警示 on the day (to the district).
    DistrictWarnings {
        /// Projects at 警示.
        count: usize,
    },
    /// A unit given at least `count` 督办 within `within_days` (to that unit).
    RepeatedSupervision {
        /// 督办 issued to it.
        count: usize,
        /// The window, in days up to the day.
        within_days: i64,
    },
}

/// When the office is proposed each act, as it configures them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProposalRules {
    /// Days after an act on a subject is issued or its proposal dismissed before the same
    /// subject is proposed again.
    #[serde(default = "default_quiet_days")]
    pub quiet_days: i64,
    /// What proposes a 督办.
    #[serde(default)]
    pub supervision: Vec<Trigger>,
    /// What proposes a 约谈.
    #[serde(default)]
    pub summons: Vec<Trigger>,
}

fn default_quiet_days() -> i64 {
    30
}

impl ProposalRules {
    /// Checks the thresholds; the problem names the field (`proposals.quiet_days`,
    /// `proposals.supervision.0.days` …).
    pub fn check(&self) -> Result<(), RuleProblem> {
        if self.quiet_days < 0 || self.quiet_days > MAX_RULE_DAYS {
            return Err(RuleProblem {
                field: "proposals.quiet_days".into(),
                message: if self.quiet_days < 0 {
                    "[proposals] quiet_days 须 ≥ 0".into()
                } else {
                    format!(
                        "[proposals] quiet_days 须 ≤ {MAX_RULE_DAYS}（十年），得到 {}",
                        self.quiet_days
                    )
                },
            });
        }
        for (act, i, t) in self.numbered_triggers() {
            let refuse = |field: &str, message: String| {
                Err(RuleProblem {
                    field: format!("proposals.{}.{i}.{field}", act.code()),
                    message,
                })
            };
            let bad = match t {
                Trigger::MilestoneOverdue { days } => (days < 1).then_some("days"),
                Trigger::RepeatedWarnings { count, within_days }
                | Trigger::RepeatedSupervision { count, within_days } => {
                    if count == 0 {
                        Some("count")
                    } else {
                        (within_days < 1).then_some("within_days")
                    }
                }
                Trigger::DistrictWarnings { count } => (count == 0).then_some("count"),
            };
            if let Some(field) = bad {
                return refuse(
                    field,
                    format!("[[proposals.{}]] 的 {field} 须 ≥ 1", act.code()),
                );
            }
            let days = match t {
                Trigger::MilestoneOverdue { days } => Some(("days", days)),
                Trigger::RepeatedWarnings { within_days, .. }
                | Trigger::RepeatedSupervision { within_days, .. } => {
                    Some(("within_days", within_days))
                }
                Trigger::DistrictWarnings { .. } => None,
            };
            if let Some((field, days)) = days.filter(|(_, d)| *d > MAX_RULE_DAYS) {
                return refuse(
                    field,
                    format!(
                        "[[proposals.{}]] 的 {field} 须 ≤ {MAX_RULE_DAYS}（十年），得到 {days}",
                        act.code()
                    ),
                );
            }
        }
        Ok(())
    }

    /// Every trigger with its act and its place in that act's list.
    fn numbered_triggers(&self) -> impl Iterator<Item = (ActKind, usize, Trigger)> + '_ {
        let supervision = self.supervision.iter().enumerate();
        let summons = self.summons.iter().enumerate();
        supervision
            .map(|(i, t)| (ActKind::Supervision, i, *t))
            .chain(summons.map(|(i, t)| (ActKind::Summons, i, *t)))
    }

    fn triggers(&self) -> impl Iterator<Item = (ActKind, Trigger)> + '_ {
        self.supervision
            .iter()
            .map(|t| (ActKind::Supervision, *t))
            .chain(self.summons.iter().map(|t| (ActKind::Summons, *t)))
    }
}

/// A proposal the office dismissed (不予签发): kept, so it is not proposed again within the
/// quiet period, and attributable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dismissal {
    /// Identity (0 before it is stored).
    pub id: i64,
    /// The proposal's key.
    pub key: String,
    /// The act proposed.
    pub act: ActKind,
    /// The unit it would have been issued to.
    pub unit: UnitId,
    /// The day it was dismissed.
    pub on: Date,
    /// The account that dismissed it.
    pub by: String,
    /// Why.
    pub reason: String,
}

/// An act the rules propose on a day, for the office to issue or dismiss.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proposal {
    /// What it is about, stable across days: `"{act}:project:{id}"` or `"{act}:unit:{id}"`.
    pub key: String,
    /// The act.
    pub act: ActKind,
    /// The unit it would be issued to.
    pub unit: UnitId,
    /// The project it is about, for a project's act (none for a unit's).
    pub project: Option<ProjectId>,
    /// The district concerned.
    pub district: Option<UnitId>,
    /// The projects concerned.
    pub projects: Vec<ProjectId>,
    /// A title for the item, e.g. "督办：某项目「开工」节点逾期 35 天".
    pub title: String,
    /// Why, every rule that proposes it, joined.
    pub reason: String,
}

/// Why an act could not be issued or a proposal dismissed; names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActError {
    /// A required field is empty.
    #[error("{0}不能为空")]
    Empty(&'static str),
    /// The deadline is before the day of issue.
    #[error("办理期限 {deadline} 早于签发日期 {on}")]
    DeadlineBefore {
        /// The deadline given.
        deadline: Date,
        /// The day of issue.
        on: Date,
    },
    /// The proposal is not (or no longer) made on the day.
    #[error("建议 {0} 当日不在待签发之列（已签发、已不予签发或条件已消失）")]
    NotProposed(String),
}

/// What the office fills in to issue a proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueForm {
    /// 文号.
    pub document_number: String,
    /// The deadline for the unit to act.
    pub deadline: Date,
    /// The requirement written in the notice (added to the proposal's reason).
    pub detail: String,
    /// 约谈: who attended (required).
    pub attendees: String,
    /// 约谈: the minutes (required).
    pub minutes: String,
}

impl Proposal {
    /// The item issuing this proposal on `on` by `issuer` opens (id 0, no events), or why not.
    pub fn issue(
        &self,
        form: &IssueForm,
        issuer: UnitId,
        on: Date,
    ) -> Result<TrackedItem, ActError> {
        if form.document_number.trim().is_empty() {
            return Err(ActError::Empty("文号"));
        }
        if form.deadline < on {
            return Err(ActError::DeadlineBefore {
                deadline: form.deadline,
                on,
            });
        }
        if self.act == ActKind::Summons {
            if form.attendees.trim().is_empty() {
                return Err(ActError::Empty("参加人员"));
            }
            if form.minutes.trim().is_empty() {
                return Err(ActError::Empty("约谈纪要"));
            }
        }
        let detail = match form.detail.trim() {
            "" => self.reason.clone(),
            d => format!("{}。{d}", self.reason),
        };
        Ok(TrackedItem {
            id: ItemId(0),
            kind: self.act.item_kind(),
            title: self.title.clone(),
            detail,
            project: self.project,
            district: self.district,
            owner: self.unit,
            issuer,
            bodies: Vec::new(),
            topic: match self.act {
                ActKind::Supervision => "节点逾期".into(),
                ActKind::Summons => "进度滞后".into(),
            },
            source: format!("{}建议 {on}", self.act.label()),
            opened_on: on,
            deadline: form.deadline,
            level: EscalationLevel::Hq,
            events: Vec::new(),
            act: Some(IssuedAct {
                document_number: form.document_number.trim().to_string(),
                projects: self.projects.clone(),
                attendees: form.attendees.trim().to_string(),
                minutes: form.minutes.trim().to_string(),
                proposal: Some(self.key.clone()),
            }),
        })
    }

    /// The dismissal of this proposal on `on` by `by`, or why not (a reason is required).
    pub fn dismiss(&self, on: Date, by: &str, reason: &str) -> Result<Dismissal, ActError> {
        if reason.trim().is_empty() {
            return Err(ActError::Empty("不予签发理由"));
        }
        Ok(Dismissal {
            id: 0,
            key: self.key.clone(),
            act: self.act,
            unit: self.unit,
            on,
            by: by.to_string(),
            reason: reason.trim().to_string(),
        })
    }
}

/// The acts the rules propose at the end of `as_of`: every trigger of `rules` over the
/// portfolio, the warnings' history and the items opened by then, less the subjects decided
/// within the quiet period (issued or dismissed) and projects already under an open 督办. In
/// key order.
pub fn propose(
    portfolio: &Portfolio,
    rules: &ProposalRules,
    book: &WarningBook,
    items: &[TrackedItem],
    dismissals: &[Dismissal],
    as_of: Date,
) -> Vec<Proposal> {
    let projects: HashMap<ProjectId, &Project> =
        portfolio.projects.iter().map(|p| (p.id, &**p)).collect();
    let live = |p: &Project| !rates::is_suspended(p, as_of) && !p.year_plans.is_empty();
    let open = book.open_on(as_of);
    let mut found: BTreeMap<String, Proposal> = BTreeMap::new();
    let mut add = |act: ActKind,
                   unit: UnitId,
                   district: Option<UnitId>,
                   subject: Subject,
                   projects: Vec<ProjectId>,
                   title: String,
                   reason: String| {
        let key = subject.key(act);
        match found.get_mut(&key) {
            Some(p) => {
                p.reason = format!("{}；{reason}", p.reason);
                for id in projects {
                    if !p.projects.contains(&id) {
                        p.projects.push(id);
                    }
                }
            }
            None => {
                found.insert(
                    key.clone(),
                    Proposal {
                        key,
                        act,
                        unit,
                        project: match subject {
                            Subject::Project(id) => Some(id),
                            Subject::Unit(_) => None,
                        },
                        district,
                        projects,
                        title,
                        reason,
                    },
                );
            }
        }
    };
    let window = |days: i64| as_of - jiff::Span::new().days(days);

    for (act, trigger) in rules.triggers() {
        match trigger {
            Trigger::MilestoneOverdue { days } => {
                // The most overdue milestone of each project past the threshold.
                let mut worst: BTreeMap<ProjectId, (i64, &str)> = BTreeMap::new();
                for p in portfolio.projects.iter().filter(|p| live(p)) {
                    for m in &p.milestones {
                        if let Some(d) = rates::overdue_days(m, as_of).filter(|d| *d >= days)
                            && worst.get(&p.id).is_none_or(|(w, _)| d > *w)
                        {
                            worst.insert(p.id, (d, m.name.as_str()));
                        }
                    }
                }
                for (id, (d, milestone)) in worst {
                    let p = projects[&id];
                    let (unit, district, subject) = to_project(p);
                    add(
                        act,
                        unit,
                        district,
                        subject,
                        vec![id],
                        format!("{}：{}「{milestone}」节点逾期{d}天", act.label(), p.name),
                        format!("「{milestone}」节点逾期 {d} 天（≥ {days} 天）"),
                    );
                }
            }
            Trigger::RepeatedWarnings { count, within_days } => {
                let mut warned: BTreeMap<ProjectId, Vec<_>> = BTreeMap::new();
                for e in book.between(window(within_days - 1), as_of) {
                    if e.level.is_some_and(|l| l >= WarningLevel::Warning) {
                        let ms = warned.entry(e.project).or_default();
                        if !ms.contains(&e.milestone) {
                            ms.push(e.milestone);
                        }
                    }
                }
                for (id, ms) in warned.into_iter().filter(|(_, ms)| ms.len() >= count) {
                    let Some(p) = projects.get(&id).filter(|p| live(p)) else {
                        continue;
                    };
                    let (unit, district, subject) = to_project(p);
                    add(
                        act,
                        unit,
                        district,
                        subject,
                        vec![id],
                        format!("{}：{}屡次警示", act.label(), p.name),
                        format!("{within_days} 天内 {} 个节点达到警示", ms.len()),
                    );
                }
            }
            Trigger::DistrictWarnings { count } => {
                let mut by_district: BTreeMap<UnitId, Vec<ProjectId>> = BTreeMap::new();
                for w in open.iter().filter(|w| w.level >= WarningLevel::Warning) {
                    let ps = by_district.entry(w.district).or_default();
                    if !ps.contains(&w.project) {
                        ps.push(w.project);
                    }
                }
                for (district, mut ps) in by_district.into_iter().filter(|(_, p)| p.len() >= count)
                {
                    ps.sort();
                    let name = portfolio.unit(district).map_or("", |u| u.name.as_str());
                    add(
                        act,
                        district,
                        Some(district),
                        Subject::Unit(district),
                        ps.clone(),
                        format!("{}：{name}{}个项目处于警示", act.label(), ps.len()),
                        format!("{} 个项目处于警示（≥ {count} 个）", ps.len()),
                    );
                }
            }
            Trigger::RepeatedSupervision { count, within_days } => {
                let from = window(within_days - 1);
                let mut by_unit: BTreeMap<UnitId, Vec<&TrackedItem>> = BTreeMap::new();
                for i in items.iter().filter(|i| {
                    i.kind == ItemKind::Supervision && i.opened_on >= from && i.opened_on <= as_of
                }) {
                    by_unit.entry(i.owner).or_default().push(i);
                }
                for (unit, list) in by_unit.into_iter().filter(|(_, l)| l.len() >= count) {
                    let mut ps: Vec<ProjectId> = list.iter().filter_map(|i| i.project).collect();
                    ps.sort();
                    ps.dedup();
                    let name = portfolio.unit(unit).map_or("", |u| u.name.as_str());
                    let district = list
                        .iter()
                        .find_map(|i| i.district)
                        .or_else(|| portfolio.unit(unit).and_then(|u| u.parent.or(Some(u.id))));
                    add(
                        act,
                        unit,
                        district,
                        Subject::Unit(unit),
                        ps,
                        format!(
                            "{}：{name}{within_days}天内被督办{}次",
                            act.label(),
                            list.len()
                        ),
                        format!("{within_days} 天内被督办 {} 次（≥ {count} 次）", list.len()),
                    );
                }
            }
        }
    }

    let quiet_from = window(rules.quiet_days);
    let decided_recently = |key: &str| {
        dismissals
            .iter()
            .any(|d| d.key == key && d.on <= as_of && d.on > quiet_from)
            || items.iter().any(|i| {
                i.opened_on <= as_of
                    && i.opened_on > quiet_from
                    && i.act
                        .as_ref()
                        .and_then(|a| a.proposal.as_deref())
                        .is_some_and(|k| k == key)
            })
    };
    let open_act = |kind: ItemKind, pred: &dyn Fn(&TrackedItem) -> bool| {
        items.iter().any(|i| {
            i.kind == kind
                && i.opened_on <= as_of
                && i.state_on(as_of).status != ItemStatus::Closed
                && pred(i)
        })
    };
    found
        .into_values()
        .filter(|p| !decided_recently(&p.key))
        .filter(|p| match (p.act, p.project) {
            // A project under an open 督办 (however decided) is not proposed another.
            (ActKind::Supervision, Some(project)) => {
                !open_act(ItemKind::Supervision, &|i| i.concerns(project))
            }
            // A unit with a 约谈 still being followed up is not summoned again.
            (ActKind::Summons, _) => !open_act(ItemKind::Summons, &|i| i.owner == p.unit),
            _ => true,
        })
        .collect()
}

/// What a proposal is about: a project or a unit.
enum Subject {
    Project(ProjectId),
    Unit(UnitId),
}

impl Subject {
    fn key(&self, act: ActKind) -> String {
        match self {
            Subject::Project(id) => format!("{}:project:{}", act.code(), id.0),
            Subject::Unit(id) => format!("{}:unit:{}", act.code(), id.0),
        }
    }
}

/// A project's act goes to its responsible unit (for a 约谈, to the head of that unit).
fn to_project(p: &Project) -> (UnitId, Option<UnitId>, Subject) {
    (p.responsible_unit, Some(p.district), Subject::Project(p.id))
}

/// Acts issued (items of an act kind opened) from `from` to `to`, both included, in opening
/// order: what scores, bulletins and the dispatch pack count, each once.
pub fn issued_between(
    items: &[TrackedItem],
    from: Date,
    to: Date,
) -> impl Iterator<Item = &TrackedItem> {
    items
        .iter()
        .filter(move |i| i.kind.is_act() && i.opened_on >= from && i.opened_on <= to)
}

/// The projects an act (督办 or 约谈) is about — its main project — while it is open at the end
/// of `as_of`: they show red. (A 约谈 of a district names no main project.)
pub fn projects_under_acts(items: &[TrackedItem], as_of: Date) -> Vec<ProjectId> {
    let mut out: Vec<ProjectId> = items
        .iter()
        .filter(|i| {
            i.kind.is_act()
                && i.opened_on <= as_of
                && i.state_on(as_of).status != ItemStatus::Closed
        })
        .filter_map(|i| i.project)
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests;
