//! `jianguan report KIND --period … --format docx --out FILE`: the office's documents drafted
//! from the database. The figures are the domain's (the same functions the pages use); the
//! layout is `jianguan-documents`'.

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use jianguan_documents::docx::to_docx;
use jianguan_documents::reports::{self, SummaryInput, SummaryPeriod};
use jianguan_domain::highlights::Highlights;
use jianguan_domain::i18n::Lang;
use jianguan_domain::overview::Overview;
use jianguan_domain::rates::InvestmentLedger;
use jianguan_domain::store::prelude::*;

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
    /// Excel: the month's scores for a bulletin; the district × category league table as of the
    /// period's end for the others.
    Xlsx,
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
    /// The document's date (成文日期, YYYY-MM-DD). By default a document about a past period
    /// is dated at the period's end (a published bulletin on its publication day), one about
    /// a period still running on today.
    #[arg(long, value_parser = parse_date)]
    date: Option<jianguan_domain::Date>,
    /// Decimals of the rates written in sentences (0–2; tables always carry two). The default
    /// writes whole percentages, as the speech does (节点完成率也达99%).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=2))]
    prose_decimals: u8,
}

fn parse_date(text: &str) -> Result<jianguan_domain::Date, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("--date {text}: expected a day, e.g. 2021-12-31"))
}

/// The period of a report, parsed by its kind.
enum Period {
    Week(jianguan_domain::dispatch::Week),
    Month(jianguan_domain::assessment::Month),
    Quarter(jianguan_domain::quarterly::Quarter),
    Summary(SummaryPeriod),
}

impl Period {
    fn parse(kind: ReportKind, text: &str) -> Result<Period> {
        let bad = |expected: &str| anyhow::anyhow!("--period {text}: expected {expected}");
        Ok(match kind {
            ReportKind::Dispatch => Period::Week(
                jianguan_domain::dispatch::Week::parse(text)
                    .map_err(|_| bad("a week, e.g. 2021-W40"))?,
            ),
            ReportKind::Bulletin => Period::Month(
                jianguan_domain::assessment::Month::parse(text)
                    .map_err(|_| bad("a month, e.g. 2021-10"))?,
            ),
            ReportKind::Quarterly => Period::Quarter(
                jianguan_domain::quarterly::Quarter::parse(text)
                    .ok_or_else(|| bad("a quarter, e.g. 2021-Q3"))?,
            ),
            ReportKind::Summary => Period::Summary(
                SummaryPeriod::parse(text)
                    .ok_or_else(|| bad("a year (2021) or a first half (2021-H1)"))?,
            ),
        })
    }

    /// The campaign year and the last day the report covers.
    fn year_and_end(&self) -> (i16, jianguan_domain::Date) {
        match self {
            Period::Week(w) => (jianguan_app::cadence::year_of(*w), w.sunday()),
            Period::Month(m) => (m.year(), m.last_day()),
            Period::Quarter(q) => (q.year(), q.last_day()),
            Period::Summary(p) => (p.year(), p.last_day()),
        }
    }
}

/// The month's runs (districts, then lead units).
async fn month_runs(
    store: &jianguan_store::Db,
    month: jianguan_domain::assessment::Month,
    lang: Lang,
) -> Result<Vec<jianguan_domain::assessment::ScoreRun>> {
    let runs = jianguan_app::assessment::month_runs(store, month).await?;
    anyhow::ensure!(
        !runs.is_empty(),
        "{}",
        lang.tn("{n} 尚未计分：先运行 jianguan score --month {n}", month)
    );
    Ok(runs)
}

