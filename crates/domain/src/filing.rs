//! Biweekly filing (两周一汇报): who is expected to file for a period, who filed on time, late
//! or not at all ([`compliance`]), and the one gate a new report version passes
//! ([`check_filing`]): scope aside (the web layer checks it), a report names a real period of
//! the project, milestones of the project with plausible dates, investment that does not fall
//! without a reason, and a reason for any change once the period is closed. A resubmission
//! identical to the latest version is the same report (idempotent).

use std::collections::HashMap;
use std::sync::Arc;

use crate::shards::ProjectMap;

use jiff::civil::Date;
use serde::Serialize;

use crate::fmt;
use crate::model::{
    MilestoneId, Money, PeriodId, Portfolio, ProgressReport, Project, ProjectId, ReportingPeriod,
    UnitId,
};
use crate::rates;

/// How a project's report for a period stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Filing {
    /// Filed by the deadline.
    OnTime,
    /// Filed after the deadline; the days late.
    Late(i64),
    /// Not filed and the deadline has passed.
    Missing,
    /// Not filed yet, the deadline still ahead.
    Pending,
}

impl Filing {
    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Filing::OnTime => "按时",
            Filing::Late(_) => "迟报",
            Filing::Missing => "漏报",
            Filing::Pending => "待报",
        }
    }
}

/// The period filing is for on `today`: the one `today` falls in, else the last one begun.
pub fn period_to_file(periods: &[ReportingPeriod], today: Date) -> Option<&ReportingPeriod> {
    periods
        .iter()
        .find(|p| p.start <= today && today <= p.end)
        .or_else(|| {
            periods
                .iter()
                .filter(|p| p.start <= today)
                .max_by_key(|p| p.start)
        })
}

/// The period whose reports are due next on `today`: of the periods begun, the one with the
/// earliest deadline not yet passed (on a deadline day, the period just ended, although `today`
/// already falls in the next); else the one filing is for ([`period_to_file`]).
pub fn period_due(periods: &[ReportingPeriod], today: Date) -> Option<&ReportingPeriod> {
    periods
        .iter()
        .filter(|p| p.start <= today && today <= p.deadline)
        .min_by_key(|p| p.deadline)
        .or_else(|| period_to_file(periods, today))
}

/// Whether `project` is expected to file for `period`: it is in that year's campaign, its
/// first milestone (planned or reached) falls on or before the period's end, and it was not
/// suspended before the period began.
pub fn expected_to_file(project: &Project, period: &ReportingPeriod) -> bool {
    let Some(first) = project
        .milestones
        .first()
        .map(|m| m.actual.map_or(m.planned, |a| a.min(m.planned)))
    else {
        return false;
    };
    project.plan_for(period.year).is_some()
        && first <= period.end
        && !rates::is_suspended(project, period.start)
}

/// When one version of a report was filed: all compliance needs of it (the store reads these
/// without the reports' texts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Filed {
    /// The project.
    pub project: ProjectId,
    /// The period.
    pub period: PeriodId,
    /// The version (1 = original).
    pub version: u16,
    /// The day it was filed.
    pub filed_on: Date,
}

impl From<&ProgressReport> for Filed {
    fn from(r: &ProgressReport) -> Filed {
        Filed {
            project: r.project,
            period: r.period,
            version: r.version,
            filed_on: r.filed_on,
        }
    }
}

/// How the project's filing for `period` stands on `as_of`, from the first version filed by
/// then (`reports` are this project's versions for this period, any order).
pub fn filing_of(reports: &[Filed], period: &ReportingPeriod, as_of: Date) -> Filing {
    let first = reports
        .iter()
        .filter(|r| r.filed_on <= as_of)
        .map(|r| r.filed_on)
        .min();
    match first {
        Some(d) if d <= period.deadline => Filing::OnTime,
        Some(d) => Filing::Late(i64::from((d - period.deadline).get_days())),
        None if as_of > period.deadline => Filing::Missing,
        None => Filing::Pending,
    }
}

