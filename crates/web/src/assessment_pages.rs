//! The monthly assessment's pages and API (月度考评): the league table with the months' trend,
//! a unit's score card down to the records behind each line ("explain my score"), objections
//! (申诉) filed by the unit and decided by the office, the scheme viewer (and the office's form to
//! save a new version), and the indicator dictionary with each indicator's values by unit.
//!
//! Every figure comes from a stored run (what was published, or the draft), computed by the
//! domain; the pages only resolve ids to names and narrow the records behind a line to the
//! reader's scope. League tables and lines are citywide (the bulletin names every unit); the
//! records behind them (which project, which milestone) follow the project scope.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Json, Redirect, Response};
use jianguan_access::policy::{Action, Resource};
use jianguan_audit::AuditAction;
use jianguan_domain::Date;
use jianguan_domain::assessment::{
    AdjustmentLine, Decision, DisputedLine, EnteredValue, FilingStatus, ListReason, Method, Month,
    MonthScores, Objection, RecordRef, Scheme, ScoreRun, Source, SubjectKind, SubjectScore,
    TierRange, default_dictionary,
};
use jianguan_domain::followup::TrackedItem;
use jianguan_domain::model::{Portfolio, UnitId, UnitKind};

use crate::api::Scope;
use crate::assessment::{self, AssessmentError, Inputs, SchemeSaveError, ScoreRequest, Stored};
use crate::auth::CurrentUser;
use crate::cadence_pages::{ProjectIndex, Viewer};
use crate::error::{AppError, store_refusal};
use crate::params::{Fields, FromParams, TypedForm};
use crate::rule_form::{Fieldset, FormValues};
use crate::view::{self, Layout};
use crate::{AppState, Params, fmt};

mod scheme_form;

// ---------------------------------------------------------------------------------------------
// Shared.
// ---------------------------------------------------------------------------------------------

/// What a `kind` field must be.
const KIND: &str = "应为 district 或 lead_unit";
/// What a month field must be.
const MONTH: &str = "月份应写作 2021-10";

fn kind_param(params: &Params) -> Result<SubjectKind, AppError> {
    Ok(params
        .choice("kind", SubjectKind::from_code, KIND)?
        .unwrap_or(SubjectKind::District))
}

fn month_param(params: &Params, name: &str) -> Result<Option<Month>, AppError> {
    params.choice(name, |v| Month::parse(v).ok(), MONTH)
}

/// The month a page shows when none is asked for: the latest month of the year with a run,
/// else the month before today's.
fn default_month(runs: &[ScoreRun], today: Date) -> Month {
    runs.iter()
        .map(|r| r.month)
        .max()
        .unwrap_or_else(|| Month::of(today).previous())
}

fn two(v: f64) -> String {
    format!("{v:.2}")
}

/// A value in its unit (rates are in percent in the domain), whole numbers without decimals.
fn value_text(value: Option<f64>, unit: &str) -> String {
    match value {
        None => "—".into(),
        Some(v) if unit == "%" => format!("{v:.1}%"),
        Some(v) if v.fract() == 0.0 => format!("{v:.0}{unit}"),
        Some(v) => format!("{v:.2}{unit}"),
    }
}

fn layout(
    title: String,
    snap: &crate::Snapshot,
    month: Month,
    path: &str,
    user: &CurrentUser,
    today: Date,
) -> Layout {
    let year = month.year();
    let as_of = month.last_day().min(today.max(month.first_day()));
    Layout::new(title, "assessment", Scope { year, as_of }, snap, path, user)
}

/// The month's run of `kind` as a page shows it, with its state in words.
fn run_state(run: &ScoreRun) -> String {
    let lang = crate::i18n::lang();
    let mut s = if run.published {
        lang.tn2(
            "第 {n} 版，{m} 发布",
            run.version,
            run.published_on.map(|d| lang.date(d)).unwrap_or_default(),
        )
    } else {
        lang.tn("第 {n} 版，草稿（未发布）", run.version)
    };
    if let Some(reason) = &run.correction_reason {
        s.push_str(&lang.tn("；更正理由：{n}", reason));
    }
    s
}

const MONTH_NAMES: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A month with its year in the reader's language: 2021 年 10 月, or Oct 2021.
fn month_name(month: Month) -> String {
    match crate::i18n::lang() {
        crate::i18n::Lang::Zh => format!("{} 年 {} 月", month.year(), month.month()),
        crate::i18n::Lang::En => format!(
            "{} {}",
            MONTH_NAMES[(month.month() as usize).saturating_sub(1) % 12],
            month.year()
        ),
    }
}

