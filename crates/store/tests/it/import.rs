//! The ledger import's contract (`Store::import_projects`), run on real SQLite files and on
//! PostgreSQL schemas over the demo city: new projects get fresh ids and read back as imported;
//! an update replaces fields, year plans and milestones (matched by id); a stale plan, a taken
//! code, a missing project or dropping a milestone that a report or a warning refers to is
//! refused and nothing is written; every project leaves an audit record on an unbroken chain.
//!
//! The PostgreSQL tests run when `JIANGUAN_TEST_POSTGRES_URL` was set at build time (see
//! `build.rs`); without it they are listed as ignored, with the reason.

use std::collections::HashSet;
use std::sync::{Arc, LazyLock, Mutex};

use jianguan_domain::model::{
    Milestone, MilestoneId, Money, PlanKind, Portfolio, Project, ProjectId, Unit, UnitId, UnitKind,
    YearPlan,
};
use jianguan_domain::store::prelude::*;
use jianguan_domain::store::{Actor, CadenceWrite, Field, ProjectImport, StoreError};
use jianguan_domain::warnings::{WarningEvent, WarningLevel};
use jianguan_store::Db;
use jianguan_store::testing::PostgresSchema;
use tempfile::TempDir;

// ---------------------------------------------------------------------------------------------
// Backends.
// ---------------------------------------------------------------------------------------------

/// A new, empty jianguan database in a SQLite file of its own, deleted with the guard.
async fn fresh_sqlite() -> (TempDir, Db) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("jianguan.db").display().to_string();
    let db = jianguan_store::open(&path)
        .await
        .expect("a new SQLite file opens");
    (dir, db)
}

/// A new, empty jianguan database in a PostgreSQL schema of its own, dropped with the guard.
async fn fresh_postgres() -> (PostgresSchema, Db) {
    let guard = jianguan_store::testing::fresh_postgres_schema().await;
    let db = jianguan_store::open(&guard.url)
        .await
        .expect("a new PostgreSQL schema opens");
    (guard, db)
}