/// Counts of expected reports by how they stand.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FilingCounts {
    /// Reports expected.
    pub expected: u64,
    /// Filed on time.
    pub on_time: u64,
    /// Filed late.
    pub late: u64,
    /// Not filed, deadline passed.
    pub missing: u64,
    /// Not filed, deadline ahead.
    pub pending: u64,
}

impl FilingCounts {
    fn add(&mut self, f: Filing) {
        self.expected += 1;
        match f {
            Filing::OnTime => self.on_time += 1,
            Filing::Late(_) => self.late += 1,
            Filing::Missing => self.missing += 1,
            Filing::Pending => self.pending += 1,
        }
    }

    /// 按时填报率: on time out of those whose deadline has passed.
    pub fn timeliness(&self) -> rates::Ratio {
        rates::Ratio::new(self.on_time, self.expected - self.pending)
    }
}

/// One project's filing for the period, for the lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectFiling {
    /// The project.
    pub project: ProjectId,
    /// Its responsible unit.
    pub unit: UnitId,
    /// Its district.
    pub district: UnitId,
    /// How it stands.
    pub filing: Filing,
}

/// Filing compliance of one period as of a date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Compliance {
    /// The period.
    pub period: ReportingPeriod,
    /// The date it is judged on.
    pub as_of: Date,
    /// All expected reports.
    pub total: FilingCounts,
    /// Per district, in id order.
    pub by_district: Vec<(UnitId, FilingCounts)>,
    /// Per responsible unit, in id order.
    pub by_unit: Vec<(UnitId, FilingCounts)>,
    /// The late and missing reports, by project.
    pub exceptions: Vec<ProjectFiling>,
}

/// Filing compliance of `period` as of `as_of` (`reports` indexed by [`reports_by_period`]).
pub fn compliance(
    portfolio: &Portfolio,
    reports: &ReportIndex,
    period: &ReportingPeriod,
    as_of: Date,
) -> Compliance {
    let mut total = FilingCounts::default();
    let mut districts: HashMap<UnitId, FilingCounts> = HashMap::new();
    let mut units: HashMap<UnitId, FilingCounts> = HashMap::new();
    let mut exceptions = Vec::new();
    for project in portfolio
        .projects
        .iter()
        .filter(|p| expected_to_file(p, period))
    {
        let versions = reports.get(project.id, period);
        let filing = filing_of(versions, period, as_of);
        total.add(filing);
        districts.entry(project.district).or_default().add(filing);
        units
            .entry(project.responsible_unit)
            .or_default()
            .add(filing);
        if matches!(filing, Filing::Late(_) | Filing::Missing) {
            exceptions.push(ProjectFiling {
                project: project.id,
                unit: project.responsible_unit,
                district: project.district,
                filing,
            });
        }
    }
    let sorted = |m: HashMap<UnitId, FilingCounts>| {
        let mut v: Vec<_> = m.into_iter().collect();
        v.sort_by_key(|x| x.0);
        v
    };
    Compliance {
        period: period.clone(),
        as_of,
        total,
        by_district: sorted(districts),
        by_unit: sorted(units),
        exceptions,
    }
}

/// `filed` grouped by report (project and period), each list in version order.
fn by_report(filed: impl IntoIterator<Item = Filed>) -> HashMap<(ProjectId, PeriodId), Vec<Filed>> {
    let mut lists: HashMap<(ProjectId, PeriodId), Vec<Filed>> = HashMap::new();
    for f in filed {
        lists.entry((f.project, f.period)).or_default().push(f);
    }
    for list in lists.values_mut() {
        list.sort_by_key(|r| r.version);
    }
    lists
}

/// Filings indexed by project and period.
#[derive(Debug, Default, PartialEq)]
pub struct ReportIndex {
    /// Shared lists, so that the index after a write copies no other project's versions
    /// ([`ReportIndex::with_projects`]).
    map: ProjectMap<(ProjectId, PeriodId), Arc<[Filed]>>,
}

