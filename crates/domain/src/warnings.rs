//! The warnings ladder (警示提醒): a milestone that slips gets a warning whose level rises with
//! its lateness — 提醒 → 警示 — and a milestone about to slip is flagged 风险 before its due date.
//! The thresholds are configuration ([`WarningRules`], read from TOML), not code.
//!
//! 督办 and 约谈 are not rungs of this ladder: they are acts the command office issues to a unit
//! (a notice about a project, a unit's head summoned). The same rules file says when the office
//! is *proposed* one ([`crate::acts`]); the office issues or dismisses each proposal.
//!
//! Warnings are a history of events, never deleted: each change of a milestone's level (raised,
//! escalated, de-escalated, lifted) is one [`WarningEvent`]. The daily job asks [`evaluate`] what
//! every milestone's level should be today and [`WarningBook::changes`] what events that takes;
//! counts by month read the events, so a warning stays counted in the month it happened after
//! the project finishes.

use std::collections::HashMap;
use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::acts::ProposalRules;
use crate::model::{CategoryId, MilestoneId, Portfolio, Project, ProjectId, UnitId};
use crate::rates;

/// How serious a warning is, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningLevel {
    /// 风险: not yet due, but the project's pace says it will slip.
    AtRisk,
    /// 提醒: a reminder.
    Reminder,
    /// 警示: a warning.
    Warning,
}

impl WarningLevel {
    /// Every level, lowest first.
    pub const ALL: [WarningLevel; 3] = [
        WarningLevel::AtRisk,
        WarningLevel::Reminder,
        WarningLevel::Warning,
    ];

    /// The code stored and used in URLs and configuration.
    pub fn code(self) -> &'static str {
        match self {
            WarningLevel::AtRisk => "at_risk",
            WarningLevel::Reminder => "reminder",
            WarningLevel::Warning => "warning",
        }
    }

    /// The level with `code`.
    pub fn from_code(code: &str) -> Option<WarningLevel> {
        WarningLevel::ALL.into_iter().find(|l| l.code() == code)
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            WarningLevel::AtRisk => "风险",
            WarningLevel::Reminder => "提醒",
            WarningLevel::Warning => "警示",
        }
    }

    /// The light a project with an open warning of this level shows (red is for a project under
    /// an issued 督办 or 约谈: see [`project_lights`]).
    pub fn light(self) -> Light {
        match self {
            WarningLevel::AtRisk | WarningLevel::Reminder => Light::Blue,
            WarningLevel::Warning => Light::Yellow,
        }
    }
}

impl fmt::Display for WarningLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The red/yellow/blue light (红黄蓝灯) of a project, district or category; `None` is no light.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Light {
    /// No open warning.
    None,
    /// 蓝灯.
    Blue,
    /// 黄灯.
    Yellow,
    /// 红灯.
    Red,
}

impl Light {
    /// The code used in CSS classes and JSON.
    pub fn code(self) -> &'static str {
        match self {
            Light::None => "none",
            Light::Blue => "blue",
            Light::Yellow => "yellow",
            Light::Red => "red",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Light::None => "无",
            Light::Blue => "蓝灯",
            Light::Yellow => "黄灯",
            Light::Red => "红灯",
        }
    }
}

/// One rung of the ladder: overdue by at least `days` → `level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverdueRung {
    /// Days overdue from which the rung applies (≥ 1).
    pub days: i64,
    /// The level it gives.
    pub level: WarningLevel,
}

/// A project warned again and again is supervised: `count` other milestones of the same project
/// reached level `from` within `within_days` lift an overdue milestone to at least `level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepeatRule {
    /// How many earlier warnings.
    pub count: usize,
    /// Of at least this level.
    pub from: WarningLevel,
    /// Within this many days before the evaluation date.
    pub within_days: i64,
    /// The level they lift a current overdue warning to.
    pub level: WarningLevel,
}

/// "At risk" before the due date, from the project's pace: a milestone due within
/// `within_days` whose predicted lateness — the longest lateness of an unreached predecessor,
/// or else the mean lateness of the milestones already reached — is at least
/// `min_predicted_days`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AtRiskRule {
    /// How far ahead of the due date the flag can show.
    pub within_days: i64,
    /// The predicted lateness that raises it.
    pub min_predicted_days: i64,
}

/// When a district or category turns a colour: the share of its projects at that light or
/// worse.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LightRule {
    /// Share of projects with a red light that turns the group red.
    pub red_share: f64,
    /// Share with yellow or red that turns it yellow.
    pub yellow_share: f64,
}

