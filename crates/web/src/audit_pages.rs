//! The audit administrator's pages: the trail with filters, verification of the hash chain
//! against the anchor file, and export to Excel. Every export is itself audited.

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use jianguan_audit::{AuditAction, AuditDraft, AuditRecord, FieldChange, Outcome};
use jianguan_documents::xlsx::neutralise;
use jianguan_domain::store::AuditQuery;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::view;
use crate::{AppState, Params, fmt};

/// Rows per page of the trail.
const PAGE: i64 = 50;
/// The most rows one export holds.
const EXPORT_LIMIT: i64 = 100_000;

/// An instant as the office reads it: `2021-10-31 09:30:00`, China Standard Time.
fn local_time(at_ms: i64) -> String {
    jiff::Timestamp::from_millisecond(at_ms)
        .map(|t| {
            jiff::tz::offset(8)
                .to_datetime(t)
                .strftime("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_default()
}

fn changes_text(changes: &[FieldChange]) -> String {
    changes
        .iter()
        .map(|c| {
            format!(
                "{}: {} → {}",
                c.field,
                c.before.as_deref().unwrap_or("∅"),
                c.after.as_deref().unwrap_or("∅")
            )
        })
        .collect::<Vec<_>>()
        .join("；")
}

/// The filters of the trail, from the query string.
fn audit_query(params: &Params) -> Result<AuditQuery, AppError> {
    let start_of = |d: jianguan_domain::Date| {
        jiff::tz::offset(8)
            .to_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
            .map_or(0, |t| t.as_millisecond())
    };
    let result = params.choice(
        "result",
        |v| v.parse::<Outcome>().ok().map(|o| o.as_str().to_string()),
        "应为 success、failure 或 denied",
    )?;
    Ok(AuditQuery {
        actor: params.get("actor").map(str::to_string),
        action_prefix: params.get("action").map(str::to_string),
        result,
        from_ms: params.date("from")?.map(start_of),
        until_ms: params
            .date("until")?
            .and_then(|d| d.tomorrow().ok())
            .map(start_of),
        offset: (i64::from(params.page("page")?) - 1) * PAGE,
        limit: PAGE,
    })
}

/// One row of the trail as shown.
struct Row {
    seq: i64,
    at: String,
    /// The actor as people read it (系统 for `system`); `actor_code` is the stored name when
    /// it differs.
    actor: String,
    actor_code: Option<String>,
    unit: String,
    /// The action in Chinese (the code alone when this version has no label for it), with
    /// the stored code beside it.
    action: String,
    action_code: Option<String>,
    object: String,
    result: &'static str,
    result_class: &'static str,
    client: String,
    changes: String,
}

impl From<&AuditRecord> for Row {
    fn from(r: &AuditRecord) -> Row {
        Row {
            seq: r.seq,
            at: local_time(r.at_ms),
            actor: fmt::actor(&r.actor),
            actor_code: (fmt::actor(&r.actor) != r.actor).then(|| r.actor.clone()),
            unit: r.unit.clone().unwrap_or_default(),
            action: AuditAction::label_of_code(&r.action)
                .map_or_else(|| r.action.clone(), str::to_string),
            action_code: AuditAction::label_of_code(&r.action).map(|_| r.action.clone()),
            object: r.object.clone(),
            result: crate::i18n::lang().t(r.result.label_zh()),
            result_class: match r.result {
                Outcome::Success => "done",
                Outcome::Failure => "done-late",
                Outcome::Denied => "late",
            },
            client: r.client.clone().unwrap_or_default(),
            changes: changes_text(&r.changes),
        }
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    display: crate::i18n::Display,
    user: String,
    admin_nav: Vec<(&'static str, &'static str)>,
    rows: Vec<Row>,
    total: String,
    page: u32,
    pages: u32,
    qs: String,
    prev: Option<String>,
    next: Option<String>,
    actor: String,
    action: String,
    result: String,
    from: String,
    until: String,
    verdict: Option<(bool, String)>,
    may_export: bool,
    may_verify: bool,
}

fn filters_qs(params: &Params) -> String {
    ["actor", "action", "result", "from", "until"]
        .iter()
        .filter_map(|n| {
            params
                .get(n)
                .map(|v| format!("{n}={}", crate::params::urlencode(v)))
        })
        .collect::<Vec<_>>()
        .join("&")
}

async fn render_page(
    state: &AppState,
    user: &CurrentUser,
    params: &Params,
    verdict: Option<(bool, String)>,
) -> Result<Response, AppError> {
    let q = audit_query(params)?;
    let (records, total) = state
        .store()
        .audit_search(&q)
        .await
        .map_err(AppError::store)?;
    let page = params.page("page")?;
    let pages = (total.max(1) as u64).div_ceil(PAGE as u64) as u32;
    let qs = filters_qs(params);
    let link = |n: u32| format!("/audit?{qs}&page={n}");
    let page_view = AuditPage {
        display: crate::i18n::current(),
        user: user.account.display_name.clone(),
        admin_nav: view::admin_nav(user),
        rows: records.iter().map(Row::from).collect(),
        total: fmt::count(total),
        page,
        pages,
        prev: (page > 1).then(|| link(page - 1)),
        next: (page < pages).then(|| link(page + 1)),
        actor: params.get("actor").unwrap_or("").to_string(),
        action: params.get("action").unwrap_or("").to_string(),
        result: params.get("result").unwrap_or("").to_string(),
        from: params.get("from").unwrap_or("").to_string(),
        until: params.get("until").unwrap_or("").to_string(),
        qs,
        verdict,
        may_export: user.may(
            jianguan_access::policy::Resource::Audit,
            jianguan_access::policy::Action::Export,
        ),
        may_verify: user.may(
            jianguan_access::policy::Resource::Audit,
            jianguan_access::policy::Action::Verify,
        ),
    };
    view::render(page_view)
}

/// `GET /audit`: the trail, newest first, with filters.
pub(crate) async fn audit_list(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    params: Params,
) -> Result<Response, AppError> {
    render_page(&state, &user, &params, None).await
}

/// `GET /audit/verify`: the trail with the verdict of a full verification.
pub(crate) async fn audit_verify(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    params: Params,
) -> Result<Response, AppError> {
    let anchors = match state.anchor_path() {
        Some(path) => jianguan_app::audit::read_anchors(path).map_err(AppError::internal)?,
        None => Vec::new(),
    };
    let verdict = jianguan_app::audit::verify_chain(state.store(), &anchors)
        .await
        .map_err(AppError::store)?;
    render_page(&state, &user, &params, Some(verdict)).await
}

/// `GET /audit/export.xlsx`: the filtered trail as a workbook; the export is audited.
pub(crate) async fn audit_export(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    params: Params,
) -> Result<Response, AppError> {
    let mut q = audit_query(&params)?;
    q.offset = 0;
    q.limit = EXPORT_LIMIT;
    let record = AuditDraft {
        at_ms: state.now_ms(),
        actor: user.account.username.clone(),
        unit: user.unit_name.clone(),
        action: AuditAction::ExportXlsx.code(),
        object: format!("audit_log?{}", filters_qs(&params)),
        result: Outcome::Success,
        client: user.client.clone(),
        changes: Vec::new(),
    };
    // Audited before the data leaves: an export that cannot be recorded does not happen.
    state
        .store()
        .append_audit(&record)
        .await
        .map_err(AppError::store)?;
    let (records, _) = state
        .store()
        .audit_search(&q)
        .await
        .map_err(AppError::store)?;
    let bytes = workbook(&records).map_err(|e| AppError::internal(e.to_string()))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"audit.xlsx\"",
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The trail as an .xlsx workbook: one sheet 审计记录, frozen header, column widths.
pub fn workbook(records: &[AuditRecord]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format as CellFormat, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("审计记录")?;
    let bold = CellFormat::new().set_bold();
    let headers = [
        ("序号", 8.0),
        ("时间", 20.0),
        ("操作人", 14.0),
        ("单位", 18.0),
        ("操作", 18.0),
        ("对象", 18.0),
        ("结果", 8.0),
        ("客户端地址", 16.0),
        ("变更内容", 50.0),
        ("前一条散列", 20.0),
        ("本条散列", 20.0),
    ];
    for (col, (title, width)) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *title, &bold)?;
        sheet.set_column_width(col as u16, *width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    for (i, r) in records.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_number(row, 0, r.seq as f64)?;
        let cells = [
            local_time(r.at_ms),
            r.actor.clone(),
            r.unit.clone().unwrap_or_default(),
            match AuditAction::label_of_code(&r.action) {
                Some(label) => format!("{label}（{}）", r.action),
                None => r.action.clone(),
            },
            r.object.clone(),
            r.result.label_zh().to_string(),
            r.client.clone().unwrap_or_default(),
            changes_text(&r.changes),
            r.prev_hash.clone(),
            r.hash.clone(),
        ];
        for (j, value) in cells.iter().enumerate() {
            sheet.write_string(row, j as u16 + 1, neutralise(value))?;
        }
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_would_be_formulas_are_neutralised() {
        for v in ["=1+1", "+1", "-1", "@SUM(A1)"] {
            assert_eq!(neutralise(v), format!("'{v}"));
        }
        assert_eq!(neutralise("映湖区"), "映湖区");
    }

    #[test]
    fn times_read_in_china_standard_time() {
        assert_eq!(local_time(0), "1970-01-01 08:00:00");
    }
}
