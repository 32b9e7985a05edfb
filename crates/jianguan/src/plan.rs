//! `jianguan plan`: the office's part of the annual plan from the command line — show a year's
//! plans, approve them (all, or one unit's), and carry unfinished projects into the next year.

use anyhow::{Context, Result, anyhow};
use clap::Subcommand;
use jianguan_app::Clock;
use jianguan_app::plans::{self, Who};
use jianguan_domain::i18n::Lang;
use jianguan_domain::model::{PlanStatus, Portfolio, Unit};
use jianguan_domain::plan::{self as rules, PlanChangeStatus};
use jianguan_domain::store::prelude::*;

/// What `jianguan plan` does.
#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// A year's plans per district (draft, submitted, approved, derived milestones) and the plan
    /// changes asked.
    Show {
        /// Database: a file path, sqlite://PATH or postgres://….
        #[arg(long, env = "JIANGUAN_DATABASE_URL")]
        db: String,
        /// The plan year (default: the year being reported on).
        #[arg(long)]
        year: Option<i16>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Approve a year's plans (drafts and submitted ones): the baseline is frozen, derived
    /// milestone dates become planned ones. All projects, or those of one unit (name or id).
    Approve {
        /// Database: a file path, sqlite://PATH or postgres://….
        #[arg(long, env = "JIANGUAN_DATABASE_URL")]
        db: String,
        /// The plan year.
        #[arg(long)]
        year: i16,
        /// Only this unit's projects (its name or id): a district, lead unit or responsible unit.
        #[arg(long)]
        unit: Option<String>,
    },
    /// Carry a year's unfinished projects into the next year as draft plans.
    CarryOver {
        /// Database: a file path, sqlite://PATH or postgres://….
        #[arg(long, env = "JIANGUAN_DATABASE_URL")]
        db: String,
        /// The year carried from (its projects get plans for the year after).
        #[arg(long)]
        from: i16,
    },
}

/// Runs `jianguan plan …`.
pub async fn run(command: PlanCommand, lang: Lang) -> Result<()> {
    match command {
        PlanCommand::Show { db, year, json } => show(&db, year, json, lang).await,
        PlanCommand::Approve { db, year, unit } => approve(&db, year, unit.as_deref(), lang).await,
        PlanCommand::CarryOver { db, from } => carry_over(&db, from, lang).await,
    }
}

/// The database and its portfolio; `writing` opens it for a change (an older schema backed up,
/// then migrated), otherwise read-only (an older schema refused).
async fn load(db: &str, writing: bool, lang: Lang) -> Result<(jianguan_store::Db, Portfolio)> {
    let store = if writing {
        crate::backup::open_for_writing(db, lang).await
    } else {
        jianguan_store::open_read_only(db).await.map_err(Into::into)
    }
    .context("opening the database")?;
    // Plans are made from the records: no report version is read.
    let portfolio = store.load_records().await?;
    Ok((store, portfolio))
}

fn unit<'a>(portfolio: &'a Portfolio, name: Option<&str>, lang: Lang) -> Result<Option<&'a Unit>> {
    name.map(|n| {
        jianguan_domain::org::resolve(&portfolio.units, n)
            .map_err(|e| anyhow!(lang.t(&e.to_string()).to_string()))
    })
    .transpose()
}

async fn approve(db: &str, year: i16, unit_name: Option<&str>, lang: Lang) -> Result<()> {
    let (store, portfolio) = load(db, true, lang).await?;
    let unit = unit(&portfolio, unit_name, lang)?;
    let candidates = plans::projects_of(&portfolio, year, unit).count();
    if candidates == 0 {
        store.close().await;
        return Err(anyhow!(
            "{}",
            match unit {
                Some(u) => lang.tn2("{n} 年没有「{m}」的项目计划：请先导入台账", year, &u.name),
                None => lang.tn("{n} 年没有的项目计划：请先导入台账", year),
            }
        ));
    }
    let who = Who {
        name: "cli",
        unit: None,
    };
    let n = plans::set_status(
        &store,
        Clock::system(),
        &portfolio,
        year,
        unit,
        PlanStatus::Approved,
        who,
    )
    .await?;
    println!(
        "{}{}{}",
        lang.tn2("已批准 {n} 年计划 {m} 项（", year, n),
        unit.map_or(String::new(), |u| lang.tn("{n}，", &u.name)),
        lang.tn(
            "共 {n} 项，其余此前已批准）；基线已冻结，此后的变更须走计划调整。",
            candidates
        )
    );
    store.close().await;
    Ok(())
}

