//! The campaign's rates, each defined once, as pure functions of the records **as of a date**.
//!
//! Conventions every function here shares:
//! - A milestone is *due* for year `Y` as of `D` when its baseline planned date lies in `Y` and is
//!   on or before `D`. It is *reached* by `D` when its actual date is on or before `D`.
//! - A project suspended (暂缓) on or before `D` leaves every denominator as of `D`: its plan is
//!   on hold, so its milestones are neither due nor overdue, and it is not in the annual plan
//!   whose completion is measured. It is counted separately.
//! - Rates are read with today's knowledge of the past: a report corrected after its period
//!   replaces the original for that period (the original stays on record).
//! - A rate with nothing in its denominator is `None` ("nothing due yet"), never 0% or 100%.

use std::collections::HashMap;
use std::sync::Arc;

use crate::shards::ProjectMap;

use jiff::civil::Date;
use serde::{Serialize, Serializer};

use crate::model::{
    Milestone, Money, PeriodId, PlanKind, Portfolio, Project, ProjectId, ProjectStatus,
};

/// How a figure is computed, in the words the help page shows: the functions below are the
/// definitions, this is their description (kept beside them so the two change together).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Definition {
    /// The figure's name, e.g. 节点完成率.
    pub name: &'static str,
    /// What it divides by what.
    pub formula: &'static str,
    /// What else a reader needs to know to read it right.
    pub note: &'static str,
}

/// The campaign's figures, each as [`node_completion`], [`on_time`], [`annual_plan_complete`],
/// [`investment_completion`] and [`overdue_days`] compute it.
pub const DEFINITIONS: [Definition; 5] = [
    Definition {
        name: "节点完成率",
        formula: "截至数据日已到计划日期且已完成的计划节点数 ÷ 截至数据日已到计划日期的计划节点数",
        note: "按年度基线计划日期计：节点计划日期在本年度且不晚于数据截至日即为“应完成”，实际完成日期不晚于数据截至日即为“已完成”。",
    },
    Definition {
        name: "按期完成率",
        formula: "在计划日期当天或之前完成的节点数 ÷ 应完成节点数",
        note: "与节点完成率同一分母；延期后才完成的节点计入节点完成率，不计入按期完成率。",
    },
    Definition {
        name: "项目完成率",
        formula: "年度计划已全部完成的项目数 ÷ 列入年度建设计划的项目数",
        note: "分母只含年度建设项目，开展前期或跨年开工的项目计入项目总数、不计入分母（如 1222 ÷ 1350，而非 ÷ 1362）。",
    },
    Definition {
        name: "投资完成率",
        formula: "年度完成投资 ÷ 年度计划投资",
        note: "完成投资取各期填报的截至当期累计数；暂缓项目自暂缓之日起退出分子和分母。",
    },
    Definition {
        name: "逾期节点",
        formula: "已过计划日期仍未完成的节点；逾期天数 = 数据截至日 − 计划日期",
        note: "暂缓项目的节点不计逾期。逾期天数达到警示规则的阈值时依次提示“提醒”“警示”。",
    },
];

/// A count out of a count, e.g. 1222 of 1350 projects.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ratio {
    /// How many met the condition.
    pub numerator: u64,
    /// How many were measured.
    pub denominator: u64,
}

impl Ratio {
    /// A ratio of `numerator` out of `denominator`.
    pub fn new(numerator: u64, denominator: u64) -> Ratio {
        Ratio {
            numerator,
            denominator,
        }
    }

    /// The rate as a fraction in 0..=1, or `None` when nothing was measured.
    pub fn value(self) -> Option<f64> {
        (self.denominator > 0).then(|| self.numerator as f64 / self.denominator as f64)
    }

    /// Adds one measurement.
    pub fn count(&mut self, met: bool) {
        self.denominator += 1;
        self.numerator += u64::from(met);
    }

    /// Adds another ratio's counts to this one.
    pub fn add(&mut self, other: Ratio) {
        self.numerator += other.numerator;
        self.denominator += other.denominator;
    }
}

impl Serialize for Ratio {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value().serialize(serializer)
    }
}

