//! Biweekly filing (两周一汇报) and its compliance.
//!
//! `GET /filing` lists the user's projects due for the current period (the one the 数据截至
//! date falls in, or the last one begun; the date and year are chosen as on every page, by
//! [`Scope::resolve`]) with how each stood on that date, and with `project=ID` shows the
//! phone-first form for one project (filing is always today). The form offers the milestones
//! not yet reached and those this period's report names (unticking one withdraws it: a
//! correction, with a reason); one another period's report names is shown done, withdrawn only
//! by correcting that period's report. `POST /filing` reads the form (URL-encoded, or multipart with photos), checks
//! the project is in the user's scope (else 404 and an audited denial, nothing stored), runs the
//! domain's one gate [`check_filing`] (a refusal names the field: 422 with the form again), and
//! stores the report with its photos' references in one transaction. A second identical submit
//! is the same report. Problems that need another body open coordination tickets.
//!
//! `GET /compliance?period=N` shows, per period, who filed on time, late or not at all, by
//! district and unit, and drills down to the projects.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form, Json};
use jianguan_access::policy::{Action, Resource};
use jianguan_audit::{AuditAction, AuditDraft, FieldChange, Outcome};
use jianguan_domain::Date;
use jianguan_domain::filing::{
    self, FilingCounts, FilingDecision, FilingError, ReportIndex, check_filing, expected_to_file,
    filing_of,
};
use jianguan_domain::followup::{ItemKind, coordination_tickets};
use jianguan_domain::model::{
    MilestoneId, Money, PeriodId, Portfolio, Problem, ProgressReport, Project, ReportId,
    ReportingPeriod, UnitId,
};
use jianguan_domain::store::{Field, ProjectRecord, ReportVersions, StoreError};
use serde::Serialize;

use super::photos::{self, MAX_PHOTOS, Photo};
use crate::api::Scope;
use crate::auth::CurrentUser;
use crate::cadence::CadenceSnapshot;
use crate::error::AppError;
use crate::params::{AsOfQuery, Fields, FromParams, Typed};
use crate::view::{self, Layout};
use crate::{AppState, Params, Snapshot, fmt};

/// Problem rows the form offers.
const PROBLEM_ROWS: usize = 3;

/// Rows the project list shows before asking to search.
const LIST_LIMIT: usize = 100;

/// The Chinese name of a form field, for error messages.
fn field_label(field: &str) -> &'static str {
    match field {
        "project" => "项目",
        "period" => "期次",
        "milestones" => "完成节点",
        "investment_to_date" => "累计完成投资",
        "note" => "进展情况",
        "problems" => "存在问题",
        "correction_reason" => "更正理由",
        "photos" => "现场照片",
        _ => "填报内容",
    }
}

fn period_label(p: &ReportingPeriod) -> String {
    let lang = crate::i18n::lang();
    format!(
        "{}{}",
        lang.tn2("{n}年第{m}期", p.year, p.seq),
        lang.tn2(
            "（{n}，{m} 截止）",
            lang.tn2("{n} 至 {m}", p.start, p.end),
            p.deadline
        )
    )
}

/// How a filing stands, as a word with a class.
fn filing_badge(f: filing::Filing) -> super::Badge {
    let lang = crate::i18n::lang();
    let (label, class) = match f {
        filing::Filing::OnTime => (lang.t("按时").to_string(), "fl fl-ontime"),
        filing::Filing::Late(d) => (lang.tn("迟报 {n} 天", d), "fl fl-late"),
        filing::Filing::Missing => (lang.t("漏报").to_string(), "fl fl-missing"),
        filing::Filing::Pending => (lang.t("待报").to_string(), "fl fl-pending"),
    };
    super::Badge {
        label,
        class: class.to_string(),
    }
}

// --- The filing desk -------------------------------------------------------------------------

struct DueRow {
    href: String,
    code: String,
    name: String,
    district: String,
    unit: String,
    status: super::Badge,
    versions: usize,
    action: &'static str,
}

/// A milestone line of the form.
struct MilestoneInput {
    id: i64,
    name: String,
    planned: String,
    /// The current version of this period's report names it (unticking withdraws it).
    in_this_period: bool,
    /// Reached before this period (read-only).
    done: Option<String>,
    checked: bool,
    date: String,
}

/// What the form shows (typed, or the latest version's values).
#[derive(Default)]
struct FormValues {
    investment: String,
    note: String,
    problems: Vec<(String, String)>,
    correction_reason: String,
    reached: HashMap<i64, String>,
    /// Dates typed beside milestones left unticked: refused (never silently dropped) and shown
    /// again as typed.
    unticked_dates: HashMap<i64, String>,
}

struct FormView {
    project_id: i64,
    project: String,
    code: String,
    project_href: String,
    period_id: i64,
    milestones: Vec<MilestoneInput>,
    values: FormValues,
    previous_investment: Option<String>,
    filed: Option<String>,
    needs_reason: bool,
    photos_enabled: bool,
}

#[derive(Template)]
#[template(path = "filing.html")]
struct FilingPage {
    layout: Layout,
    /// The period's name (empty: no period has begun).
    period: String,
    /// Its first and last days and its deadline, each kept whole on a narrow screen.
    period_days: (String, String, String),
    periods: Vec<(String, String, bool)>,
    counts: String,
    rows: Vec<DueRow>,
    more: Option<String>,
    search: String,
    todo_only: bool,
    form: Option<FormView>,
    errors: Vec<(String, String)>,
    notice: String,
    max_photos: usize,
    max_photo_mb: usize,
}