/// `jianguan report …`.
pub async fn report(args: ReportArgs, lang: Lang) -> Result<()> {
    let started = std::time::Instant::now();
    let period = Period::parse(args.kind, &args.period)?;
    let store = jianguan_store::open_read_only(&args.db)
        .await
        .context("opening the database")?;
    let today = jianguan_app::clock::today_in_china();
    let precision = jianguan_domain::fmt::ProsePrecision::new(args.prose_decimals)
        .context("--prose-decimals: 0 to 2")?;
    // The day a document is signed: the period's last day, or today while it runs.
    let (_, end) = period.year_and_end();
    let dated = |doc: &mut jianguan_documents::docx::OfficialDocument| {
        if let Some(date) = args.date {
            reports::date_document(doc, date);
        }
    };
    let bytes = match (&period, args.format) {
        (Period::Month(month), ReportFormat::Xlsx) => {
            let runs = month_runs(&store, *month, lang).await?;
            let scores: Vec<_> = runs.into_iter().map(|r| r.scores).collect();
            jianguan_documents::xlsx::scores_workbook(&scores)?
        }
        (_, ReportFormat::Xlsx) => {
            // The district × category league table as of the period's last day (or today).
            let (year, end) = period.year_and_end();
            let model = store.load_read_model().await?;
            let ledger = InvestmentLedger::from_points(model.investment);
            let overview = Overview::compute_with(&model.portfolio, &ledger, year, end.min(today));
            jianguan_documents::xlsx::league_table_workbook(&model.portfolio, &overview)?
        }
        (Period::Week(week), ReportFormat::Docx) => {
            let pack = crate::cadence::build_pack(&store, *week).await?;
            let mut doc = reports::dispatch(&pack, reports::DEFAULT_ISSUER);
            let model = store.load_read_model().await?;
            let cadence = store.load_cadence().await?;
            let ledger = InvestmentLedger::from_points(model.investment);
            let overview = Overview::compute_with(&model.portfolio, &ledger, pack.year, pack.to);
            let basemap = jianguan_app::basemap::load(&store).await?.map(|(_, b)| b);
            let maps = jianguan_app::maps::pictures_as_of(
                &model.portfolio,
                basemap.as_ref(),
                &overview,
                &jianguan_domain::warnings::WarningBook::new(cadence.warnings),
                &cadence.items,
                pack.to,
                |_| true,
            );
            reports::insert_maps(&mut doc, &maps, "逾期与风险")?;
            dated(&mut doc);
            to_docx(&doc)?
        }
        (Period::Quarter(quarter), ReportFormat::Docx) => {
            let model = store.load_read_model().await?;
            let items = store.load_cadence().await?.items;
            let ledger = InvestmentLedger::from_points(model.investment);
            let analysis = jianguan_domain::quarterly::QuarterlyAnalysis::build(
                &model.portfolio,
                &ledger,
                &items,
                *quarter,
                today,
                |_| true,
                |_| true,
            );
            let mut doc = reports::quarterly(&analysis, &model.portfolio, reports::DEFAULT_ISSUER)?;
            let cadence = store.load_cadence().await?;
            let basemap = jianguan_app::basemap::load(&store).await?.map(|(_, b)| b);
            let maps = jianguan_app::maps::pictures_as_of(
                &model.portfolio,
                basemap.as_ref(),
                &analysis.end_overview,
                &jianguan_domain::warnings::WarningBook::new(cadence.warnings),
                &items,
                analysis.end_overview.as_of,
                |_| true,
            );
            reports::insert_maps(&mut doc, &maps, "下一步工作")?;
            dated(&mut doc);
            to_docx(&doc)?
        }
        (Period::Month(month), ReportFormat::Docx) => {
            let runs = month_runs(&store, *month, lang).await?;
            let on = args.date.or(runs[0].published_on).unwrap_or(end.min(today));
            let doc = reports::bulletin(&reports::BulletinInput {
                runs: &runs,
                issuer: reports::DEFAULT_ISSUER,
                doc_number: None,
                dated: on,
            });
            to_docx(&doc)?
        }
        (Period::Summary(summary_period), ReportFormat::Docx) => {
            let model = store.load_read_model().await?;
            let items = store.load_cadence().await?.items;
            let ledger = InvestmentLedger::from_points(model.investment);
            let as_of = summary_period.last_day().min(today);
            let entered = store.entered_values().await?;
            let media = store.media_reports().await?;
            let read = started.elapsed();
            let drafting = std::time::Instant::now();
            let overview =
                Overview::compute_with(&model.portfolio, &ledger, summary_period.year(), as_of);
            let highlights = Highlights::compute(
                &model.portfolio,
                &entered,
                &media,
                summary_period.year(),
                as_of,
            );
            let document = reports::summary(&SummaryInput {
                portfolio: &model.portfolio,
                overview: &overview,
                items: &items,
                period: *summary_period,
                issuer: reports::DEFAULT_ISSUER,
                drafted_on: args.date.unwrap_or(as_of),
                highlights: &highlights,
                precision,
            });
            let bytes = to_docx(&document)?;
            eprintln!(
                "{}",
                lang.tn2(
                    "读取 {n} 秒，计算、起草与排版 {m} 毫秒",
                    format!("{:.2}", read.as_secs_f64()),
                    format!("{:.1}", drafting.elapsed().as_secs_f64() * 1000.0)
                )
            );
            bytes
        }
    };
    std::fs::write(&args.out, &bytes).with_context(|| format!("writing {}", args.out.display()))?;
    println!(
        "{}{}",
        lang.tn2("已生成 {n}（{m} 字节，", args.out.display(), bytes.len()),
        lang.tn(
            "用时 {n} 秒）",
            format!("{:.2}", started.elapsed().as_secs_f64())
        )
    );
    store.close().await;
    Ok(())
}