/// Investment completed against investment planned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MoneyRatio {
    /// Investment completed.
    pub completed: Money,
    /// Investment planned.
    pub planned: Money,
}

impl MoneyRatio {
    /// The rate as a fraction (it may exceed 1), or `None` when nothing was planned.
    pub fn value(self) -> Option<f64> {
        (self.planned.0 > 0).then(|| self.completed.0 as f64 / self.planned.0 as f64)
    }

    /// Adds another ratio's amounts to this one.
    pub fn add(&mut self, other: MoneyRatio) {
        self.completed = self.completed + other.completed;
        self.planned = self.planned + other.planned;
    }
}

impl Serialize for MoneyRatio {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value().serialize(serializer)
    }
}

/// Whether the project is suspended as of `as_of`.
pub fn is_suspended(project: &Project, as_of: Date) -> bool {
    project.suspended_on.is_some_and(|d| d <= as_of)
}

/// Whether the milestone was reached on or before `as_of`.
pub fn reached_by(milestone: &Milestone, as_of: Date) -> bool {
    milestone.actual.is_some_and(|a| a <= as_of)
}

/// Whether the milestone is due for `year` as of `as_of` (see the module conventions).
pub fn is_due(milestone: &Milestone, year: i16, as_of: Date) -> bool {
    milestone.planned.year() == year && milestone.planned <= as_of
}

/// Days a milestone is overdue as of `as_of`: past its planned date and not reached by then.
/// `None` when it is not overdue.
pub fn overdue_days(milestone: &Milestone, as_of: Date) -> Option<i64> {
    if milestone.planned >= as_of || reached_by(milestone, as_of) {
        return None;
    }
    Some(i64::from((as_of - milestone.planned).get_days()))
}

/// Days late a milestone was reached (0 when on time), or `None` when not reached by `as_of`.
pub fn days_late(milestone: &Milestone, as_of: Date) -> Option<i64> {
    let actual = milestone.actual.filter(|a| *a <= as_of)?;
    Some(i64::from((actual - milestone.planned).get_days()).max(0))
}

/// 节点完成率 of one project: milestones due for `year` by `as_of` that were reached by then,
/// out of those due.
pub fn node_completion(project: &Project, year: i16, as_of: Date) -> Ratio {
    let mut ratio = Ratio::default();
    if is_suspended(project, as_of) {
        return ratio;
    }
    for m in project.milestones.iter().filter(|m| is_due(m, year, as_of)) {
        ratio.count(reached_by(m, as_of));
    }
    ratio
}

/// 按期完成率 of one project: milestones due for `year` by `as_of` that were reached on or before
/// their planned date, out of those due.
pub fn on_time(project: &Project, year: i16, as_of: Date) -> Ratio {
    let mut ratio = Ratio::default();
    if is_suspended(project, as_of) {
        return ratio;
    }
    for m in project.milestones.iter().filter(|m| is_due(m, year, as_of)) {
        ratio.count(m.actual.is_some_and(|a| a <= m.planned && a <= as_of));
    }
    ratio
}

/// Whether the project counts in `year`'s project completion rate: it has a construction plan for
/// the year and is not suspended as of `as_of`.
pub fn in_annual_plan(project: &Project, year: i16, as_of: Date) -> bool {
    project
        .plan_for(year)
        .is_some_and(|p| p.kind == PlanKind::Construction)
        && !is_suspended(project, as_of)
}

/// Whether the project's plan for `year` is complete as of `as_of`: every milestone planned in
/// the year was reached by then. A project with no milestone in the year has nothing to complete
/// and is not complete.
pub fn annual_plan_complete(project: &Project, year: i16, as_of: Date) -> bool {
    let mut of_year = project
        .milestones
        .iter()
        .filter(|m| m.planned.year() == year)
        .peekable();
    of_year.peek().is_some() && of_year.all(|m| reached_by(m, as_of))
}

