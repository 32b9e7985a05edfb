//! Scheduled jobs that must run once across all web nodes on one database (warnings, scoring,
//! scheduled documents). Each run is identified by its job and slot (the day, week or month it is
//! for); a node runs it only after winning the claim in the database, under a lease that another
//! node may take over if the first dies mid-run.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Mutex;

use jianguan_domain::store::prelude::*;

use jianguan_domain::store::{JobClaim, StoreError};

use crate::Clock;

/// How long a claim holds before another node may take over an unfinished run.
pub const DEFAULT_LEASE_MS: i64 = 10 * 60 * 1000;

/// What became of one attempt to run a job for a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunOutcome {
    /// This node ran it.
    Ran,
    /// Another node holds or finished the run; this node did nothing.
    Skipped,
}

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Claiming or finishing failed in the database.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The job itself failed; its claim stays unfinished so another node retries after the lease.
    #[error("job {job} for {slot} failed: {message}")]
    Failed {
        /// The job.
        job: String,
        /// The slot.
        slot: String,
        /// What went wrong.
        message: String,
    },
}

/// What this process did with one job's slots since it started (for `/metrics`).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct JobCounts {
    /// Runs this node claimed and finished.
    pub ran: u64,
    /// Runs this node claimed that failed (in the job or in the database).
    pub failed: u64,
    /// Slots another node held or had finished.
    pub skipped: u64,
}

/// Per job, since the process started. Process-wide, like the process's other metrics: jobs are
/// run by whoever holds a store, not by one owner of state.
static COUNTS: Mutex<BTreeMap<String, JobCounts>> = Mutex::new(BTreeMap::new());

/// What every job did in this process since it started, by job name.
pub fn job_counts() -> Vec<(String, JobCounts)> {
    COUNTS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .map(|(job, c)| (job.clone(), *c))
        .collect()
}

fn count(job: &str, outcome: &Result<RunOutcome, JobError>) {
    let mut counts = COUNTS.lock().unwrap_or_else(|e| e.into_inner());
    let c = counts.entry(job.to_string()).or_default();
    match outcome {
        Ok(RunOutcome::Ran) => c.ran += 1,
        Ok(RunOutcome::Skipped) => c.skipped += 1,
        Err(_) => c.failed += 1,
    }
}

/// Runs `work` for (`job`, `slot`) if this node (`node`) wins the claim, and records it finished.
pub async fn run_once<F, Fut>(
    store: &dyn Store,
    clock: Clock,
    job: &str,
    slot: &str,
    node: &str,
    work: F,
) -> Result<RunOutcome, JobError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let outcome = claim_and_run(store, clock, job, slot, node, work).await;
    count(job, &outcome);
    outcome
}

async fn claim_and_run<F, Fut>(
    store: &dyn Store,
    clock: Clock,
    job: &str,
    slot: &str,
    node: &str,
    work: F,
) -> Result<RunOutcome, JobError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let claim = JobClaim {
        job: job.to_string(),
        slot: slot.to_string(),
        node: node.to_string(),
        now_ms: clock.now_ms(),
        lease_ms: DEFAULT_LEASE_MS,
    };
    if !store.claim_job(&claim).await? {
        return Ok(RunOutcome::Skipped);
    }
    tracing::info!(job, slot, node, "running scheduled job");
    work().await.map_err(|message| JobError::Failed {
        job: job.to_string(),
        slot: slot.to_string(),
        message,
    })?;
    store.finish_job(&claim, clock.now_ms()).await?;
    Ok(RunOutcome::Ran)
}

/// This machine's host name (`node` when it cannot be read).
pub fn host_name() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "node".into())
}

/// A name for this node: host name and process id, unique among nodes on one database.
pub fn node_name() -> String {
    format!("{}-{}", host_name(), std::process::id())
}

/// Runs the daily jobs once a day across all nodes: every node ticks hourly; the first to claim
/// the day's slot runs them.
pub fn spawn_daily_jobs(store: std::sync::Arc<dyn Store>, clock: Clock, node: String) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let slot = clock.today().to_string();
            let outcome = run_once(
                store.as_ref(),
                clock,
                "accounts.disable-unused",
                &slot,
                &node,
                || async {
                    crate::accounts::disable_unused_accounts(store.as_ref(), clock.now_ms())
                        .await
                        .map(|n| {
                            tracing::info!(disabled = n, "unused or expired accounts disabled")
                        })
                        .map_err(|e| e.to_string())
                },
            )
            .await;
            if let Err(e) = outcome {
                tracing::error!(error = %e, "the daily account job failed");
            }
            // The warnings ladder for the last full day.
            let Ok(day) = clock.today().yesterday() else {
                continue;
            };
            let outcome = run_once(
                store.as_ref(),
                clock,
                "warnings.daily", // the job's name (its audit records are AuditAction's)
                &day.to_string(),
                &node,
                || async {
                    // The ladder reads the records; no report version is scanned for it.
                    let records = store.load_records().await.map_err(|e| e.to_string())?;
                    // Outside every reporting period (a campaign year that is over, like the
                    // demo city's) there is no ladder to move.
                    if !records
                        .periods
                        .iter()
                        .any(|p| p.start <= day && day <= p.end)
                    {
                        tracing::info!(%day, "no reporting period covers the day; no warnings");
                        return Ok(());
                    }
                    crate::cadence::run_warning_job(store.as_ref(), &records, day, clock.now_ms())
                        .await
                        .map(|o| {
                            tracing::info!(
                                warning_events = o.warning_events,
                                escalations = o.escalations,
                                "daily warnings recorded"
                            )
                        })
                        .map_err(|e| e.to_string())
                },
            )
            .await;
            if let Err(e) = outcome {
                tracing::error!(error = %e, "the daily warning job failed");
            }
            // Last month's scores, drafted once for the office to check and publish.
            let today = clock.today();
            let month = jianguan_domain::assessment::Month::of(today).previous();
            let outcome = run_once(
                store.as_ref(),
                clock,
                "assessment.monthly",
                &month.to_string(),
                &node,
                || async {
                    let inputs = crate::assessment::Inputs::load(store.as_ref())
                        .await
                        .map_err(|e| e.to_string())?;
                    match crate::assessment::run_monthly_job(store.as_ref(), clock, inputs, today)
                        .await
                    {
                        Ok(Some(o)) => tracing::info!(month = %o.month, "monthly scores drafted"),
                        Ok(None) => tracing::info!(%month, "not a campaign month; nothing scored"),
                        Err(e) => return Err(e.to_string()),
                    }
                    Ok(())
                },
            )
            .await;
            if let Err(e) = outcome {
                tracing::error!(error = %e, "the monthly assessment job failed");
            }
        }
    });
}
