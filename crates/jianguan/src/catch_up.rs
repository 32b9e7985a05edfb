//! `jianguan bench catch-up`: how long a write takes to become visible to readers on the node
//! that holds the read model (issue 18). It files reports into the database it is given — use a
//! copy — and times the node catching up after each, against reading the read model whole, which
//! is what every write cost before the change log.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Args;
use jianguan_app::{App, Clock};
use jianguan_audit::{AuditAction, AuditDraft};
use jianguan_domain::model::{Money, ProgressReport, ReportId};
use jianguan_domain::store::prelude::*;
use jianguan_domain::store::{RecordScope, ReportVersions};

/// `jianguan bench catch-up`.
#[derive(Debug, Args)]
pub struct CatchUpArgs {
    /// Database to write into: a file path, sqlite://PATH or postgres://… — a copy, since the
    /// measurement files real report versions.
    #[arg(long, env = "JIANGUAN_DATABASE_URL")]
    db: String,
    /// Reports filed, one at a time, each followed by a timed catch-up (1–10,000).
    #[arg(long, default_value_t = 50)]
    writes: usize,
    /// Confirms that the database is a copy the measurement may write into.
    #[arg(long)]
    writes_into_this_database: bool,
}

/// The resident set size of this process, in MiB (Linux; `None` elsewhere).
fn resident_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib / 1024.0)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Files `args.writes` reports and times the catch-up after each.
pub async fn run(args: CatchUpArgs) -> Result<()> {
    if !args.writes_into_this_database {
        bail!(
            "bench catch-up files {} report versions into {}: run it on a copy and confirm with \
             --writes-into-this-database",
            args.writes,
            jianguan_store::redact(&args.db)
        );
    }
    if !(1..=10_000).contains(&args.writes) {
        bail!("--writes must be between 1 and 10,000");
    }
    let store: Arc<dyn Store> = Arc::new(
        jianguan_store::open_existing(&args.db)
            .await
            .context("opening the database")?,
    );
    let app = App::new(store.clone(), Clock::system());
    let started = Instant::now();
    let snapshot = app.snapshot().await?;
    let full = started.elapsed();
    let Some(period) = snapshot.portfolio.periods.last().cloned() else {
        bail!("the database has no reporting periods to file for");
    };
    let projects = &snapshot.portfolio.projects;
    if projects.is_empty() {
        bail!("the database has no projects");
    }
    println!(
        "backend {}: {} projects; full read of the read model {} (resident {:.0} MiB)",
        store.backend(),
        projects.len(),
        ms(full),
        resident_mib().unwrap_or(f64::NAN)
    );
    let chosen: Vec<_> = (0..args.writes)
        .map(|i| projects[i * projects.len() / args.writes].clone())
        .collect();
    drop(snapshot);

    let mut catch_ups = Vec::with_capacity(args.writes);
    let mut writes = Vec::with_capacity(args.writes);
    for (i, project) in chosen.iter().enumerate() {
        let record = store
            .load_project(project.id, RecordScope::All, ReportVersions::All)
            .await?
            .context("a chosen project vanished")?;
        let version = record
            .reports
            .iter()
            .filter(|r| r.period == period.id)
            .map(|r| r.version)
            .max()
            .unwrap_or(0)
            + 1;
        let report = ProgressReport {
            id: ReportId(0),
            project: project.id,
            period: period.id,
            version,
            filed_on: app.today(),
            investment_to_date: Money::from_wan(1.0 + i as f64),
            milestones_reached: Vec::new(),
            note: "bench catch-up".into(),
            problems: Vec::new(),
            correction_reason: (version > 1).then(|| "bench catch-up".to_string()),
        };
        let audit = AuditDraft::new(
            app.now_ms(),
            "cli bench",
            AuditAction::ReportFile,
            format!("project:{}", project.id),
        );
        let t = Instant::now();
        store.file_report(&report, &[], &audit, &[], &[]).await?;
        writes.push(t.elapsed());
        let t = Instant::now();
        let seen = app.snapshot().await?;
        catch_ups.push(t.elapsed());
        if seen.ledger.to_date(project.id, period.end) != report.investment_to_date {
            bail!("the node did not see report {i}'s investment after catching up");
        }
    }
    catch_ups.sort();
    writes.sort();
    let (full_reads, _) = app.reload_stats();
    println!(
        "{} filings: write (commit) p50 {}, p95 {}; visible on this node after p50 {}, p95 {}, max {}; full reads {} (the first only)",
        args.writes,
        ms(percentile(&writes, 0.5)),
        ms(percentile(&writes, 0.95)),
        ms(percentile(&catch_ups, 0.5)),
        ms(percentile(&catch_ups, 0.95)),
        ms(*catch_ups.last().expect("at least one write")),
        full_reads
    );
    println!(
        "resident after the writes {:.0} MiB; before the change log every write cost a full read ({})",
        resident_mib().unwrap_or(f64::NAN),
        ms(full)
    );
    Ok(())
}
