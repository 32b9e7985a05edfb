//! Measuring a month: every indicator of the dictionary for every subject, with the records
//! behind each value. The result ([`Measurements`]) is what a score run stores as its inputs.
//!
//! Rates come from the existing definitions — the overview's per-district and per-lead-unit
//! [`Figures`] (one pass over the portfolio), [`filing::filing_of`], the warning events'
//! [`Change`], [`TrackedItem::overdue_days`] — nothing is computed a second way; this module
//! only chooses the month, the subject and the records to show.

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::indicators::{
    ComputedIndicator, Dictionary, EnteredValue, MediaLevel, MediaReport, Source,
};
use super::month::Month;
use crate::filing::{self, Filing, ReportIndex};
use crate::followup::{ItemAction, ItemId, ItemKind, TrackedItem};
use crate::model::{MilestoneId, PeriodId, Portfolio, Project, ProjectId, UnitId, UnitKind};
use crate::overview::{Figures, Overview};
use crate::rates::{self, InvestmentLedger, MoneyRatio, Ratio};
use crate::warnings::{Change, WarningBook, WarningLevel};

/// What is scored: districts or lead units. A district's projects are those lying in it; a lead
/// unit's are those it leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// 县区.
    District,
    /// 牵头单位.
    LeadUnit,
}

impl SubjectKind {
    /// Both kinds.
    pub const ALL: [SubjectKind; 2] = [SubjectKind::District, SubjectKind::LeadUnit];

    /// The stored code (the same as the unit kind's).
    pub fn code(self) -> &'static str {
        self.unit_kind().code()
    }

    /// The kind with `code`.
    pub fn from_code(code: &str) -> Option<SubjectKind> {
        SubjectKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        self.unit_kind().label()
    }

    /// The organisation units of this kind.
    pub fn unit_kind(self) -> UnitKind {
        match self {
            SubjectKind::District => UnitKind::District,
            SubjectKind::LeadUnit => UnitKind::LeadUnit,
        }
    }

    /// The subject a project belongs to.
    pub fn of_project(self, project: &Project) -> UnitId {
        match self {
            SubjectKind::District => project.district,
            SubjectKind::LeadUnit => project.lead_unit,
        }
    }
}

/// A unit being scored.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Subject {
    /// The unit.
    pub id: UnitId,
    /// Its name.
    pub name: String,
}

/// The subjects of `kind` in the portfolio, in id order.
pub fn subjects(portfolio: &Portfolio, kind: SubjectKind) -> Vec<Subject> {
    let mut list: Vec<Subject> = portfolio
        .units_of(kind.unit_kind())
        .map(|u| Subject {
            id: u.id,
            name: u.name.clone(),
        })
        .collect();
    list.sort_by_key(|s| s.id);
    list
}

/// Everything a month is measured from.
#[derive(Debug, Clone, Copy)]
pub struct AssessmentInput<'a> {
    /// The portfolio (report texts not needed).
    pub portfolio: &'a Portfolio,
    /// Investment to date.
    pub ledger: &'a InvestmentLedger,
    /// When each report version was filed.
    pub filings: &'a ReportIndex,
    /// The warnings' history.
    pub warnings: &'a WarningBook,
    /// Every tracked item.
    pub items: &'a [TrackedItem],
    /// Entered indicator values (any months; for one indicator, unit and month the last in the
    /// slice counts, so storage passes them oldest first and a correction wins).
    pub entered: &'a [EnteredValue],
    /// The media-coverage register.
    pub media: &'a [MediaReport],
    /// The indicators to measure.
    pub dictionary: &'a Dictionary,
    /// Every plan change (计划调整) requested.
    pub plan_changes: &'a [crate::plan::PlanChange],
}

/// How a report due in the month stood at the month's end, when it was not on time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilingStatus {
    /// Filed this many days after the deadline.
    Late {
        /// Days late.
        days: i64,
    },
    /// Not filed by the month's end.
    Missing,
}

