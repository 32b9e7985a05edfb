//! Files the pages offer for download: Word documents and Excel workbooks, named in Chinese
//! (RFC 6266 `filename*`, with an ASCII fallback for old clients).

use axum::http::header;
use axum::response::{IntoResponse, Response};
use jianguan_documents::docx::{OfficialDocument, to_docx};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::error::AppError;

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// The media type of an .xlsx workbook.
pub(crate) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// `name` percent-encoded for `filename*=UTF-8''…`: letters, digits, `-`, `_` and `.` stay.
fn encoded(name: &str) -> String {
    const KEPT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.');
    utf8_percent_encode(name, KEPT).to_string()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_keep_letters_digits_and_three_marks_and_encode_the_rest() {
        assert_eq!(
            encoded("建管 a~b-c_d.docx"),
            "%E5%BB%BA%E7%AE%A1%20a%7Eb-c_d.docx"
        );
    }
}
