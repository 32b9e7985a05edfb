//! The web error type: every failure maps to one status code and a message fit to show, in
//! HTML for pages and JSON for the API. Internal causes are logged, never shown.
//!
//! Handlers do not choose the format: an error answers in the format of the route that
//! produced it. [`AppError`]'s response is an HTML page carrying an [`ErrorReply`] extension,
//! and the route guard ([`crate::routes`]) re-renders it as JSON on API routes. Code that runs
//! outside a route (authentication, the not-found fallback) fixes the format itself with
//! [`AppError::with_format`].

use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use jianguan_domain::store::StoreError;

/// Whether an error is answered as a page or as JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// An HTML page.
    Html,
    /// A JSON body `{"error": {"code", "message", "parameter"?}}`.
    Json,
}

/// A failed request.
#[derive(Debug)]
pub struct AppError {
    /// How to answer, when fixed by the caller; `None` lets the route decide.
    pub format: Option<Format>,
    /// What went wrong.
    pub kind: ErrorKind,
}

/// One malformed field of a query or form, with what was expected (in Chinese for pages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name as it appears in the request.
    pub name: String,
    /// What was expected.
    pub expected: String,
}

/// The Chinese name of a query or form parameter the pages use, so a refusal names the field as
/// the page shows it (the code stays beside it for the API's callers).
fn parameter_label(name: &str) -> Option<&'static str> {
    Some(match name {
        "year" => "年度",
        "as_of" => "截至日期",
        "period" => "期次",
        "month" => "月份",
        "project" => "项目",
        "page" => "页码",
        "per_page" => "每页条数",
        "sort" | "order" => "排序",
        "district" => "县区",
        "category" => "类别",
        "lead" => "牵头单位",
        "unit" | "units" => "单位",
        "status" => "状态",
        "level" => "等级",
        "kind" | "type" => "类型",
        "q" => "搜索词",
        "from" => "起始日期",
        "until" => "截止日期",
        "actor" => "操作人",
        "action" => "操作",
        "result" => "结果",
        "version" => "版本",
        "filed" => "报告编号",
        "threshold" => "阈值",
        "investment_to_date" => "累计完成投资",
        "correction_reason" => "更正理由",
        "note" => "进展",
        _ => return None,
    })
}

/// What went wrong, in terms of the response.
#[derive(Debug)]
pub enum ErrorKind {
    /// Query or form fields are malformed: 400, naming each (the first is the `parameter` of a
    /// JSON answer).
    BadParameter(Vec<FieldError>),
    /// No session: 401.
    Unauthorized,
    /// Signed in, but the policy refuses: 403, with the reason shown.
    Forbidden(String),
    /// No such thing: 404.
    NotFound(String),
    /// Too many requests from this client: 429.
    TooMany,
    /// The request body is larger than the route accepts (the limit in bytes): 413.
    TooLarge(usize),
    /// A form or request refused by a rule, with the rule's reason: 422.
    Unprocessable(String),
    /// The request conflicts with what is stored now (a duplicate, a stale plan, a frozen
    /// record), with the reason: 409.
    Conflict(String),
    /// Anything else: 500, details logged only.
    Internal(String),
}

impl AppError {
    fn of(kind: ErrorKind) -> AppError {
        AppError { format: None, kind }
    }

    /// Answers in `format` whatever the route (for code that runs outside any route).
    pub fn with_format(mut self, format: Format) -> AppError {
        self.format = Some(format);
        self
    }

    /// A 400 naming the parameter.
    pub fn bad_parameter(name: &str, expected: impl Into<String>) -> AppError {
        AppError::bad_fields(vec![FieldError {
            name: name.to_string(),
            expected: expected.into(),
        }])
    }

    /// A 400 naming each malformed field (at least one).
    pub fn bad_fields(fields: Vec<FieldError>) -> AppError {
        AppError::of(ErrorKind::BadParameter(fields))
    }

    /// A 404.
    pub fn not_found(what: impl Into<String>) -> AppError {
        AppError::of(ErrorKind::NotFound(what.into()))
    }

    /// A 401: sign in first.
    pub fn unauthorized() -> AppError {
        AppError::of(ErrorKind::Unauthorized)
    }

    /// A 403 with the reason.
    pub fn forbidden(reason: impl Into<String>) -> AppError {
        AppError::of(ErrorKind::Forbidden(reason.into()))
    }

    /// A 413: the body is larger than the route's `limit` in bytes.
    pub fn too_large(limit: usize) -> AppError {
        AppError::of(ErrorKind::TooLarge(limit))
    }

