//! The monthly assessment as the server, its job and the CLI run it: what a month is scored
//! from ([`Inputs`]), the scheme a year is scored with ([`scheme_for`]), scoring a month and
//! storing the result as the month's state allows ([`score_month`]), publishing, and the
//! monthly job that drafts last month's scores once across nodes ([`run_monthly_job`]).
//!
//! Scoring itself is the domain's ([`measure_month`], [`score_measured`]); this module only
//! reads the records once, picks the scheme version and writes the run with its audit record.
//! A published month is never overwritten: a correction is a new version with a reason.

use std::sync::Arc;

use jianguan_audit::{AuditAction, AuditDraft, FieldChange};
use jianguan_domain::Date;
use jianguan_domain::assessment::{
    AssessmentInput, DEFAULT_SCHEME_TOML, Decision, Dictionary, EnteredValue, Measurements,
    MediaReport, Month, MonthScores, Objection, RunError, Scheme, ScoreError, ScoreRun,
    SubjectKind, default_dictionary, measure_month, score_measured,
};
use jianguan_domain::filing::ReportIndex;
use jianguan_domain::model::Portfolio;
use jianguan_domain::store::{SchemeVersion, Store, StoreError};

use crate::cadence::CadenceSnapshot;
use crate::{Clock, Snapshot};

