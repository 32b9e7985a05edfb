//! Scoring a month: every subject's points per indicator and system, its deductions and
//! bonuses down to the records behind them, its total, rank and tier; then the reward and
//! accountability lists.
//!
//! Precision: indicator and system points and weights are kept to 6 decimals (the base is
//! summed before that rounding); a subject's base, each deduction and bonus, their sums and the
//! total are rounded to 0.01, the precision published, and ranks compare the rounded totals
//! (so two totals equal to the hundredth share a rank).
//!
//! Order: subjects are listed by rank; subjects sharing a rank by name (Unicode code-point
//! order), then unit id. Subjects with no value for any indicator of the scheme are not ranked
//! and come last, by name then id.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::indicators::Direction;
use super::kept;
use super::measure::{
    AssessmentInput, Fraction, Measurements, RecordRef, Subject, SubjectKind, SubjectMeasures,
    measure_month,
};
use super::month::Month;
use super::scheme::{Adjustment, Method, MissingRule, Scheme, SchemeError};

/// Full points of one indicator before weighting.
const FULL: f64 = 100.0;

/// Points of `value` against `target` (> 0): value ÷ target × 100 for a higher-is-better
/// indicator, target ÷ value × 100 for a lower-is-better one (a value of 0 or less meets any
/// target); never below 0 nor above 100.
pub fn ratio_points(value: f64, target: f64, direction: Direction) -> f64 {
    let share = match direction {
        Direction::HigherIsBetter => value / target,
        Direction::LowerIsBetter if value <= 0.0 => 1.0,
        Direction::LowerIsBetter => target / value,
    };
    share.clamp(0.0, 1.0) * FULL
}

/// Points of `value` between `worst` (0 points) and `best` (100 points), linear between and
/// flat beyond; `best` may lie below `worst` (lower is better).
pub fn linear_points(value: f64, worst: f64, best: f64) -> f64 {
    if best == worst {
        return if value == best { FULL } else { 0.0 };
    }
    ((value - worst) / (best - worst)).clamp(0.0, 1.0) * FULL
}

/// Points of rank `rank` (from 1): 100 for the first, `step` fewer for each rank down, never
/// below 0.
pub fn rank_points(rank: u32, step: f64) -> f64 {
    (FULL - f64::from(rank.saturating_sub(1)) * step).max(0.0)
}

/// Competition ranks ("1, 2, 2, 4") of `values`, best first by `direction`: each value's rank is
/// one more than the number of values strictly better. Returned in the order of `values`.
pub fn competition_ranks(values: &[f64], direction: Direction) -> Vec<u32> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| {
        let o = values[a].total_cmp(&values[b]);
        match direction {
            Direction::HigherIsBetter => o.reverse(),
            Direction::LowerIsBetter => o,
        }
    });
    let mut ranks = vec![0; values.len()];
    for (pos, &i) in order.iter().enumerate() {
        ranks[i] = match pos {
            // `==` rather than the sort's total order, so 0.0 and -0.0 tie.
            p if p > 0 && values[order[p - 1]] == values[i] => ranks[order[p - 1]],
            p => p as u32 + 1,
        };
    }
    ranks
}

fn round2(x: f64) -> f64 {
    super::round_to(x, 2)
}

/// The scheme a result was scored with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemeRef {
    /// Its year.
    pub year: i16,
    /// Its version.
    pub version: u32,
    /// Its title.
    pub name: String,
    /// Days after publication during which a unit may object.
    pub objection_window_days: u32,
}

/// One indicator on a subject's score card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorLine {
    /// Indicator code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Unit.
    pub unit: String,
    /// Which way is better.
    pub direction: Direction,
    /// The method with the target that applied to this subject.
    pub method: Method,
    /// The value, if there was one.
    pub value: Option<f64>,
    /// For a rate: what it is the share of.
    pub fraction: Option<Fraction>,
    /// The target (the best bound for `linear`; none for `rank`).
    pub target: Option<f64>,
    /// For `rank`: the subject's rank on this indicator.
    pub value_rank: Option<u32>,
    /// Points on the 0..=100 scale; none when the value is missing.
    pub points: Option<f64>,
    /// Weight within the system, as the scheme sets it.
    pub weight: f64,
    /// Weight within the system after missing values left the weighting.
    pub effective_weight: f64,
    /// Contribution to the total: points × effective weight × the system's effective weight.
    pub weighted: f64,
    /// The records behind the value.
    pub records: Vec<RecordRef>,
}

