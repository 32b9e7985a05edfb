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
use jianguan_audit::{AuditDraft, FieldChange};
use jianguan_domain::Date;
use jianguan_domain::assessment::{
    DEFAULT_SCHEME_TOML, Decision, DisputedLine, EnteredValue, Month, Objection, Scheme, ScoreRun,
    SubjectKind, default_dictionary,
};
use jianguan_domain::model::{Portfolio, UnitId, UnitKind};
use jianguan_domain::store::prelude::*;
use jianguan_web::assessment::{self, Inputs, ScoreRequest, Stored, change, score_month};

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

fn audit(by: &str, action: &str, object: String, changes: Vec<FieldChange>) -> AuditDraft {
    let mut record = assessment::audit(by, None, action, object);
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
pub async fn score(args: ScoreArgs) -> Result<()> {
    if let Some(ScoreCommand::Publish {
        db,
        month,
        kind,
        on,
        by,
    }) = args.command
    {
        return publish(&db, month, kind, on, &by).await;
    }
    let (Some(db), Some(month)) = (args.db, args.month) else {
        anyhow::bail!("--db and --month are required");
    };
    let started = Instant::now();
    let store = jianguan_store::open_existing(&db)
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
                "{month} {}尚未发布，重新计分为草稿，更正理由不记录",
                kind.label()
            );
        }
        let request = ScoreRequest {
            month,
            kind,
            rescore: args.rescore,
            reason: args.reason.as_deref(),
            by: &args.by,
            unit: None,
            today: jianguan_web::today_in_china(),
        };
        let (run, stored) = score_month(&store, loaded.as_ref(), latest, request).await?;
        eprintln!(
            "{month} {}：{}",
            kind.label(),
            match stored {
                Stored::Draft => format!("已计分，存为草稿（第 {} 版）", run.version),
                Stored::Unchanged => format!(
                    "已于 {} 发布第 {} 版，结果不变（更正请加 --rescore --reason 理由）",
                    run.published_on.map(|d| d.to_string()).unwrap_or_default(),
                    run.version
                ),
                Stored::Corrected => format!("已更正，发布第 {} 版", run.version),
            }
        );
        runs.push(run);
    }
    if args.json {
        let runs = runs.iter().map(run_json).collect::<Result<Vec<_>>>()?;
        let view = serde_json::json!({ "month": month, "runs": runs });
        println!("{}", serde_json::to_string_pretty(&view)?);
    } else {
        for run in &runs {
            print!("{}", league_table(run));
        }
    }
    eprintln!(
        "用时 {:.2} 秒（读取 {:.2} 秒）",
        started.elapsed().as_secs_f64(),
        read.as_secs_f64()
    );
    store.close().await;
    Ok(())
}

/// A run's league table: rank, name, total, tier, trend, base, deductions, bonuses and the
/// lists, then the lists with their reasons.
pub fn league_table(run: &ScoreRun) -> String {
    let s = &run.scores;
    let mut out = String::new();
    let state = if run.published {
        format!(
            "已发布 {}",
            run.published_on.map(|d| d.to_string()).unwrap_or_default()
        )
    } else {
        "草稿".to_string()
    };
    let _ = writeln!(
        out,
        "{} {}月度考评 第{}版（{}）  {} 第{}版",
        s.month,
        s.kind.label(),
        run.version,
        state,
        s.scheme.name,
        s.scheme.version
    );
    if let Some(reason) = &run.correction_reason {
        let _ = writeln!(out, "更正理由：{reason}");
    }
    let _ = writeln!(
        out,
        "名次\t单位\t总分\t等次\t趋势\t基础分\t扣分\t加分\t名单"
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
            marks.push("表扬");
        }
        if listed(&s.accountability, c.subject.id) {
            marks.push("问责");
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
            marks.join("、")
        );
    }
    let names = |list: &[jianguan_domain::assessment::ListEntry]| {
        list.iter()
            .map(|e| e.subject.name.as_str())
            .collect::<Vec<_>>()
            .join("、")
    };
    let _ = writeln!(out, "表扬：{}", names(&s.reward));
    let _ = writeln!(out, "问责：{}", names(&s.accountability));
    out.push('\n');
    out
}

