//! Backup and restore from the outside: demo database → `backup` → `backup verify` → `restore`
//! → the same `stats --json` and an intact chain; a restore over a non-empty database and a
//! tampered backup refused; private file modes; an older schema refused by `stats` untouched,
//! and `migrate` backing it up first.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

use jianguan_domain::store::Actor;
use jianguan_domain::store::prelude::*;

fn jianguan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jianguan"))
        .args(args)
        .env_remove("JIANGUAN_DATABASE_URL")
        .env_remove("JIANGUAN_SCRATCH_URL")
        .env("RUST_LOG", "off")
        .output()
        .expect("the binary runs")
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The demo city in a new SQLite file, with an anchor file beside it.
async fn demo_database(dir: &Path) -> String {
    let url = dir.join("demo.db").to_str().expect("utf-8").to_string();
    let db = jianguan_store::open(&url).await.expect("open");
    db.create_portfolio(
        &jianguan_demo::demo_city(),
        &Actor {
            name: "test".into(),
            client: None,
        },
        &|_, _| {},
    )
    .await
    .expect("demo city");
    jianguan_app::audit::write_anchor(&db, &dir.join("demo.db.anchors"))
        .await
        .expect("anchor");
    db.close().await;
    url
}

#[tokio::test]
async fn backup_verify_restore_gives_the_same_figures_and_an_intact_chain() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = demo_database(dir.path()).await;
    assert_eq!(
        mode(Path::new(&db)),
        0o600,
        "a new database file is private"
    );
    assert_eq!(mode(&dir.path().join("demo.db.anchors")), 0o600);
    let s0 = jianguan(&["stats", "--db", &db, "--json"]);
    assert_eq!(s0.status.code(), Some(0), "{}", text(&s0));

    let bk = dir.path().join("bk");
    let bks = bk.to_str().unwrap();
    let out = jianguan(&["backup", "--db", &db, "--out", bks]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(mode(&bk), 0o700);
    for f in ["jianguan.db", "manifest.json", "anchors"] {
        assert_eq!(mode(&bk.join(f)), 0o600, "{f}");
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(bk.join("manifest.json")).unwrap()).unwrap();
    let figures: serde_json::Value = serde_json::from_slice(&s0.stdout).unwrap();
    assert_eq!(
        manifest["figures"]["annual_projects"],
        figures["annual_projects"]
    );
    assert_eq!(manifest["backend"], "sqlite");

    let verify = jianguan(&["backup", "verify", bks, "--db", &db]);
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify));
    let log = std::fs::read_to_string(bk.join("drills.log")).unwrap();
    assert!(log.contains("恢复演练通过"), "{log}");
    let trail = jianguan_store::open(&db).await.unwrap();
    let head = trail.audit_head().await.unwrap().unwrap();
    assert_eq!(
        head.action, "backup.verify",
        "the drill is in the source's trail"
    );
    let client = head.client.clone().unwrap_or_default();
    assert!(
        client.starts_with("cli ") && client.contains('@'),
        "a command's audit record says where it came from: {client:?}"
    );
    trail.close().await;

    let restored = dir.path().join("restored.db");
    let rs = restored.to_str().unwrap();
    let out = jianguan(&["restore", "--from", bks, "--db", rs]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(mode(&restored), 0o600);
    let s1 = jianguan(&["stats", "--db", rs, "--json"]);
    assert_eq!(
        s1.stdout, s0.stdout,
        "the restored copy gives the same figures"
    );
    let audit = jianguan(&["audit", "verify", "--db", rs]);
    assert_eq!(audit.status.code(), Some(0), "{}", text(&audit));

    let bytes = std::fs::read(&restored).unwrap();
    let again = jianguan(&["restore", "--from", bks, "--db", rs]);
    assert_eq!(again.status.code(), Some(1), "{}", text(&again));
    assert!(text(&again).contains("not empty"), "{}", text(&again));
    assert_eq!(std::fs::read(&restored).unwrap(), bytes, "nothing written");

    let busy = jianguan(&["backup", "--db", &db, "--out", bks]);
    assert_eq!(
        busy.status.code(),
        Some(1),
        "a non-empty directory is refused"
    );
}

