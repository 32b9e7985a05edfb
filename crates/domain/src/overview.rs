//! The figures pages, the API and documents show: headline figures for a year as of a date,
//! broken down by category and district, and the project list with its filters.
//!
//! Every figure here is an aggregate of the per-project rates in [`crate::rates`]; nothing is
//! computed a second way.

use std::collections::HashMap;

use jiff::civil::Date;
use serde::Serialize;

use crate::model::{
    BuildType, CategoryId, Money, PlanKind, Portfolio, Project, ProjectId, ProjectStatus, UnitId,
};
use crate::rates::{self, IdHasher, InvestmentLedger, MoneyRatio, Ratio};

mod book;
pub use book::FigureBook;

/// Totals of scale figures over a set of projects.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ScaleTotals {
    /// Households benefiting.
    pub households: i64,
    /// New parking spaces.
    pub parking_spaces: i64,
    /// Toilets.
    pub toilets: i64,
    /// Length in metres.
    pub length_m: i64,
}

/// Counts of projects by build type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BuildTypeCounts {
    /// 新建
    pub new: u64,
    /// 改造
    pub renovation: u64,
    /// 整治
    pub remediation: u64,
}

impl BuildTypeCounts {
    fn count(&mut self, build_type: BuildType) {
        match build_type {
            BuildType::New => self.new += 1,
            BuildType::Renovation => self.renovation += 1,
            BuildType::Remediation => self.remediation += 1,
        }
    }
}

/// The headline figures of a set of projects for a year, as of a date.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Figures {
    /// Projects with a plan for the year (项目总数), suspended ones included.
    pub projects: u64,
    /// Projects whose plan for the year is preliminary work or a cross-year start.
    pub preliminary_projects: u64,
    /// Projects suspended as of the date.
    pub suspended_projects: u64,
    /// Projects that had started construction (开工) by the date.
    pub started_projects: u64,
    /// 节点完成率.
    pub node_completion: Ratio,
    /// 按期完成率.
    pub on_time: Ratio,
    /// 项目完成率: projects whose annual plan is complete, out of the annual construction plan.
    pub project_completion: Ratio,
    /// 投资完成率 for the year.
    pub investment: MoneyRatio,
    /// Milestones overdue as of the date.
    pub overdue_milestones: u64,
    /// Projects with at least one overdue milestone.
    pub overdue_projects: u64,
    /// Projects finished (annual plan complete) by build type.
    pub finished_by_build_type: BuildTypeCounts,
    /// Scale totals of the projects finished.
    pub finished_scale: ScaleTotals,
    /// The day the last project of the set finished its annual plan, if all have.
    pub all_finished_on: Option<Date>,
}

impl Figures {
    /// Projects in the annual construction plan (the project completion rate's denominator).
    pub fn planned(&self) -> u64 {
        self.project_completion.denominator
    }

    /// Projects whose annual plan is complete.
    pub fn finished(&self) -> u64 {
        self.project_completion.numerator
    }
}

/// Figures for one category or one district.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breakdown<Id> {
    /// The category or district.
    pub id: Id,
    /// Its name.
    pub name: String,
    /// Its figures.
    pub figures: Figures,
}

/// The overview of a year as of a date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overview {
    /// The campaign year.
    pub year: i16,
    /// The "as of" date.
    pub as_of: Date,
    /// Figures of the whole portfolio.
    pub total: Figures,
    /// Figures per category, in category order.
    pub categories: Vec<Breakdown<CategoryId>>,
    /// Figures per district, in district order.
    pub districts: Vec<Breakdown<UnitId>>,
    /// Figures per lead unit, in unit order.
    pub lead_units: Vec<Breakdown<UnitId>>,
    /// Figures per district × category pair that has projects, in district then category order.
    pub cells: Vec<Cell>,
}

/// The figures of one district's projects of one category.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    /// The district.
    pub district: UnitId,
    /// The category.
    pub category: CategoryId,
    /// Their figures.
    pub figures: Figures,
}

/// One project's part in the figures of a year as of a date: computed once per project, then
/// added to every set the project belongs to (the whole, its category, district, lead unit).
/// What does not depend on the date (build type, scale) is read from the project when added.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Contribution {
    preliminary: bool,
    suspended: bool,
    started: bool,
    node: Counts,
    on_time: Counts,
    investment: MoneyRatio,
    overdue_milestones: u32,
    /// `Some(completed on)` when the project is in the annual plan; the inner option says
    /// whether and when the plan was completed.
    in_plan: Option<Option<Date>>,
}

/// One project's milestone counts of a [`Ratio`], held in half the room: a figure book keeps a
/// contribution per project and date, and no project has four billion milestones.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Counts {
    numerator: u32,
    denominator: u32,
}

impl From<Ratio> for Counts {
    fn from(r: Ratio) -> Counts {
        let narrow = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
        Counts {
            numerator: narrow(r.numerator),
            denominator: narrow(r.denominator),
        }
    }
}

