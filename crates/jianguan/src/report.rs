//! `jianguan report KIND --period … --format docx --out FILE`: the office's documents drafted
//! from the database. The figures are the domain's (the same functions the pages use); the
//! layout is `jianguan-documents`'.

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use jianguan_documents::docx::to_docx;
use jianguan_documents::reports::{self, SummaryInput, SummaryPeriod};
use jianguan_domain::overview::Overview;
use jianguan_domain::rates::InvestmentLedger;
use jianguan_domain::store::Store;

/// Which document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportKind {
    /// The weekly dispatch pack (`--period 2021-W40`).
    Dispatch,
    /// The monthly assessment bulletin (`--period 2021-10`), districts and lead units.
    Bulletin,
    /// The quarterly analysis (`--period 2021-Q3`).
    Quarterly,
    /// The half-year (`--period 2021-H1`) or annual (`--period 2021`) summary (工作总结).
    Summary,
}

/// The file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Word, GB/T 9704 layout.
    Docx,
}

/// `jianguan report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The document.
    kind: ReportKind,
    /// Database: a file path, sqlite://PATH or postgres://….
    #[arg(long, env = "JIANGUAN_DATABASE_URL")]
    db: String,
    /// The period: a week (2021-W40) for a dispatch pack, a month (2021-10) for a bulletin, a
    /// quarter (2021-Q3) for the analysis, a year (2021) or a first half (2021-H1) for a summary.
    #[arg(long)]
    period: String,
    /// The format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Docx)]
    format: ReportFormat,
    /// Where to write it.
    #[arg(long)]
    out: std::path::PathBuf,
}

/// `jianguan report …`.
pub async fn report(args: ReportArgs) -> Result<()> {
    let started = std::time::Instant::now();
    let store = jianguan_store::open_existing(&args.db)
        .await
        .context("opening the database")?;
    let document = match (args.kind, args.format) {
        (ReportKind::Dispatch, ReportFormat::Docx) => {
            let week = jianguan_domain::dispatch::Week::parse(&args.period)
                .map_err(|e| anyhow::anyhow!("--period {}: {e}", args.period))?;
            let pack = crate::cadence::build_pack(&store, week).await?;
            reports::dispatch(&pack, reports::DEFAULT_ISSUER)
        }
        (ReportKind::Quarterly, ReportFormat::Docx) => {
            let quarter =
                jianguan_domain::quarterly::Quarter::parse(&args.period).with_context(|| {
                    format!("--period {}: expected a quarter, e.g. 2021-Q3", args.period)
                })?;
            let model = store.load_read_model().await?;
            let items = store.load_cadence().await?.items;
            let ledger = InvestmentLedger::from_points(model.investment);
            let analysis = jianguan_domain::quarterly::QuarterlyAnalysis::build(
                &model.portfolio,
                &ledger,
                &items,
                quarter,
                jianguan_web::today_in_china(),
                |_| true,
                |_| true,
            );
            reports::quarterly(&analysis, &model.portfolio, reports::DEFAULT_ISSUER)?
        }
        (ReportKind::Bulletin, ReportFormat::Docx) => {
            let month = jianguan_domain::assessment::Month::parse(&args.period)
                .map_err(|e| anyhow::anyhow!("--period {}: {e}", args.period))?;
            let mut runs = Vec::new();
            for kind in jianguan_domain::assessment::SubjectKind::ALL {
                if let Some(run) = store.latest_run(month, kind).await? {
                    runs.push(run);
                }
            }
            anyhow::ensure!(
                !runs.is_empty(),
                "{month} 尚未计分：先运行 jianguan score --month {month}"
            );
            let dated = runs[0]
                .published_on
                .unwrap_or_else(jianguan_web::today_in_china);
            reports::bulletin(&reports::BulletinInput {
                runs: &runs,
                issuer: reports::DEFAULT_ISSUER,
                doc_number: None,
                dated,
            })
        }
        (ReportKind::Summary, ReportFormat::Docx) => {
            let period = SummaryPeriod::parse(&args.period).with_context(|| {
                format!(
                    "--period {}: expected a year (2021) or a first half (2021-H1)",
                    args.period
                )
            })?;
            let model = store.load_read_model().await?;
            let items = store.load_cadence().await?.items;
            let ledger = InvestmentLedger::from_points(model.investment);
            let today = jianguan_web::today_in_china();
            let as_of = period.last_day().min(today);
            let overview = Overview::compute_with(&model.portfolio, &ledger, period.year(), as_of);
            let read = started.elapsed();
            let drafting = std::time::Instant::now();
            let document = reports::summary(&SummaryInput {
                portfolio: &model.portfolio,
                overview: &overview,
                items: &items,
                period,
                issuer: reports::DEFAULT_ISSUER,
                drafted_on: as_of,
            });
            eprintln!(
                "读取 {:.2} 秒，起草 {:.1} 毫秒",
                read.as_secs_f64(),
                drafting.elapsed().as_secs_f64() * 1000.0
            );
            document
        }
    };
    let bytes = to_docx(&document)?;
    std::fs::write(&args.out, &bytes).with_context(|| format!("writing {}", args.out.display()))?;
    println!(
        "已生成 {}（{} 字节，用时 {:.2} 秒）",
        args.out.display(),
        bytes.len(),
        started.elapsed().as_secs_f64()
    );
    store.close().await;
    Ok(())
}