/// `jianguan score publish`.
async fn publish(db: &str, month: Month, kind: KindArg, on: Option<Date>, by: &str) -> Result<()> {
    let store = jianguan_store::open_existing(db)
        .await
        .context("opening the database")?;
    let on = on.unwrap_or_else(jianguan_web::today_in_china);
    for &kind in kind.kinds() {
        let run = assessment::publish(&store, month, kind, on, by, None)
            .await
            .with_context(|| format!("publishing {month} {}", kind.label()))?;
        println!(
            "已发布 {month} {}考评结果第 {} 版（{}）",
            kind.label(),
            run.version,
            on
        );
    }
    store.close().await;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// `jianguan scheme` and `jianguan indicator`.
// ---------------------------------------------------------------------------------------------

/// `jianguan scheme …`.
pub async fn scheme(command: SchemeCommand) -> Result<()> {
    match command {
        SchemeCommand::Show { db, year, version } => scheme_show(&db, year, version).await,
        SchemeCommand::Set { db, year, by, file } => scheme_change(&db, year, &file, &by).await,
    }
}

async fn scheme_show(db: &str, year: i16, version: Option<u32>) -> Result<()> {
    let store = jianguan_store::open_existing(db)
        .await
        .context("opening the database")?;
    match store.scheme(year, version).await? {
        Some(saved) => {
            eprintln!(
                "{year} 年考评办法第 {} 版，{} 保存",
                saved.version, saved.saved_by
            );
            print!("{}", saved.body);
        }
        None => {
            let default = assessment::default_scheme();
            anyhow::ensure!(
                version.is_none() && default.year == year,
                "{year} 年没有{}考评办法",
                version.map(|v| format!("第 {v} 版")).unwrap_or_default()
            );
            eprintln!("{year} 年尚未保存考评办法，使用默认办法：");
            print!("{DEFAULT_SCHEME_TOML}");
        }
    }
    store.close().await;
    Ok(())
}

/// The line of `text` that sets `key` at the top level, for a message about it.
fn line_of(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|i| i + 1)
}

async fn scheme_change(db: &str, year: i16, file: &std::path::Path, by: &str) -> Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let scheme =
        Scheme::from_toml(&text).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    if scheme.year != year {
        anyhow::bail!(
            "{}: {}办法的 year = {}，与 --year {year} 不符",
            file.display(),
            line_of(&text, "year")
                .map(|l| format!("第{l}行: "))
                .unwrap_or_default(),
            scheme.year
        );
    }
    let store = jianguan_store::open_existing(db)
        .await
        .context("opening the database")?;
    let portfolio = store.load_read_model().await?.portfolio;
    scheme
        .check_units(&portfolio)
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let before = store
        .scheme(year, None)
        .await?
        .map(|s| s.version.to_string());
    let saved = store
        .save_scheme(
            year,
            scheme.version,
            &text,
            &audit(
                by,
                "settings.scoring_scheme",
                format!("scoring_scheme:{year}"),
                vec![change("version", before, scheme.version)],
            ),
        )
        .await
        .with_context(|| format!("{}", file.display()))?;
    println!(
        "已保存 {year} 年考评办法第 {} 版「{}」（{} 个考核体系，{} 项扣分、{} 项加分）",
        saved.version,
        scheme.name,
        scheme.systems.len(),
        scheme.deductions.len(),
        scheme.bonuses.len()
    );
    store.close().await;
    Ok(())
}