/// One system on a subject's score card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SystemScore {
    /// System code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Weight as the scheme sets it.
    pub weight: f64,
    /// Weight after systems without any value left the weighting.
    pub effective_weight: f64,
    /// The system's score on the 0..=100 scale; none when none of its indicators had a value.
    pub subtotal: Option<f64>,
    /// Contribution to the total.
    pub weighted: f64,
    /// Its indicators.
    pub indicators: Vec<IndicatorLine>,
}

/// A deduction or bonus on a subject's score card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdjustmentLine {
    /// The deduction's or bonus's code.
    pub code: String,
    /// Name.
    pub name: String,
    /// The count indicator.
    pub indicator: String,
    /// Its unit (次, 份, 篇 …).
    pub unit: String,
    /// How many were counted.
    pub count: f64,
    /// Points per unit counted.
    pub per: f64,
    /// The cap.
    pub cap: f64,
    /// Points taken or given (count × per, capped), rounded to 0.01.
    pub points: f64,
    /// Whether the cap applied.
    pub capped: bool,
    /// The records counted.
    pub records: Vec<RecordRef>,
}

/// How a subject moved since the previous month.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Trend {
    /// Last month's total.
    pub previous_total: f64,
    /// Last month's rank.
    pub previous_rank: Option<u32>,
    /// Change of the total.
    pub total_change: f64,
    /// Ranks moved up (negative: down), when ranked both months.
    pub rank_change: Option<i64>,
}

impl Trend {
    /// The arrow a league table shows: by rank when ranked both months, else by total.
    pub fn arrow(&self) -> &'static str {
        let up = match self.rank_change {
            Some(r) => r.signum(),
            None => self.total_change.partial_cmp(&0.0).map_or(0, |o| o as i64),
        };
        match up {
            1 => "↑",
            -1 => "↓",
            _ => "→",
        }
    }
}

/// One subject's score card: everything "explain my score" shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubjectScore {
    /// The subject.
    pub subject: Subject,
    /// Systems with their indicators.
    pub systems: Vec<SystemScore>,
    /// Deductions, in the scheme's order.
    pub deductions: Vec<AdjustmentLine>,
    /// Bonuses, in the scheme's order.
    pub bonuses: Vec<AdjustmentLine>,
    /// Weighted points of the indicators (0..=100), rounded to 0.01.
    pub base: f64,
    /// Points deducted in all.
    pub deducted: f64,
    /// Points added in all.
    pub added: f64,
    /// base − deducted + added.
    pub total: f64,
    /// Rank among the subjects (ties share); none when no indicator had a value.
    pub rank: Option<u32>,
    /// Tier name; none when not ranked.
    pub tier: Option<String>,
    /// Codes of the scheme's indicators without a value for this subject.
    pub missing: Vec<String>,
    /// Movement since last month, when a previous month was given.
    pub trend: Option<Trend>,
}

impl SubjectScore {
    /// The indicator line with `code`.
    pub fn indicator(&self, code: &str) -> Option<&IndicatorLine> {
        self.systems
            .iter()
            .flat_map(|s| &s.indicators)
            .find(|l| l.code == code)
    }

    /// The deduction with `code`.
    pub fn deduction(&self, code: &str) -> Option<&AdjustmentLine> {
        self.deductions.iter().find(|d| d.code == code)
    }

    /// The bonus with `code`.
    pub fn bonus(&self, code: &str) -> Option<&AdjustmentLine> {
        self.bonuses.iter().find(|d| d.code == code)
    }
}

/// Why a subject is on a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum ListReason {
    /// Among the best.
    Top {
        /// Its rank.
        rank: u32,
    },
    /// Among the worst.
    Bottom {
        /// Its rank.
        rank: u32,
    },
    /// A count that names it whatever its rank (a 约谈 in the month).
    Flagged {
        /// The count indicator.
        indicator: String,
        /// The count.
        count: f64,
        /// The records counted.
        records: Vec<RecordRef>,
    },
}

