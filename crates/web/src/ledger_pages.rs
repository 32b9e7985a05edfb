//! The office's ledger upload (台账导入) and export: upload an Excel or CSV ledger, see what it
//! would change (new / updated / unchanged projects) or every bad cell with what was expected,
//! download the error report (a copy of the file with the bad cells marked), then confirm. The
//! import is all-or-nothing and checked against the data version the plan was made from.
//!
//! The form's 年度 (default: the portfolio's reporting year) is the ledger's year: rows without
//! year columns get one annual plan for it and made-up codes carry it. Its 坐标系 (default
//! WGS-84) is the system of the 经度/纬度 columns where the ledger does not say. The preview says what
//! the import assumed (defaults, derived milestones), the responsible units it will create, every
//! project code it made up (to be written back into the office's ledger) and the columns it
//! does not import.
//!
//! Between checking and confirming, the uploaded file is held in this node's memory (a few at a
//! time, for 30 minutes, for the account that uploaded it) — behind a load balancer the office's
//! session must stay on one node, as the confirm step names a token only that node knows.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use askama::Template;
use axum::Extension;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use jianguan_documents::ledger::{
    ImportError, ImportOptions, ImportPlan, error_report, plan_import, read_workbook,
};
use jianguan_domain::coords::CoordinateSystem;

use crate::api::Scope;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::view::{self, Choice, Layout};
use crate::{AppState, Params};

/// The route that takes a ledger file (`POST`).
pub const IMPORT_PATH: &str = "/ledger/import";

/// The largest ledger file accepted (the reader's own limit, [`Limits::max_file_bytes`]).
///
/// [`Limits::max_file_bytes`]: jianguan_documents::ledger::Limits
pub fn max_file_bytes() -> usize {
    ImportOptions::default().limits.max_file_bytes as usize
}

/// Uploads held between checking and confirming.
const PENDING: usize = 4;
/// How long an upload waits for its confirmation.
const PENDING_FOR: Duration = Duration::from_secs(30 * 60);

/// An uploaded file waiting for its confirmation or its error report.
struct Pending {
    token: String,
    account: i64,
    at: Instant,
    upload: Held,
}

/// A held upload: its file name, the options it was checked with and its bytes.
#[derive(Clone)]
struct Held {
    file_name: String,
    /// The form's 年度.
    year: Option<i16>,
    /// The form's 坐标系.
    coordinates: Option<CoordinateSystem>,
    bytes: Arc<Vec<u8>>,
}

impl Held {
    /// The import's options for this upload.
    fn options(&self) -> ImportOptions {
        ImportOptions {
            year: self.year,
            coordinates: self.coordinates,
            ..ImportOptions::default()
        }
    }
}

/// The uploads this node holds.
#[derive(Default)]
pub struct PendingUploads(Mutex<Vec<Pending>>);

impl PendingUploads {
    fn put(&self, account: i64, upload: Held) -> String {
        let mut raw = [0u8; 16];
        getrandom::fill(&mut raw).expect("the system's random source");
        let token: String = raw.iter().map(|b| format!("{b:02x}")).collect();
        let mut held = self.0.lock().expect("not poisoned");
        held.retain(|p| p.at.elapsed() < PENDING_FOR);
        if held.len() >= PENDING {
            held.remove(0);
        }
        held.push(Pending {
            token: token.clone(),
            account,
            at: Instant::now(),
            upload,
        });
        token
    }

    fn get(&self, account: i64, token: &str) -> Option<Held> {
        let held = self.0.lock().expect("not poisoned");
        held.iter()
            .find(|p| p.token == token && p.account == account && p.at.elapsed() < PENDING_FOR)
            .map(|p| p.upload.clone())
    }

    fn take(&self, account: i64, token: &str) {
        let mut held = self.0.lock().expect("not poisoned");
        held.retain(|p| !(p.token == token && p.account == account));
    }
}

struct ErrorRow {
    place: String,
    value: String,
    expected: String,
}

#[derive(Template)]
#[template(path = "ledger_import.html")]
struct ImportPage {
    layout: Layout,
    notice: String,
    file_name: String,
    error: Option<String>,
    errors: Vec<ErrorRow>,
    errors_total: usize,
    report_href: Option<String>,
    summary: Option<String>,
    new: Vec<(String, String)>,
    updated: Vec<(String, String, String)>,
    more: String,
    token: String,
    max_mb: usize,
    /// The form's year.
    year: String,
    /// The form's coordinate systems, the one chosen selected.
    coordinate_systems: Vec<Choice>,
    notes: Vec<String>,
    /// New units: name, district, rows.
    new_units: Vec<(String, String, String)>,
    /// Made-up codes: code, place, project name.
    generated: Vec<(String, String, String)>,
    ignored: String,
}

