//! The campaign's records: organisation units, categories with milestone templates, projects,
//! milestones, annual plans, reporting periods and progress reports.
//!
//! These are plain data. Everything the office reads off them (rates, overdue days, status as of a
//! date) is computed in [`crate::rates`] and [`crate::overview`], never stored.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::boundary::{BBox, Boundary};

macro_rules! id_type {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

id_type!(
    /// Identifies an organisation unit.
    UnitId,
    /// Identifies a project category.
    CategoryId,
    /// Identifies a project.
    ProjectId,
    /// Identifies a milestone of a project.
    MilestoneId,
    /// Identifies a reporting period.
    PeriodId,
    /// Identifies one version of a progress report.
    ReportId,
    /// Identifies a tracked item (督办事项, 协调事项 or 整改).
    ItemId,
);

/// An amount of money in whole yuan (元). Ledgers quote 万元 and 亿元; both are views of this.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(pub i64);

impl Money {
    /// The amount in 万元 (ten thousand yuan), as tables show it.
    pub fn wan(self) -> f64 {
        self.0 as f64 / 10_000.0
    }

    /// The amount in 亿元 (a hundred million yuan), as headlines show it.
    pub fn yi(self) -> f64 {
        self.0 as f64 / 100_000_000.0
    }

    /// Builds an amount from 万元.
    pub fn from_wan(wan: f64) -> Money {
        Money((wan * 10_000.0).round() as i64)
    }
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl std::ops::Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0 - rhs.0)
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        Money(iter.map(|m| m.0).sum())
    }
}

/// What an organisation unit is in the campaign's command structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// 指挥部办公室: owns the whole portfolio.
    CommandHq,
    /// 分指挥部: one per campaign line.
    SubHq,
    /// 牵头单位: a city bureau or company leading a category.
    LeadUnit,
    /// 县区: implements most projects; scored and ranked.
    District,
    /// 责任单位: builds a project and files its reports.
    ResponsibleUnit,
}

impl UnitKind {
    /// Every kind, in the order of the command structure.
    pub const ALL: [UnitKind; 5] = [
        UnitKind::CommandHq,
        UnitKind::SubHq,
        UnitKind::LeadUnit,
        UnitKind::District,
        UnitKind::ResponsibleUnit,
    ];

    /// The stable code used in storage and the API.
    pub fn code(self) -> &'static str {
        match self {
            UnitKind::CommandHq => "command_hq",
            UnitKind::SubHq => "sub_hq",
            UnitKind::LeadUnit => "lead_unit",
            UnitKind::District => "district",
            UnitKind::ResponsibleUnit => "responsible_unit",
        }
    }

    /// Parses [`UnitKind::code`].
    pub fn from_code(code: &str) -> Option<UnitKind> {
        UnitKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The Chinese name shown to users.
    pub fn label(self) -> &'static str {
        match self {
            UnitKind::CommandHq => "指挥部办公室",
            UnitKind::SubHq => "分指挥部",
            UnitKind::LeadUnit => "牵头单位",
            UnitKind::District => "县区",
            UnitKind::ResponsibleUnit => "责任单位",
        }
    }
}

/// An organisation unit: the command office, a sub-headquarters, a lead unit, a district or a
/// responsible unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    /// Identity.
    pub id: UnitId,
    /// What the unit is.
    pub kind: UnitKind,
    /// Its name, e.g. 映湖区 or 市住建局.
    pub name: String,
    /// The unit it belongs to (a responsible unit's district, say), if any.
    pub parent: Option<UnitId>,
    /// Whether the unit is in use. A unit is deactivated, never deleted once referenced: its
    /// projects, reports and scores keep naming it.
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// One step of a category's milestone template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateStep {
    /// The milestone's name, e.g. 开工.
    pub name: String,
    /// Its weight in the project's percent complete.
    pub weight: u32,
    /// The status a project enters when this milestone is reached, if it marks one.
    pub enters: Option<ProjectStatus>,
    /// Its default share of a project's duration, in percent: a milestone's derived planned date
    /// is the planned start plus the duration times the shares up to and including its own (see
    /// [`Category::derive_dates`]). The shares of a template add up to 100.
    #[serde(default)]
    pub share: u32,
}