/// A subject on the reward or accountability list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListEntry {
    /// The subject.
    pub subject: Subject,
    /// Its rank.
    pub rank: Option<u32>,
    /// Its total.
    pub total: f64,
    /// Why it is listed.
    pub reasons: Vec<ListReason>,
}

/// A month's scores for one kind of subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthScores {
    /// The month.
    pub month: Month,
    /// Districts or lead units.
    pub kind: SubjectKind,
    /// The scheme used.
    pub scheme: SchemeRef,
    /// Score cards in rank order (see the module's note on order).
    pub subjects: Vec<SubjectScore>,
    /// The reward list (表扬), in rank order.
    pub reward: Vec<ListEntry>,
    /// The accountability list (问责), in rank order, unranked flagged subjects last.
    pub accountability: Vec<ListEntry>,
}

impl MonthScores {
    /// The score card of subject `id`.
    pub fn subject(&self, id: crate::model::UnitId) -> Option<&SubjectScore> {
        self.subjects.iter().find(|s| s.subject.id == id)
    }

    /// These scores with each subject's movement since `previous` (the month before).
    pub fn with_trend(mut self, previous: &MonthScores) -> MonthScores {
        for s in &mut self.subjects {
            s.trend = previous.subject(s.subject.id).map(|p| Trend {
                previous_total: p.total,
                previous_rank: p.rank,
                total_change: round2(s.total - p.total),
                rank_change: p
                    .rank
                    .zip(s.rank)
                    .map(|(before, now)| i64::from(before) - i64::from(now)),
            });
        }
        self
    }
}

/// Why a month could not be scored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScoreError {
    /// The scheme is for another year.
    #[error("{scheme} 年的考评办法不能用于 {month}")]
    WrongYear {
        /// The scheme's year.
        scheme: i16,
        /// The month.
        month: Month,
    },
    /// The scheme names a unit the portfolio does not have.
    #[error(transparent)]
    Scheme(#[from] SchemeError),
}

/// Measures `month` ([`measure_month`]) and scores it under `scheme`.
pub fn score_month(
    input: &AssessmentInput<'_>,
    scheme: &Scheme,
    kind: SubjectKind,
    month: Month,
) -> Result<MonthScores, ScoreError> {
    check_year(scheme, month)?;
    scheme.check_units(input.portfolio)?;
    score_measured(&measure_month(input, kind, month), scheme)
}

fn check_year(scheme: &Scheme, month: Month) -> Result<(), ScoreError> {
    if scheme.year != month.year() {
        return Err(ScoreError::WrongYear {
            scheme: scheme.year,
            month,
        });
    }
    Ok(())
}