impl ImportPage {
    async fn new(state: &AppState, user: &CurrentUser) -> Result<ImportPage, AppError> {
        let snap = view::snapshot(state).await?;
        let today = state.today();
        let year = snap.portfolio.default_year(today);
        let scope = Scope {
            year,
            as_of: jianguan_domain::calendar::default_as_of(year, today),
        };
        let layout = Layout::new("台账导入", "projects", scope, &snap, IMPORT_PATH, user)
            .crumb("项目", Some("/projects".into()))
            .crumb("台账导入", None);
        Ok(ImportPage {
            layout,
            notice: String::new(),
            file_name: String::new(),
            error: None,
            errors: Vec::new(),
            errors_total: 0,
            report_href: None,
            summary: None,
            new: Vec::new(),
            updated: Vec::new(),
            more: String::new(),
            token: String::new(),
            max_mb: max_file_bytes() / (1024 * 1024),
            year: snap
                .portfolio
                .reporting_year()
                .map_or_else(String::new, |y| y.to_string()),
            coordinate_systems: view::coordinate_choices(CoordinateSystem::Wgs84),
            notes: Vec::new(),
            new_units: Vec::new(),
            generated: Vec::new(),
            ignored: String::new(),
        })
    }
}

/// `GET /ledger/import`: the upload form.
pub(crate) async fn page(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    params: Params,
) -> Result<Response, AppError> {
    let mut page = ImportPage::new(&state, &user).await?;
    if let (Some(new), Some(updated)) = (params.get("new"), params.get("updated")) {
        let lang = crate::i18n::lang();
        page.notice = lang.tn2("已导入：新增 {n} 个项目，更新 {m} 个。", new, updated);
        if let Some(units) = params.get("units").filter(|u| *u != "0") {
            page.notice = lang.tn2("已导入：新增 {n} 个项目，更新 {m} 个，", new, updated)
                + &lang.tn("新建责任单位 {n} 个。", units);
        }
    }
    view::render(page)
}

/// Plans the import of `bytes` against the current records, off the async threads (parsing a
/// large workbook takes seconds).
async fn plan(
    state: &AppState,
    upload: Held,
) -> Result<(i64, Result<ImportPlan, ImportError>), AppError> {
    let snap = view::snapshot(state).await?;
    let version = snap.version;
    let planned = tokio::task::spawn_blocking(move || {
        let options = upload.options();
        let workbook = read_workbook(&upload.bytes, &upload.file_name, &options.limits)?;
        plan_import(&workbook, &snap.portfolio, &options, &|_, _| {})
    })
    .await
    .map_err(|e| AppError::internal(e.to_string()))?;
    Ok((version, planned))
}

