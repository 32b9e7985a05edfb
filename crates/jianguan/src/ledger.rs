//! The ledger's commands: `import ledger` (read an Excel or CSV ledger, check it against the
//! records, show what would change, and write it in one transaction — or write an error report
//! and change nothing) and `export ledger` (the ledger as the office's .xlsx).
//!
//! Parsing, checking and laying out are `jianguan_documents::ledger`'s; this module reads the
//! file, draws the progress bar, calls the store and prints.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use jianguan_documents::ledger::{
    AliasTable, ImportError, ImportOptions, ImportPlan, error_report, latest_from_investment,
    latest_progress, ledger_workbook, plan_import, read_workbook,
};
use jianguan_domain::Date;
use jianguan_domain::coords::CoordinateSystem;
use jianguan_domain::i18n::Lang;
use jianguan_domain::store::prelude::*;

/// `jianguan import …`.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import a project ledger (.xlsx, .xls or UTF-8 .csv): all of it or, on any error,
    /// nothing (an error report is written instead).
    Ledger(ImportLedgerArgs),
}

/// `jianguan import ledger`.
#[derive(Debug, Args)]
pub struct ImportLedgerArgs {
    /// Database: a file path, sqlite://PATH or postgres://….
    #[arg(long, env = "JIANGUAN_DATABASE_URL")]
    db: String,
    /// Show what would change (new, updated, unchanged projects) and write nothing.
    #[arg(long)]
    dry_run: bool,
    /// A TOML alias table for column names (replaces the built-in lists it names).
    #[arg(long)]
    aliases: Option<PathBuf>,
    /// Where to write the error report (default: next to FILE, named FILE.错误报告.xlsx).
    #[arg(long)]
    errors: Option<PathBuf>,
    /// Who imports (recorded in the audit trail).
    #[arg(long, default_value = "cli")]
    by: String,
    /// The year the ledger plans (default: a year in the sheet's title row, e.g.
    /// 「2027年城建项目台账」, else in the sheet's name). Rows without year columns get one annual
    /// plan for it; made-up project codes carry it (JG{year}-NNNN).
    #[arg(long, value_parser = clap::value_parser!(i16).range(1990..=2100))]
    year: Option<i16>,
    /// The coordinate system the 经度/纬度 columns are written in: wgs84 (GPS, OpenStreetMap),
    /// gcj02 (高德, 腾讯 and most phone maps) or bd09 (百度); the Chinese names work too. A
    /// system named in the header (经度（GCJ-02）) or a 坐标系 column wins. Stored as WGS-84.
    #[arg(long, value_parser = parse_system)]
    coordinates: Option<CoordinateSystem>,
    /// The ledger file.
    file: PathBuf,
}

/// `jianguan export …`.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Write the project ledger (milestones, status and latest progress) as .xlsx.
    Ledger(ExportLedgerArgs),
}

/// `jianguan export ledger`.
#[derive(Debug, Args)]
pub struct ExportLedgerArgs {
    /// Database: a file path, sqlite://PATH or postgres://….
    #[arg(long, env = "JIANGUAN_DATABASE_URL")]
    db: String,
    /// The .xlsx file to write.
    #[arg(long)]
    out: PathBuf,
    /// The date the status column is as of (default: today in China).
    #[arg(long)]
    as_of: Option<Date>,
    /// Include each project's latest progress note (reads every report version; slow at
    /// national scale).
    #[arg(long)]
    notes: bool,
    /// The coordinate system to write 经度/纬度 in: wgs84 (as stored), gcj02 (高德, 腾讯) or
    /// bd09 (百度); the headers say which.
    #[arg(long, value_parser = parse_system, default_value = "wgs84")]
    coordinates: CoordinateSystem,
}

/// A coordinate system as `--coordinates` takes it.
fn parse_system(text: &str) -> Result<CoordinateSystem, String> {
    text.parse::<CoordinateSystem>().map_err(|e| e.to_string())
}

/// Runs `import …`.
pub async fn import(command: ImportCommand, lang: Lang) -> Result<()> {
    match command {
        ImportCommand::Ledger(args) => import_ledger(args, lang).await,
    }
}