/// The longest span of days a rules file may give (ten years): every day count — rungs,
/// windows, lead times, quiet periods — is checked against it, so date arithmetic on them can
/// never leave the calendar (a window of 11,111,111,160 days once passed validation and made the
/// daily job panic).
pub const MAX_RULE_DAYS: i64 = 3_660;

/// The ladder as the office configures it. Versioned: the daily job records which version
/// raised each warning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarningRules {
    /// The configuration's version, raised by the office on each change.
    pub version: u32,
    /// Overdue rungs, ascending in days and level.
    pub overdue: Vec<OverdueRung>,
    /// Repeated warnings, if the office uses the rule.
    pub repeat: Option<RepeatRule>,
    /// At risk before the due date, if used.
    pub at_risk: Option<AtRiskRule>,
    /// Lights of districts and categories.
    pub lights: LightRule,
    /// When the office is proposed a 督办 or a 约谈 (none when the file has no `[proposals]`).
    #[serde(default)]
    pub proposals: ProposalRules,
}

/// The ladder: ≥ 1 day 提醒, ≥ 15 警示; two other 警示 in 60 days → 警示; 风险 within 14 days of
/// the due date at a pace of 7 days late. 督办 is proposed for a project with a milestone 30 days
/// overdue or three milestones warned in 90 days, 约谈 for a district with 35 projects at 警示 or
/// a unit given 5 督办 in 90 days.
pub const DEFAULT_RULES_TOML: &str = r#"# 警示提醒规则（指挥部办公室可修改；每次修改请将 version 加 1）
version = 1

# 节点逾期天数 → 等级
[[overdue]]
days = 1
level = "reminder"     # 提醒

[[overdue]]
days = 15
level = "warning"      # 警示

# 同一项目 60 天内已有 2 个其他节点达到警示，则当前逾期节点至少警示
[repeat]
count = 2
from = "warning"
within_days = 60
level = "warning"

# 到期前 14 天内，按进度预测将滞后 7 天及以上的节点标记为风险
[at_risk]
within_days = 14
min_predicted_days = 7

# 县区、类别亮灯：红灯项目占比、黄灯及以上项目占比
[lights]
red_share = 0.05
yellow_share = 0.15

# 督办、约谈是指挥部对单位的行动，由指挥部办公室签发。以下规则只提出建议，
# 办公室逐条签发（文号、期限；约谈另记参加人员和纪要）或不予签发。
# 同一对象的建议签发或不予签发后，quiet_days 天内不再提出。
[proposals]
quiet_days = 30

# 督办（发给项目责任单位）：项目有节点逾期 ≥ days 天
[[proposals.supervision]]
when = "milestone_overdue"
days = 30

# 督办：项目 within_days 天内有 ≥ count 个节点达到警示
[[proposals.supervision]]
when = "repeated_warnings"
count = 3
within_days = 90

# 约谈（县区负责人）：县区同时有 ≥ count 个项目处于警示
[[proposals.summons]]
when = "district_warnings"
count = 35

# 约谈（单位负责人）：单位 within_days 天内被督办 ≥ count 次
[[proposals.summons]]
when = "repeated_supervision"
count = 5
within_days = 90
"#;

impl Default for WarningRules {
    fn default() -> Self {
        WarningRules::from_toml(DEFAULT_RULES_TOML).expect("the default rules are valid")
    }
}

/// Why a rules file was refused: the line (1-based, when known) and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", line.map(|l| format!("第{l}行：")).unwrap_or_default())]
pub struct RulesError {
    /// The line the problem is on.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

/// Why rules were refused, naming the field at fault (see [`WarningRules::check`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct RuleProblem {
    /// The field, as a dotted path (`overdue.1.days`, `proposals.summons.0.count`).
    pub field: String,
    /// What is wrong, in Chinese.
    pub message: String,
}

impl WarningRules {
    /// Reads and validates rules from TOML text; a refused file names the line and the reason.
    pub fn from_toml(text: &str) -> Result<WarningRules, RulesError> {
        let rules: WarningRules = toml::from_str(text).map_err(|e| RulesError {
            line: e.span().map(|s| line_of(text, s.start)),
            message: crate::toml_zh::message(&e),
        })?;
        rules.check().map_err(|p| RulesError {
            line: find_line(
                text,
                if p.field.starts_with("proposals") {
                    "[proposals]"
                } else {
                    "[[overdue]]"
                },
            ),
            message: p.message,
        })?;
        Ok(rules)
    }