/// `POST /ledger/import` (multipart `file`): checks the file and shows what it would change,
/// or every bad cell (422).
pub(crate) async fn check(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    request: Request,
) -> Result<Response, AppError> {
    // A body that is not a multipart form, or a broken one, is a form without a file.
    let mut upload = None;
    let mut year_text = String::new();
    let mut coordinates_text = String::new();
    if let Ok(mut form) = Multipart::from_request(request, &()).await {
        while let Ok(Some(mut field)) = form.next_field().await {
            if field.name() == Some("year") {
                year_text = field.text().await.unwrap_or_default().trim().to_string();
                continue;
            }
            if field.name() == Some("coordinates") {
                coordinates_text = field.text().await.unwrap_or_default().trim().to_string();
                continue;
            }
            if field.name() != Some("file") {
                continue;
            }
            let name = field.file_name().unwrap_or("").to_string();
            let mut bytes = Vec::new();
            while let Ok(Some(chunk)) = field.chunk().await {
                bytes.extend_from_slice(&chunk);
            }
            upload = Some((name, bytes));
        }
    }
    let mut page = ImportPage::new(&state, &user).await?;
    let year = if year_text.is_empty() {
        None
    } else {
        match year_text.parse::<i16>() {
            Ok(y) if (1990..=2100).contains(&y) => Some(y),
            _ => {
                page.error =
                    Some(crate::i18n::lang().tn("年度「{n}」应为四位年份，如 2026", &year_text));
                page.year = year_text;
                return view::unprocessable(view::render(page));
            }
        }
    };
    if let Some(y) = year {
        page.year = y.to_string();
    }
    let coordinates = if coordinates_text.is_empty() {
        None
    } else {
        match coordinates_text.parse::<CoordinateSystem>() {
            Ok(c) => Some(c),
            Err(e) => {
                page.error = Some(e.to_string());
                return view::unprocessable(view::render(page));
            }
        }
    };
    page.coordinate_systems = view::coordinate_choices(coordinates.unwrap_or_default());
    let Some((file_name, bytes)) = upload.filter(|(_, b)| !b.is_empty()) else {
        page.error = Some(
            crate::i18n::lang()
                .t("请选择台账文件（.xlsx、.xls 或 .csv）")
                .into(),
        );
        return view::unprocessable(view::render(page));
    };
    page.file_name = file_name.clone();
    let upload = Held {
        file_name,
        year,
        coordinates,
        bytes: Arc::new(bytes),
    };
    let (_, planned) = plan(&state, upload.clone()).await?;
    match planned {
        Ok(plan) => {
            page.summary = Some(plan.summary());
            page.notes = plan.notes.clone();
            page.new_units = plan
                .new_units
                .iter()
                .map(|u| (u.name.clone(), u.district_name.clone(), u.rows_label()))
                .collect();
            page.generated = plan
                .generated_codes
                .iter()
                .map(|g| {
                    (
                        g.code.clone(),
                        crate::i18n::lang().tn2("{n} 第{m}行", &g.sheet, g.row),
                        g.name.clone(),
                    )
                })
                .collect();
            page.ignored = plan.ignored_columns.join(crate::i18n::lang().t("、"));
            page.new = plan
                .new
                .iter()
                .take(50)
                .map(|p| (p.code.clone(), p.name.clone()))
                .collect();
            page.updated = plan
                .updated
                .iter()
                .take(50)
                .map(|c| {
                    let lang = crate::i18n::lang();
                    let fields: Vec<&str> = c.fields.iter().map(|f| lang.t(f)).collect();
                    (
                        c.new.code.clone(),
                        c.new.name.clone(),
                        fields.join(lang.t("、")),
                    )
                })
                .collect();
            let shown = page.new.len() + page.updated.len();
            let changes = plan.new.len() + plan.updated.len();
            if changes > shown {
                page.more =
                    crate::i18n::lang().tn2("（仅列出前 {n} 个，共 {m} 个）", shown, changes);
            }
            if changes > 0 {
                page.token = state.uploads().put(user.account.id, upload);
            } else {
                page.notice = crate::i18n::lang()
                    .t("文件与现有台账一致，无需导入。")
                    .into();
            }
            view::render(page)
        }
        Err(ImportError::Invalid { errors, .. }) => {
            page.errors_total = errors.len();
            page.errors = errors
                .iter()
                .take(200)
                .map(|e| ErrorRow {
                    place: crate::i18n::lang().tn2("{n} 第{m}行", &e.sheet, e.row)
                        + &crate::i18n::lang().tn2(" {n}列（{m}）", &e.column, &e.header),
                    value: e.value.clone(),
                    expected: e.expected.clone(),
                })
                .collect();
            let token = state.uploads().put(user.account.id, upload);
            page.report_href = Some(format!("/ledger/import/report/{token}"));
            page.error = Some(crate::i18n::lang().tn(
                "台账有 {n} 处错误，未导入任何数据。请按错误报告修改后重新上传。",
                errors.len(),
            ));
            view::unprocessable(view::render(page))
        }
        Err(e) => {
            page.error = Some(crate::i18n::lang().tn("未导入任何数据：{n}", e));
            view::unprocessable(view::render(page))
        }
    }
}