async fn show(db: &str, year: Option<i16>, json: bool, lang: Lang) -> Result<()> {
    let (store, portfolio) = load(db, false, lang).await?;
    let today = jianguan_app::clock::today_in_china();
    let year = year.unwrap_or_else(|| portfolio.default_year(today));
    let changes = store.plan_changes(Some(year)).await?;
    store.close().await;
    let (by_district, total) = rules::tally_by_district(&portfolio, year);
    let counts = rules::adjustment_counts(&portfolio, &changes, year);
    if json {
        let districts: Vec<serde_json::Value> = by_district
            .iter()
            .map(|(id, t)| {
                serde_json::json!({
                    "district": portfolio.unit_name(*id),
                    "draft": t.draft,
                    "submitted": t.submitted,
                    "approved": t.approved,
                    "cancelled": t.cancelled,
                    "derived_milestones": t.derived_milestones,
                    "changes": counts.by_district.get(id).copied().unwrap_or(0),
                })
            })
            .collect();
        let out = serde_json::json!({
            "year": year,
            "total": total,
            "districts": districts,
            "changes": changes.len(),
            "pending_changes": changes.iter().filter(|c| c.status == PlanChangeStatus::Pending).count(),
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    println!("{}", lang.tn2("{n} 年计划：共 {m} 项", year, total.total()));
    // Each number column is as wide as its heading and a space, at least the Chinese widths.
    let headings = ["草拟", "已报送", "已批准", "推算节点", "调整申请"].map(|h| lang.t(h));
    let widths: Vec<usize> = headings
        .iter()
        .zip([6, 6, 6, 8, 8])
        .map(|(h, least)| least.max(h.chars().count() + 1))
        .collect();
    let mut line = format!("{:<16}", lang.t("县区"));
    for (h, w) in headings.iter().zip(&widths) {
        line.push_str(&format!("{h:>w$}"));
    }
    println!("{line}");
    for (id, t) in &by_district {
        let mut line = format!("{:<16}", portfolio.unit_name(*id));
        let values = [
            t.draft,
            t.submitted,
            t.approved,
            t.derived_milestones,
            counts.by_district.get(id).copied().unwrap_or(0),
        ];
        for (v, w) in values.iter().zip(&widths) {
            line.push_str(&format!("{v:>w$}"));
        }
        println!("{line}");
    }
    for c in &changes {
        let code = portfolio
            .project(c.request.project)
            .map_or("?", |p| p.code.as_str());
        println!(
            "{} {} {}{}",
            lang.tn2("调整申请 {n}：{m}", c.id, code),
            lang.t(c.request.kind.label()),
            lang.t(c.status.label()),
            lang.tn("（{n}）", &c.request.reason)
        );
    }
    Ok(())
}

async fn carry_over(db: &str, from: i16, lang: Lang) -> Result<()> {
    let (store, portfolio) = load(db, true, lang).await?;
    let n = plans::carry_over(&store, Clock::system(), &portfolio, from, "cli").await?;
    println!(
        "{}{}",
        lang.tn2("已将 {n} 年未完成的 {m} 个项目", from, n),
        lang.tn(
            "结转为 {n} 年草拟计划（剩余节点保持不变，年度投资待填报）。",
            from + 1
        )
    );
    store.close().await;
    Ok(())
}