/// The versions of a project's reports, as [`check_filing`] takes them.
fn versions(record: &ProjectRecord) -> Vec<&ProgressReport> {
    record.reports.iter().collect()
}

/// The latest version of `project`'s report for `period`, if any.
fn latest_for<'a>(
    record: &'a ProjectRecord,
    period: &ReportingPeriod,
) -> Option<&'a ProgressReport> {
    record
        .reports
        .iter()
        .filter(|r| r.period == period.id)
        .max_by_key(|r| r.version)
}

#[expect(clippy::too_many_arguments, reason = "one page, its inputs")]
async fn desk(
    state: &AppState,
    user: &CurrentUser,
    snap: &Arc<Snapshot>,
    cadence: &CadenceSnapshot,
    params: &Params,
    form_for: Option<(ProjectRecord, PeriodId, Option<FormValues>)>,
    errors: Vec<(String, String)>,
    notice: String,
) -> Result<Response, AppError> {
    let today = state.today();
    let p = &snap.portfolio;
    let scope = user.scope_for(Resource::ProgressReport, Action::Create)?;
    // The year and the 数据截至 date are chosen as on every page; the list says how each
    // report stood on that date. Filing itself is always today, into any period begun by then.
    let layout_scope = Scope::resolve(params, snap, today)?;
    let (year, as_of) = (layout_scope.year, layout_scope.as_of);
    let in_year: Vec<&ReportingPeriod> = p
        .periods
        .iter()
        .filter(|x| x.year == year && x.start <= today)
        .collect();
    let asked = params.id("period")?;
    let chosen_id = form_for.as_ref().map(|(_, id, _)| *id);
    let period = chosen_id
        .and_then(|id| p.periods.iter().find(|x| x.id == id))
        .or_else(|| asked.and_then(|seq| in_year.iter().copied().find(|x| i64::from(x.seq) == seq)))
        .or_else(|| filing::period_to_file(&p.periods, as_of.min(today)).filter(|x| x.year == year))
        .or_else(|| in_year.last().copied());
    let mut layout = Layout::new("进度填报", "filing", layout_scope, snap, "/filing", user);
    let qs = layout.qs.clone();
    layout = layout.crumb("进度填报", Some(format!("/filing?{qs}")));
    let search = params.get("q").unwrap_or("").to_string();
    let todo_only = params.get("show") != Some("all");
    let Some(period) = period else {
        return view::render(FilingPage {
            layout,
            period: String::new(),
            period_days: Default::default(),
            periods: Vec::new(),
            counts: String::new(),
            rows: Vec::new(),
            more: None,
            search,
            todo_only,
            form: None,
            errors,
            notice,
            max_photos: MAX_PHOTOS,
            max_photo_mb: photos::MAX_PHOTO_BYTES / 1024 / 1024,
        });
    };
    let periods = in_year
        .iter()
        .map(|x| {
            (
                format!("/filing?{qs}&period={}", x.seq),
                layout.tn("第{n}期", x.seq),
                x.id == period.id,
            )
        })
        .collect();
    let filings = cadence
        .filings(state.store(), period.id)
        .await
        .map_err(AppError::store)?;
    // A walk over every project in scope (all of them for the office): on the blocking pool,
    // so that a city-wide desk never holds a runtime worker that other requests need.
    let list = {
        let snap = Arc::clone(snap);
        let period = period.clone();
        let needle = search.trim().to_string();
        tokio::task::spawn_blocking(move || {
            due_list(
                &snap.portfolio,
                scope,
                &period,
                &filings,
                as_of,
                todo_only,
                &needle,
            )
        })
        .await
        .map_err(|e| AppError::internal(format!("filing desk task: {e}")))?
    };
    let (counts, matching) = (list.counts, list.matching);
    let rows = list
        .shown
        .iter()
        .map(|(pr, f, n)| DueRow {
            href: format!("/filing?{qs}&period={}&project={}#form", period.seq, pr.id),
            code: pr.code.clone(),
            name: pr.name.clone(),
            district: p.unit_name(pr.district).to_string(),
            unit: p.unit_name(pr.responsible_unit).to_string(),
            status: filing_badge(*f),
            versions: *n,
            action: if *n == 0 {
                layout.t("填报")
            } else {
                layout.t("更正")
            },
        })
        .collect();
    let form = form_for.map(|(record, _, typed)| form_view(state, p, &record, period, typed));
    if let Some(f) = &form {
        layout = layout.crumb(f.project.clone(), None);
    }
    view::render(FilingPage {
        period: crate::i18n::lang().tn2("{n}年第{m}期", period.year, period.seq),
        period_days: (
            period.start.to_string(),
            period.end.to_string(),
            period.deadline.to_string(),
        ),
        periods,
        counts: format!(
            "{}{}{}",
            layout.tn("应报 {n}：", fmt::count(counts.expected)),
            layout.tn2(
                "按时 {n}，迟报 {m}，",
                fmt::count(counts.on_time),
                fmt::count(counts.late)
            ),
            layout.tn2(
                "漏报 {n}，待报 {m}",
                fmt::count(counts.missing),
                fmt::count(counts.pending)
            )
        ),
        rows,
        more: (matching > LIST_LIMIT).then(|| {
            layout.tn2(
                "共 {n} 个项目，仅列前 {m} 个，请按名称或编码搜索",
                fmt::count(matching as u64),
                LIST_LIMIT,
            )
        }),
        search,
        todo_only,
        form,
        errors,
        notice,
        max_photos: MAX_PHOTOS,
        max_photo_mb: photos::MAX_PHOTO_BYTES / 1024 / 1024,
        layout,
    })
}