    /// A 429: slow down.
    pub fn too_many() -> AppError {
        AppError::of(ErrorKind::TooMany)
    }

    /// A 500 with a detail for the log only.
    pub fn internal(detail: impl Into<String>) -> AppError {
        AppError::of(ErrorKind::Internal(detail.into()))
    }

    /// A storage failure answered by what it means: 409 for a conflict, a duplicate or a stale
    /// plan, 404 for a missing record, 422 for a refused record, 500 for the rest (whose text,
    /// possibly the database's own, is only logged).
    pub fn store(e: StoreError) -> AppError {
        let kind = match store_status(&e) {
            StoreStatus::Conflict(m) => ErrorKind::Conflict(m),
            StoreStatus::NotFound(what) => ErrorKind::NotFound(what),
            StoreStatus::Refused(m) => ErrorKind::Unprocessable(m),
            StoreStatus::Failed => ErrorKind::Internal(e.to_string()),
        };
        AppError::of(kind)
    }

    /// A 422 with the reason a rule refused the request.
    pub fn unprocessable(reason: impl Into<String>) -> AppError {
        AppError::of(ErrorKind::Unprocessable(reason.into()))
    }

    /// A 500 from a template that failed to render.
    pub fn render(e: askama::Error) -> AppError {
        AppError::of(ErrorKind::Internal(e.to_string()))
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        AppError::store(e)
    }
}

/// What an error response says, kept on the response (an extension) so the route guard can
/// answer it in the route's format.
#[derive(Debug, Clone)]
pub struct ErrorReply {
    /// The status code.
    pub status: StatusCode,
    /// The machine-readable code of a JSON answer.
    pub code: &'static str,
    /// The message shown.
    pub message: String,
    /// The first malformed parameter, if any.
    pub parameter: Option<String>,
}

impl ErrorReply {
    /// The reply answered in `format`.
    pub fn into_response(self, format: Format) -> Response {
        let status = self.status;
        match format {
            Format::Json => {
                let mut body =
                    serde_json::json!({"error": {"code": self.code, "message": self.message}});
                if let Some(p) = self.parameter {
                    body["error"]["parameter"] = p.into();
                }
                (status, Json(body)).into_response()
            }
            Format::Html => (status, Html(error_page(status, &self.message))).into_response(),
        }
    }
}

/// How a [`StoreError`] is answered.
enum StoreStatus {
    /// 409, with the message.
    Conflict(String),
    /// 404, naming what.
    NotFound(String),
    /// 422, with the message.
    Refused(String),
    /// 500.
    Failed,
}

/// The app's reading of a store error (one text for the pages and the CLI), as a status.
fn store_status(e: &StoreError) -> StoreStatus {
    use jianguan_app::refusal::{StoreRefusal, classify};
    match classify(e) {
        Some(StoreRefusal::Conflict(m)) => StoreStatus::Conflict(m),
        Some(StoreRefusal::NotFound(what)) => StoreStatus::NotFound(what),
        Some(StoreRefusal::Refused(m)) => StoreStatus::Refused(m),
        None => StoreStatus::Failed,
    }
}

/// The message to show for a store error that refused the request (a rule, a conflict, a
/// duplicate, a stale plan, a missing record), for a form to show in place; `None` for a
/// failure, which is answered with a 500 and only logged. The app's [`jianguan_app::refusal`].
pub fn store_refusal(e: &StoreError) -> Option<String> {
    jianguan_app::refusal(e)
}

/// Marks an error response whose format the route has still to choose.
#[derive(Debug, Clone)]
struct Unformatted(ErrorReply);

/// `response` answered in `format` when it is an error whose format its maker left to the
/// route; any other response unchanged.
pub fn in_route_format(mut response: Response, format: Format) -> Response {
    match response.extensions_mut().remove::<Unformatted>() {
        Some(Unformatted(reply)) if format != Format::Html => reply.into_response(format),
        _ => response,
    }
}

