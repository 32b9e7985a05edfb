//! Files the pages offer for download: Word documents and Excel workbooks, named in Chinese
//! (RFC 6266 `filename*`, with an ASCII fallback for old clients).

use axum::http::header;
use axum::response::{IntoResponse, Response};
use jianguan_documents::docx::{OfficialDocument, to_docx};

use crate::error::AppError;

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// The media type of an .xlsx workbook.
pub(crate) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// `name` percent-encoded for `filename*=UTF-8''…`.
fn encoded(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `bytes` as an attachment named `name`.
pub(crate) fn attachment(bytes: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    let extension = name.rsplit('.').next().unwrap_or("bin");
    let disposition = format!(
        "attachment; filename=\"download.{extension}\"; filename*=UTF-8''{}",
        encoded(name)
    );
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

/// `document` written as .docx and offered as `name`.
pub(crate) fn docx(document: &OfficialDocument, name: &str) -> Result<Response, AppError> {
    let bytes = to_docx(document).map_err(|e| AppError::internal(e.to_string()))?;
    Ok(attachment(bytes, DOCX, name))
}
