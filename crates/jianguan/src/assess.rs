//! The monthly assessment's commands: `score` (score a month and print its league table or
//! JSON), `score publish`, `scheme show|set` and `indicator enter`; and the demo city's year
//! of published months.
//!
//! A month is read from the store once: the read model, the warnings and tracked items, the
//! entered values and the media register, and only the filings of the periods whose deadline
//! falls in the month ([`Inputs::filings`]). Scoring is the domain's
//! ([`measure_month`], [`score_measured`]); the run stored is a draft until published, then
//! frozen, and a correction is a new version with a reason.

use std::fmt::Write as _;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use jianguan_app::Clock;
use jianguan_app::assessment::{self, Inputs, ScoreRequest, Stored, change, score_month};
use jianguan_audit::{AuditAction, AuditDraft, FieldChange};
use jianguan_domain::Date;
use jianguan_domain::assessment::{
    DEFAULT_SCHEME_TOML, EnteredValue, Month, ScoreRun, SubjectKind, default_dictionary,
};
use jianguan_domain::i18n::Lang;
use jianguan_domain::model::{UnitId, UnitKind};
use jianguan_domain::store::prelude::*;

/// Which subjects a command covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// Districts (县区).
    District,
    /// Lead units (牵头单位).
    LeadUnit,
    /// Both.
    All,
}

impl KindArg {
    fn kinds(self) -> &'static [SubjectKind] {
        match self {
            KindArg::District => &[SubjectKind::District],
            KindArg::LeadUnit => &[SubjectKind::LeadUnit],
            KindArg::All => &SubjectKind::ALL,
        }
    }
}

/// `jianguan score`: score a month (or `score publish`).
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ScoreArgs {
    #[command(subcommand)]
    command: Option<ScoreCommand>,
    /// Database: a file path, sqlite://PATH or postgres://….
    #[arg(long, env = "JIANGUAN_DATABASE_URL", required = true)]
    db: Option<String>,
    /// The month, e.g. 2021-10.
    #[arg(long, required = true)]
    month: Option<Month>,
    /// Districts, lead units or both.
    #[arg(long, value_enum, default_value_t = KindArg::All)]
    kind: KindArg,
    /// Print JSON (the month's runs with their scores) instead of league tables.
    #[arg(long)]
    json: bool,
    /// Score a published month again: stores a correction (a new published version).
    #[arg(long)]
    rescore: bool,
    /// Why a published month is corrected (required with --rescore on a published month).
    #[arg(long, requires = "rescore")]
    reason: Option<String>,
    /// Who scores (recorded in the audit trail).
    #[arg(long, default_value = "cli")]
    by: String,
}

#[derive(Debug, Subcommand)]
enum ScoreCommand {
    /// Publish a month's draft scores: from then on they are frozen, and a correction is a
    /// new version with a reason.
    Publish {
        /// Database: a file path, sqlite://PATH or postgres://….
        #[arg(long, env = "JIANGUAN_DATABASE_URL")]
        db: String,
        /// The month, e.g. 2021-10.
        #[arg(long)]
        month: Month,
        /// Districts, lead units or both.
        #[arg(long, value_enum, default_value_t = KindArg::All)]
        kind: KindArg,
        /// The day of publication (default: today).
        #[arg(long)]
        on: Option<Date>,
        /// Who publishes (recorded in the audit trail).
        #[arg(long, default_value = "cli")]
        by: String,
    },
}

/// `jianguan scheme`: the scoring scheme of a year.
#[derive(Debug, Subcommand)]
pub enum SchemeCommand {
    /// Print a year's scheme in force (or a given version).
    Show {
        /// Database: a file path, sqlite://PATH or postgres://….
        #[arg(long, env = "JIANGUAN_DATABASE_URL")]
        db: String,
        /// The year.
        #[arg(long)]
        year: i16,
        /// A version other than the latest.
        #[arg(long)]
        version: Option<u32>,
    },
    /// Validate a scheme file and save it as the year's new version (a refused file names
    /// its line and changes nothing).
    Set {
        /// Database: a file path, sqlite://PATH or postgres://….
        #[arg(long, env = "JIANGUAN_DATABASE_URL")]
        db: String,
        /// The year it is for (must match the file's `year`).
        #[arg(long)]
        year: i16,
        /// Who saves it (recorded in the audit trail).
        #[arg(long, default_value = "cli")]
        by: String,
        /// The TOML file.
        file: std::path::PathBuf,
    },
}

