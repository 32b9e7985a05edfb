//! The storage contract: what every backend of the domain's `Store` port must do, run on real
//! SQLite files and on PostgreSQL schemas, plus what each backend's opening must refuse (a
//! foreign or newer database, untouched), SQLite's durable settings, URL handling, and the
//! lockstep of the two backends' migrations.
//!
//! A contract test is an `async fn` taking a fresh [`Db`]; the [`backend_tests!`] macro expands
//! one `#[tokio::test]` wrapper per contract test for a backend: [`fresh_sqlite`] and
//! [`fresh_postgres`] make the databases, and the few helpers that run SQL directly
//! ([`row_counts`], [`applied_migrations`]) have an arm per backend.
//!
//! The PostgreSQL tests run when `JIANGUAN_TEST_POSTGRES_URL` was set at build time (see
//! `build.rs`); without it they are listed as ignored, with the reason.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Debug;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};

use jianguan_domain::model::{MilestoneId, Portfolio, ProgressReport, ProjectId};
use jianguan_domain::store::prelude::*;
use jianguan_domain::store::{
    AccountRecord, Actor, Field, JobClaim, RecordScope, ReportVersions, StoreError,
};
use jianguan_store::testing::PostgresSchema;
use jianguan_store::{Db, DbUrl, POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{ConnectOptions, Connection, PgConnection, SqlitePool};
use tempfile::TempDir;

// ---------------------------------------------------------------------------------------------
// Backends: the only place that knows how to make a fresh database of each kind.
// ---------------------------------------------------------------------------------------------

/// The database file inside a test's temporary directory.
fn sqlite_path(dir: &TempDir) -> PathBuf {
    dir.path().join("jianguan.db")
}

/// The URL [`fresh_sqlite`] opened, for tests that reopen the database.
fn sqlite_url(dir: &TempDir) -> String {
    sqlite_path(dir).display().to_string()
}

/// A new, empty jianguan database in a SQLite file of its own. The directory is deleted when
/// the returned guard drops.
async fn fresh_sqlite() -> (TempDir, Db) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let db = jianguan_store::open(&sqlite_url(&dir))
        .await
        .expect("a new SQLite file opens");
    (dir, db)
}

/// A new, empty jianguan database in a PostgreSQL schema of its own, on the server
/// `JIANGUAN_TEST_POSTGRES_URL` names. The schema is dropped when the returned guard drops.
async fn fresh_postgres() -> (PostgresSchema, Db) {
    let guard = jianguan_store::testing::fresh_postgres_schema().await;
    let db = jianguan_store::open(&guard.url)
        .await
        .expect("a new PostgreSQL schema opens");
    (guard, db)
}

/// The URL [`fresh_postgres`] opened, for tests that reopen the database.
fn postgres_url(guard: &PostgresSchema) -> String {
    guard.url.clone()
}