    /// Checks the thresholds: the one validation of rules, whether read from TOML or built from
    /// the settings form. A refusal names the field (`overdue.1.days`, `repeat.count`,
    /// `lights.red_share`, `proposals.supervision.0.days` …) and says what is expected.
    pub fn check(&self) -> Result<(), RuleProblem> {
        let refuse = |field: String, message: String| Err(RuleProblem { field, message });
        if self.overdue.is_empty() {
            return refuse(
                "overdue.0.days".into(),
                "至少需要一级逾期规则 [[overdue]]".into(),
            );
        }
        for (i, pair) in self.overdue.windows(2).enumerate() {
            if pair[1].days <= pair[0].days || pair[1].level <= pair[0].level {
                let field = if pair[1].days <= pair[0].days {
                    format!("overdue.{}.days", i + 1)
                } else {
                    format!("overdue.{}.level", i + 1)
                };
                return refuse(
                    field,
                    format!(
                        "逾期规则须按天数和等级递增：{}天{} 之后不能是 {}天{}",
                        pair[0].days, pair[0].level, pair[1].days, pair[1].level
                    ),
                );
            }
        }
        if self.overdue[0].days < 1 {
            return refuse("overdue.0.days".into(), "逾期天数须 ≥ 1".into());
        }
        let too_long = |days: i64| days > MAX_RULE_DAYS;
        if let Some((i, r)) = self
            .overdue
            .iter()
            .enumerate()
            .find(|(_, r)| too_long(r.days))
        {
            return refuse(
                format!("overdue.{i}.days"),
                format!("逾期天数须 ≤ {MAX_RULE_DAYS}（十年），得到 {}", r.days),
            );
        }
        if let Some(i) = self
            .overdue
            .iter()
            .position(|r| r.level == WarningLevel::AtRisk)
        {
            return refuse(
                format!("overdue.{i}.level"),
                "风险等级只用于到期前（[at_risk]），不能作为逾期等级".into(),
            );
        }
        if let Some(r) = self.repeat {
            let field = if r.count == 0 {
                Some("repeat.count")
            } else if r.within_days < 1 {
                Some("repeat.within_days")
            } else {
                None
            };
            if let Some(field) = field {
                return refuse(
                    field.into(),
                    "[repeat] 的 count 与 within_days 须 ≥ 1".into(),
                );
            }
            if too_long(r.within_days) {
                return refuse(
                    "repeat.within_days".into(),
                    format!(
                        "[repeat] 的 within_days 须 ≤ {MAX_RULE_DAYS}（十年），得到 {}",
                        r.within_days
                    ),
                );
            }
        }
        if let Some(r) = self.at_risk {
            let field = if r.within_days < 1 || too_long(r.within_days) {
                Some("at_risk.within_days")
            } else if r.min_predicted_days < 1 || too_long(r.min_predicted_days) {
                Some("at_risk.min_predicted_days")
            } else {
                None
            };
            if let Some(field) = field {
                let message = if r.within_days < 1 || r.min_predicted_days < 1 {
                    "[at_risk] 的 within_days 与 min_predicted_days 须 ≥ 1".to_string()
                } else {
                    format!(
                        "[at_risk] 的 within_days 与 min_predicted_days 须 ≤ {MAX_RULE_DAYS}（十年）"
                    )
                };
                return refuse(field.into(), message);
            }
        }
        let l = self.lights;
        for (field, share) in [
            ("lights.red_share", l.red_share),
            ("lights.yellow_share", l.yellow_share),
        ] {
            if !(0.0..=1.0).contains(&share) {
                return refuse(
                    field.into(),
                    "[lights] 占比须在 0 到 1 之间（即 0% 到 100%）".into(),
                );
            }
        }
        self.proposals.check()
    }