/// The date the project's plan for `year` was completed (the last of the year's milestones to be
/// reached), if it is complete as of `as_of`.
pub fn annual_plan_completed_on(project: &Project, year: i16, as_of: Date) -> Option<Date> {
    if !annual_plan_complete(project, year, as_of) {
        return None;
    }
    project
        .milestones
        .iter()
        .filter(|m| m.planned.year() == year)
        .filter_map(|m| m.actual)
        .max()
}

/// The project's status as of `as_of`: suspended if it is; otherwise the status entered by the
/// last milestone reached that marks one; 前期 before any.
pub fn status_as_of(project: &Project, as_of: Date) -> ProjectStatus {
    if is_suspended(project, as_of) {
        return ProjectStatus::Suspended;
    }
    project
        .milestones
        .iter()
        .filter(|m| reached_by(m, as_of))
        .filter_map(|m| m.enters)
        .max()
        .unwrap_or(ProjectStatus::Preliminary)
}

/// Whether the project had started construction (开工) as of `as_of`.
pub fn is_started(project: &Project, as_of: Date) -> bool {
    project
        .milestones
        .iter()
        .filter(|m| reached_by(m, as_of))
        .any(|m| {
            m.enters
                .is_some_and(|s| s >= ProjectStatus::UnderConstruction)
        })
}

/// The project's percent complete as of `as_of`: the weighted share of all its milestones
/// reached, in 0..=1. A project without milestones is 0.
pub fn percent_complete(project: &Project, as_of: Date) -> f64 {
    let total: u64 = project.milestones.iter().map(|m| u64::from(m.weight)).sum();
    if total == 0 {
        return 0.0;
    }
    let reached: u64 = project
        .milestones
        .iter()
        .filter(|m| reached_by(m, as_of))
        .map(|m| u64::from(m.weight))
        .sum();
    reached as f64 / total as f64
}

/// The fraction of a finished project's cycle (first planned milestone to the last milestone
/// reached) spent before construction started: the signal of a preliminary phase that took too
/// long. `None` when the project has not started or has no cycle yet.
pub fn preliminary_share(project: &Project, as_of: Date) -> Option<f64> {
    let begin = project.milestones.iter().map(|m| m.planned).min()?;
    let started = project
        .milestones
        .iter()
        .filter(|m| reached_by(m, as_of))
        .filter(|m| m.enters == Some(ProjectStatus::UnderConstruction))
        .filter_map(|m| m.actual)
        .min()?;
    let end = project
        .milestones
        .iter()
        .filter_map(|m| m.actual.filter(|a| *a <= as_of))
        .max()?;
    let cycle = (end - begin).get_days();
    (cycle > 0).then(|| f64::from((started - begin).get_days()) / f64::from(cycle))
}

/// Investment completed to date per project, read from the progress reports: for each period the
/// latest version of its report counts, and "to date" is the last period ended on or before a
/// date.
///
/// One shared, sorted list of points per project, in shards, so that a node's next snapshot
/// shares every project's list a write did not touch and copies only the touched shards
/// ([`InvestmentLedger::with_projects`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InvestmentLedger {
    /// Per project: (period end, investment to date), ascending by period end.
    points: ProjectMap<ProjectId, Arc<[(Date, Money)]>>,
}

/// A hasher for integer ids: a multiply-shift, far cheaper than the default SipHash for the
/// overview's hundreds of thousands of lookups; ids are not attacker-chosen keys here.
#[derive(Debug, Clone, Copy, Default)]
pub struct IdHasher;

impl std::hash::BuildHasher for IdHasher {
    type Hasher = IdHash;
    fn build_hasher(&self) -> IdHash {
        IdHash(0)
    }
}

/// The state of [`IdHasher`].
#[derive(Debug, Clone, Copy, Default)]
pub struct IdHash(u64);

