//! `jianguan bench`: the dashboard's figures measured on a real database, each step timed
//! separately and reported as the median of several runs (never asserted in tests).

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use axum::body::Body;
use axum::http::Request;
use clap::{Args, Subcommand};
use jianguan_domain::Date;
use jianguan_domain::overview::{FigureBook, Overview, overdue_milestones};
use jianguan_domain::rates::InvestmentLedger;
use jianguan_domain::store::prelude::*;
use tower::ServiceExt;

/// `jianguan bench`: the dashboard measured on a database, or (`bench rush`) the deadline rush
/// over HTTP.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct BenchArgs {
    #[command(subcommand)]
    command: Option<BenchCommand>,
    /// Database: a file path, sqlite://PATH or postgres://….
    #[arg(long, env = "JIANGUAN_DATABASE_URL", required = true)]
    db: Option<String>,
    /// Campaign year (default: the year being reported on).
    #[arg(long)]
    year: Option<i16>,
    /// As-of date YYYY-MM-DD (default: today, or the year's last day once it is over).
    #[arg(long)]
    as_of: Option<Date>,
    /// Timed repetitions of each measurement (the median is reported).
    #[arg(long, default_value_t = 20)]
    runs: usize,
}

/// The measurements `bench` runs besides the dashboard's.
#[derive(Debug, Subcommand)]
enum BenchCommand {
    /// The deadline rush: clients sign in to a running server on this machine and file reports
    /// for the period due, with page reads mixed in; every acknowledged report is then checked
    /// against the server (present, equal to what was sent, no duplicates). Exit 1 when
    /// anything was lost or a request failed.
    Rush(crate::rush::RushArgs),
    /// How long a write takes to become visible on the node holding the read model: files
    /// reports into the database (a copy) and times the catch-up after each, against a full read.
    CatchUp(crate::catch_up::CatchUpArgs),
}