/// A record behind a value, deduction or bonus: what "explain my score" lists.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RecordRef {
    /// A milestone due by the month's end that was not reached by then, or (for the on-time
    /// rate) reached after its planned date in the month, or due in the month and reached
    /// late.
    Milestone {
        /// The project.
        project: ProjectId,
        /// The milestone.
        milestone: MilestoneId,
        /// Its baseline date.
        planned: Date,
        /// The day it was reached, if by the month's end.
        actual: Option<Date>,
    },
    /// A progress report due in the month that was late or missing.
    Filing {
        /// The project.
        project: ProjectId,
        /// The reporting period.
        period: PeriodId,
        /// The period's number in its year (第N期).
        seq: u16,
        /// The period's deadline.
        deadline: Date,
        /// Late or missing.
        status: FilingStatus,
    },
    /// A warning event that reached its level in the month.
    Warning {
        /// The event's id.
        event: i64,
        /// The project.
        project: ProjectId,
        /// The milestone.
        milestone: MilestoneId,
        /// The level reached.
        level: WarningLevel,
        /// The day.
        on: Date,
    },
    /// A 督办 or 约谈 issued in the month.
    Act {
        /// The item.
        item: ItemId,
        /// 督办 or 约谈.
        act: ItemKind,
        /// Its main project, if it names one.
        project: Option<ProjectId>,
        /// The day it was issued.
        on: Date,
    },
    /// A tracked item open past its deadline at the month's end.
    OverdueItem {
        /// The item.
        item: ItemId,
        /// The deadline in force.
        deadline: Date,
        /// Days past it.
        days: i64,
    },
    /// A rectification first re-checked in the month.
    Rectification {
        /// The item.
        item: ItemId,
        /// The day of its first re-check.
        checked_on: Date,
        /// Whether it passed.
        passed: bool,
    },
    /// A report of the media-coverage register.
    Media {
        /// The register entry.
        report: i64,
        /// Its level.
        level: MediaLevel,
        /// The day it ran.
        date: Date,
    },
    /// A plan change (计划调整) requested in the month.
    PlanChange {
        /// The change's id.
        change: i64,
        /// The project.
        project: ProjectId,
        /// The day it was requested (China time).
        on: Date,
    },
    /// An entered value.
    Entry {
        /// The entry's id.
        entry: i64,
    },
}

/// A count out of a count, or money completed out of money planned (in yuan).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fraction {
    /// What met the condition.
    pub numerator: i64,
    /// What was measured.
    pub denominator: i64,
}

impl From<Ratio> for Fraction {
    fn from(r: Ratio) -> Fraction {
        Fraction {
            numerator: r.numerator as i64,
            denominator: r.denominator as i64,
        }
    }
}

impl From<MoneyRatio> for Fraction {
    fn from(r: MoneyRatio) -> Fraction {
        Fraction {
            numerator: r.completed.0,
            denominator: r.planned.0,
        }
    }
}

/// One indicator's value for one subject and month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measure {
    /// The value in the indicator's unit, to 6 decimals; `None` when there is nothing to
    /// measure (no milestone due, no value entered).
    pub value: Option<f64>,
    /// For a rate: what it is the share of.
    pub fraction: Option<Fraction>,
    /// The records behind the value: for a count, what was counted; for a rate, what fell
    /// short; for an entered value, the entry.
    pub records: Vec<RecordRef>,
}

impl Measure {
    fn rate(fraction: Fraction, records: Vec<RecordRef>) -> Measure {
        Measure {
            value: (fraction.denominator > 0).then(|| {
                super::kept(fraction.numerator as f64 / fraction.denominator as f64 * 100.0)
            }),
            fraction: Some(fraction),
            records: sorted(records),
        }
    }

    fn count(records: Vec<RecordRef>) -> Measure {
        Measure {
            value: Some(records.len() as f64),
            fraction: None,
            records: sorted(records),
        }
    }

    const MISSING: Measure = Measure {
        value: None,
        fraction: None,
        records: Vec::new(),
    };
}

fn sorted(mut records: Vec<RecordRef>) -> Vec<RecordRef> {
    records.sort();
    records
}

/// One subject's values for the month, by indicator code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubjectMeasures {
    /// The subject.
    pub subject: Subject,
    /// Every indicator of the dictionary, by code.
    pub values: BTreeMap<String, Measure>,
}

impl SubjectMeasures {
    /// The measure of indicator `code`.
    pub fn get(&self, code: &str) -> Option<&Measure> {
        self.values.get(code)
    }

