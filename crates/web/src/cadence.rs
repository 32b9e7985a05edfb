//! The cadence as the server and the CLI use it: the records behind warnings, tracked items and
//! filing, read once per data version ([`CadenceSnapshot`]); the dispatch pack built from them;
//! and the daily job that moves the warnings ladder and escalates overdue items.

use std::collections::HashMap;
use std::sync::Arc;

use jianguan_audit::{AuditDraft, FieldChange, Outcome};
use jianguan_domain::Date;
use jianguan_domain::acts::Dismissal;
use jianguan_domain::dispatch::{DispatchInput, DispatchPack, Week};
use jianguan_domain::filing::ReportIndex;
use jianguan_domain::followup::{self, FollowUpRules, TrackedItem};
use jianguan_domain::model::{PeriodId, Portfolio};
use jianguan_domain::rates::InvestmentLedger;
use jianguan_domain::store::prelude::*;
use jianguan_domain::store::{CadenceWrite, StoreError};
use jianguan_domain::warnings::{self, WarningBook, WarningRules};

/// The setting key under which the office's warning rules (TOML) are versioned.
pub const WARNING_RULES_KEY: &str = "warning_rules";

/// The cadence's records at one data version.
pub struct CadenceSnapshot {
    /// The data version they were read at.
    pub version: i64,
    /// The warnings' history.
    pub warnings: WarningBook,
    /// Every tracked item.
    pub items: Vec<TrackedItem>,
    /// Proposals of acts the office dismissed.
    pub dismissals: Vec<Dismissal>,
    /// When each report version was filed, read one period at a time as pages ask for it
    /// (every period at once is millions of rows at national scale).
    filings: tokio::sync::Mutex<HashMap<PeriodId, Arc<ReportIndex>>>,
    /// The warning rules in force.
    pub rules: WarningRules,
    /// The follow-up rules in force.
    pub follow_up: FollowUpRules,
}

impl CadenceSnapshot {
    /// When each version of each report for `period` was filed (read once per data version).
    pub async fn filings(
        &self,
        store: &dyn Store,
        period: PeriodId,
    ) -> Result<Arc<ReportIndex>, StoreError> {
        let mut cache = self.filings.lock().await;
        if let Some(index) = cache.get(&period) {
            return Ok(index.clone());
        }
        let index = Arc::new(ReportIndex::new(store.load_filings(period).await?));
        cache.insert(period, index.clone());
        Ok(index)
    }

    /// The filings a week's pack judges: those of the last period closed by the week's end.
    pub async fn pack_filings(
        &self,
        store: &dyn Store,
        portfolio: &Portfolio,
        week: Week,
    ) -> Result<Arc<ReportIndex>, StoreError> {
        match jianguan_domain::filing::last_closed_period(&portfolio.periods, week.sunday()) {
            Some(p) => self.filings(store, p.id).await,
            None => Ok(Arc::default()),
        }
    }
}

/// Why the rules in the database could not be used.
fn stored_rules_error(e: warnings::RulesError) -> StoreError {
    StoreError::Invalid(format!("the stored warning rules are invalid: {e}"))
}

/// The warning rules in force: the latest saved version, or the defaults.
pub async fn warning_rules(store: &dyn Store) -> Result<WarningRules, StoreError> {
    match store.setting(WARNING_RULES_KEY).await? {
        Some(saved) => WarningRules::from_toml(&saved.body).map_err(stored_rules_error),
        None => Ok(WarningRules::default()),
    }
}

/// Reads the cadence's records.
pub async fn load(store: &dyn Store, version: i64) -> Result<CadenceSnapshot, StoreError> {
    let records = store.load_cadence().await?;
    Ok(CadenceSnapshot {
        version,
        warnings: WarningBook::new(records.warnings),
        items: records.items,
        dismissals: records.dismissals,
        filings: tokio::sync::Mutex::new(HashMap::new()),
        rules: warning_rules(store).await?,
        follow_up: FollowUpRules::default(),
    })
}

/// The campaign year a week's pack reports on: the year of its Sunday.
pub fn year_of(week: Week) -> i16 {
    week.sunday().year()
}

