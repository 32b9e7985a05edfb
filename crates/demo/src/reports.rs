//! The biweekly progress reports (两周一汇报): one per project per period from its first
//! milestone on, with milestones reached, investment to date, a note and problems; some filed
//! late, a few missing in the lagging county, and about twenty corrected after the deadline.

use std::collections::BTreeSet;

use jianguan_domain::model::{Money, PeriodId, ProgressReport, ReportId, ReportingPeriod};
use jiff::ToSpan;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::catalog::{CATEGORIES, MAIN_WORKS, START, STEPS};
use crate::org::LAGGING;
use crate::patterns;
use crate::plan::Spec;
use crate::projects::Ledger;
use crate::schedule::Sched;
use crate::{Day, date_of, day_of};

/// How many reports get a corrected second version.
const CORRECTIONS: usize = 20;

/// Every report version; ids run in the order generated, originals first, then corrections.
pub fn build(
    specs: &[Spec],
    ledger: &Ledger,
    periods: &[ReportingPeriod],
    rng: &mut ChaCha8Rng,
) -> Vec<ProgressReport> {
    let mut reports = Vec::new();
    for (i, (spec, project)) in specs.iter().zip(&ledger.projects).enumerate() {
        let sched = &ledger.scheds[i];
        let curve = Curve::new(sched);
        let year_end = ledger.year_end_investment[i];
        let first = sched.planned[0].min(sched.actual[0].unwrap_or(Day::MAX));
        let Some(from) = periods.iter().position(|p| day_of(p.end) >= first) else {
            continue;
        };
        let lagging = spec.district == LAGGING;
        for (k, period) in periods.iter().enumerate().skip(from) {
            let (start, end) = (day_of(period.start), day_of(period.end));
            let milestones_reached: Vec<_> = project
                .milestones
                .iter()
                .zip(sched.actual)
                .filter_map(|(m, a)| {
                    a.filter(|a| (start..=end).contains(a))
                        .map(|a| (m.id, date_of(a)))
                })
                .collect();
            // The lagging county skips a report now and then, never the first or the last
            // and never one that carries a milestone.
            let skippable = k > from && k + 1 < periods.len() && milestones_reached.is_empty();
            if lagging && skippable && rng.random_bool(0.08) {
                continue;
            }
            let late = rng.random_bool(if lagging { 0.25 } else { 0.04 });
            let filed_on = if late {
                period.deadline + rng.random_range(1..=6_i64).days()
            } else {
                period.end + rng.random_range(0..=2_i64).days()
            };
            let (prefix, problems) = patterns::remarks(spec, i, sched, end, rng);
            let note = format!("{prefix}{}", progress_note(spec, sched, &curve, start, end));
            reports.push(ProgressReport {
                id: ReportId(reports.len() as i64 + 1),
                project: project.id,
                period: period.id,
                version: 1,
                filed_on,
                investment_to_date: Money(curve.invested(year_end, end)),
                milestones_reached,
                note,
                problems,
                correction_reason: None,
            });
        }
    }
    correct(&mut reports, periods, rng);
    reports
}

/// The share of a project's cost spent by each milestone: design and approvals cost little,
/// the money goes into building.
const COST_SHARE: [f64; 10] = [0.01, 0.02, 0.03, 0.04, 0.05, 0.10, 0.70, 0.90, 0.97, 1.0];

/// Investment follows the works: a straight line between the days milestones were reached
/// (at their [`COST_SHARE`]), flat once the last one is, scaled so that the year ends on the
/// ledger's figure.
struct Curve {
    points: Vec<(Day, f64)>,
}

impl Curve {
    fn new(sched: &Sched) -> Curve {
        let mut points = Vec::new();
        for (actual, share) in sched.actual.iter().zip(COST_SHARE) {
            let Some(day) = actual else { break };
            if points.is_empty() {
                // Design money starts flowing a fortnight before the design is signed off.
                points.push((day - 14, 0.0));
            }
            points.push((*day, share));
        }
        Curve { points }
    }

    /// The share of the cost spent by `day`, interpolated.
    fn share(&self, day: Day) -> f64 {
        let Some(i) = self.points.iter().rposition(|p| p.0 <= day) else {
            return 0.0;
        };
        let (d0, s0) = self.points[i];
        match self.points.get(i + 1) {
            Some(&(d1, s1)) if d1 > d0 => s0 + (s1 - s0) * (day - d0) as f64 / (d1 - d0) as f64,
            _ => s0,
        }
    }

