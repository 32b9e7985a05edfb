//! The secret key the store seals TOTP seeds with (`jianguan_store::secrets`), kept outside the
//! database: `JIANGUAN_SECRET_KEY` (64 hex digits), else the file `JIANGUAN_KEY_FILE` names,
//! else `DB.key` beside a SQLite file. `init`, `demo`, `serve` and `user add` create that file
//! (0600) when there is none; back it up apart from the database.

use std::path::PathBuf;

use anyhow::{Context, Result};
use jianguan_app::Clock;
use jianguan_audit::AuditAction;
use jianguan_domain::i18n::Lang;
use jianguan_store::secrets::SecretKey;

/// Where the key file of `db` is, if it has one.
fn key_file(db: &str) -> Option<PathBuf> {
    std::env::var_os("JIANGUAN_KEY_FILE")
        .map(PathBuf::from)
        .or_else(|| jianguan_app::audit::default_anchor_path(db).map(|p| p.with_extension("key")))
}

/// Finds this database's key and installs it for the process; with `create`, makes a new key
/// file when there is none. The key file used, if any.
pub fn install(db: &str, create: bool, lang: Lang) -> Result<Option<PathBuf>> {
    if let Ok(hex) = std::env::var("JIANGUAN_SECRET_KEY") {
        let key = SecretKey::from_hex(&hex).context("JIANGUAN_SECRET_KEY")?;
        jianguan_store::secrets::use_key(key)?;
        return Ok(None);
    }
    let Some(path) = key_file(db) else {
        return Ok(None);
    };
    let key = match std::fs::read_to_string(&path) {
        Ok(text) => SecretKey::from_hex(&text).with_context(|| path.display().to_string())?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
            let key = SecretKey::generate()?;
            let mut file = jianguan_store::backup::create_private_file(&path)
                .with_context(|| format!("creating the key file {}", path.display()))?;
            use std::io::Write;
            writeln!(file, "{}", key.to_hex())
                .and_then(|()| file.sync_all())
                .with_context(|| format!("writing the key file {}", path.display()))?;
            eprintln!(
                "{}",
                lang.tn(
                    "已生成密钥文件 {n}（用于加密动态口令密钥、为已发布的评分结果生成完整性校验码；请与数据库分开备份，丢失后无法解开已加密的动态口令、无法核验评分）",
                    path.display()
                )
            );
            key
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| path.display().to_string()),
    };
    jianguan_store::secrets::use_key(key)?;
    Ok(Some(path))
}

/// Seals the TOTP seeds an older version stored in plain text (a server's start).
pub async fn seal_plain(store: &jianguan_store::Db, lang: Lang) -> Result<()> {
    let audit = jianguan_app::client::draft(
        Clock::system().now_ms(),
        "system",
        AuditAction::SecretsSeal,
        "accounts",
    );
    let sealed = jianguan_store::secrets::seal_plain_secrets(store, &audit).await?;
    if sealed > 0 {
        eprintln!(
            "{}",
            lang.tn("已加密 {n} 个以明文保存的动态口令密钥", sealed)
        );
    }
    Ok(())
}