/// Why a month could not be scored, published or corrected.
#[derive(Debug, thiserror::Error)]
pub enum AssessmentError {
    /// The database failed or refused.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The scheme does not fit the records (a unit it names is unknown, the wrong year).
    #[error(transparent)]
    Score(#[from] ScoreError),
    /// The run's state forbids it (rescoring a published month without a reason, say).
    #[error(transparent)]
    Run(#[from] RunError),
    /// The year has no scheme, or a stored scheme no longer parses.
    #[error("{0}")]
    Scheme(String),
}

/// The audit record of an assessment write by `by` (an account or `cli`) at `clock`'s now.
pub fn audit(
    clock: Clock,
    by: &str,
    unit: Option<String>,
    action: AuditAction,
    object: String,
) -> AuditDraft {
    let mut record = crate::client::draft(clock.now_ms(), by, action, object);
    record.unit = unit;
    record
}

/// A field set to `after` (from `before`), for an audit record.
pub fn change(field: &str, before: Option<String>, after: impl ToString) -> FieldChange {
    FieldChange {
        field: field.to_string(),
        before,
        after: Some(after.to_string()),
    }
}

/// The audit object of one version of a month's run.
pub fn run_object(month: Month, kind: SubjectKind, version: u32) -> String {
    format!("score_run:{month}:{}:v{version}", kind.code())
}

// ---------------------------------------------------------------------------------------------
// What a month is scored from.
// ---------------------------------------------------------------------------------------------

/// Everything but the filings a month is scored from: the server's snapshots (or the CLI's,
/// read once), the entered values and the media register.
pub struct Inputs {
    /// Units, projects with milestones and plans, periods; investment to date.
    pub snapshot: Arc<Snapshot>,
    /// Warnings and tracked items.
    pub cadence: Arc<CadenceSnapshot>,
    /// Entered values, oldest first.
    pub entered: Vec<EnteredValue>,
    /// The media register.
    pub media: Vec<MediaReport>,
    /// The indicators.
    pub dictionary: Dictionary,
}

impl Inputs {
    /// Reads the inputs from `store` (the CLI; a server uses [`Inputs::from_snapshots`]).
    pub async fn load(store: &dyn Store) -> Result<Inputs, StoreError> {
        let snapshot = Arc::new(Snapshot::load(store).await?);
        let cadence = Arc::new(crate::cadence::load(store, snapshot.version).await?);
        Inputs::from_snapshots(store, snapshot, cadence).await
    }

    /// The inputs over snapshots already held, reading only the entered values and the media
    /// register.
    pub async fn from_snapshots(
        store: &dyn Store,
        snapshot: Arc<Snapshot>,
        cadence: Arc<CadenceSnapshot>,
    ) -> Result<Inputs, StoreError> {
        Ok(Inputs {
            snapshot,
            cadence,
            entered: store.entered_values().await?,
            media: store.media_reports().await?,
            dictionary: default_dictionary(),
        })
    }

    /// The filings of the reporting periods whose deadline falls in `month`: all the month's
    /// filing indicators read.
    pub async fn filings(
        &self,
        store: &dyn Store,
        month: Month,
    ) -> Result<ReportIndex, StoreError> {
        let mut filed = Vec::new();
        for period in self
            .snapshot
            .portfolio
            .periods
            .iter()
            .filter(|p| month.contains(p.deadline))
        {
            filed.extend(store.load_filings(period.id).await?);
        }
        Ok(ReportIndex::new(filed))
    }

    /// The domain's view of the inputs with `filings`.
    pub fn input<'a>(&'a self, filings: &'a ReportIndex) -> AssessmentInput<'a> {
        AssessmentInput {
            portfolio: &self.snapshot.portfolio,
            ledger: &self.snapshot.ledger,
            filings,
            warnings: &self.cadence.warnings,
            items: &self.cadence.items,
            entered: &self.entered,
            media: &self.media,
            dictionary: &self.dictionary,
            plan_changes: &self.cadence.plan_changes,
        }
    }

    /// `month` measured and scored for `kind` under `scheme`, with each subject's movement
    /// since `previous` (the month before's latest run) when given.
    pub fn score(
        &self,
        filings: &ReportIndex,
        scheme: &Scheme,
        kind: SubjectKind,
        month: Month,
        previous: Option<&ScoreRun>,
    ) -> Result<(Measurements, MonthScores), AssessmentError> {
        scheme
            .check_units(&self.snapshot.portfolio)
            .map_err(ScoreError::from)?;
        let measured = measure_month(&self.input(filings), kind, month);
        let mut scores = score_measured(&measured, scheme)?;
        if let Some(previous) = previous {
            scores = scores.with_trend(&previous.scores);
        }
        Ok((measured, scores))
    }
}

// ---------------------------------------------------------------------------------------------
// Schemes.
// ---------------------------------------------------------------------------------------------

/// The default scheme (valid by its own tests).
pub fn default_scheme() -> Scheme {
    Scheme::from_toml(DEFAULT_SCHEME_TOML).expect("the default scoring scheme is valid")
}

/// Reads and checks a stored scheme text.
pub fn parse_stored(year: i16, version: u32, body: &str) -> Result<Scheme, AssessmentError> {
    Scheme::from_toml(body).map_err(|e| {
        AssessmentError::Scheme(format!(
            "已保存的 {year} 年考评办法第 {version} 版无效：{e}"
        ))
    })
}

/// The scheme `year` is scored with: version `version`, or the latest. When the year has none
/// and the default scheme is for it, the default is saved as version 1 first, so every run
/// points at a stored text.
pub async fn scheme_for(
    store: &dyn Store,
    clock: Clock,
    year: i16,
    version: Option<u32>,
    by: &str,
) -> Result<Scheme, AssessmentError> {
    if let Some(saved) = store.scheme(year, version).await? {
        return parse_stored(year, saved.version, &saved.body);
    }
    let default = default_scheme();
    if version.is_some() || default.year != year {
        return Err(AssessmentError::Scheme(format!(
            "{year} 年没有{}考评办法；请先保存（设置 › 考评办法，或 jianguan scheme set --year {year} FILE）",
            version.map(|v| format!("第 {v} 版")).unwrap_or_default()
        )));
    }
    save_default_scheme(store, clock, by).await?;
    Ok(default)
}

/// Saves the default scheme as its year's version.
pub async fn save_default_scheme(
    store: &dyn Store,
    clock: Clock,
    by: &str,
) -> Result<(), StoreError> {
    let default = default_scheme();
    let mut record = audit(
        clock,
        by,
        None,
        AuditAction::SettingsScoringScheme,
        format!("scoring_scheme:{}", default.year),
    );
    record.changes = vec![change("version", None, default.version)];
    store
        .save_scheme(default.year, default.version, DEFAULT_SCHEME_TOML, &record)
        .await?;
    Ok(())
}

/// Why a scheme was not saved.
#[derive(Debug, thiserror::Error)]
pub enum SchemeSaveError {
    /// The text is not a valid scheme (the message names the line).
    #[error("{0}")]
    Invalid(String),
    /// The scheme's `year` is not the year it is saved for.
    #[error("{}办法的 year = {found}，与所选 {year} 年不符", line.map(|l| format!("第{l}行：")).unwrap_or_default())]
    WrongYear {
        /// The year it was saved for.
        year: i16,
        /// The year the text names.
        found: i16,
        /// The line that sets it.
        line: Option<usize>,
    },
    /// A unit the scheme names is not in the portfolio.
    #[error("{0}")]
    Units(String),
    /// The database refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The line of `text` that sets `key` at the top level, for a message about it.
fn line_of(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|i| i + 1)
}

/// Saves `body` as a new version of `year`'s scoring scheme, by `by` of `unit`: the one way the
/// settings page and `jianguan scheme set` save one. The text must be a valid scheme for that
/// year naming only units of `portfolio`; audited with the version before and after.
pub async fn save_scheme(
    store: &dyn Store,
    clock: Clock,
    portfolio: &Portfolio,
    year: i16,
    body: &str,
    by: &str,
    unit: Option<String>,
) -> Result<(SchemeVersion, Scheme), SchemeSaveError> {
    let scheme = Scheme::from_toml(body).map_err(|e| SchemeSaveError::Invalid(e.to_string()))?;
    if scheme.year != year {
        return Err(SchemeSaveError::WrongYear {
            year,
            found: scheme.year,
            line: line_of(body, "year"),
        });
    }
    scheme
        .check_units(portfolio)
        .map_err(|e| SchemeSaveError::Units(e.to_string()))?;
    let before = store
        .scheme(year, None)
        .await?
        .map(|s| s.version.to_string());
    let mut record = audit(
        clock,
        by,
        unit,
        AuditAction::SettingsScoringScheme,
        format!("scoring_scheme:{year}"),
    );
    record.changes = vec![change("version", before, scheme.version)];
    let saved = store
        .save_scheme(year, scheme.version, body, &record)
        .await?;
    Ok((saved, scheme))
}

// ---------------------------------------------------------------------------------------------
// Scoring a month.
// ---------------------------------------------------------------------------------------------

/// The month before's latest run of `kind`, within the same year.
pub async fn previous_run(
    store: &dyn Store,
    month: Month,
    kind: SubjectKind,
) -> Result<Option<ScoreRun>, StoreError> {
    let previous = month.previous();
    if previous.year() != month.year() {
        return Ok(None);
    }
    store.latest_run(previous, kind).await
}

/// The month's latest runs, districts first (a kind not scored is left out).
pub async fn month_runs(store: &dyn Store, month: Month) -> Result<Vec<ScoreRun>, StoreError> {
    let mut runs = Vec::new();
    for kind in SubjectKind::ALL {
        if let Some(run) = store.latest_run(month, kind).await? {
            runs.push(run);
        }
    }
    Ok(runs)
}

/// What scoring a month did to its stored run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// A draft was stored (new or replacing the draft).
    Draft,
    /// The month is published and was left as it is.
    Unchanged,
    /// A correction was stored.
    Corrected,
}

/// A request to score one month for one kind of subject.
#[derive(Debug, Clone, Copy)]
pub struct ScoreRequest<'a> {
    /// The month.
    pub month: Month,
    /// Districts or lead units.
    pub kind: SubjectKind,
    /// Score a published month again (a correction).
    pub rescore: bool,
    /// Why a published month is corrected (required then).
    pub reason: Option<&'a str>,
    /// Who scores (an account or `cli`), for the audit trail.
    pub by: &'a str,
    /// Their unit's name, if any.
    pub unit: Option<&'a str>,
    /// Today (a correction's publication day).
    pub today: Date,
}