/// A project category (类别) with its milestone template and the units that lead it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    /// Identity.
    pub id: CategoryId,
    /// Short stable code, e.g. `old_community`.
    pub code: String,
    /// Name shown to users, e.g. 老旧小区改造.
    pub name: String,
    /// The sub-headquarters that follows the category's campaign line.
    pub sub_hq: UnitId,
    /// The lead unit (牵头单位).
    pub lead_unit: UnitId,
    /// The milestone template (计划节点模板) new projects of the category start from.
    pub template: Vec<TemplateStep>,
    /// The version of the category and its template, from 1; every saved change adds one. A
    /// project's milestones are copied from the template, so a change never rewrites a plan.
    #[serde(default = "first_version")]
    pub template_version: u32,
}

fn first_version() -> u32 {
    1
}

impl Category {
    /// The planned date of every template step for a project planned from `start` to
    /// `completion`: `start` plus the duration times the step's cumulative share (rounded to
    /// the day), so a step with share 0 falls on the day of the step before it and the last
    /// step on `completion` when the shares add up to 100. `None` when the template's shares do
    /// not add up to 100 or `completion` is before `start`.
    pub fn derive_dates(&self, start: Date, completion: Date) -> Option<Vec<Date>> {
        if self.template.iter().map(|s| s.share).sum::<u32>() != 100 || completion < start {
            return None;
        }
        let days = i64::from((completion - start).get_days());
        let mut cumulative = 0i64;
        self.template
            .iter()
            .map(|step| {
                cumulative += i64::from(step.share);
                let offset = (days * cumulative + 50) / 100;
                start.checked_add(jiff::Span::new().days(offset)).ok()
            })
            .collect()
    }
}

/// How a project builds: new, renovation or remediation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BuildType {
    /// 新建
    New,
    /// 改造
    Renovation,
    /// 整治
    Remediation,
}

impl BuildType {
    /// Stable code for storage and the API.
    pub fn code(self) -> &'static str {
        match self {
            BuildType::New => "new",
            BuildType::Renovation => "renovation",
            BuildType::Remediation => "remediation",
        }
    }

    /// Parses [`BuildType::code`].
    pub fn from_code(code: &str) -> Option<BuildType> {
        [
            BuildType::New,
            BuildType::Renovation,
            BuildType::Remediation,
        ]
        .into_iter()
        .find(|b| b.code() == code)
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            BuildType::New => "新建",
            BuildType::Renovation => "改造",
            BuildType::Remediation => "整治",
        }
    }
}

/// A project's state in its life cycle. Derived as of a date from the milestones reached (see
/// [`crate::rates::status_as_of`]), except suspension, which is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectStatus {
    /// 前期: preliminary work (design, approvals, tender).
    Preliminary,
    /// 在建: under construction.
    UnderConstruction,
    /// 完工: built.
    Built,
    /// 验收: accepted.
    Accepted,
    /// 移交管养: handed over for long-term maintenance.
    HandedOver,
    /// 暂缓: suspended.
    Suspended,
}

impl ProjectStatus {
    /// Every status, in life-cycle order.
    pub const ALL: [ProjectStatus; 6] = [
        ProjectStatus::Preliminary,
        ProjectStatus::UnderConstruction,
        ProjectStatus::Built,
        ProjectStatus::Accepted,
        ProjectStatus::HandedOver,
        ProjectStatus::Suspended,
    ];

    /// Stable code for storage, URLs and the API.
    pub fn code(self) -> &'static str {
        match self {
            ProjectStatus::Preliminary => "preliminary",
            ProjectStatus::UnderConstruction => "under_construction",
            ProjectStatus::Built => "built",
            ProjectStatus::Accepted => "accepted",
            ProjectStatus::HandedOver => "handed_over",
            ProjectStatus::Suspended => "suspended",
        }
    }

    /// Parses [`ProjectStatus::code`].
    pub fn from_code(code: &str) -> Option<ProjectStatus> {
        ProjectStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            ProjectStatus::Preliminary => "前期",
            ProjectStatus::UnderConstruction => "在建",
            ProjectStatus::Built => "完工",
            ProjectStatus::Accepted => "验收",
            ProjectStatus::HandedOver => "移交管养",
            ProjectStatus::Suspended => "暂缓",
        }
    }
}