    /// The rules as a TOML file [`WarningRules::from_toml`] reads back to the same value: what
    /// the settings form saves (without the default file's comments).
    pub fn to_toml(&self) -> String {
        use crate::acts::Trigger;
        use std::fmt::Write as _;
        let mut t = String::new();
        // Writing into a String cannot fail.
        t.push_str("# 警示提醒规则（由设置页表单保存；每次修改 version 加 1）\n");
        let _ = writeln!(t, "version = {}", self.version);
        for r in &self.overdue {
            let _ = write!(
                t,
                "\n[[overdue]]\ndays = {}\nlevel = \"{}\"  # {}\n",
                r.days,
                r.level.code(),
                r.level.label()
            );
        }
        if let Some(r) = self.repeat {
            let _ = write!(
                t,
                "\n[repeat]\ncount = {}\nfrom = \"{}\"\nwithin_days = {}\nlevel = \"{}\"\n",
                r.count,
                r.from.code(),
                r.within_days,
                r.level.code()
            );
        }
        if let Some(r) = self.at_risk {
            let _ = write!(
                t,
                "\n[at_risk]\nwithin_days = {}\nmin_predicted_days = {}\n",
                r.within_days, r.min_predicted_days
            );
        }
        let _ = write!(
            t,
            "\n[lights]\nred_share = {:?}\nyellow_share = {:?}\n",
            self.lights.red_share, self.lights.yellow_share
        );
        let p = &self.proposals;
        let _ = write!(t, "\n[proposals]\nquiet_days = {}\n", p.quiet_days);
        for (act, list) in [("supervision", &p.supervision), ("summons", &p.summons)] {
            for trigger in list {
                let _ = write!(t, "\n[[proposals.{act}]]\n");
                let _ = match *trigger {
                    Trigger::MilestoneOverdue { days } => {
                        write!(t, "when = \"milestone_overdue\"\ndays = {days}\n")
                    }
                    Trigger::RepeatedWarnings { count, within_days } => write!(
                        t,
                        "when = \"repeated_warnings\"\ncount = {count}\nwithin_days = {within_days}\n"
                    ),
                    Trigger::DistrictWarnings { count } => {
                        write!(t, "when = \"district_warnings\"\ncount = {count}\n")
                    }
                    Trigger::RepeatedSupervision { count, within_days } => write!(
                        t,
                        "when = \"repeated_supervision\"\ncount = {count}\nwithin_days = {within_days}\n"
                    ),
                };
            }
        }
        t
    }

    /// Reads `text` as the successor of the rules in force, `current`: valid, and its version
    /// raised. Warning events record the version that decided them, so two rule sets must never
    /// share one; every writer (the settings page, `jianguan rules set`) passes this one gate.
    pub fn successor_from_toml(
        text: &str,
        current: &WarningRules,
    ) -> Result<WarningRules, RulesError> {
        let rules = WarningRules::from_toml(text)?;
        if rules.version <= current.version {
            return Err(RulesError {
                line: text
                    .lines()
                    .position(|l| l.trim_start().starts_with("version"))
                    .map(|i| i + 1),
                message: format!(
                    "version 须大于正在执行的第 {} 版（每次修改请将 version 加 1）",
                    current.version
                ),
            });
        }
        Ok(rules)
    }

    /// The level for a milestone overdue by `days`, if any rung applies.
    pub fn level_for_overdue(&self, days: i64) -> Option<WarningLevel> {
        self.overdue
            .iter()
            .rev()
            .find(|r| days >= r.days)
            .map(|r| r.level)
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

fn find_line(text: &str, needle: &str) -> Option<usize> {
    text.find(needle).map(|o| line_of(text, o))
}

/// What a milestone's warning should be on a date, with the reason in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    /// The project.
    pub project: ProjectId,
    /// The milestone.
    pub milestone: MilestoneId,
    /// The level it should have.
    pub level: WarningLevel,
    /// Why, e.g. "「开工」计划 2021-05-31，逾期 16 天".
    pub reason: String,
}

/// One change of a milestone's warning: raised (`previous` none), escalated, de-escalated or
/// lifted (`level` none). Never deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningEvent {
    /// Identity (0 before it is stored).
    pub id: i64,
    /// The project.
    pub project: ProjectId,
    /// The milestone.
    pub milestone: MilestoneId,
    /// The responsible unit warned.
    pub unit: UnitId,
    /// The project's district.
    pub district: UnitId,
    /// The day of the change.
    pub on: Date,
    /// The level before, if the milestone had a warning.
    pub previous: Option<WarningLevel>,
    /// The level after; none when the warning is lifted.
    pub level: Option<WarningLevel>,
    /// Why.
    pub reason: String,
    /// The rules version that decided it.
    pub rules_version: u32,
}

/// What kind of change an event is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// A new warning.
    Raised,
    /// Its level rose.
    Escalated,
    /// Its level fell.
    DeEscalated,
    /// It ended (the milestone was reached, or the project suspended).
    Lifted,
}

impl Change {
    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Change::Raised => "新发",
            Change::Escalated => "升级",
            Change::DeEscalated => "降级",
            Change::Lifted => "解除",
        }
    }
}

