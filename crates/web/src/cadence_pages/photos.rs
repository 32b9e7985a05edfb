//! Photos of progress reports: checked at the edge (JPEG or PNG by their first bytes, not by the
//! name or the type the browser claims; at most [`MAX_PHOTO_BYTES`] each, [`MAX_PHOTOS`] a
//! report) and stored outside the database, in the photo directory, each file named by the
//! SHA-256 of its bytes — the same photo sent twice is one file, and a file whose bytes no longer
//! match its name has been tampered with.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use jianguan_domain::store::{PhotoRef, ReportVersions};
use sha2::{Digest, Sha256};

/// Photos one report may carry.
pub const MAX_PHOTOS: usize = 3;

/// The largest photo accepted, in bytes (5 MiB).
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;

/// A photo that passed the checks, not yet stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Photo {
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// `image/jpeg` or `image/png`, from the bytes.
    pub mime: &'static str,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
}

impl Photo {
    /// The reference the report keeps.
    pub fn reference(&self) -> PhotoRef {
        PhotoRef {
            sha256: self.sha256.clone(),
            mime: self.mime.to_string(),
            bytes: self.bytes.len() as i64,
        }
    }
}

/// The image type of `bytes` by their signature, if JPEG or PNG.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(PNG) {
        Some("image/png")
    } else {
        None
    }
}

/// Checks one uploaded file (`name` is the name the browser sent, for the message).
pub fn check(name: &str, bytes: Vec<u8>) -> Result<Photo, String> {
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(format!(
            "照片「{name}」超过 {} MB，请压缩后再传",
            MAX_PHOTO_BYTES / 1024 / 1024
        ));
    }
    let Some(mime) = sniff(&bytes) else {
        return Err(format!("「{name}」不是 JPEG 或 PNG 图片"));
    };
    let sha256 = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(Photo {
        bytes,
        mime,
        sha256,
    })
}

/// The file a photo is kept in.
pub fn path_of(dir: &Path, sha256: &str) -> PathBuf {
    dir.join(sha256)
}

/// Stores `photo` in `dir` (created if missing) under its hash: written to a temporary name,
/// flushed to disk, then renamed, so a reader never sees half a photo. A photo already there is
/// left as it is.
pub fn store(dir: &Path, photo: &Photo) -> std::io::Result<()> {
    let target = path_of(dir, &photo.sha256);
    if target.exists() {
        return Ok(());
    }
    // Photos are records at rest: the directory 0700, each file 0600.
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let temp = dir.join(format!(
        ".{}.{}-{nanos}.part",
        photo.sha256,
        std::process::id()
    ));
    let result = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temp)?;
        file.write_all(&photo.bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, &target)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// `GET /projects/{id}/photos/{sha256}`: a photo of one of the project's reports, to anyone who
/// may read the project (outside the scope: 404, audited). The file's bytes are checked against
/// its name before they are served, so a photo changed on disk is refused rather than shown.
pub(crate) async fn serve(
    axum::extract::State(state): axum::extract::State<std::sync::Arc<crate::AppState>>,
    axum::Extension(user): axum::Extension<crate::auth::CurrentUser>,
    axum::extract::Path((id, sha256)): axum::extract::Path<(String, String)>,
) -> Result<axum::response::Response, crate::error::AppError> {
    use axum::http::header;
    use axum::response::IntoResponse;

    use crate::error::AppError;
    let id: i64 = id.parse().map_err(|_| AppError::not_found("该项目"))?;
    let record = crate::api::visible_project(&state, &user, id, ReportVersions::All).await?;
    let mut found = None;
    for report in &record.reports {
        let photos = state
            .store()
            .report_photos(report.id)
            .await
            .map_err(AppError::store)?;
        if let Some(photo) = photos.into_iter().find(|p| p.sha256 == sha256) {
            found = Some(photo);
            break;
        }
    }
    let (Some(photo), Some(dir)) = (found, state.photo_dir()) else {
        return Err(AppError::not_found("该照片"));
    };
    let path = path_of(dir, &photo.sha256);
    let bytes = tokio::task::spawn_blocking(move || std::fs::read(path))
        .await
        .map_err(|e| AppError::internal(format!("photo task: {e}")))?
        .map_err(|_| AppError::not_found("该照片文件"))?;
    let actual: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if actual != photo.sha256 {
        return Err(AppError::internal(format!(
            "photo {} does not match its hash",
            photo.sha256
        )));
    }
    Ok((
        [
            (header::CONTENT_TYPE, photo.mime),
            (header::CACHE_CONTROL, "private, max-age=86400".to_string()),
        ],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F'];

    #[test]
    fn images_are_known_by_their_bytes_not_their_names() {
        assert_eq!(sniff(PNG), Some("image/png"));
        assert_eq!(sniff(JPEG), Some("image/jpeg"));
        assert_eq!(sniff(b"GIF89a"), None);
        assert_eq!(sniff(b"%PDF-1.7"), None);
        assert_eq!(sniff(b""), None);
        let refused = check("现场.jpg", b"%PDF-1.7 not a photo".to_vec()).unwrap_err();
        assert!(refused.contains("现场.jpg") && refused.contains("不是 JPEG 或 PNG"));
    }

    #[test]
    fn a_photo_over_five_megabytes_is_refused() {
        let mut big = JPEG.to_vec();
        big.resize(MAX_PHOTO_BYTES + 1, 0);
        assert!(check("big.jpg", big).unwrap_err().contains("超过 5 MB"));
        let mut fits = JPEG.to_vec();
        fits.resize(MAX_PHOTO_BYTES, 0);
        assert!(check("fits.jpg", fits).is_ok());
    }

    #[test]
    fn a_stored_photo_is_named_by_its_hash_and_stored_once() {
        let dir = tempfile::tempdir().expect("temp dir");
        let photo = check("a.png", PNG.to_vec()).expect("a PNG");
        assert_eq!(photo.sha256.len(), 64);
        let photos = dir.path().join("photos");
        store(&photos, &photo).expect("stored");
        store(&photos, &photo).expect("stored again");
        let files: Vec<_> = std::fs::read_dir(&photos)
            .expect("dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(files, [std::ffi::OsString::from(&photo.sha256)]);
        assert_eq!(
            std::fs::read(path_of(&photos, &photo.sha256)).expect("read"),
            PNG
        );
        assert_eq!(photo.reference().bytes, PNG.len() as i64);
    }
}
