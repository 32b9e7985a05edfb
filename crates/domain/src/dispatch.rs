//! The weekly dispatch pack (一周一调度): for an ISO week, everything the meeting needs, read
//! off the records as of the week's last day — overdue and at-risk milestones, new and
//! escalated warnings, tracked items past their deadline or stuck, filing compliance of the
//! last closed period, league tables by district and category, what changed since the last
//! meeting, and the supervision items of earlier meetings still open.
//!
//! Convention: the meeting of week W reads the pack as of W's Sunday, and its decisions are
//! opened as supervision items from the Monday after (source "W"); so the pack of W carries
//! every supervision item opened by its Sunday and not yet closed — those of earlier meetings.
//!
//! The pack is a pure function of its inputs ([`DispatchPack::build`]): the same week over the
//! same records is the same pack, on a page, in print, as text or JSON.

use std::collections::HashMap;
use std::fmt;

use jiff::ToSpan;
use jiff::civil::{Date, ISOWeekDate, Weekday};
use serde::Serialize;

use crate::acts::{self, ActKind, Dismissal};
use crate::filing::{self, Compliance, ReportIndex};
use crate::followup::{FollowUpRules, ItemKind, ItemStatus, TrackedItem};
use crate::model::{Portfolio, ProjectId, UnitId};
use crate::overview::{Figures, Overview};
use crate::rates::{self, InvestmentLedger};
use crate::warnings::{self, Change, Light, WarningBook, WarningLevel, WarningRules};

/// An ISO week, e.g. 2021-W40.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Week {
    /// The ISO week-numbering year.
    pub year: i16,
    /// The week, 1–53.
    pub week: i8,
}

impl Week {
    /// Parses `2021-W40` (also `2021w40`).
    pub fn parse(text: &str) -> Result<Week, String> {
        let bad = || format!("周次「{text}」应写作 2021-W40");
        let (y, w) = text.trim().split_once(['W', 'w']).ok_or_else(bad)?;
        let year: i16 = y.trim_end_matches('-').parse().map_err(|_| bad())?;
        let week: i8 = w.parse().map_err(|_| bad())?;
        ISOWeekDate::new(year, week, Weekday::Monday)
            .map_err(|_| format!("{year} 年没有第 {week} 周"))?;
        Ok(Week { year, week })
    }

    /// The week containing `date`.
    pub fn of(date: Date) -> Week {
        let iso = date.iso_week_date();
        Week {
            year: iso.year(),
            week: iso.week(),
        }
    }

    /// Its Monday.
    pub fn monday(self) -> Date {
        ISOWeekDate::new(self.year, self.week, Weekday::Monday)
            .expect("a parsed week exists")
            .date()
    }

    /// Its Sunday: the pack's "as of" day.
    pub fn sunday(self) -> Date {
        self.monday() + 6.days()
    }

    /// The week before.
    pub fn previous(self) -> Week {
        Week::of(self.monday() - 1.day())
    }

    /// The week after.
    pub fn next(self) -> Week {
        Week::of(self.sunday() + 1.day())
    }
}

impl fmt::Display for Week {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-W{:02}", self.year, self.week)
    }
}

/// A project as the pack names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectRef {
    /// Identity.
    pub id: ProjectId,
    /// Ledger code.
    pub code: String,
    /// Name.
    pub name: String,
    /// District name.
    pub district: String,
    /// Responsible unit name.
    pub unit: String,
}

/// A milestone in the overdue or at-risk list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MilestoneLine {
    /// The project.
    pub project: ProjectRef,
    /// The milestone's name.
    pub milestone: String,
    /// Its baseline date.
    pub planned: Date,
    /// Days overdue (negative: days until due, for at-risk ones).
    pub days_overdue: i64,
    /// The open warning's level, if any.
    pub level: Option<WarningLevel>,
    /// The warning's reason, if any.
    pub reason: Option<String>,
}

/// A warning event in the week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WarningLine {
    /// The project.
    pub project: ProjectRef,
    /// The milestone's name.
    pub milestone: String,
    /// The day.
    pub on: Date,
    /// The level before.
    pub previous: Option<WarningLevel>,
    /// The level after.
    pub level: WarningLevel,
    /// Why.
    pub reason: String,
}