/// Scores measurements already taken (a stored run's inputs) under `scheme`: the same
/// measurements and scheme always give the same scores.
pub fn score_measured(m: &Measurements, scheme: &Scheme) -> Result<MonthScores, ScoreError> {
    check_year(scheme, m.month)?;
    // Ranks on the rank-method indicators, among the subjects with a value.
    let mut value_ranks: HashMap<&str, Vec<Option<u32>>> = HashMap::new();
    for (_, indicator) in scheme.indicators() {
        if let Method::Rank { .. } = indicator.method {
            let values: Vec<Option<f64>> = m
                .subjects
                .iter()
                .map(|s| s.value(&indicator.code))
                .collect();
            let present: Vec<f64> = values.iter().flatten().copied().collect();
            let mut ranks = competition_ranks(&present, indicator.direction).into_iter();
            let per_subject = values
                .iter()
                .map(|v| v.and_then(|_| ranks.next()))
                .collect();
            value_ranks.insert(&indicator.code, per_subject);
        }
    }

    struct Card {
        score: SubjectScore,
        ranked: bool,
        flag: Option<ListReason>,
    }
    let mut cards: Vec<Card> = m
        .subjects
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (score, ranked) = score_subject(i, s, scheme, &value_ranks);
            let flag = scheme.lists.accountability_if.as_ref().and_then(|code| {
                let measure = s.get(code)?;
                let count = measure.value.filter(|c| *c > 0.0)?;
                Some(ListReason::Flagged {
                    indicator: code.clone(),
                    count,
                    records: measure.records.clone(),
                })
            });
            Card {
                score,
                ranked,
                flag,
            }
        })
        .collect();

    let ranked: Vec<usize> = (0..cards.len()).filter(|&i| cards[i].ranked).collect();
    let totals: Vec<f64> = ranked.iter().map(|&i| cards[i].score.total).collect();
    for (&i, rank) in ranked
        .iter()
        .zip(competition_ranks(&totals, Direction::HigherIsBetter))
    {
        let s = &mut cards[i].score;
        s.rank = Some(rank);
        s.tier = scheme.tiers.tier_for(s.total, rank).map(|t| t.name.clone());
    }
    cards.sort_by(|a, b| {
        let key = |c: &Card| (c.score.rank.is_none(), c.score.rank);
        key(a)
            .cmp(&key(b))
            .then_with(|| a.score.subject.name.cmp(&b.score.subject.name))
            .then_with(|| a.score.subject.id.cmp(&b.score.subject.id))
    });

    // The accountability list: the bottom N by rank (ties with the N-th included), and any
    // subject flagged.
    let entry = |c: &Card, reasons| ListEntry {
        subject: c.score.subject.clone(),
        rank: c.score.rank,
        total: c.score.total,
        reasons,
    };
    let ranked_count = cards.iter().filter(|c| c.ranked).count();
    let bottom_n = (scheme.lists.accountability_bottom as usize).min(ranked_count);
    let bottom_cut = (bottom_n > 0).then(|| cards[ranked_count - bottom_n].score.rank);
    let mut accountability = Vec::new();
    for c in &cards {
        let mut reasons = Vec::new();
        if let (Some(cut), Some(rank)) = (bottom_cut.flatten(), c.score.rank)
            && rank >= cut
        {
            reasons.push(ListReason::Bottom { rank });
        }
        if let Some(flag) = &c.flag {
            reasons.push(flag.clone());
        }
        if !reasons.is_empty() {
            accountability.push(entry(c, reasons));
        }
    }
    // The reward list: the best N by rank (ties with the N-th included) less those excluded —
    // a subject among the bottom N (so few subjects cannot land on both lists for their rank)
    // and, when the scheme says so, a flagged one. Places left by the excluded stay empty
    // unless the scheme opts in to topping the list up from lower ranks.
    let bottom = |c: &Card| {
        bottom_cut
            .flatten()
            .zip(c.score.rank)
            .is_some_and(|(cut, r)| r >= cut)
    };
    let excluded =
        |c: &Card| bottom(c) || (scheme.lists.reward_excludes_flagged && c.flag.is_some());
    let candidates: Vec<&Card> = cards
        .iter()
        .filter(|c| c.ranked && !(scheme.lists.reward_top_up && excluded(c)))
        .collect();
    let top_n = (scheme.lists.reward_top as usize).min(candidates.len());
    let reward = match top_n {
        0 => Vec::new(),
        n => {
            let cut = candidates[n - 1].score.rank;
            candidates
                .iter()
                .filter(|c| c.score.rank <= cut && !excluded(c))
                .map(|c| {
                    let rank = c.score.rank.expect("candidates are ranked");
                    entry(c, vec![ListReason::Top { rank }])
                })
                .collect()
        }
    };

    Ok(MonthScores {
        month: m.month,
        kind: m.kind,
        scheme: SchemeRef {
            year: scheme.year,
            version: scheme.version,
            name: scheme.name.clone(),
            objection_window_days: scheme.objection_window_days,
        },
        subjects: cards.into_iter().map(|c| c.score).collect(),
        reward,
        accountability,
    })
}