impl WarningEvent {
    /// What kind of change this is.
    pub fn change(&self) -> Change {
        match (self.previous, self.level) {
            (None, _) => Change::Raised,
            (Some(_), None) => Change::Lifted,
            (Some(p), Some(l)) if l > p => Change::Escalated,
            _ => Change::DeEscalated,
        }
    }
}

/// A warning open on a date: the milestone's current level and since when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenWarning {
    /// The project.
    pub project: ProjectId,
    /// The milestone.
    pub milestone: MilestoneId,
    /// The responsible unit.
    pub unit: UnitId,
    /// The district.
    pub district: UnitId,
    /// The current level.
    pub level: WarningLevel,
    /// The reason given at the last change.
    pub reason: String,
    /// The day the warning was first raised.
    pub since: Date,
    /// The day of its last change.
    pub changed_on: Date,
    /// The rules version that set its level.
    pub rules_version: u32,
}

/// The warnings' history, indexed for the questions the job, pages and scoring ask. It keeps
/// the warnings open after its last event, so the daily job (which evaluates a day after every
/// earlier one) does not rescan the history.
#[derive(Debug, Clone, Default)]
pub struct WarningBook {
    events: Vec<WarningEvent>,
    current: HashMap<(ProjectId, MilestoneId), OpenWarning>,
}

fn apply(open: &mut HashMap<(ProjectId, MilestoneId), OpenWarning>, e: &WarningEvent) {
    let key = (e.project, e.milestone);
    match e.level {
        None => {
            open.remove(&key);
        }
        Some(level) => {
            let since = open.get(&key).map_or(e.on, |w| w.since);
            open.insert(
                key,
                OpenWarning {
                    project: e.project,
                    milestone: e.milestone,
                    unit: e.unit,
                    district: e.district,
                    level,
                    reason: e.reason.clone(),
                    since,
                    changed_on: e.on,
                    rules_version: e.rules_version,
                },
            );
        }
    }
}

impl WarningBook {
    /// A book of `events` (any order; sorted by day then id).
    pub fn new(mut events: Vec<WarningEvent>) -> WarningBook {
        events.sort_by_key(|e| (e.on, e.id));
        let mut current = HashMap::new();
        for e in &events {
            apply(&mut current, e);
        }
        WarningBook { events, current }
    }

    /// Every event, by day.
    pub fn events(&self) -> &[WarningEvent] {
        &self.events
    }

    /// Adds events the job has just recorded.
    pub fn extend(&mut self, events: impl IntoIterator<Item = WarningEvent>) {
        let last = self.last_day();
        let start = self.events.len();
        self.events.extend(events);
        let in_order = self.events[start..]
            .iter()
            .all(|e| last.is_none_or(|l| e.on >= l));
        if in_order {
            self.events[start..].sort_by_key(|e| (e.on, e.id));
            for e in &self.events[start..] {
                apply(&mut self.current, e);
            }
        } else {
            *self = WarningBook::new(std::mem::take(&mut self.events));
        }
    }

    fn last_day(&self) -> Option<Date> {
        self.events.last().map(|e| e.on)
    }

