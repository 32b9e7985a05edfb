//! The portfolio as a node holds it: a [`Snapshot`] of the records at one data version, caught
//! up from the database's change log when the data version moves, with the cadence's records and
//! the walking coverage cached the same way. [`App`] is what the web server's state and the long-running CLI commands
//! hold.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use jianguan_domain::Date;
use jianguan_domain::change::{self, Change};
use jianguan_domain::model::Portfolio;
use jianguan_domain::overview::{FigureBook, Figures, Overview};
use jianguan_domain::rates::InvestmentLedger;
use jianguan_domain::store::{ReadModel, ReadModelPart, Store, StoreError};
use serde::Serialize;
use tokio::sync::Mutex;

use crate::Clock;
use crate::cadence::{self, CadenceSnapshot};
use crate::coverage::{Coverage, CoverageError};
use crate::figure_books::FigureBooks;

/// The portfolio as of one data version, with what every request derives from it.
#[derive(Debug)]
pub struct Snapshot {
    /// The data version it is current at.
    pub version: i64,
    /// The data version at which its records last changed (later writes changed only what it
    /// does not hold: scores, settings, the cadence); what is derived from the records alone,
    /// walking coverage, is cached by it.
    pub records_version: i64,
    /// The records, without report versions (pages read those per project).
    pub portfolio: Portfolio,
    /// Investment to date per project.
    pub ledger: InvestmentLedger,
}

impl Snapshot {
    /// Reads the read model from `store` once (the CLI; a server keeps an [`App`]).
    pub async fn load(store: &dyn Store) -> Result<Snapshot, StoreError> {
        let version = store.data_version().await?;
        Ok(Snapshot::of(version, store.load_read_model().await?))
    }

    /// The snapshot of a read model read at data version `version`.
    pub fn of(version: i64, model: ReadModel) -> Snapshot {
        Snapshot {
            version,
            records_version: version,
            ledger: InvestmentLedger::from_points(model.investment),
            portfolio: model.portfolio,
        }
    }

    /// This snapshot caught up to `version` by `change`, whose parts `part` holds (re-read after
    /// the change was logged, so never older than `version`).
    pub fn caught_up(&self, version: i64, change: &Change, part: ReadModelPart) -> Snapshot {
        if change.leaves_portfolio() {
            return Snapshot {
                version,
                records_version: self.records_version,
                portfolio: self.portfolio.clone(),
                ledger: self.ledger.clone(),
            };
        }
        let (portfolio, ledger) = change::apply(&self.portfolio, &self.ledger, change, part);
        Snapshot {
            version,
            records_version: version,
            portfolio,
            ledger,
        }
    }
}

/// Counts of how a node's read model was brought up to date (for metrics).
#[derive(Debug, Default)]
struct Refreshes {
    /// Full reads, and the milliseconds they took in all.
    full: (AtomicU64, AtomicU64),
    /// Catch-ups from the change log, and the milliseconds they took in all.
    partial: (AtomicU64, AtomicU64),
}