impl From<Counts> for Ratio {
    fn from(c: Counts) -> Ratio {
        Ratio::new(u64::from(c.numerator), u64::from(c.denominator))
    }
}

impl Contribution {
    fn of(project: &Project, ledger: &InvestmentLedger, year: i16, as_of: Date) -> Option<Self> {
        let plan = project.plan_for(year)?;
        let suspended = rates::is_suspended(project, as_of);
        Some(Contribution {
            preliminary: plan.kind == PlanKind::Preliminary,
            suspended,
            started: rates::is_started(project, as_of),
            node: rates::node_completion(project, year, as_of).into(),
            on_time: rates::on_time(project, year, as_of).into(),
            investment: rates::investment_completion(project, ledger, year, as_of),
            overdue_milestones: if suspended {
                0
            } else {
                project
                    .milestones
                    .iter()
                    .filter(|m| rates::overdue_days(m, as_of).is_some())
                    .count()
                    .try_into()
                    .unwrap_or(u32::MAX)
            },
            in_plan: rates::in_annual_plan(project, year, as_of)
                .then(|| rates::annual_plan_completed_on(project, year, as_of)),
        })
    }
}

impl Figures {
    /// Adds the figures of a disjoint set of projects.
    fn merge(&mut self, o: &Figures) {
        // The union finished on the later of the two days; unfinished if either is. A side
        // with no annual-plan project says nothing.
        self.all_finished_on = match (
            self.project_completion.denominator,
            o.project_completion.denominator,
        ) {
            (_, 0) => self.all_finished_on,
            (0, _) => o.all_finished_on,
            _ => self
                .all_finished_on
                .zip(o.all_finished_on)
                .map(|(a, b)| a.max(b)),
        };
        self.projects += o.projects;
        self.preliminary_projects += o.preliminary_projects;
        self.suspended_projects += o.suspended_projects;
        self.started_projects += o.started_projects;
        self.node_completion.add(o.node_completion);
        self.on_time.add(o.on_time);
        self.project_completion.add(o.project_completion);
        self.investment.add(o.investment);
        self.overdue_milestones += o.overdue_milestones;
        self.overdue_projects += o.overdue_projects;
        let (b, ob) = (&mut self.finished_by_build_type, o.finished_by_build_type);
        b.new += ob.new;
        b.renovation += ob.renovation;
        b.remediation += ob.remediation;
        let (t, ot) = (&mut self.finished_scale, o.finished_scale);
        t.households += ot.households;
        t.parking_spaces += ot.parking_spaces;
        t.toilets += ot.toilets;
        t.length_m += ot.length_m;
    }

    /// Adds one project's contribution.
    fn add(&mut self, project: &Project, c: &Contribution) {
        self.projects += 1;
        self.preliminary_projects += u64::from(c.preliminary);
        self.suspended_projects += u64::from(c.suspended);
        self.started_projects += u64::from(c.started);
        self.node_completion.add(c.node.into());
        self.on_time.add(c.on_time.into());
        self.investment.add(c.investment);
        self.overdue_milestones += u64::from(c.overdue_milestones);
        self.overdue_projects += u64::from(c.overdue_milestones > 0);
        if let Some(done) = c.in_plan {
            self.project_completion.count(done.is_some());
            if done.is_some() {
                self.finished_by_build_type.count(project.build_type);
                let (t, s) = (&mut self.finished_scale, &project.scale);
                t.households += s.households.unwrap_or(0);
                t.parking_spaces += s.parking_spaces.unwrap_or(0);
                t.toilets += s.toilets.unwrap_or(0);
                t.length_m += s.length_m.unwrap_or(0);
            }
            // The set finished on the day its last project did; an unfinished project makes it
            // None whatever order projects come in.
            self.all_finished_on = match (self.project_completion.denominator, done) {
                (1, d) => d,
                (_, Some(d)) => self.all_finished_on.map(|f| f.max(d)),
                (_, None) => None,
            };
        }
    }
}

/// Below this many projects per core the pass stays on one thread.
const PARALLEL_MIN_PROJECTS: usize = 20_000;

/// How many threads a pass over `projects` projects is split across: one per core (eight at
/// most), and one per [`PARALLEL_MIN_PROJECTS`] projects at least.
fn parts_for(projects: usize) -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8)
        .min(projects / PARALLEL_MIN_PROJECTS + 1)
}

/// The figures of a set of projects and of its breakdowns, as summed by one pass.
#[derive(Default)]
struct Sums {
    total: Figures,
    by_category: HashMap<CategoryId, Figures, IdHasher>,
    by_district: HashMap<UnitId, Figures, IdHasher>,
    by_lead: HashMap<UnitId, Figures, IdHasher>,
    by_cell: HashMap<(UnitId, CategoryId), Figures, IdHasher>,
}