impl ReportIndex {
    /// Indexes `filed`.
    pub fn new(filed: impl IntoIterator<Item = Filed>) -> ReportIndex {
        let map = by_report(filed)
            .into_iter()
            .map(|(key, list)| (key, Arc::from(list)))
            .collect();
        ReportIndex { map }
    }

    /// Indexes a portfolio's reports.
    pub fn of_reports(reports: &[ProgressReport]) -> ReportIndex {
        ReportIndex::new(reports.iter().map(Filed::from))
    }

    /// The latest version of `projects`' reports for `period` that every one of them has
    /// indexed (0 if one has none): a catch-up reads only the versions after it.
    pub fn versions_held(&self, period: PeriodId, projects: &[ProjectId]) -> u16 {
        projects
            .iter()
            .map(|p| {
                self.map
                    .get(&(*p, period))
                    .and_then(|list| list.last())
                    .map_or(0, |f| f.version)
            })
            .min()
            .unwrap_or(0)
    }

    /// This index with the later versions in `filed` added to their lists (a catch-up after a
    /// write, `filed` holding the versions after [`ReportIndex::versions_held`]); versions
    /// already indexed are skipped. Report versions are never changed or removed, so what the
    /// index holds stays true, and a catch-up reads what was filed since, not a project's
    /// whole history. Every list it does not extend is shared, not copied.
    pub fn with_later_versions(&self, filed: impl IntoIterator<Item = Filed>) -> ReportIndex {
        let mut map = self.map.clone();
        for (key, later) in by_report(filed) {
            let list = match map.get(&key) {
                Some(held) => {
                    let last = held.last().map_or(0, |f| f.version);
                    held.iter()
                        .chain(later.iter().filter(|f| f.version > last))
                        .copied()
                        .collect()
                }
                None => later.into(),
            };
            map.insert(key, list);
        }
        ReportIndex { map }
    }

    /// How many versions are indexed.
    pub fn len(&self) -> usize {
        self.map.values().map(|list| list.len()).sum()
    }

    /// Whether nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The versions of `project`'s report for `period`, oldest first.
    pub fn get(&self, project: ProjectId, period: &ReportingPeriod) -> &[Filed] {
        self.map.get(&(project, period.id)).map_or(&[], |v| &v[..])
    }
}

/// The period of `periods` whose deadline is the latest on or before `on`: the last period a
/// dispatch meeting on `on` can judge.
pub fn last_closed_period(periods: &[ReportingPeriod], on: Date) -> Option<&ReportingPeriod> {
    periods
        .iter()
        .filter(|p| p.deadline < on)
        .max_by_key(|p| p.deadline)
}

/// The current version of each (project, period) report among `reports`: the latest version
/// replaces its period's whole report (earlier versions stay on record).
pub fn current_versions<'a>(
    reports: impl IntoIterator<Item = &'a ProgressReport>,
) -> Vec<&'a ProgressReport> {
    let mut latest: HashMap<(ProjectId, PeriodId), &'a ProgressReport> = HashMap::new();
    for r in reports {
        let slot = latest.entry((r.project, r.period)).or_insert(r);
        if r.version > slot.version {
            *slot = r;
        }
    }
    let mut current: Vec<&ProgressReport> = latest.into_values().collect();
    current.sort_by_key(|r| (r.project, r.period));
    current
}

/// What the current versions of `reports` (one project's, any periods) say was reached: each
/// milestone named by a current version, with that version's period and the date it gives. A
/// milestone only an earlier, replaced version named is not reached: the correction withdrew
/// it. This is the rule the store applies to a milestone's actual date when a version is saved.
pub fn reached_in_reports<'a>(
    reports: impl IntoIterator<Item = &'a ProgressReport>,
) -> HashMap<MilestoneId, (PeriodId, Date)> {
    let mut reached = HashMap::new();
    for r in current_versions(reports) {
        for (m, on) in &r.milestones_reached {
            // Two current reports naming one milestone cannot pass the gate; were they stored,
            // the earlier date would stand (as the store's rule takes it).
            let slot = reached.entry(*m).or_insert((r.period, *on));
            if *on < slot.1 {
                *slot = (r.period, *on);
            }
        }
    }
    reached
}

