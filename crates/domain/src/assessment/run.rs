//! A month's score run as a record: its inputs, its scores, the scheme version, whether it is
//! published; the rule that publishing freezes a month (a correction is a new version with a
//! reason, the old one kept); and objections (申诉) to a line of a published result, decided by
//! the office with a reason.

use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::measure::{Measurements, SubjectKind};
use super::month::Month;
use super::score::MonthScores;
use crate::model::UnitId;

/// One version of a month's scores for one kind of subject, with the inputs it was computed
/// from, so it can be shown (and recomputed) identically later.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreRun {
    /// The month.
    pub month: Month,
    /// Districts or lead units.
    pub kind: SubjectKind,
    /// The scheme's year.
    pub scheme_year: i16,
    /// The scheme's version.
    pub scheme_version: u32,
    /// The inputs: every indicator's value per subject, with the records behind it.
    pub measurements: Measurements,
    /// The scores.
    pub scores: MonthScores,
    /// 1 for the first run of the month, 2.. for corrections after publication.
    pub version: u32,
    /// Whether the office has published it (published months are frozen).
    pub published: bool,
    /// The day it was published.
    pub published_on: Option<Date>,
    /// Why this version corrects the one before (required from version 2).
    pub correction_reason: Option<String>,
}

/// Why a run could not be made, published or corrected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RunError {
    /// A published month is rescored only with a reason.
    #[error("该月结果已发布，重新计分须填写更正理由")]
    ReasonRequired,
    /// Publishing twice.
    #[error("{month} 的第 {version} 版结果已发布")]
    AlreadyPublished {
        /// The month.
        month: Month,
        /// The version.
        version: u32,
    },
    /// The scores are not those of the measurements (another month or kind).
    #[error("计分结果与输入不符：{0}")]
    Mismatch(String),
    /// A correction must use the scheme version the month was published with.
    #[error("{month} 已按第 {published} 版考评办法发布，更正须沿用该版（不能用第 {used} 版）")]
    SchemeChanged {
        /// The month.
        month: Month,
        /// The version it was published with.
        published: u32,
        /// The version offered.
        used: u32,
    },
}

/// Whether a month may be scored again: freely while a draft; once published only with a
/// reason (the correction becomes a new version and the old one is kept).
pub fn can_rescore(published: bool, reason: Option<&str>) -> Result<(), RunError> {
    if published && reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(RunError::ReasonRequired);
    }
    Ok(())
}

fn consistent(measurements: &Measurements, scores: &MonthScores) -> Result<(), RunError> {
    if measurements.month != scores.month || measurements.kind != scores.kind {
        return Err(RunError::Mismatch(format!(
            "输入为 {} {}，结果为 {} {}",
            measurements.month,
            measurements.kind.label(),
            scores.month,
            scores.kind.label()
        )));
    }
    Ok(())
}

impl ScoreRun {
    /// The first run of a month: version 1, a draft.
    pub fn draft(measurements: Measurements, scores: MonthScores) -> Result<ScoreRun, RunError> {
        consistent(&measurements, &scores)?;
        Ok(ScoreRun {
            month: scores.month,
            kind: scores.kind,
            scheme_year: scores.scheme.year,
            scheme_version: scores.scheme.version,
            measurements,
            scores,
            version: 1,
            published: false,
            published_on: None,
            correction_reason: None,
        })
    }

    /// This run, published on `on`.
    pub fn publish(&self, on: Date) -> Result<ScoreRun, RunError> {
        if self.published {
            return Err(RunError::AlreadyPublished {
                month: self.month,
                version: self.version,
            });
        }
        Ok(ScoreRun {
            published: true,
            published_on: Some(on),
            ..self.clone()
        })
    }