    /// The warnings open at the end of `as_of`, keyed by milestone.
    fn open_map(
        &self,
        as_of: Date,
    ) -> std::borrow::Cow<'_, HashMap<(ProjectId, MilestoneId), OpenWarning>> {
        if self.last_day().is_none_or(|l| l <= as_of) {
            return std::borrow::Cow::Borrowed(&self.current);
        }
        let mut open = HashMap::new();
        for e in self.events.iter().take_while(|e| e.on <= as_of) {
            apply(&mut open, e);
        }
        std::borrow::Cow::Owned(open)
    }

    /// The warnings open at the end of `as_of`, by project then milestone.
    pub fn open_on(&self, as_of: Date) -> Vec<OpenWarning> {
        let mut list: Vec<OpenWarning> = self.open_map(as_of).values().cloned().collect();
        list.sort_by_key(|w| (w.project, w.milestone));
        list
    }

    /// The events from `from` to `to`, both included.
    pub fn between(&self, from: Date, to: Date) -> impl Iterator<Item = &WarningEvent> {
        let start = self.events.partition_point(|e| e.on < from);
        self.events[start..].iter().take_while(move |e| e.on <= to)
    }

    /// The events that turn what is open at the end of `as_of` (per this book) into what
    /// `assessments` say; a milestone missing from `assessments` is lifted.
    pub fn changes(
        &self,
        portfolio: &Portfolio,
        assessments: &[Assessment],
        as_of: Date,
        rules_version: u32,
    ) -> Vec<WarningEvent> {
        let open = self.open_map(as_of);
        let index = ProjectIndex::new(portfolio);
        let mut events = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for a in assessments {
            let key = (a.project, a.milestone);
            seen.insert(key);
            let previous = open.get(&key).map(|w| w.level);
            if previous == Some(a.level) {
                continue;
            }
            let Some(project) = index.get(a.project) else {
                continue;
            };
            events.push(WarningEvent {
                id: 0,
                project: a.project,
                milestone: a.milestone,
                unit: project.responsible_unit,
                district: project.district,
                on: as_of,
                previous,
                level: Some(a.level),
                reason: a.reason.clone(),
                rules_version,
            });
        }
        let mut lifted: Vec<&OpenWarning> = open
            .values()
            .filter(|w| !seen.contains(&(w.project, w.milestone)))
            .collect();
        lifted.sort_by_key(|w| (w.project, w.milestone));
        for w in lifted {
            let reason = index
                .get(w.project)
                .and_then(|p| p.milestones.iter().find(|m| m.id == w.milestone))
                .map_or_else(
                    || "节点已不在计划中".to_string(),
                    |m| match m.actual.filter(|a| *a <= as_of) {
                        Some(a) => format!("「{}」已于 {a} 完成", m.name),
                        None => format!("「{}」不再逾期或项目暂缓", m.name),
                    },
                );
            events.push(WarningEvent {
                id: 0,
                project: w.project,
                milestone: w.milestone,
                unit: w.unit,
                district: w.district,
                on: as_of,
                previous: Some(w.level),
                level: None,
                reason,
                rules_version,
            });
        }
        events.sort_by_key(|e| (e.project, e.milestone));
        events
    }

    /// Warnings that reached each level in the days from `from` to `to` (raised at it or
    /// escalated into it), counted per responsible unit: what the monthly assessment reads.
    pub fn counts_by_unit(&self, from: Date, to: Date) -> HashMap<UnitId, LevelCounts> {
        let mut counts: HashMap<UnitId, LevelCounts> = HashMap::new();
        for e in self.between(from, to) {
            if let Some(level) = e.level
                && e.previous.is_none_or(|p| level > p)
            {
                counts.entry(e.unit).or_default().add(level);
            }
        }
        counts
    }
}

/// Counts per warning level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LevelCounts {
    /// 风险.
    pub at_risk: u64,
    /// 提醒.
    pub reminder: u64,
    /// 警示.
    pub warning: u64,
}

impl LevelCounts {
    /// Counts one more at `level`.
    pub fn add(&mut self, level: WarningLevel) {
        match level {
            WarningLevel::AtRisk => self.at_risk += 1,
            WarningLevel::Reminder => self.reminder += 1,
            WarningLevel::Warning => self.warning += 1,
        }
    }

    /// The count at `level`.
    pub fn get(&self, level: WarningLevel) -> u64 {
        match level {
            WarningLevel::AtRisk => self.at_risk,
            WarningLevel::Reminder => self.reminder,
            WarningLevel::Warning => self.warning,
        }
    }
}

/// How many milestones each level `rules` would give at the end of `as_of`, given the history
/// in `book`: the settings page's preview of new rules against the rules in force.
pub fn count_levels(
    portfolio: &Portfolio,
    rules: &WarningRules,
    book: &WarningBook,
    as_of: Date,
) -> LevelCounts {
    let mut counts = LevelCounts::default();
    for a in evaluate(portfolio, rules, book, as_of) {
        counts.add(a.level);
    }
    counts
}

struct ProjectIndex<'a> {
    by_id: HashMap<ProjectId, &'a Project>,
}

impl<'a> ProjectIndex<'a> {
    fn new(portfolio: &'a Portfolio) -> Self {
        ProjectIndex {
            by_id: portfolio.projects.iter().map(|p| (p.id, &**p)).collect(),
        }
    }

    fn get(&self, id: ProjectId) -> Option<&'a Project> {
        self.by_id.get(&id).copied()
    }
}