/// Expands one `#[tokio::test]` per contract test into `mod $backend`, each on a fresh database
/// holding the demo city. Attributes after `fresh` go on every test of the backend.
macro_rules! backend_tests {
    ($backend:ident, fresh = $fresh:path $(, #[$attr:meta])* $(,)?) => {
        mod $backend {
            backend_tests!(@each [$(#[$attr])*] $fresh;
                new_projects_get_fresh_ids_and_read_back_as_imported,
                an_update_replaces_fields_year_plans_and_milestones_matched_by_id,
                a_stale_expected_version_is_refused_and_nothing_changes,
                a_batch_with_a_taken_code_is_refused_and_writes_none_of_its_projects,
                an_update_of_a_missing_project_is_refused_and_nothing_changes,
                dropping_a_milestone_a_report_references_is_refused_and_nothing_changes,
                dropping_a_milestone_a_warning_references_is_refused_and_nothing_changes,
                changing_the_actual_date_a_report_gives_is_refused_and_nothing_changes,
                each_imported_project_gets_an_audit_record_and_the_chain_verifies,
                new_units_and_their_projects_land_in_one_transaction,
                a_refused_import_creates_none_of_its_new_units,
            );
        }
    };
    // One test at a time, so that the attributes (repeated once per test) and the tests are not
    // two repetitions of different lengths in one transcription.
    (@each $attrs:tt $fresh:path;) => {};
    (@each [$($attrs:tt)*] $fresh:path; $test:ident $(, $rest:ident)* $(,)?) => {
        #[tokio::test]
        $($attrs)*
        async fn $test() {
            let (_guard, db) = $fresh().await;
            super::create_city(&db).await;
            super::$test(db).await;
        }
        backend_tests!(@each [$($attrs)*] $fresh; $($rest),*);
    };
}

backend_tests!(sqlite, fresh = super::fresh_sqlite);
backend_tests!(
    postgres,
    fresh = super::fresh_postgres,
    #[cfg_attr(
        not(pg_tests),
        ignore = "set JIANGUAN_TEST_POSTGRES_URL to run the PostgreSQL contract tests"
    )]
);

// ---------------------------------------------------------------------------------------------
// Helpers.
// ---------------------------------------------------------------------------------------------

/// The demo city, generated once per test binary.
static CITY: LazyLock<Portfolio> = LazyLock::new(jianguan_demo::demo_city);

fn tester() -> Actor {
    Actor {
        name: "import-test".into(),
        client: Some("192.0.2.7".into()),
    }
}

fn no_progress(_done: u64, _total: u64) {}

async fn create_city(db: &Db) {
    db.create_portfolio(&CITY, &tester(), &no_progress)
        .await
        .expect("the demo city is written");
}

/// The milestones that some report of the demo city says were reached.
fn reported_milestones() -> HashSet<MilestoneId> {
    CITY.reports
        .iter()
        .flat_map(|r| r.milestones_reached.iter().map(|(m, _)| *m))
        .collect()
}

/// `template` as a new project of the ledger: code `code`, ids 0, milestone ids 0.
fn new_project(template: &Project, code: &str) -> Project {
    let mut p = template.clone();
    p.id = ProjectId(0);
    p.code = code.to_string();
    p.name = format!("{}（导入）", template.name);
    for m in &mut p.milestones {
        m.id = MilestoneId(0);
    }
    p
}

fn import(new: Vec<Project>, updated: Vec<(Project, Vec<String>)>, version: i64) -> ProjectImport {
    ProjectImport {
        new_units: Vec::new(),
        new,
        updated,
        source: "台账.xlsx（12,345 字节）".into(),
        expected_version: version,
    }
}

/// Everything an import could change: the data version, the records and the audit trail.
#[derive(Debug, PartialEq)]
struct State {
    version: i64,
    portfolio: Portfolio,
    audit_records: usize,
}

async fn state(db: &Db) -> State {
    State {
        version: db.data_version().await.expect("the data version reads"),
        portfolio: db.load_portfolio().await.expect("the portfolio loads"),
        audit_records: db
            .audit_records(0, i64::MAX)
            .await
            .expect("the audit trail reads")
            .len(),
    }
}

/// Runs `batch`, expects an error `expected` accepts whose text (its `Debug` form) contains
/// each of `words`, and checks that nothing changed.
async fn assert_refused_unchanged(
    db: &Db,
    batch: &ProjectImport,
    expected: fn(&StoreError) -> bool,
    words: &[&str],
) {
    let before = state(db).await;
    match db.import_projects(batch, &tester(), &no_progress).await {
        Err(e) if expected(&e) => {
            let why = format!("{e:?}");
            for word in words {
                assert!(why.contains(word), "`{why}` does not name {word}");
            }
        }
        other => panic!("expected another refusal, got {other:?}"),
    }
    let after = state(db).await;
    assert_eq!(
        after.version, before.version,
        "data version after a refusal"
    );
    assert_eq!(
        after.audit_records, before.audit_records,
        "audit records after a refusal"
    );
    assert!(
        after.portfolio == before.portfolio,
        "a refused import changed the records"
    );
}

fn is_invalid(e: &StoreError) -> bool {
    matches!(e, StoreError::Invalid(_))
}

fn date(text: &str) -> jianguan_domain::Date {
    text.parse().expect("a date")
}

// ---------------------------------------------------------------------------------------------
// The contract.
// ---------------------------------------------------------------------------------------------

async fn new_projects_get_fresh_ids_and_read_back_as_imported(db: Db) {
    let version = db.data_version().await.unwrap();
    let max_project = CITY.projects.iter().map(|p| p.id.0).max().unwrap();
    let max_milestone = CITY
        .projects
        .iter()
        .flat_map(|p| &p.milestones)
        .map(|m| m.id.0)
        .max()
        .unwrap();
    let new = vec![
        new_project(&CITY.projects[0], "DR2021-9001"),
        new_project(&CITY.projects[CITY.projects.len() - 1], "DR2021-9002"),
    ];
    let calls = Mutex::new(Vec::new());
    let record = |done: u64, total: u64| calls.lock().unwrap().push((done, total));
    let ids = db
        .import_projects(&import(new.clone(), vec![], version), &tester(), &record)
        .await
        .expect("the import is written");
    assert_eq!(
        ids,
        vec![ProjectId(max_project + 1), ProjectId(max_project + 2)]
    );
    assert_eq!(calls.into_inner().unwrap().last(), Some(&(2, 2)));
    assert_eq!(db.data_version().await.unwrap(), version + 1, "one bump");

    let loaded = db.load_portfolio().await.unwrap();
    assert_eq!(loaded.projects.len(), CITY.projects.len() + 2);
    assert!(
        loaded.projects[..CITY.projects.len()] == CITY.projects[..],
        "the stored projects are untouched"
    );
    let mut milestone_ids = HashSet::new();
    for (id, imported) in ids.iter().zip(&new) {
        let found = loaded
            .projects
            .iter()
            .find(|p| p.id == *id)
            .expect("the new project reads back");
        for m in &found.milestones {
            assert!(m.id.0 > max_milestone, "milestone {} is fresh", m.id);
            assert!(milestone_ids.insert(m.id), "milestone {} is unique", m.id);
        }
        // Ids aside, the project reads back exactly as imported.
        let mut expected = imported.clone();
        expected.id = *id;
        for (e, f) in expected.milestones.iter_mut().zip(&found.milestones) {
            e.id = f.id;
        }
        assert_eq!(&**found, &expected);
    }
}

async fn an_update_replaces_fields_year_plans_and_milestones_matched_by_id(db: Db) {
    let version = db.data_version().await.unwrap();
    let reported = reported_milestones();
    // A project whose next-to-last milestone no report names, so it may be dropped; the last
    // one then moves up a place, which renumbers around the (project, seq) key.
    let stored = CITY
        .projects
        .iter()
        .find(|p| {
            p.milestones.len() >= 3 && !reported.contains(&p.milestones[p.milestones.len() - 2].id)
        })
        .expect("the demo city has a project with a droppable milestone");
    let max_milestone = CITY
        .projects
        .iter()
        .flat_map(|p| &p.milestones)
        .map(|m| m.id.0)
        .max()
        .unwrap();

    let mut updated = Project::clone(stored);
    updated.name = format!("{}（调整）", stored.name);
    updated.street = "导入街道".into();
    updated.total_investment = Money(stored.total_investment.0 + 1_000);
    updated.funding_source = "专项债".into();
    updated.scale.households = Some(321);
    updated.year_plans[0].planned_investment = Money(123_456);
    let last_year = updated.year_plans.iter().map(|y| y.year).max().unwrap();
    updated.year_plans.push(YearPlan {
        year: last_year + 1,
        kind: PlanKind::Preliminary,
        planned_investment: Money(7_000),
        status: jianguan_domain::model::PlanStatus::Approved,
        adjusted_investment: None,
        cancelled_on: None,
    });
    let dropped = updated.milestones.remove(updated.milestones.len() - 2);
    updated.milestones[0].planned = date("2021-12-20");
    updated.milestones.push(Milestone {
        id: MilestoneId(0),
        seq: 0,
        name: "导入新增节点".into(),
        weight: 5,
        enters: None,
        planned: date("2021-12-31"),
        actual: None,
        derived: false,
        adjusted: None,
    });
    for (i, m) in updated.milestones.iter_mut().enumerate() {
        m.seq = i as u16 + 1;
    }
    let fields = vec![
        "项目名称".to_string(),
        "节点「导入新增节点」（新增）".to_string(),
    ];

    let ids = db
        .import_projects(
            &import(vec![], vec![(updated.clone(), fields)], version),
            &tester(),
            &no_progress,
        )
        .await
        .expect("the update is written");
    assert!(ids.is_empty(), "no project was created");
    assert_eq!(db.data_version().await.unwrap(), version + 1, "one bump");

    let loaded = db.load_portfolio().await.unwrap();
    let found = loaded
        .projects
        .iter()
        .find(|p| p.id == stored.id)
        .expect("the updated project reads back");
    let added = found.milestones.last().expect("milestones");
    assert!(
        added.id.0 > max_milestone,
        "the new milestone has a fresh id"
    );
    assert!(
        found.milestones.iter().all(|m| m.id != dropped.id),
        "the dropped milestone is gone"
    );
    let mut expected = updated.clone();
    expected.milestones.last_mut().unwrap().id = added.id;
    expected.year_plans.sort_by_key(|y| y.year);
    assert_eq!(&**found, &expected);
    assert_eq!(
        found.milestones[0].id, stored.milestones[0].id,
        "a kept milestone keeps its id"
    );
    // Every other project is as it was.
    let others = |ps: &[Arc<Project>]| -> Vec<Arc<Project>> {
        ps.iter().filter(|p| p.id != stored.id).cloned().collect()
    };
    assert!(others(&loaded.projects) == others(&CITY.projects));
}

async fn a_stale_expected_version_is_refused_and_nothing_changes(db: Db) {
    let version = db.data_version().await.unwrap();
    let mut renamed = Project::clone(&CITY.projects[0]);
    renamed.name = "过期计划".into();
    for stale in [version - 1, version + 1] {
        let batch = import(
            vec![new_project(&CITY.projects[1], "DR2021-9101")],
            vec![(renamed.clone(), vec!["项目名称".into()])],
            stale,
        );
        assert_refused_unchanged(
            &db,
            &batch,
            |e| matches!(e, StoreError::Stale { expected, found } if expected != found),
            &[],
        )
        .await;
    }
}

async fn a_batch_with_a_taken_code_is_refused_and_writes_none_of_its_projects(db: Db) {
    let version = db.data_version().await.unwrap();
    let taken = CITY.projects[5].code.clone();
    let batch = import(
        vec![
            new_project(&CITY.projects[1], "DR2021-9201"),
            new_project(&CITY.projects[2], &taken),
        ],
        vec![],
        version,
    );
    assert_refused_unchanged(
        &db,
        &batch,
        |e| {
            matches!(
                e,
                StoreError::Duplicate {
                    field: Field::ProjectCode,
                    value: Some(_)
                }
            )
        },
        &[&taken],
    )
    .await;
    // A code twice in one file is refused the same way.
    let batch = import(
        vec![
            new_project(&CITY.projects[1], "DR2021-9202"),
            new_project(&CITY.projects[2], "DR2021-9202"),
        ],
        vec![],
        version,
    );
    assert_refused_unchanged(&db, &batch, is_invalid, &["DR2021-9202"]).await;
}

async fn an_update_of_a_missing_project_is_refused_and_nothing_changes(db: Db) {
    let version = db.data_version().await.unwrap();
    let mut gone = Project::clone(&CITY.projects[3]);
    gone.id = ProjectId(CITY.projects.iter().map(|p| p.id.0).max().unwrap() + 100);
    gone.code = "DR2021-9301".into();
    let batch = import(
        vec![new_project(&CITY.projects[1], "DR2021-9302")],
        vec![(gone, vec!["项目名称".into()])],
        version,
    );
    assert_refused_unchanged(
        &db,
        &batch,
        |e| matches!(e, StoreError::NotFound(_)),
        &["DR2021-9301"],
    )
    .await;
}

async fn dropping_a_milestone_a_report_references_is_refused_and_nothing_changes(db: Db) {
    let version = db.data_version().await.unwrap();
    let reported = reported_milestones();
    let (stored, i) = CITY
        .projects
        .iter()
        .find_map(|p| {
            p.milestones
                .iter()
                .position(|m| reported.contains(&m.id))
                .map(|i| (p, i))
        })
        .expect("the demo city has reports naming milestones");
    let mut updated = Project::clone(stored);
    let dropped = updated.milestones.remove(i);
    for (k, m) in updated.milestones.iter_mut().enumerate() {
        m.seq = k as u16 + 1;
    }
    let batch = import(
        vec![new_project(&CITY.projects[1], "DR2021-9401")],
        vec![(updated, vec![format!("节点「{}」（删除）", dropped.name)])],
        version,
    );
    assert_refused_unchanged(
        &db,
        &batch,
        is_invalid,
        &[&stored.code, &dropped.name, "进度报告"],
    )
    .await;
}

async fn changing_the_actual_date_a_report_gives_is_refused_and_nothing_changes(db: Db) {
    let version = db.data_version().await.unwrap();
    let reported = reported_milestones();
    let (stored, i) = CITY
        .projects
        .iter()
        .find_map(|p| {
            p.milestones
                .iter()
                .position(|m| reported.contains(&m.id) && m.actual.is_some())
                .map(|i| (p, i))
        })
        .expect("the demo city has reports naming milestones");
    let name = stored.milestones[i].name.clone();
    for actual in [None, Some(date("2021-12-30"))] {
        let mut updated = Project::clone(stored);
        updated.milestones[i].actual = actual;
        let batch = import(
            vec![],
            vec![(updated, vec![format!("节点「{name}」实际日期")])],
            version,
        );
        assert_refused_unchanged(
            &db,
            &batch,
            is_invalid,
            &[&stored.code, &name, "以进度填报为准"],
        )
        .await;
    }
    // The same date, or another field changed, imports.
    let mut renamed = Project::clone(stored);
    renamed.name = format!("{}（二期）", stored.name);
    let batch = import(vec![], vec![(renamed, vec!["项目名称".into()])], version);
    db.import_projects(&batch, &tester(), &no_progress)
        .await
        .expect("an unchanged actual date imports");
}

async fn dropping_a_milestone_a_warning_references_is_refused_and_nothing_changes(db: Db) {
    let reported = reported_milestones();
    let (stored, i) = CITY
        .projects
        .iter()
        .find_map(|p| {
            p.milestones
                .iter()
                .position(|m| !reported.contains(&m.id))
                .map(|i| (p, i))
        })
        .expect("the demo city has a milestone no report names");
    let warned = &stored.milestones[i];
    let warning = WarningEvent {
        id: 0,
        project: stored.id,
        milestone: warned.id,
        unit: stored.responsible_unit,
        district: stored.district,
        on: date("2021-06-01"),
        previous: None,
        level: Some(WarningLevel::Reminder),
        reason: "逾期".into(),
        rules_version: 1,
    };
    let write = CadenceWrite {
        warnings: vec![warning],
        ..CadenceWrite::default()
    };
    db.record_cadence(&write, &[])
        .await
        .expect("the warning is recorded");
    let version = db.data_version().await.unwrap();
    let mut updated = Project::clone(stored);
    updated.milestones.remove(i);
    for (k, m) in updated.milestones.iter_mut().enumerate() {
        m.seq = k as u16 + 1;
    }
    let batch = import(vec![], vec![(updated, vec![])], version);
    assert_refused_unchanged(
        &db,
        &batch,
        is_invalid,
        &[&stored.code, &warned.name, "预警"],
    )
    .await;
}

async fn each_imported_project_gets_an_audit_record_and_the_chain_verifies(db: Db) {
    let version = db.data_version().await.unwrap();
    let before = db.audit_records(0, i64::MAX).await.unwrap().len();
    let mut renamed = Project::clone(&CITY.projects[4]);
    renamed.name = "审计改名".into();
    let batch = import(
        vec![
            new_project(&CITY.projects[1], "DR2021-9501"),
            new_project(&CITY.projects[2], "DR2021-9502"),
        ],
        vec![(renamed.clone(), vec!["项目名称".into()])],
        version,
    );
    let ids = db
        .import_projects(&batch, &tester(), &no_progress)
        .await
        .expect("the import is written");
    let records = db.audit_records(0, i64::MAX).await.unwrap();
    let appended = &records[before..];
    let described: Vec<(&str, &str, &str)> = appended
        .iter()
        .map(|r| (r.actor.as_str(), r.action.as_str(), r.object.as_str()))
        .collect();
    let objects = [
        format!("project:{}", ids[0]),
        format!("project:{}", ids[1]),
        format!("project:{}", renamed.id),
    ];
    assert_eq!(
        described,
        vec![
            ("import-test", "project.import.create", objects[0].as_str()),
            ("import-test", "project.import.create", objects[1].as_str()),
            ("import-test", "project.import.update", objects[2].as_str()),
        ]
    );
    for r in appended {
        assert!(
            r.changes
                .iter()
                .any(|c| c.field == "source" && c.after.as_deref() == Some(batch.source.as_str())),
            "{} names the source",
            r.object
        );
    }
    assert!(
        appended[0]
            .changes
            .iter()
            .any(|c| c.field == "code" && c.after.as_deref() == Some("DR2021-9501"))
    );
    assert!(appended[2].changes.iter().any(|c| c.field == "项目名称"));
    assert!(
        appended
            .iter()
            .all(|r| r.client.as_deref() == Some("192.0.2.7")),
        "every record names where the import came from"
    );
    jianguan_audit::verify(&records, &[], jianguan_audit::CryptoSuite::Intl)
        .expect("the chain verifies");
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL only: a write another node commits while the import runs.
// ---------------------------------------------------------------------------------------------

/// Another node's write holds the writer lock (as every write does from its first statement
/// until it commits) and bumps the data version: the import waits for that lock before it reads
/// anything, then finds the data changed since its plan was made and writes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(pg_tests),
    ignore = "set JIANGUAN_TEST_POSTGRES_URL to run the PostgreSQL contract tests"
)]
async fn a_write_committed_while_the_import_runs_is_noticed_on_postgres() {
    use sqlx::{Connection, Executor, PgConnection};

    let (guard, db) = fresh_postgres().await;
    create_city(&db).await;
    let version = db.data_version().await.unwrap();
    let projects = db.load_portfolio().await.unwrap().projects.len();

    let mut other = PgConnection::connect(&guard.url)
        .await
        .expect("a second connection");
    other.execute("BEGIN").await.unwrap();
    // The lock `begin_write` takes (codec.rs).
    other
        .execute("SELECT pg_advisory_xact_lock(7316001, hashtext(current_schema()))")
        .await
        .unwrap();
    other
        .execute("UPDATE data_version SET version = version + 1 WHERE id = 1")
        .await
        .unwrap();

    let batch = import(
        vec![new_project(&CITY.projects[1], "DR2021-9601")],
        vec![],
        version,
    );
    let importer = db.clone();
    let running = tokio::spawn(async move {
        importer
            .import_projects(&batch, &tester(), &no_progress)
            .await
    });
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(
        !running.is_finished(),
        "the import waits for the writer lock"
    );
    other.execute("COMMIT").await.unwrap();
    match running.await.expect("the import task") {
        Err(StoreError::Stale { expected, found }) => assert!(expected < found),
        other => panic!("expected a stale refusal, got {other:?}"),
    }
    assert_eq!(
        db.data_version().await.unwrap(),
        version + 1,
        "only the other write"
    );
    assert_eq!(db.load_portfolio().await.unwrap().projects.len(), projects);
}