/// Expands one `#[tokio::test]` per contract test into `mod $backend`: `$fresh()` returns a
/// guard that keeps the database alive and a fresh [`Db`]; `$url(&guard)` is the URL that
/// reopens the same database. Attributes after the URL go on every test of the backend.
macro_rules! backend_tests {
    ($backend:ident, fresh = $fresh:path, url = $url:path $(, #[$attr:meta])* $(,)?) => {
        mod $backend {
            backend_tests!(@db [$(#[$attr])*] $fresh;
                create_then_load_returns_the_portfolio_exactly,
                the_records_alone_are_the_read_models_portfolio,
                create_reports_progress_up_to_the_total,
                create_is_attributed_to_the_actor_in_the_audit_trail,
                load_project_returns_the_project_with_the_report_versions_asked_for_and_their_periods,
                load_project_of_a_missing_id_returns_none,
                load_project_outside_the_scope_reads_nothing,
                is_empty_until_a_portfolio_is_created,
                create_into_a_non_empty_database_fails_with_not_empty_and_changes_nothing,
                a_report_reaching_a_missing_milestone_is_invalid_and_nothing_is_written,
                a_duplicate_project_code_is_invalid_and_nothing_is_written,
                a_unit_under_a_missing_parent_is_invalid_and_nothing_is_written,
                data_version_changes_on_a_write_and_not_on_reads,
                the_write_probe_succeeds_and_changes_nothing,
                the_first_claim_of_a_slot_wins_and_other_nodes_are_refused_while_the_lease_holds,
                a_claim_whose_lease_expired_unfinished_is_taken_over,
                a_finished_run_is_never_claimed_again,
                slots_and_jobs_are_claimed_independently,
                finishing_a_run_the_node_does_not_hold_is_an_error_and_changes_nothing,
                the_database_refuses_to_change_or_delete_an_audit_record,
                a_dropped_or_disabled_append_only_guard_is_reported_missing,
                cadence_records_round_trip_with_ids_assigned_and_audited,
                a_filed_report_sets_its_milestones_and_a_duplicate_version_writes_nothing,
                a_report_and_the_tickets_it_opens_are_one_write,
                a_correction_that_no_longer_names_a_milestone_withdraws_its_actual_date,
                settings_are_versioned_and_the_latest_is_read,
                scoring_schemes_are_versioned_per_year_and_a_saved_version_is_never_replaced,
                entered_values_and_media_reports_round_trip_and_a_bad_batch_writes_nothing,
                a_published_run_is_frozen_and_a_correction_is_a_new_version_with_a_reason,
                an_objection_is_filed_once_per_open_line_and_decided_once,
                a_taken_user_name_is_a_duplicate_naming_the_field,
                a_totp_seed_is_stored_sealed_and_an_older_plain_one_is_sealed_on_request,
                under_the_sm_suite_the_chain_is_sm3_secrets_sm4_and_published_scores_carry_an_hmac_sm3_code,
                an_account_of_a_missing_unit_is_a_missing_reference,
                a_password_set_is_stored_with_its_date_and_ends_the_other_sessions,
                the_login_throttle_is_kept_per_name_and_source_and_cleared_by_a_success,
                a_login_beyond_the_session_limit_ends_the_oldest_sessions,
            );
            backend_tests!(@reopen [$(#[$attr])*] $fresh, $url;
                reopening_keeps_the_data_and_does_not_migrate_again,
                two_handles_racing_for_one_slot_get_exactly_one_claim,
                two_handles_appending_audit_records_at_once_keep_one_unbroken_chain,
                two_handles_filing_reports_at_once_all_succeed_with_distinct_ids,
                every_write_path_run_at_once_from_many_clients_succeeds_with_distinct_ids,
                writes_failing_amid_a_rush_undo_only_themselves,
            );
        }
    };
    // One test at a time, so that the attributes (repeated once per test) and the tests are not
    // two repetitions of different lengths in one transcription.
    (@db $attrs:tt $fresh:path;) => {};
    (@db [$($attrs:tt)*] $fresh:path; $test:ident $(, $rest:ident)* $(,)?) => {
        #[tokio::test]
        $($attrs)*
        async fn $test() {
            let (_guard, db) = $fresh().await;
            super::$test(db).await;
        }
        backend_tests!(@db [$($attrs)*] $fresh; $($rest),*);
    };
    (@reopen $attrs:tt $fresh:path, $url:path;) => {};
    (@reopen [$($attrs:tt)*] $fresh:path, $url:path; $test:ident $(, $rest:ident)* $(,)?) => {
        // Several worker threads, so that two handles on one database really run at once.
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        $($attrs)*
        async fn $test() {
            let (guard, db) = $fresh().await;
            let url = $url(&guard);
            super::$test(db, url).await;
        }
        backend_tests!(@reopen [$($attrs)*] $fresh, $url; $($rest),*);
    };
}

backend_tests!(sqlite, fresh = super::fresh_sqlite, url = super::sqlite_url);

backend_tests!(
    postgres,
    fresh = super::fresh_postgres,
    url = super::postgres_url,
    #[cfg_attr(
        not(pg_tests),
        ignore = "set JIANGUAN_TEST_POSTGRES_URL to run the PostgreSQL contract tests"
    )]
);

// ---------------------------------------------------------------------------------------------
// Helpers shared by the contract tests.
// ---------------------------------------------------------------------------------------------

/// The demo city, generated once per test binary.
static CITY: LazyLock<Portfolio> = LazyLock::new(jianguan_demo::demo_city);

/// Every table that holds campaign data or its history.
const TABLES: [&str; 25] = [
    "units",
    "categories",
    "category_template_steps",
    "projects",
    "year_plans",
    "milestones",
    "reporting_periods",
    "progress_reports",
    "report_milestones",
    "report_problems",
    "audit_log",
    "warning_events",
    "tracked_items",
    "item_events",
    "report_photos",
    "settings",
    "scoring_schemes",
    "indicator_values",
    "media_reports",
    "media_report_projects",
    "score_runs",
    "objections",
    "objection_decisions",
    "item_acts",
    "act_dismissals",
];

fn tester() -> Actor {
    Actor {
        name: "contract-test".into(),
        client: None,
    }
}

fn no_progress(_done: u64, _total: u64) {}

async fn create(db: &Db, portfolio: &Portfolio) -> Result<(), StoreError> {
    db.create_portfolio(portfolio, &tester(), &no_progress)
        .await
}

/// The number of rows in each of [`TABLES`].
async fn row_counts(db: &Db) -> Vec<(&'static str, i64)> {
    let mut counts = Vec::new();
    for table in TABLES {
        let sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"));
        let n: i64 = match db {
            Db::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
            Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
        }
        .unwrap_or_else(|e| panic!("counting {table}: {e}"));
        counts.push((table, n));
    }
    counts
}

/// The actors and actions of the audit trail, oldest first.
async fn audit_trail(db: &Db) -> Vec<(String, String)> {
    db.audit_records(0, i64::MAX)
        .await
        .expect("the audit trail reads")
        .into_iter()
        .map(|r| (r.actor, r.action))
        .collect()
}

/// The rows of the migration table: version, description, when installed and checksum.
async fn applied_migrations(db: &Db) -> Vec<(i64, String, String, Vec<u8>)> {
    let sql = "SELECT version, description, CAST(installed_on AS TEXT), checksum \
               FROM _sqlx_migrations ORDER BY version";
    match db {
        Db::Sqlite(pool) => sqlx::query_as(sql).fetch_all(pool).await,
        Db::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await,
    }
    .expect("the migration table reads")
}

/// Asserts two lists are equal, naming the first element that differs instead of printing
/// both lists whole.
fn assert_same_list<T: PartialEq + Debug>(what: &str, found: &[T], expected: &[T]) {
    if let Some(i) = (0..found.len().min(expected.len())).find(|&i| found[i] != expected[i]) {
        panic!(
            "{what}[{i}] differs:\nfound:    {:#?}\nexpected: {:#?}",
            found[i], expected[i]
        );
    }
    assert_eq!(found.len(), expected.len(), "number of {what}");
}

/// Asserts two portfolios are equal, in the same order throughout.
fn assert_same_portfolio(found: &Portfolio, expected: &Portfolio) {
    assert_same_list("units", &found.units, &expected.units);
    assert_same_list("categories", &found.categories, &expected.categories);
    assert_same_list("projects", &found.projects, &expected.projects);
    assert_same_list("periods", &found.periods, &expected.periods);
    assert_same_list("reports", &found.reports, &expected.reports);
    assert!(found == expected, "portfolios differ");
}

/// Asserts `result` is an error `expected` accepts and the database is as new.
async fn assert_refused_and_nothing_written(
    db: &Db,
    result: Result<(), StoreError>,
    expected: fn(&StoreError) -> bool,
    before: i64,
) {
    match result {
        Err(e) if expected(&e) => {}
        other => panic!("expected another refusal, got {other:?}"),
    }
    assert!(
        db.is_empty().await.unwrap(),
        "a failed create leaves the database empty"
    );
    assert_eq!(
        db.data_version().await.unwrap(),
        before,
        "data version after a failed create"
    );
    assert!(
        row_counts(db).await.iter().all(|(_, n)| *n == 0),
        "rows left behind: {:?}",
        row_counts(db).await
    );
}

// ---------------------------------------------------------------------------------------------
// The contract.
// ---------------------------------------------------------------------------------------------

async fn create_then_load_returns_the_portfolio_exactly(db: Db) {
    create(&db, &CITY).await.expect("the demo city is written");
    let loaded = db.load_portfolio().await.expect("the portfolio loads");
    assert_same_portfolio(&loaded, &CITY);
}

async fn create_reports_progress_up_to_the_total(db: Db) {
    let calls = Mutex::new(Vec::new());
    let record = |done: u64, total: u64| calls.lock().unwrap().push((done, total));
    db.create_portfolio(&CITY, &tester(), &record)
        .await
        .expect("the demo city is written");
    let calls = calls.into_inner().unwrap();
    let &(last_done, total) = calls.last().expect("progress is reported");
    assert_eq!(last_done, total, "progress ends at the total");
    assert!(
        total > CITY.projects.len() as u64,
        "the total counts every row"
    );
    assert!(
        calls.iter().all(|&(_, t)| t == total),
        "the total never changes"
    );
    assert!(
        calls.windows(2).all(|w| w[0].0 <= w[1].0),
        "progress never goes back: {calls:?}"
    );
}

async fn create_is_attributed_to_the_actor_in_the_audit_trail(db: Db) {
    create(&db, &CITY).await.expect("the demo city is written");
    let trail = audit_trail(&db).await;
    // One record per project created, then one for the whole write, all by the actor.
    assert_eq!(trail.len(), CITY.projects.len() + 1);
    assert!(trail.iter().all(|(actor, _)| actor == "contract-test"));
    assert!(
        trail[..CITY.projects.len()]
            .iter()
            .all(|(_, a)| a == "project.create")
    );
    assert_eq!(
        trail.last().map(|(_, a)| a.as_str()),
        Some("portfolio.create")
    );
    let records = db.audit_records(0, i64::MAX).await.expect("reads");
    jianguan_audit::verify(&records, &[], jianguan_audit::CryptoSuite::Intl)
        .expect("the chain the store wrote verifies");
}

async fn load_project_returns_the_project_with_the_report_versions_asked_for_and_their_periods(
    db: Db,
) {
    create(&db, &CITY).await.expect("the demo city is written");
    let corrected: HashSet<ProjectId> = CITY
        .reports
        .iter()
        .filter(|r| r.version > 1)
        .map(|r| r.project)
        .collect();
    assert!(!corrected.is_empty(), "the demo city has corrected reports");
    let with_problems = CITY
        .reports
        .iter()
        .find(|r| !r.problems.is_empty())
        .expect("the demo city has a report with problems")
        .project;
    let reported: HashSet<ProjectId> = CITY.reports.iter().map(|r| r.project).collect();
    let unreported = CITY
        .projects
        .iter()
        .map(|p| p.id)
        .filter(|id| !reported.contains(id));
    let mut sample: Vec<ProjectId> = vec![
        CITY.projects.first().unwrap().id,
        CITY.projects.last().unwrap().id,
        with_problems,
    ];
    sample.extend(corrected);
    sample.extend(unreported);
    let mut superseded_left_out = 0;
    for id in sample {
        let record = db
            .load_project(id, RecordScope::All, ReportVersions::All)
            .await
            .expect("the project loads")
            .unwrap_or_else(|| panic!("project {id} exists"));
        let project = CITY.projects.iter().find(|p| p.id == id).unwrap();
        assert_eq!(&record.project, &**project, "project {id}");
        // Every version of the project's reports, oldest first (in the order filed).
        let mut reports: Vec<&ProgressReport> =
            CITY.reports.iter().filter(|r| r.project == id).collect();
        reports.sort_by_key(|r| r.id);
        let reports: Vec<ProgressReport> = reports.into_iter().cloned().collect();
        assert_same_list(
            &format!("reports of project {id}"),
            &record.reports,
            &reports,
        );
        // Exactly the periods those reports are for, in calendar order.
        let wanted: HashSet<_> = reports.iter().map(|r| r.period).collect();
        let periods: Vec<_> = CITY
            .periods
            .iter()
            .filter(|p| wanted.contains(&p.id))
            .cloned()
            .collect();
        assert_same_list(
            &format!("periods of project {id}"),
            &record.periods,
            &periods,
        );
        // For filing: each period's current version, and any earlier one naming an outside
        // body (a coordination ticket opens only for a problem no version raised before).
        let for_filing = db
            .load_project(id, RecordScope::All, ReportVersions::Filing)
            .await
            .expect("the project loads")
            .unwrap_or_else(|| panic!("project {id} exists"));
        let latest = |r: &ProgressReport| {
            reports
                .iter()
                .filter(|o| o.period == r.period)
                .all(|o| o.version <= r.version)
        };
        let wanted: Vec<ProgressReport> = reports
            .iter()
            .filter(|r| {
                latest(r)
                    || r.problems
                        .iter()
                        .any(|q| q.needs_coordination_with.is_some())
            })
            .cloned()
            .collect();
        assert_same_list(
            &format!("reports of project {id} for filing"),
            &for_filing.reports,
            &wanted,
        );
        assert_eq!(for_filing.project, record.project);
        assert_eq!(for_filing.periods, record.periods);
        superseded_left_out += record.reports.len() - for_filing.reports.len();
    }
    assert!(
        superseded_left_out > 0,
        "some superseded version is left out for filing"
    );
}

async fn load_project_of_a_missing_id_returns_none(db: Db) {
    assert_eq!(
        db.load_project(ProjectId(1), RecordScope::All, ReportVersions::All)
            .await
            .unwrap(),
        None,
        "empty database"
    );
    create(&db, &CITY).await.expect("the demo city is written");
    let beyond = CITY.projects.iter().map(|p| p.id.0).max().unwrap() + 1;
    for id in [beyond, 0, -1] {
        assert_eq!(
            db.load_project(ProjectId(id), RecordScope::All, ReportVersions::All)
                .await
                .unwrap(),
            None,
            "project {id}"
        );
    }
}

async fn is_empty_until_a_portfolio_is_created(db: Db) {
    assert!(db.is_empty().await.unwrap(), "a new database is empty");
    create(&db, &CITY).await.expect("the demo city is written");
    assert!(
        !db.is_empty().await.unwrap(),
        "a database with a portfolio is not empty"
    );
}

async fn create_into_a_non_empty_database_fails_with_not_empty_and_changes_nothing(db: Db) {
    create(&db, &CITY).await.expect("the demo city is written");
    let version = db.data_version().await.unwrap();
    let counts = row_counts(&db).await;
    // A different portfolio, so that nothing of it could pass for what is there.
    let mut other = Portfolio::default();
    other.units.push(CITY.units[0].clone());
    other.units[0].name = "另一个指挥部".into();
    for attempt in [&*CITY, &other] {
        match create(&db, attempt).await {
            Err(StoreError::NotEmpty) => {}
            other => panic!("expected StoreError::NotEmpty, got {other:?}"),
        }
    }
    assert_eq!(db.data_version().await.unwrap(), version, "data version");
    assert_eq!(row_counts(&db).await, counts, "row counts");
    assert_same_portfolio(&db.load_portfolio().await.unwrap(), &CITY);
}

async fn a_report_reaching_a_missing_milestone_is_invalid_and_nothing_is_written(db: Db) {
    let before = db.data_version().await.unwrap();
    let mut bad = CITY.clone();
    let missing = bad
        .projects
        .iter()
        .flat_map(|p| &p.milestones)
        .map(|m| m.id.0)
        .max()
        .unwrap()
        + 1;
    // The last report that reaches a milestone: written at the very end, after everything else.
    let last = bad
        .reports
        .iter()
        .rposition(|r| !r.milestones_reached.is_empty())
        .expect("the demo city has a report that reaches a milestone");
    bad.reports[last].milestones_reached[0].0 = MilestoneId(missing);
    let result = create(&db, &bad).await;
    assert_refused_and_nothing_written(
        &db,
        result,
        |e| matches!(e, StoreError::MissingReference { .. }),
        before,
    )
    .await;
}

async fn a_duplicate_project_code_is_invalid_and_nothing_is_written(db: Db) {
    let before = db.data_version().await.unwrap();
    let mut bad = CITY.clone();
    let last = bad.projects.len() - 1;
    Arc::make_mut(&mut bad.projects[last]).code = bad.projects[0].code.clone();
    let result = create(&db, &bad).await;
    assert_refused_and_nothing_written(
        &db,
        result,
        |e| {
            matches!(
                e,
                StoreError::Duplicate {
                    field: Field::ProjectCode,
                    ..
                }
            )
        },
        before,
    )
    .await;
}

async fn a_unit_under_a_missing_parent_is_invalid_and_nothing_is_written(db: Db) {
    let before = db.data_version().await.unwrap();
    let mut bad = CITY.clone();
    let missing = bad.units.iter().map(|u| u.id.0).max().unwrap() + 1;
    let child = bad
        .units
        .iter()
        .rposition(|u| u.parent.is_some())
        .expect("the demo city has a unit with a parent");
    bad.units[child].parent = Some(jianguan_domain::model::UnitId(missing));
    let result = create(&db, &bad).await;
    assert_refused_and_nothing_written(
        &db,
        result,
        |e| matches!(e, StoreError::MissingReference { .. }),
        before,
    )
    .await;
}

async fn the_write_probe_succeeds_and_changes_nothing(db: Db) {
    create(&db, &CITY).await.expect("the demo city is written");
    let version = db.data_version().await.unwrap();
    let trail = audit_trail(&db).await;
    db.probe_write()
        .await
        .expect("a writable database takes the probe");
    db.probe_write()
        .await
        .expect("and again: nothing was left open");
    assert_eq!(db.data_version().await.unwrap(), version, "data version");
    assert_eq!(audit_trail(&db).await, trail, "audit trail");
    let (open, idle) = db.pool_stats().expect("a pool");
    assert!(
        open >= 1 && idle <= open as usize,
        "{open} open, {idle} idle"
    );
}

async fn data_version_changes_on_a_write_and_not_on_reads(db: Db) {
    let reads = |db: &Db| {
        let db = db.clone();
        async move {
            db.is_empty().await.unwrap();
            db.load_portfolio().await.unwrap();
            db.load_project(CITY.projects[0].id, RecordScope::All, ReportVersions::All)
                .await
                .unwrap();
            db.data_version().await.unwrap();
        }
    };
    let new = db.data_version().await.unwrap();
    reads(&db).await;
    assert_eq!(
        db.data_version().await.unwrap(),
        new,
        "reads of an empty database"
    );
    create(&db, &CITY).await.expect("the demo city is written");
    let written = db.data_version().await.unwrap();
    assert_ne!(written, new, "a write changes the data version");
    reads(&db).await;
    assert_eq!(
        db.data_version().await.unwrap(),
        written,
        "reads of a full database"
    );
}

async fn reopening_keeps_the_data_and_does_not_migrate_again(db: Db, url: String) {
    create(&db, &CITY).await.expect("the demo city is written");
    let version = db.data_version().await.unwrap();
    let migrations = applied_migrations(&db).await;
    assert!(
        !migrations.is_empty(),
        "a new database has its migrations applied"
    );
    db.close().await;
    // Let a second pass, so a migration run again would show a later `installed_on`.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let db = jianguan_store::open(&url)
        .await
        .expect("the database reopens");
    assert_eq!(applied_migrations(&db).await, migrations, "migration table");
    assert_eq!(db.data_version().await.unwrap(), version, "data version");
    assert_same_portfolio(&db.load_portfolio().await.unwrap(), &CITY);
    db.close().await;
    let db = jianguan_store::open_existing(&url)
        .await
        .expect("open_existing reopens it");
    assert_eq!(applied_migrations(&db).await, migrations, "migration table");
    assert_eq!(db.data_version().await.unwrap(), version, "data version");
    assert!(!db.is_empty().await.unwrap());
}

// ---------------------------------------------------------------------------------------------
// Job runs: a lease per (job, slot), so that of several nodes on one database exactly one runs it.
// ---------------------------------------------------------------------------------------------

/// The time of the first claim in the job tests (27 October 2021, UTC), in milliseconds.
const T0: i64 = 1_635_300_000_000;

/// How long a claim in the job tests holds.
const LEASE_MS: i64 = 60_000;

fn claim(job: &str, slot: &str, node: &str, now_ms: i64) -> JobClaim {
    JobClaim {
        job: job.into(),
        slot: slot.into(),
        node: node.into(),
        now_ms,
        lease_ms: LEASE_MS,
    }
}

async fn claims(db: &Db, c: &JobClaim) -> bool {
    db.claim_job(c)
        .await
        .unwrap_or_else(|e| panic!("claiming {c:?}: {e}"))
}

async fn the_first_claim_of_a_slot_wins_and_other_nodes_are_refused_while_the_lease_holds(db: Db) {
    let slot = "2021-10-27";
    assert!(
        claims(&db, &claim("daily-warnings", slot, "node-a", T0)).await,
        "the first claim of a slot wins"
    );
    for (node, at) in [
        ("node-b", T0),
        ("node-b", T0 + 1),
        ("node-c", T0 + LEASE_MS / 2),
        ("node-b", T0 + LEASE_MS - 1),
        // The lease holds up to and including its last millisecond.
        ("node-c", T0 + LEASE_MS),
    ] {
        assert!(
            !claims(&db, &claim("daily-warnings", slot, node, at)).await,
            "{node} at T0+{}ms claimed a slot node-a holds",
            at - T0
        );
    }
    // The refused claims changed nothing: node-a still holds the slot and can finish it.
    db.finish_job(&claim("daily-warnings", slot, "node-a", T0), T0 + 10)
        .await
        .expect("the holder finishes its run");
}

async fn a_claim_whose_lease_expired_unfinished_is_taken_over(db: Db) {
    let slot = "2021-10-27";
    assert!(claims(&db, &claim("daily-warnings", slot, "node-a", T0)).await);
    let later = T0 + LEASE_MS + 1;
    assert!(
        claims(&db, &claim("daily-warnings", slot, "node-b", later)).await,
        "a lease that expired without the run finishing is taken over"
    );
    // The new holder's lease holds in turn, against the old holder too.
    for node in ["node-a", "node-c"] {
        assert!(
            !claims(
                &db,
                &claim("daily-warnings", slot, node, later + LEASE_MS / 2)
            )
            .await,
            "{node} claimed a slot node-b took over"
        );
    }
    // The old holder no longer holds it; the new one does.
    assert!(
        db.finish_job(&claim("daily-warnings", slot, "node-a", T0), later + 5)
            .await
            .is_err(),
        "the node whose lease expired finished a run taken over by another"
    );
    db.finish_job(&claim("daily-warnings", slot, "node-b", later), later + 10)
        .await
        .expect("the node that took over finishes the run");
    // And a takeover can happen again when that lease expires unfinished.
    let slot = "2021-10-28";
    assert!(claims(&db, &claim("daily-warnings", slot, "node-a", T0)).await);
    assert!(claims(&db, &claim("daily-warnings", slot, "node-b", later)).await);
    assert!(
        claims(
            &db,
            &claim("daily-warnings", slot, "node-c", later + LEASE_MS + 1)
        )
        .await
    );
}

async fn a_finished_run_is_never_claimed_again(db: Db) {
    let slot = "2021-10-27";
    let first = claim("daily-warnings", slot, "node-a", T0);
    assert!(claims(&db, &first).await);
    db.finish_job(&first, T0 + 10)
        .await
        .expect("the holder finishes its run");
    for (node, at) in [
        ("node-b", T0 + 20),
        ("node-a", T0 + 20),
        ("node-b", T0 + LEASE_MS + 1),
        ("node-a", T0 + 10 * LEASE_MS),
        ("node-c", T0 + 365 * 24 * 3_600_000),
    ] {
        assert!(
            !claims(&db, &claim("daily-warnings", slot, node, at)).await,
            "{node} at T0+{}ms claimed a finished run",
            at - T0
        );
    }
}

async fn slots_and_jobs_are_claimed_independently(db: Db) {
    assert!(claims(&db, &claim("daily-warnings", "2021-10-27", "node-a", T0)).await);
    // Another slot of the same job, and the same slot of another job, are free for anyone.
    assert!(claims(&db, &claim("daily-warnings", "2021-10-28", "node-b", T0)).await);
    assert!(claims(&db, &claim("weekly-digest", "2021-10-27", "node-c", T0)).await);
    assert!(claims(&db, &claim("daily-warnings", "2021-10-29", "node-a", T0)).await);
    // Each is held by its own claimant...
    assert!(
        !claims(
            &db,
            &claim("daily-warnings", "2021-10-27", "node-b", T0 + 1)
        )
        .await
    );
    assert!(
        !claims(
            &db,
            &claim("daily-warnings", "2021-10-28", "node-a", T0 + 1)
        )
        .await
    );
    assert!(!claims(&db, &claim("weekly-digest", "2021-10-27", "node-a", T0 + 1)).await);
    // ...and finishing one leaves the others as they were.
    db.finish_job(&claim("daily-warnings", "2021-10-27", "node-a", T0), T0 + 5)
        .await
        .unwrap();
    let later = T0 + LEASE_MS + 1;
    assert!(
        !claims(&db, &claim("daily-warnings", "2021-10-27", "node-b", later)).await,
        "the finished slot"
    );
    assert!(
        claims(&db, &claim("daily-warnings", "2021-10-28", "node-c", later)).await,
        "an expired slot of the same job"
    );
    assert!(
        claims(&db, &claim("weekly-digest", "2021-10-27", "node-b", later)).await,
        "an expired run of another job for the same slot"
    );
}

async fn finishing_a_run_the_node_does_not_hold_is_an_error_and_changes_nothing(db: Db) {
    let slot = "2021-10-27";
    // Nobody claimed it.
    assert!(
        db.finish_job(&claim("daily-warnings", slot, "node-a", T0), T0)
            .await
            .is_err(),
        "finishing an unclaimed run"
    );
    // The failed finish claimed nothing either.
    assert!(claims(&db, &claim("daily-warnings", slot, "node-a", T0)).await);
    // Another node than the holder, the holder's name on another slot or job.
    for other in [
        claim("daily-warnings", slot, "node-b", T0),
        claim("daily-warnings", "2021-10-28", "node-a", T0),
        claim("weekly-digest", slot, "node-a", T0),
    ] {
        match db.finish_job(&other, T0 + 5).await {
            Err(e) => assert!(!e.to_string().is_empty()),
            Ok(()) => panic!("{other:?} finished a run it does not hold"),
        }
    }
    // The run is still unfinished: once the lease expires it can be taken over.
    assert!(
        claims(
            &db,
            &claim("daily-warnings", slot, "node-b", T0 + LEASE_MS + 1)
        )
        .await,
        "a failed finish by another node marked the run finished"
    );
}

async fn two_handles_racing_for_one_slot_get_exactly_one_claim(db: Db, url: String) {
    let other = jianguan_store::open(&url)
        .await
        .expect("a second handle opens the same database");
    let race = |db: Db, name: &'static str| async move {
        let attempts = (0..50).map(|i| {
            let db = db.clone();
            async move {
                let c = claim("daily-warnings", "2021-10-27", &format!("{name}-{i}"), T0);
                let won = claims(&db, &c).await;
                (c, won)
            }
        });
        futures_util::future::join_all(attempts).await
    };
    let (a, b) = tokio::join!(race(db.clone(), "a"), race(other.clone(), "b"));
    let winners: Vec<&JobClaim> = a
        .iter()
        .chain(&b)
        .filter(|(_, won)| *won)
        .map(|(c, _)| c)
        .collect();
    assert_eq!(
        winners.len(),
        1,
        "exactly one of 100 racing claims wins: {winners:?}"
    );
    // The database agrees on the winner, whichever handle asks.
    let winner = winners[0].clone();
    for (c, _) in a.iter().chain(&b).filter(|(c, _)| *c != winner).take(5) {
        assert!(other.finish_job(c, T0 + 5).await.is_err(), "{c:?} finished");
    }
    other
        .finish_job(&winner, T0 + 10)
        .await
        .expect("the winner finishes through either handle");
    assert!(
        !claims(
            &db,
            &claim("daily-warnings", "2021-10-27", "late", T0 + LEASE_MS + 1)
        )
        .await
    );
    other.close().await;
}

// ---------------------------------------------------------------------------------------------
// The SQLite file: what open refuses, and how it opens what it accepts.
// ---------------------------------------------------------------------------------------------

/// Every file in `dir` with its bytes: equal snapshots mean nothing was written, created or
/// deleted (a `-wal` or `-shm` file included).
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .expect("the directory lists")
        .map(|entry| {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(entry.path()).unwrap())
        })
        .collect()
}