impl Refreshes {
    fn count(pair: &(AtomicU64, AtomicU64), started: Instant) {
        pair.0.fetch_add(1, Ordering::Relaxed);
        pair.1.fetch_add(
            u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    fn read(pair: &(AtomicU64, AtomicU64)) -> (u64, u64) {
        (
            pair.0.load(Ordering::Relaxed),
            pair.1.load(Ordering::Relaxed),
        )
    }
}

/// A cached value with the latest data version it is known to be current at.
struct Cached<T> {
    value: Arc<T>,
    current_at: i64,
}

// Not derived: a derive would ask `T: Clone`, and only the `Arc` is cloned.
impl<T> Clone for Cached<T> {
    fn clone(&self) -> Self {
        Cached {
            value: self.value.clone(),
            current_at: self.current_at,
        }
    }
}

/// The basemap a node holds: its revision and the data version it was last known current at.
struct BasemapSlot {
    checked_at: i64,
    revision: Option<i64>,
    index: Option<Arc<crate::basemap::Basemap>>,
}

/// A store with the read models a node caches over it, the clock and the node's file locations.
///
/// The read model is never re-read whole after a write: a node reads the change log since its
/// snapshot's version and re-reads only what the changes name ([`Snapshot::caught_up`]), one
/// task at a time while readers keep the snapshot they hold. A full read happens at the start,
/// after a bulk write, or when the log no longer reaches back (pruned); while it runs, other
/// readers are served the last snapshot and readiness says so ([`App::rebuilding`]).
pub struct App {
    store: Arc<dyn Store>,
    clock: Clock,
    cache: std::sync::RwLock<Option<Arc<Snapshot>>>,
    /// Held by the one task bringing the snapshot up to date.
    catching_up: Mutex<()>,
    /// Set while a full read runs with a snapshot already held.
    rebuilding: AtomicBool,
    cadence_cache: std::sync::RwLock<Option<Cached<CadenceSnapshot>>>,
    /// Held by the one task bringing the cadence's records up to date.
    cadence_turn: Mutex<()>,
    coverage_cache: Mutex<Option<Arc<Coverage>>>,
    basemap_cache: Mutex<Option<BasemapSlot>>,
    books: FigureBooks,
    anchors: OnceLock<PathBuf>,
    photos: OnceLock<PathBuf>,
    refreshes: Refreshes,
}

impl App {
    /// An application over `store` with `clock`.
    pub fn new(store: Arc<dyn Store>, clock: Clock) -> App {
        App {
            store,
            clock,
            cache: std::sync::RwLock::new(None),
            catching_up: Mutex::new(()),
            rebuilding: AtomicBool::new(false),
            cadence_cache: std::sync::RwLock::new(None),
            cadence_turn: Mutex::new(()),
            coverage_cache: Mutex::new(None),
            basemap_cache: Mutex::new(None),
            books: FigureBooks::default(),
            anchors: OnceLock::new(),
            photos: OnceLock::new(),
            refreshes: Refreshes::default(),
        }
    }

    /// How many times the read model was read whole, and the milliseconds that took in all.
    pub fn reload_stats(&self) -> (u64, u64) {
        Refreshes::read(&self.refreshes.full)
    }

    /// How many times the read model caught up from the change log, and the milliseconds that
    /// took in all.
    pub fn catch_up_stats(&self) -> (u64, u64) {
        Refreshes::read(&self.refreshes.partial)
    }

    /// Whether a read model has been loaded (readiness).
    pub async fn has_snapshot(&self) -> bool {
        self.current().is_some()
    }

    /// The data version of the snapshot being served while a full read runs, if one runs
    /// (readiness says so).
    pub fn rebuilding(&self) -> Option<i64> {
        if self.rebuilding.load(Ordering::Acquire) {
            self.current().map(|s| s.version)
        } else {
            None
        }
    }

    /// The storage behind the application.
    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// The storage, shared (for tasks that outlive a request).
    pub fn shared_store(&self) -> Arc<dyn Store> {
        self.store.clone()
    }

    /// The clock.
    pub fn clock(&self) -> Clock {
        self.clock
    }

    /// Today's date.
    pub fn today(&self) -> Date {
        self.clock.today()
    }

    /// Now, in epoch milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    fn current(&self) -> Option<Arc<Snapshot>> {
        held(&self.cache)
    }

    fn install(&self, snapshot: Arc<Snapshot>) {
        hold(&self.cache, snapshot);
    }

    /// The current snapshot: the one held if the data has not changed since this request arrived,
    /// else caught up from the change log (or read whole, see [`App`]). A snapshot newer than the
    /// request's arrival serves it as well (its own writes, committed before, are in), so one
    /// catch-up serves every request waiting for it.
    pub async fn snapshot(&self) -> Result<Arc<Snapshot>, StoreError> {
        // What is held first, then the version: a snapshot ahead of a version read after it was
        // installed means the database went back (a restore), never a race with a catch-up.
        let held = self.current();
        let arrival = self.store.data_version().await?;
        let went_back = held.as_ref().is_some_and(|s| s.version > arrival);
        if let Some(s) = &held
            && (s.version == arrival || self.rebuilding.load(Ordering::Acquire))
        {
            return Ok(s.clone());
        }
        let _turn = self.catching_up.lock().await;
        let Some(held) = self.current() else {
            let started = Instant::now();
            let version = self.store.data_version().await?;
            let snapshot = Arc::new(Snapshot::of(version, self.store.load_read_model().await?));
            Refreshes::count(&self.refreshes.full, started);
            self.install(snapshot.clone());
            return Ok(snapshot);
        };
        if !went_back && held.version >= arrival {
            return Ok(held);
        }
        let now = self.store.data_version().await?;
        if held.version == now {
            return Ok(held);
        }
        let started = Instant::now();
        // A version behind the one held means the database was replaced (a restore): read it
        // whole, like a log that no longer reaches back.
        let log = if held.version < now {
            self.store.changes_since(held.version).await?
        } else {
            None
        };
        let next = match log {
            Some((reached, change)) if !change.needs_full_read() => {
                let part = self.store.load_read_model_part(&change).await?;
                let next = Arc::new(held.caught_up(reached, &change, part));
                Refreshes::count(&self.refreshes.partial, started);
                next
            }
            _ => {
                let _flag = Rebuilding::set(&self.rebuilding);
                let version = self.store.data_version().await?;
                let next = Arc::new(Snapshot::of(version, self.store.load_read_model().await?));
                Refreshes::count(&self.refreshes.full, started);
                next
            }
        };
        self.install(next.clone());
        Ok(next)
    }

    fn current_cadence(&self) -> Option<Cached<CadenceSnapshot>> {
        held(&self.cadence_cache)
    }

    fn install_cadence(&self, cached: Cached<CadenceSnapshot>) {
        hold(&self.cadence_cache, cached);
    }

    /// The cadence's records (warnings, tracked items, filing days): the ones held if nothing
    /// they hold changed since this request arrived (a filing only drops its period's filings),
    /// else re-read; like [`App::snapshot`], records newer than the arrival serve it too.
    pub async fn cadence(&self) -> Result<Arc<CadenceSnapshot>, StoreError> {
        // Held first, then the version (see `snapshot`).
        let held = self.current_cadence();
        let arrival = self.store.data_version().await?;
        let went_back = held.as_ref().is_some_and(|c| c.current_at > arrival);
        if let Some(c) = &held
            && c.current_at == arrival
        {
            return Ok(c.value.clone());
        }
        let _turn = self.cadence_turn.lock().await;
        let held = self.current_cadence();
        if let Some(c) = &held
            && !went_back
            && c.current_at >= arrival
        {
            return Ok(c.value.clone());
        }
        let now = self.store.data_version().await?;
        if let Some(c) = held {
            if c.current_at == now {
                return Ok(c.value);
            }
            if c.current_at < now
                && let Some((reached, change)) = self.store.changes_since(c.current_at).await?
                && !change.cadence
                && !change.needs_full_read()
            {
                c.value
                    .catch_up_filings(self.store.as_ref(), &change)
                    .await?;
                self.install_cadence(Cached {
                    value: c.value.clone(),
                    current_at: reached,
                });
                return Ok(c.value);
            }
        }
        let value = Arc::new(cadence::load(self.store.as_ref(), now).await?);
        self.install_cadence(Cached {
            value: value.clone(),
            current_at: now,
        });
        Ok(value)
    }

    /// Walking coverage of `snapshot`'s records (issue 8): on the city's own walking inputs
    /// stored with the basemap, else on the generated city; built on the blocking pool on first
    /// use after the records or the basemap changed; one caller builds it while others wait.
    pub async fn coverage(&self, snapshot: &Arc<Snapshot>) -> Result<Arc<Coverage>, CoverageError> {
        let walk = self
            .basemap(snapshot)
            .await
            .map_err(CoverageError::Store)?
            .and_then(|b| Some((b.revision, b.walk.clone()?)));
        let walk_revision = walk.as_ref().map(|(r, _)| *r);
        let mut slot = self.coverage_cache.lock().await;
        if let Some(c) = slot.as_ref()
            && c.version == snapshot.records_version
            && c.walk_revision == walk_revision
        {
            return Ok(c.clone());
        }
        let built = Coverage::build(snapshot.clone(), walk).await?;
        *slot = Some(built.clone());
        Ok(built)
    }

    /// The stored basemap (decoded and indexed), if one is stored: read once per revision. The
    /// revision is looked at again only when the data version moved past the last look (storing
    /// a basemap bumps it), so a map costs no query while nothing is written.
    pub async fn basemap(
        &self,
        snapshot: &Snapshot,
    ) -> Result<Option<Arc<crate::basemap::Basemap>>, StoreError> {
        let mut slot = self.basemap_cache.lock().await;
        if let Some(held) = slot.as_ref()
            && held.checked_at >= snapshot.version
        {
            return Ok(held.index.clone());
        }
        let revision = self.store.basemap_info().await?.map(|i| i.revision);
        if let Some(held) = slot.as_mut()
            && held.revision == revision
        {
            held.checked_at = snapshot.version;
            return Ok(held.index.clone());
        }
        let loaded = crate::basemap::load(self.store.as_ref()).await?;
        let (revision, index) = match loaded {
            Some((revision, index)) => (Some(revision), Some(Arc::new(index))),
            None => (None, None),
        };
        *slot = Some(BasemapSlot {
            checked_at: snapshot.version,
            revision,
            index: index.clone(),
        });
        Ok(index)
    }

    /// Every project's contribution to the figures of `year` at `dates`, for `snapshot`: kept
    /// from one snapshot to the next and recomputed only for the projects written since
    /// ([`FigureBook`]). Blocks while it computes (most of a second the first time at national
    /// scale): call it from the blocking pool.
    pub fn figure_book(
        &self,
        snapshot: &Arc<Snapshot>,
        year: i16,
        dates: Vec<Date>,
    ) -> Arc<FigureBook> {
        self.books.get(snapshot, year, dates)
    }

    /// Names the audit anchor file the audit pages verify against (set once, at start).
    pub fn set_anchor_path(&self, path: PathBuf) {
        let _ = self.anchors.set(path);
    }

    /// The audit anchor file, if one is configured.
    pub fn anchor_path(&self) -> Option<&Path> {
        self.anchors.get().map(|p| p.as_path())
    }

    /// Names the directory report photos are stored in, each file named by the SHA-256 of its
    /// bytes (set once, at start; `serve` puts it next to the database). Until it is set, reports
    /// are filed without photos and a report that brings some is refused, naming the field.
    pub fn set_photo_dir(&self, path: PathBuf) {
        let _ = self.photos.set(path);
    }

    /// The photo directory, if one is configured.
    pub fn photo_dir(&self) -> Option<&Path> {
        self.photos.get().map(|p| p.as_path())
    }
}

/// What `slot` holds (a cheap clone: an `Arc` inside), taken under its lock only for the clone.
fn held<T: Clone>(slot: &std::sync::RwLock<Option<T>>) -> Option<T> {
    slot.read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone()
}

/// Puts `value` in `slot` in place of what it held.
fn hold<T>(slot: &std::sync::RwLock<Option<T>>, value: T) {
    *slot
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(value);
}

/// Marks a full read in progress for as long as it lives (a request dropped mid-read clears it).
struct Rebuilding<'a>(&'a AtomicBool);