/// A month without its year in the reader's language: 10月, or Oct.
fn month_short(month: Month) -> String {
    match crate::i18n::lang() {
        crate::i18n::Lang::Zh => format!("{}月", month.month()),
        crate::i18n::Lang::En => {
            MONTH_NAMES[(month.month() as usize).saturating_sub(1) % 12].to_string()
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The league table.
// ---------------------------------------------------------------------------------------------

struct LeagueRow {
    rank: String,
    name: String,
    href: String,
    total: String,
    tier: String,
    arrow: &'static str,
    arrow_class: &'static str,
    arrow_text: String,
    base: String,
    deducted: String,
    added: String,
    marks: Vec<(&'static str, &'static str)>,
    /// Totals by month, January first ("" where the month has no run).
    months: Vec<String>,
}

struct ListRow {
    name: String,
    href: String,
    why: String,
}

#[derive(Template)]
#[template(path = "assessment.html")]
struct LeaguePage {
    layout: Layout,
    month: String,
    month_iso: String,
    kind_label: &'static str,
    kinds: Vec<(String, &'static str, bool)>,
    months: Vec<(String, String, bool)>,
    state: Option<String>,
    scheme: String,
    scheme_href: String,
    rows: Vec<LeagueRow>,
    month_heads: Vec<String>,
    reward: Vec<ListRow>,
    accountability: Vec<ListRow>,
    chart: String,
    may_score: bool,
    may_publish: bool,
    published: bool,
    draft: bool,
    kind_code: &'static str,
    notice: String,
    objections_open: usize,
}

fn list_why(reasons: &[ListReason]) -> String {
    reasons
        .iter()
        .map(|r| match r {
            ListReason::Top { rank } => crate::i18n::lang().tn("第 {n} 名", rank),
            ListReason::Bottom { rank } => crate::i18n::lang().tn("倒数，第 {n} 名", rank),
            ListReason::Flagged {
                indicator, count, ..
            } => {
                let name = default_dictionary()
                    .get(indicator)
                    .map(|i| i.name.clone())
                    .unwrap_or_else(|| indicator.clone());
                crate::i18n::lang().tn2("{n} {m} 次", name, format!("{count:.0}"))
            }
        })
        .collect::<Vec<_>>()
        .join(crate::i18n::lang().t("；"))
}

/// `GET /assessment?month=2021-10&kind=district`.
pub(crate) async fn league(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    params: Params,
) -> Result<Response, AppError> {
    let kind = kind_param(&params)?;
    let snap = view::snapshot(&state).await?;
    let today = state.today();
    let year = match month_param(&params, "month")? {
        Some(m) => m.year(),
        None => params
            .year("year")?
            .unwrap_or_else(|| snap.portfolio.default_year(today)),
    };
    let store = state.store();
    let runs = store
        .latest_runs(year, kind)
        .await
        .map_err(AppError::store)?;
    let month = month_param(&params, "month")?.unwrap_or_else(|| default_month(&runs, today));
    let run = runs.iter().find(|r| r.month == month);
    let qs = |m: Month, k: SubjectKind| format!("/assessment?month={m}&kind={}", k.code());
    let by_month: BTreeMap<Month, &ScoreRun> = runs.iter().map(|r| (r.month, r)).collect();
    let month_heads: Vec<String> = by_month.keys().map(|m| month_short(*m)).collect();
    let lang = crate::i18n::lang();
    let rows = run
        .map(|run| {
            run.scores
                .subjects
                .iter()
                .map(|c| {
                    let (arrow, arrow_class, arrow_text) = match &c.trend {
                        Some(t) => {
                            let class = match t.rank_change {
                                Some(r) if r > 0 => "rank-up",
                                Some(r) if r < 0 => "rank-down",
                                _ => "rank-same",
                            };
                            let text = match t.rank_change {
                                Some(r) if r != 0 => lang.tn2(
                                    if r > 0 {
                                        "名次上升{n}位（上月第 {m} 名）"
                                    } else {
                                        "名次下降{n}位（上月第 {m} 名）"
                                    },
                                    r.abs(),
                                    t.previous_rank.map_or("—".into(), |p| p.to_string()),
                                ),
                                _ => lang.t("名次不变").into(),
                            };
                            (t.arrow(), class, text)
                        }
                        None => ("", "", String::new()),
                    };
                    let listed = |l: &[jianguan_domain::assessment::ListEntry]| {
                        l.iter().any(|e| e.subject.id == c.subject.id)
                    };
                    let mut marks = Vec::new();
                    if listed(&run.scores.reward) {
                        marks.push((lang.t("表扬"), "mark-reward"));
                    }
                    if listed(&run.scores.accountability) {
                        marks.push((lang.t("问责"), "mark-account"));
                    }
                    LeagueRow {
                        rank: c.rank.map_or("—".into(), |r| r.to_string()),
                        name: c.subject.name.clone(),
                        href: format!("/assessment/units/{}?month={month}", c.subject.id),
                        total: two(c.total),
                        tier: c.tier.clone().unwrap_or_else(|| "—".into()),
                        arrow,
                        arrow_class,
                        arrow_text,
                        base: two(c.base),
                        deducted: two(c.deducted),
                        added: two(c.added),
                        marks,
                        months: by_month
                            .values()
                            .map(|r| {
                                r.scores
                                    .subject(c.subject.id)
                                    .and_then(|s| s.rank)
                                    .map_or(String::new(), |rank| rank.to_string())
                            })
                            .collect(),
                    }
                })
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let list = |l: &[jianguan_domain::assessment::ListEntry]| {
        l.iter()
            .map(|e| ListRow {
                name: e.subject.name.clone(),
                href: format!("/assessment/units/{}?month={month}", e.subject.id),
                why: list_why(&e.reasons),
            })
            .collect::<Vec<_>>()
    };
    // The totals over the months: one line per subject.
    let chart = if by_month.len() > 1 && run.is_some() {
        let series = run
            .map(|run| {
                run.scores
                    .subjects
                    .iter()
                    .enumerate()
                    .map(|(i, c)| jianguan_charts::LineSeries {
                        name: c.subject.name.clone(),
                        color: Some(jianguan_charts::palette_color(i).to_string()),
                        points: by_month
                            .iter()
                            .filter_map(|(m, r)| {
                                r.scores
                                    .subject(c.subject.id)
                                    .map(|s| (month_short(*m), s.total))
                            })
                            .collect(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        jianguan_charts::LineChart {
            title: crate::i18n::lang().tn("{n} 年各月总分", year),
            series,
            y_max: None,
            y_format: jianguan_charts::ValueFormat::Count,
            width: 760,
            height: 300,
            lang: crate::i18n::lang(),
        }
        .to_svg()
    } else {
        String::new()
    };
    let objections_open = store
        .objections(month)
        .await
        .map_err(AppError::store)?
        .iter()
        .filter(|o| o.kind == kind && o.decision.is_none())
        .count();
    let notice = match params.get("done") {
        Some("draft") => lang.t("已计分，存为草稿；核对后发布。").to_string(),
        Some("published") => lang
            .t("已发布：结果冻结，此后更正须重新计分并说明理由。")
            .to_string(),
        Some("corrected") => lang.t("已更正：发布新版本，原版本保留。").to_string(),
        Some("unchanged") => lang.t("该月已发布，结果不变。").to_string(),
        _ => String::new(),
    };
    let layout = layout(
        lang.tn2("{n} {m}月度考评", month, lang.t(kind.label())),
        &snap,
        month,
        "/assessment",
        &user,
        today,
    )
    .crumb("月度考评", None);
    view::render(LeaguePage {
        month: month_name(month),
        month_iso: month.to_string(),
        kind_label: lang.t(kind.label()),
        kinds: SubjectKind::ALL
            .iter()
            .map(|&k| (qs(month, k), lang.t(k.label()), k == kind))
            .collect(),
        months: (1..=12)
            .filter_map(|m| Month::new(year, m).ok())
            .filter(|m| by_month.contains_key(m) || *m == month)
            .map(|m| (qs(m, kind), month_short(m), m == month))
            .collect(),
        state: run.map(run_state),
        scheme: run
            .map(|r| r.scores.scheme.name.clone() + &lang.tn("（第 {n} 版）", r.scheme_version))
            .unwrap_or_default(),
        scheme_href: run
            .map(|r| {
                format!(
                    "/assessment/scheme?year={}&version={}",
                    r.scheme_year, r.scheme_version
                )
            })
            .unwrap_or_else(|| format!("/assessment/scheme?year={year}")),
        reward: run.map(|r| list(&r.scores.reward)).unwrap_or_default(),
        accountability: run
            .map(|r| list(&r.scores.accountability))
            .unwrap_or_default(),
        rows,
        month_heads,
        chart,
        may_score: user.may(Resource::Assessment, Action::Create),
        may_publish: user.may(Resource::Assessment, Action::Update),
        published: run.is_some_and(|r| r.published),
        draft: run.is_some_and(|r| !r.published),
        kind_code: kind.code(),
        notice,
        objections_open,
        layout,
    })
}

/// `GET /api/v1/scores?month=2021-10&kind=district`: the month's latest run (published, a
/// correction, or the draft: its scores with the records behind every line), `run: null` when
/// the month has not been scored. Without `month`, the latest scored month of the year being
/// reported on. Scores and lines are citywide; the records behind them are narrowed to the
/// reader's scope exactly as the score card page narrows them ([`narrow_scores_json`]).
pub(crate) async fn api(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    params: Params,
) -> Result<Response, AppError> {
    let viewer = Viewer::of(&user, Resource::Assessment)?;
    let kind = params
        .choice("kind", SubjectKind::from_code, "应为 district 或 lead_unit")?
        .unwrap_or(SubjectKind::District);
    let month = params.choice("month", |v| Month::parse(v).ok(), MONTH)?;
    let store = state.store();
    let run = match month {
        Some(m) => store.latest_run(m, kind).await,
        None => {
            let snap = state.snapshot().await.map_err(AppError::store)?;
            let year = snap.portfolio.default_year(state.today());
            store
                .latest_runs(year, kind)
                .await
                .map(|runs| runs.into_iter().max_by_key(|r| r.month))
        }
    }
    .map_err(AppError::store)?;
    let run = match run {
        Some(run) => {
            let snap = state.snapshot().await.map_err(AppError::store)?;
            let cadence = crate::cadence_pages::records(&state).await?;
            let scope = RecordScope::new(&snap.portfolio, viewer, &cadence.items);
            Some((narrow_scores_json(&run.scores, &scope), run))
        }
        None => None,
    };
    let run = run.map(|(scores, run)| {
        serde_json::json!({
            "month": run.month,
            "version": run.version,
            "published": run.published,
            "published_on": run.published_on,
            "correction_reason": run.correction_reason,
            "scheme_year": run.scheme_year,
            "scheme_version": run.scheme_version,
            "scores": scores,
        })
    });
    Ok(Json(serde_json::json!({ "month": month, "kind": kind, "run": run })).into_response())
}

/// The latest scored month of the year being reported on (or the month before today's).
async fn latest_scored_month(state: &AppState) -> Result<Month, AppError> {
    let snap = view::snapshot(state).await?;
    let today = state.today();
    let year = snap.portfolio.default_year(today);
    let runs = state
        .store()
        .latest_runs(year, SubjectKind::District)
        .await
        .map_err(AppError::store)?;
    Ok(default_month(&runs, today))
}

/// `GET /assessment/bulletin.docx?month=2021-10`: the month's bulletin (通报) as a Word
/// document, districts and lead units (a month not yet scored gives a document saying so).
/// Without `month`, the latest scored month of the year being reported on.
pub(crate) async fn bulletin_docx(
    State(state): State<Arc<AppState>>,
    params: Params,
) -> Result<Response, AppError> {
    let month = match month_param(&params, "month")? {
        Some(m) => m,
        None => latest_scored_month(&state).await?,
    };
    let runs = assessment::month_runs(state.store(), month)
        .await
        .map_err(AppError::store)?;
    let dated = runs
        .first()
        .and_then(|r| r.published_on)
        .unwrap_or_else(|| state.today());
    let document =
        jianguan_documents::reports::bulletin(&jianguan_documents::reports::BulletinInput {
            runs: &runs,
            issuer: jianguan_documents::reports::DEFAULT_ISSUER,
            doc_number: None,
            dated,
        });
    crate::download::docx(&document, &format!("月度考评通报-{month}.docx"))
}

/// `GET /assessment/scores.xlsx?month=2021-10`: the month's scores (every indicator's value
/// and points, deductions, bonuses, totals, ranks) as a workbook, a sheet per kind (none for a
/// month not scored). Without `month`, the latest scored month.
pub(crate) async fn scores_xlsx(
    State(state): State<Arc<AppState>>,
    params: Params,
) -> Result<Response, AppError> {
    let month = match month_param(&params, "month")? {
        Some(m) => m,
        None => latest_scored_month(&state).await?,
    };
    let scores: Vec<_> = assessment::month_runs(state.store(), month)
        .await
        .map_err(AppError::store)?
        .into_iter()
        .map(|r| r.scores)
        .collect();
    let bytes = jianguan_documents::xlsx::scores_workbook(&scores)
        .map_err(|e| AppError::internal(e.to_string()))?;
    Ok(crate::download::attachment(
        bytes,
        crate::download::XLSX,
        &format!("月度考评得分-{month}.xlsx"),
    ))
}

/// `month` (optional) and `kind` (districts when absent): which month's results of which kind
/// of unit a form is about.
pub(crate) struct MonthKind {
    month: Option<Month>,
    kind: SubjectKind,
}

impl FromParams for MonthKind {
    fn from_params(f: &mut Fields<'_>) -> Self {
        MonthKind {
            month: f.choice("month", |v| Month::parse(v).ok(), MONTH),
            kind: f
                .choice("kind", SubjectKind::from_code, KIND)
                .unwrap_or(SubjectKind::District),
        }
    }
}

/// The rest of the form of `POST /assessment/score`: a correction of a published month, and
/// why.
pub(crate) struct ScoreForm {
    rescore: bool,
    /// Trimmed; `None` when blank.
    reason: Option<String>,
}

impl FromParams for ScoreForm {
    fn from_params(f: &mut Fields<'_>) -> Self {
        ScoreForm {
            rescore: f.flag("rescore"),
            reason: f.text("reason"),
        }
    }
}

/// The form of `POST /assessment/units/{id}/objections`.
pub(crate) struct ObjectionForm {
    month: Option<Month>,
    /// `indicator:…`, `deduction:…` or `bonus:…`.
    line: Option<String>,
    reason: String,
    evidence: String,
}

impl FromParams for ObjectionForm {
    fn from_params(f: &mut Fields<'_>) -> Self {
        ObjectionForm {
            month: f.choice("month", |v| Month::parse(v).ok(), MONTH),
            reason: f.text("reason").unwrap_or_default(),
            evidence: f.text("evidence").unwrap_or_default(),
            line: f.text("line"),
        }
    }
}

/// The form of `POST /assessment/objections/{id}/decision`.
pub(crate) struct DecisionForm {
    accepted: bool,
    reason: String,
    month: Option<Month>,
}

impl FromParams for DecisionForm {
    fn from_params(f: &mut Fields<'_>) -> Self {
        DecisionForm {
            accepted: f.flag("accepted"),
            reason: f.text("reason").unwrap_or_default(),
            month: f.choice("month", |v| Month::parse(v).ok(), MONTH),
        }
    }
}

/// The form of `POST /assessment/scheme`.
pub(crate) struct SchemeForm {
    year: Option<i16>,
    /// The TOML text, line ends as `\n`.
    scheme: String,
}

impl FromParams for SchemeForm {
    fn from_params(f: &mut Fields<'_>) -> Self {
        SchemeForm {
            scheme: f.raw("scheme").replace("\r\n", "\n"),
            year: f.year("year"),
        }
    }
}

/// The form of `POST /indicators/{code}/values`.
pub(crate) struct EntryFields {
    month: Option<Month>,
    /// As typed (trimmed), parsed by the handler so a refusal can show it back.
    value: String,
    note: String,
    unit: Option<UnitId>,
}

impl FromParams for EntryFields {
    fn from_params(f: &mut Fields<'_>) -> Self {
        EntryFields {
            month: f.choice("month", |v| Month::parse(v).ok(), MONTH),
            value: f.text("value").unwrap_or_default(),
            note: f.text("note").unwrap_or_default(),
            unit: f.id("unit").map(UnitId),
        }
    }
}

/// `POST /assessment/score` (month, kind, optional rescore + reason): scores a month (a draft)
/// or corrects a published one; back to the league table.
pub(crate) async fn score(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    TypedForm((MonthKind { month, kind }, ScoreForm { rescore, reason })): TypedForm<(
        MonthKind,
        ScoreForm,
    )>,
) -> Result<Response, AppError> {
    let Some(month) = month else {
        return Err(refused("请选择月份（month）"));
    };
    let reason = reason.as_deref();
    if rescore && !user.may(Resource::Assessment, Action::Update) {
        return Err(AppError::forbidden("更正已发布的结果须有发布权限"));
    }
    let store = state.store();
    let latest = store
        .latest_run(month, kind)
        .await
        .map_err(AppError::store)?;
    let loaded = if latest.as_ref().is_none_or(|r| !r.published) || rescore {
        let snapshot = view::snapshot(&state).await?;
        let cadence = crate::cadence_pages::records(&state).await?;
        let inputs = Inputs::from_snapshots(store, snapshot, cadence)
            .await
            .map_err(AppError::store)?;
        let filings = inputs
            .filings(store, month)
            .await
            .map_err(AppError::store)?;
        Some((inputs, filings))
    } else {
        None
    };
    let request = ScoreRequest {
        month,
        kind,
        rescore,
        reason,
        by: &user.account.username,
        unit: user.unit_name.as_deref(),
        today: state.today(),
    };
    let (_, stored) =
        assessment::score_month(store, state.clock(), loaded.as_ref(), latest, request)
            .await
            .map_err(assessment_error)?;
    let done = match stored {
        Stored::Draft => "draft",
        Stored::Unchanged => "unchanged",
        Stored::Corrected => "corrected",
    };
    Ok(Redirect::to(&format!(
        "/assessment?month={month}&kind={}&done={done}",
        kind.code()
    ))
    .into_response())
}

/// A refused form, as a 422 page saying why.
fn refused(message: impl Into<String>) -> AppError {
    AppError::unprocessable(message)
}

fn assessment_error(e: AssessmentError) -> AppError {
    match e {
        AssessmentError::Store(e) => match store_refusal(&e) {
            Some(m) => refused(m),
            None => AppError::store(e),
        },
        other => refused(other.to_string()),
    }
}

/// `POST /assessment/publish` (month, kind): publishes the month's draft.
pub(crate) async fn publish(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    TypedForm(MonthKind { month, kind }): TypedForm<MonthKind>,
) -> Result<Response, AppError> {
    let Some(month) = month else {
        return Err(refused("请选择月份（month）"));
    };
    assessment::publish(
        state.store(),
        state.clock(),
        month,
        kind,
        state.today(),
        &user.account.username,
        user.unit_name.as_deref(),
    )
    .await
    .map_err(|e| match store_refusal(&e) {
        Some(m) => refused(m),
        None => AppError::store(e),
    })?;
    Ok(Redirect::to(&format!(
        "/assessment?month={month}&kind={}&done=published",
        kind.code()
    ))
    .into_response())
}

// ---------------------------------------------------------------------------------------------
// A unit's score card.
// ---------------------------------------------------------------------------------------------

struct RecordLine {
    text: String,
    href: Option<String>,
}

struct CardLine {
    code: String,
    name: String,
    value: String,
    target: String,
    method: String,
    points: String,
    weight: String,
    weighted: String,
    records: Vec<RecordLine>,
    hidden: usize,
}

struct CardSystem {
    name: String,
    weight: String,
    subtotal: String,
    weighted: String,
    lines: Vec<CardLine>,
}

struct AdjustLine {
    code: String,
    name: String,
    count: String,
    per: String,
    points: String,
    cap: String,
    records: Vec<RecordLine>,
    hidden: usize,
}

struct ObjectionRow {
    id: i64,
    filed_on: String,
    line: String,
    reason: String,
    evidence: String,
    status: &'static str,
    status_class: &'static str,
    decision: String,
    open: bool,
}

#[derive(Template)]
#[template(path = "assessment_card.html")]
struct CardPage {
    layout: Layout,
    name: String,
    unit_id: i64,
    kind_label: &'static str,
    kind_code: &'static str,
    month: String,
    month_iso: String,
    months: Vec<(String, String, bool)>,
    state: String,
    total: String,
    rank: String,
    tier: String,
    trend: String,
    base: String,
    deducted: String,
    added: String,
    systems: Vec<CardSystem>,
    deductions: Vec<AdjustLine>,
    bonuses: Vec<AdjustLine>,
    missing: Vec<String>,
    objections: Vec<ObjectionRow>,
    /// (value, label) of the lines an objection can name.
    disputable: Vec<(String, String)>,
    may_object: bool,
    object_note: String,
    may_decide: bool,
    error: Option<String>,
    notice: String,
    reason: String,
    evidence: String,
    hidden_note: bool,
}

/// Which records behind a line the reader may see named: records about a project when their
/// scope covers the project, records about a tracked item when they see the item, and the media
/// register and entered values always. A line's value and count stay as computed (counted, not
/// named). The score card page ([`Resolver`]) and `/api/v1/scores` ([`narrow_scores_json`])
/// both narrow with [`RecordScope::sees`], so they show the same records.
pub(crate) struct RecordScope<'a> {
    projects: ProjectIndex<'a>,
    viewer: Viewer,
    items: HashMap<i64, &'a TrackedItem>,
}

impl<'a> RecordScope<'a> {
    /// The scope of `viewer` over `portfolio`'s projects and the tracked `items`.
    pub(crate) fn new(
        portfolio: &'a Portfolio,
        viewer: Viewer,
        items: &'a [TrackedItem],
    ) -> RecordScope<'a> {
        RecordScope {
            projects: ProjectIndex::new(portfolio),
            viewer,
            items: items.iter().map(|i| (i.id.0, i)).collect(),
        }
    }

    /// Whether the reader may see `record` named.
    pub(crate) fn sees(&self, record: &RecordRef) -> bool {
        match record {
            RecordRef::Milestone { project, .. }
            | RecordRef::Filing { project, .. }
            | RecordRef::Warning { project, .. }
            | RecordRef::PlanChange { project, .. } => {
                self.viewer.sees_project(&self.projects, *project)
            }
            RecordRef::OverdueItem { item, .. }
            | RecordRef::Rectification { item, .. }
            | RecordRef::Act { item, .. } => self
                .items
                .get(&item.0)
                .is_some_and(|it| self.viewer.sees_item(it, &self.projects)),
            RecordRef::Media { .. } | RecordRef::Entry { .. } => true,
        }
    }
}

/// A month's scores as JSON (`scores` serialised) narrowed to `scope`: every list of records
/// (behind an indicator line, a deduction or bonus, a list entry's reason) keeps the records
/// [`RecordScope::sees`] and gains `records_hidden`, how many it left out. A record that does not
/// read back as a [`RecordRef`] is left out.
pub(crate) fn narrow_scores_json(
    scores: &MonthScores,
    scope: &RecordScope<'_>,
) -> serde_json::Value {
    fn walk(value: &mut serde_json::Value, scope: &RecordScope<'_>) {
        match value {
            serde_json::Value::Object(map) => {
                if let Some(serde_json::Value::Array(records)) = map.get_mut("records") {
                    let before = records.len();
                    records.retain(|r| {
                        serde_json::from_value::<RecordRef>(r.clone()).is_ok_and(|r| scope.sees(&r))
                    });
                    let hidden = before - records.len();
                    map.insert("records_hidden".into(), hidden.into());
                }
                for (key, v) in map.iter_mut() {
                    if key != "records" {
                        walk(v, scope);
                    }
                }
            }
            serde_json::Value::Array(values) => {
                for v in values {
                    walk(v, scope);
                }
            }
            _ => {}
        }
    }
    let mut value = serde_json::to_value(scores).unwrap_or(serde_json::Value::Null);
    walk(&mut value, scope);
    value
}

/// Names the records behind lines, those the reader may see ([`RecordScope`]).
struct Resolver<'a> {
    scope: RecordScope<'a>,
    media: HashMap<i64, &'a jianguan_domain::assessment::MediaReport>,
    entered: HashMap<i64, &'a EnteredValue>,
}

impl Resolver<'_> {
    /// The records the reader may see, named, and how many they may not.
    fn lines(&self, records: &[RecordRef]) -> (Vec<RecordLine>, usize) {
        let mut shown = Vec::new();
        let mut hidden = 0;
        for r in records {
            match self.scope.sees(r).then(|| self.line(r)).flatten() {
                Some(l) => shown.push(l),
                None => hidden += 1,
            }
        }
        (shown, hidden)
    }

    fn project(&self, id: jianguan_domain::model::ProjectId) -> Option<(String, String)> {
        let p = self.scope.projects.get(id)?;
        Some((p.name.clone(), format!("/projects/{}", p.id)))
    }

    fn line(&self, record: &RecordRef) -> Option<RecordLine> {
        let milestone_name = |p: jianguan_domain::model::ProjectId, m| {
            self.scope
                .projects
                .get(p)
                .and_then(|p| p.milestones.iter().find(|x| x.id == m))
                .map(|m| m.name.clone())
                .unwrap_or_default()
        };
        Some(match record {
            RecordRef::PlanChange {
                change,
                project,
                on,
            } => {
                let (name, href) = self.project(*project)?;
                RecordLine {
                    text: format!("{name} · 计划调整申请 {change}（{}）", fmt::date_cn(*on)),
                    href: Some(href),
                }
            }
            RecordRef::Milestone {
                project,
                milestone,
                planned,
                actual,
            } => {
                let (name, href) = self.project(*project)?;
                RecordLine {
                    text: format!(
                        "{name} · {}：计划 {}，{}",
                        milestone_name(*project, *milestone),
                        fmt::date_cn(*planned),
                        actual.map_or("月末未完成".into(), |a| format!(
                            "{} 完成",
                            fmt::date_cn(a)
                        ))
                    ),
                    href: Some(href),
                }
            }
            RecordRef::Filing {
                project,
                seq,
                deadline,
                status,
                ..
            } => {
                let (name, href) = self.project(*project)?;
                let status = match status {
                    FilingStatus::Late { days } => format!("迟报 {days} 天"),
                    FilingStatus::Missing => "漏报".into(),
                };
                RecordLine {
                    text: format!(
                        "{name} · 第 {seq} 期（截止 {}）：{status}",
                        fmt::date_cn(*deadline)
                    ),
                    href: Some(href),
                }
            }
            RecordRef::Warning {
                project,
                milestone,
                level,
                on,
                ..
            } => {
                let (name, href) = self.project(*project)?;
                RecordLine {
                    text: format!(
                        "{name} · {}：{} {}",
                        milestone_name(*project, *milestone),
                        fmt::date_cn(*on),
                        level.label()
                    ),
                    href: Some(href),
                }
            }
            RecordRef::Act { item, on, .. } => {
                let it = self.scope.items.get(&item.0)?;
                let number = it
                    .act
                    .as_ref()
                    .map(|a| format!("（{}）", a.document_number))
                    .unwrap_or_default();
                RecordLine {
                    text: format!(
                        "{}「{}」{number}：{} 签发",
                        it.kind.label(),
                        it.title,
                        fmt::date_cn(*on)
                    ),
                    href: Some(format!("/items/{}", item.0)),
                }
            }
            RecordRef::OverdueItem {
                item,
                deadline,
                days,
            } => {
                let it = self.scope.items.get(&item.0)?;
                RecordLine {
                    text: format!(
                        "{}「{}」：期限 {}，逾期 {days} 天",
                        it.kind.label(),
                        it.title,
                        fmt::date_cn(*deadline)
                    ),
                    href: Some(format!("/items/{}", item.0)),
                }
            }
            RecordRef::Rectification {
                item,
                checked_on,
                passed,
            } => {
                let it = self.scope.items.get(&item.0)?;
                RecordLine {
                    text: format!(
                        "整改「{}」：{} 首次复核{}",
                        it.title,
                        fmt::date_cn(*checked_on),
                        if *passed { "通过" } else { "未通过" }
                    ),
                    href: Some(format!("/items/{}", item.0)),
                }
            }
            RecordRef::Media {
                report,
                level,
                date,
            } => {
                let m = self.media.get(report);
                RecordLine {
                    text: format!(
                        "{} {}：{}《{}》",
                        fmt::date_cn(*date),
                        level.label(),
                        m.map_or("", |m| m.outlet.as_str()),
                        m.map_or("", |m| m.title.as_str())
                    ),
                    href: None,
                }
            }
            RecordRef::Entry { entry } => {
                let e = self.entered.get(entry);
                RecordLine {
                    text: format!(
                        "录入值（第 {entry} 条）{}",
                        e.map(|e| format!(
                            "：{}{}",
                            e.value,
                            if e.note.is_empty() {
                                String::new()
                            } else {
                                format!("，{}", e.note)
                            }
                        ))
                        .unwrap_or_default()
                    ),
                    href: None,
                }
            }
        })
    }
}

fn adjust_lines(lines: &[AdjustmentLine], resolver: &Resolver<'_>) -> Vec<AdjustLine> {
    lines
        .iter()
        .map(|a| {
            let (records, hidden) = resolver.lines(&a.records);
            AdjustLine {
                code: a.code.clone(),
                name: a.name.clone(),
                count: format!("{:.0}{}", a.count, a.unit),
                per: two(a.per),
                points: format!(
                    "{}{}",
                    two(a.points),
                    if a.capped { "（封顶）" } else { "" }
                ),
                cap: two(a.cap),
                records,
                hidden,
            }
        })
        .collect()
}

fn method_text(method: &Method, unit: &str) -> String {
    match *method {
        Method::RatioToTarget { target } => {
            format!(
                "{}（目标 {}）",
                method.label(),
                value_text(Some(target), unit)
            )
        }
        Method::Linear { worst, best } => format!(
            "{}（{} → {}）",
            method.label(),
            value_text(Some(worst), unit),
            value_text(Some(best), unit)
        ),
        Method::Rank { step } => format!("{}（每名 {step} 分）", method.label()),
    }
}

fn objection_rows(objections: &[Objection], card: Option<&SubjectScore>) -> Vec<ObjectionRow> {
    objections
        .iter()
        .map(|o| {
            let name = card
                .and_then(|c| match &o.line {
                    DisputedLine::Indicator(code) => c.indicator(code).map(|l| l.name.clone()),
                    DisputedLine::Deduction(code) => c.deduction(code).map(|l| l.name.clone()),
                    DisputedLine::Bonus(code) => c.bonus(code).map(|l| l.name.clone()),
                })
                .unwrap_or_else(|| o.line.code().to_string());
            let status = o.status();
            ObjectionRow {
                id: o.id,
                filed_on: fmt::date_cn(o.filed_on),
                line: format!("{}：{name}", o.line.label()),
                reason: o.reason.clone(),
                evidence: o.evidence.clone(),
                status: status.label(),
                status_class: match status.code() {
                    "accepted" => "obj-accepted",
                    "rejected" => "obj-rejected",
                    _ => "obj-open",
                },
                decision: o
                    .decision
                    .as_ref()
                    .map(|d| format!("{}：{}", fmt::date_cn(d.on), d.reason))
                    .unwrap_or_default(),
                open: o.decision.is_none(),
            }
        })
        .collect()
}

fn subject_kind_of(portfolio: &Portfolio, id: UnitId) -> Option<SubjectKind> {
    match portfolio.unit(id)?.kind {
        UnitKind::District => Some(SubjectKind::District),
        UnitKind::LeadUnit => Some(SubjectKind::LeadUnit),
        _ => None,
    }
}

struct CardForm {
    error: Option<String>,
    reason: String,
    evidence: String,
}

async fn render_card(
    state: &AppState,
    user: &CurrentUser,
    unit: UnitId,
    month: Option<Month>,
    form: CardForm,
    notice: String,
) -> Result<Response, AppError> {
    let snap = view::snapshot(state).await?;
    let today = state.today();
    let Some(kind) = subject_kind_of(&snap.portfolio, unit) else {
        return Err(AppError::not_found("该考评对象"));
    };
    let name = snap.portfolio.unit_name(unit).to_string();
    let store = state.store();
    let year = month
        .map(|m| m.year())
        .unwrap_or_else(|| snap.portfolio.default_year(today));
    let runs = store
        .latest_runs(year, kind)
        .await
        .map_err(AppError::store)?;
    let month = month.unwrap_or_else(|| default_month(&runs, today));
    let run = runs.iter().find(|r| r.month == month);
    let card = run.and_then(|r| r.scores.subject(unit));
    let cadence = crate::cadence_pages::records(state).await?;
    let media = store.media_reports().await.map_err(AppError::store)?;
    let entered = store.entered_values().await.map_err(AppError::store)?;
    let viewer = Viewer::of(user, Resource::Assessment)?;
    let resolver = Resolver {
        scope: RecordScope::new(&snap.portfolio, viewer, &cadence.items),
        media: media.iter().map(|m| (m.id, m)).collect(),
        entered: entered.iter().map(|e| (e.id, e)).collect(),
    };
    let dictionary = default_dictionary();
    let mut hidden_note = false;
    let systems = card
        .map(|c| {
            c.systems
                .iter()
                .map(|s| CardSystem {
                    name: s.name.clone(),
                    weight: format!("{:.0}%", s.weight * 100.0),
                    subtotal: s.subtotal.map_or("—".into(), two),
                    weighted: two(s.weighted),
                    lines: s
                        .indicators
                        .iter()
                        .map(|l| {
                            let (records, hidden) = resolver.lines(&l.records);
                            hidden_note |= hidden > 0;
                            let value = match (l.fraction, dictionary.get(&l.code)) {
                                (Some(f), Some(indicator)) if l.unit == "%" => format!(
                                    "{}（{}）",
                                    value_text(l.value, &l.unit),
                                    indicator.fraction_text(f)
                                ),
                                _ => value_text(l.value, &l.unit),
                            };
                            CardLine {
                                code: l.code.clone(),
                                name: l.name.clone(),
                                value,
                                target: value_text(l.target, &l.unit),
                                method: method_text(&l.method, &l.unit),
                                points: l.points.map_or("—".into(), two),
                                weight: format!("{:.0}%", l.weight * 100.0),
                                weighted: two(l.weighted),
                                records,
                                hidden,
                            }
                        })
                        .collect(),
                })
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let deductions = card
        .map(|c| adjust_lines(&c.deductions, &resolver))
        .unwrap_or_default();
    let bonuses = card
        .map(|c| adjust_lines(&c.bonuses, &resolver))
        .unwrap_or_default();
    hidden_note |= deductions.iter().chain(&bonuses).any(|l| l.hidden > 0);
    let objections: Vec<Objection> = store
        .objections(month)
        .await
        .map_err(AppError::store)?
        .into_iter()
        .filter(|o| o.subject == unit && o.kind == kind)
        .collect();
    let own = user.account.unit == Some(unit);
    let lang = crate::i18n::lang();
    let (may_object, object_note) = match run {
        _ if !own || !user.may(Resource::Objection, Action::Create) => (false, String::new()),
        Some(r) if r.published => match r.objection_deadline() {
            Some(until) if today > until => {
                (false, lang.tn("申诉期已于 {n} 结束。", lang.date(until)))
            }
            Some(until) => (
                true,
                lang.tn("可在 {n} 前对任一行提出申诉。", lang.date(until)),
            ),
            None => (true, String::new()),
        },
        _ => (false, lang.t("结果发布后方可申诉。").into()),
    };
    let disputable = card
        .map(|c| {
            let mut out: Vec<(String, String)> = c
                .systems
                .iter()
                .flat_map(|s| &s.indicators)
                .map(|l| {
                    (
                        format!("indicator:{}", l.code),
                        lang.tn("指标：{n}", &l.name),
                    )
                })
                .collect();
            out.extend(c.deductions.iter().filter(|d| d.points > 0.0).map(|d| {
                (
                    format!("deduction:{}", d.code),
                    lang.tn("扣分项：{n}", &d.name),
                )
            }));
            out.extend(
                c.bonuses
                    .iter()
                    .map(|d| (format!("bonus:{}", d.code), lang.tn("加分项：{n}", &d.name))),
            );
            out
        })
        .unwrap_or_default();
    let layout = layout(
        lang.tn2("{n} {m} 考评", &name, month),
        &snap,
        month,
        "/assessment",
        user,
        today,
    )
    .crumb(
        "月度考评",
        Some(format!("/assessment?month={month}&kind={}", kind.code())),
    )
    .crumb(name.clone(), None);
    view::render(CardPage {
        unit_id: unit.0,
        kind_label: lang.t(kind.label()),
        kind_code: kind.code(),
        month: month_name(month),
        month_iso: month.to_string(),
        months: runs
            .iter()
            .map(|r| {
                (
                    format!("/assessment/units/{unit}?month={}", r.month),
                    month_short(r.month),
                    r.month == month,
                )
            })
            .collect(),
        state: run
            .map(run_state)
            .unwrap_or_else(|| lang.t("该月尚未计分").into()),
        total: card.map_or("—".into(), |c| two(c.total)),
        rank: card
            .and_then(|c| c.rank)
            .map_or("—".into(), |r| lang.tn("第 {n} 名", r)),
        tier: card
            .and_then(|c| c.tier.clone())
            .unwrap_or_else(|| "—".into()),
        trend: card
            .and_then(|c| c.trend.as_ref())
            .map(|t| {
                format!(
                    "{} {}{}",
                    t.arrow(),
                    lang.tn("较上月 {n} 分", format!("{:+.2}", t.total_change)),
                    match t.rank_change {
                        Some(r) if r > 0 => lang.tn("，名次上升{n}位", r.abs()),
                        Some(r) if r < 0 => lang.tn("，名次下降{n}位", r.abs()),
                        _ => lang.t("，名次不变").into(),
                    }
                )
            })
            .unwrap_or_default(),
        base: card.map_or("—".into(), |c| two(c.base)),
        deducted: card.map_or("—".into(), |c| two(c.deducted)),
        added: card.map_or("—".into(), |c| two(c.added)),
        // Runs store the codes; people read the dictionary's names.
        missing: card
            .map(|c| {
                c.missing
                    .iter()
                    .map(|code| dictionary.get(code).map_or(code, |i| &i.name).clone())
                    .collect()
            })
            .unwrap_or_default(),
        systems,
        deductions,
        bonuses,
        objections: objection_rows(&objections, card),
        disputable,
        may_object,
        object_note,
        may_decide: user.may(Resource::Objection, Action::Update),
        error: form.error,
        notice,
        reason: form.reason,
        evidence: form.evidence,
        hidden_note,
        name,
        layout,
    })
}

/// `GET /assessment/units/{id}?month=2021-10`: the unit's score card with every line's records.
pub(crate) async fn card(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<i64>,
    params: Params,
) -> Result<Response, AppError> {
    let month = month_param(&params, "month")?;
    let notice = match params.get("done") {
        Some("filed") => crate::i18n::lang()
            .t("申诉已提交，等待指挥部办公室处理。")
            .to_string(),
        Some("accepted") => crate::i18n::lang()
            .t("申诉已采纳，该月已重新计分并发布更正版本。")
            .to_string(),
        Some("rejected") => crate::i18n::lang().t("申诉已驳回。").to_string(),
        _ => String::new(),
    };
    let form = CardForm {
        error: None,
        reason: String::new(),
        evidence: String::new(),
    };
    render_card(&state, &user, UnitId(id), month, form, notice).await
}

/// `POST /assessment/units/{id}/objections` (month, line = `deduction:warning`, reason,
/// evidence): the unit's own objection to a line of its published score.
pub(crate) async fn object(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<i64>,
    TypedForm(form): TypedForm<ObjectionForm>,
) -> Result<Response, AppError> {
    let unit = UnitId(id);
    let ObjectionForm {
        month,
        line,
        reason,
        evidence,
    } = form;
    let again = |error: String| {
        let state = &state;
        let user = &user;
        let form = CardForm {
            error: Some(error),
            reason: reason.clone(),
            evidence: evidence.clone(),
        };
        async move {
            view::unprocessable(render_card(state, user, unit, month, form, String::new()).await)
        }
    };
    if user.account.unit != Some(unit) {
        return again("只能为本单位的考评结果提出申诉".into()).await;
    }
    let Some(month) = month else {
        return again("请选择月份".into()).await;
    };
    let snap = view::snapshot(&state).await?;
    let Some(kind) = subject_kind_of(&snap.portfolio, unit) else {
        return Err(AppError::not_found("该考评对象"));
    };
    let line = match line.as_deref().and_then(|l| l.split_once(':')) {
        Some(("indicator", c)) => DisputedLine::Indicator(c.into()),
        Some(("deduction", c)) => DisputedLine::Deduction(c.into()),
        Some(("bonus", c)) => DisputedLine::Bonus(c.into()),
        _ => return again("请选择申诉的指标或扣分、加分项".into()).await,
    };
    let Some(run) = state
        .store()
        .latest_run(month, kind)
        .await
        .map_err(AppError::store)?
    else {
        return again(format!("{month} 尚未计分")).await;
    };
    let objection = Objection {
        id: 0,
        subject: unit,
        kind,
        month,
        run_version: run.version,
        line,
        reason: reason.clone(),
        evidence: evidence.clone(),
        filed_on: state.today(),
        filed_by: user.account.username.clone(),
        decision: None,
    };
    let mut record = assessment::audit(
        state.clock(),
        &user.account.username,
        user.unit_name.clone(),
        AuditAction::ObjectionFile,
        String::new(),
    );
    record.changes = vec![
        assessment::change("line", None, objection.line.code()),
        assessment::change("reason", None, &reason),
    ];
    match state.store().file_objection(&objection, &record).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/assessment/units/{id}?month={month}&done=filed"))
                .into_response(),
        ),
        Err(e) => match store_refusal(&e) {
            Some(m) => again(m).await,
            None => Err(AppError::store(e)),
        },
    }
}

/// `POST /assessment/objections/{id}/decision` (accepted = 1|0, reason): the office decides an
/// objection; an accepted one rescores the month (a correction whose reason names the
/// objection).
pub(crate) async fn decide(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<i64>,
    TypedForm(DecisionForm {
        accepted,
        reason,
        month,
    }): TypedForm<DecisionForm>,
) -> Result<Response, AppError> {
    let Some(month) = month else {
        return Err(refused("请指明申诉所属月份（month）"));
    };
    let store = state.store();
    let Some(objection) = store
        .objections(month)
        .await
        .map_err(AppError::store)?
        .into_iter()
        .find(|o| o.id == id)
    else {
        return Err(AppError::not_found("该申诉"));
    };
    let snap = view::snapshot(&state).await?;
    let office = user
        .account
        .unit
        .or_else(|| {
            snap.portfolio
                .units_of(UnitKind::CommandHq)
                .next()
                .map(|u| u.id)
        })
        .unwrap_or(UnitId(0));
    let decision = Decision {
        accepted,
        on: state.today(),
        by: office,
        reason: reason.clone(),
    };
    let mut record = assessment::audit(
        state.clock(),
        &user.account.username,
        user.unit_name.clone(),
        AuditAction::ObjectionDecide,
        format!("objection:{id}"),
    );
    record.changes = vec![
        assessment::change(
            "status",
            Some("open".into()),
            if accepted { "accepted" } else { "rejected" },
        ),
        assessment::change("reason", None, &reason),
    ];
    let unit = objection.subject;
    let back = |e: String| {
        let state = &state;
        let user = &user;
        let form = CardForm {
            error: Some(e),
            reason: String::new(),
            evidence: String::new(),
        };
        async move {
            view::unprocessable(
                render_card(state, user, unit, Some(month), form, String::new()).await,
            )
        }
    };
    let cadence = crate::cadence_pages::records(&state).await?;
    let inputs = Inputs::from_snapshots(store, snap, cadence)
        .await
        .map_err(AppError::store)?;
    let filings = inputs
        .filings(store, month)
        .await
        .map_err(AppError::store)?;
    let decided = assessment::decide_objection(
        store,
        state.clock(),
        &(inputs, filings),
        &objection,
        decision,
        &record,
        (&user.account.username, user.unit_name.as_deref()),
    )
    .await;
    match decided {
        Ok(_) => {}
        Err(assessment::AssessmentError::Store(e)) => match store_refusal(&e) {
            Some(m) => return back(m).await,
            None => return Err(AppError::store(e)),
        },
        Err(e) => return Err(assessment_error(e)),
    }
    Ok(Redirect::to(&format!(
        "/assessment/units/{unit}?month={month}&done={}",
        if accepted { "accepted" } else { "rejected" }
    ))
    .into_response())
}

// ---------------------------------------------------------------------------------------------
// The scheme.
// ---------------------------------------------------------------------------------------------

struct SchemeIndicator {
    code: String,
    name: String,
    weight: String,
    method: String,
    direction: &'static str,
    overrides: String,
}

struct SchemeSystem {
    name: String,
    weight: String,
    indicators: Vec<SchemeIndicator>,
}

#[derive(Template)]
#[template(path = "assessment_scheme.html")]
struct SchemePage {
    layout: Layout,
    year: i16,
    title: String,
    state: String,
    versions: Vec<(String, String, bool)>,
    systems: Vec<SchemeSystem>,
    adjustments: Vec<AdjustRow>,
    tiers: Vec<(String, String)>,
    lists: Vec<String>,
    body: String,
    may_update: bool,
    error: Option<String>,
    notice: String,
    /// Whether the numbers form is offered (the office, on the version in force).
    show_form: bool,
    /// The form's fields, filled with the scheme in force or the values as typed.
    fieldsets: Vec<Fieldset>,
    /// The form's problems for the summary: (field id, message).
    problems: Vec<(String, String)>,
    /// The ranks preview: its caption and each unit's move.
    preview: Option<(String, Vec<scheme_form::RankMove>)>,
    /// Whether the TOML section opens by itself (a refused file is shown in it).
    toml_open: bool,
}

/// What the scheme page shows besides the scheme.
#[derive(Default)]
struct SchemeShown {
    /// The form as posted (none: filled from the scheme shown).
    form: Option<FormValues>,
    /// A TOML text as typed, refused.
    typed: Option<String>,
    /// A TOML text's refusal.
    error: Option<String>,
    /// The ranks preview.
    preview: Option<(String, Vec<scheme_form::RankMove>)>,
    notice: String,
}

/// One deduction or bonus as the scheme page lists it: kind, name, indicator, points, cap.
type AdjustRow = (&'static str, String, String, String, String);

/// The scheme as the page shows it: systems, adjustments, tiers (name, range) and list rules.
type SchemeView = (
    Vec<SchemeSystem>,
    Vec<AdjustRow>,
    Vec<(String, String)>,
    Vec<String>,
);

fn scheme_view(scheme: &Scheme) -> SchemeView {
    let systems = scheme
        .systems
        .iter()
        .map(|s| SchemeSystem {
            name: s.name.clone(),
            weight: format!("{:.0}%", s.weight * 100.0),
            indicators: s
                .indicators
                .iter()
                .map(|i| SchemeIndicator {
                    code: i.code.clone(),
                    name: i.name.clone(),
                    weight: format!("{:.0}%", i.weight * 100.0),
                    method: method_text(&i.method, &i.unit),
                    direction: i.direction.label(),
                    overrides: i
                        .overrides
                        .iter()
                        .map(|o| format!("{} {}", o.unit, value_text(Some(o.value), &i.unit)))
                        .collect::<Vec<_>>()
                        .join("；"),
                })
                .collect(),
        })
        .collect();
    let adjust = |kind: &'static str, a: &jianguan_domain::assessment::Adjustment| {
        (
            kind,
            a.name.clone(),
            a.indicator_name.clone(),
            format!("每{} {}", a.unit, two(a.points)),
            two(a.cap),
        )
    };
    let adjustments = scheme
        .deductions
        .iter()
        .map(|a| adjust(crate::i18n::lang().t("扣分"), a))
        .chain(
            scheme
                .bonuses
                .iter()
                .map(|a| adjust(crate::i18n::lang().t("加分"), a)),
        )
        .collect();
    let tiers = scheme
        .tiers
        .tiers
        .iter()
        .map(|t| {
            let lang = crate::i18n::lang();
            let range = match t.range {
                TierRange::Score { min, max } => match (min, max) {
                    (Some(a), Some(b)) => lang.tn2("{n} ≤ 总分 < {m}", a, b),
                    (Some(a), None) => lang.tn("总分 ≥ {n}", a),
                    (None, Some(b)) => lang.tn("总分 < {n}", b),
                    (None, None) => lang.t("不限").into(),
                },
                TierRange::Rank { first, last } => match last {
                    Some(l) => lang.tn("第 {n} 名", format!("{first}–{l}")),
                    None => lang.tn("第 {n} 名及以后", first),
                },
            };
            (t.name.clone(), range)
        })
        .collect();
    let l = &scheme.lists;
    let lang = crate::i18n::lang();
    let mut lists = vec![
        lang.tn("表扬：总分前 {n} 名", l.reward_top),
        lang.tn("问责：总分后 {n} 名", l.accountability_bottom),
    ];
    if let Some(code) = &l.accountability_if {
        let name = default_dictionary()
            .get(code)
            .map(|i| i.name.clone())
            .unwrap_or_else(|| code.clone());
        lists.push(lang.tn("当月「{n}」不为零的单位，不论名次，列入问责名单", name));
    }
    if l.reward_excludes_flagged {
        lists.push(lang.t("列入问责名单的单位不列入表扬名单").into());
    }
    lists.push(lang.tn("结果发布后 {n} 天内可申诉", scheme.objection_window_days));
    (systems, adjustments, tiers, lists)
}

async fn render_scheme(
    state: &AppState,
    user: &CurrentUser,
    year: Option<i16>,
    version: Option<u32>,
    extra: SchemeShown,
) -> Result<Response, AppError> {
    let snap = view::snapshot(state).await?;
    let today = state.today();
    let year = year.unwrap_or_else(|| snap.portfolio.default_year(today));
    let store = state.store();
    let versions = store.scheme_versions(year).await.map_err(AppError::store)?;
    let saved = store.scheme(year, version).await.map_err(AppError::store)?;
    let (body, state_line) = match &saved {
        Some(s) => (
            s.body.clone(),
            crate::i18n::lang().tn2("第 {n} 版，{m}", s.version, fmt::actor(&s.saved_by))
                + crate::i18n::lang().t(" 保存"),
        ),
        None if version.is_none() && assessment::default_scheme().year == year => (
            jianguan_domain::assessment::DEFAULT_SCHEME_TOML.to_string(),
            crate::i18n::lang().t("尚未保存，计分时使用默认办法").into(),
        ),
        None => (
            String::new(),
            crate::i18n::lang().tn("{n} 年尚无考评办法", year),
        ),
    };
    let scheme = Scheme::from_toml(&body).ok();
    let may_update = user.may(Resource::Assessment, Action::Update);
    let latest = versions.iter().map(|v| v.version).max();
    let show_form = may_update && scheme.is_some() && (version.is_none() || version == latest);
    let form = match (&extra.form, &scheme) {
        (Some(_), _) | (None, None) => None,
        (None, Some(s)) => Some(scheme_form::scheme_values(s)),
    };
    let form = extra.form.as_ref().or(form.as_ref());
    let mut fieldsets = scheme
        .as_ref()
        .map(scheme_form::scheme_fieldsets)
        .unwrap_or_default();
    if let Some(form) = form {
        form.fill(&mut fieldsets);
    }
    let problems = form.map(FormValues::summary).unwrap_or_default();
    let (systems, adjustments, tiers, lists) = scheme.as_ref().map(scheme_view).unwrap_or_default();
    let shown = saved.as_ref().map(|s| s.version);
    let month = Month::new(year, 12).unwrap_or_else(|_| Month::of(today));
    let layout = layout(
        crate::i18n::lang().tn("{n} 年考评办法", year),
        &snap,
        month,
        "/assessment/scheme",
        user,
        today,
    )
    .crumb("月度考评", Some("/assessment".into()))
    .crumb("考评办法", None);
    view::render(SchemePage {
        year,
        title: scheme
            .as_ref()
            .map(|s| s.name.clone())
            .unwrap_or_else(|| crate::i18n::lang().tn("{n} 年考评办法", year)),
        state: state_line,
        versions: versions
            .iter()
            .map(|v| {
                (
                    format!("/assessment/scheme?year={year}&version={}", v.version),
                    format!("第 {} 版", v.version),
                    Some(v.version) == shown,
                )
            })
            .collect(),
        systems,
        adjustments,
        tiers,
        lists,
        toml_open: extra.typed.is_some(),
        body: extra.typed.unwrap_or(body),
        may_update,
        error: extra.error,
        notice: extra.notice,
        show_form,
        fieldsets,
        problems,
        preview: extra.preview,
        layout,
    })
}

/// `GET /assessment/scheme?year=2021&version=1`.
pub(crate) async fn scheme(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    params: Params,
) -> Result<Response, AppError> {
    let version = params.id("version")?.map(|v| v as u32);
    let notice = match params.id("saved")? {
        Some(v) => format!("已保存为第 {v} 版；此后计分的月份使用新版本，已发布的月份保持原版本。"),
        None => String::new(),
    };
    render_scheme(
        &state,
        &user,
        params.year("year")?,
        version,
        SchemeShown {
            notice,
            ..SchemeShown::default()
        },
    )
    .await
}

/// `POST /assessment/scheme`: the numbers form (`action=preview` scores the last scored month
/// under the edited scheme beside the scheme in force, anything else saves it), or the TOML
/// file (fields year, scheme). Either is checked by the scheme's one reader and saved as a new
/// version through `jianguan_app::assessment::save_scheme`; a refusal answers 422 with what was
/// typed, and the scheme in force is unchanged.
pub(crate) async fn save_scheme(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    crate::params::CheckedForm(form): crate::params::CheckedForm,
) -> Result<Response, AppError> {
    if form.contains_key("scheme") {
        let SchemeForm { year, scheme } = Params::new(form).read::<SchemeForm>()?;
        return save_scheme_toml(&state, &user, year, scheme).await;
    }
    let snap = view::snapshot(&state).await?;
    let refuse_whole = |year: Option<i16>, message: &str| {
        let state = &state;
        let user = &user;
        let error = Some(format!("未保存，正在执行的办法不变。{message}"));
        async move {
            view::unprocessable(
                render_scheme(
                    state,
                    user,
                    year,
                    None,
                    SchemeShown {
                        error,
                        ..SchemeShown::default()
                    },
                )
                .await,
            )
        }
    };
    let Some(year) = form.get("year").and_then(|y| y.trim().parse::<i16>().ok()) else {
        return refuse_whole(None, "请指明年度（year）").await;
    };
    let preview = form.get("action").is_some_and(|a| a == "preview");
    let mut values = FormValues::posted(form);
    let store = state.store();
    let versions = store.scheme_versions(year).await.map_err(AppError::store)?;
    let base = match store.scheme(year, None).await.map_err(AppError::store)? {
        Some(saved) => {
            assessment::parse_stored(year, saved.version, &saved.body).map_err(assessment_error)?
        }
        None if assessment::default_scheme().year == year => assessment::default_scheme(),
        None => {
            return refuse_whole(Some(year), "该年度尚无考评办法，请先用 TOML 导入").await;
        }
    };
    let next = versions
        .iter()
        .map(|v| v.version)
        .max()
        .unwrap_or(0)
        .max(base.version)
        + 1;
    let refuse = |values: FormValues| {
        let state = &state;
        let user = &user;
        async move {
            view::unprocessable(
                render_scheme(
                    state,
                    user,
                    Some(year),
                    None,
                    SchemeShown {
                        form: Some(values),
                        ..SchemeShown::default()
                    },
                )
                .await,
            )
        }
    };
    let Some((edited, body)) = scheme_form::scheme_from_form(&mut values, &base, next) else {
        return refuse(values).await;
    };
    if preview {
        let kind = SubjectKind::District;
        let runs = store
            .latest_runs(year, kind)
            .await
            .map_err(AppError::store)?;
        let today = state.today();
        // The last month scored, else the latest month of the year with data (a year over
        // is previewed on its December).
        let month = match runs.iter().map(|r| r.month).max() {
            Some(m) => m,
            None => {
                let before = Month::of(today).previous();
                if before.year() > year {
                    Month::new(year, 12).unwrap_or(before)
                } else {
                    before
                }
            }
        };
        let cadence = crate::cadence_pages::records(&state).await?;
        let inputs = Inputs::from_snapshots(store, snap, cadence)
            .await
            .map_err(AppError::store)?;
        let filings = inputs
            .filings(store, month)
            .await
            .map_err(AppError::store)?;
        let (_, now) = inputs
            .score(&filings, &base, kind, month, None)
            .map_err(assessment_error)?;
        let (_, after) = inputs
            .score(&filings, &edited, kind, month, None)
            .map_err(assessment_error)?;
        let caption = format!(
            "预览：{}年{}月各县区名次，现行第 {} 版与修改后对比（未保存）",
            month.year(),
            month.month(),
            base.version
        );
        return render_scheme(
            &state,
            &user,
            Some(year),
            None,
            SchemeShown {
                form: Some(values),
                preview: Some((caption, scheme_form::rank_moves(&now, after))),
                notice: "预览只计算，不保存；正在执行的办法不变。".into(),
                ..SchemeShown::default()
            },
        )
        .await;
    }
    let unchanged = Scheme {
        version: base.version,
        ..edited.clone()
    } == base;
    if unchanged {
        return render_scheme(
            &state,
            &user,
            Some(year),
            None,
            SchemeShown {
                notice: "办法未作修改，未保存新版本。".into(),
                ..SchemeShown::default()
            },
        )
        .await;
    }
    let saved = assessment::save_scheme(
        store,
        state.clock(),
        &snap.portfolio,
        year,
        &body,
        &user.account.username,
        user.unit_name.clone(),
    )
    .await;
    match saved {
        Ok((saved, _)) => Ok(after_saving_scheme(year, saved.version)),
        Err(SchemeSaveError::Store(e)) => match store_refusal(&e) {
            Some(m) => {
                values.refuse("systems", m);
                refuse(values).await
            }
            None => Err(AppError::store(e)),
        },
        Err(e) => {
            values.refuse("systems", e.to_string());
            refuse(values).await
        }
    }
}

/// The TOML path: `body` checked and saved as `year`'s new version, or shown again with its line
/// and reason.
async fn save_scheme_toml(
    state: &AppState,
    user: &CurrentUser,
    year: Option<i16>,
    body: String,
) -> Result<Response, AppError> {
    let refuse = |message: String| {
        let body = body.clone();
        async move {
            view::unprocessable(
                render_scheme(
                    state,
                    user,
                    year,
                    None,
                    SchemeShown {
                        typed: Some(body),
                        error: Some(format!("未保存，正在执行的办法不变。{message}")),
                        ..SchemeShown::default()
                    },
                )
                .await,
            )
        }
    };
    let Some(year) = year else {
        return refuse("请指明年度（year）".into()).await;
    };
    let snap = view::snapshot(state).await?;
    let saved = assessment::save_scheme(
        state.store(),
        state.clock(),
        &snap.portfolio,
        year,
        &body,
        &user.account.username,
        user.unit_name.clone(),
    )
    .await;
    match saved {
        Ok((saved, _)) => Ok(after_saving_scheme(year, saved.version)),
        Err(SchemeSaveError::Store(e)) => match store_refusal(&e) {
            Some(m) => refuse(m).await,
            None => Err(AppError::store(e)),
        },
        Err(e) => refuse(e.to_string()).await,
    }
}

// ---------------------------------------------------------------------------------------------
// Indicators.
// ---------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "indicators.html")]
struct IndicatorsPage {
    layout: Layout,
    rows: Vec<(String, String, String, &'static str, &'static str, String)>,
    media: Vec<(String, &'static str, String, String, String)>,
    media_counts: String,
}

/// `GET /indicators`: the dictionary and the media register.
pub(crate) async fn indicators(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
) -> Result<Response, AppError> {
    let snap = view::snapshot(&state).await?;
    let today = state.today();
    let dictionary = default_dictionary();
    let media = state
        .store()
        .media_reports()
        .await
        .map_err(AppError::store)?;
    let year = snap.portfolio.default_year(today);
    let month = Month::new(year, 12).unwrap_or_else(|_| Month::of(today));
    let mut by_level: BTreeMap<&'static str, usize> = BTreeMap::new();
    for m in &media {
        *by_level.entry(m.level.label()).or_default() += 1;
    }
    let layout = layout("考评指标".into(), &snap, month, "/indicators", &user, today)
        .crumb("月度考评", Some("/assessment".into()))
        .crumb("考评指标", None);
    let lang = crate::i18n::lang();
    let mut recent: Vec<_> = media.iter().collect();
    recent.sort_by(|a, b| b.date.cmp(&a.date).then(b.id.cmp(&a.id)));
    view::render(IndicatorsPage {
        rows: dictionary
            .indicators
            .iter()
            .map(|i| {
                (
                    format!("/indicators/{}", i.code),
                    i.code.clone(),
                    i.name.clone(),
                    lang.t(match i.source {
                        Source::Computed(_) => "系统计算",
                        Source::Entered => "录入",
                    }),
                    lang.t(i.direction.label()),
                    i.description.clone(),
                )
            })
            .collect(),
        media: recent
            .iter()
            .take(50)
            .map(|m| {
                (
                    fmt::date_cn(m.date),
                    lang.t(m.level.label()),
                    m.outlet.clone(),
                    m.title.clone(),
                    snap.portfolio.unit_name(m.unit).to_string(),
                )
            })
            .collect(),
        media_counts: lang.tn2(
            "共 {n} 篇：{m}",
            media.len(),
            by_level
                .iter()
                .map(|(l, n)| lang.tn2("{n} {m} 篇", lang.t(l), n))
                .collect::<Vec<_>>()
                .join(lang.t("，")),
        ),
        layout,
    })
}

#[derive(Template)]
#[template(path = "indicator.html")]
struct IndicatorPage {
    layout: Layout,
    code: String,
    name: String,
    unit: String,
    description: String,
    source: &'static str,
    direction: &'static str,
    range: String,
    month: String,
    month_iso: String,
    kinds: Vec<(String, &'static str, bool)>,
    months: Vec<(String, String, bool)>,
    rows: Vec<(String, String, String, String, String)>,
    chart: String,
    entered: bool,
    may_enter: bool,
    units: Vec<(i64, String)>,
    error: Option<String>,
    notice: String,
    value: String,
    note: String,
}

struct EntryForm {
    error: Option<String>,
    value: String,
    note: String,
}

async fn render_indicator(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    month: Option<Month>,
    kind: SubjectKind,
    form: EntryForm,
    notice: String,
) -> Result<Response, AppError> {
    let dictionary = default_dictionary();
    let Some(indicator) = dictionary.get(code) else {
        return Err(AppError::not_found("该指标"));
    };
    let snap = view::snapshot(state).await?;
    let today = state.today();
    let year = month
        .map(|m| m.year())
        .unwrap_or_else(|| snap.portfolio.default_year(today));
    let runs = state
        .store()
        .latest_runs(year, kind)
        .await
        .map_err(AppError::store)?;
    let month = month.unwrap_or_else(|| default_month(&runs, today));
    let run = runs.iter().find(|r| r.month == month);
    // Values as the month's run measured them (what was scored), with the points they earned.
    let mut rows = Vec::new();
    let mut bars = Vec::new();
    if let Some(run) = run {
        for (i, s) in run.measurements.subjects.iter().enumerate() {
            let value = s.value(code);
            let line = run
                .scores
                .subject(s.subject.id)
                .and_then(|c| c.indicator(code));
            rows.push((
                s.subject.name.clone(),
                format!("/assessment/units/{}?month={month}", s.subject.id),
                value_text(value, &indicator.unit),
                line.and_then(|l| l.target)
                    .map_or("—".into(), |t| value_text(Some(t), &indicator.unit)),
                line.and_then(|l| l.points).map_or("—".into(), two),
            ));
            if let Some(v) = value {
                bars.push(jianguan_charts::Bar {
                    label: s.subject.name.clone(),
                    value: v,
                    display: value_text(Some(v), &indicator.unit),
                    href: Some(format!("/assessment/units/{}?month={month}", s.subject.id)),
                    color: Some(jianguan_charts::palette_color(i).to_string()),
                    tooltip: None,
                });
            }
        }
    }
    let chart = if bars.is_empty() {
        String::new()
    } else {
        // Percentages close together (95.9 and 99.8) get an axis that shows the gap.
        let from = (indicator.unit == "%")
            .then(|| jianguan_charts::axis_floor(bars.iter().map(|b| b.value / 100.0)))
            .flatten()
            .map(|floor| {
                let at = (floor * 100.0).round();
                (at, crate::i18n::lang().tn("横轴自 {n}% 起，以显示差异", at))
            });
        jianguan_charts::BarChart {
            title: format!("{} {month}", indicator.name),
            bars,
            max: (indicator.unit == "%").then_some(100.0),
            target: None,
            from,
            width: 760,
            lang: crate::i18n::lang(),
        }
        .to_svg()
    };
    let entered = matches!(indicator.source, Source::Entered);
    let qs = |m: Month, k: SubjectKind| format!("/indicators/{code}?month={m}&kind={}", k.code());
    let layout = layout(
        indicator.name.clone(),
        &snap,
        month,
        "/indicators",
        user,
        today,
    )
    .crumb("考评指标", Some("/indicators".into()))
    .crumb(indicator.name.clone(), None);
    let lang = crate::i18n::lang();
    let range = {
        let r = &indicator.range;
        match (r.min, r.max) {
            (Some(a), Some(b)) => format!("{a} – {b}"),
            (Some(a), None) => format!("≥ {a}"),
            (None, Some(b)) => format!("≤ {b}"),
            (None, None) => lang.t("不限").into(),
        }
    };
    view::render(IndicatorPage {
        code: indicator.code.clone(),
        name: indicator.name.clone(),
        unit: indicator.unit.clone(),
        description: indicator.description.clone(),
        source: lang.t(if entered {
            "录入或导入"
        } else {
            "由系统记录计算"
        }),
        direction: lang.t(indicator.direction.label()),
        range,
        month: month_name(month),
        month_iso: month.to_string(),
        kinds: SubjectKind::ALL
            .iter()
            .map(|&k| (qs(month, k), lang.t(k.label()), k == kind))
            .collect(),
        months: runs
            .iter()
            .map(|r| (qs(r.month, kind), month_short(r.month), r.month == month))
            .collect(),
        rows,
        chart,
        entered,
        may_enter: entered && user.may(Resource::Assessment, Action::Update),
        units: snap
            .portfolio
            .units_of(kind.unit_kind())
            .map(|u| (u.id.0, u.name.clone()))
            .collect(),
        error: form.error,
        notice,
        value: form.value,
        note: form.note,
        layout,
    })
}

/// `GET /indicators/{code}?month=2021-10&kind=district`.
pub(crate) async fn indicator(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    Path(code): Path<String>,
    params: Params,
) -> Result<Response, AppError> {
    let month = month_param(&params, "month")?;
    let kind = kind_param(&params)?;
    let notice = if params.get("entered").is_some() {
        crate::i18n::lang()
            .t("已录入；重新计分后计入该月考评（已发布的月份须更正）。")
            .to_string()
    } else {
        String::new()
    };
    let form = EntryForm {
        error: None,
        value: String::new(),
        note: String::new(),
    };
    render_indicator(&state, &user, &code, month, kind, form, notice).await
}

/// `POST /indicators/{code}/values` (unit, month, value, note): enters a value (a rate in
/// percent); out of the indicator's range is refused, naming the field.
pub(crate) async fn enter(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    Path(code): Path<String>,
    TypedForm(EntryFields {
        month,
        value: value_text,
        note,
        unit,
    }): TypedForm<EntryFields>,
) -> Result<Response, AppError> {
    let snap = view::snapshot(&state).await?;
    let kind = unit
        .and_then(|u| subject_kind_of(&snap.portfolio, u))
        .unwrap_or(SubjectKind::District);
    let again = |error: String| {
        let state = &state;
        let user = &user;
        let form = EntryForm {
            error: Some(error),
            value: value_text.clone(),
            note: note.clone(),
        };
        let code = code.clone();
        async move {
            view::unprocessable(
                render_indicator(state, user, &code, month, kind, form, String::new()).await,
            )
        }
    };
    let dictionary = default_dictionary();
    if dictionary.get(&code).is_none() {
        return Err(AppError::not_found("该指标"));
    }
    let Some(month) = month else {
        return again("月份（month）应写作 2021-10".into()).await;
    };
    let Some(unit) = unit.filter(|u| subject_kind_of(&snap.portfolio, *u).is_some()) else {
        return again("请选择县区或牵头单位（unit）".into()).await;
    };
    let Ok(value) = value_text.parse::<f64>() else {
        return again(format!("数值（value）应为数字，收到「{value_text}」")).await;
    };
    let entry = EnteredValue {
        id: 0,
        indicator: code.clone(),
        subject: unit,
        month,
        value,
        note: note.clone(),
    };
    if let Err(e) = dictionary.check_entry(&entry) {
        return again(format!("数值（value）：{e}")).await;
    }
    let mut record = assessment::audit(
        state.clock(),
        &user.account.username,
        user.unit_name.clone(),
        AuditAction::IndicatorEnter,
        format!("indicator:{code}:{}:{month}", unit.0),
    );
    record.changes = vec![assessment::change("value", None, value)];
    state
        .store()
        .enter_values(std::slice::from_ref(&entry), &record)
        .await
        .map_err(|e| match store_refusal(&e) {
            Some(m) => refused(m),
            None => AppError::store(e),
        })?;
    Ok(Redirect::to(&format!(
        "/indicators/{code}?month={month}&kind={}&entered=1",
        kind.code()
    ))
    .into_response())
}
/// Back to the scheme after a save, from the form or the TOML: the new version is announced.
fn after_saving_scheme(year: i16, version: impl std::fmt::Display) -> Response {
    Redirect::to(&format!("/assessment/scheme?year={year}&saved={version}")).into_response()
}