/// Runs `export …`.
pub async fn export(command: ExportCommand, lang: Lang) -> Result<()> {
    match command {
        ExportCommand::Ledger(args) => export_ledger(args, lang).await,
    }
}

fn bar(len: u64, what: &str) -> ProgressBar {
    ProgressBar::new(len).with_style(
        ProgressStyle::with_template(&format!("{{bar:40}} {{pos}}/{{len}} {what} {{elapsed}}"))
            .expect("a valid progress template"),
    )
}

fn default_report_path(file: &Path) -> PathBuf {
    let stem = file
        .file_stem()
        .map_or_else(|| "台账".into(), |s| s.to_string_lossy().into_owned());
    file.with_file_name(format!("{stem}.错误报告.xlsx"))
}

async fn import_ledger(args: ImportLedgerArgs, lang: Lang) -> Result<()> {
    let started = Instant::now();
    let mut options = ImportOptions {
        year: args.year,
        coordinates: args.coordinates,
        ..ImportOptions::default()
    };
    if let Some(path) = &args.aliases {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the alias table {}", path.display()))?;
        options.aliases = AliasTable::from_toml(&text)?;
    }
    // Refuse an oversized file before reading it into memory.
    let size = std::fs::metadata(&args.file)
        .with_context(|| format!("reading {}", args.file.display()))?
        .len();
    if size > options.limits.max_file_bytes {
        return Err(ImportError::FileTooLarge {
            size,
            limit: options.limits.max_file_bytes,
        }
        .into());
    }
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let file_name = args
        .file
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let store = crate::backup::open_for_writing(&args.db, lang)
        .await
        .context("opening the database")?;
    // The plan is checked against this version: if anything is written meanwhile, the store
    // refuses the import rather than apply a plan made from stale records.
    let version = store.data_version().await?;
    // The records alone: planning an import reads no report versions. They are read while the
    // workbook is parsed on another thread: the two take about as long at national scale.
    let parse = {
        let limits = options.limits.clone();
        let name = file_name.clone();
        tokio::task::spawn_blocking(move || read_workbook(&bytes, &name, &limits))
    };
    let records = store.load_records().await?;
    let workbook = parse.await.context("parsing the ledger")??;
    let progress_bar = bar(workbook.rows() as u64, lang.t("行"));
    let plan = {
        let shown = progress_bar.clone();
        let progress = move |done: u64, total: u64| {
            shown.set_length(total);
            shown.set_position(done);
        };
        plan_import(&workbook, &records, &options, &progress)
    };
    progress_bar.finish_and_clear();
    let plan = match plan {
        Ok(plan) => plan,
        Err(ImportError::Invalid { errors, truncated }) => {
            let path = args
                .errors
                .clone()
                .unwrap_or_else(|| default_report_path(&args.file));
            let report = error_report(&workbook, &errors).context("writing the error report")?;
            std::fs::write(&path, report).with_context(|| format!("writing {}", path.display()))?;
            for e in errors.iter().take(20) {
                eprintln!("  {e}");
            }
            if errors.len() > 20 {
                eprintln!("{}", lang.tn("  …… 共 {n} 处", errors.len()));
            }
            anyhow::bail!(
                "{}{}",
                ImportError::Invalid { errors, truncated },
                lang.tn("；错误报告（标出错误单元格）已写入 {n}", path.display())
            );
        }
        Err(e) => return Err(e.into()),
    };
    print_plan(&plan, lang);
    if args.dry_run || plan.is_noop() {
        if args.dry_run {
            eprintln!("{}", lang.t("（试导入：未写入任何数据）"));
        }
        return Ok(());
    }
    let write_bar = bar(
        (plan.new.len() + plan.updated.len()) as u64,
        lang.t("个项目"),
    );
    let ids = {
        let shown = write_bar.clone();
        let progress = move |done: u64, total: u64| {
            shown.set_length(total);
            shown.set_position(done);
        };
        jianguan_app::ledger::write_plan(
            &store,
            &plan,
            &file_name,
            size as usize,
            version,
            &args.by,
            &progress,
        )
        .await
        .context("writing the import (nothing was written)")?
    };
    write_bar.finish_and_clear();
    eprintln!(
        "{}{}",
        lang.tn2(
            "已导入：新增 {n} 个项目，更新 {m} 个，",
            ids.len(),
            plan.updated.len()
        ),
        lang.tn(
            "用时 {n} 秒",
            format!("{:.1}", started.elapsed().as_secs_f64())
        )
    );
    Ok(())
}