/// What a not-found names, in `lang`: the whole text when the catalogue holds it, else its
/// leading word (`项目 12` → `project 12`), else as written.
fn subject(lang: crate::i18n::Lang, what: &str) -> String {
    if crate::i18n::Lang::Zh == lang || jianguan_domain::i18n::has_entry(what) {
        return lang.t(what).to_string();
    }
    match what.split_once(' ') {
        Some((word, rest)) if jianguan_domain::i18n::has_entry(word) => {
            format!("{} {rest}", lang.t(word))
        }
        _ => what.to_string(),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    message: &'a str,
    display: crate::i18n::Display,
}

/// The HTML body of an error response.
fn error_page(status: StatusCode, message: &str) -> String {
    ErrorPage {
        status: status.as_u16(),
        message,
        display: crate::i18n::current(),
    }
    .render()
    .unwrap_or_else(|_| message.to_string())
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        // The reader's language: the fixed texts are translated, and so is a reason passed in,
        // whole or as a catalogue sentence with its holes filled (otherwise it stays as written).
        let lang = crate::i18n::lang();
        let (status, code, message, parameter) = match self.kind {
            ErrorKind::BadParameter(fields) => (
                StatusCode::BAD_REQUEST,
                "bad_parameter",
                fields
                    .iter()
                    .map(|f| match parameter_label(&f.name) {
                        Some(label) => format!(
                            "{}{}",
                            lang.tn2("「{n}」（{m}）无效：", lang.t(label), &f.name),
                            lang.message(&f.expected)
                        ),
                        None => format!(
                            "{}{}",
                            lang.tn("参数 {n} 无效：", &f.name),
                            lang.message(&f.expected)
                        ),
                    })
                    .collect::<Vec<_>>()
                    .join(lang.t("；")),
                fields.into_iter().next().map(|f| f.name),
            ),
            ErrorKind::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                lang.t("请先登录").to_string(),
                None,
            ),
            ErrorKind::Forbidden(reason) => (
                StatusCode::FORBIDDEN,
                "forbidden",
                lang.tn("无权访问：{n}", lang.message(&reason)),
                None,
            ),
            ErrorKind::NotFound(what) => (
                StatusCode::NOT_FOUND,
                "not_found",
                lang.tn("未找到{n}", subject(lang, &what)),
                None,
            ),
            ErrorKind::TooLarge(limit) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                lang.tn("提交的内容过大（上限 {n} KB）", limit / 1024),
                None,
            ),
            ErrorKind::TooMany => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                lang.t("请求过于频繁，请稍后再试").to_string(),
                None,
            ),
            ErrorKind::Unprocessable(reason) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "unprocessable",
                lang.tn("未处理：{n}", lang.message(&reason)),
                None,
            ),
            ErrorKind::Conflict(reason) => (
                StatusCode::CONFLICT,
                "conflict",
                lang.message(&reason).into_owned(),
                None,
            ),
            ErrorKind::Internal(detail) => {
                tracing::error!(%detail, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    lang.t("服务器内部错误，请稍后重试或联系系统管理员")
                        .to_string(),
                    None,
                )
            }
        };
        let reply = ErrorReply {
            status,
            code,
            message,
            parameter,
        };
        match self.format {
            Some(format) => reply.into_response(format),
            None => {
                let mut response = reply.clone().into_response(Format::Html);
                response.extensions_mut().insert(Unformatted(reply));
                response
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;
    use jianguan_domain::store::Field;

    /// The status and JSON body a store error is answered with.
    async fn answer(e: StoreError) -> (StatusCode, String) {
        let response = AppError::store(e).with_format(Format::Json).into_response();
        let status = response.status();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn each_store_error_has_its_status_and_a_message_naming_the_field() {
        let duplicate = StoreError::Duplicate {
            field: Field::Username,
            value: None,
        };
        let (status, body) = answer(duplicate).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(body.contains("用户名已存在"), "{body}");
        let code = StoreError::Duplicate {
            field: Field::ProjectCode,
            value: Some("DR2021-0001".into()),
        };
        let (status, body) = answer(code).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(body.contains("项目编号“DR2021-0001”已存在"), "{body}");
        let stale = StoreError::Stale {
            expected: 3,
            found: 4,
        };
        assert_eq!(answer(stale).await.0, StatusCode::CONFLICT);
        let conflict = StoreError::Conflict("已发布".into());
        assert_eq!(answer(conflict).await.0, StatusCode::CONFLICT);
        let missing = StoreError::NotFound("编号为 9 的申诉".into());
        assert_eq!(answer(missing).await.0, StatusCode::NOT_FOUND);
        let reference = StoreError::MissingReference {
            field: Some(Field::Unit),
        };
        let (status, body) = answer(reference).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("引用的单位不存在"), "{body}");
        let invalid = StoreError::Invalid("超出范围".into());
        assert_eq!(answer(invalid).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    }

    #[tokio::test]
    async fn a_backend_failure_never_shows_the_database_text() {
        let failure = StoreError::Backend("UNIQUE constraint failed: accounts.username_key".into());
        let (status, body) = answer(failure).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!body.contains("UNIQUE"), "{body}");
        assert!(!body.contains("accounts"), "{body}");
    }
}