    /// Investment to date at `day` in 元, rounded down to hundreds, reaching `year_end`
    /// exactly once everything reached this year is reached.
    fn invested(&self, year_end: i64, day: Day) -> i64 {
        let full = self.points.last().map_or(0.0, |p| p.1);
        let share = self.share(day);
        if full <= 0.0 || share >= full {
            return year_end;
        }
        let yuan = year_end as f64 * share / full;
        ((yuan / 100.0).floor() as i64 * 100).min(year_end)
    }
}

/// Where a project stands when its last milestone reached is 主体完工, 配套完工, 竣工验收 or
/// 移交管养.
const STANDING: [&str; 4] = [
    "主体已完工，正在推进配套工程",
    "已完工，正在组织竣工验收",
    "已通过竣工验收，正在办理移交管养",
    "已移交管养，纳入长效管理",
];

/// The progress note of a period: what was reached, then where the project stands.
fn progress_note(spec: &Spec, sched: &Sched, curve: &Curve, start: Day, end: Day) -> String {
    let reached: Vec<&str> = (0..10)
        .filter(|&i| sched.actual[i].is_some_and(|a| (start..=end).contains(&a)))
        .map(|i| STEPS[i].0)
        .collect();
    let mut note = String::new();
    if !reached.is_empty() {
        note.push_str(&format!("本期完成{}节点。", reached.join("、")));
    }
    let item = CATEGORIES[spec.cat].item;
    let stand = match sched.last_reached(end) {
        None => "启动前期工作，正在开展方案设计".to_string(),
        Some(i) if i < START => format!(
            "前期手续办理中，已完成{}，正在推进{}",
            STEPS[i].0,
            STEPS[i + 1].0
        ),
        Some(START) => {
            // Progress of the main works alone, as site reports give it.
            let (from, to) = (COST_SHARE[START], COST_SHARE[MAIN_WORKS]);
            let works = ((curve.share(end) - from) / (to - from)).clamp(0.0, 1.0);
            format!("主体施工中，{item}完成{:.0}%", works * 100.0)
        }
        Some(i) => STANDING[i - MAIN_WORKS].to_string(),
    };
    note.push_str(&stand);
    // An overdue next milestone is named with its days, as the dispatch meeting would ask.
    if let Some(next) = sched
        .last_reached(end)
        .map_or(Some(0), |i| (i < 9).then_some(i + 1))
        && sched.planned[next] < end
    {
        note.push_str(&format!(
            "；{}节点已逾期{}天",
            STEPS[next].0,
            end - sched.planned[next]
        ));
    }
    note
}

/// Files a second version for about twenty reports, after the deadline, with a reason. The
/// corrected figure stays between the neighbouring periods' figures, so investment never goes
/// down; a project's last report of the year is never corrected, so year totals hold.
fn correct(reports: &mut Vec<ProgressReport>, periods: &[ReportingPeriod], rng: &mut ChaCha8Rng) {
    let deadline = |id: PeriodId| {
        periods
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.deadline)
            .expect("reports are for known periods")
    };
    let mut chosen = BTreeSet::new();
    let originals = reports.len();
    while chosen.len() < CORRECTIONS {
        let i = rng.random_range(1..originals - 1);
        let (prev, this, next) = (&reports[i - 1], &reports[i], &reports[i + 1]);
        // Only a report with a neighbour on each side of the same project qualifies, and
        // neighbours are not both corrected, so each correction stays between originals.
        let taken = (i - 1..=i + 1).any(|j| chosen.contains(&j));
        if prev.project != this.project || next.project != this.project || taken {
            continue;
        }
        let (low, value, high) = (
            prev.investment_to_date.0,
            this.investment_to_date.0,
            next.investment_to_date.0,
        );
        let (can_lower, can_raise) = (value - low >= 200, high - value >= 200);
        let lower = can_lower && (!can_raise || rng.random_bool(0.5));
        let (corrected, reason) = if lower {
            let corrected = low + (value - low) / 200 * 100;
            (corrected, "更正累计完成投资：原填报数据含未结算金额")
        } else if can_raise {
            let corrected = value + (high - value) / 200 * 100;
            (corrected, "更正累计完成投资：原填报漏报已完成工程量")
        } else {
            continue;
        };
        chosen.insert(i);
        let mut fixed = this.clone();
        fixed.id = ReportId(reports.len() as i64 + 1);
        fixed.version = 2;
        fixed.filed_on = deadline(this.period) + rng.random_range(5..=30_i64).days();
        fixed.investment_to_date = Money(corrected);
        fixed.correction_reason = Some(reason.into());
        reports.push(fixed);
    }
}