    /// The value of indicator `code`, if measured.
    pub fn value(&self, code: &str) -> Option<f64> {
        self.get(code).and_then(|m| m.value)
    }
}

/// Every indicator for every subject of a kind for a month: a score run's inputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurements {
    /// The month.
    pub month: Month,
    /// Districts or lead units.
    pub kind: SubjectKind,
    /// The day the month is judged as of (its last day).
    pub as_of: Date,
    /// Per subject, in id order.
    pub subjects: Vec<SubjectMeasures>,
}

impl Measurements {
    /// The measures of subject `id`.
    pub fn subject(&self, id: UnitId) -> Option<&SubjectMeasures> {
        self.subjects.iter().find(|s| s.subject.id == id)
    }
}

/// What one subject collects in the pass over the records.
#[derive(Debug, Clone, Default)]
struct Collected {
    missed: Vec<RecordRef>,
    not_on_time: Vec<RecordRef>,
    filing: Ratio,
    late: Vec<RecordRef>,
    missing: Vec<RecordRef>,
    warning: Vec<RecordRef>,
    supervision: Vec<RecordRef>,
    summons: Vec<RecordRef>,
    overdue_items: Vec<RecordRef>,
    rectifications: Vec<RecordRef>,
    media: [Vec<RecordRef>; 3],
    plan_changes: Vec<RecordRef>,
    entered: BTreeMap<String, (f64, i64)>,
}