/// The gate of a withdrawal the filer asks for in `period`'s report (unticking a milestone the
/// form showed as reached): a milestone the current version of this period's report names may
/// be withdrawn (the new version omits it, and being a change it needs a reason, which
/// [`check_filing`] asks for); one another period's report names is withdrawn only by
/// correcting that period's report, and is refused here naming the field.
pub fn check_withdrawals(
    project: &Project,
    period: &ReportingPeriod,
    earlier: &[&ProgressReport],
    withdrawn: &[MilestoneId],
) -> Result<(), FilingError> {
    let reached = reached_in_reports(earlier.iter().copied());
    for id in withdrawn {
        let name = project
            .milestones
            .iter()
            .find(|m| m.id == *id)
            .map_or_else(|| id.to_string(), |m| m.name.clone());
        if let Some((other, _)) = reached.get(id).filter(|(p, _)| *p != period.id) {
            return Err(refuse(
                "milestones",
                format!("「{name}」由期次 {other} 的填报报完成，撤回须更正该期填报"),
            ));
        }
    }
    Ok(())
}

/// Why a report was refused: the field and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FilingError {
    /// The form field at fault.
    pub field: &'static str,
    /// What was expected.
    pub message: String,
}

fn refuse(field: &'static str, message: impl Into<String>) -> FilingError {
    FilingError {
        field,
        message: message.into(),
    }
}

/// What filing a draft does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilingDecision {
    /// The draft equals the latest version: nothing new is stored (a double submit).
    Unchanged(crate::model::ReportId),
    /// Store it as this version number.
    NewVersion(u16),
}