/// The correction of the published `run` that `request` asks for (its reason required) with
/// its audit record, not yet stored: the month scored again under the scheme version it was
/// published with.
async fn correct(
    store: &dyn Store,
    clock: Clock,
    (inputs, filings): (&Inputs, &ReportIndex),
    run: &ScoreRun,
    previous: Option<&ScoreRun>,
    request: ScoreRequest<'_>,
) -> Result<(ScoreRun, AuditDraft), AssessmentError> {
    let ScoreRequest {
        month,
        kind,
        reason,
        by,
        unit,
        today,
        ..
    } = request;
    jianguan_domain::assessment::can_rescore(true, reason)?;
    let scheme = scheme_for(store, clock, run.scheme_year, Some(run.scheme_version), by).await?;
    let (measured, scores) = inputs.score(filings, &scheme, kind, month, previous)?;
    let correction = run.rescore(measured, scores, reason, today)?;
    let mut record = audit(
        clock,
        by,
        unit.map(str::to_string),
        AuditAction::ScoreCorrect,
        run_object(month, kind, correction.version),
    );
    record.changes = vec![
        change("version", Some(run.version.to_string()), correction.version),
        change(
            "correction_reason",
            None,
            correction.correction_reason.clone().unwrap_or_default(),
        ),
    ];
    Ok((correction, record))
}