/// A tracked item in the pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemLine {
    /// Identity.
    pub id: i64,
    /// Kind.
    pub kind: ItemKind,
    /// Title.
    pub title: String,
    /// The project, if any.
    pub project: Option<ProjectRef>,
    /// Owner unit name.
    pub owner: String,
    /// Outside bodies.
    pub bodies: Vec<String>,
    /// Source (meeting week, report, inspection).
    pub source: String,
    /// Who follows it now.
    pub level: String,
    /// Status now.
    pub status: ItemStatus,
    /// Opened on.
    pub opened_on: Date,
    /// Deadline in force.
    pub deadline: Date,
    /// Days past the deadline (0 when not past it).
    pub days_overdue: i64,
    /// Days since its last movement.
    pub days_without_movement: i64,
}

/// A row of a league table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeagueRow {
    /// Rank by node completion (1 = best).
    pub rank: usize,
    /// The district's or category's name.
    pub name: String,
    /// Projects in the year.
    pub projects: u64,
    /// 节点完成率.
    pub node_completion: Option<f64>,
    /// 按期完成率.
    pub on_time: Option<f64>,
    /// 项目完成率.
    pub project_completion: Option<f64>,
    /// 投资完成率.
    pub investment_completion: Option<f64>,
    /// Milestones overdue.
    pub overdue_milestones: u64,
    /// Its light.
    pub light: Light,
}

/// The headline figures at one date.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Headline {
    /// The date.
    pub as_of: Date,
    /// 节点完成率.
    pub node_completion: Option<f64>,
    /// 按期完成率.
    pub on_time: Option<f64>,
    /// 项目完成率.
    pub project_completion: Option<f64>,
    /// 投资完成率.
    pub investment_completion: Option<f64>,
    /// Projects finished.
    pub finished_projects: u64,
    /// Milestones overdue.
    pub overdue_milestones: u64,
}

impl From<(&Figures, Date)> for Headline {
    fn from((f, as_of): (&Figures, Date)) -> Headline {
        Headline {
            as_of,
            node_completion: f.node_completion.value(),
            on_time: f.on_time.value(),
            project_completion: f.project_completion.value(),
            investment_completion: f.investment.value(),
            finished_projects: f.finished(),
            overdue_milestones: f.overdue_milestones,
        }
    }
}

/// What changed since the last meeting.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Changes {
    /// Figures at the last meeting's pack.
    pub before: Headline,
    /// Figures now.
    pub now: Headline,
    /// Milestones reached in the week.
    pub milestones_reached: u64,
    /// Projects whose annual plan was completed in the week.
    pub projects_finished: Vec<ProjectRef>,
    /// Items opened in the week.
    pub items_opened: u64,
    /// Items closed in the week.
    pub items_closed: u64,
}

/// Filing compliance of the last closed period, as the pack shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FilingSummary {
    /// The period's number in the year.
    pub period_seq: u16,
    /// Its deadline.
    pub deadline: Date,
    /// Expected, on time, late, missing.
    pub expected: u64,
    /// Filed on time.
    pub on_time: u64,
    /// Filed late.
    pub late: u64,
    /// Not filed.
    pub missing: u64,
    /// The units with late or missing reports: name, late, missing.
    pub units_behind: Vec<(String, u64, u64)>,
}

