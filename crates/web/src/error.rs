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

    /// A 500 from a storage failure.
    pub fn store(e: StoreError) -> AppError {
        AppError::of(ErrorKind::Internal(e.to_string()))
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

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    message: &'a str,
}

/// The HTML body of an error response.
fn error_page(status: StatusCode, message: &str) -> String {
    ErrorPage {
        status: status.as_u16(),
        message,
    }
    .render()
    .unwrap_or_else(|_| message.to_string())
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code, message, parameter) = match self.kind {
            ErrorKind::BadParameter(fields) => (
                StatusCode::BAD_REQUEST,
                "bad_parameter",
                fields
                    .iter()
                    .map(|f| format!("参数 {} 无效：{}", f.name, f.expected))
                    .collect::<Vec<_>>()
                    .join("；"),
                fields.into_iter().next().map(|f| f.name),
            ),
            ErrorKind::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "请先登录".to_string(),
                None,
            ),
            ErrorKind::Forbidden(reason) => (
                StatusCode::FORBIDDEN,
                "forbidden",
                format!("无权访问：{reason}"),
                None,
            ),
            ErrorKind::NotFound(what) => (
                StatusCode::NOT_FOUND,
                "not_found",
                format!("未找到{what}"),
                None,
            ),
            ErrorKind::TooLarge(limit) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!("提交的内容过大（上限 {} KB）", limit / 1024),
                None,
            ),
            ErrorKind::TooMany => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                "请求过于频繁，请稍后再试".to_string(),
                None,
            ),
            ErrorKind::Unprocessable(reason) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "unprocessable",
                format!("未处理：{reason}"),
                None,
            ),
            ErrorKind::Internal(detail) => {
                tracing::error!(%detail, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "服务器内部错误，请稍后重试或联系系统管理员".to_string(),
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