impl<'a> Rebuilding<'a> {
    fn set(flag: &'a AtomicBool) -> Rebuilding<'a> {
        flag.store(true, Ordering::Release);
        Rebuilding(flag)
    }
}

impl Drop for Rebuilding<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

/// One breakdown line of [`Stats`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatsLine {
    /// Category or district id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Projects with a plan for the year.
    pub projects: u64,
    /// Projects in the annual construction plan.
    pub planned: u64,
    /// Projects whose annual plan is complete.
    pub finished: u64,
    /// 项目完成率.
    pub project_completion_rate: Option<f64>,
    /// 节点完成率.
    pub node_completion_rate: Option<f64>,
    /// 按期完成率.
    pub on_time_rate: Option<f64>,
    /// Investment completed in the year, yuan.
    pub investment_completed: i64,
    /// Investment planned for the year, yuan.
    pub investment_planned: i64,
    /// 投资完成率.
    pub investment_completion_rate: Option<f64>,
    /// Milestones overdue.
    pub overdue_milestones: u64,
    /// Finished projects by build type.
    pub finished_new: u64,
    /// Finished renovation projects.
    pub finished_renovation: u64,
    /// New parking spaces of finished projects.
    pub finished_parking_spaces: i64,
}

impl StatsLine {
    fn new(id: i64, name: &str, f: &Figures) -> StatsLine {
        StatsLine {
            id,
            name: name.to_string(),
            projects: f.projects,
            planned: f.planned(),
            finished: f.finished(),
            project_completion_rate: f.project_completion.value(),
            node_completion_rate: f.node_completion.value(),
            on_time_rate: f.on_time.value(),
            investment_completed: f.investment.completed.0,
            investment_planned: f.investment.planned.0,
            investment_completion_rate: f.investment.value(),
            overdue_milestones: f.overdue_milestones,
            finished_new: f.finished_by_build_type.new,
            finished_renovation: f.finished_by_build_type.renovation,
            finished_parking_spaces: f.finished_scale.parking_spaces,
        }
    }
}

