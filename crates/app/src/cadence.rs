//! The cadence as the server and the CLI use it: the records behind warnings, tracked items and
//! filing, read once per data version ([`CadenceSnapshot`]); the dispatch pack built from them;
//! and the daily job that moves the warnings ladder and escalates overdue items.

use std::collections::HashMap;
use std::sync::Arc;

use jianguan_audit::{AuditAction, FieldChange};
use jianguan_domain::Date;
use jianguan_domain::acts::Dismissal;
use jianguan_domain::dispatch::{DispatchInput, DispatchPack, Extent, Week};
use jianguan_domain::filing::ReportIndex;
use jianguan_domain::followup::{self, FollowUpRules, TrackedItem};
use jianguan_domain::model::{PeriodId, Portfolio};
use jianguan_domain::overview::{FigureBook, Overview};
use jianguan_domain::rates::InvestmentLedger;

use crate::Clock;
use jianguan_domain::calendar::ReportingCalendar;
use jianguan_domain::store::{Actor, CadenceWrite, SettingVersion, Store, StoreError};
use jianguan_domain::warnings::{self, RulesError, WarningBook, WarningRules};

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
    /// Every plan change (计划调整), for the pack's adjustment counts.
    pub plan_changes: Vec<jianguan_domain::plan::PlanChange>,
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

    /// Catches the filings read so far up with `change`: the touched projects' versions filed
    /// since those held are read for the periods it names (a period's whole index is
    /// forgotten, to be read again when asked for, when the change does not list its projects).
    pub async fn catch_up_filings(
        &self,
        store: &dyn Store,
        change: &jianguan_domain::change::Change,
    ) -> Result<(), StoreError> {
        use jianguan_domain::change::Touched;
        if change.filings.is_empty() {
            return Ok(());
        }
        // Read outside the index's lock, so readers never wait on the store.
        let held: Vec<(PeriodId, Arc<ReportIndex>)> = {
            let cache = self.filings.lock().await;
            change
                .filings
                .iter()
                .filter_map(|period| cache.get(period).map(|index| (*period, index.clone())))
                .collect()
        };
        for (period, index) in held {
            match &change.projects {
                Touched::Some(ids) => {
                    let ids: Vec<_> = ids.iter().copied().collect();
                    let after = index.versions_held(period, &ids);
                    let filed = store.load_filings_of(period, &ids, after).await?;
                    let next = Arc::new(index.with_later_versions(filed));
                    self.filings.lock().await.insert(period, next);
                }
                Touched::None | Touched::All => {
                    self.filings.lock().await.remove(&period);
                }
            }
        }
        Ok(())
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
    StoreError::Invalid(format!("已保存的警示规则无法使用：{e}"))
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
        plan_changes: store.plan_changes(None).await?,
    })
}

/// The campaign year a week's pack reports on: the year of its Sunday.
pub fn year_of(week: Week) -> i16 {
    week.sunday().year()
}

/// The dispatch pack of `week` to `extent` over the records (`filings` from
/// [`CadenceSnapshot::pack_filings`]), its headline figures summed from `figures` where that
/// book holds the days (a node's [`crate::App::figure_book`] of the week's Sunday and the one
/// before), else computed.
pub fn dispatch_pack(
    portfolio: &Portfolio,
    ledger: &InvestmentLedger,
    cadence: &CadenceSnapshot,
    filings: &ReportIndex,
    week: Week,
    extent: Extent,
    figures: Option<&FigureBook>,
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
        plan_changes: &cadence.plan_changes,
    };
    let year = year_of(week);
    DispatchPack::build_with(&input, week, year, extent, |day| {
        match figures.and_then(|book| book_day(book, year, day)) {
            Some((book, at)) => book.overview(portfolio, at, |_| true),
            None => Overview::compute_with(portfolio, ledger, year, day),
        }
    })
}