/// The gate every new report version passes. `draft` carries the project, period, the
/// milestones reached, investment to date, note, problems and (for any change to a report
/// already filed) the reason; its `id`, `version` and `filed_on` are ignored and `today` is the
/// filing day. `earlier` holds every version of this project's reports (any period).
pub fn check_filing(
    project: &Project,
    period: &ReportingPeriod,
    earlier: &[&ProgressReport],
    draft: &ProgressReport,
    today: Date,
) -> Result<FilingDecision, FilingError> {
    if draft.project != project.id {
        return Err(refuse("project", "报告与项目不符"));
    }
    if draft.period != period.id || project.plan_for(period.year).is_none() {
        return Err(refuse("period", "该项目不在此期次的年度计划中"));
    }
    if period.start > today {
        return Err(refuse("period", format!("期次 {} 尚未开始", period.start)));
    }
    let campaign_start = project
        .years()
        .and_then(|(first, _)| Date::new(first, 1, 1).ok())
        .unwrap_or(period.start);
    let reached = reached_in_reports(earlier.iter().copied());
    let mut seen = Vec::new();
    for (milestone, on) in &draft.milestones_reached {
        let Some(m) = project.milestones.iter().find(|m| m.id == *milestone) else {
            return Err(refuse(
                "milestones",
                format!("节点 {milestone} 不属于该项目"),
            ));
        };
        if seen.contains(milestone) {
            return Err(refuse("milestones", format!("节点「{}」重复填报", m.name)));
        }
        seen.push(*milestone);
        if *on > today {
            return Err(refuse(
                "milestones",
                format!("「{}」的完成日期 {on} 晚于今天 {today}", m.name),
            ));
        }
        if *on < campaign_start {
            return Err(refuse(
                "milestones",
                format!(
                    "「{}」的完成日期 {on} 早于项目开始（{campaign_start}）",
                    m.name
                ),
            ));
        }
        // Only the current version of another period's report counts: a milestone a correction
        // withdrew there may be reported here.
        if let Some((other, _)) = reached.get(milestone).filter(|(p, _)| *p != period.id) {
            return Err(refuse(
                "milestones",
                format!("「{}」已在期次 {other} 的填报中报完成", m.name),
            ));
        }
    }
    if draft.investment_to_date.0 < 0 {
        return Err(refuse("investment_to_date", "累计完成投资不能为负"));
    }
    let reason = draft
        .correction_reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    // The latest figure reported for an earlier period: investment to date must not fall below
    // it without a reason.
    let before = earlier
        .iter()
        .filter(|r| r.period != period.id)
        .filter(|r| r.period.0 < period.id.0)
        .max_by_key(|r| (r.period.0, r.version));
    if let Some(prev) = before
        && draft.investment_to_date < prev.investment_to_date
        && reason.is_none()
    {
        return Err(refuse(
            "investment_to_date",
            format!(
                "累计完成投资 {} 万元少于上期 {} 万元，须填写更正理由",
                draft.investment_to_date.wan(),
                prev.investment_to_date.wan()
            ),
        ));
    }
    let versions: Vec<&&ProgressReport> =
        earlier.iter().filter(|r| r.period == period.id).collect();
    let Some(latest) = versions.iter().max_by_key(|r| r.version) else {
        return Ok(FilingDecision::NewVersion(1));
    };
    let same = latest.investment_to_date == draft.investment_to_date
        && latest.milestones_reached == draft.milestones_reached
        && latest.note == draft.note
        && latest.problems == draft.problems;
    if same {
        return Ok(FilingDecision::Unchanged(latest.id));
    }
    // Every later version is a correction and says why; once the period is closed that is the
    // rule the office cares about, so the message says so.
    if reason.is_none() {
        // A version replaces its period's whole report: a milestone the latest version named
        // and this one does not is withdrawn, and the message says so.
        let withdrawn: Vec<&str> = latest
            .milestones_reached
            .iter()
            .filter(|(id, _)| !draft.milestones_reached.iter().any(|(d, _)| d == id))
            .filter_map(|(id, _)| project.milestones.iter().find(|m| m.id == *id))
            .map(|m| m.name.as_str())
            .collect();
        let message = if !withdrawn.is_empty() {
            format!(
                "撤回本期已报完成的节点「{}」属于更正，须填写更正理由",
                withdrawn.join("」「")
            )
        } else if today > period.deadline {
            format!(
                "第{}期已于 {} 截止，修改须填写更正理由",
                period.seq, period.deadline
            )
        } else {
            "已填报过本期，修改须填写更正理由".to_string()
        };
        return Err(refuse("correction_reason", message));
    }
    Ok(FilingDecision::NewVersion(latest.version + 1))
}

/// Refuses an investment to date beyond `refuse_multiple` times the project's total investment
/// (the calendar's `investment_refuse_multiple`): such a figure is a slip, most often 元 typed
/// where 万元 is asked. A project without a total investment is not checked.
pub fn check_investment(
    project: &Project,
    investment_to_date: Money,
    refuse_multiple: u32,
) -> Result<(), FilingError> {
    let total = project.total_investment;
    if total.0 <= 0 || investment_to_date.0 <= total.0.saturating_mul(i64::from(refuse_multiple)) {
        return Ok(());
    }
    Err(refuse(
        "investment_to_date",
        format!(
            "累计完成投资 {} 万元超过项目总投资 {} 万元的 {refuse_multiple} 倍，请核对金额（单位为万元）后重填",
            fmt::wan(investment_to_date),
            fmt::wan(total)
        ),
    ))
}

/// The request to check a report whose investment to date is above the project's total
/// investment but not beyond the refusal multiple; `None` when it is within the total.
pub fn investment_above_total(project: &Project, investment_to_date: Money) -> Option<String> {
    let total = project.total_investment;
    (total.0 > 0 && investment_to_date > total).then(|| {
        format!(
            "请核实：累计完成投资 {} 万元超过项目总投资 {} 万元。如属实，请在项目信息中调整总投资；如有误，请更正本期填报",
            fmt::wan(investment_to_date),
            fmt::wan(total)
        )
    })
}

#[cfg(test)]
mod tests;