impl Sums {
    fn of(projects: &[&Project], ledger: &InvestmentLedger, year: i16, as_of: Date) -> Sums {
        let mut sums = Sums::default();
        for p in projects {
            if let Some(c) = Contribution::of(p, ledger, year, as_of) {
                sums.add(p, &c);
            }
        }
        sums
    }

    /// Adds one project's contribution to the whole and to each of its breakdowns.
    fn add(&mut self, p: &Project, c: &Contribution) {
        self.total.add(p, c);
        self.by_category.entry(p.category).or_default().add(p, c);
        self.by_district.entry(p.district).or_default().add(p, c);
        self.by_lead.entry(p.lead_unit).or_default().add(p, c);
        self.by_cell
            .entry((p.district, p.category))
            .or_default()
            .add(p, c);
    }

    fn merge(mut self, other: Sums) -> Sums {
        fn into<K: std::hash::Hash + Eq>(
            a: &mut HashMap<K, Figures, IdHasher>,
            b: HashMap<K, Figures, IdHasher>,
        ) {
            for (k, f) in b {
                a.entry(k).or_default().merge(&f);
            }
        }
        self.total.merge(&other.total);
        into(&mut self.by_category, other.by_category);
        into(&mut self.by_district, other.by_district);
        into(&mut self.by_lead, other.by_lead);
        into(&mut self.by_cell, other.by_cell);
        self
    }
}

/// The days of the year's trend: each month's end of `year` up to `as_of`, the last being `as_of`
/// itself (none for a day before the year).
pub fn trend_dates(year: i16, as_of: Date) -> Vec<Date> {
    let Ok(first) = Date::new(year, 1, 1) else {
        return Vec::new();
    };
    let end = as_of.min(Date::new(year, 12, 31).unwrap_or(as_of));
    let mut points = Vec::new();
    let mut month = first;
    while month <= end {
        let month_end = month.last_of_month();
        points.push(month_end.min(end));
        month = month_end.tomorrow().unwrap_or(month_end);
        if month == month_end {
            break;
        }
    }
    points
}

/// The headline figures of the projects `filter` keeps at each month's end of `year` up to
/// `as_of` (the last point is `as_of` itself): the year's trend the overview draws. Only totals
/// are summed (no breakdowns), one pass over the projects per point.
pub fn year_trend(
    portfolio: &Portfolio,
    ledger: &InvestmentLedger,
    year: i16,
    as_of: Date,
    filter: impl Fn(&Project) -> bool,
) -> Vec<(Date, Figures)> {
    let points = trend_dates(year, as_of);
    let projects: Vec<&Project> = portfolio
        .projects
        .iter()
        .map(|p| &**p)
        .filter(|p| filter(p))
        .collect();
    points
        .into_iter()
        .map(|d| {
            let mut total = Figures::default();
            for p in &projects {
                if let Some(c) = Contribution::of(p, ledger, year, d) {
                    total.add(p, &c);
                }
            }
            (d, total)
        })
        .collect()
}

impl Overview {
    /// Computes the overview of `year` as of `as_of`.
    pub fn compute(portfolio: &Portfolio, year: i16, as_of: Date) -> Overview {
        let ledger = InvestmentLedger::new(portfolio);
        Overview::compute_with(portfolio, &ledger, year, as_of)
    }

    /// As [`Overview::compute`], reusing an investment ledger already built.
    pub fn compute_with(
        portfolio: &Portfolio,
        ledger: &InvestmentLedger,
        year: i16,
        as_of: Date,
    ) -> Overview {
        Overview::compute_filtered(portfolio, ledger, year, as_of, |_| true)
    }