/// The desk's list for `period`: counts of the projects in `scope` expected to file, how many
/// match the filter, and the first [`LIST_LIMIT`] of them with how their filing stands on
/// `as_of` and how many versions were filed by then.
struct DueList {
    counts: FilingCounts,
    matching: usize,
    shown: Vec<(Arc<Project>, filing::Filing, usize)>,
}

fn due_list(
    p: &Portfolio,
    scope: jianguan_access::Scope,
    period: &ReportingPeriod,
    filings: &ReportIndex,
    as_of: Date,
    todo_only: bool,
    needle: &str,
) -> DueList {
    let mut counts = FilingCounts::default();
    let mut matching = 0;
    let mut shown = Vec::new();
    for pr in p
        .projects
        .iter()
        .filter(|pr| scope.covers(pr) && expected_to_file(pr, period))
    {
        let v = filings.get(pr.id, period);
        let f = filing_of(v, period, as_of);
        match f {
            filing::Filing::OnTime => counts.on_time += 1,
            filing::Filing::Late(_) => counts.late += 1,
            filing::Filing::Missing => counts.missing += 1,
            filing::Filing::Pending => counts.pending += 1,
        }
        counts.expected += 1;
        let wanted = (!todo_only || matches!(f, filing::Filing::Pending | filing::Filing::Missing))
            && (needle.is_empty() || pr.name.contains(needle) || pr.code.contains(needle));
        if wanted {
            matching += 1;
            if shown.len() < LIST_LIMIT {
                let filed = v.iter().filter(|x| x.filed_on <= as_of).count();
                shown.push((Arc::clone(pr), f, filed));
            }
        }
    }
    DueList {
        counts,
        matching,
        shown,
    }
}

fn form_view(
    state: &AppState,
    p: &Portfolio,
    record: &ProjectRecord,
    period: &ReportingPeriod,
    typed: Option<FormValues>,
) -> FormView {
    let pr = &record.project;
    let today = state.today();
    let latest = latest_for(record, period);
    let previous = record
        .reports
        .iter()
        .filter(|r| r.period.0 < period.id.0)
        .max_by_key(|r| (r.period.0, r.version));
    // Milestones the current report of another period names are shown as done (withdrawn by
    // correcting that period's report); the rest can be ticked, and those this period's report
    // names unticked (a correction).
    let elsewhere: HashMap<MilestoneId, Date> = filing::reached_in_reports(&record.reports)
        .into_iter()
        .filter(|(_, (p, _))| *p != period.id)
        .map(|(m, (_, on))| (m, on))
        .collect();
    let values = typed.unwrap_or_else(|| match latest {
        Some(r) => FormValues {
            investment: format!("{:.2}", r.investment_to_date.wan()),
            note: r.note.clone(),
            problems: r
                .problems
                .iter()
                .map(|pb| {
                    (
                        pb.description.clone(),
                        pb.needs_coordination_with.clone().unwrap_or_default(),
                    )
                })
                .collect(),
            correction_reason: String::new(),
            reached: r
                .milestones_reached
                .iter()
                .map(|(m, d)| (m.0, d.to_string()))
                .collect(),
            unticked_dates: HashMap::new(),
        },
        None => FormValues::default(),
    });
    let mut values = values;
    values.problems.resize(
        PROBLEM_ROWS.max(values.problems.len()),
        (String::new(), String::new()),
    );
    let milestones = pr
        .milestones
        .iter()
        .map(|m| {
            let in_this_period =
                latest.is_some_and(|l| l.milestones_reached.iter().any(|(x, _)| *x == m.id));
            let done = elsewhere
                .get(&m.id)
                .copied()
                .or_else(|| m.actual.filter(|a| !in_this_period && *a <= today))
                .filter(|_| !values.reached.contains_key(&m.id.0));
            MilestoneInput {
                id: m.id.0,
                name: m.name.clone(),
                planned: m.planned.to_string(),
                in_this_period,
                done: done.map(|d| d.to_string()),
                checked: values.reached.contains_key(&m.id.0),
                date: values
                    .reached
                    .get(&m.id.0)
                    .or_else(|| values.unticked_dates.get(&m.id.0))
                    .cloned()
                    .unwrap_or_default(),
            }
        })
        .collect();
    FormView {
        project_id: pr.id.0,
        project: pr.name.clone(),
        code: pr.code.clone(),
        project_href: format!("/projects/{}", pr.id),
        period_id: period.id.0,
        milestones,
        values,
        previous_investment: previous.map(|r| fmt::wan(r.investment_to_date)),
        filed: latest.map(|r| {
            let lang = crate::i18n::lang();
            lang.tn2("本期已于 {n} 填报（第 {m} 版）", r.filed_on, r.version)
                + if r.filed_on > period.deadline {
                    lang.t("，逾期填报")
                } else {
                    ""
                }
        }),
        needs_reason: latest.is_some(),
        photos_enabled: state.photo_dir().is_some(),
    }
    .with_unit(p, pr)
}

impl FormView {
    fn with_unit(mut self, p: &Portfolio, pr: &Project) -> FormView {
        self.project = format!("{}（{}）", pr.name, p.unit_name(pr.responsible_unit));
        self
    }
}