/// `jianguan indicator`: entered indicator values.
#[derive(Debug, Subcommand)]
pub enum IndicatorCommand {
    /// Enter a value for an indicator, a district or lead unit and a month (a correction is
    /// entered the same way: the latest entry counts).
    Enter {
        /// Database: a file path, sqlite://PATH or postgres://….
        #[arg(long, env = "JIANGUAN_DATABASE_URL")]
        db: String,
        /// The indicator's code, e.g. street_cleaning_marketisation.
        #[arg(long)]
        indicator: String,
        /// The unit's id (a district or lead unit).
        #[arg(long)]
        unit: i64,
        /// The month, e.g. 2021-10.
        #[arg(long)]
        month: Month,
        /// The value in the indicator's unit (a rate in percent).
        #[arg(long)]
        value: f64,
        /// Where the figure comes from.
        #[arg(long, default_value = "")]
        note: String,
        /// Who enters it (recorded in the audit trail).
        #[arg(long, default_value = "cli")]
        by: String,
    },
}

fn audit(by: &str, action: AuditAction, object: String, changes: Vec<FieldChange>) -> AuditDraft {
    let mut record = assessment::audit(Clock::system(), by, None, action, object);
    record.changes = changes;
    record
}

// ---------------------------------------------------------------------------------------------
// `jianguan score`.
// ---------------------------------------------------------------------------------------------

/// One run as `score --json` prints it: the record's state and its scores (the inputs are in
/// the scores' records).
fn run_json(run: &ScoreRun) -> Result<serde_json::Value> {
    Ok(serde_json::json!({
        "kind": run.kind,
        "version": run.version,
        "published": run.published,
        "published_on": run.published_on,
        "correction_reason": run.correction_reason,
        "scheme_year": run.scheme_year,
        "scheme_version": run.scheme_version,
        "scores": serde_json::to_value(&run.scores)?,
    }))
}

/// `jianguan score …`.
pub async fn score(args: ScoreArgs, lang: Lang) -> Result<()> {
    if let Some(ScoreCommand::Publish {
        db,
        month,
        kind,
        on,
        by,
    }) = args.command
    {
        return publish(&db, month, kind, on, &by, lang).await;
    }
    let (Some(db), Some(month)) = (args.db, args.month) else {
        anyhow::bail!("--db and --month are required");
    };
    let started = Instant::now();
    let store = crate::backup::open_for_writing(&db, lang)
        .await
        .context("opening the database")?;
    let mut latest = Vec::new();
    for &kind in args.kind.kinds() {
        latest.push(store.latest_run(month, kind).await?);
    }
    // A published month is shown as it is, without reading the records, unless rescored.
    let scoring = args.rescore
        || latest
            .iter()
            .any(|r| r.as_ref().is_none_or(|r| !r.published));
    let loaded = if scoring {
        let inputs = Inputs::load(&store).await?;
        let filings = inputs.filings(&store, month).await?;
        Some((inputs, filings))
    } else {
        None
    };
    let read = started.elapsed();
    let mut runs = Vec::new();
    for (&kind, latest) in args.kind.kinds().iter().zip(latest) {
        if args.reason.is_some() && latest.as_ref().is_none_or(|r| !r.published) {
            eprintln!(
                "{month} {}",
                lang.tn(
                    "{n}尚未发布，重新计分为草稿，更正理由不记录",
                    lang.t(kind.label())
                )
            );
        }
        let request = ScoreRequest {
            month,
            kind,
            rescore: args.rescore,
            reason: args.reason.as_deref(),
            by: &args.by,
            unit: None,
            today: jianguan_app::clock::today_in_china(),
        };
        let (run, stored) =
            score_month(&store, Clock::system(), loaded.as_ref(), latest, request).await?;
        eprintln!(
            "{month} {}",
            lang.tn2(
                "{n}：{m}",
                lang.t(kind.label()),
                match stored {
                    Stored::Draft => lang.tn("已计分，存为草稿（第 {n} 版）", run.version),
                    Stored::Unchanged => lang.tn2(
                        "已于 {n} 发布第 {m} 版，结果不变（更正请加 --rescore --reason 理由）",
                        run.published_on.map(|d| d.to_string()).unwrap_or_default(),
                        run.version
                    ),
                    Stored::Corrected => lang.tn("已更正，发布第 {n} 版", run.version),
                }
            )
        );
        runs.push(run);
    }
    if args.json {
        let runs = runs.iter().map(run_json).collect::<Result<Vec<_>>>()?;
        let view = serde_json::json!({ "month": month, "runs": runs });
        println!("{}", serde_json::to_string_pretty(&view)?);
    } else {
        for run in &runs {
            print!("{}", league_table(run, lang));
        }
    }
    eprintln!(
        "{}",
        lang.tn2(
            "用时 {n} 秒（读取 {m} 秒）",
            format!("{:.2}", started.elapsed().as_secs_f64()),
            format!("{:.2}", read.as_secs_f64())
        )
    );
    store.close().await;
    Ok(())
}

