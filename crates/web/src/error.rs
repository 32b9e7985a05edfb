//! The web error type: every failure maps to one status code and a message fit to show, in
//! HTML for pages and JSON for the API. Internal causes are logged, never shown.

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
    /// How to answer.
    pub format: Format,
    /// What went wrong.
    pub kind: ErrorKind,
}

/// What went wrong, in terms of the response.
#[derive(Debug)]
pub enum ErrorKind {
    /// A query parameter is malformed: 400, naming it.
    BadParameter {
        /// The parameter's name.
        name: String,
        /// What was expected, in Chinese for pages.
        expected: String,
    },
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
    /// A 400 naming the parameter.
    pub fn bad_parameter(format: Format, name: &str, expected: impl Into<String>) -> AppError {
        AppError {
            format,
            kind: ErrorKind::BadParameter {
                name: name.to_string(),
                expected: expected.into(),
            },
        }
    }

    /// A 404.
    pub fn not_found(format: Format, what: impl Into<String>) -> AppError {
        AppError {
            format,
            kind: ErrorKind::NotFound(what.into()),
        }
    }

    /// A 401: sign in first.
    pub fn unauthorized(format: Format) -> AppError {
        AppError {
            format,
            kind: ErrorKind::Unauthorized,
        }
    }

    /// A 403 with the reason.
    pub fn forbidden(format: Format, reason: impl Into<String>) -> AppError {
        AppError {
            format,
            kind: ErrorKind::Forbidden(reason.into()),
        }
    }

    /// A 413: the body is larger than the route's `limit` in bytes.
    pub fn too_large(format: Format, limit: usize) -> AppError {
        AppError {
            format,
            kind: ErrorKind::TooLarge(limit),
        }
    }

    /// A 429: slow down.
    pub fn too_many(format: Format) -> AppError {
        AppError {
            format,
            kind: ErrorKind::TooMany,
        }
    }

    /// A 500 with a detail for the log only.
    pub fn internal(format: Format, detail: impl Into<String>) -> AppError {
        AppError {
            format,
            kind: ErrorKind::Internal(detail.into()),
        }
    }

    /// A 500 from a storage failure.
    pub fn store(format: Format, e: StoreError) -> AppError {
        AppError {
            format,
            kind: ErrorKind::Internal(e.to_string()),
        }
    }

    /// A 422 with the reason a rule refused the request.
    pub fn unprocessable(format: Format, reason: impl Into<String>) -> AppError {
        AppError {
            format,
            kind: ErrorKind::Unprocessable(reason.into()),
        }
    }

    /// A 500 from a template that failed to render.
    pub fn render(e: askama::Error) -> AppError {
        AppError {
            format: Format::Html,
            kind: ErrorKind::Internal(e.to_string()),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code, message, parameter) = match self.kind {
            ErrorKind::BadParameter { name, expected } => (
                StatusCode::BAD_REQUEST,
                "bad_parameter",
                format!("参数 {name} 无效：{expected}"),
                Some(name),
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
        match self.format {
            Format::Json => {
                let mut body = serde_json::json!({"error": {"code": code, "message": message}});
                if let Some(p) = parameter {
                    body["error"]["parameter"] = p.into();
                }
                (status, Json(body)).into_response()
            }
            Format::Html => {
                (status, Html(crate::pages::error_page(status, &message))).into_response()
            }
        }
    }
}