/// What every milestone's warning should be at the end of `as_of` under `rules`, given the
/// history so far (for the repeat rule). Suspended projects and reached milestones have none.
pub fn evaluate(
    portfolio: &Portfolio,
    rules: &WarningRules,
    book: &WarningBook,
    as_of: Date,
) -> Vec<Assessment> {
    let repeats = rules.repeat.map(|r| recent_warned(book, r, as_of));
    // What was open before the day (not the day's own changes, so a day evaluated twice gives
    // the same answer).
    let before_day = book.open_map(as_of - jiff::Span::new().days(1));
    let mut out = Vec::new();
    for project in &portfolio.projects {
        if rates::is_suspended(project, as_of) || project.year_plans.is_empty() {
            continue;
        }
        let before = out.len();
        assess_project(project, rules, as_of, &mut out);
        if let (Some(rule), Some(recent)) = (rules.repeat, &repeats) {
            for a in &mut out[before..] {
                if a.level < WarningLevel::Reminder || a.level >= rule.level {
                    continue;
                }
                let others = recent
                    .get(&project.id)
                    .map_or(0, |ms| ms.iter().filter(|m| **m != a.milestone).count());
                if others >= rule.count {
                    a.level = rule.level;
                    a.reason = format!(
                        "{}；{} 天内另有 {others} 个节点达到{}",
                        a.reason, rule.within_days, rule.from
                    );
                }
            }
        }
        // A milestone still overdue keeps the level it reached under the same rules: a repeat
        // raise does not lapse while the milestone gets later. (New rules start afresh, so the
        // office lowering its thresholds does de-escalate.)
        for a in &mut out[before..] {
            if a.level < WarningLevel::Reminder {
                continue;
            }
            if let Some(w) = before_day.get(&(a.project, a.milestone))
                && w.rules_version == rules.version
                && w.level > a.level
            {
                a.level = w.level;
                a.reason = w.reason.clone();
            }
        }
    }
    out
}

/// Per project, the milestones whose warnings reached `rule.from` in the rule's window before
/// `as_of`.
fn recent_warned(
    book: &WarningBook,
    rule: RepeatRule,
    as_of: Date,
) -> HashMap<ProjectId, Vec<MilestoneId>> {
    // The history before `as_of`: the day's own changes do not count, so evaluating a day
    // twice gives the same answer (the job is idempotent).
    let from = as_of - jiff::Span::new().days(rule.within_days);
    let until = as_of - jiff::Span::new().days(1);
    let mut map: HashMap<ProjectId, Vec<MilestoneId>> = HashMap::new();
    for e in book.between(from, until) {
        if e.level.is_some_and(|l| l >= rule.from) {
            let ms = map.entry(e.project).or_default();
            if !ms.contains(&e.milestone) {
                ms.push(e.milestone);
            }
        }
    }
    map
}

fn assess_project(project: &Project, rules: &WarningRules, as_of: Date, out: &mut Vec<Assessment>) {
    let mut worst_predecessor: i64 = 0;
    let mut late_sum: i64 = 0;
    let mut reached: i64 = 0;
    for m in &project.milestones {
        if let Some(late) = rates::days_late(m, as_of) {
            late_sum += late;
            reached += 1;
            continue;
        }
        if let Some(days) = rates::overdue_days(m, as_of) {
            if let Some(level) = rules.level_for_overdue(days) {
                out.push(Assessment {
                    project: project.id,
                    milestone: m.id,
                    level,
                    reason: format!("「{}」计划 {}，逾期 {days} 天", m.name, m.planned),
                });
            }
            worst_predecessor = worst_predecessor.max(days);
            continue;
        }
        // Not yet due: at risk if the pace says it will slip.
        if let Some(rule) = rules.at_risk {
            let until = i64::from((m.planned - as_of).get_days());
            if until <= rule.within_days {
                let pace = if reached > 0 { late_sum / reached } else { 0 };
                let predicted = worst_predecessor.max(pace);
                if predicted >= rule.min_predicted_days {
                    let why = if worst_predecessor >= pace {
                        format!("前序节点已逾期 {worst_predecessor} 天")
                    } else {
                        format!("已完成节点平均滞后 {pace} 天")
                    };
                    out.push(Assessment {
                        project: project.id,
                        milestone: m.id,
                        level: WarningLevel::AtRisk,
                        reason: format!(
                            "「{}」计划 {}，{until} 天后到期；{why}",
                            m.name, m.planned
                        ),
                    });
                }
            }
        }
        // Only the next unreached milestone is judged for risk; later ones wait their turn.
        break;
    }
}