/// Runs the subcommand asked for, else the dashboard's measurements.
pub async fn dispatch(args: BenchArgs) -> Result<()> {
    match (args.command, args.db) {
        (Some(BenchCommand::Rush(rush)), _) => crate::rush::run(rush).await,
        (Some(BenchCommand::CatchUp(args)), _) => crate::catch_up::run(args).await,
        (None, Some(db)) => run(&db, args.year, args.as_of, args.runs).await,
        (None, None) => anyhow::bail!("--db is required"),
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Runs the measurements and prints one line per figure.
pub async fn run(db: &str, year: Option<i16>, as_of: Option<Date>, runs: usize) -> Result<()> {
    let runs = runs.max(1);
    let store = jianguan_store::open_read_only(db)
        .await
        .context("opening the database")?;
    println!("backend: {}", store.backend());

    let started = Instant::now();
    let model = store.load_read_model().await?;
    let load = started.elapsed();
    let points = model.investment.len();
    let started = Instant::now();
    let ledger = InvestmentLedger::from_points(model.investment);
    let index = started.elapsed();
    let portfolio = model.portfolio;
    let milestones: usize = portfolio.projects.iter().map(|p| p.milestones.len()).sum();
    println!(
        "records: {} projects, {} milestones, {} investment points",
        portfolio.projects.len(),
        milestones,
        points
    );
    println!("read model from storage (cold): {}", ms(load));
    println!("investment ledger index: {}", ms(index));

    let today = jianguan_app::clock::today_in_china();
    let year = year.unwrap_or_else(|| portfolio.default_year(today));
    let as_of = as_of.unwrap_or_else(|| jianguan_domain::calendar::default_as_of(year, today));
    println!("year {year}, as of {as_of}");

    let mut overview_times = Vec::with_capacity(runs);
    let mut cells = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let o = Overview::compute_with(&portfolio, &ledger, year, as_of);
        overview_times.push(t.elapsed());
        cells = o.cells.len();
    }
    println!(
        "overview (totals, {} categories, {} districts, {cells} district × category cells): median {}",
        portfolio.categories.len(),
        portfolio
            .units
            .iter()
            .filter(|u| u.kind == jianguan_domain::model::UnitKind::District)
            .count(),
        ms(median(overview_times))
    );

    // The figure book a server keeps (the overview and its year's trend): built once, then
    // brought forward after a write to one project, then summed for a page.
    let dates = jianguan_domain::overview::trend_dates(year, as_of);
    let t = Instant::now();
    let book = FigureBook::new(&portfolio, &ledger, year, dates.clone());
    println!(
        "figure book ({} dates × {} projects): built in {}",
        dates.len(),
        portfolio.projects.len(),
        ms(t.elapsed())
    );
    let mut written = portfolio.clone();
    if let Some(first) = written.projects.first_mut() {
        *first = Arc::new((**first).clone());
    }
    let mut update_times = Vec::with_capacity(runs);
    let mut recomputed = 0;
    for _ in 0..runs {
        let t = Instant::now();
        recomputed = book.updated(&written, &ledger).map_or(0, |(_, n)| n);
        update_times.push(t.elapsed());
    }
    println!(
        "figure book after a write to one project ({recomputed} recomputed): median {}",
        ms(median(update_times))
    );
    let mut sum_times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        let o = book.overview(&portfolio, dates.len().saturating_sub(1), |_| true);
        let trend = book.totals(|_| true);
        sum_times.push(t.elapsed());
        std::hint::black_box((o, trend));
    }
    println!(
        "overview and year's trend summed from the book: median {}",
        ms(median(sum_times))
    );
    let mut trend_times = Vec::with_capacity(runs.min(3));
    for _ in 0..runs.min(3) {
        let t = Instant::now();
        std::hint::black_box(jianguan_domain::overview::year_trend(
            &portfolio,
            &ledger,
            year,
            as_of,
            |_| true,
        ));
        trend_times.push(t.elapsed());
    }
    println!(
        "year's trend computed afresh (no book): median {}",
        ms(median(trend_times))
    );

    let mut overdue_times = Vec::with_capacity(runs);
    let mut overdue = 0;
    for _ in 0..runs {
        let t = Instant::now();
        overdue = overdue_milestones(&portfolio, year, as_of).len();
        overdue_times.push(t.elapsed());
    }
    println!(
        "overdue-milestone list ({overdue} milestones, sorted): median {}",
        ms(median(overdue_times))
    );

    // The cadence: the daily warning job's evaluation (pure part: what every milestone's level
    // should be and the events that takes) and the weekly dispatch pack.
    let started = Instant::now();
    let version = store.data_version().await?;
    let cadence = jianguan_app::cadence::load(&store, version).await?;
    println!(
        "cadence records from storage: {} warning events, {} tracked items: {}",
        cadence.warnings.events().len(),
        cadence.items.len(),
        ms(started.elapsed())
    );
    let mut job_times = Vec::with_capacity(runs);
    let mut events = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let assessments = jianguan_domain::warnings::evaluate(
            &portfolio,
            &cadence.rules,
            &cadence.warnings,
            as_of,
        );
        events = cadence
            .warnings
            .changes(&portfolio, &assessments, as_of, cadence.rules.version)
            .len();
        job_times.push(t.elapsed());
    }
    println!(
        "daily warning evaluation for {as_of} ({events} changes against the stored history): median {}",
        ms(median(job_times))
    );
    let week = jianguan_domain::dispatch::Week::of(as_of);
    let started = Instant::now();
    let filings = cadence.pack_filings(&store, &portfolio, week).await?;
    println!(
        "filings of the period the pack judges ({} report versions): {}",
        filings.len(),
        ms(started.elapsed())
    );
    let mut pack_times = Vec::with_capacity(runs);
    let mut sizes = (0, 0, 0);
    for _ in 0..runs {
        let t = Instant::now();
        let pack = jianguan_app::cadence::dispatch_pack(
            &portfolio,
            &ledger,
            &cadence,
            &filings,
            week,
            jianguan_domain::dispatch::Extent::Full,
            None,
        );
        pack_times.push(t.elapsed());
        sizes = (
            pack.overdue_milestones.len(),
            pack.new_warnings.len() + pack.escalated_warnings.len(),
            pack.open_supervision_items.len(),
        );
    }
    println!(
        "dispatch pack {week} ({} overdue, {} new/escalated warnings, {} open supervision items): median {}",
        sizes.0,
        sizes.1,
        sizes.2,
        ms(median(pack_times))
    );

    // The monthly assessment of as_of's month: the entered values, the media register and the
    // month's filings read, then districts and lead units measured and scored.
    let month = jianguan_domain::assessment::Month::of(as_of);
    let started = Instant::now();
    let snapshot = Arc::new(jianguan_app::Snapshot {
        version,
        records_version: version,
        portfolio,
        ledger,
    });
    let inputs =
        jianguan_app::assessment::Inputs::from_snapshots(&store, snapshot, Arc::new(cadence))
            .await?;
    let filings = inputs.filings(&store, month).await?;
    println!(
        "assessment inputs from storage ({} entered values, {} media reports, {} filings due in {month}): {}",
        inputs.entered.len(),
        inputs.media.len(),
        filings.len(),
        ms(started.elapsed())
    );
    let scheme = match store.scheme(year, None).await? {
        Some(saved) => Some(jianguan_domain::assessment::Scheme::from_toml(&saved.body)?),
        None => jianguan_domain::assessment::Scheme::from_toml(
            jianguan_domain::assessment::DEFAULT_SCHEME_TOML,
        )
        .ok()
        .filter(|s| s.year == year),
    };
    match scheme {
        Some(scheme) => {
            let mut times = Vec::with_capacity(runs);
            let mut subjects = 0;
            for _ in 0..runs {
                let t = Instant::now();
                subjects = 0;
                for kind in jianguan_domain::assessment::SubjectKind::ALL {
                    let (_, scores) = inputs.score(&filings, &scheme, kind, month, None)?;
                    subjects += scores.subjects.len();
                }
                times.push(t.elapsed());
            }
            println!(
                "monthly scoring {month} (district + lead unit, {subjects} subjects): median {}",
                ms(median(times))
            );
        }
        None => println!("monthly scoring: no scoring scheme for {year}, skipped"),
    }

    // Through the web layer: the snapshot is read once (as a server does at start), then every
    // request checks the data version, computes and renders.
    let state = jianguan_web::AppState::new(Arc::new(store));
    state.snapshot().await?;
    let router = jianguan_web::router(state);
    for (name, uri) in [
        ("overview page", format!("/?year={year}&as_of={as_of}")),
        (
            "GET /api/v1/stats",
            format!("/api/v1/stats?year={year}&as_of={as_of}"),
        ),
    ] {
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs {
            let t = Instant::now();
            let response = router
                .clone()
                .oneshot(
                    Request::get(uri.as_str())
                        .extension(jianguan_web::auth::CurrentUser::in_process_leader())
                        .body(Body::empty())?,
                )
                .await?;
            anyhow::ensure!(
                response.status().is_success(),
                "{uri}: {}",
                response.status()
            );
            let _ = axum::body::to_bytes(response.into_body(), usize::MAX).await?;
            times.push(t.elapsed());
        }
        println!("{name} served: median {}", ms(median(times)));
    }
    Ok(())
}