/// A run's league table: rank, name, total, tier, trend, base, deductions, bonuses and the
/// lists, then the lists with their reasons.
pub fn league_table(run: &ScoreRun, lang: Lang) -> String {
    let s = &run.scores;
    let mut out = String::new();
    let state = if run.published {
        lang.tn(
            "已发布 {n}",
            run.published_on.map(|d| d.to_string()).unwrap_or_default(),
        )
    } else {
        lang.t("草稿").to_string()
    };
    let _ = writeln!(
        out,
        "{} {}{}  {} {}",
        s.month,
        lang.tn2("{n}月度考评 第{m}版", lang.t(s.kind.label()), run.version),
        lang.tn("（{n}）", state),
        s.scheme.name,
        lang.tn("第{n}版", s.scheme.version)
    );
    if let Some(reason) = &run.correction_reason {
        let _ = writeln!(out, "{}", lang.tn("更正理由：{n}", reason));
    }
    let _ = writeln!(
        out,
        "{}",
        lang.t("名次\t单位\t总分\t等次\t趋势\t基础分\t扣分\t加分\t名单")
    );
    let listed = |list: &[jianguan_domain::assessment::ListEntry], id: UnitId| {
        list.iter().any(|e| e.subject.id == id)
    };
    for c in &s.subjects {
        let trend = match &c.trend {
            Some(t) => match t.rank_change {
                Some(r) if r != 0 => format!("{}{}", t.arrow(), r.abs()),
                _ => t.arrow().to_string(),
            },
            None => "—".to_string(),
        };
        let mut marks = Vec::new();
        if listed(&s.reward, c.subject.id) {
            marks.push(lang.t("表扬"));
        }
        if listed(&s.accountability, c.subject.id) {
            marks.push(lang.t("问责"));
        }
        let _ = writeln!(
            out,
            "{}\t{}\t{:.2}\t{}\t{}\t{:.2}\t-{:.2}\t+{:.2}\t{}",
            c.rank.map_or("—".to_string(), |r| r.to_string()),
            c.subject.name,
            c.total,
            c.tier.as_deref().unwrap_or("—"),
            trend,
            c.base,
            c.deducted,
            c.added,
            marks.join(lang.t("、"))
        );
    }
    let names = |list: &[jianguan_domain::assessment::ListEntry]| {
        list.iter()
            .map(|e| e.subject.name.as_str())
            .collect::<Vec<_>>()
            .join(lang.t("、"))
    };
    let _ = writeln!(out, "{}", lang.tn("表扬：{n}", names(&s.reward)));
    let _ = writeln!(out, "{}", lang.tn("问责：{n}", names(&s.accountability)));
    out.push('\n');
    out
}