/// The weekly dispatch pack.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DispatchPack {
    /// The week, e.g. 2021-W40.
    pub week: String,
    /// Its Monday.
    pub from: Date,
    /// Its Sunday: the "as of" day.
    pub to: Date,
    /// The campaign year reported on.
    pub year: i16,
    /// Milestones overdue at the week's end, longest first.
    pub overdue_milestones: Vec<MilestoneLine>,
    /// Milestones flagged at risk at the week's end.
    pub at_risk_milestones: Vec<MilestoneLine>,
    /// Warnings raised in the week.
    pub new_warnings: Vec<WarningLine>,
    /// Warnings escalated in the week.
    pub escalated_warnings: Vec<WarningLine>,
    /// Open warnings at the week's end by level.
    pub open_warnings_by_level: Vec<(WarningLevel, u64)>,
    /// Tracked items open past their deadline.
    pub items_past_deadline: Vec<ItemLine>,
    /// Tracked items stuck (卡壳).
    pub stuck_items: Vec<ItemLine>,
    /// Filing compliance of the last closed period.
    pub filing: Option<FilingSummary>,
    /// League table by district.
    pub district_league: Vec<LeagueRow>,
    /// League table by category.
    pub category_league: Vec<LeagueRow>,
    /// What changed since the last meeting.
    pub changes: Changes,
    /// Acts (督办 and 约谈) issued before the week's end and still open, oldest first: those
    /// of earlier meetings and those the office issued on proposals.
    pub open_supervision_items: Vec<ItemLine>,
    /// Acts issued in the week, each once.
    pub acts_issued: Vec<ItemLine>,
    /// Acts the rules propose at the week's end, for the meeting to issue or dismiss.
    pub proposals: Vec<ProposalLine>,
    /// Plan changes (计划调整) asked in the year by the week's end, per district with any:
    /// a district that keeps changing its plan is a matter for the meeting.
    pub plan_adjustments: Vec<AdjustmentLine>,
}

/// One district's plan changes of the year, as the pack shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdjustmentLine {
    /// The district.
    pub district: String,
    /// Changes requested (approved, rejected or pending).
    pub requested: usize,
    /// Of them approved.
    pub approved: usize,
    /// Of them still pending.
    pub pending: usize,
}

/// A proposed act as the pack shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProposalLine {
    /// The proposal's key (to issue or dismiss it).
    pub key: String,
    /// 督办 or 约谈.
    pub act: ActKind,
    /// The unit it would be issued to.
    pub unit: String,
    /// The title.
    pub title: String,
    /// Why.
    pub reason: String,
    /// How many projects it concerns.
    pub projects: usize,
}

/// What a pack is built from.
pub struct DispatchInput<'a> {
    /// The portfolio (reports not needed).
    pub portfolio: &'a Portfolio,
    /// Investment to date.
    pub ledger: &'a InvestmentLedger,
    /// When each report version was filed.
    pub filings: &'a ReportIndex,
    /// The warnings' history.
    pub warnings: &'a WarningBook,
    /// The warning rules (for the lights).
    pub rules: &'a WarningRules,
    /// Every tracked item.
    pub items: &'a [TrackedItem],
    /// Proposals of acts the office dismissed.
    pub dismissals: &'a [Dismissal],
    /// Follow-up rules (stuck days).
    pub follow_up: FollowUpRules,
    /// Every plan change (计划调整) recorded.
    pub plan_changes: &'a [crate::plan::PlanChange],
}

/// The year's plan changes asked by `to`, per district, most first.
fn adjustment_lines(input: &DispatchInput<'_>, year: i16, to: Date) -> Vec<AdjustmentLine> {
    use crate::plan::PlanChangeStatus;
    // The end of the week's Sunday in China (UTC+8), as milliseconds since the epoch.
    let days = i64::from((to - Date::constant(1970, 1, 1)).get_days());
    let end_ms = (days + 1) * 86_400_000 - 8 * 3_600_000;
    let mut by: HashMap<UnitId, AdjustmentLine> = HashMap::new();
    for c in input
        .plan_changes
        .iter()
        .filter(|c| c.request.year == year && c.requested_at_ms < end_ms)
    {
        let Some(p) = input.portfolio.project(c.request.project) else {
            continue;
        };
        let line = by.entry(p.district).or_insert_with(|| AdjustmentLine {
            district: input.portfolio.unit_name(p.district).to_string(),
            requested: 0,
            approved: 0,
            pending: 0,
        });
        line.requested += 1;
        let decided = c.decided_at_ms.is_some_and(|ms| ms < end_ms);
        match c.status {
            PlanChangeStatus::Approved if decided => line.approved += 1,
            PlanChangeStatus::Pending => line.pending += 1,
            _ if !decided => line.pending += 1,
            _ => {}
        }
    }
    let mut lines: Vec<AdjustmentLine> = by.into_values().collect();
    lines.sort_by(|a, b| {
        b.requested
            .cmp(&a.requested)
            .then(a.district.cmp(&b.district))
    });
    lines
}