/// Asserts that both [`jianguan_store::open`] and [`jianguan_store::open_existing`] refuse
/// `path` as `expect` says, without changing a byte in its directory.
async fn assert_refused_untouched(case: &str, path: &Path, expect: impl Fn(&StoreError) -> bool) {
    let dir = path.parent().unwrap();
    let before = snapshot(dir);
    let url = path.display().to_string();
    for (how, result) in [
        ("open", jianguan_store::open(&url).await),
        ("open_existing", jianguan_store::open_existing(&url).await),
    ] {
        let how = format!("{case}, {how}");
        match result {
            Err(e) if expect(&e) => {}
            Err(e) => panic!("{how}: refused with the wrong error: {e:?}"),
            Ok(_) => panic!("{how}: {} was accepted", path.display()),
        }
        let after = snapshot(dir);
        let name = path.file_name().unwrap().to_string_lossy();
        assert!(
            after.get(&*name) == before.get(&*name),
            "{how}: the refused file was changed"
        );
        assert_eq!(
            after.keys().collect::<Vec<_>>(),
            before.keys().collect::<Vec<_>>(),
            "{how}: files in the directory (a -wal or -shm file left behind?)"
        );
        assert!(
            after == before,
            "{how}: a file beside the refused one was changed"
        );
    }
}

/// Writes a SQLite database of some other application at `path`, optionally in WAL mode and
/// optionally with a migration table of its own (another sqlx program).
async fn foreign_database(path: &Path, wal: bool, with_migrations: bool) {
    let mut options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true);
    if wal {
        options = options.journal_mode(SqliteJournalMode::Wal);
    }
    let mut conn = options.connect().await.unwrap();
    sqlx::raw_sql(
        "CREATE TABLE foo (id INTEGER PRIMARY KEY, name TEXT); \
         INSERT INTO foo (name) VALUES ('bar');",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    if with_migrations {
        sqlx::raw_sql(
            "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, \
             installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, success BOOLEAN NOT NULL, \
             checksum BLOB NOT NULL, execution_time BIGINT NOT NULL); \
             INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (1, 'foo', TRUE, x'00', 1);",
        )
        .execute(&mut conn)
        .await
        .unwrap();
    }
    conn.close().await.unwrap();
}

/// The pool of a SQLite [`Db`].
fn sqlite_pool(db: &Db) -> &SqlitePool {
    match db {
        Db::Sqlite(pool) => pool,
        Db::Postgres(_) => panic!("a SQLite database was expected"),
    }
}

#[tokio::test]
async fn opening_a_text_file_is_refused_as_not_jianguan_and_leaves_it_untouched() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("notes.txt", "项目,进度\n老旧小区,90%\n".repeat(200)),
        ("short.txt", "hello".to_string()),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        assert_refused_untouched(name, &path, |e| matches!(e, StoreError::NotJianguan(_))).await;
    }
}

#[tokio::test]
async fn opening_another_applications_sqlite_database_is_refused_and_leaves_it_untouched() {
    for (wal, with_migrations) in [(false, false), (true, false), (false, true), (true, true)] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.db");
        foreign_database(&path, wal, with_migrations).await;
        let case = format!("wal: {wal}, own migration table: {with_migrations}");
        assert_refused_untouched(&case, &path, |e| matches!(e, StoreError::NotJianguan(_))).await;
    }
}

#[tokio::test]
async fn opening_a_directory_is_refused_as_not_jianguan() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().display().to_string();
    match jianguan_store::open(&url).await {
        Err(StoreError::NotJianguan(_)) => {}
        other => panic!("expected StoreError::NotJianguan, got {other:?}"),
    }
    assert!(snapshot(dir.path()).is_empty(), "nothing was created");
}

#[tokio::test]
async fn opening_a_database_with_a_newer_schema_is_refused_and_leaves_it_untouched() {
    let (dir, db) = fresh_sqlite().await;
    create(&db, &CITY).await.expect("the demo city is written");
    db.close().await;
    let known = SQLITE_MIGRATIONS.iter().map(|m| m.version).max().unwrap();
    let newer = known + 1;
    let path = sqlite_path(&dir);
    let mut conn = SqliteConnectOptions::new()
        .filename(&path)
        .connect()
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES ($1, 'from a newer jianguan', TRUE, $2, 1)",
    )
    .bind(newer)
    .bind(vec![0xAB_u8; 48])
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    assert_refused_untouched("newer schema", &path, |e| {
        matches!(e, StoreError::NewerSchema { found, known: k } if *found == newer && *k == known)
    })
    .await;
}

#[tokio::test]
async fn open_sets_wal_full_synchronous_foreign_keys_and_a_busy_timeout() {
    let (_dir, db) = fresh_sqlite().await;
    let pool = sqlite_pool(&db);
    // Two connections at once: the settings hold for every connection of the pool.
    let mut first = pool.acquire().await.unwrap();
    let mut second = pool.acquire().await.unwrap();
    for conn in [&mut *first, &mut *second] {
        let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(journal, "wal", "journal_mode");
        let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(synchronous, 2, "synchronous (2 is FULL)");
        let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(foreign_keys, 1, "foreign_keys");
        let busy_timeout: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert!(busy_timeout > 0, "busy_timeout is {busy_timeout}");
    }
}

#[tokio::test]
async fn open_existing_on_a_missing_path_fails_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("typo.db");
    for url in [
        path.display().to_string(),
        format!("sqlite://{}", path.display()),
        format!("sqlite:{}", path.display()),
    ] {
        match jianguan_store::open_existing(&url).await {
            Err(e) => assert!(e.to_string().contains("typo.db"), "{url}: {e}"),
            Ok(_) => panic!("{url}: a missing database was opened"),
        }
        assert!(!path.exists(), "{url}: the file was created");
        assert!(
            snapshot(dir.path()).is_empty(),
            "{url}: nothing was created"
        );
    }
}

#[tokio::test]
async fn an_unknown_url_scheme_is_named_in_the_error_without_the_password() {
    for (url, scheme, password) in [
        ("mysql://u:pw@h/db", "mysql", "pw"),
        (
            "mysql://root:s3cr3t@db.example:3306/jianguan",
            "mysql",
            "s3cr3t",
        ),
        ("oracle://admin:hunter2@h/db", "oracle", "hunter2"),
    ] {
        let parsed = DbUrl::parse(url).map(|_| ()).unwrap_err();
        let opened = jianguan_store::open(url).await.map(|_| ()).unwrap_err();
        let existing = jianguan_store::open_existing(url)
            .await
            .map(|_| ())
            .unwrap_err();
        for (how, e) in [
            ("parse", parsed),
            ("open", opened),
            ("open_existing", existing),
        ] {
            let text = e.to_string();
            assert!(text.contains(scheme), "{how}: {text}");
            assert!(
                !text.contains(password),
                "{how}: the password shows in: {text}"
            );
            let debug = format!("{e:?}");
            assert!(
                !debug.contains(password),
                "{how}: the password shows in: {debug}"
            );
        }
    }
}

#[tokio::test]
async fn a_password_containing_an_at_sign_is_not_shown() {
    let e = DbUrl::parse("mysql://u:p@ss@h/db").unwrap_err();
    let text = e.to_string();
    assert!(!text.contains("p@ss") && !text.contains("ss@h"), "{text}");
}

// ---------------------------------------------------------------------------------------------
// The PostgreSQL schema: what open refuses, untouched, and how an unreachable server is named.
// ---------------------------------------------------------------------------------------------

/// A direct connection to the schema `url` names.
async fn pg_connect(url: &str) -> PgConnection {
    PgConnection::connect(url)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {}: {e}", jianguan_store::redact(url)))
}

/// Every relation of the schema (tables, indexes, sequences) by name, with its kind, and for a
/// table its row count and a digest of its rows: equal snapshots mean nothing was written,
/// created or dropped.
async fn pg_snapshot(url: &str) -> BTreeMap<String, (String, Option<(i64, Option<String>)>)> {
    let mut conn = pg_connect(url).await;
    let relations: Vec<(String, String)> = sqlx::query_as(
        "SELECT relname::text, relkind::text FROM pg_class \
         WHERE relnamespace = current_schema()::regnamespace ORDER BY relname",
    )
    .fetch_all(&mut conn)
    .await
    .expect("the schema's relations list");
    let mut out = BTreeMap::new();
    for (name, kind) in relations {
        let rows = if kind == "r" {
            let sql = sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*), md5(string_agg(t::text, '|' ORDER BY t::text)) FROM \"{name}\" t"
            ));
            Some(
                sqlx::query_as(sql)
                    .fetch_one(&mut conn)
                    .await
                    .unwrap_or_else(|e| panic!("reading {name}: {e}")),
            )
        } else {
            None
        };
        out.insert(name, (kind, rows));
    }
    conn.close().await.ok();
    out
}

/// Asserts that both [`jianguan_store::open`] and [`jianguan_store::open_existing`] refuse the
/// schema `url` names as `expect` says, without changing, creating or dropping anything in it.
async fn assert_pg_refused_untouched(case: &str, url: &str, expect: impl Fn(&StoreError) -> bool) {
    let before = pg_snapshot(url).await;
    assert!(!before.is_empty(), "{case}: the schema holds something");
    for (how, result) in [
        ("open", jianguan_store::open(url).await),
        ("open_existing", jianguan_store::open_existing(url).await),
    ] {
        let how = format!("{case}, {how}");
        match result {
            Err(e) if expect(&e) => {}
            Err(e) => panic!("{how}: refused with the wrong error: {e:?}"),
            Ok(_) => panic!("{how}: the schema was accepted"),
        }
        let after = pg_snapshot(url).await;
        assert_eq!(
            after.keys().collect::<Vec<_>>(),
            before.keys().collect::<Vec<_>>(),
            "{how}: relations in the schema"
        );
        assert_eq!(after, before, "{how}: the schema's contents changed");
    }
}

#[tokio::test]
#[cfg_attr(
    not(pg_tests),
    ignore = "set JIANGUAN_TEST_POSTGRES_URL to run the PostgreSQL contract tests"
)]
async fn opening_another_applications_postgres_schema_is_refused_and_leaves_it_untouched() {
    for with_migrations in [false, true] {
        let guard = jianguan_store::testing::fresh_postgres_schema().await;
        let mut conn = pg_connect(&guard.url).await;
        sqlx::raw_sql(
            "CREATE TABLE foo (id BIGSERIAL PRIMARY KEY, name TEXT); \
             INSERT INTO foo (name) VALUES ('bar');",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        if with_migrations {
            // Another sqlx program's migration table.
            sqlx::raw_sql(
                "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, \
                 description TEXT NOT NULL, installed_on TIMESTAMPTZ NOT NULL DEFAULT now(), \
                 success BOOLEAN NOT NULL, checksum BYTEA NOT NULL, execution_time BIGINT NOT NULL); \
                 INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
                 VALUES (1, 'foo', TRUE, '\\x00', 1);",
            )
            .execute(&mut conn)
            .await
            .unwrap();
        }
        conn.close().await.unwrap();
        let case = format!("own migration table: {with_migrations}");
        assert_pg_refused_untouched(&case, &guard.url, |e| {
            matches!(e, StoreError::NotJianguan(_))
        })
        .await;
        let tables: Vec<String> = pg_snapshot(&guard.url)
            .await
            .into_iter()
            .filter(|(_, (kind, _))| kind == "r")
            .map(|(name, _)| name)
            .collect();
        let expected: &[&str] = if with_migrations {
            &["_sqlx_migrations", "foo"]
        } else {
            &["foo"]
        };
        assert_eq!(tables, expected, "{case}: the schema's tables");
    }
}

#[tokio::test]
#[cfg_attr(
    not(pg_tests),
    ignore = "set JIANGUAN_TEST_POSTGRES_URL to run the PostgreSQL contract tests"
)]
async fn opening_a_postgres_schema_with_a_newer_schema_is_refused_and_leaves_it_untouched() {
    let (guard, db) = fresh_postgres().await;
    create(&db, &CITY).await.expect("the demo city is written");
    db.close().await;
    let known = POSTGRES_MIGRATIONS.iter().map(|m| m.version).max().unwrap();
    // A version far beyond this program's, as a timestamped migration of a later jianguan has.
    let newer: i64 = 99_991_231_235_959;
    let mut conn = pg_connect(&guard.url).await;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES ($1, 'from a newer jianguan', TRUE, $2, 1)",
    )
    .bind(newer)
    .bind(vec![0xAB_u8; 48])
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    assert_pg_refused_untouched("newer schema", &guard.url, |e| {
        matches!(e, StoreError::NewerSchema { found, known: k } if *found == newer && *k == known)
    })
    .await;
}

