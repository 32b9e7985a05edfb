//! The process killed at each numbered crash point (`jianguan_store::crash::POINTS`) and
//! restarted: the database passes SQLite's integrity check, every write acknowledged before the
//! crash is there, the write in flight is wholly there or wholly absent (its records and its
//! audit record together), the audit chain verifies and the figures are served again.
//!
//! The writes are driven from outside: the binary's commands (ledger import, scoring,
//! publishing, a new account, a settings change) and, for the two writes that have no command
//! (filing a report, setting a password), this test binary re-run as a child process calling the
//! store. Both are built with the feature `crash-points` (the dev-dependency in Cargo.toml).

use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use jianguan_domain::assessment::{Month, SubjectKind};
use jianguan_domain::model::{Money, ProgressReport, ReportId};
use jianguan_domain::store::prelude::*;
use jianguan_domain::store::{RecordScope, ReportVersions};

const SIGABRT: i32 = 6;
/// The environment variable naming the child's part (see [`child`]).
const CHILD: &str = "JIANGUAN_CRASH_CHILD";
const MONTH: &str = "2021-12";
const IMPORTED: &str = "崩溃演练项目";

fn jianguan(args: &[&str], armed: Option<&str>, stdin: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_jianguan"));
    command
        .args(args)
        .env_remove("JIANGUAN_DATABASE_URL")
        .env_remove("FAILPOINTS")
        .env("RUST_LOG", "off")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(spec) = armed {
        command.env("FAILPOINTS", spec);
    }
    let mut process = command.spawn().expect("the binary runs");
    if let Some(text) = stdin {
        process
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    drop(process.stdin.take());
    process.wait_with_output().expect("the binary ends")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The demo city, made once by `jianguan demo`: its directory, the second-factor seeds the demo
/// printed, and a backup every case restores.
struct Base {
    dir: tempfile::TempDir,
    seeds: Vec<String>,
    backup: PathBuf,
}

fn base() -> &'static Base {
    static BASE: OnceLock<Base> = OnceLock::new();
    BASE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("base.db");
        let mut server = Command::new(env!("CARGO_BIN_EXE_jianguan"))
            .args([
                "demo",
                "--db",
                db.to_str().unwrap(),
                "--listen",
                "127.0.0.1:0",
            ])
            .env("RUST_LOG", "off")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the demo starts");
        let mut out = std::io::BufReader::new(server.stdout.take().unwrap());
        let mut line = String::new();
        let mut seeds = Vec::new();
        while !line.contains("已启动") {
            line.clear();
            let n = std::io::BufRead::read_line(&mut out, &mut line).unwrap();
            assert!(n > 0, "the demo ended before serving");
            if let Some((_, seed)) = line.split_once("动态口令密钥 ") {
                seeds.push(seed.trim().to_string());
            }
        }
        // SIGTERM: the server stops gracefully (its last anchor written).
        let _ = Command::new("kill").arg(server.id().to_string()).status();
        server.wait().unwrap();
        let backup = dir.path().join("base.backup");
        let made = jianguan(
            &[
                "backup",
                "--db",
                db.to_str().unwrap(),
                "--out",
                backup.to_str().unwrap(),
            ],
            None,
            None,
        );
        assert!(made.status.success(), "{}", text(&made));
        Base { dir, seeds, backup }
    })
}

fn base_backup() -> &'static Path {
    &base().backup
}

/// The demo's administrators' second-factor seeds are in the database only sealed, under a key
/// in a private file beside it that no backup carries.
#[test]
fn second_factor_seeds_are_sealed_under_a_private_key_file_kept_out_of_backups() {
    use std::os::unix::fs::PermissionsExt;
    let base = base();
    assert_eq!(
        base.seeds.len(),
        3,
        "three administrators print their seeds"
    );
    let key = base.dir.path().join("base.db.key");
    let mode = std::fs::metadata(&key)
        .expect("the key file")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
    for file in ["base.db", "base.db-wal"] {
        let Ok(bytes) = std::fs::read(base.dir.path().join(file)) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        for seed in &base.seeds {
            assert!(
                !text.contains(seed.as_str()),
                "{file} holds a seed in plain text"
            );
        }
        assert!(text.contains("aes256gcm1:"), "{file}: sealed seeds");
    }
    let backed_up: Vec<String> = std::fs::read_dir(&base.backup)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !backed_up.iter().any(|n| n.contains("key")),
        "{backed_up:?}"
    );
}