/// `GET /filing[?period=N][&project=ID]`.
pub(crate) async fn page(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    params: Params,
) -> Result<Response, AppError> {
    let snap = view::snapshot(&state).await?;
    let cadence = super::records(&state).await?;
    let filed = params.id("filed")?;
    let mut notice = match filed {
        Some(id) => {
            crate::i18n::lang().tn("已提交（报告编号 {n}）。重复提交相同内容不会另存。", id)
        }
        None => String::new(),
    };
    let form_for = match params.id("project")? {
        Some(id) => {
            let record =
                crate::api::visible_project(&state, &user, id, ReportVersions::Filing).await?;
            // A figure above the project's total investment was accepted; ask to check it.
            if let Some(ask) = record
                .reports
                .iter()
                .find(|r| filed.is_some_and(|f| r.id.0 == f))
                .and_then(|r| filing::investment_above_total(&record.project, r.investment_to_date))
            {
                notice.push_str(&ask);
            }
            let today = state.today();
            let scope = Scope::resolve(&params, &snap, today)?;
            let seq = params.id("period")?;
            let period = snap
                .portfolio
                .periods
                .iter()
                .filter(|x| x.year == scope.year)
                .find(|x| seq.is_some_and(|s| i64::from(x.seq) == s))
                .or_else(|| filing::period_to_file(&snap.portfolio.periods, scope.as_of.min(today)))
                .map(|x| x.id);
            period.map(|pid| (record, pid, None))
        }
        None => None,
    };
    desk(
        &state,
        &user,
        &snap,
        &cadence,
        &params,
        form_for,
        Vec::new(),
        notice,
    )
    .await
}

/// What a submitted form says, before checking.
#[derive(Default)]
struct Submitted {
    fields: Vec<(String, String)>,
    photos: Vec<(String, Vec<u8>)>,
    photo_error: Option<String>,
}

impl Submitted {
    fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.trim())
    }

    fn all(&self, name: &str) -> impl Iterator<Item = &str> {
        self.fields
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.trim())
    }
}