/// The office's decision on `objection`, stored with its audit record `record`. An accepted
/// objection rescores its month: a published month's correction (its reason naming the
/// objection) is stored in the decision's transaction; a month still in draft is scored again
/// as a draft after it. `loaded` are the month's inputs (read by the caller's snapshot).
pub async fn decide_objection(
    store: &dyn Store,
    clock: Clock,
    loaded: &(Inputs, ReportIndex),
    objection: &Objection,
    decision: Decision,
    record: &AuditDraft,
    (by, unit): (&str, Option<&str>),
) -> Result<Objection, AssessmentError> {
    let today = decision.on;
    let accepted = decision.accepted;
    let reason = Objection {
        decision: Some(decision.clone()),
        ..objection.clone()
    }
    .correction_reason();
    let request = ScoreRequest {
        month: objection.month,
        kind: objection.kind,
        rescore: true,
        reason: reason.as_deref(),
        by,
        unit,
        today,
    };
    let latest = store.latest_run(objection.month, objection.kind).await?;
    let published = latest.filter(|r| r.published && accepted);
    let correction = match &published {
        Some(run) => {
            let previous = previous_run(store, objection.month, objection.kind).await?;
            let (inputs, filings) = loaded;
            Some(
                correct(
                    store,
                    clock,
                    (inputs, filings),
                    run,
                    previous.as_ref(),
                    request,
                )
                .await?,
            )
        }
        None => None,
    };
    let decided = store
        .decide_objection(
            objection.id,
            &decision,
            record,
            correction.as_ref().map(|(run, audit)| (run, audit)),
        )
        .await?;
    if accepted && published.is_none() {
        let latest = store.latest_run(objection.month, objection.kind).await?;
        score_month(store, clock, Some(loaded), latest, request).await?;
    }
    Ok(decided)
}