/// How much of a pack to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extent {
    /// All of it, for the meeting.
    Full,
    /// What the overview page's 本周调度 box shows: the warnings ladder and the week's moves,
    /// the filing summary, the item counts and the league tables. The milestone lists, the
    /// proposals, the week's changes and the plan adjustments are left empty (at national
    /// scale they are most of the pack's time).
    Situation,
}

impl DispatchPack {
    /// The pack of `week` for the campaign year `year`.
    pub fn build(input: &DispatchInput<'_>, week: Week, year: i16) -> DispatchPack {
        DispatchPack::build_with(input, week, year, Extent::Full, |day| {
            Overview::compute_with(input.portfolio, input.ledger, year, day)
        })
    }

    /// As [`DispatchPack::build`], to `extent`, with the whole portfolio's overview of `year`
    /// at a day (the week's Sunday and the one before) taken from `overview_on`: a node that
    /// keeps a [`crate::overview::FigureBook`] sums it instead of computing every project's
    /// rates.
    pub fn build_with(
        input: &DispatchInput<'_>,
        week: Week,
        year: i16,
        extent: Extent,
        overview_on: impl Fn(Date) -> Overview,
    ) -> DispatchPack {
        let full = extent == Extent::Full;
        let p = input.portfolio;
        let (from, to) = (week.monday(), week.sunday());
        let names = Names::new(p);
        let open = input.warnings.open_on(to);
        let open_by_milestone: HashMap<_, _> =
            open.iter().map(|w| ((w.project, w.milestone), w)).collect();

        let overdue = if full {
            crate::overview::overdue_milestones(p, year, to)
        } else {
            Vec::new()
        };
        let overdue_milestones = overdue
            .into_iter()
            .filter_map(|o| {
                let project = names.project(o.project)?;
                let m = project
                    .milestones
                    .iter()
                    .find(|m| m.name == o.milestone)?
                    .id;
                let w = open_by_milestone.get(&(o.project, m));
                Some(MilestoneLine {
                    project: names.project_ref(project),
                    milestone: o.milestone,
                    planned: o.planned,
                    days_overdue: o.days,
                    level: w.map(|w| w.level),
                    reason: w.map(|w| w.reason.clone()),
                })
            })
            .collect();

        let at_risk_milestones = open
            .iter()
            .filter(|w| full && w.level == WarningLevel::AtRisk)
            .filter_map(|w| {
                let project = names.project(w.project)?;
                let m = project.milestones.iter().find(|m| m.id == w.milestone)?;
                Some(MilestoneLine {
                    project: names.project_ref(project),
                    milestone: m.name.clone(),
                    planned: m.planned,
                    days_overdue: i64::from((to - m.planned).get_days()),
                    level: Some(w.level),
                    reason: Some(w.reason.clone()),
                })
            })
            .collect();

        let mut new_warnings = Vec::new();
        let mut escalated_warnings = Vec::new();
        for e in input.warnings.between(from, to) {
            let (Some(level), Some(project)) = (e.level, names.project(e.project)) else {
                continue;
            };
            let Some(m) = project.milestones.iter().find(|m| m.id == e.milestone) else {
                continue;
            };
            let line = WarningLine {
                project: names.project_ref(project),
                milestone: m.name.clone(),
                on: e.on,
                previous: e.previous,
                level,
                reason: e.reason.clone(),
            };
            match e.change() {
                Change::Raised => new_warnings.push(line),
                Change::Escalated => escalated_warnings.push(line),
                Change::DeEscalated | Change::Lifted => {}
            }
        }
        let mut by_level: HashMap<WarningLevel, u64> = HashMap::new();
        for w in &open {
            *by_level.entry(w.level).or_default() += 1;
        }
        let open_warnings_by_level = WarningLevel::ALL
            .into_iter()
            .map(|l| (l, by_level.get(&l).copied().unwrap_or(0)))
            .collect();

        let item_line = |item: &TrackedItem| names.item_line(item, to);
        let live: Vec<&TrackedItem> = input
            .items
            .iter()
            .filter(|i| i.opened_on <= to && i.state_on(to).status != ItemStatus::Closed)
            .collect();
        let mut items_past_deadline: Vec<ItemLine> = live
            .iter()
            .filter(|i| i.overdue_days(to).is_some())
            .map(|i| item_line(i))
            .collect();
        items_past_deadline
            .sort_by(|a, b| b.days_overdue.cmp(&a.days_overdue).then(a.id.cmp(&b.id)));
        let mut stuck_items: Vec<ItemLine> = live
            .iter()
            .filter(|i| i.is_stuck(to, input.follow_up.stuck_days))
            .map(|i| item_line(i))
            .collect();
        stuck_items.sort_by(|a, b| {
            b.days_without_movement
                .cmp(&a.days_without_movement)
                .then(a.id.cmp(&b.id))
        });
        // Supervision items decided at meetings before this week's: they come back every week
        // until closed.
        let mut open_supervision_items: Vec<ItemLine> = live
            .iter()
            .filter(|i| i.kind.is_act() && i.opened_on <= to)
            .map(|i| item_line(i))
            .collect();
        open_supervision_items.sort_by_key(|i| (i.opened_on, i.id));
        let acts_issued: Vec<ItemLine> = acts::issued_between(input.items, from, to)
            .map(item_line)
            .collect();
        let proposed = if full {
            acts::propose(
                p,
                &input.rules.proposals,
                input.warnings,
                input.items,
                input.dismissals,
                to,
            )
        } else {
            Vec::new()
        };
        let proposals = proposed
            .into_iter()
            .map(|x| ProposalLine {
                unit: names.unit(x.unit).to_string(),
                key: x.key,
                act: x.act,
                title: x.title,
                reason: x.reason,
                projects: x.projects.len(),
            })
            .collect();

        let filing = filing::last_closed_period(&p.periods, to)
            .filter(|period| period.year == year)
            .map(|period| {
                let c = filing::compliance(p, input.filings, period, to);
                summarise_filing(&c, &names)
            });

        let now = overview_on(to);
        let prev_to = week.previous().sunday();
        // Only the totals of the week before are read; the situation leaves them at this week's.
        let before = if full {
            overview_on(prev_to).total
        } else {
            now.total
        };
        let project_lights =
            warnings::project_lights(&open, acts::projects_under_acts(input.items, to));
        let lights = warnings::lights_by(p, year, |_| true, &project_lights, input.rules.lights);
        let district_light: HashMap<_, _> =
            lights.districts.iter().map(|g| (g.id, g.light)).collect();
        let category_light: HashMap<_, _> =
            lights.categories.iter().map(|g| (g.id, g.light)).collect();
        let district_league = league(now.districts.iter().map(|b| {
            (
                b.name.clone(),
                &b.figures,
                district_light.get(&b.id).copied().unwrap_or(Light::None),
            )
        }));
        let category_league = league(now.categories.iter().map(|b| {
            (
                b.name.clone(),
                &b.figures,
                category_light.get(&b.id).copied().unwrap_or(Light::None),
            )
        }));

        let mut milestones_reached = 0;
        let mut projects_finished = Vec::new();
        for project in p
            .projects
            .iter()
            .filter(|pr| full && pr.plan_for(year).is_some())
        {
            milestones_reached += project
                .milestones
                .iter()
                .filter(|m| m.actual.is_some_and(|a| a >= from && a <= to))
                .count() as u64;
            if rates::annual_plan_completed_on(project, year, to).is_some_and(|d| d >= from) {
                projects_finished.push(names.project_ref(project));
            }
        }
        let items_opened = input
            .items
            .iter()
            .filter(|i| i.opened_on >= from && i.opened_on <= to)
            .count() as u64;
        let items_closed = input
            .items
            .iter()
            .filter(|i| i.state_on(to).closed_on.is_some_and(|d| d >= from))
            .count() as u64;

        let plan_adjustments = if full {
            adjustment_lines(input, year, to)
        } else {
            Vec::new()
        };
        DispatchPack {
            plan_adjustments,
            week: week.to_string(),
            from,
            to,
            year,
            overdue_milestones,
            at_risk_milestones,
            new_warnings,
            escalated_warnings,
            open_warnings_by_level,
            items_past_deadline,
            stuck_items,
            filing,
            district_league,
            category_league,
            changes: Changes {
                before: Headline::from((&before, prev_to)),
                now: Headline::from((&now.total, to)),
                milestones_reached,
                projects_finished,
                items_opened,
                items_closed,
            },
            open_supervision_items,
            acts_issued,
            proposals,
        }
    }
}