impl std::hash::Hasher for IdHash {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(*b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_i64(&mut self, n: i64) {
        self.0 = (self.0 ^ n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

impl InvestmentLedger {
    /// Builds the ledger from every report version in the portfolio.
    pub fn new(portfolio: &Portfolio) -> InvestmentLedger {
        let period_end: HashMap<PeriodId, Date> =
            portfolio.periods.iter().map(|p| (p.id, p.end)).collect();
        // Latest version per (project, period).
        let mut latest: HashMap<(ProjectId, PeriodId), (u16, Money)> = HashMap::new();
        for r in &portfolio.reports {
            let entry = latest
                .entry((r.project, r.period))
                .or_insert((r.version, r.investment_to_date));
            if r.version >= entry.0 {
                *entry = (r.version, r.investment_to_date);
            }
        }
        InvestmentLedger::from_points(latest.into_iter().filter_map(
            |((project, period), (_, money))| {
                period_end.get(&period).map(|end| (project, *end, money))
            },
        ))
    }

    /// Builds the ledger from (project, period end, investment to date) points, one per project
    /// and period (the latest version's figure), as storage reads them.
    pub fn from_points(
        points: impl IntoIterator<Item = (ProjectId, Date, Money)>,
    ) -> InvestmentLedger {
        let mut ledger = InvestmentLedger::default();
        ledger.insert_grouped(points);
        ledger
    }

    /// This ledger with the points of `projects` replaced by `points` (theirs as re-read after
    /// a write; a project without points has none left). Every other project's list is shared.
    pub fn with_projects(
        &self,
        projects: impl IntoIterator<Item = ProjectId>,
        points: impl IntoIterator<Item = (ProjectId, Date, Money)>,
    ) -> InvestmentLedger {
        let mut next = self.clone();
        for p in projects {
            next.points.remove(&p);
        }
        next.insert_grouped(points);
        next
    }

    fn insert_grouped(&mut self, points: impl IntoIterator<Item = (ProjectId, Date, Money)>) {
        let mut all: Vec<(ProjectId, Date, Money)> = points.into_iter().collect();
        all.sort_unstable_by_key(|(project, end, _)| (*project, *end));
        for run in all.chunk_by(|a, b| a.0 == b.0) {
            let list: Arc<[(Date, Money)]> = run.iter().map(|(_, end, m)| (*end, *m)).collect();
            self.points.insert(run[0].0, list);
        }
    }

    /// The project's (period end, investment to date) points, shared with every ledger made
    /// from this one that left the project alone ([`InvestmentLedger::with_projects`]).
    pub fn points_of(&self, project: ProjectId) -> Option<&Arc<[(Date, Money)]>> {
        self.points.get(&project)
    }

    /// Investment completed from the project's start up to the last period ended on or before
    /// `date`.
    pub fn to_date(&self, project: ProjectId, date: Date) -> Money {
        let Some(list) = self.points.get(&project) else {
            return Money(0);
        };
        let idx = list.partition_point(|(end, _)| *end <= date);
        if idx == 0 { Money(0) } else { list[idx - 1].1 }
    }

    /// Investment completed within `year` up to `as_of`: to date at `as_of` less to date at the
    /// end of the previous year.
    pub fn in_year(&self, project: ProjectId, year: i16, as_of: Date) -> Money {
        let prev_end = Date::new(year - 1, 12, 31).expect("31 December exists");
        let year_end = Date::new(year, 12, 31).expect("31 December exists");
        self.to_date(project, as_of.min(year_end)) - self.to_date(project, prev_end)
    }
}

/// 投资完成率 of one project for `year` as of `as_of`: investment completed in the year against
/// the year's planned investment. Projects without a plan for the year have nothing planned; a
/// project suspended as of `as_of` leaves both sides, like every other rate's denominator (its
/// reports stay on record and count again for a date before its suspension).
pub fn investment_completion(
    project: &Project,
    ledger: &InvestmentLedger,
    year: i16,
    as_of: Date,
) -> MoneyRatio {
    let Some(plan) = project.plan_for(year) else {
        return MoneyRatio::default();
    };
    if is_suspended(project, as_of) {
        return MoneyRatio::default();
    }
    MoneyRatio {
        completed: ledger.in_year(project.id, year, as_of),
        planned: plan.planned_investment,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;
    use jiff::civil::date;

    fn milestone(seq: u16, planned: Date, actual: Option<Date>) -> Milestone {
        Milestone {
            id: MilestoneId(i64::from(seq)),
            seq,
            name: format!("节点{seq}"),
            weight: 1,
            enters: None,
            planned,
            actual,
            derived: false,
            adjusted: None,
        }
    }

    fn project(milestones: Vec<Milestone>, plans: &[(i16, PlanKind)]) -> Project {
        Project {
            id: ProjectId(1),
            code: "T-1".into(),
            name: "测试项目".into(),
            category: CategoryId(1),
            sub_category: None,
            district: UnitId(1),
            street: "测试街道".into(),
            lead_unit: UnitId(2),
            responsible_unit: UnitId(3),
            sub_hq: UnitId(4),
            build_type: BuildType::Renovation,
            scale: Scale::default(),
            total_investment: Money::from_wan(1000.0),
            funding_source: "市级财政".into(),
            location: None,
            suspended_on: None,
            year_plans: plans
                .iter()
                .map(|(year, kind)| YearPlan {
                    year: *year,
                    kind: *kind,
                    planned_investment: Money::from_wan(500.0),
                    status: crate::model::PlanStatus::Approved,
                    adjusted_investment: None,
                    cancelled_on: None,
                })
                .collect(),
            milestones,
        }
    }

    #[test]
    fn nothing_due_yet_gives_no_rate_rather_than_zero_or_full() {
        let p = project(
            vec![milestone(1, date(2021, 6, 30), None)],
            &[(2021, PlanKind::Construction)],
        );
        let as_of = date(2021, 3, 1);
        assert_eq!(node_completion(&p, 2021, as_of), Ratio::new(0, 0));
        assert_eq!(node_completion(&p, 2021, as_of).value(), None);
        assert_eq!(on_time(&p, 2021, as_of).value(), None);
        assert_eq!(overdue_days(&p.milestones[0], as_of), None);
    }

    #[test]
    fn milestone_due_today_and_not_reached_is_due_but_not_yet_overdue() {
        let p = project(
            vec![milestone(1, date(2021, 6, 30), None)],
            &[(2021, PlanKind::Construction)],
        );
        let as_of = date(2021, 6, 30);
        assert_eq!(node_completion(&p, 2021, as_of), Ratio::new(0, 1));
        assert_eq!(overdue_days(&p.milestones[0], as_of), None);
        assert_eq!(overdue_days(&p.milestones[0], date(2021, 7, 1)), Some(1));
    }

    #[test]
    fn milestone_reached_late_counts_as_complete_but_not_on_time() {
        let p = project(
            vec![
                milestone(1, date(2021, 3, 31), Some(date(2021, 3, 20))),
                milestone(2, date(2021, 5, 31), Some(date(2021, 10, 28))),
            ],
            &[(2021, PlanKind::Construction)],
        );
        // Before it was reached it was overdue by the days since its planned date.
        assert_eq!(overdue_days(&p.milestones[1], date(2021, 9, 30)), Some(122));
        assert_eq!(
            node_completion(&p, 2021, date(2021, 9, 30)),
            Ratio::new(1, 2)
        );
        let year_end = date(2021, 12, 31);
        assert_eq!(node_completion(&p, 2021, year_end), Ratio::new(2, 2));
        assert_eq!(on_time(&p, 2021, year_end), Ratio::new(1, 2));
        assert_eq!(overdue_days(&p.milestones[1], year_end), None);
        assert_eq!(days_late(&p.milestones[1], year_end), Some(150));
        assert_eq!(days_late(&p.milestones[0], year_end), Some(0));
        assert_eq!(
            annual_plan_completed_on(&p, 2021, year_end),
            Some(date(2021, 10, 28))
        );
    }

    #[test]
    fn milestone_reached_on_its_planned_day_is_on_time() {
        let p = project(
            vec![milestone(1, date(2021, 5, 31), Some(date(2021, 5, 31)))],
            &[(2021, PlanKind::Construction)],
        );
        assert_eq!(on_time(&p, 2021, date(2021, 12, 31)), Ratio::new(1, 1));
    }

    #[test]
    fn a_project_spanning_two_years_is_measured_per_year() {
        let p = project(
            vec![
                milestone(1, date(2021, 4, 1), Some(date(2021, 4, 1))),
                milestone(2, date(2021, 11, 1), Some(date(2021, 11, 5))),
                milestone(3, date(2022, 6, 1), None),
            ],
            &[
                (2021, PlanKind::Construction),
                (2022, PlanKind::Construction),
            ],
        );
        let end_2021 = date(2021, 12, 31);
        // 2021's plan is complete though the project is not.
        assert!(annual_plan_complete(&p, 2021, end_2021));
        assert!(!annual_plan_complete(&p, 2022, end_2021));
        assert_eq!(node_completion(&p, 2021, end_2021), Ratio::new(2, 2));
        // 2022's milestone is not due in 2021, and in 2022 only it counts.
        assert_eq!(node_completion(&p, 2022, end_2021), Ratio::new(0, 0));
        assert_eq!(
            node_completion(&p, 2022, date(2022, 7, 1)),
            Ratio::new(0, 1)
        );
        assert!(percent_complete(&p, end_2021) > 0.66 && percent_complete(&p, end_2021) < 0.67);
    }

    #[test]
    fn a_suspended_project_leaves_every_denominator_from_its_suspension() {
        let mut p = project(
            vec![
                milestone(1, date(2021, 3, 1), Some(date(2021, 3, 1))),
                milestone(2, date(2021, 6, 1), None),
            ],
            &[(2021, PlanKind::Construction)],
        );
        p.suspended_on = Some(date(2021, 7, 1));
        let before = date(2021, 6, 30);
        let after = date(2021, 7, 1);
        assert_eq!(node_completion(&p, 2021, before), Ratio::new(1, 2));
        assert!(in_annual_plan(&p, 2021, before));
        assert_eq!(node_completion(&p, 2021, after), Ratio::new(0, 0));
        assert_eq!(on_time(&p, 2021, after), Ratio::new(0, 0));
        assert!(!in_annual_plan(&p, 2021, after));
        assert_eq!(status_as_of(&p, after), ProjectStatus::Suspended);
    }

    #[test]
    fn preliminary_only_projects_are_outside_the_annual_plan() {
        let p = project(
            vec![milestone(1, date(2021, 9, 1), Some(date(2021, 9, 1)))],
            &[(2021, PlanKind::Preliminary)],
        );
        assert!(!in_annual_plan(&p, 2021, date(2021, 12, 31)));
        // Its milestones still count toward node completion.
        assert_eq!(
            node_completion(&p, 2021, date(2021, 12, 31)),
            Ratio::new(1, 1)
        );
    }

    #[test]
    fn status_follows_the_last_milestone_reached_that_marks_one() {
        let mut ms = vec![
            milestone(1, date(2021, 2, 1), Some(date(2021, 2, 1))),
            milestone(2, date(2021, 4, 1), Some(date(2021, 4, 3))),
            milestone(3, date(2021, 8, 1), None),
        ];
        ms[1].enters = Some(ProjectStatus::UnderConstruction);
        ms[2].enters = Some(ProjectStatus::Built);
        let p = project(ms, &[(2021, PlanKind::Construction)]);
        assert_eq!(
            status_as_of(&p, date(2021, 3, 1)),
            ProjectStatus::Preliminary
        );
        assert!(!is_started(&p, date(2021, 4, 2)));
        assert_eq!(
            status_as_of(&p, date(2021, 4, 3)),
            ProjectStatus::UnderConstruction
        );
        assert!(is_started(&p, date(2021, 4, 3)));
    }

    fn report(id: i64, period: i64, version: u16, wan: f64) -> ProgressReport {
        ProgressReport {
            id: ReportId(id),
            project: ProjectId(1),
            period: PeriodId(period),
            version,
            filed_on: date(2021, 12, 1),
            investment_to_date: Money::from_wan(wan),
            milestones_reached: vec![],
            note: String::new(),
            problems: vec![],
            correction_reason: (version > 1).then(|| "更正".to_string()),
        }
    }

    fn period(id: i64, year: i16, end: Date) -> ReportingPeriod {
        ReportingPeriod {
            id: PeriodId(id),
            year,
            seq: id as u16,
            start: end - jiff::Span::new().days(13),
            end,
            deadline: end + jiff::Span::new().days(2),
        }
    }

    #[test]
    fn a_report_corrected_after_the_period_replaces_the_original_figure() {
        let p = project(vec![], &[(2021, PlanKind::Construction)]);
        let portfolio = Portfolio {
            projects: vec![Arc::new(p.clone())],
            periods: vec![
                period(1, 2021, date(2021, 6, 30)),
                period(2, 2021, date(2021, 7, 14)),
            ],
            reports: vec![
                report(1, 1, 1, 100.0),
                report(2, 2, 1, 150.0),
                // Filed in December, correcting June's figure.
                report(3, 1, 2, 120.0),
            ],
            ..Portfolio::default()
        };
        let ledger = InvestmentLedger::new(&portfolio);
        assert_eq!(ledger.to_date(ProjectId(1), date(2021, 6, 29)), Money(0));
        assert_eq!(
            ledger.to_date(ProjectId(1), date(2021, 7, 1)),
            Money::from_wan(120.0)
        );
        assert_eq!(
            ledger.to_date(ProjectId(1), date(2021, 12, 31)),
            Money::from_wan(150.0)
        );
        let rate = investment_completion(&p, &ledger, 2021, date(2021, 7, 1));
        assert_eq!(rate.completed, Money::from_wan(120.0));
        assert_eq!(rate.value(), Some(120.0 / 500.0));
    }

    #[test]
    fn investment_in_a_year_excludes_what_was_done_the_year_before() {
        let p = project(
            vec![],
            &[
                (2021, PlanKind::Construction),
                (2022, PlanKind::Construction),
            ],
        );
        let portfolio = Portfolio {
            projects: vec![Arc::new(p.clone())],
            periods: vec![
                period(1, 2021, date(2021, 12, 31)),
                period(2, 2022, date(2022, 3, 31)),
            ],
            reports: vec![report(1, 1, 1, 400.0), report(2, 2, 1, 650.0)],
            ..Portfolio::default()
        };
        let ledger = InvestmentLedger::new(&portfolio);
        assert_eq!(
            ledger.in_year(ProjectId(1), 2022, date(2022, 12, 31)),
            Money::from_wan(250.0)
        );
        assert_eq!(
            ledger.in_year(ProjectId(1), 2021, date(2022, 12, 31)),
            Money::from_wan(400.0)
        );
    }

    #[test]
    fn a_suspended_projects_investment_leaves_both_sides_from_its_suspension() {
        let mut p = project(vec![], &[(2021, PlanKind::Construction)]);
        p.suspended_on = Some(date(2021, 8, 1));
        let portfolio = Portfolio {
            projects: vec![Arc::new(p.clone())],
            periods: vec![
                period(1, 2021, date(2021, 6, 30)),
                period(2, 2021, date(2021, 9, 30)),
            ],
            reports: vec![report(1, 1, 1, 100.0), report(2, 2, 1, 150.0)],
            ..Portfolio::default()
        };
        let ledger = InvestmentLedger::new(&portfolio);
        // Before its suspension it counts like any project, planned and completed.
        let before = investment_completion(&p, &ledger, 2021, date(2021, 7, 31));
        assert_eq!(before.planned, Money::from_wan(500.0));
        assert_eq!(before.completed, Money::from_wan(100.0));
        // From the day it is suspended, neither its plan nor its reports count.
        for as_of in [date(2021, 8, 1), date(2021, 10, 1), date(2021, 12, 31)] {
            let after = investment_completion(&p, &ledger, 2021, as_of);
            assert_eq!(after, MoneyRatio::default(), "as of {as_of}");
            assert_eq!(after.value(), None);
        }
        // Its reports stay on record.
        assert_eq!(
            ledger.in_year(ProjectId(1), 2021, date(2021, 12, 31)),
            Money::from_wan(150.0)
        );
    }

    #[test]
    fn a_year_with_no_planned_investment_has_no_investment_rate() {
        assert_eq!(MoneyRatio::default().value(), None);
    }
}