/// Scores `request.month` for `request.kind` and stores the result as the month's state allows:
/// a month without a run or with a draft gets a (new) draft under the year's latest scheme; a
/// published month is left as it is unless rescored, and then gets a correction — a new
/// published version under the scheme version the month was published with, with the reason.
/// `inputs` and `filings` are read only when something is scored.
pub async fn score_month(
    store: &dyn Store,
    clock: Clock,
    loaded: Option<&(Inputs, ReportIndex)>,
    latest: Option<ScoreRun>,
    request: ScoreRequest<'_>,
) -> Result<(ScoreRun, Stored), AssessmentError> {
    let ScoreRequest {
        month,
        kind,
        rescore,
        by,
        unit,
        today,
        ..
    } = request;
    if let Some(run) = latest.as_ref().filter(|r| r.published && !rescore) {
        return Ok((run.clone(), Stored::Unchanged));
    }
    let Some((inputs, filings)) = loaded else {
        return Err(AssessmentError::Scheme(
            "the month's inputs were not read".into(),
        ));
    };
    let previous = previous_run(store, month, kind).await?;
    let unit = unit.map(str::to_string);
    match latest {
        Some(run) if run.published => {
            let (correction, record) = correct(
                store,
                clock,
                (inputs, filings),
                &run,
                previous.as_ref(),
                request,
            )
            .await?;
            store.save_correction(&correction, &record).await?;
            Ok((correction, Stored::Corrected))
        }
        draft => {
            let scheme = scheme_for(store, clock, month.year(), None, by).await?;
            let (measured, scores) =
                inputs.score(filings, &scheme, kind, month, previous.as_ref())?;
            let run = match &draft {
                Some(d) => d.rescore(measured, scores, None, today)?,
                None => ScoreRun::draft(measured, scores)?,
            };
            let mut record = audit(
                clock,
                by,
                unit,
                AuditAction::ScoreDraft,
                run_object(month, kind, run.version),
            );
            record.changes = vec![
                change("scheme_version", None, run.scheme_version),
                change("subjects", None, run.scores.subjects.len()),
            ];
            store.save_draft_run(&run, &record).await?;
            Ok((run, Stored::Draft))
        }
    }
}

/// Publishes `month`'s draft of `kind` on `on`: from then on it is frozen.
pub async fn publish(
    store: &dyn Store,
    clock: Clock,
    month: Month,
    kind: SubjectKind,
    on: Date,
    by: &str,
    unit: Option<&str>,
) -> Result<ScoreRun, StoreError> {
    let mut record = audit(
        clock,
        by,
        unit.map(str::to_string),
        AuditAction::ScorePublish,
        format!("score_run:{month}:{}", kind.code()),
    );
    record.changes = vec![change("published_on", None, on)];
    store.publish_run(month, kind, on, &record).await
}

// ---------------------------------------------------------------------------------------------
// The monthly job.
// ---------------------------------------------------------------------------------------------

/// The month the monthly job scores on `today`: the month before, if a reporting period's
/// deadline fell in it (a campaign month), else none.
pub fn month_to_score(portfolio: &Portfolio, today: Date) -> Option<Month> {
    let month = Month::of(today).previous();
    portfolio
        .periods
        .iter()
        .any(|p| month.contains(p.deadline))
        .then_some(month)
}

/// What the monthly job did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthlyOutcome {
    /// The month scored.
    pub month: Month,
    /// Per kind, what became of the stored run.
    pub stored: Vec<(SubjectKind, Stored)>,
}

/// The monthly job: scores last month for districts and lead units as drafts (a published
/// month is left as it is), for the office to check and publish. Nothing to do outside the
/// campaign's months, or while the city has no projects yet (a city just set up has no scheme
/// either).
pub async fn run_monthly_job(
    store: &dyn Store,
    clock: Clock,
    inputs: Inputs,
    today: Date,
) -> Result<Option<MonthlyOutcome>, AssessmentError> {
    if inputs.snapshot.portfolio.projects.is_empty() {
        return Ok(None);
    }
    let Some(month) = month_to_score(&inputs.snapshot.portfolio, today) else {
        return Ok(None);
    };
    let filings = inputs.filings(store, month).await?;
    let loaded = (inputs, filings);
    let mut stored = Vec::new();
    for kind in SubjectKind::ALL {
        let latest = store.latest_run(month, kind).await?;
        let request = ScoreRequest {
            month,
            kind,
            rescore: false,
            reason: None,
            by: "job:assessment.monthly",
            unit: None,
            today,
        };
        let (_, what) = score_month(store, clock, Some(&loaded), latest, request).await?;
        stored.push((kind, what));
    }
    Ok(Some(MonthlyOutcome { month, stored }))
}