    /// The run that replaces this one after scoring the month again on `on`. A draft is
    /// replaced by a draft of the same version. A published run needs a reason and the same
    /// scheme version; the correction is version + 1, published on `on`, and this version is
    /// kept by the caller.
    pub fn rescore(
        &self,
        measurements: Measurements,
        scores: MonthScores,
        reason: Option<&str>,
        on: Date,
    ) -> Result<ScoreRun, RunError> {
        can_rescore(self.published, reason)?;
        consistent(&measurements, &scores)?;
        if scores.month != self.month || scores.kind != self.kind {
            return Err(RunError::Mismatch(format!(
                "原结果为 {} {}",
                self.month,
                self.kind.label()
            )));
        }
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        let mut next = ScoreRun::draft(measurements, scores)?;
        if self.published {
            if (next.scheme_year, next.scheme_version) != (self.scheme_year, self.scheme_version) {
                return Err(RunError::SchemeChanged {
                    month: self.month,
                    published: self.scheme_version,
                    used: next.scheme_version,
                });
            }
            next.version = self.version + 1;
            next.published = true;
            next.published_on = Some(on);
            next.correction_reason = reason.map(str::to_string);
        } else {
            next.version = self.version;
            next.correction_reason = self.correction_reason.clone();
        }
        Ok(next)
    }

    /// The last day a unit may object to this run, if published.
    pub fn objection_deadline(&self) -> Option<Date> {
        self.published_on
            .map(|p| p + i64::from(self.scores.scheme.objection_window_days).days())
    }
}

/// The line of a score card a unit disputes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "code", rename_all = "snake_case")]
pub enum DisputedLine {
    /// An indicator's value or points.
    Indicator(String),
    /// A deduction.
    Deduction(String),
    /// A bonus.
    Bonus(String),
}

impl DisputedLine {
    /// The indicator's, deduction's or bonus's code.
    pub fn code(&self) -> &str {
        match self {
            DisputedLine::Indicator(c) | DisputedLine::Deduction(c) | DisputedLine::Bonus(c) => c,
        }
    }

    /// What kind of line, in Chinese.
    pub fn label(&self) -> &'static str {
        match self {
            DisputedLine::Indicator(_) => "指标",
            DisputedLine::Deduction(_) => "扣分项",
            DisputedLine::Bonus(_) => "加分项",
        }
    }
}

/// Where an objection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectionStatus {
    /// 待处理.
    Open,
    /// 已采纳: the month is rescored (a new version).
    Accepted,
    /// 已驳回.
    Rejected,
}

impl ObjectionStatus {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            ObjectionStatus::Open => "open",
            ObjectionStatus::Accepted => "accepted",
            ObjectionStatus::Rejected => "rejected",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            ObjectionStatus::Open => "待处理",
            ObjectionStatus::Accepted => "已采纳",
            ObjectionStatus::Rejected => "已驳回",
        }
    }
}

/// The office's decision on an objection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// Accepted (true) or rejected.
    pub accepted: bool,
    /// The day.
    pub on: Date,
    /// The unit deciding (the office).
    pub by: UnitId,
    /// Why.
    pub reason: String,
}

/// An objection (申诉) by a unit to one line of its published score card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Objection {
    /// Identity (0 before it is stored).
    pub id: i64,
    /// The unit objecting (the subject scored).
    pub subject: UnitId,
    /// Districts or lead units.
    pub kind: SubjectKind,
    /// The month.
    pub month: Month,
    /// The run version disputed.
    pub run_version: u32,
    /// The line disputed.
    pub line: DisputedLine,
    /// Why the unit disputes it.
    pub reason: String,
    /// The evidence (text; files are attached by hash).
    pub evidence: String,
    /// The day it was filed.
    pub filed_on: Date,
    /// The account filing it.
    pub filed_by: String,
    /// The office's decision, once made.
    pub decision: Option<Decision>,
}