/// Measures every indicator of `input.dictionary` for every subject of `kind` in `month`, as of
/// the month's last day:
///
/// - rates (node completion, on time, project completion, investment completion) for the
///   month's year to date, over the subject's projects, from [`Overview::compute_with`]; the
///   records behind them are the milestones due and not reached by the month's end and, for
///   the on-time rate, also those reached late in the month (or due in it and reached late);
/// - filing: the reports whose period deadline falls in the month, judged at the month's end
///   (a deadline on the month's last day has passed by the end of that day, so a report not
///   filed by then is missing);
/// - warnings: events in the month that raised a warning at a level or escalated it into that
///   level (as [`WarningBook::counts_by_unit`] counts), for a district by the event's district,
///   for a lead unit by the project's lead unit;
/// - acts: 督办 and 约谈 issued in the month (items of those kinds opened in it), each counted
///   once, attributed as tracked items are;
/// - tracked items: a district's are those naming it (or, naming no district, owned by it or by
///   one of its units); a lead unit's are those it owns or whose project it leads;
/// - rectifications: those whose first re-check (the first 复查通过 or 复查未通过) falls in the
///   month, passed when that re-check passed;
/// - media: register entries dated in the month, credited to the subject or one of its units;
/// - entered values: those entered for the subject and the month.
pub fn measure_month(input: &AssessmentInput<'_>, kind: SubjectKind, month: Month) -> Measurements {
    let portfolio = input.portfolio;
    let year = month.year();
    let (first, as_of) = (month.first_day(), month.last_day());
    let list = subjects(portfolio, kind);
    let index: HashMap<UnitId, usize> = list.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
    let parents: HashMap<UnitId, UnitId> = portfolio
        .units
        .iter()
        .filter_map(|u| u.parent.map(|p| (u.id, p)))
        .collect();
    // The subject a unit belongs to: itself, or the subject it is part of.
    let unit_subject = |unit: UnitId| -> Option<usize> {
        index
            .get(&unit)
            .or_else(|| parents.get(&unit).and_then(|p| index.get(p)))
            .copied()
    };
    let projects: HashMap<ProjectId, &Project> =
        portfolio.projects.iter().map(|p| (p.id, &**p)).collect();
    let project_subject = |id: ProjectId| -> Option<usize> {
        projects
            .get(&id)
            .and_then(|p| index.get(&kind.of_project(p)))
            .copied()
    };
    let mut collected = vec![Collected::default(); list.len()];

    // Milestones behind the node-completion and on-time rates (the same due / reached tests
    // as the rates).
    for project in portfolio
        .projects
        .iter()
        .filter(|p| p.plan_for(year).is_some() && !rates::is_suspended(p, as_of))
    {
        let Some(&s) = index.get(&kind.of_project(project)) else {
            continue;
        };
        for m in project
            .milestones
            .iter()
            .filter(|m| rates::is_due(m, year, as_of))
        {
            let actual = m.actual.filter(|a| *a <= as_of);
            let record = RecordRef::Milestone {
                project: project.id,
                milestone: m.id,
                planned: m.planned,
                actual,
            };
            if !rates::reached_by(m, as_of) {
                collected[s].missed.push(record.clone());
            }
            // The on-time rate is for the year to date; its records are what is still open or
            // happened in the month (a milestone reached late in an earlier month is listed in
            // that month's run), so a month's list stays the size of the month's news.
            let late = actual.is_none_or(|a| a > m.planned);
            let this_month = actual.is_none_or(|a| month.contains(a)) || month.contains(m.planned);
            if late && this_month {
                collected[s].not_on_time.push(record);
            }
        }
    }

    // Filing of the periods whose deadline falls in the month.
    let mut periods: Vec<_> = portfolio
        .periods
        .iter()
        .filter(|p| month.contains(p.deadline))
        .collect();
    periods.sort_by_key(|p| (p.deadline, p.id));
    for period in periods {
        for project in portfolio
            .projects
            .iter()
            .filter(|p| filing::expected_to_file(p, period))
        {
            let Some(&s) = index.get(&kind.of_project(project)) else {
                continue;
            };
            let status =
                match filing::filing_of(input.filings.get(project.id, period), period, as_of) {
                    Filing::OnTime => None,
                    Filing::Late(days) => Some(FilingStatus::Late { days }),
                    // Judged at the end of the month's last day: a deadline on that day has passed.
                    Filing::Missing | Filing::Pending => Some(FilingStatus::Missing),
                };
            let c = &mut collected[s];
            c.filing.count(status.is_none());
            if let Some(status) = status {
                let record = RecordRef::Filing {
                    project: project.id,
                    period: period.id,
                    seq: period.seq,
                    deadline: period.deadline,
                    status,
                };
                match status {
                    FilingStatus::Late { .. } => c.late.push(record),
                    FilingStatus::Missing => c.missing.push(record),
                }
            }
        }
    }

    // Warnings that reached a level in the month.
    for e in input.warnings.between(first, as_of) {
        let Some(level) = e.level else {
            continue;
        };
        if !matches!(e.change(), Change::Raised | Change::Escalated) {
            continue;
        }
        let s = match kind {
            SubjectKind::District => index.get(&e.district).copied(),
            SubjectKind::LeadUnit => project_subject(e.project),
        };
        let Some(s) = s else {
            continue;
        };
        let record = RecordRef::Warning {
            event: e.id,
            project: e.project,
            milestone: e.milestone,
            level,
            on: e.on,
        };
        if level == WarningLevel::Warning {
            collected[s].warning.push(record);
        }
    }

    // Tracked items: overdue at the month's end; rectifications first re-checked in it.
    for item in input.items.iter().filter(|i| i.opened_on <= as_of) {
        let s = match kind {
            SubjectKind::District => item
                .district
                .and_then(|d| index.get(&d).copied())
                .or_else(|| unit_subject(item.owner)),
            SubjectKind::LeadUnit => index
                .get(&item.owner)
                .copied()
                .or_else(|| item.project.and_then(project_subject)),
        };
        let Some(s) = s else {
            continue;
        };
        if item.kind.is_act() && month.contains(item.opened_on) {
            let record = RecordRef::Act {
                item: item.id,
                act: item.kind,
                project: item.project,
                on: item.opened_on,
            };
            match item.kind {
                ItemKind::Summons => collected[s].summons.push(record),
                _ => collected[s].supervision.push(record),
            }
        }
        if let Some(days) = item.overdue_days(as_of) {
            collected[s].overdue_items.push(RecordRef::OverdueItem {
                item: item.id,
                deadline: item.state_on(as_of).deadline,
                days,
            });
        }
        if item.kind == ItemKind::Rectification {
            let first_check = item.events.iter().find(|e| {
                matches!(
                    e.action,
                    ItemAction::Verify { .. } | ItemAction::Reject { .. }
                )
            });
            if let Some(e) = first_check.filter(|e| month.contains(e.on)) {
                collected[s].rectifications.push(RecordRef::Rectification {
                    item: item.id,
                    checked_on: e.on,
                    passed: matches!(e.action, ItemAction::Verify { .. }),
                });
            }
        }
    }

    // Plan changes requested in the month, by the subject of their project.
    for change in input.plan_changes {
        let on = crate::plan::requested_on(change);
        if !month.contains(on) {
            continue;
        }
        if let Some(s) = project_subject(change.request.project) {
            collected[s].plan_changes.push(RecordRef::PlanChange {
                change: change.id,
                project: change.request.project,
                on,
            });
        }
    }

    // The media-coverage register.
    for r in input.media.iter().filter(|r| month.contains(r.date)) {
        let Some(s) = unit_subject(r.unit) else {
            continue;
        };
        let slot = MediaLevel::ALL
            .iter()
            .position(|l| *l == r.level)
            .expect("every level is listed");
        collected[s].media[slot].push(RecordRef::Media {
            report: r.id,
            level: r.level,
            date: r.date,
        });
    }

    // Entered values for the month (the last entry for an indicator counts).
    for e in input.entered.iter().filter(|e| e.month == month) {
        let entered = input
            .dictionary
            .get(&e.indicator)
            .is_some_and(|i| i.source == Source::Entered);
        if let (true, Some(&s)) = (entered, index.get(&e.subject)) {
            collected[s]
                .entered
                .insert(e.indicator.clone(), (e.value, e.id));
        }
    }

    let overview = Overview::compute_with(portfolio, input.ledger, year, as_of);
    let breakdowns = match kind {
        SubjectKind::District => &overview.districts,
        SubjectKind::LeadUnit => &overview.lead_units,
    };
    let figures: HashMap<UnitId, &Figures> =
        breakdowns.iter().map(|b| (b.id, &b.figures)).collect();
    let none = Figures::default();

    let subjects = list
        .into_iter()
        .zip(collected)
        .map(|(subject, c)| {
            let f = figures.get(&subject.id).copied().unwrap_or(&none);
            let values = input
                .dictionary
                .indicators
                .iter()
                .map(|indicator| {
                    let measure = match indicator.source {
                        Source::Computed(computed) => measure_computed(computed, f, &c),
                        Source::Entered => match c.entered.get(&indicator.code) {
                            Some(&(value, entry)) => Measure {
                                value: Some(super::kept(value)),
                                fraction: None,
                                records: vec![RecordRef::Entry { entry }],
                            },
                            None => Measure::MISSING,
                        },
                    };
                    (indicator.code.clone(), measure)
                })
                .collect();
            SubjectMeasures { subject, values }
        })
        .collect();
    Measurements {
        month,
        kind,
        as_of,
        subjects,
    }
}