/// Reads the form: multipart (with photos) or URL-encoded (without).
async fn read_form(request: Request) -> Result<Submitted, AppError> {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let bad = |e: String| AppError::bad_parameter("form", e);
    if !multipart {
        let Form(fields) = Form::<Vec<(String, String)>>::from_request(request, &())
            .await
            .map_err(|e| bad(e.body_text()))?;
        crate::params::check_lengths(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
        return Ok(Submitted {
            fields,
            ..Submitted::default()
        });
    }
    let mut form = Multipart::from_request(request, &())
        .await
        .map_err(|e| bad(e.body_text()))?;
    let mut out = Submitted::default();
    while let Some(mut field) = form.next_field().await.map_err(|e| bad(e.body_text()))? {
        let name = field.name().unwrap_or("").to_string();
        if let Some(file_name) = field.file_name().map(str::to_string) {
            if name != "photos" {
                continue;
            }
            // Read at most one byte past the limit, then skip the rest: an oversized photo is
            // refused with a message, not a broken connection.
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|e| bad(e.body_text()))? {
                if bytes.len() <= photos::MAX_PHOTO_BYTES {
                    bytes.extend_from_slice(&chunk);
                }
            }
            if file_name.is_empty() && bytes.is_empty() {
                continue; // the file input left empty
            }
            if out.photos.len() == MAX_PHOTOS {
                out.photo_error = Some(format!("每期最多上传 {MAX_PHOTOS} 张照片"));
                continue;
            }
            out.photos.push((file_name, bytes));
        } else {
            let text = field.text().await.map_err(|e| bad(e.body_text()))?;
            out.fields.push((name, text));
        }
    }
    crate::params::check_lengths(out.fields.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    Ok(out)
}

/// `POST /filing`: files one project's report for one period.
pub(crate) async fn submit(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    request: Request,
) -> Result<Response, AppError> {
    let form = read_form(request).await?;
    let snap = view::snapshot(&state).await?;
    let cadence = super::records(&state).await?;
    let today = state.today();
    let empty = Params::default();
    let refuse_plain = |field: &str, message: String| vec![(field.to_string(), message)];
    let Some(project_id) = form.get("project").parse::<i64>().ok() else {
        let errors = refuse_plain("project", "请先在列表中选择要填报的项目".into());
        return view::unprocessable(
            desk(
                &state,
                &user,
                &snap,
                &cadence,
                &empty,
                None,
                errors,
                String::new(),
            )
            .await,
        );
    };
    // Outside the user's scope: 404 with an audited denial, before reading anything else.
    let record =
        crate::api::visible_project(&state, &user, project_id, ReportVersions::Filing).await?;
    let p = &snap.portfolio;
    let Some(period) = form
        .get("period")
        .parse::<i64>()
        .ok()
        .and_then(|id| p.periods.iter().find(|x| x.id.0 == id))
    else {
        let errors = refuse_plain("period", "请选择填报期次".into());
        return view::unprocessable(
            desk(
                &state,
                &user,
                &snap,
                &cadence,
                &empty,
                None,
                errors,
                String::new(),
            )
            .await,
        );
    };
    let project = &record.project;
    let mut errors: Vec<(String, String)> = Vec::new();
    let typed = FormValues {
        investment: form.get("investment_to_date").to_string(),
        note: form.get("note").to_string(),
        problems: (1..=PROBLEM_ROWS)
            .map(|i| {
                (
                    form.get(&format!("problem_{i}")).to_string(),
                    form.get(&format!("coordination_{i}")).to_string(),
                )
            })
            .collect(),
        correction_reason: form.get("correction_reason").to_string(),
        reached: form
            .all("reached")
            .filter_map(|id| id.parse::<i64>().ok())
            .map(|id| (id, form.get(&format!("date_{id}")).to_string()))
            .collect(),
        unticked_dates: HashMap::new(),
    };
    let mut typed = typed;
    typed.unticked_dates = form
        .all("offered")
        .filter_map(|id| id.parse::<i64>().ok())
        .filter(|id| !typed.reached.contains_key(id))
        .map(|id| (id, form.get(&format!("date_{id}")).trim().to_string()))
        .filter(|(_, date)| !date.is_empty())
        .collect();
    let mut milestones_reached = Vec::new();
    let mut ids: Vec<i64> = typed.reached.keys().copied().collect();
    ids.sort_unstable();
    for id in ids {
        let text = &typed.reached[&id];
        let name = project
            .milestones
            .iter()
            .find(|m| m.id.0 == id)
            .map_or(id.to_string(), |m| m.name.clone());
        match text.parse::<Date>() {
            Ok(d) => milestones_reached.push((MilestoneId(id), d)),
            Err(_) => errors.push((
                "milestones".into(),
                format!("请填写「{name}」的完成日期，格式 YYYY-MM-DD"),
            )),
        }
    }
    let mut unticked: Vec<i64> = typed.unticked_dates.keys().copied().collect();
    unticked.sort_unstable();
    for id in unticked {
        let name = project
            .milestones
            .iter()
            .find(|m| m.id.0 == id)
            .map_or(id.to_string(), |m| m.name.clone());
        errors.push((
            "milestones".into(),
            format!("「{name}」填写了完成日期但未勾选：已完成请勾选，未完成请清空日期"),
        ));
    }
    let investment = match typed.investment.replace([',', '，'], "").parse::<f64>() {
        Ok(w) if w.is_finite() => Some(Money::from_wan(w)),
        _ => {
            errors.push((
                "investment_to_date".into(),
                "请填写累计完成投资（万元），如 1234.5".into(),
            ));
            None
        }
    };
    if let Some(e) = &form.photo_error {
        errors.push(("photos".into(), e.clone()));
    }
    let mut checked: Vec<Photo> = Vec::new();
    for (name, bytes) in &form.photos {
        match photos::check(name, bytes.clone()) {
            Ok(photo) => checked.push(photo),
            Err(message) => errors.push(("photos".into(), message)),
        }
    }
    if !checked.is_empty() && state.photo_dir().is_none() {
        errors.push((
            "photos".into(),
            "服务器未配置照片存储目录，暂不能上传照片，请联系系统管理员".into(),
        ));
    }
    let problems: Vec<Problem> = typed
        .problems
        .iter()
        .filter(|(d, _)| !d.is_empty())
        .map(|(d, c)| Problem {
            description: d.clone(),
            needs_coordination_with: (!c.is_empty()).then(|| c.clone()),
        })
        .collect();
    if typed
        .problems
        .iter()
        .any(|(d, c)| d.is_empty() && !c.is_empty())
    {
        errors.push((
            "problems".into(),
            "填写了需协调单位的问题，请同时写明问题内容".into(),
        ));
    }
    let show_again = |typed: FormValues, errors: Vec<(String, String)>| {
        let params = Params::default();
        let record = record.clone();
        let state = &state;
        let user = &user;
        let snap = &snap;
        let cadence = &cadence;
        async move {
            view::unprocessable(
                desk(
                    state,
                    user,
                    snap,
                    cadence,
                    &params,
                    Some((record, period.id, Some(typed))),
                    errors
                        .into_iter()
                        .map(|(f, m)| {
                            let label = field_label(&f);
                            (f, format!("{label}：{m}"))
                        })
                        .collect(),
                    String::new(),
                )
                .await,
            )
        }
    };
    let Some(investment) = investment.filter(|_| errors.is_empty()) else {
        return show_again(typed, errors).await;
    };
    let draft = ProgressReport {
        id: ReportId(0),
        project: project.id,
        period: period.id,
        version: 0,
        filed_on: today,
        investment_to_date: investment,
        milestones_reached,
        note: typed.note.clone(),
        problems,
        correction_reason: (!typed.correction_reason.is_empty())
            .then(|| typed.correction_reason.clone()),
    };
    // A milestone the form offered for ticking and the filer left unticked: withdrawn if this
    // period's report named it; one another period's report names is refused here.
    let withdrawn: Vec<MilestoneId> = form
        .all("offered")
        .filter_map(|id| id.parse::<i64>().ok())
        .filter(|id| !typed.reached.contains_key(id))
        .map(MilestoneId)
        .collect();
    if let Err(FilingError { field, message }) =
        filing::check_withdrawals(project, period, &versions(&record), &withdrawn)
    {
        return show_again(typed, vec![(field.to_string(), message)]).await;
    }
    let (calendar, _) = jianguan_app::cadence::calendar_in_force(state.store())
        .await
        .map_err(AppError::store)?;
    if let Err(FilingError { field, message }) = filing::check_investment(
        project,
        draft.investment_to_date,
        calendar.investment_refuse_multiple,
    ) {
        return show_again(typed, vec![(field.to_string(), message)]).await;
    }
    let decision = match check_filing(project, period, &versions(&record), &draft, today) {
        Ok(d) => d,
        Err(FilingError { field, message }) => {
            return show_again(typed, vec![(field.to_string(), message)]).await;
        }
    };
    let version = match decision {
        FilingDecision::Unchanged(id) => {
            return Ok(filed_redirect(period, project.id.0, id, today));
        }
        FilingDecision::NewVersion(v) => v,
    };
    // The photos go to disk first: a stored report never names a missing photo (a photo left
    // by a failed store call is harmless, being named by its content).
    if let Some(dir) = state.photo_dir() {
        let dir = dir.to_path_buf();
        let to_store = checked.clone();
        tokio::task::spawn_blocking(move || {
            to_store
                .iter()
                .try_for_each(|photo| photos::store(&dir, photo))
        })
        .await
        .map_err(|e| AppError::internal(format!("photo task: {e}")))?
        .map_err(|e| AppError::internal(format!("storing a photo: {e}")))?;
    }
    let report = ProgressReport {
        version,
        ..draft.clone()
    };
    let change = |f: &str, v: String| FieldChange {
        field: f.into(),
        before: None,
        after: Some(v),
    };
    let audit = AuditDraft {
        at_ms: state.now_ms(),
        actor: user.account.username.clone(),
        unit: user.unit_name.clone(),
        action: AuditAction::ReportFile.code(),
        object: format!("project:{} period:{}", project.id, period.id),
        result: Outcome::Success,
        client: user.client.clone(),
        changes: vec![
            change("project", project.id.to_string()),
            change("period", period.id.to_string()),
            change("version", version.to_string()),
            change(
                "investment_to_date",
                report.investment_to_date.0.to_string(),
            ),
            change(
                "milestones_reached",
                report
                    .milestones_reached
                    .iter()
                    .map(|(m, d)| format!("{m}:{d}"))
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            change("photos", checked.len().to_string()),
            change(
                "correction_reason",
                report.correction_reason.clone().unwrap_or_default(),
            ),
        ],
    };
    let refs: Vec<_> = checked.iter().map(Photo::reference).collect();
    let tickets = coordination_tickets(&record.project, &record.reports, &report, period.seq);
    let ticket_audit: Vec<AuditDraft> = tickets
        .iter()
        .map(|t| AuditDraft {
            action: AuditAction::ItemOpen.code(),
            object: format!("item:new project:{}", project.id),
            changes: vec![
                change("kind", ItemKind::Coordination.code().into()),
                change("title", t.title.clone()),
                change("source", t.source.clone()),
            ],
            ..audit.clone()
        })
        .collect();
    let filed = state
        .store()
        .file_report(&report, &refs, &audit, &tickets, &ticket_audit)
        .await;
    let id = match filed {
        Ok(id) => id,
        Err(e) => {
            // Two identical submits racing: the other stored this version first. If what is
            // stored now equals this draft, it is the same report.
            let again =
                crate::api::visible_project(&state, &user, project_id, ReportVersions::Filing)
                    .await?;
            if let Ok(FilingDecision::Unchanged(id)) =
                check_filing(project, period, &versions(&again), &draft, today)
            {
                return Ok(filed_redirect(period, project.id.0, id, today));
            }
            if !is_version_race(&e) {
                return Err(AppError::store(e));
            }
            // Two different reports racing: another filer stored this period's version first.
            // A conflict (409), the form shown again over what is stored now with everything
            // this filer typed, so nothing is lost and the filer decides whether to correct.
            let stored = latest_for(&again, period).map_or(version, |r| r.version);
            // The message links to the correction reason: resubmitting is a correction.
            let message = format!(
                "{}：本期进度刚由他人先行填报（现为第 {stored} 版），本次未保存；\
                 您填写的内容已保留，请核对后填写更正理由再提交",
                field_label("correction_reason")
            );
            let page = desk(
                &state,
                &user,
                &snap,
                &cadence,
                &Params::default(),
                Some((again, period.id, Some(typed))),
                vec![("correction_reason".into(), message)],
                String::new(),
            )
            .await;
            return view::conflict(page);
        }
    };
    Ok(filed_redirect(period, project.id.0, id, today))
}

/// Whether a refused filing lost a race for its version: another filer stored a version of the
/// same project's report for the same period between this filer's check and write.
fn is_version_race(e: &StoreError) -> bool {
    matches!(
        e,
        StoreError::Duplicate {
            field: Field::ReportVersion | Field::Report,
            ..
        }
    )
}

/// Back to the form after filing, as of the filing day, so the list shows the report filed;
/// the browser lands on the confirmation (`#notice`, at the top of the form) so a phone shows it
/// where the user is.
fn filed_redirect(
    period: &ReportingPeriod,
    project: i64,
    report: ReportId,
    today: Date,
) -> Response {
    Redirect::to(&format!(
        "/filing?year={}&as_of={today}&period={}&project={project}&filed={report}#notice",
        period.year, period.seq
    ))
    .into_response()
}

// --- Compliance ------------------------------------------------------------------------------

/// The period a compliance request is about: `period=N` (its number in the year), else the
/// last one closed by the as-of date, else the first of the year.
fn compliance_period(
    p: &Portfolio,
    period: Option<i64>,
    scope: Scope,
) -> Result<Option<&ReportingPeriod>, AppError> {
    let in_year: Vec<&ReportingPeriod> =
        p.periods.iter().filter(|x| x.year == scope.year).collect();
    if let Some(seq) = period {
        return match in_year.iter().find(|x| i64::from(x.seq) == seq) {
            Some(x) => Ok(Some(x)),
            None => Err(AppError::bad_parameter(
                "period",
                format!("{} 年没有第 {seq} 期", scope.year),
            )),
        };
    }
    let closed: Vec<ReportingPeriod> = in_year.iter().map(|x| (*x).clone()).collect();
    let last = filing::last_closed_period(&closed, scope.as_of).map(|x| x.id);
    Ok(last
        .and_then(|id| in_year.iter().copied().find(|x| x.id == id))
        .or(in_year.first().copied()))
}

/// Counts as the page and API show them.
#[derive(Debug, Clone, Serialize)]
struct CountsView {
    id: i64,
    name: String,
    expected: u64,
    on_time: u64,
    late: u64,
    missing: u64,
    pending: u64,
    timeliness: Option<f64>,
}

fn counts_view(id: i64, name: &str, c: &FilingCounts) -> CountsView {
    CountsView {
        id,
        name: name.to_string(),
        expected: c.expected,
        on_time: c.on_time,
        late: c.late,
        missing: c.missing,
        pending: c.pending,
        timeliness: c.timeliness().value(),
    }
}

/// One project's filing as the drill-down and the API list it.
#[derive(Debug, Clone, Serialize)]
struct ProjectFilingView {
    project_id: i64,
    code: String,
    name: String,
    district: String,
    unit: String,
    status: &'static str,
    days_late: Option<i64>,
}

struct ComplianceData {
    period: ReportingPeriod,
    total: CountsView,
    by_district: Vec<CountsView>,
    by_unit: Vec<CountsView>,
    projects: Vec<ProjectFilingView>,
}

/// Compliance of `period` as of `as_of` over the projects `scope` covers; `projects` lists the
/// late and missing ones, or all expected ones of `district`/`unit` when drilling down.
fn compliance_data(
    snap: &Snapshot,
    filings: &ReportIndex,
    scope: &jianguan_access::Scope,
    period: &ReportingPeriod,
    as_of: Date,
    drill: Drill,
) -> ComplianceData {
    let p = &snap.portfolio;
    let scoped;
    let portfolio = if *scope == jianguan_access::Scope::All {
        p
    } else {
        scoped = Portfolio {
            projects: p
                .projects
                .iter()
                .filter(|pr| scope.covers(pr))
                .cloned()
                .collect(),
            ..Portfolio::default()
        };
        &scoped
    };
    let c = filing::compliance(portfolio, filings, period, as_of);
    let named = |rows: &[(UnitId, FilingCounts)]| {
        rows.iter()
            .map(|(u, n)| counts_view(u.0, p.unit_name(*u), n))
            .collect::<Vec<_>>()
    };
    let projects = portfolio
        .projects
        .iter()
        .filter(|pr| expected_to_file(pr, period))
        .filter(|pr| match drill {
            Drill::District(d) => pr.district == d,
            Drill::Unit(u) => pr.responsible_unit == u,
            Drill::Exceptions => true,
        })
        .filter_map(|pr| {
            let f = filing_of(filings.get(pr.id, period), period, as_of);
            if matches!(drill, Drill::Exceptions)
                && !matches!(f, filing::Filing::Late(_) | filing::Filing::Missing)
            {
                return None;
            }
            Some(ProjectFilingView {
                project_id: pr.id.0,
                code: pr.code.clone(),
                name: pr.name.clone(),
                district: p.unit_name(pr.district).to_string(),
                unit: p.unit_name(pr.responsible_unit).to_string(),
                status: match f {
                    filing::Filing::OnTime => "on_time",
                    filing::Filing::Late(_) => "late",
                    filing::Filing::Missing => "missing",
                    filing::Filing::Pending => "pending",
                },
                days_late: match f {
                    filing::Filing::Late(d) => Some(d),
                    _ => None,
                },
            })
        })
        .collect();
    ComplianceData {
        period: period.clone(),
        total: counts_view(0, "合计", &c.total),
        by_district: named(&c.by_district),
        by_unit: named(&c.by_unit),
        projects,
    }
}

/// Which projects the list under the tables shows.
#[derive(Debug, Clone, Copy)]
enum Drill {
    /// The late and missing ones.
    Exceptions,
    /// Every expected project of a district.
    District(UnitId),
    /// Every expected project of a responsible unit.
    Unit(UnitId),
}

/// What a compliance request asks for: the moment, the period (`period=N`, its number in the
/// year) and the drill-down (`district=ID` or `unit=ID`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ComplianceQuery {
    when: AsOfQuery,
    period: Option<i64>,
    drill: Drill,
}

impl FromParams for ComplianceQuery {
    fn from_params(f: &mut Fields<'_>) -> Self {
        let when = AsOfQuery::from_params(f);
        let drill = match (f.id("district"), f.id("unit")) {
            (Some(d), _) => Drill::District(UnitId(d)),
            (None, Some(u)) => Drill::Unit(UnitId(u)),
            _ => Drill::Exceptions,
        };
        ComplianceQuery {
            when,
            period: f.id("period"),
            drill,
        }
    }
}

/// `GET /api/v1/compliance?period=N`.
pub(crate) async fn compliance_api(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    Typed(query): Typed<ComplianceQuery>,
) -> Result<Response, AppError> {
    let visible = user.scope(Resource::ProgressReport)?;
    let snap = view::snapshot(&state).await?;
    let scope = Scope::of(query.when, &snap, state.today());
    let drill = query.drill;
    let period = compliance_period(&snap.portfolio, query.period, scope)?;
    let Some(period) = period else {
        return Err(AppError::not_found(format!("{} 年的填报期次", scope.year)));
    };
    let cadence = super::records(&state).await?;
    let filings = cadence
        .filings(state.store(), period.id)
        .await
        .map_err(AppError::store)?;
    let d = compliance_data(&snap, &filings, &visible, period, scope.as_of, drill);
    Ok(Json(serde_json::json!({
        "year": scope.year,
        "as_of": scope.as_of,
        "period": d.period,
        "total": d.total,
        "by_district": d.by_district,
        "by_unit": d.by_unit,
        "projects": d.projects,
    }))
    .into_response())
}

struct CountsRow {
    href: Option<String>,
    name: String,
    expected: String,
    on_time: String,
    late: String,
    missing: String,
    pending: String,
    rate: String,
}

fn counts_row(c: &CountsView, href: Option<String>) -> CountsRow {
    CountsRow {
        href,
        name: c.name.clone(),
        expected: fmt::count(c.expected),
        on_time: fmt::count(c.on_time),
        late: fmt::count(c.late),
        missing: fmt::count(c.missing),
        pending: fmt::count(c.pending),
        rate: fmt::rate(c.timeliness),
    }
}

#[derive(Template)]
#[template(path = "compliance.html")]
struct CompliancePage {
    layout: Layout,
    period: String,
    periods: Vec<(String, String, bool)>,
    total: CountsRow,
    districts: Vec<CountsRow>,
    units: Vec<CountsRow>,
    list_title: String,
    list: Vec<(usize, String, String, String, String, String, super::Badge)>,
    clear: Option<String>,
    /// The period's number, for the export link (0 when the year has none).
    period_seq: u16,
}

/// `GET /compliance.xlsx?period=25`: the period's filing compliance as the office's workbook
/// (by district, by unit, the late and missing projects), over the reader's projects.
pub(crate) async fn compliance_xlsx(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    Typed(query): Typed<ComplianceQuery>,
) -> Result<Response, AppError> {
    let visible = user.scope(Resource::ProgressReport)?;
    let snap = view::snapshot(&state).await?;
    let scope = Scope::of(query.when, &snap, state.today());
    let Some(period) = compliance_period(&snap.portfolio, query.period, scope)? else {
        return Err(AppError::not_found("该填报期次"));
    };
    let cadence = super::records(&state).await?;
    let filings = cadence
        .filings(state.store(), period.id)
        .await
        .map_err(AppError::store)?;
    let scoped = Portfolio {
        projects: snap
            .portfolio
            .projects
            .iter()
            .filter(|pr| visible.covers(pr))
            .cloned()
            .collect(),
        ..Portfolio::default()
    };
    let c = filing::compliance(&scoped, &filings, period, scope.as_of);
    let bytes = jianguan_documents::xlsx::compliance_workbook(&snap.portfolio, &c)
        .map_err(|e| AppError::internal(e.to_string()))?;
    Ok(crate::download::attachment(
        bytes,
        crate::download::XLSX,
        &format!("填报情况-{}年第{}期.xlsx", period.year, period.seq),
    ))
}

/// `GET /compliance?period=N[&district=ID|&unit=ID]`.
pub(crate) async fn compliance_page(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    Typed(query): Typed<ComplianceQuery>,
) -> Result<Response, AppError> {
    let visible = user.scope(Resource::ProgressReport)?;
    let snap = view::snapshot(&state).await?;
    let scope = Scope::of(query.when, &snap, state.today());
    let drill = query.drill;
    let p = &snap.portfolio;
    let layout = Layout::new("填报情况", "compliance", scope, &snap, "/compliance", &user)
        .crumb("填报情况", None);
    let qs = layout.qs.clone();
    let Some(period) = compliance_period(p, query.period, scope)? else {
        return view::render(CompliancePage {
            layout,
            period: crate::i18n::lang().tn("{n} 年尚无填报期次", scope.year),
            periods: Vec::new(),
            total: counts_row(&counts_view(0, "合计", &FilingCounts::default()), None),
            districts: Vec::new(),
            units: Vec::new(),
            list_title: String::new(),
            list: Vec::new(),
            clear: None,
            period_seq: 0,
        });
    };
    let cadence = super::records(&state).await?;
    let filings = cadence
        .filings(state.store(), period.id)
        .await
        .map_err(AppError::store)?;
    let d = compliance_data(&snap, &filings, &visible, period, scope.as_of, drill);
    let base = format!("/compliance?{qs}&period={}", period.seq);
    let list_title = match drill {
        Drill::Exceptions => crate::i18n::lang().t("迟报、漏报项目").to_string(),
        Drill::District(u) | Drill::Unit(u) => {
            crate::i18n::lang().tn("{n}：应报项目", p.unit_name(u))
        }
    };
    let status_badge = |v: &ProjectFilingView| {
        filing_badge(match (v.status, v.days_late) {
            ("on_time", _) => filing::Filing::OnTime,
            ("late", Some(d)) => filing::Filing::Late(d),
            ("missing", _) => filing::Filing::Missing,
            _ => filing::Filing::Pending,
        })
    };
    let page = CompliancePage {
        period_seq: period.seq,
        period: period_label(period),
        periods: p
            .periods
            .iter()
            .filter(|x| x.year == scope.year)
            .map(|x| {
                (
                    format!("/compliance?{qs}&period={}", x.seq),
                    crate::i18n::lang().tn("第{n}期", x.seq),
                    x.id == period.id,
                )
            })
            .collect(),
        total: counts_row(&d.total, None),
        districts: d
            .by_district
            .iter()
            .map(|c| counts_row(c, Some(format!("{base}&district={}#list", c.id))))
            .collect(),
        units: d
            .by_unit
            .iter()
            .filter(|c| c.late + c.missing > 0 || !matches!(drill, Drill::Exceptions))
            .map(|c| counts_row(c, Some(format!("{base}&unit={}#list", c.id))))
            .collect(),
        list_title,
        list: d
            .projects
            .iter()
            .enumerate()
            .map(|(i, v)| {
                (
                    i + 1,
                    format!("/projects/{}?{qs}", v.project_id),
                    v.code.clone(),
                    v.name.clone(),
                    v.district.clone(),
                    v.unit.clone(),
                    status_badge(v),
                )
            })
            .collect(),
        clear: (!matches!(drill, Drill::Exceptions)).then(|| format!("{base}#list")),
        layout,
    };
    view::render(page)
}