/// Why an objection or a decision was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ObjectionError {
    /// Objections are to published results.
    #[error("{0} 的结果尚未发布，不能申诉")]
    NotPublished(Month),
    /// The objection is about another month or kind than the run.
    #[error("申诉与考评结果的月份或对象不符")]
    WrongRun,
    /// Objections are to the latest version.
    #[error("申诉须针对最新的第 {0} 版结果")]
    NotLatest(u32),
    /// Filed before publication.
    #[error("申诉日期早于结果发布日 {0}")]
    BeforePublication(Date),
    /// The window is over.
    #[error("申诉期已于 {0} 结束")]
    WindowClosed(Date),
    /// The unit is not among the subjects scored.
    #[error("该单位不在本月考评结果中")]
    UnknownSubject,
    /// The score card has no such line.
    #[error("考评结果中没有{0}「{1}」")]
    UnknownLine(&'static str, String),
    /// A required text is empty.
    #[error("{0}不能为空")]
    Empty(&'static str),
    /// The same line already has an open objection.
    #[error("该{0}已有待处理的申诉")]
    Duplicate(&'static str),
    /// Only an open objection is decided, once.
    #[error("申诉{0}，不能再处理")]
    Decided(&'static str),
    /// A unit does not decide its own objection.
    #[error("申诉单位不能处理自己的申诉")]
    OwnObjection,
    /// A decision dated before the objection.
    #[error("处理日期 {on} 早于申诉日期 {filed}")]
    OutOfOrder {
        /// The decision's day.
        on: Date,
        /// The objection's day.
        filed: Date,
    },
}

impl Objection {
    /// Where it stands.
    pub fn status(&self) -> ObjectionStatus {
        match &self.decision {
            None => ObjectionStatus::Open,
            Some(d) if d.accepted => ObjectionStatus::Accepted,
            Some(_) => ObjectionStatus::Rejected,
        }
    }

    /// The gate of a new objection against `run` (the month's latest version), given the
    /// objections already filed: a published run, within the window, a subject and line on
    /// it, a reason and evidence, and no open objection to the same line.
    pub fn check_new(&self, run: &ScoreRun, existing: &[Objection]) -> Result<(), ObjectionError> {
        if run.month != self.month || run.kind != self.kind {
            return Err(ObjectionError::WrongRun);
        }
        let Some(published) = run.published_on.filter(|_| run.published) else {
            return Err(ObjectionError::NotPublished(run.month));
        };
        if self.run_version != run.version {
            return Err(ObjectionError::NotLatest(run.version));
        }
        if self.filed_on < published {
            return Err(ObjectionError::BeforePublication(published));
        }
        if let Some(until) = run.objection_deadline()
            && self.filed_on > until
        {
            return Err(ObjectionError::WindowClosed(until));
        }
        if self.decision.is_some() {
            return Err(ObjectionError::Decided(self.status().label()));
        }
        let card = run
            .scores
            .subject(self.subject)
            .ok_or(ObjectionError::UnknownSubject)?;
        let code = self.line.code();
        let found = match &self.line {
            DisputedLine::Indicator(_) => card.indicator(code).is_some(),
            DisputedLine::Deduction(_) => card.deduction(code).is_some(),
            DisputedLine::Bonus(_) => card.bonus(code).is_some(),
        };
        if !found {
            return Err(ObjectionError::UnknownLine(
                self.line.label(),
                code.to_string(),
            ));
        }
        if self.reason.trim().is_empty() {
            return Err(ObjectionError::Empty("申诉理由"));
        }
        if self.evidence.trim().is_empty() {
            return Err(ObjectionError::Empty("佐证材料"));
        }
        let duplicate = existing.iter().any(|o| {
            o.id != self.id
                && o.status() == ObjectionStatus::Open
                && (o.subject, o.kind, o.month) == (self.subject, self.kind, self.month)
                && o.line == self.line
        });
        if duplicate {
            return Err(ObjectionError::Duplicate(self.line.label()));
        }
        Ok(())
    }

    /// The gate of a decision: an open objection, decided by another unit than the one
    /// objecting, with a reason, not dated before the objection.
    pub fn check(&self, decision: &Decision) -> Result<(), ObjectionError> {
        if self.decision.is_some() {
            return Err(ObjectionError::Decided(self.status().label()));
        }
        if decision.by == self.subject {
            return Err(ObjectionError::OwnObjection);
        }
        if decision.reason.trim().is_empty() {
            return Err(ObjectionError::Empty("处理理由"));
        }
        if decision.on < self.filed_on {
            return Err(ObjectionError::OutOfOrder {
                on: decision.on,
                filed: self.filed_on,
            });
        }
        Ok(())
    }

    /// The objection with `decision` recorded, if the gate lets it through.
    pub fn decide(&self, decision: Decision) -> Result<Objection, ObjectionError> {
        self.check(&decision)?;
        Ok(Objection {
            decision: Some(decision),
            ..self.clone()
        })
    }

    /// The correction reason of the rescore an accepted objection leads to.
    pub fn correction_reason(&self) -> Option<String> {
        let d = self.decision.as_ref().filter(|d| d.accepted)?;
        Some(format!(
            "采纳申诉 #{}（{}「{}」）：{}",
            self.id,
            self.line.label(),
            self.line.code(),
            d.reason.trim()
        ))
    }
}