/// Where `book` holds the figures of `year` at `day`, if it does.
pub fn book_day(book: &FigureBook, year: i16, day: Date) -> Option<(&FigureBook, usize)> {
    if book.year() != year {
        return None;
    }
    book.dates()
        .iter()
        .position(|d| *d == day)
        .map(|at| (book, at))
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
        let audit = crate::client::draft(
            now_ms,
            "system",
            AuditAction::WarningsDaily,
            format!("day:{day}"),
        )
        .change("warning_events", None, events.len())
        .change("item_escalations", None, escalations.len())
        .change("rules_version", None, self.rules.version);
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

// ---------------------------------------------------------------------------------------------
// Settings: the warning rules and the reporting calendar, each a versioned TOML text.
// ---------------------------------------------------------------------------------------------

/// Why new warning rules were not saved.
#[derive(Debug, thiserror::Error)]
pub enum RulesSaveError {
    /// The text is not valid rules, or its version does not rise above the rules in force.
    #[error(transparent)]
    Rules(#[from] RulesError),
    /// The database refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What saving warning rules did.
#[derive(Debug, Clone)]
pub enum RulesSaved {
    /// The text is the one in force; nothing was written.
    Unchanged,
    /// A new version was stored.
    Saved {
        /// The stored setting (its version counts saves).
        setting: SettingVersion,
        /// The rules' own version (what warning events record).
        rules_version: u32,
    },
}

/// Saves `body` as the new warning rules, by `by` of `unit`: the one gate for the settings page
/// and `jianguan rules set`. The text must parse and its `version` must rise above the rules in
/// force ([`WarningRules::successor_from_toml`]), so two rule sets never share the version that
/// warning events record. Audited with the setting version, the rules version and the text.
pub async fn save_warning_rules(
    store: &dyn Store,
    clock: Clock,
    body: &str,
    by: &str,
    unit: Option<String>,
) -> Result<RulesSaved, RulesSaveError> {
    WarningRules::from_toml(body)?;
    let saved = store.setting(WARNING_RULES_KEY).await?;
    let (current_body, setting_version) = match &saved {
        Some(s) => (s.body.clone(), s.version),
        None => (warnings::DEFAULT_RULES_TOML.to_string(), 0),
    };
    if current_body.trim() == body.trim() {
        return Ok(RulesSaved::Unchanged);
    }
    let current = WarningRules::from_toml(&current_body).unwrap_or_default();
    let rules = WarningRules::successor_from_toml(body, &current)?;
    let mut audit = crate::client::draft(
        clock.now_ms(),
        by,
        AuditAction::SettingsWarningRules,
        format!("setting:{WARNING_RULES_KEY}"),
    )
    .change(
        "setting_version",
        Some(setting_version.to_string()),
        setting_version + 1,
    )
    .change(
        "rules_version",
        Some(current.version.to_string()),
        rules.version,
    );
    audit.changes.push(FieldChange {
        field: "body".into(),
        before: Some(current_body),
        after: Some(body.to_string()),
    });
    audit.unit = unit;
    let setting = store
        .save_setting(WARNING_RULES_KEY, body, by, &audit)
        .await?;
    Ok(RulesSaved::Saved {
        setting,
        rules_version: rules.version,
    })
}

/// The setting key of the reporting calendar (TOML, versioned).
pub const CALENDAR_KEY: &str = "reporting_calendar";

/// The reporting calendar in force and its stored version (none: the default calendar).
pub async fn calendar_in_force(
    store: &dyn Store,
) -> Result<(ReportingCalendar, Option<i64>), StoreError> {
    Ok(match store.setting(CALENDAR_KEY).await? {
        Some(saved) => (
            ReportingCalendar::from_toml(&saved.body)
                .map_err(|e| StoreError::Invalid(format!("已保存的填报日历无法使用：{e}")))?,
            Some(saved.version),
        ),
        None => (ReportingCalendar::default(), None),
    })
}

/// Why a calendar was not saved or a year not opened.
#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    /// The text is not a valid calendar.
    #[error("{0}")]
    Invalid(String),
    /// The year already has reporting periods.
    #[error("{0} 年已开设期次，不能重复开设")]
    AlreadyOpen(i16),
    /// The database refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Validates and saves a new version of the reporting calendar, audited.
pub async fn save_calendar(
    store: &dyn Store,
    clock: Clock,
    body: &str,
    by: &str,
) -> Result<SettingVersion, CalendarError> {
    ReportingCalendar::from_toml(body).map_err(|e| CalendarError::Invalid(e.to_string()))?;
    let audit = crate::client::draft(
        clock.now_ms(),
        by,
        AuditAction::SettingsReportingCalendar,
        format!("setting:{CALENDAR_KEY}"),
    )
    .change("body", None, format!("{} bytes", body.len()));
    Ok(store.save_setting(CALENDAR_KEY, body, by, &audit).await?)
}

/// Lays out `year`'s reporting periods from the calendar in force; refused if the year already
/// has periods. Returns how many were opened.
pub async fn open_year(store: &dyn Store, year: i16, by: &str) -> Result<usize, CalendarError> {
    let (calendar, _) = calendar_in_force(store).await?;
    let existing = store.load_records().await?.periods;
    if existing.iter().any(|p| p.year == year) {
        return Err(CalendarError::AlreadyOpen(year));
    }
    let first_id = existing.iter().map(|p| p.id.0).max().unwrap_or(0) + 1;
    let periods = calendar.periods(year, first_id);
    let count = periods.len();
    let portfolio = Portfolio {
        periods,
        ..Default::default()
    };
    store
        .append_portfolio(
            &portfolio,
            &Actor {
                name: by.to_string(),
                client: crate::client::current(),
            },
            &|_, _| {},
        )
        .await?;
    Ok(count)
}
