//! `jianguan bench catch-up` on a small generated ledger: it refuses to write without the
//! confirmation, and with it every filing is seen by the node after a catch-up, with one full
//! read. The figures it prints are shown, never asserted.

use std::process::{Command, Output};

fn jianguan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jianguan"))
        .args(args)
        .env_remove("JIANGUAN_DATABASE_URL")
        .env_remove("JIANGUAN_LANG")
        .env("RUST_LOG", "off")
        .output()
        .expect("jianguan runs")
}

#[test]
fn each_filing_is_seen_after_a_catch_up_with_one_full_read() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let db = dir.path().join("gen.db").display().to_string();
    let out = jianguan(&["gen", "--scale", "0.01", "--db", &db]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let refused = jianguan(&["bench", "catch-up", "--db", &db, "--writes", "5"]);
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("--writes-into-this-database"), "{err}");

    let out = jianguan(&[
        "bench",
        "catch-up",
        "--db",
        &db,
        "--writes",
        "5",
        "--writes-into-this-database",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    println!("{stdout}");
    assert!(stdout.contains("5 filings"), "{stdout}");
    assert!(stdout.contains("full reads 1 "), "{stdout}");
}