// ---------------------------------------------------------------------------------------------
// New responsible units (issue 15): created with the projects that name them, or not at all.
// ---------------------------------------------------------------------------------------------

/// A unit the ledger proposes, under `district`, with placeholder id `placeholder`.
fn proposed(placeholder: i64, name: &str, district: UnitId) -> Unit {
    Unit {
        id: UnitId(placeholder),
        kind: UnitKind::ResponsibleUnit,
        name: name.to_string(),
        parent: Some(district),
        active: true,
    }
}

async fn new_units_and_their_projects_land_in_one_transaction(db: Db) {
    let version = db.data_version().await.unwrap();
    let max_unit = CITY.units.iter().map(|u| u.id.0).max().unwrap();
    let first = &CITY.projects[0];
    let mut a = new_project(first, "DR2026-0001");
    a.responsible_unit = UnitId(-1);
    let mut b = new_project(first, "DR2026-0002");
    b.responsible_unit = UnitId(-2);
    let mut c = new_project(first, "DR2026-0003");
    c.responsible_unit = UnitId(-1);
    let mut batch = import(vec![a, b, c], vec![], version);
    batch.new_units = vec![
        proposed(-1, "导入测试城投公司", first.district),
        proposed(-2, "导入测试街道办", first.district),
    ];
    let ids = db
        .import_projects(&batch, &tester(), &no_progress)
        .await
        .expect("the import with new units is written");
    assert_eq!(db.data_version().await.unwrap(), version + 1, "one bump");
    let loaded = db.load_portfolio().await.unwrap();
    let unit = |name: &str| {
        loaded
            .units
            .iter()
            .find(|u| u.name == name)
            .unwrap_or_else(|| panic!("unit {name} is stored"))
            .clone()
    };
    let (u1, u2) = (unit("导入测试城投公司"), unit("导入测试街道办"));
    assert_eq!(
        (u1.id, u1.kind, u1.parent, u1.active),
        (
            UnitId(max_unit + 1),
            UnitKind::ResponsibleUnit,
            Some(first.district),
            true
        )
    );
    assert_eq!(u2.id, UnitId(max_unit + 2));
    let responsible: Vec<UnitId> = ids
        .iter()
        .map(|id| {
            loaded
                .projects
                .iter()
                .find(|p| p.id == *id)
                .unwrap()
                .responsible_unit
        })
        .collect();
    assert_eq!(responsible, [u1.id, u2.id, u1.id]);
    // Every new unit is audited, before the projects.
    let records = db.audit_records(0, i64::MAX).await.unwrap();
    let created: Vec<&str> = records
        .iter()
        .filter(|r| r.action == "unit.import.create")
        .map(|r| r.object.as_str())
        .collect();
    assert_eq!(
        created,
        [
            format!("unit:{}", u1.id).as_str(),
            format!("unit:{}", u2.id).as_str()
        ]
    );
}

async fn a_refused_import_creates_none_of_its_new_units(db: Db) {
    let version = db.data_version().await.unwrap();
    let first = &CITY.projects[0];
    let mut fresh = new_project(first, "DR2026-0001");
    fresh.responsible_unit = UnitId(-1);
    // The second project's code is taken: the whole import, its new unit too, is refused.
    let mut taken = new_project(first, &CITY.projects[1].code);
    taken.responsible_unit = UnitId(-1);
    let mut batch = import(vec![fresh.clone(), taken], vec![], version);
    batch.new_units = vec![proposed(-1, "导入测试城投公司", first.district)];
    assert_refused_unchanged(
        &db,
        &batch,
        |e| matches!(e, StoreError::Duplicate { .. }),
        &[],
    )
    .await;
    // A project naming a placeholder the import does not create is refused too.
    let mut orphan = fresh;
    orphan.responsible_unit = UnitId(-7);
    let mut batch = import(vec![orphan], vec![], version);
    batch.new_units = vec![proposed(-1, "导入测试城投公司", first.district)];
    assert_refused_unchanged(&db, &batch, is_invalid, &["-7"]).await;
}