/// `GET /ledger/import/report/{token}`: the checked file with its bad cells marked.
pub(crate) async fn report(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let Some(upload) = state.uploads().get(user.account.id, &token) else {
        return Err(AppError::not_found("该错误报告（已过期，请重新上传）"));
    };
    // The errors are those of the current records, as the page showed them.
    let snap = view::snapshot(&state).await?;
    let file_name = upload.file_name.clone();
    let bytes = tokio::task::spawn_blocking(move || {
        let options = upload.options();
        let workbook = read_workbook(&upload.bytes, &upload.file_name, &options.limits)
            .map_err(|e| e.to_string())?;
        let errors = match plan_import(&workbook, &snap.portfolio, &options, &|_, _| {}) {
            Err(ImportError::Invalid { errors, .. }) => errors,
            _ => Vec::new(),
        };
        error_report(&workbook, &errors).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| AppError::internal(e.to_string()))?
    .map_err(AppError::internal)?;
    let stem = file_name
        .rsplit_once('.')
        .map_or(file_name.as_str(), |(s, _)| s);
    Ok(crate::download::attachment(
        bytes,
        crate::download::XLSX,
        &format!("{stem}.错误报告.xlsx"),
    ))
}

/// `POST /ledger/import/confirm` (token): imports the checked file, all or nothing.
pub(crate) async fn confirm(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    crate::params::CheckedForm(form): crate::params::CheckedForm,
) -> Result<Response, AppError> {
    let token = form.get("token").map(String::as_str).unwrap_or("");
    let mut page = ImportPage::new(&state, &user).await?;
    let Some(upload) = state.uploads().get(user.account.id, token) else {
        page.error = Some(
            crate::i18n::lang()
                .t("上传已过期或不存在，请重新上传台账")
                .into(),
        );
        return view::unprocessable(view::render(page));
    };
    let size = upload.bytes.len();
    let file_name = upload.file_name.clone();
    // The same options as the check: the same codes, plans and locations as the preview showed.
    let (version, planned) = plan(&state, upload).await?;
    let plan = match planned {
        Ok(plan) => plan,
        Err(e) => {
            page.error = Some(crate::i18n::lang().tn("未导入任何数据：{n}", e));
            return view::unprocessable(view::render(page));
        }
    };
    match jianguan_app::ledger::write_plan(
        state.store(),
        &plan,
        &file_name,
        size,
        version,
        &user.account.username,
        &|_, _| {},
    )
    .await
    {
        Ok(ids) => {
            state.uploads().take(user.account.id, token);
            Ok(Redirect::to(&format!(
                "{IMPORT_PATH}?new={}&updated={}&units={}",
                ids.len(),
                plan.updated.len(),
                plan.new_units.len()
            ))
            .into_response())
        }
        Err(e) => match crate::error::store_refusal(&e) {
            Some(m) => {
                page.error = Some(crate::i18n::lang().tn("未导入任何数据：{n}", m));
                view::unprocessable(view::render(page))
            }
            None => Err(AppError::store(e)),
        },
    }
}

/// What the export's `coordinates` parameter must be.
const COORDINATES: &str = "应为 wgs84、gcj02 或 bd09";

/// `GET /ledger/export.xlsx[?coordinates=gcj02]`: the ledger as the office keeps it (the
/// projects the reader may see), with milestones and the latest investment, the coordinates in
/// WGS-84 or the system asked for.
pub(crate) async fn export(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    params: Params,
) -> Result<Response, AppError> {
    let coordinates = params
        .choice("coordinates", CoordinateSystem::parse, COORDINATES)?
        .unwrap_or_default();
    let scope = user.scope(jianguan_access::policy::Resource::Portfolio)?;
    let snap = view::snapshot(&state).await?;
    let today = state.today();
    let mut portfolio = snap.portfolio.clone();
    portfolio.projects.retain(|p| scope.covers(p));
    // Investment to date at the last period closed by today (the latest figure filed).
    let last_end = portfolio
        .periods
        .iter()
        .map(|p| p.end)
        .filter(|end| *end <= today)
        .max();
    let investment: Vec<_> = match last_end {
        Some(end) => portfolio
            .projects
            .iter()
            .map(|p| (p.id, end, snap.ledger.to_date(p.id, end)))
            .collect(),
        None => Vec::new(),
    };
    let latest = jianguan_documents::ledger::latest_from_investment(&portfolio, &investment);
    let bytes = tokio::task::spawn_blocking(move || {
        jianguan_documents::ledger::ledger_workbook(&portfolio, &latest, today, coordinates)
    })
    .await
    .map_err(|e| AppError::internal(e.to_string()))?
    .map_err(|e| AppError::internal(e.to_string()))?;
    Ok(crate::download::attachment(
        bytes,
        crate::download::XLSX,
        &format!("项目台账-{today}.xlsx"),
    ))
}