    /// As [`Overview::compute_with`], over only the projects `filter` keeps (one district's,
    /// say).
    pub fn compute_filtered(
        portfolio: &Portfolio,
        ledger: &InvestmentLedger,
        year: i16,
        as_of: Date,
        filter: impl Fn(&Project) -> bool,
    ) -> Overview {
        let projects: Vec<&Project> = portfolio
            .projects
            .iter()
            .map(|p| &**p)
            .filter(|p| filter(p))
            .collect();
        // At national scale the pass is split across the machine's cores; each part sums its
        // projects, and the parts are merged (sums commute, so the result does not depend on
        // the split).
        let parts = parts_for(projects.len());
        let sums = if parts <= 1 {
            Sums::of(&projects, ledger, year, as_of)
        } else {
            let chunk = projects.len().div_ceil(parts);
            std::thread::scope(|scope| {
                let handles: Vec<_> = projects
                    .chunks(chunk)
                    .map(|part| scope.spawn(move || Sums::of(part, ledger, year, as_of)))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().expect("an overview part does not panic"))
                    .reduce(Sums::merge)
                    .unwrap_or_default()
            })
        };
        Overview::assemble(portfolio, year, as_of, sums)
    }

    /// The overview made of one pass's sums: breakdowns named and put in the portfolio's order.
    fn assemble(portfolio: &Portfolio, year: i16, as_of: Date, sums: Sums) -> Overview {
        let Sums {
            total,
            mut by_category,
            mut by_district,
            mut by_lead,
            by_cell,
        } = sums;
        let categories = portfolio
            .categories
            .iter()
            .filter_map(|c| {
                let figures = by_category.remove(&c.id)?;
                Some(Breakdown {
                    id: c.id,
                    name: c.name.clone(),
                    figures,
                })
            })
            .collect();
        let units = |map: &mut HashMap<UnitId, Figures, IdHasher>| -> Vec<Breakdown<UnitId>> {
            portfolio
                .units
                .iter()
                .filter_map(|u| {
                    let figures = map.remove(&u.id)?;
                    Some(Breakdown {
                        id: u.id,
                        name: u.name.clone(),
                        figures,
                    })
                })
                .collect()
        };
        let districts = units(&mut by_district);
        let lead_units = units(&mut by_lead);
        let district_order: HashMap<UnitId, usize> = portfolio
            .units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.id, i))
            .collect();
        let category_order: HashMap<CategoryId, usize> = portfolio
            .categories
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id, i))
            .collect();
        let mut cells: Vec<Cell> = by_cell
            .into_iter()
            .map(|((district, category), figures)| Cell {
                district,
                category,
                figures,
            })
            .collect();
        cells.sort_by_key(|c| {
            (
                district_order
                    .get(&c.district)
                    .copied()
                    .unwrap_or(usize::MAX),
                category_order
                    .get(&c.category)
                    .copied()
                    .unwrap_or(usize::MAX),
            )
        });
        Overview {
            year,
            as_of,
            total,
            categories,
            districts,
            lead_units,
            cells,
        }
    }
}

/// A milestone overdue as of a date, for the overdue list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OverdueMilestone {
    /// The project.
    pub project: ProjectId,
    /// Its district.
    pub district: UnitId,
    /// Its category.
    pub category: CategoryId,
    /// The milestone's name.
    pub milestone: String,
    /// Its baseline planned date.
    pub planned: Date,
    /// Days overdue as of the date.
    pub days: i64,
}

/// Every milestone overdue as of `as_of` in projects with a plan for `year` (suspended projects
/// excepted), longest overdue first.
pub fn overdue_milestones(portfolio: &Portfolio, year: i16, as_of: Date) -> Vec<OverdueMilestone> {
    let mut list: Vec<OverdueMilestone> = portfolio
        .projects
        .iter()
        .filter(|p| p.plan_for(year).is_some() && !rates::is_suspended(p, as_of))
        .flat_map(|p| {
            p.milestones.iter().filter_map(move |m| {
                rates::overdue_days(m, as_of).map(|days| OverdueMilestone {
                    project: p.id,
                    district: p.district,
                    category: p.category,
                    milestone: m.name.clone(),
                    planned: m.planned,
                    days,
                })
            })
        })
        .collect();
    list.sort_by(|a, b| b.days.cmp(&a.days).then(a.project.cmp(&b.project)));
    list
}

/// How the project list is sorted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectSort {
    /// By ledger code.
    #[default]
    Code,
    /// By name.
    Name,
    /// By percent complete.
    Progress,
    /// By the longest overdue milestone.
    Overdue,
    /// By investment completed in the year.
    Investment,
}

impl ProjectSort {
    /// Every sort key.
    pub const ALL: [ProjectSort; 5] = [
        ProjectSort::Code,
        ProjectSort::Name,
        ProjectSort::Progress,
        ProjectSort::Overdue,
        ProjectSort::Investment,
    ];

    /// Stable code for URLs and the API.
    pub fn code(self) -> &'static str {
        match self {
            ProjectSort::Code => "code",
            ProjectSort::Name => "name",
            ProjectSort::Progress => "progress",
            ProjectSort::Overdue => "overdue",
            ProjectSort::Investment => "investment",
        }
    }

    /// Parses [`ProjectSort::code`].
    pub fn from_code(code: &str) -> Option<ProjectSort> {
        ProjectSort::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// The filters, order and page of the project list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectQuery {
    /// Only this category.
    pub category: Option<CategoryId>,
    /// Only this district.
    pub district: Option<UnitId>,
    /// Only this lead unit.
    pub lead_unit: Option<UnitId>,
    /// Only this status as of the date.
    pub status: Option<ProjectStatus>,
    /// Only projects with an overdue milestone.
    pub overdue_only: bool,
    /// Only projects whose name, code or street contains this text.
    pub search: Option<String>,
    /// Sort key.
    pub sort: ProjectSort,
    /// Descending order.
    pub descending: bool,
    /// Page number from 1.
    pub page: u32,
    /// Rows per page.
    pub per_page: u32,
}

