//! A node's read model is caught up from the change log, not re-read whole after a write: after
//! any sequence of writes (filings, plan approvals, project edits, unit renames, category saves,
//! settings), the snapshot an `App` holds equals the one a full read gives — on both backends —
//! and only the first read, a bulk write or a pruned log reads everything.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use jianguan_app::{App, Clock, Snapshot};
use jianguan_audit::{AuditAction, AuditDraft};
use jianguan_domain::filing::ReportIndex;
use jianguan_domain::model::{
    Category, CategoryId, Money, PeriodId, PlanStatus, Portfolio, ProgressReport, ReportId,
};
use jianguan_domain::store::prelude::*;
use jianguan_domain::store::{Actor, ProjectImport, RecordScope, ReportVersions, UnitWrite};
use jianguan_store::Db;
use proptest::prelude::*;

static CITY: LazyLock<Portfolio> = LazyLock::new(jianguan_demo::demo_city);

/// One write (or a read in between, which catches the node up part-way).
#[derive(Debug, Clone)]
enum Step {
    /// A new version of a project's report for a period, reaching its first milestone.
    File {
        project: usize,
        period: usize,
        wan: u16,
    },
    /// A year plan approved.
    Approve { project: usize },
    /// A project's name and total investment changed through the ledger import.
    Edit { project: usize },
    /// A unit renamed.
    RenameUnit { unit: usize },
    /// A category saved as a new version.
    SaveCategory { category: usize },
    /// A setting saved (nothing the portfolio holds).
    Setting,
    /// A page read: the node catches up now.
    Read,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (any::<usize>(), any::<usize>(), 1u16..500)
            .prop_map(|(project, period, wan)| Step::File { project, period, wan }),
        1 => any::<usize>().prop_map(|project| Step::Approve { project }),
        2 => any::<usize>().prop_map(|project| Step::Edit { project }),
        1 => any::<usize>().prop_map(|unit| Step::RenameUnit { unit }),
        1 => any::<usize>().prop_map(|category| Step::SaveCategory { category }),
        1 => Just(Step::Setting),
        3 => Just(Step::Read),
    ]
}

fn actor() -> Actor {
    Actor {
        name: "read-model-test".into(),
        client: None,
    }
}

fn audit(action: AuditAction, object: String) -> AuditDraft {
    AuditDraft::new(1_638_316_800_000, "read-model-test", action, object)
}

fn no_progress(_done: u64, _total: u64) {}

/// What the writes so far have stored that the next ones build on.
#[derive(Default)]
struct State {
    /// The latest report version per (project, period).
    versions: HashMap<(i64, i64), u16>,
    /// Categories as last saved (a save names the version it replaces).
    categories: HashMap<CategoryId, Category>,
}

/// Runs `steps` against `store` holding the demo city, with `app` reading between them.
async fn run(store: &Db, app: &App, steps: &[Step], state: &mut State) {
    let city = &*CITY;
    for (k, s) in steps.iter().enumerate() {
        match s {
            Step::File {
                project,
                period,
                wan,
            } => {
                let p = &city.projects[project % city.projects.len()];
                let period = &city.periods[period % city.periods.len()];
                let version = state
                    .versions
                    .entry((p.id.0, period.id.0))
                    .or_insert_with(|| {
                        city.reports
                            .iter()
                            .filter(|r| r.project == p.id && r.period == period.id)
                            .map(|r| r.version)
                            .max()
                            .unwrap_or(0)
                    });
                *version += 1;
                let report = ProgressReport {
                    id: ReportId(0),
                    project: p.id,
                    period: period.id,
                    version: *version,
                    filed_on: period.end,
                    investment_to_date: Money::from_wan(f64::from(*wan)),
                    milestones_reached: p
                        .milestones
                        .first()
                        .map(|m| (m.id, period.end))
                        .into_iter()
                        .collect(),
                    note: format!("第 {k} 步"),
                    problems: Vec::new(),
                    correction_reason: (*version > 1).then(|| "更正".to_string()),
                };
                store
                    .file_report(
                        &report,
                        &[],
                        &audit(AuditAction::ReportFile, format!("project:{}", p.id)),
                        &[],
                        &[],
                    )
                    .await
                    .expect("the report is filed");
            }
            Step::Approve { project } => {
                let p = &city.projects[project % city.projects.len()];
                store
                    .set_plan_status(
                        2021,
                        &[p.id],
                        PlanStatus::Approved,
                        &audit(AuditAction::PlanApprove, format!("project:{}", p.id)),
                    )
                    .await
                    .expect("the plan status is set");
            }
            Step::Edit { project } => {
                let id = city.projects[project % city.projects.len()].id;
                let stored = store
                    .load_project(id, RecordScope::All, ReportVersions::All)
                    .await
                    .expect("reads")
                    .expect("the project exists")
                    .project;
                let mut edited = stored.clone();
                edited.name = format!("{}·{k}", stored.name);
                edited.total_investment = stored.total_investment + Money::from_wan(1.0);
                let import = ProjectImport {
                    new_units: Vec::new(),
                    new: Vec::new(),
                    updated: vec![(edited, vec!["项目名称".into(), "总投资".into()])],
                    source: "read-model-test".into(),
                    expected_version: store.data_version().await.expect("a version"),
                };
                store
                    .import_projects(&import, &actor(), &no_progress)
                    .await
                    .expect("the edit is imported");
            }
            Step::RenameUnit { unit } => {
                let mut u = city.units[unit % city.units.len()].clone();
                u.name = format!("{}·{k}", u.name);
                let write = UnitWrite {
                    new: Vec::new(),
                    changed: vec![u.clone()],
                    expected_version: store.data_version().await.expect("a version"),
                };
                store
                    .save_units(
                        &write,
                        &[audit(AuditAction::UnitRename, format!("unit:{}", u.id))],
                    )
                    .await
                    .expect("the unit is renamed");
            }
            Step::SaveCategory { category } => {
                let original = &city.categories[category % city.categories.len()];
                let mut c = state
                    .categories
                    .get(&original.id)
                    .unwrap_or(original)
                    .clone();
                c.name = format!("{}·{k}", original.name);
                let saved = store
                    .save_category(
                        &c,
                        "read-model-test",
                        &audit(AuditAction::CategorySave, format!("category:{}", c.id)),
                    )
                    .await
                    .expect("the category is saved");
                state.categories.insert(saved.id, saved);
            }
            Step::Setting => {
                store
                    .save_setting(
                        "read_model_test",
                        &format!("step = {k}"),
                        "read-model-test",
                        &audit(AuditAction::SettingsWarningRules, "setting".into()),
                    )
                    .await
                    .expect("the setting is saved");
            }
            Step::Read => {
                app.snapshot().await.expect("the node catches up");
            }
        }
    }
}