/// The dispatch pack of `week` over the records (`filings` from
/// [`CadenceSnapshot::pack_filings`]).
pub fn dispatch_pack(
    portfolio: &Portfolio,
    ledger: &InvestmentLedger,
    cadence: &CadenceSnapshot,
    filings: &ReportIndex,
    week: Week,
) -> DispatchPack {
    let input = DispatchInput {
        portfolio,
        ledger,
        filings,
        warnings: &cadence.warnings,
        rules: &cadence.rules,
        items: &cadence.items,
        dismissals: &cadence.dismissals,
        follow_up: cadence.follow_up,
    };
    DispatchPack::build(&input, week, year_of(week))
}

/// What one run of the daily warning job did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WarningJobOutcome {
    /// Warning events recorded (raised, escalated, de-escalated, lifted).
    pub warning_events: usize,
    /// Tracked items escalated for being overdue.
    pub escalations: usize,
}

/// The daily warning job's working set: the warnings' history, the tracked items and the rules
/// in force, read once and kept up to date as days are run (so catching up a range of days
/// reads the database once).
pub struct WarningJob {
    book: WarningBook,
    items: Vec<TrackedItem>,
    rules: WarningRules,
}

impl WarningJob {
    /// Reads the working set.
    pub async fn load(store: &dyn Store) -> Result<WarningJob, StoreError> {
        let records = store.load_cadence().await?;
        Ok(WarningJob {
            book: WarningBook::new(records.warnings),
            items: records.items,
            rules: warning_rules(store).await?,
        })
    }

    /// The job for `day`: evaluates the ladder over the portfolio, records the changes against
    /// what is open, and escalates overdue tracked items — one transaction, one audit record.
    /// Running a day twice records nothing the second time.
    pub async fn run_day(
        &mut self,
        store: &dyn Store,
        portfolio: &Portfolio,
        day: Date,
        now_ms: i64,
    ) -> Result<WarningJobOutcome, StoreError> {
        let assessments = warnings::evaluate(portfolio, &self.rules, &self.book, day);
        let events = self
            .book
            .changes(portfolio, &assessments, day, self.rules.version);
        let escalations = followup::due_escalations(&self.items, day, FollowUpRules::default());
        let outcome = WarningJobOutcome {
            warning_events: events.len(),
            escalations: escalations.len(),
        };
        if events.is_empty() && escalations.is_empty() {
            return Ok(outcome);
        }
        let audit = AuditDraft {
            at_ms: now_ms,
            actor: "system".into(),
            unit: None,
            action: "warnings.daily".into(),
            object: format!("day:{day}"),
            result: Outcome::Success,
            client: None,
            changes: vec![
                FieldChange {
                    field: "warning_events".into(),
                    before: None,
                    after: Some(events.len().to_string()),
                },
                FieldChange {
                    field: "item_escalations".into(),
                    before: None,
                    after: Some(escalations.len().to_string()),
                },
                FieldChange {
                    field: "rules_version".into(),
                    before: None,
                    after: Some(self.rules.version.to_string()),
                },
            ],
        };
        let write = CadenceWrite {
            warnings: events,
            new_items: Vec::new(),
            item_events: escalations,
            dismissals: Vec::new(),
        };
        store.record_cadence(&write, &[audit]).await?;
        // Ids were given by the store; the book only needs them for ordering within a day,
        // which the events' order already gives.
        self.book.extend(write.warnings);
        for (id, event) in write.item_events {
            if let Some(item) = self.items.iter_mut().find(|i| i.id == id) {
                item.events.push(event);
            }
        }
        Ok(outcome)
    }
}

/// The daily job for `day` (see [`WarningJob::run_day`]), reading its working set first.
pub async fn run_warning_job(
    store: &dyn Store,
    portfolio: &Portfolio,
    day: Date,
    now_ms: i64,
) -> Result<WarningJobOutcome, StoreError> {
    WarningJob::load(store)
        .await?
        .run_day(store, portfolio, day, now_ms)
        .await
}