impl Default for ProjectQuery {
    fn default() -> Self {
        ProjectQuery {
            category: None,
            district: None,
            lead_unit: None,
            status: None,
            overdue_only: false,
            search: None,
            sort: ProjectSort::Code,
            descending: false,
            page: 1,
            per_page: 20,
        }
    }
}

/// One row of the project list: the project's identity and its figures as of the date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectRow {
    /// Identity.
    pub id: ProjectId,
    /// Ledger code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Category.
    pub category: CategoryId,
    /// Category name.
    pub category_name: String,
    /// District.
    pub district: UnitId,
    /// District name.
    pub district_name: String,
    /// Lead unit name.
    pub lead_unit_name: String,
    /// Responsible unit name.
    pub responsible_unit_name: String,
    /// Street.
    pub street: String,
    /// Plan kind for the year.
    pub plan_kind: PlanKind,
    /// Status as of the date.
    pub status: ProjectStatus,
    /// Weighted percent complete, 0..=1.
    pub percent_complete: f64,
    /// Milestones overdue.
    pub overdue_milestones: u64,
    /// Days the longest-overdue milestone is late, 0 if none.
    pub max_overdue_days: i64,
    /// The next milestone not reached: name and planned date.
    pub next_milestone: Option<(String, Date)>,
    /// Investment completed in the year.
    pub investment_in_year: Money,
    /// Investment planned for the year.
    pub planned_investment: Money,
    /// The day its annual plan was completed, if it was.
    pub finished_on: Option<Date>,
}

/// One page of results and the number of rows across all pages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// Rows matching across all pages.
    pub total: u64,
    /// Page number from 1.
    pub page: u32,
    /// Rows per page.
    pub per_page: u32,
}

impl<T> Page<T> {
    /// Number of pages (at least 1).
    pub fn pages(&self) -> u32 {
        pages_for(self.total, self.per_page)
    }
}

/// The project's row as of the date.
pub fn project_row(
    portfolio: &Portfolio,
    ledger: &InvestmentLedger,
    project: &Project,
    year: i16,
    as_of: Date,
) -> ProjectRow {
    let suspended = rates::is_suspended(project, as_of);
    let overdue: Vec<i64> = if suspended {
        Vec::new()
    } else {
        project
            .milestones
            .iter()
            .filter_map(|m| rates::overdue_days(m, as_of))
            .collect()
    };
    let plan = project.plan_for(year);
    ProjectRow {
        id: project.id,
        code: project.code.clone(),
        name: project.name.clone(),
        category: project.category,
        category_name: portfolio.category_name(project.category).to_string(),
        district: project.district,
        district_name: portfolio.unit_name(project.district).to_string(),
        lead_unit_name: portfolio.unit_name(project.lead_unit).to_string(),
        responsible_unit_name: portfolio.unit_name(project.responsible_unit).to_string(),
        street: project.street.clone(),
        plan_kind: plan.map_or(PlanKind::Preliminary, |p| p.kind),
        status: rates::status_as_of(project, as_of),
        percent_complete: rates::percent_complete(project, as_of),
        overdue_milestones: overdue.len() as u64,
        max_overdue_days: overdue.iter().copied().max().unwrap_or(0),
        next_milestone: project
            .milestones
            .iter()
            .find(|m| !rates::reached_by(m, as_of))
            .map(|m| (m.name.clone(), m.planned)),
        investment_in_year: ledger.in_year(project.id, year, as_of),
        planned_investment: plan.map_or(Money(0), |p| p.planned_investment),
        finished_on: rates::annual_plan_completed_on(project, year, as_of),
    }
}

/// The project list for `year` as of `as_of`, every page: projects with a plan for the year
/// that `visible` keeps (the reader's scope) and that match the query's filters, sorted. The
/// list's pages, its Excel export and the search all read this one selection.
pub fn project_rows(
    portfolio: &Portfolio,
    ledger: &InvestmentLedger,
    year: i16,
    as_of: Date,
    query: &ProjectQuery,
    visible: impl Fn(&Project) -> bool,
) -> Vec<ProjectRow> {
    let needle = query
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(fold);
    let mut rows: Vec<ProjectRow> = portfolio
        .projects
        .iter()
        .filter(|p| p.plan_for(year).is_some() && visible(p))
        .filter(|p| query.category.is_none_or(|c| p.category == c))
        .filter(|p| query.district.is_none_or(|d| p.district == d))
        .filter(|p| query.lead_unit.is_none_or(|u| p.lead_unit == u))
        .filter(|p| {
            needle.as_deref().is_none_or(|n| {
                fold(&p.name).contains(n)
                    || fold(&p.code).contains(n)
                    || fold(&p.street).contains(n)
            })
        })
        .map(|p| project_row(portfolio, ledger, p, year, as_of))
        .filter(|r| query.status.is_none_or(|s| r.status == s))
        .filter(|r| !query.overdue_only || r.overdue_milestones > 0)
        .collect();
    match query.sort {
        ProjectSort::Code => rows.sort_by(|a, b| a.code.cmp(&b.code)),
        ProjectSort::Name => rows.sort_by(|a, b| a.name.cmp(&b.name).then(a.code.cmp(&b.code))),
        ProjectSort::Progress => rows.sort_by(|a, b| {
            a.percent_complete
                .total_cmp(&b.percent_complete)
                .then(a.code.cmp(&b.code))
        }),
        ProjectSort::Overdue => rows.sort_by(|a, b| {
            a.max_overdue_days
                .cmp(&b.max_overdue_days)
                .then(a.code.cmp(&b.code))
        }),
        ProjectSort::Investment => rows.sort_by(|a, b| {
            a.investment_in_year
                .cmp(&b.investment_in_year)
                .then(a.code.cmp(&b.code))
        }),
    }
    if query.descending {
        rows.reverse();
    }
    rows
}