fn league<'a>(rows: impl Iterator<Item = (String, &'a Figures, Light)>) -> Vec<LeagueRow> {
    let mut rows: Vec<LeagueRow> = rows
        .map(|(name, f, light)| LeagueRow {
            rank: 0,
            name,
            projects: f.projects,
            node_completion: f.node_completion.value(),
            on_time: f.on_time.value(),
            project_completion: f.project_completion.value(),
            investment_completion: f.investment.value(),
            overdue_milestones: f.overdue_milestones,
            light,
        })
        .collect();
    rows.sort_by(|a, b| {
        b.node_completion
            .unwrap_or(-1.0)
            .total_cmp(&a.node_completion.unwrap_or(-1.0))
            .then(a.overdue_milestones.cmp(&b.overdue_milestones))
            .then(a.name.cmp(&b.name))
    });
    for (i, r) in rows.iter_mut().enumerate() {
        r.rank = i + 1;
    }
    rows
}

fn summarise_filing(c: &Compliance, names: &Names<'_>) -> FilingSummary {
    let units_behind = c
        .by_unit
        .iter()
        .filter(|(_, n)| n.late + n.missing > 0)
        .map(|(u, n)| (names.unit(*u).to_string(), n.late, n.missing))
        .collect();
    FilingSummary {
        period_seq: c.period.seq,
        deadline: c.period.deadline,
        expected: c.total.expected,
        on_time: c.total.on_time,
        late: c.total.late,
        missing: c.total.missing,
        units_behind,
    }
}