/// What a project's plan for one year is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanKind {
    /// 年度建设项目: the year's plan is to build (part of) the project; counted in the project
    /// completion rate.
    Construction,
    /// 开展前期或跨年开工: only preliminary work, or a start that carries into the next year; not
    /// in the project completion rate's denominator.
    Preliminary,
}

impl PlanKind {
    /// Stable code for storage and the API.
    pub fn code(self) -> &'static str {
        match self {
            PlanKind::Construction => "construction",
            PlanKind::Preliminary => "preliminary",
        }
    }

    /// Parses [`PlanKind::code`].
    pub fn from_code(code: &str) -> Option<PlanKind> {
        [PlanKind::Construction, PlanKind::Preliminary]
            .into_iter()
            .find(|k| k.code() == code)
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            PlanKind::Construction => "年度建设",
            PlanKind::Preliminary => "前期或跨年",
        }
    }
}

/// A project's plan for one calendar year: what kind of plan, and the investment planned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearPlan {
    /// The calendar year.
    pub year: i16,
    /// Construction or preliminary-only.
    pub kind: PlanKind,
    /// Investment planned for the year (年度计划投资).
    pub planned_investment: Money,
    /// Where the plan is in its life: draft, submitted or approved (the baseline frozen).
    #[serde(default)]
    pub status: PlanStatus,
    /// The year's investment as an approved plan change set it; the baseline stays in
    /// `planned_investment`.
    #[serde(default)]
    pub adjusted_investment: Option<Money>,
    /// The day an approved plan change cancelled the year's plan, if one did.
    #[serde(default)]
    pub cancelled_on: Option<Date>,
}

impl YearPlan {
    /// An approved plan of `kind` for `year` with `planned_investment`, as the demo and bulk
    /// loads write them.
    pub fn approved(year: i16, kind: PlanKind, planned_investment: Money) -> YearPlan {
        YearPlan {
            year,
            kind,
            planned_investment,
            status: PlanStatus::Approved,
            adjusted_investment: None,
            cancelled_on: None,
        }
    }
}

/// Where a project's annual plan is: prepared by its district or lead unit (draft), handed to
/// the office (submitted), or approved by the office, which freezes the baseline.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    /// 草拟: being prepared.
    Draft,
    /// 已报送: handed to the office for approval.
    Submitted,
    /// 已批准: approved; its milestones and investment are the baseline.
    #[default]
    Approved,
}

impl PlanStatus {
    /// Every status, in order.
    pub const ALL: [PlanStatus; 3] = [
        PlanStatus::Draft,
        PlanStatus::Submitted,
        PlanStatus::Approved,
    ];

    /// Stable code for storage and the API.
    pub fn code(self) -> &'static str {
        match self {
            PlanStatus::Draft => "draft",
            PlanStatus::Submitted => "submitted",
            PlanStatus::Approved => "approved",
        }
    }

    /// Parses [`PlanStatus::code`].
    pub fn from_code(code: &str) -> Option<PlanStatus> {
        PlanStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            PlanStatus::Draft => "草拟",
            PlanStatus::Submitted => "已报送",
            PlanStatus::Approved => "已批准",
        }
    }
}

/// Category-dependent scale figures. Only those that apply to the category are set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scale {
    /// Households benefiting (户), for residential work.
    pub households: Option<i64>,
    /// Floor or site area in square metres.
    pub area_m2: Option<i64>,
    /// New parking spaces (泊位).
    pub parking_spaces: Option<i64>,
    /// Toilets (座).
    pub toilets: Option<i64>,
    /// Length of street, greenway or pipe in metres.
    pub length_m: Option<i64>,
}

/// A point on the map, WGS 84.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    /// Longitude in degrees.
    pub lon: f64,
    /// Latitude in degrees.
    pub lat: f64,
}

