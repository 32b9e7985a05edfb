//! The monthly assessment (一月一考评): every district and every lead unit gets a score from a
//! configurable scheme (考核办法), a rank, a tier, and the best and worst are named (奖优罚劣,
//! 问责).
//!
//! The work runs in four steps, each a pure function:
//!
//! 1. **Indicators** ([`Dictionary`], [`default_dictionary`]): what can be scored. Computed
//!    indicators are read off jianguan's own records through the existing rates
//!    ([`crate::rates`], [`crate::overview`], [`crate::filing`], [`crate::warnings`],
//!    [`crate::followup`]); entered indicators are figures the office enters per unit and month
//!    ([`EnteredValue`], checked by [`Dictionary::check_entry`]) and the media-coverage register
//!    ([`MediaReport`]).
//! 2. **Measuring** ([`measure_month`]): every indicator's value for every subject (district or
//!    lead unit) for a month, each with the records behind it. These [`Measurements`] are the
//!    run's inputs: stored with the scores, they let the same month be scored again identically
//!    whatever happens to the records later.
//! 3. **Scoring** ([`score_measured`], or [`score_month`] for both steps) under a [`Scheme`] read
//!    from TOML ([`Scheme::from_toml`], [`DEFAULT_SCHEME_TOML`]): systems → indicators with
//!    weights and a scoring method, deductions and bonuses with caps, tiers, and the reward and
//!    accountability lists. The result, [`MonthScores`], explains every point down to the
//!    records.
//! 4. **Records of a run** ([`ScoreRun`]): publishing freezes a month; a correction is a new
//!    version with a reason ([`can_rescore`]); a unit may object to a line ([`Objection`]), and
//!    the office accepts or rejects it with a reason.
//!
//! Conventions: a month is judged as of the end of its last day; values are in the indicator's
//! unit, and a rate (`%`) is a percentage in 0..=100 (investment completion may exceed 100);
//! indicator points are on a 0..=100 scale before weighting, so the weighted base of a subject is
//! in 0..=100 before deductions and bonuses. Every list in a result is sorted, so the same inputs
//! give identical output; every fractional figure is kept to 6 decimals (totals to 2), so a
//! result read back from storage is identical too.

mod indicators;
mod measure;
mod month;
mod run;
mod scheme;
mod score;

pub use indicators::{
    ComputedIndicator, Dictionary, Direction, EnteredValue, Indicator, IndicatorError, MediaLevel,
    MediaReport, Source, ValueRange, default_dictionary,
};
pub use measure::{
    AssessmentInput, FilingStatus, Fraction, Measure, Measurements, RecordRef, Subject,
    SubjectKind, SubjectMeasures, measure_month, subjects,
};
pub use month::{Month, MonthError};
pub use run::{
    Decision, DisputedLine, Objection, ObjectionError, ObjectionStatus, RunError, ScoreRun,
    can_rescore,
};
pub use scheme::{
    Adjustment, DEFAULT_SCHEME_TOML, Lists, Method, MissingRule, Scheme, SchemeError, SchemeText,
    ScoredIndicator, System, TargetOverride, Tier, TierBasis, TierRange, Tiers,
};
pub use score::{
    AdjustmentLine, IndicatorLine, ListEntry, ListReason, MonthScores, SchemeRef, ScoreError,
    SubjectScore, SystemScore, Trend, competition_ranks, linear_points, rank_points, ratio_points,
    score_measured, score_month,
};

/// Decimals kept of every fractional figure a result stores (values, points, weights), so it
/// reads back from JSON exactly whatever the parser (a 6-decimal number parses exactly where a
/// 17-digit one may not), and a stored run scores again to identical output.
const KEPT_DECIMALS: i32 = 6;

/// `x` rounded to `places` decimals, never "-0".
fn round_to(x: f64, places: i32) -> f64 {
    let scale = 10f64.powi(places);
    let r = (x * scale).round() / scale;
    if r == 0.0 { 0.0 } else { r }
}

/// `x` as stored: rounded to [`KEPT_DECIMALS`].
fn kept(x: f64) -> f64 {
    round_to(x, KEPT_DECIMALS)
}

#[cfg(test)]
mod tests;