#[tokio::test]
async fn a_tampered_backup_fails_the_drill_and_is_not_restored() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = demo_database(dir.path()).await;
    let bk = dir.path().join("bk");
    let bks = bk.to_str().unwrap();
    assert_eq!(
        jianguan(&["backup", "--db", &db, "--out", bks])
            .status
            .code(),
        Some(0)
    );
    let file = bk.join("jianguan.db");
    let mut bytes = std::fs::read(&file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&file, bytes).unwrap();

    let verify = jianguan(&["backup", "verify", bks]);
    assert_eq!(verify.status.code(), Some(1), "{}", text(&verify));
    assert!(text(&verify).contains("SHA-256"), "{}", text(&verify));
    let log = std::fs::read_to_string(bk.join("drills.log")).unwrap();
    assert!(log.contains("未通过"), "{log}");

    let target = dir.path().join("restored.db");
    let out = jianguan(&["restore", "--from", bks, "--db", target.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(!target.exists(), "nothing written");
}

#[tokio::test]
async fn stats_refuses_an_older_schema_untouched_and_migrate_backs_up_first() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("old.db");
    jianguan_store::testing::sqlite_at_version(&path, 6).await;
    let db = path.to_str().unwrap();
    let before = std::fs::read(&path).unwrap();
    for args in [
        vec!["stats", "--db", db],
        vec!["dispatch", "--db", db, "--week", "2021-W40"],
        vec!["audit", "verify", "--db", db],
        vec!["rules", "show", "--db", db],
        vec!["calendar", "show", "--db", db],
        vec!["scheme", "show", "--db", db, "--year", "2021"],
        vec!["org", "show", "--db", db],
        vec!["plan", "show", "--db", db],
    ] {
        let out = jianguan(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            text(&out).contains(&format!("jianguan migrate --db {db}")),
            "{args:?}: {}",
            text(&out)
        );
    }
    assert_eq!(std::fs::read(&path).unwrap(), before, "byte-identical");
    assert!(!dir.path().join("old.db-wal").exists());

    let out = jianguan(&["migrate", "--db", db]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let backups: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("old.db.pre-migrate-0006-"))
        .collect();
    assert_eq!(backups.len(), 1, "{backups:?}");
    let bk = dir.path().join(&backups[0]);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(bk.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(
        manifest["schema_version"], 6,
        "the copy is of the old schema"
    );
    assert_eq!(jianguan(&["stats", "--db", db]).status.code(), Some(0));
    let again = jianguan(&["migrate", "--db", db]);
    assert_eq!(again.status.code(), Some(0));
    let count = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains("pre-migrate")
        })
        .count();
    assert_eq!(count, 1, "an up-to-date database is not backed up again");
}

/// A command that writes migrates the database it opens, so it backs an older one up first,
/// like `migrate` (`warnings run` here; every writing command opens through the same function).
#[tokio::test]
async fn a_writing_command_backs_an_older_schema_up_before_migrating_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("old.db");
    jianguan_store::testing::sqlite_at_version(&path, 6).await;
    let db = path.to_str().unwrap();
    let out = jianguan(&["warnings", "run", "--db", db, "--date", "2021-10-01"]);
    let backups: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("old.db.pre-migrate-0006-"))
        .collect();
    assert_eq!(backups.len(), 1, "{backups:?}; {}", text(&out));
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join(&backups[0]).join("manifest.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        manifest["schema_version"], 6,
        "the copy is of the old schema"
    );
    // Migrated now: a read-only command opens it.
    let stats = jianguan(&["rules", "show", "--db", db]);
    assert_eq!(stats.status.code(), Some(0), "{}", text(&stats));
}

/// `audit verify` checks the chain against every anchor file it is given (the copy kept where
/// the database host cannot rewrite it): a copy that disagrees is named; and a dropped
/// append-only guard fails the verification even though every hash still links.
#[tokio::test]
async fn audit_verify_names_the_anchor_copy_that_disagrees_and_a_dropped_guard() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = demo_database(dir.path()).await;
    let beside = dir.path().join("demo.db.anchors");
    let copy = dir.path().join("elsewhere.anchors");
    std::fs::copy(&beside, &copy).unwrap();
    let (a, b) = (beside.to_str().unwrap(), copy.to_str().unwrap());
    let both = jianguan(&[
        "audit",
        "verify",
        "--db",
        &db,
        "--anchors",
        a,
        "--anchors",
        b,
    ]);
    assert_eq!(both.status.code(), Some(0), "{}", text(&both));
    assert_eq!(
        text(&both).matches("审计链完整").count(),
        2,
        "{}",
        text(&both)
    );

    // The copy says the head had another hash: only the copy is named.
    let line = std::fs::read_to_string(&copy).unwrap();
    let mut parts: Vec<&str> = line.split_whitespace().collect();
    let forged = "f".repeat(64);
    parts[1] = &forged;
    std::fs::write(&copy, format!("{}\n", parts.join(" "))).unwrap();
    let out = jianguan(&[
        "audit",
        "verify",
        "--db",
        &db,
        "--anchors",
        a,
        "--anchors",
        b,
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("elsewhere.anchors"), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("demo.db.anchors"),
        "the good one is reported good: {}",
        text(&out)
    );

    // The guard against rewriting audit records is dropped.
    let store = jianguan_store::open(&db).await.unwrap();
    jianguan_store::testing::drop_append_only_guard(&store, "audit_log_no_delete").await;
    store.close().await;
    let out = jianguan(&["audit", "verify", "--db", &db]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("audit_log_no_delete"), "{}", text(&out));
}