/// A milestone (计划节点): a planned date frozen by the baseline and, once reached, an actual
/// date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    /// Identity.
    pub id: MilestoneId,
    /// Position in the project's sequence, from 1.
    pub seq: u16,
    /// The milestone's name, e.g. 竣工验收.
    pub name: String,
    /// Weight in the project's percent complete.
    pub weight: u32,
    /// The status a project enters on reaching it, if it marks one.
    pub enters: Option<ProjectStatus>,
    /// The baseline planned date. Rates are measured against it.
    pub planned: Date,
    /// The date it was reached, if it has been.
    pub actual: Option<Date>,
    /// Whether `planned` was derived from the category template's shares rather than planned by
    /// a person; cleared when the plan is approved.
    #[serde(default)]
    pub derived: bool,
    /// The planned date as an approved plan change (计划调整) set it; the baseline stays in
    /// `planned`.
    #[serde(default)]
    pub adjusted: Option<Date>,
}

impl Milestone {
    /// The date the adjusted plan expects: the adjusted date where a plan change set one, else
    /// the baseline.
    pub fn adjusted_or_planned(&self) -> Date {
        self.adjusted.unwrap_or(self.planned)
    }
}

/// A project (项目) in the campaign's portfolio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Project {
    /// Identity.
    pub id: ProjectId,
    /// The ledger code, e.g. JG2021-0001.
    pub code: String,
    /// The project's name.
    pub name: String,
    /// Its category.
    pub category: CategoryId,
    /// Sub-category within the category (e.g. 邮票绿地 within parks), if any.
    pub sub_category: Option<String>,
    /// The district (县区) it lies in.
    pub district: UnitId,
    /// The street (街道) it lies in.
    pub street: String,
    /// The lead unit (牵头单位).
    pub lead_unit: UnitId,
    /// The responsible unit (责任单位) that builds it and files its reports.
    pub responsible_unit: UnitId,
    /// The sub-headquarters following it.
    pub sub_hq: UnitId,
    /// New, renovation or remediation.
    pub build_type: BuildType,
    /// Category-dependent scale figures.
    pub scale: Scale,
    /// Total investment over the project's life (总投资).
    pub total_investment: Money,
    /// Where the money comes from (资金来源).
    pub funding_source: String,
    /// Location, if known.
    pub location: Option<GeoPoint>,
    /// The date it was suspended (暂缓), if it is.
    pub suspended_on: Option<Date>,
    /// Plans per year (a project spanning years has several).
    pub year_plans: Vec<YearPlan>,
    /// Milestones in sequence.
    pub milestones: Vec<Milestone>,
}

impl Project {
    /// The project's plan for `year`, if it is in that year's campaign.
    pub fn plan_for(&self, year: i16) -> Option<&YearPlan> {
        self.year_plans.iter().find(|p| p.year == year)
    }

    /// The first and last year of the project's plans.
    pub fn years(&self) -> Option<(i16, i16)> {
        let first = self.year_plans.iter().map(|p| p.year).min()?;
        let last = self.year_plans.iter().map(|p| p.year).max()?;
        Some((first, last))
    }
}

/// A reporting period (填报期次): biweekly by default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportingPeriod {
    /// Identity.
    pub id: PeriodId,
    /// The calendar year the period belongs to.
    pub year: i16,
    /// Its number within the year (第N期), from 1.
    pub seq: u16,
    /// First day covered.
    pub start: Date,
    /// Last day covered.
    pub end: Date,
    /// Last day to file on time.
    pub deadline: Date,
}

/// A problem raised in a progress report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// What is wrong.
    pub description: String,
    /// Outside bodies whose coordination is needed (部队, 铁路, 电力, 央企, 省直单位 …), if any.
    pub needs_coordination_with: Option<String>,
}

/// One version of a progress report (进度填报) for a project and a period. A correction after
/// the deadline is a new version with a reason; the original is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressReport {
    /// Identity of this version.
    pub id: ReportId,
    /// The project reported on.
    pub project: ProjectId,
    /// The period reported for.
    pub period: PeriodId,
    /// 1 for the original, 2.. for corrections.
    pub version: u16,
    /// The day this version was filed.
    pub filed_on: Date,
    /// Investment completed from the project's start to the period's end (累计完成投资).
    pub investment_to_date: Money,
    /// Milestones reported reached in this period, with their actual dates.
    pub milestones_reached: Vec<(MilestoneId, Date)>,
    /// Free-text progress note.
    pub note: String,
    /// Problems raised.
    pub problems: Vec<Problem>,
    /// Why this version corrects an earlier one (required from version 2).
    pub correction_reason: Option<String>,
}

