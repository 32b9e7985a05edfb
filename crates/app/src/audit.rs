//! The audit chain as operators check it: [`verify_chain`] (the audit page and `jianguan audit
//! verify`), and anchors — the chain's head appended now and then to a file outside the
//! database, so that a chain rewritten inside the database (every hash recomputed) no longer
//! matches what the file recorded.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use jianguan_audit::{Anchor, parse_anchor_file};
use jianguan_domain::fmt;
use jianguan_domain::store::{ScoreIntegrity, Store, StoreError};

/// Where a database's anchors go by default: beside a SQLite file (`demo.db.anchors`); none for
/// a server database, whose anchor file must be named (`--anchors`).
pub fn default_anchor_path(db_url: &str) -> Option<PathBuf> {
    if db_url.contains("://") && !db_url.starts_with("sqlite:") {
        return None;
    }
    let path = db_url
        .strip_prefix("sqlite://")
        .or_else(|| db_url.strip_prefix("sqlite:"))
        .unwrap_or(db_url);
    Some(PathBuf::from(format!("{path}.anchors")))
}

/// Reads an anchor file; a missing file has no anchors.
pub fn read_anchors(path: &Path) -> Result<Vec<Anchor>, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse_anchor_file(&text).map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// Appends the current chain head to `path` unless the file's last anchor already is it.
/// Returns the anchor written, if any.
pub async fn write_anchor(store: &dyn Store, path: &Path) -> Result<Option<Anchor>, StoreError> {
    let Some(head) = store.audit_head().await? else {
        return Ok(None);
    };
    let anchor = Anchor::of(&head);
    let last = read_anchors(path)
        .ok()
        .and_then(|a| a.into_iter().max_by_key(|a| a.seq));
    if last.is_some_and(|l| l.seq >= anchor.seq) {
        return Ok(None);
    }
    // The anchor file is created private (0600), like every file jianguan keeps at rest.
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| StoreError::Backend(format!("{}: {e}", path.display())))?;
    writeln!(file, "{}", anchor.to_line())
        .and_then(|()| file.sync_all())
        .map_err(|e| StoreError::Backend(format!("{}: {e}", path.display())))?;
    Ok(Some(anchor))
}

/// Verifies the whole chain page by page against `anchors`; whether it is intact and the verdict
/// in words.
pub async fn verify_chain(
    store: &dyn Store,
    anchors: &[Anchor],
) -> Result<(bool, String), StoreError> {
    verify_in_pages(store, anchors, 10_000).await
}

async fn verify_in_pages(
    store: &dyn Store,
    anchors: &[Anchor],
    batch: i64,
) -> Result<(bool, String), StoreError> {
    let missing = store.missing_append_only_guards().await?;
    if !missing.is_empty() {
        return Ok((
            false,
            format!(
                "审计表的只增保护（触发器）缺失：{}。记录可被改写而不留痕迹，请查明原因并用 jianguan migrate 之前的备份核对 (append-only triggers missing)",
                missing.join("、")
            ),
        ));
    }
    let suite = store.crypto_suite().await?;
    let mut base = Anchor::genesis();
    let mut records = 0u64;
    loop {
        let page = store.audit_records(base.seq, batch).await?;
        let more = page.len() as i64 == batch;
        // A full page may be followed by more: anchors past its end are checked by the page
        // that holds them (or by the last page, which finds them cut off).
        let upto = page.last().map_or(base.seq, |r| r.seq);
        let here: Vec<Anchor> = anchors
            .iter()
            .filter(|a| !more || a.seq <= upto)
            .cloned()
            .collect();
        match jianguan_audit::verify_after(&base, &page, &here, suite) {
            Ok(summary) => records += summary.records,
            Err(e) => return Ok((false, format!("审计链校验失败：{e}"))),
        }
        match page.last() {
            Some(last) if more => base = Anchor::of(last),
            _ => break,
        }
    }
    let scores = store.check_score_integrity().await?;
    if !scores.broken.is_empty() {
        return Ok((
            false,
            format!(
                "审计链完整，但已发布考评结果的完整性校验码不符：{}。发布后的结果被改动过，请用备份核对 (published scores changed since publication)",
                scores.broken.join("、")
            ),
        ));
    }
    Ok((
        true,
        format!(
            "审计链完整：共 {} 条记录，核对锚点 {} 个（{}）；{}",
            fmt::count(records),
            anchors.len(),
            suite.suite.label_zh(),
            score_verdict(&scores)
        ),
    ))
}