/// `jianguan score publish`.
async fn publish(
    db: &str,
    month: Month,
    kind: KindArg,
    on: Option<Date>,
    by: &str,
    lang: Lang,
) -> Result<()> {
    let store = crate::backup::open_for_writing(db, lang)
        .await
        .context("opening the database")?;
    let on = on.unwrap_or_else(jianguan_app::clock::today_in_china);
    for &kind in kind.kinds() {
        let run = assessment::publish(&store, Clock::system(), month, kind, on, by, None)
            .await
            .with_context(|| format!("publishing {month} {}", kind.label()))?;
        println!(
            "{}{}",
            lang.tn2("已发布 {n} {m}", month, lang.t(kind.label())),
            lang.tn2("考评结果第 {n} 版（{m}）", run.version, on)
        );
    }
    store.close().await;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// `jianguan scheme` and `jianguan indicator`.
// ---------------------------------------------------------------------------------------------

/// `jianguan scheme …`.
pub async fn scheme(command: SchemeCommand, lang: Lang) -> Result<()> {
    match command {
        SchemeCommand::Show { db, year, version } => scheme_show(&db, year, version, lang).await,
        SchemeCommand::Set { db, year, by, file } => {
            scheme_change(&db, year, &file, &by, lang).await
        }
    }
}

async fn scheme_show(db: &str, year: i16, version: Option<u32>, lang: Lang) -> Result<()> {
    let store = jianguan_store::open_read_only(db)
        .await
        .context("opening the database")?;
    match store.scheme(year, version).await? {
        Some(saved) => {
            eprintln!(
                "{}{}",
                lang.tn2("{n} 年考评办法第 {m} 版，", year, saved.version),
                lang.tn("{n} 保存", &saved.saved_by)
            );
            print!("{}", saved.body);
        }
        None => {
            let default = assessment::default_scheme();
            anyhow::ensure!(
                version.is_none() && default.year == year,
                "{}",
                match version {
                    Some(v) => lang.tn2("{n} 年没有第 {m} 版考评办法", year, v),
                    None => lang.tn("{n} 年没有考评办法", year),
                }
            );
            eprintln!(
                "{}",
                lang.tn("{n} 年尚未保存考评办法，使用默认办法：", year)
            );
            print!("{DEFAULT_SCHEME_TOML}");
        }
    }
    store.close().await;
    Ok(())
}

async fn scheme_change(
    db: &str,
    year: i16,
    file: &std::path::Path,
    by: &str,
    lang: Lang,
) -> Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let store = crate::backup::open_for_writing(db, lang)
        .await
        .context("opening the database")?;
    let portfolio = store.load_records().await?;
    let (saved, scheme) =
        assessment::save_scheme(&store, Clock::system(), &portfolio, year, &text, by, None)
            .await
            .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    println!(
        "{}{}{}",
        lang.tn2("已保存 {n} 年考评办法第 {m} 版", year, saved.version),
        lang.tn2(
            "「{n}」（{m} 个考核体系，",
            &scheme.name,
            scheme.systems.len()
        ),
        lang.tn2(
            "{n} 项扣分、{m} 项加分）",
            scheme.deductions.len(),
            scheme.bonuses.len()
        )
    );
    store.close().await;
    Ok(())
}

/// `jianguan indicator …`.
pub async fn indicator(command: IndicatorCommand, lang: Lang) -> Result<()> {
    let IndicatorCommand::Enter {
        db,
        indicator,
        unit,
        month,
        value,
        note,
        by,
    } = command;
    let entry = EnteredValue {
        id: 0,
        indicator,
        subject: UnitId(unit),
        month,
        value,
        note,
    };
    let dictionary = default_dictionary();
    let found = dictionary.check_entry(&entry)?;
    let store = crate::backup::open_for_writing(&db, lang)
        .await
        .context("opening the database")?;
    let portfolio = store.load_records().await?;
    let Some(u) = portfolio.unit(entry.subject) else {
        anyhow::bail!("{}", lang.tn("没有编号为 {n} 的单位", unit));
    };
    anyhow::ensure!(
        matches!(u.kind, UnitKind::District | UnitKind::LeadUnit),
        "{}",
        lang.tn2(
            "「{n}」是{m}，考评指标按县区或牵头单位录入",
            &u.name,
            lang.t(u.kind.label())
        )
    );
    let ids = store
        .enter_values(
            std::slice::from_ref(&entry),
            &audit(
                &by,
                AuditAction::IndicatorEnter,
                format!("indicator:{}:{}:{month}", entry.indicator, unit),
                vec![change("value", None, entry.value)],
            ),
        )
        .await?;
    println!(
        "{} {month} {}{}{}",
        lang.tn("已录入 {n}", &u.name),
        found.name,
        lang.tn2("：{n}{m}", entry.value, &found.unit),
        lang.tn("（第 {n} 条）", ids[0])
    );
    store.close().await;
    Ok(())
}