/// The light of each project with an open warning or under an act: red while an issued 督办 or
/// 约谈 concerning it is open (`under_acts`), else its worst open warning's light.
pub fn project_lights(
    open: &[OpenWarning],
    under_acts: impl IntoIterator<Item = ProjectId>,
) -> HashMap<ProjectId, Light> {
    let mut lights: HashMap<ProjectId, Light> = HashMap::new();
    for w in open {
        let light = w.level.light();
        let entry = lights.entry(w.project).or_insert(Light::None);
        *entry = (*entry).max(light);
    }
    for project in under_acts {
        lights.insert(project, Light::Red);
    }
    lights
}

/// The light of a group of `projects` (a district or category) with `lights` per project.
pub fn group_light(
    projects: u64,
    lights: impl IntoIterator<Item = Light>,
    rule: LightRule,
) -> Light {
    if projects == 0 {
        return Light::None;
    }
    let (mut red, mut yellow, mut any) = (0u64, 0u64, false);
    for l in lights {
        match l {
            Light::Red => red += 1,
            Light::Yellow => yellow += 1,
            Light::Blue => {}
            Light::None => continue,
        }
        any = true;
    }
    let share = |n: u64| n as f64 / projects as f64;
    if red > 0 && share(red) >= rule.red_share {
        Light::Red
    } else if red + yellow > 0 && share(red + yellow) >= rule.yellow_share {
        Light::Yellow
    } else if any {
        Light::Blue
    } else {
        Light::None
    }
}

/// A group's light (a district or category) and the counts behind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct GroupLight<Id> {
    /// The district or category.
    pub id: Id,
    /// Projects of the year in the group.
    pub projects: u64,
    /// Of those, with a red light.
    pub red: u64,
    /// With a yellow light.
    pub yellow: u64,
    /// With a blue light.
    pub blue: u64,
    /// The group's light.
    pub light: Light,
}

/// The lights of districts and of categories that have projects, each in id order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupLights {
    /// Per district.
    pub districts: Vec<GroupLight<UnitId>>,
    /// Per category.
    pub categories: Vec<GroupLight<CategoryId>>,
}

/// Lights of each district and each category over the projects of `year` that `visible` keeps
/// (a reader's scope, or all), from the projects' lights.
pub fn lights_by(
    portfolio: &Portfolio,
    year: i16,
    visible: impl Fn(&Project) -> bool,
    project_lights: &HashMap<ProjectId, Light>,
    rule: LightRule,
) -> GroupLights {
    let mut districts: HashMap<UnitId, Vec<Light>> = HashMap::new();
    let mut categories: HashMap<CategoryId, Vec<Light>> = HashMap::new();
    for p in portfolio
        .projects
        .iter()
        .filter(|p| p.plan_for(year).is_some() && visible(p))
    {
        let light = project_lights.get(&p.id).copied().unwrap_or(Light::None);
        districts.entry(p.district).or_default().push(light);
        categories.entry(p.category).or_default().push(light);
    }
    fn groups<Id: Ord + Copy>(
        map: HashMap<Id, Vec<Light>>,
        rule: LightRule,
    ) -> Vec<GroupLight<Id>> {
        let mut out: Vec<GroupLight<Id>> = map
            .into_iter()
            .map(|(id, ls)| {
                let n = |l: Light| ls.iter().filter(|x| **x == l).count() as u64;
                GroupLight {
                    id,
                    projects: ls.len() as u64,
                    red: n(Light::Red),
                    yellow: n(Light::Yellow),
                    blue: n(Light::Blue),
                    light: group_light(ls.len() as u64, ls.iter().copied(), rule),
                }
            })
            .collect();
        out.sort_by_key(|g| g.id);
        out
    }
    GroupLights {
        districts: groups(districts, rule),
        categories: groups(categories, rule),
    }
}

/// Runs the ladder day by day from `from` to `to` (both included), as the daily job would,
/// appending each day's changes to `book` with ids following on from `next_id`. Used to give
/// a history to data loaded without one (the demo city, an imported ledger).
pub fn replay(
    portfolio: &Portfolio,
    rules: &WarningRules,
    book: &mut WarningBook,
    from: Date,
    to: Date,
    mut next_id: i64,
) -> Vec<WarningEvent> {
    let mut all = Vec::new();
    let mut day = from;
    while day <= to {
        let assessments = evaluate(portfolio, rules, book, day);
        let mut events = book.changes(portfolio, &assessments, day, rules.version);
        for e in &mut events {
            e.id = next_id;
            next_id += 1;
        }
        book.extend(events.iter().cloned());
        all.extend(events);
        day = day.tomorrow().expect("dates in range");
    }
    all
}

#[cfg(test)]
mod tests;