/// Needs no server: nothing listens on port 1.
#[tokio::test]
async fn an_unreachable_postgres_server_is_named_in_the_error_without_the_password() {
    let url = "postgres://u:secret@127.0.0.1:1/x";
    for (how, result) in [
        ("open", jianguan_store::open(url).await.map(|_| ())),
        (
            "open_existing",
            jianguan_store::open_existing(url).await.map(|_| ()),
        ),
    ] {
        let e = result.expect_err("nothing listens on port 1");
        let text = e.to_string();
        assert!(
            text.contains("postgres://u:***@127.0.0.1:1/x"),
            "{how}: the URL is not named in: {text}"
        );
        assert!(
            !text.contains("secret"),
            "{how}: the password shows in: {text}"
        );
        let debug = format!("{e:?}");
        assert!(
            !debug.contains("secret"),
            "{how}: the password shows in: {debug}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The two backends' migrations in lockstep.
// ---------------------------------------------------------------------------------------------

#[test]
fn both_backends_have_the_same_migrations() {
    let files = |backend: &str| -> Vec<String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(backend);
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let sqlite = files("sqlite");
    assert!(!sqlite.is_empty(), "the SQLite migrations are found");
    assert_eq!(sqlite, files("postgres"), "migration file names");
    let embedded = |migrator: &sqlx::migrate::Migrator| -> Vec<(i64, String)> {
        migrator
            .iter()
            .map(|m| (m.version, m.description.to_string()))
            .collect()
    };
    assert_eq!(
        embedded(&SQLITE_MIGRATIONS),
        embedded(&POSTGRES_MIGRATIONS),
        "embedded migrations (version, description)"
    );
    assert_eq!(
        embedded(&SQLITE_MIGRATIONS).len(),
        sqlite.len(),
        "every migration file is embedded"
    );
}

/// A column: name, coarse type (integer, text, real, bytes, or the declared type) and whether it is
/// NOT NULL (a primary key counts as NOT NULL: SQLite allows NULL in one only by a legacy quirk
/// the store never relies on).
type Column = (String, String, bool);

/// The coarse class of a declared column type, after SQLite's affinity rules.
fn type_class(declared: &str) -> String {
    let t = declared.to_ascii_lowercase();
    if t.contains("int") {
        "integer".into()
    } else if t.contains("char") || t.contains("clob") || t.contains("text") {
        "text".into()
    } else if t.contains("real") || t.contains("floa") || t.contains("doub") {
        "real".into()
    } else if t == "blob" || t == "bytea" {
        // Bytes the store keeps but does not read (the basemap's encoded levels).
        "bytes".into()
    } else {
        t
    }
}

/// Every table the migrations made, with its columns in declaration order; sqlx's migration
/// table and SQLite's `sqlite_sequence` left out.
async fn tables_and_columns(db: &Db) -> BTreeMap<String, Vec<Column>> {
    let rows: Vec<(String, String, String, bool)> =
        match db {
            Db::Sqlite(pool) => {
                sqlx::query_as(
                    "SELECT m.name, p.name, p.type, p.\"notnull\" <> 0 OR p.pk <> 0 \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT IN ('_sqlx_migrations', 'sqlite_sequence') \
             ORDER BY m.name, p.cid",
                )
                .fetch_all(pool)
                .await
            }
            Db::Postgres(pool) => sqlx::query_as(
                "SELECT table_name::text, column_name::text, data_type::text, is_nullable = 'NO' \
             FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations' \
             ORDER BY table_name, ordinal_position",
            )
            .fetch_all(pool)
            .await,
        }
        .expect("the columns list");
    let mut tables: BTreeMap<String, Vec<Column>> = BTreeMap::new();
    for (table, column, declared, not_null) in rows {
        tables
            .entry(table)
            .or_default()
            .push((column, type_class(&declared), not_null));
    }
    tables
}

#[tokio::test]
#[cfg_attr(
    not(pg_tests),
    ignore = "set JIANGUAN_TEST_POSTGRES_URL to run the PostgreSQL contract tests"
)]
async fn both_backends_migrate_to_the_same_tables_and_columns() {
    let (_dir, sqlite) = fresh_sqlite().await;
    let (_guard, postgres) = fresh_postgres().await;
    let on_sqlite = tables_and_columns(&sqlite).await;
    let on_postgres = tables_and_columns(&postgres).await;
    assert!(
        on_sqlite.contains_key("projects") && on_sqlite.contains_key("job_runs"),
        "the SQLite tables are found: {:?}",
        on_sqlite.keys()
    );
    assert_eq!(
        on_sqlite.keys().collect::<Vec<_>>(),
        on_postgres.keys().collect::<Vec<_>>(),
        "tables"
    );
    for (table, columns) in &on_sqlite {
        assert_same_list(
            &format!("columns of {table} (SQLite vs PostgreSQL)"),
            columns,
            &on_postgres[table],
        );
    }
    for (table, columns) in on_sqlite.iter().chain(&on_postgres) {
        for (column, class, _) in columns {
            assert!(
                ["integer", "text", "real", "boolean", "bytes"].contains(&class.as_str()),
                "{table}.{column} has an unexpected type {class}"
            );
        }
    }
}

fn account(name: &str, unit: Option<jianguan_domain::model::UnitId>) -> AccountRecord {
    AccountRecord {
        id: 0,
        username: name.into(),
        username_key: name.to_lowercase(),
        display_name: "测试".into(),
        unit,
        roles: vec![],
        password_hash: "$argon2id$test".into(),
        totp_secret: None,
        totp_last_step: None,
        created_at_ms: 1_638_316_800_000,
        last_login_ms: None,
        expires_on: None,
        disabled_at_ms: None,
        failed_logins: 0,
        locked_until_ms: None,
        password_changed_at_ms: None,
        must_change_password: false,
    }
}

/// The database's unique constraint on the normalised name reads back as the field, not as the
/// database's text, and the refused account leaves nothing behind.
async fn a_taken_user_name_is_a_duplicate_naming_the_field(db: Db) {
    db.create_account(&account("Alice", None), &audit_draft("account.create"))
        .await
        .expect("the first account is stored");
    let before = state(&db).await;
    match db
        .create_account(&account("ALICE", None), &audit_draft("account.create"))
        .await
    {
        Err(StoreError::Duplicate {
            field: Field::Username,
            value: None,
        }) => {}
        other => panic!("expected a duplicate user name, got {other:?}"),
    }
    assert_eq!(state(&db).await, before);
}

/// With the process's key installed, a TOTP seed is never in the database in plain text: it is
/// sealed when written and opened when read; a seed an older version stored in plain text still
/// reads, and `seal_plain_secrets` seals it (once, audited).
/// One secret key for the whole test process (the first test to need it installs it).
fn install_test_key() {
    use jianguan_store::secrets::SecretKey;
    static KEY: std::sync::LazyLock<SecretKey> =
        std::sync::LazyLock::new(|| SecretKey::generate().unwrap());
    jianguan_store::secrets::use_key(KEY.clone()).expect("the process's key");
}

async fn a_totp_seed_is_stored_sealed_and_an_older_plain_one_is_sealed_on_request(db: Db) {
    use jianguan_store::secrets::SEALED_PREFIX;
    install_test_key();
    let seed = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    let mut admin = account("admin", None);
    admin.totp_secret = Some(seed.into());
    let id = db
        .create_account(&admin, &audit_draft("account.create"))
        .await
        .expect("stored");
    let raw = |db: Db| async move {
        let sql = "SELECT totp_secret FROM accounts WHERE username_key = 'admin'";
        let value: Option<String> = match &db {
            Db::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
            Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        };
        value.unwrap()
    };
    let stored = raw(db.clone()).await;
    assert!(stored.starts_with(SEALED_PREFIX), "{stored}");
    assert!(!stored.contains(seed));
    let back = db.account_by_key("admin").await.unwrap().unwrap();
    assert_eq!(back.totp_secret.as_deref(), Some(seed));
    assert_eq!(back.id, id);

    // As an older version left it: plain base32.
    execute(
        &db,
        "UPDATE accounts SET totp_secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'",
    )
    .await
    .unwrap();
    let back = db.account_by_key("admin").await.unwrap().unwrap();
    assert_eq!(
        back.totp_secret.as_deref(),
        Some(seed),
        "a plain seed still reads"
    );
    let audit = audit_draft("secrets.seal");
    assert_eq!(
        jianguan_store::secrets::seal_plain_secrets(&db, &audit)
            .await
            .unwrap(),
        1
    );
    assert!(raw(db.clone()).await.starts_with(SEALED_PREFIX));
    assert_eq!(
        jianguan_store::secrets::seal_plain_secrets(&db, &audit)
            .await
            .unwrap(),
        0,
        "nothing left to seal"
    );
    let head = db.audit_head().await.unwrap().unwrap();
    assert_eq!(head.action, "secrets.seal");
    assert_eq!(
        db.account_by_key("admin")
            .await
            .unwrap()
            .unwrap()
            .totp_secret
            .as_deref(),
        Some(seed)
    );
}

/// A foreign-key violation is its own variant; PostgreSQL also says which reference it was.
async fn an_account_of_a_missing_unit_is_a_missing_reference(db: Db) {
    let before = state(&db).await;
    let missing = jianguan_domain::model::UnitId(987_654);
    match db
        .create_account(
            &account("bob", Some(missing)),
            &audit_draft("account.create"),
        )
        .await
    {
        Err(StoreError::MissingReference { field }) => match db.backend() {
            "postgres" => assert_eq!(field, Some(Field::Unit)),
            _ => assert_eq!(field, None, "SQLite does not name the reference"),
        },
        other => panic!("expected a missing reference, got {other:?}"),
    }
    assert_eq!(state(&db).await, before);
}

fn audit_draft(action: &str) -> jianguan_audit::AuditDraft {
    jianguan_audit::AuditDraft {
        at_ms: 1_638_316_800_000,
        actor: "contract-test".into(),
        unit: Some("映湖区".into()),
        action: action.into(),
        object: "project:1".into(),
        result: jianguan_audit::Outcome::Denied,
        client: Some("127.0.0.1".into()),
        changes: vec![jianguan_audit::FieldChange {
            field: "name".into(),
            before: Some("旧".into()),
            after: None,
        }],
    }
}

async fn the_database_refuses_to_change_or_delete_an_audit_record(db: Db) {
    let first = db
        .append_audit(&audit_draft("access.denied"))
        .await
        .expect("an audit record appends");
    assert_eq!(first.seq, 1);
    let back = db.audit_records(0, 10).await.expect("reads");
    assert_eq!(back, vec![first.clone()], "the record reads back as sealed");
    for sql in [
        "UPDATE audit_log SET actor = 'someone else' WHERE seq = 1",
        "DELETE FROM audit_log WHERE seq = 1",
    ] {
        let refused = match &db {
            Db::Sqlite(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
            Db::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
        };
        let err = refused.expect_err("the database refuses");
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(db.audit_records(0, 10).await.expect("reads"), vec![first]);
}

/// Someone with the owner's rights drops (or, on PostgreSQL, disables) the audit table's
/// guards: the store names exactly those as missing, and nothing while all are in place.
/// A database set up with the 商用密码 suite (`init --crypto sm`): audit records from the choice
/// on are SM3-chained (one refused login before it stays SHA-256), TOTP seeds are sealed with
/// SM4-GCM, a published run carries an HMAC-SM3 integrity code, and a run changed behind the
/// triggers' back is named by the check.
async fn under_the_sm_suite_the_chain_is_sm3_secrets_sm4_and_published_scores_carry_an_hmac_sm3_code(
    db: Db,
) {
    use assess::SubjectKind::District;
    use jianguan_audit::{ChainSuite, CryptoSuite};
    install_test_key();
    // Before setup: a refused login on the empty database, SHA-256 as always.
    db.append_audit(&audit_draft("login.failed"))
        .await
        .expect("appended");
    assert_eq!(
        db.crypto_suite().await.unwrap(),
        ChainSuite::from(CryptoSuite::Intl)
    );
    db.choose_crypto_suite(CryptoSuite::Sm, "init", 1)
        .await
        .expect("chosen");
    let chain = ChainSuite {
        suite: CryptoSuite::Sm,
        from_seq: 2,
    };
    assert_eq!(db.crypto_suite().await.unwrap(), chain);
    db.choose_crypto_suite(CryptoSuite::Sm, "init", 2)
        .await
        .expect("the same suite again is no change");
    assert_refused(
        "another suite",
        db.choose_crypto_suite(CryptoSuite::Intl, "init", 3).await,
        |e| matches!(e, StoreError::Invalid(_)),
    );
    for sql in [
        "UPDATE crypto_suite SET suite = 'intl'",
        "DELETE FROM crypto_suite",
    ] {
        execute(&db, sql).await.expect_err("the database refuses");
    }

    create(&db, &CITY).await.expect("the demo city is written");
    let seed = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    let mut admin = account("smadmin", None);
    admin.totp_secret = Some(seed.into());
    db.create_account(&admin, &audit_draft("account.create"))
        .await
        .expect("stored");
    let raw: String = scalar(
        &db,
        "SELECT totp_secret FROM accounts WHERE username_key = 'smadmin'",
    )
    .await;
    assert!(
        raw.starts_with(jianguan_store::secrets::SM4_SEALED_PREFIX),
        "{raw}"
    );
    let back = db.account_by_key("smadmin").await.unwrap().unwrap();
    assert_eq!(back.totp_secret.as_deref(), Some(seed));

    save_default_scheme(&db).await;
    let oct = month("2021-10");
    db.save_draft_run(&draft_run(oct, District, &[]), &audit_draft("score.draft"))
        .await
        .expect("a draft");
    db.publish_run(
        oct,
        District,
        day("2021-11-05"),
        &audit_draft("score.publish"),
    )
    .await
    .expect("published");
    let code: String = scalar(
        &db,
        "SELECT integrity_code FROM score_runs WHERE published = 1",
    )
    .await;
    assert!(code.starts_with("hmac-sm3:"), "{code}");
    let found = db.check_score_integrity().await.unwrap();
    assert_eq!((found.keyed, found.broken.len()), (1, 0), "{found:?}");

    // The chain: SHA-256 for record 1, SM3 from record 2 on.
    let records = db.audit_records(0, 1_000).await.unwrap();
    assert!(records.len() > 5);
    jianguan_audit::verify(&records, &[], chain).expect("the chain verifies under its suite");
    assert_eq!(
        jianguan_audit::verify(&records, &[], CryptoSuite::Intl),
        Err(jianguan_audit::VerifyError::Altered { seq: 2 })
    );

    // Someone with the database's owner rights edits the published scores.
    let guard = match db {
        Db::Sqlite(_) => "score_runs_published_no_update",
        Db::Postgres(_) => "score_runs_published_frozen",
    };
    jianguan_store::testing::drop_append_only_guard(&db, guard).await;
    execute(
        &db,
        "UPDATE score_runs SET body = body || ' ' WHERE published = 1",
    )
    .await
    .expect("changed");
    let found = db.check_score_integrity().await.unwrap();
    assert_eq!(found.broken, vec!["2021-10 district v1".to_string()]);
}

/// One text value a query reads.
async fn scalar(db: &Db, sql: &'static str) -> String {
    let value: Option<String> = match db {
        Db::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
    };
    value.expect("a value")
}

async fn a_dropped_or_disabled_append_only_guard_is_reported_missing(db: Db) {
    assert_eq!(
        db.missing_append_only_guards().await.expect("reads"),
        Vec::<String>::new(),
        "a migrated database has every guard"
    );
    jianguan_store::testing::drop_append_only_guard(&db, "audit_log_no_update").await;
    if matches!(db, Db::Postgres(_)) {
        execute(
            &db,
            "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_delete",
        )
        .await
        .expect("disabled");
    }
    let missing = db.missing_append_only_guards().await.expect("reads");
    let expected: Vec<&str> = match db {
        Db::Sqlite(_) => vec!["audit_log_no_update"],
        Db::Postgres(_) => vec!["audit_log_no_update", "audit_log_no_delete"],
    };
    assert_eq!(missing, expected);
}

async fn two_handles_appending_audit_records_at_once_keep_one_unbroken_chain(db: Db, url: String) {
    let other = jianguan_store::open(&url)
        .await
        .expect("a second handle opens");
    let write = |db: Db, action: &'static str| async move {
        for _ in 0..25 {
            db.append_audit(&audit_draft(action))
                .await
                .expect("every append succeeds");
        }
    };
    tokio::join!(write(db.clone(), "a"), write(other.clone(), "b"));
    let records = db.audit_records(0, i64::MAX).await.expect("reads");
    assert_eq!(records.len(), 50);
    let summary = jianguan_audit::verify(&records, &[], jianguan_audit::CryptoSuite::Intl)
        .expect("one unbroken chain");
    assert_eq!(summary.last_seq, Some(50));
}

/// Filings from two handles (two web nodes) at once: every one is written, none is refused for
/// an id another writer took at the same moment (PostgreSQL took `MAX(id)+1` before its writer
/// lock and answered duplicate keys), and the audit chain stays one.
async fn two_handles_filing_reports_at_once_all_succeed_with_distinct_ids(db: Db, url: String) {
    use jianguan_domain::model::{Money, PeriodId, ReportId};
    create(&db, &CITY).await.expect("the demo city is written");
    let other = jianguan_store::open(&url)
        .await
        .expect("a second handle opens");
    let period = CITY.periods.last().unwrap();
    let report_of = |project: &jianguan_domain::model::Project| {
        let version = stored_version(project.id, period.id) + 1;
        ProgressReport {
            id: ReportId(0),
            project: project.id,
            period: PeriodId(period.id.0),
            version,
            filed_on: period.deadline,
            investment_to_date: Money::from_wan(1.0),
            milestones_reached: vec![],
            note: "并发填报".into(),
            problems: vec![],
            correction_reason: (version > 1).then(|| "并发更正".to_string()),
        }
    };
    let before = db.audit_records(0, i64::MAX).await.expect("reads").len();
    let filings = CITY
        .projects
        .iter()
        .take(40)
        .enumerate()
        .map(|(i, project)| {
            let handle = if i % 2 == 0 {
                db.clone()
            } else {
                other.clone()
            };
            let report = report_of(project);
            async move {
                handle
                    .file_report(&report, &[], &audit_draft("report.file"), &[], &[])
                    .await
            }
        });
    let results = futures_util::future::join_all(filings).await;
    let failed: Vec<String> = results
        .iter()
        .filter_map(|r| r.as_ref().err().map(|e| e.to_string()))
        .collect();
    assert!(failed.is_empty(), "concurrent filings failed: {failed:?}");
    let mut ids: Vec<i64> = results.iter().map(|r| r.as_ref().unwrap().0).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 40, "every filing got its own id");
    let records = db.audit_records(0, i64::MAX).await.expect("reads");
    assert_eq!(records.len(), before + 40, "one audit record per filing");
    jianguan_audit::verify(&records, &[], jianguan_audit::CryptoSuite::Intl)
        .expect("one unbroken chain");
    other.close().await;
}

/// The latest version of `project`'s report for `period` in the demo city (0 if none).
fn stored_version(
    project: jianguan_domain::model::ProjectId,
    period: jianguan_domain::model::PeriodId,
) -> u16 {
    CITY.reports
        .iter()
        .filter(|r| r.project == project && r.period == period)
        .map(|r| r.version)
        .max()
        .unwrap_or(0)
}

/// Filings at once from many clients on two handles, every third one failing halfway through its
/// transaction (a milestone of another project, refused after its report row is written) and
/// every fifth a version already stored (refused by the database): each failure undoes only
/// itself — on SQLite the writes share commits (group commit), so a failure must not take the
/// writes batched with it along — every success is stored with its own id and one audit record,
/// and the chain stays unbroken.
async fn writes_failing_amid_a_rush_undo_only_themselves(db: Db, url: String) {
    use jianguan_domain::model::{Money, ReportId};
    create(&db, &CITY).await.expect("the demo city is written");
    let other = jianguan_store::open(&url)
        .await
        .expect("a second handle opens");
    let period = CITY.periods.last().unwrap();
    let before = db.audit_records(0, i64::MAX).await.expect("reads").len();
    let commits_before = db.group_commits().unwrap_or_default();
    const CLIENTS: usize = 48;
    let filings = CITY
        .projects
        .iter()
        .take(CLIENTS)
        .enumerate()
        .map(|(i, project)| {
            let handle = if i % 2 == 0 {
                db.clone()
            } else {
                other.clone()
            };
            let stored = stored_version(project.id, period.id);
            let stranger = &CITY.projects[(i + 1) % CITY.projects.len()].milestones[0];
            let fails_halfway = i % 3 == 2;
            // A version already stored collides with it (only where the period has a report).
            let collides = i % 5 == 4 && stored > 0 && !fails_halfway;
            let version = if collides { stored } else { stored + 1 };
            let report = ProgressReport {
                id: ReportId(0),
                project: project.id,
                period: period.id,
                version,
                filed_on: period.deadline,
                investment_to_date: Money::from_wan(2.0),
                milestones_reached: if fails_halfway {
                    vec![(stranger.id, period.deadline)]
                } else {
                    vec![]
                },
                note: format!("并发填报 {i}"),
                problems: vec![],
                correction_reason: (version > 1).then(|| "并发更正".to_string()),
            };
            let expect_ok = !fails_halfway && !collides;
            async move {
                let result = handle
                    .file_report(&report, &[], &audit_draft("report.file"), &[], &[])
                    .await;
                (project.id, expect_ok, result)
            }
        });
    let results = futures_util::future::join_all(filings).await;
    let mut stored_ok = 0;
    for (project, expect_ok, result) in &results {
        let record = db
            .load_project(*project, RecordScope::All, ReportVersions::All)
            .await
            .expect("reads")
            .expect("exists");
        let mine: Vec<_> = record
            .reports
            .iter()
            .filter(|r| r.note.starts_with("并发填报"))
            .collect();
        match result {
            Ok(id) => {
                assert!(
                    expect_ok,
                    "project {project}: a write meant to fail succeeded"
                );
                assert_eq!(
                    mine.len(),
                    1,
                    "project {project}: its report is stored once"
                );
                assert_eq!(
                    mine[0].id, *id,
                    "project {project}: under the id acknowledged"
                );
                stored_ok += 1;
            }
            Err(e) => {
                assert!(!expect_ok, "project {project}: a good write failed: {e}");
                assert!(
                    mine.is_empty(),
                    "project {project}: a failed write left its report behind"
                );
            }
        }
    }
    assert!(
        stored_ok >= CLIENTS / 2,
        "most writes were good ones: {stored_ok}"
    );
    let records = db.audit_records(0, i64::MAX).await.expect("reads");
    assert_eq!(
        records.len(),
        before + stored_ok,
        "one audit record per stored filing, none for a failed one"
    );
    jianguan_audit::verify(&records, &[], jianguan_audit::CryptoSuite::Intl)
        .expect("one unbroken chain");
    if let Some(after) = db.group_commits() {
        let writes = after.writes - commits_before.writes;
        let commits = after.commits - commits_before.commits;
        assert!(
            writes >= stored_ok as u64,
            "every stored filing was acknowledged durable ({writes} of {stored_ok})"
        );
        assert!(commits <= writes, "{commits} commits for {writes} writes");
    }
    other.close().await;
}

/// Every write path the store offers, run at once from many clients on two handles of one
/// database: every write succeeds (0 errors), every path's ids are distinct, the one setting
/// written by all of them gets distinct versions, and the audit chain stays one unbroken chain
/// with one record per write.
async fn every_write_path_run_at_once_from_many_clients_succeeds_with_distinct_ids(
    db: Db,
    url: String,
) {
    use jianguan_domain::model::{CategoryId, Money, ReportId, UnitKind};
    use jianguan_domain::plan::{PlanChange, PlanChangeKind, PlanChangeRequest, PlanChangeStatus};
    use jianguan_domain::store::CadenceWrite;
    use jianguan_domain::warnings::{WarningEvent, WarningLevel};
    create(&db, &CITY).await.expect("the demo city is written");
    let other = jianguan_store::open(&url)
        .await
        .expect("a second handle opens");
    const PATHS: usize = 10;
    const CLIENTS: usize = 4 * PATHS;
    let period = CITY.periods.last().unwrap();
    let district = first_of(UnitKind::District);
    let before = db.audit_records(0, i64::MAX).await.expect("reads").len();
    // What each client wrote: its path and the id (or version) the store gave it.
    let writes = (0..CLIENTS).map(|i| {
        let handle = if i % 2 == 0 {
            db.clone()
        } else {
            other.clone()
        };
        let project = &CITY.projects[i];
        async move {
            let path = i % PATHS;
            let id = match path {
                0 => {
                    let version = stored_version(project.id, period.id) + 1;
                    let report = ProgressReport {
                        id: ReportId(0),
                        project: project.id,
                        period: period.id,
                        version,
                        filed_on: period.deadline,
                        investment_to_date: Money::from_wan(1.0),
                        milestones_reached: vec![],
                        note: "并发填报".into(),
                        problems: vec![],
                        correction_reason: (version > 1).then(|| "并发更正".to_string()),
                    };
                    handle
                        .file_report(&report, &[], &audit_draft("report.file"), &[], &[])
                        .await
                        .map(|id| id.0)
                }
                1 => {
                    let m = &project.milestones[0];
                    let write = CadenceWrite {
                        warnings: vec![WarningEvent {
                            id: 0,
                            project: project.id,
                            milestone: m.id,
                            unit: project.responsible_unit,
                            district: project.district,
                            on: day("2021-03-02"),
                            previous: None,
                            level: Some(WarningLevel::Reminder),
                            reason: "并发预警".into(),
                            rules_version: 1,
                        }],
                        new_items: vec![ticket(project)],
                        item_events: vec![],
                        dismissals: vec![],
                    };
                    handle
                        .record_cadence(&write, &[audit_draft("item.create")])
                        .await
                        .map(|ids| ids[0].0)
                }
                2 => {
                    handle
                        .create_account(
                            &account(&format!("client{i}"), None),
                            &audit_draft("account.create"),
                        )
                        .await
                }
                3 => handle
                    .save_setting(
                        "concurrency",
                        &format!("client = {i}"),
                        "office",
                        &audit_draft("settings.save"),
                    )
                    .await
                    .map(|v| v.version),
                4 => handle
                    .enter_values(
                        &[marketisation(district, month("2021-10"), i as f64)],
                        &audit_draft("indicator.enter"),
                    )
                    .await
                    .map(|ids| ids[0]),
                5 => handle
                    .add_media_reports(
                        &[assess::MediaReport {
                            id: 0,
                            outlet: "示例日报".into(),
                            level: assess::MediaLevel::City,
                            date: day("2021-10-13"),
                            title: format!("并发报道{i}"),
                            projects: vec![project.id],
                            unit: project.district,
                        }],
                        &audit_draft("media.add"),
                    )
                    .await
                    .map(|ids| ids[0]),
                6 => {
                    let change = PlanChange {
                        id: 0,
                        request: PlanChangeRequest {
                            project: project.id,
                            year: 2021,
                            kind: PlanChangeKind::Investment,
                            reason: "并发调整".into(),
                            dates: vec![],
                            investment: Some(Money::from_wan(10.0)),
                            effective_on: None,
                            scope: None,
                            attachments: vec![],
                        },
                        requested_by: "reporter".into(),
                        requested_unit: Some(project.responsible_unit),
                        requested_at_ms: 1_638_316_800_000,
                        status: PlanChangeStatus::Pending,
                        decided_by: None,
                        decided_at_ms: None,
                        decision_note: None,
                    };
                    handle
                        .request_plan_change(&change, &audit_draft("plan.change_request"))
                        .await
                }
                7 => {
                    let category = jianguan_domain::model::Category {
                        id: CategoryId(0),
                        code: format!("BF{i:02}"),
                        name: format!("并发类别{i}"),
                        ..CITY.categories[0].clone()
                    };
                    handle
                        .save_category(&category, "office", &audit_draft("category.save"))
                        .await
                        .map(|c| c.id.0)
                }
                8 => handle
                    .append_audit(&audit_draft("login.failed"))
                    .await
                    .map(|r| r.seq),
                // One user name from one source failing from many clients: an upsert each.
                _ => {
                    let state = jianguan_domain::store::LoginThrottleRecord {
                        failures: i as i64,
                        last_failure_ms: 1_638_316_800_000,
                        locked_until_ms: None,
                    };
                    handle
                        .record_login_failure(
                            "alice",
                            "10.0.0.1",
                            state,
                            0,
                            &audit_draft("login.failed"),
                        )
                        .await
                        .map(|()| i as i64)
                }
            };
            (path, id)
        }
    });
    let results = futures_util::future::join_all(writes).await;
    let failed: Vec<String> = results
        .iter()
        .filter_map(|(path, r)| r.as_ref().err().map(|e| format!("path {path}: {e}")))
        .collect();
    assert!(failed.is_empty(), "concurrent writes failed: {failed:?}");
    for path in 0..PATHS {
        let mut ids: Vec<i64> = results
            .iter()
            .filter(|(p, _)| *p == path)
            .map(|(_, r)| *r.as_ref().unwrap())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(
            ids.len(),
            CLIENTS / PATHS,
            "path {path}: every write got its own id"
        );
    }
    let records = db.audit_records(0, i64::MAX).await.expect("reads");
    assert_eq!(
        records.len(),
        before + CLIENTS,
        "one audit record per write"
    );
    jianguan_audit::verify(&records, &[], jianguan_audit::CryptoSuite::Intl)
        .expect("one unbroken chain");
    other.close().await;
}

/// What an import plans against (`load_records`) is the read model's portfolio, read without
/// the report versions.
async fn the_records_alone_are_the_read_models_portfolio(db: Db) {
    create(&db, &CITY).await.expect("the demo city is written");
    let records = db.load_records().await.expect("reads");
    let model = db.load_read_model().await.expect("reads");
    assert!(records.reports.is_empty());
    assert!(!records.projects.is_empty());
    assert_eq!(records, model.portfolio);
}

async fn load_project_outside_the_scope_reads_nothing(db: Db) {
    create(&db, &CITY).await.expect("the demo city is written");
    let own = &CITY.projects[0];
    let other = CITY
        .projects
        .iter()
        .find(|p| p.district != own.district && p.sub_hq != own.sub_hq)
        .expect("another district's project");
    let district = RecordScope::District(own.district);
    assert!(
        db.load_project(own.id, district, ReportVersions::All)
            .await
            .expect("reads")
            .is_some()
    );
    assert!(
        db.load_project(other.id, district, ReportVersions::All)
            .await
            .expect("reads")
            .is_none()
    );
    let line = RecordScope::Line(own.sub_hq);
    assert!(
        db.load_project(own.id, line, ReportVersions::All)
            .await
            .expect("reads")
            .is_some()
    );
    assert!(
        db.load_project(other.id, line, ReportVersions::All)
            .await
            .expect("reads")
            .is_none()
    );
    assert!(
        db.load_project(own.id, RecordScope::Nothing, ReportVersions::All)
            .await
            .expect("reads")
            .is_none()
    );
    assert!(
        db.load_project(other.id, RecordScope::All, ReportVersions::All)
            .await
            .expect("reads")
            .is_some()
    );
}

// ---------------------------------------------------------------------------------------------
// The cadence's records.
// ---------------------------------------------------------------------------------------------

fn ticket(project: &jianguan_domain::model::Project) -> jianguan_domain::followup::TrackedItem {
    use jianguan_domain::followup::*;
    let opened: jianguan_domain::Date = "2021-05-01".parse().unwrap();
    TrackedItem {
        id: ItemId(0),
        kind: ItemKind::Coordination,
        title: "高压线迁改".into(),
        detail: "红线内 110kV 线路".into(),
        project: Some(project.id),
        district: Some(project.district),
        owner: project.responsible_unit,
        issuer: project.sub_hq,
        bodies: vec!["国网供电公司".into(), "省电力公司".into()],
        topic: "管线迁改".into(),
        source: "第9期填报".into(),
        opened_on: opened,
        deadline: "2021-05-31".parse().unwrap(),
        level: EscalationLevel::District,
        events: vec![ItemEvent {
            on: "2021-05-10".parse().unwrap(),
            unit: project.responsible_unit,
            by: "reporter".into(),
            action: ItemAction::Progress {
                note: "已与供电公司对接".into(),
            },
        }],
        act: None,
    }
}

async fn cadence_records_round_trip_with_ids_assigned_and_audited(db: Db) {
    use jianguan_domain::followup::*;
    use jianguan_domain::store::CadenceWrite;
    use jianguan_domain::warnings::*;
    create(&db, &CITY).await.expect("the demo city is written");
    let project = &CITY.projects[0];
    let m = &project.milestones[0];
    let warning = |level, previous, on: &str| WarningEvent {
        id: 0,
        project: project.id,
        milestone: m.id,
        unit: project.responsible_unit,
        district: project.district,
        on: on.parse().unwrap(),
        previous,
        level,
        reason: "「方案设计」逾期".into(),
        rules_version: 1,
    };
    let write = CadenceWrite {
        warnings: vec![
            warning(Some(WarningLevel::Reminder), None, "2021-03-02"),
            warning(
                Some(WarningLevel::Warning),
                Some(WarningLevel::Reminder),
                "2021-03-16",
            ),
        ],
        new_items: vec![ticket(project), ticket(project)],
        item_events: vec![],
        dismissals: vec![],
    };
    let version = db.data_version().await.unwrap();
    let ids = db
        .record_cadence(&write, &[audit_draft("item.create")])
        .await
        .expect("the cadence batch is written");
    assert_eq!(ids, vec![ItemId(1), ItemId(2)]);
    assert!(db.data_version().await.unwrap() > version);
    // Appending to an existing item continues its sequence; a second batch's warnings follow on.
    let claim = ItemEvent {
        on: "2021-05-20".parse().unwrap(),
        unit: project.responsible_unit,
        by: "reporter".into(),
        action: ItemAction::ClaimClosure {
            evidence: "已迁改完成".into(),
        },
    };
    // An issued 约谈 keeps its document, projects, attendees and minutes; a dismissed
    // proposal is kept with who, when and why.
    let summons = TrackedItem {
        kind: ItemKind::Summons,
        title: "约谈：映湖区".into(),
        bodies: vec![],
        events: vec![],
        act: Some(IssuedAct {
            document_number: "示建管约〔2021〕1号".into(),
            projects: vec![project.id, CITY.projects[1].id],
            attendees: "区政府分管副区长".into(),
            minutes: "责成一个月内整改到位".into(),
            proposal: Some(format!("summons:unit:{}", project.district.0)),
        }),
        ..ticket(project)
    };
    let dismissal = jianguan_domain::acts::Dismissal {
        id: 0,
        key: format!("supervision:project:{}", project.id.0),
        act: jianguan_domain::acts::ActKind::Supervision,
        unit: project.responsible_unit,
        on: "2021-05-20".parse().unwrap(),
        by: "office".into(),
        reason: "已列入调度会议定事项".into(),
    };
    let second = CadenceWrite {
        warnings: vec![warning(None, Some(WarningLevel::Warning), "2021-03-20")],
        new_items: vec![summons.clone()],
        item_events: vec![(ItemId(2), claim.clone())],
        dismissals: vec![dismissal.clone()],
    };
    db.record_cadence(&second, &[audit_draft("item.claim_closure")])
        .await
        .expect("the second batch is written");
    let loaded = db.load_cadence().await.expect("the cadence reads");
    assert_eq!(
        loaded
            .warnings
            .iter()
            .map(|w| (w.id, w.level))
            .collect::<Vec<_>>(),
        vec![
            (1, Some(WarningLevel::Reminder)),
            (2, Some(WarningLevel::Warning)),
            (3, None)
        ]
    );
    assert_eq!(loaded.warnings[0].reason, write.warnings[0].reason);
    let mut expected = ticket(project);
    expected.id = ItemId(2);
    expected.events.push(claim);
    assert_eq!(loaded.items.len(), 3);
    assert_eq!(loaded.items[1], expected);
    assert_eq!(
        loaded.items[2],
        TrackedItem {
            id: ItemId(3),
            ..summons
        }
    );
    assert_eq!(
        loaded.dismissals,
        [jianguan_domain::acts::Dismissal { id: 1, ..dismissal }]
    );
    assert_eq!(loaded.items[1].state().status, ItemStatus::AwaitingCheck);
    let period = &CITY.periods[10];
    let filed = db
        .load_filings(period.id)
        .await
        .expect("one period's filings read");
    let mut expected: Vec<_> = CITY
        .reports
        .iter()
        .filter(|r| r.period == period.id)
        .map(jianguan_domain::filing::Filed::from)
        .collect();
    expected.sort_by_key(|f| (f.project, f.version));
    assert!(!expected.is_empty());
    assert_eq!(filed, expected);
    let trail = audit_trail(&db).await;
    assert!(trail.iter().any(|(_, a)| a == "item.claim_closure"));
    // A batch naming a milestone that does not exist writes nothing at all.
    let before = row_counts(&db).await;
    let mut bad = warning(Some(WarningLevel::Reminder), None, "2021-04-01");
    bad.milestone = MilestoneId(999_999_999);
    let broken = CadenceWrite {
        warnings: vec![bad],
        new_items: vec![ticket(project)],
        item_events: vec![],
        dismissals: vec![],
    };
    assert!(
        db.record_cadence(&broken, &[audit_draft("x")])
            .await
            .is_err()
    );
    assert_eq!(row_counts(&db).await, before);
    assert_eq!(db.load_cadence().await.unwrap().items.len(), 3);
    // The histories are append-only in the database itself.
    for sql in [
        "UPDATE warning_events SET reason = 'x' WHERE id = 1",
        "DELETE FROM warning_events WHERE id = 1",
        "UPDATE item_events SET by_name = 'x' WHERE item_id = 2",
        "DELETE FROM item_events WHERE item_id = 2",
        "DELETE FROM tracked_items WHERE id = 1",
        "UPDATE item_acts SET minutes = 'x' WHERE item_id = 3",
        "DELETE FROM item_acts WHERE item_id = 3",
        "UPDATE act_dismissals SET reason = 'x' WHERE id = 1",
        "DELETE FROM act_dismissals WHERE id = 1",
    ] {
        let refused = match &db {
            Db::Sqlite(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
            Db::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
        };
        let err = refused.expect_err("the database refuses");
        let text = err.to_string();
        assert!(
            text.contains("append-only")
                || text.contains("never deleted")
                || text.contains("never changed"),
            "{sql}: {text}"
        );
    }
    assert_eq!(row_counts(&db).await, before);
}

async fn a_filed_report_sets_its_milestones_and_a_duplicate_version_writes_nothing(db: Db) {
    use jianguan_domain::model::{Money, PeriodId, ReportId};
    use jianguan_domain::store::PhotoRef;
    create(&db, &CITY).await.expect("the demo city is written");
    // A project with a milestone not reached in the demo, if any; otherwise any project.
    let project = CITY
        .projects
        .iter()
        .find(|p| p.milestones.iter().any(|m| m.actual.is_none()))
        .expect("some milestone is unreached in the demo");
    let m = project
        .milestones
        .iter()
        .find(|m| m.actual.is_none())
        .unwrap();
    let period = CITY.periods.last().unwrap();
    let version = stored_version(project.id, period.id) + 1;
    let report = ProgressReport {
        id: ReportId(0),
        project: project.id,
        period: PeriodId(period.id.0),
        version,
        filed_on: period.deadline,
        investment_to_date: Money::from_wan(123.0),
        milestones_reached: vec![(m.id, period.end)],
        note: "补报".into(),
        problems: vec![],
        correction_reason: (version > 1).then(|| "补报节点".to_string()),
    };
    let photo = PhotoRef {
        sha256: "ab".repeat(32),
        mime: "image/jpeg".into(),
        bytes: 2048,
    };
    let id = db
        .file_report(
            &report,
            std::slice::from_ref(&photo),
            &audit_draft("report.file"),
            &[],
            &[],
        )
        .await
        .expect("the report is filed");
    assert_eq!(db.report_photos(id).await.unwrap(), vec![photo.clone()]);
    let record = db
        .load_project(project.id, RecordScope::All, ReportVersions::All)
        .await
        .unwrap()
        .unwrap();
    let reached = record
        .project
        .milestones
        .iter()
        .find(|x| x.id == m.id)
        .unwrap();
    assert_eq!(reached.actual, Some(period.end));
    assert!(
        record
            .reports
            .iter()
            .any(|r| r.id == id && r.version == version)
    );
    let before = row_counts(&db).await;
    assert!(
        db.file_report(&report, &[photo], &audit_draft("report.file"), &[], &[])
            .await
            .is_err()
    );
    assert_eq!(row_counts(&db).await, before);
}

async fn a_report_and_the_tickets_it_opens_are_one_write(db: Db) {
    use jianguan_domain::followup::coordination_tickets;
    use jianguan_domain::model::{Money, PeriodId, Problem, ReportId, UnitId};
    create(&db, &CITY).await.expect("the demo city is written");
    let project = &CITY.projects[0];
    let period = CITY.periods.last().unwrap();
    let earlier: Vec<ProgressReport> = CITY
        .reports
        .iter()
        .filter(|r| r.project == project.id)
        .cloned()
        .collect();
    let version = earlier
        .iter()
        .filter(|r| r.period == period.id)
        .map(|r| r.version)
        .max()
        .unwrap_or(0)
        + 1;
    let report = ProgressReport {
        id: ReportId(0),
        project: project.id,
        period: PeriodId(period.id.0),
        version,
        filed_on: period.deadline,
        investment_to_date: Money::from_wan(10.0),
        milestones_reached: vec![],
        note: String::new(),
        problems: vec![Problem {
            description: "红线内 110kV 线路待迁改".into(),
            needs_coordination_with: Some("国网供电公司、燃气公司".into()),
        }],
        correction_reason: (version > 1).then(|| "补报问题".to_string()),
    };
    let tickets = coordination_tickets(project, &earlier, &report, period.seq);
    assert_eq!(
        tickets.len(),
        1,
        "one new problem naming bodies opens one ticket"
    );
    assert_eq!(tickets[0].bodies, ["国网供电公司", "燃气公司"]);
    let one = [audit_draft("item.open")];

    // A ticket that cannot be stored (its owner does not exist) takes the report with it.
    let before = row_counts(&db).await;
    let broken = vec![jianguan_domain::followup::TrackedItem {
        owner: UnitId(987_654),
        ..tickets[0].clone()
    }];
    db.file_report(&report, &[], &audit_draft("report.file"), &broken, &one)
        .await
        .expect_err("a ticket naming a missing unit is refused");
    assert_eq!(
        row_counts(&db).await,
        before,
        "neither the report nor the ticket"
    );

    let items_before = db.load_cadence().await.unwrap().items.len();
    let id = db
        .file_report(&report, &[], &audit_draft("report.file"), &tickets, &one)
        .await
        .expect("the report and its ticket are filed");
    let items = db.load_cadence().await.unwrap().items;
    assert_eq!(items.len(), items_before + 1);
    let opened = items.iter().max_by_key(|i| i.id.0).unwrap();
    assert_eq!(opened.title, tickets[0].title);
    let trail = db.audit_records(0, i64::MAX).await.unwrap();
    let objects: Vec<&str> = trail
        .iter()
        .rev()
        .take(2)
        .map(|r| r.object.as_str())
        .collect();
    assert!(
        objects.contains(&format!("report:{id}").as_str())
            && objects.contains(&format!("item:{} report:{id}", opened.id).as_str()),
        "{objects:?}"
    );
}

async fn a_correction_that_no_longer_names_a_milestone_withdraws_its_actual_date(db: Db) {
    use jianguan_domain::filing::reached_in_reports;
    use jianguan_domain::model::{Money, ReportId};
    use jianguan_domain::rates;
    create(&db, &CITY).await.expect("the demo city is written");
    // The demo city holds the rule from the start: every milestone a current report version
    // names has that version's date.
    let mut by_project: std::collections::HashMap<_, Vec<&ProgressReport>> =
        std::collections::HashMap::new();
    for r in &CITY.reports {
        by_project.entry(r.project).or_default().push(r);
    }
    for p in &CITY.projects {
        let said = reached_in_reports(by_project.get(&p.id).into_iter().flatten().copied());
        for m in &p.milestones {
            if let Some((_, on)) = said.get(&m.id) {
                assert_eq!(m.actual, Some(*on), "{} {}", p.code, m.name);
            }
        }
    }
    let year = 2021;
    // A project with a milestone of the year never reached, and a period ended before the
    // year's end to report it in.
    let (project, m) = CITY
        .projects
        .iter()
        .find_map(|p| {
            p.milestones
                .iter()
                .find(|m| m.actual.is_none() && m.planned.year() == year)
                .map(|m| (p, m))
        })
        .expect("some milestone of 2021 is unreached in the demo");
    let period = CITY
        .periods
        .iter()
        .filter(|x| x.year == year && x.end > m.planned)
        .nth(1)
        .unwrap_or_else(|| CITY.periods.last().unwrap());
    let current = CITY
        .reports
        .iter()
        .filter(|r| r.project == project.id && r.period == period.id)
        .max_by_key(|r| r.version);
    let version = current.map_or(0, |r| r.version);
    let base = current.cloned().unwrap_or(ProgressReport {
        id: ReportId(0),
        project: project.id,
        period: period.id,
        version: 0,
        filed_on: period.deadline,
        investment_to_date: Money::from_wan(1.0),
        milestones_reached: vec![],
        note: String::new(),
        problems: vec![],
        correction_reason: None,
    });
    let reached_on = period.end;
    let mut original = base.clone();
    original.version = version + 1;
    original.filed_on = period.deadline;
    original.milestones_reached.push((m.id, reached_on));
    original.correction_reason = (version > 0).then(|| "补报节点".to_string());
    db.file_report(&original, &[], &audit_draft("report.file"), &[], &[])
        .await
        .expect("the report is filed");
    let corrected_on = period.deadline + jiff::Span::new().days(20);
    let mut correction = base.clone();
    correction.version = version + 2;
    correction.filed_on = corrected_on;
    correction.correction_reason = Some("节点未经验收，撤回".into());

    // The "as of" dates: before the milestone's reported day, between that and the
    // correction, and after it.
    let dates = [
        reached_on - jiff::Span::new().days(1),
        reached_on,
        corrected_on - jiff::Span::new().days(1),
        corrected_on,
        jiff::civil::date(year, 12, 31),
    ];
    let node_rate = |p: &jianguan_domain::model::Project, d| rates::node_completion(p, year, d);
    let after_original = db.load_portfolio().await.unwrap();
    let p1 = after_original.project(project.id).unwrap();
    let m1 = p1.milestones.iter().find(|x| x.id == m.id).unwrap();
    assert_eq!(m1.actual, Some(reached_on));
    for d in dates {
        assert_eq!(rates::reached_by(m1, d), d >= reached_on, "as of {d}");
    }

    db.file_report(&correction, &[], &audit_draft("report.file"), &[], &[])
        .await
        .expect("the correction is filed");
    let after = db.load_portfolio().await.unwrap();
    let p2 = after.project(project.id).unwrap();
    let m2 = p2.milestones.iter().find(|x| x.id == m.id).unwrap();
    assert_eq!(m2.actual, None, "the correction withdrew it");
    // The read model agrees with what the current versions of the reports say.
    let record = db
        .load_project(project.id, RecordScope::All, ReportVersions::All)
        .await
        .unwrap()
        .unwrap();
    let said = reached_in_reports(&record.reports);
    assert!(!said.contains_key(&m.id));
    for x in &p2.milestones {
        if let Some((_, on)) = said.get(&x.id) {
            assert_eq!(x.actual, Some(*on), "{}", x.name);
        }
    }
    // At every date the project's figures are those it had before either version: the
    // milestone is neither reached nor counted, and every other milestone is as it was.
    for d in dates {
        assert!(!rates::reached_by(m2, d), "as of {d}");
        assert_eq!(node_rate(p2, d), node_rate(project, d), "as of {d}");
        assert_eq!(
            rates::status_as_of(p2, d),
            rates::status_as_of(project, d),
            "as of {d}"
        );
    }
    assert_eq!(p2.milestones, project.milestones);
    // Both versions stay on record.
    assert!(record.reports.iter().any(|r| r.version == version + 1
        && r.milestones_reached.contains(&(m.id, reached_on))));
}

async fn settings_are_versioned_and_the_latest_is_read(db: Db) {
    assert_eq!(db.setting("warning_rules").await.unwrap(), None);
    let v1 = db
        .save_setting(
            "warning_rules",
            "version = 1",
            "office",
            &audit_draft("settings.save"),
        )
        .await
        .unwrap();
    let v2 = db
        .save_setting(
            "warning_rules",
            "version = 2",
            "office",
            &audit_draft("settings.save"),
        )
        .await
        .unwrap();
    assert_eq!((v1.version, v2.version), (1, 2));
    let latest = db.setting("warning_rules").await.unwrap().unwrap();
    assert_eq!((latest.version, latest.body.as_str()), (2, "version = 2"));
    assert_eq!(db.setting("other").await.unwrap(), None);
}

// ---------------------------------------------------------------------------------------------
// The monthly assessment's records.
// ---------------------------------------------------------------------------------------------

use jianguan_domain::assessment as assess;

fn month(text: &str) -> assess::Month {
    assess::Month::parse(text).expect("a month")
}

fn day(text: &str) -> jianguan_domain::Date {
    text.parse().expect("a date")
}

/// Runs `sql` directly, bypassing the store (to show what the database itself refuses).
async fn execute(db: &Db, sql: &'static str) -> Result<(), sqlx::Error> {
    match db {
        Db::Sqlite(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
        Db::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
    }
}

/// The row counts and data version, to show a refused write left nothing behind.
async fn state(db: &Db) -> (Vec<(&'static str, i64)>, i64) {
    (row_counts(db).await, db.data_version().await.unwrap())
}

fn assert_invalid<T: Debug>(what: &str, result: Result<T, StoreError>) -> String {
    match result {
        Err(StoreError::Invalid(why)) => why,
        other => panic!("{what}: expected StoreError::Invalid, got {other:?}"),
    }
}

/// Asserts `result` is an error `expected` accepts; returns its text.
fn assert_refused<T: Debug>(
    what: &str,
    result: Result<T, StoreError>,
    expected: fn(&StoreError) -> bool,
) -> String {
    match result {
        Err(e) if expected(&e) => e.to_string(),
        other => panic!("{what}: expected another refusal, got {other:?}"),
    }
}

fn is_conflict(e: &StoreError) -> bool {
    matches!(e, StoreError::Conflict(_))
}

fn is_missing_reference(e: &StoreError) -> bool {
    matches!(e, StoreError::MissingReference { .. })
}

fn first_of(kind: jianguan_domain::model::UnitKind) -> jianguan_domain::model::UnitId {
    CITY.units_of(kind).next().expect("a unit of the kind").id
}

/// The demo city's `month` scored under the default scheme, without cadence records or media:
/// a draft run.
fn draft_run(
    month: assess::Month,
    kind: assess::SubjectKind,
    entered: &[assess::EnteredValue],
) -> assess::ScoreRun {
    let ledger = jianguan_domain::rates::InvestmentLedger::new(&CITY);
    let filings = jianguan_domain::filing::ReportIndex::of_reports(&CITY.reports);
    let warnings = jianguan_domain::warnings::WarningBook::default();
    let dictionary = assess::default_dictionary();
    let input = assess::AssessmentInput {
        portfolio: &CITY,
        ledger: &ledger,
        filings: &filings,
        warnings: &warnings,
        items: &[],
        entered,
        media: &[],
        dictionary: &dictionary,
        plan_changes: &[],
    };
    let measured = assess::measure_month(&input, kind, month);
    let scheme = assess::Scheme::from_toml(assess::DEFAULT_SCHEME_TOML).expect("the default");
    let scores = assess::score_measured(&measured, &scheme).expect("scores");
    assess::ScoreRun::draft(measured, scores).expect("a draft")
}

fn marketisation(
    unit: jianguan_domain::model::UnitId,
    month: assess::Month,
    value: f64,
) -> assess::EnteredValue {
    assess::EnteredValue {
        id: 0,
        indicator: "street_cleaning_marketisation".into(),
        subject: unit,
        month,
        value,
        note: "市城管局报送".into(),
    }
}

async fn save_default_scheme(db: &Db) {
    db.save_scheme(
        2021,
        1,
        assess::DEFAULT_SCHEME_TOML,
        &audit_draft("scheme.save"),
    )
    .await
    .expect("the default scheme is saved");
}

async fn scoring_schemes_are_versioned_per_year_and_a_saved_version_is_never_replaced(db: Db) {
    assert_eq!(db.scheme(2021, None).await.unwrap(), None);
    save_default_scheme(&db).await;
    let second = assess::DEFAULT_SCHEME_TOML.replace("version = 1", "version = 2");
    let v2 = db
        .save_scheme(2021, 2, &second, &audit_draft("scheme.save"))
        .await
        .expect("version 2 is saved");
    assert_eq!((v2.year, v2.version), (2021, 2));
    assert_eq!(v2.saved_by, "contract-test");
    assert_eq!(db.scheme(2021, None).await.unwrap(), Some(v2.clone()));
    let v1 = db.scheme(2021, Some(1)).await.unwrap().expect("version 1");
    assert_eq!(v1.body, assess::DEFAULT_SCHEME_TOML);
    assert_eq!(db.scheme(2021, Some(3)).await.unwrap(), None);
    assert_eq!(db.scheme(2022, None).await.unwrap(), None);
    let all = db.scheme_versions(2021).await.unwrap();
    assert_eq!(all.iter().map(|s| s.version).collect::<Vec<_>>(), [1, 2]);
    // A saved version is never replaced, and an older number is refused: nothing is written.
    let before = state(&db).await;
    for version in [2, 1] {
        let why = assert_refused(
            "an old version",
            db.save_scheme(2021, version, "x", &audit_draft("scheme.save"))
                .await,
            is_conflict,
        );
        assert!(why.contains("第 2 版"), "{why}");
    }
    assert_eq!(state(&db).await, before);
    assert_eq!(db.scheme(2021, None).await.unwrap(), Some(v2));
    // Each year has versions of its own.
    db.save_scheme(2022, 1, "year = 2022", &audit_draft("scheme.save"))
        .await
        .expect("another year starts at 1");
}

async fn entered_values_and_media_reports_round_trip_and_a_bad_batch_writes_nothing(db: Db) {
    use assess::{MediaLevel, MediaReport};
    use jianguan_domain::model::{UnitId, UnitKind};
    create(&db, &CITY).await.expect("the demo city is written");
    let district = first_of(UnitKind::District);
    let oct = month("2021-10");
    let mut values = vec![
        marketisation(district, oct, 92.9),
        assess::EnteredValue {
            indicator: "mechanised_cleaning".into(),
            value: 98.5,
            ..marketisation(district, oct, 0.0)
        },
        marketisation(district, oct, 93.125),
    ];
    let ids = db
        .enter_values(&values, &audit_draft("indicator.enter"))
        .await
        .expect("the values are entered");
    assert_eq!(ids, [1, 2, 3]);
    for (v, id) in values.iter_mut().zip(ids) {
        v.id = id;
    }
    assert_eq!(db.entered_values().await.unwrap(), values, "oldest first");

    let project = &CITY.projects[0];
    let other = &CITY.projects[1];
    let mut reports = vec![
        MediaReport {
            id: 0,
            outlet: "人民日报".into(),
            level: MediaLevel::Central,
            date: day("2021-10-12"),
            title: "老旧小区焕新颜".into(),
            projects: vec![other.id, project.id],
            unit: project.district,
        },
        MediaReport {
            id: 0,
            outlet: "示例日报".into(),
            level: MediaLevel::City,
            date: day("2021-10-13"),
            title: "背街小巷变通途".into(),
            projects: vec![],
            unit: project.lead_unit,
        },
    ];
    let ids = db
        .add_media_reports(&reports, &audit_draft("media.add"))
        .await
        .expect("the register is written");
    assert_eq!(ids, [1, 2]);
    for (r, id) in reports.iter_mut().zip(ids) {
        r.id = id;
    }
    assert_eq!(db.media_reports().await.unwrap(), reports);
    let trail = audit_trail(&db).await;
    assert!(trail.iter().any(|(_, a)| a == "indicator.enter"));
    assert!(trail.iter().any(|(_, a)| a == "media.add"));

    // A batch naming a unit or project that does not exist writes nothing at all.
    let before = state(&db).await;
    let bad_values = vec![
        marketisation(district, oct, 90.0),
        marketisation(UnitId(999_999), oct, 90.0),
    ];
    assert_refused(
        "a missing unit",
        db.enter_values(&bad_values, &audit_draft("indicator.enter"))
            .await,
        is_missing_reference,
    );
    let mut bad_report = reports[0].clone();
    bad_report.id = 0;
    bad_report.projects = vec![project.id, jianguan_domain::model::ProjectId(999_999)];
    assert_refused(
        "a missing project",
        db.add_media_reports(&[bad_report], &audit_draft("media.add"))
            .await,
        is_missing_reference,
    );
    assert_eq!(state(&db).await, before);
    // Entered values are append-only in the database itself: a correction is a new entry.
    for sql in [
        "UPDATE indicator_values SET value = 0 WHERE id = 1",
        "DELETE FROM indicator_values WHERE id = 1",
    ] {
        let err = execute(&db, sql).await.expect_err("the database refuses");
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(db.entered_values().await.unwrap(), values);
}

async fn a_published_run_is_frozen_and_a_correction_is_a_new_version_with_a_reason(db: Db) {
    use assess::SubjectKind::{District, LeadUnit};
    create(&db, &CITY).await.expect("the demo city is written");
    let oct = month("2021-10");
    // A run names the scheme version it used, which must be stored.
    let draft = draft_run(oct, District, &[]);
    let before = state(&db).await;
    assert_refused(
        "an unsaved scheme",
        db.save_draft_run(&draft, &audit_draft("score.draft")).await,
        is_missing_reference,
    );
    assert_eq!(state(&db).await, before);
    save_default_scheme(&db).await;

    assert_eq!(db.latest_run(oct, District).await.unwrap(), None);
    db.save_draft_run(&draft, &audit_draft("score.draft"))
        .await
        .expect("a draft is stored");
    assert_eq!(
        db.latest_run(oct, District).await.unwrap(),
        Some(draft.clone())
    );
    // A draft is replaced by the next draft.
    let district = first_of(jianguan_domain::model::UnitKind::District);
    let entered = [marketisation(district, oct, 80.0)];
    let redraft = draft.rescore(
        draft_run(oct, District, &entered).measurements,
        draft_run(oct, District, &entered).scores,
        None,
        day("2021-11-02"),
    );
    let redraft = redraft.expect("a draft is rescored freely");
    assert_ne!(redraft, draft);
    db.save_draft_run(&redraft, &audit_draft("score.draft"))
        .await
        .expect("the draft is replaced");
    assert_eq!(
        db.run_versions(oct, District).await.unwrap(),
        std::slice::from_ref(&redraft)
    );

    let published = db
        .publish_run(
            oct,
            District,
            day("2021-11-05"),
            &audit_draft("score.publish"),
        )
        .await
        .expect("the draft is published");
    assert_eq!(published, redraft.publish(day("2021-11-05")).unwrap());
    assert_eq!(
        db.latest_run(oct, District).await.unwrap(),
        Some(published.clone())
    );

    // Published, the month is frozen: no draft over it, no second publication, no correction
    // without a reason or out of sequence, and the database refuses a direct change.
    let before = state(&db).await;
    let why = assert_refused(
        "a draft over a published month",
        db.save_draft_run(&redraft, &audit_draft("score.draft"))
            .await,
        is_conflict,
    );
    assert!(why.contains("已发布"), "{why}");
    assert_invalid(
        "publishing twice",
        db.publish_run(
            oct,
            District,
            day("2021-11-06"),
            &audit_draft("score.publish"),
        )
        .await,
    );
    let correction = published
        .rescore(
            redraft.measurements.clone(),
            redraft.scores.clone(),
            Some("县区报送的市场化率有误，已更正"),
            day("2021-11-20"),
        )
        .expect("a correction with a reason");
    assert_eq!(correction.version, 2);
    let mut no_reason = correction.clone();
    no_reason.correction_reason = None;
    assert_invalid(
        "a correction without a reason",
        db.save_correction(&no_reason, &audit_draft("score.correct"))
            .await,
    );
    let mut skipped = correction.clone();
    skipped.version = 3;
    assert_refused(
        "a correction skipping a version",
        db.save_correction(&skipped, &audit_draft("score.correct"))
            .await,
        is_conflict,
    );
    let mut other_scheme = correction.clone();
    other_scheme.scheme_version = 2;
    assert_invalid(
        "a correction under another scheme version",
        db.save_correction(&other_scheme, &audit_draft("score.correct"))
            .await,
    );
    for sql in [
        "UPDATE score_runs SET body = '{}'",
        "DELETE FROM score_runs",
    ] {
        let err = execute(&db, sql).await.expect_err("the database refuses");
        assert!(err.to_string().contains("frozen"), "{sql}: {err}");
    }
    assert_eq!(state(&db).await, before);
    assert_eq!(
        db.latest_run(oct, District).await.unwrap(),
        Some(published.clone())
    );

    // A correction is a new published version; the one it corrects is kept.
    db.save_correction(&correction, &audit_draft("score.correct"))
        .await
        .expect("the correction is stored");
    assert_eq!(
        db.run_versions(oct, District).await.unwrap(),
        [published.clone(), correction.clone()]
    );
    assert_eq!(
        db.latest_run(oct, District).await.unwrap(),
        Some(correction.clone())
    );
    // A writer racing to store the same correction is refused.
    assert_refused(
        "the same correction twice",
        db.save_correction(&correction, &audit_draft("score.correct"))
            .await,
        is_conflict,
    );
    // Months and kinds are separate runs; the year's latest runs come by month.
    let sep = draft_run(month("2021-09"), District, &[]);
    db.save_draft_run(&sep, &audit_draft("score.draft"))
        .await
        .unwrap();
    assert_eq!(
        db.latest_runs(2021, District).await.unwrap(),
        [sep, correction]
    );
    assert_eq!(db.latest_runs(2021, LeadUnit).await.unwrap(), []);
    assert_eq!(db.latest_runs(2022, District).await.unwrap(), []);
    let trail = audit_trail(&db).await;
    for action in ["score.draft", "score.publish", "score.correct"] {
        assert!(trail.iter().any(|(_, a)| a == action), "{action}");
    }
}

async fn an_objection_is_filed_once_per_open_line_and_decided_once(db: Db) {
    use assess::{Decision, DisputedLine, Objection, ObjectionStatus, SubjectKind::District};
    use jianguan_domain::model::UnitKind;
    create(&db, &CITY).await.expect("the demo city is written");
    save_default_scheme(&db).await;
    let oct = month("2021-10");
    let run = draft_run(oct, District, &[]);
    db.save_draft_run(&run, &audit_draft("score.draft"))
        .await
        .unwrap();
    let subject = run.scores.subjects[0].subject.id;
    let objection = Objection {
        id: 0,
        subject,
        kind: District,
        month: oct,
        run_version: 1,
        line: DisputedLine::Deduction("warning".into()),
        reason: "该节点已按期完成，警示系误发".into(),
        evidence: "竣工验收记录（附件 sha256:ab…）".into(),
        filed_on: day("2021-11-06"),
        filed_by: "district".into(),
        decision: None,
    };
    // A draft cannot be objected to; nothing is written.
    let before = state(&db).await;
    let why = assert_invalid(
        "an objection to a draft",
        db.file_objection(&objection, &audit_draft("objection.file"))
            .await,
    );
    assert!(why.contains("尚未发布"), "{why}");
    assert_eq!(state(&db).await, before);

    db.publish_run(
        oct,
        District,
        day("2021-11-05"),
        &audit_draft("score.publish"),
    )
    .await
    .unwrap();
    let id = db
        .file_objection(&objection, &audit_draft("objection.file"))
        .await
        .expect("the objection is filed");
    assert_eq!(id, 1);
    let filed = Objection {
        id,
        ..objection.clone()
    };
    assert_eq!(
        db.objections(oct).await.unwrap(),
        std::slice::from_ref(&filed)
    );
    let head = db.audit_head().await.unwrap().unwrap();
    assert_eq!(head.object, "objection:1");

    // While it is open the same line cannot be disputed again; after the window nothing can.
    let before = state(&db).await;
    let why = assert_invalid(
        "a second open objection to the line",
        db.file_objection(&objection, &audit_draft("objection.file"))
            .await,
    );
    assert!(why.contains("待处理"), "{why}");
    let late = Objection {
        line: DisputedLine::Bonus("media_central".into()),
        filed_on: day("2021-11-11"),
        ..objection.clone()
    };
    assert_invalid(
        "an objection after the window",
        db.file_objection(&late, &audit_draft("objection.file"))
            .await,
    );
    assert_eq!(state(&db).await, before);
    let second = Objection {
        line: DisputedLine::Indicator("node_completion".into()),
        ..objection.clone()
    };
    let second_id = db
        .file_objection(&second, &audit_draft("objection.file"))
        .await
        .expect("another line may be disputed");
    assert_eq!(second_id, 2);

    // The unit does not decide its own objection; the office does, once.
    let office = first_of(UnitKind::CommandHq);
    let rejection = Decision {
        accepted: false,
        on: day("2021-11-08"),
        by: office,
        reason: "经核实，节点于计划日后完成，警示无误".into(),
    };
    let before = state(&db).await;
    assert_invalid(
        "a unit deciding its own objection",
        db.decide_objection(
            id,
            &Decision {
                by: subject,
                ..rejection.clone()
            },
            &audit_draft("objection.decide"),
            None,
        )
        .await,
    );
    assert_refused(
        "a decision on no objection",
        db.decide_objection(99, &rejection, &audit_draft("objection.decide"), None)
            .await,
        |e| matches!(e, StoreError::NotFound(_)),
    );
    assert_eq!(state(&db).await, before);
    let decided = db
        .decide_objection(id, &rejection, &audit_draft("objection.decide"), None)
        .await
        .expect("the office decides");
    assert_eq!(decided.status(), ObjectionStatus::Rejected);
    let before = state(&db).await;
    assert_invalid(
        "deciding twice",
        db.decide_objection(
            id,
            &Decision {
                accepted: true,
                ..rejection.clone()
            },
            &audit_draft("objection.decide"),
            None,
        )
        .await,
    );
    assert_eq!(state(&db).await, before);
    // Accepting corrects the published month in the decision's transaction; a correction
    // that is not this objection's refuses both.
    let acceptance = Decision {
        accepted: true,
        reason: "数据口径有误".into(),
        ..rejection.clone()
    };
    let published = db.latest_run(oct, District).await.unwrap().unwrap();
    let correction = |reason: &str| {
        published
            .rescore(
                published.measurements.clone(),
                published.scores.clone(),
                Some(reason),
                day("2021-11-08"),
            )
            .unwrap()
    };
    let before = state(&db).await;
    assert_invalid(
        "a correction naming another reason",
        db.decide_objection(
            second_id,
            &acceptance,
            &audit_draft("objection.decide"),
            Some((&correction("另一理由"), &audit_draft("score.correct"))),
        )
        .await,
    );
    assert_eq!(
        state(&db).await,
        before,
        "neither the decision nor the correction"
    );
    let reason = Objection {
        id: second_id,
        decision: Some(acceptance.clone()),
        ..second.clone()
    }
    .correction_reason()
    .unwrap();
    let accepted = db
        .decide_objection(
            second_id,
            &acceptance,
            &audit_draft("objection.decide"),
            Some((&correction(&reason), &audit_draft("score.correct"))),
        )
        .await
        .unwrap();
    assert!(accepted.correction_reason().unwrap().contains("#2"));
    let latest = db.latest_run(oct, District).await.unwrap().unwrap();
    assert_eq!(latest.version, published.version + 1);
    assert_eq!(latest.correction_reason.as_deref(), Some(reason.as_str()));
    assert_eq!(db.objections(oct).await.unwrap(), [decided, accepted]);
    assert_eq!(db.objections(month("2021-09")).await.unwrap(), []);
    // A rejected objection's line may be disputed again (in the corrected version).
    let again = Objection {
        run_version: latest.version,
        filed_on: day("2021-11-09"),
        ..objection.clone()
    };
    db.file_objection(&again, &audit_draft("objection.file"))
        .await
        .expect("a new objection once the first is decided");
    // Objections and decisions are append-only in the database itself.
    for sql in [
        "UPDATE objections SET reason = 'x'",
        "DELETE FROM objection_decisions",
    ] {
        let err = execute(&db, sql).await.expect_err("the database refuses");
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
}

// ---------------------------------------------------------------------------------------------
// Faults: a failed write leaves every connection usable.
// ---------------------------------------------------------------------------------------------

/// Sets SQLite's page limit on every connection of the pool at once (the limit is a
/// connection's setting): at the file's current size the next page it needs fails with
/// "database or disk is full", as a full disk does.
async fn set_page_limit(pool: &SqlitePool, limit: Option<i64>) {
    let mut held = Vec::new();
    for _ in 0..pool.options().get_max_connections() {
        let mut conn = pool.acquire().await.unwrap();
        let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        let limit = limit.unwrap_or(pages);
        let _: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "PRAGMA max_page_count = {limit}"
        )))
        .fetch_optional(&mut *conn)
        .await
        .unwrap();
        held.push(conn);
    }
}

#[tokio::test]
async fn after_a_full_disk_is_freed_writes_succeed_without_a_restart() {
    use jianguan_domain::store::CadenceWrite;
    let (_dir, db) = fresh_sqlite().await;
    create(&db, &CITY).await.expect("the demo city is written");
    let project = &CITY.projects[0];
    let big = |n: usize| CadenceWrite {
        new_items: (0..n)
            .map(|i| jianguan_domain::followup::TrackedItem {
                detail: format!("{i}：{}", "管线迁改需供电公司配合。".repeat(200)),
                ..ticket(project)
            })
            .collect(),
        ..CadenceWrite::default()
    };
    let before = db.data_version().await.unwrap();
    set_page_limit(sqlite_pool(&db), None).await;
    // Every connection in turn meets the full disk (the pool hands them out in any order).
    for attempt in 0..8 {
        let err = db
            .record_cadence(&big(50), &[audit_draft("item.create")])
            .await
            .expect_err("a write that needs pages fails while the disk is full");
        assert!(
            err.to_string().contains("full") || matches!(err, StoreError::Backend(_)),
            "attempt {attempt}: {err}"
        );
    }
    assert_eq!(
        db.data_version().await.unwrap(),
        before,
        "nothing was written"
    );
    set_page_limit(sqlite_pool(&db), Some(1_073_741_823)).await;
    for attempt in 0..8 {
        db.record_cadence(&big(1), &[audit_draft("item.create")])
            .await
            .unwrap_or_else(|e| panic!("write {attempt} after space is freed: {e}"));
    }
    assert_eq!(db.data_version().await.unwrap(), before + 8);
}

/// SQLite rolls a transaction back by itself when a commit meets a full disk or an I/O error;
/// the driver still counts it open, its own rollback then fails, and a connection in that
/// state went back to the pool refusing every later `BEGIN` ("begin_with at non-zero
/// transaction depth") until a restart. Here the rollback SQLite does is done by hand.
#[tokio::test]
async fn a_connection_whose_transaction_sqlite_rolled_back_is_not_used_again() {
    use jianguan_domain::store::CadenceWrite;
    let (_dir, db) = fresh_sqlite().await;
    create(&db, &CITY).await.expect("the demo city is written");
    let pool = sqlite_pool(&db);
    let max = pool.options().get_max_connections();
    // Break every connection of the pool, holding them so each is a different one.
    let mut held = Vec::new();
    for _ in 0..max {
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.unwrap();
        sqlx::query("ROLLBACK").execute(&mut *tx).await.unwrap();
        held.push(tx);
    }
    drop(held);
    let write = CadenceWrite {
        new_items: vec![ticket(&CITY.projects[0])],
        ..CadenceWrite::default()
    };
    let before = db.data_version().await.unwrap();
    for attempt in 0..(2 * max) {
        db.record_cadence(&write, &[audit_draft("item.create")])
            .await
            .unwrap_or_else(|e| panic!("write {attempt} after the failed transactions: {e}"));
    }
    assert_eq!(
        db.data_version().await.unwrap(),
        before + i64::from(2 * max)
    );
}

fn session(token: &str, account_id: i64, at: i64) -> jianguan_domain::store::SessionRecord {
    jianguan_domain::store::SessionRecord {
        token_hash: token.into(),
        account_id,
        created_at_ms: at,
        last_seen_ms: at,
    }
}

/// A new account's password counts from its creation; a set password is stored with its date
/// and the must-change flag, and ends every session but the one kept.
async fn a_password_set_is_stored_with_its_date_and_ends_the_other_sessions(db: Db) {
    let id = db
        .create_account(&account("carol", None), &audit_draft("account.create"))
        .await
        .unwrap();
    let made = db.account(id).await.unwrap().unwrap();
    assert_eq!(made.password_changed_at_ms, Some(made.created_at_ms));
    assert!(!made.must_change_password);
    let t0 = made.created_at_ms;
    for (i, token) in ["a", "b", "c"].iter().enumerate() {
        db.record_login_success(
            &made,
            &session(token, id, t0 + i as i64),
            10,
            "10.0.0.1",
            &audit_draft("login.success"),
        )
        .await
        .unwrap();
    }
    db.set_password(
        id,
        "$argon2id$new",
        t0 + 5_000,
        true,
        Some("b"),
        &audit_draft("password.reset"),
    )
    .await
    .unwrap();
    let after = db.account(id).await.unwrap().unwrap();
    assert_eq!(after.password_hash, "$argon2id$new");
    assert_eq!(after.password_changed_at_ms, Some(t0 + 5_000));
    assert!(after.must_change_password);
    assert!(db.session("a").await.unwrap().is_none());
    assert!(db.session("b").await.unwrap().is_some());
    assert!(db.session("c").await.unwrap().is_none());
    db.set_password(
        id,
        "$argon2id$x",
        t0 + 6_000,
        false,
        None,
        &audit_draft("password.reset"),
    )
    .await
    .unwrap();
    assert!(db.session("b").await.unwrap().is_none());
    assert!(!db.account(id).await.unwrap().unwrap().must_change_password);
    assert!(matches!(
        db.set_password(404, "h", 0, false, None, &audit_draft("password.reset"))
            .await,
        Err(StoreError::NotFound(_))
    ));
}

/// Failures are counted per (name, source), stale rows are pruned, and a success from the
/// source clears its row only.
async fn the_login_throttle_is_kept_per_name_and_source_and_cleared_by_a_success(db: Db) {
    use jianguan_domain::store::LoginThrottleRecord;
    let id = db
        .create_account(&account("dave", None), &audit_draft("account.create"))
        .await
        .unwrap();
    let dave = db.account(id).await.unwrap().unwrap();
    let t0 = dave.created_at_ms;
    let state = |n: i64, at: i64| LoginThrottleRecord {
        failures: n,
        last_failure_ms: at,
        locked_until_ms: (n >= 10).then_some(at + 1),
    };
    let audit = audit_draft("login.failed");
    db.record_login_failure("nobody", "10.0.0.9", state(1, t0), 0, &audit)
        .await
        .unwrap();
    db.record_login_failure("dave", "10.0.0.1", state(1, t0 + 10), 0, &audit)
        .await
        .unwrap();
    db.record_login_failure("dave", "10.0.0.1", state(10, t0 + 20), 0, &audit)
        .await
        .unwrap();
    db.record_login_failure("dave", "10.0.0.2", state(2, t0 + 30), t0 + 5, &audit)
        .await
        .unwrap();
    assert_eq!(
        db.login_throttle("dave", "10.0.0.1").await.unwrap(),
        Some(state(10, t0 + 20))
    );
    assert_eq!(
        db.login_throttle("dave", "10.0.0.2").await.unwrap(),
        Some(state(2, t0 + 30))
    );
    assert_eq!(db.login_throttle("dave", "10.0.0.3").await.unwrap(), None);
    assert_eq!(
        db.login_throttle("nobody", "10.0.0.9").await.unwrap(),
        None,
        "pruned"
    );
    db.record_login_success(
        &dave,
        &session("s", id, t0 + 40),
        3,
        "10.0.0.2",
        &audit_draft("login.success"),
    )
    .await
    .unwrap();
    assert_eq!(db.login_throttle("dave", "10.0.0.2").await.unwrap(), None);
    assert!(
        db.login_throttle("dave", "10.0.0.1")
            .await
            .unwrap()
            .is_some()
    );
}

/// With a limit of two, a third login ends the oldest session and keeps the new one.
async fn a_login_beyond_the_session_limit_ends_the_oldest_sessions(db: Db) {
    let id = db
        .create_account(&account("erin", None), &audit_draft("account.create"))
        .await
        .unwrap();
    let erin = db.account(id).await.unwrap().unwrap();
    let t0 = erin.created_at_ms;
    let mut ended = Vec::new();
    for (i, token) in ["old", "mid", "new"].iter().enumerate() {
        ended.push(
            db.record_login_success(
                &erin,
                &session(token, id, t0 + i as i64 * 1000),
                2,
                "10.0.0.1",
                &audit_draft("login.success"),
            )
            .await
            .unwrap(),
        );
    }
    assert_eq!(ended, vec![0, 0, 1]);
    assert!(db.session("old").await.unwrap().is_none());
    assert!(db.session("mid").await.unwrap().is_some());
    assert!(db.session("new").await.unwrap().is_some());
}