/// A fresh copy of the demo city for one case.
fn restored(dir: &Path) -> String {
    let db = dir.join("case.db");
    let out = jianguan(
        &[
            "restore",
            "--from",
            base_backup().to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ],
        None,
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    // The key travels apart from the backup; put back beside the copy as an operator would.
    std::fs::copy(
        base().dir.path().join("base.db.key"),
        dir.join("case.db.key"),
    )
    .expect("the key file is put back");
    db.to_str().unwrap().to_string()
}

/// What the database holds that a crash could leave half-written.
#[derive(Debug, Clone, PartialEq)]
struct Held {
    audit_records: usize,
    reports: Vec<ReportId>,
    imported: usize,
    district_run: Option<(u32, bool)>,
    lead_unit_run: Option<(u32, bool)>,
    account: bool,
    password_changed: bool,
    max_sessions: String,
}

async fn held(db: &str) -> Held {
    let store = jianguan_store::open_existing(db).await.expect("reopens");
    let integrity = jianguan_store::testing::sqlite_integrity(&store).await;
    assert_eq!(integrity, "ok", "SQLite's integrity check");
    let portfolio = store.load_read_model().await.expect("reads").portfolio;
    let mut reports = Vec::new();
    for project in portfolio.projects.iter().take(2) {
        let record = store
            .load_project(project.id, RecordScope::All, ReportVersions::All)
            .await
            .expect("reads")
            .expect("the project");
        reports.extend(record.reports.iter().map(|r| r.id));
    }
    reports.sort_unstable();
    let month = Month::parse(MONTH).unwrap();
    let run = |kind| {
        let store = &store;
        async move {
            store
                .latest_run(month, kind)
                .await
                .expect("reads")
                .map(|r| (r.version, r.published))
        }
    };
    let reporter = store.account_by_key("reporter").await.unwrap().unwrap();
    let held = Held {
        audit_records: store.audit_records(0, i64::MAX).await.unwrap().len(),
        reports,
        imported: portfolio
            .projects
            .iter()
            .filter(|p| p.name.starts_with(IMPORTED))
            .count(),
        district_run: run(SubjectKind::District).await,
        lead_unit_run: run(SubjectKind::LeadUnit).await,
        account: store.account_by_key("crashuser").await.unwrap().is_some(),
        password_changed: reporter.must_change_password,
        max_sessions: jianguan_app::accounts::security_settings(&store)
            .await
            .unwrap()
            .max_sessions
            .to_string(),
    };
    store.close().await;
    held
}

/// The ledger the import cases bring in: two new projects named like the demo's first.
async fn ledger_file(db: &str, dir: &Path) -> String {
    let store = jianguan_store::open_existing(db).await.unwrap();
    let p = store.load_read_model().await.unwrap().portfolio;
    store.close().await;
    let first = &p.projects[0];
    let name = |id| p.units.iter().find(|u| u.id == id).unwrap().name.clone();
    let category = p
        .categories
        .iter()
        .find(|c| c.id == first.category)
        .unwrap();
    let mut csv =
        "项目名称,项目类别,所属县区,牵头单位,责任单位,总投资（万元）,计划开工时间,计划完工时间\n"
            .to_string();
    for i in 1..=2 {
        csv.push_str(&format!(
            "{IMPORTED}{i},{},{},{},{},100,2021-03-01,2021-11-30\n",
            category.name,
            name(first.district),
            name(category.lead_unit),
            name(first.responsible_unit),
        ));
    }
    let file = dir.join("ledger.csv");
    std::fs::write(&file, csv).unwrap();
    file.to_str().unwrap().to_string()
}

/// Runs this test binary as the child process doing `part` on `db` with `armed`.
fn run_child(part: &str, db: &str, armed: &str) -> Output {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "crash::child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, format!("{part} {db}"))
        .env("FAILPOINTS", armed)
        .output()
        .expect("the child runs")
}

/// The child's part: files reports for the first two projects, or sets a password, printing
/// `ack …` after each write the store acknowledged.
#[tokio::test]
#[ignore = "the crash test's child process: run by `every_crash_point_leaves_a_sound_database`"]
async fn child() {
    let Ok(task) = std::env::var(CHILD) else {
        panic!("run by the crash test with {CHILD} set");
    };
    jianguan_store::crash::arm_from_env();
    let (part, db) = task.split_once(' ').unwrap();
    let store = jianguan_store::open_existing(db).await.unwrap();
    let draft = |action| jianguan_audit::AuditDraft::new(0, "crash-test", action, "x");
    match part {
        "filing" => {
            let portfolio = store.load_read_model().await.unwrap().portfolio;
            for project in portfolio.projects.iter().take(2) {
                let record = store
                    .load_project(project.id, RecordScope::All, ReportVersions::All)
                    .await
                    .unwrap()
                    .unwrap();
                let period = record.periods.last().unwrap();
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
                    filed_on: period.deadline,
                    investment_to_date: Money::from_wan(1.0),
                    milestones_reached: vec![],
                    note: "崩溃演练".into(),
                    problems: vec![],
                    correction_reason: (version > 1).then(|| "崩溃演练更正".to_string()),
                };
                let id = store
                    .file_report(
                        &report,
                        &[],
                        &draft(jianguan_audit::AuditAction::ReportFile),
                        &[],
                        &[],
                    )
                    .await
                    .unwrap();
                println!("ack {}", id.0);
            }
        }
        "password" => {
            let reporter = store.account_by_key("reporter").await.unwrap().unwrap();
            store
                .set_password(
                    reporter.id,
                    &reporter.password_hash,
                    1,
                    true,
                    None,
                    &draft(jianguan_audit::AuditAction::PasswordReset),
                )
                .await
                .unwrap();
            println!("ack password");
        }
        other => panic!("unknown part {other}"),
    }
    std::io::stdout().flush().unwrap();
}