/// Prints what a plan does: the summary and what it assumed, the units it creates, every code
/// it made up (to be written back into the office's ledger), then up to 20 new and 20 updated
/// projects.
fn print_plan(plan: &ImportPlan, lang: Lang) {
    // The summary and the notes are the import crate's Chinese sentences.
    println!("{}", plan.summary());
    for note in &plan.notes {
        println!("{}", lang.tn("  说明：{n}", note));
    }
    for u in &plan.new_units {
        println!(
            "{}{}",
            lang.tn2(
                "  新建责任单位 {n}（所属县区 {m}；",
                &u.name,
                &u.district_name
            ),
            u.rows_label() + lang.t("）")
        );
    }
    if !plan.generated_codes.is_empty() {
        println!(
            "{}",
            lang.tn(
                "  生成的项目编号（共 {n} 个，请填回台账的「项目编号」列，以后导入即按编号更新）：",
                plan.generated_codes.len()
            )
        );
        for g in &plan.generated_codes {
            println!(
                "    {} {} {}",
                lang.tn2("{n} 第{m}行", &g.sheet, g.row),
                g.code,
                g.name
            );
        }
    }
    for p in plan.new.iter().take(20) {
        println!("{}", lang.tn2("  新增 {n} {m}", &p.code, &p.name));
    }
    if plan.new.len() > 20 {
        println!("{}", lang.tn("  …… 另有 {n} 个新增", plan.new.len() - 20));
    }
    for c in plan.updated.iter().take(20) {
        let fields: Vec<&str> = c.fields.iter().map(|f| lang.t(f)).collect();
        println!(
            "{}{}",
            lang.tn2("  更新 {n} {m}：", &c.new.code, &c.new.name),
            fields.join(lang.t("、"))
        );
    }
    if plan.updated.len() > 20 {
        println!(
            "{}",
            lang.tn("  …… 另有 {n} 个更新", plan.updated.len() - 20)
        );
    }
    if !plan.skipped_sheets.is_empty() {
        println!(
            "{}",
            lang.tn(
                "  未读取的工作表（无表头）：{n}",
                plan.skipped_sheets.join(lang.t("、"))
            )
        );
    }
    if !plan.ignored_columns.is_empty() {
        println!(
            "{}",
            lang.tn("  未导入的列：{n}", plan.ignored_columns.join(lang.t("、")))
        );
    }
}

async fn export_ledger(args: ExportLedgerArgs, lang: Lang) -> Result<()> {
    let started = Instant::now();
    let store = jianguan_store::open_read_only(&args.db)
        .await
        .context("opening the database")?;
    let as_of = args
        .as_of
        .unwrap_or_else(jianguan_app::clock::today_in_china);
    let (portfolio, latest) = if args.notes {
        let portfolio = store.load_portfolio().await?;
        let latest = latest_progress(&portfolio);
        (portfolio, latest)
    } else {
        let model = store.load_read_model().await?;
        let latest = latest_from_investment(&model.portfolio, &model.investment);
        (model.portfolio, latest)
    };
    let bytes = ledger_workbook(&portfolio, &latest, as_of, args.coordinates)
        .context("laying out the ledger")?;
    std::fs::write(&args.out, bytes).with_context(|| format!("writing {}", args.out.display()))?;
    eprintln!(
        "{}{}",
        lang.tn2(
            "已导出 {n} 个项目到 {m}，",
            portfolio.projects.len(),
            args.out.display()
        ),
        lang.tn(
            "用时 {n} 秒",
            format!("{:.1}", started.elapsed().as_secs_f64())
        )
    );
    Ok(())
}
