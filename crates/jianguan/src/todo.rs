//! `jianguan todo`: what waits for each user (待办) on a day, as their pages list it — for a
//! deadline-day check from the command line and for scripts (`--json`). Over
//! `jianguan_app::todo`; reads only.

use std::sync::Arc;

use anyhow::{Context, Result};
use jianguan_access::Role;
use jianguan_app::todo::{self, Requester};
use jianguan_app::{App, Clock};
use jianguan_domain::i18n::Lang;
use jianguan_domain::store::prelude::*;

/// `jianguan todo …`.
#[derive(Debug, clap::Args)]
pub struct TodoArgs {
    /// Database: a file path, sqlite://PATH or postgres://….
    #[arg(long, env = "JIANGUAN_DATABASE_URL")]
    db: String,
    /// One account (its user name); default every enabled account.
    #[arg(long)]
    user: Option<String>,
    /// The day (YYYY-MM-DD); default today in Beijing.
    #[arg(long)]
    today: Option<jiff::civil::Date>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `todo`, its lines in `lang`.
pub async fn run(args: TodoArgs, lang: Lang) -> Result<()> {
    // The accounts' sealed second-factor seeds need the database's key to be read.
    crate::keys::install(&args.db, false, lang)?;
    let store = jianguan_store::open_read_only(&args.db)
        .await
        .context("opening the database")?;
    let today = args
        .today
        .unwrap_or_else(jianguan_app::clock::today_in_china);
    let app = App::new(Arc::new(store.clone()), Clock::system());
    let accounts: Vec<_> = store
        .list_accounts()
        .await?
        .into_iter()
        .filter(|a| a.disabled_at_ms.is_none())
        .filter(|a| args.user.as_ref().is_none_or(|u| *u == a.username))
        .collect();
    if let Some(user) = &args.user
        && accounts.is_empty()
    {
        anyhow::bail!("{}", lang.tn("没有名为 {n} 的有效账户", user));
    }
    let mut out = Vec::new();
    for account in &accounts {
        let roles: Vec<Role> = account
            .roles
            .iter()
            .filter_map(|r| Role::from_code(r))
            .collect();
        let who = Requester {
            roles: &roles,
            unit: account.unit,
        };
        let lines = todo::for_user(&app, who, today).await?;
        out.push((account, roles, lines));
    }
    store.close().await;
    if args.json {
        let json: Vec<serde_json::Value> = out
            .iter()
            .map(|(a, roles, lines)| {
                serde_json::json!({
                    "username": a.username,
                    "roles": roles.iter().map(|r| r.code()).collect::<Vec<_>>(),
                    "total": lines.iter().map(|t| t.count).sum::<usize>(),
                    "todo": lines.iter().map(|t| serde_json::json!({
                        "duty": t.duty.code(),
                        "count": t.count,
                        "deadline": t.deadline,
                        "href": t.href,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "today": today, "accounts": json }))?
        );
        return Ok(());
    }
    for (account, roles, lines) in &out {
        let roles: Vec<&str> = roles.iter().map(|r| lang.t(r.label())).collect();
        println!("{}（{}）", account.username, roles.join("、"));
        if lines.is_empty() {
            println!("  {}", lang.t("目前没有需要您处理的事项。"));
        }
        for t in lines {
            let deadline = t
                .deadline
                .map(|d| format!(" · {}", lang.tn("截止 {n}", lang.date(d))))
                .unwrap_or_default();
            println!("  {}{deadline}", lang.tn(t.duty.label(), t.count));
        }
    }
    Ok(())
}