/// How one crash point is reached, and what must hold after the restart given what was there
/// before (`before`) and the writes acknowledged (`acks`).
struct Case {
    point: &'static str,
    /// The `fail` crate's actions: `return` crashes at the first pass, `1*off->return` at the
    /// second (the first write is acknowledged).
    arm: &'static str,
    drive: fn(&str, &Path, &str) -> Output,
    expect: fn(&Held, &Held, &[String]) -> Result<(), String>,
}

fn acks(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("ack ").map(str::to_string))
        .collect()
}

fn filing(db: &str, _: &Path, armed: &str) -> Output {
    run_child("filing", db, armed)
}

fn password(db: &str, _: &Path, armed: &str) -> Output {
    run_child("password", db, armed)
}

fn import(db: &str, dir: &Path, armed: &str) -> Output {
    let file = dir.join("ledger.csv");
    let file = file.to_str().unwrap();
    jianguan(
        &["import", "ledger", "--db", db, file, "--year", "2021"],
        Some(armed),
        None,
    )
}

fn score(db: &str, _: &Path, armed: &str) -> Output {
    jianguan(&["score", "--db", db, "--month", MONTH], Some(armed), None)
}

fn publish(db: &str, _: &Path, armed: &str) -> Output {
    let drafted = jianguan(&["score", "--db", db, "--month", MONTH], None, None);
    assert!(drafted.status.success(), "{}", text(&drafted));
    jianguan(
        &[
            "score", "publish", "--db", db, "--month", MONTH, "--kind", "district",
        ],
        Some(armed),
        None,
    )
}

fn account(db: &str, _: &Path, armed: &str) -> Output {
    jianguan(
        &[
            "user",
            "add",
            "--db",
            db,
            "--username",
            "crashuser",
            "--name",
            "演练",
            "--role",
            "unit_reporter",
            "--unit",
            "映湖区住建局",
        ],
        Some(armed),
        Some("Crash#Drill2021x\n"),
    )
}

fn settings(db: &str, _: &Path, armed: &str) -> Output {
    jianguan(
        &["security", "set", "--db", db, "--max-sessions", "2"],
        Some(armed),
        None,
    )
}

fn check(ok: bool, what: &str) -> Result<(), String> {
    if ok { Ok(()) } else { Err(what.to_string()) }
}

/// Only `n` more audit records, and nothing else changed but what `same` leaves out.
fn only(before: &Held, after: &Held, n: usize) -> Result<(), String> {
    check(
        after.audit_records == before.audit_records + n,
        &format!(
            "audit records {} → {}, expected +{n}",
            before.audit_records, after.audit_records
        ),
    )
}

