//! The portfolio as a node holds it: a [`Snapshot`] of the records at one data version, re-read
//! when the database's data version changes, with the cadence's records and the walking coverage
//! cached the same way. [`App`] is what the web server's state and the long-running CLI commands
//! hold.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use jianguan_domain::Date;
use jianguan_domain::model::Portfolio;
use jianguan_domain::overview::{Figures, Overview};
use jianguan_domain::rates::InvestmentLedger;
use jianguan_domain::store::{ReadModel, Store, StoreError};
use serde::Serialize;
use tokio::sync::{Mutex, RwLock};

use crate::Clock;
use crate::cadence::{self, CadenceSnapshot};
use crate::coverage::{Coverage, CoverageError};

/// The portfolio as of one data version, with what every request derives from it.
#[derive(Debug)]
pub struct Snapshot {
    /// The data version it was read at.
    pub version: i64,
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
            ledger: InvestmentLedger::from_points(model.investment),
            portfolio: model.portfolio,
        }
    }
}

/// A store with the read models a node caches over it, the clock and the node's file locations.
pub struct App {
    store: Arc<dyn Store>,
    clock: Clock,
    cache: RwLock<Option<Arc<Snapshot>>>,
    cadence_cache: RwLock<Option<Arc<CadenceSnapshot>>>,
    coverage_cache: Mutex<Option<Arc<Coverage>>>,
    anchors: OnceLock<PathBuf>,
    photos: OnceLock<PathBuf>,
    /// Read model loads, and the milliseconds they took in all (for metrics).
    reloads: (AtomicU64, AtomicU64),
}

impl App {
    /// An application over `store` with `clock`.
    pub fn new(store: Arc<dyn Store>, clock: Clock) -> App {
        App {
            store,
            clock,
            cache: RwLock::new(None),
            cadence_cache: RwLock::new(None),
            coverage_cache: Mutex::new(None),
            anchors: OnceLock::new(),
            photos: OnceLock::new(),
            reloads: (AtomicU64::new(0), AtomicU64::new(0)),
        }
    }

    /// How many times the read model was loaded, and the milliseconds that took in all.
    pub fn reload_stats(&self) -> (u64, u64) {
        (
            self.reloads.0.load(Ordering::Relaxed),
            self.reloads.1.load(Ordering::Relaxed),
        )
    }

    /// Whether a read model has been loaded (readiness).
    pub async fn has_snapshot(&self) -> bool {
        self.cache.read().await.is_some()
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

    /// The current snapshot, re-read when the data changed since it was taken.
    pub async fn snapshot(&self) -> Result<Arc<Snapshot>, StoreError> {
        let version = self.store.data_version().await?;
        if let Some(s) = self.cache.read().await.as_ref()
            && s.version == version
        {
            return Ok(s.clone());
        }
        let mut slot = self.cache.write().await;
        if let Some(s) = slot.as_ref()
            && s.version == version
        {
            return Ok(s.clone());
        }
        let started = std::time::Instant::now();
        let snapshot = Arc::new(Snapshot::of(version, self.store.load_read_model().await?));
        self.reloads.0.fetch_add(1, Ordering::Relaxed);
        self.reloads.1.fetch_add(
            u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
        *slot = Some(snapshot.clone());
        Ok(snapshot)
    }

    /// The cadence's records (warnings, tracked items, filing days), re-read when the data
    /// changed since they were read.
    pub async fn cadence(&self) -> Result<Arc<CadenceSnapshot>, StoreError> {
        let version = self.store.data_version().await?;
        if let Some(s) = self.cadence_cache.read().await.as_ref()
            && s.version == version
        {
            return Ok(s.clone());
        }
        let mut slot = self.cadence_cache.write().await;
        if let Some(s) = slot.as_ref()
            && s.version == version
        {
            return Ok(s.clone());
        }
        let snapshot = Arc::new(cadence::load(self.store.as_ref(), version).await?);
        *slot = Some(snapshot.clone());
        Ok(snapshot)
    }

    /// Walking coverage at `snapshot`'s data version (issue 8): the generated city, built on the
    /// blocking pool on first use after a change; one caller builds it while others wait.
    pub async fn coverage(&self, snapshot: &Arc<Snapshot>) -> Result<Arc<Coverage>, CoverageError> {
        let mut slot = self.coverage_cache.lock().await;
        if let Some(c) = slot.as_ref()
            && c.version == snapshot.version
        {
            return Ok(c.clone());
        }
        let built = Coverage::build(snapshot.clone()).await?;
        *slot = Some(built.clone());
        Ok(built)
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