/// The published scores' part of the verdict, in words.
fn score_verdict(s: &ScoreIntegrity) -> String {
    let mut parts = vec![format!(
        "已发布考评结果 {} 份校验码相符",
        fmt::count(s.keyed + s.unkeyed)
    )];
    if s.unkeyed > 0 {
        parts.push(format!(
            "其中 {} 份发布时未配置密钥，仅能发现误改，不能发现伪造",
            fmt::count(s.unkeyed)
        ));
    }
    if s.needs_key > 0 {
        parts.push(format!(
            "{} 份需要原密钥才能核对（{}）",
            fmt::count(s.needs_key),
            if s.wrong_key {
                "当前密钥文件不是生成校验码时所用的密钥"
            } else {
                "未找到密钥文件"
            }
        ));
    }
    if s.without_code > 0 {
        parts.push(format!(
            "{} 份发布于校验码启用之前，无校验码",
            fmt::count(s.without_code)
        ));
    }
    parts.join("，")
}

/// Writes an anchor into every file of `paths` every `period` for as long as the server runs:
/// the anchor file beside the database and any copies (`--anchor-copy`, meant for a place the
/// database host cannot rewrite). One failing target does not stop the others.
pub fn spawn_anchor_task(store: Arc<dyn Store>, paths: Vec<PathBuf>, period: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(period);
        loop {
            tick.tick().await;
            for path in &paths {
                if let Err(e) = write_anchor(store.as_ref(), path).await {
                    tracing::error!(error = %e, path = %path.display(), "writing the audit anchor failed");
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_files_get_an_anchor_file_beside_them_and_servers_none() {
        assert_eq!(
            default_anchor_path("demo.db"),
            Some(PathBuf::from("demo.db.anchors"))
        );
        assert_eq!(
            default_anchor_path("sqlite:///tmp/x.db"),
            Some(PathBuf::from("/tmp/x.db.anchors"))
        );
        assert_eq!(default_anchor_path("postgres://u@h/db"), None);
    }

    /// A chain longer than one page verifies against an anchor on a later page (the first page
    /// once read that anchor as "records missing"), and still fails when it is cut off or edited.
    #[tokio::test]
    async fn a_chain_of_several_pages_verifies_against_anchors_on_any_page() {
        use jianguan_audit::{AuditAction, AuditDraft};
        use jianguan_domain::store::prelude::*;
        let dir = std::env::temp_dir().join(format!("jianguan-audit-pages-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let store = jianguan_store::open(&dir.join("a.db").display().to_string())
            .await
            .unwrap();
        let mut anchors = Vec::new();
        for i in 0..10 {
            store
                .append_audit(&AuditDraft::new(
                    i,
                    "test",
                    AuditAction::BackupCreate,
                    format!("object {i}"),
                ))
                .await
                .unwrap();
            if i == 3 || i == 9 {
                anchors.push(Anchor::of(&store.audit_head().await.unwrap().unwrap()));
            }
        }
        for batch in [1, 3, 4, 5, 10, 11] {
            let (intact, verdict) = verify_in_pages(&store, &anchors, batch).await.unwrap();
            assert!(intact, "batch {batch}: {verdict}");
            assert!(verdict.contains("共 10 条记录"), "{verdict}");
        }
        // An anchor beyond the end: the chain was cut off, whatever the page size.
        let mut beyond = anchors.clone();
        beyond.push(Anchor {
            seq: 11,
            hash: "0".repeat(64),
            at_ms: 0,
        });
        for batch in [3, 10, 11] {
            let (intact, _) = verify_in_pages(&store, &beyond, batch).await.unwrap();
            assert!(!intact, "batch {batch}: a missing tail passed");
        }
        // A wrong hash in an anchor on a later page.
        let mut wrong = anchors.clone();
        wrong[1].hash = "f".repeat(64);
        let (intact, _) = verify_in_pages(&store, &wrong, 3).await.unwrap();
        assert!(!intact, "an anchor disagreeing on page 4 passed");
        store.close().await;
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