/// `jianguan indicator …`.
pub async fn indicator(command: IndicatorCommand) -> Result<()> {
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
    let store = jianguan_store::open_existing(&db)
        .await
        .context("opening the database")?;
    let portfolio = store.load_read_model().await?.portfolio;
    let Some(u) = portfolio.unit(entry.subject) else {
        anyhow::bail!("没有编号为 {unit} 的单位");
    };
    anyhow::ensure!(
        matches!(u.kind, UnitKind::District | UnitKind::LeadUnit),
        "「{}」是{}，考评指标按县区或牵头单位录入",
        u.name,
        u.kind.label()
    );
    let ids = store
        .enter_values(
            std::slice::from_ref(&entry),
            &audit(
                &by,
                "indicator.enter",
                format!("indicator:{}:{}:{month}", entry.indicator, unit),
                vec![change("value", None, entry.value)],
            ),
        )
        .await?;
    println!(
        "已录入 {} {month} {}：{}{}（第 {} 条）",
        u.name, found.name, entry.value, found.unit, ids[0]
    );
    store.close().await;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The demo city.
// ---------------------------------------------------------------------------------------------

/// What [`write_demo_assessment`] wrote.
pub struct DemoCounts {
    /// Entered values.
    pub entered: usize,
    /// Media reports.
    pub media: usize,
    /// Runs stored.
    pub runs: usize,
}

/// Writes the demo city's assessment inputs (entered values, media register), the default
/// scheme for its year, then scores every month of the year for districts and lead units and
/// publishes all but December (published on the 5th of the month after), which stays a draft;
/// and two objections of 映湖区 (the demo's district account): one to October, rejected by
/// the office, one to November, open.
pub async fn write_demo_assessment(store: &dyn Store, city: &Portfolio) -> Result<DemoCounts> {
    let demo = jianguan_demo::demo_assessment(city);
    let by = "demo";
    store
        .enter_values(
            &demo.entered,
            &audit(
                by,
                "indicator.enter",
                "indicator_values".into(),
                vec![change("entries", None, demo.entered.len())],
            ),
        )
        .await
        .context("writing the demo's indicator values")?;
    store
        .add_media_reports(
            &demo.media,
            &audit(
                by,
                "media.add",
                "media_reports".into(),
                vec![change("reports", None, demo.media.len())],
            ),
        )
        .await
        .context("writing the demo's media register")?;
    assessment::save_default_scheme(store, by).await?;
    let scheme = assessment::default_scheme();

    let inputs = Inputs::load(store).await?;
    let mut runs = 0;
    let mut previous: [Option<ScoreRun>; 2] = [None, None];
    for m in 1..=12 {
        let month = Month::new(jianguan_demo::DEMO_YEAR, m).expect("a month");
        let filings = inputs.filings(store, month).await?;
        for (k, kind) in SubjectKind::ALL.into_iter().enumerate() {
            let (measured, scores) =
                inputs.score(&filings, &scheme, kind, month, previous[k].as_ref())?;
            let run = ScoreRun::draft(measured, scores)?;
            store
                .save_draft_run(
                    &run,
                    &audit(
                        by,
                        "score.draft",
                        assessment::run_object(month, kind, 1),
                        Vec::new(),
                    ),
                )
                .await?;
            let run = if m < 12 {
                let on = month.next().first_day() + jiff::ToSpan::days(4);
                store
                    .publish_run(
                        month,
                        kind,
                        on,
                        &audit(
                            by,
                            "score.publish",
                            assessment::run_object(month, kind, 1),
                            vec![change("published_on", None, on)],
                        ),
                    )
                    .await?
            } else {
                run
            };
            runs += 1;
            previous[k] = Some(run);
        }
    }
    demo_objections(store, city).await?;
    Ok(DemoCounts {
        entered: demo.entered.len(),
        media: demo.media.len(),
        runs,
    })
}

/// 映湖区 disputes a 警示 deduction of October (rejected) and a late-filing deduction of
/// November (open).
async fn demo_objections(store: &dyn Store, city: &Portfolio) -> Result<()> {
    let district = city
        .units_of(UnitKind::District)
        .next()
        .context("the demo has districts")?
        .id;
    let office = city
        .units_of(UnitKind::CommandHq)
        .next()
        .context("the demo has an office")?
        .id;
    let day = |s: &str| -> Date { s.parse().expect("a date") };
    let objection = |month: &str, line, reason: &str, evidence: &str, filed: &str| Objection {
        id: 0,
        subject: district,
        kind: SubjectKind::District,
        month: Month::parse(month).expect("a month"),
        run_version: 1,
        line,
        reason: reason.into(),
        evidence: evidence.into(),
        filed_on: day(filed),
        filed_by: "district".into(),
        decision: None,
    };
    let october = objection(
        "2021-10",
        DisputedLine::Deduction("warning".into()),
        "相关节点因管线迁改受阻，已报协调事项，不应计入警示扣分",
        "协调事项办理记录、供电公司复函",
        "2021-11-08",
    );
    let id = store
        .file_objection(
            &october,
            &audit("district", "objection.file", String::new(), Vec::new()),
        )
        .await?;
    let decision = Decision {
        accepted: false,
        on: day("2021-11-10"),
        by: office,
        reason: "管线迁改协调不影响节点计划，警示依规则生成，维持原结果".into(),
    };
    store
        .decide_objection(
            id,
            &decision,
            &audit(
                "office",
                "objection.decide",
                format!("objection:{id}"),
                vec![change("status", Some("open".into()), "rejected")],
            ),
        )
        .await?;
    let november = objection(
        "2021-11",
        DisputedLine::Deduction("filing_late".into()),
        "第 22 期系统故障导致迟报，已当日补报",
        "信息中心故障说明",
        "2021-12-07",
    );
    store
        .file_objection(
            &november,
            &audit("district", "objection.file", String::new(), Vec::new()),
        )
        .await?;
    Ok(())
}