fn cases() -> Vec<Case> {
    fn reports(before: &Held, after: &Held, acks: &[String], n: usize) -> Result<(), String> {
        only(before, after, n)?;
        for ack in acks {
            let id = ReportId(ack.parse().unwrap());
            check(
                after.reports.contains(&id),
                &format!("acknowledged report {ack} lost"),
            )?;
        }
        check(
            after.reports.len() == before.reports.len() + n,
            &format!("reports {} → {}", before.reports.len(), after.reports.len()),
        )
    }
    fn imported(before: &Held, after: &Held, n: usize) -> Result<(), String> {
        check(
            after.imported == n,
            &format!("{} of 2 imported projects", after.imported),
        )?;
        check(
            n == 0 || after.audit_records > before.audit_records,
            "the import's audit records",
        )?;
        check(
            n > 0 || after.audit_records == before.audit_records,
            "audit without import",
        )
    }
    vec![
        Case {
            point: "crash.01.filing.after_report_insert",
            arm: "1*off->return",
            drive: filing,
            expect: |b, a, acks| reports(b, a, acks, 1),
        },
        Case {
            point: "crash.02.filing.before_commit",
            arm: "1*off->return",
            drive: filing,
            expect: |b, a, acks| reports(b, a, acks, 1),
        },
        Case {
            point: "crash.03.filing.after_commit",
            arm: "1*off->return",
            drive: filing,
            // Committed, not acknowledged: the second report is there too.
            expect: |b, a, acks| reports(b, a, acks, 2),
        },
        Case {
            point: "crash.04.import.midway",
            arm: "return",
            drive: import,
            expect: |b, a, _| imported(b, a, 0),
        },
        Case {
            point: "crash.05.import.before_commit",
            arm: "return",
            drive: import,
            expect: |b, a, _| imported(b, a, 0),
        },
        Case {
            point: "crash.06.import.after_commit",
            arm: "return",
            drive: import,
            expect: |b, a, _| imported(b, a, 2),
        },
        Case {
            point: "crash.07.scoring.before_commit",
            arm: "1*off->return",
            drive: score,
            // The district draft saved, the lead units' lost whole.
            expect: |b, a, _| {
                only(b, a, 1)?;
                check(a.district_run.is_some(), "the district draft")?;
                check(
                    a.lead_unit_run == b.lead_unit_run,
                    "a half-saved lead-unit draft",
                )
            },
        },
        Case {
            point: "crash.08.publish.before_commit",
            arm: "return",
            drive: publish,
            expect: |b, a, _| {
                only(b, a, 2)?;
                check(
                    a.district_run.is_some_and(|(_, p)| !p),
                    "published without commit",
                )
            },
        },
        Case {
            point: "crash.09.publish.after_commit",
            arm: "return",
            drive: publish,
            expect: |b, a, _| {
                only(b, a, 3)?;
                check(
                    a.district_run.is_some_and(|(_, p)| p),
                    "the committed publication",
                )
            },
        },
        Case {
            point: "crash.10.account.before_commit",
            arm: "return",
            drive: account,
            expect: |b, a, _| {
                only(b, a, 0)?;
                check(!a.account, "an account without its commit")
            },
        },
        Case {
            point: "crash.11.password.before_commit",
            arm: "return",
            drive: password,
            expect: |b, a, _| {
                only(b, a, 0)?;
                check(!a.password_changed, "a password change without its commit")
            },
        },
        Case {
            point: "crash.12.audit.after_append",
            arm: "return",
            drive: settings,
            expect: |b, a, _| {
                only(b, a, 0)?;
                check(
                    a.max_sessions == b.max_sessions,
                    "settings changed without audit",
                )
            },
        },
    ]
}

/// A point added to the store without a case here fails this test, as does a case for a point
/// the store no longer has (the points in the store's sources are read, too).
#[test]
fn every_crash_point_in_the_store_has_a_case() {
    let mut covered: Vec<&str> = cases().iter().map(|c| c.point).collect();
    covered.sort_unstable();
    let mut listed = jianguan_store::crash::POINTS.to_vec();
    listed.sort_unstable();
    assert_eq!(covered, listed);
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../store/src");
    let mut placed = Vec::new();
    let mut files = vec![src];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            for piece in text.split("crash_point!(\"").skip(1) {
                placed.push(piece.split('"').next().unwrap().to_string());
            }
        }
    }
    placed.sort_unstable();
    assert_eq!(placed, listed, "crash_point! calls in crates/store/src");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_crash_point_leaves_a_sound_database() {
    assert!(
        jianguan_store::crash::compiled(),
        "this test's build has the crash points (dev-dependency feature crash-points)"
    );
    let mut exercised = Vec::new();
    for case in cases() {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = restored(dir.path());
        ledger_file(&db, dir.path()).await;
        let before = held(&db).await;
        let armed = format!("{}={}", case.point, case.arm);
        let out = (case.drive)(&db, dir.path(), &armed);
        assert_eq!(
            out.status.signal(),
            Some(SIGABRT),
            "{}: the process did not die at the point: {:?}\n{}",
            case.point,
            out.status,
            text(&out)
        );
        let acknowledged = acks(&out);
        // Restarted: the database, the chain and the figures.
        let after = held(&db).await;
        if let Err(e) = (case.expect)(&before, &after, &acknowledged) {
            panic!("{}: {e}\nbefore {before:?}\nafter {after:?}", case.point);
        }
        let verify = jianguan(&["audit", "verify", "--db", &db], None, None);
        assert!(verify.status.success(), "{}: {}", case.point, text(&verify));
        let stats = jianguan(&["stats", "--db", &db, "--json"], None, None);
        assert!(stats.status.success(), "{}: {}", case.point, text(&stats));
        exercised.push(case.point);
    }
    assert_eq!(
        exercised,
        jianguan_store::crash::POINTS,
        "every point exercised"
    );
    eprintln!("crash points exercised: {}", exercised.join(", "));
}