fn measure_computed(computed: ComputedIndicator, f: &Figures, c: &Collected) -> Measure {
    use ComputedIndicator as C;
    match computed {
        C::NodeCompletion => Measure::rate(f.node_completion.into(), c.missed.clone()),
        C::OnTime => Measure::rate(f.on_time.into(), c.not_on_time.clone()),
        C::ProjectCompletion => Measure::rate(f.project_completion.into(), Vec::new()),
        C::InvestmentCompletion => Measure::rate(f.investment.into(), Vec::new()),
        C::FilingTimeliness => Measure::rate(
            c.filing.into(),
            c.late.iter().chain(&c.missing).cloned().collect(),
        ),
        C::FilingsLate => Measure::count(c.late.clone()),
        C::FilingsMissing => Measure::count(c.missing.clone()),
        C::WarningsWarning => Measure::count(c.warning.clone()),
        C::ActsSupervision => Measure::count(c.supervision.clone()),
        C::ActsSummons => Measure::count(c.summons.clone()),
        C::ItemsOverdue => Measure::count(c.overdue_items.clone()),
        C::RectificationFirstPass => {
            let mut ratio = Ratio::default();
            for r in &c.rectifications {
                ratio.count(matches!(r, RecordRef::Rectification { passed: true, .. }));
            }
            Measure::rate(ratio.into(), c.rectifications.clone())
        }
        C::MediaCentral => Measure::count(c.media[0].clone()),
        C::MediaProvincial => Measure::count(c.media[1].clone()),
        C::MediaCity => Measure::count(c.media[2].clone()),
        C::PlanChanges => Measure::count(c.plan_changes.clone()),
    }
}
