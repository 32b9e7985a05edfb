//! The binary from the outside: exit codes (0 ok, 1 failure with one line, 2 usage), refusing
//! foreign files untouched, and `stats --json` on the demo city.

use std::process::{Command, Output};

use jianguan_domain::store::{Actor, Store};

fn jianguan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jianguan"))
        .args(args)
        .env_remove("JIANGUAN_DATABASE_URL")
        .env("RUST_LOG", "off")
        .output()
        .expect("the binary runs")
}

fn stderr_lines(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn usage_errors_exit_with_2() {
    assert_eq!(jianguan(&["no-such-command"]).status.code(), Some(2));
    assert_eq!(
        jianguan(&["stats"]).status.code(),
        Some(2),
        "--db is required"
    );
    let out = jianguan(&["stats", "--db", "x.db", "--year", "twenty"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(jianguan(&["--help"]).status.code(), Some(0));
}

#[test]
fn a_file_that_is_not_a_jianguan_database_is_refused_untouched_with_one_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("notes.db");
    std::fs::write(&path, "这不是数据库\n").expect("write");
    for command in ["stats", "serve"] {
        let out = jianguan(&[command, "--db", path.to_str().expect("utf-8")]);
        assert_eq!(out.status.code(), Some(1), "{command}");
        let lines = stderr_lines(&out);
        assert_eq!(lines.len(), 1, "{command}: {lines:?}");
        assert!(lines[0].contains("not a jianguan database"), "{}", lines[0]);
    }
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        "这不是数据库\n"
    );
    let names: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
    assert_eq!(names.len(), 1, "nothing created beside the file");
}

#[test]
fn a_missing_database_is_an_error_not_a_new_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("missing.db");
    let out = jianguan(&["stats", "--db", path.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!path.exists());
}

#[test]
fn unknown_schemes_and_unreachable_servers_name_the_url_without_the_password() {
    for url in [
        "mysql://root:hunter2@db/x",
        "postgres://u:hunter2@127.0.0.1:1/x",
    ] {
        let out = jianguan(&["stats", "--db", url]);
        assert_eq!(out.status.code(), Some(1), "{url}");
        let lines = stderr_lines(&out);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].contains(":***@"), "{}", lines[0]);
        assert!(!lines[0].contains("hunter2"), "{}", lines[0]);
    }
}

#[tokio::test]
async fn stats_json_on_the_demo_city_carries_the_speech_figures() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("demo.db");
    let url = path.to_str().expect("utf-8").to_string();
    let db = jianguan_store::open(&url).await.expect("open");
    db.create_portfolio(
        &jianguan_demo::demo_city(),
        &Actor {
            name: "test".into(),
        },
        &|_, _| {},
    )
    .await
    .expect("demo city");
    db.close().await;
    let out = jianguan(&["stats", "--db", &url, "--year", "2021", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(stats["projects"], 1362);
    assert_eq!(stats["finished_projects"], 1222);
    assert_eq!(stats["annual_projects"], 1350);
    let table = jianguan(&["stats", "--db", &url]);
    assert_eq!(table.status.code(), Some(0));
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("90.52%"), "{text}");
}
