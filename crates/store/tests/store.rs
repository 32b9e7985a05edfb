//! The storage contract: what every backend of the domain's `Store` port must do, run on real
//! SQLite files (and, from the PostgreSQL issue on, on PostgreSQL too), plus what only the SQLite
//! file can show: refusing a foreign or newer file untouched, durable settings, and URL handling.
//!
//! A contract test is an `async fn` taking a fresh [`Db`]; the [`backend_tests!`] macro expands
//! one `#[tokio::test]` wrapper per contract test for a backend. A PostgreSQL backend adds a
//! `fresh_postgres` helper beside [`fresh_sqlite`], one more `backend_tests!` line, and an arm
//! in the few helpers that run SQL directly ([`row_counts`], [`applied_migrations`]).

use std::collections::{BTreeMap, HashSet};
use std::fmt::Debug;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};

use jianguan_domain::model::{MilestoneId, Portfolio, ProgressReport, ProjectId};
use jianguan_domain::store::{Actor, Store, StoreError};
use jianguan_store::{Db, DbUrl, SQLITE_MIGRATIONS};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{ConnectOptions, Connection, SqlitePool};
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

/// Expands one `#[tokio::test]` per contract test into `mod $backend`: `$fresh()` returns a
/// guard that keeps the database alive and a fresh [`Db`]; `$url(&guard)` is the URL that
/// reopens the same database.
macro_rules! backend_tests {
    ($backend:ident, fresh = $fresh:path, url = $url:path) => {
        mod $backend {
            backend_tests!(@db $fresh;
                create_then_load_returns_the_portfolio_exactly,
                create_reports_progress_up_to_the_total,
                create_is_attributed_to_the_actor_in_the_change_log,
                load_project_returns_the_project_with_every_report_version_and_its_periods,
                load_project_of_a_missing_id_returns_none,
                is_empty_until_a_portfolio_is_created,
                create_into_a_non_empty_database_fails_with_not_empty_and_changes_nothing,
                a_report_reaching_a_missing_milestone_is_invalid_and_nothing_is_written,
                a_duplicate_project_code_is_invalid_and_nothing_is_written,
                a_unit_under_a_missing_parent_is_invalid_and_nothing_is_written,
                data_version_changes_on_a_write_and_not_on_reads,
            );
            backend_tests!(@reopen $fresh, $url;
                reopening_keeps_the_data_and_does_not_migrate_again,
            );
        }
    };
    (@db $fresh:path; $($test:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $test() {
            let (_guard, db) = $fresh().await;
            super::$test(db).await;
        }
    )*};
    (@reopen $fresh:path, $url:path; $($test:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $test() {
            let (guard, db) = $fresh().await;
            let url = $url(&guard);
            super::$test(db, url).await;
        }
    )*};
}

backend_tests!(sqlite, fresh = super::fresh_sqlite, url = super::sqlite_url);

// ---------------------------------------------------------------------------------------------
// Helpers shared by the contract tests.
// ---------------------------------------------------------------------------------------------

/// The demo city, generated once per test binary.
static CITY: LazyLock<Portfolio> = LazyLock::new(jianguan_demo::demo_city);

/// Every table that holds campaign data or its history.
const TABLES: [&str; 11] = [
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
    "change_log",
];

fn tester() -> Actor {
    Actor {
        name: "contract-test".into(),
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
        }
        .unwrap_or_else(|e| panic!("counting {table}: {e}"));
        counts.push((table, n));
    }
    counts
}

/// The actors and actions of the change log, oldest first.
async fn change_log(db: &Db) -> Vec<(String, String)> {
    let sql = "SELECT actor, action FROM change_log ORDER BY id";
    match db {
        Db::Sqlite(pool) => sqlx::query_as(sql).fetch_all(pool).await,
    }
    .expect("the change log reads")
}

/// The rows of the migration table: version, description, when installed and checksum.
async fn applied_migrations(db: &Db) -> Vec<(i64, String, String, Vec<u8>)> {
    let sql = "SELECT version, description, CAST(installed_on AS TEXT), checksum \
               FROM _sqlx_migrations ORDER BY version";
    match db {
        Db::Sqlite(pool) => sqlx::query_as(sql).fetch_all(pool).await,
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

/// Asserts `result` is [`StoreError::Invalid`] and the database is as new.
async fn assert_invalid_and_nothing_written(db: &Db, result: Result<(), StoreError>, before: i64) {
    match result {
        Err(StoreError::Invalid(why)) => assert!(!why.is_empty()),
        other => panic!("expected StoreError::Invalid, got {other:?}"),
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

async fn create_is_attributed_to_the_actor_in_the_change_log(db: Db) {
    create(&db, &CITY).await.expect("the demo city is written");
    assert_eq!(
        change_log(&db).await,
        vec![("contract-test".to_string(), "create_portfolio".to_string())]
    );
}

async fn load_project_returns_the_project_with_every_report_version_and_its_periods(db: Db) {
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
    for id in sample {
        let record = db
            .load_project(id)
            .await
            .expect("the project loads")
            .unwrap_or_else(|| panic!("project {id} exists"));
        let project = CITY.projects.iter().find(|p| p.id == id).unwrap();
        assert_eq!(&record.project, project, "project {id}");
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
    }
}

async fn load_project_of_a_missing_id_returns_none(db: Db) {
    assert_eq!(
        db.load_project(ProjectId(1)).await.unwrap(),
        None,
        "empty database"
    );
    create(&db, &CITY).await.expect("the demo city is written");
    let beyond = CITY.projects.iter().map(|p| p.id.0).max().unwrap() + 1;
    for id in [beyond, 0, -1] {
        assert_eq!(
            db.load_project(ProjectId(id)).await.unwrap(),
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
    assert_invalid_and_nothing_written(&db, result, before).await;
}

async fn a_duplicate_project_code_is_invalid_and_nothing_is_written(db: Db) {
    let before = db.data_version().await.unwrap();
    let mut bad = CITY.clone();
    let last = bad.projects.len() - 1;
    bad.projects[last].code = bad.projects[0].code.clone();
    let result = create(&db, &bad).await;
    assert_invalid_and_nothing_written(&db, result, before).await;
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
    assert_invalid_and_nothing_written(&db, result, before).await;
}

async fn data_version_changes_on_a_write_and_not_on_reads(db: Db) {
    let reads = |db: &Db| {
        let db = db.clone();
        async move {
            db.is_empty().await.unwrap();
            db.load_portfolio().await.unwrap();
            db.load_project(CITY.projects[0].id).await.unwrap();
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
