//! `jianguan security …`: the login settings the security administrator keeps (口令定期更换,
//! concurrent sessions, a second factor for everyone), for an office without a browser at hand.
//! The page `/admin/security` and this command save through the same use case.

use anyhow::{Context, Result};
use clap::Subcommand;
use jianguan_app::Clock;
use jianguan_app::accounts::{save_security_settings, security_settings};

use jianguan_domain::i18n::Lang;
use jianguan_domain::store::AuditStore;

use crate::backup;

/// `jianguan security …`.
#[derive(Debug, Subcommand)]
pub enum SecurityCommand {
    /// Print the login settings in force.
    Show {
        /// Database: a file path, sqlite://PATH or postgres://….
        #[arg(long, env = "JIANGUAN_DATABASE_URL")]
        db: String,
    },
    /// Change some of them (a new version, audited); the rest stay as they are.
    Set {
        /// Database: a file path, sqlite://PATH or postgres://….
        #[arg(long, env = "JIANGUAN_DATABASE_URL")]
        db: String,
        /// Days a password may be used before it must be changed (0: never).
        #[arg(long)]
        max_password_age_days: Option<u32>,
        /// Sessions one account may hold at once (1–100).
        #[arg(long)]
        max_sessions: Option<u32>,
        /// Whether every account, not only administrators, needs a second factor.
        #[arg(long)]
        second_factor_for_all: Option<bool>,
        /// Who changes them (recorded in the audit trail).
        #[arg(long, default_value = "cli")]
        by: String,
    },
}

pub async fn security(command: SecurityCommand, lang: Lang) -> Result<()> {
    match command {
        SecurityCommand::Show { db } => {
            let store = jianguan_store::open_read_only(&db)
                .await
                .context("opening the database")?;
            let s = security_settings(&store).await?;
            let suite = store.crypto_suite().await?;
            store.close().await;
            print_settings(&s, lang);
            println!(
                "{}{}",
                lang.tn("  密码算法：{n}", lang.t(suite.suite.label_zh())),
                lang.t("（初始化时选定）")
            );
        }
        SecurityCommand::Set {
            db,
            max_password_age_days,
            max_sessions,
            second_factor_for_all,
            by,
        } => {
            let store = backup::open_for_writing(&db, lang)
                .await
                .context("opening the database")?;
            let mut s = security_settings(&store).await?;
            if let Some(days) = max_password_age_days {
                s.max_password_age_days = days;
            }
            if let Some(n) = max_sessions {
                s.max_sessions = n;
            }
            if let Some(all) = second_factor_for_all {
                s.second_factor_for_all = all;
            }
            let saved = save_security_settings(&store, Clock::system(), &by, s).await;
            store.close().await;
            saved.map_err(|e| anyhow::anyhow!(e.to_string()))?;
            println!("{}", lang.t("安全设置已保存："));
            print_settings(&s, lang);
        }
    }
    Ok(())
}

fn print_settings(s: &jianguan_access::session::SecuritySettings, lang: Lang) {
    let age = match s.max_password_age_days {
        0 => lang.t("不限").to_string(),
        d => lang.tn("{n} 天", d),
    };
    println!("{}", lang.tn("口令最长使用期限：{n}", age));
    println!(
        "{}",
        lang.tn("每个账号同时在线会话：{n} 个", s.max_sessions)
    );
    println!(
        "{}",
        lang.tn(
            "双因素认证：{n}",
            if s.second_factor_for_all {
                lang.t("所有账号必须启用")
            } else {
                lang.t("管理员必须启用，其他账号可选")
            }
        )
    );
}