/// Names of projects and units, looked up once.
struct Names<'a> {
    portfolio: &'a Portfolio,
    projects: HashMap<ProjectId, usize>,
    units: HashMap<UnitId, &'a str>,
}

impl<'a> Names<'a> {
    fn new(portfolio: &'a Portfolio) -> Names<'a> {
        Names {
            portfolio,
            projects: portfolio
                .projects
                .iter()
                .enumerate()
                .map(|(i, p)| (p.id, i))
                .collect(),
            units: portfolio
                .units
                .iter()
                .map(|u| (u.id, u.name.as_str()))
                .collect(),
        }
    }

    fn project(&self, id: ProjectId) -> Option<&'a crate::model::Project> {
        self.projects
            .get(&id)
            .map(|i| &*self.portfolio.projects[*i])
    }

    fn unit(&self, id: UnitId) -> &'a str {
        self.units.get(&id).copied().unwrap_or("")
    }

    fn project_ref(&self, p: &crate::model::Project) -> ProjectRef {
        ProjectRef {
            id: p.id,
            code: p.code.clone(),
            name: p.name.clone(),
            district: self.unit(p.district).to_string(),
            unit: self.unit(p.responsible_unit).to_string(),
        }
    }

    fn item_line(&self, item: &TrackedItem, on: Date) -> ItemLine {
        let s = item.state_on(on);
        ItemLine {
            id: item.id.0,
            kind: item.kind,
            title: item.title.clone(),
            project: item
                .project
                .and_then(|id| self.project(id))
                .map(|p| self.project_ref(p)),
            owner: self.unit(item.owner).to_string(),
            bodies: item.bodies.clone(),
            source: item.source.clone(),
            level: s.level.label().to_string(),
            status: s.status,
            opened_on: item.opened_on,
            deadline: s.deadline,
            days_overdue: item.overdue_days(on).unwrap_or(0),
            days_without_movement: i64::from((on - s.last_movement).get_days()).max(0),
        }
    }
}

#[cfg(test)]
mod tests;