/// One subject's card before ranking, and whether any indicator had a value (so it is ranked).
fn score_subject(
    index: usize,
    s: &SubjectMeasures,
    scheme: &Scheme,
    value_ranks: &HashMap<&str, Vec<Option<u32>>>,
) -> (SubjectScore, bool) {
    let reweight = scheme.when_missing == MissingRule::Reweight;
    let mut missing = Vec::new();
    let mut systems: Vec<SystemScore> = scheme
        .systems
        .iter()
        .map(|system| {
            let mut lines: Vec<IndicatorLine> = system
                .indicators
                .iter()
                .map(|indicator| {
                    let method = indicator.method_for(&s.subject.name);
                    let measure = s.get(&indicator.code);
                    let value = measure.and_then(|m| m.value);
                    let value_rank = match method {
                        Method::Rank { .. } => value_ranks
                            .get(indicator.code.as_str())
                            .and_then(|r| r[index]),
                        _ => None,
                    };
                    let points = value.map(|v| match method {
                        Method::RatioToTarget { target } => {
                            ratio_points(v, target, indicator.direction)
                        }
                        Method::Linear { worst, best } => linear_points(v, worst, best),
                        Method::Rank { step } => {
                            rank_points(value_rank.expect("a value has a rank"), step)
                        }
                    });
                    if value.is_none() {
                        missing.push(indicator.code.clone());
                    }
                    IndicatorLine {
                        code: indicator.code.clone(),
                        name: indicator.name.clone(),
                        unit: indicator.unit.clone(),
                        direction: indicator.direction,
                        method,
                        value,
                        fraction: measure.and_then(|m| m.fraction),
                        target: method.target(),
                        value_rank,
                        points,
                        weight: indicator.weight,
                        effective_weight: 0.0,
                        weighted: 0.0,
                        records: measure.map(|m| m.records.clone()).unwrap_or_default(),
                    }
                })
                .collect();
            let present: f64 = lines
                .iter()
                .filter(|l| l.points.is_some())
                .map(|l| l.weight)
                .sum();
            for l in &mut lines {
                l.effective_weight = match (reweight, l.points) {
                    (false, _) => l.weight,
                    (true, Some(_)) => l.weight / present,
                    (true, None) => 0.0,
                };
            }
            let subtotal = (!reweight || present > 0.0).then(|| {
                lines
                    .iter()
                    .map(|l| l.points.unwrap_or(0.0) * l.effective_weight)
                    .sum()
            });
            SystemScore {
                code: system.code.clone(),
                name: system.name.clone(),
                weight: system.weight,
                effective_weight: 0.0,
                subtotal,
                weighted: 0.0,
                indicators: lines,
            }
        })
        .collect();
    let present: f64 = systems
        .iter()
        .filter(|s| s.subtotal.is_some())
        .map(|s| s.weight)
        .sum();
    let mut base = 0.0;
    for system in &mut systems {
        system.effective_weight = match (reweight, system.subtotal) {
            (false, _) => system.weight,
            (true, Some(_)) => system.weight / present,
            (true, None) => 0.0,
        };
        system.weighted = system.subtotal.unwrap_or(0.0) * system.effective_weight;
        for l in &mut system.indicators {
            l.weighted = l.points.unwrap_or(0.0) * l.effective_weight * system.effective_weight;
        }
        base += system.weighted;
    }
    // What is stored is kept to 6 decimals (the base was summed before).
    for system in &mut systems {
        system.effective_weight = kept(system.effective_weight);
        system.subtotal = system.subtotal.map(kept);
        system.weighted = kept(system.weighted);
        for l in &mut system.indicators {
            l.points = l.points.map(kept);
            l.effective_weight = kept(l.effective_weight);
            l.weighted = kept(l.weighted);
        }
    }
    let ranked = systems
        .iter()
        .flat_map(|s| &s.indicators)
        .any(|l| l.value.is_some());
    let deductions: Vec<AdjustmentLine> = scheme.deductions.iter().map(|a| adjust(a, s)).collect();
    let bonuses: Vec<AdjustmentLine> = scheme.bonuses.iter().map(|a| adjust(a, s)).collect();
    let base = round2(base);
    let deducted = round2(deductions.iter().map(|d| d.points).sum());
    let added = round2(bonuses.iter().map(|b| b.points).sum());
    let score = SubjectScore {
        subject: s.subject.clone(),
        systems,
        deductions,
        bonuses,
        base,
        deducted,
        added,
        total: round2(base - deducted + added),
        rank: None,
        tier: None,
        missing,
        trend: None,
    };
    (score, ranked)
}

fn adjust(a: &Adjustment, s: &SubjectMeasures) -> AdjustmentLine {
    let measure = s.get(&a.indicator);
    let count = measure.and_then(|m| m.value).unwrap_or(0.0);
    let uncapped = count * a.points;
    AdjustmentLine {
        code: a.code.clone(),
        name: a.name.clone(),
        indicator: a.indicator.clone(),
        unit: a.unit.clone(),
        count,
        per: a.points,
        cap: a.cap,
        points: round2(uncapped.min(a.cap)),
        capped: uncapped > a.cap,
        records: measure.map(|m| m.records.clone()).unwrap_or_default(),
    }
}