/// The held snapshot equals a full read; the filings the node holds equal those read whole.
async fn assert_caught_up(store: &Db, app: &App, filed: &[PeriodId]) {
    let held = app.snapshot().await.expect("the node catches up");
    let whole = Snapshot::load(store).await.expect("a full read");
    assert_eq!(held.version, whole.version, "the held snapshot is current");
    assert!(
        held.portfolio == whole.portfolio,
        "the caught-up portfolio equals the one read whole"
    );
    assert!(
        held.ledger == whole.ledger,
        "the caught-up investment ledger equals the one read whole"
    );
    let cadence = app.cadence().await.expect("the cadence's records");
    for period in filed {
        let held = cadence.filings(store, *period).await.expect("filings");
        let whole = ReportIndex::new(store.load_filings(*period).await.expect("filings"));
        assert!(
            *held == whole,
            "the filings of period {period:?} held equal those read whole"
        );
    }
}

async fn property(store: Db, steps: Vec<Step>) {
    store
        .create_portfolio(&CITY, &actor(), &no_progress)
        .await
        .expect("the demo city is written");
    let store = Arc::new(store);
    let app = App::new(store.clone(), Clock::system());
    let filed: Vec<PeriodId> = steps
        .iter()
        .filter_map(|s| match s {
            Step::File { period, .. } => Some(CITY.periods[period % CITY.periods.len()].id),
            _ => None,
        })
        .collect();
    // Read the filings first, so that the ones held are caught up, not read fresh at the end.
    let cadence = app.cadence().await.expect("the cadence's records");
    for p in &filed {
        cadence.filings(store.as_ref(), *p).await.expect("filings");
    }
    app.snapshot().await.expect("the first read");
    let mut state = State::default();
    run(&store, &app, &steps, &mut state).await;
    assert_caught_up(&store, &app, &filed).await;
    assert_eq!(
        app.reload_stats().0,
        1,
        "only the first read read everything; every write after it was caught up"
    );
    assert!(app.rebuilding().is_none());

    // A bulk write (the log says anything may have changed) is read whole, and so is a change
    // log that no longer reaches back to the held version.
    store
        .append_portfolio(&Portfolio::default(), &actor(), &no_progress)
        .await
        .expect("an empty bulk write");
    assert_caught_up(&store, &app, &filed).await;
    assert_eq!(app.reload_stats().0, 2, "a bulk write is read whole");
    // Writes the node has not caught up with, whose log entries are then pruned.
    let unseen = [Step::Setting, Step::Edit { project: 3 }];
    run(&store, &app, &unseen, &mut state).await;
    jianguan_store::testing::forget_changes(&store).await;
    run(&store, &app, &[Step::Edit { project: 7 }], &mut state).await;
    assert_caught_up(&store, &app, &filed).await;
    assert_eq!(app.reload_stats().0, 3, "a pruned log is read whole");

    // A database gone back to an earlier version behind the node (a restore): the snapshot held
    // is ahead of it, and is read whole rather than served or caught up from a log that forked.
    jianguan_store::testing::rewind_data_version(&store, 2).await;
    assert_caught_up(&store, &app, &filed).await;
    assert_eq!(
        app.reload_stats().0,
        4,
        "a database gone back is read whole"
    );
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec(step(), 1..20)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4, ..ProptestConfig::default() })]

    #[test]
    fn on_sqlite_the_caught_up_read_model_equals_a_full_read(steps in steps()) {
        runtime().block_on(async {
            let dir = tempfile::tempdir().expect("a temporary directory");
            let url = dir.path().join("jianguan.db").display().to_string();
            let store = jianguan_store::open(&url).await.expect("a new SQLite file");
            property(store, steps).await;
        });
    }

    #[test]
    #[cfg_attr(
        not(pg_tests),
        ignore = "set JIANGUAN_TEST_POSTGRES_URL to run the PostgreSQL tests"
    )]
    fn on_postgres_the_caught_up_read_model_equals_a_full_read(steps in steps()) {
        runtime().block_on(async {
            let guard = jianguan_store::testing::fresh_postgres_schema().await;
            let store = jianguan_store::open(&guard.url).await.expect("a new schema");
            property(store, steps).await;
        });
    }
}