/// Everything the campaign holds: the organisation, the categories, the projects with their
/// milestones and plans, the reporting periods and every report version.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Portfolio {
    /// Organisation units.
    pub units: Vec<Unit>,
    /// Project categories.
    pub categories: Vec<Category>,
    /// Projects with milestones and year plans, each shared so that a node's next snapshot
    /// keeps every project a write did not touch (see [`crate::change`]).
    pub projects: Vec<Arc<Project>>,
    /// Reporting periods.
    pub periods: Vec<ReportingPeriod>,
    /// Progress reports, every version.
    pub reports: Vec<ProgressReport>,
    /// The districts' boundaries that are stored, by district unit (shared, so a snapshot
    /// caught up after a write that did not touch units keeps them without copying).
    pub district_boundaries: BTreeMap<UnitId, Arc<Boundary>>,
}

impl Portfolio {
    /// The unit with `id`.
    pub fn unit(&self, id: UnitId) -> Option<&Unit> {
        self.units.iter().find(|u| u.id == id)
    }

    /// The category with `id`.
    pub fn category(&self, id: CategoryId) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }

    /// The project with `id`.
    pub fn project(&self, id: ProjectId) -> Option<&Project> {
        self.projects.iter().find(|p| p.id == id).map(|p| &**p)
    }

    /// The units of one kind, in id order.
    pub fn units_of(&self, kind: UnitKind) -> impl Iterator<Item = &Unit> {
        self.units.iter().filter(move |u| u.kind == kind)
    }

    /// The stored boundary of a district unit, if it has one.
    pub fn boundary(&self, unit: UnitId) -> Option<&Boundary> {
        self.district_boundaries.get(&unit).map(|b| &**b)
    }

    /// The box around every stored district boundary, as (min lon, min lat, max lon, max lat);
    /// `None` when no district has one.
    pub fn city_bounds(&self) -> Option<BBox> {
        self.district_boundaries
            .values()
            .map(|b| b.bbox())
            .reduce(crate::boundary::union)
            .filter(|(x0, y0, x1, y1)| x0 <= x1 && y0 <= y1)
    }

    /// The name of a unit, or an empty string for an unknown id.
    pub fn unit_name(&self, id: UnitId) -> &str {
        self.unit(id).map_or("", |u| u.name.as_str())
    }

    /// The name of a category, or an empty string for an unknown id.
    pub fn category_name(&self, id: CategoryId) -> &str {
        self.category(id).map_or("", |c| c.name.as_str())
    }

    /// The year being reported on: the latest year with reporting periods, or else the latest
    /// year any project has a plan for. Pages and commands show it when no year is asked for.
    pub fn reporting_year(&self) -> Option<i16> {
        self.periods
            .iter()
            .map(|p| p.year)
            .max()
            .or_else(|| self.years().last().copied())
    }

    /// The year pages and commands show when none is asked for: the current year when the
    /// campaign has reporting periods or plans in it, else the year being reported on (the demo
    /// city's 2021), else the current year. A city that opens next year's plans in December
    /// keeps showing this year until the new one begins.
    pub fn default_year(&self, today: Date) -> i16 {
        let current = today.year();
        let in_use = self.periods.iter().any(|p| p.year == current)
            || self.projects.iter().any(|p| p.plan_for(current).is_some());
        if in_use {
            current
        } else {
            self.reporting_year().unwrap_or(current)
        }
    }

    /// The years any project has a plan for, ascending.
    pub fn years(&self) -> Vec<i16> {
        let mut years: Vec<i16> = self
            .projects
            .iter()
            .flat_map(|p| p.year_plans.iter().map(|y| y.year))
            .collect();
        years.sort_unstable();
        years.dedup();
        years
    }
}