/// The headline figures of a year as of a date: the body of `GET /api/v1/stats` and of
/// `jianguan stats --json`. Rates are fractions (0.9052), amounts whole yuan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    /// Campaign year.
    pub year: i16,
    /// As-of date.
    pub as_of: Date,
    /// Projects with a plan for the year.
    pub projects: u64,
    /// Projects in the annual construction plan.
    pub annual_projects: u64,
    /// Projects only in preliminary work or starting across the year.
    pub preliminary_projects: u64,
    /// Projects suspended.
    pub suspended_projects: u64,
    /// Projects that had started construction.
    pub started_projects: u64,
    /// Projects whose annual plan is complete.
    pub finished_projects: u64,
    /// 项目完成率.
    pub project_completion_rate: Option<f64>,
    /// 节点完成率.
    pub node_completion_rate: Option<f64>,
    /// Milestones due.
    pub milestones_due: u64,
    /// Milestones due and reached.
    pub milestones_reached: u64,
    /// 按期完成率.
    pub on_time_rate: Option<f64>,
    /// 投资完成率.
    pub investment_completion_rate: Option<f64>,
    /// Investment completed in the year, yuan.
    pub investment_completed: i64,
    /// Investment planned for the year, yuan.
    pub investment_planned: i64,
    /// Milestones overdue.
    pub overdue_milestones: u64,
    /// Projects with an overdue milestone.
    pub overdue_projects: u64,
    /// Per category.
    pub categories: Vec<StatsLine>,
    /// Per district.
    pub districts: Vec<StatsLine>,
}

impl From<&Overview> for Stats {
    fn from(o: &Overview) -> Stats {
        let t = &o.total;
        Stats {
            year: o.year,
            as_of: o.as_of,
            projects: t.projects,
            annual_projects: t.planned(),
            preliminary_projects: t.preliminary_projects,
            suspended_projects: t.suspended_projects,
            started_projects: t.started_projects,
            finished_projects: t.finished(),
            project_completion_rate: t.project_completion.value(),
            node_completion_rate: t.node_completion.value(),
            milestones_due: t.node_completion.denominator,
            milestones_reached: t.node_completion.numerator,
            on_time_rate: t.on_time.value(),
            investment_completion_rate: t.investment.value(),
            investment_completed: t.investment.completed.0,
            investment_planned: t.investment.planned.0,
            overdue_milestones: t.overdue_milestones,
            overdue_projects: t.overdue_projects,
            categories: o
                .categories
                .iter()
                .map(|b| StatsLine::new(b.id.0, &b.name, &b.figures))
                .collect(),
            districts: o
                .districts
                .iter()
                .map(|b| StatsLine::new(b.id.0, &b.name, &b.figures))
                .collect(),
        }
    }
}