/// Text as a search compares it: ASCII letters in lower case (codes are typed either way) and
/// full-width forms folded to half-width (a phone's Chinese keyboard types `ＸＭ`).
pub fn fold(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// The number of pages `total` rows fill at `per_page` a page (at least 1).
pub fn pages_for(total: u64, per_page: u32) -> u32 {
    u32::try_from(total.div_ceil(u64::from(per_page.max(1))))
        .unwrap_or(u32::MAX)
        .max(1)
}

/// Page `page` (from 1) of `rows`, `per_page` rows a page; a page beyond the last is empty (the
/// API's readers page until an empty page). Pages for people clamp the number first
/// (`page.min(pages_for(..))`): a shared link outlives the rows it was made for, and a page
/// must never show a total beside no rows.
pub fn page_of<T>(rows: Vec<T>, page: u32, per_page: u32) -> Page<T> {
    let per_page = per_page.max(1);
    let page = page.max(1);
    let total = rows.len() as u64;
    let skip = (page - 1) as usize * per_page as usize;
    let items = rows
        .into_iter()
        .skip(skip)
        .take(per_page as usize)
        .collect();
    Page {
        items,
        total,
        page,
        per_page,
    }
}

/// The project list for `year` as of `as_of`: [`project_rows`], paged by [`page_of`].
pub fn list_projects(
    portfolio: &Portfolio,
    ledger: &InvestmentLedger,
    year: i16,
    as_of: Date,
    query: &ProjectQuery,
    visible: impl Fn(&Project) -> bool,
) -> Page<ProjectRow> {
    let rows = project_rows(portfolio, ledger, year, as_of, query, visible);
    page_of(rows, query.page, query.per_page)
}

/// The projects of a set that lag most as of the date: those with overdue milestones, longest
/// overdue first, at most `limit`.
pub fn lagging_projects(
    portfolio: &Portfolio,
    ledger: &InvestmentLedger,
    year: i16,
    as_of: Date,
    filter: impl Fn(&Project) -> bool,
    limit: usize,
) -> Vec<ProjectRow> {
    let mut rows: Vec<ProjectRow> = portfolio
        .projects
        .iter()
        .filter(|p| p.plan_for(year).is_some() && filter(p))
        .map(|p| project_row(portfolio, ledger, p, year, as_of))
        .filter(|r| r.overdue_milestones > 0)
        .collect();
    rows.sort_by(|a, b| {
        b.max_overdue_days
            .cmp(&a.max_overdue_days)
            .then(a.code.cmp(&b.code))
    });
    rows.truncate(limit);
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;
    use jiff::civil::date;
    use std::sync::Arc;

    fn project(
        id: i64,
        category: i64,
        district: i64,
        reached_last: bool,
        kind: PlanKind,
    ) -> Project {
        let milestones = (1..=3)
            .map(|seq| Milestone {
                id: MilestoneId(id * 10 + i64::from(seq)),
                seq,
                name: format!("节点{seq}"),
                weight: 1,
                enters: (seq == 2).then_some(ProjectStatus::UnderConstruction),
                planned: date(2021, 3 * seq as i8, 1),
                actual: (seq < 3 || reached_last).then(|| date(2021, 3 * seq as i8, 1)),
                derived: false,
                adjusted: None,
            })
            .collect();
        Project {
            id: ProjectId(id),
            code: format!("P{id:03}"),
            name: format!("项目{id}"),
            category: CategoryId(category),
            sub_category: None,
            district: UnitId(district),
            street: "街道".into(),
            lead_unit: UnitId(100),
            responsible_unit: UnitId(200),
            sub_hq: UnitId(300),
            build_type: BuildType::New,
            scale: Scale {
                parking_spaces: Some(10),
                ..Scale::default()
            },
            total_investment: Money(0),
            funding_source: String::new(),
            location: None,
            suspended_on: None,
            year_plans: vec![YearPlan {
                year: 2021,
                kind,
                planned_investment: Money(0),
                status: crate::model::PlanStatus::Approved,
                adjusted_investment: None,
                cancelled_on: None,
            }],
            milestones,
        }
    }

    fn portfolio() -> Portfolio {
        let unit = |id, kind, name: &str| Unit {
            id: UnitId(id),
            kind,
            name: name.into(),
            parent: None,
            active: true,
        };
        Portfolio {
            units: vec![
                unit(1, UnitKind::District, "甲区"),
                unit(2, UnitKind::District, "乙县"),
                unit(100, UnitKind::LeadUnit, "市住建局"),
            ],
            categories: vec![Category {
                id: CategoryId(1),
                code: "c".into(),
                name: "停车场".into(),
                sub_hq: UnitId(300),
                lead_unit: UnitId(100),
                template: vec![],
                template_version: 1,
            }],
            projects: vec![
                project(1, 1, 1, true, PlanKind::Construction),
                project(2, 1, 1, false, PlanKind::Construction),
                project(3, 1, 2, true, PlanKind::Construction),
                project(4, 1, 2, true, PlanKind::Preliminary),
            ]
            .into_iter()
            .map(Arc::new)
            .collect(),
            ..Portfolio::default()
        }
    }

    #[test]
    fn the_year_trend_is_the_totals_at_each_month_end_and_ends_with_the_overview_of_the_day() {
        let p = portfolio();
        let ledger = InvestmentLedger::new(&p);
        let as_of = date(2021, 6, 15);
        let trend = year_trend(&p, &ledger, 2021, as_of, |_| true);
        let days: Vec<Date> = trend.iter().map(|(d, _)| *d).collect();
        assert_eq!(
            days,
            [
                date(2021, 1, 31),
                date(2021, 2, 28),
                date(2021, 3, 31),
                date(2021, 4, 30),
                date(2021, 5, 31),
                as_of
            ]
        );
        // Each point is what the overview computes for that day.
        for (d, figures) in &trend {
            assert_eq!(
                *figures,
                Overview::compute_filtered(&p, &ledger, 2021, *d, |_| true).total
            );
        }
        // Rates move as milestones fall due and are reached (March and June here).
        let node = |i: usize| trend[i].1.node_completion;
        assert_ne!(node(1), node(2));
        // A later day gives the whole year; a day before it nothing; the filter applies.
        assert_eq!(
            year_trend(&p, &ledger, 2021, date(2022, 3, 1), |_| true).len(),
            12
        );
        assert!(year_trend(&p, &ledger, 2021, date(2020, 12, 31), |_| true).is_empty());
        let none = year_trend(&p, &ledger, 2021, as_of, |_| false);
        assert!(none.iter().all(|(_, f)| f.projects == 0));
    }

    #[test]
    fn overview_totals_equal_the_sum_of_the_per_project_rates() {
        let p = portfolio();
        let o = Overview::compute(&p, 2021, date(2021, 12, 31));
        assert_eq!(o.total.projects, 4);
        assert_eq!(o.total.preliminary_projects, 1);
        assert_eq!(o.total.project_completion, Ratio::new(2, 3));
        assert_eq!(o.total.node_completion, Ratio::new(11, 12));
        assert_eq!(o.total.overdue_milestones, 1);
        assert_eq!(o.total.finished_scale.parking_spaces, 20);
        assert_eq!(o.total.all_finished_on, None);
        assert_eq!(o.districts.len(), 2);
        assert_eq!(o.districts[0].figures.project_completion, Ratio::new(1, 2));
        assert_eq!(o.districts[1].figures.project_completion, Ratio::new(1, 1));
        assert_eq!(
            o.districts[1].figures.all_finished_on,
            Some(date(2021, 9, 1))
        );
        assert_eq!(o.categories[0].figures, o.total);
    }

    #[test]
    fn cells_partition_the_total_and_the_overdue_list_matches_its_count() {
        let p = portfolio();
        let as_of = date(2021, 12, 31);
        let o = Overview::compute(&p, 2021, as_of);
        assert_eq!(o.cells.len(), 2);
        let projects: u64 = o.cells.iter().map(|c| c.figures.projects).sum();
        assert_eq!(projects, o.total.projects);
        let list = overdue_milestones(&p, 2021, as_of);
        assert_eq!(list.len() as u64, o.total.overdue_milestones);
        assert_eq!(list[0].project, ProjectId(2));
        assert_eq!(list[0].days, 121);
    }

    #[test]
    fn merging_the_figures_of_two_halves_equals_the_figures_of_the_whole() {
        let p = portfolio();
        let ledger = InvestmentLedger::new(&p);
        let as_of = date(2021, 12, 31);
        let all: Vec<&Project> = p.projects.iter().map(|p| &**p).collect();
        let whole = Sums::of(&all, &ledger, 2021, as_of);
        for split in 0..=all.len() {
            let (a, b) = all.split_at(split);
            let merged = Sums::of(a, &ledger, 2021, as_of).merge(Sums::of(b, &ledger, 2021, as_of));
            assert_eq!(merged.total, whole.total, "split at {split}");
            assert_eq!(merged.by_district, whole.by_district, "split at {split}");
            assert_eq!(merged.by_cell, whole.by_cell, "split at {split}");
        }
    }

    #[test]
    fn an_unfinished_project_keeps_its_set_unfinished_whatever_the_order() {
        let mut p = portfolio();
        p.projects.reverse();
        let o = Overview::compute(&p, 2021, date(2021, 12, 31));
        assert_eq!(o.districts[0].figures.all_finished_on, None);
    }

    #[test]
    fn project_list_filters_sorts_and_pages() {
        let p = portfolio();
        let ledger = InvestmentLedger::new(&p);
        let as_of = date(2021, 12, 31);
        let q = ProjectQuery {
            overdue_only: true,
            ..ProjectQuery::default()
        };
        let page = list_projects(&p, &ledger, 2021, as_of, &q, |_| true);
        assert_eq!(page.total, 1);
        assert_eq!(page.items[0].code, "P002");
        assert_eq!(page.items[0].max_overdue_days, 121);

        let q = ProjectQuery {
            district: Some(UnitId(2)),
            sort: ProjectSort::Code,
            descending: true,
            per_page: 1,
            page: 2,
            ..ProjectQuery::default()
        };
        let page = list_projects(&p, &ledger, 2021, as_of, &q, |_| true);
        assert_eq!(page.total, 2);
        assert_eq!(page.pages(), 2);
        assert_eq!(page.items[0].code, "P003");

        let q = ProjectQuery {
            search: Some("项目4".into()),
            ..ProjectQuery::default()
        };
        assert_eq!(
            list_projects(&p, &ledger, 2021, as_of, &q, |_| true).total,
            1
        );
    }

    #[test]
    fn a_suspended_project_leaves_the_investment_rate_of_every_line_as_of_its_suspension() {
        let mut p = portfolio();
        for (i, pr) in p.projects.iter_mut().enumerate() {
            Arc::make_mut(pr).year_plans[0].planned_investment =
                Money::from_wan(100.0 * (i as f64 + 1.0));
        }
        Arc::make_mut(&mut p.projects[2]).suspended_on = Some(date(2021, 8, 1));
        p.periods = vec![ReportingPeriod {
            id: PeriodId(1),
            year: 2021,
            seq: 1,
            start: date(2021, 6, 17),
            end: date(2021, 6, 30),
            deadline: date(2021, 7, 2),
        }];
        p.reports = p
            .projects
            .iter()
            .map(|pr| ProgressReport {
                id: ReportId(pr.id.0),
                project: pr.id,
                period: PeriodId(1),
                version: 1,
                filed_on: date(2021, 7, 1),
                investment_to_date: Money::from_wan(10.0 * pr.id.0 as f64),
                milestones_reached: vec![],
                note: String::new(),
                problems: vec![],
                correction_reason: None,
            })
            .collect();
        let before = Overview::compute(&p, 2021, date(2021, 7, 31));
        let after = Overview::compute(&p, 2021, date(2021, 8, 1));
        // Project 3 (乙县, 300万元 planned, 30万元 done) counts before, not from its suspension.
        assert_eq!(before.total.investment.planned, Money::from_wan(1000.0));
        assert_eq!(before.total.investment.completed, Money::from_wan(100.0));
        assert_eq!(after.total.investment.planned, Money::from_wan(700.0));
        assert_eq!(after.total.investment.completed, Money::from_wan(70.0));
        assert_eq!(after.total.project_completion.denominator, 2);
        // Every line follows the same rule: district, category, lead unit and cell.
        let yi = &after.districts[1].figures;
        assert_eq!(yi.investment.planned, Money::from_wan(400.0));
        assert_eq!(yi.investment.completed, Money::from_wan(40.0));
        assert_eq!(
            after.categories[0].figures.investment,
            after.total.investment
        );
        assert_eq!(
            after.lead_units[0].figures.investment,
            after.total.investment
        );
        let cells: Vec<MoneyRatio> = after.cells.iter().map(|c| c.figures.investment).collect();
        assert_eq!(
            cells.iter().map(|c| c.planned.0).sum::<i64>(),
            after.total.investment.planned.0
        );
        // The sum of the per-project rates is the total.
        let ledger = InvestmentLedger::new(&p);
        let mut sum = MoneyRatio::default();
        for pr in &p.projects {
            sum.add(rates::investment_completion(
                pr,
                &ledger,
                2021,
                date(2021, 8, 1),
            ));
        }
        assert_eq!(sum, after.total.investment);
    }

    #[test]
    fn lagging_projects_come_longest_overdue_first() {
        let p = portfolio();
        let ledger = InvestmentLedger::new(&p);
        let rows = lagging_projects(&p, &ledger, 2021, date(2021, 12, 31), |_| true, 10);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].id, ProjectId(2));
    }
}
